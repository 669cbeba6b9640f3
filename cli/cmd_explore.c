/* cmd_explore.c -- `lumpnet explore`: sweep epsilon and compare the relaxed
 * quotients with magnitude pruning at the same neuron budget and at the
 * same parameter budget (the sweep is lump_explore_run, the plot plot.c) */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "lumpnet/data.h"
#include "lumpnet/alloc.h"

typedef lump_explore_row_t row_t;
typedef lump_explore_t table_t;

typedef cli_explore_save_t save_t;

/* cli_explore_save_close -- see cli.h. A sweep that fails leaves no
 * partial output. */
void cli_explore_save_close(save_t *s, lump_error_t err)
{
    for (size_t i = 0; i < s->n; i++) {
        if (err != LUMP_OK && s->file[i] != NULL)
            unlink(s->file[i]);
        if (err != LUMP_OK && s->cert[i] != NULL)
            unlink(s->cert[i]);
        free(s->file[i]);
        free(s->cert[i]);
    }
    if (err != LUMP_OK && s->made_dir)
        rmdir(s->dir);
    free(s->file);
    free(s->cert);
    memset(s, 0, sizeof *s);
}

static lump_error_t write_cert(FILE *f, void *ctx)
{
    return lump_cert_write(f, ctx);
}

/* cli_explore_save_file -- see cli.h. */
lump_error_t cli_explore_save_file(save_t *s, const lump_explore_t *t, size_t row,
                                   lump_error_t (*write)(const char *path, const void *net),
                                   const void *net)
{
    const row_t *r = &t->rows[row];
    lump_error_t err;
    char eps[64] = "", *path;
    size_t len;
    if (s->n == s->cap) {
        s->cap = s->cap * 2 + 16;
        s->file = lump_realloc_array(s->file, s->cap, sizeof *s->file);
        s->cert = lump_realloc_array(s->cert, s->cap, sizeof *s->cert);
    }
    s->file[s->n] = s->cert[s->n] = NULL;
    s->n++;
    if (!isnan(r->eps))
        snprintf(eps, sizeof eps, "_eps%g", r->eps);
    len = strlen(s->dir) + strlen(r->method) + strlen(eps) + 64;
    path = lump_alloc(len);
    snprintf(path, len, "%s/row%02zu_%s%s.%s", s->dir, row, r->method, eps, s->ext);
    err = write(path, net);
    if (err != LUMP_OK) {
        free(path);
        return err;
    }
    s->file[s->n - 1] = path;
    return LUMP_OK;
}

static lump_error_t write_net(const char *path, const void *net)
{
    lump_write_opts_t wo;
    lump_write_opts_init(&wo);
    return lump_net_write(path, net, &wo);
}

/* The explore hook of --save: write row ROW's network G and, when L is an
 * exact lumping of the original that the independent checker confirms (a
 * box-guided row at epsilon 0), its certificate beside it as .cert.json. */
static lump_error_t save_row(void *ctx, const lump_explore_t *t, size_t row, const lump_net_t *g,
                             const lump_lumping_t *L)
{
    save_t *s = ctx;
    const row_t *r = &t->rows[row];
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(cli_explore_save_file(s, t, row, write_net, g));
    if (L != NULL && !s->calib && r->eps == 0 && strcmp(r->method, "lumpnet") == 0) {
        lump_verdict_t valid = LUMP_FALSE;
        char why[256];
        LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, s->f, g, L));
        if (valid == LUMP_TRUE) {
            /* rowNN_lumpnet_eps0.EXT -> rowNN_lumpnet_eps0.cert.json */
            const char *file = s->file[s->n - 1];
            size_t stem = strlen(file) - strlen(s->ext) - 1;
            char *cp = lump_alloc(stem + 16);
            snprintf(cp, stem + 16, "%.*s.cert.json", (int)stem, file);
            err = lump_io_write_atomic(cp, write_cert, (void *)L);
            if (err != LUMP_OK) {
                free(cp);
                return err;
            }
            s->cert[s->n - 1] = cp;
        }
    }
cleanup:
    return err;
}

/* cli_explore_save_open -- see cli.h. */
lump_error_t cli_explore_save_open(save_t *s, const cli_explore_args_t *a)
{
    struct stat st;
    const char *dot = strrchr(a->path, '.');
    memset(s, 0, sizeof *s);
    s->dir = a->save;
    s->ext = dot != NULL && lump_format_from_path(a->path) != LUMP_FORMAT_UNKNOWN ? dot + 1
                                                                                 : "json";
    if (stat(s->dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return lump_error_set(LUMP_EUSAGE, "--save %s: not a folder", s->dir);
        return LUMP_OK;
    }
    if (mkdir(s->dir, 0777) != 0)
        return lump_error_set(LUMP_EUSAGE, "--save %s: cannot make the folder (%s)", s->dir,
                              strerror(errno));
    s->made_dir = 1;
    return LUMP_OK;
}

/* The save state that write_csv reads (NULL without --save). */
static const save_t *csv_save;

/* PATH as a CSV field: quoted when it holds a comma, a quote or a line
 * break (RFC 4180). */
static void put_path(FILE *f, const char *p)
{
    if (p == NULL)
        return;
    if (strpbrk(p, ",\"\r\n") == NULL) {
        fputs(p, f);
        return;
    }
    fputc('"', f);
    for (; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* An empty field for NaN, else the number (inf and -inf spelled out). */
static void put_num(FILE *f, double x)
{
    if (isnan(x))
        return; /* an empty field */
    if (isinf(x))
        fputs(x > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.6g", x);
}

/* The table as CSV: one line per row, per-output columns last. */
static lump_error_t write_csv(FILE *f, void *ctx)
{
    const table_t *t = ctx;
    fputs("method,eps,neurons,params,certified,bound,observed,accuracy,agreement,"
          "bound_seconds,calib_deviation",
          f);
    if (csv_save != NULL)
        fputs(",file,cert", f);
    for (size_t j = 0; j < t->nout; j++)
        fprintf(f, ",bound_%zu", j);
    for (size_t j = 0; j < t->nout; j++)
        fprintf(f, ",observed_%zu", j);
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        fprintf(f, "%s,", r->method);
        if (!isnan(r->eps))
            fprintf(f, "%.6g", r->eps);
        fprintf(f, ",%zu,%zu,%s,", r->neurons, r->params, r->certified ? "true" : "false");
        put_num(f, r->bmax);
        fputc(',', f);
        put_num(f, r->omax);
        fputc(',', f);
        put_num(f, r->acc);
        fputc(',', f);
        put_num(f, r->agree);
        fputc(',', f);
        fprintf(f, "%.3f,", r->seconds);
        put_num(f, r->cdev);
        if (csv_save != NULL) {
            fputc(',', f);
            put_path(f, i < csv_save->n ? csv_save->file[i] : NULL);
            fputc(',', f);
            put_path(f, i < csv_save->n ? csv_save->cert[i] : NULL);
        }
        for (size_t j = 0; j < t->nout; j++) {
            fputc(',', f);
            put_num(f, r->bound[j]);
        }
        for (size_t j = 0; j < t->nout; j++) {
            fputc(',', f);
            put_num(f, r->observed[j]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? lump_error_set(LUMP_EIO, "write failed") : LUMP_OK;
}

/* --eps-list e1,e2,...: finite numbers >= 0. */
static lump_error_t parse_eps_list(double **eps, size_t *n, const char *s)
{
    size_t cap = 1;
    const char *p = s;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    *eps = lump_alloc_array(cap, sizeof **eps);
    *n = 0;
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || (*end != ',' && *end != '\0') || !isfinite(x) || x < 0)
            return lump_error_set(LUMP_EUSAGE,
                                  "--eps-list: value %zu is not a finite number >= 0 "
                                  "(give e1,e2,...)",
                                  *n + 1);
        (*eps)[(*n)++] = x;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    return LUMP_OK;
}

/* Write the CSV and, when PLOT_OUT is given, the plot: both or neither, so
 * that a plot that fails takes its table with it. */
static lump_error_t write_outputs(const char *csv, const char *plot_out, const table_t *tab,
                                  int calib)
{
    cli_plot_t c = {plot_out, tab, calib};
    lump_io_output_t o[2] = {{csv, write_csv, (void *)tab}, {plot_out, cli_plot_write, &c}};
    return lump_io_write_all(o, plot_out != NULL ? 2 : 1);
}

/* The table on standard output, for people. */
static void print_table(const table_t *t)
{
    printf("%-12s %10s %8s %8s %10s %10s %7s", "method", "eps", "neurons", "params", "bound",
           "observed", "ratio");
    if (t->with_data)
        printf(" %9s %9s", "accuracy", "agreement");
    printf("\n");
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        char e[32] = "-";
        if (!isnan(r->eps))
            snprintf(e, sizeof e, "%.4g", r->eps);
        printf("%-12s %10s %8zu %8zu %10.4g%s %10.4g %7.3g", r->method, e, r->neurons, r->params,
               r->bmax, r->certified ? " " : "?", r->omax, r->omax > 0 ? r->bmax / r->omax : NAN);
        if (t->with_data)
            printf(" %9.4f %9.4f", r->acc, r->agree);
        printf("\n");
    }
}

/* The table as the rows of the --json report: the CSV's columns, the
 * per-output bounds and observed errors as lists, null where empty. */
static json_t *rows_json(const table_t *t)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        json_t *o = json_object(), *b = json_array(), *ob = json_array();
        json_object_set_new(o, "method", json_string(r->method));
        json_object_set_new(o, "eps", cli_report_num(r->eps));
        json_object_set_new(o, "neurons", cli_report_size(r->neurons));
        json_object_set_new(o, "params", cli_report_size(r->params));
        json_object_set_new(o, "certified", json_boolean(r->certified));
        json_object_set_new(o, "bound", cli_report_num(r->bmax));
        json_object_set_new(o, "observed", cli_report_num(r->omax));
        json_object_set_new(o, "accuracy", cli_report_num(t->with_data ? r->acc : NAN));
        json_object_set_new(o, "agreement", cli_report_num(t->with_data ? r->agree : NAN));
        json_object_set_new(o, "bound_seconds", json_real(r->seconds));
        json_object_set_new(o, "calib_deviation", cli_report_num(r->cdev));
        for (size_t j = 0; j < t->nout; j++) {
            json_array_append_new(b, cli_report_num(r->bound[j]));
            json_array_append_new(ob, cli_report_num(r->observed[j]));
        }
        json_object_set_new(o, "bound_per_output", b);
        json_object_set_new(o, "observed_per_output", ob);
        if (csv_save != NULL && i < csv_save->n) {
            json_object_set_new(o, "file", csv_save->file[i] != NULL
                                               ? json_string(csv_save->file[i])
                                               : json_null());
            json_object_set_new(o, "cert", csv_save->cert[i] != NULL
                                               ? json_string(csv_save->cert[i])
                                               : json_null());
        }
        json_array_append_new(rows, o);
    }
    return rows;
}

/* cli_explore_data -- see cli.h. */
lump_error_t cli_explore_data(lump_data_t *d, const cli_explore_args_t *a, size_t n_inputs,
                              size_t n_outputs)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_data_read(d, a->data));
    if (d->width != n_inputs) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: the data rows have %zu features, the network %s has %zu "
                             "inputs",
                             a->data, d->width, a->path, n_inputs);
        goto cleanup;
    }
    for (size_t i = 0; i < d->n; i++)
        if ((size_t)d->y[i] >= n_outputs) {
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: row %zu: label %ld is not an output of %s (0..%zu)",
                                 a->data, i + 1, d->y[i], a->path, n_outputs - 1);
            goto cleanup;
        }
cleanup:
    return err;
}

/* cli_explore_report -- see cli.h. */
lump_error_t cli_explore_report(int *rc, const cli_explore_args_t *a, const lump_explore_t *tab,
                                const cli_explore_save_t *save, json_t *head, size_t neurons)
{
    lump_error_t err = LUMP_OK;
    const char *plot = a->plot;
    json_t *j = cli_report_new("explore");
    json_object_update(j, head);
    json_decref(head);
    csv_save = save;
    *rc = CLI_OK;
    LUMP_CHECK(write_outputs(a->csv, plot, tab, a->calib != NULL));
    if (a->table != CLI_TABLE_NONE) {
        static const cli_col_t cols[] = {
            {"method", "method", 0},     {"eps", "eps", 0}, {"neurons", "neurons", 0},
            {"params", "params", 0},     {"bound", "bound", 0},        {"observed", "observed", 0},
            {"accuracy", "accuracy", 0}, {"agreement", "agreement", 0}};
        json_object_set_new(j, "rows", rows_json(tab));
        *rc = cli_table_print(j, "rows", cols, CLI_COUNT(cols), a->table, 0);
        j = NULL;
    } else if (a->json) {
        cli_report_path(j, "box", a->box);
        cli_report_path(j, "data", a->data);
        cli_report_path(j, "calib", a->calib);
        cli_report_path(j, "csv", a->csv);
        cli_report_path(j, "plot", plot);
        json_object_set_new(j, "rows", rows_json(tab));
        *rc = cli_report_print(j);
        j = NULL;
    } else {
        print_table(tab);
        printf("wrote %s%s%s\n", a->csv, plot ? " and " : "", plot ? plot : "");
        if (save != NULL)
            printf("saved the %zu rows' networks in %s (column 'file' of the CSV)\n", save->n,
                   save->dir);
    }
    cli_summary("%zu epsilon values from %zu neurons, wrote %s%s%s", tab->neps, neurons, a->csv,
                plot ? " and " : "", plot ? plot : "");
cleanup:
    json_decref(j);
    csv_save = NULL;
    return err;
}

/* Parse the command line into A (its epsilon list in *EPS, to free).
 * Returns the exit code: CLI_OK to go on. */
static int parse_args(cli_explore_args_t *a, double **eps, int argc, char **argv)
{
    const char *list_arg = NULL, *steps_arg = NULL, *samples_arg = NULL, *table_arg = NULL;
    int m, lp_on = 0, lp_off = 0;
    const cli_opt_t opt[] = {{"--box", &a->box, NULL},
                             {"--json", NULL, &a->json},
                             {"--data", &a->data, NULL},
                             {"--csv", &a->csv, NULL},
                             {"--plot", &a->plot, NULL},
                             {"--eps-list", &list_arg, NULL},
                             {"--steps", &steps_arg, NULL},
                             CLI_OPTS_CENTRE(&a->centre),
                             {"--samples", &samples_arg, NULL},
                             {"--calib", &a->calib, NULL},
                             {"--table", &table_arg, NULL},
                             {"--lp", NULL, &lp_on},
                             {"--no-lp", NULL, &lp_off},
                             {"--save", &a->save, NULL}};
    memset(a, 0, sizeof *a);
    a->steps = 10;
    a->samples = 1000;
    a->centre_kind = LUMP_CENTRE_MEAN;
    *eps = NULL;
    if ((m = cli_parse_one(&a->path, argc, argv, "explore", opt, CLI_COUNT(opt))) != CLI_OK)
        return m;
    if (a->path == NULL || a->box == NULL || a->csv == NULL)
        return cli_usage_error("explore", "needs NET, --box BOX and --csv OUT.csv");
    if ((m = cli_table_parse(&a->table, table_arg, a->json, "explore")) != CLI_OK)
        return m;
    if (lp_on && lp_off)
        return cli_usage_error("explore", "give --lp or --no-lp, not both");
    a->lp = lp_on ? 1 : (lp_off ? 0 : -1);
    if (list_arg != NULL && steps_arg != NULL)
        return cli_usage_error("explore", "give --eps-list or --steps, not both");
    if (cli_parse_size(&a->steps, steps_arg, 1, 1000, "explore",
                       "--steps needs a whole number in 1..1000, not '%s'") != CLI_OK ||
        cli_parse_size(&a->samples, samples_arg, 1, 100000000ULL, "explore",
                       "--samples needs a whole number >= 1, not '%s'") != CLI_OK)
        return CLI_BAD;
    if (cli_parse_centre(&a->centre_kind, a->centre, a->calib, "explore") != CLI_OK)
        return CLI_BAD;
    if (a->plot != NULL) {
        if (!cli_ends_with(a->plot, ".svg") && !cli_ends_with(a->plot, ".pdf"))
            return cli_usage_error("explore", "--plot must end in .svg or .pdf, not '%s'",
                                   a->plot);
        if (!cli_have_gnuplot())
            return cli_fail(lump_error_set(LUMP_EUNSUPPORTED,
                                           "%s: gnuplot is not installed (Debian: "
                                           "gnuplot-nox), so the plot cannot be drawn; "
                                           "run without --plot for the CSV alone",
                                           a->plot));
    }
    if (!cli_ends_with(a->csv, ".csv"))
        return cli_usage_error("explore", "--csv must end in .csv, not '%s'", a->csv);
    {
        /* --data X.npy,y.npy names two files */
        const char *data_arg = a->data, *comma = data_arg != NULL ? strchr(data_arg, ',') : NULL;
        /* X.npy alone: the copy cut at the comma */
        char *xnpy = comma != NULL ? lump_strdup(data_arg) : NULL;
        if (xnpy != NULL)
            xnpy[comma - data_arg] = '\0';
        const cli_file_t fin[] = {{a->path, "the network"},
                                  {a->box, "--box"},
                                  {comma != NULL ? xnpy : data_arg, "--data"},
                                  {comma != NULL ? comma + 1 : NULL, "--data"},
                                  {a->calib, "--calib"}},
                         fout[] = {{a->csv, "--csv"}, {a->plot, "--plot"}};
        m = cli_check_files("explore", fin, CLI_COUNT(fin), fout, CLI_COUNT(fout));
        free(xnpy);
        if (m != CLI_OK)
            return m;
    }
    if (list_arg != NULL) {
        lump_error_t err = parse_eps_list(eps, &a->neps, list_arg);
        a->eps = *eps;
        if (err != LUMP_OK)
            return cli_fail(err);
    }
    return CLI_OK;
}

int cli_cmd_explore(int argc, char **argv)
{
    cli_explore_args_t a;
    int rc = CLI_OK;
    double *eps = NULL, *cx = NULL;
    size_t ncx = 0, nout;
    lump_calib_t *run = NULL;
    lump_net_t net;
    lump_box_t box;
    lump_data_t data;
    table_t tab;
    lump_explore_opts_t eo;
    lump_error_t err = LUMP_OK;
    save_t save;
    json_t *head;
    if ((rc = parse_args(&a, &eps, argc, argv)) != CLI_OK) {
        free(eps);
        return rc;
    }
    memset(&save, 0, sizeof save);
    lump_net_init(&net);
    lump_box_init(&box);
    lump_data_init(&data);
    lump_explore_init(&tab);
    err = lump_net_read(&net, a.path);
    if (err != LUMP_OK) {
        /* a convolutional or residual network: the graph model's explore */
        rc = cli_graph_explore(&a, err);
        err = LUMP_OK;
        goto cleanup;
    }
    nout = lump_net_n_outputs(&net);
    err = cli_box_parse(&box, a.box, &net, a.path);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    if (a.data != NULL)
        LUMP_CHECK(cli_explore_data(&data, &a, net.n_inputs, nout));
    if (a.calib != NULL) {
        double emax = eps == NULL ? HUGE_VAL : 0;
        for (size_t k = 0; k < a.neps; k++)
            if (eps[k] > emax)
                emax = eps[k];
        LUMP_CHECK(cli_read_calib(&cx, &ncx, a.calib, &net));
        LUMP_CHECK(lump_calib_run(&run, &net, cx, ncx, emax));
    }
    lump_explore_opts_init(&eo);
    eo.eps = eps;
    eo.neps = a.neps;
    eo.steps = a.steps;
    eo.centre = a.centre_kind;
    eo.samples = a.samples;
    eo.data = a.data != NULL ? &data : NULL;
    eo.calib = run;
    eo.lp = a.lp;
    if (a.save != NULL) {
        LUMP_CHECK(cli_explore_save_open(&save, &a));
        save.f = &net;
        save.calib = run != NULL;
        eo.hook = save_row;
        eo.hook_ctx = &save;
    }
    err = lump_explore_run(&tab, &net, &box, &eo);
    if (err == LUMP_EUNSUPPORTED) /* a quotient beyond double: name the network, as relax does */
        lump_error_prefix(err, "%s", a.path);
    LUMP_CHECK(err);
    head = json_object();
    cli_report_net(head, a.path, &net);
    LUMP_CHECK(cli_explore_report(&rc, &a, &tab, a.save != NULL ? &save : NULL, head,
                                  lump_net_neurons(&net)));
cleanup:
    cli_explore_save_close(&save, err);
    lump_explore_clear(&tab);
    lump_calib_free(run);
    free(cx);
    free(eps);
    lump_data_clear(&data);
    lump_box_clear(&box);
    lump_net_clear(&net);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
