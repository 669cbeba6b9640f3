/* arr_i.h -- private to the library: rounding an exact rational to a
 * float type, shared by the array storage and the ONNX writer */
#ifndef LUMPNET_ARR_I_H
#define LUMPNET_ARR_I_H
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/arr.h"

/* lump_i_round_store -- *OUT = V rounded once to the nearest value of the
 * float type STORE (LUMP_STORE_F32 or LUMP_STORE_F64), ties to even, with
 * subnormals honoured through MPFR's exponent range (rounding to 24 bits
 * and then to float would round a subnormal twice); infinite beyond the
 * largest finite value. F is scratch. Returns MPFR's ternary value: 0 when
 * V is exact in STORE. O(size of V). */
int lump_i_round_store(double *out, lump_store_t store, const mpq_t v, mpfr_t f);

/* lump_i_rat_get_d_rnd -- Q rounded to a double in the direction RND
 * (through MPFR at 53 bits); lump_rat_get_d and the descriptor's
 * lump_i_q_down / _up are its three uses. O(size of Q). */
double lump_i_rat_get_d_rnd(const mpq_t q, mpfr_rnd_t rnd);

#endif
