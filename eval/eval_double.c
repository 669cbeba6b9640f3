/* eval_double.c -- evaluation of a network in double precision (fast path) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/eval.h"
#include "lumpnet/rat.h"

/* Y[v] = sum_u W[v, u] X[u] + B[v] for the rows of LAYER. The weight array
 * is read by its storage kind so that the F32 and F64 loops stay tight. */
static void affine(double *y, const lump_layer_t *L, const double *x)
{
    const size_t n = L->in_size;
    for (size_t v = 0; v < L->size; v++) {
        double z = lump_arr_get_d(&L->bias, v);
        if (L->weight.store == LUMP_STORE_F32) {
            const float *w = (const float *)L->weight.data + v * n;
            for (size_t u = 0; u < n; u++)
                z += (double)w[u] * x[u];
        } else if (L->weight.store == LUMP_STORE_F64) {
            const double *w = (const double *)L->weight.data + v * n;
            for (size_t u = 0; u < n; u++)
                z += w[u] * x[u];
        } else {
            for (size_t u = 0; u < n; u++)
                z += lump_arr_get_d(&L->weight, v * n + u) * x[u];
        }
        y[v] = z;
    }
}

/* lump_eval_double -- OUT[j] ~ f_j(IN) in binary64 (see eval.h): clip,
 * normalise, the layers, the output map, each operation rounded to
 * nearest. No error bound; lump_eval_mpfr gives one. OUT may alias IN.
 * Errors: LUMP_EINPUT when the layer sizes do not chain; LUMP_ENOMEM.
 * Time complexity: O(m + n) flops for m weights and n neurons. */
lump_error_t lump_eval_double(double *out, const lump_net_t *net, const double *in)
{
    lump_error_t err = LUMP_OK;
    size_t cap = net->n_inputs, prev = net->n_inputs;
    size_t nout = lump_net_n_outputs(net);
    double *x = NULL, *y = NULL;
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        if (L->in_size != prev) {
            err = lump_error_set(LUMP_EINPUT, "layer %zu: takes %zu inputs but receives %zu", i + 1,
                                 L->in_size, prev);
            goto cleanup;
        }
        prev = L->size;
        if (L->size > cap)
            cap = L->size;
    }
    x = malloc((cap > 0 ? cap : 1) * sizeof *x);
    y = malloc((cap > 0 ? cap : 1) * sizeof *y);
    if (x == NULL || y == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "double evaluation: out of memory for %zu values", cap);
        goto cleanup;
    }
    for (size_t i = 0; i < net->n_inputs; i++) {
        double v = in[i];
        if (net->has_clip) {
            double lo = lump_rat_get_d(net->clip_lo[i]), hi = lump_rat_get_d(net->clip_hi[i]);
            v = v < lo ? lo : (v > hi ? hi : v);
        }
        if (net->has_norm)
            v = (v - lump_rat_get_d(net->norm_mean[i])) / lump_rat_get_d(net->norm_range[i]);
        x[i] = v;
    }
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        double *t;
        affine(y, L, x);
        for (size_t v = 0; v < L->size; v++)
            y[v] = lump_act_eval_d(lump_layer_act(L, v), y[v]);
        t = x; /* this layer's values feed the next */
        x = y;
        y = t;
    }
    for (size_t j = 0; j < nout; j++) {
        double v = x[j];
        if (net->has_outmap)
            v = v * lump_rat_get_d(net->out_scale[j]) + lump_rat_get_d(net->out_shift[j]);
        out[j] = v;
    }
cleanup:
    free(x);
    free(y);
    return err;
}
