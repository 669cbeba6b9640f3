/* data_read.c -- labelled data sets for `explore`: CSV files and numpy .npy
 * pairs, parsed by hand (the .npy header is a tiny Python literal) */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gmp.h>
#include "lumpnet/io.h"
#include "lumpnet/rat.h"
#include "lumpnet/data.h"
#include "alloc_i.h"
#include <sys/stat.h>
#include <unistd.h>

void lump_data_init(lump_data_t *d)
{
    memset(d, 0, sizeof *d);
}

void lump_data_clear(lump_data_t *d)
{
    free(d->x);
    free(d->y);
    lump_data_init(d);
}

static lump_error_t label_of(long *out, double v, const char *path, size_t line)
{
    if (!(v >= 0) || v != floor(v) || v > 1e9)
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: the label %g is not a whole number >= 0", path,
                              line, v);
    *out = (long)v;
    return LUMP_OK;
}

/* field_at -- the field of a CSV line at *P (up to a comma or the line's
 * end) without surrounding blanks, as [*A, *B); *P moves past it. */
static void field_at(const char **a, const char **b, const char **p, const char *end)
{
    const char *s = *p, *e = *p;
    while (e < end && *e != ',')
        e++;
    *p = e < end ? e + 1 : e;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *a = s;
    *b = e;
}

/* number_like -- 1 when the field [A, B) looks like an attempt at a number
 * (a digit or '.' after an optional sign, or nan/inf in any case): a line
 * with such a field is data, and a bad number in it is an error, never a
 * reason to skip the line as a header. */
static int number_like(const char *a, const char *b)
{
    if (a < b && (*a == '+' || *a == '-'))
        a++;
    if (a < b && *a >= '0' && *a <= '9')
        return 1;
    if (b - a >= 2 && *a == '.' && a[1] >= '0' && a[1] <= '9')
        return 1;
    return b - a >= 3 && (strncasecmp(a, "nan", 3) == 0 || strncasecmp(a, "inf", 3) == 0);
}

static int line_has_number(const char *s, const char *le)
{
    const char *a, *b;
    while (s < le) {
        field_at(&a, &b, &s, le);
        if (number_like(a, b))
            return 1;
    }
    return 0;
}

/* csv_number -- the field at *P as a double: a decimal or a fraction p/q,
 * like numbers everywhere else, rounded to nearest. Plain decimals take
 * strtod (correctly rounded, and much faster on large data sets); anything
 * else goes through lump_rat_parse, which reads fractions and words its
 * refusals. Q is scratch space. Errors name PATH, the line and the field. */
static lump_error_t csv_number(double *v, const char **p, const char *end, mpq_t q,
                               const char *path, size_t line, size_t k)
{
    char buf[128];
    const char *a, *b;
    char *e;
    size_t len, i;
    int plain = 1;
    field_at(&a, &b, p, end);
    len = (size_t)(b - a);
    if (len == 0)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu is empty", path, line, k + 1);
    for (i = 0; i < len && plain; i++)
        plain = (a[i] >= '0' && a[i] <= '9') || a[i] == '.' || a[i] == 'e' || a[i] == 'E' ||
                a[i] == '+' || a[i] == '-';
    if (plain && len < sizeof buf) {
        memcpy(buf, a, len);
        buf[len] = '\0';
        *v = strtod(buf, &e);
        if (*e == '\0' && isfinite(*v))
            return LUMP_OK;
    }
    if (lump_rat_parse(q, a, len) != LUMP_OK)
        return lump_error_prefix(LUMP_EINPUT, "%s: line %zu: field %zu", path, line, k + 1);
    *v = lump_rat_get_d(q);
    if (!isfinite(*v))
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: field %zu: '%.*s' is too large for a double", path,
                              line, k + 1, (int)(len > 40 ? 40 : len), a);
    return LUMP_OK;
}

static void grow(lump_data_t *d, size_t *cap, size_t need)
{
    double *x;
    long *y;
    if (need <= *cap)
        return;
    *cap = need * 2 + 16;
    x = lump_realloc_array(d->x, *cap * d->width, sizeof *x);
    if (x != NULL)
        d->x = x;
    y = lump_realloc_array(d->y, *cap, sizeof *y);
    if (y != NULL)
        d->y = y;
}

static lump_error_t read_csv(lump_data_t *d, const char *path)
{
    lump_error_t err = LUMP_OK;
    unsigned char *buf = NULL;
    size_t len, cap = 0, line = 0, ncols = 0, seen = 0;
    const char *p, *end;
    double *row = NULL;
    mpq_t q;
    mpq_init(q);
    LUMP_CHECK(lump_io_read_file(&buf, &len, path));
    p = (const char *)buf;
    end = p + len;
    while (p < end) {
        const char *le = memchr(p, '\n', (size_t)(end - p)), *s = p;
        size_t nf = 1;
        if (le == NULL)
            le = end;
        line++;
        p = le < end ? le + 1 : le;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == le || *s == '#')
            continue;
        for (const char *c = s; c < le; c++)
            nf += *c == ',';
        /* Only a first line without anything number-like is a header: a
         * first line "1/3,nan,1" is data (and nan an error), as it would
         * be on any later line. */
        if (seen++ == 0 && !line_has_number(s, le)) {
            lump_warn("%s: skipped header line %zu (no field is a number)", path, line);
            continue;
        }
        if (ncols == 0) { /* the first data line fixes the width */
            if (nf < 2) {
                err = lump_error_set(LUMP_EINPUT,
                                     "%s: line %zu: a data line needs features and a label, "
                                     "separated by commas",
                                     path, line);
                goto cleanup;
            }
            ncols = nf;
            d->width = ncols - 1;
            row = lump_alloc_array(ncols, sizeof *row);
        }
        if (nf != ncols) {
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: line %zu: %zu fields, the first data line has %zu", path,
                                 line, nf, ncols);
            goto cleanup;
        }
        for (size_t k = 0; k < ncols; k++)
            LUMP_CHECK(csv_number(&row[k], &s, le, q, path, line, k));
        grow(d, &cap, d->n + 1);
        memcpy(d->x + d->n * d->width, row, d->width * sizeof *row);
        LUMP_CHECK(label_of(&d->y[d->n], row[ncols - 1], path, line));
        d->n++;
    }
    if (d->n == 0)
        err = lump_error_set(LUMP_EINPUT, "%s: no data lines", path);
cleanup:
    free(buf);
    free(row);
    mpq_clear(q);
    return err;
}

/* ---- numpy .npy ---------------------------------------------------------- */

typedef struct {
    char kind; /* 'f' or 'i' */
    size_t item;
    int fortran;
    size_t ndim, shape[2];
    size_t offset; /* of the data */
} npy_t;

/* The value of KEY in the header dictionary H: a pointer just after its
 * colon, or NULL. */
static const char *npy_key(const char *h, const char *key)
{
    const char *p = strstr(h, key);
    if (p == NULL)
        return NULL;
    p = strchr(p + strlen(key), ':');
    if (p == NULL)
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

static lump_error_t npy_header(npy_t *o, const unsigned char *b, size_t len, const char *path)
{
    size_t hl, hs;
    char *h;
    const char *v;
    lump_error_t err = LUMP_OK;
    memset(o, 0, sizeof *o);
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return lump_error_set(LUMP_EINPUT, "%s: not a numpy .npy file (bad magic)", path);
    if (b[6] == 1) {
        hl = (size_t)b[8] | (size_t)b[9] << 8;
        hs = 10;
    } else if (b[6] == 2 && len >= 12) {
        hl = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        hs = 12;
    } else {
        return lump_error_set(LUMP_EINPUT,
                              "%s: .npy format version %u is not supported (versions 1 and 2 "
                              "are)",
                              path, (unsigned)b[6]);
    }
    if (hl > len - hs)
        return lump_error_set(LUMP_EINPUT, "%s: .npy header runs past the end of the file",
                              path);
    h = lump_alloc(hl + 1);
    memcpy(h, b + hs, hl);
    h[hl] = '\0';
    o->offset = hs + hl;
    v = npy_key(h, "'descr'");
    if (v == NULL || (v[0] != '\'' && v[0] != '"')) {
        err = lump_error_set(LUMP_EINPUT, "%s: .npy header has no 'descr'", path);
        goto cleanup;
    }
    if (strncmp(v + 1, "<f4", 3) == 0 && v[4] == v[0]) {
        o->kind = 'f';
        o->item = 4;
    } else if (strncmp(v + 1, "<f8", 3) == 0 && v[4] == v[0]) {
        o->kind = 'f';
        o->item = 8;
    } else if (strncmp(v + 1, "<i8", 3) == 0 && v[4] == v[0]) {
        o->kind = 'i';
        o->item = 8;
    } else {
        const char *q = strchr(v + 1, v[0]);
        err = lump_error_set(LUMP_EINPUT,
                             "%s: .npy dtype %.*s is not supported (use '<f4', '<f8' or '<i8')",
                             path, q != NULL ? (int)(q - v + 1) : 8, v);
        goto cleanup;
    }
    v = npy_key(h, "'fortran_order'");
    if (v == NULL || (strncmp(v, "False", 5) != 0 && strncmp(v, "True", 4) != 0)) {
        err = lump_error_set(LUMP_EINPUT, "%s: .npy header has no 'fortran_order'", path);
        goto cleanup;
    }
    o->fortran = v[0] == 'T';
    v = npy_key(h, "'shape'");
    if (v == NULL || *v != '(') {
        err = lump_error_set(LUMP_EINPUT, "%s: .npy header has no 'shape'", path);
        goto cleanup;
    }
    v++;
    while (*v != ')') {
        char *e;
        unsigned long long x;
        while (*v == ' ' || *v == ',')
            v++;
        if (*v == ')')
            break;
        errno = 0;
        x = strtoull(v, &e, 10);
        if (e == v || errno != 0 || o->ndim >= 2) {
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: .npy shape is not (rows, columns) or (rows,)", path);
            goto cleanup;
        }
        o->shape[o->ndim++] = (size_t)x;
        v = e;
    }
    if (o->ndim == 0) {
        err = lump_error_set(LUMP_EINPUT, "%s: .npy array is a scalar", path);
        goto cleanup;
    }
    if (o->ndim == 1)
        o->shape[1] = 1;
    if (o->shape[1] != 0 && o->shape[0] > (SIZE_MAX / 16) / o->shape[1]) {
        err = lump_error_set(LUMP_EINPUT, "%s: .npy shape is too large", path);
        goto cleanup;
    }
    if (len - o->offset < o->shape[0] * o->shape[1] * o->item)
        err = lump_error_set(LUMP_EINPUT,
                             "%s: .npy data is shorter than its shape (%zu x %zu) says", path,
                             o->shape[0], o->shape[1]);
cleanup:
    free(h);
    return err;
}

/* Element K of the data (little-endian, decoded byte by byte so that the
 * host's byte order does not matter). */
static double npy_get(const npy_t *o, const unsigned char *b, size_t k)
{
    const unsigned char *p = b + o->offset + k * o->item;
    uint64_t u = 0;
    for (size_t i = o->item; i-- > 0;)
        u = u << 8 | p[i];
    if (o->kind == 'i')
        return (double)(int64_t)u;
    if (o->item == 4) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        return f;
    } else {
        double x;
        memcpy(&x, &u, sizeof x);
        return x;
    }
}

static lump_error_t read_npy(lump_data_t *d, const char *xpath, const char *ypath)
{
    lump_error_t err = LUMP_OK;
    unsigned char *bx = NULL, *by = NULL;
    size_t lx, ly;
    npy_t hx, hy;
    LUMP_CHECK(lump_io_read_file(&bx, &lx, xpath));
    LUMP_CHECK(lump_io_read_file(&by, &ly, ypath));
    LUMP_CHECK(npy_header(&hx, bx, lx, xpath));
    LUMP_CHECK(npy_header(&hy, by, ly, ypath));
    if (hx.ndim != 2) {
        err = lump_error_set(LUMP_EINPUT, "%s: the features must be a 2-D array (rows, "
                             "columns)", xpath);
        goto cleanup;
    }
    if (hy.shape[1] != 1 || hy.shape[0] != hx.shape[0]) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: the labels must be a 1-D array of %zu entries (one per row "
                             "of %s)",
                             ypath, hx.shape[0], xpath);
        goto cleanup;
    }
    if (hx.shape[0] == 0) {
        err = lump_error_set(LUMP_EINPUT, "%s: no rows", xpath);
        goto cleanup;
    }
    d->n = hx.shape[0];
    d->width = hx.shape[1];
    d->x = lump_alloc_array(d->n * d->width + 1, sizeof *d->x);
    d->y = lump_alloc_array(d->n + 1, sizeof *d->y);
    for (size_t r = 0; r < d->n; r++)
        for (size_t c = 0; c < d->width; c++) {
            double v = npy_get(&hx, bx, hx.fortran ? c * d->n + r : r * d->width + c);
            if (!isfinite(v)) {
                err = lump_error_set(LUMP_EINPUT, "%s: row %zu, column %zu is not finite",
                                     xpath, r, c);
                goto cleanup;
            }
            d->x[r * d->width + c] = v;
        }
    for (size_t r = 0; r < d->n; r++) {
        err = label_of(&d->y[r], npy_get(&hy, by, r), ypath, r);
        if (err != LUMP_OK) {
            lump_error_set(LUMP_EINPUT, "%s: entry %zu: the label %g is not a whole number >= 0",
                           ypath, r, npy_get(&hy, by, r));
            goto cleanup;
        }
    }
cleanup:
    free(bx);
    free(by);
    return err;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && strncmp(s + n - k, suf, k) == 0;
}

/* lump_data_read -- see data_read.h. */
lump_error_t lump_data_read(lump_data_t *d, const char *spec)
{
    lump_error_t err = LUMP_OK;
    const char *comma = strchr(spec, ',');
    lump_data_clear(d);
    if (comma != NULL) {
        size_t n = (size_t)(comma - spec);
        char *x = lump_alloc(n + 1);
        memcpy(x, spec, n);
        x[n] = '\0';
        if (!ends_with(x, n, ".npy") || !ends_with(comma + 1, strlen(comma + 1), ".npy"))
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: a data pair is X.npy,y.npy (two numpy files)", spec);
        else
            err = read_npy(d, x, comma + 1);
        free(x);
    } else if (ends_with(spec, strlen(spec), ".npy")) {
        err = lump_error_set(LUMP_EINPUT, "%s: a .npy data set needs its labels too: X.npy,y.npy",
                             spec);
    } else {
        err = read_csv(d, spec);
    }
    if (err != LUMP_OK)
        lump_data_clear(d);
    return err;
}

/* ---- reading by lines ------------------------------------------------------ */

/* A line longer than this is not an input vector anyone meant to write;
 * the cap keeps a file without newlines from taking all memory. */
#define LINES_MAX_LINE ((size_t)64 << 20)

struct lump_lines {
    FILE *f;
    const char *path;
    char *buf;
    size_t cap, line;
};

/* lump_lines_open -- see data_read.h. */
lump_error_t lump_lines_open(lump_lines_t **out, const char *path)
{
    lump_lines_t *r;
    FILE *f = NULL;
    lump_error_t err;
    *out = NULL;
    /* one opening rule for every input: no wait on a FIFO, regular files only */
    if ((err = lump_io_fopen_read(&f, path)) != LUMP_OK)
        return err;
    r = lump_alloc_zero(1, sizeof *r);
    r->f = f;
    r->path = path;
    *out = r;
    return LUMP_OK;
}

/* lump_lines_next -- see data_read.h. */
lump_error_t lump_lines_next(lump_lines_t *r, const char **s, size_t *len, size_t *line,
                               int *got)
{
    size_t n = 0;
    int ch = EOF;
    *got = 0;
    /* byte by byte (getc_unlocked is a macro on a buffered stream): no
     * line-length guess, NUL bytes kept for the caller to refuse */
    while ((ch = getc_unlocked(r->f)) != EOF && ch != '\n') {
        if (n == r->cap) {
            size_t cap = r->cap == 0 ? 4096 : 2 * r->cap;
            char *b;
            if (r->cap >= LINES_MAX_LINE)
                return lump_error_set(LUMP_EINPUT, "%s: line %zu is longer than %zu MB",
                                      r->path, r->line + 1, LINES_MAX_LINE >> 20);
            b = lump_realloc_array(r->buf, cap, 1);
            r->buf = b;
            r->cap = cap;
        }
        r->buf[n++] = (char)ch;
    }
    if (ferror(r->f))
        return lump_error_set(LUMP_EIO, "%s: line %zu: read failed: %s", r->path, r->line + 1,
                              strerror(errno));
    if (ch == EOF && n == 0)
        return LUMP_OK; /* the end (a last line without '\n' was returned before) */
    r->line++;
    *s = n > 0 ? r->buf : "";
    *len = n;
    *line = r->line;
    *got = 1;
    return LUMP_OK;
}

/* lump_lines_close -- see data_read.h. */
void lump_lines_close(lump_lines_t *r)
{
    if (r == NULL)
        return;
    fclose(r->f);
    free(r->buf);
    free(r);
}
