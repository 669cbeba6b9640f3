/* glpk_support.c -- the one thin layer over GLPK: LPs with faults turned
 * into lump_error_t values, terminal output silenced, duals exposed */
#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include "glpk_support.h"

struct lump_i_lp {
    glp_prob *P;
    unsigned long gen; /* the GLPK environment this problem lives in */
    int *ind;          /* 1-based scratch for glp_set_mat_row */
    double *val;
    size_t cap;
    int scaled; /* scaled since the last change of the matrix */
};

/* GLPK reports a fault (a bad argument, an internal error) through its
 * error hook and aborts when the hook returns. The hook therefore jumps
 * back to the guarded call, which then frees the whole environment, as the
 * GLPK manual prescribes (glp_error_hook, section 6.1): every problem
 * object dies with it, which the generation counter records. */
static _Thread_local jmp_buf *fault_jump;
static _Thread_local unsigned long env_gen;

static void on_fault(void *info)
{
    (void)info;
    if (fault_jump != NULL)
        longjmp(*fault_jump, 1);
}

static lump_error_t after_fault(const char *where)
{
    fault_jump = NULL;
    glp_error_hook(NULL, NULL);
    glp_free_env();
    env_gen++;
    return lump_error_set(LUMP_EINTERNAL,
                          "GLPK: internal fault in %s (every open LP was released)", where);
}

#define GUARD_BEGIN(where)                                                    \
    jmp_buf guard_jb_;                                                        \
    if (setjmp(guard_jb_) != 0)                                               \
        return after_fault(where);                                            \
    fault_jump = &guard_jb_;                                                  \
    glp_error_hook(on_fault, NULL)

#define GUARD_END()                                                           \
    do {                                                                      \
        glp_error_hook(NULL, NULL);                                           \
        fault_jump = NULL;                                                    \
    } while (0)

static lump_error_t alive(const lump_i_lp_t *lp, const char *where)
{
    if (lp->P == NULL || lp->gen != env_gen)
        return lump_error_set(LUMP_EINTERNAL, "GLPK: %s on an LP lost to an earlier fault",
                              where);
    return LUMP_OK;
}

/* The GLPK bound type for [lo, hi] (infinite ends mean free). Ends a few
 * ulps apart are fixed at LO: GLPK scales the bounds and then asserts
 * that a double bound's ends differ (simplex/spxprob.c), which scaling
 * can break; and GLPK's bounds are only the float model, the rigorous
 * step (lp_model.c) uses the exact ones. */
static int bound_type(double lo, double hi)
{
    if (isinf(lo) && isinf(hi))
        return GLP_FR;
    if (isinf(hi))
        return GLP_LO;
    if (isinf(lo))
        return GLP_UP;
    if (hi - lo <= 0x1p-40 * fmax(1.0, fmax(fabs(lo), fabs(hi))))
        return GLP_FX;
    return GLP_DB;
}

/* lump_i_lp_new -- an empty LP (see glpk_support.h). Terminal output of
 * GLPK is switched off for the whole environment. O(1). */
lump_error_t lump_i_lp_new(lump_i_lp_t **out, int maximize)
{
    lump_i_lp_t *lp = calloc(1, sizeof *lp);
    *out = NULL;
    if (lp == NULL)
        return lump_error_set(LUMP_ENOMEM, "GLPK: out of memory for an LP handle");
    {
        GUARD_BEGIN("glp_create_prob");
        glp_term_out(GLP_OFF);
        lp->P = glp_create_prob();
        glp_set_obj_dir(lp->P, maximize ? GLP_MAX : GLP_MIN);
        GUARD_END();
    }
    lp->gen = env_gen;
    *out = lp;
    return LUMP_OK;
}

/* lump_i_lp_free -- release LP (a no-op on NULL; the GLPK object is gone
 * already when a fault freed the environment). O(size). */
void lump_i_lp_free(lump_i_lp_t *lp)
{
    if (lp == NULL)
        return;
    if (lp->P != NULL && lp->gen == env_gen)
        glp_delete_prob(lp->P);
    free(lp->ind);
    free(lp->val);
    free(lp);
}

/* lump_i_lp_add_cols -- see glpk_support.h. O(n). */
lump_error_t lump_i_lp_add_cols(lump_i_lp_t *lp, size_t n, const double *lo,
                                const double *hi, size_t *first)
{
    lump_error_t err = alive(lp, "adding columns");
    if (err != LUMP_OK)
        return err;
    if (n == 0) {
        *first = (size_t)glp_get_num_cols(lp->P);
        return LUMP_OK;
    }
    if (n > (size_t)INT_MAX - (size_t)glp_get_num_cols(lp->P))
        return lump_error_set(LUMP_ENOMEM, "GLPK: %zu more columns exceed its index range", n);
    {
        GUARD_BEGIN("glp_add_cols");
        int j0 = glp_add_cols(lp->P, (int)n);
        for (size_t k = 0; k < n; k++)
            glp_set_col_bnds(lp->P, j0 + (int)k, bound_type(lo[k], hi[k]), lo[k], hi[k]);
        GUARD_END();
        *first = (size_t)(j0 - 1);
        lp->scaled = 0;
    }
    return LUMP_OK;
}

/* lump_i_lp_add_row -- see glpk_support.h. O(nnz). */
lump_error_t lump_i_lp_add_row(lump_i_lp_t *lp, size_t nnz, const size_t *idx,
                               const double *val, double lo, double hi, size_t *row)
{
    lump_error_t err = alive(lp, "adding a row");
    if (err != LUMP_OK)
        return err;
    if (nnz + 1 > lp->cap) {
        size_t cap = 2 * (nnz + 1);
        int *ind = realloc(lp->ind, cap * sizeof *ind);
        double *v;
        if (ind == NULL)
            return lump_error_set(LUMP_ENOMEM, "GLPK: out of memory for a row of %zu", nnz);
        lp->ind = ind;
        v = realloc(lp->val, cap * sizeof *v);
        if (v == NULL)
            return lump_error_set(LUMP_ENOMEM, "GLPK: out of memory for a row of %zu", nnz);
        lp->val = v;
        lp->cap = cap;
    }
    for (size_t k = 0; k < nnz; k++) {
        lp->ind[k + 1] = (int)idx[k] + 1;
        lp->val[k + 1] = val[k];
    }
    {
        GUARD_BEGIN("glp_add_rows");
        int i = glp_add_rows(lp->P, 1);
        glp_set_row_bnds(lp->P, i, bound_type(lo, hi), lo, hi);
        glp_set_mat_row(lp->P, i, (int)nnz, lp->ind, lp->val);
        GUARD_END();
        *row = (size_t)(i - 1);
        lp->scaled = 0;
    }
    return LUMP_OK;
}

/* lump_i_lp_set_obj -- see glpk_support.h. O(1). */
void lump_i_lp_set_obj(lump_i_lp_t *lp, size_t j, double c)
{
    lump_require(lp->P != NULL && lp->gen == env_gen, "lump_i_lp_set_obj");
    lump_require(j < (size_t)glp_get_num_cols(lp->P), "lump_i_lp_set_obj");
    glp_set_obj_coef(lp->P, (int)j + 1, c);
}

/* lump_i_lp_clear_obj -- see glpk_support.h. O(cols). */
void lump_i_lp_clear_obj(lump_i_lp_t *lp)
{
    lump_require(lp->P != NULL && lp->gen == env_gen, "lump_i_lp_clear_obj");
    for (int j = 0, n = glp_get_num_cols(lp->P); j <= n; j++)
        glp_set_obj_coef(lp->P, j, 0.0);
}

/* One run of the simplex method from the current basis; a basis GLPK
 * cannot factorise is replaced by an advanced one and tried once more. */
static int run_simplex(glp_prob *P)
{
    glp_smcp parm;
    int rc;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF; /* the presolver leaves no dual values */
    parm.meth = GLP_PRIMAL; /* a new objective keeps the basis primal feasible */
    rc = glp_simplex(P, &parm);
    if (rc == GLP_EBADB || rc == GLP_ESING || rc == GLP_ECOND) {
        glp_adv_basis(P, 0);
        rc = glp_simplex(P, &parm);
    }
    return rc;
}

/* lump_i_lp_solve -- see glpk_support.h. The problem is scaled once
 * (geometric and equilibration scaling; duals are reported unscaled by
 * GLPK) after each change of the matrix, and each solve warm-starts from the previous basis, which makes
 * re-solving with a new objective cheap. Time: that of the simplex. */
lump_error_t lump_i_lp_solve(lump_i_lp_t *lp, lump_i_lp_status_t *status)
{
    lump_error_t err = alive(lp, "solving");
    int rc, st;
    *status = LUMP_I_LP_FAILED;
    if (err != LUMP_OK)
        return err;
    {
        GUARD_BEGIN("glp_simplex");
        if (!lp->scaled)
            glp_scale_prob(lp->P, GLP_SF_AUTO);
        lp->scaled = 1;
        rc = run_simplex(lp->P);
        st = glp_get_status(lp->P);
        GUARD_END();
    }
    if (rc != 0)
        *status = LUMP_I_LP_FAILED;
    else if (st == GLP_OPT)
        *status = LUMP_I_LP_OPTIMAL;
    else if (st == GLP_NOFEAS)
        *status = LUMP_I_LP_INFEASIBLE;
    else if (st == GLP_UNBND)
        *status = LUMP_I_LP_UNBOUNDED;
    else
        *status = LUMP_I_LP_FAILED;
    return LUMP_OK;
}

double lump_i_lp_obj(const lump_i_lp_t *lp)
{
    return glp_get_obj_val(lp->P);
}

double lump_i_lp_col_value(const lump_i_lp_t *lp, size_t j)
{
    return glp_get_col_prim(lp->P, (int)j + 1);
}

double lump_i_lp_row_dual(const lump_i_lp_t *lp, size_t i)
{
    return glp_get_row_dual(lp->P, (int)i + 1);
}

double lump_i_lp_col_dual(const lump_i_lp_t *lp, size_t j)
{
    return glp_get_col_dual(lp->P, (int)j + 1);
}

size_t lump_i_lp_n_rows(const lump_i_lp_t *lp)
{
    return (size_t)glp_get_num_rows(lp->P);
}

size_t lump_i_lp_n_cols(const lump_i_lp_t *lp)
{
    return (size_t)glp_get_num_cols(lp->P);
}
