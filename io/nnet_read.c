/* nnet_read.c -- read the NNet text format (ACAS Xu) into exact rationals */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"
#include "lumpnet/rat.h"
#include "lumpnet/net.h"
#include "lumpnet/io.h"
#include "alloc_i.h"

/* The format, after Kyle Julian's reference reader (nnet.cpp):
 *   // comment lines
 *   numLayers,inputSize,outputSize,maxLayerSize
 *   numLayers+1 layer sizes, inputs first
 *   a symmetric flag (unused)
 *   inputSize mins / inputSize maxes
 *   inputSize+1 means / inputSize+1 ranges (the last pair maps the outputs)
 *   per layer: one line of weights per neuron, then one bias line per neuron.
 * Every line may end in a comma. Blank lines are skipped (the reference
 * reader never produces them, but editors do at the end of a file). */

/* A reader of the lines of a buffer, counting physical lines from 1. */
typedef struct {
    const char *buf;
    size_t len, pos;
    size_t line;      /* number of the line last returned */
    const char *name; /* file name for messages */
    const char *s;    /* the line last returned, without its end */
    size_t n;
} cursor_t;

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* next_line -- advance to the next non-blank line; 0 at the end of the
 * buffer. A trailing '\r' (CRLF files) is not part of the line. */
static int next_line(cursor_t *c)
{
    while (c->pos < c->len) {
        const char *start = c->buf + c->pos;
        const char *nl = memchr(start, '\n', c->len - c->pos);
        size_t n = nl != NULL ? (size_t)(nl - start) : c->len - c->pos;
        size_t i;
        c->pos += n + (nl != NULL);
        c->line++;
        while (n > 0 && is_blank(start[n - 1]))
            n--;
        for (i = 0; i < n && is_blank(start[i]); i++)
            ;
        if (i == n)
            continue;
        c->s = start;
        c->n = n;
        return 1;
    }
    return 0;
}

/* need_line -- the next line, or an error saying what was expected. */
static lump_error_t need_line(cursor_t *c, const char *what)
{
    size_t i;
    if (next_line(c)) {
        /* Control bytes never occur in the text format: say so rather than
         * report the confusing count or number errors they cause. */
        for (i = 0; i < c->n; i++) {
            unsigned char ch = (unsigned char)c->s[i];
            if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f)
                return lump_error_set(LUMP_EINPUT,
                                      "%s: line %zu: unexpected byte 0x%02x in column %zu (not "
                                      "an NNet text file?)",
                                      c->name, c->line, ch, i + 1);
        }
        return LUMP_OK;
    }
    return lump_error_set(LUMP_EINPUT,
                          "%s: line %zu: unexpected end of file, expected %s",
                          c->name, c->line + 1, what);
}

/* A field of a line: [s, s + n) without surrounding blanks. */
typedef struct {
    const char *s;
    size_t n;
} field_t;

/* split_line -- split the current line at commas into exactly WANT fields
 * (a single trailing comma is allowed), storing them in F. Empty fields and
 * a wrong count are errors naming the line and WHAT the values are. With
 * EXTRA non-NULL, fields after the first WANT are not an error: *EXTRA is
 * set to the offset in the line of the first of them (0 when there are
 * none), for the header lines the reference reader reads leniently. */
static lump_error_t split_line_x(field_t *f, size_t want, const cursor_t *c, const char *what,
                                 size_t *extra)
{
    size_t count = 0, i = 0;
    const char *s = c->s;
    size_t n = c->n;
    while (i <= n) {
        size_t j = i, a, b;
        while (j < n && s[j] != ',')
            j++;
        a = i;
        b = j;
        while (a < b && is_blank(s[a]))
            a++;
        while (b > a && is_blank(s[b - 1]))
            b--;
        if (a == b) {
            /* an empty field is only allowed after a final comma */
            if (j == n && count > 0 && i > 0)
                break;
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu of the %s is empty",
                                  c->name, c->line, count + 1, what);
        }
        if (count >= want) {
            if (extra == NULL)
                return lump_error_set(LUMP_EINPUT,
                                      "%s: line %zu: too many values: expected %zu %s",
                                      c->name, c->line, want, what);
            if (count == want)
                *extra = a;
            count++;
            i = j + 1;
            continue;
        }
        f[count].s = s + a;
        f[count].n = b - a;
        count++;
        i = j + 1;
    }
    if (count < want)
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: too few values: found %zu, expected %zu %s",
                              c->name, c->line, count, want, what);
    return LUMP_OK;
}

static lump_error_t split_line(field_t *f, size_t want, const cursor_t *c, const char *what)
{
    return split_line_x(f, want, c, what, NULL);
}

/* count_fields -- the number of comma-separated values of the current
 * line (a trailing comma does not count). Used for the layer sizes line,
 * whose expected length depends on the header. */
static size_t count_fields(const cursor_t *c)
{
    size_t k = 1, i, last = c->n;
    while (last > 0 && (c->s[last - 1] == ',' || is_blank(c->s[last - 1])))
        last--;
    for (i = 0; i < last; i++)
        k += c->s[i] == ',';
    return k;
}

/* parse_size -- a positive decimal integer field (a size), capped at
 * SIZE_MAX / 4 so later products are checked without overflow. */
static lump_error_t parse_size(size_t *out, const field_t *f, const cursor_t *c,
                               size_t idx, const char *what)
{
    size_t v = 0, i = 0;
    if (f->n > 0 && f->s[0] == '+')
        i = 1;
    if (f->n > 0 && f->s[0] == '-')
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu: %s is negative (%.*s)",
                              c->name, c->line, idx + 1, what, (int)f->n, f->s);
    if (i == f->n)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu: %s is not a number",
                              c->name, c->line, idx + 1, what);
    for (; i < f->n; i++) {
        char ch = f->s[i];
        if (ch < '0' || ch > '9')
            return lump_error_set(LUMP_EINPUT,
                                  "%s: line %zu: field %zu: %s is not a whole number (%.*s)",
                                  c->name, c->line, idx + 1, what, (int)(f->n > 40 ? 40 : f->n),
                                  f->s);
        if (v > (SIZE_MAX / 4 - 9) / 10)
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu: %s is absurdly large",
                                  c->name, c->line, idx + 1, what);
        v = v * 10 + (size_t)(ch - '0');
    }
    if (v == 0)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu: %s is zero",
                              c->name, c->line, idx + 1, what);
    *out = v;
    return LUMP_OK;
}

/* parse_num -- the exact rational a field states. */
static lump_error_t parse_num(mpq_t out, const field_t *f, const cursor_t *c, size_t idx)
{
    lump_error_t e = lump_rat_parse(out, f->s, f->n);
    if (e != LUMP_OK)
        return lump_error_prefix(LUMP_EINPUT, "%s: line %zu: field %zu", c->name, c->line,
                                 idx + 1);
    return LUMP_OK;
}

/* read_vector -- one header line of WANT numbers into OUT[0..want).
 * Values after the first WANT are ignored with a warning naming the line
 * and quoting them: the reference reader (nnet.cpp) reads only the first
 * WANT, and copies of ACAS Xu in circulation (NeuroDiff's, ReluVal's)
 * carry 7 values on the min/max lines and 8 on the mean/range lines. */
static lump_error_t read_vector(mpq_t *out, size_t want, cursor_t *c, field_t *f,
                                const char *what)
{
    size_t i, extra = 0;
    lump_error_t e = need_line(c, what);
    if (e == LUMP_OK)
        e = split_line_x(f, want, c, what, &extra);
    for (i = 0; e == LUMP_OK && i < want; i++)
        e = parse_num(out[i], &f[i], c, i);
    if (e == LUMP_OK && extra > 0) {
        size_t n = c->n - extra, k = 1;
        while (n > 0 && (c->s[extra + n - 1] == ',' || is_blank(c->s[extra + n - 1])))
            n--; /* the trailing comma is not a value */
        for (i = 0; i < n; i++)
            k += c->s[extra + i] == ',';
        lump_warn("%s: line %zu: ignoring %zu extra value%s after the %zu %s, as the "
                  "reference reader does: %.*s%s",
                  c->name, c->line, k, k > 1 ? "s" : "", want, what, (int)(n > 80 ? 80 : n),
                  c->s + extra, n > 80 ? "..." : "");
    }
    return e;
}

/* check_sizes -- refuse declared sizes the buffer cannot hold: each weight
 * and bias takes at least two bytes of text (a digit and a separator), so
 * the total must not exceed LEN / 2. Checked before anything is allocated,
 * without overflow (every size is below SIZE_MAX / 4). */
static lump_error_t check_sizes(const size_t *sizes, size_t nl, size_t len, const cursor_t *c)
{
    size_t budget = len / 2, k;
    for (k = 0; k < nl; k++) {
        size_t in = sizes[k], out = sizes[k + 1], need;
        if (in > budget || out > budget || (out > 0 && in > budget / out))
            goto too_big;
        need = in * out + out;
        if (need > budget)
            goto too_big;
        budget -= need;
        continue;
    too_big:
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: layer %zu (%zu x %zu) needs more values than a "
                              "file of %zu bytes can hold",
                              c->name, c->line, k + 1, out, in, len);
    }
    return LUMP_OK;
}

/* read_header -- the counts line and the sizes line: fills *NL (number of
 * weight layers) and the new array *SIZES[0..nl] (to free()). */
static lump_error_t read_header(size_t *nl, size_t **sizes_out, cursor_t *c, field_t **fbuf,
                                size_t *fcap)
{
    lump_error_t err = LUMP_OK;
    field_t head[4];
    size_t hv[4], k, nsizes, maxsize = 0;
    size_t *sizes = NULL;
    static const char *const names[4] = {"numLayers", "inputSize", "outputSize",
                                         "maxLayerSize"};

    /* leading // comments */
    for (;;) {
        LUMP_CHECK(need_line(c, "the header line numLayers,inputSize,outputSize,maxLayerSize"));
        if (!(c->n >= 2 && c->s[0] == '/' && c->s[1] == '/'))
            break;
    }
    LUMP_CHECK(split_line(head, 4, c, "header values (numLayers,inputSize,outputSize,maxLayerSize)"));
    for (k = 0; k < 4; k++)
        LUMP_CHECK(parse_size(&hv[k], &head[k], c, k, names[k]));
    /* A sizes line holds numLayers+1 values of at least two bytes each. */
    if (hv[0] >= c->len / 2)
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: numLayers %zu is larger than a file of %zu bytes "
                              "can describe",
                              c->name, c->line, hv[0], c->len);

    LUMP_CHECK(need_line(c, "the line of layer sizes"));
    nsizes = count_fields(c);
    if (nsizes != hv[0] + 1)
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: %zu layer sizes given, numLayers %zu needs %zu",
                              c->name, c->line, nsizes, hv[0], hv[0] + 1);
    if (nsizes > *fcap) {
        field_t *nf = lump_realloc_array(*fbuf, nsizes, sizeof *nf);
        *fbuf = nf;
        *fcap = nsizes;
    }
    LUMP_CHECK(split_line(*fbuf, nsizes, c, "layer sizes"));
    sizes = lump_alloc_array(nsizes, sizeof *sizes);
    for (k = 0; k < nsizes; k++) {
        LUMP_CHECK(parse_size(&sizes[k], &(*fbuf)[k], c, k, "layer size"));
        if (sizes[k] > maxsize)
            maxsize = sizes[k];
    }
    if (sizes[0] != hv[1]) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: line %zu: the first layer size %zu differs from inputSize %zu",
                             c->name, c->line, sizes[0], hv[1]);
        goto cleanup;
    }
    if (sizes[hv[0]] != hv[2]) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: line %zu: the last layer size %zu differs from outputSize %zu",
                             c->name, c->line, sizes[hv[0]], hv[2]);
        goto cleanup;
    }
    if (maxsize > hv[3]) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: line %zu: a layer of %zu neurons exceeds maxLayerSize %zu",
                             c->name, c->line, maxsize, hv[3]);
        goto cleanup;
    }
    LUMP_CHECK(check_sizes(sizes, hv[0], c->len, c));
    *nl = hv[0];
    *sizes_out = sizes;
    return LUMP_OK;
cleanup:
    free(sizes);
    return err;
}

/* read_stats -- the mins, maxes, means and ranges lines into NET's clip,
 * norm and output maps. */
static lump_error_t read_stats(lump_net_t *net, cursor_t *c, field_t *f)
{
    lump_error_t err = LUMP_OK;
    size_t n = net->n_inputs, i, nout = lump_net_n_outputs(net);
    size_t maxline;
    mpq_t *tmp = NULL;

    LUMP_CHECK(lump_net_alloc_clip(net));
    LUMP_CHECK(lump_net_alloc_norm(net));
    LUMP_CHECK(lump_net_alloc_outmap(net));
    tmp = lump_alloc_array(n + 1, sizeof *tmp);
    for (i = 0; i <= n; i++)
        mpq_init(tmp[i]);

    LUMP_CHECK(read_vector(net->clip_lo, n, c, f, "input minimums"));
    LUMP_CHECK(read_vector(net->clip_hi, n, c, f, "input maximums"));
    maxline = c->line;
    for (i = 0; i < n; i++)
        if (mpq_cmp(net->clip_lo[i], net->clip_hi[i]) > 0) {
            err = lump_error_set(LUMP_EINPUT,
                                 "%s: line %zu: field %zu: the maximum of input %zu is below "
                                 "its minimum",
                                 c->name, maxline, i + 1, i);
            goto cleanup;
        }
    LUMP_CHECK(read_vector(tmp, n + 1, c, f, "means (inputSize+1 values)"));
    for (i = 0; i < n; i++)
        mpq_set(net->norm_mean[i], tmp[i]);
    for (i = 0; i < nout; i++)
        mpq_set(net->out_shift[i], tmp[n]);
    LUMP_CHECK(read_vector(tmp, n + 1, c, f, "ranges (inputSize+1 values)"));
    for (i = 0; i <= n; i++)
        if (mpq_sgn(tmp[i]) == 0) {
            err = lump_error_set(LUMP_EINPUT, "%s: line %zu: field %zu: range is zero",
                                 c->name, c->line, i + 1);
            goto cleanup;
        }
    for (i = 0; i < n; i++)
        mpq_set(net->norm_range[i], tmp[i]);
    for (i = 0; i < nout; i++)
        mpq_set(net->out_scale[i], tmp[n]);
cleanup:
    if (tmp != NULL) {
        for (i = 0; i <= n; i++)
            mpq_clear(tmp[i]);
        free(tmp);
    }
    return err;
}

/* read_rows -- ROWS lines of COLS numbers each into ARR, row-major: the
 * weight lines (COLS = the layer's inputs) or the bias lines (COLS = 1)
 * of layer K (0-based), each named "KIND of neuron V of layer K+1" in
 * messages. O(ROWS * COLS) numbers. */
static lump_error_t read_rows(lump_arr_t *arr, size_t rows, size_t cols, const char *kind,
                              size_t k, cursor_t *c, field_t *f, mpq_t q)
{
    lump_error_t err = LUMP_OK;
    char what[96];
    for (size_t v = 0; v < rows; v++) {
        snprintf(what, sizeof what, "%s of neuron %zu of layer %zu", kind, v, k + 1);
        LUMP_CHECK(need_line(c, what));
        LUMP_CHECK(split_line(f, cols, c, what));
        for (size_t u = 0; u < cols; u++) {
            LUMP_CHECK(parse_num(q, &f[u], c, u));
            LUMP_CHECK(lump_arr_set(arr, v * cols + u, q));
        }
    }
cleanup:
    return err;
}

/* read_layer -- the weight lines and bias lines of layer K (0-based). */
static lump_error_t read_layer(lump_layer_t *layer, size_t k, cursor_t *c, field_t *f, mpq_t q)
{
    lump_error_t err =
        read_rows(&layer->weight, layer->size, layer->in_size, "weights", k, c, f, q);
    return err != LUMP_OK ? err : read_rows(&layer->bias, layer->size, 1, "bias", k, c, f, q);
}

/* lump_net_read_nnet_buf -- read an NNet file held in BUF[0..len) into NET
 * (an initialised network; replaced only on success). Numbers are read as
 * the exact decimals they state. Hidden layers get ReLU, the last layer
 * identity; mins/maxes become the clip, means/ranges the normalisation,
 * and the last mean/range the output map of every output.
 * Errors (LUMP_EINPUT) name NAME, the line, the field and the problem.
 * Complexity: O(len) plus the cost of the numbers (O(d) for short ones).
 * Reference: K. Julian, nnet.cpp in the Reluplex artifact (Katz et al.,
 * CAV 2017). */
lump_error_t lump_net_read_nnet_buf(lump_net_t *net, const char *buf, size_t len,
                                    const char *name)
{
    lump_error_t err = LUMP_OK;
    cursor_t c;
    lump_net_t tmp;
    size_t nl = 0, k, maxin = 0;
    size_t *sizes = NULL;
    field_t *f = NULL;
    size_t fcap = 0;
    mpq_t q;

    lump_require(net != NULL && (buf != NULL || len == 0), "lump_net_read_nnet_buf");
    if (name == NULL)
        name = "nnet";
    memset(&c, 0, sizeof c);
    c.buf = buf;
    c.len = len;
    c.name = name;
    lump_net_init(&tmp);
    mpq_init(q);

    LUMP_CHECK(read_header(&nl, &sizes, &c, &f, &fcap));
    for (k = 0; k <= nl; k++)
        if (sizes[k] + 1 > maxin)
            maxin = sizes[k] + 1;
    if (maxin > fcap) {
        field_t *nf = lump_realloc_array(f, maxin, sizeof *nf);
        f = nf;
        fcap = maxin;
    }
    LUMP_CHECK(lump_net_setup(&tmp, sizes[0], nl, sizes + 1, LUMP_STORE_Q));
    for (k = 0; k + 1 < nl; k++)
        tmp.layers[k].act.kind = LUMP_ACT_RELU;
    tmp.layers[nl - 1].act.kind = LUMP_ACT_IDENTITY;

    LUMP_CHECK(need_line(&c, "the symmetric flag line"));
    LUMP_CHECK(read_stats(&tmp, &c, f));
    for (k = 0; k < nl; k++)
        LUMP_CHECK(read_layer(&tmp.layers[k], k, &c, f, q));
    if (next_line(&c)) {
        err = lump_error_set(LUMP_EINPUT,
                             "%s: line %zu: unexpected data after the last bias (the header "
                             "declares %zu layers)",
                             name, c.line, nl);
        goto cleanup;
    }
    lump_net_clear(net);
    *net = tmp;
    lump_net_init(&tmp);
cleanup:
    mpq_clear(q);
    free(sizes);
    free(f);
    lump_net_clear(&tmp);
    return err;
}
