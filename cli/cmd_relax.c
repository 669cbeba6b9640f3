/* cmd_relax.c -- `lumpnet relax`: epsilon-lumping over a box, the relaxed
 * quotient and its certified output-error bound */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/alloc.h"

/* The largest of V[0..N-1] (0 when N is 0; +inf when one is). */
static double max_of(const double *v, size_t n)
{
    double m = 0;
    for (size_t j = 0; j < n; j++)
        m = fmax(m, v[j]);
    return m;
}

static json_t *vec_json(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t j = 0; j < n; j++)
        json_array_append_new(a, cli_report_num(v[j]));
    return a;
}

/* EPS from the text S: a finite decimal >= 0 (the whole string). */
static int parse_eps(double *eps, const char *s)
{
    char *end;
    if (*s == '\0')
        return 0;
    *eps = strtod(s, &end);
    return *end == '\0' && isfinite(*eps) && *eps >= 0;
}

/* Eps 0 is an exact lumping (docs/relax.md): like reduce, nothing is
 * written that the independent checker has not confirmed. For eps > 0
 * the claim is the certified bound, made rigorous by exact weak duality;
 * the relaxed blocks themselves claim nothing. Errors: LUMP_EINTERNAL
 * when the checker refuses G = NET / L. */
static lump_error_t check_exact(const lump_net_t *net, const lump_net_t *g,
                                const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024];
    LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, net, g, L));
    if (valid != LUMP_TRUE)
        LUMP_CHECK(lump_error_set(LUMP_EINTERNAL,
                                  "internal error: the independent certificate checker "
                                  "refuses the exact lumping that relax --eps 0 was about "
                                  "to write (%s). This is a bug in lumpnet; no file was "
                                  "written. Please report it with the network and the "
                                  "command line",
                                  why));
cleanup:
    return err;
}

/* NET (read from PATH) must fit in double, in which relax computes the
 * quotient for eps > 0. Errors: those of lump_eval_double_range, named. */
static lump_error_t check_double_range(const lump_net_t *net, const char *path)
{
    lump_error_t err = lump_eval_double_range(net);
    if (err != LUMP_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", lump_error_message());
        err = lump_error_set(err, "%s: %s; relax computes the quotient in double (eps = 0 "
                             "takes the exact path)", path, why);
    }
    return err;
}

/* The text report's middle: layer, neuron and parameter counts of NET and
 * G, and per output the bound BR and the observed error OBS. */
static void print_sizes_bounds(const lump_net_t *net, const lump_net_t *g,
                               const lump_bound_result_t *br, const double *obs)
{
    printf("  layer sizes:");
    for (size_t i = 0; i < net->n_layers; i++)
        printf(" %zu->%zu", net->layers[i].size, g->layers[i].size);
    printf("\nneurons: %zu -> %zu (hidden plus output)\n", lump_net_neurons(net),
           lump_net_neurons(g));
    printf("params:  %zu -> %zu (weights plus biases)\n", lump_net_params(net),
           lump_net_params(g));
    printf("%s bound on |f_j - g_j| over the box, and the largest observed error:\n",
           br->certified ? "certified" : "NOT certified");
    for (size_t j = 0; j < br->n_outputs; j++)
        printf("  output %zu: bound %.6g  observed %.6g\n", j, br->bound[j], obs[j]);
}

/* At most N of the N_ALL rows of X (WIDTH each), evenly spaced, moved to
 * the front of X; returns how many. */
static size_t spread_points(double *x, size_t n_all, size_t width, size_t n)
{
    if (n >= n_all)
        return n_all;
    for (size_t r = 0; r < n; r++) {
        size_t src = n > 1 ? (size_t)((double)r * (double)(n_all - 1) / (double)(n - 1)) : 0;
        memmove(x + r * width, x + src * width, width * sizeof *x);
    }
    return n;
}

/* The --local-radius report: text. */
static void print_local(const lump_local_result_t *lr, const char *from)
{
    printf("certified bound on |f_j - g_j| over L-inf balls of radius %g around %zu points "
           "of %s (within the box):\n",
           lr->radius, lr->n_points, from);
    printf("  largest bound %.6g (%s), largest observed %.6g\n", lr->bmax,
           lr->certified ? "certified" : "NOT certified", lr->omax);
    if (lr->outside > 0)
        printf("  %zu points skipped: their ball misses the box\n", lr->outside);
    if (lr->classes && lr->n_points > 0)
        printf("  class certified unchanged in the ball: %zu of %zu points (%.1f %%); "
               "the original alone certified robust: %zu (%.1f %%)\n",
               lr->unchanged, lr->n_points, 100.0 * (double)lr->unchanged / (double)lr->n_points,
               lr->robust, 100.0 * (double)lr->robust / (double)lr->n_points);
}

static json_t *local_json(const lump_local_result_t *lr, size_t nout)
{
    json_t *o = json_object();
    json_object_set_new(o, "radius", json_real(lr->radius));
    json_object_set_new(o, "points", cli_report_size(lr->n_points));
    json_object_set_new(o, "outside", cli_report_size(lr->outside));
    json_object_set_new(o, "bound", vec_json(lr->bound, nout));
    json_object_set_new(o, "bound_max", cli_report_num(lr->bmax));
    json_object_set_new(o, "observed", vec_json(lr->observed, nout));
    json_object_set_new(o, "observed_max", cli_report_num(lr->omax));
    json_object_set_new(o, "certified", json_boolean(lr->certified));
    if (lr->classes) {
        json_object_set_new(o, "unchanged", cli_report_size(lr->unchanged));
        json_object_set_new(o, "unchanged_fraction",
                            cli_report_num(lr->n_points ? (double)lr->unchanged /
                                                              (double)lr->n_points
                                                        : NAN));
        json_object_set_new(o, "robust_original", cli_report_size(lr->robust));
    }
    json_object_set_new(o, "seconds", json_real(lr->seconds));
    {
        /* per point, in the order used: its ball's bounds (null when the
         * ball missed the box) and whether its class is certified unchanged */
        json_t *balls = json_array();
        for (size_t p = 0; p < lr->n_points + lr->outside; p++) {
            json_t *b = json_object();
            json_object_set_new(b, "bound", vec_json(lr->ball_bound + p * nout, nout));
            if (lr->classes) {
                json_object_set_new(b, "unchanged", json_boolean(lr->ball_unchanged[p]));
                json_object_set_new(b, "robust_original", json_boolean(lr->ball_robust[p]));
            }
            json_array_append_new(balls, b);
        }
        json_object_set_new(o, "balls", balls);
    }
    return o;
}

int cli_cmd_relax(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *box_arg = NULL, *eps_arg = NULL, *centre_arg = NULL,
               *samples_arg = NULL, *calib_arg = NULL, *radius_arg = NULL,
               *lpoints_arg = NULL, *ldata_arg = NULL, *prune_arg = NULL;
    int json = 0, rc = CLI_OK, lp_on = 0, lp_off = 0;
    double eps = 0, *obs = NULL, *cx = NULL, cdev = 0, rdist = 0, radius = 0, *lx = NULL;
    size_t nlx = 0, lpoints = 100;
    lump_local_result_t lres;
    int exact_checked = 0;
    size_t nout = 0, samples = 2000, ncx = 0, rounded = 0;
    lump_centre_t centre = LUMP_CENTRE_MEAN;
    lump_net_t net, g;
    lump_box_t box;
    lump_bound_opts_t bopts;
    lump_bound_result_t br;
    lump_lumping_t lumping;
    lump_write_opts_t wopts;
    lump_error_t err = LUMP_OK;
    char sa[128], sb[128];
    const cli_opt_t opt[] = {{"--json", NULL, &json},         CLI_OPTS_OUTPUT(&out),
                             {"--eps", &eps_arg, NULL},       {"--box", &box_arg, NULL},
                             CLI_OPTS_CENTRE(&centre_arg),    {"--samples", &samples_arg, NULL},
                             {"--calib", &calib_arg, NULL},   {"--lp", NULL, &lp_on},
                             {"--no-lp", NULL, &lp_off},
                             {"--local-radius", &radius_arg, NULL},
                             {"--local-points", &lpoints_arg, NULL},
                             {"--local-data", &ldata_arg, NULL},
                             {"--prune-to", &prune_arg, NULL}};
    if ((rc = cli_parse_one(&path, argc, argv, "relax", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
    if (path == NULL || out == NULL || (eps_arg == NULL && prune_arg == NULL) || box_arg == NULL)
        return cli_usage_error("relax", "needs NET, --eps E, -o OUT and --box BOX");
    if (eps_arg != NULL && prune_arg != NULL)
        return cli_usage_error("relax", "give --eps or --prune-to, not both");
    if (eps_arg != NULL && !parse_eps(&eps, eps_arg))
        return cli_usage_error("relax", "--eps must be a finite number >= 0, not '%s'", eps_arg);
    if (lp_on && lp_off)
        return cli_usage_error("relax", "give --lp or --no-lp, not both");
    if (radius_arg != NULL && !parse_eps(&radius, radius_arg))
        return cli_usage_error("relax", "--local-radius must be a finite number >= 0, not '%s'",
                               radius_arg);
    if (radius_arg == NULL && (lpoints_arg != NULL || ldata_arg != NULL))
        return cli_usage_error("relax", "--local-points and --local-data need --local-radius");
    if (radius_arg != NULL && ldata_arg == NULL && calib_arg == NULL)
        return cli_usage_error("relax", "--local-radius needs points: --local-data FILE or "
                               "--calib FILE");
    if (cli_parse_size(&lpoints, lpoints_arg, 1, 100000000ULL, "relax",
                       "--local-points needs a whole number >= 1, not '%s'") != CLI_OK)
        return CLI_BAD;
    if (cli_parse_centre(&centre, centre_arg, calib_arg, "relax") != CLI_OK)
        return CLI_BAD;
    if (cli_parse_size(&samples, samples_arg, 1, 100000000ULL, "relax",
                       "--samples needs a whole number >= 1, not '%s'") != CLI_OK)
        return CLI_BAD;
    if (lump_format_from_path(out) == LUMP_FORMAT_UNKNOWN)
        return cli_fail(lump_error_set(LUMP_EUSAGE,
                                       "%s: unknown network format (the extension must "
                                       "be .onnx, .nnet or .json)",
                                       out));
    {
        const cli_file_t fin[] = {{path, "the network"}, {box_arg, "--box"},
                                  {calib_arg, "--calib"}, {ldata_arg, "--local-data"}},
                         fout[] = {{out, "-o"}};
        if ((rc = cli_check_files("relax", fin, 4, fout, 1)) != CLI_OK)
            return rc;
    }
    lump_net_init(&net);
    lump_net_init(&g);
    lump_box_init(&box);
    lump_bound_opts_init(&bopts);
    lump_bound_result_init(&br);
    lump_lumping_init(&lumping);
    lump_write_opts_init(&wopts);
    lump_local_result_init(&lres);
    err = lump_net_read(&net, path);
    if (err != LUMP_OK) {
        /* a convolutional network: the graph model's relax */
        cli_graph_relax_t ga = {path, out, box_arg, calib_arg, prune_arg, eps, json, lp_on, samples};
        if (radius_arg != NULL || centre_arg != NULL) {
            lump_net_clear(&net);
            return cli_usage_error("relax", "--local-radius and --centre are for fully "
                                   "connected networks");
        }
        return cli_graph_relax(&ga, err);
    }
    if (prune_arg != NULL) {
        err = lump_error_set(LUMP_EUSAGE, "relax: --prune-to is for convolutional networks; "
                             "for fully connected ones, explore's pruning columns are the "
                             "baseline");
        goto cleanup;
    }
    /* the quotient is computed in double for eps > 0 */
    if (eps > 0)
        LUMP_CHECK(check_double_range(&net, path));
    err = cli_box_parse(&box, box_arg, &net, path);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    /* the blocks pair each neuron with its quotient neuron in the bound */
    if (calib_arg != NULL) {
        LUMP_CHECK(cli_read_calib(&cx, &ncx, calib_arg, &net));
        err = lump_relax_calib(&g, &lumping, &cdev, &net, cx, ncx, eps);
    } else {
        err = lump_relax(&g, &lumping, &net, &box, eps, centre);
    }
    if (err == LUMP_EUNSUPPORTED)
        lump_error_prefix(err, "%s", path);
    if (err != LUMP_OK)
        goto cleanup;
    if (eps == 0 && calib_arg == NULL) {
        LUMP_CHECK(check_exact(&net, &g, &lumping));
        exact_checked = 1;
    }
    bopts.lp = lp_on || (!lp_off && lump_net_params(&net) <= LUMP_LP_AUTO_PARAMS);
    LUMP_CHECK(lump_bound_diff_lumped(&br, &net, &g, &lumping, &box, &bopts));
    nout = lump_net_n_outputs(&net);
    obs = lump_alloc_zero(nout + 1, sizeof *obs);
    LUMP_CHECK(lump_max_error_sampled(obs, &net, &g, &box, samples, 1));
    /* the file may round G (a float32 source stays float32): the distance
     * between G and the file over the box, certified, adds to the bound */
    LUMP_CHECK(cli_rounding_distance(&rdist, &rounded, &g, out, &wopts, &box));
    if (radius_arg != NULL) {
        if (ldata_arg != NULL) {
            LUMP_CHECK(cli_read_calib(&lx, &nlx, ldata_arg, &net));
        } else {
            nlx = ncx;
            lx = lump_alloc_array(ncx * net.n_inputs + 1, sizeof *lx);
            memcpy(lx, cx, ncx * net.n_inputs * sizeof *lx);
        }
        nlx = spread_points(lx, nlx, net.n_inputs, lpoints);
        LUMP_CHECK(lump_local_bound(&lres, &net, &g, &lumping, &box, lx, nlx, radius, 20, 1));
    }
    LUMP_CHECK(lump_net_write(out, &g, &wopts));
    if (wopts.rounded > 0 && isfinite(rdist))
        fprintf(stderr, "lumpnet: %s equals the relaxed network within %.3g on %s (certified; "
                "%zu values rounded to the file's number type, largest rounding %.3g): add it "
                "to the bound; write .json to keep the relaxed network exact\n",
                out, cli_up3(rdist), box_arg, wopts.rounded, wopts.max_rounding);
    else if (wopts.rounded > 0)
        lump_warn("%s: %zu values were rounded to the file's number type (largest rounding "
                  "%.3g) and their effect could not be certified: the bound is for the network "
                  "before rounding; write .json to keep it exact",
                  out, wopts.rounded, wopts.max_rounding);
    if (!br.certified)
        lump_warn("the bound could not be certified for every output (see 'certified')");
    if (json) {
        json_t *j = cli_report_new("relax");
        cli_report_net(j, path, &net);
        cli_report_path(j, "output", out);
        cli_report_path(j, "box", box_arg);
        cli_report_path(j, "calib", calib_arg);
        json_object_set_new(j, "eps", json_real(eps));
        json_object_set_new(j, "exact_lumping_checked", json_boolean(exact_checked));
        json_object_set_new(j, "guide", json_string(calib_arg != NULL ? "calib" : "box"));
        if (calib_arg != NULL)
            json_object_set_new(j, "calib_deviation", json_real(cdev));
        else
            json_object_set_new(j, "centre", json_string(centre == LUMP_CENTRE_LP ? "lp" : "mean"));
        cli_report_change(j, &net, &g);
        json_object_set_new(j, "bound", vec_json(br.bound, nout));
        json_object_set_new(j, "certified", json_boolean(br.certified));
        json_object_set_new(j, "naive", vec_json(br.naive, nout));
        json_object_set_new(j, "observed", vec_json(obs, nout));
        json_object_set_new(j, "bound_seconds", json_real(br.seconds));
        json_object_set_new(j, "rounded_values", json_integer((json_int_t)wopts.rounded));
        json_object_set_new(j, "rounding_distance",
                            isfinite(rdist) ? json_real(cli_up3(rdist)) : json_null());
        if (radius_arg != NULL)
            json_object_set_new(j, "local", local_json(&lres, nout));
        rc = cli_report_print(j);
    } else {
        if (calib_arg != NULL)
            printf("relax %s: eps %g on the outputs over the calibration points of %s "
                   "(largest deviation there %.6g); bound over the box %s\n",
                   path, eps, calib_arg, cdev, box_arg);
        else
            printf("relax %s: eps %g over the box %s, %s centres\n", path, eps, box_arg,
                   centre == LUMP_CENTRE_LP ? "LP" : "mean");
        print_sizes_bounds(&net, &g, &br, obs);
        if (radius_arg != NULL)
            print_local(&lres, ldata_arg != NULL ? ldata_arg : calib_arg);
        printf("wrote %s\n", out);
    }
    cli_summary("%s -> %s, bound %.4g (%s), wrote %s", cli_layer_sizes(sa, sizeof sa, &net),
                cli_layer_sizes(sb, sizeof sb, &g), max_of(br.bound, nout),
                br.certified ? "certified" : "NOT certified", out);
cleanup:
    free(obs);
    free(cx);
    free(lx);
    lump_local_result_clear(&lres);
    lump_bound_result_clear(&br);
    lump_lumping_clear(&lumping);
    lump_box_clear(&box);
    lump_net_clear(&g);
    lump_net_clear(&net);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
