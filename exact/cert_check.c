/* cert_check.c -- the independent checker of a lumping and its quotient, in exact arithmetic */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "lumpnet/progress.h"
#include "lumpnet/rat.h"
#include "cert_i.h"
#include "check_why_i.h"
#include "alloc_i.h"

/* This file is the trusted base of every proof of equivalence, so it is
 * written to be read: it never calls the partition finder or the quotient
 * builder, it recomputes every sum from the network's weights with mpq
 * arithmetic, and it stops at the first violation with a message naming
 * the condition, the layer (L_1 is the first layer after the inputs L_0)
 * and the neuron. Why the conditions suffice (DESIGN section 2): by
 * induction over the layers, every member v of a non-constant block B has
 * y_v = c_v * y_rep(B), every constant block outputs its value, dead
 * blocks contribute nothing to kept neurons, and each quotient neuron
 * therefore computes y_rep of its block. */

#define NONE SIZE_MAX

/* One side of a pair of consecutive layers: the inputs (LAY == NULL: each
 * input its own KEEP block, scale 1) or a layer of the lumping. */
typedef struct {
    const lump_layer_lumping_t *lay;
    size_t n;           /* neurons */
    size_t n_blocks;    /* blocks (n for the inputs) */
    size_t *blk;        /* block of each neuron */
    mpq_t *c;           /* scale of each neuron */
    unsigned char *one; /* c == 1, the common case that needs no product */
    size_t *qidx;       /* quotient neuron of each block, NONE when removed */
    size_t n_keep;      /* KEEP blocks: the quotient layer's size */
} side_t;

/* Sums of one neuron per block of the previous layer, kept sparse: only
 * the TOUCHED entries are non-zero-initialised, and only they are reset,
 * so a row costs its length, not the number of blocks. */
typedef struct {
    mpq_t *s;
    unsigned char *mark;
    size_t *touched;
    size_t n_touched;
    size_t cap;
    mpq_t beff; /* the bias plus the folded constants of the previous layer */
} sums_t;

typedef struct {
    lump_i_why_t vd;    /* the verdict and the message */
    int merged_outputs; /* outputs may share blocks (equivalence of a union) */
    mpq_t t, w;         /* scratch */
} ctx_t;

/* ---- messages ------------------------------------------------------------ */

/* The first violation ends the check (check_why.c, shared with the box
 * certificate checker); up to four numbers per message. */
#define fail(x, ...) lump_i_why_fail(&(x)->vd, __VA_ARGS__)
#define qtext(x, slot, v) lump_i_why_q(&(x)->vd, slot, v)

static const char *fate_name(lump_fate_t f)
{
    return f == LUMP_FATE_KEEP ? "keep" : f == LUMP_FATE_CONSTANT ? "constant" : "dead";
}

/* ---- allocation ------------------------------------------------------------ */

static void side_init(side_t *s)
{
    memset(s, 0, sizeof *s);
}

static void side_clear(side_t *s)
{
    lump_rat_vec_free(s->c, s->n);
    free(s->one);
    free(s->blk);
    free(s->qidx);
    side_init(s);
}

static void side_alloc(side_t *s, size_t n, size_t n_blocks)
{
    s->blk = lump_alloc_array(n > 0 ? n : 1, sizeof *s->blk);
    s->qidx = lump_alloc_array(n_blocks > 0 ? n_blocks : 1, sizeof *s->qidx);
    s->c = lump_alloc_array(n > 0 ? n : 1, sizeof *s->c);
    s->one = lump_alloc_zero(n > 0 ? n : 1, 1);
    s->n = n;
    s->n_blocks = n_blocks;
    for (size_t u = 0; u < n; u++) {
        mpq_init(s->c[u]);
        s->blk[u] = NONE;
    }
}

static void side_inputs(side_t *s, size_t n)
{
    side_alloc(s, n, n);
    for (size_t u = 0; u < n; u++) {
        s->blk[u] = u;
        s->qidx[u] = u;
        mpq_set_ui(s->c[u], 1, 1);
        s->one[u] = 1;
    }
    s->n_keep = n;
}

/* S = layer LI of the lumping L, of SIZE neurons, before its blocks are
 * checked. */
static void side_layer(side_t *s, const lump_lumping_t *L, size_t li, size_t size)
{
    side_alloc(s, size, L->layers[li].n_blocks);
    s->lay = &L->layers[li];
}

static lump_fate_t side_fate(const side_t *s, size_t b)
{
    return s->lay == NULL ? LUMP_FATE_KEEP : s->lay->blocks[b].fate;
}

static void sums_init(sums_t *a)
{
    memset(a, 0, sizeof *a);
    mpq_init(a->beff);
}

static void sums_clear(sums_t *a)
{
    lump_rat_vec_free(a->s, a->cap);
    free(a->mark);
    free(a->touched);
    mpq_clear(a->beff);
}

static void sums_alloc(sums_t *a, size_t cap)
{
    a->s = lump_alloc_array(cap > 0 ? cap : 1, sizeof *a->s);
    a->mark = lump_alloc_zero(cap > 0 ? cap : 1, 1);
    a->touched = lump_alloc_array(cap > 0 ? cap : 1, sizeof *a->touched);
    for (size_t k = 0; k < cap; k++)
        mpq_init(a->s[k]);
    a->cap = cap;
}

static void sums_reset(sums_t *a)
{
    for (size_t k = 0; k < a->n_touched; k++) {
        mpq_set_ui(a->s[a->touched[k]], 0, 1);
        a->mark[a->touched[k]] = 0;
    }
    a->n_touched = 0;
}

/* The entry of block C, zero when untouched. */
static mpq_srcptr sums_at(const sums_t *a, size_t c)
{
    return a->s[c];
}

/* ---- the row sums of one neuron -------------------------------------------- */

/* A = the scale-weighted sums sum_{u in C} c_u w(u,v) of neuron V of LAYER
 * over the non-constant blocks C of PREV, and A->beff = b_v plus
 * w(u,v) * value(u) over the constant neurons u of PREV. */
static void row_sums(sums_t *a, ctx_t *x, const lump_layer_t *layer, size_t v, const side_t *prev)
{
    const size_t n = layer->in_size, base = v * n;
    sums_reset(a);
    lump_arr_get(a->beff, &layer->bias, v);
    for (size_t u = 0; u < n; u++) {
        size_t b;
        if (lump_arr_sgn(&layer->weight, base + u) == 0)
            continue;
        lump_arr_get(x->w, &layer->weight, base + u);
        b = prev->blk[u];
        if (side_fate(prev, b) == LUMP_FATE_CONSTANT) {
            /* A constant block has one member, of scale 1 (checked). */
            mpq_mul(x->t, x->w, prev->lay->blocks[b].value);
            mpq_add(a->beff, a->beff, x->t);
            continue;
        }
        if (!a->mark[b]) {
            a->mark[b] = 1;
            a->touched[a->n_touched++] = b;
        }
        if (prev->one[u]) {
            mpq_add(a->s[b], a->s[b], x->w);
        } else {
            mpq_mul(x->t, x->w, prev->c[u]);
            mpq_add(a->s[b], a->s[b], x->t);
        }
    }
}

/* "previous block 8" or "input 3", for messages. */
static const char *prev_name(char *buf, size_t size, const side_t *prev, size_t b)
{
    snprintf(buf, size, "%s %zu", prev->lay == NULL ? "input" : "previous block", b);
    return buf;
}

/* The activations here are the checker's own minimal copy, on purpose:
 * the checker is the trusted base and must not share code with what it
 * checks, so it does not ask the activation descriptor (core/act_i.h)
 * that the lumping, bounds and evaluators use. Keep it in step by hand
 * when an activation is added. */

/* ---- exact activations -------------------------------------------------------- */

/* OUT = act(Z) when that value is rational; returns 0 when it is not
 * (sigmoid and tanh are transcendental away from 0). */
static int act_exact(mpq_t out, const lump_act_t *act, const mpq_t z)
{
    switch (act->kind) {
    case LUMP_ACT_IDENTITY:
        mpq_set(out, z);
        return 1;
    case LUMP_ACT_RELU:
        if (mpq_sgn(z) > 0)
            mpq_set(out, z);
        else
            mpq_set_ui(out, 0, 1);
        return 1;
    case LUMP_ACT_LEAKY_RELU:
        if (mpq_sgn(z) >= 0)
            mpq_set(out, z);
        else
            mpq_mul(out, act->alpha, z);
        return 1;
    case LUMP_ACT_SIGMOID:
        if (mpq_sgn(z) != 0)
            return 0;
        mpq_set_ui(out, 1, 2);
        return 1;
    case LUMP_ACT_TANH:
        if (mpq_sgn(z) != 0)
            return 0;
        mpq_set_ui(out, 0, 1);
        return 1;
    }
    return 0;
}

/* ---- per-layer checks ----------------------------------------------------------- */

/* The blocks of layer LI partition its neurons, and every block's shape
 * and scales obey the rules that need no sums: fills CUR. Returns 1 on a
 * violation (recorded in X). */
static int check_blocks(ctx_t *x, side_t *cur, const lump_net_t *net, const lump_lumping_t *L,
                        size_t li)
{
    const lump_layer_lumping_t *lay = &L->layers[li];
    const lump_layer_t *layer = &net->layers[li];
    const int is_out = li + 1 == net->n_layers;
    const size_t ln = li + 1;
    size_t k, j, v, keep = 0;

    for (k = 0; k < lay->n_blocks; k++) {
        const lump_block_t *b = &lay->blocks[k];
        if (b->n_members == 0)
            return fail(x, "layer %zu, block %zu has no members", ln, k);
        if (b->scales.len != b->n_members)
            return fail(x, "layer %zu, block %zu has %zu members but %zu scales", ln, k,
                        b->n_members, b->scales.len);
        if (b->fate != LUMP_FATE_KEEP && b->fate != LUMP_FATE_CONSTANT && b->fate != LUMP_FATE_DEAD)
            return fail(x, "layer %zu, block %zu has an unknown fate (%d)", ln, k, (int)b->fate);
        for (j = 0; j < b->n_members; j++) {
            v = b->members[j];
            if (v >= cur->n)
                return fail(x,
                            "partition: layer %zu, block %zu lists neuron %zu, but the layer has "
                            "%zu neurons",
                            ln, k, v, cur->n);
            if (cur->blk[v] != NONE)
                return fail(x,
                            "partition: layer %zu, neuron %zu is listed twice (blocks %zu and %zu)",
                            ln, v, cur->blk[v], k);
            cur->blk[v] = k;
            lump_arr_get(cur->c[v], &b->scales, j);
            cur->one[v] = mpq_cmp_ui(cur->c[v], 1, 1) == 0;
        }
        cur->qidx[k] = b->fate == LUMP_FATE_KEEP ? keep++ : NONE;
    }
    cur->n_keep = keep;
    for (v = 0; v < cur->n; v++)
        if (cur->blk[v] == NONE)
            return fail(x, "partition: layer %zu, neuron %zu is in no block", ln, v);

    for (k = 0; k < lay->n_blocks; k++) {
        const lump_block_t *b = &lay->blocks[k];
        const size_t r = b->members[0];
        const lump_act_t *act = lump_layer_act(layer, r);
        if (mpq_cmp_ui(cur->c[r], 1, 1) != 0)
            return fail(
                x,
                "layer %zu, block %zu: the representative, neuron %zu, has scale %s (it must be 1)",
                ln, k, r, qtext(x, 0, cur->c[r]));
        if (is_out && x->merged_outputs && b->fate == LUMP_FATE_DEAD)
            return fail(x,
                        "output layer %zu: block %zu (representative %zu) is dead, but outputs "
                        "are observed",
                        ln, k, r);
        if (is_out && !x->merged_outputs &&
            (b->fate != LUMP_FATE_KEEP || b->n_members != 1 || r != k))
            return fail(
                x,
                "output layer %zu: outputs must stay kept singletons in their order, but block %zu "
                "(%s, %zu member%s, representative %zu) is not {%zu}",
                ln, k, fate_name(b->fate), b->n_members, b->n_members == 1 ? "" : "s", r, k);
        if (b->fate == LUMP_FATE_CONSTANT && b->n_members != 1)
            return fail(x,
                        "layer %zu, block %zu: a constant block has one member, this one has %zu",
                        ln, k, b->n_members);
        for (j = 0; j < b->n_members; j++) {
            const int sgn = mpq_sgn(cur->c[b->members[j]]);
            const int one = mpq_cmp_ui(cur->c[b->members[j]], 1, 1) == 0;
            v = b->members[j];
            if (!lump_act_equal(lump_layer_act(layer, v), act))
                return fail(x,
                            "condition 1 (activation) fails at layer %zu, neuron %zu (block %zu, "
                            "representative %zu): "
                            "%s != %s",
                            ln, v, k, r, lump_act_name(lump_layer_act(layer, v)->kind),
                            lump_act_name(act->kind));
            if (L->mode == LUMP_MODE_EXACT && !one)
                return fail(x,
                            "condition 4 (scale) fails at layer %zu, neuron %zu (block %zu, "
                            "representative %zu): "
                            "scale %s in exact mode (every scale must be 1)",
                            ln, v, k, r, qtext(x, 0, cur->c[v]));
            if (act->kind == LUMP_ACT_IDENTITY && sgn == 0)
                return fail(x,
                            "condition 4 (scale) fails at layer %zu, neuron %zu (block %zu, "
                            "representative %zu): "
                            "scale 0",
                            ln, v, k, r);
            if ((act->kind == LUMP_ACT_RELU || act->kind == LUMP_ACT_LEAKY_RELU) && sgn <= 0)
                return fail(x,
                            "condition 4 (scale) fails at layer %zu, neuron %zu (block %zu, "
                            "representative %zu): "
                            "scale %s, but %s allows only positive scales",
                            ln, v, k, r, qtext(x, 0, cur->c[v]), lump_act_name(act->kind));
            if (!lump_act_is_pwl(act->kind) && !one)
                return fail(x,
                            "condition 4 (scale) fails at layer %zu, neuron %zu (block %zu, "
                            "representative %zu): "
                            "scale %s, but %s is not positively homogeneous (the scale must be 1)",
                            ln, v, k, r, qtext(x, 0, cur->c[v]), lump_act_name(act->kind));
        }
    }
    return 0;
}

/* The quotient layer LI has the right shape (one neuron per KEEP block,
 * fed by the KEEP blocks of the previous layer). */
static int check_qshape(ctx_t *x, const lump_net_t *q, size_t li, const side_t *prev,
                        const side_t *cur)
{
    const lump_layer_t *ql = &q->layers[li];
    if (ql->size != cur->n_keep)
        return fail(x, "quotient layer %zu has %zu neurons, but the lumping keeps %zu blocks",
                    li + 1, ql->size, cur->n_keep);
    if (ql->in_size != prev->n_keep)
        return fail(
            x, "quotient layer %zu is fed by %zu neurons, but the previous layer keeps %zu blocks",
            li + 1, ql->in_size, prev->n_keep);
    return 0;
}
/* Block K of layer LI, whose representative's sums are in R: condition 5
 * when it is constant; when it is kept, condition 6 for the dead blocks
 * of the previous layer (their merged weight to it must vanish). */
static int check_rep(ctx_t *x, const sums_t *R, const lump_net_t *net, size_t li, size_t k,
                     const side_t *prev, const side_t *cur)
{
    const lump_block_t *b = &cur->lay->blocks[k];
    const size_t r = b->members[0], ln = li + 1;
    const lump_act_t *act = lump_layer_act(&net->layers[li], r);
    char pn[64];
    size_t t;

    if (b->fate == LUMP_FATE_CONSTANT) {
        for (t = 0; t < R->n_touched; t++) {
            const size_t c = R->touched[t];
            if (mpq_sgn(sums_at(R, c)) != 0)
                return fail(x,
                            "condition 5 (constant) fails at layer %zu, neuron %zu (block %zu): "
                            "the sum from %s is %s, not 0",
                            ln, r, k, prev_name(pn, sizeof pn, prev, c),
                            qtext(x, 0, sums_at(R, c)));
        }
        if (!act_exact(x->t, act, R->beff))
            return fail(x,
                        "condition 5 (constant) fails at layer %zu, neuron %zu (block %zu): %s(%s) "
                        "is not rational",
                        ln, r, k, lump_act_name(act->kind), qtext(x, 0, R->beff));
        if (!mpq_equal(x->t, b->value))
            return fail(x,
                        "condition 5 (constant) fails at layer %zu, neuron %zu (block %zu): the "
                        "value is %s, but %s(%s) = %s",
                        ln, r, k, qtext(x, 0, b->value), lump_act_name(act->kind),
                        qtext(x, 1, R->beff), qtext(x, 2, x->t));
        return 0;
    }
    if (b->fate != LUMP_FATE_KEEP)
        return 0;
    for (t = 0; t < R->n_touched; t++) {
        const size_t c = R->touched[t];
        if (side_fate(prev, c) == LUMP_FATE_DEAD && mpq_sgn(sums_at(R, c)) != 0)
            return fail(
                x,
                "condition 6 (dead) fails at layer %zu, block %zu (representative %zu): its merged "
                "weight to the kept block %zu of layer %zu (representative %zu) is %s, not 0",
                li, c, prev->lay->blocks[c].members[0], k, ln, r, qtext(x, 0, sums_at(R, c)));
    }
    return 0;
}

/* Conditions 2 and 3 for member V (scale c_v) of block K against its
 * representative's sums R; S holds V's sums. */
static int check_member(ctx_t *x, const sums_t *S, const sums_t *R, size_t li, size_t k, size_t v,
                        const side_t *prev, const side_t *cur)
{
    const size_t r = cur->lay->blocks[k].members[0], ln = li + 1;
    const sums_t *pass[2] = {S, R};
    char pn[64];
    mpq_mul(x->t, cur->c[v], R->beff);
    if (!mpq_equal(S->beff, x->t))
        return fail(
            x,
            "condition 2 (bias) fails at layer %zu, neuron %zu (block %zu, representative %zu): "
            "%s != %s * %s",
            ln, v, k, r, qtext(x, 0, S->beff), qtext(x, 1, cur->c[v]), qtext(x, 2, R->beff));
    /* Every block where either sum is non-zero is touched by S or by R. */
    for (int p = 0; p < 2; p++)
        for (size_t t = 0; t < pass[p]->n_touched; t++) {
            const size_t c = pass[p]->touched[t];
            mpq_mul(x->t, cur->c[v], sums_at(R, c));
            if (!mpq_equal(sums_at(S, c), x->t))
                return fail(
                    x,
                    "condition 3 (scale-weighted sums) fails at layer %zu, neuron %zu (block %zu, "
                    "representative %zu), %s: %s != %s * %s",
                    ln, v, k, r, prev_name(pn, sizeof pn, prev, c), qtext(x, 0, sums_at(S, c)),
                    qtext(x, 1, cur->c[v]), qtext(x, 2, sums_at(R, c)));
        }
    return 0;
}

/* The quotient neuron of the kept block K of layer LI, whose
 * representative's sums are in R: activation, bias b_eff_rep, and the
 * weight W'(C, B) from each kept block C of the previous layer. */
static int check_qneuron(ctx_t *x, const sums_t *R, const lump_net_t *net, const lump_net_t *q,
                         size_t li, size_t k, const side_t *prev, const side_t *cur)
{
    const size_t r = cur->lay->blocks[k].members[0], ln = li + 1;
    const lump_act_t *act = lump_layer_act(&net->layers[li], r);
    const lump_layer_t *ql = &q->layers[li];
    const size_t j = cur->qidx[k], qin = ql->in_size;
    char pn[64];
    if (!lump_act_equal(lump_layer_act(ql, j), act))
        return fail(x,
                    "quotient layer %zu neuron %zu: activation is %s, the representative %zu of "
                    "block %zu has %s",
                    ln, j, lump_act_name(lump_layer_act(ql, j)->kind), r, k,
                    lump_act_name(act->kind));
    lump_arr_get(x->w, &ql->bias, j);
    if (!mpq_equal(x->w, R->beff))
        return fail(x,
                    "quotient layer %zu neuron %zu: bias is %s, the formula gives %s (block %zu, "
                    "representative %zu, "
                    "with the folded constants)",
                    ln, j, qtext(x, 0, x->w), qtext(x, 1, R->beff), k, r);
    /* The kept blocks of the previous layer, in block order, are the
     * quotient's inputs 0, 1, ...; an untouched sum is zero. */
    for (size_t c = 0; c < prev->n_blocks; c++) {
        const size_t i = prev->qidx[c];
        if (i == NONE)
            continue;
        lump_arr_get(x->w, &ql->weight, j * qin + i);
        if (!mpq_equal(x->w, sums_at(R, c)))
            return fail(
                x,
                "quotient layer %zu neuron %zu (block %zu, representative %zu): weight from %s "
                "(quotient input %zu) is %s, the formula gives %s",
                ln, j, k, r, prev_name(pn, sizeof pn, prev, c), i, qtext(x, 0, x->w),
                qtext(x, 1, sums_at(R, c)));
    }
    return 0;
}

/* ---- the whole network -------------------------------------------------------------- */

static int vec_equal(mpq_t *const a, mpq_t *const b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!mpq_equal(a[i], b[i]))
            return 0;
    return 1;
}

/* The numbers of inputs and layers of NAME ("the certificate", "the
 * quotient") against NET's; VERB ("is for", "has") says the inputs. */
static int check_counts(ctx_t *x, const char *name, const char *verb, size_t n_inputs,
                        size_t n_layers, const lump_net_t *net)
{
    if (n_inputs != net->n_inputs)
        return fail(x, "%s %s %zu inputs, the network has %zu", name, verb, n_inputs,
                    net->n_inputs);
    if (n_layers != net->n_layers)
        return fail(x, "%s has %zu layers, the network has %zu", name, n_layers, net->n_layers);
    return 0;
}

/* The shape of L against NET. */
static int check_lumping_shape(ctx_t *x, const lump_net_t *net, const lump_lumping_t *L)
{
    size_t i, prev = net->n_inputs;
    if (L->mode != LUMP_MODE_EXACT && L->mode != LUMP_MODE_PROPORTIONAL)
        return fail(x, "the lumping has an unknown mode (%d)", (int)L->mode);
    if (check_counts(x, "the certificate", "is for", L->n_inputs, L->n_layers, net))
        return 1;
    for (i = 0; i < net->n_layers; i++) {
        if (net->layers[i].in_size != prev)
            return fail(x, "network layer %zu is fed by %zu neurons, the previous layer has %zu",
                        i + 1, net->layers[i].in_size, prev);
        if (L->layers[i].size != net->layers[i].size)
            return fail(x, "the certificate's layer %zu has %zu neurons, the network's has %zu",
                        i + 1, L->layers[i].size, net->layers[i].size);
        prev = net->layers[i].size;
    }
    return 0;
}

/* The shape of Q against NET, and the maps Q must copy unchanged. */
static int check_quotient_shape(ctx_t *x, const lump_net_t *net, const lump_net_t *q)
{
    const size_t nout = lump_net_n_outputs(net);
    if (check_counts(x, "the quotient", "has", q->n_inputs, q->n_layers, net))
        return 1;
    if (lump_net_n_outputs(q) != nout)
        return fail(x, "the quotient has %zu outputs, the network has %zu", lump_net_n_outputs(q),
                    nout);
    if (q->has_clip != net->has_clip ||
        (net->has_clip && (!vec_equal(q->clip_lo, net->clip_lo, net->n_inputs) ||
                           !vec_equal(q->clip_hi, net->clip_hi, net->n_inputs))))
        return fail(x, "the quotient's input clipping differs from the network's");
    if (q->has_norm != net->has_norm ||
        (net->has_norm && (!vec_equal(q->norm_mean, net->norm_mean, net->n_inputs) ||
                           !vec_equal(q->norm_range, net->norm_range, net->n_inputs))))
        return fail(x, "the quotient's input normalisation differs from the network's");
    if (q->has_outmap != net->has_outmap ||
        (net->has_outmap && (!vec_equal(q->out_scale, net->out_scale, nout) ||
                             !vec_equal(q->out_shift, net->out_shift, nout))))
        return fail(x, "the quotient's output map differs from the network's");
    return 0;
}

/* Pass 1 over layer LI (PREV describes the previous layer, checked): the
 * partition and conditions 1-6; fills CUR. */
static void lumping_layer(ctx_t *x, side_t *cur, sums_t *R, sums_t *S, const lump_net_t *net,
                          const lump_lumping_t *L, size_t li, const side_t *prev)
{
    const lump_layer_t *layer = &net->layers[li];
    side_layer(cur, L, li, layer->size);
    if (check_blocks(x, cur, net, L, li))
        return;
    for (size_t k = 0; k < cur->lay->n_blocks; k++) {
        const lump_block_t *b = &cur->lay->blocks[k];
        row_sums(R, x, layer, b->members[0], prev);
        if (check_rep(x, R, net, li, k, prev, cur))
            return;
        for (size_t j = 1; j < b->n_members; j++) {
            row_sums(S, x, layer, b->members[j], prev);
            if (check_member(x, S, R, li, k, b->members[j], prev, cur))
                return;
        }
    }
}

/* Pass 2 over layer LI: the quotient layer, from the representatives'
 * rows only. L is already known to be valid, so check_blocks only
 * rebuilds CUR. */
static void quotient_layer(ctx_t *x, side_t *cur, sums_t *R, const lump_net_t *net,
                           const lump_net_t *q, const lump_lumping_t *L, size_t li,
                           const side_t *prev)
{
    const lump_layer_t *layer = &net->layers[li];
    side_layer(cur, L, li, layer->size);
    if (check_blocks(x, cur, net, L, li) || check_qshape(x, q, li, prev, cur))
        return;
    for (size_t k = 0; k < cur->lay->n_blocks; k++) {
        if (cur->lay->blocks[k].fate != LUMP_FATE_KEEP)
            continue;
        row_sums(R, x, layer, cur->lay->blocks[k].members[0], prev);
        if (check_qneuron(x, R, net, q, li, k, prev, cur))
            return;
    }
}

/* Pass 1 over every layer: the shape, the partition and conditions 1-6.
 * X records the first violation. */
static lump_error_t check_lumping(ctx_t *x, const lump_net_t *net, const lump_lumping_t *L,
                                  side_t sides[2], sums_t *R, sums_t *S)
{
    lump_error_t err = LUMP_OK;
    size_t i, widest = net->n_inputs, lv = lump_progress_begin("check layer", net->n_layers, 0);
    if (check_lumping_shape(x, net, L))
        goto cleanup;
    for (i = 0; i < net->n_layers; i++)
        if (L->layers[i].n_blocks > widest)
            widest = L->layers[i].n_blocks;
    sums_alloc(R, widest);
    sums_alloc(S, widest);
    side_inputs(&sides[0], net->n_inputs);
    for (i = 0; i < net->n_layers && !x->vd.failed; i++) {
        LUMP_CHECK(lump_progress_step(lv, i));
        side_clear(&sides[(i + 1) % 2]);
        lumping_layer(x, &sides[(i + 1) % 2], R, S, net, L, i, &sides[i % 2]);
    }
cleanup:
    lump_progress_end(lv);
    return err;
}

/* The state of one check: the context, the two sides of the current pair
 * of layers and the two sum arrays. The three entry points start and end
 * a check the same way. */
typedef struct {
    ctx_t x;
    side_t sides[2];
    sums_t R, S;
} run_t;

/* Starts a check whose verdict goes to *VALID (false until proven) and
 * whose message goes to WHY (emptied). */
static void run_init(run_t *r, lump_verdict_t *valid, char *why, size_t whylen, int merged_outputs)
{
    memset(&r->x, 0, sizeof r->x);
    lump_i_why_init(&r->x.vd, valid, why, whylen);
    r->x.merged_outputs = merged_outputs;
    mpq_inits(r->x.t, r->x.w, NULL);
    side_init(&r->sides[0]);
    side_init(&r->sides[1]);
    sums_init(&r->R);
    sums_init(&r->S);
}

/* Ends the check R: frees its state and returns ERR; an error leaves the
 * verdict false. */
static lump_error_t run_clear(run_t *r, lump_error_t err)
{
    if (err != LUMP_OK)
        *r->x.vd.valid = LUMP_FALSE;
    side_clear(&r->sides[0]);
    side_clear(&r->sides[1]);
    sums_clear(&r->R);
    sums_clear(&r->S);
    mpq_clears(r->x.t, r->x.w, NULL);
    return err;
}

/* lump_cert_check -- verify that L is a valid lumping of NET and Q its
 * quotient (include/lumpnet/lump.h states the conditions). Pass 1
 * recomputes in exact rationals, for every neuron, its scale-weighted sums
 * per block of the previous layer and its bias with the previous layer's
 * constants folded in, and checks the partition and conditions 1-6; pass 2
 * recomputes the representatives' rows and compares Q with the quotient
 * formula, so that a broken lumping is reported as such rather than as a
 * quotient mismatch. Sums go to a sparse per-block array that is reset
 * only where it was touched, so each pass reads every weight at most once.
 * On the first violation *VALID = LUMP_FALSE and WHY (WHYLEN bytes, may be
 * NULL) names the condition, the layer (L_1 = the first layer after the
 * inputs) and the neuron; otherwise *VALID = LUMP_TRUE and WHY is "".
 * The partition finder is never called: this is the trusted base of a
 * proof of equivalence.
 * Errors: LUMP_EINTERRUPTED once lump_cancel_request was called (a
 * progress step per layer); then *VALID = LUMP_FALSE.
 * Complexity: O(m + neurons) rational operations for the m weights of
 * NET, plus one read of Q's weights. */
lump_error_t lump_cert_check(lump_verdict_t *valid, char *why, size_t whylen, const lump_net_t *net,
                             const lump_net_t *q, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    run_t r;
    size_t i, lv = SIZE_MAX; /* no phase open yet */

    run_init(&r, valid, why, whylen, 0);
    LUMP_CHECK(check_lumping(&r.x, net, L, r.sides, &r.R, &r.S));
    if (r.x.vd.failed || check_quotient_shape(&r.x, net, q))
        goto cleanup;

    side_clear(&r.sides[0]);
    side_inputs(&r.sides[0], net->n_inputs);
    lv = lump_progress_begin("quotient layer", net->n_layers, 0);
    for (i = 0; i < net->n_layers && !r.x.vd.failed; i++) {
        LUMP_CHECK(lump_progress_step(lv, i));
        side_clear(&r.sides[(i + 1) % 2]);
        quotient_layer(&r.x, &r.sides[(i + 1) % 2], &r.R, net, q, L, i, &r.sides[i % 2]);
    }
    if (!r.x.vd.failed)
        *valid = LUMP_TRUE;
cleanup:
    if (lv != SIZE_MAX)
        lump_progress_end(lv);
    return run_clear(&r, err);
}

/* lump_cert_check_merged -- see lump.h. Pass 1 only, with outputs allowed
 * to share blocks. */
lump_error_t lump_cert_check_merged(lump_verdict_t *valid, char *why, size_t whylen,
                                    const lump_net_t *net, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    run_t r;

    run_init(&r, valid, why, whylen, 1);
    LUMP_CHECK(check_lumping(&r.x, net, L, r.sides, &r.R, &r.S));
    if (!r.x.vd.failed)
        *valid = LUMP_TRUE;
cleanup:
    return run_clear(&r, err);
}

/* lump_i_cert_check_union -- see cert_i.h. Pass 1 with outputs allowed to
 * share blocks (never dead), then, for each output j of A (union neuron j)
 * and of B (union neuron NOUT + j) of the last layer: one KEEP block and
 * equal scales, or two CONSTANT blocks with equal values. Pass 1 has
 * verified that the last layer's blocks partition it, so the block of each
 * neuron is well defined. */
lump_error_t lump_i_cert_check_union(lump_verdict_t *valid, char *why, size_t whylen,
                                     const lump_net_t *u, size_t nout, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    run_t r;
    ctx_t *x = &r.x;
    const side_t *last;

    run_init(&r, valid, why, whylen, 1);
    LUMP_CHECK(check_lumping(x, u, L, r.sides, &r.R, &r.S));
    if (x->vd.failed)
        goto cleanup;
    last = &r.sides[u->n_layers % 2];
    if (last->n != 2 * nout) {
        fail(x, "the last layer of the union has %zu neurons, not twice the %zu outputs", last->n,
             nout);
        goto cleanup;
    }
    for (size_t j = 0; j < nout; j++) {
        const size_t ka = last->blk[j], kb = last->blk[nout + j];
        const lump_block_t *ba = &last->lay->blocks[ka], *bb = &last->lay->blocks[kb];
        if (ba->fate == LUMP_FATE_CONSTANT && bb->fate == LUMP_FATE_CONSTANT) {
            if (!mpq_equal(ba->value, bb->value)) {
                fail(x, "output %zu: A's is the constant %s, B's the constant %s", j,
                     qtext(x, 0, ba->value), qtext(x, 1, bb->value));
                goto cleanup;
            }
            continue;
        }
        if (ka != kb || ba->fate != LUMP_FATE_KEEP) {
            fail(x,
                 "output %zu: A's (union neuron %zu, block %zu) and B's (union neuron %zu, "
                 "block %zu) are not in one kept block",
                 j, j, ka, nout + j, kb);
            goto cleanup;
        }
        if (!mpq_equal(last->c[j], last->c[nout + j])) {
            fail(x, "output %zu: A's has scale %s and B's scale %s in block %zu", j,
                 qtext(x, 0, last->c[j]), qtext(x, 1, last->c[nout + j]), ka);
            goto cleanup;
        }
    }
    *valid = LUMP_TRUE;
cleanup:
    return run_clear(&r, err);
}
