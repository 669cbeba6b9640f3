/* test_json.c -- the native exact JSON network format: values, round trips, errors */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------- */

/* Read the fixture REL (below tests/) into NET. */
static lump_error_t read_fixture(lump_net_t *net, const char *rel)
{
    size_t len;
    char *buf = tu_slurp(tu_src_path(rel), &len);
    lump_error_t err = lump_net_read_json_buf(net, buf, len, rel);
    free(buf);
    return err;
}

/* NET written as JSON text, to free(). */
static char *write_text(const lump_net_t *net)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    tu_ok(lump_net_write_json(f, net));
    assert_int_equal(fclose(f), 0);
    return text;
}

static void read_text(lump_net_t *net, const char *text)
{
    tu_ok(lump_net_read_json_buf(net, text, strlen(text), "memory.json"));
}

/* 1 when the rational A[i] equals the text S (read with GMP, not with the
 * code under test). */
static int arr_is(const lump_arr_t *a, size_t i, const char *s)
{
    mpq_t want, got;
    int eq;
    mpq_inits(want, got, NULL);
    if (mpq_set_str(want, s, 10) != 0)
        fail_msg("bad reference %s", s);
    mpq_canonicalize(want);
    lump_arr_get(got, a, i);
    eq = mpq_equal(want, got);
    if (!eq)
        gmp_fprintf(stderr, "# got %Qd, expected %Qd\n", got, want);
    mpq_clears(want, got, NULL);
    return eq;
}

static int q_is(const mpq_t v, const char *s)
{
    mpq_t want;
    int eq;
    mpq_init(want);
    if (mpq_set_str(want, s, 10) != 0)
        fail_msg("bad reference %s", s);
    mpq_canonicalize(want);
    eq = mpq_equal(want, v);
    if (!eq)
        gmp_fprintf(stderr, "# got %Qd, expected %Qd\n", v, want);
    mpq_clear(want);
    return eq;
}

static void assert_q_vec_equal(mpq_t *a, mpq_t *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        assert_true(mpq_equal(a[k], b[k]));
}

/* Exact equality of two networks, field by field. */
static void assert_net_equal(const lump_net_t *a, const lump_net_t *b)
{
    assert_int_equal(a->n_inputs, b->n_inputs);
    assert_int_equal(a->n_layers, b->n_layers);
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_t *la = &a->layers[i], *lb = &b->layers[i];
        assert_int_equal(la->size, lb->size);
        assert_int_equal(la->in_size, lb->in_size);
        assert_true(lump_arr_equal(&la->weight, &lb->weight));
        assert_true(lump_arr_equal(&la->bias, &lb->bias));
        for (size_t v = 0; v < la->size; v++)
            assert_true(lump_act_equal(lump_layer_act(la, v), lump_layer_act(lb, v)));
    }
    assert_int_equal(a->has_clip, b->has_clip);
    if (a->has_clip) {
        assert_q_vec_equal(a->clip_lo, b->clip_lo, a->n_inputs);
        assert_q_vec_equal(a->clip_hi, b->clip_hi, a->n_inputs);
    }
    assert_int_equal(a->has_norm, b->has_norm);
    if (a->has_norm) {
        assert_q_vec_equal(a->norm_mean, b->norm_mean, a->n_inputs);
        assert_q_vec_equal(a->norm_range, b->norm_range, a->n_inputs);
    }
    assert_int_equal(a->has_outmap, b->has_outmap);
    if (a->has_outmap) {
        size_t nout = lump_net_n_outputs(a);
        assert_q_vec_equal(a->out_scale, b->out_scale, nout);
        assert_q_vec_equal(a->out_shift, b->out_shift, nout);
    }
}

/* write -> read -> write: the network read back equals NET exactly, and
 * the second text is byte-identical to the first. */
static void assert_round_trip(const lump_net_t *net)
{
    lump_net_t back;
    char *t1, *t2;
    lump_net_init(&back);
    t1 = write_text(net);
    read_text(&back, t1);
    assert_net_equal(net, &back);
    t2 = write_text(&back);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    lump_net_clear(&back);
}

/* ---- the hand-written fixture, value by value -------------------------- */

static void test_fixture_shape(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    assert_int_equal(net.n_inputs, 2);
    assert_int_equal(net.n_layers, 3);
    assert_int_equal(net.layers[0].size, 3);
    assert_int_equal(net.layers[0].in_size, 2);
    assert_int_equal(net.layers[1].size, 3);
    assert_int_equal(net.layers[2].size, 1);
    assert_int_equal(net.layers[2].in_size, 3);
    lump_net_clear(&net);
}

static void test_fixture_weights(void **state)
{
    lump_net_t net;
    const lump_arr_t *w;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    w = &net.layers[0].weight;
    assert_true(arr_is(w, 0, "1"));
    assert_true(arr_is(w, 1, "-3/4"));
    assert_true(arr_is(w, 2, "1/8")); /* "0.125" */
    assert_true(arr_is(w, 3, "2"));
    assert_true(arr_is(w, 4, "1/1000")); /* "1e-3" */
    assert_true(arr_is(w, 5, "5"));      /* the JSON integer 5 */
    w = &net.layers[2].weight;
    assert_true(arr_is(w, 0, "1"));
    assert_true(arr_is(w, 1, "-1"));
    assert_true(arr_is(w, 2, "123456789012345678901234567890/7"));
    lump_net_clear(&net);
}

static void test_fixture_biases(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    assert_true(arr_is(&net.layers[0].bias, 0, "0"));
    assert_true(arr_is(&net.layers[0].bias, 1, "1/2"));
    assert_true(arr_is(&net.layers[0].bias, 2, "-25")); /* "-2.5e1" */
    assert_true(arr_is(&net.layers[1].bias, 2, "-7/3"));
    assert_true(arr_is(&net.layers[2].bias, 0, "0")); /* "-0" */
    lump_net_clear(&net);
}

static void test_fixture_activations(void **state)
{
    lump_net_t net;
    const lump_layer_t *l;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    l = &net.layers[0];
    assert_true(lump_layer_uniform_act(l));
    assert_int_equal(l->act.kind, LUMP_ACT_RELU);
    l = &net.layers[1];
    assert_false(lump_layer_uniform_act(l));
    assert_int_equal(lump_layer_act(l, 0)->kind, LUMP_ACT_RELU);
    assert_int_equal(lump_layer_act(l, 1)->kind, LUMP_ACT_SIGMOID);
    assert_int_equal(lump_layer_act(l, 2)->kind, LUMP_ACT_LEAKY_RELU);
    assert_true(q_is(lump_layer_act(l, 2)->alpha, "1/10"));
    l = &net.layers[2];
    assert_int_equal(l->act.kind, LUMP_ACT_LEAKY_RELU);
    assert_true(q_is(l->act.alpha, "1/100"));
    lump_net_clear(&net);
}

static void test_fixture_maps(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    assert_true(net.has_clip);
    assert_true(q_is(net.clip_lo[0], "0"));
    assert_true(q_is(net.clip_lo[1], "-1"));
    assert_true(q_is(net.clip_hi[0], "1"));
    assert_true(q_is(net.clip_hi[1], "1"));
    assert_true(net.has_norm);
    assert_true(q_is(net.norm_mean[1], "1/2"));
    assert_true(q_is(net.norm_range[0], "1"));
    assert_true(q_is(net.norm_range[1], "3"));
    assert_true(net.has_outmap);
    assert_true(q_is(net.out_scale[0], "2"));
    assert_true(q_is(net.out_shift[0], "-1"));
    lump_net_clear(&net);
}

/* Small fractions live inline in the Q array; only the one value that
 * does not fit 64-bit num/den takes a side-table mpq. */
static void test_fixture_storage_inline(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    assert_int_equal(net.layers[0].weight.nbig, 0);
    assert_int_equal(net.layers[1].weight.nbig, 0);
    assert_int_equal(net.layers[2].weight.nbig, 1);
    lump_net_clear(&net);
}

/* The format is found from the extension by lump_net_read as well. */
static void test_read_by_path(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_read(&net, tu_src_path("data/json/small.json")));
    assert_int_equal(net.n_layers, 3);
    lump_net_clear(&net);
}

/* ---- writing ----------------------------------------------------------- */

/* The exact text of a tiny network, written out by hand from the format
 * description in docs/formats.md. */
static void test_write_exact_text(void **state)
{
    static const char *expected = "{\n"
                                  "  \"format\": \"lumpnet-net\",\n"
                                  "  \"version\": 1,\n"
                                  "  \"inputs\": 1,\n"
                                  "  \"layers\": [\n"
                                  "    {\n"
                                  "      \"activation\": \"relu\",\n"
                                  "      \"weights\": [\n"
                                  "        [\"2\"],\n"
                                  "        [\"-1/3\"]\n"
                                  "      ],\n"
                                  "      \"bias\": [\"0.5\", \"0\"]\n"
                                  "    }\n"
                                  "  ]\n"
                                  "}\n";
    lump_net_t net;
    size_t sizes[1] = {2};
    mpq_t q;
    char *text;
    (void)state;
    lump_net_init(&net);
    mpq_init(q);
    tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_Q));
    net.layers[0].act.kind = LUMP_ACT_RELU;
    mpq_set_si(q, 2, 1);
    tu_ok(lump_arr_set(&net.layers[0].weight, 0, q));
    mpq_set_si(q, -1, 3);
    tu_ok(lump_arr_set(&net.layers[0].weight, 1, q));
    mpq_set_si(q, 1, 2);
    tu_ok(lump_arr_set(&net.layers[0].bias, 0, q));
    text = write_text(&net);
    assert_string_equal(text, expected);
    free(text);
    mpq_clear(q);
    lump_net_clear(&net);
}

static void test_fixture_round_trip(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    assert_round_trip(&net);
    lump_net_clear(&net);
}

/* "meta" is accepted on reading and not written back. */
static void test_meta_not_written(void **state)
{
    lump_net_t net;
    char *text;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    text = write_text(&net);
    assert_null(strstr(text, "meta"));
    assert_null(strstr(text, "hand-written"));
    free(text);
    lump_net_clear(&net);
}

/* A per-neuron list of equal activations is written in the layer form. */
static void test_uniform_per_neuron_written_as_layer(void **state)
{
    lump_net_t net;
    char *text;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/uniform_per_neuron.json"));
    assert_true(lump_layer_uniform_act(&net.layers[0]));
    assert_int_equal(lump_layer_act(&net.layers[0], 1)->kind, LUMP_ACT_TANH);
    assert_true(lump_layer_uniform_act(&net.layers[1])); /* 1/5 == 0.2 */
    text = write_text(&net);
    assert_null(strstr(text, "\"activations\""));
    assert_non_null(strstr(text, "\"activation\": \"tanh\""));
    assert_non_null(strstr(text, "\"alpha\": \"0.2\""));
    free(text);
    lump_net_clear(&net);
}

/* A per-neuron table whose entries agree is one activation, whatever the
 * layer default says. */
static void test_equal_neuron_table_written_as_layer(void **state)
{
    lump_net_t net;
    size_t sizes[1] = {3};
    lump_act_t a;
    char *text;
    (void)state;
    lump_net_init(&net);
    lump_act_init(&a);
    tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_Q));
    a.kind = LUMP_ACT_SIGMOID;
    for (size_t v = 0; v < 3; v++)
        tu_ok(lump_layer_set_neuron_act(&net.layers[0], v, &a));
    text = write_text(&net);
    assert_null(strstr(text, "\"activations\""));
    assert_non_null(strstr(text, "\"activation\": \"sigmoid\""));
    free(text);
    lump_act_clear(&a);
    lump_net_clear(&net);
}

/* A mixed layer is written in the per-neuron form, leaky ones as objects. */
static void test_mixed_layer_written_per_neuron(void **state)
{
    lump_net_t net;
    char *text;
    (void)state;
    lump_net_init(&net);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    text = write_text(&net);
    assert_non_null(strstr(text, "\"activations\": [\n"
                                 "        \"relu\",\n"
                                 "        \"sigmoid\",\n"
                                 "        {\"activation\": \"leaky_relu\", "
                                 "\"alpha\": \"0.1\"}\n"
                                 "      ],\n"));
    free(text);
    lump_net_clear(&net);
}

static void test_leaky_alpha_round_trip(void **state)
{
    lump_net_t net;
    size_t sizes[2] = {3, 2};
    mpq_t q;
    lump_act_t a;
    (void)state;
    lump_net_init(&net);
    mpq_init(q);
    lump_act_init(&a);
    tu_ok(lump_net_setup(&net, 2, 2, sizes, LUMP_STORE_Q));
    net.layers[0].act.kind = LUMP_ACT_LEAKY_RELU;
    mpq_set_si(net.layers[0].act.alpha, -22, 7);
    a.kind = LUMP_ACT_LEAKY_RELU;
    mpq_set_si(a.alpha, 1, 3);
    tu_ok(lump_layer_set_neuron_act(&net.layers[1], 0, &a));
    a.kind = LUMP_ACT_TANH;
    mpq_set_ui(a.alpha, 0, 1);
    tu_ok(lump_layer_set_neuron_act(&net.layers[1], 1, &a));
    mpq_set_si(q, 5, 9);
    tu_ok(lump_arr_set(&net.layers[1].weight, 4, q));
    assert_round_trip(&net);
    lump_act_clear(&a);
    mpq_clear(q);
    lump_net_clear(&net);
}

static void test_maps_round_trip(void **state)
{
    lump_net_t net;
    size_t sizes[2] = {2, 3};
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 2, 2, sizes, LUMP_STORE_Q));
    tu_ok(lump_net_alloc_clip(&net));
    tu_ok(lump_net_alloc_norm(&net));
    tu_ok(lump_net_alloc_outmap(&net));
    mpq_set_si(net.clip_lo[0], -7, 2);
    mpq_set_si(net.clip_hi[0], 1, 3);
    mpq_set_si(net.clip_lo[1], 5, 1);
    mpq_set_si(net.clip_hi[1], 5, 1);
    mpq_set_si(net.norm_mean[1], -1, 9);
    mpq_set_si(net.norm_range[0], 3, 10);
    mpq_set_si(net.out_scale[2], -4, 11);
    mpq_set_si(net.out_shift[1], 1000001, 1);
    assert_round_trip(&net);
    lump_net_clear(&net);
}

/* Values that need the side table of mpq_t survive the round trip. */
static void test_big_values_round_trip(void **state)
{
    lump_net_t net;
    size_t sizes[1] = {2};
    mpq_t q;
    (void)state;
    lump_net_init(&net);
    mpq_init(q);
    tu_ok(lump_net_setup(&net, 2, 1, sizes, LUMP_STORE_Q));
    assert_int_equal(mpq_set_str(q, "-98765432109876543210987654322/3", 10), 0);
    mpq_canonicalize(q);
    tu_ok(lump_arr_set(&net.layers[0].weight, 1, q));
    assert_int_equal(mpq_set_str(q, "1/340282366920938463463374607431768211456", 10), 0);
    mpq_canonicalize(q);
    tu_ok(lump_arr_set(&net.layers[0].bias, 0, q));
    assert_round_trip(&net);
    mpq_clear(q);
    lump_net_clear(&net);
}

/* Float-stored arrays (as read from ONNX) are written exactly too. */
static void test_float_store_round_trip(void **state)
{
    lump_net_t net, back;
    size_t sizes[1] = {2};
    char *text;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    tu_ok(lump_net_setup(&net, 2, 1, sizes, LUMP_STORE_F32));
    tu_ok(lump_arr_set_f(&net.layers[0].weight, 0, 0.1f));
    tu_ok(lump_arr_set_f(&net.layers[0].weight, 3, -3.0e-20f));
    tu_ok(lump_arr_set_d(&net.layers[0].bias, 1, 1.0 / 3.0));
    text = write_text(&net);
    read_text(&back, text);
    assert_net_equal(&net, &back);
    assert_true(arr_is(&back.layers[0].weight, 0, "13421773/134217728"));
    free(text);
    lump_net_clear(&back);
    lump_net_clear(&net);
}

static void random_act(lump_act_t *a)
{
    a->kind = (lump_act_kind_t)gmp_urandomm_ui(tu_rand, 5);
    if (a->kind == LUMP_ACT_LEAKY_RELU)
        tu_rand_q(a->alpha, 10, 10);
    else
        mpq_set_ui(a->alpha, 0, 1);
}

/* Random networks: write -> read gives the same values exactly, and
 * write -> read -> write gives the same bytes. */
static void test_random_round_trip(void **state)
{
    (void)state;
    for (int iter = 0; iter < 60; iter++) {
        lump_net_t net;
        size_t sizes[4], n_in = 1 + gmp_urandomm_ui(tu_rand, 5);
        size_t n_layers = 1 + gmp_urandomm_ui(tu_rand, 4);
        mpq_t q;
        lump_act_t a;
        lump_net_init(&net);
        mpq_init(q);
        lump_act_init(&a);
        for (size_t i = 0; i < n_layers; i++)
            sizes[i] = 1 + gmp_urandomm_ui(tu_rand, 6);
        tu_ok(lump_net_setup(&net, n_in, n_layers, sizes, LUMP_STORE_Q));
        for (size_t i = 0; i < n_layers; i++) {
            lump_layer_t *l = &net.layers[i];
            random_act(&l->act);
            if (gmp_urandomm_ui(tu_rand, 3) == 0)
                for (size_t v = 0; v < l->size; v++) {
                    random_act(&a);
                    tu_ok(lump_layer_set_neuron_act(l, v, &a));
                }
            for (size_t k = 0; k < l->weight.len; k++) {
                unsigned long big = gmp_urandomm_ui(tu_rand, 20) == 0;
                tu_rand_q(q, big ? 4000000000UL : 1000, big ? 4000000000UL : 64);
                if (big)
                    mpq_mul(q, q, q); /* past 64-bit num/den now and then */
                tu_ok(lump_arr_set(&l->weight, k, q));
            }
            for (size_t v = 0; v < l->size; v++) {
                tu_rand_q(q, 1000, 1000);
                tu_ok(lump_arr_set(&l->bias, v, q));
            }
        }
        if (gmp_urandomm_ui(tu_rand, 2)) {
            tu_ok(lump_net_alloc_clip(&net));
            for (size_t j = 0; j < n_in; j++) {
                tu_rand_q(net.clip_lo[j], 100, 10);
                tu_rand_q(net.clip_hi[j], 100, 10);
                if (mpq_cmp(net.clip_lo[j], net.clip_hi[j]) > 0)
                    mpq_swap(net.clip_lo[j], net.clip_hi[j]);
            }
        }
        if (gmp_urandomm_ui(tu_rand, 2)) {
            tu_ok(lump_net_alloc_norm(&net));
            for (size_t j = 0; j < n_in; j++) {
                tu_rand_q(net.norm_mean[j], 100, 10);
                tu_rand_q(net.norm_range[j], 100, 10);
                if (mpq_sgn(net.norm_range[j]) == 0)
                    mpq_set_ui(net.norm_range[j], 1, 7);
            }
        }
        if (gmp_urandomm_ui(tu_rand, 2)) {
            tu_ok(lump_net_alloc_outmap(&net));
            for (size_t j = 0; j < lump_net_n_outputs(&net); j++) {
                tu_rand_q(net.out_scale[j], 100, 10);
                tu_rand_q(net.out_shift[j], 100, 10);
                if (mpq_sgn(net.out_scale[j]) == 0)
                    mpq_set_si(net.out_scale[j], -3, 1);
            }
        }
        assert_round_trip(&net);
        lump_act_clear(&a);
        mpq_clear(q);
        lump_net_clear(&net);
    }
}

/* ---- errors ------------------------------------------------------------ */

/* A failed read leaves the destination network as it was. */
static void test_failed_read_keeps_net(void **state)
{
    lump_net_t net, ref;
    size_t len;
    char *buf;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&ref);
    tu_ok(read_fixture(&net, "data/json/small.json"));
    tu_ok(read_fixture(&ref, "data/json/small.json"));
    buf = tu_slurp(tu_src_path("malformed/json/div_by_zero.json"), &len);
    assert_int_equal(lump_net_read_json_buf(&net, buf, len, "div_by_zero.json"), LUMP_EINPUT);
    assert_net_equal(&net, &ref);
    free(buf);
    lump_net_clear(&ref);
    lump_net_clear(&net);
}

/* Reading the malformed file FILE fails with LUMP_EINPUT, and the message
 * names the file and contains NEEDLE (the place, or the parser's
 * line/column). */
static void expect_malformed(const char *file, const char *needle)
{
    lump_net_t net;
    char rel[256];
    size_t len;
    char *buf;
    snprintf(rel, sizeof rel, "malformed/json/%s", file);
    buf = tu_slurp(tu_src_path(rel), &len);
    lump_net_init(&net);
    tu_fails(lump_net_read_json_buf(&net, buf, len, file), LUMP_EINPUT, needle);
    if (strncmp(lump_error_message(), file, strlen(file)) != 0)
        fail_msg("message does not start with the file name: %s", lump_error_message());
    assert_int_equal(net.n_layers, 0);
    lump_net_clear(&net);
    free(buf);
}

#define MALFORMED(fn, file, needle)                                                                \
    static void fn(void **state)                                                                   \
    {                                                                                              \
        (void)state;                                                                               \
        expect_malformed(file, needle);                                                            \
    }

MALFORMED(test_bad_div_by_zero, "div_by_zero.json", ": layers[0].weights[0][1]: ")
MALFORMED(test_bad_huge_exponent, "huge_exponent.json", ": layers[0].bias[0]: ")
MALFORMED(test_bad_real_number, "real_number.json",
          "layers[0].weights[1][0]: expected a string holding a rational, "
          "found a real number")
MALFORMED(test_bad_nan_weight, "nan_weight.json",
          "layers[0].weights[0][0]: \"NaN\" is not a finite number")
MALFORMED(test_bad_infinity_bias, "infinity_bias.json",
          "layers[0].bias[0]: \"-Infinity\" is not a finite number")
MALFORMED(test_bad_truncated, "truncated.json", ": line 2, column ")
MALFORMED(test_bad_not_json, "not_json.txt.json", ": line 1, column ")
MALFORMED(test_bad_row_too_short, "row_too_short.json",
          "layers[0].weights[1]: has 1 entry, expected 2")
MALFORMED(test_bad_bias_too_long, "bias_too_long.json", "layers[0].bias: has 2 entries, expected 1")
MALFORMED(test_bad_unknown_activation, "unknown_activation.json",
          "layers[1].activation: unknown activation 'swish'")
MALFORMED(test_bad_missing_alpha, "missing_alpha.json", "layers[0]: leaky_relu needs \"alpha\"")
MALFORMED(test_bad_negative_inputs, "negative_inputs.json",
          ": inputs: the number of inputs must be at least 1, found -2")
MALFORMED(test_bad_duplicate_key, "duplicate_key.json", "duplicate")
MALFORMED(test_bad_zero_range, "zero_range.json", ": normalize.range[1]: is 0")
MALFORMED(test_bad_zero_scale, "zero_scale.json", ": output_map.scale[0]: is 0")
MALFORMED(test_bad_clip_inverted, "clip_inverted.json",
          ": clip.lower[1]: lower bound exceeds upper[1]")
MALFORMED(test_bad_layer_claims_huge, "layer_claims_huge.json",
          "layers[0].weights[0]: has 2 entries, expected 1099511627776")
MALFORMED(test_bad_empty_layers, "empty_layers.json", ": layers: is empty")
MALFORMED(test_bad_unknown_key, "unknown_key.json", "layers[0]: unknown key \"weigths\"")
MALFORMED(test_bad_wrong_version, "wrong_version.json", ": version: unsupported version 7")
MALFORMED(test_bad_deep_nesting, "deep_nesting.json", "depth")

/* A JSON real anywhere a rational is expected is refused with the reason. */
static void test_real_refusal_explains(void **state)
{
    static const char *text = "{\"format\": \"lumpnet-net\", \"version\": 1, \"inputs\": 1,"
                              " \"layers\": [{\"activation\": \"leaky_relu\", \"alpha\": 1e-2,"
                              " \"weights\": [[\"1\"]], \"bias\": [\"0\"]}]}";
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_fails(lump_net_read_json_buf(&net, text, strlen(text), "alpha.json"), LUMP_EINPUT,
             "alpha.json: layers[0].alpha: expected a string");
    assert_non_null(strstr(lump_error_message(), "cannot carry an exact decimal"));
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_shape),
        cmocka_unit_test(test_fixture_weights),
        cmocka_unit_test(test_fixture_biases),
        cmocka_unit_test(test_fixture_activations),
        cmocka_unit_test(test_fixture_maps),
        cmocka_unit_test(test_fixture_storage_inline),
        cmocka_unit_test(test_read_by_path),
        cmocka_unit_test(test_write_exact_text),
        cmocka_unit_test(test_fixture_round_trip),
        cmocka_unit_test(test_meta_not_written),
        cmocka_unit_test(test_uniform_per_neuron_written_as_layer),
        cmocka_unit_test(test_equal_neuron_table_written_as_layer),
        cmocka_unit_test(test_mixed_layer_written_per_neuron),
        cmocka_unit_test(test_leaky_alpha_round_trip),
        cmocka_unit_test(test_maps_round_trip),
        cmocka_unit_test(test_big_values_round_trip),
        cmocka_unit_test(test_float_store_round_trip),
        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_failed_read_keeps_net),
        cmocka_unit_test(test_bad_div_by_zero),
        cmocka_unit_test(test_bad_huge_exponent),
        cmocka_unit_test(test_bad_real_number),
        cmocka_unit_test(test_bad_nan_weight),
        cmocka_unit_test(test_bad_infinity_bias),
        cmocka_unit_test(test_bad_truncated),
        cmocka_unit_test(test_bad_not_json),
        cmocka_unit_test(test_bad_row_too_short),
        cmocka_unit_test(test_bad_bias_too_long),
        cmocka_unit_test(test_bad_unknown_activation),
        cmocka_unit_test(test_bad_missing_alpha),
        cmocka_unit_test(test_bad_negative_inputs),
        cmocka_unit_test(test_bad_duplicate_key),
        cmocka_unit_test(test_bad_zero_range),
        cmocka_unit_test(test_bad_zero_scale),
        cmocka_unit_test(test_bad_clip_inverted),
        cmocka_unit_test(test_bad_layer_claims_huge),
        cmocka_unit_test(test_bad_empty_layers),
        cmocka_unit_test(test_bad_unknown_key),
        cmocka_unit_test(test_bad_wrong_version),
        cmocka_unit_test(test_bad_deep_nesting),
        cmocka_unit_test(test_real_refusal_explains),
    };
    tu_init();
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
