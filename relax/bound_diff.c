/* bound_diff.c -- a certified bound on |f_j - g_j| over a box: a joint LP
 * relaxation of both networks solved by GLPK, made rigorous by weak
 * duality in exact rationals */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bound_util.h"
#include "lp_model.h"

#define NOCOL LUMP_I_NOCOL

/* One network inside the joint LP: its interval bounds and the columns of
 * its layer-1 inputs, of every z and y, and of its mapped outputs.
 * A y column is NOCOL when the neuron is a relu that is off on the whole
 * box (its value is the constant 0). */
typedef struct {
    const lump_net_t *net;
    lump_bounds_t b;
    size_t *xcol;
    size_t **zcol, **ycol;
    size_t *ocol;
    double *olo, *ohi;
} side_t;

void lump_bound_opts_init(lump_bound_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->encoding = LUMP_ENC_DIFFERENTIAL;
    o->seed = 1;
}

void lump_bound_result_init(lump_bound_result_t *r)
{
    memset(r, 0, sizeof *r);
}

void lump_bound_result_clear(lump_bound_result_t *r)
{
    free(r->bound);
    free(r->naive);
    lump_bound_result_init(r);
}

static void side_clear(side_t *s)
{
    for (size_t i = 0; s->zcol != NULL && i < s->net->n_layers; i++) {
        free(s->zcol[i]);
        free(s->ycol[i]);
    }
    free(s->zcol);
    free(s->ycol);
    free(s->xcol);
    free(s->ocol);
    free(s->olo);
    free(s->ohi);
    lump_bounds_clear(&s->b);
}

static lump_error_t side_alloc(side_t *s)
{
    const lump_net_t *n = s->net;
    size_t k = n->n_layers, nout = lump_net_n_outputs(n);
    s->xcol = malloc((n->n_inputs + 1) * sizeof(size_t));
    s->zcol = calloc(k + 1, sizeof(size_t *));
    s->ycol = calloc(k + 1, sizeof(size_t *));
    s->ocol = malloc((nout + 1) * sizeof(size_t));
    s->olo = malloc((nout + 1) * sizeof(double));
    s->ohi = malloc((nout + 1) * sizeof(double));
    if (!s->xcol || !s->zcol || !s->ycol || !s->ocol || !s->olo || !s->ohi)
        return lump_error_set(LUMP_ENOMEM, "bound: out of memory");
    for (size_t i = 0; i < k; i++) {
        s->zcol[i] = malloc((n->layers[i].size + 1) * sizeof(size_t));
        s->ycol[i] = malloc((n->layers[i].size + 1) * sizeof(size_t));
        if (!s->zcol[i] || !s->ycol[i])
            return lump_error_set(LUMP_ENOMEM, "bound: out of memory");
    }
    return LUMP_OK;
}

/* A new row  a*x_a + b*x_b + c*x_c  in [lo, hi] with double coefficients
 * (columns NOCOL are left out, for terms that are constant 0). */
static lump_error_t row3(lump_i_model_t *m, size_t xa, double a, size_t xb, double b, size_t xc,
                         double c, mpq_srcptr lo, mpq_srcptr hi)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_model_row_begin(m));
    if (xa != NOCOL)
        LUMP_CHECK(lump_i_model_ent_d(m, xa, a));
    if (xb != NOCOL)
        LUMP_CHECK(lump_i_model_ent_d(m, xb, b));
    if (xc != NOCOL)
        LUMP_CHECK(lump_i_model_ent_d(m, xc, c));
    lump_i_model_row_end(m, lo, hi);
cleanup:
    return err;
}

/* The chord row  y - s z <= c  (UPPER) or  >= c  of a function that is
 * convex (UPPER) or concave on [l, u] with exact values FL, FU at the
 * ends. The slope S is any double near the chord's; the intercept is then
 * computed exactly as the extreme of f(e) - s e over the two ends, which
 * makes the line lie above (below) the function at both ends, hence on the
 * whole interval by convexity (concavity), whatever rounding S suffered. */
static lump_error_t chord_row(lump_i_model_t *m, size_t yc, size_t zc, double l, mpq_srcptr fl,
                              double u, mpq_srcptr fu, int upper)
{
    lump_error_t err = LUMP_OK;
    double s = (mpq_get_d(fu) - mpq_get_d(fl)) / (u - l);
    mpq_t c1, c2, t;
    mpq_inits(c1, c2, t, NULL);
    if (!isfinite(s))
        s = 0.0; /* any slope is sound; only tightness suffers */
    mpq_set_d(t, s);
    mpq_set_d(c1, l);
    mpq_mul(c1, c1, t);
    mpq_sub(c1, fl, c1);
    mpq_set_d(c2, u);
    mpq_mul(c2, c2, t);
    mpq_sub(c2, fu, c2);
    if ((mpq_cmp(c2, c1) > 0) == (upper != 0))
        mpq_set(c1, c2);
    LUMP_CHECK(row3(m, yc, 1.0, zc, -s, NOCOL, 0, upper ? NULL : c1, upper ? c1 : NULL));
cleanup:
    mpq_clears(c1, c2, t, NULL);
    return err;
}

/* Encode y = act(z) for z in [l, u], y in [ylo, yhi]; *YC receives the y
 * column (ZC itself when the activation is linear there). */
static lump_error_t encode_act(lump_i_model_t *m, size_t *yc, size_t zc, const lump_act_t *act,
                               double l, double u, double ylo, double yhi)
{
    lump_error_t err = LUMP_OK;
    mpq_t zero, fl, fu;
    mpq_inits(zero, fl, fu, NULL);
    *yc = zc;
    if (act->kind == LUMP_ACT_IDENTITY)
        goto cleanup;
    if (act->kind == LUMP_ACT_RELU || act->kind == LUMP_ACT_LEAKY_RELU) {
        int leaky = act->kind == LUMP_ACT_LEAKY_RELU;
        /* leaky_relu(z) = max(z, a z) when a <= 1 (convex), min(z, a z)
         * when a > 1 (concave); relu is a = 0 */
        int convex = !leaky || mpq_cmp_ui(act->alpha, 1, 1) <= 0;
        if (l >= 0)
            goto cleanup;
        if (u <= 0 && !leaky) {
            *yc = NOCOL;
            goto cleanup;
        }
        LUMP_CHECK(lump_i_model_col(m, ylo, yhi, yc));
        if (u <= 0) { /* y = a z */
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_d(m, *yc, 1.0));
            LUMP_CHECK(lump_i_model_ent_q(m, zc, act->alpha, 1));
            lump_i_model_row_end(m, zero, zero);
            goto cleanup;
        }
        /* the two lines whose max (min) the function is */
        LUMP_CHECK(row3(m, *yc, 1.0, zc, -1.0, NOCOL, 0, convex ? zero : NULL,
                        convex ? NULL : zero));
        if (leaky) {
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_d(m, *yc, 1.0));
            LUMP_CHECK(lump_i_model_ent_q(m, zc, act->alpha, 1));
            lump_i_model_row_end(m, convex ? zero : NULL, convex ? NULL : zero);
        }
        mpq_set_d(fl, l);
        if (leaky)
            mpq_mul(fl, fl, act->alpha);
        else
            mpq_set_ui(fl, 0, 1);
        mpq_set_d(fu, u);
        LUMP_CHECK(chord_row(m, *yc, zc, l, fl, u, fu, convex));
        goto cleanup;
    }
    /* sigmoid, tanh: the enclosure [ylo, yhi] alone (sound, loose) */
    LUMP_CHECK(lump_i_model_col(m, ylo, yhi, yc));
cleanup:
    mpq_clears(zero, fl, fu, NULL);
    return err;
}

/* Layers and outputs of one side; its x columns are set already. */
static lump_error_t encode_side(lump_i_model_t *m, side_t *s)
{
    lump_error_t err = LUMP_OK;
    const lump_net_t *net = s->net;
    mpq_t b, zero;
    mpq_inits(b, zero, NULL);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        const size_t *prev = i == 0 ? s->xcol : s->ycol[i - 1];
        for (size_t v = 0; v < L->size; v++) {
            size_t zc;
            LUMP_CHECK(lump_i_model_col(m, s->b.zlo[i][v], s->b.zhi[i][v], &zc));
            s->zcol[i][v] = zc;
            /* z - sum_u w(u,v) y_u = b_v, with the exact weights */
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_d(m, zc, 1.0));
            for (size_t u = 0; u < L->in_size; u++)
                if (prev[u] != NOCOL && lump_arr_sgn(&L->weight, v * L->in_size + u) != 0)
                    LUMP_CHECK(lump_i_model_ent_arr(m, prev[u], &L->weight, v * L->in_size + u, 1));
            lump_arr_get(b, &L->bias, v);
            lump_i_model_row_end(m, b, b);
            LUMP_CHECK(encode_act(m, &s->ycol[i][v], zc, lump_layer_act(L, v), s->b.zlo[i][v],
                                  s->b.zhi[i][v], s->b.ylo[i][v], s->b.yhi[i][v]));
        }
    }
    {
        size_t k = net->n_layers - 1, nout = lump_net_n_outputs(net);
        mpq_t a, c;
        mpq_inits(a, c, NULL);
        for (size_t j = 0; j < nout; j++) {
            size_t yc = s->ycol[k][j];
            /* o = scale * y + shift: its exact range at both ends of y */
            mpq_set_d(a, s->b.ylo[k][j]);
            mpq_set_d(c, s->b.yhi[k][j]);
            mpq_set_ui(b, 0, 1);
            if (net->has_outmap) {
                mpq_mul(a, a, net->out_scale[j]);
                mpq_add(a, a, net->out_shift[j]);
                mpq_mul(c, c, net->out_scale[j]);
                mpq_add(c, c, net->out_shift[j]);
                if (mpq_cmp(a, c) > 0)
                    mpq_swap(a, c);
                mpq_set(b, net->out_shift[j]);
            }
            s->olo[j] = lump_i_q_down(a);
            s->ohi[j] = lump_i_q_up(c);
            err = lump_i_model_col(m, s->olo[j], s->ohi[j], &s->ocol[j]);
            if (err == LUMP_OK)
                err = lump_i_model_row_begin(m);
            if (err == LUMP_OK)
                err = lump_i_model_ent_d(m, s->ocol[j], 1.0);
            if (err == LUMP_OK && yc != NOCOL)
                err = net->has_outmap ? lump_i_model_ent_q(m, yc, net->out_scale[j], 1)
                                      : lump_i_model_ent_d(m, yc, -1.0);
            if (err != LUMP_OK)
                break;
            lump_i_model_row_end(m, b, b);
        }
        mpq_clears(a, c, NULL);
    }
cleanup:
    mpq_clears(b, zero, NULL);
    return err;
}

/* [DL, DH] = the range of clip_f(x) - clip_g(x) over the box at input U:
 * the hull of {lf - lg, hf - hg, 0}, since the difference of two clamps
 * of the same x is lf - lg below both ranges, hf - hg above them, and
 * moves monotonically between those values and 0 in between. */
static void clip_diff(mpq_t dl, mpq_t dh, const lump_net_t *f, const lump_net_t *g,
                      const lump_box_t *box, size_t u, mpq_t lg, mpq_t hg)
{
    mpq_t lf, hf;
    mpq_inits(lf, hf, NULL);
    lump_i_clip_range(lf, hf, f, box, u);
    lump_i_clip_range(lg, hg, g, box, u);
    mpq_sub(lf, lf, lg);
    mpq_sub(hf, hf, hg);
    mpq_set_ui(dl, 0, 1);
    mpq_set_ui(dh, 0, 1);
    if (mpq_cmp(lf, dl) < 0)
        mpq_set(dl, lf);
    if (mpq_cmp(hf, dl) < 0)
        mpq_set(dl, hf);
    if (mpq_cmp(lf, dh) > 0)
        mpq_set(dh, lf);
    if (mpq_cmp(hf, dh) > 0)
        mpq_set(dh, hf);
    mpq_clears(lf, hf, NULL);
}

/* LO += min(A l, A h), HI += max(A l, A h). */
static void add_scaled(mpq_t lo, mpq_t hi, const mpq_t a, const mpq_t l, const mpq_t h, mpq_t t)
{
    mpq_mul(t, a, l);
    if (mpq_sgn(a) >= 0) {
        mpq_add(lo, lo, t);
        mpq_mul(t, a, h);
        mpq_add(hi, hi, t);
    } else {
        mpq_add(hi, hi, t);
        mpq_mul(t, a, h);
        mpq_add(lo, lo, t);
    }
}

/* [*lo, *hi] encloses x_f - x_g at input U. With t_f, t_g the clipped
 * inputs, d = t_f - t_g in clip_diff's range and x = (t - mean) / range,
 *   x_f - x_g = d / r_f + t_g (1/r_f - 1/r_g) + (m_g / r_g - m_f / r_f),
 * each term enclosed exactly: tiny when the maps differ only by rounding
 * (a network against its float32 copy), unlike the difference of the two
 * enclosures. */
static void input_diff(double *lo, double *hi, const side_t *f, const side_t *g,
                       const lump_box_t *box, size_t u, mpq_t t1, mpq_t t2)
{
    mpq_t dl, dh, lg, hg, a, c, rl, rh;
    mpq_inits(dl, dh, lg, hg, a, c, rl, rh, NULL);
    clip_diff(dl, dh, f->net, g->net, box, u, lg, hg);
    mpq_set_ui(a, 1, 1);
    mpq_set_ui(c, 0, 1);
    if (f->net->has_norm) {
        mpq_inv(a, f->net->norm_range[u]);
        mpq_div(t1, f->net->norm_mean[u], f->net->norm_range[u]);
        mpq_sub(rl, rl, t1);
        mpq_sub(rh, rh, t1);
    }
    mpq_set(c, a);
    if (g->net->has_norm) {
        mpq_inv(t1, g->net->norm_range[u]);
        mpq_sub(c, c, t1);
        mpq_div(t1, g->net->norm_mean[u], g->net->norm_range[u]);
        mpq_add(rl, rl, t1);
        mpq_add(rh, rh, t1);
    } else {
        mpq_set_ui(t1, 1, 1);
        mpq_sub(c, c, t1);
    }
    add_scaled(rl, rh, a, dl, dh, t2);
    add_scaled(rl, rh, c, lg, hg, t2);
    *lo = lump_i_q_down(rl);
    *hi = lump_i_q_up(rh);
    mpq_clears(dl, dh, lg, hg, a, c, rl, rh, NULL);
}

/* Normalisation maps of F and G agree at input I. */
static int same_norm(const lump_net_t *f, const lump_net_t *g, size_t i)
{
    if (!f->has_norm || !g->has_norm)
        return f->has_norm == g->has_norm;
    return mpq_equal(f->norm_mean[i], g->norm_mean[i]) &&
           mpq_equal(f->norm_range[i], g->norm_range[i]);
}

/* Shared inputs: per input, one column t for the clipped input when both
 * networks clip the box the same way (else one each, unlinked: sound but
 * loose), then per network its normalised inputs x = (t - mean) / range
 * through the exact row  range * x - t = -mean, shared when both
 * normalise alike. */
static lump_error_t encode_inputs(lump_i_model_t *m, side_t *f, side_t *g, const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    mpq_t lf, hf, lg, hg, t;
    mpq_inits(lf, hf, lg, hg, t, NULL);
    for (size_t i = 0; i < f->net->n_inputs; i++) {
        size_t tf, tg;
        lump_i_clip_range(lf, hf, f->net, box, i);
        lump_i_clip_range(lg, hg, g->net, box, i);
        LUMP_CHECK(lump_i_model_col(m, lump_i_q_down(lf), lump_i_q_up(hf), &tf));
        tg = tf;
        if (!mpq_equal(lf, lg) || !mpq_equal(hf, hg)) {
            /* the networks clip differently: t_f - t_g is still confined */
            LUMP_CHECK(lump_i_model_col(m, lump_i_q_down(lg), lump_i_q_up(hg), &tg));
            clip_diff(lf, hf, f->net, g->net, box, i, lg, hg);
            LUMP_CHECK(row3(m, tf, 1.0, tg, -1.0, NOCOL, 0, lf, hf));
        }
        for (int k = 0; k < 2; k++) {
            side_t *s = k == 0 ? f : g;
            size_t tc = k == 0 ? tf : tg, xc;
            if (!s->net->has_norm) {
                s->xcol[i] = tc;
                continue;
            }
            if (k == 1 && tg == tf && same_norm(f->net, g->net, i)) {
                s->xcol[i] = f->xcol[i];
                continue;
            }
            LUMP_CHECK(lump_i_model_col(m, s->b.xlo[i], s->b.xhi[i], &xc));
            s->xcol[i] = xc;
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_q(m, xc, s->net->norm_range[i], 0));
            LUMP_CHECK(lump_i_model_ent_d(m, tc, -1.0));
            mpq_neg(t, s->net->norm_mean[i]);
            lump_i_model_row_end(m, t, t);
        }
    }
cleanup:
    mpq_clears(lf, hf, lg, hg, t, NULL);
    return err;
}

/* [*lo, *hi] encloses a - b for a in [al, ah], b in [bl, bh]. */
static void diff_ival(double *lo, double *hi, double al, double ah, double bl, double bh)
{
    *lo = lump_i_down(al - bh);
    *hi = lump_i_up(ah - bl);
}

/* [*lo, *hi] encloses the exact difference of two array entries. */
static void arr_diff_ival(double *lo, double *hi, const lump_arr_t *a, const lump_arr_t *b,
                          size_t i, mpq_t t1, mpq_t t2)
{
    if (a->store != LUMP_STORE_Q && b->store != LUMP_STORE_Q) {
        double x = a->store == LUMP_STORE_F32 ? ((const float *)a->data)[i]
                                              : ((const double *)a->data)[i];
        double y = b->store == LUMP_STORE_F32 ? ((const float *)b->data)[i]
                                              : ((const double *)b->data)[i];
        double d = x - y;
        if (x == y)
            *lo = *hi = 0.0;
        else {
            *lo = lump_i_down(d);
            *hi = lump_i_up(d);
        }
        return;
    }
    lump_arr_get(t1, a, i);
    lump_arr_get(t2, b, i);
    if (mpq_equal(t1, t2)) {
        *lo = *hi = 0.0;
        return;
    }
    mpq_sub(t1, t1, t2);
    *lo = lump_i_q_down(t1);
    *hi = lump_i_q_up(t1);
}

/* The Lipschitz constant L of a monotone activation that makes
 * act(a) - act(b) lie between 0 and L (a - b), or 0 when there is none to
 * use (non-monotone or steeper than 1). */
static double lipschitz(const lump_act_t *a)
{
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
    case LUMP_ACT_RELU:
    case LUMP_ACT_TANH:
        return 1.0;
    case LUMP_ACT_SIGMOID:
        return 0.25;
    case LUMP_ACT_LEAKY_RELU:
        return mpq_sgn(a->alpha) >= 0 && mpq_cmp_ui(a->alpha, 1, 1) <= 0 ? 1.0 : 0.0;
    }
    return 0.0;
}

/* The networks can be paired neuron by neuron: same depth, same sizes. */
static int pairable(const lump_net_t *f, const lump_net_t *g)
{
    if (f->n_layers != g->n_layers)
        return 0;
    for (size_t i = 0; i < f->n_layers; i++)
        if (f->layers[i].size != g->layers[i].size)
            return 0;
    return 1;
}

/* The differential encoding (ReluDiff/NeuroDiff, Paulsen et al., ICSE
 * 2020 and ASE 2020): neuron v of F is paired with neuron v of G, and the
 * differences dz = z_f - z_g, dy = y_f - y_g get columns of their own with
 * bounds from a differential interval pass,
 *   dz_v in sum_u wf(u,v) dy_u + sum_u (wf - wg)(u,v) y_g,u + (bf - bg)_v,
 * which stays small when the networks are close (unlike the difference of
 * the two enclosures), and the rows  dz - z_f + z_g = 0,
 * dy - y_f + y_g = 0. For a monotone activation with Lipschitz constant L,
 * dy lies between 0 and L dz: the convex hull of those two triangles over
 * [dl, du] is added as rows. OUT_COL receives the output difference
 * columns, OUT_LO/OUT_HI their interval bounds. */
static lump_error_t encode_diff(lump_i_model_t *m, const side_t *f, const side_t *g,
                                const lump_box_t *box, size_t *out_col, double *out_lo, double *out_hi,
                                int verbose)
{
    lump_error_t err = LUMP_OK;
    const lump_net_t *F = f->net, *G = g->net;
    size_t cap = F->n_inputs, k = F->n_layers, nout = lump_net_n_outputs(F);
    double *dyl = NULL, *dyh = NULL, *ndl = NULL, *ndh = NULL, *wl = NULL, *wh = NULL;
    double *vl = NULL, *vh = NULL;
    size_t *dyc = NULL, *ndc = NULL;
    mpq_t t1, t2, zero, fl, fu;
    mpq_inits(t1, t2, zero, fl, fu, NULL);
    for (size_t i = 0; i < k; i++)
        if (F->layers[i].size > cap)
            cap = F->layers[i].size;
    dyl = malloc(cap * sizeof(double));
    dyh = malloc(cap * sizeof(double));
    ndl = malloc(cap * sizeof(double));
    ndh = malloc(cap * sizeof(double));
    wl = malloc(2 * cap * sizeof(double));
    wh = malloc(2 * cap * sizeof(double));
    vl = malloc(2 * cap * sizeof(double));
    vh = malloc(2 * cap * sizeof(double));
    dyc = malloc(cap * sizeof(size_t));
    ndc = malloc(cap * sizeof(size_t));
    if (!dyl || !dyh || !ndl || !ndh || !wl || !wh || !vl || !vh || !dyc || !ndc) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory");
        goto cleanup;
    }
    for (size_t u = 0; u < F->n_inputs; u++) {
        dyc[u] = NOCOL; /* the inputs need no difference column */
        if (f->xcol[u] == g->xcol[u])
            dyl[u] = dyh[u] = 0.0;
        else
            input_diff(&dyl[u], &dyh[u], f, g, box, u, t1, t2);
    }
    for (size_t i = 0; i < k; i++) {
        const lump_layer_t *LF = &F->layers[i], *LG = &G->layers[i];
        const size_t n = LF->in_size;
        const double *ygl = i == 0 ? g->b.xlo : g->b.ylo[i - 1];
        const double *ygh = i == 0 ? g->b.xhi : g->b.yhi[i - 1];
        for (size_t u = 0; u < n; u++) {
            vl[u] = dyl[u];
            vh[u] = dyh[u];
            vl[n + u] = ygl[u];
            vh[n + u] = ygh[u];
        }
        for (size_t v = 0; v < LF->size; v++) {
            const lump_act_t *af = lump_layer_act(LF, v), *ag = lump_layer_act(LG, v);
            double dl, du, bl, bh, lo, hi, L;
            size_t dzc, dy;
            int f_on = f->b.zlo[i][v] >= 0, g_on = g->b.zlo[i][v] >= 0;
            for (size_t u = 0; u < n; u++) {
                lump_i_arr_ival(&LF->weight, v * n + u, &wl[u], &wh[u]);
                arr_diff_ival(&wl[n + u], &wh[n + u], &LF->weight, &LG->weight, v * n + u, t1, t2);
            }
            arr_diff_ival(&bl, &bh, &LF->bias, &LG->bias, v, t1, t2);
            lump_i_dot_ival(&dl, &du, 2 * n, wl, wh, vl, vh, bl, bh);
            diff_ival(&lo, &hi, f->b.zlo[i][v], f->b.zhi[i][v], g->b.zlo[i][v], g->b.zhi[i][v]);
            dl = fmax(dl, lo);
            du = fmin(du, hi);
            LUMP_CHECK(lump_i_model_col(m, dl, du, &dzc));
            LUMP_CHECK(row3(m, dzc, 1.0, f->zcol[i][v], -1.0, g->zcol[i][v], 1.0, zero, zero));
            /* the activation difference */
            L = lump_act_equal(af, ag) ? lipschitz(af) : 0.0;
            diff_ival(&lo, &hi, f->b.ylo[i][v], f->b.yhi[i][v], g->b.ylo[i][v], g->b.yhi[i][v]);
            if (L > 0 && (af->kind == LUMP_ACT_IDENTITY || (f_on && g_on && af->kind != LUMP_ACT_SIGMOID &&
                                                            af->kind != LUMP_ACT_TANH))) {
                ndc[v] = dzc; /* linear on both sides: dy = dz */
                ndl[v] = dl;
                ndh[v] = du;
                continue;
            }
            if (f->ycol[i][v] == NOCOL && g->ycol[i][v] == NOCOL) {
                ndc[v] = NOCOL; /* both constant 0 */
                ndl[v] = ndh[v] = 0.0;
                continue;
            }
            if (L > 0) {
                lo = fmax(lo, fmin(0.0, L * dl)); /* L is 1 or 1/4: exact */
                hi = fmin(hi, fmax(0.0, L * du));
            }
            LUMP_CHECK(lump_i_model_col(m, lo, hi, &dy));
            LUMP_CHECK(row3(m, dy, 1.0, f->ycol[i][v], -1.0, g->ycol[i][v], 1.0, zero, zero));
            ndc[v] = dy;
            ndl[v] = lo;
            ndh[v] = hi;
            if (L == 0)
                continue;
            if (dl >= 0) /* 0 <= dy <= L dz */
                LUMP_CHECK(row3(m, dy, 1.0, dzc, -L, NOCOL, 0, NULL, zero));
            else if (du <= 0) /* L dz <= dy <= 0 */
                LUMP_CHECK(row3(m, dy, 1.0, dzc, -L, NOCOL, 0, zero, NULL));
            else {
                /* upper envelope max(0, L dz) is convex: chord above it;
                 * lower envelope min(0, L dz) is concave: chord below */
                mpq_set_ui(fl, 0, 1);
                mpq_set_d(fu, L * du);
                LUMP_CHECK(chord_row(m, dy, dzc, dl, fl, du, fu, 1));
                mpq_set_d(fl, L * dl);
                mpq_set_ui(fu, 0, 1);
                LUMP_CHECK(chord_row(m, dy, dzc, dl, fl, du, fu, 0));
            }
        }
        if (verbose) {
            double mx = 0, my = 0;
            for (size_t v = 0; v < LF->size; v++) {
                mx = fmax(mx, fmax(-ndl[v], ndh[v]));
                my = fmax(my, fmax(-f->b.zlo[i][v], f->b.zhi[i][v]));
            }
            fprintf(stderr, "bound: layer %zu: |y_f - y_g| <= %g, |z_f| <= %g\n", i + 1, mx, my);
        }
        memcpy(dyl, ndl, LF->size * sizeof(double));
        memcpy(dyh, ndh, LF->size * sizeof(double));
        memcpy(dyc, ndc, LF->size * sizeof(size_t));
    }
    for (size_t j = 0; j < nout; j++) {
        double lo, hi;
        diff_ival(&lo, &hi, f->olo[j], f->ohi[j], g->olo[j], g->ohi[j]);
        if (!F->has_outmap && !G->has_outmap) {
            lo = fmax(lo, dyl[j]);
            hi = fmin(hi, dyh[j]);
        } else if (F->has_outmap && G->has_outmap && mpq_equal(F->out_scale[j], G->out_scale[j]) &&
                   mpq_equal(F->out_shift[j], G->out_shift[j])) {
            /* do = scale * dy, exactly at both ends */
            mpq_set_d(t1, dyl[j]);
            mpq_mul(t1, t1, F->out_scale[j]);
            mpq_set_d(t2, dyh[j]);
            mpq_mul(t2, t2, F->out_scale[j]);
            if (mpq_cmp(t1, t2) > 0)
                mpq_swap(t1, t2);
            lo = fmax(lo, lump_i_q_down(t1));
            hi = fmin(hi, lump_i_q_up(t2));
        }
        out_lo[j] = lo;
        out_hi[j] = hi;
        LUMP_CHECK(lump_i_model_col(m, lo, hi, &out_col[j]));
        LUMP_CHECK(row3(m, out_col[j], 1.0, f->ocol[j], -1.0, g->ocol[j], 1.0, zero, zero));
    }
cleanup:
    free(dyl);
    free(dyh);
    free(ndl);
    free(ndh);
    free(wl);
    free(wh);
    free(vl);
    free(vh);
    free(dyc);
    free(ndc);
    mpq_clears(t1, t2, zero, fl, fu, NULL);
    return err;
}

/* A uniform number in [-1, 1] from a splitmix64 state. */
static double unit_noise(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-52 - 1.0;
}

/* Solve max sum coef_k x_{col_k} with GLPK and turn its duals into the
 * rigorous bound *U (+inf when GLPK found no optimum). */
static lump_error_t solve_one(double *u, lump_i_lp_t *lp, const lump_i_model_t *m, size_t nobj,
                              const size_t *col, const double *coef, double *lambda,
                              const lump_bound_opts_t *o, uint64_t *rng)
{
    lump_error_t err = LUMP_OK;
    lump_i_lp_status_t st;
    lump_i_lp_clear_obj(lp);
    for (size_t k = 0; k < nobj; k++)
        lump_i_lp_set_obj(lp, col[k], coef[k]);
    LUMP_CHECK(lump_i_lp_solve(lp, &st));
    if (st != LUMP_I_LP_OPTIMAL) {
        *u = HUGE_VAL;
        if (o->verbose)
            fprintf(stderr, "bound: GLPK status %d, no certified value\n", (int)st);
        goto cleanup;
    }
    for (size_t i = 0; i < m->nrows; i++) {
        lambda[i] = lump_i_lp_row_dual(lp, i);
        if (o->perturb > 0)
            lambda[i] *= 1.0 + o->perturb * unit_noise(rng);
    }
    LUMP_CHECK(lump_i_model_dual_bound(u, m, lambda, nobj, col, coef));
    if (o->verbose)
        fprintf(stderr, "bound: GLPK objective %.17g, rigorous %.17g\n", lump_i_lp_obj(lp), *u);
cleanup:
    return err;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* lump_bound_diff -- see relax.h. Why the result is sound: every row and
 * column bound of the model holds for the true values of both networks at
 * every x in the box (the z rows hold the exact weights and biases, the
 * column bounds come from outward-rounded interval arithmetic, the
 * triangle and chord rows have exactly computed intercepts that put them
 * above (below) the convex (concave) activation at both ends, and the
 * difference rows are definitions), so the maximum of the LP with these
 * exact data bounds sup f_j - g_j; weak duality bounds that maximum from
 * any multipliers, evaluated in rationals (lump_i_model_dual_bound). GLPK's
 * floating-point answer only chooses the multipliers. The reported U_j is
 * also capped by the (equally sound) interval bound on the difference.
 * Errors: LUMP_EINPUT for mismatched networks or a bad box; LUMP_ENOMEM;
 * LUMP_EINTERNAL when GLPK faults.
 * Time: 2 n_outputs simplex runs (warm-started) plus O(entries) rational
 * operations each for the dual step. */
lump_error_t lump_bound_diff(lump_bound_result_t *r, const lump_net_t *f, const lump_net_t *g,
                             const lump_box_t *box, const lump_bound_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_bound_opts_t dflt;
    side_t sf, sg;
    lump_i_model_t m;
    lump_i_lp_t *lp = NULL;
    size_t nout = lump_net_n_outputs(f), *dcol = NULL;
    double *dlo = NULL, *dhi = NULL, *lambda = NULL, t0 = now_seconds();
    int diff;
    uint64_t rng;
    if (opts == NULL) {
        lump_bound_opts_init(&dflt);
        opts = &dflt;
    }
    rng = opts->seed;
    memset(&sf, 0, sizeof sf);
    memset(&sg, 0, sizeof sg);
    sf.net = f;
    sg.net = g;
    lump_i_model_init(&m);
    lump_bound_result_clear(r);
    if (f->n_inputs != g->n_inputs)
        return lump_error_set(LUMP_EINPUT, "bound: the networks have %zu and %zu inputs",
                              f->n_inputs, g->n_inputs);
    if (nout != lump_net_n_outputs(g))
        return lump_error_set(LUMP_EINPUT, "bound: the networks have %zu and %zu outputs", nout,
                              lump_net_n_outputs(g));
    if (nout == 0)
        return lump_error_set(LUMP_EINPUT, "bound: the networks have no outputs");
    LUMP_CHECK(lump_i_check_box(f, box, "bound"));
    LUMP_CHECK(lump_bounds_interval(&sf.b, f, box));
    LUMP_CHECK(lump_bounds_interval(&sg.b, g, box));
    LUMP_CHECK(side_alloc(&sf));
    LUMP_CHECK(side_alloc(&sg));
    r->bound = malloc(nout * sizeof(double));
    r->naive = malloc(nout * sizeof(double));
    dcol = malloc(nout * sizeof(size_t));
    dlo = malloc(nout * sizeof(double));
    dhi = malloc(nout * sizeof(double));
    if (!r->bound || !r->naive || !dcol || !dlo || !dhi) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory");
        goto cleanup;
    }
    r->n_outputs = nout;
    LUMP_CHECK(encode_inputs(&m, &sf, &sg, box));
    LUMP_CHECK(encode_side(&m, &sf));
    LUMP_CHECK(encode_side(&m, &sg));
    diff = opts->encoding == LUMP_ENC_DIFFERENTIAL && pairable(f, g);
    if (diff)
        LUMP_CHECK(encode_diff(&m, &sf, &sg, box, dcol, dlo, dhi, opts->verbose));
    else
        for (size_t j = 0; j < nout; j++)
            diff_ival(&dlo[j], &dhi[j], sf.olo[j], sf.ohi[j], sg.olo[j], sg.ohi[j]);
    for (size_t j = 0; j < nout; j++) {
        double a, b;
        diff_ival(&a, &b, sf.olo[j], sf.ohi[j], sg.olo[j], sg.ohi[j]);
        r->naive[j] = fmax(b, -a);
    }
    if (opts->verbose)
        fprintf(stderr, "bound: %s encoding, LP of %zu rows, %zu columns, %zu entries\n",
                diff ? "differential" : "separate", m.nrows, m.ncols, m.ne);
    lambda = malloc((m.nrows + 1) * sizeof(double));
    if (lambda == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory for %zu duals", m.nrows);
        goto cleanup;
    }
    LUMP_CHECK(lump_i_lp_new(&lp, 1));
    LUMP_CHECK(lump_i_model_load(lp, &m));
    r->certified = 1;
    for (size_t j = 0; j < nout; j++) {
        double up, dn;
        size_t col[2];
        double cp[2], cn[2];
        size_t nobj = diff ? 1 : 2;
        if (diff) {
            col[0] = dcol[j];
            cp[0] = 1.0;
            cn[0] = -1.0;
        } else {
            col[0] = sf.ocol[j];
            col[1] = sg.ocol[j];
            cp[0] = 1.0;
            cp[1] = -1.0;
            cn[0] = -1.0;
            cn[1] = 1.0;
        }
        LUMP_CHECK(solve_one(&up, lp, &m, nobj, col, cp, lambda, opts, &rng));
        LUMP_CHECK(solve_one(&dn, lp, &m, nobj, col, cn, lambda, opts, &rng));
        if (!isfinite(up) || !isfinite(dn))
            r->certified = 0;
        /* U+ bounds sup f - g, U- bounds sup g - f; the interval bound
         * on the difference caps both */
        up = fmin(up, dhi[j]);
        dn = fmin(dn, -dlo[j]);
        r->bound[j] = fmax(fmax(up, dn), 0.0);
    }
cleanup:
    r->seconds = now_seconds() - t0;
    lump_i_lp_free(lp);
    lump_i_model_clear(&m);
    side_clear(&sf);
    side_clear(&sg);
    free(dcol);
    free(dlo);
    free(dhi);
    free(lambda);
    if (err != LUMP_OK)
        lump_bound_result_clear(r);
    return err;
}
