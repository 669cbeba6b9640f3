/* equiv.c -- are two networks the same function? proof by lumping their
 * union, refutation by an exactly confirmed witness, else unknown */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "lumpnet/eval.h"
#include "lumpnet/progress.h"
#include "lumpnet/rat.h"
#include "act_i.h"
#include "alloc_i.h"

/* The search budget. Fixed numbers keep the search reproducible for a
 * given seed. Differences that only show on a small part of the domain
 * (a changed weight behind a rarely active neuron) need many points, so
 * small networks get more of them: ACAS Xu pairs about 4000, MNIST pairs
 * the minimum, each search well under a second of double evaluations plus
 * at most N_TOP + N_STARTS exact ones (2 N_TOP during the sampling). */
#define MIN_RANDOM 200     /* random rational points: at least this many, */
#define MAX_RANDOM 20000   /* at most this many, */
#define RANDOM_WORK 1e8    /* about this many multiply-adds in all */
#define MAX_ALL_CORNERS 10 /* every corner when n <= this, else random ones */
#define N_RANDOM_CORNERS 64
#define N_TOP 8          /* best points confirmed exactly */
#define N_STARTS 4       /* local searches, from the best points */
#define GRID_BITS 20     /* random points lie on a 2^-20 grid of the box */
#define STEP_BITS 12     /* local search steps: box width / 2^1 .. 2^-12 */
#define MAX_STEPS 400    /* double evaluations per local search, */
#define LOCAL_WORK 2.5e7 /* or about this many multiply-adds if fewer */
#define MPFR_PREC 256    /* enclosures for sigmoid and tanh networks */

void lump_equiv_init(lump_equiv_t *e)
{
    memset(e, 0, sizeof *e);
    e->equal = LUMP_UNKNOWN;
    lump_lumping_init(&e->proof);
}

static mpq_t *alloc_q(size_t n)
{
    mpq_t *v = lump_alloc_array(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void lump_equiv_clear(lump_equiv_t *e)
{
    lump_rat_vec_free(e->witness, e->n_witness);
    lump_lumping_clear(&e->proof);
    lump_equiv_init(e);
}

/* ---------------------------------------------------------------------- */
/* The proof: lump the union                                               */

/* The block and the scale of neuron V in layer lumping LL; 0 when V is in
 * no block (a malformed lumping, which then proves nothing). */
static int find_neuron(const lump_layer_lumping_t *ll, size_t v, const lump_block_t **blk,
                       size_t *member)
{
    for (size_t k = 0; k < ll->n_blocks; k++)
        for (size_t m = 0; m < ll->blocks[k].n_members; m++)
            if (ll->blocks[k].members[m] == v) {
                *blk = &ll->blocks[k];
                *member = m;
                return 1;
            }
    return 0;
}

/* 1 when output J of A and output J of B provably agree under the lumping
 * L of the union: one KEEP block with equal scales, or two CONSTANT blocks
 * of equal value. */
static int outputs_agree(const lump_layer_lumping_t *ll, size_t nout, size_t j, mpq_t sa, mpq_t sb)
{
    const lump_block_t *ba, *bb;
    size_t ma, mb;
    if (!find_neuron(ll, j, &ba, &ma) || !find_neuron(ll, nout + j, &bb, &mb))
        return 0;
    if (ba->fate == LUMP_FATE_CONSTANT && bb->fate == LUMP_FATE_CONSTANT)
        return mpq_equal(ba->value, bb->value);
    if (ba != bb || ba->fate != LUMP_FATE_KEEP)
        return 0;
    lump_arr_get(sa, &ba->scales, ma);
    lump_arr_get(sb, &bb->scales, mb);
    return mpq_equal(sa, sb);
}

/* ---------------------------------------------------------------------- */
/* The witness search                                                      */

/* What the search shares: the two networks, the domain, scratch space. */
typedef struct {
    const lump_net_t *a, *b;
    size_t n, nout;
    int pwl;
    mpq_t *lo, *hi; /* the domain */
    double *xd, *ya, *yb;
    mpq_t *qa, *qb; /* exact outputs */
    mpfr_t *la, *ha, *lb, *hb;
    gmp_randstate_t rs;
    mpq_t t;
    /* the probe: where A and B first part ways (see find_targets) */
    size_t t_layer, n_targets;
    size_t *targets;             /* neurons of union layer t_layer */
    double **uw, **ub;           /* union weights and biases, layers 0..t_layer */
    const lump_net_t *probe_net; /* the union, owned by lump_equiv */
    double *clo, *chi;           /* the union's clip, when it has one */
    double *y0, *y1;
    size_t width;
} search_t;

/* One of the best points seen so far: ranked by the double score, ties
 * (typically all 0) broken by the probe. */
typedef struct {
    double score, probe;
    mpq_t *x;
} cand_t;

static int better(double sc1, double pr1, double sc0, double pr0)
{
    return sc1 > sc0 || (sc1 == sc0 && pr1 > pr0);
}

static void search_alloc(search_t *s, const lump_net_t *a, const lump_net_t *b, unsigned long seed)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    s->b = b;
    s->n = a->n_inputs;
    s->nout = lump_net_n_outputs(a);
    s->pwl = lump_net_is_pwl(a) && lump_net_is_pwl(b);
    gmp_randinit_default(s->rs);
    gmp_randseed_ui(s->rs, seed);
    mpq_init(s->t);
    s->lo = alloc_q(s->n);
    s->hi = alloc_q(s->n);
    s->qa = alloc_q(s->nout);
    s->qb = alloc_q(s->nout);
    s->xd = lump_alloc_array(s->n, sizeof *s->xd);
    s->ya = lump_alloc_array(s->nout, sizeof *s->ya);
    s->yb = lump_alloc_array(s->nout, sizeof *s->yb);
    s->la = lump_alloc_array(s->nout, sizeof *s->la);
    s->ha = lump_alloc_array(s->nout, sizeof *s->ha);
    s->lb = lump_alloc_array(s->nout, sizeof *s->lb);
    s->hb = lump_alloc_array(s->nout, sizeof *s->hb);
    for (size_t j = 0; j < s->nout; j++) {
        mpfr_inits2(MPFR_PREC, s->la[j], s->ha[j], s->lb[j], s->hb[j], (mpfr_ptr)NULL);
    }
}

/* Safe on a partly allocated S: the mpfr arrays are initialised all at
 * once, after every allocation succeeded. */
static void search_clear(search_t *s)
{
    int mp = s->la && s->ha && s->lb && s->hb && s->lo && s->hi && s->qa && s->qb && s->xd &&
             s->ya && s->yb;
    for (size_t j = 0; mp && j < s->nout; j++)
        mpfr_clears(s->la[j], s->ha[j], s->lb[j], s->hb[j], (mpfr_ptr)NULL);
    LUMP_FREE_ALL(s->la, s->ha, s->lb, s->hb, s->xd, s->ya, s->yb);
    lump_rat_vec_free(s->qa, s->nout);
    lump_rat_vec_free(s->qb, s->nout);
    lump_rat_vec_free(s->lo, s->n);
    lump_rat_vec_free(s->hi, s->n);
    mpq_clear(s->t);
    gmp_randclear(s->rs);
    for (size_t i = 0; s->uw != NULL && i <= s->t_layer; i++) {
        free(s->uw[i]);
        free(s->ub[i]);
    }
    LUMP_FREE_ALL(s->uw, s->ub, s->targets, s->clo, s->chi, s->y0, s->y1);
}

/* ---------------------------------------------------------------------- */
/* The probe: a direction for the search when A and B agree everywhere it
 * has looked. In the lumping of the union, a KEEP block with members from
 * one side only holds neurons that have no provable partner on the other
 * side; the earliest layer with such neurons is where A and B first part
 * ways. A difference can only pass a relu (or leaky) neuron there when it
 * is active, so the search, while it sees no difference, climbs on the
 * largest pre-activation of those neurons: the probe. This is a heuristic
 * for ranking only; verdicts rest on exact evaluation alone. */

static int has_kink(const lump_act_t *act)
{
    return lump_i_act_of(act)->kink;
}

/* The neurons of union layer I that lie in one-sided KEEP blocks and have
 * a kink (relu, leaky), stored in OUT when OUT is not NULL; returns their
 * number. A's neurons come first in the layer (SIZE_A of them). */
static size_t layer_targets(size_t *out, const lump_net_t *u, const lump_lumping_t *L, size_t i,
                            size_t size_a)
{
    const lump_layer_lumping_t *ll = &L->layers[i];
    size_t n = 0;
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *bl = &ll->blocks[k];
        int side_a = 0, side_b = 0;
        if (bl->fate != LUMP_FATE_KEEP)
            continue;
        for (size_t m = 0; m < bl->n_members; m++) {
            side_a |= bl->members[m] < size_a;
            side_b |= bl->members[m] >= size_a;
        }
        for (size_t m = 0; side_a != side_b && m < bl->n_members; m++)
            if (has_kink(lump_layer_act(&u->layers[i], bl->members[m]))) {
                if (out != NULL)
                    out[n] = bl->members[m];
                n++;
            }
    }
    return n;
}

/* Pick the targets from the lumping L of the union U of A and B, and keep
 * U's layers up to theirs as doubles. No targets is not an error: the
 * search then ranks by the score alone. */
static void find_targets(search_t *s, const lump_net_t *u, const lump_lumping_t *L)
{
    size_t t = 0, size_a = 0;
    for (t = 0; t < u->n_layers; t++) {
        size_a = t < s->a->n_layers ? s->a->layers[t].size : s->nout;
        if (layer_targets(NULL, u, L, t, size_a) > 0)
            break;
    }
    if (t == u->n_layers)
        return;
    s->t_layer = t;
    s->targets = lump_alloc_array(u->layers[t].size, sizeof *s->targets);
    s->uw = lump_alloc_zero(t + 1, sizeof *s->uw);
    s->ub = lump_alloc_zero(t + 1, sizeof *s->ub);
    s->width = u->n_inputs;
    for (size_t i = 0; i <= t; i++)
        if (u->layers[i].size > s->width)
            s->width = u->layers[i].size;
    s->y0 = lump_alloc_array(s->width, sizeof *s->y0);
    s->y1 = lump_alloc_array(s->width, sizeof *s->y1);
    s->n_targets = layer_targets(s->targets, u, L, t, size_a);
    for (size_t i = 0; i <= t; i++) {
        const lump_layer_t *l = &u->layers[i];
        s->uw[i] = lump_alloc_array(l->weight.len ? l->weight.len : 1, sizeof **s->uw);
        s->ub[i] = lump_alloc_array(l->size, sizeof **s->ub);
        for (size_t k = 0; k < l->weight.len; k++)
            s->uw[i][k] = lump_arr_get_d(&l->weight, k);
        for (size_t k = 0; k < l->size; k++)
            s->ub[i][k] = lump_arr_get_d(&l->bias, k);
    }
    if (u->has_clip) {
        s->clo = lump_alloc_array(u->n_inputs, sizeof *s->clo);
        s->chi = lump_alloc_array(u->n_inputs, sizeof *s->chi);
        for (size_t k = 0; k < u->n_inputs; k++) {
            s->clo[k] = mpq_get_d(u->clip_lo[k]);
            s->chi[k] = mpq_get_d(u->clip_hi[k]);
        }
    }
    s->probe_net = u;
}

/* The probe at S->xd: the largest pre-activation of a target neuron (0
 * when there are none). O(weights of the union up to the target layer). */
static double probe(search_t *s)
{
    const lump_net_t *u = s->probe_net;
    double best = -HUGE_VAL, *y = s->y0, *z = s->y1;
    if (s->n_targets == 0)
        return 0.0;
    for (size_t k = 0; k < s->n; k++) {
        double v = s->xd[k];
        if (s->clo != NULL)
            v = v < s->clo[k] ? s->clo[k] : v > s->chi[k] ? s->chi[k] : v;
        y[k] = v;
    }
    for (size_t i = 0; i <= s->t_layer; i++) {
        const lump_layer_t *l = &u->layers[i];
        const double *w = s->uw[i];
        double *tmp;
        for (size_t v = 0; v < l->size; v++) {
            double acc = s->ub[i][v];
            for (size_t k = 0; k < l->in_size; k++)
                acc += w[v * l->in_size + k] * y[k];
            z[v] = i < s->t_layer ? lump_act_eval_d(lump_layer_act(l, v), acc) : acc;
        }
        tmp = y;
        y = z;
        z = tmp;
    }
    for (size_t k = 0; k < s->n_targets; k++)
        if (y[s->targets[k]] > best)
            best = y[s->targets[k]];
    return isfinite(best) ? best : -HUGE_VAL;
}

/* The finder claimed a proof that the checker refuses (WHY): a bug. */
static lump_error_t disagreement(const char *why)
{
    return lump_error_set(LUMP_EINTERNAL,
                          "internal error: the partition finder proved the networks equivalent, "
                          "but the independent certificate checker refuses its lumping (%s). "
                          "This is a bug in lumpnet; no verdict is given. Please report it with "
                          "both networks and the command line",
                          why);
}

/* *PROVED = 1 when lumping the union of A and B proves them equal, and the
 * checker confirms it; PROOF then receives the lumping. A union the
 * lumping cannot express (different depths or clips) proves nothing, and
 * the witness search still runs. When the proof fails, U_KEEP receives
 * the union and S its probe. */
static lump_error_t prove(int *proved, lump_lumping_t *proof, search_t *s, lump_net_t *u_keep,
                          const lump_net_t *a, const lump_net_t *b)
{
    lump_error_t err = LUMP_OK, e2;
    lump_net_t u;
    lump_lumping_t L;
    const size_t nout = lump_net_n_outputs(a);
    mpq_t sa, sb;
    *proved = 0;
    lump_net_init(&u);
    lump_lumping_init(&L);
    mpq_inits(sa, sb, NULL);
    e2 = lump_net_union(&u, a, b);
    if (e2 == LUMP_EUNSUPPORTED)
        goto cleanup;
    LUMP_CHECK(e2);
    LUMP_CHECK(lump_partition_coarsest(&L, &u, LUMP_MODE_PROPORTIONAL, 1));
    if (L.n_layers != u.n_layers || L.layers[u.n_layers - 1].size != 2 * nout)
        goto cleanup;
    *proved = 1;
    for (size_t j = 0; j < nout && *proved; j++)
        *proved = outputs_agree(&L.layers[u.n_layers - 1], nout, j, sa, sb);
    if (*proved) {
        /* the trusted base: no proof stands that the checker has not seen */
        lump_verdict_t valid = LUMP_FALSE;
        char why[512];
        LUMP_CHECK(lump_equiv_cert_check(&valid, why, sizeof why, a, b, &L));
        if (valid != LUMP_TRUE) {
            *proved = 0;
            LUMP_CHECK(disagreement(why));
        }
        lump_lumping_clear(proof);
        *proof = L;
        lump_lumping_init(&L);
    } else {
        /* the search keeps the union for its probe */
        lump_net_clear(u_keep);
        *u_keep = u;
        lump_net_init(&u);
        find_targets(s, u_keep, &L);
    }
cleanup:
    mpq_clears(sa, sb, NULL);
    lump_lumping_clear(&L);
    lump_net_clear(&u);
    return err;
}

/* Append "[l,u]" for input I to BUF (LEN bytes used of SIZE); 0 when it
 * does not fit. */
static int append_interval(char *buf, size_t size, size_t *len, const mpq_t lo, const mpq_t hi,
                           int first)
{
    char *l = lump_rat_str(lo), *h = lump_rat_str(hi);
    int k = snprintf(buf + *len, size - *len, "%s[%s,%s]", first ? "" : "x", l, h);
    free(l);
    free(h);
    if (k < 0 || (size_t)k >= size - *len)
        return 0;
    *len += (size_t)k;
    return 1;
}

/* The domain, and its description in E->domain: the box, else A's (or B's)
 * declared input bounds, else [-1,1]^n. */
static void set_domain(search_t *s, lump_equiv_t *e, const lump_box_t *box)
{
    const lump_net_t *c = s->a->has_clip ? s->a : s->b->has_clip ? s->b : NULL;
    size_t len = 0;
    int fits = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (box != NULL) {
            mpq_set(s->lo[i], box->lo[i]);
            mpq_set(s->hi[i], box->hi[i]);
        } else if (c != NULL) {
            mpq_set(s->lo[i], c->clip_lo[i]);
            mpq_set(s->hi[i], c->clip_hi[i]);
        } else {
            mpq_set_si(s->lo[i], -1, 1);
            mpq_set_si(s->hi[i], 1, 1);
        }
    }
    if (box == NULL && c == NULL) {
        snprintf(e->domain, sizeof e->domain, "[-1,1]^%zu", s->n);
        return;
    }
    len = (size_t)snprintf(e->domain, sizeof e->domain, "%s ",
                           box != NULL ? "the given box"
                           : c == s->a ? "the declared input bounds of A"
                                       : "the declared input bounds of B");
    for (size_t i = 0; i < s->n && fits; i++)
        fits = append_interval(e->domain, sizeof e->domain, &len, s->lo[i], s->hi[i], i == 0);
    if (!fits)
        snprintf(e->domain, sizeof e->domain, "%s (%zu inputs)",
                 box != NULL ? "the given box"
                 : c == s->a ? "the declared input bounds of A"
                             : "the declared input bounds of B",
                 s->n);
}

/* *OUT = max_j |A_j(X) - B_j(X)| in double precision and *PR = the probe
 * at X: the ranking, never the verdict. NaN and infinity rank lowest. */
static lump_error_t score(double *out, double *pr, search_t *s, mpq_t *x)
{
    lump_error_t err = LUMP_OK;
    double m = 0.0;
    for (size_t i = 0; i < s->n; i++)
        s->xd[i] = mpq_get_d(x[i]);
    LUMP_CHECK(lump_eval_double(s->ya, s->a, s->xd));
    LUMP_CHECK(lump_eval_double(s->yb, s->b, s->xd));
    for (size_t j = 0; j < s->nout; j++) {
        double d = fabs(s->ya[j] - s->yb[j]);
        if (isfinite(d) && d > m)
            m = d;
    }
    *out = m;
    *pr = probe(s);
cleanup:
    return err;
}

/* *DIFF = 1 and *J = an output where A and B provably differ at X: exact
 * rationals for piecewise-linear networks, else disjoint MPFR enclosures. */
static lump_error_t confirm(int *diff, size_t *jout, search_t *s, mpq_t *x)
{
    lump_error_t err = LUMP_OK;
    *diff = 0;
    if (s->pwl) {
        LUMP_CHECK(lump_eval_exact(s->qa, s->a, x));
        LUMP_CHECK(lump_eval_exact(s->qb, s->b, x));
        for (size_t j = 0; j < s->nout && !*diff; j++)
            if (!mpq_equal(s->qa[j], s->qb[j])) {
                *diff = 1;
                *jout = j;
            }
    } else {
        LUMP_CHECK(lump_eval_mpfr(s->la, s->ha, s->a, x, MPFR_PREC));
        LUMP_CHECK(lump_eval_mpfr(s->lb, s->hb, s->b, x, MPFR_PREC));
        for (size_t j = 0; j < s->nout && !*diff; j++)
            if (mpfr_less_p(s->ha[j], s->lb[j]) || mpfr_less_p(s->hb[j], s->la[j])) {
                *diff = 1;
                *jout = j;
            }
    }
cleanup:
    return err;
}

/* Confirm X; when A and B differ there, record X as E's witness. */
static lump_error_t try_witness(lump_equiv_t *e, search_t *s, mpq_t *x)
{
    lump_error_t err = LUMP_OK;
    int diff;
    size_t j = 0;
    LUMP_CHECK(confirm(&diff, &j, s, x));
    if (!diff)
        goto cleanup;
    e->witness = alloc_q(s->n);
    e->n_witness = s->n;
    for (size_t i = 0; i < s->n; i++)
        mpq_set(e->witness[i], x[i]);
    e->output = j;
    e->equal = LUMP_FALSE;
cleanup:
    return err;
}

/* X_i = lo_i + (hi_i - lo_i) k / 2^bits. */
static void grid_point(search_t *s, mpq_t xi, size_t i, unsigned long k, unsigned bits)
{
    mpq_sub(s->t, s->hi[i], s->lo[i]);
    mpz_mul_ui(mpq_numref(s->t), mpq_numref(s->t), k);
    mpz_mul_2exp(mpq_denref(s->t), mpq_denref(s->t), bits);
    mpq_canonicalize(s->t);
    mpq_add(xi, s->lo[i], s->t);
}

/* Keep the N_TOP best points in TOP (best first); X is copied in when it
 * ranks. */
static void keep_best(cand_t *top, size_t n, mpq_t *x, double sc, double pr)
{
    size_t k = N_TOP;
    mpq_t *spare;
    if (!better(sc, pr, top[N_TOP - 1].score, top[N_TOP - 1].probe))
        return;
    while (k > 0 && better(sc, pr, top[k - 1].score, top[k - 1].probe))
        k--;
    /* shift down, recycling the last point's storage for X */
    spare = top[N_TOP - 1].x;
    for (size_t m = N_TOP - 1; m > k; m--)
        top[m] = top[m - 1];
    top[k].x = spare;
    top[k].score = sc;
    top[k].probe = pr;
    for (size_t i = 0; i < n; i++)
        mpq_set(spare[i], x[i]);
}

/* Coordinate ascent on (score, probe) from X (updated in place): try
 * x_i +- step on each coordinate, keep improvements, halve the step. The
 * points stay rational and inside the domain. */
static lump_error_t local_search(search_t *s, mpq_t *x, double *sc, double *pr, mpq_t *y)
{
    lump_error_t err = LUMP_OK;
    size_t evals = 0, max_steps = MAX_STEPS;
    double work = (double)(lump_net_params(s->a) + lump_net_params(s->b));
    if (LOCAL_WORK / work < MAX_STEPS)
        max_steps = LOCAL_WORK / work > 8 ? (size_t)(LOCAL_WORK / work) : 8;
    mpq_t step;
    mpq_init(step);
    for (unsigned bits = 1; bits <= STEP_BITS && evals < max_steps; bits++) {
        int improved = 1;
        while (improved && evals < max_steps) {
            improved = 0;
            for (size_t i = 0; i < s->n && evals < max_steps; i++) {
                for (int dir = -1; dir <= 1; dir += 2) {
                    double t, tp;
                    mpq_sub(step, s->hi[i], s->lo[i]);
                    mpz_mul_2exp(mpq_denref(step), mpq_denref(step), bits);
                    mpq_canonicalize(step);
                    if (mpq_sgn(step) == 0)
                        break;
                    for (size_t k = 0; k < s->n; k++)
                        mpq_set(y[k], x[k]);
                    if (dir < 0)
                        mpq_sub(y[i], y[i], step);
                    else
                        mpq_add(y[i], y[i], step);
                    if (mpq_cmp(y[i], s->lo[i]) < 0)
                        mpq_set(y[i], s->lo[i]);
                    if (mpq_cmp(y[i], s->hi[i]) > 0)
                        mpq_set(y[i], s->hi[i]);
                    LUMP_CHECK(score(&t, &tp, s, y));
                    evals++;
                    if (better(t, tp, *sc, *pr)) {
                        *sc = t;
                        *pr = tp;
                        mpq_set(x[i], y[i]);
                        improved = 1;
                        break;
                    }
                }
            }
        }
    }
cleanup:
    mpq_clear(step);
    return err;
}

static lump_error_t search(lump_equiv_t *e, search_t *s)
{
    lump_error_t err = LUMP_OK;
    cand_t top[N_TOP];
    mpq_t *x = alloc_q(s->n), *y = alloc_q(s->n);
    const size_t n = s->n;
    double sc, pr, work = (double)(lump_net_params(s->a) + lump_net_params(s->b));
    size_t early = 0, n_random = MAX_RANDOM, lv = SIZE_MAX; /* no phase open yet */
    if (RANDOM_WORK / work < MAX_RANDOM)
        n_random = RANDOM_WORK / work > MIN_RANDOM ? (size_t)(RANDOM_WORK / work) : MIN_RANDOM;
    for (size_t k = 0; k < N_TOP; k++) {
        top[k].score = -1.0;
        top[k].probe = -HUGE_VAL;
        top[k].x = alloc_q(n);
    }
    /* the centre */
    for (size_t i = 0; i < n; i++)
        grid_point(s, x[i], i, 1, 1);
    LUMP_CHECK(try_witness(e, s, x));
    if (e->equal == LUMP_FALSE)
        goto cleanup;
    LUMP_CHECK(score(&sc, &pr, s, x));
    keep_best(top, n, x, sc, pr);
    /* random points on a fine rational grid of the box; a point where the
     * double evaluations differ is confirmed at once, a few times at most
     * (rounding noise may make every point look different) */
    lv = lump_progress_begin("random point", n_random, LUMP_PROGRESS_EVEN);
    for (size_t p = 0; p < n_random; p++) {
        LUMP_CHECK(lump_progress_step(lv, p));
        for (size_t i = 0; i < n; i++)
            grid_point(s, x[i], i, gmp_urandomm_ui(s->rs, (1UL << GRID_BITS) + 1), GRID_BITS);
        LUMP_CHECK(score(&sc, &pr, s, x));
        if (sc > 0.0 && early < N_TOP) {
            early++;
            LUMP_CHECK(try_witness(e, s, x));
            if (e->equal == LUMP_FALSE)
                goto cleanup;
        }
        keep_best(top, n, x, sc, pr);
    }
    lump_progress_end(lv);
    lv = SIZE_MAX;
    /* corners: all of them for small n, else a random sample */
    if (n <= MAX_ALL_CORNERS) {
        for (unsigned long c = 0; c < (1UL << n); c++) {
            for (size_t i = 0; i < n; i++)
                mpq_set(x[i], (c >> i) & 1 ? s->hi[i] : s->lo[i]);
            LUMP_CHECK(score(&sc, &pr, s, x));
            keep_best(top, n, x, sc, pr);
        }
    } else {
        for (size_t c = 0; c < N_RANDOM_CORNERS; c++) {
            for (size_t i = 0; i < n; i++)
                mpq_set(x[i], gmp_urandomb_ui(s->rs, 1) ? s->hi[i] : s->lo[i]);
            LUMP_CHECK(score(&sc, &pr, s, x));
            keep_best(top, n, x, sc, pr);
        }
    }
    /* exact confirmation of the best, best first */
    for (size_t k = 0; k < N_TOP && top[k].score >= 0.0; k++) {
        LUMP_CHECK(try_witness(e, s, top[k].x));
        if (e->equal == LUMP_FALSE)
            goto cleanup;
    }
    /* local search from the best points, each end point confirmed */
    for (size_t k = 0; k < N_STARTS && top[k].score >= 0.0; k++) {
        double best = top[k].score, bpr = top[k].probe;
        for (size_t i = 0; i < n; i++)
            mpq_set(x[i], top[k].x[i]);
        LUMP_CHECK(local_search(s, x, &best, &bpr, y));
        if (!better(best, bpr, top[k].score, top[k].probe))
            continue; /* the start point was confirmed already */
        LUMP_CHECK(try_witness(e, s, x));
        if (e->equal == LUMP_FALSE)
            goto cleanup;
    }
cleanup:
    if (lv != SIZE_MAX)
        lump_progress_end(lv);
    for (size_t k = 0; k < N_TOP; k++)
        lump_rat_vec_free(top[k].x, n);
    lump_rat_vec_free(x, n);
    lump_rat_vec_free(y, n);
    return err;
}

/* lump_equiv -- decide whether A and B compute the same function (lump.h).
 * First the proof: the union of A and B (lump_net_union) is lumped in
 * proportional mode with outputs merged; A and B are equal when output j
 * of A and output j of B share a block with equal scales (or are constant
 * with equal values), since a lumping's claims hold for every input, and
 * when lump_equiv_cert_check, which never calls the finder, confirms the
 * lumping (E->proof keeps it); a refusal is LUMP_EINTERNAL, never a verdict.
 * Otherwise a witness is searched over BOX, else the declared input bounds
 * (A's, else B's), else [-1,1]^n (E->domain says which): the centre,
 * 200 to 20000 random points of a 2^-20 grid (about 10^8 multiply-adds), the corners (all when n <=
 * 10, else 64 random ones), ranked by the double evaluator; the 8 best are confirmed exactly, then
 * coordinate ascent from the 4 best, its end points confirmed. Ties in the double score (no
 * difference seen) are broken by a probe: the largest pre-activation of the relu neurons where the
 * lumping of the union first finds A and B apart, so that the search
 * heads for inputs where the difference can pass. A witness is recorded only when exact rational
 * evaluation (piecewise-linear networks) or disjoint 256-bit MPFR enclosures show a difference;
 * else the verdict is LUMP_UNKNOWN. SEED fixes the search. Errors: LUMP_EUNSUPPORTED when A and B
 * differ in input or output count (no verdict applies); LUMP_EUSAGE when BOX has the wrong
 * dimension; LUMP_EINPUT for malformed networks. Time complexity: O(m_A + m_B) for the
 * union and its lumping, plus O(10^8 + (2^min(n,10) + 2000)(m_A + m_B)) flops and at most 20 exact
 * evaluations for the search. Reference: Buchholz, J. Appl. Prob. 31 (1994), for the
 * lumping. */
lump_error_t lump_equiv(lump_equiv_t *e, const lump_net_t *a, const lump_net_t *b,
                        const lump_box_t *box, unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    search_t s;
    lump_net_t u;
    int proved = 0, have_search = 0;
    size_t lv = SIZE_MAX; /* no phase open yet */
    lump_require(e != NULL && a != NULL && b != NULL, "lump_equiv");
    lump_equiv_clear(e);
    LUMP_CHECK(lump_net_validate(a, "network A"));
    LUMP_CHECK(lump_net_validate(b, "network B"));
    if (a->n_inputs != b->n_inputs)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "the networks have different input counts (A: %zu, B: %zu): "
                              "they are not functions on the same space, so neither "
                              "equivalence nor a witness applies",
                              a->n_inputs, b->n_inputs);
    if (lump_net_n_outputs(a) != lump_net_n_outputs(b))
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "the networks have different output counts (A: %zu, B: %zu): "
                              "neither equivalence nor a witness applies",
                              lump_net_n_outputs(a), lump_net_n_outputs(b));
    if (box != NULL && box->n != a->n_inputs)
        return lump_error_set(LUMP_EUSAGE,
                              "the box has %zu dimensions but the networks have "
                              "%zu inputs",
                              box->n, a->n_inputs);
    lump_net_init(&u);
    have_search = 1;
    search_alloc(&s, a, b, seed);
    set_domain(&s, e, box);
    lv = lump_progress_begin("proof by lumping the union", 0, 0);
    LUMP_CHECK(prove(&proved, &e->proof, &s, &u, a, b));
    lump_progress_end(lv);
    if (proved) {
        e->equal = LUMP_TRUE;
        goto cleanup;
    }
    lv = lump_progress_begin("witness search", 0, 0);
    LUMP_CHECK(search(e, &s));
cleanup:
    if (lv != SIZE_MAX)
        lump_progress_end(lv);
    if (have_search) {
        search_clear(&s);
        lump_net_clear(&u);
    }
    if (err != LUMP_OK)
        lump_equiv_clear(e);
    return err;
}
