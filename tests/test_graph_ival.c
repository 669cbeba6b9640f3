/* test_graph_ival.c -- exact interval arithmetic on graph networks
 * (lumpnet/graph_bound.h), against the exact graph evaluator (independent
 * code) at random rational points of random boxes: every output lies in
 * its enclosure; a box of one point encloses exactly that point's value;
 * the bound on |A_j - B_j| of a network and a perturbed copy (or another
 * architecture) is never below the exact difference at any point; a
 * network against itself is bounded by 0. Random graphs (tests/graph_gen.c)
 * have convolutions, pads, average and max pools, residual adds,
 * concatenations, transposes, affine maps, relu and leaky relu of either
 * sign. Seeded (LUMPNET_SEED, printed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "graph_gen.h"

/* random_box -- a box of G's inputs, centred in [-2, 2], of radius up to
 * 1/2 (0 when POINT) */
static void random_box(lump_box_t *box, const lump_graph_t *g, int point)
{
    mpq_t c, r;
    mpq_inits(c, r, NULL);
    tu_ok(lump_box_alloc(box, lump_graph_n_inputs(g)));
    for (size_t i = 0; i < box->n; i++) {
        tu_rand_q(c, 2000, 997);
        mpq_set_ui(r, gmp_urandomm_ui(tu_rand, 500), 1000);
        if (point)
            mpq_set_ui(r, 0, 1);
        mpq_sub(box->lo[i], c, r);
        mpq_add(box->hi[i], c, r);
    }
    mpq_clears(c, r, NULL);
}

/* random_point -- X := a random rational point of BOX (a corner when
 * CORNER) */
static void random_point(mpq_t *x, const lump_box_t *box, int corner)
{
    mpq_t t;
    mpq_init(t);
    for (size_t i = 0; i < box->n; i++) {
        if (corner) {
            mpq_set(x[i], gmp_urandomm_ui(tu_rand, 2) ? box->hi[i] : box->lo[i]);
            continue;
        }
        mpq_set_ui(t, gmp_urandomm_ui(tu_rand, 1001), 1000);
        mpq_sub(x[i], box->hi[i], box->lo[i]);
        mpq_mul(x[i], x[i], t);
        mpq_add(x[i], x[i], box->lo[i]);
    }
    mpq_clear(t);
}

/* perturb -- some weights of B (a copy of a graph) moved by a small
 * fraction of themselves */
static void perturb(lump_graph_t *b)
{
    mpq_t w, d;
    mpq_inits(w, d, NULL);
    for (size_t i = 0; i < b->n_nodes; i++) {
        lump_graph_node_t *n = &b->nodes[i];
        if (n->op != LUMP_GOP_CONV && n->op != LUMP_GOP_DENSE)
            continue;
        for (int k = 0; k < 3 && n->weight.len > 0; k++) {
            size_t e = gmp_urandomm_ui(tu_rand, n->weight.len);
            lump_arr_get(w, &n->weight, e);
            mpq_set_si(d, (long)gmp_urandomm_ui(tu_rand, 21) - 10, 256);
            mpq_mul(d, d, w);
            mpq_add(w, w, d);
            tu_ok(lump_arr_set(&n->weight, e, w));
        }
    }
    mpq_clears(w, d, NULL);
}

/* encloses -- the enclosure of G over BOX holds G's exact outputs at the
 * box's centre-free random points and corners; over a point box it is
 * that point's value */
static void encloses(const lump_graph_t *g, int t)
{
    const size_t nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g);
    mpq_t *x = lump_rat_vec_new(nin), *y = lump_rat_vec_new(nout);
    mpq_t *lo = lump_rat_vec_new(nout), *hi = lump_rat_vec_new(nout);
    lump_box_t box;
    lump_graph_ivals_t iv;
    lump_box_init(&box);
    lump_graph_ivals_init(&iv);
    random_box(&box, g, 0);
    tu_ok(lump_graph_enclose(lo, hi, g, &box, 64));
    tu_ok(lump_graph_intervals(&iv, g, &box, 64));
    for (size_t j = 0; j < nout; j++) /* the two entry points agree */
        assert_true(mpq_equal(lo[j], iv.lo[g->output][j]) && mpq_equal(hi[j], iv.hi[g->output][j]));
    for (int p = 0; p < 12; p++) {
        random_point(x, &box, p % 3 == 0);
        tu_ok(lump_graph_eval_exact(y, g, x));
        for (size_t j = 0; j < nout; j++)
            if (mpq_cmp(lo[j], y[j]) > 0 || mpq_cmp(y[j], hi[j]) > 0)
                fail_msg("graph %d: output %zu = %g outside [%g, %g] [seed %lu]", t, j,
                         mpq_get_d(y[j]), mpq_get_d(lo[j]), mpq_get_d(hi[j]), tu_seed());
    }
    lump_box_clear(&box);
    random_box(&box, g, 1);
    for (size_t i = 0; i < nin; i++)
        mpq_set(x[i], box.lo[i]);
    tu_ok(lump_graph_enclose(lo, hi, g, &box, 64));
    tu_ok(lump_graph_eval_exact(y, g, x));
    for (size_t j = 0; j < nout; j++)
        if (!mpq_equal(lo[j], y[j]) || !mpq_equal(hi[j], y[j]))
            fail_msg("graph %d: a point box does not enclose exactly the point's value (output "
                     "%zu) [seed %lu]", t, j, tu_seed());
    lump_graph_ivals_clear(&iv);
    lump_box_clear(&box);
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(y, nout);
    lump_rat_vec_free(lo, nout);
    lump_rat_vec_free(hi, nout);
}

/* bounded -- |A_j - B_j| <= BOUND_j at random points and corners of a
 * random box, exactly; the bound is at most the naive one; PAIRED as
 * expected */
static void bounded(const lump_graph_t *a, const lump_graph_t *b, int paired, int t)
{
    const size_t nin = lump_graph_n_inputs(a), nout = lump_graph_n_outputs(a);
    mpq_t *x = lump_rat_vec_new(nin), *ya = lump_rat_vec_new(nout), *yb = lump_rat_vec_new(nout);
    mpq_t *bd = lump_rat_vec_new(nout), *nv = lump_rat_vec_new(nout), d;
    lump_box_t box;
    lump_graph_bound_stats_t st;
    mpq_init(d);
    lump_box_init(&box);
    random_box(&box, a, 0);
    tu_ok(lump_graph_bound_diff(bd, nv, &st, a, b, &box, 64));
    assert_int_equal(st.paired, paired);
    for (size_t j = 0; j < nout; j++)
        assert_true(mpq_sgn(bd[j]) >= 0 && mpq_cmp(bd[j], nv[j]) <= 0);
    for (int p = 0; p < 12; p++) {
        random_point(x, &box, p % 3 == 0);
        tu_ok(lump_graph_eval_exact(ya, a, x));
        tu_ok(lump_graph_eval_exact(yb, b, x));
        for (size_t j = 0; j < nout; j++) {
            mpq_sub(d, ya[j], yb[j]);
            mpq_abs(d, d);
            if (mpq_cmp(d, bd[j]) > 0)
                fail_msg("graph %d: |A - B| = %g above the bound %g at output %zu [seed %lu]",
                         t, mpq_get_d(d), mpq_get_d(bd[j]), j, tu_seed());
        }
    }
    mpq_clear(d);
    lump_box_clear(&box);
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(ya, nout);
    lump_rat_vec_free(yb, nout);
    lump_rat_vec_free(bd, nout);
    lump_rat_vec_free(nv, nout);
}

static void random_graphs(void **state)
{
    (void)state;
    for (int t = 0; t < 40; t++) {
        lump_graph_t a, b, c;
        lump_graph_init(&a);
        lump_graph_init(&b);
        lump_graph_init(&c);
        tg_graph(&a, tu_rand, 7, 3 + (size_t)(t % 5), 3, t % 2);
        encloses(&a, t);
        tu_ok(lump_graph_copy(&b, &a));
        perturb(&b);
        bounded(&a, &b, 1, t);
        /* another architecture: each network enclosed alone */
        tg_cnn(&c, tu_rand, 6, 3);
        if (lump_graph_n_inputs(&c) == lump_graph_n_inputs(&a))
            bounded(&a, &c, 0, t);
        lump_graph_clear(&a);
        lump_graph_clear(&b);
        lump_graph_clear(&c);
    }
}

/* A network against itself: every difference is 0, so the bound is 0. */
static void against_itself(void **state)
{
    (void)state;
    for (int t = 0; t < 10; t++) {
        lump_graph_t a;
        lump_box_t box;
        mpq_t bd[2], nv[2];
        lump_graph_init(&a);
        lump_box_init(&box);
        tg_graph(&a, tu_rand, 6, 4, 2, 0);
        random_box(&box, &a, 0);
        mpq_inits(bd[0], bd[1], nv[0], nv[1], NULL);
        tu_ok(lump_graph_bound_diff(bd, nv, NULL, &a, &a, &box, 64));
        assert_int_equal(mpq_sgn(bd[0]), 0);
        assert_int_equal(mpq_sgn(bd[1]), 0);
        mpq_clears(bd[0], bd[1], nv[0], nv[1], NULL);
        lump_box_clear(&box);
        lump_graph_clear(&a);
    }
}

/* Sigmoid and tanh: no exact evaluator, so the double evaluator (another
 * code path) must lie in the enclosure of a point widened by 1e-9; the
 * enclosure of a point is narrow. */
static void smooth(void **state)
{
    (void)state;
    for (int t = 0; t < 10; t++) {
        lump_graph_t g;
        lump_box_t box;
        size_t nin, nout;
        double *x, *y;
        mpq_t *lo, *hi;
        lump_graph_init(&g);
        lump_box_init(&box);
        tg_graph(&g, tu_rand, 6, 5, 2, 0);
        for (size_t i = 0; i < g.n_nodes; i++)
            if (g.nodes[i].op == LUMP_GOP_ACT)
                g.nodes[i].act.kind = (i + (size_t)t) % 2 ? LUMP_ACT_SIGMOID : LUMP_ACT_TANH;
        nin = lump_graph_n_inputs(&g);
        nout = lump_graph_n_outputs(&g);
        random_box(&box, &g, 1);
        x = malloc(nin * sizeof *x);
        y = malloc(nout * sizeof *y);
        lo = lump_rat_vec_new(nout);
        hi = lump_rat_vec_new(nout);
        for (size_t i = 0; i < nin; i++)
            x[i] = mpq_get_d(box.lo[i]);
        for (size_t i = 0; i < nin; i++) /* the box is the double point itself */
            mpq_set_d(box.lo[i], x[i]), mpq_set_d(box.hi[i], x[i]);
        tu_ok(lump_graph_eval_double(y, &g, x, 1));
        tu_ok(lump_graph_enclose(lo, hi, &g, &box, 80));
        for (size_t j = 0; j < nout; j++) {
            double l = mpq_get_d(lo[j]), h = mpq_get_d(hi[j]), m = 1e-9 * (1 + fabs(y[j]));
            if (!(l - m <= y[j] && y[j] <= h + m) || h - l > 1e-12 * (1 + fabs(y[j])))
                fail_msg("smooth graph %d: output %zu: double %.17g, enclosure [%.17g, %.17g] "
                         "[seed %lu]", t, j, y[j], l, h, tu_seed());
        }
        free(x);
        free(y);
        lump_rat_vec_free(lo, nout);
        lump_rat_vec_free(hi, nout);
        lump_box_clear(&box);
        lump_graph_clear(&g);
    }
}

/* Bad input: a box of the wrong dimension, networks of different sizes. */
static void bad_input(void **state)
{
    lump_graph_t a, b;
    lump_box_t box;
    lump_graph_ivals_t iv;
    mpq_t bd[3], nv[3];
    (void)state;
    lump_graph_init(&a);
    lump_graph_init(&b);
    lump_box_init(&box);
    lump_graph_ivals_init(&iv);
    mpq_inits(bd[0], bd[1], bd[2], nv[0], nv[1], nv[2], NULL);
    tg_graph(&a, tu_rand, 5, 3, 3, 0);
    tu_ok(lump_box_alloc(&box, lump_graph_n_inputs(&a) + 1));
    tu_fails(lump_graph_intervals(&iv, &a, &box, 64), LUMP_EINPUT, "dimensions");
    tg_graph(&b, tu_rand, 5, 3, 2, 0);
    lump_box_clear(&box);
    tu_ok(lump_box_alloc(&box, lump_graph_n_inputs(&a)));
    tu_fails(lump_graph_bound_diff(bd, nv, NULL, &a, &b, &box, 64), LUMP_EINPUT, "outputs");
    mpq_clears(bd[0], bd[1], bd[2], nv[0], nv[1], nv[2], NULL);
    lump_graph_ivals_clear(&iv);
    lump_box_clear(&box);
    lump_graph_clear(&a);
    lump_graph_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_graphs),
        cmocka_unit_test(against_itself),
        cmocka_unit_test(smooth),
        cmocka_unit_test(bad_input),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
