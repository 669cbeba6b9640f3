/* test_tol_exact.c -- the exact leaf of equivalence within a tolerance:
 * its rational linear programs against vertex enumeration (an oracle
 * written here), and its maxima against exact evaluation at sampled points
 * and the independent double leaf bound */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tol_i.h"

#define NMAX 3
#define MMAX 4

/* Solve the K x K system M y = r (M row-major, K + 1 columns with r last)
 * by Gaussian elimination in rationals; 0 when singular. */
static int solve(mpq_t *y, mpq_t *M, size_t k)
{
    mpq_t f, t;
    int ok = 1;
    mpq_inits(f, t, NULL);
    for (size_t c = 0; c < k && ok; c++) {
        size_t p = c;
        while (p < k && mpq_sgn(M[p * (k + 1) + c]) == 0)
            p++;
        if (p == k) {
            ok = 0;
            break;
        }
        for (size_t j = 0; j <= k; j++)
            mpq_swap(M[p * (k + 1) + j], M[c * (k + 1) + j]);
        for (size_t r = 0; r < k; r++) {
            if (r == c || mpq_sgn(M[r * (k + 1) + c]) == 0)
                continue;
            mpq_div(f, M[r * (k + 1) + c], M[c * (k + 1) + c]);
            for (size_t j = c; j <= k; j++) {
                mpq_mul(t, f, M[c * (k + 1) + j]);
                mpq_sub(M[r * (k + 1) + j], M[r * (k + 1) + j], t);
            }
        }
    }
    for (size_t c = 0; c < k && ok; c++)
        mpq_div(y[c], M[c * (k + 1) + k], M[c * (k + 1) + c]);
    mpq_clears(f, t, NULL);
    return ok;
}

/* The oracle: the maximum of c.x + c[n] over the box cut by the M cuts, by
 * enumerating every choice of n tight constraints among the 2n box faces
 * and the cuts (a bounded nonempty polytope has a vertex, and a linear
 * function peaks at one). Returns 0 when no vertex is feasible (empty). */
static int vertex_max(mpq_t best, const mpq_t *c, size_t n, const lump_box_t *box,
                      const mpq_t *cut, size_t m)
{
    size_t nc = 2 * n + m, pick[NMAX];
    mpq_t H[(2 * NMAX + MMAX) * (NMAX + 1)], M[NMAX * (NMAX + 1)], x[NMAX], v, t;
    int found = 0;
    /* every constraint as h.x <= h[n] */
    for (size_t r = 0; r < nc * (n + 1); r++)
        mpq_init(H[r]);
    for (size_t i = 0; i < n; i++) {
        mpq_set_si(H[(2 * i) * (n + 1) + i], -1, 1); /* -x_i <= -lo_i */
        mpq_neg(H[(2 * i) * (n + 1) + n], box->lo[i]);
        mpq_set_si(H[(2 * i + 1) * (n + 1) + i], 1, 1); /* x_i <= hi_i */
        mpq_set(H[(2 * i + 1) * (n + 1) + n], box->hi[i]);
    }
    for (size_t k = 0; k < m; k++) {
        for (size_t i = 0; i < n; i++)
            mpq_set(H[(2 * n + k) * (n + 1) + i], cut[k * (n + 1) + i]);
        mpq_neg(H[(2 * n + k) * (n + 1) + n], cut[k * (n + 1) + n]);
    }
    for (size_t r = 0; r < n * (n + 1); r++)
        mpq_init(M[r]);
    for (size_t i = 0; i < n; i++)
        mpq_init(x[i]);
    mpq_inits(v, t, NULL);
    for (size_t i = 0; i < n; i++)
        pick[i] = i;
    for (;;) {
        for (size_t r = 0; r < n; r++)
            for (size_t j = 0; j <= n; j++)
                mpq_set(M[r * (n + 1) + j], H[pick[r] * (n + 1) + j]);
        if (solve(x, M, n)) {
            int feas = 1;
            for (size_t r = 0; r < nc && feas; r++) {
                mpq_set_ui(v, 0, 1);
                for (size_t i = 0; i < n; i++) {
                    mpq_mul(t, H[r * (n + 1) + i], x[i]);
                    mpq_add(v, v, t);
                }
                feas = mpq_cmp(v, H[r * (n + 1) + n]) <= 0;
            }
            if (feas) {
                mpq_set(v, c[n]);
                for (size_t i = 0; i < n; i++) {
                    mpq_mul(t, c[i], x[i]);
                    mpq_add(v, v, t);
                }
                if (!found || mpq_cmp(v, best) > 0)
                    mpq_set(best, v);
                found = 1;
            }
        }
        /* the next n-subset of nc, in lexicographic order */
        size_t i = n;
        while (i > 0 && pick[i - 1] == nc - n + i - 1)
            i--;
        if (i == 0)
            break;
        pick[i - 1]++;
        for (size_t j = i; j < n; j++)
            pick[j] = pick[j - 1] + 1;
    }
    for (size_t r = 0; r < nc * (n + 1); r++)
        mpq_clear(H[r]);
    for (size_t r = 0; r < n * (n + 1); r++)
        mpq_clear(M[r]);
    for (size_t i = 0; i < n; i++)
        mpq_clear(x[i]);
    mpq_clears(v, t, NULL);
    return found;
}

/* Random LPs in 1 to 3 dimensions, some boxes flat in one input, some cut
 * sets empty: lump_i_tol_lp_max equals the vertex oracle exactly, and
 * reports emptiness exactly when the oracle finds no vertex. */
static void test_lp_vertices(void **state)
{
    unsigned n_opt = 0, n_empty = 0;
    (void)state;
    for (unsigned rep = 0; rep < 3000; rep++) {
        size_t n = 1 + (size_t)(rand() % NMAX), m = (size_t)(rand() % (MMAX + 1));
        mpq_t lo[NMAX], hi[NMAX], c[NMAX + 1], cut[MMAX * (NMAX + 1)], got, want;
        lump_box_t box = {n, lo, hi};
        int r, o;
        mpq_inits(got, want, NULL);
        for (size_t i = 0; i < n; i++) {
            mpq_inits(lo[i], hi[i], NULL);
            tu_rand_q(lo[i], 9, 4);
            tu_rand_q(hi[i], 9, 4);
            if (rand() % 8 == 0)
                mpq_set(hi[i], lo[i]);
            if (mpq_cmp(lo[i], hi[i]) > 0)
                mpq_swap(lo[i], hi[i]);
        }
        for (size_t i = 0; i <= n; i++) {
            mpq_init(c[i]);
            tu_rand_q(c[i], 9, 5);
        }
        for (size_t k = 0; k < m * (n + 1); k++) {
            mpq_init(cut[k]);
            tu_rand_q(cut[k], 9, 3);
        }
        mpq_set_si(got, -12345, 1);
        r = lump_i_tol_lp_max(got, c, n, &box, cut, m);
        o = vertex_max(want, c, n, &box, cut, m);
        if (o) {
            n_opt++;
            if (r != 1 || !mpq_equal(got, want))
                fail_msg("LP %u (n %zu, m %zu): returned %d, %s, the vertices give %s [seed %lu]",
                         rep, n, m, r, mpq_get_str(NULL, 10, got), mpq_get_str(NULL, 10, want),
                         tu_seed());
        } else {
            n_empty++;
            if (r != -1)
                fail_msg("LP %u (n %zu, m %zu): empty, but returned %d [seed %lu]", rep, n, m, r,
                         tu_seed());
        }
        for (size_t i = 0; i < n; i++)
            mpq_clears(lo[i], hi[i], NULL);
        for (size_t i = 0; i <= n; i++)
            mpq_clear(c[i]);
        for (size_t k = 0; k < m * (n + 1); k++)
            mpq_clear(cut[k]);
        mpq_clears(got, want, NULL);
    }
    print_message("# %u LPs with an optimum, %u empty\n", n_opt, n_empty);
    assert_true(n_opt > 1000 && n_empty > 50);
}

/* A small random relu net N_IN -> H -> 2 in exact rationals. */
static void small_net(lump_net_t *net, size_t n_in, size_t h)
{
    size_t sizes[2] = {h, 2};
    mpq_t q;
    mpq_init(q);
    lump_net_init(net);
    tu_ok(lump_net_setup(net, n_in, 2, sizes, LUMP_STORE_Q));
    for (size_t k = 0; k < 2; k++) {
        lump_layer_t *L = &net->layers[k];
        L->act.kind = k == 0 ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
        for (size_t i = 0; i < L->size * L->in_size; i++) {
            tu_rand_q(q, 9, 4);
            tu_ok(lump_arr_set(&L->weight, i, q));
        }
        for (size_t v = 0; v < L->size; v++) {
            tu_rand_q(q, 6, 5);
            tu_ok(lump_arr_set(&L->bias, v, q));
        }
    }
    mpq_clear(q);
}

/* |A_j(x) - B_j(x)| for the outputs 0 and 1, the larger, exactly */
static void diff_at(mpq_t d, const lump_net_t *a, const lump_net_t *b, const mpq_t *x)
{
    mpq_t ya[2], yb[2], t;
    mpq_inits(ya[0], ya[1], yb[0], yb[1], t, NULL);
    tu_ok(lump_eval_exact(ya, a, x));
    tu_ok(lump_eval_exact(yb, b, x));
    mpq_set_ui(d, 0, 1);
    for (size_t j = 0; j < 2; j++) {
        mpq_sub(t, ya[j], yb[j]);
        mpq_abs(t, t);
        if (mpq_cmp(t, d) > 0)
            mpq_set(d, t);
    }
    mpq_clears(ya[0], ya[1], yb[0], yb[1], t, NULL);
}

/* the exact leaf's maximum on [lo, hi], which must be decided */
static void leaf_max(mpq_t m, const lump_tol_pair_t *p, mpq_t *lo, mpq_t *hi, size_t n,
                     unsigned rep)
{
    lump_box_t box = {n, lo, hi};
    if (!lump_tol_leaf_exact(m, p, &box))
        fail_msg("case %u: the exact leaf gave up [seed %lu]", rep, tu_seed());
}

/* Random pairs of relu nets (B = A with weights moved a little, so the
 * kinks of A and B are near each other and slanted) on random boxes in 2
 * and 3 dimensions: the exact leaf decides every one (it splits phases
 * with cuts, not the box), and its maximum M is never below the exact
 * difference at the corners and at random rational points, never above
 * the double leaf bound (tol_leaf.c, sound on its own), and equals the
 * larger of its maxima on the two halves of the box. */
static void test_leaf_slanted(void **state)
{
    unsigned reps = 200;
    (void)state;
    for (unsigned rep = 0; rep < reps; rep++) {
        size_t n = 2 + (size_t)(rand() % 2), h = 2 + (size_t)(rand() % 3), outs[2] = {0, 1};
        lump_net_t a, b;
        lump_tol_pair_t *p = NULL;
        mpq_t lo[NMAX], hi[NMAX], mid[NMAX], x[NMAX], m, m1, m2, d, t;
        double dl[NMAX], dh[NMAX], e;
        small_net(&a, n, h);
        lump_net_init(&b);
        tu_ok(lump_net_copy(&b, &a));
        mpq_inits(m, m1, m2, d, t, NULL);
        for (size_t k = 0; k < 2; k++) {
            lump_layer_t *L = &b.layers[k];
            for (size_t i = 0; i < L->size * L->in_size; i++) {
                if (rand() % 2)
                    continue;
                lump_arr_get(t, &L->weight, i);
                tu_rand_q(d, 3, 100);
                mpq_add(t, t, d);
                tu_ok(lump_arr_set(&L->weight, i, t));
            }
        }
        tu_ok(lump_tol_pair_new(&p, &a, &b, outs, 2));
        for (size_t i = 0; i < n; i++) {
            mpq_inits(lo[i], hi[i], mid[i], x[i], NULL);
            tu_rand_q(lo[i], 6, 4);
            tu_rand_q(d, 4, 3);
            mpq_abs(d, d);
            mpq_add(hi[i], lo[i], d);
            mpq_add(mid[i], lo[i], hi[i]);
            mpq_div_2exp(mid[i], mid[i], 1);
            lump_i_tol_enclose_q(&dl[i], &e, lo[i]);
            lump_i_tol_enclose_q(&e, &dh[i], hi[i]);
        }
        leaf_max(m, p, lo, hi, n, rep);
        /* corners, then random points */
        for (unsigned s = 0; s < (1u << n) + 40; s++) {
            for (size_t i = 0; i < n; i++) {
                if (s < (1u << n)) {
                    mpq_set(x[i], (s >> i) & 1 ? hi[i] : lo[i]);
                    continue;
                }
                mpq_set_ui(t, (unsigned long)(rand() % 1001), 1000);
                mpq_sub(d, hi[i], lo[i]);
                mpq_mul(t, t, d);
                mpq_add(x[i], lo[i], t);
            }
            diff_at(d, &a, &b, (const mpq_t *)x);
            if (mpq_cmp(d, m) > 0)
                fail_msg("case %u: exact leaf %s below the difference %s at a point [seed %lu]",
                         rep, mpq_get_str(NULL, 10, m), mpq_get_str(NULL, 10, d), tu_seed());
        }
        mpq_set_d(t, lump_tol_leaf_bound(p, dl, dh));
        if (mpq_cmp(m, t) > 0)
            fail_msg("case %u: exact leaf %s above the double bound %g [seed %lu]", rep,
                     mpq_get_str(NULL, 10, m), mpq_get_d(t), tu_seed());
        /* the halves along input 0 */
        mpq_swap(hi[0], mid[0]);
        leaf_max(m1, p, lo, hi, n, rep);
        mpq_swap(hi[0], mid[0]);
        mpq_swap(lo[0], mid[0]);
        leaf_max(m2, p, lo, hi, n, rep);
        mpq_swap(lo[0], mid[0]);
        if (mpq_cmp(m1, m2) < 0)
            mpq_swap(m1, m2);
        if (!mpq_equal(m, m1))
            fail_msg("case %u: exact leaf %s on the box, %s as the larger of its halves "
                     "[seed %lu]",
                     rep, mpq_get_str(NULL, 10, m), mpq_get_str(NULL, 10, m1), tu_seed());
        for (size_t i = 0; i < n; i++)
            mpq_clears(lo[i], hi[i], mid[i], x[i], NULL);
        mpq_clears(m, m1, m2, d, t, NULL);
        lump_tol_pair_free(p);
        lump_net_clear(&a);
        lump_net_clear(&b);
    }
    print_message("# %u pairs decided exactly\n", reps);
}

/* The soundness suite's seed 20261210, case 595: the difference x0/49 of
 * two relus peaks at exactly 3/49 along a face of the box, up to the
 * slanted kink x0/5 - 5/6 x1 - 1 = 0; the exact maximum is 3/49. */
static void test_kink_at_max(void **state)
{
    static const char *const wa[2][3] = {{"1", "3/4", "-6"}, {"1/5", "-5/6", "0"}};
    static const char *const ba[2] = {"1/6", "-1"};
    static const char *const bl[3] = {"-3/4", "-7/6", "1"}, *const bh[3] = {"3", "-1/3", "1"};
    size_t sizes[1] = {2}, outs[2] = {0, 1};
    lump_net_t a, b;
    lump_tol_pair_t *p = NULL;
    mpq_t q, lo[3], hi[3];
    (void)state;
    mpq_init(q);
    lump_net_init(&a);
    tu_ok(lump_net_setup(&a, 3, 1, sizes, LUMP_STORE_Q));
    a.layers[0].act.kind = LUMP_ACT_RELU;
    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; i < 3; i++) {
            mpq_set_str(q, wa[v][i], 10);
            tu_ok(lump_arr_set(&a.layers[0].weight, v * 3 + i, q));
        }
        mpq_set_str(q, ba[v], 10);
        tu_ok(lump_arr_set(&a.layers[0].bias, v, q));
    }
    lump_net_init(&b);
    tu_ok(lump_net_copy(&b, &a));
    mpq_set_str(q, "54/245", 10);
    tu_ok(lump_arr_set(&b.layers[0].weight, 3, q));
    for (size_t i = 0; i < 3; i++) {
        mpq_inits(lo[i], hi[i], NULL);
        mpq_set_str(lo[i], bl[i], 10);
        mpq_set_str(hi[i], bh[i], 10);
    }
    tu_ok(lump_tol_pair_new(&p, &a, &b, outs, 2));
    leaf_max(q, p, lo, hi, 3, 0);
    {
        char *text = mpq_get_str(NULL, 10, q);
        int ok = strcmp(text, "3/49") == 0;
        if (!ok)
            print_message("# the exact leaf gives %s, not 3/49\n", text);
        free(text);
        assert_true(ok);
    }
    for (size_t i = 0; i < 3; i++)
        mpq_clears(lo[i], hi[i], NULL);
    mpq_clear(q);
    lump_tol_pair_free(p);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lp_vertices),
        cmocka_unit_test(test_leaf_slanted),
        cmocka_unit_test(test_kink_at_max),
    };
    tu_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
