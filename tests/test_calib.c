/* test_calib.c -- calibration-guided relaxed lumping: the eps guarantee
 * recomputed by plain evaluation at every calibration point, nested
 * prefixes of one greedy sequence, certified bounds never below the
 * observed error, the lumping fits the quotient, determinism, bad input,
 * and sigmoid/tanh layers merged with scale 1 only */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---------------------------------------------------------------------- */
/* Building networks and points                                            */

static double rnd(double lo, double hi)
{
    unsigned long k = gmp_urandomm_ui(tu_rand, 1UL << 20);
    return lo + (hi - lo) * (double)k / (double)(1UL << 20);
}

/* X rounded to STORE, so that an F32 array stays F32 (lump_arr_set_d
 * widens it to F64 for a value that is not a binary32). */
static double to_store(lump_store_t store, double x)
{
    return store == LUMP_STORE_F32 ? (double)(float)x : x;
}

/* A random network NIN-SIZES... with hidden activation HIDDEN and
 * identity outputs, weights in [-1, 1] and biases in [-0.3, 0.3] stored as
 * STORE. When PLANT: in the first hidden layer neuron 3 is 2 x neuron 0
 * and neuron 4 a copy of neuron 1 (exact lumps: a merge with no effect on
 * the outputs). */
static void random_net(lump_net_t *net, size_t nin, size_t nl, const size_t *sizes,
                       lump_store_t store, lump_act_kind_t hidden, int plant)
{
    lump_net_init(net);
    tu_ok(lump_net_setup(net, nin, nl, sizes, store));
    for (size_t i = 0; i < nl; i++) {
        lump_layer_t *l = &net->layers[i];
        l->act.kind = i + 1 < nl ? hidden : LUMP_ACT_IDENTITY;
        for (size_t v = 0; v < l->size; v++) {
            for (size_t u = 0; u < l->in_size; u++)
                tu_ok(lump_arr_set_d(&l->weight, v * l->in_size + u, to_store(store, rnd(-1, 1))));
            tu_ok(lump_arr_set_d(&l->bias, v, to_store(store, rnd(-0.3, 0.3))));
        }
    }
    if (plant && sizes[0] >= 5) {
        lump_layer_t *l = &net->layers[0];
        for (size_t u = 0; u < l->in_size; u++) {
            tu_ok(
                lump_arr_set_d(&l->weight, 3 * l->in_size + u, 2 * lump_arr_get_d(&l->weight, u)));
            tu_ok(lump_arr_set_d(&l->weight, 4 * l->in_size + u,
                                 lump_arr_get_d(&l->weight, l->in_size + u)));
        }
        tu_ok(lump_arr_set_d(&l->bias, 3, 2 * lump_arr_get_d(&l->bias, 0)));
        tu_ok(lump_arr_set_d(&l->bias, 4, lump_arr_get_d(&l->bias, 1)));
    }
    for (size_t i = 0; i < nl; i++) /* the test relies on the storage it asked for */
        assert_int_equal(net->layers[i].weight.store, store);
}

/* N random points of NIN coordinates in [LO, HI], to free(). */
static double *random_points(size_t n, size_t nin, double lo, double hi)
{
    double *x = malloc(n * nin * sizeof *x);
    assert_non_null(x);
    for (size_t k = 0; k < n * nin; k++)
        x[k] = rnd(lo, hi);
    return x;
}

static void make_box(lump_box_t *box, size_t n, long lo, long hi)
{
    lump_box_init(box);
    tu_ok(lump_box_alloc(box, n));
    for (size_t i = 0; i < n; i++) {
        mpq_set_si(box->lo[i], lo, 1);
        mpq_set_si(box->hi[i], hi, 1);
    }
}

static size_t hidden_neurons(const lump_net_t *net)
{
    return lump_net_neurons(net) - lump_net_n_outputs(net);
}

/* ---------------------------------------------------------------------- */
/* Checks                                                                  */

/* Byte-identical arrays: same storage, same bits (a quotient written to a
 * file twice must be the same file). */
static int same_bytes(const lump_arr_t *a, const lump_arr_t *b)
{
    size_t w;
    if (a->store != b->store || a->len != b->len)
        return 0;
    if (a->store == LUMP_STORE_Q)
        return lump_arr_equal(a, b);
    w = a->store == LUMP_STORE_F32 ? sizeof(float) : sizeof(double);
    return a->len == 0 || memcmp(a->data, b->data, a->len * w) == 0;
}

static int same_net(const lump_net_t *a, const lump_net_t *b)
{
    if (a->n_inputs != b->n_inputs || a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_t *x = &a->layers[i], *y = &b->layers[i];
        if (x->size != y->size || x->in_size != y->in_size || !same_bytes(&x->weight, &y->weight) ||
            !same_bytes(&x->bias, &y->bias) || !lump_act_equal(&x->act, &y->act))
            return 0;
    }
    return 1;
}

static int same_lumping(const lump_lumping_t *a, const lump_lumping_t *b)
{
    if (a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        if (a->layers[i].n_blocks != b->layers[i].n_blocks)
            return 0;
        for (size_t k = 0; k < a->layers[i].n_blocks; k++) {
            const lump_block_t *x = &a->layers[i].blocks[k], *y = &b->layers[i].blocks[k];
            if (x->n_members != y->n_members || x->fate != y->fate ||
                memcmp(x->members, y->members, x->n_members * sizeof *x->members) != 0 ||
                !lump_arr_equal(&x->scales, &y->scales) || mpq_cmp(x->value, y->value) != 0)
                return 0;
        }
    }
    return 1;
}

/* The largest |f_j(x) - g_j(x)| over the N points X, by lump_eval_double
 * alone (not the code under test's own forward pass). */
static double max_dev(const lump_net_t *f, const lump_net_t *g, const double *x, size_t n)
{
    size_t nout = lump_net_n_outputs(f);
    double yf[16], yg[16], mx = 0;
    assert_true(nout <= 16);
    assert_int_equal(lump_net_n_outputs(g), nout);
    for (size_t r = 0; r < n; r++) {
        tu_ok(lump_eval_double(yf, f, x + r * f->n_inputs));
        tu_ok(lump_eval_double(yg, g, x + r * f->n_inputs));
        for (size_t j = 0; j < nout; j++)
            mx = fmax(mx, fabs(yf[j] - yg[j]));
    }
    return mx;
}

/* Rounding noise of a recomputed deviation: the quotient lists its
 * neurons in block order, not in the order the greedy summed them, so
 * its outputs may differ from the greedy's own by a few ulps (outputs
 * here are of order 10, an ulp about 2e-15). */
#define ROUNDING 1e-12

/* The promise of the API: over the (all used) points the quotient G stays
 * within EPS of NET, and the reported deviation DEV is that largest
 * deviation (both computed in double: 1e-9 relative plus ROUNDING). */
static void check_eps(const lump_net_t *net, const lump_net_t *g, double dev, const double *x,
                      size_t n, double eps, const char *what)
{
    double obs = max_dev(net, g, x, n);
    if (obs > eps * (1 + 1e-9) + ROUNDING)
        fail_msg("%s, eps %g: observed deviation %.17g over the calibration points [seed %lu]",
                 what, eps, obs, tu_seed());
    if (dev > eps)
        fail_msg("%s, eps %g: reported deviation %.17g [seed %lu]", what, eps, dev, tu_seed());
    if (fabs(obs - dev) > 1e-9 * fmax(obs, dev) + ROUNDING)
        fail_msg("%s, eps %g: reported deviation %.17g, recomputed %.17g [seed %lu]", what, eps,
                 dev, obs, tu_seed());
}

/* L fits NET and its quotient G: one lumping layer per layer, of the
 * layer's size; the blocks partition the layer, members increasing, in
 * canonical order (by lowest member); a CONSTANT block has one member;
 * the KEEP blocks are G's neurons; outputs are KEEP singletons of scale
 * 1; scales follow the activation (> 0 for relu, 1 for sigmoid/tanh).
 * The first hidden layer's untouched neurons (KEEP singletons: never
 * merged with anything) keep their rows bit for bit. Returns the number
 * of non-CONSTANT blocks over all layers (the neurons still alive in the
 * greedy's working network). */
static size_t check_fits(const lump_net_t *net, const lump_net_t *g, const lump_lumping_t *L)
{
    size_t alive = 0;
    unsigned char *seen;
    assert_int_equal(L->n_layers, net->n_layers);
    assert_int_equal(L->n_inputs, net->n_inputs);
    assert_int_equal(g->n_layers, net->n_layers);
    assert_int_equal(g->n_inputs, net->n_inputs);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        const lump_layer_t *lr = &net->layers[i];
        size_t keep = 0, n = lr->size, prev_low = 0;
        int out = i + 1 == net->n_layers;
        assert_int_equal(ll->size, n);
        seen = calloc(n, 1);
        assert_non_null(seen);
        for (size_t k = 0; k < ll->n_blocks; k++) {
            const lump_block_t *b = &ll->blocks[k];
            assert_true(b->n_members >= 1);
            assert_int_equal(b->scales.len, b->n_members);
            if (k > 0 && b->members[0] <= prev_low)
                fail_msg("layer %zu: block %zu is out of canonical order", i + 1, k);
            prev_low = b->members[0];
            for (size_t j = 0; j < b->n_members; j++) {
                size_t v = b->members[j];
                double c = lump_arr_get_d(&b->scales, j);
                lump_act_kind_t kind = lump_layer_act(lr, v)->kind;
                assert_true(v < n);
                if (seen[v])
                    fail_msg("layer %zu: neuron %zu is in two blocks", i + 1, v);
                seen[v] = 1;
                if (j > 0)
                    assert_true(v > b->members[j - 1]);
                if ((kind == LUMP_ACT_SIGMOID || kind == LUMP_ACT_TANH) && c != 1)
                    fail_msg("layer %zu (%s): neuron %zu has scale %.17g", i + 1,
                             lump_act_name(kind), v, c);
                if (kind == LUMP_ACT_RELU && !(c > 0))
                    fail_msg("layer %zu: relu neuron %zu has scale %.17g", i + 1, v, c);
            }
            if (b->fate == LUMP_FATE_CONSTANT)
                assert_int_equal(b->n_members, 1);
            else
                alive++;
            if (out) {
                assert_int_equal(b->fate, LUMP_FATE_KEEP);
                assert_int_equal(b->n_members, 1);
                assert_int_equal(b->members[0], k);
                assert_true(lump_arr_get_d(&b->scales, 0) == 1);
            }
            if (b->fate != LUMP_FATE_KEEP)
                continue;
            if (i == 0 && b->n_members == 1) {
                size_t v = b->members[0], m = lr->in_size;
                assert_int_equal(g->layers[0].in_size, m);
                for (size_t u = 0; u < m; u++)
                    assert_true(lump_arr_get_d(&g->layers[0].weight, keep * m + u) ==
                                lump_arr_get_d(&lr->weight, v * m + u));
                assert_true(lump_arr_get_d(&g->layers[0].bias, keep) ==
                            lump_arr_get_d(&lr->bias, v));
            }
            keep++;
        }
        for (size_t v = 0; v < n; v++)
            if (!seen[v])
                fail_msg("layer %zu: neuron %zu is in no block", i + 1, v);
        free(seen);
        assert_int_equal(g->layers[i].size, keep);
        assert_true(keep >= 1);
        /* a float32 network gives a float32 quotient: the deviations are
         * those of the network written */
        assert_int_equal(g->layers[i].weight.store, lr->weight.store);
    }
    assert_int_equal(lump_lumping_neurons_after(L), lump_net_neurons(g));
    return alive;
}

/* ---------------------------------------------------------------------- */

/* The eps guarantee, recomputed by lump_eval_double at every point (200
 * points: all used), for float32 and float64 networks; something merges
 * at the largest eps, and the quotient shrinks as eps grows. */
static void eps_guarantee(void **state)
{
    static const size_t sz[] = {16, 12, 3};
    static const double epss[] = {0.01, 0.1, 0.5, 2};
    (void)state;
    for (int st = 0; st < 2; st++) {
        lump_store_t store = st ? LUMP_STORE_F64 : LUMP_STORE_F32;
        lump_net_t net, g;
        lump_lumping_t L;
        double *x, dev;
        size_t last = SIZE_MAX;
        random_net(&net, 6, 3, sz, store, LUMP_ACT_RELU, 0);
        x = random_points(200, 6, -1, 1);
        lump_net_init(&g);
        lump_lumping_init(&L);
        for (size_t e = 0; e < 4; e++) {
            dev = -1;
            tu_ok(lump_relax_calib(&g, &L, &dev, &net, x, 200, epss[e]));
            check_eps(&net, &g, dev, x, 200, epss[e], st ? "float64" : "float32");
            check_fits(&net, &g, &L);
            assert_true(lump_net_neurons(&g) <= last);
            last = lump_net_neurons(&g);
        }
        assert_true(last < lump_net_neurons(&net));
        lump_lumping_clear(&L);
        lump_net_clear(&g);
        lump_net_clear(&net);
        free(x);
    }
}

/* The block of neuron V in layer I of L. */
static const lump_block_t *block_of(const lump_lumping_t *L, size_t i, size_t v)
{
    for (size_t b = 0; b < L->layers[i].n_blocks; b++)
        for (size_t j = 0; j < L->layers[i].blocks[b].n_members; j++)
            if (L->layers[i].blocks[b].members[j] == v)
                return &L->layers[i].blocks[b];
    fail_msg("layer %zu: neuron %zu is in no block", i + 1, v);
    return NULL;
}

/* y_v(x) of neuron V of NET's first layer. */
static double first_layer_value(const lump_net_t *net, size_t v, const double *x)
{
    const lump_layer_t *l = &net->layers[0];
    double z = lump_arr_get_d(&l->bias, v);
    for (size_t u = 0; u < l->in_size; u++)
        z += lump_arr_get_d(&l->weight, v * l->in_size + u) * x[u];
    return l->act.kind == LUMP_ACT_RELU && z < 0 ? 0 : z;
}

/* Exact lumps (a scaled copy and a copy) cost nothing on the outputs, so
 * a tiny eps already merges them, with the scales of the planted
 * relation; and every first-layer neuron of a kept block is its scale
 * times its quotient neuron at every point. */
static void tiny_eps_finds_exact_lumps(void **state)
{
    static const size_t sz[] = {12, 10, 3};
    lump_net_t net, g;
    lump_lumping_t L;
    const lump_block_t *b0, *b1;
    double *x, dev;
    size_t k = 0;
    (void)state;
    random_net(&net, 4, 3, sz, LUMP_STORE_F64, LUMP_ACT_RELU, 1);
    x = random_points(200, 4, -1, 1);
    lump_net_init(&g);
    lump_lumping_init(&L);
    tu_ok(lump_relax_calib(&g, &L, &dev, &net, x, 200, 1e-9));
    assert_true(g.layers[0].size <= 10);
    check_eps(&net, &g, dev, x, 200, 1e-9, "planted");
    check_fits(&net, &g, &L);
    /* y_3 = 2 y_0 and y_4 = y_1: the scales say so */
    b0 = block_of(&L, 0, 0);
    b1 = block_of(&L, 0, 1);
    assert_true(b0 == block_of(&L, 0, 3));
    assert_true(b1 == block_of(&L, 0, 4));
    assert_true(fabs(lump_arr_get_d(&b0->scales, b0->n_members - 1) -
                     2 * lump_arr_get_d(&b0->scales, 0)) <= 1e-12);
    assert_true(fabs(lump_arr_get_d(&b1->scales, b1->n_members - 1) -
                     lump_arr_get_d(&b1->scales, 0)) <= 1e-12);
    for (size_t bi = 0; bi < L.layers[0].n_blocks; bi++) {
        const lump_block_t *b = &L.layers[0].blocks[bi];
        if (b->fate != LUMP_FATE_KEEP)
            continue;
        for (size_t j = 0; j < b->n_members; j++)
            for (size_t p = 0; p < 200; p++) {
                double yv = first_layer_value(&net, b->members[j], x + 4 * p);
                double yb = first_layer_value(&g, k, x + 4 * p);
                double c = lump_arr_get_d(&b->scales, j);
                if (fabs(yv - c * yb) > 1e-12)
                    fail_msg("neuron %zu = %.17g, its scale %g times its quotient neuron "
                             "%.17g [seed %lu]",
                             b->members[j], yv, c, yb, tu_seed());
            }
        k++;
    }
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&net);
    free(x);
}

/* P(eps): the steps of RUN's longest prefix whose deviations are all <=
 * EPS, from lump_calib_deviation alone. */
static size_t prefix_len(const double *d, size_t steps, double eps)
{
    size_t k = 0;
    while (k < steps && d[k] <= eps)
        k++;
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One run down to one neuron per hidden layer; lump_calib_at at
 * increasing eps (0, every step's deviation and the double just below
 * it) gives exactly the prefix P(eps): one neuron fewer per step, the
 * deviation of its last step, a non-increasing size. A fresh
 * lump_relax_calib at an eps between two deviations gives the same
 * network (the sequence does not depend on eps), and so does a run
 * stopped there; so does a fresh run at eps equal to a recorded deviation
 * (the run stops on the recorded deviation, never on its estimate before
 * the step, which may differ in the last bits). */
static void nested_prefixes(void **state)
{
    static const size_t sz[] = {20, 16, 12, 4};
    lump_net_t net, g, h;
    lump_lumping_t L, Lh;
    lump_calib_t *run = NULL;
    double *x, *d, *eps, *mid;
    size_t steps, neps = 0, nmid = 0, last = SIZE_MAX, n0;
    (void)state;
    random_net(&net, 5, 4, sz, LUMP_STORE_F32, LUMP_ACT_RELU, 0);
    x = random_points(200, 5, -1, 1);
    n0 = lump_net_neurons(&net);
    tu_ok(lump_calib_run(&run, &net, x, 200, HUGE_VAL));
    assert_non_null(run);
    steps = lump_calib_steps(run);
    assert_int_equal(lump_calib_points(run), 200);
    /* HUGE_VAL: down to one neuron per hidden layer */
    assert_int_equal(steps, hidden_neurons(&net) - (net.n_layers - 1));
    assert_true(lump_calib_deviation(run, steps) == HUGE_VAL);
    d = malloc(steps * sizeof *d);
    eps = malloc((2 * steps + 1) * sizeof *eps);
    mid = malloc((2 * steps + 1) * sizeof *mid);
    assert_non_null(d);
    assert_non_null(eps);
    assert_non_null(mid);
    eps[neps++] = 0;
    for (size_t k = 0; k < steps; k++) {
        d[k] = lump_calib_deviation(run, k);
        assert_true(d[k] >= 0 && isfinite(d[k]));
        eps[neps++] = d[k];
        eps[neps++] = nextafter(d[k], 0);
    }
    qsort(eps, neps, sizeof *eps, cmp_double);
    mid[nmid++] = 0;
    for (size_t e = 0; e + 1 < neps; e++)
        if (eps[e + 1] - eps[e] > 1e-9 * eps[e + 1])
            mid[nmid++] = 0.5 * (eps[e] + eps[e + 1]);
    mid[nmid++] = 2 * eps[neps - 1];
    lump_net_init(&g);
    lump_net_init(&h);
    lump_lumping_init(&L);
    lump_lumping_init(&Lh);
    for (size_t e = 0; e < neps; e++) {
        size_t p = prefix_len(d, steps, eps[e]), alive;
        double dev = -1;
        tu_ok(lump_calib_at(&g, &L, &dev, run, eps[e]));
        alive = check_fits(&net, &g, &L);
        if (alive != n0 - p)
            fail_msg("eps %.17g: %zu neurons alive, expected %zu - %zu steps [seed %lu]", eps[e],
                     alive, n0, p, tu_seed());
        assert_true(dev == (p > 0 ? d[p - 1] : 0));
        assert_true(lump_net_neurons(&g) <= last);
        last = lump_net_neurons(&g);
        check_eps(&net, &g, dev, x, 200, eps[e], "prefix");
    }
    /* eps = a step's deviation gives at least the merges of eps just
     * below it, and the step itself when no earlier one went higher */
    for (size_t k = 0; k < steps; k++) {
        size_t p = prefix_len(d, steps, d[k]);
        tu_ok(lump_calib_at(&g, NULL, NULL, run, d[k]));
        tu_ok(lump_calib_at(&h, NULL, NULL, run, nextafter(d[k], 0)));
        assert_true(lump_net_neurons(&g) <= lump_net_neurons(&h));
        if (p > k) /* step k is in */
            assert_true(lump_net_neurons(&g) <= n0 - (k + 1));
    }
    /* fresh runs between the deviations (every 3rd, for time) */
    for (size_t e = 0; e < nmid; e += e + 4 < nmid ? 3 : 1) {
        size_t p = prefix_len(d, steps, mid[e]), sp;
        double dev = -1, devh = -1;
        lump_calib_t *part = NULL;
        tu_ok(lump_calib_at(&g, &L, &dev, run, mid[e]));
        tu_ok(lump_relax_calib(&h, &Lh, &devh, &net, x, 200, mid[e]));
        if (!same_net(&g, &h) || !same_lumping(&L, &Lh) || devh != dev)
            fail_msg("eps %.17g: lump_relax_calib differs from the prefix of the full run "
                     "[seed %lu]",
                     mid[e], tu_seed());
        /* a run stopped at eps_max follows the full one (plus at most the
         * one step that went over) */
        tu_ok(lump_calib_run(&part, &net, x, 200, mid[e]));
        sp = lump_calib_steps(part);
        assert_true(sp >= p && sp <= p + 1);
        for (size_t k = 0; k < sp; k++)
            assert_true(lump_calib_deviation(part, k) == d[k]);
        lump_calib_free(part);
    }
    /* fresh runs at the deviations themselves (every 4th, for time) */
    for (size_t k = 0; k < steps; k += 4) {
        double dev = -1, devh = -1;
        tu_ok(lump_calib_at(&g, &L, &dev, run, d[k]));
        tu_ok(lump_relax_calib(&h, &Lh, &devh, &net, x, 200, d[k]));
        if (!same_net(&g, &h) || !same_lumping(&L, &Lh) || devh != dev)
            fail_msg("eps %.17g (step %zu's deviation): lump_relax_calib differs from the "
                     "prefix of the full run [seed %lu]",
                     d[k], k, tu_seed());
    }
    lump_lumping_clear(&L);
    lump_lumping_clear(&Lh);
    lump_net_clear(&g);
    lump_net_clear(&h);
    lump_calib_free(run);
    lump_net_clear(&net);
    free(x);
    free(d);
    free(eps);
    free(mid);
}

/* The certified bound of a calibration quotient over a box holding the
 * points is sound: never below the sampled error, nor below the
 * deviation at the calibration points themselves. */
static void bound_sound(void **state)
{
    static const size_t sz[] = {12, 10, 3};
    static const double epss[] = {0.2, 1.0};
    (void)state;
    for (int st = 0; st < 2; st++) {
        lump_store_t store = st ? LUMP_STORE_F64 : LUMP_STORE_F32;
        lump_net_t net, g;
        lump_lumping_t L;
        lump_box_t box;
        lump_bound_opts_t o;
        double *x, obs[3], dev;
        random_net(&net, 4, 3, sz, store, LUMP_ACT_RELU, 1);
        x = random_points(200, 4, -1, 1);
        make_box(&box, 4, -1, 1);
        lump_net_init(&g);
        lump_lumping_init(&L);
        lump_bound_opts_init(&o);
        for (size_t e = 0; e < 2; e++) {
            lump_bound_result_t r;
            lump_bound_result_init(&r);
            tu_ok(lump_relax_calib(&g, &L, &dev, &net, x, 200, epss[e]));
            assert_true(lump_net_neurons(&g) < lump_net_neurons(&net));
            tu_ok(lump_bound_diff_lumped(&r, &net, &g, &L, &box, &o));
            tu_ok(lump_max_error_sampled(obs, &net, &g, &box, 500, tu_seed()));
            assert_true(r.certified);
            for (int j = 0; j < 3; j++) {
                if (!(obs[j] <= r.bound[j]))
                    fail_msg("eps %g output %d: observed %.17g > bound %.17g [seed %lu]", epss[e],
                             j, obs[j], r.bound[j], tu_seed());
            }
            /* the points lie in the box: the bound covers them too */
            for (size_t p = 0; p < 200; p++) {
                double yf[3], yg[3];
                tu_ok(lump_eval_double(yf, &net, x + 4 * p));
                tu_ok(lump_eval_double(yg, &g, x + 4 * p));
                for (int j = 0; j < 3; j++)
                    if (!(fabs(yf[j] - yg[j]) <= r.bound[j]))
                        fail_msg("eps %g point %zu output %d: deviation %.17g > bound %.17g "
                                 "[seed %lu]",
                                 epss[e], p, j, fabs(yf[j] - yg[j]), r.bound[j], tu_seed());
            }
            lump_bound_result_clear(&r);
        }
        lump_lumping_clear(&L);
        lump_net_clear(&g);
        lump_net_clear(&net);
        lump_box_clear(&box);
        free(x);
    }
}

/* The planted relation y_B = R y_A of first-layer neurons A and B holds
 * in L: in one block, B's scale is R times A's; both constants, B's value
 * is R times A's. Returns 1 when one of the two applied. */
static int planted_relation(const lump_lumping_t *L, size_t a, size_t b, double r)
{
    const lump_block_t *ba = block_of(L, 0, a), *bb = block_of(L, 0, b);
    double ca = 0, cb = 0;
    if (ba == bb) {
        for (size_t j = 0; j < ba->n_members; j++) {
            if (ba->members[j] == a)
                ca = lump_arr_get_d(&ba->scales, j);
            if (ba->members[j] == b)
                cb = lump_arr_get_d(&ba->scales, j);
        }
    } else if (ba->fate == LUMP_FATE_CONSTANT && bb->fate == LUMP_FATE_CONSTANT) {
        ca = mpq_get_d(ba->value);
        cb = mpq_get_d(bb->value);
    } else {
        return 0;
    }
    if (fabs(cb - r * ca) > 1e-12 * fmax(1, fabs(cb)))
        fail_msg("neurons %zu and %zu (y_%zu = %g y_%zu): %s %.17g and %.17g [seed %lu]", a + 1,
                 b + 1, b + 1, r, a + 1, ba == bb ? "scales" : "constants", ca, cb, tu_seed());
    return 1;
}

/* The lumping fits along a whole run (at every step's deviation: so
 * constants, merges into merged neurons and dead neurons all occur), and
 * the scales and constant values keep the planted exact relations; L =
 * NULL or DEV = NULL change nothing. */
static void lumping_fits(void **state)
{
    static const size_t sz[] = {14, 12, 3};
    lump_net_t net, g, h;
    lump_lumping_t L;
    lump_calib_t *run = NULL;
    double *x;
    size_t steps, constants = 0, merged = 0, related = 0;
    (void)state;
    random_net(&net, 5, 3, sz, LUMP_STORE_F64, LUMP_ACT_RELU, 1);
    x = random_points(150, 5, 0, 1);
    lump_net_init(&g);
    lump_net_init(&h);
    lump_lumping_init(&L);
    tu_ok(lump_calib_run(&run, &net, x, 150, HUGE_VAL));
    steps = lump_calib_steps(run);
    for (size_t k = 0; k <= steps; k++) {
        double eps = k < steps ? lump_calib_deviation(run, k) : HUGE_VAL;
        tu_ok(lump_calib_at(&g, &L, NULL, run, eps));
        check_fits(&net, &g, &L);
        tu_ok(lump_calib_at(&h, NULL, NULL, run, eps));
        assert_true(same_net(&g, &h));
        for (size_t i = 0; i + 1 < L.n_layers; i++)
            for (size_t b = 0; b < L.layers[i].n_blocks; b++) {
                constants += L.layers[i].blocks[b].fate == LUMP_FATE_CONSTANT;
                merged += L.layers[i].blocks[b].n_members > 1;
            }
        related += planted_relation(&L, 0, 3, 2);
        related += planted_relation(&L, 1, 4, 1);
    }
    /* both kinds of step were exercised, and the relations were checked
     * (down to one first-layer neuron, both pairs are merged or constant) */
    assert_true(constants > 0);
    assert_true(merged > 0);
    assert_true(related >= 2);
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&h);
    lump_calib_free(run);
    lump_net_clear(&net);
    free(x);
}

/* Two runs give byte-identical quotients, the same lumping, deviation and
 * sequence. */
static void deterministic(void **state)
{
    static const size_t sz[] = {30, 30, 4};
    lump_net_t net, g1, g2;
    lump_lumping_t L1, L2;
    lump_calib_t *r1 = NULL, *r2 = NULL;
    double *x, d1, d2;
    (void)state;
    random_net(&net, 6, 3, sz, LUMP_STORE_F32, LUMP_ACT_RELU, 0);
    x = random_points(300, 6, 0, 1);
    lump_net_init(&g1);
    lump_net_init(&g2);
    lump_lumping_init(&L1);
    lump_lumping_init(&L2);
    tu_ok(lump_relax_calib(&g1, &L1, &d1, &net, x, 300, 0.5));
    tu_ok(lump_relax_calib(&g2, &L2, &d2, &net, x, 300, 0.5));
    assert_true(g1.layers[0].size + g1.layers[1].size < 60); /* something merged */
    assert_true(same_net(&g1, &g2));
    assert_true(same_lumping(&L1, &L2));
    assert_true(d1 == d2);
    tu_ok(lump_calib_run(&r1, &net, x, 300, HUGE_VAL));
    tu_ok(lump_calib_run(&r2, &net, x, 300, HUGE_VAL));
    assert_int_equal(lump_calib_steps(r1), lump_calib_steps(r2));
    for (size_t k = 0; k < lump_calib_steps(r1); k++)
        assert_true(lump_calib_deviation(r1, k) == lump_calib_deviation(r2, k));
    lump_calib_free(r1);
    lump_calib_free(r2);
    lump_lumping_clear(&L1);
    lump_lumping_clear(&L2);
    lump_net_clear(&g1);
    lump_net_clear(&g2);
    lump_net_clear(&net);
    free(x);
}

/* No points, a non-finite point and a bad eps are refused, and nothing
 * is returned. */
static void bad_input(void **state)
{
    static const size_t sz[] = {8, 6, 2};
    lump_net_t net, g;
    lump_calib_t *run = NULL;
    double *x;
    (void)state;
    random_net(&net, 3, 3, sz, LUMP_STORE_F64, LUMP_ACT_RELU, 0);
    x = random_points(50, 3, -1, 1);
    lump_net_init(&g);
    tu_fails(lump_relax_calib(&g, NULL, NULL, &net, x, 0, 0.1), LUMP_EINPUT, "empty");
    tu_fails(lump_calib_run(&run, &net, x, 0, 0.1), LUMP_EINPUT, "empty");
    assert_null(run);
    tu_fails(lump_relax_calib(&g, NULL, NULL, &net, x, 50, -0.1), LUMP_EINPUT, "epsilon");
    tu_fails(lump_relax_calib(&g, NULL, NULL, &net, x, 50, NAN), LUMP_EINPUT, "epsilon");
    tu_fails(lump_calib_run(&run, &net, x, 50, -1e-300), LUMP_EINPUT, "epsilon");
    assert_null(run);
    x[2] = NAN; /* the first point, every point is used */
    tu_fails(lump_relax_calib(&g, NULL, NULL, &net, x, 50, 0.1), LUMP_EINPUT, "not a finite");
    tu_fails(lump_calib_run(&run, &net, x, 50, HUGE_VAL), LUMP_EINPUT, "not a finite");
    assert_null(run);
    x[2] = 0;
    x[49 * 3 + 1] = -HUGE_VAL; /* the last point */
    tu_fails(lump_relax_calib(&g, NULL, NULL, &net, x, 50, 0.1), LUMP_EINPUT, "not a finite");
    x[49 * 3 + 1] = 0;
    assert_int_equal(g.n_layers, 0); /* untouched */
    {                                /* a point that is not among the 512 used is checked too */
        double *many = random_points(1000, 3, -1, 1);
        many[2 * 3] = NAN; /* row 2: rows 0, 1, 3, ... are used */
        tu_fails(lump_calib_run(&run, &net, many, 1000, HUGE_VAL), LUMP_EINPUT, "not a finite");
        assert_null(run);
        free(many);
    }
    tu_ok(lump_calib_run(&run, &net, x, 50, HUGE_VAL));
    tu_fails(lump_calib_at(&g, NULL, NULL, run, -0.5), LUMP_EINPUT, "epsilon");
    tu_fails(lump_calib_at(&g, NULL, NULL, run, NAN), LUMP_EINPUT, "epsilon");
    assert_int_equal(g.n_layers, 0);
    lump_calib_free(run);
    lump_calib_free(NULL);
    lump_net_clear(&g);
    lump_net_clear(&net);
    free(x);
}

/* Sigmoid and tanh are not homogeneous: every merge has scale 1 (the
 * planted 2 x neuron 0 is a lump for relu only; the planted copy of
 * neuron 1 is one here too, and merges at a tiny eps); the eps guarantee
 * and the bound's soundness still hold. */
static void sigmoid_tanh(void **state)
{
    static const size_t sz[] = {14, 10, 3};
    static const double epss[] = {1e-9, 1.0, HUGE_VAL};
    lump_net_t net, g;
    lump_lumping_t L;
    lump_box_t box;
    lump_bound_opts_t o;
    double *x, dev, obs[3];
    (void)state;
    random_net(&net, 4, 3, sz, LUMP_STORE_F64, LUMP_ACT_SIGMOID, 1);
    net.layers[1].act.kind = LUMP_ACT_TANH;
    x = random_points(200, 4, -2, 2);
    make_box(&box, 4, -2, 2);
    lump_net_init(&g);
    lump_lumping_init(&L);
    lump_bound_opts_init(&o);
    for (size_t e = 0; e < 3; e++) {
        lump_calib_t *run = NULL;
        if (isfinite(epss[e])) {
            tu_ok(lump_relax_calib(&g, &L, &dev, &net, x, 200, epss[e]));
        } else {
            tu_ok(lump_calib_run(&run, &net, x, 200, HUGE_VAL));
            tu_ok(lump_calib_at(&g, &L, &dev, run, HUGE_VAL));
            lump_calib_free(run);
        }
        check_eps(&net, &g, dev, x, 200, epss[e], "sigmoid/tanh");
        check_fits(&net, &g, &L); /* scales 1 in sigmoid and tanh layers */
        if (e == 0) {
            const lump_block_t *b = block_of(&L, 0, 1);
            assert_true(b == block_of(&L, 0, 4));
            assert_int_equal(b->fate, LUMP_FATE_KEEP);
        }
        if (e == 1) {
            lump_bound_result_t r;
            assert_true(lump_net_neurons(&g) < lump_net_neurons(&net) - 1);
            lump_bound_result_init(&r);
            tu_ok(lump_bound_diff_lumped(&r, &net, &g, &L, &box, &o));
            tu_ok(lump_max_error_sampled(obs, &net, &g, &box, 300, tu_seed()));
            assert_true(r.certified);
            for (int j = 0; j < 3; j++)
                if (!(obs[j] <= r.bound[j]))
                    fail_msg("output %d: observed %.17g > bound %.17g [seed %lu]", j, obs[j],
                             r.bound[j], tu_seed());
            lump_bound_result_clear(&r);
        }
    }
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
    free(x);
}

/* Input clip, normalisation and an output map (negative scale): the
 * points are clipped and normalised as the network sees them, and eps is
 * on the outputs after the map. */
static void maps(void **state)
{
    static const size_t sz[] = {12, 10, 2};
    static const double epss[] = {0.1, 1.0, 3.0};
    lump_net_t net, g;
    double *x, dev;
    (void)state;
    random_net(&net, 4, 3, sz, LUMP_STORE_F64, LUMP_ACT_RELU, 1);
    tu_ok(lump_net_alloc_clip(&net));
    tu_ok(lump_net_alloc_norm(&net));
    tu_ok(lump_net_alloc_outmap(&net));
    for (size_t k = 0; k < 4; k++) {
        mpq_set_si(net.clip_lo[k], -1, 1);
        mpq_set_si(net.clip_hi[k], 1, 1);
        mpq_set_si(net.norm_mean[k], 1, 4);
        mpq_set_si(net.norm_range[k], 2, 1);
    }
    net.has_clip = net.has_norm = net.has_outmap = 1;
    mpq_set_si(net.out_scale[0], -3, 1);
    mpq_set_si(net.out_shift[0], 1, 1);
    mpq_set_si(net.out_scale[1], 1, 2);
    mpq_set_si(net.out_shift[1], -2, 1);
    x = random_points(200, 4, -1.5, 1.5); /* a third of the values get clipped */
    lump_net_init(&g);
    for (size_t e = 0; e < 3; e++) {
        tu_ok(lump_relax_calib(&g, NULL, &dev, &net, x, 200, epss[e]));
        assert_true(g.has_clip && g.has_norm && g.has_outmap);
        check_eps(&net, &g, dev, x, 200, epss[e], "maps");
    }
    assert_true(lump_net_neurons(&g) < lump_net_neurons(&net));
    lump_net_clear(&g);
    lump_net_clear(&net);
    free(x);
}

/* At most 512 points are used; the deviation over the used points cannot
 * exceed the largest over all of them. */
static void point_cap(void **state)
{
    static const size_t sz[] = {10, 8, 2};
    static const size_t ns[] = {1, 511, 512, 513, 1000};
    lump_net_t net, g;
    double *x, dev;
    (void)state;
    random_net(&net, 3, 3, sz, LUMP_STORE_F64, LUMP_ACT_RELU, 0);
    x = random_points(1000, 3, -1, 1);
    lump_net_init(&g);
    for (size_t t = 0; t < 5; t++) {
        lump_calib_t *run = NULL;
        tu_ok(lump_calib_run(&run, &net, x, ns[t], 0.3));
        assert_int_equal(lump_calib_points(run), ns[t] < 512 ? ns[t] : 512);
        tu_ok(lump_calib_at(&g, NULL, &dev, run, 0.3));
        assert_true(dev <= 0.3);
        assert_true(dev <= max_dev(&net, &g, x, ns[t]) * (1 + 1e-9));
        lump_calib_free(run);
    }
    lump_net_clear(&g);
    lump_net_clear(&net);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eps_guarantee),
        cmocka_unit_test(tiny_eps_finds_exact_lumps),
        cmocka_unit_test(nested_prefixes),
        cmocka_unit_test(bound_sound),
        cmocka_unit_test(lumping_fits),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(sigmoid_tanh),
        cmocka_unit_test(maps),
        cmocka_unit_test(point_cap),
    };
    tu_init();
    return cmocka_run_group_tests_name("calib", tests, NULL, NULL);
}
