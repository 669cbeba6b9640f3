/* glpk_support.h -- the one thin layer over GLPK (private to relax/) */
#ifndef LUMPNET_GLPK_SUPPORT_H
#define LUMPNET_GLPK_SUPPORT_H

#include <stddef.h>
#include "lumpnet/error.h"

/* An LP engine: an opaque handle (_new/_free). Columns and rows are
 * numbered from 0. Bounds may be -HUGE_VAL / +HUGE_VAL for "free". */
typedef struct lump_i_lp lump_i_lp_t;

typedef enum {
    LUMP_I_LP_OPTIMAL = 0,
    LUMP_I_LP_INFEASIBLE,
    LUMP_I_LP_UNBOUNDED,
    LUMP_I_LP_FAILED /* GLPK gave up (iteration limit, numerical trouble) */
} lump_i_lp_status_t;

/* lump_i_lp_new -- an empty LP, maximising when MAXIMIZE. O(1). */
lump_error_t lump_i_lp_new(lump_i_lp_t **lp, int maximize) LUMP_WUR;
void lump_i_lp_free(lump_i_lp_t *lp);

/* lump_i_lp_add_cols -- N new columns with bounds [lo[k], hi[k]]; returns
 * the index of the first in *FIRST. O(n). */
lump_error_t lump_i_lp_add_cols(lump_i_lp_t *lp, size_t n, const double *lo,
                                const double *hi, size_t *first) LUMP_WUR;

/* lump_i_lp_add_row -- a row lo <= sum_k val[k] x[idx[k]] <= hi; returns
 * its index in *ROW. O(nnz). */
lump_error_t lump_i_lp_add_row(lump_i_lp_t *lp, size_t nnz, const size_t *idx,
                               const double *val, double lo, double hi,
                               size_t *row) LUMP_WUR;

/* lump_i_lp_set_obj -- the objective coefficient of column J (others 0).
 * lump_i_lp_clear_obj sets every coefficient to 0. O(1) / O(cols). */
void lump_i_lp_set_obj(lump_i_lp_t *lp, size_t j, double c);
void lump_i_lp_clear_obj(lump_i_lp_t *lp);

/* lump_i_lp_solve -- run the simplex method (GLPK's glp_simplex with
 * presolve off, so duals exist); *STATUS says how it ended. A fault of
 * GLPK (caught through its error hook) is retried on a rebuilt problem
 * with other scalings, and ends as LUMP_I_LP_FAILED when every attempt
 * faults: never an error. Other problems of the thread are rebuilt when
 * next solved (a fault frees GLPK's whole environment). The return value
 * is kept for the interface (always LUMP_OK). */
lump_error_t lump_i_lp_solve(lump_i_lp_t *lp, lump_i_lp_status_t *status) LUMP_WUR;

/* lump_i_lp_inject_faults -- for tests: make the next N solve attempts
 * of this thread fault inside GLPK (an invalid scale factor, as seen in
 * the field), so that the recovery path runs. O(1). */
void lump_i_lp_inject_faults(unsigned long n);

/* Results of the last solve. O(1) each. */
double lump_i_lp_obj(const lump_i_lp_t *lp);
double lump_i_lp_col_value(const lump_i_lp_t *lp, size_t j);
double lump_i_lp_row_dual(const lump_i_lp_t *lp, size_t i);
double lump_i_lp_col_dual(const lump_i_lp_t *lp, size_t j);
size_t lump_i_lp_n_rows(const lump_i_lp_t *lp);
size_t lump_i_lp_n_cols(const lump_i_lp_t *lp);

#endif
