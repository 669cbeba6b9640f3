/* test_arr.c -- compact exact arrays and rational text (arr.c, rat.c) */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* Parse TEXT and compare with the fraction P/Q built independently. */
static void expect_parse(const char *text, const char *p, const char *q)
{
    mpq_t got, want;
    mpq_init(got);
    mpq_init(want);
    tu_ok(lump_rat_parse_cstr(got, text));
    mpz_set_str(mpq_numref(want), p, 10);
    mpz_set_str(mpq_denref(want), q, 10);
    mpq_canonicalize(want);
    if (!mpq_equal(got, want))
        fail_msg("'%s' parsed to %s, expected %s/%s", text, mpq_get_str(NULL, 10, got), p, q);
    mpq_clear(got);
    mpq_clear(want);
}

static void parse_decimals_exactly(void **state)
{
    (void)state;
    expect_parse("5.40062e-02", "540062", "10000000");
    expect_parse("1.9791091e+04", "19791091", "1000");
    expect_parse("-0.125", "-1", "8");
    expect_parse("0.1", "1", "10");
    expect_parse(".5", "1", "2");
    expect_parse("3.", "3", "1");
    expect_parse("+7", "7", "1");
    expect_parse("6.28318530718", "628318530718", "100000000000");
    expect_parse("1E3", "1000", "1");
    expect_parse("0.029999999329447746", "29999999329447746", "1000000000000000000");
}

static void parse_fractions(void **state)
{
    (void)state;
    expect_parse("-3/4", "-3", "4");
    expect_parse("6/8", "3", "4");
    expect_parse("0/5", "0", "1");
    expect_parse("123456789012345678901234567890/7", "123456789012345678901234567890", "7");
}

static void parse_refuses_garbage(void **state)
{
    mpq_t v;
    const char *bad[] = {"", "-", "abc", "1.2.3", "1e", "1/", "/2", "1/-2", "nan", "inf",
                         " 1", "1 ", "0x10", "1/2/3", "--1", "1e+"};
    (void)state;
    mpq_init(v);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (lump_rat_parse_cstr(v, bad[i]) != LUMP_EINPUT)
            fail_msg("'%s' was accepted", bad[i]);
    tu_fails(lump_rat_parse_cstr(v, "1/0"), LUMP_EINPUT, "division by zero");
    tu_fails(lump_rat_parse_cstr(v, "1e999999999"), LUMP_EINPUT, "exponent");
    tu_fails(lump_rat_parse_cstr(v, "1e-99999999999999999999"), LUMP_EINPUT, "exponent");
    mpq_clear(v);
}

static void parse_refuses_too_many_digits(void **state)
{
    mpq_t v;
    char *s = malloc(LUMP_RAT_MAX_DIGITS + 10);
    (void)state;
    memset(s, '7', LUMP_RAT_MAX_DIGITS + 5);
    s[LUMP_RAT_MAX_DIGITS + 5] = '\0';
    mpq_init(v);
    tu_fails(lump_rat_parse_cstr(v, s), LUMP_EINPUT, "digits");
    mpq_clear(v);
    free(s);
}

static void canonical_text(void **state)
{
    struct { const char *in, *out; } cases[] = {
        {"0.125", "0.125"}, {"1/8", "0.125"}, {"-3/4", "-0.75"}, {"1/3", "1/3"},
        {"5", "5"}, {"-0", "0"}, {"0.0540062", "0.0540062"}, {"2/10", "0.2"},
        {"19791.091", "19791.091"},
        /* the float32 nearest to 0.1: its 27-digit expansion loses to p/q */
        {"13421773/134217728", "13421773/134217728"},
    };
    mpq_t v;
    (void)state;
    mpq_init(v);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s;
        tu_ok(lump_rat_parse_cstr(v, cases[i].in));
        s = lump_rat_str(v);
        assert_string_equal(s, cases[i].out);
        free(s);
    }
    mpq_clear(v);
}

static void canonical_text_round_trips(void **state)
{
    mpq_t v, w;
    (void)state;
    mpq_init(v);
    mpq_init(w);
    for (int k = 0; k < 2000; k++) {
        char *s;
        if (k % 2)
            tu_rand_q(v, 1000000000UL, 1000UL);
        else
            mpq_set_d(v, ldexp((double)(rand() - RAND_MAX / 2), -(k % 60)));
        s = lump_rat_str(v);
        tu_ok(lump_rat_parse_cstr(w, s));
        if (!mpq_equal(v, w))
            fail_msg("%s does not read back [seed %lu]", s, tu_seed());
        free(s);
    }
    mpq_clear(v);
    mpq_clear(w);
}

static void decimal_str_only_when_terminating(void **state)
{
    mpq_t v;
    char *s;
    (void)state;
    mpq_init(v);
    mpq_set_si(v, 1, 3);
    assert_null(lump_rat_decimal_str(v));
    mpq_set_si(v, -1, 1024);
    s = lump_rat_decimal_str(v);
    assert_string_equal(s, "-0.0009765625");
    free(s);
    mpq_clear(v);
}

static void f32_array_keeps_floats(void **state)
{
    lump_arr_t a;
    mpq_t v;
    (void)state;
    lump_arr_init(&a);
    mpq_init(v);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_F32, 4));
    tu_ok(lump_arr_set_f(&a, 0, 0.1f));
    tu_ok(lump_arr_set_f(&a, 1, -2.5f));
    assert_int_equal(a.store, LUMP_STORE_F32);
    lump_arr_get(v, &a, 0);
    /* 0.1f is 13421773 * 2^-27 */
    assert_int_equal(mpz_get_si(mpq_numref(v)), 13421773);
    assert_int_equal(mpz_get_si(mpq_denref(v)), 134217728);
    assert_int_equal(lump_arr_sgn(&a, 1), -1);
    assert_int_equal(lump_arr_sgn(&a, 2), 0);
    /* a float32-representable rational keeps the storage */
    mpq_set_si(v, 3, 4);
    tu_ok(lump_arr_set(&a, 2, v));
    assert_int_equal(a.store, LUMP_STORE_F32);
    mpq_clear(v);
    lump_arr_clear(&a);
}

static void set_promotes_storage(void **state)
{
    lump_arr_t a;
    mpq_t v, w;
    (void)state;
    lump_arr_init(&a);
    mpq_init(v);
    mpq_init(w);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_F32, 3));
    tu_ok(lump_arr_set_f(&a, 0, 0.1f));
    tu_ok(lump_arr_set_d(&a, 1, 0.1)); /* a double that is not a float */
    assert_int_equal(a.store, LUMP_STORE_F64);
    mpq_set_si(v, 1, 3);
    tu_ok(lump_arr_set(&a, 2, v));
    assert_int_equal(a.store, LUMP_STORE_Q);
    lump_arr_get(w, &a, 2);
    assert_true(mpq_equal(v, w));
    lump_arr_get(w, &a, 0);
    mpq_set_d(v, (double)0.1f);
    assert_true(mpq_equal(v, w));
    lump_arr_get(w, &a, 1);
    mpq_set_d(v, 0.1);
    assert_true(mpq_equal(v, w));
    mpq_clear(v);
    mpq_clear(w);
    lump_arr_clear(&a);
}

static void q_array_big_values(void **state)
{
    lump_arr_t a, b;
    mpq_t v, w;
    (void)state;
    lump_arr_init(&a);
    lump_arr_init(&b);
    mpq_init(v);
    mpq_init(w);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_Q, 3));
    tu_ok(lump_rat_parse_cstr(v, "123456789012345678901234567890/7"));
    tu_ok(lump_arr_set(&a, 0, v));
    assert_int_equal(a.nbig, 1);
    tu_ok(lump_arr_set(&a, 0, v)); /* overwrite reuses the slot */
    assert_int_equal(a.nbig, 1);
    lump_arr_get(w, &a, 0);
    assert_true(mpq_equal(v, w));
    assert_int_equal(lump_arr_sgn(&a, 0), 1);
    tu_ok(lump_rat_parse_cstr(v, "-5.40062e-02"));
    tu_ok(lump_arr_set(&a, 1, v));
    assert_int_equal(a.nbig, 1); /* a decimal fits the inline form */
    assert_true(fabs(lump_arr_get_d(&a, 1) + 0.0540062) < 1e-17);
    tu_ok(lump_arr_copy(&b, &a));
    assert_true(lump_arr_equal(&a, &b));
    mpq_set_si(v, 1, 1);
    tu_ok(lump_arr_set(&b, 2, v));
    assert_false(lump_arr_equal(&a, &b));
    mpq_clear(v);
    mpq_clear(w);
    lump_arr_clear(&a);
    lump_arr_clear(&b);
}

static void get_fr_rounds_in_direction(void **state)
{
    lump_arr_t a;
    mpq_t v;
    mpfr_t lo, hi;
    (void)state;
    lump_arr_init(&a);
    mpq_init(v);
    mpfr_inits2(64, lo, hi, (mpfr_ptr)0);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_Q, 1));
    mpq_set_si(v, 1, 3);
    tu_ok(lump_arr_set(&a, 0, v));
    assert_true(lump_arr_get_fr(lo, &a, 0, MPFR_RNDD) < 0);
    assert_true(lump_arr_get_fr(hi, &a, 0, MPFR_RNDU) > 0);
    assert_true(mpfr_cmp_q(lo, v) < 0 && mpfr_cmp_q(hi, v) > 0);
    mpfr_clears(lo, hi, (mpfr_ptr)0);
    mpq_clear(v);
    lump_arr_clear(&a);
}

static void fits_reports_rounding(void **state)
{
    lump_arr_t a;
    mpq_t v;
    double err;
    (void)state;
    lump_arr_init(&a);
    mpq_init(v);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_Q, 2));
    mpq_set_si(v, 3, 4);
    tu_ok(lump_arr_set(&a, 0, v));
    assert_true(lump_arr_fits(&a, LUMP_STORE_F32, &err));
    assert_true(err == 0);
    mpq_set_si(v, 1, 10);
    tu_ok(lump_arr_set(&a, 1, v));
    assert_false(lump_arr_fits(&a, LUMP_STORE_F32, &err));
    /* |0.1f - 0.1| = 1.490116119384765625e-9 */
    assert_true(fabs(err - 1.490116119384765625e-9) < 1e-20);
    assert_false(lump_arr_fits(&a, LUMP_STORE_F64, &err));
    assert_true(err > 0 && err < 1e-17);
    mpq_clear(v);
    lump_arr_clear(&a);
}

/* A subnormal float32 is rounded once: v = (5/2 + 2^-40) 2^-149 lies just
 * above the midpoint of 2 and 3 times the smallest subnormal, so its
 * nearest float32 is 3 * 2^-149. Rounding first to 24 bits (to the
 * midpoint 5/2 2^-149) and then to float (ties to even: 2 * 2^-149) gave
 * the wrong neighbour and an error of (1/2 + 2^-40) 2^-149. */
static void fits_rounds_subnormal_float32_once(void **state)
{
    lump_arr_t a;
    mpq_t v, e;
    double err;
    (void)state;
    lump_arr_init(&a);
    mpq_inits(v, e, NULL);
    tu_ok(lump_arr_alloc(&a, LUMP_STORE_Q, 1));
    mpq_set_ui(v, 5, 2);
    mpq_set_ui(e, 1, 1);
    mpq_div_2exp(e, e, 40);
    mpq_add(v, v, e);
    mpq_div_2exp(v, v, 149);
    tu_ok(lump_arr_set(&a, 0, v));
    assert_false(lump_arr_fits(&a, LUMP_STORE_F32, &err));
    /* the error to 3 * 2^-149 is (1/2 - 2^-40) 2^-149 */
    assert_true(err == ldexp(0.5 - ldexp(1, -40), -149));
    /* the smallest float32 subnormal itself fits */
    mpq_set_ui(v, 1, 1);
    mpq_div_2exp(v, v, 149);
    tu_ok(lump_arr_set(&a, 0, v));
    assert_true(lump_arr_fits(&a, LUMP_STORE_F32, &err));
    assert_true(err == 0);
    mpq_clears(v, e, NULL);
    lump_arr_clear(&a);
}

static void alloc_refuses_absurd_sizes(void **state)
{
    lump_arr_t a;
    (void)state;
    lump_arr_init(&a);
    tu_fails(lump_arr_alloc(&a, LUMP_STORE_F32, (size_t)1 << 40), LUMP_ENOMEM, "limit");
    lump_arr_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_decimals_exactly),
        cmocka_unit_test(parse_fractions),
        cmocka_unit_test(parse_refuses_garbage),
        cmocka_unit_test(parse_refuses_too_many_digits),
        cmocka_unit_test(canonical_text),
        cmocka_unit_test(canonical_text_round_trips),
        cmocka_unit_test(decimal_str_only_when_terminating),
        cmocka_unit_test(f32_array_keeps_floats),
        cmocka_unit_test(set_promotes_storage),
        cmocka_unit_test(q_array_big_values),
        cmocka_unit_test(get_fr_rounds_in_direction),
        cmocka_unit_test(fits_reports_rounding),
        cmocka_unit_test(fits_rounds_subnormal_float32_once),
        cmocka_unit_test(alloc_refuses_absurd_sizes),
    };
    tu_init();
    return cmocka_run_group_tests_name("arr", tests, NULL, NULL);
}
