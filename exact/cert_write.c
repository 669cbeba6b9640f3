/* cert_write.c -- write a lumping as a JSON certificate (lumpnet-certificate) */
#include <stdlib.h>
#include "lumpnet/lump.h"
#include "cert_json.h"
#include "cert_json_i.h"

/* The writers below hand every value to its parent as soon as it is made
 * (lump_i_json_set_new and _append_new steal it), so that only the root
 * is left to free, whatever fails. */

/* One block into the object OBJ: members, scales, and for removed blocks
 * their fate (and the value of a constant). "fate" is omitted for KEEP,
 * the common case, which keeps certificates of large networks short. */
static lump_error_t block_members(json_t *obj, const lump_block_t *b, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    json_t *members = json_array(), *scales;
    size_t k;
    LUMP_CHECK(lump_i_json_set_new(obj, "members", members));
    for (k = 0; k < b->n_members; k++)
        LUMP_CHECK(lump_i_json_append_new(members, json_integer((json_int_t)b->members[k])));
    scales = json_array();
    LUMP_CHECK(lump_i_json_set_new(obj, "scales", scales));
    for (k = 0; k < b->n_members && k < b->scales.len; k++) {
        lump_arr_get(q, &b->scales, k);
        LUMP_CHECK(lump_i_json_append_new(scales, lump_i_json_from_q(q)));
    }
    if (b->fate == LUMP_FATE_CONSTANT) {
        LUMP_CHECK(lump_i_json_set_new(obj, "fate", json_string("constant")));
        LUMP_CHECK(lump_i_json_set_new(obj, "value", lump_i_json_from_q(b->value)));
    } else if (b->fate == LUMP_FATE_DEAD) {
        LUMP_CHECK(lump_i_json_set_new(obj, "fate", json_string("dead")));
    }
cleanup:
    return err;
}

/* lump_i_cert_lumping_members -- see cert_json_i.h. */
lump_error_t lump_i_cert_lumping_members(json_t *obj, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    json_t *layers;
    mpq_t q; /* scratch for the scales, shared by all blocks */
    mpq_init(q);
    LUMP_CHECK(lump_i_json_set_new(
        obj, "mode", json_string(L->mode == LUMP_MODE_EXACT ? "exact" : "proportional")));
    LUMP_CHECK(lump_i_json_set_new(obj, "inputs", json_integer((json_int_t)L->n_inputs)));
    layers = json_array();
    LUMP_CHECK(lump_i_json_set_new(obj, "layers", layers));
    for (size_t i = 0; i < L->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        json_t *l = json_object(), *blocks = json_array();
        LUMP_CHECK(lump_i_json_append_new(layers, l));
        LUMP_CHECK(lump_i_json_set_new(l, "size", json_integer((json_int_t)ll->size)));
        LUMP_CHECK(lump_i_json_set_new(l, "blocks", blocks));
        for (size_t k = 0; k < ll->n_blocks; k++) {
            json_t *b = json_object();
            LUMP_CHECK(lump_i_json_append_new(blocks, b));
            LUMP_CHECK(block_members(b, &ll->blocks[k], q));
        }
    }
cleanup:
    mpq_clear(q);
    return err;
}

/* lump_i_cert_lumping_write -- see cert_json_i.h. */
lump_error_t lump_i_cert_lumping_write(FILE *f, const lump_lumping_t *L, const char *format,
                                       int version)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object();
    LUMP_CHECK(lump_i_json_set_header(root, format, version));
    LUMP_CHECK(lump_i_cert_lumping_members(root, L));
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(root);
    return err;
}

/* lump_cert_write -- write L to F as a certificate (docs/certificates.md):
 * keys in the fixed order format, version, mode, inputs, layers; per layer
 * size and blocks in L's order; per block members, scales, and fate and
 * value only for removed blocks; every rational as its canonical
 * lump_rat_str text. The same lumping always gives the same bytes, and
 * lump_cert_read_buf reads them back to the same lumping. L is written as
 * it is, valid or not (the checker judges it).
 * Errors: LUMP_EIO when F refuses the bytes.
 * Complexity: O(neurons * digits^2), plus a document of that size. */
lump_error_t lump_cert_write(FILE *f, const lump_lumping_t *L)
{
    return lump_i_cert_lumping_write(f, L, "lumpnet-certificate", 1);
}
