/* graph_equiv.c -- equivalence of two graph networks: the lumping of their
 * union, else an exact witness (lumpnet/glump.h) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "glump_i.h"

static lump_error_t refuse(size_t i, const char *why)
{
    return lump_error_set(LUMP_EUNSUPPORTED,
                          "node %zu: the two networks cannot be put side by side (%s)", i, why);
}

/* W of U's WEIGHTED node: block diagonal, or stacked when it reads the
 * shared input */
static lump_error_t weights(lump_graph_node_t *m, const lump_graph_node_t *na,
                            const lump_graph_node_t *nb, size_t k, size_t cia, size_t cib,
                            int shared)
{
    lump_error_t err = LUMP_OK;
    size_t coa = na->shape.dim[0], cob = nb->shape.dim[0], cin = shared ? cia : cia + cib;
    mpq_t t;
    mpq_init(t);
    LUMP_CHECK(lump_arr_alloc(&m->weight, LUMP_STORE_F32, (coa + cob) * cin * k));
    for (size_t v = 0; v < coa + cob; v++) {
        const lump_graph_node_t *n = v < coa ? na : nb;
        size_t vv = v < coa ? v : v - coa, ci = v < coa ? cia : cib;
        size_t off = v < coa || shared ? 0 : cia;
        for (size_t e = 0; e < ci * k; e++) {
            if (lump_arr_sgn(&n->weight, vv * ci * k + e) == 0)
                continue;
            lump_arr_get(t, &n->weight, vv * ci * k + e);
            LUMP_CHECK(lump_arr_set(&m->weight, (v * cin + off) * k + e, t));
        }
    }
    if (na->has_bias) {
        LUMP_CHECK(lump_arr_alloc(&m->bias, LUMP_STORE_F32, coa + cob));
        for (size_t v = 0; v < coa + cob; v++) {
            lump_arr_get(t, v < coa ? &na->bias : &nb->bias, v < coa ? v : v - coa);
            LUMP_CHECK(lump_arr_set(&m->bias, v, t));
        }
    }
    m->has_bias = na->has_bias;
    m->params = m->weight.len + m->bias.len;
cleanup:
    mpq_clear(t);
    return err;
}

static int same_rest(const lump_shape_t *a, const lump_shape_t *b)
{
    if (a->ndim != b->ndim)
        return 0;
    for (size_t d = 1; d < a->ndim; d++)
        if (a->dim[d] != b->dim[d])
            return 0;
    return 1;
}

static lump_error_t union_node(lump_graph_t *u, const lump_graph_t *a, const lump_graph_t *b,
                               size_t i)
{
    const lump_graph_node_t *na = &a->nodes[i], *nb = &b->nodes[i];
    lump_i_gkind_t kind = lump_i_gkind(a, i);
    lump_graph_node_t *m;
    size_t k;
    if (na->op != nb->op || na->n_in != nb->n_in || kind != lump_i_gkind(b, i) ||
        memcmp(na->in, nb->in, na->n_in * sizeof *na->in) != 0 ||
        !same_rest(&na->shape, &nb->shape) || na->kh != nb->kh || na->kw != nb->kw ||
        na->sh != nb->sh || na->sw != nb->sw || na->dh != nb->dh || na->dw != nb->dw ||
        na->pt != nb->pt || na->pl != nb->pl || na->pb != nb->pb || na->pr != nb->pr ||
        na->has_bias != nb->has_bias || na->count_include_pad != nb->count_include_pad ||
        (na->op == LUMP_GOP_ACT && !lump_act_equal(&na->act, &nb->act)))
        return refuse(i, "different operations, inputs or attributes");
    if (kind == LUMP_I_GK_OPAQUE)
        return refuse(i, "an operation that is not lumped by channels");
    for (size_t s = 0; s < na->n_in; s++)
        if (na->in[s] == 0 && kind != LUMP_I_GK_WEIGHTED)
            return refuse(i, "only a conv or dense node may read the shared input");
    k = lump_graph_add(u, na->op, na->in, na->n_in, na->name);
    m = &u->nodes[k];
    m->shape = na->shape;
    m->shape.dim[0] += nb->shape.dim[0];
    m->shape.size += nb->shape.size;
    m->kh = na->kh, m->kw = na->kw, m->sh = na->sh, m->sw = na->sw, m->dh = na->dh;
    m->dw = na->dw, m->pt = na->pt, m->pl = na->pl, m->pb = na->pb, m->pr = na->pr;
    m->count_include_pad = na->count_include_pad;
    lump_act_set(&m->act, &na->act);
    if (kind == LUMP_I_GK_WEIGHTED) {
        size_t x = na->in[0];
        size_t cia = lump_graph_units(a, x), cib = lump_graph_units(b, x);
        size_t kk = na->op == LUMP_GOP_CONV ? na->kh * na->kw : a->nodes[x].shape.size / cia;
        if (na->op == LUMP_GOP_DENSE && na->shape.ndim != 1)
            return refuse(i, "a dense node with a shaped output");
        return weights(m, na, nb, kk, cia, cib, x == 0);
    }
    return LUMP_OK;
}

/* lump_graph_union -- see lumpnet/glump.h. */
lump_error_t lump_graph_union(lump_graph_t *u, const lump_graph_t *a, const lump_graph_t *b)
{
    lump_error_t err = LUMP_OK;
    lump_graph_t R;
    lump_graph_init(&R);
    if (a->n_nodes != b->n_nodes || a->n_nodes == 0 || a->output != b->output ||
        !lump_shape_equal(&a->nodes[0].shape, &b->nodes[0].shape) ||
        lump_graph_n_outputs(a) != lump_graph_n_outputs(b))
        return lump_error_set(LUMP_EUNSUPPORTED, "the two networks differ in their number of "
                              "nodes, input shape or outputs");
    {
        size_t k = lump_graph_add(&R, LUMP_GOP_INPUT, NULL, 0, a->nodes[0].name);
        R.nodes[k].shape = a->nodes[0].shape;
    }
    for (size_t i = 1; i < a->n_nodes; i++)
        LUMP_CHECK(union_node(&R, a, b, i));
    R.output = a->output;
    lump_graph_clear(u);
    *u = R;
    lump_graph_init(&R);
cleanup:
    lump_graph_clear(&R);
    return err;
}

/* random rational points of [-1,1]^n, evaluated exactly */
static lump_error_t witness_search(lump_verdict_t *eq, mpq_t *x, size_t *output,
                                   const lump_graph_t *a, const lump_graph_t *b,
                                   unsigned long seed, size_t tries)
{
    lump_error_t err = LUMP_OK;
    size_t nin = lump_graph_n_inputs(a), nout = lump_graph_n_outputs(a);
    mpq_t *ya = lump_rat_vec_new(nout), *yb = lump_rat_vec_new(nout);
    unsigned long long s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    *eq = LUMP_UNKNOWN;
    for (size_t t = 0; t < tries && *eq == LUMP_UNKNOWN; t++) {
        for (size_t i = 0; i < nin; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            mpq_set_si(x[i], (long)((s >> 33) % 2001) - 1000, 1000);
            mpq_canonicalize(x[i]);
        }
        LUMP_CHECK(lump_graph_eval_exact(ya, a, x));
        LUMP_CHECK(lump_graph_eval_exact(yb, b, x));
        for (size_t j = 0; j < nout; j++)
            if (!mpq_equal(ya[j], yb[j])) {
                *eq = LUMP_FALSE;
                *output = j;
                break;
            }
    }
cleanup:
    lump_rat_vec_free(ya, nout);
    lump_rat_vec_free(yb, nout);
    return err;
}

/* lump_graph_equiv -- see lumpnet/glump.h. */
lump_error_t lump_graph_equiv(lump_verdict_t *eq, lump_glumping_t *proof, lump_graph_t *u,
                              mpq_t *witness, size_t *output, const lump_graph_t *a,
                              const lump_graph_t *b, unsigned long seed, size_t tries)
{
    lump_error_t err = LUMP_OK;
    lump_verdict_t valid = LUMP_FALSE;
    char why[512];
    *eq = LUMP_UNKNOWN;
    if (lump_graph_n_inputs(a) != lump_graph_n_inputs(b) ||
        lump_graph_n_outputs(a) != lump_graph_n_outputs(b))
        return lump_error_set(LUMP_EUNSUPPORTED, "the networks differ in their number of inputs "
                              "or outputs");
    if (lump_graph_union(u, a, b) == LUMP_OK) {
        const lump_gpart_t *p;
        size_t n = lump_graph_n_outputs(a);
        int same = 1;
        LUMP_CHECK(lump_graph_partition(proof, u, LUMP_MODE_PROPORTIONAL, 1));
        p = &proof->nodes[u->output];
        for (size_t j = 0; j < n && same; j++)
            same = p->block[j] == p->block[n + j] && mpq_equal(p->scale[j], p->scale[n + j]);
        if (same) {
            LUMP_CHECK(lump_graph_equiv_check(&valid, why, sizeof why, u, proof));
            if (valid != LUMP_TRUE)
                return lump_error_set(LUMP_EINTERNAL, "internal error: the checker refuses the "
                                      "equivalence proof (%s); please report it", why);
            *eq = LUMP_TRUE;
            return LUMP_OK;
        }
    }
    if (!lump_graph_is_pwl(a) || !lump_graph_is_pwl(b))
        return LUMP_OK;
    LUMP_CHECK(witness_search(eq, witness, output, a, b, seed, tries));
cleanup:
    return err;
}
