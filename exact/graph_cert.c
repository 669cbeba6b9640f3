/* graph_cert.c -- the certificate of a channel-level graph lumping as JSON
 * ("lumpnet-graph-certificate", docs/formats.md): written, and read with
 * its shape checked (whether its claims hold is graph_check.c's job) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "glump_i.h"
#include "json_support.h"

#define FORMAT_NAME "lumpnet-graph-certificate"

static const char *const top_keys[] = {"format", "version", "mode", "merged_outputs", "nodes",
                                       NULL};
static const char *const node_keys[] = {"units", "block", "scale", "dead", "constant", NULL};

/* lump_graph_cert_write -- see lumpnet/glump.h. */
lump_error_t lump_graph_cert_write(FILE *f, const lump_glumping_t *L)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *nodes = json_array();
    LUMP_CHECK(lump_i_json_set_new(root, "format", json_string(FORMAT_NAME)));
    LUMP_CHECK(lump_i_json_set_new(root, "version", json_integer(1)));
    LUMP_CHECK(lump_i_json_set_new(
        root, "mode", json_string(L->mode == LUMP_MODE_EXACT ? "exact" : "proportional")));
    LUMP_CHECK(lump_i_json_set_new(root, "merged_outputs", json_boolean(L->merged)));
    for (size_t i = 0; i < L->n_nodes; i++) {
        const lump_gpart_t *p = &L->nodes[i];
        json_t *o = json_object(), *bl = json_array(), *sc = json_array(), *dd = json_array();
        json_t *kk = json_array();
        for (size_t u = 0; u < p->units; u++) {
            LUMP_CHECK(lump_i_json_append_new(bl, json_integer((json_int_t)p->block[u])));
            LUMP_CHECK(lump_i_json_append_new(sc, lump_i_json_from_q(p->scale[u])));
        }
        for (size_t b = 0; b < p->n_blocks; b++)
            if (p->dead[b])
                LUMP_CHECK(lump_i_json_append_new(dd, json_integer((json_int_t)b)));
        for (size_t u = 0; u < p->units; u++)
            if (p->konst[p->block[u]]) {
                json_t *pair = json_array();
                LUMP_CHECK(lump_i_json_append_new(pair, json_integer((json_int_t)u)));
                LUMP_CHECK(lump_i_json_append_new(pair, lump_i_json_from_q(p->value[u])));
                LUMP_CHECK(lump_i_json_append_new(kk, pair));
            }
        LUMP_CHECK(lump_i_json_set_new(o, "units", json_integer((json_int_t)p->units)));
        LUMP_CHECK(lump_i_json_set_new(o, "block", bl));
        LUMP_CHECK(lump_i_json_set_new(o, "scale", sc));
        LUMP_CHECK(lump_i_json_set_new(o, "dead", dd));
        LUMP_CHECK(lump_i_json_set_new(o, "constant", kk));
        LUMP_CHECK(lump_i_json_append_new(nodes, o));
    }
    LUMP_CHECK(lump_i_json_set_new(root, "nodes", nodes));
    nodes = NULL;
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(nodes);
    json_decref(root);
    return err;
}

/* lump_graph_cert_is -- see lumpnet/glump.h. */
int lump_graph_cert_is(const char *buf, size_t len)
{
    const char *k = FORMAT_NAME;
    size_t n = strlen(k);
    for (size_t i = 0; i + n <= len && i < 4096; i++)
        if (memcmp(buf + i, k, n) == 0)
            return 1;
    return 0;
}

/* *OUT (to free) = the N integers in [0, MAX] of the array V at member KEY
 * (WANT of them unless WANT is SIZE_MAX), WHAT naming one in messages */
static lump_error_t read_indices(size_t **out, size_t *n, lump_i_jpath_t *jp, const json_t *o,
                                 const char *key, size_t want, size_t max, const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    *out = NULL;
    LUMP_CHECK(lump_i_json_member(&v, jp, o, key, 1));
    lump_i_jpath_key(jp, key);
    LUMP_CHECK(lump_i_json_expect_array(n, jp, v));
    if (want != SIZE_MAX)
        LUMP_CHECK(lump_i_json_expect_len(jp, v, want, "one per unit"));
    *out = lump_alloc_array(*n + 1, sizeof **out);
    for (size_t k = 0; k < *n; k++) {
        lump_i_jpath_index(jp, k);
        LUMP_CHECK(lump_i_json_get_size(&(*out)[k], jp, json_array_get(v, k), 0, max, what));
        lump_i_jpath_pop(jp);
    }
    lump_i_jpath_pop(jp);
cleanup:
    return err;
}

static lump_error_t read_node(lump_gpart_t *p, lump_i_jpath_t *jp, const json_t *o)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    size_t units, n, *ids = NULL, *dead = NULL;
    LUMP_CHECK(lump_i_json_expect_object(jp, o));
    LUMP_CHECK(lump_i_json_check_keys(jp, o, node_keys));
    LUMP_CHECK(lump_i_json_member(&v, jp, o, "units", 1));
    LUMP_CHECK(lump_i_json_get_size(&units, jp, v, 0, (size_t)1 << 32, "the number of units"));
    /* the length is checked before UNITS is trusted with an allocation */
    LUMP_CHECK(lump_i_json_member(&v, jp, o, "block", 1));
    lump_i_jpath_key(jp, "block");
    LUMP_CHECK(lump_i_json_expect_len(jp, v, units, "one per unit"));
    lump_i_jpath_pop(jp);
    lump_i_gpart_alloc(p, units, 0);
    LUMP_CHECK(read_indices(&ids, &n, jp, o, "block", units, units > 0 ? units - 1 : 0,
                            "a block number"));
    memcpy(p->block, ids, units * sizeof *ids);
    lump_i_gpart_renumber(p);
    /* the ids must already be canonical: numbering by lowest member
     * changes nothing */
    for (size_t u = 0; u < units; u++)
        if (ids[u] != p->block[u]) {
            lump_i_jpath_key(jp, "block");
            lump_i_jpath_index(jp, u);
            err = lump_i_jpath_error(jp, LUMP_EINPUT,
                                     "block %zu: blocks must be numbered 0, 1, ... by their "
                                     "lowest member (this one would be %zu)", ids[u], p->block[u]);
            goto cleanup;
        }
    LUMP_CHECK(lump_i_json_member(&v, jp, o, "scale", 1));
    lump_i_jpath_key(jp, "scale");
    LUMP_CHECK(lump_i_json_expect_len(jp, v, units, "one scale per unit"));
    for (size_t u = 0; u < units; u++) {
        lump_i_jpath_index(jp, u);
        LUMP_CHECK(lump_i_json_get_q(p->scale[u], jp, json_array_get(v, u)));
        lump_i_jpath_pop(jp);
    }
    lump_i_jpath_pop(jp);
    LUMP_CHECK(read_indices(&dead, &n, jp, o, "dead", SIZE_MAX,
                            p->n_blocks > 0 ? p->n_blocks - 1 : 0, "a block number"));
    for (size_t k = 0; k < n; k++)
        p->dead[dead[k]] = 1;
    LUMP_CHECK(lump_i_json_member(&v, jp, o, "constant", 1));
    lump_i_jpath_key(jp, "constant");
    LUMP_CHECK(lump_i_json_expect_array(&n, jp, v));
    for (size_t k = 0; k < n; k++) {
        size_t u;
        json_t *pair = json_array_get(v, k);
        lump_i_jpath_index(jp, k);
        LUMP_CHECK(lump_i_json_expect_len(jp, pair, 2, "a unit and its value"));
        LUMP_CHECK(lump_i_json_get_size(&u, jp, json_array_get(pair, 0), 0,
                                        units > 0 ? units - 1 : 0, "a unit"));
        LUMP_CHECK(lump_i_json_get_q(p->value[u], jp, json_array_get(pair, 1)));
        p->konst[p->block[u]] = 1;
        lump_i_jpath_pop(jp);
    }
    lump_i_jpath_pop(jp);
cleanup:
    free(ids);
    free(dead);
    return err;
}

/* lump_graph_cert_read_buf -- see lumpnet/glump.h. */
lump_error_t lump_graph_cert_read_buf(lump_glumping_t *L, const char *buf, size_t len,
                                      const char *name)
{
    lump_error_t err = LUMP_OK;
    lump_glumping_t R;
    lump_i_jpath_t jp;
    json_t *root = NULL, *v;
    const char *s;
    size_t n, version;
    lump_glumping_init(&R);
    lump_i_jpath_init(&jp, name);
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(lump_i_json_expect_object(&jp, root));
    LUMP_CHECK(lump_i_json_check_keys(&jp, root, top_keys));
    LUMP_CHECK(lump_i_json_member(&v, &jp, root, "format", 1));
    lump_i_jpath_key(&jp, "format");
    LUMP_CHECK(lump_i_json_get_string(&s, &n, &jp, v));
    if (strcmp(s, FORMAT_NAME) != 0) {
        err = lump_i_jpath_error(&jp, LUMP_EINPUT, "expected \"%s\"", FORMAT_NAME);
        goto cleanup;
    }
    lump_i_jpath_pop(&jp);
    LUMP_CHECK(lump_i_json_member(&v, &jp, root, "version", 1));
    lump_i_jpath_key(&jp, "version");
    LUMP_CHECK(lump_i_json_get_size(&version, &jp, v, 1, 1, "the version"));
    lump_i_jpath_pop(&jp);
    LUMP_CHECK(lump_i_json_member(&v, &jp, root, "mode", 1));
    lump_i_jpath_key(&jp, "mode");
    LUMP_CHECK(lump_i_json_get_string(&s, &n, &jp, v));
    if (strcmp(s, "exact") != 0 && strcmp(s, "proportional") != 0) {
        err = lump_i_jpath_error(&jp, LUMP_EINPUT, "expected \"exact\" or \"proportional\"");
        goto cleanup;
    }
    R.mode = strcmp(s, "exact") == 0 ? LUMP_MODE_EXACT : LUMP_MODE_PROPORTIONAL;
    lump_i_jpath_pop(&jp);
    LUMP_CHECK(lump_i_json_member(&v, &jp, root, "merged_outputs", 1));
    if (!json_is_boolean(v)) {
        lump_i_jpath_key(&jp, "merged_outputs");
        err = lump_i_jpath_error(&jp, LUMP_EINPUT, "expected true or false");
        goto cleanup;
    }
    R.merged = json_is_true(v);
    LUMP_CHECK(lump_i_json_member(&v, &jp, root, "nodes", 1));
    lump_i_jpath_key(&jp, "nodes");
    LUMP_CHECK(lump_i_json_expect_array(&n, &jp, v));
    R.nodes = lump_alloc_zero(n > 0 ? n : 1, sizeof *R.nodes);
    R.n_nodes = n;
    for (size_t i = 0; i < n; i++) {
        lump_i_jpath_index(&jp, i);
        LUMP_CHECK(read_node(&R.nodes[i], &jp, json_array_get(v, i)));
        lump_i_jpath_pop(&jp);
    }
    lump_glumping_clear(L);
    *L = R;
    lump_glumping_init(&R);
cleanup:
    json_decref(root);
    lump_glumping_clear(&R);
    return err;
}
