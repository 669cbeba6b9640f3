/* sound_gen.c -- random networks and exactly function-preserving (or
 * function-changing) rewrites of them, for the soundness suite */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sound_gen.h"

static unsigned long pick(gmp_randstate_t r, unsigned long n)
{
    return gmp_urandomm_ui(r, n);
}

void sg_opts_default(sg_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->values = SG_RATIONAL;
    o->max_in = 4;
    o->max_width = 5;
    o->max_hidden = 3;
}

void sg_rand_q(mpq_t out, gmp_randstate_t r, unsigned long num, unsigned long den)
{
    long n = (long)pick(r, 2 * num + 1) - (long)num;
    mpq_set_si(out, n, 1 + pick(r, den));
    mpq_canonicalize(out);
}

void sg_rand_between(mpq_t out, gmp_randstate_t r, const mpq_t lo, const mpq_t hi,
                     unsigned long den)
{
    unsigned long k = pick(r, 8);
    mpq_t t;
    if (k == 0) {
        mpq_set(out, lo);
        return;
    }
    if (k == 1) {
        mpq_set(out, hi);
        return;
    }
    mpq_init(t);
    mpq_set_ui(t, pick(r, den + 1), den);
    mpq_canonicalize(t);
    mpq_sub(out, hi, lo);
    mpq_mul(out, out, t);
    mpq_add(out, out, lo);
    mpq_clear(t);
}

/* +-(1 + 2^-BITS): a binary number whose square needs 2 BITS + 1 bits. */
static void near_one(mpq_t out, gmp_randstate_t r, unsigned bits)
{
    mpz_t d;
    mpz_init(d);
    mpz_ui_pow_ui(d, 2, bits);
    mpq_set_z(out, d);
    mpz_add_ui(mpq_numref(out), mpq_numref(out), 1);
    mpz_set(mpq_denref(out), d);
    mpq_canonicalize(out);
    if (pick(r, 4) == 0)
        mpq_neg(out, out);
    mpz_clear(d);
}

void sg_value(mpq_t out, gmp_randstate_t r, sg_values_t values)
{
    unsigned long k = pick(r, 16);
    if (k < 4) {
        mpq_set_ui(out, 0, 1);
        return;
    }
    switch (values) {
    case SG_RATIONAL:
        sg_rand_q(out, r, 6, 6);
        return;
    case SG_F32:
    case SG_F64: {
        /* m / 2^e, with m of up to 7 bits mostly, up to 24 or 53 bits
         * sometimes, and 1 + 2^-23 / 1 + 2^-52 now and then */
        unsigned bits = k < 13 ? 7 : (values == SG_F32 ? 24 : 53);
        mpz_t m;
        if (k == 15) {
            near_one(out, r, values == SG_F32 ? 23 : 52);
            return;
        }
        mpz_init(m);
        mpz_urandomb(m, r, bits);
        if (pick(r, 2))
            mpz_neg(m, m);
        mpq_set_z(out, m);
        mpz_set_ui(m, 1);
        mpz_mul_2exp(m, m, bits > 7 ? bits - 2 : pick(r, 6));
        mpq_set_den(out, m);
        mpq_canonicalize(out);
        mpz_clear(m);
        return;
    }
    }
}

void sg_alpha(mpq_t out, gmp_randstate_t r, int f32only)
{
    static const long num[6] = {-1, -1, 1, 1, 3, 2};
    static const unsigned long den[6] = {1, 2, 10, 1, 2, 1};
    unsigned long k;
    do
        k = pick(r, 6);
    while (f32only && k == 2);
    mpq_set_si(out, num[k], den[k]);
}

static int random_act(gmp_randstate_t r, int smooth)
{
    unsigned long k = pick(r, smooth ? 5 : 3);
    return (int)k; /* identity, relu, leaky_relu, sigmoid, tanh */
}

static void set_act(sr_act_t *a, int kind, gmp_randstate_t r, int f32only)
{
    a->kind = kind;
    mpq_set_ui(a->alpha, 0, 1);
    if (kind == LUMP_ACT_LEAKY_RELU)
        sg_alpha(a->alpha, r, f32only);
}

static void act_copy(sr_act_t *d, const sr_act_t *s)
{
    d->kind = s->kind;
    mpq_set(d->alpha, s->alpha);
}

/* N with one more neuron at the end of hidden layer I: zero row and bias,
 * identity, zero outgoing column. */
static void grow(sr_net_t *n, size_t i)
{
    sr_net_t m;
    size_t *sizes = malloc(n->n_layers * sizeof *sizes);
    if (sizes == NULL)
        abort();
    for (size_t k = 0; k < n->n_layers; k++)
        sizes[k] = n->layer[k].size + (k == i);
    sr_init(&m);
    sr_setup(&m, n->n_in, n->n_layers, sizes);
    free(sizes);
    for (size_t k = 0; k < n->n_layers; k++) {
        const sr_layer_t *s = &n->layer[k];
        sr_layer_t *d = &m.layer[k];
        for (size_t v = 0; v < s->size; v++) {
            for (size_t u = 0; u < s->in_size; u++)
                mpq_set(d->w[v * d->in_size + u], s->w[v * s->in_size + u]);
            mpq_set(d->b[v], s->b[v]);
            act_copy(&d->act[v], &s->act[v]);
        }
    }
    sr_alloc_maps(&m, n->has_clip, n->has_norm, n->has_outmap);
    for (size_t k = 0; k < n->n_in; k++) {
        if (n->has_clip) {
            mpq_set(m.clip_lo[k], n->clip_lo[k]);
            mpq_set(m.clip_hi[k], n->clip_hi[k]);
        }
        if (n->has_norm) {
            mpq_set(m.norm_mean[k], n->norm_mean[k]);
            mpq_set(m.norm_range[k], n->norm_range[k]);
        }
    }
    for (size_t j = 0; n->has_outmap && j < sr_n_out(n); j++) {
        mpq_set(m.out_scale[j], n->out_scale[j]);
        mpq_set(m.out_shift[j], n->out_shift[j]);
    }
    sr_clear(n);
    *n = m;
}

/* A scale neuron V of layer I may take: 1 for sigmoid/tanh; positive for
 * relu and leaky_relu; any non-zero for identity. Powers of two mostly
 * when the network must stay binary. */
static void pick_scale(mpq_t c, gmp_randstate_t r, const sr_act_t *a, sg_values_t values)
{
    static const long num[8] = {2, 1, 3, 1, 5, 4, 1, 1};
    static const unsigned long den[8] = {1, 4, 1, 3, 7, 1, 8, 1};
    unsigned long k;
    if (a->kind >= LUMP_ACT_SIGMOID) {
        mpq_set_ui(c, 1, 1);
        return;
    }
    k = pick(r, 8);
    if (values != SG_RATIONAL && pick(r, 4) != 0)
        k = (unsigned long[]){0, 1, 5, 6, 7}[pick(r, 5)];
    mpq_set_si(c, num[k], den[k]);
    if (a->kind == LUMP_ACT_IDENTITY && pick(r, 2))
        mpq_neg(c, c);
}

static void plant(sr_net_t *n, gmp_randstate_t r, const sg_opts_t *o);

void sg_random_net(sr_net_t *n, gmp_randstate_t r, const sg_opts_t *o)
{
    size_t n_in = 1 + pick(r, (unsigned long)o->max_in);
    size_t hidden = pick(r, (unsigned long)o->max_hidden + 1);
    size_t sizes[8];
    int f32only = o->values != SG_RATIONAL;
    for (size_t i = 0; i < hidden; i++)
        sizes[i] = 1 + pick(r, (unsigned long)o->max_width);
    sizes[hidden] = 1 + pick(r, 3);
    sr_setup(n, n_in, hidden + 1, sizes);
    for (size_t i = 0; i <= hidden; i++) {
        sr_layer_t *l = &n->layer[i];
        int kind = i == hidden && pick(r, 2) ? LUMP_ACT_IDENTITY : random_act(r, o->smooth);
        int per_neuron = o->mixed && pick(r, 6) == 0;
        sr_act_t first;
        mpq_init(first.alpha);
        set_act(&first, kind, r, f32only);
        for (size_t v = 0; v < l->size; v++) {
            if (per_neuron)
                set_act(&l->act[v], random_act(r, o->smooth), r, f32only);
            else
                act_copy(&l->act[v], &first);
            sg_value(l->b[v], r, o->values);
            for (size_t u = 0; u < l->in_size; u++)
                sg_value(l->w[v * l->in_size + u], r, o->values);
        }
        mpq_clear(first.alpha);
    }
    if (o->maps && pick(r, 3) == 0) {
        int clip = pick(r, 2), norm = pick(r, 2), outmap = pick(r, 2);
        sr_alloc_maps(n, clip, norm, outmap);
        for (size_t k = 0; k < n_in; k++) {
            if (clip) {
                sg_value(n->clip_lo[k], r, o->values);
                sg_value(n->clip_hi[k], r, o->values);
                if (mpq_cmp(n->clip_lo[k], n->clip_hi[k]) > 0)
                    mpq_swap(n->clip_lo[k], n->clip_hi[k]);
            }
            if (norm) {
                sg_value(n->norm_mean[k], r, o->values);
                do
                    sg_value(n->norm_range[k], r, o->values);
                while (mpq_sgn(n->norm_range[k]) == 0);
            }
        }
        for (size_t j = 0; outmap && j < sizes[hidden]; j++) {
            do
                sg_value(n->out_scale[j], r, o->values);
            while (mpq_sgn(n->out_scale[j]) == 0);
            sg_value(n->out_shift[j], r, o->values);
        }
    }
    if (o->plant)
        plant(n, r, o);
}

/* A constant whose chain of products leaves the binary format soon. */
static void hard_constant(mpq_t out, gmp_randstate_t r, sg_values_t values)
{
    switch (values) {
    case SG_RATIONAL:
        mpq_set_si(out, pick(r, 2) ? 1 : 7, pick(r, 2) ? 3 : 5);
        break;
    case SG_F32:
        near_one(out, r, 23);
        break;
    case SG_F64:
        near_one(out, r, pick(r, 2) ? 52 : 40);
        break;
    }
}

static void plant(sr_net_t *n, gmp_randstate_t r, const sg_opts_t *o)
{
    size_t hidden = n->n_layers - 1;
    int f32only = o->values != SG_RATIONAL;
    if (hidden == 0)
        return;
    /* a constant chain: a neuron with no inputs, then (when the next layer
     * is hidden too) a neuron fed by it alone */
    if (pick(r, 2)) {
        size_t i = pick(r, hidden);
        sr_layer_t *l = &n->layer[i];
        size_t v = pick(r, l->size);
        for (size_t u = 0; u < l->in_size; u++)
            mpq_set_ui(l->w[v * l->in_size + u], 0, 1);
        hard_constant(l->b[v], r, o->values);
        if (l->act[v].kind >= LUMP_ACT_SIGMOID)
            set_act(&l->act[v], 1 + (int)pick(r, 2), r, f32only);
        if (i + 1 < hidden) {
            sr_layer_t *nx = &n->layer[i + 1];
            size_t w = pick(r, nx->size);
            for (size_t u = 0; u < nx->in_size; u++)
                mpq_set_ui(nx->w[w * nx->in_size + u], 0, 1);
            hard_constant(nx->w[w * nx->in_size + v], r, o->values);
            if (pick(r, 2))
                mpq_set_ui(nx->b[w], 0, 1);
            if (nx->act[w].kind >= LUMP_ACT_SIGMOID)
                set_act(&nx->act[w], (int)pick(r, 3), r, f32only);
        }
    }
    /* a dead column */
    if (pick(r, 3) == 0) {
        size_t i = pick(r, hidden);
        sr_layer_t *nx = &n->layer[i + 1];
        size_t v = pick(r, n->layer[i].size);
        for (size_t w = 0; w < nx->size; w++)
            mpq_set_ui(nx->w[w * nx->in_size + v], 0, 1);
    }
    /* a scaled duplicate with its own outgoing weights */
    if (pick(r, 2)) {
        size_t i = pick(r, hidden), v = pick(r, n->layer[i].size), s;
        mpq_t c;
        mpq_init(c);
        grow(n, i);
        s = n->layer[i].size - 1;
        pick_scale(c, r, &n->layer[i].act[v], o->values);
        {
            sr_layer_t *l = &n->layer[i], *nx = &n->layer[i + 1];
            for (size_t u = 0; u < l->in_size; u++)
                mpq_mul(l->w[s * l->in_size + u], l->w[v * l->in_size + u], c);
            mpq_mul(l->b[s], l->b[v], c);
            act_copy(&l->act[s], &l->act[v]);
            for (size_t w = 0; w < nx->size; w++)
                sg_value(nx->w[w * nx->in_size + s], r, o->values);
        }
        mpq_clear(c);
    }
}

/* ---- function-preserving rewrites -------------------------------------- */

static void permute(sr_net_t *n, size_t i, gmp_randstate_t r)
{
    sr_layer_t *l = &n->layer[i], *nx = &n->layer[i + 1];
    for (size_t v = l->size; v > 1; v--) {
        size_t a = v - 1, b = pick(r, v);
        if (a == b)
            continue;
        for (size_t u = 0; u < l->in_size; u++)
            mpq_swap(l->w[a * l->in_size + u], l->w[b * l->in_size + u]);
        mpq_swap(l->b[a], l->b[b]);
        {
            sr_act_t t = l->act[a];
            l->act[a] = l->act[b];
            l->act[b] = t;
        }
        for (size_t w = 0; w < nx->size; w++)
            mpq_swap(nx->w[w * nx->in_size + a], nx->w[w * nx->in_size + b]);
    }
}

static void duplicate(sr_net_t *n, size_t i, size_t v, gmp_randstate_t r, sg_values_t values)
{
    static const long tn[4] = {1, 3, 1, 1};
    static const unsigned long td[4] = {2, 8, 4, 3};
    size_t s, k = pick(r, values == SG_RATIONAL ? 4 : 3);
    mpq_t c, t, u1, q;
    mpq_inits(c, t, u1, q, NULL);
    grow(n, i);
    s = n->layer[i].size - 1;
    pick_scale(c, r, &n->layer[i].act[v], values);
    mpq_set_si(t, tn[k], td[k]);
    mpq_set_ui(u1, 1, 1);
    mpq_sub(u1, u1, t); /* the copy's share */
    {
        sr_layer_t *l = &n->layer[i], *nx = &n->layer[i + 1];
        for (size_t u = 0; u < l->in_size; u++)
            mpq_mul(l->w[s * l->in_size + u], l->w[v * l->in_size + u], c);
        mpq_mul(l->b[s], l->b[v], c);
        act_copy(&l->act[s], &l->act[v]);
        for (size_t w = 0; w < nx->size; w++) {
            mpq_t *wv = &nx->w[w * nx->in_size + v];
            mpq_mul(q, *wv, u1);
            mpq_div(nx->w[w * nx->in_size + s], q, c);
            mpq_mul(*wv, *wv, t);
        }
    }
    mpq_clears(c, t, u1, q, NULL);
}

static void scale(sr_net_t *n, size_t i, size_t v, gmp_randstate_t r, sg_values_t values)
{
    sr_layer_t *l = &n->layer[i], *nx = &n->layer[i + 1];
    mpq_t c;
    mpq_init(c);
    pick_scale(c, r, &l->act[v], values);
    for (size_t u = 0; u < l->in_size; u++)
        mpq_mul(l->w[v * l->in_size + u], l->w[v * l->in_size + u], c);
    mpq_mul(l->b[v], l->b[v], c);
    for (size_t w = 0; w < nx->size; w++)
        mpq_div(nx->w[w * nx->in_size + v], nx->w[w * nx->in_size + v], c);
    mpq_clear(c);
}

static void add_dead(sr_net_t *n, size_t i, gmp_randstate_t r, sg_values_t values)
{
    sr_layer_t *l;
    size_t s;
    grow(n, i);
    l = &n->layer[i];
    s = l->size - 1;
    for (size_t u = 0; u < l->in_size; u++)
        sg_value(l->w[s * l->in_size + u], r, values);
    sg_value(l->b[s], r, values);
    act_copy(&l->act[s], &l->act[pick(r, s)]);
}

static void add_constant(sr_net_t *n, size_t i, gmp_randstate_t r, sg_values_t values)
{
    sr_layer_t *l, *nx;
    size_t s;
    mpq_t val, q;
    mpq_inits(val, q, NULL);
    grow(n, i);
    l = &n->layer[i];
    nx = &n->layer[i + 1];
    s = l->size - 1;
    act_copy(&l->act[s], &l->act[pick(r, s)]);
    if (l->act[s].kind >= LUMP_ACT_SIGMOID) {
        mpq_set_ui(l->b[s], 0, 1);
        mpq_set_ui(val, l->act[s].kind == LUMP_ACT_SIGMOID ? 1 : 0, 2);
    } else {
        if (pick(r, 2))
            hard_constant(l->b[s], r, values);
        else
            sg_value(l->b[s], r, values);
        sr_act_value(val, &l->act[s], l->b[s]);
    }
    for (size_t w = 0; w < nx->size; w++) {
        mpq_t *ws = &nx->w[w * nx->in_size + s];
        sg_value(*ws, r, values);
        mpq_mul(q, *ws, val);
        mpq_sub(nx->b[w], nx->b[w], q);
    }
    mpq_clears(val, q, NULL);
}

void sg_equal_copy(sr_net_t *out, const sr_net_t *n, gmp_randstate_t r, sg_values_t values,
                   char *desc, size_t desclen)
{
    size_t hidden = n->n_layers - 1, steps = 1 + pick(r, 4), len = 0;
    sr_copy(out, n);
    desc[0] = '\0';
    if (hidden == 0) {
        snprintf(desc, desclen, "copy");
        return;
    }
    for (size_t k = 0; k < steps; k++) {
        size_t i = pick(r, hidden), v = pick(r, out->layer[i].size);
        const char *what;
        switch (pick(r, 6)) {
        case 0:
            permute(out, i, r);
            what = "permute";
            break;
        case 1:
            duplicate(out, i, v, r, values);
            what = "duplicate";
            break;
        case 2:
            scale(out, i, v, r, values);
            what = "scale";
            break;
        case 3:
            add_dead(out, i, r, values);
            what = "dead";
            break;
        case 4:
            add_constant(out, i, r, values);
            what = "constant";
            break;
        default:
            what = sg_cut_constant(out, r, 1) ? "fold-constant" : "no-constant";
            break;
        }
        if (len < desclen)
            len +=
                (size_t)snprintf(desc + len, desclen - len, "%s%s@L%zu", k ? "," : "", what, i + 1);
    }
}

void sg_perturb(sr_net_t *n, gmp_randstate_t r, sg_values_t values, char *desc, size_t desclen)
{
    size_t i = pick(r, n->n_layers);
    sr_layer_t *l = &n->layer[i];
    size_t v = pick(r, l->size);
    mpq_t d;
    mpq_init(d);
    do
        sg_value(d, r, values);
    while (mpq_sgn(d) == 0);
    if (values != SG_RATIONAL && pick(r, 3) == 0) {
        /* a tiny change, one unit in a low bit */
        mpq_set_ui(d, 1, 1);
        mpz_mul_2exp(mpq_denref(d), mpq_denref(d), values == SG_F32 ? 20 : 45);
    }
    if (pick(r, 3) == 0 && sg_cut_constant(n, r, 0)) {
        snprintf(desc, desclen, "drop a constant");
        mpq_clear(d);
        return;
    }
    switch (pick(r, 4)) {
    case 0:
        mpq_add(l->b[v], l->b[v], d);
        snprintf(desc, desclen, "bias L%zu n%zu", i + 1, v);
        break;
    case 1:
        if (l->act[v].kind == LUMP_ACT_LEAKY_RELU) {
            mpq_t a;
            mpq_init(a);
            do
                sg_alpha(a, r, values != SG_RATIONAL);
            while (mpq_equal(a, l->act[v].alpha));
            mpq_set(l->act[v].alpha, a);
            mpq_clear(a);
            snprintf(desc, desclen, "alpha L%zu n%zu", i + 1, v);
            break;
        }
        l->act[v].kind = l->act[v].kind == LUMP_ACT_RELU ? LUMP_ACT_IDENTITY : LUMP_ACT_RELU;
        mpq_set_ui(l->act[v].alpha, 0, 1);
        snprintf(desc, desclen, "activation L%zu n%zu", i + 1, v);
        break;
    default: {
        size_t u = pick(r, l->in_size);
        mpq_add(l->w[v * l->in_size + u], l->w[v * l->in_size + u], d);
        snprintf(desc, desclen, "weight L%zu n%zu <- %zu", i + 1, v, u);
        break;
    }
    }
    mpq_clear(d);
}

int sg_cut_constant(sr_net_t *n, gmp_randstate_t r, int compensate)
{
    char **is;
    mpq_t **val, t;
    size_t found = 0, pick_i = 0, pick_v = 0;
    sr_constants(&is, &val, n);
    /* reservoir choice among the candidates of the deepest layer that has
     * any (the end of a constant chain: the value hardest to hold) */
    for (size_t i = n->n_layers - 1; i-- > 0 && found == 0;) {
        const sr_layer_t *nx = &n->layer[i + 1];
        for (size_t v = 0; v < n->layer[i].size; v++) {
            int out = 0;
            for (size_t w = 0; w < nx->size; w++)
                out |= mpq_sgn(nx->w[w * nx->in_size + v]) != 0;
            if (is[i][v] && out && pick(r, ++found) == 0) {
                pick_i = i;
                pick_v = v;
            }
        }
    }
    if (found > 0) {
        sr_layer_t *nx = &n->layer[pick_i + 1];
        mpq_init(t);
        for (size_t w = 0; w < nx->size; w++) {
            mpq_t *wv = &nx->w[w * nx->in_size + pick_v];
            if (compensate) {
                mpq_mul(t, *wv, val[pick_i][pick_v]);
                mpq_add(nx->b[w], nx->b[w], t);
            }
            mpq_set_ui(*wv, 0, 1);
        }
        mpq_clear(t);
    }
    sr_constants_free(is, val, n);
    return found > 0;
}

void sg_perturb_small(sr_net_t *n, gmp_randstate_t r, int count)
{
    mpq_t d;
    mpq_init(d);
    for (int k = 0; k < count; k++) {
        size_t i = pick(r, n->n_layers);
        sr_layer_t *l = &n->layer[i];
        size_t v = pick(r, l->size);
        sg_rand_q(d, r, 3, 64);
        if (pick(r, 4) == 0)
            mpq_add(l->b[v], l->b[v], d);
        else {
            size_t u = pick(r, l->in_size);
            mpq_add(l->w[v * l->in_size + u], l->w[v * l->in_size + u], d);
        }
    }
    mpq_clear(d);
}
