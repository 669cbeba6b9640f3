/* sound_tol.h -- the exact maximum difference of two one-input
 * piecewise-linear networks over an interval, for the soundness cases of
 * `equiv --tolerance` (issue 14); computed with the suite's own evaluator
 * (sound_ref.c) and nothing of lumpnet's */
#ifndef LUMPNET_SOUND_TOL_H
#define LUMPNET_SOUND_TOL_H

#include <stddef.h>
#include <gmp.h>
#include "sound_ref.h"

/* st_max_diff_1d -- MAX = the exact maximum over x in [LO, HI] and over
 * the outputs OUTS[0..N_OUTS-1] of |A_j(x) - B_j(x)|, attained at x = ARGX
 * in output *ARGJ. A and B have one input and piecewise-linear activations
 * (sr_is_pwl). The breakpoints are found layer by layer: between two
 * consecutive known points every neuron of the layers already swept is
 * affine in x, so the next layer's pre-activations are affine there and
 * cross 0 at most once, at the root of the chord through the end values;
 * the roots join the points, and after the last layer both networks are
 * affine between consecutive points, so the maximum is at one of them.
 * Complexity: O(P * L * (size of A + B)) exact operations, P the number of
 * breakpoints (at most the number of neurons times the pieces before
 * them), L the depth. */
void st_max_diff_1d(mpq_t max, mpq_t argx, size_t *argj, const sr_net_t *a, const sr_net_t *b,
                    const mpq_t lo, const mpq_t hi, const size_t *outs, size_t n_outs);

/* st_diff_at -- OUT = max over OUTS of |A_j(X) - B_j(X)| exactly, *ARGJ
 * (may be NULL) the output where it is attained (piecewise-linear). */
void st_diff_at(mpq_t out, size_t *argj, const sr_net_t *a, const sr_net_t *b, const mpq_t *x,
                const size_t *outs, size_t n_outs);

#endif
