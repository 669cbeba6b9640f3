/* local.c -- certified output deviation of a relaxed network over small
 * L-inf balls around given points (relax --local-radius): the paired
 * differential bound on each ball, and whether the predicted class is
 * certified to stay the original's throughout the ball */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/relax.h"
#include "lumpnet/eval.h"
#include "lumpnet/progress.h"
#include "act_i.h"
#include "alloc_i.h"

void lump_local_result_init(lump_local_result_t *r)
{
    memset(r, 0, sizeof *r);
}

void lump_local_result_clear(lump_local_result_t *r)
{
    LUMP_FREE_ALL(r->bound, r->observed, r->ball_bound, r->ball_unchanged, r->ball_robust);
    lump_local_result_init(r);
}

/* BALL = [x - R, x + R] intersected with BOX, in exact rationals. Returns
 * 0 when the intersection is empty (the point lies too far outside BOX). */
static int make_ball(lump_box_t *ball, const lump_box_t *box, const double *x, double r, mpq_t t)
{
    for (size_t u = 0; u < box->n; u++) {
        mpq_set_d(t, r);
        mpq_set_d(ball->lo[u], x[u]);
        mpq_sub(ball->lo[u], ball->lo[u], t);
        if (mpq_cmp(ball->lo[u], box->lo[u]) < 0)
            mpq_set(ball->lo[u], box->lo[u]);
        mpq_set_d(ball->hi[u], x[u]);
        mpq_add(ball->hi[u], ball->hi[u], t);
        if (mpq_cmp(ball->hi[u], box->hi[u]) > 0)
            mpq_set(ball->hi[u], box->hi[u]);
        if (mpq_cmp(ball->lo[u], ball->hi[u]) > 0)
            return 0;
    }
    return 1;
}

/* MF = F with its outputs replaced by the margins o_c - o_k of class C
 * (k = 0 .. n_outputs-1; the output map folded in, exactly), for an
 * output layer without activation. Errors: those of lump_net_copy. */
static lump_error_t margin_net(lump_net_t *mf, const lump_net_t *f, size_t c)
{
    lump_error_t err = LUMP_OK;
    size_t L = f->n_layers, nout = lump_net_n_outputs(f), m = f->layers[L - 1].in_size;
    lump_arr_t w, b;
    mpq_t sc, sk, a, t;
    lump_arr_init(&w);
    lump_arr_init(&b);
    mpq_inits(sc, sk, a, t, NULL);
    LUMP_CHECK(lump_net_copy(mf, f));
    LUMP_CHECK(lump_arr_alloc(&w, LUMP_STORE_Q, nout * m));
    LUMP_CHECK(lump_arr_alloc(&b, LUMP_STORE_Q, nout));
    mpq_set_ui(sc, 1, 1);
    if (f->has_outmap)
        mpq_set(sc, f->out_scale[c]);
    for (size_t k = 0; k < nout; k++) {
        const lump_arr_t *fw = &f->layers[L - 1].weight, *fb = &f->layers[L - 1].bias;
        mpq_set_ui(sk, 1, 1);
        if (f->has_outmap)
            mpq_set(sk, f->out_scale[k]);
        for (size_t u = 0; u < m; u++) {
            /* sc w_c(u) - sk w_k(u) */
            lump_arr_get(a, fw, c * m + u);
            mpq_mul(a, a, sc);
            lump_arr_get(t, fw, k * m + u);
            mpq_mul(t, t, sk);
            mpq_sub(a, a, t);
            LUMP_CHECK(lump_arr_set(&w, k * m + u, a));
        }
        lump_arr_get(a, fb, c);
        mpq_mul(a, a, sc);
        lump_arr_get(t, fb, k);
        mpq_mul(t, t, sk);
        mpq_sub(a, a, t);
        if (f->has_outmap) {
            mpq_add(a, a, f->out_shift[c]);
            mpq_sub(a, a, f->out_shift[k]);
        }
        LUMP_CHECK(lump_arr_set(&b, k, a));
    }
    lump_arr_clear(&mf->layers[L - 1].weight);
    lump_arr_clear(&mf->layers[L - 1].bias);
    mf->layers[L - 1].weight = w;
    mf->layers[L - 1].bias = b;
    lump_arr_init(&w);
    lump_arr_init(&b);
    if (mf->has_outmap) {
        for (size_t k = 0; k < nout; k++) {
            mpq_set_ui(mf->out_scale[k], 1, 1);
            mpq_set_ui(mf->out_shift[k], 0, 1);
        }
    }
cleanup:
    lump_arr_clear(&w);
    lump_arr_clear(&b);
    mpq_clears(sc, sk, a, t, NULL);
    return err;
}

/* LB[k] <= inf over BALL of MF's output k (MF without output map), by the
 * certified bound between MF and the constant network T (T_k >= the
 * interval bound of MF_k): U_k >= sup (T_k - MF_k), so MF_k >= T_k - U_k,
 * rounded down. -inf where nothing could be certified. Z is scratch. */
static lump_error_t margin_lower(double *lb, const lump_net_t *mf, const lump_box_t *ball,
                                 const lump_bound_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    size_t L = mf->n_layers, nout = lump_net_n_outputs(mf);
    size_t *sizes = lump_alloc_array(L + 1, sizeof *sizes);
    lump_bounds_t bd;
    lump_bound_result_t br;
    lump_net_t z;
    lump_net_init(&z);
    lump_bounds_init(&bd);
    lump_bound_result_init(&br);
    for (size_t k = 0; k < nout; k++)
        lb[k] = -HUGE_VAL;
    LUMP_CHECK(lump_bounds_interval(&bd, mf, ball));
    /* one neuron per hidden layer, all weights zero: only the outputs pair */
    for (size_t i = 0; i + 1 < L; i++)
        sizes[i] = 1;
    sizes[L - 1] = nout;
    LUMP_CHECK(lump_net_setup(&z, mf->n_inputs, L, sizes, LUMP_STORE_F64));
    for (size_t k = 0; k < nout; k++) {
        double t = bd.yhi[L - 1][k];
        if (!isfinite(t))
            goto cleanup;
        LUMP_CHECK(lump_arr_set_d(&z.layers[L - 1].bias, k, t));
    }
    LUMP_CHECK(lump_bound_diff(&br, mf, &z, ball, o));
    for (size_t k = 0; k < nout; k++)
        if (isfinite(br.bound[k]))
            lb[k] = nextafter(bd.yhi[L - 1][k] - br.bound[k], -HUGE_VAL);
cleanup:
    free(sizes);
    lump_bound_result_clear(&br);
    lump_bounds_clear(&bd);
    lump_net_clear(&z);
    return err;
}

/* A uniform double in [0, 1) from a splitmix64 state. */
static double unit(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* The largest |f_j - g_j| seen at the centre (clipped into BALL), SAMPLES
 * uniform points and SAMPLES random corners of BALL, evaluated in double:
 * OBS[j] grows to it. A lower estimate of the supremum, for the report. */
static lump_error_t sample_ball(double *obs, const lump_net_t *f, const lump_net_t *g,
                                const lump_box_t *ball, size_t samples, uint64_t *rng,
                                double *x, double *yf, double *yg, double *lo, double *hi)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f);
    for (size_t u = 0; u < n; u++) {
        lo[u] = lump_i_q_up(ball->lo[u]);
        hi[u] = lump_i_q_down(ball->hi[u]);
        if (lo[u] > hi[u])
            lo[u] = hi[u] = mpq_get_d(ball->lo[u]);
    }
    for (size_t t = 0; t <= 2 * samples; t++) {
        for (size_t u = 0; u < n; u++) {
            if (t == 0)
                x[u] = 0.5 * (lo[u] + hi[u]);
            else if (t <= samples)
                x[u] = lo[u] + (hi[u] - lo[u]) * unit(rng);
            else
                x[u] = unit(rng) < 0.5 ? lo[u] : hi[u];
            x[u] = fmin(fmax(x[u], lo[u]), hi[u]);
        }
        LUMP_CHECK(lump_eval_double(yf, f, x));
        LUMP_CHECK(lump_eval_double(yg, g, x));
        for (size_t j = 0; j < nout; j++)
            obs[j] = fmax(obs[j], fabs(yf[j] - yg[j]));
    }
cleanup:
    return err;
}

/* lump_local_bound -- see relax.h. Why "unchanged" is sound: with c the
 * original's class at the centre, lb_k <= inf (f_c - f_k) over the ball
 * (margin_lower) and U_j >= sup |f_j - g_j|, so over the ball
 * g_c - g_k = (f_c - f_k) - (f_c - g_c) + (f_k - g_k) >= lb_k - U_c - U_k;
 * when that (rounded down) and lb_k are > 0 for every k != c, both
 * networks predict c at every point of the ball. */
lump_error_t lump_local_bound(lump_local_result_t *r, const lump_net_t *f, const lump_net_t *g,
                              const lump_lumping_t *L, const lump_box_t *box, const double *x,
                              size_t n_points, double radius, size_t samples, unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f), lv = SIZE_MAX;
    double t0 = lump_clock_seconds();
    double *yf = NULL, *yg = NULL, *xs = NULL, *lo = NULL, *hi = NULL, *lb = NULL, *obs = NULL;
    int classes;
    uint64_t rng = seed * 0x2545f4914f6cdd1dULL + 7;
    lump_box_t ball;
    lump_bound_opts_t o;
    lump_bound_result_t br;
    lump_net_t mf;
    mpq_t t;
    lump_box_init(&ball);
    lump_bound_result_init(&br);
    lump_bound_opts_init(&o);
    lump_net_init(&mf);
    mpq_init(t);
    lump_local_result_clear(r);
    if (!(radius >= 0) || !isfinite(radius)) {
        err = lump_error_set(LUMP_EINPUT, "local bound: the radius must be a finite number "
                             ">= 0, not %g", radius);
        goto cleanup;
    }
    if (box->n != n || g->n_inputs != n || lump_net_n_outputs(g) != nout) {
        err = lump_error_set(LUMP_EINPUT, "local bound: the networks and the box disagree in "
                             "their inputs or outputs");
        goto cleanup;
    }
    /* many small boxes: the symbolic bound alone (the LP costs much more
     * per ball and gains little on a small one) */
    o.lp = 0;
    o.max_boxes = 16;
    o.seed = seed;
    r->radius = radius;
    r->n_outputs = nout;
    r->bound = lump_alloc_zero(nout + 1, sizeof *r->bound);
    r->observed = lump_alloc_zero(nout + 1, sizeof *r->observed);
    r->ball_bound = lump_alloc_array(n_points * nout + 1, sizeof *r->ball_bound);
    r->ball_unchanged = lump_alloc_zero(n_points + 1, 1);
    r->ball_robust = lump_alloc_zero(n_points + 1, 1);
    for (size_t k = 0; k < n_points * nout; k++)
        r->ball_bound[k] = NAN;
    r->certified = 1;
    /* class margins are linear in the last layer only without activation */
    classes = nout >= 2 && lump_layer_uniform_act(&f->layers[f->n_layers - 1]) &&
              lump_layer_act(&f->layers[f->n_layers - 1], 0)->kind == LUMP_ACT_IDENTITY;
    r->classes = classes;
    yf = lump_alloc_array(nout + 1, sizeof *yf);
    yg = lump_alloc_array(nout + 1, sizeof *yg);
    lb = lump_alloc_array(nout + 1, sizeof *lb);
    obs = lump_alloc_array(nout + 1, sizeof *obs);
    xs = lump_alloc_array(n + 1, sizeof *xs);
    lo = lump_alloc_array(n + 1, sizeof *lo);
    hi = lump_alloc_array(n + 1, sizeof *hi);
    LUMP_CHECK(lump_box_alloc(&ball, n));
    lv = lump_progress_begin("ball", n_points, LUMP_PROGRESS_EVEN);
    for (size_t p = 0; p < n_points; p++) {
        const double *xp = x + p * n;
        size_t c = 0;
        int ok = 1;
        LUMP_CHECK(lump_progress_step(lv, p));
        if (!make_ball(&ball, box, xp, radius, t)) {
            r->outside++;
            continue;
        }
        r->n_points++;
        LUMP_CHECK(lump_bound_diff_lumped(&br, f, g, L, &ball, &o));
        for (size_t j = 0; j < nout; j++) {
            if (!(br.bound[j] <= r->bound[j]))
                r->bound[j] = br.bound[j];
            if (!isfinite(br.bound[j]))
                r->certified = 0;
            r->ball_bound[p * nout + j] = br.bound[j];
            obs[j] = 0;
        }
        LUMP_CHECK(sample_ball(obs, f, g, &ball, samples, &rng, xs, yf, yg, lo, hi));
        for (size_t j = 0; j < nout; j++)
            r->observed[j] = fmax(r->observed[j], obs[j]);
        if (!classes)
            continue;
        /* the original's class at the centre (clipped into the ball) */
        for (size_t u = 0; u < n; u++)
            xs[u] = fmin(fmax(xp[u], mpq_get_d(ball.lo[u])), mpq_get_d(ball.hi[u]));
        LUMP_CHECK(lump_eval_double(yf, f, xs));
        for (size_t j = 1; j < nout; j++)
            if (yf[j] > yf[c])
                c = j;
        lump_net_clear(&mf);
        lump_net_init(&mf);
        LUMP_CHECK(margin_net(&mf, f, c));
        LUMP_CHECK(margin_lower(lb, &mf, &ball, &o));
        for (size_t k = 0; k < nout && ok; k++)
            ok = k == c || lb[k] > 0;
        if (!ok)
            continue;
        r->robust++;
        r->ball_robust[p] = 1;
        for (size_t k = 0; k < nout && ok; k++) {
            /* lb_k - U_c - U_k, each subtraction rounded down */
            double m = nextafter(lb[k] - br.bound[c], -HUGE_VAL);
            m = nextafter(m - br.bound[k], -HUGE_VAL);
            ok = k == c || m > 0;
        }
        r->unchanged += (size_t)ok;
        r->ball_unchanged[p] = (unsigned char)ok;
    }
    r->bmax = r->omax = 0;
    for (size_t j = 0; j < nout; j++) {
        if (!(r->bound[j] <= r->bmax))
            r->bmax = r->bound[j];
        r->omax = fmax(r->omax, r->observed[j]);
    }
    if (r->n_points == 0)
        r->certified = 0;
cleanup:
    if (lv != SIZE_MAX)
        lump_progress_end(lv);
    r->seconds = lump_clock_seconds() - t0;
    mpq_clear(t);
    lump_net_clear(&mf);
    lump_bound_result_clear(&br);
    lump_box_clear(&ball);
    free(yf);
    free(yg);
    free(xs);
    free(lo);
    free(hi);
    free(lb);
    free(obs);
    if (err != LUMP_OK)
        lump_local_result_clear(r);
    return err;
}
