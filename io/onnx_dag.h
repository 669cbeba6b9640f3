/* onnx_dag.h -- private state of the ONNX graph (DAG) reader */
#ifndef LUMPNET_ONNX_DAG_H
#define LUMPNET_ONNX_DAG_H

#include <stddef.h>
#include <stdint.h>
#include "lumpnet/graph.h"
#include "onnx_read.h"

/* A named value of the file: a constant, or a tensor that a graph node
 * computes. Every name is registered before the nodes are converted, so
 * that the readers of each are counted (a bias is folded only into a node
 * that nobody else reads). */
typedef struct {
    const char *name;
    int defined; /* set when its definition has been converted */
    cst_t *cst;  /* a constant, or NULL */
    size_t node; /* the graph node, when not a constant */
    size_t readers;
} dname_t;

/* The reader's state. C is the MLP reader's context, used only for its
 * helpers (file name, graph, constant checks). */
typedef struct {
    ctx_t c;
    lump_graph_t *g;
    dname_t *names;
    size_t nnames;
    long *hash;
    size_t hcap;
    cst_t *csts;
    size_t ncsts;
    int64_t opset;
    size_t *origin; /* the ONNX node of each graph node (SIZE_MAX: the input) */
    size_t ocap;
    mpq_t t, u; /* scratch rationals of the operators (exact scaling, bias
                   folding, inverses), initialised once per file */
} dag_t;

/* lump_i_dag_err -- "FILE: node K 'NAME' (OP): message" (LUMP_EINPUT). */
lump_error_t lump_i_dag_err(const dag_t *d, size_t k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))) LUMP_WUR;

/* lump_i_dag_find -- the value named NAME, or NULL. O(1) expected. */
dname_t *lump_i_dag_find(const dag_t *d, const char *name);

/* lump_i_dag_node -- append a graph node for ONNX node K (records its
 * origin for messages). O(n_in) amortised. */
size_t lump_i_dag_node(dag_t *d, size_t k, lump_gop_t op, const size_t *in, size_t n_in);

/* lump_i_dag_convert -- convert ONNX node K into graph nodes and bind its
 * outputs. Errors name the node. O(size of its constants + output). */
lump_error_t lump_i_dag_convert(dag_t *d, size_t k) LUMP_WUR;

/* lump_i_dag_graph_only -- 1 when operator OP is one the MLP reader does
 * not have. O(1). */
int lump_i_dag_graph_only(const char *op);

#endif
