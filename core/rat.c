/* rat.c -- exact rationals from and to text (decimals and p/q) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/rat.h"
#include "arr_i.h"
#include "alloc_i.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The most digits of p or q in "p/q": enough for every value a capped
 * decimal can denote (up to MAX_DIGITS digits times 10^(+-MAX_EXP), its
 * denominator up to 10^(MAX_EXP + MAX_DIGITS)), so that what lump_rat_str
 * writes for such a value is read back (found by fuzzing: "2.5e-5999" was
 * accepted but its p/q text, with 6000 digits, was refused). */
#define FRACTION_MAX_DIGITS (2 * LUMP_RAT_MAX_DIGITS + LUMP_RAT_MAX_EXP)

/* Read an optionally signed run of digits S[*i..len) into Z. Returns
 * LUMP_EINPUT without a message when there is no digit (the caller says
 * what the whole number should look like), and with one otherwise. */
static lump_error_t parse_int(mpz_t z, const char *s, size_t len, size_t *i)
{
    size_t start = *i, n;
    char *buf;
    int neg = 0;
    if (*i < len && (s[*i] == '+' || s[*i] == '-'))
        neg = s[(*i)++] == '-';
    start = *i;
    while (*i < len && is_digit(s[*i]))
        (*i)++;
    n = *i - start;
    if (n == 0)
        return LUMP_EINPUT;
    if (n > FRACTION_MAX_DIGITS)
        return lump_error_set(LUMP_EINPUT, "number with more than %d digits", FRACTION_MAX_DIGITS);
    buf = lump_alloc(n + 1);
    memcpy(buf, s + start, n);
    buf[n] = '\0';
    mpz_set_str(z, buf, 10);
    free(buf);
    if (neg)
        mpz_neg(z, z);
    return LUMP_OK;
}

static lump_error_t not_a_number(const char *s, size_t len)
{
    return lump_error_set(LUMP_EINPUT,
                          "'%.*s%s' is not a number (expected a decimal such as "
                          "-1.25e-3, or a fraction p/q)",
                          (int)(len > 40 ? 40 : len), s, len > 40 ? "..." : "");
}

static lump_error_t parse_fraction(mpq_t out, const char *s, size_t len, size_t slash)
{
    lump_error_t err = LUMP_OK;
    size_t i = 0;
    int shape_ok = 1;
    mpz_t p, q;
    mpz_init(p);
    mpz_init(q);
    lump_error_set(LUMP_OK, "%s", "");
    err = parse_int(p, s, slash, &i);
    if (err == LUMP_OK && i != slash)
        shape_ok = 0;
    if (err == LUMP_OK && shape_ok) {
        i = slash + 1;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            shape_ok = 0; /* the sign belongs in front */
        else
            err = parse_int(q, s, len, &i);
        if (err == LUMP_OK && i != len)
            shape_ok = 0;
    }
    if (!shape_ok || (err == LUMP_EINPUT && lump_error_message()[0] == '\0'))
        err = not_a_number(s, len);
    if (err == LUMP_OK && mpz_sgn(q) == 0)
        err = lump_error_set(LUMP_EINPUT, "division by zero in '%.*s'", (int)(len > 40 ? 40 : len),
                             s);
    if (err == LUMP_OK) {
        mpz_set(mpq_numref(out), p);
        mpz_set(mpq_denref(out), q);
        mpq_canonicalize(out);
    }
    mpz_clear(p);
    mpz_clear(q);
    return err;
}

lump_error_t lump_rat_parse(mpq_t out, const char *s, size_t len)
{
    size_t i = 0, ndig = 0, nlead = 0, nfrac = 0, mstart;
    int neg = 0;
    long exp10 = 0;
    const char *slash = memchr(s, '/', len);
    char *digits;
    if (len == 0)
        return lump_error_set(LUMP_EINPUT, "empty number");
    if (slash != NULL)
        return parse_fraction(out, s, len, (size_t)(slash - s));
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    mstart = i;
    while (i < len && is_digit(s[i])) {
        nlead += ndig == nlead && s[i] == '0';
        i++, ndig++;
    }
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) {
            nlead += ndig == nlead && s[i] == '0';
            i++, ndig++, nfrac++;
        }
    }
    if (ndig == 0)
        return not_a_number(s, len);
    /* leading zeros are not significant: 0.000...25 is as cheap as 25e-k,
     * and the exponent check below bounds its denominator */
    if (ndig - nlead > LUMP_RAT_MAX_DIGITS)
        return lump_error_set(LUMP_EINPUT, "number with more than %d digits", LUMP_RAT_MAX_DIGITS);
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t estart;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        estart = i;
        while (i < len && is_digit(s[i])) {
            /* stop accumulating early: the value is refused anyway */
            if (exp10 <= 100000000L)
                exp10 = exp10 * 10 + (s[i] - '0');
            i++;
        }
        if (i == estart)
            return not_a_number(s, len);
        if (eneg)
            exp10 = -exp10;
    }
    if (i != len)
        return not_a_number(s, len);
    exp10 -= (long)nfrac;
    if (exp10 > LUMP_RAT_MAX_EXP || exp10 < -LUMP_RAT_MAX_EXP - LUMP_RAT_MAX_DIGITS)
        return lump_error_set(LUMP_EINPUT,
                              "exponent of '%.*s%s' is out of range (at most %d "
                              "in absolute value)",
                              (int)(len > 40 ? 40 : len), s, len > 40 ? "..." : "",
                              LUMP_RAT_MAX_EXP);
    digits = lump_alloc(ndig + 1);
    {
        size_t k = 0;
        for (size_t j = mstart; k < ndig; j++)
            if (is_digit(s[j]))
                digits[k++] = s[j];
        digits[k] = '\0';
    }
    mpz_set_str(mpq_numref(out), digits, 10);
    free(digits);
    if (exp10 >= 0) {
        mpz_set_ui(mpq_denref(out), 1);
        if (exp10 > 0) {
            mpz_t p;
            mpz_init(p);
            mpz_ui_pow_ui(p, 10, (unsigned long)exp10);
            mpz_mul(mpq_numref(out), mpq_numref(out), p);
            mpz_clear(p);
        }
    } else {
        mpz_ui_pow_ui(mpq_denref(out), 10, (unsigned long)-exp10);
    }
    mpq_canonicalize(out);
    if (neg)
        mpq_neg(out, out);
    return LUMP_OK;
}

lump_error_t lump_rat_parse_cstr(mpq_t out, const char *s)
{
    return lump_rat_parse(out, s, strlen(s));
}

/* Whether the integer or decimal text T has at most LUMP_RAT_MAX_DIGITS
 * significant digits, so that lump_rat_parse takes it back. */
static int decimal_readable(const char *t)
{
    size_t sig = 0;
    for (; *t != '\0'; t++)
        if (is_digit(*t) && (sig > 0 || *t != '0'))
            sig++;
    return sig <= LUMP_RAT_MAX_DIGITS;
}

char *lump_rat_str_frac(const mpq_t v)
{
    return mpq_get_str(NULL, 10, v);
}

/* V as "p/q", or as "p/1" when V is an integer too long for the decimal
 * reader, which the fraction reader takes (found by fuzzing: 9999e4000
 * did not round-trip through lump_rat_str). */
static char *frac_readable(const mpq_t v)
{
    char *t = mpq_get_str(NULL, 10, v), *u;
    size_t n;
    if (strchr(t, '/') != NULL || decimal_readable(t))
        return t;
    n = strlen(t);
    u = lump_realloc_array(t, n + 3, 1);
    memcpy(u + n, "/1", 3);
    return u;
}

/* The number of fractional decimal digits of V when it terminates, else -1. */
static long decimal_places(const mpq_t v)
{
    mpz_t d, f;
    long twos, fives;
    mpz_init_set(d, mpq_denref(v));
    mpz_init_set_ui(f, 5);
    twos = (long)mpz_scan1(d, 0);
    mpz_tdiv_q_2exp(d, d, (mp_bitcnt_t)twos);
    fives = (long)mpz_remove(d, d, f);
    if (mpz_cmp_ui(d, 1) != 0)
        twos = fives = -1;
    mpz_clear(d);
    mpz_clear(f);
    return twos > fives ? twos : fives;
}

static char *decimal_of(const mpq_t v, long k)
{
    mpz_t s;
    char *digits, *out;
    size_t n, p = 0;
    int neg = mpq_sgn(v) < 0;
    mpz_init(s);
    mpz_ui_pow_ui(s, 10, (unsigned long)k);
    mpz_mul(s, s, mpq_numref(v));
    mpz_divexact(s, s, mpq_denref(v));
    mpz_abs(s, s);
    digits = mpz_get_str(NULL, 10, s);
    mpz_clear(s);
    n = strlen(digits);
    /* room for sign, "0.", zeros before the digits, and the NUL */
    out = lump_alloc(n + (size_t)k + 4);
    if (neg)
        out[p++] = '-';
    if ((long)n <= k) {
        out[p++] = '0';
        out[p++] = '.';
        for (long z = 0; z < k - (long)n; z++)
            out[p++] = '0';
        memcpy(out + p, digits, n);
        p += n;
    } else {
        memcpy(out + p, digits, n - (size_t)k);
        p += n - (size_t)k;
        out[p++] = '.';
        memcpy(out + p, digits + n - (size_t)k, (size_t)k);
        p += (size_t)k;
    }
    out[p] = '\0';
    free(digits);
    return out;
}

char *lump_rat_decimal_str(const mpq_t v)
{
    long k;
    if (mpz_cmp_ui(mpq_denref(v), 1) == 0)
        return mpz_get_str(NULL, 10, mpq_numref(v));
    k = decimal_places(v);
    if (k < 0)
        return NULL;
    return decimal_of(v, k);
}

/* A decimal is preferred while it is at most this many characters longer
 * than p/q: 0.125 reads better than 1/8, but the 30-digit expansion of a
 * float32 weight does not read better than its fraction. */
#define DECIMAL_SLACK 6

char *lump_rat_str(const mpq_t v)
{
    long k;
    size_t flen;
    char *dec;
    if (mpz_cmp_ui(mpq_denref(v), 1) == 0)
        return frac_readable(v);
    k = decimal_places(v);
    flen = mpz_sizeinbase(mpq_numref(v), 10) + mpz_sizeinbase(mpq_denref(v), 10) + 2;
    /* sizeinbase may overestimate by one; the bound only decides whether to
     * try, and the comparison below uses the real lengths */
    if (k >= 0 && (size_t)k <= flen + DECIMAL_SLACK) {
        char *frac = lump_rat_str_frac(v);
        dec = decimal_of(v, k);
        if (strlen(dec) <= strlen(frac) + DECIMAL_SLACK && decimal_readable(dec)) {
            free(frac);
            return dec;
        }
        free(dec);
        return frac;
    }
    return lump_rat_str_frac(v);
}

void lump_rat_set_d(mpq_t out, double d)
{
    mpq_set_d(out, d);
}

double lump_i_rat_get_d_rnd(const mpq_t q, mpfr_rnd_t rnd)
{
    mpfr_t t;
    double d;
    mpfr_init2(t, 53);
    mpfr_set_q(t, q, rnd);
    d = mpfr_get_d(t, rnd);
    mpfr_clear(t);
    return d;
}

/* lump_rat_get_d -- see rat.h: through MPFR at 53 bits, to nearest. */
double lump_rat_get_d(const mpq_t q)
{
    return lump_i_rat_get_d_rnd(q, MPFR_RNDN);
}

/* lump_rat_vec_new -- see rat.h. */
mpq_t *lump_rat_vec_new(size_t n)
{
    mpq_t *v = lump_alloc_array(n > 0 ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

/* lump_rat_vec_free -- see rat.h. */
void lump_rat_vec_free(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}
