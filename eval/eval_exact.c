/* eval_exact.c -- exact rational evaluation of a piecewise-linear network */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include "lumpnet/eval.h"
#include "act_i.h"
#include "alloc_i.h"

/* Why not mpq arithmetic throughout: every mpq addition canonicalises (a
 * gcd per operation), which makes a 784-256x6-10 network take seconds.
 * Instead the values of a layer are kept as integers Y[u] over one common
 * denominator D > 0 (y_u = Y[u] / D), so that the sum over a row is a run of
 * integer multiply-adds. A binary float weight is the dyadic rational
 * m * 2^e with an integer m of at most 53 bits: the row
 * sum_u m_u 2^e_u Y[u] + b D is gathered in one accumulator per exponent e
 * (mpz_addmul_ui by m only) and the accumulators are combined by Horner's
 * rule with shifts. Rows holding small fractions or mpq values (Q storage)
 * keep a running row denominator R, the lcm of the denominators seen so
 * far. Row v ends as S_v / (D R_v); the layer's new denominator is
 * D lcm_v(R_v). Every step is an exact integer identity, so the result is
 * exact; a gcd per layer keeps the numbers from growing needlessly. */

/* The exponent range of finite binary64 values written as odd m * 2^e:
 * e in [-1074, 971]. Binary32 values lie inside it. */
#define EXP_MIN (-1074)
#define EXP_MAX 971
#define N_EXP (EXP_MAX - EXP_MIN + 1)

typedef struct {
    mpz_t *y, *s, *r; /* layer values, row sums, row denominators */
    size_t cap;       /* entries of y, s and r */
    mpz_t d;          /* the common denominator of y */
    mpz_t *acc;       /* one accumulator per exponent (dyadic rows) */
    mpz_t t, num, den, lcm;
    mpq_t q;
} work_t;

static void work_init(work_t *w)
{
    w->y = w->s = w->r = NULL;
    w->cap = 0;
    w->acc = NULL;
    mpz_inits(w->d, w->t, w->num, w->den, w->lcm, NULL);
    mpq_init(w->q);
}

static void free_vec(mpz_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpz_clear(v[i]);
    free(v);
}

static void work_clear(work_t *w)
{
    free_vec(w->y, w->cap);
    free_vec(w->s, w->cap);
    free_vec(w->r, w->cap);
    free_vec(w->acc, w->acc != NULL ? N_EXP : 0);
    mpz_clears(w->d, w->t, w->num, w->den, w->lcm, NULL);
    mpq_clear(w->q);
}

static void alloc_vec(mpz_t **v, size_t n)
{
    *v = lump_alloc_array(n > 0 ? n : 1, sizeof **v);
    for (size_t i = 0; i < n; i++)
        mpz_init((*v)[i]);
}

/* Size the vectors for the widest layer (inputs included). A failed
 * allocation leaves NULL, which work_clear skips. */
static void work_alloc(work_t *w, size_t cap)
{
    w->cap = cap;
    alloc_vec(&w->y, cap);
    alloc_vec(&w->s, cap);
    alloc_vec(&w->r, cap);
}

/* Write the nonzero finite double X as M * 2^E with M odd, |M| < 2^53. */
static void split_dyadic(int64_t *m, int *e, double x)
{
    int k;
    double f = frexp(x, &k); /* x = f 2^k, 0.5 <= |f| < 1 */
    int64_t mm = (int64_t)ldexp(f, 53);
    int tz = __builtin_ctzll((unsigned long long)(mm < 0 ? -mm : mm));
    *m = mm >> tz; /* exact: the low tz bits are zero */
    *e = k - 53 + tz;
}

static int is_dyadic_store(const lump_arr_t *a)
{
    return a->store == LUMP_STORE_F32 || a->store == LUMP_STORE_F64;
}

static double dyadic_at(const lump_arr_t *a, size_t i)
{
    return a->store == LUMP_STORE_F32 ? (double)((const float *)a->data)[i]
                                      : ((const double *)a->data)[i];
}

/* S/R = sum_u W[row, u] Y[u] + b D for a row whose weights and bias are
 * binary floats: R is a power of two. ACC[*] are zero on entry and exit. */
static void row_dyadic(mpz_t s, mpz_t r, work_t *w, const lump_layer_t *L, size_t v)
{
    const size_t n = L->in_size;
    const size_t base = v * n;
    int lo = EXP_MAX + 1, hi = EXP_MIN - 1;
    int last;
    for (size_t u = 0; u <= n; u++) {
        double x = u < n ? dyadic_at(&L->weight, base + u) : dyadic_at(&L->bias, v);
        const mpz_ptr y = u < n ? w->y[u] : w->d;
        int64_t m;
        int e;
        mpz_ptr a;
        if (x == 0.0 || mpz_sgn(y) == 0)
            continue;
        split_dyadic(&m, &e, x);
        a = w->acc[e - EXP_MIN];
        if (m > 0)
            mpz_addmul_ui(a, y, (unsigned long)m);
        else
            mpz_submul_ui(a, y, (unsigned long)-m);
        if (e < lo)
            lo = e;
        if (e > hi)
            hi = e;
    }
    /* Horner from the largest exponent down: S = sum acc[e] 2^(e - last). */
    mpz_set_ui(s, 0);
    last = hi;
    for (int e = hi; e >= lo; e--) {
        mpz_ptr a = w->acc[e - EXP_MIN];
        if (mpz_sgn(a) == 0)
            continue;
        mpz_mul_2exp(s, s, (mp_bitcnt_t)(last - e));
        mpz_add(s, s, a);
        mpz_set_ui(a, 0);
        last = e;
    }
    mpz_set_ui(r, 1);
    if (mpz_sgn(s) == 0)
        return;
    if (last >= 0)
        mpz_mul_2exp(s, s, (mp_bitcnt_t)last);
    else
        mpz_mul_2exp(r, r, (mp_bitcnt_t)-last);
}

/* NUM/DEN = A[i] in lowest terms, DEN > 0. */
static void entry_q(mpz_t num, mpz_t den, work_t *w, const lump_arr_t *a, size_t i)
{
    if (a->store == LUMP_STORE_Q) {
        const lump_qs_t *e = &((const lump_qs_t *)a->data)[i];
        if (e->den != 0) {
            mpz_set_si(num, (long)e->num);
            mpz_set_ui(den, (unsigned long)e->den);
        } else {
            mpz_set(num, mpq_numref(a->big[e->num]));
            mpz_set(den, mpq_denref(a->big[e->num]));
        }
        return;
    }
    mpq_set_d(w->q, dyadic_at(a, i));
    mpz_set(num, mpq_numref(w->q));
    mpz_set(den, mpq_denref(w->q));
}

/* S/R = sum_u W[row, u] Y[u] + b D for any storage: R is the lcm of the
 * denominators met so far, and S is rescaled whenever R grows. */
static void row_general(mpz_t s, mpz_t r, work_t *w, const lump_layer_t *L, size_t v)
{
    const size_t n = L->in_size;
    mpz_set_ui(s, 0);
    mpz_set_ui(r, 1);
    for (size_t u = 0; u <= n; u++) {
        const lump_arr_t *a = u < n ? &L->weight : &L->bias;
        size_t i = u < n ? v * n + u : v;
        const mpz_ptr y = u < n ? w->y[u] : w->d;
        if (lump_arr_sgn(a, i) == 0 || mpz_sgn(y) == 0)
            continue;
        entry_q(w->num, w->den, w, a, i);
        if (!mpz_divisible_p(r, w->den)) {
            mpz_gcd(w->t, r, w->den);
            mpz_divexact(w->t, w->den, w->t); /* the factor R lacks */
            mpz_mul(s, s, w->t);
            mpz_mul(r, r, w->t);
        }
        mpz_divexact(w->t, r, w->den);
        mpz_mul(w->t, w->t, w->num);
        mpz_addmul(s, w->t, y);
    }
}

/* Apply the activations of LAYER to S[0..size)/D in place (D may grow). */
static void activate(work_t *w, const lump_layer_t *L)
{
    /* Leaky neurons on their negative side multiply by p/q: bring every
     * neuron over D * Q with Q the lcm of the q that occur. */
    mpz_set_ui(w->lcm, 1);
    for (size_t v = 0; v < L->size; v++) {
        const lump_act_t *act = lump_layer_act(L, v);
        if (lump_i_act_of(act)->has_alpha && mpz_sgn(w->s[v]) < 0)
            mpz_lcm(w->lcm, w->lcm, mpq_denref(act->alpha));
    }
    for (size_t v = 0; v < L->size; v++) {
        const lump_act_t *act = lump_layer_act(L, v);
        mpz_ptr s = w->s[v];
        if (mpz_sgn(s) < 0 && lump_i_act_of(act)->zero_below) {
            mpz_set_ui(s, 0);
        } else if (mpz_sgn(s) < 0 && lump_i_act_of(act)->has_alpha) {
            mpz_divexact(w->t, w->lcm, mpq_denref(act->alpha));
            mpz_mul(w->t, w->t, mpq_numref(act->alpha));
            mpz_mul(s, s, w->t);
            continue;
        }
        if (mpz_cmp_ui(w->lcm, 1) != 0)
            mpz_mul(s, s, w->lcm);
    }
    mpz_mul(w->d, w->d, w->lcm);
}

/* Divide S[0..n) and D by their gcd. O(n) gcds, stopping at 1. */
static void reduce(work_t *w, mpz_t *s, size_t n)
{
    mpz_set(w->t, w->d);
    for (size_t v = 0; v < n && mpz_cmp_ui(w->t, 1) != 0; v++)
        mpz_gcd(w->t, w->t, s[v]);
    if (mpz_cmp_ui(w->t, 1) == 0)
        return;
    for (size_t v = 0; v < n; v++)
        mpz_divexact(s[v], s[v], w->t);
    mpz_divexact(w->d, w->d, w->t);
}

/* One layer: Y/D -> S/D' with D' = D lcm(R_v), then the activations. */
static void eval_layer(work_t *w, const lump_layer_t *L)
{
    int dyadic = is_dyadic_store(&L->weight) && is_dyadic_store(&L->bias);
    mpz_t *tmp;
    if (dyadic && w->acc == NULL) {
        w->acc = lump_alloc_array(N_EXP, sizeof *w->acc);
        for (size_t e = 0; e < N_EXP; e++)
            mpz_init(w->acc[e]);
    }
    for (size_t v = 0; v < L->size; v++) {
        if (dyadic)
            row_dyadic(w->s[v], w->r[v], w, L, v);
        else
            row_general(w->s[v], w->r[v], w, L, v);
    }
    mpz_set_ui(w->lcm, 1);
    for (size_t v = 0; v < L->size; v++)
        mpz_lcm(w->lcm, w->lcm, w->r[v]);
    for (size_t v = 0; v < L->size; v++) {
        if (mpz_cmp(w->r[v], w->lcm) != 0) {
            mpz_divexact(w->t, w->lcm, w->r[v]);
            mpz_mul(w->s[v], w->s[v], w->t);
        }
    }
    mpz_mul(w->d, w->d, w->lcm);
    activate(w, L);
    reduce(w, w->s, L->size);
    tmp = w->y; /* the row sums become the next layer's values */
    w->y = w->s;
    w->s = tmp;
}

/* Refuse sigmoid and tanh before any work is done. */
static lump_error_t check_pwl(const lump_net_t *net)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        size_t n = L->neuron_act != NULL ? L->size : (L->size > 0 ? 1 : 0);
        for (size_t v = 0; v < n; v++) {
            lump_act_kind_t k = lump_layer_act(L, v)->kind;
            if (!lump_act_is_pwl(k))
                return lump_error_set(LUMP_EUNSUPPORTED,
                                      "layer %zu neuron %zu: %s activation: exact evaluation needs "
                                      "piecewise-linear activations (identity, relu, leaky_relu); "
                                      "use the MPFR evaluation",
                                      i + 1, v, lump_act_name(k));
        }
    }
    return LUMP_OK;
}

static lump_error_t check_sizes(const lump_net_t *net)
{
    size_t prev = net->n_inputs;
    for (size_t i = 0; i < net->n_layers; i++) {
        if (net->layers[i].in_size != prev)
            return lump_error_set(LUMP_EINPUT, "layer %zu: takes %zu inputs but receives %zu",
                                  i + 1, net->layers[i].in_size, prev);
        prev = net->layers[i].size;
    }
    return LUMP_OK;
}

/* Clip and normalise the inputs (rationals) and bring them over one
 * common denominator. */
static void load_inputs(work_t *w, const lump_net_t *net, const mpq_t *in)
{
    mpq_t x;
    mpq_init(x);
    for (size_t i = 0; i < net->n_inputs; i++) {
        mpq_set(x, in[i]);
        if (net->has_clip) {
            if (mpq_cmp(x, net->clip_lo[i]) < 0)
                mpq_set(x, net->clip_lo[i]);
            if (mpq_cmp(x, net->clip_hi[i]) > 0)
                mpq_set(x, net->clip_hi[i]);
        }
        if (net->has_norm) {
            mpq_sub(x, x, net->norm_mean[i]);
            mpq_div(x, x, net->norm_range[i]);
        }
        /* Park num/den in s and r until the lcm of the dens is known. */
        mpz_set(w->s[i], mpq_numref(x));
        mpz_set(w->r[i], mpq_denref(x));
    }
    mpz_set_ui(w->d, 1);
    for (size_t i = 0; i < net->n_inputs; i++)
        mpz_lcm(w->d, w->d, w->r[i]);
    for (size_t i = 0; i < net->n_inputs; i++) {
        mpz_divexact(w->t, w->d, w->r[i]);
        mpz_mul(w->y[i], w->s[i], w->t);
    }
    mpq_clear(x);
}

/* lump_eval_exact -- OUT[j] = f_j(IN) exactly (see eval.h).
 * Method: integer vectors over one common denominator per layer, with a
 * per-exponent accumulator for binary float weights (see the comment at
 * the top of this file). Errors: LUMP_EUNSUPPORTED naming the first layer
 * and neuron whose activation is sigmoid or tanh; LUMP_EINPUT when the
 * layer sizes do not chain. Time complexity: O(m) integer
 * multiply-adds of numbers whose size is that of the common denominator,
 * plus O(n) gcds per layer, for m weights and n neurons. */
lump_error_t lump_eval_exact(mpq_t *out, const lump_net_t *net, const mpq_t *in)
{
    lump_error_t err = LUMP_OK;
    work_t w;
    size_t cap = net->n_inputs;
    size_t nout = lump_net_n_outputs(net);
    work_init(&w);
    LUMP_CHECK(check_pwl(net));
    LUMP_CHECK(check_sizes(net));
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].size > cap)
            cap = net->layers[i].size;
    work_alloc(&w, cap);
    load_inputs(&w, net, in);
    for (size_t i = 0; i < net->n_layers; i++)
        eval_layer(&w, &net->layers[i]);
    for (size_t j = 0; j < nout; j++) {
        mpz_set(mpq_numref(out[j]), w.y[j]);
        mpz_set(mpq_denref(out[j]), w.d);
        mpq_canonicalize(out[j]);
        if (net->has_outmap) {
            mpq_mul(out[j], out[j], net->out_scale[j]);
            mpq_add(out[j], out[j], net->out_shift[j]);
        }
    }
cleanup:
    work_clear(&w);
    return err;
}
