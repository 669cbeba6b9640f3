/* lumpnet/graph.h -- a network as a DAG of tensors: convolutional and
 * residual networks (issue #15). Fully connected networks keep their own,
 * faster model (lumpnet/net.h); this one is used for what that one cannot
 * hold. */
#ifndef LUMPNET_GRAPH_H
#define LUMPNET_GRAPH_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"
#include "lumpnet/net.h"
#include "lumpnet/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The operations of a graph node. Each output entry is a function of
 * earlier entries; every operation but MAXPOOL and ACT is affine and,
 * with exact rational weights, computed exactly (DESIGN section 1's
 * "activation of a sparse linear function of earlier neurons"). */
typedef enum {
    LUMP_GOP_INPUT = 0, /* the network's input tensor */
    LUMP_GOP_DENSE,     /* y = W x + b, x read flat; W is [out][in] */
    LUMP_GOP_CONV,      /* 2-D convolution (ONNX Conv), W [cout][cin/group][kh][kw] */
    LUMP_GOP_ACT,       /* y_i = act(x_i), the activation descriptor */
    LUMP_GOP_ADD,       /* y = a + b, two tensors of one shape (residual Add) */
    LUMP_GOP_AFFINE,    /* y_i = s_i x_i + t_i, elementwise constants */
    LUMP_GOP_AVGPOOL,   /* average over windows (AveragePool, GlobalAveragePool) */
    LUMP_GOP_MAXPOOL,   /* maximum over windows, padding ignored */
    LUMP_GOP_PAD,       /* zero padding of the dimensions */
    LUMP_GOP_GATHER,    /* y_i = x_{map[i]}: Transpose, an index map */
    LUMP_GOP_RESHAPE,   /* the same entries, another shape (Flatten, Reshape) */
    LUMP_GOP_CONCAT     /* the inputs one after another along the first dimension */
} lump_gop_t;

/* The most dimensions of a tensor, the batch dimension not counted. */
#define LUMP_GRAPH_MAX_DIMS 4

/* A tensor shape without the batch dimension: NDIM dims, row-major; C x H
 * x W for convolutions and pools, one dim for a flat vector. */
typedef struct {
    size_t ndim;
    size_t dim[LUMP_GRAPH_MAX_DIMS];
    size_t size; /* product of the dims */
} lump_shape_t;

/* One node: an operation, the nodes it reads, the shape it produces. */
typedef struct {
    lump_gop_t op;
    size_t n_in;
    size_t *in;         /* indices of earlier nodes */
    lump_shape_t shape; /* of the output */
    char *name;         /* the ONNX node's name (or output), for messages */
    /* DENSE, CONV: weights and bias (HAS_BIAS; else bias is empty).
     * AFFINE: WEIGHT holds the scales s_i, BIAS the shifts t_i (size each). */
    lump_arr_t weight, bias;
    int has_bias;
    /* CONV, AVGPOOL, MAXPOOL: the window (kernel kh x kw), strides, dilations
     * and the padding top, left, bottom, right; CONV: GROUP. */
    size_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
    int count_include_pad; /* AVGPOOL: pad entries count in the divisor */
    /* PAD: the zeros added before and after each dim. */
    size_t pad_begin[LUMP_GRAPH_MAX_DIMS], pad_end[LUMP_GRAPH_MAX_DIMS];
    lump_act_t act; /* ACT */
    size_t *map;    /* GATHER: shape.size source indices */
    size_t params;  /* values of the file's initializers this node reads */
} lump_graph_node_t;

/* A network as a DAG: node 0 is the input, nodes are in topological order
 * (a node reads earlier nodes only), OUTPUT is the node whose tensor the
 * network returns (flattened). */
typedef struct {
    size_t n_nodes, cap;
    lump_graph_node_t *nodes;
    size_t output;
    char *out_name; /* the name of the graph output (ONNX), or NULL */
} lump_graph_t;

/* lump_graph_init / _clear -- an empty graph; free one. O(1) / O(size). */
LUMP_INIT_CLEAR(lump_graph);

/* lump_graph_add -- append a node of operation OP reading the N_IN nodes
 * IN (copied), named NAME (copied; may be NULL), and return its index; its
 * other fields are zero (arrays empty, identity activation, strides and
 * dilations 1, group 1). O(N_IN) amortised. */
LUMP_EXPORT size_t lump_graph_add(lump_graph_t *g, lump_gop_t op, const size_t *in, size_t n_in,
                                  const char *name);

/* lump_graph_copy -- DST = a deep copy of SRC (DST initialised; its old
 * contents are freed). Errors: LUMP_ENOMEM. O(size of SRC). */
LUMP_EXPORT lump_error_t lump_graph_copy(lump_graph_t *dst, const lump_graph_t *src) LUMP_WUR;

/* lump_graph_n_inputs / _n_outputs -- entries of the input tensor and of
 * the output tensor. O(1). */
LUMP_EXPORT size_t lump_graph_n_inputs(const lump_graph_t *g);
LUMP_EXPORT size_t lump_graph_n_outputs(const lump_graph_t *g);

/* lump_graph_params -- the initializer values the network reads (weights,
 * biases, elementwise constants), summed over the nodes. O(nodes). */
LUMP_EXPORT size_t lump_graph_params(const lump_graph_t *g);

/* lump_graph_neurons -- entries of every tensor but the input, a measure
 * of the work of one evaluation. O(nodes). */
LUMP_EXPORT size_t lump_graph_neurons(const lump_graph_t *g);

/* lump_graph_is_pwl -- 1 when every activation is piecewise linear (exact
 * evaluation applies). O(nodes). */
LUMP_EXPORT int lump_graph_is_pwl(const lump_graph_t *g);

/* lump_gop_name -- "input", "dense", "conv", ... for OP. O(1). */
LUMP_EXPORT const char *lump_gop_name(lump_gop_t op);

/* lump_shape_equal -- 1 when A and B have the same dims, else 0.
 * O(dims). */
LUMP_EXPORT int lump_shape_equal(const lump_shape_t *a, const lump_shape_t *b);

/* lump_graph_read_onnx_buf -- read the ONNX model in BUF (LEN bytes) as a
 * graph: Conv, Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, Sigmoid,
 * Tanh, AveragePool, GlobalAveragePool, MaxPool, Pad, Flatten, Reshape,
 * Transpose, Gather (axis 1 of a flat tensor), Concat, BatchNormalization
 * (inference mode), Identity, Dropout and Constant. An Add of a constant
 * right after a MatMul or a Conv (its only reader) becomes that node's
 * bias, and one right after a Mul or Div by a constant (its only reader)
 * joins it in one affine node. A BatchNormalization, y = s x + t per
 * channel with s = scale / sqrt(var + epsilon), is folded into the Conv or
 * dense node before it when that is its only reader, else it is an AFFINE
 * node; s is exact when var + epsilon is the square of a rational, else
 * the nearest double, and a file with such rounded factors prints one
 * warning (lump_warn) once it has been read: the graph is then the
 * network with the rounded factors (docs/formats.md). *NEEDED (may be NULL) is set, before anything can fail past the
 * decoding, to 1 when the model uses something the MLP reader
 * (lump_net_read_onnx_buf) does not have (a convolution, a pool, a pad, a
 * transpose, a concatenation, an Add of two computed tensors), else 0. On
 * error *G is unchanged and the LUMP_EINPUT message names NAME, the node
 * (index, name, operator) and the problem.
 * Complexity: O(file size + nodes + weights), plus O(size) per Transpose. */
LUMP_EXPORT lump_error_t lump_graph_read_onnx_buf(lump_graph_t *g, const unsigned char *buf,
                                                  size_t len, const char *name,
                                                  int *needed) LUMP_WUR;

/* lump_graph_read_json_buf -- read a "lumpnet-graph" JSON document
 * (docs/formats.md) from BUF[0..len) into G. Everything is checked: the
 * node list (node 0 the input, each node reading earlier ones), every
 * shape against the operation and its inputs, every attribute, and the
 * length of every value list against the shape before it is allocated.
 * Values are exact: lists of rationals as strings go to Q arrays,
 * {"float32": BASE64} and {"float64": BASE64} (little-endian IEEE bytes)
 * to F32 and F64 arrays. *NEEDED (may be NULL) is set to 1 when the
 * document's "format" is "lumpnet-graph" (before anything can fail past
 * the parsing), else 0. On error *G is unchanged and the LUMP_EINPUT
 * message is "NAME: PLACE: problem" (PLACE like "nodes[3].weight").
 * Complexity: O(file size + d^2 per rational of d digits). */
LUMP_EXPORT lump_error_t lump_graph_read_json_buf(lump_graph_t *g, const char *buf, size_t len,
                                                  const char *name, int *needed) LUMP_WUR;

/* lump_graph_write_json -- write G to F as a "lumpnet-graph" JSON
 * document: keys in a fixed order, F32 and F64 arrays as base64 of their
 * bytes, Q arrays as canonical rational strings, so that reading it back
 * gives G exactly and writing that again gives the same bytes. Errors:
 * LUMP_EIO. Complexity: O(weights), plus O(d^2) per Q value. */
LUMP_EXPORT lump_error_t lump_graph_write_json(FILE *f, const lump_graph_t *g) LUMP_WUR;

/* lump_graph_write_onnx -- write G to F as ONNX (IR 7, opset 13): Conv as
 * Conv, DENSE as Gemm(transB=1) (after a Flatten when its input is not
 * flat), ACT as Relu/LeakyRelu/Sigmoid/Tanh/Identity, ADD as Add, AFFINE
 * as Mul (or Div, when the reciprocals of the scales are floats) and Add
 * by constants of the tensor's shape, pools as
 * AveragePool/MaxPool, PAD as Pad, a GATHER that is a permutation of the
 * dimensions as Transpose and any other as Gather(axis 1) of the flat
 * input with indices of its shape, RESHAPE as Flatten or Reshape, CONCAT
 * as Concat(axis 1). Node names, the input and output names and shapes
 * are kept, with a symbolic batch dimension "N". The element type is OPTS->onnx_dtype, or when that
 * is LUMP_STORE_Q, float32 if every value is a float32 value, else
 * float64; values that do not fit are rounded to nearest and counted in
 * OPTS (rounded, max_rounding), LeakyRelu slopes (float attributes) too.
 * OPTS may be NULL. Errors: LUMP_EUNSUPPORTED (an AVGPOOL with dilations,
 * a value beyond the type's range), LUMP_EIO.
 * Complexity: O(weights + tensor sizes of the GATHER nodes). */
LUMP_EXPORT lump_error_t lump_graph_write_onnx(FILE *f, const lump_graph_t *g,
                                               lump_write_opts_t *opts) LUMP_WUR;

/* lump_graph_write -- write G to PATH atomically in the format its
 * extension names (.onnx or .json; .nnet is LUMP_EUNSUPPORTED: NNet holds
 * fully connected networks only). OPTS may be NULL. O(size of G). */
LUMP_EXPORT lump_error_t lump_graph_write(const char *path, const lump_graph_t *g,
                                          lump_write_opts_t *opts) LUMP_WUR;

/* The context of a graph network's writer (lump_graph_output_prepare). */
typedef struct {
    const lump_graph_t *g;
    lump_write_opts_t *opts;
    int json;
} lump_graph_output_t;

/* lump_graph_output_prepare -- fill *OUT (its context is *CTX, which must
 * outlive the write) to write G to PATH as lump_graph_write does, for
 * lump_io_write_all together with other outputs (a network and its
 * certificate: both or neither). Refuses NNet and unknown extensions now,
 * before any file is created. O(1). */
LUMP_EXPORT lump_error_t lump_graph_output_prepare(lump_io_output_t *out,
                                                   lump_graph_output_t *ctx, const char *path,
                                                   const lump_graph_t *g,
                                                   lump_write_opts_t *opts) LUMP_WUR;

/* lump_graph_read -- lump_graph_read_onnx_buf or lump_graph_read_json_buf
 * of the file PATH by its extension (another extension is LUMP_EUSAGE).
 * O(file size + weights). */
LUMP_EXPORT lump_error_t lump_graph_read(lump_graph_t *g, const char *path, int *needed) LUMP_WUR;

/* lump_graph_eval_double -- the outputs of BATCH inputs in double
 * precision (the fast path, no error bound): IN holds BATCH input vectors
 * one after another (lump_graph_n_inputs entries each, the input tensor
 * row-major), OUT receives BATCH output vectors. Images are evaluated
 * several at a time, the batch index innermost, so that every loop over a
 * kernel or a weight row is a vector operation.
 * Complexity: O(BATCH * (weights of the dense nodes + kernel entries times
 * output positions of the convolutions + tensor sizes)) flops. */
LUMP_EXPORT lump_error_t lump_graph_eval_double(double *out, const lump_graph_t *g,
                                                const double *in, size_t batch) LUMP_WUR;

/* lump_graph_eval_exact -- OUT[j] = f_j(IN) in exact rationals (OUT has
 * lump_graph_n_outputs initialised entries, IN lump_graph_n_inputs). Each
 * tensor is held as integers over one common denominator, so a dot
 * product is integer arithmetic without a gcd per step. Fails with
 * LUMP_EUNSUPPORTED (naming the node) on sigmoid or tanh.
 * Complexity: O(the double evaluator's operation count) integer operations
 * on numbers whose size grows with the depth. */
LUMP_EXPORT lump_error_t lump_graph_eval_exact(mpq_t *out, const lump_graph_t *g,
                                               const mpq_t *in) LUMP_WUR;

/* Where the unrolled network (lump_graph_unroll) keeps a graph node's
 * entries: for an ACT node I, entry e of its tensor is neuron FIRST[I] + e
 * of layer LAYER[I] (an index into the network's layers, 0 for L_1);
 * LAYER[I] is SIZE_MAX for every other node (their values are affine
 * functions composed into the next layer, or, for MAXPOOL, sums of
 * helper neurons), except a MAXPOOL that took over its ACT input (see
 * lump_graph_unroll), whose entries are then neurons. Stored per node: an ACT node's entries are
 * consecutive neurons of one layer. */
typedef struct {
    size_t n_nodes;
    size_t *layer;
    size_t *first;
} lump_graph_unroll_map_t;

/* lump_graph_unroll_map_init / _clear -- an empty map; free one. O(1). */
LUMP_INIT_CLEAR(lump_graph_unroll_map);

/* lump_graph_unroll -- OUT := a layered network (lumpnet/net.h) computing
 * exactly the function of G: the same inputs (G's input tensor
 * row-major), the same outputs, equal at every real point. Affine nodes
 * (DENSE, CONV, ADD, AFFINE, AVGPOOL, PAD, GATHER, RESHAPE, CONCAT) are
 * composed in exact rationals into the affine map of the next layer; each
 * ACT node becomes neurons of the layer one past the deepest neuron it
 * reads; a value a later layer reads is carried forward by identity
 * neurons (per-neuron activations, lump_layer_set_neuron_act); a MAXPOOL
 * of windows of at most k entries becomes ceil(log2 k) layers of pairs,
 * max(a, b) = b + relu(a - b), b an affine expression carried forward. The last
 * layer is an identity layer computing the output node, unless that is an
 * ACT node alone at the deepest level. Weights are stored as float32 where
 * every value of a layer is one, else float64 or exact fractions
 * (lump_arr_set). MAP (may be NULL) receives where each ACT node's
 * entries went. A MAXPOOL that is the only reader of an ACT node of a
 * nondecreasing activation takes the maximum of the pre-activations and
 * applies the activation after it (max act(z) = act(max z)), sparing the
 * layer of the ACT node's neurons: the map then holds the MAXPOOL node's
 * entries (neurons act(max z)) and not the ACT node's. MAX_WEIGHTS (0: no cap) caps the dense weight entries of
 * OUT: the dense layers of a wide network are size x in_size, so a
 * network whose unrolled form is larger fails with LUMP_ENOMEM naming the
 * count before anything large is allocated. On error OUT and MAP are
 * unchanged.
 * Complexity: O(T) exact operations on rationals, T the terms of the
 * composed affine expressions (for a conv, output entries times kernel
 * entries times the terms of its input), plus O(sum over layers of size x
 * in_size) to fill the dense matrices. */
LUMP_EXPORT lump_error_t lump_graph_unroll(lump_net_t *out, lump_graph_unroll_map_t *map,
                                           const lump_graph_t *g, size_t max_weights) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
