/* graph_calib.c -- calibration-guided channel merging of graph networks,
 * and magnitude filter pruning, its baseline (lumpnet/graph_relax.h) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/graph_relax.h"
#include "lumpnet/progress.h"
#include "graph_snap_i.h"

#define CALIB_POINTS 512
#define SHORTLIST 8

enum { STEP_MERGE, STEP_REMOVE };

typedef struct {
    int kind;
    size_t layer, u, v; /* MERGE: v's block joins u's; REMOVE: v's block */
    double s;           /* MERGE: y_v ~ s y_u */
    double est;         /* the cheap estimate that shortlisted it */
} gstep_t;

struct lump_graph_calib {
    const lump_graph_t *g;
    size_t n_points, n_steps, cap;
    gstep_t *steps;
    double *dev;
};

static void apply(lump_i_snap_t *S, const gstep_t *st)
{
    if (st->kind == STEP_MERGE)
        lump_i_snap_merge(&S->layer[st->layer], st->u, st->v, st->s);
    else
        lump_i_snap_remove(&S->layer[st->layer], st->v);
}

/* take_points -- at most CALIB_POINTS evenly spaced rows of X, checked
 * finite. */
static lump_error_t take_points(double **xs, size_t *np, const double *x, size_t n, size_t nin)
{
    size_t m = n < CALIB_POINTS ? n : CALIB_POINTS;
    for (size_t r = 0; r < n; r++)
        for (size_t k = 0; k < nin; k++)
            if (!isfinite(x[r * nin + k]))
                return lump_error_set(LUMP_EINPUT,
                                      "calibration point %zu: input %zu is not a finite number",
                                      r + 1, k + 1);
    *xs = lump_alloc_array(m * nin + 1, sizeof **xs);
    for (size_t r = 0; r < m; r++) {
        size_t src = m < n && m > 1 ? (size_t)((double)r * (double)(n - 1) / (double)(m - 1)) : r;
        memcpy(*xs + r * nin, x + src * nin, nin * sizeof **xs);
    }
    *np = m;
    return LUMP_OK;
}

/* gram -- the channel Gram matrix of layer L over the points: G[u][v] =
 * sum over points and positions of y_u y_v, for the values Y of its
 * activation (N x nch x area). O(N area nch^2). */
static void gram(double *G, const lump_i_snap_layer_t *L, const double *Y, size_t N)
{
    size_t c = L->nch, a = L->area;
    memset(G, 0, c * c * sizeof *G);
    for (size_t n = 0; n < N; n++) {
        const double *y = Y + n * c * a;
        for (size_t u = 0; u < c; u++)
            for (size_t v = u; v < c; v++) {
                double s = 0;
                for (size_t p = 0; p < a; p++)
                    s += y[u * a + p] * y[v * a + p];
                G[u * c + v] += s;
            }
    }
    for (size_t u = 0; u < c; u++)
        for (size_t v = 0; v < u; v++)
            G[u * c + v] = G[v * c + u];
}

/* better -- the shortlist's order: smaller estimate first, then the step's
 * place (layer, u, v, kind), so that the run is deterministic. */
static int better(const gstep_t *a, const gstep_t *b)
{
    if (a->est != b->est)
        return a->est < b->est;
    if (a->layer != b->layer)
        return a->layer < b->layer;
    if (a->v != b->v)
        return a->v < b->v;
    if (a->u != b->u)
        return a->u < b->u;
    return a->kind < b->kind;
}

static void keep_best(gstep_t *sl, size_t *n, const gstep_t *c)
{
    size_t i = *n < SHORTLIST ? (*n)++ : SHORTLIST;
    if (i == SHORTLIST) {
        if (!better(c, &sl[SHORTLIST - 1]))
            return;
        i = SHORTLIST - 1;
    }
    while (i > 0 && better(c, &sl[i - 1])) {
        sl[i] = sl[i - 1];
        i--;
    }
    sl[i] = *c;
}

/* candidates -- every merge of two blocks (either way round, s the least-
 * squares ratio of their values when positive) and every removal of a
 * block, of a layer that keeps at least one block, ranked by the residual
 * of the replaced values times the consumer's weights on them. */
static void candidates(gstep_t *sl, size_t *nsl, const lump_i_snap_layer_t *L, size_t l,
                       const double *G)
{
    size_t c = L->nch;
    if (lump_i_snap_blocks(L) < 2)
        return;
    for (size_t v = 0; v < c; v++) {
        if (L->blk[v] != v)
            continue;
        double gvv = G[v * c + v];
        gstep_t rm = {STEP_REMOVE, l, v, v, 0.0, gvv * L->out2[v]};
        keep_best(sl, nsl, &rm);
        for (size_t u = 0; u < c; u++) {
            double guu = G[u * c + u], guv = G[u * c + v];
            if (u == v || L->blk[u] != u || !(guu > 0) || !(guv > 0))
                continue;
            double s = guv / guu, res = gvv - guv * s;
            gstep_t m = {STEP_MERGE, l, u, v, s, (res > 0 ? res : 0) * L->out2[v]};
            keep_best(sl, nsl, &m);
        }
    }
}

/* deviation -- mean square and largest |y - ref| over N points of NOUT. */
static void deviation(double *mse, double *linf, const double *y, const double *ref, size_t len)
{
    double s = 0, m = 0;
    for (size_t i = 0; i < len; i++) {
        double d = fabs(y[i] - ref[i]);
        s += d * d;
        m = d > m ? d : m;
    }
    *mse = s / (double)(len ? len : 1);
    *linf = m;
}

/* layer_values -- the values of layer L's activation in the snapped CUR
 * at the points. */
static lump_error_t layer_values(double *Y, lump_graph_t *cur, const lump_i_snap_layer_t *L,
                                 const double *x, size_t N)
{
    size_t out = cur->output;
    lump_error_t err;
    cur->output = L->act;
    err = lump_graph_eval_double(Y, cur, x, N);
    cur->output = out;
    return err;
}

/* step_once -- find the next step of the greedy (*FOUND 0 when there is
 * none), its deviation in *LINF. */
static lump_error_t step_once(gstep_t *best, int *found, double *linf, lump_graph_t *cur,
                              lump_i_snap_t *S, lump_i_snap_t *T, const lump_graph_t *g,
                              const double *x, const double *ref, size_t N)
{
    gstep_t sl[SHORTLIST];
    size_t nsl = 0, nout = lump_graph_n_outputs(g);
    double best_mse = HUGE_VAL;
    double *y = lump_alloc_array(N * nout + 1, sizeof *y);
    lump_error_t err = LUMP_OK;
    *found = 0;
    for (size_t l = 0; l < S->n_layers && err == LUMP_OK; l++) {
        const lump_i_snap_layer_t *L = &S->layer[l];
        double *Y = lump_alloc_array(N * L->nch * L->area + 1, sizeof *Y);
        double *G = lump_alloc_array(L->nch * L->nch, sizeof *G);
        err = layer_values(Y, cur, L, x, N);
        if (err == LUMP_OK) {
            gram(G, L, Y, N);
            candidates(sl, &nsl, L, l, G);
        }
        free(Y);
        free(G);
    }
    for (size_t k = 0; k < nsl && err == LUMP_OK; k++) {
        double mse, dev;
        lump_i_snap_copy(T, S);
        apply(T, &sl[k]);
        err = lump_i_snap_reset(cur, g, &T->layer[sl[k].layer]);
        if (err == LUMP_OK)
            err = lump_graph_eval_double(y, cur, x, N);
        if (err == LUMP_OK) {
            deviation(&mse, &dev, y, ref, N * nout);
            if (mse < best_mse) {
                best_mse = mse;
                *best = sl[k];
                *linf = dev;
                *found = 1;
            }
        }
        if (err == LUMP_OK)
            err = lump_i_snap_reset(cur, g, &S->layer[sl[k].layer]);
    }
    free(y);
    return err;
}

static void run_push(lump_graph_calib_t *run, const gstep_t *st, double dev)
{
    if (run->n_steps == run->cap) {
        run->cap = run->cap ? 2 * run->cap : 16;
        run->steps = lump_realloc_array(run->steps, run->cap, sizeof *run->steps);
        run->dev = lump_realloc_array(run->dev, run->cap, sizeof *run->dev);
    }
    run->steps[run->n_steps] = *st;
    run->dev[run->n_steps++] = dev;
}

/* lump_graph_calib_run -- see graph_relax.h. */
lump_error_t lump_graph_calib_run(lump_graph_calib_t **out, const lump_graph_t *g, const double *x,
                                  size_t n_points, double eps_max)
{
    lump_graph_calib_t *run;
    lump_i_snap_t S, T;
    lump_graph_t cur;
    double *xs = NULL, *ref;
    size_t N = 0, nout = lump_graph_n_outputs(g);
    lump_error_t err;
    if (n_points == 0)
        return lump_error_set(LUMP_EINPUT, "no calibration points");
    if (!(eps_max >= 0))
        return lump_error_set(LUMP_EINPUT, "the largest deviation must be >= 0");
    err = lump_i_snap_layers(&S, g);
    if (err != LUMP_OK)
        return err;
    err = take_points(&xs, &N, x, n_points, lump_graph_n_inputs(g));
    if (err != LUMP_OK) {
        lump_i_snap_free(&S);
        return err;
    }
    run = lump_alloc_zero(1, sizeof *run);
    run->g = g;
    run->n_points = N;
    lump_i_snap_clone(&T, &S);
    lump_graph_init(&cur);
    ref = lump_alloc_array(N * nout + 1, sizeof *ref);
    err = lump_graph_copy(&cur, g);
    if (err == LUMP_OK)
        err = lump_graph_eval_double(ref, g, xs, N);
    /* a step takes several evaluations over the points: report them, and
     * stop on an interrupt between steps */
    size_t lv = lump_progress_begin("merge step", 0, 0);
    while (err == LUMP_OK) {
        gstep_t st;
        int found;
        double dev;
        if ((err = lump_progress_step(lv, run->n_steps)) != LUMP_OK)
            break;
        err = step_once(&st, &found, &dev, &cur, &S, &T, g, xs, ref, N);
        if (err != LUMP_OK || !found)
            break;
        apply(&S, &st);
        err = lump_i_snap_reset(&cur, g, &S.layer[st.layer]);
        run_push(run, &st, dev);
        if (dev > eps_max)
            break;
    }
    lump_progress_end(lv);
    lump_graph_clear(&cur);
    lump_i_snap_free(&S);
    lump_i_snap_free(&T);
    free(xs);
    free(ref);
    if (err != LUMP_OK) {
        lump_graph_calib_free(run);
        return err;
    }
    *out = run;
    return LUMP_OK;
}

size_t lump_graph_calib_steps(const lump_graph_calib_t *run)
{
    return run->n_steps;
}

double lump_graph_calib_deviation(const lump_graph_calib_t *run, size_t k)
{
    return k < run->n_steps ? run->dev[k] : HUGE_VAL;
}

/* lump_graph_calib_at -- see graph_relax.h. The steps are replayed from
 * the original network, so the result depends on the prefix alone. */
lump_error_t lump_graph_calib_at(lump_graph_t *out, size_t *params, size_t *channels, double *dev,
                                 const lump_graph_calib_t *run, double eps)
{
    lump_i_snap_t S;
    size_t k = 0;
    lump_error_t err;
    while (k < run->n_steps && run->dev[k] <= eps)
        k++;
    err = lump_i_snap_layers(&S, run->g);
    if (err != LUMP_OK)
        return err;
    for (size_t i = 0; i < k; i++)
        apply(&S, &run->steps[i]);
    err = lump_i_snap_emit(out, params, channels, &S, run->g);
    if (err == LUMP_OK && dev != NULL)
        *dev = k > 0 ? run->dev[k - 1] : 0.0;
    lump_i_snap_free(&S);
    return err;
}

void lump_graph_calib_free(lump_graph_calib_t *run)
{
    if (run == NULL)
        return;
    free(run->steps);
    free(run->dev);
    free(run);
}

typedef struct {
    double score;
    size_t layer, ch;
} prune_t;

static int prune_cmp(const void *a, const void *b)
{
    const prune_t *p = a, *q = b;
    if (p->score != q->score)
        return p->score < q->score ? -1 : 1;
    if (p->layer != q->layer)
        return p->layer < q->layer ? -1 : 1;
    return p->ch < q->ch ? -1 : (p->ch > q->ch);
}

/* lump_graph_prune_filters -- see graph_relax.h. */
lump_error_t lump_graph_prune_filters(lump_graph_t *out, size_t *params, size_t *channels,
                                      const lump_graph_t *g, size_t max_params)
{
    lump_i_snap_t S;
    size_t n = 0;
    lump_error_t err = lump_i_snap_layers(&S, g);
    if (err != LUMP_OK)
        return err;
    for (size_t l = 0; l < S.n_layers; l++)
        n += S.layer[l].nch;
    prune_t *c = lump_alloc_array(n, sizeof *c);
    n = 0;
    for (size_t l = 0; l < S.n_layers; l++) {
        const lump_i_snap_layer_t *L = &S.layer[l];
        for (size_t v = 0; v < L->nch; v++) {
            double in2 = 0;
            for (size_t t = 0; t <= L->rowlen; t++)
                in2 += L->orig[v * (L->rowlen + 1) + t] * L->orig[v * (L->rowlen + 1) + t];
            c[n++] = (prune_t){sqrt(in2) * sqrt(L->out2[v]), l, v};
        }
    }
    qsort(c, n, sizeof *c, prune_cmp);
    for (size_t i = 0; i < n && lump_i_snap_params(&S, g) > max_params; i++) {
        lump_i_snap_layer_t *L = &S.layer[c[i].layer];
        if (lump_i_snap_blocks(L) >= 2)
            lump_i_snap_remove(L, c[i].ch);
    }
    free(c);
    err = lump_i_snap_emit(out, params, channels, &S, g);
    lump_i_snap_free(&S);
    return err;
}
