/* box_inline.c -- input boxes: lifetime, inline "l:u,..." lists, dispatch */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"
#include "lumpnet/rat.h"
#include "lumpnet/box.h"
#include "alloc_i.h"

/* lump_box_init -- an empty box. O(1). */
void lump_box_init(lump_box_t *box)
{
    box->n = 0;
    box->lo = NULL;
    box->hi = NULL;
}

/* lump_box_clear -- free the bounds of BOX and leave it empty. O(n). */
void lump_box_clear(lump_box_t *box)
{
    size_t i;
    for (i = 0; i < box->n; i++) {
        mpq_clear(box->lo[i]);
        mpq_clear(box->hi[i]);
    }
    free(box->lo);
    free(box->hi);
    lump_box_init(box);
}

/* lump_box_alloc -- resize BOX to N dimensions with bounds 0 (old bounds are
 * dropped). N is capped like array lengths (lump_arr_max_len) so that an
 * absurd dimension fails with LUMP_ENOMEM instead of reaching malloc.
 * O(n). */
lump_error_t lump_box_alloc(lump_box_t *box, size_t n)
{
    mpq_t *lo = NULL, *hi = NULL;
    size_t i;
    lump_require(box != NULL, "lump_box_alloc");
    if (n > lump_arr_max_len() || n > SIZE_MAX / sizeof(mpq_t))
        return lump_error_set(LUMP_ENOMEM, "box: %zu dimensions exceed the size limit", n);
    if (n > 0) {
        lo = lump_alloc_array(n, sizeof *lo);
        hi = lump_alloc_array(n, sizeof *hi);
        for (i = 0; i < n; i++) {
            mpq_init(lo[i]);
            mpq_init(hi[i]);
        }
    }
    lump_box_clear(box);
    box->n = n;
    box->lo = lo;
    box->hi = hi;
    return LUMP_OK;
}

/* The number S[a..b) without its surrounding blanks into Q, as
 * lump_rat_parse reads it. */
static lump_error_t parse_trimmed(mpq_t q, const char *s, size_t a, size_t b)
{
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    return lump_rat_parse(q, s + a, b - a);
}

/* parse_interval -- "l:u" in S[0..len) into LO, HI; ENTRY (1-based) names
 * it in messages. */
static lump_error_t parse_interval(mpq_t lo, mpq_t hi, const char *s, size_t len, size_t entry)
{
    const char *colon = memchr(s, ':', len);
    char *ls, *us;
    if (colon == NULL)
        return lump_error_set(LUMP_EINPUT, "box: entry %zu: \"%.*s\" is not an interval l:u",
                              entry, (int)(len > 60 ? 60 : len), s);
    if (parse_trimmed(lo, s, 0, (size_t)(colon - s)) != LUMP_OK)
        return lump_error_prefix(LUMP_EINPUT, "box: entry %zu: lower bound", entry);
    if (parse_trimmed(hi, s, (size_t)(colon - s) + 1, len) != LUMP_OK)
        return lump_error_prefix(LUMP_EINPUT, "box: entry %zu: upper bound", entry);
    if (mpq_cmp(lo, hi) > 0) {
        ls = lump_rat_str(lo);
        us = lump_rat_str(hi);
        lump_error_set(LUMP_EINPUT, "box: entry %zu: lower bound %s exceeds upper bound %s", entry,
                       ls, us);
        free(ls);
        free(us);
        return LUMP_EINPUT;
    }
    return LUMP_OK;
}

/* lump_box_parse_inline -- read "l:u,l:u,..." (one interval per input) or
 * a single "l:u" for each of the N inputs (with N = 0, a single interval is
 * a box of dimension 1). Numbers are decimals or p/q. Refuses l > u, a
 * count different from N when N > 0 (naming both counts) and malformed
 * numbers, with LUMP_EINPUT. BOX is replaced only on success.
 * Complexity: O(length of S) plus the cost of the numbers. */
lump_error_t lump_box_parse_inline(lump_box_t *box, const char *s, size_t n)
{
    lump_error_t err = LUMP_OK;
    lump_box_t tmp;
    size_t count = 1, len, i, pos, dim;
    lump_require(box != NULL && s != NULL, "lump_box_parse_inline");
    lump_box_init(&tmp);
    len = strlen(s);
    if (len == 0)
        return lump_error_set(LUMP_EINPUT, "box: empty (expected l:u or l:u,l:u,...)");
    for (i = 0; i < len; i++)
        count += s[i] == ',';
    if (count > 1 && n > 0 && count != n)
        return lump_error_set(LUMP_EINPUT, "box: %zu intervals given, the network has %zu inputs",
                              count, n);
    dim = count == 1 && n > 0 ? n : count;
    LUMP_CHECK(lump_box_alloc(&tmp, dim));
    for (i = 0, pos = 0; i < count; i++) {
        const char *comma = memchr(s + pos, ',', len - pos);
        size_t end = comma != NULL ? (size_t)(comma - s) : len;
        LUMP_CHECK(parse_interval(tmp.lo[i], tmp.hi[i], s + pos, end - pos, i + 1));
        pos = end + 1;
    }
    for (i = count; i < dim; i++) {
        mpq_set(tmp.lo[i], tmp.lo[0]);
        mpq_set(tmp.hi[i], tmp.hi[0]);
    }
    lump_box_clear(box);
    *box = tmp;
    return LUMP_OK;
cleanup:
    lump_box_clear(&tmp);
    return err;
}

/* ends_with -- 1 when S ends in SUFFIX. */
static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* lump_box_parse -- a BOX argument of the command line: a path ending in
 * ".vnnlib" is read as a VNN-LIB file, anything else as an inline box for
 * N inputs. When N > 0 the dimension must be N. BOX is replaced only on
 * success. Complexity: O(length of ARG or of the file). */
lump_error_t lump_box_parse(lump_box_t *box, const char *arg, size_t n)
{
    lump_error_t err = LUMP_OK;
    lump_box_t tmp;
    lump_require(box != NULL && arg != NULL, "lump_box_parse");
    if (!ends_with(arg, ".vnnlib"))
        return lump_box_parse_inline(box, arg, n);
    lump_box_init(&tmp);
    LUMP_CHECK(lump_box_read_vnnlib(&tmp, arg));
    if (n > 0 && tmp.n != n) {
        err = lump_error_set(LUMP_EINPUT, "%s: the box has %zu inputs, the network has %zu",
                             arg, tmp.n, n);
        goto cleanup;
    }
    lump_box_clear(box);
    *box = tmp;
    return LUMP_OK;
cleanup:
    lump_box_clear(&tmp);
    return err;
}
