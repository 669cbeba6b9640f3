/* graph_box.c -- reduction of a graph (convolutional or residual) network
 * on a box: the certified bounds of the layered box reduction on the
 * exact unrolling of the graph, relu channels that are zero at every
 * position removed as channels; and the checker of its certificate */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/graph_box.h"
#include "lumpnet/graph_bound.h"
#include "lumpnet/progress.h"
#include "stable_bounds.h"
#include "stable_i.h"
#include "alloc_i.h"

#define NONE SIZE_MAX

void lump_graph_box_cert_init(lump_graph_box_cert_t *c)
{
    c->n_cuts = 0;
    c->cuts = NULL;
    c->intervals = 0;
    lump_box_cert_init(&c->unrolled);
}

void lump_graph_box_cert_clear(lump_graph_box_cert_t *c)
{
    for (size_t k = 0; k < c->n_cuts; k++)
        free(c->cuts[k].channel);
    free(c->cuts);
    lump_box_cert_clear(&c->unrolled);
    lump_graph_box_cert_init(c);
}

/* Entries per channel of node N (its first dimension is the channel). */
static size_t per_channel(const lump_graph_node_t *n)
{
    return n->shape.dim[0] > 0 ? n->shape.size / n->shape.dim[0] : 0;
}

/* 1 for a relu node that the unrolling keeps as neurons. */
static int relu_node(const lump_graph_t *g, const lump_graph_unroll_map_t *map, size_t a)
{
    return g->nodes[a].op == LUMP_GOP_ACT && g->nodes[a].act.kind == LUMP_ACT_RELU &&
           map->layer[a] != NONE;
}

/* The channels of relu node A that are zero at every position by the
 * bounds [LO, HI] of its pre-activations (entry by entry): *CUT lists them, all but the first when every channel is (a node keeps
 * one). Counts the node's stable entries into ST. */
static void dead_channels(lump_graph_cut_t *cut, lump_graph_box_stats_t *st,
                          const lump_graph_node_t *n, const mpq_t *lo, const mpq_t *hi)
{
    const size_t per = per_channel(n), nch = n->shape.dim[0];
    cut->n = 0;
    cut->channel = lump_alloc_array(nch + 1, sizeof *cut->channel);
    for (size_t ch = 0; ch < nch; ch++) {
        int dead = 1;
        for (size_t e = ch * per; e < (ch + 1) * per; e++) {
            int off = mpq_sgn(hi[e]) <= 0, on = mpq_sgn(lo[e]) >= 0;
            st->inactive += off;
            st->active += on && !off;
            dead &= off;
        }
        if (dead)
            cut->channel[cut->n++] = ch;
    }
    if (cut->n == nch) { /* constant from here: keep channel 0 as a zero channel */
        memmove(cut->channel, cut->channel + 1, (nch - 1) * sizeof *cut->channel);
        cut->n--;
    }
}

/* CERT's unrolled part: the box, STEP (moved) with the neurons of the
 * cuts listed as inactive, and the trivial lumping of NET (the format
 * ends with a lumping, which names the result). */
static lump_error_t cert_fill(lump_graph_box_cert_t *cert, lump_stable_step_t *step,
                              const lump_graph_t *g, const lump_graph_unroll_map_t *map,
                              const lump_net_t *net, const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    lump_box_step_t *s;
    lump_lumping_t shape;
    lump_lumping_init(&shape);
    LUMP_CHECK(lump_box_alloc(&cert->unrolled.box, box->n));
    for (size_t i = 0; i < box->n; i++) {
        mpq_set(cert->unrolled.box.lo[i], box->lo[i]);
        mpq_set(cert->unrolled.box.hi[i], box->hi[i]);
    }
    for (size_t i = 0; i < step->n_layers; i++) {
        lump_stable_layer_t *c = &step->layers[i];
        free(c->inactive);
        c->inactive = lump_alloc_array(c->size + 1, sizeof *c->inactive);
        c->n_inactive = 0;
    }
    for (size_t k = 0; k < cert->n_cuts; k++) {
        const lump_graph_cut_t *cut = &cert->cuts[k];
        const size_t per = per_channel(&g->nodes[cut->node]);
        lump_stable_layer_t *c = &step->layers[map->layer[cut->node]];
        for (size_t j = 0; j < cut->n; j++)
            for (size_t e = cut->channel[j] * per; e < (cut->channel[j] + 1) * per; e++)
                c->inactive[c->n_inactive++] = map->first[cut->node] + e;
    }
    LUMP_CHECK(lump_box_cert_push(&cert->unrolled, LUMP_STEP_STABLE, &s));
    s->stable = *step;
    lump_stable_step_init(step);
    /* the trivial lumping of the network the stable step leaves */
    LUMP_CHECK(lump_lumping_alloc(&shape, LUMP_MODE_EXACT, net->n_inputs, net->n_layers));
    for (size_t i = 0; i < net->n_layers; i++)
        shape.layers[i].size = net->layers[i].size - s->stable.layers[i].n_inactive;
    LUMP_CHECK(lump_box_cert_push(&cert->unrolled, LUMP_STEP_LUMPING, &s));
    LUMP_CHECK(lump_i_lumping_refine(&s->lumping, &shape, 0));
cleanup:
    lump_lumping_clear(&shape);
    return err;
}

/* keep_cut -- the dead channels of relu node A by the bounds [LO, HI] of
 * its pre-activations, as the next cut of C when lump_graph_cut can make
 * it (TRIAL is scratch); else counted as stuck */
static void keep_cut(lump_graph_box_cert_t *C, lump_graph_box_stats_t *st, const lump_graph_t *g,
                     size_t a, const mpq_t *lo, const mpq_t *hi, lump_graph_t *trial, int verbose)
{
    lump_graph_cut_t *cut = &C->cuts[C->n_cuts];
    cut->node = a;
    dead_channels(cut, st, &g->nodes[a], lo, hi);
    if (cut->n > 0 && lump_graph_cut(trial, g, cut, 1) == LUMP_EINPUT) {
        if (verbose)
            fprintf(stderr, "graph box: %zu dead channels kept: %s\n", cut->n,
                    lump_error_message());
        st->stuck += cut->n;
        cut->n = 0;
    }
    if (cut->n == 0) {
        free(cut->channel);
        cut->channel = NULL;
        return;
    }
    st->channels += cut->n;
    st->cut_entries += cut->n * per_channel(&g->nodes[a]);
    C->n_cuts++;
}

/* relu_act -- 1 for a relu node of G */
static int relu_act(const lump_graph_t *g, size_t a)
{
    return g->nodes[a].op == LUMP_GOP_ACT && g->nodes[a].act.kind == LUMP_ACT_RELU;
}

/* reduce_ivals -- lump_graph_box_reduce by exact intervals on G itself,
 * for a network whose unrolling is too large; the certificate holds the
 * box and the cuts */
static lump_error_t reduce_ivals(lump_graph_t *out, lump_graph_box_cert_t *cert,
                                 lump_graph_box_stats_t *st, const lump_graph_t *g,
                                 const lump_box_t *box, int verbose, double t0)
{
    lump_error_t err = LUMP_OK;
    lump_graph_ivals_t iv;
    lump_graph_box_cert_t C;
    lump_graph_t trial;
    double t1 = lump_clock_seconds();
    lump_graph_ivals_init(&iv);
    lump_graph_box_cert_init(&C);
    lump_graph_init(&trial);
    st->intervals = 1;
    LUMP_CHECK(lump_graph_intervals(&iv, g, box, 64));
    st->bounds_seconds = lump_clock_seconds() - t1;
    C.cuts = lump_alloc_zero(g->n_nodes + 1, sizeof *C.cuts);
    for (size_t a = 0; a < g->n_nodes; a++) {
        size_t x;
        if (!relu_act(g, a))
            continue;
        x = g->nodes[a].in[0];
        st->relus += g->nodes[a].shape.size;
        keep_cut(&C, st, g, a, iv.lo[x], iv.hi[x], &trial, verbose);
    }
    LUMP_CHECK(lump_graph_cut(out, g, C.cuts, C.n_cuts));
    if (cert != NULL) {
        C.intervals = 1;
        LUMP_CHECK(lump_box_alloc(&C.unrolled.box, box->n));
        for (size_t i = 0; i < box->n; i++) {
            mpq_set(C.unrolled.box.lo[i], box->lo[i]);
            mpq_set(C.unrolled.box.hi[i], box->hi[i]);
        }
        lump_graph_box_cert_clear(cert);
        *cert = C;
        lump_graph_box_cert_init(&C);
    }
    st->seconds = lump_clock_seconds() - t0;
cleanup:
    lump_graph_ivals_clear(&iv);
    lump_graph_box_cert_clear(&C);
    lump_graph_clear(&trial);
    return err;
}

/* lump_graph_box_reduce -- see graph_box.h. A node whose dead channels
 * cannot be cut (lump_graph_cut refuses them alone) keeps them, counted
 * as stuck. */
lump_error_t lump_graph_box_reduce(lump_graph_t *out, lump_graph_box_cert_t *cert,
                                   lump_graph_box_stats_t *stats, const lump_graph_t *g,
                                   const lump_box_t *box, const lump_stable_opts_t *opts,
                                   size_t max_solves, size_t max_weights)
{
    lump_error_t err = LUMP_OK;
    lump_net_t net;
    lump_graph_unroll_map_t map;
    lump_stable_step_t step;
    lump_stable_opts_t o;
    lump_graph_box_stats_t st;
    lump_graph_box_cert_t C;
    lump_graph_t trial;
    double t0 = lump_clock_seconds(), t1;
    if (opts == NULL)
        lump_stable_opts_init(&o);
    else
        o = *opts;
    memset(&st, 0, sizeof st);
    lump_net_init(&net);
    lump_graph_unroll_map_init(&map);
    lump_stable_step_init(&step);
    lump_graph_box_cert_init(&C);
    lump_graph_init(&trial);
    err = lump_graph_unroll(&net, &map, g, max_weights);
    if (err == LUMP_ENOMEM) { /* too large to unroll: intervals on the graph */
        err = reduce_ivals(out, cert, &st, g, box, o.verbose, t0);
        if (err == LUMP_OK && stats != NULL)
            *stats = st;
        goto cleanup;
    }
    LUMP_CHECK(err);
    t1 = lump_clock_seconds();
    st.unroll_seconds = t1 - t0;
    st.unrolled_neurons = lump_net_neurons(&net);
    for (size_t i = 0; i + 1 < net.n_layers; i++)
        for (size_t v = 0; v < net.layers[i].size; v++)
            st.unrolled_relus += lump_layer_act(&net.layers[i], v)->kind == LUMP_ACT_RELU;
    LUMP_CHECK(lump_stable_step_alloc(&step, &net));
    LUMP_CHECK(lump_i_stable_bounds(&step, &st.lp_solves, &st.lp_tightened, &net, box, o.use_lp,
                                    o.lp_rows > 0 ? o.lp_rows : 1, max_solves, o.verbose));
    st.bounds_seconds = lump_clock_seconds() - t1;
    C.cuts = lump_alloc_zero(g->n_nodes + 1, sizeof *C.cuts);
    for (size_t a = 0; a < g->n_nodes; a++) {
        const lump_stable_layer_t *c;
        if (!relu_node(g, &map, a))
            continue;
        st.relus += g->nodes[a].shape.size;
        c = &step.layers[map.layer[a]];
        if (c->has_bounds)
            keep_cut(&C, &st, g, a, c->lo + map.first[a], c->hi + map.first[a], &trial, o.verbose);
    }
    LUMP_CHECK(lump_graph_cut(out, g, C.cuts, C.n_cuts));
    if (cert != NULL) {
        LUMP_CHECK(cert_fill(&C, &step, g, &map, &net, box));
        lump_graph_box_cert_clear(cert);
        *cert = C;
        lump_graph_box_cert_init(&C);
    }
    st.seconds = lump_clock_seconds() - t0;
    if (stats != NULL)
        *stats = st;
cleanup:
    lump_net_clear(&net);
    lump_graph_unroll_map_clear(&map);
    lump_stable_step_clear(&step);
    lump_graph_box_cert_clear(&C);
    lump_graph_clear(&trial);
    return err;
}

/* ---- the checker ---------------------------------------------------------- */

/* Part of the trusted base, with lump_box_cert_check (which it calls),
 * lump_graph_unroll and lump_graph_cut. Why the checks suffice: the box
 * checker proves every claimed bound of the unrolled network N = G on the
 * box, so each neuron listed inactive is a relu with hi <= 0, 0 at every
 * point of the box; the unrolling's map says which entries of G's relu
 * nodes those neurons are (N computes them exactly), so every entry of a
 * cut channel is 0 on the box; lump_graph_cut removes only such channels
 * and their terms, so its result equals G on the box, and OUT is that
 * result node by node. */

#define FAIL(...) (snprintf(why, whylen, __VA_ARGS__), *valid = LUMP_FALSE)

/* How a checker decides that entry E of relu node NODE is inactive on the
 * box: returns 1, or 0 after writing why not into DETAIL. */
typedef int (*entry_off_fn)(const void *ctx, size_t node, size_t e, char *detail, size_t dlen);

/* check_cuts -- every cut names a relu node (IS_RELU) and channels it has,
 * and OFF says every entry of every cut channel is inactive; else FAIL
 * says which is not */
static void check_cuts(lump_verdict_t *valid, char *why, size_t whylen, const lump_graph_t *g,
                       const lump_graph_box_cert_t *cert, int (*is_relu)(const void *, size_t),
                       entry_off_fn off, const void *ctx)
{
    char detail[256];
    for (size_t k = 0; k < cert->n_cuts && *valid == LUMP_TRUE; k++) {
        const lump_graph_cut_t *cut = &cert->cuts[k];
        size_t per;
        if (cut->node >= g->n_nodes || !is_relu(ctx, cut->node)) {
            FAIL("cut %zu: node %zu is not a relu node of the network", k + 1, cut->node);
            return;
        }
        per = per_channel(&g->nodes[cut->node]);
        for (size_t j = 0; j < cut->n && *valid == LUMP_TRUE; j++) {
            size_t ch = cut->channel[j];
            if (ch >= g->nodes[cut->node].shape.dim[0]) {
                FAIL("cut %zu: node %zu has no channel %zu", k + 1, cut->node, ch);
                break;
            }
            for (size_t e = ch * per; e < (ch + 1) * per; e++)
                if (!off(ctx, cut->node, e, detail, sizeof detail)) {
                    FAIL("cut %zu: entry %zu of channel %zu of node %zu %s", k + 1, e - ch * per,
                         ch, cut->node, detail);
                    break;
                }
        }
    }
}

/* The unrolled evidence: G's unrolling MAP and, per unrolled layer, which
 * neurons the stable step lists inactive. */
typedef struct {
    const lump_graph_t *g;
    const lump_graph_unroll_map_t *map;
    char **off;
} unrolled_ctx_t;

static int unrolled_relu(const void *ctx, size_t a)
{
    const unrolled_ctx_t *u = ctx;
    return relu_node(u->g, u->map, a);
}

static int unrolled_off(const void *ctx, size_t a, size_t e, char *detail, size_t dlen)
{
    const unrolled_ctx_t *u = ctx;
    size_t l = u->map->layer[a], v = u->map->first[a] + e;
    if (u->off[l][v])
        return 1;
    snprintf(detail, dlen, "(neuron %zu of unrolled layer %zu) is not proven inactive on the box",
             v, l + 1);
    return 0;
}

/* Every entry of every cut channel is a neuron listed inactive in the
 * stable step ST of the unrolling (MAP); else FAIL says which is not. */
static void cuts_inactive(lump_verdict_t *valid, char *why, size_t whylen, const lump_graph_t *g,
                          const lump_graph_unroll_map_t *map, const lump_stable_step_t *st,
                          const lump_graph_box_cert_t *cert)
{
    unrolled_ctx_t u = {g, map, lump_alloc_zero(st->n_layers + 1, sizeof(char *))};
    for (size_t l = 0; l < st->n_layers; l++) {
        const lump_stable_layer_t *c = &st->layers[l];
        u.off[l] = lump_alloc_zero(c->size + 1, 1);
        for (size_t j = 0; j < c->n_inactive; j++)
            if (c->inactive[j] < c->size)
                u.off[l][c->inactive[j]] = 1;
    }
    check_cuts(valid, why, whylen, g, cert, unrolled_relu, unrolled_off, &u);
    for (size_t l = 0; l < st->n_layers; l++)
        free(u.off[l]);
    free(u.off);
}

/* The interval evidence: G and its enclosures IV. */
typedef struct {
    const lump_graph_t *g;
    const lump_graph_ivals_t *iv;
} ivals_ctx_t;

static int ivals_relu(const void *ctx, size_t a)
{
    return relu_act(((const ivals_ctx_t *)ctx)->g, a);
}

static int ivals_off(const void *ctx, size_t a, size_t e, char *detail, size_t dlen)
{
    const ivals_ctx_t *c = ctx;
    size_t x = c->g->nodes[a].in[0];
    if (mpq_sgn(c->iv->hi[x][e]) <= 0)
        return 1;
    snprintf(detail, dlen, "is not inactive on the box (its pre-activation reaches %.6g)",
             mpq_get_d(c->iv->hi[x][e]));
    return 0;
}

/* check_ivals -- an INTERVALS certificate: BOX lies in the certificate's
 * box, and the exact intervals of G over that box put every
 * pre-activation of every cut channel at or below 0. Why it suffices:
 * interval arithmetic in exact rationals encloses every entry of G at
 * every point of the box (each rule is the exact range of its operation
 * over a product of intervals, or contains it), so such an entry's relu
 * is 0 on the box. */
static lump_error_t check_ivals(lump_verdict_t *valid, char *why, size_t whylen,
                                const lump_graph_t *g, const lump_box_t *box,
                                const lump_graph_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    const lump_box_t *cb = &cert->unrolled.box;
    lump_graph_ivals_t iv;
    lump_graph_ivals_init(&iv);
    *valid = LUMP_TRUE;
    if (cb->n != box->n || cb->n != lump_graph_n_inputs(g)) {
        FAIL("the certificate's box has %zu dimensions, the box %zu, the network %zu inputs",
             cb->n, box->n, lump_graph_n_inputs(g));
        goto cleanup;
    }
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], cb->lo[i]) < 0 || mpq_cmp(box->hi[i], cb->hi[i]) > 0) {
            FAIL("input %zu: the box is not inside the certificate's box", i + 1);
            goto cleanup;
        }
    LUMP_CHECK(lump_graph_intervals(&iv, g, cb, 64));
    {
        ivals_ctx_t c = {g, &iv};
        check_cuts(valid, why, whylen, g, cert, ivals_relu, ivals_off, &c);
    }
cleanup:
    lump_graph_ivals_clear(&iv);
    return err;
}

/* lump_graph_box_cert_check -- see graph_box.h. */
lump_error_t lump_graph_box_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                       const lump_graph_t *g, const lump_graph_t *out,
                                       const lump_box_t *box, const lump_graph_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    lump_net_t net, red;
    lump_graph_unroll_map_t map;
    lump_graph_t expect;
    const lump_box_cert_t *u = &cert->unrolled;
    size_t d;
    *valid = LUMP_FALSE;
    snprintf(why, whylen, "not checked");
    lump_net_init(&net);
    lump_net_init(&red);
    lump_graph_unroll_map_init(&map);
    lump_graph_init(&expect);
    if (cert->intervals) {
        LUMP_CHECK(check_ivals(valid, why, whylen, g, box, cert));
        if (*valid != LUMP_TRUE)
            goto cleanup;
        goto cut;
    }
    LUMP_CHECK(lump_graph_unroll(&net, &map, g, 0));
    if (u->n_steps != 2 || u->steps[0].kind != LUMP_STEP_STABLE) {
        FAIL("the unrolled certificate must be one stable step and the closing lumping, not "
             "%zu steps", u->n_steps);
        goto cleanup;
    }
    for (size_t i = 0; i < u->steps[0].stable.n_layers; i++)
        if (u->steps[0].stable.layers[i].n_fold > 0) {
            FAIL("the unrolled certificate folds neurons of layer %zu (a graph reduction only "
                 "removes inactive channels)", i + 1);
            goto cleanup;
        }
    /* the unrolled result the step makes; the box checker then confirms
     * every claim of the step and the closing lumping against it */
    err = lump_box_cert_apply(&red, &net, u);
    if (err == LUMP_EINPUT) {
        FAIL("the unrolled certificate does not fit the network: %s", lump_error_message());
        err = LUMP_OK;
        goto cleanup;
    }
    LUMP_CHECK(err);
    LUMP_CHECK(lump_box_cert_check(valid, why, whylen, &net, &red, box, u));
    if (*valid != LUMP_TRUE)
        goto cleanup;
    cuts_inactive(valid, why, whylen, g, &map, &u->steps[0].stable, cert);
    if (*valid != LUMP_TRUE)
        goto cleanup;
cut:
    err = lump_graph_cut(&expect, g, cert->cuts, cert->n_cuts);
    if (err == LUMP_EINPUT) {
        FAIL("the cuts cannot be made: %s", lump_error_message());
        err = LUMP_OK;
        goto cleanup;
    }
    LUMP_CHECK(err);
    d = lump_graph_diff(&expect, out);
    if (d != NONE)
        FAIL("the reduced network is not the network with the certified channels removed: "
             "node %zu differs", d);
cleanup:
    if (err != LUMP_OK)
        *valid = LUMP_FALSE;
    lump_net_clear(&net);
    lump_net_clear(&red);
    lump_graph_unroll_map_clear(&map);
    lump_graph_clear(&expect);
    return err;
}
