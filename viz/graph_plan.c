/* graph_plan.c -- the drawing of a graph (convolutional, residual) network
 * at channel level: a column per tensor, a node per channel (per entry of
 * a flat tensor), edges along every operation, residual ones included;
 * blocks of a channel lumping coloured as for layered networks */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/glump.h"
#include "viz_i.h"
#include "alloc_i.h"

/* The drawn node of every unit of one tensor. */
typedef struct {
    size_t units, per; /* units (channels, or entries of a flat tensor) */
    size_t *node;      /* [units] index into the side's nodes */
} gcol_t;

static int is_merged(const lump_gpart_t *p, size_t b)
{
    size_t k = 0;
    for (size_t u = 0; u < p->units && k < 2; u++)
        k += p->block[u] == b;
    return k >= 2;
}

/* slot -- the colour slot of unit U of partition P: its merged block's
 * rank among the node's merged blocks, removed (dead or constant), or
 * plain. */
static int slot(const lump_gpart_t *p, size_t u)
{
    size_t b = p->block[u];
    int k = 0;
    if (p->dead[b] || p->konst[b])
        return LUMP_I_VIZ_REMOVED;
    if (!is_merged(p, b))
        return LUMP_I_VIZ_PLAIN;
    for (size_t c = 0; c < b; c++)
        k += is_merged(p, c) && !p->dead[c] && !p->konst[c];
    return k;
}

/* telling -- the order in which units of a wide tensor are shown: units of
 * merged blocks and removed ones first, then by index. */
static int telling(const lump_gpart_t *p, size_t u)
{
    if (p == NULL)
        return 1;
    return slot(p, u) == LUMP_I_VIZ_PLAIN;
}

static void col_label(lump_i_viz_layer_t *lay, const lump_graph_t *g, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    lump_i_viz_str_t t;
    lump_i_viz_str_init(&t);
    if (i == 0)
        lump_i_viz_str_add(&t, "input\\n");
    else if (n->op == LUMP_GOP_ACT)
        lump_i_viz_str_add(&t, "%s\\n", lump_act_name(n->act.kind));
    else
        lump_i_viz_str_add(&t, "%s\\n", lump_gop_name(n->op));
    for (size_t d = 0; d < n->shape.ndim; d++)
        lump_i_viz_str_add(&t, "%s%zu", d ? "×" : "", n->shape.dim[d]);
    if (i == g->output)
        lump_i_viz_str_add(&t, " (out)");
    lay->label = lump_i_viz_str_take(&t);
}

/* build_cols -- the columns and nodes of G (partition L, may be NULL). */
static void build_cols(lump_i_viz_side_t *s, gcol_t *col, const lump_graph_t *g,
                       const lump_glumping_t *L, const lump_viz_opts_t *o, lump_i_viz_plan_t *p)
{
    s->n_layers = g->n_nodes;
    s->layers = lump_alloc_zero(g->n_nodes, sizeof *s->layers);
    for (size_t i = 0; i < g->n_nodes; i++) {
        const lump_gpart_t *part = L != NULL ? &L->nodes[i] : NULL;
        gcol_t *c = &col[i];
        size_t shown = 0;
        c->units = lump_graph_units(g, i);
        c->per = c->units > 0 ? g->nodes[i].shape.size / c->units : 1;
        c->node = lump_alloc_array(c->units + 1, sizeof *c->node);
        s->layers[i].first = s->n_nodes;
        col_label(&s->layers[i], g, i);
        for (int pass = 0; pass < 2; pass++)
            for (size_t u = 0; u < c->units; u++) {
                lump_i_viz_node_t *nd;
                if (telling(part, u) != pass)
                    continue;
                if (c->units > o->max_width && shown + 1 >= o->max_width) {
                    c->node[u] = SIZE_MAX;
                    continue;
                }
                c->node[u] = s->n_nodes;
                nd = lump_i_viz_new_node(s);
                snprintf(nd->name, sizeof nd->name, "%s%zu_%zu", s->prefix, i, u);
                nd->neuron = 1;
                if (i == g->output)
                    nd->peripheries = 2; /* as the outputs of layered drawings */
                {
                    lump_i_viz_str_t t;
                    lump_i_viz_str_init(&t);
                    lump_i_viz_str_add(&t, "%s%zu", g->nodes[i].shape.ndim >= 2 ? "c" : "",
                                       u);
                    nd->label = lump_i_viz_str_take(&t);
                }
                if (part != NULL && slot(part, u) != LUMP_I_VIZ_PLAIN)
                    lump_i_viz_style_block(nd, slot(part, u));
                shown++;
            }
        if (shown < c->units) {
            size_t more = s->n_nodes;
            lump_i_viz_more_node(s, i, c->units - shown);
            for (size_t u = 0; u < c->units; u++)
                if (c->node[u] == SIZE_MAX)
                    c->node[u] = more;
            p->summarised = 1;
        }
        s->layers[i].n = s->n_nodes - s->layers[i].first;
    }
}

/* put -- one weight W from entry E of input column X to unit V of column
 * I, into the accumulator of that pair of columns. */
static void put(lump_i_viz_acc_t *acc, const lump_i_viz_side_t *s, const gcol_t *col, size_t x,
                size_t ux, size_t i, size_t v, double w)
{
    size_t a = col[x].node[ux] - s->layers[x].first, b = col[i].node[v] - s->layers[i].first;
    if (w != 0)
        lump_i_viz_acc_add(&acc[a * s->layers[i].n + b], w, w > 0 ? 1 : -1);
}

/* edges_in -- the weights from input slot K of node I, aggregated per pair
 * of drawn nodes. O(weights of I + size of its tensor). */
static void edges_in(lump_i_viz_acc_t *acc, const lump_i_viz_side_t *s, const gcol_t *col,
                     const lump_graph_t *g, size_t i, size_t k)
{
    const lump_graph_node_t *n = &g->nodes[i];
    size_t x = n->in[k], cx = col[x].units, px = col[x].per, ci = col[i].units;
    switch (n->op) {
    case LUMP_GOP_CONV: {
        size_t kk = n->kh * n->kw, cin = n->weight.len / (ci * kk), grp = ci / n->group;
        for (size_t v = 0; v < ci; v++)
            for (size_t u = 0; u < cin; u++)
                for (size_t t = 0; t < kk; t++)
                    put(acc, s, col, x, (v / grp) * cin + u, i, v,
                        lump_arr_get_d(&n->weight, (v * cin + u) * kk + t));
        break;
    }
    case LUMP_GOP_DENSE: {
        size_t in = g->nodes[x].shape.size;
        for (size_t v = 0; v < ci; v++)
            for (size_t e = 0; e < in; e++)
                put(acc, s, col, x, e / px, i, v, lump_arr_get_d(&n->weight, v * in + e));
        break;
    }
    case LUMP_GOP_RESHAPE:
    case LUMP_GOP_GATHER:
        for (size_t e = 0; e < n->shape.size; e++) {
            size_t src = n->op == LUMP_GOP_GATHER ? n->map[e] : e;
            put(acc, s, col, x, src / px, i, e / col[i].per, 1);
        }
        break;
    case LUMP_GOP_CONCAT: {
        size_t off = 0;
        for (size_t j = 0; j < k; j++)
            off += lump_graph_units(g, n->in[j]);
        for (size_t u = 0; u < cx && off + u < ci; u++)
            put(acc, s, col, x, u, i, off + u, 1);
        break;
    }
    case LUMP_GOP_PAD: {
        size_t b = n->shape.ndim >= 2 ? n->pad_begin[0] : 0;
        for (size_t u = 0; u < cx && u + b < ci; u++)
            put(acc, s, col, x, u, i, u + b, 1);
        break;
    }
    default: /* channel by channel: activations, pools, elementwise, Add */
        for (size_t u = 0; u < cx && u < ci; u++)
            put(acc, s, col, x, u, i, u, 1);
        break;
    }
}

static void build_side(lump_i_viz_side_t *s, const lump_graph_t *g, const lump_glumping_t *L,
                       const lump_viz_opts_t *o, lump_i_viz_plan_t *p)
{
    gcol_t *col = lump_alloc_zero(g->n_nodes, sizeof *col);
    build_cols(s, col, g, L, o, p);
    for (size_t i = 1; i < g->n_nodes; i++)
        for (size_t k = 0; k < g->nodes[i].n_in; k++) {
            size_t x = g->nodes[i].in[k];
            lump_i_viz_acc_t *acc =
                lump_alloc_zero(s->layers[x].n * s->layers[i].n + 1, sizeof *acc);
            size_t e0 = s->n_edges;
            lump_gop_t op = g->nodes[i].op;
            edges_in(acc, s, col, g, i, k);
            lump_i_viz_edges_emit(s, x, i, acc, o->max_edges, &p->pruned, &p->mixed);
            /* an operation without weights (an activation, a pool, a copy,
             * a residual Add) passes its channels on: a thin line, so that
             * the weighted edges stand out */
            if (op != LUMP_GOP_CONV && op != LUMP_GOP_DENSE && op != LUMP_GOP_AFFINE)
                for (size_t e = e0; e < s->n_edges; e++)
                    s->edges[e].width = 0.8;
            free(acc);
        }
    for (size_t i = 0; i < g->n_nodes; i++)
        free(col[i].node);
    free(col);
}

static char *side_title(const char *what, const lump_graph_t *g)
{
    size_t ch = 0;
    lump_i_viz_str_t t;
    for (size_t i = 1; i < g->n_nodes; i++)
        if (g->nodes[i].op == LUMP_GOP_CONV)
            ch += g->nodes[i].shape.dim[0];
    lump_i_viz_str_init(&t);
    lump_i_viz_str_add(&t, "%s: %zu conv channels, %zu parameters", what, ch,
                       lump_graph_params(g));
    return lump_i_viz_str_take(&t);
}

/* lump_i_viz_graph_plan -- see viz_i.h. */
lump_error_t lump_i_viz_graph_plan(lump_i_viz_plan_t *p, const lump_graph_t *g,
                                   const lump_glumping_t *L, const lump_graph_t *q,
                                   const lump_viz_opts_t *o)
{
    lump_i_viz_str_t t;
    memset(p, 0, sizeof *p);
    if (o->max_width < 2)
        return lump_error_set(LUMP_EUSAGE, "draw: the largest layer width must be at least 2");
    if (L != NULL && L->n_nodes != g->n_nodes)
        return lump_error_set(LUMP_EINPUT, "draw: the lumping has %zu nodes, the network %zu",
                              L->n_nodes, g->n_nodes);
    for (size_t i = 0; L != NULL && i < g->n_nodes; i++)
        if (L->nodes[i].units != lump_graph_units(g, i))
            return lump_error_set(LUMP_EINPUT, "draw: node %zu of the lumping has %zu units, "
                                  "the network's %zu", i, L->nodes[i].units,
                                  lump_graph_units(g, i));
    p->font = o->font != NULL && o->font[0] != '\0' ? o->font : "DejaVu Sans";
    p->width = o->width;
    p->height = o->height;
    p->legend = o->legend;
    p->dpi = o->dpi > 0 && o->dpi <= 2400 ? o->dpi : 300;
    for (size_t i = 0; L != NULL && i < g->n_nodes; i++)
        for (size_t u = 0; u < L->nodes[i].units; u++) {
            int sl = slot(&L->nodes[i], u);
            p->merged_any |= sl >= 0;
            p->removed |= sl == LUMP_I_VIZ_REMOVED;
        }
    p->lumped = L != NULL;
    p->no_lumps = L != NULL && !p->merged_any && !p->removed;
    if (!o->quotient_only || q == NULL) {
        lump_i_viz_side_t *s = &p->sides[p->n_sides++];
        strcpy(s->prefix, "o");
        build_side(s, g, L, o, p);
        if (q != NULL && !p->no_lumps)
            s->label = side_title("original", g);
    }
    if (q != NULL && !p->no_lumps) {
        lump_i_viz_side_t *s = &p->sides[p->n_sides++];
        strcpy(s->prefix, "q");
        build_side(s, q, NULL, o, p);
        if (!o->quotient_only)
            s->label = side_title("quotient", q);
    }
    lump_i_viz_str_init(&t);
    lump_i_viz_add_title(&t, o->title);
    if (L == NULL)
        lump_i_viz_str_add(&t, "%zu nodes, %zu parameters", g->n_nodes, lump_graph_params(g));
    else if (p->no_lumps)
        lump_i_viz_str_add(&t, "%zu parameters, no lumps (channel lumping)",
                           lump_graph_params(g));
    else if (q != NULL)
        lump_i_viz_str_add(&t, "%zu → %zu parameters (channel lumping)", lump_graph_params(g),
                           lump_graph_params(q));
    else
        lump_i_viz_str_add(&t, "%zu parameters (channel lumping)", lump_graph_params(g));
    lump_i_viz_caption_tail(&t, p, o);
    p->caption = lump_i_viz_str_take(&t);
    return LUMP_OK;
}
