/* graph_double.c -- evaluate a DAG network in double precision, a batch of
 * inputs at a time */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/graph.h"
#include "lumpnet/alloc.h"
#include "graph_i.h"

/* Tensors are held as [entry][lane]: LANES inputs side by side, so the
 * innermost loop of every operation runs over the lanes with one weight,
 * a fixed-length loop that compilers turn into vector instructions without
 * gathers. The last chunk of a batch is padded with zero inputs. */
#define LANES 16

static inline void axpy(double *restrict y, double a, const double *restrict x)
{
    for (int b = 0; b < LANES; b++)
        y[b] += a * x[b];
}

static inline void fill(double *restrict y, double a)
{
    for (int b = 0; b < LANES; b++)
        y[b] = a;
}

/* The weights of a node as doubles (rounded to nearest; exact for float32
 * and float64 weights). */
typedef struct {
    double *w, *b;
} dw_t;

static double *arr_d(const lump_arr_t *a)
{
    double *d = lump_alloc_array(a->len > 0 ? a->len : 1, sizeof *d);
    if (a->store == LUMP_STORE_F32)
        for (size_t i = 0; i < a->len; i++)
            d[i] = ((const float *)a->data)[i];
    else
        for (size_t i = 0; i < a->len; i++)
            d[i] = lump_arr_get_d(a, i);
    return d;
}

/* first index o >= 0 with o * s + off >= 0, and one past the last with
 * o * s + off < lim, clipped to [0, n) */
static void range(long off, long s, long lim, long n, long *o0, long *o1)
{
    long a = off >= 0 ? 0 : (-off + s - 1) / s;
    long b = lim - 1 - off < 0 ? 0 : (lim - 1 - off) / s + 1;
    *o0 = a;
    *o1 = b < n ? b : n;
}

static void conv(const lump_graph_node_t *n, const lump_shape_t *xs, const dw_t *w, const double *x,
                 double *y)
{
    const long C = (long)xs->dim[0], H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long CO = (long)n->shape.dim[0], OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const long kh = (long)n->kh, kw = (long)n->kw, G = (long)n->group;
    const long cpg = C / G, opg = CO / G;
    for (long co = 0; co < CO; co++) {
        double *yc = y + (size_t)co * OH * OW * LANES;
        long g = co / opg;
        double b0 = n->has_bias ? w->b[co] : 0;
        for (long p = 0; p < OH * OW; p++)
            fill(yc + p * LANES, b0);
        for (long cl = 0; cl < cpg; cl++) {
            const double *xc = x + (size_t)(g * cpg + cl) * H * W * LANES;
            for (long ky = 0; ky < kh; ky++) {
                long oy0, oy1;
                range(ky * (long)n->dh - (long)n->pt, (long)n->sh, H, OH, &oy0, &oy1);
                for (long kx = 0; kx < kw; kx++) {
                    double wv = w->w[((co * cpg + cl) * kh + ky) * kw + kx];
                    long ox0, ox1, offx = kx * (long)n->dw - (long)n->pl;
                    if (wv == 0)
                        continue;
                    range(offx, (long)n->sw, W, OW, &ox0, &ox1);
                    for (long oy = oy0; oy < oy1; oy++) {
                        long iy = oy * (long)n->sh + ky * (long)n->dh - (long)n->pt;
                        double *yr = yc + (size_t)oy * OW * LANES;
                        const double *xr = xc + (size_t)iy * W * LANES;
                        for (long ox = ox0; ox < ox1; ox++)
                            axpy(yr + ox * LANES, wv, xr + (ox * (long)n->sw + offx) * LANES);
                    }
                }
            }
        }
    }
}

static void dense(const lump_graph_node_t *n, size_t nin, const dw_t *w, const double *x, double *y)
{
    for (size_t j = 0; j < n->shape.size; j++) {
        double *yj = y + j * LANES;
        const double *wj = w->w + j * nin;
        fill(yj, n->has_bias ? w->b[j] : 0);
        for (size_t i = 0; i < nin; i++)
            if (wj[i] != 0)
                axpy(yj, wj[i], x + i * LANES);
    }
}

static void pool(const lump_graph_node_t *n, const lump_shape_t *xs, const double *x, double *y)
{
    const long H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const int max = n->op == LUMP_GOP_MAXPOOL;
    for (long c = 0; c < (long)n->shape.dim[0]; c++)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                double acc[LANES];
                double *yo = y + ((size_t)(c * OH + oy) * OW + ox) * LANES;
                lump_i_pool_window_t w;
                lump_i_graph_pool_window(&w, n, H, W, oy, ox);
                fill(acc, max ? -INFINITY : 0);
                for (long r = 0; r < w.rows; r++)
                    for (long k = 0; k < w.cols; k++) {
                        const double *xi =
                            x +
                            (size_t)(c * H * W + w.first + r * w.row_step + k * w.col_step) * LANES;
                        if (max)
                            for (int b = 0; b < LANES; b++)
                                acc[b] = xi[b] > acc[b] ? xi[b] : acc[b];
                        else
                            for (int b = 0; b < LANES; b++)
                                acc[b] += xi[b];
                    }
                if (!max) {
                    /* the divisor: the window's entries inside the padded
                     * input, or only those inside the input */
                    double div = (double)(w.rows * w.cols);
                    if (n->count_include_pad)
                        div = (double)lump_i_graph_pool_count(n, H, W, oy, ox);
                    for (int b = 0; b < LANES; b++)
                        acc[b] /= div;
                }
                memcpy(yo, acc, sizeof acc);
            }
}

static void pad(const lump_graph_node_t *n, const lump_shape_t *xs, const double *x, double *y)
{
    memset(y, 0, n->shape.size * LANES * sizeof *y);
    for (size_t e = 0; e < xs->size; e++) {
        size_t o = lump_i_graph_pad_target(n, xs, e);
        memcpy(y + o * LANES, x + e * LANES, LANES * sizeof *y);
    }
}

/* step -- compute node I of G from the buffers of its inputs. */
static void step(const lump_graph_t *g, size_t i, const dw_t *w, double **buf)
{
    const lump_graph_node_t *n = &g->nodes[i];
    const lump_shape_t *xs = n->n_in > 0 ? &g->nodes[n->in[0]].shape : NULL;
    const double *x = n->n_in > 0 ? buf[n->in[0]] : NULL;
    double *y = buf[i];
    size_t m = n->shape.size * LANES;
    switch (n->op) {
    case LUMP_GOP_INPUT:
        break;
    case LUMP_GOP_DENSE:
        dense(n, xs->size, &w[i], x, y);
        break;
    case LUMP_GOP_CONV:
        conv(n, xs, &w[i], x, y);
        break;
    case LUMP_GOP_ACT:
        if (n->act.kind == LUMP_ACT_RELU)
            for (size_t e = 0; e < m; e++)
                y[e] = x[e] > 0 ? x[e] : 0;
        else
            for (size_t e = 0; e < m; e++)
                y[e] = lump_act_eval_d(&n->act, x[e]);
        break;
    case LUMP_GOP_ADD: {
        const double *x2 = buf[n->in[1]];
        for (size_t e = 0; e < m; e++)
            y[e] = x[e] + x2[e];
        break;
    }
    case LUMP_GOP_AFFINE:
        for (size_t e = 0; e < n->shape.size; e++)
            for (int b = 0; b < LANES; b++)
                y[e * LANES + b] = w[i].w[e] * x[e * LANES + b] + w[i].b[e];
        break;
    case LUMP_GOP_AVGPOOL:
    case LUMP_GOP_MAXPOOL:
        pool(n, xs, x, y);
        break;
    case LUMP_GOP_PAD:
        pad(n, xs, x, y);
        break;
    case LUMP_GOP_GATHER:
        for (size_t e = 0; e < n->shape.size; e++)
            memcpy(y + e * LANES, x + n->map[e] * LANES, LANES * sizeof *y);
        break;
    case LUMP_GOP_RESHAPE:
        memcpy(y, x, m * sizeof *y);
        break;
    case LUMP_GOP_CONCAT: {
        size_t off = 0;
        for (size_t j = 0; j < n->n_in; j++) {
            size_t s = g->nodes[n->in[j]].shape.size * LANES;
            memcpy(y + off, buf[n->in[j]], s * sizeof *y);
            off += s;
        }
        break;
    }
    }
}

/* A pool of released buffers, so that the chunks after the first reuse
 * memory instead of mapping and faulting fresh pages for every tensor. */
typedef struct {
    double **p;
    size_t *cap;
    size_t n;
} pool_t;

static double *take(pool_t *pl, size_t len)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < pl->n; i++)
        if (pl->cap[i] >= len && (best == SIZE_MAX || pl->cap[i] < pl->cap[best]))
            best = i;
    if (best != SIZE_MAX) {
        double *p = pl->p[best];
        pl->n--;
        pl->p[best] = pl->p[pl->n];
        pl->cap[best] = pl->cap[pl->n];
        return p;
    }
    return lump_alloc_array(len > 0 ? len : 1, sizeof(double));
}

/* give -- return P (LEN doubles) to the pool, which has room for every
 * node's buffer. */
static void give(pool_t *pl, double *p, size_t len)
{
    if (p == NULL)
        return;
    pl->p[pl->n] = p;
    pl->cap[pl->n++] = len;
}

/* lump_graph_eval_double -- see lumpnet/graph.h. Buffers live from the
 * node that computes them to their last reader, so memory is the widest
 * cut of the graph, not its total size. */
lump_error_t lump_graph_eval_double(double *out, const lump_graph_t *g, const double *in,
                                    size_t batch)
{
    size_t nn = g->n_nodes, nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g);
    dw_t *w = lump_alloc_zero(nn, sizeof *w);
    double **buf = lump_alloc_zero(nn, sizeof *buf);
    size_t *last = lump_alloc_zero(nn, sizeof *last);
    pool_t pl = {lump_alloc_array(nn, sizeof(double *)), lump_alloc_array(nn, sizeof(size_t)), 0};
    lump_require(nn > 0 && g->output < nn, "lump_graph_eval_double");
    for (size_t i = 0; i < nn; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        for (size_t j = 0; j < n->n_in; j++)
            last[n->in[j]] = i;
        if (n->op == LUMP_GOP_DENSE || n->op == LUMP_GOP_CONV || n->op == LUMP_GOP_AFFINE) {
            w[i].w = arr_d(&n->weight);
            w[i].b = n->has_bias ? arr_d(&n->bias) : NULL;
        }
    }
    last[g->output] = nn;
    for (size_t b0 = 0; b0 < batch; b0 += LANES) {
        size_t nb = batch - b0 < LANES ? batch - b0 : LANES;
        buf[0] = take(&pl, nin * LANES);
        memset(buf[0], 0, nin * LANES * sizeof **buf);
        for (size_t b = 0; b < nb; b++)
            for (size_t e = 0; e < nin; e++)
                buf[0][e * LANES + b] = in[(b0 + b) * nin + e];
        for (size_t i = 1; i < nn; i++) {
            const lump_graph_node_t *n = &g->nodes[i];
            buf[i] = take(&pl, n->shape.size * LANES);
            step(g, i, w, buf);
            for (size_t j = 0; j < n->n_in; j++)
                if (last[n->in[j]] == i) {
                    give(&pl, buf[n->in[j]], g->nodes[n->in[j]].shape.size * LANES);
                    buf[n->in[j]] = NULL;
                }
        }
        for (size_t b = 0; b < nb; b++)
            for (size_t e = 0; e < nout; e++)
                out[(b0 + b) * nout + e] = buf[g->output][e * LANES + b];
        for (size_t i = 0; i < nn; i++) {
            give(&pl, buf[i], g->nodes[i].shape.size * LANES);
            buf[i] = NULL;
        }
    }
    for (size_t i = 0; i < pl.n; i++)
        free(pl.p[i]);
    for (size_t i = 0; i < nn; i++) {
        free(w[i].w);
        free(w[i].b);
    }
    free(pl.p);
    free(pl.cap);
    free(w);
    free(buf);
    free(last);
    return LUMP_OK;
}
