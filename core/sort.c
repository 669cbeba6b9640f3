/* sort.c -- the deterministic sort of (key, index) pairs (see sort_i.h) */
#include <stdlib.h>
#include <string.h>
#include "sort_i.h"

static int by_key_then_index(const void *pa, const void *pb)
{
    const lump_i_keyed_t *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->v > b->v) - (a->v < b->v);
}

/* lump_i_keyed_sort -- see sort_i.h. */
void lump_i_keyed_sort(lump_i_keyed_t *k, size_t n)
{
    qsort(k, n, sizeof *k, by_key_then_index);
}

/* lump_i_key_of_double -- see sort_i.h. */
uint64_t lump_i_key_of_double(double x)
{
    uint64_t u;
    if (x == 0)
        x = 0; /* -0 compares equal to +0, so it takes the same key */
    memcpy(&u, &x, sizeof u);
    return u >> 63 ? ~u : u | UINT64_C(1) << 63;
}
