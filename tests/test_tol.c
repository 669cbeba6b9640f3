/* test_tol.c -- the trusted tolerance leaf bound against exact evaluation
 * (an independent oracle: eval/'s rational evaluator at corners and random
 * rational points), its exact cases, and refusals */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tol_i.h"

/* A random net N_IN -> sizes, relu hidden, identity output; weights k/8
 * (dyadic, F64) or random rationals (Q). Maps with probability 1/3 each. */
static void rand_net(lump_net_t *net, size_t n_in, size_t nl, const size_t *sizes, int dyadic,
                     int maps)
{
    mpq_t q;
    mpq_init(q);
    lump_net_init(net);
    tu_ok(lump_net_setup(net, n_in, nl, sizes, dyadic ? LUMP_STORE_F64 : LUMP_STORE_Q));
    for (size_t k = 0; k < nl; k++) {
        lump_layer_t *L = &net->layers[k];
        L->act.kind = k + 1 < nl ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
        for (size_t i = 0; i < L->size * L->in_size; i++) {
            tu_rand_q(q, 16, dyadic ? 1 : 9);
            if (dyadic)
                mpq_div_2exp(q, q, 3);
            tu_ok(lump_arr_set(&L->weight, i, q));
        }
        for (size_t v = 0; v < L->size; v++) {
            tu_rand_q(q, 8, dyadic ? 1 : 7);
            if (dyadic)
                mpq_div_2exp(q, q, 3);
            tu_ok(lump_arr_set(&L->bias, v, q));
        }
    }
    if (maps && rand() % 3 == 0) {
        tu_ok(lump_net_alloc_clip(net));
        for (size_t i = 0; i < n_in; i++) {
            tu_rand_q(net->clip_lo[i], 4, 5);
            mpq_set(net->clip_hi[i], net->clip_lo[i]);
            tu_rand_q(q, 8, 5);
            mpq_abs(q, q);
            mpq_add(net->clip_hi[i], net->clip_hi[i], q);
        }
    }
    if (maps && rand() % 3 == 0) {
        tu_ok(lump_net_alloc_norm(net));
        for (size_t i = 0; i < n_in; i++) {
            tu_rand_q(net->norm_mean[i], 4, 3);
            tu_rand_q(net->norm_range[i], 6, 5);
            if (mpq_sgn(net->norm_range[i]) == 0)
                mpq_set_ui(net->norm_range[i], 1, 3);
        }
    }
    if (maps && rand() % 3 == 0) {
        size_t m = lump_net_n_outputs(net);
        tu_ok(lump_net_alloc_outmap(net));
        for (size_t j = 0; j < m; j++) {
            tu_rand_q(net->out_scale[j], 5, 3);
            if (mpq_sgn(net->out_scale[j]) == 0)
                mpq_set_ui(net->out_scale[j], 2, 1);
            tu_rand_q(net->out_shift[j], 5, 3);
        }
    }
    mpq_clear(q);
}

/* B = A with some weights and biases moved by small rationals. */
static void perturb(lump_net_t *b, const lump_net_t *a)
{
    mpq_t q, d;
    mpq_inits(q, d, NULL);
    lump_net_init(b);
    tu_ok(lump_net_copy(b, a));
    for (size_t k = 0; k < b->n_layers; k++) {
        lump_layer_t *L = &b->layers[k];
        for (size_t i = 0; i < L->size * L->in_size; i++) {
            if (rand() % 2)
                continue;
            lump_arr_get(q, &L->weight, i);
            tu_rand_q(d, 3, 1000);
            mpq_add(q, q, d);
            tu_ok(lump_arr_set(&L->weight, i, q));
        }
    }
    mpq_clears(q, d, NULL);
}

/* The bound on the box [lo, hi] (exact), enclosed in doubles. */
static double bound_on(const lump_tol_pair_t *p, const mpq_t *lo, const mpq_t *hi, size_t n)
{
    double dl[8], dh[8], t;
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        lump_i_tol_enclose_q(&dl[i], &t, lo[i]);
        lump_i_tol_enclose_q(&t, &dh[i], hi[i]);
    }
    return lump_tol_leaf_bound(p, dl, dh);
}

/* Assert U >= |A_j(x) - B_j(x)| exactly for the selected outputs. */
static void check_point(double u, const lump_net_t *a, const lump_net_t *b, const mpq_t *x,
                        const size_t *outs, size_t n_outs, unsigned rep)
{
    size_t m = lump_net_n_outputs(a);
    mpq_t ya[8], yb[8], d, uq;
    assert_true(m <= 8);
    mpq_inits(d, uq, NULL);
    for (size_t j = 0; j < m; j++)
        mpq_inits(ya[j], yb[j], NULL);
    tu_ok(lump_eval_exact(ya, a, x));
    tu_ok(lump_eval_exact(yb, b, x));
    mpq_set_d(uq, u);
    for (size_t k = 0; k < n_outs; k++) {
        mpq_sub(d, ya[outs[k]], yb[outs[k]]);
        mpq_abs(d, d);
        if (mpq_cmp(uq, d) < 0)
            fail_msg("case %u: bound %.17g below the exact difference %.17g at output %zu "
                     "[seed %lu]",
                     rep, u, mpq_get_d(d), outs[k], tu_seed());
    }
    for (size_t j = 0; j < m; j++)
        mpq_clears(ya[j], yb[j], NULL);
    mpq_clears(d, uq, NULL);
}

/* Random pairs, random boxes: the bound is above the exact difference at
 * every corner and at random rational points, and never NaN. */
static void test_random_sound(void **state)
{
    (void)state;
    print_message("# test_random_sound: seed %lu (LUMPNET_SEED replays)\n", tu_seed());
    for (unsigned rep = 0; rep < 150; rep++) {
        size_t n = 1 + (size_t)(rand() % 4), nl = 1 + (size_t)(rand() % 3), sizes[4];
        size_t outs[3], n_outs = 0, m;
        lump_net_t a, b;
        lump_tol_pair_t *p = NULL;
        mpq_t lo[4], hi[4], x[4], t;
        double u;
        int kind = rand() % 4;
        for (size_t k = 0; k < nl; k++)
            sizes[k] = 1 + (size_t)(rand() % 4);
        rand_net(&a, n, nl, sizes, rand() % 2, 1);
        if (kind == 0) { /* unrelated, same shape */
            rand_net(&b, n, nl, sizes, rand() % 2, 1);
        } else if (kind == 1 && nl > 1) { /* other depth: unpaired */
            size_t s2[4] = {2, sizes[nl - 1], 0, 0};
            rand_net(&b, n, 2, s2, rand() % 2, 1);
        } else {
            perturb(&b, &a);
        }
        m = lump_net_n_outputs(&a);
        for (size_t j = 0; j < m && n_outs < 3; j++)
            if (rand() % 2 || j + 1 == m)
                outs[n_outs++] = j;
        tu_ok(lump_tol_pair_new(&p, &a, &b, outs, n_outs));
        mpq_init(t);
        for (size_t i = 0; i < n; i++) {
            mpq_inits(lo[i], hi[i], x[i], NULL);
            tu_rand_q(lo[i], 20, 7);
            tu_rand_q(t, 10, 7);
            mpq_abs(t, t);
            if (rand() % 6 == 0)
                mpq_set_ui(t, 0, 1); /* a flat dimension */
            mpq_add(hi[i], lo[i], t);
        }
        u = bound_on(p, (const mpq_t *)lo, (const mpq_t *)hi, n);
        assert_false(isnan(u));
        assert_true(u >= 0);
        for (unsigned c = 0; c < (1u << n); c++) { /* corners */
            for (size_t i = 0; i < n; i++)
                mpq_set(x[i], (c >> i) & 1 ? hi[i] : lo[i]);
            check_point(u, &a, &b, (const mpq_t *)x, outs, n_outs, rep);
        }
        for (unsigned s = 0; s < 30; s++) { /* random rational points */
            for (size_t i = 0; i < n; i++) {
                mpq_set_ui(t, (unsigned long)(rand() % 1001), 1000);
                mpq_sub(x[i], hi[i], lo[i]);
                mpq_mul(x[i], x[i], t);
                mpq_add(x[i], x[i], lo[i]);
            }
            check_point(u, &a, &b, (const mpq_t *)x, outs, n_outs, rep);
        }
        for (size_t i = 0; i < n; i++)
            mpq_clears(lo[i], hi[i], x[i], NULL);
        mpq_clear(t);
        lump_tol_pair_free(p);
        lump_net_clear(&a);
        lump_net_clear(&b);
    }
}

/* A = B: the bound is exactly 0 for binary weights, tiny for rationals
 * that are not doubles (their enclosures' radii). */
static void test_same_network(void **state)
{
    (void)state;
    for (unsigned rep = 0; rep < 40; rep++) {
        size_t sizes[3] = {4, 3, 2}, outs[2] = {0, 1};
        int dyadic = rep % 2 == 0;
        lump_net_t a, b;
        lump_tol_pair_t *p = NULL;
        double lo[3] = {-1, -0.5, 0}, hi[3] = {1, 0.75, 2}, u;
        rand_net(&a, 3, 3, sizes, dyadic, 1);
        lump_net_init(&b);
        tu_ok(lump_net_copy(&b, &a));
        tu_ok(lump_tol_pair_new(&p, &a, &b, outs, 2));
        u = lump_tol_leaf_bound(p, lo, hi);
        if (dyadic && !a.has_norm && !a.has_outmap)
            assert_true(u == 0);
        else if (!(u <= 1e-9))
            fail_msg("A = B: bound %g [seed %lu]", u, tu_seed());
        lump_tol_pair_free(p);
        lump_net_clear(&a);
        lump_net_clear(&b);
    }
}

/* B = A but the last bias of output 0 moved by c: the bound is c (exactly,
 * or one ulp above: the concretisation rounds up). */
static void test_last_bias(void **state)
{
    (void)state;
    for (unsigned rep = 0; rep < 40; rep++) {
        size_t sizes[3] = {5, 4, 2}, out = 0;
        lump_net_t a, b;
        lump_tol_pair_t *p = NULL;
        double lo[2] = {-2, -1}, hi[2] = {1, 3}, u, c = (double)(1 + rep) / 64;
        mpq_t q;
        mpq_init(q);
        rand_net(&a, 2, 3, sizes, 1, 0);
        lump_net_init(&b);
        tu_ok(lump_net_copy(&b, &a));
        lump_arr_get(q, &b.layers[2].bias, 0);
        mpq_set_d(q, mpq_get_d(q) + c); /* exact: k/8 + j/64 */
        tu_ok(lump_arr_set(&b.layers[2].bias, 0, q));
        tu_ok(lump_tol_pair_new(&p, &a, &b, &out, 1));
        u = lump_tol_leaf_bound(p, lo, hi);
        if (!(u >= c && u <= nextafter(c, INFINITY)))
            fail_msg("last bias moved by %g: bound %.17g [seed %lu]", c, u, tu_seed());
        lump_tol_pair_free(p);
        lump_net_clear(&a);
        lump_net_clear(&b);
        mpq_clear(q);
    }
}

/* Refusals: sigmoid, a missing output, different numbers of inputs. */
static void test_refusals(void **state)
{
    size_t sizes[2] = {2, 1}, out = 0, bad = 3;
    lump_net_t a, b, c;
    lump_tol_pair_t *p = NULL;
    (void)state;
    rand_net(&a, 2, 2, sizes, 1, 0);
    rand_net(&c, 3, 2, sizes, 1, 0);
    lump_net_init(&b);
    tu_ok(lump_net_copy(&b, &a));
    b.layers[0].act.kind = LUMP_ACT_SIGMOID;
    tu_fails(lump_tol_pair_new(&p, &a, &b, &out, 1), LUMP_EUNSUPPORTED, "sigmoid");
    assert_null(p);
    tu_fails(lump_tol_pair_new(&p, &a, &a, &bad, 1), LUMP_EUSAGE, "output 3");
    tu_fails(lump_tol_pair_new(&p, &a, &c, &out, 1), LUMP_EUSAGE, "inputs");
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_net_clear(&c);
}

/* The checker's enclosure of a box: exact for doubles, adjacent doubles
 * around other rationals (compared exactly). */
static void test_enclose_box(void **state)
{
    lump_box_t box;
    double lo[3], hi[3];
    mpq_t t;
    (void)state;
    lump_box_init(&box);
    mpq_init(t);
    tu_ok(lump_box_alloc(&box, 3));
    mpq_set_si(box.lo[0], -1, 3);
    mpq_set_si(box.hi[0], 1, 3);
    mpq_set_si(box.lo[1], 1, 2);
    mpq_set_si(box.hi[1], 3, 4);
    mpq_set_si(box.lo[2], -7, 10);
    mpq_set_si(box.hi[2], 1, 10);
    lump_tol_enclose_box(lo, hi, &box);
    assert_true(lo[1] == 0.5 && hi[1] == 0.75);
    for (size_t i = 0; i < 3; i++) {
        mpq_set_d(t, lo[i]);
        assert_true(mpq_cmp(t, box.lo[i]) <= 0);
        mpq_set_d(t, nextafter(lo[i], INFINITY));
        assert_true(mpq_cmp(t, box.lo[i]) > 0 || lo[i] == mpq_get_d(box.lo[i]));
        mpq_set_d(t, hi[i]);
        assert_true(mpq_cmp(t, box.hi[i]) >= 0);
        mpq_set_d(t, nextafter(hi[i], -INFINITY));
        assert_true(mpq_cmp(t, box.hi[i]) < 0 || i == 1);
    }
    mpq_clear(t);
    lump_box_clear(&box);
}

/* Every weight of NET rounded to the nearest float32. */
static void round_f32(lump_net_t *net)
{
    mpq_t q;
    mpq_init(q);
    for (size_t k = 0; k < net->n_layers; k++) {
        lump_layer_t *L = &net->layers[k];
        for (size_t i = 0; i < L->size * L->in_size; i++) {
            lump_arr_get(q, &L->weight, i);
            mpq_set_d(q, (double)(float)lump_rat_get_d(q));
            tu_ok(lump_arr_set(&L->weight, i, q));
        }
        for (size_t v = 0; v < L->size; v++) {
            lump_arr_get(q, &L->bias, v);
            mpq_set_d(q, (double)(float)lump_rat_get_d(q));
            tu_ok(lump_arr_set(&L->bias, v, q));
        }
    }
    mpq_clear(q);
}

/* ACAS Xu 1_1 against its float32 rounding on a small box inside prop 3:
 * the bound is sound at sampled points and within 100x of their maximum. */
static void test_acas_twin(void **state)
{
    const char *path = tu_data_path("neurodiff-acas/orig/ACASXU_run2a_1_1.nnet");
    const double c[5] = {1650, 0, 3.12, 1090, 1080}, r[5] = {3, 0.0012, 0.0004, 2.2, 2.4};
    double lo[5], hi[5], u, sampled = 0, x[5], ya[5], yb[5];
    lump_net_t a, b;
    lump_tol_pair_t *p = NULL;
    size_t out = 0;
    (void)state;
    if (path == NULL)
        skip();
    lump_net_init(&a);
    lump_net_init(&b);
    tu_ok(lump_net_read(&a, path));
    tu_ok(lump_net_copy(&b, &a));
    round_f32(&b);
    tu_ok(lump_tol_pair_new(&p, &a, &b, &out, 1));
    for (size_t i = 0; i < 5; i++) {
        lo[i] = c[i] - r[i];
        hi[i] = c[i] + r[i];
    }
    u = lump_tol_leaf_bound(p, lo, hi);
    for (int s = 0; s < 2000; s++) {
        mpq_t qx[5], qa[5], qb[5], d;
        for (size_t i = 0; i < 5; i++)
            x[i] = lo[i] + (hi[i] - lo[i]) * ((double)rand() / RAND_MAX);
        tu_ok(lump_eval_double(ya, &a, x));
        tu_ok(lump_eval_double(yb, &b, x));
        if (fabs(ya[0] - yb[0]) > sampled)
            sampled = fabs(ya[0] - yb[0]);
        if (s % 100 != 0)
            continue;
        /* exactly, now and then */
        mpq_init(d);
        for (size_t i = 0; i < 5; i++) {
            mpq_inits(qx[i], qa[i], qb[i], NULL);
            mpq_set_d(qx[i], x[i]);
        }
        tu_ok(lump_eval_exact(qa, &a, (const mpq_t *)qx));
        tu_ok(lump_eval_exact(qb, &b, (const mpq_t *)qx));
        mpq_sub(d, qa[0], qb[0]);
        mpq_abs(d, d);
        assert_true(mpq_get_d(d) <= u);
        for (size_t i = 0; i < 5; i++)
            mpq_clears(qx[i], qa[i], qb[i], NULL);
        mpq_clear(d);
    }
    print_message("# ACAS 1_1 vs float32: bound %g, sampled max %g, ratio %g\n", u, sampled,
                  u / sampled);
    assert_true(sampled > 0);
    assert_true(u >= sampled);
    assert_true(u <= 100 * sampled);
    lump_tol_pair_free(p);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_sound), cmocka_unit_test(test_same_network),
        cmocka_unit_test(test_last_bias),    cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_acas_twin),    cmocka_unit_test(test_enclose_box),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
