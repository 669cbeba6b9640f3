/* cmd_draw.c -- `lumpnet draw`: a figure of a network, its blocks and its
 * quotient (SVG, PDF, PNG or DOT) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/alloc.h"

/* *OUT = the whole number S, at least MIN; 0 when S is not one. */
static int parse_count(size_t *out, const char *s, size_t min)
{
    char *end;
    unsigned long long v;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > (size_t)-1 / 16)
        return 0;
    *out = (size_t)v;
    return 1;
}

/* "W,H" in inches, both positive and finite. */
static int parse_size(double *w, double *h, const char *s)
{
    char *end;
    *w = strtod(s, &end);
    if (end == s || *end != ',' || !(*w > 0 && *w < 1e4))
        return 0;
    s = end + 1;
    *h = strtod(s, &end);
    return end != s && *end == '\0' && *h > 0 && *h < 1e4;
}

/* The default title: NET's file name without folder and extension. */
static char *default_title(const char *path)
{
    const char *base = strrchr(path, '/');
    char *t, *dot;
    t = lump_strdup(base != NULL ? base + 1 : path);
    if ((dot = strrchr(t, '.')) != NULL && dot != t)
        *dot = '\0';
    return t;
}

/* Read the certificate at PATH: a lumping (into L), or a box reduction
 * (into C, *BOX set). */
static lump_error_t read_cert(lump_lumping_t *L, lump_box_cert_t *C, int *box, const char *path)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lump_error_t err = lump_io_read_file(&buf, &len, path);
    *box = err == LUMP_OK && lump_cert_version((const char *)buf, len) == 2;
    if (err == LUMP_OK && *box)
        err = lump_box_cert_read_buf(C, (const char *)buf, len, path);
    else if (err == LUMP_OK)
        err = lump_cert_read_buf(L, (const char *)buf, len, path);
    free(buf);
    return err;
}

/* A box certificate's reduction as a lumping of NET with its quotient Q,
 * confirmed by the box checker before anything is drawn. *VALID false
 * (WHY filled) when the checker refuses it. */
static lump_error_t box_lumping(lump_lumping_t *L, lump_net_t *q, unsigned char **cause,
                                lump_verdict_t *valid, char *why, size_t whylen,
                                const lump_net_t *net, const lump_box_cert_t *C)
{
    lump_error_t err = lump_box_cert_compose(L, q, cause, net, C);
    if (err == LUMP_OK)
        err = lump_box_cert_check(valid, why, whylen, net, q, &C->box, C);
    return err;
}

int cli_cmd_draw(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *cert = NULL, *mode = NULL, *eps = NULL, *box = NULL;
    const char *title = NULL, *width = NULL, *edges = NULL, *size = NULL;
    const char *centre_arg = NULL, *dpi = NULL;
    char lname[96];
    double e = 0;
    lump_centre_t centre = LUMP_CENTRE_MEAN;
    lump_box_t bx;
    int reduce = 0, no_legend = 0, rc = CLI_OK, sources, json = 0;
    char *title_buf = NULL;
    lump_net_t net, q;
    lump_lumping_t L;
    lump_box_cert_t C;
    unsigned char *cause = NULL;
    lump_viz_opts_t opts;
    lump_error_t err = LUMP_OK;
    lump_mode_t md = LUMP_MODE_PROPORTIONAL;
    lump_viz_opts_init(&opts);
    const cli_opt_t opt[] = {{"--reduce", NULL, &reduce},
                             {"--json", NULL, &json},
                             {"--quotient-only", NULL, &opts.quotient_only},
                             {"--no-legend", NULL, &no_legend},
                             CLI_OPTS_OUTPUT(&out),
                             {"--cert", &cert, NULL},
                             {"--mode", &mode, NULL},
                             {"--eps", &eps, NULL},
                             {"--box", &box, NULL},
                             {"--centre", &centre_arg, NULL},
                             {"--title", &title, NULL},
                             {"--font", &opts.font, NULL},
                             {"--max-width", &width, NULL},
                             {"--max-edges", &edges, NULL},
                             {"--size", &size, NULL},
                             {"--dpi", &dpi, NULL}};
    if ((rc = cli_parse_one(&path, argc, argv, "draw", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
    if (no_legend)
        opts.legend = 0;
    if (path == NULL || out == NULL)
        return cli_usage_error("draw", "needs NET and -o OUT");
    sources = (cert != NULL) + reduce + (eps != NULL);
    if (sources > 1)
        return cli_usage_error("draw", "--cert, --reduce and --eps exclude each other");
    if ((eps != NULL) != (box != NULL))
        return cli_usage_error("draw", "--eps and --box go together");
    if (centre_arg != NULL && eps == NULL)
        return cli_usage_error("draw", "--centre goes with --eps");
    if (cli_parse_centre(&centre, centre_arg, NULL, "draw") != CLI_OK)
        return CLI_BAD;
    if (eps != NULL) {
        char *end;
        e = strtod(eps, &end);
        if (end == eps || *end != '\0' || !(e >= 0 && e < 1e300))
            return cli_usage_error("draw", "--eps takes a number >= 0, not '%s'", eps);
    }
    if (mode != NULL && !reduce)
        return cli_usage_error("draw", "--mode goes with --reduce");
    if (cli_parse_mode(&md, mode, "draw") != CLI_OK)
        return CLI_BAD;
    if (opts.quotient_only && sources == 0)
        return cli_usage_error("draw", "--quotient-only needs --reduce, --cert or --eps");
    if (width != NULL && !parse_count(&opts.max_width, width, 2))
        return cli_usage_error("draw", "--max-width takes a whole number of at least 2, not '%s'",
                               width);
    if (edges != NULL && !parse_count(&opts.max_edges, edges, 0))
        return cli_usage_error("draw", "--max-edges takes a whole number (0: no limit), not '%s'",
                               edges);
    if (size != NULL && !parse_size(&opts.width, &opts.height, size))
        return cli_usage_error("draw", "--size takes W,H in inches (positive), not '%s'", size);
    if (dpi != NULL) {
        unsigned long long d;
        if ((rc = cli_parse_whole(&d, dpi, 1, 2400, "draw",
                                  "--dpi takes a whole number from 1 to 2400, not '%s'")) != CLI_OK)
            return rc;
        if (lump_viz_format_from_path(out) != LUMP_VIZ_PNG)
            return cli_usage_error("draw", "--dpi is for .png figures (SVG, PDF and DOT scale "
                                           "without loss)");
        opts.dpi = (double)d;
    }
    if (opts.font[0] == '\0')
        return cli_usage_error("draw", "--font needs a font family name");
    if (lump_viz_format_from_path(out) == LUMP_VIZ_AUTO)
        return cli_fail(lump_error_set(LUMP_EUSAGE,
                                       "%s: unknown figure format (the extension must be "
                                       ".svg, .pdf, .png or .dot)",
                                       out));
    {
        const cli_file_t fin[] = {{path, "the network"}, {cert, "--cert"}, {box, "--box"}},
                         fout[] = {{out, "-o"}};
        if ((rc = cli_check_files("draw", fin, 3, fout, 1)) != CLI_OK)
            return rc;
    }
    if (title == NULL) {
        title_buf = default_title(path);
        title = title_buf;
    }
    opts.title = title;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_box_cert_init(&C);
    lump_box_init(&bx);
    err = lump_net_read(&net, path);
    if (err != LUMP_OK) { /* a convolutional network: channel level */
        cli_graph_draw_t d = {path, out, cert, reduce, eps != NULL, json, md};
        rc = cli_graph_draw(&d, &opts, err);
        err = LUMP_OK;
        goto cleanup;
    }
    if (eps != NULL) {
        LUMP_CHECK(cli_box_parse(&bx, box, &net, path));
        LUMP_CHECK(lump_relax(&q, &L, &net, &bx, e, centre));
        snprintf(lname, sizeof lname, "ε-lumping, ε = %s, %s centres", eps,
                 centre == LUMP_CENTRE_LP ? "LP" : "mean");
        opts.lumping_name = lname;
    } else if (reduce) {
        LUMP_CHECK(lump_partition_coarsest(&L, &net, md, 0));
        LUMP_CHECK(lump_quotient(&q, &net, &L));
    } else if (cert != NULL) {
        lump_verdict_t valid = LUMP_FALSE;
        char why[512] = "";
        int is_box = 0;
        LUMP_CHECK(read_cert(&L, &C, &is_box, cert));
        if (is_box) {
            err = box_lumping(&L, &q, &cause, &valid, why, sizeof why, &net, &C);
            opts.cause = cause;
            opts.lumping_name = "reduction on the certificate's box";
        } else {
            err = lump_quotient(&q, &net, &L);
            if (err == LUMP_OK)
                err = lump_cert_check(&valid, why, sizeof why, &net, &q, &L);
        }
        if (err != LUMP_OK) {
            lump_error_prefix(err, "%s does not fit %s", cert, path);
            goto cleanup;
        }
        if (valid != LUMP_TRUE) {
            fprintf(stderr,
                    "lumpnet: %s is not a valid %s of %s (%s); nothing drawn "
                    "(see 'lumpnet check')\n",
                    cert, is_box ? "box reduction" : "lumping", path, why);
            rc = CLI_NEGATIVE;
            goto cleanup;
        }
    }
    err = lump_viz_draw(out, &net, sources > 0 ? &L : NULL, sources > 0 ? &q : NULL, &opts);
    if (err != LUMP_OK) {
        if (cert != NULL && err == LUMP_EINPUT)
            lump_error_prefix(err, "%s", cert);
        goto cleanup;
    }
    if (json) {
        json_t *j = cli_report_new("draw");
        cli_report_net(j, path, &net);
        cli_report_path(j, "output", out);
        json_object_set_new(j, "drawn", json_string(eps != NULL ? "eps"
                                                    : reduce    ? "reduce"
                                                    : cert      ? "cert"
                                                                : "network"));
        cli_report_path(j, "certificate", cert);
        cli_report_path(j, "box", box);
        json_object_set_new(j, "nodes", cli_report_size(opts.nodes));
        json_object_set_new(j, "edges", cli_report_size(opts.edges));
        rc = cli_report_print(j);
    } else {
        printf("wrote %s (%zu nodes, %zu edges)\n", out, opts.nodes, opts.edges);
    }
cleanup:
    lump_box_clear(&bx);
    lump_box_cert_clear(&C);
    free(cause);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    free(title_buf);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
