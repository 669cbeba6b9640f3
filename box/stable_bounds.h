/* stable_bounds.h -- certified pre-activation bounds with their evidence,
 * for the claims of a stable step (private to relax/) */
#ifndef LUMPNET_STABLE_BOUNDS_H
#define LUMPNET_STABLE_BOUNDS_H

#include "lumpnet/stable.h"

/* lump_i_stable_bounds -- fill the bounds of ST (allocated for NET) over
 * BOX: interval arithmetic with outward rounding, then, when USE_LP, LP
 * bound tightening of every unstable relu of layers 2.. with the triangle
 * relaxation of the layers before it (exactly the relaxation
 * lump_box_cert_check rebuilds), each tightened bound the rigorous
 * weak-duality bound of GLPK's duals rounded to binary32 (which keeps the
 * certificate short), recorded as evidence. Layers get bounds as long as
 * every earlier layer has an exact monotone image (relu, identity,
 * leaky_relu with alpha >= 0); LP tightening needs relu or identity
 * before it. Each layer's LP covers as many layers before it as fit
 * BUDGET rows (at least one): the earlier layers enter through their
 * output bounds. When MAX_SOLVES > 0, no LP starts once *LP_SOLVES has
 * reached it (the neurons left keep their interval bounds, as sound; a
 * count, not a time, so that the result does not depend on the load).
 * *LP_SOLVES and *TIGHTENED count. Time: O(m) plus two LP solves and two
 * exact dual evaluations per unstable relu. */
lump_error_t lump_i_stable_bounds(lump_stable_step_t *st, size_t *lp_solves, size_t *tightened,
                                  const lump_net_t *net, const lump_box_t *box, int use_lp,
                                  size_t budget, size_t max_solves, int verbose) LUMP_WUR;

#endif
