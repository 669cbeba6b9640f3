/* test_act_desc.c -- every row of the activation descriptor (core/act_i.h)
 * against sampling and an independent MPFR reference: homogeneity,
 * value intervals, bounding lines, slope ranges, exact values */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <mpfr.h>
#include "lumpnet.h"
#include "act_i.h"
#include "testutil.h"

#define PREC 256
#define POINTS 200

/* The leaky slopes tried: negative, zero, between 0 and 1, above 1, and
 * one that is no double. */
static const char *const alphas[] = {"1/10", "0", "-1/3", "3/2", "1/100", "-2"};
#define N_ALPHA (sizeof alphas / sizeof alphas[0])

/* A uniform double in [lo, hi], on a grid of 2^20 steps. */
static double rnd_d(double lo, double hi)
{
    return lo + (hi - lo) * (double)gmp_urandomm_ui(tu_rand, 1ul << 20) / (double)(1ul << 20);
}

/* The reference: act(Z) at PREC bits, written here independently of the
 * library (the test's own switch is the point). */
static void ref_fr(mpfr_t y, const lump_act_t *a, const mpq_t z)
{
    mpfr_set_q(y, z, MPFR_RNDN);
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
        break;
    case LUMP_ACT_RELU:
        if (mpfr_sgn(y) < 0)
            mpfr_set_zero(y, 1);
        break;
    case LUMP_ACT_LEAKY_RELU:
        if (mpfr_sgn(y) < 0)
            mpfr_mul_q(y, y, a->alpha, MPFR_RNDN);
        break;
    case LUMP_ACT_SIGMOID:
        mpfr_neg(y, y, MPFR_RNDN);
        mpfr_exp(y, y, MPFR_RNDN);
        mpfr_add_ui(y, y, 1, MPFR_RNDN);
        mpfr_ui_div(y, 1, y, MPFR_RNDN);
        break;
    case LUMP_ACT_TANH:
        mpfr_tanh(y, y, MPFR_RNDN);
        break;
    default:
        fail_msg("test_act_desc: no reference for kind %d: add one with the new row", (int)a->kind);
    }
}

/* Compare act(Z) with the rational Q: the sign of act(z) - q, exactly for
 * the pwl kinds (value_q), else from the reference (its error 2^-250 is
 * far below every margin a bound of the library keeps). */
static int cmp_act(const lump_act_t *a, const mpq_t z, const mpq_t q)
{
    int c;
    if (lump_i_act_of(a)->pwl) {
        mpq_t y;
        mpq_init(y);
        assert_true(lump_i_act_value_q(y, a, z));
        c = mpq_cmp(y, q);
        mpq_clear(y);
        return c;
    }
    {
        mpfr_t y;
        mpfr_init2(y, PREC);
        ref_fr(y, a, z);
        c = mpfr_cmp_q(y, q);
        mpfr_clear(y);
    }
    return c;
}

/* Every activation to test: each kind, the ones with alpha once per
 * alpha. Calls F on each. */
static void each_act(void (*f)(const lump_act_t *a))
{
    lump_act_t a;
    lump_act_init(&a);
    for (unsigned k = 0; k < lump_i_act_count(); k++) {
        a.kind = (lump_act_kind_t)k;
        if (!lump_i_act_desc(a.kind)->has_alpha) {
            mpq_set_ui(a.alpha, 0, 1);
            f(&a);
            continue;
        }
        for (size_t j = 0; j < N_ALPHA; j++) {
            assert_int_equal(mpq_set_str(a.alpha, alphas[j], 10), 0);
            mpq_canonicalize(a.alpha);
            f(&a);
        }
    }
    lump_act_clear(&a);
}

/* ---- the table itself ------------------------------------------------ */

static void table_consistent(void **state)
{
    (void)state;
    assert_int_equal(lump_i_act_count(), 5); /* a new kind: update the reference too */
    for (unsigned k = 0; k < lump_i_act_count(); k++) {
        const lump_i_act_desc_t *d = lump_i_act_desc((lump_act_kind_t)k);
        lump_act_kind_t back;
        assert_non_null(d->name);
        assert_non_null(d->value_q);
        assert_non_null(d->eval_d);
        assert_non_null(d->ival);
        assert_non_null(d->slopes);
        assert_non_null(d->lines);
        assert_non_null(d->ival_fr);
        assert_non_null(d->grad_d);
        assert_string_equal(lump_act_name((lump_act_kind_t)k), d->name);
        tu_ok(lump_act_from_name(&back, d->name));
        assert_int_equal(back, k);
        assert_int_equal(lump_act_is_pwl((lump_act_kind_t)k), d->pwl);
        /* any sign implies positive; linear implies both; kinks and relu
         * are piecewise linear */
        assert_true(!d->any_sign || d->homogeneous);
        assert_true(!d->linear || (d->any_sign && d->pwl));
        assert_true(!d->kink || d->pwl);
        assert_true(!d->zero_below || d->kink);
    }
}

/* ---- homogeneity, with random positive and negative scales ----------- */

static void homog_one(const lump_act_t *a)
{
    const lump_i_act_desc_t *d = lump_i_act_of(a);
    mpq_t z, s, sz, lhs, rhs;
    mpfr_t fl, fr;
    int pos_fail = 0, neg_fail = 0;
    mpq_inits(z, s, sz, lhs, rhs, NULL);
    mpfr_inits2(PREC, fl, fr, (mpfr_ptr)0);
    for (int n = 0; n < POINTS; n++) {
        int neg = n % 2;
        tu_rand_q(z, 50, 7);
        do
            tu_rand_q(s, 20, 5);
        while (mpq_sgn(s) == 0 || mpq_cmp_ui(s, 1, 1) == 0);
        if ((mpq_sgn(s) < 0) != neg)
            mpq_neg(s, s);
        mpq_mul(sz, s, z);
        /* act(s z) against s act(z): exact for pwl, the reference else */
        if (d->pwl) {
            assert_true(d->value_q(lhs, a, sz));
            assert_true(d->value_q(rhs, a, z));
            mpq_mul(rhs, rhs, s);
            if (!mpq_equal(lhs, rhs))
                *(neg ? &neg_fail : &pos_fail) += 1;
        } else {
            ref_fr(fl, a, sz);
            ref_fr(fr, a, z);
            mpfr_mul_q(fr, fr, s, MPFR_RNDN);
            if (mpfr_cmp(fl, fr) != 0)
                *(neg ? &neg_fail : &pos_fail) += 1;
        }
    }
    /* a claimed property holds at every sample; one not claimed fails at
     * some (else the row under-claims, and lumping loses merges) */
    if (d->homogeneous)
        assert_int_equal(pos_fail, 0);
    else
        assert_true(pos_fail > 0);
    if (d->any_sign)
        assert_int_equal(neg_fail, 0);
    else
        assert_true(neg_fail > 0);
    /* the scale check of proportional lumping agrees */
    mpq_set_si(s, 3, 2);
    assert_int_equal(lump_i_act_scale_ok(a, s), d->homogeneous);
    mpq_set_si(s, -3, 2);
    assert_int_equal(lump_i_act_scale_ok(a, s), d->any_sign);
    mpq_set_ui(s, 1, 1);
    assert_true(lump_i_act_scale_ok(a, s));
    mpq_set_ui(s, 0, 1);
    assert_false(lump_i_act_scale_ok(a, s));
    mpq_clears(z, s, sz, lhs, rhs, NULL);
    mpfr_clears(fl, fr, (mpfr_ptr)0);
}

static void homogeneity(void **state)
{
    (void)state;
    each_act(homog_one);
}

/* ---- exact values, double evaluation --------------------------------- */

static void values_one(const lump_act_t *a)
{
    const lump_i_act_desc_t *d = lump_i_act_of(a);
    mpq_t z, y;
    mpfr_t r;
    mpq_inits(z, y, NULL);
    mpfr_init2(r, PREC);
    for (int n = 0; n < POINTS; n++) {
        double zd = n == 0 ? 0.0 : rnd_d(-30, 30), yd;
        mpq_set_d(z, zd);
        ref_fr(r, a, z);
        yd = d->eval_d(a, zd);
        assert_true(lump_act_eval_d(a, zd) == yd);
        /* the double path: within a few ulps of the reference */
        if (fabs(yd - mpfr_get_d(r, MPFR_RNDN)) > 8 * 0x1p-52 * fmax(fabs(yd), 0x1p-1000))
            fail_msg("%s: eval_d(%.17g) = %.17g, reference %.17g [seed %lu]", d->name, zd, yd,
                     mpfr_get_d(r, MPFR_RNDN), tu_seed());
        if (d->value_q(y, a, z)) {
            /* the exact value is the reference's (which is exact here for
             * identity, relu, sigmoid(0), tanh(0); leaky rounds alpha z) */
            mpfr_t e;
            mpfr_init2(e, PREC);
            mpfr_set_q(e, y, MPFR_RNDN);
            mpfr_sub(e, e, r, MPFR_RNDN);
            mpfr_abs(e, e, MPFR_RNDN);
            if (mpfr_cmp_d(e, ldexp(fabs(zd) + 1, -240)) > 0)
                fail_msg("%s: exact value at %.17g differs from MPFR [seed %lu]", d->name, zd,
                         tu_seed());
            mpfr_clear(e);
        } else {
            assert_false(d->pwl); /* a pwl kind is rational everywhere */
            assert_true(zd != 0); /* sigmoid(0) = 1/2, tanh(0) = 0 */
        }
    }
    /* every pwl kind is rational at a rational that is no double */
    mpq_set_si(z, -1, 3);
    assert_int_equal(d->value_q(y, a, z), d->pwl);
    mpq_clears(z, y, NULL);
    mpfr_clear(r);
}

static void values(void **state)
{
    (void)state;
    each_act(values_one);
}

/* ---- intervals: value interval, lines, slopes ------------------------ */

/* Random intervals: stable on either side, across 0, degenerate, wide. */
static void rnd_interval(int n, double *l, double *u)
{
    double a = rnd_d(-20, 20), b = rnd_d(-20, 20);
    switch (n % 5) {
    case 0:
        *l = fmin(a, b);
        *u = fmax(a, b);
        break;
    case 1:
        *l = -fabs(a) - 0.5;
        *u = fabs(b) + 0.5;
        break;
    case 2:
        *l = fabs(a);
        *u = *l + fabs(b);
        break;
    case 3:
        *u = -fabs(a);
        *l = *u - fabs(b);
        break;
    default:
        *l = *u = a;
    }
}

static void interval_one(const lump_act_t *a)
{
    const lump_i_act_desc_t *d = lump_i_act_of(a);
    mpq_t z, q, zb, yb, t;
    mpq_inits(z, q, zb, yb, t, NULL);
    for (int n = 0; n < POINTS; n++) {
        double l, u, ylo, yhi, us, ut, ls, lt, sl, sh;
        int has_lines, has_slopes;
        rnd_interval(n, &l, &u);
        d->ival(&ylo, &yhi, a, l, u);
        has_lines = d->lines(&us, &ut, &ls, &lt, a, l, u);
        has_slopes = d->slopes(&sl, &sh, a, l, u);
        assert_true(has_lines); /* every alpha tried fits a double */
        assert_true(has_slopes);
        assert_true(sl <= sh);
        mpfr_t flo, fhi, ft, fy;
        mpfr_inits2(PREC, flo, fhi, ft, fy, (mpfr_ptr)0);
        mpfr_set_d(flo, l, MPFR_RNDN);
        mpfr_set_d(fhi, u, MPFR_RNDN);
        d->ival_fr(flo, fhi, a, ft);
        for (int m = 0; m <= 40; m++) {
            /* both endpoints, then points inside */
            double zd = m == 0 ? l : m == 1 ? u : rnd_d(l, u);
            mpq_set_d(z, zd);
            mpq_set_d(q, ylo);
            if (cmp_act(a, z, q) < 0)
                fail_msg("%s: act(%.17g) below the interval of [%.17g, %.17g] [seed %lu]", d->name,
                         zd, l, u, tu_seed());
            mpq_set_d(q, yhi);
            if (cmp_act(a, z, q) > 0)
                fail_msg("%s: act(%.17g) above the interval of [%.17g, %.17g] [seed %lu]", d->name,
                         zd, l, u, tu_seed());
            /* the MPFR enclosure */
            ref_fr(fy, a, z);
            if (mpfr_cmp(fy, flo) < 0 || mpfr_cmp(fy, fhi) > 0)
                fail_msg("%s: act(%.17g) outside the MPFR enclosure of [%.17g, %.17g] [seed %lu]",
                         d->name, zd, l, u, tu_seed());
            /* the gradient step's value, and its derivative against a
             * central difference away from the kink */
            {
                double dv, y = d->grad_d(a, zd, &dv), h = 1e-6;
                if (fabs(y - mpfr_get_d(fy, MPFR_RNDN)) > 1e-12 * (1 + fabs(y)))
                    fail_msg("%s: grad_d value at %.17g [seed %lu]", d->name, zd, tu_seed());
                if (fabs(zd) > 1e-3) {
                    double dummy,
                        fd =
                            (d->grad_d(a, zd + h, &dummy) - d->grad_d(a, zd - h, &dummy)) / (2 * h);
                    if (fabs(fd - dv) > 1e-6)
                        fail_msg(
                            "%s: derivative %.17g at %.17g, finite difference %.17g [seed %lu]",
                            d->name, dv, zd, fd, tu_seed());
                }
            }
            /* lower line ls z + lt <= act(z) <= us z + ut, in exact
             * arithmetic on the doubles */
            mpq_set_d(q, ls);
            mpq_mul(q, q, z);
            mpq_set_d(t, lt);
            mpq_add(q, q, t);
            if (cmp_act(a, z, q) < 0)
                fail_msg("%s: lower line above act at %.17g in [%.17g, %.17g] [seed %lu]", d->name,
                         zd, l, u, tu_seed());
            mpq_set_d(q, us);
            mpq_mul(q, q, z);
            mpq_set_d(t, ut);
            mpq_add(q, q, t);
            if (cmp_act(a, z, q) > 0)
                fail_msg("%s: upper line below act at %.17g in [%.17g, %.17g] [seed %lu]", d->name,
                         zd, l, u, tu_seed());
            /* the difference quotient against the previous point */
            if (m > 0 && !mpq_equal(z, zb)) {
                mpfr_t fa, fb;
                mpfr_inits2(PREC, fa, fb, (mpfr_ptr)0);
                ref_fr(fa, a, z);
                ref_fr(fb, a, zb);
                mpfr_sub(fa, fa, fb, MPFR_RNDN);
                mpq_sub(t, z, zb);
                mpfr_div_q(fa, fa, t, MPFR_RNDN);
                if (mpfr_cmp_d(fa, sl) < 0 || mpfr_cmp_d(fa, sh) > 0)
                    fail_msg("%s: slope %.17g outside [%.17g, %.17g] on [%.17g, %.17g] "
                             "[seed %lu]",
                             d->name, mpfr_get_d(fa, MPFR_RNDN), sl, sh, l, u, tu_seed());
                mpfr_clears(fa, fb, (mpfr_ptr)0);
            }
            mpq_set(zb, z);
        }
        mpfr_clears(flo, fhi, ft, fy, (mpfr_ptr)0);
    }
    mpq_clears(z, q, zb, yb, t, NULL);
}

static void intervals(void **state)
{
    (void)state;
    each_act(interval_one);
}

/* A leaky slope beyond double range: no lines and no slopes, but still a
 * value interval that contains the values. */
static void huge_alpha(void **state)
{
    lump_act_t a;
    double s1, s2, s3, s4;
    (void)state;
    lump_act_init(&a);
    a.kind = LUMP_ACT_LEAKY_RELU;
    mpq_set_ui(a.alpha, 1, 1);
    mpq_mul_2exp(a.alpha, a.alpha, 2000);
    assert_false(lump_i_act_of(&a)->lines(&s1, &s2, &s3, &s4, &a, -1, 1));
    assert_false(lump_i_act_slopes(&s1, &s2, &a, -1, 1));
    assert_true(isinf(s1) && isinf(s2));
    lump_act_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_consistent), cmocka_unit_test(homogeneity), cmocka_unit_test(values),
        cmocka_unit_test(intervals),        cmocka_unit_test(huge_alpha),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
