/* partition.h -- private: a layer's lumping as the next layer sees it, exact
 * per-block weight sums, and neuron signatures (partition*.c, quotient.c) */
#ifndef LUMPNET_EXACT_PARTITION_H
#define LUMPNET_EXACT_PARTITION_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/lump.h"
#include "lumpnet/rat.h"

/* How a neuron's scale c_u multiplies a weight on the fast (double) path. */
enum {
    LUMP_I_CM_ONE = 0, /* c_u = 1: the weight itself */
    LUMP_I_CM_D29,     /* a double of at most 29 significant bits and a
                          moderate exponent: times a binary32 weight, exact */
    LUMP_I_CM_D,       /* a double of moderate exponent: check with fma */
    LUMP_I_CM_Q        /* not a double: the exact path only */
};

/* A CONSTANT neuron of L_{i-1} and its value. */
typedef struct {
    size_t u; /* the neuron */
    int ok;   /* the value is a double of moderate exponent */
    double d; /* the value as a double (when ok) */
    mpq_t q;  /* the exact value */
} lump_i_const_t;

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
    lump_i_const_t *cv; /* nconst: the CONSTANT neurons */
} lump_i_side_t;

/* lump_i_side_init / _clear -- an empty side; free one (then empty). O(n). */
void lump_i_side_init(lump_i_side_t *s);
void lump_i_side_clear(lump_i_side_t *s);

/* lump_i_q_double -- *D = Q when Q is a double of moderate exponent (zero,
 * or magnitude in [2^-400, 2^400]), with *BITS its significant bits; returns
 * 0 otherwise. O(size of Q). */
int lump_i_q_double(double *d, int *bits, const mpq_t q);

/* lump_i_side_trivial -- S = N singleton blocks of scale 1 (the inputs, or
 * a layer known to be lumped trivially). O(1). */
void lump_i_side_trivial(lump_i_side_t *s, size_t n);

/* lump_i_side_from -- S = layer lumping LL seen from the next layer: its
 * KEEP blocks, its DEAD blocks too when WITH_DEAD, and its CONSTANT neurons.
 * O(n) rational operations. */
void lump_i_side_from(lump_i_side_t *s, const lump_layer_lumping_t *ll, int with_dead);

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

/* ---- signatures (partition_sig.c) ---------------------------------------- */

/* How a signature is normalised (DESIGN section 2, condition 4). */
enum { LUMP_I_NORM_NONE, LUMP_I_NORM_ABS, LUMP_I_NORM_SIGNED };

/* The signature of a neuron: b_eff and the non-zero scale-weighted sums
 * S(C) over the blocks C of the previous layer, in block order, with the
 * normaliser F (its first non-zero entry, absolute or signed, or 1). Held
 * either as exact doubles (FAST) or as rationals. */
typedef struct {
    size_t n, cap, qinit, qcap;
    size_t *k; /* block index (side numbering) of each sum */
    double *d; /* the sums, when FAST */
    mpq_t *q;  /* the sums, when not FAST (QINIT initialised entries) */
    int fast;
    double bd, fd;
    mpq_t bq, fq;
} lump_i_sig_t;

/* lump_i_sig_init / _clear -- an empty signature; free one. O(entries). */
void lump_i_sig_init(lump_i_sig_t *g);
void lump_i_sig_clear(lump_i_sig_t *g);

/* lump_i_sig_reserve -- room for CAP sums on the fast path (the rational
 * entries grow lazily). Cannot fail. O(cap). */
void lump_i_sig_reserve(lump_i_sig_t *g, size_t cap);

/* lump_i_sig_bias_q -- OUT = the signature's b_eff, exactly. O(1). */
void lump_i_sig_bias_q(mpq_t out, const lump_i_sig_t *g);

/* lump_i_norm_kind -- the LUMP_I_NORM_* of a neuron with activation A in
 * MODE: none when exact or not positively homogeneous (sigmoid, tanh),
 * absolute for ReLU and leaky ReLU, signed for identity. O(1). */
int lump_i_norm_kind(lump_mode_t mode, const lump_act_t *a);

/* lump_i_sig_compute -- G = the signature of neuron V of layer LR over the
 * side S, normalised by NORM (T is scratch): in double when every sum is
 * provably exact, else in mpq. G must have room for S->nb sums.
 * O(row) doubles, or O(row) rational operations. */
void lump_i_sig_compute(lump_i_sig_t *g, const lump_i_side_t *s, const lump_layer_t *lr, size_t v,
                        int norm, mpq_t t);

/* lump_i_sig_hash -- a hash of G and activation A that is a function of the
 * exact normalised values: each entry x / F is keyed by its correctly
 * rounded double (T, R scratch). O(entries), or O(entries) MPFR roundings
 * on the exact path. */
uint64_t lump_i_sig_hash(const lump_i_sig_t *g, const lump_act_t *a, mpq_t t, mpfr_t r);

/* lump_i_sig_verify -- does neuron A (signature A) lump onto representative
 * R, i.e. A / f_A == R / f_R exactly? Then C = its scale f_A / f_R (T1..T3
 * scratch). Same activation is the caller's check. O(entries), in double
 * with fma checks when possible, else rational operations. */
int lump_i_sig_verify(mpq_t c, const lump_i_sig_t *a, const lump_i_sig_t *r, mpq_t t1, mpq_t t2,
                      mpq_t t3);

#endif
