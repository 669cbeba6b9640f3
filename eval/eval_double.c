/* eval_double.c -- evaluation of a network in double precision (fast path) */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/error.h"
#include "lumpnet/eval.h"
#include "lumpnet/rat.h"
#include "act_i.h"
#include "alloc_i.h"

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
 * Errors: LUMP_EINPUT when the layer sizes do not chain.
 * Time complexity: O(m + n) flops for m weights and n neurons. */
static lump_error_t eval_d(double *out, const lump_net_t *net, const double *in, int strict);

lump_error_t lump_eval_double(double *out, const lump_net_t *net, const double *in)
{
    return eval_d(out, net, in, 0);
}

/* lump_eval_double_strict -- see eval.h. */
lump_error_t lump_eval_double_strict(double *out, const lump_net_t *net, const double *in)
{
    return eval_d(out, net, in, 1);
}

/* Overflow in the double evaluation: value V at WHAT K is not finite.
 * The caller says what to do instead (the CLI names its flags). */
static lump_error_t overflowed(double v, const char *what, size_t k)
{
    return lump_error_set(LUMP_EUNSUPPORTED, "the double evaluation overflowed (%s %zu is %g)",
                          what, k, v);
}

static lump_error_t eval_d(double *out, const lump_net_t *net, const double *in, int strict)
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
    x = lump_alloc_array(cap > 0 ? cap : 1, sizeof *x);
    y = lump_alloc_array(cap > 0 ? cap : 1, sizeof *y);
    for (size_t i = 0; i < net->n_inputs; i++) {
        double v = in[i];
        if (net->has_clip) {
            double lo = lump_rat_get_d(net->clip_lo[i]), hi = lump_rat_get_d(net->clip_hi[i]);
            v = v < lo ? lo : (v > hi ? hi : v);
        }
        if (net->has_norm)
            v = (v - lump_rat_get_d(net->norm_mean[i])) / lump_rat_get_d(net->norm_range[i]);
        if (strict && !isfinite(v)) {
            err = overflowed(v, "input", i + 1);
            goto cleanup;
        }
        x[i] = v;
    }
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        double *t;
        affine(y, L, x);
        for (size_t v = 0; v < L->size; v++) {
            /* z first: relu(-inf) = 0 and sigmoid(inf) = 1 would hide it */
            if (strict && !isfinite(y[v])) {
                char what[64];
                snprintf(what, sizeof what, "layer %zu, pre-activation of neuron", i + 1);
                err = overflowed(y[v], what, v + 1);
                goto cleanup;
            }
            y[v] = lump_act_eval_d(lump_layer_act(L, v), y[v]);
        }
        t = x; /* this layer's values feed the next */
        x = y;
        y = t;
    }
    for (size_t j = 0; j < nout; j++) {
        double v = x[j];
        if (net->has_outmap)
            v = v * lump_rat_get_d(net->out_scale[j]) + lump_rat_get_d(net->out_shift[j]);
        if (strict && !isfinite(v)) {
            err = overflowed(v, "output", j + 1);
            goto cleanup;
        }
        out[j] = v;
    }
cleanup:
    free(x);
    free(y);
    return err;
}

/* Q's magnitude in a short decimal form ("1e+400"), in BUF. MPFR's
 * exponent range is wide enough for any rational a file can hold. */
static const char *magnitude(char *buf, size_t n, const mpq_t q)
{
    mpfr_t t;
    mpfr_init2(t, 24);
    mpfr_set_q(t, q, MPFR_RNDN);
    mpfr_snprintf(buf, n, "%.3Rg", t);
    mpfr_clear(t);
    return buf;
}

/* 1 when Q becomes a double without overflow or underflow: its nearest
 * double is finite, and normal unless Q is 0. Ordinary rounding (0.1) is
 * what double evaluation means and passes. */
static int fits_double(const mpq_t q)
{
    double d = lump_rat_get_d(q);
    return isfinite(d) && (mpq_sgn(q) == 0 || fabs(d) >= DBL_MIN);
}

static lump_error_t out_of_range(const mpq_t q, const char *what)
{
    char buf[64];
    double d = lump_rat_get_d(q);
    return lump_error_set(LUMP_EUNSUPPORTED, "%s is %s, which %s in double precision", what,
                          magnitude(buf, sizeof buf, q), isfinite(d) ? "underflows" : "overflows");
}

/* lump_eval_double_range -- see eval.h. */
lump_error_t lump_eval_double_range(const lump_net_t *net)
{
    lump_error_t err = LUMP_OK;
    char what[128];
    mpq_t q;
    mpq_init(q);
    for (size_t i = 0; i < net->n_inputs; i++) {
        const mpq_t *v[4] = {NULL, NULL, NULL, NULL};
        const char *name[4] = {"clip lower bound", "clip upper bound", "normalisation mean",
                               "normalisation range"};
        if (net->has_clip) {
            v[0] = &net->clip_lo[i];
            v[1] = &net->clip_hi[i];
        }
        if (net->has_norm) {
            v[2] = &net->norm_mean[i];
            v[3] = &net->norm_range[i];
        }
        for (int k = 0; k < 4; k++)
            if (v[k] != NULL && !fits_double(*v[k])) {
                snprintf(what, sizeof what, "input %zu: the %s", i + 1, name[k]);
                err = out_of_range(*v[k], what);
                goto cleanup;
            }
    }
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        if (L->weight.store == LUMP_STORE_Q)
            for (size_t e = 0; e < L->size * L->in_size; e++) {
                lump_arr_get(q, &L->weight, e);
                if (!fits_double(q)) {
                    snprintf(what, sizeof what, "layer %zu, neuron %zu: the weight from %zu", i + 1,
                             e / L->in_size + 1, e % L->in_size + 1);
                    err = out_of_range(q, what);
                    goto cleanup;
                }
            }
        if (L->bias.store == LUMP_STORE_Q)
            for (size_t v = 0; v < L->size; v++) {
                lump_arr_get(q, &L->bias, v);
                if (!fits_double(q)) {
                    snprintf(what, sizeof what, "layer %zu, neuron %zu: the bias", i + 1, v + 1);
                    err = out_of_range(q, what);
                    goto cleanup;
                }
            }
        for (size_t v = 0; v < L->size; v++) {
            const lump_act_t *a = lump_layer_act(L, v);
            if (lump_i_act_of(a)->has_alpha && !fits_double(a->alpha)) {
                snprintf(what, sizeof what, "layer %zu, neuron %zu: the leaky relu slope", i + 1,
                         v + 1);
                err = out_of_range(a->alpha, what);
                goto cleanup;
            }
        }
    }
    for (size_t j = 0; net->has_outmap && j < lump_net_n_outputs(net); j++) {
        const mpq_t *v[2] = {&net->out_scale[j], &net->out_shift[j]};
        for (int k = 0; k < 2; k++)
            if (!fits_double(*v[k])) {
                snprintf(what, sizeof what, "output %zu: the output %s", j + 1,
                         k ? "shift" : "scale");
                err = out_of_range(*v[k], what);
                goto cleanup;
            }
    }
cleanup:
    mpq_clear(q);
    return err;
}

/* lump_eval_double_input_range -- see eval.h. */
lump_error_t lump_eval_double_input_range(const mpq_t *in, size_t n)
{
    char what[64];
    for (size_t i = 0; i < n; i++)
        if (!fits_double(in[i])) {
            snprintf(what, sizeof what, "input value %zu", i + 1);
            return out_of_range(in[i], what);
        }
    return LUMP_OK;
}
