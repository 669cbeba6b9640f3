/* grow_i.h -- private to the library: the growth step of the arrays that
 * take one element at a time (search nodes, heaps, stacks, result rows) */
#ifndef LUMPNET_GROW_I_H
#define LUMPNET_GROW_I_H

#include <stddef.h>
#include "lumpnet/alloc.h"

/* lump_i_grow -- P, an array of *CAP elements of SIZE bytes of which N
 * are in use, with room for at least one more: when full, reallocated to
 * twice its capacity (FIRST elements when it has none) and *CAP updated.
 * The new elements are uninitialised. Amortised O(1) per element; out of
 * memory is lump_realloc_array's exit. */
static inline void *lump_i_grow(void *p, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return p;
    *cap = *cap > 0 ? 2 * *cap : first;
    return lump_realloc_array(p, *cap, size);
}

#endif
