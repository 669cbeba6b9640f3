/* graph.c -- the DAG network model: nodes, sizes and counts */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/graph.h"
#include "lumpnet/alloc.h"
#include "net_i.h"
#include "graph_reach_i.h"

void lump_graph_init(lump_graph_t *g)
{
    memset(g, 0, sizeof *g);
}

void lump_graph_clear(lump_graph_t *g)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        lump_graph_node_t *n = &g->nodes[i];
        free(n->in);
        free(n->name);
        free(n->map);
        lump_i_affine_clear(&n->weight, &n->bias, &n->act);
    }
    free(g->nodes);
    free(g->out_name);
    lump_graph_init(g);
}

/* lump_graph_add -- see lumpnet/graph.h. */
size_t lump_graph_add(lump_graph_t *g, lump_gop_t op, const size_t *in, size_t n_in,
                      const char *name)
{
    lump_graph_node_t *n;
    if (g->n_nodes == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->nodes = lump_realloc_array(g->nodes, g->cap, sizeof *g->nodes);
    }
    n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->n_in = n_in;
    if (n_in > 0) {
        n->in = lump_alloc_array(n_in, sizeof *n->in);
        memcpy(n->in, in, n_in * sizeof *in);
    }
    n->name = name != NULL ? lump_strdup(name) : NULL;
    lump_i_affine_init(&n->weight, &n->bias, &n->act);
    n->sh = n->sw = n->dh = n->dw = n->group = 1;
    return g->n_nodes++;
}

size_t lump_graph_n_inputs(const lump_graph_t *g)
{
    return g->n_nodes > 0 ? g->nodes[0].shape.size : 0;
}

size_t lump_graph_n_outputs(const lump_graph_t *g)
{
    return g->n_nodes > 0 ? g->nodes[g->output].shape.size : 0;
}

size_t lump_graph_params(const lump_graph_t *g)
{
    return lump_i_sum_sizes(g->nodes, g->n_nodes, sizeof *g->nodes,
                            offsetof(lump_graph_node_t, params));
}

/* node 0, the input, is not a neuron */
size_t lump_graph_neurons(const lump_graph_t *g)
{
    if (g->n_nodes == 0)
        return 0;
    return lump_i_sum_sizes(g->nodes + 1, g->n_nodes - 1, sizeof *g->nodes,
                            offsetof(lump_graph_node_t, shape.size));
}

int lump_graph_is_pwl(const lump_graph_t *g)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == LUMP_GOP_ACT && !lump_act_is_pwl(g->nodes[i].act.kind))
            return 0;
    return 1;
}

const char *lump_gop_name(lump_gop_t op)
{
    static const char *const names[] = {"input", "dense",  "conv",    "act",
                                        "add",   "affine", "avgpool", "maxpool",
                                        "pad",   "gather", "reshape", "concat"};
    return (size_t)op < sizeof names / sizeof *names ? names[op] : "?";
}

/* lump_i_graph_unreached -- see graph_reach_i.h. */
size_t lump_i_graph_unreached(const lump_graph_t *g)
{
    size_t bad = SIZE_MAX;
    char *mark = lump_alloc_zero(g->n_nodes > 0 ? g->n_nodes : 1, 1);
    if (g->output < g->n_nodes)
        mark[g->output] = 1;
    for (size_t i = g->n_nodes; i-- > 0;)
        if (mark[i])
            for (size_t j = 0; j < g->nodes[i].n_in; j++)
                mark[g->nodes[i].in[j]] = 1;
    for (size_t i = 0; i < g->n_nodes && bad == SIZE_MAX; i++)
        if (!mark[i])
            bad = i;
    free(mark);
    return bad;
}

/* lump_shape_equal -- see graph.h. */
int lump_shape_equal(const lump_shape_t *a, const lump_shape_t *b)
{
    return a->ndim == b->ndim && memcmp(a->dim, b->dim, a->ndim * sizeof *a->dim) == 0;
}

/* lump_graph_copy -- see graph.h. Built in a fresh graph and swapped in,
 * so that DST is unchanged when a copy fails. */
lump_error_t lump_graph_copy(lump_graph_t *dst, const lump_graph_t *src)
{
    lump_graph_t g;
    lump_error_t err = LUMP_OK;
    lump_graph_init(&g);
    for (size_t i = 0; i < src->n_nodes && err == LUMP_OK; i++) {
        const lump_graph_node_t *s = &src->nodes[i];
        size_t k = lump_graph_add(&g, s->op, s->in, s->n_in, s->name);
        lump_graph_node_t *d = &g.nodes[k]; /* after the add: it may move the nodes */
        lump_arr_t w = d->weight, b = d->bias;
        lump_act_t a = d->act;
        size_t *in = d->in;
        char *name = d->name;
        *d = *s; /* every scalar field; the owned ones are set below */
        d->in = in;
        d->name = name;
        d->weight = w;
        d->bias = b;
        d->act = a;
        d->map = NULL;
        lump_act_set(&d->act, &s->act);
        if (s->map != NULL) {
            d->map = lump_alloc_array(s->shape.size, sizeof *d->map);
            memcpy(d->map, s->map, s->shape.size * sizeof *d->map);
        }
        err = lump_arr_copy(&d->weight, &s->weight);
        if (err == LUMP_OK)
            err = lump_arr_copy(&d->bias, &s->bias);
    }
    if (err == LUMP_OK) {
        g.output = src->output;
        g.out_name = src->out_name != NULL ? lump_strdup(src->out_name) : NULL;
        lump_graph_clear(dst);
        *dst = g;
    } else {
        lump_graph_clear(&g);
    }
    return err;
}
