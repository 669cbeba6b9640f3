/* tol_search_i.h -- private pieces of the tolerance finder (bound/tol_*.c) */
#ifndef LUMPNET_TOL_SEARCH_I_H
#define LUMPNET_TOL_SEARCH_I_H

#include <stddef.h>
#include "lumpnet/net.h"

/* A network in doubles (weights rounded to nearest) for the witness
 * search: forward passes and input gradients of one output. A heuristic:
 * every value it finds is confirmed by exact evaluation before use. */
typedef struct {
    const lump_net_t *net;
    double **w, **b;         /* per layer, row-major like lump_layer_t */
    const lump_act_t **act;  /* per neuron, all layers in order */
    double *clo, *chi;       /* clip (NULL when none) */
    double *mean, *range;    /* normalisation (NULL when none) */
    double *oscale, *oshift; /* output map (NULL when none) */
    size_t neurons, width;   /* hidden plus output neurons; widest layer or input */
} lump_i_tnet_t;

/* lump_i_tnet_init -- prepare NET (borrowed). O(weights). */
void lump_i_tnet_init(lump_i_tnet_t *t, const lump_net_t *net);
void lump_i_tnet_clear(lump_i_tnet_t *t);

/* lump_i_tnet_scratch -- the number of doubles of scratch _eval and _grad
 * need. O(1). */
size_t lump_i_tnet_scratch(const lump_i_tnet_t *t);

/* lump_i_tnet_eval -- OUT (every output) at X. O(weights). */
void lump_i_tnet_eval(const lump_i_tnet_t *t, const double *x, double *out, double *scratch);

/* lump_i_tnet_grad -- G += SIGN * d f_j / dx at X (the derivative of the
 * activation pattern at X: exact for piecewise-linear networks off the
 * kinks); returns f_j(X). O(weights). */
double lump_i_tnet_grad(const lump_i_tnet_t *t, const double *x, size_t j, double sign, double *g,
                        double *scratch);

#endif
