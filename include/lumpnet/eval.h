/* lumpnet/eval.h -- evaluating a network: exact, MPFR enclosure, double */
#ifndef LUMPNET_EVAL_H
#define LUMPNET_EVAL_H

#include <stddef.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* lump_eval_exact -- OUT[j] = f_j(IN) in exact rationals, for a network
 * whose activations are all piecewise linear. OUT has n_outputs
 * initialised entries; IN has n_inputs. Fails with LUMP_EUNSUPPORTED
 * (naming the layer) on sigmoid or tanh. OUT may not alias IN.
 * Complexity: O(m) rational operations for m weights. */
LUMP_EXPORT
lump_error_t lump_eval_exact(mpq_t *out, const lump_net_t *net, const mpq_t *in) LUMP_WUR;

/* lump_eval_double -- OUT[j] ~ f_j(IN) in double precision (the fast path;
 * no error bound). O(m) flops. */
LUMP_EXPORT
lump_error_t lump_eval_double(double *out, const lump_net_t *net, const double *in) LUMP_WUR;

/* lump_eval_double_strict -- lump_eval_double that fails with
 * LUMP_EUNSUPPORTED (naming the layer and neuron, and pointing to --exact
 * and --mpfr) when an input, a pre-activation or an output is not finite,
 * instead of returning inf or nan. O(m) flops. */
LUMP_EXPORT lump_error_t lump_eval_double_strict(double *out, const lump_net_t *net,
                                     const double *in) LUMP_WUR;

/* lump_eval_double_range -- LUMP_OK when every number the double
 * evaluation of NET reads (weights and biases stored as rationals, leaky
 * relu slopes, clip, normalisation, output map) becomes a double without
 * overflow or underflow (finite, and normal unless 0); else
 * LUMP_EUNSUPPORTED naming the first that does not (a weight of 1e400
 * would silently turn into inf); the message says where and what, the
 * caller adds what to do. lump_eval_double_input_range checks the N
 * values of an input likewise (its message points to --exact and
 * --mpfr). O(m) conversions. */
LUMP_EXPORT lump_error_t lump_eval_double_range(const lump_net_t *net) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_eval_double_input_range(const mpq_t *in, size_t n) LUMP_WUR;

/* lump_eval_mpfr -- a rigorous enclosure LO[j] <= f_j(IN) <= HI[j] computed
 * with MPFR at PREC bits by interval arithmetic with outward rounding (the
 * stated error is HI - LO). LO and HI have n_outputs initialised entries
 * (their precision is set to PREC). Works for every activation.
 * Complexity: O(m) multiprecision operations. */
LUMP_EXPORT lump_error_t lump_eval_mpfr(mpfr_t *lo, mpfr_t *hi, const lump_net_t *net,
                                        const mpq_t *in, mpfr_prec_t prec) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
