/* sound_obs.h -- what the soundness suite observes with its own evaluator:
 * random rational points, exact differences of two models, and the
 * largest difference found by sampling plus a coordinate hill-climb */
#ifndef LUMPNET_SOUND_OBS_H
#define LUMPNET_SOUND_OBS_H

#include <gmp.h>
#include <mpfr.h>
#include "sound_ref.h"

/* A box lo[i] <= x_i <= hi[i] of the test's own. */
typedef struct {
    size_t n;
    mpq_t *lo, *hi;
} so_box_t;

void so_box_init(so_box_t *b, size_t n);
void so_box_clear(so_box_t *b);

/* so_box_random -- a random box inside [-2, 2]^n with small
 * denominators; sometimes degenerate in one coordinate. */
void so_box_random(so_box_t *b, gmp_randstate_t r);

/* so_box_to_lump -- the same box as lumpnet's type (initialised). */
void so_box_to_lump(lump_box_t *out, const so_box_t *b);

/* so_point -- X = a random rational point: in BOX when BOX is not NULL,
 * else in [-3, 3]^n. */
void so_point(mpq_t *x, size_t n, const so_box_t *box, gmp_randstate_t r);

/* so_qvec / so_qvec_free -- N initialised rationals. */
mpq_t *so_qvec(size_t n);
void so_qvec_free(mpq_t *v, size_t n);

/* so_differ_at -- 1 when A and B provably differ at X in output J
 * (exact for piecewise-linear models; otherwise disjoint enclosures at
 * 160 bits, or, for one output J, at 640, 2560 or 10240 when those
 * overlap), 0 when they provably agree (exact) or might (enclosures
 * overlap). J = -1: any output; *WHICH (may be NULL) receives it. */
int so_differ_at(const sr_net_t *a, const sr_net_t *b, const mpq_t *x, long j, size_t *which);

/* so_max_diff -- OUT[j] = a lower bound of sup over BOX of |a_j - b_j|:
 * exact for piecewise-linear models (OUT set exactly), the lower end of
 * the enclosure of |a_j - b_j| otherwise, maximised over N_SAMPLES random
 * points, the corners (all when n <= 4) and a coordinate hill-climb from
 * the best point of each output. OUT has sr_n_out initialised entries. */
void so_max_diff(mpfr_t *out, const sr_net_t *a, const sr_net_t *b, const so_box_t *box,
                 size_t n_samples, gmp_randstate_t r);

#endif
