/* graph_check.c -- the independent checker of channel-level lumpings of
 * graphs and of their quotients (lumpnet/glump.h). Trusted base: it never
 * calls the partition finder; every condition is recomputed here in exact
 * rationals from the network and the certificate. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "lumpnet/glump.h"
#include "check_why_i.h"

static const char *nm(const lump_graph_t *g, size_t i)
{
    return g->nodes[i].name != NULL ? g->nodes[i].name : "";
}

/* positions per unit of node I, from the network (a certificate does not
 * carry them) */
static size_t gper(const lump_graph_t *g, size_t i)
{
    size_t u = lump_graph_units(g, i);
    return u > 0 ? g->nodes[i].shape.size / u : 0;
}

/* The checker's own reading of how node I is lumped (docs/cnn-lumping.md;
 * the finder has its own, lump_i_gkind: a disagreement makes valid
 * certificates fail, never invalid ones pass) */
enum { ROLE_WHOLE, ROLE_SUMS, ROLE_CHAN, ROLE_FLAT };

static int role(const lump_graph_t *g, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    if (n->op == LUMP_GOP_DENSE || (n->op == LUMP_GOP_CONV && n->group == 1))
        return ROLE_SUMS;
    if (n->op == LUMP_GOP_RESHAPE)
        return n->shape.ndim == 1 && i != g->output ? ROLE_FLAT : ROLE_WHOLE;
    if (n->op != LUMP_GOP_ACT && n->op != LUMP_GOP_ADD && n->op != LUMP_GOP_MAXPOOL &&
        n->op != LUMP_GOP_AVGPOOL && n->op != LUMP_GOP_PAD)
        return ROLE_WHOLE;
    for (size_t s = 0; s < n->n_in; s++) {
        const lump_shape_t *x = &g->nodes[n->in[s]].shape;
        if ((x->ndim >= 2) != (n->shape.ndim >= 2) || (x->ndim >= 2 ? x->dim[0] : x->size) !=
                                                           (n->shape.ndim >= 2 ? n->shape.dim[0]
                                                                               : n->shape.size))
            return ROLE_WHOLE;
    }
    return ROLE_CHAN;
}

/* a constant input adds the same at every output position: no padding */
static int flat_sum(const lump_graph_node_t *n)
{
    return n->op == LUMP_GOP_DENSE || (n->pt | n->pl | n->pb | n->pr) == 0;
}

static int singletons(const lump_gpart_t *p)
{
    if (p->n_blocks != p->units)
        return 0;
    for (size_t u = 0; u < p->units; u++)
        if (p->block[u] != u || mpq_cmp_ui(p->scale[u], 1, 1) != 0 || p->dead[u] ||
            p->konst[u])
            return 0;
    return 1;
}

/* the partition itself: blocks by lowest member, representatives scale 1,
 * no zero scale, the nodes that must stay whole */
static int structure(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L)
{
    if (L->n_nodes != g->n_nodes)
        return lump_i_why_fail(w, "the certificate has %zu nodes, the network %zu", L->n_nodes,
                               g->n_nodes);
    for (size_t i = 0; i < g->n_nodes; i++) {
        const lump_gpart_t *p = &L->nodes[i];
        int kind = role(g, i);
        if (p->units != lump_graph_units(g, i))
            return lump_i_why_fail(w, "node %zu (%s): %zu units in the certificate, %zu in the "
                                   "network", i, nm(g, i), p->units, lump_graph_units(g, i));
        for (size_t b = 0; b < p->n_blocks; b++)
            if (p->rep[b] >= p->units || p->block[p->rep[b]] != b ||
                (b > 0 && p->rep[b] <= p->rep[b - 1]))
                return lump_i_why_fail(w, "node %zu (%s): block %zu is not numbered by its "
                                       "lowest member", i, nm(g, i), b);
        for (size_t u = 0; u < p->units; u++) {
            if (p->block[u] >= p->n_blocks || u < p->rep[p->block[u]])
                return lump_i_why_fail(w, "node %zu (%s): unit %zu is below its block's "
                                       "representative", i, nm(g, i), u);
            if (mpq_sgn(p->scale[u]) == 0 ||
                (u == p->rep[p->block[u]] && mpq_cmp_ui(p->scale[u], 1, 1) != 0) ||
                (L->mode == LUMP_MODE_EXACT && mpq_cmp_ui(p->scale[u], 1, 1) != 0))
                return lump_i_why_fail(w, "node %zu (%s): unit %zu has scale %s (zero, a "
                                       "representative's scale not 1, or not 1 in exact mode)",
                                       i, nm(g, i), u, lump_i_why_q(w, 0, p->scale[u]));
        }
        for (size_t b = 0; b < p->n_blocks; b++)
            if (p->konst[b] && p->dead[b])
                return lump_i_why_fail(w, "node %zu (%s): constant block %zu must be one unit "
                                       "and not dead", i, nm(g, i), b);
        for (size_t u = 0; u < p->units; u++)
            if (p->konst[p->block[u]] && p->rep[p->block[u]] != u)
                return lump_i_why_fail(w, "node %zu (%s): constant block %zu has more than one "
                                       "unit", i, nm(g, i), p->block[u]);
        if ((i == 0 || kind == ROLE_WHOLE || (i == g->output && !L->merged)) &&
            !singletons(p))
            return lump_i_why_fail(w, "node %zu (%s): must be singletons with scale 1 (the "
                                   "input, the output or an operation lumped as a whole)", i,
                                   nm(g, i));
        for (size_t b = 0; i == g->output && b < p->n_blocks; b++)
            if (p->dead[b])
                return lump_i_why_fail(w, "node %zu (%s): an output block is dead", i, nm(g, i));
    }
    return 0;
}

/* the signature of unit V of WEIGHTED node N: bias, then per input block
 * and kernel entry the scale-weighted sum (docs/cnn-lumping.md) */
static void signature(mpq_t *sig, const lump_graph_node_t *n, const lump_gpart_t *px, size_t v,
                      size_t k, mpq_t t)
{
    size_t cin = px->units, len = 1 + px->n_blocks * k;
    for (size_t e = 0; e < len; e++)
        mpq_set_ui(sig[e], 0, 1);
    if (n->has_bias)
        lump_arr_get(sig[0], &n->bias, v);
    for (size_t u = 0; u < cin; u++)
        for (size_t kk = 0; kk < k; kk++) {
            /* a constant input: its value times the kernel, to the bias */
            mpq_t *to = px->konst[px->block[u]] ? &sig[0] : &sig[1 + px->block[u] * k + kk];
            lump_arr_get(t, &n->weight, (v * cin + u) * k + kk);
            mpq_mul(t, t, px->konst[px->block[u]] ? px->value[u] : px->scale[u]);
            mpq_add(*to, *to, t);
        }
}

static int weighted(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    const lump_gpart_t *p = &L->nodes[i], *px = &L->nodes[n->in[0]];
    size_t k = n->op == LUMP_GOP_CONV ? n->kh * n->kw : gper(g, n->in[0]), len = 1 + px->n_blocks * k;
    mpq_t *reps = lump_rat_vec_new(p->n_blocks * len), *sig = lump_rat_vec_new(len), t;
    int bad = 0;
    mpq_init(t);
    for (size_t b = 0; b < p->n_blocks; b++)
        signature(reps + b * len, n, px, p->rep[b], k, t);
    for (size_t v = 0; v < p->units && !bad; v++) {
        const mpq_t *r = (const mpq_t *)(reps + p->block[v] * len);
        if (p->konst[p->block[v]]) { /* only its folded bias, equal to its value */
            for (size_t e = 1; e < len && !bad; e++)
                if (mpq_sgn(r[e]) != 0)
                    bad = lump_i_why_fail(w, "node %zu (%s): unit %zu is not constant (signature "
                                          "entry %zu)", i, nm(g, i), v, e);
            if (!bad && !mpq_equal(r[0], p->value[v]))
                bad = lump_i_why_fail(w, "node %zu (%s): constant unit %zu is %s, not %s", i,
                                      nm(g, i), v, lump_i_why_q(w, 0, r[0]),
                                      lump_i_why_q(w, 1, p->value[v]));
            continue;
        }
        if (v == p->rep[p->block[v]])
            continue;
        signature(sig, n, px, v, k, t);
        for (size_t e = 0; e < len && !bad; e++) {
            mpq_mul(t, r[e], p->scale[v]);
            if (!mpq_equal(t, sig[e]))
                bad = lump_i_why_fail(w, "node %zu (%s): unit %zu is not %s times unit %zu: "
                                      "signature entry %zu (0 the bias, then input block by "
                                      "input block) differs", i, nm(g, i), v,
                                      lump_i_why_q(w, 0, p->scale[v]), p->rep[p->block[v]], e);
        }
    }
    /* a constant input read with padding would not add the same everywhere
     * (unless it is 0, which the padding adds too) */
    for (size_t u = 0; u < px->units && !bad && !flat_sum(n); u++)
        for (size_t e = 0; px->konst[px->block[u]] && mpq_sgn(px->value[u]) != 0 &&
                           e < p->units * k && !bad;
             e++)
            if (lump_arr_sgn(&n->weight, ((e / k) * px->units + u) * k + e % k) != 0)
                bad = lump_i_why_fail(w, "node %zu (%s): reads the constant unit %zu of its "
                                      "input with padding (not the same at every position)",
                                      i, nm(g, i), u);
    /* a dead input block: every kept representative's merged weights on it are zero */
    for (size_t c = 0; c < px->n_blocks && !bad; c++)
        for (size_t b = 0; px->dead[c] && b < p->n_blocks && !bad; b++)
            for (size_t kk = 0; !p->dead[b] && kk < k && !bad; kk++)
                if (mpq_sgn(reps[b * len + 1 + c * k + kk]) != 0)
                    bad = lump_i_why_fail(w, "node %zu (%s): input block %zu is dead, but unit "
                                          "%zu reads it with a non-zero merged weight", i,
                                          nm(g, i), c, p->rep[b]);
    mpq_clear(t);
    lump_rat_vec_free(sig, len);
    lump_rat_vec_free(reps, p->n_blocks * len);
    return bad;
}

/* T = what channel-wise node N makes of constant inputs IN, or 0 when
 * that is not one rational at every position */
static int constant_of(mpq_t t, const lump_graph_node_t *n, const mpq_t *in)
{
    int pads = (n->pt | n->pl | n->pb | n->pr) != 0;
    if (n->op == LUMP_GOP_ADD) {
        mpq_add(t, in[0], in[1]);
        return 1;
    }
    mpq_set(t, in[0]);
    if (n->op == LUMP_GOP_MAXPOOL)
        return 1; /* padding is ignored by the max */
    if (n->op == LUMP_GOP_AVGPOOL)
        return !(pads && n->count_include_pad);
    if (n->op == LUMP_GOP_PAD) { /* zeros around: constant only if 0 or unpadded */
        for (size_t d = 0; d < LUMP_GRAPH_MAX_DIMS; d++)
            if (n->pad_begin[d] != 0 || n->pad_end[d] != 0)
                return mpq_sgn(t) == 0;
        return 1;
    }
    if (n->op != LUMP_GOP_ACT)
        return 0;
    switch (n->act.kind) {
    case LUMP_ACT_IDENTITY:
        return 1;
    case LUMP_ACT_RELU:
        if (mpq_sgn(t) < 0)
            mpq_set_ui(t, 0, 1);
        return 1;
    case LUMP_ACT_LEAKY_RELU:
        if (mpq_sgn(t) < 0)
            mpq_mul(t, t, n->act.alpha);
        return 1;
    default:
        return 0;
    }
}

/* CHANWISE: y_v = op(c^X_v x_B) per input X; v = c_v rep needs the same
 * input blocks and c^X_v = c_v c^X_rep, with c_v allowed by the operation */
static int chanwise(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    const lump_gpart_t *p = &L->nodes[i];
    int any = n->op == LUMP_GOP_AVGPOOL || n->op == LUMP_GOP_ADD || n->op == LUMP_GOP_PAD ||
              (n->op == LUMP_GOP_ACT && n->act.kind == LUMP_ACT_IDENTITY);
    int pos = n->op == LUMP_GOP_MAXPOOL ||
              (n->op == LUMP_GOP_ACT &&
               (n->act.kind == LUMP_ACT_RELU || n->act.kind == LUMP_ACT_LEAKY_RELU));
    int bad = 0;
    mpq_t t;
    mpq_init(t);
    for (size_t v = 0; v < p->units && !bad; v++) {
        size_t r = p->rep[p->block[v]];
        mpq_t in[2];
        int kon = 1;
        mpq_inits(in[0], in[1], NULL);
        for (size_t s = 0; s < n->n_in && s < 2; s++) {
            kon = kon && L->nodes[n->in[s]].konst[L->nodes[n->in[s]].block[v]];
            mpq_set(in[s], L->nodes[n->in[s]].value[v]);
        }
        if (kon != p->konst[p->block[v]] ||
            (kon && (!constant_of(t, n, (const mpq_t *)in) || !mpq_equal(t, p->value[v]))))
            bad = lump_i_why_fail(w, "node %zu (%s): unit %zu is %sconstant but its input%s "
                                  "%s, or its value is wrong", i, nm(g, i), v,
                                  p->konst[p->block[v]] ? "" : "not ", n->n_in > 1 ? "s" : "",
                                  kon ? "are constant" : "are not all constant");
        mpq_clears(in[0], in[1], NULL);
        if (bad || p->konst[p->block[v]])
            continue;
        for (size_t s = 0; s < n->n_in && !bad; s++)
            if (L->nodes[n->in[s]].konst[L->nodes[n->in[s]].block[v]])
                bad = lump_i_why_fail(w, "node %zu (%s): unit %zu reads a constant unit of "
                                      "input %zu but is not constant", i, nm(g, i), v, s);
        if (bad)
            break;
        if (!any && !(pos && mpq_sgn(p->scale[v]) > 0) && mpq_cmp_ui(p->scale[v], 1, 1) != 0)
            bad = lump_i_why_fail(w, "node %zu (%s): unit %zu has scale %s, which %s does not "
                                  "commute with", i, nm(g, i), v,
                                  lump_i_why_q(w, 0, p->scale[v]), lump_gop_name(n->op));
        for (size_t s = 0; s < n->n_in && !bad; s++) {
            const lump_gpart_t *px = &L->nodes[n->in[s]];
            mpq_mul(t, p->scale[v], px->scale[r]);
            if (px->block[v] != px->block[r] || !mpq_equal(t, px->scale[v]))
                bad = lump_i_why_fail(w, "node %zu (%s): unit %zu and its representative %zu "
                                      "read input %zu in different blocks or with scales not "
                                      "in ratio %s", i, nm(g, i), v, r, s,
                                      lump_i_why_q(w, 0, p->scale[v]));
            if (!bad && px->dead[px->block[v]] && !p->dead[p->block[v]])
                bad = lump_i_why_fail(w, "node %zu (%s): unit %zu is kept but reads a dead "
                                      "block of input %zu", i, nm(g, i), v, s);
        }
    }
    mpq_clear(t);
    return bad;
}

/* FLATTEN: entry (u, p) has block (block of u, p), scale c_u, and is dead
 * exactly when that channel's block is */
static int flatten(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L, size_t i)
{
    const lump_gpart_t *p = &L->nodes[i], *px = &L->nodes[g->nodes[i].in[0]];
    size_t per = gper(g, g->nodes[i].in[0]);
    if (p->n_blocks != px->n_blocks * per)
        return lump_i_why_fail(w, "node %zu (%s): a flattened tensor must have the blocks of "
                               "its channels times positions", i, nm(g, i));
    for (size_t e = 0; e < p->units; e++) {
        size_t u = e / per, b = px->block[u] * per + e % per;
        if (p->block[e] != b || !mpq_equal(p->scale[e], px->scale[u]) ||
            p->dead[b] != px->dead[px->block[u]] || p->konst[b] != px->konst[px->block[u]] ||
            !mpq_equal(p->value[e], px->value[u]))
            return lump_i_why_fail(w, "node %zu (%s): entry %zu does not have the block, scale "
                                   "and fate of its channel %zu", i, nm(g, i), e, u);
    }
    return 0;
}

static int opaque_inputs(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L,
                         size_t i)
{
    for (size_t s = 0; s < g->nodes[i].n_in; s++) {
        const lump_gpart_t *px = &L->nodes[g->nodes[i].in[s]];
        for (size_t b = 0; b < px->n_blocks; b++)
            if (px->dead[b] || px->konst[b])
                return lump_i_why_fail(w, "node %zu (%s) reads every unit of its input %zu, "
                                       "whose block %zu is dead or constant", i, nm(g, i), s, b);
    }
    return 0;
}

static int conditions(lump_i_why_t *w, const lump_graph_t *g, const lump_glumping_t *L)
{
    int bad = structure(w, g, L);
    for (size_t i = 1; i < g->n_nodes && !bad; i++)
        switch (role(g, i)) {
        case ROLE_SUMS:
            bad = weighted(w, g, L, i);
            break;
        case ROLE_CHAN:
            bad = chanwise(w, g, L, i);
            break;
        case ROLE_FLAT:
            bad = flatten(w, g, L, i);
            break;
        default:
            bad = opaque_inputs(w, g, L, i);
        }
    /* a node nobody reads that is not the output: all its blocks dead is
     * allowed; a dead block read by a WEIGHTED, CHANWISE or FLATTEN node
     * was checked there */
    return bad;
}

/* ---- the quotient, node by node ---- */

/* ANY_BIAS: the bias flag is q_weighted's to check */
static int same_attrs(const lump_graph_node_t *a, const lump_graph_node_t *b, int any_bias)
{
    return a->op == b->op && a->kh == b->kh && a->kw == b->kw && a->sh == b->sh &&
           a->sw == b->sw && a->dh == b->dh && a->dw == b->dw && a->pt == b->pt &&
           a->pl == b->pl && a->pb == b->pb && a->pr == b->pr && a->group == b->group &&
           a->count_include_pad == b->count_include_pad &&
           (any_bias || a->has_bias == b->has_bias) &&
           memcmp(a->pad_begin, b->pad_begin, sizeof a->pad_begin) == 0 &&
           memcmp(a->pad_end, b->pad_end, sizeof a->pad_end) == 0 &&
           (a->op != LUMP_GOP_ACT || lump_act_equal(&a->act, &b->act));
}

/* the expected adapter of node I's input S at Q's node *J; *AT the node
 * that I's quotient reads. By the certificate, unit j of what I reads is
 * c_t times kept block "kept(block t)" of X's quotient, with t the
 * representative of I's j-th kept block (channel-wise) or unit j of X */
static int q_adapter(lump_i_why_t *w, size_t *at, size_t *j, const lump_graph_t *g,
                     const lump_graph_t *q, const lump_glumping_t *L, const size_t *qi, size_t i,
                     size_t s)
{
    size_t x = g->nodes[i].in[s], per = gper(g, x), nr = 0, kx = 0;
    const lump_gpart_t *pi = &L->nodes[i], *px = &L->nodes[x];
    int chan = role(g, i) == ROLE_CHAN, same = 1, ones = 1, bad = 0;
    size_t *t = lump_alloc_array(px->units + pi->units + 1, sizeof *t);
    size_t *kidx = lump_alloc_array(px->n_blocks + 1, sizeof *kidx);
    lump_shape_t sh = g->nodes[x].shape;
    for (size_t b = 0; b < px->n_blocks; b++)
        kidx[b] = px->dead[b] || px->konst[b] ? SIZE_MAX : kx++;
    if (chan) {
        for (size_t b = 0; b < pi->n_blocks; b++)
            if (!pi->dead[b] && !pi->konst[b])
                t[nr++] = pi->rep[b];
    } else
        for (size_t u = 0; u < px->units; u++)
            t[nr++] = u;
    for (size_t r = 0; r < nr; r++) {
        same = same && kidx[px->block[t[r]]] == r;
        ones = ones && mpq_cmp_ui(px->scale[t[r]], 1, 1) == 0;
    }
    *at = qi[x];
    sh.dim[0] = nr;
    sh.size = nr * per;
    if (!(same && ones && nr == kx)) {
        const lump_graph_node_t *m = *j < q->n_nodes ? &q->nodes[*j] : NULL;
        if (m == NULL || m->op != LUMP_GOP_GATHER || m->n_in != 1 || m->in[0] != *at ||
            !lump_shape_equal(&m->shape, &sh) || m->shape.size != sh.size || m->map == NULL)
            bad = lump_i_why_fail(w, "quotient node %zu: expected the channel selection of "
                                  "node %zu (%s) input %zu", *j, i, nm(g, i), s);
        for (size_t e = 0; !bad && e < sh.size; e++)
            if (m->map[e] != kidx[px->block[t[e / per]]] * per + e % per)
                bad = lump_i_why_fail(w, "quotient node %zu: the channel selection of node %zu "
                                      "(%s) input %zu picks the wrong entry %zu", *j, i,
                                      nm(g, i), s, e);
        *at = (*j)++;
        if (!bad && !ones) {
            mpq_t c;
            m = *j < q->n_nodes ? &q->nodes[*j] : NULL;
            if (m == NULL || m->op != LUMP_GOP_AFFINE || m->n_in != 1 || m->in[0] != *at ||
                !lump_shape_equal(&m->shape, &sh) || m->weight.len != sh.size ||
                m->bias.len != sh.size)
                bad = lump_i_why_fail(w, "quotient node %zu: expected the scaling of node %zu "
                                      "(%s) input %zu", *j, i, nm(g, i), s);
            mpq_init(c);
            for (size_t e = 0; !bad && e < sh.size; e++) {
                lump_arr_get(c, &m->weight, e);
                if (!mpq_equal(c, px->scale[t[e / per]]) || lump_arr_sgn(&m->bias, e) != 0)
                    bad = lump_i_why_fail(w, "quotient node %zu: entry %zu of the scaling of "
                                          "node %zu (%s) is not %s", *j, e, i, nm(g, i),
                                          lump_i_why_q(w, 0, px->scale[t[e / per]]));
            }
            mpq_clear(c);
            *at = (*j)++;
        }
    }
    free(kidx);
    free(t);
    return bad;
}

/* Q's node M against W'[B][C][k] = sum_{u in C} c_u W[rep B][u][k] */
static int q_weighted(lump_i_why_t *w, const lump_graph_node_t *m, const lump_graph_t *g,
                      const lump_glumping_t *L, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i];
    const lump_gpart_t *p = &L->nodes[i], *px = &L->nodes[n->in[0]];
    size_t k = n->op == LUMP_GOP_CONV ? n->kh * n->kw : gper(g, n->in[0]), len = 1 + px->n_blocks * k;
    size_t kx = lump_glumping_kept(L, n->in[0]), kn = lump_glumping_kept(L, i), ob = 0;
    mpq_t *sig = lump_rat_vec_new(len), t;
    int bad = 0;
    mpq_init(t);
    int has_bias = n->has_bias;
    for (size_t c = 0; c < px->n_blocks; c++)
        has_bias = has_bias || px->konst[c]; /* folded constants make a bias */
    if (m->weight.len != kn * kx * k || m->bias.len != (has_bias ? kn : 0) ||
        m->has_bias != has_bias || m->shape.dim[0] != kn)
        bad = lump_i_why_fail(w, "node %zu (%s): the quotient has %zu weights, expected %zu",
                              i, nm(g, i), m->weight.len, kn * kx * k);
    for (size_t b = 0; b < p->n_blocks && !bad; b++) {
        size_t ic = 0;
        if (p->dead[b] || p->konst[b])
            continue;
        signature(sig, n, px, p->rep[b], k, t);
        if (has_bias) {
            lump_arr_get(t, &m->bias, ob);
            if (!mpq_equal(t, sig[0]))
                bad = lump_i_why_fail(w, "node %zu (%s): quotient bias %zu is %s, expected %s",
                                      i, nm(g, i), ob, lump_i_why_q(w, 0, t),
                                      lump_i_why_q(w, 1, sig[0]));
        }
        for (size_t c = 0; c < px->n_blocks && !bad; c++) {
            if (px->dead[c] || px->konst[c])
                continue;
            for (size_t kk = 0; kk < k && !bad; kk++) {
                lump_arr_get(t, &m->weight, (ob * kx + ic) * k + kk);
                if (!mpq_equal(t, sig[1 + c * k + kk]))
                    bad = lump_i_why_fail(w, "node %zu (%s): quotient weight [%zu][%zu][%zu] is "
                                          "%s, the merged weight is %s", i, nm(g, i), ob, ic,
                                          kk, lump_i_why_q(w, 0, t),
                                          lump_i_why_q(w, 1, sig[1 + c * k + kk]));
            }
            ic++;
        }
        ob++;
    }
    mpq_clear(t);
    lump_rat_vec_free(sig, len);
    return bad;
}

static int q_node(lump_i_why_t *w, size_t *qi, size_t *j, const lump_graph_t *g,
                  const lump_graph_t *q, const lump_glumping_t *L, size_t i)
{
    const lump_graph_node_t *n = &g->nodes[i], *m;
    int kind = role(g, i);
    size_t in[8];
    lump_shape_t sh = n->shape;
    if (n->n_in > 8)
        return lump_i_why_fail(w, "node %zu (%s): more than 8 inputs", i, nm(g, i));
    for (size_t s = 0; s < n->n_in; s++) {
        in[s] = qi[n->in[s]];
        if ((kind == ROLE_CHAN || kind == ROLE_WHOLE) &&
            q_adapter(w, &in[s], j, g, q, L, qi, i, s))
            return 1;
    }
    if (*j >= q->n_nodes)
        return lump_i_why_fail(w, "the quotient ends before node %zu (%s)", i, nm(g, i));
    m = &q->nodes[*j];
    qi[i] = (*j)++;
    if (!same_attrs(m, n, kind == ROLE_SUMS) || m->n_in != n->n_in ||
        (n->n_in > 0 && memcmp(m->in, in, n->n_in * sizeof *in) != 0))
        return lump_i_why_fail(w, "quotient node %zu: not the operation, attributes or inputs "
                               "of node %zu (%s)", qi[i], i, nm(g, i));
    if (kind == ROLE_SUMS)
        return q_weighted(w, m, g, L, i);
    if (kind == ROLE_FLAT) {
        sh.dim[0] = sh.size = q->nodes[in[0]].shape.size;
    } else if (kind == ROLE_CHAN) {
        size_t kn = lump_glumping_kept(L, i);
        sh.size = kn * (n->shape.size / lump_graph_units(g, i));
        sh.dim[0] = n->shape.ndim >= 2 ? kn : sh.size;
    } else if (!lump_arr_equal(&m->weight, &n->weight) || !lump_arr_equal(&m->bias, &n->bias) ||
               (n->map != NULL) != (m->map != NULL) ||
               (n->map != NULL && memcmp(n->map, m->map, n->shape.size * sizeof *n->map) != 0))
        return lump_i_why_fail(w, "quotient node %zu: not a copy of node %zu (%s)", qi[i], i,
                               nm(g, i));
    if (!lump_shape_equal(&m->shape, &sh) || m->shape.size != sh.size)
        return lump_i_why_fail(w, "quotient node %zu: wrong shape for node %zu (%s)", qi[i], i,
                               nm(g, i));
    return 0;
}

static int quotient(lump_i_why_t *w, const lump_graph_t *g, const lump_graph_t *q,
                    const lump_glumping_t *L)
{
    size_t *qi = lump_alloc_array(g->n_nodes + 1, sizeof *qi), j = 0;
    int bad = 0;
    for (size_t i = 0; i < g->n_nodes && !bad; i++)
        bad = q_node(w, qi, &j, g, q, L, i);
    if (!bad && (j != q->n_nodes || q->output != qi[g->output]))
        bad = lump_i_why_fail(w, "the quotient has %zu nodes and output %zu, expected %zu and "
                              "%zu", q->n_nodes, q->output, j, qi[g->output]);
    free(qi);
    return bad;
}

/* lump_graph_cert_check -- see lumpnet/glump.h. */
lump_error_t lump_graph_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                   const lump_graph_t *g, const lump_graph_t *q,
                                   const lump_glumping_t *L)
{
    lump_i_why_t w;
    lump_i_why_init(&w, valid, why, whylen);
    if (L->merged && q != NULL)
        lump_i_why_fail(&w, "a lumping with merged outputs has no quotient");
    else if (!conditions(&w, g, L) && (q == NULL || !quotient(&w, g, q, L)))
        *valid = LUMP_TRUE;
    return LUMP_OK;
}

/* lump_graph_equiv_check -- see lumpnet/glump.h. */
lump_error_t lump_graph_equiv_check(lump_verdict_t *valid, char *why, size_t whylen,
                                    const lump_graph_t *u, const lump_glumping_t *proof)
{
    lump_i_why_t w;
    const lump_gpart_t *p;
    size_t n;
    lump_i_why_init(&w, valid, why, whylen);
    if (!proof->merged) {
        lump_i_why_fail(&w, "an equivalence proof must lump with merged outputs");
        return LUMP_OK;
    }
    if (conditions(&w, u, proof))
        return LUMP_OK;
    p = &proof->nodes[u->output];
    n = p->units / 2;
    for (size_t j = 0; j < n; j++)
        if (p->block[j] != p->block[n + j] || !mpq_equal(p->scale[j], p->scale[n + j])) {
            lump_i_why_fail(&w, "output %zu of the two networks is not in one block with equal "
                            "scales", j);
            return LUMP_OK;
        }
    *valid = LUMP_TRUE;
    return LUMP_OK;
}
