/* glpk_support.c -- the one thin layer over GLPK: LPs with faults turned
 * into lump_error_t values, terminal output silenced, duals exposed */
#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include "glpk_support.h"
#include "alloc_i.h"

/* The LP is kept here as well as in GLPK (a journal of its columns, rows
 * and objective), because a GLPK fault destroys every problem of the
 * environment: from the journal a problem is rebuilt and solved again, with
 * another scaling (see lump_i_lp_solve). GLPK's copy is brought up to date
 * lazily, inside the guarded solve. */
struct lump_i_lp {
    glp_prob *P;       /* NULL until the first solve, or after a fault */
    unsigned long gen; /* the GLPK environment P lives in */
    int maximize;
    size_t ncols, nrows, nnz;   /* in the journal */
    size_t cols_in, rows_in;    /* of those, already in P */
    size_t ccap, rcap, scap, ecap; /* capacities */
    double *clo, *chi, *obj;    /* per column */
    double *rlo, *rhi;          /* per row */
    size_t *rstart;             /* row r: entries rstart[r] .. rstart[r+1]-1 */
    int *eind;                  /* entry e at index e + 1 (GLPK's 1-based */
    double *eval;               /* arrays): its 1-based column and value */
    int scaled; /* scaled since the last change of the matrix */
};

/* GLPK reports a fault (a bad argument, an internal error such as
 * "glp_set_sjj: invalid scale factor" inside glp_scale_prob) through its
 * error hook and aborts the process when the hook returns. The hook
 * therefore jumps back to the guarded call, which then frees the whole
 * environment, as the GLPK manual prescribes (glp_error_hook, section
 * 6.1): every problem object dies with it, which the generation counter
 * records; each handle rebuilds its problem from its journal when next
 * solved. */
static _Thread_local jmp_buf *fault_jump;
static _Thread_local unsigned long env_gen;
static _Thread_local unsigned long inject_faults;

static void on_fault(void *info)
{
    (void)info;
    if (fault_jump != NULL)
        longjmp(*fault_jump, 1);
}

/* GLPK switches its terminal output back on to print a fault's message
 * (to stdout, where it would corrupt --json output): a terminal hook
 * swallows every line instead. The fault is recovered from, so the
 * message would only alarm. */
static int swallow(void *info, const char *s)
{
    (void)info;
    (void)s;
    return 1;
}

static void after_fault(void)
{
    fault_jump = NULL;
    glp_error_hook(NULL, NULL);
    glp_free_env();
    env_gen++;
}

/* lump_i_lp_inject_faults -- see glpk_support.h. */
void lump_i_lp_inject_faults(unsigned long n)
{
    inject_faults = n;
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

/* Grow *P (elements of SIZE bytes, capacity *CAP) to hold N. */
static void grow(void **p, size_t *cap, size_t n, size_t size)
{
    size_t c = *cap;
    if (n <= c)
        return;
    while (c < n)
        c = c < 8 ? 8 : 2 * c;
    *p = lump_realloc_array(*p, c, size);
    *cap = c;
}

/* lump_i_lp_new -- an empty LP (see glpk_support.h). No GLPK call yet.
 * O(1). */
lump_error_t lump_i_lp_new(lump_i_lp_t **out, int maximize)
{
    lump_i_lp_t *lp = lump_alloc_zero(1, sizeof *lp);
    lp->rstart = lump_alloc_zero(1, sizeof *lp->rstart);
    lp->maximize = maximize;
    lp->scap = 1;
    *out = lp;
    return LUMP_OK;
}

static void drop_prob(lump_i_lp_t *lp)
{
    if (lp->P != NULL && lp->gen == env_gen)
        glp_delete_prob(lp->P);
    lp->P = NULL;
    lp->cols_in = lp->rows_in = 0;
    lp->scaled = 0;
}

/* lump_i_lp_free -- release LP (a no-op on NULL; the GLPK object is gone
 * already when a fault freed the environment). O(size). */
void lump_i_lp_free(lump_i_lp_t *lp)
{
    if (lp == NULL)
        return;
    drop_prob(lp);
    LUMP_FREE_ALL(lp->clo, lp->chi, lp->obj, lp->rlo, lp->rhi, lp->rstart, lp->eind, lp->eval, lp);
}

/* lump_i_lp_add_cols -- see glpk_support.h. O(n). */
lump_error_t lump_i_lp_add_cols(lump_i_lp_t *lp, size_t n, const double *lo,
                                const double *hi, size_t *first)
{
    size_t c = lp->ccap, c2;
    if (n > (size_t)INT_MAX - lp->ncols)
        return lump_error_set(LUMP_ENOMEM, "GLPK: %zu more columns exceed its index range", n);
    c2 = c;
    grow((void **)&lp->clo, &c, lp->ncols + n, sizeof(double));
    grow((void **)&lp->chi, &c2, lp->ncols + n, sizeof(double));
    c2 = lp->ccap;
    grow((void **)&lp->obj, &c2, lp->ncols + n, sizeof(double));
    lp->ccap = c;
    for (size_t k = 0; k < n; k++) {
        lp->clo[lp->ncols + k] = lo[k];
        lp->chi[lp->ncols + k] = hi[k];
        lp->obj[lp->ncols + k] = 0.0;
    }
    *first = lp->ncols;
    lp->ncols += n;
    lp->scaled = 0;
    return LUMP_OK;
}

/* lump_i_lp_add_row -- see glpk_support.h. O(nnz). */
lump_error_t lump_i_lp_add_row(lump_i_lp_t *lp, size_t nnz, const size_t *idx,
                               const double *val, double lo, double hi, size_t *row)
{
    size_t rc = lp->rcap, rc2 = lp->rcap, sc = lp->scap, ec = lp->ecap, ec2 = lp->ecap;
    if (lp->nrows >= (size_t)INT_MAX - 1)
        return lump_error_set(LUMP_ENOMEM, "GLPK: a row beyond its index range");
    for (size_t k = 0; k < nnz; k++)
        if (idx[k] >= lp->ncols)
            return lump_error_set(LUMP_EINTERNAL, "GLPK: a row names column %zu of %zu", idx[k],
                                  lp->ncols);
    grow((void **)&lp->rlo, &rc, lp->nrows + 1, sizeof(double));
    grow((void **)&lp->rhi, &rc2, lp->nrows + 1, sizeof(double));
    grow((void **)&lp->rstart, &sc, lp->nrows + 2, sizeof(size_t));
    grow((void **)&lp->eind, &ec, lp->nnz + nnz + 1, sizeof(int));
    grow((void **)&lp->eval, &ec2, lp->nnz + nnz + 1, sizeof(double));
    lp->rcap = rc;
    lp->scap = sc;
    lp->ecap = ec;
    for (size_t k = 0; k < nnz; k++) {
        lp->eind[lp->nnz + k + 1] = (int)idx[k] + 1;
        lp->eval[lp->nnz + k + 1] = val[k];
    }
    lp->rlo[lp->nrows] = lo;
    lp->rhi[lp->nrows] = hi;
    lp->nnz += nnz;
    lp->rstart[lp->nrows + 1] = lp->nnz;
    *row = lp->nrows++;
    lp->scaled = 0;
    return LUMP_OK;
}

/* lump_i_lp_set_obj -- see glpk_support.h. O(1). */
void lump_i_lp_set_obj(lump_i_lp_t *lp, size_t j, double c)
{
    lump_require(j < lp->ncols, "lump_i_lp_set_obj");
    lp->obj[j] = c;
}

/* lump_i_lp_clear_obj -- see glpk_support.h. O(cols). */
void lump_i_lp_clear_obj(lump_i_lp_t *lp)
{
    for (size_t j = 0; j < lp->ncols; j++)
        lp->obj[j] = 0.0;
}

/* Bring GLPK's problem up to date with the journal: create it when it is
 * missing (first solve, or lost to a fault), add the new columns and rows,
 * set the objective. Called inside a guard. O(new entries + cols). */
static void sync_prob(lump_i_lp_t *lp)
{
    if (lp->P == NULL || lp->gen != env_gen) {
        glp_term_out(GLP_OFF);
        lp->P = glp_create_prob();
        lp->gen = env_gen;
        lp->cols_in = lp->rows_in = 0;
        lp->scaled = 0;
        glp_set_obj_dir(lp->P, lp->maximize ? GLP_MAX : GLP_MIN);
    }
    if (lp->cols_in < lp->ncols) {
        int j0 = glp_add_cols(lp->P, (int)(lp->ncols - lp->cols_in));
        for (size_t k = lp->cols_in; k < lp->ncols; k++)
            glp_set_col_bnds(lp->P, j0 + (int)(k - lp->cols_in), bound_type(lp->clo[k], lp->chi[k]),
                             lp->clo[k], lp->chi[k]);
        lp->cols_in = lp->ncols;
    }
    if (lp->rows_in < lp->nrows) {
        int i0 = glp_add_rows(lp->P, (int)(lp->nrows - lp->rows_in));
        for (size_t r = lp->rows_in; r < lp->nrows; r++) {
            int i = i0 + (int)(r - lp->rows_in);
            size_t b = lp->rstart[r], n = lp->rstart[r + 1] - b;
            glp_set_row_bnds(lp->P, i, bound_type(lp->rlo[r], lp->rhi[r]), lp->rlo[r], lp->rhi[r]);
            /* GLPK reads ind[1..n] and val[1..n]: entries b .. b + n - 1 */
            glp_set_mat_row(lp->P, i, (int)n, lp->eind + b, lp->eval + b);
        }
        lp->rows_in = lp->nrows;
    }
    for (size_t j = 0; j < lp->ncols; j++)
        glp_set_obj_coef(lp->P, (int)j + 1, lp->obj[j]);
}

/* The most simplex iterations one solve may take: far above what the
 * primal simplex needs on these LPs (a few times rows + columns from a warm
 * basis), so only a cycling solve reaches it. O(1). */
static int lp_iteration_cap(glp_prob *P)
{
    long n = 50L * ((long)glp_get_num_rows(P) + (long)glp_get_num_cols(P));
    return n < 10000 ? 10000 : n > 100000000L ? 100000000 : (int)n;
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
    /* GLPK's simplex has no anti-cycling rule that always ends on badly
     * scaled problems (seen: a tanh pair cycled for ever). An iteration
     * cap, unlike a time limit, keeps the result the same on every
     * machine; past it the solve fails and the caller keeps its other sound
     * bounds. */
    parm.it_lim = lp_iteration_cap(P);
    rc = glp_simplex(P, &parm);
    if (rc == GLP_EBADB || rc == GLP_ESING || rc == GLP_ECOND) {
        glp_adv_basis(P, 0);
        rc = glp_simplex(P, &parm);
    }
    return rc;
}

/* The scalings tried in turn: GLPK's automatic choice, none, and
 * equilibration alone. A fault (seen: "glp_set_sjj: invalid scale factor"
 * on coefficients of very different magnitudes) moves on to the next. */
static const int SCALINGS[] = {GLP_SF_AUTO, 0, GLP_SF_EQ};
#define N_SCALINGS (sizeof SCALINGS / sizeof SCALINGS[0])

/* One guarded attempt with scaling mode K: 0 and the results in *RC, *ST,
 * or 1 when GLPK faulted (its environment is then freed). */
static int attempt(lump_i_lp_t *lp, size_t k, int *rc, int *st)
{
    jmp_buf jb;
    if (setjmp(jb) != 0) {
        after_fault();
        lp->P = NULL;
        return 1;
    }
    fault_jump = &jb;
    glp_error_hook(on_fault, NULL);
    glp_term_hook(swallow, NULL);
    sync_prob(lp);
    if (inject_faults > 0 && lp->ncols > 0) {
        inject_faults--;
        glp_set_sjj(lp->P, 1, 0.0); /* the fault seen in the field */
    }
    if (!lp->scaled || k > 0) {
        if (SCALINGS[k] != 0)
            glp_scale_prob(lp->P, SCALINGS[k]);
        else
            glp_unscale_prob(lp->P);
    }
    lp->scaled = 1;
    *rc = run_simplex(lp->P);
    *st = glp_get_status(lp->P);
    glp_error_hook(NULL, NULL);
    fault_jump = NULL;
    return 0;
}

/* lump_i_lp_solve -- see glpk_support.h. The problem is scaled once
 * (GLPK's automatic geometric and equilibration scaling; duals are
 * reported unscaled) after each change of the matrix, and each solve
 * warm-starts from the previous basis, which makes re-solving with a new
 * objective cheap. When GLPK faults, the problem is rebuilt from the
 * journal and solved without scaling, then with equilibration only; when
 * every attempt faults the status is LUMP_I_LP_FAILED (the callers then
 * fall back to their other sound bounds). Time: that of the simplex, times
 * the attempts. */
lump_error_t lump_i_lp_solve(lump_i_lp_t *lp, lump_i_lp_status_t *status)
{
    int rc = -1, st = 0;
    size_t k = 0;
    *status = LUMP_I_LP_FAILED;
    while (k < N_SCALINGS && attempt(lp, k, &rc, &st) != 0)
        k++;
    if (k == N_SCALINGS)
        return LUMP_OK;
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
    return lp->nrows;
}

size_t lump_i_lp_n_cols(const lump_i_lp_t *lp)
{
    return lp->ncols;
}
