/* nnet_write.c -- write a network in the NNet text format, exactly where it can */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet/error.h"
#include "lumpnet/arr.h"
#include "lumpnet/rat.h"
#include "lumpnet/net.h"
#include "lumpnet/io.h"

/* The bounds written for a network without input clipping: the largest
 * finite doubles, so that readers using doubles clip nothing. */
#define NNET_HUGE "1.7976931348623157e308"

typedef struct {
    FILE *f;
    lump_write_opts_t *opts;
    mpq_t back; /* scratch: a rounded value read back */
    mpq_t diff;
    mpz_t den, two, five;
    mpfr_t fr;
} writer_t;

/* write_num -- V as an exact decimal when it terminates, else rounded to
 * 17 significant digits (the nearest double's round-trip text), recording
 * the rounding in the options. SEP follows the number. */
static lump_error_t write_num(writer_t *w, const mpq_t v, const char *sep)
{
    char *s;
    int exact;

    mpz_remove(w->den, mpq_denref(v), w->two);
    mpz_remove(w->den, w->den, w->five);
    exact = mpz_cmp_ui(w->den, 1) == 0;

    if (exact) {
        s = lump_rat_decimal_str(v);
        fputs(s, w->f);
        free(s);
    } else {
        char buf[64];
        double err;
        mpfr_set_q(w->fr, v, MPFR_RNDN);
        if (!mpfr_number_p(w->fr))
            return lump_error_set(LUMP_EUNSUPPORTED,
                                  "nnet: a value is beyond the range of doubles and does not "
                                  "terminate as a decimal; NNet cannot hold it");
        snprintf(buf, sizeof buf, "%.17g", mpfr_get_d(w->fr, MPFR_RNDN));
        if (lump_rat_parse_cstr(w->back, buf) != LUMP_OK)
            return lump_error_set(LUMP_EINTERNAL, "nnet: cannot read back %s", buf);
        mpq_sub(w->diff, w->back, v);
        mpq_abs(w->diff, w->diff);
        mpfr_set_q(w->fr, w->diff, MPFR_RNDU);
        err = mpfr_get_d(w->fr, MPFR_RNDU);
        if (w->opts != NULL) {
            w->opts->rounded++;
            if (err > w->opts->max_rounding)
                w->opts->max_rounding = err;
        }
        fputs(buf, w->f);
    }
    fputs(sep, w->f);
    return LUMP_OK;
}

/* check_writable -- NNet holds ReLU hidden layers and an identity output
 * layer, each uniform, and per-input maps. */
static lump_error_t check_writable(const lump_net_t *net)
{
    size_t k;
    if (net->n_layers == 0 || net->n_inputs == 0)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "nnet: the network has no layers or no inputs; NNet needs both");
    for (k = 0; k < net->n_layers; k++) {
        const lump_layer_t *l = &net->layers[k];
        lump_act_kind_t want = k + 1 < net->n_layers ? LUMP_ACT_RELU : LUMP_ACT_IDENTITY;
        if (!lump_layer_uniform_act(l))
            return lump_error_set(LUMP_EUNSUPPORTED,
                                  "nnet: layer %zu mixes activations per neuron; NNet needs "
                                  "one activation a layer (relu hidden, identity last)",
                                  k + 1);
        if (lump_layer_act(l, 0)->kind != want)
            return lump_error_set(LUMP_EUNSUPPORTED,
                                  "nnet: layer %zu is %s; NNet needs relu on every hidden "
                                  "layer and identity on the last",
                                  k + 1, lump_act_name(lump_layer_act(l, 0)->kind));
    }
    return LUMP_OK;
}

/* outmap_uniform -- 1 when every output shares one scale and one shift
 * (then NNet's single output mean/range pair holds them). */
static int outmap_uniform(const lump_net_t *net)
{
    size_t j, m = lump_net_n_outputs(net);
    for (j = 1; j < m; j++)
        if (!mpq_equal(net->out_scale[j], net->out_scale[0]) ||
            !mpq_equal(net->out_shift[j], net->out_shift[0]))
            return 0;
    return 1;
}

/* write_stats -- the mins, maxes, means and ranges lines. When FOLD is set
 * the output map has been folded into the last layer and the output pair is
 * mean 0, range 1. */
static lump_error_t write_stats(writer_t *w, const lump_net_t *net, int fold)
{
    lump_error_t err = LUMP_OK;
    size_t i, n = net->n_inputs;
    mpq_t zero, one;
    mpq_init(zero);
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    for (i = 0; i < n; i++) {
        if (net->has_clip)
            LUMP_CHECK(write_num(w, net->clip_lo[i], ","));
        else
            fputs("-" NNET_HUGE ",", w->f);
    }
    fputc('\n', w->f);
    for (i = 0; i < n; i++) {
        if (net->has_clip)
            LUMP_CHECK(write_num(w, net->clip_hi[i], ","));
        else
            fputs(NNET_HUGE ",", w->f);
    }
    fputc('\n', w->f);
    for (i = 0; i < n; i++)
        LUMP_CHECK(write_num(w, net->has_norm ? net->norm_mean[i] : zero, ","));
    LUMP_CHECK(write_num(w, net->has_outmap && !fold ? net->out_shift[0] : zero, ",\n"));
    for (i = 0; i < n; i++)
        LUMP_CHECK(write_num(w, net->has_norm ? net->norm_range[i] : one, ","));
    LUMP_CHECK(write_num(w, net->has_outmap && !fold ? net->out_scale[0] : one, ",\n"));
cleanup:
    mpq_clear(zero);
    mpq_clear(one);
    return err;
}

/* write_layer -- the weight and bias lines of LAYER; with FOLD, row v is
 * multiplied by out_scale[v] and out_shift[v] added to its bias (exact:
 * the last layer is identity, so scale * (W y + b) + shift is affine). */
static lump_error_t write_layer(writer_t *w, const lump_net_t *net, const lump_layer_t *layer,
                                int fold)
{
    lump_error_t err = LUMP_OK;
    size_t v, u, in = layer->in_size;
    mpq_t q;
    mpq_init(q);
    for (v = 0; v < layer->size; v++) {
        for (u = 0; u < in; u++) {
            lump_arr_get(q, &layer->weight, v * in + u);
            if (fold)
                mpq_mul(q, q, net->out_scale[v]);
            LUMP_CHECK(write_num(w, q, u + 1 < in ? "," : ",\n"));
        }
    }
    for (v = 0; v < layer->size; v++) {
        lump_arr_get(q, &layer->bias, v);
        if (fold) {
            mpq_mul(q, q, net->out_scale[v]);
            mpq_add(q, q, net->out_shift[v]);
        }
        LUMP_CHECK(write_num(w, q, ",\n"));
    }
cleanup:
    mpq_clear(q);
    return err;
}

/* lump_net_write_nnet -- write NET to F in the NNet format: a "// written
 * by lumpnet" comment, the header, the statistics lines and the layers.
 * Numbers are exact decimals where they terminate, else rounded to 17
 * significant digits (counted in OPTS->rounded, largest absolute rounding
 * in OPTS->max_rounding; OPTS may be NULL). Missing maps are written as the
 * identity (means 0, ranges 1) and missing clipping as the largest
 * doubles; an output map that differs between outputs is folded exactly
 * into the last layer. Fails with LUMP_EUNSUPPORTED unless every hidden
 * layer is relu and the last identity, and with LUMP_EIO when F fails.
 * Reading the file back gives NET exactly when no value was rounded and
 * the maps were present. Complexity: O(weights) number conversions. */
lump_error_t lump_net_write_nnet(FILE *f, const lump_net_t *net, lump_write_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    writer_t w;
    size_t k, maxsize, n_out;
    int fold;

    lump_require(f != NULL && net != NULL, "lump_net_write_nnet");
    err = check_writable(net);
    if (err != LUMP_OK)
        return err;
    n_out = lump_net_n_outputs(net);
    fold = net->has_outmap && !outmap_uniform(net);

    w.f = f;
    w.opts = opts;
    mpq_init(w.back);
    mpq_init(w.diff);
    mpz_init(w.den);
    mpz_init_set_ui(w.two, 2);
    mpz_init_set_ui(w.five, 5);
    mpfr_init2(w.fr, 53);

    fputs("// written by lumpnet\n", f);
    if (!net->has_clip)
        fputs("// the network clips no input: mins and maxes are the largest doubles\n", f);
    if (fold)
        fputs("// the per-output scale and shift are folded into the last layer\n", f);
    maxsize = net->n_inputs;
    for (k = 0; k < net->n_layers; k++)
        if (net->layers[k].size > maxsize)
            maxsize = net->layers[k].size;
    fprintf(f, "%zu,%zu,%zu,%zu,\n", net->n_layers, net->n_inputs, n_out, maxsize);
    fprintf(f, "%zu,", net->n_inputs);
    for (k = 0; k < net->n_layers; k++)
        fprintf(f, "%zu,", net->layers[k].size);
    fputs("\n0,\n", f);
    LUMP_CHECK(write_stats(&w, net, fold));
    for (k = 0; k < net->n_layers; k++)
        LUMP_CHECK(write_layer(&w, net, &net->layers[k], fold && k + 1 == net->n_layers));
    if (ferror(f)) {
        err = lump_error_set(LUMP_EIO, "nnet: writing failed");
        goto cleanup;
    }
cleanup:
    mpq_clear(w.back);
    mpq_clear(w.diff);
    mpz_clear(w.den);
    mpz_clear(w.two);
    mpz_clear(w.five);
    mpfr_clear(w.fr);
    return err;
}
