/* edges.c -- the edges of a drawing: weights aggregated between the nodes of
 * consecutive layers, thinned to the strongest, widths normalised per layer */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "viz_i.h"
#include "alloc_i.h"

/* A candidate edge: the pair of local node indices and its mean |w|. */
typedef struct {
    size_t src, dst;
    double mean;
} cand_t;

/* Strongest first; ties by the lower index, so that the choice is the same
 * on every machine. */
static int by_dst_strength(const void *pa, const void *pb)
{
    const cand_t *a = pa, *b = pb;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    if (a->mean != b->mean)
        return a->mean > b->mean ? -1 : 1;
    return a->src < b->src ? -1 : a->src > b->src;
}

static int by_src_dst(const void *pa, const void *pb)
{
    const cand_t *a = pa, *b = pb;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return a->dst < b->dst ? -1 : a->dst > b->dst;
}

/* lump_i_viz_acc_add -- see viz_i.h. */
void lump_i_viz_acc_add(lump_i_viz_acc_t *a, double w, int sign)
{
    a->sum += fabs(w);
    a->count++;
    if (sign > 0)
        a->npos++;
    else
        a->nneg++;
}

void lump_i_viz_edges(lump_i_viz_side_t *s, const lump_net_t *n, size_t li,
                      const size_t *group_prev, const size_t *group, size_t max_edges, int *pruned,
                      int *mixed)
{
    const lump_layer_t *l = &n->layers[li - 1];
    const lump_i_viz_layer_t *P = &s->layers[li - 1], *C = &s->layers[li];
    const size_t nc = C->n;
    lump_i_viz_acc_t *acc = lump_alloc_zero(P->n * nc + 1, sizeof *acc);
    for (size_t v = 0; v < l->size; v++) {
        const size_t gv = group[v] - C->first, row = v * l->in_size;
        for (size_t u = 0; u < l->in_size; u++) {
            double d = lump_arr_get_d(&l->weight, row + u);
            int sg = (d > 0) - (d < 0);
            if (sg == 0 && (sg = lump_arr_sgn(&l->weight, row + u)) == 0)
                continue;
            lump_i_viz_acc_add(&acc[(group_prev[u] - P->first) * nc + gv], d, sg);
        }
    }
    lump_i_viz_edges_emit(s, li - 1, li, acc, max_edges, pruned, mixed);
    free(acc);
}

/* lump_i_viz_edges_emit -- see viz_i.h. */
void lump_i_viz_edges_emit(lump_i_viz_side_t *s, size_t pl, size_t cl,
                           const lump_i_viz_acc_t *acc, size_t max_edges, int *pruned, int *mixed)
{
    const lump_i_viz_layer_t *P = &s->layers[pl], *C = &s->layers[cl];
    const size_t np = P->n, nc = C->n;
    cand_t *cand = NULL;
    size_t *best = NULL;
    char *keep = NULL;
    size_t n_cand = 0, n_keep = 0;
    double top = 0;
    for (size_t k = 0; k < np * nc; k++)
        n_cand += acc[k].count > 0;
    cand = lump_alloc_array(n_cand + 1, sizeof *cand);
    keep = lump_alloc_zero(n_cand + 1, 1);
    best = lump_alloc_array(np + 1, sizeof *best);
    n_cand = 0;
    for (size_t a = 0; a < np; a++)
        for (size_t b = 0; b < nc; b++)
            if (acc[a * nc + b].count > 0) {
                cand_t *c = &cand[n_cand++];
                c->src = a;
                c->dst = b;
                c->mean = acc[a * nc + b].sum / (double)acc[a * nc + b].count;
            }
    if (max_edges == 0 || n_cand <= max_edges)
        memset(keep, 1, n_cand);
    else {
        /* each target keeps its K strongest inputs, each source its
         * strongest output, so that no shown node hangs loose */
        size_t k = max_edges / nc > 0 ? max_edges / nc : 1, run = 0;
        *pruned = 1;
        qsort(cand, n_cand, sizeof *cand, by_dst_strength);
        for (size_t a = 0; a < np; a++)
            best[a] = n_cand;
        for (size_t i = 0; i < n_cand; i++) {
            run = i > 0 && cand[i].dst == cand[i - 1].dst ? run + 1 : 0;
            keep[i] = run < k;
            if (best[cand[i].src] == n_cand || cand[i].mean > cand[best[cand[i].src]].mean ||
                (cand[i].mean == cand[best[cand[i].src]].mean &&
                 cand[i].dst < cand[best[cand[i].src]].dst))
                best[cand[i].src] = i;
        }
        for (size_t a = 0; a < np; a++)
            if (best[a] < n_cand)
                keep[best[a]] = 1;
        /* back to source order, carrying the marks along */
        for (size_t i = 0; i < n_cand; i++)
            cand[i].mean = keep[i] ? cand[i].mean : -1 - cand[i].mean;
        qsort(cand, n_cand, sizeof *cand, by_src_dst);
        for (size_t i = 0; i < n_cand; i++) {
            keep[i] = cand[i].mean >= 0;
            if (!keep[i])
                cand[i].mean = -1 - cand[i].mean;
        }
    }
    for (size_t i = 0; i < n_cand; i++)
        if (keep[i]) {
            n_keep++;
            top = cand[i].mean > top ? cand[i].mean : top;
        }
    if (s->n_edges + n_keep > s->cap_edges) {
        size_t cap = 2 * (s->n_edges + n_keep) + 16;
        lump_i_viz_edge_t *e = lump_realloc_array(s->edges, cap, sizeof *e);
        s->edges = e;
        s->cap_edges = cap;
    }
    for (size_t i = 0; i < n_cand; i++) {
        const lump_i_viz_acc_t *a = &acc[cand[i].src * nc + cand[i].dst];
        lump_i_viz_edge_t *e;
        if (!keep[i])
            continue;
        e = &s->edges[s->n_edges++];
        e->src = P->first + cand[i].src;
        e->dst = C->first + cand[i].dst;
        e->sum = a->sum;
        e->count = a->count;
        e->npos = a->npos;
        e->nneg = a->nneg;
        /* 0.4 to 3 points: thin edges stay visible, thick ones do not
         * swamp their neighbours */
        e->width = 0.4 + 2.6 * (top > 0 ? cand[i].mean / top : 1);
        if (a->npos > 0 && a->nneg > 0)
            *mixed = 1;
    }
    free(cand);
    free(keep);
    free(best);
}
