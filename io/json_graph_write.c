/* json_graph_write.c -- write a graph (convolutional or residual) network
 * in the exact JSON format "lumpnet-graph" (docs/formats.md) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/io.h"
#include "lumpnet/graph.h"
#include "json_support.h"
#include "cert_json.h"
#include "alloc_i.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 -- a new JSON string holding the standard base64 (with padding)
 * of the N bytes P. O(n). */
static json_t *base64(const unsigned char *p, size_t n)
{
    size_t len = 4 * ((n + 2) / 3);
    char *s = lump_alloc_array(len + 1, 1), *o = s;
    json_t *j;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    j = json_stringn(s, len);
    free(s);
    return j;
}

/* values -- the values of A: {"float32": BASE64} or {"float64": BASE64}
 * of the little-endian IEEE bytes for float arrays, else an array of
 * canonical rational strings. O(len), O(d^2) per Q value. */
static lump_error_t values(json_t **out, const lump_arr_t *a, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    json_t *v = NULL;
    if (a->store == LUMP_STORE_F32 || a->store == LUMP_STORE_F64) {
        size_t es = a->store == LUMP_STORE_F32 ? 4 : 8;
        unsigned char *bytes = lump_alloc_array(a->len > 0 ? a->len : 1, es);
        for (size_t i = 0; i < a->len; i++) {
            uint64_t u = 0;
            if (es == 4) {
                uint32_t w;
                memcpy(&w, (const float *)a->data + i, 4);
                u = w;
            } else {
                memcpy(&u, (const double *)a->data + i, 8);
            }
            for (size_t b = 0; b < es; b++)
                bytes[i * es + b] = (unsigned char)(u >> (8 * b));
        }
        v = json_object();
        err = lump_i_json_set_new(v, es == 4 ? "float32" : "float64", base64(bytes, a->len * es));
        free(bytes);
        LUMP_CHECK(err);
    } else {
        v = json_array();
        for (size_t i = 0; i < a->len; i++) {
            lump_arr_get(q, a, i);
            LUMP_CHECK(lump_i_json_append_new(v, lump_i_json_from_q(q)));
        }
    }
    *out = v;
    v = NULL;
cleanup:
    json_decref(v);
    return err;
}

static json_t *sizes(const size_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer((json_int_t)v[i]));
    return a;
}

static lump_error_t set_values(json_t *obj, const char *key, const lump_arr_t *a, mpq_t q)
{
    json_t *v = NULL;
    lump_error_t err = values(&v, a, q);
    if (err == LUMP_OK)
        err = lump_i_json_set_take(obj, key, &v);
    json_decref(v); /* NULL when taken */
    return err;
}

/* set_window -- kernel, strides, pads, dilations of N. */
static lump_error_t set_window(json_t *o, const lump_graph_node_t *n)
{
    lump_error_t err = LUMP_OK;
    const size_t ks[2] = {n->kh, n->kw}, st[2] = {n->sh, n->sw}, dl[2] = {n->dh, n->dw};
    const size_t pd[4] = {n->pt, n->pl, n->pb, n->pr};
    LUMP_CHECK(lump_i_json_set_new(o, "kernel", sizes(ks, 2)));
    LUMP_CHECK(lump_i_json_set_new(o, "strides", sizes(st, 2)));
    LUMP_CHECK(lump_i_json_set_new(o, "pads", sizes(pd, 4)));
    LUMP_CHECK(lump_i_json_set_new(o, "dilations", sizes(dl, 2)));
cleanup:
    return err;
}

/* node_json -- node N as an object: name, op, inputs, shape, then what
 * its operation needs, in a fixed order. */
static lump_error_t node_json(json_t *o, const lump_graph_node_t *n, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    if (n->name != NULL)
        LUMP_CHECK(lump_i_json_set_new(o, "name", json_string(n->name)));
    LUMP_CHECK(lump_i_json_set_new(o, "op", json_string(lump_gop_name(n->op))));
    if (n->op != LUMP_GOP_INPUT)
        LUMP_CHECK(lump_i_json_set_new(o, "inputs", sizes(n->in, n->n_in)));
    LUMP_CHECK(lump_i_json_set_new(o, "shape", sizes(n->shape.dim, n->shape.ndim)));
    switch (n->op) {
    case LUMP_GOP_CONV:
        LUMP_CHECK(set_window(o, n));
        LUMP_CHECK(lump_i_json_set_new(o, "group", json_integer((json_int_t)n->group)));
        __attribute__((fallthrough)); /* then weight and bias */
    case LUMP_GOP_DENSE:
        LUMP_CHECK(set_values(o, "weight", &n->weight, q));
        if (n->has_bias)
            LUMP_CHECK(set_values(o, "bias", &n->bias, q));
        break;
    case LUMP_GOP_AVGPOOL:
    case LUMP_GOP_MAXPOOL:
        LUMP_CHECK(set_window(o, n));
        if (n->op == LUMP_GOP_AVGPOOL)
            LUMP_CHECK(lump_i_json_set_new(o, "count_include_pad",
                                           json_boolean(n->count_include_pad)));
        break;
    case LUMP_GOP_ACT:
        LUMP_CHECK(lump_i_json_set_new(o, "activation", json_string(lump_act_name(n->act.kind))));
        if (n->act.kind == LUMP_ACT_LEAKY_RELU)
            LUMP_CHECK(lump_i_json_set_new(o, "alpha", lump_i_json_from_q(n->act.alpha)));
        break;
    case LUMP_GOP_AFFINE:
        LUMP_CHECK(set_values(o, "scale", &n->weight, q));
        LUMP_CHECK(set_values(o, "shift", &n->bias, q));
        break;
    case LUMP_GOP_PAD: {
        size_t pads[2 * LUMP_GRAPH_MAX_DIMS];
        for (size_t i = 0; i < n->shape.ndim; i++) {
            pads[i] = n->pad_begin[i];
            pads[n->shape.ndim + i] = n->pad_end[i];
        }
        LUMP_CHECK(lump_i_json_set_new(o, "pads", sizes(pads, 2 * n->shape.ndim)));
        break;
    }
    case LUMP_GOP_GATHER:
        LUMP_CHECK(lump_i_json_set_new(o, "map", sizes(n->map, n->shape.size)));
        break;
    default:
        break;
    }
cleanup:
    return err;
}

/* lump_graph_write_json -- see lumpnet/graph.h. */
lump_error_t lump_graph_write_json(FILE *f, const lump_graph_t *g)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *nodes;
    mpq_t q;
    mpq_init(q);
    LUMP_CHECK(lump_i_json_set_header(root, "lumpnet-graph", 1));
    LUMP_CHECK(lump_i_json_set_new(root, "output", json_integer((json_int_t)g->output)));
    if (g->out_name != NULL)
        LUMP_CHECK(lump_i_json_set_new(root, "output_name", json_string(g->out_name)));
    /* the last key: ROOT owns the list from here on, NODES borrows it */
    nodes = json_array();
    LUMP_CHECK(lump_i_json_set_new(root, "nodes", nodes));
    for (size_t i = 0; i < g->n_nodes; i++) {
        json_t *o = json_object();
        LUMP_CHECK(lump_i_json_append_new(nodes, o));
        LUMP_CHECK(node_json(o, &g->nodes[i], q));
    }
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(root);
    mpq_clear(q);
    return err;
}
