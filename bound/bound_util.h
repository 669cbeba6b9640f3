/* bound_util.h -- outward-rounded double helpers shared by the bound code
 * (private to relax/) */
#ifndef LUMPNET_BOUND_UTIL_H
#define LUMPNET_BOUND_UTIL_H

#include <math.h>
#include <stdint.h>
#include <gmp.h>
#include "lumpnet/relax.h"

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

/* lump_i_q_down / _up -- Q rounded down / up to a double. O(size of Q). */
double lump_i_q_down(const mpq_t q);
double lump_i_q_up(const mpq_t q);

/* lump_i_arr_ival -- *LO <= A[i] <= *HI as doubles (equal when A[i] is a
 * double). O(1) for float storage and small fractions. */
void lump_i_arr_ival(const lump_arr_t *a, size_t i, double *lo, double *hi);

/* lump_i_check_box -- LUMP_EINPUT unless BOX has NET's input count and
 * no empty dimension. O(n). */
lump_error_t lump_i_check_box(const lump_net_t *net, const lump_box_t *box,
                              const char *who) LUMP_WUR;

/* lump_i_clip_range -- [LO, HI] = the exact image of the box's dimension I
 * under NET's clip (the box itself when NET does not clip). On the box the
 * clip is x -> min(max(x, LO), HI), so two networks whose ranges agree
 * clip the same way. O(1). */
void lump_i_clip_range(mpq_t lo, mpq_t hi, const lump_net_t *net, const lump_box_t *box, size_t i);

/* lump_i_dot_ival -- [*LO, *HI] encloses sum_u w[u] y[u] + b for every
 * w[u] in [wl[u], wh[u]], y[u] in [yl[u], yh[u]], b in [bl, bh]: the sums are
 * taken to nearest and widened by the a-posteriori bound
 * |fl(sum) - sum| <= gamma_{n+1} sum |terms| (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., section 3.1) with room for
 * underflow. WL may equal WH (point weights). O(n). */
void lump_i_dot_ival(double *lo, double *hi, size_t n, const double *wl, const double *wh,
                     const double *yl, const double *yh, double bl, double bh);

/* lump_i_act_ival -- [*YLO, *YHI] encloses act(z) for z in [ZLO, ZHI],
 * rounded outward (MPFR for sigmoid and tanh). O(1). */
void lump_i_act_ival(double *ylo, double *yhi, const lump_act_t *act, double zlo, double zhi);

/* lump_i_smooth_lines -- sound lines of y = act(z), act sigmoid or tanh,
 * over z in [L, U]: LS z + LT <= act(z) <= US z + UT there, in exact
 * arithmetic on the doubles returned (slopes >= 0). Infinite or empty
 * intervals give the enclosure (slopes 0). O(1) (four MPFR evaluations). */
void lump_i_smooth_lines(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                         double l, double u);

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

/* One step of splitmix64 (Steele, Lea, Flood: Fast splittable
 * pseudorandom number generators, OOPSLA 2014): advances *STATE and
 * returns 64 well-mixed bits. Seeded runs repeat exactly. O(1). */
static inline uint64_t lump_i_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
