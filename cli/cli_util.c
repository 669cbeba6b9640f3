/* cli_util.c -- helpers shared by the subcommands: errors, vectors, JSON */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/data.h"
#include "lumpnet/alloc.h"

int cli_fail(lump_error_t err)
{
    lump_progress_clear();
    fprintf(stderr, "lumpnet: %s\n", lump_error_message());
    return lump_error_exit_code(err);
}

lump_error_t cli_hint(lump_error_t err, const char *hint)
{
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", lump_error_message());
    return lump_error_set(err, "%s; %s", msg, hint);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    char raw[1024], safe[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* the arguments quoted may hold any bytes */
    lump_escape(safe, sizeof safe, raw, sizeof raw);
    fprintf(stderr, "lumpnet %s: %s\n(see 'lumpnet %s --help')\n", command, safe, command);
    return CLI_BAD;
}

/* cli_check_files -- see cli.h. */
int cli_check_files(const char *command, const cli_file_t *in, size_t nin, const cli_file_t *out,
                    size_t nout)
{
    for (size_t i = 0; i < nout; i++) {
        const char *p = out[i].path;
        if (p == NULL)
            continue;
        if (lump_io_check_output(p) != LUMP_OK)
            return cli_fail(lump_error_prefix(LUMP_EUSAGE, "%s: %s", command, out[i].role));
        for (size_t k = 0; k < nin; k++)
            if (in[k].path != NULL && lump_io_same_file(p, in[k].path))
                return cli_fail(lump_error_set(LUMP_EUSAGE,
                                               "%s: %s %s is %s %s: an input is never "
                                               "overwritten; choose another output name",
                                               command, out[i].role, p, in[k].role,
                                               in[k].path));
        for (size_t k = 0; k < i; k++)
            if (out[k].path != NULL && lump_io_same_file(p, out[k].path))
                return cli_fail(lump_error_set(LUMP_EUSAGE,
                                               "%s: %s %s and %s %s are one file: each "
                                               "output needs its own",
                                               command, out[k].role, out[k].path,
                                               out[i].role, p));
    }
    return CLI_OK;
}

lump_error_t cli_parse_vector(mpq_t **v, size_t *n, const char *s, size_t len, const char *where)
{
    size_t count = 1, k = 0, start = 0;
    mpq_t *out;
    lump_error_t err = LUMP_OK;
    for (size_t i = 0; i < len; i++)
        count += s[i] == ',';
    out = lump_alloc_zero(count, sizeof *out);
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        {
            size_t a = start, b = i;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
                b--;
            mpq_init(out[k]);
            k++;
            err = lump_rat_parse(out[k - 1], s + a, b - a);
            if (err != LUMP_OK) {
                lump_error_prefix(err, "%s: value %zu", where, k);
                lump_rat_vec_free(out, k);
                return err;
            }
        }
        start = i + 1;
    }
    *v = out;
    *n = k;
    return LUMP_OK;
}

int cli_print_json(json_t *j)
{
    char *s;
    if (j == NULL) {
        fprintf(stderr, "lumpnet: out of memory building the JSON report\n");
        return CLI_BAD;
    }
    s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (s == NULL) {
        fprintf(stderr, "lumpnet: out of memory printing the JSON report\n");
        return CLI_BAD;
    }
    puts(s);
    free(s);
    return CLI_OK;
}

int cli_match_opt(int argc, char **argv, int *i, const char *opt, const char **val)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];
    if (strncmp(a, opt, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "lumpnet: option %s needs a value\n", opt);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

/* Report the unknown option A of COMMAND, naming the nearest option of
 * its table (or a global one) when one is near: "--bx" -> "--box". */
static int unknown_option(const char *command, const char *a, const cli_opt_t *opts, size_t nopts)
{
    const char *names[72];
    const char *hint;
    size_t n = 0;
    for (size_t k = 0; k < nopts && n < 64; k++)
        if (strncmp(opts[k].name, "--", 2) == 0)
            names[n++] = opts[k].name;
    names[n++] = "--help";
    names[n++] = "--quiet";
    names[n++] = "--max-memory";
    hint = cli_suggest(a, names, n);
    if (hint != NULL)
        return cli_usage_error(command, "unknown option '%s'; did you mean '%s'?", a, hint);
    return cli_usage_error(command, "unknown option '%s'", a);
}

/* cli_parse -- see cli.h. A switch must match exactly, a value option as
 * cli_match_opt matches it; the first entry that matches wins, so the table
 * order is the order the commands' hand-written loops tried them in. */
int cli_parse(int argc, char **argv, const char *command, const cli_opt_t *opts, size_t nopts,
              const char **pos, size_t npos, const char *extra, unsigned flags)
{
    size_t np = 0;
    /* a value option given twice would silently keep only the last value
     * (eval --input 1,2 --input 3,4 evaluated one input): refuse it */
    unsigned char seen[64] = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t k;
        int m = 0;
        for (k = 0; k < nopts; k++) {
            if (opts[k].flag != NULL) {
                if (strcmp(a, opts[k].name) == 0) {
                    *opts[k].flag = 1;
                    break;
                }
            } else if ((m = cli_match_opt(argc, argv, &i, opts[k].name, opts[k].value)) != 0) {
                break;
            }
        }
        if (m < 0)
            return CLI_BAD;
        if (k < nopts && opts[k].flag == NULL && k < sizeof seen) {
            if (seen[k])
                return cli_usage_error(command, "%s is given twice (it takes one value)",
                                       opts[k].name);
            seen[k] = 1;
        }
        if (k < nopts)
            continue;
        /* a lone "-" is a positional (standard input or output by convention) */
        if (a[0] == '-' && a[1] != '\0' &&
            !((flags & CLI_PARSE_NUMBERS) && a[1] >= '0' && a[1] <= '9'))
            return unknown_option(command, a, opts, nopts);
        if (np == npos)
            return cli_usage_error(command, extra, a);
        pos[np++] = a;
    }
    return CLI_OK;
}

/* cli_box_parse -- see cli.h. */
lump_error_t cli_box_parse(lump_box_t *box, const char *arg, const lump_net_t *net,
                           const char *net_path)
{
    size_t first = 0, n;
    lump_error_t err = lump_box_parse(box, arg, net->n_inputs);
    if (err != LUMP_OK || (n = lump_box_clipped(box, net, &first)) == 0)
        return err;
    {
        char *lo = lump_rat_str(box->lo[first]), *hi = lump_rat_str(box->hi[first]);
        char *clo = lump_rat_str(net->clip_lo[first]), *chi = lump_rat_str(net->clip_hi[first]);
        lump_warn("%s: the box lies outside %s's input range in %zu of %zu inputs (input %zu: "
                  "box [%s, %s], range [%s, %s]), where the network clips it to one value; "
                  "is the box in other coordinates (an NNet network takes raw inputs, the "
                  "VNN-LIB properties of ACAS Xu's ONNX networks are normalised)?",
                  arg, net_path, n, box->n, first, lo ? lo : "?", hi ? hi : "?",
                  clo ? clo : "?", chi ? chi : "?");
        free(lo);
        free(hi);
        free(clo);
        free(chi);
    }
    return LUMP_OK;
}

/* cli_parse_one -- see cli.h. */
int cli_parse_one(const char **path, int argc, char **argv, const char *command,
                  const cli_opt_t *opts, size_t nopts)
{
    return cli_parse(argc, argv, command, opts, nopts, path, 1,
                     "one network expected, got '%s' too", 0);
}

/* cli_read_two -- see cli.h. */
lump_error_t cli_read_two(lump_net_t *a, const char *a_path, lump_net_t *b, const char *b_path)
{
    lump_error_t err = lump_net_read(a, a_path);
    return err != LUMP_OK ? err : lump_net_read(b, b_path);
}

/* cli_parse_two -- see cli.h. */
int cli_parse_two(const char **a, const char **b, int argc, char **argv, const char *command,
                  const cli_opt_t *opts, size_t nopts)
{
    const char *ab[2] = {NULL, NULL};
    int rc = cli_parse(argc, argv, command, opts, nopts, ab, 2, "unexpected argument '%s'", 0);
    if (rc != CLI_OK)
        return rc;
    if (ab[0] == NULL || ab[1] == NULL)
        return cli_usage_error(command, "needs two networks A and B");
    *a = ab[0];
    *b = ab[1];
    return CLI_OK;
}

/* cli_exit -- see cli.h. */
int cli_exit(lump_error_t err, int rc, int verdict_rc)
{
    if (err != LUMP_OK)
        return cli_fail(err);
    if (rc != CLI_OK)
        return rc;
    return verdict_rc;
}

/* cli_verdict_rc -- see cli.h. */
int cli_verdict_rc(lump_verdict_t v)
{
    return v == LUMP_TRUE ? CLI_OK : v == LUMP_FALSE ? CLI_NEGATIVE : CLI_UNKNOWN;
}

/* cli_parse_choice -- see cli.h. */
int cli_parse_choice(int *out, const char *arg, const char *const *names, const char *command,
                     const char *opt)
{
    char expected[128];
    size_t used = 0, n = 0;
    if (arg == NULL)
        return CLI_OK;
    for (size_t k = 0; names[k] != NULL; k++, n++)
        if (strcmp(arg, names[k]) == 0) {
            *out = (int)k;
            return CLI_OK;
        }
    expected[0] = '\0';
    for (size_t k = 0; k < n && used < sizeof expected; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = snprintf(expected + used, sizeof expected - used, "%s%s", sep, names[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return cli_usage_error(command, "%s is %s, not '%s'", opt, expected, arg);
}

/* cli_parse_size -- see cli.h. */
int cli_parse_size(size_t *out, const char *arg, unsigned long long lo, unsigned long long hi,
                   const char *command, const char *fmt)
{
    unsigned long long v = 0;
    if (arg == NULL)
        return CLI_OK;
    if (cli_parse_whole(&v, arg, lo, hi, command, fmt) != CLI_OK)
        return CLI_BAD;
    *out = (size_t)v;
    return CLI_OK;
}

/* cli_parse_mode -- see cli.h. */
int cli_parse_mode(lump_mode_t *out, const char *arg, const char *command)
{
    static const char *const names[] = {"exact", "proportional", NULL}; /* lump_mode_t's order */
    int k = (int)*out;
    if (cli_parse_choice(&k, arg, names, command, "--mode") != CLI_OK)
        return CLI_BAD;
    *out = (lump_mode_t)k;
    return CLI_OK;
}

/* cli_parse_centre -- see cli.h. */
int cli_parse_centre(lump_centre_t *out, const char *arg, const char *calib, const char *command)
{
    static const char *const names[] = {"mean", "lp", NULL}; /* lump_centre_t's order */
    int k = (int)*out;
    if (cli_parse_choice(&k, arg, names, command, "--centre") != CLI_OK)
        return CLI_BAD;
    *out = (lump_centre_t)k;
    if (arg != NULL && calib != NULL)
        return cli_usage_error(command, "--centre is for box-guided lumping; --calib chooses "
                                        "its own centres");
    return CLI_OK;
}

/* cli_parse_whole -- see cli.h. */
int cli_parse_whole(unsigned long long *out, const char *s, unsigned long long lo,
                    unsigned long long hi, const char *command, const char *fmt)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return cli_usage_error(command, fmt, s);
    *out = v;
    return CLI_OK;
}

/* cli_read_calib -- see cli.h. */
lump_error_t cli_read_calib(double **x, size_t *n, const char *file, const lump_net_t *net)
{
    return cli_read_rows(x, n, file, net->n_inputs);
}

/* cli_read_rows -- see cli.h. */
lump_error_t cli_read_rows(double **x, size_t *n, const char *file, size_t n_inputs)
{
    lump_error_t err = LUMP_OK;
    lump_data_t d;
    lump_data_init(&d);
    *x = NULL;
    *n = 0;
    LUMP_CHECK(lump_data_read(&d, file));
    if (d.width != n_inputs) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: the calibration rows have %zu features (before the label), "
                             "the network has %zu inputs",
                             file, d.width, n_inputs);
        goto cleanup;
    }
    if (d.n == 0) {
        err = lump_error_set(LUMP_EINPUT, "%s: no calibration rows", file);
        goto cleanup;
    }
    *x = d.x;
    *n = d.n;
    d.x = NULL;
cleanup:
    lump_data_clear(&d);
    return err;
}
