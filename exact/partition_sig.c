/* partition_sig.c -- neuron signatures for the coarsest lumping: exact sums,
 * normalisation, hash keys and exact verification */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/lump.h"
#include "partition.h"
#include "act_i.h"
#include "alloc_i.h"

/* Equality is never decided in floating point. Doubles serve two purposes
 * only: (1) a fast path that computes a sum exactly when every product and
 * every addition is provably free of rounding (the fma residual and the
 * TwoSum error are zero), falling back to mpq otherwise; (2) hash keys,
 * which must be a function of the exact value: the key of a rational x is
 * its correctly rounded double (clamped far from the ends of the exponent
 * range), computed by one IEEE division of exact doubles on the fast path
 * and by MPFR on the exact path. Candidates with equal keys are then
 * verified exactly. */

/* Doubles in [2^-400, 2^400] in magnitude: products of two of them neither
 * underflow nor overflow, so fma recovers their rounding error exactly. */
static int moderate(double x)
{
    double a = fabs(x);
    return a >= 0x1p-400 && a <= 0x1p400;
}

static double warr(const lump_arr_t *a, size_t i)
{
    return a->store == LUMP_STORE_F32 ? (double)((const float *)a->data)[i]
                                      : ((const double *)a->data)[i];
}

/* *ACC += P when the sum is exact (TwoSum error zero); else return 0. */
static int add_exact(double *acc, double p)
{
    double a = *acc, t = a + p, bb = t - a;
    double e = (a - (t - bb)) + (p - bb);
    *acc = t;
    return e == 0.0 && isfinite(t);
}

/* *P = X * C when that product is exact (X and C non-zero). The fma
 * residual is the exact rounding error when that error is representable
 * (Boldo-Daumas): x * c is a multiple of ulp(x) ulp(c), and with
 * |p| >= 2^-900 that grain is at least about 2^-1004 whether x is normal
 * (ulp(x) ulp(c) ~ |p| 2^-104) or subnormal (then |c| > 2^122), far above
 * 2^-1074, so a residual of 0 means no rounding. */
static int mul_exact(double *p, double x, double c)
{
    double a;
    *p = x * c;
    a = fabs(*p);
    return a >= 0x1p-900 && a <= 0x1p900 && fma(x, c, -*p) == 0.0;
}

/* Q as a double of moderate exponent, with its number of significant bits. */
int lump_i_q_double(double *d, int *bits, const mpq_t q)
{
    size_t nb;
    if (mpq_sgn(q) == 0) {
        *d = 0;
        *bits = 0;
        return 1;
    }
    if (mpz_popcount(mpq_denref(q)) != 1)
        return 0;
    nb = mpz_sizeinbase(mpq_numref(q), 2) - mpz_scan1(mpq_numref(q), 0);
    if (nb > 53)
        return 0;
    *d = mpq_get_d(q);
    if (!moderate(*d))
        return 0;
    *bits = (int)nb;
    return 1;
}

/* ---- the sums of condition 3, and b_eff --------------------------------- */

int lump_i_sum_d(double *out, const lump_i_side_t *s, const lump_layer_t *lr, size_t v, size_t k)
{
    const lump_arr_t *w = &lr->weight;
    size_t base = v * lr->in_size;
    double acc = 0;
    if (w->store == LUMP_STORE_Q)
        return 0;
    if (s->trivial) {
        *out = warr(w, base + k);
        return 1;
    }
    for (size_t j = s->start[k]; j < s->start[k + 1]; j++) {
        size_t u = s->mem[j];
        double x = warr(w, base + u), p;
        if (x == 0.0)
            continue;
        switch (s->cm[u]) {
        case LUMP_I_CM_ONE:
            p = x;
            break;
        case LUMP_I_CM_D29:
            if (w->store == LUMP_STORE_F32) { /* 24 + 29 bits fit in 53 */
                p = x * s->cd[u];
                break;
            }
            /* fall through */
        case LUMP_I_CM_D:
            if (!mul_exact(&p, x, s->cd[u]))
                return 0;
            break;
        default:
            return 0;
        }
        if (!add_exact(&acc, p))
            return 0;
    }
    *out = acc;
    return 1;
}

void lump_i_sum_q(mpq_t out, mpq_t t, const lump_i_side_t *s, const lump_layer_t *lr, size_t v,
                  size_t k)
{
    const lump_arr_t *w = &lr->weight;
    size_t base = v * lr->in_size;
    if (s->trivial) {
        lump_arr_get(out, w, base + k);
        return;
    }
    mpq_set_ui(out, 0, 1);
    for (size_t j = s->start[k]; j < s->start[k + 1]; j++) {
        size_t u = s->mem[j];
        if (lump_arr_sgn(w, base + u) == 0)
            continue;
        lump_arr_get(t, w, base + u);
        if (s->cm[u] != LUMP_I_CM_ONE)
            mpq_mul(t, t, s->cq[u]);
        mpq_add(out, out, t);
    }
}

int lump_i_beff_d(double *out, const lump_i_side_t *s, const lump_layer_t *lr, size_t v)
{
    const lump_arr_t *w = &lr->weight;
    double acc, p;
    if (lr->bias.store == LUMP_STORE_Q || (s->nconst > 0 && w->store == LUMP_STORE_Q))
        return 0;
    acc = warr(&lr->bias, v);
    for (size_t i = 0; i < s->nconst; i++) {
        double x = warr(w, v * lr->in_size + s->cv[i].u);
        if (x == 0.0)
            continue;
        /* A constant without an exact double image has d = 0: its
         * contribution is not zero, and only the exact path can add it. */
        if (!s->cv[i].ok)
            return 0;
        if (s->cv[i].d == 0.0)
            continue;
        if (!mul_exact(&p, x, s->cv[i].d) || !add_exact(&acc, p))
            return 0;
    }
    *out = acc;
    return 1;
}

void lump_i_beff_q(mpq_t out, mpq_t t, const lump_i_side_t *s, const lump_layer_t *lr, size_t v)
{
    const lump_arr_t *w = &lr->weight;
    lump_arr_get(out, &lr->bias, v);
    for (size_t i = 0; i < s->nconst; i++) {
        size_t idx = v * lr->in_size + s->cv[i].u;
        if (lump_arr_sgn(w, idx) == 0 || mpq_sgn(s->cv[i].q) == 0)
            continue;
        lump_arr_get(t, w, idx);
        mpq_mul(t, t, s->cv[i].q);
        mpq_add(out, out, t);
    }
}

/* ---- signatures ---------------------------------------------------------- */

void lump_i_sig_init(lump_i_sig_t *g)
{
    memset(g, 0, sizeof *g);
    mpq_init(g->bq);
    mpq_init(g->fq);
}

void lump_i_sig_clear(lump_i_sig_t *g)
{
    free(g->k);
    free(g->d);
    lump_rat_vec_free(g->q, g->qinit);
    mpq_clear(g->bq);
    mpq_clear(g->fq);
}

void lump_i_sig_reserve(lump_i_sig_t *g, size_t cap)
{
    if (cap <= g->cap)
        return;
    g->k = lump_realloc_array(g->k, cap, sizeof *g->k);
    g->d = lump_realloc_array(g->d, cap, sizeof *g->d);
    g->cap = cap;
}

/* Make room for rational entry I (the exact path is rare: grow lazily). */
static void sig_q_at(lump_i_sig_t *g, size_t i)
{
    if (i < g->qinit)
        return;
    if (i >= g->qcap) { /* mpq_t structs may be moved bitwise */
        size_t cap = g->cap > i ? g->cap : i + 1;
        mpq_t *q = lump_realloc_array(g->q, cap, sizeof *q);
        g->q = q;
        g->qcap = cap;
    }
    while (g->qinit <= i)
        mpq_init(g->q[g->qinit++]);
}

void lump_i_sig_bias_q(mpq_t out, const lump_i_sig_t *g)
{
    if (g->fast)
        mpq_set_d(out, g->bd);
    else
        mpq_set(out, g->bq);
}

static void sig_entry_q(mpq_t out, const lump_i_sig_t *g, size_t j)
{
    if (g->fast)
        mpq_set_d(out, g->d[j]);
    else
        mpq_set(out, g->q[j]);
}

static void sig_norm_q(mpq_t out, const lump_i_sig_t *g)
{
    if (g->fast)
        mpq_set_d(out, g->fd);
    else
        mpq_set(out, g->fq);
}

int lump_i_norm_kind(lump_mode_t mode, const lump_act_t *a)
{
    if (mode == LUMP_MODE_EXACT)
        return LUMP_I_NORM_NONE;
    if (lump_i_act_of(a)->any_sign)
        return LUMP_I_NORM_SIGNED;
    if (lump_i_act_of(a)->homogeneous)
        return LUMP_I_NORM_ABS;
    return LUMP_I_NORM_NONE; /* sigmoid, tanh: not homogeneous, scale 1 */
}

/* The fast path over a trivial side: the sums are the weights. */
static void row_trivial(lump_i_sig_t *g, const lump_layer_t *lr, size_t v)
{
    size_t n = lr->in_size, m = 0;
    if (lr->weight.store == LUMP_STORE_F32) {
        const float *row = (const float *)lr->weight.data + v * n;
        for (size_t u = 0; u < n; u++)
            if (row[u] != 0.0f) {
                g->k[m] = u;
                g->d[m++] = row[u];
            }
    } else {
        const double *row = (const double *)lr->weight.data + v * n;
        for (size_t u = 0; u < n; u++)
            if (row[u] != 0.0) {
                g->k[m] = u;
                g->d[m++] = row[u];
            }
    }
    g->n = m;
}

static int sig_fast(lump_i_sig_t *g, const lump_i_side_t *s, const lump_layer_t *lr, size_t v)
{
    if (lr->weight.store == LUMP_STORE_Q || !lump_i_beff_d(&g->bd, s, lr, v))
        return 0;
    if (s->trivial) {
        row_trivial(g, lr, v);
        return 1;
    }
    g->n = 0;
    for (size_t k = 0; k < s->nb; k++) {
        double t;
        if (!lump_i_sum_d(&t, s, lr, v, k))
            return 0;
        if (t != 0.0) {
            g->k[g->n] = k;
            g->d[g->n++] = t;
        }
    }
    return 1;
}

/* G = the signature of neuron V of layer LR, normalised by NORM. */
void lump_i_sig_compute(lump_i_sig_t *g, const lump_i_side_t *s, const lump_layer_t *lr, size_t v,
                        int norm, mpq_t t)
{
    g->fast = sig_fast(g, s, lr, v);
    if (g->fast) {
        double f = g->bd != 0.0 ? g->bd : g->n > 0 ? g->d[0] : 1.0;
        g->fd = norm == LUMP_I_NORM_NONE ? 1.0 : norm == LUMP_I_NORM_ABS ? fabs(f) : f;
        return;
    }
    g->n = 0;
    lump_i_beff_q(g->bq, t, s, lr, v);
    for (size_t k = 0; k < s->nb; k++) {
        sig_q_at(g, g->n);
        lump_i_sum_q(g->q[g->n], t, s, lr, v, k);
        if (mpq_sgn(g->q[g->n]) != 0)
            g->k[g->n++] = k;
    }
    if (norm == LUMP_I_NORM_NONE)
        mpq_set_ui(g->fq, 1, 1);
    else if (mpq_sgn(g->bq) != 0)
        mpq_set(g->fq, g->bq);
    else if (g->n > 0)
        mpq_set(g->fq, g->q[0]);
    else
        mpq_set_ui(g->fq, 1, 1);
    if (norm == LUMP_I_NORM_ABS)
        mpq_abs(g->fq, g->fq);
}

/* ---- hashing ------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

/* Keep keys away from the subnormal and overflow ranges, where an IEEE
 * quotient and MPFR's unbounded-exponent rounding could differ. */
static uint64_t key_bits(double x)
{
    uint64_t b;
    if (x == 0.0)
        x = 0.0; /* -0.0 and 0.0 are one value */
    else if (fabs(x) < 0x1p-1000)
        x = copysign(0x1p-1000, x);
    else if (!(fabs(x) <= 0x1p1000))
        x = copysign(0x1p1000, x);
    memcpy(&b, &x, sizeof b);
    return b;
}

/* The correctly rounded double of X / F (F != 0). */
static double key_q(const mpq_t x, const mpq_t f, mpq_t t, mpfr_t r)
{
    if (mpq_sgn(x) == 0)
        return 0.0;
    if (mpq_cmp_ui(f, 1, 1) == 0) {
        mpfr_set_q(r, x, MPFR_RNDN);
    } else {
        mpq_div(t, x, f);
        mpfr_set_q(r, t, MPFR_RNDN);
    }
    return mpfr_get_d(r, MPFR_RNDN);
}

static uint64_t act_hash(const lump_act_t *a)
{
    uint64_t h = mix(0x6c756d706e6574ULL, (uint64_t)a->kind);
    if (lump_i_act_of(a)->has_alpha)
        h = mix(h, key_bits(mpq_get_d(a->alpha)));
    return h;
}

uint64_t lump_i_sig_hash(const lump_i_sig_t *g, const lump_act_t *a, mpq_t t, mpfr_t r)
{
    uint64_t h = mix(act_hash(a), (uint64_t)g->n);
    if (g->fast) {
        double f = g->fd;
        h = mix(h, key_bits(f == 1.0 ? g->bd : g->bd / f));
        for (size_t j = 0; j < g->n; j++)
            h = mix(mix(h, (uint64_t)g->k[j]), key_bits(f == 1.0 ? g->d[j] : g->d[j] / f));
    } else {
        h = mix(h, key_bits(key_q(g->bq, g->fq, t, r)));
        for (size_t j = 0; j < g->n; j++)
            h = mix(mix(h, (uint64_t)g->k[j]), key_bits(key_q(g->q[j], g->fq, t, r)));
    }
    return h;
}

/* ---- exact verification -------------------------------------------------- */

/* XA * FR == XR * FA exactly, for doubles; -1 when the range forbids the
 * fma test. */
static int cross_d(double xa, double fr, double xr, double fa)
{
    double p1, p2;
    if (xa == 0.0 || xr == 0.0)
        return xa == 0.0 && xr == 0.0;
    if (!moderate(xa) || !moderate(xr))
        return -1;
    p1 = xa * fr;
    p2 = xr * fa;
    return p1 == p2 && fma(xa, fr, -p1) == fma(xr, fa, -p2);
}

static int verify_d(const lump_i_sig_t *a, const lump_i_sig_t *r)
{
    int ok;
    if (a->fd == r->fd) { /* plain equality: no product needed */
        if (a->bd != r->bd)
            return 0;
        for (size_t j = 0; j < a->n; j++)
            if (a->d[j] != r->d[j])
                return 0;
        return 1;
    }
    if (!moderate(a->fd) || !moderate(r->fd))
        return -1;
    ok = cross_d(a->bd, r->fd, r->bd, a->fd);
    for (size_t j = 0; j < a->n && ok == 1; j++)
        ok = cross_d(a->d[j], r->fd, r->d[j], a->fd);
    return ok;
}

/* Does neuron A (signature A) lump onto representative R? Then C = its
 * scale f_A / f_R. Same activation is the caller's check. */
int lump_i_sig_verify(mpq_t c, const lump_i_sig_t *a, const lump_i_sig_t *r, mpq_t t1, mpq_t t2,
                      mpq_t t3)
{
    int ok = -1;
    if (a->n != r->n)
        return 0;
    for (size_t j = 0; j < a->n; j++)
        if (a->k[j] != r->k[j])
            return 0;
    if (a->fast && r->fast)
        ok = verify_d(a, r);
    if (ok == 0)
        return 0;
    if (ok == -1) {
        mpq_t fa, fr;
        mpq_inits(fa, fr, NULL);
        sig_norm_q(fa, a);
        sig_norm_q(fr, r);
        ok = 1;
        for (size_t j = 0; j <= a->n && ok; j++) { /* j == n: the bias */
            if (j < a->n) {
                sig_entry_q(t1, a, j);
                sig_entry_q(t2, r, j);
            } else {
                lump_i_sig_bias_q(t1, a);
                lump_i_sig_bias_q(t2, r);
            }
            mpq_mul(t1, t1, fr);
            mpq_mul(t2, t2, fa);
            ok = mpq_equal(t1, t2);
        }
        mpq_clears(fa, fr, NULL);
        if (!ok)
            return 0;
    }
    sig_norm_q(c, a);
    sig_norm_q(t3, r);
    mpq_div(c, c, t3);
    return 1;
}
