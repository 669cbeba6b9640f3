/* test_glump.c -- channel-level lumping of graph networks (issue 15):
 * DESIGN section 2's scale-weighted sum counterexample at channel level,
 * and small random residual CNNs with planted redundancy whose quotient
 * equals them at random rational points, whose certificate the checker
 * accepts (and refuses once tampered) and that equiv proves equal to it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* a node of operation OP reading IN, with shape C x H x W (H = 0: flat C) */
static size_t node(lump_graph_t *g, lump_gop_t op, size_t in0, size_t in1, size_t n_in,
                   size_t c, size_t h, size_t w)
{
    size_t in[2] = {in0, in1};
    size_t k = lump_graph_add(g, op, in, n_in, NULL);
    lump_shape_t *s = &g->nodes[k].shape;
    char name[32];
    snprintf(name, sizeof name, "n%zu", k);
    free(g->nodes[k].name);
    g->nodes[k].name = lump_strdup(name);
    s->ndim = h > 0 ? 3 : 1;
    s->dim[0] = c;
    s->dim[1] = h;
    s->dim[2] = w;
    s->size = h > 0 ? c * h * w : c;
    return k;
}

static size_t conv(lump_graph_t *g, size_t in, size_t cout, size_t ksz, size_t pad)
{
    const lump_shape_t *xs = &g->nodes[in].shape;
    size_t h = xs->dim[1] + 2 * pad - ksz + 1, w = xs->dim[2] + 2 * pad - ksz + 1;
    size_t k = node(g, LUMP_GOP_CONV, in, 0, 1, cout, h, w);
    lump_graph_node_t *n = &g->nodes[k];
    n->kh = n->kw = ksz;
    n->pt = n->pl = n->pb = n->pr = pad;
    n->has_bias = 1;
    tu_ok(lump_arr_alloc(&n->weight, LUMP_STORE_F32, cout * xs->dim[0] * ksz * ksz));
    tu_ok(lump_arr_alloc(&n->bias, LUMP_STORE_F32, cout));
    return k;
}

static size_t dense(lump_graph_t *g, size_t in, size_t out)
{
    size_t k = node(g, LUMP_GOP_DENSE, in, 0, 1, out, 0, 0);
    lump_graph_node_t *n = &g->nodes[k];
    n->has_bias = 1;
    tu_ok(lump_arr_alloc(&n->weight, LUMP_STORE_F32, out * g->nodes[in].shape.size));
    tu_ok(lump_arr_alloc(&n->bias, LUMP_STORE_F32, out));
    return k;
}

static size_t relu(lump_graph_t *g, size_t in)
{
    const lump_shape_t *s = &g->nodes[in].shape;
    size_t k = node(g, LUMP_GOP_ACT, in, 0, 1, s->dim[0], s->ndim > 1 ? s->dim[1] : 0,
                    s->ndim > 1 ? s->dim[2] : 0);
    g->nodes[k].act.kind = LUMP_ACT_RELU;
    return k;
}

static size_t flatten(lump_graph_t *g, size_t in)
{
    return node(g, LUMP_GOP_RESHAPE, in, 0, 1, g->nodes[in].shape.size, 0, 0);
}

static void set(lump_arr_t *a, size_t i, double v)
{
    tu_ok(lump_arr_set_d(a, i, v));
}

/* the quotient equals G exactly at TRIES random rational points */
static void same_at_points(const lump_graph_t *g, const lump_graph_t *q, int tries)
{
    size_t nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g);
    mpq_t *x = lump_rat_vec_new(nin), *y1 = lump_rat_vec_new(nout), *y2 = lump_rat_vec_new(nout);
    assert_int_equal(lump_graph_n_inputs(q), nin);
    assert_int_equal(lump_graph_n_outputs(q), nout);
    for (int t = 0; t < tries; t++) {
        for (size_t i = 0; i < nin; i++)
            tu_rand_q(x[i], 1000, 97);
        tu_ok(lump_graph_eval_exact(y1, g, x));
        tu_ok(lump_graph_eval_exact(y2, q, x));
        for (size_t j = 0; j < nout; j++)
            if (!mpq_equal(y1[j], y2[j]))
                fail_msg("output %zu differs at a rational point [seed %lu]", j, tu_seed());
    }
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y1, nout);
    lump_rat_vec_free(y2, nout);
}

/* DESIGN section 2 at channel level: channel b = 2 * channel a after a
 * ReLU; output channel p reads (a: 1, b: 1), q reads (a: 2, b: 0) with
 * equal biases. The plain sums are both 2, but p = 3 a + c and q = 2 a + c:
 * p and q must not be merged, while a and b are (scale 2). */
static void counterexample(void **state)
{
    lump_graph_t g, q;
    lump_glumping_t L;
    lump_verdict_t valid;
    char why[512];
    size_t in, c1, c2, out;
    const double ka[4] = {1, -2, 0.5, 3};
    (void)state;
    lump_graph_init(&g);
    lump_graph_init(&q);
    lump_glumping_init(&L);
    in = node(&g, LUMP_GOP_INPUT, 0, 0, 0, 1, 3, 3);
    c1 = conv(&g, in, 2, 2, 0);
    for (size_t k = 0; k < 4; k++) {
        set(&g.nodes[c1].weight, k, ka[k]);
        set(&g.nodes[c1].weight, 4 + k, 2 * ka[k]);
    }
    set(&g.nodes[c1].bias, 0, 0.25);
    set(&g.nodes[c1].bias, 1, 0.5);
    c2 = conv(&g, relu(&g, c1), 2, 1, 0);
    set(&g.nodes[c2].weight, 0, 1); /* p: a */
    set(&g.nodes[c2].weight, 1, 1); /* p: b */
    set(&g.nodes[c2].weight, 2, 2); /* q: a */
    set(&g.nodes[c2].weight, 3, 0); /* q: b */
    set(&g.nodes[c2].bias, 0, 1);
    set(&g.nodes[c2].bias, 1, 1);
    out = dense(&g, flatten(&g, relu(&g, c2)), 1);
    for (size_t i = 0; i < g.nodes[out - 1].shape.size; i++)
        set(&g.nodes[out].weight, i, (double)(i % 3) - 1);
    g.output = out;
    tu_ok(lump_graph_partition(&L, &g, LUMP_MODE_PROPORTIONAL, 0));
    assert_int_equal(L.nodes[c1].n_blocks, 1);
    tu_q_is(L.nodes[c1].scale[1], "2");
    assert_int_equal(L.nodes[c2].n_blocks, 2); /* p and q apart */
    tu_ok(lump_graph_quotient(&q, &g, &L));
    tu_ok(lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L));
    assert_int_equal(valid, LUMP_TRUE);
    same_at_points(&g, &q, 3);
    /* a certificate that merges p and q with the plain sums is refused */
    L.nodes[c2].block[1] = 0;
    L.nodes[c2].n_blocks = 1;
    tu_ok(lump_graph_cert_check(&valid, why, sizeof why, &g, NULL, &L));
    assert_int_equal(valid, LUMP_FALSE);
    assert_non_null(strstr(why, "is not 1 times unit 0"));
    lump_glumping_clear(&L);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
}

static double rw(void)
{
    static const double v[] = {-2, -1, -0.5, 0, 0.5, 1, 1.5, 2};
    return v[gmp_urandomm_ui(tu_rand, 8)];
}

/* copy output channel FROM of conv K to channel TO times F (a power of
 * two): the consumers then see a proportional pair */
static void copy_channel(lump_graph_t *g, size_t k, size_t from, size_t to, double f)
{
    lump_graph_node_t *n = &g->nodes[k];
    size_t per = n->weight.len / n->shape.dim[0];
    for (size_t e = 0; e < per; e++)
        set(&n->weight, to * per + e, f * lump_arr_get_d(&n->weight, from * per + e));
    set(&n->bias, to, f * lump_arr_get_d(&n->bias, from));
}

static void fill(lump_graph_t *g, size_t k)
{
    for (size_t e = 0; e < g->nodes[k].weight.len; e++)
        set(&g->nodes[k].weight, e, rw());
    for (size_t e = 0; e < g->nodes[k].bias.len; e++)
        set(&g->nodes[k].bias, e, rw());
}

/* input 2x5x5 -> conv(4, 3x3, pad 1) -> relu -> conv(4, 3x3, pad 1) ->
 * add(relu) -> relu -> conv(3, 2x2) -> relu -> flatten -> dense(4) ->
 * relu -> dense(2), random small dyadic weights with planted copies */
static void random_cnn(void **state)
{
    (void)state;
    for (int t = 0; t < 6; t++) {
        lump_graph_t g, q, u;
        lump_glumping_t L, P;
        lump_verdict_t valid, eq;
        char why[512];
        size_t in, c1, r1, c2, a, c3, d1, d2, out;
        mpq_t *x;
        lump_graph_init(&g);
        lump_graph_init(&q);
        lump_graph_init(&u);
        lump_glumping_init(&L);
        lump_glumping_init(&P);
        in = node(&g, LUMP_GOP_INPUT, 0, 0, 0, 2, 5, 5);
        c1 = conv(&g, in, 4, 3, 1);
        fill(&g, c1);
        /* -1: the conv merges channels 0 and 2, the ReLU splits them again,
         * and the quotient's ReLU reads an exact selection and scaling */
        copy_channel(&g, c1, 0, 2, t % 3 == 2 ? -1 : t % 2 ? 2 : 1);
        r1 = relu(&g, c1);
        c2 = conv(&g, r1, 4, 3, 1);
        fill(&g, c2);
        copy_channel(&g, c2, 0, 2, t % 2 ? 2 : 1); /* the residual keeps a ~ 2 a */
        a = node(&g, LUMP_GOP_ADD, c2, r1, 2, 4, 5, 5);
        a = relu(&g, a);
        if (t % 2) { /* an elementwise affine node: lumped as a whole */
            size_t f = node(&g, LUMP_GOP_AFFINE, a, 0, 1, 4, 5, 5);
            tu_ok(lump_arr_alloc(&g.nodes[f].weight, LUMP_STORE_F32, 100));
            tu_ok(lump_arr_alloc(&g.nodes[f].bias, LUMP_STORE_F32, 100));
            g.nodes[f].has_bias = 1;
            for (size_t e = 0; e < 100; e++) {
                set(&g.nodes[f].weight, e, rw());
                set(&g.nodes[f].bias, e, rw());
            }
            a = f;
        }
        c3 = conv(&g, a, 3, 2, 0);
        fill(&g, c3);
        if (t % 3 == 0)
            copy_channel(&g, c3, 1, 2, 0.5);
        d1 = dense(&g, flatten(&g, relu(&g, c3)), 4);
        fill(&g, d1);
        d2 = dense(&g, relu(&g, d1), 2);
        fill(&g, d2);
        out = d2;
        g.output = out;
        tu_ok(lump_graph_partition(&L, &g, LUMP_MODE_PROPORTIONAL, 0));
        assert_true(lump_glumping_kept(&L, c1) <= 3);
        tu_ok(lump_graph_quotient(&q, &g, &L));
        if (t % 3 == 2) /* the adapter of the ReLU's input */
            assert_true(q.n_nodes > g.n_nodes);
        tu_ok(lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L));
        if (valid != LUMP_TRUE)
            fail_msg("checker refuses: %s [seed %lu]", why, tu_seed());
        same_at_points(&g, &q, 2);
        /* a wrong scale is refused */
        if (L.nodes[c1].n_blocks < L.nodes[c1].units) {
            mpq_set_ui(L.nodes[c1].scale[2], 3, 7);
            tu_ok(lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L));
            assert_int_equal(valid, LUMP_FALSE);
        }
        x = lump_rat_vec_new(lump_graph_n_inputs(&g));
        tu_ok(lump_graph_equiv(&eq, &P, &u, x, &out, &g, &g, tu_seed(), 1));
        /* an affine node is lumped as a whole: the union cannot prove then */
        assert_int_equal(eq, t % 2 ? LUMP_UNKNOWN : LUMP_TRUE);
        lump_rat_vec_free(x, lump_graph_n_inputs(&g));
        lump_glumping_clear(&P);
        lump_glumping_clear(&L);
        lump_graph_clear(&u);
        lump_graph_clear(&q);
        lump_graph_clear(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counterexample),
        cmocka_unit_test(random_cnn),
    };
    tu_init();
    return cmocka_run_group_tests_name("glump", tests, NULL, NULL);
}
