/* quotient.c -- the quotient network of a lumping: one neuron per KEEP block */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "partition.h"
#include "alloc_i.h"
#include "net_i.h"

/* A[i] = D, writing floats in place while they fit, so that a float32
 * network stays float32 (lump_arr_set_d promotes the array otherwise). */
static lump_error_t put_d(lump_arr_t *a, size_t i, double d)
{
    if (a->store == LUMP_STORE_F32 && (double)(float)d == d) {
        ((float *)a->data)[i] = (float)d;
        return LUMP_OK;
    }
    if (a->store == LUMP_STORE_F64) {
        ((double *)a->data)[i] = d;
        return LUMP_OK;
    }
    return lump_arr_set_d(a, i, d);
}

/* Check that L has the shape of NET, so that indices below stay in range. */
static lump_error_t check_shape(const lump_net_t *net, const lump_lumping_t *L)
{
    if (L->n_layers != net->n_layers || L->n_inputs != net->n_inputs)
        return lump_error_set(LUMP_EINPUT,
                              "quotient: the lumping has %zu inputs and %zu layers, the network "
                              "%zu and %zu",
                              L->n_inputs, L->n_layers, net->n_inputs, net->n_layers);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        if (ll->size != net->layers[i].size)
            return lump_error_set(LUMP_EINPUT,
                                  "quotient: layer %zu has %zu neurons in the lumping, %zu in "
                                  "the network",
                                  i + 1, ll->size, net->layers[i].size);
        if (lump_layer_lumping_kept(ll) == 0)
            return lump_error_set(LUMP_EINPUT, "quotient: layer %zu keeps no block", i + 1);
        for (size_t k = 0; k < ll->n_blocks; k++) {
            const lump_block_t *b = &ll->blocks[k];
            if (b->n_members == 0 || b->scales.len != b->n_members)
                return lump_error_set(LUMP_EINPUT, "quotient: layer %zu block %zu is malformed",
                                      i + 1, k);
            for (size_t j = 0; j < b->n_members; j++)
                if (b->members[j] >= ll->size)
                    return lump_error_set(LUMP_EINPUT,
                                          "quotient: layer %zu block %zu: neuron %zu out of range",
                                          i + 1, k, b->members[j]);
        }
    }
    return LUMP_OK;
}

/* Layer QL of the quotient from layer LR of the network, its lumping LL
 * and the side S of the previous layer (its KEEP blocks and constants). */
static lump_error_t quotient_layer(lump_layer_t *ql, const lump_layer_t *lr,
                                   const lump_layer_lumping_t *ll, const lump_i_side_t *s)
{
    lump_error_t err = LUMP_OK;
    size_t j = 0, nb = s->nb;
    const lump_act_t *a0 = NULL;
    int uniform = 1;
    mpq_t x, t;
    mpq_inits(x, t, NULL);
    LUMP_CHECK(lump_arr_alloc(&ql->weight, lr->weight.store, ql->size * nb));
    LUMP_CHECK(lump_arr_alloc(&ql->bias, lr->bias.store, ql->size));
    ql->in_size = nb;
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        size_t r = b->members[0];
        const lump_act_t *a = lump_layer_act(lr, r);
        double d;
        if (b->fate != LUMP_FATE_KEEP)
            continue;
        if (a0 == NULL)
            a0 = a;
        else if (!lump_act_equal(a, a0))
            uniform = 0;
        if (lump_i_beff_d(&d, s, lr, r)) {
            LUMP_CHECK(put_d(&ql->bias, j, d));
        } else {
            lump_i_beff_q(x, t, s, lr, r);
            LUMP_CHECK(lump_arr_set(&ql->bias, j, x));
        }
        for (size_t c = 0; c < nb; c++) {
            if (lump_i_sum_d(&d, s, lr, r, c)) {
                LUMP_CHECK(put_d(&ql->weight, j * nb + c, d));
            } else {
                lump_i_sum_q(x, t, s, lr, r, c);
                LUMP_CHECK(lump_arr_set(&ql->weight, j * nb + c, x));
            }
        }
        j++;
    }
    lump_act_set(&ql->act, a0);
    if (!uniform) {
        j = 0;
        for (size_t k = 0; k < ll->n_blocks; k++)
            if (ll->blocks[k].fate == LUMP_FATE_KEEP)
                LUMP_CHECK(lump_layer_set_neuron_act(ql, j++,
                                                     lump_layer_act(lr, ll->blocks[k].members[0])));
    }
cleanup:
    mpq_clears(x, t, NULL);
    return err;
}

/* lump_quotient -- see lump.h. Each KEEP block B of layer i with
 * representative r becomes one neuron with r's activation, bias
 * b_eff_r = b_r + sum over CONSTANT u of w(u,r) value(u), and weight
 * W'(C,B) = sum_{u in C} c_u w(u,r) from each KEEP block C of layer i-1
 * (each input for layer 1). Sums are exact: in double where provably
 * exact, else in mpq; values are stored in NET's storage when they fit it
 * (a trivial lumping of a float32 network gives the same float32 network),
 * the array being promoted otherwise. An output map is taken from the
 * representative of each output block. Q may not alias NET.
 * Errors: LUMP_EINPUT when L does not fit NET.
 * Time complexity: O(m) for m weights (each weight of a representative's
 * row is read once), O(m) rational operations in the worst case. */
lump_error_t lump_quotient(lump_net_t *q, const lump_net_t *net, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_net_t b;
    lump_i_side_t s;
    size_t *sizes = NULL;
    size_t nout;
    lump_net_init(&b);
    lump_i_side_init(&s);
    LUMP_CHECK(lump_net_validate(net, "quotient"));
    LUMP_CHECK(check_shape(net, L));
    sizes = lump_alloc_array(net->n_layers, sizeof *sizes);
    for (size_t i = 0; i < net->n_layers; i++)
        sizes[i] = lump_layer_lumping_kept(&L->layers[i]);
    /* the weights are reallocated per layer, in the network's storage */
    LUMP_CHECK(lump_net_setup(&b, net->n_inputs, net->n_layers, sizes, LUMP_STORE_F32));
    lump_i_side_trivial(&s, net->n_inputs);
    for (size_t i = 0; i < net->n_layers; i++) {
        LUMP_CHECK(quotient_layer(&b.layers[i], &net->layers[i], &L->layers[i], &s));
        lump_i_side_from(&s, &L->layers[i], 0);
    }
    /* the output map follows the kept output blocks, below */
    LUMP_CHECK(lump_net_copy_maps(&b, net, 0));
    nout = 0;
    if (net->has_outmap) {
        const lump_layer_lumping_t *lo = &L->layers[net->n_layers - 1];
        LUMP_CHECK(lump_net_alloc_outmap(&b));
        for (size_t k = 0; k < lo->n_blocks; k++) {
            size_t r = lo->blocks[k].members[0];
            if (lo->blocks[k].fate != LUMP_FATE_KEEP)
                continue;
            mpq_set(b.out_scale[nout], net->out_scale[r]);
            mpq_set(b.out_shift[nout], net->out_shift[r]);
            nout++;
        }
    }
    lump_i_net_move(q, &b);
cleanup:
    free(sizes);
    lump_i_side_clear(&s);
    lump_net_clear(&b);
    return err;
}
