/* json_support.h -- the one thin layer over jansson (private to the library) */
#ifndef LUMPNET_JSON_SUPPORT_H
#define LUMPNET_JSON_SUPPORT_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include <jansson.h>
#include "lumpnet/error.h"

/* Every jansson call of the library lives in json_support.c and in the two
 * files that build or walk a document through these helpers
 * (json_net_read.c, json_net_write.c, and later certificates and --json
 * reports). The helpers give every message the form
 *   NAME: layers[2].weights[5][17]: expected a string holding a rational,
 *   found a real number
 * so a reader never formats a place by hand. */

/* The place of a value inside a document, as a stack of segments. Pushing
 * and popping are O(1) and format nothing: the text is built only when an
 * error is reported, so walking a million weights costs no snprintf. */
#define LUMP_I_JPATH_MAX 16

typedef struct {
    const char *key; /* an object member, or NULL for an array index */
    size_t index;
} lump_i_jseg_t;

typedef struct {
    const char *name; /* the file name that prefixes every message */
    size_t depth;
    lump_i_jseg_t seg[LUMP_I_JPATH_MAX];
} lump_i_jpath_t;

/* lump_i_jpath_init -- the root of the document NAME. NAME is borrowed and
 * must outlive P. O(1). */
void lump_i_jpath_init(lump_i_jpath_t *p, const char *name);

/* lump_i_jpath_key / _index / _pop -- descend into member KEY (borrowed),
 * into element I, or go back up one level. Descending deeper than
 * LUMP_I_JPATH_MAX levels breaks the contract (abort). O(1). */
void lump_i_jpath_key(lump_i_jpath_t *p, const char *key);
void lump_i_jpath_index(lump_i_jpath_t *p, size_t i);
void lump_i_jpath_pop(lump_i_jpath_t *p);

/* lump_i_jpath_str -- the place of P as text ("layers[2].bias[0]", or
 * "top level" at the root) into BUF of SIZE bytes, truncated if needed.
 * Returns BUF. O(depth). */
char *lump_i_jpath_str(char *buf, size_t size, const lump_i_jpath_t *p);

/* lump_i_jpath_error -- record "NAME: PLACE: <message>" for CODE and
 * return CODE. O(length of the message). */
lump_error_t lump_i_jpath_error(const lump_i_jpath_t *p, lump_error_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* lump_i_jpath_prefix -- prepend "NAME: PLACE" to the current message (for
 * an error raised by a callee that does not know the place) and return
 * CODE. O(length of the message). */
lump_error_t lump_i_jpath_prefix(const lump_i_jpath_t *p, lump_error_t code);

/* lump_i_json_load -- parse BUF[0..len) into a new document (*OUT, to
 * json_decref). Duplicate keys are refused; nesting depth is bounded by
 * jansson's parser limit (JSON_PARSER_MAX_DEPTH), so a hostile file cannot
 * exhaust the stack. Errors: LUMP_EINPUT with
 * "NAME: line L, column C: <jansson's text>". O(len). */
lump_error_t lump_i_json_load(json_t **out, const char *buf, size_t len, const char *name) LUMP_WUR;

/* lump_i_json_dump -- write ROOT to F deterministically, with a trailing
 * newline: members in insertion order, two spaces of indentation per
 * level, and arrays or objects that hold only scalars on one line (so a
 * weight row is one line). Errors: LUMP_EIO when F refuses the bytes.
 * O(size of the document). */
lump_error_t lump_i_json_dump(FILE *f, const json_t *root) LUMP_WUR;

/* lump_i_json_type_name -- "an object", "an array", "a string", "an
 * integer", "a real number", "true", "false" or "null", for messages.
 * O(1). */
const char *lump_i_json_type_name(const json_t *v);

/* lump_i_json_expect_object -- LUMP_OK when V is an object, else the
 * error "expected an object, found <type>" at P. O(1). */
lump_error_t lump_i_json_expect_object(const lump_i_jpath_t *p, const json_t *v) LUMP_WUR;

/* lump_i_json_expect_array -- LUMP_OK and *LEN = its length when V is an
 * array, else an error at P. LEN may be NULL. O(1). */
lump_error_t lump_i_json_expect_array(size_t *len, const lump_i_jpath_t *p,
                                      const json_t *v) LUMP_WUR;

/* lump_i_json_expect_len -- V must be an array of exactly WANT elements;
 * WHAT says what the length should match ("the number of inputs"). O(1). */
lump_error_t lump_i_json_expect_len(const lump_i_jpath_t *p, const json_t *v, size_t want,
                                    const char *what) LUMP_WUR;

/* lump_i_json_check_keys -- every member of the object OBJ must be one of
 * the NULL-terminated list ALLOWED; else "unknown key "K" (expected one of
 * ...)" at P. O(members * allowed). */
lump_error_t lump_i_json_check_keys(const lump_i_jpath_t *p, const json_t *obj,
                                    const char *const *allowed) LUMP_WUR;

/* lump_i_json_expect_keys -- lump_i_json_expect_object, then
 * lump_i_json_check_keys with ALLOWED: the check that opens the reading
 * of every object of a format. O(members * allowed). */
lump_error_t lump_i_json_expect_keys(const lump_i_jpath_t *p, const json_t *obj,
                                     const char *const *allowed) LUMP_WUR;

/* lump_i_json_member -- *OUT = member KEY of the object OBJ, or NULL when
 * absent; absent and REQUIRED is the error "missing key "KEY"" at P.
 * O(1) expected. */
lump_error_t lump_i_json_member(json_t **out, const lump_i_jpath_t *p, const json_t *obj,
                                const char *key, int required) LUMP_WUR;

/* lump_i_json_get_string -- *OUT = the text of the string V (borrowed from
 * V) and *LEN its length. Anything else is an error at P. O(1). */
lump_error_t lump_i_json_get_string(const char **out, size_t *len, const lump_i_jpath_t *p,
                                    const json_t *v) LUMP_WUR;

/* lump_i_json_get_size -- *OUT = the integer V, which must lie in
 * [MIN, MAX]; WHAT names the quantity in messages ("the number of
 * inputs"). O(1). */
lump_error_t lump_i_json_get_size(size_t *out, const lump_i_jpath_t *p, const json_t *v, size_t min,
                                  size_t max, const char *what) LUMP_WUR;

/* lump_i_json_get_q -- OUT = the exact rational V holds: a string read by
 * lump_rat_parse ("-3/4", "0.125", "1e-3"), or a JSON integer. A JSON real
 * is refused with an explanation (the parser has already turned it into a
 * binary double, which cannot carry an exact decimal); NaN and infinity
 * strings, division by zero and absurd exponents are refused too. Errors
 * are LUMP_EINPUT at P. O(d^2) in the number d of digits. */
lump_error_t lump_i_json_get_q(mpq_t out, const lump_i_jpath_t *p, const json_t *v) LUMP_WUR;

/* lump_i_json_from_q -- a new JSON string holding lump_rat_str(V), the
 * canonical text that lump_i_json_get_q reads back as V exactly. O(d^2). */
json_t *lump_i_json_from_q(const mpq_t v);

/* lump_i_json_set_new -- OBJ[KEY] = VAL, stealing VAL (which may be NULL
 * after a failed constructor: json_string of a text that is not UTF-8,
 * json_real of a number that is not finite; memory cannot fail). Members
 * keep their insertion order, which is the order lump_i_json_dump writes.
 * LUMP_EINPUT for such a VAL or a KEY that is not UTF-8. O(1). */
lump_error_t lump_i_json_set_new(json_t *obj, const char *key, json_t *val) LUMP_WUR;

/* lump_i_json_set_take -- lump_i_json_set_new with *VAL, then *VAL =
 * NULL: the value belongs to OBJ (or is freed) whatever happens, so the
 * caller's cleanup path may json_decref(*VAL) either way. O(1). */
lump_error_t lump_i_json_set_take(json_t *obj, const char *key, json_t **val) LUMP_WUR;

/* lump_i_json_append_new -- append VAL (stolen, may be NULL) to the array
 * ARR. LUMP_EINPUT for a NULL VAL (see above). O(1) amortised. */
lump_error_t lump_i_json_append_new(json_t *arr, json_t *val) LUMP_WUR;

#endif
