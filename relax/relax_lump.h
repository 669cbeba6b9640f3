/* relax_lump.h -- private to relax/: the metric and the centres of relaxed
 * (epsilon) lumping, shared by relax.c, calib.c, centre.c and prune.c */
#ifndef LUMPNET_RELAX_LUMP_H
#define LUMPNET_RELAX_LUMP_H

#include <stddef.h>
#include "lumpnet/relax.h"

/* lump_i_relax_dist -- sum_j MW[j] |X[j] - Y[j]| over D entries: the bound
 * on the pre-activation deviation over the box between two normalised
 * signatures (MW[j] = max |y_C| over the box for block C, 1 for the bias).
 * Stops early and returns a value > CAP once the partial sum exceeds CAP
 * (pass HUGE_VAL for the full sum). O(d). */
double lump_i_relax_dist(const double *x, const double *y, const double *mw, size_t d, double cap);

/* lump_i_relax_maxdev -- max over the K members MEM of AMP[v] *
 * dist(SH[v], C): the largest deviation of a member from the centre C, in
 * absolute pre-activation units. SH is row-major, D entries a row. O(k d). */
double lump_i_relax_maxdev(const double *c, const double *sh, const double *amp, const size_t *mem,
                           size_t k, const double *mw, size_t d);

/* lump_i_relax_centre -- C (D entries) = the centre of the block of the K
 * neurons MEM, whose normalised signatures are the rows of SH, with
 * amplitudes AMP (the factor that turns a normalised deviation into an
 * absolute one). LEADER (one of MEM) lies within EPS of every member.
 * LUMP_CENTRE_MEAN: the AMP-weighted mean, moved towards the leader by
 * bisection just far enough that every member lies within EPS.
 * LUMP_CENTRE_LP: the centre minimising the largest member deviation (a
 * small LP solved by GLPK), kept only when it is no worse than the mean
 * centre (GLPK works in floating point). *MAXDEV receives the largest
 * member deviation of the returned centre; it is <= EPS.
 * Time: O(k d) for the mean; one LP of O(k d) rows and columns. */
lump_error_t lump_i_relax_centre(double *c, double *maxdev, const double *sh, const double *amp,
                                 const size_t *mem, size_t k, size_t leader, const double *mw,
                                 size_t d, double eps, lump_centre_t how) LUMP_WUR;

/* One relaxed layer (relax.c and calib.c build them): its blocks in canonical order (by lowest
 * member) and the rows of the quotient (weights from the previous layer's kept blocks, bias last),
 * one per kept block. */
typedef struct {
    size_t n, nblk, nkeep, d;
    size_t *start, *mem;    /* block k: mem[start[k] .. start[k+1]), increasing */
    unsigned char *isconst; /* per block */
    double *value;          /* per block: the constant's value */
    double *scale;          /* per neuron: c_v */
    double *q;              /* nkeep rows of d entries */
    unsigned char *dead;    /* per kept block, from the backward pass */
} rlayer_t;

/* lump_i_rlayer_alloc -- R's sizes N (neurons) and D (entries of a
 * quotient row) and its arrays per neuron and per block, at most N blocks
 * (start, mem, isconst, value, scale; q and dead, which depend on the kept
 * blocks, are the caller's). O(n). */
void lump_i_rlayer_alloc(rlayer_t *r, size_t n, size_t d);

/* lump_i_rlayer_clear -- free the arrays of R and zero it. O(1). */
void lump_i_rlayer_clear(rlayer_t *r);

/* lump_i_relax_finish -- from the relaxed layers RL of NET (one per
 * layer): mark the kept blocks whose quotient weights into the next layer
 * are all zero as dead, then G = the network of the live kept blocks in
 * block order (float32 when NET is float32, else float64) and, when L is
 * not NULL, L = the blocks as a lumping. O(m). */
lump_error_t lump_i_relax_finish(lump_net_t *g, lump_lumping_t *L, const lump_net_t *net,
                                 rlayer_t *rl) LUMP_WUR;

/* lump_i_layer_fill_t -- fills the allocated-but-empty layer I of a
 * lumping (lump_layer_lumping_alloc is its first step) from CTX. */
typedef lump_error_t (*lump_i_layer_fill_t)(lump_layer_lumping_t *ll, const void *ctx, size_t i);

/* lump_i_relax_lumping -- L = the proportional lumping of NET's shape
 * whose layer i FILL(&layer, CTX, i) builds: the hand-built lumpings of
 * relax.c (its blocks) and prune.c (the pairing with the pruned copy). L
 * is replaced only on success; an error is prefixed with WHO. O(layers)
 * plus the calls of FILL. */
lump_error_t lump_i_relax_lumping(lump_lumping_t *L, const lump_net_t *net,
                                  lump_i_layer_fill_t fill, const void *ctx,
                                  const char *who) LUMP_WUR;

#endif
