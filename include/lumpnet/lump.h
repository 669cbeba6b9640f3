/* lumpnet/lump.h -- exact and proportional lumping, quotients, certificates
 * and equivalence of networks (DESIGN section 2) */
#ifndef LUMPNET_LUMP_H
#define LUMPNET_LUMP_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"
#include "lumpnet/net.h"
#include "lumpnet/box.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LUMP_MODE_EXACT = 0,       /* every scale is 1: equal values */
    LUMP_MODE_PROPORTIONAL = 1 /* scales > 0 for relu/leaky, != 0 for identity */
} lump_mode_t;

/* What happens to a block in the quotient. */
typedef enum {
    LUMP_FATE_KEEP = 0,     /* one neuron of the quotient */
    LUMP_FATE_CONSTANT = 1, /* computes the rational VALUE for every input:
                               folded into the next layer's biases */
    LUMP_FATE_DEAD = 2      /* its merged outgoing weights are all zero */
} lump_fate_t;

/* A block B of one layer: y_v = c_v * y_rep for every member v, where the
 * representative rep = members[0] has scale 1. Members are listed in
 * increasing neuron order. A CONSTANT block has one member. */
typedef struct {
    size_t n_members;
    size_t *members;
    lump_arr_t scales; /* c of each member, in the order of MEMBERS */
    lump_fate_t fate;
    mpq_t value;       /* sigma(b_eff) of a CONSTANT block, else 0 */
} lump_block_t;

/* The blocks of one layer L_i (i >= 1), numbered canonically: by their
 * lowest member. */
typedef struct {
    size_t size; /* neurons of the layer */
    size_t n_blocks;
    lump_block_t *blocks;
} lump_layer_lumping_t;

/* A lumping of a network: layers[i] belongs to net->layers[i] (the inputs
 * are always singleton blocks with scale 1 and are not listed).
 *
 * Semantics (the certificate's claims), with b_eff_v = b_v + sum over the
 * CONSTANT neurons u of the previous layer of w(u,v) * value(u):
 * 1. act_v = act_rep;  2. b_eff_v = c_v * b_eff_rep;
 * 3. for every non-CONSTANT block C of the previous layer (inputs: each
 *    input alone, scale 1): sum_{u in C} c_u w(u,v) = c_v * sum_{u in C} c_u w(u,rep);
 * 4. c_v = 1 unless act is relu or leaky_relu (c_v > 0) or identity (c_v != 0);
 *    in LUMP_MODE_EXACT every c_v = 1;
 * 5. a CONSTANT block's sums in 3 are all zero and value = act(b_eff) (rational);
 * 6. a DEAD block B (never in the output layer) has
 *    W'(B, D) = sum_{u in B} c_u w(u, rep(D)) = 0 for every KEEP block D of
 *    the next layer.
 * In the quotient, layer i has one neuron per KEEP block, in block order,
 * with the activation of rep, bias b_eff_rep, and weight W'(C, B) from
 * each KEEP block C of the previous layer (inputs: each input).
 * Input clip, normalisation and output map are copied unchanged. */
typedef struct {
    lump_mode_t mode;
    size_t n_inputs;
    size_t n_layers;
    lump_layer_lumping_t *layers;
} lump_lumping_t;

/* lump_lumping_init / _clear -- an empty lumping; free one. O(size).
 * Every block owned by a lumping has an initialised VALUE and SCALES
 * (use lump_block_init), so that _clear can free them. */
LUMP_INIT_CLEAR(lump_lumping);

/* lump_lumping_swap -- exchange the contents of A and B, so that a
 * lumping built aside replaces the caller's only once it is complete
 * (like mpq_swap). O(1). */
LUMP_EXPORT void lump_lumping_swap(lump_lumping_t *a, lump_lumping_t *b);

/* lump_block_init -- an empty KEEP block (no members, value 0). O(1). */
LUMP_EXPORT void lump_block_init(lump_block_t *b);

/* lump_lumping_alloc -- L (initialised, empty) = a lumping in MODE of a
 * network of N_INPUTS inputs with N_LAYERS layers, each with no blocks
 * yet. Cannot fail (a failed allocation exits, lumpnet/alloc.h).
 * O(n_layers). */
LUMP_EXPORT lump_error_t lump_lumping_alloc(lump_lumping_t *L, lump_mode_t mode, size_t n_inputs,
                                            size_t n_layers) LUMP_WUR;

/* lump_layer_lumping_alloc -- LL (with no blocks) = a layer lumping of a
 * layer of SIZE neurons with N_BLOCKS blocks, each lump_block_init'ed.
 * Cannot fail (a failed allocation exits). O(n_blocks). */
LUMP_EXPORT lump_error_t lump_layer_lumping_alloc(lump_layer_lumping_t *ll, size_t size,
                                                  size_t n_blocks) LUMP_WUR;

/* lump_layer_lumping_kept -- the KEEP blocks of LL: the size of its
 * quotient layer. O(n_blocks). */
LUMP_EXPORT size_t lump_layer_lumping_kept(const lump_layer_lumping_t *ll);

/* lump_lumping_neurons_after -- hidden plus output neurons of the quotient
 * (KEEP blocks). O(blocks). */
LUMP_EXPORT size_t lump_lumping_neurons_after(const lump_lumping_t *L);

/* lump_partition_coarsest -- the coarsest lumping of NET in MODE satisfying
 * the conditions above, in one forward pass (signatures of scale-weighted
 * per-block sums, normalised by the absolute value of their first non-zero
 * entry for positively homogeneous activations, grouped by hashing), then
 * one backward pass for dead blocks. Output neurons stay singletons unless
 * MERGE_OUTPUTS (used for equivalence, where outputs of two networks are
 * compared). Blocks are numbered by their lowest member, so the result is
 * deterministic. Constants are folded when act(b_eff) is rational
 * (identity, relu, leaky_relu; sigmoid(0) = 1/2, tanh(0) = 0).
 * Time: O(m) expected for m weights (hashing), plus exact verification of
 * colliding signatures. Reference: Buchholz, "Exact and ordinary
 * lumpability in finite Markov chains", J. Appl. Prob. 31 (1994). */
LUMP_EXPORT lump_error_t lump_partition_coarsest(lump_lumping_t *L, const lump_net_t *net,
                                                 lump_mode_t mode, int merge_outputs) LUMP_WUR;

/* lump_quotient -- Q = the quotient of NET by L (see above). NET's weight
 * storage is kept where the quotient weights fit it. O(m). */
LUMP_EXPORT lump_error_t lump_quotient(lump_net_t *q, const lump_net_t *net,
                                       const lump_lumping_t *L) LUMP_WUR;

/* lump_cert_write -- the certificate of L as JSON (format
 * "lumpnet-certificate", version 1) to F. O(neurons). */
LUMP_EXPORT lump_error_t lump_cert_write(FILE *f, const lump_lumping_t *L) LUMP_WUR;

/* lump_cert_read_buf -- read a certificate. Only its shape is checked
 * (types, index ranges); whether its claims hold is lump_cert_check's job.
 * NAME prefixes messages. O(length). */
LUMP_EXPORT lump_error_t lump_cert_read_buf(lump_lumping_t *L, const char *buf, size_t len,
                                            const char *name) LUMP_WUR;

/* lump_cert_check -- verify, in exact arithmetic and without the partition
 * finder, that L is a valid lumping of NET (conditions 1-6 above, that the
 * blocks partition every layer, output blocks are KEEP singletons) and that
 * Q is exactly its quotient. *VALID is LUMP_TRUE or LUMP_FALSE; when false,
 * WHY (WHYLEN bytes) names the violated condition, the layer and the
 * neuron. Errors only for out-of-memory. O(m) rational operations. */
LUMP_EXPORT lump_error_t lump_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                         const lump_net_t *net, const lump_net_t *q,
                                         const lump_lumping_t *L) LUMP_WUR;

/* lump_cert_check_merged -- verify, as the first pass of lump_cert_check
 * (conditions 1-6, the partition; no quotient), that L is a valid lumping
 * of NET in which output neurons may share blocks (as
 * lump_partition_coarsest returns with MERGE_OUTPUTS; a dead output block
 * is refused). Then output v of a block equals c_v times its
 * representative for every input. *VALID and WHY as lump_cert_check.
 * O(m) rational operations. */
LUMP_EXPORT lump_error_t lump_cert_check_merged(lump_verdict_t *valid, char *why, size_t whylen,
                                    const lump_net_t *net, const lump_lumping_t *L) LUMP_WUR;

/* The result of comparing two networks. */
typedef struct {
    lump_verdict_t equal;  /* TRUE proved, FALSE refuted, UNKNOWN */
    mpq_t *witness;        /* when FALSE: an input where some output differs */
    size_t n_witness;
    size_t output;         /* when FALSE: an output that differs there */
    char domain[256];      /* the domain the witness search used */
    lump_lumping_t proof;  /* when TRUE: the lumping of the union of A and B
                              (lump_net_union) that proves it, verified by
                              lump_equiv_cert_check */
} lump_equiv_t;

/* lump_equiv_init / _clear -- an empty result; free one (the witness and
 * the proof). O(size). */
LUMP_INIT_CLEAR(lump_equiv);

/* lump_net_union -- U = A and B side by side on shared inputs: layer i of U
 * is layer i of A followed by layer i of B; the outputs of A come first.
 * Normalisations and output maps are folded exactly into the weights (an
 * output map over a non-identity last layer becomes an extra identity
 * layer). Fails with LUMP_EUNSUPPORTED when A and B differ in inputs,
 * outputs, depth or input clipping. O(m_A + m_B). */
LUMP_EXPORT
lump_error_t lump_net_union(lump_net_t *u, const lump_net_t *a, const lump_net_t *b) LUMP_WUR;

/* lump_equiv -- decide whether A and B compute the same function: proved
 * when lumping their union (proportional mode, outputs merged) puts output
 * j of A and output j of B in one block with equal scales, and the
 * independent checker (lump_equiv_cert_check) confirms that lumping, which
 * E->proof then holds; else refuted by an exact rational witness found by
 * random points, box corners and local search over BOX (or, when BOX is
 * NULL, A's clip bounds, else [-1,1]^n); else unknown. SEED makes the
 * search reproducible. Never guesses: when the checker refuses what the
 * partition finder claimed, the error is LUMP_EINTERNAL (a bug). */
LUMP_EXPORT lump_error_t lump_equiv(lump_equiv_t *e, const lump_net_t *a, const lump_net_t *b,
                        const lump_box_t *box, unsigned long seed) LUMP_WUR;

/* lump_equiv_cert_check -- verify, in exact arithmetic and without the
 * partition finder, that L proves A and B equal: L is a valid lumping
 * (conditions 1-6 above) of their union U = lump_net_union(A, B), except
 * that output neurons may share blocks (never dead ones), and for every
 * output j, output j of A (neuron j of U's last layer) and output j of B
 * (neuron n_outputs + j) lie in one KEEP block with equal scales, or in two
 * CONSTANT blocks with equal values. Then A_j(x) = B_j(x) for every input x.
 * *VALID and WHY as lump_cert_check (networks that cannot be put side by
 * side are invalid, WHY says why). Errors: LUMP_EINPUT for a malformed A
 * or B. Time complexity: O(m_A + m_B) rational operations. */
LUMP_EXPORT lump_error_t lump_equiv_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                   const lump_net_t *a, const lump_net_t *b,
                                   const lump_lumping_t *L) LUMP_WUR;

/* lump_equiv_cert_write -- the equivalence certificate of L (a lumping of
 * the union of two networks) as JSON (format
 * "lumpnet-equivalence-certificate", version 1; docs/certificates.md) to
 * F; deterministic. Errors: LUMP_EIO. O(neurons). */
LUMP_EXPORT lump_error_t lump_equiv_cert_write(FILE *f, const lump_lumping_t *L) LUMP_WUR;

/* lump_equiv_cert_read_buf -- read an equivalence certificate, checking
 * its shape only (as lump_cert_read_buf). NAME prefixes messages. On
 * failure L is untouched. O(length). */
LUMP_EXPORT lump_error_t lump_equiv_cert_read_buf(lump_lumping_t *L, const char *buf, size_t len,
                                      const char *name) LUMP_WUR;

/* lump_cert_is_equiv -- 1 when BUF is JSON whose "format" is
 * "lumpnet-equivalence-certificate", else 0. O(length). */
LUMP_EXPORT int lump_cert_is_equiv(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
