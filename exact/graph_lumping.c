/* graph_lumping.c -- the channel-level lumping of a graph: its storage and
 * how each node is seen (lumpnet/glump.h, glump_i.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "glump_i.h"

void lump_glumping_init(lump_glumping_t *L)
{
    memset(L, 0, sizeof *L);
}

void lump_glumping_clear(lump_glumping_t *L)
{
    for (size_t i = 0; i < L->n_nodes; i++)
        lump_i_gpart_clear(&L->nodes[i]);
    free(L->nodes);
    lump_glumping_init(L);
}

size_t lump_graph_units(const lump_graph_t *g, size_t i)
{
    const lump_shape_t *s = &g->nodes[i].shape;
    return s->ndim >= 2 ? s->dim[0] : s->size;
}

void lump_glumping_alloc(lump_glumping_t *L, const lump_graph_t *g, lump_mode_t mode)
{
    lump_glumping_clear(L);
    L->mode = mode;
    L->n_nodes = g->n_nodes;
    L->nodes = lump_alloc_zero(g->n_nodes > 0 ? g->n_nodes : 1, sizeof *L->nodes);
    for (size_t i = 0; i < g->n_nodes; i++) {
        size_t u = lump_graph_units(g, i);
        lump_i_gpart_alloc(&L->nodes[i], u, u > 0 ? g->nodes[i].shape.size / u : 0);
    }
}

size_t lump_glumping_kept(const lump_glumping_t *L, size_t i)
{
    size_t k = 0;
    for (size_t b = 0; b < L->nodes[i].n_blocks; b++)
        k += !L->nodes[i].dead[b] && !L->nodes[i].konst[b];
    return k;
}

void lump_i_gpart_alloc(lump_gpart_t *p, size_t units, size_t per)
{
    size_t n = units > 0 ? units : 1;
    p->units = units;
    p->per = per;
    p->n_blocks = units;
    p->block = lump_alloc_array(n, sizeof *p->block);
    p->rep = lump_alloc_array(n, sizeof *p->rep);
    p->dead = lump_alloc_zero(n, 1);
    p->konst = lump_alloc_zero(n, 1);
    p->scale = lump_alloc_array(n, sizeof *p->scale);
    p->value = lump_rat_vec_new(units);
    for (size_t u = 0; u < units; u++) {
        p->block[u] = p->rep[u] = u;
        mpq_init(p->scale[u]);
        mpq_set_ui(p->scale[u], 1, 1);
    }
}

void lump_i_gpart_clear(lump_gpart_t *p)
{
    if (p->scale != NULL)
        for (size_t u = 0; u < p->units; u++)
            mpq_clear(p->scale[u]);
    free(p->scale);
    if (p->value != NULL)
        lump_rat_vec_free(p->value, p->units);
    free(p->konst);
    free(p->block);
    free(p->rep);
    free(p->dead);
    memset(p, 0, sizeof *p);
}

/* new ids in order of first appearance = by lowest member; a CONSTANT
 * unit keeps its mark (KONST is indexed by unit during the renumbering) */
void lump_i_gpart_renumber(lump_gpart_t *p)
{
    size_t n = p->units > 0 ? p->units : 1, nb = 0;
    size_t *id = lump_alloc_array(n, sizeof *id);
    unsigned char *k = lump_alloc_zero(n, 1);
    for (size_t u = 0; u < p->units; u++)
        k[u] = p->konst[p->block[u]];
    for (size_t u = 0; u < p->units; u++)
        id[u] = SIZE_MAX;
    for (size_t u = 0; u < p->units; u++) {
        size_t old = p->block[u];
        if (id[old] == SIZE_MAX) {
            id[old] = nb;
            p->rep[nb++] = u;
        }
        p->block[u] = id[old];
    }
    p->n_blocks = nb;
    memset(p->dead, 0, n);
    memset(p->konst, 0, n);
    for (size_t u = 0; u < p->units; u++)
        p->konst[p->block[u]] |= k[u];
    free(k);
    free(id);
}

size_t lump_i_gpart_kept_index(const lump_gpart_t *p, size_t *idx)
{
    size_t k = 0;
    for (size_t b = 0; b < p->n_blocks; b++)
        idx[b] = p->dead[b] || p->konst[b] ? SIZE_MAX : k++;
    return k;
}

lump_i_gkind_t lump_i_gkind(const lump_graph_t *g, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    switch (n->op) {
    case LUMP_GOP_CONV:
        return n->group == 1 ? LUMP_I_GK_WEIGHTED : LUMP_I_GK_OPAQUE;
    case LUMP_GOP_DENSE:
        return LUMP_I_GK_WEIGHTED;
    case LUMP_GOP_ACT:
    case LUMP_GOP_MAXPOOL:
    case LUMP_GOP_AVGPOOL:
    case LUMP_GOP_ADD:
    case LUMP_GOP_PAD:
        /* the same units in and out (a pool keeps the channels, and so
         * does a zero pad of the rows and columns only) */
        for (size_t k = 0; k < n->n_in; k++)
            if (lump_graph_units(g, n->in[k]) != lump_graph_units(g, i) ||
                (g->nodes[n->in[k]].shape.ndim >= 2) != (n->shape.ndim >= 2))
                return LUMP_I_GK_OPAQUE;
        return LUMP_I_GK_CHANWISE;
    case LUMP_GOP_RESHAPE:
        /* the output's reshape is opaque: output units are never merged */
        return n->shape.ndim == 1 && i != g->output ? LUMP_I_GK_FLATTEN : LUMP_I_GK_OPAQUE;
    default:
        return LUMP_I_GK_OPAQUE;
    }
}

void lump_i_gadapt(lump_i_gadapt_t *a, const lump_graph_t *g, const lump_glumping_t *L, size_t n,
                   size_t slot)
{
    const lump_gpart_t *pn = &L->nodes[n], *px = &L->nodes[g->nodes[n].in[slot]];
    size_t *idx = lump_alloc_array(px->n_blocks > 0 ? px->n_blocks : 1, sizeof *idx);
    size_t kx = lump_i_gpart_kept_index(px, idx), j = 0;
    int chan = lump_i_gkind(g, n) == LUMP_I_GK_CHANWISE;
    a->n = chan ? lump_glumping_kept(L, n) : px->units;
    a->per = px->units > 0 ? g->nodes[g->nodes[n].in[slot]].shape.size / px->units : 0;
    a->src = lump_alloc_array(a->n > 0 ? a->n : 1, sizeof *a->src);
    a->scale = lump_rat_vec_new(a->n);
    a->identity = a->n == kx;
    a->ones = 1;
    for (size_t b = 0; b < (chan ? pn->n_blocks : px->units); b++) {
        size_t t = chan ? pn->rep[b] : b;
        if (chan && (pn->dead[b] || pn->konst[b]))
            continue;
        a->src[j] = idx[px->block[t]];
        mpq_set(a->scale[j], px->scale[t]);
        if (mpq_cmp_ui(a->scale[j], 1, 1) != 0)
            a->ones = 0;
        if (a->src[j] != j)
            a->identity = 0;
        j++;
    }
    a->identity = a->identity && a->ones;
    free(idx);
}

void lump_i_gadapt_clear(lump_i_gadapt_t *a)
{
    free(a->src);
    lump_rat_vec_free(a->scale, a->n);
    memset(a, 0, sizeof *a);
}

void lump_i_gadapt_shape(lump_shape_t *s, const lump_i_gadapt_t *a, const lump_shape_t *xs)
{
    *s = *xs;
    s->dim[0] = a->n;
    s->size = a->n * a->per;
}

int lump_i_gq_has_bias(const lump_graph_node_t *n, const lump_gpart_t *px)
{
    for (size_t b = 0; b < px->n_blocks; b++)
        if (px->konst[b])
            return 1;
    return n->has_bias;
}

void lump_i_gq_beff(mpq_t out, const lump_graph_node_t *n, const lump_gpart_t *px, size_t v,
                    size_t k)
{
    size_t cin = px->units;
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(out, 0, 1);
    if (n->has_bias)
        lump_arr_get(out, &n->bias, v);
    for (size_t u = 0; u < cin; u++)
        for (size_t kk = 0; px->konst[px->block[u]] && kk < k; kk++) {
            lump_arr_get(t, &n->weight, (v * cin + u) * k + kk);
            mpq_mul(t, t, px->value[u]);
            mpq_add(out, out, t);
        }
    mpq_clear(t);
}
