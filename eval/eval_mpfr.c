/* eval_mpfr.c -- a rigorous enclosure of a network's outputs by interval
 * arithmetic in MPFR with outward rounding */
#include <stdlib.h>
#include "lumpnet/eval.h"
#include "act_i.h"
#include "alloc_i.h"

/* An interval [lo, hi] of MPFR numbers. */
typedef struct {
    mpfr_t lo, hi;
} ival_t;

typedef struct {
    ival_t *x, *y; /* this layer's values, the next layer's */
    size_t cap;
    mpfr_t wl, wh, t; /* a weight's enclosure, a scratch value */
} work_t;

static void work_alloc(work_t *w, size_t cap, mpfr_prec_t prec)
{
    w->cap = 0;
    w->x = lump_alloc_array(cap > 0 ? cap : 1, sizeof *w->x);
    w->y = lump_alloc_array(cap > 0 ? cap : 1, sizeof *w->y);
    mpfr_inits2(prec, w->wl, w->wh, w->t, (mpfr_ptr)0);
    for (size_t i = 0; i < cap; i++) {
        mpfr_inits2(prec, w->x[i].lo, w->x[i].hi, w->y[i].lo, w->y[i].hi, (mpfr_ptr)0);
    }
    w->cap = cap;
}

static void work_clear(work_t *w)
{
    for (size_t i = 0; i < w->cap; i++)
        mpfr_clears(w->x[i].lo, w->x[i].hi, w->y[i].lo, w->y[i].hi, (mpfr_ptr)0);
    free(w->x);
    free(w->y);
    mpfr_clears(w->wl, w->wh, w->t, (mpfr_ptr)0);
}

/* S += [wl, wh] * [yl, yh], rounded outward. Each end is one fused
 * multiply-add of the exact corner product, rounded down (lo) or up (hi).
 * Which corner is extreme follows from the signs: for w >= 0 the product
 * is smallest at y = yl, for w <= 0 at y = yh, and so on. */
static void add_product(ival_t *s, mpfr_t wl, mpfr_t wh, const ival_t *y, mpfr_t t)
{
    if (mpfr_sgn(wl) >= 0) {
        mpfr_fma(s->lo, mpfr_sgn(y->lo) >= 0 ? wl : wh, y->lo, s->lo, MPFR_RNDD);
        mpfr_fma(s->hi, mpfr_sgn(y->hi) >= 0 ? wh : wl, y->hi, s->hi, MPFR_RNDU);
    } else if (mpfr_sgn(wh) <= 0) {
        mpfr_fma(s->lo, mpfr_sgn(y->hi) >= 0 ? wl : wh, y->hi, s->lo, MPFR_RNDD);
        mpfr_fma(s->hi, mpfr_sgn(y->lo) >= 0 ? wh : wl, y->lo, s->hi, MPFR_RNDU);
    } else {
        /* A weight whose enclosure straddles 0 (only when rounding a tiny
         * rational): take the extreme of the four corners. */
        mpfr_ptr wc[2] = {wl, wh};
        mpfr_srcptr yc[2] = {y->lo, y->hi};
        mpfr_t lo, hi;
        mpfr_inits2(mpfr_get_prec(s->lo), lo, hi, (mpfr_ptr)0);
        mpfr_set_inf(lo, 1);
        mpfr_set_inf(hi, -1);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) {
                mpfr_fma(t, wc[a], yc[b], s->lo, MPFR_RNDD);
                mpfr_min(lo, lo, t, MPFR_RNDD);
                mpfr_fma(t, wc[a], yc[b], s->hi, MPFR_RNDU);
                mpfr_max(hi, hi, t, MPFR_RNDU);
            }
        mpfr_set(s->lo, lo, MPFR_RNDD);
        mpfr_set(s->hi, hi, MPFR_RNDU);
        mpfr_clears(lo, hi, (mpfr_ptr)0);
    }
}

/* [wl, wh] encloses A[i]: a point when A[i] is representable. */
static void get_ival(mpfr_t wl, mpfr_t wh, const lump_arr_t *a, size_t i)
{
    if (lump_arr_get_fr(wl, a, i, MPFR_RNDD) == 0)
        mpfr_set(wh, wl, MPFR_RNDN); /* exact */
    else
        lump_arr_get_fr(wh, a, i, MPFR_RNDU);
}

/* X := the clipped and normalised inputs, enclosed. */
static void load_inputs(work_t *w, const lump_net_t *net, const mpq_t *in)
{
    for (size_t i = 0; i < net->n_inputs; i++) {
        ival_t *x = &w->x[i];
        mpfr_set_q(x->lo, in[i], MPFR_RNDD);
        mpfr_set_q(x->hi, in[i], MPFR_RNDU);
        if (net->has_clip) {
            /* min(max(x, l), u) is increasing in x, l and u: clip the lower
             * end with bounds rounded down, the upper with bounds rounded
             * up. */
            mpfr_set_q(w->t, net->clip_lo[i], MPFR_RNDD);
            mpfr_max(x->lo, x->lo, w->t, MPFR_RNDD);
            mpfr_set_q(w->t, net->clip_hi[i], MPFR_RNDD);
            mpfr_min(x->lo, x->lo, w->t, MPFR_RNDD);
            mpfr_set_q(w->t, net->clip_lo[i], MPFR_RNDU);
            mpfr_max(x->hi, x->hi, w->t, MPFR_RNDU);
            mpfr_set_q(w->t, net->clip_hi[i], MPFR_RNDU);
            mpfr_min(x->hi, x->hi, w->t, MPFR_RNDU);
        }
        if (net->has_norm) {
            const mpq_srcptr r = net->norm_range[i];
            mpfr_sub_q(x->lo, x->lo, net->norm_mean[i], MPFR_RNDD);
            mpfr_sub_q(x->hi, x->hi, net->norm_mean[i], MPFR_RNDU);
            if (mpq_sgn(r) > 0) {
                mpfr_div_q(x->lo, x->lo, r, MPFR_RNDD);
                mpfr_div_q(x->hi, x->hi, r, MPFR_RNDU);
            } else { /* dividing by a negative range swaps the ends */
                mpfr_div_q(w->t, x->hi, r, MPFR_RNDD);
                mpfr_div_q(x->hi, x->lo, r, MPFR_RNDU);
                mpfr_set(x->lo, w->t, MPFR_RNDD);
            }
        }
    }
}

static void eval_layer(work_t *w, const lump_layer_t *L)
{
    const size_t n = L->in_size;
    ival_t *tmp;
    for (size_t v = 0; v < L->size; v++) {
        ival_t *s = &w->y[v];
        get_ival(s->lo, s->hi, &L->bias, v);
        for (size_t u = 0; u < n; u++) {
            if (lump_arr_sgn(&L->weight, v * n + u) == 0)
                continue;
            get_ival(w->wl, w->wh, &L->weight, v * n + u);
            add_product(s, w->wl, w->wh, &w->x[u], w->t);
        }
        lump_i_act_ival_fr(s->lo, s->hi, lump_layer_act(L, v), w->t);
    }
    tmp = w->x; /* this layer's values feed the next */
    w->x = w->y;
    w->y = tmp;
}

/* lump_eval_mpfr -- LO[j] <= f_j(IN) <= HI[j] (see eval.h).
 * Why the enclosure is sound: each value of the network is carried as an
 * interval [lo, hi] that contains it, starting from the exact input
 * (mpfr_set_q rounded down and up). Every step maps intervals to intervals
 * that contain the image:
 * - clip, relu, leaky_relu (alpha >= 0), sigmoid and tanh are
 *   non-decreasing, so the image of [lo, hi] lies in [f(lo), f(hi)]; each
 *   end is computed with every rounding directed the way that moves it
 *   outward (for sigmoid the denominator 1 + e^-z of the lower end is made
 *   too large, of the upper end too small). A leaky_relu with alpha < 0 is
 *   handled by its monotone pieces.
 * - a weight is an interval [w rounded down, w rounded up], a point when
 *   representable; an interval product takes its extreme corners (by the
 *   signs), and each corner is added to the running sum by a fused
 *   multiply-add rounded down (lower end) or up (upper end), so the sum of
 *   the lower ends never exceeds the true sum and vice versa.
 * - the normalisation and the output map are a subtraction of, a division
 *   by or a multiplication by an exact rational, rounded outward, with the
 *   ends swapped when the rational is negative.
 * Hence by induction over the layers the true output lies in [LO, HI].
 * The width grows by a few ulps per operation, about (depth x fan-in)
 * ulps relative for a well-conditioned network.
 * Errors: LUMP_EUSAGE when PREC is outside MPFR's range; LUMP_EINPUT when
 * layer sizes do not chain.
 * Time complexity: O(m + n) MPFR operations at PREC bits for m weights
 * and n neurons. */
lump_error_t lump_eval_mpfr(mpfr_t *lo, mpfr_t *hi, const lump_net_t *net, const mpq_t *in,
                            mpfr_prec_t prec)
{
    work_t w;
    size_t cap = net->n_inputs, prev = net->n_inputs;
    size_t nout = lump_net_n_outputs(net);
    if (prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX)
        return lump_error_set(LUMP_EUSAGE, "MPFR evaluation: precision %ld bits is out of range",
                              (long)prec);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        if (L->in_size != prev)
            return lump_error_set(LUMP_EINPUT, "layer %zu: takes %zu inputs but receives %zu",
                                  i + 1, L->in_size, prev);
        prev = L->size;
        if (L->size > cap)
            cap = L->size;
    }
    work_alloc(&w, cap, prec);
    load_inputs(&w, net, in);
    for (size_t i = 0; i < net->n_layers; i++)
        eval_layer(&w, &net->layers[i]);
    for (size_t j = 0; j < nout; j++) {
        ival_t *y = &w.x[j];
        if (net->has_outmap) {
            const mpq_srcptr sc = net->out_scale[j];
            if (mpq_sgn(sc) >= 0) {
                mpfr_mul_q(y->lo, y->lo, sc, MPFR_RNDD);
                mpfr_mul_q(y->hi, y->hi, sc, MPFR_RNDU);
            } else {
                mpfr_mul_q(w.t, y->hi, sc, MPFR_RNDD);
                mpfr_mul_q(y->hi, y->lo, sc, MPFR_RNDU);
                mpfr_set(y->lo, w.t, MPFR_RNDD);
            }
            mpfr_add_q(y->lo, y->lo, net->out_shift[j], MPFR_RNDD);
            mpfr_add_q(y->hi, y->hi, net->out_shift[j], MPFR_RNDU);
        }
        mpfr_set_prec(lo[j], prec);
        mpfr_set_prec(hi[j], prec);
        mpfr_set(lo[j], y->lo, MPFR_RNDD);
        mpfr_set(hi[j], y->hi, MPFR_RNDU);
    }
    work_clear(&w);
    return LUMP_OK;
}
