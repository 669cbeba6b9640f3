/* net_iface.c -- the interface of a network's source file (names, shapes,
 * element type), carried so that a written file keeps it */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/net.h"
#include "alloc_i.h"

static char *dup_str(const char *s)
{
    size_t n;
    char *d;
    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    d = lump_alloc(n);
    memcpy(d, s, n);
    return d;
}

static void tensor_dup(lump_iface_tensor_t *d, const lump_iface_tensor_t *s)
{
    *d = *s;
    d->name = dup_str(s->name);
    d->dim = lump_alloc_array(s->rank + 1, sizeof *d->dim);
    d->dim_param = lump_alloc_zero(s->rank + 1, sizeof *d->dim_param);
    for (size_t i = 0; i < s->rank; i++) {
        d->dim[i] = s->dim[i];
        d->dim_param[i] = dup_str(s->dim_param[i]);
    }
}

static void tensor_free(lump_iface_tensor_t *t)
{
    free(t->name);
    for (size_t i = 0; t->dim_param != NULL && i < t->rank; i++)
        free(t->dim_param[i]);
    free(t->dim_param);
    free(t->dim);
}

/* lump_iface_dup -- see net.h. */
lump_iface_t *lump_iface_dup(const lump_iface_t *src)
{
    lump_iface_t *d;
    if (src == NULL)
        return NULL;
    d = lump_alloc_zero(1, sizeof *d);
    tensor_dup(&d->in, &src->in);
    tensor_dup(&d->out, &src->out);
    return d;
}

/* lump_iface_free -- see net.h. */
void lump_iface_free(lump_iface_t *iface)
{
    if (iface == NULL)
        return;
    tensor_free(&iface->in);
    tensor_free(&iface->out);
    free(iface);
}
