/* explore.c -- the epsilon sweep behind `lumpnet explore`: the relaxed
 * quotients at a grid of epsilon values, each compared with magnitude
 * pruning at the same neuron budget and at the same parameter budget */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/eval.h"
#include "lumpnet/relax.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "grow_i.h"

typedef lump_explore_row_t row_t;
typedef lump_explore_t table_t;

void lump_explore_init(lump_explore_t *t)
{
    memset(t, 0, sizeof *t);
}

void lump_explore_clear(lump_explore_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].bound);
        free(t->rows[i].observed);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

void lump_explore_opts_init(lump_explore_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->steps = 10;
    o->centre = LUMP_CENTRE_MEAN;
    o->samples = 1000;
    o->lp = -1;
}

lump_explore_row_t *lump_explore_add_row(lump_explore_t *t, const char *method, double eps)
{
    row_t *r;
    t->rows = lump_i_grow(t->rows, &t->cap, t->n, sizeof *t->rows, 8);
    r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    r->bound = lump_alloc_zero(t->nout + 1, sizeof *r->bound);
    r->observed = lump_alloc_zero(t->nout + 1, sizeof *r->observed);
    r->acc = r->agree = r->cdev = NAN;
    r->method = method;
    r->eps = eps;
    return r;
}

void lump_explore_copy_row(lump_explore_t *t, size_t dst, size_t src, double eps)
{
    row_t *r = &t->rows[dst];
    double *b = r->bound, *o = r->observed;
    *r = t->rows[src];
    r->bound = b;
    r->observed = o;
    r->eps = eps;
    memcpy(b, t->rows[src].bound, t->nout * sizeof *b);
    memcpy(o, t->rows[src].observed, t->nout * sizeof *o);
}

void lump_explore_row_bound(lump_explore_row_t *r, const lump_bound_result_t *br, size_t nout)
{
    r->certified = br->certified;
    r->seconds = br->seconds;
    r->bmax = r->omax = 0;
    for (size_t j = 0; j < nout; j++) {
        r->bound[j] = br->bound[j];
        if (!(br->bound[j] <= r->bmax))
            r->bmax = br->bound[j];
        if (r->observed[j] > r->omax)
            r->omax = r->observed[j];
    }
}

void lump_explore_row_score(lump_explore_row_t *r, const size_t *cls, const size_t *fcls,
                            const long *y, size_t n)
{
    size_t ok = 0, same = 0;
    for (size_t i = 0; i < n; i++) {
        ok += (long)cls[i] == y[i];
        same += cls[i] == fcls[i];
    }
    r->acc = (double)ok / (double)n;
    r->agree = (double)same / (double)n;
}

void lump_explore_calib_grid(double *eps, size_t steps,
                             double (*dev)(const void *run, size_t k), const void *run,
                             size_t n_steps)
{
    size_t t = 0;
    double mx = 0;
    for (size_t k = 0; k < steps; k++) {
        size_t upto = (size_t)ceil((double)(k + 1) * (double)n_steps / (double)steps);
        for (; t < upto && t < n_steps; t++)
            mx = fmax(mx, dev(run, t));
        eps[k] = mx;
    }
}

void lump_explore_grid(double *eps, size_t steps, const double *pe, const size_t *size,
                       size_t nprobe, double hi_default)
{
    double lo = -1, hi = -1;
    size_t smin = (size_t)-1;
    for (size_t k = 0; k < nprobe; k++)
        smin = size[k] < smin ? size[k] : smin;
    for (size_t k = 0; k < nprobe; k++) {
        if (lo < 0 && size[k] < size[0])
            lo = pe[k > 0 ? k - 1 : 0];
        if (hi < 0 && size[k] == smin)
            hi = pe[k];
    }
    if (lo < 0 || hi <= lo) { /* nothing reduces, or all at once */
        hi = hi_default;
        lo = hi_default * 1e-3;
    }
    for (size_t k = 0; k < steps; k++)
        eps[k] = steps == 1 ? hi : lo * pow(hi / lo, (double)k / (double)(steps - 1));
}

/* The index of the largest of Y[0..n) (the first on ties). */
static size_t argmax(const double *y, size_t n)
{
    size_t b = 0;
    for (size_t j = 1; j < n; j++)
        if (y[j] > y[b])
            b = j;
    return b;
}

/* The predicted class of every data row under NET. */
static lump_error_t predict(size_t *cls, const lump_net_t *net, const lump_data_t *d)
{
    lump_error_t err = LUMP_OK;
    size_t nout = lump_net_n_outputs(net);
    double *y = lump_alloc_array(nout + 1, sizeof *y);
    for (size_t r = 0; r < d->n; r++) {
        LUMP_CHECK(lump_eval_double(y, net, d->x + r * d->width));
        cls[r] = argmax(y, nout);
    }
cleanup:
    free(y);
    return err;
}

/* Everything explore needs to fill one row. */
typedef struct {
    const lump_net_t *f;
    const lump_box_t *box;
    const lump_data_t *data;
    const size_t *fcls; /* the original's predictions */
    size_t *gcls;       /* scratch */
    size_t samples;
    int lp; /* the joint LP in the bounds */
    lump_explore_hook_t hook;
    void *hook_ctx;
    size_t prefix; /* calibration: the steps of the last epsilon's network */
} ctx_t;

/* Hand the last row of T, of network G paired by L, to the hook. */
static lump_error_t hand_over(const table_t *t, const ctx_t *c, const lump_net_t *g,
                              const lump_lumping_t *L)
{
    return c->hook != NULL ? c->hook(c->hook_ctx, t, t->n - 1, g, L) : LUMP_OK;
}

/* L: the lumping G is the quotient by (NULL for a network that is not a
 * quotient of the original); it pairs neurons in the bound. */
static lump_error_t fill_row(row_t *r, const ctx_t *c, const lump_net_t *g, const lump_lumping_t *L,
                             size_t nout)
{
    lump_error_t err = LUMP_OK;
    lump_bound_opts_t o;
    lump_bound_result_t br;
    size_t lv = lump_progress_begin(r->method, 0, 0); /* "prune", ... */
    lump_bound_opts_init(&o);
    o.lp = c->lp;
    lump_bound_result_init(&br);
    r->neurons = lump_net_neurons(g);
    r->params = lump_net_params(g);
    LUMP_CHECK(lump_bound_diff_lumped(&br, c->f, g, L, c->box, &o));
    LUMP_CHECK(lump_max_error_sampled(r->observed, c->f, g, c->box, c->samples, 1));
    lump_explore_row_bound(r, &br, nout);
    if (c->data != NULL) {
        LUMP_CHECK(predict(c->gcls, g, c->data));
        lump_explore_row_score(r, c->gcls, c->fcls, c->data->y, c->data->n);
    }
cleanup:
    lump_progress_end(lv);
    lump_bound_result_clear(&br);
    return err;
}

/* ---- the epsilon grid ---------------------------------------------------- */

/* The hidden neurons of G (all but the outputs). */
static size_t hidden_after(const lump_net_t *g)
{
    return lump_net_neurons(g) - lump_net_n_outputs(g);
}

/* EPS[0..steps) when the user gave none: geometric between the first eps
 * that merges anything beyond the exact lumps and the first that reaches
 * the coarsest relaxed network, found by probing 25 geometric values up to
 * the largest useful one (the largest half-width of a hidden neuron's
 * value range over the box: beyond it every hidden neuron is a constant). */
static lump_error_t auto_eps(double *eps, size_t steps, const lump_net_t *net,
                             const lump_box_t *box, lump_centre_t centre)
{
    lump_error_t err = LUMP_OK;
    lump_bounds_t bd;
    lump_net_t g;
    enum { NPROBE = 25 };
    double top = 0, pe[NPROBE];
    size_t ph[NPROBE], lv = 0;
    lump_bounds_init(&bd);
    lump_net_init(&g);
    LUMP_CHECK(lump_bounds_interval(&bd, net, box));
    for (size_t i = 0; i + 1 < net->n_layers; i++)
        for (size_t v = 0; v < net->layers[i].size; v++) {
            double w = 0.5 * (bd.yhi[i][v] - bd.ylo[i][v]);
            if (isfinite(w) && w > top)
                top = w;
        }
    if (!(top > 0))
        top = 1;
    lv = lump_progress_begin("probing eps", NPROBE, 0);
    for (size_t k = 0; k < NPROBE; k++) {
        LUMP_CHECK(lump_progress_step(lv, k));
        pe[k] = top * pow(10.0, -6.0 + 6.0 * (double)k / (NPROBE - 1));
        LUMP_CHECK(lump_relax(&g, NULL, net, box, pe[k], centre));
        ph[k] = hidden_after(&g);
    }
    lump_explore_grid(eps, steps, pe, ph, NPROBE, top);
cleanup:
    lump_progress_end(lv);
    lump_net_clear(&g);
    lump_bounds_clear(&bd);
    return err;
}

/* The deviation after step K of the calibration run RUN. */
static double calib_dev(const void *run, size_t k)
{
    return lump_calib_deviation(run, k);
}

/* ---- the sweep ----------------------------------------------------------- */

/* The row of the original network: its size, and its accuracy on the
 * data (agreement 1). */
static lump_error_t original_row(table_t *t, const ctx_t *c)
{
    lump_error_t err = LUMP_OK;
    row_t *r = lump_explore_add_row(t, "original", NAN);
    r->certified = 1;
    r->neurons = lump_net_neurons(c->f);
    r->params = lump_net_params(c->f);
    if (c->data != NULL)
        lump_explore_row_score(r, c->fcls, c->fcls, c->data->y, c->data->n);
    LUMP_CHECK(hand_over(t, c, c->f, NULL));
cleanup:
    return err;
}

/* The number of steps of RUN that lump_calib_at(EPS) applies. */
static size_t calib_prefix(const lump_calib_t *run, double eps)
{
    size_t k = 0;
    while (k < lump_calib_steps(run) && lump_calib_deviation(run, k) <= eps)
        k++;
    return k;
}

/* Row R (of method M, epsilon EPS) for the network G paired by L: a copy
 * of the row three back when DUP (the previous epsilon gave the same
 * three networks), else filled; then handed over. */
static lump_error_t add_row(table_t *t, const ctx_t *c, const char *m, double eps, double cdev,
                            int dup, const lump_net_t *g, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    row_t *r = lump_explore_add_row(t, m, eps);
    if (dup) {
        lump_explore_copy_row(t, t->n - 1, t->n - 4, eps);
    } else {
        r->cdev = cdev;
        LUMP_CHECK(fill_row(r, c, g, L, t->nout));
    }
    LUMP_CHECK(hand_over(t, c, g, L));
cleanup:
    return err;
}

/* The three rows of EPS: the relaxed quotient G (by CALIB when given,
 * else over the box with CENTRE) and the two pruned networks of its
 * size. G, P and LUMPING are scratch. */
static lump_error_t eps_rows(table_t *t, ctx_t *c, double eps, const lump_calib_t *calib,
                             lump_centre_t centre, lump_net_t *g, lump_net_t *p,
                             lump_lumping_t *lumping)
{
    lump_error_t err = LUMP_OK;
    const lump_net_t *net = c->f;
    double cdev = NAN;
    int dup = 0;
    if (calib != NULL) {
        /* a calibration run gives nested networks: an epsilon that takes
         * as many steps as the previous one gives the same three networks,
         * whose rows are copied rather than measured again */
        size_t k = calib_prefix(calib, eps);
        dup = t->n >= 4 && k == c->prefix;
        c->prefix = k;
        LUMP_CHECK(lump_calib_at(g, lumping, &cdev, calib, eps));
    } else {
        LUMP_CHECK(lump_relax(g, lumping, net, c->box, eps, centre));
    }
    LUMP_CHECK(add_row(t, c, "lumpnet", eps, cdev, dup, g, lumping));
    LUMP_CHECK(lump_prune_magnitude(p, lumping, net, hidden_after(g)));
    LUMP_CHECK(add_row(t, c, "prune", eps, NAN, dup, p, lumping));
    LUMP_CHECK(lump_prune_magnitude_params(p, lumping, net, lump_net_params(g)));
    LUMP_CHECK(add_row(t, c, "prune_params", eps, NAN, dup, p, lumping));
cleanup:
    return err;
}

/* lump_explore_run -- see relax.h. */
lump_error_t lump_explore_run(lump_explore_t *t, const lump_net_t *net, const lump_box_t *box,
                              const lump_explore_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    const lump_data_t *data = o->data;
    size_t neps = o->eps != NULL ? o->neps : o->steps, lv = SIZE_MAX; /* no phase open yet */
    double *eps = NULL;
    size_t *fcls = NULL, *gcls = NULL;
    lump_net_t g, p;
    lump_lumping_t lumping;
    ctx_t ctx;
    lump_explore_clear(t);
    lump_net_init(&g);
    lump_net_init(&p);
    lump_lumping_init(&lumping);
    if (data != NULL) {
        fcls = lump_alloc_array(data->n + 1, sizeof *fcls);
        gcls = lump_alloc_array(data->n + 1, sizeof *gcls);
        LUMP_CHECK(predict(fcls, net, data));
    }
    eps = lump_alloc_array(neps + 1, sizeof *eps);
    if (o->eps != NULL)
        memcpy(eps, o->eps, neps * sizeof *eps);
    else if (o->calib != NULL)
        lump_explore_calib_grid(eps, neps, calib_dev, o->calib, lump_calib_steps(o->calib));
    else
        LUMP_CHECK(auto_eps(eps, neps, net, box, o->centre));
    t->nout = lump_net_n_outputs(net);
    t->with_data = data != NULL;
    t->neps = neps;
    ctx = (ctx_t){
        .f = net, .box = box, .data = data, .fcls = fcls, .gcls = gcls, .samples = o->samples,
        .lp = o->lp >= 0 ? o->lp : lump_net_params(net) <= LUMP_LP_AUTO_PARAMS,
        .hook = o->hook, .hook_ctx = o->hook_ctx};
    LUMP_CHECK(original_row(t, &ctx));
    lv = lump_progress_begin("eps", neps, 0);
    for (size_t k = 0; k < neps; k++) {
        LUMP_CHECK(lump_progress_step(lv, k));
        LUMP_CHECK(eps_rows(t, &ctx, eps[k], o->calib, o->centre, &g, &p, &lumping));
    }
cleanup:
    if (lv != SIZE_MAX)
        lump_progress_end(lv);
    free(eps);
    free(fcls);
    free(gcls);
    lump_net_clear(&p);
    lump_net_clear(&g);
    lump_lumping_clear(&lumping);
    return err;
}
