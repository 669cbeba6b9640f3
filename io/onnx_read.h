/* onnx_read.h -- private types and helpers shared by the ONNX reader's files */
#ifndef LUMPNET_ONNX_READ_H
#define LUMPNET_ONNX_READ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "lumpnet/io.h"
#include "onnx.pb-c.h"
#include "onnx_support.h"

/* A constant tensor: an initializer, the value of a Constant node, or a
 * tensor synthesised from a Constant's value_float(s)/value_int(s). The
 * data stays in the decoded message; these fields only point into it. */
typedef struct {
    const char *name;
    Onnx__TensorProto *t;
    Onnx__TensorProto synth; /* storage for a synthesised tensor */
    int64_t synth_dim;
    int is_synth;
    int checked;              /* dims and data length verified */
    size_t count;             /* number of elements (product of dims) */
    const unsigned char *raw; /* little-endian raw_data, or NULL */
    size_t refs;              /* node inputs that name it */
} cst_t;

typedef enum { V_CONST, V_INPUT, V_NODE } vkind_t;

/* A named value of the graph and the nodes that read it. */
typedef struct {
    const char *name;
    vkind_t kind;
    cst_t *cst;
    size_t producer;
    size_t n_users;
    size_t user[2]; /* the first two readers, for messages */
} val_t;

/* A bias term of a layer: SIGN * SCALE * C, broadcast when C is a scalar. */
typedef struct {
    const cst_t *c;
    int sign;
    float scale;
} term_t;

/* A layer as the chain walk finds it, converted once all sizes are known. */
typedef struct {
    size_t in, out, node;
    cst_t *w;
    int w_out_major; /* W is [out, in] (else [in, out]) */
    float alpha;
    term_t *terms;
    size_t nterms;
    lump_act_kind_t act;
    int has_act;
    float leaky;
} plan_t;

/* An elementwise affine step by a constant: x := x + c, x - c, c - x, x * c
 * or x / c (of the input normalisation or the output map). */
typedef enum { AOP_ADD, AOP_SUB, AOP_RSUB, AOP_MUL, AOP_DIV } aop_t;
typedef struct {
    aop_t op;
    const cst_t *c;
    size_t node;
} affop_t;

#define MAX_DIMS 16

/* The reader's state: the graph, its table of named values and constants,
 * and the plan that the chain walk builds for the conversion. */
typedef struct {
    const char *name;
    Onnx__GraphProto *g;
    val_t *vals;
    size_t nvals, capvals;
    long *hash;
    size_t hcap;
    cst_t *csts;
    size_t ncsts;
    plan_t *plans;
    size_t nplans;
    affop_t *norm, *outmap;
    size_t nnorm, noutmap;
    const cst_t *clip_lo, *clip_hi;
    size_t clip_lo_node, clip_hi_node;
    size_t n_cur;           /* elements of the current chain value, 0 unknown */
    size_t n_inputs;        /* 0 while unknown */
    int64_t dims[MAX_DIMS]; /* its shape, when ndims >= 0 */
    int ndims;
    const char *in_name;  /* the graph input, for messages */
    const char *cur_name; /* the chain's current value, for messages */
} ctx_t;

/* ---- element access (onnx_tensor.c decodes, everything reads) ---------- */

/* The loads and lump_i_onnx_cst_at stay inline here, not in onnx_tensor.c:
 * fill_weights calls them once per weight, and an out-of-line call across
 * files would cost more than the load itself.
 *
 * Little-endian loads, written so that compilers turn them into one move
 * on little-endian hosts and the reader still works on big-endian ones. */
static inline float lump_i_onnx_ld_f32(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint64_t lump_i_onnx_ld_u64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | p[i];
    return u;
}

static inline double lump_i_onnx_ld_f64(const unsigned char *p)
{
    uint64_t u = lump_i_onnx_ld_u64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* lump_i_onnx_cst_at -- element I of a checked FLOAT or DOUBLE constant,
 * exactly. O(1). */
static inline double lump_i_onnx_cst_at(const cst_t *c, size_t i)
{
    int dbl = c->t->data_type == LUMP_ONNX_DOUBLE;
    if (c->raw != NULL)
        return dbl ? lump_i_onnx_ld_f64(c->raw + 8 * i)
                   : (double)lump_i_onnx_ld_f32(c->raw + 4 * i);
    return dbl ? c->t->double_data[i] : (double)c->t->float_data[i];
}

/* lump_i_onnx_cst_at_i64 -- element I of a checked INT64 constant. O(1). */
static inline int64_t lump_i_onnx_cst_at_i64(const cst_t *c, size_t i)
{
    if (c->raw != NULL)
        return (int64_t)lump_i_onnx_ld_u64(c->raw + 8 * i);
    return c->t->int64_data[i];
}

/* ---- errors (onnx_graph.c) ---------------------------------------------- */

/* lump_i_onnx_node_err -- record "NAME: node K (OP): message" with the
 * printf-style FMT and return LUMP_EINPUT. O(length of the message). */
lump_error_t lump_i_onnx_node_err(const ctx_t *c, size_t k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))) LUMP_WUR;

/* ---- constant tensors (onnx_tensor.c) ----------------------------------- */

/* lump_i_onnx_cst_check -- verify constant K before its data is used: a
 * supported element type (FLOAT or DOUBLE; INT64 when WANT_INT), inline
 * data, non-negative dims whose product equals the number of stored
 * elements; then set K->count and K->raw. A checked constant is not checked
 * again. Errors: LUMP_EINPUT naming the tensor, before any allocation.
 * O(number of dims). */
lump_error_t lump_i_onnx_cst_check(const ctx_t *c, cst_t *k, int want_int) LUMP_WUR;

/* lump_i_onnx_cst_finite -- refuse NaN and infinite elements of checked
 * constant K, naming the first (LUMP_EINPUT). O(elements). */
lump_error_t lump_i_onnx_cst_finite(const ctx_t *c, const cst_t *k) LUMP_WUR;

/* lump_i_onnx_cst_release -- free the decoded data of K when a single node
 * input uses it (an initializer or a Constant's tensor, not a synthesised
 * one); K must not be read afterwards. O(1) besides free. */
void lump_i_onnx_cst_release(cst_t *k);

/* lump_i_onnx_cst_constant -- point S at the value of Constant node K: its
 * value tensor, or a tensor synthesised in S from value_float(s) or
 * value_int(s). S is overwritten; its data stays in the decoded message.
 * Errors: LUMP_EINPUT naming the node when it has none of these. O(number
 * of attributes). */
lump_error_t lump_i_onnx_cst_constant(const ctx_t *c, size_t k, cst_t *s) LUMP_WUR;

/* lump_i_onnx_unpack -- *M = the model decoded from BUF (LEN bytes) with
 * the library's allocator, to free with lump_i_onnx_free. Errors:
 * LUMP_EINPUT naming NAME for an empty, corrupt or graphless file (*M may
 * then be set and must still be freed). O(LEN). */
lump_error_t lump_i_onnx_unpack(Onnx__ModelProto **m, const unsigned char *buf, size_t len,
                                const char *name) LUMP_WUR;

/* lump_i_onnx_free -- free a model from lump_i_onnx_unpack (NULL: nothing).
 * O(size of M). */
void lump_i_onnx_free(Onnx__ModelProto *m);

/* ---- the graph (onnx_graph.c) ------------------------------------------- */

/* lump_i_onnx_attr_find -- the attribute NAME of node N, or NULL.
 * O(number of attributes). */
const Onnx__AttributeProto *lump_i_onnx_attr_find(const Onnx__NodeProto *n, const char *name);

/* lump_i_onnx_attr_int -- *OUT = integer attribute NAME of node N, DEF
 * when absent. Returns NULL, or the problem ("must be an integer") for the
 * caller's message "attribute NAME PROBLEM". O(number of attributes). */
const char *lump_i_onnx_attr_int(const Onnx__NodeProto *n, const char *name, int64_t def,
                                 int64_t *out);

/* lump_i_onnx_attr_float -- *OUT = finite float attribute NAME of node N,
 * DEF when absent. Returns NULL, or the problem as lump_i_onnx_attr_int
 * ("must be a float", "is not finite"). O(number of attributes). */
const char *lump_i_onnx_attr_float(const Onnx__NodeProto *n, const char *name, float def,
                                   float *out);

/* lump_i_onnx_table_new -- an empty name table for graph G: *HASH (all
 * -1) with *HCAP slots, a power of two at least twice the returned number
 * of names G can define (initializers, inputs, node outputs, plus one).
 * O(nodes + capacity). */
size_t lump_i_onnx_table_new(const Onnx__GraphProto *g, long **hash, size_t *hcap);

/* lump_i_onnx_initializers -- the constants of C's initializers, in
 * order, at CSTS[*N..] (*N grows by one each), each registered by ADD
 * (OWNER, the constant), which returns 0 when its name is already
 * defined. Errors (LUMP_EINPUT): an initializer without a name, a name
 * defined twice. O(initializers). */
lump_error_t lump_i_onnx_initializers(const ctx_t *c, cst_t *csts, size_t *n,
                                      int (*add)(void *owner, cst_t *s), void *owner) LUMP_WUR;

/* lump_i_onnx_find / _add -- the name table HASH (HCAP slots, a power of
 * two, -1 for empty) over the records REC of SIZE bytes each, whose first
 * field is their `const char *name`. _find: the record named NAME, or
 * NULL. _add: record *N (zeroed, named NAME) takes NAME and *N grows by
 * one; NULL, and nothing changes, when NAME is already there. The caller
 * sized REC and HASH (lump_i_onnx_table_new). O(1) expected. */
void *lump_i_onnx_find(const long *hash, size_t hcap, void *rec, size_t size, const char *name);
void *lump_i_onnx_add(long *hash, size_t hcap, void *rec, size_t size, size_t *n,
                      const char *name);

/* lump_i_onnx_check_ops -- refuse a node outside the supported operators
 * (LUMP_ONNX_OPS_LIST) or the default domain, or without an output,
 * naming the node (LUMP_EINPUT). O(nodes). */
lump_error_t lump_i_onnx_check_ops(const ctx_t *c) LUMP_WUR;

/* lump_i_onnx_build_values -- fill the table of named values of C->g
 * (initializers, Constant nodes, the graph input, node outputs) with the
 * readers of each, and set *IN_NAME and *OUT_NAME to the graph's single
 * input and output. Errors: LUMP_EINPUT for a name defined twice, a
 * dangling input, or not exactly one input and one output.
 * O(nodes + inputs + initializers) expected. */
lump_error_t lump_i_onnx_build_values(ctx_t *c, const char **in_name,
                                      const char **out_name) LUMP_WUR;

/* lump_i_onnx_walk -- follow the chain from the input to the output,
 * interpreting each node into C's plan (input clip, normalisation, layers,
 * output map). A node off the chain, a value read twice or a second
 * non-constant input is an error naming the node. O(nodes + inputs). */
lump_error_t lump_i_onnx_walk(ctx_t *c, const char *in_name, const char *out_name) LUMP_WUR;

#endif
