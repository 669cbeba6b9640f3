/* tol_search.c -- equivalence within a tolerance by branch and bound over
 * the input box (issue 14): bound each part with the trusted leaf bound,
 * search it for a witness, split it, in deterministic parallel rounds */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lumpnet/tolerance.h"
#include "lumpnet/eval.h"
#include "lumpnet/progress.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "grow_i.h"
#include "tol_search_i.h"

/* Parts worked on per round. Fixed, and not the number of threads: the
 * order in which parts are split, hence the tree, the verdict and the
 * certificate, depend on it. */
#define ROUND 8

/* RANKED: every input is measured again after this many splits */
#define RANKED_AGE 3

/* One part of the box. The bounds are doubles: a split point is a double
 * and is exact; an end of the original box is exact only through FLAG
 * (bit 0: lo is the box's, bit 1: hi is), its double then encloses it. */
typedef struct {
    double *lo, *hi;
    unsigned char *flag;
    double *score;     /* RANKED: per input, the children's bound sum over
                          twice the parent's bound when last measured (NaN: never) */
    unsigned age;      /* RANKED: splits since every input was measured */
    double bound;      /* the leaf bound of the part */
    int state;         /* OPEN, LEAF, SPLIT, STUCK */
    char *exact;       /* LEAF closed by its exact maximum (this text), else NULL */
    size_t dim;        /* SPLIT: the input split, at AT */
    double at;
    size_t child[2];
} node_t;

enum { OPEN, LEAF, SPLIT, STUCK };

/* what a worker found on one part */
typedef struct {
    size_t node;
    int done;            /* 0 when stopped before the end */
    double *cand;        /* the point of the largest difference found */
    double cand_diff;    /* |A_j - B_j| there, in double */
    size_t cand_j;
    int splittable;
    size_t dim;
    double at, child_bound[2];
    double *score;       /* RANKED: the children's scores */
    unsigned age;
    char *exact;         /* the exact maximum when it closes the part, else NULL */
} work_t;

/* the search's shared state; workers read it only */
typedef struct {
    const lump_net_t *a, *b;
    const lump_box_t *box;
    const lump_tol_opts_t *o;
    lump_tol_pair_t *pair;
    lump_i_tnet_t ta, tb;
    size_t n, *out, n_out, n_all;
    double *box_lo_dn, *box_lo_up, *box_hi_dn, *box_hi_up, *width0;
    double eps_dn; /* the largest double <= EPS: a double U is <= EPS iff U <= eps_dn */
    double deadline;
    node_t *nodes;
    size_t n_nodes, cap;
    /* the round */
    work_t *work;
    size_t n_work, next;
    pthread_mutex_t lock;
    volatile int stop;
} search_t;

static double down(double x) { return nextafter(x, -INFINITY); }
static double up(double x) { return nextafter(x, INFINITY); }

/* *LO <= Q <= *HI, adjacent or equal doubles */
static void q_enclose(double *lo, double *hi, const mpq_t q)
{
    double d = lump_rat_get_d(q);
    mpq_t t;
    int c;
    if (isinf(d)) {
        *lo = d > 0 ? DBL_MAX : -INFINITY;
        *hi = d > 0 ? INFINITY : -DBL_MAX;
        return;
    }
    mpq_init(t);
    mpq_set_d(t, d);
    c = mpq_cmp(t, q);
    mpq_clear(t);
    *lo = c <= 0 ? d : down(d);
    *hi = c >= 0 ? d : up(d);
}

static int expired(search_t *s)
{
    if (s->stop)
        return 1;
    if (lump_cancel_requested() || (s->deadline > 0 && lump_clock_seconds() > s->deadline)) {
        s->stop = 1;
        return 1;
    }
    return 0;
}

static size_t new_node(search_t *s)
{
    node_t *nd;
    s->nodes = lump_i_grow(s->nodes, &s->cap, s->n_nodes, sizeof *s->nodes, 64);
    nd = &s->nodes[s->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->lo = lump_alloc_array(s->n + 1, sizeof(double));
    nd->hi = lump_alloc_array(s->n + 1, sizeof(double));
    nd->flag = lump_alloc_zero(s->n + 1, 1);
    nd->score = lump_alloc_array(s->n + 1, sizeof(double));
    for (size_t i = 0; i < s->n; i++)
        nd->score[i] = NAN;
    return s->n_nodes++;
}

/* whether M lies strictly inside the exact interval of input D of ND */
static int strictly_inside(const search_t *s, const node_t *nd, size_t d, double m)
{
    int above, below;
    if (nd->flag[d] & 1) /* the exact lo lies in [lo_dn, lo_up] */
        above = s->box_lo_dn[d] == s->box_lo_up[d] ? m > s->box_lo_dn[d] : m >= s->box_lo_up[d];
    else
        above = m > nd->lo[d];
    if (nd->flag[d] & 2)
        below = s->box_hi_dn[d] == s->box_hi_up[d] ? m < s->box_hi_up[d] : m <= s->box_hi_dn[d];
    else
        below = m < nd->hi[d];
    return above && below;
}

/* the two halves of ND along D at M as double enclosures into LO/HI
 * (2 x n doubles each) */
static void halves(const search_t *s, const node_t *nd, size_t d, double m, double *lo, double *hi)
{
    memcpy(lo, nd->lo, s->n * sizeof *lo);
    memcpy(hi, nd->hi, s->n * sizeof *hi);
    memcpy(lo + s->n, nd->lo, s->n * sizeof *lo);
    memcpy(hi + s->n, nd->hi, s->n * sizeof *hi);
    hi[d] = m;
    lo[s->n + d] = m;
}

/* The witness search on ND: the centre, then for the output whose
 * difference is largest there, projected steps along the sign of the
 * gradient of that difference, halving the step until it stops gaining
 * (the difference is piecewise linear: its gradient is exact inside a
 * region of one activation pattern). G gets the gradient at the centre. */
static void witness_search(const search_t *s, const node_t *nd, work_t *w, double *g,
                           double *scratch)
{
    size_t n = s->n, no = s->n_all;
    double *x = scratch, *y = x + n, *oa = y + n, *ob = oa + no, *gx = ob + no;
    double *ws = gx + n, sign, best;
    size_t j = s->out[0];
    for (size_t i = 0; i < n; i++)
        x[i] = nd->lo[i] + (nd->hi[i] - nd->lo[i]) / 2;
    lump_i_tnet_eval(&s->ta, x, oa, ws);
    lump_i_tnet_eval(&s->tb, x, ob, ws);
    best = -1;
    for (size_t k = 0; k < s->n_out; k++) {
        double dk = fabs(oa[s->out[k]] - ob[s->out[k]]);
        if (dk > best) {
            best = dk;
            j = s->out[k];
        }
    }
    sign = oa[j] >= ob[j] ? 1 : -1;
    memcpy(w->cand, x, n * sizeof *x);
    w->cand_diff = best;
    w->cand_j = j;
    memset(g, 0, n * sizeof *g);
    (void)lump_i_tnet_grad(&s->ta, x, j, sign, g, ws);
    (void)lump_i_tnet_grad(&s->tb, x, j, -sign, g, ws);
    memcpy(gx, g, n * sizeof *gx);
    for (double step = 0.5; step > 1.0 / 64; step /= 2) {
        double v;
        for (size_t i = 0; i < n; i++) {
            double t = x[i] + step * (nd->hi[i] - nd->lo[i]) * (gx[i] > 0 ? 1 : gx[i] < 0 ? -1 : 0);
            y[i] = t < nd->lo[i] ? nd->lo[i] : t > nd->hi[i] ? nd->hi[i] : t;
        }
        memset(gx, 0, n * sizeof *gx);
        v = sign * lump_i_tnet_grad(&s->ta, y, j, sign, gx, ws);
        v -= sign * lump_i_tnet_grad(&s->tb, y, j, -sign, gx, ws);
        if (v > best) {
            best = v;
            memcpy(x, y, n * sizeof *x);
            memcpy(w->cand, y, n * sizeof *y);
            w->cand_diff = v;
            step *= 2; /* keep the step while it gains */
        } else { /* back to the gradient at the best point */
            memset(gx, 0, n * sizeof *gx);
            (void)lump_i_tnet_grad(&s->ta, x, j, sign, gx, ws);
            (void)lump_i_tnet_grad(&s->tb, x, j, -sign, gx, ws);
        }
        if (step > 0.5)
            step = 0.5;
    }
}

/* Split ND: choose the input by the rule of the options, at the midpoint
 * (a double, strictly inside the exact interval), and bound both halves. */
static void split_node(search_t *s, const node_t *nd, work_t *w, const double *g, double *lo,
                       double *hi)
{
    size_t n = s->n, best_d = n, cand[2] = {n, n};
    double best_key = INFINITY, best_b[2] = {INFINITY, INFINITY}, best_m = 0;
    int full = 1, smart = s->o->split == LUMP_TOL_SPLIT_SMART || s->o->split == LUMP_TOL_SPLIT_RANKED;
    w->splittable = 0;
    memcpy(w->score, nd->score, n * sizeof *w->score);
    if (s->o->split == LUMP_TOL_SPLIT_RANKED && nd->age < RANKED_AGE) {
        /* the two inputs that split best when last measured */
        for (size_t d = 0; d < n; d++) {
            double m = nd->lo[d] + (nd->hi[d] - nd->lo[d]) / 2;
            if (isnan(nd->score[d]) || !strictly_inside(s, nd, d, m))
                continue;
            if (cand[0] == n || nd->score[d] < nd->score[cand[0]]) {
                cand[1] = cand[0];
                cand[0] = d;
            } else if (cand[1] == n || nd->score[d] < nd->score[cand[1]])
                cand[1] = d;
        }
        full = cand[0] == n;
    }
    w->age = full ? 0 : nd->age + 1;
    for (size_t d = 0; d < n; d++) {
        double m = nd->lo[d] + (nd->hi[d] - nd->lo[d]) / 2, key;
        if (!strictly_inside(s, nd, d, m))
            continue;
        if (smart && !full && d != cand[0] && d != cand[1])
            continue;
        if (smart) {
            double b0, b1;
            if (expired(s))
                return;
            halves(s, nd, d, m, lo, hi);
            b0 = lump_tol_leaf_bound(s->pair, lo, hi);
            b1 = lump_tol_leaf_bound(s->pair, lo + n, hi + n);
            /* the smaller sum of the children's bounds: the largest
             * child alone is myopic (a split that shaves a sliver off
             * keeps the parent's bound on one side, and is chosen again
             * and again); on a tie the smaller largest child */
            key = b0 + b1;
            w->score[d] = nd->bound > 0 && isfinite(nd->bound) ? key / (2 * nd->bound) : 1;
            if (best_d == n || key < best_key ||
                (key == best_key && fmax(b0, b1) < fmax(best_b[0], best_b[1]))) {
                best_key = key;
                best_d = d;
                best_m = m;
                best_b[0] = b0;
                best_b[1] = b1;
            }
            continue;
        }
        /* larger is better for the other rules: the relative width,
         * weighted by the gradient for NeuroDiff's rule */
        key = (nd->hi[d] - nd->lo[d]) / s->width0[d];
        if (s->o->split == LUMP_TOL_SPLIT_GRADIENT)
            key = fabs(g[d]) * (nd->hi[d] - nd->lo[d]) + 1e-300 * key;
        if (best_d == n || key > -best_key) {
            best_key = -key;
            best_d = d;
            best_m = m;
        }
    }
    if (best_d == n)
        return;
    if (!smart) {
        if (expired(s))
            return;
        halves(s, nd, best_d, best_m, lo, hi);
        best_b[0] = lump_tol_leaf_bound(s->pair, lo, hi);
        best_b[1] = lump_tol_leaf_bound(s->pair, lo + n, hi + n);
    }
    w->splittable = 1;
    w->dim = best_d;
    w->at = best_m;
    w->child_bound[0] = best_b[0];
    w->child_bound[1] = best_b[1];
}

/* Whether the exact leaf is worth its rational arithmetic on ND: when
 * the part cannot be split, or when its double bound is so close to EPS
 * that rounding, not looseness, may be what keeps it open (the tolerance
 * is then likely the true maximum, reached in the part). */
static int exact_worth(const search_t *s, const node_t *nd, int splittable)
{
    double eps = s->eps_dn > 0 ? s->eps_dn : 0x1p-60;
    return !splittable || nd->bound - s->eps_dn <= 0x1p-24 * eps;
}

/* The exact leaf on ND (lump_tol_leaf_exact on its exact box): W->exact
 * gets the exact maximum's text when it is at most EPS. */
static void try_exact(const search_t *s, const node_t *nd, work_t *w, mpq_t *blo, mpq_t *bhi)
{
    lump_box_t b = {s->n, blo, bhi};
    mpq_t m;
    for (size_t i = 0; i < s->n; i++) {
        if (nd->flag[i] & 1)
            mpq_set(blo[i], s->box->lo[i]);
        else
            mpq_set_d(blo[i], nd->lo[i]);
        if (nd->flag[i] & 2)
            mpq_set(bhi[i], s->box->hi[i]);
        else
            mpq_set_d(bhi[i], nd->hi[i]);
    }
    mpq_init(m);
    if (lump_tol_leaf_exact(m, s->pair, &b) && mpq_cmp(m, s->o->tolerance) <= 0)
        w->exact = lump_rat_str(m);
    mpq_clear(m);
}

static void *worker(void *arg)
{
    search_t *s = arg;
    size_t n = s->n;
    size_t ns = 4 * n + 2 * s->n_all + 8 +
                (lump_i_tnet_scratch(&s->ta) > lump_i_tnet_scratch(&s->tb)
                     ? lump_i_tnet_scratch(&s->ta)
                     : lump_i_tnet_scratch(&s->tb));
    double *scratch = lump_alloc_array(ns, sizeof(double));
    double *g = lump_alloc_array(n + 1, sizeof(double));
    double *lo = lump_alloc_array(2 * n + 1, sizeof(double));
    double *hi = lump_alloc_array(2 * n + 1, sizeof(double));
    mpq_t *blo = lump_alloc_array(n + 1, sizeof(mpq_t)), *bhi = lump_alloc_array(n + 1, sizeof(mpq_t));
    for (size_t i = 0; i < n; i++) {
        mpq_init(blo[i]);
        mpq_init(bhi[i]);
    }
    for (;;) {
        size_t i;
        work_t *w;
        pthread_mutex_lock(&s->lock);
        i = s->next++;
        pthread_mutex_unlock(&s->lock);
        if (i >= s->n_work || expired(s))
            break;
        w = &s->work[i];
        witness_search(s, &s->nodes[w->node], w, g, scratch);
        if (exact_worth(s, &s->nodes[w->node], 1))
            try_exact(s, &s->nodes[w->node], w, blo, bhi);
        if (w->exact == NULL) {
            split_node(s, &s->nodes[w->node], w, g, lo, hi);
            if (!w->splittable && !s->stop && !exact_worth(s, &s->nodes[w->node], 1))
                try_exact(s, &s->nodes[w->node], w, blo, bhi);
        }
        w->done = !s->stop;
    }
    lump_rat_vec_free(blo, n);
    lump_rat_vec_free(bhi, n);
    free(scratch);
    free(g);
    free(lo);
    free(hi);
    return NULL;
}

/* ---- the open parts: a binary heap, largest bound first, then lowest id */

typedef struct {
    size_t *v, n, cap;
} heap_t;

static int before(const search_t *s, size_t x, size_t y)
{
    double bx = s->nodes[x].bound, by = s->nodes[y].bound;
    return bx > by || (bx == by && x < y);
}

static void heap_push(heap_t *h, const search_t *s, size_t id)
{
    size_t i;
    h->v = lump_i_grow(h->v, &h->cap, h->n, sizeof *h->v, 64);
    i = h->n++;
    while (i > 0 && before(s, id, h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = id;
}

static size_t heap_pop(heap_t *h, const search_t *s)
{
    size_t top = h->v[0], last = h->v[--h->n], i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(s, h->v[c + 1], h->v[c]))
            c++;
        if (!before(s, h->v[c], last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return top;
}

/* ---- exact confirmation of a witness ---- */

/* X as an exact point of ND's exact box (clamped to the box's exact
 * ends), into W (n initialised rationals) */
static void exact_point(const search_t *s, const double *x, mpq_t *w)
{
    for (size_t i = 0; i < s->n; i++) {
        mpq_set_d(w[i], x[i]);
        if (mpq_cmp(w[i], s->box->lo[i]) < 0)
            mpq_set(w[i], s->box->lo[i]);
        if (mpq_cmp(w[i], s->box->hi[i]) > 0)
            mpq_set(w[i], s->box->hi[i]);
    }
}

/* DIFF = max over the selected outputs of |A_j(W) - B_j(W)|, exactly, and
 * *J the first output where it is reached */
static lump_error_t exact_diff(mpq_t diff, size_t *j, const search_t *s, const mpq_t *w)
{
    lump_error_t err = LUMP_OK;
    size_t no = s->n_all;
    mpq_t *oa = lump_alloc_array(no, sizeof(mpq_t)), *ob = lump_alloc_array(no, sizeof(mpq_t));
    mpq_t t;
    mpq_init(t);
    for (size_t k = 0; k < no; k++) {
        mpq_init(oa[k]);
        mpq_init(ob[k]);
    }
    LUMP_CHECK(lump_eval_exact(oa, s->a, w));
    LUMP_CHECK(lump_eval_exact(ob, s->b, w));
    mpq_set_si(diff, -1, 1);
    for (size_t k = 0; k < s->n_out; k++) {
        mpq_sub(t, oa[s->out[k]], ob[s->out[k]]);
        mpq_abs(t, t);
        if (mpq_cmp(t, diff) > 0) {
            mpq_set(diff, t);
            *j = s->out[k];
        }
    }
cleanup:
    mpq_clear(t);
    lump_rat_vec_free(oa, no);
    lump_rat_vec_free(ob, no);
    return err;
}

/* ---- the certificate ---- */

typedef struct {
    char *p;
    size_t n, cap;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n)
            break;
        b->cap = 2 * b->cap + (k > 0 ? (size_t)k : 0) + 64;
        b->p = lump_realloc_array(b->p, b->cap, 1);
    }
    b->n += (size_t)k;
}

static void sb_q(sbuf_t *b, const mpq_t q)
{
    char *t = lump_rat_str(q);
    sb_add(b, "\"%s\"", t != NULL ? t : "?");
    free(t);
}

static void sb_d(sbuf_t *b, double d)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_d(q, d);
    sb_q(b, q);
    mpq_clear(q);
}

/* the certificate of tol_spec / docs/certificates.md: the tree in
 * preorder, one node a line */
static void write_cert(sbuf_t *b, const search_t *s)
{
    size_t *stack = lump_alloc_array(s->n_nodes + 1, sizeof *stack), top = 0, first = 1;
    sb_add(b, "{\n  \"format\": \"lumpnet-tolerance-certificate\",\n  \"version\": 1,\n"
              "  \"tolerance\": ");
    sb_q(b, s->o->tolerance);
    sb_add(b, ",\n  \"outputs\": [");
    for (size_t k = 0; k < s->n_out; k++)
        sb_add(b, "%s%zu", k ? ", " : "", s->out[k]);
    sb_add(b, "],\n  \"inputs\": %zu,\n  \"box\": [", s->n);
    for (size_t i = 0; i < s->n; i++) {
        sb_add(b, "%s[", i ? ", " : "");
        sb_q(b, s->box->lo[i]);
        sb_add(b, ", ");
        sb_q(b, s->box->hi[i]);
        sb_add(b, "]");
    }
    sb_add(b, "],\n  \"tree\": [");
    stack[top++] = 0;
    while (top > 0) {
        const node_t *nd = &s->nodes[stack[--top]];
        sb_add(b, "%s\n    ", first ? "" : ",");
        first = 0;
        if (nd->state == SPLIT) {
            sb_add(b, "{\"split\": %zu, \"at\": ", nd->dim);
            sb_d(b, nd->at);
            sb_add(b, "}");
            stack[top++] = nd->child[1];
            stack[top++] = nd->child[0];
        } else if (nd->exact != NULL) {
            sb_add(b, "{\"exact\": \"%s\"}", nd->exact);
        } else {
            sb_add(b, "{\"leaf\": ");
            sb_d(b, nd->bound);
            sb_add(b, "}");
        }
    }
    sb_add(b, "\n  ]\n}\n");
    free(stack);
}

/* ---- the search ---- */

/* lump_tol_opts_init -- see tolerance.h. */
void lump_tol_opts_init(lump_tol_opts_t *o)
{
    memset(o, 0, sizeof *o);
    mpq_init(o->tolerance);
    o->split = LUMP_TOL_SPLIT_RANKED;
}

void lump_tol_opts_clear(lump_tol_opts_t *o)
{
    mpq_clear(o->tolerance);
}

/* lump_tol_result_init -- see tolerance.h. */
void lump_tol_result_init(lump_tol_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->verdict = LUMP_UNKNOWN;
    r->bound = INFINITY;
    r->largest = -1;
    mpq_init(r->witness_diff);
}

void lump_tol_result_clear(lump_tol_result_t *r)
{
    lump_rat_vec_free(r->witness, r->n_witness);
    mpq_clear(r->witness_diff);
    free(r->cert);
    memset(r, 0, sizeof *r);
}

static unsigned default_jobs(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1 : c > 256 ? 256 : (unsigned)c;
}

/* run the round's work on JOBS threads (the calling one among them) */
static void run_round(search_t *s, unsigned jobs)
{
    pthread_t th[ROUND];
    unsigned started = 0;
    s->next = 0;
    if (jobs > s->n_work)
        jobs = (unsigned)s->n_work;
    for (unsigned t = 1; t < jobs; t++)
        if (pthread_create(&th[started], NULL, worker, s) == 0)
            started++;
    worker(s); /* fewer threads only make it slower, never different */
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
}

static int by_node(const void *x, const void *y)
{
    size_t a = ((const work_t *)x)->node, b = ((const work_t *)y)->node;
    return a < b ? -1 : a > b;
}

static void set_reason(lump_tol_result_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_reason(lump_tol_result_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

/* lump_tol_search -- see tolerance.h. */
lump_error_t lump_tol_search(lump_tol_result_t *r, const lump_net_t *a, const lump_net_t *b,
                             const lump_box_t *box, const lump_tol_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    search_t s;
    heap_t heap = {NULL, 0, 0};
    size_t *all = NULL, n_stuck = 0, lv = 0, lv2 = 0, rounds = 0;
    unsigned jobs = o->jobs ? o->jobs : default_jobs();
    double leaf_max = 0, stuck_max = 0, best_diff = -1, *best_x = NULL, t0 = lump_clock_seconds();
    mpq_t *wq = NULL, dq;
    char what[160];
    size_t best_j = 0;
    int progress_on = 0, tnets = 0;
    memset(&s, 0, sizeof s);
    mpq_init(dq);
    pthread_mutex_init(&s.lock, NULL);
    s.a = a;
    s.b = b;
    s.box = box;
    s.o = o;
    s.n = a->n_inputs;
    s.n_all = lump_net_n_outputs(a);
    if (mpq_sgn(o->tolerance) < 0)
        LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "the tolerance must be >= 0"));
    if (box->n != s.n)
        LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "the box has %zu dimensions, the networks %zu "
                                  "inputs", box->n, s.n));
    for (size_t i = 0; i < s.n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "the box is empty in dimension %zu", i));
    if (o->outputs == NULL) {
        all = lump_alloc_array(s.n_all + 1, sizeof *all);
        for (size_t j = 0; j < s.n_all; j++)
            all[j] = j;
        s.out = all;
        s.n_out = s.n_all;
    } else {
        s.out = (size_t *)o->outputs;
        s.n_out = o->n_outputs;
    }
    {
        lump_error_t e = lump_tol_pair_new(&s.pair, a, b, s.out, s.n_out);
        if (e == LUMP_EUNSUPPORTED) { /* the pair is valid, its bound is not available */
            set_reason(r, "%s", lump_error_message());
            goto cleanup;
        }
        LUMP_CHECK(e);
    }
    if (s.n_out == 0)
        LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "no output selected"));
    lump_i_tnet_init(&s.ta, a);
    lump_i_tnet_init(&s.tb, b);
    tnets = 1;
    s.box_lo_dn = lump_alloc_array(4 * s.n + 1, sizeof(double));
    s.box_lo_up = s.box_lo_dn + s.n;
    s.box_hi_dn = s.box_lo_up + s.n;
    s.box_hi_up = s.box_hi_dn + s.n;
    s.width0 = lump_alloc_array(s.n + 1, sizeof(double));
    {
        double t;
        q_enclose(&s.eps_dn, &t, o->tolerance);
    }
    s.deadline = o->timeout > 0 ? t0 + o->timeout : 0;
    {
        size_t root = new_node(&s);
        node_t *nd = &s.nodes[root];
        for (size_t i = 0; i < s.n; i++) {
            q_enclose(&s.box_lo_dn[i], &s.box_lo_up[i], box->lo[i]);
            q_enclose(&s.box_hi_dn[i], &s.box_hi_up[i], box->hi[i]);
            nd->lo[i] = s.box_lo_dn[i];
            nd->hi[i] = s.box_hi_up[i];
            nd->flag[i] = 3;
            s.width0[i] = nd->hi[i] - nd->lo[i] > 0 ? nd->hi[i] - nd->lo[i] : 1;
        }
        nd->bound = lump_tol_leaf_bound(s.pair, nd->lo, nd->hi);
        nd->state = OPEN;
        heap_push(&heap, &s, root);
    }
    best_x = lump_alloc_array(s.n + 1, sizeof(double));
    wq = lump_alloc_array(s.n + 1, sizeof(mpq_t));
    for (size_t i = 0; i < s.n; i++)
        mpq_init(wq[i]);
    s.work = lump_alloc_zero(ROUND, sizeof *s.work);
    for (size_t k = 0; k < ROUND; k++) {
        s.work[k].cand = lump_alloc_array(s.n + 1, sizeof(double));
        s.work[k].score = lump_alloc_array(s.n + 1, sizeof(double));
    }
    if (o->progress) {
        lv = lump_progress_begin("tolerance search", 0, 0);
        snprintf(what, sizeof what, "starting");
        lv2 = lump_progress_begin(what, 0, 0);
        progress_on = 1;
    }
    while (heap.n > 0) {
        /* the part closed first whose bound is small enough */
        size_t top = heap.v[0];
        if (s.nodes[top].bound <= s.eps_dn) {
            heap_pop(&heap, &s);
            s.nodes[top].state = LEAF;
            if (s.nodes[top].bound > leaf_max)
                leaf_max = s.nodes[top].bound;
            r->leaves++;
            continue;
        }
        if (expired(&s))
            break;
        if (progress_on) {
            snprintf(what, sizeof what, "%zu parts open, %zu closed, bound %.3g", heap.n,
                     r->leaves, s.nodes[heap.v[0]].bound);
            if (lump_progress_step(lv2, rounds) != LUMP_OK)
                break; /* interrupted: the parts stay open */
        }
        rounds++;
        s.n_work = 0;
        while (s.n_work < ROUND && heap.n > 0 && s.nodes[heap.v[0]].bound > s.eps_dn) {
            work_t *w = &s.work[s.n_work++];
            w->node = heap_pop(&heap, &s);
            w->done = 0;
            w->splittable = 0;
            w->cand_diff = -1;
            free(w->exact);
            w->exact = NULL;
        }
        run_round(&s, jobs);
        /* merge in part order, whatever the order of popping */
        qsort(s.work, s.n_work, sizeof *s.work, by_node);
        if (s.stop) { /* the round is incomplete: its parts stay open */
            for (size_t k = 0; k < s.n_work; k++)
                heap_push(&heap, &s, s.work[k].node);
            break;
        }
        /* merge in the order taken: the largest difference, witnesses
         * confirmed exactly (the first confirmed one ends the search),
         * then the splits */
        for (size_t k = 0; k < s.n_work; k++) {
            work_t *w = &s.work[k];
            if (w->cand_diff > best_diff) {
                best_diff = w->cand_diff;
                best_j = w->cand_j;
                memcpy(best_x, w->cand, s.n * sizeof *best_x);
            }
        }
        for (size_t k = 0; k < s.n_work && r->verdict == LUMP_UNKNOWN; k++) {
            work_t *w = &s.work[k];
            if (!(w->cand_diff > s.eps_dn))
                continue;
            exact_point(&s, w->cand, wq);
            LUMP_CHECK(exact_diff(dq, &best_j, &s, wq));
            if (mpq_cmp(dq, o->tolerance) > 0) {
                r->verdict = LUMP_FALSE;
                best_diff = w->cand_diff;
                memcpy(best_x, w->cand, s.n * sizeof *best_x);
                r->output = best_j;
            }
        }
        if (r->verdict == LUMP_FALSE) { /* its parts stay open, for the bound */
            for (size_t k = 0; k < s.n_work; k++)
                heap_push(&heap, &s, s.work[k].node);
            break;
        }
        for (size_t k = 0; k < s.n_work; k++) {
            work_t *w = &s.work[k];
            node_t *nd;
            if (w->exact != NULL) { /* closed by its exact maximum */
                s.nodes[w->node].state = LEAF;
                s.nodes[w->node].exact = w->exact;
                w->exact = NULL;
                { /* the leaf's exact maximum, rounded up, joins the bound */
                    double lo_, hi_;
                    mpq_t m;
                    mpq_init(m);
                    /* the text is lump_rat_str's: a decimal when finite */
                    if (lump_rat_parse_cstr(m, s.nodes[w->node].exact) == LUMP_OK) {
                        q_enclose(&lo_, &hi_, m);
                        if (hi_ > leaf_max)
                            leaf_max = hi_;
                    }
                    mpq_clear(m);
                }
                r->leaves++;
                r->exact_leaves++;
                continue;
            }
            if (!w->splittable) {
                s.nodes[w->node].state = STUCK;
                if (s.nodes[w->node].bound > stuck_max)
                    stuck_max = s.nodes[w->node].bound;
                n_stuck++;
                continue;
            }
            for (int c = 0; c < 2; c++) {
                size_t id = new_node(&s);
                node_t *ch = &s.nodes[id], *par = &s.nodes[w->node];
                memcpy(ch->lo, par->lo, s.n * sizeof *ch->lo);
                memcpy(ch->hi, par->hi, s.n * sizeof *ch->hi);
                memcpy(ch->flag, par->flag, s.n);
                if (c == 0) {
                    ch->hi[w->dim] = w->at;
                    ch->flag[w->dim] &= 1;
                } else {
                    ch->lo[w->dim] = w->at;
                    ch->flag[w->dim] &= 2;
                }
                ch->bound = w->child_bound[c];
                memcpy(ch->score, w->score, s.n * sizeof *ch->score);
                ch->age = w->age;
                ch->state = OPEN;
                s.nodes[w->node].child[c] = id;
                heap_push(&heap, &s, id);
            }
            nd = &s.nodes[w->node];
            nd->state = SPLIT;
            nd->dim = w->dim;
            nd->at = w->at;
        }
    }
    r->nodes = s.n_nodes;
    /* the best certified bound: the parts still open or stuck, and the
     * closed leaves */
    r->bound = leaf_max;
    if (heap.n > 0 && s.nodes[heap.v[0]].bound > r->bound)
        r->bound = s.nodes[heap.v[0]].bound;
    if (n_stuck > 0 && stuck_max > r->bound)
        r->bound = stuck_max;
    for (size_t k = 0; k < heap.n; k++) /* a stopped round pushed back unordered parts */
        if (s.nodes[heap.v[k]].bound > r->bound)
            r->bound = s.nodes[heap.v[k]].bound;
    r->largest = best_diff;
    if (best_diff >= 0) { /* the point of the largest difference, exactly */
        size_t j = best_j;
        exact_point(&s, best_x, wq);
        LUMP_CHECK(exact_diff(r->witness_diff, &j, &s, wq));
        r->output = j;
        r->witness = wq;
        r->n_witness = s.n;
        wq = NULL;
        r->largest = fmax(best_diff, mpq_get_d(r->witness_diff));
        /* the double search may have seen this difference at or below EPS
         * through cancellation; the exact value decides: above EPS, the
         * point is a witness (the search would otherwise end unknown on
         * a box too thin to split, with a witness in hand) */
        if (r->verdict != LUMP_FALSE && mpq_cmp(r->witness_diff, o->tolerance) > 0)
            r->verdict = LUMP_FALSE;
    }
    if (r->verdict == LUMP_FALSE)
        goto cleanup;
    if (heap.n == 0 && n_stuck == 0) {
        sbuf_t sb = {NULL, 0, 0};
        r->verdict = LUMP_TRUE;
        write_cert(&sb, &s);
        r->cert = sb.p;
        r->cert_len = sb.n;
    } else if (heap.n == 0)
        set_reason(r, "%zu part(s) of the box are too thin to split further in double "
                      "precision and their bound is above the tolerance", n_stuck);
    else if (lump_cancel_requested())
        set_reason(r, "interrupted");
    else {
        r->timed_out = 1;
        set_reason(r, "time limit of %g s reached", o->timeout);
    }
cleanup:
    if (progress_on)
        lump_progress_end(lv);
    if (wq != NULL)
        lump_rat_vec_free(wq, s.n);
    if (s.work != NULL)
        for (size_t k = 0; k < ROUND; k++) {
            free(s.work[k].cand);
            free(s.work[k].score);
            free(s.work[k].exact);
        }
    free(s.work);
    for (size_t k = 0; k < s.n_nodes; k++) {
        free(s.nodes[k].lo);
        free(s.nodes[k].hi);
        free(s.nodes[k].flag);
        free(s.nodes[k].score);
        free(s.nodes[k].exact);
    }
    free(s.nodes);
    free(heap.v);
    free(best_x);
    free(s.box_lo_dn);
    free(s.width0);
    free(all);
    if (tnets) {
        lump_i_tnet_clear(&s.ta);
        lump_i_tnet_clear(&s.tb);
    }
    lump_tol_pair_free(s.pair);
    pthread_mutex_destroy(&s.lock);
    mpq_clear(dq);
    return err;
}
