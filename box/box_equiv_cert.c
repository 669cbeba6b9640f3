/* box_equiv_cert.c -- box-equivalence certificates: two box certificates
 * (A = A' and B = B' on a box) and the equivalence certificate of the
 * reduced networks (A' = B' everywhere); rebuild, check, write, read */
/* The check is the three trusted checkers in a row (box/stable_check.c
 * twice, exact/equiv_cert.c once); rebuilding A' and B' is not trusted,
 * since each checker confirms the network it is given. The parts are
 * written and read by their own formats' code, nested as members, so the
 * combined format adds no second copy of their syntax. */
#include <stdlib.h>
#include <string.h>
#include "cert_json.h"
#include "lumpnet/stable.h"
#include "json_support.h"
#include "stable_i.h"
#include "alloc_i.h"
#include "net_i.h"

#define FORMAT_NAME "lumpnet-box-equivalence-certificate"
#define FORMAT_VERSION 1

static const char *const top_keys[] = {"format", "version", "a", "b", "union", NULL};

void lump_box_equiv_cert_init(lump_box_equiv_cert_t *c)
{
    lump_box_cert_init(&c->cert_a);
    lump_box_cert_init(&c->cert_b);
    lump_lumping_init(&c->lumping);
}

void lump_box_equiv_cert_clear(lump_box_equiv_cert_t *c)
{
    lump_box_cert_clear(&c->cert_a);
    lump_box_cert_clear(&c->cert_b);
    lump_lumping_clear(&c->lumping);
}

/* ---- rebuilding the reduced network ------------------------------------ */

/* NEXT = CUR with the removals and folds of stable step ST (K: its index,
 * for messages); LUMP_EINPUT when the step does not fit CUR's shape. */
static lump_error_t apply_stable(lump_net_t *next, const lump_net_t *cur,
                                 const lump_stable_step_t *st, size_t k)
{
    lump_error_t err = LUMP_OK;
    if (st->n_layers != cur->n_layers)
        return lump_error_set(LUMP_EINPUT, "step %zu: the stable step has %zu layers, the "
                              "network %zu", k + 1, st->n_layers, cur->n_layers);
    for (size_t i = 0; i < cur->n_layers; i++)
        if (st->layers[i].size != cur->layers[i].size)
            return lump_error_set(LUMP_EINPUT, "step %zu: layer %zu has %zu neurons in the "
                                  "certificate, %zu in the network", k + 1, i + 1,
                                  st->layers[i].size, cur->layers[i].size);
    LUMP_CHECK(lump_net_copy(next, cur));
    /* the output layer has no removals (as the checker reads it) */
    for (size_t i = 0; i + 1 < cur->n_layers; i++) {
        if (st->layers[i].n_inactive == 0 && st->layers[i].n_fold == 0)
            continue;
        err = lump_stable_apply_layer(next, i, &st->layers[i]);
        if (err == LUMP_EINPUT)
            err = lump_error_prefix(err, "step %zu", k + 1);
        LUMP_CHECK(err);
    }
cleanup:
    return err;
}

/* lump_box_cert_apply -- see stable.h. */
lump_error_t lump_box_cert_apply(lump_net_t *out, const lump_net_t *net,
                                 const lump_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    lump_net_t cur, next;
    lump_net_init(&cur);
    lump_net_init(&next);
    LUMP_CHECK(lump_net_copy(&cur, net));
    for (size_t k = 0; k < cert->n_steps; k++) {
        const lump_box_step_t *s = &cert->steps[k];
        lump_net_clear(&next);
        if (s->kind == LUMP_STEP_STABLE) {
            LUMP_CHECK(apply_stable(&next, &cur, &s->stable, k));
        } else {
            err = lump_quotient(&next, &cur, &s->lumping);
            if (err == LUMP_EINPUT)
                err = lump_error_prefix(err, "step %zu (lumping)", k + 1);
            LUMP_CHECK(err);
        }
        lump_i_net_move(&cur, &next);
    }
    lump_i_net_move(out, &cur);
cleanup:
    lump_net_clear(&cur);
    lump_net_clear(&next);
    return err;
}

/* ---- the check ----------------------------------------------------------- */

/* Copy "WHAT: TEXT" into WHY. */
static void say(char *why, size_t whylen, const char *what, const char *text)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s: %s", what, text);
}

/* *RED = the network CERT makes of NET, and *VALID whether CERT proves
 * NET = *RED on BOX; WHY (prefixed by WHAT) when not. */
static lump_error_t check_side(lump_verdict_t *valid, char *why, size_t whylen, lump_net_t *red,
                               const lump_net_t *net, const lump_box_t *box,
                               const lump_box_cert_t *cert, const char *what)
{
    lump_error_t err = LUMP_OK;
    char sub[768] = "";
    *valid = LUMP_FALSE;
    err = lump_box_cert_apply(red, net, cert);
    if (err == LUMP_EINPUT) {
        say(why, whylen, what, lump_error_message());
        return LUMP_OK;
    }
    LUMP_CHECK(err);
    LUMP_CHECK(lump_box_cert_check(valid, sub, sizeof sub, net, red, box, cert));
    if (*valid != LUMP_TRUE)
        say(why, whylen, what, sub);
cleanup:
    return err;
}

/* lump_box_equiv_cert_check -- see stable.h. */
lump_error_t lump_box_equiv_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                       const lump_net_t *a, const lump_net_t *b,
                                       const lump_box_t *box, const lump_box_equiv_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    lump_net_t ra, rb;
    char sub[768] = "";
    *valid = LUMP_FALSE;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    lump_net_init(&ra);
    lump_net_init(&rb);
    LUMP_CHECK(check_side(valid, why, whylen, &ra, a, box, &cert->cert_a,
                          "the box reduction of A (member \"a\")"));
    if (*valid != LUMP_TRUE)
        goto cleanup;
    LUMP_CHECK(check_side(valid, why, whylen, &rb, b, box, &cert->cert_b,
                          "the box reduction of B (member \"b\")"));
    if (*valid != LUMP_TRUE)
        goto cleanup;
    LUMP_CHECK(lump_equiv_cert_check(valid, sub, sizeof sub, &ra, &rb, &cert->lumping));
    if (*valid != LUMP_TRUE)
        say(why, whylen, "the union of the reduced networks (member \"union\")", sub);
cleanup:
    if (err != LUMP_OK)
        *valid = LUMP_FALSE;
    lump_net_clear(&ra);
    lump_net_clear(&rb);
    return err;
}

/* ---- writing -------------------------------------------------------------- */

/* lump_i_cert_part_json -- see stable_i.h. */
lump_error_t lump_i_cert_part_json(json_t **out, lump_i_part_writer_t write, const void *arg,
                                   const char *what)
{
    lump_error_t err = LUMP_OK;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        lump_i_out_of_memory(4096);
    err = write(f, arg);
    if (fclose(f) != 0 && err == LUMP_OK)
        err = lump_error_set(LUMP_EIO, "%s: could not write the part in memory", what);
    LUMP_CHECK(err);
    LUMP_CHECK(lump_i_json_load(out, text, len, what));
cleanup:
    free(text);
    return err;
}

static lump_error_t write_box(FILE *f, const void *c)
{
    return lump_box_cert_write(f, c);
}

static lump_error_t write_union(FILE *f, const void *L)
{
    return lump_equiv_cert_write(f, L);
}

/* lump_box_equiv_cert_write -- see stable.h. Keys in the order format,
 * version, a, b, union. */
lump_error_t lump_box_equiv_cert_write(FILE *f, const lump_box_equiv_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *part = NULL;
    if (root == NULL)
        lump_i_out_of_memory(sizeof(json_t *));
    LUMP_CHECK(lump_i_json_set_new(root, "format", json_string(FORMAT_NAME)));
    LUMP_CHECK(lump_i_json_set_new(root, "version", json_integer(FORMAT_VERSION)));
    LUMP_CHECK(
        lump_i_cert_part_json(&part, write_box, &cert->cert_a, "the box certificate of A"));
    err = lump_i_json_set_new(root, "a", part);
    part = NULL;
    LUMP_CHECK(err);
    LUMP_CHECK(
        lump_i_cert_part_json(&part, write_box, &cert->cert_b, "the box certificate of B"));
    err = lump_i_json_set_new(root, "b", part);
    part = NULL;
    LUMP_CHECK(err);
    LUMP_CHECK(
        lump_i_cert_part_json(&part, write_union, &cert->lumping, "the union's certificate"));
    err = lump_i_json_set_new(root, "union", part);
    part = NULL;
    LUMP_CHECK(err);
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(part);
    json_decref(root);
    return err;
}

/* ---- reading -------------------------------------------------------------- */

/* lump_cert_is_box_equiv -- see stable.h. */
int lump_cert_is_box_equiv(const char *buf, size_t len)
{
    return lump_i_json_format_is(buf, len, FORMAT_NAME);
}

/* lump_i_cert_member_text -- see stable_i.h. */
lump_error_t lump_i_cert_member_text(char **text, size_t *len, char *name, size_t namelen,
                                     lump_i_jpath_t *p, const json_t *root, const char *key,
                                     const char *file)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    LUMP_CHECK(lump_i_json_member(&v, p, root, key, 1));
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_expect_object(p, v));
    lump_i_jpath_pop(p);
    *text = json_dumps(v, JSON_COMPACT);
    if (*text == NULL)
        lump_i_out_of_memory(4096);
    *len = strlen(*text);
    snprintf(name, namelen, "%s, member \"%s\"", file, key);
cleanup:
    return err;
}

/* lump_box_equiv_cert_read_buf -- see stable.h. On failure CERT is left
 * empty. */
lump_error_t lump_box_equiv_cert_read_buf(lump_box_equiv_cert_t *cert, const char *buf,
                                          size_t len, const char *name)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *v;
    lump_i_jpath_t p;
    const char *s;
    char *text = NULL, sub[512];
    size_t slen, version, tlen;
    lump_box_equiv_cert_clear(cert);
    lump_i_jpath_init(&p, name);
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(lump_i_json_expect_object(&p, root));
    LUMP_CHECK(lump_i_json_check_keys(&p, root, top_keys));
    LUMP_CHECK(lump_i_json_member(&v, &p, root, "format", 1));
    lump_i_jpath_key(&p, "format");
    LUMP_CHECK(lump_i_json_get_string(&s, &slen, &p, v));
    if (strcmp(s, FORMAT_NAME) != 0)
        LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT, "is \"%.40s\", expected \"%s\"", s,
                                      FORMAT_NAME));
    lump_i_jpath_pop(&p);
    LUMP_CHECK(lump_i_json_member(&v, &p, root, "version", 1));
    lump_i_jpath_key(&p, "version");
    LUMP_CHECK(lump_i_json_get_size(&version, &p, v, FORMAT_VERSION, FORMAT_VERSION,
                                    "the box-equivalence certificate version (this build reads "
                                    "version 1)"));
    lump_i_jpath_pop(&p);
    LUMP_CHECK(lump_i_cert_member_text(&text, &tlen, sub, sizeof sub, &p, root, "a", name));
    LUMP_CHECK(lump_box_cert_read_buf(&cert->cert_a, text, tlen, sub));
    free(text);
    text = NULL;
    LUMP_CHECK(lump_i_cert_member_text(&text, &tlen, sub, sizeof sub, &p, root, "b", name));
    LUMP_CHECK(lump_box_cert_read_buf(&cert->cert_b, text, tlen, sub));
    free(text);
    text = NULL;
    LUMP_CHECK(lump_i_cert_member_text(&text, &tlen, sub, sizeof sub, &p, root, "union", name));
    LUMP_CHECK(lump_equiv_cert_read_buf(&cert->lumping, text, tlen, sub));
cleanup:
    free(text);
    json_decref(root);
    if (err != LUMP_OK)
        lump_box_equiv_cert_clear(cert);
    return err;
}
