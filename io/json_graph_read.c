/* json_graph_read.c -- read the exact JSON format of graph networks
 * ("lumpnet-graph", docs/formats.md), checking every shape and attribute */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/io.h"
#include "lumpnet/graph.h"
#include "json_support.h"
#include "cert_json.h"
#include "alloc_i.h"
#include "graph_reach_i.h"

#define FORMAT_NAME "lumpnet-graph"
/* the largest dimension, kernel, stride, dilation or pad accepted (the
 * ONNX reader's limits) */
#define DIM_MAX ((size_t)1 << 24)
#define WIN_MAX ((size_t)1 << 20)

static const char *const top_keys[] = {"format", "version", "output", "output_name",
                                       "nodes",  "meta",    NULL};
/* the operations, in lump_gop_t's order (lump_gop_name) */
static const char *const ops[] = {"input",   "dense",   "conv", "act",    "add",     "affine",
                                  "avgpool", "maxpool", "pad",  "gather", "reshape", "concat",
                                  NULL};
#define BASE "name", "op", "inputs", "shape"
#define WINDOW "kernel", "strides", "pads", "dilations"
static const char *const keys_input[] = {"name", "op", "shape", NULL};
static const char *const keys_dense[] = {BASE, "weight", "bias", NULL};
static const char *const keys_conv[] = {BASE, WINDOW, "group", "weight", "bias", NULL};
static const char *const keys_act[] = {BASE, "activation", "alpha", NULL};
static const char *const keys_plain[] = {BASE, NULL};
static const char *const keys_affine[] = {BASE, "scale", "shift", NULL};
static const char *const keys_avg[] = {BASE, WINDOW, "count_include_pad", NULL};
static const char *const keys_max[] = {BASE, WINDOW, NULL};
static const char *const keys_pad[] = {BASE, "pads", NULL};
static const char *const keys_gather[] = {BASE, "map", NULL};
static const char *const *const op_keys[] = {keys_input, keys_dense,  keys_conv, keys_act,
                                             keys_plain, keys_affine, keys_avg,  keys_max,
                                             keys_pad,   keys_gather, keys_plain, keys_plain};

/* ---- small readers ---------------------------------------------------- */

/* ints -- the required member KEY of O: an array of exactly N integers
 * (N == 0: any length from 1 to MAXN, stored in *GOT) in [MIN, MAX]. */
static lump_error_t ints(size_t *out, size_t n, size_t maxn, size_t *got, lump_i_jpath_t *p,
                         const json_t *o, const char *key, size_t min, size_t max,
                         const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *a;
    size_t len;
    LUMP_CHECK(lump_i_json_member(&a, p, o, key, 1));
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_expect_array(&len, p, a));
    if (n > 0 && len != n)
        LUMP_CHECK(lump_i_json_expect_len(p, a, n, what));
    if (n == 0 && (len < 1 || len > maxn))
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "has %zu entries (1 to %zu expected)", len,
                                      maxn));
    for (size_t i = 0; i < len; i++) {
        lump_i_jpath_index(p, i);
        LUMP_CHECK(lump_i_json_get_size(&out[i], p, json_array_get(a, i), min, max, what));
        lump_i_jpath_pop(p);
    }
    if (got != NULL)
        *got = len;
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* unbase64 -- decode the S (LEN characters) into the NBYTES bytes OUT:
 * standard base64 with padding, exactly 4 * ceil(NBYTES / 3) characters,
 * unused bits zero (so each byte string has one text). */
static lump_error_t unbase64(unsigned char *out, size_t nbytes, const char *s, size_t len,
                             const lump_i_jpath_t *p, size_t n, const char *what)
{
    size_t want = 4 * ((nbytes + 2) / 3), o = 0;
    if (len != want)
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "has %zu characters of base64, expected %zu (%zu values of "
                                  "%zu bytes: %s)",
                                  len, want, n, n > 0 ? nbytes / n : 0, what);
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            int d = b64val(c);
            size_t pos = i / 4 * 3 + k; /* bytes this character completes */
            if (c == '=' && k >= 2 && pos > nbytes && (k == 3 || s[i + 3] == '='))
                d = 0;
            else if (d < 0 || (c != '=' && k >= 2 && pos > nbytes))
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "not base64: character %zu is '%c' (0x%02x)", i + k,
                                          c >= 32 && c < 127 ? c : '?', c);
            v = v << 6 | (uint32_t)d;
        }
        for (size_t k = 0; k < 3; k++) {
            unsigned char b = (unsigned char)(v >> (16 - 8 * k));
            if (o < nbytes)
                out[o++] = b;
            else if (b != 0)
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "not canonical base64: the bits after the last byte "
                                          "must be zero");
        }
    }
    return LUMP_OK;
}

/* read_values -- A = the values at member KEY of O, N of them (WHAT says
 * why): a list of rationals, or {"float32": BASE64} / {"float64":
 * BASE64}. The length is checked against N before A is allocated. */
static lump_error_t read_values(lump_arr_t *a, lump_i_jpath_t *p, const json_t *o,
                                const char *key, size_t n, const char *what)
{
    static const char *const fkeys[] = {"float32", "float64", NULL};
    lump_error_t err = LUMP_OK;
    json_t *v, *s32, *s64;
    unsigned char *bytes = NULL;
    mpq_t q;
    mpq_init(q);
    LUMP_CHECK(lump_i_json_member(&v, p, o, key, 1));
    lump_i_jpath_key(p, key);
    if (n > lump_arr_max_len())
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "the shapes ask for %s%zu values (%s), over the limit of %zu",
                                      n == SIZE_MAX ? "more than " : "", n, what,
                                      lump_arr_max_len()));
    if (json_is_array(v)) {
        LUMP_CHECK(lump_i_json_expect_len(p, v, n, what));
        LUMP_CHECK(lump_arr_alloc(a, LUMP_STORE_Q, n));
        for (size_t i = 0; i < n; i++) {
            lump_i_jpath_index(p, i);
            LUMP_CHECK(lump_i_json_get_q(q, p, json_array_get(v, i)));
            LUMP_CHECK(lump_arr_set(a, i, q));
            lump_i_jpath_pop(p);
        }
    } else if (json_is_object(v)) {
        const char *s;
        size_t len, es;
        int f32;
        LUMP_CHECK(lump_i_json_check_keys(p, v, fkeys));
        s32 = json_object_get(v, "float32");
        s64 = json_object_get(v, "float64");
        if ((s32 == NULL) == (s64 == NULL))
            LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                          "needs exactly one of \"float32\" and \"float64\""));
        f32 = s32 != NULL;
        es = f32 ? 4 : 8;
        lump_i_jpath_key(p, f32 ? "float32" : "float64");
        LUMP_CHECK(lump_i_json_get_string(&s, &len, p, f32 ? s32 : s64));
        bytes = lump_alloc_array(n > 0 ? n : 1, es);
        LUMP_CHECK(unbase64(bytes, n * es, s, len, p, n, what));
        LUMP_CHECK(lump_arr_alloc(a, f32 ? LUMP_STORE_F32 : LUMP_STORE_F64, n));
        for (size_t i = 0; i < n; i++) {
            uint64_t u = 0;
            double d;
            for (size_t b = 0; b < es; b++)
                u |= (uint64_t)bytes[i * es + b] << (8 * b);
            if (f32) {
                uint32_t w = (uint32_t)u;
                float fl;
                memcpy(&fl, &w, 4);
                d = fl;
                ((float *)a->data)[i] = fl;
            } else {
                memcpy(&d, &u, 8);
                ((double *)a->data)[i] = d;
            }
            if (!isfinite(d))
                LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "value %zu is not finite", i));
        }
        lump_i_jpath_pop(p);
    } else {
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "expected a list of rationals or {\"float32\": BASE64}, "
                                      "found %s",
                                      lump_i_json_type_name(v)));
    }
    lump_i_jpath_pop(p);
cleanup:
    free(bytes);
    mpq_clear(q);
    return err;
}

/* mul_len -- A * B, or a value over the array limit when it overflows. */
static size_t mul_len(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static void shape_str(char *buf, size_t cap, const lump_shape_t *s)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%zu", i ? "x" : "", s->dim[i]);
}

/* ---- the nodes -------------------------------------------------------- */

/* shape_of -- member "shape" of O into S: 1 to 4 dims, each positive, at
 * most the array limit in all. */
static lump_error_t shape_of(lump_shape_t *s, lump_i_jpath_t *p, const json_t *o)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(ints(s->dim, 0, LUMP_GRAPH_MAX_DIMS, &s->ndim, p, o, "shape", 1, DIM_MAX,
                    "a dimension"));
    s->size = 1;
    for (size_t i = 0; i < s->ndim; i++)
        s->size = mul_len(s->size, s->dim[i]);
    if (s->size > lump_arr_max_len()) {
        lump_i_jpath_key(p, "shape");
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "has more entries than the limit of %zu",
                                      lump_arr_max_len()));
    }
cleanup:
    return err;
}

/* window -- kernel, strides, pads, dilations of O into N, checked against
 * the input shape X and N's shape (C x H x W both). */
static lump_error_t window(lump_graph_node_t *n, lump_i_jpath_t *p, const json_t *o,
                           const lump_shape_t *x, int pool)
{
    lump_error_t err = LUMP_OK;
    size_t ks[2], st[2], pd[4], dl[2];
    char a[64], b[64];
    LUMP_CHECK(ints(ks, 2, 2, NULL, p, o, "kernel", 1, WIN_MAX, "a kernel size"));
    LUMP_CHECK(ints(st, 2, 2, NULL, p, o, "strides", 1, WIN_MAX, "a stride"));
    LUMP_CHECK(ints(pd, 4, 4, NULL, p, o, "pads", 0, WIN_MAX, "a pad"));
    LUMP_CHECK(ints(dl, 2, 2, NULL, p, o, "dilations", 1, WIN_MAX, "a dilation"));
    shape_str(a, sizeof a, x);
    shape_str(b, sizeof b, &n->shape);
    if (x->ndim != 3 || n->shape.ndim != 3)
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "reads a tensor of shape %s into shape %s (C x H x W both "
                                  "expected)",
                                  a, b);
    for (int i = 0; i < 2; i++) {
        size_t in = x->dim[1 + i] + pd[i] + pd[i + 2], ext = dl[i] * (ks[i] - 1) + 1;
        if (in < ext)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "the window is larger than the padded input %s", a);
        if ((in - ext) / st[i] + 1 != n->shape.dim[1 + i])
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "shape %s does not follow from the input %s and the "
                                      "window (%s %zu expected)",
                                      b, a, i ? "width" : "height", (in - ext) / st[i] + 1);
        if (pool && (pd[i] >= ks[i] || pd[i + 2] >= ks[i])) {
            lump_i_jpath_key(p, "pads");
            return lump_i_jpath_error(p, LUMP_EINPUT, "pads must be smaller than the kernel");
        }
    }
    n->kh = ks[0];
    n->kw = ks[1];
    n->sh = st[0];
    n->sw = st[1];
    n->pt = pd[0];
    n->pl = pd[1];
    n->pb = pd[2];
    n->pr = pd[3];
    n->dh = dl[0];
    n->dw = dl[1];
cleanup:
    return err;
}

/* op_fields -- the members of node N (operation OP, inputs and shape read)
 * from O, each checked against the shapes of the nodes it reads in G. */
static lump_error_t op_fields(lump_graph_node_t *n, const lump_graph_t *g, lump_i_jpath_t *p,
                              const json_t *o)
{
    lump_error_t err = LUMP_OK;
    const lump_shape_t *x = n->n_in > 0 ? &g->nodes[n->in[0]].shape : NULL;
    char a[64], b[64];
    json_t *v;
    if (x != NULL) {
        shape_str(a, sizeof a, x);
        shape_str(b, sizeof b, &n->shape);
    }
    switch (n->op) {
    case LUMP_GOP_DENSE:
        LUMP_CHECK(read_values(&n->weight, p, o, "weight", mul_len(n->shape.size, x->size),
                               "outputs x inputs"));
        n->params = n->weight.len;
        break;
    case LUMP_GOP_CONV: {
        size_t wl;
        LUMP_CHECK(window(n, p, o, x, 0));
        LUMP_CHECK(lump_i_json_key_size(&n->group, p, o, "group", 1, DIM_MAX, "the group count"));
        if (x->dim[0] % n->group != 0 || n->shape.dim[0] % n->group != 0)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "group %zu does not divide the %zu input and %zu output "
                                      "channels",
                                      n->group, x->dim[0], n->shape.dim[0]);
        wl = mul_len(mul_len(n->shape.dim[0], x->dim[0] / n->group), mul_len(n->kh, n->kw));
        LUMP_CHECK(read_values(&n->weight, p, o, "weight", wl,
                               "out channels x in channels / group x kernel"));
        n->params = n->weight.len;
        break;
    }
    case LUMP_GOP_ACT:
    case LUMP_GOP_ADD:
    case LUMP_GOP_AFFINE:
        for (size_t i = 0; i < n->n_in; i++)
            if (!lump_shape_equal(&g->nodes[n->in[i]].shape, &n->shape)) {
                shape_str(a, sizeof a, &g->nodes[n->in[i]].shape);
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "shape %s differs from its input %zu's %s", b, i, a);
            }
        if (n->op == LUMP_GOP_AFFINE) {
            LUMP_CHECK(read_values(&n->weight, p, o, "scale", n->shape.size, "one per entry"));
            LUMP_CHECK(read_values(&n->bias, p, o, "shift", n->shape.size, "one per entry"));
            n->has_bias = 1;
            n->params = 2 * n->shape.size;
        } else if (n->op == LUMP_GOP_ACT) {
            const char *s;
            size_t len;
            LUMP_CHECK(lump_i_json_member(&v, p, o, "activation", 1));
            lump_i_jpath_key(p, "activation");
            LUMP_CHECK(lump_i_json_get_string(&s, &len, p, v));
            if ((err = lump_act_from_name(&n->act.kind, s)) != LUMP_OK)
                return lump_i_jpath_prefix(p, err);
            lump_i_jpath_pop(p);
            LUMP_CHECK(lump_i_json_member(&v, p, o, "alpha", n->act.kind == LUMP_ACT_LEAKY_RELU));
            if (v != NULL && n->act.kind != LUMP_ACT_LEAKY_RELU)
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "\"alpha\" given for %s (only leaky_relu has one)",
                                          lump_act_name(n->act.kind));
            if (v != NULL)
                LUMP_CHECK(lump_i_json_key_q(n->act.alpha, p, o, "alpha"));
        }
        break;
    case LUMP_GOP_AVGPOOL:
    case LUMP_GOP_MAXPOOL:
        LUMP_CHECK(window(n, p, o, x, 1));
        if (n->shape.dim[0] != x->dim[0])
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "shape %s: a pool keeps the %zu channels of its input", b,
                                      x->dim[0]);
        if (n->op == LUMP_GOP_AVGPOOL) {
            LUMP_CHECK(lump_i_json_member(&v, p, o, "count_include_pad", 1));
            if (!json_is_boolean(v)) {
                lump_i_jpath_key(p, "count_include_pad");
                return lump_i_jpath_error(p, LUMP_EINPUT, "expected true or false, found %s",
                                          lump_i_json_type_name(v));
            }
            n->count_include_pad = json_is_true(v);
        }
        break;
    case LUMP_GOP_PAD: {
        size_t pads[2 * LUMP_GRAPH_MAX_DIMS];
        if (x->ndim != n->shape.ndim)
            return lump_i_jpath_error(p, LUMP_EINPUT, "shape %s has another rank than the input %s",
                                      b, a);
        LUMP_CHECK(ints(pads, 2 * x->ndim, 2 * x->ndim, NULL, p, o, "pads", 0, WIN_MAX,
                        "a pad (begins, then ends, per dimension)"));
        for (size_t i = 0; i < x->ndim; i++) {
            n->pad_begin[i] = pads[i];
            n->pad_end[i] = pads[x->ndim + i];
            if (x->dim[i] + pads[i] + pads[x->ndim + i] != n->shape.dim[i])
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "shape %s is not the input %s with the pads", b, a);
        }
        break;
    }
    case LUMP_GOP_GATHER: {
        json_t *m;
        LUMP_CHECK(lump_i_json_member(&m, p, o, "map", 1));
        lump_i_jpath_key(p, "map");
        LUMP_CHECK(lump_i_json_expect_len(p, m, n->shape.size, "one per entry of the shape"));
        n->map = lump_alloc_array(n->shape.size, sizeof *n->map);
        for (size_t i = 0; i < n->shape.size; i++) {
            lump_i_jpath_index(p, i);
            LUMP_CHECK(lump_i_json_get_size(&n->map[i], p, json_array_get(m, i), 0, x->size - 1,
                                            "an index of the input's entries"));
            lump_i_jpath_pop(p);
        }
        lump_i_jpath_pop(p);
        break;
    }
    case LUMP_GOP_RESHAPE:
        if (x->size != n->shape.size)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "shape %s has %zu entries, the input %s %zu", b,
                                      n->shape.size, a, x->size);
        break;
    case LUMP_GOP_CONCAT: {
        size_t c = 0;
        for (size_t i = 0; i < n->n_in; i++) {
            const lump_shape_t *t = &g->nodes[n->in[i]].shape;
            int ok = t->ndim == n->shape.ndim;
            for (size_t j = 1; ok && j < t->ndim; j++)
                ok = t->dim[j] == n->shape.dim[j];
            if (!ok) {
                shape_str(a, sizeof a, t);
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "input %zu's shape %s does not match %s beyond the "
                                          "first dimension",
                                          i, a, b);
            }
            c += t->dim[0];
        }
        if (c != n->shape.dim[0])
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "shape %s: the inputs have %zu entries along the first "
                                      "dimension",
                                      b, c);
        break;
    }
    default:
        break;
    }
    if (n->op == LUMP_GOP_DENSE || n->op == LUMP_GOP_CONV) {
        LUMP_CHECK(lump_i_json_member(&v, p, o, "bias", 0));
        if (v != NULL) {
            LUMP_CHECK(read_values(&n->bias, p, o, "bias", n->shape.dim[0],
                                   n->op == LUMP_GOP_CONV ? "one per output channel"
                                                          : "one per output"));
            n->has_bias = 1;
            n->params += n->bias.len;
        }
    }
cleanup:
    return err;
}

/* read_node -- node I of the list, appended to G. */
static lump_error_t read_node(lump_graph_t *g, lump_i_jpath_t *p, const json_t *o, size_t i)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    size_t op, in[64], n_in = 0, k;
    const char *name = NULL;
    size_t len;
    lump_graph_node_t *n;
    LUMP_CHECK(lump_i_json_expect_object(p, o));
    LUMP_CHECK(lump_i_json_member(&v, p, o, "op", 1));
    lump_i_jpath_key(p, "op");
    LUMP_CHECK(lump_i_json_get_name(&op, p, v, ops));
    if ((op == LUMP_GOP_INPUT) != (i == 0))
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  i == 0 ? "node 0 must be the input (\"op\": \"input\")"
                                         : "only node 0 is the input");
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_check_keys(p, o, op_keys[op]));
    LUMP_CHECK(lump_i_json_member(&v, p, o, "name", 0));
    if (v != NULL) {
        lump_i_jpath_key(p, "name");
        LUMP_CHECK(lump_i_json_get_string(&name, &len, p, v));
        if (strlen(name) != len)
            return lump_i_jpath_error(p, LUMP_EINPUT, "holds a NUL character");
        lump_i_jpath_pop(p);
    }
    if (op != LUMP_GOP_INPUT) {
        size_t want = op == LUMP_GOP_ADD ? 2 : op == LUMP_GOP_CONCAT ? 0 : 1;
        LUMP_CHECK(ints(in, want, sizeof in / sizeof in[0], &n_in, p, o, "inputs", 0, i - 1,
                        "the index of an earlier node"));
    }
    k = lump_graph_add(g, (lump_gop_t)op, in, n_in, name);
    n = &g->nodes[k];
    LUMP_CHECK(shape_of(&n->shape, p, o));
    LUMP_CHECK(op_fields(n, g, p, o));
cleanup:
    return err;
}

/* check_reach -- every node reaches the output (as the ONNX reader
 * requires). O(nodes + edges). */
static lump_error_t check_reach(const lump_graph_t *g, lump_i_jpath_t *p)
{
    size_t i = lump_i_graph_unreached(g);
    if (i == SIZE_MAX)
        return LUMP_OK;
    lump_i_jpath_key(p, "nodes");
    lump_i_jpath_index(p, i);
    return lump_i_jpath_error(p, LUMP_EINPUT, "does not reach the output (node %zu)", g->output);
}

/* lump_graph_read_json_buf -- see lumpnet/graph.h. */
lump_error_t lump_graph_read_json_buf(lump_graph_t *g, const char *buf, size_t len,
                                      const char *name, int *needed)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *nodes, *v;
    lump_i_jpath_t p;
    lump_graph_t tmp;
    size_t n;
    lump_graph_init(&tmp);
    lump_i_jpath_init(&p, name);
    if (needed != NULL)
        *needed = 0;
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    v = json_is_object(root) ? json_object_get(root, "format") : NULL;
    if (needed != NULL)
        *needed = json_is_string(v) && strcmp(json_string_value(v), FORMAT_NAME) == 0;
    LUMP_CHECK(lump_i_json_read_header(NULL, &p, root, top_keys, FORMAT_NAME, 1, 1,
                                       "the format version"));
    LUMP_CHECK(lump_i_json_member(&v, &p, root, "meta", 0));
    if (v != NULL) {
        lump_i_jpath_key(&p, "meta");
        LUMP_CHECK(lump_i_json_expect_object(&p, v));
        lump_i_jpath_pop(&p);
    }
    LUMP_CHECK(lump_i_json_member(&nodes, &p, root, "nodes", 1));
    lump_i_jpath_key(&p, "nodes");
    LUMP_CHECK(lump_i_json_expect_array(&n, &p, nodes));
    if (n < 2)
        LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT,
                                      "has %zu nodes (the input and at least one operation "
                                      "expected)",
                                      n));
    for (size_t i = 0; i < n; i++) {
        lump_i_jpath_index(&p, i);
        LUMP_CHECK(read_node(&tmp, &p, json_array_get(nodes, i), i));
        lump_i_jpath_pop(&p);
    }
    lump_i_jpath_pop(&p);
    LUMP_CHECK(lump_i_json_key_size(&tmp.output, &p, root, "output", 1, n - 1,
                                    "the index of the output node"));
    LUMP_CHECK(lump_i_json_member(&v, &p, root, "output_name", 0));
    if (v != NULL) {
        const char *s;
        lump_i_jpath_key(&p, "output_name");
        LUMP_CHECK(lump_i_json_get_string(&s, &len, &p, v));
        if (strlen(s) != len)
            LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT, "holds a NUL character"));
        tmp.out_name = lump_strdup(s);
        lump_i_jpath_pop(&p);
    }
    LUMP_CHECK(check_reach(&tmp, &p));
    lump_graph_clear(g);
    *g = tmp;
    lump_graph_init(&tmp);
cleanup:
    lump_graph_clear(&tmp);
    json_decref(root);
    return err;
}
