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

#endif
