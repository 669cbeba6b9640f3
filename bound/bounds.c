/* bounds.c -- sound interval bounds of every neuron over an input box,
 * doubles rounded outward */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "bound_util.h"
#include "alloc_i.h"

void lump_i_arr_ival(const lump_arr_t *a, size_t i, double *lo, double *hi)
{
    if (a->store == LUMP_STORE_F32) {
        *lo = *hi = ((const float *)a->data)[i];
        return;
    }
    if (a->store == LUMP_STORE_F64) {
        *lo = *hi = ((const double *)a->data)[i];
        return;
    }
    {
        const lump_qs_t *e = &((const lump_qs_t *)a->data)[i];
        const int64_t lim = (int64_t)1 << 53;
        if (e->den != 0 && e->num < lim && e->num > -lim && e->den < (uint64_t)lim) {
            /* num and den are doubles, so num/den is one correctly
             * rounded division: exact when the residual vanishes */
            double n = (double)e->num, d = (double)e->den, q = n / d;
            if (fma(q, d, -n) == 0.0)
                *lo = *hi = q;
            else {
                *lo = lump_i_down(q);
                *hi = lump_i_up(q);
            }
            return;
        }
    }
    {
        mpfr_t t;
        mpfr_init2(t, 53);
        lump_arr_get_fr(t, a, i, MPFR_RNDD);
        *lo = mpfr_get_d(t, MPFR_RNDD);
        lump_arr_get_fr(t, a, i, MPFR_RNDU);
        *hi = mpfr_get_d(t, MPFR_RNDU);
        mpfr_clear(t);
    }
}

lump_error_t lump_i_check_box(const lump_net_t *net, const lump_box_t *box, const char *who)
{
    if (box->n != net->n_inputs)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the box has %zu dimensions but the network has "
                              "%zu inputs",
                              who, box->n, net->n_inputs);
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: box dimension %zu is empty (lower bound "
                                  "above upper bound)",
                                  who, i + 1);
    return LUMP_OK;
}

/* clip(x) = min(max(x, cl), ch) */
static void clip_q(mpq_t out, const mpq_t x, const mpq_t cl, const mpq_t ch)
{
    if (mpq_cmp(x, cl) < 0)
        mpq_set(out, cl);
    else if (mpq_cmp(x, ch) > 0)
        mpq_set(out, ch);
    else
        mpq_set(out, x);
}

void lump_i_clip_range(mpq_t lo, mpq_t hi, const lump_net_t *net, const lump_box_t *box, size_t i)
{
    if (net->has_clip) {
        clip_q(lo, box->lo[i], net->clip_lo[i], net->clip_hi[i]);
        clip_q(hi, box->hi[i], net->clip_lo[i], net->clip_hi[i]);
    } else {
        mpq_set(lo, box->lo[i]);
        mpq_set(hi, box->hi[i]);
    }
}

void lump_i_dot_ival(double *lo, double *hi, size_t n, const double *wl, const double *wh,
                     const double *yl, const double *yh, double bl, double bh)
{
    double slo = bl, shi = bh, mag = fmax(fabs(bl), fabs(bh)), err;
    for (size_t u = 0; u < n; u++) {
        double a = wl[u], b = wh[u], tl, th;
        if (a == b) {
            if (a == 0.0)
                continue;
            if (a > 0) {
                tl = a * yl[u];
                th = a * yh[u];
            } else {
                tl = a * yh[u];
                th = a * yl[u];
            }
        } else {
            double p1 = a * yl[u], p2 = a * yh[u], p3 = b * yl[u], p4 = b * yh[u];
            tl = fmin(fmin(p1, p2), fmin(p3, p4));
            th = fmax(fmax(p1, p2), fmax(p3, p4));
        }
        slo += tl;
        shi += th;
        mag += fmax(fabs(tl), fabs(th));
    }
    /* 2 (n + 4) u covers gamma_{n+1} of the sums, the rounding of each
     * corner product and of MAG itself; the second term covers products
     * that underflowed (each off by at most 2^-1075) */
    err = lump_i_up(lump_i_up((double)(n + 4) * 0x1p-52 * mag) + (double)(n + 2) * 0x1p-1074);
    *lo = lump_i_down(slo - err);
    *hi = lump_i_up(shi + err);
    if (isnan(*lo) || isnan(*hi)) { /* overflow: give up soundly */
        *lo = -HUGE_VAL;
        *hi = HUGE_VAL;
    }
}

void lump_bounds_init(lump_bounds_t *b)
{
    memset(b, 0, sizeof *b);
}

void lump_bounds_clear(lump_bounds_t *b)
{
    if (b->zlo != NULL) /* bounds_alloc allocates the four together */
        for (size_t i = 0; i < b->n_layers; i++)
            LUMP_FREE_ALL(b->zlo[i], b->zhi[i], b->ylo[i], b->yhi[i]);
    LUMP_FREE_ALL(b->zlo, b->zhi, b->ylo, b->yhi, b->xlo, b->xhi, b->size);
    lump_bounds_init(b);
}

static void bounds_alloc(lump_bounds_t *b, const lump_net_t *net)
{
    /* the four tables of a row of doubles per layer, made alike */
    double ***const tab[] = {&b->zlo, &b->zhi, &b->ylo, &b->yhi};
    size_t k = net->n_layers;
    b->n_inputs = net->n_inputs;
    b->xlo = lump_alloc_array(net->n_inputs + 1, sizeof *b->xlo);
    b->xhi = lump_alloc_array(net->n_inputs + 1, sizeof *b->xhi);
    b->size = lump_alloc_zero(k + 1, sizeof *b->size);
    for (size_t t = 0; t < 4; t++)
        *tab[t] = lump_alloc_zero(k + 1, sizeof **tab[t]);
    b->n_layers = k;
    for (size_t i = 0; i < k; i++) {
        b->size[i] = net->layers[i].size;
        for (size_t t = 0; t < 4; t++)
            (*tab[t])[i] = lump_alloc_array(b->size[i] + 1, sizeof(double));
    }
}

/* lump_i_input_range -- see bound_util.h. */
void lump_i_input_range(mpq_t lo, mpq_t hi, const lump_net_t *net, const lump_box_t *box, size_t i)
{
    lump_i_clip_range(lo, hi, net, box, i);
    if (net->has_norm) {
        mpq_sub(lo, lo, net->norm_mean[i]);
        mpq_sub(hi, hi, net->norm_mean[i]);
        mpq_div(lo, lo, net->norm_range[i]);
        mpq_div(hi, hi, net->norm_range[i]);
        if (mpq_sgn(net->norm_range[i]) < 0)
            mpq_swap(lo, hi);
    }
}

/* The inputs as layer 1 sees them, rounded outward. */
static void input_bounds(lump_bounds_t *b, const lump_net_t *net, const lump_box_t *box)
{
    mpq_t lo, hi;
    mpq_inits(lo, hi, NULL);
    for (size_t i = 0; i < net->n_inputs; i++) {
        lump_i_input_range(lo, hi, net, box, i);
        b->xlo[i] = lump_i_q_down(lo);
        b->xhi[i] = lump_i_q_up(hi);
    }
    mpq_clears(lo, hi, NULL);
}

/* lump_bounds_interval -- see relax.h. Each pre-activation is enclosed by
 * lump_i_dot_ival (weights as outward double intervals, sums widened by a
 * rigorous a-posteriori error bound), each activation maps the enclosure
 * monotonically piece by piece with outward rounding. Errors: LUMP_EINPUT
 * for a box of the wrong dimension or an empty box.
 * Time complexity: O(m + n) for m weights and n neurons (plus one MPFR
 * exp per sigmoid/tanh neuron end). */
lump_error_t lump_bounds_interval(lump_bounds_t *b, const lump_net_t *net, const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    size_t cap = 1;
    double *wl = NULL, *wh = NULL;
    lump_bounds_clear(b);
    LUMP_CHECK(lump_i_check_box(net, box, "interval bounds"));
    LUMP_CHECK(lump_net_validate(net, "interval bounds"));
    bounds_alloc(b, net);
    input_bounds(b, net, box);
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].in_size > cap)
            cap = net->layers[i].in_size;
    wl = lump_alloc_array(cap, sizeof *wl);
    wh = lump_alloc_array(cap, sizeof *wh);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        const double *yl = i == 0 ? b->xlo : b->ylo[i - 1];
        const double *yh = i == 0 ? b->xhi : b->yhi[i - 1];
        for (size_t v = 0; v < L->size; v++) {
            const double *pl = wl, *ph = wh;
            double bl, bh;
            if (L->weight.store == LUMP_STORE_F64) /* already point doubles */
                pl = ph = (const double *)L->weight.data + v * L->in_size;
            else
                for (size_t u = 0; u < L->in_size; u++)
                    lump_i_arr_ival(&L->weight, v * L->in_size + u, &wl[u], &wh[u]);
            lump_i_arr_ival(&L->bias, v, &bl, &bh);
            lump_i_dot_ival(&b->zlo[i][v], &b->zhi[i][v], L->in_size, pl, ph, yl, yh, bl, bh);
            lump_i_act_ival(&b->ylo[i][v], &b->yhi[i][v], lump_layer_act(L, v), b->zlo[i][v],
                            b->zhi[i][v]);
        }
    }
cleanup:
    LUMP_FREE_ALL(wl, wh);
    if (err != LUMP_OK)
        lump_bounds_clear(b);
    return err;
}
