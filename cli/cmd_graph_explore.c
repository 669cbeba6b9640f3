/* cmd_graph_explore.c -- `explore` of graph (convolutional, residual)
 * networks: the epsilon sweep of channel merging (calibration-guided or
 * over the box), each row's network the checked exact quotient of the
 * snapped network, next to magnitude filter pruning at its neuron and at
 * its parameter budget; the same table, CSV, plot and JSON as the fully connected
 * explore (docs/relax.md, "Convolutional networks") */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

typedef lump_explore_row_t row_t;
typedef lump_explore_t table_t;

/* Everything a row needs. */
typedef struct {
    const cli_explore_args_t *a;
    const lump_graph_t *g;
    const lump_box_t *box;
    const lump_data_t *data;  /* or NULL */
    size_t *fcls, *gcls;      /* the original's predictions; scratch */
    cli_graph_relax_t bo;     /* the bound's options: lp, samples */
    cli_explore_save_t *save; /* or NULL */
} ctx_t;

/* CLS[i] = the predicted class (first largest output) of data row i
 * under G, evaluated in double 64 rows at a time. */
static lump_error_t predict(size_t *cls, const lump_graph_t *g, const lump_data_t *d)
{
    enum { BATCH = 64 };
    lump_error_t err = LUMP_OK;
    size_t nout = lump_graph_n_outputs(g);
    double *y = lump_alloc_array(BATCH * nout + 1, sizeof *y);
    for (size_t r0 = 0; r0 < d->n; r0 += BATCH) {
        size_t b = d->n - r0 < BATCH ? d->n - r0 : BATCH;
        LUMP_CHECK(lump_graph_eval_double(y, g, d->x + r0 * d->width, b));
        for (size_t i = 0; i < b; i++) {
            const double *yi = y + i * nout;
            size_t best = 0;
            for (size_t j = 1; j < nout; j++)
                best = yi[j] > yi[best] ? j : best;
            cls[r0 + i] = best;
        }
    }
cleanup:
    free(y);
    return err;
}

/* R's accuracy and agreement with the original on the data, for the
 * network Q. */
static lump_error_t score(row_t *r, const ctx_t *c, const lump_graph_t *q)
{
    lump_error_t err = LUMP_OK;
    if (c->data == NULL)
        return LUMP_OK;
    LUMP_CHECK(predict(c->gcls, q, c->data));
    lump_explore_row_score(r, c->gcls, c->fcls, c->data->y, c->data->n);
cleanup:
    return err;
}

static lump_error_t write_graph(const char *path, const void *g)
{
    return lump_graph_write(path, g, NULL);
}

/* The last row of T is done: --save writes its network Q. */
static lump_error_t hand_over(const table_t *t, const ctx_t *c, const lump_graph_t *q)
{
    return c->save != NULL ? cli_explore_save_file(c->save, t, t->n - 1, write_graph, q) : LUMP_OK;
}

/* Fill R for the snapped network S and its quotient Q: Q's size, the
 * certified bound of the original against S (= against Q), the sampled
 * error, and Q's accuracy on the data. */
static lump_error_t fill_row(row_t *r, const ctx_t *c, const lump_graph_t *s, const lump_graph_t *q,
                             size_t nout)
{
    lump_error_t err = LUMP_OK;
    lump_bound_result_t br;
    size_t lv = lump_progress_begin(r->method, 0, 0); /* "lumpnet", "prune_params" */
    lump_bound_result_init(&br);
    r->neurons = lump_graph_neurons(q);
    r->params = lump_graph_params(q);
    LUMP_CHECK(cli_graph_relax_bound(&br, NULL, r->observed, c->g, s, c->box, &c->bo));
    lump_explore_row_bound(r, &br, nout);
    LUMP_CHECK(score(r, c, q));
cleanup:
    lump_progress_end(lv);
    lump_bound_result_clear(&br);
    return err;
}

/* ---- the epsilon grid ---------------------------------------------------- */

/* The deviation after step K of the calibration run RUN. */
static double calib_dev(const void *run, size_t k)
{
    return lump_graph_calib_deviation(run, k);
}

/* EPS[0..steps) over the box: geometric between the last probe that
 * merges nothing and the first that merges or removes the most channels,
 * of 13 probes 10^-4 .. 10^4 (the box-guided distance is in the units of
 * the pre-activations; lump_explore_grid). */
static lump_error_t box_eps(double *eps, size_t steps, const lump_graph_t *g, const lump_box_t *box)
{
    enum { NPROBE = 13 };
    lump_error_t err = LUMP_OK;
    lump_graph_t s;
    double pe[NPROBE];
    size_t kept[NPROBE], ch, lv;
    lump_graph_init(&s);
    lv = lump_progress_begin("probing eps", NPROBE, 0);
    for (size_t k = 0; k < NPROBE; k++) {
        LUMP_CHECK(lump_progress_step(lv, k));
        pe[k] = pow(10.0, -4.0 + 8.0 * (double)k / (NPROBE - 1));
        lump_graph_clear(&s);
        LUMP_CHECK(lump_graph_relax_box(&s, NULL, &ch, g, box, pe[k]));
        kept[k] = SIZE_MAX - ch; /* smaller: more channels merged or removed */
    }
    lump_explore_grid(eps, steps, pe, kept, NPROBE, 1);
cleanup:
    lump_progress_end(lv);
    lump_graph_clear(&s);
    return err;
}

/* ---- the sweep ----------------------------------------------------------- */

/* The row of the original network: its size and accuracy. */
static lump_error_t original_row(table_t *t, const ctx_t *c)
{
    lump_error_t err = LUMP_OK;
    row_t *r = lump_explore_add_row(t, "original", NAN);
    r->certified = 1;
    LUMP_CHECK(score(r, c, c->g));
    r->neurons = lump_graph_neurons(c->g);
    r->params = lump_graph_params(c->g);
    LUMP_CHECK(hand_over(t, c, c->g));
cleanup:
    return err;
}

/* The networks of one epsilon: snapped S and quotient Q of the channel
 * merging, pruned N and its quotient NQ at Q's neuron budget, pruned P
 * and its quotient PQ at Q's parameter budget. */
typedef struct {
    lump_graph_t s, q, n, nq, p, pq;
} nets_t;

/* The six networks of N as an array, for init and clear. */
static lump_graph_t *nets_at(nets_t *n, size_t i)
{
    lump_graph_t *all[] = {&n->s, &n->q, &n->n, &n->nq, &n->p, &n->pq};
    return all[i];
}

static void nets_init(nets_t *n)
{
    for (size_t i = 0; i < 6; i++)
        lump_graph_init(nets_at(n, i));
}

static void nets_clear(nets_t *n)
{
    for (size_t i = 0; i < 6; i++)
        lump_graph_clear(nets_at(n, i));
}

/* *FITS = whether filter pruning of G to at most BUDGET parameters leaves
 * a quotient of at most NEURONS neurons; P receives the pruned network. */
static lump_error_t prune_fits(int *fits, lump_graph_t *p, const lump_graph_t *g, size_t budget,
                               size_t neurons)
{
    lump_error_t err = LUMP_OK;
    lump_glumping_t L;
    lump_graph_t q;
    lump_glumping_init(&L);
    lump_graph_init(&q);
    lump_graph_clear(p);
    LUMP_CHECK(lump_graph_prune_filters(p, NULL, NULL, g, budget));
    LUMP_CHECK(lump_graph_partition(&L, p, LUMP_MODE_PROPORTIONAL, 0));
    LUMP_CHECK(lump_graph_quotient(&q, p, &L));
    *fits = lump_graph_neurons(&q) <= neurons;
cleanup:
    lump_graph_clear(&q);
    lump_glumping_clear(&L);
    return err;
}

/* P = filter pruning of G at a neuron budget: the largest parameter
 * budget of lump_graph_prune_filters whose quotient has at most NEURONS
 * neurons (the removals only grow as the budget shrinks, so a binary
 * search finds it), or the smallest budget when none has. O(log params)
 * prunings and quotients. */
static lump_error_t prune_neurons(lump_graph_t *p, const lump_graph_t *g, size_t neurons)
{
    lump_error_t err = LUMP_OK;
    size_t lo = 1, hi = lump_graph_params(g); /* lo fits (once checked), hi does not */
    int fits = 0;
    LUMP_CHECK(prune_fits(&fits, p, g, hi, neurons));
    if (fits)
        return LUMP_OK;
    LUMP_CHECK(prune_fits(&fits, p, g, lo, neurons));
    if (!fits)
        return LUMP_OK; /* every node keeps a channel: as small as it gets */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        LUMP_CHECK(prune_fits(&fits, p, g, mid, neurons));
        *(fits ? &lo : &hi) = mid;
    }
    LUMP_CHECK(prune_fits(&fits, p, g, lo, neurons));
cleanup:
    return err;
}

/* N = the networks of EPS (by the calibration RUN when given, else over
 * the box); *CDEV the deviation on the calibration points (else NaN).
 * *CHANNELS: the channels merged away or removed on input, the count of
 * EPS on return; *DUP = 1 (N unchanged) when a calibration run applies as
 * many steps as for that input count (each step takes a channel away). */
static lump_error_t eps_nets(nets_t *n, double *cdev, size_t *channels, int *dup, const ctx_t *c,
                             const lump_graph_calib_t *run, double eps)
{
    lump_error_t err = LUMP_OK;
    lump_graph_t s;
    size_t ch = 0;
    lump_graph_init(&s);
    *cdev = NAN;
    if (run != NULL)
        LUMP_CHECK(lump_graph_calib_at(&s, NULL, &ch, cdev, run, eps));
    else
        LUMP_CHECK(lump_graph_relax_box(&s, NULL, &ch, c->g, c->box, eps));
    *dup = run != NULL && ch == *channels;
    *channels = ch;
    if (*dup)
        goto cleanup;
    nets_clear(n);
    nets_init(n);
    n->s = s;
    lump_graph_init(&s);
    LUMP_CHECK(cli_graph_quotient(&n->q, &n->s));
    LUMP_CHECK(prune_neurons(&n->n, c->g, lump_graph_neurons(&n->q)));
    LUMP_CHECK(cli_graph_quotient(&n->nq, &n->n));
    LUMP_CHECK(lump_graph_prune_filters(&n->p, NULL, NULL, c->g, lump_graph_params(&n->q)));
    LUMP_CHECK(cli_graph_quotient(&n->pq, &n->p));
cleanup:
    lump_graph_clear(&s);
    return err;
}

/* The rows of the epsilon values EPS[0..neps): per value "lumpnet" (the
 * merged network), "prune" and "prune_params" (filter pruning at its
 * neuron and at its parameter count). With a calibration run, a value that applies as many steps as
 * the previous one gives the same networks: its rows are copies. */
static lump_error_t sweep(table_t *t, const ctx_t *c, const lump_graph_calib_t *run,
                          const double *eps, size_t neps)
{
    enum { ROWS = 3 };
    lump_error_t err = LUMP_OK;
    nets_t n;
    size_t lv = lump_progress_begin("eps", neps, 0), channels = SIZE_MAX;
    nets_init(&n);
    for (size_t k = 0; k < neps; k++) {
        const char *method[ROWS] = {"lumpnet", "prune", "prune_params"};
        const lump_graph_t *snapped[ROWS] = {&n.s, &n.n, &n.p}, *quot[ROWS] = {&n.q, &n.nq, &n.pq};
        int dup = 0;
        double cdev = NAN;
        LUMP_CHECK(lump_progress_step(lv, k));
        LUMP_CHECK(eps_nets(&n, &cdev, &channels, &dup, c, run, eps[k]));
        for (size_t i = 0; i < ROWS; i++) {
            row_t *r = lump_explore_add_row(t, method[i], eps[k]);
            if (dup) {
                lump_explore_copy_row(t, t->n - 1, t->n - 1 - ROWS, eps[k]);
            } else {
                r->cdev = i == 0 ? cdev : NAN;
                LUMP_CHECK(fill_row(r, c, snapped[i], quot[i], t->nout));
            }
            LUMP_CHECK(hand_over(t, c, quot[i]));
        }
    }
cleanup:
    lump_progress_end(lv);
    nets_clear(&n);
    return err;
}

/* cli_graph_explore -- see cli.h. */
int cli_graph_explore(const cli_explore_args_t *a, lump_error_t err)
{
    lump_graph_t g;
    lump_box_t box;
    lump_data_t data;
    lump_graph_calib_t *run = NULL;
    cli_explore_save_t save;
    table_t tab;
    ctx_t c;
    double *eps = NULL, *x = NULL;
    size_t neps = a->eps != NULL ? a->neps : a->steps, nx = 0;
    int rc;
    json_t *head;
    if (a->centre != NULL)
        return cli_usage_error("explore",
                               "--centre is for fully connected networks (the "
                               "channels of a convolutional one merge onto their leader)");
    lump_graph_init(&g); /* the reader clears what it is given */
    if ((rc = cli_graph_read(&g, a->path, err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    lump_box_init(&box);
    lump_data_init(&data);
    lump_explore_init(&tab);
    memset(&save, 0, sizeof save);
    memset(&c, 0, sizeof c);
    err = lump_box_parse(&box, a->box, lump_graph_n_inputs(&g));
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    tab.nout = lump_graph_n_outputs(&g);
    tab.neps = neps;
    tab.with_data = a->data != NULL;
    c = (ctx_t){.a = a, .g = &g, .box = &box};
    c.bo.lp = a->lp == 1; /* the unrolled networks are large: the LP only when asked */
    c.bo.samples = a->samples;
    if (a->data != NULL) {
        LUMP_CHECK(cli_explore_data(&data, a, lump_graph_n_inputs(&g), tab.nout));
        c.data = &data;
        c.fcls = lump_alloc_array(data.n + 1, sizeof *c.fcls);
        c.gcls = lump_alloc_array(data.n + 1, sizeof *c.gcls);
        LUMP_CHECK(predict(c.fcls, &g, &data));
    }
    eps = lump_alloc_array(neps + 1, sizeof *eps);
    if (a->calib != NULL) {
        double emax = a->eps == NULL ? HUGE_VAL : 0;
        for (size_t k = 0; k < a->neps; k++)
            emax = fmax(emax, a->eps[k]);
        LUMP_CHECK(cli_read_rows(&x, &nx, a->calib, lump_graph_n_inputs(&g)));
        LUMP_CHECK(lump_graph_calib_run(&run, &g, x, nx, emax));
    }
    if (a->eps != NULL)
        memcpy(eps, a->eps, neps * sizeof *eps);
    else if (run != NULL)
        lump_explore_calib_grid(eps, neps, calib_dev, run, lump_graph_calib_steps(run));
    else
        LUMP_CHECK(box_eps(eps, neps, &g, &box));
    if (a->save != NULL) {
        LUMP_CHECK(cli_explore_save_open(&save, a));
        save.calib = run != NULL;
        c.save = &save;
    }
    LUMP_CHECK(original_row(&tab, &c));
    LUMP_CHECK(sweep(&tab, &c, run, eps, neps));
    head = json_object();
    cli_report_path(head, "network", a->path);
    json_object_set_new(head, "model", json_string("graph"));
    json_object_set_new(head, "inputs", cli_report_size(lump_graph_n_inputs(&g)));
    json_object_set_new(head, "outputs", cli_report_size(tab.nout));
    LUMP_CHECK(cli_explore_report(&rc, a, &tab, c.save, head, lump_graph_neurons(&g)));
cleanup:
    cli_explore_save_close(&save, err);
    lump_explore_clear(&tab);
    lump_graph_calib_free(run);
    free(x);
    free(eps);
    free(c.fcls);
    free(c.gcls);
    lump_data_clear(&data);
    lump_box_clear(&box);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
