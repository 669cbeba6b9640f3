/* cert_read.c -- read a JSON certificate (lumpnet-certificate), checking its shape only */
#include <stdlib.h>
#include "lumpnet/lump.h"
#include "cert_json.h"
#include "cert_json_i.h"
#include "alloc_i.h"

#define FORMAT_NAME "lumpnet-certificate"
#define FORMAT_VERSION 1

static const char *const top_keys[] = {"format", "version", "mode", "inputs", "layers", NULL};
static const char *const layer_keys[] = {"size", "blocks", NULL};
static const char *const block_keys[] = {"members", "scales", "fate", "value", NULL};
/* In the order of lump_mode_t and lump_fate_t. */
static const char *const mode_names[] = {"exact", "proportional", NULL};
static const char *const fate_names[] = {"keep", "constant", "dead", NULL};

/* Members: neuron indices of a layer of SIZE neurons. Order and overlaps
 * are the checker's business; here only the range is. */
static lump_error_t read_members(lump_block_t *b, lump_i_jpath_t *p, const json_t *arr, size_t size)
{
    lump_error_t err = LUMP_OK;
    size_t n, k;
    LUMP_CHECK(lump_i_json_expect_array(&n, p, arr));
    if (n == 0)
        return lump_i_jpath_error(p, LUMP_EINPUT, "is empty (a block has at least one member)");
    b->members = lump_alloc_array(n, sizeof *b->members);
    for (k = 0; k < n; k++) {
        json_t *v = json_array_get(arr, k);
        json_int_t x;
        lump_i_jpath_index(p, k);
        if (!json_is_integer(v))
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "expected a neuron index (an integer), found %s",
                                      lump_i_json_type_name(v));
        x = json_integer_value(v);
        if (x < 0 || (unsigned long long)x >= size)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "neuron %" JSON_INTEGER_FORMAT
                                      " is out of range (the layer has %zu neurons, 0 to %zu)",
                                      x, size, size > 0 ? size - 1 : 0);
        b->members[k] = (size_t)x;
        b->n_members = k + 1;
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

static lump_error_t read_scales(lump_block_t *b, lump_i_jpath_t *p, const json_t *arr, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    size_t k;
    LUMP_CHECK(lump_i_json_expect_len(p, arr, b->n_members, "one scale per member"));
    LUMP_CHECK(lump_arr_alloc(&b->scales, LUMP_STORE_Q, b->n_members));
    for (k = 0; k < b->n_members; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(lump_i_json_get_q(q, p, json_array_get(arr, k)));
        LUMP_CHECK(lump_arr_set(&b->scales, k, q));
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

static lump_error_t read_block(lump_block_t *b, lump_i_jpath_t *p, const json_t *obj, size_t size,
                               mpq_t q)
{
    lump_error_t err = LUMP_OK;
    json_t *members, *scales, *fate, *value;
    LUMP_CHECK(lump_i_json_expect_keys(p, obj, block_keys));
    LUMP_CHECK(lump_i_json_member(&members, p, obj, "members", 1));
    LUMP_CHECK(lump_i_json_member(&scales, p, obj, "scales", 1));
    LUMP_CHECK(lump_i_json_member(&fate, p, obj, "fate", 0));
    LUMP_CHECK(lump_i_json_member(&value, p, obj, "value", 0));
    lump_i_jpath_key(p, "members");
    LUMP_CHECK(read_members(b, p, members, size));
    lump_i_jpath_pop(p);
    lump_i_jpath_key(p, "scales");
    LUMP_CHECK(read_scales(b, p, scales, q));
    lump_i_jpath_pop(p);
    b->fate = LUMP_FATE_KEEP;
    if (fate != NULL) {
        size_t k;
        lump_i_jpath_key(p, "fate");
        LUMP_CHECK(lump_i_json_get_name(&k, p, fate, fate_names));
        b->fate = (lump_fate_t)k;
        lump_i_jpath_pop(p);
    }
    if (b->fate == LUMP_FATE_CONSTANT && value == NULL)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "missing key \"value\" (a constant block states its value)"));
    if (b->fate != LUMP_FATE_CONSTANT && value != NULL)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "has a \"value\" but is not a constant block "
                                      "(\"fate\": \"constant\")"));
    if (value != NULL)
        LUMP_CHECK(lump_i_json_key_q(b->value, p, obj, "value"));
cleanup:
    return err;
}

static lump_error_t read_layer(lump_layer_lumping_t *l, lump_i_jpath_t *p, const json_t *obj,
                               mpq_t q)
{
    lump_error_t err = LUMP_OK;
    json_t *size, *blocks;
    size_t n, k;
    LUMP_CHECK(lump_i_json_expect_keys(p, obj, layer_keys));
    LUMP_CHECK(lump_i_json_member(&size, p, obj, "size", 1));
    LUMP_CHECK(lump_i_json_member(&blocks, p, obj, "blocks", 1));
    lump_i_jpath_key(p, "size");
    LUMP_CHECK(lump_i_json_get_size(&l->size, p, size, 1, lump_arr_max_len(),
                                    "the number of neurons of the layer"));
    lump_i_jpath_pop(p);
    lump_i_jpath_key(p, "blocks");
    LUMP_CHECK(lump_i_json_expect_array(&n, p, blocks));
    /* Each block is backed by bytes of the file, so this allocation is
     * bounded by the document's size. */
    l->blocks = lump_alloc_array(n > 0 ? n : 1, sizeof *l->blocks);
    for (k = 0; k < n; k++) {
        lump_block_init(&l->blocks[k]);
        l->n_blocks = k + 1;
        lump_i_jpath_index(p, k);
        LUMP_CHECK(read_block(&l->blocks[k], p, json_array_get(blocks, k), l->size, q));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* The members mode, inputs and layers of OBJ into L (initialised), read
 * into a scratch lumping first so that L is untouched on failure. */
static lump_error_t read_lumping(lump_lumping_t *L, lump_i_jpath_t *p, const json_t *obj)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t tmp;
    json_t *layers, *v;
    size_t n, i, mode;
    mpq_t q; /* scratch for the scales, shared by all blocks */
    mpq_init(q);
    lump_lumping_init(&tmp);
    LUMP_CHECK(lump_i_json_member(&v, p, obj, "mode", 1));
    lump_i_jpath_key(p, "mode");
    LUMP_CHECK(lump_i_json_get_name(&mode, p, v, mode_names));
    tmp.mode = (lump_mode_t)mode;
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_key_size(&tmp.n_inputs, p, obj, "inputs", 1, lump_arr_max_len(),
                                    "the number of inputs"));
    LUMP_CHECK(lump_i_json_member(&layers, p, obj, "layers", 1));
    lump_i_jpath_key(p, "layers");
    LUMP_CHECK(lump_i_json_expect_array(&n, p, layers));
    if (n == 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "is empty (a network has at least one layer: the outputs)"));
    tmp.layers = lump_alloc_zero(n, sizeof *tmp.layers);
    tmp.n_layers = n;
    for (i = 0; i < n; i++) {
        lump_i_jpath_index(p, i);
        LUMP_CHECK(read_layer(&tmp.layers[i], p, json_array_get(layers, i), q));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
    lump_lumping_swap(L, &tmp); /* the old contents are cleared below */
cleanup:
    lump_lumping_clear(&tmp);
    mpq_clear(q);
    return err;
}

/* lump_i_cert_lumping_read -- see cert_json_i.h. */
lump_error_t lump_i_cert_lumping_read(lump_lumping_t *L, lump_i_jpath_t *p, const json_t *obj)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_expect_object(p, obj));
    LUMP_CHECK(read_lumping(L, p, obj));
cleanup:
    return err;
}

/* lump_i_cert_lumping_read_buf -- see cert_json_i.h. */
lump_error_t lump_i_cert_lumping_read_buf(lump_lumping_t *L, const char *buf, size_t len,
                                          const char *name, const char *format, size_t version,
                                          const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL;
    lump_i_jpath_t p;
    lump_i_jpath_init(&p, name);
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(lump_i_json_read_header(NULL, &p, root, top_keys, format, version, version, what));
    LUMP_CHECK(read_lumping(L, &p, root));
cleanup:
    json_decref(root);
    return err;
}

/* lump_cert_read_buf -- read the certificate BUF[0..len) (see
 * docs/certificates.md) into L, which must be initialised. Only the shape
 * is checked: the format tag and version, the mode, types, every member
 * index within its layer's stated size, one scale per member, scales and
 * values that are exact rationals (lump_rat_parse: no division by zero, no
 * absurd exponents), and "value" present exactly for constant blocks.
 * Members need not be sorted or disjoint, blocks need not cover their
 * layer: whether the claims hold is lump_cert_check's job. On success L's
 * old contents are replaced; on failure L is untouched and the error is
 * LUMP_EINPUT with NAME, the place (e.g. "layers[1].blocks[4].scales[0]")
 * and the problem. Complexity: O(length + d^2 per number of d digits). */
lump_error_t lump_cert_read_buf(lump_lumping_t *L, const char *buf, size_t len, const char *name)
{
    return lump_i_cert_lumping_read_buf(L, buf, len, name, FORMAT_NAME, FORMAT_VERSION,
                                        "the certificate version (this build reads version 1)");
}
