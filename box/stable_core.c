/* stable_core.c -- box certificates in memory, and the exact reduction of
 * one layer by its stable-step claims (shared by reducer and checker) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "lumpnet/stable.h"
#include "alloc_i.h"

#define NONE SIZE_MAX

static void evidence_clear(lump_lp_evidence_t *e)
{
    lump_rat_vec_free(e->value, e->n);
    free(e->layer);
    free(e->row_neuron);
    free(e->kind);
    memset(e, 0, sizeof *e);
}

static void fold_clear(lump_fold_t *f)
{
    lump_rat_vec_free(f->lambda, f->n_basis);
    free(f->basis);
    mpq_clear(f->mu);
}

static void slayer_clear(lump_stable_layer_t *l)
{
    if (l->lo != NULL)
        for (size_t v = 0; v < l->size; v++) {
            mpq_clear(l->lo[v]);
            mpq_clear(l->hi[v]);
        }
    free(l->lo);
    free(l->hi);
    for (size_t k = 0; k < l->n_evidence; k++)
        evidence_clear(&l->evidence[k]);
    free(l->evidence);
    free(l->inactive);
    for (size_t k = 0; k < l->n_fold; k++)
        fold_clear(&l->fold[k]);
    free(l->fold);
    memset(l, 0, sizeof *l);
}

void lump_stable_step_init(lump_stable_step_t *s)
{
    memset(s, 0, sizeof *s);
}

void lump_stable_step_clear(lump_stable_step_t *s)
{
    for (size_t i = 0; i < s->n_layers && s->layers != NULL; i++)
        slayer_clear(&s->layers[i]);
    free(s->layers);
    lump_stable_step_init(s);
}

/* lump_stable_step_alloc -- see stable.h. Bounds arrays are allocated
 * (initialised to 0) for every layer; HAS_BOUNDS starts at 0. */
lump_error_t lump_stable_step_alloc(lump_stable_step_t *s, const lump_net_t *net)
{
    lump_stable_step_clear(s);
    s->layers = lump_alloc_zero(net->n_layers > 0 ? net->n_layers : 1, sizeof *s->layers);
    s->n_inputs = net->n_inputs;
    s->n_layers = net->n_layers;
    for (size_t i = 0; i < net->n_layers; i++) {
        lump_stable_layer_t *l = &s->layers[i];
        size_t n = net->layers[i].size;
        l->lo = lump_alloc_array(n > 0 ? n : 1, sizeof *l->lo);
        l->hi = lump_alloc_array(n > 0 ? n : 1, sizeof *l->hi);
        l->size = n;
        for (size_t v = 0; v < n; v++) {
            mpq_init(l->lo[v]);
            mpq_init(l->hi[v]);
        }
    }
    return LUMP_OK;
}

void lump_box_cert_init(lump_box_cert_t *c)
{
    memset(c, 0, sizeof *c);
    lump_box_init(&c->box);
}

void lump_box_cert_clear(lump_box_cert_t *c)
{
    for (size_t k = 0; k < c->n_steps; k++) {
        lump_stable_step_clear(&c->steps[k].stable);
        lump_lumping_clear(&c->steps[k].lumping);
    }
    free(c->steps);
    lump_box_clear(&c->box);
    lump_box_cert_init(c);
}

lump_error_t lump_box_cert_push(lump_box_cert_t *c, lump_step_kind_t kind, lump_box_step_t **step)
{
    lump_box_step_t *p = lump_realloc_array(c->steps, c->n_steps + 1, sizeof *p);
    c->steps = p;
    p = &c->steps[c->n_steps++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    lump_stable_step_init(&p->stable);
    lump_lumping_init(&p->lumping);
    *step = p;
    return LUMP_OK;
}

/* ---- reducing one layer ------------------------------------------------ */

/* DST = layer SRC restricted to the neurons KEPT[0..nk), same inputs. */
static lump_error_t keep_rows(lump_layer_t *dst, const lump_layer_t *src, const size_t *kept,
                              size_t nk, mpq_t t)
{
    lump_error_t err = LUMP_OK;
    const size_t n = src->in_size;
    dst->size = nk;
    dst->in_size = n;
    lump_act_set(&dst->act, &src->act);
    LUMP_CHECK(lump_arr_alloc(&dst->weight, src->weight.store, nk * n));
    LUMP_CHECK(lump_arr_alloc(&dst->bias, src->bias.store, nk));
    for (size_t j = 0; j < nk; j++) {
        for (size_t u = 0; u < n; u++) {
            if (lump_arr_sgn(&src->weight, kept[j] * n + u) == 0)
                continue;
            lump_arr_get(t, &src->weight, kept[j] * n + u);
            LUMP_CHECK(lump_arr_set(&dst->weight, j * n + u, t));
        }
        lump_arr_get(t, &src->bias, kept[j]);
        LUMP_CHECK(lump_arr_set(&dst->bias, j, t));
        if (src->neuron_act != NULL)
            LUMP_CHECK(lump_layer_set_neuron_act(dst, j, &src->neuron_act[kept[j]]));
    }
cleanup:
    return err;
}

/* lump_stable_apply_layer -- see stable.h. Errors: LUMP_EINPUT when LI is
 * not a hidden layer, an index is out of range, a neuron is removed twice,
 * or a fold's basis neuron is itself removed. On error NET is
 * unchanged. */
lump_error_t lump_stable_apply_layer(lump_net_t *net, size_t li, const lump_stable_layer_t *c)
{
    lump_error_t err = LUMP_OK;
    lump_layer_t nl, nx;
    size_t *newidx = NULL, *kept = NULL, nk = 0, size, nsize;
    int moved = 0;
    mpq_t *acc = NULL, bacc, t, wv;
    const lump_layer_t *L, *X;
    if (li + 1 >= net->n_layers)
        return lump_error_set(LUMP_EINPUT, "stable step: layer %zu is not a hidden layer", li + 1);
    lump_layer_init(&nl);
    lump_layer_init(&nx);
    mpq_inits(bacc, t, wv, NULL);
    L = &net->layers[li];
    X = &net->layers[li + 1];
    size = L->size;
    nsize = X->size;
    newidx = lump_alloc_array(size, sizeof *newidx);
    kept = lump_alloc_array(size, sizeof *kept);
    acc = lump_alloc_array(size, sizeof *acc);
    for (size_t v = 0; v < size; v++) {
        newidx[v] = 0;
        mpq_init(acc[v]);
    }
    /* newidx: 0 = kept (renumbered below), 1 = removed */
    for (size_t k = 0; k < c->n_inactive + c->n_fold; k++) {
        size_t v = k < c->n_inactive ? c->inactive[k] : c->fold[k - c->n_inactive].neuron;
        if (v >= size || newidx[v] != 0) {
            err = lump_error_set(LUMP_EINPUT,
                                 "stable step: layer %zu: neuron %zu is out of range or removed "
                                 "twice",
                                 li + 1, v);
            goto cleanup;
        }
        newidx[v] = 1;
    }
    for (size_t v = 0; v < size; v++)
        if (newidx[v] == 0) {
            kept[nk] = v;
            newidx[v] = nk++;
        } else
            newidx[v] = NONE;
    for (size_t k = 0; k < c->n_fold; k++)
        for (size_t j = 0; j < c->fold[k].n_basis; j++) {
            size_t b = c->fold[k].basis[j];
            if (b >= size || newidx[b] == NONE) {
                err = lump_error_set(LUMP_EINPUT,
                                     "stable step: layer %zu: fold of neuron %zu uses neuron %zu, "
                                     "which is out of range or removed",
                                     li + 1, c->fold[k].neuron, b);
                goto cleanup;
            }
        }
    if (nk > 0) {
        LUMP_CHECK(keep_rows(&nl, L, kept, nk, t));
    } else {
        /* Every neuron removed: each outputs a constant on the box (0, or
         * the mu of a fold on an empty basis), so the network is constant
         * from here on. Networks have no empty layers: the layer becomes
         * one zero neuron (no weights, bias 0, the activation of neuron 0,
         * which is piecewise linear since it was removed, so it outputs 0)
         * whose column in the next layer is 0. */
        nl.size = 1;
        nl.in_size = L->in_size;
        lump_act_set(&nl.act, lump_layer_act(L, 0));
        LUMP_CHECK(lump_arr_alloc(&nl.weight, L->weight.store, L->in_size));
        LUMP_CHECK(lump_arr_alloc(&nl.bias, L->bias.store, 1));
    }
    /* the next layer: same neurons, columns of the kept neurons, with the
     * folded neurons' weights redistributed over their bases */
    nx.size = nsize;
    nx.in_size = nk > 0 ? nk : 1;
    lump_act_set(&nx.act, &X->act);
    LUMP_CHECK(lump_arr_alloc(&nx.weight, X->weight.store, nsize * nx.in_size));
    LUMP_CHECK(lump_arr_alloc(&nx.bias, X->bias.store, nsize));
    for (size_t x = 0; x < nsize; x++) {
        const size_t base = x * size;
        lump_arr_get(bacc, &X->bias, x);
        for (size_t j = 0; j < nk; j++)
            lump_arr_get(acc[j], &X->weight, base + kept[j]);
        for (size_t k = 0; k < c->n_fold; k++) {
            const lump_fold_t *f = &c->fold[k];
            if (lump_arr_sgn(&X->weight, base + f->neuron) == 0)
                continue;
            lump_arr_get(wv, &X->weight, base + f->neuron);
            for (size_t j = 0; j < f->n_basis; j++) {
                mpq_mul(t, f->lambda[j], wv);
                mpq_add(acc[newidx[f->basis[j]]], acc[newidx[f->basis[j]]], t);
            }
            mpq_mul(t, f->mu, wv);
            mpq_add(bacc, bacc, t);
        }
        for (size_t j = 0; j < nk; j++)
            if (mpq_sgn(acc[j]) != 0)
                LUMP_CHECK(lump_arr_set(&nx.weight, x * nx.in_size + j, acc[j]));
        LUMP_CHECK(lump_arr_set(&nx.bias, x, bacc));
        if (X->neuron_act != NULL)
            LUMP_CHECK(lump_layer_set_neuron_act(&nx, x, &X->neuron_act[x]));
    }
    lump_layer_clear(&net->layers[li]);
    lump_layer_clear(&net->layers[li + 1]);
    net->layers[li] = nl;
    net->layers[li + 1] = nx;
    moved = 1;
cleanup:
    if (!moved) {
        lump_layer_clear(&nl);
        lump_layer_clear(&nx);
    }
    lump_rat_vec_free(acc, size);
    LUMP_FREE_ALL(newidx, kept);
    mpq_clears(bacc, t, wv, NULL);
    return err;
}
