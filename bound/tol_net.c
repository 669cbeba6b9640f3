/* tol_net.c -- a network in doubles for the tolerance finder's witness
 * search: forward pass and the input gradient of one output */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "act_i.h"
#include "bound_util.h"
#include "tol_search_i.h"

static double *q_vec(mpq_t *const q, size_t n)
{
    double *d = lump_alloc_array(n ? n : 1, sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = lump_rat_get_d(q[i]);
    return d;
}

/* lump_i_tnet_init -- see tol_search_i.h. */
void lump_i_tnet_init(lump_i_tnet_t *t, const lump_net_t *net)
{
    size_t k = 0;
    memset(t, 0, sizeof *t);
    t->net = net;
    t->w = lump_alloc_zero(net->n_layers + 1, sizeof *t->w);
    t->b = lump_alloc_zero(net->n_layers + 1, sizeof *t->b);
    t->width = net->n_inputs;
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        size_t nw = L->size * L->in_size;
        t->w[i] = lump_alloc_array(nw ? nw : 1, sizeof(double));
        t->b[i] = lump_alloc_array(L->size ? L->size : 1, sizeof(double));
        for (size_t m = 0; m < nw; m++)
            t->w[i][m] = lump_arr_get_d(&L->weight, m);
        for (size_t v = 0; v < L->size; v++)
            t->b[i][v] = lump_arr_get_d(&L->bias, v);
        t->neurons += L->size;
        if (L->size > t->width)
            t->width = L->size;
    }
    t->act = lump_alloc_array(t->neurons ? t->neurons : 1, sizeof *t->act);
    for (size_t i = 0; i < net->n_layers; i++)
        for (size_t v = 0; v < net->layers[i].size; v++)
            t->act[k++] = lump_layer_act(&net->layers[i], v);
    if (net->has_clip) {
        t->clo = q_vec(net->clip_lo, net->n_inputs);
        t->chi = q_vec(net->clip_hi, net->n_inputs);
    }
    if (net->has_norm) {
        t->mean = q_vec(net->norm_mean, net->n_inputs);
        t->range = q_vec(net->norm_range, net->n_inputs);
    }
    if (net->has_outmap) {
        t->oscale = q_vec(net->out_scale, lump_net_n_outputs(net));
        t->oshift = q_vec(net->out_shift, lump_net_n_outputs(net));
    }
}

/* lump_i_tnet_clear -- see tol_search_i.h. */
void lump_i_tnet_clear(lump_i_tnet_t *t)
{
    if (t->w != NULL)
        for (size_t i = 0; i < t->net->n_layers; i++) {
            free(t->w[i]);
            free(t->b[i]);
        }
    LUMP_FREE_ALL(t->w, t->b, t->act, t->clo, t->chi, t->mean, t->range, t->oscale, t->oshift);
    memset(t, 0, sizeof *t);
}

/* lump_i_tnet_scratch -- see tol_search_i.h: the inputs, every neuron's
 * pre-activation and derivative, two vectors of the widest layer. */
size_t lump_i_tnet_scratch(const lump_i_tnet_t *t)
{
    return t->net->n_inputs * 2 + t->neurons * 2 + t->width * 2 + 1;
}

/* the forward pass; D[k] = the derivative of neuron k's activation, IN the
 * preprocessed input, DIN its derivative by x; returns the output layer's
 * values (before the output map) in a scratch vector */
static const double *forward(const lump_i_tnet_t *t, const double *x, double *s, double **d_out,
                             double **din_out)
{
    const lump_net_t *net = t->net;
    size_t n = net->n_inputs, k = 0;
    double *in = s, *din = s + n, *d = s + 2 * n, *y = d + t->neurons, *z = y + t->width;
    for (size_t i = 0; i < n; i++) {
        double v = x[i], dv = 1;
        if (t->clo != NULL && (v < t->clo[i] || v > t->chi[i])) {
            v = v < t->clo[i] ? t->clo[i] : t->chi[i];
            dv = 0;
        }
        if (t->mean != NULL) {
            v = (v - t->mean[i]) / t->range[i];
            dv /= t->range[i];
        }
        in[i] = v;
        din[i] = dv;
    }
    memcpy(y, in, n * sizeof *y);
    for (size_t li = 0; li < net->n_layers; li++) {
        const lump_layer_t *L = &net->layers[li];
        for (size_t v = 0; v < L->size; v++) {
            const double acc = lump_i_dot_d(t->b[li][v], t->w[li] + v * L->in_size, y, L->in_size);
            z[v] = lump_i_act_grad_d(t->act[k], acc, &d[k]);
            k++;
        }
        memcpy(y, z, L->size * sizeof *y);
    }
    *d_out = d;
    *din_out = din;
    return y;
}

/* lump_i_tnet_eval -- see tol_search_i.h. */
void lump_i_tnet_eval(const lump_i_tnet_t *t, const double *x, double *out, double *scratch)
{
    double *d, *din;
    const double *y = forward(t, x, scratch, &d, &din);
    size_t no = lump_net_n_outputs(t->net);
    for (size_t j = 0; j < no; j++)
        out[j] = t->oscale != NULL ? y[j] * t->oscale[j] + t->oshift[j] : y[j];
}

/* lump_i_tnet_grad -- see tol_search_i.h: back-propagation of e_j through
 * the activation pattern of the forward pass. */
double lump_i_tnet_grad(const lump_i_tnet_t *t, const double *x, size_t j, double sign, double *g,
                        double *scratch)
{
    const lump_net_t *net = t->net;
    double *d, *din;
    const double *y = forward(t, x, scratch, &d, &din);
    double *gy = scratch + 2 * net->n_inputs + t->neurons, *gz = gy + t->width;
    double scale = t->oscale != NULL ? t->oscale[j] : 1;
    double f = y[j] * scale + (t->oshift != NULL ? t->oshift[j] : 0);
    size_t k = t->neurons; /* one past the last neuron of layer li */
    /* the forward pass's vectors are spent: reuse them for the adjoints */
    size_t last = net->n_layers - 1;
    for (size_t v = 0; v < net->layers[last].size; v++)
        gy[v] = v == j ? sign * scale : 0;
    for (size_t li = net->n_layers; li-- > 0;) {
        const lump_layer_t *L = &net->layers[li];
        k -= L->size;
        memset(gz, 0, L->in_size * sizeof *gz);
        for (size_t v = 0; v < L->size; v++) {
            double a = gy[v] * d[k + v];
            const double *w = t->w[li] + v * L->in_size;
            if (a == 0)
                continue;
            for (size_t u = 0; u < L->in_size; u++)
                gz[u] += a * w[u];
        }
        memcpy(gy, gz, L->in_size * sizeof *gy);
    }
    for (size_t i = 0; i < net->n_inputs; i++)
        g[i] += gy[i] * din[i];
    return f;
}
