/* test_graph_box.c -- removing ReLU channels from graph networks
 * (lump_graph_cut): on real CNNs whose chosen channels are made dead by a
 * very negative bias, the cut network must equal the network at random
 * points, lose exactly the weights of those channels, and refuse cuts
 * through a residual Add */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static void load(lump_graph_t *g, const char *rel)
{
    const char *p = tu_data_path(rel);
    if (p == NULL)
        skip();
    tu_ok(lump_graph_read(g, p, NULL));
}

/* Make channel C of the Conv or dense node I dead for inputs in [0, 1]:
 * its bias becomes -10^6, far below what its weights reach there. */
static void kill_channel(lump_graph_t *g, size_t i, size_t c)
{
    mpq_t v;
    mpq_init(v);
    mpq_set_si(v, -1000000, 1);
    assert_true(g->nodes[i].has_bias);
    tu_ok(lump_arr_set(&g->nodes[i].bias, c, v));
    mpq_clear(v);
}

/* G and H agree exactly at N random rational points of [0, 1]^n. */
static void same_on_points(const lump_graph_t *g, const lump_graph_t *h, int n)
{
    size_t nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g);
    mpq_t *x = lump_rat_vec_new(nin), *y1 = lump_rat_vec_new(nout), *y2 = lump_rat_vec_new(nout);
    assert_int_equal(lump_graph_n_inputs(h), nin);
    assert_int_equal(lump_graph_n_outputs(h), nout);
    for (int t = 0; t < n; t++) {
        for (size_t i = 0; i < nin; i++) {
            tu_rand_q(x[i], 64, 64);
            mpq_abs(x[i], x[i]);
            if (mpq_cmp_ui(x[i], 1, 1) > 0)
                mpq_inv(x[i], x[i]);
        }
        tu_ok(lump_graph_eval_exact(y1, g, x));
        tu_ok(lump_graph_eval_exact(y2, h, x));
        for (size_t j = 0; j < nout; j++)
            if (!mpq_equal(y1[j], y2[j]))
                fail_msg("output %zu differs after the cut [seed %lu]", j, tu_seed());
    }
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y1, nout);
    lump_rat_vec_free(y2, nout);
}

/* cifar_base_kw: a channel of each Conv and an entry of the dense relu;
 * the weights lost are counted by hand from the shapes (Conv 3->8 4x4,
 * Conv 8->16 4x4, dense 1024->100, dense 100->10). */
static void cifar_base_cut(void **state)
{
    lump_graph_t g, h, k;
    size_t c1[] = {3}, c2[] = {5}, c3[] = {7};
    lump_graph_cut_t cuts[] = {{2, 1, c1}, {4, 1, c2}, {7, 1, c3}};
    (void)state;
    lump_graph_init(&g);
    lump_graph_init(&h);
    lump_graph_init(&k);
    load(&g, "vnncomp2021/oval21/cifar_base_kw.onnx");
    kill_channel(&g, 1, 3);
    kill_channel(&g, 3, 5);
    kill_channel(&g, 6, 7);
    tu_ok(lump_graph_cut(&h, &g, cuts, 3));
    assert_int_equal(h.nodes[2].shape.dim[0], 7);
    assert_int_equal(h.nodes[4].shape.dim[0], 15);
    assert_int_equal(h.nodes[5].shape.size, 15 * 64);
    assert_int_equal(h.nodes[7].shape.size, 99);
    /* Conv 1: 3*16 + 1; Conv 2: 16 outputs x input 3 (256) plus output 5
     * (8*16 + 1) less their common kernel (16); dense: column block of
     * channel 5 (64 x 100) plus row 7 (1024 + 1) less their overlap (64);
     * last dense: column 7 */
    assert_int_equal(lump_graph_params(&g) - lump_graph_params(&h),
                     49 + (256 + 129 - 16) + (6400 + 1025 - 64) + 10);
    same_on_points(&g, &h, 2);
    /* the same cut again gives the same network; one weight changed does not */
    tu_ok(lump_graph_cut(&k, &g, cuts, 3));
    assert_int_equal(lump_graph_diff(&h, &k), SIZE_MAX);
    {
        mpq_t v;
        mpq_init(v);
        lump_arr_get(v, &k.nodes[3].weight, 17);
        mpq_add(v, v, v);
        if (mpq_sgn(v) == 0)
            mpq_set_ui(v, 1, 1);
        tu_ok(lump_arr_set(&k.nodes[3].weight, 17, v));
        mpq_clear(v);
    }
    assert_int_equal(lump_graph_diff(&h, &k), 3);
    lump_graph_clear(&g);
    lump_graph_clear(&h);
    lump_graph_clear(&k);
}

/* One channel of the first relu of NET (node RELU, read from the Conv
 * CONV) made dead and cut: the function is unchanged at random points. */
static void one_channel(const char *rel, size_t conv, size_t relu, size_t c)
{
    lump_graph_t g, h;
    size_t ch[] = {c};
    lump_graph_cut_t cut = {relu, 1, ch};
    lump_graph_init(&g);
    lump_graph_init(&h);
    load(&g, rel);
    kill_channel(&g, conv, c);
    tu_ok(lump_graph_cut(&h, &g, &cut, 1));
    assert_int_equal(h.nodes[relu].shape.dim[0] + 1, g.nodes[relu].shape.dim[0]);
    same_on_points(&g, &h, 1);
    lump_graph_clear(&g);
    lump_graph_clear(&h);
}

/* marabou: through a Transpose (gather) and a Reshape into MatMul */
static void marabou_cut(void **state)
{
    (void)state;
    one_channel("vnncomp2021/marabou-cifar10/cifar10_small.onnx", 4, 5, 9);
}

/* verivital: through Pad and AveragePool, and through MaxPool */
static void verivital_cut(void **state)
{
    (void)state;
    one_channel("vnncomp2021/verivital/Convnet_avgpool.onnx", 1, 2, 30);
    one_channel("vnncomp2021/verivital/Convnet_maxpool.onnx", 1, 2, 0);
}

/* resnet_2b: the first relu feeds two Convs (fine); the relu after the
 * first residual Add feeds the second Add (refused), and the Add before
 * it is no Conv (refused) */
static void resnet_cut(void **state)
{
    lump_graph_t g, h;
    size_t ch[] = {2};
    lump_graph_cut_t ok = {2, 1, ch}, add = {10, 1, ch}, after_add = {8, 1, ch};
    (void)state;
    lump_graph_init(&g);
    lump_graph_init(&h);
    load(&g, "vnncomp2021/cifar10_resnet/resnet_2b.onnx");
    kill_channel(&g, 1, 2);
    tu_ok(lump_graph_cut(&h, &g, &ok, 1));
    assert_int_equal(h.nodes[3].weight.len, 16 * 7 * 9);
    assert_int_equal(h.nodes[6].weight.len, 16 * 7);
    same_on_points(&g, &h, 1);
    /* relu 10 reads Conv 9 and feeds Conv 11 only: fine structurally */
    tu_ok(lump_graph_cut(&h, &g, &add, 1));
    tu_fails(lump_graph_cut(&h, &g, &after_add, 1), LUMP_EINPUT, "node 8");
    lump_graph_clear(&g);
    lump_graph_clear(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cifar_base_cut),
        cmocka_unit_test(marabou_cut),
        cmocka_unit_test(verivital_cut),
        cmocka_unit_test(resnet_cut),
    };
    tu_init();
    return cmocka_run_group_tests_name("graph_box", tests, NULL, NULL);
}
