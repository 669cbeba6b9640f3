/* test_stable.c -- reduction on a box: exact folding, layer reduction, the
 * whole pipeline against exact evaluation, box certificates and their checker */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "stable_i.h"

/* A random network with N_INPUTS inputs and layers SIZES[0..k), small
 * rational weights, relu hidden layers (ACT) and an identity output. */
static void random_net(lump_net_t *net, size_t n_inputs, size_t k, const size_t *sizes,
                       lump_act_kind_t act)
{
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, n_inputs, k, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < k; i++) {
        lump_layer_t *L = &net->layers[i];
        L->act.kind = i + 1 < k ? act : LUMP_ACT_IDENTITY;
        for (size_t j = 0; j < L->size * L->in_size; j++) {
            tu_rand_q(q, 9, 4);
            tu_ok(lump_arr_set(&L->weight, j, q));
        }
        for (size_t v = 0; v < L->size; v++) {
            tu_rand_q(q, 9, 4);
            tu_ok(lump_arr_set(&L->bias, v, q));
        }
    }
    mpq_clear(q);
}

/* Row V of layer L := sum_k c_k row(src_k) + d (weights and bias). */
static void plant_row(lump_layer_t *L, size_t v, const size_t *src, const long *c, size_t n, long d)
{
    mpq_t acc, w, t;
    mpq_inits(acc, w, t, NULL);
    for (size_t u = 0; u <= L->in_size; u++) {
        mpq_set_ui(acc, 0, 1);
        for (size_t k = 0; k < n; k++) {
            if (u < L->in_size)
                lump_arr_get(w, &L->weight, src[k] * L->in_size + u);
            else
                lump_arr_get(w, &L->bias, src[k]);
            mpq_set_si(t, c[k], 3);
            mpq_mul(t, t, w);
            mpq_add(acc, acc, t);
        }
        if (u < L->in_size)
            tu_ok(lump_arr_set(&L->weight, v * L->in_size + u, acc));
        else {
            mpq_set_si(t, d, 1);
            mpq_add(acc, acc, t);
            tu_ok(lump_arr_set(&L->bias, v, acc));
        }
    }
    mpq_clears(acc, w, t, NULL);
}

static void box_set(lump_box_t *box, size_t n, long lo_num, long hi_num, unsigned long den)
{
    tu_ok(lump_box_alloc(box, n));
    for (size_t i = 0; i < n; i++) {
        mpq_set_si(box->lo[i], lo_num, den);
        mpq_set_si(box->hi[i], hi_num, den);
        mpq_canonicalize(box->lo[i]);
        mpq_canonicalize(box->hi[i]);
    }
}

/* A random rational point of BOX. */
static void box_point(mpq_t *x, const lump_box_t *box)
{
    mpq_t t;
    mpq_init(t);
    for (size_t i = 0; i < box->n; i++) {
        unsigned long k = gmp_urandomm_ui(tu_rand, 1001);
        mpq_sub(t, box->hi[i], box->lo[i]);
        mpq_set_ui(x[i], k, 1000);
        mpq_mul(x[i], x[i], t);
        mpq_add(x[i], x[i], box->lo[i]);
    }
    mpq_clear(t);
}

/* A and B agree exactly at NPTS random points of BOX. */
static void assert_equal_on_box(const lump_net_t *a, const lump_net_t *b, const lump_box_t *box,
                                int npts)
{
    size_t n = a->n_inputs, m = lump_net_n_outputs(a);
    mpq_t *x = malloc(n * sizeof *x), *ya = malloc(m * sizeof *ya), *yb = malloc(m * sizeof *yb);
    for (size_t i = 0; i < n; i++)
        mpq_init(x[i]);
    for (size_t j = 0; j < m; j++) {
        mpq_init(ya[j]);
        mpq_init(yb[j]);
    }
    assert_int_equal(lump_net_n_outputs(b), m);
    for (int t = 0; t < npts; t++) {
        box_point(x, box);
        tu_ok(lump_eval_exact(ya, a, x));
        tu_ok(lump_eval_exact(yb, b, x));
        for (size_t j = 0; j < m; j++)
            if (!mpq_equal(ya[j], yb[j]))
                fail_msg("output %zu differs at point %d [seed %lu]", j, t, tu_seed());
    }
    for (size_t i = 0; i < n; i++)
        mpq_clear(x[i]);
    for (size_t j = 0; j < m; j++) {
        mpq_clear(ya[j]);
        mpq_clear(yb[j]);
    }
    free(x);
    free(ya);
    free(yb);
}

/* Planted dependences among 7 rows over 4 inputs: rows 4..6 are rational
 * combinations of rows 0..2 plus constants; the fold finder must find
 * exactly those, with the planted coefficients. */
static void fold_finds_planted(void **state)
{
    (void)state;
    lump_net_t net;
    size_t sizes[2] = {7, 1}, lin[7] = {0, 1, 2, 3, 4, 5, 6};
    size_t src[3] = {0, 1, 2};
    long c4[3] = {1, -2, 0}, c5[3] = {0, 0, 5}, c6[3] = {2, 2, 2};
    lump_fold_t *f = NULL;
    size_t nf = 0;
    mpq_t want;
    mpq_init(want);
    lump_net_init(&net);
    random_net(&net, 4, 2, sizes, LUMP_ACT_RELU);
    plant_row(&net.layers[0], 4, src, c4, 3, 1);
    plant_row(&net.layers[0], 5, src, c5, 3, -2);
    plant_row(&net.layers[0], 6, src, c6, 3, 0);
    tu_ok(lump_i_fold_find(&f, &nf, &net.layers[0], lin, 7));
    assert_int_equal(nf, 3);
    for (size_t k = 0; k < nf; k++) {
        const long *c = f[k].neuron == 4 ? c4 : f[k].neuron == 5 ? c5 : c6;
        assert_true(f[k].neuron >= 4);
        for (size_t j = 0; j < f[k].n_basis; j++) {
            assert_true(f[k].basis[j] < 3);
            mpq_set_si(want, c[f[k].basis[j]], 3);
            mpq_canonicalize(want);
            assert_true(mpq_equal(f[k].lambda[j], want));
        }
        mpq_set_si(want, f[k].neuron == 4 ? 1 : f[k].neuron == 5 ? -2 : 0, 1);
        assert_true(mpq_equal(f[k].mu, want));
    }
    lump_i_folds_free(f, nf);
    lump_net_clear(&net);
    mpq_clear(want);
}

/* With more rows than inputs, every extra row is dependent, whatever the
 * weights: 9 generic rows over 3 inputs give 6 folds. */
static void fold_overdetermined(void **state)
{
    (void)state;
    lump_net_t net;
    size_t sizes[2] = {9, 1}, lin[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    lump_fold_t *f = NULL;
    size_t nf = 0;
    lump_net_init(&net);
    random_net(&net, 3, 2, sizes, LUMP_ACT_RELU);
    tu_ok(lump_i_fold_find(&f, &nf, &net.layers[0], lin, 9));
    assert_int_equal(nf, 6);
    lump_i_folds_free(f, nf);
    lump_net_clear(&net);
}

/* Folding an identity hidden layer is exact everywhere: apply the folds
 * the finder gives and compare by exact evaluation. */
static void apply_identity_fold(void **state)
{
    (void)state;
    lump_net_t net, red;
    size_t sizes[3] = {8, 6, 2}, lin[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    lump_stable_layer_t c;
    lump_box_t box;
    lump_net_init(&net);
    lump_net_init(&red);
    lump_box_init(&box);
    random_net(&net, 3, 3, sizes, LUMP_ACT_IDENTITY);
    memset(&c, 0, sizeof c);
    tu_ok(lump_i_fold_find(&c.fold, &c.n_fold, &net.layers[0], lin, 8));
    assert_int_equal(c.n_fold, 5);
    tu_ok(lump_net_copy(&red, &net));
    tu_ok(lump_stable_apply_layer(&red, 0, &c));
    assert_int_equal(red.layers[0].size, 3);
    assert_int_equal(red.layers[1].in_size, 3);
    box_set(&box, 3, -50, 50, 1);
    assert_equal_on_box(&net, &red, &box, 40);
    lump_i_folds_free(c.fold, c.n_fold);
    lump_box_clear(&box);
    lump_net_clear(&red);
    lump_net_clear(&net);
}

/* The whole pipeline on random relu networks over small boxes: the result
 * equals the network exactly inside the box, the certificate round-trips
 * through JSON and the checker accepts it. */
static void reduce_random_boxes(void **state)
{
    (void)state;
    size_t sizes[4] = {12, 12, 10, 3};
    size_t removed = 0;
    for (int trial = 0; trial < 8; trial++) {
        lump_net_t net, red, back;
        lump_box_t box;
        lump_box_cert_t C, D;
        lump_stable_stats_t st;
        lump_stable_opts_t o;
        lump_verdict_t v = LUMP_FALSE;
        char why[512], *text = NULL;
        size_t len = 0;
        FILE *f;
        lump_net_init(&net);
        lump_net_init(&red);
        lump_net_init(&back);
        lump_box_init(&box);
        lump_box_cert_init(&C);
        lump_box_cert_init(&D);
        random_net(&net, 2, 4, sizes, LUMP_ACT_RELU);
        box_set(&box, 2, trial, trial + 1, 4);
        lump_stable_opts_init(&o);
        o.use_lp = trial % 2 == 0;
        tu_ok(lump_stable_reduce(&red, &C, &st, &net, &box, &o));
        removed += lump_net_neurons(&net) - lump_net_neurons(&red);
        assert_int_equal(lump_net_neurons(&net) - lump_net_neurons(&red),
                         st.inactive + st.folded + st.lumped + st.dead + st.constant);
        assert_equal_on_box(&net, &red, &box, 30);
        f = open_memstream(&text, &len);
        assert_non_null(f);
        tu_ok(lump_box_cert_write(f, &C));
        assert_int_equal(fclose(f), 0);
        assert_int_equal(lump_cert_version(text, len), 2);
        tu_ok(lump_box_cert_read_buf(&D, text, len, "mem"));
        tu_ok(lump_box_cert_check(&v, why, sizeof why, &net, &red, &box, &D));
        if (v != LUMP_TRUE)
            fail_msg("trial %d: %s [seed %lu]", trial, why, tu_seed());
        free(text);
        lump_box_cert_clear(&C);
        lump_box_cert_clear(&D);
        lump_box_clear(&box);
        lump_net_clear(&back);
        lump_net_clear(&red);
        lump_net_clear(&net);
    }
    /* two inputs feeding 12 relus over a small box: folding must bite */
    assert_true(removed > 8 * 10);
}

/* A hand-made certificate: one hidden relu layer of 3 over one input in
 * [1, 2]: z0 = x (active), z1 = -x (inactive), z2 = 2x + 1 = 2 z0 + 1
 * (folded); output y = y0 + y1 + y2. */
static void tiny_net(lump_net_t *net)
{
    size_t sizes[2] = {3, 1};
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, 1, 2, sizes, LUMP_STORE_Q));
    net->layers[0].act.kind = LUMP_ACT_RELU;
    const long w[3] = {1, -1, 2}, b[3] = {0, 0, 1};
    for (size_t v = 0; v < 3; v++) {
        mpq_set_si(q, w[v], 1);
        tu_ok(lump_arr_set(&net->layers[0].weight, v, q));
        mpq_set_si(q, b[v], 1);
        tu_ok(lump_arr_set(&net->layers[0].bias, v, q));
        mpq_set_si(q, 1, 1);
        tu_ok(lump_arr_set(&net->layers[1].weight, v, q));
    }
    mpq_clear(q);
}

static void tiny_reduce(lump_net_t *net, lump_net_t *red, lump_box_cert_t *C, lump_box_t *box)
{
    lump_stable_stats_t st;
    tiny_net(net);
    box_set(box, 1, 1, 2, 1);
    tu_ok(lump_stable_reduce(red, C, &st, net, box, NULL));
    assert_int_equal(st.inactive, 1);
    assert_int_equal(st.folded, 1);
    assert_int_equal(red->layers[0].size, 1);
}

static lump_stable_layer_t *first_stable(lump_box_cert_t *C)
{
    for (size_t k = 0; k < C->n_steps; k++)
        if (C->steps[k].kind == LUMP_STEP_STABLE)
            return &C->steps[k].stable.layers[0];
    fail_msg("no stable step");
    return NULL;
}

static void check_fails(const lump_net_t *net, const lump_net_t *red, const lump_box_t *box,
                        const lump_box_cert_t *C, const char *needle)
{
    lump_verdict_t v = LUMP_TRUE;
    char why[512];
    tu_ok(lump_box_cert_check(&v, why, sizeof why, net, red, box, C));
    assert_int_equal(v, LUMP_FALSE);
    if (strstr(why, needle) == NULL)
        fail_msg("reason lacks \"%s\": %s", needle, why);
}

static void tiny_accepted(void **state)
{
    (void)state;
    lump_net_t net, red;
    lump_box_t box;
    lump_box_cert_t C;
    lump_verdict_t v = LUMP_FALSE;
    char why[512];
    lump_net_init(&net);
    lump_net_init(&red);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    tiny_reduce(&net, &red, &C, &box);
    tu_ok(lump_box_cert_check(&v, why, sizeof why, &net, &red, &box, &C));
    assert_int_equal(v, LUMP_TRUE);
    assert_equal_on_box(&net, &red, &box, 20);
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_net_clear(&red);
    lump_net_clear(&net);
}

/* Claims the checker must refuse: each one alone. */
static void tiny_rejects(void **state)
{
    (void)state;
    for (int kind = 0; kind < 5; kind++) {
        lump_net_t net, red;
        lump_box_t box, wide;
        lump_box_cert_t C;
        lump_stable_layer_t *l;
        lump_net_init(&net);
        lump_net_init(&red);
        lump_box_init(&box);
        lump_box_init(&wide);
        lump_box_cert_init(&C);
        tiny_reduce(&net, &red, &C, &box);
        l = first_stable(&C);
        switch (kind) {
        case 0: /* the inactive neuron's bound weakened to a positive one */
            mpq_set_ui(l->hi[1], 1, 1);
            l[1].has_bounds = 0; /* the output's bounds would no longer follow */
            check_fails(&net, &red, &box, &C, "inactive");
            break;
        case 1: /* a lower bound claimed above what intervals prove */
            mpq_set_ui(l->lo[0], 3, 2);
            check_fails(&net, &red, &box, &C, "lower bound");
            break;
        case 2: /* the fold's coefficient */
            mpq_set_ui(l->fold[0].lambda[0], 3, 1);
            check_fails(&net, &red, &box, &C, "fold identity");
            break;
        case 3: /* the basis neuron not provably linear */
            mpq_set_si(l->lo[0], -1, 1);
            l[1].has_bounds = 0;
            check_fails(&net, &red, &box, &C, "not linear");
            break;
        case 4: /* a box wider than the certificate's; both ends of each box
                 * in the message (regression: the certificate's lower end
                 * was printed as its upper end) */
            box_set(&wide, 1, 0, 2, 1);
            check_fails(&net, &red, &wide, &C, "dimension 1: [0, 2] is not inside [1, 2]");
            break;
        }
        lump_box_cert_clear(&C);
        lump_box_clear(&wide);
        lump_box_clear(&box);
        lump_net_clear(&red);
        lump_net_clear(&net);
    }
}

static void bad_boxes(void **state)
{
    (void)state;
    lump_net_t net, red;
    lump_box_t box;
    lump_net_init(&net);
    lump_net_init(&red);
    lump_box_init(&box);
    tiny_net(&net);
    box_set(&box, 2, 0, 1, 1);
    tu_fails(lump_stable_reduce(&red, NULL, NULL, &net, &box, NULL), LUMP_EINPUT, "dimension");
    box_set(&box, 1, 2, 1, 1);
    tu_fails(lump_stable_reduce(&red, NULL, NULL, &net, &box, NULL), LUMP_EINPUT, "empty");
    lump_box_clear(&box);
    lump_net_clear(&red);
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_finds_planted),  cmocka_unit_test(fold_overdetermined),
        cmocka_unit_test(apply_identity_fold), cmocka_unit_test(reduce_random_boxes),
        cmocka_unit_test(tiny_accepted),       cmocka_unit_test(tiny_rejects),
        cmocka_unit_test(bad_boxes),
    };
    tu_init();
    return cmocka_run_group_tests_name("stable", tests, NULL, NULL);
}
