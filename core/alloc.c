/* alloc.c -- the one allocator: every library allocation either succeeds
 * or leaves the process through the out-of-memory exit */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "alloc_i.h"

/* One policy for every allocation (docs/architecture.md, "Out of memory"):
 * GMP cannot report a failed allocation, so its hooks already exit; the
 * library's own allocations exit the same way instead of returning an
 * error through hundreds of paths that no test could reach. */

void *lump_alloc(size_t n)
{
    void *p = malloc(n > 0 ? n : 1);
    if (p == NULL)
        lump_i_out_of_memory(n);
    return p;
}

void *lump_alloc_array(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        lump_i_out_of_memory(SIZE_MAX);
    return lump_alloc(count * size);
}

void *lump_alloc_zero(size_t count, size_t size)
{
    void *p;
    if (size != 0 && count > SIZE_MAX / size)
        lump_i_out_of_memory(SIZE_MAX);
    p = calloc(count > 0 ? count : 1, size > 0 ? size : 1);
    if (p == NULL)
        lump_i_out_of_memory(count * size);
    return p;
}

void *lump_realloc_array(void *p, size_t count, size_t size)
{
    void *q;
    size_t n;
    if (size != 0 && count > SIZE_MAX / size)
        lump_i_out_of_memory(SIZE_MAX);
    n = count * size;
    q = realloc(p, n > 0 ? n : 1);
    if (q == NULL)
        lump_i_out_of_memory(n);
    return q;
}

char *lump_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = lump_alloc(n);
    memcpy(c, s, n);
    return c;
}

/* lump_i_free_each -- see alloc_i.h. */
void lump_i_free_each(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}
