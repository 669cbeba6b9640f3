/* lumpnet/graph_box.h -- reduction of a graph (convolutional or residual)
 * network on an input box: ReLU channels that are zero at every position
 * of the box removed as channels, with a certificate and its checker
 * (issue #15). The stability proofs are those of the fully connected box
 * reduction (lumpnet/stable.h) on the exact unrolling of the graph. */
#ifndef LUMPNET_GRAPH_BOX_H
#define LUMPNET_GRAPH_BOX_H

#include <stddef.h>
#include <stdio.h>
#include "lumpnet/error.h"
#include "lumpnet/graph.h"
#include "lumpnet/stable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The channels of one ACT node that a reduction removes: indices along
 * the node's first dimension (the channel of a C x H x W tensor, the
 * entry of a flat one), ascending. */
typedef struct {
    size_t node;
    size_t n;
    size_t *channel;
} lump_graph_cut_t;

/* lump_graph_cut -- OUT = G with the channels of the N cuts CUTS removed:
 * each cut node must be a relu whose input is a Conv (group 1) or dense
 * node read by it alone; that node loses the output channels, the relu
 * loses them, and every reader of the relu loses the corresponding
 * entries, through zero Pad (not of the channel dimension), AveragePool
 * and MaxPool (per channel), Transpose-like gathers and reshapes, up to
 * the nodes that consume them: a Conv (group 1) loses the input
 * channels, a dense node the columns. Anything else reading a removed
 * entry (a residual Add, a Concat, an elementwise affine node, another
 * activation, the network's output) makes the cut impossible. OUT equals
 * G wherever the removed relu outputs are 0 (on a box where they are
 * inactive): nothing but the removed channels' terms changes. Errors:
 * LUMP_EINPUT naming the cut and the node that prevents it (also a cut
 * that would remove every channel of a node, or names channels out of
 * range or twice). Time: O(weights + tensor sizes times dimensions). */
LUMP_EXPORT lump_error_t lump_graph_cut(lump_graph_t *out, const lump_graph_t *g,
                                        const lump_graph_cut_t *cuts, size_t n) LUMP_WUR;

/* lump_graph_diff -- the first node at which A and B differ as networks:
 * operation, inputs, shape, attributes, activation, index map, or a
 * weight or bias as exact rationals (names are not compared); SIZE_MAX
 * when they are the same network node by node, the smaller node count
 * when one is a prefix of the other, and A's node count when only the
 * output node differs. O(size). */
LUMP_EXPORT size_t lump_graph_diff(const lump_graph_t *a, const lump_graph_t *b);

/* A box certificate of a graph network G: UNROLLED is a box certificate
 * (lumpnet/stable.h) of one stable step, without folds, on
 * lump_graph_unroll(G): its bounds and the inactive relus of the removed
 * channels, whose neurons the unrolling's map names. The reduced network
 * is lump_graph_cut(G, CUTS). */
typedef struct {
    size_t n_cuts;
    lump_graph_cut_t *cuts;
    lump_box_cert_t unrolled;
    /* 1 when the evidence is exact interval arithmetic on G itself
     * (lump_graph_intervals over UNROLLED.BOX, which is then the only part
     * of UNROLLED used): for networks whose unrolling is too large */
    int intervals;
} lump_graph_box_cert_t;

/* lump_graph_box_cert_init / _clear -- an empty certificate; free one.
 * O(1) / O(size). */
LUMP_INIT_CLEAR(lump_graph_box_cert);

/* What lump_graph_box_reduce found and removed. RELUS counts the entries
 * of G's relu nodes; INACTIVE and ACTIVE those proven zero on the box
 * and those proven >= 0 before the relu (the identity there); CHANNELS
 * the channels removed (cut), CUT_ENTRIES their entries; STUCK the
 * channels inactive at every position but kept because of the network's
 * structure (a residual Add reads them, or nothing may be removed from
 * the node they come from). */
typedef struct {
    size_t relus, inactive, active, channels, cut_entries, stuck;
    size_t lp_solves, lp_tightened;
    size_t unrolled_neurons, unrolled_relus; /* of lump_graph_unroll(G) */
    int intervals; /* 1: bounds by exact intervals on G (unrolling too large) */
    double unroll_seconds, bounds_seconds, seconds;
} lump_graph_box_stats_t;

/* lump_graph_box_reduce -- OUT = G with every relu channel that is zero
 * at every position of BOX removed as a channel (lump_graph_cut), exactly
 * equal to G at every point of BOX. The bounds are those of the box
 * reduction of layered networks (lump_stable_reduce's first round:
 * interval arithmetic, then, with OPTS->use_lp, LP tightening with
 * OPTS->lp_rows, no LP started after MAX_SOLVES solves when that is > 0) on
 * lump_graph_unroll(G), with the same certificate evidence. A node keeps at least one channel. CERT (may be NULL)
 * receives the certificate, STATS (may be NULL) the counts. Errors:
 * LUMP_EINPUT for a box of the wrong dimension. When the unrolled
 * network would have more than MAX_WEIGHTS dense weights (0: no cap), the
 * bounds are exact interval arithmetic on G itself (lump_graph_intervals;
 * linear in G's size, so a MaxPool over a wide tensor costs no more than
 * its entries), and the certificate says so (INTERVALS).
 * Time: the unrolling (O(size x in_size) per layer) plus its bounds (two
 * LP solves per unstable relu with OPTS->use_lp) plus the cut. */
LUMP_EXPORT lump_error_t lump_graph_box_reduce(lump_graph_t *out, lump_graph_box_cert_t *cert,
                                               lump_graph_box_stats_t *stats,
                                               const lump_graph_t *g, const lump_box_t *box,
                                               const lump_stable_opts_t *opts,
                                               size_t max_solves,
                                               size_t max_weights) LUMP_WUR;

/* lump_graph_box_cert_check -- verify that CERT proves OUT equal to G on
 * BOX: BOX lies in the certificate's box; the unrolled certificate is one
 * stable step without folds and lump_box_cert_check accepts it for
 * lump_graph_unroll(G) (every bound by exact interval arithmetic or exact
 * weak duality), or, for an INTERVALS certificate, the exact intervals of
 * G over the certificate's box give each cut entry's pre-activation an
 * upper end <= 0; every entry of every cut channel is a relu neuron it
 * lists as inactive; and OUT equals lump_graph_cut(G, CERT's cuts) node by
 * node, exactly. Trusted besides the box checker: lump_graph_unroll (an
 * exact translation) and lump_graph_cut. *VALID and WHY as
 * lump_cert_check. Time: the unrolling, the box check, O(size of G). */
LUMP_EXPORT lump_error_t lump_graph_box_cert_check(lump_verdict_t *valid, char *why,
                                                   size_t whylen, const lump_graph_t *g,
                                                   const lump_graph_t *out,
                                                   const lump_box_t *box,
                                                   const lump_graph_box_cert_t *cert) LUMP_WUR;

/* lump_graph_box_cert_write -- CERT as JSON (format
 * "lumpnet-graph-box-certificate", version 1: "cuts", a list of {"node",
 * "channels"}, and "unrolled", the box certificate as its own format
 * writes it; docs/certificates.md) to F; deterministic. O(size). */
LUMP_EXPORT lump_error_t lump_graph_box_cert_write(FILE *f,
                                                   const lump_graph_box_cert_t *cert) LUMP_WUR;

/* lump_graph_box_cert_read_buf -- read such a certificate (shapes only).
 * NAME prefixes messages. O(length). */
LUMP_EXPORT lump_error_t lump_graph_box_cert_read_buf(lump_graph_box_cert_t *cert,
                                                      const char *buf, size_t len,
                                                      const char *name) LUMP_WUR;

/* lump_cert_is_graph_box -- 1 when BUF is JSON whose "format" is
 * "lumpnet-graph-box-certificate", else 0. O(length). */
LUMP_EXPORT int lump_cert_is_graph_box(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
