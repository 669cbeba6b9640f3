/* fold.c -- exact linear dependences among the rows of a layer, by
 * fraction-free Gaussian elimination over GMP (Bareiss) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stable_i.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"

#define NONE SIZE_MAX

void lump_i_folds_free(lump_fold_t *folds, size_t nfold)
{
    for (size_t k = 0; k < nfold; k++) {
        for (size_t j = 0; j < folds[k].n_basis; j++)
            mpq_clear(folds[k].lambda[j]);
        free(folds[k].lambda);
        free(folds[k].basis);
        mpq_clear(folds[k].mu);
    }
    free(folds);
}

/* The double Gram-Schmidt pass: marks each of the NLIN rows as basis
 * (ISB[k] = 1) or candidate. Re-orthogonalising twice keeps the residual
 * of a dependent row at rounding level; a row counts as independent when
 * its residual exceeds 1e-9 of its norm. Only a heuristic: the exact step
 * decides. */
static void pick_basis(unsigned char *isb, size_t *nb, const double *W, size_t nlin, size_t n)
{
    const size_t nn = n > 0 ? n : 1;
    double *Q = lump_alloc_array(nn * nn, sizeof *Q), *r = lump_alloc_array(n + 1, sizeof *r);
    size_t q = 0;
    for (size_t k = 0; k < nlin; k++) {
        double norm0 = 0, norm = 0;
        isb[k] = 0;
        for (size_t u = 0; u < n; u++) {
            r[u] = W[k * n + u];
            norm0 += r[u] * r[u];
        }
        if (norm0 == 0 || q == n)
            continue;
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < q; j++) {
                double d = 0;
                for (size_t u = 0; u < n; u++)
                    d += Q[j * n + u] * r[u];
                for (size_t u = 0; u < n; u++)
                    r[u] -= d * Q[j * n + u];
            }
        for (size_t u = 0; u < n; u++)
            norm += r[u] * r[u];
        if (!(norm > 1e-18 * norm0))
            continue;
        norm = sqrt(norm);
        for (size_t u = 0; u < n; u++)
            Q[q * n + u] = r[u] / norm;
        q++;
        isb[k] = 1;
    }
    *nb = q;
    free(Q);
    free(r);
}

/* Fill the integer system M (N rows, NCOL columns): row u is the
 * equation of input u, columns 0..NB-1 the basis rows BIDX, then the
 * candidates CIDX, each equation scaled by the lcm of its denominators. */
static void fill_system(mpz_t *M, const lump_layer_t *layer, const size_t *bidx, size_t nb,
                        const size_t *cidx, size_t ncol)
{
    const size_t n = layer->in_size;
    mpz_t tz, l;
    mpq_t w;
    mpz_inits(tz, l, NULL);
    mpq_init(w);
    for (size_t u = 0; u < n; u++) {
        mpz_set_ui(l, 1);
        for (size_t j = 0; j < ncol; j++) {
            size_t v = j < nb ? bidx[j] : cidx[j - nb];
            lump_arr_get(w, &layer->weight, v * n + u);
            mpz_lcm(l, l, mpq_denref(w));
        }
        for (size_t j = 0; j < ncol; j++) {
            size_t v = j < nb ? bidx[j] : cidx[j - nb];
            lump_arr_get(w, &layer->weight, v * n + u);
            mpz_divexact(tz, l, mpq_denref(w));
            mpz_mul(M[u * ncol + j], tz, mpq_numref(w));
        }
    }
    mpz_clears(tz, l, NULL);
    mpq_clear(w);
}

/* Bareiss elimination of M (N rows, NCOL columns) on its first NB
 * columns, with exact divisions by the previous pivot. Stores the pivot
 * column of each echelon row in PC and returns the rank.
 * Time: O(N^2 NCOL) products of growing integers. */
static size_t bareiss(mpz_t *M, size_t n, size_t ncol, size_t nb, size_t *pc)
{
    size_t rank = 0;
    mpz_t prev, tz;
    mpz_inits(prev, tz, NULL);
    mpz_set_ui(prev, 1);
    for (size_t k = 0; k < nb && rank < n; k++) {
        size_t p = NONE;
        for (size_t i = rank; i < n; i++)
            if (mpz_sgn(M[i * ncol + k]) != 0) {
                p = i;
                break;
            }
        if (p == NONE)
            continue;
        if (p != rank)
            for (size_t j = 0; j < ncol; j++)
                mpz_swap(M[p * ncol + j], M[rank * ncol + j]);
        for (size_t i = rank + 1; i < n; i++) {
            for (size_t j = k + 1; j < ncol; j++) {
                mpz_mul(tz, M[rank * ncol + k], M[i * ncol + j]);
                mpz_submul(tz, M[i * ncol + k], M[rank * ncol + j]);
                mpz_divexact(M[i * ncol + j], tz, prev);
            }
            mpz_set_ui(M[i * ncol + k], 0);
        }
        mpz_set(prev, M[rank * ncol + k]);
        pc[rank++] = k;
    }
    mpz_clears(prev, tz, NULL);
    return rank;
}

/* Solve the echelon system for column COL (the row V of LAYER): LAM[0..NB-1]
 * gets the lambdas, free ones 0. Returns 1 when V is in the span and the
 * identity holds in rationals (a slip only loses a fold), else 0. */
static int solve_candidate(mpq_t *lam, const mpz_t *M, size_t ncol, size_t rank,
                           const size_t *pc, size_t col, const lump_layer_t *layer,
                           const size_t *bidx, size_t nb, size_t v)
{
    const size_t n = layer->in_size;
    int ok = 1;
    mpq_t t, s, w;
    for (size_t i = rank; i < n && ok; i++)
        if (mpz_sgn(M[i * ncol + col]) != 0)
            ok = 0;
    if (!ok)
        return 0;
    mpq_inits(t, s, w, NULL);
    for (size_t k = 0; k < nb; k++)
        mpq_set_ui(lam[k], 0, 1);
    for (size_t i = rank; i-- > 0;) {
        mpq_set_z(t, M[i * ncol + col]);
        for (size_t j = i + 1; j < rank; j++) {
            mpq_set_z(s, M[i * ncol + pc[j]]);
            mpq_mul(s, s, lam[pc[j]]);
            mpq_sub(t, t, s);
        }
        mpq_set_z(s, M[i * ncol + pc[i]]);
        mpq_div(lam[pc[i]], t, s);
    }
    for (size_t u = 0; u < n && ok; u++) {
        mpq_set_ui(t, 0, 1);
        for (size_t k = 0; k < nb; k++) {
            if (mpq_sgn(lam[k]) == 0)
                continue;
            lump_arr_get(w, &layer->weight, bidx[k] * n + u);
            mpq_mul(s, w, lam[k]);
            mpq_add(t, t, s);
        }
        lump_arr_get(w, &layer->weight, v * n + u);
        ok = mpq_equal(t, w);
    }
    mpq_clears(t, s, w, NULL);
    return ok;
}

/* Record in F the fold of row V on the basis rows BIDX with the nonzero
 * lambdas of LAM, and mu = b_v - sum lambda_k b_k. *NOUT counts F. */
static void fold_record(lump_fold_t *f, size_t *nout, const lump_layer_t *layer, const mpq_t *lam,
                        const size_t *bidx, size_t nb, size_t v)
{
    size_t nz = 0;
    mpq_t s, w;
    for (size_t k = 0; k < nb; k++)
        nz += mpq_sgn(lam[k]) != 0;
    f->basis = lump_alloc_array(nz > 0 ? nz : 1, sizeof *f->basis);
    f->lambda = lump_alloc_array(nz > 0 ? nz : 1, sizeof *f->lambda);
    mpq_init(f->mu);
    (*nout)++;
    mpq_inits(s, w, NULL);
    f->neuron = v;
    lump_arr_get(f->mu, &layer->bias, v);
    for (size_t k = 0; k < nb; k++) {
        if (mpq_sgn(lam[k]) == 0)
            continue;
        mpq_init(f->lambda[f->n_basis]);
        mpq_set(f->lambda[f->n_basis], lam[k]);
        f->basis[f->n_basis++] = bidx[k];
        lump_arr_get(w, &layer->bias, bidx[k]);
        mpq_mul(s, w, lam[k]);
        mpq_sub(f->mu, f->mu, s);
    }
    mpq_clears(s, w, NULL);
}

/* lump_i_fold_find -- see stable_i.h. The system for the lambdas of every
 * candidate t is sum_k lambda_k w(u, b_k) = w(u, t), one equation per
 * input u; each equation is scaled to integers by the lcm of its
 * denominators, and Bareiss elimination brings [B^T | T] to echelon form
 * with exact divisions. A candidate whose column is not zero below the
 * rank is not in the span and stays; free lambdas are 0. */
lump_error_t lump_i_fold_find(lump_fold_t **folds, size_t *nfold, const lump_layer_t *layer,
                              const size_t *lin, size_t nlin)
{
    lump_error_t err = LUMP_OK;
    const size_t n = layer->in_size;
    double *W = NULL;
    unsigned char *isb = NULL;
    size_t nb = 0, nc = 0, *bidx = NULL, *cidx = NULL, *pc = NULL, rank = 0, ncol = 0;
    mpz_t *M = NULL;
    mpq_t *lam = NULL;
    lump_fold_t *out = NULL;
    size_t nout = 0;
    *folds = NULL;
    *nfold = 0;
    W = lump_alloc_array((nlin > 0 ? nlin : 1) * (n > 0 ? n : 1), sizeof *W);
    isb = lump_alloc(nlin + 1);
    bidx = lump_alloc_array(nlin + 1, sizeof *bidx);
    cidx = lump_alloc_array(nlin + 1, sizeof *cidx);
    for (size_t k = 0; k < nlin; k++)
        for (size_t u = 0; u < n; u++)
            W[k * n + u] = lump_arr_get_d(&layer->weight, lin[k] * n + u);
    pick_basis(isb, &nb, W, nlin, n);
    nb = 0;
    for (size_t k = 0; k < nlin; k++) {
        if (isb[k])
            bidx[nb++] = lin[k];
        else
            cidx[nc++] = lin[k];
    }
    if (nc == 0)
        goto cleanup;
    ncol = nb + nc;
    M = lump_alloc_array((n > 0 ? n : 1) * ncol, sizeof *M);
    pc = lump_alloc_array(nb + 1, sizeof *pc);
    lam = lump_alloc_array(nb + 1, sizeof *lam);
    out = lump_alloc_zero(nc, sizeof *out);
    for (size_t k = 0; k < n * ncol; k++)
        mpz_init(M[k]);
    for (size_t k = 0; k <= nb; k++)
        mpq_init(lam[k]);
    fill_system(M, layer, bidx, nb, cidx, ncol);
    rank = bareiss(M, n, ncol, nb, pc);
    for (size_t c = 0; c < nc; c++)
        if (solve_candidate(lam, M, ncol, rank, pc, nb + c, layer, bidx, nb, cidx[c]))
            fold_record(&out[nout], &nout, layer, lam, bidx, nb, cidx[c]);
cleanup:
    if (err != LUMP_OK) {
        lump_i_folds_free(out, nout);
        out = NULL;
        nout = 0;
    }
    *folds = out;
    *nfold = nout;
    if (out != NULL && nout == 0) {
        free(out);
        *folds = NULL;
    }
    if (M != NULL)
        for (size_t k = 0; k < n * ncol; k++)
            mpz_clear(M[k]);
    free(M);
    lump_rat_vec_free(lam, nb + 1);
    LUMP_FREE_ALL(pc, W, isb, bidx, cidx);
    return err;
}
