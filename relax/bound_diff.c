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
#include "bound_sym.h"

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
    o->symbolic = 1;
    o->lp = 1;
    o->max_boxes = 64;
}

void lump_bound_result_init(lump_bound_result_t *r)
{
    memset(r, 0, sizeof *r);
}

void lump_bound_result_clear(lump_bound_result_t *r)
{
    free(r->bound);
    free(r->naive);
    free(r->bound_sym);
    free(r->bound_lp);
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
static void input_diff(double *lo, double *hi, const lump_net_t *F, const lump_net_t *G,
                       const lump_box_t *box, size_t u, mpq_t t1, mpq_t t2)
{
    mpq_t dl, dh, lg, hg, a, c, rl, rh;
    mpq_inits(dl, dh, lg, hg, a, c, rl, rh, NULL);
    clip_diff(dl, dh, F, G, box, u, lg, hg);
    mpq_set_ui(a, 1, 1);
    mpq_set_ui(c, 0, 1);
    if (F->has_norm) {
        mpq_inv(a, F->norm_range[u]);
        mpq_div(t1, F->norm_mean[u], F->norm_range[u]);
        mpq_sub(rl, rl, t1);
        mpq_sub(rh, rh, t1);
    }
    mpq_set(c, a);
    if (G->has_norm) {
        mpq_inv(t1, G->norm_range[u]);
        mpq_sub(c, c, t1);
        mpq_div(t1, G->norm_mean[u], G->norm_range[u]);
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

/* The differential encoding (ReluDiff/NeuroDiff, Paulsen et al., ICSE
 * 2020 and ASE 2020) through the pairing P: neuron v of F paired with
 * neuron w = pi(v) of G and scale c gets the columns dz = z_f - c z_g and
 * delta = y_f - c y_g - kappa, bounded by D (the symbolic or interval
 * difference bounds), with their definitional rows. For a monotone
 * activation with Lipschitz constant L (relu with c > 0, and the others
 * with c = 1, which the pairing ensures), delta lies between 0 and L dz:
 * the convex hull of those two triangles over [dl, du] is added as rows.
 * Unpaired neurons need no columns: their y_f is in the model already.
 * OUT_COL receives the output difference columns, OUT_LO/OUT_HI their
 * bounds. */
static lump_error_t encode_diff(lump_i_model_t *m, const side_t *f, const side_t *g,
                                const lump_i_pair_t *P, const lump_i_dbounds_t *D,
                                size_t *out_col, double *out_lo, double *out_hi)
{
    lump_error_t err = LUMP_OK;
    const lump_net_t *F = f->net, *G = g->net;
    size_t k = F->n_layers, nout = lump_net_n_outputs(F);
    mpq_t t1, t2, zero, fl, fu;
    mpq_inits(t1, t2, zero, fl, fu, NULL);
    for (size_t i = 1; i <= k; i++) {
        const lump_layer_t *LF = &F->layers[i - 1];
        for (size_t v = 0; v < LF->size; v++) {
            const lump_act_t *af = lump_layer_act(LF, v);
            size_t w = P->pi[i][v], dzc, dy, yf, yg;
            double dl = D->dzl[i][v], du = D->dzh[i][v], lo, hi, L;
            if (w == LUMP_I_UNPAIRED || i == k)
                continue;
            LUMP_CHECK(lump_i_model_col(m, dl, du, &dzc));
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_d(m, dzc, 1.0));
            LUMP_CHECK(lump_i_model_ent_d(m, f->zcol[i - 1][v], -1.0));
            LUMP_CHECK(lump_i_model_ent_q(m, g->zcol[i - 1][w], P->c[i][v], 0));
            lump_i_model_row_end(m, zero, zero);
            if (af->kind == LUMP_ACT_IDENTITY)
                continue; /* delta = dz, which the next layer never reads */
            yf = f->ycol[i - 1][v];
            yg = g->ycol[i - 1][w];
            if (yf == NOCOL && yg == NOCOL)
                continue; /* both constant 0 */
            lo = D->dyl[i][v];
            hi = D->dyh[i][v];
            LUMP_CHECK(lump_i_model_col(m, lo, hi, &dy));
            LUMP_CHECK(lump_i_model_row_begin(m));
            LUMP_CHECK(lump_i_model_ent_d(m, dy, 1.0));
            if (yf != NOCOL)
                LUMP_CHECK(lump_i_model_ent_d(m, yf, -1.0));
            if (yg != NOCOL)
                LUMP_CHECK(lump_i_model_ent_q(m, yg, P->c[i][v], 0));
            mpq_neg(t1, P->kappa[i][v]);
            lump_i_model_row_end(m, t1, t1);
            L = lipschitz(af);
            if (L == 0 || mpq_sgn(P->kappa[i][v]) != 0)
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
    }
    for (size_t j = 0; j < nout; j++) {
        double lo, hi;
        diff_ival(&lo, &hi, f->olo[j], f->ohi[j], g->olo[j], g->ohi[j]);
        if (out_lo[j] > lo)
            lo = out_lo[j];
        if (out_hi[j] < hi)
            hi = out_hi[j];
        out_lo[j] = lo;
        out_hi[j] = hi;
        LUMP_CHECK(lump_i_model_col(m, lo, hi, &out_col[j]));
        LUMP_CHECK(row3(m, out_col[j], 1.0, f->ocol[j], -1.0, g->ocol[j], 1.0, zero, zero));
    }
    (void)G;
cleanup:
    mpq_clears(t1, t2, zero, fl, fu, NULL);
    return err;
}

/* [LO, HI] of o_f - o_g for output J from the bounds [DL, DH] of
 * dz = z_f - z_g when both networks map their outputs alike (o = s y + t,
 * so o_f - o_g = s dz exactly); [-inf, inf] otherwise. */
static void out_diff(double *lo, double *hi, const lump_net_t *F, const lump_net_t *G, size_t j,
                     double dl, double dh)
{
    mpq_t a, b;
    *lo = -HUGE_VAL;
    *hi = HUGE_VAL;
    if (!F->has_outmap && !G->has_outmap) {
        *lo = dl;
        *hi = dh;
        return;
    }
    if (!(F->has_outmap && G->has_outmap && mpq_equal(F->out_scale[j], G->out_scale[j]) &&
          mpq_equal(F->out_shift[j], G->out_shift[j])) ||
        !isfinite(dl) || !isfinite(dh))
        return;
    mpq_inits(a, b, NULL);
    mpq_set_d(a, dl);
    mpq_mul(a, a, F->out_scale[j]);
    mpq_set_d(b, dh);
    mpq_mul(b, b, F->out_scale[j]);
    if (mpq_cmp(a, b) > 0)
        mpq_swap(a, b);
    *lo = lump_i_q_down(a);
    *hi = lump_i_q_up(b);
    mpq_clears(a, b, NULL);
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

/* [*LO, *HI] of output J of NET (its output map applied exactly) when the
 * last layer's value lies in [YL, YH]. */
static void out_range(double *lo, double *hi, const lump_net_t *net, size_t j, double yl,
                      double yh)
{
    mpq_t a, c;
    if (!net->has_outmap || !isfinite(yl) || !isfinite(yh)) {
        *lo = yl;
        *hi = yh;
        if (net->has_outmap) {
            *lo = -HUGE_VAL;
            *hi = HUGE_VAL;
        }
        return;
    }
    mpq_inits(a, c, NULL);
    mpq_set_d(a, yl);
    mpq_mul(a, a, net->out_scale[j]);
    mpq_add(a, a, net->out_shift[j]);
    mpq_set_d(c, yh);
    mpq_mul(c, c, net->out_scale[j]);
    mpq_add(c, c, net->out_shift[j]);
    if (mpq_cmp(a, c) > 0)
        mpq_swap(a, c);
    *lo = lump_i_q_down(a);
    *hi = lump_i_q_up(c);
    mpq_clears(a, c, NULL);
}

/* All inputs reach layer 1 of F and G alike: same clip of the box, same
 * normalisation (then they share their input columns and delta_0 = 0). */
static int inputs_shared(const lump_net_t *f, const lump_net_t *g, const lump_box_t *box)
{
    int ok = 1;
    mpq_t lf, hf, lg, hg;
    mpq_inits(lf, hf, lg, hg, NULL);
    for (size_t i = 0; ok && i < f->n_inputs; i++) {
        lump_i_clip_range(lf, hf, f, box, i);
        lump_i_clip_range(lg, hg, g, box, i);
        ok = mpq_equal(lf, lg) && mpq_equal(hf, hg) && same_norm(f, g, i);
    }
    mpq_clears(lf, hf, lg, hg, NULL);
    return ok;
}

/* Symbolic bounds over BOX: UP[j] >= sup f_j - g_j and DN[j] >= sup
 * g_j - f_j (capped by the interval bound of the difference), SENS (n
 * inputs, may be NULL) the input sensitivities; BF, BG, D keep the
 * tightened bounds. */
static lump_error_t sym_box(double *up, double *dn, double *sens, lump_bounds_t *bf,
                            lump_bounds_t *bg, lump_i_dbounds_t *d, const lump_net_t *f,
                            const lump_net_t *g, const lump_i_pair_t *pair,
                            const lump_box_t *box, const lump_bound_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f), k = f->n_layers;
    double *d0l = malloc((n + 1) * sizeof(double)), *d0h = malloc((n + 1) * sizeof(double));
    mpq_t t1, t2;
    mpq_inits(t1, t2, NULL);
    if (d0l == NULL || d0h == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory");
        goto cleanup;
    }
    LUMP_CHECK(lump_bounds_interval(bf, f, box));
    LUMP_CHECK(lump_bounds_interval(bg, g, box));
    for (size_t u = 0; u < n; u++)
        input_diff(&d0l[u], &d0h[u], f, g, box, u, t1, t2);
    LUMP_CHECK(lump_i_sym_bounds(bf, bg, d, f, g, pair, inputs_shared(f, g, box), d0l, d0h,
                                 o->symbolic, o->verbose > 1));
    for (size_t j = 0; j < nout; j++) {
        double a, b, fl, fh, gl, gh;
        out_range(&fl, &fh, f, j, bf->ylo[k - 1][j], bf->yhi[k - 1][j]);
        out_range(&gl, &gh, g, j, bg->ylo[k - 1][j], bg->yhi[k - 1][j]);
        out_diff(&a, &b, f, g, j, d->dzl[k][j], d->dzh[k][j]);
        up[j] = fmin(b, lump_i_up(fh - gl));
        dn[j] = fmin(-a, lump_i_up(gh - fl));
    }
    if (sens != NULL)
        memcpy(sens, d->sens, n * sizeof(double));
cleanup:
    mpq_clears(t1, t2, NULL);
    free(d0l);
    free(d0h);
    return err;
}

/* A piece of the box with its bounds. */
typedef struct {
    lump_box_t box;
    double *up, *dn, *sens;
} leaf_t;

static void leaf_clear(leaf_t *l)
{
    lump_box_clear(&l->box);
    free(l->up);
    free(l->dn);
    free(l->sens);
}

static lump_error_t leaf_init(leaf_t *l, size_t n, size_t nout)
{
    lump_box_init(&l->box);
    l->up = malloc((nout + 1) * sizeof(double));
    l->dn = malloc((nout + 1) * sizeof(double));
    l->sens = calloc(n + 1, sizeof(double));
    if (l->up == NULL || l->dn == NULL || l->sens == NULL)
        return lump_error_set(LUMP_ENOMEM, "bound: out of memory");
    return lump_box_alloc(&l->box, n);
}

/* Input splitting (as in ReluVal, Wang et al., USENIX Security 2018): the
 * sup over the box is the largest sup over pieces that cover it, and the
 * relaxations are much tighter on small pieces. Starting from the whole
 * box (UP, DN, SENS of the root), repeatedly bisect the piece that sets the
 * bound of some output (largest ratio to the current bound), along the
 * input whose back-substituted coefficient times width is largest, while
 * fewer than MAX_BOXES symbolic passes were spent. A piece keeps its
 * parent's bound when its own is larger (the parent's holds on it too).
 * On return UP and DN are the maxima over the pieces. Deterministic. */
static lump_error_t split_boxes(double *up, double *dn, const double *sens, const lump_net_t *f,
                                const lump_net_t *g, const lump_i_pair_t *pair,
                                const lump_box_t *box, const lump_bound_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f), nl = 0, cap, evals = 1;
    leaf_t *lv = NULL;
    lump_bounds_t bf, bg;
    lump_i_dbounds_t d;
    double *G = malloc((nout + 1) * sizeof(double));
    double *tu = malloc((nout + 1) * sizeof(double)), *td = malloc((nout + 1) * sizeof(double));
    lump_bounds_init(&bf);
    lump_bounds_init(&bg);
    lump_i_dbounds_init(&d);
    cap = o->max_boxes / 2 + 2;
    lv = calloc(cap, sizeof *lv);
    if (lv == NULL || G == NULL || tu == NULL || td == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory for %zu boxes", cap);
        goto cleanup;
    }
    LUMP_CHECK(leaf_init(&lv[0], n, nout));
    nl = 1;
    for (size_t u = 0; u < n; u++) {
        mpq_set(lv[0].box.lo[u], box->lo[u]);
        mpq_set(lv[0].box.hi[u], box->hi[u]);
    }
    memcpy(lv[0].up, up, nout * sizeof(double));
    memcpy(lv[0].dn, dn, nout * sizeof(double));
    memcpy(lv[0].sens, sens, n * sizeof(double));
    while (evals + 2 <= o->max_boxes && nl < cap) {
        size_t best = 0, dim = 0;
        double bs = -1, bt = -1, ds = -1;
        leaf_t *P, *C;
        for (size_t j = 0; j < nout; j++) {
            G[j] = 0;
            for (size_t l = 0; l < nl; l++)
                G[j] = fmax(G[j], fmax(lv[l].up[j], lv[l].dn[j]));
        }
        for (size_t l = 0; l < nl; l++) {
            double sc = 0, tot = 0;
            for (size_t j = 0; j < nout; j++) {
                double x = G[j] > 0 ? fmax(lv[l].up[j], lv[l].dn[j]) / G[j] : 0;
                sc = fmax(sc, x);
                tot += x;
            }
            if (sc > bs || (sc == bs && tot > bt)) {
                bs = sc;
                bt = tot;
                best = l;
            }
        }
        if (!(bs > 0) || !isfinite(bs))
            break;
        P = &lv[best];
        for (size_t u = 0; u < n; u++)
            if (P->sens[u] > ds && mpq_cmp(P->box.lo[u], P->box.hi[u]) < 0) {
                ds = P->sens[u];
                dim = u;
            }
        if (ds < 0)
            break; /* a point: nothing to split */
        C = &lv[nl];
        LUMP_CHECK(leaf_init(C, n, nout));
        nl++;
        for (size_t u = 0; u < n; u++) {
            mpq_set(C->box.lo[u], P->box.lo[u]);
            mpq_set(C->box.hi[u], P->box.hi[u]);
        }
        /* P keeps the lower half, C takes the upper half */
        mpq_add(C->box.lo[dim], P->box.lo[dim], P->box.hi[dim]);
        mpq_div_2exp(C->box.lo[dim], C->box.lo[dim], 1);
        mpq_set(P->box.hi[dim], C->box.lo[dim]);
        /* both halves start from the parent's bounds, which hold on them */
        memcpy(C->up, P->up, nout * sizeof(double));
        memcpy(C->dn, P->dn, nout * sizeof(double));
        for (int h = 0; h < 2; h++) {
            leaf_t *X = h == 0 ? C : P;
            LUMP_CHECK(sym_box(tu, td, X->sens, &bf, &bg, &d, f, g, pair, &X->box, o));
            for (size_t j = 0; j < nout; j++) {
                X->up[j] = fmin(X->up[j], tu[j]);
                X->dn[j] = fmin(X->dn[j], td[j]);
            }
        }
        evals += 2;
    }
    for (size_t j = 0; j < nout; j++) {
        up[j] = dn[j] = 0;
        for (size_t l = 0; l < nl; l++) {
            up[j] = fmax(up[j], lv[l].up[j]);
            dn[j] = fmax(dn[j], lv[l].dn[j]);
        }
    }
    if (o->verbose)
        fprintf(stderr, "bound: %zu pieces of the box, %zu symbolic passes\n", nl, evals);
cleanup:
    for (size_t l = 0; l < nl; l++)
        leaf_clear(&lv[l]);
    free(lv);
    free(G);
    free(tu);
    free(td);
    lump_bounds_clear(&bf);
    lump_bounds_clear(&bg);
    lump_i_dbounds_clear(&d);
    return err;
}

/* lump_bound_diff_lumped -- see relax.h. Why the result is sound: the
 * symbolic bounds are weak-duality bounds of the layered relaxation whose
 * rounding errors are bounded and added (bound_sym.c), so every neuron
 * bound and difference bound holds at every x in the box (and in each
 * piece of it, when the box is split: the largest piece bound then bounds
 * the whole box). Every row and column bound of the LP holds for the true
 * values of both networks (the z rows hold the exact weights and biases,
 * the column bounds are those sound bounds, the triangle and chord rows
 * have exactly computed intercepts that put them above (below) the convex
 * (concave) activation at both ends, and the difference rows are
 * definitions with the exact scales), so the maximum of the LP with these
 * exact data bounds sup f_j - g_j; weak duality bounds that maximum from
 * any multipliers, evaluated in rationals (lump_i_model_dual_bound).
 * GLPK's floating-point answer only chooses the multipliers. U_j is the
 * smallest of these rigorous values and the (equally sound) interval
 * bound.
 * Errors: LUMP_EINPUT for mismatched networks, a lumping that does not fit
 * or a bad box; LUMP_ENOMEM; LUMP_EINTERNAL when GLPK faults.
 * Time: up to MAX_BOXES symbolic passes, O(n m) each for n neurons and m
 * weights (each neuron back-substitutes to the inputs), then, when the
 * box was not split, 2 n_outputs simplex runs (warm-started) plus
 * O(entries) rational operations each for the dual step. */
lump_error_t lump_bound_diff_lumped(lump_bound_result_t *r, const lump_net_t *f,
                                    const lump_net_t *g, const lump_lumping_t *L,
                                    const lump_box_t *box, const lump_bound_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_bound_opts_t dflt;
    side_t sf, sg;
    lump_i_model_t m;
    lump_i_lp_t *lp = NULL;
    lump_i_pair_t pair;
    lump_i_dbounds_t db;
    size_t nout = lump_net_n_outputs(f), *dcol = NULL;
    double *dlo = NULL, *dhi = NULL, *lambda = NULL, *up = NULL, *dn = NULL, *sens = NULL;
    double t0 = now_seconds();
    int diff, use_lp, split;
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
    lump_i_pair_init(&pair);
    lump_i_dbounds_init(&db);
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
    r->bound_sym = malloc(nout * sizeof(double));
    r->bound_lp = malloc(nout * sizeof(double));
    dcol = malloc(nout * sizeof(size_t));
    dlo = malloc(nout * sizeof(double));
    dhi = malloc(nout * sizeof(double));
    up = malloc(nout * sizeof(double));
    dn = malloc(nout * sizeof(double));
    sens = calloc(f->n_inputs + 1, sizeof(double));
    if (!r->bound || !r->naive || !r->bound_sym || !r->bound_lp || !dcol || !dlo || !dhi ||
        !up || !dn || !sens) {
        err = lump_error_set(LUMP_ENOMEM, "bound: out of memory");
        goto cleanup;
    }
    r->n_outputs = nout;
    /* the naive bound: the interval bounds of both outputs */
    for (size_t j = 0; j < nout; j++) {
        double a, b, fl, fh, gl, gh;
        out_range(&fl, &fh, f, j, sf.b.ylo[f->n_layers - 1][j], sf.b.yhi[f->n_layers - 1][j]);
        out_range(&gl, &gh, g, j, sg.b.ylo[g->n_layers - 1][j], sg.b.yhi[g->n_layers - 1][j]);
        diff_ival(&a, &b, fl, fh, gl, gh);
        r->naive[j] = fmax(b, -a);
        dlo[j] = a;
        dhi[j] = b;
        r->bound_sym[j] = r->bound_lp[j] = HUGE_VAL;
    }
    diff = opts->encoding == LUMP_ENC_DIFFERENTIAL && f->n_layers == g->n_layers;
    if (L != NULL && !diff) {
        err = lump_error_set(LUMP_EINPUT, "bound: pairing through a lumping needs the "
                             "differential encoding and networks of equal depth");
        goto cleanup;
    }
    split = 0;
    if (diff) {
        LUMP_CHECK(lump_i_pair_build(&pair, f, g, L));
        LUMP_CHECK(sym_box(up, dn, sens, &sf.b, &sg.b, &db, f, g, &pair, box, opts));
        split = opts->symbolic && opts->max_boxes >= 3 && f->n_inputs <= LUMP_BOUND_SPLIT_INPUTS;
        if (split)
            LUMP_CHECK(split_boxes(up, dn, sens, f, g, &pair, box, opts));
        for (size_t j = 0; j < nout; j++) {
            dhi[j] = fmin(dhi[j], up[j]);
            dlo[j] = fmax(dlo[j], -dn[j]);
            r->bound_sym[j] = fmax(fmax(dhi[j], -dlo[j]), 0.0);
        }
    }
    r->certified = 1;
    use_lp = !diff || (opts->lp && !split);
    if (use_lp) {
        LUMP_CHECK(encode_inputs(&m, &sf, &sg, box));
        LUMP_CHECK(encode_side(&m, &sf));
        LUMP_CHECK(encode_side(&m, &sg));
        if (diff)
            LUMP_CHECK(encode_diff(&m, &sf, &sg, &pair, &db, dcol, dlo, dhi));
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
    }
    for (size_t j = 0; j < nout; j++) {
        double u = HUGE_VAL, w = HUGE_VAL;
        if (use_lp) {
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
            LUMP_CHECK(solve_one(&u, lp, &m, nobj, col, cp, lambda, opts, &rng));
            LUMP_CHECK(solve_one(&w, lp, &m, nobj, col, cn, lambda, opts, &rng));
            r->bound_lp[j] = fmax(fmax(u, w), 0.0);
        }
        /* U+ bounds sup f - g, U- bounds sup g - f; the symbolic and
         * interval bounds on the difference cap both */
        u = fmin(u, dhi[j]);
        w = fmin(w, -dlo[j]);
        r->bound[j] = fmax(fmax(u, w), 0.0);
        if (!isfinite(r->bound[j]))
            r->certified = 0;
    }
cleanup:
    r->seconds = now_seconds() - t0;
    lump_i_lp_free(lp);
    lump_i_model_clear(&m);
    lump_i_pair_clear(&pair);
    lump_i_dbounds_clear(&db);
    side_clear(&sf);
    side_clear(&sg);
    free(dcol);
    free(dlo);
    free(dhi);
    free(up);
    free(dn);
    free(sens);
    free(lambda);
    if (err != LUMP_OK)
        lump_bound_result_clear(r);
    return err;
}

/* lump_bound_diff -- see relax.h: lump_bound_diff_lumped without a
 * lumping (neurons paired by index when the layer sizes agree). */
lump_error_t lump_bound_diff(lump_bound_result_t *r, const lump_net_t *f, const lump_net_t *g,
                             const lump_box_t *box, const lump_bound_opts_t *opts)
{
    return lump_bound_diff_lumped(r, f, g, NULL, box, opts);
}
