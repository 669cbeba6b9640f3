/* test_bound.c -- interval bounds, the GLPK layer, the certified bound on
 * |f - g| and the sampled maximum, against independent references */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "glpk_support.h"

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
    /* a column index GLPK does not have: a fault caught, not an abort */
    idx[1] = 7;
    assert_int_equal(lump_i_lp_add_row(lp, 2, idx, v1, 0, 1, &row), LUMP_EINTERNAL);
    assert_int_equal(lump_i_lp_solve(lp, &st), LUMP_EINTERNAL);
    lump_i_lp_free(lp);
    /* the environment recovers */
    tu_ok(lump_i_lp_new(&lp, 0));
    lump_i_lp_free(lp);
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
        for (int mode = 0; mode < 3; mode++) {
            o.encoding = mode == 1 ? LUMP_ENC_SEPARATE : LUMP_ENC_DIFFERENTIAL;
            o.perturb = mode == 2 ? 0.3 : 0.0;
            o.seed = (unsigned long)rep + 1;
            tu_ok(lump_bound_diff(&r, &f, &g, &box, &o));
            if (mode < 2)
                assert_true(r.certified);
            for (size_t j = 0; j < 3; j++) {
                if (obs[j] > r.bound[j])
                    fail_msg("output %zu mode %d: observed %.17g > bound %.17g [seed %lu]", j,
                             mode, obs[j], r.bound[j], tu_seed());
                assert_true(r.bound[j] <= r.naive[j]);
            }
        }
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
    for (unsigned long s = 1; s <= 20; s++) {
        o.perturb = s <= 10 ? 0.01 : 1.5;
        o.seed = s;
        o.encoding = s % 2 ? LUMP_ENC_SEPARATE : LUMP_ENC_DIFFERENTIAL;
        tu_ok(lump_bound_diff(&r, &f, &g, &box, &o));
        assert_true(r.bound[0] >= 0.375);
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interval_bounds_sound),
        cmocka_unit_test(interval_refuses_bad_box),
        cmocka_unit_test(glpk_small_lp),
        cmocka_unit_test(known_sup_eighth),
        cmocka_unit_test(self_bound_zero),
        cmocka_unit_test(sampled_below_certified),
        cmocka_unit_test(perturbed_duals_stay_sound),
        cmocka_unit_test(mismatch_refused),
        cmocka_unit_test(unpaired_sizes),
    };
    tu_init();
    return cmocka_run_group_tests_name("bound", tests, NULL, NULL);
}
