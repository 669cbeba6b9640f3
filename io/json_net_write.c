/* json_net_write.c -- write a network in the native exact JSON format */
#include <stdlib.h>
#include "lumpnet/io.h"
#include "lumpnet/net.h"
#include "json_support.h"

/* Append A[off .. off+n) to the array OUT as canonical rational strings;
 * Q is scratch. */
static lump_error_t append_arr(json_t *out, const lump_arr_t *a, size_t off, size_t n, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    size_t k;
    for (k = 0; k < n; k++) {
        lump_arr_get(q, a, off + k);
        LUMP_CHECK(lump_i_json_append_new(out, lump_i_json_from_q(q)));
    }
cleanup:
    return err;
}

static lump_error_t vec_json(json_t **out, mpq_t *const v, size_t n)
{
    lump_error_t err = LUMP_OK;
    size_t k;
    *out = json_array();
    for (k = 0; k < n; k++)
        LUMP_CHECK(lump_i_json_append_new(*out, lump_i_json_from_q(v[k])));
cleanup:
    if (err != LUMP_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return err;
}

/* OBJ[key] = {k0: V0, k1: V1}, each a vector of N rationals. */
static lump_error_t set_map(json_t *obj, const char *key, const char *k0, mpq_t *const v0,
                            const char *k1, mpq_t *const v1, size_t n)
{
    lump_error_t err = LUMP_OK;
    json_t *map = json_object(), *arr = NULL;
    LUMP_CHECK(vec_json(&arr, v0, n));
    LUMP_CHECK(lump_i_json_set_new(map, k0, arr));
    LUMP_CHECK(vec_json(&arr, v1, n));
    LUMP_CHECK(lump_i_json_set_new(map, k1, arr));
    err = lump_i_json_set_take(obj, key, &map);
cleanup:
    json_decref(map);
    return err;
}

/* Add "activation" (and "alpha" for leaky_relu) for A to OBJ. */
static lump_error_t set_act(json_t *obj, const lump_act_t *a)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_set_new(obj, "activation", json_string(lump_act_name(a->kind))));
    if (a->kind == LUMP_ACT_LEAKY_RELU)
        LUMP_CHECK(lump_i_json_set_new(obj, "alpha", lump_i_json_from_q(a->alpha)));
cleanup:
    return err;
}

/* The per-neuron form, used only when the layer is not uniform: a name per
 * neuron, or {"activation": "leaky_relu", "alpha": ...} for leaky ones. */
static lump_error_t set_neuron_acts(json_t *obj, const lump_layer_t *layer)
{
    lump_error_t err = LUMP_OK;
    json_t *acts = json_array();
    size_t v;
    for (v = 0; v < layer->size; v++) {
        const lump_act_t *a = lump_layer_act(layer, v);
        json_t *item;
        if (a->kind == LUMP_ACT_LEAKY_RELU) {
            item = json_object();
            err = set_act(item, a);
            if (err != LUMP_OK) {
                json_decref(item);
                goto cleanup;
            }
        } else {
            item = json_string(lump_act_name(a->kind));
        }
        LUMP_CHECK(lump_i_json_append_new(acts, item));
    }
    err = lump_i_json_set_take(obj, "activations", &acts);
cleanup:
    json_decref(acts);
    return err;
}

/* The activation every neuron of LAYER shares, or NULL when they differ.
 * Neuron 0 is the reference rather than layer->act: a per-neuron table
 * whose entries agree is uniform even when layer->act is stale. */
static const lump_act_t *shared_act(const lump_layer_t *layer)
{
    const lump_act_t *a0 = lump_layer_act(layer, 0);
    size_t v;
    for (v = 1; v < layer->size; v++)
        if (!lump_act_equal(lump_layer_act(layer, v), a0))
            return NULL;
    return a0;
}

static lump_error_t layer_json(json_t **out, const lump_layer_t *layer, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    json_t *obj = json_object(), *weights = NULL, *bias = NULL;
    const lump_act_t *shared = layer->size > 0 ? shared_act(layer) : &layer->act;
    size_t v;
    if (shared != NULL)
        LUMP_CHECK(set_act(obj, shared));
    else
        LUMP_CHECK(set_neuron_acts(obj, layer));
    weights = json_array();
    for (v = 0; v < layer->size; v++) {
        json_t *row = json_array();
        LUMP_CHECK(lump_i_json_append_new(weights, row));
        LUMP_CHECK(append_arr(row, &layer->weight, v * layer->in_size, layer->in_size, q));
    }
    LUMP_CHECK(lump_i_json_set_take(obj, "weights", &weights));
    bias = json_array();
    LUMP_CHECK(append_arr(bias, &layer->bias, 0, layer->size, q));
    LUMP_CHECK(lump_i_json_set_take(obj, "bias", &bias));
    *out = obj;
    obj = NULL;
cleanup:
    json_decref(weights);
    json_decref(bias);
    json_decref(obj);
    return err;
}

/* lump_net_write_json -- write NET to F in the native exact JSON format
 * (docs/formats.md): every value as its canonical lump_rat_str text, keys
 * in the fixed order format, version, inputs, clip, normalize, layers,
 * output_map, and within a layer activation(s), weights, bias; the
 * per-neuron form "activations" only for a layer whose neurons differ.
 * The same network always gives the same bytes, and reading them back
 * with lump_net_read_json_buf gives the same values exactly.
 * Errors: LUMP_EIO when F refuses the bytes.
 * Complexity: O(number of weights * digits^2), plus a document of that
 * size in memory. */
lump_error_t lump_net_write_json(FILE *f, const lump_net_t *net)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *layers = NULL;
    size_t i, nout = lump_net_n_outputs(net);
    mpq_t q;
    mpq_init(q);
    LUMP_CHECK(lump_i_json_set_new(root, "format", json_string("lumpnet-net")));
    LUMP_CHECK(lump_i_json_set_new(root, "version", json_integer(1)));
    LUMP_CHECK(lump_i_json_set_new(root, "inputs", json_integer((json_int_t)net->n_inputs)));
    if (net->has_clip)
        LUMP_CHECK(
            set_map(root, "clip", "lower", net->clip_lo, "upper", net->clip_hi, net->n_inputs));
    if (net->has_norm)
        LUMP_CHECK(set_map(root, "normalize", "mean", net->norm_mean, "range", net->norm_range,
                           net->n_inputs));
    layers = json_array();
    for (i = 0; i < net->n_layers; i++) {
        json_t *layer = NULL;
        LUMP_CHECK(layer_json(&layer, &net->layers[i], q));
        LUMP_CHECK(lump_i_json_append_new(layers, layer));
    }
    LUMP_CHECK(lump_i_json_set_take(root, "layers", &layers));
    if (net->has_outmap)
        LUMP_CHECK(
            set_map(root, "output_map", "scale", net->out_scale, "shift", net->out_shift, nout));
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(layers);
    json_decref(root);
    mpq_clear(q);
    return err;
}
