/* stable_bounds.c -- LP bound tightening layer by layer with the triangle
 * relaxation; every tightened bound certified by exact weak duality */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bound_util.h"
#include "lp_model.h"
#include "stable_bounds.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"

/* The row of the model each LP row stands for (the certificate names rows
 * this way, see lump_row_kind_t). */
typedef struct {
    size_t layer, neuron;
    unsigned char kind;
} rowmeta_t;

/* A model row that is the sum of the rows DEF and ACT of a linear neuron
 * (its z column substituted): its multiplier goes to both. */
#define ROW_DEFACT 4

typedef struct {
    const lump_net_t *net;
    size_t k;
    double *xlo, *xhi;
    double **zlo, **zhi, **ylo, **yhi;
    mpq_t **tri_a, **tri_b; /* hi - lo and hi of unstable relus, kept for the model */
    size_t max_solves;      /* LP solves after which no LP starts; 0: no cap */
} state_t;

static int act_monotone(const lump_act_t *a)
{
    return lump_i_act_of(a)->linear || lump_i_act_of(a)->zero_below ||
           (lump_i_act_of(a)->has_alpha && mpq_sgn(a->alpha) >= 0);
}

static int layer_all(const lump_layer_t *L, int (*pred)(const lump_act_t *))
{
    for (size_t v = 0; v < L->size; v++)
        if (!pred(lump_layer_act(L, v)))
            return 0;
    return 1;
}

static int act_lp(const lump_act_t *a)
{
    return lump_i_act_of(a)->linear || lump_i_act_of(a)->zero_below;
}

static void layer_ybounds(state_t *s, size_t i)
{
    const lump_layer_t *L = &s->net->layers[i];
    for (size_t v = 0; v < L->size; v++)
        lump_i_act_ival(&s->ylo[i][v], &s->yhi[i][v], lump_layer_act(L, v), s->zlo[i][v],
                        s->zhi[i][v]);
}

/* Interval bounds of layer I from the (possibly tightened) bounds of the
 * layer before, rounded outward. */
static void layer_interval(state_t *s, size_t i)
{
    const lump_layer_t *L = &s->net->layers[i];
    const double *yl = i == 0 ? s->xlo : s->ylo[i - 1], *yh = i == 0 ? s->xhi : s->yhi[i - 1];
    double *wl = lump_alloc_array(L->in_size + 1, sizeof *wl),
           *wh = lump_alloc_array(L->in_size + 1, sizeof *wh);
    for (size_t v = 0; v < L->size; v++) {
        double bl, bh;
        for (size_t u = 0; u < L->in_size; u++)
            lump_i_arr_ival(&L->weight, v * L->in_size + u, &wl[u], &wh[u]);
        lump_i_arr_ival(&L->bias, v, &bl, &bh);
        lump_i_dot_ival(&s->zlo[i][v], &s->zhi[i][v], L->in_size, wl, wh, yl, yh, bl, bh);
    }
    free(wl);
    free(wh);
}

static int unstable_relu(const state_t *s, size_t j, size_t v)
{
    return lump_i_act_of(lump_layer_act(&s->net->layers[j], v))->zero_below && s->zlo[j][v] < 0 &&
           s->zhi[j][v] > 0;
}

/* The relaxation of layers FROM..I-1 plus the definition rows of layer I
 * (the targets); *ZC_I[v] is the z column of neuron v of layer I. The
 * outputs of layer FROM-1 (or the inputs) enter as columns within their
 * bounds: the window's multipliers are multipliers of the full relaxation
 * too, and the checker's weak-duality sum over the full relaxation gives
 * exactly the window's bound. */
static void build_model(lump_i_model_t *m, rowmeta_t **meta, size_t **zc_i, state_t *s, size_t from,
                        size_t i)
{
    const lump_net_t *net = s->net;
    size_t *prev = NULL, *cur = NULL, nmeta = 0, capmeta = 0, widest = net->n_inputs;
    mpq_t b, t;
    mpq_inits(b, t, NULL);
    *meta = NULL;
    for (size_t j = 0; j <= i; j++)
        if (net->layers[j].size > widest)
            widest = net->layers[j].size;
    prev = lump_alloc_array(widest, sizeof *prev);
    cur = lump_alloc_array(widest, sizeof *cur);
    *zc_i = lump_alloc_array(net->layers[i].size, sizeof **zc_i);
    if (from == 0)
        for (size_t u = 0; u < net->n_inputs; u++)
            lump_i_model_col(m, s->xlo[u], s->xhi[u], &prev[u]);
    else /* the window starts at layer FROM: the outputs before it are free within their bounds */
        for (size_t u = 0; u < net->layers[from - 1].size; u++) {
            prev[u] = LUMP_I_NOCOL;
            if (s->ylo[from - 1][u] != 0 || s->yhi[from - 1][u] != 0)
                lump_i_model_col(m, s->ylo[from - 1][u], s->yhi[from - 1][u], &prev[u]);
        }
#define META(L, V, K)                                                                              \
    do {                                                                                           \
        if (nmeta == capmeta) {                                                                    \
            capmeta = capmeta ? 2 * capmeta : 256;                                                 \
            *meta = lump_realloc_array(*meta, capmeta, sizeof **meta);                             \
        }                                                                                          \
        (*meta)[nmeta].layer = (L);                                                                \
        (*meta)[nmeta].neuron = (V);                                                               \
        (*meta)[nmeta++].kind = (K);                                                               \
    } while (0)
    for (size_t j = from; j <= i; j++) {
        const lump_layer_t *L = &net->layers[j];
        for (size_t v = 0; v < L->size; v++) {
            size_t zc;
            const int off =
                j < i && lump_i_act_of(lump_layer_act(L, v))->zero_below && s->zhi[j][v] <= 0;
            const int lin = j < i && !off && !unstable_relu(s, j, v);
            if (off) { /* y = 0 on the box: the neuron drops out of the LP */
                cur[v] = LUMP_I_NOCOL;
                continue;
            }
            /* a linear neuron is one column y with the row y - w.y' = b,
             * the sum of its rows DEF and ACT (kind DEFACT below) */
            lump_i_model_col(m, lin ? s->ylo[j][v] : s->zlo[j][v],
                             lin ? s->yhi[j][v] : s->zhi[j][v], &zc);
            if (j == i)
                (*zc_i)[v] = zc;
            lump_i_model_def_row(m, zc, L, v, prev, b);
            META(j, v, lin ? ROW_DEFACT : LUMP_ROW_DEF);
            if (j == i)
                continue;
            if (lin) {
                cur[v] = zc;
                continue;
            }
            lump_i_model_col(m, s->ylo[j][v], s->yhi[j][v], &cur[v]);
            mpq_set_ui(t, 0, 1); /* y - z >= 0 */
            lump_i_model_row_begin(m);
            lump_i_model_ent_d(m, cur[v], 1.0);
            lump_i_model_ent_d(m, zc, -1.0);
            lump_i_model_row_end(m, t, NULL);
            META(j, v, LUMP_ROW_GE);
            /* (hi - lo) y - hi z <= -hi lo */
            mpq_set_d(s->tri_b[j][v], s->zhi[j][v]);
            mpq_set_d(t, s->zlo[j][v]);
            mpq_sub(s->tri_a[j][v], s->tri_b[j][v], t);
            mpq_mul(t, t, s->tri_b[j][v]);
            mpq_neg(t, t);
            lump_i_model_row_begin(m);
            lump_i_model_ent_q(m, cur[v], s->tri_a[j][v], 0);
            lump_i_model_ent_q(m, zc, s->tri_b[j][v], 1);
            lump_i_model_row_end(m, NULL, t);
            META(j, v, LUMP_ROW_TRI);
        }
        {
            size_t *sw = prev;
            prev = cur;
            cur = sw;
        }
    }
#undef META
    free(prev);
    free(cur);
    mpq_clears(b, t, NULL);
}

static double round_mult(double l)
{
    float f = (float)l;
    return isfinite(f) ? (double)f : l;
}

/* Append the evidence of LAM (rows of layers < I) to layer I's claims. */
static void add_evidence(lump_stable_layer_t *c, size_t t, int upper, const double *lam,
                         const rowmeta_t *meta, size_t nrows, size_t i)
{
    lump_lp_evidence_t *e, *ne;
    size_t n = 0;
    for (size_t r = 0; r < nrows; r++)
        n += (lam[r] != 0 && meta[r].layer < i) * (meta[r].kind == ROW_DEFACT ? 2 : 1);
    ne = lump_realloc_array(c->evidence, c->n_evidence + 1, sizeof *ne);
    c->evidence = ne;
    e = &ne[c->n_evidence];
    memset(e, 0, sizeof *e);
    e->layer = lump_alloc_array(n + 1, sizeof *e->layer);
    e->row_neuron = lump_alloc_array(n + 1, sizeof *e->row_neuron);
    e->kind = lump_alloc(n + 1);
    e->value = lump_alloc_array(n + 1, sizeof *e->value);
    c->n_evidence++;
    e->neuron = t;
    e->upper = upper;
    for (size_t r = 0; r < nrows; r++) {
        if (lam[r] == 0 || meta[r].layer >= i)
            continue;
        for (int twice = 0; twice < (meta[r].kind == ROW_DEFACT ? 2 : 1); twice++) {
            e->layer[e->n] = meta[r].layer;
            e->row_neuron[e->n] = meta[r].neuron;
            e->kind[e->n] = meta[r].kind != ROW_DEFACT ? meta[r].kind
                            : twice == 0               ? LUMP_ROW_DEF
                                                       : LUMP_ROW_ACT;
            mpq_init(e->value[e->n]);
            mpq_set_d(e->value[e->n], lam[r]);
            e->n++;
        }
    }
}

/* One side of the LP bound of neuron T of layer I: S = +1 maximises z_t,
 * -1 minimises it. *OUT receives the certified bound on s z_t (+inf when
 * GLPK found no optimum). LAM is scratch of m->nrows entries and keeps
 * the multipliers used. */
static lump_error_t lp_side(double *out, lump_i_lp_t *lp, const lump_i_model_t *m,
                            const rowmeta_t *meta, size_t zcol, size_t t, size_t i, int s,
                            double *lam)
{
    lump_error_t err = LUMP_OK;
    lump_i_lp_status_t st;
    double coef = s;
    lump_i_lp_clear_obj(lp);
    lump_i_lp_set_obj(lp, zcol, coef);
    LUMP_CHECK(lump_i_lp_solve(lp, &st));
    *out = HUGE_VAL;
    if (st != LUMP_I_LP_OPTIMAL)
        goto cleanup;
    for (size_t r = 0; r < m->nrows; r++) {
        double l = lump_i_lp_row_dual(lp, r);
        if (meta[r].layer == i)
            l = meta[r].neuron == t ? coef : 0.0; /* the target's row carries the objective */
        else
            l = round_mult(l);
        if (!isfinite(l) || (l > 0 && m->hi_inf[r]) || (l < 0 && m->lo_inf[r]))
            l = 0.0;
        lam[r] = l;
    }
    lump_i_model_dual_bound(out, m, lam, 1, &zcol, &coef);
cleanup:
    return err;
}

/* The first layer of the LP window for the targets of layer I: as many
 * layers before I as fit BUDGET model rows (at least one), since the
 * simplex time grows fast with the rows, while layers far back add little
 * to the bound. */
static size_t window_start(const state_t *s, size_t i, size_t budget)
{
    size_t rows = 0, from = i;
    while (from > 0) {
        size_t r = 0;
        for (size_t v = 0; v < s->net->layers[from - 1].size; v++)
            r += unstable_relu(s, from - 1, v) ? 3
                 : lump_i_act_of(lump_layer_act(&s->net->layers[from - 1], v))->zero_below &&
                         s->zhi[from - 1][v] <= 0
                     ? 0
                     : 1;
        if (from < i && rows + r > budget)
            break;
        rows += r;
        from--;
    }
    return from;
}

static lump_error_t tighten_layer(state_t *s, lump_stable_layer_t *c, size_t i, size_t *solves,
                                  size_t *tightened, size_t budget, int verbose)
{
    lump_error_t err = LUMP_OK;
    lump_i_model_t m;
    lump_i_lp_t *lp = NULL, *lp2 = NULL;
    rowmeta_t *meta = NULL;
    size_t *zc = NULL;
    double *lam = NULL;
    size_t lv = lump_progress_begin("LP neuron", s->net->layers[i].size, 0);
    lump_i_model_init(&m);
    build_model(&m, &meta, &zc, s, window_start(s, i, budget), i);
    lam = lump_alloc_array(m.nrows + 1, sizeof *lam);
    /* one LP for the maxima and one for the minima: each warm-starts from
     * a basis optimal for a similar objective */
    LUMP_CHECK(lump_i_lp_new(&lp, 1));
    LUMP_CHECK(lump_i_model_load(lp, &m));
    LUMP_CHECK(lump_i_lp_new(&lp2, 1));
    LUMP_CHECK(lump_i_model_load(lp2, &m));
    for (size_t t = 0; t < s->net->layers[i].size; t++) {
        double u;
        LUMP_CHECK(lump_progress_step(lv, t));
        if (!unstable_relu(s, i, t))
            continue;
        if (s->max_solves > 0 && *solves >= s->max_solves)
            break; /* out of budget: the rest keep their interval bounds */
        LUMP_CHECK(lp_side(&u, lp, &m, meta, zc[t], t, i, 1, lam));
        (*solves)++;
        if (u < s->zhi[i][t]) {
            if (verbose)
                fprintf(stderr, "stable: layer %zu neuron %zu: hi %.6g -> %.6g\n", i + 1, t,
                        s->zhi[i][t], u);
            s->zhi[i][t] = u;
            (*tightened)++;
            add_evidence(c, t, 1, lam, meta, m.nrows, i);
        }
        if (s->zhi[i][t] <= 0)
            continue; /* inactive: its lower bound no longer matters */
        LUMP_CHECK(lp_side(&u, lp2, &m, meta, zc[t], t, i, -1, lam));
        (*solves)++;
        if (-u > s->zlo[i][t]) {
            if (verbose)
                fprintf(stderr, "stable: layer %zu neuron %zu: lo %.6g -> %.6g\n", i + 1, t,
                        s->zlo[i][t], -u);
            s->zlo[i][t] = -u;
            (*tightened)++;
            add_evidence(c, t, 0, lam, meta, m.nrows, i);
        }
    }
cleanup:
    lump_progress_end(lv);
    lump_i_lp_free(lp);
    lump_i_lp_free(lp2);
    lump_i_model_clear(&m);
    free(meta);
    free(zc);
    free(lam);
    return err;
}

static void state_free(state_t *s)
{
    for (size_t i = 0; i < s->k; i++) {
        size_t n = s->net->layers[i].size;
        if (s->zlo)
            free(s->zlo[i]);
        if (s->zhi)
            free(s->zhi[i]);
        if (s->ylo)
            free(s->ylo[i]);
        if (s->yhi)
            free(s->yhi[i]);
        for (size_t v = 0; v < n; v++) {
            if (s->tri_a && s->tri_a[i])
                mpq_clear(s->tri_a[i][v]);
            if (s->tri_b && s->tri_b[i])
                mpq_clear(s->tri_b[i][v]);
        }
        if (s->tri_a)
            free(s->tri_a[i]);
        if (s->tri_b)
            free(s->tri_b[i]);
    }
    LUMP_FREE_ALL(s->zlo, s->zhi, s->ylo, s->yhi, s->tri_a, s->tri_b, s->xlo, s->xhi);
}

/* lump_i_stable_bounds -- see stable_bounds.h. */
lump_error_t lump_i_stable_bounds(lump_stable_step_t *st, size_t *lp_solves, size_t *tightened,
                                  const lump_net_t *net, const lump_box_t *box, int use_lp,
                                  size_t budget, size_t max_solves, int verbose)
{
    lump_error_t err = LUMP_OK;
    state_t s;
    const size_t k = net->n_layers;
    int lp_ok = 1;
    mpq_t lo, hi;
    size_t lv = lump_progress_begin("bounds layer", k, 0);
    memset(&s, 0, sizeof s);
    mpq_inits(lo, hi, NULL);
    s.net = net;
    s.max_solves = max_solves;
    LUMP_CHECK(lump_i_check_box(net, box, "box reduction"));
    s.xlo = lump_alloc_array(net->n_inputs, sizeof *s.xlo);
    s.xhi = lump_alloc_array(net->n_inputs, sizeof *s.xhi);
    s.zlo = lump_alloc_zero(k, sizeof *s.zlo);
    s.zhi = lump_alloc_zero(k, sizeof *s.zhi);
    s.ylo = lump_alloc_zero(k, sizeof *s.ylo);
    s.yhi = lump_alloc_zero(k, sizeof *s.yhi);
    s.tri_a = lump_alloc_zero(k, sizeof *s.tri_a);
    s.tri_b = lump_alloc_zero(k, sizeof *s.tri_b);
    s.k = k;
    for (size_t i = 0; i < k; i++) {
        size_t n = net->layers[i].size;
        s.zlo[i] = lump_alloc_array(n, sizeof(double));
        s.zhi[i] = lump_alloc_array(n, sizeof(double));
        s.ylo[i] = lump_alloc_array(n, sizeof(double));
        s.yhi[i] = lump_alloc_array(n, sizeof(double));
        s.tri_a[i] = lump_alloc_array(n, sizeof(mpq_t));
        s.tri_b[i] = lump_alloc_array(n, sizeof(mpq_t));
        for (size_t v = 0; v < n; v++) {
            mpq_init(s.tri_a[i][v]);
            mpq_init(s.tri_b[i][v]);
        }
    }
    for (size_t u = 0; u < net->n_inputs; u++) {
        lump_i_input_range(lo, hi, net, box, u);
        s.xlo[u] = lump_i_q_down(lo);
        s.xhi[u] = lump_i_q_up(hi);
    }
    for (size_t i = 0; i < k; i++) {
        lump_stable_layer_t *c = &st->layers[i];
        LUMP_CHECK(lump_progress_step(lv, i));
        if (i > 0 && !layer_all(&net->layers[i - 1], act_monotone))
            break; /* the checker has no exact image of this layer's inputs */
        layer_interval(&s, i);
        if (use_lp && lp_ok && i > 0 && i + 1 < k && (max_solves == 0 || *lp_solves < max_solves))
            LUMP_CHECK(tighten_layer(&s, c, i, lp_solves, tightened, budget, verbose));
        layer_ybounds(&s, i);
        if (!layer_all(&net->layers[i], act_lp))
            lp_ok = 0;
        for (size_t v = 0; v < net->layers[i].size; v++)
            if (!isfinite(s.zlo[i][v]) || !isfinite(s.zhi[i][v]))
                goto cleanup; /* overflow: no finite claims from here on */
        c->has_bounds = 1;
        for (size_t v = 0; v < net->layers[i].size; v++) {
            mpq_set_d(c->lo[v], s.zlo[i][v]);
            mpq_set_d(c->hi[v], s.zhi[i][v]);
        }
    }
cleanup:
    lump_progress_end(lv);
    state_free(&s);
    mpq_clears(lo, hi, NULL);
    return err;
}
