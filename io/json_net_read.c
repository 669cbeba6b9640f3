/* json_net_read.c -- read the native exact JSON network format (lumpnet-net) */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/io.h"
#include "lumpnet/net.h"
#include "json_support.h"
#include "cert_json.h"
#include "alloc_i.h"
#include "net_i.h"

#define FORMAT_NAME "lumpnet-net"
#define FORMAT_VERSION 1

static const char *const top_keys[] = {"format", "version",    "inputs", "clip", "normalize",
                                       "layers", "output_map", "meta",   NULL};
static const char *const layer_keys[] = {"activation", "alpha", "activations",
                                         "weights",    "bias",  NULL};
static const char *const act_keys[] = {"activation", "alpha", NULL};
static const char *const clip_keys[] = {"lower", "upper", NULL};
static const char *const norm_keys[] = {"mean", "range", NULL};
static const char *const outmap_keys[] = {"scale", "shift", NULL};

/* The shape of one layer, checked before anything is allocated: its size
 * is the number of weight rows, so every size is backed by bytes of the
 * file and a file claiming 2^40 inputs with rows of two entries is refused
 * by the row-length check, not by malloc. */
static lump_error_t check_layer_shape(size_t *size, lump_i_jpath_t *p, const json_t *layer,
                                      size_t in_size)
{
    lump_error_t err = LUMP_OK;
    json_t *weights, *bias, *acts, *act, *alpha;
    size_t rows, v;
    LUMP_CHECK(lump_i_json_expect_keys(p, layer, layer_keys));
    LUMP_CHECK(lump_i_json_member(&act, p, layer, "activation", 0));
    LUMP_CHECK(lump_i_json_member(&acts, p, layer, "activations", 0));
    LUMP_CHECK(lump_i_json_member(&alpha, p, layer, "alpha", 0));
    if (act == NULL && acts == NULL)
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "missing key \"activation\" (or "
                                  "\"activations\", one per neuron)");
    if (act != NULL && acts != NULL)
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "both \"activation\" and \"activations\" "
                                  "given; use one of them");
    if (acts != NULL && alpha != NULL)
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "\"alpha\" goes with \"activation\"; in the "
                                  "per-neuron form give each leaky_relu its "
                                  "own {\"activation\", \"alpha\"}");
    LUMP_CHECK(lump_i_json_member(&weights, p, layer, "weights", 1));
    LUMP_CHECK(lump_i_json_member(&bias, p, layer, "bias", 1));

    lump_i_jpath_key(p, "weights");
    LUMP_CHECK(lump_i_json_expect_array(&rows, p, weights));
    if (rows == 0)
        return lump_i_jpath_error(p, LUMP_EINPUT, "no rows: a layer needs at least one neuron");
    for (v = 0; v < rows; v++) {
        lump_i_jpath_index(p, v);
        LUMP_CHECK(lump_i_json_expect_len(p, json_array_get(weights, v), in_size,
                                          "the size of the previous layer"));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);

    lump_i_jpath_key(p, "bias");
    LUMP_CHECK(lump_i_json_expect_len(p, bias, rows, "one per row of \"weights\""));
    lump_i_jpath_pop(p);
    if (acts != NULL) {
        lump_i_jpath_key(p, "activations");
        LUMP_CHECK(lump_i_json_expect_len(p, acts, rows, "one per row of \"weights\""));
        lump_i_jpath_pop(p);
    }
    *size = rows;
cleanup:
    return err;
}

/* Fill A from the activation name at P (the member "activation" of OBJ)
 * and the optional "alpha" of OBJ, which leaky_relu requires and the
 * others refuse. */
static lump_error_t read_act_fields(lump_act_t *a, lump_i_jpath_t *p, const json_t *obj)
{
    lump_error_t err = LUMP_OK;
    json_t *name, *alpha;
    const char *s;
    size_t len;
    LUMP_CHECK(lump_i_json_member(&name, p, obj, "activation", 1));
    LUMP_CHECK(lump_i_json_member(&alpha, p, obj, "alpha", 0));
    lump_i_jpath_key(p, "activation");
    LUMP_CHECK(lump_i_json_get_string(&s, &len, p, name));
    err = lump_act_from_name(&a->kind, s);
    if (err != LUMP_OK)
        return lump_i_jpath_prefix(p, err);
    lump_i_jpath_pop(p);
    if (a->kind == LUMP_ACT_LEAKY_RELU) {
        if (alpha == NULL)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "leaky_relu needs \"alpha\" (the slope "
                                      "for negative inputs, e.g. \"1/100\")");
        lump_i_jpath_key(p, "alpha");
        LUMP_CHECK(lump_i_json_get_q(a->alpha, p, alpha));
        lump_i_jpath_pop(p);
    } else {
        if (alpha != NULL)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "\"alpha\" given for %s (only leaky_relu "
                                      "has one)",
                                      lump_act_name(a->kind));
        mpq_set_ui(a->alpha, 0, 1);
    }
cleanup:
    return err;
}

/* One entry of "activations": a name, or {"activation", "alpha"}. */
static lump_error_t read_neuron_act(lump_act_t *a, lump_i_jpath_t *p, const json_t *v)
{
    lump_error_t err = LUMP_OK;
    if (json_is_string(v)) {
        err = lump_act_from_name(&a->kind, json_string_value(v));
        if (err != LUMP_OK)
            return lump_i_jpath_prefix(p, err);
        if (a->kind == LUMP_ACT_LEAKY_RELU)
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "leaky_relu needs an alpha: write "
                                      "{\"activation\": \"leaky_relu\", "
                                      "\"alpha\": \"1/100\"}");
        mpq_set_ui(a->alpha, 0, 1);
        return LUMP_OK;
    }
    if (!json_is_object(v))
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "expected an activation name or an object "
                                  "{\"activation\", \"alpha\"}, found %s",
                                  lump_i_json_type_name(v));
    LUMP_CHECK(lump_i_json_check_keys(p, v, act_keys));
    LUMP_CHECK(read_act_fields(a, p, v));
cleanup:
    return err;
}

/* The activations of LAYER from OBJ. A per-neuron list whose entries are
 * all the same function is stored as one layer activation, so that the
 * writer's choice of form depends on the function only. */
static lump_error_t read_layer_acts(lump_layer_t *layer, lump_i_jpath_t *p, const json_t *obj)
{
    lump_error_t err = LUMP_OK;
    json_t *acts = json_object_get(obj, "activations");
    lump_act_t a;
    size_t v;
    int uniform = 1;
    lump_act_init(&a);
    if (acts == NULL) {
        LUMP_CHECK(read_act_fields(&layer->act, p, obj));
        goto cleanup;
    }
    lump_i_jpath_key(p, "activations");
    for (v = 0; v < layer->size; v++) {
        lump_i_jpath_index(p, v);
        LUMP_CHECK(read_neuron_act(v == 0 ? &layer->act : &a, p, json_array_get(acts, v)));
        lump_i_jpath_pop(p);
        if (v > 0 && !lump_act_equal(&a, &layer->act)) {
            uniform = 0;
            break;
        }
    }
    if (!uniform)
        for (v = 0; v < layer->size; v++) {
            lump_i_jpath_index(p, v);
            LUMP_CHECK(read_neuron_act(&a, p, json_array_get(acts, v)));
            LUMP_CHECK(lump_layer_set_neuron_act(layer, v, &a));
            lump_i_jpath_pop(p);
        }
    lump_i_jpath_pop(p);
cleanup:
    lump_act_clear(&a);
    return err;
}

/* ARR[off + k] = the rational at VALUES[k] for k < n; Q is scratch. The
 * value goes through lump_arr_set, which stores small fractions inline:
 * no weight keeps a heap mpq of its own. */
static lump_error_t read_q_row(lump_arr_t *arr, size_t off, mpq_t q, lump_i_jpath_t *p,
                               const json_t *values)
{
    lump_error_t err = LUMP_OK;
    size_t k, n = json_array_size(values);
    for (k = 0; k < n; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(lump_i_json_get_q(q, p, json_array_get(values, k)));
        lump_i_jpath_pop(p);
        LUMP_CHECK(lump_arr_set(arr, off + k, q));
    }
cleanup:
    return err;
}

static lump_error_t read_layer_values(lump_layer_t *layer, mpq_t q, lump_i_jpath_t *p,
                                      const json_t *obj)
{
    lump_error_t err = LUMP_OK;
    const json_t *weights = json_object_get(obj, "weights");
    size_t v;
    LUMP_CHECK(read_layer_acts(layer, p, obj));
    lump_i_jpath_key(p, "weights");
    for (v = 0; v < layer->size; v++) {
        lump_i_jpath_index(p, v);
        LUMP_CHECK(
            read_q_row(&layer->weight, v * layer->in_size, q, p, json_array_get(weights, v)));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
    lump_i_jpath_key(p, "bias");
    LUMP_CHECK(read_q_row(&layer->bias, 0, q, p, json_object_get(obj, "bias")));
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* VEC[0..n) = the array member KEY of OBJ, which must have N entries. */
static lump_error_t read_q_vec(mpq_t *vec, size_t n, lump_i_jpath_t *p, const json_t *obj,
                               const char *key, const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *arr;
    size_t k;
    LUMP_CHECK(lump_i_json_member(&arr, p, obj, key, 1));
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_expect_len(p, arr, n, what));
    for (k = 0; k < n; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(lump_i_json_get_q(vec[k], p, json_array_get(arr, k)));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* Entries of VEC that must not be zero (divisors and scales). */
static lump_error_t check_nonzero(lump_i_jpath_t *p, mpq_t *vec, size_t n, const char *key,
                                  const char *why)
{
    size_t k;
    for (k = 0; k < n; k++)
        if (mpq_sgn(vec[k]) == 0) {
            lump_i_jpath_key(p, key);
            lump_i_jpath_index(p, k);
            return lump_i_jpath_error(p, LUMP_EINPUT, "is 0 (%s)", why);
        }
    return LUMP_OK;
}

/* One of the optional maps (clip, normalize, output_map): the object at
 * member KEY of ROOT, with the two arrays KEYS[0] and KEYS[1] of N entries
 * each, read into *V0 and *V1 once ALLOC has made room. Both lengths are
 * checked against the file before the 2n rationals are allocated. */
static lump_error_t read_map(lump_net_t *net, lump_i_jpath_t *p, const json_t *root,
                             const char *key, const char *const *keys, size_t n, const char *what,
                             lump_error_t (*alloc)(lump_net_t *), mpq_t **v0, mpq_t **v1)
{
    lump_error_t err = LUMP_OK;
    const json_t *obj = json_object_get(root, key);
    json_t *a0, *a1;
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_expect_keys(p, obj, keys));
    LUMP_CHECK(lump_i_json_member(&a0, p, obj, keys[0], 1));
    LUMP_CHECK(lump_i_json_member(&a1, p, obj, keys[1], 1));
    lump_i_jpath_key(p, keys[0]);
    LUMP_CHECK(lump_i_json_expect_len(p, a0, n, what));
    lump_i_jpath_pop(p);
    lump_i_jpath_key(p, keys[1]);
    LUMP_CHECK(lump_i_json_expect_len(p, a1, n, what));
    lump_i_jpath_pop(p);
    LUMP_CHECK(alloc(net));
    LUMP_CHECK(read_q_vec(*v0, n, p, obj, keys[0], what));
    LUMP_CHECK(read_q_vec(*v1, n, p, obj, keys[1], what));
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

static lump_error_t read_optional_maps(lump_net_t *net, lump_i_jpath_t *p, const json_t *root)
{
    lump_error_t err = LUMP_OK;
    size_t k, n = net->n_inputs, nout = lump_net_n_outputs(net);
    if (json_object_get(root, "clip") != NULL) {
        LUMP_CHECK(read_map(net, p, root, "clip", clip_keys, n, "one per input",
                            lump_net_alloc_clip, &net->clip_lo, &net->clip_hi));
        for (k = 0; k < n; k++)
            if (mpq_cmp(net->clip_lo[k], net->clip_hi[k]) > 0) {
                lump_i_jpath_key(p, "clip");
                lump_i_jpath_key(p, "lower");
                lump_i_jpath_index(p, k);
                return lump_i_jpath_error(p, LUMP_EINPUT,
                                          "lower bound exceeds upper[%zu] "
                                          "(an empty clipping interval)",
                                          k);
            }
    }
    if (json_object_get(root, "normalize") != NULL) {
        LUMP_CHECK(read_map(net, p, root, "normalize", norm_keys, n, "one per input",
                            lump_net_alloc_norm, &net->norm_mean, &net->norm_range));
        lump_i_jpath_key(p, "normalize");
        LUMP_CHECK(check_nonzero(p, net->norm_range, n, "range", "inputs are divided by it"));
        lump_i_jpath_pop(p);
    }
    if (json_object_get(root, "output_map") != NULL) {
        LUMP_CHECK(read_map(net, p, root, "output_map", outmap_keys, nout, "one per output",
                            lump_net_alloc_outmap, &net->out_scale, &net->out_shift));
        lump_i_jpath_key(p, "output_map");
        LUMP_CHECK(
            check_nonzero(p, net->out_scale, nout, "scale", "a zero scale erases the output"));
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

/* The header: format name, version, and the optional ignored "meta". */
static lump_error_t read_header(lump_i_jpath_t *p, const json_t *root)
{
    lump_error_t err = LUMP_OK;
    json_t *meta;
    size_t ver;
    LUMP_CHECK(lump_i_json_read_header(&ver, p, root, top_keys, FORMAT_NAME, 0, (size_t)-1,
                                       "the format version"));
    if (ver != FORMAT_VERSION) {
        lump_i_jpath_key(p, "version");
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "unsupported version %zu (this build reads "
                                  "version %d)",
                                  ver, FORMAT_VERSION);
    }
    LUMP_CHECK(lump_i_json_member(&meta, p, root, "meta", 0));
    if (meta != NULL) {
        lump_i_jpath_key(p, "meta");
        LUMP_CHECK(lump_i_json_expect_object(p, meta));
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

/* lump_net_read_json_buf -- read a lumpnet-net JSON document (see
 * docs/formats.md) from BUF[0..len) into NET, which must be initialised;
 * NAME prefixes every message. Values are exact: strings hold decimals or
 * p/q, JSON integers are accepted, JSON reals are refused. The whole shape
 * (row and bias lengths, per-neuron lists) is checked before any weight is
 * allocated, and weights go to LUMP_STORE_Q arrays, whose small fractions
 * are stored inline. On success NET's old contents are replaced; on
 * failure NET is untouched and the error is LUMP_EINPUT with the file, the
 * place (e.g. "layers[1].weights[0][2]") and the problem.
 * Complexity: O(file size + d^2 per number of d digits). */
lump_error_t lump_net_read_json_buf(lump_net_t *net, const char *buf, size_t len, const char *name)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *inputs, *layers;
    lump_i_jpath_t p;
    lump_net_t tmp;
    size_t n_inputs, n_layers = 0, i, prev;
    size_t *sizes = NULL;
    mpq_t q;
    mpq_init(q);
    lump_net_init(&tmp);
    lump_i_jpath_init(&p, name);

    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(read_header(&p, root));
    LUMP_CHECK(lump_i_json_member(&inputs, &p, root, "inputs", 1));
    lump_i_jpath_key(&p, "inputs");
    LUMP_CHECK(lump_i_json_get_size(&n_inputs, &p, inputs, 1, (size_t)-1, "the number of inputs"));
    lump_i_jpath_pop(&p);

    LUMP_CHECK(lump_i_json_member(&layers, &p, root, "layers", 1));
    lump_i_jpath_key(&p, "layers");
    LUMP_CHECK(lump_i_json_expect_array(&n_layers, &p, layers));
    if (n_layers == 0)
        LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT,
                                      "is empty (a network needs at least one "
                                      "layer: the outputs)"));
    sizes = lump_alloc_array(n_layers, sizeof *sizes);
    prev = n_inputs;
    for (i = 0; i < n_layers; i++) {
        lump_i_jpath_index(&p, i);
        LUMP_CHECK(check_layer_shape(&sizes[i], &p, json_array_get(layers, i), prev));
        lump_i_jpath_pop(&p);
        prev = sizes[i];
    }
    lump_i_jpath_pop(&p);

    err = lump_net_setup(&tmp, n_inputs, n_layers, sizes, LUMP_STORE_Q);
    if (err != LUMP_OK)
        LUMP_CHECK(lump_error_prefix(err, "%s", name));
    lump_i_jpath_key(&p, "layers");
    for (i = 0; i < n_layers; i++) {
        lump_i_jpath_index(&p, i);
        LUMP_CHECK(read_layer_values(&tmp.layers[i], q, &p, json_array_get(layers, i)));
        lump_i_jpath_pop(&p);
    }
    lump_i_jpath_pop(&p);
    LUMP_CHECK(read_optional_maps(&tmp, &p, root));
    LUMP_CHECK(lump_net_validate(&tmp, name));

    lump_i_net_move(net, &tmp);
cleanup:
    lump_net_clear(&tmp);
    free(sizes);
    json_decref(root);
    mpq_clear(q);
    return err;
}
