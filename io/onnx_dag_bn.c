/* onnx_dag_bn.c -- an inference-mode BatchNormalization of an ONNX graph,
 * y = scale (x - mean) / sqrt(var + epsilon) + B per channel, as the
 * affine map y = s x + t per channel: folded into the Conv or dense node
 * before it when nothing else reads that node, else an elementwise affine
 * node. s is exact when var + epsilon is the square of a rational, else
 * rounded to the nearest double, and the rounding is stated in one warning
 * (docs/formats.md): the network read, and any file written from it, is
 * then the one with the rounded factors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <mpfr.h>
#include "onnx.pb-c.h"
#include "onnx_dag.h"
#include "alloc_i.h"

/* The inputs after X: scale, B, input_mean, input_var. */
enum { BN_SCALE, BN_B, BN_MEAN, BN_VAR, BN_NPARAM };
static const char *const bn_role[BN_NPARAM] = {"scale", "B", "input_mean", "input_var"};

/* The per-channel map y = S[c] x + T[c] of one BatchNormalization. */
typedef struct {
    size_t ch;
    mpq_t *s, *t;
    size_t rounded; /* channels whose factor was rounded */
    double max_rel; /* the largest relative rounding of a factor */
} bn_t;

/* round_sqrt -- *OUT = sqrt(Q) rounded to the nearest double, for Q > 0 a
 * rational that is not a square (so sqrt(Q) is never a midpoint of two
 * doubles, which are rational: no ties). A 128-bit MPFR guess is checked
 * exactly against the midpoints on either side and moved until it lies
 * between them, so the result is the nearest double, not just close to
 * it. M and M2 are scratch. Returns 0, or -1 when the nearest double is
 * zero or not finite. O(1) rational operations on numbers of Q's size. */
static int round_sqrt(double *out, const mpq_t q, mpq_t m, mpq_t m2)
{
    mpfr_t f;
    double c;
    mpfr_init2(f, 128);
    mpfr_set_q(f, q, MPFR_RNDN);
    mpfr_sqrt(f, f, MPFR_RNDN);
    c = mpfr_get_d(f, MPFR_RNDN);
    mpfr_clear(f);
    for (;;) {
        double nb[2];
        int moved = 0;
        if (!(c > 0) || !isfinite(c))
            return -1;
        nb[0] = nextafter(c, 0);
        nb[1] = nextafter(c, INFINITY);
        if (!isfinite(nb[1]))
            return -1;
        for (int side = 0; side < 2 && !moved; side++) {
            int cmp;
            mpq_set_d(m, c);
            mpq_set_d(m2, nb[side]);
            mpq_add(m, m, m2);
            mpq_div_2exp(m, m, 1);
            mpq_mul(m, m, m);
            cmp = mpq_cmp(q, m);
            if (side == 0 ? cmp < 0 : cmp > 0) {
                c = nb[side];
                moved = 1;
            }
        }
        if (!moved)
            break;
    }
    *out = c;
    return 0;
}

/* bn_factors -- BN->s and BN->t of node K from its four constants P and
 * EPS: s = scale / sqrt(var + eps) (exact when var + eps is a square,
 * else the nearest double, counted in BN->rounded and BN->max_rel) and
 * t = B - s mean. O(channels) rational operations. */
static lump_error_t bn_factors(dag_t *d, size_t k, bn_t *bn, cst_t *const *p, float eps)
{
    lump_error_t err = LUMP_OK;
    mpq_t v, q, m, m2;
    mpz_t r;
    mpfr_t f, g;
    mpq_inits(v, q, m, m2, NULL);
    mpz_init(r);
    mpfr_inits2(128, f, g, (mpfr_ptr)NULL);
    for (size_t c = 0; c < bn->ch; c++) {
        double scale = lump_i_onnx_cst_at(p[BN_SCALE], c);
        mpq_set_d(v, lump_i_onnx_cst_at(p[BN_VAR], c));
        mpq_set_d(m, (double)eps);
        mpq_add(v, v, m);
        if (mpq_sgn(v) <= 0) {
            err = lump_i_dag_err(d, k,
                                 "channel %zu: input_var + epsilon = %.9g + %.9g is not "
                                 "positive",
                                 c, lump_i_onnx_cst_at(p[BN_VAR], c), (double)eps);
            goto cleanup;
        }
        if (scale == 0) {
            mpq_set_ui(bn->s[c], 0, 1);
        } else if (mpz_perfect_square_p(mpq_numref(v)) && mpz_perfect_square_p(mpq_denref(v))) {
            /* s = scale * sqrt(den) / sqrt(num), exactly */
            mpq_set_d(bn->s[c], scale);
            mpz_sqrt(r, mpq_denref(v));
            mpz_mul(mpq_numref(bn->s[c]), mpq_numref(bn->s[c]), r);
            mpz_sqrt(r, mpq_numref(v));
            mpz_mul(mpq_denref(bn->s[c]), mpq_denref(bn->s[c]), r);
            mpq_canonicalize(bn->s[c]);
        } else {
            /* |s| = sqrt(scale^2 / v), rounded to nearest */
            double a, rel;
            mpq_set_d(q, scale);
            mpq_mul(q, q, q);
            mpq_div(q, q, v);
            if (round_sqrt(&a, q, m, m2) != 0) {
                err = lump_i_dag_err(d, k,
                                     "channel %zu: the factor scale / sqrt(input_var + "
                                     "epsilon) is beyond the range of a double",
                                     c);
                goto cleanup;
            }
            mpq_set_d(bn->s[c], copysign(a, scale));
            mpfr_set_q(f, q, MPFR_RNDN);
            mpfr_sqrt(f, f, MPFR_RNDN);
            mpfr_set_d(g, a, MPFR_RNDN);
            mpfr_sub(g, g, f, MPFR_RNDN);
            mpfr_div(g, g, f, MPFR_RNDN);
            rel = fabs(mpfr_get_d(g, MPFR_RNDU));
            if (rel > bn->max_rel)
                bn->max_rel = rel;
            bn->rounded++;
        }
        /* t = B - s mean */
        mpq_set_d(m, lump_i_onnx_cst_at(p[BN_MEAN], c));
        mpq_mul(m, m, bn->s[c]);
        mpq_set_d(bn->t[c], lump_i_onnx_cst_at(p[BN_B], c));
        mpq_sub(bn->t[c], bn->t[c], m);
    }
cleanup:
    mpq_clears(v, q, m, m2, NULL);
    mpz_clear(r);
    mpfr_clears(f, g, (mpfr_ptr)NULL);
    return err;
}

/* fold -- N (a Conv or dense node, output channels first) followed by the
 * map BN: N's weights of output channel c times s_c, its bias b_c becomes
 * s_c b_c + t_c, exactly. O(weights) rational operations. */
static lump_error_t fold(lump_graph_node_t *n, const bn_t *bn, mpq_t t)
{
    lump_error_t err = LUMP_OK;
    size_t per = n->weight.len / bn->ch;
    if (!n->has_bias) {
        LUMP_CHECK(lump_arr_alloc(&n->bias, LUMP_STORE_F32, bn->ch));
        n->has_bias = 1;
    }
    for (size_t c = 0; c < bn->ch; c++) {
        if (mpq_cmp_ui(bn->s[c], 1, 1) != 0)
            for (size_t e = c * per; e < (c + 1) * per; e++) {
                lump_arr_get(t, &n->weight, e);
                mpq_mul(t, t, bn->s[c]);
                LUMP_CHECK(lump_arr_set(&n->weight, e, t));
            }
        lump_arr_get(t, &n->bias, c);
        mpq_mul(t, t, bn->s[c]);
        mpq_add(t, t, bn->t[c]);
        LUMP_CHECK(lump_arr_set(&n->bias, c, t));
    }
cleanup:
    return err;
}

/* affine -- N (an AFFINE node of BN's input shape) := the map BN, each
 * channel's s and t repeated over its entries. O(size). */
static lump_error_t affine(lump_graph_node_t *n, const bn_t *bn)
{
    lump_error_t err = LUMP_OK;
    size_t per = n->shape.size / bn->ch;
    LUMP_CHECK(lump_arr_alloc(&n->weight, LUMP_STORE_F32, n->shape.size));
    LUMP_CHECK(lump_arr_alloc(&n->bias, LUMP_STORE_F32, n->shape.size));
    n->has_bias = 1;
    for (size_t i = 0; i < n->shape.size; i++) {
        LUMP_CHECK(lump_arr_set(&n->weight, i, bn->s[i / per]));
        LUMP_CHECK(lump_arr_set(&n->bias, i, bn->t[i / per]));
    }
cleanup:
    return err;
}

/* node_name -- ONNX node K's name, or its output when it has none. */
static const char *node_name(const dag_t *d, size_t k)
{
    const Onnx__NodeProto *o = d->c.g->node[k];
    return o->name != NULL && *o->name ? o->name : o->output[0];
}

/* lump_i_dag_bn_warn -- see onnx_dag.h. */
void lump_i_dag_bn_warn(const dag_t *d)
{
    char first[512], worst[512];
    if (d->bn_nodes == 0)
        return;
    if (d->bn_nodes == 1)
        snprintf(first, sizeof first, "node %zu '%s'", d->bn_first, node_name(d, d->bn_first));
    else
        snprintf(first, sizeof first, "%zu nodes, the first node %zu '%s'", d->bn_nodes,
                 d->bn_first, node_name(d, d->bn_first));
    /* with one rounded node, the worst is that node: name it once */
    if (d->bn_nodes == 1)
        worst[0] = '\0';
    else
        snprintf(worst, sizeof worst, ", node %zu '%s'", d->bn_worst, node_name(d, d->bn_worst));
    lump_warn("%s: BatchNormalization (%s): var + epsilon is not the square of a rational in "
              "%zu of %zu channels, so their factors scale / sqrt(var + epsilon) were rounded "
              "to the nearest double (largest relative error %.3g%s); the network "
              "analysed is the one with the rounded factors",
              d->c.name, first, d->bn_rounded, d->bn_channels, d->bn_max_rel, worst);
}

/* check_node -- the attributes and outputs of node K: inference mode
 * (training_mode 0, spatial 1), one output; *EPS the epsilon. */
static lump_error_t check_node(dag_t *d, size_t k, float *eps)
{
    const Onnx__NodeProto *o = d->c.g->node[k];
    int64_t training = 0, spatial = 1;
    const char *why = lump_i_onnx_attr_float(o, "epsilon", 1e-5f, eps);
    if (why != NULL)
        return lump_i_dag_err(d, k, "attribute epsilon %s", why);
    if ((why = lump_i_onnx_attr_int(o, "training_mode", 0, &training)) != NULL)
        return lump_i_dag_err(d, k, "attribute training_mode %s", why);
    if (training != 0)
        return lump_i_dag_err(d, k,
                              "training_mode %lld: only inference mode (training_mode 0, "
                              "the running statistics) is supported",
                              (long long)training);
    if ((why = lump_i_onnx_attr_int(o, "spatial", 1, &spatial)) != NULL)
        return lump_i_dag_err(d, k, "attribute spatial %s", why);
    if (spatial != 1)
        return lump_i_dag_err(d, k, "spatial %lld: only statistics per channel are supported",
                              (long long)spatial);
    for (size_t i = 1; i < o->n_output; i++)
        if (o->output[i] != NULL && *o->output[i] != '\0')
            return lump_i_dag_err(d, k,
                                  "output %zu ('%s'): the statistics outputs of training are "
                                  "not supported",
                                  i, o->output[i]);
    return LUMP_OK;
}

/* lump_i_dag_batchnorm -- see onnx_dag.h. */
lump_error_t lump_i_dag_batchnorm(dag_t *d, size_t k)
{
    lump_error_t err = LUMP_OK;
    const Onnx__NodeProto *o = d->c.g->node[k];
    cst_t *p[BN_NPARAM];
    size_t x, node, params = 0;
    float eps = 1e-5f;
    const dname_t *xv;
    lump_graph_node_t *n;
    bn_t bn;
    memset(&bn, 0, sizeof bn);
    LUMP_CHECK(lump_i_dag_tensor_in(d, k, 0, &x));
    for (int i = 0; i < BN_NPARAM; i++)
        LUMP_CHECK(lump_i_dag_const_in(d, k, (size_t)i + 1, 0, &p[i]));
    LUMP_CHECK(check_node(d, k, &eps));
    bn.ch = d->g->nodes[x].shape.dim[0];
    for (int i = 0; i < BN_NPARAM; i++) {
        if (p[i]->count != bn.ch) {
            err = lump_i_dag_err(d, k,
                                 "%s '%s' has %zu values for %zu channels (dimension 1 of the "
                                 "input)",
                                 bn_role[i], p[i]->name, p[i]->count, bn.ch);
            goto cleanup;
        }
        params += p[i]->count;
    }
    bn.s = lump_alloc_array(bn.ch, sizeof *bn.s);
    bn.t = lump_alloc_array(bn.ch, sizeof *bn.t);
    for (size_t c = 0; c < bn.ch; c++)
        mpq_inits(bn.s[c], bn.t[c], NULL);
    LUMP_CHECK(bn_factors(d, k, &bn, p, eps));
    xv = lump_i_dag_find(d, o->input[0]);
    n = &d->g->nodes[x];
    if ((n->op == LUMP_GOP_CONV || n->op == LUMP_GOP_DENSE) && xv->readers == 1) {
        LUMP_CHECK(fold(n, &bn, d->t));
        node = x;
    } else {
        node = lump_i_dag_node(d, k, LUMP_GOP_AFFINE, &x, 1);
        n = &d->g->nodes[node];
        n->shape = d->g->nodes[x].shape;
        LUMP_CHECK(affine(n, &bn));
    }
    n->params += params;
    lump_i_dag_bind(d, k, 0, node);
    if (bn.rounded > 0) {
        if (d->bn_nodes++ == 0)
            d->bn_first = k;
        if (d->bn_nodes == 1 || bn.max_rel > d->bn_max_rel) {
            d->bn_max_rel = bn.max_rel;
            d->bn_worst = k;
        }
        d->bn_rounded += bn.rounded;
        d->bn_channels += bn.ch;
    }
cleanup:
    for (size_t c = 0; bn.s != NULL && c < bn.ch; c++)
        mpq_clears(bn.s[c], bn.t[c], NULL);
    LUMP_FREE_ALL(bn.s, bn.t);
    return err;
}
