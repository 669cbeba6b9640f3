/* test_relax.c -- epsilon-lumping and the pruning baseline: eps 0 is the
 * exact quotient, determinism, every member within eps of its centre,
 * sampled error below the certified bound, LP centres no worse than mean
 * centres, pruning on a hand-made network, data files */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "lumpnet/data.h"

/* ---------------------------------------------------------------------- */
/* Building networks                                                       */

static double rnd(double lo, double hi)
{
    unsigned long k = gmp_urandomm_ui(tu_rand, 1UL << 20);
    return lo + (hi - lo) * (double)k / (double)(1UL << 20);
}

/* A random relu network NIN-SIZES... (identity outputs) in float64, with
 * planted redundancy in the first hidden layer when PLANT: neuron 3 is
 * 2 x neuron 0 and neuron 4 a copy of neuron 1 (exact proportional lumps);
 * the second hidden layer gets near-duplicates (distance ~1e-3). */
static void random_net(lump_net_t *net, size_t nin, size_t nl, const size_t *sizes, int plant)
{
    lump_net_init(net);
    tu_ok(lump_net_setup(net, nin, nl, sizes, LUMP_STORE_F64));
    for (size_t i = 0; i < nl; i++) {
        lump_layer_t *l = &net->layers[i];
        l->act.kind = i + 1 < nl ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
        for (size_t v = 0; v < l->size; v++) {
            for (size_t u = 0; u < l->in_size; u++)
                tu_ok(lump_arr_set_d(&l->weight, v * l->in_size + u, rnd(-1, 1)));
            tu_ok(lump_arr_set_d(&l->bias, v, rnd(-0.3, 0.3)));
        }
    }
    if (plant && nl >= 3 && sizes[0] >= 5 && sizes[1] >= 4) {
        lump_layer_t *l = &net->layers[0], *l2 = &net->layers[1];
        for (size_t u = 0; u < l->in_size; u++) {
            tu_ok(
                lump_arr_set_d(&l->weight, 3 * l->in_size + u, 2 * lump_arr_get_d(&l->weight, u)));
            tu_ok(lump_arr_set_d(&l->weight, 4 * l->in_size + u,
                                 lump_arr_get_d(&l->weight, l->in_size + u)));
        }
        tu_ok(lump_arr_set_d(&l->bias, 3, 2 * lump_arr_get_d(&l->bias, 0)));
        tu_ok(lump_arr_set_d(&l->bias, 4, lump_arr_get_d(&l->bias, 1)));
        for (size_t u = 0; u < l2->in_size; u++)
            tu_ok(lump_arr_set_d(&l2->weight, 3 * l2->in_size + u,
                                 lump_arr_get_d(&l2->weight, 2 * l2->in_size + u) +
                                     rnd(-1e-3, 1e-3)));
        tu_ok(lump_arr_set_d(&l2->bias, 3, lump_arr_get_d(&l2->bias, 2)));
    }
}

static void unit_box(lump_box_t *box, size_t n, long lo, long hi)
{
    lump_box_init(box);
    tu_ok(lump_box_alloc(box, n));
    for (size_t i = 0; i < n; i++) {
        mpq_set_si(box->lo[i], lo, 1);
        mpq_set_si(box->hi[i], hi, 1);
    }
}

static int same_net(const lump_net_t *a, const lump_net_t *b)
{
    if (a->n_inputs != b->n_inputs || a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_t *x = &a->layers[i], *y = &b->layers[i];
        if (x->size != y->size || x->in_size != y->in_size ||
            !lump_arr_equal(&x->weight, &y->weight) || !lump_arr_equal(&x->bias, &y->bias) ||
            !lump_act_equal(&x->act, &y->act))
            return 0;
    }
    return 1;
}

static const size_t SIZES[] = {12, 10, 3};

/* ---------------------------------------------------------------------- */

/* eps = 0 is exactly the coarsest proportional lumping and its quotient. */
static void eps0_is_exact_quotient(void **state)
{
    lump_net_t net, g, q;
    lump_lumping_t L, E;
    lump_box_t box;
    (void)state;
    random_net(&net, 4, 3, SIZES, 1);
    unit_box(&box, 4, -1, 1);
    lump_net_init(&g);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_lumping_init(&E);
    tu_ok(lump_relax(&g, &L, &net, &box, 0.0, LUMP_CENTRE_MEAN));
    tu_ok(lump_partition_coarsest(&E, &net, LUMP_MODE_PROPORTIONAL, 0));
    tu_ok(lump_quotient(&q, &net, &E));
    assert_int_equal(g.layers[0].size, 10); /* the two planted lumps */
    assert_true(same_net(&g, &q));
    assert_int_equal(L.layers[0].n_blocks, E.layers[0].n_blocks);
    lump_lumping_clear(&L);
    lump_lumping_clear(&E);
    lump_net_clear(&q);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* A tiny eps > 0 (the float path) finds the exact lumps too, and its
 * quotient computes the same function up to rounding. */
static void tiny_eps_finds_exact_lumps(void **state)
{
    lump_net_t net, g;
    lump_box_t box;
    double x[4], yf[3], yg[3];
    (void)state;
    random_net(&net, 4, 3, SIZES, 1);
    unit_box(&box, 4, -1, 1);
    lump_net_init(&g);
    tu_ok(lump_relax(&g, NULL, &net, &box, 1e-12, LUMP_CENTRE_MEAN));
    assert_true(g.layers[0].size <= 10);
    for (int t = 0; t < 200; t++) {
        for (int k = 0; k < 4; k++)
            x[k] = rnd(-1, 1);
        tu_ok(lump_eval_double(yf, &net, x));
        tu_ok(lump_eval_double(yg, &g, x));
        for (int j = 0; j < 3; j++)
            if (fabs(yf[j] - yg[j]) > 1e-9)
                fail_msg("output %d differs by %g [seed %lu]", j, fabs(yf[j] - yg[j]), tu_seed());
    }
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
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
                !lump_arr_equal(&x->scales, &y->scales))
                return 0;
        }
    }
    return 1;
}

/* Two runs on the same input give the same lumping and network. */
static void deterministic(void **state)
{
    static const size_t sz[] = {30, 30, 4};
    lump_net_t net, g1, g2;
    lump_lumping_t L1, L2;
    lump_box_t box;
    (void)state;
    random_net(&net, 6, 3, sz, 0);
    unit_box(&box, 6, 0, 1);
    lump_net_init(&g1);
    lump_net_init(&g2);
    lump_lumping_init(&L1);
    lump_lumping_init(&L2);
    for (int c = 0; c < 2; c++) {
        tu_ok(lump_relax(&g1, &L1, &net, &box, 0.5, (lump_centre_t)c));
        tu_ok(lump_relax(&g2, &L2, &net, &box, 0.5, (lump_centre_t)c));
        assert_true(g1.layers[0].size < 30); /* something merged */
        assert_true(same_net(&g1, &g2));
        assert_true(same_lumping(&L1, &L2));
    }
    lump_lumping_clear(&L1);
    lump_lumping_clear(&L2);
    lump_net_clear(&g1);
    lump_net_clear(&g2);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* The largest deviation, by the documented metric, of the members of each
 * KEEP block of layer I from their quotient neuron, recomputed from NET, L
 * and G alone: for member v with scale c_v, sum over the previous layer's
 * kept blocks C of |S_v(C) - c_v W_G(C,B)| * M_C + |b_v - c_v b_G(B)|,
 * where S_v(C) = sum_{u in C} c_u w(u,v), constants are folded into b_v,
 * and M_C = max over u in C of max|y_u| / |c_u| (interval bounds of NET).
 * DEV receives one entry per KEEP block; constants are checked against
 * EPS here. Returns the number of KEEP blocks. */
static size_t layer_devs(double *dev, const lump_net_t *net, const lump_net_t *g,
                         const lump_lumping_t *L, const lump_bounds_t *bd, size_t i, double eps)
{
    const lump_layer_t *lr = &net->layers[i];
    size_t nin = lr->in_size, npk = 0, nk = 0;
    size_t *kb = malloc(nin * sizeof *kb);
    double *c = malloc(nin * sizeof *c), *cv = calloc(nin, sizeof *cv), *M = calloc(nin, sizeof *M);
    for (size_t u = 0; u < nin; u++) {
        kb[u] = u;
        c[u] = 1;
    }
    if (i == 0) {
        npk = nin;
        for (size_t u = 0; u < nin; u++)
            M[u] = fmax(fabs(bd->xlo[u]), fabs(bd->xhi[u]));
    } else {
        const lump_layer_lumping_t *pl = &L->layers[i - 1];
        for (size_t k = 0; k < pl->n_blocks; k++) {
            const lump_block_t *b = &pl->blocks[k];
            assert_true(b->fate != LUMP_FATE_DEAD);
            for (size_t j = 0; j < b->n_members; j++) {
                size_t u = b->members[j];
                c[u] = lump_arr_get_d(&b->scales, j);
                if (b->fate == LUMP_FATE_CONSTANT) {
                    kb[u] = (size_t)-1;
                    cv[u] = mpq_get_d(b->value);
                } else {
                    double r = fmax(fabs(bd->ylo[i - 1][u]), fabs(bd->yhi[i - 1][u])) / fabs(c[u]);
                    kb[u] = npk;
                    M[npk] = fmax(M[npk], r);
                }
            }
            if (b->fate == LUMP_FATE_KEEP)
                npk++;
        }
    }
    assert_int_equal(g->layers[i].in_size, npk);
    for (size_t k = 0; k < L->layers[i].n_blocks; k++) {
        const lump_block_t *b = &L->layers[i].blocks[k];
        if (b->fate == LUMP_FATE_CONSTANT) {
            size_t v = b->members[0];
            assert_true(0.5 * (bd->yhi[i][v] - bd->ylo[i][v]) <= eps);
            continue;
        }
        dev[nk] = 0;
        for (size_t j = 0; j < b->n_members; j++) {
            size_t v = b->members[j];
            double cvv = lump_arr_get_d(&b->scales, j), d = 0;
            double *S = calloc(npk + 1, sizeof *S);
            for (size_t u = 0; u < nin; u++) {
                double w = lump_arr_get_d(&lr->weight, v * nin + u);
                if (kb[u] == (size_t)-1)
                    S[npk] += w * cv[u];
                else
                    S[kb[u]] += c[u] * w;
            }
            S[npk] += lump_arr_get_d(&lr->bias, v);
            for (size_t t = 0; t < npk; t++)
                d += fabs(S[t] - cvv * lump_arr_get_d(&g->layers[i].weight, nk * npk + t)) * M[t];
            d += fabs(S[npk] - cvv * lump_arr_get_d(&g->layers[i].bias, nk));
            dev[nk] = fmax(dev[nk], d);
            free(S);
        }
        nk++;
    }
    free(kb);
    free(c);
    free(cv);
    free(M);
    return nk;
}

/* Every member lies within eps of its block's centre, by the metric of
 * docs/relax.md, recomputed independently; hidden layers only (outputs
 * are singletons and must be reproduced exactly: deviation ~ 0). */
static void members_within_eps(void **state)
{
    static const size_t sz[] = {40, 40, 30, 5};
    static const double epss[] = {0.05, 0.3, 1.5};
    lump_net_t net, g;
    lump_lumping_t L;
    lump_box_t box;
    lump_bounds_t bd;
    double dev[64];
    (void)state;
    random_net(&net, 8, 4, sz, 0);
    unit_box(&box, 8, -1, 1);
    lump_bounds_init(&bd);
    tu_ok(lump_bounds_interval(&bd, &net, &box));
    lump_net_init(&g);
    lump_lumping_init(&L);
    for (int c = 0; c < 2; c++)
        for (size_t e = 0; e < 3; e++) {
            size_t merged = 0;
            tu_ok(lump_relax(&g, &L, &net, &box, epss[e], (lump_centre_t)c));
            for (size_t i = 0; i < net.n_layers; i++) {
                size_t nk = layer_devs(dev, &net, &g, &L, &bd, i, epss[e]);
                double lim = i + 1 < net.n_layers ? epss[e] : 0;
                merged += net.layers[i].size - nk;
                for (size_t k = 0; k < nk; k++)
                    if (dev[k] > lim * (1 + 1e-9) + 1e-12)
                        fail_msg("eps %g centre %d layer %zu block %zu: deviation %.17g "
                                 "[seed %lu]",
                                 epss[e], c, i + 1, k, dev[k], tu_seed());
            }
            if (e == 2)
                assert_true(merged > 0);
        }
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_bounds_clear(&bd);
    lump_box_clear(&box);
}

/* LP centres: in the first hidden layer (where both runs see the same
 * signatures and so form the same blocks) every block's largest deviation
 * is at most the mean centre's, and somewhere strictly smaller. "Somewhere"
 * is not a theorem for one network (the mean can be optimal already, as
 * for two members of equal size): it must happen on one of five. */
static void lp_centre_no_worse(void **state)
{
    static const size_t sz[] = {40, 20, 3};
    int better = 0;
    (void)state;
    for (int tries = 0; tries < 5 && !better; tries++) {
        lump_net_t net, gm, gl;
        lump_lumping_t Lm, Ll;
        lump_box_t box;
        lump_bounds_t bd;
        double dm[64], dl[64];
        size_t nm, nl;
        random_net(&net, 5, 3, sz, 0);
        unit_box(&box, 5, -1, 1);
        lump_bounds_init(&bd);
        tu_ok(lump_bounds_interval(&bd, &net, &box));
        lump_net_init(&gm);
        lump_net_init(&gl);
        lump_lumping_init(&Lm);
        lump_lumping_init(&Ll);
        tu_ok(lump_relax(&gm, &Lm, &net, &box, 1.0, LUMP_CENTRE_MEAN));
        tu_ok(lump_relax(&gl, &Ll, &net, &box, 1.0, LUMP_CENTRE_LP));
        nm = layer_devs(dm, &net, &gm, &Lm, &bd, 0, 1.0);
        nl = layer_devs(dl, &net, &gl, &Ll, &bd, 0, 1.0);
        assert_int_equal(nm, nl);
        assert_true(nm < 40);
        for (size_t k = 0; k < nm; k++) {
            if (dl[k] > dm[k] * (1 + 1e-9) + 1e-12)
                fail_msg("block %zu: LP centre deviation %g > mean centre %g [seed %lu]", k, dl[k],
                         dm[k], tu_seed());
            better |= dl[k] < dm[k] * (1 - 1e-6);
        }
        lump_lumping_clear(&Lm);
        lump_lumping_clear(&Ll);
        lump_net_clear(&gm);
        lump_net_clear(&gl);
        lump_net_clear(&net);
        lump_bounds_clear(&bd);
        lump_box_clear(&box);
    }
    if (!better)
        fail_msg("the LP centre was never strictly better in five networks [seed %lu]", tu_seed());
}

/* The sampled error of a relaxed quotient never exceeds its certified
 * bound. */
static void sampled_below_bound(void **state)
{
    static const size_t sz[] = {20, 20, 3};
    static const double epss[] = {0.01, 0.1, 0.5};
    lump_net_t net, g;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r;
    double obs[3];
    (void)state;
    random_net(&net, 4, 3, sz, 1);
    unit_box(&box, 4, -1, 1);
    lump_net_init(&g);
    lump_bound_opts_init(&o);
    for (size_t e = 0; e < 3; e++) {
        lump_bound_result_init(&r);
        tu_ok(lump_relax(&g, NULL, &net, &box, epss[e], LUMP_CENTRE_MEAN));
        tu_ok(lump_bound_diff(&r, &net, &g, &box, &o));
        tu_ok(lump_max_error_sampled(obs, &net, &g, &box, 500, tu_seed()));
        for (int j = 0; j < 3; j++)
            if (obs[j] > r.bound[j])
                fail_msg("eps %g output %d: observed %.17g > bound %.17g [seed %lu]", epss[e], j,
                         obs[j], r.bound[j], tu_seed());
        lump_bound_result_clear(&r);
    }
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* Bad eps and bad boxes are refused. */
static void bad_input(void **state)
{
    lump_net_t net, g;
    lump_box_t box, b3;
    (void)state;
    random_net(&net, 4, 3, SIZES, 0);
    unit_box(&box, 4, -1, 1);
    unit_box(&b3, 3, -1, 1);
    lump_net_init(&g);
    tu_fails(lump_relax(&g, NULL, &net, &box, -0.1, LUMP_CENTRE_MEAN), LUMP_EINPUT, "epsilon");
    tu_fails(lump_relax(&g, NULL, &net, &box, NAN, LUMP_CENTRE_MEAN), LUMP_EINPUT, "epsilon");
    tu_fails(lump_relax(&g, NULL, &net, &b3, 0.1, LUMP_CENTRE_MEAN), LUMP_EINPUT, "dimensions");
    mpq_set_si(box.lo[2], 2, 1);
    tu_fails(lump_relax(&g, NULL, &net, &box, 0.1, LUMP_CENTRE_MEAN), LUMP_EINPUT, "empty");
    assert_int_equal(g.n_layers, 0); /* untouched */
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
    lump_box_clear(&b3);
}

/* ---------------------------------------------------------------------- */
/* Pruning                                                                 */

/* 2 inputs, hidden layers of 4 and 3, 1 output. Scores (||in|| ||out||):
 * layer 1: n0 = 1*1, n1 = 3*2, n2 = 0.5*1, n3 = 2*2; layer 2 (ins: rows
 * over 4, out weights): m0 = 1*3, m1 = 2*0.1, m2 = 1*1. With 1-norm rows
 * built along one axis so that norms are exact. */
static void hand_net(lump_net_t *net)
{
    static const size_t sz[] = {4, 3, 1};
    /* layer 1 rows: (a, 0) with a = in-norm */
    static const double in1[4] = {1, 3, 0.5, 2};
    /* layer 2: rows over the 4 hidden neurons; column norms give out1 */
    static const double w2[3][4] = {{1, 2, 1, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    static const double w3[3] = {3, 0.1, 1};
    lump_net_init(net);
    tu_ok(lump_net_setup(net, 2, 3, sz, LUMP_STORE_F64));
    net->layers[0].act.kind = LUMP_ACT_RELU;
    net->layers[1].act.kind = LUMP_ACT_RELU;
    for (size_t v = 0; v < 4; v++) {
        tu_ok(lump_arr_set_d(&net->layers[0].weight, v * 2, in1[v]));
        tu_ok(lump_arr_set_d(&net->layers[0].bias, v, (double)v + 0.25));
    }
    for (size_t v = 0; v < 3; v++)
        for (size_t u = 0; u < 4; u++)
            tu_ok(lump_arr_set_d(&net->layers[1].weight, v * 4 + u, w2[v][u]));
    /* in-norms of layer 2: m0 = sqrt(10), m1 = 1 (set below), m2 = 1 */
    tu_ok(lump_arr_set_d(&net->layers[1].weight, 1 * 4 + 0, 1));
    tu_ok(lump_arr_set_d(&net->layers[1].weight, 2 * 4 + 3, 1));
    for (size_t v = 0; v < 3; v++)
        tu_ok(lump_arr_set_d(&net->layers[2].weight, v, w3[v]));
}

/* Scores: layer-1 out-norms are the column norms of w2: col0 = sqrt(1+1) ,
 * col1 = 2, col2 = 1, col3 = sqrt(4+1); so n0 = 1.414, n1 = 6, n2 = 0.5,
 * n3 = 4.47; layer 2: m0 = sqrt(10)*3 = 9.49, m1 = 1*0.1 = 0.1,
 * m2 = 1*1 = 1. Increasing: m1 0.1, n2 0.5, m2 1, n0 1.41, n3, n1, m0. */
static void prune_keeps_largest(void **state)
{
    lump_net_t net, g;
    (void)state;
    hand_net(&net);
    lump_net_init(&g);
    tu_ok(lump_prune_magnitude(&g, NULL, &net, 5)); /* drop m1, n2 */
    assert_int_equal(g.layers[0].size, 3);
    assert_int_equal(g.layers[1].size, 2);
    assert_int_equal(g.layers[2].size, 1);
    /* kept layer-1 neurons n0, n1, n3: biases 0.25, 1.25, 3.25 */
    assert_true(lump_arr_get_d(&g.layers[0].bias, 0) == 0.25);
    assert_true(lump_arr_get_d(&g.layers[0].bias, 1) == 1.25);
    assert_true(lump_arr_get_d(&g.layers[0].bias, 2) == 3.25);
    /* kept layer-2 neurons m0, m2, their rows without column n2 */
    assert_int_equal(g.layers[1].in_size, 3);
    assert_true(lump_arr_get_d(&g.layers[1].weight, 0) == 1);
    assert_true(lump_arr_get_d(&g.layers[1].weight, 2) == 2);
    assert_true(lump_arr_get_d(&g.layers[1].weight, 1 * 3 + 2) == 1);
    assert_true(lump_arr_get_d(&g.layers[2].weight, 1) == 1);
    tu_ok(lump_prune_magnitude(&g, NULL, &net, 3)); /* then m2, n0 */
    assert_int_equal(g.layers[0].size, 2);
    assert_int_equal(g.layers[1].size, 1);
    tu_ok(lump_prune_magnitude(&g, NULL, &net, 0)); /* one per layer stays */
    assert_int_equal(g.layers[0].size, 1);
    assert_int_equal(g.layers[1].size, 1);
    assert_true(lump_arr_get_d(&g.layers[0].bias, 0) == 1.25); /* n1 */
    tu_ok(lump_prune_magnitude(&g, NULL, &net, 100));          /* nothing to drop */
    assert_true(same_net(&g, &net));
    lump_net_clear(&g);
    lump_net_clear(&net);
}

/* The pairing pruning returns (kept neuron with its copy, dropped one
 * with 0) is accepted by lump_bound_diff_lumped, certifies, stays above
 * the sampled error, and is far tighter than pairing outputs only. */
static void prune_pairing_sound(void **state)
{
    static const size_t sz[] = {20, 16, 3};
    lump_net_t net, g;
    lump_lumping_t P;
    lump_box_t box;
    lump_bound_opts_t o;
    lump_bound_result_t r, r0;
    double obs[3], sum = 0, sum0 = 0;
    (void)state;
    random_net(&net, 4, 3, sz, 0);
    unit_box(&box, 4, -0.25, 0.25);
    lump_net_init(&g);
    lump_lumping_init(&P);
    lump_bound_opts_init(&o);
    for (size_t keep = 6; keep <= 30; keep += 8) {
        lump_bound_result_init(&r);
        lump_bound_result_init(&r0);
        tu_ok(lump_prune_magnitude_params(&g, &P, &net, lump_net_params(&net) * keep / 36));
        tu_ok(lump_bound_diff_lumped(&r, &net, &g, &P, &box, &o));
        tu_ok(lump_bound_diff(&r0, &net, &g, &box, &o));
        tu_ok(lump_max_error_sampled(obs, &net, &g, &box, 500, tu_seed()));
        assert_true(r.certified);
        for (int j = 0; j < 3; j++) {
            if (obs[j] > r.bound[j])
                fail_msg("keep %zu output %d: observed %.17g > bound %.17g [seed %lu]", keep, j,
                         obs[j], r.bound[j], tu_seed());
            sum += r.bound[j];
            sum0 += r0.bound[j];
        }
        lump_bound_result_clear(&r);
        lump_bound_result_clear(&r0);
    }
    if (!(sum < sum0))
        fail_msg("the pairing did not tighten the bound: %g against %g [seed %lu]", sum, sum0,
                 tu_seed());
    lump_lumping_clear(&P);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* Pruning meets the budget exactly on a larger net and is deterministic. */
static void prune_budget(void **state)
{
    static const size_t sz[] = {30, 20, 10, 4};
    lump_net_t net, g, g2;
    (void)state;
    random_net(&net, 5, 4, sz, 0);
    lump_net_init(&g);
    lump_net_init(&g2);
    for (size_t keep = 3; keep <= 60; keep += 7) {
        tu_ok(lump_prune_magnitude(&g, NULL, &net, keep));
        tu_ok(lump_prune_magnitude(&g2, NULL, &net, keep));
        assert_int_equal(lump_net_neurons(&g) - 4, keep);
        assert_true(g.layers[0].size >= 1 && g.layers[1].size >= 1 && g.layers[2].size >= 1);
        assert_int_equal(g.layers[3].size, 4);
        assert_true(same_net(&g, &g2));
    }
    lump_net_clear(&g);
    lump_net_clear(&g2);
    lump_net_clear(&net);
}

/* ---------------------------------------------------------------------- */
/* Data files                                                              */

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* A .npy file of version 1 with header H (padded to 128 bytes with
 * spaces and a newline, as numpy does) and data D of N bytes. */
static void write_npy(const char *path, const char *h, const void *d, size_t n)
{
    unsigned char buf[4096];
    size_t hl = 128 - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hl;
    buf[9] = 0;
    memset(buf + 10, ' ', hl);
    memcpy(buf + 10, h, strlen(h));
    buf[10 + hl - 1] = '\n';
    assert_true(strlen(h) < hl);
    memcpy(buf + 128, d, n);
    write_bytes(path, buf, 128 + n);
}

static void npy_pair(void **state)
{
    const char *xp = tu_tmp_path("X.npy"), *yp = tu_tmp_path("y.npy"), *bp = tu_tmp_path("b.npy");
    double x[6] = {0.5, 1, 2, -3, 4.25, 5};
    int64_t y[2] = {7, 1};
    char spec[1024];
    lump_data_t d;
    (void)state;
    write_npy(xp, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", x, sizeof x);
    write_npy(yp, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", y, sizeof y);
    write_npy(bp, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", y, 4);
    lump_data_init(&d);
    snprintf(spec, sizeof spec, "%s,%s", xp, yp);
    tu_ok(lump_data_read(&d, spec));
    assert_int_equal(d.n, 2);
    assert_int_equal(d.width, 3);
    assert_true(d.x[3] == -3 && d.x[4] == 4.25);
    assert_int_equal(d.y[0], 7);
    assert_int_equal(d.y[1], 1);
    snprintf(spec, sizeof spec, "%s,%s", xp, bp);
    tu_fails(lump_data_read(&d, spec), LUMP_EINPUT, "'<f2' is not supported");
    tu_fails(lump_data_read(&d, xp), LUMP_EINPUT, "X.npy,y.npy");
    snprintf(spec, sizeof spec, "%s,%s", yp, yp); /* 1-D features */
    tu_fails(lump_data_read(&d, spec), LUMP_EINPUT, "2-D");
    lump_data_clear(&d);
}

static void csv_data(void **state)
{
    const char *p = tu_tmp_path("d.csv"), *q = tu_tmp_path("bad.csv");
    const char *good = "a,b,label\n0.5, 1,3\n# comment\n\n2,-1e-1,0\n";
    const char *bad = "1,2,3\n1,x,2\n";
    lump_data_t d;
    (void)state;
    write_bytes(p, good, strlen(good));
    write_bytes(q, bad, strlen(bad));
    lump_data_init(&d);
    tu_ok(lump_data_read(&d, p));
    assert_int_equal(d.n, 2);
    assert_int_equal(d.width, 2);
    assert_true(d.x[2] == 2 && d.x[3] == -0.1);
    assert_int_equal(d.y[0], 3);
    tu_fails(lump_data_read(&d, q), LUMP_EINPUT, "line 2: field 2: 'x' is not a number");
    write_bytes(q, "1,2,3\n1,2\n", 10);
    tu_fails(lump_data_read(&d, q), LUMP_EINPUT, "line 2: 2 fields");
    write_bytes(q, "1,2,0.5\n", 8);
    tu_fails(lump_data_read(&d, q), LUMP_EINPUT, "not a whole number");
    lump_data_clear(&d);
}

/* A first line with a fraction or a NaN is data, not a header: the
 * fraction is read like numbers everywhere (the nearest double to 1/3),
 * and the NaN is refused on line 1 as it would be on line 2. Only a line
 * with nothing number-like is a header. */
static void csv_first_line(void **state)
{
    const char *p = tu_tmp_path("first.csv");
    lump_data_t d;
    (void)state;
    lump_data_init(&d);
    write_bytes(p, "1/3,2,1\n0.5,-3/4,0\n", strlen("1/3,2,1\n0.5,-3/4,0\n"));
    tu_ok(lump_data_read(&d, p));
    assert_int_equal(d.n, 2);
    assert_true(d.x[0] == 1.0 / 3 && d.x[3] == -0.75);
    assert_int_equal(d.y[0], 1);
    write_bytes(p, "nan,2,1\n0.5,1,0\n", strlen("nan,2,1\n0.5,1,0\n"));
    tu_fails(lump_data_read(&d, p), LUMP_EINPUT, "line 1: field 1: 'nan' is not a number");
    write_bytes(p, "0.5,1,0\nnan,2,1\n", strlen("0.5,1,0\nnan,2,1\n"));
    tu_fails(lump_data_read(&d, p), LUMP_EINPUT, "line 2: field 1: 'nan' is not a number");
    write_bytes(p, "x1,-inf,1e999\n0.5,1,0\n", strlen("x1,-inf,1e999\n0.5,1,0\n"));
    tu_fails(lump_data_read(&d, p), LUMP_EINPUT, "line 1: field 1: 'x1' is not a number");
    write_bytes(p, "x,y,label\n0.5,1,0\n", strlen("x,y,label\n0.5,1,0\n"));
    tu_ok(lump_data_read(&d, p));
    assert_int_equal(d.n, 1);
    write_bytes(p, "0.5,1e999,0\n", strlen("0.5,1e999,0\n"));
    tu_fails(lump_data_read(&d, p), LUMP_EINPUT, "too large for a double");
    lump_data_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eps0_is_exact_quotient),
        cmocka_unit_test(tiny_eps_finds_exact_lumps),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(members_within_eps),
        cmocka_unit_test(lp_centre_no_worse),
        cmocka_unit_test(sampled_below_bound),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(prune_keeps_largest),
        cmocka_unit_test(prune_budget),
        cmocka_unit_test(prune_pairing_sound),
        cmocka_unit_test(npy_pair),
        cmocka_unit_test(csv_data),
        cmocka_unit_test(csv_first_line),
    };
    tu_init();
    return cmocka_run_group_tests_name("relax", tests, NULL, NULL);
}
