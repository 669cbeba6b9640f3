/* compose.c -- the chain of a box certificate as one picture: which
 * neurons of the original network became which neuron of the result,
 * which were inactive, folded or lumped away */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/stable.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "net_i.h"

/* Where a neuron of the current network comes from: the original neurons
 * y_o = scale * y_current, by increasing original index. */
typedef struct {
    size_t n;
    size_t *orig;
    mpq_t *scale;
} origin_t;

static void origin_clear(origin_t *o)
{
    lump_rat_vec_free(o->scale, o->n);
    free(o->orig);
    memset(o, 0, sizeof *o);
}

static void origin_push(origin_t *o, size_t orig, const mpq_t scale)
{
    o->orig = lump_realloc_array(o->orig, o->n + 1, sizeof *o->orig);
    o->scale = lump_realloc_array(o->scale, o->n + 1, sizeof *o->scale);
    o->orig[o->n] = orig;
    mpq_init(o->scale[o->n]);
    mpq_set(o->scale[o->n], scale);
    o->n++;
}

/* Sort by original index (insertion: blocks are small and nearly sorted). */
static void origin_sort(origin_t *o)
{
    for (size_t i = 1; i < o->n; i++)
        for (size_t j = i; j > 0 && o->orig[j - 1] > o->orig[j]; j--) {
            size_t t = o->orig[j];
            o->orig[j] = o->orig[j - 1];
            o->orig[j - 1] = t;
            mpq_swap(o->scale[j], o->scale[j - 1]);
        }
}

typedef struct {
    size_t n_layers;
    size_t *n;       /* current neurons per layer */
    origin_t **cur;  /* their origins */
    size_t *offset;  /* of layer i's neurons in CAUSE and VALUE */
    unsigned char *cause;
    unsigned char *has_value; /* the removed neuron is a constant: VALUE */
    mpq_t *value;
} track_t;

static void track_clear(track_t *t, size_t total)
{
    for (size_t i = 0; t->cur != NULL && i < t->n_layers; i++) {
        for (size_t v = 0; t->cur[i] != NULL && v < t->n[i]; v++)
            origin_clear(&t->cur[i][v]);
        free(t->cur[i]);
    }
    for (size_t k = 0; t->value != NULL && k < total; k++)
        mpq_clear(t->value[k]);
    LUMP_FREE_ALL(t->cur, t->n, t->offset, t->value, t->has_value);
}

/* Mark every original neuron behind neuron V of layer I removed for CAUSE
 * (with value SCALE * VALUE when constant), and forget V's origins. */
static void remove_neuron(track_t *t, size_t i, size_t v, unsigned char cause, const mpq_t value)
{
    origin_t *o = &t->cur[i][v];
    for (size_t k = 0; k < o->n; k++) {
        size_t at = t->offset[i] + o->orig[k];
        t->cause[at] = cause;
        t->has_value[at] = value != NULL;
        if (value != NULL)
            mpq_mul(t->value[at], o->scale[k], value);
    }
    origin_clear(o);
}

static lump_error_t stable_step(track_t *t, lump_net_t *cur, const lump_stable_step_t *st)
{
    for (size_t li = 0; li + 1 < st->n_layers && li + 1 < cur->n_layers; li++) {
        const lump_stable_layer_t *c = &st->layers[li];
        size_t kept = 0;
        mpq_t zero;
        if (c->n_inactive + c->n_fold == 0)
            continue;
        mpq_init(zero);
        for (size_t k = 0; k < c->n_inactive; k++)
            if (c->inactive[k] < t->n[li])
                remove_neuron(t, li, c->inactive[k], LUMP_BOX_INACTIVE, zero);
        for (size_t k = 0; k < c->n_fold; k++)
            if (c->fold[k].neuron < t->n[li])
                remove_neuron(t, li, c->fold[k].neuron, LUMP_BOX_FOLDED, NULL);
        mpq_clear(zero);
        /* the survivors keep their order (lump_stable_apply_layer) */
        for (size_t v = 0; v < t->n[li]; v++)
            if (t->cur[li][v].n > 0)
                t->cur[li][kept++] = t->cur[li][v];
        if (kept == 0)
            return lump_error_set(LUMP_EUNSUPPORTED,
                                  "the box reduction removes every neuron of layer %zu (the "
                                  "network is constant on the box from there): no blocks to draw",
                                  li + 1);
        t->n[li] = kept;
        {
            lump_error_t e = lump_stable_apply_layer(cur, li, c);
            if (e != LUMP_OK)
                return e;
        }
        if (cur->layers[li].size != kept)
            return lump_error_set(LUMP_EINPUT, "the box certificate's step does not fit layer %zu",
                                  li + 1);
    }
    return LUMP_OK;
}

static lump_error_t lumping_step(track_t *t, lump_net_t *cur, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_net_t q;
    mpq_t c;
    if (L->n_layers != t->n_layers)
        return lump_error_set(LUMP_EINPUT, "a lumping step of the box certificate has %zu layers, "
                                           "the network %zu", L->n_layers, t->n_layers);
    mpq_init(c);
    lump_net_init(&q);
    for (size_t i = 0; i < L->n_layers && err == LUMP_OK; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        size_t keep = 0, j = 0;
        origin_t *next;
        if (ll->size != t->n[i]) {
            err = lump_error_set(LUMP_EINPUT, "a lumping step of the box certificate does not fit "
                                              "layer %zu", i + 1);
            break;
        }
        for (size_t k = 0; k < ll->n_blocks; k++)
            keep += ll->blocks[k].fate == LUMP_FATE_KEEP;
        next = lump_alloc_zero(keep + 1, sizeof *next);
        for (size_t k = 0; k < ll->n_blocks; k++) {
            const lump_block_t *b = &ll->blocks[k];
            for (size_t m = 0; m < b->n_members; m++) {
                origin_t *o = &t->cur[i][b->members[m]];
                if (b->fate != LUMP_FATE_KEEP) {
                    remove_neuron(t, i, b->members[m], LUMP_BOX_LUMPED,
                                  b->fate == LUMP_FATE_CONSTANT ? b->value : NULL);
                    continue;
                }
                lump_arr_get(c, &b->scales, m);
                for (size_t e = 0; e < o->n; e++) {
                    mpq_mul(o->scale[e], o->scale[e], c);
                    origin_push(&next[j], o->orig[e], o->scale[e]);
                }
            }
            if (b->fate == LUMP_FATE_KEEP)
                origin_sort(&next[j++]);
        }
        for (size_t v = 0; v < t->n[i]; v++)
            origin_clear(&t->cur[i][v]);
        free(t->cur[i]);
        t->cur[i] = next;
        t->n[i] = keep;
    }
    if (err == LUMP_OK)
        err = lump_quotient(&q, cur, L);
    if (err == LUMP_OK)
        lump_i_net_move(cur, &q);
    lump_net_clear(&q);
    mpq_clear(c);
    return err;
}

/* The lumping of NET's layer I: a KEEP block per neuron of the result, a
 * singleton per removed neuron, ordered by lowest member. */
static lump_error_t build_layer(lump_layer_lumping_t *ll, const track_t *t, size_t i,
                                size_t size)
{
    lump_error_t err = LUMP_OK;
    size_t *rep_of = lump_alloc_zero(size + 1, sizeof *rep_of), nb = 0;
    for (size_t k = 0; k < t->n[i]; k++)
        rep_of[t->cur[i][k].orig[0]] = k + 1;
    for (size_t v = 0; v < size; v++)
        nb += rep_of[v] > 0 || t->cause[t->offset[i] + v] != LUMP_BOX_KEPT;
    ll->size = size;
    ll->n_blocks = 0; /* counts the blocks initialised so far, for _clear */
    ll->blocks = lump_alloc_zero(nb + 1, sizeof *ll->blocks);
    for (size_t v = 0; v < size; v++) {
        unsigned char cause = t->cause[t->offset[i] + v];
        lump_block_t *b;
        if (rep_of[v] == 0 && cause == LUMP_BOX_KEPT)
            continue; /* a non-representative member of a KEEP block */
        b = &ll->blocks[ll->n_blocks++];
        lump_block_init(b);
        if (rep_of[v] > 0) {
            const origin_t *o = &t->cur[i][rep_of[v] - 1];
            b->n_members = o->n;
            b->members = lump_alloc_array(o->n, sizeof *b->members);
            memcpy(b->members, o->orig, o->n * sizeof *b->members);
            LUMP_CHECK(lump_arr_alloc(&b->scales, LUMP_STORE_Q, o->n));
            for (size_t m = 0; m < o->n; m++)
                LUMP_CHECK(lump_arr_set(&b->scales, m, o->scale[m]));
        } else {
            b->n_members = 1;
            b->members = lump_alloc(sizeof *b->members);
            b->members[0] = v;
            LUMP_CHECK(lump_arr_alloc(&b->scales, LUMP_STORE_Q, 1));
            LUMP_CHECK(lump_arr_set_d(&b->scales, 0, 1.0));
            /* the picture labels removed neurons by their cause; the fate
             * says whether a value goes with it */
            b->fate = t->has_value[t->offset[i] + v] ? LUMP_FATE_CONSTANT : LUMP_FATE_DEAD;
            mpq_set(b->value, t->value[t->offset[i] + v]);
        }
    }
cleanup:
    free(rep_of);
    return err;
}

/* lump_box_cert_compose -- see stable.h. */
lump_error_t lump_box_cert_compose(lump_lumping_t *L, lump_net_t *out, unsigned char **cause,
                                   const lump_net_t *net, const lump_box_cert_t *C)
{
    lump_error_t err = LUMP_OK;
    track_t t;
    size_t total = lump_net_neurons(net);
    mpq_t one;
    memset(&t, 0, sizeof t);
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    *cause = NULL;
    t.n_layers = net->n_layers;
    t.n = lump_alloc_zero(net->n_layers + 1, sizeof *t.n);
    t.offset = lump_alloc_zero(net->n_layers + 1, sizeof *t.offset);
    t.cur = lump_alloc_zero(net->n_layers + 1, sizeof *t.cur);
    t.cause = lump_alloc_zero(total + 1, 1);
    t.value = lump_alloc_array(total + 1, sizeof *t.value);
    t.has_value = lump_alloc_zero(total + 1, 1);
    for (size_t k = 0; k < total; k++)
        mpq_init(t.value[k]);
    for (size_t i = 0; i < net->n_layers; i++) {
        t.offset[i] = i == 0 ? 0 : t.offset[i - 1] + net->layers[i - 1].size;
        t.n[i] = net->layers[i].size;
        t.cur[i] = lump_alloc_zero(t.n[i] + 1, sizeof *t.cur[i]);
        for (size_t v = 0; v < t.n[i]; v++)
            origin_push(&t.cur[i][v], v, one);
    }
    LUMP_CHECK(lump_net_copy(out, net));
    for (size_t s = 0; s < C->n_steps; s++) {
        if (C->steps[s].kind == LUMP_STEP_STABLE)
            LUMP_CHECK(stable_step(&t, out, &C->steps[s].stable));
        else
            LUMP_CHECK(lumping_step(&t, out, &C->steps[s].lumping));
    }
    LUMP_CHECK(lump_lumping_alloc(L, LUMP_MODE_PROPORTIONAL, net->n_inputs, net->n_layers));
    for (size_t i = 0; i < net->n_layers; i++)
        LUMP_CHECK(build_layer(&L->layers[i], &t, i, net->layers[i].size));
    *cause = t.cause;
    t.cause = NULL;
cleanup:
    free(t.cause);
    track_clear(&t, total);
    mpq_clear(one);
    return err;
}
