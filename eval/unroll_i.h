/* unroll_i.h -- sparse affine expressions of a graph's tensors over the
 * neurons of its unrolled layered network (lump_graph_unroll) */
#ifndef LUMPNET_UNROLL_I_H
#define LUMPNET_UNROLL_I_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/arr.h"

/* A tensor as N affine expressions over sources (the network's inputs and
 * the neurons created so far, numbered globally): row r is
 * cst[r] + sum over k in [ptr[r], ptr[r+1]) of coef[k] * source src[k].
 * Values are exact: lump_arr_t keeps float32 coefficients in 4 bytes and
 * moves to small fractions only when a composed value needs it. LEVEL is
 * the largest level (layer, 0 for the inputs) of a source it reads. */
typedef struct {
    size_t n;
    size_t *ptr;
    size_t *src;
    lump_arr_t coef, cst;
    size_t level;
} lump_i_ux_t;

/* lump_i_ux_clear -- free X's arrays, leaving it empty. O(1) (O(nnz) with
 * big rationals). */
void lump_i_ux_clear(lump_i_ux_t *x);

/* The row builder: a sparse accumulator indexed by source (Gustavson's
 * SPA), so that adding several expressions into one row merges their
 * terms in O(terms) without sorting. Rows are collected into a growing
 * pool and handed out as one lump_i_ux_t by lump_i_ub_finish. */
typedef struct {
    size_t nsrc;           /* sources known (accumulator length) */
    size_t *src_level;     /* level of each source */
    mpq_t *acc;            /* accumulator, one per source */
    unsigned char *on;     /* acc[s] holds a term of the current row */
    size_t *touched, ntouched;
    mpq_t c, t;            /* the row's constant, a scratch value */
    size_t n, cap_rows;    /* rows emitted */
    size_t *ptr;
    mpq_t *cst;
    size_t nnz, cap_nnz, pool; /* terms emitted; initialised pool entries */
    size_t *src;
    mpq_t *val;
    size_t level;
} lump_i_ub_t;

/* lump_i_ub_init / _clear -- an empty builder knowing no source; free it.
 * O(1) / O(sources + pool). */
void lump_i_ub_init(lump_i_ub_t *b);
void lump_i_ub_clear(lump_i_ub_t *b);

/* lump_i_ub_sources -- append N sources at level LEVEL; returns the id of
 * the first. O(N) amortised. */
size_t lump_i_ub_sources(lump_i_ub_t *b, size_t n, size_t level);

/* lump_i_ub_add -- add C times row R of X to the current row. O(terms of
 * the row). */
void lump_i_ub_add(lump_i_ub_t *b, const mpq_t c, const lump_i_ux_t *x, size_t r);

/* lump_i_ub_add_src -- add C times source S to the current row. O(1). */
void lump_i_ub_add_src(lump_i_ub_t *b, const mpq_t c, size_t s);

/* lump_i_ub_add_const -- add C to the current row's constant. O(1). */
void lump_i_ub_add_const(lump_i_ub_t *b, const mpq_t c);

/* lump_i_ub_end_row -- emit the current row (exact zeros dropped, terms in
 * the order first touched) and start the next. O(terms). */
void lump_i_ub_end_row(lump_i_ub_t *b);

/* lump_i_ub_finish -- move the emitted rows into X (cleared first) and
 * start a new tensor. Errors: LUMP_ENOMEM (lump_arr_alloc). O(terms). */
lump_error_t lump_i_ub_finish(lump_i_ub_t *b, lump_i_ux_t *x) LUMP_WUR;

#endif
