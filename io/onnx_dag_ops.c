/* onnx_dag_ops.c -- convert one ONNX node into nodes of the DAG model */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "onnx.pb-c.h"
#include "onnx_dag.h"
#include "alloc_i.h"

#define DAG_OPS_LIST                                                                               \
    "Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Sigmoid, Tanh, AveragePool, "        \
    "GlobalAveragePool, MaxPool, Pad, Flatten, Reshape, Transpose, Gather, Concat, "               \
    "BatchNormalization, Identity, Dropout, Constant"

int lump_i_dag_graph_only(const char *op)
{
    static const char *const ops[] = {
        "Conv",      "AveragePool", "GlobalAveragePool",  "MaxPool", "Pad",
        "Transpose", "Concat",      "BatchNormalization", "Gather"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(op, ops[i]) == 0)
            return 1;
    return 0;
}

static int is(const Onnx__NodeProto *n, const char *op)
{
    return strcmp(n->op_type, op) == 0;
}

static void shape_str(char *buf, size_t cap, const lump_shape_t *s)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%zu", i ? " x " : "", s->dim[i]);
}

/* ---- inputs and attributes -------------------------------------------- */

/* in_name -- the Ith input's name, or NULL when absent (an optional input
 * left empty). */
static const char *in_name(const Onnx__NodeProto *n, size_t i)
{
    return i < n->n_input && n->input[i] != NULL && *n->input[i] != '\0' ? n->input[i] : NULL;
}

static lump_error_t lookup(dag_t *d, size_t k, size_t i, dname_t **v)
{
    const char *nm = in_name(d->c.g->node[k], i);
    if (nm == NULL)
        return lump_i_dag_err(d, k, "input %zu is missing", i);
    *v = lump_i_dag_find(d, nm);
    if (*v == NULL || !(*v)->defined)
        return lump_i_dag_err(d, k,
                              "input '%s' is not defined before this node (not an initializer, "
                              "the graph input or an earlier node's output)",
                              nm);
    return LUMP_OK;
}

/* lump_i_dag_tensor_in -- see onnx_dag.h. */
lump_error_t lump_i_dag_tensor_in(dag_t *d, size_t k, size_t i, size_t *node)
{
    lump_error_t err = LUMP_OK;
    dname_t *v;
    LUMP_CHECK(lookup(d, k, i, &v));
    if (v->cst != NULL)
        return lump_i_dag_err(
            d, k, "input %zu ('%s') is a constant where a computed tensor is expected", i, v->name);
    *node = v->node;
cleanup:
    return err;
}

/* lump_i_dag_const_in -- see onnx_dag.h. */
lump_error_t lump_i_dag_const_in(dag_t *d, size_t k, size_t i, int want_int, cst_t **c)
{
    lump_error_t err = LUMP_OK;
    dname_t *v;
    LUMP_CHECK(lookup(d, k, i, &v));
    if (v->cst == NULL)
        return lump_i_dag_err(d, k,
                              "input %zu ('%s') is computed from the network input; only a "
                              "constant (an initializer) is supported here",
                              i, v->name);
    LUMP_CHECK(lump_i_onnx_cst_check(&d->c, v->cst, want_int));
    if (!want_int)
        LUMP_CHECK(lump_i_onnx_cst_finite(&d->c, v->cst));
    *c = v->cst;
cleanup:
    return err;
}

static lump_error_t attr_ints(const dag_t *d, size_t k, const char *name, size_t n,
                              const int64_t *def, int64_t *out)
{
    const Onnx__AttributeProto *a = lump_i_onnx_attr_find(d->c.g->node[k], name);
    if (a == NULL) {
        if (def == NULL)
            return lump_i_dag_err(d, k, "attribute %s is required", name);
        memcpy(out, def, n * sizeof *out);
        return LUMP_OK;
    }
    if (a->n_ints != n)
        return lump_i_dag_err(d, k, "attribute %s has %zu values (%zu expected)", name, a->n_ints,
                              n);
    memcpy(out, a->ints, n * sizeof *out);
    return LUMP_OK;
}

static lump_error_t attr_int(const dag_t *d, size_t k, const char *name, int64_t def, int64_t *out)
{
    const char *why = lump_i_onnx_attr_int(d->c.g->node[k], name, def, out);
    return why == NULL ? LUMP_OK : lump_i_dag_err(d, k, "attribute %s %s", name, why);
}

static lump_error_t attr_float(const dag_t *d, size_t k, const char *name, float def, float *out)
{
    const char *why = lump_i_onnx_attr_float(d->c.g->node[k], name, def, out);
    return why == NULL ? LUMP_OK : lump_i_dag_err(d, k, "attribute %s %s", name, why);
}

/* attr_is -- 1 when string attribute NAME is absent (and DEF is NULL) or
 * equals one of the two accepted values. */
static int attr_str_is(const dag_t *d, size_t k, const char *name, const char *a1, const char *a2)
{
    const Onnx__AttributeProto *a = lump_i_onnx_attr_find(d->c.g->node[k], name);
    if (a == NULL)
        return 1;
    return (a->s.len == strlen(a1) && memcmp(a->s.data, a1, a->s.len) == 0) ||
           (a2 != NULL && a->s.len == strlen(a2) && memcmp(a->s.data, a2, a->s.len) == 0);
}

/* lump_i_dag_bind -- see onnx_dag.h. */
void lump_i_dag_bind(dag_t *d, size_t k, size_t o, size_t node)
{
    dname_t *v = lump_i_dag_find(d, d->c.g->node[k]->output[o]);
    v->node = node;
    v->defined = 1;
}

/* copy_arr -- A = the values of constant C (float32 stays float32). */
static lump_error_t copy_arr(lump_arr_t *a, const cst_t *c)
{
    lump_error_t err = LUMP_OK;
    int dbl = c->t->data_type == LUMP_ONNX_DOUBLE;
    LUMP_CHECK(lump_arr_alloc(a, dbl ? LUMP_STORE_F64 : LUMP_STORE_F32, c->count));
    if (dbl)
        for (size_t i = 0; i < c->count; i++)
            ((double *)a->data)[i] = lump_i_onnx_cst_at(c, i);
    else
        for (size_t i = 0; i < c->count; i++)
            ((float *)a->data)[i] = (float)lump_i_onnx_cst_at(c, i);
cleanup:
    return err;
}

/* ---- the window of a convolution or a pool ---------------------------- */

/* window -- read kernel (KH, KW when given), strides, dilations and pads of
 * node K into N for input shape X, and set N's output spatial size. */
static lump_error_t window(dag_t *d, size_t k, lump_graph_node_t *n, const lump_shape_t *x,
                           int64_t kh, int64_t kw, int dilations)
{
    lump_error_t err = LUMP_OK;
    static const int64_t ones[2] = {1, 1}, zeros[4] = {0, 0, 0, 0};
    int64_t ks[2], st[2], dl[2] = {1, 1}, pd[4];
    int64_t ceil_mode;
    int64_t ext[2];
    char sh[64];
    if (x->ndim != 3) {
        shape_str(sh, sizeof sh, x);
        return lump_i_dag_err(d, k, "input has shape %s (C x H x W expected)", sh);
    }
    if (kh > 0) {
        ks[0] = kh;
        ks[1] = kw;
        if (lump_i_onnx_attr_find(d->c.g->node[k], "kernel_shape") != NULL) {
            int64_t a[2];
            LUMP_CHECK(attr_ints(d, k, "kernel_shape", 2, NULL, a));
            if (a[0] != kh || a[1] != kw)
                return lump_i_dag_err(d, k,
                                      "kernel_shape [%lld, %lld] differs from the weight's "
                                      "[%lld, %lld]",
                                      (long long)a[0], (long long)a[1], (long long)kh,
                                      (long long)kw);
        }
    } else {
        LUMP_CHECK(attr_ints(d, k, "kernel_shape", 2, NULL, ks));
    }
    LUMP_CHECK(attr_ints(d, k, "strides", 2, ones, st));
    if (dilations)
        LUMP_CHECK(attr_ints(d, k, "dilations", 2, ones, dl));
    LUMP_CHECK(attr_ints(d, k, "pads", 4, zeros, pd));
    LUMP_CHECK(attr_int(d, k, "ceil_mode", 0, &ceil_mode));
    if (ceil_mode != 0)
        return lump_i_dag_err(d, k, "ceil_mode 1 is not supported");
    for (int i = 0; i < 2; i++) {
        if (ks[i] < 1 || ks[i] > (1 << 20) || st[i] < 1 || st[i] > (1 << 20) || dl[i] < 1 ||
            dl[i] > (1 << 20))
            return lump_i_dag_err(d, k, "kernel, stride and dilation must be positive");
        if (pd[i] < 0 || pd[i + 2] < 0 || pd[i] > (1 << 20) || pd[i + 2] > (1 << 20))
            return lump_i_dag_err(d, k, "negative or huge pads are not supported");
    }
    if (!attr_str_is(d, k, "auto_pad", "NOTSET", "VALID")) {
        /* SAME_UPPER / SAME_LOWER: output size ceil(in / stride) */
        const Onnx__AttributeProto *a = lump_i_onnx_attr_find(d->c.g->node[k], "auto_pad");
        int lower = a->s.len == 10 && memcmp(a->s.data, "SAME_LOWER", 10) == 0;
        if (!lower && !(a->s.len == 10 && memcmp(a->s.data, "SAME_UPPER", 10) == 0))
            return lump_i_dag_err(d, k, "unknown auto_pad value");
        for (int i = 0; i < 2; i++) {
            int64_t in = (int64_t)x->dim[1 + i], o = (in + st[i] - 1) / st[i];
            int64_t tot = (o - 1) * st[i] + (ks[i] - 1) * dl[i] + 1 - in;
            if (tot < 0)
                tot = 0;
            pd[i] = lower ? tot - tot / 2 : tot / 2;
            pd[i + 2] = tot - pd[i];
        }
    }
    n->kh = (size_t)ks[0];
    n->kw = (size_t)ks[1];
    n->sh = (size_t)st[0];
    n->sw = (size_t)st[1];
    n->dh = (size_t)dl[0];
    n->dw = (size_t)dl[1];
    n->pt = (size_t)pd[0];
    n->pl = (size_t)pd[1];
    n->pb = (size_t)pd[2];
    n->pr = (size_t)pd[3];
    ext[0] = (int64_t)x->dim[1] + pd[0] + pd[2] - dl[0] * (ks[0] - 1) - 1;
    ext[1] = (int64_t)x->dim[2] + pd[1] + pd[3] - dl[1] * (ks[1] - 1) - 1;
    if (ext[0] < 0 || ext[1] < 0) {
        shape_str(sh, sizeof sh, x);
        return lump_i_dag_err(d, k, "the window (%lld x %lld) is larger than the padded input %s",
                              (long long)ks[0], (long long)ks[1], sh);
    }
    n->shape.ndim = 3;
    n->shape.dim[1] = (size_t)(ext[0] / st[0] + 1);
    n->shape.dim[2] = (size_t)(ext[1] / st[1] + 1);
cleanup:
    return err;
}

/* shape_finish -- S->size, SIZE_MAX when the product overflows (the
 * reader then refuses the node: lump_graph_read_onnx_buf). */
static void shape_finish(lump_shape_t *s)
{
    s->size = 1;
    for (size_t i = 0; i < s->ndim; i++) {
        if (s->dim[i] != 0 && s->size > SIZE_MAX / s->dim[i]) {
            s->size = SIZE_MAX;
            return;
        }
        s->size *= s->dim[i];
    }
}

/* ---- the operators ---------------------------------------------------- */

/* op_X(d, k[, o]) converts node K of the graph; O, the node itself, is
 * passed by lump_i_dag_convert, which has it, to those that read it. */

static lump_error_t op_conv(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t x, node;
    cst_t *w, *b = NULL;
    int64_t group;
    lump_graph_node_t *n;
    lump_shape_t xs;
    const Onnx__TensorProto *wt;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    LUMP_CHECK(lump_i_dag_const_in(d, k, 1, 0, &w));
    if (in_name(d->c.g->node[k], 2) != NULL)
        LUMP_CHECK(lump_i_dag_const_in(d, k, 2, 0, &b));
    xs = d->g->nodes[x].shape;
    wt = w->t;
    LUMP_CHECK(attr_int(d, k, "group", 1, &group));
    if (wt->n_dims != 4)
        return lump_i_dag_err(d, k,
                              "weight '%s' has %zu dimensions (4 expected: a 2-D "
                              "convolution)",
                              w->name, wt->n_dims);
    if (w->count == 0)
        return lump_i_dag_err(d, k, "weight '%s' is empty", w->name);
    if (xs.ndim != 3) {
        char sh[64];
        shape_str(sh, sizeof sh, &xs);
        return lump_i_dag_err(d, k, "input has shape %s (C x H x W expected)", sh);
    }
    if (group < 1 || xs.dim[0] % (size_t)group != 0 || wt->dims[0] % group != 0 ||
        (size_t)wt->dims[1] * (size_t)group != xs.dim[0])
        return lump_i_dag_err(d, k,
                              "weight '%s' [%lld, %lld, ...] does not fit %zu input channels "
                              "in %lld group(s)",
                              w->name, (long long)wt->dims[0], (long long)wt->dims[1], xs.dim[0],
                              (long long)group);
    if (b != NULL && b->count != (size_t)wt->dims[0])
        return lump_i_dag_err(d, k, "bias '%s' has %zu values for %lld output channels", b->name,
                              b->count, (long long)wt->dims[0]);
    node = lump_i_dag_node(d, k, LUMP_GOP_CONV, &x, 1);
    n = &d->g->nodes[node];
    LUMP_CHECK(window(d, k, n, &xs, wt->dims[2], wt->dims[3], 1));
    n->group = (size_t)group;
    n->shape.dim[0] = (size_t)wt->dims[0];
    shape_finish(&n->shape);
    LUMP_CHECK(copy_arr(&n->weight, w));
    n->params = w->count;
    if (b != NULL) {
        LUMP_CHECK(copy_arr(&n->bias, b));
        n->has_bias = 1;
        n->params += b->count;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

/* mul_exact -- A[i] = X * S exactly (S a float attribute). */
static lump_error_t set_scaled(lump_arr_t *a, size_t i, double x, float s, mpq_t t, mpq_t u)
{
    if (s == 1.0f)
        return lump_arr_set_d(a, i, x);
    mpq_set_d(t, x);
    mpq_set_d(u, (double)s);
    mpq_mul(t, t, u);
    return lump_arr_set(a, i, t);
}

static lump_error_t op_gemm(dag_t *d, size_t k, int matmul)
{
    lump_error_t err = LUMP_OK;
    size_t x, node, nin, nout;
    cst_t *w, *b = NULL;
    int64_t ta = 0, tb = 0;
    float alpha = 1.0f, beta = 1.0f;
    lump_graph_node_t *n;
    const lump_shape_t *xs;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    LUMP_CHECK(lump_i_dag_const_in(d, k, 1, 0, &w));
    if (!matmul) {
        if (in_name(d->c.g->node[k], 2) != NULL)
            LUMP_CHECK(lump_i_dag_const_in(d, k, 2, 0, &b));
        LUMP_CHECK(attr_int(d, k, "transA", 0, &ta));
        LUMP_CHECK(attr_int(d, k, "transB", 0, &tb));
        LUMP_CHECK(attr_float(d, k, "alpha", 1.0f, &alpha));
        LUMP_CHECK(attr_float(d, k, "beta", 1.0f, &beta));
        if (ta != 0) {
            err = lump_i_dag_err(d, k, "transA is not supported (the input is batch x features)");
            goto cleanup;
        }
    }
    xs = &d->g->nodes[x].shape;
    if (xs->ndim != 1) {
        char sh[64];
        shape_str(sh, sizeof sh, xs);
        err = lump_i_dag_err(d, k,
                             "input has shape %s; a matrix product reads batch x features "
                             "(a Flatten or Reshape is missing)",
                             sh);
        goto cleanup;
    }
    if (w->t->n_dims != 2) {
        err = lump_i_dag_err(d, k, "weight '%s' has %zu dimensions (2 expected)", w->name,
                             w->t->n_dims);
        goto cleanup;
    }
    nin = (size_t)(tb ? w->t->dims[1] : w->t->dims[0]);
    nout = (size_t)(tb ? w->t->dims[0] : w->t->dims[1]);
    if (nout == 0) {
        err = lump_i_dag_err(d, k, "weight '%s' has no outputs", w->name);
        goto cleanup;
    }
    if (nin != xs->size) {
        err = lump_i_dag_err(d, k, "weight '%s' takes %zu inputs, the input tensor has %zu",
                             w->name, nin, xs->size);
        goto cleanup;
    }
    if (b != NULL && b->count != 1 && b->count != nout) {
        err = lump_i_dag_err(d, k, "bias '%s' has %zu values for %zu outputs", b->name, b->count,
                             nout);
        goto cleanup;
    }
    node = lump_i_dag_node(d, k, LUMP_GOP_DENSE, &x, 1);
    n = &d->g->nodes[node];
    n->shape.ndim = 1;
    n->shape.dim[0] = n->shape.size = nout;
    LUMP_CHECK(lump_arr_alloc(&n->weight,
                              w->t->data_type == LUMP_ONNX_DOUBLE ? LUMP_STORE_F64 : LUMP_STORE_F32,
                              nin * nout));
    if (w->t->data_type != LUMP_ONNX_DOUBLE && alpha == 1.0f) {
        float *dst = n->weight.data;
        for (size_t j = 0; j < nout; j++)
            for (size_t i = 0; i < nin; i++)
                dst[j * nin + i] = (float)lump_i_onnx_cst_at(w, tb ? j * nin + i : i * nout + j);
    } else {
        for (size_t j = 0; j < nout; j++)
            for (size_t i = 0; i < nin; i++)
                LUMP_CHECK(set_scaled(&n->weight, j * nin + i,
                                      lump_i_onnx_cst_at(w, tb ? j * nin + i : i * nout + j), alpha,
                                      d->t, d->u));
    }
    n->params = w->count;
    if (b != NULL) {
        LUMP_CHECK(lump_arr_alloc(
            &n->bias, b->t->data_type == LUMP_ONNX_DOUBLE ? LUMP_STORE_F64 : LUMP_STORE_F32, nout));
        for (size_t j = 0; j < nout; j++)
            LUMP_CHECK(set_scaled(&n->bias, j, lump_i_onnx_cst_at(b, b->count == 1 ? 0 : j), beta,
                                  d->t, d->u));
        n->has_bias = 1;
        n->params += b->count;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

/* bcast_index -- for constant C broadcast (numpy rules) to the tensor of
 * shape S with a batch dimension of 1, IDX[i] = the element of C for entry
 * i. Errors when the shapes do not broadcast, or when C would widen S. */
static lump_error_t bcast_index(dag_t *d, size_t k, const cst_t *c, const lump_shape_t *s,
                                size_t **idx)
{
    size_t r = s->ndim + 1, m = c->t->n_dims, cstride[LUMP_GRAPH_MAX_DIMS + 1];
    size_t full[LUMP_GRAPH_MAX_DIMS + 1], acc = 1;
    full[0] = 1;
    for (size_t i = 0; i < s->ndim; i++)
        full[i + 1] = s->dim[i];
    size_t off = m > r ? m - r : 0, mm = m - off; /* leading dims of C beyond S's rank */
    for (size_t i = 0; i < off; i++)
        if (c->t->dims[i] != 1)
            goto bad;
    for (size_t a = r; a-- > 0;) {
        size_t dim = a + mm >= r ? (size_t)c->t->dims[a + mm - r + off] : 1;
        if (dim != 1 && dim != full[a])
            goto bad;
        cstride[a] = dim == 1 ? 0 : acc;
        acc *= dim;
    }
    *idx = lump_alloc_array(s->size > 0 ? s->size : 1, sizeof **idx);
    for (size_t i = 0; i < s->size; i++) {
        size_t rem = i, o = 0;
        for (size_t a = r; a-- > 1;) {
            o += (rem % full[a]) * cstride[a];
            rem /= full[a];
        }
        (*idx)[i] = o;
    }
    return LUMP_OK;
bad : {
    char sh[64];
    shape_str(sh, sizeof sh, s);
    return lump_i_dag_err(d, k, "constant '%s' does not broadcast to the tensor's shape %s",
                          c->name, sh);
}
}

/* fold_bias -- when X is a DENSE or CONV node read only here and the
 * constant varies only along its output channels, add it to X's bias.
 * *DONE tells whether it did. */
static lump_error_t fold_bias(dag_t *d, size_t k, size_t x, const dname_t *xv, const cst_t *c,
                              const size_t *idx, int *done)
{
    lump_error_t err = LUMP_OK;
    lump_graph_node_t *n = &d->g->nodes[x];
    size_t ch, per;
    *done = 0;
    if ((n->op != LUMP_GOP_DENSE && n->op != LUMP_GOP_CONV) || xv->readers != 1)
        return LUMP_OK;
    ch = n->shape.dim[0];
    per = n->shape.size / ch;
    for (size_t j = 0; j < ch; j++)
        for (size_t p = 1; p < per; p++)
            if (idx[j * per + p] != idx[j * per])
                return LUMP_OK;
    if (!n->has_bias) {
        LUMP_CHECK(lump_arr_alloc(
            &n->bias, c->t->data_type == LUMP_ONNX_DOUBLE ? LUMP_STORE_F64 : LUMP_STORE_F32, ch));
        for (size_t j = 0; j < ch; j++)
            LUMP_CHECK(lump_arr_set_d(&n->bias, j, lump_i_onnx_cst_at(c, idx[j * per])));
        n->has_bias = 1;
    } else {
        for (size_t j = 0; j < ch; j++) {
            lump_arr_get(d->t, &n->bias, j);
            mpq_set_d(d->u, lump_i_onnx_cst_at(c, idx[j * per]));
            mpq_add(d->t, d->t, d->u);
            LUMP_CHECK(lump_arr_set(&n->bias, j, d->t));
        }
    }
    n->params += c->count;
    lump_i_dag_bind(d, k, 0, x);
    *done = 1;
cleanup:
    return err;
}

/* compose_affine -- N (an AFFINE node) followed by y = SW x + SB: N's
 * scales become SW s and its shifts SW t + SB, exactly. T and U are scratch.
 * O(size). */
static lump_error_t compose_affine(lump_graph_node_t *n, const lump_arr_t *sw, const lump_arr_t *sb,
                                   mpq_t t, mpq_t u)
{
    lump_error_t err = LUMP_OK;
    for (size_t i = 0; i < n->shape.size; i++) {
        lump_arr_get(u, sw, i);
        lump_arr_get(t, &n->weight, i);
        mpq_mul(t, t, u);
        LUMP_CHECK(lump_arr_set(&n->weight, i, t));
        lump_arr_get(t, &n->bias, i);
        mpq_mul(t, t, u);
        lump_arr_get(u, sb, i);
        mpq_add(t, t, u);
        LUMP_CHECK(lump_arr_set(&n->bias, i, t));
    }
cleanup:
    return err;
}

/* shift_after_scale -- 1 when node O (a tensor minus or plus a constant,
 * CFIRST: the constant first) follows N, an AFFINE node without shifts
 * read by O alone (READERS). O(size). */
static int shift_after_scale(const lump_graph_node_t *n, size_t readers, const Onnx__NodeProto *o,
                             int cfirst)
{
    if (n->op != LUMP_GOP_AFFINE || readers != 1 || !(is(o, "Add") || (is(o, "Sub") && !cfirst)))
        return 0;
    for (size_t i = 0; i < n->bias.len; i++)
        if (lump_arr_sgn(&n->bias, i) != 0)
            return 0;
    return 1;
}

/* op_binary -- Add, Sub, Mul, Div: of two computed tensors (Add only: a
 * residual connection) or of a tensor and a constant (elementwise affine,
 * or a bias folded into the node before). */
static lump_error_t op_binary(dag_t *d, size_t k, const Onnx__NodeProto *o)
{
    lump_error_t err = LUMP_OK;
    dname_t *a, *b;
    size_t *idx = NULL, x, node;
    int cfirst, done = 0;
    cst_t *c;
    lump_graph_node_t *n;
    const lump_shape_t *xs;
    lump_arr_t sw, sh; /* the step's scales and shifts */
    lump_arr_init(&sw);
    lump_arr_init(&sh);
    if (o->n_input != 2) {
        err = lump_i_dag_err(d, k, "%zu inputs (2 expected)", o->n_input);
        goto cleanup;
    }
    LUMP_CHECK(lookup(d, k, 0, &a));
    LUMP_CHECK(lookup(d, k, 1, &b));
    if (a->cst == NULL && b->cst == NULL) {
        const lump_shape_t *sa = &d->g->nodes[a->node].shape, *sb = &d->g->nodes[b->node].shape;
        size_t in[2] = {a->node, b->node};
        int same = lump_shape_equal(sa, sb);
        if (!is(o, "Add")) {
            err = lump_i_dag_err(d, k,
                                 "both inputs are computed tensors; only Add of two "
                                 "tensors (a residual connection) is supported");
            goto cleanup;
        }
        if (!same) {
            char s1[64], s2[64];
            shape_str(s1, sizeof s1, sa);
            shape_str(s2, sizeof s2, sb);
            err = lump_i_dag_err(d, k,
                                 "adds tensors of shapes %s and %s (equal shapes "
                                 "expected)",
                                 s1, s2);
            goto cleanup;
        }
        node = lump_i_dag_node(d, k, LUMP_GOP_ADD, in, 2);
        d->g->nodes[node].shape = *sa;
        lump_i_dag_bind(d, k, 0, node);
        goto cleanup;
    }
    if (a->cst != NULL && b->cst != NULL) {
        err = lump_i_dag_err(d, k, "both inputs are constants (fold them before exporting)");
        goto cleanup;
    }
    cfirst = a->cst != NULL;
    LUMP_CHECK(lump_i_dag_const_in(d, k, cfirst ? 0 : 1, 0, &c));
    x = cfirst ? b->node : a->node;
    xs = &d->g->nodes[x].shape;
    LUMP_CHECK(bcast_index(d, k, c, xs, &idx));
    if (is(o, "Add"))
        LUMP_CHECK(fold_bias(d, k, x, cfirst ? b : a, c, idx, &done));
    if (done)
        goto cleanup;
    if (is(o, "Div") && cfirst) {
        err = lump_i_dag_err(d, k, "a constant divided by a tensor is not affine (not supported)");
        goto cleanup;
    }
    LUMP_CHECK(lump_arr_alloc(&sw, LUMP_STORE_F32, xs->size));
    LUMP_CHECK(lump_arr_alloc(&sh, LUMP_STORE_F32, xs->size));
    for (size_t i = 0; i < xs->size; i++) {
        double v = lump_i_onnx_cst_at(c, idx[i]);
        if (is(o, "Add")) {
            LUMP_CHECK(lump_arr_set_d(&sw, i, 1.0));
            LUMP_CHECK(lump_arr_set_d(&sh, i, v));
        } else if (is(o, "Sub")) {
            LUMP_CHECK(lump_arr_set_d(&sw, i, cfirst ? -1.0 : 1.0));
            LUMP_CHECK(lump_arr_set_d(&sh, i, cfirst ? v : -v));
        } else if (is(o, "Mul")) {
            LUMP_CHECK(lump_arr_set_d(&sw, i, v));
        } else {
            if (v == 0) {
                err =
                    lump_i_dag_err(d, k, "division by zero (element %zu of '%s')", idx[i], c->name);
                goto cleanup;
            }
            mpq_set_d(d->t, v);
            mpq_inv(d->t, d->t);
            LUMP_CHECK(lump_arr_set(&sw, i, d->t));
        }
    }
    if (shift_after_scale(&d->g->nodes[x], (cfirst ? b : a)->readers, o, cfirst)) {
        /* a shift right after a pure scaling that nothing else reads (Mul
         * or Div, then Add): one affine node holding both constants as
         * they are, named after the shift (so the Mul/Div + Add pair that
         * the graph writer makes of an affine node reads back as that
         * node); other sequences stay apart, as composing them could make
         * values that no float holds */
        LUMP_CHECK(compose_affine(&d->g->nodes[x], &sw, &sh, d->t, d->u));
        d->g->nodes[x].params += c->count;
        free(d->g->nodes[x].name);
        d->g->nodes[x].name = lump_strdup(o->name != NULL && *o->name ? o->name : o->output[0]);
        node = x;
    } else {
        node = lump_i_dag_node(d, k, LUMP_GOP_AFFINE, &x, 1);
        n = &d->g->nodes[node];
        n->shape = *xs;
        n->params = c->count;
        n->weight = sw;
        n->bias = sh;
        lump_arr_init(&sw);
        lump_arr_init(&sh);
        n->has_bias = 1;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    lump_arr_clear(&sw);
    lump_arr_clear(&sh);
    free(idx);
    return err;
}

static lump_error_t op_act(dag_t *d, size_t k, const Onnx__NodeProto *o)
{
    lump_error_t err = LUMP_OK;
    size_t x, node;
    lump_graph_node_t *n;
    float alpha = LUMP_ONNX_LEAKY_DEFAULT;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    node = lump_i_dag_node(d, k, LUMP_GOP_ACT, &x, 1);
    n = &d->g->nodes[node];
    n->shape = d->g->nodes[x].shape;
    if (is(o, "Relu")) {
        n->act.kind = LUMP_ACT_RELU;
    } else if (is(o, "LeakyRelu")) {
        LUMP_CHECK(attr_float(d, k, "alpha", LUMP_ONNX_LEAKY_DEFAULT, &alpha));
        n->act.kind = LUMP_ACT_LEAKY_RELU;
        mpq_set_d(n->act.alpha, (double)alpha);
    } else if (is(o, "Sigmoid")) {
        n->act.kind = LUMP_ACT_SIGMOID;
    } else {
        n->act.kind = LUMP_ACT_TANH;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

static lump_error_t op_pool(dag_t *d, size_t k, const Onnx__NodeProto *o)
{
    lump_error_t err = LUMP_OK;
    int max = is(o, "MaxPool"), global = is(o, "GlobalAveragePool");
    size_t x, node;
    lump_graph_node_t *n;
    lump_shape_t xs;
    int64_t cip = 0;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    xs = d->g->nodes[x].shape;
    if (max && o->n_output > 1 && o->output[1] != NULL && *o->output[1] != '\0')
        return lump_i_dag_err(d, k, "the Indices output is not supported");
    if (xs.ndim != 3) {
        char sh[64];
        shape_str(sh, sizeof sh, &xs);
        return lump_i_dag_err(d, k, "input has shape %s (C x H x W expected)", sh);
    }
    node = lump_i_dag_node(d, k, max ? LUMP_GOP_MAXPOOL : LUMP_GOP_AVGPOOL, &x, 1);
    n = &d->g->nodes[node];
    if (global) {
        n->kh = xs.dim[1];
        n->kw = xs.dim[2];
        n->shape.ndim = 3;
        n->shape.dim[1] = n->shape.dim[2] = 1;
    } else {
        LUMP_CHECK(window(d, k, n, &xs, 0, 0, max));
        if (n->pt >= n->kh || n->pb >= n->kh || n->pl >= n->kw || n->pr >= n->kw)
            return lump_i_dag_err(d, k, "pads must be smaller than the kernel");
        if (!max)
            LUMP_CHECK(attr_int(d, k, "count_include_pad", 0, &cip));
        n->count_include_pad = cip != 0;
    }
    n->shape.dim[0] = xs.dim[0];
    shape_finish(&n->shape);
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

static lump_error_t op_pad(dag_t *d, size_t k, const Onnx__NodeProto *o)
{
    lump_error_t err = LUMP_OK;
    size_t x, node, r;
    lump_graph_node_t *n;
    lump_shape_t xs;
    int64_t pads[2 * (LUMP_GRAPH_MAX_DIMS + 1)];
    double value = 0;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    xs = d->g->nodes[x].shape;
    r = xs.ndim + 1;
    if (!attr_str_is(d, k, "mode", "constant", NULL))
        return lump_i_dag_err(d, k, "only mode 'constant' is supported");
    if (d->opset < 11) {
        float v;
        LUMP_CHECK(attr_ints(d, k, "pads", 2 * r, NULL, pads));
        LUMP_CHECK(attr_float(d, k, "value", 0.0f, &v));
        value = v;
    } else {
        cst_t *p, *cv;
        LUMP_CHECK(lump_i_dag_const_in(d, k, 1, 1, &p));
        if (p->count != 2 * r)
            return lump_i_dag_err(d, k, "pads '%s' has %zu values (%zu expected)", p->name,
                                  p->count, 2 * r);
        for (size_t i = 0; i < 2 * r; i++)
            pads[i] = lump_i_onnx_cst_at_i64(p, i);
        if (in_name(o, 2) != NULL) {
            LUMP_CHECK(lump_i_dag_const_in(d, k, 2, 0, &cv));
            if (cv->count != 1)
                return lump_i_dag_err(d, k, "constant_value must be a scalar");
            value = lump_i_onnx_cst_at(cv, 0);
        }
        if (in_name(o, 3) != NULL)
            return lump_i_dag_err(d, k, "the axes input is not supported");
    }
    if (value != 0)
        return lump_i_dag_err(d, k, "only zero padding is supported (value %g)", value);
    if (pads[0] != 0 || pads[r] != 0)
        return lump_i_dag_err(d, k, "pads the batch dimension");
    node = lump_i_dag_node(d, k, LUMP_GOP_PAD, &x, 1);
    n = &d->g->nodes[node];
    n->shape.ndim = xs.ndim;
    for (size_t i = 0; i < xs.ndim; i++) {
        int64_t b = pads[i + 1], e = pads[r + i + 1];
        if (b < 0 || e < 0 || b > (1 << 20) || e > (1 << 20))
            return lump_i_dag_err(d, k, "negative (cropping) or huge pads are not supported");
        n->pad_begin[i] = (size_t)b;
        n->pad_end[i] = (size_t)e;
        n->shape.dim[i] = xs.dim[i] + (size_t)b + (size_t)e;
    }
    shape_finish(&n->shape);
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

/* reshape_to -- a RESHAPE node of X to shape S (sizes checked). */
static lump_error_t reshape_to(dag_t *d, size_t k, size_t x, const lump_shape_t *s)
{
    size_t node;
    if (s->size != d->g->nodes[x].shape.size)
        return lump_i_dag_err(d, k, "the new shape has %zu entries, the input %zu", s->size,
                              d->g->nodes[x].shape.size);
    node = lump_i_dag_node(d, k, LUMP_GOP_RESHAPE, &x, 1);
    d->g->nodes[node].shape = *s;
    lump_i_dag_bind(d, k, 0, node);
    return LUMP_OK;
}

static lump_error_t op_flatten(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t x;
    int64_t axis;
    lump_shape_t s;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    LUMP_CHECK(attr_int(d, k, "axis", 1, &axis));
    if (axis < 0)
        axis += (int64_t)d->g->nodes[x].shape.ndim + 1;
    if (axis != 1)
        return lump_i_dag_err(d, k,
                              "axis %lld: only axis 1 (keep the batch dimension) is "
                              "supported",
                              (long long)axis);
    s.ndim = 1;
    s.dim[0] = s.size = d->g->nodes[x].shape.size;
    LUMP_CHECK(reshape_to(d, k, x, &s));
cleanup:
    return err;
}

static lump_error_t op_reshape(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t x, r, infer = SIZE_MAX, known = 1;
    cst_t *sc;
    lump_shape_t xs, s;
    int64_t v[LUMP_GRAPH_MAX_DIMS + 1];
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    LUMP_CHECK(lump_i_dag_const_in(d, k, 1, 1, &sc));
    xs = d->g->nodes[x].shape;
    r = sc->count;
    if (r < 2 || r > LUMP_GRAPH_MAX_DIMS + 1)
        return lump_i_dag_err(d, k,
                              "target shape '%s' has %zu dimensions (a batch dimension "
                              "and 1 to %d more expected)",
                              sc->name, r, LUMP_GRAPH_MAX_DIMS);
    for (size_t i = 0; i < r; i++) {
        v[i] = lump_i_onnx_cst_at_i64(sc, i);
        if (v[i] == 0)
            v[i] = i == 0 ? 1 : i <= xs.ndim ? (int64_t)xs.dim[i - 1] : 0;
        if (v[i] == -1) {
            if (infer != SIZE_MAX)
                return lump_i_dag_err(d, k, "target shape has two -1 entries");
            infer = i;
        } else if (v[i] <= 0) {
            return lump_i_dag_err(d, k, "target shape entry %zu is %lld", i, (long long)v[i]);
        } else {
            if ((size_t)v[i] > xs.size)
                return lump_i_dag_err(d, k,
                                      "target shape entry %zu (%lld) exceeds the input's "
                                      "%zu entries",
                                      i, (long long)v[i], xs.size);
            known *= (size_t)v[i];
            if (known > xs.size)
                return lump_i_dag_err(d, k, "target shape has more entries than the input (%zu)",
                                      xs.size);
        }
    }
    if (infer != SIZE_MAX) {
        if (xs.size % known != 0)
            return lump_i_dag_err(d, k, "the input's %zu entries do not fit the target shape",
                                  xs.size);
        v[infer] = (int64_t)(xs.size / known);
    }
    if (v[0] != 1)
        return lump_i_dag_err(d, k, "the target shape changes the batch dimension (to %lld)",
                              (long long)v[0]);
    s.ndim = r - 1;
    for (size_t i = 1; i < r; i++)
        s.dim[i - 1] = (size_t)v[i];
    shape_finish(&s);
    LUMP_CHECK(reshape_to(d, k, x, &s));
cleanup:
    return err;
}

static lump_error_t op_transpose(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t x, node, r, seen = 0, instride[LUMP_GRAPH_MAX_DIMS];
    int64_t perm[LUMP_GRAPH_MAX_DIMS + 1];
    lump_graph_node_t *n;
    lump_shape_t xs;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    xs = d->g->nodes[x].shape;
    r = xs.ndim + 1;
    if (lump_i_onnx_attr_find(d->c.g->node[k], "perm") == NULL)
        return lump_i_dag_err(d, k, "no perm (the default reverses the batch dimension)");
    LUMP_CHECK(attr_ints(d, k, "perm", r, NULL, perm));
    for (size_t i = 0; i < r; i++) {
        if (perm[i] < 0 || perm[i] >= (int64_t)r || (seen >> perm[i] & 1))
            return lump_i_dag_err(d, k, "perm is not a permutation of 0..%zu", r - 1);
        seen |= (size_t)1 << perm[i];
    }
    if (perm[0] != 0)
        return lump_i_dag_err(d, k, "perm moves the batch dimension");
    node = lump_i_dag_node(d, k, LUMP_GOP_GATHER, &x, 1);
    n = &d->g->nodes[node];
    n->shape.ndim = xs.ndim;
    for (size_t i = 0; i < xs.ndim; i++)
        n->shape.dim[i] = xs.dim[perm[i + 1] - 1];
    shape_finish(&n->shape);
    instride[xs.ndim - 1] = 1;
    for (size_t i = xs.ndim - 1; i-- > 0;)
        instride[i] = instride[i + 1] * xs.dim[i + 1];
    n->map = lump_alloc_array(n->shape.size > 0 ? n->shape.size : 1, sizeof *n->map);
    for (size_t o = 0; o < n->shape.size; o++) {
        size_t rem = o, src = 0;
        for (size_t i = xs.ndim; i-- > 0;) {
            src += (rem % n->shape.dim[i]) * instride[perm[i + 1] - 1];
            rem /= n->shape.dim[i];
        }
        n->map[o] = src;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

/* op_gather -- Gather along axis 1 of a flat tensor [batch, n] with
 * constant indices (how the graph writer encodes an index map that is not
 * a transpose): a GATHER node of the indices' shape. */
static lump_error_t op_gather(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t x, node, n;
    int64_t axis;
    cst_t *c;
    lump_graph_node_t *g;
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    LUMP_CHECK(lump_i_dag_const_in(d, k, 1, 1, &c));
    LUMP_CHECK(attr_int(d, k, "axis", 0, &axis));
    n = d->g->nodes[x].shape.size;
    if (d->g->nodes[x].shape.ndim != 1 || (axis != 1 && axis != -1))
        return lump_i_dag_err(d, k,
                              "only a Gather along axis 1 of a flat tensor (batch x n) is "
                              "supported");
    if (c->t->n_dims < 1 || c->t->n_dims > LUMP_GRAPH_MAX_DIMS || c->count == 0)
        return lump_i_dag_err(d, k, "indices '%s' must have 1 to %d dimensions and an entry",
                              c->name, LUMP_GRAPH_MAX_DIMS);
    node = lump_i_dag_node(d, k, LUMP_GOP_GATHER, &x, 1);
    g = &d->g->nodes[node];
    g->shape.ndim = c->t->n_dims;
    for (size_t i = 0; i < c->t->n_dims; i++)
        g->shape.dim[i] = (size_t)c->t->dims[i];
    shape_finish(&g->shape);
    g->map = lump_alloc_array(c->count, sizeof *g->map);
    for (size_t i = 0; i < c->count; i++) {
        int64_t v = lump_i_onnx_cst_at_i64(c, i);
        if (v < 0)
            v += (int64_t)n;
        if (v < 0 || v >= (int64_t)n)
            return lump_i_dag_err(d, k, "index %zu of '%s' is outside 0..%zu", i, c->name, n - 1);
        g->map[i] = (size_t)v;
    }
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    return err;
}

static lump_error_t op_concat(dag_t *d, size_t k, const Onnx__NodeProto *o)
{
    lump_error_t err = LUMP_OK;
    size_t *in = lump_alloc_array(o->n_input > 0 ? o->n_input : 1, sizeof *in), node;
    int64_t axis;
    lump_shape_t s;
    if (o->n_input < 1) {
        err = lump_i_dag_err(d, k, "no inputs");
        goto cleanup;
    }
    for (size_t i = 0; i < o->n_input; i++)
        LUMP_CHECK(lump_i_dag_tensor_in(d, k, i, &in[i]));
    s = d->g->nodes[in[0]].shape;
    LUMP_CHECK(attr_int(d, k, "axis", INT64_MAX, &axis));
    if (axis == INT64_MAX) {
        err = lump_i_dag_err(d, k, "attribute axis is required");
        goto cleanup;
    }
    if (axis < 0)
        axis += (int64_t)s.ndim + 1;
    if (axis != 1) {
        err = lump_i_dag_err(d, k,
                             "axis %lld: only the first dimension after the batch "
                             "(channels) is supported",
                             (long long)axis);
        goto cleanup;
    }
    for (size_t i = 1; i < o->n_input; i++) {
        const lump_shape_t *t = &d->g->nodes[in[i]].shape;
        int ok = t->ndim == s.ndim;
        for (size_t j = 1; ok && j < s.ndim; j++)
            ok = t->dim[j] == s.dim[j];
        if (!ok) {
            err = lump_i_dag_err(d, k,
                                 "input %zu's shape does not match input 0's beyond the "
                                 "channels",
                                 i);
            goto cleanup;
        }
        s.dim[0] += t->dim[0];
    }
    shape_finish(&s);
    node = lump_i_dag_node(d, k, LUMP_GOP_CONCAT, in, o->n_input);
    d->g->nodes[node].shape = s;
    lump_i_dag_bind(d, k, 0, node);
cleanup:
    free(in);
    return err;
}

/* lump_i_dag_convert -- see onnx_dag.h. */
lump_error_t lump_i_dag_convert(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *o = d->c.g->node[k];
    if (o->op_type == NULL || *o->op_type == '\0')
        return lump_i_dag_err(d, k, "node has no operator");
    if (o->domain != NULL && *o->domain != '\0' && strcmp(o->domain, "ai.onnx") != 0)
        return lump_i_dag_err(d, k,
                              "operator domain '%s' not supported (only the default "
                              "ONNX domain is)",
                              o->domain);
    if (is(o, "Constant")) {
        cst_t *s = &d->csts[d->ncsts];
        dname_t *v = lump_i_dag_find(d, o->output[0]);
        LUMP_CHECK(lump_i_onnx_cst_constant(&d->c, k, s));
        d->ncsts++;
        v->cst = s;
        v->defined = 1;
    } else if (is(o, "Conv")) {
        LUMP_CHECK(op_conv(d, k));
    } else if (is(o, "Gemm") || is(o, "MatMul")) {
        LUMP_CHECK(op_gemm(d, k, is(o, "MatMul")));
    } else if (is(o, "Add") || is(o, "Sub") || is(o, "Mul") || is(o, "Div")) {
        LUMP_CHECK(op_binary(d, k, o));
    } else if (is(o, "Relu") || is(o, "LeakyRelu") || is(o, "Sigmoid") || is(o, "Tanh")) {
        LUMP_CHECK(op_act(d, k, o));
    } else if (is(o, "AveragePool") || is(o, "MaxPool") || is(o, "GlobalAveragePool")) {
        LUMP_CHECK(op_pool(d, k, o));
    } else if (is(o, "Pad")) {
        LUMP_CHECK(op_pad(d, k, o));
    } else if (is(o, "Flatten")) {
        LUMP_CHECK(op_flatten(d, k));
    } else if (is(o, "Reshape")) {
        LUMP_CHECK(op_reshape(d, k));
    } else if (is(o, "Transpose")) {
        LUMP_CHECK(op_transpose(d, k));
    } else if (is(o, "Concat")) {
        LUMP_CHECK(op_concat(d, k, o));
    } else if (is(o, "Gather")) {
        LUMP_CHECK(op_gather(d, k));
    } else if (is(o, "Identity") || is(o, "Dropout")) {
        /* of a constant (how torch.onnx shares equal initializers, such as
         * the default parameters of two BatchNormalization nodes): another
         * name of that constant */
        const dname_t *c = in_name(o, 0) != NULL ? lump_i_dag_find(d, o->input[0]) : NULL;
        size_t x;
        if (c != NULL && c->defined && c->cst != NULL) {
            dname_t *v = lump_i_dag_find(d, o->output[0]);
            v->cst = c->cst;
            v->defined = 1;
            goto cleanup;
        }
        LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
        lump_i_dag_bind(d, k, 0, x);
        {
            /* both names now denote one node: its readers are theirs
             * together (less this Identity), so that a bias or a
             * BatchNormalization is folded into it only when nothing else
             * reads it under either name */
            dname_t *src = lump_i_dag_find(d, o->input[0]), *out = lump_i_dag_find(d, o->output[0]);
            if (src != NULL && out != NULL && src != out)
                src->readers = out->readers = src->readers - 1 + out->readers;
        }
    } else if (is(o, "BatchNormalization")) {
        LUMP_CHECK(lump_i_dag_batchnorm(d, k));
    } else {
        return lump_i_dag_err(d, k, "operator not supported (the graph subset is %s)",
                              DAG_OPS_LIST);
    }
cleanup:
    return err;
}
