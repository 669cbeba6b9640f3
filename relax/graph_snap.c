/* graph_snap.c -- the channels of a graph network that relaxed lumping may
 * merge or remove, and the rows that make a merge exact (graph_snap_i.h) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "graph_snap_i.h"

/* passes -- 1 when a reader of OP passes channels through to a consumer
 * unchanged in number (zero Pad, pools, Flatten and Reshape). */
static int passes(lump_gop_t op)
{
    return op == LUMP_GOP_PAD || op == LUMP_GOP_AVGPOOL || op == LUMP_GOP_MAXPOOL ||
           op == LUMP_GOP_RESHAPE;
}

/* readers -- how many nodes read node I, and the last of them in *ONE. */
static size_t readers(const lump_graph_t *g, size_t i, size_t *one)
{
    size_t k = 0;
    for (size_t j = i + 1; j < g->n_nodes; j++)
        for (size_t t = 0; t < g->nodes[j].n_in; t++)
            if (g->nodes[j].in[t] == i) {
                k++;
                *one = j;
            }
    return k;
}

/* consumer -- the Conv (group 1) or dense node that node A's channels
 * reach through one chain of single readers that pass them on, or
 * SIZE_MAX. *AREA gets the entries per channel the consumer reads (a
 * dense consumer reads AREA columns per channel). */
static size_t consumer(const lump_graph_t *g, size_t a, size_t *area)
{
    size_t i = a, r = SIZE_MAX;
    for (;;) {
        if (i == g->output || readers(g, i, &r) != 1)
            return SIZE_MAX;
        const lump_graph_node_t *n = &g->nodes[r];
        if (n->op == LUMP_GOP_PAD && n->pad_begin[0] + n->pad_end[0] != 0)
            return SIZE_MAX; /* padding of the channel dimension adds channels */
        if (n->op == LUMP_GOP_RESHAPE && n->shape.ndim != 1)
            return SIZE_MAX;
        if (passes(n->op)) {
            i = r;
            continue;
        }
        if (n->op == LUMP_GOP_CONV && n->group == 1) {
            *area = 1;
            return r;
        }
        if (n->op == LUMP_GOP_DENSE) {
            *area = g->nodes[i].shape.size / g->nodes[a].shape.dim[0];
            return r;
        }
        return SIZE_MAX;
    }
}

/* qualifies -- node I is a Conv (group 1) or dense node, not the output,
 * read only by a ReLU or leaky ReLU (positive scales commute with it) that
 * is not the output and whose channels reach a consumer. */
static int qualifies(const lump_graph_t *g, size_t i, size_t *act, size_t *cons, size_t *area)
{
    const lump_graph_node_t *n = &g->nodes[i];
    if (!((n->op == LUMP_GOP_CONV && n->group == 1) || n->op == LUMP_GOP_DENSE) || i == g->output)
        return 0;
    if (readers(g, i, act) != 1)
        return 0;
    const lump_graph_node_t *a = &g->nodes[*act];
    if (a->op != LUMP_GOP_ACT ||
        (a->act.kind != LUMP_ACT_RELU && a->act.kind != LUMP_ACT_LEAKY_RELU))
        return 0;
    *cons = consumer(g, *act, area);
    return *cons != SIZE_MAX;
}

/* chan_out2 -- the sum of squares of the consumer's weights on channel V of
 * layer L (its input channel V of a Conv, its AREA columns of a dense
 * node). O(consumer's weights / channels). */
static double chan_out2(const lump_graph_t *g, const lump_i_snap_layer_t *L, size_t v)
{
    const lump_graph_node_t *c = &g->nodes[L->cons];
    double s = 0;
    if (c->op == LUMP_GOP_CONV) {
        size_t cin = c->weight.len / (c->shape.dim[0] * c->kh * c->kw), k = c->kh * c->kw;
        for (size_t o = 0; o < c->shape.dim[0]; o++)
            for (size_t t = 0; t < k; t++) {
                double w = lump_arr_get_d(&c->weight, (o * cin + v) * k + t);
                s += w * w;
            }
    } else {
        size_t in = c->weight.len / c->shape.size;
        for (size_t o = 0; o < c->shape.size; o++)
            for (size_t t = v * L->cons_area; t < (v + 1) * L->cons_area; t++) {
                double w = lump_arr_get_d(&c->weight, o * in + t);
                s += w * w;
            }
    }
    return s;
}

/* lump_i_snap_layers -- see graph_snap_i.h. */
lump_error_t lump_i_snap_layers(lump_i_snap_t *S, const lump_graph_t *g)
{
    memset(S, 0, sizeof *S);
    S->layer = lump_alloc_array(g->n_nodes, sizeof *S->layer);
    for (size_t i = 1; i < g->n_nodes; i++) {
        size_t act = 0, cons = 0, area = 0;
        if (!qualifies(g, i, &act, &cons, &area))
            continue;
        const lump_graph_node_t *n = &g->nodes[i];
        lump_i_snap_layer_t *L = &S->layer[S->n_layers++];
        memset(L, 0, sizeof *L);
        L->node = i;
        L->act = act;
        L->cons = cons;
        L->cons_area = area;
        L->nch = n->shape.dim[0];
        L->area = n->shape.size / L->nch;
        L->rowlen = n->weight.len / L->nch;
        L->orig = lump_alloc_array(L->nch * (L->rowlen + 1), sizeof *L->orig);
        L->centre = lump_alloc_zero(L->nch * (L->rowlen + 1), sizeof *L->centre);
        L->blk = lump_alloc_array(L->nch, sizeof *L->blk);
        L->scale = lump_alloc_array(L->nch, sizeof *L->scale);
        L->out2 = lump_alloc_array(L->nch, sizeof *L->out2);
        for (size_t v = 0; v < L->nch; v++) {
            double *r = L->orig + v * (L->rowlen + 1);
            for (size_t t = 0; t < L->rowlen; t++)
                r[t] = lump_arr_get_d(&n->weight, v * L->rowlen + t);
            r[L->rowlen] = n->has_bias ? lump_arr_get_d(&n->bias, v) : 0.0;
            L->blk[v] = v;
            L->scale[v] = 1.0f;
            L->out2[v] = chan_out2(g, L, v);
        }
        /* what one channel costs: its row and bias, and the consumer's
         * weights on it (less the overlap with the consumer's own
         * removed channels, lump_i_snap_params) */
        const lump_graph_node_t *c = &g->nodes[cons];
        L->own = L->rowlen + (n->has_bias ? 1 : 0);
        L->cons_rows = c->op == LUMP_GOP_CONV ? c->shape.dim[0] : c->shape.size;
        L->cons_per = c->op == LUMP_GOP_CONV ? c->kh * c->kw : area;
    }
    for (size_t l = 0; l < S->n_layers; l++) {
        S->layer[l].cons_layer = SIZE_MAX;
        for (size_t m = 0; m < S->n_layers; m++)
            if (S->layer[m].node == S->layer[l].cons)
                S->layer[l].cons_layer = m;
    }
    if (S->n_layers == 0) {
        lump_i_snap_free(S);
        return lump_error_set(LUMP_EINPUT, "no channel can be merged: no hidden Conv (group 1) or "
                                           "dense node feeds a ReLU whose channels reach a Conv "
                                           "or dense node");
    }
    return LUMP_OK;
}

/* lump_i_snap_copy -- see graph_snap_i.h. */
void lump_i_snap_copy(lump_i_snap_t *dst, const lump_i_snap_t *src)
{
    for (size_t l = 0; l < src->n_layers; l++) {
        const lump_i_snap_layer_t *s = &src->layer[l];
        lump_i_snap_layer_t *d = &dst->layer[l];
        memcpy(d->blk, s->blk, s->nch * sizeof *s->blk);
        memcpy(d->scale, s->scale, s->nch * sizeof *s->scale);
        memcpy(d->centre, s->centre, s->nch * (s->rowlen + 1) * sizeof *s->centre);
    }
}

/* lump_i_snap_clone -- see graph_snap_i.h. */
void lump_i_snap_clone(lump_i_snap_t *dst, const lump_i_snap_t *src)
{
    dst->n_layers = src->n_layers;
    dst->layer = lump_alloc_array(src->n_layers ? src->n_layers : 1, sizeof *dst->layer);
    for (size_t l = 0; l < src->n_layers; l++) {
        const lump_i_snap_layer_t *s = &src->layer[l];
        lump_i_snap_layer_t *d = &dst->layer[l];
        *d = *s;
        d->orig = lump_alloc_array(s->nch * (s->rowlen + 1), sizeof *d->orig);
        memcpy(d->orig, s->orig, s->nch * (s->rowlen + 1) * sizeof *d->orig);
        d->out2 = lump_alloc_array(s->nch, sizeof *d->out2);
        memcpy(d->out2, s->out2, s->nch * sizeof *d->out2);
        d->centre = lump_alloc_array(s->nch * (s->rowlen + 1), sizeof *d->centre);
        d->blk = lump_alloc_array(s->nch, sizeof *d->blk);
        d->scale = lump_alloc_array(s->nch, sizeof *d->scale);
    }
    lump_i_snap_copy(dst, src);
}

/* lump_i_snap_free -- see graph_snap_i.h. */
void lump_i_snap_free(lump_i_snap_t *S)
{
    for (size_t l = 0; l < S->n_layers; l++) {
        free(S->layer[l].orig);
        free(S->layer[l].centre);
        free(S->layer[l].blk);
        free(S->layer[l].scale);
        free(S->layer[l].out2);
    }
    free(S->layer);
    memset(S, 0, sizeof *S);
}

/* recentre -- the least-squares centre of block R of layer L: the c that
 * minimises sum_w |orig_w - s_w c|^2 over the members, c = sum s_w orig_w
 * / sum s_w^2, rounded to binary32. */
static void recentre(lump_i_snap_layer_t *L, size_t r)
{
    size_t k = L->rowlen + 1;
    double ss = 0;
    float *c = L->centre + r * k;
    double *acc = lump_alloc_zero(k, sizeof *acc);
    for (size_t w = 0; w < L->nch; w++)
        if (L->blk[w] == r) {
            const double *o = L->orig + w * k;
            ss += (double)L->scale[w] * L->scale[w];
            for (size_t t = 0; t < k; t++)
                acc[t] += L->scale[w] * o[t];
        }
    for (size_t t = 0; t < k; t++)
        c[t] = (float)(acc[t] / ss);
    free(acc);
}

/* lump_i_snap_merge -- see graph_snap_i.h. */
void lump_i_snap_merge(lump_i_snap_layer_t *L, size_t u, size_t v, double s)
{
    size_t ru = L->blk[u], rv = L->blk[v], r = ru < rv ? ru : rv;
    /* y_w = (s_w / s_v) y_v ~ (s_w / s_v) s y_u = (s_w / s_v) s s_u c_u(x):
     * the members of V's block join U's centre with these scales */
    double f = s * L->scale[u] / L->scale[v];
    for (size_t w = 0; w < L->nch; w++) {
        if (L->blk[w] == rv)
            L->scale[w] = (float)(L->scale[w] * f);
        if (L->blk[w] == ru || L->blk[w] == rv)
            L->blk[w] = r;
    }
    /* scale so that the representative's is 1, then the centre */
    float sr = L->scale[r];
    for (size_t w = 0; w < L->nch; w++)
        if (L->blk[w] == r)
            L->scale[w] = (float)(L->scale[w] / sr);
    recentre(L, r);
}

/* lump_i_snap_remove -- see graph_snap_i.h. */
void lump_i_snap_remove(lump_i_snap_layer_t *L, size_t v)
{
    size_t rv = L->blk[v];
    for (size_t w = 0; w < L->nch; w++)
        if (L->blk[w] == rv)
            L->blk[w] = LUMP_I_SNAP_GONE;
}

/* lump_i_snap_blocks -- see graph_snap_i.h. */
size_t lump_i_snap_blocks(const lump_i_snap_layer_t *L)
{
    size_t k = 0;
    for (size_t w = 0; w < L->nch; w++)
        k += L->blk[w] == w;
    return k;
}

/* lump_i_snap_write_layer -- see graph_snap_i.h. A singleton block keeps
 * its original row (exactly as stored); a merged block's members get s_w
 * c, a product of two binary32 values and so an exact binary64 value. */
lump_error_t lump_i_snap_write_layer(lump_graph_t *g, const lump_i_snap_layer_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_graph_node_t *n = &g->nodes[L->node];
    size_t k = L->rowlen + 1;
    for (size_t w = 0; w < L->nch; w++) {
        size_t r = L->blk[w];
        int single = r == w;
        for (size_t x = 0; single && x < L->nch; x++)
            single = x == w || L->blk[x] != w;
        if (single)
            continue;
        for (size_t t = 0; t < k; t++) {
            double val = r == LUMP_I_SNAP_GONE ? 0.0 : (double)L->scale[w] * L->centre[r * k + t];
            if (t < L->rowlen)
                LUMP_CHECK(lump_arr_set_d(&n->weight, w * L->rowlen + t, val));
            else if (n->has_bias)
                LUMP_CHECK(lump_arr_set_d(&n->bias, w, val));
        }
    }
cleanup:
    return err;
}

/* lump_i_snap_write -- see graph_snap_i.h. */
lump_error_t lump_i_snap_write(lump_graph_t *g, const lump_i_snap_t *S)
{
    lump_error_t err = LUMP_OK;
    for (size_t l = 0; l < S->n_layers; l++)
        LUMP_CHECK(lump_i_snap_write_layer(g, &S->layer[l]));
cleanup:
    return err;
}

/* lump_i_snap_reset -- see graph_snap_i.h. */
lump_error_t lump_i_snap_reset(lump_graph_t *g, const lump_graph_t *orig,
                               const lump_i_snap_layer_t *L)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_arr_copy(&g->nodes[L->node].weight, &orig->nodes[L->node].weight));
    LUMP_CHECK(lump_arr_copy(&g->nodes[L->node].bias, &orig->nodes[L->node].bias));
    err = lump_i_snap_write_layer(g, L);
cleanup:
    return err;
}

/* lump_i_snap_removed -- see graph_snap_i.h. */
size_t lump_i_snap_removed(const lump_i_snap_t *S)
{
    size_t ch = 0;
    for (size_t l = 0; l < S->n_layers; l++)
        ch += S->layer[l].nch - lump_i_snap_blocks(&S->layer[l]);
    return ch;
}

/* lump_i_snap_params -- see graph_snap_i.h. A removed channel takes its
 * row and the consumer's weights on it; when the consumer is a layer that
 * loses channels too, the weights between two removed channels were
 * counted twice. */
size_t lump_i_snap_params(const lump_i_snap_t *S, const lump_graph_t *g)
{
    size_t p = lump_graph_params(g);
    size_t *gone = lump_alloc_array(S->n_layers + 1, sizeof *gone);
    for (size_t l = 0; l < S->n_layers; l++)
        gone[l] = S->layer[l].nch - lump_i_snap_blocks(&S->layer[l]);
    for (size_t l = 0; l < S->n_layers; l++) {
        const lump_i_snap_layer_t *L = &S->layer[l];
        size_t c = L->cons_layer;
        p -= gone[l] * (L->own + L->cons_rows * L->cons_per);
        if (c != SIZE_MAX)
            p += gone[l] * gone[c] * L->cons_per;
    }
    free(gone);
    return p;
}

/* lump_i_snap_emit -- see graph_snap_i.h. */
lump_error_t lump_i_snap_emit(lump_graph_t *out, size_t *params, size_t *channels,
                              const lump_i_snap_t *S, const lump_graph_t *g)
{
    lump_graph_t r;
    lump_error_t err;
    lump_graph_init(&r);
    err = lump_graph_copy(&r, g);
    if (err == LUMP_OK)
        err = lump_i_snap_write(&r, S);
    if (err != LUMP_OK) {
        lump_graph_clear(&r);
        return err;
    }
    if (params != NULL)
        *params = lump_i_snap_params(S, g);
    if (channels != NULL)
        *channels = lump_i_snap_removed(S);
    lump_graph_clear(out);
    *out = r;
    return LUMP_OK;
}
