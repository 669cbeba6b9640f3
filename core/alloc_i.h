/* alloc_i.h -- private to the library: the one allocator (declared in
 * lumpnet/alloc.h) and its out-of-memory exit (see docs/architecture.md,
 * "Out of memory") */
#ifndef LUMPNET_ALLOC_I_H
#define LUMPNET_ALLOC_I_H

#include <stddef.h>
#include "lumpnet/alloc.h"

/* lump_i_out_of_memory -- leave the process: remove pending output files,
 * print one message naming the file being written and the request of N
 * bytes, exit code 2. Async-signal-safe apart from the message formatting,
 * which uses no heap. Never returns. */
void lump_i_out_of_memory(size_t n) __attribute__((noreturn));

/* lump_i_memory_reading -- name PATH (kept, not copied; NULL: none) as the
 * input being read in the out-of-memory message, until the next call.
 * O(1). */
void lump_i_memory_reading(const char *path);

/* lump_i_memory_name -- the name given to lump_memory_name (the CLI's
 * flag), or NULL: messages about the limit quote it when set. O(1). */
const char *lump_i_memory_name(void);

/* lump_i_free_each -- free(P[0]), ..., free(P[N - 1]). O(N). */
void lump_i_free_each(void *const *p, size_t n);

/* LUMP_FREE_ALL(a, b, ...) -- free every pointer named (NULL ones too, as
 * free does): the many arrays of a scratch structure in one statement
 * rather than a column of free() calls per structure. The arguments are
 * evaluated once (the sizeof operand is not evaluated). */
#define LUMP_FREE_ALL(...)                                                                         \
    lump_i_free_each((void *const[]){__VA_ARGS__},                                                 \
                     sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

#endif
