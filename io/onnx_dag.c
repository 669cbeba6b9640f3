/* onnx_dag.c -- read an ONNX model as a DAG of tensors (convolutional and
 * residual networks): names, the input, the output, reachability */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/io.h"
#include "onnx.pb-c.h"
#include "onnx_dag.h"
#include "alloc_i.h"
#include "graph_reach_i.h"

/* The per-operator conversion is in onnx_dag_ops.c; constants are checked
 * and decoded by the MLP reader's onnx_tensor.c. */

lump_error_t lump_i_dag_err(const dag_t *d, size_t k, const char *fmt, ...)
{
    char msg[768];
    const Onnx__NodeProto *n = d->c.g->node[k];
    const char *op = n->op_type != NULL && *n->op_type ? n->op_type : "?";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n->name != NULL && *n->name != '\0')
        return lump_error_set(LUMP_EINPUT, "%s: node %zu '%s' (%s): %s", d->c.name, k, n->name, op,
                              msg);
    return lump_error_set(LUMP_EINPUT, "%s: node %zu (%s): %s", d->c.name, k, op, msg);
}

/* lump_i_onnx_find and _add read and write the name as the first field */
_Static_assert(offsetof(dname_t, name) == 0, "name first");

dname_t *lump_i_dag_find(const dag_t *d, const char *name)
{
    return lump_i_onnx_find(d->hash, d->hcap, d->names, sizeof *d->names, name);
}

/* name_add -- register NAME (NULL when already there). */
static dname_t *name_add(dag_t *d, const char *name)
{
    return lump_i_onnx_add(d->hash, d->hcap, d->names, sizeof *d->names, &d->nnames, name);
}

size_t lump_i_dag_node(dag_t *d, size_t k, lump_gop_t op, const size_t *in, size_t n_in)
{
    const Onnx__NodeProto *n = k == SIZE_MAX ? NULL : d->c.g->node[k];
    const char *nm = n == NULL ? "input" : n->name != NULL && *n->name ? n->name : n->output[0];
    size_t i = lump_graph_add(d->g, op, in, n_in, nm);
    if (i >= d->ocap) {
        d->ocap = d->ocap ? 2 * d->ocap : 16;
        d->origin = lump_realloc_array(d->origin, d->ocap, sizeof *d->origin);
    }
    d->origin[i] = k;
    return i;
}

/* const_add -- lump_i_onnx_initializers' ADD for the DAG reader: the
 * name of S, defined by it. */
static int const_add(void *owner, cst_t *s)
{
    dname_t *v = name_add(owner, s->name);
    if (v == NULL)
        return 0;
    v->cst = s;
    v->defined = 1;
    return 1;
}

/* register_names -- every initializer, graph input and node output, and
 * the number of node inputs that read each. */
static lump_error_t register_names(dag_t *d)
{
    Onnx__GraphProto *g = d->c.g;
    size_t cap = lump_i_onnx_table_new(g, &d->hash, &d->hcap);
    d->names = lump_alloc_array(cap, sizeof *d->names);
    d->csts = lump_alloc_zero(g->n_initializer + g->n_node + 1, sizeof *d->csts);
    lump_error_t err = lump_i_onnx_initializers(&d->c, d->csts, &d->ncsts, const_add, d);
    if (err != LUMP_OK)
        return err;
    for (size_t i = 0; i < g->n_input; i++)
        if (g->input[i]->name != NULL && *g->input[i]->name != '\0' &&
            lump_i_dag_find(d, g->input[i]->name) == NULL)
            name_add(d, g->input[i]->name);
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        if (n->n_output < 1 || n->output[0] == NULL || *n->output[0] == '\0')
            return lump_i_dag_err(d, k, "node has no output");
        for (size_t o = 0; o < n->n_output; o++)
            if (n->output[o] != NULL && *n->output[o] != '\0' && name_add(d, n->output[o]) == NULL)
                return lump_i_dag_err(d, k, "value '%s' is defined twice", n->output[o]);
    }
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        for (size_t i = 0; i < n->n_input; i++) {
            dname_t *v;
            if (n->input[i] == NULL || *n->input[i] == '\0')
                continue;
            if ((v = lump_i_dag_find(d, n->input[i])) != NULL)
                v->readers++;
        }
    }
    return LUMP_OK;
}

/* input_node -- the graph input (the one input without an initializer):
 * its shape, the batch dimension (1 or symbolic) dropped. */
static lump_error_t input_node(dag_t *d, const char **in_name)
{
    Onnx__GraphProto *g = d->c.g;
    const Onnx__ValueInfoProto *in = NULL;
    const Onnx__TensorShapeProto *sp;
    lump_shape_t s;
    size_t real = 0, node;
    dname_t *v;
    for (size_t i = 0; i < g->n_input; i++) {
        const char *nm = g->input[i]->name;
        if (nm == NULL || *nm == '\0')
            return lump_error_set(LUMP_EINPUT, "%s: graph input %zu has no name", d->c.name, i);
        v = lump_i_dag_find(d, nm);
        if (v != NULL && v->cst != NULL)
            continue;
        if (real++ == 0)
            in = g->input[i];
    }
    if (real != 1)
        return lump_error_set(LUMP_EINPUT,
                              "%s: the graph has %zu inputs that are not initializers (one "
                              "expected)",
                              d->c.name, real);
    *in_name = in->name;
    if (in->type == NULL || in->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        in->type->tensor_type == NULL || in->type->tensor_type->shape == NULL)
        return lump_error_set(LUMP_EINPUT, "%s: graph input '%s' has no tensor shape", d->c.name,
                              in->name);
    sp = in->type->tensor_type->shape;
    if (sp->n_dim < 2 || sp->n_dim > LUMP_GRAPH_MAX_DIMS + 1)
        return lump_error_set(LUMP_EINPUT,
                              "%s: graph input '%s' has %zu dimensions (a batch dimension and "
                              "1 to %d more expected)",
                              d->c.name, in->name, sp->n_dim, LUMP_GRAPH_MAX_DIMS);
    if (sp->dim[0]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        sp->dim[0]->dim_value != 1)
        return lump_error_set(LUMP_EINPUT,
                              "%s: graph input '%s' has batch dimension %lld (1 or a symbolic "
                              "batch expected)",
                              d->c.name, in->name, (long long)sp->dim[0]->dim_value);
    s.ndim = sp->n_dim - 1;
    s.size = 1;
    for (size_t i = 1; i < sp->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *dm = sp->dim[i];
        if (dm->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
            dm->dim_value <= 0 || dm->dim_value > (1 << 24))
            return lump_error_set(LUMP_EINPUT,
                                  "%s: graph input '%s': dimension %zu is not a fixed positive "
                                  "size (only the batch dimension may be symbolic)",
                                  d->c.name, in->name, i);
        s.dim[i - 1] = (size_t)dm->dim_value;
        if (s.size > lump_arr_max_len() / s.dim[i - 1]) {
            s.size = SIZE_MAX;
            break;
        }
        s.size *= s.dim[i - 1];
    }
    if (s.size > lump_arr_max_len())
        return lump_error_set(LUMP_EINPUT,
                              "%s: graph input '%s' has more entries than the "
                              "limit of %zu",
                              d->c.name, in->name, lump_arr_max_len());
    node = lump_i_dag_node(d, SIZE_MAX, LUMP_GOP_INPUT, NULL, 0);
    free(d->g->nodes[node].name);
    d->g->nodes[node].name = lump_strdup(in->name);
    d->g->nodes[node].shape = s;
    v = lump_i_dag_find(d, in->name);
    if (v == NULL)
        return lump_error_set(LUMP_EINTERNAL, "internal error: input '%s' not registered",
                              in->name);
    v->node = node;
    v->defined = 1;
    return LUMP_OK;
}

/* scan_needed -- 1 when a node uses what only the graph model has. */
static int scan_needed(const dag_t *d)
{
    Onnx__GraphProto *g = d->c.g;
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *n = g->node[k];
        if (n->op_type == NULL)
            continue;
        if (lump_i_dag_graph_only(n->op_type))
            return 1;
        /* an Add of two computed values: a residual connection */
        if (strcmp(n->op_type, "Add") == 0 && n->n_input == 2) {
            int computed = 0;
            for (size_t i = 0; i < 2; i++) {
                const dname_t *v = n->input[i] != NULL ? lump_i_dag_find(d, n->input[i]) : NULL;
                int cst = v != NULL && v->cst != NULL;
                for (size_t j = 0; !cst && v != NULL && j < k; j++)
                    if (g->node[j]->op_type != NULL &&
                        strcmp(g->node[j]->op_type, "Constant") == 0 && g->node[j]->n_output > 0 &&
                        strcmp(g->node[j]->output[0], v->name) == 0)
                        cst = 1;
                computed += v != NULL && !cst;
            }
            if (computed == 2)
                return 1;
        }
    }
    return 0;
}

/* check_reach -- every graph node must reach the output: a computed value
 * nobody reads is refused as the MLP reader refuses it. */
static lump_error_t check_reach(dag_t *d)
{
    size_t i = lump_i_graph_unreached(d->g);
    if (i == SIZE_MAX)
        return LUMP_OK;
    if (d->origin[i] == SIZE_MAX)
        return lump_error_set(LUMP_EINPUT, "%s: the graph input does not reach the output",
                              d->c.name);
    return lump_i_dag_err(d, d->origin[i], "its result does not reach the graph output");
}

/* lump_graph_read_onnx_buf -- see lumpnet/graph.h. */
lump_error_t lump_graph_read_onnx_buf(lump_graph_t *g, const unsigned char *buf, size_t len,
                                      const char *name, int *needed)
{
    lump_error_t err = LUMP_OK;
    Onnx__ModelProto *m = NULL;
    const char *in_name = NULL;
    lump_graph_t out;
    dag_t d;
    dname_t *v;
    memset(&d, 0, sizeof d);
    mpq_init(d.t);
    mpq_init(d.u);
    d.c.name = name;
    d.opset = 1;
    lump_graph_init(&out);
    d.g = &out;
    if (needed != NULL)
        *needed = 0;
    LUMP_CHECK(lump_i_onnx_unpack(&m, buf, len, name));
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *dom = m->opset_import[i]->domain;
        if ((dom == NULL || *dom == '\0' || strcmp(dom, "ai.onnx") == 0) &&
            m->opset_import[i]->has_version)
            d.opset = m->opset_import[i]->version;
    }
    d.c.g = m->graph;
    LUMP_CHECK(register_names(&d));
    if (needed != NULL)
        *needed = scan_needed(&d);
    LUMP_CHECK(input_node(&d, &in_name));
    for (size_t k = 0; k < d.c.g->n_node; k++) {
        size_t before = out.n_nodes;
        LUMP_CHECK(lump_i_dag_convert(&d, k));
        /* a declared size over the limit is refused before an evaluator
         * would allocate it */
        for (size_t i = before; i < out.n_nodes; i++)
            if (out.nodes[i].shape.size > lump_arr_max_len()) {
                err = lump_i_dag_err(&d, k,
                                     "its output would have %s%zu entries (over the "
                                     "limit of %zu)",
                                     out.nodes[i].shape.size == SIZE_MAX ? "more than " : "",
                                     out.nodes[i].shape.size, lump_arr_max_len());
                goto cleanup;
            }
    }
    if (d.c.g->n_output != 1 || d.c.g->output[0]->name == NULL) {
        err = lump_error_set(LUMP_EINPUT, "%s: the graph has %zu outputs (one expected)", name,
                             d.c.g->n_output);
        goto cleanup;
    }
    v = lump_i_dag_find(&d, d.c.g->output[0]->name);
    if (v == NULL || !v->defined || v->cst != NULL || v->node == 0) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: the graph output '%s' is not computed by a node from the input",
                             name, d.c.g->output[0]->name);
        goto cleanup;
    }
    out.output = v->node;
    out.out_name = lump_strdup(d.c.g->output[0]->name);
    LUMP_CHECK(check_reach(&d));
    lump_i_dag_bn_warn(&d); /* once the file is read, and only then */
    lump_graph_clear(g);
    *g = out;
    lump_graph_init(&out);
cleanup:
    lump_graph_clear(&out);
    free(d.names);
    free(d.hash);
    free(d.csts);
    free(d.origin);
    mpq_clear(d.t);
    mpq_clear(d.u);
    lump_i_onnx_free(m);
    return err;
}

/* lump_graph_read -- see lumpnet/graph.h. */
lump_error_t lump_graph_read(lump_graph_t *g, const char *path, int *needed)
{
    lump_error_t err;
    unsigned char *buf = NULL;
    size_t len = 0;
    lump_format_t fmt = lump_format_from_path(path);
    if (needed != NULL)
        *needed = 0;
    if (fmt != LUMP_FORMAT_ONNX && fmt != LUMP_FORMAT_JSON)
        return lump_error_set(
            LUMP_EUSAGE, "%s: a graph network must be an ONNX (.onnx) or JSON (.json) file", path);
    err = lump_io_read_file(&buf, &len, path);
    if (err == LUMP_OK && fmt == LUMP_FORMAT_ONNX)
        err = lump_graph_read_onnx_buf(g, buf, len, path, needed);
    else if (err == LUMP_OK)
        err = lump_graph_read_json_buf(g, (const char *)buf, len, path, needed);
    free(buf);
    return err;
}
