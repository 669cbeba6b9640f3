/* graph_exact.c -- evaluate a DAG network in exact rationals */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/graph.h"
#include "lumpnet/alloc.h"
#include "graph_i.h"

/* A tensor (or a weight array) as integers over one common positive
 * denominator: entry i is num[i] / den. Float weights have a power of two
 * as denominator and inputs a power of ten times one, so a dot product is
 * a sequence of mpz_addmul without the gcd that mpq_add would take at
 * every step; the result is put in lowest terms once, at the output. */
typedef struct {
    size_t n;
    mpz_t *num;
    mpz_t den;
} zvec_t;

static void zv_init(zvec_t *v, size_t n)
{
    v->n = n;
    v->num = lump_alloc_array(n > 0 ? n : 1, sizeof *v->num);
    for (size_t i = 0; i < n; i++)
        mpz_init(v->num[i]);
    mpz_init_set_ui(v->den, 1);
}

static void zv_clear(zvec_t *v)
{
    if (v->num == NULL)
        return;
    for (size_t i = 0; i < v->n; i++)
        mpz_clear(v->num[i]);
    free(v->num);
    mpz_clear(v->den);
    v->num = NULL;
}

/* zv_from_q -- V = the N rationals Q over their least common denominator. */
static void zv_from_q(zvec_t *v, const mpq_t *q, size_t n)
{
    mpz_t f;
    zv_init(v, n);
    mpz_init(f);
    for (size_t i = 0; i < n; i++)
        mpz_lcm(v->den, v->den, mpq_denref(q[i]));
    for (size_t i = 0; i < n; i++) {
        mpz_divexact(f, v->den, mpq_denref(q[i]));
        mpz_mul(v->num[i], mpq_numref(q[i]), f);
    }
    mpz_clear(f);
}

/* zv_from_arr -- V = the values of A, exactly. */
static void zv_from_arr(zvec_t *v, const lump_arr_t *a)
{
    mpq_t *q = lump_alloc_array(a->len > 0 ? a->len : 1, sizeof *q);
    for (size_t i = 0; i < a->len; i++) {
        mpq_init(q[i]);
        lump_arr_get(q[i], a, i);
    }
    zv_from_q(v, q, a->len);
    for (size_t i = 0; i < a->len; i++)
        mpq_clear(q[i]);
    free(q);
}

/* finish_affine -- Y (accumulated sums over denominator P) plus the bias
 * B (may be NULL): Y's denominator becomes lcm(P, B's). */
static void finish_affine(zvec_t *y, const mpz_t p, const zvec_t *b, size_t per)
{
    mpz_t fp, fb, t;
    mpz_inits(fp, fb, t, NULL);
    if (b == NULL) {
        mpz_set(y->den, p);
    } else {
        mpz_lcm(y->den, p, b->den);
        mpz_divexact(fp, y->den, p);
        mpz_divexact(fb, y->den, b->den);
        for (size_t i = 0; i < y->n; i++) {
            mpz_mul(y->num[i], y->num[i], fp);
            mpz_addmul(y->num[i], b->num[i / per], fb);
        }
    }
    mpz_clears(fp, fb, t, NULL);
}

static void dense(const lump_graph_node_t *n, const zvec_t *x, zvec_t *y)
{
    zvec_t w, b;
    mpz_t p;
    size_t nin = x->n;
    zv_from_arr(&w, &n->weight);
    if (n->has_bias)
        zv_from_arr(&b, &n->bias);
    mpz_init(p);
    mpz_mul(p, w.den, x->den);
    for (size_t j = 0; j < y->n; j++)
        for (size_t i = 0; i < nin; i++)
            if (mpz_sgn(w.num[j * nin + i]) != 0)
                mpz_addmul(y->num[j], w.num[j * nin + i], x->num[i]);
    finish_affine(y, p, n->has_bias ? &b : NULL, 1);
    mpz_clear(p);
    zv_clear(&w);
    if (n->has_bias)
        zv_clear(&b);
}

static void conv(const lump_graph_node_t *n, const lump_shape_t *xs, const zvec_t *x, zvec_t *y)
{
    const long C = (long)xs->dim[0], H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long CO = (long)n->shape.dim[0], OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const long kh = (long)n->kh, kw = (long)n->kw, G = (long)n->group;
    const long cpg = C / G, opg = CO / G;
    zvec_t w, b;
    mpz_t p;
    zv_from_arr(&w, &n->weight);
    if (n->has_bias)
        zv_from_arr(&b, &n->bias);
    mpz_init(p);
    mpz_mul(p, w.den, x->den);
    for (long co = 0; co < CO; co++)
        for (long cl = 0; cl < cpg; cl++) {
            long ci = (co / opg) * cpg + cl;
            for (long ky = 0; ky < kh; ky++)
                for (long kx = 0; kx < kw; kx++) {
                    const mpz_t *wv = &w.num[((co * cpg + cl) * kh + ky) * kw + kx];
                    if (mpz_sgn(*wv) == 0)
                        continue;
                    for (long oy = 0; oy < OH; oy++) {
                        long iy = oy * (long)n->sh + ky * (long)n->dh - (long)n->pt;
                        if (iy < 0 || iy >= H)
                            continue;
                        for (long ox = 0; ox < OW; ox++) {
                            long ix = ox * (long)n->sw + kx * (long)n->dw - (long)n->pl;
                            if (ix < 0 || ix >= W)
                                continue;
                            mpz_addmul(y->num[(co * OH + oy) * OW + ox], *wv,
                                       x->num[(ci * H + iy) * W + ix]);
                        }
                    }
                }
        }
    finish_affine(y, p, n->has_bias ? &b : NULL, (size_t)(OH * OW));
    mpz_clear(p);
    zv_clear(&w);
    if (n->has_bias)
        zv_clear(&b);
}

static void pool(const lump_graph_node_t *n, const lump_shape_t *xs, const zvec_t *x, zvec_t *y)
{
    const long H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    const int max = n->op == LUMP_GOP_MAXPOOL;
    mpz_t l, f;
    mpz_init_set_ui(l, 1);
    mpz_init(f);
    if (!max)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++)
                mpz_lcm_ui(l, l, (unsigned long)lump_i_graph_pool_count(n, H, W, oy, ox));
    for (long c = 0; c < (long)n->shape.dim[0]; c++)
        for (long oy = 0; oy < OH; oy++)
            for (long ox = 0; ox < OW; ox++) {
                mpz_t *yo = &y->num[(c * OH + oy) * OW + ox];
                int any = 0;
                lump_i_pool_window_t w;
                lump_i_graph_pool_window(&w, n, H, W, oy, ox);
                for (long r = 0; r < w.rows; r++)
                    for (long k = 0; k < w.cols; k++) {
                        const mpz_t *xi =
                            &x->num[c * H * W + w.first + r * w.row_step + k * w.col_step];
                        if (!max)
                            mpz_add(*yo, *yo, *xi);
                        else if (!any || mpz_cmp(*xi, *yo) > 0)
                            mpz_set(*yo, *xi);
                        any = 1;
                    }
                if (!max) {
                    mpz_divexact_ui(f, l, (unsigned long)lump_i_graph_pool_count(n, H, W, oy, ox));
                    mpz_mul(*yo, *yo, f);
                }
            }
    mpz_mul(y->den, x->den, l);
    mpz_clears(l, f, NULL);
}

static void pad(const lump_graph_node_t *n, const lump_shape_t *xs, const zvec_t *x, zvec_t *y)
{
    for (size_t e = 0; e < xs->size; e++) {
        size_t o = lump_i_graph_pad_target(n, xs, e);
        mpz_set(y->num[o], x->num[e]);
    }
    mpz_set(y->den, x->den);
}

/* sum_scaled -- Y = sum of the tensors XS (N of them, consecutive or
 * added), over their least common denominator. CONCAT places them one
 * after another; else they are added entry by entry. */
static void combine(zvec_t *y, const zvec_t *const *xs, size_t n, int concat)
{
    mpz_t f;
    size_t off = 0;
    mpz_init(f);
    mpz_set_ui(y->den, 1);
    for (size_t j = 0; j < n; j++)
        mpz_lcm(y->den, y->den, xs[j]->den);
    for (size_t j = 0; j < n; j++) {
        mpz_divexact(f, y->den, xs[j]->den);
        for (size_t e = 0; e < xs[j]->n; e++)
            mpz_addmul(y->num[concat ? off + e : e], xs[j]->num[e], f);
        off += xs[j]->n;
    }
    mpz_clear(f);
}

static lump_error_t act(const lump_graph_node_t *n, size_t i, const zvec_t *x, zvec_t *y)
{
    switch (n->act.kind) {
    case LUMP_ACT_IDENTITY:
    case LUMP_ACT_RELU:
        for (size_t e = 0; e < x->n; e++)
            if (n->act.kind == LUMP_ACT_IDENTITY || mpz_sgn(x->num[e]) > 0)
                mpz_set(y->num[e], x->num[e]);
        mpz_set(y->den, x->den);
        return LUMP_OK;
    case LUMP_ACT_LEAKY_RELU: {
        mpz_srcptr p = mpq_numref(n->act.alpha), q = mpq_denref(n->act.alpha);
        for (size_t e = 0; e < x->n; e++)
            mpz_mul(y->num[e], x->num[e], mpz_sgn(x->num[e]) < 0 ? p : q);
        mpz_mul(y->den, x->den, q);
        return LUMP_OK;
    }
    default:
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "node %zu ('%s'): exact evaluation needs piecewise-linear "
                              "activations, this one is %s",
                              i, n->name != NULL ? n->name : "", lump_act_name(n->act.kind));
    }
}

static void affine(const lump_graph_node_t *n, const zvec_t *x, zvec_t *y)
{
    zvec_t s, t;
    mpz_t p;
    zv_from_arr(&s, &n->weight);
    zv_from_arr(&t, &n->bias);
    mpz_init(p);
    mpz_mul(p, s.den, x->den);
    for (size_t e = 0; e < x->n; e++)
        mpz_mul(y->num[e], s.num[e], x->num[e]);
    finish_affine(y, p, &t, 1);
    mpz_clear(p);
    zv_clear(&s);
    zv_clear(&t);
}

/* lump_graph_eval_exact -- see lumpnet/graph.h. */
lump_error_t lump_graph_eval_exact(mpq_t *out, const lump_graph_t *g, const mpq_t *in)
{
    lump_error_t err = LUMP_OK;
    size_t nn = g->n_nodes;
    zvec_t *v = lump_alloc_zero(nn, sizeof *v);
    size_t *last = lump_alloc_zero(nn, sizeof *last);
    lump_require(nn > 0 && g->output < nn, "lump_graph_eval_exact");
    for (size_t i = 0; i < nn; i++)
        for (size_t j = 0; j < g->nodes[i].n_in; j++)
            last[g->nodes[i].in[j]] = i;
    last[g->output] = nn;
    zv_from_q(&v[0], in, lump_graph_n_inputs(g));
    for (size_t i = 1; i < nn; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        const zvec_t *x = &v[n->in[0]];
        const lump_shape_t *xs = &g->nodes[n->in[0]].shape;
        zv_init(&v[i], n->shape.size);
        switch (n->op) {
        case LUMP_GOP_INPUT:
            break;
        case LUMP_GOP_DENSE:
            dense(n, x, &v[i]);
            break;
        case LUMP_GOP_CONV:
            conv(n, xs, x, &v[i]);
            break;
        case LUMP_GOP_ACT:
            LUMP_CHECK(act(n, i, x, &v[i]));
            break;
        case LUMP_GOP_AFFINE:
            affine(n, x, &v[i]);
            break;
        case LUMP_GOP_AVGPOOL:
        case LUMP_GOP_MAXPOOL:
            pool(n, xs, x, &v[i]);
            break;
        case LUMP_GOP_PAD:
            pad(n, xs, x, &v[i]);
            break;
        case LUMP_GOP_GATHER:
            for (size_t e = 0; e < n->shape.size; e++)
                mpz_set(v[i].num[e], x->num[n->map[e]]);
            mpz_set(v[i].den, x->den);
            break;
        case LUMP_GOP_RESHAPE:
            for (size_t e = 0; e < n->shape.size; e++)
                mpz_set(v[i].num[e], x->num[e]);
            mpz_set(v[i].den, x->den);
            break;
        case LUMP_GOP_ADD:
        case LUMP_GOP_CONCAT: {
            const zvec_t **xs2 = lump_alloc_array(n->n_in, sizeof *xs2);
            for (size_t j = 0; j < n->n_in; j++)
                xs2[j] = &v[n->in[j]];
            combine(&v[i], xs2, n->n_in, n->op == LUMP_GOP_CONCAT);
            free(xs2);
            break;
        }
        }
        for (size_t j = 0; j < n->n_in; j++)
            if (last[n->in[j]] == i)
                zv_clear(&v[n->in[j]]);
    }
    for (size_t e = 0; e < v[g->output].n; e++) {
        mpz_set(mpq_numref(out[e]), v[g->output].num[e]);
        mpz_set(mpq_denref(out[e]), v[g->output].den);
        mpq_canonicalize(out[e]);
    }
cleanup:
    for (size_t i = 0; i < nn; i++)
        zv_clear(&v[i]);
    free(v);
    free(last);
    return err;
}
