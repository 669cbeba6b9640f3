/* lumpnet/rat.h -- reading and writing exact rationals as text */
#ifndef LUMPNET_RAT_H
#define LUMPNET_RAT_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest decimal exponent, and the most digits, a number in a file may
 * have. Larger ones are refused before GMP is asked to build them. */
#define LUMP_RAT_MAX_EXP 4000
#define LUMP_RAT_MAX_DIGITS 4000

/* lump_rat_parse -- OUT = the exact value of the text S[0..len): an integer,
 * a decimal with optional exponent ("-1.25e-3", ".5", "3."), or "p/q" with
 * integers p and q != 0 (a sign may lead). No spaces, no "inf"/"nan".
 * On failure returns LUMP_EINPUT with a message that describes the problem
 * (without file or place: the caller prefixes them).
 * Complexity: O(d^2) in the number d of digits, O(d) for d <= 18. */
LUMP_EXPORT lump_error_t lump_rat_parse(mpq_t out, const char *s, size_t len) LUMP_WUR;

/* lump_rat_parse_cstr -- lump_rat_parse on a NUL-terminated string. */
LUMP_EXPORT lump_error_t lump_rat_parse_cstr(mpq_t out, const char *s) LUMP_WUR;

/* lump_rat_str -- the canonical text of V, a new string to free(): an
 * integer, else a terminating decimal when it is at most 6 characters
 * longer than "p/q" (0.125 rather than 1/8, but 13421773/134217728 rather
 * than a 27-digit expansion), else "p/q". Values whose decimal form would
 * exceed the parser's digit cap are written as "p/q" (an integer as "p/1"),
 * so that reading the text back with lump_rat_parse always gives V exactly;
 * the same V always gives the same text. Never NULL.
 * Complexity: O(d^2) in the number of digits of V. */
LUMP_EXPORT char *lump_rat_str(const mpq_t v);

/* lump_rat_str_frac -- "p/q" or "p" (mpq_get_str form), to free(). */
LUMP_EXPORT char *lump_rat_str_frac(const mpq_t v);

/* lump_rat_decimal_str -- the exact terminating decimal of V, to free(), or
 * NULL when V's denominator has a prime factor other than 2 and 5.
 * Complexity: O(d^2). */
LUMP_EXPORT char *lump_rat_decimal_str(const mpq_t v);

/* lump_rat_set_d -- OUT = the exact value of the finite double D. O(1). */
LUMP_EXPORT void lump_rat_set_d(mpq_t out, double d);

/* lump_rat_vec_new -- N rationals, each initialised to 0, to release with
 * lump_rat_vec_free (N may be 0: a valid pointer still). Aborts when out
 * of memory, as lump_alloc_array. O(n). */
LUMP_EXPORT mpq_t *lump_rat_vec_new(size_t n);

/* lump_rat_vec_free -- clear the N initialised entries of V and free it
 * (V may be NULL). O(n). */
LUMP_EXPORT void lump_rat_vec_free(mpq_t *v, size_t n);

/* lump_rat_get_d -- Q rounded to the nearest double (mpq_get_d truncates
 * towards zero). O(size of Q). */
LUMP_EXPORT double lump_rat_get_d(const mpq_t q);

#ifdef __cplusplus
}
#endif
#endif
