/* check_why_i.h -- private: the verdict and the message of the trusted
 * checkers (cert_check.c, box/stable_check.c): the first violation makes
 * the verdict false and says why */
#ifndef LUMPNET_EXACT_CHECK_WHY_I_H
#define LUMPNET_EXACT_CHECK_WHY_I_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/lump.h"

/* Both checkers are the trusted base, so this is trusted code too: it
 * formats messages and nothing else, and calls only the C library and
 * lump_rat_str. */
typedef struct {
    lump_verdict_t *valid;
    char *why; /* the message, WHYLEN bytes; may be NULL */
    size_t whylen;
    int failed;
    char num[4][128]; /* texts of rationals for the message */
} lump_i_why_t;

/* lump_i_why_init -- a check whose verdict goes to *VALID (false until
 * proven) and whose message goes to WHY (emptied). O(1). */
void lump_i_why_init(lump_i_why_t *w, lump_verdict_t *valid, char *why, size_t whylen);

/* lump_i_why_fail -- record a violation: *VALID = LUMP_FALSE and the
 * message FMT, ... in WHY. Returns 1, so that "if (bad) return fail(...)"
 * reads as the check it is. O(length of the message). */
int lump_i_why_fail(lump_i_why_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* lump_i_why_q -- the text of V for a message, in the buffer SLOT (0 to 3:
 * up to four numbers per message); a number too long for it is cut and
 * its length given. O(digits). */
const char *lump_i_why_q(lump_i_why_t *w, int slot, const mpq_t v);

#endif
