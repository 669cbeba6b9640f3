/* onnx_graph_write.c -- write a graph (convolutional or residual) network
 * as ONNX, one or a few ONNX nodes per graph node (protobuf-c, through the
 * MLP writer's model helpers) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet.h"
#include "lumpnet/graph.h"
#include "onnx_write_i.h"
#include "alloc_i.h"

/* The batch dimension every written input and output declares. */
#define BATCH_NAME "N"

/* The writer's state: the model, the value name of every graph node, and
 * every string and array it allocated (freed at the end). Names are kept
 * unique per namespace (node names; values and initializers) by a linear
 * search: graphs have tens of nodes. */
typedef struct {
    wmodel_t w;
    const lump_graph_t *g;
    char **val;
    char **nodes_used, **vals_used;
    size_t n_nodes_used, n_vals_used;
    void **owned;
    size_t nowned, owncap;
} gw_t;

static void *own(gw_t *s, void *p)
{
    if (s->nowned == s->owncap) {
        s->owncap = s->owncap ? 2 * s->owncap : 64;
        s->owned = lump_realloc_array(s->owned, s->owncap, sizeof *s->owned);
    }
    s->owned[s->nowned++] = p;
    return p;
}

/* uniq -- BASE + SUFFIX, or with "_2", "_3", ... appended when that is
 * taken in the list USED of N names; recorded there. O(n). */
static char *uniq(gw_t *s, char **used, size_t *n, const char *base, const char *suffix)
{
    size_t len = strlen(base) + strlen(suffix) + 24;
    char *c = own(s, lump_alloc_array(len, 1));
    for (size_t k = 1;; k++) {
        int taken = 0;
        if (k == 1)
            snprintf(c, len, "%s%s", base, suffix);
        else
            snprintf(c, len, "%s%s_%zu", base, suffix, k);
        for (size_t i = 0; i < *n && !taken; i++)
            taken = strcmp(used[i], c) == 0;
        if (!taken)
            break;
    }
    used[(*n)++] = c;
    return c;
}

static const char *node_base(const lump_graph_t *g, size_t i, char *buf, size_t cap)
{
    if (g->nodes[i].name != NULL && g->nodes[i].name[0] != '\0')
        return g->nodes[i].name;
    snprintf(buf, cap, "%s_%zu", lump_gop_name(g->nodes[i].op), i);
    return buf;
}

/* emit -- a node OP for graph node GI reading the N values IN: named after
 * GI (with SUFFIX for a helper node), its output GI's value when LAST,
 * else a fresh value. O(n + names). */
static wnode_t *emit(gw_t *s, size_t gi, const char *op, const char *suffix, char *const *in,
                     size_t n, int last)
{
    char buf[64];
    const char *base = node_base(s->g, gi, buf, sizeof buf);
    wnode_t *nd = lump_i_ow_node(&s->w, op);
    nd->n.name = uniq(s, s->nodes_used, &s->n_nodes_used, base, suffix);
    nd->out[0] = last ? s->val[gi] : uniq(s, s->vals_used, &s->n_vals_used, base, suffix);
    if (n > 3)
        nd->n.input = own(s, lump_alloc_array(n, sizeof(char *)));
    for (size_t i = 0; i < n; i++)
        nd->n.input[i] = in[i];
    nd->n.n_input = n;
    return nd;
}

/* init_name -- a fresh initializer name for graph node GI's SUFFIX. */
static char *init_name(gw_t *s, size_t gi, const char *suffix)
{
    char buf[64];
    return uniq(s, s->vals_used, &s->n_vals_used, node_base(s->g, gi, buf, sizeof buf), suffix);
}

/* tensor -- an initializer of A with the dims of DIMS (ND of them). */
static lump_error_t tensor(gw_t *s, char **name, size_t gi, const char *suffix,
                           const lump_arr_t *a, const int64_t *dims, int nd)
{
    lump_error_t err;
    *name = init_name(s, gi, suffix);
    err = lump_i_ow_tensor_arr(&s->w, *name, a, dims, nd);
    s->w.tensors[s->w.ntensors - 1].t.name = *name;
    return err;
}

static char *tensor_i64(gw_t *s, size_t gi, const char *suffix, const int64_t *v, size_t k)
{
    char *name = init_name(s, gi, suffix);
    lump_i_ow_tensor_i64(&s->w, name, v, k)->t.name = name;
    return name;
}

/* flat -- X read as [batch, size]: X itself when its tensor is flat, else
 * a Flatten helper node's output. */
static char *flat(gw_t *s, size_t gi, size_t x)
{
    if (s->g->nodes[x].shape.ndim == 1)
        return s->val[x];
    wnode_t *nd = emit(s, gi, "Flatten", "_flatten", &s->val[x], 1, 0);
    lump_i_ow_attr_int(nd, "axis", 1);
    return nd->out[0];
}

/* reshape_last -- the last step of node GI from the flat value V: a
 * Reshape to GI's shape (batch kept) unless that shape is flat. */
static void reshape_last(gw_t *s, size_t gi, char *v)
{
    const lump_shape_t *sh = &s->g->nodes[gi].shape;
    int64_t dims[LUMP_GRAPH_MAX_DIMS + 1];
    char *in[2] = {v, NULL};
    dims[0] = -1;
    for (size_t i = 0; i < sh->ndim; i++)
        dims[i + 1] = (int64_t)sh->dim[i];
    in[1] = tensor_i64(s, gi, "_shape", dims, sh->ndim + 1);
    emit(s, gi, "Reshape", "", in, 2, 1);
}

/* window_attrs -- kernel_shape, strides, pads (and dilations, and Conv's
 * group) of N. */
static void window_attrs(wnode_t *nd, const lump_graph_node_t *n, int dil, int group)
{
    const int64_t ks[2] = {(int64_t)n->kh, (int64_t)n->kw}, st[2] = {(int64_t)n->sh, (int64_t)n->sw};
    const int64_t dl[2] = {(int64_t)n->dh, (int64_t)n->dw};
    const int64_t pd[4] = {(int64_t)n->pt, (int64_t)n->pl, (int64_t)n->pb, (int64_t)n->pr};
    lump_i_ow_attr_ints(nd, "kernel_shape", ks, 2);
    lump_i_ow_attr_ints(nd, "strides", st, 2);
    lump_i_ow_attr_ints(nd, "pads", pd, 4);
    if (dil)
        lump_i_ow_attr_ints(nd, "dilations", dl, 2);
    if (group)
        lump_i_ow_attr_int(nd, "group", (int64_t)n->group);
}

static void shape_dims(int64_t *dims, const lump_shape_t *sh)
{
    for (size_t i = 0; i < sh->ndim; i++)
        dims[i] = (int64_t)sh->dim[i];
}

/* transpose_perm -- when MAP of node N (reading X) permutes X's
 * dimensions, PERM (with the batch dimension first) and 1; else 0.
 * O(ndim^ndim * size) at most: ndim <= 4. */
static int transpose_perm(const lump_graph_node_t *n, const lump_shape_t *x, int64_t *perm)
{
    size_t r = x->ndim, p[LUMP_GRAPH_MAX_DIMS], total = 1, instride[LUMP_GRAPH_MAX_DIMS];
    if (n->shape.ndim != r || n->shape.size != x->size)
        return 0;
    for (size_t i = 0; i < r; i++)
        total *= r;
    instride[r - 1] = 1;
    for (size_t i = r - 1; i-- > 0;)
        instride[i] = instride[i + 1] * x->dim[i + 1];
    for (size_t code = 0; code < total; code++) {
        size_t c = code, seen = 0, ok = 1;
        for (size_t i = 0; i < r; i++, c /= r) {
            p[i] = c % r;
            ok = ok && !(seen >> p[i] & 1) && n->shape.dim[i] == x->dim[p[i]];
            seen |= (size_t)1 << p[i];
        }
        for (size_t o = 0; ok && o < n->shape.size; o++) {
            size_t rem = o, src = 0;
            for (size_t i = r; i-- > 0;) {
                src += (rem % n->shape.dim[i]) * instride[p[i]];
                rem /= n->shape.dim[i];
            }
            ok = n->map[o] == src;
        }
        if (ok) {
            perm[0] = 0;
            for (size_t i = 0; i < r; i++)
                perm[i + 1] = (int64_t)p[i] + 1;
            return 1;
        }
    }
    return 0;
}

/* arr_is -- 1 when every value of A equals V. O(len). */
static int arr_is(const lump_arr_t *a, long v, mpq_t q)
{
    for (size_t i = 0; i < a->len; i++) {
        lump_arr_get(q, a, i);
        if (mpq_cmp_si(q, v, 1) != 0)
            return 0;
    }
    return 1;
}

/* recip -- when A's values do not all fit FIT but their reciprocals do
 * (none is 0), INV = the reciprocals and 1; else 0. O(len). */
static int recip(lump_arr_t *inv, const lump_arr_t *a, lump_fit_t fit, mpq_t q)
{
    if (lump_arr_fits_type(a, fit) || lump_arr_alloc(inv, LUMP_STORE_Q, a->len) != LUMP_OK)
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        lump_arr_get(q, a, i);
        if (mpq_sgn(q) == 0)
            return 0;
        mpq_inv(q, q);
        if (!lump_rat_fits(q, fit) || lump_arr_set(inv, i, q) != LUMP_OK)
            return 0;
    }
    return 1;
}

static lump_error_t write_affine(gw_t *s, size_t gi, const lump_graph_node_t *n)
{
    lump_error_t err = LUMP_OK;
    int64_t dims[LUMP_GRAPH_MAX_DIMS];
    int mul = !arr_is(&n->weight, 1, s->w.q), add = n->has_bias && !arr_is(&n->bias, 0, s->w.q);
    char *in[2] = {s->val[n->in[0]], NULL};
    shape_dims(dims, &n->shape);
    if (!mul && !add) {
        emit(s, gi, "Identity", "", in, 1, 1);
        return LUMP_OK;
    }
    if (mul) {
        /* a scale 1/d read from a Div by a float d is written as that Div,
         * exactly, rather than as a rounded Mul */
        lump_arr_t inv;
        int div;
        lump_arr_init(&inv);
        div = recip(&inv, &n->weight, s->w.dtype == LUMP_STORE_F32 ? LUMP_FIT_F32 : LUMP_FIT_F64,
                    s->w.q);
        err = tensor(s, &in[1], gi, div ? "_divisor" : "_scale", div ? &inv : &n->weight, dims,
                     (int)n->shape.ndim);
        lump_arr_clear(&inv);
        LUMP_CHECK(err);
        in[0] = emit(s, gi, div ? "Div" : "Mul", add ? "_mul" : "", in, 2, !add)->out[0];
    }
    if (add) {
        LUMP_CHECK(tensor(s, &in[1], gi, "_shift", &n->bias, dims, (int)n->shape.ndim));
        emit(s, gi, "Add", "", in, 2, 1);
    }
cleanup:
    return err;
}

static lump_error_t write_gather(gw_t *s, size_t gi, const lump_graph_node_t *n)
{
    const lump_shape_t *xs = &s->g->nodes[n->in[0]].shape;
    int64_t perm[LUMP_GRAPH_MAX_DIMS + 1], *idx;
    char *in[2] = {s->val[n->in[0]], NULL};
    wtensor_t *t;
    if (transpose_perm(n, xs, perm)) {
        lump_i_ow_attr_ints(emit(s, gi, "Transpose", "", in, 1, 1), "perm", perm, xs->ndim + 1);
        return LUMP_OK;
    }
    /* any other index map: the flat entries gathered along axis 1, with
     * indices of the node's shape (so the result has that shape) */
    idx = lump_alloc_array(n->shape.size, sizeof *idx);
    for (size_t i = 0; i < n->shape.size; i++)
        idx[i] = (int64_t)n->map[i];
    in[0] = flat(s, gi, n->in[0]);
    in[1] = tensor_i64(s, gi, "_index", idx, n->shape.size);
    free(idx);
    t = &s->w.tensors[s->w.ntensors - 1];
    shape_dims(t->dims, &n->shape);
    t->t.n_dims = n->shape.ndim;
    lump_i_ow_attr_int(emit(s, gi, "Gather", "", in, 2, 1), "axis", 1);
    return LUMP_OK;
}

/* write_pool -- AveragePool (count_include_pad kept; dilations have no
 * AveragePool attribute before opset 19: refused) or MaxPool. */
static lump_error_t write_pool(gw_t *s, size_t gi, const lump_graph_node_t *n)
{
    char *in[1] = {s->val[n->in[0]]};
    wnode_t *nd;
    if (n->op == LUMP_GOP_MAXPOOL) {
        window_attrs(emit(s, gi, "MaxPool", "", in, 1, 1), n, 1, 0);
        return LUMP_OK;
    }
    if (n->dh != 1 || n->dw != 1)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "node %zu: an average pool with dilations has no ONNX "
                              "AveragePool before opset 19 (this writer uses opset 13)",
                              gi);
    nd = emit(s, gi, "AveragePool", "", in, 1, 1);
    window_attrs(nd, n, 0, 0);
    lump_i_ow_attr_int(nd, "count_include_pad", n->count_include_pad);
    return LUMP_OK;
}

/* write_node -- the ONNX nodes of graph node GI. */
static lump_error_t write_node(gw_t *s, size_t gi)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_node_t *n = &s->g->nodes[gi];
    char *in[3] = {n->n_in > 0 ? s->val[n->in[0]] : NULL, NULL, NULL};
    int64_t dims[4];
    wnode_t *nd;
    /* the operations with a function of their own */
    if (n->op == LUMP_GOP_AFFINE)
        return write_affine(s, gi, n);
    if (n->op == LUMP_GOP_GATHER)
        return write_gather(s, gi, n);
    if (n->op == LUMP_GOP_AVGPOOL || n->op == LUMP_GOP_MAXPOOL)
        return write_pool(s, gi, n);
    switch (n->op) {
    case LUMP_GOP_DENSE: {
        size_t nin = s->g->nodes[n->in[0]].shape.size;
        in[0] = flat(s, gi, n->in[0]);
        dims[0] = (int64_t)n->shape.size;
        dims[1] = (int64_t)nin;
        LUMP_CHECK(tensor(s, &in[1], gi, "_W", &n->weight, dims, 2));
        if (n->has_bias)
            LUMP_CHECK(tensor(s, &in[2], gi, "_B", &n->bias, dims, 1));
        nd = emit(s, gi, "Gemm", n->shape.ndim == 1 ? "" : "_gemm", in, n->has_bias ? 3 : 2,
                  n->shape.ndim == 1);
        lump_i_ow_attr_int(nd, "transB", 1);
        if (n->shape.ndim != 1)
            reshape_last(s, gi, nd->out[0]);
        break;
    }
    case LUMP_GOP_CONV:
        dims[0] = (int64_t)n->shape.dim[0];
        dims[1] = (int64_t)(s->g->nodes[n->in[0]].shape.dim[0] / n->group);
        dims[2] = (int64_t)n->kh;
        dims[3] = (int64_t)n->kw;
        LUMP_CHECK(tensor(s, &in[1], gi, "_W", &n->weight, dims, 4));
        if (n->has_bias)
            LUMP_CHECK(tensor(s, &in[2], gi, "_B", &n->bias, dims, 1));
        window_attrs(emit(s, gi, "Conv", "", in, n->has_bias ? 3 : 2, 1), n, 1, 1);
        break;
    case LUMP_GOP_ACT: {
        const char *op = lump_i_ow_act_op(n->act.kind);
        nd = emit(s, gi, op != NULL ? op : "Identity", "", in, 1, 1);
        if (n->act.kind == LUMP_ACT_LEAKY_RELU) {
            double d;
            LUMP_CHECK(lump_i_ow_round_q(&s->w, LUMP_STORE_F32, n->act.alpha, &d,
                                         "LeakyRelu alpha"));
            lump_i_ow_attr_float(nd, "alpha", (float)d);
        }
        break;
    }
    case LUMP_GOP_ADD:
        in[1] = s->val[n->in[1]];
        emit(s, gi, "Add", "", in, 2, 1);
        break;
    case LUMP_GOP_PAD: {
        size_t r = n->shape.ndim + 1;
        int64_t pads[2 * (LUMP_GRAPH_MAX_DIMS + 1)];
        pads[0] = pads[r] = 0;
        for (size_t i = 0; i < n->shape.ndim; i++) {
            pads[1 + i] = (int64_t)n->pad_begin[i];
            pads[r + 1 + i] = (int64_t)n->pad_end[i];
        }
        in[1] = tensor_i64(s, gi, "_pads", pads, 2 * r);
        emit(s, gi, "Pad", "", in, 2, 1);
        break;
    }
    case LUMP_GOP_RESHAPE:
        if (n->shape.ndim == 1)
            lump_i_ow_attr_int(emit(s, gi, "Flatten", "", in, 1, 1), "axis", 1);
        else
            reshape_last(s, gi, in[0]);
        break;
    case LUMP_GOP_CONCAT: {
        char **cin = own(s, lump_alloc_array(n->n_in, sizeof *cin));
        for (size_t i = 0; i < n->n_in; i++)
            cin[i] = s->val[n->in[i]];
        lump_i_ow_attr_int(emit(s, gi, "Concat", "", cin, n->n_in, 1), "axis", 1);
        break;
    }
    default:
        return lump_error_set(LUMP_EINTERNAL, "internal error: node %zu has operation %s", gi,
                              lump_gop_name(n->op));
    }
cleanup:
    return err;
}

/* build -- every graph node's ONNX nodes in DTYPE. */
static lump_error_t build(gw_t *s, lump_store_t dtype)
{
    lump_error_t err = LUMP_OK;
    const lump_graph_t *g = s->g;
    char buf[64];
    lump_i_ow_model_clear(&s->w);
    s->w.dtype = dtype;
    s->n_nodes_used = s->n_vals_used = 0;
    s->val[0] = uniq(s, s->vals_used, &s->n_vals_used, node_base(g, 0, buf, sizeof buf), "");
    if (g->output != 0)
        s->val[g->output] = uniq(
            s, s->vals_used, &s->n_vals_used,
            g->out_name != NULL && g->out_name[0] != '\0' ? g->out_name : "output", "");
    for (size_t i = 1; i < g->n_nodes; i++)
        if (i != g->output)
            s->val[i] =
                uniq(s, s->vals_used, &s->n_vals_used, node_base(g, i, buf, sizeof buf), "");
    for (size_t i = 1; i < g->n_nodes; i++)
        LUMP_CHECK(write_node(s, i));
cleanup:
    return err;
}

/* fits -- 1 when every value G writes is a value of FIT (an AFFINE
 * scale, or its reciprocal for a Div). O(weights). */
static int fits(const lump_graph_t *g, lump_fit_t fit, mpq_t q)
{
    for (size_t i = 0; i < g->n_nodes; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        int ok = lump_arr_fits_type(&n->weight, fit);
        if (!ok && n->op == LUMP_GOP_AFFINE) {
            lump_arr_t inv;
            lump_arr_init(&inv);
            ok = recip(&inv, &n->weight, fit, q);
            lump_arr_clear(&inv);
        }
        if (!ok || !lump_arr_fits_type(&n->bias, fit))
            return 0;
    }
    return 1;
}

/* iface -- the declared tensor [N, dims of SH]. */
static void iface(lump_iface_tensor_t *t, int64_t *dim, char **param, const lump_shape_t *sh,
                  int elem)
{
    static char batch[] = BATCH_NAME;
    t->name = NULL;
    t->elem = elem;
    t->has_shape = 1;
    t->rank = sh->ndim + 1;
    t->dim = dim;
    t->dim_param = param;
    dim[0] = 0;
    param[0] = batch;
    for (size_t i = 0; i < sh->ndim; i++) {
        dim[i + 1] = (int64_t)sh->dim[i];
        param[i + 1] = NULL;
    }
}

/* lump_graph_write_onnx -- see lumpnet/graph.h. */
lump_error_t lump_graph_write_onnx(FILE *f, const lump_graph_t *g, lump_write_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_write_opts_t local;
    lump_store_t dtype;
    gw_t s;
    size_t cap = 4 * g->n_nodes + 8;
    lump_iface_tensor_t tin, tout;
    int64_t din[LUMP_GRAPH_MAX_DIMS + 1], dout[LUMP_GRAPH_MAX_DIMS + 1];
    char *pin[LUMP_GRAPH_MAX_DIMS + 1], *pout[LUMP_GRAPH_MAX_DIMS + 1];
    if (opts == NULL) {
        lump_write_opts_init(&local);
        opts = &local;
    }
    if (g->n_nodes < 2 || g->output == 0 || g->output >= g->n_nodes)
        return lump_error_set(LUMP_EINPUT, "the graph has no node to write");
    memset(&s, 0, sizeof s);
    s.g = g;
    mpfr_init2(s.w.fr, 53);
    mpq_init(s.w.q);
    mpq_init(s.w.r);
    s.w.tensors = lump_alloc_zero(cap, sizeof *s.w.tensors);
    s.w.nodes = lump_alloc_zero(cap, sizeof *s.w.nodes);
    s.val = lump_alloc_zero(g->n_nodes, sizeof *s.val);
    s.nodes_used = lump_alloc_zero(cap, sizeof *s.nodes_used);
    s.vals_used = lump_alloc_zero(2 * cap + g->n_nodes, sizeof *s.vals_used);
    dtype = opts->onnx_dtype;
    if (dtype == LUMP_STORE_Q)
        dtype = fits(g, LUMP_FIT_F32, s.w.q) ? LUMP_STORE_F32 : LUMP_STORE_F64;
    LUMP_CHECK(build(&s, dtype));
    iface(&tin, din, pin, &g->nodes[0].shape, 0);
    iface(&tout, dout, pout, &g->nodes[g->output].shape, 0);
    LUMP_CHECK(lump_i_ow_pack(f, &s.w, s.val[0], &tin, lump_graph_n_inputs(g), s.val[g->output],
                              &tout, lump_graph_n_outputs(g)));
    opts->rounded = s.w.rounded;
    opts->max_rounding = s.w.max_rounding;
cleanup:
    lump_i_ow_model_clear(&s.w);
    for (size_t i = 0; i < s.nowned; i++)
        free(s.owned[i]);
    free(s.owned);
    free(s.w.tensors);
    free(s.w.nodes);
    free(s.val);
    free(s.nodes_used);
    free(s.vals_used);
    mpfr_clear(s.w.fr);
    mpq_clear(s.w.q);
    mpq_clear(s.w.r);
    return err;
}
