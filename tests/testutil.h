/* testutil.h -- shared helpers of the cmocka test runners */
#ifndef LUMPNET_TESTUTIL_H
#define LUMPNET_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <gmp.h>
#include "lumpnet.h"

/* The random state of a runner. Its seed is LUMPNET_SEED from the
 * environment, else a fixed default; it is printed when a test fails
 * (through tu_seed_note) so that a failure can be replayed. */
extern gmp_randstate_t tu_rand;
unsigned long tu_seed(void);

/* tu_init -- seed tu_rand; call first in main(). */
void tu_init(void);

/* tu_data_path -- a path below the shared real-data folder (LUMPNET_DATA),
 * in a static buffer, or NULL when that file does not exist. */
const char *tu_data_path(const char *rel);

/* tu_tmp_path -- a fresh path in a per-runner temporary directory, in a
 * static ring of buffers (valid for a few calls). NAME gives the suffix. */
const char *tu_tmp_path(const char *name);

/* tu_src_path -- a file below the source tests/ folder (LUMPNET_TESTS, set
 * by make check; else the folder testutil.c was compiled from), in a
 * static buffer. */
const char *tu_src_path(const char *rel);

/* tu_slurp -- the whole file at PATH, NUL-terminated, to free(); fails the
 * test when it cannot be read. *LEN receives its length. */
char *tu_slurp(const char *path, size_t *len);

/* tu_q_is -- assert that V equals the fraction text REF ("p/q"), read by
 * GMP, independently of lumpnet's parser. */
void tu_q_is(const mpq_t v, const char *ref);

/* tu_rand_q -- OUT = a random rational with numerator in [-num_max, num_max]
 * and denominator in [1, den_max]. */
void tu_rand_q(mpq_t out, unsigned long num_max, unsigned long den_max);

/* tu_ok -- assert that an lumpnet call succeeded, printing its message and
 * the seed when not. */
#define tu_ok(expr)                                                           \
    do {                                                                      \
        lump_error_t tu_e_ = (expr);                                          \
        if (tu_e_ != LUMP_OK)                                                 \
            fail_msg("%s failed (%d): %s [seed %lu]", #expr, (int)tu_e_,      \
                     lump_error_message(), tu_seed());                        \
    } while (0)

/* tu_fails -- assert that a call failed with CODE and that its message
 * contains NEEDLE. */
#define tu_fails(expr, code, needle)                                          \
    do {                                                                      \
        lump_error_t tu_e_ = (expr);                                          \
        if (tu_e_ != (code))                                                  \
            fail_msg("%s returned %d, expected %d: %s", #expr, (int)tu_e_,    \
                     (int)(code), lump_error_message());                      \
        if (strstr(lump_error_message(), (needle)) == NULL)                   \
            fail_msg("message of %s lacks \"%s\": %s", #expr, (needle),       \
                     lump_error_message());                                   \
    } while (0)

#endif
