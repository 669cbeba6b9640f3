/* sound_ref.c -- the soundness suite's own network model and evaluators.
 * Nothing here calls lumpnet's evaluation, lumping or bound code: only the
 * network setters and getters (lump_net_setup, lump_arr_set/get) to move a
 * model in and out of lumpnet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sound_ref.h"

static void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (p == NULL) {
        fprintf(stderr, "sound_ref: out of memory\n");
        abort();
    }
    return p;
}

static mpq_t *qvec_new(size_t n)
{
    mpq_t *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

static void qvec_del(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

void sr_init(sr_net_t *n)
{
    memset(n, 0, sizeof *n);
}

void sr_clear(sr_net_t *n)
{
    size_t m = sr_n_out(n);
    for (size_t i = 0; i < n->n_layers; i++) {
        sr_layer_t *l = &n->layer[i];
        qvec_del(l->w, l->size * l->in_size);
        qvec_del(l->b, l->size);
        for (size_t v = 0; v < l->size; v++)
            mpq_clear(l->act[v].alpha);
        free(l->act);
    }
    free(n->layer);
    qvec_del(n->clip_lo, n->has_clip ? n->n_in : 0);
    qvec_del(n->clip_hi, n->has_clip ? n->n_in : 0);
    qvec_del(n->norm_mean, n->has_norm ? n->n_in : 0);
    qvec_del(n->norm_range, n->has_norm ? n->n_in : 0);
    qvec_del(n->out_scale, n->has_outmap ? m : 0);
    qvec_del(n->out_shift, n->has_outmap ? m : 0);
    memset(n, 0, sizeof *n);
}

void sr_setup(sr_net_t *n, size_t n_in, size_t n_layers, const size_t *sizes)
{
    sr_clear(n);
    n->n_in = n_in;
    n->n_layers = n_layers;
    n->layer = xcalloc(n_layers, sizeof *n->layer);
    for (size_t i = 0; i < n_layers; i++) {
        sr_layer_t *l = &n->layer[i];
        l->size = sizes[i];
        l->in_size = i == 0 ? n_in : sizes[i - 1];
        l->w = qvec_new(l->size * l->in_size);
        l->b = qvec_new(l->size);
        l->act = xcalloc(l->size, sizeof *l->act);
        for (size_t v = 0; v < l->size; v++) {
            l->act[v].kind = LUMP_ACT_IDENTITY;
            mpq_init(l->act[v].alpha);
        }
    }
}

size_t sr_n_out(const sr_net_t *n)
{
    return n->n_layers ? n->layer[n->n_layers - 1].size : 0;
}

void sr_alloc_maps(sr_net_t *n, int clip, int norm, int outmap)
{
    size_t m = sr_n_out(n);
    if (clip && !n->has_clip) {
        n->has_clip = 1;
        n->clip_lo = qvec_new(n->n_in);
        n->clip_hi = qvec_new(n->n_in);
    }
    if (norm && !n->has_norm) {
        n->has_norm = 1;
        n->norm_mean = qvec_new(n->n_in);
        n->norm_range = qvec_new(n->n_in);
        for (size_t i = 0; i < n->n_in; i++)
            mpq_set_ui(n->norm_range[i], 1, 1);
    }
    if (outmap && !n->has_outmap) {
        n->has_outmap = 1;
        n->out_scale = qvec_new(m);
        n->out_shift = qvec_new(m);
        for (size_t j = 0; j < m; j++)
            mpq_set_ui(n->out_scale[j], 1, 1);
    }
}

void sr_copy(sr_net_t *dst, const sr_net_t *src)
{
    size_t *sizes = xcalloc(src->n_layers, sizeof *sizes);
    for (size_t i = 0; i < src->n_layers; i++)
        sizes[i] = src->layer[i].size;
    sr_setup(dst, src->n_in, src->n_layers, sizes);
    free(sizes);
    for (size_t i = 0; i < src->n_layers; i++) {
        const sr_layer_t *s = &src->layer[i];
        sr_layer_t *d = &dst->layer[i];
        for (size_t k = 0; k < s->size * s->in_size; k++)
            mpq_set(d->w[k], s->w[k]);
        for (size_t v = 0; v < s->size; v++) {
            mpq_set(d->b[v], s->b[v]);
            d->act[v].kind = s->act[v].kind;
            mpq_set(d->act[v].alpha, s->act[v].alpha);
        }
    }
    sr_alloc_maps(dst, src->has_clip, src->has_norm, src->has_outmap);
    for (size_t i = 0; i < src->n_in; i++) {
        if (src->has_clip) {
            mpq_set(dst->clip_lo[i], src->clip_lo[i]);
            mpq_set(dst->clip_hi[i], src->clip_hi[i]);
        }
        if (src->has_norm) {
            mpq_set(dst->norm_mean[i], src->norm_mean[i]);
            mpq_set(dst->norm_range[i], src->norm_range[i]);
        }
    }
    for (size_t j = 0; src->has_outmap && j < sr_n_out(src); j++) {
        mpq_set(dst->out_scale[j], src->out_scale[j]);
        mpq_set(dst->out_shift[j], src->out_shift[j]);
    }
}

void sr_act_value(mpq_t out, const sr_act_t *a, const mpq_t z)
{
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
        mpq_set(out, z);
        break;
    case LUMP_ACT_RELU:
        if (mpq_sgn(z) < 0)
            mpq_set_ui(out, 0, 1);
        else
            mpq_set(out, z);
        break;
    case LUMP_ACT_LEAKY_RELU:
        if (mpq_sgn(z) < 0)
            mpq_mul(out, z, a->alpha);
        else
            mpq_set(out, z);
        break;
    default:
        fprintf(stderr, "sr_act_value: activation %d is not piecewise linear\n", a->kind);
        abort();
    }
}

int sr_is_pwl(const sr_net_t *n)
{
    for (size_t i = 0; i < n->n_layers; i++)
        for (size_t v = 0; v < n->layer[i].size; v++)
            if (n->layer[i].act[v].kind > LUMP_ACT_LEAKY_RELU)
                return 0;
    return 1;
}

int sr_has_leaky_outside(const sr_net_t *n)
{
    for (size_t i = 0; i < n->n_layers; i++)
        for (size_t v = 0; v < n->layer[i].size; v++) {
            const sr_act_t *a = &n->layer[i].act[v];
            if (a->kind == LUMP_ACT_LEAKY_RELU &&
                (mpq_sgn(a->alpha) < 0 || mpq_cmp_ui(a->alpha, 1, 1) > 0))
                return 1;
        }
    return 0;
}

void sr_constants(char ***is, mpq_t ***val, const sr_net_t *n)
{
    mpq_t z, t;
    *is = xcalloc(n->n_layers, sizeof **is);
    *val = xcalloc(n->n_layers, sizeof **val);
    mpq_inits(z, t, NULL);
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        (*is)[i] = xcalloc(l->size, 1);
        (*val)[i] = qvec_new(l->size);
        for (size_t v = 0; v < l->size; v++) {
            int c = 1;
            mpq_set(z, l->b[v]);
            for (size_t u = 0; u < l->in_size && c; u++) {
                if (mpq_sgn(l->w[v * l->in_size + u]) == 0)
                    continue;
                if (i == 0 || !(*is)[i - 1][u]) {
                    c = 0;
                    break;
                }
                mpq_mul(t, l->w[v * l->in_size + u], (*val)[i - 1][u]);
                mpq_add(z, z, t);
            }
            if (!c)
                continue;
            if (l->act[v].kind <= LUMP_ACT_LEAKY_RELU) {
                sr_act_value((*val)[i][v], &l->act[v], z);
                (*is)[i][v] = 1;
            } else if (mpq_sgn(z) == 0) {
                mpq_set_ui((*val)[i][v], l->act[v].kind == LUMP_ACT_SIGMOID ? 1 : 0, 2);
                (*is)[i][v] = 1;
            }
        }
    }
    mpq_clears(z, t, NULL);
}

void sr_constants_free(char **is, mpq_t **val, const sr_net_t *n)
{
    for (size_t i = 0; i < n->n_layers; i++) {
        free(is[i]);
        qvec_del(val[i], n->layer[i].size);
    }
    free(is);
    free(val);
}

/* X as layer 1 sees it: clipped, then normalised (exact). */
static void prepare_input(mpq_t *y, const sr_net_t *n, const mpq_t *x)
{
    for (size_t i = 0; i < n->n_in; i++) {
        mpq_set(y[i], x[i]);
        if (n->has_clip) {
            if (mpq_cmp(y[i], n->clip_lo[i]) < 0)
                mpq_set(y[i], n->clip_lo[i]);
            if (mpq_cmp(y[i], n->clip_hi[i]) > 0)
                mpq_set(y[i], n->clip_hi[i]);
        }
        if (n->has_norm) {
            mpq_sub(y[i], y[i], n->norm_mean[i]);
            mpq_div(y[i], y[i], n->norm_range[i]);
        }
    }
}

void sr_eval(mpq_t *out, const sr_net_t *n, const mpq_t *x, mpq_t **z)
{
    size_t width = n->n_in;
    mpq_t *cur, *nxt, t;
    for (size_t i = 0; i < n->n_layers; i++)
        if (n->layer[i].size > width)
            width = n->layer[i].size;
    cur = qvec_new(width);
    nxt = qvec_new(width);
    mpq_init(t);
    prepare_input(cur, n, x);
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        for (size_t v = 0; v < l->size; v++) {
            mpq_set(nxt[v], l->b[v]);
            for (size_t u = 0; u < l->in_size; u++) {
                if (mpq_sgn(l->w[v * l->in_size + u]) == 0)
                    continue;
                mpq_mul(t, l->w[v * l->in_size + u], cur[u]);
                mpq_add(nxt[v], nxt[v], t);
            }
            if (z != NULL)
                mpq_set(z[i][v], nxt[v]);
        }
        for (size_t v = 0; v < l->size; v++)
            sr_act_value(cur[v], &l->act[v], nxt[v]);
    }
    for (size_t j = 0; j < sr_n_out(n); j++) {
        mpq_set(out[j], cur[j]);
        if (n->has_outmap) {
            mpq_mul(out[j], out[j], n->out_scale[j]);
            mpq_add(out[j], out[j], n->out_shift[j]);
        }
    }
    mpq_clear(t);
    qvec_del(cur, width);
    qvec_del(nxt, width);
}

/* ---- MPFR interval enclosure ------------------------------------------- */

/* [LO, HI] += W * [YL, YH], outward. */
static void iv_axpy(mpfr_t lo, mpfr_t hi, const mpq_t w, const mpfr_t yl, const mpfr_t yh, mpfr_t t)
{
    int s = mpq_sgn(w);
    if (s == 0)
        return;
    mpfr_mul_q(t, s > 0 ? yl : yh, w, MPFR_RNDD);
    mpfr_add(lo, lo, t, MPFR_RNDD);
    mpfr_mul_q(t, s > 0 ? yh : yl, w, MPFR_RNDU);
    mpfr_add(hi, hi, t, MPFR_RNDU);
}

/* The image of [LO, HI] under activation A, outward, in place. */
static void iv_act(mpfr_t lo, mpfr_t hi, const sr_act_t *a, mpfr_t t, mpfr_t u)
{
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
        return;
    case LUMP_ACT_RELU:
    case LUMP_ACT_LEAKY_RELU: {
        /* piecewise linear with one kink at 0: the extremes are among
         * f(lo), f(hi) and f(0) = 0 */
        mpq_t al;
        mpfr_t l2, h2;
        mpq_init(al);
        if (a->kind == LUMP_ACT_LEAKY_RELU)
            mpq_set(al, a->alpha);
        mpfr_inits2(mpfr_get_prec(lo), l2, h2, (mpfr_ptr)0);
        mpfr_set_inf(l2, 1);
        mpfr_set_inf(h2, -1);
        for (int k = 0; k < 3; k++) {
            mpfr_srcptr p = k == 0 ? lo : hi;
            if (k == 2) {
                if (mpfr_sgn(lo) < 0 && mpfr_sgn(hi) > 0) {
                    mpfr_set_zero(t, 1);
                    mpfr_set_zero(u, 1);
                } else {
                    continue;
                }
            } else if (mpfr_sgn(p) >= 0) {
                mpfr_set(t, p, MPFR_RNDN);
                mpfr_set(u, p, MPFR_RNDN);
            } else {
                mpfr_mul_q(t, p, al, MPFR_RNDD);
                mpfr_mul_q(u, p, al, MPFR_RNDU);
            }
            if (mpfr_less_p(t, l2))
                mpfr_set(l2, t, MPFR_RNDN);
            if (mpfr_greater_p(u, h2))
                mpfr_set(h2, u, MPFR_RNDN);
        }
        mpfr_set(lo, l2, MPFR_RNDN);
        mpfr_set(hi, h2, MPFR_RNDN);
        mpfr_clears(l2, h2, (mpfr_ptr)0);
        mpq_clear(al);
        return;
    }
    case LUMP_ACT_SIGMOID:
        /* increasing: 1 / (1 + exp(-z)) at each end, rounded outward */
        mpfr_neg(t, lo, MPFR_RNDN);
        mpfr_exp(t, t, MPFR_RNDU);
        mpfr_add_ui(t, t, 1, MPFR_RNDU);
        mpfr_ui_div(lo, 1, t, MPFR_RNDD);
        mpfr_neg(t, hi, MPFR_RNDN);
        mpfr_exp(t, t, MPFR_RNDD);
        mpfr_add_ui(t, t, 1, MPFR_RNDD);
        mpfr_ui_div(hi, 1, t, MPFR_RNDU);
        return;
    case LUMP_ACT_TANH:
        mpfr_tanh(lo, lo, MPFR_RNDD);
        mpfr_tanh(hi, hi, MPFR_RNDU);
        return;
    default:
        fprintf(stderr, "sr_enclose: unknown activation %d\n", a->kind);
        abort();
    }
}

void sr_enclose(mpfr_t *lo, mpfr_t *hi, const sr_net_t *n, const mpq_t *x, mpfr_prec_t prec)
{
    size_t width = n->n_in;
    mpq_t *y0;
    mpfr_t *cl, *ch, *nl, *nh, t, u;
    for (size_t i = 0; i < n->n_layers; i++)
        if (n->layer[i].size > width)
            width = n->layer[i].size;
    y0 = qvec_new(n->n_in);
    cl = xcalloc(width, sizeof *cl);
    ch = xcalloc(width, sizeof *ch);
    nl = xcalloc(width, sizeof *nl);
    nh = xcalloc(width, sizeof *nh);
    for (size_t k = 0; k < width; k++) {
        mpfr_init2(cl[k], prec);
        mpfr_init2(ch[k], prec);
        mpfr_init2(nl[k], prec);
        mpfr_init2(nh[k], prec);
    }
    mpfr_init2(t, prec);
    mpfr_init2(u, prec);
    prepare_input(y0, n, x);
    for (size_t i = 0; i < n->n_in; i++) {
        mpfr_set_q(cl[i], y0[i], MPFR_RNDD);
        mpfr_set_q(ch[i], y0[i], MPFR_RNDU);
    }
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        for (size_t v = 0; v < l->size; v++) {
            mpfr_set_q(nl[v], l->b[v], MPFR_RNDD);
            mpfr_set_q(nh[v], l->b[v], MPFR_RNDU);
            for (size_t u2 = 0; u2 < l->in_size; u2++)
                iv_axpy(nl[v], nh[v], l->w[v * l->in_size + u2], cl[u2], ch[u2], t);
            iv_act(nl[v], nh[v], &l->act[v], t, u);
        }
        for (size_t v = 0; v < l->size; v++) {
            mpfr_set(cl[v], nl[v], MPFR_RNDN);
            mpfr_set(ch[v], nh[v], MPFR_RNDN);
        }
    }
    for (size_t j = 0; j < sr_n_out(n); j++) {
        mpfr_set_prec(lo[j], prec);
        mpfr_set_prec(hi[j], prec);
        if (n->has_outmap) {
            mpfr_set_q(lo[j], n->out_shift[j], MPFR_RNDD);
            mpfr_set_q(hi[j], n->out_shift[j], MPFR_RNDU);
            iv_axpy(lo[j], hi[j], n->out_scale[j], cl[j], ch[j], t);
        } else {
            mpfr_set(lo[j], cl[j], MPFR_RNDN);
            mpfr_set(hi[j], ch[j], MPFR_RNDN);
        }
    }
    for (size_t k = 0; k < width; k++) {
        mpfr_clear(cl[k]);
        mpfr_clear(ch[k]);
        mpfr_clear(nl[k]);
        mpfr_clear(nh[k]);
    }
    free(cl);
    free(ch);
    free(nl);
    free(nh);
    mpfr_clear(t);
    mpfr_clear(u);
    qvec_del(y0, n->n_in);
}

/* ---- moving a model in and out of lumpnet ------------------------------ */

static int layer_uniform(const sr_layer_t *l)
{
    for (size_t v = 1; v < l->size; v++)
        if (l->act[v].kind != l->act[0].kind || !mpq_equal(l->act[v].alpha, l->act[0].alpha))
            return 0;
    return 1;
}

static void to_act(lump_act_t *d, const sr_act_t *s)
{
    d->kind = (lump_act_kind_t)s->kind;
    if (s->kind == LUMP_ACT_LEAKY_RELU)
        mpq_set(d->alpha, s->alpha);
    else
        mpq_set_ui(d->alpha, 0, 1);
}

lump_error_t sr_to_lump(lump_net_t *out, const sr_net_t *n, lump_store_t store)
{
    lump_error_t err = LUMP_OK;
    size_t *sizes = xcalloc(n->n_layers, sizeof *sizes);
    lump_act_t a;
    lump_act_init(&a);
    for (size_t i = 0; i < n->n_layers; i++)
        sizes[i] = n->layer[i].size;
    LUMP_CHECK(lump_net_setup(out, n->n_in, n->n_layers, sizes, store));
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        lump_layer_t *d = &out->layers[i];
        for (size_t k = 0; k < l->size * l->in_size; k++)
            LUMP_CHECK(lump_arr_set(&d->weight, k, l->w[k]));
        for (size_t v = 0; v < l->size; v++)
            LUMP_CHECK(lump_arr_set(&d->bias, v, l->b[v]));
        to_act(&d->act, &l->act[0]);
        if (!layer_uniform(l))
            for (size_t v = 0; v < l->size; v++) {
                to_act(&a, &l->act[v]);
                LUMP_CHECK(lump_layer_set_neuron_act(d, v, &a));
            }
    }
    if (n->has_clip) {
        LUMP_CHECK(lump_net_alloc_clip(out));
        for (size_t i = 0; i < n->n_in; i++) {
            mpq_set(out->clip_lo[i], n->clip_lo[i]);
            mpq_set(out->clip_hi[i], n->clip_hi[i]);
        }
    }
    if (n->has_norm) {
        LUMP_CHECK(lump_net_alloc_norm(out));
        for (size_t i = 0; i < n->n_in; i++) {
            mpq_set(out->norm_mean[i], n->norm_mean[i]);
            mpq_set(out->norm_range[i], n->norm_range[i]);
        }
    }
    if (n->has_outmap) {
        LUMP_CHECK(lump_net_alloc_outmap(out));
        for (size_t j = 0; j < sr_n_out(n); j++) {
            mpq_set(out->out_scale[j], n->out_scale[j]);
            mpq_set(out->out_shift[j], n->out_shift[j]);
        }
    }
cleanup:
    lump_act_clear(&a);
    free(sizes);
    return err;
}

void sr_from_lump(sr_net_t *out, const lump_net_t *net)
{
    size_t *sizes = xcalloc(net->n_layers, sizeof *sizes);
    for (size_t i = 0; i < net->n_layers; i++)
        sizes[i] = net->layers[i].size;
    sr_setup(out, net->n_inputs, net->n_layers, sizes);
    free(sizes);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *s = &net->layers[i];
        sr_layer_t *d = &out->layer[i];
        for (size_t k = 0; k < s->size * s->in_size; k++)
            lump_arr_get(d->w[k], &s->weight, k);
        for (size_t v = 0; v < s->size; v++) {
            const lump_act_t *a = lump_layer_act(s, v);
            lump_arr_get(d->b[v], &s->bias, v);
            d->act[v].kind = (int)a->kind;
            if (a->kind == LUMP_ACT_LEAKY_RELU)
                mpq_set(d->act[v].alpha, a->alpha);
        }
    }
    sr_alloc_maps(out, net->has_clip, net->has_norm, net->has_outmap);
    for (size_t i = 0; i < net->n_inputs; i++) {
        if (net->has_clip) {
            mpq_set(out->clip_lo[i], net->clip_lo[i]);
            mpq_set(out->clip_hi[i], net->clip_hi[i]);
        }
        if (net->has_norm) {
            mpq_set(out->norm_mean[i], net->norm_mean[i]);
            mpq_set(out->norm_range[i], net->norm_range[i]);
        }
    }
    for (size_t j = 0; net->has_outmap && j < sr_n_out(out); j++) {
        mpq_set(out->out_scale[j], net->out_scale[j]);
        mpq_set(out->out_shift[j], net->out_shift[j]);
    }
}

int sr_same(const sr_net_t *a, const sr_net_t *b, char *why, size_t whylen)
{
    if (a->n_in != b->n_in || a->n_layers != b->n_layers) {
        snprintf(why, whylen, "shape: %zu inputs %zu layers vs %zu inputs %zu layers", a->n_in,
                 a->n_layers, b->n_in, b->n_layers);
        return 0;
    }
    for (size_t i = 0; i < a->n_layers; i++) {
        const sr_layer_t *p = &a->layer[i], *q = &b->layer[i];
        if (p->size != q->size) {
            snprintf(why, whylen, "layer %zu: size %zu vs %zu", i + 1, p->size, q->size);
            return 0;
        }
        for (size_t k = 0; k < p->size * p->in_size; k++)
            if (!mpq_equal(p->w[k], q->w[k])) {
                gmp_snprintf(why, whylen, "layer %zu weight %zu: %Qd vs %Qd", i + 1, k, p->w[k],
                             q->w[k]);
                return 0;
            }
        for (size_t v = 0; v < p->size; v++) {
            if (!mpq_equal(p->b[v], q->b[v])) {
                gmp_snprintf(why, whylen, "layer %zu bias %zu: %Qd vs %Qd", i + 1, v, p->b[v],
                             q->b[v]);
                return 0;
            }
            if (p->act[v].kind != q->act[v].kind ||
                (p->act[v].kind == LUMP_ACT_LEAKY_RELU &&
                 !mpq_equal(p->act[v].alpha, q->act[v].alpha))) {
                gmp_snprintf(why, whylen,
                             "layer %zu neuron %zu: activation %d (alpha %Qd) vs %d (alpha %Qd)",
                             i + 1, v, p->act[v].kind, p->act[v].alpha, q->act[v].kind,
                             q->act[v].alpha);
                return 0;
            }
        }
    }
    if (a->has_clip != b->has_clip || a->has_norm != b->has_norm ||
        a->has_outmap != b->has_outmap) {
        snprintf(why, whylen, "maps: clip %d/%d norm %d/%d outmap %d/%d", a->has_clip, b->has_clip,
                 a->has_norm, b->has_norm, a->has_outmap, b->has_outmap);
        return 0;
    }
    for (size_t i = 0; i < a->n_in; i++)
        if ((a->has_clip && (!mpq_equal(a->clip_lo[i], b->clip_lo[i]) ||
                             !mpq_equal(a->clip_hi[i], b->clip_hi[i]))) ||
            (a->has_norm && (!mpq_equal(a->norm_mean[i], b->norm_mean[i]) ||
                             !mpq_equal(a->norm_range[i], b->norm_range[i])))) {
            snprintf(why, whylen, "input map of input %zu", i);
            return 0;
        }
    for (size_t j = 0; a->has_outmap && j < sr_n_out(a); j++)
        if (!mpq_equal(a->out_scale[j], b->out_scale[j]) ||
            !mpq_equal(a->out_shift[j], b->out_shift[j])) {
            snprintf(why, whylen, "output map of output %zu", j);
            return 0;
        }
    return 1;
}

int sr_q_fits(const mpq_t q, int bits)
{
    size_t nb;
    long e;
    if (mpq_sgn(q) == 0)
        return 1;
    if (mpz_popcount(mpq_denref(q)) != 1)
        return 0;
    nb = mpz_sizeinbase(mpq_numref(q), 2) - mpz_scan1(mpq_numref(q), 0);
    if (nb > (size_t)bits)
        return 0;
    /* the binary exponent: far from both ends of binary32's range */
    e = (long)mpz_sizeinbase(mpq_numref(q), 2) - (long)mpz_sizeinbase(mpq_denref(q), 2);
    return e > -100 && e < 100;
}

int sr_fits(const sr_net_t *n, int bits)
{
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        for (size_t k = 0; k < l->size * l->in_size; k++)
            if (!sr_q_fits(l->w[k], bits))
                return 0;
        for (size_t v = 0; v < l->size; v++)
            if (!sr_q_fits(l->b[v], bits) ||
                (l->act[v].kind == LUMP_ACT_LEAKY_RELU && !sr_q_fits(l->act[v].alpha, 24)))
                return 0;
    }
    for (size_t i = 0; i < n->n_in; i++)
        if ((n->has_clip && (!sr_q_fits(n->clip_lo[i], bits) || !sr_q_fits(n->clip_hi[i], bits))) ||
            (n->has_norm &&
             (!sr_q_fits(n->norm_mean[i], bits) || !sr_q_fits(n->norm_range[i], bits))))
            return 0;
    for (size_t j = 0; n->has_outmap && j < sr_n_out(n); j++)
        if (!sr_q_fits(n->out_scale[j], bits) || !sr_q_fits(n->out_shift[j], bits))
            return 0;
    return 1;
}

void sr_dump(const sr_net_t *n, const char *title)
{
    static const char *names[] = {"identity", "relu", "leaky_relu", "sigmoid", "tanh"};
    fprintf(stderr, "# %s: %zu inputs\n", title, n->n_in);
    if (n->has_clip)
        for (size_t i = 0; i < n->n_in; i++)
            gmp_fprintf(stderr, "#   clip x%zu to [%Qd, %Qd]\n", i, n->clip_lo[i], n->clip_hi[i]);
    if (n->has_norm)
        for (size_t i = 0; i < n->n_in; i++)
            gmp_fprintf(stderr, "#   norm x%zu: (x - %Qd) / %Qd\n", i, n->norm_mean[i],
                        n->norm_range[i]);
    for (size_t i = 0; i < n->n_layers; i++) {
        const sr_layer_t *l = &n->layer[i];
        for (size_t v = 0; v < l->size; v++) {
            fprintf(stderr, "#   L%zu n%zu %s", i + 1, v, names[l->act[v].kind]);
            if (l->act[v].kind == LUMP_ACT_LEAKY_RELU)
                gmp_fprintf(stderr, "(%Qd)", l->act[v].alpha);
            fprintf(stderr, " w=[");
            for (size_t u = 0; u < l->in_size; u++)
                gmp_fprintf(stderr, "%s%Qd", u ? ", " : "", l->w[v * l->in_size + u]);
            gmp_fprintf(stderr, "] b=%Qd\n", l->b[v]);
        }
    }
    for (size_t j = 0; n->has_outmap && j < sr_n_out(n); j++)
        gmp_fprintf(stderr, "#   out y%zu * %Qd + %Qd\n", j, n->out_scale[j], n->out_shift[j]);
}
