/* union.c -- two networks side by side on shared inputs, maps folded in */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "act_i.h"
#include "alloc_i.h"
#include "net_i.h"

/* Why fold instead of keeping the maps: the union is lumped as one network,
 * and a lumping only sees weights and biases. Normalisation and output map
 * are affine, so they fold exactly into the first and last weights; the
 * input clip is not affine but acts on the shared inputs, so it can be kept
 * only when both networks clip alike. */

/* The storage that holds values of both S and T without conversion: the
 * wider of the two (F32 < F64 < Q). */
static lump_store_t wider(lump_store_t s, lump_store_t t)
{
    if (s == LUMP_STORE_Q || t == LUMP_STORE_Q)
        return LUMP_STORE_Q;
    if (s == LUMP_STORE_F64 || t == LUMP_STORE_F64)
        return LUMP_STORE_F64;
    return LUMP_STORE_F32;
}

/* 1 when every neuron of LAYER is an identity neuron. */
static int layer_is_identity(const lump_layer_t *layer)
{
    for (size_t v = 0; v < layer->size; v++) {
        if (!lump_i_act_of(lump_layer_act(layer, v))->linear)
            return 0;
        if (layer->neuron_act == NULL)
            break;
    }
    return 1;
}

/* 1 when the output map of NET cannot be folded into its last layer. */
static int needs_map_layer(const lump_net_t *net)
{
    return net->has_outmap && !layer_is_identity(&net->layers[net->n_layers - 1]);
}

static int same_clip(const lump_net_t *a, const lump_net_t *b)
{
    if (a->has_clip != b->has_clip)
        return 0;
    for (size_t i = 0; a->has_clip && i < a->n_inputs; i++)
        if (!mpq_equal(a->clip_lo[i], b->clip_lo[i]) || !mpq_equal(a->clip_hi[i], b->clip_hi[i]))
            return 0;
    return 1;
}

/* DST[k] = SRC[i], exactly; zero entries are skipped (DST starts at 0). */
static lump_error_t copy_entry(lump_arr_t *dst, size_t k, const lump_arr_t *src, size_t i, mpq_t t)
{
    if (lump_arr_sgn(src, i) == 0)
        return LUMP_OK;
    if (src->store == LUMP_STORE_F32)
        return lump_arr_set_d(dst, k, (double)((const float *)src->data)[i]);
    if (src->store == LUMP_STORE_F64)
        return lump_arr_set_d(dst, k, ((const double *)src->data)[i]);
    lump_arr_get(t, src, i);
    return lump_arr_set(dst, k, t);
}

/* Give neurons [off, off + n) of union layer UL the activations of X. */
static lump_error_t copy_acts(lump_layer_t *ul, size_t off, const lump_layer_t *x)
{
    lump_error_t err = LUMP_OK;
    for (size_t v = 0; v < x->size; v++)
        LUMP_CHECK(lump_layer_set_neuron_act(ul, off + v, lump_layer_act(x, v)));
cleanup:
    return err;
}

/* Place layer I of X into union layer UL at rows R0.., columns C0.., with
 * X's normalisation folded in when I = 0 and its output map folded in when
 * FOLD_OUT (I is then X's last layer, an identity layer). */
static lump_error_t place_layer(lump_layer_t *ul, const lump_net_t *x, size_t i, size_t r0,
                                size_t c0, int fold_out)
{
    lump_error_t err = LUMP_OK;
    const lump_layer_t *xl = &x->layers[i];
    const int fold_norm = i == 0 && x->has_norm;
    const size_t n = xl->in_size, un = ul->in_size;
    mpq_t w, b, t;
    mpq_inits(w, b, t, NULL);
    if (!fold_norm && !fold_out) {
        for (size_t v = 0; v < xl->size; v++) {
            for (size_t u = 0; u < n; u++)
                LUMP_CHECK(
                    copy_entry(&ul->weight, (r0 + v) * un + c0 + u, &xl->weight, v * n + u, t));
            LUMP_CHECK(copy_entry(&ul->bias, r0 + v, &xl->bias, v, t));
        }
        goto cleanup;
    }
    for (size_t v = 0; v < xl->size; v++) {
        lump_arr_get(b, &xl->bias, v);
        for (size_t u = 0; u < n; u++) {
            if (lump_arr_sgn(&xl->weight, v * n + u) == 0)
                continue;
            lump_arr_get(w, &xl->weight, v * n + u);
            if (fold_norm) {
                /* w (x - mean) / range = (w / range) x - w mean / range */
                mpq_div(w, w, x->norm_range[u]);
                mpq_mul(t, w, x->norm_mean[u]);
                mpq_sub(b, b, t);
            }
            if (fold_out)
                mpq_mul(w, w, x->out_scale[v]);
            LUMP_CHECK(lump_arr_set(&ul->weight, (r0 + v) * un + c0 + u, w));
        }
        if (fold_out) {
            mpq_mul(b, b, x->out_scale[v]);
            mpq_add(b, b, x->out_shift[v]);
        }
        LUMP_CHECK(lump_arr_set(&ul->bias, r0 + v, b));
    }
cleanup:
    mpq_clears(w, b, t, NULL);
    return err;
}

/* The extra identity layer: output j of X becomes s_j y_j + t_j (scale 1,
 * shift 0 when X has no output map). */
static lump_error_t place_map_layer(lump_layer_t *ul, const lump_net_t *x, size_t r0)
{
    lump_error_t err = LUMP_OK;
    const size_t nout = lump_net_n_outputs(x);
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    for (size_t j = 0; j < nout; j++) {
        LUMP_CHECK(lump_arr_set(&ul->weight, (r0 + j) * ul->in_size + r0 + j,
                                x->has_outmap ? x->out_scale[j] : one));
        if (x->has_outmap)
            LUMP_CHECK(lump_arr_set(&ul->bias, r0 + j, x->out_shift[j]));
    }
cleanup:
    mpq_clear(one);
    return err;
}

/* lump_net_union -- U = A and B side by side on shared inputs (lump.h).
 * Layer i of U is layer i of A (rows and columns first) then layer i of B,
 * with block-diagonal weights; the first layer reads the shared inputs.
 * Each network's normalisation is folded into its first layer
 * (w' = w / range, b' = b - sum_u w mean_u / range_u); output maps fold
 * into identity last layers (w' = s w, b' = s b + t), or, when either map
 * sits over a non-identity last layer, both maps go into one extra
 * identity layer. The common clip is kept. U may not alias A or B.
 * Errors: LUMP_EUNSUPPORTED naming the mismatch (inputs, outputs, depth,
 * clipping); LUMP_EINPUT when A or B is malformed.
 * Time complexity: O(m_A + m_B) rational operations, plus the zero-filled
 * off-diagonal blocks, O(sum_i (sA_i + sB_i)(sA_{i-1} + sB_{i-1})) memory. */
lump_error_t lump_net_union(lump_net_t *u, const lump_net_t *a, const lump_net_t *b)
{
    lump_error_t err = LUMP_OK;
    lump_net_t r;
    size_t *sizes = NULL, depth, nout;
    int map_layer;
    lump_store_t store = LUMP_STORE_F32;
    lump_require(u != NULL && a != NULL && b != NULL && u != a && u != b, "lump_net_union");
    lump_net_init(&r);
    LUMP_CHECK(lump_net_validate(a, "network A"));
    LUMP_CHECK(lump_net_validate(b, "network B"));
    if (a->n_inputs != b->n_inputs)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "the networks have different input counts (A: %zu, B: %zu)",
                              a->n_inputs, b->n_inputs);
    nout = lump_net_n_outputs(a);
    if (nout != lump_net_n_outputs(b))
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "the networks have different output counts (A: %zu, B: %zu)", nout,
                              lump_net_n_outputs(b));
    if (a->n_layers != b->n_layers)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "the networks have different depths (A: %zu layers, B: %zu); "
                              "their union cannot be lumped layer by layer",
                              a->n_layers, b->n_layers);
    if (!same_clip(a, b))
        return lump_error_set(LUMP_EUNSUPPORTED, "the networks clip their inputs differently");
    map_layer = needs_map_layer(a) || needs_map_layer(b);
    depth = a->n_layers + (map_layer ? 1 : 0);
    sizes = lump_alloc_array(depth, sizeof *sizes);
    for (size_t i = 0; i < a->n_layers; i++)
        sizes[i] = a->layers[i].size + b->layers[i].size;
    if (map_layer)
        sizes[depth - 1] = 2 * nout;
    for (size_t i = 0; i < a->n_layers; i++)
        store = wider(store, wider(wider(a->layers[i].weight.store, a->layers[i].bias.store),
                                   wider(b->layers[i].weight.store, b->layers[i].bias.store)));
    LUMP_CHECK(lump_net_setup(&r, a->n_inputs, depth, sizes, store));
    for (size_t i = 0; i < a->n_layers; i++) {
        lump_layer_t *ul = &r.layers[i];
        const lump_layer_t *al = &a->layers[i], *bl = &b->layers[i];
        const int last = i + 1 == a->n_layers;
        if (lump_layer_uniform_act(al) && lump_layer_uniform_act(bl) &&
            lump_act_equal(lump_layer_act(al, 0), lump_layer_act(bl, 0))) {
            lump_act_set(&ul->act, lump_layer_act(al, 0));
        } else {
            LUMP_CHECK(copy_acts(ul, 0, al));
            LUMP_CHECK(copy_acts(ul, al->size, bl));
        }
        LUMP_CHECK(place_layer(ul, a, i, 0, 0, last && !map_layer && a->has_outmap));
        LUMP_CHECK(place_layer(ul, b, i, al->size, i == 0 ? 0 : al->in_size,
                               last && !map_layer && b->has_outmap));
    }
    if (map_layer) {
        LUMP_CHECK(place_map_layer(&r.layers[depth - 1], a, 0));
        LUMP_CHECK(place_map_layer(&r.layers[depth - 1], b, nout));
    }
    if (a->has_clip) {
        LUMP_CHECK(lump_net_alloc_clip(&r));
        for (size_t i = 0; i < a->n_inputs; i++) {
            mpq_set(r.clip_lo[i], a->clip_lo[i]);
            mpq_set(r.clip_hi[i], a->clip_hi[i]);
        }
    }
    lump_i_net_move(u, &r);
cleanup:
    free(sizes);
    lump_net_clear(&r);
    return err;
}
