/* act_i.h -- the activation descriptor: what the library knows about each
 * activation kind, in one table (private to the library) */
#ifndef LUMPNET_ACT_I_H
#define LUMPNET_ACT_I_H

#include <math.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/net.h"

/* The neighbours of X towards +inf and -inf. A sum or product computed
 * with rounding to nearest lies within one ulp of the true value, so one
 * step outwards encloses it (nextafter handles subnormals and zero). */
static inline double lump_i_up(double x)
{
    return nextafter(x, HUGE_VAL);
}
static inline double lump_i_down(double x)
{
    return nextafter(x, -HUGE_VAL);
}

/* A + B and A * B rounded up or down: to nearest, then one step out. */
static inline double lump_i_add_up(double a, double b)
{
    return lump_i_up(a + b);
}
static inline double lump_i_add_dn(double a, double b)
{
    return lump_i_down(a + b);
}
static inline double lump_i_mul_up(double a, double b)
{
    return lump_i_up(a * b);
}
static inline double lump_i_mul_dn(double a, double b)
{
    return lump_i_down(a * b);
}

/* lump_i_mul_dir -- A * B rounded up (UP != 0) or down: the product to
 * nearest, kept when fma shows it exact (and not in the subnormal range),
 * else moved one step outwards. So products by 0, 1 or a power of 2 stay
 * exact. O(1). */
static inline double lump_i_mul_dir(double a, double b, int up)
{
    double p = a * b;
    if (fma(a, b, -p) == 0 && (p == 0 ? a == 0 || b == 0 : fabs(p) >= 0x1p-1022))
        return p;
    return up ? lump_i_up(p) : lump_i_down(p);
}

/* lump_i_q_down / _up -- Q rounded down / up to a double. O(size of Q). */
double lump_i_q_down(const mpq_t q);
double lump_i_q_up(const mpq_t q);

/* One row per activation kind. Adding an activation means one enum value
 * in net.h, one row here (act_desc.c) and its bound functions
 * (act_bound.c); tests/test_act_desc.c enumerates the table and checks
 * every row against sampling. Modules ask the descriptor instead of
 * switching on the kind, except the certificate checkers
 * (exact/cert_check.c, exact/equiv_cert.c, box/stable_check.c), which keep
 * their own minimal copy: they are the trusted base and must not share
 * code with what they check. */
typedef struct {
    const char *name;
    /* the parameter alpha takes part in the function (leaky relu) */
    int has_alpha;
    /* act(z) = z (identity) */
    int linear;
    /* piecewise linear with rational pieces: exact rational evaluation */
    int pwl;
    /* a corner at 0 (relu, leaky relu): the slope changes there */
    int kink;
    /* act(z) = max(0, z) (relu): a stably inactive neuron is 0, and the
     * triangle relaxation and LP encoding of relu apply */
    int zero_below;
    /* act(s z) = s act(z) for every s > 0 */
    int homogeneous;
    /* act(s z) = s act(z) for every s != 0 (identity) */
    int any_sign;
    /* 1 and *Y = act(Z) when that value is rational (every point of a pwl
     * kind, sigmoid(0) = 1/2, tanh(0) = 0), else 0. O(size of Z). */
    int (*value_q)(mpq_t y, const lump_act_t *a, const mpq_t z);
    /* act(Z) in double, rounded to nearest at each operation; no error
     * bound (lump_act_eval_d). O(1). */
    double (*eval_d)(const lump_act_t *a, double z);
    /* [*YLO, *YHI] encloses act(z) for z in [ZLO, ZHI], rounded outward
     * (lump_i_act_ival). O(1). */
    void (*ival)(double *ylo, double *yhi, const lump_act_t *a, double zlo, double zhi);
    /* [LO, HI] := an enclosure of act over [LO, HI], rounded outward in
     * MPFR (the MPFR evaluator); T is scratch. O(1) at the precision. */
    void (*ival_fr)(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t);
    /* act(Z) and *DERIV = act'(Z) (one side at a kink) in double, alpha
     * truncated by mpq_get_d: the sampler's gradient steps, a heuristic
     * with no error bound. O(1). */
    double (*grad_d)(const lump_act_t *a, double z, double *deriv);
    /* the hull of the difference quotients on [ZL, ZH]; 0 when none
     * (lump_i_act_slopes). O(1). */
    int (*slopes)(double *sl, double *sh, const lump_act_t *a, double zl, double zh);
    /* sound lines over z in [L, U]: LS z + LT <= act(z) <= US z + UT there,
     * in exact arithmetic on the doubles returned; 0 (nothing written)
     * when the kind has none there, and the caller falls back on the
     * value interval. Used by bound/bound_sym.c; the LP encoding
     * (bound/bound_encode.c) encodes the pwl kinds exactly by their
     * pieces and takes these lines for the others. O(1). */
    int (*lines)(double *us, double *ut, double *ls, double *lt, const lump_act_t *a, double l,
                 double u);
} lump_i_act_desc_t;

/* lump_i_act_desc -- the row of KIND; aborts on a kind outside the
 * enumeration. O(1). */
const lump_i_act_desc_t *lump_i_act_desc(lump_act_kind_t kind);

/* lump_i_act_count -- the number of rows (kinds 0 .. count - 1). O(1). */
unsigned lump_i_act_count(void);

/* lump_i_act_of -- the row of A's kind. O(1). */
static inline const lump_i_act_desc_t *lump_i_act_of(const lump_act_t *a)
{
    return lump_i_act_desc(a->kind);
}

/* lump_i_act_scale_ok -- 1 when act(c z) = c act(z) for every z, so that
 * a neuron may be lumped with scale C in proportional lumping: C > 0 for
 * homogeneous kinds, any C != 0 for identity, C = 1 otherwise. O(1). */
int lump_i_act_scale_ok(const lump_act_t *a, const mpq_t c);

/* lump_i_act_ival_fr -- lump_i_act_of(A)->ival_fr. */
void lump_i_act_ival_fr(mpfr_t lo, mpfr_t hi, const lump_act_t *a, mpfr_t t);

/* lump_i_act_grad_d -- lump_i_act_of(A)->grad_d. */
double lump_i_act_grad_d(const lump_act_t *a, double z, double *deriv);

/* lump_i_act_value_q -- lump_i_act_of(A)->value_q. */
int lump_i_act_value_q(mpq_t y, const lump_act_t *a, const mpq_t z);

/* lump_i_act_ival -- [*YLO, *YHI] encloses act(z) for z in [ZLO, ZHI],
 * rounded outward (MPFR for sigmoid and tanh). O(1). */
void lump_i_act_ival(double *ylo, double *yhi, const lump_act_t *act, double zlo, double zhi);

/* lump_i_act_slopes -- [*SL, *SH], doubles rounded outward, contains every
 * difference quotient (act(a) - act(b)) / (a - b) of ACT over a != b with
 * both arguments in [ZL, ZH] (pass -inf, inf for the whole line), so that
 * act(a) - act(b) = s (a - b) for some s in [*SL, *SH]. Returns 0 (and
 * [-inf, inf]) for an activation without such a bound. O(1).
 * Why: every activation here is absolutely continuous, so
 * act(a) - act(b) = integral of act' from b to a = s (a - b) with s an
 * average of act' over [b, a], hence in the closed hull of its values:
 * identity {1}; relu {0, 1}; leaky_relu(alpha) {alpha, 1} (alpha may be
 * negative or above 1: then act is not monotone or steeper than 1, and
 * the hull is [alpha, 1] or [1, alpha]); sigmoid (0, 1/4]; tanh (0, 1].
 * On [0, inf) relu and leaky relu have slope 1 only, on (-inf, 0] alpha
 * (relu 0) only. */
int lump_i_act_slopes(double *sl, double *sh, const lump_act_t *act, double zl, double zh);

/* lump_i_smooth_lines -- sound lines of y = act(z), act sigmoid or tanh,
 * over z in [L, U]: LS z + LT <= act(z) <= US z + UT there, in exact
 * arithmetic on the doubles returned (slopes >= 0). Infinite or empty
 * intervals give the enclosure (slopes 0). O(1) (four MPFR evaluations).
 * The piecewise-linear kinds get their lines from their pieces, see
 * bound/bound_sym.c (act_lines) and bound/bound_encode.c (encode_act). */
void lump_i_smooth_lines(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                         double l, double u);

/* lump_i_chord -- the chord of a convex (UPPER) or concave function with
 * values FL at L and FU at U (exact doubles), as a line *S z + *T whose
 * intercept is rounded so that it lies above (below) both end points.
 * O(1). */
void lump_i_chord(double *s, double *t, double l, double fl, double u, double fu, int upper);

/* The rows' lines (act_lines.c), one per family. */
int lump_i_identity_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                              double l, double u);
int lump_i_relu_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                          double l, double u);
int lump_i_leaky_relu_lines_row(double *us, double *ut, double *ls, double *lt,
                                const lump_act_t *act, double l, double u);
int lump_i_smooth_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                            double l, double u);

#endif
