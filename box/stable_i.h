/* stable_i.h -- internals of the box reduction shared by its files
 * (private to the library) */
#ifndef LUMPNET_STABLE_I_H
#define LUMPNET_STABLE_I_H

#include <stddef.h>
#include <jansson.h>
#include "lumpnet/stable.h"
#include "json_support.h"

/* lump_i_fold_find -- exact folds among the neurons LIN[0..nlin) of LAYER
 * (taken in this order; earlier ones are preferred as basis): *FOLDS
 * (*NFOLD entries, to free with lump_i_folds_free) expresses each neuron
 * whose weight row is a linear combination of the rows of chosen basis
 * neurons, as z_v = sum lambda_k z_k + mu, exactly. A double Gram-Schmidt
 * pass picks the basis and the candidates (a heuristic: it can only miss
 * folds); fraction-free Gaussian elimination over GMP (Bareiss) solves for
 * the lambdas of all candidates at once, and each identity is verified in
 * rationals before it is returned. Time: O(nlin r n) doubles plus
 * O(n r (r + c)) integer operations for r basis rows, c candidates and n
 * inputs. Reference: Bareiss, "Sylvester's identity and multistep
 * integer-preserving Gaussian elimination", Math. Comp. 22 (1968). */
lump_error_t lump_i_fold_find(lump_fold_t **folds, size_t *nfold, const lump_layer_t *layer,
                              const size_t *lin, size_t nlin) LUMP_WUR;
void lump_i_folds_free(lump_fold_t *folds, size_t nfold);

/* lump_i_fold_fit -- keep among the folds of C (a layer whose next layer
 * is NEXT, before the step) those whose redistributed weights and bias
 * contributions to NEXT all fit FIT, tried in order against the values
 * the folds kept before them give; *KEPT = the folds left out (their
 * neurons stay, linear on the box). Nothing changes for LUMP_FIT_ANY.
 * Time: O(size(NEXT) * sum of basis sizes) rational operations. */
lump_error_t lump_i_fold_fit(lump_stable_layer_t *c, const lump_layer_t *next, lump_fit_t fit,
                             size_t *kept) LUMP_WUR;

/* lump_i_lumping_fit -- when Q, the quotient of CUR by L, holds a number
 * that does not fit FIT while CUR's all fit: replace L by its refinement
 * to its dead blocks and singletons (or, should that not be a valid
 * lumping of CUR, the trivial one) and Q by its quotient, checked by
 * lump_cert_check; *KEPT = the neurons L removed that stay. Otherwise
 * nothing changes. Time: O(m) rational operations. */
lump_error_t lump_i_lumping_fit(lump_lumping_t *L, lump_net_t *q, const lump_net_t *cur,
                                lump_fit_t fit, size_t *kept) LUMP_WUR;

/* lump_i_lumping_refine -- DST = the refinement of L that keeps only its
 * DEAD blocks (when KEEP_DEAD) and makes every other neuron a KEEP
 * singleton of scale 1, blocks numbered by their lowest member; with
 * KEEP_DEAD = 0, the trivial lumping of L's layer sizes. O(neurons). */
lump_error_t lump_i_lumping_refine(lump_lumping_t *dst, const lump_lumping_t *L,
                                   int keep_dead) LUMP_WUR;

/* lump_i_cert_part_json -- *OUT = the JSON document WRITE writes for ARG
 * (parsed back from its bytes, so that a part nested in another
 * certificate is exactly what its own format writes); WHAT names it in
 * messages. O(size of the part). */
typedef lump_error_t (*lump_i_part_writer_t)(FILE *f, const void *arg);
lump_error_t lump_i_cert_part_json(json_t **out, lump_i_part_writer_t write, const void *arg,
                                   const char *what) LUMP_WUR;

/* lump_i_cert_member_text -- the text of member KEY of ROOT (an object,
 * checked) as *TEXT, to free; NAME = "FILE, member KEY" for the part
 * reader's messages. O(size of the member). */
lump_error_t lump_i_cert_member_text(char **text, size_t *len, char *name, size_t namelen,
                                     lump_i_jpath_t *p, const json_t *root, const char *key,
                                     const char *file) LUMP_WUR;

#endif
