/* bound_util.h -- outward-rounded double helpers shared by the bound code
 * (private to relax/) */
#ifndef LUMPNET_BOUND_UTIL_H
#define LUMPNET_BOUND_UTIL_H

#include <math.h>
#include <stdint.h>
#include <gmp.h>
#include "lumpnet/relax.h"
#include "act_i.h" /* lump_i_up, _down, _q_down, _q_up, the activation descriptor */

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

/* lump_i_input_range -- [LO, HI] = the exact image of the box's dimension I
 * as layer 1 sees it: the clip range, then (t - mean) / range at both ends
 * (monotone, so the ends map to the ends, swapped for a negative range).
 * O(1). */
void lump_i_input_range(mpq_t lo, mpq_t hi, const lump_net_t *net, const lump_box_t *box, size_t i);

/* lump_i_dot_ival -- [*LO, *HI] encloses sum_u w[u] y[u] + b for every
 * w[u] in [wl[u], wh[u]], y[u] in [yl[u], yh[u]], b in [bl, bh]: the sums are
 * taken to nearest and widened by the a-posteriori bound
 * |fl(sum) - sum| <= gamma_{n+1} sum |terms| (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 2nd ed., section 3.1) with room for
 * underflow. WL may equal WH (point weights). O(n). */
void lump_i_dot_ival(double *lo, double *hi, size_t n, const double *wl, const double *wh,
                     const double *yl, const double *yh, double bl, double bh);

/* lump_i_dot_d -- B + sum_u W[u] Y[u] in doubles to nearest, summed in
 * index order: a neuron's value in the sampled forward passes (sample.c,
 * tol_net.c), which search and need no enclosure. O(n). */
static inline double lump_i_dot_d(double b, const double *w, const double *y, size_t n)
{
    for (size_t u = 0; u < n; u++)
        b += w[u] * y[u];
    return b;
}

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
