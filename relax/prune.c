/* prune.c -- the magnitude-pruning baseline: drop the hidden neurons of
 * smallest ||incoming|| * ||outgoing||, without retraining */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/relax.h"
#include "relax_lump.h"
#include "alloc_i.h"
#include "sort_i.h"

/* A hidden neuron that may be dropped: its layer and index. */
typedef struct {
    size_t layer, v;
} cand_t;

static double sq(const lump_arr_t *a, size_t i)
{
    double x = a->store == LUMP_STORE_F32   ? ((const float *)a->data)[i]
               : a->store == LUMP_STORE_F64 ? ((const double *)a->data)[i]
                                            : lump_arr_get_d(a, i);
    return x * x;
}

/* DST[di] = SRC[si], exactly, in DST's storage (DST has SRC's storage). */
static lump_error_t copy_entry(lump_arr_t *dst, size_t di, const lump_arr_t *src, size_t si,
                               mpq_t t)
{
    switch (src->store) {
    case LUMP_STORE_F32:
        ((float *)dst->data)[di] = ((const float *)src->data)[si];
        return LUMP_OK;
    case LUMP_STORE_F64:
        ((double *)dst->data)[di] = ((const double *)src->data)[si];
        return LUMP_OK;
    default:
        lump_arr_get(t, src, si);
        return lump_arr_set(dst, di, t);
    }
}

/* The parameters (weights plus biases) of NET with LEFT[i] neurons in
 * hidden layer i. O(layers). */
static size_t params_left(const lump_net_t *net, const size_t *left)
{
    size_t p = 0, prev = net->n_inputs, L = net->n_layers;
    for (size_t i = 0; i < L; i++) {
        size_t n = i + 1 < L ? left[i] : net->layers[i].size;
        p += (prev + 1) * n;
        prev = n;
    }
    return p;
}

/* L = the pairing of NET with its pruned copy: every kept neuron a KEEP
 * block of its own (scale 1), every dropped one a CONSTANT block of value
 * 0 (the pruned network acts as if it were 0), in neuron order. Not a
 * lumping in the exact sense; lump_bound_diff_lumped only needs a pairing,
 * and any pairing is sound. O(neurons). Layer I of it, for
 * lump_i_relax_lumping. */
typedef struct {
    const lump_net_t *net;
    unsigned char *const *drop; /* per hidden layer and neuron: pruned */
} pairing_t;

static lump_error_t pairing_layer(lump_layer_lumping_t *ll, const void *ctx, size_t i)
{
    const pairing_t *pa = ctx;
    size_t n = pa->net->layers[i].size;
    lump_error_t err = lump_layer_lumping_alloc(ll, n, n);
    for (size_t v = 0; err == LUMP_OK && v < n; v++) {
        lump_block_t *B = &ll->blocks[v];
        B->members = lump_alloc(sizeof *B->members);
        B->members[0] = v;
        B->n_members = 1;
        err = lump_arr_alloc(&B->scales, LUMP_STORE_F64, 1);
        if (err == LUMP_OK)
            err = lump_arr_set_d(&B->scales, 0, 1.0);
        if (i + 1 < pa->net->n_layers && pa->drop[i][v])
            B->fate = LUMP_FATE_CONSTANT; /* value 0 from lump_block_init */
    }
    return err;
}

/* lump_prune_magnitude -- see relax.h. The score of hidden neuron v of
 * layer i is ||w_in(v)||_2 * ||w_out(v)||_2 (its row of incoming weights,
 * bias excluded, and its column of outgoing weights), the usual
 * magnitude criterion (Han et al., "Learning both weights and connections
 * for efficient neural networks", NIPS 2015, applied to whole neurons).
 * Neurons are dropped in increasing score order (ties by layer, then
 * index), skipping the last neuron of a layer, until KEEP_NEURONS hidden
 * neurons remain; the rest of the network is copied exactly. When
 * KEEP_NEURONS is below the number of hidden layers, one neuron per layer
 * stays. Output neurons are never dropped. G may not alias NET.
 * With MAX_PARAMS, dropping goes on while more than MAX_PARAMS parameters
 * remain as well. Time: O(m + n log n + n L). */
static lump_error_t prune(lump_net_t *g, lump_lumping_t *pairing, const lump_net_t *net,
                          size_t keep_neurons, size_t max_params)
{
    lump_error_t err = LUMP_OK;
    size_t L = net->n_layers, nh = 0, nc = 0, hidden;
    cand_t *cand = NULL;
    lump_i_keyed_t *order = NULL; /* the scores, each with its candidate */
    unsigned char **drop = NULL;
    size_t *left = NULL, *sizes = NULL;
    lump_net_t b;
    mpq_t t;
    mpq_init(t);
    lump_net_init(&b);
    LUMP_CHECK(lump_net_validate(net, "prune"));
    for (size_t i = 0; i + 1 < L; i++)
        nh += net->layers[i].size;
    cand = lump_alloc_array(nh + 1, sizeof *cand);
    order = lump_alloc_array(nh + 1, sizeof *order);
    drop = lump_alloc_zero(L + 1, sizeof *drop);
    left = lump_alloc_zero(L + 1, sizeof *left);
    sizes = lump_alloc_zero(L + 1, sizeof *sizes);
    for (size_t i = 0; i + 1 < L; i++) {
        const lump_layer_t *l = &net->layers[i], *nx = &net->layers[i + 1];
        drop[i] = lump_alloc_zero(l->size + 1, 1);
        left[i] = l->size;
        for (size_t v = 0; v < l->size; v++) {
            double in = 0, out = 0;
            for (size_t u = 0; u < l->in_size; u++)
                in += sq(&l->weight, v * l->in_size + u);
            for (size_t w = 0; w < nx->size; w++)
                out += sq(&nx->weight, w * nx->in_size + v);
            order[nc].key = lump_i_key_of_double(sqrt(in) * sqrt(out));
            order[nc].v = nc;
            cand[nc].layer = i;
            cand[nc++].v = v;
        }
    }
    /* smallest score first; ties by the candidate's index, which is by
     * layer, then neuron (deterministic) */
    lump_i_keyed_sort(order, nc);
    hidden = nh;
    for (size_t k = 0; k < nc && (hidden > keep_neurons || params_left(net, left) > max_params);
         k++) {
        const cand_t *c = &cand[order[k].v];
        if (left[c->layer] <= 1)
            continue;
        drop[c->layer][c->v] = 1;
        left[c->layer]--;
        hidden--;
    }
    for (size_t i = 0; i < L; i++)
        sizes[i] = i + 1 < L ? left[i] : net->layers[i].size;
    LUMP_CHECK(lump_net_setup(&b, net->n_inputs, L, sizes, LUMP_STORE_F32));
    for (size_t i = 0; i < L; i++) {
        const lump_layer_t *l = &net->layers[i];
        lump_layer_t *o = &b.layers[i];
        const unsigned char *din = i > 0 ? drop[i - 1] : NULL, *dme = drop[i];
        size_t r = 0;
        LUMP_CHECK(lump_arr_alloc(&o->weight, l->weight.store, o->size * o->in_size));
        LUMP_CHECK(lump_arr_alloc(&o->bias, l->bias.store, o->size));
        lump_act_set(&o->act, &l->act);
        for (size_t v = 0; v < l->size; v++) {
            size_t c = 0;
            if (dme != NULL && dme[v])
                continue;
            for (size_t u = 0; u < l->in_size; u++) {
                if (din != NULL && din[u])
                    continue;
                LUMP_CHECK(
                    copy_entry(&o->weight, r * o->in_size + c, &l->weight, v * l->in_size + u, t));
                c++;
            }
            LUMP_CHECK(copy_entry(&o->bias, r, &l->bias, v, t));
            if (l->neuron_act != NULL)
                LUMP_CHECK(lump_layer_set_neuron_act(o, r, &l->neuron_act[v]));
            r++;
        }
    }
    /* outputs are never merged or dropped: the same order */
    LUMP_CHECK(lump_net_copy_maps(&b, net, 1));
    if (pairing != NULL) {
        const pairing_t pa = {net, drop};
        LUMP_CHECK(lump_i_relax_lumping(pairing, net, pairing_layer, &pa, "prune"));
    }
    lump_net_clear(g);
    *g = b;
    lump_net_init(&b);
cleanup:
    for (size_t i = 0; drop != NULL && i < L; i++)
        free(drop[i]);
    LUMP_FREE_ALL(drop, cand, order, left, sizes);
    lump_net_clear(&b);
    mpq_clear(t);
    return err;
}

/* lump_prune_magnitude -- see relax.h and prune() above. */
lump_error_t lump_prune_magnitude(lump_net_t *g, lump_lumping_t *pairing, const lump_net_t *net,
                                  size_t keep_neurons)
{
    return prune(g, pairing, net, keep_neurons, (size_t)-1);
}

/* lump_prune_magnitude_params -- see relax.h: the same order, until at
 * most MAX_PARAMS parameters remain. Time: O(m + n log n + n L). */
lump_error_t lump_prune_magnitude_params(lump_net_t *g, lump_lumping_t *pairing,
                                         const lump_net_t *net, size_t max_params)
{
    return prune(g, pairing, net, (size_t)-1, max_params);
}
