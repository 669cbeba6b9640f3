/* lumpnet/tolerance.h -- equivalence within a tolerance: the trusted leaf
 * bound and the checker of tolerance certificates (docs/certificates.md) */
#ifndef LUMPNET_TOLERANCE_H
#define LUMPNET_TOLERANCE_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"
#include "lumpnet/box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A and B prepared for leaf bounds: their weights, biases and maps as
 * enclosing double intervals, the selected outputs. Immutable once built,
 * so one pair serves many threads at once. */
typedef struct lump_tol_pair lump_tol_pair_t;

/* lump_tol_pair_new -- prepare A and B for lump_tol_leaf_bound on the
 * outputs OUTPUTS[0..n_outputs) (0-based; n_outputs >= 1). Every exact
 * weight, bias, normalisation and output-map entry is enclosed once in a
 * double interval (exact for binary float storage). Refuses, with
 * LUMP_EUSAGE and a message saying why, pairs whose numbers of inputs
 * differ and an output index that is not an output of both; with
 * LUMP_EUNSUPPORTED activations the trusted bound cannot handle (it knows
 * identity and relu; the finder then answers unknown). LUMP_EINPUT for a
 * malformed network. *P is
 * NULL on failure. P keeps pointers to A and B (lump_tol_leaf_exact reads
 * them): they must outlive P. Time complexity: O(m_A + m_B) for m weights. */
LUMP_EXPORT lump_error_t lump_tol_pair_new(lump_tol_pair_t **p, const lump_net_t *a,
                                           const lump_net_t *b, const size_t *outputs,
                                           size_t n_outputs) LUMP_WUR;

/* lump_tol_pair_free -- free P (NULL is fine). O(1) plus free. */
LUMP_EXPORT void lump_tol_pair_free(lump_tol_pair_t *p);

/* lump_tol_leaf_bound -- a sound upper bound U on
 *   max over x in [LO, HI] and selected j of |A_j(x) - B_j(x)|,
 * rounded up, never NaN: +inf when nothing can be said (overflow). LO and
 * HI (n_inputs doubles each, LO[i] <= HI[i]) must enclose the leaf's exact
 * box (LO rounded down, HI rounded up). Symbolic interval propagation of
 * A, of B and of their difference, neuron by neuron (ReluDiff, Paulsen,
 * Wang and Wang, ICSE 2020; NeuroDiff, ASE 2020), in double arithmetic
 * with every rounding error enclosed. Thread-safe: reads P only, scratch
 * memory is per call. Time complexity: O((m_A + m_B) * n_inputs) flops
 * when A and B have the same layer sizes (the difference is propagated
 * alongside), likewise otherwise.
 * The checker passes the tightest enclosure of each leaf's exact box
 * (lump_tol_enclose_box); the bound is not promised to be monotone in the
 * box, so a finder whose closed leaves must pass the checker passes the
 * same doubles (splitting at binary floats makes the enclosure exact). */
LUMP_EXPORT double lump_tol_leaf_bound(const lump_tol_pair_t *p, const double *lo,
                                       const double *hi);

/* lump_tol_leaf_exact -- when every clip of A and B is inactive or
 * saturated on the exact box BOX and every relu of A and B keeps one sign
 * on each piece of BOX cut by the phases of the relus that change sign
 * there (at most 12 such splits deep, 4,096 exact linear programs in all),
 * MAX = exactly the maximum over x in BOX and selected j of
 * |A_j(x) - B_j(x)|, and 1 is returned; else 0 and MAX is unchanged. All
 * in rationals (exact/tol_exact.c, exact/tol_lp.c; every linear program's
 * answer checked by weak duality): it decides the parts whose double
 * bound, rounded outward, cannot reach a tolerance equal to the true
 * maximum. Thread-safe. Time complexity: O((m_A + m_B) * n_inputs)
 * rational operations per piece, plus the linear programs (each
 * O(pivots * (12 + n)^2)), 2^12 pieces at most. */
LUMP_EXPORT int lump_tol_leaf_exact(mpq_t max, const lump_tol_pair_t *p, const lump_box_t *box);

/* lump_tol_enclose_box -- LO[i] = the largest double <= BOX->lo[i], HI[i]
 * = the smallest double >= BOX->hi[i] (the values themselves when they are
 * doubles), i < BOX->n: the leaf boxes the checker bounds. O(n). */
LUMP_EXPORT void lump_tol_enclose_box(double *lo, double *hi, const lump_box_t *box);

/* lump_tol_cert_check -- check the tolerance certificate BUF[0..len) (NAME
 * prefixes places in messages) against A and B: *VALID = LUMP_TRUE only
 * when it is well formed (format, version 1, known keys only, exact
 * rational strings, outputs in range and distinct, a box of A's width
 * with lo <= hi), its tree is exactly one full binary tree whose every
 * split point lies strictly inside its node's interval (so the leaves
 * cover the box), and every leaf's own bound (lump_tol_leaf_bound on the
 * leaf's exact box enclosed in doubles; the finder's claim is ignored) is
 * at most the tolerance, compared exactly. Otherwise *VALID = LUMP_FALSE
 * and WHY (WHYLEN bytes) names the place ("tree[17]: ...") and the
 * problem. Errors: LUMP_EINPUT for a malformed A or B (the certificate
 * itself never makes an error, only an invalid verdict). Time complexity:
 * O(leaves * (m_A + m_B) * n_inputs + length). */
LUMP_EXPORT lump_error_t lump_tol_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                             const lump_net_t *a, const lump_net_t *b,
                                             const char *buf, size_t len,
                                             const char *name) LUMP_WUR;

/* lump_cert_is_tolerance -- 1 when BUF[0..len) is a JSON object whose
 * "format" is "lumpnet-tolerance-certificate", else 0. O(len). */
LUMP_EXPORT int lump_cert_is_tolerance(const char *buf, size_t len);

/* What a checked tolerance certificate claims, for reports. */
typedef struct {
    mpq_t tolerance;   /* EPS */
    size_t *outputs;   /* the selected outputs, in the certificate's order */
    size_t n_outputs;
    lump_box_t box;    /* the box the tree covers */
    size_t leaves;     /* leaves checked */
    double largest;    /* the largest leaf bound the checker computed */
} lump_tol_cert_info_t;

/* lump_tol_cert_info_init / _clear -- an empty record; free one. O(n). */
LUMP_INIT_CLEAR(lump_tol_cert_info);

/* lump_tol_cert_check_info -- lump_tol_cert_check that also fills INFO
 * (when not NULL) with what the certificate claims: tolerance, outputs
 * and box when they could be read, the number of leaves checked and the
 * largest leaf bound. The CLI needs the box to compare it with --box. Same
 * errors and complexity. */
LUMP_EXPORT lump_error_t lump_tol_cert_check_info(lump_verdict_t *valid, char *why, size_t whylen,
                                                  lump_tol_cert_info_t *info,
                                                  const lump_net_t *a, const lump_net_t *b,
                                                  const char *buf, size_t len,
                                                  const char *name) LUMP_WUR;

/* ---- the branch-and-bound finder (bound/tol_search.c) ---- */

/* How the finder chooses the input dimension to split. */
typedef enum {
    LUMP_TOL_SPLIT_SMART = 0, /* bound both halves along every input, keep the best */
    LUMP_TOL_SPLIT_GRADIENT,  /* |gradient of the difference| times width (NeuroDiff) */
    LUMP_TOL_SPLIT_WIDEST,    /* the widest dimension */
    LUMP_TOL_SPLIT_RANKED     /* SMART on the two inputs that split best last time,
                                 every input again every few levels */
} lump_tol_split_t;

/* Options of lump_tol_search. */
typedef struct {
    mpq_t tolerance;        /* EPS >= 0, exact */
    const size_t *outputs;  /* selected 0-based outputs; NULL: all */
    size_t n_outputs;
    double timeout;         /* seconds (<= 0: none) */
    unsigned jobs;          /* threads (0: the number of cores) */
    lump_tol_split_t split; /* the splitting rule */
    int progress;           /* report progress through core/progress */
} lump_tol_opts_t;

/* lump_tol_opts_init / _clear -- tolerance 0, all outputs, no time limit,
 * one job per core, ranked splits. O(1). */
LUMP_INIT_CLEAR(lump_tol_opts);

/* The answer of lump_tol_search. */
typedef struct {
    lump_verdict_t verdict; /* TRUE: equivalent within EPS, FALSE: witness */
    double bound;           /* best certified bound, rounded up (+inf: none) */
    double largest;         /* largest |A_j - B_j| seen (double estimate) */
    mpq_t witness_diff;     /* exact |A_j(w) - B_j(w)| at the witness or at
                               the point of the largest difference */
    mpq_t *witness;         /* that point (n_witness exact rationals), NULL when none */
    size_t n_witness;
    size_t output;          /* the output j of the witness */
    size_t leaves, nodes;   /* closed leaves, nodes created */
    int timed_out;          /* stopped by the time limit */
    char *cert;             /* the certificate text (TRUE only), to free with _clear */
    size_t cert_len;
    char reason[256];       /* why unknown (unsupported activation, time limit) */
    size_t exact_leaves;    /* of LEAVES, those closed by lump_tol_leaf_exact */
} lump_tol_result_t;

/* lump_tol_result_init / _clear -- an empty result (verdict unknown); free
 * one. O(1) / O(size). */
LUMP_INIT_CLEAR(lump_tol_result);

/* lump_tol_search -- decide whether |A_j(x) - B_j(x)| <= EPS for every x in
 * BOX and every selected output j by branch and bound over the input box:
 * each part is closed when lump_tol_leaf_bound is <= EPS (compared
 * exactly), searched for a witness (double evaluation at the centre and
 * projected gradient ascent on the difference, confirmed by exact
 * evaluation), else split in two at a dyadic point. The open parts are
 * processed best bound first, in rounds of a fixed number of parts worked
 * on by O->jobs threads and merged in part order, so the verdict, the
 * witness and the certificate (R->cert, the format
 * "lumpnet-tolerance-certificate" of docs/certificates.md) do not depend
 * on the number of threads. Stops with LUMP_UNKNOWN at the time limit, or
 * when the pair cannot be bounded (R->reason says why). Errors: bad
 * options (LUMP_EUSAGE), LUMP_EINTERRUPTED on a cancellation request.
 * Complexity: O(nodes * (2 * inputs + 1) * weights). Reference: NeuroDiff
 * (Paulsen, Wang, Wang, ASE 2020) for the input splitting. */
LUMP_EXPORT lump_error_t lump_tol_search(lump_tol_result_t *r, const lump_net_t *a,
                                         const lump_net_t *b, const lump_box_t *box,
                                         const lump_tol_opts_t *o) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
