/* graph_box.c -- box-guided channel epsilon-lumping of graph networks
 * (lumpnet/graph_relax.h): channels whose rows lie within EPS of a block
 * leader's, in units of pre-activation deviation over the box */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/graph_relax.h"
#include "lumpnet/graph_bound.h"
#include "lumpnet/relax.h"
#include "graph_snap_i.h"

/* source_act -- the activation node whose channels node X passes on
 * unchanged in number and whose values bound X's per channel: X itself,
 * or the ACT behind zero Pads and pools (a pool's or a zero pad's values
 * lie within the range of its input channel, and 0). SIZE_MAX when there
 * is none (X is the input: the box bounds it directly). */
static size_t source_act(const lump_graph_t *g, size_t x)
{
    for (;;) {
        const lump_graph_node_t *n = &g->nodes[x];
        if (n->op == LUMP_GOP_ACT)
            return x;
        if ((n->op == LUMP_GOP_PAD && n->pad_begin[0] + n->pad_end[0] == 0) ||
            n->op == LUMP_GOP_AVGPOOL || n->op == LUMP_GOP_MAXPOOL)
            x = n->in[0];
        else
            return SIZE_MAX;
    }
}

/* input_max -- M[u] >= max |y_u| over the box for each input channel u of
 * layer L's node (an entry, when the input is flat), from the exact
 * interval enclosures IV of the graph (lump_graph_intervals: linear in the
 * graph's size, where the unrolled network's bounds would be quadratic in
 * a wide MaxPool); +inf where nothing bounds it. */
static void input_max(double *M, size_t cin, const lump_graph_t *g, const lump_i_snap_layer_t *L,
                      const lump_graph_ivals_t *iv, const lump_box_t *box)
{
    size_t x = g->nodes[L->node].in[0];
    size_t a = g->nodes[x].op == LUMP_GOP_RESHAPE ? source_act(g, g->nodes[x].in[0])
                                                  : source_act(g, x);
    size_t xin = g->nodes[x].op == LUMP_GOP_RESHAPE ? g->nodes[x].in[0] : x;
    for (size_t u = 0; u < cin; u++)
        M[u] = HUGE_VAL;
    if (x == 0) {
        size_t per = box->n / cin;
        for (size_t u = 0; u < cin; u++) {
            M[u] = 0;
            for (size_t e = u * per; e < (u + 1) * per; e++) {
                double lo = fabs(mpq_get_d(box->lo[e])), hi = fabs(mpq_get_d(box->hi[e]));
                M[u] = fmax(M[u], fmax(lo, hi) * (1 + 1e-15));
            }
        }
        return;
    }
    if (a == SIZE_MAX)
        return;
    const lump_graph_node_t *an = &g->nodes[a];
    size_t ach = an->shape.dim[0], aper = an->shape.size / ach;
    /* a flat input read through a reshape: its entries per channel of the
     * activation behind it */
    size_t per = cin == ach ? 1 : cin / ach;
    if (cin != ach && (xin == x || cin % ach != 0))
        return;
    for (size_t c = 0; c < ach; c++) {
        double m = 0;
        for (size_t e = c * aper; e < (c + 1) * aper; e++)
            m = fmax(m, fmax(fabs(mpq_get_d(iv->lo[a][e])), fabs(mpq_get_d(iv->hi[a][e]))));
        m *= 1 + 1e-15; /* mpq_get_d truncates */
        for (size_t u = c * per; u < (c + 1) * per; u++)
            M[u] = m;
    }
}

/* dev -- the pre-activation deviation of R - S*C over the box: the sum of
 * |weight differences| times the input bounds, plus |bias difference|. */
static double dev(const double *r, double s, const float *c, const double *M, size_t cin,
                  size_t k, size_t rowlen)
{
    double d = fabs(r[rowlen] - s * c[rowlen]);
    for (size_t u = 0; u < cin; u++) {
        double w = 0;
        for (size_t t = u * k; t < (u + 1) * k; t++)
            w += fabs(r[t] - s * c[t]);
        d += w * M[u];
    }
    return d;
}

/* mnorm -- the weighted L1 norm of row R: sum |w| M + |b|. */
static double mnorm(const double *r, const double *M, size_t cin, size_t k, size_t rowlen)
{
    double d = fabs(r[rowlen]);
    for (size_t u = 0; u < cin; u++) {
        double w = 0;
        for (size_t t = u * k; t < (u + 1) * k; t++)
            w += fabs(r[t]);
        d += w * M[u];
    }
    return d;
}

/* cluster -- leader clustering of layer L's channels in index order: each
 * channel joins the first block whose leader row, scaled by the ratio of
 * the weighted norms, is within EPS of it; else it leads a new block. */
static void cluster(lump_i_snap_layer_t *L, const double *M, size_t cin, double eps)
{
    size_t k = L->rowlen / cin, w = L->rowlen + 1;
    double *nrm = lump_alloc_array(L->nch, sizeof *nrm);
    for (size_t v = 0; v < L->nch; v++) {
        const double *r = L->orig + v * w;
        nrm[v] = mnorm(r, M, cin, k, L->rowlen);
        L->blk[v] = v;
        L->scale[v] = 1.0f;
        for (size_t t = 0; t < w; t++)
            L->centre[v * w + t] = (float)r[t];
        for (size_t b = 0; b < v && isfinite(nrm[v]); b++) {
            if (L->blk[b] != b || !(nrm[b] > 0) || !isfinite(nrm[b]))
                continue;
            float s = (float)(nrm[v] / nrm[b]);
            if (s > 0 && dev(r, s, L->centre + b * w, M, cin, k, L->rowlen) <= eps) {
                L->blk[v] = b;
                L->scale[v] = s;
                break;
            }
        }
    }
    free(nrm);
}

/* lump_graph_relax_box -- see graph_relax.h. */
lump_error_t lump_graph_relax_box(lump_graph_t *out, size_t *params, size_t *channels,
                                  const lump_graph_t *g, const lump_box_t *box, double eps)
{
    lump_error_t err = LUMP_OK;
    lump_i_snap_t S;
    lump_graph_ivals_t iv;
    double *M = NULL;
    int have_s = 0;
    lump_graph_ivals_init(&iv);
    if (!(eps >= 0)) {
        err = lump_error_set(LUMP_EINPUT, "eps must be >= 0");
        goto cleanup;
    }
    LUMP_CHECK(lump_i_snap_layers(&S, g));
    have_s = 1;
    LUMP_CHECK(lump_graph_intervals(&iv, g, box, 53));
    for (size_t l = 0; l < S.n_layers; l++) {
        lump_i_snap_layer_t *L = &S.layer[l];
        const lump_graph_node_t *n = &g->nodes[L->node];
        size_t cin = n->op == LUMP_GOP_CONV ? L->rowlen / (n->kh * n->kw) : L->rowlen;
        M = lump_realloc_array(M, cin + 1, sizeof *M);
        input_max(M, cin, g, L, &iv, box);
        cluster(L, M, cin, eps);
    }
    LUMP_CHECK(lump_i_snap_emit(out, params, channels, &S, g));
cleanup:
    if (have_s)
        lump_i_snap_free(&S);
    free(M);
    lump_graph_ivals_clear(&iv);
    return err;
}
