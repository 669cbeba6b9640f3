/* test_bound.c -- interval bounds, the GLPK layer, the certified bound on
 * |f - g| and the sampled maximum, against independent references */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "glpk_support.h"
#include "bound_sym.h"
#include "bound_util.h"
#include <mpfr.h>
#include "bound_test_i.h"

/* A random dense network: N inputs, hidden relu layers of the given sizes,
 * identity outputs; weights p/q with small p, q (Q storage), optional clip
 * to [-1, 1] and normalisation, and an output map. */
static void rand_net(lump_net_t *net, size_t n_in, size_t n_layers, const size_t *sizes, int maps)
{
    mpq_t q;
    mpq_init(q);
    lump_net_init(net);
    tu_ok(lump_net_setup(net, n_in, n_layers, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < n_layers; i++) {
        lump_layer_t *L = &net->layers[i];
        L->act.kind = i + 1 < n_layers ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
        for (size_t e = 0; e < L->size * L->in_size; e++) {
            tu_rand_q(q, 9, 7);
            tu_ok(lump_arr_set(&L->weight, e, q));
        }
        for (size_t v = 0; v < L->size; v++) {
            tu_rand_q(q, 5, 4);
            tu_ok(lump_arr_set(&L->bias, v, q));
        }
    }
    if (maps) {
        tu_ok(lump_net_alloc_clip(net));
        tu_ok(lump_net_alloc_norm(net));
        tu_ok(lump_net_alloc_outmap(net));
        net->has_clip = net->has_norm = net->has_outmap = 1;
        for (size_t u = 0; u < n_in; u++) {
            mpq_set_si(net->clip_lo[u], -1, 1);
            mpq_set_si(net->clip_hi[u], 1, 1);
            mpq_set_si(net->norm_mean[u], 1, 3);
            mpq_set_si(net->norm_range[u], 3, 2);
        }
        for (size_t j = 0; j < sizes[n_layers - 1]; j++) {
            mpq_set_si(net->out_scale[j], -5, 3);
            mpq_set_si(net->out_shift[j], 1, 7);
        }
    }
    mpq_clear(q);
}

static void set_box(lump_box_t *box, size_t n, const char *lo, const char *hi)
{
    lump_box_init(box);
    tu_ok(lump_box_alloc(box, n));
    for (size_t i = 0; i < n; i++) {
        tu_ok(lump_rat_parse_cstr(box->lo[i], lo));
        tu_ok(lump_rat_parse_cstr(box->hi[i], hi));
    }
}

/* sign of Q - D, exactly */
static int mpq_cmp_d(const mpq_t q, double d)
{
    mpq_t t;
    int c;
    if (isinf(d))
        return d > 0 ? -1 : 1;
    mpq_init(t);
    mpq_set_d(t, d);
    c = mpq_cmp(q, t);
    mpq_clear(t);
    return c;
}

/* Exact forward pass written out here (the reference): every z and y of
 * every layer, checked against the enclosures. */
static void check_point(const lump_net_t *net, const lump_bounds_t *b, const mpq_t *in)
{
    size_t cap = net->n_inputs;
    mpq_t *x, *y, w, t;
    for (size_t i = 0; i < net->n_layers; i++)
        cap = net->layers[i].size > cap ? net->layers[i].size : cap;
    x = malloc(cap * sizeof(mpq_t));
    y = malloc(cap * sizeof(mpq_t));
    for (size_t k = 0; k < cap; k++) {
        mpq_init(x[k]);
        mpq_init(y[k]);
    }
    mpq_inits(w, t, NULL);
    for (size_t u = 0; u < net->n_inputs; u++) {
        mpq_set(x[u], in[u]);
        if (net->has_clip) {
            if (mpq_cmp(x[u], net->clip_lo[u]) < 0)
                mpq_set(x[u], net->clip_lo[u]);
            if (mpq_cmp(x[u], net->clip_hi[u]) > 0)
                mpq_set(x[u], net->clip_hi[u]);
        }
        if (net->has_norm) {
            mpq_sub(x[u], x[u], net->norm_mean[u]);
            mpq_div(x[u], x[u], net->norm_range[u]);
        }
        assert_true(mpq_cmp_d(x[u], b->xlo[u]) >= 0 && mpq_cmp_d(x[u], b->xhi[u]) <= 0);
    }
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *L = &net->layers[i];
        for (size_t v = 0; v < L->size; v++) {
            lump_arr_get(y[v], &L->bias, v);
            for (size_t u = 0; u < L->in_size; u++) {
                lump_arr_get(w, &L->weight, v * L->in_size + u);
                mpq_mul(t, w, x[u]);
                mpq_add(y[v], y[v], t);
            }
            if (mpq_cmp_d(y[v], b->zlo[i][v]) < 0 || mpq_cmp_d(y[v], b->zhi[i][v]) > 0)
                fail_msg("layer %zu neuron %zu: z = %g outside [%g, %g] [seed %lu]", i + 1, v,
                         mpq_get_d(y[v]), b->zlo[i][v], b->zhi[i][v], tu_seed());
            if (lump_layer_act(L, v)->kind == LUMP_ACT_RELU && mpq_sgn(y[v]) < 0)
                mpq_set_ui(y[v], 0, 1);
            assert_true(mpq_cmp_d(y[v], b->ylo[i][v]) >= 0 && mpq_cmp_d(y[v], b->yhi[i][v]) <= 0);
        }
        for (size_t v = 0; v < L->size; v++)
            mpq_set(x[v], y[v]);
    }
    for (size_t k = 0; k < cap; k++) {
        mpq_clear(x[k]);
        mpq_clear(y[k]);
    }
    free(x);
    free(y);
    mpq_clears(w, t, NULL);
}

static void interval_bounds_sound(void **state)
{
    (void)state;
    for (int rep = 0; rep < 20; rep++) {
        size_t sizes[3] = {6, 5, 3};
        lump_net_t net;
        lump_box_t box;
        lump_bounds_t b;
        mpq_t in[4];
        rand_net(&net, 4, 3, sizes, rep % 2);
        set_box(&box, 4, "-3/2", "5/4"); /* wider than the clip range */
        lump_bounds_init(&b);
        tu_ok(lump_bounds_interval(&b, &net, &box));
        for (int k = 0; k < 4; k++)
            mpq_init(in[k]);
        for (int p = 0; p < 50; p++) {
            for (int k = 0; k < 4; k++) {
                /* in [-3/2, 5/4]: a random rational, corners included */
                mpq_set_si(in[k], (long)gmp_urandomm_ui(tu_rand, 276) - 150, 100);
                if (p == 0)
                    mpq_set(in[k], box.lo[k]);
                if (p == 1)
                    mpq_set(in[k], box.hi[k]);
            }
            check_point(&net, &b, in);
        }
        for (int k = 0; k < 4; k++)
            mpq_clear(in[k]);
        lump_bounds_clear(&b);
        lump_box_clear(&box);
        lump_net_clear(&net);
    }
}

static void interval_refuses_bad_box(void **state)
{
    size_t sizes[2] = {3, 2};
    lump_net_t net;
    lump_box_t box;
    lump_bounds_t b;
    (void)state;
    rand_net(&net, 4, 2, sizes, 0);
    lump_bounds_init(&b);
    set_box(&box, 3, "0", "1");
    tu_fails(lump_bounds_interval(&b, &net, &box), LUMP_EINPUT, "3 dimensions");
    lump_box_clear(&box);
    set_box(&box, 4, "0", "1");
    mpq_set_si(box.lo[2], 2, 1);
    tu_fails(lump_bounds_interval(&b, &net, &box), LUMP_EINPUT, "empty");
    lump_box_clear(&box);
    lump_net_clear(&net);
}

static void glpk_small_lp(void **state)
{
    /* max x + y  s.t. x + 2y <= 4, 3x + y <= 6, x, y in [0, 10]: optimum
     * (8/5, 6/5), value 14/5, duals 2/5 and 1/5 */
    lump_i_lp_t *lp;
    lump_i_lp_status_t st;
    double lo[2] = {0, 0}, hi[2] = {10, 10}, v1[2] = {1, 2}, v2[2] = {3, 1};
    size_t first, row, idx[2] = {0, 1};
    (void)state;
    tu_ok(lump_i_lp_new(&lp, 1));
    tu_ok(lump_i_lp_add_cols(lp, 2, lo, hi, &first));
    assert_int_equal(first, 0);
    tu_ok(lump_i_lp_add_row(lp, 2, idx, v1, -HUGE_VAL, 4, &row));
    tu_ok(lump_i_lp_add_row(lp, 2, idx, v2, -HUGE_VAL, 6, &row));
    lump_i_lp_set_obj(lp, 0, 1);
    lump_i_lp_set_obj(lp, 1, 1);
    tu_ok(lump_i_lp_solve(lp, &st));
    assert_int_equal(st, LUMP_I_LP_OPTIMAL);
    assert_true(fabs(lump_i_lp_obj(lp) - 2.8) < 1e-9);
    assert_true(fabs(lump_i_lp_col_value(lp, 0) - 1.6) < 1e-9);
    assert_true(fabs(lump_i_lp_row_dual(lp, 0) - 0.4) < 1e-9);
    assert_true(fabs(lump_i_lp_row_dual(lp, 1) - 0.2) < 1e-9);
    /* a column index the LP does not have: refused, and the LP is intact */
    idx[1] = 7;
    assert_int_equal(lump_i_lp_add_row(lp, 2, idx, v1, 0, 1, &row), LUMP_EINTERNAL);
    tu_ok(lump_i_lp_solve(lp, &st));
    assert_int_equal(st, LUMP_I_LP_OPTIMAL);
    assert_true(fabs(lump_i_lp_obj(lp) - 2.8) < 1e-9);
    lump_i_lp_free(lp);
    /* the environment recovers */
    tu_ok(lump_i_lp_new(&lp, 0));
    lump_i_lp_free(lp);
}

/* Columns and rows whose bounds are a few ulps apart, among ordinary
 * ones: GLPK scales bounds and asserts that a double bound's ends still
 * differ (simplex/spxprob.c), so such bounds must reach it as fixed.
 * Random LPs of mixed magnitudes; every one solves without a fault. */
static void glpk_near_equal_bounds(void **state)
{
    (void)state;
    srand((unsigned)tu_seed());
    for (int rep = 0; rep < 200; rep++) {
        enum { N = 6 };
        lump_i_lp_t *lp;
        lump_i_lp_status_t st;
        double lo[N], hi[N], v[N];
        size_t first, row, idx[N];
        for (int j = 0; j < N; j++) {
            double x = ldexp((double)rand() / RAND_MAX + 0.1, rand() % 41 - 20);
            lo[j] = x;
            hi[j] = j % 2 ? nextafter(nextafter(x, HUGE_VAL), HUGE_VAL) : x * 3 + 1;
            idx[j] = (size_t)j;
        }
        tu_ok(lump_i_lp_new(&lp, rep % 2));
        tu_ok(lump_i_lp_add_cols(lp, N, lo, hi, &first));
        for (int r = 0; r < 4; r++) {
            double a = 0, b = 0;
            for (int j = 0; j < N; j++) {
                v[j] = ldexp((double)rand() / RAND_MAX - 0.5, rand() % 31 - 15);
                a += v[j] * (v[j] > 0 ? lo[j] : hi[j]);
                b += v[j] * (v[j] > 0 ? hi[j] : lo[j]);
            }
            /* a row range around the reachable one, sometimes a few ulps wide */
            if (r % 2)
                tu_ok(lump_i_lp_add_row(lp, N, idx, v, a - 1, b + 1, &row));
            else
                tu_ok(lump_i_lp_add_row(lp, N, idx, v, a, nextafter(a, HUGE_VAL), &row));
        }
        for (int j = 0; j < N; j++)
            lump_i_lp_set_obj(lp, (size_t)j, (double)(j + 1));
        tu_ok(lump_i_lp_solve(lp, &st));
        lump_i_lp_free(lp);
    }
}

/* f = relu(x) (1 hidden neuron, identity output), g the same plus C. */
static void relu_pair(lump_net_t *f, lump_net_t *g, const char *c)
{
    size_t sizes[2] = {1, 1};
    mpq_t q;
    mpq_init(q);
    for (int k = 0; k < 2; k++) {
        lump_net_t *n = k == 0 ? f : g;
        lump_net_init(n);
        tu_ok(lump_net_setup(n, 1, 2, sizes, LUMP_STORE_Q));
        n->layers[0].act.kind = LUMP_ACT_RELU;
        mpq_set_ui(q, 1, 1);
        tu_ok(lump_arr_set(&n->layers[0].weight, 0, q));
        tu_ok(lump_arr_set(&n->layers[1].weight, 0, q));
        if (k == 1) {
            tu_ok(lump_rat_parse_cstr(q, c));
            tu_ok(lump_arr_set(&n->layers[1].bias, 0, q));
        }
    }
    mpq_clear(q);
}

static void known_sup_eighth(void **state)
{
    lump_net_t f, g;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r;
    (void)state;
    relu_pair(&f, &g, "1/8");
    set_box(&box, 1, "-1", "1");
    lump_bound_opts_init(&o);
    lump_bound_result_init(&r);
    for (int enc = 0; enc < 2; enc++) {
        o.encoding = enc ? LUMP_ENC_SEPARATE : LUMP_ENC_DIFFERENTIAL;
        tu_ok(lump_bound_diff(&r, &f, &g, &box, &o));
        assert_int_equal(r.n_outputs, 1);
        assert_true(r.certified);
        assert_true(r.bound[0] >= 0.125);
        /* separately, relu(x) is relaxed twice over [-1, 1]: the triangles
         * let y_g - y_f reach 1/2 at x = 0, and the bound is 5/8 */
        if (enc == 0)
            assert_true(r.bound[0] <= 0.125 + 1e-9);
        else
            assert_true(r.bound[0] <= 0.625 + 1e-9);
    }
    lump_bound_result_clear(&r);
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
}

static void self_bound_zero(void **state)
{
    size_t sizes[3] = {8, 6, 3};
    lump_net_t f;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r;
    (void)state;
    rand_net(&f, 4, 3, sizes, 1);
    set_box(&box, 4, "-1/2", "1/3");
    lump_bound_opts_init(&o);
    lump_bound_result_init(&r);
    tu_ok(lump_bound_diff(&r, &f, &f, &box, &o));
    assert_true(r.certified);
    for (size_t j = 0; j < 3; j++)
        assert_true(r.bound[j] <= 1e-9);
    lump_bound_result_clear(&r);
    lump_box_clear(&box);
    lump_net_clear(&f);
}

/* g = f with a few weights moved by small rationals. */
static void perturbed_copy(lump_net_t *g, const lump_net_t *f, int count)
{
    mpq_t q, d;
    mpq_inits(q, d, NULL);
    lump_net_init(g);
    tu_ok(lump_net_copy(g, f));
    for (int k = 0; k < count; k++) {
        size_t i = gmp_urandomm_ui(tu_rand, g->n_layers);
        lump_layer_t *L = &g->layers[i];
        size_t e = gmp_urandomm_ui(tu_rand, L->size * L->in_size);
        lump_arr_get(q, &L->weight, e);
        tu_rand_q(d, 3, 100);
        mpq_add(q, q, d);
        tu_ok(lump_arr_set(&L->weight, e, q));
    }
    mpq_clears(q, d, NULL);
}

/* sampled <= certified, for both encodings and perturbed duals */
static void sampled_below_certified(void **state)
{
    (void)state;
    for (int rep = 0; rep < 8; rep++) {
        size_t sizes[3] = {10, 8, 3};
        lump_net_t f, g;
        lump_box_t box;
        lump_bound_opts_t o;
        lump_bound_result_t r;
        double obs[3];
        rand_net(&f, 3, 3, sizes, rep % 2);
        perturbed_copy(&g, &f, 4);
        set_box(&box, 3, "-1/2", "3/4");
        tu_ok(lump_max_error_sampled(obs, &f, &g, &box, 300, (unsigned long)rep));
        lump_bound_opts_init(&o);
        lump_bound_result_init(&r);
        /* modes: 0 default (split), 1 separate, 2 perturbed duals (LP),
         * 3 symbolic + LP, 4 interval differences + LP, 5 symbolic alone */
        for (int mode = 0; mode < 6; mode++) {
            lump_bound_opts_init(&o);
            o.encoding = mode == 1 ? LUMP_ENC_SEPARATE : LUMP_ENC_DIFFERENTIAL;
            lump_i_bound_test_perturb(mode == 2 ? 0.3 : 0.0);
            o.max_boxes = mode == 0 ? 64 : 0;
            o.symbolic = mode != 4;
            o.lp = mode != 5;
            o.seed = (unsigned long)rep + 1;
            tu_ok(lump_bound_diff(&r, &f, &g, &box, &o));
            if (mode != 2)
                assert_true(r.certified);
            for (size_t j = 0; j < 3; j++) {
                if (obs[j] > r.bound[j])
                    fail_msg("output %zu mode %d: observed %.17g > bound %.17g [seed %lu]", j, mode,
                             obs[j], r.bound[j], tu_seed());
                assert_true(r.bound[j] <= r.naive[j]);
            }
        }
        lump_i_bound_test_perturb(0);
        lump_bound_result_clear(&r);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

/* Perturbed duals: the bound on the known case stays >= the truth 1/8. */
static void perturbed_duals_stay_sound(void **state)
{
    lump_net_t f, g;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r;
    (void)state;
    relu_pair(&f, &g, "-3/8");
    set_box(&box, 1, "-1", "2");
    lump_bound_opts_init(&o);
    lump_bound_result_init(&r);
    o.max_boxes = 0; /* no splitting: the LP runs (its bound is checked alone) */
    for (unsigned long s = 1; s <= 20; s++) {
        lump_i_bound_test_perturb(s <= 10 ? 0.01 : 1.5);
        o.seed = s;
        o.encoding = s % 2 ? LUMP_ENC_SEPARATE : LUMP_ENC_DIFFERENTIAL;
        tu_ok(lump_bound_diff(&r, &f, &g, &box, &o));
        assert_true(r.bound[0] >= 0.375);
        assert_true(isfinite(r.bound_lp[0]));
        assert_true(r.bound_lp[0] >= 0.375);
    }
    lump_i_bound_test_perturb(0);
    lump_bound_result_clear(&r);
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
}

static void mismatch_refused(void **state)
{
    size_t s1[2] = {4, 2}, s2[2] = {4, 3};
    lump_net_t f, g, h;
    lump_box_t box;
    lump_bound_result_t r;
    double obs[3];
    (void)state;
    rand_net(&f, 3, 2, s1, 0);
    rand_net(&g, 2, 2, s1, 0);
    rand_net(&h, 3, 2, s2, 0);
    set_box(&box, 3, "0", "1");
    lump_bound_result_init(&r);
    tu_fails(lump_bound_diff(&r, &f, &g, &box, NULL), LUMP_EINPUT, "inputs");
    tu_fails(lump_bound_diff(&r, &f, &h, &box, NULL), LUMP_EINPUT, "outputs");
    tu_fails(lump_max_error_sampled(obs, &f, &h, &box, 10, 1), LUMP_EINPUT, "outputs");
    mpq_set_si(box.lo[1], 2, 1);
    tu_fails(lump_bound_diff(&r, &f, &f, &box, NULL), LUMP_EINPUT, "empty");
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
    lump_net_clear(&h);
}

/* A different hidden size: no pairing, the separate encoding is used. */
static void unpaired_sizes(void **state)
{
    size_t s1[3] = {6, 4, 2}, s2[3] = {5, 4, 2};
    lump_net_t f, g;
    lump_box_t box;
    lump_bound_result_t r;
    double obs[2];
    (void)state;
    rand_net(&f, 3, 3, s1, 0);
    rand_net(&g, 3, 3, s2, 0);
    set_box(&box, 3, "-1", "1");
    lump_bound_result_init(&r);
    tu_ok(lump_bound_diff(&r, &f, &g, &box, NULL));
    tu_ok(lump_max_error_sampled(obs, &f, &g, &box, 200, 3));
    assert_true(r.certified);
    for (size_t j = 0; j < 2; j++)
        assert_true(obs[j] <= r.bound[j]);
    lump_bound_result_clear(&r);
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
}

/* Exact forward pass (the reference): z[i][v] and y[i][v] of every layer
 * i = 1..k at the input IN; index 0 holds the layer-1 inputs. */
static mpq_t **forward_all(mpq_t ***zout, const lump_net_t *net, const mpq_t *in)
{
    size_t k = net->n_layers;
    mpq_t **y = calloc(k + 1, sizeof *y), **z = calloc(k + 1, sizeof *z), w, t;
    mpq_inits(w, t, NULL);
    y[0] = malloc(net->n_inputs * sizeof(mpq_t));
    z[0] = malloc(net->n_inputs * sizeof(mpq_t));
    for (size_t u = 0; u < net->n_inputs; u++) {
        mpq_init(y[0][u]);
        mpq_init(z[0][u]);
        mpq_set(y[0][u], in[u]);
        if (net->has_clip) {
            if (mpq_cmp(y[0][u], net->clip_lo[u]) < 0)
                mpq_set(y[0][u], net->clip_lo[u]);
            if (mpq_cmp(y[0][u], net->clip_hi[u]) > 0)
                mpq_set(y[0][u], net->clip_hi[u]);
        }
        if (net->has_norm) {
            mpq_sub(y[0][u], y[0][u], net->norm_mean[u]);
            mpq_div(y[0][u], y[0][u], net->norm_range[u]);
        }
    }
    for (size_t i = 1; i <= k; i++) {
        const lump_layer_t *L = &net->layers[i - 1];
        y[i] = malloc(L->size * sizeof(mpq_t));
        z[i] = malloc(L->size * sizeof(mpq_t));
        for (size_t v = 0; v < L->size; v++) {
            mpq_init(y[i][v]);
            mpq_init(z[i][v]);
            lump_arr_get(z[i][v], &L->bias, v);
            for (size_t u = 0; u < L->in_size; u++) {
                lump_arr_get(w, &L->weight, v * L->in_size + u);
                mpq_mul(t, w, y[i - 1][u]);
                mpq_add(z[i][v], z[i][v], t);
            }
            mpq_set(y[i][v], z[i][v]);
            if (lump_layer_act(L, v)->kind == LUMP_ACT_RELU && mpq_sgn(y[i][v]) < 0)
                mpq_set_ui(y[i][v], 0, 1);
        }
    }
    mpq_clears(w, t, NULL);
    *zout = z;
    return y;
}

static void free_all(mpq_t **a, const lump_net_t *net)
{
    for (size_t i = 0; i <= net->n_layers; i++) {
        size_t n = i == 0 ? net->n_inputs : net->layers[i - 1].size;
        for (size_t v = 0; v < n; v++)
            mpq_clear(a[i][v]);
        free(a[i]);
    }
    free(a);
}

/* Q lies in [LO, HI] (doubles, exactly compared). */
static int within(const mpq_t q, double lo, double hi)
{
    return mpq_cmp_d(q, lo) >= 0 && mpq_cmp_d(q, hi) <= 0;
}

/* The symbolic bounds of F, G and of the paired differences
 * delta = y_f - c y_g - kappa, dz = z_f - c z_g contain the exact values
 * at random points of BOX (the reference is the exact forward pass). */
static void check_sym_points(const lump_net_t *f, const lump_net_t *g, const lump_lumping_t *L,
                             const lump_box_t *box)
{
    lump_i_pair_t P;
    lump_i_dbounds_t D;
    lump_bounds_t bf, bg;
    size_t n = f->n_inputs;
    double *d0 = calloc(n + 1, sizeof(double));
    mpq_t *in = malloc(n * sizeof(mpq_t)), d, t;
    lump_i_pair_init(&P);
    lump_i_dbounds_init(&D);
    lump_bounds_init(&bf);
    lump_bounds_init(&bg);
    mpq_inits(d, t, NULL);
    tu_ok(lump_i_pair_build(&P, f, g, L));
    tu_ok(lump_bounds_interval(&bf, f, box));
    tu_ok(lump_bounds_interval(&bg, g, box));
    /* the same input maps: g copies them from f */
    tu_ok(lump_i_sym_bounds(&bf, &bg, &D, f, g, &P, 1, d0, d0, 1, 0));
    for (size_t u = 0; u < n; u++)
        mpq_init(in[u]);
    for (int p = 0; p < 40; p++) {
        mpq_t **zf, **zg, **yf, **yg;
        for (size_t u = 0; u < n; u++) {
            mpq_sub(t, box->hi[u], box->lo[u]);
            mpq_set_ui(d, p < 2 ? (unsigned long)p : gmp_urandomm_ui(tu_rand, 1001),
                       p < 2 ? 1 : 1000);
            mpq_mul(t, t, d);
            mpq_add(in[u], box->lo[u], t);
        }
        yf = forward_all(&zf, f, in);
        yg = forward_all(&zg, g, in);
        for (size_t i = 1; i <= f->n_layers; i++)
            for (size_t v = 0; v < P.nf[i]; v++) {
                size_t w = P.pi[i][v];
                if (!within(zf[i][v], bf.zlo[i - 1][v], bf.zhi[i - 1][v]) ||
                    !within(yf[i][v], bf.ylo[i - 1][v], bf.yhi[i - 1][v]))
                    fail_msg("f layer %zu neuron %zu outside its bounds [seed %lu]", i, v,
                             tu_seed());
                mpq_set(d, zf[i][v]);
                if (w != LUMP_I_UNPAIRED) {
                    mpq_mul(t, P.c[i][v], zg[i][w]);
                    mpq_sub(d, d, t);
                }
                if (!within(d, D.dzl[i][v], D.dzh[i][v]))
                    fail_msg("layer %zu neuron %zu: dz = %g outside [%g, %g] [seed %lu]", i, v,
                             mpq_get_d(d), D.dzl[i][v], D.dzh[i][v], tu_seed());
                mpq_sub(d, yf[i][v], P.kappa[i][v]);
                if (w != LUMP_I_UNPAIRED) {
                    mpq_mul(t, P.c[i][v], yg[i][w]);
                    mpq_sub(d, d, t);
                }
                if (!within(d, D.dyl[i][v], D.dyh[i][v]))
                    fail_msg("layer %zu neuron %zu: delta = %g outside [%g, %g] [seed %lu]", i, v,
                             mpq_get_d(d), D.dyl[i][v], D.dyh[i][v], tu_seed());
            }
        for (size_t i = 1; i <= g->n_layers; i++)
            for (size_t v = 0; v < g->layers[i - 1].size; v++)
                if (!within(zg[i][v], bg.zlo[i - 1][v], bg.zhi[i - 1][v]))
                    fail_msg("g layer %zu neuron %zu outside its bounds [seed %lu]", i, v,
                             tu_seed());
        free_all(yf, f);
        free_all(zf, f);
        free_all(yg, g);
        free_all(zg, g);
    }
    for (size_t u = 0; u < n; u++)
        mpq_clear(in[u]);
    free(in);
    free(d0);
    mpq_clears(d, t, NULL);
    lump_bounds_clear(&bf);
    lump_bounds_clear(&bg);
    lump_i_dbounds_clear(&D);
    lump_i_pair_clear(&P);
}

/* Pairing by index: a network and a perturbed copy, four layers deep;
 * and (odd reps) two unrelated networks, where the two-triangle lines of
 * the differences are used (any pairing must stay sound). */
static void sym_bounds_contain_points(void **state)
{
    (void)state;
    for (int rep = 0; rep < 12; rep++) {
        size_t sizes[4] = {7, 6, 5, 3};
        lump_net_t f, g;
        lump_box_t box;
        rand_net(&f, 4, 4, sizes, rep % 4 == 0);
        if (rep % 2)
            rand_net(&g, 4, 4, sizes, 0);
        else
            perturbed_copy(&g, &f, 5);
        set_box(&box, 4, "-1/2", "3/4");
        check_sym_points(&f, &g, NULL, &box);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

/* Pairing through a relaxed lumping (blocks, scales, constants). */
static void sym_bounds_lumped_contain_points(void **state)
{
    static const double eps[3] = {0.05, 0.3, 1.0};
    (void)state;
    for (int rep = 0; rep < 6; rep++) {
        size_t sizes[4] = {10, 8, 6, 3};
        lump_net_t f, g;
        lump_lumping_t L;
        lump_box_t box;
        rand_net(&f, 3, 4, sizes, rep % 2);
        set_box(&box, 3, "-1/4", "1/2");
        lump_net_init(&g);
        lump_lumping_init(&L);
        tu_ok(lump_relax(&g, &L, &f, &box, eps[rep % 3], LUMP_CENTRE_MEAN));
        check_sym_points(&f, &g, &L, &box);
        lump_lumping_clear(&L);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

/* f whose hidden neuron 3 is 2 x neuron 0 (a proportional lump), so its
 * exact quotient computes the same function. */
static void lumpable_net(lump_net_t *f)
{
    size_t sizes[3] = {5, 4, 2};
    mpq_t q;
    mpq_init(q);
    rand_net(f, 3, 3, sizes, 0);
    for (size_t u = 0; u < 3; u++) {
        lump_arr_get(q, &f->layers[0].weight, u);
        mpq_mul_2exp(q, q, 1);
        tu_ok(lump_arr_set(&f->layers[0].weight, 3 * 3 + u, q));
    }
    lump_arr_get(q, &f->layers[0].bias, 0);
    mpq_mul_2exp(q, q, 1);
    tu_ok(lump_arr_set(&f->layers[0].bias, 3, q));
    mpq_clear(q);
}

/* Paired through its lumping, an exact quotient has (almost) zero bound,
 * while pairing only the outputs leaves a real gap; both are sound. */
static void exact_quotient_paired(void **state)
{
    lump_net_t f, g;
    lump_lumping_t L;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r;
    double obs[2];
    (void)state;
    lumpable_net(&f);
    set_box(&box, 3, "-1", "1");
    lump_net_init(&g);
    lump_lumping_init(&L);
    tu_ok(lump_relax(&g, &L, &f, &box, 0.0, LUMP_CENTRE_MEAN));
    assert_true(g.layers[0].size < f.layers[0].size);
    lump_bound_opts_init(&o);
    lump_bound_result_init(&r);
    tu_ok(lump_max_error_sampled(obs, &f, &g, &box, 200, 1));
    for (int lumped = 0; lumped < 2; lumped++) {
        tu_ok(lump_bound_diff_lumped(&r, &f, &g, lumped ? &L : NULL, &box, &o));
        assert_true(r.certified);
        for (size_t j = 0; j < 2; j++) {
            assert_true(obs[j] <= r.bound[j]);
            if (lumped)
                assert_true(r.bound[j] <= 1e-9);
        }
    }
    lump_bound_result_clear(&r);
    lump_lumping_clear(&L);
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
}

/* Relaxed quotients paired through their lumpings: observed <= bound. */
static void relaxed_quotient_sound(void **state)
{
    (void)state;
    for (int rep = 0; rep < 6; rep++) {
        size_t sizes[4] = {12, 9, 6, 3};
        lump_net_t f, g;
        lump_lumping_t L;
        lump_box_t box;
        lump_bound_opts_t o;
        lump_bound_result_t r;
        double obs[3];
        rand_net(&f, 3, 4, sizes, rep % 2);
        set_box(&box, 3, "-1/3", "1/2");
        lump_net_init(&g);
        lump_lumping_init(&L);
        tu_ok(lump_relax(&g, &L, &f, &box, rep % 2 ? 0.1 : 0.4, LUMP_CENTRE_MEAN));
        tu_ok(lump_max_error_sampled(obs, &f, &g, &box, 300, (unsigned long)rep));
        lump_bound_opts_init(&o);
        lump_bound_result_init(&r);
        for (int mode = 0; mode < 2; mode++) {
            o.max_boxes = mode ? 0 : 64;
            tu_ok(lump_bound_diff_lumped(&r, &f, &g, &L, &box, &o));
            assert_true(r.certified);
            for (size_t j = 0; j < 3; j++) {
                if (obs[j] > r.bound[j])
                    fail_msg("rep %d output %zu: observed %.17g > bound %.17g [seed %lu]", rep, j,
                             obs[j], r.bound[j], tu_seed());
                assert_true(r.bound[j] <= r.naive[j]);
            }
        }
        lump_bound_result_clear(&r);
        lump_lumping_clear(&L);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

/* A lumping that does not belong to the pair is refused. */
static void lumping_mismatch_refused(void **state)
{
    size_t s2[3] = {6, 4, 2};
    lump_net_t f, g, h;
    lump_lumping_t L;
    lump_box_t box;
    lump_bound_result_t r;
    (void)state;
    lumpable_net(&f);
    rand_net(&h, 3, 3, s2, 0);
    set_box(&box, 3, "-1", "1");
    lump_net_init(&g);
    lump_lumping_init(&L);
    tu_ok(lump_relax(&g, &L, &f, &box, 0.0, LUMP_CENTRE_MEAN));
    lump_bound_result_init(&r);
    tu_fails(lump_bound_diff_lumped(&r, &h, &g, &L, &box, NULL), LUMP_EINPUT, "lumping");
    tu_fails(lump_bound_diff_lumped(&r, &f, &f, &L, &box, NULL), LUMP_EINPUT, "keeps");
    lump_lumping_clear(&L);
    lump_box_clear(&box);
    lump_net_clear(&f);
    lump_net_clear(&g);
    lump_net_clear(&h);
}

/* Back-substitution never loosens: with it the bound is at most the
 * bound from interval differences alone. */
static void symbolic_not_looser(void **state)
{
    (void)state;
    for (int rep = 0; rep < 4; rep++) {
        size_t sizes[5] = {8, 8, 8, 8, 2};
        lump_net_t f, g;
        lump_box_t box;
        lump_bound_opts_t o;
        lump_bound_result_t r1, r2;
        rand_net(&f, 3, 5, sizes, 0);
        perturbed_copy(&g, &f, 6);
        set_box(&box, 3, "-1/4", "1/4");
        lump_bound_opts_init(&o);
        lump_bound_result_init(&r1);
        lump_bound_result_init(&r2);
        o.max_boxes = 0;
        o.lp = 0;
        tu_ok(lump_bound_diff(&r1, &f, &g, &box, &o));
        o.symbolic = 0;
        tu_ok(lump_bound_diff(&r2, &f, &g, &box, &o));
        for (size_t j = 0; j < 2; j++)
            assert_true(r1.bound[j] <= r2.bound[j]);
        lump_bound_result_clear(&r1);
        lump_bound_result_clear(&r2);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

/* act(Z) at 256 bits, Z a double (exact there), rounded in RND. */
static void act_ref(mpfr_t y, lump_act_kind_t k, double z, mpfr_rnd_t rnd)
{
    mpfr_set_d(y, z, MPFR_RNDN);
    if (k == LUMP_ACT_TANH) {
        mpfr_tanh(y, y, rnd);
    } else {
        mpfr_neg(y, y, MPFR_RNDN);
        mpfr_exp(y, y, rnd == MPFR_RNDU ? MPFR_RNDD : MPFR_RNDU);
        mpfr_add_ui(y, y, 1, rnd == MPFR_RNDU ? MPFR_RNDD : MPFR_RNDU);
        mpfr_ui_div(y, 1, y, rnd);
    }
}

/* S Z + T at 256 bits rounded in RND. */
static void line_ref(mpfr_t y, double s, double t, double z, mpfr_rnd_t rnd)
{
    mpfr_t a;
    mpfr_init2(a, 256);
    mpfr_set_d(a, s, MPFR_RNDN);
    mpfr_mul_d(a, a, z, rnd);
    mpfr_add_d(y, a, t, rnd);
    mpfr_clear(a);
}

/* The lines of sigmoid and tanh over [l, u] hold at every probed point
 * against a 256-bit MPFR reference: ends, 300 points between, intervals
 * left of 0, right of 0, across 0, tiny, huge and far out in the tails
 * (where 1 - act(z) cancels in double). And they are lines where they
 * should be: across [-1, 1] both slopes are positive, and the gap at 0
 * is far below the enclosure's width. */
static void smooth_lines_sound(void **state)
{
    static const double iv[][2] = {
        {-1, 1},      {-0.1, 0.1},  {-3, -1}, {1, 3},   {-40, -30},       {30, 40},
        {-1e-9, 0},   {0, 1e-9},    {-60, 5}, {-5, 60}, {-700, 700},      {17.5, 18},
        {-18, -17.5}, {0.25, 0.25}, {-2, 0},  {0, 2},   {-1e-300, 1e-300}};
    lump_act_t a;
    mpfr_t y, v;
    (void)state;
    lump_act_init(&a);
    mpfr_inits2(256, y, v, (mpfr_ptr)0);
    for (int k = 0; k < 2; k++) {
        a.kind = k ? LUMP_ACT_TANH : LUMP_ACT_SIGMOID;
        for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
            double l = iv[i][0], u = iv[i][1], us, ut, ls, lt;
            lump_i_smooth_lines(&us, &ut, &ls, &lt, &a, l, u);
            assert_true(us >= 0 && ls >= 0);
            for (int j = 0; j <= 301; j++) {
                double z = j == 0 ? l : j == 301 ? u : l + (u - l) * (j / 301.0);
                if (z < l)
                    z = l;
                if (z > u)
                    z = u;
                act_ref(y, a.kind, z, MPFR_RNDU);
                line_ref(v, ls, lt, z, MPFR_RNDD);
                if (mpfr_cmp(v, y) > 0)
                    fail_msg("%s on [%g, %g]: lower line above at z = %.17g", lump_act_name(a.kind),
                             l, u, z);
                act_ref(y, a.kind, z, MPFR_RNDD);
                line_ref(v, us, ut, z, MPFR_RNDU);
                if (mpfr_cmp(v, y) < 0)
                    fail_msg("%s on [%g, %g]: upper line below at z = %.17g", lump_act_name(a.kind),
                             l, u, z);
            }
        }
        {
            double us, ut, ls, lt;
            lump_i_smooth_lines(&us, &ut, &ls, &lt, &a, -1, 1);
            assert_true(us > 0 && ls > 0);
            /* at z = 0: enclosure width act(1) - act(-1) is 0.46 (sigmoid)
             * and 1.52 (tanh); the lines leave much less */
            assert_true(ut - lt < (k ? 0.8 : 0.25));
        }
    }
    mpfr_clears(y, v, (mpfr_ptr)0);
    lump_act_clear(&a);
}

/* tanh and sigmoid hidden layers: the bowtie with Lipschitz constant 1
 * (1/4) and the enclosure lines stay sound. */
static void smooth_pair_sound(void **state)
{
    (void)state;
    for (int rep = 0; rep < 4; rep++) {
        size_t sizes[3] = {6, 5, 2};
        lump_net_t f, g;
        lump_box_t box;
        lump_bound_result_t r;
        double obs[2];
        rand_net(&f, 3, 3, sizes, 0);
        for (size_t i = 0; i < 2; i++)
            f.layers[i].act.kind = rep % 2 ? LUMP_ACT_TANH : LUMP_ACT_SIGMOID;
        perturbed_copy(&g, &f, 3);
        set_box(&box, 3, "-1", "1");
        lump_bound_result_init(&r);
        tu_ok(lump_bound_diff(&r, &f, &g, &box, NULL));
        tu_ok(lump_max_error_sampled(obs, &f, &g, &box, 200, (unsigned long)rep));
        assert_true(r.certified);
        for (size_t j = 0; j < 2; j++)
            if (obs[j] > r.bound[j])
                fail_msg("rep %d output %zu: observed %.17g > bound %.17g [seed %lu]", rep, j,
                         obs[j], r.bound[j], tu_seed());
        lump_bound_result_clear(&r);
        lump_box_clear(&box);
        lump_net_clear(&f);
        lump_net_clear(&g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interval_bounds_sound),
        cmocka_unit_test(interval_refuses_bad_box),
        cmocka_unit_test(glpk_small_lp),
        cmocka_unit_test(glpk_near_equal_bounds),
        cmocka_unit_test(known_sup_eighth),
        cmocka_unit_test(self_bound_zero),
        cmocka_unit_test(sampled_below_certified),
        cmocka_unit_test(perturbed_duals_stay_sound),
        cmocka_unit_test(mismatch_refused),
        cmocka_unit_test(unpaired_sizes),
        cmocka_unit_test(sym_bounds_contain_points),
        cmocka_unit_test(sym_bounds_lumped_contain_points),
        cmocka_unit_test(exact_quotient_paired),
        cmocka_unit_test(relaxed_quotient_sound),
        cmocka_unit_test(lumping_mismatch_refused),
        cmocka_unit_test(symbolic_not_looser),
        cmocka_unit_test(smooth_pair_sound),
        cmocka_unit_test(smooth_lines_sound),
    };
    tu_init();
    return cmocka_run_group_tests_name("bound", tests, NULL, NULL);
}
