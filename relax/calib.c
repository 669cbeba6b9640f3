/* calib.c -- calibration-guided relaxed lumping: merge neurons one at a
 * time, choosing each merge by its effect on the outputs over a set of
 * calibration inputs, and stop before the outputs move by more than eps
 * on any of them (see docs/relax.md, "Calibration-guided lumping") */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/relax.h"
#include "lumpnet/rat.h"
#include "relax_lump.h"
#include "act_i.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "grow_i.h"

#define NONE ((size_t)-1)

/* At most this many calibration points are used (evenly spaced): the cost
 * of a step is linear in their number, and a few hundred points rank the
 * candidates as well as thousands (measured on digits). */
#define CALIB_POINTS 512
/* Candidates ranked by the cheap estimate whose effect on the outputs is
 * then measured exactly. */
#define SHORTLIST 8
/* Steps between two full forward passes over the points: in between, the
 * cached values are updated incrementally (advance), which drifts by a
 * few units in the last place per step; the full pass resets the drift. */
#define RESYNC 32

typedef enum { STEP_CONST = 0, STEP_MERGE = 1 } step_kind_t;

/* One greedy step, in the indices of the original network: neuron V of
 * hidden layer LAYER becomes the constant MU (STEP_CONST), or is merged
 * into neuron U with y_v ~ S y_u (STEP_MERGE). DEV is the largest output
 * deviation on the calibration points after the step. */
typedef struct {
    step_kind_t kind;
    size_t layer, v, u;
    double s, mu, dev;
} step_t;

/* The working network: the original's shape, with removed neurons
 * zeroed and flagged. Block bookkeeping per original neuron: CUR, the
 * neuron of the working network it is merged into (NONE: a constant),
 * SC its scale (y_v ~ SC * y_CUR), CVAL its constant. */
typedef struct {
    size_t n_layers, n_in, maxw;
    const size_t *size, *insz;
    double **w, **b;
    unsigned char **alive, **isc;
    size_t **cur;
    double **sc, **cval;
    int f32;
} work_t;

struct lump_calib {
    const lump_net_t *net;
    size_t n_layers, n_in, n_points, *size, *insz;
    double *x0;   /* n_points x n_in, after clip and normalisation */
    double *y0;   /* the original's outputs there, before the output map */
    double *osc;  /* |out_scale_j| (1 without an output map) */
    step_t *step; /* the greedy sequence */
    size_t n_steps, cap;
};

/* X rounded to the storage of the network's weights. */
static double rnd(const work_t *w, double x)
{
    if (w->f32 && fabs(x) <= FLT_MAX)
        return (double)(float)x;
    return x;
}

/* A(Z) as lump_act_eval_d computes it, with relu inline: the activation
 * is evaluated for every point and neuron in every step. */
static inline double act_d(const lump_act_t *a, double z)
{
    if (a->kind == LUMP_ACT_RELU)
        return z > 0 ? z : 0.0;
    return lump_act_eval_d(a, z);
}

static void work_clear(work_t *w)
{
    /* work_init allocates the arrays of rows (zeroed) as it sets n_layers */
    for (size_t i = 0; i < w->n_layers; i++)
        LUMP_FREE_ALL(w->w[i], w->b[i], w->alive[i], w->isc[i], w->cur[i], w->sc[i], w->cval[i]);
    LUMP_FREE_ALL(w->w, w->b, w->alive, w->isc, w->cur, w->sc, w->cval);
    memset(w, 0, sizeof *w);
}

/* W = NET's weights as doubles, nothing merged yet. */
static lump_error_t work_init(work_t *w, const lump_calib_t *run)
{
    const lump_net_t *net = run->net;
    size_t L = run->n_layers;
    memset(w, 0, sizeof *w);
    w->n_layers = L;
    w->n_in = run->n_in;
    w->size = run->size;
    w->insz = run->insz;
    w->f32 = 1;
    w->w = lump_alloc_zero(L, sizeof *w->w);
    w->b = lump_alloc_zero(L, sizeof *w->b);
    w->alive = lump_alloc_zero(L, sizeof *w->alive);
    w->isc = lump_alloc_zero(L, sizeof *w->isc);
    w->cur = lump_alloc_zero(L, sizeof *w->cur);
    w->sc = lump_alloc_zero(L, sizeof *w->sc);
    w->cval = lump_alloc_zero(L, sizeof *w->cval);
    w->maxw = run->n_in;
    for (size_t i = 0; i < L; i++) {
        const lump_layer_t *lr = &net->layers[i];
        size_t n = run->size[i], m = run->insz[i];
        if (n > w->maxw)
            w->maxw = n;
        if (lr->weight.store != LUMP_STORE_F32 || lr->bias.store != LUMP_STORE_F32)
            w->f32 = 0;
        w->w[i] = lump_alloc_array(n * m + 1, sizeof **w->w);
        w->b[i] = lump_alloc_array(n + 1, sizeof **w->b);
        w->alive[i] = lump_alloc(n + 1);
        w->isc[i] = lump_alloc_zero(n + 1, 1);
        w->cur[i] = lump_alloc_array(n + 1, sizeof **w->cur);
        w->sc[i] = lump_alloc_array(n + 1, sizeof **w->sc);
        w->cval[i] = lump_alloc_zero(n + 1, sizeof **w->cval);
        for (size_t k = 0; k < n * m; k++)
            w->w[i][k] = lump_arr_get_d(&lr->weight, k);
        for (size_t v = 0; v < n; v++) {
            w->b[i][v] = lump_arr_get_d(&lr->bias, v);
            w->alive[i][v] = 1;
            w->cur[i][v] = v;
            w->sc[i][v] = 1;
        }
    }
    return LUMP_OK;
}

/* Replace neuron V of hidden layer I by the constant MU (folded into the
 * next layer's biases). */
static void apply_const(work_t *w, size_t i, size_t v, double mu)
{
    size_t n1 = w->size[i + 1], m1 = w->insz[i + 1];
    double *wn = w->w[i + 1], *bn = w->b[i + 1];
    for (size_t t = 0; t < n1; t++) {
        if (!w->alive[i + 1][t])
            continue;
        bn[t] = rnd(w, bn[t] + wn[t * m1 + v] * mu);
        wn[t * m1 + v] = 0;
    }
    w->alive[i][v] = 0;
    for (size_t k = 0; k < w->insz[i]; k++)
        w->w[i][v * w->insz[i] + k] = 0;
    for (size_t m = 0; m < w->size[i]; m++)
        if (w->cur[i][m] == v) {
            w->isc[i][m] = 1;
            w->cval[i][m] = w->sc[i][m] * mu;
            w->cur[i][m] = NONE;
        }
}

/* The merged row of U and V (y_v ~ S y_u): the least-squares centre
 * argmin |r_u - r|^2 + |r_v - S r|^2 = (r_u + S r_v) / (1 + S^2), rounded
 * to the network's storage; the bias is the last entry. */
static void merged_row(double *row, const work_t *w, size_t i, size_t u, size_t v, double s)
{
    size_t m = w->insz[i];
    const double *wu = w->w[i] + u * m, *wv = w->w[i] + v * m;
    double den = 1 + s * s;
    for (size_t k = 0; k < m; k++)
        row[k] = rnd(w, (wu[k] + s * wv[k]) / den);
    row[m] = rnd(w, (w->b[i][u] + s * w->b[i][v]) / den);
}

/* Merge neuron V of hidden layer I into U (y_v ~ S y_u); ROW is scratch. */
static void apply_merge(work_t *w, size_t i, size_t v, size_t u, double s, double *row)
{
    size_t m = w->insz[i], n1 = w->size[i + 1], m1 = w->insz[i + 1];
    double *wn = w->w[i + 1];
    merged_row(row, w, i, u, v, s);
    memcpy(w->w[i] + u * m, row, m * sizeof *row);
    w->b[i][u] = row[m];
    for (size_t k = 0; k < m; k++)
        w->w[i][v * m + k] = 0;
    w->b[i][v] = 0;
    for (size_t t = 0; t < n1; t++) {
        if (!w->alive[i + 1][t])
            continue;
        wn[t * m1 + u] = rnd(w, wn[t * m1 + u] + s * wn[t * m1 + v]);
        wn[t * m1 + v] = 0;
    }
    w->alive[i][v] = 0;
    for (size_t q = 0; q < w->size[i]; q++)
        if (w->cur[i][q] == v) {
            w->cur[i][q] = u;
            w->sc[i][q] *= s;
        }
}

static void apply_step(work_t *w, const step_t *st, double *row)
{
    if (st->kind == STEP_CONST)
        apply_const(w, st->layer, st->v, st->mu);
    else
        apply_merge(w, st->layer, st->v, st->u, st->s, row);
}

/* Z, Y (N x size[i]) of layer I from the previous layer's values YIN
 * (N x insz[i]): the alive neurons only. Four points share each pass
 * over a weight row (the rows are the larger operand: this quarters the
 * memory traffic of the matrix product); each dot product is still summed
 * in input order, so the blocking does not change a single bit. */
static void layer_fwd(double *z, double *y, const work_t *w, const lump_net_t *net, size_t i,
                      const double *yin, size_t npts)
{
    size_t n = w->size[i], m = w->insz[i], r = 0;
    const lump_layer_t *lr = &net->layers[i];
    for (; r + 4 <= npts; r += 4) {
        const double *x0 = yin + r * m, *x1 = x0 + m, *x2 = x1 + m, *x3 = x2 + m;
        for (size_t v = 0; v < n; v++) {
            const double *row = w->w[i] + v * m;
            double s0 = w->b[i][v], s1 = s0, s2 = s0, s3 = s0;
            const lump_act_t *a = lump_layer_act(lr, v);
            if (!w->alive[i][v]) {
                for (size_t q = 0; q < 4; q++)
                    z[(r + q) * n + v] = y[(r + q) * n + v] = 0;
                continue;
            }
            for (size_t k = 0; k < m; k++) {
                double c = row[k];
                s0 += c * x0[k];
                s1 += c * x1[k];
                s2 += c * x2[k];
                s3 += c * x3[k];
            }
            z[r * n + v] = s0;
            z[(r + 1) * n + v] = s1;
            z[(r + 2) * n + v] = s2;
            z[(r + 3) * n + v] = s3;
            y[r * n + v] = act_d(a, s0);
            y[(r + 1) * n + v] = act_d(a, s1);
            y[(r + 2) * n + v] = act_d(a, s2);
            y[(r + 3) * n + v] = act_d(a, s3);
        }
    }
    for (; r < npts; r++) {
        const double *x = yin + r * m;
        for (size_t v = 0; v < n; v++) {
            const double *row = w->w[i] + v * m;
            double s = w->b[i][v];
            if (!w->alive[i][v]) {
                z[r * n + v] = y[r * n + v] = 0;
                continue;
            }
            for (size_t k = 0; k < m; k++)
                s += row[k] * x[k];
            z[r * n + v] = s;
            y[r * n + v] = act_d(lump_layer_act(lr, v), s);
        }
    }
}

/* The mean square and the largest output deviation from the original
 * (scaled by the output map) of the outputs OUT (N x n_outputs). */
static void out_dev(double *mse, double *linf, const lump_calib_t *run, const double *out)
{
    size_t nout = run->size[run->n_layers - 1];
    double s2 = 0, mx = 0;
    for (size_t r = 0; r < run->n_points; r++)
        for (size_t j = 0; j < nout; j++) {
            double d = fabs(out[r * nout + j] - run->y0[r * nout + j]) * run->osc[j];
            s2 += d * d;
            if (d > mx)
                mx = d;
        }
    *mse = s2 / (double)(run->n_points * nout);
    *linf = mx;
}

/* A candidate step with its cheap estimate of cost. */
typedef struct {
    step_t st;
    double est;
} cand_t;

/* Is A ranked before B? By estimate, then layer, neuron, partner, kind. */
static int cand_before(const cand_t *a, const cand_t *b)
{
    if (a->est != b->est)
        return a->est < b->est;
    if (a->st.layer != b->st.layer)
        return a->st.layer < b->st.layer;
    if (a->st.v != b->st.v)
        return a->st.v < b->st.v;
    if (a->st.u != b->st.u)
        return a->st.u < b->st.u;
    return a->st.kind < b->st.kind;
}

/* Insert C into the shortlist SL of *N entries (at most SHORTLIST),
 * sorted by cand_before. */
static void shortlist_add(cand_t *sl, size_t *n, const cand_t *c)
{
    size_t k = *n;
    if (k == SHORTLIST && !cand_before(c, &sl[k - 1]))
        return;
    if (k < SHORTLIST)
        (*n)++;
    else
        k--;
    while (k > 0 && cand_before(c, &sl[k - 1])) {
        sl[k] = sl[k - 1];
        k--;
    }
    sl[k] = *c;
}

/* Can neurons U and V of a layer be merged, and with which scale? The
 * least-squares scale S of z_v ~ S z_u over the calibration points where
 * the activation allows one: positive for relu and leaky relu, non-zero
 * for identity; 1 for sigmoid and tanh. */
static int merge_scale(double *s, const lump_act_t *a, double guu, double guv)
{
    const lump_i_act_desc_t *d = lump_i_act_of(a);
    if (!d->homogeneous) {
        *s = 1;
        return 1;
    }
    *s = guu > 0 ? guv / guu : 0;
    if (d->any_sign)
        return *s != 0 && isfinite(*s);
    return *s > 1e-9 && isfinite(*s);
}

/* Scratch of one greedy run. */
typedef struct {
    double **z, **y; /* per layer, N x size */
    /* per hidden layer, the Gram matrix of z (size x size, by neuron
     * index; a removed neuron's row is zero) and whether it is out of
     * date: a step changes one column of its own layer but every column
     * of the layers after it */
    double **gram;
    unsigned char *dirty;
    double *row;     /* one merged row */
    double *ta, *tb; /* N x maxw each, candidate evaluation */
    double *ca, *cb, *cc; /* maxw each: per next-layer neuron, update coefficients */
    double *zb, *yb; /* N: the merged neuron */
    size_t *idx;     /* the alive neurons of a layer */
} scratch_t;

static void scratch_clear(scratch_t *s, size_t L)
{
    for (size_t i = 0; i < L; i++) {
        if (s->z != NULL)
            free(s->z[i]);
        if (s->y != NULL)
            free(s->y[i]);
    }
    for (size_t i = 0; i < L; i++)
        if (s->gram != NULL)
            free(s->gram[i]);
    LUMP_FREE_ALL(s->z, s->y, s->gram, s->dirty, s->row, s->ta, s->ca, s->cb, s->cc, s->tb, s->zb,
                  s->yb, s->idx);
    memset(s, 0, sizeof *s);
}

static lump_error_t scratch_alloc(scratch_t *s, const lump_calib_t *run, size_t maxw)
{
    size_t N = run->n_points, L = run->n_layers;
    memset(s, 0, sizeof *s);
    s->z = lump_alloc_zero(L, sizeof *s->z);
    s->y = lump_alloc_zero(L, sizeof *s->y);
    s->gram = lump_alloc_zero(L, sizeof *s->gram);
    s->dirty = lump_alloc_array(L + 1, 1);
    s->row = lump_alloc_array(maxw + 2, sizeof *s->row);
    s->ta = lump_alloc_array(N * maxw + 1, sizeof *s->ta);
    s->ca = lump_alloc_array(maxw + 1, sizeof *s->ca);
    s->cb = lump_alloc_array(maxw + 1, sizeof *s->cb);
    s->cc = lump_alloc_array(maxw + 1, sizeof *s->cc);
    s->tb = lump_alloc_array(N * maxw + 1, sizeof *s->tb);
    s->zb = lump_alloc_array(N + 1, sizeof *s->zb);
    s->yb = lump_alloc_array(N + 1, sizeof *s->yb);
    s->idx = lump_alloc_array(maxw + 1, sizeof *s->idx);
    for (size_t i = 0; i < L; i++) {
        s->z[i] = lump_alloc_array(N * run->size[i] + 1, sizeof **s->z);
        s->y[i] = lump_alloc_array(N * run->size[i] + 1, sizeof **s->y);
        s->gram[i] = lump_alloc_array(run->size[i] * run->size[i] + 1, sizeof **s->gram);
        s->dirty[i] = 1;
    }
    return LUMP_OK;
}

/* The forward pass of the working network over the calibration points. */
static void forward(scratch_t *s, const work_t *w, const lump_calib_t *run)
{
    for (size_t i = 0; i < run->n_layers; i++) {
        layer_fwd(s->z[i], s->y[i], w, run->net, i, i == 0 ? run->x0 : s->y[i - 1], run->n_points);
        s->dirty[i] = 1;
    }
}

/* The Gram matrix of layer I's z over the points, from the transpose of z
 * (TA: one contiguous row per neuron), four entries at a time: four
 * independent sums that share the loads of one row. Each entry is still
 * summed over the points in order. Removed neurons (z = 0) give zeros. */
static void gram_full(scratch_t *s, const work_t *w, const lump_calib_t *run, size_t i)
{
    size_t n = run->size[i], N = run->n_points, k = 0;
    double *G = s->gram[i], *zt = s->ta;
    const double *z = s->z[i];
    for (size_t v = 0; v < n; v++)
        if (w->alive[i][v])
            s->idx[k++] = v;
    memset(G, 0, n * n * sizeof *G);
    for (size_t a = 0; a < k; a++)
        for (size_t r = 0; r < N; r++)
            zt[a * N + r] = z[r * n + s->idx[a]];
    for (size_t a = 0; a < k; a++) {
        const double *za = zt + a * N;
        size_t b = a;
        for (; b + 4 <= k; b += 4) {
            const double *z0 = zt + b * N, *z1 = z0 + N, *z2 = z1 + N, *z3 = z2 + N;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (size_t r = 0; r < N; r++) {
                s0 += za[r] * z0[r];
                s1 += za[r] * z1[r];
                s2 += za[r] * z2[r];
                s3 += za[r] * z3[r];
            }
            G[s->idx[a] * n + s->idx[b]] = s0;
            G[s->idx[a] * n + s->idx[b + 1]] = s1;
            G[s->idx[a] * n + s->idx[b + 2]] = s2;
            G[s->idx[a] * n + s->idx[b + 3]] = s3;
        }
        for (; b < k; b++) {
            const double *zb = zt + b * N;
            double s0 = 0;
            for (size_t r = 0; r < N; r++)
                s0 += za[r] * zb[r];
            G[s->idx[a] * n + s->idx[b]] = s0;
        }
    }
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++)
            G[s->idx[b] * n + s->idx[a]] = G[s->idx[a] * n + s->idx[b]];
    s->dirty[i] = 0;
}

/* Row and column U of layer I's Gram matrix, after z_U changed. O(N n). */
static void gram_col(scratch_t *s, const lump_calib_t *run, size_t i, size_t u)
{
    size_t n = run->size[i], N = run->n_points;
    double *G = s->gram[i];
    const double *z = s->z[i];
    for (size_t b = 0; b < n; b++)
        G[u * n + b] = 0;
    for (size_t r = 0; r < N; r++) {
        const double *zr = z + r * n;
        double zu = zr[u];
        for (size_t b = 0; b < n; b++)
            G[u * n + b] += zu * zr[b];
    }
    for (size_t b = 0; b < n; b++)
        G[b * n + u] = G[u * n + b];
}

/* ZA (N x n_{i+1}, the next layer's pre-activations) += the change that
 * step ST of layer i makes, from the current values of S (and, for a
 * merge, the merged neuron's new values s->yb, which this computes):
 * a constant v adds db_t - w(t,v) y_v, a merge of v into u adds
 * w'(t,u) y'_u - w(t,u) y_u - w(t,v) y_v. The coefficients per neuron t
 * come first (zero for a removed t, whose row is zero: its z stays 0), so
 * the update runs along the rows of ZA. Each entry is the same
 * expression whichever loop order, so eval_cand and advance agree bit
 * for bit. O(N (m_i + n_{i+1})). */
static void next_update(double *za, scratch_t *s, const work_t *w, const lump_calib_t *run,
                        const step_t *st)
{
    size_t N = run->n_points, i = st->layer, v = st->v, u = st->u;
    size_t n = w->size[i], n1 = w->size[i + 1], m1 = w->insz[i + 1], m = w->insz[i];
    const double *wn = w->w[i + 1], *yi = s->y[i];
    double *ca = s->ca, *cb = s->cb, *cc = s->cc;
    if (st->kind == STEP_CONST) {
        for (size_t t = 0; t < n1; t++) {
            ca[t] = cb[t] = 0;
            if (!w->alive[i + 1][t])
                continue;
            ca[t] = rnd(w, w->b[i + 1][t] + wn[t * m1 + v] * st->mu) - w->b[i + 1][t];
            cb[t] = wn[t * m1 + v];
        }
        for (size_t r = 0; r < N; r++) {
            double yv = yi[r * n + v], *zr = za + r * n1;
            for (size_t t = 0; t < n1; t++)
                zr[t] += ca[t] - cb[t] * yv;
        }
    } else {
        const double *xin = i == 0 ? run->x0 : s->y[i - 1];
        const lump_act_t *a = lump_layer_act(&run->net->layers[i], u);
        merged_row(s->row, w, i, u, v, st->s);
        for (size_t r = 0; r < N; r++) {
            double z = s->row[m];
            for (size_t k = 0; k < m; k++)
                z += s->row[k] * xin[r * m + k];
            s->zb[r] = z;
            s->yb[r] = act_d(a, z);
        }
        for (size_t t = 0; t < n1; t++) {
            ca[t] = cb[t] = cc[t] = 0;
            if (!w->alive[i + 1][t])
                continue;
            ca[t] = wn[t * m1 + u];
            cb[t] = wn[t * m1 + v];
            cc[t] = rnd(w, ca[t] + st->s * cb[t]);
        }
        for (size_t r = 0; r < N; r++) {
            double yb = s->yb[r], yu = yi[r * n + u], yv = yi[r * n + v], *zr = za + r * n1;
            for (size_t t = 0; t < n1; t++)
                zr[t] += cc[t] * yb - ca[t] * yu - cb[t] * yv;
        }
    }
}

/* The outputs after candidate C (not applied), from the cached values of
 * the current network; returns the N x n_outputs array (in scratch). */
static const double *eval_cand(scratch_t *s, const work_t *w, const lump_calib_t *run,
                               const cand_t *c)
{
    size_t N = run->n_points, i = c->st.layer, n1 = w->size[i + 1];
    const lump_net_t *net = run->net;
    double *za = s->ta, *ya = s->tb;
    memcpy(za, s->z[i + 1], N * n1 * sizeof *za);
    next_update(za, s, w, run, &c->st);
    {
        const lump_layer_t *lr = &net->layers[i + 1];
        for (size_t r = 0; r < N; r++)
            for (size_t t = 0; t < n1; t++)
                ya[r * n1 + t] =
                    w->alive[i + 1][t] ? act_d(lump_layer_act(lr, t), za[r * n1 + t]) : 0;
    }
    for (size_t k = i + 2; k < run->n_layers; k++) {
        /* z and y share the buffer: only y is read on */
        double *out = ya == s->ta ? s->tb : s->ta;
        layer_fwd(out, out, w, net, k, ya, N);
        ya = out;
    }
    return ya;
}

/* Apply step ST to W and bring the cached values of S up to date without
 * a full forward pass: layer LAYER changes in one or two columns, the
 * next layer's pre-activations by the same low-rank correction that
 * eval_cand computes (the same operations in the same order, so the
 * values equal the candidate's evaluation), and only the layers after
 * that are recomputed. The update drifts from a fresh forward pass by a
 * few units in the last place per step; lump_calib_run resynchronises
 * every RESYNC steps. O(N (m_LAYER + n_{LAYER+1}) + N sum_{k > LAYER+1} m_k). */
static void advance(scratch_t *s, work_t *w, const lump_calib_t *run, const step_t *st)
{
    size_t N = run->n_points, i = st->layer, v = st->v, u = st->u;
    size_t n = w->size[i], n1 = w->size[i + 1];
    double *z1 = s->z[i + 1], *y1 = s->y[i + 1], *zi = s->z[i], *yi = s->y[i];
    const lump_net_t *net = run->net;
    next_update(z1, s, w, run, st);
    if (st->kind == STEP_MERGE)
        for (size_t r = 0; r < N; r++) {
            zi[r * n + u] = s->zb[r];
            yi[r * n + u] = s->yb[r];
        }
    for (size_t r = 0; r < N; r++)
        zi[r * n + v] = yi[r * n + v] = 0;
    apply_step(w, st, s->row);
    {
        const lump_layer_t *lr = &net->layers[i + 1];
        for (size_t r = 0; r < N; r++)
            for (size_t t = 0; t < n1; t++)
                y1[r * n1 + t] =
                    w->alive[i + 1][t] ? act_d(lump_layer_act(lr, t), z1[r * n1 + t]) : 0;
    }
    for (size_t k = i + 2; k < run->n_layers; k++)
        layer_fwd(s->z[k], s->y[k], w, net, k, s->y[k - 1], N);
    /* the Gram matrices: one column of this layer, all of the later ones */
    for (size_t b = 0; b < n; b++)
        s->gram[i][v * n + b] = s->gram[i][b * n + v] = 0;
    if (st->kind == STEP_MERGE && !s->dirty[i])
        gram_col(s, run, i, u);
    for (size_t k = i + 1; k < run->n_layers; k++)
        s->dirty[k] = 1;
}

/* The shortlist of the current network: for every hidden layer, every
 * alive neuron as a constant (its mean over the points), estimated cost
 * |w_out(v)|^2 * sum (y_v - mean)^2, and every ordered pair (v into u)
 * with the least-squares scale, estimated cost |w_out(v)|^2 times the
 * residual sum (z_v - s z_u)^2 over 1 + s^2. O(N sum n_i^2). */
static void shortlist(cand_t *sl, size_t *nsl, scratch_t *s, const work_t *w,
                      const lump_calib_t *run)
{
    size_t N = run->n_points;
    *nsl = 0;
    for (size_t i = 0; i + 1 < run->n_layers; i++) {
        size_t n = w->size[i], n1 = w->size[i + 1], m1 = w->insz[i + 1], k = 0;
        const double *y = s->y[i], *G = s->gram[i];
        const lump_layer_t *lr = &run->net->layers[i];
        for (size_t v = 0; v < n; v++)
            if (w->alive[i][v])
                s->idx[k++] = v;
        if (k < 2)
            continue;
        if (s->dirty[i])
            gram_full(s, w, run, i);
        for (size_t a = 0; a < k; a++) {
            size_t v = s->idx[a];
            double g2 = 0, mu = 0, var = 0;
            cand_t c;
            for (size_t t = 0; t < n1; t++)
                if (w->alive[i + 1][t])
                    g2 += w->w[i + 1][t * m1 + v] * w->w[i + 1][t * m1 + v];
            for (size_t r = 0; r < N; r++)
                mu += y[r * n + v];
            mu /= (double)N;
            for (size_t r = 0; r < N; r++)
                var += (y[r * n + v] - mu) * (y[r * n + v] - mu);
            memset(&c, 0, sizeof c);
            c.st.kind = STEP_CONST;
            c.st.layer = i;
            c.st.v = v;
            c.st.u = NONE;
            c.st.mu = mu;
            c.est = g2 * var;
            shortlist_add(sl, nsl, &c);
            for (size_t b = 0; b < k; b++) {
                size_t u = s->idx[b];
                double sc, res;
                if (u == v || !lump_act_equal(lump_layer_act(lr, u), lump_layer_act(lr, v)) ||
                    !merge_scale(&sc, lump_layer_act(lr, u), G[u * n + u], G[v * n + u]))
                    continue;
                res = G[v * n + v] - 2 * sc * G[v * n + u] + sc * sc * G[u * n + u];
                c.st.kind = STEP_MERGE;
                c.st.u = u;
                c.st.s = sc;
                c.est = g2 * (res > 0 ? res : 0) / (1 + sc * sc);
                shortlist_add(sl, nsl, &c);
            }
        }
    }
}

static lump_error_t run_push(lump_calib_t *run, const step_t *st)
{
    run->step = lump_i_grow(run->step, &run->cap, run->n_steps, sizeof *run->step, 64);
    run->step[run->n_steps++] = *st;
    return LUMP_OK;
}

/* Calibration points: at most CALIB_POINTS of X, evenly spaced, clipped
 * and normalised as the network's first layer sees them; then the
 * original's outputs there. */
static lump_error_t take_points(lump_calib_t *run, const double *x, size_t n)
{
    const lump_net_t *net = run->net;
    size_t np = n < CALIB_POINTS ? n : CALIB_POINTS, nin = net->n_inputs;
    run->n_points = np;
    for (size_t r = 0; r < n; r++) /* every point, used or not */
        for (size_t k = 0; k < nin; k++)
            if (!isfinite(x[r * nin + k]))
                return lump_error_set(LUMP_EINPUT,
                                      "calibration point %zu: input %zu is not a finite "
                                      "number",
                                      r + 1, k + 1);
    run->x0 = lump_alloc_array(np * nin + 1, sizeof *run->x0);
    for (size_t r = 0; r < np; r++) {
        size_t src =
            np < n && np > 1 ? (size_t)((double)r * (double)(n - 1) / (double)(np - 1)) : r;
        for (size_t k = 0; k < nin; k++) {
            double v = x[src * nin + k];
            if (net->has_clip) {
                double lo = lump_rat_get_d(net->clip_lo[k]), hi = lump_rat_get_d(net->clip_hi[k]);
                v = v < lo ? lo : (v > hi ? hi : v);
            }
            if (net->has_norm)
                v = (v - lump_rat_get_d(net->norm_mean[k])) / lump_rat_get_d(net->norm_range[k]);
            run->x0[r * nin + k] = v;
        }
    }
    return LUMP_OK;
}

/* lump_calib_run -- see relax.h. Each step: one forward pass over the
 * points, the shortlist by cheap estimates, the exact output effect of
 * each shortlisted step; the one of least mean square output deviation is
 * taken unless its largest deviation exceeds EPS_MAX, which ends the run.
 * Time: O(steps * (N * sum n_i^2 + SHORTLIST * N * m)). */
lump_error_t lump_calib_run(lump_calib_t **out, const lump_net_t *net, const double *x,
                            size_t n_points, double eps_max)
{
    lump_error_t err = LUMP_OK;
    lump_calib_t *run = NULL;
    work_t w;
    scratch_t s;
    size_t L = net->n_layers, nout;
    size_t lv = lump_progress_begin("merge step", 0, 0);
    memset(&w, 0, sizeof w);
    memset(&s, 0, sizeof s);
    *out = NULL;
    if (!(eps_max >= 0))
        return lump_error_set(LUMP_EINPUT, "calibration: epsilon must be >= 0, not %g", eps_max);
    if (n_points == 0)
        return lump_error_set(LUMP_EINPUT, "calibration: the calibration set is empty");
    LUMP_CHECK(lump_net_validate(net, "calibration"));
    run = lump_alloc_zero(1, sizeof *run);
    run->net = net;
    run->n_layers = L;
    run->n_in = net->n_inputs;
    run->size = lump_alloc_array(L + 1, sizeof *run->size);
    run->insz = lump_alloc_array(L + 1, sizeof *run->insz);
    for (size_t i = 0; i < L; i++) {
        run->size[i] = net->layers[i].size;
        run->insz[i] = net->layers[i].in_size;
    }
    nout = run->size[L - 1];
    LUMP_CHECK(take_points(run, x, n_points));
    run->y0 = lump_alloc_array(run->n_points * nout + 1, sizeof *run->y0);
    run->osc = lump_alloc_array(nout + 1, sizeof *run->osc);
    for (size_t j = 0; j < nout; j++)
        run->osc[j] = net->has_outmap ? fabs(lump_rat_get_d(net->out_scale[j])) : 1;
    LUMP_CHECK(work_init(&w, run));
    LUMP_CHECK(scratch_alloc(&s, run, w.maxw));
    forward(&s, &w, run);
    memcpy(run->y0, s.y[L - 1], run->n_points * nout * sizeof *run->y0);
    for (;;) {
        cand_t sl[SHORTLIST];
        size_t nsl, best = NONE;
        double bmse = HUGE_VAL;
        LUMP_CHECK(lump_progress_step(lv, run->n_steps));
        shortlist(sl, &nsl, &s, &w, run);
        for (size_t k = 0; k < nsl; k++) {
            double mse, linf;
            out_dev(&mse, &linf, run, eval_cand(&s, &w, run, &sl[k]));
            if (mse < bmse) {
                bmse = mse;
                best = k;
            }
        }
        /* the stop goes by the deviation recorded after the step (below),
         * not by this estimate of it, which may differ in the last bits:
         * so a run stopped at eps is exactly a prefix of a longer run */
        if (best == NONE)
            break;
        advance(&s, &w, run, &sl[best].st);
        if ((run->n_steps + 1) % RESYNC == 0)
            forward(&s, &w, run);
        /* the deviation recorded is the one of the network as it now is */
        out_dev(&bmse, &sl[best].st.dev, run, s.y[L - 1]);
        LUMP_CHECK(run_push(run, &sl[best].st));
        if (sl[best].st.dev > eps_max)
            break;
    }
    *out = run;
    run = NULL;
cleanup:
    lump_progress_end(lv);
    scratch_clear(&s, L);
    work_clear(&w);
    lump_calib_free(run);
    return err;
}

/* lump_calib_free -- see relax.h. */
void lump_calib_free(lump_calib_t *run)
{
    if (run == NULL)
        return;
    LUMP_FREE_ALL(run->size, run->insz, run->x0, run->y0, run->osc, run->step, run);
}

/* lump_calib_steps -- see relax.h. O(1). */
size_t lump_calib_steps(const lump_calib_t *run)
{
    return run->n_steps;
}

/* lump_calib_deviation -- see relax.h. O(1). */
double lump_calib_deviation(const lump_calib_t *run, size_t k)
{
    return k < run->n_steps ? run->step[k].dev : HUGE_VAL;
}

/* lump_calib_points -- see relax.h. O(1). */
size_t lump_calib_points(const lump_calib_t *run)
{
    return run->n_points;
}

/* The relaxed layers of the working network W (see relax_lump.h): per
 * layer, the alive neurons as kept blocks and the constants as
 * singletons, in canonical order (by lowest member); quotient rows over
 * the previous layer's kept blocks. */
static lump_error_t to_rlayers(rlayer_t *rl, const work_t *w)
{
    size_t L = w->n_layers, *kidx = NULL, *prev = NULL, nprev = w->n_in, *bof = NULL;
    lump_error_t err = LUMP_OK;
    for (size_t i = 0; i < L; i++) {
        size_t n = w->size[i], m = w->insz[i], nb = 0, nk = 0, d = nprev + 1;
        rlayer_t *r = &rl[i];
        size_t *np;
        lump_i_rlayer_alloc(r, n, d);
        r->q = lump_alloc_array(n * d + 1, sizeof *r->q);
        r->dead = lump_alloc_zero(n + 1, 1);
        kidx = lump_realloc_array(kidx, n + 1, sizeof *kidx);
        bof = lump_realloc_array(bof, n + 1, sizeof *bof);
        np = lump_alloc_array(n + 1, sizeof *np);
        /* blocks by lowest member: walk the neurons in order; a neuron
         * opens the block of its working neuron the first time it is met */
        for (size_t v = 0; v < n; v++)
            kidx[v] = bof[v] = NONE;
        for (size_t v = 0; v < n; v++) {
            size_t c = w->isc[i][v] ? NONE : w->cur[i][v];
            if (c == NONE) {
                bof[v] = nb++;
                r->isconst[bof[v]] = 1;
                r->value[bof[v]] = w->cval[i][v];
                r->scale[v] = 1;
            } else {
                if (kidx[c] == NONE) {
                    kidx[c] = nb++;
                    np[nk++] = c; /* kept block nk-1 is working neuron c */
                }
                bof[v] = kidx[c];
                r->scale[v] = w->sc[i][v];
            }
        }
        r->nblk = nb;
        r->nkeep = nk;
        {
            size_t pos = 0;
            for (size_t b = 0; b < nb; b++) {
                r->start[b] = pos;
                for (size_t v = 0; v < n; v++)
                    if (bof[v] == b)
                        r->mem[pos++] = v;
            }
            r->start[nb] = pos;
        }
        for (size_t k = 0; k < nk; k++) {
            const double *row = w->w[i] + np[k] * m;
            for (size_t t = 0; t < nprev; t++)
                r->q[k * d + t] = i == 0 ? row[t] : row[prev[t]];
            r->q[k * d + nprev] = w->b[i][np[k]];
        }
        free(prev);
        prev = np;
        nprev = nk;
    }
    free(kidx);
    free(prev);
    free(bof);
    return err;
}

/* lump_calib_at -- see relax.h. Replays the longest prefix of the run's
 * steps whose deviations are all <= EPS. O(steps * m): no pass over the points. */
lump_error_t lump_calib_at(lump_net_t *g, lump_lumping_t *L, double *dev, const lump_calib_t *run,
                           double eps)
{
    lump_error_t err = LUMP_OK;
    work_t w;
    rlayer_t *rl = NULL;
    double *row = NULL, d = 0;
    memset(&w, 0, sizeof w);
    if (!(eps >= 0))
        return lump_error_set(LUMP_EINPUT, "calibration: epsilon must be >= 0, not %g", eps);
    LUMP_CHECK(work_init(&w, run));
    row = lump_alloc_array(w.maxw + 2, sizeof *row);
    rl = lump_alloc_zero(run->n_layers + 1, sizeof *rl);
    for (size_t k = 0; k < run->n_steps && run->step[k].dev <= eps; k++) {
        apply_step(&w, &run->step[k], row);
        d = run->step[k].dev;
    }
    LUMP_CHECK(to_rlayers(rl, &w));
    LUMP_CHECK(lump_i_relax_finish(g, L, run->net, rl));
    if (dev != NULL)
        *dev = d;
cleanup:
    if (rl != NULL)
        for (size_t i = 0; i < run->n_layers; i++)
            lump_i_rlayer_clear(&rl[i]);
    free(rl);
    free(row);
    work_clear(&w);
    return err;
}

/* lump_relax_calib -- see relax.h. */
lump_error_t lump_relax_calib(lump_net_t *g, lump_lumping_t *L, double *dev, const lump_net_t *net,
                              const double *x, size_t n_points, double eps)
{
    lump_error_t err = LUMP_OK;
    lump_calib_t *run = NULL;
    if (!(eps >= 0) || !isfinite(eps))
        return lump_error_set(LUMP_EINPUT, "relax: epsilon must be a finite number >= 0, not %g",
                              eps);
    LUMP_CHECK(lump_calib_run(&run, net, x, n_points, eps));
    LUMP_CHECK(lump_calib_at(g, L, dev, run, eps));
cleanup:
    lump_calib_free(run);
    return err;
}
