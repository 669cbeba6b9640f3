/* sort_i.h -- private to the library: the one deterministic sort of
 * (key, index) pairs that the partition finder, the relaxed lumping and
 * the pruning baseline share, instead of a comparator each */
#ifndef LUMPNET_SORT_I_H
#define LUMPNET_SORT_I_H

#include <stddef.h>
#include <stdint.h>

/* A key and the index it belongs to. The key is unsigned so that one type
 * serves hashes as they are and doubles through lump_i_key_of_double. */
typedef struct {
    uint64_t key;
    size_t v;
} lump_i_keyed_t;

/* lump_i_keyed_sort -- sort the N pairs of K by increasing key, ties by
 * increasing index: a total order, so the result does not depend on
 * qsort's instability and is the same on every machine. O(N log N). */
void lump_i_keyed_sort(lump_i_keyed_t *k, size_t n);

/* lump_i_key_of_double -- a key that orders as X does among the doubles
 * that are not NaN, -0 and +0 alike (both give the key of +0); its
 * complement orders them in decreasing order. The IEEE bits of a
 * non-negative double order as the double does, those of a negative one
 * in reverse, hence the sign bit set for the first and every bit flipped
 * for the second. O(1). */
uint64_t lump_i_key_of_double(double x);

#endif
