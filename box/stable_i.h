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

#endif
