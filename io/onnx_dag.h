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
    /* BatchNormalization nodes with rounded factors: how many, their
       channels (rounded of all), the first one and the one with the
       largest relative rounding (ONNX node indices), stated in one warning
       once the whole file has been read (lump_i_dag_bn_warn) */
    size_t bn_nodes, bn_rounded, bn_channels, bn_first, bn_worst;
    double bn_max_rel;
} dag_t;

/* lump_i_dag_err -- "FILE: node K 'NAME' (OP): message" (LUMP_EINPUT). */
lump_error_t lump_i_dag_err(const dag_t *d, size_t k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))) LUMP_WUR;

/* lump_i_dag_find -- the value named NAME, or NULL. O(1) expected. */
dname_t *lump_i_dag_find(const dag_t *d, const char *name);

/* lump_i_dag_node -- append a graph node for ONNX node K (records its
 * origin for messages). O(n_in) amortised. */
size_t lump_i_dag_node(dag_t *d, size_t k, lump_gop_t op, const size_t *in, size_t n_in);

/* lump_i_dag_tensor_in -- input I of ONNX node K, a computed tensor: its
 * graph node in *NODE. Errors name the node. O(1) expected. */
lump_error_t lump_i_dag_tensor_in(dag_t *d, size_t k, size_t i, size_t *node) LUMP_WUR;

/* lump_i_dag_const_in -- input I of ONNX node K, a constant (checked:
 * integer data when WANT_INT, else finite floats) in *C. O(its size). */
lump_error_t lump_i_dag_const_in(dag_t *d, size_t k, size_t i, int want_int, cst_t **c) LUMP_WUR;

/* lump_i_dag_bind -- output O of ONNX node K is graph node NODE. O(1)
 * expected. */
void lump_i_dag_bind(dag_t *d, size_t k, size_t o, size_t node);

/* lump_i_dag_batchnorm -- convert ONNX node K, an inference-mode
 * BatchNormalization, folding it into the node before (a Conv or dense
 * node that nothing else reads) or else into a new elementwise affine
 * node; rounded factors are counted in D's bn_ fields. Errors name the
 * node. O(C * (size of the folded weights + the cost of one square root
 * check)), C the channels. */
lump_error_t lump_i_dag_batchnorm(dag_t *d, size_t k) LUMP_WUR;

/* lump_i_dag_bn_warn -- when factors of BatchNormalization nodes were
 * rounded, one warning naming the file, the first and the worst node, the
 * channels rounded and the largest relative rounding. O(1). */
void lump_i_dag_bn_warn(const dag_t *d);

/* lump_i_dag_convert -- convert ONNX node K into graph nodes and bind its
 * outputs. Errors name the node. O(size of its constants + output). */
lump_error_t lump_i_dag_convert(dag_t *d, size_t k) LUMP_WUR;

/* lump_i_dag_graph_only -- 1 when operator OP is one the MLP reader does
 * not have. O(1). */
int lump_i_dag_graph_only(const char *op);

#endif
