/* lp_model.h -- an LP kept with its exact rational data next to the double
 * copy GLPK solves, and the rigorous weak-duality bound (private to
 * relax/) */
#ifndef LUMPNET_LP_MODEL_H
#define LUMPNET_LP_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include "lumpnet/arr.h"
#include "lumpnet/net.h"
#include "glpk_support.h"

#define LUMP_I_NOCOL SIZE_MAX

/* One matrix entry. Its exact value is, by kind, the double D, the array
 * entry ARR[IDX] or the rational Q, negated when NEG. */
typedef struct {
    size_t col;
    const lump_arr_t *arr;
    size_t idx;
    mpq_srcptr q;
    double d;
    int neg;
} lump_i_ent_t;

/* Rows lo_i <= a_i x <= hi_i (exact rational sides, either may be
 * infinite) over columns with double bounds, which are exact data too:
 * the relaxation is the LP with exactly these numbers. */
typedef struct {
    size_t ncols, capcols;
    double *clo, *chi;
    size_t nrows, caprows;
    size_t *rstart; /* entries of row i: e[rstart[i] .. rstart[i+1]) */
    mpq_t *rlo, *rhi;
    unsigned char *lo_inf, *hi_inf;
    lump_i_ent_t *e;
    size_t ne, cape;
    int open; /* a row is being built */
} lump_i_model_t;

void lump_i_model_init(lump_i_model_t *m);
void lump_i_model_clear(lump_i_model_t *m);

/* lump_i_model_col -- a new column with bounds [lo, hi]; its index in
 * *COL. O(1) amortised. */
void lump_i_model_col(lump_i_model_t *m, double lo, double hi, size_t *col);

/* Building a row: begin, add entries, end with its sides (NULL = infinite). */
void lump_i_model_row_begin(lump_i_model_t *m);
void lump_i_model_ent_d(lump_i_model_t *m, size_t col, double d);
void lump_i_model_ent_arr(lump_i_model_t *m, size_t col, const lump_arr_t *a, size_t idx, int neg);
void lump_i_model_ent_q(lump_i_model_t *m, size_t col, mpq_srcptr q, int neg);
void lump_i_model_row_end(lump_i_model_t *m, mpq_srcptr lo, mpq_srcptr hi);

/* lump_i_model_def_row -- the exact row  z - sum_u w(u,v) y_u = b_v  of
 * neuron V of layer L, with the exact weights: ZC its z column, PREV[u]
 * the columns of the previous layer (LUMP_I_NOCOL: a y that is 0 on the
 * box, left out). T is scratch. O(L->in_size). */
void lump_i_model_def_row(lump_i_model_t *m, size_t zc, const lump_layer_t *L, size_t v,
                          const size_t *prev, mpq_t t);

/* lump_i_model_load -- the GLPK copy: every number rounded to nearest.
 * O(entries). */
lump_error_t lump_i_model_load(lump_i_lp_t *lp, const lump_i_model_t *m) LUMP_WUR;

/* lump_i_model_dual_bound -- a rigorous upper bound *U (a double rounded
 * up, +inf when none) on max c^T x over the exact model, for the objective
 * sum_k coef[k] x[col[k]] (NOBJ terms, exact doubles), from any row
 * multipliers LAMBDA (e.g. GLPK's duals). Weak duality: for every feasible
 * x, c^T x = lambda^T A x + (c - A^T lambda)^T x
 *          <= sum_i max(lambda_i lo_i, lambda_i hi_i)
 *           + sum_k max(d_k l_k, d_k u_k),  d = c - A^T lambda,
 * whatever LAMBDA is. A multiplier whose sign points at an infinite side is
 * replaced by 0 first (allowed, since any multipliers give a bound). Every
 * operation is exact in rationals; only the final rounding (upward) is
 * inexact (Neumaier and Shcherbina, Math. Prog. 99 (2004) 283-296).
 * Time: O(entries of rows with lambda_i != 0 + columns) rational ops. */
void lump_i_model_dual_bound(double *u, const lump_i_model_t *m, const double *lambda, size_t nobj,
                             const size_t *col, const double *coef);

#endif
