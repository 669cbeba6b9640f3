/* unroll_expr.c -- sparse exact affine expressions and their row builder,
 * the arithmetic of lump_graph_unroll */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/alloc.h"
#include "unroll_i.h"

/* lump_i_ux_clear -- see unroll_i.h. */
void lump_i_ux_clear(lump_i_ux_t *x)
{
    free(x->ptr);
    free(x->src);
    lump_arr_clear(&x->coef);
    lump_arr_clear(&x->cst);
    memset(x, 0, sizeof *x);
}

/* lump_i_ub_init -- see unroll_i.h. */
void lump_i_ub_init(lump_i_ub_t *b)
{
    memset(b, 0, sizeof *b);
    mpq_inits(b->c, b->t, NULL);
}

/* lump_i_ub_clear -- see unroll_i.h. */
void lump_i_ub_clear(lump_i_ub_t *b)
{
    for (size_t s = 0; s < b->nsrc; s++)
        mpq_clear(b->acc[s]);
    for (size_t k = 0; k < b->pool; k++)
        mpq_clear(b->val[k]);
    for (size_t r = 0; r < b->cap_rows; r++)
        mpq_clear(b->cst[r]);
    mpq_clears(b->c, b->t, NULL);
    free(b->src_level);
    free(b->acc);
    free(b->on);
    free(b->touched);
    free(b->ptr);
    free(b->cst);
    free(b->src);
    free(b->val);
    memset(b, 0, sizeof *b);
}

/* lump_i_ub_sources -- see unroll_i.h. The accumulator grows with the
 * sources; moving mpq_t structures with realloc is safe (GMP keeps no
 * pointer to a structure). */
size_t lump_i_ub_sources(lump_i_ub_t *b, size_t n, size_t level)
{
    size_t first = b->nsrc, m = b->nsrc + n;
    b->src_level = lump_realloc_array(b->src_level, m, sizeof *b->src_level);
    b->acc = lump_realloc_array(b->acc, m, sizeof *b->acc);
    b->on = lump_realloc_array(b->on, m, sizeof *b->on);
    b->touched = lump_realloc_array(b->touched, m, sizeof *b->touched);
    for (size_t s = first; s < m; s++) {
        b->src_level[s] = level;
        mpq_init(b->acc[s]);
        b->on[s] = 0;
    }
    b->nsrc = m;
    return first;
}

static void touch(lump_i_ub_t *b, size_t s)
{
    if (!b->on[s]) {
        b->on[s] = 1;
        b->touched[b->ntouched++] = s;
        if (b->src_level[s] > b->level)
            b->level = b->src_level[s];
    }
}

/* lump_i_ub_add -- see unroll_i.h. */
void lump_i_ub_add(lump_i_ub_t *b, const mpq_t c, const lump_i_ux_t *x, size_t r)
{
    const int one = mpq_cmp_ui(c, 1, 1) == 0;
    if (mpq_sgn(c) == 0)
        return;
    for (size_t k = x->ptr[r]; k < x->ptr[r + 1]; k++) {
        size_t s = x->src[k];
        lump_arr_get(b->t, &x->coef, k);
        if (!one)
            mpq_mul(b->t, b->t, c);
        touch(b, s);
        mpq_add(b->acc[s], b->acc[s], b->t);
    }
    if (lump_arr_sgn(&x->cst, r) != 0) {
        lump_arr_get(b->t, &x->cst, r);
        if (!one)
            mpq_mul(b->t, b->t, c);
        mpq_add(b->c, b->c, b->t);
    }
}

/* lump_i_ub_add_src -- see unroll_i.h. */
void lump_i_ub_add_src(lump_i_ub_t *b, const mpq_t c, size_t s)
{
    touch(b, s);
    mpq_add(b->acc[s], b->acc[s], c);
}

/* lump_i_ub_add_const -- see unroll_i.h. */
void lump_i_ub_add_const(lump_i_ub_t *b, const mpq_t c)
{
    mpq_add(b->c, b->c, c);
}

/* lump_i_ub_end_row -- see unroll_i.h. */
void lump_i_ub_end_row(lump_i_ub_t *b)
{
    if (b->n + 1 >= b->cap_rows) {
        size_t cap = b->cap_rows ? 2 * b->cap_rows : 64;
        b->ptr = lump_realloc_array(b->ptr, cap + 1, sizeof *b->ptr);
        b->cst = lump_realloc_array(b->cst, cap, sizeof *b->cst);
        for (size_t r = b->cap_rows; r < cap; r++)
            mpq_init(b->cst[r]);
        b->cap_rows = cap;
    }
    if (b->nnz + b->ntouched > b->cap_nnz) {
        size_t cap = b->cap_nnz ? 2 * b->cap_nnz : 256;
        while (cap < b->nnz + b->ntouched)
            cap *= 2;
        b->src = lump_realloc_array(b->src, cap, sizeof *b->src);
        b->val = lump_realloc_array(b->val, cap, sizeof *b->val);
        b->cap_nnz = cap;
    }
    b->ptr[b->n] = b->nnz;
    for (size_t i = 0; i < b->ntouched; i++) {
        size_t s = b->touched[i];
        b->on[s] = 0;
        if (mpq_sgn(b->acc[s]) == 0)
            continue;
        if (b->nnz == b->pool)
            mpq_init(b->val[b->pool++]);
        b->src[b->nnz] = s;
        mpq_swap(b->val[b->nnz], b->acc[s]);
        mpq_set_ui(b->acc[s], 0, 1);
        b->nnz++;
    }
    b->ntouched = 0;
    mpq_swap(b->cst[b->n], b->c);
    mpq_set_ui(b->c, 0, 1);
    b->n++;
    b->ptr[b->n] = b->nnz;
}

/* lump_i_ub_finish -- see unroll_i.h. Values go to F32 arrays, which
 * lump_arr_set widens (to F64, then to fractions) only when a value needs
 * it, so a tensor whose coefficients are float32 weights costs 4 bytes a
 * term. */
lump_error_t lump_i_ub_finish(lump_i_ub_t *b, lump_i_ux_t *x)
{
    lump_error_t err = LUMP_OK;
    lump_i_ux_clear(x);
    x->n = b->n;
    x->level = b->level;
    x->ptr = lump_alloc_array(b->n + 1, sizeof *x->ptr);
    if (b->n == 0)
        x->ptr[0] = 0;
    else
        memcpy(x->ptr, b->ptr, (b->n + 1) * sizeof *x->ptr);
    x->src = lump_alloc_array(b->nnz ? b->nnz : 1, sizeof *x->src);
    if (b->nnz > 0)
        memcpy(x->src, b->src, b->nnz * sizeof *x->src);
    LUMP_CHECK(lump_arr_alloc(&x->coef, LUMP_STORE_F32, b->nnz));
    LUMP_CHECK(lump_arr_alloc(&x->cst, LUMP_STORE_F32, b->n));
    for (size_t k = 0; k < b->nnz; k++)
        LUMP_CHECK(lump_arr_set(&x->coef, k, b->val[k]));
    for (size_t r = 0; r < b->n; r++)
        if (mpq_sgn(b->cst[r]) != 0)
            LUMP_CHECK(lump_arr_set(&x->cst, r, b->cst[r]));
cleanup:
    b->n = 0;
    b->nnz = 0;
    b->level = 0;
    return err;
}
