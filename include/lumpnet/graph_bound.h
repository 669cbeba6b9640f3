/* lumpnet/graph_bound.h -- bounds computed on a graph (convolutional or
 * residual) network itself, in exact rational interval arithmetic: the
 * enclosure of every tensor entry over an input box, and a bound on
 * |A_j - B_j| for two networks (issue #15). Linear in the size of the
 * graph, so it reaches networks whose layered translation
 * (lump_graph_unroll) is too large: a MaxPool over a wide tensor. */
#ifndef LUMPNET_GRAPH_BOUND_H
#define LUMPNET_GRAPH_BOUND_H

#include <stddef.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/error.h"
#include "lumpnet/graph.h"
#include "lumpnet/box.h"
#include "lumpnet/relax.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Enclosures of every entry of every node: entry e of node i lies in
 * [lo[i][e], hi[i][e]] at every point of the box (exact rationals). */
typedef struct {
    size_t n_nodes;
    size_t *size; /* entries per node */
    mpq_t **lo, **hi;
} lump_graph_ivals_t;

/* lump_graph_ivals_init / _clear -- empty enclosures; free them. O(1) /
 * O(entries). */
LUMP_INIT_CLEAR(lump_graph_ivals);

/* lump_graph_intervals -- OUT = interval enclosures of every entry of G
 * over BOX, by interval arithmetic in exact rationals: affine nodes
 * (dense, Conv, AveragePool, elementwise affine) by the sign of each
 * weight, MaxPool by the maxima of the ends, activations by their ends
 * (and 0 for a leaky ReLU of negative slope), sigmoid and tanh by MPFR at
 * PREC bits rounded outward and read back exactly. With a box of one
 * point and piecewise-linear activations the enclosure is that point's
 * exact value. Errors: LUMP_EINPUT for a box of the wrong dimension.
 * Time: O(the exact evaluator's work), integer operations over one common
 * denominator per node. */
LUMP_EXPORT lump_error_t lump_graph_intervals(lump_graph_ivals_t *out, const lump_graph_t *g,
                                              const lump_box_t *box, mpfr_prec_t prec) LUMP_WUR;

/* lump_graph_enclose -- [LO[j], HI[j]] encloses output j of G over BOX
 * (LO and HI: lump_graph_n_outputs initialised entries), by the interval
 * arithmetic of lump_graph_intervals, keeping only what later nodes read.
 * On a box of one point it is an MPFR-style enclosure of f(x): the exact
 * value for piecewise-linear networks, and for sigmoid and tanh the
 * activations rounded outward at PREC bits. Errors as
 * lump_graph_intervals. Time: as lump_graph_intervals. */
LUMP_EXPORT lump_error_t lump_graph_enclose(mpq_t *lo, mpq_t *hi, const lump_graph_t *g,
                                            const lump_box_t *box, mpfr_prec_t prec) LUMP_WUR;

/* What lump_graph_bound_diff did. PAIRED is 1 when A and B have the same
 * structure (nodes, operations, shapes, attributes, activations; weights
 * may differ) and the difference was propagated node by node, 0 when
 * each network was enclosed alone. */
typedef struct {
    int paired;
    double seconds;
} lump_graph_bound_stats_t;

/* lump_graph_bound_diff -- BOUND[j] >= |A_j(x) - B_j(x)| for every x in
 * BOX and every output j (N_OUT = lump_graph_n_outputs entries), in exact
 * rationals; NAIVE[j] (may be NULL) the bound from the two enclosures
 * alone. When A and B have the same structure, the difference d = B - A
 * of every entry is enclosed alongside A (differential interval
 * arithmetic, as NeuroDiff does on fully connected networks): an affine
 * node gives W_B d + (W_B - W_A) a + (b_B - b_A); an activation
 * s * d with s in the hull of its difference quotients over the range of
 * a and b (exactly d where both networks are on one linear piece), b's
 * range being B's own enclosure (kept alongside) intersected with a + d;
 * MaxPool max_k b_k - max_k a_k in [min_k d_k, max_k d_k]; the result is
 * intersected with the naive bound. Otherwise BOUND = NAIVE. Errors:
 * LUMP_EINPUT when the inputs or outputs differ in number or the box in
 * dimension. Time: twice lump_graph_intervals. */
LUMP_EXPORT lump_error_t lump_graph_bound_diff(mpq_t *bound, mpq_t *naive,
                                               lump_graph_bound_stats_t *stats,
                                               const lump_graph_t *a, const lump_graph_t *b,
                                               const lump_box_t *box, mpfr_prec_t prec) LUMP_WUR;

/* lump_graph_bound_result -- lump_graph_bound_diff of A and B over BOX
 * (at 64 bits for sigmoid and tanh) as the result of lump_bound_diff:
 * BOUND and NAIVE rounded up to doubles, CERTIFIED 1 (every bound is an
 * exact consequence of the box), BOUND_SYM and BOUND_LP +inf (not
 * computed). *PAIRED (may be NULL) as lump_graph_bound_stats_t. Errors as
 * lump_graph_bound_diff. Time: that of lump_graph_bound_diff. */
LUMP_EXPORT lump_error_t lump_graph_bound_result(lump_bound_result_t *r, int *paired,
                                                 const lump_graph_t *a, const lump_graph_t *b,
                                                 const lump_box_t *box) LUMP_WUR;

/* lump_graph_same_structure -- 1 when A and B have the same nodes,
 * operations, inputs, shapes, attributes, activations and index maps
 * (weights and biases may differ, as may names), else 0. O(nodes +
 * index maps). */
LUMP_EXPORT int lump_graph_same_structure(const lump_graph_t *a, const lump_graph_t *b);

#ifdef __cplusplus
}
#endif
#endif
