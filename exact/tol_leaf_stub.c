/* tol_leaf_stub.c -- STAND-IN for the trusted leaf bound and the tolerance
 * certificate checker (issue 14): plain interval arithmetic with outward
 * rounding, so that the finder (bound/tol_search.c) can be built and
 * tested before the real ones (the "leafcheck" branch, exact/) land. The
 * lead drops this file at merge; nothing else depends on how it works. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/tolerance.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "json_support.h"

static double down(double x) { return nextafter(x, -INFINITY); }
static double up(double x) { return nextafter(x, INFINITY); }

/* [*lo, *hi] encloses the rational Q. */
static void q_enclose(double *lo, double *hi, const mpq_t q)
{
    double d = lump_rat_get_d(q);
    mpq_t t;
    int c;
    if (isinf(d)) {
        *lo = d > 0 ? DBL_MAX : -INFINITY;
        *hi = d > 0 ? INFINITY : -DBL_MAX;
        return;
    }
    mpq_init(t);
    mpq_set_d(t, d);
    c = mpq_cmp(t, q);
    mpq_clear(t);
    *lo = c <= 0 ? d : down(d);
    *hi = c >= 0 ? d : up(d);
}

typedef struct {
    size_t size, in_size;
    double *wlo, *whi, *blo, *bhi;
    int *kind;        /* 0 identity, 1 relu, 2 leaky */
    double *alo, *ahi; /* leaky slopes */
} ilayer_t;

typedef struct {
    const lump_net_t *net;
    ilayer_t *l;
    size_t width; /* the widest layer */
} inet_t;

struct lump_tol_pair {
    inet_t n[2];
    size_t *out, n_out, n_inputs;
};

static void inet_free(inet_t *in)
{
    if (in->l == NULL)
        return;
    for (size_t i = 0; i < in->net->n_layers; i++) {
        ilayer_t *L = &in->l[i];
        free(L->wlo); free(L->whi); free(L->blo); free(L->bhi);
        free(L->kind); free(L->alo); free(L->ahi);
    }
    free(in->l);
}

static lump_error_t inet_prepare(inet_t *in, const lump_net_t *net, const char *which)
{
    mpq_t q;
    in->net = net;
    in->width = net->n_inputs;
    in->l = lump_alloc_zero(net->n_layers, sizeof *in->l);
    mpq_init(q);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *src = &net->layers[i];
        ilayer_t *L = &in->l[i];
        size_t nw = src->size * src->in_size;
        L->size = src->size;
        L->in_size = src->in_size;
        if (L->size > in->width)
            in->width = L->size;
        L->wlo = lump_alloc_array(nw ? nw : 1, sizeof(double));
        L->whi = lump_alloc_array(nw ? nw : 1, sizeof(double));
        L->blo = lump_alloc_array(L->size ? L->size : 1, sizeof(double));
        L->bhi = lump_alloc_array(L->size ? L->size : 1, sizeof(double));
        L->kind = lump_alloc_array(L->size ? L->size : 1, sizeof(int));
        L->alo = lump_alloc_zero(L->size ? L->size : 1, sizeof(double));
        L->ahi = lump_alloc_zero(L->size ? L->size : 1, sizeof(double));
        for (size_t k = 0; k < nw; k++) {
            lump_arr_get(q, &src->weight, k);
            q_enclose(&L->wlo[k], &L->whi[k], q);
        }
        for (size_t v = 0; v < L->size; v++) {
            const lump_act_t *a = lump_layer_act(src, v);
            lump_arr_get(q, &src->bias, v);
            q_enclose(&L->blo[v], &L->bhi[v], q);
            switch (a->kind) {
            case LUMP_ACT_IDENTITY: L->kind[v] = 0; break;
            case LUMP_ACT_RELU: L->kind[v] = 1; break;
            case LUMP_ACT_LEAKY_RELU:
                L->kind[v] = 2;
                q_enclose(&L->alo[v], &L->ahi[v], a->alpha);
                if (L->alo[v] < 0) {
                    mpq_clear(q);
                    return lump_error_set(LUMP_EUNSUPPORTED,
                                          "network %s: layer %zu: leaky relu with a negative "
                                          "slope: the leaf bound cannot bound it",
                                          which, i + 1);
                }
                break;
            default:
                mpq_clear(q);
                return lump_error_set(LUMP_EUNSUPPORTED,
                                      "network %s: layer %zu: activation %s: the leaf bound "
                                      "handles piecewise-linear networks only",
                                      which, i + 1, lump_act_name(a->kind));
            }
        }
    }
    mpq_clear(q);
    return LUMP_OK;
}

/* lump_tol_pair_new -- see tolerance.h. */
lump_error_t lump_tol_pair_new(lump_tol_pair_t **pp, const lump_net_t *a, const lump_net_t *b,
                               const size_t *outputs, size_t n_outputs)
{
    lump_error_t err = LUMP_OK;
    lump_tol_pair_t *p = lump_alloc_zero(1, sizeof *p);
    size_t na = lump_net_n_outputs(a), nb = lump_net_n_outputs(b);
    *pp = NULL;
    if (a->n_inputs != b->n_inputs)
        LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "A has %zu inputs and B %zu", a->n_inputs,
                                  b->n_inputs));
    if (na != nb)
        LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "A has %zu outputs and B %zu", na, nb));
    p->n_inputs = a->n_inputs;
    p->n_out = outputs != NULL ? n_outputs : na;
    p->out = lump_alloc_array(p->n_out ? p->n_out : 1, sizeof *p->out);
    for (size_t k = 0; k < p->n_out; k++) {
        p->out[k] = outputs != NULL ? outputs[k] : k;
        if (p->out[k] >= na)
            LUMP_CHECK(lump_error_set(LUMP_EUSAGE, "output %zu out of range (the networks "
                                      "have %zu outputs)", p->out[k], na));
    }
    LUMP_CHECK(inet_prepare(&p->n[0], a, "A"));
    LUMP_CHECK(inet_prepare(&p->n[1], b, "B"));
    *pp = p;
    p = NULL;
cleanup:
    lump_tol_pair_free(p);
    return err;
}

/* lump_tol_pair_free -- see tolerance.h. */
void lump_tol_pair_free(lump_tol_pair_t *p)
{
    if (p == NULL)
        return;
    inet_free(&p->n[0]);
    inet_free(&p->n[1]);
    free(p->out);
    free(p);
}

/* [lo, hi] := [lo, hi] * [cl, ch], rounded outward. */
static void imul(double *lo, double *hi, double cl, double ch)
{
    double p1 = *lo * cl, p2 = *lo * ch, p3 = *hi * cl, p4 = *hi * ch;
    double mn = fmin(fmin(p1, p2), fmin(p3, p4)), mx = fmax(fmax(p1, p2), fmax(p3, p4));
    *lo = down(mn);
    *hi = up(mx);
}

/* the output enclosures of one network on [in_lo, in_hi]; OLO/OHI get
 * every output; XL/XH/YL/YH are scratch of the widest layer */
static void ieval(const inet_t *in, const double *in_lo, const double *in_hi, double *olo,
                  double *ohi, double *xl, double *xh, double *yl, double *yh)
{
    const lump_net_t *net = in->net;
    double cl, ch;
    for (size_t i = 0; i < net->n_inputs; i++) {
        xl[i] = in_lo[i];
        xh[i] = in_hi[i];
        if (net->has_clip) {
            double c1, c2, c3, c4;
            q_enclose(&c1, &c2, net->clip_lo[i]);
            q_enclose(&c3, &c4, net->clip_hi[i]);
            xl[i] = fmin(fmax(xl[i], c1), c3);
            xh[i] = fmin(fmax(xh[i], c2), c4);
        }
        if (net->has_norm) {
            q_enclose(&cl, &ch, net->norm_mean[i]);
            xl[i] = down(xl[i] - ch);
            xh[i] = up(xh[i] - cl);
            q_enclose(&cl, &ch, net->norm_range[i]);
            if (cl <= 0 && ch >= 0) {
                xl[i] = -INFINITY;
                xh[i] = INFINITY;
            } else {
                double r1 = cl > 0 ? down(1 / ch) : down(1 / cl);
                double r2 = cl > 0 ? up(1 / cl) : up(1 / ch);
                imul(&xl[i], &xh[i], fmin(r1, r2), fmax(r1, r2));
            }
        }
    }
    for (size_t li = 0; li < net->n_layers; li++) {
        const ilayer_t *L = &in->l[li];
        for (size_t v = 0; v < L->size; v++) {
            double sl = L->blo[v], sh = L->bhi[v];
            const double *wl = L->wlo + v * L->in_size, *wh = L->whi + v * L->in_size;
            for (size_t u = 0; u < L->in_size; u++) {
                double pl = xl[u], ph = xh[u];
                if (wl[u] == wh[u]) {
                    double w = wl[u];
                    if (w == 0)
                        continue;
                    pl = w > 0 ? down(w * xl[u]) : down(w * xh[u]);
                    ph = w > 0 ? up(w * xh[u]) : up(w * xl[u]);
                } else
                    imul(&pl, &ph, wl[u], wh[u]);
                sl = down(sl + pl);
                sh = up(sh + ph);
            }
            switch (L->kind[v]) {
            case 1:
                sl = fmax(sl, 0);
                sh = fmax(sh, 0);
                break;
            case 2:
                /* monotone for a slope >= 0: the ends map to the ends */
                if (sl < 0)
                    sl = down(sl * L->ahi[v]);
                if (sh < 0)
                    sh = up(sh * L->alo[v]);
                break;
            default: break;
            }
            yl[v] = sl;
            yh[v] = sh;
        }
        memcpy(xl, yl, L->size * sizeof *xl);
        memcpy(xh, yh, L->size * sizeof *xh);
    }
    {
        size_t no = lump_net_n_outputs(net);
        for (size_t j = 0; j < no; j++) {
            olo[j] = xl[j];
            ohi[j] = xh[j];
            if (net->has_outmap) {
                q_enclose(&cl, &ch, net->out_scale[j]);
                imul(&olo[j], &ohi[j], cl, ch);
                q_enclose(&cl, &ch, net->out_shift[j]);
                olo[j] = down(olo[j] + cl);
                ohi[j] = up(ohi[j] + ch);
            }
        }
    }
}

/* lump_tol_leaf_bound -- see tolerance.h. */
double lump_tol_leaf_bound(const lump_tol_pair_t *p, const double *lo, const double *hi)
{
    size_t w = p->n[0].width > p->n[1].width ? p->n[0].width : p->n[1].width;
    double *s = lump_alloc_array(8 * (w ? w : 1), sizeof(double));
    double *al = s, *ah = s + w, *bl = s + 2 * w, *bh = s + 3 * w;
    double u = 0;
    ieval(&p->n[0], lo, hi, al, ah, s + 4 * w, s + 5 * w, s + 6 * w, s + 7 * w);
    ieval(&p->n[1], lo, hi, bl, bh, s + 4 * w, s + 5 * w, s + 6 * w, s + 7 * w);
    for (size_t k = 0; k < p->n_out; k++) {
        size_t j = p->out[k];
        double d1 = up(ah[j] - bl[j]), d2 = up(bh[j] - al[j]);
        double d = fmax(d1, d2);
        if (isnan(d1) || isnan(d2))
            d = INFINITY;
        u = fmax(u, d);
    }
    free(s);
    return isnan(u) ? INFINITY : u;
}

/* ---- the stand-in checker: re-runs the tree's leaves through the leaf
 * bound above ---- */

typedef struct {
    const lump_tol_pair_t *pair;
    json_t *tree;
    size_t idx, n, inputs;
    mpq_t *lo, *hi; /* the current node's exact box */
    mpq_t tol;
    char *why;
    size_t whylen;
} walk_t;

static int walk(walk_t *w, size_t depth)
{
    json_t *node, *v;
    if (w->idx >= w->n || depth > 100000) {
        snprintf(w->why, w->whylen, "tree: ends inside a subtree");
        return 0;
    }
    node = json_array_get(w->tree, w->idx++);
    if ((v = json_object_get(node, "leaf")) != NULL) {
        double *dl = lump_alloc_array(w->inputs + 1, sizeof(double));
        double *dh = lump_alloc_array(w->inputs + 1, sizeof(double));
        double u, t;
        int ok;
        mpq_t uq;
        for (size_t i = 0; i < w->inputs; i++) {
            q_enclose(&dl[i], &t, w->lo[i]);
            q_enclose(&t, &dh[i], w->hi[i]);
        }
        u = lump_tol_leaf_bound(w->pair, dl, dh);
        free(dl);
        free(dh);
        if (!isfinite(u)) {
            snprintf(w->why, w->whylen, "tree[%zu]: leaf bound is infinite", w->idx - 1);
            return 0;
        }
        mpq_init(uq);
        mpq_set_d(uq, u);
        ok = mpq_cmp(uq, w->tol) <= 0;
        mpq_clear(uq);
        if (!ok)
            snprintf(w->why, w->whylen, "tree[%zu]: leaf bound %.6g exceeds the tolerance",
                     w->idx - 1, u);
        return ok;
    }
    {
        json_t *d = json_object_get(node, "split"), *at = json_object_get(node, "at");
        mpq_t a, save;
        size_t k;
        int ok;
        if (!json_is_integer(d) || !json_is_string(at) || json_integer_value(d) < 0 ||
            (size_t)json_integer_value(d) >= w->inputs) {
            snprintf(w->why, w->whylen, "tree[%zu]: neither a leaf nor a valid split",
                     w->idx - 1);
            return 0;
        }
        k = (size_t)json_integer_value(d);
        mpq_init(a);
        mpq_init(save);
        if (lump_rat_parse_cstr(a, json_string_value(at)) != LUMP_OK ||
            mpq_cmp(w->lo[k], a) >= 0 || mpq_cmp(a, w->hi[k]) >= 0) {
            snprintf(w->why, w->whylen, "tree[%zu]: split point not inside its interval",
                     w->idx - 1);
            mpq_clear(a);
            mpq_clear(save);
            return 0;
        }
        mpq_set(save, w->hi[k]);
        mpq_set(w->hi[k], a);
        ok = walk(w, depth + 1);
        mpq_set(w->hi[k], save);
        if (ok) {
            mpq_set(save, w->lo[k]);
            mpq_set(w->lo[k], a);
            ok = walk(w, depth + 1);
            mpq_set(w->lo[k], save);
        }
        mpq_clear(a);
        mpq_clear(save);
        return ok;
    }
}

/* lump_tol_cert_check -- see tolerance.h (stand-in). */
lump_error_t lump_tol_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                 const lump_net_t *a, const lump_net_t *b, const char *buf,
                                 size_t len, const char *name)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *box, *outs;
    lump_tol_pair_t *pair = NULL;
    size_t *out = NULL, n_out = 0;
    walk_t w;
    memset(&w, 0, sizeof w);
    mpq_init(w.tol);
    *valid = LUMP_FALSE;
    snprintf(why, whylen, "malformed");
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    outs = json_object_get(root, "outputs");
    box = json_object_get(root, "box");
    w.tree = json_object_get(root, "tree");
    if (!lump_cert_is_tolerance(buf, len) || !json_is_array(outs) || !json_is_array(box) ||
        !json_is_array(w.tree) || !json_is_string(json_object_get(root, "tolerance")) ||
        json_array_size(box) != a->n_inputs)
        goto cleanup;
    if (lump_rat_parse_cstr(w.tol, json_string_value(json_object_get(root, "tolerance"))) !=
        LUMP_OK)
        goto cleanup;
    n_out = json_array_size(outs);
    out = lump_alloc_array(n_out + 1, sizeof *out);
    for (size_t k = 0; k < n_out; k++) {
        json_t *o = json_array_get(outs, k);
        if (!json_is_integer(o) || json_integer_value(o) < 0)
            goto cleanup;
        out[k] = (size_t)json_integer_value(o);
    }
    LUMP_CHECK(lump_tol_pair_new(&pair, a, b, out, n_out));
    w.pair = pair;
    w.inputs = a->n_inputs;
    w.n = json_array_size(w.tree);
    w.why = why;
    w.whylen = whylen;
    w.lo = lump_alloc_array(w.inputs + 1, sizeof(mpq_t));
    w.hi = lump_alloc_array(w.inputs + 1, sizeof(mpq_t));
    for (size_t i = 0; i < w.inputs; i++) {
        json_t *iv = json_array_get(box, i);
        mpq_init(w.lo[i]);
        mpq_init(w.hi[i]);
        if (!json_is_array(iv) || json_array_size(iv) != 2 ||
            !json_is_string(json_array_get(iv, 0)) || !json_is_string(json_array_get(iv, 1)) ||
            lump_rat_parse_cstr(w.lo[i], json_string_value(json_array_get(iv, 0))) != LUMP_OK ||
            lump_rat_parse_cstr(w.hi[i], json_string_value(json_array_get(iv, 1))) != LUMP_OK) {
            for (size_t k = 0; k <= i; k++) {
                mpq_clear(w.lo[k]);
                mpq_clear(w.hi[k]);
            }
            free(w.lo);
            free(w.hi);
            w.lo = w.hi = NULL;
            goto cleanup;
        }
    }
    if (walk(&w, 0)) {
        if (w.idx != w.n)
            snprintf(why, whylen, "tree: %zu entries after the tree", w.n - w.idx);
        else {
            *valid = LUMP_TRUE;
            snprintf(why, whylen, "valid");
        }
    }
    lump_rat_vec_free(w.lo, w.inputs);
    lump_rat_vec_free(w.hi, w.inputs);
cleanup:
    lump_tol_pair_free(pair);
    free(out);
    mpq_clear(w.tol);
    json_decref(root);
    return err;
}

/* lump_cert_is_tolerance -- see tolerance.h (stand-in). */
int lump_cert_is_tolerance(const char *buf, size_t len)
{
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
    const char *s;
    int yes;
    if (root == NULL)
        return 0;
    s = json_string_value(json_object_get(root, "format"));
    yes = s != NULL && strcmp(s, "lumpnet-tolerance-certificate") == 0;
    json_decref(root);
    return yes;
}
