/* tol_pair.c -- A and B prepared for the trusted leaf bound (tol_leaf.c):
 * exact weights, biases and maps enclosed once in doubles */
/* Part of the trusted base of tolerance verdicts (see tol_leaf.c): it
 * reads the network model directly, not through bound/ or the activation
 * descriptor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/tolerance.h"
#include "alloc_i.h"
#include "tol_i.h"

/* Q enclosed as MID + [-RAD, RAD]: MID the lower end, RAD the width
 * rounded up (0 when Q is a double). */
static void enclose_mid(double *mid, double *rad, const mpq_t q)
{
    double lo, hi;
    lump_i_tol_enclose_q(&lo, &hi, q);
    *mid = lo;
    *rad = lo == hi ? 0 : nextafter(hi - lo, INFINITY);
}

static void layer_alloc(lump_i_tlayer_t *t, size_t size, size_t in, int diag)
{
    size_t nw = diag ? size : size * in;
    t->size = size;
    t->in = in;
    t->diag = diag;
    t->w = lump_alloc_zero(nw > 0 ? nw : 1, sizeof *t->w);
    t->wr = lump_alloc_zero(nw > 0 ? nw : 1, sizeof *t->wr);
    t->b = lump_alloc_zero(size > 0 ? size : 1, sizeof *t->b);
    t->br = lump_alloc_zero(size > 0 ? size : 1, sizeof *t->br);
    t->relu = lump_alloc_zero(size > 0 ? size : 1, 1);
    t->wp = t->wn = t->w1 = NULL;
    t->idx = NULL;
    t->npos = t->nnz = NULL;
}

static void layer_free(lump_i_tlayer_t *t)
{
    LUMP_FREE_ALL(t->w, t->wr, t->b, t->br, t->relu, t->wp, t->wn, t->w1, t->idx, t->npos, t->nnz);
}

/* Drop radius arrays that are all 0, so the walk skips them. */
static void layer_trim(lump_i_tlayer_t *t)
{
    size_t nw = t->diag ? t->size : t->size * t->in, i;
    for (i = 0; i < nw && t->wr[i] == 0; i++)
        ;
    if (i == nw) {
        free(t->wr);
        t->wr = NULL;
    }
    for (i = 0; i < t->size && t->br[i] == 0; i++)
        ;
    if (i == t->size) {
        free(t->br);
        t->br = NULL;
    }
}

/* The positive and negative parts of the weights and the row sums of
 * their absolute values (rounded up), which the walk reads. */
static void layer_parts(lump_i_tlayer_t *t)
{
    size_t nw = t->diag ? t->size : t->size * t->in, m = t->diag ? 1 : t->in;
    t->wp = lump_alloc_array(nw > 0 ? nw : 1, sizeof *t->wp);
    t->wn = lump_alloc_array(nw > 0 ? nw : 1, sizeof *t->wn);
    t->w1 = lump_alloc_array(t->size > 0 ? t->size : 1, sizeof *t->w1);
    for (size_t i = 0; i < nw; i++) {
        t->wp[i] = t->w[i] > 0 ? t->w[i] : 0;
        t->wn[i] = t->w[i] < 0 ? t->w[i] : 0;
    }
    for (size_t v = 0; v < t->size; v++) {
        double s = 0;
        for (size_t u = 0; u < m; u++) {
            double a = fabs(t->w[v * m + u]);
            if (a != 0)
                s = s == 0 ? a : nextafter(s + a, INFINITY);
        }
        t->w1[v] = s;
    }
    if (t->diag)
        return;
    /* the nonzero columns of each row, positive ones first: the walk then
     * does one product per weight instead of two (tol_leaf.c, affine_row) */
    t->idx = lump_alloc_array(nw > 0 ? nw : 1, sizeof *t->idx);
    t->npos = lump_alloc_array(t->size > 0 ? t->size : 1, sizeof *t->npos);
    t->nnz = lump_alloc_array(t->size > 0 ? t->size : 1, sizeof *t->nnz);
    for (size_t v = 0; v < t->size; v++) {
        size_t k = 0;
        for (size_t u = 0; u < m; u++)
            if (t->w[v * m + u] > 0)
                t->idx[v * m + k++] = (unsigned)u;
        t->npos[v] = k;
        for (size_t u = 0; u < m; u++)
            if (t->w[v * m + u] < 0)
                t->idx[v * m + k++] = (unsigned)u;
        t->nnz[v] = k;
    }
}

/* Enclose array entry I of A: exact for binary float storage. */
static void enclose_arr(double *mid, double *rad, const lump_arr_t *a, size_t i, mpq_t t)
{
    if (a->store == LUMP_STORE_F32 || a->store == LUMP_STORE_F64) {
        *mid = lump_arr_get_d(a, i);
        *rad = 0;
        return;
    }
    lump_arr_get(t, a, i);
    enclose_mid(mid, rad, t);
}

static lump_error_t load_layer(lump_i_tlayer_t *t, const lump_layer_t *L, const char *which, size_t k)
{
    mpq_t q;
    layer_alloc(t, L->size, L->in_size, 0);
    mpq_init(q);
    for (size_t v = 0; v < L->size; v++) {
        lump_act_kind_t kind = lump_layer_act(L, v)->kind;
        if (kind != LUMP_ACT_RELU && kind != LUMP_ACT_IDENTITY) {
            mpq_clear(q);
            return lump_error_set(LUMP_EUNSUPPORTED,
                                  "network %s, layer %zu, neuron %zu: %s activation: the "
                                  "trusted tolerance bound handles identity and relu only",
                                  which, k + 1, v, lump_act_name(kind));
        }
        t->relu[v] = kind == LUMP_ACT_RELU;
        for (size_t u = 0; u < L->in_size; u++)
            enclose_arr(&t->w[v * L->in_size + u], &t->wr[v * L->in_size + u], &L->weight,
                        v * L->in_size + u, q);
        enclose_arr(&t->b[v], &t->br[v], &L->bias, v, q);
    }
    mpq_clear(q);
    return LUMP_OK;
}

/* The normalisation x' = x / r - m / r as a diagonal layer (identity when
 * NET has none). */
static void load_norm(lump_i_tlayer_t *t, const lump_net_t *net)
{
    mpq_t q;
    layer_alloc(t, net->n_inputs, net->n_inputs, 1);
    mpq_init(q);
    for (size_t i = 0; i < net->n_inputs; i++) {
        if (!net->has_norm) {
            t->w[i] = 1;
            continue;
        }
        mpq_inv(q, net->norm_range[i]);
        enclose_mid(&t->w[i], &t->wr[i], q);
        mpq_div(q, net->norm_mean[i], net->norm_range[i]);
        mpq_neg(q, q);
        enclose_mid(&t->b[i], &t->br[i], q);
    }
    mpq_clear(q);
}

/* The output map y * s + t as a diagonal layer (identity when none). */
static void load_outmap(lump_i_tlayer_t *t, const lump_net_t *net)
{
    size_t m = lump_net_n_outputs(net);
    layer_alloc(t, m, m, 1);
    for (size_t j = 0; j < m; j++) {
        if (!net->has_outmap) {
            t->w[j] = 1;
            continue;
        }
        enclose_mid(&t->w[j], &t->wr[j], net->out_scale[j]);
        enclose_mid(&t->b[j], &t->br[j], net->out_shift[j]);
    }
}

/* D = A - B entrywise, enclosed: the rounding error of the subtraction
 * is found exactly (TwoSum) and added to the radii. */
static double sub_enclosed(double *rad, double a, double ra, double b, double rb)
{
    double s = a - b, bb = s - a, e = (a - (s - bb)) + (-b - bb);
    double r = ra + rb;
    r = r == 0 ? 0 : nextafter(r, INFINITY);
    if (e != 0 || !isfinite(s))
        r = nextafter(r + fabs(e) + (isfinite(s) ? 0 : INFINITY), INFINITY);
    *rad = r;
    return s;
}

static void layer_diff(lump_i_tlayer_t *d, const lump_i_tlayer_t *a, const lump_i_tlayer_t *b)
{
    size_t nw = a->diag ? a->size : a->size * a->in;
    layer_alloc(d, a->size, a->in, a->diag);
    for (size_t i = 0; i < nw; i++)
        d->w[i] = sub_enclosed(&d->wr[i], a->w[i], a->wr[i], b->w[i], b->wr[i]);
    for (size_t v = 0; v < a->size; v++)
        d->b[v] = sub_enclosed(&d->br[v], a->b[v], a->br[v], b->b[v], b->br[v]);
}

static void load_inputs(lump_i_tinput_t *t, const lump_net_t *net)
{
    for (size_t i = 0; i < net->n_inputs; i++) {
        t[i].clip = net->has_clip;
        if (net->has_clip) {
            lump_i_tol_enclose_q(&t[i].clo_dn, &t[i].clo_up, net->clip_lo[i]);
            lump_i_tol_enclose_q(&t[i].chi_dn, &t[i].chi_up, net->clip_hi[i]);
        }
    }
}

/* 1 when A and B clip input I alike (both not, or at equal bounds). */
static int same_clip(const lump_net_t *a, const lump_net_t *b, size_t i)
{
    if (!a->has_clip && !b->has_clip)
        return 1;
    return a->has_clip && b->has_clip && mpq_equal(a->clip_lo[i], b->clip_lo[i]) &&
           mpq_equal(a->clip_hi[i], b->clip_hi[i]);
}

/* lump_tol_pair_free -- see tolerance.h. */
void lump_tol_pair_free(lump_tol_pair_t *p)
{
    if (p == NULL)
        return;
    for (size_t k = 0; k < p->depth; k++) {
        if (p->la != NULL)
            layer_free(&p->la[k]);
        if (p->lb != NULL)
            layer_free(&p->lb[k]);
        if (p->ld != NULL)
            layer_free(&p->ld[k]);
    }
    LUMP_FREE_ALL(p->la, p->lb, p->ld, p->ia, p->ib, p->subst, p->out, p);
}

/* lump_tol_pair_new -- see tolerance.h. The layers are: a normalisation
 * (when either net has one), the network's layers, an output map (when
 * either has one); A and B get the same pseudo-layers so that they stay
 * paired. */
lump_error_t lump_tol_pair_new(lump_tol_pair_t **pp, const lump_net_t *a, const lump_net_t *b,
                               const size_t *outputs, size_t n_outputs)
{
    lump_error_t err = LUMP_OK;
    lump_tol_pair_t *p = NULL;
    size_t na_out, nb_out, k, norm, outmap, depth;
    *pp = NULL;
    LUMP_CHECK(lump_net_validate(a, "network A"));
    LUMP_CHECK(lump_net_validate(b, "network B"));
    if (a->n_inputs != b->n_inputs)
        return lump_error_set(LUMP_EUSAGE, "A has %zu inputs but B has %zu", a->n_inputs,
                              b->n_inputs);
    if (a->n_layers == 0 || b->n_layers == 0)
        return lump_error_set(LUMP_EUSAGE, "network %s has no layers", a->n_layers ? "B" : "A");
    if (n_outputs == 0)
        return lump_error_set(LUMP_EUSAGE, "no output selected");
    na_out = lump_net_n_outputs(a);
    nb_out = lump_net_n_outputs(b);
    for (size_t j = 0; j < n_outputs; j++)
        if (outputs[j] >= na_out || outputs[j] >= nb_out)
            return lump_error_set(LUMP_EUSAGE,
                                  "output %zu is not an output of both networks (A has %zu, "
                                  "B has %zu outputs)",
                                  outputs[j], na_out, nb_out);
    p = lump_alloc_zero(1, sizeof *p);
    p->n = a->n_inputs;
    p->n_out = n_outputs;
    p->qa = a;
    p->qb = b;
    p->out = lump_alloc_array(n_outputs, sizeof *p->out);
    memcpy(p->out, outputs, n_outputs * sizeof *p->out);
    norm = a->has_norm || b->has_norm;
    outmap = a->has_outmap || b->has_outmap;
    p->paired = a->n_layers == b->n_layers;
    depth = norm + (p->paired ? a->n_layers : 0) + outmap;
    if (!p->paired) /* each net walks its own layers; pad the shorter */
        depth = norm + (a->n_layers > b->n_layers ? a->n_layers : b->n_layers) + outmap;
    p->la = lump_alloc_zero(depth, sizeof *p->la);
    p->lb = lump_alloc_zero(depth, sizeof *p->lb);
    p->depth = depth;
    k = 0;
    if (norm) {
        load_norm(&p->la[k], a);
        load_norm(&p->lb[k], b);
        k++;
    }
    for (size_t i = 0; i < depth - norm - outmap; i++, k++) {
        /* the shorter net gets identity layers at the end (unpaired) */
        const lump_net_t *nets[2] = {a, b};
        lump_i_tlayer_t *dst[2] = {&p->la[k], &p->lb[k]};
        for (int s = 0; s < 2; s++) {
            const lump_net_t *net = nets[s];
            if (i < net->n_layers) {
                LUMP_CHECK(load_layer(dst[s], &net->layers[i], s == 0 ? "A" : "B", i));
            } else {
                size_t m = lump_net_n_outputs(net);
                layer_alloc(dst[s], m, m, 1);
                for (size_t j = 0; j < m; j++)
                    dst[s]->w[j] = 1;
            }
        }
    }
    if (outmap) {
        load_outmap(&p->la[k], a);
        load_outmap(&p->lb[k], b);
        k++;
    }
    for (k = 0; k < depth && p->paired; k++) {
        const lump_i_tlayer_t *x = &p->la[k], *y = &p->lb[k];
        if (x->size != y->size || x->in != y->in || x->diag != y->diag ||
            memcmp(x->relu, y->relu, x->size) != 0)
            p->paired = 0;
    }
    if (p->paired) {
        p->ld = lump_alloc_zero(depth, sizeof *p->ld);
        for (k = 0; k < depth; k++) {
            layer_diff(&p->ld[k], &p->la[k], &p->lb[k]);
            layer_trim(&p->ld[k]);
            layer_parts(&p->ld[k]);
        }
    }
    p->width = p->n;
    for (k = 0; k < depth; k++) {
        layer_trim(&p->la[k]);
        layer_trim(&p->lb[k]);
        layer_parts(&p->la[k]);
        layer_parts(&p->lb[k]);
        if (p->la[k].size > p->width)
            p->width = p->la[k].size;
        if (p->lb[k].size > p->width)
            p->width = p->lb[k].size;
    }
    p->ia = lump_alloc_array(p->n > 0 ? p->n : 1, sizeof *p->ia);
    p->ib = lump_alloc_array(p->n > 0 ? p->n : 1, sizeof *p->ib);
    p->subst = lump_alloc_array(p->n > 0 ? p->n : 1, 1);
    load_inputs(p->ia, a);
    load_inputs(p->ib, b);
    for (size_t i = 0; i < p->n; i++)
        p->subst[i] = (unsigned char)same_clip(a, b, i);
    *pp = p;
    return LUMP_OK;
cleanup:
    lump_tol_pair_free(p);
    return err;
}
