/* tol_lp.c -- the exact maximum of an affine function over a box cut by
 * linear inequalities, in rationals, with its proof checked before it is
 * returned */
/* Why: the exact leaf (tol_exact.c) splits a relu whose pre-activation
 * takes both signs on a part into its two phases, each a half-space that
 * is in general slanted, not a box. The maximum of |A_j - B_j| on such a
 * polytope, and whether a later pre-activation keeps one sign there, are
 * linear programs; they must be solved exactly (the tolerance can be the
 * true maximum, attained on the kink: soundness suite, seed 20261210,
 * case 595), so a small simplex in GMP rationals is used instead of GLPK
 * in doubles.
 *
 * Trust: the simplex below only *finds* a dual vector. The value returned
 * is recomputed from that vector by weak duality, which holds for every
 * y >= 0 whatever the simplex did:
 *   for s in [0, u] with A s <= b:  c.s = y.(A s) + (c - A'y).s
 *                                      <= y.b + sum_i max(0, (c - A'y)_i) u_i,
 * and emptiness is accepted only with a Farkas vector y >= 0, A'y >= 0 and
 * y.b < 0 (then y.(A s) >= 0 > y.b for every s >= 0: no s fits). A faulty
 * simplex can therefore make the leaf give up, never claim too little.
 * When the simplex is right (Bland's rule: no cycling) the dual is optimal
 * and the bound is exactly the maximum.
 *
 * Form: variables s = x - lo in [0, u], u = hi - lo; rows A s <= b are the
 * cuts followed by s_i <= u_i. A dense tableau, phase 1 with one
 * artificial variable when some b < 0 (Chvatal, Linear Programming,
 * chapter 3). Cost: the problems are tiny (n inputs, a dozen cuts); each
 * pivot is O((m + n)^2) rational operations. */
#include <stdlib.h>
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "tol_i.h"

/* A bound on the work of one problem (Bland's rule terminates; this only
 * caps a fault) */
#define MAX_PIVOTS 100000

typedef struct {
    size_t rows, cols; /* R constraint rows; N = n + R + 1 columns and the RHS */
    mpq_t *t;          /* (R + 1) x (N + 1): the rows, then the objective row */
    size_t *basis;     /* per row, its basic column */
} tab_t;

static mpq_t *at(const tab_t *T, size_t r, size_t j)
{
    return &T->t[r * (T->cols + 1) + j];
}

/* pivot on (PR, PC): column PC becomes basic in row PR */
static void pivot(tab_t *T, size_t pr, size_t pc, mpq_t f)
{
    size_t N = T->cols;
    mpq_t p;
    mpq_init(p);
    mpq_set(p, *at(T, pr, pc));
    for (size_t j = 0; j <= N; j++)
        if (mpq_sgn(*at(T, pr, j)) != 0)
            mpq_div(*at(T, pr, j), *at(T, pr, j), p);
    for (size_t r = 0; r <= T->rows; r++) {
        if (r == pr || mpq_sgn(*at(T, r, pc)) == 0)
            continue;
        mpq_set(p, *at(T, r, pc));
        for (size_t j = 0; j <= N; j++) {
            if (mpq_sgn(*at(T, pr, j)) == 0)
                continue;
            mpq_mul(f, p, *at(T, pr, j));
            mpq_sub(*at(T, r, j), *at(T, r, j), f);
        }
    }
    T->basis[pr] = pc;
    mpq_clear(p);
}

/* Maximise the objective row (entries are minus the reduced costs) by
 * Bland's rule, column SKIP never entering. Returns 0 when unbounded
 * (impossible for the bounded problems here: a fault), or when more than
 * MAX_PIVOTS pivots were needed. */
static int simplex(tab_t *T, size_t skip, mpq_t f, mpq_t g)
{
    size_t R = T->rows, N = T->cols;
    for (size_t it = 0; it < MAX_PIVOTS; it++) {
        size_t pc = N, pr = R;
        for (size_t j = 0; j < N && pc == N; j++)
            if (j != skip && mpq_sgn(*at(T, R, j)) < 0)
                pc = j;
        if (pc == N)
            return 1;
        for (size_t r = 0; r < R; r++) {
            if (mpq_sgn(*at(T, r, pc)) <= 0)
                continue;
            mpq_div(f, *at(T, r, N), *at(T, r, pc));
            if (pr == R) {
                mpq_set(g, f);
                pr = r;
                continue;
            }
            int c = mpq_cmp(f, g);
            if (c < 0 || (c == 0 && T->basis[r] < T->basis[pr])) {
                mpq_set(g, f);
                pr = r;
            }
        }
        if (pr == R)
            return 0;
        pivot(T, pr, pc, f);
    }
    return 0;
}

/* Y = the reduced costs of the slack columns (the dual vector the
 * simplex found), UB = Y.B; 0 when some y < 0 (no dual to trust) */
static int read_duals(mpq_t *y, mpq_t ub, const tab_t *T, size_t n, const mpq_t *b, mpq_t f)
{
    mpq_set_ui(ub, 0, 1);
    for (size_t r = 0; r < T->rows; r++) {
        mpq_set(y[r], *at(T, T->rows, n + r));
        if (mpq_sgn(y[r]) < 0)
            return 0;
        mpq_mul(f, y[r], b[r]);
        mpq_add(ub, ub, f);
    }
    return 1;
}

/* lump_i_tol_lp_max -- see tol_i.h. */
int lump_i_tol_lp_max(mpq_t max, const mpq_t *c, size_t n, const lump_box_t *box,
                      const mpq_t *cut, size_t m)
{
    size_t R = m + n, N = n + R + 1, art = n + R, R1;
    tab_t T = {R, N, NULL, NULL};
    mpq_t *b, *u, *y, f, g, ub;
    int ok = 0, neg = 0;
    R1 = (R + 1) * (N + 1);
    T.t = lump_alloc_array(R1, sizeof(mpq_t));
    T.basis = lump_alloc_array(R, sizeof(size_t));
    b = lump_alloc_array(R, sizeof(mpq_t));
    y = lump_alloc_array(R, sizeof(mpq_t));
    u = lump_alloc_array(n, sizeof(mpq_t));
    for (size_t k = 0; k < R1; k++)
        mpq_init(T.t[k]);
    for (size_t r = 0; r < R; r++) {
        mpq_init(b[r]);
        mpq_init(y[r]);
    }
    for (size_t i = 0; i < n; i++) {
        mpq_init(u[i]);
        mpq_sub(u[i], box->hi[i], box->lo[i]);
    }
    mpq_inits(f, g, ub, NULL);
    /* cut k: a.x + a0 <= 0, i.e. a.s <= -(a0 + a.lo) */
    for (size_t k = 0; k < m; k++) {
        const mpq_t *a = cut + k * (n + 1);
        mpq_neg(b[k], a[n]);
        for (size_t i = 0; i < n; i++) {
            mpq_set(*at(&T, k, i), a[i]);
            mpq_mul(f, a[i], box->lo[i]);
            mpq_sub(b[k], b[k], f);
        }
    }
    for (size_t i = 0; i < n; i++) { /* s_i <= u_i */
        mpq_set_ui(*at(&T, m + i, i), 1, 1);
        mpq_set(b[m + i], u[i]);
    }
    for (size_t r = 0; r < R; r++) {
        mpq_set_ui(*at(&T, r, n + r), 1, 1);
        mpq_set_si(*at(&T, r, art), -1, 1);
        mpq_set(*at(&T, r, N), b[r]);
        T.basis[r] = n + r;
        if (mpq_sgn(b[r]) < 0 && (!neg || mpq_cmp(b[r], b[neg - 1]) < 0))
            neg = (int)r + 1;
    }
    if (neg) { /* phase 1: maximise -x0 from the row most below zero */
        mpq_set_ui(*at(&T, R, art), 1, 1);
        pivot(&T, (size_t)neg - 1, art, f);
        if (!simplex(&T, N, f, g))
            goto done;
        if (mpq_sgn(*at(&T, R, N)) < 0) {
            /* empty: check the Farkas vector (the slacks' reduced costs) */
            ok = read_duals(y, ub, &T, n, b, f) ? -1 : 0;
            for (size_t i = 0; i < n && ok; i++) { /* (A'y)_i >= 0 */
                mpq_set(g, y[m + i]);
                for (size_t k = 0; k < m; k++) {
                    mpq_mul(f, y[k], cut[k * (n + 1) + i]);
                    mpq_add(g, g, f);
                }
                if (mpq_sgn(g) < 0)
                    ok = 0;
            }
            if (ok && mpq_sgn(ub) >= 0)
                ok = 0;
            goto done;
        }
        /* drive x0 out of the basis where it sits at 0 */
        for (size_t r = 0; r < R; r++) {
            if (T.basis[r] != art)
                continue;
            for (size_t j = 0; j < art; j++)
                if (mpq_sgn(*at(&T, r, j)) != 0) {
                    pivot(&T, r, j, f);
                    break;
                }
        }
        for (size_t j = 0; j <= N; j++)
            mpq_set_ui(*at(&T, R, j), 0, 1);
    }
    /* phase 2: the objective row z - c.s = 0, basic columns eliminated */
    for (size_t i = 0; i < n; i++)
        mpq_neg(*at(&T, R, i), c[i]);
    for (size_t r = 0; r < R; r++) {
        size_t j = T.basis[r];
        if (mpq_sgn(*at(&T, R, j)) == 0)
            continue;
        mpq_set(g, *at(&T, R, j));
        for (size_t k = 0; k <= N; k++) {
            mpq_mul(f, g, *at(&T, r, k));
            mpq_sub(*at(&T, R, k), *at(&T, R, k), f);
        }
    }
    if (!simplex(&T, art, f, g))
        goto done;
    /* the bound by weak duality from the slacks' reduced costs y >= 0 */
    ok = read_duals(y, ub, &T, n, b, f);
    for (size_t i = 0; i < n && ok; i++) { /* + max(0, (c - A'y)_i) u_i */
        mpq_set(g, c[i]);
        for (size_t k = 0; k < m; k++) {
            mpq_mul(f, y[k], cut[k * (n + 1) + i]);
            mpq_sub(g, g, f);
        }
        mpq_sub(g, g, y[m + i]);
        if (mpq_sgn(g) > 0) {
            mpq_mul(f, g, u[i]);
            mpq_add(ub, ub, f);
        }
    }
    if (ok) { /* back to x: c.x + c0 = c.s + c.lo + c0 */
        mpq_set(max, ub);
        mpq_add(max, max, c[n]);
        for (size_t i = 0; i < n; i++) {
            mpq_mul(f, c[i], box->lo[i]);
            mpq_add(max, max, f);
        }
    }
done:
    lump_rat_vec_free(T.t, R1);
    lump_rat_vec_free(b, R);
    lump_rat_vec_free(y, R);
    lump_rat_vec_free(u, n);
    free(T.basis);
    mpq_clears(f, g, ub, NULL);
    return ok;
}
