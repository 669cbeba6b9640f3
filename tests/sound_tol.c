/* sound_tol.c -- the exact maximum difference of two one-input networks
 * over an interval, by sweeping breakpoints (see sound_tol.h) */
#include <stdlib.h>
#include <string.h>
#include "sound_obs.h"
#include "sound_tol.h"

/* a growing list of rationals */
typedef struct {
    mpq_t *v;
    size_t n, cap;
} qlist_t;

static void ql_push(qlist_t *l, const mpq_t q)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL)
            abort();
    }
    mpq_init(l->v[l->n]);
    mpq_set(l->v[l->n++], q);
}

static void ql_free(qlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        mpq_clear(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmp_q(const void *p, const void *q)
{
    return mpq_cmp(*(const mpq_t *)p, *(const mpq_t *)q);
}

/* sort and drop repeated values */
static void ql_sort_unique(qlist_t *l)
{
    size_t k = 0;
    qsort(l->v, l->n, sizeof *l->v, cmp_q);
    for (size_t i = 0; i < l->n; i++) {
        if (k > 0 && mpq_equal(l->v[k - 1], l->v[i])) {
            mpq_clear(l->v[i]);
            continue;
        }
        if (k != i)
            memcpy(&l->v[k], &l->v[i], sizeof l->v[i]); /* moves the limbs' owner */
        k++;
    }
    l->n = k;
}

/* the pre-activations of every layer of N at the one-input point X */
static mpq_t **pre_activations(const sr_net_t *n, const mpq_t x)
{
    mpq_t **z = malloc(n->n_layers * sizeof *z);
    mpq_t *out = so_qvec(sr_n_out(n));
    if (z == NULL)
        abort();
    for (size_t i = 0; i < n->n_layers; i++)
        z[i] = so_qvec(n->layer[i].size);
    sr_eval(out, n, (const mpq_t *)&x[0], z);
    so_qvec_free(out, sr_n_out(n));
    return z;
}

static void pre_free(mpq_t **z, const sr_net_t *n)
{
    for (size_t i = 0; i < n->n_layers; i++)
        so_qvec_free(z[i], n->layer[i].size);
    free(z);
}

/* the roots, strictly between consecutive POINTS, of the pre-activations
 * of layer K of N whose activation has a kink at 0 */
static void layer_roots(qlist_t *roots, const qlist_t *points, const sr_net_t *n, size_t k)
{
    mpq_t **zl, **zr, t;
    if (k >= n->n_layers || points->n < 2)
        return;
    mpq_init(t);
    zl = pre_activations(n, points->v[0]);
    for (size_t i = 0; i + 1 < points->n; i++) {
        zr = pre_activations(n, points->v[i + 1]);
        for (size_t v = 0; v < n->layer[k].size; v++) {
            const mpq_t *z0 = &zl[k][v], *z1 = &zr[k][v];
            if (n->layer[k].act[v].kind == LUMP_ACT_IDENTITY ||
                mpq_sgn(*z0) * mpq_sgn(*z1) >= 0)
                continue;
            /* x = p_i + (p_{i+1} - p_i) * z0 / (z0 - z1) */
            mpq_sub(t, *z0, *z1);
            mpq_div(t, *z0, t);
            {
                mpq_t w;
                mpq_init(w);
                mpq_sub(w, points->v[i + 1], points->v[i]);
                mpq_mul(t, t, w);
                mpq_add(t, t, points->v[i]);
                mpq_clear(w);
            }
            ql_push(roots, t);
        }
        pre_free(zl, n);
        zl = zr;
    }
    pre_free(zl, n);
    mpq_clear(t);
}

void st_diff_at(mpq_t out, size_t *argj, const sr_net_t *a, const sr_net_t *b, const mpq_t *x,
                const size_t *outs, size_t n_outs)
{
    size_t k = sr_n_out(a);
    mpq_t *ya = so_qvec(k), *yb = so_qvec(k), d;
    mpq_init(d);
    sr_eval(ya, a, x, NULL);
    sr_eval(yb, b, x, NULL);
    mpq_set_ui(out, 0, 1);
    if (argj != NULL)
        *argj = outs[0];
    for (size_t i = 0; i < n_outs; i++) {
        mpq_sub(d, ya[outs[i]], yb[outs[i]]);
        mpq_abs(d, d);
        if (mpq_cmp(d, out) > 0) {
            mpq_set(out, d);
            if (argj != NULL)
                *argj = outs[i];
        }
    }
    mpq_clear(d);
    so_qvec_free(ya, k);
    so_qvec_free(yb, k);
}

void st_max_diff_1d(mpq_t max, mpq_t argx, size_t *argj, const sr_net_t *a, const sr_net_t *b,
                    const mpq_t lo, const mpq_t hi, const size_t *outs, size_t n_outs)
{
    qlist_t points = {NULL, 0, 0};
    size_t depth = a->n_layers > b->n_layers ? a->n_layers : b->n_layers;
    const sr_net_t *nets[2] = {a, b};
    mpq_t d;
    ql_push(&points, lo);
    ql_push(&points, hi);
    /* the input clipping bends the function too */
    for (int m = 0; m < 2; m++)
        if (nets[m]->has_clip) {
            if (mpq_cmp(nets[m]->clip_lo[0], lo) > 0 && mpq_cmp(nets[m]->clip_lo[0], hi) < 0)
                ql_push(&points, nets[m]->clip_lo[0]);
            if (mpq_cmp(nets[m]->clip_hi[0], lo) > 0 && mpq_cmp(nets[m]->clip_hi[0], hi) < 0)
                ql_push(&points, nets[m]->clip_hi[0]);
        }
    ql_sort_unique(&points);
    for (size_t k = 0; k < depth; k++) {
        qlist_t roots = {NULL, 0, 0};
        for (int m = 0; m < 2; m++)
            layer_roots(&roots, &points, nets[m], k);
        for (size_t i = 0; i < roots.n; i++)
            ql_push(&points, roots.v[i]);
        ql_free(&roots);
        ql_sort_unique(&points);
    }
    mpq_init(d);
    mpq_set_si(max, -1, 1);
    for (size_t i = 0; i < points.n; i++) {
        size_t j;
        st_diff_at(d, &j, a, b, &points.v[i], outs, n_outs);
        if (mpq_cmp(d, max) > 0) {
            mpq_set(max, d);
            mpq_set(argx, points.v[i]);
            *argj = j;
        }
    }
    mpq_clear(d);
    ql_free(&points);
}
