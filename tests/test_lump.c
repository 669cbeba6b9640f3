/* test_lump.c -- the coarsest lumping and the quotient on hand-made networks
 * with known partitions, planted redundancy, and the real networks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "testutil.h"

/* ---------------------------------------------------------------------- */
/* Building networks                                                       */

static void parse_q(mpq_t q, const char *s)
{
    if (mpq_set_str(q, s, 10) != 0)
        fail_msg("bad rational '%s' in a test", s);
    mpq_canonicalize(q);
}

/* Neuron V of layer I (0-based: net->layers[i]) gets bias and weights from
 * SPEC, "b | w_0 w_1 ...", rationals as "p/q". */
static void row(lump_net_t *net, size_t i, size_t v, const char *spec)
{
    lump_layer_t *l = &net->layers[i];
    char buf[512], *save = NULL, *tok;
    size_t u = 0;
    mpq_t q;
    mpq_init(q);
    snprintf(buf, sizeof buf, "%s", spec);
    tok = strtok_r(buf, " ", &save);
    parse_q(q, tok);
    tu_ok(lump_arr_set(&l->bias, v, q));
    tok = strtok_r(NULL, " ", &save);
    assert_string_equal(tok, "|");
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        assert_true(u < l->in_size);
        parse_q(q, tok);
        tu_ok(lump_arr_set(&l->weight, v * l->in_size + u, q));
        u++;
    }
    assert_int_equal(u, l->in_size);
    mpq_clear(q);
}

static void act(lump_net_t *net, size_t i, lump_act_kind_t kind, const char *alpha)
{
    net->layers[i].act.kind = kind;
    parse_q(net->layers[i].act.alpha, alpha);
}

/* ---------------------------------------------------------------------- */
/* Checking lumpings                                                       */

/* Layer I of L must be exactly SPEC: blocks in order separated by spaces,
 * each "{m0,m1:c1,...}" (scale 1 when omitted) with prefix C for CONSTANT
 * and D for DEAD. */
static void expect_layer(const lump_lumping_t *L, size_t i, const char *spec)
{
    const lump_layer_lumping_t *ll = &L->layers[i];
    const char *p = spec;
    size_t k = 0;
    mpq_t want, got;
    mpq_inits(want, got, NULL);
    while (*p != '\0') {
        lump_fate_t fate = LUMP_FATE_KEEP;
        const lump_block_t *b;
        size_t j = 0;
        while (*p == ' ')
            p++;
        if (*p == 'C' || *p == 'D')
            fate = *p++ == 'C' ? LUMP_FATE_CONSTANT : LUMP_FATE_DEAD;
        assert_int_equal(*p++, '{');
        if (k >= ll->n_blocks)
            fail_msg("layer %zu: %zu blocks, expected more (%s)", i + 1, ll->n_blocks, spec);
        b = &ll->blocks[k];
        if (b->fate != fate)
            fail_msg("layer %zu block %zu: fate %d, expected %d (%s)", i + 1, k, (int)b->fate,
                     (int)fate, spec);
        while (*p != '}') {
            char *end;
            size_t m = strtoul(p, &end, 10);
            p = end;
            mpq_set_ui(want, 1, 1);
            if (*p == ':') {
                char num[64];
                size_t n = strcspn(p + 1, ",}");
                snprintf(num, sizeof num, "%.*s", (int)n, p + 1);
                parse_q(want, num);
                p += 1 + n;
            }
            if (j >= b->n_members || b->members[j] != m)
                fail_msg("layer %zu block %zu: member %zu is not %zu (%s)", i + 1, k, j, m, spec);
            lump_arr_get(got, &b->scales, j);
            if (!mpq_equal(got, want))
                fail_msg("layer %zu block %zu: scale of %zu is %s (%s)", i + 1, k, m,
                         mpq_get_str(NULL, 10, got), spec);
            j++;
            if (*p == ',')
                p++;
        }
        p++;
        if (j != b->n_members)
            fail_msg("layer %zu block %zu: %zu members, expected %zu (%s)", i + 1, k, b->n_members,
                     j, spec);
        k++;
        while (*p == ' ')
            p++;
    }
    if (k != ll->n_blocks)
        fail_msg("layer %zu: %zu blocks, expected %zu (%s)", i + 1, ll->n_blocks, k, spec);
    mpq_clears(want, got, NULL);
}

static void expect_const(const lump_lumping_t *L, size_t i, size_t k, const char *v)
{
    mpq_t want;
    mpq_init(want);
    parse_q(want, v);
    assert_int_equal(L->layers[i].blocks[k].fate, LUMP_FATE_CONSTANT);
    if (!mpq_equal(L->layers[i].blocks[k].value, want))
        fail_msg("layer %zu block %zu: value %s, expected %s", i + 1, k,
                 mpq_get_str(NULL, 10, L->layers[i].blocks[k].value), v);
    mpq_clear(want);
}

static void expect_arr(const lump_arr_t *a, size_t idx, const char *v)
{
    mpq_t want, got;
    mpq_inits(want, got, NULL);
    parse_q(want, v);
    lump_arr_get(got, a, idx);
    if (!mpq_equal(got, want))
        fail_msg("entry %zu is %s, expected %s", idx, mpq_get_str(NULL, 10, got), v);
    mpq_clears(want, got, NULL);
}

/* The quotient of NET by L, with layer sizes SIZES. */
static void quotient_sizes(lump_net_t *q, const lump_net_t *net, const lump_lumping_t *L,
                           const size_t *sizes)
{
    tu_ok(lump_quotient(q, net, L));
    assert_int_equal(q->n_layers, net->n_layers);
    for (size_t i = 0; i < q->n_layers; i++)
        if (q->layers[i].size != sizes[i])
            fail_msg("quotient layer %zu has %zu neurons, expected %zu", i + 1, q->layers[i].size,
                     sizes[i]);
}

/* Q and NET agree exactly on SAMPLES random rational inputs. */
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
    for (int s = 0; s < samples; s++) {
        for (size_t i = 0; i < n; i++)
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

/* For sigmoid and tanh: MPFR enclosures at 300 bits, each narrower than
 * 2^-200, must overlap on SAMPLES random rational inputs. */
static void agree_mpfr(const lump_net_t *net, const lump_net_t *q, int samples)
{
    size_t n = net->n_inputs, m = lump_net_n_outputs(net);
    mpq_t *in = malloc(n * sizeof *in);
    mpfr_t *lo1 = malloc(m * sizeof *lo1), *hi1 = malloc(m * sizeof *hi1);
    mpfr_t *lo2 = malloc(m * sizeof *lo2), *hi2 = malloc(m * sizeof *hi2);
    mpfr_t w;
    mpfr_init2(w, 300);
    assert_int_equal(lump_net_n_outputs(q), m);
    for (size_t i = 0; i < n; i++)
        mpq_init(in[i]);
    for (size_t j = 0; j < m; j++)
        mpfr_inits2(300, lo1[j], hi1[j], lo2[j], hi2[j], (mpfr_ptr)0);
    for (int s = 0; s < samples; s++) {
        for (size_t i = 0; i < n; i++)
            tu_rand_q(in[i], 50, 9);
        tu_ok(lump_eval_mpfr(lo1, hi1, net, in, 300));
        tu_ok(lump_eval_mpfr(lo2, hi2, q, in, 300));
        for (size_t j = 0; j < m; j++) {
            mpfr_sub(w, hi1[j], lo1[j], MPFR_RNDU);
            assert_true(mpfr_cmp_d(w, 0x1p-200) < 0);
            mpfr_sub(w, hi2[j], lo2[j], MPFR_RNDU);
            assert_true(mpfr_cmp_d(w, 0x1p-200) < 0);
            if (mpfr_cmp(lo1[j], hi2[j]) > 0 || mpfr_cmp(lo2[j], hi1[j]) > 0)
                fail_msg("sample %d output %zu: enclosures of original and quotient are "
                         "disjoint [seed %lu]",
                         s, j, tu_seed());
        }
    }
    for (size_t i = 0; i < n; i++)
        mpq_clear(in[i]);
    for (size_t j = 0; j < m; j++)
        mpfr_clears(lo1[j], hi1[j], lo2[j], hi2[j], (mpfr_ptr)0);
    mpfr_clear(w);
    free(in);
    free(lo1);
    free(hi1);
    free(lo2);
    free(hi2);
}

/* ---------------------------------------------------------------------- */
/* Hand-made networks                                                      */

/* Relu layer: h1 = 2 h0, h3 = h0, h2 different. Exact mode merges h0 and
 * h3 only; proportional mode merges h0, h1, h3 with scales 1, 2, 1. */
static void build_prop(lump_net_t *net)
{
    const size_t sizes[2] = {4, 1};
    tu_ok(lump_net_setup(net, 2, 2, sizes, LUMP_STORE_Q));
    act(net, 0, LUMP_ACT_RELU, "0");
    row(net, 0, 0, "1 | 1 2");
    row(net, 0, 1, "2 | 2 4");
    row(net, 0, 2, "0 | 1 -1");
    row(net, 0, 3, "1 | 1 2");
    row(net, 1, 0, "1/2 | 1 1 1 2");
}

static void test_exact_mode(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {3, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    build_prop(&net);
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 0));
    assert_int_equal(L.mode, LUMP_MODE_EXACT);
    expect_layer(&L, 0, "{0,3} {1} {2}");
    expect_layer(&L, 1, "{0}");
    quotient_sizes(&q, &net, &L, sizes);
    /* W'({0,3}, out) = 1 + 2 */
    expect_arr(&q.layers[1].weight, 0, "3");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

static void test_proportional_mode(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {2, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    build_prop(&net);
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,1:2,3} {2}");
    expect_layer(&L, 1, "{0}");
    quotient_sizes(&q, &net, &L, sizes);
    /* W'({0,1,3}, out) = 1*1 + 2*1 + 1*2 */
    expect_arr(&q.layers[1].weight, 0, "5");
    expect_arr(&q.layers[1].weight, 1, "1");
    expect_arr(&q.layers[1].bias, 0, "1/2");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Leaky relu, alpha 1/10: h2 = 3 h0 merges; h1 = -h0 does not (a negative
 * scale is not allowed: leaky(-z) != -leaky(z)). */
static void test_leaky_positive_scales(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {2, 2};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {3, 2};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_LEAKY_RELU, "1/10");
    row(&net, 0, 0, "1 | 1 2");
    row(&net, 0, 1, "-1 | -1 -2");
    row(&net, 0, 2, "3 | 3 6");
    act(&net, 1, LUMP_ACT_LEAKY_RELU, "1/10");
    row(&net, 1, 0, "0 | 1 2 3");
    row(&net, 1, 1, "1 | -1 1 1/2");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,2:3} {1}");
    expect_layer(&L, 1, "{0} {1}");
    quotient_sizes(&q, &net, &L, sizes);
    assert_int_equal(q.layers[0].act.kind, LUMP_ACT_LEAKY_RELU);
    assert_true(mpq_cmp_si(q.layers[0].act.alpha, 1, 10) == 0);
    /* W'({0,2}, o0) = 1 + 3*3 */
    expect_arr(&q.layers[1].weight, 0, "10");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* An identity layer: h1 = -3/2 h0 merges with a negative scale in
 * proportional mode, and not in exact mode. */
static void test_identity_negative_scale(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[3] = {2, 1, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[3] = {3, 1, 1};
        tu_ok(lump_net_setup(&net, 2, 3, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_IDENTITY, "0");
    row(&net, 0, 0, "2 | 2 -4");
    row(&net, 0, 1, "-3 | -3 6");
    row(&net, 0, 2, "0 | 1 1");
    act(&net, 1, LUMP_ACT_RELU, "0");
    row(&net, 1, 0, "1 | 1 1 -1");
    row(&net, 2, 0, "0 | 2");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,1:-3/2} {2}");
    quotient_sizes(&q, &net, &L, sizes);
    /* W'({0,1}, h) = 1 + (-3/2)*1 */
    expect_arr(&q.layers[1].weight, 0, "-1/2");
    agree_exact(&net, &q, 50);
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 0));
    expect_layer(&L, 0, "{0} {1} {2}");
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Sigmoid or tanh layer: h2 = h0 merges with scale 1, h1 = 2 h0 does not,
 * even in proportional mode. */
static void check_smooth(lump_act_kind_t kind)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {2, 1};
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {3, 1};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, kind, "0");
    row(&net, 0, 0, "1/2 | 1 -1");
    row(&net, 0, 1, "1 | 2 -2");
    row(&net, 0, 2, "1/2 | 1 -1");
    row(&net, 1, 0, "0 | 1 1 1");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,2} {1}");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].weight, 0, "2");
    expect_arr(&q.layers[1].weight, 1, "1");
    assert_int_equal(q.layers[0].act.kind, kind);
    agree_mpfr(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

static void test_sigmoid_scale_one(void **state)
{
    (void)state;
    check_smooth(LUMP_ACT_SIGMOID);
}

static void test_tanh_scale_one(void **state)
{
    (void)state;
    check_smooth(LUMP_ACT_TANH);
}

/* sigmoid(0) = 1/2 folds: h0 has no inputs and bias 0; the output bias
 * becomes 1 + 4 * 1/2 = 3. */
static void test_constant_sigmoid_zero(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {1, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {2, 1};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_SIGMOID, "0");
    row(&net, 0, 0, "0 | 0 0");
    row(&net, 0, 1, "0 | 1 1");
    row(&net, 1, 0, "1 | 4 1");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "C{0} {1}");
    expect_const(&L, 0, 0, "1/2");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].bias, 0, "3");
    expect_arr(&q.layers[1].weight, 0, "1");
    agree_mpfr(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* relu of a negative bias is the constant 0, relu(3) the constant 3; the
 * output bias becomes 1 + 7*0 + 2*3 = 7. */
static void test_constant_relu(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {1, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {3, 1};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "-5 | 0 0");
    row(&net, 0, 1, "0 | 1 1");
    row(&net, 0, 2, "3 | 0 0");
    row(&net, 1, 0, "1 | 7 1 2");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "C{0} {1} C{2}");
    expect_const(&L, 0, 0, "0");
    expect_const(&L, 0, 2, "3");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].bias, 0, "7");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* sigmoid(1) is irrational: kept, and grouped with an equal constant
 * sigmoid(1) (scale 1) but not with sigmoid(2). */
static void test_constant_irrational_kept(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {2, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {3, 1};
        tu_ok(lump_net_setup(&net, 1, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_SIGMOID, "0");
    row(&net, 0, 0, "1 | 0");
    row(&net, 0, 1, "2 | 0");
    row(&net, 0, 2, "1 | 0");
    row(&net, 1, 0, "0 | 1 1 1");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,2} {1}");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[0].bias, 0, "1");
    expect_arr(&q.layers[0].bias, 1, "2");
    expect_arr(&q.layers[1].weight, 0, "2");
    agree_mpfr(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Layer 2 neuron 1 has zero outgoing weights (dead); layer 1 neuron 2
 * feeds only it (dead too, found in the same backward pass). */
static void test_dead_chain(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[3] = {2, 1, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[3] = {3, 2, 1};
        tu_ok(lump_net_setup(&net, 2, 3, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "1 | 1 -1");
    row(&net, 0, 1, "0 | 2 1");
    row(&net, 0, 2, "-1 | 1 3");
    act(&net, 1, LUMP_ACT_RELU, "0");
    row(&net, 1, 0, "0 | 1 -2 0");
    row(&net, 1, 1, "1 | 0 0 5");
    row(&net, 2, 0, "1/3 | 3 0");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0} {1} D{2}");
    expect_layer(&L, 1, "{0} D{1}");
    expect_layer(&L, 2, "{0}");
    assert_int_equal(lump_lumping_neurons_after(&L), 4);
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].weight, 1, "-2");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* DESIGN section 2: y_b = 2 y_a; p = (a:1, b:1), q = (a:2, b:0), equal
 * biases. Plain sums are both 2, but z_p = 3 y_a + 1 and z_q = 2 y_a + 1:
 * no merge. r = (a:3, b:0) does merge with p. */
static void test_scale_weighted_counterexample(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[3] = {1, 2, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[3] = {2, 3, 1};
        tu_ok(lump_net_setup(&net, 1, 3, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "0 | 1");
    row(&net, 0, 1, "0 | 2");
    act(&net, 1, LUMP_ACT_RELU, "0");
    row(&net, 1, 0, "1 | 1 1");
    row(&net, 1, 1, "1 | 2 0");
    row(&net, 1, 2, "1 | 3 0");
    row(&net, 2, 0, "0 | 1 1 1");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,1:2}");
    expect_layer(&L, 1, "{0,2} {1}");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].weight, 0, "3");
    expect_arr(&q.layers[1].weight, 1, "2");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Outputs o1 = o0 and o2 = 2 o0 (identity): separate unless merge_outputs. */
static void test_merge_outputs(void **state)
{
    lump_net_t net;
    lump_lumping_t L;
    (void)state;
    lump_net_init(&net);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {1, 4};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "0 | 1 -1");
    row(&net, 1, 0, "1 | 2");
    row(&net, 1, 1, "1 | 2");
    row(&net, 1, 2, "2 | 4");
    row(&net, 1, 3, "1 | 3");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 1, "{0} {1} {2} {3}");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 1));
    expect_layer(&L, 1, "{0,1,2:2} {3}");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 1));
    expect_layer(&L, 1, "{0,1} {2} {3}");
    lump_lumping_clear(&L);
    lump_net_clear(&net);
}

/* A constant output keeps its bias: never CONSTANT, never DEAD. */
static void test_constant_output_kept(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {1, 2};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[2] = {1, 2};
        tu_ok(lump_net_setup(&net, 1, 2, s, LUMP_STORE_Q));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "0 | 1");
    row(&net, 1, 0, "5 | 0");
    row(&net, 1, 1, "5 | 0");
    for (int merge = 0; merge <= 1; merge++) {
        tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, merge));
        /* the hidden neuron feeds only constant outputs: dead is fine, but
         * it is the only block of its layer and so stays */
        expect_layer(&L, 0, "{0}");
        expect_layer(&L, 1, merge ? "{0,1}" : "{0} {1}");
    }
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].bias, 1, "5");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Layer 2's weights are float32 while a neuron of layer 1 has the scale 1/3
 * (not a double): rows touching it take the exact path, the others the
 * double path, and equal sums must still meet: neuron 0 gets 3 y_a' with
 * y_a' = y_a / 3, neuron 1 gets y_a, both with bias 5, and so are equal
 * (their keys hold 1/5, which rounds up: a truncating key would differ). */
static void test_fast_and_exact_paths_meet(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[3] = {1, 1, 1};
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    {
        const size_t s[3] = {2, 2, 1};
        tu_ok(lump_net_setup(&net, 2, 3, s, LUMP_STORE_F32));
    }
    act(&net, 0, LUMP_ACT_RELU, "0");
    row(&net, 0, 0, "3/2 | 3/4 -3");
    row(&net, 0, 1, "1/2 | 1/4 -1");
    assert_int_equal(net.layers[0].weight.store, LUMP_STORE_F32);
    act(&net, 1, LUMP_ACT_RELU, "0");
    row(&net, 1, 0, "5 | 0 3");
    row(&net, 1, 1, "5 | 1 0");
    assert_int_equal(net.layers[1].weight.store, LUMP_STORE_F32);
    row(&net, 2, 0, "0 | 1 1");
    for (int mode = 0; mode <= 1; mode++) {
        tu_ok(lump_partition_coarsest(&L, &net, (lump_mode_t)mode, 0));
        if (mode == LUMP_MODE_EXACT) {
            expect_layer(&L, 0, "{0} {1}");
            continue;
        }
        expect_layer(&L, 0, "{0,1:1/3}");
        expect_layer(&L, 1, "{0,1}");
    }
    quotient_sizes(&q, &net, &L, sizes);
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* Equal rows with different activations never merge; the quotient keeps
 * per-neuron activations. */
static void test_mixed_activations(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[2] = {2, 1};
    lump_act_t a;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_act_init(&a);
    {
        const size_t s[2] = {3, 1};
        tu_ok(lump_net_setup(&net, 2, 2, s, LUMP_STORE_Q));
    }
    a.kind = LUMP_ACT_RELU;
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 0, &a));
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 2, &a));
    a.kind = LUMP_ACT_IDENTITY;
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 1, &a));
    row(&net, 0, 0, "1 | 1 -1");
    row(&net, 0, 1, "1 | 1 -1");
    row(&net, 0, 2, "1 | 1 -1");
    row(&net, 1, 0, "0 | 1 2 3");
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    expect_layer(&L, 0, "{0,2} {1}");
    quotient_sizes(&q, &net, &L, sizes);
    assert_int_equal(lump_layer_act(&q.layers[0], 0)->kind, LUMP_ACT_RELU);
    assert_int_equal(lump_layer_act(&q.layers[0], 1)->kind, LUMP_ACT_IDENTITY);
    expect_arr(&q.layers[1].weight, 0, "4");
    agree_exact(&net, &q, 50);
    lump_act_clear(&a);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* A lumping of another network is refused. */
static void test_quotient_shape_mismatch(void **state)
{
    lump_net_t net, other, q;
    lump_lumping_t L;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&other);
    lump_net_init(&q);
    lump_lumping_init(&L);
    build_prop(&net);
    {
        const size_t s[2] = {3, 1};
        tu_ok(lump_net_setup(&other, 2, 2, s, LUMP_STORE_Q));
    }
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 0));
    tu_fails(lump_quotient(&q, &other, &L), LUMP_EINPUT, "layer 1 has 4 neurons");
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&other);
    lump_net_clear(&net);
}

/* ---------------------------------------------------------------------- */
/* Planted redundancy                                                      */

/* A random relu network with NL layers: NIN inputs, hidden layers of
 * WIDTH, NOUT identity outputs; non-zero random weights (rationals, or
 * dyadics when STORE is F32). */
static void random_net(lump_net_t *net, size_t nin, size_t nl, size_t width, size_t nout,
                       lump_store_t store)
{
    size_t sizes[8];
    mpq_t x;
    mpq_init(x);
    for (size_t i = 0; i < nl; i++)
        sizes[i] = i + 1 == nl ? nout : width;
    tu_ok(lump_net_setup(net, nin, nl, sizes, store));
    for (size_t i = 0; i < nl; i++) {
        lump_layer_t *l = &net->layers[i];
        l->act.kind = i + 1 == nl ? LUMP_ACT_IDENTITY : LUMP_ACT_RELU;
        for (size_t k = 0; k < l->weight.len + l->bias.len; k++) {
            do {
                tu_rand_q(x, 40, store == LUMP_STORE_F32 ? 1 : 11);
            } while (mpq_sgn(x) == 0);
            if (store == LUMP_STORE_F32)
                mpq_div_2exp(x, x, (mp_bitcnt_t)gmp_urandomm_ui(tu_rand, 6));
            if (k < l->weight.len)
                tu_ok(lump_arr_set(&l->weight, k, x));
            else
                tu_ok(lump_arr_set(&l->bias, k - l->weight.len, x));
        }
    }
    mpq_clear(x);
}

/* WIDE = BASE with every hidden neuron v doubled: a copy of scale c_v > 0
 * (a power of two when DYADIC), its row c_v times v's row; each outgoing
 * weight w split as a on v and (w - a) / c_v on the copy. Hidden layers are
 * shuffled: POS[i][v] and POS[i][n + v] are the places of v and its copy;
 * SCALE[i][v] = c_v. */
typedef struct {
    size_t pos[8][64];
    mpq_t scale[8][32];
} plant_t;

static void plant(lump_net_t *wide, plant_t *pl, const lump_net_t *base, int dyadic)
{
    size_t nl = base->n_layers, sizes[8];
    mpq_t w, a, t;
    mpq_inits(w, a, t, NULL);
    for (size_t i = 0; i < nl; i++) {
        size_t n = base->layers[i].size;
        int hidden = i + 1 < nl;
        sizes[i] = hidden ? 2 * n : n;
        for (size_t v = 0; v < sizes[i]; v++)
            pl->pos[i][v] = v;
        if (hidden) {
            for (size_t v = sizes[i]; v-- > 1;) { /* Fisher-Yates */
                size_t j = gmp_urandomm_ui(tu_rand, v + 1), tmp = pl->pos[i][v];
                pl->pos[i][v] = pl->pos[i][j];
                pl->pos[i][j] = tmp;
            }
            for (size_t v = 0; v < n; v++) {
                mpq_init(pl->scale[i][v]);
                if (dyadic) {
                    mpq_set_ui(pl->scale[i][v], 1, 8);
                    mpq_mul_2exp(pl->scale[i][v], pl->scale[i][v], gmp_urandomm_ui(tu_rand, 7));
                } else {
                    do {
                        tu_rand_q(pl->scale[i][v], 9, 7);
                    } while (mpq_sgn(pl->scale[i][v]) <= 0);
                }
            }
        }
    }
    tu_ok(lump_net_setup(wide, base->n_inputs, nl, sizes, base->layers[0].weight.store));
    for (size_t i = 0; i < nl; i++) {
        const lump_layer_t *bl = &base->layers[i];
        lump_layer_t *wl = &wide->layers[i];
        int hidden = i + 1 < nl, split = i > 0;
        size_t n = bl->size, win = wl->in_size;
        wl->act.kind = bl->act.kind;
        for (size_t v = 0; v < n; v++) {
            size_t o = pl->pos[i][v];
            lump_arr_get(t, &bl->bias, v);
            tu_ok(lump_arr_set(&wl->bias, o, t));
            for (size_t u = 0; u < bl->in_size; u++) {
                lump_arr_get(w, &bl->weight, v * bl->in_size + u);
                if (!split) {
                    tu_ok(lump_arr_set(&wl->weight, o * win + u, w));
                    continue;
                }
                if (dyadic)
                    mpq_div_2exp(a, w, 1);
                else
                    tu_rand_q(a, 20, 5);
                tu_ok(lump_arr_set(&wl->weight, o * win + pl->pos[i - 1][u], a));
                mpq_sub(t, w, a);
                mpq_div(t, t, pl->scale[i - 1][u]);
                tu_ok(lump_arr_set(&wl->weight, o * win + pl->pos[i - 1][bl->in_size + u], t));
            }
            if (!hidden)
                continue;
            {
                size_t k = pl->pos[i][n + v];
                for (size_t u = 0; u <= win; u++) {
                    const lump_arr_t *src = u < win ? &wl->weight : &wl->bias;
                    lump_arr_t *dst = u < win ? &wl->weight : &wl->bias;
                    lump_arr_get(t, src, u < win ? o * win + u : o);
                    mpq_mul(t, t, pl->scale[i][v]);
                    tu_ok(lump_arr_set(dst, u < win ? k * win + u : k, t));
                }
            }
        }
    }
    mpq_clears(w, a, t, NULL);
}

static void plant_clear(plant_t *pl, const lump_net_t *base)
{
    for (size_t i = 0; i + 1 < base->n_layers; i++)
        for (size_t v = 0; v < base->layers[i].size; v++)
            mpq_clear(pl->scale[i][v]);
}

/* The lumping of a planted network is the planting: pairs {v, copy} with
 * the scale of the higher relative to the lower; the quotient has the base
 * sizes and computes the same function. */
static void check_planted(lump_store_t store)
{
    lump_net_t base, wide, q;
    lump_lumping_t L;
    plant_t pl;
    size_t sizes[4];
    mpq_t c, got;
    lump_net_init(&base);
    lump_net_init(&wide);
    lump_net_init(&q);
    lump_lumping_init(&L);
    mpq_inits(c, got, NULL);
    random_net(&base, 3, 4, 5, 2, store);
    plant(&wide, &pl, &base, store == LUMP_STORE_F32);
    if (store == LUMP_STORE_F32)
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(wide.layers[i].weight.store, LUMP_STORE_F32);
    tu_ok(lump_partition_coarsest(&L, &wide, LUMP_MODE_PROPORTIONAL, 0));
    for (size_t i = 0; i < 3; i++) {
        const lump_layer_lumping_t *ll = &L.layers[i];
        assert_int_equal(ll->n_blocks, 5);
        for (size_t v = 0; v < 5; v++) {
            size_t o = pl.pos[i][v], k = pl.pos[i][5 + v], lo = o < k ? o : k;
            const lump_block_t *b = NULL;
            for (size_t j = 0; j < ll->n_blocks; j++)
                if (ll->blocks[j].members[0] == lo)
                    b = &ll->blocks[j];
            if (b == NULL)
                fail_msg("layer %zu: no block starts at %zu [seed %lu]", i + 1, lo, tu_seed());
            assert_int_equal(b->fate, LUMP_FATE_KEEP);
            assert_int_equal(b->n_members, 2);
            assert_int_equal(b->members[1], o < k ? k : o);
            mpq_set(c, pl.scale[i][v]);
            if (k < o)
                mpq_inv(c, c);
            lump_arr_get(got, &b->scales, 1);
            assert_true(mpq_equal(got, c));
        }
    }
    sizes[0] = sizes[1] = sizes[2] = 5;
    sizes[3] = 2;
    quotient_sizes(&q, &wide, &L, sizes);
    if (store == LUMP_STORE_F32)
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(q.layers[i].weight.store, LUMP_STORE_F32);
    agree_exact(&wide, &q, 100);
    agree_exact(&base, &q, 20);
    plant_clear(&pl, &base);
    mpq_clears(c, got, NULL);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&wide);
    lump_net_clear(&base);
}

static void test_planted_rational(void **state)
{
    (void)state;
    for (int r = 0; r < 5; r++)
        check_planted(LUMP_STORE_Q);
}

static void test_planted_float32(void **state)
{
    (void)state;
    for (int r = 0; r < 5; r++)
        check_planted(LUMP_STORE_F32);
}

static int layers_equal(const lump_layer_lumping_t *x, const lump_layer_lumping_t *y)
{
    if (x->size != y->size || x->n_blocks != y->n_blocks)
        return 0;
    for (size_t k = 0; k < x->n_blocks; k++) {
        const lump_block_t *p = &x->blocks[k], *q = &y->blocks[k];
        if (p->n_members != q->n_members || p->fate != q->fate || !mpq_equal(p->value, q->value) ||
            !lump_arr_equal(&p->scales, &q->scales) ||
            memcmp(p->members, q->members, p->n_members * sizeof *p->members) != 0)
            return 0;
    }
    return 1;
}

static int lumpings_equal(const lump_lumping_t *a, const lump_lumping_t *b)
{
    if (a->mode != b->mode || a->n_inputs != b->n_inputs || a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++)
        if (!layers_equal(&a->layers[i], &b->layers[i]))
            return 0;
    return 1;
}

static void test_deterministic(void **state)
{
    lump_net_t base, wide;
    lump_lumping_t L1, L2;
    plant_t pl;
    (void)state;
    lump_net_init(&base);
    lump_net_init(&wide);
    lump_lumping_init(&L1);
    lump_lumping_init(&L2);
    random_net(&base, 3, 4, 5, 2, LUMP_STORE_Q);
    plant(&wide, &pl, &base, 0);
    tu_ok(lump_partition_coarsest(&L1, &wide, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_partition_coarsest(&L2, &wide, LUMP_MODE_PROPORTIONAL, 0));
    assert_true(lumpings_equal(&L1, &L2));
    plant_clear(&pl, &base);
    lump_lumping_clear(&L1);
    lump_lumping_clear(&L2);
    lump_net_clear(&wide);
    lump_net_clear(&base);
}

/* Permuting the neurons of hidden layer H (rows of H, columns of H+1)
 * maps blocks to blocks: members by PI, fates kept, scale ratios kept. */
static void test_permutation_invariant(void **state)
{
    lump_net_t base, wide, perm;
    lump_lumping_t L1, L2;
    plant_t pl;
    size_t pi[16], where[16];
    const size_t h = 1;
    mpq_t ca, cb, da, db;
    (void)state;
    lump_net_init(&base);
    lump_net_init(&wide);
    lump_net_init(&perm);
    lump_lumping_init(&L1);
    lump_lumping_init(&L2);
    mpq_inits(ca, cb, da, db, NULL);
    random_net(&base, 3, 4, 5, 2, LUMP_STORE_Q);
    plant(&wide, &pl, &base, 0);
    tu_ok(lump_net_copy(&perm, &wide));
    {
        size_t n = wide.layers[h].size, m = wide.layers[h].in_size;
        lump_layer_t *nx = &wide.layers[h + 1];
        for (size_t v = 0; v < n; v++)
            pi[v] = v;
        for (size_t v = n; v-- > 1;) {
            size_t j = gmp_urandomm_ui(tu_rand, v + 1), t = pi[v];
            pi[v] = pi[j];
            pi[j] = t;
        }
        for (size_t v = 0; v < n; v++) { /* neuron v of WIDE is neuron pi[v] of PERM */
            lump_arr_get(ca, &wide.layers[h].bias, v);
            tu_ok(lump_arr_set(&perm.layers[h].bias, pi[v], ca));
            for (size_t u = 0; u < m; u++) {
                lump_arr_get(ca, &wide.layers[h].weight, v * m + u);
                tu_ok(lump_arr_set(&perm.layers[h].weight, pi[v] * m + u, ca));
            }
            for (size_t x = 0; x < nx->size; x++) {
                lump_arr_get(ca, &nx->weight, x * n + v);
                tu_ok(lump_arr_set(&perm.layers[h + 1].weight, x * n + pi[v], ca));
            }
        }
    }
    tu_ok(lump_partition_coarsest(&L1, &wide, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_partition_coarsest(&L2, &perm, LUMP_MODE_PROPORTIONAL, 0));
    for (size_t i = 0; i < wide.n_layers; i++) {
        const lump_layer_lumping_t *x = &L1.layers[i], *y = &L2.layers[i];
        assert_int_equal(x->n_blocks, y->n_blocks);
        if (i != h) { /* the other layers do not change at all */
            assert_true(layers_equal(x, y));
            continue;
        }
        for (size_t k = 0; k < y->n_blocks; k++)
            for (size_t j = 0; j < y->blocks[k].n_members; j++)
                where[y->blocks[k].members[j]] = k * 64 + j;
        for (size_t k = 0; k < x->n_blocks; k++) {
            const lump_block_t *b = &x->blocks[k];
            size_t yk = where[pi[b->members[0]]] / 64, yj0 = where[pi[b->members[0]]] % 64;
            const lump_block_t *c = &y->blocks[yk];
            assert_int_equal(b->n_members, c->n_members);
            assert_int_equal(b->fate, c->fate);
            lump_arr_get(ca, &b->scales, 0);
            lump_arr_get(da, &c->scales, yj0);
            for (size_t j = 1; j < b->n_members; j++) {
                size_t yw = where[pi[b->members[j]]];
                assert_int_equal(yw / 64, yk);
                /* c_j / c_0 is the same on both sides */
                lump_arr_get(cb, &b->scales, j);
                lump_arr_get(db, &c->scales, yw % 64);
                mpq_mul(cb, cb, da);
                mpq_mul(db, db, ca);
                assert_true(mpq_equal(cb, db));
            }
        }
    }
    plant_clear(&pl, &base);
    mpq_clears(ca, cb, da, db, NULL);
    lump_lumping_clear(&L1);
    lump_lumping_clear(&L2);
    lump_net_clear(&perm);
    lump_net_clear(&wide);
    lump_net_clear(&base);
}

/* ---------------------------------------------------------------------- */
/* Real networks                                                           */

/* Lump a real network: report what is found, check that the quotient
 * agrees exactly with the original. Returns the number of KEEP blocks that
 * are not singletons plus the constant and dead blocks. */
static size_t real_lumps(const char *rel, lump_mode_t mode, int samples)
{
    const char *path = tu_data_path(rel);
    lump_net_t net, q;
    lump_lumping_t L;
    size_t found = 0;
    if (path == NULL)
        return SIZE_MAX;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    tu_ok(lump_net_read(&net, path));
    tu_ok(lump_partition_coarsest(&L, &net, mode, 0));
    for (size_t i = 0; i < L.n_layers; i++)
        for (size_t k = 0; k < L.layers[i].n_blocks; k++)
            found +=
                L.layers[i].blocks[k].n_members > 1 || L.layers[i].blocks[k].fate != LUMP_FATE_KEEP;
    print_message("# %s (%s): %zu of %zu neurons kept, %zu non-trivial blocks\n", rel,
                  mode == LUMP_MODE_EXACT ? "exact" : "proportional",
                  lump_lumping_neurons_after(&L), lump_net_neurons(&net), found);
    tu_ok(lump_quotient(&q, &net, &L));
    agree_exact(&net, &q, samples);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    return found;
}

static void test_real_acasxu(void **state)
{
    (void)state;
    if (tu_data_path("acasxu/ACASXU_run2a_1_1_batch_2000.nnet") == NULL)
        skip();
    /* trained networks: every block a singleton KEEP block */
    assert_int_equal(
        real_lumps("acasxu/ACASXU_run2a_1_1_batch_2000.nnet", LUMP_MODE_PROPORTIONAL, 50), 0);
    assert_int_equal(real_lumps("acasxu/ACASXU_run2a_1_1_batch_2000.nnet", LUMP_MODE_EXACT, 5), 0);
    if (tu_data_path("vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx") != NULL)
        assert_int_equal(real_lumps("vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx",
                                    LUMP_MODE_PROPORTIONAL, 50),
                         0);
}

static void test_real_mnist(void **state)
{
    (void)state;
    if (tu_data_path("vnncomp2021/mnistfc/mnist-net_256x2.onnx") == NULL)
        skip();
    assert_int_equal(
        real_lumps("vnncomp2021/mnistfc/mnist-net_256x2.onnx", LUMP_MODE_PROPORTIONAL, 50), 0);
}

/* A trivial lumping of a float32 network gives the same float32 network. */
static void test_real_trivial_quotient_identical(void **state)
{
    const char *path = tu_data_path("vnncomp2021/mnistfc/mnist-net_256x2.onnx");
    lump_net_t net, q;
    lump_lumping_t L;
    (void)state;
    if (path == NULL)
        skip();
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    tu_ok(lump_net_read(&net, path));
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &net, &L));
    for (size_t i = 0; i < net.n_layers; i++) {
        assert_int_equal(q.layers[i].weight.store, net.layers[i].weight.store);
        assert_int_equal(q.layers[i].bias.store, net.layers[i].bias.store);
        assert_true(lump_arr_equal(&q.layers[i].weight, &net.layers[i].weight));
        assert_true(lump_arr_equal(&q.layers[i].bias, &net.layers[i].bias));
        assert_true(lump_act_equal(&q.layers[i].act, &net.layers[i].act));
    }
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* The VNN-COMP test network test_small duplicates both hidden neurons. */
static void test_real_test_small(void **state)
{
    const char *path = tu_data_path("vnncomp2021/test/test_small.onnx");
    lump_net_t net, q;
    lump_lumping_t L;
    const size_t sizes[3] = {1, 1, 1};
    (void)state;
    if (path == NULL)
        skip();
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    tu_ok(lump_net_read(&net, path));
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 0));
    expect_layer(&L, 0, "{0,1}");
    expect_layer(&L, 1, "{0,1}");
    quotient_sizes(&q, &net, &L, sizes);
    expect_arr(&q.layers[1].weight, 0, "4");
    expect_arr(&q.layers[2].weight, 0, "6");
    agree_exact(&net, &q, 50);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Timing of mnist-net_256x6: printed, not asserted. */
static void test_real_mnist_timing(void **state)
{
    const char *path = tu_data_path("vnncomp2021/mnistfc/mnist-net_256x6.onnx");
    lump_net_t net, q;
    lump_lumping_t L;
    double t0, t1, t2, best = 1e9;
    (void)state;
    if (path == NULL)
        skip();
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    tu_ok(lump_net_read(&net, path));
    for (int r = 0; r < 5; r++) {
        t0 = now();
        tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
        t1 = now();
        tu_ok(lump_quotient(&q, &net, &L));
        t2 = now();
        if (t2 - t0 < best)
            best = t2 - t0;
        if (r == 0)
            print_message("# mnist-net_256x6: partition %.2f ms, quotient %.2f ms\n",
                          1e3 * (t1 - t0), 1e3 * (t2 - t1));
    }
    print_message("# mnist-net_256x6: best of 5, partition + quotient %.2f ms, %zu -> %zu "
                  "neurons\n",
                  1e3 * best, lump_net_neurons(&net), lump_lumping_neurons_after(&L));
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
}

/* lump_lumping_swap exchanges two lumpings whole: each ends with the
 * other's layers, and clearing both frees everything once; the kept
 * blocks of a layer are counted by lump_layer_lumping_kept. */
static void test_lumping_swap(void **state)
{
    lump_lumping_t a, b;
    (void)state;
    lump_lumping_init(&a);
    lump_lumping_init(&b);
    tu_ok(lump_lumping_alloc(&a, LUMP_MODE_EXACT, 3, 2));
    tu_ok(lump_layer_lumping_alloc(&a.layers[0], 4, 2));
    tu_ok(lump_lumping_alloc(&b, LUMP_MODE_PROPORTIONAL, 5, 1));
    lump_lumping_swap(&a, &b);
    assert_int_equal(a.mode, LUMP_MODE_PROPORTIONAL);
    assert_int_equal(a.n_inputs, 5);
    assert_int_equal(a.n_layers, 1);
    assert_int_equal(b.mode, LUMP_MODE_EXACT);
    assert_int_equal(b.n_inputs, 3);
    assert_int_equal(b.n_layers, 2);
    assert_int_equal(b.layers[0].n_blocks, 2);
    assert_int_equal(lump_layer_lumping_kept(&b.layers[0]), 2);
    b.layers[0].blocks[1].fate = LUMP_FATE_DEAD;
    assert_int_equal(lump_layer_lumping_kept(&b.layers[0]), 1);
    assert_int_equal(lump_lumping_neurons_after(&b), 1);
    lump_lumping_clear(&a);
    lump_lumping_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lumping_swap),
        cmocka_unit_test(test_exact_mode),
        cmocka_unit_test(test_proportional_mode),
        cmocka_unit_test(test_leaky_positive_scales),
        cmocka_unit_test(test_identity_negative_scale),
        cmocka_unit_test(test_sigmoid_scale_one),
        cmocka_unit_test(test_tanh_scale_one),
        cmocka_unit_test(test_constant_sigmoid_zero),
        cmocka_unit_test(test_constant_relu),
        cmocka_unit_test(test_constant_irrational_kept),
        cmocka_unit_test(test_dead_chain),
        cmocka_unit_test(test_scale_weighted_counterexample),
        cmocka_unit_test(test_merge_outputs),
        cmocka_unit_test(test_constant_output_kept),
        cmocka_unit_test(test_fast_and_exact_paths_meet),
        cmocka_unit_test(test_mixed_activations),
        cmocka_unit_test(test_quotient_shape_mismatch),
        cmocka_unit_test(test_planted_rational),
        cmocka_unit_test(test_planted_float32),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_permutation_invariant),
        cmocka_unit_test(test_real_acasxu),
        cmocka_unit_test(test_real_mnist),
        cmocka_unit_test(test_real_trivial_quotient_identical),
        cmocka_unit_test(test_real_test_small),
        cmocka_unit_test(test_real_mnist_timing),
    };
    tu_init();
    return cmocka_run_group_tests_name("lump", tests, NULL, NULL);
}
