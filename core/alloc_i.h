/* alloc_i.h -- private to the library: the one allocator, which exits
 * cleanly when memory runs out (see docs/architecture.md, "Out of memory") */
#ifndef LUMPNET_ALLOC_I_H
#define LUMPNET_ALLOC_I_H

#include <stddef.h>

/* lump_alloc -- N bytes (at least one), never NULL: when the system refuses,
 * the process leaves through the out-of-memory exit (pending output files
 * removed, one message, exit code 2), as GMP's allocations already do.
 * O(1) plus malloc. */
void *lump_alloc(size_t n);

/* lump_alloc_array -- COUNT elements of SIZE bytes, uninitialised; a
 * product that overflows size_t is an out-of-memory exit. O(1) plus
 * malloc. */
void *lump_alloc_array(size_t count, size_t size);

/* lump_alloc_zero -- COUNT zeroed elements of SIZE bytes (calloc), never
 * NULL. O(COUNT * SIZE). */
void *lump_alloc_zero(size_t count, size_t size);

/* lump_realloc_array -- P resized to COUNT elements of SIZE bytes, never
 * NULL; P may be NULL. O(COUNT * SIZE) in the worst case. */
void *lump_realloc_array(void *p, size_t count, size_t size);

/* lump_strdup -- a copy of S, never NULL. O(strlen(S)). */
char *lump_strdup(const char *s);

/* lump_i_out_of_memory -- leave the process: remove pending output files,
 * print one message naming the file being written and the request of N
 * bytes, exit code 2. Async-signal-safe apart from the message formatting,
 * which uses no heap. Never returns. */
void lump_i_out_of_memory(size_t n) __attribute__((noreturn));

#endif
