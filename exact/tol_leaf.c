/* tol_leaf.c -- the trusted leaf bound of equivalence within a tolerance:
 * max over a box of |A_j(x) - B_j(x)|, by symbolic interval propagation of
 * A, of B and of their difference, with every rounding error enclosed */
/* This file is the trusted base of every `equivalent` verdict with a
 * tolerance: the finder closes a leaf only when this bound is <= EPS, and
 * the certificate checker (tol_cert.c) recomputes it for every leaf. It is
 * deliberately separate from bound/ (no bound_*, lp_*, GLPK call, no
 * shared helper, not even the activation descriptor's lines): a fault in
 * the fast differential machinery the finder uses can then never be
 * confirmed by the same fault here. It reads only the network model.
 *
 * Method (ReluDiff, Paulsen, Wang and Wang, ICSE 2020; NeuroDiff, Paulsen,
 * Wang, Wang and Wang, ASE 2020). Every neuron of A and of B carries a
 * lower and an upper linear function of the n input variables (n
 * coefficients and a constant), valid over the leaf's box, and the
 * difference delta_v = A_v - B_v of every pair of neurons carries its own.
 * Through an affine layer the difference is propagated as
 *   delta_next = W_A delta + (W_A - W_B) y_B + (b_A - b_B),
 * whose terms are small when B is a rounding of A (W_A - W_B tiny): that is
 * why the differential bound beats bounding A and B separately. Through a
 * relu, by the phases of both neurons: both active, delta passes; both
 * inactive, 0; otherwise relu(a) - relu(b) is bounded using that relu is
 * monotone and 1-Lipschitz, min(0, delta) <= relu(a) - relu(b) <=
 * max(0, delta), relaxed by the chord over delta's interval, refined by
 * the phase that is known (a active: relu(a) - relu(b) = min(a, delta);
 * b active: max(delta, -b); see relu_diff below).
 * Fresh variables (NeuroDiff's symbolic variables): the first NEV_MAX
 * relaxed differences (in layer order) become variables e_k of their own,
 * with DL <= e_k <= DU kept as functions of the inputs (canonical form)
 * and e_k's interval; the difference's functions then carry one slot per
 * e_k, and a bound is concretised after replacing each e_k by its lower or
 * upper function by the sign of its coefficient. A relaxation's error is
 * then one quantity that later layers can cancel along paths of opposite
 * signs, instead of an interval counted on every path (ACAS Xu against its
 * 16-bit twin: 3 to 10 times fewer leaves, docs/tolerance-search.md).
 *
 * Soundness of double arithmetic. The rounding mode is round-to-nearest
 * (the C default; nothing here changes it). Two devices enclose its
 * errors:
 * 1. scalar bounds (concretisation, chord slopes, radii) are computed one
 *    operation at a time and widened by one ulp in the safe direction
 *    (up() / down(), bit-level nextafter): under round-to-nearest the exact
 *    result of an operation lies between the neighbours of the computed
 *    one, so the widened value is on the safe side (overflow gives inf,
 *    which the finiteness checks turn into the answer +inf);
 * 2. coefficient vectors are computed in plain round-to-nearest (fast), and
 *    the error of each coefficient is bounded a priori: a sum of k products
 *    computed recursively differs from the exact sum by at most
 *    gamma_k * sum |terms| + k * eta (Higham, Accuracy and Stability of
 *    Numerical Algorithms, section 3.1; eta = 2^-1074 covers underflow),
 *    and sum |terms| <= (sum |w|) * max |coefficient|. The error times the
 *    largest |x_i| over the box is moved into the constant (subtracted
 *    from a lower function, added to an upper one), so the stored function
 *    is a valid bound on its own and the next layer starts afresh. The
 *    sum over the slots is taken by linearity (gamma_k times the sum of
 *    the coefficient bounds times |x_i|): the per-slot sums of a layer's
 *    inputs are made once a layer (fset_prep), not once a row. Fused
 *    multiply-adds (if the compiler contracts) have one rounding instead
 *    of two, which the same bounds cover.
 * Weights, biases and maps are exact rationals; lump_tol_pair_new encloses
 * each once in a double (mid) and a radius (0 for binary float storage);
 * a radius r adds r * max|input| to the error. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/tolerance.h"
#include "alloc_i.h"
#include "tol_i.h"

#define ETA 0x1p-1074 /* the smallest subnormal: the underflow error unit */

/* ---------------------------------------------------------------------
 * Directed rounding by one ulp, without changing the rounding mode. */

static inline double up(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    if (x > 0) { /* the common case first: one comparison more for inf */
        if (x == INFINITY)
            return x;
        u++;
    } else if (x < 0) {
        u--; /* -inf goes to -DBL_MAX */
    } else if (x == 0) {
        return ETA;
    } else {
        return x; /* NaN */
    }
    memcpy(&x, &u, sizeof u);
    return x;
}

static inline double down(double x)
{
    return -up(-x);
}

/* a + b and a * b rounded up / down; exact operations on 0 stay exact. */
static inline double add_up(double a, double b)
{
    return a == 0 ? b : b == 0 ? a : up(a + b);
}
static inline double add_dn(double a, double b)
{
    return a == 0 ? b : b == 0 ? a : down(a + b);
}
static inline double mul_up(double a, double b)
{
    return a == 0 || b == 0 ? 0 : up(a * b);
}
static inline double mul_dn(double a, double b)
{
    return a == 0 || b == 0 ? 0 : down(a * b);
}

/* max and min that keep a NaN (fmax and fmin drop it, which would let a
 * NaN bound pass for a finite one) */
static inline double maxn(double a, double b)
{
    return a != a || b != b ? NAN : a > b ? a : b;
}
static inline double minn(double a, double b)
{
    return a != a || b != b ? NAN : a < b ? a : b;
}

/* lump_i_tol_enclose_q -- see tol_i.h. */
void lump_i_tol_enclose_q(double *lo, double *hi, const mpq_t q)
{
    double d = mpq_get_d(q); /* truncated towards 0: finite, maybe off */
    mpq_t t;
    int c;
    if (!isfinite(d)) { /* cannot happen with GMP's truncation, be safe */
        *lo = -INFINITY;
        *hi = INFINITY;
        return;
    }
    mpq_init(t);
    mpq_set_d(t, d);
    c = mpq_cmp(q, t);
    mpq_clear(t);
    *lo = *hi = d;
    if (c < 0)
        *lo = nextafter(d, -INFINITY);
    else if (c > 0)
        *hi = nextafter(d, INFINITY);
}

/* lump_tol_enclose_box -- see tolerance.h. */
void lump_tol_enclose_box(double *lo, double *hi, const lump_box_t *box)
{
    for (size_t i = 0; i < box->n; i++) {
        double t;
        lump_i_tol_enclose_q(&lo[i], &t, box->lo[i]);
        lump_i_tol_enclose_q(&t, &hi[i], box->hi[i]);
    }
}

/* ---------------------------------------------------------------------
 * The per-call work: functions are n+1 doubles (coefficients, constant). */

typedef struct {
    size_t n, n1, st; /* inputs, coefficients (n + 1), stride (>= n1, zero padded) */
    double *vl, *vh;       /* the variables' box */
    double *x;             /* max |v_i| */
    /* slots of a function: n1 for a net's; for the difference's, the
     * stride st of the inputs, then one slot per fresh variable made so
     * far (padding slots have the variable range [0, 0]) */
    size_t len;
    size_t nev;            /* fresh variables made (0 in a net's context) */
    double *el, *eu;       /* their lower and upper functions of x, stride st */
    double *g, *s;         /* scratch: n1 each */
    unsigned char *any;    /* scratch: n1 */
} ctx_t;

/* Lower (UPPER = 0) or upper (UPPER = 1) concretised value of F's first
 * LEN slots over the box, rounded down (up) (slot n is the constant): each
 * term at the end of its variable's range that makes it smallest
 * (largest). NaN when a coefficient is not finite, which the caller's
 * check turns into +inf. */
static double box_bound(const ctx_t *c, const double *f, size_t len, int upper)
{
    /* the ends a positive and a negative coefficient take */
    const double *pos = upper ? c->vh : c->vl, *neg = upper ? c->vl : c->vh;
    double s = f[c->n];
    for (size_t i = 0; i < len; i++) {
        double v;
        if (i == c->n || f[i] == 0)
            continue;
        if (!isfinite(f[i]))
            return NAN;
        v = f[i] >= 0 ? pos[i] : neg[i];
        s = upper ? add_up(s, mul_up(f[i], v)) : add_dn(s, mul_dn(f[i], v));
    }
    return s;
}

typedef double v2d_t __attribute__((vector_size(16)));
typedef long long v2i_t __attribute__((vector_size(16)));

/* Slots B to B + min(W, 2 H) of canon below (G, and the scratch S and
 * ANY), in H two-lane registers, each slot's operations in the same
 * order as one slot at a time. Lanes past W are read (F and the fresh
 * variables' functions have at least the stride's slots, a multiple of 4
 * that B + 2 H does not pass) but never stored. */
static inline __attribute__((always_inline)) void canon_block(const ctx_t *c, const double *f,
                                                              int upper, double *g, size_t b,
                                                              size_t w, const int H)
{
    const size_t e0 = c->st, k = w < 2 * (size_t)H ? w : 2 * (size_t)H;
    const v2i_t sign = {INT64_MIN, INT64_MIN}, zero = {0, 0};
    v2d_t G[4], S[4];
    v2i_t A[4];
    double tg[8], ts[8];
    long long ta[8];
#pragma GCC unroll 4
    for (int h = 0; h < H; h++) {
        memcpy(&G[h], f + b + 2 * h, sizeof G[h]);
        S[h] = (v2d_t)((v2i_t)G[h] & ~sign);
        A[h] = zero;
    }
    for (size_t kk = 0; kk < c->nev; kk++) {
        const double ck = f[e0 + kk], a = fabs(ck);
        const double *E = ((ck > 0) != (upper != 0) ? c->el : c->eu) + kk * e0 + b;
        if (ck == 0)
            continue;
#pragma GCC unroll 4
        for (int h = 0; h < H; h++) {
            v2d_t e;
            memcpy(&e, E + 2 * h, sizeof e);
            G[h] += ck * e;
            S[h] += a * (v2d_t)((v2i_t)e & ~sign);
            A[h] |= e != 0;
        }
    }
    memcpy(tg, G, H * sizeof G[0]);
    memcpy(ts, S, H * sizeof S[0]);
    memcpy(ta, A, H * sizeof A[0]);
    memcpy(g + b, tg, k * sizeof *tg);
    memcpy(c->s + b, ts, k * sizeof *ts);
    for (size_t i = 0; i < k; i++)
        c->any[b + i] = ta[i] != 0;
}

/* G (n1 doubles) = F with every fresh variable e_k replaced by its lower
 * function (UPPER = 0; its upper one for a negative coefficient) or upper
 * function (UPPER = 1): a lower (upper) function of the inputs alone,
 * valid wherever F is, since c e_k >= c EL_k(x) for c > 0 and >= c EU_k(x)
 * for c < 0 (NeuroDiff's canonical form of its symbolic variables). The
 * rounding of the sums (at most NEV + 1 terms a coefficient, any order)
 * is bounded by device 2 of the file comment and moved into the constant.
 * O(nev n). */
static void canon(const ctx_t *c, const double *f, int upper, double *g)
{
    const size_t n = c->n, n1 = c->n1, e0 = c->st;
    double *s = c->s, gam, err = 0;
    size_t cnt = 1;
    unsigned char *any = c->any; /* slot i: a nonzero product was added */
    for (size_t k = 0; k < c->nev; k++) {
        const double ck = f[e0 + k];
        if (ck == 0)
            continue;
        if (!isfinite(ck)) {
            memcpy(g, f, n1 * sizeof *g);
            g[n] = NAN;
            return;
        }
        cnt++;
    }
    for (size_t b0 = 0; b0 < n1; b0 += 8) {
        if (n1 - b0 > 4)
            canon_block(c, f, upper, g, b0, n1 - b0, 4);
        else
            canon_block(c, f, upper, g, b0, n1 - b0, 2);
    }
    if (cnt == 1)
        return;
    /* S was summed in round-to-nearest from nonnegative terms: the exact
     * sum is at most S (1 + gamma_cnt) / ... <= S (1 + cnt 2^-51) plus the
     * underflow of CNT products; the error of G_i is at most gamma_cnt
     * times the exact S_i plus CNT eta */
    gam = up((double)cnt * 0x1p-53 * (1 + 0x1p-18));
    /* slot i (when ANY) errs by at most e_i = gamma (S_i (1 + cnt
     * 2^-51) + cnt eta) + cnt eta, counted |x_i| times (x_n = 1); the sum
     * over the slots is gamma (1 + cnt 2^-51) SX + cnt eta (gamma + 1) X
     * with SX = sum S_i |x_i| and X = sum |x_i|, both rounded up */
    {
        double sx = 0, xs = 0;
        for (size_t i = 0; i < n1; i++) {
            const double xi = i == n ? 1 : c->x[i];
            if (!isfinite(g[i]) || !isfinite(s[i])) {
                g[n] = NAN;
                return;
            }
            if (!any[i]) /* f_i + 0 + ... + 0: exact */
                continue;
            sx = add_up(sx, mul_up(s[i], xi));
            xs = add_up(xs, xi);
        }
        err = add_up(mul_up(gam, mul_up(up(1 + (double)cnt * 0x1p-51), sx)),
                     mul_up(mul_up((double)cnt * ETA, add_up(gam, 1)), xs));
    }
    g[n] = upper ? add_up(g[n], err) : add_dn(g[n], -err);
}

/* F's lower (UPPER = 0) or upper (UPPER = 1) bound over the box, its
 * fresh variables first replaced by their functions of the inputs. */
static double conc(const ctx_t *c, const double *f, int upper)
{
    if (c->nev == 0)
        return box_bound(c, f, c->len, upper);
    canon(c, f, upper, c->g);
    return box_bound(c, c->g, c->n1, upper);
}

static double conc_lo(const ctx_t *c, const double *f)
{
    return conc(c, f, 0);
}

static double conc_hi(const ctx_t *c, const double *f)
{
    return conc(c, f, 1);
}

/* One term of an affine row: M weights, split into positive parts WP and
 * negative parts WN (one of the two is 0; W1 >= sum |w|, RAD the radii
 * or NULL), applied to M neurons whose lower and upper functions are FL,
 * FU (n+1 doubles each, consecutive), whose values are at most MAXABS in
 * absolute value, and whose coefficient i is at most GMAX[i] in absolute
 * value (GMAX enters only through GX and XS). */
typedef struct {
    const double *wp, *wn, *rad;
    double w1;
    size_t m;
    const unsigned *idx; /* NULL, or the nonzero columns, positive first */
    size_t np, nz;       /* how many positive, how many nonzero in IDX */
    const double *fl, *fu, *maxabs;
    double gx, xs;  /* sum over slots i of GMAX[i] |x_i|, and of the |x_i| where
                       GMAX[i] != 0 (x_n = 1), rounded up (fset_prep) */
    size_t st, len; /* the functions' stride, and how many slots to read */
} term_t;

/* L[h] += w_u A_u[2h..2h+1], U[h] += w_u Z_u[2h..2h+1] for the columns u =
 * IX[FROM..TO) and h < H (rows of stride ST): the positive weights with
 * (A, Z) = (FL, FU), the negative ones with (FU, FL). */
static inline __attribute__((always_inline)) void acc_cols(v2d_t *L, v2d_t *U, const double *A,
                                                           const double *Z, const double *w,
                                                           const unsigned *ix, size_t from,
                                                           size_t to, size_t st, const int H)
{
    for (size_t k2 = from; k2 < to; k2++) {
        const size_t u = ix[k2];
        const double p = w[u];
#pragma GCC unroll 4
        for (int h = 0; h < H; h++) {
            v2d_t a, z;
            memcpy(&a, A + u * st + 2 * h, sizeof a);
            memcpy(&z, Z + u * st + 2 * h, sizeof z);
            L[h] += p * a;
            U[h] += p * z;
        }
    }
}

/* OL[B + i] += sum over T's nonzero columns u of w_u * F_u[B + i] (lower:
 * w+ * FL + w- * FU; upper: w+ * FU + w- * FL), for i < min(W, 2 H), in
 * H two-lane accumulators. Lanes past W are read (the stride is a
 * multiple of 4 and B + 2 H does not pass it: the row's padding or
 * unused slots) but never stored. */
static inline __attribute__((always_inline)) void acc_block(double *restrict ol, double *restrict ou,
                                                            const term_t *t, size_t b, size_t w,
                                                            const int H)
{
    const size_t k = w < 2 * (size_t)H ? w : 2 * (size_t)H;
    v2d_t L[4], U[4];
    double al[8] = {0}, au[8] = {0};
    memcpy(al, ol + b, k * sizeof *al);
    memcpy(au, ou + b, k * sizeof *au);
    memcpy(L, al, sizeof L);
    memcpy(U, au, sizeof U);
    acc_cols(L, U, t->fl + b, t->fu + b, t->wp, t->idx, 0, t->np, t->st, H);
    acc_cols(L, U, t->fu + b, t->fl + b, t->wn, t->idx, t->np, t->nz, t->st, H);
    memcpy(al, L, sizeof L);
    memcpy(au, U, sizeof U);
    memcpy(ol + b, al, k * sizeof *al);
    memcpy(ou + b, au, k * sizeof *au);
}

/* OL, OU = lower and upper functions of sum over terms of w * f + B, with
 * the bias enclosed in B +- BR. See the file comment, device 2. The sums
 * are branch-free: w+ * L + w- * U has one exact zero product (so k below
 * counts two products per weight, an overestimate). */
static void affine_row(double *restrict ol, double *restrict ou, const ctx_t *c,
                       const term_t *t, size_t nt, double b, double br)
{
    const size_t n = c->n, n1 = c->n1, len = c->len;
    double err = br, gam;
    size_t k = 1;
    for (size_t i = 0; i < len; i++)
        ol[i] = ou[i] = 0;
    for (size_t j = 0; j < nt; j++) {
        const double *restrict wp = t[j].wp, *restrict wn = t[j].wn;
        const double *restrict fl = t[j].fl, *restrict fu = t[j].fu;
        const size_t m = t[j].m, st = t[j].st, tl = t[j].len;
        if (st != 8 && t[j].idx != NULL) {
            /* the difference's functions, with fresh variables: the
             * nonzero columns only, as below, any slot count; slot
             * blocks of 8 (or 4) kept in registers while the weights
             * are summed, each slot's sum in the same order as one
             * slot at a time */
            for (size_t b0 = 0; b0 < tl; b0 += 8) {
                if (tl - b0 > 4)
                    acc_block(ol, ou, &t[j], b0, tl - b0, 4);
                else
                    acc_block(ol, ou, &t[j], b0, tl - b0, 2);
            }
        } else if (st == 8 && t[j].idx != NULL) {
            /* the same sums without the products by an exact 0 (they
             * change no partial sum; 0 * inf is left out, which is right:
             * a zero weight makes a neuron's bounded value 0); the sum's
             * order changes, which the error bound below ignores */
            /* eight accumulators of two lanes, kept in registers (GCC
             * vector extension: the same IEEE operations lane by lane) */
            v2d_t L[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}}, U[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
            double al[8], au[8];
            acc_cols(L, U, fl, fu, wp, t[j].idx, 0, t[j].np, 8, 4);
            acc_cols(L, U, fu, fl, wn, t[j].idx, t[j].np, t[j].nz, 8, 4);
            memcpy(al, L, sizeof al);
            memcpy(au, U, sizeof au);
            for (size_t i = 0; i < n1; i++) {
                ol[i] += al[i];
                ou[i] += au[i];
            }
        } else if (st == 8) { /* 8 lanes at once: the compiler vectorises */
            double al[8] = {0}, au[8] = {0};
            for (size_t u = 0; u < m; u++) {
                const double *restrict a = fl + u * 8, *restrict z = fu + u * 8;
                const double p = wp[u], q = wn[u];
                for (size_t i = 0; i < 8; i++) {
                    al[i] += p * a[i] + q * z[i];
                    au[i] += p * z[i] + q * a[i];
                }
            }
            for (size_t i = 0; i < n1; i++) {
                ol[i] += al[i];
                ou[i] += au[i];
            }
        } else {
            for (size_t i = 0; i < tl; i++) {
                double l0 = 0, u0 = 0;
                for (size_t u = 0; u < m; u++) {
                    l0 += wp[u] * fl[u * st + i] + wn[u] * fu[u * st + i];
                    u0 += wp[u] * fu[u * st + i] + wn[u] * fl[u * st + i];
                }
                ol[i] += l0;
                ou[i] += u0;
            }
        }
        if (t[j].rad != NULL) {
            /* sum rad * maxabs, all terms >= 0, in four lanes: any order
             * of the M - 1 additions errs by at most gamma_M times the
             * exact sum, which the factor below covers */
            v2d_t r2[2] = {{0, 0}, {0, 0}};
            double r;
            size_t u = 0;
            for (; u + 4 <= m; u += 4) {
                v2d_t a0, a1, z0, z1;
                memcpy(&a0, t[j].rad + u, sizeof a0);
                memcpy(&a1, t[j].rad + u + 2, sizeof a1);
                memcpy(&z0, t[j].maxabs + u, sizeof z0);
                memcpy(&z1, t[j].maxabs + u + 2, sizeof z1);
                r2[0] += a0 * z0;
                r2[1] += a1 * z1;
            }
            r = (r2[0][0] + r2[0][1]) + (r2[1][0] + r2[1][1]);
            for (; u < m; u++)
                r += t[j].rad[u] * t[j].maxabs[u];
            r = mul_up(r, up(1 + (double)m * 0x1p-51));
            err = add_up(err, add_up(r, r > 0 ? (double)m * ETA : 0));
        }
        k += 2 * m + 1;
    }
    ol[n] += b;
    ou[n] += b;
    /* gamma_k = k u / (1 - k u) <= k u (1 + 2^-19) for k < 2^32: the
     * product below is exact up to its last rounding, which up() covers */
    gam = up((double)k * 0x1p-53 * (1 + 0x1p-18));
    /* slot i's error is at most gamma_k s_i + k eta with s_i = sum over
     * terms of W1 GMAX[i] (plus |b| in the constant's), and counts |x_i|
     * times (x_n = 1), or nothing when s_i = 0 (every product an exact
     * 0). Summed over the slots: gamma_k (sum over terms of W1 GX + |b|)
     * + k eta (sum of XS over the terms with W1 != 0), which is at least
     * the per-slot sum (XS counts every slot where some s_i may be
     * nonzero); the slot sums GX, XS are made once a layer by fset_prep
     * instead of once a row. */
    {
        double sg = 0, sx = 0;
        for (size_t j = 0; j < nt; j++) {
            if (t[j].w1 == 0 || t[j].xs == 0)
                continue; /* its products are exact zeros or count 0 */
            sg = add_up(sg, mul_up(t[j].w1, t[j].gx));
            sx = add_up(sx, t[j].xs);
        }
        if (sx != 0 || sx != sx)
            err = add_up(err, add_up(mul_up(gam, add_up(sg, fabs(b))), mul_up((double)k * ETA, sx)));
    }
    ol[n] = add_dn(ol[n], -err);
    ou[n] = add_up(ou[n], err);
}

/* O = S * F + K with S >= 0, as a lower (UPPER = 0) or upper function; K
 * is already rounded the safe way. Each product's error, at most 2u |p| +
 * eta, times max |x_i| goes into the constant. */
static void scale_fn(double *o, const ctx_t *c, const double *f, double s, double k, int upper)
{
    const size_t n = c->n;
    double err = 0;
    for (size_t i = 0; i < c->len; i++) {
        if (i == n)
            continue;
        o[i] = s * f[i];
        if (o[i] != 0 || (f[i] != 0 && s != 0))
            err = add_up(err, mul_up(add_up(fabs(o[i]) * 0x1p-52, ETA), c->x[i]));
    }
    if (upper) {
        o[n] = add_up(add_up(mul_up(s, f[n]), k), err);
    } else {
        o[n] = add_dn(add_dn(mul_dn(s, f[n]), k), -err);
    }
}

static void zero_fn(double *o, const ctx_t *c)
{
    memset(o, 0, c->len * sizeof *o);
}

/* O = SIGN * F for a net's function F (n1 slots) in the context C (more
 * slots when C is the difference's: those are 0). */
static void net_fn(double *o, const ctx_t *c, const double *f, double sign)
{
    for (size_t i = 0; i < c->len; i++)
        o[i] = i < c->n1 ? sign * f[i] : 0;
}

/* The relu of a net's neuron in place: pre-activation functions L, U with
 * values in [*LO, *HI]; afterwards the post-activation ones. As Neurify
 * (Wang et al., NeurIPS 2018): relu(z) <= relu(U(x)), bounded by the chord
 * of relu over U's own range [lu, u]; relu(z) >= relu(L(x)) >= alpha L(x)
 * for any alpha in [0, 1], the chord's slope over L's range [l, ul]. */
static void relu_net(const ctx_t *c, double *L, double *U, double *lo, double *hi)
{
    double l = *lo, u = *hi, lu, ul, lam, alpha;
    if (l >= 0)
        return;
    if (u <= 0) {
        zero_fn(L, c);
        zero_fn(U, c);
        *lo = *hi = 0;
        return;
    }
    lu = conc_lo(c, U);
    ul = conc_hi(c, L);
    if (lu < 0) { /* lam >= u / (u - lu), and U(x) - lu >= 0 */
        lam = up(u / down(u - lu));
        scale_fn(U, c, U, lam, mul_up(lam, -lu), 1);
    } /* else relu(U(x)) = U(x) on the box: U stays */
    if (ul <= 0) {
        zero_fn(L, c);
    } else {
        alpha = ul / (ul - l); /* any value in [0, 1] is sound */
        alpha = alpha > 1 ? 1 : alpha < 0 ? 0 : alpha;
        scale_fn(L, c, L, alpha, 0, 0);
    }
    *lo = 0;
}

/* Upper function of max(0, delta), delta <= DU(x), delta in [dl, du]. Two
 * sound chords: relu(delta) <= lam (delta - dl) <= lam (DU(x) - dl) with
 * lam >= du / (du - dl); and relu(delta) <= relu(DU(x)) <= the chord of
 * relu over DU's own range [ml, mu]. Whichever has the smaller maximum. */
static void lip_hi(double *o, const ctx_t *c, const double *DU, double dl, double du)
{
    double lam, ml = conc_lo(c, DU), mu = conc_hi(c, DU), lam2, top1, top2;
    if (dl >= 0 || ml >= 0) {
        memcpy(o, DU, c->len * sizeof *o);
    } else if (du <= 0 || mu <= 0) {
        zero_fn(o, c);
    } else {
        lam = up(du / down(du - dl));
        lam2 = up(mu / down(mu - ml));
        top1 = mul_up(lam, add_up(mu, -dl));
        top2 = mu;
        if (top1 < top2)
            scale_fn(o, c, DU, lam, mul_up(lam, -dl), 1);
        else
            scale_fn(o, c, DU, lam2, mul_up(lam2, -ml), 1);
    }
}

/* Lower function of min(0, delta), delta >= DL(x), delta in [dl, du]:
 * min(0, delta) = -relu(-delta) >= -mu (du - delta) with mu >= -dl / (du -
 * dl); or min(0, delta) >= min(0, DL(x)), the chord over DL's own range. */
static void lip_lo(double *o, const ctx_t *c, const double *DL, double dl, double du)
{
    double mu, ml = conc_lo(c, DL), mh = conc_hi(c, DL), mu2, bot1, bot2;
    if (du <= 0 || mh <= 0) {
        memcpy(o, DL, c->len * sizeof *o);
    } else if (dl >= 0 || ml >= 0) {
        zero_fn(o, c);
    } else {
        mu = up(-dl / down(du - dl));
        mu2 = up(-ml / down(mh - ml));
        bot1 = -mul_up(mu, add_up(du, -ml)); /* the first line's minimum */
        bot2 = ml;
        if (bot1 > bot2)
            scale_fn(o, c, DL, mu, -mul_up(mu, du), 0);
        else
            scale_fn(o, c, DL, mu2, -mul_up(mu2, mh), 0);
    }
}

enum { ACT, INACT, UNST };

static int phase(double l, double u)
{
    return l >= 0 ? ACT : u <= 0 ? INACT : UNST;
}

/* The difference through paired relus, in place on DL, DU with values in
 * [*dl, *du]; A's and B's pre-activation functions and intervals given.
 * T1, T2 are scratch functions. Returns 1 when the difference was relaxed
 * (the phases differ or one is unknown), 0 when it is exact. */
static int relu_diff(const ctx_t *c, double *DL, double *DU, double *dl, double *du,
                      const double *LA, const double *UA, double al, double au,
                      const double *LB, const double *UB, double bl, double bu, double *t1,
                      double *t2)
{
    const size_t len = c->len;
    const int pa = phase(al, au), pb = phase(bl, bu);
    double lo, hi, l0 = *dl, u0 = *du;
    if (pa == ACT && pb == ACT)
        return 0; /* delta passes, with its interval */
    if (pa == INACT && pb == INACT) {
        zero_fn(DL, c);
        zero_fn(DU, c);
        *dl = *du = 0;
        return 0;
    }
    /* t1 = lower, t2 = upper of relu(a) - relu(b) */
    if (pa == ACT && pb == INACT) { /* = a, and a = delta + b <= delta */
        net_fn(t1, c, LA, 1);
        if (conc_hi(c, DU) < au)
            memcpy(t2, DU, len * sizeof *t2);
        else
            net_fn(t2, c, UA, 1);
    } else if (pa == INACT && pb == ACT) { /* = -b, and -b = delta - a >= delta */
        if (conc_lo(c, DL) > -bu)
            memcpy(t1, DL, len * sizeof *t1);
        else
            net_fn(t1, c, UB, -1);
        net_fn(t2, c, LB, -1);
    } else if (pa == ACT) { /* b unstable: = min(a, delta) */
        lip_lo(t1, c, DL, l0, u0);
        if (conc_hi(c, DU) < au)
            memcpy(t2, DU, len * sizeof *t2);
        else
            net_fn(t2, c, UA, 1);
    } else if (pb == ACT) { /* a unstable: = max(delta, -b) <= max(delta, 0) */
        if (conc_lo(c, DL) > -bu)
            memcpy(t1, DL, len * sizeof *t1);
        else
            net_fn(t1, c, UB, -1);
        lip_hi(t2, c, DU, l0, u0);
    } else if (pa == INACT) { /* = min(0, -b) >= min(0, delta), <= 0 */
        lip_lo(t1, c, DL, l0, u0);
        zero_fn(t2, c);
    } else if (pb == INACT) { /* = max(0, a) <= max(0, delta), >= 0 */
        zero_fn(t1, c);
        lip_hi(t2, c, DU, l0, u0);
    } else {
        lip_lo(t1, c, DL, l0, u0);
        lip_hi(t2, c, DU, l0, u0);
    }
    memcpy(DL, t1, len * sizeof *DL);
    memcpy(DU, t2, len * sizeof *DU);
    /* the interval: the functions', the relus' ranges, and Lipschitz */
    lo = conc_lo(c, DL);
    hi = conc_hi(c, DU);
    lo = maxn(lo, add_dn(maxn(al, 0), -maxn(bu, 0)));
    hi = minn(hi, add_up(maxn(au, 0), -maxn(bl, 0)));
    lo = maxn(lo, minn(l0, 0));
    hi = minn(hi, maxn(u0, 0));
    *dl = lo;
    *du = hi;
    return 1;
}

/* ---------------------------------------------------------------------
 * Scratch memory and the walk through the layers. */

typedef struct {
    double *L, *U, *lo, *hi; /* functions (width * st) and intervals (width) */
    double *gmax;            /* st: max |coefficient i| */
    double *maxabs;          /* width: max |value| */
    size_t st;               /* the stride of the functions */
    size_t glen;             /* the slots a layer reads (fset_prep) */
    double gx, xs;           /* see term_t */
} fset_t;

static void fset_alloc(fset_t *f, size_t width, size_t st)
{
    f->st = st;
    /* zeroed: the padding of each function stays 0 */
    f->L = lump_alloc_zero(width * st, sizeof *f->L);
    f->U = lump_alloc_zero(width * st, sizeof *f->U);
    f->lo = lump_alloc_array(width, sizeof *f->lo);
    f->hi = lump_alloc_array(width, sizeof *f->hi);
    f->gmax = lump_alloc_array(st, sizeof *f->gmax);
    f->maxabs = lump_alloc_array(width, sizeof *f->maxabs);
}

static void fset_free(fset_t *f)
{
    LUMP_FREE_ALL(f->L, f->U, f->lo, f->hi, f->gmax, f->maxabs);
}

/* GMAX and MAXABS of the first SIZE neurons of F, and GX, XS over its
 * first LEN slots with the variables' bounds of C, before a layer reads
 * them (LEN slots of each function). */
static void fset_prep(fset_t *f, size_t size, const ctx_t *c, size_t len)
{
    const size_t st = f->st;
    for (size_t i = 0; i < st; i++)
        f->gmax[i] = 0;
    for (size_t v = 0; v < size; v++) {
        for (size_t i = 0; i < st; i++) {
            f->gmax[i] = maxn(f->gmax[i], fabs(f->L[v * st + i]));
            f->gmax[i] = maxn(f->gmax[i], fabs(f->U[v * st + i]));
        }
        f->maxabs[v] = maxn(fabs(f->lo[v]), fabs(f->hi[v]));
    }
    f->glen = len;
    f->gx = f->xs = 0;
    for (size_t i = 0; i < len; i++) {
        const double xi = i == c->n ? 1 : c->x[i];
        if (f->gmax[i] == 0)
            continue;
        f->gx = add_up(f->gx, mul_up(f->gmax[i], xi));
        f->xs = add_up(f->xs, xi);
    }
}

/* A term over the functions F from neuron FIRST on, of which the slots
 * fset_prep was given are read; no weights yet (the callers set them). */
static term_t fn_term(const fset_t *f, size_t first)
{
    const term_t t = {.fl = f->L + first * f->st,
                      .fu = f->U + first * f->st,
                      .maxabs = f->maxabs + first,
                      .gx = f->gx,
                      .xs = f->xs,
                      .st = f->st,
                      .len = f->glen};
    return t;
}

/* The term of row V of layer LY (the net's own or the difference's) over
 * the functions F, of which the slots fset_prep was given are read. */
static term_t row_term(const lump_i_tlayer_t *ly, size_t v, const fset_t *f)
{
    term_t t = fn_term(f, ly->diag ? v : 0);
    size_t off = ly->diag ? v : v * ly->in;
    t.m = ly->diag ? 1 : ly->in;
    t.wp = ly->wp + off;
    t.wn = ly->wn + off;
    t.rad = ly->wr != NULL ? ly->wr + off : NULL;
    t.w1 = ly->w1[v];
    t.idx = ly->idx != NULL ? ly->idx + off : NULL;
    t.np = ly->npos != NULL ? ly->npos[v] : 0;
    t.nz = ly->nnz != NULL ? ly->nnz[v] : 0;
    return t;
}

/* The term +-1 times neuron J of F (SIGN = 1 or -1). */
static term_t unit_term(int sign, size_t j, const fset_t *f)
{
    static const double one = 1, zero = 0, minus = -1;
    term_t t = fn_term(f, j); /* no radii, no index of columns */
    t.wp = sign > 0 ? &one : &zero;
    t.wn = sign > 0 ? &zero : &minus;
    t.w1 = 1;
    t.m = 1;
    return t;
}

/* Affine layer LY of one net: NX = W F + b, with intervals. */
static void affine_net(const ctx_t *c, const lump_i_tlayer_t *ly, fset_t *f, fset_t *nx)
{
    const size_t st = c->st;
    fset_prep(f, ly->in, c, c->n1);
    for (size_t v = 0; v < ly->size; v++) {
        term_t t = row_term(ly, v, f);
        affine_row(nx->L + v * st, nx->U + v * st, c, &t, 1, ly->b[v],
                   ly->br != NULL ? ly->br[v] : 0);
        nx->lo[v] = conc_lo(c, nx->L + v * st);
        nx->hi[v] = conc_hi(c, nx->U + v * st);
    }
}

/* Affine layer of the difference: ND = W_A D + (W_A - W_B) FB + (b_A - b_B),
 * intersected with A's interval minus B's. */
static void affine_diff(const ctx_t *c, const lump_i_tlayer_t *la, const lump_i_tlayer_t *ld, fset_t *d,
                        fset_t *fb, fset_t *nd, const fset_t *na, const fset_t *nb)
{
    const size_t st = nd->st;
    fset_prep(d, la->in, c, c->len);
    fset_prep(fb, la->in, c, c->n1);
    for (size_t v = 0; v < la->size; v++) {
        term_t t[2];
        t[0] = row_term(la, v, d);
        t[1] = row_term(ld, v, fb);
        affine_row(nd->L + v * st, nd->U + v * st, c, t, 2, ld->b[v],
                   ld->br != NULL ? ld->br[v] : 0);
        nd->lo[v] = maxn(conc_lo(c, nd->L + v * st), add_dn(na->lo[v], -nb->hi[v]));
        nd->hi[v] = minn(conc_hi(c, nd->U + v * st), add_up(na->hi[v], -nb->lo[v]));
    }
}

static int all_finite(const fset_t *f, size_t size)
{
    for (size_t v = 0; v < size; v++)
        if (!isfinite(f->lo[v]) || !isfinite(f->hi[v]))
            return 0;
    return 1;
}

/* The input functions of one net: the variable itself, or the constants
 * its clip gives on this leaf. */
static void load_inputs(fset_t *f, const ctx_t *c, const lump_i_tinput_t *in, const unsigned char *subst,
                        const double *lo, const double *hi)
{
    const size_t n = c->n, st = c->st;
    for (size_t i = 0; i < n; i++) {
        double *L = f->L + i * st, *U = f->U + i * st;
        zero_fn(L, c);
        zero_fn(U, c);
        if (subst[i] || !in[i].clip || (lo[i] >= in[i].clo_up && hi[i] <= in[i].chi_dn)) {
            L[i] = U[i] = 1;
            f->lo[i] = c->vl[i];
            f->hi[i] = c->vh[i];
        } else { /* clip(x) in [clip(lo), clip(hi)]: constants */
            L[n] = minn(maxn(lo[i], in[i].clo_dn), in[i].chi_dn);
            U[n] = minn(maxn(hi[i], in[i].clo_up), in[i].chi_up);
            f->lo[i] = L[n];
            f->hi[i] = U[n];
        }
    }
}

/* At most this many fresh variables a call: each widens the difference's
 * functions by one slot (the cost of its affine layers grows with it). */
#define NEV_MAX 16

/* Replace the difference of one relaxed neuron, DL <= e <= DU with e in
 * [LO, HI], by a fresh variable e (NeuroDiff's symbolic variables): its
 * functions of the inputs are DL and DU in canonical form, and from now on
 * DL = DU = e, so that the relaxation's error is one quantity that the
 * next layers can cancel (two paths with opposite signs) instead of an
 * interval counted on every path. Nothing happens when the budget is
 * spent or a bound is not finite. O(nev n + len). */
static void fresh_var(ctx_t *c, double *DL, double *DU, double lo, double hi)
{
    const size_t k = c->nev, e0 = c->st, n1 = c->n1;
    double *EL = c->el + k * e0, *EU = c->eu + k * e0;
    if (k >= NEV_MAX || !isfinite(lo) || !isfinite(hi) || lo == hi)
        return;
    canon(c, DL, 0, EL);
    canon(c, DU, 1, EU);
    for (size_t i = 0; i < n1; i++)
        if (!isfinite(EL[i]) || !isfinite(EU[i]))
            return;
    c->vl[e0 + k] = lo;
    c->vh[e0 + k] = hi;
    c->x[e0 + k] = maxn(fabs(lo), fabs(hi));
    c->nev = k + 1;
    c->len = e0 + k + 1;
    zero_fn(DL, c);
    zero_fn(DU, c);
    DL[e0 + k] = DU[e0 + k] = 1;
}

/* lump_tol_leaf_bound -- see tolerance.h. */
double lump_tol_leaf_bound(const lump_tol_pair_t *p, const double *lo, const double *hi)
{
    /* the stride: n + 1 rounded up to a multiple of 4, so that the
     * kernel's lanes are whole vectors */
    const size_t n = p->n, n1 = n + 1, st = (n1 + 3) & ~(size_t)3, w = p->width;
    const size_t sd = st + NEV_MAX; /* the difference's stride */
    fset_t A[2], B[2], D[2];
    /* zeroed: the padding slots are variables with range [0, 0] */
    double *vl = lump_alloc_zero(sd, sizeof *vl);
    double *vh = lump_alloc_zero(sd, sizeof *vh);
    double *x = lump_alloc_zero(sd, sizeof *x);
    double *t1 = lump_alloc_zero(sd, sizeof *t1), *t2 = lump_alloc_zero(sd, sizeof *t2);
    double *el = lump_alloc_zero(NEV_MAX * st, sizeof *el);
    double *eu = lump_alloc_zero(NEV_MAX * st, sizeof *eu);
    double *g = lump_alloc_zero(n1, sizeof *g), *sc = lump_alloc_zero(n1, sizeof *sc);
    unsigned char *any = lump_alloc_zero(n1, 1);
    double result = 0;
    int cur = 0;
    /* the nets' context, and the difference's (whose slot count grows) */
    ctx_t c = {n, n1, st, vl, vh, x, n1, 0, el, eu, g, sc, any};
    ctx_t cd = {n, n1, st, vl, vh, x, st, 0, el, eu, g, sc, any};
    for (int s = 0; s < 2; s++) {
        fset_alloc(&A[s], w, st);
        fset_alloc(&B[s], w, st);
        fset_alloc(&D[s], w, sd);
    }
    /* the variables: input i, or its clipped value when A and B clip it
     * alike (then the clip is exact: the functions are of clip(x_i)) */
    for (size_t i = 0; i < n; i++) {
        vl[i] = lo[i];
        vh[i] = hi[i];
        if (p->subst[i] && p->ia[i].clip) {
            vl[i] = minn(maxn(lo[i], p->ia[i].clo_dn), p->ia[i].chi_dn);
            vh[i] = minn(maxn(hi[i], p->ia[i].clo_up), p->ia[i].chi_up);
        }
        if (!(vl[i] <= vh[i]) || !isfinite(vl[i]) || !isfinite(vh[i])) {
            result = INFINITY;
            goto done;
        }
        x[i] = maxn(fabs(vl[i]), fabs(vh[i]));
    }
    load_inputs(&A[0], &c, p->ia, p->subst, lo, hi);
    load_inputs(&B[0], &c, p->ib, p->subst, lo, hi);
    if (p->paired) {
        for (size_t i = 0; i < n; i++) {
            term_t t[2];
            double *DL = D[0].L + i * sd, *DU = D[0].U + i * sd;
            if (memcmp(A[0].L + i * st, B[0].L + i * st, n1 * sizeof(double)) == 0 &&
                memcmp(A[0].U + i * st, B[0].U + i * st, n1 * sizeof(double)) == 0) {
                zero_fn(DL, &cd);
                zero_fn(DU, &cd);
                D[0].lo[i] = D[0].hi[i] = 0;
                continue;
            }
            fset_prep(&A[0], n, &c, n1);
            fset_prep(&B[0], n, &c, n1);
            t[0] = unit_term(1, i, &A[0]);
            t[1] = unit_term(-1, i, &B[0]);
            affine_row(DL, DU, &cd, t, 2, 0, 0);
            D[0].lo[i] = add_dn(A[0].lo[i], -B[0].hi[i]);
            D[0].hi[i] = add_up(A[0].hi[i], -B[0].lo[i]);
        }
    }
    for (size_t k = 0; k < p->depth; k++) {
        const lump_i_tlayer_t *la = &p->la[k], *lb = &p->lb[k];
        const int nx = 1 - cur;
        affine_net(&c, la, &A[cur], &A[nx]);
        affine_net(&c, lb, &B[cur], &B[nx]);
        if (!all_finite(&A[nx], la->size) || !all_finite(&B[nx], lb->size)) {
            result = INFINITY;
            goto done;
        }
        if (p->paired) {
            affine_diff(&cd, la, &p->ld[k], &D[cur], &B[cur], &D[nx], &A[nx], &B[nx]);
            if (!all_finite(&D[nx], la->size)) {
                result = INFINITY;
                goto done;
            }
            for (size_t v = 0; v < la->size; v++) {
                double *DL = D[nx].L + v * sd, *DU = D[nx].U + v * sd;
                if (la->relu[v] &&
                    relu_diff(&cd, DL, DU, &D[nx].lo[v], &D[nx].hi[v], A[nx].L + v * st,
                              A[nx].U + v * st, A[nx].lo[v], A[nx].hi[v], B[nx].L + v * st,
                              B[nx].U + v * st, B[nx].lo[v], B[nx].hi[v], t1, t2))
                    fresh_var(&cd, DL, DU, D[nx].lo[v], D[nx].hi[v]);
            }
        }
        for (size_t v = 0; v < la->size; v++)
            if (la->relu[v])
                relu_net(&c, A[nx].L + v * st, A[nx].U + v * st, &A[nx].lo[v], &A[nx].hi[v]);
        for (size_t v = 0; v < lb->size; v++)
            if (lb->relu[v])
                relu_net(&c, B[nx].L + v * st, B[nx].U + v * st, &B[nx].lo[v], &B[nx].hi[v]);
        cur = nx;
    }
    for (size_t jj = 0; jj < p->n_out; jj++) {
        const size_t j = p->out[jj];
        double dl, du;
        if (p->paired) {
            dl = D[cur].lo[j];
            du = D[cur].hi[j];
        } else { /* A_j - B_j from the separate functions */
            term_t t[2];
            fset_prep(&A[cur], p->la[p->depth - 1].size, &c, n1);
            fset_prep(&B[cur], p->lb[p->depth - 1].size, &c, n1);
            t[0] = unit_term(1, j, &A[cur]);
            t[1] = unit_term(-1, j, &B[cur]);
            affine_row(t1, t2, &c, t, 2, 0, 0);
            dl = maxn(conc_lo(&c, t1), add_dn(A[cur].lo[j], -B[cur].hi[j]));
            du = minn(conc_hi(&c, t2), add_up(A[cur].hi[j], -B[cur].lo[j]));
        }
        if (isnan(dl) || isnan(du)) {
            result = INFINITY;
            goto done;
        }
        result = maxn(result, maxn(fabs(dl), fabs(du)));
    }
done:
    for (int s = 0; s < 2; s++) {
        fset_free(&A[s]);
        fset_free(&B[s]);
        fset_free(&D[s]);
    }
    LUMP_FREE_ALL(vl, vh, x, t1, t2, el, eu, g, sc, any);
    return isnan(result) ? INFINITY : result;
}
