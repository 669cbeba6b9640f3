/* bound_diff.c -- a certified bound on |f_j - g_j| over a box: a joint LP
 * relaxation of both networks solved by GLPK, made rigorous by weak
 * duality in exact rationals */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bound_encode.h"
#include "bound_test_i.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"

void lump_bound_opts_init(lump_bound_opts_t *o)
{
    *o = (lump_bound_opts_t){
        .encoding = LUMP_ENC_DIFFERENTIAL, .seed = 1, .symbolic = 1, .lp = 1, .max_boxes = 64};
}

void lump_bound_result_init(lump_bound_result_t *r)
{
    memset(r, 0, sizeof *r);
}

void lump_bound_result_clear(lump_bound_result_t *r)
{
    LUMP_FREE_ALL(r->bound, r->naive, r->bound_sym, r->bound_lp);
    lump_bound_result_init(r);
}

/* [LO, HI] of o_f - o_g for output J from the bounds [DL, DH] of
 * delta = y_f - y_g when both networks map their outputs alike (o = s y + t,
 * so o_f - o_g = s delta exactly); [-inf, inf] otherwise. */
static void out_diff(double *lo, double *hi, const lump_net_t *F, const lump_net_t *G, size_t j,
                     double dl, double dh)
{
    mpq_t a, b;
    *lo = -HUGE_VAL;
    *hi = HUGE_VAL;
    if (!F->has_outmap && !G->has_outmap) {
        *lo = dl;
        *hi = dh;
        return;
    }
    if (!(F->has_outmap && G->has_outmap && mpq_equal(F->out_scale[j], G->out_scale[j]) &&
          mpq_equal(F->out_shift[j], G->out_shift[j])) ||
        !isfinite(dl) || !isfinite(dh))
        return;
    mpq_inits(a, b, NULL);
    mpq_set_d(a, dl);
    mpq_mul(a, a, F->out_scale[j]);
    mpq_set_d(b, dh);
    mpq_mul(b, b, F->out_scale[j]);
    if (mpq_cmp(a, b) > 0)
        mpq_swap(a, b);
    *lo = lump_i_q_down(a);
    *hi = lump_i_q_up(b);
    mpq_clears(a, b, NULL);
}

/* The test hook of bound_test_i.h: 0 outside tests. */
static double test_perturb;

/* lump_i_bound_test_perturb -- see bound_test_i.h. */
void lump_i_bound_test_perturb(double amount)
{
    test_perturb = amount;
}

/* A uniform number in [-1, 1] from a splitmix64 state. */
static double unit_noise(uint64_t *state)
{
    return (double)(lump_i_splitmix64(state) >> 11) * 0x1p-52 - 1.0;
}

/* Solve max sum coef_k x_{col_k} with GLPK and turn its duals into the
 * rigorous bound *U (+inf when GLPK found no optimum). */
static lump_error_t solve_one(double *u, lump_i_lp_t *lp, const lump_i_model_t *m, size_t nobj,
                              const size_t *col, const double *coef, double *lambda,
                              const lump_bound_opts_t *o, uint64_t *rng)
{
    lump_error_t err = LUMP_OK;
    lump_i_lp_status_t st;
    lump_i_lp_clear_obj(lp);
    for (size_t k = 0; k < nobj; k++)
        lump_i_lp_set_obj(lp, col[k], coef[k]);
    LUMP_CHECK(lump_i_lp_solve(lp, &st));
    if (st != LUMP_I_LP_OPTIMAL) {
        *u = HUGE_VAL;
        if (o->verbose)
            fprintf(stderr, "bound: GLPK status %d, no certified value\n", (int)st);
        goto cleanup;
    }
    for (size_t i = 0; i < m->nrows; i++) {
        lambda[i] = lump_i_lp_row_dual(lp, i);
        if (test_perturb > 0)
            lambda[i] *= 1.0 + test_perturb * unit_noise(rng);
    }
    lump_i_model_dual_bound(u, m, lambda, nobj, col, coef);
    if (o->verbose)
        fprintf(stderr, "bound: GLPK objective %.17g, rigorous %.17g\n", lump_i_lp_obj(lp), *u);
cleanup:
    return err;
}

/* [*LO, *HI] of output J of NET (its output map applied exactly) when the
 * last layer's value lies in [YL, YH]. */
static void out_range(double *lo, double *hi, const lump_net_t *net, size_t j, double yl,
                      double yh)
{
    mpq_t a, c;
    if (!net->has_outmap || !isfinite(yl) || !isfinite(yh)) {
        *lo = yl;
        *hi = yh;
        if (net->has_outmap) {
            *lo = -HUGE_VAL;
            *hi = HUGE_VAL;
        }
        return;
    }
    mpq_inits(a, c, NULL);
    mpq_set_d(a, yl);
    mpq_mul(a, a, net->out_scale[j]);
    mpq_add(a, a, net->out_shift[j]);
    mpq_set_d(c, yh);
    mpq_mul(c, c, net->out_scale[j]);
    mpq_add(c, c, net->out_shift[j]);
    if (mpq_cmp(a, c) > 0)
        mpq_swap(a, c);
    *lo = lump_i_q_down(a);
    *hi = lump_i_q_up(c);
    mpq_clears(a, c, NULL);
}

/* Symbolic bounds over BOX: UP[j] >= sup f_j - g_j and DN[j] >= sup
 * g_j - f_j (capped by the interval bound of the difference), SENS (n
 * inputs, may be NULL) the input sensitivities; BF, BG, D keep the
 * tightened bounds. */
static lump_error_t sym_box(double *up, double *dn, double *sens, lump_bounds_t *bf,
                            lump_bounds_t *bg, lump_i_dbounds_t *d, const lump_net_t *f,
                            const lump_net_t *g, const lump_i_pair_t *pair,
                            const lump_box_t *box, const lump_bound_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f), k = f->n_layers;
    double *d0l = lump_alloc_array(n + 1, sizeof(double)),
           *d0h = lump_alloc_array(n + 1, sizeof(double));
    mpq_t t1, t2;
    mpq_inits(t1, t2, NULL);
    LUMP_CHECK(lump_bounds_interval(bf, f, box));
    LUMP_CHECK(lump_bounds_interval(bg, g, box));
    for (size_t u = 0; u < n; u++)
        lump_i_input_diff(&d0l[u], &d0h[u], f, g, box, u, t1, t2);
    LUMP_CHECK(lump_i_sym_bounds(bf, bg, d, f, g, pair, lump_i_inputs_shared(f, g, box), d0l, d0h,
                                 o->symbolic, o->verbose > 1));
    for (size_t j = 0; j < nout; j++) {
        double a, b, fl, fh, gl, gh;
        out_range(&fl, &fh, f, j, bf->ylo[k - 1][j], bf->yhi[k - 1][j]);
        out_range(&gl, &gh, g, j, bg->ylo[k - 1][j], bg->yhi[k - 1][j]);
        /* the output difference is delta = y_f - y_g of the paired
         * outputs (scale 1, no offset), not dz: the output layer may have
         * an activation, and one steeper than 1 or not monotone makes
         * |delta| larger than |dz|. Unpaired outputs (their activations
         * differ) have no difference bound. */
        if (pair->pi[k][j] == j)
            out_diff(&a, &b, f, g, j, d->dyl[k][j], d->dyh[k][j]);
        else
            a = -HUGE_VAL, b = HUGE_VAL;
        up[j] = fmin(b, lump_i_up(fh - gl));
        dn[j] = fmin(-a, lump_i_up(gh - fl));
    }
    if (sens != NULL)
        memcpy(sens, d->sens, n * sizeof(double));
cleanup:
    mpq_clears(t1, t2, NULL);
    free(d0l);
    free(d0h);
    return err;
}

/* A piece of the box with its bounds. */
typedef struct {
    lump_box_t box;
    double *up, *dn, *sens;
} leaf_t;

static void leaf_clear(leaf_t *l)
{
    lump_box_clear(&l->box);
    free(l->up);
    free(l->dn);
    free(l->sens);
}

static lump_error_t leaf_init(leaf_t *l, size_t n, size_t nout)
{
    lump_box_init(&l->box);
    l->up = lump_alloc_array(nout + 1, sizeof(double));
    l->dn = lump_alloc_array(nout + 1, sizeof(double));
    l->sens = lump_alloc_zero(n + 1, sizeof(double));
    return lump_box_alloc(&l->box, n);
}

/* Input splitting (as in ReluVal, Wang et al., USENIX Security 2018): the
 * sup over the box is the largest sup over pieces that cover it, and the
 * relaxations are much tighter on small pieces. Starting from the whole
 * box (UP, DN, SENS of the root), repeatedly bisect the piece that sets the
 * bound of some output (largest ratio to the current bound), along the
 * input whose back-substituted coefficient times width is largest, while
 * fewer than MAX_BOXES symbolic passes were spent. A piece keeps its
 * parent's bound when its own is larger (the parent's holds on it too).
 * On return UP and DN are the maxima over the pieces. Deterministic. */
static lump_error_t split_boxes(double *up, double *dn, const double *sens, const lump_net_t *f,
                                const lump_net_t *g, const lump_i_pair_t *pair,
                                const lump_box_t *box, const lump_bound_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    size_t n = f->n_inputs, nout = lump_net_n_outputs(f), nl = 0, cap, evals = 1;
    size_t level = lump_progress_begin("box", o->max_boxes, 0);
    leaf_t *lv = NULL;
    lump_bounds_t bf, bg;
    lump_i_dbounds_t d;
    double *G = lump_alloc_array(nout + 1, sizeof(double));
    double *tu = lump_alloc_array(nout + 1, sizeof(double)),
           *td = lump_alloc_array(nout + 1, sizeof(double));
    lump_bounds_init(&bf);
    lump_bounds_init(&bg);
    lump_i_dbounds_init(&d);
    cap = o->max_boxes / 2 + 2;
    lv = lump_alloc_zero(cap, sizeof *lv);
    LUMP_CHECK(leaf_init(&lv[0], n, nout));
    nl = 1;
    for (size_t u = 0; u < n; u++) {
        mpq_set(lv[0].box.lo[u], box->lo[u]);
        mpq_set(lv[0].box.hi[u], box->hi[u]);
    }
    memcpy(lv[0].up, up, nout * sizeof(double));
    memcpy(lv[0].dn, dn, nout * sizeof(double));
    memcpy(lv[0].sens, sens, n * sizeof(double));
    while (evals + 2 <= o->max_boxes && nl < cap) {
        size_t best = 0, dim = 0;
        double bs = -1, bt = -1, ds = -1;
        leaf_t *P, *C;
        LUMP_CHECK(lump_progress_step(level, evals));
        for (size_t j = 0; j < nout; j++) {
            G[j] = 0;
            for (size_t l = 0; l < nl; l++)
                G[j] = fmax(G[j], fmax(lv[l].up[j], lv[l].dn[j]));
        }
        for (size_t l = 0; l < nl; l++) {
            double sc = 0, tot = 0;
            for (size_t j = 0; j < nout; j++) {
                double x = G[j] > 0 ? fmax(lv[l].up[j], lv[l].dn[j]) / G[j] : 0;
                sc = fmax(sc, x);
                tot += x;
            }
            if (sc > bs || (sc == bs && tot > bt)) {
                bs = sc;
                bt = tot;
                best = l;
            }
        }
        if (!(bs > 0) || !isfinite(bs))
            break;
        P = &lv[best];
        for (size_t u = 0; u < n; u++)
            if (P->sens[u] > ds && mpq_cmp(P->box.lo[u], P->box.hi[u]) < 0) {
                ds = P->sens[u];
                dim = u;
            }
        if (ds < 0)
            break; /* a point: nothing to split */
        C = &lv[nl];
        LUMP_CHECK(leaf_init(C, n, nout));
        nl++;
        for (size_t u = 0; u < n; u++) {
            mpq_set(C->box.lo[u], P->box.lo[u]);
            mpq_set(C->box.hi[u], P->box.hi[u]);
        }
        /* P keeps the lower half, C takes the upper half */
        mpq_add(C->box.lo[dim], P->box.lo[dim], P->box.hi[dim]);
        mpq_div_2exp(C->box.lo[dim], C->box.lo[dim], 1);
        mpq_set(P->box.hi[dim], C->box.lo[dim]);
        /* both halves start from the parent's bounds, which hold on them */
        memcpy(C->up, P->up, nout * sizeof(double));
        memcpy(C->dn, P->dn, nout * sizeof(double));
        for (int h = 0; h < 2; h++) {
            leaf_t *X = h == 0 ? C : P;
            LUMP_CHECK(sym_box(tu, td, X->sens, &bf, &bg, &d, f, g, pair, &X->box, o));
            for (size_t j = 0; j < nout; j++) {
                X->up[j] = fmin(X->up[j], tu[j]);
                X->dn[j] = fmin(X->dn[j], td[j]);
            }
        }
        evals += 2;
    }
    for (size_t j = 0; j < nout; j++) {
        up[j] = dn[j] = 0;
        for (size_t l = 0; l < nl; l++) {
            up[j] = fmax(up[j], lv[l].up[j]);
            dn[j] = fmax(dn[j], lv[l].dn[j]);
        }
    }
    if (o->verbose)
        fprintf(stderr, "bound: %zu pieces of the box, %zu symbolic passes\n", nl, evals);
cleanup:
    lump_progress_end(level);
    for (size_t l = 0; l < nl; l++)
        leaf_clear(&lv[l]);
    LUMP_FREE_ALL(lv, G, tu, td);
    lump_bounds_clear(&bf);
    lump_bounds_clear(&bg);
    lump_i_dbounds_clear(&d);
    return err;
}

/* Refuse networks F and G that cannot be compared: different numbers of
 * inputs or outputs, or no outputs. */
static lump_error_t check_shapes(const lump_net_t *f, const lump_net_t *g, size_t nout)
{
    if (f->n_inputs != g->n_inputs)
        return lump_error_set(LUMP_EINPUT, "bound: the networks have %zu and %zu inputs",
                              f->n_inputs, g->n_inputs);
    if (nout != lump_net_n_outputs(g))
        return lump_error_set(LUMP_EINPUT, "bound: the networks have %zu and %zu outputs", nout,
                              lump_net_n_outputs(g));
    if (nout == 0)
        return lump_error_set(LUMP_EINPUT, "bound: the networks have no outputs");
    return LUMP_OK;
}

/* The naive bound from the interval bounds of both outputs: R->naive, and
 * DLO, DHI, the interval of each difference f_j - g_j; the symbolic and
 * LP bounds start at infinity. */
static void naive_bounds(lump_bound_result_t *r, double *dlo, double *dhi, const lump_net_t *f,
                         const lump_net_t *g, const lump_i_lpside_t *sf,
                         const lump_i_lpside_t *sg)
{
    for (size_t j = 0; j < r->n_outputs; j++) {
        double a, b, fl, fh, gl, gh;
        out_range(&fl, &fh, f, j, sf->b.ylo[f->n_layers - 1][j], sf->b.yhi[f->n_layers - 1][j]);
        out_range(&gl, &gh, g, j, sg->b.ylo[g->n_layers - 1][j], sg->b.yhi[g->n_layers - 1][j]);
        lump_i_diff_ival(&a, &b, fl, fh, gl, gh);
        r->naive[j] = fmax(b, -a);
        dlo[j] = a;
        dhi[j] = b;
        r->bound_sym[j] = r->bound_lp[j] = HUGE_VAL;
    }
}

/* Encode the LP of both sides over BOX (with the difference rows when
 * DIFF, which write back the difference columns DCOL and may tighten
 * DLO, DHI) into M, allocate the duals *LAMBDA and load M into a new *LP. */
static lump_error_t lp_build(lump_i_lp_t **lp, double **lambda, lump_i_model_t *m,
                             lump_i_lpside_t *sf, lump_i_lpside_t *sg, const lump_box_t *box,
                             int diff, const lump_i_pair_t *pair, const lump_i_dbounds_t *db,
                             size_t *dcol, double *dlo, double *dhi,
                             const lump_bound_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_i_encode_inputs(m, sf, sg, box);
    lump_i_encode_side(m, sf);
    lump_i_encode_side(m, sg);
    if (diff)
        lump_i_encode_diff(m, sf, sg, pair, db, dcol, dlo, dhi);
    if (opts->verbose)
        fprintf(stderr, "bound: %s encoding, LP of %zu rows, %zu columns, %zu entries\n",
                diff ? "differential" : "separate", m->nrows, m->ncols, m->ne);
    *lambda = lump_alloc_array(m->nrows + 1, sizeof(double));
    LUMP_CHECK(lump_i_lp_new(lp, 1));
    LUMP_CHECK(lump_i_model_load(*lp, m));
cleanup:
    return err;
}

/* The LP bounds of output J: *U bounds sup f_j - g_j, *W sup g_j - f_j,
 * on the difference column DCOL[J] (DIFF) or on both output columns. */
static lump_error_t lp_output(double *u, double *w, lump_i_lp_t *lp, const lump_i_model_t *m,
                              int diff, const size_t *dcol, const lump_i_lpside_t *sf,
                              const lump_i_lpside_t *sg, size_t j, double *lambda,
                              const lump_bound_opts_t *opts, uint64_t *rng)
{
    lump_error_t err = LUMP_OK;
    size_t col[2];
    double cp[2], cn[2];
    size_t nobj = diff ? 1 : 2;
    if (diff) {
        col[0] = dcol[j];
        cp[0] = 1.0;
        cn[0] = -1.0;
    } else {
        col[0] = sf->ocol[j];
        col[1] = sg->ocol[j];
        cp[0] = 1.0;
        cp[1] = -1.0;
        cn[0] = -1.0;
        cn[1] = 1.0;
    }
    LUMP_CHECK(solve_one(u, lp, m, nobj, col, cp, lambda, opts, rng));
    LUMP_CHECK(solve_one(w, lp, m, nobj, col, cn, lambda, opts, rng));
cleanup:
    return err;
}

/* lump_bound_diff_lumped -- see relax.h. Why the result is sound: the
 * symbolic bounds are weak-duality bounds of the layered relaxation whose
 * rounding errors are bounded and added (bound_sym.c), so every neuron
 * bound and difference bound holds at every x in the box (and in each
 * piece of it, when the box is split: the largest piece bound then bounds
 * the whole box). Every row and column bound of the LP holds for the true
 * values of both networks (the z rows hold the exact weights and biases,
 * the column bounds are those sound bounds, the triangle and chord rows
 * have exactly computed intercepts that put them above (below) the convex
 * (concave) activation at both ends, and the difference rows are
 * definitions with the exact scales), so the maximum of the LP with these
 * exact data bounds sup f_j - g_j; weak duality bounds that maximum from
 * any multipliers, evaluated in rationals (lump_i_model_dual_bound).
 * GLPK's floating-point answer only chooses the multipliers. U_j is the
 * smallest of these rigorous values and the (equally sound) interval
 * bound.
 * Errors: LUMP_EINPUT for mismatched networks, a lumping that does not fit
 * or a bad box. A GLPK fault costs only the LP bound (the
 * symbolic and interval bounds stand), see lump_i_lp_solve.
 * Time: up to MAX_BOXES symbolic passes, O(n m) each for n neurons and m
 * weights (each neuron back-substitutes to the inputs), then, when the
 * box was not split, 2 n_outputs simplex runs (warm-started) plus
 * O(entries) rational operations each for the dual step. */
lump_error_t lump_bound_diff_lumped(lump_bound_result_t *r, const lump_net_t *f,
                                    const lump_net_t *g, const lump_lumping_t *L,
                                    const lump_box_t *box, const lump_bound_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_bound_opts_t dflt;
    lump_i_lpside_t sf, sg;
    lump_i_model_t m;
    lump_i_lp_t *lp = NULL;
    lump_i_pair_t pair;
    lump_i_dbounds_t db;
    size_t nout = lump_net_n_outputs(f), *dcol = NULL;
    double *dlo = NULL, *dhi = NULL, *lambda = NULL, *up = NULL, *dn = NULL, *sens = NULL;
    double t0 = lump_clock_seconds();
    size_t level = lump_progress_begin("bound", 0, 0), lp_level;
    int diff, use_lp, split;
    uint64_t rng;
    if (opts == NULL) {
        lump_bound_opts_init(&dflt);
        opts = &dflt;
    }
    rng = opts->seed;
    memset(&sf, 0, sizeof sf);
    memset(&sg, 0, sizeof sg);
    sf.net = f;
    sg.net = g;
    lump_i_model_init(&m);
    lump_i_pair_init(&pair);
    lump_i_dbounds_init(&db);
    lump_bound_result_clear(r);
    LUMP_CHECK(check_shapes(f, g, nout));
    LUMP_CHECK(lump_i_check_box(f, box, "bound"));
    LUMP_CHECK(lump_bounds_interval(&sf.b, f, box));
    LUMP_CHECK(lump_bounds_interval(&sg.b, g, box));
    lump_i_lpside_alloc(&sf);
    lump_i_lpside_alloc(&sg);
    r->bound = lump_alloc_array(nout, sizeof(double));
    r->naive = lump_alloc_array(nout, sizeof(double));
    r->bound_sym = lump_alloc_array(nout, sizeof(double));
    r->bound_lp = lump_alloc_array(nout, sizeof(double));
    dcol = lump_alloc_array(nout, sizeof(size_t));
    dlo = lump_alloc_array(nout, sizeof(double));
    dhi = lump_alloc_array(nout, sizeof(double));
    up = lump_alloc_array(nout, sizeof(double));
    dn = lump_alloc_array(nout, sizeof(double));
    sens = lump_alloc_zero(f->n_inputs + 1, sizeof(double));
    r->n_outputs = nout;
    naive_bounds(r, dlo, dhi, f, g, &sf, &sg);
    diff = opts->encoding == LUMP_ENC_DIFFERENTIAL && f->n_layers == g->n_layers;
    if (L != NULL && !diff) {
        err = lump_error_set(LUMP_EINPUT, "bound: pairing through a lumping needs the "
                             "differential encoding and networks of equal depth");
        goto cleanup;
    }
    split = 0;
    if (diff) {
        LUMP_CHECK(lump_i_pair_build(&pair, f, g, L));
        LUMP_CHECK(sym_box(up, dn, sens, &sf.b, &sg.b, &db, f, g, &pair, box, opts));
        split = opts->symbolic && opts->max_boxes >= 3 && f->n_inputs <= LUMP_BOUND_SPLIT_INPUTS;
        if (split)
            LUMP_CHECK(split_boxes(up, dn, sens, f, g, &pair, box, opts));
        for (size_t j = 0; j < nout; j++) {
            dhi[j] = fmin(dhi[j], up[j]);
            dlo[j] = fmax(dlo[j], -dn[j]);
            r->bound_sym[j] = fmax(fmax(dhi[j], -dlo[j]), 0.0);
        }
    }
    r->certified = 1;
    use_lp = !diff || (opts->lp && !split);
    if (use_lp)
        LUMP_CHECK(lp_build(&lp, &lambda, &m, &sf, &sg, box, diff, &pair, &db, dcol, dlo, dhi,
                            opts));
    lp_level = lump_progress_begin("LP output", nout, LUMP_PROGRESS_EVEN);
    for (size_t j = 0; j < nout; j++) {
        double u = HUGE_VAL, w = HUGE_VAL;
        LUMP_CHECK(lump_progress_step(lp_level, j));
        if (use_lp) {
            LUMP_CHECK(lp_output(&u, &w, lp, &m, diff, dcol, &sf, &sg, j, lambda, opts, &rng));
            r->bound_lp[j] = fmax(fmax(u, w), 0.0);
        }
        /* U+ bounds sup f - g, U- bounds sup g - f; the symbolic and
         * interval bounds on the difference cap both */
        u = fmin(u, dhi[j]);
        w = fmin(w, -dlo[j]);
        r->bound[j] = fmax(fmax(u, w), 0.0);
        if (!isfinite(r->bound[j]))
            r->certified = 0;
    }
cleanup:
    lump_progress_end(level);
    r->seconds = lump_clock_seconds() - t0;
    lump_i_lp_free(lp);
    lump_i_model_clear(&m);
    lump_i_pair_clear(&pair);
    lump_i_dbounds_clear(&db);
    lump_i_lpside_clear(&sf);
    lump_i_lpside_clear(&sg);
    LUMP_FREE_ALL(dcol, dlo, dhi, up, dn, sens, lambda);
    if (err != LUMP_OK)
        lump_bound_result_clear(r);
    return err;
}

/* lump_bound_diff -- see relax.h: lump_bound_diff_lumped without a
 * lumping (neurons paired by index when the layer sizes agree). */
lump_error_t lump_bound_diff(lump_bound_result_t *r, const lump_net_t *f, const lump_net_t *g,
                             const lump_box_t *box, const lump_bound_opts_t *opts)
{
    return lump_bound_diff_lumped(r, f, g, NULL, box, opts);
}
