/* onnx_tensor.c -- check and decode the constant tensors of an ONNX graph */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx_read.h"

static void dims_str(char *buf, size_t size, const Onnx__TensorProto *t)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, size - n, "[");
    for (size_t i = 0; i < t->n_dims && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

/* lump_i_onnx_cst_check -- see onnx_read.h. The product of the dims is
 * compared with the stored length while it is formed, so a header claiming
 * 2^40 elements is refused without allocating anything. */
lump_error_t lump_i_onnx_cst_check(const ctx_t *c, cst_t *k, int want_int)
{
    Onnx__TensorProto *t = k->t;
    int32_t dt = t->data_type;
    size_t esize, avail, count = 1;
    int zero = 0;
    char dims[160];
    if (k->checked)
        return LUMP_OK;
    dims_str(dims, sizeof dims, t);
    if ((t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        t->n_external_data > 0)
        return lump_error_set(LUMP_EINPUT,
                              "%s: tensor '%s': external data is not supported (save "
                              "the model with its weights inside the file)",
                              c->name, k->name);
    if (want_int ? dt != LUMP_ONNX_INT64 : dt != LUMP_ONNX_FLOAT && dt != LUMP_ONNX_DOUBLE)
        return lump_error_set(LUMP_EINPUT,
                              "%s: tensor '%s': element type %s is not supported "
                              "here (%s)",
                              c->name, k->name, lump_i_onnx_dtype_name(dt),
                              want_int ? "a shape must be INT64"
                                       : "weights must be FLOAT or DOUBLE");
    esize = dt == LUMP_ONNX_FLOAT ? 4 : 8;
    if (t->has_raw_data || t->raw_data.len > 0) {
        if (t->raw_data.len % esize != 0)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: tensor '%s': raw_data length %zu is not a "
                                  "multiple of %zu bytes (%s)",
                                  c->name, k->name, t->raw_data.len, esize,
                                  lump_i_onnx_dtype_name(dt));
        avail = t->raw_data.len / esize;
        k->raw = t->raw_data.data;
    } else {
        avail = dt == LUMP_ONNX_FLOAT    ? t->n_float_data
                : dt == LUMP_ONNX_DOUBLE ? t->n_double_data
                                         : t->n_int64_data;
        k->raw = NULL;
    }
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: tensor '%s': negative dimension %lld in dims %s", c->name,
                                  k->name, (long long)t->dims[i], dims);
        if (t->dims[i] == 0)
            zero = 1;
    }
    if (zero) {
        count = 0;
    } else {
        for (size_t i = 0; i < t->n_dims; i++) {
            uint64_t d = (uint64_t)t->dims[i];
            if (d > avail || count > avail / d)
                return lump_error_set(LUMP_EINPUT,
                                      "%s: tensor '%s': dims %s claim more elements "
                                      "than its data holds (%zu; raw_data length "
                                      "mismatch)",
                                      c->name, k->name, dims, avail);
            count *= (size_t)d;
        }
    }
    if (count != avail)
        return lump_error_set(LUMP_EINPUT,
                              "%s: tensor '%s': dims %s give %zu elements but its "
                              "data holds %zu (%s length mismatch)",
                              c->name, k->name, dims, count, avail,
                              k->raw != NULL ? "raw_data" : "typed data");
    k->count = count;
    k->checked = 1;
    return LUMP_OK;
}

/* lump_i_onnx_cst_finite -- see onnx_read.h. */
lump_error_t lump_i_onnx_cst_finite(const ctx_t *c, const cst_t *k)
{
    for (size_t i = 0; i < k->count; i++) {
        double x = lump_i_onnx_cst_at(k, i);
        if (!isfinite(x))
            return lump_error_set(LUMP_EINPUT, "%s: tensor '%s': element %zu is %s", c->name,
                                  k->name, i, isnan(x) ? "NaN" : "infinite");
    }
    return LUMP_OK;
}

/* lump_i_onnx_cst_release -- see onnx_read.h. It frees a constant used
 * only once right after its conversion, so that a large model does not hold
 * two copies of its weights besides the file buffer. */
void lump_i_onnx_cst_release(cst_t *k)
{
    Onnx__TensorProto *t = k->t;
    if (k->refs != 1 || k->is_synth)
        return;
    free(t->raw_data.data);
    t->raw_data.data = NULL;
    t->raw_data.len = 0;
    t->has_raw_data = 0;
    free(t->float_data);
    t->float_data = NULL;
    t->n_float_data = 0;
    free(t->double_data);
    t->double_data = NULL;
    t->n_double_data = 0;
    k->raw = NULL;
    k->count = 0;
}

/* synth_rank -- S's synthesised tensor is a vector of N entries when LIST
 * (value_floats, value_ints), else a scalar (no dims). O(1). */
static void synth_rank(cst_t *s, size_t n, int list)
{
    if (!list)
        return;
    s->synth_dim = (int64_t)n;
    s->synth.n_dims = 1;
    s->synth.dims = &s->synth_dim;
}

/* synth_floats / synth_ints -- S's synthesised tensor holds the N values
 * at V (owned by the Constant's attribute), a vector when LIST. O(1). */
static void synth_floats(cst_t *s, float *v, size_t n, int list)
{
    s->synth.data_type = LUMP_ONNX_FLOAT;
    s->synth.n_float_data = n;
    s->synth.float_data = v;
    synth_rank(s, n, list);
}

static void synth_ints(cst_t *s, int64_t *v, size_t n, int list)
{
    s->synth.data_type = LUMP_ONNX_INT64;
    s->synth.n_int64_data = n;
    s->synth.int64_data = v;
    synth_rank(s, n, list);
}

/* lump_i_onnx_cst_constant -- see onnx_read.h. */
lump_error_t lump_i_onnx_cst_constant(const ctx_t *c, size_t k, cst_t *s)
{
    const Onnx__NodeProto *n = c->g->node[k];
    const Onnx__AttributeProto *a;
    memset(s, 0, sizeof *s);
    s->name = n->output[0];
    if ((a = lump_i_onnx_attr_find(n, "value")) != NULL && a->t != NULL) {
        s->t = a->t;
    } else {
        Onnx__TensorProto init = ONNX__TENSOR_PROTO__INIT;
        s->synth = init;
        s->t = &s->synth;
        s->is_synth = 1;
        s->synth.has_data_type = 1;
        if ((a = lump_i_onnx_attr_find(n, "value_float")) != NULL)
            synth_floats(s, &((Onnx__AttributeProto *)a)->f, 1, 0);
        else if ((a = lump_i_onnx_attr_find(n, "value_floats")) != NULL)
            synth_floats(s, a->floats, a->n_floats, 1);
        else if ((a = lump_i_onnx_attr_find(n, "value_int")) != NULL)
            synth_ints(s, &((Onnx__AttributeProto *)a)->i, 1, 0);
        else if ((a = lump_i_onnx_attr_find(n, "value_ints")) != NULL)
            synth_ints(s, a->ints, a->n_ints, 1);
        else
            return lump_i_onnx_node_err(c, k,
                                        "Constant without a tensor, float or int value "
                                        "attribute is not supported");
    }
    return LUMP_OK;
}
