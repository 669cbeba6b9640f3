/* lumpnet/graph_relax.h -- relaxed lumping of convolutional networks at
 * channel level: calibration-guided channel merging, and magnitude filter
 * pruning as its baseline (issue #15) */
#ifndef LUMPNET_GRAPH_RELAX_H
#define LUMPNET_GRAPH_RELAX_H

#include <stddef.h>
#include "lumpnet/error.h"
#include "lumpnet/graph.h"
#include "lumpnet/box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Both functions below return a SNAPPED network: G with the same nodes
 * and shapes, in which some channels of the hidden Conv and dense nodes
 * that feed a ReLU (or leaky ReLU) have their rows (kernel and bias)
 * replaced. A merged block of channels gets rows s_w * c for one centre c
 * and positive scales s_w, so that its channels are EXACTLY proportional
 * (c and s_w are binary32 values, so s_w * c is a binary64 value, stored
 * exactly); a removed channel gets a zero row, so its ReLU is 0. The
 * snapped network is therefore exactly lumpable: the exact lumper turns it
 * into the smaller network, with a certificate, and a certified bound on
 * the original against the snapped network (same architecture, paired
 * neuron by neuron) is a bound on the original against that quotient.
 * A channel qualifies when its node (Conv with group 1, or dense) is read
 * only by its activation, and the activation's readers reach a Conv (group
 * 1) or a dense node through zero Pads, pools and reshapes only; so the
 * quotient loses the channel's kernel and the consumer's input channel. */

/* Calibration-guided channel merging. The greedy takes one step at a time:
 * merge the block of one channel into another block of its node (y_v ~ s
 * y_u with the least-squares s over the calibration points and the
 * least-squares centre of the members' rows), or remove a block (its
 * channels become 0). Of a shortlist of steps ranked by a cheap estimate
 * (the channel values' residual times the consumer weights' norm), it
 * takes the one that moves the outputs least in mean square over the
 * points, evaluated on the snapped network. The sequence does not depend
 * on EPS: a smaller EPS selects a prefix of it. */
typedef struct lump_graph_calib lump_graph_calib_t;

/* lump_graph_calib_run -- the greedy sequence for G over N_POINTS
 * calibration inputs X (row-major, lump_graph_n_inputs(G) each; at most
 * 512 evenly spaced ones are used), up to the first step whose largest
 * output deviation over the points exceeds EPS_MAX. *RUN keeps a pointer
 * to G, which must outlive it. Errors: LUMP_EINPUT (no points, a
 * non-finite value, EPS_MAX < 0, no channel that qualifies).
 * Time: O(steps * (K + 1) * N * w) for N points, K = 8 shortlisted steps
 * and w the work of one evaluation, plus O(steps * N * area * c^2) for the
 * channel Gram matrices of nodes of c channels of AREA positions. */
LUMP_EXPORT lump_error_t lump_graph_calib_run(lump_graph_calib_t **run, const lump_graph_t *g,
                                              const double *x, size_t n_points,
                                              double eps_max) LUMP_WUR;

/* lump_graph_calib_steps -- the number of steps of RUN. O(1). */
LUMP_EXPORT size_t lump_graph_calib_steps(const lump_graph_calib_t *run);

/* lump_graph_calib_deviation -- the largest output deviation over the
 * points after step K (0-based) of RUN; HUGE_VAL past the end. O(1). */
LUMP_EXPORT double lump_graph_calib_deviation(const lump_graph_calib_t *run, size_t k);

/* lump_graph_calib_at -- OUT = the snapped network after the longest
 * prefix of RUN's steps whose deviations are all <= EPS; *PARAMS (may be
 * NULL) the parameters its quotient keeps, *CHANNELS (may be NULL) the
 * channels it merges away or removes, *DEV (may be NULL) its deviation
 * over the points. O(steps * rows + size of G). */
LUMP_EXPORT lump_error_t lump_graph_calib_at(lump_graph_t *out, size_t *params, size_t *channels,
                                             double *dev, const lump_graph_calib_t *run,
                                             double eps) LUMP_WUR;

/* lump_graph_calib_free -- free RUN (NULL is fine). O(1). */
LUMP_EXPORT void lump_graph_calib_free(lump_graph_calib_t *run);

/* lump_graph_relax_box -- box-guided channel epsilon-lumping: OUT = G
 * snapped so that, in every qualifying node, channels are grouped by
 * leader clustering in index order (a channel joins the first block whose
 * leader's row r_b, scaled by s = |r_v|_M / |r_b|_M, is within EPS of its
 * row r_v; else it leads a block), where the distance is the
 * pre-activation deviation over BOX, sum_u |r_v - s r_b|_u M_u + |bias
 * difference|, with M_u >= max |y_u| over BOX from the exact interval
 * enclosures of G (lump_graph_intervals; and |r|_M the same sum for one
 * row). The leader
 * keeps its row; members get s r_b. *PARAMS, *CHANNELS (may be NULL) as
 * lump_graph_prune_filters. Errors: LUMP_EINPUT (EPS < 0, a box of the
 * wrong dimension, nothing qualifies). Time: the interval enclosures
 * (about one exact evaluation), plus O(c^2 * rowlen) per node of c
 * channels. */
LUMP_EXPORT lump_error_t lump_graph_relax_box(lump_graph_t *out, size_t *params, size_t *channels,
                                              const lump_graph_t *g, const lump_box_t *box,
                                              double eps) LUMP_WUR;

/* lump_graph_max_error_sampled -- OUT[j] = the largest |F_j - G_j| seen
 * over BOX at its centre, N_SAMPLES seeded uniform points, N_SAMPLES / 4
 * random corners, and a coordinate search (one input to a bound or a
 * random value at a time, 60 rounds) from the four best points; evaluated
 * in double (lump_graph_eval_double), a lower estimate of the supremum
 * that a certified bound must not be below. Errors: LUMP_EINPUT when the
 * networks and BOX do not match. Time: O((1.25 N_SAMPLES + 720) w) for
 * the work w of one evaluation of both. */
LUMP_EXPORT lump_error_t lump_graph_max_error_sampled(double *out, const lump_graph_t *f,
                                                      const lump_graph_t *g,
                                                      const lump_box_t *box, size_t n_samples,
                                                      unsigned long seed) LUMP_WUR;

/* lump_graph_prune_filters -- the baseline: OUT = G with the qualifying
 * channels of smallest ||row|| * ||consumer weights|| removed (zero rows,
 * no retraining), as few as bring the parameters that the quotient keeps
 * to at most MAX_PARAMS (each node keeps one channel). *PARAMS (may be
 * NULL) receives that count, *CHANNELS (may be NULL) the channels removed.
 * O(size of G + c log c) for c qualifying channels. */
LUMP_EXPORT lump_error_t lump_graph_prune_filters(lump_graph_t *out, size_t *params,
                                                  size_t *channels, const lump_graph_t *g,
                                                  size_t max_params) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
