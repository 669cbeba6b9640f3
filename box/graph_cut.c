/* graph_cut.c -- removing inactive ReLU channels from a graph network as
 * channels: the surgery of the box reduction of graph networks, which its
 * checker repeats to rebuild the network it compares with */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/graph_box.h"
#include "lumpnet/alloc.h"
#include "alloc_i.h"

/* The entries one node's output tensor loses: RM[e] = 1 for a removed
 * entry (NULL: none). They always form a slice along dimension DIM: the
 * indices SEL[k] = 1 along it (N_SEL of them) at every position of the
 * other dimensions, so the tensor keeps a shape with DIM shortened. ORIGIN
 * is the cut relu the loss comes from, for messages. */
typedef struct {
    char *rm, *sel;
    size_t dim, n_sel, origin;
} loss_t;

typedef struct {
    const lump_graph_t *g;
    loss_t *loss;
    unsigned char *role; /* 1: a cut relu, 2: the node it reads (loses output channels) */
} plan_t;

static size_t stride_of(const lump_shape_t *s, size_t d)
{
    size_t st = 1;
    for (size_t k = d + 1; k < s->ndim; k++)
        st *= s->dim[k];
    return st;
}

/* L->rm over shape S from L->sel along L->dim. O(size). */
static void rm_from_sel(loss_t *l, const lump_shape_t *s)
{
    const size_t st = stride_of(s, l->dim), n = s->dim[l->dim];
    l->rm = lump_alloc_zero(s->size > 0 ? s->size : 1, 1);
    for (size_t e = 0; e < s->size; e++)
        l->rm[e] = l->sel[(e / st) % n];
}

/* Find the dimension along which L->rm (over shape S) is a slice and set
 * L->dim, L->sel, L->n_sel; 0 when it is none. O(size * dims). */
static int classify(loss_t *l, const lump_shape_t *s)
{
    for (size_t d = 0; d < s->ndim; d++) {
        const size_t st = stride_of(s, d), n = s->dim[d];
        char *sel = lump_alloc_zero(n > 0 ? n : 1, 1);
        char *seen = lump_alloc_zero(n > 0 ? n : 1, 1);
        int ok = 1;
        for (size_t e = 0; e < s->size && ok; e++) {
            size_t k = (e / st) % n;
            if (!seen[k]) {
                seen[k] = 1;
                sel[k] = l->rm[e];
            } else if (sel[k] != l->rm[e])
                ok = 0;
        }
        free(seen);
        if (ok) {
            l->dim = d;
            l->sel = sel;
            l->n_sel = 0;
            for (size_t k = 0; k < n; k++)
                l->n_sel += sel[k] != 0;
            return 1;
        }
        free(sel);
    }
    return 0;
}

static void loss_free(loss_t *l)
{
    free(l->rm);
    free(l->sel);
    memset(l, 0, sizeof *l);
}

/* The cut of relu ORIGIN cannot be made: node I WHY. */
static lump_error_t refuse(const plan_t *p, size_t origin, size_t i, const char *why)
{
    const lump_graph_node_t *a = &p->g->nodes[origin], *n = &p->g->nodes[i];
    return lump_error_set(LUMP_EINPUT,
                          "removing channels of node %zu (%s): node %zu (%s, %s) %s", origin,
                          a->name != NULL ? a->name : "relu", i, n->name != NULL ? n->name : "",
                          lump_gop_name(n->op), why);
}

/* Mark the cut relu C->node and the node it reads as losing C's channels. */
static lump_error_t plan_cut(plan_t *p, const lump_graph_cut_t *c, const size_t *readers)
{
    const lump_graph_t *g = p->g;
    const lump_graph_node_t *a, *pr;
    size_t src;
    loss_t *l;
    if (c->node == 0 || c->node >= g->n_nodes || g->nodes[c->node].op != LUMP_GOP_ACT ||
        g->nodes[c->node].act.kind != LUMP_ACT_RELU)
        return lump_error_set(LUMP_EINPUT, "removing channels of node %zu: not a relu node",
                              c->node);
    a = &g->nodes[c->node];
    src = a->in[0];
    pr = &g->nodes[src];
    if (p->role[c->node] != 0 || p->role[src] != 0)
        return lump_error_set(LUMP_EINPUT, "removing channels of node %zu: cut twice", c->node);
    if ((pr->op != LUMP_GOP_DENSE && pr->op != LUMP_GOP_CONV) ||
        (pr->op == LUMP_GOP_CONV && pr->group != 1) || readers[src] != 1 || src == g->output)
        return lump_error_set(LUMP_EINPUT,
                              "removing channels of node %zu: it does not read a dense node or "
                              "an ungrouped Conv that nothing else reads (node %zu, %s)",
                              c->node, src, lump_gop_name(pr->op));
    if (c->n == 0 || c->n >= a->shape.dim[0])
        return lump_error_set(LUMP_EINPUT,
                              "removing channels of node %zu: %zu of its %zu channels (at least "
                              "one must stay)", c->node, c->n, a->shape.dim[0]);
    l = &p->loss[c->node];
    l->dim = 0;
    l->sel = lump_alloc_zero(a->shape.dim[0], 1);
    l->origin = c->node;
    for (size_t k = 0; k < c->n; k++) {
        if (c->channel[k] >= a->shape.dim[0] || (k > 0 && c->channel[k] <= c->channel[k - 1]))
            return lump_error_set(LUMP_EINPUT,
                                  "removing channels of node %zu: channel %zu is out of range "
                                  "or not ascending", c->node, c->channel[k]);
        l->sel[c->channel[k]] = 1;
    }
    l->n_sel = c->n;
    rm_from_sel(l, &a->shape);
    p->loss[src] = *l;
    p->loss[src].rm = lump_alloc_array(a->shape.size, 1);
    memcpy(p->loss[src].rm, l->rm, a->shape.size);
    p->loss[src].sel = lump_alloc_array(a->shape.dim[0], 1);
    memcpy(p->loss[src].sel, l->sel, a->shape.dim[0]);
    p->role[c->node] = 1;
    p->role[src] = 2;
    return LUMP_OK;
}

/* The loss of node I, which reads the losing node X (an index map or a
 * per-channel operation), or the refusal. */
static lump_error_t propagate(plan_t *p, size_t i, size_t x)
{
    const lump_graph_node_t *n = &p->g->nodes[i];
    const loss_t *lx = &p->loss[x];
    loss_t *l = &p->loss[i];
    switch (n->op) {
    case LUMP_GOP_DENSE:
        return LUMP_OK; /* it loses the columns */
    case LUMP_GOP_CONV:
        if (lx->dim != 0 || n->group != 1)
            return refuse(p, lx->origin, i,
                          "is grouped or reads them along another dimension than its channels");
        return LUMP_OK; /* it loses the input channels */
    case LUMP_GOP_PAD:
        if (n->pad_begin[lx->dim] != 0 || n->pad_end[lx->dim] != 0)
            return refuse(p, lx->origin, i, "pads the dimension the channels are removed from");
        break;
    case LUMP_GOP_AVGPOOL:
    case LUMP_GOP_MAXPOOL:
        if (lx->dim != 0)
            return refuse(p, lx->origin, i, "pools across the removed entries");
        break;
    case LUMP_GOP_GATHER:
        l->origin = lx->origin;
        l->rm = lump_alloc_zero(n->shape.size > 0 ? n->shape.size : 1, 1);
        for (size_t e = 0; e < n->shape.size; e++)
            l->rm[e] = lx->rm[n->map[e]];
        goto classify;
    case LUMP_GOP_RESHAPE:
        l->origin = lx->origin;
        l->rm = lump_alloc_array(n->shape.size > 0 ? n->shape.size : 1, 1);
        memcpy(l->rm, lx->rm, n->shape.size);
        goto classify;
    default:
        return refuse(p, lx->origin, i,
                      "reads them and would change (a residual Add or Concat keeps every channel "
                      "of its output)");
    }
    /* PAD and the pools keep the slice along the same dimension */
    l->origin = lx->origin;
    l->dim = lx->dim;
    l->n_sel = lx->n_sel;
    l->sel = lump_alloc_array(n->shape.dim[l->dim], 1);
    memcpy(l->sel, lx->sel, n->shape.dim[l->dim]);
    rm_from_sel(l, &n->shape);
    return LUMP_OK;
classify:
    if (!classify(l, &n->shape))
        return refuse(p, lx->origin, i, "mixes them with kept entries along every dimension");
    return LUMP_OK;
}

static lump_error_t plan_make(plan_t *p, const lump_graph_t *g, const lump_graph_cut_t *cuts,
                              size_t ncut)
{
    lump_error_t err = LUMP_OK;
    size_t *readers = lump_alloc_zero(g->n_nodes + 1, sizeof *readers);
    p->g = g;
    p->loss = lump_alloc_zero(g->n_nodes + 1, sizeof *p->loss);
    p->role = lump_alloc_zero(g->n_nodes + 1, 1);
    for (size_t i = 0; i < g->n_nodes; i++)
        for (size_t k = 0; k < g->nodes[i].n_in; k++)
            readers[g->nodes[i].in[k]]++;
    for (size_t c = 0; c < ncut; c++)
        LUMP_CHECK(plan_cut(p, &cuts[c], readers));
    for (size_t i = 1; i < g->n_nodes; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        /* a cut relu reads its own producer; any other reader of a losing
         * node loses entries too or consumes them (only Add and Concat
         * read two nodes, and they refuse) */
        if (p->role[i] != 1)
            for (size_t k = 0; k < n->n_in; k++)
                if (p->loss[n->in[k]].rm != NULL)
                    LUMP_CHECK(propagate(p, i, n->in[k]));
        if (p->loss[i].rm != NULL && i == g->output)
            LUMP_CHECK(refuse(p, p->loss[i].origin, i, "is the network's output"));
        if (p->loss[i].rm != NULL && p->loss[i].n_sel >= n->shape.dim[p->loss[i].dim])
            LUMP_CHECK(refuse(p, p->loss[i].origin, i, "would lose every entry"));
    }
cleanup:
    free(readers);
    return err;
}

static void plan_free(plan_t *p)
{
    for (size_t i = 0; p->loss != NULL && i < p->g->n_nodes; i++)
        loss_free(&p->loss[i]);
    free(p->loss);
    free(p->role);
}

/* The indices k < N with FLAGS[k] == 0 (all when FLAGS is NULL) into a new
 * array; *NK their number. */
static size_t *kept_of(const char *flags, size_t n, size_t *nk)
{
    size_t *k = lump_alloc_array(n > 0 ? n : 1, sizeof *k);
    *nk = 0;
    for (size_t i = 0; i < n; i++)
        if (flags == NULL || !flags[i])
            k[(*nk)++] = i;
    return k;
}

/* DST = SRC[IDX[0..n)], in SRC's storage, exactly. */
static lump_error_t pick(lump_arr_t *dst, const lump_arr_t *src, const size_t *idx, size_t n)
{
    lump_error_t err = LUMP_OK;
    mpq_t v;
    mpq_init(v);
    LUMP_CHECK(lump_arr_alloc(dst, src->store, n));
    for (size_t k = 0; k < n; k++) {
        lump_arr_get(v, src, idx[k]);
        LUMP_CHECK(lump_arr_set(dst, k, v));
    }
cleanup:
    mpq_clear(v);
    return err;
}

/* The weights of dense or Conv node N of OUT (a copy of G's node I)
 * without the rows of removed output channels and the columns of removed
 * inputs. */
static lump_error_t cut_weights(lump_graph_node_t *n, const plan_t *p, size_t i)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_node_t *o = &p->g->nodes[i];
    const loss_t *lo = &p->loss[i], *li = &p->loss[o->in[0]];
    const int conv = o->op == LUMP_GOP_CONV;
    /* a row is an output channel (Conv) or entry (dense); a column an input
     * channel (Conv, group 1) or input entry (dense); a cell the kernel */
    const size_t rows = conv ? o->shape.dim[0] : o->shape.size;
    const size_t cell = conv ? o->kh * o->kw : 1;
    const size_t cols = rows > 0 ? o->weight.len / (rows * cell) : 0;
    size_t nr, nc, *r, *c, *idx, m = 0;
    r = kept_of(conv ? lo->sel : lo->rm, rows, &nr);
    c = kept_of(conv ? li->sel : li->rm, cols, &nc);
    idx = lump_alloc_array(nr * nc * cell + 1, sizeof *idx);
    for (size_t a = 0; a < nr; a++)
        for (size_t b = 0; b < nc; b++)
            for (size_t k = 0; k < cell; k++)
                idx[m++] = (r[a] * cols + c[b]) * cell + k;
    lump_arr_clear(&n->weight);
    LUMP_CHECK(pick(&n->weight, &o->weight, idx, m));
    lump_arr_clear(&n->bias);
    if (o->has_bias)
        LUMP_CHECK(pick(&n->bias, &o->bias, r, nr));
    n->params = n->weight.len + (o->has_bias ? n->bias.len : 0);
cleanup:
    LUMP_FREE_ALL(r, c, idx);
    return err;
}

/* The map of gather node N (G's node I) over the kept entries of both
 * tensors. */
static void cut_map(lump_graph_node_t *n, const plan_t *p, size_t i)
{
    const lump_graph_node_t *o = &p->g->nodes[i];
    const loss_t *lo = &p->loss[i], *li = &p->loss[o->in[0]];
    const size_t nin = p->g->nodes[o->in[0]].shape.size;
    size_t *renum = lump_alloc_array(nin > 0 ? nin : 1, sizeof *renum), m = 0;
    for (size_t e = 0, k = 0; e < nin; e++)
        renum[e] = li->rm != NULL && li->rm[e] ? SIZE_MAX : k++;
    free(n->map);
    n->map = lump_alloc_array(n->shape.size > 0 ? n->shape.size : 1, sizeof *n->map);
    for (size_t e = 0; e < o->shape.size; e++)
        if (lo->rm == NULL || !lo->rm[e])
            n->map[m++] = renum[o->map[e]];
    free(renum);
}

/* Node I of G into OUT, shortened by the plan. */
static lump_error_t copy_node(lump_graph_t *out, const plan_t *p, size_t i)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_node_t *o = &p->g->nodes[i];
    const loss_t *l = &p->loss[i];
    lump_graph_node_t *n;
    int lossy_in = o->n_in > 0 && p->loss[o->in[0]].rm != NULL;
    size_t at = lump_graph_add(out, o->op, o->in, o->n_in, o->name);
    n = &out->nodes[at]; /* after the add, which may move the nodes */
    n->shape = o->shape;
    if (l->rm != NULL) {
        n->shape.dim[l->dim] -= l->n_sel;
        n->shape.size = 1;
        for (size_t d = 0; d < n->shape.ndim; d++)
            n->shape.size *= n->shape.dim[d];
    }
    n->has_bias = o->has_bias;
    n->kh = o->kh, n->kw = o->kw, n->sh = o->sh, n->sw = o->sw, n->dh = o->dh, n->dw = o->dw;
    n->pt = o->pt, n->pl = o->pl, n->pb = o->pb, n->pr = o->pr, n->group = o->group;
    n->count_include_pad = o->count_include_pad;
    memcpy(n->pad_begin, o->pad_begin, sizeof n->pad_begin);
    memcpy(n->pad_end, o->pad_end, sizeof n->pad_end);
    lump_act_set(&n->act, &o->act);
    n->params = o->params;
    if ((o->op == LUMP_GOP_DENSE || o->op == LUMP_GOP_CONV) && (l->rm != NULL || lossy_in))
        return cut_weights(n, p, i);
    LUMP_CHECK(lump_arr_copy(&n->weight, &o->weight));
    LUMP_CHECK(lump_arr_copy(&n->bias, &o->bias));
    if (o->op == LUMP_GOP_GATHER && (l->rm != NULL || lossy_in))
        cut_map(n, p, i);
    else if (o->map != NULL) {
        n->map = lump_alloc_array(o->shape.size > 0 ? o->shape.size : 1, sizeof *n->map);
        memcpy(n->map, o->map, o->shape.size * sizeof *n->map);
    }
cleanup:
    return err;
}

/* lump_graph_cut -- see graph_box.h. */
lump_error_t lump_graph_cut(lump_graph_t *out, const lump_graph_t *g, const lump_graph_cut_t *cuts,
                            size_t n)
{
    lump_error_t err = LUMP_OK;
    plan_t p;
    lump_graph_t r;
    memset(&p, 0, sizeof p);
    lump_graph_init(&r);
    LUMP_CHECK(plan_make(&p, g, cuts, n));
    for (size_t i = 0; i < g->n_nodes; i++)
        LUMP_CHECK(copy_node(&r, &p, i));
    r.output = g->output;
    r.out_name = g->out_name != NULL ? lump_strdup(g->out_name) : NULL;
    lump_graph_clear(out);
    *out = r;
    lump_graph_init(&r);
cleanup:
    plan_free(&p);
    lump_graph_clear(&r);
    return err;
}

static int node_equal(const lump_graph_node_t *a, const lump_graph_node_t *b)
{
    if (a->op != b->op || a->n_in != b->n_in || !lump_shape_equal(&a->shape, &b->shape) ||
        a->has_bias != b->has_bias || a->kh != b->kh || a->kw != b->kw || a->sh != b->sh ||
        a->sw != b->sw || a->dh != b->dh || a->dw != b->dw || a->pt != b->pt ||
        a->pl != b->pl || a->pb != b->pb || a->pr != b->pr || a->group != b->group ||
        a->count_include_pad != b->count_include_pad ||
        memcmp(a->pad_begin, b->pad_begin, sizeof a->pad_begin) != 0 ||
        memcmp(a->pad_end, b->pad_end, sizeof a->pad_end) != 0 ||
        (a->op == LUMP_GOP_ACT && !lump_act_equal(&a->act, &b->act)))
        return 0;
    if (a->n_in > 0 && memcmp(a->in, b->in, a->n_in * sizeof *a->in) != 0)
        return 0;
    if (a->op == LUMP_GOP_GATHER &&
        memcmp(a->map, b->map, a->shape.size * sizeof *a->map) != 0)
        return 0;
    return lump_arr_equal(&a->weight, &b->weight) && lump_arr_equal(&a->bias, &b->bias);
}

/* lump_graph_diff -- see graph_box.h. */
size_t lump_graph_diff(const lump_graph_t *a, const lump_graph_t *b)
{
    size_t n = a->n_nodes < b->n_nodes ? a->n_nodes : b->n_nodes;
    for (size_t i = 0; i < n; i++)
        if (!node_equal(&a->nodes[i], &b->nodes[i]))
            return i;
    if (a->n_nodes != b->n_nodes)
        return n;
    return a->output != b->output ? a->n_nodes : SIZE_MAX;
}
