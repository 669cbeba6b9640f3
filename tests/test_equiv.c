/* test_equiv.c -- the union of two networks and the equivalence decision:
 * proofs on function-preserving rewrites, exactly confirmed witnesses,
 * "unknown" where neither applies */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static void set_q(lump_arr_t *a, size_t i, const mpq_t q)
{
    tu_ok(lump_arr_set(a, i, q));
}

static void set_si(lump_arr_t *a, size_t i, long num, unsigned long den)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
    set_q(a, i, q);
    mpq_clear(q);
}

/* A network N_IN -> SIZES[0..nl) with random rational weights and biases
 * (numerators in [-5,5], denominators in [1,4]), activation ACTS[i] per
 * layer (leaky_relu with alpha 1/8). */
static void random_net(lump_net_t *net, size_t n_in, size_t nl, const size_t *sizes,
                       const lump_act_kind_t *acts)
{
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, n_in, nl, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < nl; i++) {
        lump_layer_t *l = &net->layers[i];
        l->act.kind = acts[i];
        if (acts[i] == LUMP_ACT_LEAKY_RELU)
            mpq_set_ui(l->act.alpha, 1, 8);
        for (size_t k = 0; k < l->weight.len; k++) {
            tu_rand_q(q, 5, 4);
            set_q(&l->weight, k, q);
        }
        for (size_t k = 0; k < l->size; k++) {
            tu_rand_q(q, 5, 4);
            set_q(&l->bias, k, q);
        }
    }
    mpq_clear(q);
}

/* The standard test network: 3 inputs, relu 4, relu 4, identity 2. */
static void std_net(lump_net_t *net)
{
    static const size_t sizes[3] = {4, 4, 2};
    static const lump_act_kind_t acts[3] = {LUMP_ACT_RELU, LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    random_net(net, 3, 3, sizes, acts);
}

/* Random rational points, num in [-3000,3000], den in [1,1000]. */
static void rand_point(mpq_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tu_rand_q(x[i], 3000, 1000);
}

static mpq_t *qvec(size_t n)
{
    mpq_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

/* Assert that A and B agree exactly at TRIALS random rational points. */
static void assert_same_exact(const lump_net_t *a, const lump_net_t *b, int trials)
{
    size_t n = a->n_inputs, m = lump_net_n_outputs(a);
    mpq_t *x = qvec(n), *ya = qvec(m), *yb = qvec(m);
    assert_int_equal(m, lump_net_n_outputs(b));
    for (int t = 0; t < trials; t++) {
        rand_point(x, n);
        tu_ok(lump_eval_exact(ya, a, x));
        tu_ok(lump_eval_exact(yb, b, x));
        for (size_t j = 0; j < m; j++)
            if (!mpq_equal(ya[j], yb[j]))
                fail_msg("trial %d output %zu differs [seed %lu]", t, j, tu_seed());
    }
    lump_rat_vec_free(x, n);
    lump_rat_vec_free(ya, m);
    lump_rat_vec_free(yb, m);
}

/* COPY = NET with the neurons of every hidden layer permuted by a random
 * permutation (rows of the layer, columns of the next). */
static void permuted_copy(lump_net_t *copy, const lump_net_t *net)
{
    lump_net_t snap;
    mpq_t q;
    mpq_init(q);
    lump_net_init(&snap);
    tu_ok(lump_net_copy(copy, net));
    for (size_t i = 0; i + 1 < net->n_layers; i++) {
        const lump_layer_t *l, *nx;
        lump_layer_t *cl = &copy->layers[i], *cn = &copy->layers[i + 1];
        size_t s = net->layers[i].size, *perm = malloc(s * sizeof *perm);
        assert_non_null(perm);
        tu_ok(lump_net_copy(&snap, copy)); /* layer i's columns are permuted already */
        l = &snap.layers[i];
        nx = &snap.layers[i + 1];
        for (size_t v = 0; v < s; v++)
            perm[v] = v;
        for (size_t v = s; v > 1; v--) {
            size_t k = gmp_urandomm_ui(tu_rand, v), t = perm[v - 1];
            perm[v - 1] = perm[k];
            perm[k] = t;
        }
        /* new neuron v is old neuron perm[v] */
        for (size_t v = 0; v < s; v++) {
            for (size_t u = 0; u < l->in_size; u++) {
                lump_arr_get(q, &l->weight, perm[v] * l->in_size + u);
                set_q(&cl->weight, v * l->in_size + u, q);
            }
            lump_arr_get(q, &l->bias, perm[v]);
            set_q(&cl->bias, v, q);
            for (size_t w = 0; w < nx->size; w++) {
                lump_arr_get(q, &nx->weight, w * s + perm[v]);
                set_q(&cn->weight, w * s + v, q);
            }
        }
        free(perm);
    }
    lump_net_clear(&snap);
    mpq_clear(q);
}

/* OUT = NET with neuron V of hidden layer I duplicated: the copy is
 * appended to the layer, and the outgoing weights are split 3/8 (old) and
 * 5/8 (copy). The function is unchanged. */
static void duplicate_split(lump_net_t *out, const lump_net_t *net, size_t i, size_t v)
{
    size_t *sizes = malloc(net->n_layers * sizeof *sizes);
    mpq_t q, a, c;
    const lump_layer_t *l = &net->layers[i], *nx = &net->layers[i + 1];
    size_t s = l->size;
    mpq_inits(q, a, c, NULL);
    assert_non_null(sizes);
    for (size_t k = 0; k < net->n_layers; k++)
        sizes[k] = net->layers[k].size + (k == i);
    tu_ok(lump_net_setup(out, net->n_inputs, net->n_layers, sizes, LUMP_STORE_Q));
    for (size_t k = 0; k < net->n_layers; k++) {
        const lump_layer_t *src = &net->layers[k];
        lump_layer_t *dst = &out->layers[k];
        lump_act_set(&dst->act, &src->act);
        for (size_t r = 0; r < src->size; r++) {
            for (size_t u = 0; u < src->in_size; u++) {
                lump_arr_get(q, &src->weight, r * src->in_size + u);
                set_q(&dst->weight, r * dst->in_size + u, q);
            }
            lump_arr_get(q, &src->bias, r);
            set_q(&dst->bias, r, q);
        }
    }
    /* the copy's row */
    for (size_t u = 0; u < l->in_size; u++) {
        lump_arr_get(q, &l->weight, v * l->in_size + u);
        set_q(&out->layers[i].weight, s * l->in_size + u, q);
    }
    lump_arr_get(q, &l->bias, v);
    set_q(&out->layers[i].bias, s, q);
    /* split the outgoing column */
    mpq_set_ui(a, 3, 8);
    mpq_set_ui(c, 5, 8);
    for (size_t w = 0; w < nx->size; w++) {
        lump_arr_get(q, &nx->weight, w * s + v);
        mpq_mul(q, q, a);
        set_q(&out->layers[i + 1].weight, w * (s + 1) + v, q);
        lump_arr_get(q, &nx->weight, w * s + v);
        mpq_mul(q, q, c);
        set_q(&out->layers[i + 1].weight, w * (s + 1) + s, q);
    }
    mpq_clears(q, a, c, NULL);
    free(sizes);
}

static void check_equiv(const lump_net_t *a, const lump_net_t *b, lump_verdict_t want)
{
    lump_equiv_t e;
    lump_equiv_init(&e);
    tu_ok(lump_equiv(&e, a, b, NULL, 1));
    if (e.equal != want)
        fail_msg("verdict %d, expected %d (domain %s) [seed %lu]", (int)e.equal, (int)want,
                 e.domain, tu_seed());
    lump_equiv_clear(&e);
}

/* Assert that E holds a witness on which A and B differ in output
 * E->output, by evaluating both networks exactly here, and that the
 * witness lies in [LO, HI] on every coordinate. */
static void assert_witness(const lump_equiv_t *e, const lump_net_t *a, const lump_net_t *b, long lo,
                           long hi)
{
    size_t m = lump_net_n_outputs(a);
    mpq_t *ya = qvec(m), *yb = qvec(m);
    assert_int_equal(e->equal, LUMP_FALSE);
    assert_int_equal(e->n_witness, a->n_inputs);
    assert_true(e->output < m);
    for (size_t i = 0; i < e->n_witness; i++) {
        assert_true(mpq_cmp_si(e->witness[i], lo, 1) >= 0);
        assert_true(mpq_cmp_si(e->witness[i], hi, 1) <= 0);
    }
    tu_ok(lump_eval_exact(ya, a, e->witness));
    tu_ok(lump_eval_exact(yb, b, e->witness));
    assert_false(mpq_equal(ya[e->output], yb[e->output]));
    lump_rat_vec_free(ya, m);
    lump_rat_vec_free(yb, m);
}

/* ---------------------------------------------------------------------- */
/* The union                                                               */

/* Assert U(x) = (A(x), B(x)) exactly at TRIALS random points. */
static void assert_union_is_pair(const lump_net_t *u, const lump_net_t *a, const lump_net_t *b,
                                 int trials)
{
    size_t n = a->n_inputs, m = lump_net_n_outputs(a);
    mpq_t *x = qvec(n), *ya = qvec(m), *yb = qvec(m), *yu = qvec(2 * m);
    assert_int_equal(u->n_inputs, n);
    assert_int_equal(lump_net_n_outputs(u), 2 * m);
    for (int t = 0; t < trials; t++) {
        rand_point(x, n);
        tu_ok(lump_eval_exact(ya, a, x));
        tu_ok(lump_eval_exact(yb, b, x));
        tu_ok(lump_eval_exact(yu, u, x));
        for (size_t j = 0; j < m; j++)
            if (!mpq_equal(yu[j], ya[j]) || !mpq_equal(yu[m + j], yb[j]))
                fail_msg("trial %d output %zu: union differs [seed %lu]", t, j, tu_seed());
    }
    lump_rat_vec_free(x, n);
    lump_rat_vec_free(ya, m);
    lump_rat_vec_free(yb, m);
    lump_rat_vec_free(yu, 2 * m);
}

static void add_norm(lump_net_t *net)
{
    tu_ok(lump_net_alloc_norm(net));
    for (size_t i = 0; i < net->n_inputs; i++) {
        tu_rand_q(net->norm_mean[i], 9, 7);
        do
            tu_rand_q(net->norm_range[i], 9, 5);
        while (mpq_sgn(net->norm_range[i]) == 0);
    }
}

static void add_outmap(lump_net_t *net)
{
    tu_ok(lump_net_alloc_outmap(net));
    for (size_t j = 0; j < lump_net_n_outputs(net); j++) {
        do
            tu_rand_q(net->out_scale[j], 9, 5);
        while (mpq_sgn(net->out_scale[j]) == 0);
        tu_rand_q(net->out_shift[j], 9, 7);
    }
}

static void add_clip(lump_net_t *net)
{
    tu_ok(lump_net_alloc_clip(net));
    for (size_t i = 0; i < net->n_inputs; i++) {
        mpq_set_si(net->clip_lo[i], -2, 1);
        mpq_set_si(net->clip_hi[i], 3, 2);
    }
}

/* Normalisations on both sides, output maps folded into identity last
 * layers, a common clip, mixed activations, different widths. */
static void union_folds_norm_and_outmap(void **state)
{
    static const size_t sa[3] = {4, 3, 2}, sb[3] = {5, 2, 2};
    static const lump_act_kind_t aa[3] = {LUMP_ACT_RELU, LUMP_ACT_LEAKY_RELU, LUMP_ACT_IDENTITY};
    static const lump_act_kind_t ab[3] = {LUMP_ACT_RELU, LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_net_t a, b, u;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&u);
    for (int round = 0; round < 5; round++) {
        random_net(&a, 3, 3, sa, aa);
        random_net(&b, 3, 3, sb, ab);
        add_norm(&a);
        add_norm(&b);
        add_outmap(&a);
        if (round % 2)
            add_outmap(&b);
        add_clip(&a);
        add_clip(&b);
        tu_ok(lump_net_union(&u, &a, &b));
        assert_int_equal(u.n_layers, 3);
        assert_false(u.has_norm);
        assert_false(u.has_outmap);
        assert_true(u.has_clip);
        assert_union_is_pair(&u, &a, &b, 50);
    }
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_net_clear(&u);
}

/* An output map over a relu last layer cannot fold: one identity layer is
 * added, to both sides. */
static void union_adds_map_layer(void **state)
{
    static const size_t sizes[2] = {3, 2};
    static const lump_act_kind_t acts[2] = {LUMP_ACT_RELU, LUMP_ACT_RELU};
    lump_net_t a, b, u;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&u);
    random_net(&a, 2, 2, sizes, acts);
    random_net(&b, 2, 2, sizes, acts);
    add_outmap(&a);
    tu_ok(lump_net_union(&u, &a, &b));
    assert_int_equal(u.n_layers, 3);
    assert_int_equal(u.layers[2].size, 4);
    assert_int_equal(u.layers[2].act.kind, LUMP_ACT_IDENTITY);
    assert_union_is_pair(&u, &a, &b, 100);
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_net_clear(&u);
}

static void union_refuses_mismatches(void **state)
{
    static const size_t s3[3] = {4, 4, 2}, s2[2] = {4, 2};
    static const lump_act_kind_t acts[3] = {LUMP_ACT_RELU, LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_net_t a, b, u;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&u);
    random_net(&a, 3, 3, s3, acts);
    random_net(&b, 3, 2, s2, acts + 1);
    tu_fails(lump_net_union(&u, &a, &b), LUMP_EUNSUPPORTED, "depths");
    random_net(&b, 3, 3, s3, acts);
    add_clip(&a);
    tu_fails(lump_net_union(&u, &a, &b), LUMP_EUNSUPPORTED, "clip their inputs differently");
    add_clip(&b);
    mpq_set_si(b.clip_hi[1], 2, 1);
    tu_fails(lump_net_union(&u, &a, &b), LUMP_EUNSUPPORTED, "clip their inputs differently");
    random_net(&b, 2, 3, s3, acts);
    tu_fails(lump_net_union(&u, &a, &b), LUMP_EUNSUPPORTED, "input counts");
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_net_clear(&u);
}

/* ---------------------------------------------------------------------- */
/* Proofs                                                                  */

static void equiv_proves_permuted_copy(void **state)
{
    lump_net_t a, b;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    for (int round = 0; round < 5; round++) {
        std_net(&a);
        add_norm(&a);
        add_outmap(&a);
        permuted_copy(&b, &a);
        assert_same_exact(&a, &b, 20); /* the test's own rewrite is sound */
        check_equiv(&a, &b, LUMP_TRUE);
    }
    lump_net_clear(&a);
    lump_net_clear(&b);
}

static void equiv_proves_self(void **state)
{
    lump_net_t a;
    (void)state;
    lump_net_init(&a);
    std_net(&a);
    check_equiv(&a, &a, LUMP_TRUE);
    lump_net_clear(&a);
}

static void equiv_proves_duplicated_split(void **state)
{
    lump_net_t a, b;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    std_net(&a);
    duplicate_split(&b, &a, 1, 2);
    assert_same_exact(&a, &b, 20);
    check_equiv(&a, &b, LUMP_TRUE);
    check_equiv(&b, &a, LUMP_TRUE);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* A network with a duplicated neuron against its own quotient, which is
 * smaller and has a different layout. */
static void equiv_proves_quotient(void **state)
{
    lump_net_t a, b, q;
    lump_lumping_t L;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&q);
    lump_lumping_init(&L);
    std_net(&a);
    duplicate_split(&b, &a, 0, 1);
    tu_ok(lump_partition_coarsest(&L, &b, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &b, &L));
    assert_true(lump_net_neurons(&q) < lump_net_neurons(&b));
    assert_same_exact(&b, &q, 20);
    check_equiv(&b, &q, LUMP_TRUE);
    check_equiv(&q, &b, LUMP_TRUE);
    lump_lumping_clear(&L);
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_net_clear(&q);
}

/* ---------------------------------------------------------------------- */
/* Witnesses                                                               */

/* One output-layer weight changed by 2^-20; the hidden neuron it reads is
 * made always active (bias 1000 against |z| <= 400 otherwise), so the
 * networks differ everywhere, yet only by about 2^-20 * 600. */
static void equiv_refutes_tiny_change(void **state)
{
    lump_net_t a, b;
    lump_equiv_t e;
    mpq_t q, d;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    mpq_inits(q, d, NULL);
    std_net(&a);
    set_si(&a.layers[1].bias, 2, 1000, 1);
    tu_ok(lump_net_copy(&b, &a));
    lump_arr_get(q, &b.layers[2].weight, 1 * 4 + 2); /* w(u = 2, v = 1) */
    mpq_set_ui(d, 1, 1UL << 20);
    mpq_add(q, q, d);
    set_q(&b.layers[2].weight, 1 * 4 + 2, q);
    tu_ok(lump_equiv(&e, &a, &b, NULL, 7));
    assert_witness(&e, &a, &b, -1, 1);
    assert_int_equal(e.output, 1);
    assert_string_equal(e.domain, "[-1,1]^3");
    mpq_clears(q, d, NULL);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* A weight of the first layer changed by 2^-20: the difference depends on
 * the input, and the witness must lie in the given box. */
static void equiv_refutes_in_box(void **state)
{
    lump_net_t a, b;
    lump_box_t box;
    lump_equiv_t e;
    mpq_t q, d;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_box_init(&box);
    lump_equiv_init(&e);
    mpq_inits(q, d, NULL);
    std_net(&a);
    /* neuron 0 of layer 1 reads input 0 with weight 1 and is active where
     * x_0 > 1/2; neuron 0 of layer 2 passes it on, always active */
    for (size_t u = 0; u < 3; u++)
        set_si(&a.layers[0].weight, u, u == 0, 1);
    set_si(&a.layers[0].bias, 0, -1, 2);
    for (size_t u = 0; u < 4; u++)
        set_si(&a.layers[1].weight, u, u == 0, 1);
    set_si(&a.layers[1].bias, 0, 1, 1);
    set_si(&a.layers[2].weight, 0, 1, 1);
    tu_ok(lump_net_copy(&b, &a));
    mpq_set_ui(q, 1, 1);
    mpq_set_ui(d, 1, 1UL << 20);
    mpq_add(q, q, d);
    set_q(&b.layers[0].weight, 0, q);
    tu_ok(lump_box_parse_inline(&box, "0:2,-1:1,5:6", 3));
    tu_ok(lump_equiv(&e, &a, &b, &box, 3));
    assert_witness(&e, &a, &b, -1, 6);
    assert_true(mpq_cmp_si(e.witness[0], 49, 100) > 0);
    assert_true(mpq_cmp_si(e.witness[2], 5, 1) >= 0);
    assert_non_null(strstr(e.domain, "given box"));
    mpq_clears(q, d, NULL);
    lump_box_clear(&box);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* Sigmoid networks cannot be evaluated exactly: the witness rests on
 * disjoint MPFR enclosures, checked here at a different precision. */
static void equiv_refutes_sigmoid(void **state)
{
    static const size_t sizes[2] = {3, 1};
    static const lump_act_kind_t acts[2] = {LUMP_ACT_SIGMOID, LUMP_ACT_IDENTITY};
    lump_net_t a, b;
    lump_equiv_t e;
    mpfr_t la, ha, lb, hb;
    mpq_t q, d;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    mpq_inits(q, d, NULL);
    mpfr_inits2(200, la, ha, lb, hb, (mpfr_ptr)NULL);
    random_net(&a, 2, 2, sizes, acts);
    set_si(&a.layers[1].weight, 0, 1, 1);
    tu_ok(lump_net_copy(&b, &a));
    lump_arr_get(q, &b.layers[0].weight, 0);
    mpq_set_ui(d, 1, 1UL << 20);
    mpq_add(q, q, d);
    set_q(&b.layers[0].weight, 0, q);
    tu_ok(lump_equiv(&e, &a, &b, NULL, 5));
    assert_int_equal(e.equal, LUMP_FALSE);
    tu_ok(lump_eval_mpfr(&la, &ha, &a, e.witness, 200));
    tu_ok(lump_eval_mpfr(&lb, &hb, &b, e.witness, 200));
    assert_true(mpfr_less_p(ha, lb) || mpfr_less_p(hb, la));
    mpfr_clears(la, ha, lb, hb, (mpfr_ptr)NULL);
    mpq_clears(q, d, NULL);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

static void equiv_refutes_acasxu_pair(void **state)
{
    lump_net_t a, b;
    lump_equiv_t e;
    (void)state;
    /* tu_data_path returns a static buffer: read each file at once */
    if (tu_data_path("acasxu/ACASXU_run2a_1_1_batch_2000.nnet") == NULL ||
        tu_data_path("acasxu/ACASXU_run2a_2_3_batch_2000.nnet") == NULL)
        skip();
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    tu_ok(lump_net_read(&a, tu_data_path("acasxu/ACASXU_run2a_1_1_batch_2000.nnet")));
    tu_ok(lump_net_read(&b, tu_data_path("acasxu/ACASXU_run2a_2_3_batch_2000.nnet")));
    tu_ok(lump_equiv(&e, &a, &b, NULL, 1));
    assert_int_equal(e.equal, LUMP_FALSE);
    assert_non_null(strstr(e.domain, "declared input bounds of A"));
    /* the witness lies within A's clip bounds, and differs exactly */
    for (size_t i = 0; i < a.n_inputs; i++) {
        assert_true(mpq_cmp(e.witness[i], a.clip_lo[i]) >= 0);
        assert_true(mpq_cmp(e.witness[i], a.clip_hi[i]) <= 0);
    }
    assert_witness(&e, &a, &b, -100000, 100000);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* ---------------------------------------------------------------------- */
/* Unknown and refusals                                                    */

/* relu(x - 10) against the constant 0: equal on [-1,1], different beyond
 * x = 10. Lumping cannot prove it and no witness exists in the domain:
 * the verdict must be unknown, not a guess either way. */
static void equiv_unknown_outside_box(void **state)
{
    static const size_t sizes[2] = {1, 1};
    lump_net_t a, b;
    lump_equiv_t e;
    lump_box_t box;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    lump_box_init(&box);
    tu_ok(lump_net_setup(&a, 1, 2, sizes, LUMP_STORE_Q));
    a.layers[0].act.kind = LUMP_ACT_RELU;
    set_si(&a.layers[0].weight, 0, 1, 1);
    set_si(&a.layers[0].bias, 0, -10, 1);
    set_si(&a.layers[1].weight, 0, 1, 1);
    tu_ok(lump_net_setup(&b, 1, 2, sizes, LUMP_STORE_Q));
    b.layers[0].act.kind = LUMP_ACT_RELU;
    tu_ok(lump_equiv(&e, &a, &b, NULL, 1));
    assert_int_equal(e.equal, LUMP_UNKNOWN);
    assert_int_equal(e.n_witness, 0);
    assert_string_equal(e.domain, "[-1,1]^1");
    /* over a box that reaches past 10 the difference is found */
    tu_ok(lump_box_parse_inline(&box, "0:12", 1));
    tu_ok(lump_equiv(&e, &a, &b, &box, 1));
    assert_witness(&e, &a, &b, 0, 12);
    lump_box_clear(&box);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

static void equiv_refuses_different_shapes(void **state)
{
    static const size_t s1[2] = {3, 2}, s2[2] = {3, 3};
    static const lump_act_kind_t acts[2] = {LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_net_t a, b;
    lump_equiv_t e;
    lump_box_t box;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    lump_box_init(&box);
    random_net(&a, 2, 2, s1, acts);
    random_net(&b, 3, 2, s1, acts);
    tu_fails(lump_equiv(&e, &a, &b, NULL, 1), LUMP_EUNSUPPORTED, "different input counts");
    random_net(&b, 2, 2, s2, acts);
    tu_fails(lump_equiv(&e, &a, &b, NULL, 1), LUMP_EUNSUPPORTED, "different output counts");
    random_net(&b, 2, 2, s1, acts);
    tu_ok(lump_box_parse_inline(&box, "0:1", 3));
    tu_fails(lump_equiv(&e, &a, &b, &box, 1), LUMP_EUSAGE, "dimensions");
    lump_box_clear(&box);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* Different depths: no proof by lumping, but a witness still refutes. */
static void equiv_different_depths_searches(void **state)
{
    static const size_t s3[3] = {4, 4, 2}, s2[2] = {4, 2};
    static const lump_act_kind_t acts[3] = {LUMP_ACT_RELU, LUMP_ACT_RELU, LUMP_ACT_IDENTITY};
    lump_net_t a, b;
    lump_equiv_t e;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_equiv_init(&e);
    random_net(&a, 3, 3, s3, acts);
    random_net(&b, 3, 2, s2, acts + 1);
    set_si(&b.layers[1].bias, 0, 77, 1); /* far from anything A outputs */
    tu_ok(lump_equiv(&e, &a, &b, NULL, 1));
    assert_witness(&e, &a, &b, -1, 1);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(union_folds_norm_and_outmap),
        cmocka_unit_test(union_adds_map_layer),
        cmocka_unit_test(union_refuses_mismatches),
        cmocka_unit_test(equiv_proves_permuted_copy),
        cmocka_unit_test(equiv_proves_self),
        cmocka_unit_test(equiv_proves_duplicated_split),
        cmocka_unit_test(equiv_proves_quotient),
        cmocka_unit_test(equiv_refutes_tiny_change),
        cmocka_unit_test(equiv_refutes_in_box),
        cmocka_unit_test(equiv_refutes_sigmoid),
        cmocka_unit_test(equiv_refutes_acasxu_pair),
        cmocka_unit_test(equiv_unknown_outside_box),
        cmocka_unit_test(equiv_refuses_different_shapes),
        cmocka_unit_test(equiv_different_depths_searches),
    };
    tu_init();
    return cmocka_run_group_tests_name("equiv", tests, NULL, NULL);
}
