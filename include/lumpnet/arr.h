/* lumpnet/arr.h -- compact arrays of exact rationals */
#ifndef LUMPNET_ARR_H
#define LUMPNET_ARR_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the values of an array are stored. Every value is an exact rational;
 * the storage only decides how compactly:
 * - F32: each entry is a finite binary32 float, read as the dyadic rational
 *   it denotes (4 bytes an entry, the form of most ONNX files);
 * - F64: each entry is a finite binary64 float (8 bytes);
 * - Q: each entry is a small fraction num/den of 64-bit integers, or, when
 *   it does not fit, an index into a side table of mpq_t (16 bytes an
 *   entry). Decimals read from text files fit the small form. */
typedef enum { LUMP_STORE_F32 = 0, LUMP_STORE_F64 = 1, LUMP_STORE_Q = 2 } lump_store_t;

/* The numbers a written file can hold exactly (what `reduce --fit exact`
 * keeps every value of the result within):
 * - ANY: every rational (the exact JSON format);
 * - F32 / F64: binary32 / binary64 values (ONNX initializers);
 * - DECIMAL: rationals whose decimal expansion terminates (NNet text). */
typedef enum {
    LUMP_FIT_ANY = 0,
    LUMP_FIT_F32 = 1,
    LUMP_FIT_F64 = 2,
    LUMP_FIT_DECIMAL = 3
} lump_fit_t;

/* One entry of a Q array: num/den in lowest terms with den > 0, or, when
 * den == 0, the value big[num] of the side table. */
typedef struct {
    int64_t num;
    uint64_t den;
} lump_qs_t;

typedef struct {
    lump_store_t store;
    size_t len;
    void *data;     /* float *, double * or lump_qs_t *, by store */
    mpq_t *big;     /* side table of a Q array */
    size_t nbig, capbig;
} lump_arr_t;

/* lump_arr_init -- an empty array (len 0, store F32). O(1). */
LUMP_EXPORT void lump_arr_init(lump_arr_t *a);

/* lump_arr_clear -- free an array. O(len) only when it has a side table. */
LUMP_EXPORT void lump_arr_clear(lump_arr_t *a);

/* lump_arr_alloc -- resize A to LEN zeros stored as STORE, dropping its old
 * contents. Fails with LUMP_ENOMEM (naming the size) when LEN exceeds
 * lump_arr_max_len() or the memory limit; a failed allocation exits
 * (lumpnet/alloc.h). O(len). */
LUMP_EXPORT lump_error_t lump_arr_alloc(lump_arr_t *a, lump_store_t store, size_t len) LUMP_WUR;

/* lump_arr_max_len -- the largest length lump_arr_alloc accepts (the cap
 * that keeps an absurd declared size from reaching malloc). O(1). */
LUMP_EXPORT size_t lump_arr_max_len(void);

/* lump_arr_get -- OUT = A[i], exactly. O(1) plus the size of the value. */
LUMP_EXPORT void lump_arr_get(mpq_t out, const lump_arr_t *a, size_t i);

/* lump_arr_get_d -- A[i] rounded to the nearest double. O(1) for F32, F64
 * and small Q entries. */
LUMP_EXPORT double lump_arr_get_d(const lump_arr_t *a, size_t i);

/* lump_arr_get_fr -- OUT = A[i] rounded in direction RND; returns MPFR's
 * ternary value (0 when exact). O(1) plus the size of the value. */
LUMP_EXPORT int lump_arr_get_fr(mpfr_t out, const lump_arr_t *a, size_t i, mpfr_rnd_t rnd);

/* lump_arr_sgn -- the sign of A[i] (-1, 0, +1). O(1). */
LUMP_EXPORT int lump_arr_sgn(const lump_arr_t *a, size_t i);

/* lump_arr_set -- A[i] = V exactly. When V does not fit A's storage, the
 * whole array is converted to Q storage first (O(len) once).
 * Fails only with LUMP_ENOMEM, when the converted array would exceed the
 * size limit (lump_arr_alloc). O(1) amortised otherwise. */
LUMP_EXPORT lump_error_t lump_arr_set(lump_arr_t *a, size_t i, const mpq_t v) LUMP_WUR;

/* lump_arr_set_f -- A[i] = V for a finite float V. A must be F32, F64 or Q
 * storage; Q and F64 store the float's exact value. O(1).
 * Requires: V finite (the caller reports NaN and infinity as bad input). */
LUMP_EXPORT lump_error_t lump_arr_set_f(lump_arr_t *a, size_t i, float v) LUMP_WUR;

/* lump_arr_set_d -- A[i] = V for a finite double V; an F32 array is
 * converted to F64 when V is not a binary32 value. O(1) amortised. */
LUMP_EXPORT lump_error_t lump_arr_set_d(lump_arr_t *a, size_t i, double v) LUMP_WUR;

/* lump_arr_copy -- DST = SRC (same storage and values). O(len). */
LUMP_EXPORT lump_error_t lump_arr_copy(lump_arr_t *dst, const lump_arr_t *src) LUMP_WUR;

/* lump_arr_equal -- 1 when A and B have the same length and equal values
 * (whatever their storage), else 0. O(len). */
LUMP_EXPORT int lump_arr_equal(const lump_arr_t *a, const lump_arr_t *b);

/* lump_arr_fits -- 1 when every value of A is exactly a binary32 value
 * (STORE F32) or binary64 value (STORE F64); else 0, and then *MAXERR (if
 * not NULL) receives the largest absolute rounding error to nearest, as a
 * double rounded up. O(len). */
LUMP_EXPORT int lump_arr_fits(const lump_arr_t *a, lump_store_t store, double *maxerr);

/* lump_rat_fits -- 1 when V is exactly a number of FIT (finite binary32
 * or binary64 value, subnormals included; a terminating decimal; any
 * rational for LUMP_FIT_ANY), else 0. O(size of V). */
LUMP_EXPORT int lump_rat_fits(const mpq_t v, lump_fit_t fit);

/* lump_arr_fits_type -- 1 when every value of A fits FIT (lump_rat_fits).
 * O(len), O(1) when A's storage already implies it. */
LUMP_EXPORT int lump_arr_fits_type(const lump_arr_t *a, lump_fit_t fit);

/* lump_arr_bytes -- heap bytes used by A (for memory reports). O(nbig). */
LUMP_EXPORT size_t lump_arr_bytes(const lump_arr_t *a);

#ifdef __cplusplus
}
#endif
#endif
