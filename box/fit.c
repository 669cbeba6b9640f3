/* fit.c -- box reduction that keeps the result's numbers in the type of
 * the file it is written to: folds and lumpings whose new values would
 * not fit are left out (reduce --fit exact) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stable_i.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "net_i.h"

#define NONE SIZE_MAX

/* Add fold F's contributions to the next layer's values ACC (row x: the
 * NB basis columns COL_OF maps to, then the bias) with sign SGN (+1 adds,
 * -1 takes them back). With CHECK, returns 0 as soon as a changed value
 * does not fit FIT (the caller takes the fold back); else 1. */
static int fold_add(mpq_t *acc, const lump_fold_t *f, const lump_layer_t *next,
                    const size_t *col_of, size_t nb, int sgn, lump_fit_t fit, int check, mpq_t t,
                    mpq_t w)
{
    int fits = 1;
    for (size_t x = 0; x < next->size; x++) {
        mpq_t *row = &acc[x * (nb + 1)];
        if (lump_arr_sgn(&next->weight, x * next->in_size + f->neuron) == 0)
            continue;
        lump_arr_get(w, &next->weight, x * next->in_size + f->neuron);
        if (sgn < 0)
            mpq_neg(w, w);
        for (size_t j = 0; j < f->n_basis; j++) {
            mpq_mul(t, f->lambda[j], w);
            mpq_add(row[col_of[f->basis[j]]], row[col_of[f->basis[j]]], t);
            fits = fits && (!check || lump_rat_fits(row[col_of[f->basis[j]]], fit));
        }
        mpq_mul(t, f->mu, w);
        mpq_add(row[nb], row[nb], t);
        fits = fits && (!check || lump_rat_fits(row[nb], fit));
    }
    return fits;
}

/* lump_i_fold_fit -- see stable_i.h. The folds are tried in order, each
 * against the values the accepted ones left, so the result is
 * deterministic; a refused fold's contributions are taken back exactly. */
lump_error_t lump_i_fold_fit(lump_stable_layer_t *c, const lump_layer_t *next, lump_fit_t fit,
                             size_t *kept)
{
    const size_t size = next->in_size;
    size_t nb = 0, *col_of = NULL, nacc = 0, nkeep = 0, nrej = 0;
    mpq_t *acc = NULL, t, w;
    lump_fold_t *rej = NULL;
    *kept = 0;
    if (fit == LUMP_FIT_ANY || c->n_fold == 0)
        return LUMP_OK;
    mpq_inits(t, w, NULL);
    /* the columns that folds can change: their bases' */
    col_of = lump_alloc_array(size + 1, sizeof *col_of);
    for (size_t v = 0; v < size; v++)
        col_of[v] = NONE;
    for (size_t k = 0; k < c->n_fold; k++)
        for (size_t j = 0; j < c->fold[k].n_basis; j++)
            if (col_of[c->fold[k].basis[j]] == NONE)
                col_of[c->fold[k].basis[j]] = nb++;
    nacc = next->size * (nb + 1);
    acc = lump_alloc_array(nacc + 1, sizeof *acc);
    for (size_t x = 0; x < next->size; x++) {
        for (size_t v = 0; v < size; v++) {
            if (col_of[v] == NONE)
                continue;
            mpq_init(acc[x * (nb + 1) + col_of[v]]);
            lump_arr_get(acc[x * (nb + 1) + col_of[v]], &next->weight, x * size + v);
        }
        mpq_init(acc[x * (nb + 1) + nb]);
        lump_arr_get(acc[x * (nb + 1) + nb], &next->bias, x);
    }
    rej = lump_alloc_array(c->n_fold, sizeof *rej);
    for (size_t k = 0; k < c->n_fold; k++) {
        if (fold_add(acc, &c->fold[k], next, col_of, nb, 1, fit, 1, t, w)) {
            c->fold[nkeep++] = c->fold[k];
            continue;
        }
        (void)fold_add(acc, &c->fold[k], next, col_of, nb, -1, fit, 0, t, w);
        rej[nrej++] = c->fold[k];
    }
    c->n_fold = nkeep;
    *kept = nrej;
    lump_i_folds_free(rej, nrej);
    lump_rat_vec_free(acc, nacc);
    free(col_of);
    mpq_clears(t, w, NULL);
    return LUMP_OK;
}

/* lump_i_lumping_refine -- see stable_i.h. */
lump_error_t lump_i_lumping_refine(lump_lumping_t *dst, const lump_lumping_t *L, int keep_dead)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_lumping_alloc(dst, L->mode, L->n_inputs, L->n_layers));
    for (size_t i = 0; i < L->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        lump_layer_lumping_t *dl = &dst->layers[i];
        size_t *dead_of = lump_alloc_array(ll->size + 1, sizeof *dead_of), nb = 0;
        for (size_t v = 0; v < ll->size; v++)
            dead_of[v] = NONE;
        for (size_t k = 0; keep_dead && k < ll->n_blocks; k++)
            if (ll->blocks[k].fate == LUMP_FATE_DEAD)
                for (size_t m = 0; m < ll->blocks[k].n_members; m++)
                    dead_of[ll->blocks[k].members[m]] = k;
        dl->size = ll->size;
        dl->blocks = lump_alloc_zero(ll->size + 1, sizeof *dl->blocks);
        for (size_t v = 0; v < ll->size && err == LUMP_OK; v++) {
            const lump_block_t *src = dead_of[v] != NONE ? &ll->blocks[dead_of[v]] : NULL;
            lump_block_t *b;
            size_t low = v;
            for (size_t m = 0; src != NULL && m < src->n_members; m++)
                low = src->members[m] < low ? src->members[m] : low;
            if (low != v)
                continue; /* a dead block is listed at its lowest member */
            b = &dl->blocks[nb++];
            lump_block_init(b);
            dl->n_blocks = nb;
            if (src != NULL) {
                b->fate = LUMP_FATE_DEAD;
                b->n_members = src->n_members;
                b->members = lump_alloc_array(src->n_members, sizeof *b->members);
                memcpy(b->members, src->members, src->n_members * sizeof *b->members);
                err = lump_arr_copy(&b->scales, &src->scales);
            } else {
                b->n_members = 1;
                b->members = lump_alloc(sizeof *b->members);
                b->members[0] = v;
                err = lump_arr_alloc(&b->scales, LUMP_STORE_Q, 1);
                if (err == LUMP_OK)
                    err = lump_arr_set_d(&b->scales, 0, 1.0);
            }
        }
        free(dead_of);
        LUMP_CHECK(err);
    }
cleanup:
    return err;
}

/* Removed neurons of a lumping: all members of CONSTANT and DEAD blocks,
 * all but one of a KEEP block's. O(blocks). */
static size_t removed_by(const lump_lumping_t *L)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++) {
            const lump_block_t *b = &L->layers[i].blocks[k];
            n += b->fate != LUMP_FATE_KEEP ? b->n_members : b->n_members - 1;
        }
    return n;
}

/* lump_i_lumping_fit -- see stable_i.h. */
lump_error_t lump_i_lumping_fit(lump_lumping_t *L, lump_net_t *q, const lump_net_t *cur,
                                lump_fit_t fit, size_t *kept)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t R;
    lump_net_t r;
    lump_verdict_t valid = LUMP_FALSE;
    char why[256];
    *kept = 0;
    if (fit == LUMP_FIT_ANY || lump_net_fits(q, fit) || !lump_net_fits(cur, fit))
        return LUMP_OK;
    lump_lumping_init(&R);
    lump_net_init(&r);
    /* the dead blocks alone drop columns and change no value; should the
     * lumping's conditions not hold for the finer blocks, none at all */
    for (int keep_dead = 1; keep_dead >= 0; keep_dead--) {
        lump_lumping_clear(&R);
        lump_net_clear(&r);
        LUMP_CHECK(lump_i_lumping_refine(&R, L, keep_dead));
        LUMP_CHECK(lump_quotient(&r, cur, &R));
        LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, cur, &r, &R));
        if (valid == LUMP_TRUE && lump_net_fits(&r, fit))
            break;
    }
    if (valid != LUMP_TRUE) /* the trivial lumping is always valid */
        LUMP_CHECK(lump_error_set(LUMP_EINTERNAL, "box reduction: the trivial lumping was "
                                  "refused (%s)", why));
    *kept = removed_by(L) - removed_by(&R);
    lump_lumping_swap(L, &R);
    lump_i_net_move(q, &r);
cleanup:
    lump_lumping_clear(&R);
    lump_net_clear(&r);
    return err;
}
