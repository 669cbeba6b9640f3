/* test_trust.c -- no false proof: the finder's double fast path against
 * exact evaluation, equivalence certificates and their checker, and a
 * planted finder fault that the checker must stop */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "fault_i.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* A[i] = D, a double stored exactly. */
static void set_d(lump_arr_t *a, size_t i, double d)
{
    tu_ok(lump_arr_set_d(a, i, d));
}

/* NET and Q agree exactly on SAMPLES random rational inputs, and on 0. */
static void agree_exact(const lump_net_t *net, const lump_net_t *q, int samples)
{
    size_t n = net->n_inputs, m = lump_net_n_outputs(net);
    mpq_t *in = malloc(n * sizeof *in), *a = malloc(m * sizeof *a), *b = malloc(m * sizeof *b);
    assert_int_equal(lump_net_n_outputs(q), m);
    for (size_t i = 0; i < n; i++)
        mpq_init(in[i]);
    for (size_t j = 0; j < m; j++) {
        mpq_init(a[j]);
        mpq_init(b[j]);
    }
    for (int s = 0; s <= samples; s++) {
        for (size_t i = 0; i < n; i++)
            if (s == 0)
                mpq_set_ui(in[i], 0, 1);
            else
                tu_rand_q(in[i], 50, 9);
        tu_ok(lump_eval_exact(a, net, in));
        tu_ok(lump_eval_exact(b, q, in));
        for (size_t j = 0; j < m; j++)
            if (!mpq_equal(a[j], b[j]))
                fail_msg("sample %d output %zu: original %s, quotient %s [seed %lu]", s, j,
                         mpq_get_str(NULL, 10, a[j]), mpq_get_str(NULL, 10, b[j]), tu_seed());
    }
    for (size_t i = 0; i < n; i++)
        mpq_clear(in[i]);
    for (size_t j = 0; j < m; j++) {
        mpq_clear(a[j]);
        mpq_clear(b[j]);
    }
    free(in);
    free(a);
    free(b);
}

/* Reduce NET (proportional), check the certificate, compare exactly. */
static void reduce_checked(const lump_net_t *net, int samples)
{
    lump_lumping_t L;
    lump_net_t q;
    lump_verdict_t valid;
    char why[512];
    lump_lumping_init(&L);
    lump_net_init(&q);
    tu_ok(lump_partition_coarsest(&L, net, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, net, &L));
    tu_ok(lump_cert_check(&valid, why, sizeof why, net, &q, &L));
    if (valid != LUMP_TRUE)
        fail_msg("the checker refuses the finder: %s [seed %lu]", why, tu_seed());
    agree_exact(net, &q, samples);
    lump_net_clear(&q);
    lump_lumping_clear(&L);
}

/* The issue #11 pair, with constant C (e = 1 + 2^-52 in float64, 1 + 2^-23
 * in float32) and DEPTH relu layers: layer 1 is (x, C), each later one
 * (y_0, C * y_1), so neuron 1 of the last relu layer is C^depth; the
 * output of A is y_0 + y_1, of B y_0. A(0) = C^depth, B(0) = 0. */
static void power_net(lump_net_t *net, lump_store_t store, double c, size_t depth, int is_a)
{
    size_t sizes[8];
    for (size_t i = 0; i < depth; i++)
        sizes[i] = 2;
    sizes[depth] = 1;
    tu_ok(lump_net_setup(net, 1, depth + 1, sizes, store));
    for (size_t i = 0; i < depth; i++) {
        lump_layer_t *l = &net->layers[i];
        l->act.kind = LUMP_ACT_RELU;
        set_d(&l->weight, 0, 1.0);
        if (i == 0) {
            set_d(&l->bias, 1, c);
        } else {
            set_d(&l->weight, 3, c); /* row 1, column 1 */
        }
    }
    net->layers[depth].act.kind = LUMP_ACT_IDENTITY;
    set_d(&net->layers[depth].weight, 0, 1.0);
    set_d(&net->layers[depth].weight, 1, is_a ? 1.0 : 0.0);
}

/* OUT = C^DEPTH exactly, independently of lumpnet. */
static void power_q(mpq_t out, double c, size_t depth)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_d(q, c);
    mpq_set_ui(out, 1, 1);
    for (size_t i = 0; i < depth; i++)
        mpq_mul(out, out, q);
    mpq_clear(q);
}

/* The false proof of issue #11: the finder must neither prove A = B nor
 * drop C^depth from the quotient's output bias. */
static void check_power_pair(lump_store_t store, double c, size_t depth)
{
    lump_net_t a, b, q;
    lump_lumping_t L;
    lump_equiv_t e;
    mpq_t want, got;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_equiv_init(&e);
    mpq_inits(want, got, NULL);
    power_net(&a, store, c, depth, 1);
    power_net(&b, store, c, depth, 0);
    tu_ok(lump_equiv(&e, &a, &b, NULL, 1));
    assert_int_not_equal(e.equal, LUMP_TRUE);
    assert_int_equal(e.equal, LUMP_FALSE); /* the witness 0 is found */
    tu_ok(lump_partition_coarsest(&L, &a, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &a, &L));
    power_q(want, c, depth);
    /* every hidden neuron 1 is constant, so C^depth is the output bias */
    lump_arr_get(got, &q.layers[depth].bias, 0);
    if (!mpq_equal(got, want))
        fail_msg("output bias %s, exactly %s", mpq_get_str(NULL, 10, got),
                 mpq_get_str(NULL, 10, want));
    agree_exact(&a, &q, 20);
    reduce_checked(&a, 20);
    mpq_clears(want, got, NULL);
    lump_equiv_clear(&e);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&b);
    lump_net_clear(&a);
}

/* ---------------------------------------------------------------------- */
/* The fast path                                                           */

static void fast_path_float64_power(void **state)
{
    (void)state;
    check_power_pair(LUMP_STORE_F64, 1.0 + 0x1p-52, 2);
    check_power_pair(LUMP_STORE_F64, 1.0 + 0x1p-52, 3);
}

static void fast_path_float32_power(void **state)
{
    (void)state;
    /* e^2 has 47 bits (a double), e^3 has 70: the fourth layer's bias
     * needs the exact path */
    check_power_pair(LUMP_STORE_F32, 1.0 + 0x1p-23, 4);
}

/* A random double with BITS significant bits, magnitude about 2^E. */
static double rand_bits(int bits, int e)
{
    double m = 1.0;
    for (int k = 1; k < bits; k++)
        if (gmp_urandomb_ui(tu_rand, 1))
            m += ldexp(1.0, -k);
    if (bits > 1)
        m += ldexp(1.0, -(bits - 1)); /* exactly BITS significant bits */
    return ldexp(gmp_urandomb_ui(tu_rand, 1) ? -m : m, e);
}

/* Random float64 networks built to stress the fast path. Per relu layer:
 * constant neurons (no weights, a positive bias of 53 bits); derived
 * constants (weights only from constant neurons of the previous layer,
 * so their values are sums of products of up to 77 bits and more, with
 * no exact double image); copies of neuron 0 times a scale of 29 or 53
 * bits (the array is promoted to rationals when a product does not fit);
 * and plain neurons whose weights have 1 or 24 bits (a power of two times
 * a 53-bit scale still fits a double, so the fma path runs). The lumping
 * must pass the checker, and its quotient must agree exactly with the
 * network at random points and at 0. */
static void fast_path_random_float64(void **state)
{
    (void)state;
    for (int trial = 0; trial < 80; trial++) {
        size_t depth = 2 + gmp_urandomm_ui(tu_rand, 3), n_in = 1 + gmp_urandomm_ui(tu_rand, 3);
        size_t sizes[6];
        unsigned char isc[2][8] = {{0}, {0}}; /* constant neurons, previous / this layer */
        lump_net_t net;
        lump_net_init(&net);
        for (size_t i = 0; i < depth; i++)
            sizes[i] = 3 + gmp_urandomm_ui(tu_rand, 5);
        sizes[depth] = 2;
        tu_ok(lump_net_setup(&net, n_in, depth + 1, sizes, LUMP_STORE_F64));
        for (size_t i = 0; i <= depth; i++) {
            lump_layer_t *l = &net.layers[i];
            const size_t n = l->in_size;
            unsigned char *pc = isc[i % 2], *cc = isc[(i + 1) % 2];
            l->act.kind = i < depth ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
            if (i == 0)
                memset(pc, 0, 8);
            for (size_t v = 0; v < l->size; v++) {
                unsigned kind = i < depth && v > 0 ? (unsigned)gmp_urandomm_ui(tu_rand, 5) : 4;
                cc[v] = kind <= 1;
                if (kind == 0) { /* constant */
                    set_d(&l->bias, v, fabs(rand_bits(53, 0)));
                } else if (kind == 1) { /* derived constant */
                    for (size_t u = 0; u < n; u++)
                        if (pc[u])
                            set_d(&l->weight, v * n + u, rand_bits(53, 0));
                    set_d(&l->bias, v, rand_bits(53, 2));
                } else if (kind == 2) { /* scaled copy of neuron 0 */
                    double c = fabs(rand_bits(gmp_urandomb_ui(tu_rand, 1) ? 29 : 53,
                                              (int)gmp_urandomm_ui(tu_rand, 5) - 2));
                    mpq_t w, cq;
                    mpq_inits(w, cq, NULL);
                    mpq_set_d(cq, c);
                    for (size_t u = 0; u <= n; u++) {
                        lump_arr_get(w, u < n ? &l->weight : &l->bias, u < n ? u : 0);
                        mpq_mul(w, w, cq);
                        tu_ok(
                            lump_arr_set(u < n ? &l->weight : &l->bias, u < n ? v * n + u : v, w));
                    }
                    mpq_clears(w, cq, NULL);
                } else { /* plain */
                    for (size_t u = 0; u < n; u++)
                        if (pc[u] || gmp_urandomm_ui(tu_rand, 4) != 0)
                            set_d(&l->weight, v * n + u,
                                  rand_bits(gmp_urandomb_ui(tu_rand, 1) ? 1 : 24, 0));
                    set_d(&l->bias, v, rand_bits(24, -1));
                }
            }
        }
        reduce_checked(&net, 6);
        lump_net_clear(&net);
    }
}

/* ---------------------------------------------------------------------- */
/* Equivalence certificates                                                */

/* 2 inputs, relu 3 (neuron 2 = 2 * neuron 0), identity 2. */
static void small_net(lump_net_t *net)
{
    static const size_t sizes[2] = {3, 2};
    static const double w1[6] = {1, -2, 3, 1, 2, -4}, b1[3] = {1, 0, 2};
    static const double w2[6] = {1, 2, 3, -1, 0, 5}, b2[2] = {0, 1};
    tu_ok(lump_net_setup(net, 2, 2, sizes, LUMP_STORE_Q));
    net->layers[0].act.kind = LUMP_ACT_RELU;
    net->layers[1].act.kind = LUMP_ACT_IDENTITY;
    for (size_t k = 0; k < 6; k++) {
        set_d(&net->layers[0].weight, k, w1[k]);
        set_d(&net->layers[1].weight, k, w2[k]);
    }
    for (size_t k = 0; k < 3; k++)
        set_d(&net->layers[0].bias, k, b1[k]);
    for (size_t k = 0; k < 2; k++)
        set_d(&net->layers[1].bias, k, b2[k]);
}

static void equiv_proof_is_checked_certificate(void **state)
{
    lump_net_t a, q;
    lump_lumping_t L, back;
    lump_equiv_t e;
    lump_verdict_t valid;
    char why[512], *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_lumping_init(&back);
    lump_equiv_init(&e);
    small_net(&a);
    tu_ok(lump_partition_coarsest(&L, &a, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &a, &L));
    assert_int_equal(q.layers[0].size, 2);
    tu_ok(lump_equiv(&e, &a, &q, NULL, 1));
    assert_int_equal(e.equal, LUMP_TRUE);
    /* the proof is kept and checks on its own */
    tu_ok(lump_equiv_cert_check(&valid, why, sizeof why, &a, &q, &e.proof));
    assert_int_equal(valid, LUMP_TRUE);
    /* through the file format */
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    tu_ok(lump_equiv_cert_write(f, &e.proof));
    fclose(f);
    assert_true(lump_cert_is_equiv(buf, len));
    tu_ok(lump_equiv_cert_read_buf(&back, buf, len, "mem.json"));
    tu_ok(lump_equiv_cert_check(&valid, why, sizeof why, &a, &q, &back));
    assert_int_equal(valid, LUMP_TRUE);
    /* the other way round, the union is another network: refused */
    tu_ok(lump_equiv_cert_check(&valid, why, sizeof why, &q, &a, &back));
    assert_int_equal(valid, LUMP_FALSE);
    /* a lumping certificate reader refuses the format tag */
    tu_fails(lump_cert_read_buf(&L, buf, len, "mem.json"), LUMP_EINPUT, "format");
    free(buf);
    lump_lumping_clear(&back);
    lump_equiv_clear(&e);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&a);
}

/* Output blocks: the checker insists on one block and equal scales. */
static void equiv_checker_outputs(void **state)
{
    lump_net_t a;
    lump_equiv_t e;
    lump_verdict_t valid;
    char why[512];
    mpq_t c;
    (void)state;
    lump_net_init(&a);
    lump_equiv_init(&e);
    mpq_init(c);
    small_net(&a);
    tu_ok(lump_equiv(&e, &a, &a, NULL, 1));
    assert_int_equal(e.equal, LUMP_TRUE);
    {
        lump_layer_lumping_t *out = &e.proof.layers[e.proof.n_layers - 1];
        lump_block_t *b = &out->blocks[0];
        /* output 0 of A and of B: block {0, 2} with scales 1, 1 */
        assert_int_equal(b->n_members, 2);
        assert_int_equal(b->members[1], 2);
        /* split the block: both halves are still valid lumping blocks,
         * but the outputs are no longer shown equal */
        mpq_set_ui(c, 1, 1);
        b->n_members = 1;
        tu_ok(lump_arr_alloc(&b->scales, LUMP_STORE_Q, 1));
        tu_ok(lump_arr_set(&b->scales, 0, c));
        {
            lump_block_t *nb = realloc(out->blocks, (out->n_blocks + 1) * sizeof *nb);
            assert_non_null(nb);
            out->blocks = nb;
            lump_block_init(&out->blocks[out->n_blocks]);
            out->blocks[out->n_blocks].members = malloc(sizeof(size_t));
            out->blocks[out->n_blocks].members[0] = 2;
            out->blocks[out->n_blocks].n_members = 1;
            tu_ok(lump_arr_alloc(&out->blocks[out->n_blocks].scales, LUMP_STORE_Q, 1));
            tu_ok(lump_arr_set(&out->blocks[out->n_blocks].scales, 0, c));
            out->n_blocks++;
        }
        tu_ok(lump_equiv_cert_check(&valid, why, sizeof why, &a, &a, &e.proof));
        assert_int_equal(valid, LUMP_FALSE);
        if (strstr(why, "not in one kept block") == NULL)
            fail_msg("unexpected reason: %s", why);
    }
    mpq_clear(c);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
}

/* ---------------------------------------------------------------------- */
/* A planted finder fault                                                  */

static void fault_stops_equiv(void **state)
{
    lump_net_t a;
    lump_equiv_t e;
    lump_error_t err;
    (void)state;
    lump_net_init(&a);
    lump_equiv_init(&e);
    small_net(&a);
    lump_i_finder_fault = 1;
    err = lump_equiv(&e, &a, &a, NULL, 1);
    lump_i_finder_fault = 0;
    assert_int_equal(err, LUMP_EINTERNAL);
    assert_non_null(strstr(lump_error_message(), "independent certificate checker"));
    assert_int_not_equal(e.equal, LUMP_TRUE);
    /* without the fault the same call proves it */
    tu_ok(lump_equiv(&e, &a, &a, NULL, 1));
    assert_int_equal(e.equal, LUMP_TRUE);
    lump_equiv_clear(&e);
    lump_net_clear(&a);
}

/* The perturbation is one the checker sees: a doubled scale. */
static void fault_is_seen_by_checker(void **state)
{
    lump_net_t a, q;
    lump_lumping_t L;
    lump_verdict_t valid;
    char why[512];
    (void)state;
    lump_net_init(&a);
    lump_net_init(&q);
    lump_lumping_init(&L);
    small_net(&a);
    tu_ok(lump_partition_coarsest(&L, &a, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &a, &L));
    assert_int_equal(lump_i_finder_perturb(&L), 1);
    tu_ok(lump_cert_check(&valid, why, sizeof why, &a, &q, &L));
    assert_int_equal(valid, LUMP_FALSE);
    assert_non_null(strstr(why, "condition"));
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&a);
}

/* ---------------------------------------------------------------------- */
/* Constant on the box                                                     */

/* 1 input; layer 1 (relu) is off on [0,1]; layer 2 (relu) is then the
 * constant (0, 2, 2); the output -3 y0 + 3 y2 - 2 is 4 on the box. */
static void constant_on_box(void **state)
{
    static const size_t sizes[3] = {2, 3, 1};
    static const double w1[2] = {-3, 2}, b1[2] = {-5, -4};
    static const double w2[6] = {3, -3, 2, 0, 3, 0}, b2[3] = {-4, 2, 2};
    static const double w3[3] = {-3, 0, 3};
    lump_net_t net, out;
    lump_box_t box;
    lump_box_cert_t C;
    lump_stable_stats_t st;
    lump_verdict_t valid;
    char why[512];
    mpq_t x, y;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&out);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    mpq_inits(x, y, NULL);
    tu_ok(lump_net_setup(&net, 1, 3, sizes, LUMP_STORE_Q));
    net.layers[0].act.kind = LUMP_ACT_RELU;
    net.layers[1].act.kind = LUMP_ACT_RELU;
    net.layers[2].act.kind = LUMP_ACT_IDENTITY;
    for (size_t k = 0; k < 2; k++) {
        set_d(&net.layers[0].weight, k, w1[k]);
        set_d(&net.layers[0].bias, k, b1[k]);
    }
    for (size_t k = 0; k < 6; k++)
        set_d(&net.layers[1].weight, k, w2[k]);
    for (size_t k = 0; k < 3; k++) {
        set_d(&net.layers[1].bias, k, b2[k]);
        set_d(&net.layers[2].weight, k, w3[k]);
    }
    set_d(&net.layers[2].bias, 0, -2);
    tu_ok(lump_box_alloc(&box, 1));
    mpq_set_ui(box.lo[0], 0, 1);
    mpq_set_ui(box.hi[0], 1, 1);
    tu_ok(lump_stable_reduce(&out, &C, &st, &net, &box, NULL));
    tu_ok(lump_box_cert_check(&valid, why, sizeof why, &net, &out, &box, &C));
    if (valid != LUMP_TRUE)
        fail_msg("the box certificate is refused: %s", why);
    /* the constant network: one neuron per hidden layer, no weights */
    assert_int_equal(out.n_layers, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(out.layers[i].size, 1);
        for (size_t k = 0; k < out.layers[i].weight.len; k++)
            assert_int_equal(lump_arr_sgn(&out.layers[i].weight, k), 0);
    }
    lump_arr_get(y, &out.layers[2].bias, 0);
    tu_q_is(y, "4");
    /* and the original is 4 on the box */
    for (int s = 0; s <= 8; s++) {
        mpq_set_ui(x, (unsigned long)s, 8);
        tu_ok(lump_eval_exact(&y, &net, &x));
        tu_q_is(y, "4");
    }
    mpq_clears(x, y, NULL);
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_net_clear(&out);
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_path_float64_power),
        cmocka_unit_test(fast_path_float32_power),
        cmocka_unit_test(fast_path_random_float64),
        cmocka_unit_test(equiv_proof_is_checked_certificate),
        cmocka_unit_test(equiv_checker_outputs),
        cmocka_unit_test(fault_stops_equiv),
        cmocka_unit_test(fault_is_seen_by_checker),
        cmocka_unit_test(constant_on_box),
    };
    tu_init();
    return cmocka_run_group_tests_name("trust", tests, NULL, NULL);
}
