/* partition.c -- the coarsest exact or proportional lumping of a network:
 * one forward pass of hashed signatures, one backward pass for dead blocks */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/lump.h"
#include "partition.h"

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

/* *P = X * C when that product is exact. */
static int mul_exact(double *p, double x, double c)
{
    double a;
    *p = x * c;
    a = fabs(*p);
    return a >= 0x1p-900 && a <= 0x1p900 && fma(x, c, -*p) == 0.0;
}

/* Q as a double of moderate exponent, with its number of significant bits. */
static int q_double(double *d, int *bits, const mpq_t q)
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

void lump_i_side_init(lump_i_side_t *s)
{
    memset(s, 0, sizeof *s);
}

static void free_q(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

void lump_i_side_clear(lump_i_side_t *s)
{
    free(s->blk);
    free(s->start);
    free(s->mem);
    free(s->cm);
    free(s->cd);
    free_q(s->cq, s->cq != NULL ? s->n : 0);
    free(s->cu);
    free(s->cvok);
    free(s->cvd);
    free_q(s->cvq, s->nconst);
    lump_i_side_init(s);
}

void lump_i_side_trivial(lump_i_side_t *s, size_t n)
{
    lump_i_side_clear(s);
    s->n = n;
    s->nb = n;
    s->trivial = 1;
}

static int in_sums(const lump_block_t *b, int with_dead)
{
    return b->fate == LUMP_FATE_KEEP || (with_dead && b->fate == LUMP_FATE_DEAD);
}

lump_error_t lump_i_side_from(lump_i_side_t *s, const lump_layer_lumping_t *ll, int with_dead)
{
    size_t nb = 0, nc = 0, nm = 0, n = ll->size;
    int trivial = 1;
    lump_i_side_clear(s);
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        if (in_sums(b, with_dead)) {
            nb++;
            nm += b->n_members;
        } else if (b->fate == LUMP_FATE_CONSTANT) {
            nc++;
        }
    }
    s->n = n;
    s->nb = nb;
    s->nconst = nc;
    s->blk = malloc((nb + 1) * sizeof *s->blk);
    s->start = malloc((nb + 1) * sizeof *s->start);
    s->mem = malloc((nm + 1) * sizeof *s->mem);
    s->cm = calloc(n + 1, 1);
    s->cd = calloc(n + 1, sizeof *s->cd);
    s->cu = malloc((nc + 1) * sizeof *s->cu);
    s->cvok = calloc(nc + 1, sizeof *s->cvok);
    s->cvd = calloc(nc + 1, sizeof *s->cvd);
    s->cq = malloc((n + 1) * sizeof *s->cq);
    s->cvq = malloc((nc + 1) * sizeof *s->cvq);
    if (!s->blk || !s->start || !s->mem || !s->cm || !s->cd || !s->cu || !s->cvok || !s->cvd ||
        !s->cq || !s->cvq) {
        free(s->cq);
        free(s->cvq);
        s->cq = s->cvq = NULL;
        s->nconst = 0;
        lump_i_side_clear(s);
        return lump_error_set(LUMP_ENOMEM, "lumping: out of memory for a layer of %zu neurons", n);
    }
    for (size_t u = 0; u < n; u++) {
        mpq_init(s->cq[u]);
        mpq_set_ui(s->cq[u], 1, 1);
    }
    for (size_t i = 0; i < nc; i++)
        mpq_init(s->cvq[i]);
    nb = nc = nm = 0;
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        if (b->fate == LUMP_FATE_CONSTANT) {
            int bits;
            s->cu[nc] = b->members[0];
            mpq_set(s->cvq[nc], b->value);
            s->cvok[nc] = q_double(&s->cvd[nc], &bits, b->value);
            nc++;
            trivial = 0;
            continue;
        }
        if (!in_sums(b, with_dead)) {
            trivial = 0;
            continue;
        }
        s->blk[nb] = k;
        s->start[nb] = nm;
        if (b->n_members != 1)
            trivial = 0;
        for (size_t j = 0; j < b->n_members; j++) {
            size_t u = b->members[j];
            int bits;
            double d;
            s->mem[nm++] = u;
            lump_arr_get(s->cq[u], &b->scales, j);
            if (mpq_cmp_ui(s->cq[u], 1, 1) == 0) {
                s->cm[u] = LUMP_I_CM_ONE;
                s->cd[u] = 1.0;
                continue;
            }
            trivial = 0;
            if (q_double(&d, &bits, s->cq[u])) {
                s->cm[u] = bits <= 29 ? LUMP_I_CM_D29 : LUMP_I_CM_D;
                s->cd[u] = d;
            } else {
                s->cm[u] = LUMP_I_CM_Q;
            }
        }
        nb++;
    }
    s->start[nb] = nm;
    s->trivial = trivial && nb == n;
    return LUMP_OK;
}

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
        double x = warr(w, v * lr->in_size + s->cu[i]);
        if (x == 0.0 || s->cvd[i] == 0.0)
            continue;
        if (!s->cvok[i] || !mul_exact(&p, x, s->cvd[i]) || !add_exact(&acc, p))
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
        size_t idx = v * lr->in_size + s->cu[i];
        if (lump_arr_sgn(w, idx) == 0 || mpq_sgn(s->cvq[i]) == 0)
            continue;
        lump_arr_get(t, w, idx);
        mpq_mul(t, t, s->cvq[i]);
        mpq_add(out, out, t);
    }
}

/* ---- signatures ---------------------------------------------------------- */

/* How a signature is normalised (DESIGN section 2, condition 4). */
enum { NORM_NONE, NORM_ABS, NORM_SIGNED };

/* The signature of a neuron: b_eff and the non-zero scale-weighted sums
 * S(C) over the blocks C of the previous layer, in block order, with the
 * normaliser F (its first non-zero entry, absolute or signed, or 1). Held
 * either as exact doubles (FAST) or as rationals. */
typedef struct {
    size_t n, cap, qinit, qcap;
    size_t *k; /* block index (side numbering) of each sum */
    double *d; /* the sums, when FAST */
    mpq_t *q;  /* the sums, when not FAST (QINIT initialised entries) */
    int fast;
    double bd, fd;
    mpq_t bq, fq;
} sig_t;

static void sig_init(sig_t *g)
{
    memset(g, 0, sizeof *g);
    mpq_init(g->bq);
    mpq_init(g->fq);
}

static void sig_clear(sig_t *g)
{
    free(g->k);
    free(g->d);
    free_q(g->q, g->qinit);
    mpq_clear(g->bq);
    mpq_clear(g->fq);
}

static lump_error_t sig_reserve(sig_t *g, size_t cap)
{
    size_t *k;
    double *d;
    if (cap <= g->cap)
        return LUMP_OK;
    k = realloc(g->k, cap * sizeof *k);
    if (k != NULL)
        g->k = k;
    d = realloc(g->d, cap * sizeof *d);
    if (d != NULL)
        g->d = d;
    if (k == NULL || d == NULL)
        return lump_error_set(LUMP_ENOMEM, "lumping: out of memory for a signature of %zu sums",
                              cap);
    g->cap = cap;
    return LUMP_OK;
}

/* Make room for rational entry I (the exact path is rare: grow lazily). */
static lump_error_t sig_q_at(sig_t *g, size_t i)
{
    if (i < g->qinit)
        return LUMP_OK;
    if (i >= g->qcap) { /* mpq_t structs may be moved bitwise */
        size_t cap = g->cap > i ? g->cap : i + 1;
        mpq_t *q = realloc(g->q, cap * sizeof *q);
        if (q == NULL)
            return lump_error_set(LUMP_ENOMEM, "lumping: out of memory for a signature");
        g->q = q;
        g->qcap = cap;
    }
    while (g->qinit <= i)
        mpq_init(g->q[g->qinit++]);
    return LUMP_OK;
}

static void sig_bias_q(mpq_t out, const sig_t *g)
{
    if (g->fast)
        mpq_set_d(out, g->bd);
    else
        mpq_set(out, g->bq);
}

static void sig_entry_q(mpq_t out, const sig_t *g, size_t j)
{
    if (g->fast)
        mpq_set_d(out, g->d[j]);
    else
        mpq_set(out, g->q[j]);
}

static void sig_norm_q(mpq_t out, const sig_t *g)
{
    if (g->fast)
        mpq_set_d(out, g->fd);
    else
        mpq_set(out, g->fq);
}

static int norm_kind(lump_mode_t mode, const lump_act_t *a)
{
    if (mode == LUMP_MODE_EXACT)
        return NORM_NONE;
    switch (a->kind) {
    case LUMP_ACT_RELU:
    case LUMP_ACT_LEAKY_RELU:
        return NORM_ABS;
    case LUMP_ACT_IDENTITY:
        return NORM_SIGNED;
    default:
        return NORM_NONE; /* sigmoid, tanh: not homogeneous, scale 1 */
    }
}

/* The fast path over a trivial side: the sums are the weights. */
static void row_trivial(sig_t *g, const lump_layer_t *lr, size_t v)
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

static int sig_fast(sig_t *g, const lump_i_side_t *s, const lump_layer_t *lr, size_t v)
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
static lump_error_t sig_compute(sig_t *g, const lump_i_side_t *s, const lump_layer_t *lr, size_t v,
                                int norm, mpq_t t)
{
    lump_error_t err = LUMP_OK;
    g->fast = sig_fast(g, s, lr, v);
    if (g->fast) {
        double f = g->bd != 0.0 ? g->bd : g->n > 0 ? g->d[0] : 1.0;
        g->fd = norm == NORM_NONE ? 1.0 : norm == NORM_ABS ? fabs(f) : f;
        return LUMP_OK;
    }
    g->n = 0;
    lump_i_beff_q(g->bq, t, s, lr, v);
    for (size_t k = 0; k < s->nb; k++) {
        LUMP_CHECK(sig_q_at(g, g->n));
        lump_i_sum_q(g->q[g->n], t, s, lr, v, k);
        if (mpq_sgn(g->q[g->n]) != 0)
            g->k[g->n++] = k;
    }
    if (norm == NORM_NONE)
        mpq_set_ui(g->fq, 1, 1);
    else if (mpq_sgn(g->bq) != 0)
        mpq_set(g->fq, g->bq);
    else if (g->n > 0)
        mpq_set(g->fq, g->q[0]);
    else
        mpq_set_ui(g->fq, 1, 1);
    if (norm == NORM_ABS)
        mpq_abs(g->fq, g->fq);
cleanup:
    return err;
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
    if (a->kind == LUMP_ACT_LEAKY_RELU)
        h = mix(h, key_bits(mpq_get_d(a->alpha)));
    return h;
}

static uint64_t sig_hash(const sig_t *g, const lump_act_t *a, mpq_t t, mpfr_t r)
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

static int verify_d(const sig_t *a, const sig_t *r)
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
static int verify(mpq_t c, const sig_t *a, const sig_t *r, mpq_t t1, mpq_t t2, mpq_t t3)
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
                sig_bias_q(t1, a);
                sig_bias_q(t2, r);
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

/* ---- one layer forward --------------------------------------------------- */

typedef struct {
    uint64_t h;
    size_t v;
} hv_t;

static int hv_cmp(const void *pa, const void *pb)
{
    const hv_t *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return (a->v > b->v) - (a->v < b->v);
}

/* Scratch shared by the layers of one run. */
typedef struct {
    sig_t cur;
    sig_t *pool; /* signatures of the representatives of one hash run */
    size_t npool;
    mpq_t t1, t2, t3;
    mpfr_t r;
} work_t;

static void work_init(work_t *w)
{
    sig_init(&w->cur);
    w->pool = NULL;
    w->npool = 0;
    mpq_inits(w->t1, w->t2, w->t3, NULL);
    mpfr_init2(w->r, 53);
}

static void work_clear(work_t *w)
{
    sig_clear(&w->cur);
    for (size_t i = 0; i < w->npool; i++)
        sig_clear(&w->pool[i]);
    free(w->pool);
    mpq_clears(w->t1, w->t2, w->t3, NULL);
    mpfr_clear(w->r);
}

static lump_error_t pool_grow(work_t *w, size_t need, size_t cap)
{
    lump_error_t err = LUMP_OK;
    if (need > w->npool) {
        sig_t *p = realloc(w->pool, need * sizeof *p);
        if (p == NULL)
            return lump_error_set(LUMP_ENOMEM, "lumping: out of memory for signatures");
        w->pool = p;
        while (w->npool < need)
            sig_init(&w->pool[w->npool++]);
    }
    LUMP_CHECK(sig_reserve(&w->pool[need - 1], cap));
cleanup:
    return err;
}

/* The value act(b) of a neuron without non-zero sums, when rational. */
static int const_value(mpq_t val, const lump_act_t *a, const mpq_t b)
{
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
        mpq_set(val, b);
        return 1;
    case LUMP_ACT_RELU:
        if (mpq_sgn(b) < 0)
            mpq_set_ui(val, 0, 1);
        else
            mpq_set(val, b);
        return 1;
    case LUMP_ACT_LEAKY_RELU:
        if (mpq_sgn(b) < 0)
            mpq_mul(val, b, a->alpha);
        else
            mpq_set(val, b);
        return 1;
    case LUMP_ACT_SIGMOID:
        mpq_set_ui(val, 1, 2);
        return mpq_sgn(b) == 0;
    case LUMP_ACT_TANH:
        mpq_set_ui(val, 0, 1);
        return mpq_sgn(b) == 0; /* e^b is irrational for rational b != 0 */
    }
    return 0;
}

/* Group the neurons of one hash run HV[0..m), in increasing order, against
 * exact verification: each joins the first representative it lumps onto. */
static lump_error_t group_run(size_t *rep, mpq_t *q, work_t *w, const hv_t *hv, size_t m,
                              const lump_i_side_t *s, const lump_layer_t *lr, lump_mode_t mode)
{
    lump_error_t err = LUMP_OK;
    size_t nrep = 0;
    size_t *repv = malloc(m * sizeof *repv);
    if (repv == NULL)
        return lump_error_set(LUMP_ENOMEM, "lumping: out of memory");
    for (size_t i = 0; i < m; i++) {
        size_t v = hv[i].v;
        const lump_act_t *a = lump_layer_act(lr, v);
        int found = 0;
        LUMP_CHECK(sig_compute(&w->cur, s, lr, v, norm_kind(mode, a), w->t1));
        for (size_t r = 0; r < nrep && !found; r++) {
            if (!lump_act_equal(a, lump_layer_act(lr, repv[r])))
                continue;
            if (verify(q[v], &w->cur, &w->pool[r], w->t1, w->t2, w->t3)) {
                rep[v] = repv[r];
                found = 1;
            }
        }
        if (!found) {
            sig_t tmp;
            LUMP_CHECK(pool_grow(w, nrep + 1, s->nb));
            tmp = w->pool[nrep]; /* move CUR into the pool, reuse the old */
            w->pool[nrep] = w->cur;
            w->cur = tmp;
            LUMP_CHECK(sig_reserve(&w->cur, s->nb));
            repv[nrep++] = v;
        }
    }
cleanup:
    free(repv);
    return err;
}

/* OUT = blocks from REP (rep[v] <= v, rep[rep[v]] == rep[v]), scales Q of
 * the non-representatives, constants ISCONST with values Q. */
static lump_error_t build_blocks(lump_layer_lumping_t *out, size_t n, const size_t *rep,
                                 const unsigned char *isconst, mpq_t *q)
{
    lump_error_t err = LUMP_OK;
    size_t nb = 0;
    size_t *bid = malloc((n + 1) * sizeof *bid);
    size_t *cnt = NULL;
    if (bid == NULL)
        return lump_error_set(LUMP_ENOMEM, "lumping: out of memory for %zu neurons", n);
    for (size_t v = 0; v < n; v++)
        bid[v] = rep[v] == v ? nb++ : bid[rep[v]];
    cnt = calloc(nb + 1, sizeof *cnt);
    out->blocks = calloc(nb + 1, sizeof *out->blocks);
    if (cnt == NULL || out->blocks == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "lumping: out of memory for %zu blocks", nb);
        goto cleanup;
    }
    for (size_t k = 0; k < nb; k++)
        lump_block_init(&out->blocks[k]);
    out->n_blocks = nb;
    for (size_t v = 0; v < n; v++)
        cnt[bid[v]]++;
    for (size_t k = 0; k < nb; k++) {
        lump_block_t *b = &out->blocks[k];
        b->members = malloc(cnt[k] * sizeof *b->members);
        if (b->members == NULL) {
            err = lump_error_set(LUMP_ENOMEM, "lumping: out of memory for a block");
            goto cleanup;
        }
        LUMP_CHECK(lump_arr_alloc(&b->scales, LUMP_STORE_F32, cnt[k]));
    }
    for (size_t v = 0; v < n; v++) {
        lump_block_t *b = &out->blocks[bid[v]];
        size_t j = b->n_members++;
        b->members[j] = v;
        if (rep[v] == v)
            LUMP_CHECK(lump_arr_set_d(&b->scales, j, 1.0));
        else
            LUMP_CHECK(lump_arr_set(&b->scales, j, q[v]));
        if (isconst != NULL && isconst[v]) {
            b->fate = LUMP_FATE_CONSTANT;
            mpq_set(b->value, q[v]);
        }
    }
cleanup:
    free(bid);
    free(cnt);
    return err;
}

/* OUT = the lumping of layer LR given the side S of the previous layer. */
static lump_error_t layer_forward(lump_layer_lumping_t *out, work_t *w, const lump_layer_t *lr,
                                  const lump_i_side_t *s, lump_mode_t mode, int is_output,
                                  int merge_outputs)
{
    lump_error_t err = LUMP_OK;
    size_t n = lr->size, np = 0, nq = 0;
    size_t *rep = malloc((n + 1) * sizeof *rep);
    unsigned char *isconst = calloc(n + 1, 1);
    hv_t *hv = malloc((n + 1) * sizeof *hv);
    mpq_t *q = malloc((n + 1) * sizeof *q); /* a constant's value, else the scale */
    out->size = n;
    if (rep == NULL || isconst == NULL || hv == NULL || q == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "lumping: out of memory for a layer of %zu neurons", n);
        goto cleanup;
    }
    for (nq = 0; nq < n; nq++) {
        mpq_init(q[nq]);
        rep[nq] = nq;
    }
    if (!(is_output && !merge_outputs)) {
        LUMP_CHECK(sig_reserve(&w->cur, s->nb));
        for (size_t v = 0; v < n; v++) {
            const lump_act_t *a = lump_layer_act(lr, v);
            LUMP_CHECK(sig_compute(&w->cur, s, lr, v, norm_kind(mode, a), w->t1));
            if (!is_output && w->cur.n == 0) {
                sig_bias_q(w->t2, &w->cur);
                if (const_value(q[v], a, w->t2)) {
                    isconst[v] = 1;
                    continue;
                }
            }
            hv[np].h = sig_hash(&w->cur, a, w->t1, w->r);
            hv[np++].v = v;
        }
        if (np == 0 && n > 0) {
            /* Every neuron constant: keep the first, so that the quotient
             * keeps a layer (a valid lumping; constants are optional). */
            isconst[0] = 0;
            hv[np].h = 0;
            hv[np++].v = 0;
        }
        qsort(hv, np, sizeof *hv, hv_cmp);
        for (size_t a = 0, b; a < np; a = b) {
            for (b = a + 1; b < np && hv[b].h == hv[a].h; b++)
                ;
            if (b - a > 1)
                LUMP_CHECK(group_run(rep, q, w, hv + a, b - a, s, lr, mode));
        }
    }
    LUMP_CHECK(build_blocks(out, n, rep, isconst, q));
cleanup:
    if (q != NULL)
        free_q(q, nq);
    free(rep);
    free(isconst);
    free(hv);
    return err;
}

/* ---- dead blocks, backward ----------------------------------------------- */

/* Is sum_{u in block K of S} c_u w(u, V) non-zero? */
static int sum_nonzero(const lump_i_side_t *s, const lump_layer_t *lr, size_t v, size_t k, mpq_t t1,
                       mpq_t t2)
{
    double d;
    if (s->trivial)
        return lump_arr_sgn(&lr->weight, v * lr->in_size + k) != 0;
    if (s->start[k + 1] - s->start[k] == 1) /* one member: c_u != 0 */
        return lump_arr_sgn(&lr->weight, v * lr->in_size + s->mem[s->start[k]]) != 0;
    if (lump_i_sum_d(&d, s, lr, v, k))
        return d != 0.0;
    lump_i_sum_q(t1, t2, s, lr, v, k);
    return mpq_sgn(t1) != 0;
}

/* Mark DEAD the KEEP blocks of LI whose merged outgoing weights to every
 * KEEP block of the next layer LN (weights LNEXT) are zero. */
static lump_error_t mark_dead(lump_layer_lumping_t *li, const lump_layer_lumping_t *ln,
                              const lump_layer_t *lnext, work_t *w)
{
    lump_error_t err = LUMP_OK;
    lump_i_side_t s;
    size_t *und = NULL, nund;
    lump_i_side_init(&s);
    LUMP_CHECK(lump_i_side_from(&s, li, 0));
    und = malloc((s.nb + 1) * sizeof *und);
    if (und == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "lumping: out of memory");
        goto cleanup;
    }
    for (nund = 0; nund < s.nb; nund++)
        und[nund] = nund;
    for (size_t d = 0; d < ln->n_blocks && nund > 0; d++) {
        size_t r, keep = 0;
        if (ln->blocks[d].fate != LUMP_FATE_KEEP)
            continue;
        r = ln->blocks[d].members[0];
        for (size_t i = 0; i < nund; i++)
            if (!sum_nonzero(&s, lnext, r, und[i], w->t1, w->t2))
                und[keep++] = und[i];
        nund = keep;
    }
    /* When every block would die, keep the first (und is 0..nb-1 then), so
     * that the quotient keeps a layer; a KEEP block may be dead. */
    for (size_t i = nund == s.nb ? 1 : 0; i < nund; i++)
        li->blocks[s.blk[und[i]]].fate = LUMP_FATE_DEAD;
cleanup:
    free(und);
    lump_i_side_clear(&s);
    return err;
}

/* lump_partition_coarsest -- see lump.h. One forward pass: the signature of
 * each neuron (b_eff and its non-zero scale-weighted sums per block of the
 * previous layer) is computed exactly (in double where provably exact,
 * else mpq), normalised, hashed by the correctly rounded doubles of its
 * entries, and neurons with equal hashes are verified exactly against the
 * representatives of their run. One backward pass marks dead blocks.
 * Errors: LUMP_EINPUT for an inconsistent network, LUMP_ENOMEM.
 * Time complexity: O(m) expected for m weights, plus O(n log n) for sorting
 * the hashes of n neurons, plus O(row) per member of a candidate group. */
lump_error_t lump_partition_coarsest(lump_lumping_t *L, const lump_net_t *net, lump_mode_t mode,
                                     int merge_outputs)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t t;
    lump_i_side_t s;
    work_t w;
    lump_lumping_init(&t);
    lump_i_side_init(&s);
    work_init(&w);
    LUMP_CHECK(lump_net_validate(net, "lumping"));
    t.mode = mode;
    t.n_inputs = net->n_inputs;
    t.layers = calloc(net->n_layers + 1, sizeof *t.layers);
    if (t.layers == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "lumping: out of memory");
        goto cleanup;
    }
    t.n_layers = net->n_layers;
    lump_i_side_trivial(&s, net->n_inputs);
    for (size_t i = 0; i < net->n_layers; i++) {
        int is_output = i + 1 == net->n_layers;
        err = layer_forward(&t.layers[i], &w, &net->layers[i], &s, mode, is_output, merge_outputs);
        if (err != LUMP_OK) {
            lump_error_prefix(err, "lumping: layer %zu", i + 1);
            goto cleanup;
        }
        if (!is_output)
            LUMP_CHECK(lump_i_side_from(&s, &t.layers[i], 1));
    }
    for (size_t i = net->n_layers - 1; i-- > 0;)
        LUMP_CHECK(mark_dead(&t.layers[i], &t.layers[i + 1], &net->layers[i + 1], &w));
    lump_lumping_clear(L);
    *L = t;
    lump_lumping_init(&t);
cleanup:
    lump_lumping_clear(&t);
    lump_i_side_clear(&s);
    work_clear(&w);
    return err;
}
