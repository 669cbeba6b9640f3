/* act_desc.c -- the activation descriptor table (act_i.h): per kind its
 * properties, exact and double values, value intervals and slopes */
#include <math.h>
#include <mpfr.h>
#include "act_i.h"
#include "arr_i.h"
#include "lumpnet/rat.h"

double lump_i_q_down(const mpq_t q)
{
    return lump_i_rat_get_d_rnd(q, MPFR_RNDD);
}

double lump_i_q_up(const mpq_t q)
{
    return lump_i_rat_get_d_rnd(q, MPFR_RNDU);
}

/* ---- exact values ----------------------------------------------------- */

static int identity_q(mpq_t y, const lump_act_t *a, const mpq_t z)
{
    (void)a;
    mpq_set(y, z);
    return 1;
}

static int relu_q(mpq_t y, const lump_act_t *a, const mpq_t z)
{
    (void)a;
    if (mpq_sgn(z) < 0)
        mpq_set_ui(y, 0, 1);
    else
        mpq_set(y, z);
    return 1;
}

static int leaky_relu_q(mpq_t y, const lump_act_t *a, const mpq_t z)
{
    if (mpq_sgn(z) < 0)
        mpq_mul(y, z, a->alpha);
    else
        mpq_set(y, z);
    return 1;
}

/* e^z is irrational for rational z != 0 (Lindemann), so are sigmoid(z)
 * and tanh(z); at 0 they are 1/2 and 0 */
static int smooth_q(mpq_t y, const lump_act_t *a, const mpq_t z)
{
    if (a->kind == LUMP_ACT_SIGMOID)
        mpq_set_ui(y, 1, 2);
    else
        mpq_set_ui(y, 0, 1);
    return mpq_sgn(z) == 0;
}

/* ---- doubles, to nearest ---------------------------------------------- */

static double identity_d(const lump_act_t *a, double z)
{
    (void)a;
    return z;
}

static double relu_d(const lump_act_t *a, double z)
{
    (void)a;
    return z > 0 ? z : 0.0;
}

static double leaky_relu_d(const lump_act_t *a, double z)
{
    return z >= 0 ? z : lump_rat_get_d(a->alpha) * z;
}

static double sigmoid_d(const lump_act_t *a, double z)
{
    (void)a;
    return 1.0 / (1.0 + exp(-z));
}

static double tanh_d(const lump_act_t *a, double z)
{
    (void)a;
    return tanh(z);
}

/* ---- value intervals, rounded outward --------------------------------- */

/* sigmoid or tanh of Z rounded in direction RND (both are increasing; for
 * sigmoid the denominator 1 + e^-z is rounded against RND). */
static double smooth_dir(lump_act_kind_t kind, double z, mpfr_rnd_t rnd)
{
    mpfr_t t;
    double d;
    mpfr_init2(t, 64);
    mpfr_set_d(t, z, MPFR_RNDN);
    if (kind == LUMP_ACT_TANH)
        mpfr_tanh(t, t, rnd);
    else {
        mpfr_rnd_t anti = rnd == MPFR_RNDU ? MPFR_RNDD : MPFR_RNDU;
        mpfr_neg(t, t, MPFR_RNDN);
        mpfr_exp(t, t, anti);
        mpfr_add_ui(t, t, 1, anti);
        mpfr_ui_div(t, 1, t, rnd);
    }
    d = mpfr_get_d(t, rnd);
    mpfr_clear(t);
    return d;
}

static void identity_ival(double *ylo, double *yhi, const lump_act_t *a, double zlo, double zhi)
{
    (void)a;
    *ylo = zlo;
    *yhi = zhi;
}

static void relu_ival(double *ylo, double *yhi, const lump_act_t *a, double zlo, double zhi)
{
    (void)a;
    *ylo = zlo > 0 ? zlo : 0.0;
    *yhi = zhi > 0 ? zhi : 0.0;
}

static void leaky_relu_ival(double *ylo, double *yhi, const lump_act_t *a, double zlo, double zhi)
{
    double al = lump_i_q_down(a->alpha), ah = lump_i_q_up(a->alpha);
    if (zlo >= 0) {
        *ylo = zlo;
        *yhi = zhi;
    } else if (mpq_sgn(a->alpha) >= 0) { /* non-decreasing */
        *ylo = lump_i_down(ah * zlo);
        *yhi = zhi >= 0 ? zhi : lump_i_up(al * zhi);
    } else if (zhi <= 0) { /* decreasing on z <= 0 */
        *ylo = lump_i_down(ah * zhi);
        *yhi = lump_i_up(al * zlo);
    } else { /* a V with its tip at 0 */
        *ylo = 0.0;
        *yhi = fmax(zhi, lump_i_up(al * zlo));
    }
}

static void smooth_ival(double *ylo, double *yhi, const lump_act_t *a, double zlo, double zhi)
{
    *ylo = smooth_dir(a->kind, zlo, MPFR_RNDD);
    *yhi = smooth_dir(a->kind, zhi, MPFR_RNDU);
}

/* ---- MPFR enclosures: [LO, HI] := act([LO, HI]), T scratch --------- */

static void identity_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    (void)lo, (void)hi, (void)a, (void)t;
}

/* monotone, and max(0, .) is exact */
static void relu_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    (void)a, (void)t;
    if (mpfr_sgn(lo) < 0)
        mpfr_set_zero(lo, 1);
    if (mpfr_sgn(hi) < 0)
        mpfr_set_zero(hi, 1);
}

static void leaky_relu_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    if (mpq_sgn(a->alpha) >= 0) { /* monotone: map each end */
        if (mpfr_sgn(lo) < 0)
            mpfr_mul_q(lo, lo, a->alpha, MPFR_RNDD);
        if (mpfr_sgn(hi) < 0)
            mpfr_mul_q(hi, hi, a->alpha, MPFR_RNDU);
    } else if (mpfr_sgn(hi) <= 0) { /* decreasing on z <= 0 */
        mpfr_mul_q(t, hi, a->alpha, MPFR_RNDD);
        mpfr_mul_q(hi, lo, a->alpha, MPFR_RNDU);
        mpfr_set(lo, t, MPFR_RNDD);
    } else if (mpfr_sgn(lo) < 0) { /* a V shape with its tip at 0 */
        mpfr_mul_q(t, lo, a->alpha, MPFR_RNDU);
        mpfr_max(hi, hi, t, MPFR_RNDU);
        mpfr_set_zero(lo, 1);
    }
}

/* 1/(1+e^-z) is increasing. Lower end: make the denominator too large
 * (e^-z and the sum rounded up), then round the reciprocal down; the upper
 * end the other way round. Overflow to +inf in the lower end gives
 * 1/inf = 0, still a lower bound. */
static void sigmoid_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    (void)a;
    mpfr_neg(t, lo, MPFR_RNDN); /* exact */
    mpfr_exp(t, t, MPFR_RNDU);
    mpfr_add_ui(t, t, 1, MPFR_RNDU);
    mpfr_ui_div(lo, 1, t, MPFR_RNDD);
    mpfr_neg(t, hi, MPFR_RNDN);
    mpfr_exp(t, t, MPFR_RNDD);
    mpfr_add_ui(t, t, 1, MPFR_RNDD);
    mpfr_ui_div(hi, 1, t, MPFR_RNDU);
}

static void tanh_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    (void)a, (void)t;
    mpfr_tanh(lo, lo, MPFR_RNDD);
    mpfr_tanh(hi, hi, MPFR_RNDU);
}

/* ---- value and derivative in double, for gradient steps --------------- */

static double identity_grad(const lump_act_t *a, double z, double *deriv)
{
    (void)a;
    *deriv = 1.0;
    return z;
}

static double relu_grad(const lump_act_t *a, double z, double *deriv)
{
    (void)a;
    *deriv = z > 0 ? 1.0 : 0.0;
    return z > 0 ? z : 0.0;
}

static double leaky_relu_grad(const lump_act_t *a, double z, double *deriv)
{
    double al = mpq_get_d(a->alpha);
    *deriv = z >= 0 ? 1.0 : al;
    return z >= 0 ? z : al * z;
}

static double sigmoid_grad(const lump_act_t *a, double z, double *deriv)
{
    double s = 1.0 / (1.0 + exp(-z));
    (void)a;
    *deriv = s * (1 - s);
    return s;
}

static double tanh_grad(const lump_act_t *a, double z, double *deriv)
{
    double t = tanh(z);
    (void)a;
    *deriv = 1 - t * t;
    return t;
}

/* The derivative of sigmoid or tanh at Z, within a few ulps (relative):
 * from e = exp(-|z|), sigmoid' = e / (1 + e)^2 and tanh' = 4 e^2 / (1 +
 * e^2)^2. Never from act(z) (1 - act(z)), which cancels for large |z|. */
static double smooth_deriv(lump_act_kind_t kind, double z)
{
    double e = exp(kind == LUMP_ACT_TANH ? -2 * fabs(z) : -fabs(z));
    double d = e / ((1 + e) * (1 + e));
    return kind == LUMP_ACT_TANH ? 4 * d : d;
}

/* ---- slopes (see lump_i_act_slopes in act_i.h for why) ----------------- */

static int identity_slopes(double *sl, double *sh, const lump_act_t *a, double zl, double zh)
{
    (void)a, (void)zl, (void)zh;
    *sl = *sh = 1;
    return 1;
}

/* relu is leaky relu with alpha = 0 */
static int kinked_slopes(double *sl, double *sh, const lump_act_t *a, double zl, double zh)
{
    double lo = 1, hi = 1; /* the slope on z >= 0 */
    double al = 0, ah = 0; /* the slope on z <= 0 */
    if (a->kind == LUMP_ACT_LEAKY_RELU) {
        al = lump_i_q_down(a->alpha);
        ah = lump_i_q_up(a->alpha);
        if (!isfinite(al) || !isfinite(ah)) { /* alpha beyond double */
            *sl = -HUGE_VAL;
            *sh = HUGE_VAL;
            return 0;
        }
    }
    if (zh <= 0) {
        lo = al;
        hi = ah;
    } else if (zl < 0) {
        lo = fmin(1, al);
        hi = fmax(1, ah);
    }
    *sl = lo;
    *sh = hi;
    return 1;
}

/* the derivatives of sigmoid and tanh lie in (0, act'(0)], act'(0) being
 * 1/4 and 1, exactly in double */
static int smooth_slopes(double *sl, double *sh, const lump_act_t *a, double zl, double zh)
{
    (void)zl, (void)zh;
    *sl = 0;
    *sh = smooth_deriv(a->kind, 0);
    return 1;
}

/* ---- the table ------------------------------------------------------- */

/* The properties of a kind, as bits: each sets the field of its name. */
enum { ALPHA = 1, LINEAR = 2, PWL = 4, KINK = 8, ZERO_BELOW = 16, HOMOGENEOUS = 32, ANY_SIGN = 64 };

/* ROW(K, k, FAMILY, SLOPES, PROPS) -- the row of kind LUMP_ACT_K, named
 * "k". Every kind has its own double, MPFR and gradient evaluators (k_d,
 * k_fr, k_grad); its exact value, value interval and lines are its
 * family's (sigmoid and tanh share theirs), and its slopes SLOPES's. */
#define ROW(K, k, family, slopes_of, props)                                                        \
    [LUMP_ACT_##K] = {.name = #k,                                                                  \
                      .has_alpha = ((props)&ALPHA) != 0,                                           \
                      .linear = ((props)&LINEAR) != 0,                                             \
                      .pwl = ((props)&PWL) != 0,                                                   \
                      .kink = ((props)&KINK) != 0,                                                 \
                      .zero_below = ((props)&ZERO_BELOW) != 0,                                     \
                      .homogeneous = ((props)&HOMOGENEOUS) != 0,                                   \
                      .any_sign = ((props)&ANY_SIGN) != 0,                                         \
                      .value_q = family##_q,                                                       \
                      .eval_d = k##_d,                                                             \
                      .ival = family##_ival,                                                       \
                      .ival_fr = k##_fr,                                                           \
                      .grad_d = k##_grad,                                                          \
                      .slopes = slopes_of##_slopes,                                                \
                      .lines = lump_i_##family##_lines_row}

/* One row per kind, indexed by the kind. */
static const lump_i_act_desc_t table[] = {
    ROW(IDENTITY, identity, identity, identity, LINEAR | PWL | HOMOGENEOUS | ANY_SIGN),
    ROW(RELU, relu, relu, kinked, PWL | KINK | ZERO_BELOW | HOMOGENEOUS),
    ROW(LEAKY_RELU, leaky_relu, leaky_relu, kinked, ALPHA | PWL | KINK | HOMOGENEOUS),
    ROW(SIGMOID, sigmoid, smooth, smooth, 0),
    ROW(TANH, tanh, smooth, smooth, 0),
};

const lump_i_act_desc_t *lump_i_act_desc(lump_act_kind_t kind)
{
    lump_require((unsigned)kind < sizeof table / sizeof table[0], "lump_i_act_desc");
    return &table[kind];
}

unsigned lump_i_act_count(void)
{
    return sizeof table / sizeof table[0];
}

int lump_i_act_scale_ok(const lump_act_t *a, const mpq_t c)
{
    const lump_i_act_desc_t *d = lump_i_act_of(a);
    if (d->any_sign)
        return mpq_sgn(c) != 0;
    if (d->homogeneous)
        return mpq_sgn(c) > 0;
    return mpq_cmp_ui(c, 1, 1) == 0;
}

void lump_i_act_ival_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t)
{
    lump_i_act_of(a)->ival_fr(lo, hi, a, t);
}

double lump_i_act_grad_d(const lump_act_t *a, double z, double *deriv)
{
    return lump_i_act_of(a)->grad_d(a, z, deriv);
}

int lump_i_act_value_q(mpq_t y, const lump_act_t *a, const mpq_t z)
{
    return lump_i_act_of(a)->value_q(y, a, z);
}

void lump_i_act_ival(double *ylo, double *yhi, const lump_act_t *act, double zlo, double zhi)
{
    lump_i_act_of(act)->ival(ylo, yhi, act, zlo, zhi);
}

int lump_i_act_slopes(double *sl, double *sh, const lump_act_t *act, double zl, double zh)
{
    return lump_i_act_of(act)->slopes(sl, sh, act, zl, zh);
}

/* lump_i_smooth_lines -- see act_i.h. Both functions are increasing,
 * convex for z <= 0 and concave for z >= 0, and their derivative is
 * largest at 0, so its minimum over [l, u] is at an end: lam. Then
 *  - lower: through (l, act(l)) with slope lam (act rises at least as
 *    fast), or on [l, u] within z >= 0 the chord (concave);
 *  - upper: through (u, act(u)) with slope lam, or within z <= 0 the
 *    chord (convex).
 * lam is the computed minimum shrunk by 2^-40, far more than the few ulps
 * of its error, and any smaller slope keeps the lines sound. End values
 * are rounded outward by MPFR, intercepts rounded outward: so each line
 * holds in exact arithmetic. (DeepPoly, Singh et al., POPL 2019, for the
 * slopes.) */
void lump_i_smooth_lines(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                         double l, double u)
{
    lump_act_kind_t k = act->kind;
    double fl_lo, fl_hi, fu_lo, fu_hi, lam, s;
    fl_lo = smooth_dir(k, l, MPFR_RNDD);
    fu_hi = smooth_dir(k, u, MPFR_RNDU);
    *us = *ls = 0; /* the enclosure: always sound */
    *ut = fu_hi;
    *lt = fl_lo;
    if (!isfinite(l) || !isfinite(u) || !(l < u))
        return;
    fl_hi = smooth_dir(k, l, MPFR_RNDU);
    fu_lo = smooth_dir(k, u, MPFR_RNDD);
    lam = lump_i_down(fmin(smooth_deriv(k, l), smooth_deriv(k, u)) * (1 - 0x1p-40));
    if (!(lam > 0))
        lam = 0;
    if (u <= 0) { /* convex: the chord lies above; any slope, intercept over both ends */
        s = (fu_hi - fl_hi) / (u - l);
        if (!isfinite(s) || s < 0)
            s = 0;
        *us = s;
        *ut = fmax(lump_i_up(fl_hi + lump_i_up(-s * l)), lump_i_up(fu_hi + lump_i_up(-s * u)));
    } else {
        *us = lam;
        *ut = lump_i_up(fu_hi + lump_i_up(-lam * u));
    }
    if (l >= 0) { /* concave: the chord lies below */
        s = (fu_lo - fl_lo) / (u - l);
        if (!isfinite(s) || s < 0)
            s = 0;
        *ls = s;
        *lt = fmin(lump_i_down(fl_lo + lump_i_down(-s * l)),
                   lump_i_down(fu_lo + lump_i_down(-s * u)));
    } else {
        *ls = lam;
        *lt = lump_i_down(fl_lo + lump_i_down(-lam * l));
    }
}
