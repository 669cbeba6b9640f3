/* net.c -- the layered network: construction, copying, sizes, checks */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/net.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "net_i.h"

void lump_net_init(lump_net_t *net)
{
    memset(net, 0, sizeof *net);
}

/* lump_i_net_move -- see net_i.h. */
void lump_i_net_move(lump_net_t *dst, lump_net_t *src)
{
    lump_net_clear(dst);
    *dst = *src;
    lump_net_init(src);
}

/* lump_i_affine_init -- see net_i.h. */
void lump_i_affine_init(lump_arr_t *w, lump_arr_t *b, lump_act_t *a)
{
    lump_arr_init(w);
    lump_arr_init(b);
    lump_act_init(a);
}

/* lump_i_affine_clear -- see net_i.h. */
void lump_i_affine_clear(lump_arr_t *w, lump_arr_t *b, lump_act_t *a)
{
    lump_arr_clear(w);
    lump_arr_clear(b);
    lump_act_clear(a);
}

/* lump_i_sum_sizes -- see net_i.h. */
size_t lump_i_sum_sizes(const void *base, size_t n, size_t stride, size_t offset)
{
    size_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += *(const size_t *)((const char *)base + i * stride + offset);
    return sum;
}

void lump_layer_init(lump_layer_t *l)
{
    memset(l, 0, sizeof *l);
    lump_i_affine_init(&l->weight, &l->bias, &l->act);
}

void lump_layer_clear(lump_layer_t *l)
{
    lump_i_affine_clear(&l->weight, &l->bias, &l->act);
    if (l->neuron_act != NULL) {
        for (size_t v = 0; v < l->size; v++)
            lump_act_clear(&l->neuron_act[v]);
        free(l->neuron_act);
    }
    memset(l, 0, sizeof *l);
}

void lump_net_clear(lump_net_t *net)
{
    size_t nout = lump_net_n_outputs(net);
    for (size_t i = 0; i < net->n_layers; i++)
        lump_layer_clear(&net->layers[i]);
    free(net->layers);
    lump_rat_vec_free(net->clip_lo, net->n_inputs);
    lump_rat_vec_free(net->clip_hi, net->n_inputs);
    lump_rat_vec_free(net->norm_mean, net->n_inputs);
    lump_rat_vec_free(net->norm_range, net->n_inputs);
    lump_rat_vec_free(net->out_scale, nout);
    lump_rat_vec_free(net->out_shift, nout);
    lump_iface_free(net->iface);
    lump_net_init(net);
}

/* A vector of N rationals, each INIT. */
static mpq_t *alloc_q(size_t n, long init)
{
    mpq_t *v = lump_alloc_zero(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        mpq_init(v[i]);
        mpq_set_si(v[i], init, 1);
    }
    return v;
}

lump_error_t lump_net_setup(lump_net_t *net, size_t n_inputs, size_t n_layers, const size_t *sizes,
                            lump_store_t store)
{
    lump_error_t err = LUMP_OK;
    size_t prev = n_inputs, max = lump_arr_max_len();
    lump_net_clear(net);
    if (n_inputs == 0 || n_layers == 0)
        return lump_error_set(LUMP_EINPUT, "a network needs at least one input and one layer");
    /* check every size before allocating anything */
    for (size_t i = 0; i < n_layers; i++) {
        if (sizes[i] == 0)
            return lump_error_set(LUMP_EINPUT, "layer %zu is empty", i + 1);
        if (sizes[i] > max || prev > max / sizes[i])
            return lump_error_set(LUMP_ENOMEM,
                                  "layer %zu: %zu x %zu weights exceed the limit of %zu", i + 1,
                                  sizes[i], prev, max);
        prev = sizes[i];
    }
    net->layers = lump_alloc_zero(n_layers, sizeof *net->layers);
    net->n_inputs = n_inputs;
    net->n_layers = n_layers;
    prev = n_inputs;
    for (size_t i = 0; i < n_layers; i++) {
        lump_layer_t *l = &net->layers[i];
        lump_layer_init(l);
        l->size = sizes[i];
        l->in_size = prev;
        prev = sizes[i];
    }
    for (size_t i = 0; i < n_layers; i++) {
        lump_layer_t *l = &net->layers[i];
        LUMP_CHECK(lump_arr_alloc(&l->weight, store, l->size * l->in_size));
        LUMP_CHECK(lump_arr_alloc(&l->bias, store, l->size));
    }
cleanup:
    if (err)
        lump_net_clear(net);
    return err;
}

/* The pair of vectors (*A, *B) of N rationals each, the first all IA and
 * the second all IB, unless *HAVE says they are there already. The three
 * optional maps of a network (clip, normalisation, output map) are such
 * pairs. Allocation cannot fail (lump_alloc exits), hence no error. */
static void alloc_pair(int *have, mpq_t **a, long ia, mpq_t **b, long ib, size_t n)
{
    if (*have)
        return;
    *a = alloc_q(n, ia);
    *b = alloc_q(n, ib);
    *have = 1;
}

lump_error_t lump_net_alloc_clip(lump_net_t *net)
{
    alloc_pair(&net->has_clip, &net->clip_lo, 0, &net->clip_hi, 0, net->n_inputs);
    return LUMP_OK;
}

lump_error_t lump_net_alloc_norm(lump_net_t *net)
{
    alloc_pair(&net->has_norm, &net->norm_mean, 0, &net->norm_range, 1, net->n_inputs);
    return LUMP_OK;
}

lump_error_t lump_net_alloc_outmap(lump_net_t *net)
{
    alloc_pair(&net->has_outmap, &net->out_scale, 1, &net->out_shift, 0, lump_net_n_outputs(net));
    return LUMP_OK;
}

static void copy_q(mpq_t *dst, mpq_t *const src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpq_set(dst[i], src[i]);
}

lump_error_t lump_net_copy(lump_net_t *dst, const lump_net_t *src)
{
    lump_error_t err = LUMP_OK;
    lump_net_t b;
    size_t *sizes = NULL;
    lump_net_init(&b);
    sizes = lump_alloc_array(src->n_layers ? src->n_layers : 1, sizeof *sizes);
    for (size_t i = 0; i < src->n_layers; i++)
        sizes[i] = src->layers[i].size;
    LUMP_CHECK(lump_net_setup(&b, src->n_inputs, src->n_layers, sizes, LUMP_STORE_F32));
    for (size_t i = 0; i < src->n_layers; i++) {
        const lump_layer_t *s = &src->layers[i];
        lump_layer_t *d = &b.layers[i];
        LUMP_CHECK(lump_arr_copy(&d->weight, &s->weight));
        LUMP_CHECK(lump_arr_copy(&d->bias, &s->bias));
        lump_act_set(&d->act, &s->act);
        if (s->neuron_act != NULL)
            for (size_t v = 0; v < s->size; v++)
                LUMP_CHECK(lump_layer_set_neuron_act(d, v, &s->neuron_act[v]));
    }
    LUMP_CHECK(lump_net_copy_maps(&b, src, 1));
    lump_i_net_move(dst, &b);
cleanup:
    free(sizes);
    lump_net_clear(&b);
    return err;
}

/* lump_net_copy_maps -- see net.h. */
lump_error_t lump_net_copy_maps(lump_net_t *dst, const lump_net_t *src, int outmap)
{
    lump_error_t err = LUMP_OK;
    size_t nout = lump_net_n_outputs(src);
    if (dst != src && src->iface != NULL) {
        lump_iface_free(dst->iface);
        dst->iface = lump_iface_dup(src->iface);
    }
    if (src->has_clip) {
        LUMP_CHECK(lump_net_alloc_clip(dst));
        copy_q(dst->clip_lo, src->clip_lo, src->n_inputs);
        copy_q(dst->clip_hi, src->clip_hi, src->n_inputs);
    }
    if (src->has_norm) {
        LUMP_CHECK(lump_net_alloc_norm(dst));
        copy_q(dst->norm_mean, src->norm_mean, src->n_inputs);
        copy_q(dst->norm_range, src->norm_range, src->n_inputs);
    }
    if (outmap && src->has_outmap) {
        LUMP_CHECK(lump_net_alloc_outmap(dst));
        copy_q(dst->out_scale, src->out_scale, nout);
        copy_q(dst->out_shift, src->out_shift, nout);
    }
cleanup:
    return err;
}

size_t lump_net_n_outputs(const lump_net_t *net)
{
    return net->n_layers ? net->layers[net->n_layers - 1].size : 0;
}

size_t lump_net_neurons(const lump_net_t *net)
{
    return lump_i_sum_sizes(net->layers, net->n_layers, sizeof *net->layers,
                            offsetof(lump_layer_t, size));
}

size_t lump_net_params(const lump_net_t *net)
{
    size_t n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        n += net->layers[i].size * (net->layers[i].in_size + 1);
    return n;
}

/* 1 when the N values of V fit FIT (lump_rat_fits); NULL fits. */
static int rats_fit(const mpq_t *v, size_t n, lump_fit_t fit)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        if (!lump_rat_fits(v[i], fit))
            return 0;
    return 1;
}

int lump_net_fits(const lump_net_t *net, lump_fit_t fit)
{
    const size_t m = lump_net_n_outputs(net);
    for (size_t i = 0; i < net->n_layers; i++)
        if (!lump_arr_fits_type(&net->layers[i].weight, fit) ||
            !lump_arr_fits_type(&net->layers[i].bias, fit))
            return 0;
    return (!net->has_clip || (rats_fit(net->clip_lo, net->n_inputs, fit) &&
                               rats_fit(net->clip_hi, net->n_inputs, fit))) &&
           (!net->has_norm || (rats_fit(net->norm_mean, net->n_inputs, fit) &&
                               rats_fit(net->norm_range, net->n_inputs, fit))) &&
           (!net->has_outmap || (rats_fit(net->out_scale, m, fit) &&
                                 rats_fit(net->out_shift, m, fit)));
}

const lump_act_t *lump_layer_act(const lump_layer_t *layer, size_t v)
{
    return layer->neuron_act != NULL ? &layer->neuron_act[v] : &layer->act;
}

int lump_layer_uniform_act(const lump_layer_t *layer)
{
    if (layer->neuron_act == NULL)
        return 1;
    for (size_t v = 1; v < layer->size; v++)
        if (!lump_act_equal(&layer->neuron_act[v], &layer->neuron_act[0]))
            return 0;
    return 1;
}

lump_error_t lump_layer_set_neuron_act(lump_layer_t *layer, size_t v, const lump_act_t *a)
{
    lump_require(v < layer->size, "lump_layer_set_neuron_act");
    if (layer->neuron_act == NULL) {
        layer->neuron_act = lump_alloc_zero(layer->size, sizeof *layer->neuron_act);
        for (size_t k = 0; k < layer->size; k++) {
            lump_act_init(&layer->neuron_act[k]);
            lump_act_set(&layer->neuron_act[k], &layer->act);
        }
    }
    lump_act_set(&layer->neuron_act[v], a);
    return LUMP_OK;
}

int lump_net_is_pwl(const lump_net_t *net)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *l = &net->layers[i];
        if (l->neuron_act == NULL) {
            if (!lump_act_is_pwl(l->act.kind))
                return 0;
            continue;
        }
        for (size_t v = 0; v < l->size; v++)
            if (!lump_act_is_pwl(l->neuron_act[v].kind))
                return 0;
    }
    return 1;
}

lump_error_t lump_net_validate(const lump_net_t *net, const char *name)
{
    size_t prev = net->n_inputs, nout = lump_net_n_outputs(net);
    if (net->n_inputs == 0 || net->n_layers == 0)
        return lump_error_set(LUMP_EINPUT, "%s: the network has no %s", name,
                              net->n_inputs == 0 ? "inputs" : "layers");
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *l = &net->layers[i];
        if (l->in_size != prev || l->weight.len != l->size * l->in_size || l->bias.len != l->size)
            return lump_error_set(LUMP_EINPUT, "%s: layer %zu: sizes do not chain", name, i + 1);
        prev = l->size;
    }
    for (size_t j = 0; j < net->n_inputs; j++) {
        if (net->has_clip && mpq_cmp(net->clip_lo[j], net->clip_hi[j]) > 0)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: input %zu: clip lower bound exceeds upper bound", name, j);
        if (net->has_norm && mpq_sgn(net->norm_range[j]) == 0)
            return lump_error_set(LUMP_EINPUT, "%s: input %zu: normalisation range is 0", name, j);
    }
    for (size_t j = 0; net->has_outmap && j < nout; j++)
        if (mpq_sgn(net->out_scale[j]) == 0)
            return lump_error_set(LUMP_EINPUT, "%s: output %zu: output scale is 0", name, j);
    return LUMP_OK;
}
