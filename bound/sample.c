/* sample.c -- the largest |f_j - g_j| observed over a box: random points,
 * corners and a projected gradient ascent, confirmed in MPFR */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/rat.h"
#include "bound_util.h"
#include "lumpnet/eval.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"

/* A network prepared for fast double passes: weights, biases and the maps
 * as doubles, and room for the forward values the gradient needs. */
typedef struct {
    const lump_net_t *net;
    size_t n_in, n_out, cap;
    double **w, **b;
    double *clo, *chi, *mean, *range, *scale, *shift;
    double **z; /* pre-activations of the last forward pass */
    double *x;  /* layer-1 inputs of the last pass */
    double *ga, *gb;
} fnet_t;

static void fnet_clear(fnet_t *p)
{
    for (size_t i = 0; p->w != NULL && i < p->net->n_layers; i++) {
        free(p->w[i]);
        free(p->b[i]);
        free(p->z[i]);
    }
    LUMP_FREE_ALL(p->w, p->b, p->z, p->clo, p->chi, p->mean, p->range, p->scale, p->shift, p->x,
                  p->ga, p->gb);
}

static void fnet_init(fnet_t *p, const lump_net_t *net)
{
    size_t k = net->n_layers, n = net->n_inputs;
    memset(p, 0, sizeof *p);
    p->net = net;
    p->n_in = n;
    p->n_out = lump_net_n_outputs(net);
    p->cap = n;
    for (size_t i = 0; i < k; i++)
        if (net->layers[i].size > p->cap)
            p->cap = net->layers[i].size;
    p->w = lump_alloc_zero(k + 1, sizeof(double *));
    p->b = lump_alloc_zero(k + 1, sizeof(double *));
    p->z = lump_alloc_zero(k + 1, sizeof(double *));
    p->clo = lump_alloc_array(n + 1, sizeof(double));
    p->chi = lump_alloc_array(n + 1, sizeof(double));
    p->mean = lump_alloc_array(n + 1, sizeof(double));
    p->range = lump_alloc_array(n + 1, sizeof(double));
    p->scale = lump_alloc_array(p->n_out + 1, sizeof(double));
    p->shift = lump_alloc_array(p->n_out + 1, sizeof(double));
    p->x = lump_alloc_array(p->cap + 1, sizeof(double));
    p->ga = lump_alloc_array(p->cap + 1, sizeof(double));
    p->gb = lump_alloc_array(p->cap + 1, sizeof(double));
    for (size_t i = 0; i < k; i++) {
        const lump_layer_t *L = &net->layers[i];
        p->w[i] = lump_alloc_array(L->size * L->in_size + 1, sizeof(double));
        p->b[i] = lump_alloc_array(L->size + 1, sizeof(double));
        p->z[i] = lump_alloc_array(L->size + 1, sizeof(double));
        for (size_t e = 0; e < L->size * L->in_size; e++)
            p->w[i][e] = lump_arr_get_d(&L->weight, e);
        for (size_t v = 0; v < L->size; v++)
            p->b[i][v] = lump_arr_get_d(&L->bias, v);
    }
    for (size_t u = 0; u < n; u++) {
        p->clo[u] = net->has_clip ? lump_rat_get_d(net->clip_lo[u]) : -HUGE_VAL;
        p->chi[u] = net->has_clip ? lump_rat_get_d(net->clip_hi[u]) : HUGE_VAL;
        p->mean[u] = net->has_norm ? lump_rat_get_d(net->norm_mean[u]) : 0.0;
        p->range[u] = net->has_norm ? lump_rat_get_d(net->norm_range[u]) : 1.0;
    }
    for (size_t j = 0; j < p->n_out; j++) {
        p->scale[j] = net->has_outmap ? lump_rat_get_d(net->out_scale[j]) : 1.0;
        p->shift[j] = net->has_outmap ? lump_rat_get_d(net->out_shift[j]) : 0.0;
    }
}

/* OUT = the mapped outputs at the raw input IN; keeps z for gradients. */
static void fnet_forward(fnet_t *p, double *out, const double *in)
{
    const lump_net_t *net = p->net;
    double *y = p->ga, *ny = p->gb, d;
    for (size_t u = 0; u < p->n_in; u++) {
        double v = fmin(fmax(in[u], p->clo[u]), p->chi[u]);
        p->x[u] = (v - p->mean[u]) / p->range[u];
        y[u] = p->x[u];
    }
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        for (size_t v = 0; v < L->size; v++) {
            double z = lump_i_dot_d(p->b[i][v], p->w[i] + v * L->in_size, y, L->in_size);
            p->z[i][v] = z;
            ny[v] = lump_i_act_grad_d(lump_layer_act(L, v), z, &d);
        }
        {
            double *t = y;
            y = ny;
            ny = t;
        }
    }
    for (size_t j = 0; j < p->n_out; j++)
        out[j] = y[j] * p->scale[j] + p->shift[j];
}

/* GRAD += SIGN * d out_j / d in, at the input of the last forward pass. */
static void fnet_grad(fnet_t *p, double *grad, const double *in, size_t j, double sign)
{
    const lump_net_t *net = p->net;
    size_t k = net->n_layers;
    double *g = p->ga, *ng = p->gb, d;
    for (size_t v = 0; v < net->layers[k - 1].size; v++)
        g[v] = v == j ? sign * p->scale[j] : 0.0;
    for (size_t i = k; i-- > 0;) {
        const lump_layer_t *L = &net->layers[i];
        for (size_t u = 0; u < L->in_size; u++)
            ng[u] = 0.0;
        for (size_t v = 0; v < L->size; v++) {
            const double *w = p->w[i] + v * L->in_size;
            double gz;
            lump_i_act_grad_d(lump_layer_act(L, v), p->z[i][v], &d);
            gz = g[v] * d;
            if (gz != 0.0)
                for (size_t u = 0; u < L->in_size; u++)
                    ng[u] += gz * w[u];
        }
        {
            double *t = g;
            g = ng;
            ng = t;
        }
    }
    for (size_t u = 0; u < p->n_in; u++) {
        int clipped = in[u] < p->clo[u] || in[u] > p->chi[u];
        grad[u] += clipped ? 0.0 : g[u] / p->range[u];
    }
}

/* A uniform number in [0, 1) from a splitmix64 state. */
static double rnd01(uint64_t *s)
{
    return (double)(lump_i_splitmix64(s) >> 11) * 0x1p-53;
}

/* A rigorous lower bound of |f_j(x) - g_j(x)| at the double point X:
 * both outputs enclosed by MPFR interval evaluation at 128 bits, the gap
 * between the enclosures rounded down. */
static lump_error_t confirm(double *out, const lump_net_t *f, const lump_net_t *g, size_t j,
                            const double *x)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, no = lump_net_n_outputs(f);
    mpq_t *in = lump_alloc_array(n + 1, sizeof(mpq_t));
    mpfr_t *fl = lump_alloc_array(no + 1, sizeof(mpfr_t)),
           *fh = lump_alloc_array(no + 1, sizeof(mpfr_t));
    mpfr_t *gl = lump_alloc_array(no + 1, sizeof(mpfr_t)),
           *gh = lump_alloc_array(no + 1, sizeof(mpfr_t));
    mpfr_t t;
    for (size_t u = 0; u < n; u++) {
        mpq_init(in[u]);
        mpq_set_d(in[u], x[u]);
    }
    for (size_t k = 0; k < no; k++)
        mpfr_inits2(128, fl[k], fh[k], gl[k], gh[k], (mpfr_ptr)0);
    mpfr_init2(t, 128);
    LUMP_CHECK(lump_eval_mpfr(fl, fh, f, in, 128));
    LUMP_CHECK(lump_eval_mpfr(gl, gh, g, in, 128));
    /* |f - g| >= max(fl - gh, gl - fh) */
    mpfr_sub(t, fl[j], gh[j], MPFR_RNDD);
    *out = mpfr_get_d(t, MPFR_RNDD);
    mpfr_sub(t, gl[j], fh[j], MPFR_RNDD);
    *out = fmax(fmax(*out, mpfr_get_d(t, MPFR_RNDD)), 0.0);
cleanup:
    for (size_t u = 0; u < n; u++)
        mpq_clear(in[u]);
    for (size_t k = 0; k < no; k++)
        mpfr_clears(fl[k], fh[k], gl[k], gh[k], (mpfr_ptr)0);
    mpfr_clear(t);
    LUMP_FREE_ALL(in, fl, fh, gl, gh);
    return err;
}

/* lump_max_error_sampled -- see relax.h. The search runs in double:
 * N_SAMPLES uniform points, the centre, the corners (all of them when
 * n <= 10, else N_SAMPLES random ones), then, per output and sign, a
 * projected gradient ascent of +-(f_j - g_j) (sign steps, shrinking) from
 * the three best points. The value reported per output is not the double
 * value but a rigorous lower bound of |f_j - g_j| at the best point, from
 * MPFR interval evaluation, so it never overstates the truth.
 * Errors: LUMP_EINPUT for mismatched networks or a bad box.
 * Time: O((N_SAMPLES + 2^min(n,10) + 600 n_outputs) m). */
lump_error_t lump_max_error_sampled(double *out, const lump_net_t *f, const lump_net_t *g,
                                    const lump_box_t *box, size_t n_samples, unsigned long seed)
{
    enum { STARTS = 3, STEPS = 100 };
    lump_error_t err = LUMP_OK;
    fnet_t pf, pg;
    size_t n = f->n_inputs, no = lump_net_n_outputs(f), npts;
    double *lo = NULL, *hi = NULL, *x = NULL, *yf = NULL, *yg = NULL, *grad = NULL, *best = NULL;
    double *start = NULL, *sval = NULL; /* per output and sign: STARTS points */
    uint64_t rng = seed * 0x2545f4914f6cdd1dULL + 1;
    size_t level = lump_progress_begin("largest error", 0, 0), lv;
    memset(&pf, 0, sizeof pf);
    memset(&pg, 0, sizeof pg);
    if (n != g->n_inputs || no != lump_net_n_outputs(g))
        return lump_error_set(LUMP_EINPUT, "sampling: the networks differ in their inputs or "
                              "outputs (%zu/%zu inputs, %zu/%zu outputs)",
                              n, g->n_inputs, no, lump_net_n_outputs(g));
    LUMP_CHECK(lump_i_check_box(f, box, "sampling"));
    fnet_init(&pf, f);
    fnet_init(&pg, g);
    lo = lump_alloc_array(n + 1, sizeof(double));
    hi = lump_alloc_array(n + 1, sizeof(double));
    x = lump_alloc_array(n + 1, sizeof(double));
    grad = lump_alloc_array(n + 1, sizeof(double));
    yf = lump_alloc_array(no + 1, sizeof(double));
    yg = lump_alloc_array(no + 1, sizeof(double));
    best = lump_alloc((no + 1) * n * sizeof(double) + sizeof(double));
    start = lump_alloc((2 * no * STARTS + 1) * n * sizeof(double) + sizeof(double));
    sval = lump_alloc_array(2 * no * STARTS + 1, sizeof(double));
    for (size_t u = 0; u < n; u++) {
        /* doubles inside the box, so that no point leaves it */
        lo[u] = lump_i_q_up(box->lo[u]);
        hi[u] = lump_i_q_down(box->hi[u]);
        if (lo[u] > hi[u])
            lo[u] = hi[u] = mpq_get_d(box->lo[u]);
    }
    for (size_t k = 0; k < 2 * no * STARTS; k++)
        sval[k] = -HUGE_VAL;
    npts = n_samples + 1 + (n <= 10 ? ((size_t)1 << n) : n_samples);
    /* every point is offered to each (output, sign) list of the best */
    lv = lump_progress_begin("sample", npts, LUMP_PROGRESS_EVEN);
    for (size_t t = 0; t < npts; t++) {
        LUMP_CHECK(lump_progress_step(lv, t));
        for (size_t u = 0; u < n; u++) {
            if (t == 0)
                x[u] = 0.5 * (lo[u] + hi[u]);
            else if (t <= n_samples)
                x[u] = lo[u] + (hi[u] - lo[u]) * rnd01(&rng);
            else if (n <= 10)
                x[u] = ((t - n_samples - 1) >> u) & 1 ? hi[u] : lo[u];
            else
                x[u] = rnd01(&rng) < 0.5 ? lo[u] : hi[u];
            x[u] = fmin(fmax(x[u], lo[u]), hi[u]);
        }
        fnet_forward(&pf, yf, x);
        fnet_forward(&pg, yg, x);
        for (size_t j = 0; j < no; j++)
            for (int s = 0; s < 2; s++) {
                double v = s == 0 ? yf[j] - yg[j] : yg[j] - yf[j];
                double *sv = &sval[(2 * j + (size_t)s) * STARTS];
                size_t worst = 0;
                for (size_t q = 1; q < STARTS; q++)
                    if (sv[q] < sv[worst])
                        worst = q;
                if (v > sv[worst]) {
                    sv[worst] = v;
                    memcpy(&start[((2 * j + (size_t)s) * STARTS + worst) * n], x,
                           n * sizeof(double));
                }
            }
    }
    lump_progress_end(lv);
    lv = lump_progress_begin("search output", no, LUMP_PROGRESS_EVEN);
    for (size_t j = 0; j < no; j++) {
        double bestv = -HUGE_VAL;
        LUMP_CHECK(lump_progress_step(lv, j));
        for (int s = 0; s < 2; s++)
            for (size_t q = 0; q < STARTS; q++) {
                size_t id = (2 * j + (size_t)s) * STARTS + q;
                double cur = sval[id], step = 0.25;
                double sign = s == 0 ? 1.0 : -1.0;
                if (cur == -HUGE_VAL)
                    continue;
                memcpy(x, &start[id * n], n * sizeof(double));
                for (int it = 0; it < STEPS && step > 1e-6; it++) {
                    double v;
                    for (size_t u = 0; u < n; u++)
                        grad[u] = 0.0;
                    fnet_forward(&pf, yf, x);
                    fnet_grad(&pf, grad, x, j, sign);
                    fnet_forward(&pg, yg, x);
                    fnet_grad(&pg, grad, x, j, -sign);
                    for (size_t u = 0; u < n; u++) {
                        double d = grad[u] > 0 ? 1 : grad[u] < 0 ? -1 : 0;
                        grad[u] = fmin(fmax(x[u] + d * step * (hi[u] - lo[u]), lo[u]), hi[u]);
                    }
                    fnet_forward(&pf, yf, grad);
                    fnet_forward(&pg, yg, grad);
                    v = sign * (yf[j] - yg[j]);
                    if (v > cur) {
                        cur = v;
                        memcpy(x, grad, n * sizeof(double));
                    } else
                        step *= 0.5;
                }
                if (cur > bestv) {
                    bestv = cur;
                    memcpy(&best[j * n], x, n * sizeof(double));
                }
            }
        LUMP_CHECK(confirm(&out[j], f, g, j, &best[j * n]));
    }
cleanup:
    lump_progress_end(level);
    fnet_clear(&pf);
    fnet_clear(&pg);
    LUMP_FREE_ALL(lo, hi, x, grad, yf, yg, best, start, sval);
    return err;
}
