/* arr.c -- compact arrays of exact rationals (F32, F64 or small-fraction
 * storage, with a side table of mpq_t for what does not fit) */
#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/arr.h"
#include "arr_i.h"
#include "alloc_i.h"

/* Small fractions use int64_t as long and uint64_t as unsigned long, the
 * types GMP's _si/_ui functions take. */
_Static_assert(sizeof(long) == 8, "lumpnet needs an LP64 platform");

/* 2^31 entries: far beyond any network this tool is meant for, small
 * enough that a corrupt declared size is refused before malloc. */
#define ARR_MAX_LEN ((size_t)1 << 31)

static size_t elt_size(lump_store_t s)
{
    return s == LUMP_STORE_F32 ? sizeof(float)
         : s == LUMP_STORE_F64 ? sizeof(double) : sizeof(lump_qs_t);
}

void lump_arr_init(lump_arr_t *a)
{
    memset(a, 0, sizeof *a);
    a->store = LUMP_STORE_F32;
}

static void clear_big(lump_arr_t *a)
{
    for (size_t i = 0; i < a->nbig; i++)
        mpq_clear(a->big[i]);
    free(a->big);
    a->big = NULL;
    a->nbig = a->capbig = 0;
}

void lump_arr_clear(lump_arr_t *a)
{
    clear_big(a);
    free(a->data);
    lump_arr_init(a);
}

/* The cap is ARR_MAX_LEN, or, under a memory limit (--max-memory), the
 * number of the smallest values (float32) that fit in it: a declared size
 * that cannot fit is then refused before any allocation. */
size_t lump_arr_max_len(void)
{
    size_t limit = lump_memory_limit();
    if (limit > 0 && limit / sizeof(float) < ARR_MAX_LEN)
        return limit / sizeof(float);
    return ARR_MAX_LEN;
}

lump_error_t lump_arr_alloc(lump_arr_t *a, lump_store_t store, size_t len)
{
    void *data = NULL;
    size_t max = lump_arr_max_len();
    if (len > max || (lump_memory_limit() > 0 && len > lump_memory_limit() / elt_size(store)))
        return lump_error_set(LUMP_ENOMEM,
                              "%zu values requested, more than the limit of %zu",
                              len, max);
    if (len > 0) {
        data = lump_alloc_zero(len, elt_size(store));
    }
    lump_arr_clear(a);
    a->store = store;
    a->len = len;
    a->data = data;
    if (store == LUMP_STORE_Q) {
        lump_qs_t *q = data;
        for (size_t i = 0; i < len; i++)
            q[i].den = 1;
    }
    return LUMP_OK;
}

static void qs_get(mpq_t out, const lump_arr_t *a, const lump_qs_t *e)
{
    if (e->den == 0) {
        mpq_set(out, a->big[e->num]);
    } else {
        mpz_set_si(mpq_numref(out), (long)e->num);
        mpz_set_ui(mpq_denref(out), (unsigned long)e->den);
    }
}

void lump_arr_get(mpq_t out, const lump_arr_t *a, size_t i)
{
    assert(i < a->len);
    switch (a->store) {
    case LUMP_STORE_F32:
        mpq_set_d(out, ((const float *)a->data)[i]);
        break;
    case LUMP_STORE_F64:
        mpq_set_d(out, ((const double *)a->data)[i]);
        break;
    default:
        qs_get(out, a, &((const lump_qs_t *)a->data)[i]);
        break;
    }
}

/* 2^53: integers below it are exact doubles, so one division of two of
 * them is correctly rounded. */
#define EXACT_INT_LIMIT 9007199254740992.0

double lump_arr_get_d(const lump_arr_t *a, size_t i)
{
    const lump_qs_t *e;
    assert(i < a->len);
    if (a->store == LUMP_STORE_F32)
        return ((const float *)a->data)[i];
    if (a->store == LUMP_STORE_F64)
        return ((const double *)a->data)[i];
    e = &((const lump_qs_t *)a->data)[i];
    if (e->den != 0 && fabs((double)e->num) < EXACT_INT_LIMIT &&
        (double)e->den < EXACT_INT_LIMIT)
        return (double)e->num / (double)e->den;
    {
        mpfr_t t;
        double d;
        mpfr_init2(t, 53);
        lump_arr_get_fr(t, a, i, MPFR_RNDN);
        d = mpfr_get_d(t, MPFR_RNDN);
        mpfr_clear(t);
        return d;
    }
}

int lump_arr_get_fr(mpfr_t out, const lump_arr_t *a, size_t i, mpfr_rnd_t rnd)
{
    const lump_qs_t *e;
    assert(i < a->len);
    if (a->store == LUMP_STORE_F32)
        return mpfr_set_flt(out, ((const float *)a->data)[i], rnd);
    if (a->store == LUMP_STORE_F64)
        return mpfr_set_d(out, ((const double *)a->data)[i], rnd);
    e = &((const lump_qs_t *)a->data)[i];
    if (e->den == 0)
        return mpfr_set_q(out, a->big[e->num], rnd);
    if (e->den == 1)
        return mpfr_set_si(out, (long)e->num, rnd);
    {
        mpq_t q;
        int t;
        mpq_init(q);
        qs_get(q, a, e);
        t = mpfr_set_q(out, q, rnd);
        mpq_clear(q);
        return t;
    }
}

int lump_arr_sgn(const lump_arr_t *a, size_t i)
{
    const lump_qs_t *e;
    assert(i < a->len);
    if (a->store == LUMP_STORE_F32) {
        float v = ((const float *)a->data)[i];
        return (v > 0) - (v < 0);
    }
    if (a->store == LUMP_STORE_F64) {
        double v = ((const double *)a->data)[i];
        return (v > 0) - (v < 0);
    }
    e = &((const lump_qs_t *)a->data)[i];
    if (e->den == 0)
        return mpq_sgn(a->big[e->num]);
    return (e->num > 0) - (e->num < 0);
}

/* Does V equal a double exactly? Then *D holds it. */
static int q_as_double(double *d, const mpq_t v)
{
    mpq_t back;
    int eq;
    if (mpz_popcount(mpq_denref(v)) != 1) /* not a power of two */
        return 0;
    if (mpz_sizeinbase(mpq_numref(v), 2) > 53)
        return 0;
    *d = mpq_get_d(v);
    if (!isfinite(*d))
        return 0;
    mpq_init(back);
    mpq_set_d(back, *d);
    eq = mpq_equal(back, v);
    mpq_clear(back);
    return eq;
}

static void push_big(lump_arr_t *a, int64_t *index, const mpq_t v)
{
    if (a->nbig == a->capbig) {
        size_t cap = a->capbig ? 2 * a->capbig : 16;
        mpq_t *nb = lump_realloc_array(a->big, cap, sizeof *nb);
        a->big = nb;
        a->capbig = cap;
    }
    mpq_init(a->big[a->nbig]);
    mpq_set(a->big[a->nbig], v);
    *index = (int64_t)a->nbig++;
}

static void qs_set(lump_arr_t *a, size_t i, const mpq_t v)
{
    lump_qs_t *e = &((lump_qs_t *)a->data)[i];
    if (mpz_fits_slong_p(mpq_numref(v)) && mpz_fits_ulong_p(mpq_denref(v))) {
        e->num = mpz_get_si(mpq_numref(v));
        e->den = mpz_get_ui(mpq_denref(v));
        return;
    }
    if (e->den == 0) { /* reuse the entry's side-table slot */
        mpq_set(a->big[e->num], v);
        return;
    }
    e->den = 0;
    push_big(a, &e->num, v);
}

/* Convert A to storage TO (F64 or Q), keeping its values. O(len). */
static lump_error_t promote(lump_arr_t *a, lump_store_t to)
{
    lump_arr_t b;
    lump_error_t err = LUMP_OK;
    mpq_t t;
    lump_arr_init(&b);
    mpq_init(t);
    LUMP_CHECK(lump_arr_alloc(&b, to, a->len));
    for (size_t i = 0; i < a->len; i++) {
        if (to == LUMP_STORE_F64) {
            ((double *)b.data)[i] = ((const float *)a->data)[i];
        } else {
            lump_arr_get(t, a, i);
            qs_set(&b, i, t);
        }
    }
    lump_arr_clear(a);
    *a = b;
    lump_arr_init(&b);
cleanup:
    lump_arr_clear(&b);
    mpq_clear(t);
    return err;
}

lump_error_t lump_arr_set(lump_arr_t *a, size_t i, const mpq_t v)
{
    lump_error_t err = LUMP_OK;
    double d;
    assert(i < a->len);
    if (a->store != LUMP_STORE_Q) {
        if (q_as_double(&d, v)) {
            if (a->store == LUMP_STORE_F64) {
                ((double *)a->data)[i] = d;
                return LUMP_OK;
            }
            if ((double)(float)d == d) {
                ((float *)a->data)[i] = (float)d;
                return LUMP_OK;
            }
            LUMP_CHECK(promote(a, LUMP_STORE_F64));
            ((double *)a->data)[i] = d;
            return LUMP_OK;
        }
        LUMP_CHECK(promote(a, LUMP_STORE_Q));
    }
    qs_set(a, i, v);
cleanup:
    return err;
}

lump_error_t lump_arr_set_d(lump_arr_t *a, size_t i, double v)
{
    lump_error_t err = LUMP_OK;
    assert(i < a->len && isfinite(v));
    if (a->store == LUMP_STORE_F32 && (double)(float)v != v)
        LUMP_CHECK(promote(a, LUMP_STORE_F64));
    if (a->store == LUMP_STORE_F32) {
        ((float *)a->data)[i] = (float)v;
    } else if (a->store == LUMP_STORE_F64) {
        ((double *)a->data)[i] = v;
    } else {
        mpq_t t;
        mpq_init(t);
        mpq_set_d(t, v);
        qs_set(a, i, t);
        mpq_clear(t);
    }
cleanup:
    return err;
}

lump_error_t lump_arr_set_f(lump_arr_t *a, size_t i, float v)
{
    return lump_arr_set_d(a, i, (double)v);
}

lump_error_t lump_arr_copy(lump_arr_t *dst, const lump_arr_t *src)
{
    lump_error_t err = LUMP_OK;
    lump_arr_t b;
    lump_arr_init(&b);
    LUMP_CHECK(lump_arr_alloc(&b, src->store, src->len));
    if (src->len > 0)
        memcpy(b.data, src->data, src->len * elt_size(src->store));
    if (src->nbig > 0) {
        b.big = lump_alloc_array(src->nbig, sizeof *b.big);
        for (size_t k = 0; k < src->nbig; k++) {
            mpq_init(b.big[k]);
            mpq_set(b.big[k], src->big[k]);
        }
        b.nbig = b.capbig = src->nbig;
    }
    lump_arr_clear(dst);
    *dst = b;
    lump_arr_init(&b);
cleanup:
    lump_arr_clear(&b);
    return err;
}

/* Values are equal when the bytes are, except that -0.0 and 0.0 differ in
 * bytes only; so compare floats as floats. */
static int floats_equal(const lump_arr_t *a, const lump_arr_t *b)
{
    for (size_t i = 0; i < a->len; i++) {
        double x = a->store == LUMP_STORE_F32 ? ((const float *)a->data)[i]
                                              : ((const double *)a->data)[i];
        double y = b->store == LUMP_STORE_F32 ? ((const float *)b->data)[i]
                                              : ((const double *)b->data)[i];
        if (x != y)
            return 0;
    }
    return 1;
}

int lump_arr_equal(const lump_arr_t *a, const lump_arr_t *b)
{
    int eq = 1;
    mpq_t x, y;
    if (a->len != b->len)
        return 0;
    if (a->store != LUMP_STORE_Q && b->store != LUMP_STORE_Q)
        return floats_equal(a, b);
    mpq_init(x);
    mpq_init(y);
    for (size_t i = 0; i < a->len && eq; i++) {
        lump_arr_get(x, a, i);
        lump_arr_get(y, b, i);
        eq = mpq_equal(x, y);
    }
    mpq_clear(x);
    mpq_clear(y);
    return eq;
}

/* lump_i_round_store -- see arr_i.h. */
int lump_i_round_store(double *out, lump_store_t store, const mpq_t v, mpfr_t f)
{
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    int f32 = store == LUMP_STORE_F32, t;
    mpfr_set_prec(f, f32 ? 24 : 53);
    mpfr_set_emin(f32 ? -148 : -1073);
    mpfr_set_emax(f32 ? 128 : 1024);
    t = mpfr_set_q(f, v, MPFR_RNDN);
    t = mpfr_subnormalize(f, t, MPFR_RNDN);
    *out = f32 ? (double)mpfr_get_flt(f, MPFR_RNDN) : mpfr_get_d(f, MPFR_RNDN);
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    return t;
}

int lump_arr_fits(const lump_arr_t *a, lump_store_t store, double *maxerr)
{
    int fits = 1;
    double worst = 0;
    mpq_t v, r;
    mpfr_t f;
    if (store == LUMP_STORE_Q || a->store == LUMP_STORE_F32 ||
        (a->store == LUMP_STORE_F64 && store == LUMP_STORE_F64)) {
        if (maxerr != NULL)
            *maxerr = 0;
        return 1;
    }
    mpq_init(v);
    mpq_init(r);
    mpfr_init2(f, 64);
    for (size_t i = 0; i < a->len; i++) {
        double d;
        lump_arr_get(v, a, i);
        (void)lump_i_round_store(&d, store, v, f);
        if (!isfinite(d)) {
            fits = 0;
            worst = INFINITY;
            continue;
        }
        mpq_set_d(r, d);
        if (!mpq_equal(r, v)) {
            double e;
            fits = 0;
            mpq_sub(r, r, v);
            mpq_abs(r, r);
            mpfr_set_prec(f, 53);
            mpfr_set_q(f, r, MPFR_RNDU);
            e = mpfr_get_d(f, MPFR_RNDU);
            if (e > worst)
                worst = e;
        }
    }
    mpq_clear(v);
    mpq_clear(r);
    mpfr_clear(f);
    if (maxerr != NULL)
        *maxerr = worst;
    return fits;
}

size_t lump_arr_bytes(const lump_arr_t *a)
{
    size_t n = a->len * elt_size(a->store) + a->capbig * sizeof(mpq_t);
    for (size_t i = 0; i < a->nbig; i++)
        n += (mpz_size(mpq_numref(a->big[i])) + mpz_size(mpq_denref(a->big[i]))) *
             sizeof(mp_limb_t);
    return n;
}

/* lump_rat_fits -- see arr.h. A binary float has a power-of-two
 * denominator, which rejects most rationals before MPFR is asked. */
int lump_rat_fits(const mpq_t v, lump_fit_t fit)
{
    int fits;
    double d;
    mpfr_t f;
    mpz_t den, p;
    if (fit == LUMP_FIT_ANY)
        return 1;
    if (fit == LUMP_FIT_DECIMAL) {
        mpz_inits(den, p, NULL);
        mpz_set_ui(p, 2);
        mpz_remove(den, mpq_denref(v), p);
        mpz_set_ui(p, 5);
        mpz_remove(den, den, p);
        fits = mpz_cmp_ui(den, 1) == 0;
        mpz_clears(den, p, NULL);
        return fits;
    }
    if (mpz_popcount(mpq_denref(v)) != 1)
        return 0;
    mpfr_init2(f, 64);
    fits = lump_i_round_store(&d, fit == LUMP_FIT_F32 ? LUMP_STORE_F32 : LUMP_STORE_F64, v, f) ==
               0 && isfinite(d);
    mpfr_clear(f);
    return fits;
}

/* lump_arr_fits_type -- see arr.h. Binary32 values are binary64 values,
 * and both terminate as decimals. */
int lump_arr_fits_type(const lump_arr_t *a, lump_fit_t fit)
{
    int fits = 1;
    mpq_t v;
    if (fit == LUMP_FIT_ANY || a->store == LUMP_STORE_F32 ||
        (a->store == LUMP_STORE_F64 && fit != LUMP_FIT_F32))
        return 1;
    mpq_init(v);
    for (size_t i = 0; i < a->len && fits; i++) {
        lump_arr_get(v, a, i);
        fits = lump_rat_fits(v, fit);
    }
    mpq_clear(v);
    return fits;
}
