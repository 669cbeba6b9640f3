/* qvec.c -- arrays of exact rationals freed in one call */
#include <stdlib.h>
#include "qvec_i.h"

/* lump_i_qvec_free -- see qvec_i.h. */
void lump_i_qvec_free(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        mpq_clear(v[k]);
    free(v);
}
