/* partition.h -- private: a layer's lumping as the next layer sees it, and
 * exact per-block weight sums (shared by partition.c and quotient.c) */
#ifndef LUMPNET_EXACT_PARTITION_H
#define LUMPNET_EXACT_PARTITION_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/lump.h"

/* How a neuron's scale c_u multiplies a weight on the fast (double) path. */
enum {
    LUMP_I_CM_ONE = 0, /* c_u = 1: the weight itself */
    LUMP_I_CM_D29,     /* a double of at most 29 significant bits and a
                          moderate exponent: times a binary32 weight, exact */
    LUMP_I_CM_D,       /* a double of moderate exponent: check with fma */
    LUMP_I_CM_Q        /* not a double: the exact path only */
};

/* Layer L_{i-1} seen from layer L_i: its blocks that enter the sums of
 * condition 3 (SUMS), in block order, with their members and scales, and
 * its CONSTANT neurons, whose values fold into the biases. The inputs are
 * the TRIVIAL case: n singletons of scale 1 and no constants, and then no
 * array is allocated. */
typedef struct {
    size_t n;      /* neurons of L_{i-1} */
    size_t nb;     /* blocks in the sums */
    int trivial;   /* block k is neuron k with scale 1; no constants */
    size_t *blk;   /* nb: the block's index in the layer's lumping */
    size_t *start; /* nb + 1: block k has members mem[start[k]..start[k+1]) */
    size_t *mem;
    unsigned char *cm; /* n: LUMP_I_CM_* of each neuron's scale */
    double *cd;        /* n: the scale as a double (when cm != CM_Q) */
    mpq_t *cq;         /* n: the exact scale */
    size_t nconst;
    size_t *cu;  /* nconst: the CONSTANT neurons */
    int *cvok;   /* nconst: value is a double of moderate exponent */
    double *cvd; /* nconst: the value as a double (when cvok) */
    mpq_t *cvq;  /* nconst: the exact value */
} lump_i_side_t;

void lump_i_side_init(lump_i_side_t *s);
void lump_i_side_clear(lump_i_side_t *s);

/* lump_i_side_trivial -- S = N singleton blocks of scale 1 (the inputs, or
 * a layer known to be lumped trivially). O(1). */
void lump_i_side_trivial(lump_i_side_t *s, size_t n);

/* lump_i_side_from -- S = layer lumping LL seen from the next layer: its
 * KEEP blocks, its DEAD blocks too when WITH_DEAD, and its CONSTANT neurons.
 * O(n) rational operations. */
lump_error_t lump_i_side_from(lump_i_side_t *s, const lump_layer_lumping_t *ll,
                              int with_dead) LUMP_WUR;

/* lump_i_sum_d -- *OUT = sum_{u in block K of S} c_u w(u, V) of layer LR
 * (whose inputs S describes), computed in double, when that is provably
 * exact; returns 1 then, else 0 (Q storage, a scale that is not a double,
 * or a rounding error somewhere). O(|block|). */
int lump_i_sum_d(double *out, const lump_i_side_t *s, const lump_layer_t *lr, size_t v, size_t k);

/* lump_i_sum_q -- OUT = the same sum in exact rationals (T is scratch).
 * O(|block|) rational operations. */
void lump_i_sum_q(mpq_t out, mpq_t t, const lump_i_side_t *s, const lump_layer_t *lr, size_t v,
                  size_t k);

/* lump_i_beff_d / _q -- b_eff of neuron V: its bias plus the folded values
 * of the CONSTANT neurons of S; the double version returns 0 when it cannot
 * be computed exactly in double. O(constants). */
int lump_i_beff_d(double *out, const lump_i_side_t *s, const lump_layer_t *lr, size_t v);
void lump_i_beff_q(mpq_t out, mpq_t t, const lump_i_side_t *s, const lump_layer_t *lr, size_t v);

#endif
