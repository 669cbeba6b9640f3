/* cmd_graph_box.c -- `reduce --box` and `check --box` of graph
 * (convolutional or residual) networks: relu channels inactive at every
 * position of the box removed as channels (the result is again a CNN),
 * with the certificate of lumpnet/graph_box.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* The LP tightening of a graph network's unrolled form stops after this
 * many LP solves: a residual network has thousands of unstable relus,
 * each two LPs over thousands of rows (many minutes), while the removable
 * channels come mostly from the interval bounds. A count, not a time, so
 * that the result does not depend on the machine's load. */
#define GRAPH_LP_SOLVES 200

static lump_error_t write_cert(FILE *f, void *ctx)
{
    return lump_graph_box_cert_write(f, ctx);
}

/* The box argument BOXARG over the N inputs of PATH's network. */
static lump_error_t parse_box(lump_box_t *box, const char *boxarg, size_t n)
{
    lump_error_t err = lump_box_parse(box, boxarg, n);
    if (err != LUMP_OK)
        return lump_error_prefix(err, "--box %s", boxarg);
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            return lump_error_set(LUMP_EINPUT, "--box %s: dimension %zu is empty (lower bound "
                                  "above upper bound)", boxarg, i + 1);
    return LUMP_OK;
}

static json_t *reduce_json(const char *path, const char *out, const char *cert, const char *box,
                           const lump_graph_t *g, const lump_graph_t *q,
                           const lump_graph_box_stats_t *st, int use_lp, double check_seconds,
                           const lump_write_opts_t *opts)
{
    json_t *j = cli_report_new("reduce"), *cuts = json_object();
    cli_report_path(j, "network", path);
    cli_report_path(j, "output", out);
    cli_report_path(j, "certificate", cert);
    cli_report_path(j, "box", box);
    json_object_set_new(j, "model", json_string("graph"));
    json_object_set_new(j, "bounds", json_string(st->intervals ? "graph-interval"
                                                 : use_lp ? "lp" : "interval"));
    json_object_set_new(j, "neurons_before", cli_report_size(lump_graph_neurons(g)));
    json_object_set_new(j, "neurons_after", cli_report_size(lump_graph_neurons(q)));
    json_object_set_new(j, "params_before", cli_report_size(lump_graph_params(g)));
    json_object_set_new(j, "params_after", cli_report_size(lump_graph_params(q)));
    json_object_set_new(j, "relus", cli_report_size(st->relus));
    json_object_set_new(j, "relus_inactive", cli_report_size(st->inactive));
    json_object_set_new(j, "relus_active", cli_report_size(st->active));
    json_object_set_new(j, "channels_removed", cli_report_size(st->channels));
    json_object_set_new(j, "channels_stuck", cli_report_size(st->stuck));
    json_object_set_new(j, "unrolled_neurons", cli_report_size(st->unrolled_neurons));
    json_object_set_new(j, "unrolled_relus", cli_report_size(st->unrolled_relus));
    json_object_set_new(j, "lp_solves", cli_report_size(st->lp_solves));
    json_object_set_new(j, "lp_tightened", cli_report_size(st->lp_tightened));
    json_object_set_new(j, "unroll_seconds", json_real(st->unroll_seconds));
    json_object_set_new(j, "bounds_seconds", json_real(st->bounds_seconds));
    json_object_set_new(j, "reduce_seconds", json_real(st->seconds));
    json_object_set_new(j, "check_seconds", json_real(check_seconds));
    json_object_set_new(j, "values_rounded", cli_report_size(opts->rounded));
    json_object_set_new(j, "exact_on_box", json_boolean(opts->rounded == 0));
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].shape.dim[0] != q->nodes[i].shape.dim[0] &&
            g->nodes[i].op == LUMP_GOP_ACT) {
            char key[32];
            snprintf(key, sizeof key, "%zu", i);
            json_object_set_new(cuts, key, cli_report_size(g->nodes[i].shape.dim[0] -
                                                           q->nodes[i].shape.dim[0]));
        }
    json_object_set_new(j, "channels_removed_per_node", cuts);
    return j;
}

static void reduce_text(const char *path, const char *out, const char *cert, const char *box,
                        const lump_graph_t *g, const lump_graph_t *q,
                        const lump_graph_box_stats_t *st, int use_lp, double check_seconds)
{
    if (st->intervals)
        printf("reduce %s on the box %s (exact interval bounds on the graph itself: its layered "
               "form would be too large)\n", path, box);
    else
        printf("reduce %s on the box %s (%s bounds on the unrolled network of %zu neurons, %zu "
               "relus)\n", path, box, use_lp ? "LP-tightened" : "interval",
               st->unrolled_neurons, st->unrolled_relus);
    printf("relus:    %zu of %zu proven stable (%zu inactive, %zu active) in %.2f s\n",
           st->inactive + st->active, st->relus, st->inactive, st->active, st->bounds_seconds);
    printf("removed:  %zu channels (%zu relu entries)", st->channels, st->cut_entries);
    if (st->stuck > 0)
        printf("; %zu more channels are inactive everywhere but stay (a residual Add reads "
               "them, or their producer is no Conv or dense node)", st->stuck);
    printf("\n");
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == LUMP_GOP_ACT && g->nodes[i].shape.dim[0] != q->nodes[i].shape.dim[0])
            printf("          node %zu (%s): %zu -> %zu channels\n", i,
                   g->nodes[i].name != NULL ? g->nodes[i].name : "relu",
                   g->nodes[i].shape.dim[0], q->nodes[i].shape.dim[0]);
    printf("neurons:  %zu -> %zu (entries of every tensor but the input)\n",
           lump_graph_neurons(g), lump_graph_neurons(q));
    printf("params:   %zu -> %zu\n", lump_graph_params(g), lump_graph_params(q));
    printf("the result equals the network exactly at every point of the box (certificate "
           "verified by the independent checker in %.3f s); outside the box nothing is "
           "promised\n", check_seconds);
    printf("wrote %s", out);
    if (cert != NULL)
        printf(" and the certificate %s (verify: lumpnet check %s %s %s --box %s)", cert, path,
               out, cert, box);
    printf("\n");
}

/* cli_graph_reduce_box -- see cli.h. */
int cli_graph_reduce_box(const char *path, const char *out, const char *cert, const char *boxarg,
                         int use_lp, int json, lump_error_t err)
{
    lump_graph_t g, q;
    lump_box_t box;
    lump_graph_box_cert_t C;
    lump_graph_box_stats_t st;
    lump_stable_opts_t o;
    lump_write_opts_t opts;
    lump_verdict_t valid = LUMP_FALSE;
    lump_io_output_t outs[2];
    lump_graph_output_t go;
    char why[1024];
    double check_seconds;
    int rc;
    lump_graph_init(&g);
    if ((rc = cli_graph_read(&g, path, err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    lump_graph_init(&q);
    lump_box_init(&box);
    lump_graph_box_cert_init(&C);
    lump_write_opts_init(&opts);
    lump_stable_opts_init(&o);
    o.use_lp = use_lp;
    o.verbose = getenv("LUMPNET_VERBOSE") != NULL;
    if (lump_format_from_path(out) == LUMP_FORMAT_NNET) {
        err = lump_error_set(LUMP_EUNSUPPORTED,
                             "%s: the reduced convolutional or residual network cannot be "
                             "written as NNet, which holds fully connected networks only (write "
                             ".onnx or .json, or reduce --unroll for a fully connected result)",
                             out);
        goto cleanup;
    }
    LUMP_CHECK(parse_box(&box, boxarg, lump_graph_n_inputs(&g)));
    err = lump_graph_box_reduce(&q, &C, &st, &g, &box, &o, GRAPH_LP_SOLVES, CLI_UNROLL_MAX_WEIGHTS);
    if (err == LUMP_ENOMEM)
        err = lump_error_prefix(err, "%s: the box reduction bounds the network's layered form "
                                     "(convert --unroll)", path);
    LUMP_CHECK(err);
    /* the trusted base: nothing is written that the checker has not seen */
    check_seconds = lump_clock_seconds();
    LUMP_CHECK(lump_graph_box_cert_check(&valid, why, sizeof why, &g, &q, &box, &C));
    check_seconds = lump_clock_seconds() - check_seconds;
    if (valid != LUMP_TRUE) {
        err = lump_error_set(LUMP_EINTERNAL,
                             "internal error: the independent certificate checker refuses the "
                             "graph box certificate that reduce was about to write (%s). This "
                             "is a bug in lumpnet; no file was written",
                             why);
        goto cleanup;
    }
    LUMP_CHECK(lump_graph_output_prepare(&outs[0], &go, out, &q, &opts));
    outs[1] = (lump_io_output_t){cert, write_cert, &C};
    LUMP_CHECK(lump_io_write_all(outs, cert != NULL ? 2 : 1));
    if (opts.rounded > 0)
        lump_warn("%s: %zu values did not fit the ONNX element type and were rounded (largest "
                  "rounding %.3g): the file is not the certified result; write .json to keep "
                  "it exact", out, opts.rounded, opts.max_rounding);
    if (json)
        rc = cli_report_print(reduce_json(path, out, cert, boxarg, &g, &q, &st, use_lp,
                                          check_seconds, &opts));
    else
        reduce_text(path, out, cert, boxarg, &g, &q, &st, use_lp, check_seconds);
    cli_summary("on the box %s: %zu channels removed, %zu -> %zu neurons, wrote %s", boxarg,
                st.channels, lump_graph_neurons(&g), lump_graph_neurons(&q), out);
cleanup:
    lump_graph_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}

/* The box certificate BUF (of `reduce --unroll`) for NET, a graph
 * network taken as its layered form, and OUT, a layered network. */
static lump_error_t check_unrolled(lump_verdict_t *valid, char *why, size_t whylen,
                                   const char *const paths[3], const char *box_arg,
                                   const unsigned char *buf, size_t len)
{
    lump_error_t err = LUMP_OK;
    lump_net_t net, out;
    lump_box_t box;
    lump_box_cert_t C;
    lump_net_init(&net);
    lump_net_init(&out);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    LUMP_CHECK(cli_read_two_unrolled(&net, paths[0], &out, paths[1]));
    LUMP_CHECK(parse_box(&box, box_arg, net.n_inputs));
    LUMP_CHECK(lump_box_cert_read_buf(&C, (const char *)buf, len, paths[2]));
    LUMP_CHECK(lump_box_cert_check(valid, why, whylen, &net, &out, &box, &C));
cleanup:
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_net_clear(&out);
    lump_net_clear(&net);
    return err;
}

/* cli_graph_check_box -- see cli.h. */
int cli_graph_check_box(const char *const paths[3], const char *box_arg, int json,
                        lump_error_t err)
{
    lump_graph_t g, q;
    lump_box_t box;
    lump_graph_box_cert_t C;
    lump_verdict_t valid = LUMP_FALSE;
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[1024] = "";
    const char *kind = "graph-box";
    int rc;
    lump_graph_init(&g);
    if ((rc = cli_graph_read(&g, paths[0], err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    lump_graph_init(&q);
    lump_box_init(&box);
    lump_graph_box_cert_init(&C);
    LUMP_CHECK(lump_io_read_file(&buf, &len, paths[2]));
    if (!lump_cert_is_graph_box((const char *)buf, len) &&
        lump_cert_version((const char *)buf, len) == 2) {
        kind = "box";
        LUMP_CHECK(check_unrolled(&valid, why, sizeof why, paths, box_arg, buf, len));
    } else if (!lump_cert_is_graph_box((const char *)buf, len)) {
        err = lump_error_set(LUMP_EUNSUPPORTED,
                             "%s: %s is a graph (convolutional or residual) network; check "
                             "--box on it reads a graph box certificate (reduce --box --cert)",
                             paths[2], paths[0]);
        goto cleanup;
    } else {
        LUMP_CHECK(lump_graph_read(&q, paths[1], NULL));
        LUMP_CHECK(parse_box(&box, box_arg, lump_graph_n_inputs(&g)));
        LUMP_CHECK(lump_graph_box_cert_read_buf(&C, (const char *)buf, len, paths[2]));
        LUMP_CHECK(lump_graph_box_cert_check(&valid, why, sizeof why, &g, &q, &box, &C));
    }
    if (json) {
        json_t *j = cli_report_new("check");
        json_object_set_new(j, "valid", json_boolean(valid == LUMP_TRUE));
        json_object_set_new(j, "kind", json_string(kind));
        cli_report_path(j, "network", paths[0]);
        cli_report_path(j, "quotient", paths[1]);
        cli_report_path(j, "certificate", paths[2]);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "on_box_only", json_true());
        if (valid != LUMP_TRUE)
            json_object_set_new(j, "reason", json_string(why));
        rc = cli_report_print(j);
    } else if (valid == LUMP_TRUE && strcmp(kind, "box") == 0)
        printf("valid: %s computes exactly the function of %s at every point of the box %s "
               "(box certificate %s of its unrolled layered form checked in exact arithmetic; "
               "nothing is claimed outside the box)\n", paths[1], paths[0], box_arg, paths[2]);
    else if (valid == LUMP_TRUE)
        printf("valid: %s computes exactly the function of %s at every point of the box %s "
               "(graph box certificate %s: %s and the removed channels checked in exact "
               "arithmetic; nothing is claimed outside the box)\n",
               paths[1], paths[0], box_arg, paths[2],
               C.intervals ? "interval bounds recomputed on the graph"
                           : "the bounds of the unrolled network");
    else
        printf("invalid: %s\n", why);
    if (rc == CLI_OK && valid != LUMP_TRUE)
        rc = CLI_NEGATIVE;
cleanup:
    free(buf);
    lump_graph_box_cert_clear(&C);
    lump_box_clear(&box);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
