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

/* One leaf of the distance's box splitting: its box and its bound. */
typedef struct {
    double *lo, *hi, bound;
    int final; /* no double lies strictly inside its widest side */
} leaf_t;

/* The work the splitting may do, in weight-times-input units (a leaf
 * bound costs about weights * inputs flops): thousands of leaves for ACAS
 * Xu, a single one for MNIST-sized networks. Fixed, so that reduce and
 * check compute the same bound. */
#define DISTANCE_WORK 67108864.0
#define DISTANCE_MAX_LEAVES 4096

/* split -- halve leaf K of LEAVES at the middle of its widest side
 * (relative to the whole box's width W): a double, so that the halves
 * cover the leaf exactly and the enclosure stays exact. 0 when no double
 * lies strictly inside. O(n). */
static int split(leaf_t *leaves, size_t k, size_t at, const double *w, size_t n)
{
    leaf_t *a = &leaves[k], *b = &leaves[at];
    size_t best = n;
    double rel = 0, mid;
    for (size_t i = 0; i < n; i++)
        if (w[i] > 0 && (a->hi[i] - a->lo[i]) / w[i] > rel) {
            rel = (a->hi[i] - a->lo[i]) / w[i];
            best = i;
        }
    if (best == n)
        return 0;
    mid = a->lo[best] + (a->hi[best] - a->lo[best]) / 2;
    if (!(mid > a->lo[best] && mid < a->hi[best]))
        return 0;
    memcpy(b->lo, a->lo, n * sizeof *b->lo);
    memcpy(b->hi, a->hi, n * sizeof *b->hi);
    a->hi[best] = mid;
    b->lo[best] = mid;
    return 1;
}

/* cli_trusted_distance -- see cli.h. The trusted leaf bound of the
 * tolerance checker (exact/tol_leaf.c: symbolic intervals of both networks
 * and of their difference, every rounding outward), not the finder's
 * bounds: what check states as certified is computed by the trusted base.
 * The box is split best first (the leaf with the largest bound is halved)
 * within a fixed work budget; the leaves cover the box, so the largest
 * leaf bound bounds the distance on it. */
lump_error_t cli_trusted_distance(double *u, const lump_net_t *q, const lump_net_t *w,
                                  const lump_box_t *box)
{
    lump_tol_pair_t *p = NULL;
    size_t n = lump_net_n_outputs(q), d = box->n, nleaves = 1, cap = 1;
    size_t *outs = lump_alloc_array(n + 1, sizeof *outs);
    double *width = lump_alloc_array(d + 1, sizeof *width), weights = 0;
    leaf_t *leaves = NULL;
    lump_error_t err;
    for (size_t j = 0; j < n; j++)
        outs[j] = j;
    *u = INFINITY;
    err = lump_tol_pair_new(&p, q, w, outs, n);
    if (err == LUMP_EUNSUPPORTED) { /* an activation it cannot bound: no distance */
        err = LUMP_OK;
        goto cleanup;
    }
    if (err != LUMP_OK)
        goto cleanup;
    for (size_t i = 0; i < q->n_layers; i++)
        weights += (double)q->layers[i].weight.len + (double)w->layers[i < w->n_layers ? i : 0].weight.len;
    if (weights * (double)(d ? d : 1) > 0)
        cap = (size_t)fmin(DISTANCE_MAX_LEAVES, fmax(1, DISTANCE_WORK / (weights * (double)(d ? d : 1))));
    leaves = lump_alloc_zero(cap, sizeof *leaves);
    for (size_t k = 0; k < cap; k++) {
        leaves[k].lo = lump_alloc_array(d + 1, sizeof(double));
        leaves[k].hi = lump_alloc_array(d + 1, sizeof(double));
    }
    lump_tol_enclose_box(leaves[0].lo, leaves[0].hi, box);
    for (size_t i = 0; i < d; i++)
        width[i] = leaves[0].hi[i] - leaves[0].lo[i];
    leaves[0].bound = lump_tol_leaf_bound(p, leaves[0].lo, leaves[0].hi);
    while (nleaves < cap) {
        size_t k = nleaves;
        for (size_t i = 0; i < nleaves; i++)
            if (!leaves[i].final && (k == nleaves || leaves[i].bound > leaves[k].bound))
                k = i;
        if (k == nleaves || !(leaves[k].bound > 0) || !isfinite(leaves[k].bound))
            break; /* nothing left to split, or nothing to gain */
        if (!split(leaves, k, nleaves, width, d)) {
            leaves[k].final = 1;
            continue;
        }
        leaves[k].bound = lump_tol_leaf_bound(p, leaves[k].lo, leaves[k].hi);
        leaves[nleaves].bound = lump_tol_leaf_bound(p, leaves[nleaves].lo, leaves[nleaves].hi);
        nleaves++;
    }
    *u = 0;
    for (size_t k = 0; k < nleaves; k++)
        if (!(leaves[k].bound <= *u)) /* NaN or larger */
            *u = isnan(leaves[k].bound) ? INFINITY : leaves[k].bound;
cleanup:
    for (size_t k = 0; leaves != NULL && k < cap; k++) {
        free(leaves[k].lo);
        free(leaves[k].hi);
    }
    free(leaves);
    lump_tol_pair_free(p);
    free(outs);
    free(width);
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
    /* the enlargement is the distance as printed, three digits rounded
     * up (cli_up3), read exactly: the number the user sees is the one
     * used (never below the certified double) */
    {
        char buf[48];
        mpq_t u;
        mpq_init(u);
        mpq_set_d(u, t->distance);
        snprintf(buf, sizeof buf, "%.3g", cli_up3(t->distance));
        snprintf(t->shown, sizeof t->shown, "%s", buf);
        if (lump_rat_parse_cstr(t->widen, buf) != LUMP_OK || mpq_cmp(t->widen, u) < 0) {
            mpq_set(t->widen, u);
            snprintf(t->shown, sizeof t->shown, "%.17g", t->distance);
        }
        mpq_clear(u);
    }
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
                 "the property %s for %s, which equals %s within %s on the box\n"
                 "(%zu values rounded; certified): the unsafe region is enlarged by that\n"
                 "distance, so that no counterexample here means none for %s;\n"
                 "a counterexample found here must be re-checked on %s:\n"
                 "lumpnet eval %s --exact --input X_0,X_1,... gives its outputs there,\n"
                 "to hold against the unsafe outputs of %s\n"
                 "(written by lumpnet reduce --vnnlib-out)",
                 t->prop, t->out, t->net_path, t->shown, t->rounded, t->net_path,
                 t->net_path, t->net_path, t->prop);
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
