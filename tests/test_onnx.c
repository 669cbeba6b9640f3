/* test_onnx.c -- the ONNX reader and writer against real files, fixtures
 * with known weights, round trips and malformed files */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

/* A file below the source tree's tests/ (LUMPNET_TESTS), or NULL. */
static const char *tests_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("LUMPNET_TESTS");
    FILE *f;
    if (dir == NULL || *dir == '\0')
        return NULL;
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    if ((f = fopen(buf, "rb")) == NULL)
        return NULL;
    fclose(f);
    return buf;
}

static void load_data(lump_net_t *net, const char *rel)
{
    const char *p = tu_data_path(rel);
    if (p == NULL)
        skip();
    tu_ok(lump_net_read(net, p));
}

static void load_fixture(lump_net_t *net, const char *name)
{
    char rel[256];
    const char *p;
    snprintf(rel, sizeof rel, "data/onnx/%s", name);
    if ((p = tests_path(rel)) == NULL)
        skip();
    tu_ok(lump_net_read(net, p));
}

/* assert w(u, v) of layer L (0-based) equals the rational text Q */
static void assert_w(const lump_net_t *net, size_t l, size_t v, size_t u, const char *q)
{
    mpq_t a, b;
    const lump_layer_t *L = &net->layers[l];
    assert_true(v < L->size && u < L->in_size);
    mpq_init(a);
    mpq_init(b);
    lump_arr_get(a, &L->weight, v * L->in_size + u);
    tu_ok(lump_rat_parse_cstr(b, q));
    if (!mpq_equal(a, b))
        fail_msg("layer %zu w(%zu,%zu) = %s, expected %s", l, u, v, mpq_get_str(NULL, 10, a), q);
    mpq_clear(a);
    mpq_clear(b);
}

/* assert an entry of an array equals the double D exactly */
static void assert_arr_d(const lump_arr_t *arr, size_t i, double d)
{
    mpq_t a, b;
    mpq_init(a);
    mpq_init(b);
    lump_arr_get(a, arr, i);
    mpq_set_d(b, d);
    if (!mpq_equal(a, b))
        fail_msg("entry %zu = %.17g, expected %.17g", i, mpq_get_d(a), d);
    mpq_clear(a);
    mpq_clear(b);
}

static void assert_q(const mpq_t a, const char *q)
{
    mpq_t b;
    mpq_init(b);
    tu_ok(lump_rat_parse_cstr(b, q));
    if (!mpq_equal(a, b))
        fail_msg("%s, expected %s", mpq_get_str(NULL, 10, a), q);
    mpq_clear(b);
}

static void assert_q_d(const mpq_t a, double d)
{
    mpq_t b;
    mpq_init(b);
    mpq_set_d(b, d);
    if (!mpq_equal(a, b))
        fail_msg("%.17g, expected %.17g", mpq_get_d(a), d);
    mpq_clear(b);
}

static void assert_layers(const lump_net_t *net, size_t n_inputs, size_t n_layers,
                          const size_t *sizes, const lump_act_kind_t *acts)
{
    assert_int_equal(net->n_inputs, n_inputs);
    assert_int_equal(net->n_layers, n_layers);
    for (size_t i = 0; i < n_layers; i++) {
        assert_int_equal(net->layers[i].size, sizes[i]);
        assert_int_equal(net->layers[i].act.kind, acts[i]);
    }
}

/* exact equality of two networks, map by map and weight by weight */
static void assert_same_net(const lump_net_t *a, const lump_net_t *b)
{
    assert_int_equal(a->n_inputs, b->n_inputs);
    assert_int_equal(a->n_layers, b->n_layers);
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_t *x = &a->layers[i], *y = &b->layers[i];
        assert_int_equal(x->size, y->size);
        assert_true(lump_act_equal(&x->act, &y->act));
        assert_true(lump_arr_equal(&x->weight, &y->weight));
        assert_true(lump_arr_equal(&x->bias, &y->bias));
    }
    assert_int_equal(a->has_clip, b->has_clip);
    assert_int_equal(a->has_norm, b->has_norm);
    assert_int_equal(a->has_outmap, b->has_outmap);
    for (size_t j = 0; j < a->n_inputs; j++) {
        if (a->has_clip) {
            assert_true(mpq_equal(a->clip_lo[j], b->clip_lo[j]));
            assert_true(mpq_equal(a->clip_hi[j], b->clip_hi[j]));
        }
        if (a->has_norm) {
            assert_true(mpq_equal(a->norm_mean[j], b->norm_mean[j]));
            assert_true(mpq_equal(a->norm_range[j], b->norm_range[j]));
        }
    }
    for (size_t j = 0; a->has_outmap && j < lump_net_n_outputs(a); j++) {
        assert_true(mpq_equal(a->out_scale[j], b->out_scale[j]));
        assert_true(mpq_equal(a->out_shift[j], b->out_shift[j]));
    }
}

/* write NET as ONNX with DTYPE, read it back into BACK */
static void write_read(lump_net_t *back, const lump_net_t *net, lump_store_t dtype,
                       lump_write_opts_t *opts)
{
    const char *p = tu_tmp_path("rt.onnx");
    lump_write_opts_init(opts);
    opts->onnx_dtype = dtype;
    tu_ok(lump_net_write(p, net, opts));
    tu_ok(lump_net_read(back, p));
}

/* ---- real files ------------------------------------------------------- */

static const char *ACAS = "vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx";

static void acas_structure(void **state)
{
    lump_net_t net;
    size_t sizes[7] = {50, 50, 50, 50, 50, 50, 5};
    lump_act_kind_t acts[7];
    (void)state;
    for (int i = 0; i < 6; i++)
        acts[i] = LUMP_ACT_RELU;
    acts[6] = LUMP_ACT_IDENTITY;
    lump_net_init(&net);
    load_data(&net, ACAS);
    assert_layers(&net, 5, 7, sizes, acts);
    /* 5*50+50 + 5*(50*50+50) + 50*5+5 */
    assert_int_equal(lump_net_params(&net), 13305);
    /* the file starts with Sub(input, input_AvgImg), input_AvgImg = 0 */
    assert_true(net.has_norm);
    assert_false(net.has_clip);
    for (size_t j = 0; j < 5; j++) {
        assert_q(net.norm_mean[j], "0");
        assert_q(net.norm_range[j], "1");
    }
    lump_net_clear(&net);
}

static void acas_weights(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_data(&net, ACAS);
    /* Values read with the python onnx package (numpy_helper.to_array,
     * float.hex) from the initializers of ACASXU_run2a_1_1_batch_2000.onnx:
     * Operation_1_MatMul_W [5, 50] is x W, so w(u, v) = W[u][v]. */
    assert_arr_d(&net.layers[0].weight, 0 * 5 + 0, 0x1.ba6b36p-5);   /* W[0][0] */
    assert_arr_d(&net.layers[0].weight, 7 * 5 + 2, 0x1.ef1ceep-5);   /* W[2][7] */
    assert_arr_d(&net.layers[0].bias, 3, -0x1.82edfep-2);            /* B[3] */
    assert_arr_d(&net.layers[6].weight, 4 * 50 + 10, 0x1.23b1b6p-6); /* W7[10][4] */
    assert_arr_d(&net.layers[6].bias, 4, -0x1.e5e31ep-7);            /* B7[4] */
    assert_int_equal(net.layers[0].weight.store, LUMP_STORE_F32);
    lump_net_clear(&net);
}

static void mnist_sizes(void **state)
{
    static const char *files[3] = {"vnncomp2021/mnistfc/mnist-net_256x2.onnx",
                                   "vnncomp2021/mnistfc/mnist-net_256x4.onnx",
                                   "vnncomp2021/mnistfc/mnist-net_256x6.onnx"};
    /* 784*256+256 + (k-1)*(256*256+256) + 256*10+10 */
    static const size_t params[3] = {269322, 400906, 532490};
    (void)state;
    for (int f = 0; f < 3; f++) {
        lump_net_t net;
        size_t k = 2 + 2 * (size_t)f, sizes[7];
        lump_act_kind_t acts[7];
        for (size_t i = 0; i < k; i++) {
            sizes[i] = 256;
            acts[i] = LUMP_ACT_RELU;
        }
        sizes[k] = 10;
        acts[k] = LUMP_ACT_IDENTITY;
        lump_net_init(&net);
        load_data(&net, files[f]);
        assert_layers(&net, 784, k + 1, sizes, acts);
        assert_int_equal(lump_net_params(&net), params[f]);
        assert_false(net.has_norm);
        lump_net_clear(&net);
    }
}

static void mnist_weights(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_data(&net, "vnncomp2021/mnistfc/mnist-net_256x6.onnx");
    /* From the python onnx package: Gemm transB=1, so w(u, v) = W[v][u];
     * layers.0.weight[5][300], layers.0.bias[7], layers.12.weight[9][255]. */
    assert_arr_d(&net.layers[0].weight, 5 * 784 + 300, -0x1.076d6p-3);
    assert_arr_d(&net.layers[0].bias, 7, -0x1.150344p-6);
    assert_arr_d(&net.layers[6].weight, 9 * 256 + 255, -0x1.402546p-7);
    lump_net_clear(&net);
}

static void eran_relu(void **state)
{
    lump_net_t net;
    size_t sizes[9];
    lump_act_kind_t acts[9];
    (void)state;
    for (int i = 0; i < 9; i++) {
        sizes[i] = i < 8 ? 200 : 10;
        acts[i] = LUMP_ACT_RELU; /* this file ends with a Relu too */
    }
    lump_net_init(&net);
    load_data(&net, "vnncomp2021/eran/mnist_relu_9_200.onnx");
    assert_layers(&net, 784, 9, sizes, acts);
    /* Constant nodes 19 = 0 and 21 = 1 (python onnx): Sub 0, Div 1 */
    assert_true(net.has_norm);
    assert_q(net.norm_mean[0], "0");
    assert_q(net.norm_range[783], "1");
    /* 2.weight[1][2] (python onnx) */
    assert_arr_d(&net.layers[0].weight, 1 * 784 + 2, -0x1.e20cbap-5);
    lump_net_clear(&net);
}

static void eran_sigmoid(void **state)
{
    lump_net_t net;
    size_t sizes[7] = {200, 200, 200, 200, 200, 200, 10};
    lump_act_kind_t acts[7];
    (void)state;
    for (int i = 0; i < 6; i++)
        acts[i] = LUMP_ACT_SIGMOID;
    acts[6] = LUMP_ACT_IDENTITY;
    lump_net_init(&net);
    load_data(&net, "vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx");
    assert_layers(&net, 784, 7, sizes, acts);
    /* Constant 15 (Sub) = float32 0.1307, Constant 17 (Div) = float32
     * 0.3081, as hex from the python onnx package; one value, broadcast */
    assert_true(net.has_norm);
    for (size_t j = 0; j < 784; j += 391) {
        assert_q_d(net.norm_mean[j], 0x1.0bac72p-3);
        assert_q_d(net.norm_range[j], 0x1.3b7e9p-2);
    }
    /* 2.weight[3][400] (python onnx) */
    assert_arr_d(&net.layers[0].weight, 3 * 784 + 400, -0x1.b462c8p-2);
    lump_net_clear(&net);
}

static void vnn_test_nets(void **state)
{
    lump_net_t net;
    size_t s_small[3] = {2, 2, 1}, s_tiny[2] = {1, 1}, s_nano[1] = {1};
    lump_act_kind_t a_small[3] = {LUMP_ACT_RELU, LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_act_kind_t a_tiny[2] = {LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_act_kind_t a_nano[1] = {LUMP_ACT_RELU};
    (void)state;
    lump_net_init(&net);
    /* test_small: MatMul(W, x) with W0 [2,1] = 1, B0 1.5, W1 [2,2] = 2,
     * B1 2.5, W2 [1,2] = 3, B2 3.5 (python onnx) */
    load_data(&net, "vnncomp2021/test/test_small.onnx");
    assert_layers(&net, 1, 3, s_small, a_small);
    assert_w(&net, 0, 1, 0, "1");
    assert_arr_d(&net.layers[0].bias, 1, 1.5);
    assert_w(&net, 1, 0, 1, "2");
    assert_w(&net, 2, 0, 1, "3");
    assert_arr_d(&net.layers[2].bias, 0, 3.5);
    /* test_tiny: W0 = 1, B0 = 0, W1 = 1, B1 = 0 */
    load_data(&net, "vnncomp2021/test/test_tiny.onnx");
    assert_layers(&net, 1, 2, s_tiny, a_tiny);
    assert_w(&net, 1, 0, 0, "1");
    /* test_nano: MatMul(x, 0.5) then Relu, no Add: zero bias */
    load_data(&net, "vnncomp2021/test/test_nano.onnx");
    assert_layers(&net, 1, 1, s_nano, a_nano);
    assert_w(&net, 0, 0, 0, "1/2");
    assert_arr_d(&net.layers[0].bias, 0, 0);
    lump_net_clear(&net);
}

/* ---- fixtures (values from tests/data/onnx/make_fixtures.py) ---------- */

static void fixture_gemm_transb0(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_fixture(&net, "gemm_transb0.onnx");
    assert_int_equal(net.n_inputs, 3);
    /* alpha 0.5 times W1 [in, out] = [[1,2],[3,4],[5,6]] */
    assert_w(&net, 0, 0, 0, "1/2");
    assert_w(&net, 0, 0, 1, "3/2");
    assert_w(&net, 0, 0, 2, "5/2");
    assert_w(&net, 0, 1, 0, "1");
    assert_w(&net, 0, 1, 2, "3");
    /* beta 2 times C1 = [0.25, -1] */
    assert_arr_d(&net.layers[0].bias, 0, 0.5);
    assert_arr_d(&net.layers[0].bias, 1, -2);
    assert_int_equal(net.layers[0].act.kind, LUMP_ACT_LEAKY_RELU);
    assert_q(net.layers[0].act.alpha, "1/4");
    /* Gemm transB=1, W2 [[-1, 0.5]], C2 [0.125] */
    assert_w(&net, 1, 0, 0, "-1");
    assert_w(&net, 1, 0, 1, "1/2");
    assert_arr_d(&net.layers[1].bias, 0, 0.125);
    assert_int_equal(net.layers[1].act.kind, LUMP_ACT_IDENTITY);
    lump_net_clear(&net);
}

static void fixture_matmul_sides(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_fixture(&net, "matmul_sides.onnx");
    assert_int_equal(net.n_inputs, 2);
    /* x W1 with W1 [in=2, out=3] = [[1,-2,0.5],[0.25,3,-1]] */
    assert_w(&net, 0, 0, 0, "1");
    assert_w(&net, 0, 0, 1, "1/4");
    assert_w(&net, 0, 1, 0, "-2");
    assert_w(&net, 0, 1, 1, "3");
    assert_w(&net, 0, 2, 0, "1/2");
    assert_w(&net, 0, 2, 1, "-1");
    assert_arr_d(&net.layers[0].bias, 2, -0.5); /* Add(B1, m1) */
    assert_int_equal(net.layers[0].act.kind, LUMP_ACT_RELU);
    /* W2 x with W2 [out=2, in=3] = [[2,0,-1],[0.75,1,4]] */
    assert_w(&net, 1, 0, 2, "-1");
    assert_w(&net, 1, 1, 0, "3/4");
    assert_w(&net, 1, 1, 2, "4");
    assert_arr_d(&net.layers[1].bias, 0, -3);
    /* LeakyRelu default: the float32 0.01, not 1/100 */
    assert_int_equal(net.layers[1].act.kind, LUMP_ACT_LEAKY_RELU);
    assert_q_d(net.layers[1].act.alpha, (double)0.01f);
    assert_false(mpq_cmp_ui(net.layers[1].act.alpha, 1, 100) == 0);
    lump_net_clear(&net);
}

static void fixture_double_constants(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_fixture(&net, "double_constants.onnx");
    /* Sub Constant DOUBLE [0.5, -0.25], Div Constant value_float 4 */
    assert_true(net.has_norm);
    assert_q(net.norm_mean[0], "1/2");
    assert_q(net.norm_mean[1], "-1/4");
    assert_q(net.norm_range[0], "4");
    assert_q(net.norm_range[1], "4");
    /* DOUBLE weights keep their double values (0.1 is not a float32) */
    assert_int_equal(net.layers[0].weight.store, LUMP_STORE_F64);
    assert_arr_d(&net.layers[0].weight, 0, 0.1);
    assert_arr_d(&net.layers[0].weight, 3, 1e-3);
    assert_arr_d(&net.layers[0].bias, 0, 0.2);
    assert_int_equal(net.layers[0].act.kind, LUMP_ACT_TANH);
    lump_net_clear(&net);
}

static void fixture_float_data(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_fixture(&net, "float_data.onnx");
    /* input [1,2,2] through Reshape [1,-1], Identity, Dropout, Flatten */
    assert_int_equal(net.n_inputs, 4);
    assert_int_equal(net.n_layers, 1);
    assert_w(&net, 0, 0, 3, "4");
    assert_w(&net, 0, 1, 3, "-9/2");
    assert_arr_d(&net.layers[0].bias, 1, -0.5);
    assert_int_equal(net.layers[0].act.kind, LUMP_ACT_SIGMOID);
    lump_net_clear(&net);
}

static void fixture_clip_affine(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    load_fixture(&net, "clip_affine.onnx");
    assert_true(net.has_clip);
    assert_q(net.clip_lo[0], "-1");
    assert_q(net.clip_hi[1], "8");
    /* x/2 - 1 = (x - 2)/2 */
    assert_true(net.has_norm);
    assert_q(net.norm_mean[1], "2");
    assert_q(net.norm_range[1], "2");
    /* after the Relu: y * 3 + 0.5 */
    assert_true(net.has_outmap);
    assert_q(net.out_scale[0], "3");
    assert_q(net.out_shift[0], "1/2");
    lump_net_clear(&net);
}

/* ---- writing ---------------------------------------------------------- */

static void roundtrip_files(void **state)
{
    static const char *fixtures[] = {"gemm_transb0.onnx", "matmul_sides.onnx",
                                     "double_constants.onnx", "float_data.onnx",
                                     "clip_affine.onnx"};
    lump_write_opts_t opts;
    (void)state;
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        lump_net_t net, back;
        lump_net_init(&net);
        lump_net_init(&back);
        load_fixture(&net, fixtures[i]);
        write_read(&back, &net, LUMP_STORE_Q, &opts);
        assert_int_equal(opts.rounded, 0);
        assert_same_net(&net, &back);
        lump_net_clear(&net);
        lump_net_clear(&back);
    }
}

static void roundtrip_real(void **state)
{
    lump_net_t net, back;
    lump_write_opts_t opts;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    load_data(&net, "vnncomp2021/eran/ffnnSIGMOID__Point_6x200.onnx");
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 0);
    assert_same_net(&net, &back);
    /* float32 files stay float32 */
    assert_int_equal(back.layers[0].weight.store, LUMP_STORE_F32);
    lump_net_clear(&net);
    lump_net_clear(&back);
}

/* a 2-2-1 network with weights chosen by the caller */
static void small_net(lump_net_t *net, const char *const *w1, const char *const *w2,
                      lump_act_kind_t act2)
{
    size_t sizes[2] = {2, 1};
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, 2, 2, sizes, LUMP_STORE_F32));
    for (size_t i = 0; i < 4; i++) {
        tu_ok(lump_rat_parse_cstr(q, w1[i]));
        tu_ok(lump_arr_set(&net->layers[0].weight, i, q));
    }
    for (size_t i = 0; i < 2; i++) {
        tu_ok(lump_rat_parse_cstr(q, w2[i]));
        tu_ok(lump_arr_set(&net->layers[1].weight, i, q));
    }
    tu_ok(lump_rat_parse_cstr(q, "1/8"));
    tu_ok(lump_arr_set(&net->layers[0].bias, 1, q));
    net->layers[0].act.kind = LUMP_ACT_RELU;
    net->layers[1].act.kind = act2;
    mpq_clear(q);
}

static void write_rounds_thirds(void **state)
{
    static const char *const w1[4] = {"1/3", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net, back;
    lump_write_opts_t opts;
    mpq_t a, third;
    double err;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    mpq_init(a);
    mpq_init(third);
    small_net(&net, w1, w2, LUMP_ACT_IDENTITY);
    /* automatic: 1/3 fits no float, so float64, one rounding */
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 1);
    assert_int_equal(back.layers[0].weight.store, LUMP_STORE_F64);
    mpq_set_ui(third, 1, 3);
    lump_arr_get(a, &back.layers[0].weight, 0);
    assert_q_d(a, 1.0 / 3.0); /* the nearest double */
    /* |1/3 - nearest double| = 1/3 * 2^-54 exactly (1/3 = 0.0101.. binary) */
    err = 1.0 / 3.0 * 0x1p-54;
    assert_true(opts.max_rounding >= err * 0.999 && opts.max_rounding <= err * 1.001);
    /* the exactly representable values stay exact */
    assert_w(&back, 0, 1, 1, "1/4");
    assert_w(&back, 1, 0, 0, "3");
    /* forced float32: the nearest float32 of 1/3 */
    write_read(&back, &net, LUMP_STORE_F32, &opts);
    assert_int_equal(opts.rounded, 1);
    lump_arr_get(a, &back.layers[0].weight, 0);
    assert_q_d(a, (double)(1.0f / 3.0f));
    err = 1.0 / 3.0 * 0x1p-25;
    assert_true(opts.max_rounding >= err * 0.999 && opts.max_rounding <= err * 1.001);
    lump_net_clear(&net);
    lump_net_clear(&back);
    mpq_clear(a);
    mpq_clear(third);
}

static void write_float64_exact(void **state)
{
    static const char *const w1[4] = {"0.1", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net, back, back2;
    lump_write_opts_t opts;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    lump_net_init(&back2);
    small_net(&net, w1, w2, LUMP_ACT_IDENTITY);
    /* the first write rounds 0.1 to the nearest double; writing that
     * network again in float64 is exact and reads back identical */
    write_read(&back, &net, LUMP_STORE_F64, &opts);
    assert_int_equal(opts.rounded, 1);
    write_read(&back2, &back, LUMP_STORE_F64, &opts);
    assert_int_equal(opts.rounded, 0);
    assert_same_net(&back, &back2);
    assert_arr_d(&back2.layers[0].weight, 0, 0.1);
    lump_net_clear(&net);
    lump_net_clear(&back);
    lump_net_clear(&back2);
}

static void write_outmap_folded(void **state)
{
    static const char *const w1[4] = {"1", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net, back;
    lump_write_opts_t opts;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    small_net(&net, w1, w2, LUMP_ACT_IDENTITY);
    tu_ok(lump_net_alloc_outmap(&net));
    mpq_set_si(net.out_scale[0], -3, 4);
    mpq_set_si(net.out_shift[0], 5, 1);
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 0);
    /* identity last layer: y*(-3/4) + 5 folded into W2 and b2 */
    assert_false(back.has_outmap);
    assert_w(&back, 1, 0, 0, "-9/4");
    assert_w(&back, 1, 0, 1, "3/4");
    assert_arr_d(&back.layers[1].bias, 0, 5);
    assert_w(&back, 0, 1, 0, "-1/2");
    lump_net_clear(&net);
    lump_net_clear(&back);
}

static void write_outmap_nodes(void **state)
{
    static const char *const w1[4] = {"1", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net, back;
    lump_write_opts_t opts;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    small_net(&net, w1, w2, LUMP_ACT_TANH);
    tu_ok(lump_net_alloc_outmap(&net));
    mpq_set_si(net.out_scale[0], -3, 4);
    mpq_set_si(net.out_shift[0], 5, 1);
    tu_ok(lump_net_alloc_clip(&net));
    mpq_set_si(net.clip_lo[0], -1, 2);
    mpq_set_si(net.clip_hi[0], 1, 2);
    mpq_set_si(net.clip_lo[1], 0, 1);
    mpq_set_si(net.clip_hi[1], 7, 1);
    tu_ok(lump_net_alloc_norm(&net));
    mpq_set_si(net.norm_mean[1], 3, 8);
    mpq_set_si(net.norm_range[1], -16, 1);
    /* a tanh last layer keeps the map as Mul and Add nodes */
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 0);
    assert_same_net(&net, &back);
    lump_net_clear(&net);
    lump_net_clear(&back);
}

static void write_leaky_alpha(void **state)
{
    static const char *const w1[4] = {"1", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net, back;
    lump_write_opts_t opts;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    small_net(&net, w1, w2, LUMP_ACT_LEAKY_RELU);
    mpq_set_ui(net.layers[1].act.alpha, 1, 8);
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 0);
    assert_same_net(&net, &back);
    /* 1/100 is no float32: the attribute is rounded, and counted */
    mpq_set_ui(net.layers[1].act.alpha, 1, 100);
    write_read(&back, &net, LUMP_STORE_Q, &opts);
    assert_int_equal(opts.rounded, 1);
    assert_q_d(back.layers[1].act.alpha, (double)0.01f);
    lump_net_clear(&net);
    lump_net_clear(&back);
}

static void write_mixed_acts_refused(void **state)
{
    static const char *const w1[4] = {"1", "2", "-1/2", "0.25"};
    static const char *const w2[2] = {"3", "-1"};
    lump_net_t net;
    lump_act_t a;
    lump_write_opts_t opts;
    FILE *f = tmpfile();
    (void)state;
    assert_non_null(f);
    lump_net_init(&net);
    lump_act_init(&a);
    small_net(&net, w1, w2, LUMP_ACT_IDENTITY);
    a.kind = LUMP_ACT_TANH;
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 1, &a));
    lump_write_opts_init(&opts);
    tu_fails(lump_net_write_onnx(f, &net, &opts), LUMP_EUNSUPPORTED, "per neuron");
    fclose(f);
    lump_act_clear(&a);
    lump_net_clear(&net);
}

/* ---- malformed input -------------------------------------------------- */

static void malformed_files(void **state)
{
    static const char *const cases[][2] = {
        {"empty.onnx", "empty"},
        {"truncated.onnx", "not a valid ONNX protobuf"},
        {"bitflip_wiretype.onnx", "not a valid ONNX protobuf"},
        {"not_protobuf.onnx", "not a valid ONNX protobuf"},
        {"conv_operator.onnx", "node 1 (Conv): operator not supported"},
        {"branching_graph.onnx", "branching"},
        {"disconnected_node.onnx", "node 3 (Relu): not on the chain"},
        {"nan_weight.onnx", "tensor 'W1': element 3 is NaN"},
        {"inf_bias.onnx", "tensor 'B2': element 0 is infinite"},
        {"dims_2pow40.onnx", "claim more elements"},
        {"negative_dims.onnx", "negative dimension"},
        {"raw_length_mismatch.onnx", "raw_data length mismatch"},
        {"missing_initializer.onnx", "missing initializer"},
        {"transA.onnx", "transA"},
        {"lone_max.onnx", "needs both Max"},
        {"external_data.onnx", "external data"},
        {"int32_weights.onnx", "INT32"},
        {"size_mismatch.onnx", "takes 4 inputs"},
        {"matmul_shape_mismatch.onnx", "node 0 (MatMul): MatMul(W, x) needs x of shape [K]"},
        {"output_shape_mismatch.onnx", "the graph output 'y' is declared with shape [1, 7]"},
        {"bias_broadcast_matrix.onnx", "constant 'b' of shape [3] does not broadcast"},
    };
    (void)state;
    if (tests_path("malformed/onnx/empty.onnx") == NULL)
        skip();
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[256], path[4096];
        lump_net_t net;
        snprintf(rel, sizeof rel, "malformed/onnx/%s", cases[i][0]);
        assert_non_null(tests_path(rel));
        snprintf(path, sizeof path, "%s", tests_path(rel));
        lump_net_init(&net);
        tu_fails(lump_net_read(&net, path), LUMP_EINPUT, cases[i][1]);
        tu_fails(lump_net_read(&net, path), LUMP_EINPUT, cases[i][0]);
        lump_net_clear(&net);
    }
}

/* every prefix and many single-bit corruptions of a valid file either
 * load or fail with LUMP_EINPUT, never crash (run under valgrind) */
static void corrupted_buffers(void **state)
{
    const char *p;
    unsigned char *buf = NULL, *copy;
    size_t len = 0;
    (void)state;
    if ((p = tests_path("data/onnx/matmul_sides.onnx")) == NULL)
        skip();
    tu_ok(lump_io_read_file(&buf, &len, p));
    copy = malloc(len + 1);
    assert_non_null(copy);
    for (size_t n = 0; n < len; n++) {
        lump_net_t net;
        lump_error_t e;
        lump_net_init(&net);
        e = lump_net_read_onnx_buf(&net, buf, n, "prefix.onnx");
        assert_true(e == LUMP_OK || e == LUMP_EINPUT);
        lump_net_clear(&net);
    }
    for (int trial = 0; trial < 400; trial++) {
        lump_net_t net;
        lump_error_t e;
        size_t bit = gmp_urandomm_ui(tu_rand, 8 * len);
        memcpy(copy, buf, len);
        copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        lump_net_init(&net);
        e = lump_net_read_onnx_buf(&net, copy, len, "flip.onnx");
        if (e != LUMP_OK && e != LUMP_EINPUT)
            fail_msg("bit %zu: error %d: %s [seed %lu]", bit, (int)e, lump_error_message(),
                     tu_seed());
        if (e == LUMP_OK)
            tu_ok(lump_net_validate(&net, "flip.onnx"));
        lump_net_clear(&net);
    }
    free(copy);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acas_structure),
        cmocka_unit_test(acas_weights),
        cmocka_unit_test(mnist_sizes),
        cmocka_unit_test(mnist_weights),
        cmocka_unit_test(eran_relu),
        cmocka_unit_test(eran_sigmoid),
        cmocka_unit_test(vnn_test_nets),
        cmocka_unit_test(fixture_gemm_transb0),
        cmocka_unit_test(fixture_matmul_sides),
        cmocka_unit_test(fixture_double_constants),
        cmocka_unit_test(fixture_float_data),
        cmocka_unit_test(fixture_clip_affine),
        cmocka_unit_test(roundtrip_files),
        cmocka_unit_test(roundtrip_real),
        cmocka_unit_test(write_rounds_thirds),
        cmocka_unit_test(write_float64_exact),
        cmocka_unit_test(write_outmap_folded),
        cmocka_unit_test(write_outmap_nodes),
        cmocka_unit_test(write_leaky_alpha),
        cmocka_unit_test(write_mixed_acts_refused),
        cmocka_unit_test(malformed_files),
        cmocka_unit_test(corrupted_buffers),
    };
    tu_init();
    return cmocka_run_group_tests_name("onnx", tests, NULL, NULL);
}
