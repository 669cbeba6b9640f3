/* table.c -- --table tex|md: a command's JSON report as a table for a
 * paper (LaTeX booktabs) or a README (Markdown) */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* cli_table_parse -- see cli.h. */
int cli_table_parse(int *fmt, const char *arg, int json, const char *command)
{
    if (arg == NULL) {
        *fmt = CLI_TABLE_NONE;
        return CLI_OK;
    }
    if (strcmp(arg, "tex") == 0)
        *fmt = CLI_TABLE_TEX;
    else if (strcmp(arg, "md") == 0)
        *fmt = CLI_TABLE_MD;
    else
        return cli_usage_error(command, "--table is tex or md, not '%s'", arg);
    if (json)
        return cli_usage_error(command, "--json and --table exclude each other");
    return CLI_OK;
}

/* The value at the dotted PATH ("removed.inactive") under J, or NULL. */
static json_t *at(json_t *j, const char *path)
{
    char key[64];
    const char *dot;
    while (j != NULL && (dot = strchr(path, '.')) != NULL) {
        size_t n = (size_t)(dot - path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        j = json_object_get(j, key);
        path = dot + 1;
    }
    return j != NULL ? json_object_get(j, path) : NULL;
}

/* TeX's special characters in running text. */
static void put_tex(FILE *f, const char *s)
{
    for (; *s != '\0'; s++)
        switch (*s) {
        case '\\': fputs("\\textbackslash{}", f); break;
        case '~': fputs("\\textasciitilde{}", f); break;
        case '^': fputs("\\textasciicircum{}", f); break;
        case '_': case '%': case '&': case '#': case '$': case '{': case '}':
            fputc('\\', f);
            fputc(*s, f);
            break;
        default: fputc(*s, f);
        }
}

/* Markdown: a bar would end the cell. */
static void put_md(FILE *f, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void put_text(FILE *f, int fmt, const char *s)
{
    if (fmt == CLI_TABLE_TEX)
        put_tex(f, s);
    else
        put_md(f, s);
}

/* One cell: integers as they are, reals to 4 significant digits (the
 * JSON report keeps them all), null (an infinite or missing value) as a
 * dash, true/false as yes/no. */
static void put_cell(FILE *f, int fmt, json_t *v)
{
    char buf[64];
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) {
        char *e;
        snprintf(buf, sizeof buf, "%.4g", json_real_value(v));
        /* 4.488e-10 reads as $4.488 \cdot 10^{-10}$ in a paper */
        if (fmt == CLI_TABLE_TEX && (e = strchr(buf, 'e')) != NULL) {
            *e = '\0';
            fprintf(f, "$%s \\cdot 10^{%d}$", buf, atoi(e + 1));
            return;
        }
    }
    else if (json_is_true(v))
        snprintf(buf, sizeof buf, "yes");
    else if (json_is_false(v))
        snprintf(buf, sizeof buf, "no");
    else if (json_is_string(v)) {
        put_text(f, fmt, json_string_value(v));
        return;
    } else
        snprintf(buf, sizeof buf, "%s", fmt == CLI_TABLE_TEX ? "--" : "–");
    fputs(buf, f);
}

static void row_end(FILE *f, int fmt)
{
    fputs(fmt == CLI_TABLE_TEX ? " \\\\\n" : " |\n", f);
}

static void cell_sep(FILE *f, int fmt, size_t c)
{
    if (fmt == CLI_TABLE_TEX)
        fputs(c > 0 ? " & " : "", f);
    else
        fputs(c > 0 ? " | " : "| ", f);
}

/* cli_table_print -- see cli.h. */
int cli_table_print(json_t *j, const char *rows_path, const cli_col_t *cols, size_t ncols,
                    int fmt, int total)
{
    json_t *rows = rows_path != NULL ? at(j, rows_path) : NULL, *one = NULL;
    double *sum = lump_alloc_zero(ncols + 1, sizeof *sum);
    int *numeric = lump_alloc_zero(ncols + 1, sizeof *numeric);
    size_t n;
    if (rows == NULL) { /* the report is the one row */
        one = json_array();
        json_array_append(one, j);
        rows = one;
    }
    n = json_array_size(rows);
    /* a column is numeric (right-aligned, summed) when every value is */
    for (size_t c = 0; c < ncols; c++) {
        numeric[c] = n > 0;
        for (size_t r = 0; r < n; r++) {
            json_t *v = at(json_array_get(rows, r), cols[c].key);
            if (!json_is_number(v) && !json_is_null(v) && v != NULL)
                numeric[c] = 0;
            else if (json_is_number(v))
                sum[c] += json_number_value(v);
        }
    }
    if (fmt == CLI_TABLE_TEX) {
        const char *net = json_string_value(json_object_get(j, "network"));
        printf("%% lumpnet %s%s%s (booktabs: \\usepackage{booktabs})\n",
               json_string_value(json_object_get(j, "command")), net ? " " : "", net ? net : "");
        printf("\\begin{tabular}{");
        for (size_t c = 0; c < ncols; c++)
            putchar(numeric[c] ? 'r' : 'l');
        printf("}\n\\toprule\n");
    }
    for (size_t c = 0; c < ncols; c++) {
        cell_sep(stdout, fmt, c);
        put_text(stdout, fmt, cols[c].head);
    }
    row_end(stdout, fmt);
    if (fmt == CLI_TABLE_TEX) {
        printf("\\midrule\n");
    } else {
        for (size_t c = 0; c < ncols; c++)
            printf("|%s", numeric[c] ? "---:" : ":---");
        printf("|\n");
    }
    for (size_t r = 0; r < n; r++) {
        for (size_t c = 0; c < ncols; c++) {
            cell_sep(stdout, fmt, c);
            put_cell(stdout, fmt, at(json_array_get(rows, r), cols[c].key));
        }
        row_end(stdout, fmt);
    }
    /* totals of the summed columns; the first column names the row */
    if (total && n > 1) {
        if (fmt == CLI_TABLE_TEX)
            printf("\\midrule\n");
        for (size_t c = 0; c < ncols; c++) {
            cell_sep(stdout, fmt, c);
            if (c == 0)
                fputs(fmt == CLI_TABLE_TEX ? "total" : "**total**", stdout);
            else if (numeric[c] && cols[c].summed)
                printf("%.15g", sum[c]);
        }
        row_end(stdout, fmt);
    }
    if (fmt == CLI_TABLE_TEX)
        printf("\\bottomrule\n\\end{tabular}\n");
    json_decref(one);
    json_decref(j);
    free(sum);
    free(numeric);
    return fflush(stdout) == 0 ? CLI_OK : CLI_BAD;
}
