/* graph_const.c -- which units of a graph are constant channels that can
 * be folded exactly into their readers (docs/cnn-lumping.md, "Constant
 * channels"): the partition finder's first step */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "glump_i.h"

/* lump_i_gconst_uniform -- see glump_i.h. */
int lump_i_gconst_uniform(const lump_graph_node_t *n)
{
    return n->op == LUMP_GOP_DENSE ||
           (n->op == LUMP_GOP_CONV && n->pt == 0 && n->pl == 0 && n->pb == 0 && n->pr == 0);
}

/* lump_i_gconst_op -- see glump_i.h. */
int lump_i_gconst_op(mpq_t out, const lump_graph_node_t *n, const mpq_t *in)
{
    switch (n->op) {
    case LUMP_GOP_ADD:
        mpq_add(out, in[0], in[1]);
        return 1;
    case LUMP_GOP_MAXPOOL:
        mpq_set(out, in[0]);
        return 1;
    case LUMP_GOP_AVGPOOL:
        /* zeros of the padding in the divisor would make borders differ */
        mpq_set(out, in[0]);
        return !n->count_include_pad || (n->pt == 0 && n->pl == 0 && n->pb == 0 && n->pr == 0);
    case LUMP_GOP_PAD: {
        /* the padding is 0: a constant channel stays one only when it is
         * 0 or nothing is padded */
        int pads = 0;
        for (size_t d = 0; d < LUMP_GRAPH_MAX_DIMS; d++)
            pads |= n->pad_begin[d] != 0 || n->pad_end[d] != 0;
        mpq_set(out, in[0]);
        return !pads || mpq_sgn(out) == 0;
    }
    case LUMP_GOP_ACT:
        mpq_set(out, in[0]);
        if (n->act.kind == LUMP_ACT_RELU && mpq_sgn(out) < 0)
            mpq_set_ui(out, 0, 1);
        else if (n->act.kind == LUMP_ACT_LEAKY_RELU && mpq_sgn(out) < 0)
            mpq_mul(out, out, n->act.alpha);
        return lump_act_is_pwl(n->act.kind);
    default:
        return 0;
    }
}

/* every weight of unit V (or of every unit, V = SIZE_MAX) of WEIGHTED node
 * N on input unit U is zero */
static int zero_on(const lump_graph_node_t *n, size_t cin, size_t k, size_t v, size_t u)
{
    size_t lo = v == SIZE_MAX ? 0 : v, hi = v == SIZE_MAX ? n->weight.len / (cin * k) : v + 1;
    for (size_t o = lo; o < hi; o++)
        for (size_t kk = 0; kk < k; kk++)
            if (lump_arr_sgn(&n->weight, (o * cin + u) * k + kk) != 0)
                return 0;
    return 1;
}

/* the candidates of node I given the folds allowed (A, per node and unit) */
static void candidates(unsigned char **cand, const unsigned char *const *a, mpq_t **val,
                       const lump_graph_t *g, size_t i, mpq_t t)
{
    const lump_graph_node_t *n = &g->nodes[i];
    size_t units = lump_graph_units(g, i);
    lump_i_gkind_t kind = lump_i_gkind(g, i);
    memset(cand[i], 0, units > 0 ? units : 1);
    if (i == 0 || i == g->output || kind == LUMP_I_GK_OPAQUE)
        return;
    for (size_t v = 0; v < units; v++) {
        size_t x = n->in[0], cin = lump_graph_units(g, x);
        size_t per = cin > 0 ? g->nodes[x].shape.size / cin : 0;
        if (!a[i][v])
            continue;
        if (kind == LUMP_I_GK_FLATTEN) {
            cand[i][v] = cand[x][v / per] && a[x][v / per];
            mpq_set(val[i][v], val[x][v / per]);
        } else if (kind == LUMP_I_GK_CHANWISE) {
            mpq_t in[2];
            int ok = n->n_in <= 2;
            mpq_inits(in[0], in[1], NULL);
            for (size_t s = 0; ok && s < n->n_in; s++) {
                ok = cand[n->in[s]][v] && a[n->in[s]][v];
                if (ok)
                    mpq_set(in[s], val[n->in[s]][v]);
            }
            cand[i][v] = ok && lump_i_gconst_op(val[i][v], n, (const mpq_t *)in);
            mpq_clears(in[0], in[1], NULL);
        } else {
            size_t k = n->op == LUMP_GOP_CONV ? n->kh * n->kw : per;
            int ok = 1, uni = lump_i_gconst_uniform(n);
            mpq_set_ui(val[i][v], 0, 1);
            if (n->has_bias)
                lump_arr_get(val[i][v], &n->bias, v);
            for (size_t u = 0; ok && u < cin; u++) {
                if (zero_on(n, cin, k, v, u))
                    continue;
                /* a zero channel adds zero at every position, padded or not */
                ok = cand[x][u] && a[x][u] && (uni || mpq_sgn(val[x][u]) == 0);
                for (size_t kk = 0; ok && kk < k; kk++) {
                    lump_arr_get(t, &n->weight, (v * cin + u) * k + kk);
                    mpq_mul(t, t, val[x][u]);
                    mpq_add(val[i][v], val[i][v], t);
                }
            }
            cand[i][v] = ok;
        }
    }
}

/* may unit U of node X (of value VAL) be folded: every reader takes it */
static int readers_take(unsigned char *const *fold, const mpq_t val, const lump_graph_t *g,
                        size_t x, size_t u)
{
    size_t cin = lump_graph_units(g, x), per = cin > 0 ? g->nodes[x].shape.size / cin : 0;
    for (size_t r = x + 1; r < g->n_nodes; r++) {
        const lump_graph_node_t *n = &g->nodes[r];
        for (size_t s = 0; s < n->n_in; s++) {
            if (n->in[s] != x)
                continue;
            switch (lump_i_gkind(g, r)) {
            case LUMP_I_GK_WEIGHTED:
                if (!lump_i_gconst_uniform(n) && mpq_sgn(val) != 0 &&
                    !zero_on(n, cin, n->op == LUMP_GOP_CONV ? n->kh * n->kw : per, SIZE_MAX, u))
                    return 0;
                break;
            case LUMP_I_GK_CHANWISE:
                if (!fold[r][u])
                    return 0;
                break;
            case LUMP_I_GK_FLATTEN:
                for (size_t p = 0; p < per; p++)
                    if (!fold[r][u * per + p])
                        return 0;
                break;
            default:
                return 0;
            }
        }
    }
    return 1;
}

/* lump_i_gconst_find -- see glump_i.h. */
void lump_i_gconst_find(unsigned char **fold, mpq_t **val, const lump_graph_t *g)
{
    size_t nn = g->n_nodes;
    unsigned char **cand = lump_alloc_array(nn, sizeof *cand);
    int changed = 1;
    mpq_t t;
    mpq_init(t);
    for (size_t i = 0; i < nn; i++) {
        size_t u = lump_graph_units(g, i);
        cand[i] = lump_alloc_zero(u > 0 ? u : 1, 1);
        memset(fold[i], 1, u > 0 ? u : 1);
    }
    /* folds only ever shrink: the fixed point is reached in a few rounds */
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < nn; i++)
            candidates(cand, (const unsigned char *const *)fold, val, g, i, t);
        for (size_t i = nn; i-- > 0;)
            for (size_t u = 0; u < lump_graph_units(g, i); u++) {
                unsigned char f = cand[i][u] && readers_take(fold, val[i][u], g, i, u);
                if (f != fold[i][u])
                    changed = 1;
                fold[i][u] = f;
            }
    }
    for (size_t i = 0; i < nn; i++)
        free(cand[i]);
    free(cand);
    mpq_clear(t);
}
