/* onnx_write_i.h -- the ONNX model under construction, shared by the MLP
 * writer (onnx_write.c) and the graph writer (onnx_graph_write.c) */
#ifndef LUMPNET_ONNX_WRITE_I_H
#define LUMPNET_ONNX_WRITE_I_H

#include <stdint.h>
#include <stdio.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet.h"
#include "onnx.pb-c.h"

#define NAME_LEN 48
/* The most dimensions of a written initializer, and the most attributes
 * of a written node (a Conv has kernel_shape, strides, pads, dilations,
 * group). */
#define LUMP_I_OW_MAX_DIMS 4
#define LUMP_I_OW_MAX_ATTR 6

/* A tensor being written; RAW is ours to free unless borrowed from an
 * array that already holds the exact bytes. The name is NAME unless the
 * caller points t.name at a longer one it owns. */
typedef struct {
    Onnx__TensorProto t;
    int64_t dims[LUMP_I_OW_MAX_DIMS];
    char name[NAME_LEN];
    unsigned char *owned;
} wtensor_t;

/* A node being written: up to three inputs in IN (a node with more points
 * n.input at an array of its own), one output, its attributes. */
typedef struct {
    Onnx__NodeProto n;
    char *in[3];
    char *out[1];
    char name[NAME_LEN];
    char outname[NAME_LEN];
    Onnx__AttributeProto attr[LUMP_I_OW_MAX_ATTR];
    Onnx__AttributeProto *attrp[LUMP_I_OW_MAX_ATTR];
    int64_t ints[LUMP_I_OW_MAX_ATTR][4]; /* the values of INTS attributes */
} wnode_t;

/* How the MLP graph meets the source's interface (net->iface): the names
 * of its input and output, their declared tensors (NULL: the default
 * [1, n]), and whether a Reshape is needed between the declared shape and
 * the [batch, n] rows that Gemm takes. */
typedef struct {
    const char *in_name, *out_name;
    const lump_iface_tensor_t *in, *out;
    int reshape_in, reshape_out;
} wiface_t;

typedef struct {
    lump_store_t dtype; /* LUMP_STORE_F32 or LUMP_STORE_F64 */
    wiface_t io;
    size_t rounded;
    double max_rounding;
    wtensor_t *tensors;
    size_t ntensors;
    wnode_t *nodes;
    size_t nnodes;
    char *cur; /* the chain's current value name */
    mpfr_t fr;
    mpq_t q, r;
} wmodel_t;

/* lump_i_ow_round_q -- *OUT = V rounded to the nearest value of DTYPE,
 * the rounding counted in W; a value beyond the type's range is
 * LUMP_EUNSUPPORTED naming WHAT. O(size of V). */
lump_error_t lump_i_ow_round_q(wmodel_t *w, lump_store_t dtype, const mpq_t v, double *out,
                               const char *what) LUMP_WUR;

/* lump_i_ow_tensor_arr -- a new initializer NAME of the ND dimensions
 * DIMS holding A in W's type (borrowed when A already has those bytes).
 * O(len). */
lump_error_t lump_i_ow_tensor_arr(wmodel_t *w, const char *name, const lump_arr_t *a,
                                  const int64_t *dims, int nd) LUMP_WUR;

/* lump_i_ow_tensor_i64 -- a new INT64 initializer NAME of the K integers
 * V. O(k). */
wtensor_t *lump_i_ow_tensor_i64(wmodel_t *w, const char *name, const int64_t *v, size_t k);

/* lump_i_ow_node -- a new node of operator OP (a string literal) without
 * inputs, named NAME_k with output vk (k its index). O(1). */
wnode_t *lump_i_ow_node(wmodel_t *w, const char *op);

/* lump_i_ow_attr_int / _float / _ints -- append an attribute to ND.
 * _ints takes at most 4 values. O(1). */
void lump_i_ow_attr_int(wnode_t *nd, const char *name, int64_t v);
void lump_i_ow_attr_float(wnode_t *nd, const char *name, float v);
void lump_i_ow_attr_ints(wnode_t *nd, const char *name, const int64_t *v, size_t n);

/* lump_i_ow_act_op -- the ONNX operator of activation K ("Relu", ...), or
 * NULL for the identity. O(1). */
const char *lump_i_ow_act_op(lump_act_kind_t k);

/* lump_i_ow_model_clear -- free the tensors' owned bytes and empty W's
 * lists (their storage stays). O(tensors). */
void lump_i_ow_model_clear(wmodel_t *w);

/* lump_i_ow_pack -- serialise W to F with the graph input IN_NAME and
 * output OUT_NAME of declared tensors IN and OUT (NULL: [1, NIN] and [1,
 * NOUT]). O(file size). */
lump_error_t lump_i_ow_pack(FILE *f, wmodel_t *w, const char *in_name,
                            const lump_iface_tensor_t *in, size_t nin, const char *out_name,
                            const lump_iface_tensor_t *out, size_t nout) LUMP_WUR;

#endif
