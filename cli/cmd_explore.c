/* cmd_explore.c -- `lumpnet explore`: sweep epsilon and compare the relaxed
 * quotients with magnitude pruning at the same neuron budget and at the
 * same parameter budget */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "lumpnet/data.h"

/* One row of the table. */
typedef struct {
    const char *method; /* "original", "lumpnet", "prune" or "prune_params" */
    double eps;         /* NAN for the original */
    double cdev;        /* lumpnet --calib: deviation on the points; else NAN */
    size_t neurons, params;
    int certified;
    double *bound, *observed; /* per output */
    double bmax, omax, acc, agree, seconds;
} row_t;

typedef struct {
    row_t *rows;
    size_t n, cap, nout;
    int with_data;
} table_t;

static void table_clear(table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].bound);
        free(t->rows[i].observed);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static lump_error_t table_add(row_t **r, table_t *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap * 2 + 8;
        row_t *p = realloc(t->rows, cap * sizeof *p);
        if (p == NULL)
            return lump_error_set(LUMP_ENOMEM, "explore: out of memory");
        t->rows = p;
        t->cap = cap;
    }
    *r = &t->rows[t->n];
    memset(*r, 0, sizeof **r);
    (*r)->bound = calloc(t->nout + 1, sizeof *(*r)->bound);
    (*r)->observed = calloc(t->nout + 1, sizeof *(*r)->observed);
    t->n++;
    if ((*r)->bound == NULL || (*r)->observed == NULL)
        return lump_error_set(LUMP_ENOMEM, "explore: out of memory");
    (*r)->acc = (*r)->agree = (*r)->cdev = NAN;
    return LUMP_OK;
}

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
    double *y = malloc((nout + 1) * sizeof *y);
    if (y == NULL)
        return lump_error_set(LUMP_ENOMEM, "explore: out of memory");
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
} ctx_t;

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
    lump_bound_result_init(&br);
    r->neurons = lump_net_neurons(g);
    r->params = lump_net_params(g);
    LUMP_CHECK(lump_bound_diff_lumped(&br, c->f, g, L, c->box, &o));
    LUMP_CHECK(lump_max_error_sampled(r->observed, c->f, g, c->box, c->samples, 1));
    r->certified = br.certified;
    r->seconds = br.seconds;
    r->bmax = r->omax = 0;
    for (size_t j = 0; j < nout; j++) {
        r->bound[j] = br.bound[j];
        if (!(br.bound[j] <= r->bmax))
            r->bmax = br.bound[j];
        if (r->observed[j] > r->omax)
            r->omax = r->observed[j];
    }
    if (c->data != NULL) {
        size_t ok = 0, same = 0;
        LUMP_CHECK(predict(c->gcls, g, c->data));
        for (size_t i = 0; i < c->data->n; i++) {
            ok += (long)c->gcls[i] == c->data->y[i];
            same += c->gcls[i] == c->fcls[i];
        }
        r->acc = (double)ok / (double)c->data->n;
        r->agree = (double)same / (double)c->data->n;
    }
cleanup:
    lump_progress_end(lv);
    lump_bound_result_clear(&br);
    return err;
}

static void put_num(FILE *f, double x)
{
    if (isnan(x))
        return; /* an empty field */
    if (isinf(x))
        fputs(x > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.6g", x);
}

static lump_error_t write_csv(FILE *f, void *ctx)
{
    const table_t *t = ctx;
    fputs("method,eps,neurons,params,certified,bound,observed,accuracy,agreement,"
          "bound_seconds,calib_deviation",
          f);
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

/* ---- the epsilon grid ---------------------------------------------------- */

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
    double top = 0, pe[NPROBE], lo = -1, hi = -1;
    size_t ph[NPROBE], hmin = (size_t)-1, lv = 0;
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
        if (ph[k] < hmin)
            hmin = ph[k];
    }
    for (size_t k = 0; k < NPROBE; k++) {
        if (lo < 0 && ph[k] < ph[0])
            lo = pe[k > 0 ? k - 1 : 0];
        if (hi < 0 && ph[k] == hmin)
            hi = pe[k];
    }
    if (lo < 0 || hi <= lo) { /* nothing merges, or all at once */
        hi = top;
        lo = top * 1e-3;
    }
    for (size_t k = 0; k < steps; k++)
        eps[k] = steps == 1 ? hi : lo * pow(hi / lo, (double)k / (double)(steps - 1));
cleanup:
    lump_progress_end(lv);
    lump_net_clear(&g);
    lump_bounds_clear(&bd);
    return err;
}

static lump_error_t parse_eps_list(double **eps, size_t *n, const char *s)
{
    size_t cap = 1;
    const char *p = s;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    *eps = malloc(cap * sizeof **eps);
    if (*eps == NULL)
        return lump_error_set(LUMP_ENOMEM, "explore: out of memory");
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

/* ---- the plot ------------------------------------------------------------ */

static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    if (path == NULL)
        return 0;
    while (*path) {
        const char *e = strchr(path, ':');
        size_t n = e ? (size_t)(e - path) : strlen(path);
        if (n > 0 && n + 9 < sizeof buf) {
            memcpy(buf, path, n);
            memcpy(buf + n, "/gnuplot", 9);
            if (access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (e != NULL);
    }
    return 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

typedef struct {
    const char *out;
    const table_t *tab;
    int calib;
} plot_ctx_t;

/* Rows of one method by increasing parameters (ties: table order). */
static int by_params(const void *pa, const void *pb)
{
    const row_t *a = *(const row_t *const *)pa, *b = *(const row_t *const *)pb;
    if (a->params != b->params)
        return a->params < b->params ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* The gnuplot data block $NAME: params, bound, observed, accuracy of the
 * rows of METHOD, by increasing parameters (so the lines connect them);
 * NaN for a value that is missing or cannot go on a log scale. */
static lump_error_t gp_block(FILE *gp, const table_t *t, const char *method, const char *name)
{
    const row_t **v = malloc((t->n + 1) * sizeof *v);
    size_t k = 0;
    if (v == NULL)
        return lump_error_set(LUMP_ENOMEM, "explore: out of memory");
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].method, method) == 0)
            v[k++] = &t->rows[i];
    qsort(v, k, sizeof *v, by_params);
    fprintf(gp, "$%s << EOD\n", name);
    for (size_t i = 0; i < k; i++) {
        double b = v[i]->bmax, o = v[i]->omax;
        fprintf(gp, "%zu %.9g %.9g %.9g\n", v[i]->params, isfinite(b) && b > 0 ? b : NAN,
                isfinite(o) && o > 0 ? o : NAN, v[i]->acc);
    }
    fputs("EOD\n", gp);
    free(v);
    return LUMP_OK;
}

/* Draw the table with gnuplot, which writes to standard output: here the
 * temporary file that lump_io_write_atomic renames over OUT on success (and
 * removes on failure or on a signal). The data go in as inline blocks, one
 * per method, so gnuplot never reads a file of ours. */
static lump_error_t plot_write(FILE *f, void *arg)
{
    lump_error_t err = LUMP_OK;
    const plot_ctx_t *c = arg;
    const int with_data = c->tab->with_data;
    const char *series[4] = {"lumpnet", "prune", "prune_params", "original"};
    const char *title[4] = {c->calib ? "lumpnet (calibrated)" : "lumpnet", "pruning, same neurons",
                            "pruning, same parameters", "original"};
    const int colour[4] = {0x0072b2, 0xd55e00, 0x009e73, 0x000000};
    char cmd[64];
    FILE *gp;
    int st, fd = lump_io_fd(f);
    struct stat sb;
    struct sigaction ign, old_pipe;
    if (fd < 0)
        return lump_error_set(LUMP_EIO, "%s: %s", c->out, strerror(errno));
    fflush(NULL);
    snprintf(cmd, sizeof cmd, "gnuplot >&%d", fd);
    gp = popen(cmd, "w");
    if (gp == NULL)
        return lump_error_set(LUMP_EIO, "%s: cannot run gnuplot: %s", c->out, strerror(errno));
    /* a gnuplot that dies early (it cannot start under --max-memory, say)
     * must fail the plot with a message, not end lumpnet by SIGPIPE */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    for (int s = 0; s < 4 && err == LUMP_OK; s++) {
        char name[16];
        snprintf(name, sizeof name, "d%d", s);
        err = gp_block(gp, c->tab, series[s], name);
    }
    if (ends_with(c->out, ".pdf"))
        fprintf(gp, "set terminal pdfcairo size %s font 'sans,9'\n",
                with_data ? "10in,3.8in" : "5.5in,3.8in");
    else
        fprintf(gp, "set terminal svg size %s dynamic font 'sans,12'\n",
                with_data ? "1200,480" : "640,480");
    fputs("set grid\nset xlabel 'parameters'\nset key outside bottom center horizontal\n", gp);
    fprintf(gp, "set multiplot layout 1,%d\n", with_data ? 2 : 1);
    fputs("set logscale y\nset ylabel 'max_j |f_j - g_j| over the box'\n"
          "set title 'certified bound (solid), observed error (dashed)'\nplot ",
          gp);
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 2; k++) {
            if (s + k > 0)
                fputs(", \\\n  ", gp);
            fprintf(gp,
                    "$d%d using 1:%d with linespoints lw 2 dt %d pt %d ps 0.8 lc rgb '#%06x' "
                    "title '%s'",
                    s, k + 2, k + 1, 7 + 2 * s, colour[s], k == 0 ? title[s] : "");
        }
    fputs("\nunset logscale y\n", gp);
    if (with_data) {
        fputs("set ylabel 'test accuracy'\nset title 'accuracy (no retraining)'\n"
              "set yrange [0:1]\nplot ",
              gp);
        for (int s = 0; s < 4; s++) {
            if (s > 0)
                fputs(", \\\n  ", gp);
            if (s < 3)
                fprintf(gp, "$d%d using 1:4 with linespoints lw 2 pt %d ps 0.8", s, 7 + 2 * s);
            else
                fprintf(gp, "$d%d using 1:4 with points pt 5 ps 1.2", s);
            fprintf(gp, " lc rgb '#%06x' title '%s'", colour[s], title[s]);
        }
        fputc('\n', gp);
    }
    fputs("unset multiplot\n", gp);
    st = pclose(gp);
    sigaction(SIGPIPE, &old_pipe, NULL);
    if (err != LUMP_OK)
        return err;
    if (st != 0 || fstat(fd, &sb) != 0 || sb.st_size == 0)
        return lump_error_set(LUMP_EIO, "%s: gnuplot failed to draw the plot (status %d)", c->out,
                              st);
    return LUMP_OK;
}

/* Write the CSV and, when PLOT_OUT is given, the plot: both or neither, so
 * that a plot that fails takes its table with it. */
static lump_error_t write_outputs(const char *csv, const char *plot_out, const table_t *tab,
                                  int calib)
{
    plot_ctx_t c = {plot_out, tab, calib};
    lump_io_output_t o[2] = {{csv, write_csv, (void *)tab}, {plot_out, plot_write, &c}};
    return lump_io_write_all(o, plot_out != NULL ? 2 : 1);
}

/* EPS[0..steps) for a calibration run: the running maximum of the steps'
 * deviations at STEPS evenly spaced steps, the last one at the end of the
 * run, so that the rows spread over the sizes the run went through. */
static void calib_eps(double *eps, size_t steps, const lump_calib_t *run)
{
    size_t S = lump_calib_steps(run), t = 0;
    double mx = 0;
    for (size_t k = 0; k < steps; k++) {
        size_t upto = (size_t)ceil((double)(k + 1) * (double)S / (double)steps);
        for (; t < upto && t < S; t++)
            if (lump_calib_deviation(run, t) > mx)
                mx = lump_calib_deviation(run, t);
        eps[k] = mx;
    }
}

/* ---- the command --------------------------------------------------------- */

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
        json_array_append_new(rows, o);
    }
    return rows;
}

int cli_cmd_explore(int argc, char **argv)
{
    const char *path = NULL, *box_arg = NULL, *data_arg = NULL, *csv = NULL, *plot_arg = NULL,
               *list_arg = NULL, *steps_arg = NULL, *centre_arg = NULL, *samples_arg = NULL,
               *calib_arg = NULL;
    int m, json = 0, rc = CLI_OK;
    size_t steps = 10, neps = 0, nout, samples = 1000, lv;
    double *eps = NULL, *cx = NULL;
    size_t ncx = 0;
    lump_calib_t *run = NULL;
    lump_centre_t centre = LUMP_CENTRE_MEAN;
    lump_net_t net, g, p;
    lump_lumping_t lumping;
    lump_box_t box;
    lump_data_t data;
    table_t tab;
    ctx_t ctx;
    size_t *fcls = NULL, *gcls = NULL;
    row_t *r;
    lump_error_t err = LUMP_OK;
    const cli_opt_t opt[] = {{"--box", &box_arg, NULL},
                             {"--json", NULL, &json},
                             {"--data", &data_arg, NULL},
                             {"--csv", &csv, NULL},
                             {"--plot", &plot_arg, NULL},
                             {"--eps-list", &list_arg, NULL},
                             {"--steps", &steps_arg, NULL},
                             {"--centre", &centre_arg, NULL},
                             {"--center", &centre_arg, NULL},
                             {"--samples", &samples_arg, NULL},
                             {"--calib", &calib_arg, NULL}};
    if ((m = cli_parse(argc, argv, "explore", opt, CLI_COUNT(opt), &path, 1,
                       "one network expected, got '%s' too", 0)) != CLI_OK)
        return m;
    if (path == NULL || box_arg == NULL || csv == NULL)
        return cli_usage_error("explore", "needs NET, --box BOX and --csv OUT.csv");
    if (list_arg != NULL && steps_arg != NULL)
        return cli_usage_error("explore", "give --eps-list or --steps, not both");
    if (steps_arg != NULL) {
        unsigned long long s;
        if (cli_parse_whole(&s, steps_arg, 1, 1000, "explore",
                            "--steps needs a whole number in 1..1000, not '%s'") != CLI_OK)
            return CLI_BAD;
        steps = (size_t)s;
    }
    if (samples_arg != NULL) {
        unsigned long long s;
        if (cli_parse_whole(&s, samples_arg, 1, 100000000ULL, "explore",
                            "--samples needs a whole number >= 1, not '%s'") != CLI_OK)
            return CLI_BAD;
        samples = (size_t)s;
    }
    if (centre_arg != NULL && strcmp(centre_arg, "lp") == 0)
        centre = LUMP_CENTRE_LP;
    else if (centre_arg != NULL && strcmp(centre_arg, "mean") != 0)
        return cli_usage_error("explore", "--centre is mean or lp, not '%s'", centre_arg);
    if (calib_arg != NULL && centre_arg != NULL)
        return cli_usage_error("explore", "--centre is for box-guided lumping; --calib "
                                          "chooses its own centres");
    if (plot_arg != NULL) {
        if (!ends_with(plot_arg, ".svg") && !ends_with(plot_arg, ".pdf"))
            return cli_usage_error("explore", "--plot must end in .svg or .pdf, not '%s'",
                                   plot_arg);
        if (!have_gnuplot())
            return cli_fail(lump_error_set(LUMP_EUNSUPPORTED,
                                           "%s: gnuplot is not installed (Debian: "
                                           "gnuplot-nox), so the plot cannot be drawn; "
                                           "run without --plot for the CSV alone",
                                           plot_arg));
    }
    if (!ends_with(csv, ".csv"))
        return cli_usage_error("explore", "--csv must end in .csv, not '%s'", csv);
    {
        /* --data X.npy,y.npy names two files */
        const char *comma = data_arg != NULL ? strchr(data_arg, ',') : NULL;
        char *xnpy = comma != NULL ? strndup(data_arg, (size_t)(comma - data_arg)) : NULL;
        const cli_file_t fin[] = {{path, "the network"},
                                  {box_arg, "--box"},
                                  {comma != NULL ? xnpy : data_arg, "--data"},
                                  {comma != NULL ? comma + 1 : NULL, "--data"},
                                  {calib_arg, "--calib"}},
                         fout[] = {{csv, "--csv"}, {plot_arg, "--plot"}};
        if (comma != NULL && xnpy == NULL)
            return cli_fail(lump_error_set(LUMP_ENOMEM, "explore: out of memory"));
        m = cli_check_files("explore", fin, CLI_COUNT(fin), fout, CLI_COUNT(fout));
        free(xnpy);
        if (m != CLI_OK)
            return m;
    }
    lump_net_init(&net);
    lump_net_init(&g);
    lump_net_init(&p);
    lump_lumping_init(&lumping);
    lump_box_init(&box);
    lump_data_init(&data);
    memset(&tab, 0, sizeof tab);
    if (list_arg != NULL)
        LUMP_CHECK(parse_eps_list(&eps, &neps, list_arg));
    LUMP_CHECK(lump_net_read(&net, path));
    nout = lump_net_n_outputs(&net);
    err = lump_box_parse(&box, box_arg, net.n_inputs);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    if (data_arg != NULL) {
        LUMP_CHECK(lump_data_read(&data, data_arg));
        if (data.width != net.n_inputs) {
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: the data rows have %zu features, the network %s has %zu "
                                 "inputs",
                                 data_arg, data.width, path, net.n_inputs);
            goto cleanup;
        }
        for (size_t i = 0; i < data.n; i++)
            if ((size_t)data.y[i] >= nout) {
                err = lump_error_set(LUMP_EINPUT,
                                     "%s: row %zu: label %ld is not an output of %s (0..%zu)",
                                     data_arg, i + 1, data.y[i], path, nout - 1);
                goto cleanup;
            }
        fcls = malloc((data.n + 1) * sizeof *fcls);
        gcls = malloc((data.n + 1) * sizeof *gcls);
        if (fcls == NULL || gcls == NULL) {
            err = lump_error_set(LUMP_ENOMEM, "explore: out of memory");
            goto cleanup;
        }
        LUMP_CHECK(predict(fcls, &net, &data));
    }
    if (calib_arg != NULL) {
        double emax = eps == NULL ? HUGE_VAL : 0;
        for (size_t k = 0; k < neps; k++)
            if (eps[k] > emax)
                emax = eps[k];
        LUMP_CHECK(cli_read_calib(&cx, &ncx, calib_arg, &net));
        LUMP_CHECK(lump_calib_run(&run, &net, cx, ncx, emax));
    }
    if (eps == NULL) {
        eps = malloc(steps * sizeof *eps);
        if (eps == NULL) {
            err = lump_error_set(LUMP_ENOMEM, "explore: out of memory");
            goto cleanup;
        }
        neps = steps;
        if (run != NULL)
            calib_eps(eps, steps, run);
        else
            LUMP_CHECK(auto_eps(eps, steps, &net, &box, centre));
    }
    tab.nout = nout;
    tab.with_data = data_arg != NULL;
    ctx.f = &net;
    ctx.box = &box;
    ctx.data = data_arg != NULL ? &data : NULL;
    ctx.fcls = fcls;
    ctx.gcls = gcls;
    ctx.samples = samples;

    LUMP_CHECK(table_add(&r, &tab));
    r->method = "original";
    r->eps = NAN;
    r->certified = 1;
    r->neurons = lump_net_neurons(&net);
    r->params = lump_net_params(&net);
    if (data_arg != NULL) {
        size_t ok = 0;
        for (size_t i = 0; i < data.n; i++)
            ok += (long)fcls[i] == data.y[i];
        r->acc = (double)ok / (double)data.n;
        r->agree = 1;
    }
    lv = lump_progress_begin("eps", neps, 0);
    for (size_t k = 0; k < neps; k++) {
        double cdev = NAN;
        LUMP_CHECK(lump_progress_step(lv, k));
        if (run != NULL)
            LUMP_CHECK(lump_calib_at(&g, &lumping, &cdev, run, eps[k]));
        else
            LUMP_CHECK(lump_relax(&g, &lumping, &net, &box, eps[k], centre));
        LUMP_CHECK(table_add(&r, &tab));
        r->method = "lumpnet";
        r->eps = eps[k];
        r->cdev = cdev;
        LUMP_CHECK(fill_row(r, &ctx, &g, &lumping, nout));
        LUMP_CHECK(lump_prune_magnitude(&p, &lumping, &net, hidden_after(&g)));
        LUMP_CHECK(table_add(&r, &tab));
        r->method = "prune";
        r->eps = eps[k];
        LUMP_CHECK(fill_row(r, &ctx, &p, &lumping, nout));
        LUMP_CHECK(lump_prune_magnitude_params(&p, &lumping, &net, lump_net_params(&g)));
        LUMP_CHECK(table_add(&r, &tab));
        r->method = "prune_params";
        r->eps = eps[k];
        LUMP_CHECK(fill_row(r, &ctx, &p, &lumping, nout));
    }
    lump_progress_end(lv);
    LUMP_CHECK(write_outputs(csv, plot_arg, &tab, run != NULL));
    if (json) {
        json_t *j = cli_report_new("explore");
        cli_report_net(j, path, &net);
        cli_report_path(j, "box", box_arg);
        cli_report_path(j, "data", data_arg);
        cli_report_path(j, "calib", calib_arg);
        cli_report_path(j, "csv", csv);
        cli_report_path(j, "plot", plot_arg);
        json_object_set_new(j, "rows", rows_json(&tab));
        rc = cli_report_print(j);
    } else {
        print_table(&tab);
        printf("wrote %s%s%s\n", csv, plot_arg ? " and " : "", plot_arg ? plot_arg : "");
    }
    cli_summary("%zu epsilon values from %zu neurons, wrote %s%s%s", neps,
                lump_net_neurons(&net), csv, plot_arg ? " and " : "", plot_arg ? plot_arg : "");
cleanup:
    table_clear(&tab);
    lump_calib_free(run);
    free(cx);
    free(eps);
    free(fcls);
    free(gcls);
    lump_data_clear(&data);
    lump_box_clear(&box);
    lump_net_clear(&p);
    lump_net_clear(&g);
    lump_lumping_clear(&lumping);
    lump_net_clear(&net);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
