/* test_eval.c -- the exact, double and MPFR evaluators against hand-computed
 * values and against a naive mpq reference written here */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "testutil.h"

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

static void set_qs(lump_arr_t *a, size_t i, const char *s)
{
    mpq_t q;
    mpq_init(q);
    assert_int_equal(mpq_set_str(q, s, 10), 0);
    mpq_canonicalize(q);
    tu_ok(lump_arr_set(a, i, q));
    mpq_clear(q);
}

static void set_act(lump_act_t *a, lump_act_kind_t kind, const char *alpha)
{
    a->kind = kind;
    mpq_set_str(a->alpha, alpha, 10);
    mpq_canonicalize(a->alpha);
}

static void assert_q_eq(const mpq_t got, const char *want)
{
    mpq_t w;
    mpq_init(w);
    assert_int_equal(mpq_set_str(w, want, 10), 0);
    mpq_canonicalize(w);
    if (!mpq_equal(got, w)) {
        char *g = mpq_get_str(NULL, 10, got);
        mpq_clear(w);
        fail_msg("got %s, expected %s [seed %lu]", g, want, tu_seed());
    }
    mpq_clear(w);
}

/* ---------------------------------------------------------------------- */
/* Hand-built networks, values worked out in the comments                  */

/* 2 inputs; layer 1: two neurons of activation ACT with
 *   W1 = [[1, -2], [1/2, 3]], b1 = [1/4, -1];
 * layer 2: one identity output, W2 = [2, -1/3], b2 = 1. */
static void build_two_layer(lump_net_t *net, lump_act_kind_t act, const char *alpha)
{
    const size_t sizes[2] = {2, 1};
    tu_ok(lump_net_setup(net, 2, 2, sizes, LUMP_STORE_Q));
    set_act(&net->layers[0].act, act, alpha);
    set_qs(&net->layers[0].weight, 0, "1");
    set_qs(&net->layers[0].weight, 1, "-2");
    set_qs(&net->layers[0].weight, 2, "1/2");
    set_qs(&net->layers[0].weight, 3, "3");
    set_qs(&net->layers[0].bias, 0, "1/4");
    set_qs(&net->layers[0].bias, 1, "-1");
    set_qs(&net->layers[1].weight, 0, "2");
    set_qs(&net->layers[1].weight, 1, "-1/3");
    set_qs(&net->layers[1].bias, 0, "1");
}

static void build_relu(lump_net_t *net)
{
    build_two_layer(net, LUMP_ACT_RELU, "0");
}

static void build_leaky(lump_net_t *net)
{
    build_two_layer(net, LUMP_ACT_LEAKY_RELU, "1/10");
}

/* Clip x0 to [0, 1], x1 to [-2, 2]; normalise with means (1/2, 0) and
 * ranges (1/4, 2); one identity output x0' + x1'. */
static void build_clip_norm(lump_net_t *net)
{
    const size_t sizes[1] = {1};
    tu_ok(lump_net_setup(net, 2, 1, sizes, LUMP_STORE_Q));
    set_qs(&net->layers[0].weight, 0, "1");
    set_qs(&net->layers[0].weight, 1, "1");
    tu_ok(lump_net_alloc_clip(net));
    mpq_set_si(net->clip_lo[0], 0, 1);
    mpq_set_si(net->clip_hi[0], 1, 1);
    mpq_set_si(net->clip_lo[1], -2, 1);
    mpq_set_si(net->clip_hi[1], 2, 1);
    tu_ok(lump_net_alloc_norm(net));
    mpq_set_si(net->norm_mean[0], 1, 2);
    mpq_set_si(net->norm_mean[1], 0, 1);
    mpq_set_si(net->norm_range[0], 1, 4);
    mpq_set_si(net->norm_range[1], 2, 1);
}

/* One input, z = 3x - 1 (identity), mapped back as -2 y + 5. */
static void build_outmap(lump_net_t *net)
{
    const size_t sizes[1] = {1};
    tu_ok(lump_net_setup(net, 1, 1, sizes, LUMP_STORE_Q));
    set_qs(&net->layers[0].weight, 0, "3");
    set_qs(&net->layers[0].bias, 0, "-1");
    tu_ok(lump_net_alloc_outmap(net));
    mpq_set_si(net->out_scale[0], -2, 1);
    mpq_set_si(net->out_shift[0], 5, 1);
}

/* One input, three outputs y_v = act_v(x): relu, identity, leaky 1/10,
 * set per neuron. */
static void build_per_neuron(lump_net_t *net)
{
    const size_t sizes[1] = {3};
    lump_act_t a;
    tu_ok(lump_net_setup(net, 1, 1, sizes, LUMP_STORE_F32));
    for (size_t v = 0; v < 3; v++)
        tu_ok(lump_arr_set_f(&net->layers[0].weight, v, 1.0f));
    lump_act_init(&a);
    set_act(&a, LUMP_ACT_RELU, "0");
    tu_ok(lump_layer_set_neuron_act(&net->layers[0], 0, &a));
    set_act(&a, LUMP_ACT_LEAKY_RELU, "1/10");
    tu_ok(lump_layer_set_neuron_act(&net->layers[0], 2, &a));
    lump_act_clear(&a);
}

typedef struct {
    const char *name;
    void (*build)(lump_net_t *);
    const char *in[2];
    const char *out[3];
} hand_case_t;

static const hand_case_t hand_cases[] = {
    /* x = (1, 1): z = (1 - 2 + 1/4, 1/2 + 3 - 1) = (-3/4, 5/2), y = (0, 5/2),
     * out = -5/6 + 1 = 1/6. */
    {"relu", build_relu, {"1", "1"}, {"1/6"}},
    /* x = (3, -1/2): z = (3 + 1 + 1/4, 3/2 - 3/2 - 1) = (17/4, -1),
     * y = (17/4, 0), out = 17/2 + 1 = 19/2. */
    {"relu", build_relu, {"3", "-1/2"}, {"19/2"}},
    /* x = (1, 1): y = (-3/40, 5/2), out = -3/20 - 5/6 + 1 = 1/60. */
    {"leaky", build_leaky, {"1", "1"}, {"1/60"}},
    /* x = (3, -1/2): y = (17/4, -1/10), out = 17/2 + 1/30 + 1 = 143/15. */
    {"leaky", build_leaky, {"3", "-1/2"}, {"143/15"}},
    /* x = (3, -5) clips to (1, -2), normalises to (2, -1): out 1. */
    {"clip_norm", build_clip_norm, {"3", "-5"}, {"1"}},
    /* x = (1/4, 1) is inside the box, normalises to (-1, 1/2): -1/2. */
    {"clip_norm", build_clip_norm, {"1/4", "1"}, {"-1/2"}},
    /* x = 1/3: z = 0, out = 5. x = 1: z = 2, out = -4 + 5 = 1. */
    {"outmap", build_outmap, {"1/3", NULL}, {"5"}},
    {"outmap", build_outmap, {"1", NULL}, {"1"}},
    /* x = -2: (relu 0, identity -2, leaky -1/5); x = 3: all 3. */
    {"per_neuron", build_per_neuron, {"-2", NULL}, {"0", "-2", "-1/5"}},
    {"per_neuron", build_per_neuron, {"3", NULL}, {"3", "3", "3"}},
};
#define N_HAND (sizeof hand_cases / sizeof hand_cases[0])

/* Which evaluator a hand test runs. */
enum { EV_EXACT, EV_DOUBLE, EV_MPFR };

static void run_hand(int which)
{
    for (size_t c = 0; c < N_HAND; c++) {
        const hand_case_t *hc = &hand_cases[c];
        lump_net_t net;
        mpq_t in[2], out[3], want;
        double din[2], dout[3];
        mpfr_t lo[3], hi[3];
        size_t nin, nout;
        lump_net_init(&net);
        hc->build(&net);
        nin = net.n_inputs;
        nout = lump_net_n_outputs(&net);
        mpq_init(want);
        for (size_t i = 0; i < 2; i++)
            mpq_init(in[i]);
        for (size_t j = 0; j < 3; j++) {
            mpq_init(out[j]);
            mpfr_inits2(53, lo[j], hi[j], (mpfr_ptr)0);
        }
        for (size_t i = 0; i < nin; i++) {
            mpq_set_str(in[i], hc->in[i], 10);
            mpq_canonicalize(in[i]);
            din[i] = mpq_get_d(in[i]); /* 1/3 is off by an ulp: within the tolerance */
        }
        if (which == EV_EXACT) {
            tu_ok(lump_eval_exact(out, &net, (const mpq_t *)in));
            for (size_t j = 0; j < nout; j++)
                assert_q_eq(out[j], hc->out[j]);
        } else if (which == EV_DOUBLE) {
            tu_ok(lump_eval_double(dout, &net, din));
            for (size_t j = 0; j < nout; j++) {
                mpq_set_str(want, hc->out[j], 10);
                mpq_canonicalize(want);
                assert_true(fabs(dout[j] - mpq_get_d(want)) <= 1e-15 * (1 + fabs(mpq_get_d(want))));
            }
        } else {
            tu_ok(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, 53));
            for (size_t j = 0; j < nout; j++) {
                mpq_set_str(want, hc->out[j], 10);
                mpq_canonicalize(want);
                if (mpfr_cmp_q(lo[j], want) > 0 || mpfr_cmp_q(hi[j], want) < 0)
                    fail_msg("%s case %zu output %zu: [%g, %g] misses %s", hc->name, c, j,
                             mpfr_get_d(lo[j], MPFR_RNDD), mpfr_get_d(hi[j], MPFR_RNDU),
                             hc->out[j]);
            }
        }
        for (size_t i = 0; i < 2; i++)
            mpq_clear(in[i]);
        for (size_t j = 0; j < 3; j++) {
            mpq_clear(out[j]);
            mpfr_clears(lo[j], hi[j], (mpfr_ptr)0);
        }
        mpq_clear(want);
        lump_net_clear(&net);
    }
}

static void hand_exact(void **state)
{
    (void)state;
    run_hand(EV_EXACT);
}

static void hand_double(void **state)
{
    (void)state;
    run_hand(EV_DOUBLE);
}

static void hand_mpfr_contains(void **state)
{
    (void)state;
    run_hand(EV_MPFR);
}

/* ---------------------------------------------------------------------- */
/* Random networks and the naive reference                                 */

#define MAXL 5
#define MAXW 7

/* The test's own record of a random network's values, so the reference
 * never reads the network through the code under test. */
typedef struct {
    size_t n_layers, size[MAXL + 1]; /* size[0]: inputs */
    mpq_t w[MAXL][MAXW * MAXW], b[MAXL][MAXW];
    lump_act_kind_t kind[MAXL][MAXW];
    mpq_t alpha[MAXL][MAXW];
} ref_t;

static void ref_init(ref_t *r)
{
    for (size_t l = 0; l < MAXL; l++) {
        for (size_t i = 0; i < MAXW * MAXW; i++)
            mpq_init(r->w[l][i]);
        for (size_t v = 0; v < MAXW; v++) {
            mpq_init(r->b[l][v]);
            mpq_init(r->alpha[l][v]);
        }
    }
}

static void ref_clear(ref_t *r)
{
    for (size_t l = 0; l < MAXL; l++) {
        for (size_t i = 0; i < MAXW * MAXW; i++)
            mpq_clear(r->w[l][i]);
        for (size_t v = 0; v < MAXW; v++) {
            mpq_clear(r->b[l][v]);
            mpq_clear(r->alpha[l][v]);
        }
    }
}

static unsigned long rnd(unsigned long n)
{
    return gmp_urandomm_ui(tu_rand, n);
}

/* How weights are drawn and stored. */
typedef enum {
    GEN_Q,     /* random rationals, some zero, some too big for 64 bits */
    GEN_F32,   /* random binary32 values, exponents spread wide */
    GEN_F64,   /* random binary64 values, exponents spread wide */
    GEN_MIXED, /* binary32 weights, rational biases */
    GEN_MILD32 /* binary32 values of moderate size (for double checks) */
} gen_t;

static void rand_rational(mpq_t q)
{
    unsigned long k = rnd(16);
    if (k < 2) {
        mpq_set_ui(q, 0, 1);
    } else if (k == 2) { /* beyond the 64-bit small form */
        mpz_urandomb(mpq_numref(q), tu_rand, 70 + rnd(60));
        mpz_urandomb(mpq_denref(q), tu_rand, 66 + rnd(30));
        mpz_add_ui(mpq_denref(q), mpq_denref(q), 1);
        if (rnd(2))
            mpz_neg(mpq_numref(q), mpq_numref(q));
        mpq_canonicalize(q);
    } else {
        tu_rand_q(q, 50, 20);
    }
}

static double rand_double(int bits, int emin, int emax)
{
    mpz_t m;
    double d;
    if (rnd(8) == 0)
        return 0.0;
    mpz_init(m);
    mpz_urandomb(m, tu_rand, (mp_bitcnt_t)bits);
    d = ldexp(mpz_get_d(m), emin + (int)rnd((unsigned long)(emax - emin + 1)));
    mpz_clear(m);
    return rnd(2) ? -d : d;
}

/* Set A[i] from the generator and record the exact value in Q. */
static void gen_value(lump_arr_t *a, size_t i, mpq_t q, gen_t g, int is_bias)
{
    if (g == GEN_Q || (g == GEN_MIXED && is_bias)) {
        rand_rational(q);
        tu_ok(lump_arr_set(a, i, q));
    } else if (g == GEN_F64) {
        double d = rand_double(53, -1100, 940);
        mpq_set_d(q, d);
        tu_ok(lump_arr_set_d(a, i, d));
    } else {
        float f =
            g == GEN_MILD32 ? (float)rand_double(24, -26, -22) : (float)rand_double(24, -175, 80);
        mpq_set_d(q, (double)f);
        tu_ok(lump_arr_set_f(a, i, f));
    }
}

static lump_act_kind_t rand_kind(int smooth)
{
    return (lump_act_kind_t)rnd(smooth ? 5 : 3);
}

/* A random network and its record: 1-4 layers of 1-6 neurons, activations
 * per layer or per neuron (alpha in [-3, 3]), optional clip, norm (ranges
 * of either sign) and output map (scales of either sign). */
static void gen_net(lump_net_t *net, ref_t *r, gen_t g, int smooth)
{
    size_t sizes[MAXL];
    lump_store_t store = g == GEN_Q ? LUMP_STORE_Q : g == GEN_F64 ? LUMP_STORE_F64 : LUMP_STORE_F32;
    lump_act_t a;
    lump_act_init(&a);
    r->size[0] = 1 + rnd(6);
    r->n_layers = 1 + rnd(4);
    for (size_t l = 0; l < r->n_layers; l++)
        sizes[l] = r->size[l + 1] = 1 + rnd(6);
    tu_ok(lump_net_setup(net, r->size[0], r->n_layers, sizes, store));
    for (size_t l = 0; l < r->n_layers; l++) {
        lump_layer_t *L = &net->layers[l];
        int per_neuron = rnd(3) == 0;
        for (size_t i = 0; i < L->size * L->in_size; i++)
            gen_value(&L->weight, i, r->w[l][i], g, 0);
        for (size_t v = 0; v < L->size; v++)
            gen_value(&L->bias, v, r->b[l][v], g, 1);
        for (size_t v = 0; v < L->size; v++) {
            if (v == 0 || per_neuron) {
                a.kind = rand_kind(smooth);
                if (a.kind == LUMP_ACT_LEAKY_RELU)
                    tu_rand_q(a.alpha, 3, 5);
                else
                    mpq_set_ui(a.alpha, 0, 1);
            }
            r->kind[l][v] = a.kind;
            mpq_set(r->alpha[l][v], a.alpha);
            if (per_neuron)
                tu_ok(lump_layer_set_neuron_act(L, v, &a));
            else
                lump_act_set(&L->act, &a);
        }
    }
    if (rnd(3) == 0) {
        tu_ok(lump_net_alloc_clip(net));
        for (size_t i = 0; i < net->n_inputs; i++) {
            tu_rand_q(net->clip_lo[i], 5, 4);
            tu_rand_q(net->clip_hi[i], 5, 4);
            if (mpq_cmp(net->clip_lo[i], net->clip_hi[i]) > 0)
                mpq_swap(net->clip_lo[i], net->clip_hi[i]);
        }
    }
    if (rnd(3) == 0) {
        tu_ok(lump_net_alloc_norm(net));
        for (size_t i = 0; i < net->n_inputs; i++) {
            tu_rand_q(net->norm_mean[i], 5, 4);
            do
                tu_rand_q(net->norm_range[i], 9, 7);
            while (mpq_sgn(net->norm_range[i]) == 0);
        }
    }
    if (rnd(3) == 0) {
        tu_ok(lump_net_alloc_outmap(net));
        for (size_t j = 0; j < lump_net_n_outputs(net); j++) {
            do
                tu_rand_q(net->out_scale[j], 9, 7);
            while (mpq_sgn(net->out_scale[j]) == 0);
            tu_rand_q(net->out_shift[j], 9, 7);
        }
    }
    lump_act_clear(&a);
}

/* The reference: the definition of net.h in plain mpq arithmetic. With
 * ABSMODE it computes instead an error scale M_j: the same network on |w|,
 * |b|, |x|, each activation replaced by z -> max(1, |alpha|) z, a bound on
 * its Lipschitz constant (1 for sigmoid and tanh). Rounding errors of a
 * correct floating-point evaluation are a small multiple of eps M_j. */
static void naive_eval(mpq_t *out, const ref_t *r, const lump_net_t *net, const mpq_t *in,
                       int absmode)
{
    mpq_t y[MAXW], z[MAXW], t;
    size_t n = r->size[0];
    mpq_init(t);
    for (size_t v = 0; v < MAXW; v++) {
        mpq_init(y[v]);
        mpq_init(z[v]);
    }
    for (size_t i = 0; i < n; i++) {
        mpq_set(y[i], in[i]);
        if (net->has_clip) {
            if (mpq_cmp(y[i], net->clip_lo[i]) < 0)
                mpq_set(y[i], net->clip_lo[i]);
            if (mpq_cmp(y[i], net->clip_hi[i]) > 0)
                mpq_set(y[i], net->clip_hi[i]);
        }
        if (net->has_norm) {
            mpq_sub(y[i], y[i], net->norm_mean[i]);
            mpq_div(y[i], y[i], net->norm_range[i]);
        }
        if (absmode)
            mpq_abs(y[i], y[i]);
    }
    for (size_t l = 0; l < r->n_layers; l++) {
        size_t m = r->size[l + 1];
        for (size_t v = 0; v < m; v++) {
            mpq_set(z[v], r->b[l][v]);
            if (absmode)
                mpq_abs(z[v], z[v]);
            for (size_t u = 0; u < n; u++) {
                mpq_set(t, r->w[l][v * n + u]);
                if (absmode)
                    mpq_abs(t, t);
                mpq_mul(t, t, y[u]);
                mpq_add(z[v], z[v], t);
            }
            switch (r->kind[l][v]) {
            case LUMP_ACT_RELU:
                if (mpq_sgn(z[v]) < 0)
                    mpq_set_ui(z[v], 0, 1);
                break;
            case LUMP_ACT_LEAKY_RELU:
                if (absmode) {
                    mpq_abs(t, r->alpha[l][v]);
                    if (mpq_cmp_ui(t, 1, 1) > 0)
                        mpq_mul(z[v], z[v], t);
                } else if (mpq_sgn(z[v]) < 0) {
                    mpq_mul(z[v], z[v], r->alpha[l][v]);
                }
                break;
            case LUMP_ACT_SIGMOID:
            case LUMP_ACT_TANH:
                /* the reference is exact only; as an error scale, z passes
                 * through (both are 1-Lipschitz) */
                assert_true(absmode);
                break;
            default:
                break;
            }
        }
        for (size_t v = 0; v < m; v++)
            mpq_set(y[v], z[v]);
        n = m;
    }
    for (size_t j = 0; j < n; j++) {
        mpq_set(out[j], y[j]);
        if (net->has_outmap) {
            mpq_set(t, net->out_scale[j]);
            if (absmode)
                mpq_abs(t, t);
            mpq_mul(out[j], out[j], t);
            mpq_set(t, net->out_shift[j]);
            if (absmode)
                mpq_abs(t, t);
            mpq_add(out[j], out[j], t);
        }
    }
    for (size_t v = 0; v < MAXW; v++) {
        mpq_clear(y[v]);
        mpq_clear(z[v]);
    }
    mpq_clear(t);
}

/* A random trial: a network, an input, room for outputs. */
typedef struct {
    lump_net_t net;
    ref_t ref;
    mpq_t in[MAXW], out[MAXW], want[MAXW], mag[MAXW];
    double din[MAXW], dout[MAXW];
    mpfr_t lo[MAXW], hi[MAXW];
} trial_t;

static trial_t *trial_new(void)
{
    trial_t *t = malloc(sizeof *t);
    assert_non_null(t);
    lump_net_init(&t->net);
    ref_init(&t->ref);
    for (size_t i = 0; i < MAXW; i++) {
        mpq_inits(t->in[i], t->out[i], t->want[i], t->mag[i], NULL);
        mpfr_inits2(53, t->lo[i], t->hi[i], (mpfr_ptr)0);
    }
    return t;
}

static void trial_free(trial_t *t)
{
    lump_net_clear(&t->net);
    ref_clear(&t->ref);
    for (size_t i = 0; i < MAXW; i++) {
        mpq_clears(t->in[i], t->out[i], t->want[i], t->mag[i], NULL);
        mpfr_clears(t->lo[i], t->hi[i], (mpfr_ptr)0);
    }
    free(t);
}

/* A fresh random network and input; DYADIC inputs are exact doubles. */
static void trial_gen(trial_t *t, gen_t g, int smooth, int dyadic)
{
    gen_net(&t->net, &t->ref, g, smooth);
    for (size_t i = 0; i < t->net.n_inputs; i++) {
        if (dyadic) {
            mpq_set_si(t->in[i], (long)rnd(4001) - 2000, 1UL << rnd(11));
            mpq_canonicalize(t->in[i]);
        } else {
            tu_rand_q(t->in[i], 1000, 1000);
        }
        t->din[i] = mpq_get_d(t->in[i]);
    }
    if (!smooth)
        naive_eval(t->want, &t->ref, &t->net, (const mpq_t *)t->in, 0);
    naive_eval(t->mag, &t->ref, &t->net, (const mpq_t *)t->in, 1);
}

static void exact_vs_naive(gen_t g, int trials)
{
    trial_t *t = trial_new();
    for (int k = 0; k < trials; k++) {
        trial_gen(t, g, 0, 0);
        tu_ok(lump_eval_exact(t->out, &t->net, (const mpq_t *)t->in));
        for (size_t j = 0; j < lump_net_n_outputs(&t->net); j++)
            if (!mpq_equal(t->out[j], t->want[j]))
                fail_msg("trial %d output %zu: exact %s, reference %s [seed %lu]", k, j,
                         mpq_get_str(NULL, 10, t->out[j]), mpq_get_str(NULL, 10, t->want[j]),
                         tu_seed());
    }
    trial_free(t);
}

static void exact_matches_naive_q(void **state)
{
    (void)state;
    exact_vs_naive(GEN_Q, 250);
}

static void exact_matches_naive_f32(void **state)
{
    (void)state;
    exact_vs_naive(GEN_F32, 250);
}

static void exact_matches_naive_f64(void **state)
{
    (void)state;
    exact_vs_naive(GEN_F64, 150);
}

static void exact_matches_naive_mixed_storage(void **state)
{
    (void)state;
    exact_vs_naive(GEN_MIXED, 150);
}

/* |d - exact| <= 1e-12 M: relative to the magnitude M of the sums behind
 * the output, since cancellation can make the output itself tiny. */
static void double_agrees_with_exact(void **state)
{
    trial_t *t = trial_new();
    (void)state;
    for (int k = 0; k < 300; k++) {
        trial_gen(t, k % 2 ? GEN_Q : GEN_MILD32, 0, 1);
        tu_ok(lump_eval_double(t->dout, &t->net, t->din));
        for (size_t j = 0; j < lump_net_n_outputs(&t->net); j++) {
            double e = mpq_get_d(t->want[j]);
            double m = mpq_get_d(t->mag[j]);
            if (!(fabs(t->dout[j] - e) <= 1e-12 * (m > 1 ? m : 1)))
                fail_msg("trial %d output %zu: double %.17g, exact %.17g (scale %g) "
                         "[seed %lu]",
                         k, j, t->dout[j], e, m, tu_seed());
        }
    }
    trial_free(t);
}

/* lo <= exact <= hi, and hi - lo <= 2^-(prec-20) max(1, M). */
static void check_enclosure(trial_t *t, mpfr_prec_t prec, int k)
{
    mpfr_t w, bound;
    mpfr_inits2(prec + 10, w, bound, (mpfr_ptr)0);
    for (size_t j = 0; j < lump_net_n_outputs(&t->net); j++) {
        if (mpfr_cmp_q(t->lo[j], t->want[j]) > 0 || mpfr_cmp_q(t->hi[j], t->want[j]) < 0)
            fail_msg("trial %d prec %ld output %zu: [%.17g, %.17g] misses %.17g [seed %lu]", k,
                     (long)prec, j, mpfr_get_d(t->lo[j], MPFR_RNDD),
                     mpfr_get_d(t->hi[j], MPFR_RNDU), mpq_get_d(t->want[j]), tu_seed());
        mpfr_sub(w, t->hi[j], t->lo[j], MPFR_RNDU);
        mpfr_set_q(bound, t->mag[j], MPFR_RNDD);
        if (mpfr_cmp_ui(bound, 1) < 0)
            mpfr_set_ui(bound, 1, MPFR_RNDN);
        mpfr_mul_2si(bound, bound, -(long)(prec - 20), MPFR_RNDD);
        if (mpfr_cmp(w, bound) > 0)
            fail_msg("trial %d prec %ld output %zu: width %g over %g [seed %lu]", k, (long)prec, j,
                     mpfr_get_d(w, MPFR_RNDU), mpfr_get_d(bound, MPFR_RNDD), tu_seed());
    }
    mpfr_clears(w, bound, (mpfr_ptr)0);
}

static void mpfr_encloses_exact(void **state)
{
    static const mpfr_prec_t precs[] = {24, 53, 113, 256};
    trial_t *t = trial_new();
    (void)state;
    for (int k = 0; k < 300; k++) {
        mpfr_prec_t prec = precs[k % 4];
        trial_gen(t, (gen_t)(k % 3 == 2 ? GEN_MILD32 : k % 3 == 1 ? GEN_F32 : GEN_Q), 0, 0);
        tu_ok(lump_eval_mpfr(t->lo, t->hi, &t->net, (const mpq_t *)t->in, prec));
        assert_int_equal(mpfr_get_prec(t->lo[0]), prec);
        check_enclosure(t, prec, k);
    }
    trial_free(t);
}

/* At a few bits an enclosure is wide, but it must still hold the value:
 * the directed roundings are what keeps it sound. */
static void mpfr_low_precision_still_encloses(void **state)
{
    trial_t *t = trial_new();
    (void)state;
    for (int k = 0; k < 200; k++) {
        trial_gen(t, k % 2 ? GEN_Q : GEN_F32, 0, 0);
        tu_ok(lump_eval_mpfr(t->lo, t->hi, &t->net, (const mpq_t *)t->in, 2 + k % 7));
        for (size_t j = 0; j < lump_net_n_outputs(&t->net); j++)
            if (mpfr_cmp_q(t->lo[j], t->want[j]) > 0 || mpfr_cmp_q(t->hi[j], t->want[j]) < 0)
                fail_msg("trial %d output %zu: [%g, %g] misses %g [seed %lu]", k, j,
                         mpfr_get_d(t->lo[j], MPFR_RNDD), mpfr_get_d(t->hi[j], MPFR_RNDU),
                         mpq_get_d(t->want[j]), tu_seed());
    }
    trial_free(t);
}

/* Sigmoid and tanh have no exact reference; the double path is the
 * independent one: it must lie within 1e-12 M of a tight 256-bit
 * enclosure. */
static void mpfr_smooth_agrees_with_double(void **state)
{
    trial_t *t = trial_new();
    mpfr_t w;
    (void)state;
    mpfr_init2(w, 256);
    for (int k = 0; k < 300; k++) {
        trial_gen(t, k % 2 ? GEN_Q : GEN_MILD32, 1, 1);
        tu_ok(lump_eval_double(t->dout, &t->net, t->din));
        tu_ok(lump_eval_mpfr(t->lo, t->hi, &t->net, (const mpq_t *)t->in, 256));
        for (size_t j = 0; j < lump_net_n_outputs(&t->net); j++) {
            double m = mpq_get_d(t->mag[j]);
            double tol = 1e-12 * (m > 1 ? m : 1);
            double lo = mpfr_get_d(t->lo[j], MPFR_RNDD), hi = mpfr_get_d(t->hi[j], MPFR_RNDU);
            if (!(lo - tol <= t->dout[j] && t->dout[j] <= hi + tol))
                fail_msg("trial %d output %zu: double %.17g outside [%.17g, %.17g] "
                         "[seed %lu]",
                         k, j, t->dout[j], lo, hi, tu_seed());
            mpfr_sub(w, t->hi[j], t->lo[j], MPFR_RNDU);
            mpfr_div_d(w, w, m > 1 ? m : 1, MPFR_RNDU);
            assert_true(mpfr_cmp_ui_2exp(w, 1, -(256 - 20)) < 0);
        }
    }
    mpfr_clear(w);
    trial_free(t);
}

/* The operations of one step, each alone in a one-neuron network, at 2-40
 * bits on inputs representable at that precision (so only the step under
 * test rounds): the enclosure must hold the exact value (PWL steps) or a
 * 3000-bit value (sigmoid, tanh; transcendental, so never on a p-bit
 * boundary). A rounding in the wrong direction shows here, where a deep
 * network would often hide it under later outward roundings. */
static void mpfr_one_step_is_sound(void **state)
{
    enum { S_NORM, S_OUTMAP, S_LEAKY, S_SIGMOID, S_TANH, S_CLIP, N_STEPS };
    const size_t sizes[1] = {1};
    lump_net_t net;
    mpq_t in[1], want, t;
    mpfr_t lo[1], hi[1], ref;
    (void)state;
    lump_net_init(&net);
    mpq_inits(in[0], want, t, NULL);
    mpfr_inits2(53, lo[0], hi[0], (mpfr_ptr)0);
    mpfr_init2(ref, 3000);
    for (int k = 0; k < 1200; k++) {
        int step = k % N_STEPS;
        mpfr_prec_t prec = 2 + (mpfr_prec_t)rnd(39);
        unsigned long bits = (unsigned long)(prec < 20 ? prec : 20);
        int inside;
        tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_Q));
        set_qs(&net.layers[0].weight, 0, "1");
        mpq_set_si(in[0], (long)rnd(1UL << bits) - (long)(1UL << (bits - 1)), 1UL << rnd(bits + 2));
        mpq_canonicalize(in[0]);
        mpq_set(want, in[0]);
        switch (step) {
        case S_NORM: /* (x - mean) / range with a negative range */
            tu_ok(lump_net_alloc_norm(&net));
            tu_rand_q(net.norm_mean[0], 9, 7);
            mpq_set_si(net.norm_range[0], -1 - (long)rnd(9), 1 + rnd(7));
            mpq_canonicalize(net.norm_range[0]);
            mpq_sub(want, want, net.norm_mean[0]);
            mpq_div(want, want, net.norm_range[0]);
            break;
        case S_OUTMAP: /* y * scale + shift with a negative scale */
            tu_ok(lump_net_alloc_outmap(&net));
            mpq_set_si(net.out_scale[0], -1 - (long)rnd(9), 1 + rnd(7));
            mpq_canonicalize(net.out_scale[0]);
            tu_rand_q(net.out_shift[0], 9, 7);
            mpq_mul(want, want, net.out_scale[0]);
            mpq_add(want, want, net.out_shift[0]);
            break;
        case S_LEAKY: /* alpha of either sign, not a power of two */
            net.layers[0].act.kind = LUMP_ACT_LEAKY_RELU;
            mpq_set_si(net.layers[0].act.alpha, (long)rnd(9) - 4, 3 + 2 * rnd(3));
            mpq_canonicalize(net.layers[0].act.alpha);
            if (mpq_sgn(want) < 0)
                mpq_mul(want, want, net.layers[0].act.alpha);
            break;
        case S_CLIP: /* rational bounds, at least one of them active */
            tu_ok(lump_net_alloc_clip(&net));
            tu_rand_q(net.clip_lo[0], 9, 7);
            mpq_set_si(t, (long)rnd(20), 1 + rnd(7));
            mpq_canonicalize(t);
            mpq_add(net.clip_hi[0], net.clip_lo[0], t);
            if (mpq_cmp(want, net.clip_lo[0]) < 0)
                mpq_set(want, net.clip_lo[0]);
            if (mpq_cmp(want, net.clip_hi[0]) > 0)
                mpq_set(want, net.clip_hi[0]);
            break;
        default:
            net.layers[0].act.kind = step == S_SIGMOID ? LUMP_ACT_SIGMOID : LUMP_ACT_TANH;
            break;
        }
        tu_ok(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, prec));
        if (step == S_SIGMOID || step == S_TANH) {
            mpfr_set_q(ref, in[0], MPFR_RNDN); /* exact: a short dyadic */
            if (step == S_TANH) {
                mpfr_tanh(ref, ref, MPFR_RNDN);
            } else {
                mpfr_neg(ref, ref, MPFR_RNDN);
                mpfr_exp(ref, ref, MPFR_RNDN);
                mpfr_add_ui(ref, ref, 1, MPFR_RNDN);
                mpfr_ui_div(ref, 1, ref, MPFR_RNDN);
            }
            inside = mpfr_cmp(lo[0], ref) <= 0 && mpfr_cmp(hi[0], ref) >= 0;
        } else {
            inside = mpfr_cmp_q(lo[0], want) <= 0 && mpfr_cmp_q(hi[0], want) >= 0;
        }
        if (!inside)
            fail_msg("trial %d (step %d, %ld bits): [%.17g, %.17g] misses the value "
                     "[seed %lu]",
                     k, step, (long)prec, mpfr_get_d(lo[0], MPFR_RNDD),
                     mpfr_get_d(hi[0], MPFR_RNDU), tu_seed());
    }
    mpfr_clears(lo[0], hi[0], ref, (mpfr_ptr)0);
    mpq_clears(in[0], want, t, NULL);
    lump_net_clear(&net);
}

/* sigmoid(0) = 1/2 and tanh(0) = 0 exactly: one input, weight 1, bias 0,
 * evaluated at 0 (and at 53 and 256 bits). */
static void mpfr_sigmoid_tanh_at_zero(void **state)
{
    const size_t sizes[1] = {2};
    lump_net_t net;
    lump_act_t a;
    mpq_t in[1], half;
    mpfr_t lo[2], hi[2], w;
    static const mpfr_prec_t precs[] = {53, 256};
    (void)state;
    mpfr_init2(w, 300);
    lump_net_init(&net);
    lump_act_init(&a);
    mpq_inits(in[0], half, NULL);
    mpq_set_ui(half, 1, 2);
    tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_F64));
    tu_ok(lump_arr_set_d(&net.layers[0].weight, 0, 1.0));
    tu_ok(lump_arr_set_d(&net.layers[0].weight, 1, 1.0));
    set_act(&a, LUMP_ACT_SIGMOID, "0");
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 0, &a));
    set_act(&a, LUMP_ACT_TANH, "0");
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 1, &a));
    for (size_t j = 0; j < 2; j++)
        mpfr_inits2(8, lo[j], hi[j], (mpfr_ptr)0);
    for (size_t p = 0; p < 2; p++) {
        tu_ok(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, precs[p]));
        assert_true(mpfr_cmp_q(lo[0], half) <= 0 && mpfr_cmp_q(hi[0], half) >= 0);
        assert_true(mpfr_sgn(lo[1]) <= 0 && mpfr_sgn(hi[1]) >= 0);
        /* and tight: a few ulps wide */
        mpfr_sub(w, hi[0], lo[0], MPFR_RNDU);
        assert_true(mpfr_cmp_ui_2exp(w, 1, -(long)(precs[p] - 4)) <= 0);
    }
    for (size_t j = 0; j < 2; j++)
        mpfr_clears(lo[j], hi[j], (mpfr_ptr)0);
    mpfr_clear(w);
    mpq_clears(in[0], half, NULL);
    lump_act_clear(&a);
    lump_net_clear(&net);
}

/* Exact evaluation refuses sigmoid and tanh, naming layer and neuron. */
static void exact_refuses_sigmoid(void **state)
{
    const size_t sizes[2] = {3, 1};
    lump_net_t net;
    lump_act_t a;
    mpq_t in[1], out[1];
    (void)state;
    lump_net_init(&net);
    lump_act_init(&a);
    mpq_inits(in[0], out[0], NULL);
    tu_ok(lump_net_setup(&net, 1, 2, sizes, LUMP_STORE_F32));
    set_act(&net.layers[0].act, LUMP_ACT_RELU, "0");
    set_act(&a, LUMP_ACT_SIGMOID, "0");
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 2, &a));
    tu_fails(lump_eval_exact(out, &net, (const mpq_t *)in), LUMP_EUNSUPPORTED,
             "layer 1 neuron 2: sigmoid");
    set_act(&a, LUMP_ACT_RELU, "0");
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 2, &a));
    set_act(&net.layers[1].act, LUMP_ACT_TANH, "0");
    tu_fails(lump_eval_exact(out, &net, (const mpq_t *)in), LUMP_EUNSUPPORTED,
             "layer 2 neuron 0: tanh");
    mpq_clears(in[0], out[0], NULL);
    lump_act_clear(&a);
    lump_net_clear(&net);
}

/* Layer sizes that do not chain are bad input to all three evaluators. */
static void evaluators_refuse_broken_sizes(void **state)
{
    const size_t sizes[2] = {3, 1};
    lump_net_t net;
    mpq_t in[2], out[1];
    double din[2] = {0, 0}, dout[1];
    mpfr_t lo[1], hi[1];
    (void)state;
    lump_net_init(&net);
    mpq_inits(in[0], in[1], out[0], NULL);
    mpfr_inits2(53, lo[0], hi[0], (mpfr_ptr)0);
    tu_ok(lump_net_setup(&net, 2, 2, sizes, LUMP_STORE_F32));
    net.n_inputs = 1; /* layer 1 still takes 2 */
    tu_fails(lump_eval_exact(out, &net, (const mpq_t *)in), LUMP_EINPUT, "layer 1");
    tu_fails(lump_eval_double(dout, &net, din), LUMP_EINPUT, "layer 1");
    tu_fails(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, 53), LUMP_EINPUT, "layer 1");
    net.n_inputs = 2;
    mpfr_clears(lo[0], hi[0], (mpfr_ptr)0);
    mpq_clears(in[0], in[1], out[0], NULL);
    lump_net_clear(&net);
}

static void mpfr_refuses_bad_precision(void **state)
{
    const size_t sizes[1] = {1};
    lump_net_t net;
    mpq_t in[1];
    mpfr_t lo[1], hi[1];
    (void)state;
    lump_net_init(&net);
    mpq_init(in[0]);
    mpfr_inits2(53, lo[0], hi[0], (mpfr_ptr)0);
    tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_F32));
    tu_fails(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, 0), LUMP_EUSAGE, "precision");
    mpfr_clears(lo[0], hi[0], (mpfr_ptr)0);
    mpq_clear(in[0]);
    lump_net_clear(&net);
}

/* ---------------------------------------------------------------------- */
/* A network of real size                                                  */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A random 784-256x6-10 float32 relu network (weights of size about
 * 1/sqrt(fan-in)) on an input of rationals with denominators up to 1000:
 * the exact value must lie in the 128-bit MPFR enclosure. The time of the
 * exact evaluation is printed, not asserted. */
static void exact_on_mnist_sized_net(void **state)
{
    size_t sizes[7] = {256, 256, 256, 256, 256, 256, 10};
    lump_net_t net;
    mpq_t in[784], out[10];
    mpfr_t lo[10], hi[10];
    double t0, t1, t2;
    size_t bits = 0;
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 784, 7, sizes, LUMP_STORE_F32));
    for (size_t l = 0; l < 7; l++) {
        lump_layer_t *L = &net.layers[l];
        double s = 2.0 / sqrt((double)L->in_size);
        if (l < 6)
            L->act.kind = LUMP_ACT_RELU;
        for (size_t i = 0; i < L->size * L->in_size; i++)
            tu_ok(lump_arr_set_f(&L->weight, i,
                                 (float)(s * ((double)rnd(1UL << 30) / (1UL << 30) - 0.5))));
        for (size_t v = 0; v < L->size; v++)
            tu_ok(lump_arr_set_f(&L->bias, v,
                                 (float)(0.1 * ((double)rnd(1UL << 30) / (1UL << 30) - 0.5))));
    }
    for (size_t i = 0; i < 784; i++) {
        mpq_init(in[i]);
        tu_rand_q(in[i], 1000, 1000);
        mpq_abs(in[i], in[i]);
    }
    for (size_t j = 0; j < 10; j++) {
        mpq_init(out[j]);
        mpfr_inits2(128, lo[j], hi[j], (mpfr_ptr)0);
    }
    t0 = now();
    tu_ok(lump_eval_exact(out, &net, (const mpq_t *)in));
    t1 = now();
    tu_ok(lump_eval_mpfr(lo, hi, &net, (const mpq_t *)in, 128));
    t2 = now();
    for (size_t j = 0; j < 10; j++) {
        bits += mpz_sizeinbase(mpq_denref(out[j]), 2);
        assert_true(mpfr_cmp_q(lo[j], out[j]) <= 0 && mpfr_cmp_q(hi[j], out[j]) >= 0);
    }
    fprintf(stderr,
            "# 784-256x6-10 float32: exact %.3f s (denominators ~%zu bits), "
            "MPFR 128-bit %.3f s\n",
            t1 - t0, bits / 10, t2 - t1);
    for (size_t i = 0; i < 784; i++)
        mpq_clear(in[i]);
    for (size_t j = 0; j < 10; j++) {
        mpq_clear(out[j]);
        mpfr_clears(lo[j], hi[j], (mpfr_ptr)0);
    }
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_exact),
        cmocka_unit_test(hand_double),
        cmocka_unit_test(hand_mpfr_contains),
        cmocka_unit_test(exact_matches_naive_q),
        cmocka_unit_test(exact_matches_naive_f32),
        cmocka_unit_test(exact_matches_naive_f64),
        cmocka_unit_test(exact_matches_naive_mixed_storage),
        cmocka_unit_test(double_agrees_with_exact),
        cmocka_unit_test(mpfr_encloses_exact),
        cmocka_unit_test(mpfr_low_precision_still_encloses),
        cmocka_unit_test(mpfr_smooth_agrees_with_double),
        cmocka_unit_test(mpfr_one_step_is_sound),
        cmocka_unit_test(mpfr_sigmoid_tanh_at_zero),
        cmocka_unit_test(exact_refuses_sigmoid),
        cmocka_unit_test(evaluators_refuse_broken_sizes),
        cmocka_unit_test(mpfr_refuses_bad_precision),
        cmocka_unit_test(exact_on_mnist_sized_net),
    };
    tu_init();
    return cmocka_run_group_tests_name("eval", tests, NULL, NULL);
}
