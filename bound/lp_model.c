/* lp_model.c -- an LP with exact rational data, its GLPK copy, and the
 * rigorous bound from dual multipliers by weak duality */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/rat.h"
#include "lp_model.h"
#include "alloc_i.h"

void lump_i_model_init(lump_i_model_t *m)
{
    memset(m, 0, sizeof *m);
}

void lump_i_model_clear(lump_i_model_t *m)
{
    for (size_t i = 0; i < m->nrows; i++) {
        mpq_clear(m->rlo[i]);
        mpq_clear(m->rhi[i]);
    }
    LUMP_FREE_ALL(m->clo, m->chi, m->rstart, m->rlo, m->rhi, m->lo_inf, m->hi_inf, m->e);
    lump_i_model_init(m);
}

static void grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap;
    if (need <= c)
        return;
    c = c < 64 ? 64 : c;
    while (c < need)
        c *= 2;
    *p = lump_realloc_array(*p, c * size, 1);
    *cap = c;
}

void lump_i_model_col(lump_i_model_t *m, double lo, double hi, size_t *col)
{
    size_t c = m->capcols;
    grow((void **)&m->clo, &c, m->ncols + 1, sizeof(double));
    c = m->capcols; /* both arrays grow to the same capacity */
    grow((void **)&m->chi, &c, m->ncols + 1, sizeof(double));
    m->capcols = c;
    m->clo[m->ncols] = lo;
    m->chi[m->ncols] = hi;
    *col = m->ncols++;
}

void lump_i_model_row_begin(lump_i_model_t *m)
{
    size_t need = m->nrows + 2, c;
    /* the five row arrays grow to the same capacity */
    void **rows[] = {(void **)&m->rstart, (void **)&m->rlo, (void **)&m->rhi, (void **)&m->lo_inf,
                     (void **)&m->hi_inf};
    const size_t sizes[] = {sizeof(size_t), sizeof(mpq_t), sizeof(mpq_t), 1, 1};
    lump_require(!m->open, "lump_i_model_row_begin");
    for (size_t k = 0; k < 5; k++) {
        c = m->caprows;
        grow(rows[k], &c, need, sizes[k]);
    }
    m->caprows = c;
    m->rstart[m->nrows] = m->ne;
    m->open = 1;
}

/* A new zeroed entry at the end of the open row. */
static lump_i_ent_t *ent(lump_i_model_t *m)
{
    lump_i_ent_t *e;
    grow((void **)&m->e, &m->cape, m->ne + 1, sizeof(lump_i_ent_t));
    e = &m->e[m->ne++];
    memset(e, 0, sizeof *e);
    return e;
}

void lump_i_model_ent_d(lump_i_model_t *m, size_t col, double d)
{
    lump_i_ent_t *e = ent(m);
    e->col = col;
    e->d = d;
}

void lump_i_model_ent_arr(lump_i_model_t *m, size_t col, const lump_arr_t *a, size_t idx, int neg)
{
    lump_i_ent_t *e = ent(m);
    e->col = col;
    e->arr = a;
    e->idx = idx;
    e->neg = neg;
}

void lump_i_model_ent_q(lump_i_model_t *m, size_t col, mpq_srcptr q, int neg)
{
    lump_i_ent_t *e = ent(m);
    e->col = col;
    e->q = q;
    e->neg = neg;
}

/* lump_i_model_def_row -- see lp_model.h. */
void lump_i_model_def_row(lump_i_model_t *m, size_t zc, const lump_layer_t *L, size_t v,
                          const size_t *prev, mpq_t t)
{
    lump_i_model_row_begin(m);
    lump_i_model_ent_d(m, zc, 1.0);
    for (size_t u = 0; u < L->in_size; u++)
        if (prev[u] != LUMP_I_NOCOL && lump_arr_sgn(&L->weight, v * L->in_size + u) != 0)
            lump_i_model_ent_arr(m, prev[u], &L->weight, v * L->in_size + u, 1);
    lump_arr_get(t, &L->bias, v);
    lump_i_model_row_end(m, t, t);
}

void lump_i_model_row_end(lump_i_model_t *m, mpq_srcptr lo, mpq_srcptr hi)
{
    size_t i = m->nrows;
    lump_require(m->open, "lump_i_model_row_end");
    mpq_init(m->rlo[i]);
    mpq_init(m->rhi[i]);
    m->lo_inf[i] = lo == NULL;
    m->hi_inf[i] = hi == NULL;
    if (lo != NULL)
        mpq_set(m->rlo[i], lo);
    if (hi != NULL)
        mpq_set(m->rhi[i], hi);
    m->nrows++;
    m->rstart[m->nrows] = m->ne;
    m->open = 0;
}

static double ent_d(const lump_i_ent_t *e)
{
    double v = e->arr != NULL ? lump_arr_get_d(e->arr, e->idx) : e->q != NULL ? lump_rat_get_d(e->q) : e->d;
    return e->neg ? -v : v;
}

/* OUT = the exact value of E. */
static void ent_q(mpq_t out, const lump_i_ent_t *e)
{
    if (e->arr != NULL) {
        if (e->arr->store == LUMP_STORE_F32)
            mpq_set_d(out, ((const float *)e->arr->data)[e->idx]);
        else if (e->arr->store == LUMP_STORE_F64)
            mpq_set_d(out, ((const double *)e->arr->data)[e->idx]);
        else
            lump_arr_get(out, e->arr, e->idx);
    } else if (e->q != NULL)
        mpq_set(out, e->q);
    else
        mpq_set_d(out, e->d);
    if (e->neg)
        mpq_neg(out, out);
}

lump_error_t lump_i_model_load(lump_i_lp_t *lp, const lump_i_model_t *m)
{
    lump_error_t err = LUMP_OK;
    size_t first, row, cap = 1;
    size_t *idx = NULL;
    double *val = NULL;
    for (size_t i = 0; i < m->nrows; i++)
        if (m->rstart[i + 1] - m->rstart[i] > cap)
            cap = m->rstart[i + 1] - m->rstart[i];
    idx = lump_alloc_array(cap, sizeof *idx);
    val = lump_alloc_array(cap, sizeof *val);
    LUMP_CHECK(lump_i_lp_add_cols(lp, m->ncols, m->clo, m->chi, &first));
    for (size_t i = 0; i < m->nrows; i++) {
        size_t n = 0;
        for (size_t k = m->rstart[i]; k < m->rstart[i + 1]; k++) {
            idx[n] = first + m->e[k].col;
            val[n++] = ent_d(&m->e[k]);
        }
        LUMP_CHECK(lump_i_lp_add_row(lp, n, idx, val, m->lo_inf[i] ? -HUGE_VAL : lump_rat_get_d(m->rlo[i]),
                                     m->hi_inf[i] ? HUGE_VAL : lump_rat_get_d(m->rhi[i]), &row));
    }
cleanup:
    free(idx);
    free(val);
    return err;
}

void lump_i_model_dual_bound(double *u, const lump_i_model_t *m, const double *lambda, size_t nobj,
                             const size_t *col, const double *coef)
{
    mpq_t *d = lump_alloc_array(m->ncols + 1, sizeof *d);
    mpq_t acc, lam, a, t;
    int inf = 0;
    for (size_t k = 0; k < m->ncols; k++)
        mpq_init(d[k]);
    mpq_inits(acc, lam, a, t, NULL);
    for (size_t k = 0; k < nobj; k++) {
        mpq_set_d(t, coef[k]);
        mpq_add(d[col[k]], d[col[k]], t);
    }
    for (size_t i = 0; i < m->nrows && !inf; i++) {
        double l = lambda[i];
        if (!isfinite(l) || l == 0.0)
            continue; /* a non-finite multiplier is replaced by 0 */
        if ((l > 0 && m->hi_inf[i]) || (l < 0 && m->lo_inf[i]))
            continue; /* pointing at an infinite side: use 0 instead */
        mpq_set_d(lam, l);
        mpq_mul(t, lam, l > 0 ? m->rhi[i] : m->rlo[i]);
        mpq_add(acc, acc, t);
        for (size_t k = m->rstart[i]; k < m->rstart[i + 1]; k++) {
            ent_q(a, &m->e[k]);
            mpq_mul(t, lam, a);
            mpq_sub(d[m->e[k].col], d[m->e[k].col], t);
        }
    }
    for (size_t k = 0; k < m->ncols && !inf; k++) {
        int s = mpq_sgn(d[k]);
        double b = s > 0 ? m->chi[k] : m->clo[k];
        if (s == 0)
            continue;
        if (!isfinite(b)) {
            inf = 1;
            break;
        }
        mpq_set_d(t, b);
        mpq_mul(t, t, d[k]);
        mpq_add(acc, acc, t);
    }
    if (inf)
        *u = HUGE_VAL;
    else {
        mpfr_t r;
        mpfr_init2(r, 53);
        mpfr_set_q(r, acc, MPFR_RNDU);
        *u = mpfr_get_d(r, MPFR_RNDU);
        mpfr_clear(r);
    }
    lump_rat_vec_free(d, m->ncols);
    mpq_clears(acc, lam, a, t, NULL);
}
