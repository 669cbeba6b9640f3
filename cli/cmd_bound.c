/* cmd_bound.c -- `lumpnet bound`: a certified bound on |A_j - B_j| over a
 * box, with the naive interval bound and the observed maximum beside it */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/alloc.h"

static int parse_ulong(unsigned long *out, const char *s, const char *opt)
{
    char *end;
    *out = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || *s == '-') {
        cli_usage_error("bound", "%s needs a whole number, not '%s'", opt, s);
        return -1;
    }
    return 0;
}

/* Q = the exact quotient that the certificate CERT makes of A, checked
 * to equal A (on BOX when *ON_BOX): the network B is paired with. */
static lump_error_t cert_partner(lump_net_t *q, int *on_box, const lump_net_t *a,
                                 const lump_box_t *box, const char *cert)
{
    lump_error_t err = LUMP_OK;
    unsigned char *buf = NULL;
    size_t len = 0;
    LUMP_CHECK(lump_io_read_file(&buf, &len, cert));
    LUMP_CHECK(lump_cert_quotient(q, on_box, a, box, (const char *)buf, len, cert));
cleanup:
    free(buf);
    return err;
}

/* What a bound through a certificate proved, in one line. */
static void print_cert_claim(const lump_bound_result_t *res, const char *box_arg,
                             const char *cert, int on_box)
{
    double worst = 0;
    for (size_t k = 0; k < res->n_outputs; k++)
        worst = fmax(worst, res->bound[k]);
    printf("%s: |A - B| <= %.17g on %s (A = Q exactly %s by %s; |Q - B| <= %.17g, Q the exact "
           "quotient of A paired with B neuron by neuron)\n",
           res->certified ? "certified" : "NOT certified", worst, box_arg,
           on_box ? "on the box" : "everywhere", cert, worst);
}

int cli_cmd_bound(int argc, char **argv)
{
    /* lump_encoding_t's order */
    static const char *const encodings[] = {"differential", "separate", NULL};
    const char *a_path, *b_path, *box_arg = NULL, *enc_arg = NULL;
    const char *samples_arg = NULL, *seed_arg = NULL, *boxes_arg = NULL, *table_arg = NULL;
    const char *cert = NULL;
    int table = CLI_TABLE_NONE;
    int json = 0, verbose = 0, no_lp = 0, no_symbolic = 0, rc = CLI_OK, certified = 0;
    int on_box = 0, graph = 0, graph_paired = 0;
    unsigned long samples = 1000, seed = 1;
    lump_net_t a, b, q;
    lump_box_t box;
    lump_bound_opts_t opts;
    lump_bound_result_t res;
    lump_error_t err = LUMP_OK;
    double *observed = NULL;
    lump_bound_opts_init(&opts);
    const cli_opt_t opt[] = {
        {"--json", NULL, &json},           {"--verbose", NULL, &verbose},
        {"--no-lp", NULL, &no_lp},         {"--no-symbolic", NULL, &no_symbolic},
        {"--box", &box_arg, NULL},         {"--encoding", &enc_arg, NULL},
        {"--samples", &samples_arg, NULL}, {"--seed", &seed_arg, NULL},
        {"--max-boxes", &boxes_arg, NULL}, {"--table", &table_arg, NULL},
        {"--cert", &cert, NULL}};
    if ((rc = cli_parse_two(&a_path, &b_path, argc, argv, "bound", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
    if ((rc = cli_table_parse(&table, table_arg, json, "bound")) != CLI_OK)
        return rc;
    if (no_lp)
        opts.lp = 0;
    if (no_symbolic)
        opts.symbolic = 0;
    if (box_arg == NULL)
        return cli_usage_error("bound", "needs --box BOX (a .vnnlib file or l:u,...)");
    int enc = (int)opts.encoding;
    if (cli_parse_choice(&enc, enc_arg, encodings, "bound", "--encoding") != CLI_OK)
        return CLI_BAD;
    opts.encoding = (lump_encoding_t)enc;
    if (samples_arg != NULL && parse_ulong(&samples, samples_arg, "--samples") < 0)
        return CLI_BAD;
    if (seed_arg != NULL && parse_ulong(&seed, seed_arg, "--seed") < 0)
        return CLI_BAD;
    if (boxes_arg != NULL) {
        unsigned long nb;
        if (parse_ulong(&nb, boxes_arg, "--max-boxes") < 0)
            return CLI_BAD;
        opts.max_boxes = (size_t)nb;
    }
    opts.verbose = verbose;
    opts.seed = seed;
    lump_net_init(&a);
    lump_net_init(&b);
    lump_net_init(&q);
    lump_box_init(&box);
    lump_bound_result_init(&res);
    err = cli_read_two_unrolled(&a, a_path, &b, b_path); /* graphs as layers */
    if (err == LUMP_ENOMEM) {
        /* graph networks too wide for layers: exact intervals on the graphs */
        if (cert != NULL) {
            err = lump_error_set(LUMP_EUSAGE, "bound: --cert needs networks that unroll into "
                                 "layers (%s)", lump_error_message());
            goto cleanup;
        }
        lump_warn("%s; bounding on the graphs themselves (exact interval arithmetic, no LP)",
                  lump_error_message());
        err = LUMP_OK;
        LUMP_CHECK(cli_graph_bound_wide(&res, &observed, &graph_paired, a_path, b_path, box_arg,
                                        (size_t)samples, seed));
        graph = 1;
        certified = res.certified;
        goto report;
    }
    LUMP_CHECK(err);
    if (a.n_inputs != b.n_inputs || lump_net_n_outputs(&a) != lump_net_n_outputs(&b)) {
        err = lump_error_set(LUMP_EINPUT, "%s and %s: %zu and %zu inputs, %zu and %zu outputs "
                             "(bound needs equal numbers)", a_path, b_path, a.n_inputs,
                             b.n_inputs, lump_net_n_outputs(&a), lump_net_n_outputs(&b));
        goto cleanup;
    }
    LUMP_CHECK(cli_box_parse(&box, box_arg, &a, a_path));
    /* with a certificate, |A - B| = |Q - B| on the box, Q shaped like B */
    if (cert != NULL)
        LUMP_CHECK(cert_partner(&q, &on_box, &a, &box, cert));
    err = lump_bound_diff(&res, cert != NULL ? &q : &a, &b, &box, &opts);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "%s vs %s over %s", a_path, b_path, box_arg);
        goto cleanup;
    }
    certified = res.certified;
    observed = lump_alloc_array(res.n_outputs + 1, sizeof *observed);
    LUMP_CHECK(lump_max_error_sampled(observed, &a, &b, &box, samples, seed));
report:
    if (table != CLI_TABLE_NONE) {
        /* one row per output: the report's per-output lists side by side */
        static const cli_col_t cols[] = {{"output", "output", 0},
                                         {"bound", "certified bound", 0},
                                         {"observed", "observed", 0},
                                         {"naive", "interval", 0}};
        json_t *j = cli_report_new("bound"), *rows = json_array();
        for (size_t k = 0; k < res.n_outputs; k++) {
            json_t *o = json_object();
            json_object_set_new(o, "output", cli_report_size(k));
            json_object_set_new(o, "bound", cli_report_num(res.bound[k]));
            json_object_set_new(o, "observed", json_real(observed[k]));
            json_object_set_new(o, "naive", cli_report_num(res.naive[k]));
            json_array_append_new(rows, o);
        }
        json_object_set_new(j, "network", json_string(a_path));
        json_object_set_new(j, "rows", rows);
        rc = cli_table_print(j, "rows", cols, CLI_COUNT(cols), table, 0);
    } else if (json) {
        json_t *j = cli_report_new("bound"), *jb = json_array(), *jn = json_array();
        json_t *jo = json_array();
        json_t *js = json_array(), *jl = json_array();
        for (size_t k = 0; k < res.n_outputs; k++) {
            json_array_append_new(js, cli_report_num(res.bound_sym[k]));
            json_array_append_new(jl, cli_report_num(res.bound_lp[k]));
            json_array_append_new(jb, cli_report_num(res.bound[k]));
            json_array_append_new(jn, cli_report_num(res.naive[k]));
            json_array_append_new(jo, json_real(observed[k]));
        }
        cli_report_path(j, "a", a_path);
        cli_report_path(j, "b", b_path);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "bound", jb);
        json_object_set_new(j, "certified", json_boolean(res.certified));
        json_object_set_new(j, "naive", jn);
        json_object_set_new(j, "bound_symbolic", js);
        json_object_set_new(j, "bound_lp", jl);
        json_object_set_new(j, "observed", jo);
        json_object_set_new(j, "bound_seconds", json_real(res.seconds));
        json_object_set_new(j, "encoding", json_string(graph ? (graph_paired ? "graph-differential"
                                                                             : "graph-separate")
                                                       : opts.encoding == LUMP_ENC_SEPARATE
                                                           ? "separate" : "differential"));
        if (cert != NULL) {
            cli_report_path(j, "certificate", cert);
            json_object_set_new(j, "paired_through", json_string(on_box ? "box certificate"
                                                                        : "lumping certificate"));
        }
        rc = cli_report_print(j);
    } else {
        printf("bound on |A_j - B_j| over %s (%s, %.3f s):\n", box_arg,
               graph ? (graph_paired ? "certified by exact differential interval arithmetic on "
                                       "the graphs"
                                     : "certified by exact interval arithmetic on the graphs")
               : res.certified ? "certified by exact weak duality" : "NOT certified",
               res.seconds);
        printf("%-8s %-24s %-24s %-24s\n", "output", "certified bound", "naive interval",
               "observed (sampled)");
        for (size_t k = 0; k < res.n_outputs; k++)
            printf("%-8zu %-24.17g %-24.17g %-24.17g\n", k, res.bound[k], res.naive[k],
                   observed[k]);
        if (cert != NULL)
            print_cert_claim(&res, box_arg, cert, on_box);
    }
    {
        double worst = 0;
        for (size_t k = 0; k < res.n_outputs; k++)
            worst = fmax(worst, res.bound[k]);
        cli_summary("%zu outputs, largest bound %.4g (%s)", res.n_outputs, worst,
                    res.certified ? "certified" : "NOT certified");
    }
cleanup:
    free(observed);
    lump_bound_result_clear(&res);
    lump_box_clear(&box);
    lump_net_clear(&q);
    lump_net_clear(&b);
    lump_net_clear(&a);
    return cli_exit(err, rc, certified ? CLI_OK : CLI_UNKNOWN);
}
