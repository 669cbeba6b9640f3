/* bound_pair.c -- which neuron of g each neuron of f is compared with: by
 * index, or through the blocks of a lumping (DESIGN section 3) */
#include <stdlib.h>
#include <string.h>
#include "bound_util.h"
#include "bound_sym.h"
#include "alloc_i.h"

void lump_i_pair_init(lump_i_pair_t *p)
{
    memset(p, 0, sizeof *p);
}

void lump_i_pair_clear(lump_i_pair_t *p)
{
    for (size_t i = 0; i <= p->n_layers && p->pi != NULL; i++) {
        for (size_t v = 0; p->c != NULL && p->c[i] != NULL && v < p->nf[i]; v++) {
            mpq_clear(p->c[i][v]);
            mpq_clear(p->kappa[i][v]);
        }
        free(p->pi[i]);
        if (p->c != NULL) {
            free(p->c[i]);
            free(p->kappa[i]);
        }
        if (p->cm != NULL) {
            free(p->cm[i]);
            free(p->cr[i]);
            free(p->kl[i]);
            free(p->kh[i]);
        }
    }
    LUMP_FREE_ALL(p->pi, p->c, p->kappa, p->cm, p->cr, p->kl, p->kh, p->nf, p->ng);
    lump_i_pair_init(p);
}

static void pair_alloc(lump_i_pair_t *p, const lump_net_t *f, const lump_net_t *g)
{
    /* the four tables of a row of doubles per layer, made alike */
    double ***const tab[] = {&p->cm, &p->cr, &p->kl, &p->kh};
    size_t k = f->n_layers;
    p->nf = lump_alloc_zero(k + 1, sizeof *p->nf);
    p->ng = lump_alloc_zero(k + 1, sizeof *p->ng);
    p->pi = lump_alloc_zero(k + 1, sizeof *p->pi);
    p->c = lump_alloc_zero(k + 1, sizeof *p->c);
    p->kappa = lump_alloc_zero(k + 1, sizeof *p->kappa);
    for (size_t t = 0; t < 4; t++)
        *tab[t] = lump_alloc_zero(k + 1, sizeof **tab[t]);
    p->n_layers = k;
    for (size_t i = 0; i <= k; i++) {
        size_t n = i == 0 ? f->n_inputs : f->layers[i - 1].size;
        p->ng[i] = i == 0 ? g->n_inputs : g->layers[i - 1].size;
        p->pi[i] = lump_alloc_array(n + 1, sizeof **p->pi);
        p->c[i] = lump_alloc_array(n + 1, sizeof **p->c);
        p->kappa[i] = lump_alloc_array(n + 1, sizeof **p->kappa);
        for (size_t t = 0; t < 4; t++)
            (*tab[t])[i] = lump_alloc_array(n + 1, sizeof(double));
        for (size_t v = 0; v < n; v++) {
            mpq_init(p->c[i][v]);
            mpq_init(p->kappa[i][v]);
            p->pi[i][v] = LUMP_I_UNPAIRED;
        }
        p->nf[i] = n; /* set last: _clear frees only initialised entries */
    }
}

/* Pair neuron V of F's layer I with neuron W of G's, scale C, when the
 * activations and the scale allow it (else it stays unpaired). */
static void pair_set(lump_i_pair_t *p, const lump_net_t *f, const lump_net_t *g, size_t i, size_t v,
                     size_t w, const mpq_t c)
{
    const lump_act_t *af = lump_layer_act(&f->layers[i - 1], v);
    if (!lump_act_equal(af, lump_layer_act(&g->layers[i - 1], w)) || !lump_i_act_scale_ok(af, c))
        return;
    p->pi[i][v] = w;
    mpq_set(p->c[i][v], c);
}

/* The doubles next to the exact scales and offsets. */
static void pair_doubles(lump_i_pair_t *p)
{
    for (size_t i = 0; i <= p->n_layers; i++)
        for (size_t v = 0; v < p->nf[i]; v++) {
            double lo = lump_i_q_down(p->c[i][v]), hi = lump_i_q_up(p->c[i][v]);
            p->cm[i][v] = lo;
            p->cr[i][v] = hi - lo;
            p->kl[i][v] = lump_i_q_down(p->kappa[i][v]);
            p->kh[i][v] = lump_i_q_up(p->kappa[i][v]);
        }
}

/* The blocks of L as a pairing; LUMP_EINPUT when L is not a lumping of F
 * whose kept blocks have G's layer sizes. */
static lump_error_t pair_lumping(lump_i_pair_t *p, const lump_net_t *f, const lump_net_t *g,
                                 const lump_lumping_t *L)
{
    mpq_t c;
    lump_error_t err = LUMP_OK;
    mpq_init(c);
    if (L->n_layers != f->n_layers) {
        err = lump_error_set(LUMP_EINPUT, "bound: the lumping has %zu layers, the network %zu",
                             L->n_layers, f->n_layers);
        goto cleanup;
    }
    for (size_t i = 1; i <= f->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i - 1];
        size_t keep = 0;
        if (ll->size != p->nf[i]) {
            err = lump_error_set(LUMP_EINPUT,
                                 "bound: layer %zu of the lumping covers %zu "
                                 "neurons, the network has %zu",
                                 i, ll->size, p->nf[i]);
            goto cleanup;
        }
        for (size_t b = 0; b < ll->n_blocks; b++)
            keep += ll->blocks[b].fate == LUMP_FATE_KEEP;
        if (keep != p->ng[i]) {
            err = lump_error_set(LUMP_EINPUT,
                                 "bound: layer %zu of the lumping keeps %zu blocks, "
                                 "the second network has %zu neurons there",
                                 i, keep, p->ng[i]);
            goto cleanup;
        }
        keep = 0;
        for (size_t b = 0; b < ll->n_blocks; b++) {
            const lump_block_t *B = &ll->blocks[b];
            for (size_t j = 0; j < B->n_members; j++) {
                size_t v = B->members[j];
                if (v >= p->nf[i]) {
                    err = lump_error_set(LUMP_EINPUT,
                                         "bound: layer %zu of the lumping names "
                                         "neuron %zu of %zu",
                                         i, v, p->nf[i]);
                    goto cleanup;
                }
                if (B->fate == LUMP_FATE_KEEP) {
                    lump_arr_get(c, &B->scales, j);
                    pair_set(p, f, g, i, v, keep, c);
                } else if (B->fate == LUMP_FATE_CONSTANT)
                    mpq_set(p->kappa[i][v], B->value);
            }
            keep += B->fate == LUMP_FATE_KEEP;
        }
    }
cleanup:
    mpq_clear(c);
    return err;
}

/* lump_i_pair_build -- see bound_sym.h. */
lump_error_t lump_i_pair_build(lump_i_pair_t *p, const lump_net_t *f, const lump_net_t *g,
                               const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    size_t k = f->n_layers;
    int same = f->n_layers == g->n_layers;
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    lump_i_pair_clear(p);
    if (k == 0 || g->n_layers != k) {
        err = lump_error_set(LUMP_EINPUT,
                             "bound: paired networks need the same depth (%zu and "
                             "%zu layers)",
                             k, g->n_layers);
        goto cleanup;
    }
    for (size_t i = 0; same && i < k; i++)
        same = f->layers[i].size == g->layers[i].size;
    pair_alloc(p, f, g);
    for (size_t u = 0; u < f->n_inputs; u++) {
        p->pi[0][u] = u;
        mpq_set_ui(p->c[0][u], 1, 1);
    }
    if (L != NULL)
        LUMP_CHECK(pair_lumping(p, f, g, L));
    else if (same)
        for (size_t i = 1; i <= k; i++)
            for (size_t v = 0; v < p->nf[i]; v++)
                pair_set(p, f, g, i, v, v, one);
    /* the outputs are what is compared: always by index, scale 1 */
    for (size_t v = 0; v < p->nf[k]; v++) {
        p->pi[k][v] = LUMP_I_UNPAIRED;
        mpq_set_ui(p->kappa[k][v], 0, 1);
        if (v < p->ng[k])
            pair_set(p, f, g, k, v, v, one);
    }
    pair_doubles(p);
cleanup:
    mpq_clear(one);
    if (err != LUMP_OK)
        lump_i_pair_clear(p);
    return err;
}
