/* eval_input.c -- the parts of `lumpnet eval` shared by dense and graph
 * networks: parsing --input and --inputs lines, printing the outputs and
 * recording one result line (text or --json) */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "lumpnet/data.h"

/* cli_eval_text -- see cli.h. */
lump_error_t cli_eval_text(cli_eval_fn f, void *ctx, size_t nin, const char *s, size_t len,
                           const char *where)
{
    lump_error_t err;
    mpq_t *x = NULL;
    size_t n = 0;
    err = cli_parse_vector(&x, &n, s, len, where);
    if (err != LUMP_OK)
        return err;
    if (n != nin)
        err = lump_error_set(LUMP_EINPUT, "%s: %zu values given, the network has %zu inputs", where,
                             n, nin);
    else if ((err = f(ctx, x)) != LUMP_OK && err != LUMP_ENOMEM)
        err = lump_error_prefix(err, "%s", where);
    lump_rat_vec_free(x, n);
    return err;
}

/* cli_eval_file -- see cli.h. Each line is evaluated as it is read, in
 * memory bounded by the longest line: outputs of the lines before a bad one
 * have been printed when the error is reported (documented in `eval
 * --help`). */
lump_error_t cli_eval_file(cli_eval_fn f, void *ctx, size_t nin, const char *path)
{
    lump_error_t err = LUMP_OK;
    lump_lines_t *r = NULL;
    const char *s;
    size_t n, line;
    int got;
    char where[512];
    LUMP_CHECK(lump_lines_open(&r, path));
    for (;;) {
        size_t a = 0;
        LUMP_CHECK(lump_lines_next(r, &s, &n, &line, &got));
        if (!got)
            break;
        while (a < n && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        if (a == n || s[a] == '#')
            continue;
        snprintf(where, sizeof where, "%s: line %zu", path, line);
        LUMP_CHECK(cli_eval_text(f, ctx, nin, s, n, where));
    }
cleanup:
    lump_lines_close(r);
    return err;
}

/* cli_eval_double_in -- see cli.h. */
lump_error_t cli_eval_double_in(double **x, const mpq_t *in, size_t nin)
{
    *x = lump_alloc_array(nin, sizeof **x);
    for (size_t i = 0; i < nin; i++)
        (*x)[i] = lump_rat_get_d(in[i]);
    return lump_eval_double_input_range(in, nin);
}

/* cli_eval_double_out -- see cli.h. */
lump_error_t cli_eval_double_out(lump_error_t err, json_t *jy, const double *y, size_t n,
                                 const char *hint)
{
    if (err == LUMP_EUNSUPPORTED)
        return cli_hint(err, hint);
    if (err != LUMP_OK)
        return err;
    for (size_t j = 0; j < n; j++)
        if (jy != NULL)
            json_array_append_new(jy, json_real(y[j]));
        else
            printf("%s%.17g", j ? "," : "", y[j]);
    return err;
}

/* cli_eval_put_exact -- see cli.h. */
void cli_eval_put_exact(json_t *jy, const mpq_t *y, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        char *s = lump_rat_str_frac(y[j]);
        if (jy != NULL)
            json_array_append_new(jy, json_string(s));
        else
            printf("%s%s", j ? "," : "", s);
        free(s);
    }
}

/* cli_eval_record -- see cli.h. */
void cli_eval_record(lump_error_t err, json_t *jy, const mpq_t *in, size_t nin, json_t *results)
{
    if (err == LUMP_OK && jy != NULL) {
        json_t *r = json_object(), *jx = json_array();
        for (size_t i = 0; i < nin; i++) {
            char *s = lump_rat_str_frac(in[i]);
            json_array_append_new(jx, json_string(s));
            free(s);
        }
        json_object_set_new(r, "input", jx);
        json_object_set_new(r, "output", jy);
        json_array_append_new(results, r);
    } else if (err == LUMP_OK) {
        putchar('\n');
    } else {
        json_decref(jy);
    }
}
