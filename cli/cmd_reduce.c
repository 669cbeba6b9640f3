/* cmd_reduce.c -- `lumpnet reduce`: the coarsest lumping, its quotient and
 * certificate */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* What the finder produced failed the independent checker (WHY): a bug,
 * and nothing is written. */
static lump_error_t disagreement(const char *what, const char *why)
{
    return lump_error_set(LUMP_EINTERNAL,
                          "internal error: the independent certificate checker refuses the %s "
                          "that reduce was about to write (%s). This is a bug in lumpnet; no "
                          "file was written. Please report it with the network and the command "
                          "line",
                          what, why);
}

typedef struct {
    size_t merged, constant, dead, after;
} layer_count_t;

static void count_layer(layer_count_t *c, const lump_layer_lumping_t *l)
{
    memset(c, 0, sizeof *c);
    for (size_t k = 0; k < l->n_blocks; k++) {
        const lump_block_t *b = &l->blocks[k];
        if (b->fate == LUMP_FATE_CONSTANT)
            c->constant += b->n_members;
        else if (b->fate == LUMP_FATE_DEAD)
            c->dead += b->n_members;
        else {
            c->after++;
            c->merged += b->n_members - 1;
        }
    }
}

static lump_error_t write_cert(FILE *f, void *ctx)
{
    return lump_cert_write(f, ctx);
}

static lump_error_t write_box_cert(FILE *f, void *ctx)
{
    return lump_box_cert_write(f, ctx);
}

/* Write the network Q to OUT and, when CERT is given, its certificate
 * through WRITE_CERT(f, CTX): both or neither (no certificate without its
 * quotient, and no quotient whose certificate could not be written). */
static lump_error_t write_outputs(const char *out, const lump_net_t *q, lump_write_opts_t *opts,
                                  const char *cert, lump_error_t (*write_cert_fn)(FILE *, void *),
                                  void *ctx, const char *prop_out, cli_transfer_t *tr)
{
    lump_net_output_t nc;
    lump_io_output_t o[3];
    size_t n = 1;
    lump_error_t err = lump_net_output_prepare(&o[0], &nc, out, q, opts);
    if (err != LUMP_OK)
        return err;
    if (cert != NULL) {
        o[n].path = cert;
        o[n].write = write_cert_fn;
        o[n++].ctx = ctx;
    }
    /* the property for OUT (reduce --vnnlib-out): all three or none */
    if (prop_out != NULL) {
        o[n].path = prop_out;
        o[n].write = cli_transfer_write;
        o[n++].ctx = tr;
    }
    return lump_io_write_all(o, n);
}

/* The declared input bounds of NET as an inline box "l:u,l:u,...". */
static char *clip_box_str(const lump_net_t *net)
{
    size_t len = 1, at = 0;
    char *s;
    for (size_t i = 0; i < net->n_inputs; i++)
        len += mpz_sizeinbase(mpq_numref(net->clip_lo[i]), 10) +
               mpz_sizeinbase(mpq_denref(net->clip_lo[i]), 10) +
               mpz_sizeinbase(mpq_numref(net->clip_hi[i]), 10) +
               mpz_sizeinbase(mpq_denref(net->clip_hi[i]), 10) + 8;
    s = lump_alloc(len);
    for (size_t i = 0; i < net->n_inputs; i++) {
        at += (size_t)gmp_snprintf(s + at, len - at, "%s%Qd:%Qd", i ? "," : "", net->clip_lo[i],
                                   net->clip_hi[i]);
    }
    s[at] = '\0';
    return s;
}

/* A quotient written rounded (a float32 source stays float32): its
 * distance to the exact quotient, which equals NET everywhere, is bounded
 * over NET's declared input bounds, the domain NET's own clipping gives;
 * without them no bound exists (a rounded weight times an unbounded
 * input). *CLIPBOX: the domain as an inline box for the verify line, or
 * NULL. O(network) plus the bound's time. */
static lump_error_t report_rounding(char **clipbox, const char *out, const char *path,
                                    const lump_net_t *net, const lump_net_t *q,
                                    const lump_write_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_box_t box;
    double u = INFINITY;
    size_t rounded = 0;
    lump_box_init(&box);
    if (!net->has_clip) {
        lump_warn("%s: %zu quotient values do not fit the file's number type and were rounded "
                  "(largest rounding %.3g); %s declares no input bounds, so the distance to it "
                  "is unbounded (rerun with --box BOX to bound it, or write .json to keep the "
                  "exact quotient)", out, opts->rounded, opts->max_rounding, path);
        goto cleanup;
    }
    LUMP_CHECK(lump_box_alloc(&box, net->n_inputs));
    for (size_t i = 0; i < net->n_inputs; i++) {
        mpq_set(box.lo[i], net->clip_lo[i]);
        mpq_set(box.hi[i], net->clip_hi[i]);
    }
    LUMP_CHECK(cli_rounding_distance(&u, &rounded, q, out, opts, &box));
    if (!isfinite(u)) {
        lump_warn("%s: %zu quotient values were rounded (largest rounding %.3g) and the "
                  "distance to %s could not be certified; write .json to keep it exact",
                  out, opts->rounded, opts->max_rounding, path);
        goto cleanup;
    }
    *clipbox = clip_box_str(net);
    fprintf(stderr, "lumpnet: %s equals %s within %.3g on its declared input bounds "
            "(certified; %zu values rounded to the file's number type, largest rounding %.3g; "
            "write .json to keep the exact quotient)\n",
            out, path, cli_up3(u), opts->rounded, opts->max_rounding);
cleanup:
    lump_box_clear(&box);
    return err;
}

/* The parts of both reports: the files, the network, its reduction, the
 * values rounded on the way out and the check. */
static json_t *report_common(const char *path, const char *out, const char *cert,
                             const lump_net_t *net, const lump_net_t *q, lump_mode_t md)
{
    json_t *j = cli_report_new("reduce");
    cli_report_net(j, path, net);
    cli_report_path(j, "output", out);
    cli_report_path(j, "certificate", cert);
    json_object_set_new(j, "mode", json_string(md == LUMP_MODE_EXACT ? "exact" : "proportional"));
    cli_report_change(j, net, q);
    return j;
}

static void report_tail(json_t *j, const lump_write_opts_t *opts, double check_seconds)
{
    json_object_set_new(j, "rounded_values", json_integer((json_int_t)opts->rounded));
    json_object_set_new(j, "max_rounding", json_real(opts->max_rounding));
    json_object_set_new(j, "exact_output", json_boolean(opts->rounded == 0));
    json_object_set_new(j, "checked", json_true());
    json_object_set_new(j, "check_seconds", json_real(check_seconds));
}

static json_t *report_json(const char *path, const char *out, const char *cert,
                           const lump_net_t *net, const lump_net_t *q,
                           const lump_lumping_t *L, const lump_write_opts_t *opts,
                           double check_seconds)
{
    json_t *j = report_common(path, out, cert, net, q, L->mode), *layers = json_array();
    for (size_t i = 0; i < L->n_layers; i++) {
        layer_count_t c;
        json_t *o = json_object();
        count_layer(&c, &L->layers[i]);
        json_object_set_new(o, "layer", json_integer((json_int_t)i + 1));
        json_object_set_new(o, "before", json_integer((json_int_t)L->layers[i].size));
        json_object_set_new(o, "after", json_integer((json_int_t)c.after));
        json_object_set_new(o, "merged", json_integer((json_int_t)c.merged));
        json_object_set_new(o, "constant", json_integer((json_int_t)c.constant));
        json_object_set_new(o, "dead", json_integer((json_int_t)c.dead));
        json_array_append_new(layers, o);
    }
    json_object_set_new(j, "per_layer", layers);
    report_tail(j, opts, check_seconds);
    return j;
}

static void report_text(const char *path, const char *out, const char *cert,
                        const lump_net_t *net, const lump_net_t *q,
                        const lump_lumping_t *L, double check_seconds, const char *clipbox,
                        int rounded)
{
    size_t removed = 0;
    printf("reduce %s (%s lumping)\n", path,
           L->mode == LUMP_MODE_EXACT ? "exact" : "proportional");
    printf("  %5s  %-10s %7s %7s %7s %9s %5s\n", "layer", "activation", "before", "after",
           "merged", "constant", "dead");
    for (size_t i = 0; i < L->n_layers; i++) {
        layer_count_t c;
        const lump_layer_t *l = &net->layers[i];
        count_layer(&c, &L->layers[i]);
        removed += L->layers[i].size - c.after;
        printf("  %5zu  %-10s %7zu %7zu %7zu %9zu %5zu\n", i + 1,
               lump_layer_uniform_act(l) ? lump_act_name(lump_layer_act(l, 0)->kind) : "mixed",
               L->layers[i].size, c.after, c.merged, c.constant, c.dead);
    }
    printf("neurons: %zu -> %zu (hidden plus output)\n", lump_net_neurons(net),
           lump_net_neurons(q));
    printf("params:  %zu -> %zu (weights plus biases)\n", lump_net_params(net),
           lump_net_params(q));
    if (removed == 0)
        printf("no %s lumps: every neuron is its own block, nothing is constant or dead; "
               "the quotient is the network itself\n",
               L->mode == LUMP_MODE_EXACT ? "exact" : "exact or proportional");
    printf("the lumping and its quotient were verified by the independent checker (%.3f s)\n",
           check_seconds);
    printf("wrote %s", out);
    if (cert != NULL) {
        if (rounded && clipbox == NULL) /* no domain: the distance needs a box */
            printf(" and the certificate %s (verify on a box BOX of your choice, as %s rounds "
                   "the exact quotient: lumpnet check %s %s %s --box BOX)", cert, out, path,
                   out, cert);
        else
            printf(" and the certificate %s (verify: lumpnet check %s %s %s%s%s)", cert, path,
                   out, cert, clipbox != NULL ? " --box " : "", clipbox != NULL ? clipbox : "");
    }
    printf("\n");
}

/* reduce --box --fit: whether exactness was asked for (EXACT), the
 * numbers OUT holds (TARGET) and whether NET's own all fit them. */
typedef struct {
    int exact;
    lump_fit_t target;
    int source_fits;
} fit_t;

/* Why OUT was rounded, for the rounding message: "" or the reason. */
static void fit_why(char *buf, size_t len, const fit_t *fit, const char *path)
{
    if (!fit->exact)
        snprintf(buf, len, "; --fit smallest");
    else if (!fit->source_fits)
        snprintf(buf, len, "; %s's own numbers do not all fit %s", path,
                 lump_fit_name(fit->target));
    else
        snprintf(buf, len, "; the writer combined values");
}

static json_t *box_report_json(const char *path, const char *out, const char *cert,
                               const char *box, const lump_net_t *net, const lump_net_t *q,
                               const lump_stable_stats_t *st, int use_lp,
                               const lump_write_opts_t *opts, lump_mode_t md,
                               double check_seconds, const fit_t *fit)
{
    json_t *j = report_common(path, out, cert, net, q, md), *rm = json_object();
    cli_report_path(j, "box", box);
    json_object_set_new(j, "bounds", json_string(use_lp ? "lp" : "interval"));
    json_object_set_new(rm, "inactive", json_integer((json_int_t)st->inactive));
    json_object_set_new(rm, "folded", json_integer((json_int_t)st->folded));
    json_object_set_new(rm, "lumped", json_integer((json_int_t)st->lumped));
    json_object_set_new(rm, "dead", json_integer((json_int_t)st->dead));
    json_object_set_new(rm, "constant", json_integer((json_int_t)st->constant));
    json_object_set_new(j, "removed", rm);
    json_object_set_new(j, "unstable", json_integer((json_int_t)st->unstable_final));
    json_object_set_new(j, "rounds", json_integer((json_int_t)st->rounds));
    json_object_set_new(j, "lp_solves", json_integer((json_int_t)st->lp_solves));
    json_object_set_new(j, "lp_tightened", json_integer((json_int_t)st->lp_tightened));
    json_object_set_new(j, "reduce_seconds", json_real(st->seconds));
    json_object_set_new(j, "exact_on_box", json_true());
    json_object_set_new(j, "fit", json_string(fit->exact ? "exact" : "smallest"));
    json_object_set_new(j, "number_type", json_string(lump_fit_name(fit->target)));
    json_object_set_new(j, "kept_unfolded", json_integer((json_int_t)st->kept_exact));
    report_tail(j, opts, check_seconds);
    return j;
}

/* The columns of reduce's --table: per layer, and for reduce --box one
 * row of what was removed for which reason. */
static const cli_col_t layer_cols[] = {{"layer", "layer", 0},       {"before", "before", 1},
                                       {"after", "after", 1},       {"merged", "merged", 1},
                                       {"constant", "constant", 1}, {"dead", "dead", 1}};
static const cli_col_t box_cols[] = {{"neurons_before", "neurons", 0},
                                     {"neurons_after", "after", 0},
                                     {"params_before", "params", 0},
                                     {"params_after", "after", 0},
                                     {"removed.inactive", "inactive", 0},
                                     {"removed.folded", "folded", 0},
                                     {"removed.lumped", "lumped", 0},
                                     {"removed.dead", "dead", 0},
                                     {"removed.constant", "constant", 0},
                                     {"kept_unfolded", "kept", 0}};

/* reduce --box: the stable-neuron reduction, exact on the box only. */
static int reduce_box(const char *path, const char *out, const char *cert, const char *boxarg,
                      lump_mode_t md, int use_lp, int json, int table, const char *prop_out,
                      int fit_exact, int unroll)
{
    cli_transfer_t tr;
    lump_net_t net, q;
    lump_box_t box;
    lump_box_cert_t C;
    lump_stable_opts_t o;
    lump_stable_stats_t st;
    lump_write_opts_t opts;
    lump_error_t err = LUMP_OK;
    int rc = CLI_OK;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024];
    double check_seconds;
    fit_t fit = {fit_exact, LUMP_FIT_ANY, 0};
    char tail[160];
    memset(&tr, 0, sizeof tr);
    lump_net_init(&net);
    lump_net_init(&q);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    lump_write_opts_init(&opts);
    lump_stable_opts_init(&o);
    o.mode = md;
    o.use_lp = use_lp;
    o.verbose = getenv("LUMPNET_VERBOSE") != NULL;
    /* --unroll: a graph network as its exact layered form (cmd_graph_bound.c) */
    err = unroll ? cli_net_read_unrolled(&net, path) : lump_net_read(&net, path);
    if (err != LUMP_OK && !unroll) /* a convolutional or residual network (cmd_graph_box.c) */
        return cli_graph_reduce_box(path, out, cert, boxarg, use_lp, json, err);
    LUMP_CHECK(err);
    err = cli_box_parse(&box, boxarg, &net, path);
    if (err != LUMP_OK) {
        err = lump_error_prefix(err, "--box %s", boxarg);
        goto cleanup;
    }
    /* --fit exact: only folds and lumps whose numbers OUT holds exactly,
     * which keeps OUT exact when NET's own numbers fit */
    fit.target = lump_write_fit(lump_format_from_path(out), &net, &opts);
    fit.source_fits = lump_net_fits(&net, fit.target);
    o.fit = fit.exact && fit.source_fits ? fit.target : LUMP_FIT_ANY;
    /* the certificate is built even when not asked for: the checker reads it */
    LUMP_CHECK(lump_stable_reduce(&q, &C, &st, &net, &box, &o));
    check_seconds = lump_clock_seconds();
    LUMP_CHECK(lump_box_cert_check(&valid, why, sizeof why, &net, &q, &box, &C));
    check_seconds = lump_clock_seconds() - check_seconds;
    if (valid != LUMP_TRUE)
        LUMP_CHECK(disagreement("box certificate", why));
    if (prop_out != NULL)
        LUMP_CHECK(cli_transfer_prepare(&tr, boxarg, &box, &q, path, out, &opts));
    else /* the file may round the exact result: bound that, as check will */
        LUMP_CHECK(cli_rounding_distance(&tr.distance, &tr.rounded, &q, out, &opts, &box));
    LUMP_CHECK(write_outputs(out, &q, &opts, cert, write_box_cert, &C, prop_out, &tr));
    fit_why(tail, sizeof tail, &fit, path);
    if (opts.rounded > 0 && prop_out == NULL && isfinite(tr.distance))
        fprintf(stderr, "lumpnet: %s equals %s within %.3g on %s (certified; %zu values "
                "rounded to %s, largest rounding %.3g%s; write .json to keep the exact "
                "result)\n",
                out, path, cli_up3(tr.distance), boxarg, opts.rounded,
                lump_fit_name(fit.target), opts.max_rounding, tail);
    else if (opts.rounded == 0 && prop_out == NULL && fit.target != LUMP_FIT_ANY)
        fprintf(stderr, "lumpnet: %s equals %s exactly on %s (every number fits %s, 0 values "
                "rounded; %zu neurons kept unfolded for that)\n", out, path, boxarg,
                lump_fit_name(fit.target), st.kept_exact);
    else if (opts.rounded > 0 && prop_out == NULL)
        lump_warn("%s: %zu values of the reduced network do not fit the file's number type and "
                  "were rounded (largest rounding %.3g), and the distance to %s could not be "
                  "certified for these activations: the file is not exact; write .json to keep "
                  "it exact", out, opts.rounded, opts.max_rounding, path);
    /* with --vnnlib-out the rounding is bounded, certified and stated */
    if (prop_out != NULL && tr.rounded > 0)
        fprintf(stderr, "lumpnet: %s equals %s within %s on %s (certified; %zu values "
                "rounded); %s enlarges the unsafe region by that distance\n",
                out, path, tr.shown, boxarg, tr.rounded, prop_out);
    else if (prop_out != NULL)
        fprintf(stderr, "lumpnet: %s equals %s exactly on %s; %s is the same property\n", out,
                path, boxarg, prop_out);
    if (table != CLI_TABLE_NONE)
        rc = cli_table_print(box_report_json(path, out, cert, boxarg, &net, &q, &st, use_lp, &opts,
                                             md, check_seconds, &fit),
                             NULL, box_cols, CLI_COUNT(box_cols), table, 0);
    else if (json)
        rc = cli_report_print(box_report_json(path, out, cert, boxarg, &net, &q, &st, use_lp, &opts,
                                            md, check_seconds, &fit));
    else {
        printf("reduce %s on the box %s (%s bounds, %s lumping)\n", path, boxarg,
               use_lp ? "LP-tightened" : "interval", md == LUMP_MODE_EXACT ? "exact" : "proportional");
        printf("removed: %zu inactive, %zu folded, %zu lumped, %zu dead, %zu constant "
               "(%zu relus left unstable, %zu rounds, %zu LP solves, %.2f s)\n",
               st.inactive, st.folded, st.lumped, st.dead, st.constant, st.unstable_final,
               st.rounds, st.lp_solves, st.seconds);
        if (st.kept_exact > 0)
            printf("kept:    %zu neurons that a fold or lumping would remove with numbers %s "
                   "cannot hold, so that %s holds the result exactly (--fit smallest removes "
                   "them, which may let later layers fold more, and rounds)\n",
                   st.kept_exact, lump_fit_name(fit.target), out);
        printf("neurons: %zu -> %zu (hidden plus output)\n", lump_net_neurons(&net),
               lump_net_neurons(&q));
        printf("params:  %zu -> %zu (weights plus biases)\n", lump_net_params(&net),
               lump_net_params(&q));
        printf("the result equals the network exactly at every point of the box (certificate "
               "verified by the independent checker in %.3f s); outside the box nothing is "
               "promised\n", check_seconds);
        printf("wrote %s", out);
        if (cert != NULL)
            printf(" and the certificate %s (verify: lumpnet check %s %s %s --box %s)", cert,
                   path, out, cert, boxarg);
        printf("\n");
    }
    {
        char sa[128], sb[128];
        char sc[96];
        if (opts.rounded > 0)
            snprintf(sc, sizeof sc, "%zu values rounded", opts.rounded);
        else
            snprintf(sc, sizeof sc, "exact, %zu kept unfolded", st.kept_exact);
        cli_summary("on the box %s: %s -> %s, %zu round%s, %s, wrote %s", boxarg,
                    cli_layer_sizes(sa, sizeof sa, &net), cli_layer_sizes(sb, sizeof sb, &q),
                    st.rounds, st.rounds == 1 ? "" : "s", sc, out);
    }
cleanup:
    cli_transfer_clear(&tr);
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_net_clear(&q);
    lump_net_clear(&net);
    return err != LUMP_OK ? cli_fail(err) : rc;
}

int cli_cmd_reduce(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *cert = NULL, *mode = NULL, *box = NULL;
    const char *bounds = NULL, *table_arg = NULL, *prop_out = NULL, *fit = NULL;
    int json = 0, rc = CLI_OK, table = CLI_TABLE_NONE, unroll = 0;
    lump_net_t net, q;
    lump_lumping_t L;
    lump_write_opts_t opts;
    lump_error_t err = LUMP_OK;
    lump_mode_t md = LUMP_MODE_PROPORTIONAL;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024], *clipbox = NULL;
    double check_seconds;
    const cli_opt_t opt[] = {{"--json", NULL, &json},       CLI_OPTS_OUTPUT(&out),
                             {"--cert", &cert, NULL},       {"--mode", &mode, NULL},
                             {"--box", &box, NULL},         {"--bounds", &bounds, NULL},
                             {"--table", &table_arg, NULL}, {"--vnnlib-out", &prop_out, NULL},
                             {"--fit", &fit, NULL},         {"--unroll", NULL, &unroll}};
    if ((rc = cli_parse_one(&path, argc, argv, "reduce", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
    if (path == NULL || out == NULL)
        return cli_usage_error("reduce", "needs NET and -o OUT");
    if ((rc = cli_table_parse(&table, table_arg, json, "reduce")) != CLI_OK)
        return rc;
    if (cli_parse_mode(&md, mode, "reduce") != CLI_OK)
        return CLI_BAD;
    if (bounds != NULL && strcmp(bounds, "lp") != 0 && strcmp(bounds, "interval") != 0)
        return cli_usage_error("reduce", "--bounds is lp or interval, not '%s'", bounds);
    if (bounds != NULL && box == NULL)
        return cli_usage_error("reduce", "--bounds needs --box");
    if (fit != NULL && strcmp(fit, "exact") != 0 && strcmp(fit, "smallest") != 0)
        return cli_usage_error("reduce", "--fit is exact or smallest, not '%s'", fit);
    if (fit != NULL && box == NULL)
        return cli_usage_error("reduce", "--fit needs --box (without a box, reduce writes the "
                                         "coarsest lumping's quotient)");
    if (unroll && box == NULL)
        return cli_usage_error("reduce", "--unroll needs --box (it writes the box reduction of "
                                         "a graph network's layered form)");
    if (prop_out != NULL && (box == NULL || !cli_ends_with(box, ".vnnlib")))
        return cli_usage_error("reduce", "--vnnlib-out needs --box PROP.vnnlib (the property to "
                                         "carry over)");
    if (lump_format_from_path(out) == LUMP_FORMAT_UNKNOWN)
        return cli_fail(lump_error_set(LUMP_EUSAGE,
                                       "%s: unknown network format (the extension must "
                                       "be .onnx, .nnet or .json)", out));
    {
        const cli_file_t fin[] = {{path, "the network"}, {box, "--box"}},
                         fout[] = {{out, "-o"}, {cert, "--cert"}, {prop_out, "--vnnlib-out"}};
        if ((rc = cli_check_files("reduce", fin, 2, fout, 3)) != CLI_OK)
            return rc;
    }
    if (box != NULL)
        return reduce_box(path, out, cert, box, md, bounds == NULL || strcmp(bounds, "lp") == 0,
                          json, table, prop_out, fit == NULL || strcmp(fit, "exact") == 0,
                          unroll);
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_write_opts_init(&opts);
    if ((err = lump_net_read(&net, path)) != LUMP_OK) /* a graph network? (cmd_graph_lump.c) */
        return cli_graph_reduce(path, out, cert, md, json && table == CLI_TABLE_NONE, err);
    LUMP_CHECK(lump_partition_coarsest(&L, &net, md, 0));
    LUMP_CHECK(lump_quotient(&q, &net, &L));
    /* the trusted base: nothing is written that the checker has not seen */
    check_seconds = lump_clock_seconds();
    LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
    check_seconds = lump_clock_seconds() - check_seconds;
    if (valid != LUMP_TRUE)
        LUMP_CHECK(disagreement("lumping", why));
    LUMP_CHECK(write_outputs(out, &q, &opts, cert, write_cert, &L, NULL, NULL));
    if (opts.rounded > 0)
        LUMP_CHECK(report_rounding(&clipbox, out, path, &net, &q, &opts));
    if (table != CLI_TABLE_NONE)
        rc = cli_table_print(report_json(path, out, cert, &net, &q, &L, &opts, check_seconds),
                             "per_layer", layer_cols, CLI_COUNT(layer_cols), table, 1);
    else if (json)
        rc = cli_report_print(report_json(path, out, cert, &net, &q, &L, &opts, check_seconds));
    else
        report_text(path, out, cert, &net, &q, &L, check_seconds, clipbox, opts.rounded > 0);
cleanup:
    free(clipbox);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
