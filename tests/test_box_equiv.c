/* test_box_equiv.c -- equality on a box through box reductions (issue 14):
 * rebuilding a reduced network from its box certificate, lump_box_equiv
 * against its own reduction, the box-equivalence certificate written,
 * read, checked and refused when it does not fit, a changed network
 * refuted, and the quotient a certificate makes (lump_cert_quotient).
 * Random networks; the seed is printed and LUMPNET_SEED re-runs it
 * (testutil.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "lumpnet/stable.h"

/* A random network: N_INPUTS inputs, relu layers SIZES[0..k-1) and an
 * identity output layer of SIZES[k-1], small rational weights. */
static void random_net(lump_net_t *net, size_t n_inputs, size_t k, const size_t *sizes)
{
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, n_inputs, k, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < k; i++) {
        lump_layer_t *L = &net->layers[i];
        L->act.kind = i + 1 < k ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
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

static void small_box(lump_box_t *box, size_t n, long lo_num, unsigned long den)
{
    tu_ok(lump_box_alloc(box, n));
    for (size_t i = 0; i < n; i++) {
        mpq_set_si(box->lo[i], lo_num, den);
        mpq_set_si(box->hi[i], lo_num + 1, den);
        mpq_canonicalize(box->lo[i]);
        mpq_canonicalize(box->hi[i]);
    }
}

/* A and B agree exactly at NPTS random points of [-4, 4]^n (everywhere,
 * not only on a box: for a rebuilt network against the reducer's). */
static void assert_same_function(const lump_net_t *a, const lump_net_t *b, int npts)
{
    size_t n = a->n_inputs, m = lump_net_n_outputs(a);
    mpq_t *x = malloc(n * sizeof *x), *ya = malloc(m * sizeof *ya), *yb = malloc(m * sizeof *yb);
    assert_int_equal(lump_net_n_outputs(b), m);
    for (size_t i = 0; i < n; i++)
        mpq_init(x[i]);
    for (size_t j = 0; j < m; j++)
        mpq_inits(ya[j], yb[j], NULL);
    for (int t = 0; t < npts; t++) {
        for (size_t i = 0; i < n; i++)
            tu_rand_q(x[i], 16, 4);
        tu_ok(lump_eval_exact(ya, a, x));
        tu_ok(lump_eval_exact(yb, b, x));
        for (size_t j = 0; j < m; j++)
            if (!mpq_equal(ya[j], yb[j]))
                fail_msg("output %zu differs at point %d [seed %lu]", j, t, tu_seed());
    }
    for (size_t i = 0; i < n; i++)
        mpq_clear(x[i]);
    for (size_t j = 0; j < m; j++)
        mpq_clears(ya[j], yb[j], NULL);
    free(x);
    free(ya);
    free(yb);
}

/* Bias of neuron V of layer LI of NET += NUM/DEN. */
static void bump_bias(lump_net_t *net, size_t li, size_t v, long num, unsigned long den)
{
    mpq_t q, d;
    mpq_inits(q, d, NULL);
    lump_arr_get(q, &net->layers[li].bias, v);
    mpq_set_si(d, num, den);
    mpq_canonicalize(d);
    mpq_add(q, q, d);
    tu_ok(lump_arr_set(&net->layers[li].bias, v, q));
    mpq_clears(q, d, NULL);
}

static char *cert_text(const lump_box_equiv_cert_t *c, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    tu_ok(lump_box_equiv_cert_write(f, c));
    assert_int_equal(fclose(f), 0);
    return text;
}

/* Each trial: B = A reduced on a box; equiv --box proves A = B there; the
 * certificate survives writing and reading byte for byte and checks; it
 * is refused for a larger box and for a changed B; a changed B is
 * refuted. */
static void reduced_pair_proved(void **state)
{
    int proved_on_box = 0;
    (void)state;
    for (int trial = 0; trial < 12; trial++) {
        const size_t sizes[3] = {10, 8, 2};
        lump_net_t a, b, rebuilt, b2;
        lump_box_t box, wide;
        lump_box_cert_t cb;
        lump_box_equiv_cert_t proof, back;
        lump_equiv_t e;
        lump_verdict_t v;
        char why[1024], *text, *text2;
        size_t len, len2;
        int on_box = -1;
        lump_net_init(&a);
        lump_net_init(&b);
        lump_net_init(&rebuilt);
        lump_net_init(&b2);
        lump_box_init(&box);
        lump_box_init(&wide);
        lump_box_cert_init(&cb);
        lump_box_equiv_cert_init(&proof);
        lump_box_equiv_cert_init(&back);
        lump_equiv_init(&e);
        random_net(&a, 2, 3, sizes);
        small_box(&box, 2, trial - 6, 4);
        small_box(&wide, 2, -40, 1);
        tu_ok(lump_stable_reduce(&b, &cb, NULL, &a, &box, NULL));
        /* rebuilding from the certificate gives the reducer's network */
        tu_ok(lump_box_cert_apply(&rebuilt, &a, &cb));
        assert_same_function(&rebuilt, &b, 40);
        tu_ok(lump_box_equiv(&e, &proof, &on_box, &a, &b, &box, 1));
        if (e.equal != LUMP_TRUE)
            fail_msg("trial %d: not proved equal on the box [seed %lu]", trial, tu_seed());
        if (on_box) {
            proved_on_box++;
            text = cert_text(&proof, &len);
            assert_int_equal(lump_cert_is_box_equiv(text, len), 1);
            assert_int_equal(lump_cert_is_equiv(text, len), 0);
            tu_ok(lump_box_equiv_cert_read_buf(&back, text, len, "mem"));
            text2 = cert_text(&back, &len2);
            assert_int_equal(len, len2);
            assert_memory_equal(text, text2, len);
            tu_ok(lump_box_equiv_cert_check(&v, why, sizeof why, &a, &b, &box, &back));
            if (v != LUMP_TRUE)
                fail_msg("trial %d: %s [seed %lu]", trial, why, tu_seed());
            /* a box the reductions were not made for */
            tu_ok(lump_box_equiv_cert_check(&v, why, sizeof why, &a, &b, &wide, &back));
            assert_int_equal(v, LUMP_FALSE);
            assert_non_null(strstr(why, "member \"a\""));
            /* B changed: an output bias moved by 1/2 */
            tu_ok(lump_net_copy(&b2, &b));
            bump_bias(&b2, 2, 0, 1, 2);
            tu_ok(lump_box_equiv_cert_check(&v, why, sizeof why, &a, &b2, &box, &back));
            assert_int_equal(v, LUMP_FALSE);
            free(text);
            free(text2);
        }
        /* a constant difference everywhere: refuted, witness in the box */
        lump_net_clear(&b2);
        tu_ok(lump_net_copy(&b2, &b));
        bump_bias(&b2, 2, 1, 1, 3);
        tu_ok(lump_box_equiv(&e, &proof, &on_box, &a, &b2, &box, 1));
        assert_int_equal(e.equal, LUMP_FALSE);
        assert_int_equal(e.n_witness, 2);
        for (size_t i = 0; i < 2; i++)
            assert_true(mpq_cmp(e.witness[i], box.lo[i]) >= 0 &&
                        mpq_cmp(e.witness[i], box.hi[i]) <= 0);
        lump_equiv_clear(&e);
        lump_box_equiv_cert_clear(&proof);
        lump_box_equiv_cert_clear(&back);
        lump_box_cert_clear(&cb);
        lump_box_clear(&box);
        lump_box_clear(&wide);
        lump_net_clear(&a);
        lump_net_clear(&b);
        lump_net_clear(&rebuilt);
        lump_net_clear(&b2);
    }
    /* small boxes make most relus stable: the second way must be taken */
    assert_true(proved_on_box >= 6);
}

/* lump_cert_quotient: the box certificate's quotient equals the reducer's
 * network; a certificate of another network is refused (LUMP_EINPUT). */
static void cert_quotient(void **state)
{
    const size_t sizes[3] = {10, 8, 2};
    lump_net_t a, other, b, q, q2;
    lump_box_t box;
    lump_box_cert_t cb;
    char *text = NULL;
    size_t len = 0;
    int on_box = -1;
    FILE *f;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&other);
    lump_net_init(&b);
    lump_net_init(&q);
    lump_net_init(&q2);
    lump_box_init(&box);
    lump_box_cert_init(&cb);
    random_net(&a, 2, 3, sizes);
    random_net(&other, 2, 3, sizes);
    small_box(&box, 2, 1, 4);
    tu_ok(lump_stable_reduce(&b, &cb, NULL, &a, &box, NULL));
    f = open_memstream(&text, &len);
    assert_non_null(f);
    tu_ok(lump_box_cert_write(f, &cb));
    assert_int_equal(fclose(f), 0);
    tu_ok(lump_cert_quotient(&q, &on_box, &a, &box, text, len, "c.json"));
    assert_int_equal(on_box, 1);
    assert_same_function(&q, &b, 40);
    tu_fails(lump_cert_quotient(&q2, &on_box, &other, &box, text, len, "c.json"), LUMP_EINPUT,
             "c.json");
    free(text);
    lump_box_cert_clear(&cb);
    lump_box_clear(&box);
    lump_net_clear(&a);
    lump_net_clear(&other);
    lump_net_clear(&b);
    lump_net_clear(&q);
    lump_net_clear(&q2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reduced_pair_proved),
        cmocka_unit_test(cert_quotient),
    };
    tu_init();
    return cmocka_run_group_tests_name("box_equiv", tests, NULL, NULL);
}
