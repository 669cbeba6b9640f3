/* test_tol_search.c -- the tolerance finder (bound/tol_search.c) on small
 * hand-made networks whose largest difference is known */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* a 2-input network: one relu layer of 2, one output: y = relu(x0 + x1 - t)
 * * s + c, all exact */
static void make_net(lump_net_t *n, const char *t, const char *s, const char *c)
{
    size_t sizes[2] = {2, 1};
    mpq_t q;
    mpq_init(q);
    lump_net_init(n);
    assert_int_equal(lump_net_setup(n, 2, 2, sizes, LUMP_STORE_Q), LUMP_OK);
    n->layers[0].act.kind = LUMP_ACT_RELU;
    mpq_set_ui(q, 1, 1);
    for (size_t k = 0; k < 2; k++)
        assert_int_equal(lump_arr_set(&n->layers[0].weight, k, q), LUMP_OK);
    assert_int_equal(lump_rat_parse_cstr(q, t), LUMP_OK);
    mpq_neg(q, q);
    assert_int_equal(lump_arr_set(&n->layers[0].bias, 0, q), LUMP_OK);
    assert_int_equal(lump_rat_parse_cstr(q, s), LUMP_OK);
    assert_int_equal(lump_arr_set(&n->layers[1].weight, 0, q), LUMP_OK);
    assert_int_equal(lump_rat_parse_cstr(q, c), LUMP_OK);
    assert_int_equal(lump_arr_set(&n->layers[1].bias, 0, q), LUMP_OK);
    mpq_clear(q);
}

/* a 2-input network from text: relu(W x + c), then v . y */
static void make_net2(lump_net_t *n, const char *const w[4], const char *const c[2],
                      const char *const v[2])
{
    size_t sizes[2] = {2, 1};
    mpq_t q;
    mpq_init(q);
    lump_net_init(n);
    assert_int_equal(lump_net_setup(n, 2, 2, sizes, LUMP_STORE_Q), LUMP_OK);
    n->layers[0].act.kind = LUMP_ACT_RELU;
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(lump_rat_parse_cstr(q, w[k]), LUMP_OK);
        assert_int_equal(lump_arr_set(&n->layers[0].weight, k, q), LUMP_OK);
    }
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(lump_rat_parse_cstr(q, c[k]), LUMP_OK);
        assert_int_equal(lump_arr_set(&n->layers[0].bias, k, q), LUMP_OK);
        assert_int_equal(lump_rat_parse_cstr(q, v[k]), LUMP_OK);
        assert_int_equal(lump_arr_set(&n->layers[1].weight, k, q), LUMP_OK);
    }
    mpq_clear(q);
}

static void unit_box(lump_box_t *box)
{
    lump_box_init(box);
    assert_int_equal(lump_box_parse_inline(box, "-1:1", 2), LUMP_OK);
}

static lump_verdict_t run(lump_tol_result_t *r, const lump_net_t *a, const lump_net_t *b,
                          const char *eps, unsigned jobs)
{
    lump_tol_opts_t o;
    lump_box_t box;
    unit_box(&box);
    lump_tol_opts_init(&o);
    assert_int_equal(lump_rat_parse_cstr(o.tolerance, eps), LUMP_OK);
    o.timeout = 60;
    o.jobs = jobs;
    lump_tol_result_init(r);
    assert_int_equal(lump_tol_search(r, a, b, &box, &o), LUMP_OK);
    lump_tol_opts_clear(&o);
    lump_box_clear(&box);
    return r->verdict;
}

/* A = B + c: within EPS exactly when c <= EPS; above, the witness is any
 * point, and its exact difference is c */
static void test_shift(void **state)
{
    lump_net_t a, b;
    lump_tol_result_t r;
    (void)state;
    make_net(&a, "1/2", "1/64", "0");
    make_net(&b, "1/2", "1/64", "1/8");
    assert_int_equal(run(&r, &a, &b, "0.13", 1), LUMP_TRUE);
    assert_non_null(r.cert);
    assert_true(r.bound <= 0.13 && r.bound >= 0.125);
    lump_tol_result_clear(&r);
    assert_int_equal(run(&r, &a, &b, "0.1249", 1), LUMP_FALSE);
    assert_null(r.cert);
    tu_q_is(r.witness_diff, "1/8");
    assert_int_equal(r.n_witness, 2);
    lump_tol_result_clear(&r);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* the difference 1/100 * relu(x0 + x1 - 1) peaks at the corner (1,1):
 * the witness search must reach it, and the witness is confirmed exactly */
static void test_corner(void **state)
{
    lump_net_t a, b;
    lump_tol_result_t r;
    mpq_t d, t;
    (void)state;
    make_net(&a, "1", "0", "0");
    make_net(&b, "1", "1/100", "0");
    assert_int_equal(run(&r, &a, &b, "0.0099", 2), LUMP_FALSE);
    /* the exact difference at the witness, recomputed here */
    mpq_init(d);
    mpq_init(t);
    mpq_add(t, r.witness[0], r.witness[1]);
    mpq_set_ui(d, 1, 1);
    mpq_sub(t, t, d);
    assert_true(mpq_sgn(t) > 0);
    mpq_set_ui(d, 1, 100);
    mpq_mul(t, t, d);
    assert_true(mpq_equal(t, r.witness_diff));
    mpq_set_str(d, "99/10000", 10);
    assert_true(mpq_cmp(t, d) > 0);
    for (size_t i = 0; i < 2; i++) { /* inside the box */
        assert_true(mpq_cmp_si(r.witness[i], 1, 1) <= 0);
        assert_true(mpq_cmp_si(r.witness[i], -1, 1) >= 0);
    }
    lump_tol_result_clear(&r);
    /* above the peak: equivalent, and the certificate passes the checker */
    assert_int_equal(run(&r, &a, &b, "0.0101", 2), LUMP_TRUE);
    {
        lump_verdict_t v = LUMP_UNKNOWN;
        char why[256];
        assert_int_equal(lump_tol_cert_check(&v, why, sizeof why, &a, &b, r.cert, r.cert_len,
                                             "cert"),
                         LUMP_OK);
        assert_int_equal(v, LUMP_TRUE);
    }
    lump_tol_result_clear(&r);
    mpq_clear(d);
    mpq_clear(t);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* the certificate bytes do not depend on the number of threads: two
 * pairs, one that a plain interval bound splits often, one that a
 * difference bound splits (a shared kink, and kinks that cross) */
static void test_jobs(void **state)
{
    static const char *const wa[4] = {"1", "1", "1", "1"}, *const wb[4] = {"1", "-1", "1", "-1"};
    static const char *const ca[2] = {"-1/3", "-1/3"}, *const cb[2] = {"-1/4", "-1/4"};
    static const char *const v[2] = {"2", "0"};
    lump_net_t a[2], b[2];
    const char *eps[2] = {"0.2", "3.6"};
    size_t leaves = 0;
    (void)state;
    make_net(&a[0], "1/3", "2", "0");
    make_net(&b[0], "1/4", "2", "0");
    make_net2(&a[1], wa, ca, v);
    make_net2(&b[1], wb, cb, v);
    for (int k = 0; k < 2; k++) {
        lump_tol_result_t r1, r3;
        assert_int_equal(run(&r1, &a[k], &b[k], eps[k], 1), LUMP_TRUE);
        assert_int_equal(run(&r3, &a[k], &b[k], eps[k], 3), LUMP_TRUE);
        leaves += r1.leaves;
        assert_int_equal(r1.cert_len, r3.cert_len);
        assert_memory_equal(r1.cert, r3.cert, r1.cert_len);
        lump_tol_result_clear(&r1);
        lump_tol_result_clear(&r3);
        lump_net_clear(&a[k]);
        lump_net_clear(&b[k]);
    }
    assert_true(leaves > 4); /* several rounds, so threads had work */
}

/* bad options are errors, not verdicts */
static void test_bad(void **state)
{
    lump_net_t a, b;
    lump_tol_opts_t o;
    lump_tol_result_t r;
    lump_box_t box;
    size_t out = 1;
    (void)state;
    make_net(&a, "1", "1", "0");
    make_net(&b, "1", "1", "0");
    lump_tol_opts_init(&o);
    mpq_set_si(o.tolerance, -1, 10);
    unit_box(&box);
    lump_tol_result_init(&r);
    assert_int_equal(lump_tol_search(&r, &a, &b, &box, &o), LUMP_EUSAGE);
    mpq_set_si(o.tolerance, 1, 10);
    o.outputs = &out;
    o.n_outputs = 1;
    assert_int_equal(lump_tol_search(&r, &a, &b, &box, &o), LUMP_EUSAGE);
    o.outputs = NULL;
    lump_box_clear(&box);
    lump_box_init(&box);
    assert_int_equal(lump_box_parse_inline(&box, "-1:1", 3), LUMP_OK);
    assert_int_equal(lump_tol_search(&r, &a, &b, &box, &o), LUMP_EUSAGE);
    assert_null(r.cert);
    lump_tol_result_clear(&r);
    lump_box_clear(&box);
    lump_tol_opts_clear(&o);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shift),
        cmocka_unit_test(test_corner),
        cmocka_unit_test(test_jobs),
        cmocka_unit_test(test_bad),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
