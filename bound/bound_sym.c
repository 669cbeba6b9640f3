/* bound_sym.c -- sound back-substitution bounds of two paired networks and
 * of their differences, with every rounding error bounded */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bound_util.h"
#include "bound_sym.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"

/* Why the bounds are sound. A bound on a linear form E of layer j is a
 * weak-duality bound of the LP whose rows are the layer equations and the
 * linear relaxations (lines) below: substituting rows with any
 * multipliers leaves E = (multiplier terms) + (residual) exactly, and the
 * multipliers are just the floats we happen to compute. Each float
 * coefficient differs from the exact one by a rounding error we bound
 * (Higham's gamma_n for sums, one half-ulp for a product); the difference
 * times max |variable| over the box is added as SLACK, and every constant
 * is accumulated rounding upward (round to nearest, then one step up).
 * Every line y <= s z + t (>=) has double coefficients and an intercept
 * computed with directed rounding from the exact end values, so it holds
 * on the whole bound interval of its argument by convexity (concavity). */

#define U52 0x1p-52
#define TINY 0x1p-1074

static inline double amax(double l, double h)
{
    return fmax(fabs(l), fabs(h));
}

static void mul_ival(double *lo, double *hi, double cl, double ch, double bl, double bh);

/* y <= s z + t (an upper line) or y >= s z + t (a lower line). */
typedef struct {
    double s, t;
} line_t;

/* delta <= sd dz + sg z_g(pi) + t, or >=. */
typedef struct {
    double sd, sg, t;
} dline_t;

typedef struct {
    const lump_net_t *f, *g;
    const lump_i_pair_t *pr;
    lump_bounds_t *bf, *bg;
    lump_i_dbounds_t *d;
    size_t k;
    int shared, backsub, want_sens;
    const double *d0l, *d0h;
    /* index i = 1..k: layer i; weights row-major by neuron, radius NULL
     * when every entry is a double */
    double **wfm, **wfr, **wgm, **wgr, **dwm, **dwr;
    double **bfl, **bfh, **bgl, **bgh, **dbl, **dbh;
    line_t **fup, **flo, **gup, **glo;
    dline_t **dup, **dlo;
    size_t cap;
    double *p, *q, *r, *a, *b, *c, *am, *bm, *cm, *ar, *br, *cr, *qm;
} sym_t;

/* bounds of layer I (1..k) or the inputs (0) */
static const double *zfl(const sym_t *X, size_t i)
{
    return X->bf->zlo[i - 1];
}
static const double *zfh(const sym_t *X, size_t i)
{
    return X->bf->zhi[i - 1];
}
static const double *zgl(const sym_t *X, size_t i)
{
    return X->bg->zlo[i - 1];
}
static const double *zgh(const sym_t *X, size_t i)
{
    return X->bg->zhi[i - 1];
}
static const double *yfl(const sym_t *X, size_t i)
{
    return i == 0 ? X->bf->xlo : X->bf->ylo[i - 1];
}
static const double *yfh(const sym_t *X, size_t i)
{
    return i == 0 ? X->bf->xhi : X->bf->yhi[i - 1];
}
static const double *ygl(const sym_t *X, size_t i)
{
    return i == 0 ? X->bg->xlo : X->bg->ylo[i - 1];
}
static const double *ygh(const sym_t *X, size_t i)
{
    return i == 0 ? X->bg->xhi : X->bg->yhi[i - 1];
}

/* A bound on |computed - exact| of a sum of N products whose computed
 * absolute values add up to MAG, with RAD the (computed) bound on the
 * products' uncertainty from inexact data: gamma_{N+1} MAG + RAD with a
 * factor 2 to spare, which also covers the rounding of this very formula
 * (a few operations, relative error a few u). */
static double sum_err(double mag, double rad, size_t n)
{
    double f = (double)(n + 4) * U52;
    return rad * (1 + f) + f * mag + (double)(n + 4) * TINY;
}

/* A sum of terms, each the rounded product of two doubles (or a double),
 * with its rounding error bounded afterwards (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., section 3.1): the exact
 * sum of the exact products is at most S + (n + 2) 2^-52 MAG + n 2^-1074,
 * MAG the computed sum of absolute values. */
typedef struct {
    double s, mag;
    size_t n;
} acc_t;

static inline void acc_add(acc_t *a, double x)
{
    a->s += x;
    a->mag += fabs(x);
    a->n++;
}

static double acc_up(const acc_t *a)
{
    double e = lump_i_up(lump_i_up((double)(a->n + 2) * U52 * a->mag) + (double)(a->n + 2) * TINY);
    return lump_i_up(a->s + e);
}

/* ACC[u] += sum_v M[v][u] P[v] over NV rows of NU entries, MAG[u] += the
 * absolute values, RAD[u] += R[v][u] |P[v]| (R may be NULL). */
static void mvt(double *acc, double *mag, double *rad, const double *m, const double *r, size_t nv,
                size_t nu, const double *p)
{
    for (size_t v = 0; v < nv; v++) {
        double pv = p[v], ap = fabs(pv);
        const double *row = m + v * nu;
        if (pv == 0)
            continue;
        for (size_t u = 0; u < nu; u++) {
            double t = row[u] * pv;
            acc[u] += t;
            mag[u] += fabs(t);
        }
        if (r != NULL) {
            const double *rr = r + v * nu;
            for (size_t u = 0; u < nu; u++)
                rad[u] += rr[u] * ap;
        }
    }
}

/* ACC += sum_v P[v] * (P[v] > 0 ? HI[v] : LO[v]): the largest value of
 * P.x over the box [LO, HI]. */
static void dot_acc(acc_t *acc, const double *p, const double *lo, const double *hi, size_t n)
{
    for (size_t v = 0; v < n; v++)
        if (p[v] != 0)
            acc_add(acc, p[v] * (p[v] > 0 ? hi[v] : lo[v]));
}

static int any(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0)
            return 1;
    return 0;
}

/* An upper bound on  P.dz^j + Q.z_g^j + R.z_f^j  (X->p, X->q, X->r, which
 * are consumed): substitute the layer equations
 *   z_f = W_f y_f + b_f,  z_g = W_g y_g + b_g,  dz = W_f delta + dW y_g + db
 * and relax y_f, y_g, delta by their lines (upper line for a positive
 * coefficient, lower for a negative one), down to the inputs. */
static double backsub_up(sym_t *X, size_t j)
{
    const lump_i_pair_t *P = X->pr;
    acc_t cst = {0, 0, 0}, slack = {0, 0, 0};
    int hp = any(X->p, P->nf[j]), hq = any(X->q, P->ng[j]), hr = any(X->r, P->nf[j]);
    for (size_t i = j; i >= 1; i--) {
        size_t nfi = P->nf[i], ngi = P->ng[i], nfp = P->nf[i - 1], ngp = P->ng[i - 1], nb = 0;
        const double *xl, *xh;
        if (hr)
            dot_acc(&cst, X->r, X->bfl[i], X->bfh[i], nfi);
        if (hq)
            dot_acc(&cst, X->q, X->bgl[i], X->bgh[i], ngi);
        if (hp)
            dot_acc(&cst, X->p, X->dbl[i], X->dbh[i], nfi);
        memset(X->a, 0, nfp * sizeof(double));
        memset(X->am, 0, nfp * sizeof(double));
        memset(X->ar, 0, nfp * sizeof(double));
        memset(X->c, 0, nfp * sizeof(double));
        memset(X->cm, 0, nfp * sizeof(double));
        memset(X->cr, 0, nfp * sizeof(double));
        memset(X->b, 0, ngp * sizeof(double));
        memset(X->bm, 0, ngp * sizeof(double));
        memset(X->br, 0, ngp * sizeof(double));
        if (hp) {
            mvt(X->a, X->am, X->ar, X->wfm[i], X->wfr[i], nfi, nfp, X->p);
            mvt(X->b, X->bm, X->br, X->dwm[i], X->dwr[i], nfi, ngp, X->p);
            nb += nfi;
        }
        if (hq) {
            mvt(X->b, X->bm, X->br, X->wgm[i], X->wgr[i], ngi, ngp, X->q);
            nb += ngi;
        }
        if (hr)
            mvt(X->c, X->cm, X->cr, X->wfm[i], X->wfr[i], nfi, nfp, X->r);
        /* the coefficients just computed are off by at most sum_err: that
         * times the largest |value| of their variable goes to the slack */
        for (size_t u = 0; u < nfp; u++) {
            if (hp && !(i == 1 && X->shared))
                acc_add(&slack, sum_err(X->am[u], X->ar[u], nfi) *
                                    amax(X->d->dyl[i - 1][u], X->d->dyh[i - 1][u]));
            if (hr)
                acc_add(&slack, sum_err(X->cm[u], X->cr[u], nfi) *
                                    amax(yfl(X, i - 1)[u], yfh(X, i - 1)[u]));
        }
        if (hp || hq)
            for (size_t w = 0; w < ngp; w++)
                acc_add(&slack,
                        sum_err(X->bm[w], X->br[w], nb) * amax(ygl(X, i - 1)[w], ygh(X, i - 1)[w]));
        if (i == 1) {
            xl = yfl(X, 0);
            xh = yfh(X, 0);
            if (X->shared) {
                /* delta_0 = 0; x carries both the g and the f coefficients */
                for (size_t u = 0; u < nfp; u++) {
                    double s = X->b[u] + X->c[u];
                    if (X->want_sens)
                        X->d->sens[u] += fabs(s) * (xh[u] - xl[u]);
                    acc_add(&slack, (U52 * fabs(s) + TINY) * amax(xl[u], xh[u]));
                    if (s != 0)
                        acc_add(&cst, s * (s > 0 ? xh[u] : xl[u]));
                }
            } else {
                for (size_t u = 0; X->want_sens && u < nfp; u++)
                    X->d->sens[u] += fabs(X->a[u]) * (X->d0h[u] - X->d0l[u]) +
                                     fabs(X->b[u]) * (ygh(X, 0)[u] - ygl(X, 0)[u]) +
                                     fabs(X->c[u]) * (xh[u] - xl[u]);
                dot_acc(&cst, X->a, X->d0l, X->d0h, nfp);
                dot_acc(&cst, X->c, xl, xh, nfp);
                dot_acc(&cst, X->b, ygl(X, 0), ygh(X, 0), ngp);
            }
            break;
        }
        /* relax layer i - 1: each product below is off by at most one
         * half-ulp (counted twice), which times max |variable| is slack */
        memset(X->p, 0, nfp * sizeof(double));
        memset(X->r, 0, nfp * sizeof(double));
        memset(X->q, 0, ngp * sizeof(double));
        memset(X->qm, 0, ngp * sizeof(double));
        for (size_t u = 0; u < nfp; u++) {
            double a = X->a[u], c = X->c[u];
            if (a != 0) {
                const dline_t *L = a > 0 ? &X->dup[i - 1][u] : &X->dlo[i - 1][u];
                double t = a * L->sd;
                X->p[u] = t;
                acc_add(&slack,
                        (U52 * fabs(t) + TINY) * amax(X->d->dzl[i - 1][u], X->d->dzh[i - 1][u]));
                if (L->sg != 0) {
                    size_t w = P->pi[i - 1][u];
                    double t2 = a * L->sg;
                    X->q[w] += t2;
                    X->qm[w] += fabs(t2);
                }
                acc_add(&cst, a * L->t);
            }
            if (c != 0) {
                const line_t *L = c > 0 ? &X->fup[i - 1][u] : &X->flo[i - 1][u];
                double t = c * L->s;
                X->r[u] = t;
                acc_add(&slack, (U52 * fabs(t) + TINY) * amax(zfl(X, i - 1)[u], zfh(X, i - 1)[u]));
                acc_add(&cst, c * L->t);
            }
        }
        for (size_t w = 0; w < ngp; w++) {
            double b = X->b[w];
            if (b != 0) {
                const line_t *L = b > 0 ? &X->gup[i - 1][w] : &X->glo[i - 1][w];
                double t = b * L->s;
                X->q[w] += t;
                X->qm[w] += fabs(t);
                acc_add(&cst, b * L->t);
            }
            if (X->qm[w] != 0)
                acc_add(&slack,
                        sum_err(X->qm[w], 0, nfp + 1) * amax(zgl(X, i - 1)[w], zgh(X, i - 1)[w]));
        }
        hp = any(X->p, nfp);
        hq = any(X->q, ngp);
        hr = any(X->r, nfp);
    }
    return lump_i_up(acc_up(&cst) + acc_up(&slack));
}

/* ---- lines ---------------------------------------------------------- */

/* The line through (l, fl) and (u, fu), lump_i_chord. */
static line_t chord(double l, double fl, double u, double fu, int upper)
{
    line_t L;
    lump_i_chord(&L.s, &L.t, l, fl, u, fu, upper);
    return L;
}

/* Upper and lower lines of y = act(z) over [l, u] with y in [yl, yh]: the
 * descriptor's, or the enclosure when it has none. */
static void act_lines(line_t *up, line_t *lo, const lump_act_t *act, double l, double u, double yl,
                      double yh)
{
    if (lump_i_act_of(act)->lines(&up->s, &up->t, &lo->s, &lo->t, act, l, u))
        return;
    /* the enclosure only (sound, loose) */
    up->s = lo->s = 0;
    up->t = yh;
    lo->t = yl;
}

/* The largest gap between the chord and the function max(0, z) or z's
 * relu over [l, u]: 0 when stable. */
static double tri_gap(double l, double u)
{
    return l < 0 && u > 0 ? -l * u / (u - l) : 0;
}

/* The bowtie lines of delta = s dz, s in [M, N] (lump_i_act_slopes), over
 * dz in [dl, du]: delta lies between min(M dz, N dz) and max(M dz, N dz).
 * On dz >= 0 these are the lines M dz and N dz themselves, on dz <= 0 the
 * same lines swapped. Across 0 the upper envelope max(M dz, N dz) is
 * convex, so its chord from (dl, M dl) to (du, N du) lies above it on
 * [dl, du]; the lower envelope min(M dz, N dz) is concave, so its chord
 * from (dl, N dl) to (du, M du) lies below. The end values are rounded
 * outward (up for the upper chord), which keeps the chords on their side;
 * chord() rounds the intercepts. relu is M = 0, N = 1: delta between
 * 0 and dz. */
static void bowtie(dline_t *up, dline_t *lo, double M, double N, double dl, double du)
{
    line_t a, b;
    up->sg = lo->sg = 0;
    up->t = lo->t = 0;
    if (dl >= 0) {
        up->sd = N;
        lo->sd = M;
        return;
    }
    if (du <= 0) {
        up->sd = M;
        lo->sd = N;
        return;
    }
    a = chord(dl, lump_i_mul_dir(M, dl, 1), du, lump_i_mul_dir(N, du, 1), 1);
    b = chord(dl, lump_i_mul_dir(N, dl, 0), du, lump_i_mul_dir(M, du, 0), 0);
    up->sd = a.s;
    up->t = a.t;
    lo->sd = b.s;
    lo->t = b.t;
}

/* [*L, *H] covers z_f and c z_g of neuron V of layer I paired with W:
 * the arguments whose difference quotient delta / dz is. */
static void pair_zrange(const sym_t *X, size_t i, size_t v, size_t w, double *l, double *h)
{
    const lump_i_pair_t *P = X->pr;
    double gl, gh;
    mul_ival(&gl, &gh, P->cm[i][v], lump_i_add_up(P->cm[i][v], P->cr[i][v]), zgl(X, i)[w],
             zgh(X, i)[w]);
    *l = fmin(zfl(X, i)[v], gl);
    *h = fmax(zfh(X, i)[v], gh);
}

/* The lines of delta_v = y_f - c y_g - kappa, layer I. */
static void delta_lines(sym_t *X, size_t i, size_t v)
{
    const lump_i_pair_t *P = X->pr;
    const lump_act_t *act = lump_layer_act(&X->f->layers[i - 1], v);
    dline_t *up = &X->dup[i][v], *lo = &X->dlo[i][v];
    size_t w = P->pi[i][v];
    double dl = X->d->dzl[i][v], dh = X->d->dzh[i][v];
    const line_t *fu = &X->fup[i][v], *fo = &X->flo[i][v];
    if (w == LUMP_I_UNPAIRED) {
        up->sd = fu->s;
        up->sg = 0;
        up->t = lump_i_add_up(fu->t, -P->kl[i][v]);
        lo->sd = fo->s;
        lo->sg = 0;
        lo->t = lump_i_add_dn(fo->t, -P->kh[i][v]);
        return;
    }
    if (lump_i_act_of(act)->linear) {
        up->sd = lo->sd = 1;
        up->sg = lo->sg = up->t = lo->t = 0;
        return;
    }
    if (lump_i_act_of(act)->zero_below) {
        /* the two triangles, through z_f = dz + c z_g, or the bowtie */
        const line_t *gu = &X->gup[i][w], *go = &X->glo[i][w];
        double cm = P->cm[i][v], cr = P->cr[i][v], ch = lump_i_add_up(cm, cr);
        double gS = tri_gap(zfl(X, i)[v], zfh(X, i)[v]) + ch * tri_gap(zgl(X, i)[w], zgh(X, i)[w]);
        double gD = dl < 0 && dh > 0 ? tri_gap(dl, dh) : amax(dl, dh);
        if (gS <= gD) {
            double mg = amax(zgl(X, i)[w], zgh(X, i)[w]), e, ct;
            /* -c relu(z_g) <= -c (s_g z_g + t_g) with the lower line of g;
             * sg = c (s_f - s_g) is rounded twice and c itself may be off
             * by cr: the error times max |z_g| goes into the intercept */
            up->sd = fu->s;
            up->sg = cm * (fu->s - go->s);
            e = 2 * U52 * fabs(up->sg) + fabs(fu->s - go->s) * cr + TINY;
            ct = fmin(lump_i_mul_dn(cm, go->t), lump_i_mul_dn(ch, go->t)); /* <= c t_g */
            up->t = lump_i_add_up(lump_i_add_up(fu->t, -ct), lump_i_mul_up(e, mg));
            lo->sd = fo->s;
            lo->sg = cm * (fo->s - gu->s);
            e = 2 * U52 * fabs(lo->sg) + fabs(fo->s - gu->s) * cr + TINY;
            ct = fmax(lump_i_mul_up(cm, gu->t), lump_i_mul_up(ch, gu->t)); /* >= c t_g */
            lo->t = lump_i_add_dn(lump_i_add_dn(fo->t, -ct), -lump_i_mul_up(e, mg));
            return;
        }
        bowtie(up, lo, 0.0, 1.0, dl, dh);
        return;
    }
    {
        double zl, zh, M, N;
        pair_zrange(X, i, v, w, &zl, &zh);
        if (lump_i_act_slopes(&M, &N, act, zl, zh)) {
            bowtie(up, lo, M, N, dl, dh);
            return;
        }
    }
    up->sd = lo->sd = up->sg = lo->sg = 0;
    up->t = X->d->dyh[i][v];
    lo->t = X->d->dyl[i][v];
}

/* ---- set-up ---------------------------------------------------------- */

/* The weights of LAYER as doubles (M) and radii (R, left NULL when all are
 * doubles already). */
static void weights_d(double **m, double **r, const lump_layer_t *L)
{
    size_t n = L->size * L->in_size;
    *m = lump_alloc_array(n + 1, sizeof(double));
    *r = NULL;
    if (L->weight.store == LUMP_STORE_F32) {
        for (size_t e = 0; e < n; e++)
            (*m)[e] = ((const float *)L->weight.data)[e];
        return;
    }
    if (L->weight.store == LUMP_STORE_F64) {
        memcpy(*m, L->weight.data, n * sizeof(double));
        return;
    }
    for (size_t e = 0; e < n; e++) {
        double lo, hi;
        lump_i_arr_ival(&L->weight, e, &lo, &hi);
        (*m)[e] = lo;
        if (hi != lo) {
            if (*r == NULL)
                *r = lump_alloc_zero(n + 1, sizeof(double));
            (*r)[e] = lump_i_up(hi - lo);
        }
    }
}

/* [lo, hi] of c * b for c in [cl, ch], b in [bl, bh], outward. */
static void mul_ival(double *lo, double *hi, double cl, double ch, double bl, double bh)
{
    *lo = fmin(fmin(lump_i_mul_dn(cl, bl), lump_i_mul_dn(cl, bh)),
               fmin(lump_i_mul_dn(ch, bl), lump_i_mul_dn(ch, bh)));
    *hi = fmax(fmax(lump_i_mul_up(cl, bl), lump_i_mul_up(cl, bh)),
               fmax(lump_i_mul_up(ch, bl), lump_i_mul_up(ch, bh)));
}

/* [lo, hi] encloses sum_u w_u y_u, w_u in [M[u], M[u] + R[u]] (R may be
 * NULL), y_u in [yl[u], yh[u]], with a rigorous bound on the rounding. */
static void row_ival(double *lo, double *hi, const double *m, const double *r, size_t n,
                     const double *yl, const double *yh)
{
    double slo = 0, shi = 0, mag = 0, err;
    for (size_t u = 0; u < n; u++) {
        double w = m[u], rr = r != NULL ? r[u] : 0, a, b, tl, th;
        if (w == 0 && rr == 0)
            continue;
        a = w * yl[u];
        b = w * yh[u];
        tl = fmin(a, b);
        th = fmax(a, b);
        if (rr != 0) {
            double e = rr * amax(yl[u], yh[u]);
            tl -= e;
            th += e;
        }
        slo += tl;
        shi += th;
        mag += fmax(fabs(tl), fabs(th));
    }
    err = lump_i_up((double)(2 * n + 6) * U52 * mag + (double)(2 * n + 4) * TINY);
    *lo = lump_i_down(slo - err);
    *hi = lump_i_up(shi + err);
    if (isnan(*lo) || isnan(*hi)) {
        *lo = -HUGE_VAL;
        *hi = HUGE_VAL;
    }
}

/* dW and db of layer I (see bound_sym.h), as doubles with radii. */
static void diff_weights(sym_t *X, size_t i)
{
    const lump_i_pair_t *P = X->pr;
    size_t nf = P->nf[i], nfp = P->nf[i - 1], ngp = P->ng[i - 1];
    const double *wf = X->wfm[i], *wfr = X->wfr[i], *wg = X->wgm[i], *wgr = X->wgr[i];
    double *mag = lump_alloc_zero(ngp + 1, sizeof(double));
    int kap = 0;
    X->dwm[i] = lump_alloc_zero(nf * ngp + 1, sizeof(double));
    X->dwr[i] = lump_alloc_zero(nf * ngp + 1, sizeof(double));
    X->dbl[i] = lump_alloc_array(nf + 1, sizeof(double));
    X->dbh[i] = lump_alloc_array(nf + 1, sizeof(double));
    for (size_t u = 0; u < nfp; u++)
        kap |= P->kl[i - 1][u] != 0 || P->kh[i - 1][u] != 0;
    for (size_t v = 0; v < nf; v++) {
        double *row = X->dwm[i] + v * ngp, *rad = X->dwr[i] + v * ngp;
        size_t w = P->pi[i][v];
        double bl = X->bfl[i][v], bh = X->bfh[i][v];
        memset(mag, 0, ngp * sizeof(double));
        for (size_t u = 0; u < nfp; u++) {
            size_t x = P->pi[i - 1][u];
            double wm = wf[v * nfp + u], wr = wfr != NULL ? wfr[v * nfp + u] : 0;
            double cm = P->cm[i - 1][u], cr = P->cr[i - 1][u], t;
            if (x == LUMP_I_UNPAIRED || (wm == 0 && wr == 0))
                continue;
            t = wm * cm;
            row[x] += t;
            mag[x] += fabs(t);
            rad[x] += fabs(wm) * cr + wr * (fabs(cm) + cr);
        }
        if (w != LUMP_I_UNPAIRED) {
            double cm = P->cm[i][v], cr = P->cr[i][v], lo, hi;
            for (size_t x = 0; x < ngp; x++) {
                double gm = wg[w * ngp + x], gr = wgr != NULL ? wgr[w * ngp + x] : 0;
                double t = cm * gm;
                row[x] -= t;
                mag[x] += fabs(t);
                rad[x] += cr * fabs(gm) + gr * (fabs(cm) + cr);
            }
            mul_ival(&lo, &hi, cm, lump_i_add_up(cm, cr), X->bgl[i][w], X->bgh[i][w]);
            bl = lump_i_add_dn(bl, -hi);
            bh = lump_i_add_up(bh, -lo);
        }
        for (size_t x = 0; x < ngp; x++)
            rad[x] = sum_err(mag[x], rad[x], nfp + 2);
        if (kap) {
            double lo, hi;
            row_ival(&lo, &hi, wf + v * nfp, wfr != NULL ? wfr + v * nfp : NULL, nfp, P->kl[i - 1],
                     P->kh[i - 1]);
            bl = lump_i_add_dn(bl, lo);
            bh = lump_i_add_up(bh, hi);
        }
        X->dbl[i][v] = bl;
        X->dbh[i][v] = bh;
    }
    free(mag);
}

static void sym_clear(sym_t *X)
{
    double ***mats[] = {&X->wfm, &X->wfr, &X->wgm, &X->wgr, &X->dwm, &X->dwr,
                        &X->bfl, &X->bfh, &X->bgl, &X->bgh, &X->dbl, &X->dbh};
    void ***lines[] = {(void ***)&X->fup, (void ***)&X->flo, (void ***)&X->gup,
                       (void ***)&X->glo, (void ***)&X->dup, (void ***)&X->dlo};
    for (size_t m = 0; m < sizeof mats / sizeof mats[0]; m++) {
        for (size_t i = 0; *mats[m] != NULL && i <= X->k; i++)
            free((*mats[m])[i]);
        free(*mats[m]);
    }
    for (size_t m = 0; m < sizeof lines / sizeof lines[0]; m++) {
        for (size_t i = 0; *lines[m] != NULL && i <= X->k; i++)
            free((*lines[m])[i]);
        free(*lines[m]);
    }
    LUMP_FREE_ALL(X->p, X->q, X->r, X->a, X->b, X->c, X->am, X->bm, X->cm, X->ar, X->br, X->cr,
                  X->qm);
}

static void sym_alloc(sym_t *X)
{
    size_t k = X->k, cap = 1;
    double ***mats[] = {&X->wfm, &X->wfr, &X->wgm, &X->wgr, &X->dwm, &X->dwr,
                        &X->bfl, &X->bfh, &X->bgl, &X->bgh, &X->dbl, &X->dbh};
    for (size_t m = 0; m < sizeof mats / sizeof mats[0]; m++)
        *mats[m] = lump_alloc_zero(k + 1, sizeof(double *));
    X->fup = lump_alloc_zero(k + 1, sizeof(line_t *));
    X->flo = lump_alloc_zero(k + 1, sizeof(line_t *));
    X->gup = lump_alloc_zero(k + 1, sizeof(line_t *));
    X->glo = lump_alloc_zero(k + 1, sizeof(line_t *));
    X->dup = lump_alloc_zero(k + 1, sizeof(dline_t *));
    X->dlo = lump_alloc_zero(k + 1, sizeof(dline_t *));
    for (size_t i = 0; i <= k; i++)
        cap = cap > X->pr->nf[i] ? cap : X->pr->nf[i];
    for (size_t i = 0; i <= k; i++)
        cap = cap > X->pr->ng[i] ? cap : X->pr->ng[i];
    X->cap = cap;
    {
        double **bufs[] = {&X->p,  &X->q,  &X->r,  &X->a,  &X->b,  &X->c, &X->am,
                           &X->bm, &X->cm, &X->ar, &X->br, &X->cr, &X->qm};
        for (size_t m = 0; m < sizeof bufs / sizeof bufs[0]; m++)
            *bufs[m] = lump_alloc_zero(cap + 1, sizeof(double));
    }
    for (size_t i = 1; i <= k; i++) {
        size_t nf = X->pr->nf[i], ng = X->pr->ng[i];
        const lump_layer_t *LF = &X->f->layers[i - 1], *LG = &X->g->layers[i - 1];
        weights_d(&X->wfm[i], &X->wfr[i], LF);
        weights_d(&X->wgm[i], &X->wgr[i], LG);
        X->bfl[i] = lump_alloc_array(nf + 1, sizeof(double));
        X->bfh[i] = lump_alloc_array(nf + 1, sizeof(double));
        X->bgl[i] = lump_alloc_array(ng + 1, sizeof(double));
        X->bgh[i] = lump_alloc_array(ng + 1, sizeof(double));
        X->fup[i] = lump_alloc_array(nf + 1, sizeof(line_t));
        X->flo[i] = lump_alloc_array(nf + 1, sizeof(line_t));
        X->gup[i] = lump_alloc_array(ng + 1, sizeof(line_t));
        X->glo[i] = lump_alloc_array(ng + 1, sizeof(line_t));
        X->dup[i] = lump_alloc_array(nf + 1, sizeof(dline_t));
        X->dlo[i] = lump_alloc_array(nf + 1, sizeof(dline_t));
        for (size_t v = 0; v < nf; v++)
            lump_i_arr_ival(&LF->bias, v, &X->bfl[i][v], &X->bfh[i][v]);
        for (size_t v = 0; v < ng; v++)
            lump_i_arr_ival(&LG->bias, v, &X->bgl[i][v], &X->bgh[i][v]);
    }
    for (size_t i = 1; i <= k; i++)
        diff_weights(X, i);
}

void lump_i_dbounds_init(lump_i_dbounds_t *d)
{
    memset(d, 0, sizeof *d);
}

void lump_i_dbounds_clear(lump_i_dbounds_t *d)
{
    for (size_t i = 0; i <= d->n_layers && d->dzl != NULL; i++) {
        free(d->dzl[i]);
        free(d->dzh[i]);
        free(d->dyl[i]);
        free(d->dyh[i]);
    }
    LUMP_FREE_ALL(d->dzl, d->dzh, d->dyl, d->dyh, d->sens);
    lump_i_dbounds_init(d);
}

static void dbounds_alloc(lump_i_dbounds_t *d, const lump_i_pair_t *p)
{
    size_t k = p->n_layers;
    d->dzl = lump_alloc_zero(k + 1, sizeof(double *));
    d->dzh = lump_alloc_zero(k + 1, sizeof(double *));
    d->dyl = lump_alloc_zero(k + 1, sizeof(double *));
    d->dyh = lump_alloc_zero(k + 1, sizeof(double *));
    d->sens = lump_alloc_zero(p->nf[0] + 1, sizeof(double));
    d->n_layers = k;
    for (size_t i = 0; i <= k; i++) {
        size_t n = p->nf[i] + 1;
        d->dzl[i] = lump_alloc_zero(n, sizeof(double));
        d->dzh[i] = lump_alloc_zero(n, sizeof(double));
        d->dyl[i] = lump_alloc_zero(n, sizeof(double));
        d->dyh[i] = lump_alloc_zero(n, sizeof(double));
    }
}

/* ---- layer by layer ------------------------------------------------------ */

/* Tighten [*lo, *hi] to its intersection with [l, h]. */
static void meet(double *lo, double *hi, double l, double h)
{
    if (l > *lo)
        *lo = l;
    if (h < *hi)
        *hi = h;
}

static void clear_work(sym_t *X)
{
    memset(X->p, 0, X->cap * sizeof(double));
    memset(X->q, 0, X->cap * sizeof(double));
    memset(X->r, 0, X->cap * sizeof(double));
}

/* Bounds of z (interval from the layer below, then back-substitution
 * when I >= 2 and the neuron may change its linear piece) of side F
 * (WHICH = 0) or G (1), and its activation bounds and lines. */
static void side_layer(sym_t *X, size_t i, int which)
{
    const lump_net_t *net = which ? X->g : X->f;
    const lump_layer_t *L = &net->layers[i - 1];
    lump_bounds_t *b = which ? X->bg : X->bf;
    size_t n = L->size, in = L->in_size;
    const double *wm = which ? X->wgm[i] : X->wfm[i], *wr = which ? X->wgr[i] : X->wfr[i];
    const double *yl = which ? ygl(X, i - 1) : yfl(X, i - 1),
                 *yh = which ? ygh(X, i - 1) : yfh(X, i - 1);
    const double *bl = which ? X->bgl[i] : X->bfl[i], *bh = which ? X->bgh[i] : X->bfh[i];
    double *v0 = which ? X->q : X->r;
    for (size_t v = 0; v < n; v++) {
        const lump_act_t *act = lump_layer_act(L, v);
        double lo, hi;
        row_ival(&lo, &hi, wm + v * in, wr != NULL ? wr + v * in : NULL, in, yl, yh);
        lo = lump_i_add_dn(lo, bl[v]);
        hi = lump_i_add_up(hi, bh[v]);
        meet(&b->zlo[i - 1][v], &b->zhi[i - 1][v], lo, hi);
        if (i >= 2 && X->backsub && !lump_i_act_of(act)->linear &&
            !(lump_i_act_of(act)->zero_below && (b->zlo[i - 1][v] >= 0 || b->zhi[i - 1][v] <= 0))) {
            clear_work(X);
            v0[v] = 1;
            hi = backsub_up(X, i);
            clear_work(X);
            v0[v] = -1;
            lo = -backsub_up(X, i);
            clear_work(X);
            meet(&b->zlo[i - 1][v], &b->zhi[i - 1][v], lo, hi);
        }
        lump_i_act_ival(&b->ylo[i - 1][v], &b->yhi[i - 1][v], act, b->zlo[i - 1][v],
                        b->zhi[i - 1][v]);
    }
}

static int stable(double l, double h)
{
    return l >= 0 || h <= 0;
}

/* Bounds of dz and delta of layer I, and the delta lines. */
static void diff_layer(sym_t *X, size_t i)
{
    const lump_i_pair_t *P = X->pr;
    const lump_layer_t *L = &X->f->layers[i - 1];
    size_t nf = P->nf[i], nfp = P->nf[i - 1], ngp = P->ng[i - 1];
    lump_i_dbounds_t *d = X->d;
    for (size_t v = 0; v < nf; v++) {
        const lump_act_t *act = lump_layer_act(L, v);
        size_t w = P->pi[i][v];
        double lo, hi, l2, h2, cl = P->cm[i][v], ch = lump_i_add_up(cl, P->cr[i][v]);
        double zl, zh, ql, qh;
        /* dz = z_f - c z_g */
        if (w == LUMP_I_UNPAIRED) {
            lo = zfl(X, i)[v];
            hi = zfh(X, i)[v];
        } else {
            mul_ival(&l2, &h2, cl, ch, zgl(X, i)[w], zgh(X, i)[w]);
            lo = lump_i_add_dn(zfl(X, i)[v], -h2);
            hi = lump_i_add_up(zfh(X, i)[v], -l2);
            /* the recurrence dz = W_f delta + dW y_g + db */
            if (i == 1 && X->shared) {
                l2 = h2 = 0;
            } else {
                row_ival(&l2, &h2, X->wfm[i] + v * nfp,
                         X->wfr[i] != NULL ? X->wfr[i] + v * nfp : NULL, nfp,
                         i == 1 ? X->d0l : d->dyl[i - 1], i == 1 ? X->d0h : d->dyh[i - 1]);
            }
            row_ival(&zl, &zh, X->dwm[i] + v * ngp, X->dwr[i] + v * ngp, ngp, ygl(X, i - 1),
                     ygh(X, i - 1));
            l2 = lump_i_add_dn(lump_i_add_dn(l2, zl), X->dbl[i][v]);
            h2 = lump_i_add_up(lump_i_add_up(h2, zh), X->dbh[i][v]);
            meet(&lo, &hi, l2, h2);
        }
        /* relu stable on both sides: delta is exactly linear in dz and z_g
         * (its lines do not use these bounds), so back-substitution would
         * buy little */
        if (i >= 2 && X->backsub && w != LUMP_I_UNPAIRED && !(lo == 0 && hi == 0) &&
            !(lump_i_act_of(act)->zero_below && stable(zfl(X, i)[v], zfh(X, i)[v]) &&
              stable(zgl(X, i)[w], zgh(X, i)[w]))) {
            X->want_sens = i == X->k;
            clear_work(X);
            X->p[v] = 1;
            h2 = backsub_up(X, i);
            clear_work(X);
            X->p[v] = -1;
            l2 = -backsub_up(X, i);
            clear_work(X);
            X->want_sens = 0;
            meet(&lo, &hi, l2, h2);
        }
        d->dzl[i][v] = lo;
        d->dzh[i][v] = hi;
        /* delta */
        if (w == LUMP_I_UNPAIRED) {
            d->dyl[i][v] = lump_i_add_dn(yfl(X, i)[v], -P->kh[i][v]);
            d->dyh[i][v] = lump_i_add_up(yfh(X, i)[v], -P->kl[i][v]);
            continue;
        }
        mul_ival(&ql, &qh, cl, ch, ygl(X, i)[w], ygh(X, i)[w]);
        l2 = lump_i_add_dn(yfl(X, i)[v], -qh);
        h2 = lump_i_add_up(yfh(X, i)[v], -ql);
        if (lump_i_act_of(act)->linear) {
            meet(&l2, &h2, lo, hi);
        } else if (lump_i_act_of(act)->zero_below && zfl(X, i)[v] >= 0 && zgl(X, i)[w] >= 0) {
            meet(&l2, &h2, lo, hi);
        } else {
            /* delta = s dz with s in [M, N]: between the extreme products */
            double M, N, zl2, zh2;
            pair_zrange(X, i, v, w, &zl2, &zh2);
            if (lump_i_act_slopes(&M, &N, act, zl2, zh2))
                meet(&l2, &h2,
                     fmin(fmin(lump_i_mul_dir(M, lo, 0), lump_i_mul_dir(N, lo, 0)),
                          fmin(lump_i_mul_dir(M, hi, 0), lump_i_mul_dir(N, hi, 0))),
                     fmax(fmax(lump_i_mul_dir(M, lo, 1), lump_i_mul_dir(N, lo, 1)),
                          fmax(lump_i_mul_dir(M, hi, 1), lump_i_mul_dir(N, hi, 1))));
        }
        d->dyl[i][v] = l2;
        d->dyh[i][v] = h2;
    }
}

/* lump_i_sym_bounds -- see bound_sym.h. */
lump_error_t lump_i_sym_bounds(lump_bounds_t *bf, lump_bounds_t *bg, lump_i_dbounds_t *d,
                               const lump_net_t *f, const lump_net_t *g, const lump_i_pair_t *p,
                               int shared, const double *d0l, const double *d0h, int backsub,
                               int verbose)
{
    lump_error_t err = LUMP_OK;
    sym_t X;
    size_t lv = lump_progress_begin("symbolic layer", p->n_layers, 0);
    memset(&X, 0, sizeof X);
    lump_i_dbounds_clear(d);
    X.f = f;
    X.g = g;
    X.pr = p;
    X.bf = bf;
    X.bg = bg;
    X.d = d;
    X.k = p->n_layers;
    X.shared = shared;
    X.d0l = d0l;
    X.d0h = d0h;
    X.backsub = backsub;
    dbounds_alloc(d, p);
    sym_alloc(&X);
    for (size_t u = 0; u < p->nf[0]; u++) {
        d->dyl[0][u] = shared ? 0 : d0l[u];
        d->dyh[0][u] = shared ? 0 : d0h[u];
        d->dzl[0][u] = d->dyl[0][u];
        d->dzh[0][u] = d->dyh[0][u];
    }
    for (size_t i = 1; i <= X.k; i++) {
        size_t unst = 0;
        double wd = 0;
        LUMP_CHECK(lump_progress_step(lv, i - 1));
        side_layer(&X, i, 0);
        side_layer(&X, i, 1);
        for (size_t v = 0; v < p->nf[i]; v++)
            act_lines(&X.fup[i][v], &X.flo[i][v], lump_layer_act(&f->layers[i - 1], v),
                      bf->zlo[i - 1][v], bf->zhi[i - 1][v], bf->ylo[i - 1][v], bf->yhi[i - 1][v]);
        for (size_t v = 0; v < p->ng[i]; v++)
            act_lines(&X.gup[i][v], &X.glo[i][v], lump_layer_act(&g->layers[i - 1], v),
                      bg->zlo[i - 1][v], bg->zhi[i - 1][v], bg->ylo[i - 1][v], bg->yhi[i - 1][v]);
        diff_layer(&X, i);
        for (size_t v = 0; v < p->nf[i]; v++)
            delta_lines(&X, i, v);
        if (verbose) {
            double wy = 0;
            size_t np = 0;
            for (size_t v = 0; v < p->nf[i]; v++) {
                unst += bf->zlo[i - 1][v] < 0 && bf->zhi[i - 1][v] > 0;
                wy = fmax(wy, amax(d->dyl[i][v], d->dyh[i][v]));
                if (p->pi[i][v] != LUMP_I_UNPAIRED) {
                    np++;
                    wd = fmax(wd, amax(d->dzl[i][v], d->dzh[i][v]));
                }
            }
            fprintf(stderr,
                    "bound: layer %zu: %zu of %zu neurons of f unstable, %zu paired, "
                    "|dz| <= %g (paired), |delta| <= %g\n",
                    i, unst, p->nf[i], np, wd, wy);
        }
    }
cleanup:
    lump_progress_end(lv);
    sym_clear(&X);
    return err;
}
