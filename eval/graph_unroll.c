/* graph_unroll.c -- a graph network's tensors as exact affine expressions
 * over neurons (the first half of lump_graph_unroll; unroll_layers.c lays
 * the neurons out in layers) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/graph.h"
#include "lumpnet/alloc.h"
#include "lumpnet/progress.h"
#include "graph_i.h"
#include "unroll_i.h"
#include "unroll_layers_i.h"

/* one_row -- the builder's current row += C * row R of X, then end it */
static void one_row(lump_i_ub_t *b, const mpq_t c, const lump_i_ux_t *x, size_t r)
{
    lump_i_ub_add(b, c, x, r);
    lump_i_ub_end_row(b);
}

/* bias -- add entry I of N's bias (when it has one) to the current row */
static void bias(lump_i_ub_t *b, const lump_graph_node_t *n, size_t i, mpq_t t)
{
    if (n->has_bias && lump_arr_sgn(&n->bias, i) != 0) {
        lump_arr_get(t, &n->bias, i);
        lump_i_ub_add_const(b, t);
    }
}

static void dense(lump_i_ub_t *b, const lump_graph_node_t *n, const lump_i_ux_t *x, mpq_t w)
{
    const size_t nin = x->n;
    for (size_t j = 0; j < n->shape.size; j++) {
        for (size_t i = 0; i < nin; i++)
            if (lump_arr_sgn(&n->weight, j * nin + i) != 0) {
                lump_arr_get(w, &n->weight, j * nin + i);
                lump_i_ub_add(b, w, x, i);
            }
        bias(b, n, j, w);
        lump_i_ub_end_row(b);
    }
}

static void conv(lump_i_ub_t *b, const lump_graph_node_t *n, const lump_shape_t *xs,
                 const lump_i_ux_t *x, mpq_t w)
{
    const long C = (long)xs->dim[0], H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long CO = (long)n->shape.dim[0], OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const long kh = (long)n->kh, kw = (long)n->kw, cpg = C / (long)n->group;
    const long opg = CO / (long)n->group;
    for (long co = 0; co < CO; co++)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                for (long cl = 0; cl < cpg; cl++) {
                    long ci = (co / opg) * cpg + cl;
                    for (long ky = 0; ky < kh; ky++) {
                        long iy = oy * (long)n->sh + ky * (long)n->dh - (long)n->pt;
                        if (iy < 0 || iy >= H)
                            continue;
                        for (long kx = 0; kx < kw; kx++) {
                            long ix = ox * (long)n->sw + kx * (long)n->dw - (long)n->pl;
                            size_t k = (size_t)(((co * cpg + cl) * kh + ky) * kw + kx);
                            if (ix < 0 || ix >= W || lump_arr_sgn(&n->weight, k) == 0)
                                continue;
                            lump_arr_get(w, &n->weight, k);
                            lump_i_ub_add(b, w, x, (size_t)((ci * H + iy) * W + ix));
                        }
                    }
                }
                bias(b, n, (size_t)co, w);
                lump_i_ub_end_row(b);
            }
}

/* window -- the input entries of pool node N's window at output (C, OY,
 * OX), in the order of the kernel taps, into IDX; returns their count */
static size_t window(size_t *idx, const lump_graph_node_t *n, const lump_shape_t *xs, long c,
                     long oy, long ox)
{
    const long H = (long)xs->dim[1], W = (long)xs->dim[2];
    lump_i_pool_window_t w;
    size_t k = 0;
    lump_i_graph_pool_window(&w, n, H, W, oy, ox);
    for (long r = 0; r < w.rows; r++)
        for (long q = 0; q < w.cols; q++)
            idx[k++] = (size_t)(c * H * W + w.first + r * w.row_step + q * w.col_step);
    return k;
}

static void avgpool(lump_i_ub_t *b, const lump_graph_node_t *n, const lump_shape_t *xs,
                    const lump_i_ux_t *x, mpq_t w)
{
    const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    size_t *idx = lump_alloc_array(n->kh * n->kw + 1, sizeof *idx);
    for (long c = 0; c < (long)n->shape.dim[0]; c++)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                size_t k = window(idx, n, xs, c, oy, ox);
                long cnt = lump_i_graph_pool_count(n, (long)xs->dim[1], (long)xs->dim[2], oy, ox);
                mpq_set_ui(w, 1, (unsigned long)cnt);
                for (size_t i = 0; i < k; i++)
                    lump_i_ub_add(b, w, x, idx[i]);
                lump_i_ub_end_row(b);
            }
    free(idx);
}

static void pad(lump_i_ub_t *b, const lump_graph_node_t *n, const lump_shape_t *xs,
                const lump_i_ux_t *x, mpq_t one)
{
    size_t *inv = lump_alloc_array(n->shape.size + 1, sizeof *inv);
    for (size_t o = 0; o < n->shape.size; o++)
        inv[o] = SIZE_MAX;
    for (size_t e = 0; e < xs->size; e++)
        inv[lump_i_graph_pad_target(n, xs, e)] = e;
    for (size_t o = 0; o < n->shape.size; o++) {
        if (inv[o] != SIZE_MAX)
            lump_i_ub_add(b, one, x, inv[o]);
        lump_i_ub_end_row(b);
    }
    free(inv);
}

/* maxpool -- the windows' maxima by a tournament: each round pairs the
 * values of a window, max(a, b) = b + relu(a - b), with one relu neuron
 * for a - b; b stays an expression over earlier sources, which the layout
 * carries forward when read deeper (cheaper than one identity neuron per
 * value when the values share their sources, as pre-activations over the
 * inputs do). Rounds: ceil(log2 of the largest window). When ACT is not
 * NULL (the maximum of an activation folded, see fold_act), the maxima
 * become the pre-activations of a block of ACT neurons for node I, and Y
 * their values. */
static lump_error_t maxpool(lump_i_unroll_t *u, const lump_graph_node_t *n, const lump_shape_t *xs,
                            const lump_i_ux_t *x, const lump_act_t *act, size_t i, lump_i_ux_t *y)
{
    lump_error_t err = LUMP_OK;
    const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const size_t nout = n->shape.size;
    size_t *cnt = lump_alloc_array(nout, sizeof *cnt);
    size_t *idx = lump_alloc_array(n->kh * n->kw + 1, sizeof *idx);
    size_t most = 0, o = 0;
    lump_i_ux_t v, r, m;
    mpq_t one, mone;
    lump_act_t relu;
    memset(&v, 0, sizeof v);
    memset(&r, 0, sizeof r);
    memset(&m, 0, sizeof m);
    mpq_init(one);
    mpq_init(mone);
    mpq_set_si(one, 1, 1);
    mpq_set_si(mone, -1, 1);
    lump_act_init(&relu);
    relu.kind = LUMP_ACT_RELU;
    /* round 0: the window entries themselves (an empty window is 0) */
    for (long c = 0; c < (long)n->shape.dim[0]; c++)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++, o++) {
                size_t k = window(idx, n, xs, c, oy, ox);
                for (size_t e = 0; e < k; e++)
                    one_row(&u->b, one, x, idx[e]);
                if (k == 0)
                    lump_i_ub_end_row(&u->b);
                cnt[o] = k > 0 ? k : 1;
                most = cnt[o] > most ? cnt[o] : most;
            }
    LUMP_CHECK(lump_i_ub_finish(&u->b, &v));
    while (most > 1) {
        size_t at = 0, rs, pi = 0;
        for (o = 0; o < nout; o++, at += cnt[o - 1])
            for (size_t p = 0; p + 1 < cnt[o]; p += 2) {
                lump_i_ub_add(&u->b, one, &v, at + p);
                one_row(&u->b, mone, &v, at + p + 1);
            }
        LUMP_CHECK(lump_i_ub_finish(&u->b, &r));
        rs = lump_i_unroll_block(u, &r, 1, &relu, SIZE_MAX);
        at = 0;
        most = 0;
        for (o = 0; o < nout; o++) {
            for (size_t p = 0; p < cnt[o]; p += 2) {
                lump_i_ub_add(&u->b, one, &v, at + (p + 1 < cnt[o] ? p + 1 : p));
                if (p + 1 < cnt[o])
                    lump_i_ub_add_src(&u->b, one, rs + pi++);
                lump_i_ub_end_row(&u->b);
            }
            at += cnt[o];
            cnt[o] = (cnt[o] + 1) / 2;
            most = cnt[o] > most ? cnt[o] : most;
        }
        LUMP_CHECK(lump_i_ub_finish(&u->b, &m));
        lump_i_ux_clear(&v);
        v = m;
        memset(&m, 0, sizeof m);
    }
    if (act != NULL) {
        size_t first = lump_i_unroll_block(u, &v, 1, act, i);
        for (o = 0; o < nout; o++) {
            lump_i_ub_add_src(&u->b, one, first + o);
            lump_i_ub_end_row(&u->b);
        }
        LUMP_CHECK(lump_i_ub_finish(&u->b, y));
    } else {
        *y = v;
        memset(&v, 0, sizeof v);
    }
cleanup:
    lump_i_ux_clear(&v);
    lump_i_ux_clear(&r);
    lump_i_ux_clear(&m);
    mpq_clear(one);
    mpq_clear(mone);
    lump_act_clear(&relu);
    free(cnt);
    free(idx);
    return err;
}

/* fold_act -- 1 when ACT node I may be moved behind the MAXPOOL that
 * reads it: max_k act(z_k) = act(max_k z_k) for a nondecreasing
 * activation (every kind but a leaky relu of negative slope), when the
 * pool is its only reader, no window is empty (an empty one is 0, not
 * act(0)) and I is not the output. Taking the maximum of pre-activations
 * spares the layer of the activation's neurons that the tournament would
 * read: on a wide tensor that layer times the first round's is most of
 * the dense weights. NREAD counts each node's readers. O(outputs of the
 * pool). */
static int fold_act(const lump_graph_t *g, size_t i, const size_t *nread, const size_t *reader)
{
    const lump_graph_node_t *n = &g->nodes[i], *p;
    size_t idx_max;
    size_t *idx;
    int ok = 1;
    if (n->op != LUMP_GOP_ACT || nread[i] != 1 || g->output == i)
        return 0;
    p = &g->nodes[reader[i]];
    if (p->op != LUMP_GOP_MAXPOOL ||
        (n->act.kind == LUMP_ACT_LEAKY_RELU && mpq_sgn(n->act.alpha) < 0))
        return 0;
    idx_max = p->kh * p->kw + 1;
    idx = lump_alloc_array(idx_max, sizeof *idx);
    for (long c = 0; ok && c < (long)p->shape.dim[0]; c++)
        for (long oy = 0; ok && oy < (long)p->shape.dim[1]; oy++)
            for (long ox = 0; ok && ox < (long)p->shape.dim[2]; ox++)
                ok = window(idx, p, &n->shape, c, oy, ox) > 0;
    free(idx);
    return ok;
}

/* node -- Y := node I's tensor as expressions over the sources */
static lump_error_t node(lump_i_unroll_t *u, const lump_graph_t *g, size_t i, lump_i_ux_t *const *ex,
                         const int *folded, lump_i_ux_t *y, mpq_t w)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_node_t *n = &g->nodes[i];
    const lump_i_ux_t *x = n->n_in > 0 ? ex[n->in[0]] : NULL;
    const lump_shape_t *xs = n->n_in > 0 ? &g->nodes[n->in[0]].shape : NULL;
    size_t first;
    mpq_set_ui(w, 1, 1);
    switch (n->op) {
    case LUMP_GOP_INPUT:
        /* the inputs are sources 0 .. size - 1, made first */
        for (size_t e = 0; e < n->shape.size; e++) {
            lump_i_ub_add_src(&u->b, w, e);
            lump_i_ub_end_row(&u->b);
        }
        break;
    case LUMP_GOP_ACT:
        first = lump_i_unroll_block(u, (lump_i_ux_t *)x, 0, &n->act, i);
        for (size_t e = 0; e < n->shape.size; e++) {
            lump_i_ub_add_src(&u->b, w, first + e);
            lump_i_ub_end_row(&u->b);
        }
        break;
    case LUMP_GOP_DENSE:
        dense(&u->b, n, x, w);
        break;
    case LUMP_GOP_CONV:
        conv(&u->b, n, xs, x, w);
        break;
    case LUMP_GOP_AFFINE:
        for (size_t e = 0; e < n->shape.size; e++) {
            lump_arr_get(w, &n->weight, e);
            lump_i_ub_add(&u->b, w, x, e);
            lump_arr_get(w, &n->bias, e);
            lump_i_ub_add_const(&u->b, w);
            lump_i_ub_end_row(&u->b);
        }
        break;
    case LUMP_GOP_AVGPOOL:
        avgpool(&u->b, n, xs, x, w);
        break;
    case LUMP_GOP_MAXPOOL:
        return maxpool(u, n, xs, x, folded[n->in[0]] ? &g->nodes[n->in[0]].act : NULL, i, y);
    case LUMP_GOP_PAD:
        pad(&u->b, n, xs, x, w);
        break;
    case LUMP_GOP_GATHER:
        for (size_t e = 0; e < n->shape.size; e++)
            one_row(&u->b, w, x, n->map[e]);
        break;
    case LUMP_GOP_RESHAPE:
        for (size_t e = 0; e < n->shape.size; e++)
            one_row(&u->b, w, x, e);
        break;
    case LUMP_GOP_ADD:
        for (size_t e = 0; e < n->shape.size; e++) {
            for (size_t j = 0; j < n->n_in; j++)
                lump_i_ub_add(&u->b, w, ex[n->in[j]], e);
            lump_i_ub_end_row(&u->b);
        }
        break;
    case LUMP_GOP_CONCAT:
        for (size_t j = 0; j < n->n_in; j++)
            for (size_t e = 0; e < ex[n->in[j]]->n; e++)
                one_row(&u->b, w, ex[n->in[j]], e);
        break;
    }
    LUMP_CHECK(lump_i_ub_finish(&u->b, y));
cleanup:
    return err;
}

/* lump_graph_unroll -- see lumpnet/graph.h. Every node's expressions are
 * kept to the end: an ACT node's block reads its input's, and the layout
 * (unroll_layers.c) needs every block's rows; the total is the terms of
 * the composed expressions, far below the dense layers. */
lump_error_t lump_graph_unroll(lump_net_t *out, lump_graph_unroll_map_t *map,
                               const lump_graph_t *g, size_t max_weights)
{
    lump_error_t err = LUMP_OK;
    const size_t nn = g->n_nodes;
    lump_i_ux_t *store = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *store);
    lump_i_ux_t **ex = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *ex);
    size_t *nread = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *nread);
    size_t *reader = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *reader);
    int *folded = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *folded);
    lump_i_unroll_t u;
    mpq_t w;
    size_t lv;
    lump_require(nn > 0 && g->output < nn, "lump_graph_unroll");
    mpq_init(w);
    lump_i_unroll_init(&u);
    lump_i_ub_sources(&u.b, lump_graph_n_inputs(g), 0);
    for (size_t i = 0; i < nn; i++)
        for (size_t j = 0; j < g->nodes[i].n_in; j++) {
            nread[g->nodes[i].in[j]]++;
            reader[g->nodes[i].in[j]] = i;
        }
    lv = lump_progress_begin("unrolling node", nn, 0);
    for (size_t i = 0; i < nn; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        LUMP_CHECK(lump_progress_step(lv, i));
        /* a reshape keeps the entries in order, and a folded activation
         * is applied by its pool: share the expressions */
        folded[i] = fold_act(g, i, nread, reader);
        if (n->op == LUMP_GOP_RESHAPE || folded[i]) {
            ex[i] = ex[n->in[0]];
            continue;
        }
        LUMP_CHECK(node(&u, g, i, ex, folded, &store[i], w));
        ex[i] = &store[i];
    }
    lump_progress_end(lv);
    LUMP_CHECK(lump_i_unroll_layers(out, map, &u, g, ex[g->output], max_weights));
cleanup:
    lump_i_unroll_clear(&u);
    for (size_t i = 0; i < nn; i++)
        lump_i_ux_clear(&store[i]);
    free(store);
    free(ex);
    free(nread);
    free(reader);
    free(folded);
    mpq_clear(w);
    return err;
}
