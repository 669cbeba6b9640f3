/* cmd_graph_relax.c -- `relax` of graph (convolutional) networks:
 * calibration-guided channel merging or magnitude filter pruning, the
 * exact channel lumper for the smaller network, and a certified bound of
 * the original against it over the box (docs/relax.md, "Convolutional
 * networks") */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/graph_relax.h"

static json_t *vec(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, isfinite(v[i]) ? json_real(v[i]) : json_null());
    return a;
}

static double vmax(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = v[i] > m || isnan(v[i]) ? v[i] : m;
    return m;
}

/* snap -- the snapped network S of G (same architecture; merged channels
 * exactly proportional, removed ones zero) by calibration, over the box
 * or by pruning. */
static lump_error_t snap(lump_graph_t *s, size_t *channels, double *dev, const lump_graph_t *g,
                         const lump_box_t *box, const cli_graph_relax_t *a, size_t prune_to)
{
    lump_error_t err = LUMP_OK;
    lump_graph_calib_t *run = NULL;
    double *x = NULL;
    size_t n = 0, params;
    *dev = 0;
    if (a->prune_to != NULL)
        return lump_graph_prune_filters(s, &params, channels, g, prune_to);
    if (a->calib == NULL)
        return lump_graph_relax_box(s, &params, channels, g, box, a->eps);
    LUMP_CHECK(cli_read_rows(&x, &n, a->calib, lump_graph_n_inputs(g)));
    LUMP_CHECK(lump_graph_calib_run(&run, g, x, n, a->eps));
    LUMP_CHECK(lump_graph_calib_at(s, &params, channels, dev, run, a->eps));
cleanup:
    lump_graph_calib_free(run);
    free(x);
    return err;
}

/* cli_graph_relax -- see cli.h. */
int cli_graph_relax(const cli_graph_relax_t *a, lump_error_t err)
{
    lump_graph_t g, s, q;
    lump_box_t box;
    lump_bound_result_t br;
    double dev = 0, *obs = NULL;
    int on_graph = 0;
    size_t channels = 0, prune_to = 0, nout;
    int rc;
    if (a->prune_to != NULL &&
        cli_parse_size(&prune_to, a->prune_to, 1, (unsigned long long)-1 / 2, "relax",
                       "--prune-to needs a whole number of parameters >= 1, not '%s'") != CLI_OK)
        return CLI_BAD;
    lump_graph_init(&g);
    lump_graph_init(&s);
    lump_graph_init(&q);
    lump_box_init(&box);
    lump_bound_result_init(&br);
    if ((rc = cli_graph_read(&g, a->path, err)) != CLI_OK)
        return rc;
    err = lump_box_parse(&box, a->box, lump_graph_n_inputs(&g));
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    nout = lump_graph_n_outputs(&g);
    obs = lump_alloc_zero(nout + 1, sizeof *obs);
    LUMP_CHECK(snap(&s, &channels, &dev, &g, &box, a, prune_to));
    LUMP_CHECK(cli_graph_quotient(&q, &s));
    LUMP_CHECK(cli_graph_relax_bound(&br, &on_graph, obs, &g, &s, &box, a));
    LUMP_CHECK(lump_graph_write(a->out, &q, NULL));
    if (!br.certified)
        lump_warn("the bound could not be certified for every output (see 'certified')");
    if (a->prune_to != NULL && lump_graph_params(&q) > prune_to)
        lump_warn("%zu parameters are left, more than the %zu asked for: every node keeps "
                  "one channel, and only channels read through to a Conv or dense node can "
                  "go", lump_graph_params(&q), prune_to);
    if (a->json) {
        json_t *j = cli_report_new("relax");
        cli_report_path(j, "network", a->path);
        json_object_set_new(j, "model", json_string("graph"));
        cli_report_path(j, "output", a->out);
        cli_report_path(j, "box", a->box);
        cli_report_path(j, "calib", a->calib);
        json_object_set_new(j, "guide", json_string(a->prune_to != NULL ? "prune"
                                                    : a->calib != NULL ? "calib" : "box"));
        json_object_set_new(j, "eps", json_real(a->eps));
        if (a->prune_to == NULL)
            json_object_set_new(j, "calib_deviation", json_real(dev));
        json_object_set_new(j, "channels_removed", cli_report_size(channels));
        json_object_set_new(j, "neurons_before", cli_report_size(lump_graph_neurons(&g)));
        json_object_set_new(j, "neurons_after", cli_report_size(lump_graph_neurons(&q)));
        json_object_set_new(j, "params_before", cli_report_size(lump_graph_params(&g)));
        json_object_set_new(j, "params_after", cli_report_size(lump_graph_params(&q)));
        json_object_set_new(j, "bound", vec(br.bound, nout));
        json_object_set_new(j, "certified", json_boolean(br.certified));
        json_object_set_new(j, "observed", vec(obs, nout));
        json_object_set_new(j, "bound_seconds", json_real(br.seconds));
        json_object_set_new(j, "bound_method", json_string(on_graph ? "graph-differential"
                                                                     : "unrolled"));
        json_object_set_new(j, "exact_lumping_checked", json_true());
        rc = cli_report_print(j);
    } else {
        if (a->prune_to != NULL)
            printf("relax %s: magnitude filter pruning to at most %zu parameters; bound over "
                   "the box %s\n", a->path, prune_to, a->box);
        else if (a->calib == NULL)
            printf("relax %s: channels within eps %g of their block's leader in pre-activation "
                   "deviation over the box %s\n", a->path, a->eps, a->box);
        else
            printf("relax %s: eps %g on the outputs over the calibration points of %s (largest "
                   "deviation there %.6g); bound over the box %s\n",
                   a->path, a->eps, a->calib, dev, a->box);
        printf("channels: %zu merged away or removed\n", channels);
        printf("neurons:  %zu -> %zu\n", lump_graph_neurons(&g), lump_graph_neurons(&q));
        printf("params:   %zu -> %zu\n", lump_graph_params(&g), lump_graph_params(&q));
        printf("bound:    %.6g (%s%s; largest observed difference %.6g)\n",
               vmax(br.bound, nout), br.certified ? "certified" : "NOT certified",
               on_graph ? " by exact differential intervals on the graphs: the layered form "
                          "is too large" : "", vmax(obs, nout));
        printf("the merged network's lumping was verified by the independent checker\n");
        printf("wrote %s\n", a->out);
    }
    cli_summary("%zu -> %zu parameters, bound %.4g (%s), wrote %s", lump_graph_params(&g),
                lump_graph_params(&q), vmax(br.bound, nout),
                br.certified ? "certified" : "NOT certified", a->out);
cleanup:
    free(obs);
    lump_bound_result_clear(&br);
    lump_box_clear(&box);
    lump_graph_clear(&q);
    lump_graph_clear(&s);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
