/* plot.c -- the plot of `lumpnet explore`, drawn by gnuplot through a
 * pipe: bound and observed error against parameters, and accuracy */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "lumpnet/alloc.h"

/* cli_have_gnuplot -- see cli.h. */
int cli_have_gnuplot(void)
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

/* cli_ends_with -- see cli.h. */
int cli_ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

/* Rows of one method by increasing parameters (ties: table order). */
static int by_params(const void *pa, const void *pb)
{
    const lump_explore_row_t *a = *(const lump_explore_row_t *const *)pa, *b = *(const lump_explore_row_t *const *)pb;
    if (a->params != b->params)
        return a->params < b->params ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Whether T has a row of METHOD: a series without rows is not drawn (the
 * explore of a convolutional network has no neuron-budget pruning). */
static int has_rows(const lump_explore_t *t, const char *method)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].method, method) == 0)
            return 1;
    return 0;
}

/* The gnuplot data block $NAME: params, bound, observed, accuracy and the
 * epsilon label of the rows of METHOD, by increasing parameters (so the
 * lines connect them); NaN for a value that is missing or cannot go on a
 * log scale. */
static lump_error_t gp_block(FILE *gp, const lump_explore_t *t, const char *method, const char *name)
{
    const lump_explore_row_t **v = lump_alloc_array(t->n + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].method, method) == 0)
            v[k++] = &t->rows[i];
    qsort(v, k, sizeof *v, by_params);
    fprintf(gp, "$%s << EOD\n", name);
    for (size_t i = 0; i < k; i++) {
        double b = v[i]->bmax, o = v[i]->omax;
        fprintf(gp, "%zu %.9g %.9g %.9g ", v[i]->params, isfinite(b) && b > 0 ? b : NAN,
                isfinite(o) && o > 0 ? o : NAN, v[i]->acc);
        if (isfinite(v[i]->eps))
            fprintf(gp, "\"ε=%.3g\"\n", v[i]->eps);
        else
            fputs("\"\"\n", gp);
    }
    fputs("EOD\n", gp);
    free(v);
    return LUMP_OK;
}

/* The range of the shared parameter axis: all rows, with a margin of a
 * tenth of a decade on the log scale. */
static void params_range(const lump_explore_t *t, double *lo, double *hi)
{
    *lo = HUGE_VAL;
    *hi = 0;
    for (size_t i = 0; i < t->n; i++) {
        double p = (double)t->rows[i].params;
        if (p > 0 && p < *lo)
            *lo = p;
        if (p > *hi)
            *hi = p;
    }
    if (!(*hi > 0)) {
        *lo = 1;
        *hi = 10;
    }
    *lo /= 1.26;
    *hi *= 1.26;
}

/* Draw the table with gnuplot, which writes to standard output: here the
 * temporary file that lump_io_write_atomic renames over OUT on success (and
 * removes on failure or on a signal). The data go in as inline blocks, one
 * per method, so gnuplot never reads a file of ours. */
lump_error_t cli_plot_write(FILE *f, void *arg)
{
    lump_error_t err = LUMP_OK;
    const cli_plot_t *c = arg;
    const int with_data = c->tab->with_data;
    const char *series[4] = {"lumpnet", "prune", "prune_params", "original"};
    const char *title[4] = {c->calib ? "lumpnet (calibrated)" : "lumpnet", "pruning, same neurons",
                            "pruning, same parameters", "original"};
    const int colour[4] = {0x0072b2, 0xd55e00, 0x009e73, 0x000000};
    char cmd[64];
    double xlo, xhi;
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
    /* an opaque white page (a transparent one turns black in some viewers
     * and slides); both panels share one logarithmic parameter axis, as
     * the sizes span decades and a linear axis crowds the small ones */
    if (cli_ends_with(c->out, ".pdf"))
        fprintf(gp, "set terminal pdfcairo size %s font 'sans,9' background rgb 'white'\n",
                with_data ? "10in,4.2in" : "5.5in,4.2in");
    else
        fprintf(gp, "set terminal svg size %s dynamic font 'sans,12' background rgb 'white'\n",
                with_data ? "1200,540" : "640,540");
    params_range(c->tab, &xlo, &xhi);
    fprintf(gp, "set logscale x\nset xrange [%.9g:%.9g]\n", xlo, xhi);
    /* the key in a row under the panels, below the axis label: it never
     * covers a point */
    fputs("set grid\nset xlabel 'parameters (log scale)'\n"
          "set key outside below center horizontal maxrows 2\n"
          "set bmargin 7\n",
          gp);
    fprintf(gp, "set multiplot layout 1,%d\n", with_data ? 2 : 1);
    fputs("set logscale y\nset ylabel 'max_j |f_j - g_j| over the box'\n"
          "set title 'certified bound (solid), observed error (dashed)'\nplot ",
          gp);
    for (int s = 0, first = 1; s < 3; s++)
        for (int k = 0; k < 2 && has_rows(c->tab, series[s]); k++, first = 0) {
            if (!first)
                fputs(", \\\n  ", gp);
            fprintf(gp,
                    "$d%d using 1:%d with linespoints lw 2 dt %d pt %d ps 0.8 lc rgb '#%06x' "
                    "title '%s'",
                    s, k + 2, k + 1, 7 + 2 * s, colour[s], k == 0 ? title[s] : "");
        }
    /* each lumpnet point says its epsilon */
    fputs(", \\\n  $d0 using 1:2:5 with labels offset char 0,0.8 font ',8' tc rgb '#0072b2' "
          "notitle\nunset logscale y\n",
          gp);
    if (with_data) {
        fputs("set ylabel 'test accuracy'\nset title 'accuracy (no retraining)'\n"
              "set yrange [0:1]\nplot ",
              gp);
        for (int s = 0, first = 1; s < 4; s++) {
            if (!has_rows(c->tab, series[s]))
                continue;
            if (!first)
                fputs(", \\\n  ", gp);
            first = 0;
            if (s < 3)
                fprintf(gp, "$d%d using 1:4 with linespoints lw 2 pt %d ps 0.8", s, 7 + 2 * s);
            else
                fprintf(gp, "$d%d using 1:4 with points pt 5 ps 1.2", s);
            fprintf(gp, " lc rgb '#%06x' title '%s'", colour[s], title[s]);
        }
        fputs(", \\\n  $d0 using 1:4:5 with labels offset char 0,-0.9 font ',8' "
              "tc rgb '#0072b2' notitle\n",
              gp);
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

