/* test_unroll.c -- lump_graph_unroll: the layered network computes
 * exactly the graph's function (both exact evaluators, independent code,
 * at random rational points), and its map sends every ACT entry to the
 * neuron that holds its value */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "graph_gen.h"

/* node_values -- OUT := the tensor of node I of G at IN (exactly) */
static void node_values(mpq_t *out, lump_graph_t *g, size_t i, const mpq_t *in)
{
    size_t keep = g->output;
    g->output = i;
    tu_ok(lump_graph_eval_exact(out, g, in));
    g->output = keep;
}

/* layer_values -- OUT := the neurons of layer L of NET at IN: the network
 * cut after that layer */
static void layer_values(mpq_t *out, const lump_net_t *net, size_t l, const mpq_t *in)
{
    lump_net_t cut = *net;
    cut.n_layers = l + 1;
    tu_ok(lump_eval_exact(out, &cut, in));
}

/* check -- NET (unrolled from G, with MAP) equals G at NPTS random
 * rational points, and every mapped node's entries are their neurons */
static void check(lump_graph_t *g, const lump_net_t *net, const lump_graph_unroll_map_t *map,
                  int npts, const char *what)
{
    size_t nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g), big = nout;
    mpq_t *x, *y1, *y2;
    assert_int_equal(net->n_inputs, nin);
    assert_int_equal(lump_net_n_outputs(net), nout);
    for (size_t i = 0; i < g->n_nodes; i++)
        big = g->nodes[i].shape.size > big ? g->nodes[i].shape.size : big;
    for (size_t l = 0; l < net->n_layers; l++)
        big = net->layers[l].size > big ? net->layers[l].size : big;
    x = lump_rat_vec_new(nin);
    y1 = lump_rat_vec_new(big);
    y2 = lump_rat_vec_new(big);
    for (int t = 0; t < npts; t++) {
        for (size_t i = 0; i < nin; i++)
            tu_rand_q(x[i], 1000, 997);
        tu_ok(lump_eval_exact(y1, net, x));
        tu_ok(lump_graph_eval_exact(y2, g, x));
        for (size_t j = 0; j < nout; j++)
            if (!mpq_equal(y1[j], y2[j]))
                fail_msg("%s: output %zu differs between the unrolled network and the graph "
                         "[seed %lu]", what, j, tu_seed());
        for (size_t i = 0; i < g->n_nodes; i++) {
            if (map->layer[i] == SIZE_MAX)
                continue;
            assert_true(g->nodes[i].op == LUMP_GOP_ACT || g->nodes[i].op == LUMP_GOP_MAXPOOL);
            node_values(y2, g, i, x);
            layer_values(y1, net, map->layer[i], x);
            for (size_t e = 0; e < g->nodes[i].shape.size; e++)
                if (!mpq_equal(y1[map->first[i] + e], y2[e]))
                    fail_msg("%s: node %zu entry %zu is not neuron %zu of layer %zu [seed %lu]",
                             what, i, e, map->first[i] + e, map->layer[i], tu_seed());
        }
    }
    /* every ACT node is mapped, unless its only reader, a MAXPOOL, is */
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == LUMP_GOP_ACT && map->layer[i] == SIZE_MAX) {
            size_t readers = 0, last = 0;
            for (size_t k = 0; k < g->n_nodes; k++)
                for (size_t j = 0; j < g->nodes[k].n_in; j++)
                    if (g->nodes[k].in[j] == i) {
                        readers++;
                        last = k;
                    }
            if (readers != 1 || g->nodes[last].op != LUMP_GOP_MAXPOOL ||
                map->layer[last] == SIZE_MAX)
                fail_msg("%s: ACT node %zu has no neurons [seed %lu]", what, i, tu_seed());
        }
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y1, big);
    lump_rat_vec_free(y2, big);
}

/* Seeded random small graphs of every operator, float32 and rational
 * weights. */
static void random_graphs(void **state)
{
    (void)state;
    for (int t = 0; t < 60; t++) {
        lump_graph_t g;
        lump_net_t net;
        lump_graph_unroll_map_t map;
        char what[64];
        lump_graph_init(&g);
        lump_net_init(&net);
        lump_graph_unroll_map_init(&map);
        tg_graph(&g, tu_rand, 7, 2 + (size_t)(t % 7), 3, t % 3 == 2);
        snprintf(what, sizeof what, "random graph %d (%zu nodes)", t, g.n_nodes);
        tu_ok(lump_graph_unroll(&net, &map, &g, 0));
        tu_ok(lump_net_validate(&net, what));
        check(&g, &net, &map, 2, what);
        lump_graph_unroll_map_clear(&map);
        lump_net_clear(&net);
        lump_graph_clear(&g);
    }
}

/* A network with no activation is one identity layer; the cap on the
 * dense weights refuses before allocating, and leaves OUT alone. */
static void linear_and_cap(void **state)
{
    lump_graph_t g;
    lump_net_t net;
    size_t x;
    (void)state;
    lump_graph_init(&g);
    lump_net_init(&net);
    x = lump_graph_add(&g, LUMP_GOP_INPUT, NULL, 0, "x");
    g.nodes[x].shape.ndim = 1;
    g.nodes[x].shape.dim[0] = g.nodes[x].shape.size = 5;
    g.output = x;
    tu_ok(lump_graph_unroll(&net, NULL, &g, 0));
    assert_int_equal(net.n_layers, 1);
    assert_int_equal(net.layers[0].size, 5);
    tu_fails(lump_graph_unroll(&net, NULL, &g, 24), LUMP_ENOMEM, "25 dense weights");
    assert_int_equal(net.n_layers, 1);
    lump_net_clear(&net);
    lump_graph_clear(&g);
}

/* real -- the shared network REL unrolled equals it at one random
 * rational point, its map included; skipped without the data */
static void real(const char *rel)
{
    const char *p = tu_data_path(rel);
    lump_graph_t g;
    lump_net_t net;
    lump_graph_unroll_map_t map;
    int needed = 0;
    if (p == NULL)
        skip();
    lump_graph_init(&g);
    lump_net_init(&net);
    lump_graph_unroll_map_init(&map);
    tu_ok(lump_graph_read(&g, p, &needed));
    tu_ok(lump_graph_unroll(&net, &map, &g, 0));
    check(&g, &net, &map, 1, rel);
    lump_graph_unroll_map_clear(&map);
    lump_net_clear(&net);
    lump_graph_clear(&g);
}

static void resnet(void **state)
{
    (void)state;
    real("vnncomp2021/cifar10_resnet/resnet_2b.onnx");
}

static void oval21(void **state)
{
    (void)state;
    real("vnncomp2021/oval21/cifar_base_kw.onnx");
    real("vnncomp2021/oval21/cifar_deep_kw.onnx");
}

static void marabou(void **state)
{
    (void)state;
    real("vnncomp2021/marabou-cifar10/cifar10_small.onnx");
    real("vnncomp2021/marabou-cifar10/cifar10_medium.onnx");
}

static void verivital_avgpool(void **state)
{
    (void)state;
    real("vnncomp2021/verivital/Convnet_avgpool.onnx");
}

/* Convnet_maxpool unrolls to 2.1e8 dense weights (840 MB as float32):
 * refused under a cap, with the count, before anything large is made. */
static void verivital_maxpool_cap(void **state)
{
    const char *p = tu_data_path("vnncomp2021/verivital/Convnet_maxpool.onnx");
    lump_graph_t g;
    lump_net_t net;
    int needed = 0;
    (void)state;
    if (p == NULL)
        skip();
    lump_graph_init(&g);
    lump_net_init(&net);
    tu_ok(lump_graph_read(&g, p, &needed));
    tu_fails(lump_graph_unroll(&net, NULL, &g, (size_t)1 << 26), LUMP_ENOMEM,
             "209320224 dense weights");
    lump_net_clear(&net);
    lump_graph_clear(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_graphs),
        cmocka_unit_test(linear_and_cap),
        cmocka_unit_test(resnet),
        cmocka_unit_test(oval21),
        cmocka_unit_test(marabou),
        cmocka_unit_test(verivital_avgpool),
        cmocka_unit_test(verivital_maxpool_cap),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
