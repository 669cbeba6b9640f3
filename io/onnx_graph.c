/* onnx_graph.c -- walk the chain of an ONNX graph into a plan of layers */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx_read.h"
#include "alloc_i.h"

static const char *op_of(const ctx_t *c, size_t k)
{
    const char *op = c->g->node[k]->op_type;
    return op != NULL && *op != '\0' ? op : "?";
}

/* lump_i_onnx_node_err -- see onnx_read.h. */
lump_error_t lump_i_onnx_node_err(const ctx_t *c, size_t k, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lump_error_set(LUMP_EINPUT, "%s: node %zu (%s): %s", c->name, k, op_of(c, k), msg);
}

/* ---- the table of named values ---------------------------------------- */

static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

/* lump_i_onnx_table_new -- see onnx_read.h. */
size_t lump_i_onnx_table_new(const Onnx__GraphProto *g, long **hash, size_t *hcap)
{
    size_t cap = g->n_initializer + g->n_input + 1;
    for (size_t k = 0; k < g->n_node; k++)
        cap += g->node[k]->n_output;
    for (*hcap = 16; *hcap < 2 * cap; *hcap *= 2)
        ;
    *hash = lump_alloc_array(*hcap, sizeof **hash);
    for (size_t i = 0; i < *hcap; i++)
        (*hash)[i] = -1;
    return cap;
}

/* slot -- the slot of NAME in the open-addressed table HASH (HCAP a power
 * of two, -1 for empty) over the records REC of SIZE bytes each, whose
 * first field is their `const char *name`: the slot that holds NAME, or
 * the empty slot where it belongs. O(1) expected. */
static size_t slot(const long *hash, size_t hcap, const void *rec, size_t size, const char *name)
{
    size_t i = hash_str(name) & (hcap - 1);
    while (hash[i] >= 0) {
        const char *const *at = (const void *)((const char *)rec + (size_t)hash[i] * size);
        if (strcmp(*at, name) == 0)
            break;
        i = (i + 1) & (hcap - 1);
    }
    return i;
}

/* lump_i_onnx_find -- see onnx_read.h. */
void *lump_i_onnx_find(const long *hash, size_t hcap, void *rec, size_t size, const char *name)
{
    size_t i = slot(hash, hcap, rec, size, name);
    return hash[i] >= 0 ? (char *)rec + (size_t)hash[i] * size : NULL;
}

/* lump_i_onnx_add -- see onnx_read.h. */
void *lump_i_onnx_add(long *hash, size_t hcap, void *rec, size_t size, size_t *n,
                      const char *name)
{
    size_t i = slot(hash, hcap, rec, size, name);
    char *v;
    if (hash[i] >= 0)
        return NULL;
    hash[i] = (long)*n;
    v = (char *)rec + (*n)++ * size;
    memset(v, 0, size);
    *(const char **)v = name;
    return v;
}

/* lump_i_onnx_find and _add read and write the name as the first field */
_Static_assert(offsetof(val_t, name) == 0, "name first");

static val_t *val_find(const ctx_t *c, const char *name)
{
    return lump_i_onnx_find(c->hash, c->hcap, c->vals, sizeof *c->vals, name);
}

/* val_add -- register NAME; NULL when it is already defined. The capacity
 * was sized before from the counts in the message. */
static val_t *val_add(ctx_t *c, const char *name, vkind_t kind)
{
    val_t *v = lump_i_onnx_add(c->hash, c->hcap, c->vals, sizeof *c->vals, &c->nvals, name);
    if (v != NULL)
        v->kind = kind;
    return v;
}

/* ---- attributes ------------------------------------------------------- */

/* lump_i_onnx_attr_find -- see onnx_read.h. */
const Onnx__AttributeProto *lump_i_onnx_attr_find(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name != NULL && strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}

/* scalar -- the attribute NAME of N in *A (NULL when absent); a message
 * when it is there but not a scalar of TYPE (HAS_VALUE read from the
 * attribute stands in for the type in files that omit it). */
static const char *scalar(const Onnx__AttributeProto **a, const Onnx__NodeProto *n,
                          const char *name, Onnx__AttributeProto__AttributeType type)
{
    const Onnx__AttributeProto *t = lump_i_onnx_attr_find(n, name);
    int is_float = type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    *a = t;
    if (t == NULL)
        return NULL;
    if ((t->has_type && t->type != type) || (!t->has_type && !(is_float ? t->has_f : t->has_i)))
        return is_float ? "must be a float" : "must be an integer";
    return NULL;
}

/* lump_i_onnx_attr_float -- see onnx_read.h. */
const char *lump_i_onnx_attr_float(const Onnx__NodeProto *n, const char *name, float def,
                                   float *out)
{
    const Onnx__AttributeProto *a;
    const char *why = scalar(&a, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    *out = def;
    if (why != NULL || a == NULL)
        return why;
    if (!isfinite(a->f))
        return "is not finite";
    *out = a->f;
    return NULL;
}

/* lump_i_onnx_attr_int -- see onnx_read.h. */
const char *lump_i_onnx_attr_int(const Onnx__NodeProto *n, const char *name, int64_t def,
                                 int64_t *out)
{
    const Onnx__AttributeProto *a;
    const char *why = scalar(&a, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    *out = def;
    if (why == NULL && a != NULL)
        *out = a->i;
    return why;
}

static lump_error_t attr_float(const ctx_t *c, size_t k, const char *name, float def, float *out)
{
    const char *why = lump_i_onnx_attr_float(c->g->node[k], name, def, out);
    return why == NULL ? LUMP_OK : lump_i_onnx_node_err(c, k, "attribute %s %s", name, why);
}

static lump_error_t attr_int(const ctx_t *c, size_t k, const char *name, int64_t def, int64_t *out)
{
    const char *why = lump_i_onnx_attr_int(c->g->node[k], name, def, out);
    return why == NULL ? LUMP_OK : lump_i_onnx_node_err(c, k, "attribute %s %s", name, why);
}

/* ---- building the value table ----------------------------------------- */

static const char *const supported_ops[] = {
    "Gemm",      "MatMul",  "Add",  "Sub",     "Div",     "Mul",      "Max",     "Min",     "Relu",
    "LeakyRelu", "Sigmoid", "Tanh", "Flatten", "Reshape", "Identity", "Dropout", "Constant"};

static int is_op(const Onnx__NodeProto *n, const char *op)
{
    return n->op_type != NULL && strcmp(n->op_type, op) == 0;
}

/* lump_i_onnx_check_ops -- see onnx_read.h. */
lump_error_t lump_i_onnx_check_ops(const ctx_t *c)
{
    for (size_t k = 0; k < c->g->n_node; k++) {
        const Onnx__NodeProto *n = c->g->node[k];
        int ok = 0;
        for (size_t i = 0; i < sizeof supported_ops / sizeof *supported_ops; i++)
            ok |= is_op(n, supported_ops[i]);
        if (!ok)
            return lump_i_onnx_node_err(c, k, "operator not supported (the MLP subset is %s)",
                                        LUMP_ONNX_OPS_LIST);
        if (n->domain != NULL && *n->domain != '\0' && strcmp(n->domain, "ai.onnx") != 0)
            return lump_i_onnx_node_err(c, k,
                                        "operator domain '%s' not supported (only the "
                                        "default ONNX domain is)",
                                        n->domain);
        if (n->n_output < 1 || n->output[0] == NULL || *n->output[0] == '\0')
            return lump_i_onnx_node_err(c, k, "node has no output");
    }
    return LUMP_OK;
}

/* constant_node -- register the value of Constant node K. */
static lump_error_t constant_node(ctx_t *c, size_t k)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *n = c->g->node[k];
    cst_t *s = &c->csts[c->ncsts];
    val_t *v;
    LUMP_CHECK(lump_i_onnx_cst_constant(c, k, s));
    c->ncsts++;
    if ((v = val_add(c, n->output[0], V_CONST)) == NULL)
        return lump_i_onnx_node_err(c, k, "value '%s' is defined twice", n->output[0]);
    v->cst = s;
cleanup:
    return err;
}

/* lump_i_onnx_initializers -- see onnx_read.h. */
lump_error_t lump_i_onnx_initializers(const ctx_t *c, cst_t *csts, size_t *n,
                                      int (*add)(void *owner, cst_t *s), void *owner)
{
    for (size_t i = 0; i < c->g->n_initializer; i++) {
        Onnx__TensorProto *t = c->g->initializer[i];
        cst_t *s = &csts[(*n)++];
        memset(s, 0, sizeof *s);
        if (t->name == NULL || *t->name == '\0')
            return lump_error_set(LUMP_EINPUT, "%s: initializer %zu has no name", c->name, i);
        s->name = t->name;
        s->t = t;
        if (!add(owner, s))
            return lump_error_set(LUMP_EINPUT, "%s: initializer '%s' is defined twice", c->name,
                                  t->name);
    }
    return LUMP_OK;
}

/* const_add -- lump_i_onnx_initializers' ADD for the chain reader: a
 * value of kind V_CONST holding S. */
static int const_add(void *owner, cst_t *s)
{
    val_t *v = val_add(owner, s->name, V_CONST);
    if (v == NULL)
        return 0;
    v->cst = s;
    return 1;
}

/* lump_i_onnx_build_values -- see onnx_read.h. */
lump_error_t lump_i_onnx_build_values(ctx_t *c, const char **in_name, const char **out_name)
{
    Onnx__GraphProto *g = c->g;
    size_t cap = lump_i_onnx_table_new(g, &c->hash, &c->hcap), real_inputs = 0;
    c->capvals = cap;
    c->vals = lump_alloc_array(cap, sizeof *c->vals);
    c->csts = lump_alloc_array(g->n_initializer + g->n_node + 1, sizeof *c->csts);
    lump_error_t err = lump_i_onnx_initializers(c, c->csts, &c->ncsts, const_add, c);
    if (err != LUMP_OK)
        return err;
    /* Older exporters (the ACAS Xu files) list initializers among the graph
     * inputs; only an input without an initializer is the network's input. */
    for (size_t i = 0; i < g->n_input; i++) {
        const char *nm = g->input[i]->name;
        if (nm == NULL || *nm == '\0')
            return lump_error_set(LUMP_EINPUT, "%s: graph input %zu has no name", c->name, i);
        if (val_find(c, nm) != NULL && val_find(c, nm)->kind == V_CONST)
            continue;
        if (val_add(c, nm, V_INPUT) == NULL)
            return lump_error_set(LUMP_EINPUT, "%s: graph input '%s' is listed twice", c->name, nm);
        if (real_inputs++ == 0)
            *in_name = nm;
    }
    if (real_inputs != 1)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the graph has %zu inputs that are not initializers "
                              "(a network has exactly one)",
                              c->name, real_inputs);
    if (g->n_output != 1 || g->output[0]->name == NULL)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the graph has %zu outputs (a network has exactly one)", c->name,
                              g->n_output);
    *out_name = g->output[0]->name;
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        if (is_op(n, "Constant")) {
            lump_error_t e = constant_node(c, k);
            if (e != LUMP_OK)
                return e;
            continue;
        }
        for (size_t j = 0; j < n->n_output; j++) {
            val_t *v;
            if (n->output[j] == NULL || *n->output[j] == '\0')
                continue;
            if ((v = val_add(c, n->output[j], V_NODE)) == NULL)
                return lump_i_onnx_node_err(c, k, "value '%s' is defined twice", n->output[j]);
            v->producer = k;
        }
    }
    /* readers of each value, now that every name is known */
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        if (is_op(n, "Constant"))
            continue;
        for (size_t j = 0; j < n->n_input; j++) {
            val_t *v;
            if (n->input[j] == NULL || *n->input[j] == '\0')
                continue; /* an omitted optional input */
            if ((v = val_find(c, n->input[j])) == NULL)
                return lump_i_onnx_node_err(c, k,
                                            "input '%s' is neither a graph input, an initializer "
                                            "nor the output of a node (missing initializer?)",
                                            n->input[j]);
            if (v->kind == V_CONST) {
                v->cst->refs++;
                continue;
            }
            if (v->n_users < 2)
                v->user[v->n_users] = k;
            v->n_users++;
        }
    }
    return LUMP_OK;
}

/* ---- walking the chain ------------------------------------------------ */

/* expect_count -- a constant that broadcasts over N elements must hold 1
 * or N of them; with N unknown (0) before the first layer, it fixes N. */
static lump_error_t expect_count(const ctx_t *c, size_t k, const cst_t *s, size_t *n,
                                 const char *what)
{
    if (s->count == 1)
        return LUMP_OK;
    if (s->count == 0) /* would leave the size unknown, and nothing to read */
        return lump_i_onnx_node_err(c, k, "constant '%s' is empty", s->name);
    if (*n == 0) {
        *n = s->count;
        return LUMP_OK;
    }
    if (s->count != *n)
        return lump_i_onnx_node_err(c, k,
                                    "constant '%s' has %zu elements, but %s has %zu (only a "
                                    "scalar or one value per element is supported)",
                                    s->name, s->count, what, *n);
    return LUMP_OK;
}

static void push_affop(affop_t **ops, size_t *n, aop_t op, const cst_t *s, size_t k)
{
    affop_t *t = lump_realloc_array(*ops, *n + 1, sizeof *t);
    t[*n].op = op;
    t[*n].c = s;
    t[*n].node = k;
    *ops = t;
    (*n)++;
}

static void push_term(plan_t *p, const cst_t *s, int sign, float scale)
{
    term_t *t = lump_realloc_array(p->terms, p->nterms + 1, sizeof *t);
    t[p->nterms].c = s;
    t[p->nterms].sign = sign;
    t[p->nterms].scale = scale;
    p->terms = t;
    p->nterms++;
}

/* fmt_dims -- "[1, 2, 3]" into BUF (truncated to its size). */
static const char *fmt_dims(char *buf, size_t size, const int64_t *dims, size_t nd)
{
    size_t at = 0;
    at += (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < nd && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
    return buf;
}

/* value_desc -- how messages name the chain's current value. */
static const char *value_desc(const ctx_t *c, char *buf, size_t size)
{
    char d[160];
    int is_input =
        c->in_name != NULL && c->cur_name != NULL && strcmp(c->cur_name, c->in_name) == 0;
    snprintf(buf, size, "%s '%s' of shape %s", is_input ? "the graph input" : "the value",
             c->cur_name != NULL ? c->cur_name : "?",
             fmt_dims(d, sizeof d, c->dims, (size_t)c->ndims));
    return buf;
}

/* check_broadcast -- the constant S of node K combined elementwise with the
 * chain's value (of known shape) must broadcast onto it without changing
 * its element count: [n] onto [n, 1] would give an [n, n] matrix. A
 * constant of higher rank with leading ones only adds those ones to the
 * shape, as ONNX's broadcasting does. O(dims). */
static lump_error_t check_broadcast(ctx_t *c, size_t k, const cst_t *s)
{
    const Onnx__TensorProto *t = s->t;
    int64_t res[MAX_DIMS];
    size_t nd, cr = t->n_dims;
    char a[160], b[320];
    if (c->ndims < 0)
        return LUMP_OK;
    if (cr > MAX_DIMS)
        return lump_i_onnx_node_err(c, k, "constant '%s' has %zu dims (at most %d are supported)",
                                    s->name, cr, MAX_DIMS);
    nd = (size_t)c->ndims > cr ? (size_t)c->ndims : cr;
    for (size_t i = 0; i < nd; i++) {
        /* position i counted from the right */
        int64_t dx = i < (size_t)c->ndims ? c->dims[c->ndims - 1 - i] : 1;
        int64_t dc = i < cr ? t->dims[cr - 1 - i] : 1;
        if (dc != dx && dc != 1)
            return lump_i_onnx_node_err(c, k,
                                        "constant '%s' of shape %s does not broadcast onto %s "
                                        "without changing its shape (a chain keeps one value "
                                        "per neuron)",
                                        s->name, fmt_dims(a, sizeof a, t->dims, cr),
                                        value_desc(c, b, sizeof b));
        res[nd - 1 - i] = dx;
    }
    c->ndims = (int)nd;
    memcpy(c->dims, res, nd * sizeof *res);
    return LUMP_OK;
}

static void set_dims_vector(ctx_t *c, size_t n)
{
    c->n_cur = n;
    c->ndims = 2;
    c->dims[0] = 1;
    c->dims[1] = (int64_t)n;
}

/* check_bias -- a bias is a scalar or holds one value per neuron, laid out
 * along the last axis ([n] or [1, n]; [n, 1] would broadcast to a matrix). */
static lump_error_t check_bias(const ctx_t *c, size_t k, const cst_t *s, size_t out)
{
    const Onnx__TensorProto *t = s->t;
    if (s->count == 1)
        return LUMP_OK;
    if (s->count != out || t->n_dims == 0 || (size_t)t->dims[t->n_dims - 1] != out)
        return lump_i_onnx_node_err(c, k,
                                    "bias '%s' has %zu elements in the wrong shape (the "
                                    "layer has %zu neurons; a bias must be a scalar, [n] or "
                                    "[1, n])",
                                    s->name, s->count, out);
    return LUMP_OK;
}

/* How a layer node multiplies: Gemm's A B, MatMul's x W or W x. */
typedef enum { F_GEMM, F_XW, F_WX } form_t;

/* layer_shape -- check the shape of the value flowing into layer node K
 * (when known) against the weight W, which takes IN values and gives OUT,
 * as ONNX's shape inference does; then set the shape of the result. A
 * MatMul(W[2,2], x[1,2]) has the right number of values but is not a
 * valid product, and the ONNX checker rejects it. O(dims). */
static lump_error_t layer_shape(ctx_t *c, size_t k, const cst_t *w, form_t form, size_t in,
                                size_t out)
{
    const int nd = c->ndims;
    const int64_t need = (int64_t)in;
    char a[160], b[320];
    int ok;
    if (nd < 0) {
        /* unknown: Gemm gives [1, out]; a MatMul's rank follows its input's */
        if (form == F_GEMM) {
            set_dims_vector(c, out);
        } else {
            c->ndims = -1;
            c->n_cur = out;
        }
        return LUMP_OK;
    }
    if (form == F_GEMM)
        ok = nd == 2 && c->dims[1] == need;
    else if (form == F_XW)
        ok = nd >= 1 && c->dims[nd - 1] == need;
    else
        ok = (nd == 1 && c->dims[0] == need) || (nd >= 2 && c->dims[nd - 2] == need);
    if (!ok)
        return lump_i_onnx_node_err(
            c, k, "%s needs %s (the weight '%s' is %s), but %s flows in",
            form == F_GEMM ? "Gemm(A, B)"
            : form == F_XW ? "MatMul(x, W)"
                           : "MatMul(W, x)",
            form == F_GEMM ? "A of shape [M, K] with K the weight's input size"
            : form == F_XW ? "x of shape [..., K] with K the weight's input size"
                           : "x of shape [K] or [..., K, N] with K the weight's input size",
            w->name, fmt_dims(a, sizeof a, w->t->dims, w->t->n_dims), value_desc(c, b, sizeof b));
    if (form == F_GEMM)
        c->dims[1] = (int64_t)out;
    else if (form == F_XW)
        c->dims[nd - 1] = (int64_t)out;
    else
        c->dims[nd == 1 ? 0 : nd - 2] = (int64_t)out;
    c->n_cur = out;
    return LUMP_OK;
}

/* new_layer -- node K starts a layer with weight matrix W (constant),
 * multiplied as FORM says. */
static lump_error_t new_layer(ctx_t *c, size_t k, cst_t *w, int out_major, float alpha, form_t form)
{
    lump_error_t err = LUMP_OK;
    plan_t *p;
    size_t in, out;
    if (c->noutmap > 0)
        return lump_i_onnx_node_err(c, k,
                                    "a layer after an elementwise Mul/Div/Add/Sub on a "
                                    "layer's output is not supported (only a final output "
                                    "map is)");
    LUMP_CHECK(lump_i_onnx_cst_check(c, w, 0));
    if (w->t->n_dims != 2 || w->count == 0)
        return lump_i_onnx_node_err(c, k,
                                    "weight '%s' must be a non-empty matrix (it has %zu "
                                    "dims and %zu elements)",
                                    w->name, w->t->n_dims, w->count);
    in = (size_t)w->t->dims[out_major ? 1 : 0];
    out = (size_t)w->t->dims[out_major ? 0 : 1];
    if (c->n_cur == 0)
        c->n_cur = in;
    if (in != c->n_cur)
        return lump_i_onnx_node_err(c, k,
                                    "weight '%s' takes %zu inputs but the layer receives "
                                    "%zu values ('%s')",
                                    w->name, in, c->n_cur, c->cur_name ? c->cur_name : "?");
    if (c->nplans == 0) {
        if ((c->clip_lo == NULL) != (c->clip_hi == NULL))
            return lump_i_onnx_node_err(c, c->clip_lo ? c->clip_lo_node : c->clip_hi_node,
                                        "an input clip needs both Max (lower bound) and Min "
                                        "(upper bound)");
        c->n_inputs = in;
    }
    p = lump_realloc_array(c->plans, c->nplans + 1, sizeof *p);
    c->plans = p;
    p = &c->plans[c->nplans++];
    memset(p, 0, sizeof *p);
    p->in = in;
    p->out = out;
    p->node = k;
    p->w = w;
    p->w_out_major = out_major;
    p->alpha = alpha;
    p->act = LUMP_ACT_IDENTITY;
    LUMP_CHECK(layer_shape(c, k, w, form, in, out));
cleanup:
    return err;
}

static lump_error_t step_reshape(ctx_t *c, size_t k, cst_t *shape)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *n = c->g->node[k];
    const Onnx__AttributeProto *a = lump_i_onnx_attr_find(n, "shape");
    int64_t vals[MAX_DIMS], allowzero;
    size_t nv, prod = 1;
    int minus = -1;
    LUMP_CHECK(attr_int(c, k, "allowzero", 0, &allowzero));
    if (shape != NULL) {
        LUMP_CHECK(lump_i_onnx_cst_check(c, shape, 1));
        nv = shape->count;
    } else if (a != NULL) {
        nv = a->n_ints;
    } else {
        return lump_i_onnx_node_err(c, k, "Reshape without a shape");
    }
    if (nv > MAX_DIMS)
        return lump_i_onnx_node_err(c, k, "target shape has %zu dims (at most %d are supported)",
                                    nv, MAX_DIMS);
    for (size_t i = 0; i < nv; i++) {
        int64_t d = shape != NULL ? lump_i_onnx_cst_at_i64(shape, i) : a->ints[i];
        if (d == 0 && !allowzero) {
            if (c->ndims < 0 || (int)i >= c->ndims)
                return lump_i_onnx_node_err(c, k,
                                            "target shape copies dimension %zu, which is "
                                            "unknown here",
                                            i);
            d = c->dims[i];
        }
        if (d == -1) {
            if (minus >= 0)
                return lump_i_onnx_node_err(c, k, "target shape has two -1 entries");
            minus = (int)i;
        } else if (d <= 0) {
            return lump_i_onnx_node_err(c, k, "target shape has dimension %lld", (long long)d);
        } else {
            if ((uint64_t)d > SIZE_MAX / prod)
                return lump_i_onnx_node_err(c, k, "target shape is too large");
            prod *= (size_t)d;
        }
        vals[i] = d;
    }
    if (minus >= 0) {
        if (c->n_cur == 0) {
            c->ndims = -1;
            return LUMP_OK;
        }
        if (c->n_cur % prod != 0)
            return lump_i_onnx_node_err(c, k, "cannot reshape %zu values to the target shape",
                                        c->n_cur);
        vals[minus] = (int64_t)(c->n_cur / prod);
        prod = c->n_cur;
    }
    if (c->n_cur != 0 && prod != c->n_cur)
        return lump_i_onnx_node_err(c, k,
                                    "Reshape changes the number of values from %zu to %zu "
                                    "(a chain must keep it)",
                                    c->n_cur, prod);
    c->n_cur = prod;
    c->ndims = (int)nv;
    memcpy(c->dims, vals, nv * sizeof *vals);
cleanup:
    return err;
}

static lump_error_t step_flatten(ctx_t *c, size_t k)
{
    lump_error_t err = LUMP_OK;
    int64_t axis;
    LUMP_CHECK(attr_int(c, k, "axis", 1, &axis));
    if (c->ndims >= 0) {
        int64_t a = axis < 0 ? axis + c->ndims : axis;
        int64_t lo = 1, hi = 1;
        if (a < 0 || a > c->ndims)
            return lump_i_onnx_node_err(c, k, "axis %lld is out of range for %d dims",
                                        (long long)axis, c->ndims);
        for (int i = 0; i < c->ndims; i++) {
            int64_t *side = i < a ? &lo : &hi;
            if (__builtin_mul_overflow(*side, c->dims[i], side))
                return lump_i_onnx_node_err(c, k, "the flattened size overflows 64 bits");
        }
        c->ndims = 2;
        c->dims[0] = lo;
        c->dims[1] = hi;
    }
cleanup:
    return err;
}

static lump_error_t step_elementwise(ctx_t *c, size_t k, int pos, cst_t *s)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *n = c->g->node[k];
    aop_t op;
    plan_t *p = c->nplans > 0 ? &c->plans[c->nplans - 1] : NULL;
    LUMP_CHECK(lump_i_onnx_cst_check(c, s, 0));
    LUMP_CHECK(lump_i_onnx_cst_finite(c, s));
    if (is_op(n, "Add"))
        op = AOP_ADD;
    else if (is_op(n, "Mul"))
        op = AOP_MUL;
    else if (is_op(n, "Sub"))
        op = pos == 0 ? AOP_SUB : AOP_RSUB;
    else if (pos == 0)
        op = AOP_DIV;
    else
        return lump_i_onnx_node_err(c, k,
                                    "dividing a constant by the network's value is not "
                                    "affine (only x / constant is supported)");
    LUMP_CHECK(check_broadcast(c, k, s));
    if (p == NULL) {
        LUMP_CHECK(expect_count(c, k, s, &c->n_cur, "the network input"));
        push_affop(&c->norm, &c->nnorm, op, s, k);
        return LUMP_OK;
    }
    if (c->noutmap == 0 && !p->has_act && (op == AOP_ADD || op == AOP_SUB)) {
        /* with the shape known, check_broadcast has checked the layout
         * (a W x layer's bias is [n, 1]); else only [n] or [1, n] is sure */
        if (c->ndims < 0 || (s->count != 1 && s->count != p->out))
            LUMP_CHECK(check_bias(c, k, s, p->out));
        push_term(p, s, op == AOP_ADD ? 1 : -1, 1.0f);
        return LUMP_OK;
    }
    LUMP_CHECK(expect_count(c, k, s, &c->n_cur, "the layer output"));
    push_affop(&c->outmap, &c->noutmap, op, s, k);
    return LUMP_OK;
cleanup:
    return err;
}

static lump_error_t step_clip(ctx_t *c, size_t k, cst_t *s)
{
    lump_error_t err = LUMP_OK;
    int is_max = is_op(c->g->node[k], "Max");
    if (c->nplans > 0 || c->nnorm > 0)
        return lump_i_onnx_node_err(c, k,
                                    "Max/Min by constants are only supported before the "
                                    "first layer and before any Sub/Div/Mul/Add (as the "
                                    "input clip)");
    if ((is_max ? c->clip_lo : c->clip_hi) != NULL)
        return lump_i_onnx_node_err(c, k, "a second %s on the input is not supported",
                                    is_max ? "Max" : "Min");
    LUMP_CHECK(lump_i_onnx_cst_check(c, s, 0));
    LUMP_CHECK(lump_i_onnx_cst_finite(c, s));
    LUMP_CHECK(check_broadcast(c, k, s));
    LUMP_CHECK(expect_count(c, k, s, &c->n_cur, "the network input"));
    if (is_max) {
        c->clip_lo = s;
        c->clip_lo_node = k;
    } else {
        c->clip_hi = s;
        c->clip_hi_node = k;
    }
cleanup:
    return err;
}

static lump_error_t step_activation(ctx_t *c, size_t k)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *n = c->g->node[k];
    plan_t *p = c->nplans > 0 ? &c->plans[c->nplans - 1] : NULL;
    if (p == NULL)
        return lump_i_onnx_node_err(c, k,
                                    "an activation before the first Gemm/MatMul layer is "
                                    "not supported");
    if (c->noutmap > 0)
        return lump_i_onnx_node_err(c, k,
                                    "an activation after an elementwise Mul/Div on a layer "
                                    "output is not supported");
    if (p->has_act)
        return lump_i_onnx_node_err(c, k,
                                    "the layer of node %zu already has an activation (%s); "
                                    "two in a row are not supported",
                                    p->node, lump_act_name(p->act));
    p->has_act = 1;
    if (is_op(n, "Relu")) {
        p->act = LUMP_ACT_RELU;
    } else if (is_op(n, "Sigmoid")) {
        p->act = LUMP_ACT_SIGMOID;
    } else if (is_op(n, "Tanh")) {
        p->act = LUMP_ACT_TANH;
    } else {
        p->act = LUMP_ACT_LEAKY_RELU;
        LUMP_CHECK(attr_float(c, k, "alpha", LUMP_ONNX_LEAKY_DEFAULT, &p->leaky));
    }
cleanup:
    return err;
}

/* step -- interpret node K, whose input number POS is the chain's current
 * value and whose other inputs are the constants CONSTS[0..ncst). */
static lump_error_t step(ctx_t *c, size_t k, int pos, cst_t **consts, size_t ncst)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *n = c->g->node[k];
    if (is_op(n, "Identity") || is_op(n, "Dropout")) {
        if (pos != 0 || (is_op(n, "Identity") && ncst > 0))
            return lump_i_onnx_node_err(c, k, "unexpected constant inputs");
    } else if (is_op(n, "Flatten")) {
        if (ncst > 0)
            return lump_i_onnx_node_err(c, k, "unexpected constant inputs");
        LUMP_CHECK(step_flatten(c, k));
    } else if (is_op(n, "Reshape")) {
        if (pos != 0 || ncst > 1)
            return lump_i_onnx_node_err(c, k,
                                        "the data must be the first input and the shape a "
                                        "constant");
        LUMP_CHECK(step_reshape(c, k, ncst ? consts[0] : NULL));
    } else if (is_op(n, "Max") || is_op(n, "Min")) {
        if (ncst != 1)
            return lump_i_onnx_node_err(c, k, "exactly one constant operand is supported");
        LUMP_CHECK(step_clip(c, k, consts[0]));
    } else if (is_op(n, "Add") || is_op(n, "Sub") || is_op(n, "Mul") || is_op(n, "Div")) {
        if (ncst != 1)
            return lump_i_onnx_node_err(c, k, "exactly one constant operand is supported");
        LUMP_CHECK(step_elementwise(c, k, pos, consts[0]));
    } else if (is_op(n, "Gemm")) {
        int64_t ta, tb;
        float alpha, beta;
        LUMP_CHECK(attr_int(c, k, "transA", 0, &ta));
        LUMP_CHECK(attr_int(c, k, "transB", 0, &tb));
        LUMP_CHECK(attr_float(c, k, "alpha", 1.0f, &alpha));
        LUMP_CHECK(attr_float(c, k, "beta", 1.0f, &beta));
        if (ta != 0)
            return lump_i_onnx_node_err(c, k,
                                        "transA=%lld is not supported (the layer input must "
                                        "be A, untransposed)",
                                        (long long)ta);
        if (pos != 0 || ncst < 1 || ncst > 2)
            return lump_i_onnx_node_err(c, k, "the layer input must be A and B, C constants");
        LUMP_CHECK(new_layer(c, k, consts[0], tb != 0, alpha, F_GEMM));
        if (ncst == 2) {
            LUMP_CHECK(lump_i_onnx_cst_check(c, consts[1], 0));
            LUMP_CHECK(lump_i_onnx_cst_finite(c, consts[1]));
            LUMP_CHECK(check_bias(c, k, consts[1], c->plans[c->nplans - 1].out));
            push_term(&c->plans[c->nplans - 1], consts[1], 1, beta);
        }
    } else if (is_op(n, "MatMul")) {
        if (ncst != 1)
            return lump_i_onnx_node_err(c, k, "exactly one constant operand is supported");
        /* x W with W [in, out], or W x with W [out, in] */
        LUMP_CHECK(new_layer(c, k, consts[0], pos == 1, 1.0f, pos == 1 ? F_WX : F_XW));
    } else {
        LUMP_CHECK(step_activation(c, k));
        if (ncst > 0)
            return lump_i_onnx_node_err(c, k, "unexpected constant inputs");
    }
cleanup:
    return err;
}

static lump_error_t input_shape(ctx_t *c, const char *in_name)
{
    const Onnx__ValueInfoProto *vi = NULL;
    const Onnx__TensorShapeProto *sh;
    size_t n = 1;
    for (size_t i = 0; i < c->g->n_input; i++)
        if (strcmp(c->g->input[i]->name, in_name) == 0)
            vi = c->g->input[i];
    c->ndims = -1;
    c->n_cur = 0;
    if (vi == NULL || vi->type == NULL ||
        vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        vi->type->tensor_type == NULL || vi->type->tensor_type->shape == NULL)
        return LUMP_OK; /* no shape: the first layer tells the size */
    sh = vi->type->tensor_type->shape;
    if (sh->n_dim > MAX_DIMS)
        return lump_error_set(LUMP_EINPUT, "%s: input '%s' has %zu dims (at most %d)", c->name,
                              in_name, sh->n_dim, MAX_DIMS);
    for (size_t i = 0; i < sh->n_dim; i++) {
        int64_t d = 1;
        if (sh->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            d = sh->dim[i]->dim_value;
        if (d < 0)
            return lump_error_set(LUMP_EINPUT, "%s: input '%s': negative dimension %lld", c->name,
                                  in_name, (long long)d);
        if (d == 0)
            d = 1; /* some exporters write 0 for an unknown batch size */
        if ((uint64_t)d > lump_arr_max_len() / n)
            return lump_error_set(LUMP_EINPUT, "%s: input '%s' is too large", c->name, in_name);
        n *= (size_t)d;
        c->dims[i] = d;
    }
    c->ndims = (int)sh->n_dim;
    c->n_cur = n;
    return LUMP_OK;
}

/* output_shape -- the declared shape of the graph output (its value info,
 * when it has a tensor shape) must fit the network: as many values as the
 * last layer has neurons, and where the rank agrees with the shape the
 * walk found, the same known dimensions. Symbolic or zero dimensions (a
 * batch size) match anything. Refusing a mismatch keeps lumpnet from
 * reading a file whose own metadata contradicts it, as the ONNX checker
 * does. O(dims). */
static lump_error_t output_shape(const ctx_t *c, const char *out_name)
{
    const Onnx__ValueInfoProto *vi = c->g->output[0];
    const Onnx__TensorShapeProto *sh;
    size_t nout = c->plans[c->nplans - 1].out, known = 1, unknown = 0, nd;
    int64_t dims[MAX_DIMS];
    int clash = 0;
    char a[160], b[160];
    if (vi->type == NULL || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        vi->type->tensor_type == NULL || vi->type->tensor_type->shape == NULL)
        return LUMP_OK;
    sh = vi->type->tensor_type->shape;
    nd = sh->n_dim;
    if (nd > MAX_DIMS)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the graph output '%s' is declared with %zu dims "
                              "(at most %d)",
                              c->name, out_name, nd, MAX_DIMS);
    for (size_t i = 0; i < nd; i++) {
        int64_t d = 0;
        if (sh->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            d = sh->dim[i]->dim_value;
        if (d < 0)
            return lump_error_set(LUMP_EINPUT, "%s: the graph output '%s': negative dimension %lld",
                                  c->name, out_name, (long long)d);
        dims[i] = d;
        if (d == 0)
            unknown++;
        else if (known > nout || (uint64_t)d > nout ||
                 __builtin_mul_overflow(known, (size_t)d, &known) || known > nout)
            known = nout + 1; /* more than the network has: a mismatch */
        if (d > 0 && c->ndims == (int)nd && d != c->dims[i])
            clash = 1;
    }
    if (clash || (unknown == 0 && known != nout) || (unknown > 0 && nout % known != 0) ||
        known > nout)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the graph output '%s' is declared with shape %s, but the "
                              "network computes %zu value%s%s%s (its value info contradicts the "
                              "graph)",
                              c->name, out_name, fmt_dims(a, sizeof a, dims, nd), nout,
                              nout == 1 ? "" : "s", c->ndims >= 0 ? " of shape " : "",
                              c->ndims >= 0 ? fmt_dims(b, sizeof b, c->dims, (size_t)c->ndims)
                                            : "");
    return LUMP_OK;
}

/* lump_i_onnx_walk -- see onnx_read.h. */
lump_error_t lump_i_onnx_walk(ctx_t *c, const char *in_name, const char *out_name)
{
    lump_error_t err = LUMP_OK;
    const Onnx__GraphProto *g = c->g;
    unsigned char *seen = lump_alloc_zero(g->n_node + 1, 1);
    cst_t **consts = NULL;
    val_t *cur = val_find(c, in_name);
    size_t maxin = 1;
    for (size_t k = 0; k < g->n_node; k++)
        if (g->node[k]->n_input > maxin)
            maxin = g->node[k]->n_input;
    consts = lump_alloc_array(maxin, sizeof *consts);
    LUMP_CHECK(input_shape(c, in_name));
    c->in_name = in_name;
    while (strcmp(cur->name, out_name) != 0) {
        const Onnx__NodeProto *n;
        size_t k, ncst = 0;
        int pos = -1;
        if (cur->n_users == 0) {
            if (cur->kind == V_NODE)
                err =
                    lump_i_onnx_node_err(c, cur->producer,
                                         "its output '%s' is read by no node and is not the graph "
                                         "output '%s' (disconnected graph)",
                                         cur->name, out_name);
            else
                err = lump_error_set(LUMP_EINPUT, "%s: the graph input '%s' is not used", c->name,
                                     cur->name);
            goto cleanup;
        }
        if (cur->n_users > 1) {
            err =
                lump_i_onnx_node_err(c, cur->user[1],
                                     "reads '%s', which node %zu (%s) reads too (branching graph; "
                                     "only a chain from the input to the output is supported)",
                                     cur->name, cur->user[0], op_of(c, cur->user[0]));
            goto cleanup;
        }
        k = cur->user[0];
        n = g->node[k];
        if (seen[k]) {
            err = lump_i_onnx_node_err(c, k, "the graph has a cycle");
            goto cleanup;
        }
        seen[k] = 1;
        for (size_t j = 0; j < n->n_input; j++) {
            val_t *v;
            if (n->input[j] == NULL || *n->input[j] == '\0')
                continue;
            v = val_find(c, n->input[j]);
            if (v == cur) {
                pos = (int)j;
            } else if (v->kind == V_CONST) {
                consts[ncst++] = v->cst;
            } else {
                err = lump_i_onnx_node_err(c, k,
                                           "input '%s' is neither the chain's value '%s' nor a "
                                           "constant (branching graph; only a chain is supported)",
                                           n->input[j], cur->name);
                goto cleanup;
            }
        }
        c->cur_name = cur->name;
        LUMP_CHECK(step(c, k, pos, consts, ncst));
        for (size_t j = 1; j < n->n_output; j++) {
            val_t *v = n->output[j] && *n->output[j] ? val_find(c, n->output[j]) : NULL;
            if (v != NULL && (v->n_users > 0 || strcmp(v->name, out_name) == 0)) {
                err = lump_i_onnx_node_err(c, k,
                                           "its output %zu ('%s') is used (branching graph; "
                                           "only the first output may be)",
                                           j, v->name);
                goto cleanup;
            }
        }
        cur = val_find(c, n->output[0]);
    }
    if (cur->n_users > 0) {
        err =
            lump_i_onnx_node_err(c, cur->user[0],
                                 "reads the graph output '%s' (branching graph; only a chain from "
                                 "the input to the output is supported)",
                                 out_name);
        goto cleanup;
    }
    for (size_t k = 0; k < g->n_node; k++)
        if (!seen[k] && !is_op(g->node[k], "Constant")) {
            err = lump_i_onnx_node_err(c, k,
                                       "not on the chain from the input '%s' to the output "
                                       "'%s' (disconnected graph)",
                                       in_name, out_name);
            goto cleanup;
        }
    if (c->nplans == 0) {
        err = lump_error_set(LUMP_EINPUT, "%s: the graph has no Gemm or MatMul layer", c->name);
        goto cleanup;
    }
    err = output_shape(c, out_name);
cleanup:
    free(seen);
    free(consts);
    return err;
}
