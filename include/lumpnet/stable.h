/* lumpnet/stable.h -- exact reduction on an input box: provably stable
 * ReLUs, exact folding of affinely dependent linear neurons, lumping, and
 * the box certificate that proves the result equal on the box */
#ifndef LUMPNET_STABLE_H
#define LUMPNET_STABLE_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"
#include "lumpnet/box.h"
#include "lumpnet/lump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The rows of the exact triangle relaxation a bound's multipliers refer
 * to, for neuron v of layer i (z: pre-activation, y: output column):
 * - DEF: z_v - sum_u w(u,v) y_u = b_v (equality; inputs for layer 1);
 * - ACT: y_v - z_v = 0 (identity, or relu with claimed lo >= 0);
 * - GE:  y_v - z_v >= 0 (unstable relu: lo < 0 < hi);
 * - TRI: (hi - lo) y_v - hi z_v <= -hi lo (unstable relu).
 * Columns: inputs x (the box after clip and normalisation), z_v in
 * [lo_v, hi_v], y_v in [max(lo_v,0), max(hi_v,0)] for relu, [lo_v, hi_v]
 * for identity. A relu with hi <= 0 has y_v in [0, 0] and no ACT/GE/TRI
 * row. See docs/certificates.md. */
typedef enum {
    LUMP_ROW_DEF = 0,
    LUMP_ROW_ACT = 1,
    LUMP_ROW_GE = 2,
    LUMP_ROW_TRI = 3
} lump_row_kind_t;

/* The LP evidence of one bound: z_t <= hi_t (UPPER) or z_t >= lo_t, for
 * neuron NEURON of its layer j, by weak duality with multiplier VALUE[k]
 * on row (LAYER[k], ROW_NEURON[k], KIND[k]) of layers before j: for every
 * x of the relaxation, s z_t = s (w_t . y + b_t) with s = +1 (UPPER) or -1
 * is at most s b_t + sum_k value_k side_k + sum_cols max(d l, d u),
 * d = s w_t - A^T value. */
typedef struct {
    size_t neuron;
    int upper;
    size_t n;
    size_t *layer, *row_neuron;
    unsigned char *kind;
    mpq_t *value;
} lump_lp_evidence_t;

/* A folded neuron: on the box z_v = sum_k lambda_k z_{basis_k} + mu, all
 * of v and the basis being linear there (identity, or relu/leaky_relu
 * with lo >= 0), so y_v can be replaced by that combination. */
typedef struct {
    size_t neuron;
    size_t n_basis;
    size_t *basis;
    mpq_t *lambda;
    mpq_t mu;
} lump_fold_t;

/* The claims of one stable step about layer i of the network it reads:
 * pre-activation bounds LO/HI of every neuron (when HAS_BOUNDS), each
 * proved by exact interval arithmetic from the previous layer's claims or
 * by the LP evidence listed; relu neurons removed as inactive (hi <= 0);
 * folded neurons. */
typedef struct {
    size_t size;
    int has_bounds;
    mpq_t *lo, *hi;
    size_t n_evidence;
    lump_lp_evidence_t *evidence;
    size_t n_inactive;
    size_t *inactive;
    size_t n_fold;
    lump_fold_t *fold;
} lump_stable_layer_t;

/* One stable step: its claims per layer (N_LAYERS = the network's
 * layers; the output layer never has removals). Layers are reduced in
 * order, so the folds of layer i are stated over the incoming weights
 * that the reduction of layer i-1 produced (see lump_stable_apply_layer). */
typedef struct {
    size_t n_inputs, n_layers;
    lump_stable_layer_t *layers;
} lump_stable_step_t;

typedef enum { LUMP_STEP_STABLE = 0, LUMP_STEP_LUMPING = 1 } lump_step_kind_t;

typedef struct {
    lump_step_kind_t kind;
    lump_stable_step_t stable; /* when STABLE */
    lump_lumping_t lumping;    /* when LUMPING */
} lump_box_step_t;

/* A box certificate: NET restricted to BOX equals OUT restricted to BOX,
 * through the chain of steps (each stable step or lumping step maps the
 * network of the previous step to the next; the last network is OUT). */
typedef struct {
    lump_box_t box;
    size_t n_steps;
    lump_box_step_t *steps;
} lump_box_cert_t;

/* lump_stable_step_init / _clear -- an empty step; free one. O(1) / O(size). */
LUMP_INIT_CLEAR(lump_stable_step);
/* lump_stable_step_alloc -- S = empty claims for NET's shape. O(layers). */
LUMP_EXPORT
lump_error_t lump_stable_step_alloc(lump_stable_step_t *s, const lump_net_t *net) LUMP_WUR;
/* lump_box_cert_init / _clear -- an empty certificate; free one. O(1) / O(size). */
LUMP_INIT_CLEAR(lump_box_cert);
/* lump_box_cert_push -- append an initialised step of KIND; *STEP points
 * to it (valid until the next push). O(1) amortised. */
LUMP_EXPORT lump_error_t lump_box_cert_push(lump_box_cert_t *c, lump_step_kind_t kind,
                                            lump_box_step_t **step) LUMP_WUR;

/* Options of lump_stable_reduce. */
typedef struct {
    lump_mode_t mode; /* of the lumping steps (default proportional) */
    int use_lp;       /* LP bound tightening (default 1) */
    int max_rounds;   /* stable step + lumping rounds (default 4) */
    size_t lp_rows;   /* LP window: earlier layers are included while the
                         relaxation stays under this many rows (default 250) */
    int verbose;
    lump_fit_t fit;   /* the numbers the result must keep exact (default
                         LUMP_FIT_ANY: every fold and lump is taken). Else
                         a fold whose redistributed weights, or a lumping
                         whose quotient, would hold a number that does not
                         fit is left out: its neurons stay, and a network
                         whose numbers fit gives a result whose numbers
                         fit (`reduce --fit exact`) */
} lump_stable_opts_t;

LUMP_EXPORT void lump_stable_opts_init(lump_stable_opts_t *o);

/* What a box reduction removed, by cause (hidden neurons). */
typedef struct {
    size_t inactive, folded, lumped, dead, constant;
    size_t rounds, lp_solves, lp_tightened;
    size_t unstable_final; /* relu neurons left unstable by the first round's bounds */
    double seconds;
    size_t kept_exact; /* neurons of the result that a fold or lumping would
                          remove, kept because the values it gives do not
                          fit opts->fit (counted in the last round) */
} lump_stable_stats_t;

/* lump_stable_reduce -- OUT = NET reduced on BOX, exactly equal to NET at
 * every point of BOX (nothing is promised outside). Rounds of: sound
 * pre-activation bounds (interval arithmetic, then, when OPTS->use_lp, LP
 * bound tightening layer by layer with the triangle relaxation, every
 * tightened bound turned into a rigorous one by weak duality in exact
 * rationals); removal of stably inactive relus; exact folding of affinely
 * dependent linear neurons (fraction-free elimination over GMP); then
 * exact or proportional lumping; while a round changes anything. CERT
 * (may be NULL) receives the box certificate, STATS (may be NULL) the
 * counts. BOX must have NET's dimension and be non-empty (LUMP_EINPUT).
 * Time: per round, O(m) for intervals and lumping, 2 LP solves per
 * unstable relu neuron, and O(n r^2) rational operations per layer of n
 * inputs and r linear neurons for the folding. References: Serra, Kumar,
 * Ramalingam, "Lossless compression of deep neural networks", CPAIOR
 * 2020; Ehlers, "Formal verification of piece-wise linear feed-forward
 * neural networks", ATVA 2017 (triangle relaxation). */
LUMP_EXPORT
lump_error_t lump_stable_reduce(lump_net_t *out, lump_box_cert_t *cert, lump_stable_stats_t *stats,
                                const lump_net_t *net, const lump_box_t *box,
                                const lump_stable_opts_t *opts) LUMP_WUR;

/* lump_stable_apply_layer -- reduce layer LI (0-based, hidden) of NET in
 * place by the claims C: drop the inactive and folded neurons of layer
 * LI; in layer LI+1, the weight from a kept neuron k gains
 * sum over folds v of lambda_{v,k} w(v, x), the bias gains mu_v w(v, x),
 * and the columns of removed neurons go. When C removes every neuron of
 * layer LI (the network is constant on the box from there), the layer
 * becomes one zero neuron (no weights, bias 0, neuron 0's activation)
 * with a zero column in layer LI+1. Neuron indices of C are those
 * of layer LI before the call. Claims are not checked here. Exact.
 * Time: O(size(LI+1) * (kept + sum of fold basis sizes)). */
LUMP_EXPORT lump_error_t lump_stable_apply_layer(lump_net_t *net, size_t li,
                                                 const lump_stable_layer_t *c) LUMP_WUR;

/* lump_box_cert_write -- CERT as JSON ("lumpnet-certificate", version 2)
 * to F; deterministic. O(size). */
LUMP_EXPORT lump_error_t lump_box_cert_write(FILE *f, const lump_box_cert_t *cert) LUMP_WUR;

/* lump_cert_version -- the "version" of the certificate text BUF: 1
 * (lumping) or 2 (box); 0 when it cannot tell. O(length). */
LUMP_EXPORT int lump_cert_version(const char *buf, size_t len);

/* lump_box_cert_read_buf -- read a version-2 certificate (shape only, as
 * lump_cert_read_buf). NAME prefixes messages. O(length). */
LUMP_EXPORT lump_error_t lump_box_cert_read_buf(lump_box_cert_t *cert, const char *buf, size_t len,
                                                const char *name) LUMP_WUR;

/* lump_box_cert_check -- verify in exact arithmetic, without the bound,
 * folding or partition finders, that CERT proves OUT equal to NET on
 * BOX: BOX lies inside the certificate's box; each stable step's bounds
 * follow by exact interval arithmetic or by exact weak duality from
 * their multipliers; inactive neurons are relus with hi <= 0; each fold
 * identity holds as an identity of rows and every neuron it involves is
 * linear on the box; each lumping step is valid (lump_cert_check) for
 * the network the previous steps produced; the last step's quotient is
 * OUT. *VALID and WHY as lump_cert_check.
 * Time: O(m) per step plus, per LP bound, the rows its multipliers touch. */
LUMP_EXPORT lump_error_t lump_box_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                             const lump_net_t *net, const lump_net_t *out,
                                 const lump_box_t *box, const lump_box_cert_t *cert) LUMP_WUR;

/* Why a neuron of the original network has no neuron of its own in the
 * result of a box reduction (lump_box_cert_compose). */
typedef enum {
    LUMP_BOX_KEPT = 0,     /* a neuron of the result, or merged into one */
    LUMP_BOX_INACTIVE = 1, /* a relu that is 0 everywhere on the box */
    LUMP_BOX_FOLDED = 2,   /* linear on the box and affinely dependent on
                              its layer's other linear neurons */
    LUMP_BOX_LUMPED = 3    /* constant or dead in a lumping step */
} lump_box_cause_t;

/* lump_box_cert_compose -- the chain of box certificate C applied to NET
 * (not checked here: use lump_box_cert_check on the result): OUT = the
 * reduced network; L = one lumping of NET's neurons that says which
 * original neurons each neuron of OUT stands for (a KEEP block per neuron
 * of OUT, in order, with the composed scales: y_v = c_v * y_block on the
 * box) and a singleton block per removed neuron (CONSTANT with its value,
 * or DEAD); *CAUSE = a new array (free it) of lump_box_cause_t, one per
 * hidden and output neuron of NET, layer by layer. For drawing
 * (`lumpnet draw --cert`). Errors: LUMP_EINPUT when C does not fit NET,
 * LUMP_EUNSUPPORTED when a layer is removed entirely. Time: O(m) per step
 * plus the origins' bookkeeping, O(neurons) per step. */
LUMP_EXPORT lump_error_t lump_box_cert_compose(lump_lumping_t *L, lump_net_t *out,
                                               unsigned char **cause, const lump_net_t *net,
                                               const lump_box_cert_t *C) LUMP_WUR;
/* ---- equality of two networks on a box (issue 14) -------------------- */

/* The proof that A and B agree at every point of a box: A equals A' on
 * the box (CERT_A, a box certificate whose last quotient is A'), B equals
 * B' likewise (CERT_B), and A' equals B' everywhere (LUMPING, a lumping
 * of the union of A' and B' as lump_equiv_cert_check reads it). A' and B'
 * are not stored: each is rebuilt from its network and certificate
 * (lump_box_cert_apply), and the checkers confirm what was rebuilt. */
typedef struct {
    lump_box_cert_t cert_a, cert_b;
    lump_lumping_t lumping;
} lump_box_equiv_cert_t;

/* lump_box_equiv_cert_init / _clear -- an empty certificate pair; free one.
 * O(1) / O(size). */
LUMP_INIT_CLEAR(lump_box_equiv_cert);

/* lump_box_cert_apply -- OUT = the network CERT's steps make of NET:
 * each stable step's removals and folds applied layer by layer
 * (lump_stable_apply_layer), each lumping step's quotient taken. Nothing
 * is checked beyond the shapes (a step that does not fit is LUMP_EINPUT
 * naming the step): lump_box_cert_check decides whether OUT equals NET
 * on the box. Time: O(steps * m) rational operations. */
LUMP_EXPORT lump_error_t lump_box_cert_apply(lump_net_t *out, const lump_net_t *net,
                                             const lump_box_cert_t *cert) LUMP_WUR;

/* lump_box_equiv -- decide whether A and B agree at every point of BOX.
 * First lump_equiv (a proof by lumping their union holds everywhere,
 * *ON_BOX = 0, E->proof; a witness refutes). When that is unknown, both
 * networks are reduced on BOX (lump_stable_reduce) and the union of the
 * reduced networks lumped; when that proves A' = B', PROOF receives the
 * three parts, lump_box_equiv_cert_check confirms them before E->equal
 * is TRUE, and *ON_BOX = 1 (the equality is claimed on BOX only). A
 * witness of the reduced networks is returned only when it lies in BOX
 * and both box certificates check (then it is one of A and B). SEED as
 * lump_equiv. A disagreement of prover and checker is LUMP_EINTERNAL.
 * Each side is reduced until a reduction removes nothing more.
 * Time: two witness searches, two box reductions, one partition of the
 * union and the three checks (seconds for ACAS Xu). */
LUMP_EXPORT lump_error_t lump_box_equiv(lump_equiv_t *e, lump_box_equiv_cert_t *proof, int *on_box,
                                        const lump_net_t *a, const lump_net_t *b,
                                        const lump_box_t *box, unsigned long seed) LUMP_WUR;

/* lump_box_equiv_cert_check -- verify in exact arithmetic that CERT
 * proves A(x) = B(x) for every x of BOX: A' and B' rebuilt from the
 * certificates, lump_box_cert_check of (A, A', BOX, CERT_A) and of (B,
 * B', BOX, CERT_B), and lump_equiv_cert_check of (A', B', LUMPING). WHY
 * names the part that failed. *VALID and WHY as lump_cert_check. Time:
 * the three checks. */
LUMP_EXPORT lump_error_t lump_box_equiv_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                                   const lump_net_t *a, const lump_net_t *b,
                                                   const lump_box_t *box,
                                                   const lump_box_equiv_cert_t *cert) LUMP_WUR;

/* lump_box_equiv_cert_write -- CERT as JSON (format
 * "lumpnet-box-equivalence-certificate", version 1: members "a" and "b",
 * the two box certificates, and "union", the equivalence certificate of
 * the reduced networks, each as its own format writes it;
 * docs/certificates.md) to F; deterministic. O(size). */
LUMP_EXPORT lump_error_t lump_box_equiv_cert_write(FILE *f,
                                                   const lump_box_equiv_cert_t *cert) LUMP_WUR;

/* lump_box_equiv_cert_read_buf -- read such a certificate (shapes only,
 * as the readers of its parts). NAME prefixes messages. O(length). */
LUMP_EXPORT lump_error_t lump_box_equiv_cert_read_buf(lump_box_equiv_cert_t *cert, const char *buf,
                                                      size_t len, const char *name) LUMP_WUR;

/* lump_cert_is_box_equiv -- 1 when BUF is JSON whose "format" is
 * "lumpnet-box-equivalence-certificate", else 0. O(length). */
LUMP_EXPORT int lump_cert_is_box_equiv(const char *buf, size_t len);

/* lump_cert_quotient -- Q = the exact network that the certificate text
 * BUF (a lumping certificate, or a box certificate) makes of NET
 * (lump_quotient, lump_box_cert_apply), returned only after the
 * certificate's checker confirmed that Q equals NET: everywhere
 * (*ON_BOX = 0) or at every point of BOX (*ON_BOX = 1; BOX must lie in
 * the certificate's box). Used to pair a network with a rounded copy of
 * its quotient (bound A B --cert). A certificate that is malformed, of
 * another kind, does not fit NET or does not check is LUMP_EINPUT, the
 * message naming NAME and the reason. Time: the check (O(m) rational
 * operations per step). */
LUMP_EXPORT lump_error_t lump_cert_quotient(lump_net_t *q, int *on_box, const lump_net_t *net,
                                            const lump_box_t *box, const char *buf, size_t len,
                                            const char *name) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
