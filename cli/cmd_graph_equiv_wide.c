/* cmd_graph_equiv_wide.c -- `equiv A B --box BOX [--tolerance T]` for
 * graph networks whose layered form is too large to build: proved when
 * the exact (differential) interval bound on the graphs is at most T on
 * every output (0 without --tolerance), refuted by an exact witness found
 * among the box's centre, corners and seeded random rational points,
 * unknown otherwise */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "lumpnet/graph_bound.h"

/* The search: the largest exact |A_j - B_j| over the candidate points,
 * with its point and output. */
typedef struct {
    mpq_t best;
    mpq_t *at;
    size_t output;
} search_t;

/* try_point -- evaluate both networks exactly at X and keep the largest
 * difference in S */
static lump_error_t try_point(search_t *s, const lump_graph_t *a, const lump_graph_t *b,
                              const mpq_t *x, mpq_t *ya, mpq_t *yb, mpq_t d)
{
    lump_error_t err = LUMP_OK;
    const size_t nin = lump_graph_n_inputs(a), nout = lump_graph_n_outputs(a);
    LUMP_CHECK(lump_graph_eval_exact(ya, a, x));
    LUMP_CHECK(lump_graph_eval_exact(yb, b, x));
    for (size_t j = 0; j < nout; j++) {
        mpq_sub(d, ya[j], yb[j]);
        mpq_abs(d, d);
        if (mpq_cmp(d, s->best) > 0) {
            mpq_set(s->best, d);
            s->output = j;
            for (size_t i = 0; i < nin; i++)
                mpq_set(s->at[i], x[i]);
        }
    }
cleanup:
    return err;
}

/* search -- the centre, the two extreme corners, then N random corners
 * and N random points (seeded by SEED) of BOX; stops early once a
 * difference above TOL is found. Exact evaluation only: a witness needs
 * no confirmation. */
static lump_error_t search(search_t *s, const lump_graph_t *a, const lump_graph_t *b,
                           const lump_box_t *box, const mpq_t tol, unsigned long seed, size_t n)
{
    lump_error_t err = LUMP_OK;
    const size_t nin = lump_graph_n_inputs(a), nout = lump_graph_n_outputs(a);
    mpq_t *x = lump_rat_vec_new(nin), *ya = lump_rat_vec_new(nout), *yb = lump_rat_vec_new(nout);
    mpq_t d, u;
    gmp_randstate_t r;
    size_t lv = lump_progress_begin("witness point", 3 + 2 * n, 0);
    mpq_inits(d, u, NULL);
    gmp_randinit_default(r);
    gmp_randseed_ui(r, seed);
    for (size_t k = 0; k < 3 + 2 * n && mpq_cmp(s->best, tol) <= 0; k++) {
        LUMP_CHECK(lump_progress_step(lv, k));
        for (size_t i = 0; i < nin; i++) {
            if (k == 0) { /* the centre */
                mpq_add(x[i], box->lo[i], box->hi[i]);
                mpq_div_2exp(x[i], x[i], 1);
            } else if (k < 3) {
                mpq_set(x[i], k == 1 ? box->lo[i] : box->hi[i]);
            } else if (k < 3 + n) {
                mpq_set(x[i], gmp_urandomb_ui(r, 1) ? box->hi[i] : box->lo[i]);
            } else { /* lo + (hi - lo) * m / 1024 */
                mpq_set_ui(u, gmp_urandomm_ui(r, 1025), 1024);
                mpq_sub(x[i], box->hi[i], box->lo[i]);
                mpq_mul(x[i], x[i], u);
                mpq_add(x[i], x[i], box->lo[i]);
            }
        }
        LUMP_CHECK(try_point(s, a, b, x, ya, yb, d));
    }
    lump_progress_end(lv);
cleanup:
    gmp_randclear(r);
    mpq_clears(d, u, NULL);
    lump_rat_vec_free(x, nin);
    lump_rat_vec_free(ya, nout);
    lump_rat_vec_free(yb, nout);
    return err;
}

static json_t *point_json(mpq_t *const x, size_t n)
{
    json_t *w = json_array();
    for (size_t i = 0; i < n; i++) {
        char *s = lump_rat_str_frac(x[i]);
        json_array_append_new(w, json_string(s));
        free(s);
    }
    return w;
}

static void print_point(mpq_t *const x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *s = lump_rat_str_frac(x[i]);
        printf("%s%s", i ? "," : "", s);
        free(s);
    }
}

/* cli_graph_equiv_wide -- see cli.h. */
int cli_graph_equiv_wide(const char *a_path, const char *b_path, const char *box_arg,
                         const mpq_t tol, const char *cert, int json, unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    lump_graph_t a, b;
    lump_box_t box;
    lump_graph_bound_stats_t st;
    lump_verdict_t v = LUMP_UNKNOWN;
    search_t s;
    size_t nin = 0, nout = 0;
    mpq_t *bd = NULL, worst;
    int rc = CLI_OK;
    const int tolerant = mpq_sgn(tol) > 0;
    char *ts = tolerant ? lump_rat_str(tol) : NULL;
    lump_graph_init(&a);
    lump_graph_init(&b);
    lump_box_init(&box);
    mpq_inits(worst, s.best, NULL);
    s.at = NULL;
    s.output = 0;
    if (box_arg == NULL) {
        err = lump_error_set(LUMP_EUSAGE, "equiv: %s is too large to unroll into layers; "
                             "--tolerance on it needs --box BOX", a_path);
        goto cleanup;
    }
    if (cert != NULL) {
        err = lump_error_set(LUMP_EUSAGE, "equiv: --cert needs networks that unroll into layers "
                             "(%s is too large; its proof is interval arithmetic, which check "
                             "repeats from the files alone)", a_path);
        goto cleanup;
    }
    LUMP_CHECK(lump_graph_read(&a, a_path, NULL));
    LUMP_CHECK(lump_graph_read(&b, b_path, NULL));
    nin = lump_graph_n_inputs(&a);
    nout = lump_graph_n_outputs(&a);
    err = lump_box_parse(&box, box_arg, nin);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    bd = lump_rat_vec_new(nout);
    s.at = lump_rat_vec_new(nin);
    err = lump_graph_bound_diff(bd, NULL, &st, &a, &b, &box, 64);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "%s vs %s", a_path, b_path);
        goto cleanup;
    }
    for (size_t j = 0; j < nout; j++)
        if (mpq_cmp(bd[j], worst) > 0)
            mpq_set(worst, bd[j]);
    if (mpq_cmp(worst, tol) <= 0) {
        v = LUMP_TRUE;
    } else {
        LUMP_CHECK(search(&s, &a, &b, &box, tol, seed, 20));
        v = mpq_cmp(s.best, tol) > 0 ? LUMP_FALSE : LUMP_UNKNOWN;
    }
    if (json) {
        json_t *j = cli_report_new("equiv");
        cli_report_path(j, "a", a_path);
        cli_report_path(j, "b", b_path);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "verdict", json_string(v == LUMP_TRUE ? "equivalent"
                                                      : v == LUMP_FALSE ? "different"
                                                                        : "unknown"));
        json_object_set_new(j, "method", json_string(st.paired ? "graph-differential"
                                                               : "graph-separate"));
        if (v != LUMP_TRUE)
            json_object_set_new(j, "domain", json_string(box_arg));
        if (v == LUMP_TRUE) {
            json_object_set_new(j, "checked", json_true());
            json_object_set_new(j, "on_box_only", json_true());
        }
        json_object_set_new(j, "certificate", json_null());
        if (v != LUMP_TRUE) {
            json_object_set_new(j, v == LUMP_FALSE ? "witness" : "largest_at",
                                point_json(s.at, nin));
            json_object_set_new(j, "output", cli_report_size(s.output));
        }
        if (tolerant) {
            char bs[64];
            mpfr_t up;
            mpfr_init2(up, 53);
            mpfr_set_q(up, worst, MPFR_RNDU); /* the bound, rounded up */
            snprintf(bs, sizeof bs, "%.17g", mpfr_get_d(up, MPFR_RNDU));
            mpfr_clear(up);
            json_object_set_new(j, "tolerance", json_string(ts));
            json_object_set_new(j, "bound", json_string(bs));
        }
        rc = cli_report_print(j);
    } else if (v == LUMP_TRUE) {
        printf("equivalent%s%s on the box %s: proved by exact %s interval arithmetic on the "
               "graphs (largest bound %.6g; their layered form is too large to unroll)\n",
               tolerant ? " within " : "", tolerant ? ts : "", box_arg,
               st.paired ? "differential" : "", mpq_get_d(worst));
    } else if (v == LUMP_FALSE) {
        printf("different: output %zu differs by %.6g at the exact input", s.output,
               mpq_get_d(s.best));
        if (nin > 16) {
            printf(" (%zu values; use --json to get them)", nin);
        } else {
            printf("\n  ");
            print_point(s.at, nin);
        }
        printf("\n(found among the centre, corners and random points of %s; confirm with "
               "lumpnet eval --exact)\n", box_arg);
    } else {
        printf("unknown: the interval bound on the graphs is %.6g, above the tolerance, and "
               "the largest difference found is %.6g (output %zu) on %s\n", mpq_get_d(worst),
               mpq_get_d(s.best), s.output, box_arg);
    }
cleanup:
    free(ts);
    if (bd != NULL)
        lump_rat_vec_free(bd, nout);
    if (s.at != NULL)
        lump_rat_vec_free(s.at, nin);
    mpq_clears(worst, s.best, NULL);
    lump_box_clear(&box);
    lump_graph_clear(&a);
    lump_graph_clear(&b);
    return err != LUMP_OK ? cli_fail(err) : rc != CLI_OK ? rc : cli_verdict_rc(v);
}
