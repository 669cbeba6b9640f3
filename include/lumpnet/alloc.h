/* lumpnet/alloc.h -- the one allocator, which never returns NULL: when the
 * system refuses, the process leaves through the out-of-memory exit (see
 * docs/architecture.md, "Out of memory") */
#ifndef LUMPNET_ALLOC_H
#define LUMPNET_ALLOC_H

#include <stddef.h>
#include "lumpnet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every allocation of the library and of the lumpnet program goes through
 * these. Exported so that the program, which links the shared library,
 * allocates the same way; free the results with free(). */

/* lump_alloc -- N bytes (at least one), never NULL: when the system refuses,
 * the process leaves through the out-of-memory exit (pending output files
 * removed, one message, exit code 2), as GMP's allocations already do.
 * O(1) plus malloc. */
LUMP_EXPORT void *lump_alloc(size_t n);

/* lump_alloc_array -- COUNT elements of SIZE bytes, uninitialised; a
 * product that overflows size_t is an out-of-memory exit. O(1) plus
 * malloc. */
LUMP_EXPORT void *lump_alloc_array(size_t count, size_t size);

/* lump_alloc_zero -- COUNT zeroed elements of SIZE bytes (calloc), never
 * NULL. O(COUNT * SIZE). */
LUMP_EXPORT void *lump_alloc_zero(size_t count, size_t size);

/* lump_realloc_array -- P resized to COUNT elements of SIZE bytes, never
 * NULL; P may be NULL. O(COUNT * SIZE) in the worst case. */
LUMP_EXPORT void *lump_realloc_array(void *p, size_t count, size_t size);

/* lump_strdup -- a copy of S, never NULL. O(strlen(S)). */
LUMP_EXPORT char *lump_strdup(const char *s);

#ifdef __cplusplus
}
#endif

#endif
