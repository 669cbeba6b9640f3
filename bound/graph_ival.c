/* graph_ival.c -- exact interval and differential interval arithmetic on
 * graph networks (lumpnet/graph_bound.h). Each node's enclosures are
 * integers over one common positive denominator, as in the exact graph
 * evaluator, so that an affine node is mpz_addmul without a gcd per term:
 * [lo/den, hi/den] for the entries of network A and, when paired,
 * [dlo/den, dhi/den] for the differences B - A and [blo/den, bhi/den]
 * for B's own entries (B enclosed alone: it narrows the range of b = a +
 * d where the activations' slopes are taken). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/graph_bound.h"
#include "lumpnet/alloc.h"
#include "lumpnet/progress.h"
#include "graph_i.h"
#include "act_i.h"

typedef struct {
    size_t n;
    int paired;
    mpz_t *lo, *hi, *dlo, *dhi, *blo, *bhi;
    mpz_t den;
} iv_t;

static mpz_t *zs_new(size_t n)
{
    mpz_t *z = lump_alloc_array(n > 0 ? n : 1, sizeof *z);
    for (size_t i = 0; i < n; i++)
        mpz_init(z[i]);
    return z;
}

static void zs_free(mpz_t *z, size_t n)
{
    if (z == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpz_clear(z[i]);
    free(z);
}

static void iv_init(iv_t *v, size_t n, int paired)
{
    v->n = n;
    v->paired = paired;
    v->lo = zs_new(n);
    v->hi = zs_new(n);
    v->dlo = paired ? zs_new(n) : NULL;
    v->dhi = paired ? zs_new(n) : NULL;
    v->blo = paired ? zs_new(n) : NULL;
    v->bhi = paired ? zs_new(n) : NULL;
    mpz_init_set_ui(v->den, 1);
}

static void iv_clear(iv_t *v)
{
    if (v->lo == NULL)
        return;
    zs_free(v->lo, v->n);
    zs_free(v->hi, v->n);
    zs_free(v->dlo, v->n);
    zs_free(v->dhi, v->n);
    zs_free(v->blo, v->n);
    zs_free(v->bhi, v->n);
    mpz_clear(v->den);
    memset(v, 0, sizeof *v);
}

/* the four arrays of V (two when not paired) */
static int iv_arrays(const iv_t *v, mpz_t **arr)
{
    arr[0] = v->lo;
    arr[1] = v->hi;
    arr[2] = v->dlo;
    arr[3] = v->dhi;
    arr[4] = v->blo;
    arr[5] = v->bhi;
    return v->paired ? 6 : 2;
}

/* iv_set_q -- V (initialised, N entries) := the rationals Q[a][e], a over
 * its arrays, on their least common denominator */
static void iv_set_q(iv_t *v, mpq_t *const *q)
{
    mpz_t *arr[6], f;
    int na = iv_arrays(v, arr);
    mpz_init(f);
    mpz_set_ui(v->den, 1);
    for (int a = 0; a < na; a++)
        for (size_t e = 0; e < v->n; e++)
            mpz_lcm(v->den, v->den, mpq_denref(q[a][e]));
    for (int a = 0; a < na; a++)
        for (size_t e = 0; e < v->n; e++) {
            mpz_divexact(f, v->den, mpq_denref(q[a][e]));
            mpz_mul(arr[a][e], mpq_numref(q[a][e]), f);
        }
    mpz_clear(f);
}

/* get -- Q = NUM / V's denominator */
static void get(mpq_t q, const iv_t *v, const mpz_t num)
{
    mpz_set(mpq_numref(q), num);
    mpz_set(mpq_denref(q), v->den);
    mpq_canonicalize(q);
}

/* Weights of one node, of A and of B, as integers over one denominator;
 * W[k] for A, WB[k] for B (NULL when not paired). */
typedef struct {
    size_t n;
    mpz_t *w, *wb;
    mpz_t den;
} wts_t;

/* wts_set -- from the arrays A and B (B may be NULL; a missing array is
 * zeros: a node without bias) */
static void wts_set(wts_t *t, size_t n, const lump_arr_t *a, const lump_arr_t *b, int paired)
{
    mpq_t q;
    mpz_t f;
    mpq_init(q);
    mpz_init(f);
    t->n = n;
    t->w = zs_new(n);
    t->wb = paired ? zs_new(n) : NULL;
    mpz_init_set_ui(t->den, 1);
    for (int s = 0; s < (paired ? 2 : 1); s++) {
        const lump_arr_t *x = s == 0 ? a : b;
        if (x == NULL)
            continue;
        for (size_t k = 0; k < n; k++)
            if (lump_arr_sgn(x, k) != 0) {
                lump_arr_get(q, x, k);
                mpz_lcm(t->den, t->den, mpq_denref(q));
            }
    }
    for (int s = 0; s < (paired ? 2 : 1); s++) {
        const lump_arr_t *x = s == 0 ? a : b;
        mpz_t *dst = s == 0 ? t->w : t->wb;
        if (x == NULL)
            continue;
        for (size_t k = 0; k < n; k++)
            if (lump_arr_sgn(x, k) != 0) {
                lump_arr_get(q, x, k);
                mpz_divexact(f, t->den, mpq_denref(q));
                mpz_mul(dst[k], mpq_numref(q), f);
            }
    }
    mpq_clear(q);
    mpz_clear(f);
}

static void wts_clear(wts_t *t)
{
    zs_free(t->w, t->n);
    zs_free(t->wb, t->n);
    mpz_clear(t->den);
}

/* One affine node in progress: Y += weight k times entry i of X. */
typedef struct {
    const iv_t *x;
    iv_t *y;
    const wts_t *w;
    mpz_t t;
} lin_t;

/* addmul -- [LO, HI] += C [XL, XH] */
static void addmul(mpz_t lo, mpz_t hi, const mpz_t c, const mpz_t xl, const mpz_t xh)
{
    int s = mpz_sgn(c);
    if (s > 0) {
        mpz_addmul(lo, c, xl);
        mpz_addmul(hi, c, xh);
    } else if (s < 0) {
        mpz_addmul(lo, c, xh);
        mpz_addmul(hi, c, xl);
    }
}

/* term -- output O += weight K times input I: A by W; the difference by
 * W_B d + (W_B - W_A) a */
static void term(lin_t *L, size_t o, size_t i, size_t k)
{
    const iv_t *x = L->x;
    iv_t *y = L->y;
    addmul(y->lo[o], y->hi[o], L->w->w[k], x->lo[i], x->hi[i]);
    if (!y->paired)
        return;
    addmul(y->dlo[o], y->dhi[o], L->w->wb[k], x->dlo[i], x->dhi[i]);
    addmul(y->blo[o], y->bhi[o], L->w->wb[k], x->blo[i], x->bhi[i]);
    if (mpz_cmp(L->w->wb[k], L->w->w[k]) != 0) {
        mpz_sub(L->t, L->w->wb[k], L->w->w[k]);
        addmul(y->dlo[o], y->dhi[o], L->t, x->lo[i], x->hi[i]);
    }
}

/* finish -- Y's sums are over W's denominator times X's; add the biases
 * BIAS (entry o / PER of each; NULL for none) */
static void finish(iv_t *y, const iv_t *x, const wts_t *w, const wts_t *bias, size_t per)
{
    mpz_t p, fp, fb;
    mpz_inits(p, fp, fb, NULL);
    mpz_mul(p, w->den, x->den);
    if (bias == NULL) {
        mpz_set(y->den, p);
    } else {
        mpz_lcm(y->den, p, bias->den);
        mpz_divexact(fp, y->den, p);
        mpz_divexact(fb, y->den, bias->den);
        for (size_t o = 0; o < y->n; o++) {
            const size_t k = o / per;
            mpz_mul(y->lo[o], y->lo[o], fp);
            mpz_mul(y->hi[o], y->hi[o], fp);
            mpz_addmul(y->lo[o], bias->w[k], fb);
            mpz_addmul(y->hi[o], bias->w[k], fb);
            if (y->paired) {
                mpz_mul(y->dlo[o], y->dlo[o], fp);
                mpz_mul(y->dhi[o], y->dhi[o], fp);
                mpz_addmul(y->dlo[o], bias->wb[k], fb);
                mpz_submul(y->dlo[o], bias->w[k], fb);
                mpz_addmul(y->dhi[o], bias->wb[k], fb);
                mpz_submul(y->dhi[o], bias->w[k], fb);
                mpz_mul(y->blo[o], y->blo[o], fp);
                mpz_mul(y->bhi[o], y->bhi[o], fp);
                mpz_addmul(y->blo[o], bias->wb[k], fb);
                mpz_addmul(y->bhi[o], bias->wb[k], fb);
            }
        }
    }
    mpz_clears(p, fp, fb, NULL);
}

/* affine -- a dense, Conv, AveragePool or elementwise affine node N of A
 * (M of B, or NULL) on X into Y */
static void affine(const lump_graph_node_t *n, const lump_graph_node_t *m, const lump_shape_t *xs,
                   const iv_t *x, iv_t *y)
{
    const int paired = m != NULL;
    wts_t w, bias;
    lin_t L;
    size_t per = 1;
    int has_bias = n->has_bias || (paired && m->has_bias);
    L.x = x;
    L.y = y;
    L.w = &w;
    mpz_init(L.t);
    if (n->op == LUMP_GOP_AVGPOOL) {
        /* weight of output o: 1 / its window's count */
        const long H = (long)xs->dim[1], W = (long)xs->dim[2];
        const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
        lump_arr_t c;
        mpq_t q;
        lump_arr_init(&c);
        mpq_init(q);
        lump_require(lump_arr_alloc(&c, LUMP_STORE_Q, n->shape.size) == LUMP_OK, "graph_ival");
        for (size_t o = 0; o < n->shape.size; o++) {
            long r = (long)(o % (size_t)(OH * OW));
            mpq_set_ui(q, 1, (unsigned long)lump_i_graph_pool_count(n, H, W, r / OW, r % OW));
            lump_require(lump_arr_set(&c, o, q) == LUMP_OK, "graph_ival");
        }
        wts_set(&w, n->shape.size, &c, &c, paired);
        for (long o = 0; o < (long)n->shape.size; o++) {
            const long ch = o / (OH * OW), r = o % (OH * OW);
            lump_i_pool_window_t win;
            lump_i_graph_pool_window(&win, n, H, W, r / OW, r % OW);
            for (long a = 0; a < win.rows; a++)
                for (long b = 0; b < win.cols; b++)
                    term(&L, (size_t)o, (size_t)(ch * H * W + win.first + a * win.row_step + b * win.col_step),
                         (size_t)o);
        }
        mpq_clear(q);
        lump_arr_clear(&c);
        has_bias = 0;
    } else {
        wts_set(&w, n->weight.len, &n->weight, paired ? &m->weight : NULL, paired);
    }
    if (n->op == LUMP_GOP_DENSE) {
        const size_t nin = x->n;
        for (size_t o = 0; o < y->n; o++)
            for (size_t i = 0; i < nin; i++)
                if (mpz_sgn(w.w[o * nin + i]) != 0 || (paired && mpz_sgn(w.wb[o * nin + i]) != 0))
                    term(&L, o, i, o * nin + i);
    } else if (n->op == LUMP_GOP_AFFINE) {
        for (size_t o = 0; o < y->n; o++)
            term(&L, o, o, o);
    } else if (n->op == LUMP_GOP_CONV) {
        const long C = (long)xs->dim[0], H = (long)xs->dim[1], W = (long)xs->dim[2];
        const long CO = (long)n->shape.dim[0], OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
        const long kh = (long)n->kh, kw = (long)n->kw, cpg = C / (long)n->group;
        const long opg = CO / (long)n->group;
        per = (size_t)(OH * OW);
        for (long co = 0; co < CO; co++)
            for (long cl = 0; cl < cpg; cl++)
                for (long ky = 0; ky < kh; ky++)
                    for (long kx = 0; kx < kw; kx++) {
                        const size_t k = (size_t)(((co * cpg + cl) * kh + ky) * kw + kx);
                        const long ci = (co / opg) * cpg + cl;
                        if (mpz_sgn(w.w[k]) == 0 && (!paired || mpz_sgn(w.wb[k]) == 0))
                            continue;
                        for (long oy = 0; oy < OH; oy++) {
                            long iy = oy * (long)n->sh + ky * (long)n->dh - (long)n->pt;
                            if (iy < 0 || iy >= H)
                                continue;
                            for (long ox = 0; ox < OW; ox++) {
                                long ix = ox * (long)n->sw + kx * (long)n->dw - (long)n->pl;
                                if (ix >= 0 && ix < W)
                                    term(&L, (size_t)((co * OH + oy) * OW + ox),
                                         (size_t)((ci * H + iy) * W + ix), k);
                            }
                        }
                    }
    }
    if (has_bias || n->op == LUMP_GOP_AFFINE) {
        size_t nb = n->op == LUMP_GOP_AFFINE ? y->n : (n->op == LUMP_GOP_CONV ? n->shape.dim[0] : y->n);
        wts_set(&bias, nb, n->has_bias || n->op == LUMP_GOP_AFFINE ? &n->bias : NULL,
                paired && (m->has_bias || m->op == LUMP_GOP_AFFINE) ? &m->bias : NULL, paired);
        finish(y, x, &w, &bias, per);
        wts_clear(&bias);
    } else {
        finish(y, x, &w, NULL, 1);
    }
    wts_clear(&w);
    mpz_clear(L.t);
}

/* maxpool -- A's maxima by the maxima of the ends; the difference of the
 * maxima max_k b_k - max_k a_k lies in [min_k d_k, max_k d_k] (at the
 * arguments of the two maxima). An empty window is 0. */
static void maxpool(const lump_graph_node_t *n, const lump_shape_t *xs, const iv_t *x, iv_t *y)
{
    const long H = (long)xs->dim[1], W = (long)xs->dim[2];
    const long OH = (long)n->shape.dim[1], OW = (long)n->shape.dim[2];
    for (long o = 0; o < (long)n->shape.size; o++) {
        const long ch = o / (OH * OW), r = o % (OH * OW);
        lump_i_pool_window_t win;
        int any = 0;
        lump_i_graph_pool_window(&win, n, H, W, r / OW, r % OW);
        for (long a = 0; a < win.rows; a++)
            for (long b = 0; b < win.cols; b++) {
                size_t i = (size_t)(ch * H * W + win.first + a * win.row_step + b * win.col_step);
                if (!any || mpz_cmp(x->lo[i], y->lo[o]) > 0)
                    mpz_set(y->lo[o], x->lo[i]);
                if (!any || mpz_cmp(x->hi[i], y->hi[o]) > 0)
                    mpz_set(y->hi[o], x->hi[i]);
                if (y->paired) {
                    if (!any || mpz_cmp(x->dlo[i], y->dlo[o]) < 0)
                        mpz_set(y->dlo[o], x->dlo[i]);
                    if (!any || mpz_cmp(x->dhi[i], y->dhi[o]) > 0)
                        mpz_set(y->dhi[o], x->dhi[i]);
                    if (!any || mpz_cmp(x->blo[i], y->blo[o]) > 0)
                        mpz_set(y->blo[o], x->blo[i]);
                    if (!any || mpz_cmp(x->bhi[i], y->bhi[o]) > 0)
                        mpz_set(y->bhi[o], x->bhi[i]);
                }
                any = 1;
            }
    }
    mpz_set(y->den, x->den);
}

/* act_ends -- [YL, YH] encloses act(z) over z in [ZL, ZH]: exact for the
 * piecewise-linear kinds (the ends, and the kink at 0 when it lies
 * inside: only a leaky relu of negative slope has its minimum there), MPFR
 * at PREC bits rounded outward for sigmoid and tanh (increasing) */
static void act_ends(mpq_t yl, mpq_t yh, const lump_act_t *act, const mpq_t zl, const mpq_t zh,
                     mpfr_prec_t prec, mpq_t t)
{
    if (lump_act_is_pwl(act->kind)) {
        lump_require(lump_i_act_value_q(yl, act, zl) && lump_i_act_value_q(yh, act, zh), "graph_ival");
        if (mpq_cmp(yl, yh) > 0)
            mpq_swap(yl, yh);
        if (mpq_sgn(zl) < 0 && mpq_sgn(zh) > 0) {
            mpq_set_ui(t, 0, 1);
            lump_require(lump_i_act_value_q(t, act, t), "graph_ival");
            if (mpq_cmp(t, yl) < 0)
                mpq_set(yl, t);
            if (mpq_cmp(t, yh) > 0)
                mpq_set(yh, t);
        }
        return;
    }
    mpfr_t l, h, s;
    mpfr_inits2(prec, l, h, s, (mpfr_ptr)0);
    mpfr_set_q(l, zl, MPFR_RNDD);
    mpfr_set_q(h, zh, MPFR_RNDU);
    lump_i_act_ival_fr(l, h, act, s);
    mpfr_get_q(yl, l);
    mpfr_get_q(yh, h);
    mpfr_clears(l, h, s, (mpfr_ptr)0);
}

/* slopes -- [SL, SH] holds every difference quotient of ACT between two
 * points of [ZL, ZH]: exact for the piecewise-linear kinds ({1} on z >= 0,
 * {alpha} on z <= 0, their hull across 0), the descriptor's outward
 * doubles otherwise */
static void slopes(mpq_t sl, mpq_t sh, const lump_act_t *act, const mpq_t zl, const mpq_t zh)
{
    if (lump_act_is_pwl(act->kind)) {
        mpq_t alpha;
        mpq_init(alpha);
        if (act->kind == LUMP_ACT_LEAKY_RELU)
            mpq_set(alpha, act->alpha);
        else if (act->kind == LUMP_ACT_IDENTITY)
            mpq_set_ui(alpha, 1, 1);
        mpq_set_ui(sl, 1, 1);
        mpq_set_ui(sh, 1, 1);
        if (mpq_sgn(zh) <= 0) {
            mpq_set(sl, alpha);
            mpq_set(sh, alpha);
        } else if (mpq_sgn(zl) < 0) {
            if (mpq_cmp(alpha, sl) < 0)
                mpq_set(sl, alpha);
            if (mpq_cmp(alpha, sh) > 0)
                mpq_set(sh, alpha);
        }
        mpq_clear(alpha);
        return;
    }
    double dl, dh;
    lump_i_act_slopes(&dl, &dh, act, lump_i_q_down(zl), lump_i_q_up(zh));
    mpq_set_d(sl, dl);
    mpq_set_d(sh, dh);
}

/* mul_hull -- [L, H] = [SL, SH] * [DL, DH], the hull of the four products */
static void mul_hull(mpq_t l, mpq_t h, const mpq_t sl, const mpq_t sh, const mpq_t dl, const mpq_t dh,
                     mpq_t t)
{
    const mpq_srcptr s[2] = {sl, sh}, d[2] = {dl, dh};
    for (int i = 0; i < 4; i++) {
        mpq_mul(t, s[i / 2], d[i % 2]);
        if (i == 0 || mpq_cmp(t, l) < 0)
            mpq_set(l, t);
        if (i == 0 || mpq_cmp(t, h) > 0)
            mpq_set(h, t);
    }
}

/* act -- activation node N on X into Y: A's and B's entries by their
 * ends; the difference act(b) - act(a) = s d, s a difference quotient over
 * the range of both a and b (b in B's enclosure and in a + d), and also
 * within [min act(b) - max act(a), max act(b) - min act(a)] by the two
 * enclosures of act over those ranges */
static void act(const lump_graph_node_t *n, const iv_t *x, iv_t *y, mpfr_prec_t prec)
{
    const size_t N = x->n;
    mpq_t *q[6];
    mpq_t zl, zh, dl, dh, bl, bh, rl, rh, sl, sh, t;
    mpq_inits(zl, zh, dl, dh, bl, bh, rl, rh, sl, sh, t, NULL);
    for (int a = 0; a < 6; a++) {
        q[a] = lump_alloc_array(N > 0 ? N : 1, sizeof *q[a]);
        for (size_t e = 0; e < N; e++)
            mpq_init(q[a][e]);
    }
    for (size_t e = 0; e < N; e++) {
        get(zl, x, x->lo[e]);
        get(zh, x, x->hi[e]);
        act_ends(q[0][e], q[1][e], &n->act, zl, zh, prec, t);
        if (!x->paired)
            continue;
        get(dl, x, x->dlo[e]);
        get(dh, x, x->dhi[e]);
        /* b: B's own enclosure intersected with a + d */
        get(bl, x, x->blo[e]);
        get(bh, x, x->bhi[e]);
        mpq_add(t, zl, dl);
        if (mpq_cmp(t, bl) > 0)
            mpq_set(bl, t);
        mpq_add(t, zh, dh);
        if (mpq_cmp(t, bh) < 0)
            mpq_set(bh, t);
        act_ends(q[4][e], q[5][e], &n->act, bl, bh, prec, t);
        /* the range of a and b */
        mpq_set(rl, mpq_cmp(zl, bl) < 0 ? zl : bl);
        mpq_set(rh, mpq_cmp(zh, bh) > 0 ? zh : bh);
        slopes(sl, sh, &n->act, rl, rh);
        mul_hull(q[2][e], q[3][e], sl, sh, dl, dh, t);
        mpq_sub(t, q[4][e], q[1][e]);
        if (mpq_cmp(t, q[2][e]) > 0)
            mpq_set(q[2][e], t);
        mpq_sub(t, q[5][e], q[0][e]);
        if (mpq_cmp(t, q[3][e]) < 0)
            mpq_set(q[3][e], t);
    }
    iv_set_q(y, q);
    for (int a = 0; a < 6; a++) {
        for (size_t e = 0; e < N; e++)
            mpq_clear(q[a][e]);
        free(q[a]);
    }
    mpq_clears(zl, zh, dl, dh, bl, bh, rl, rh, sl, sh, t, NULL);
}

/* combine -- Y = the sum (ADD) or the concatenation of the inputs XS, on
 * their least common denominator */
static void combine(iv_t *y, const iv_t *const *xs, size_t n, int concat)
{
    mpz_t *ya[6], *xa[6], f;
    int na = iv_arrays(y, ya);
    size_t off = 0;
    mpz_init(f);
    mpz_set_ui(y->den, 1);
    for (size_t j = 0; j < n; j++)
        mpz_lcm(y->den, y->den, xs[j]->den);
    for (size_t j = 0; j < n; j++) {
        iv_arrays(xs[j], xa);
        mpz_divexact(f, y->den, xs[j]->den);
        for (int a = 0; a < na; a++)
            for (size_t e = 0; e < xs[j]->n; e++)
                mpz_addmul(ya[a][concat ? off + e : e], xa[a][e], f);
        off += xs[j]->n;
    }
    mpz_clear(f);
}

/* copy -- Y[o] = X[src(o)] for the index map SRC (NULL: the identity;
 * SIZE_MAX: 0) */
static void copy(iv_t *y, const iv_t *x, const size_t *src)
{
    mpz_t *ya[6], *xa[6];
    int na = iv_arrays(y, ya);
    iv_arrays(x, xa);
    for (int a = 0; a < na; a++)
        for (size_t o = 0; o < y->n; o++) {
            size_t i = src == NULL ? o : src[o];
            if (i != SIZE_MAX)
                mpz_set(ya[a][o], xa[a][i]);
        }
    mpz_set(y->den, x->den);
}

/* node -- node I of A (and of B when paired) into V[I] */
static void node(const lump_graph_t *a, const lump_graph_t *b, size_t i, iv_t *v, mpfr_prec_t prec)
{
    const lump_graph_node_t *n = &a->nodes[i], *m = b != NULL ? &b->nodes[i] : NULL;
    const iv_t *x = n->n_in > 0 ? &v[n->in[0]] : NULL;
    const lump_shape_t *xs = n->n_in > 0 ? &a->nodes[n->in[0]].shape : NULL;
    iv_t *y = &v[i];
    switch (n->op) {
    case LUMP_GOP_INPUT:
        break;
    case LUMP_GOP_DENSE:
    case LUMP_GOP_CONV:
    case LUMP_GOP_AFFINE:
    case LUMP_GOP_AVGPOOL:
        affine(n, m, xs, x, y);
        break;
    case LUMP_GOP_ACT:
        act(n, x, y, prec);
        break;
    case LUMP_GOP_MAXPOOL:
        maxpool(n, xs, x, y);
        break;
    case LUMP_GOP_PAD: {
        size_t *src = lump_alloc_array(n->shape.size + 1, sizeof *src);
        for (size_t o = 0; o < n->shape.size; o++)
            src[o] = SIZE_MAX;
        for (size_t e = 0; e < xs->size; e++)
            src[lump_i_graph_pad_target(n, xs, e)] = e;
        copy(y, x, src);
        free(src);
        break;
    }
    case LUMP_GOP_GATHER:
        copy(y, x, n->map);
        break;
    case LUMP_GOP_RESHAPE:
        copy(y, x, NULL);
        break;
    case LUMP_GOP_ADD:
    case LUMP_GOP_CONCAT: {
        const iv_t **xs2 = lump_alloc_array(n->n_in, sizeof *xs2);
        for (size_t j = 0; j < n->n_in; j++)
            xs2[j] = &v[n->in[j]];
        combine(y, xs2, n->n_in, n->op == LUMP_GOP_CONCAT);
        free(xs2);
        break;
    }
    }
}

/* run -- enclose every node of A (and the differences to B when B is not
 * NULL) over BOX; V[i] for node i. Each node's input is freed after its
 * last reader unless KEEP. */
static lump_error_t run(iv_t *v, const lump_graph_t *a, const lump_graph_t *b, const lump_box_t *box,
                        mpfr_prec_t prec, int keep)
{
    lump_error_t err = LUMP_OK;
    const size_t nn = a->n_nodes, nin = lump_graph_n_inputs(a);
    size_t *last = lump_alloc_zero(nn, sizeof *last), lv;
    mpq_t *q[6];
    lump_require(nn > 0 && a->output < nn, "lump_graph_intervals");
    if (box->n != nin) {
        free(last);
        return lump_error_set(LUMP_EINPUT, "the box has %zu dimensions, the network %zu inputs",
                              box->n, nin);
    }
    for (size_t i = 0; i < nn; i++)
        for (size_t j = 0; j < a->nodes[i].n_in; j++)
            last[a->nodes[i].in[j]] = i;
    last[a->output] = nn;
    /* the input: the box; B reads the same point, d = 0 */
    iv_init(&v[0], nin, b != NULL);
    q[0] = q[4] = box->lo;
    q[1] = q[5] = box->hi;
    q[2] = q[3] = NULL;
    if (b != NULL) {
        q[2] = q[3] = lump_alloc_array(nin > 0 ? nin : 1, sizeof *q[2]);
        for (size_t e = 0; e < nin; e++)
            mpq_init(q[2][e]);
    }
    iv_set_q(&v[0], q);
    if (b != NULL) {
        for (size_t e = 0; e < nin; e++)
            mpq_clear(q[2][e]);
        free(q[2]);
    }
    lv = lump_progress_begin("graph node", nn, 0);
    for (size_t i = 1; i < nn; i++) {
        const lump_graph_node_t *n = &a->nodes[i];
        LUMP_CHECK(lump_progress_step(lv, i));
        iv_init(&v[i], n->shape.size, b != NULL);
        node(a, b, i, v, prec);
        if (!keep)
            for (size_t j = 0; j < n->n_in; j++)
                if (last[n->in[j]] == i)
                    iv_clear(&v[n->in[j]]);
    }
    lump_progress_end(lv);
cleanup:
    free(last);
    return err;
}

void lump_graph_ivals_init(lump_graph_ivals_t *x)
{
    memset(x, 0, sizeof *x);
}

void lump_graph_ivals_clear(lump_graph_ivals_t *x)
{
    for (size_t i = 0; i < x->n_nodes; i++) {
        for (size_t e = 0; e < x->size[i]; e++) {
            mpq_clear(x->lo[i][e]);
            mpq_clear(x->hi[i][e]);
        }
        free(x->lo[i]);
        free(x->hi[i]);
    }
    free(x->lo);
    free(x->hi);
    free(x->size);
    memset(x, 0, sizeof *x);
}

/* lump_graph_intervals -- see lumpnet/graph_bound.h. */
lump_error_t lump_graph_intervals(lump_graph_ivals_t *out, const lump_graph_t *g,
                                  const lump_box_t *box, mpfr_prec_t prec)
{
    lump_error_t err = LUMP_OK;
    const size_t nn = g->n_nodes;
    iv_t *v = lump_alloc_zero(nn > 0 ? nn : 1, sizeof *v);
    lump_graph_ivals_clear(out);
    LUMP_CHECK(run(v, g, NULL, box, prec, 1));
    out->n_nodes = nn;
    out->size = lump_alloc_array(nn, sizeof *out->size);
    out->lo = lump_alloc_array(nn, sizeof *out->lo);
    out->hi = lump_alloc_array(nn, sizeof *out->hi);
    for (size_t i = 0; i < nn; i++) {
        size_t s = g->nodes[i].shape.size;
        out->size[i] = s;
        out->lo[i] = lump_alloc_array(s > 0 ? s : 1, sizeof *out->lo[i]);
        out->hi[i] = lump_alloc_array(s > 0 ? s : 1, sizeof *out->hi[i]);
        for (size_t e = 0; e < s; e++) {
            mpq_inits(out->lo[i][e], out->hi[i][e], NULL);
            get(out->lo[i][e], &v[i], v[i].lo[e]);
            get(out->hi[i][e], &v[i], v[i].hi[e]);
        }
    }
cleanup:
    for (size_t i = 0; i < nn; i++)
        iv_clear(&v[i]);
    free(v);
    return err;
}

/* lump_graph_enclose -- see lumpnet/graph_bound.h. */
lump_error_t lump_graph_enclose(mpq_t *lo, mpq_t *hi, const lump_graph_t *g, const lump_box_t *box,
                                mpfr_prec_t prec)
{
    lump_error_t err = LUMP_OK;
    iv_t *v = lump_alloc_zero(g->n_nodes > 0 ? g->n_nodes : 1, sizeof *v);
    LUMP_CHECK(run(v, g, NULL, box, prec, 0));
    for (size_t j = 0; j < v[g->output].n; j++) {
        get(lo[j], &v[g->output], v[g->output].lo[j]);
        get(hi[j], &v[g->output], v[g->output].hi[j]);
    }
cleanup:
    for (size_t i = 0; i < g->n_nodes; i++)
        iv_clear(&v[i]);
    free(v);
    return err;
}

/* lump_graph_same_structure -- see lumpnet/graph_bound.h. */
int lump_graph_same_structure(const lump_graph_t *a, const lump_graph_t *b)
{
    if (a->n_nodes != b->n_nodes || a->output != b->output)
        return 0;
    for (size_t i = 0; i < a->n_nodes; i++) {
        const lump_graph_node_t *n = &a->nodes[i], *m = &b->nodes[i];
        if (n->op != m->op || n->n_in != m->n_in || !lump_shape_equal(&n->shape, &m->shape) ||
            n->weight.len != m->weight.len || n->bias.len != m->bias.len ||
            n->kh != m->kh || n->kw != m->kw || n->sh != m->sh || n->sw != m->sw ||
            n->dh != m->dh || n->dw != m->dw || n->pt != m->pt || n->pl != m->pl ||
            n->pb != m->pb || n->pr != m->pr || n->group != m->group ||
            n->count_include_pad != m->count_include_pad ||
            memcmp(n->pad_begin, m->pad_begin, sizeof n->pad_begin) != 0 ||
            memcmp(n->pad_end, m->pad_end, sizeof n->pad_end) != 0 ||
            (n->op == LUMP_GOP_ACT && !lump_act_equal(&n->act, &m->act)))
            return 0;
        for (size_t j = 0; j < n->n_in; j++)
            if (n->in[j] != m->in[j])
                return 0;
        if (n->op == LUMP_GOP_GATHER)
            for (size_t e = 0; e < n->shape.size; e++)
                if (n->map[e] != m->map[e])
                    return 0;
    }
    return 1;
}

/* naive -- BOUND[j] = max(bhi_j - alo_j, ahi_j - blo_j), from two
 * enclosures of the outputs */
static void naive_bound(mpq_t *bound, const iv_t *ya, const iv_t *yb, mpq_t t, mpq_t u)
{
    for (size_t j = 0; j < ya->n; j++) {
        get(t, yb, yb->hi[j]);
        get(u, ya, ya->lo[j]);
        mpq_sub(bound[j], t, u);
        get(t, ya, ya->hi[j]);
        get(u, yb, yb->lo[j]);
        mpq_sub(t, t, u);
        if (mpq_cmp(t, bound[j]) > 0)
            mpq_set(bound[j], t);
        if (mpq_sgn(bound[j]) < 0) /* cannot happen for enclosures of one point */
            mpq_set_ui(bound[j], 0, 1);
    }
}

/* lump_graph_bound_diff -- see lumpnet/graph_bound.h. */
lump_error_t lump_graph_bound_diff(mpq_t *bound, mpq_t *naive, lump_graph_bound_stats_t *stats,
                                   const lump_graph_t *a, const lump_graph_t *b,
                                   const lump_box_t *box, mpfr_prec_t prec)
{
    lump_error_t err = LUMP_OK;
    const size_t nout = lump_graph_n_outputs(a);
    const int paired = lump_graph_same_structure(a, b);
    iv_t *va = lump_alloc_zero(a->n_nodes, sizeof *va);
    iv_t *vb = lump_alloc_zero(b->n_nodes, sizeof *vb);
    iv_t *vp = lump_alloc_zero(a->n_nodes, sizeof *vp);
    mpq_t *nv = lump_alloc_array(nout > 0 ? nout : 1, sizeof *nv);
    mpq_t t, u;
    clock_t c0 = clock();
    mpq_inits(t, u, NULL);
    for (size_t j = 0; j < nout; j++)
        mpq_init(nv[j]);
    if (lump_graph_n_inputs(a) != lump_graph_n_inputs(b) || nout != lump_graph_n_outputs(b))
        LUMP_CHECK(lump_error_set(LUMP_EINPUT, "%zu and %zu inputs, %zu and %zu outputs (a bound "
                                  "needs equal numbers)", lump_graph_n_inputs(a),
                                  lump_graph_n_inputs(b), nout, lump_graph_n_outputs(b)));
    LUMP_CHECK(run(va, a, NULL, box, prec, 0));
    LUMP_CHECK(run(vb, b, NULL, box, prec, 0));
    naive_bound(nv, &va[a->output], &vb[b->output], t, u);
    for (size_t j = 0; j < nout; j++)
        mpq_set(bound[j], nv[j]);
    if (paired) {
        const iv_t *y = &vp[a->output];
        LUMP_CHECK(run(vp, a, b, box, prec, 0));
        for (size_t j = 0; j < nout; j++) {
            get(t, y, y->dhi[j]);
            get(u, y, y->dlo[j]);
            mpq_neg(u, u);
            if (mpq_cmp(u, t) > 0)
                mpq_set(t, u);
            if (mpq_cmp(t, bound[j]) < 0)
                mpq_set(bound[j], t);
        }
    }
    if (naive != NULL)
        for (size_t j = 0; j < nout; j++)
            mpq_set(naive[j], nv[j]);
    if (stats != NULL) {
        stats->paired = paired;
        stats->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
    }
cleanup:
    for (size_t i = 0; i < a->n_nodes; i++) {
        iv_clear(&va[i]);
        iv_clear(&vp[i]);
    }
    for (size_t i = 0; i < b->n_nodes; i++)
        iv_clear(&vb[i]);
    for (size_t j = 0; j < nout; j++)
        mpq_clear(nv[j]);
    free(nv);
    free(va);
    free(vb);
    free(vp);
    mpq_clears(t, u, NULL);
    return err;
}

/* lump_graph_bound_result -- see lumpnet/graph_bound.h. */
lump_error_t lump_graph_bound_result(lump_bound_result_t *r, int *paired, const lump_graph_t *a,
                                     const lump_graph_t *b, const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    const size_t nout = lump_graph_n_outputs(a);
    mpq_t *bd = lump_alloc_array(nout > 0 ? nout : 1, sizeof *bd);
    mpq_t *nv = lump_alloc_array(nout > 0 ? nout : 1, sizeof *nv);
    lump_graph_bound_stats_t st;
    for (size_t j = 0; j < nout; j++)
        mpq_inits(bd[j], nv[j], NULL);
    lump_bound_result_clear(r);
    LUMP_CHECK(lump_graph_bound_diff(bd, nv, &st, a, b, box, 64));
    r->n_outputs = nout;
    r->bound = lump_alloc_array(nout > 0 ? nout : 1, sizeof *r->bound);
    r->naive = lump_alloc_array(nout > 0 ? nout : 1, sizeof *r->naive);
    r->bound_sym = lump_alloc_array(nout > 0 ? nout : 1, sizeof *r->bound_sym);
    r->bound_lp = lump_alloc_array(nout > 0 ? nout : 1, sizeof *r->bound_lp);
    for (size_t j = 0; j < nout; j++) {
        r->bound[j] = lump_i_q_up(bd[j]);
        r->naive[j] = lump_i_q_up(nv[j]);
        r->bound_sym[j] = r->bound_lp[j] = HUGE_VAL;
    }
    r->certified = 1;
    r->seconds = st.seconds;
    if (paired != NULL)
        *paired = st.paired;
cleanup:
    for (size_t j = 0; j < nout; j++)
        mpq_clears(bd[j], nv[j], NULL);
    free(bd);
    free(nv);
    return err;
}
