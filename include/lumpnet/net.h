/* lumpnet/net.h -- the weighted layered transition system (DESIGN section 1) */
#ifndef LUMPNET_NET_H
#define LUMPNET_NET_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LUMP_ACT_IDENTITY = 0,
    LUMP_ACT_RELU,
    LUMP_ACT_LEAKY_RELU, /* z >= 0 ? z : alpha * z */
    LUMP_ACT_SIGMOID,
    LUMP_ACT_TANH
} lump_act_kind_t;

/* An activation. ALPHA is used by LEAKY_RELU only (and is 0 otherwise). */
typedef struct {
    lump_act_kind_t kind;
    mpq_t alpha;
} lump_act_t;

/* lump_act_init -- identity, alpha = 0. lump_act_clear frees. O(1). */
LUMP_INIT_CLEAR(lump_act);
/* lump_act_set -- DST = SRC. O(size of alpha). */
LUMP_EXPORT void lump_act_set(lump_act_t *dst, const lump_act_t *src);
/* lump_act_equal -- 1 when A and B are the same function. O(1). */
LUMP_EXPORT int lump_act_equal(const lump_act_t *a, const lump_act_t *b);
/* lump_act_name -- "identity", "relu", "leaky_relu", "sigmoid", "tanh". */
LUMP_EXPORT const char *lump_act_name(lump_act_kind_t kind);
/* lump_act_from_name -- the kind named NAME; LUMP_EINPUT when unknown. */
LUMP_EXPORT lump_error_t lump_act_from_name(lump_act_kind_t *kind, const char *name) LUMP_WUR;
/* lump_act_is_pwl -- 1 for identity, relu and leaky_relu (exact
 * evaluation is possible), else 0. O(1). */
LUMP_EXPORT int lump_act_is_pwl(lump_act_kind_t kind);
/* lump_act_eval_d -- A(Z) in double precision, rounded to nearest at each
 * operation (the leaky slope rounded to nearest first); the fast path, no
 * error bound. O(1). */
LUMP_EXPORT double lump_act_eval_d(const lump_act_t *a, double z);

/* A layer L_i, i >= 1: SIZE neurons fed by IN_SIZE neurons of L_{i-1}.
 * WEIGHT is row-major by neuron: w(u, v) = weight[v * in_size + u].
 * Every neuron uses ACT unless NEURON_ACT is not NULL, in which case neuron
 * v uses neuron_act[v] (SIZE entries). */
typedef struct {
    size_t size, in_size;
    lump_arr_t weight;
    lump_arr_t bias;
    lump_act_t act;
    lump_act_t *neuron_act;
} lump_layer_t;

/* One tensor of the interface of the file a network was read from: its
 * NAME, its element type ELEM (an ONNX TensorProto data type: 1 is
 * float32, 11 float64; 0 unknown) and, when HAS_SHAPE, its shape of RANK
 * dimensions: dimension i is DIM[i] when DIM[i] > 0, else symbolic, named
 * DIM_PARAM[i] (NULL when unnamed). */
typedef struct {
    char *name;
    int elem;
    int has_shape;
    size_t rank;
    int64_t *dim;
    char **dim_param;
} lump_iface_tensor_t;

/* The interface of a source file (ONNX): what code that feeds the file
 * relies on, which a written file keeps (docs/formats.md, "Writing"). */
typedef struct {
    lump_iface_tensor_t in, out;
} lump_iface_t;

/* lump_iface_dup -- a deep copy of SRC (NULL for NULL), to be freed with
 * lump_iface_free. O(rank + name lengths). */
LUMP_EXPORT lump_iface_t *lump_iface_dup(const lump_iface_t *src);

/* lump_iface_free -- free IF and everything it owns (NULL is allowed).
 * O(rank). */
LUMP_EXPORT void lump_iface_free(lump_iface_t *iface);

/* A network L_0 ... L_k: N_INPUTS inputs and N_LAYERS layers, the last one
 * being the outputs. The function it computes is, in this order:
 * 1. clip: when HAS_CLIP, x_i := min(max(x_i, clip_lo[i]), clip_hi[i]);
 *    these are also the network's declared input bounds;
 * 2. normalise: when HAS_NORM, x_i := (x_i - norm_mean[i]) / norm_range[i];
 * 3. the layers: z_v = sum_u w(u,v) y_u + b_v, y_v = act_v(z_v);
 * 4. map back: when HAS_OUTMAP, y_j := y_j * out_scale[j] + out_shift[j].
 * Steps 1, 2 and 4 are what NNet headers and ONNX Sub/Div nodes state;
 * keeping them explicit keeps files round-trippable.
 * IFACE, when not NULL, is the interface of the file NET was read from
 * (owned by NET); derived networks carry it (lump_net_copy_maps) so that
 * a written file keeps the source's names, shapes and element type. */
typedef struct {
    size_t n_inputs;
    size_t n_layers;
    lump_layer_t *layers;
    int has_clip;
    mpq_t *clip_lo, *clip_hi;
    int has_norm;
    mpq_t *norm_mean, *norm_range;
    int has_outmap;
    mpq_t *out_scale, *out_shift;
    lump_iface_t *iface;
} lump_net_t;

/* lump_net_init -- an empty network (no inputs, no layers). O(1). */
LUMP_EXPORT void lump_net_init(lump_net_t *net);

/* lump_layer_init / _clear -- an empty layer (size 0, identity, no
 * per-neuron activations); free one's arrays and activations, leaving it
 * zeroed (initialise it again before reuse). O(1) / O(size). */
LUMP_INIT_CLEAR(lump_layer);

/* lump_net_clear -- free everything NET owns. O(size of the network). */
LUMP_EXPORT void lump_net_clear(lump_net_t *net);

/* lump_net_setup -- make NET a network with N_INPUTS inputs and N_LAYERS
 * layers of sizes SIZES[0..n_layers), zero weights and biases stored as
 * STORE, every activation identity. Sizes are checked against
 * lump_arr_max_len() before anything is allocated. O(number of weights). */
LUMP_EXPORT
lump_error_t lump_net_setup(lump_net_t *net, size_t n_inputs, size_t n_layers, const size_t *sizes,
                            lump_store_t store) LUMP_WUR;

/* lump_net_set_clip / _norm / _outmap -- allocate the optional maps (zeroed;
 * norm ranges and out scales start at 1). O(n). */
LUMP_EXPORT lump_error_t lump_net_alloc_clip(lump_net_t *net) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_alloc_norm(lump_net_t *net) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_alloc_outmap(lump_net_t *net) LUMP_WUR;

/* lump_net_copy -- DST = SRC, deep. O(size). */
LUMP_EXPORT lump_error_t lump_net_copy(lump_net_t *dst, const lump_net_t *src) LUMP_WUR;

/* lump_net_copy_maps -- give DST (same inputs as SRC, set up) SRC's clip
 * and normalisation and, when OUTMAP, its output map (DST must then have
 * SRC's outputs, in order). For networks derived from SRC: quotients,
 * pruned copies. O(inputs + outputs). */
LUMP_EXPORT
lump_error_t lump_net_copy_maps(lump_net_t *dst, const lump_net_t *src, int outmap) LUMP_WUR;

/* lump_net_n_outputs -- the size of the last layer (0 when none). O(1). */
LUMP_EXPORT size_t lump_net_n_outputs(const lump_net_t *net);

/* lump_net_neurons -- hidden plus output neurons. O(layers). */
LUMP_EXPORT size_t lump_net_neurons(const lump_net_t *net);

/* lump_net_params -- weights plus biases (every weight entry counts, zero
 * or not, as in the dense files). O(layers). */
LUMP_EXPORT size_t lump_net_params(const lump_net_t *net);

/* lump_net_fits -- 1 when every number of NET (weights, biases, input
 * bounds, normalisation, output map) fits FIT exactly (lump_rat_fits):
 * a file of that number type can then hold NET without rounding, unless
 * the writer itself combines values (an ONNX output map folded into the
 * last layer). O(number of weights). */
LUMP_EXPORT int lump_net_fits(const lump_net_t *net, lump_fit_t fit);

/* lump_layer_act -- the activation of neuron V of LAYER. O(1). */
LUMP_EXPORT const lump_act_t *lump_layer_act(const lump_layer_t *layer, size_t v);

/* lump_layer_uniform_act -- 1 when every neuron of LAYER has the same
 * activation, which is then lump_layer_act(layer, 0). O(size). */
LUMP_EXPORT int lump_layer_uniform_act(const lump_layer_t *layer);

/* lump_layer_set_neuron_act -- give neuron V its own activation A
 * (allocating the per-neuron table on first use). O(size) once. */
LUMP_EXPORT
lump_error_t lump_layer_set_neuron_act(lump_layer_t *layer, size_t v, const lump_act_t *a) LUMP_WUR;

/* lump_net_is_pwl -- 1 when every activation is piecewise linear (exact
 * evaluation applies). O(neurons). */
LUMP_EXPORT int lump_net_is_pwl(const lump_net_t *net);

/* lump_net_validate -- check the structural invariants (sizes chain,
 * norm ranges and out scales non-zero, clip lo <= hi). Returns
 * LUMP_EINPUT with a message prefixed by NAME. O(layers + inputs). */
LUMP_EXPORT lump_error_t lump_net_validate(const lump_net_t *net, const char *name) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
