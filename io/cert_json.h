/* cert_json.h -- the JSON plumbing the versioned formats share (the
 * certificates, and the header of lumpnet-net networks): the
 * versioned header, a name out of a list, required members read in one
 * call, arrays of rationals (private to the library; used by io/,
 * exact/ and box/) */
#ifndef LUMPNET_CERT_JSON_H
#define LUMPNET_CERT_JSON_H

#include <stddef.h>
#include <gmp.h>
#include <jansson.h>
#include "json_support.h"

/* Every certificate (lumping, equivalence, box) is an object that starts
 * with "format" and "version" and spells its enumerations as strings;
 * the readers only check the shape (the checkers judge the claims).
 * These helpers give those checks one wording, so the three readers
 * report a wrong format, version or name the same way. */

/* lump_i_json_read_header -- ROOT must be an object whose keys are among
 * the NULL-terminated list KEYS, whose "format" is the string FORMAT
 * (else "is "X", expected "FORMAT"") and whose "version" is an integer in
 * [VMIN, VMAX] (WHAT names it in the message). *VERSION = the version
 * (VERSION may be NULL). Errors: LUMP_EINPUT at P. O(keys). */
lump_error_t lump_i_json_read_header(size_t *version, lump_i_jpath_t *p, const json_t *root,
                                     const char *const *keys, const char *format, size_t vmin,
                                     size_t vmax, const char *what) LUMP_WUR;

/* lump_i_json_format_is -- 1 when BUF[0..LEN) is JSON whose "format" is
 * FORMAT, else 0 (how a command tells the kinds of certificates apart).
 * O(LEN). */
int lump_i_json_format_is(const char *buf, size_t len, const char *format);

/* lump_i_json_set_header -- ROOT["format"] = FORMAT, ROOT["version"] =
 * VERSION, in this order (the first members of a certificate).
 * Errors: LUMP_ENOMEM. O(1). */
lump_error_t lump_i_json_set_header(json_t *root, const char *format, int version) LUMP_WUR;

/* lump_i_json_get_name -- *OUT = the index of the string V in the
 * NULL-terminated list NAMES (compared with V's length, so an embedded
 * NUL never matches); anything else is the error "is "X", expected "A",
 * "B" or "C"" at P. O(names). */
lump_error_t lump_i_json_get_name(size_t *out, const lump_i_jpath_t *p, const json_t *v,
                                  const char *const *names) LUMP_WUR;

/* lump_i_json_key_size / lump_i_json_key_q -- the required member KEY of
 * the object OBJ, read as lump_i_json_get_size (in [MIN, MAX], WHAT for
 * messages) or lump_i_json_get_q read it; a missing key is reported at
 * P, a bad value at P.KEY. O(1), and O(d^2) for d digits. */
lump_error_t lump_i_json_key_size(size_t *out, lump_i_jpath_t *p, const json_t *obj,
                                  const char *key, size_t min, size_t max,
                                  const char *what) LUMP_WUR;
lump_error_t lump_i_json_key_q(mpq_t out, lump_i_jpath_t *p, const json_t *obj,
                               const char *key) LUMP_WUR;

/* lump_i_json_get_q_array -- V must be an array of exactly N rationals
 * (WHAT says what N counts); they go to the initialised OUT[0..N).
 * Errors: LUMP_EINPUT at P or at the element. O(N d^2). */
lump_error_t lump_i_json_get_q_array(mpq_t *out, lump_i_jpath_t *p, const json_t *v, size_t n,
                                     const char *what) LUMP_WUR;

/* lump_i_json_from_q_array -- a new JSON array of the canonical texts of
 * V[0..N); NULL when out of memory. O(N d^2). */
json_t *lump_i_json_from_q_array(mpq_t *const v, size_t n);

#endif
