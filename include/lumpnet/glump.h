/* lumpnet/glump.h -- exact and proportional lumping of graph (convolutional
 * and residual) networks at channel level, its quotient, certificate,
 * independent checker and equivalence (issue #15; docs/cnn-lumping.md) */
#ifndef LUMPNET_GLUMP_H
#define LUMPNET_GLUMP_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/graph.h"
#include "lumpnet/lump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The partition of one node's units. A unit is a channel (first dim) of a
 * tensor of two or more dims, an entry of a flat tensor. Claim: for every
 * input and every position p, y[v, p] = scale[v] * y[rep(block[v]), p].
 * Blocks are numbered by their lowest member, which is their
 * representative (scale 1). A DEAD block is read by nothing with a
 * non-zero merged weight and is left out of the quotient. */
typedef struct {
    size_t units;        /* channels, or entries of a flat tensor */
    size_t per;          /* positions per unit: shape.size / units */
    size_t n_blocks;
    size_t *block;       /* [units] block of each unit */
    mpq_t *scale;        /* [units] */
    size_t *rep;         /* [n_blocks] lowest member */
    unsigned char *dead; /* [n_blocks] */
    /* [n_blocks] 1: a CONSTANT block: its one unit is VALUE at every
     * position for every input, folded into its readers' biases and left
     * out of the quotient (docs/cnn-lumping.md, "Constant channels") */
    unsigned char *konst;
    mpq_t *value; /* [units] the value of a CONSTANT unit, else 0 */
} lump_gpart_t;

/* A lumping of a graph: one partition per node (node 0, the input, all
 * singletons with scale 1). MERGED: output units may share blocks (the
 * lumping of a union, for equivalence). */
typedef struct {
    lump_mode_t mode;
    int merged;
    size_t n_nodes;
    lump_gpart_t *nodes;
} lump_glumping_t;

/* lump_glumping_init / _clear -- an empty lumping; free one. O(units). */
LUMP_INIT_CLEAR(lump_glumping);

/* lump_glumping_alloc -- L = N_NODES partitions of the units of G's nodes,
 * each unit its own block with scale 1, nothing dead. O(units). */
LUMP_EXPORT void lump_glumping_alloc(lump_glumping_t *L, const lump_graph_t *g, lump_mode_t mode);

/* lump_graph_units -- the units of node I of G: its channels when its
 * tensor has two or more dims, else its entries. O(1). */
LUMP_EXPORT size_t lump_graph_units(const lump_graph_t *g, size_t i);

/* lump_glumping_kept -- the blocks of node I that are neither dead nor
 * constant: its units in the quotient. O(blocks). */
LUMP_EXPORT size_t lump_glumping_kept(const lump_glumping_t *L, size_t i);

/* lump_graph_partition -- the coarsest lumping of G in MODE that the
 * channel-level conditions of docs/cnn-lumping.md find in one forward
 * pass (signatures of scale-weighted kernel sums per input block,
 * normalised by their first non-zero entry, grouped by sorting hashes of
 * their exactly rounded ratios and compared exactly), then one backward
 * pass for dead blocks. Output units stay singletons unless
 * MERGE_OUTPUTS. Deterministic. Time: O(weights + units log units)
 * double operations, plus exact rational work for merged blocks,
 * non-dyadic scales and candidate pairs. */
LUMP_EXPORT lump_error_t lump_graph_partition(lump_glumping_t *L, const lump_graph_t *g,
                                              lump_mode_t mode, int merge_outputs) LUMP_WUR;

/* lump_graph_quotient -- Q = the quotient of G by L: one unit per KEEP
 * block; a conv or dense node gets the merged weights
 * W'[B][C] = sum_{u in C} c_u W[rep B][u]; a channel-wise node (act,
 * pools, add) reads its inputs through a channel selection (GATHER,
 * "<name>/lump_in<k>") and scaling (AFFINE, "<name>/lump_scale<k>") only
 * when that is not the identity; any other node reads its inputs
 * expanded back to all units and keeps its own. Node names are kept.
 * O(weights) rational operations. */
LUMP_EXPORT lump_error_t lump_graph_quotient(lump_graph_t *q, const lump_graph_t *g,
                                             const lump_glumping_t *L) LUMP_WUR;

/* lump_graph_cert_write -- L as JSON ("lumpnet-graph-certificate",
 * docs/formats.md). O(units). */
LUMP_EXPORT lump_error_t lump_graph_cert_write(FILE *f, const lump_glumping_t *L) LUMP_WUR;

/* lump_graph_cert_read_buf -- read a graph certificate; only its shape is
 * checked (types, ranges, every unit in one block). On error the
 * LUMP_EINPUT message is "NAME: PLACE: problem". O(length). */
LUMP_EXPORT lump_error_t lump_graph_cert_read_buf(lump_glumping_t *L, const char *buf,
                                                  size_t len, const char *name) LUMP_WUR;

/* lump_graph_cert_is -- 1 when BUF looks like a graph certificate. O(len). */
LUMP_EXPORT int lump_graph_cert_is(const char *buf, size_t len);

/* lump_graph_cert_check -- verify in exact arithmetic, without the
 * partition finder, that L is a valid lumping of G (the conditions of
 * docs/cnn-lumping.md, per node and unit) and, when Q is not NULL, that Q
 * is exactly its quotient (node by node, weight by weight). *VALID is
 * LUMP_TRUE or LUMP_FALSE; when false WHY names the node, the unit and the
 * condition. O(weights) rational operations. */
LUMP_EXPORT lump_error_t lump_graph_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                               const lump_graph_t *g, const lump_graph_t *q,
                                               const lump_glumping_t *L) LUMP_WUR;

/* lump_graph_union -- U = A and B side by side on their shared input: node
 * i of U holds node i of A's units followed by node i of B's (block
 * diagonal weights; nodes reading the input stacked). Needs the same
 * nodes, operations, attributes and shapes but the first dim.
 * LUMP_EUNSUPPORTED otherwise. O(weights of A and B + products of channel
 * counts for the block diagonal). */
LUMP_EXPORT lump_error_t lump_graph_union(lump_graph_t *u, const lump_graph_t *a,
                                          const lump_graph_t *b) LUMP_WUR;

/* lump_graph_equiv -- decide whether A and B compute the same function:
 * TRUE when the lumping of their union (outputs merged) puts output j of
 * A and output j of B in one block with equal scales and
 * lump_graph_cert_check confirms it (*PROOF then holds it, and *U the
 * union); FALSE with an exact witness (WITNESS, lump_graph_n_inputs
 * values, initialised by the caller; *OUTPUT the differing output) found
 * at random rational points of [-1,1]^n (SEED); else UNKNOWN. A checker
 * refusal of the finder's lumping is LUMP_EINTERNAL. O(union lumping +
 * TRIES exact evaluations). */
LUMP_EXPORT lump_error_t lump_graph_equiv(lump_verdict_t *eq, lump_glumping_t *proof,
                                          lump_graph_t *u, mpq_t *witness, size_t *output,
                                          const lump_graph_t *a, const lump_graph_t *b,
                                          unsigned long seed, size_t tries) LUMP_WUR;

/* lump_graph_equiv_check -- verify that PROOF (a lumping of U =
 * lump_graph_union(A, B), outputs merged) proves A = B: valid, and for
 * every output j, output j of A and of B share a block with equal scales.
 * *VALID, WHY as lump_graph_cert_check. O(weights). */
LUMP_EXPORT lump_error_t lump_graph_equiv_check(lump_verdict_t *valid, char *why, size_t whylen,
                                                const lump_graph_t *u,
                                                const lump_glumping_t *proof) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
