/* test_graph.c -- the graph (DAG) model against the MLP model on the same
 * files, and its double evaluator's batches against single evaluations */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* load_both -- REL read by the MLP reader and by the graph reader. */
static void load_both(lump_net_t *net, lump_graph_t *g, const char *rel)
{
    const char *p = tu_data_path(rel);
    int needed = -1;
    if (p == NULL)
        skip();
    tu_ok(lump_net_read(net, p));
    tu_ok(lump_graph_read(g, p, &needed));
    /* a fully connected network does not need the graph model */
    assert_int_equal(needed, 0);
}

/* The two readers and the two exact evaluators are independent code: on
 * a fully connected network they must agree exactly at random rational
 * points, and the double evaluators to rounding. */
static void same_function(const char *rel, int same_params)
{
    lump_net_t net;
    lump_graph_t g;
    size_t nin, nout;
    mpq_t *x, *y1, *y2;
    double *xd, *yd1, *yd2;
    lump_net_init(&net);
    lump_graph_init(&g);
    load_both(&net, &g, rel);
    nin = net.n_inputs;
    nout = lump_net_n_outputs(&net);
    assert_int_equal(lump_graph_n_inputs(&g), nin);
    assert_int_equal(lump_graph_n_outputs(&g), nout);
    if (same_params)
        assert_int_equal(lump_graph_params(&g), lump_net_params(&net));
    x = lump_alloc_array(nin, sizeof *x);
    y1 = lump_alloc_array(nout, sizeof *y1);
    y2 = lump_alloc_array(nout, sizeof *y2);
    xd = lump_alloc_array(nin, sizeof *xd);
    yd1 = lump_alloc_array(nout, sizeof *yd1);
    yd2 = lump_alloc_array(nout, sizeof *yd2);
    for (size_t i = 0; i < nin; i++)
        mpq_init(x[i]);
    for (size_t j = 0; j < nout; j++) {
        mpq_init(y1[j]);
        mpq_init(y2[j]);
    }
    for (int t = 0; t < 3; t++) {
        for (size_t i = 0; i < nin; i++) {
            tu_rand_q(x[i], 1000, 997);
            xd[i] = mpq_get_d(x[i]);
        }
        tu_ok(lump_eval_exact(y1, &net, x));
        tu_ok(lump_graph_eval_exact(y2, &g, x));
        for (size_t j = 0; j < nout; j++)
            if (!mpq_equal(y1[j], y2[j]))
                fail_msg("%s: output %zu differs between the MLP and the graph exact "
                         "evaluation [seed %lu]",
                         rel, j, tu_seed());
        tu_ok(lump_eval_double(yd1, &net, xd));
        tu_ok(lump_graph_eval_double(yd2, &g, xd, 1));
        for (size_t j = 0; j < nout; j++)
            if (fabs(yd1[j] - yd2[j]) > 1e-9 * fmax(1.0, fabs(yd1[j])))
                fail_msg("%s: output %zu: double %.17g vs %.17g [seed %lu]", rel, j, yd1[j], yd2[j],
                         tu_seed());
    }
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y1, nout);
    lump_rat_vec_free(y2, nout);
    free(xd);
    free(yd1);
    free(yd2);
    lump_net_clear(&net);
    lump_graph_clear(&g);
}

static void mnist_same_function(void **state)
{
    (void)state;
    same_function("vnncomp2021/mnistfc/mnist-net_256x2.onnx", 1);
}

static void acas_same_function(void **state)
{
    (void)state;
    /* the Sub of the input normalisation counts as initializer values in
     * the graph model, as weights nowhere in the MLP model */
    same_function("vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx", 0);
}

/* A batch (of a length that is not a multiple of the lanes) gives each
 * input's output exactly as a batch of one does. */
static void batch_equals_single(void **state)
{
    const char *p = tu_data_path("vnncomp2021/cifar10_resnet/resnet_2b.onnx");
    lump_graph_t g;
    size_t nin, nout, nb = 37;
    double *x, *y, *y1;
    int needed = 0;
    (void)state;
    if (p == NULL)
        skip();
    lump_graph_init(&g);
    tu_ok(lump_graph_read(&g, p, &needed));
    assert_int_equal(needed, 1);
    nin = lump_graph_n_inputs(&g);
    nout = lump_graph_n_outputs(&g);
    x = lump_alloc_array(nb * nin, sizeof *x);
    y = lump_alloc_array(nb * nout, sizeof *y);
    y1 = lump_alloc_array(nout, sizeof *y1);
    for (size_t i = 0; i < nb * nin; i++)
        x[i] = (double)gmp_urandomm_ui(tu_rand, 1u << 20) / (1u << 20);
    tu_ok(lump_graph_eval_double(y, &g, x, nb));
    for (size_t b = 0; b < nb; b++) {
        tu_ok(lump_graph_eval_double(y1, &g, x + b * nin, 1));
        for (size_t j = 0; j < nout; j++)
            if (y1[j] != y[b * nout + j])
                fail_msg("image %zu output %zu: batch %.17g, alone %.17g [seed %lu]", b, j,
                         y[b * nout + j], y1[j], tu_seed());
    }
    free(x);
    free(y);
    free(y1);
    lump_graph_clear(&g);
}

/* The exact evaluator of a residual network, rounded, is the double one
 * to rounding error (the independent check is tests/cnn_eval.sh). */
static void resnet_exact_near_double(void **state)
{
    const char *p = tu_data_path("vnncomp2021/cifar10_resnet/resnet_2b.onnx");
    lump_graph_t g;
    size_t nin, nout;
    mpq_t *x, *y;
    double *xd, *yd;
    (void)state;
    if (p == NULL)
        skip();
    lump_graph_init(&g);
    tu_ok(lump_graph_read(&g, p, NULL));
    nin = lump_graph_n_inputs(&g);
    nout = lump_graph_n_outputs(&g);
    x = lump_alloc_array(nin, sizeof *x);
    y = lump_alloc_array(nout, sizeof *y);
    xd = lump_alloc_array(nin, sizeof *xd);
    yd = lump_alloc_array(nout, sizeof *yd);
    for (size_t i = 0; i < nin; i++) {
        mpq_init(x[i]);
        mpq_set_ui(x[i], gmp_urandomm_ui(tu_rand, 1000), 1000);
        xd[i] = mpq_get_d(x[i]);
    }
    for (size_t j = 0; j < nout; j++)
        mpq_init(y[j]);
    tu_ok(lump_graph_eval_exact(y, &g, x));
    tu_ok(lump_graph_eval_double(yd, &g, xd, 1));
    for (size_t j = 0; j < nout; j++)
        if (fabs(mpq_get_d(y[j]) - yd[j]) > 1e-9 * fmax(1.0, fabs(yd[j])))
            fail_msg("output %zu: exact %.17g, double %.17g [seed %lu]", j, mpq_get_d(y[j]), yd[j],
                     tu_seed());
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y, nout);
    free(xd);
    free(yd);
    lump_graph_clear(&g);
}

/* dump -- G written as JSON (or ONNX when ONNX) into a new buffer (*LEN
 * bytes, to free). */
static char *dump(const lump_graph_t *g, int onnx, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    if (onnx)
        tu_ok(lump_graph_write_onnx(f, g, NULL));
    else
        tu_ok(lump_graph_write_json(f, g));
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* exact_equal -- A and B give the same rationals at a random point. */
static void exact_equal(const lump_graph_t *a, const lump_graph_t *b)
{
    size_t nin = lump_graph_n_inputs(a), nout = lump_graph_n_outputs(a);
    mpq_t *x = lump_rat_vec_new(nin), *y1 = lump_rat_vec_new(nout), *y2 = lump_rat_vec_new(nout);
    assert_int_equal(lump_graph_n_inputs(b), nin);
    assert_int_equal(lump_graph_n_outputs(b), nout);
    for (size_t i = 0; i < nin; i++)
        mpq_set_si(x[i], (long)gmp_urandomm_ui(tu_rand, 2001) - 1000, 999);
    tu_ok(lump_graph_eval_exact(y1, a, x));
    tu_ok(lump_graph_eval_exact(y2, b, x));
    for (size_t j = 0; j < nout; j++)
        if (!mpq_equal(y1[j], y2[j]))
            fail_msg("output %zu differs [seed %lu]", j, tu_seed());
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y1, nout);
    lump_rat_vec_free(y2, nout);
}

/* The residual network through the library calls: JSON written, read
 * back (same function, same bytes again), ONNX written and read back
 * (same function, names kept); a bad document leaves the graph as it was. */
static void resnet_write_read(void **state)
{
    const char *p = tu_data_path("vnncomp2021/cifar10_resnet/resnet_2b.onnx");
    const char *net = "{\"format\": \"lumpnet-net\"}";
    lump_graph_t g, j, o;
    size_t n1, n2, n3;
    char *t1, *t2, *bin;
    int needed = -1;
    (void)state;
    if (p == NULL)
        skip();
    lump_graph_init(&g);
    lump_graph_init(&j);
    lump_graph_init(&o);
    tu_ok(lump_graph_read(&g, p, NULL));
    t1 = dump(&g, 0, &n1);
    tu_ok(lump_graph_read_json_buf(&j, t1, n1, "r.json", &needed));
    assert_int_equal(needed, 1);
    t2 = dump(&j, 0, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(t1, t2, n1);
    exact_equal(&g, &j);
    bin = dump(&j, 1, &n3);
    tu_ok(lump_graph_read_onnx_buf(&o, (const unsigned char *)bin, n3, "r.onnx", NULL));
    exact_equal(&g, &o);
    assert_int_equal(o.n_nodes, g.n_nodes);
    for (size_t i = 0; i < g.n_nodes; i++)
        assert_string_equal(o.nodes[i].name, g.nodes[i].name);
    assert_string_equal(o.out_name, g.out_name);
    /* a wrong document: an error naming the file, J untouched */
    t1[n1 / 2] = '#';
    assert_int_equal(lump_graph_read_json_buf(&j, t1, n1, "r.json", NULL), LUMP_EINPUT);
    assert_non_null(strstr(lump_error_message(), "r.json: "));
    assert_int_equal(j.n_nodes, g.n_nodes);
    /* an MLP document is not a graph: NEEDED says so */
    assert_int_equal(lump_graph_read_json_buf(&j, net, strlen(net), "n.json", &needed),
                     LUMP_EINPUT);
    assert_int_equal(needed, 0);
    free(t1);
    free(t2);
    free(bin);
    lump_graph_clear(&g);
    lump_graph_clear(&j);
    lump_graph_clear(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mnist_same_function),
        cmocka_unit_test(acas_same_function),
        cmocka_unit_test(batch_equals_single),
        cmocka_unit_test(resnet_exact_near_double),
        cmocka_unit_test(resnet_write_read),
    };
    tu_init();
    return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
