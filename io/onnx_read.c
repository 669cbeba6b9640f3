/* onnx_read.c -- read the MLP subset of ONNX into a network (protobuf-c) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/io.h"
#include "onnx.pb-c.h"
#include "onnx_read.h"
#include "alloc_i.h"

/* The reader is three files: onnx_tensor.c checks and decodes the constant
 * tensors, onnx_graph.c walks the chain of nodes into a plan of layers, and
 * this file turns the plan into the network. */

/* prod_exact -- 1 when Y is exactly X * A. The fma residual is exact unless
 * it underflows, so tiny products are sent to the exact path. */
static int prod_exact(double x, double a, double y)
{
    if (!isfinite(y))
        return 0;
    if (y == 0)
        return x == 0 || a == 0;
    if (fabs(y) < 0x1p-969)
        return 0;
    return fma(x, a, -y) == 0;
}

#define TILE 64

/* fill_weights -- convert P's weight tensor into L->weight: float32 stays
 * float32; double, or float scaled by Gemm's alpha (a product of two
 * float32 fits a double exactly), is float64; a double scaled by alpha
 * that no double holds is stored exactly as rationals. The matrix is
 * transposed by tiles when the file stores it [in, out].
 * O(in * out). */
static lump_error_t fill_weights(ctx_t *c, plan_t *p, lump_layer_t *L)
{
    lump_error_t err = LUMP_OK;
    cst_t *w = p->w;
    const size_t in = p->in, out = p->out;
    const size_t su = p->w_out_major ? 1 : out, sv = p->w_out_major ? in : 1;
    const int dbl = w->t->data_type == LUMP_ONNX_DOUBLE;
    const double a = p->alpha;
    lump_store_t store = !dbl && p->alpha == 1.0f ? LUMP_STORE_F32 : LUMP_STORE_F64;
    int inexact = 0;
    mpq_t q, qa;
    mpq_init(q);
    mpq_init(qa);
    if (L->weight.store != store)
        LUMP_CHECK(lump_arr_alloc(&L->weight, store, in * out));
    for (size_t v0 = 0; v0 < out; v0 += TILE) {
        size_t v1 = v0 + TILE < out ? v0 + TILE : out;
        for (size_t u0 = 0; u0 < in; u0 += TILE) {
            size_t u1 = u0 + TILE < in ? u0 + TILE : in;
            for (size_t v = v0; v < v1; v++)
                for (size_t u = u0; u < u1; u++) {
                    size_t s = u * su + v * sv, d = v * in + u;
                    double x = lump_i_onnx_cst_at(w, s);
                    if (!isfinite(x)) {
                        err = lump_error_set(LUMP_EINPUT, "%s: tensor '%s': element %zu is %s",
                                             c->name, w->name, s, isnan(x) ? "NaN" : "infinite");
                        goto cleanup;
                    }
                    if (store == LUMP_STORE_F32) {
                        ((float *)L->weight.data)[d] = (float)x;
                    } else {
                        double y = x * a;
                        if (dbl && !prod_exact(x, a, y))
                            inexact = 1;
                        ((double *)L->weight.data)[d] = y;
                    }
                }
        }
    }
    if (inexact) {
        /* rare: a double weight times alpha that no double holds */
        LUMP_CHECK(lump_arr_alloc(&L->weight, LUMP_STORE_Q, in * out));
        mpq_set_d(qa, a);
        for (size_t v = 0; v < out; v++)
            for (size_t u = 0; u < in; u++) {
                mpq_set_d(q, lump_i_onnx_cst_at(w, u * su + v * sv));
                mpq_mul(q, q, qa);
                LUMP_CHECK(lump_arr_set(&L->weight, v * in + u, q));
            }
    }
    lump_i_onnx_cst_release(w);
cleanup:
    mpq_clear(q);
    mpq_clear(qa);
    return err;
}

/* fill_bias -- the exact sum of the layer's bias terms. O(out * terms). */
static lump_error_t fill_bias(const plan_t *p, lump_layer_t *L)
{
    lump_error_t err = LUMP_OK;
    mpq_t acc, t, s;
    mpq_init(acc);
    mpq_init(t);
    mpq_init(s);
    for (size_t j = 0; j < p->out; j++) {
        mpq_set_ui(acc, 0, 1);
        for (size_t i = 0; i < p->nterms; i++) {
            const term_t *tm = &p->terms[i];
            mpq_set_d(t, lump_i_onnx_cst_at(tm->c, tm->c->count == 1 ? 0 : j));
            if (tm->scale != 1.0f) {
                mpq_set_d(s, (double)tm->scale);
                mpq_mul(t, t, s);
            }
            if (tm->sign < 0)
                mpq_sub(acc, acc, t);
            else
                mpq_add(acc, acc, t);
        }
        LUMP_CHECK(lump_arr_set(&L->bias, j, acc));
    }
cleanup:
    mpq_clear(acc);
    mpq_clear(t);
    mpq_clear(s);
    return err;
}

/* compose -- apply the affine steps OPS to x = S x + T elementwise (index
 * J), exactly. A division by zero is an error naming the node. */
static lump_error_t compose(const ctx_t *c, const affop_t *ops, size_t nops, size_t j, mpq_t s,
                            mpq_t t, mpq_t tmp)
{
    mpq_set_ui(s, 1, 1);
    mpq_set_ui(t, 0, 1);
    for (size_t i = 0; i < nops; i++) {
        const cst_t *k = ops[i].c;
        size_t idx = k->count == 1 ? 0 : j;
        mpq_set_d(tmp, lump_i_onnx_cst_at(k, idx));
        switch (ops[i].op) {
        case AOP_ADD:
            mpq_add(t, t, tmp);
            break;
        case AOP_SUB:
            mpq_sub(t, t, tmp);
            break;
        case AOP_RSUB:
            mpq_neg(s, s);
            mpq_sub(t, tmp, t);
            break;
        case AOP_MUL:
            mpq_mul(s, s, tmp);
            mpq_mul(t, t, tmp);
            break;
        case AOP_DIV:
            if (mpq_sgn(tmp) == 0)
                return lump_i_onnx_node_err(c, ops[i].node,
                                            "division by zero (element %zu of '%s')", idx, k->name);
            mpq_div(s, s, tmp);
            mpq_div(t, t, tmp);
            break;
        }
    }
    if (mpq_sgn(s) == 0)
        return lump_i_onnx_node_err(c, ops[nops - 1].node,
                                    "the elementwise steps multiply value %zu by zero", j);
    return LUMP_OK;
}

/* nomem_where -- prefix the last message (a declared size over the limit)
 * with the file and WHERE, and add the memory limit when there is one.
 * O(1). */
static lump_error_t nomem_where(const ctx_t *c, const char *where)
{
    char msg[512];
    size_t limit = lump_memory_limit();
    const char *name = lump_i_memory_name();
    snprintf(msg, sizeof msg, "%s", lump_error_message());
    if (limit > 0)
        return lump_error_set(LUMP_ENOMEM, "%s: %s%s (the limit is %zu MB%s%s)", c->name, where,
                              msg, limit >> 20, name != NULL ? ", see " : "",
                              name != NULL ? name : "");
    return lump_error_set(LUMP_ENOMEM, "%s: %s%s", c->name, where, msg);
}

/* build -- set NET up from the plan of the walk: the layers, then the input
 * clip, normalisation and output map, exactly. O(weights + neurons * terms). */
static lump_error_t build(ctx_t *c, lump_net_t *net)
{
    lump_error_t err = LUMP_OK;
    size_t *sizes = lump_alloc_array(c->nplans, sizeof *sizes);
    size_t nout;
    mpq_t s, t, tmp;
    mpq_init(s);
    mpq_init(t);
    mpq_init(tmp);
    for (size_t i = 0; i < c->nplans; i++)
        sizes[i] = c->plans[i].out;
    err = lump_net_setup(net, c->n_inputs, c->nplans, sizes, LUMP_STORE_F32);
    if (err == LUMP_ENOMEM) {
        err = nomem_where(c, "");
        goto cleanup;
    }
    if (err != LUMP_OK) {
        lump_error_prefix(err, "%s", c->name);
        goto cleanup;
    }
    nout = sizes[c->nplans - 1];
    for (size_t i = 0; i < c->nplans; i++) {
        plan_t *p = &c->plans[i];
        lump_layer_t *L = &net->layers[i];
        err = fill_weights(c, p, L);
        if (err == LUMP_ENOMEM) {
            char where[64];
            snprintf(where, sizeof where, "layer %zu: ", i + 1);
            err = nomem_where(c, where);
            goto cleanup;
        }
        LUMP_CHECK(err);
        LUMP_CHECK(fill_bias(p, L));
        L->act.kind = p->act;
        if (p->act == LUMP_ACT_LEAKY_RELU)
            mpq_set_d(L->act.alpha, (double)p->leaky);
    }
    if (c->clip_lo != NULL) {
        /* the graph walk checked this; reading the constants relies on it */
        if ((c->clip_lo->count != 1 && c->clip_lo->count != c->n_inputs) ||
            (c->clip_hi->count != 1 && c->clip_hi->count != c->n_inputs)) {
            err = lump_i_onnx_node_err(c, c->clip_lo_node,
                                       "the input clip does not have one value per input");
            goto cleanup;
        }
        LUMP_CHECK(lump_net_alloc_clip(net));
        for (size_t j = 0; j < c->n_inputs; j++) {
            mpq_set_d(net->clip_lo[j],
                      lump_i_onnx_cst_at(c->clip_lo, c->clip_lo->count == 1 ? 0 : j));
            mpq_set_d(net->clip_hi[j],
                      lump_i_onnx_cst_at(c->clip_hi, c->clip_hi->count == 1 ? 0 : j));
            if (mpq_cmp(net->clip_lo[j], net->clip_hi[j]) > 0) {
                err = lump_i_onnx_node_err(c, c->clip_hi_node,
                                           "input %zu: clip lower bound (Max) exceeds the upper "
                                           "bound (Min)",
                                           j);
                goto cleanup;
            }
        }
    }
    if (c->nnorm > 0) {
        /* x := s x + t is (x - mean) / range with range = 1/s, mean = -t/s */
        LUMP_CHECK(lump_net_alloc_norm(net));
        for (size_t j = 0; j < c->n_inputs; j++) {
            LUMP_CHECK(compose(c, c->norm, c->nnorm, j, s, t, tmp));
            mpq_inv(net->norm_range[j], s);
            mpq_div(net->norm_mean[j], t, s);
            mpq_neg(net->norm_mean[j], net->norm_mean[j]);
        }
    }
    if (c->noutmap > 0) {
        LUMP_CHECK(lump_net_alloc_outmap(net));
        for (size_t j = 0; j < nout; j++)
            LUMP_CHECK(
                compose(c, c->outmap, c->noutmap, j, net->out_scale[j], net->out_shift[j], tmp));
    }
cleanup:
    free(sizes);
    mpq_clear(s);
    mpq_clear(t);
    mpq_clear(tmp);
    return err;
}

/* iface_tensor -- record the name, element type and shape the value info
 * VI (may be NULL) declares for NAME. O(rank). */
static void iface_tensor(lump_iface_tensor_t *t, const Onnx__ValueInfoProto *vi, const char *name)
{
    const Onnx__TypeProto__Tensor *tt = NULL;
    size_t n = strlen(name) + 1;
    memset(t, 0, sizeof t[0]);
    t->name = lump_alloc(n);
    memcpy(t->name, name, n);
    if (vi != NULL && vi->type != NULL &&
        vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        tt = vi->type->tensor_type;
    if (tt != NULL && tt->has_elem_type)
        t->elem = tt->elem_type;
    if (tt == NULL || tt->shape == NULL)
        return;
    t->has_shape = 1;
    t->rank = tt->shape->n_dim;
    t->dim = lump_alloc_array(t->rank + 1, sizeof *t->dim);
    t->dim_param = lump_alloc_zero(t->rank + 1, sizeof *t->dim_param);
    for (size_t i = 0; i < t->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        t->dim[i] = 0;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            t->dim[i] = d->dim_value > 0 ? d->dim_value : 0;
        else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                 d->dim_param != NULL) {
            size_t k = strlen(d->dim_param) + 1;
            t->dim_param[i] = lump_alloc(k);
            memcpy(t->dim_param[i], d->dim_param, k);
        }
    }
}

/* read_iface -- the interface of graph G: its input IN_NAME and output
 * OUT_NAME as their value infos declare them, for writers to keep.
 * O(inputs + rank). */
static lump_iface_t *read_iface(const Onnx__GraphProto *g, const char *in_name,
                                const char *out_name)
{
    lump_iface_t *f = lump_alloc_zero(1, sizeof *f);
    const Onnx__ValueInfoProto *vin = NULL;
    for (size_t i = 0; i < g->n_input; i++)
        if (strcmp(g->input[i]->name, in_name) == 0)
            vin = g->input[i];
    iface_tensor(&f->in, vin, in_name);
    iface_tensor(&f->out, g->n_output > 0 ? g->output[0] : NULL, out_name);
    return f;
}

/* protobuf-c allocates through the one allocator (docs/architecture.md,
 * "Out of memory"), so an unpack that returns NULL means a corrupt or
 * truncated file, never a failed allocation. */
static void *pb_alloc(void *data, size_t size)
{
    (void)data;
    return lump_alloc(size);
}

static void pb_free(void *data, void *p)
{
    (void)data;
    free(p);
}

static ProtobufCAllocator pb_allocator = {pb_alloc, pb_free, NULL};

/* lump_i_onnx_unpack -- see onnx_read.h. */
lump_error_t lump_i_onnx_unpack(Onnx__ModelProto **m, const unsigned char *buf, size_t len,
                                const char *name)
{
    *m = NULL;
    if (len == 0)
        return lump_error_set(LUMP_EINPUT, "%s: empty file (not a valid ONNX protobuf)", name);
    *m = onnx__model_proto__unpack(&pb_allocator, len, buf);
    if (*m == NULL)
        return lump_error_set(LUMP_EINPUT, "%s: not a valid ONNX protobuf (truncated or corrupt)",
                              name);
    if ((*m)->graph == NULL)
        return lump_error_set(LUMP_EINPUT, "%s: not an ONNX model (no graph)", name);
    return LUMP_OK;
}

/* lump_i_onnx_free -- see onnx_read.h. */
void lump_i_onnx_free(Onnx__ModelProto *m)
{
    if (m != NULL)
        onnx__model_proto__free_unpacked(m, &pb_allocator);
}

/* lump_net_read_onnx_buf -- see lumpnet/io.h. Decodes the model with
 * protobuf-c, walks the chain from the graph input to the graph output and
 * replaces *NET with the network it computes: Max/Min become the input
 * clip, Sub/Div/Mul/Add before the first layer the normalisation (composed
 * exactly), each Gemm or MatMul (+ Add) a layer, the activation after it
 * the layer's activation, and Mul/Add/Sub/Div after the last layer the
 * output map. On error *NET is unchanged and the LUMP_EINPUT message names
 * NAME and the node or tensor at fault.
 * Complexity: O(file size + nodes); float32 weights are copied (and
 * transposed by tiles when stored [in, out]) without rational arithmetic. */
lump_error_t lump_net_read_onnx_buf(lump_net_t *net, const unsigned char *buf, size_t len,
                                    const char *name)
{
    lump_error_t err = LUMP_OK;
    Onnx__ModelProto *m = NULL;
    const char *in_name = NULL, *out_name = NULL;
    lump_net_t out;
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.name = name;
    lump_net_init(&out);
    LUMP_CHECK(lump_i_onnx_unpack(&m, buf, len, name));
    c.g = m->graph;
    LUMP_CHECK(lump_i_onnx_check_ops(&c));
    LUMP_CHECK(lump_i_onnx_build_values(&c, &in_name, &out_name));
    LUMP_CHECK(lump_i_onnx_walk(&c, in_name, out_name));
    LUMP_CHECK(build(&c, &out));
    out.iface = read_iface(c.g, in_name, out_name);
    lump_net_clear(net);
    *net = out;
    lump_net_init(&out);
cleanup:
    lump_net_clear(&out);
    for (size_t i = 0; i < c.nplans; i++)
        free(c.plans[i].terms);
    free(c.plans);
    free(c.norm);
    free(c.outmap);
    free(c.vals);
    free(c.hash);
    free(c.csts);
    lump_i_onnx_free(m);
    return err;
}
