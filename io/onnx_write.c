/* onnx_write.c -- write a network as ONNX: clip, normalisation, Gemm and
 * activation nodes, in float32 or float64 (protobuf-c) */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet.h"
#include "onnx.pb-c.h"
#include "onnx_support.h"
#include "onnx_write_i.h"
#include "arr_i.h"
#include "alloc_i.h"

/* The largest rank of a declared input or output the writer keeps (the
 * reader's limit). */
#define LUMP_ONNX_MAX_RANK 16

static int host_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void st_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static void st_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

/* round_q -- *OUT = V rounded to the nearest value of DTYPE (ties to even,
 * subnormals honoured through MPFR's exponent range), counting a rounding
 * and its size. A value beyond the largest finite one is an error: an
 * infinity would change the function and no reader accepts it. O(size of
 * V). */
lump_error_t lump_i_ow_round_q(wmodel_t *w, lump_store_t dtype, const mpq_t v, double *out,
                               const char *what)
{
    int f32 = dtype == LUMP_STORE_F32;
    double d;
    int t = lump_i_round_store(&d, dtype, v, w->fr);
    if (!isfinite(d))
        return lump_error_set(LUMP_EUNSUPPORTED, "%s: a value (about %.3g) is too large for %s",
                              what, mpq_get_d(v), f32 ? "float32 (write float64)" : "float64");
    if (t != 0) {
        double e;
        w->rounded++;
        mpq_set_d(w->r, d);
        mpq_sub(w->r, w->r, v);
        mpq_abs(w->r, w->r);
        mpfr_set_prec(w->fr, 53);
        mpfr_set_q(w->fr, w->r, MPFR_RNDU);
        e = mpfr_get_d(w->fr, MPFR_RNDU);
        if (e > w->max_rounding)
            w->max_rounding = e;
    }
    *out = d;
    return LUMP_OK;
}

static wtensor_t *new_tensor(wmodel_t *w, const char *name, const int64_t *dims, int nd)
{
    wtensor_t *t = &w->tensors[w->ntensors++];
    Onnx__TensorProto init = ONNX__TENSOR_PROTO__INIT;
    t->t = init;
    t->owned = NULL;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->t.name = t->name;
    for (int i = 0; i < nd; i++)
        t->dims[i] = dims[i];
    t->t.n_dims = (size_t)nd;
    t->t.dims = t->dims;
    t->t.has_data_type = 1;
    t->t.data_type = w->dtype == LUMP_STORE_F32 ? LUMP_ONNX_FLOAT : LUMP_ONNX_DOUBLE;
    t->t.has_raw_data = 1;
    return t;
}

static lump_error_t alloc_raw(wtensor_t *t, size_t n, size_t esize)
{
    t->owned = lump_alloc_array(n, esize);
    t->t.raw_data.data = t->owned;
    t->t.raw_data.len = n * esize;
    return LUMP_OK;
}

/* tensor_arr -- a tensor holding the values of A in the model's type. An
 * F32 array written as float32 on a little-endian host is borrowed, not
 * copied (the largest networks are exactly these). O(len). */
lump_error_t lump_i_ow_tensor_arr(wmodel_t *w, const char *name, const lump_arr_t *a,
                                  const int64_t *dims, int nd)
{
    lump_error_t err = LUMP_OK;
    wtensor_t *t = new_tensor(w, name, dims, nd);
    int f32 = w->dtype == LUMP_STORE_F32;
    size_t esize = f32 ? 4 : 8;
    unsigned char *p;
    if (a->store == (f32 ? LUMP_STORE_F32 : LUMP_STORE_F64) && host_le()) {
        t->t.raw_data.data = a->data;
        t->t.raw_data.len = a->len * esize;
        return LUMP_OK;
    }
    LUMP_CHECK(alloc_raw(t, a->len, esize));
    p = t->owned;
    for (size_t i = 0; i < a->len; i++, p += esize) {
        double d;
        if (a->store == LUMP_STORE_F32) {
            d = ((const float *)a->data)[i];
        } else if (a->store == LUMP_STORE_F64 &&
                   (!f32 ||
                    (double)(float)((const double *)a->data)[i] == ((const double *)a->data)[i])) {
            d = ((const double *)a->data)[i];
        } else {
            lump_arr_get(w->q, a, i);
            LUMP_CHECK(lump_i_ow_round_q(w, w->dtype, w->q, &d, name));
        }
        if (f32)
            st_f32(p, (float)d);
        else
            st_f64(p, d);
    }
cleanup:
    return err;
}

/* tensor_i64 -- a tensor of the K integers V (a Reshape's shape). O(k). */
wtensor_t *lump_i_ow_tensor_i64(wmodel_t *w, const char *name, const int64_t *v, size_t k)
{
    const int64_t dims[1] = {(int64_t)k};
    wtensor_t *t = new_tensor(w, name, dims, 1);
    t->t.data_type = LUMP_ONNX_INT64;
    (void)alloc_raw(t, k, 8);
    for (size_t i = 0; i < k; i++)
        for (int b = 0; b < 8; b++)
            t->owned[8 * i + (size_t)b] = (unsigned char)((uint64_t)v[i] >> (8 * b));
    return t;
}

/* tensor_q -- a tensor of the N rationals V (a vector). O(n). */
static lump_error_t tensor_q(wmodel_t *w, const char *name, mpq_t *const v, size_t n)
{
    lump_error_t err = LUMP_OK;
    const int64_t dims[1] = {(int64_t)n};
    wtensor_t *t = new_tensor(w, name, dims, 1);
    int f32 = w->dtype == LUMP_STORE_F32;
    LUMP_CHECK(alloc_raw(t, n, f32 ? 4 : 8));
    for (size_t i = 0; i < n; i++) {
        double d;
        LUMP_CHECK(lump_i_ow_round_q(w, w->dtype, v[i], &d, name));
        if (f32)
            st_f32(t->owned + 4 * i, (float)d);
        else
            st_f64(t->owned + 8 * i, d);
    }
cleanup:
    return err;
}

wnode_t *lump_i_ow_node(wmodel_t *w, const char *op)
{
    wnode_t *nd = &w->nodes[w->nnodes];
    Onnx__NodeProto init = ONNX__NODE_PROTO__INIT;
    nd->n = init;
    snprintf(nd->name, sizeof nd->name, "%s_%zu", op, w->nnodes);
    snprintf(nd->outname, sizeof nd->outname, "v%zu", w->nnodes);
    nd->n.name = nd->name;
    nd->n.op_type = (char *)op;
    nd->n.input = nd->in;
    nd->out[0] = nd->outname;
    nd->n.n_output = 1;
    nd->n.output = nd->out;
    nd->n.attribute = nd->attrp;
    w->nnodes++;
    return nd;
}

/* add_node -- append OP reading the chain's value and the last NCONST
 * tensors; its output becomes the chain's value. */
static wnode_t *add_node(wmodel_t *w, const char *op, size_t nconst)
{
    wnode_t *nd = lump_i_ow_node(w, op);
    nd->in[0] = w->cur;
    for (size_t i = 0; i < nconst; i++)
        nd->in[1 + i] = w->tensors[w->ntensors - nconst + i].name;
    nd->n.n_input = 1 + nconst;
    w->cur = nd->outname;
    return nd;
}

/* Appends to ND the attribute NAME of TYPE; the caller sets the value. */
static Onnx__AttributeProto *set_attr(wnode_t *nd, const char *name,
                                      Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto init = ONNX__ATTRIBUTE_PROTO__INIT;
    Onnx__AttributeProto *a = &nd->attr[nd->n.n_attribute];
    *a = init;
    a->name = (char *)name;
    a->has_type = 1;
    a->type = type;
    nd->attrp[nd->n.n_attribute++] = a;
    return a;
}

void lump_i_ow_attr_int(wnode_t *nd, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = set_attr(nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void lump_i_ow_attr_float(wnode_t *nd, const char *name, float v)
{
    Onnx__AttributeProto *a = set_attr(nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

void lump_i_ow_attr_ints(wnode_t *nd, const char *name, const int64_t *v, size_t n)
{
    size_t k = nd->n.n_attribute;
    Onnx__AttributeProto *a = set_attr(nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    memcpy(nd->ints[k], v, n * sizeof *v);
    a->n_ints = n;
    a->ints = nd->ints[k];
}

void lump_i_ow_model_clear(wmodel_t *w)
{
    for (size_t i = 0; i < w->ntensors; i++) {
        free(w->tensors[i].owned);
        w->tensors[i].owned = NULL;
    }
    w->ntensors = 0;
    w->nnodes = 0;
    w->rounded = 0;
    w->max_rounding = 0;
}

const char *lump_i_ow_act_op(lump_act_kind_t k)
{
    switch (k) {
    case LUMP_ACT_RELU:
        return "Relu";
    case LUMP_ACT_LEAKY_RELU:
        return "LeakyRelu";
    case LUMP_ACT_SIGMOID:
        return "Sigmoid";
    case LUMP_ACT_TANH:
        return "Tanh";
    default:
        return NULL;
    }
}

/* fold_outmap -- W'[j,u] = scale_j W[j,u], b'_j = scale_j b_j + shift_j,
 * exactly, into arrays that keep the most compact exact storage. */
static lump_error_t fold_outmap(wmodel_t *w, const lump_net_t *net, lump_arr_t *fw, lump_arr_t *fb)
{
    lump_error_t err = LUMP_OK;
    const lump_layer_t *L = &net->layers[net->n_layers - 1];
    LUMP_CHECK(lump_arr_alloc(fw, LUMP_STORE_F32, L->weight.len));
    LUMP_CHECK(lump_arr_alloc(fb, LUMP_STORE_F32, L->size));
    for (size_t j = 0; j < L->size; j++) {
        for (size_t u = 0; u < L->in_size; u++) {
            lump_arr_get(w->q, &L->weight, j * L->in_size + u);
            mpq_mul(w->q, w->q, net->out_scale[j]);
            LUMP_CHECK(lump_arr_set(fw, j * L->in_size + u, w->q));
        }
        lump_arr_get(w->q, &L->bias, j);
        mpq_mul(w->q, w->q, net->out_scale[j]);
        mpq_add(w->q, w->q, net->out_shift[j]);
        LUMP_CHECK(lump_arr_set(fb, j, w->q));
    }
cleanup:
    return err;
}

/* model_build -- the graph of NET in DTYPE (tensors and nodes only). */
static lump_error_t model_build(wmodel_t *w, const lump_net_t *net, lump_store_t dtype,
                                const lump_arr_t *fw, const lump_arr_t *fb)
{
    lump_error_t err = LUMP_OK;
    size_t n = net->n_inputs, nl = net->n_layers;
    char nm[NAME_LEN];
    lump_i_ow_model_clear(w);
    w->dtype = dtype;
    w->cur = (char *)w->io.in_name;
    if (w->io.reshape_in) {
        const int64_t rows[2] = {-1, (int64_t)n};
        lump_i_ow_tensor_i64(w, "shape_in", rows, 2);
        add_node(w, "Reshape", 1);
    }
    if (net->has_clip) {
        LUMP_CHECK(tensor_q(w, "clip_lo", net->clip_lo, n));
        add_node(w, "Max", 1);
        LUMP_CHECK(tensor_q(w, "clip_hi", net->clip_hi, n));
        add_node(w, "Min", 1);
    }
    if (net->has_norm) {
        LUMP_CHECK(tensor_q(w, "norm_mean", net->norm_mean, n));
        add_node(w, "Sub", 1);
        LUMP_CHECK(tensor_q(w, "norm_range", net->norm_range, n));
        add_node(w, "Div", 1);
    }
    for (size_t i = 0; i < nl; i++) {
        const lump_layer_t *L = &net->layers[i];
        int folded = fw != NULL && i == nl - 1;
        const char *op = lump_i_ow_act_op(lump_layer_act(L, 0)->kind);
        const int64_t wd[2] = {(int64_t)L->size, (int64_t)L->in_size};
        snprintf(nm, sizeof nm, "layer%zu_W", i + 1);
        LUMP_CHECK(lump_i_ow_tensor_arr(w, nm, folded ? fw : &L->weight, wd, 2));
        snprintf(nm, sizeof nm, "layer%zu_b", i + 1);
        LUMP_CHECK(lump_i_ow_tensor_arr(w, nm, folded ? fb : &L->bias, wd, 1));
        lump_i_ow_attr_int(add_node(w, "Gemm", 2), "transB", 1);
        if (op != NULL) {
            wnode_t *nd = add_node(w, op, 0);
            if (lump_layer_act(L, 0)->kind == LUMP_ACT_LEAKY_RELU)
                lump_i_ow_attr_float(nd, "alpha", 0.0f); /* set by the caller */
        }
    }
    if (net->has_outmap && fw == NULL) {
        size_t m = lump_net_n_outputs(net);
        LUMP_CHECK(tensor_q(w, "out_scale", net->out_scale, m));
        add_node(w, "Mul", 1);
        LUMP_CHECK(tensor_q(w, "out_shift", net->out_shift, m));
        add_node(w, "Add", 1);
    }
    if (w->io.reshape_out) {
        /* the declared shape, its leading (batch) dimension inferred */
        const lump_iface_tensor_t *t = w->io.out;
        int64_t shape[LUMP_ONNX_MAX_RANK];
        for (size_t i = 0; i < t->rank; i++)
            shape[i] = i == 0 && t->rank > 1 ? -1 : t->dim[i];
        lump_i_ow_tensor_i64(w, "shape_out", shape, t->rank);
        add_node(w, "Reshape", 1);
    }
    w->nodes[w->nnodes - 1].out[0] = (char *)w->io.out_name;
cleanup:
    return err;
}

/* LeakyRelu's slope is a float32 attribute in every ONNX type: round each
 * slope to float32 and count the rounding whatever the weights' type. */
static lump_error_t set_leaky_alphas(wmodel_t *w, const lump_net_t *net)
{
    lump_error_t err = LUMP_OK;
    size_t k = 0;
    for (size_t i = 0; i < w->nnodes; i++) {
        wnode_t *nd = &w->nodes[i];
        double d;
        if (strcmp(nd->n.op_type, "LeakyRelu") != 0)
            continue;
        while (lump_layer_act(&net->layers[k], 0)->kind != LUMP_ACT_LEAKY_RELU)
            k++;
        LUMP_CHECK(lump_i_ow_round_q(w, LUMP_STORE_F32, lump_layer_act(&net->layers[k], 0)->alpha, &d, "LeakyRelu alpha"));
        nd->attr[0].f = (float)d;
        k++;
    }
cleanup:
    return err;
}

typedef struct {
    ProtobufCBuffer base;
    FILE *f;
    int failed;
} file_buffer_t;

static void file_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    file_buffer_t *fb = (file_buffer_t *)b;
    if (!fb->failed && len > 0 && fwrite(data, 1, len, fb->f) != len)
        fb->failed = 1;
}

/* value_info -- the graph input or output NAME: the declared tensor T
 * (its shape, symbolic dimensions by name) or, when T is NULL, [1, N].
 * DIM and DIMP have room for the rank. */
static void value_info(Onnx__ValueInfoProto *vi, Onnx__TypeProto *tp, Onnx__TypeProto__Tensor *tt,
                       Onnx__TensorShapeProto *sh, Onnx__TensorShapeProto__Dimension *dim,
                       Onnx__TensorShapeProto__Dimension **dimp, const char *name, size_t n,
                       const lump_iface_tensor_t *t, int32_t elem)
{
    Onnx__ValueInfoProto vi0 = ONNX__VALUE_INFO_PROTO__INIT;
    Onnx__TypeProto tp0 = ONNX__TYPE_PROTO__INIT;
    Onnx__TypeProto__Tensor tt0 = ONNX__TYPE_PROTO__TENSOR__INIT;
    Onnx__TensorShapeProto sh0 = ONNX__TENSOR_SHAPE_PROTO__INIT;
    Onnx__TensorShapeProto__Dimension d0 = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
    size_t rank = t != NULL ? t->rank : 2;
    *vi = vi0;
    *tp = tp0;
    *tt = tt0;
    *sh = sh0;
    for (size_t i = 0; i < rank; i++) {
        dim[i] = d0;
        if (t == NULL || t->dim[i] > 0) {
            dim[i].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dim[i].dim_value = t != NULL ? t->dim[i] : i == 0 ? 1 : (int64_t)n;
        } else if (t->dim_param[i] != NULL) {
            dim[i].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dim[i].dim_param = t->dim_param[i];
        }
        dimp[i] = &dim[i];
    }
    sh->n_dim = rank;
    sh->dim = dimp;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->name = (char *)name;
    vi->type = tp;
}

/* pack -- serialise the model straight to F, without a second copy of the
 * weights in memory. O(file size). */
lump_error_t lump_i_ow_pack(FILE *f, wmodel_t *w, const char *in_name,
                            const lump_iface_tensor_t *in, size_t nin, const char *out_name,
                            const lump_iface_tensor_t *out, size_t nout)
{
    lump_error_t err = LUMP_OK;
    Onnx__ModelProto model = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto graph = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    Onnx__OperatorSetIdProto *opsetp = &opset;
    Onnx__ValueInfoProto vin, vout, *vinp = &vin, *voutp = &vout;
    Onnx__TypeProto tin, tout;
    Onnx__TypeProto__Tensor ttin, ttout;
    Onnx__TensorShapeProto shin, shout;
    Onnx__TensorShapeProto__Dimension din[LUMP_ONNX_MAX_RANK], dout[LUMP_ONNX_MAX_RANK];
    Onnx__TensorShapeProto__Dimension *dinp[LUMP_ONNX_MAX_RANK], *doutp[LUMP_ONNX_MAX_RANK];
    Onnx__NodeProto **nodes = lump_alloc_array(w->nnodes, sizeof *nodes);
    Onnx__TensorProto **inits = lump_alloc_array(w->ntensors + 1, sizeof *inits);
    int32_t elem = w->dtype == LUMP_STORE_F32 ? LUMP_ONNX_FLOAT : LUMP_ONNX_DOUBLE;
    file_buffer_t fb;
    for (size_t i = 0; i < w->nnodes; i++)
        nodes[i] = &w->nodes[i].n;
    for (size_t i = 0; i < w->ntensors; i++)
        inits[i] = &w->tensors[i].t;
    value_info(&vin, &tin, &ttin, &shin, din, dinp, in_name, nin, in, elem);
    value_info(&vout, &tout, &ttout, &shout, dout, doutp, out_name, nout, out, elem);
    graph.name = "lumpnet";
    graph.n_node = w->nnodes;
    graph.node = nodes;
    graph.n_initializer = w->ntensors;
    graph.initializer = inits;
    graph.n_input = 1;
    graph.input = &vinp;
    graph.n_output = 1;
    graph.output = &voutp;
    opset.domain = "";
    opset.has_version = 1;
    opset.version = LUMP_ONNX_OPSET;
    model.has_ir_version = 1;
    model.ir_version = LUMP_ONNX_IR_VERSION;
    model.n_opset_import = 1;
    model.opset_import = &opsetp;
    model.producer_name = "lumpnet";
    model.producer_version = (char *)lump_version();
    model.graph = &graph;
    fb.base.append = file_append;
    fb.f = f;
    fb.failed = 0;
    onnx__model_proto__pack_to_buffer(&model, &fb.base);
    if (fb.failed || ferror(f))
        err = lump_error_set(LUMP_EIO, "writing ONNX failed: %s", strerror(errno));
    free(nodes);
    free(inits);
    return err;
}

/* tensor_fits -- 1 when the declared tensor T can carry N values as
 * [batch, n] rows: [n], or [b, d1, ..., dk] with d1 ... dk known and of
 * product N (b known or symbolic). *RESHAPE says whether it differs from
 * the rows [b, n] themselves. O(rank). */
static int tensor_fits(const lump_iface_tensor_t *t, size_t n, int *reshape)
{
    size_t p = 1;
    if (t == NULL || !t->has_shape || t->rank == 0 || t->rank > LUMP_ONNX_MAX_RANK)
        return 0;
    if (t->rank == 1) {
        *reshape = 1;
        return t->dim[0] > 0 && (uint64_t)t->dim[0] == n;
    }
    for (size_t i = 1; i < t->rank; i++) {
        if (t->dim[i] <= 0 || (uint64_t)t->dim[i] > n)
            return 0;
        p *= (size_t)t->dim[i];
        if (p > n)
            return 0;
    }
    *reshape = t->rank != 2;
    return p == n;
}

/* internal_name -- 1 when NAME is one the writer gives its own tensors or
 * values (which the source's names must not shadow). O(length). */
static int internal_name(const char *name)
{
    static const char *const fixed[] = {"clip_lo",   "clip_hi",   "norm_mean", "norm_range",
                                        "out_scale", "out_shift", "shape_in",  "shape_out"};
    size_t k;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 1;
    if (name[0] == 'v' && name[1] != '\0' && strspn(name + 1, "0123456789") == strlen(name + 1))
        return 1;
    if (strncmp(name, "layer", 5) != 0)
        return 0;
    k = strspn(name + 5, "0123456789");
    return k > 0 && (strcmp(name + 5 + k, "_W") == 0 || strcmp(name + 5 + k, "_b") == 0);
}

/* plan_iface -- W->io for NET: the source's names and declared shapes
 * where NET still fits them (a reduction keeps the inputs and outputs),
 * else "input"/"output" and [1, n]. O(rank). */
static void plan_iface(wmodel_t *w, const lump_net_t *net)
{
    const lump_iface_t *f = net->iface;
    wiface_t *io = &w->io;
    memset(io, 0, sizeof *io);
    io->in_name = "input";
    io->out_name = "output";
    if (f == NULL)
        return;
    if (f->in.name != NULL && f->in.name[0] != '\0' && !internal_name(f->in.name))
        io->in_name = f->in.name;
    if (f->out.name != NULL && f->out.name[0] != '\0' && !internal_name(f->out.name) &&
        strcmp(f->out.name, io->in_name) != 0)
        io->out_name = f->out.name;
    if (tensor_fits(&f->in, net->n_inputs, &io->reshape_in))
        io->in = &f->in;
    if (tensor_fits(&f->out, lump_net_n_outputs(net), &io->reshape_out))
        io->out = &f->out;
    else
        io->reshape_out = 0;
    if (io->in == NULL)
        io->reshape_in = 0;
}

/* lump_net_write_onnx -- see lumpnet/io.h. Writes the chain input ->
 * [Max, Min] -> [Sub, Div] -> (Gemm(transB=1) -> activation)* -> [Mul, Add]
 * -> output; the output map is folded exactly into an identity last
 * layer. Complexity: O(weights), plus O(weights) rational operations when
 * values must be rounded or the output map is folded. */
lump_error_t lump_net_write_onnx(FILE *f, const lump_net_t *net, lump_write_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_write_opts_t local;
    wmodel_t w;
    lump_arr_t fw, fb;
    int fold, from_source = 0;
    lump_store_t dtype;
    size_t cap;
    memset(&w, 0, sizeof w);
    lump_arr_init(&fw);
    lump_arr_init(&fb);
    mpfr_init2(w.fr, 53);
    mpq_init(w.q);
    mpq_init(w.r);
    if (opts == NULL) {
        lump_write_opts_init(&local);
        opts = &local;
    }
    if (net->n_layers == 0 || net->n_inputs == 0) {
        err = lump_error_set(LUMP_EINPUT, "the network has no %s to write",
                             net->n_layers == 0 ? "layers" : "inputs");
        goto cleanup;
    }
    for (size_t i = 0; i < net->n_layers; i++)
        if (!lump_layer_uniform_act(&net->layers[i])) {
            err = lump_error_set(LUMP_EUNSUPPORTED,
                                 "layer %zu mixes activations per neuron, which ONNX "
                                 "Gemm layers cannot express (write .json instead)",
                                 i + 1);
            goto cleanup;
        }
    cap = 2 * net->n_layers + 8;
    w.tensors = lump_alloc_zero(cap, sizeof *w.tensors);
    w.nodes = lump_alloc_zero(cap, sizeof *w.nodes);
    fold = net->has_outmap && lump_layer_act(&net->layers[net->n_layers - 1], 0)->kind == LUMP_ACT_IDENTITY;
    if (fold)
        LUMP_CHECK(fold_outmap(&w, net, &fw, &fb));
    plan_iface(&w, net);
    /* the source's element type unless told otherwise: a float32 file
     * stays float32, its values rounded (and counted) where needed */
    dtype = opts->onnx_dtype;
    if (dtype == LUMP_STORE_Q && net->iface != NULL && net->iface->in.elem == LUMP_ONNX_FLOAT)
        dtype = LUMP_STORE_F32, from_source = 1;
    else if (dtype == LUMP_STORE_Q && net->iface != NULL &&
             net->iface->in.elem == LUMP_ONNX_DOUBLE)
        dtype = LUMP_STORE_F64;
    if (dtype == LUMP_STORE_F64) {
        LUMP_CHECK(model_build(&w, net, LUMP_STORE_F64, fold ? &fw : NULL, &fb));
    } else {
        /* automatic: float32 when every value fits it exactly; from a
         * float32 source: float32 unless a value is beyond its range */
        err = model_build(&w, net, LUMP_STORE_F32, fold ? &fw : NULL, &fb);
        if ((dtype == LUMP_STORE_Q && ((err == LUMP_OK && w.rounded > 0) || err == LUMP_EUNSUPPORTED)) ||
            (from_source && err == LUMP_EUNSUPPORTED))
            err = model_build(&w, net, LUMP_STORE_F64, fold ? &fw : NULL, &fb);
        LUMP_CHECK(err);
    }
    LUMP_CHECK(set_leaky_alphas(&w, net));
    LUMP_CHECK(lump_i_ow_pack(f, &w, w.io.in_name, w.io.in, net->n_inputs, w.io.out_name,
                              w.io.out, lump_net_n_outputs(net)));
    opts->rounded = w.rounded;
    opts->max_rounding = w.max_rounding;
cleanup:
    lump_i_ow_model_clear(&w);
    free(w.tensors);
    free(w.nodes);
    lump_arr_clear(&fw);
    lump_arr_clear(&fb);
    mpfr_clear(w.fr);
    mpq_clear(w.q);
    mpq_clear(w.r);
    return err;
}
