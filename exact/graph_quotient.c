/* graph_quotient.c -- the quotient of a graph by a channel-level lumping
 * (lumpnet/glump.h) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "glump_i.h"

/* the attributes of SRC that are not arrays nor inputs */
static void copy_attrs(lump_graph_node_t *d, const lump_graph_node_t *s)
{
    d->kh = s->kh, d->kw = s->kw, d->sh = s->sh, d->sw = s->sw, d->dh = s->dh, d->dw = s->dw;
    d->pt = s->pt, d->pl = s->pl, d->pb = s->pb, d->pr = s->pr, d->group = s->group;
    d->count_include_pad = s->count_include_pad;
    memcpy(d->pad_begin, s->pad_begin, sizeof d->pad_begin);
    memcpy(d->pad_end, s->pad_end, sizeof d->pad_end);
    lump_act_set(&d->act, &s->act);
    d->has_bias = s->has_bias;
    d->shape = s->shape;
}

static char *sub_name(const char *name, const char *what, size_t k)
{
    size_t len = (name != NULL ? strlen(name) : 0) + strlen(what) + 32;
    char *s = lump_alloc(len);
    snprintf(s, len, "%s/%s%zu", name != NULL ? name : "", what, k);
    return s;
}

/* the adapter of node N's input SLOT: a GATHER and, unless every scale is
 * 1, an AFFINE; returns the quotient node that N' reads */
static lump_error_t adapter(size_t *at, lump_graph_t *q, const lump_graph_t *g,
                            const lump_glumping_t *L, const size_t *qi, size_t n, size_t slot)
{
    lump_error_t err = LUMP_OK;
    lump_i_gadapt_t a;
    size_t x = g->nodes[n].in[slot], src = qi[x], k;
    char *name = NULL;
    lump_i_gadapt(&a, g, L, n, slot);
    *at = src;
    if (a.identity)
        goto cleanup;
    name = sub_name(g->nodes[n].name, "lump_in", slot);
    k = lump_graph_add(q, LUMP_GOP_GATHER, &src, 1, name);
    lump_i_gadapt_shape(&q->nodes[k].shape, &a, &g->nodes[x].shape);
    q->nodes[k].map = lump_alloc_array(a.n * a.per > 0 ? a.n * a.per : 1, sizeof(size_t));
    for (size_t j = 0; j < a.n; j++)
        for (size_t p = 0; p < a.per; p++)
            q->nodes[k].map[j * a.per + p] = a.src[j] * a.per + p;
    *at = k;
    if (!a.ones) {
        lump_graph_node_t *m;
        free(name);
        name = sub_name(g->nodes[n].name, "lump_scale", slot);
        *at = lump_graph_add(q, LUMP_GOP_AFFINE, &k, 1, name);
        m = &q->nodes[*at];
        m->shape = q->nodes[k].shape;
        LUMP_CHECK(lump_arr_alloc(&m->weight, LUMP_STORE_Q, m->shape.size));
        LUMP_CHECK(lump_arr_alloc(&m->bias, LUMP_STORE_F32, m->shape.size));
        m->has_bias = 1;
        m->params = 2 * m->shape.size;
        for (size_t j = 0; j < a.n; j++)
            for (size_t p = 0; p < a.per; p++)
                LUMP_CHECK(lump_arr_set(&m->weight, j * a.per + p, a.scale[j]));
    }
cleanup:
    free(name);
    lump_i_gadapt_clear(&a);
    return err;
}

/* a WEIGHTED node: W'[B][C][k] = sum_{u in C} c_u W[rep B][u][k] */
static lump_error_t weighted(lump_graph_node_t *m, const lump_graph_node_t *n,
                             const lump_gpart_t *pn, const lump_gpart_t *px)
{
    lump_error_t err = LUMP_OK;
    size_t *ix = lump_alloc_array(px->n_blocks + 1, sizeof *ix), *in = NULL;
    size_t kx = lump_i_gpart_kept_index(px, ix), kn, cin = px->units;
    size_t k = n->op == LUMP_GOP_CONV ? n->kh * n->kw : px->per;
    mpq_t *t = lump_rat_vec_new(kx * k), w;
    mpq_init(w);
    in = lump_alloc_array(pn->n_blocks + 1, sizeof *in);
    kn = lump_i_gpart_kept_index(pn, in);
    if (n->op == LUMP_GOP_CONV)
        m->shape.dim[0] = kn, m->shape.size = kn * (n->shape.size / n->shape.dim[0]);
    else
        m->shape.dim[0] = kn, m->shape.size = kn;
    LUMP_CHECK(lump_arr_alloc(&m->weight, n->weight.store, kn * kx * k));
    /* folded constant inputs go to the bias, which may make one */
    m->has_bias = lump_i_gq_has_bias(n, px);
    if (m->has_bias)
        LUMP_CHECK(lump_arr_alloc(&m->bias, n->has_bias ? n->bias.store : LUMP_STORE_Q, kn));
    for (size_t b = 0; b < pn->n_blocks; b++) {
        size_t v = pn->rep[b];
        if (in[b] == SIZE_MAX) /* dead or constant */
            continue;
        for (size_t u = 0; u < cin; u++) {
            size_t c = ix[px->block[u]];
            if (c == SIZE_MAX)
                continue;
            for (size_t kk = 0; kk < k; kk++) {
                size_t at = (v * cin + u) * k + kk;
                if (lump_arr_sgn(&n->weight, at) == 0)
                    continue;
                lump_arr_get(w, &n->weight, at);
                mpq_mul(w, w, px->scale[u]);
                mpq_add(t[c * k + kk], t[c * k + kk], w);
            }
        }
        if (m->has_bias) {
            lump_i_gq_beff(w, n, px, v, k);
            LUMP_CHECK(lump_arr_set(&m->bias, in[b], w));
        }
        for (size_t e = 0; e < kx * k; e++) {
            if (mpq_sgn(t[e]) != 0)
                LUMP_CHECK(lump_arr_set(&m->weight, in[b] * kx * k + e, t[e]));
            mpq_set_ui(t[e], 0, 1);
        }
    }
    m->params = m->weight.len + m->bias.len;
cleanup:
    mpq_clear(w);
    lump_rat_vec_free(t, kx * k);
    free(ix);
    free(in);
    return err;
}

static lump_error_t copy_node(lump_graph_node_t *m, const lump_graph_node_t *n)
{
    lump_error_t err = LUMP_OK;
    copy_attrs(m, n);
    LUMP_CHECK(lump_arr_copy(&m->weight, &n->weight));
    LUMP_CHECK(lump_arr_copy(&m->bias, &n->bias));
    if (n->map != NULL) {
        m->map = lump_alloc_array(n->shape.size, sizeof *m->map);
        memcpy(m->map, n->map, n->shape.size * sizeof *m->map);
    }
    m->params = n->params;
cleanup:
    return err;
}

static lump_error_t one_node(lump_graph_t *q, size_t *qi, const lump_graph_t *g,
                             const lump_glumping_t *L, size_t i)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_node_t *n = &g->nodes[i];
    lump_i_gkind_t kind = lump_i_gkind(g, i);
    size_t in[8], k;
    lump_graph_node_t *m;
    if (n->n_in > 8)
        return lump_error_set(LUMP_EUNSUPPORTED, "node %zu (%s): more than 8 inputs", i,
                              n->name != NULL ? n->name : "");
    for (size_t s = 0; s < n->n_in; s++) {
        in[s] = qi[n->in[s]];
        if (kind == LUMP_I_GK_CHANWISE || kind == LUMP_I_GK_OPAQUE)
            LUMP_CHECK(adapter(&in[s], q, g, L, qi, i, s));
    }
    k = lump_graph_add(q, n->op, in, n->n_in, n->name);
    m = &q->nodes[k];
    qi[i] = k;
    if (kind == LUMP_I_GK_WEIGHTED) {
        copy_attrs(m, n);
        return weighted(m, n, &L->nodes[i], &L->nodes[n->in[0]]);
    }
    if (kind == LUMP_I_GK_OPAQUE || i == 0)
        return copy_node(m, n);
    copy_attrs(m, n);
    if (kind == LUMP_I_GK_FLATTEN) {
        m->shape.size = q->nodes[in[0]].shape.size;
        m->shape.dim[0] = m->shape.size;
    } else {
        size_t kn = lump_glumping_kept(L, i);
        m->shape.size = kn * (n->shape.size / lump_graph_units(g, i));
        m->shape.dim[0] = n->shape.ndim >= 2 ? kn : m->shape.size;
    }
cleanup:
    return err;
}

/* lump_graph_quotient -- see lumpnet/glump.h. */
lump_error_t lump_graph_quotient(lump_graph_t *q, const lump_graph_t *g, const lump_glumping_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_graph_t R;
    size_t *qi = lump_alloc_array(g->n_nodes + 1, sizeof *qi);
    lump_graph_init(&R);
    lump_require(L->n_nodes == g->n_nodes, "lump_graph_quotient");
    for (size_t i = 0; i < g->n_nodes; i++)
        LUMP_CHECK(one_node(&R, qi, g, L, i));
    R.output = qi[g->output];
    if (g->out_name != NULL)
        R.out_name = lump_strdup(g->out_name);
    lump_graph_clear(q);
    *q = R;
    lump_graph_init(&R);
cleanup:
    lump_graph_clear(&R);
    free(qi);
    return err;
}
