/* qvec_i.h -- private to the library: arrays of exact rationals made and
 * freed in one call (the scratch vectors of the exact modules) */
#ifndef LUMPNET_QVEC_I_H
#define LUMPNET_QVEC_I_H

#include <stddef.h>
#include <gmp.h>

/* lump_i_qvec_free -- mpq_clear V[0..N), then free V; a NULL V is
 * nothing to free (N is then ignored), so a cleanup path may call it
 * whether or not the vector was made. O(N). */
void lump_i_qvec_free(mpq_t *v, size_t n);

#endif
