/* bound_encode.c -- the joint LP model of two networks over a box: their
 * layers, shared inputs and paired differences, every row sound for the
 * exact networks */
#include <math.h>
#include <stdlib.h>
#include "bound_encode.h"
#include "alloc_i.h"

#define NOCOL LUMP_I_NOCOL

void lump_i_lpside_clear(lump_i_lpside_t *s)
{
    for (size_t i = 0; s->zcol != NULL && i < s->net->n_layers; i++) {
        free(s->zcol[i]);
        free(s->ycol[i]);
    }
    LUMP_FREE_ALL(s->zcol, s->ycol, s->xcol, s->ocol, s->olo, s->ohi);
    lump_bounds_clear(&s->b);
}

void lump_i_lpside_alloc(lump_i_lpside_t *s)
{
    const lump_net_t *n = s->net;
    size_t k = n->n_layers, nout = lump_net_n_outputs(n);
    s->xcol = lump_alloc_array(n->n_inputs + 1, sizeof(size_t));
    s->zcol = lump_alloc_zero(k + 1, sizeof(size_t *));
    s->ycol = lump_alloc_zero(k + 1, sizeof(size_t *));
    s->ocol = lump_alloc_array(nout + 1, sizeof(size_t));
    s->olo = lump_alloc_array(nout + 1, sizeof(double));
    s->ohi = lump_alloc_array(nout + 1, sizeof(double));
    for (size_t i = 0; i < k; i++) {
        s->zcol[i] = lump_alloc_array(n->layers[i].size + 1, sizeof(size_t));
        s->ycol[i] = lump_alloc_array(n->layers[i].size + 1, sizeof(size_t));
    }
}

/* A new row  a*x_a + b*x_b + c*x_c  in [lo, hi] with double coefficients
 * (columns NOCOL are left out, for terms that are constant 0). */
static void row3(lump_i_model_t *m, size_t xa, double a, size_t xb, double b, size_t xc, double c,
                 mpq_srcptr lo, mpq_srcptr hi)
{
    lump_i_model_row_begin(m);
    if (xa != NOCOL)
        lump_i_model_ent_d(m, xa, a);
    if (xb != NOCOL)
        lump_i_model_ent_d(m, xb, b);
    if (xc != NOCOL)
        lump_i_model_ent_d(m, xc, c);
    lump_i_model_row_end(m, lo, hi);
}

/* The chord row  y - s z <= c  (UPPER) or  >= c  of a function that is
 * convex (UPPER) or concave on [l, u] with exact values FL, FU at the
 * ends. The slope S is any double near the chord's; the intercept is then
 * computed exactly as the extreme of f(e) - s e over the two ends, which
 * makes the line lie above (below) the function at both ends, hence on the
 * whole interval by convexity (concavity), whatever rounding S suffered. */
static void chord_row(lump_i_model_t *m, size_t yc, size_t zc, double l, mpq_srcptr fl, double u,
                      mpq_srcptr fu, int upper)
{
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
    row3(m, yc, 1.0, zc, -s, NOCOL, 0, upper ? NULL : c1, upper ? c1 : NULL);
    mpq_clears(c1, c2, t, NULL);
}

/* Encode y = act(z) for z in [l, u], y in [ylo, yhi]; *YC receives the y
 * column (ZC itself when the activation is linear there). */
static void encode_act(lump_i_model_t *m, size_t *yc, size_t zc, const lump_act_t *act, double l,
                       double u, double ylo, double yhi)
{
    mpq_t zero, fl, fu;
    mpq_inits(zero, fl, fu, NULL);
    *yc = zc;
    if (lump_i_act_of(act)->linear)
        goto cleanup;
    if (lump_i_act_of(act)->kink) {
        int leaky = lump_i_act_of(act)->has_alpha;
        /* leaky_relu(z) = max(z, a z) when a <= 1 (convex), min(z, a z)
         * when a > 1 (concave); relu is a = 0 */
        int convex = !leaky || mpq_cmp_ui(act->alpha, 1, 1) <= 0;
        if (l >= 0)
            goto cleanup;
        if (u <= 0 && !leaky) {
            *yc = NOCOL;
            goto cleanup;
        }
        lump_i_model_col(m, ylo, yhi, yc);
        if (u <= 0) { /* y = a z */
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, *yc, 1.0);
            lump_i_model_ent_q(m, zc, act->alpha, 1);
            lump_i_model_row_end(m, zero, zero);
            goto cleanup;
        }
        /* the two lines whose max (min) the function is */
        row3(m, *yc, 1.0, zc, -1.0, NOCOL, 0, convex ? zero : NULL, convex ? NULL : zero);
        if (leaky) {
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, *yc, 1.0);
            lump_i_model_ent_q(m, zc, act->alpha, 1);
            lump_i_model_row_end(m, convex ? zero : NULL, convex ? NULL : zero);
        }
        mpq_set_d(fl, l);
        if (leaky)
            mpq_mul(fl, fl, act->alpha);
        else
            mpq_set_ui(fl, 0, 1);
        mpq_set_d(fu, u);
        chord_row(m, *yc, zc, l, fl, u, fu, convex);
        goto cleanup;
    }
    /* sigmoid, tanh: the enclosure [ylo, yhi] and two sound lines */
    lump_i_model_col(m, ylo, yhi, yc);
    if (!lump_i_act_of(act)->pwl) {
        double us, ut, ls, lt;
        lump_i_smooth_lines(&us, &ut, &ls, &lt, act, l, u);
        if (us != 0) {
            mpq_set_d(fu, ut);
            row3(m, *yc, 1.0, zc, -us, NOCOL, 0, NULL, fu);
        }
        if (ls != 0) {
            mpq_set_d(fl, lt);
            row3(m, *yc, 1.0, zc, -ls, NOCOL, 0, fl, NULL);
        }
    }
cleanup:
    mpq_clears(zero, fl, fu, NULL);
}

/* Layers and outputs of one side; its x columns are set already. */
void lump_i_encode_side(lump_i_model_t *m, lump_i_lpside_t *s)
{
    const lump_net_t *net = s->net;
    mpq_t b, zero;
    mpq_inits(b, zero, NULL);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        const size_t *prev = i == 0 ? s->xcol : s->ycol[i - 1];
        for (size_t v = 0; v < L->size; v++) {
            size_t zc;
            lump_i_model_col(m, s->b.zlo[i][v], s->b.zhi[i][v], &zc);
            s->zcol[i][v] = zc;
            lump_i_model_def_row(m, zc, L, v, prev, b);
            encode_act(m, &s->ycol[i][v], zc, lump_layer_act(L, v), s->b.zlo[i][v], s->b.zhi[i][v],
                       s->b.ylo[i][v], s->b.yhi[i][v]);
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
            lump_i_model_col(m, s->olo[j], s->ohi[j], &s->ocol[j]);
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, s->ocol[j], 1.0);
            if (yc != NOCOL && net->has_outmap)
                lump_i_model_ent_q(m, yc, net->out_scale[j], 1);
            else if (yc != NOCOL)
                lump_i_model_ent_d(m, yc, -1.0);
            lump_i_model_row_end(m, b, b);
        }
        mpq_clears(a, c, NULL);
    }
    mpq_clears(b, zero, NULL);
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
void lump_i_input_diff(double *lo, double *hi, const lump_net_t *F, const lump_net_t *G,
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
void lump_i_encode_inputs(lump_i_model_t *m, lump_i_lpside_t *f, lump_i_lpside_t *g,
                          const lump_box_t *box)
{
    mpq_t lf, hf, lg, hg, t;
    mpq_inits(lf, hf, lg, hg, t, NULL);
    for (size_t i = 0; i < f->net->n_inputs; i++) {
        size_t tf, tg;
        lump_i_clip_range(lf, hf, f->net, box, i);
        lump_i_clip_range(lg, hg, g->net, box, i);
        lump_i_model_col(m, lump_i_q_down(lf), lump_i_q_up(hf), &tf);
        tg = tf;
        if (!mpq_equal(lf, lg) || !mpq_equal(hf, hg)) {
            /* the networks clip differently: t_f - t_g is still confined */
            lump_i_model_col(m, lump_i_q_down(lg), lump_i_q_up(hg), &tg);
            clip_diff(lf, hf, f->net, g->net, box, i, lg, hg);
            row3(m, tf, 1.0, tg, -1.0, NOCOL, 0, lf, hf);
        }
        for (int k = 0; k < 2; k++) {
            lump_i_lpside_t *s = k == 0 ? f : g;
            size_t tc = k == 0 ? tf : tg, xc;
            if (!s->net->has_norm) {
                s->xcol[i] = tc;
                continue;
            }
            if (k == 1 && tg == tf && same_norm(f->net, g->net, i)) {
                s->xcol[i] = f->xcol[i];
                continue;
            }
            lump_i_model_col(m, s->b.xlo[i], s->b.xhi[i], &xc);
            s->xcol[i] = xc;
            lump_i_model_row_begin(m);
            lump_i_model_ent_q(m, xc, s->net->norm_range[i], 0);
            lump_i_model_ent_d(m, tc, -1.0);
            mpq_neg(t, s->net->norm_mean[i]);
            lump_i_model_row_end(m, t, t);
        }
    }
    mpq_clears(lf, hf, lg, hg, t, NULL);
}

/* All inputs reach layer 1 of F and G alike: same clip of the box, same
 * normalisation (then they share their input columns and delta_0 = 0). */
int lump_i_inputs_shared(const lump_net_t *f, const lump_net_t *g, const lump_box_t *box)
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

/* [*lo, *hi] encloses a - b for a in [al, ah], b in [bl, bh]. */
void lump_i_diff_ival(double *lo, double *hi, double al, double ah, double bl, double bh)
{
    *lo = lump_i_down(al - bh);
    *hi = lump_i_up(ah - bl);
}

/* [*L, *H] covers z_f of neuron V of layer I and c z_g of its partner W
 * (the arguments of the difference quotient delta / dz), rounded outward. */
static void pair_zrange(double *l, double *h, const lump_i_lpside_t *f, const lump_i_lpside_t *g,
                        const lump_i_pair_t *P, size_t i, size_t v, size_t w)
{
    double cl = P->cm[i][v], ch = lump_i_up(P->cm[i][v] + P->cr[i][v]);
    double gl = g->b.zlo[i - 1][w], gh = g->b.zhi[i - 1][w];
    double p[4] = {cl * gl, cl * gh, ch * gl, ch * gh};
    *l = f->b.zlo[i - 1][v];
    *h = f->b.zhi[i - 1][v];
    for (int k = 0; k < 4; k++) {
        if (isnan(p[k])) { /* 0 times an infinite bound */
            *l = -HUGE_VAL;
            *h = HUGE_VAL;
            return;
        }
        *l = fmin(*l, lump_i_down(p[k]));
        *h = fmax(*h, lump_i_up(p[k]));
    }
}

/* The differential encoding (ReluDiff/NeuroDiff, Paulsen et al., ICSE
 * 2020 and ASE 2020) through the pairing P: neuron v of F paired with
 * neuron w = pi(v) of G and scale c gets the columns dz = z_f - c z_g and
 * delta = y_f - c y_g - kappa, bounded by D (the symbolic or interval
 * difference bounds), with their definitional rows. For every
 * activation (relu and leaky relu with c > 0, identity with c != 0, the
 * others with c = 1, which the pairing ensures), delta = s dz for a slope s in
 * [M, N] (lump_i_act_slopes: relu [0, 1], leaky relu the hull of
 * {alpha, 1}, also for alpha < 0 or > 1, sigmoid [0, 1/4]), since
 * c act(z_g) = act(c z_g) for these scales. So delta lies between M dz
 * and N dz: the convex hull of that bowtie over [dl, du] is added as rows
 * (on dz >= 0 the two lines, on dz <= 0 the two lines swapped, across 0
 * the chord above the convex max(M dz, N dz) and the chord below the
 * concave min(M dz, N dz)).
 * Unpaired neurons need no columns: their y_f is in the model already.
 * OUT_COL receives the output difference columns, OUT_LO/OUT_HI their
 * bounds. */
void lump_i_encode_diff(lump_i_model_t *m, const lump_i_lpside_t *f, const lump_i_lpside_t *g,
                        const lump_i_pair_t *P, const lump_i_dbounds_t *D, size_t *out_col,
                        double *out_lo, double *out_hi)
{
    const lump_net_t *F = f->net, *G = g->net;
    size_t k = F->n_layers, nout = lump_net_n_outputs(F);
    mpq_t t1, t2, zero, fl, fu;
    mpq_inits(t1, t2, zero, fl, fu, NULL);
    for (size_t i = 1; i <= k; i++) {
        const lump_layer_t *LF = &F->layers[i - 1];
        for (size_t v = 0; v < LF->size; v++) {
            const lump_act_t *af = lump_layer_act(LF, v);
            size_t w = P->pi[i][v], dzc, dy, yf, yg;
            double dl = D->dzl[i][v], du = D->dzh[i][v], lo, hi, sm, sn;
            if (w == LUMP_I_UNPAIRED || i == k)
                continue;
            lump_i_model_col(m, dl, du, &dzc);
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, dzc, 1.0);
            lump_i_model_ent_d(m, f->zcol[i - 1][v], -1.0);
            lump_i_model_ent_q(m, g->zcol[i - 1][w], P->c[i][v], 0);
            lump_i_model_row_end(m, zero, zero);
            if (lump_i_act_of(af)->linear)
                continue; /* delta = dz, which the next layer never reads */
            yf = f->ycol[i - 1][v];
            yg = g->ycol[i - 1][w];
            if (yf == NOCOL && yg == NOCOL)
                continue; /* both constant 0 */
            lo = D->dyl[i][v];
            hi = D->dyh[i][v];
            lump_i_model_col(m, lo, hi, &dy);
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, dy, 1.0);
            if (yf != NOCOL)
                lump_i_model_ent_d(m, yf, -1.0);
            if (yg != NOCOL)
                lump_i_model_ent_q(m, yg, P->c[i][v], 0);
            mpq_neg(t1, P->kappa[i][v]);
            lump_i_model_row_end(m, t1, t1);
            pair_zrange(&lo, &hi, f, g, P, i, v, w);
            if (mpq_sgn(P->kappa[i][v]) != 0 || !lump_i_act_slopes(&sm, &sn, af, lo, hi))
                continue;
            /* relu keeps [0, 1]: its stable sides are in the model
             * already, and the redundant rows of a narrower hull made
             * GLPK stall (ACAS Xu 1_1, prop_3: minutes instead of 1 s) */
            if (lump_i_act_of(af)->zero_below) {
                sm = 0;
                sn = 1;
            }
            if (sm == sn) { /* dy = s dz exactly: one row */
                if (sm != 0)
                    row3(m, dy, 1.0, dzc, -sm, NOCOL, 0, zero, zero);
            } else if (dl >= 0) { /* M dz <= dy <= N dz */
                row3(m, dy, 1.0, dzc, -sn, NOCOL, 0, NULL, zero);
                if (sm != 0) /* else the column bound dy >= 0 says it */
                    row3(m, dy, 1.0, dzc, -sm, NOCOL, 0, zero, NULL);
            } else if (du <= 0) { /* N dz <= dy <= M dz */
                row3(m, dy, 1.0, dzc, -sn, NOCOL, 0, zero, NULL);
                if (sm != 0)
                    row3(m, dy, 1.0, dzc, -sm, NOCOL, 0, NULL, zero);
            } else if (isfinite(dl) && isfinite(du)) {
                /* the chords through the exact end values (products of
                 * doubles are rationals) */
                mpq_set_d(fl, sm);
                mpq_set_d(t1, dl);
                mpq_mul(fl, fl, t1);
                mpq_set_d(fu, sn);
                mpq_set_d(t2, du);
                mpq_mul(fu, fu, t2);
                chord_row(m, dy, dzc, dl, fl, du, fu, 1);
                mpq_set_d(fl, sn);
                mpq_mul(fl, fl, t1);
                mpq_set_d(fu, sm);
                mpq_mul(fu, fu, t2);
                chord_row(m, dy, dzc, dl, fl, du, fu, 0);
            }
        }
    }
    for (size_t j = 0; j < nout; j++) {
        double lo, hi;
        lump_i_diff_ival(&lo, &hi, f->olo[j], f->ohi[j], g->olo[j], g->ohi[j]);
        if (out_lo[j] > lo)
            lo = out_lo[j];
        if (out_hi[j] < hi)
            hi = out_hi[j];
        out_lo[j] = lo;
        out_hi[j] = hi;
        lump_i_model_col(m, lo, hi, &out_col[j]);
        row3(m, out_col[j], 1.0, f->ocol[j], -1.0, g->ocol[j], 1.0, zero, zero);
    }
    (void)G;
    mpq_clears(t1, t2, zero, fl, fu, NULL);
}
