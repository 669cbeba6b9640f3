/* stable_check.c -- the independent checker of a box certificate: bounds by
 * exact interval arithmetic or exact weak duality, folding identities,
 * then the lumping steps, all in rationals */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "stable_i.h"
#include "check_why_i.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "net_i.h"

/* Like cert_check.c, this file is part of the trusted base: it never calls
 * the bound tightener, the fold finder or the partition finder. What it
 * relies on besides itself: lump_stable_apply_layer (stable_core.c, a
 * direct transcription of the definition of a stable step) and
 * lump_cert_check for the lumping steps; intermediate quotients may be
 * built by lump_quotient, because lump_cert_check then verifies them.
 *
 * Why the checks suffice. Write N_0 = NET, N_{s+1} = step s applied to
 * N_s. For a stable step, the bounds of layer i hold for every x in the
 * box (induction over the layers: an interval bound is exact interval
 * arithmetic over the previous layer's verified bounds; an LP bound is a
 * weak-duality bound over a relaxation whose every row holds at the true
 * values, given the earlier verified bounds). So an inactive relu (hi <= 0)
 * outputs 0 on the box, and a fold identity between linear neurons turns
 * into an identity between their outputs on the box. Reducing layer i by
 * these facts keeps every later pre-activation unchanged on the box, so
 * N_{s+1} = N_s on the box. A lumping step keeps the function everywhere
 * (lump_cert_check). The last step's quotient is OUT. */

#define NONE SIZE_MAX

typedef struct {
    lump_i_why_t vd; /* the verdict and the message */
} ctx_t;

/* The first violation ends the check (exact/check_why.c, shared with the
 * lumping certificate checker); up to four numbers per message. */
#define fail(x, ...) lump_i_why_fail(&(x)->vd, __VA_ARGS__)
#define qtext(x, slot, v) lump_i_why_q(&(x)->vd, slot, v)

static mpq_t *qvec(size_t n)
{
    mpq_t *v = lump_alloc_array(n > 0 ? n : 1, sizeof *v);
    for (size_t k = 0; k < n; k++)
        mpq_init(v[k]);
    return v;
}

/* The activations here are the checker's own minimal copy, on purpose:
 * the checker is the trusted base and must not share code with what it
 * checks, so it does not ask the activation descriptor (core/act_i.h)
 * that the lumping, bounds and evaluators use. Keep it in step by hand
 * when an activation is added. */

/* How a neuron's activation behaves under claimed bounds. */
static int is_relu(const lump_act_t *a)
{
    return a->kind == LUMP_ACT_RELU;
}

/* X = what input I as layer 1 sees it for the raw input X: clipped, then
 * normalised. Both maps are monotone, the normalisation decreasing when
 * its range is negative. */
static void input_map(mpq_t x, const lump_net_t *net, size_t i)
{
    if (net->has_clip && mpq_cmp(x, net->clip_lo[i]) < 0)
        mpq_set(x, net->clip_lo[i]);
    if (net->has_clip && mpq_cmp(x, net->clip_hi[i]) > 0)
        mpq_set(x, net->clip_hi[i]);
    if (net->has_norm) {
        mpq_sub(x, x, net->norm_mean[i]);
        mpq_div(x, x, net->norm_range[i]);
    }
}

/* The exact image of the box under NET's clip and normalisation: the
 * inputs as layer 1 sees them. The checker computes it itself rather than
 * with bound/'s lump_i_input_range (the finder's), so that a fault there
 * cannot hide from the check. */
static void input_range(mpq_t lo, mpq_t hi, const lump_net_t *net, const lump_box_t *box, size_t i)
{
    mpq_set(lo, box->lo[i]);
    mpq_set(hi, box->hi[i]);
    input_map(lo, net, i);
    input_map(hi, net, i);
    if (net->has_norm && mpq_sgn(net->norm_range[i]) < 0)
        mpq_swap(lo, hi);
}

/* Output bounds [YL, YH] of neuron V of layer LI from its claimed
 * pre-activation bounds; 0 when the activation has no exact monotone
 * image (sigmoid, tanh, leaky_relu with a negative slope). */
static int out_bounds(mpq_t yl, mpq_t yh, const lump_net_t *net, const lump_stable_layer_t *c,
                      size_t li, size_t v)
{
    const lump_act_t *a = lump_layer_act(&net->layers[li], v);
    mpq_set(yl, c->lo[v]);
    mpq_set(yh, c->hi[v]);
    switch (a->kind) {
    case LUMP_ACT_IDENTITY:
        return 1;
    case LUMP_ACT_RELU:
        if (mpq_sgn(yl) < 0)
            mpq_set_ui(yl, 0, 1);
        if (mpq_sgn(yh) < 0)
            mpq_set_ui(yh, 0, 1);
        return 1;
    case LUMP_ACT_LEAKY_RELU:
        if (mpq_sgn(a->alpha) < 0)
            return 0;
        if (mpq_sgn(yl) < 0)
            mpq_mul(yl, yl, a->alpha);
        if (mpq_sgn(yh) < 0)
            mpq_mul(yh, yh, a->alpha);
        return 1;
    default:
        return 0;
    }
}

/* The state of one check of a stable step's bounds. */
typedef struct {
    const lump_net_t *net;
    const lump_stable_step_t *st;
    size_t step;
    mpq_t *xl, *xh;        /* exact input ranges */
    mpq_t **yl, **yh;      /* output bounds per layer (from claims) */
    mpq_t *dx, **dz, **dy; /* reduced costs of the LP check */
    mpq_t t, u, acc;
} bstate_t;

/* Start the LP check of neuron T of layer LI with sign S: every neuron
 * before LI must be relu or identity, and the reduced costs start at
 * S w_t (the objective S (w_t . y + b_t)). */
static int evidence_start(ctx_t *x, bstate_t *b, size_t li, size_t t, int s)
{
    const lump_net_t *net = b->net;
    const lump_layer_t *T = &net->layers[li];
    const size_t n0 = net->n_inputs;
    for (size_t j = 0; j < li; j++)
        for (size_t v = 0; v < net->layers[j].size; v++) {
            lump_act_kind_t k = lump_layer_act(&net->layers[j], v)->kind;
            if (k != LUMP_ACT_RELU && k != LUMP_ACT_IDENTITY)
                return fail(x,
                            "step %zu, layer %zu, neuron %zu: an LP bound needs relu or identity "
                            "neurons before it, but layer %zu neuron %zu is %s",
                            b->step + 1, li + 1, t, j + 1, v, lump_act_name(k));
        }
    /* objective s * (w_t . y + b_t): reduced costs start at s w_t */
    for (size_t u = 0; u < n0; u++)
        mpq_set_ui(b->dx[u], 0, 1);
    for (size_t j = 0; j < li; j++)
        for (size_t v = 0; v < net->layers[j].size; v++) {
            mpq_set_ui(b->dz[j][v], 0, 1);
            mpq_set_ui(b->dy[j][v], 0, 1);
        }
    lump_arr_get(b->acc, &T->bias, t);
    for (size_t u = 0; u < T->in_size; u++) {
        mpq_ptr d = li == 0 ? b->dx[u] : b->dy[li - 1][u];
        lump_arr_get(b->t, &T->weight, t * T->in_size + u);
        mpq_set(d, b->t);
        if (s < 0)
            mpq_neg(d, d);
    }
    if (s < 0)
        mpq_neg(b->acc, b->acc);
    return 0;
}

/* Reject multiplier K (for neuron T of layer LI) on a row of layer J
 * neuron V: "... multiplier K WHAT of layer J neuron V WHY". */
static int row_fail(ctx_t *x, const bstate_t *b, size_t li, size_t t, size_t k, const char *what,
                    size_t j, size_t v, const char *why)
{
    return fail(x, "step %zu, layer %zu, neuron %zu: multiplier %zu %s of layer %zu neuron %zu%s",
                b->step + 1, li + 1, t, k, what, j + 1, v, why);
}

/* Add multiplier K of E (for neuron T of layer LI) to the reduced costs
 * and to the constant: its row must exist before LI and fit the neuron's
 * claimed stability, and its sign must fit the row's direction. */
static int evidence_add_row(ctx_t *x, bstate_t *b, size_t li, size_t t,
                            const lump_lp_evidence_t *e, size_t k)
{
    const lump_net_t *net = b->net;
    const size_t j = e->layer[k], v = e->row_neuron[k];
    const lump_stable_layer_t *c;
    mpq_srcptr lam = e->value[k];
    int relu, stable_on, stable_off;
    if (j >= li || v >= net->layers[j].size)
        return fail(x,
                    "step %zu, layer %zu, neuron %zu: multiplier %zu names layer %zu neuron "
                    "%zu, which is not a neuron before layer %zu",
                    b->step + 1, li + 1, t, k, j + 1, v, li + 1);
    if (mpq_sgn(lam) == 0)
        return 0;
    c = &b->st->layers[j];
    relu = is_relu(lump_layer_act(&net->layers[j], v));
    stable_off = relu && mpq_sgn(c->hi[v]) <= 0;
    stable_on = !relu || mpq_sgn(c->lo[v]) >= 0;
    switch ((lump_row_kind_t)e->kind[k]) {
    case LUMP_ROW_DEF: {
        const lump_layer_t *L = &net->layers[j];
        lump_arr_get(b->t, &L->bias, v);
        mpq_mul(b->t, b->t, lam);
        mpq_add(b->acc, b->acc, b->t);
        mpq_sub(b->dz[j][v], b->dz[j][v], lam);
        for (size_t u = 0; u < L->in_size; u++) {
            mpq_ptr d = j == 0 ? b->dx[u] : b->dy[j - 1][u];
            if (lump_arr_sgn(&L->weight, v * L->in_size + u) == 0)
                continue;
            lump_arr_get(b->t, &L->weight, v * L->in_size + u);
            mpq_mul(b->t, b->t, lam);
            mpq_add(d, d, b->t);
        }
        break;
    }
    case LUMP_ROW_ACT:
        if (stable_off || !stable_on)
            return row_fail(x, b, li, t, k, "uses the row act", j, v,
                            ", which is not linear by its claimed bounds");
        mpq_sub(b->dy[j][v], b->dy[j][v], lam);
        mpq_add(b->dz[j][v], b->dz[j][v], lam);
        break;
    case LUMP_ROW_GE:
    case LUMP_ROW_TRI:
        if (!relu || stable_off || stable_on)
            return row_fail(x, b, li, t, k, "uses a triangle row", j, v,
                            ", which is not an unstable relu by its claimed bounds");
        if (e->kind[k] == LUMP_ROW_GE) { /* y - z >= 0 */
            if (mpq_sgn(lam) > 0)
                return row_fail(x, b, li, t, k, "on the row y >= z", j, v,
                                " is positive (it must be <= 0)");
            mpq_sub(b->dy[j][v], b->dy[j][v], lam);
            mpq_add(b->dz[j][v], b->dz[j][v], lam);
        } else { /* (hi - lo) y - hi z <= -hi lo */
            if (mpq_sgn(lam) < 0)
                return row_fail(x, b, li, t, k, "on the triangle row", j, v,
                                " is negative (it must be >= 0)");
            mpq_mul(b->t, c->hi[v], c->lo[v]);
            mpq_mul(b->t, b->t, lam);
            mpq_sub(b->acc, b->acc, b->t);
            mpq_sub(b->t, c->hi[v], c->lo[v]);
            mpq_mul(b->t, b->t, lam);
            mpq_sub(b->dy[j][v], b->dy[j][v], b->t);
            mpq_mul(b->t, c->hi[v], lam);
            mpq_add(b->dz[j][v], b->dz[j][v], b->t);
        }
        break;
    default:
        return fail(x,
                    "step %zu, layer %zu, neuron %zu: multiplier %zu has an unknown row "
                    "kind",
                    b->step + 1, li + 1, t, k);
    }
    return 0;
}

/* Add to the constant the largest value over the box of the reduced
 * costs' terms: sum over the columns of max(d l, d u). */
static void evidence_box_sum(bstate_t *b, size_t li)
{
    const lump_net_t *net = b->net;
    const size_t n0 = net->n_inputs;
    for (size_t u = 0; u < n0; u++) {
        int sg = mpq_sgn(b->dx[u]);
        if (sg == 0)
            continue;
        mpq_mul(b->t, b->dx[u], sg > 0 ? b->xh[u] : b->xl[u]);
        mpq_add(b->acc, b->acc, b->t);
    }
    for (size_t j = 0; j < li; j++) {
        const lump_stable_layer_t *c = &b->st->layers[j];
        for (size_t v = 0; v < net->layers[j].size; v++) {
            int sz = mpq_sgn(b->dz[j][v]), sy = mpq_sgn(b->dy[j][v]);
            if (sz != 0) {
                mpq_mul(b->t, b->dz[j][v], sz > 0 ? c->hi[v] : c->lo[v]);
                mpq_add(b->acc, b->acc, b->t);
            }
            if (sy != 0) {
                mpq_mul(b->t, b->dy[j][v], sy > 0 ? b->yh[j][v] : b->yl[j][v]);
                mpq_add(b->acc, b->acc, b->t);
            }
        }
    }
}

/* Verify one LP bound of neuron T of layer LI: E's multipliers give, by
 * weak duality over the exact relaxation of layers < LI, a bound that is
 * at least as strong as the claim. */
static int check_evidence(ctx_t *x, bstate_t *b, size_t li, const lump_lp_evidence_t *e)
{
    const size_t t = e->neuron;
    const int s = e->upper ? 1 : -1;
    int r = evidence_start(x, b, li, t, s);
    for (size_t k = 0; r == 0 && k < e->n; k++)
        r = evidence_add_row(x, b, li, t, e, k);
    if (r != 0)
        return r;
    evidence_box_sum(b, li);
    /* s z_t <= acc on the relaxation */
    if (s > 0 && mpq_cmp(b->acc, b->st->layers[li].hi[t]) > 0)
        return fail(x,
                    "step %zu, layer %zu, neuron %zu: the LP multipliers prove z <= %s, not "
                    "the claimed upper bound %s",
                    b->step + 1, li + 1, t, qtext(x, 0, b->acc),
                    qtext(x, 1, b->st->layers[li].hi[t]));
    if (s < 0) {
        mpq_neg(b->acc, b->acc);
        if (mpq_cmp(b->acc, b->st->layers[li].lo[t]) < 0)
            return fail(x,
                        "step %zu, layer %zu, neuron %zu: the LP multipliers prove z >= %s, "
                        "not the claimed lower bound %s",
                        b->step + 1, li + 1, t, qtext(x, 0, b->acc),
                        qtext(x, 1, b->st->layers[li].lo[t]));
    }
    return 0;
}

/* The claimed bounds of layer LI: each one follows from exact interval
 * arithmetic over the previous layer's bounds, or from its LP evidence. */
static lump_error_t check_layer_bounds(ctx_t *x, bstate_t *b, size_t li)
{
    lump_error_t err = LUMP_OK;
    const lump_net_t *net = b->net;
    const lump_layer_t *L = &net->layers[li];
    const lump_stable_layer_t *c = &b->st->layers[li];
    const mpq_t *yl = li == 0 ? (const mpq_t *)b->xl : (const mpq_t *)b->yl[li - 1];
    const mpq_t *yh = li == 0 ? (const mpq_t *)b->xh : (const mpq_t *)b->yh[li - 1];
    size_t *ev = lump_alloc_array(2 * (L->size > 0 ? L->size : 1), sizeof *ev);
    size_t lv = lump_progress_begin("neuron", L->size, 0);
    mpq_t il, ih, w;
    mpq_inits(il, ih, w, NULL);
    for (size_t v = 0; v < 2 * L->size; v++)
        ev[v] = NONE;
    for (size_t k = 0; k < c->n_evidence; k++) {
        const lump_lp_evidence_t *e = &c->evidence[k];
        size_t slot = 2 * e->neuron + (e->upper ? 1 : 0);
        if (e->neuron >= L->size) {
            fail(x, "step %zu, layer %zu: LP evidence for neuron %zu, which is out of range",
                 b->step + 1, li + 1, e->neuron);
            goto cleanup;
        }
        if (ev[slot] != NONE) {
            fail(x, "step %zu, layer %zu, neuron %zu: two LP proofs of its %s bound", b->step + 1,
                 li + 1, e->neuron, e->upper ? "upper" : "lower");
            goto cleanup;
        }
        ev[slot] = k;
    }
    for (size_t v = 0; v < L->size; v++) {
        const size_t base = v * L->in_size;
        LUMP_CHECK(lump_progress_step(lv, v));
        lump_arr_get(il, &L->bias, v);
        mpq_set(ih, il);
        for (size_t u = 0; u < L->in_size; u++) {
            int sg = lump_arr_sgn(&L->weight, base + u);
            if (sg == 0)
                continue;
            lump_arr_get(w, &L->weight, base + u);
            mpq_mul(b->t, w, sg > 0 ? yl[u] : yh[u]);
            mpq_add(il, il, b->t);
            mpq_mul(b->t, w, sg > 0 ? yh[u] : yl[u]);
            mpq_add(ih, ih, b->t);
        }
        if (mpq_cmp(c->lo[v], il) > 0) {
            if (ev[2 * v] == NONE) {
                fail(x,
                     "step %zu, layer %zu, neuron %zu: the claimed lower bound %s is above the "
                     "interval bound %s and has no LP proof",
                     b->step + 1, li + 1, v, qtext(x, 0, c->lo[v]), qtext(x, 1, il));
                goto cleanup;
            }
            if (check_evidence(x, b, li, &c->evidence[ev[2 * v]]))
                goto cleanup;
        }
        if (mpq_cmp(c->hi[v], ih) < 0) {
            if (ev[2 * v + 1] == NONE) {
                fail(x,
                     "step %zu, layer %zu, neuron %zu: the claimed upper bound %s is below the "
                     "interval bound %s and has no LP proof",
                     b->step + 1, li + 1, v, qtext(x, 0, c->hi[v]), qtext(x, 1, ih));
                goto cleanup;
            }
            if (check_evidence(x, b, li, &c->evidence[ev[2 * v + 1]]))
                goto cleanup;
        }
        if (!out_bounds(b->yl[li][v], b->yh[li][v], net, c, li, v)) {
            /* no exact image: later layers cannot claim bounds */
            mpq_set_ui(b->yl[li][v], 1, 1);
            mpq_set_ui(b->yh[li][v], 0, 1);
        }
    }
cleanup:
    lump_progress_end(lv);
    free(ev);
    mpq_clears(il, ih, w, NULL);
    return err;
}

/* Every bound of a stable step ST of NET over BOX. */
static lump_error_t check_bounds(ctx_t *x, const lump_net_t *net, const lump_box_t *box,
                                 const lump_stable_step_t *st, size_t step)
{
    lump_error_t err = LUMP_OK;
    const size_t k = net->n_layers;
    size_t lv = lump_progress_begin("check layer", k, 0);
    bstate_t b;
    memset(&b, 0, sizeof b);
    b.net = net;
    b.st = st;
    b.step = step;
    mpq_inits(b.t, b.u, b.acc, NULL);
    b.xl = qvec(net->n_inputs);
    b.xh = qvec(net->n_inputs);
    b.dx = qvec(net->n_inputs);
    b.yl = lump_alloc_zero(k, sizeof *b.yl);
    b.yh = lump_alloc_zero(k, sizeof *b.yh);
    b.dz = lump_alloc_zero(k, sizeof *b.dz);
    b.dy = lump_alloc_zero(k, sizeof *b.dy);
    for (size_t i = 0; i < k; i++) {
        size_t n = net->layers[i].size;
        b.yl[i] = qvec(n);
        b.yh[i] = qvec(n);
        b.dz[i] = qvec(n);
        b.dy[i] = qvec(n);
    }
    for (size_t i = 0; i < net->n_inputs; i++)
        input_range(b.xl[i], b.xh[i], net, box, i);
    for (size_t i = 0; i < k && !x->vd.failed; i++) {
        LUMP_CHECK(lump_progress_step(lv, i));
        if (!st->layers[i].has_bounds)
            continue;
        if (i > 0 && !st->layers[i - 1].has_bounds) {
            fail(x,
                 "step %zu, layer %zu: bounds are claimed, but layer %zu has none to derive "
                 "them from",
                 step + 1, i + 1, i);
            break;
        }
        if (i > 0)
            for (size_t v = 0; v < net->layers[i - 1].size; v++)
                if (mpq_cmp(b.yl[i - 1][v], b.yh[i - 1][v]) > 0) {
                    fail(x,
                         "step %zu, layer %zu: bounds are claimed, but neuron %zu of layer %zu "
                         "(%s) has no exact output range",
                         step + 1, i + 1, v, i,
                         lump_act_name(lump_layer_act(&net->layers[i - 1], v)->kind));
                    goto cleanup;
                }
        LUMP_CHECK(check_layer_bounds(x, &b, i));
    }
cleanup:
    lump_progress_end(lv);
    lump_rat_vec_free(b.xl, net->n_inputs);
    lump_rat_vec_free(b.xh, net->n_inputs);
    lump_rat_vec_free(b.dx, net->n_inputs);
    for (size_t i = 0; i < k; i++) {
        size_t n = net->layers[i].size;
        if (b.yl)
            lump_rat_vec_free(b.yl[i], n);
        if (b.yh)
            lump_rat_vec_free(b.yh[i], n);
        if (b.dz)
            lump_rat_vec_free(b.dz[i], n);
        if (b.dy)
            lump_rat_vec_free(b.dy[i], n);
    }
    free(b.yl);
    free(b.yh);
    free(b.dz);
    free(b.dy);
    mpq_clears(b.t, b.u, b.acc, NULL);
    return err;
}

/* Neuron V of layer LI is linear on the box by the step's claims. */
static int linear_on_box(const lump_net_t *net, const lump_stable_layer_t *c, size_t li, size_t v)
{
    const lump_act_t *a = lump_layer_act(&net->layers[li], v);
    if (a->kind == LUMP_ACT_IDENTITY)
        return 1;
    if (a->kind != LUMP_ACT_RELU && a->kind != LUMP_ACT_LEAKY_RELU)
        return 0;
    return c->has_bounds && mpq_sgn(c->lo[v]) >= 0;
}

/* The removals of layer LI against CUR (the network with layers < LI
 * already reduced; layer LI's own neurons keep their numbering). */
static int check_removals(ctx_t *x, const lump_net_t *cur, const lump_stable_layer_t *c, size_t li,
                          size_t step, mpq_t t, mpq_t s, mpq_t w)
{
    const lump_layer_t *L = &cur->layers[li];
    const size_t n = L->in_size;
    if (li + 1 == cur->n_layers && (c->n_inactive > 0 || c->n_fold > 0))
        return fail(x, "step %zu: the output layer has removals (outputs are never removed)",
                    step + 1);
    for (size_t k = 0; k < c->n_inactive; k++) {
        size_t v = c->inactive[k];
        if (v >= L->size || !is_relu(lump_layer_act(L, v)))
            return fail(x,
                        "step %zu, layer %zu, neuron %zu: removed as inactive, but it is not "
                        "a relu neuron of the layer",
                        step + 1, li + 1, v);
        if (!c->has_bounds || mpq_sgn(c->hi[v]) > 0)
            return fail(x,
                        "step %zu, layer %zu, neuron %zu: removed as inactive, but its "
                        "claimed upper bound is not <= 0",
                        step + 1, li + 1, v);
    }
    for (size_t k = 0; k < c->n_fold; k++) {
        const lump_fold_t *f = &c->fold[k];
        if (f->neuron >= L->size || !linear_on_box(cur, c, li, f->neuron))
            return fail(x,
                        "step %zu, layer %zu, neuron %zu: folded, but it is not linear on the "
                        "box (identity, or relu with a lower bound >= 0)",
                        step + 1, li + 1, f->neuron);
        for (size_t j = 0; j < f->n_basis; j++)
            if (f->basis[j] >= L->size || f->basis[j] == f->neuron ||
                !linear_on_box(cur, c, li, f->basis[j]))
                return fail(x,
                            "step %zu, layer %zu, neuron %zu: its fold uses neuron %zu, which "
                            "is itself or not linear on the box",
                            step + 1, li + 1, f->neuron, f->basis[j]);
        for (size_t u = 0; u <= n; u++) {
            /* u < n: the weight from input u; u == n: the bias, with mu */
            const lump_arr_t *a = u < n ? &L->weight : &L->bias;
            mpq_set_ui(t, 0, 1);
            for (size_t j = 0; j < f->n_basis; j++) {
                size_t idx = u < n ? f->basis[j] * n + u : f->basis[j];
                if (lump_arr_sgn(a, idx) == 0)
                    continue;
                lump_arr_get(w, a, idx);
                mpq_mul(s, w, f->lambda[j]);
                mpq_add(t, t, s);
            }
            if (u == n)
                mpq_add(t, t, f->mu);
            lump_arr_get(w, a, u < n ? f->neuron * n + u : f->neuron);
            if (!mpq_equal(t, w)) {
                if (u < n)
                    return fail(x,
                                "step %zu, layer %zu, neuron %zu: fold identity fails at "
                                "incoming column %zu: the weight is %s, the combination gives %s",
                                step + 1, li + 1, f->neuron, u, qtext(x, 0, w), qtext(x, 1, t));
                return fail(x,
                            "step %zu, layer %zu, neuron %zu: fold identity fails at the bias: "
                            "%s, the combination plus mu gives %s",
                            step + 1, li + 1, f->neuron, qtext(x, 0, w), qtext(x, 1, t));
            }
        }
    }
    return 0;
}

/* One stable step: NEXT = CUR reduced, after checking every claim. */
static lump_error_t check_stable(ctx_t *x, lump_net_t *next, const lump_net_t *cur,
                                 const lump_box_t *box, const lump_stable_step_t *st, size_t step)
{
    lump_error_t err = LUMP_OK;
    mpq_t t, s, w;
    mpq_inits(t, s, w, NULL);
    if (st->n_layers != cur->n_layers) {
        fail(x, "step %zu: the stable step has %zu layers, the network %zu", step + 1, st->n_layers,
             cur->n_layers);
        goto cleanup;
    }
    for (size_t i = 0; i < cur->n_layers; i++)
        if (st->layers[i].size != cur->layers[i].size) {
            fail(x, "step %zu: layer %zu has %zu neurons in the certificate, %zu in the network",
                 step + 1, i + 1, st->layers[i].size, cur->layers[i].size);
            goto cleanup;
        }
    LUMP_CHECK(check_bounds(x, cur, box, st, step));
    if (x->vd.failed)
        goto cleanup;
    LUMP_CHECK(lump_net_copy(next, cur));
    for (size_t i = 0; i < cur->n_layers; i++) {
        lump_error_t e;
        if (check_removals(x, next, &st->layers[i], i, step, t, s, w))
            goto cleanup;
        if (i + 1 == cur->n_layers || (st->layers[i].n_inactive == 0 && st->layers[i].n_fold == 0))
            continue;
        e = lump_stable_apply_layer(next, i, &st->layers[i]);
        if (e == LUMP_EINPUT) {
            fail(x, "step %zu: %s", step + 1, lump_error_message());
            goto cleanup;
        }
        LUMP_CHECK(e);
    }
cleanup:
    mpq_clears(t, s, w, NULL);
    return err;
}

/* lump_box_cert_check -- see stable.h. */
lump_error_t lump_box_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                 const lump_net_t *net, const lump_net_t *out,
                                 const lump_box_t *box, const lump_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    ctx_t x;
    lump_net_t cur, next;
    char sub[768];
    size_t lv = lump_progress_begin("certificate step", cert->n_steps, 0);
    lump_i_why_init(&x.vd, valid, why, whylen);
    lump_net_init(&cur);
    lump_net_init(&next);
    if (cert->box.n != net->n_inputs || box->n != net->n_inputs) {
        fail(&x,
             "the certificate's box has %zu dimensions, the given box %zu, the network %zu "
             "inputs",
             cert->box.n, box->n, net->n_inputs);
        goto cleanup;
    }
    for (size_t i = 0; i < box->n; i++) {
        if (mpq_cmp(cert->box.lo[i], cert->box.hi[i]) > 0) {
            fail(&x, "the certificate's box is empty in dimension %zu", i + 1);
            goto cleanup;
        }
        if (mpq_cmp(box->lo[i], cert->box.lo[i]) < 0 || mpq_cmp(box->hi[i], cert->box.hi[i]) > 0) {
            fail(&x,
                 "the given box is not inside the certificate's box (dimension %zu: [%s, %s] "
                 "is not inside [%s, %s])",
                 i + 1, qtext(&x, 0, box->lo[i]), qtext(&x, 1, box->hi[i]),
                 qtext(&x, 2, cert->box.lo[i]), qtext(&x, 3, cert->box.hi[i]));
            goto cleanup;
        }
    }
    if (cert->n_steps == 0 || cert->steps[cert->n_steps - 1].kind != LUMP_STEP_LUMPING) {
        fail(&x, "the last step of a box certificate must be a lumping (it names the quotient)");
        goto cleanup;
    }
    LUMP_CHECK(lump_net_copy(&cur, net));
    for (size_t k = 0; k < cert->n_steps && !x.vd.failed; k++) {
        const lump_box_step_t *s = &cert->steps[k];
        LUMP_CHECK(lump_progress_step(lv, k));
        lump_net_clear(&next);
        if (s->kind == LUMP_STEP_STABLE) {
            LUMP_CHECK(check_stable(&x, &next, &cur, &cert->box, &s->stable, k));
        } else {
            lump_verdict_t v = LUMP_FALSE;
            const int last = k + 1 == cert->n_steps;
            if (!last) {
                lump_error_t e = lump_quotient(&next, &cur, &s->lumping);
                if (e == LUMP_EINPUT) {
                    fail(&x, "step %zu (lumping): %s", k + 1, lump_error_message());
                    break;
                }
                LUMP_CHECK(e);
            }
            LUMP_CHECK(lump_cert_check(&v, sub, sizeof sub, &cur, last ? out : &next, &s->lumping));
            if (v != LUMP_TRUE) {
                fail(&x, "step %zu (lumping): %s", k + 1, sub);
                break;
            }
            if (last)
                break;
        }
        if (x.vd.failed)
            break;
        lump_i_net_move(&cur, &next);
    }
    if (!x.vd.failed)
        *valid = LUMP_TRUE;
cleanup:
    lump_progress_end(lv);
    if (err != LUMP_OK)
        *valid = LUMP_FALSE;
    lump_net_clear(&cur);
    lump_net_clear(&next);
    return err;
}
