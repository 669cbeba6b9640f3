/* cli_progress.c -- the progress report of long commands on a terminal,
 * --quiet, and their one-line summary */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"

static const char *command_name = "lumpnet";
static int quiet;
static double t_start;
static char heading[64];

void cli_progress_start(const char *command, int q)
{
    command_name = command;
    quiet = q;
    t_start = lump_clock_seconds();
    snprintf(heading, sizeof heading, "lumpnet: %s", command);
    /* a line rewritten in place only makes sense on a terminal; a log
     * file or a pipe gets the summary alone */
    {
        /* LUMPNET_PROGRESS_DELAY: seconds before the first progress line */
        const char *d = getenv("LUMPNET_PROGRESS_DELAY");
        char *end;
        double v = d != NULL ? strtod(d, &end) : 0;
        if (d != NULL && end != d && *end == '\0' && v >= 0 && v < 1e6)
            lump_progress_delay(v);
    }
    lump_progress_enable(!quiet && isatty(2) ? heading : NULL);
}

double cli_elapsed(void)
{
    return lump_clock_seconds() - t_start;
}

void cli_summary(const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    lump_progress_clear();
    fprintf(stderr, "lumpnet: %s: %.1f s, ", command_name, lump_clock_seconds() - t_start);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *cli_layer_sizes(char *buf, size_t cap, const lump_net_t *net)
{
    size_t n = 0;
    int k = snprintf(buf, cap, "%zu", net->n_inputs);
    for (size_t i = 0; k >= 0 && (n += (size_t)k) < cap && i < net->n_layers; i++)
        k = snprintf(buf + n, cap - n, "-%zu", net->layers[i].size);
    return buf;
}
