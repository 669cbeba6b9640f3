/* transfer.c -- reduce --vnnlib-out: the property for the file the user
 * carries away. The written network W is the exact result Q rounded to
 * the file's number type; Q equals NET on the box (certified); so
 * |NET - W| <= |Q - W| <= U on the box, with U the certified bound of the
 * trusted leaf bound of the tolerance checker between Q and W.
 * The written property enlarges the unsafe region by U: no counterexample
 * for (W, written property) means none for (NET, property). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* W = NET as written to OUT (through memory, with the same options). */
static lump_error_t written_net(lump_net_t *w, const lump_net_t *net, const char *out,
                                lump_write_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    char *buf = NULL;
    size_t len = 0;
    lump_format_t fmt = lump_format_from_path(out);
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return lump_error_set(LUMP_ENOMEM, "%s: out of memory", out);
    if (fmt == LUMP_FORMAT_ONNX)
        err = lump_net_write_onnx(f, net, opts);
    else if (fmt == LUMP_FORMAT_NNET)
        err = lump_net_write_nnet(f, net, opts);
    else
        err = lump_net_write_json(f, net);
    if (fclose(f) != 0 && err == LUMP_OK)
        err = lump_error_set(LUMP_EIO, "%s: writing to memory failed", out);
    if (err == LUMP_OK && fmt == LUMP_FORMAT_ONNX)
        err = lump_net_read_onnx_buf(w, (const unsigned char *)buf, len, out);
    else if (err == LUMP_OK && fmt == LUMP_FORMAT_NNET)
        err = lump_net_read_nnet_buf(w, buf, len, out);
    else if (err == LUMP_OK)
        err = lump_net_read_json_buf(w, buf, len, out);
    free(buf);
    return err;
}

/* cli_trusted_distance -- see cli.h. The trusted leaf bound of the
 * tolerance checker (exact/tol_leaf.c: symbolic intervals of both networks
 * and of their difference, every rounding outward), not the finder's
 * bounds: what check states as certified is computed by the trusted base. */
lump_error_t cli_trusted_distance(double *u, const lump_net_t *q, const lump_net_t *w,
                                  const lump_box_t *box)
{
    lump_tol_pair_t *p = NULL;
    size_t n = lump_net_n_outputs(q);
    size_t *outs = lump_alloc_array(n + 1, sizeof *outs);
    double *lo = lump_alloc_array(box->n + 1, sizeof *lo), *hi = lump_alloc_array(box->n + 1, sizeof *hi);
    lump_error_t err;
    for (size_t j = 0; j < n; j++)
        outs[j] = j;
    *u = INFINITY;
    err = lump_tol_pair_new(&p, q, w, outs, n);
    if (err == LUMP_EUNSUPPORTED) /* an activation it cannot bound: no distance */
        err = LUMP_OK;
    else if (err == LUMP_OK) {
        lump_tol_enclose_box(lo, hi, box);
        *u = lump_tol_leaf_bound(p, lo, hi);
    }
    lump_tol_pair_free(p);
    free(outs);
    free(lo);
    free(hi);
    return err;
}

/* cli_rounding_distance -- see cli.h. */
lump_error_t cli_rounding_distance(double *u, size_t *rounded, const lump_net_t *q,
                                   const char *out, const lump_write_opts_t *wopts,
                                   const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    lump_write_opts_t o = *wopts;
    lump_net_t w;
    lump_net_init(&w);
    *u = 0;
    *rounded = 0;
    LUMP_CHECK(written_net(&w, q, out, &o));
    *rounded = o.rounded;
    if (o.rounded > 0)
        LUMP_CHECK(cli_trusted_distance(u, q, &w, box));
cleanup:
    lump_net_clear(&w);
    return err;
}

/* cli_transfer_prepare -- see cli.h. */
lump_error_t cli_transfer_prepare(cli_transfer_t *t, const char *prop, const lump_box_t *box,
                                  const lump_net_t *net_q, const char *net_path, const char *out,
                                  const lump_write_opts_t *wopts)
{
    lump_error_t err = LUMP_OK;
    memset(t, 0, sizeof *t);
    t->box = box;
    t->out = out;
    t->prop = prop;
    t->net_path = net_path;
    lump_outspec_init(&t->spec);
    mpq_init(t->widen);
    t->live = 1;
    LUMP_CHECK(lump_outspec_read_vnnlib(&t->spec, prop));
    /* the distance check will confirm: the trusted leaf bound */
    err = cli_rounding_distance(&t->distance, &t->rounded, net_q, out, wopts, box);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "%s: bounding the rounding over %s", out, prop);
        goto cleanup;
    }
    if (t->rounded == 0)
        goto cleanup; /* the file holds the exact result: no widening */
    if (!isfinite(t->distance)) {
        err = lump_error_set(LUMP_EUNSUPPORTED,
                             "%s: the distance between the rounded file and the exact result "
                             "could not be certified over %s; write .json to keep it exact",
                             out, prop);
        goto cleanup;
    }
    mpq_set_d(t->widen, t->distance); /* exact: the double is the bound */
cleanup:
    return err;
}

/* cli_up3 -- see cli.h. */
double cli_up3(double u)
{
    char buf[64];
    double v;
    int e;
    if (!(u > 0) || !isfinite(u))
        return u;
    snprintf(buf, sizeof buf, "%.2e", u);
    v = strtod(buf, NULL);
    if (v < u) { /* one unit up in the third digit */
        e = (int)floor(log10(v));
        v += pow(10, e - 2);
        snprintf(buf, sizeof buf, "%.2e", v);
        v = strtod(buf, NULL);
        while (v < u) /* decimal conversion of the step fell short */
            v = nextafter(v, INFINITY);
    }
    return v;
}

/* cli_transfer_write -- see cli.h. */
lump_error_t cli_transfer_write(FILE *f, void *ctx)
{
    const cli_transfer_t *t = ctx;
    char comment[1024];
    if (t->rounded == 0)
        snprintf(comment, sizeof comment,
                 "the property %s for %s, which equals %s exactly on the box\n"
                 "(written by lumpnet reduce --vnnlib-out)",
                 t->prop, t->out, t->net_path);
    else
        snprintf(comment, sizeof comment,
                 "the property %s for %s, which equals %s within %.17g on the box\n"
                 "(%zu values rounded; certified): the unsafe region is enlarged by that\n"
                 "distance, so that no counterexample here means none for %s;\n"
                 "a counterexample found here must be re-checked on %s\n"
                 "(written by lumpnet reduce --vnnlib-out)",
                 t->prop, t->out, t->net_path, t->distance, t->rounded, t->net_path,
                 t->net_path);
    return lump_vnnlib_write(f, t->box, &t->spec, t->widen, comment);
}

/* cli_transfer_clear -- see cli.h. */
void cli_transfer_clear(cli_transfer_t *t)
{
    if (!t->live)
        return;
    lump_outspec_clear(&t->spec);
    mpq_clear(t->widen);
    t->live = 0;
}
