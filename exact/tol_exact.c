/* tol_exact.c -- the exact leaf of equivalence within a tolerance: on a
 * box where every activation of A and of B is affine, the exact maximum
 * of |A_j(x) - B_j(x)|, in rationals */
/* Why: the trusted leaf bound (tol_leaf.c) works in doubles rounded
 * outward, so it is strictly above the true maximum on a part that holds
 * the maximiser. When the tolerance is exactly that maximum (a corner of
 * the box where the difference peaks at EPS, say), no double bound closes
 * the parts around the maximiser, and the search could only split them
 * until they are too thin for doubles and answer unknown (soundness suite,
 * seed 20261206, cases 219 and 459). On a small enough part around such a
 * point every neuron whose pre-activation does not vanish there keeps one
 * sign, and then A_j - B_j is one affine function on the part, whose
 * maximum over a box is exact arithmetic on its coefficients.
 *
 * Method: the inputs are carried as exact affine functions of x (n
 * coefficients and a constant), through the clip (inactive or saturated
 * over the box, else not affine: give up), the normalisation, every layer
 * (z_v = sum_u w(u,v) y_u + b_v, exact) and its activation: identity
 * passes; relu and leaky relu need the exact range of z_v over the box
 * (min and max of an affine function over a box: each coefficient times
 * the end it prefers), and z_v >= 0 over the box makes the neuron the
 * identity there, z_v <= 0 makes it 0 (leaky: alpha z_v); a z_v taking
 * both signs gives up, as do sigmoid and tanh. Everything is mpq; nothing
 * is rounded, so the answer is exactly the maximum, and shares no code
 * with bound/ or with tol_leaf.c (it reads only the network model).
 * Cost: O((m_A + m_B) * n) rational operations for m weights; the finder
 * calls it on few parts only. */
#include <stdlib.h>
#include "lumpnet/tolerance.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "tol_i.h"

/* an affine function of the N inputs: c[0..n) . x + c[n] */
typedef struct {
    size_t n;      /* inputs */
    size_t size;   /* functions held */
    mpq_t *c;      /* size * (n + 1) */
} aff_t;

static void aff_init(aff_t *f, size_t n, size_t size)
{
    f->n = n;
    f->size = size;
    f->c = lump_alloc_array(size * (n + 1) + 1, sizeof *f->c);
    for (size_t k = 0; k < size * (n + 1); k++)
        mpq_init(f->c[k]);
}

static void aff_clear(aff_t *f)
{
    if (f->c != NULL)
        lump_rat_vec_free(f->c, f->size * (f->n + 1));
    f->c = NULL;
}

static mpq_t *row(const aff_t *f, size_t v)
{
    return f->c + v * (f->n + 1);
}

/* *MIN and *MAX of the affine function F over BOX, exactly */
static void range(mpq_t min, mpq_t max, const mpq_t *f, const lump_box_t *box, mpq_t t)
{
    size_t n = box->n;
    mpq_set(min, f[n]);
    mpq_set(max, f[n]);
    for (size_t i = 0; i < n; i++) {
        int s = mpq_sgn(f[i]);
        if (s == 0)
            continue;
        mpq_mul(t, f[i], s > 0 ? box->lo[i] : box->hi[i]);
        mpq_add(min, min, t);
        mpq_mul(t, f[i], s > 0 ? box->hi[i] : box->lo[i]);
        mpq_add(max, max, t);
    }
}

/* NX = the layer L applied to the functions Y, activations included;
 * returns 0 when an activation is not affine over BOX */
static int layer(aff_t *nx, const aff_t *y, const lump_layer_t *L, const lump_box_t *box,
                 mpq_t w, mpq_t t, mpq_t lo, mpq_t hi, mpq_t *kink)
{
    size_t n = y->n;
    for (size_t v = 0; v < L->size; v++) {
        mpq_t *z = row(nx, v);
        const lump_act_t *act = lump_layer_act(L, v);
        for (size_t i = 0; i <= n; i++)
            mpq_set_ui(z[i], 0, 1);
        for (size_t u = 0; u < L->in_size; u++) {
            const mpq_t *yu = row(y, u);
            lump_arr_get(w, &L->weight, v * L->in_size + u);
            if (mpq_sgn(w) == 0)
                continue;
            for (size_t i = 0; i <= n; i++) {
                if (mpq_sgn(yu[i]) == 0)
                    continue;
                mpq_mul(t, w, yu[i]);
                mpq_add(z[i], z[i], t);
            }
        }
        lump_arr_get(w, &L->bias, v);
        mpq_add(z[n], z[n], w);
        switch (act->kind) {
        case LUMP_ACT_IDENTITY:
            break;
        case LUMP_ACT_RELU:
        case LUMP_ACT_LEAKY_RELU:
            range(lo, hi, z, box, t);
            if (mpq_sgn(lo) >= 0)
                break; /* z >= 0 on the box: the identity */
            if (mpq_sgn(hi) > 0) { /* both signs: not affine on the box */
                for (size_t i = 0; i <= n; i++)
                    mpq_set(kink[i], z[i]);
                return 0;
            }
            for (size_t i = 0; i <= n; i++) { /* z <= 0: 0, or alpha z */
                if (act->kind == LUMP_ACT_RELU)
                    mpq_set_ui(z[i], 0, 1);
                else
                    mpq_mul(z[i], z[i], act->alpha);
            }
            break;
        default:
            return 0;
        }
    }
    return 1;
}

/* F = NET's outputs as affine functions over BOX; 0 when not affine */
static int net_affine(aff_t *f, const lump_net_t *net, const lump_box_t *box, mpq_t *kink)
{
    size_t n = box->n;
    aff_t y, nx;
    mpq_t w, t, lo, hi;
    int ok = 1;
    mpq_inits(w, t, lo, hi, NULL);
    aff_init(&y, n, n);
    for (size_t i = 0; i < n && ok; i++) {
        mpq_t *r = row(&y, i);
        mpq_set_ui(r[i], 1, 1);
        if (net->has_clip) { /* x_i := min(max(x_i, clo), chi) */
            if (mpq_cmp(box->hi[i], net->clip_lo[i]) <= 0) {
                mpq_set_ui(r[i], 0, 1);
                mpq_set(r[n], net->clip_lo[i]);
            } else if (mpq_cmp(box->lo[i], net->clip_hi[i]) >= 0) {
                mpq_set_ui(r[i], 0, 1);
                mpq_set(r[n], net->clip_hi[i]);
            } else if (mpq_cmp(box->lo[i], net->clip_lo[i]) < 0 ||
                       mpq_cmp(box->hi[i], net->clip_hi[i]) > 0)
                ok = 0; /* the clip bends inside the box */
        }
        if (ok && net->has_norm) { /* (x - mean) / range */
            mpq_sub(r[n], r[n], net->norm_mean[i]);
            mpq_div(r[i], r[i], net->norm_range[i]);
            mpq_div(r[n], r[n], net->norm_range[i]);
        }
    }
    for (size_t k = 0; k < net->n_layers && ok; k++) {
        aff_init(&nx, n, net->layers[k].size);
        ok = layer(&nx, &y, &net->layers[k], box, w, t, lo, hi, kink);
        aff_clear(&y);
        y = nx;
    }
    if (ok && net->has_outmap)
        for (size_t j = 0; j < y.size; j++) {
            mpq_t *r = row(&y, j);
            for (size_t i = 0; i <= n; i++)
                mpq_mul(r[i], r[i], net->out_scale[j]);
            mpq_add(r[n], r[n], net->out_shift[j]);
        }
    if (ok)
        *f = y;
    else
        aff_clear(&y);
    mpq_clears(w, t, lo, hi, NULL);
    return ok;
}

/* The exact maximum on BOX (see lump_tol_leaf_exact); KINK (n + 1
 * rationals) is scratch. A relu that takes both signs on BOX ends the
 * attempt, unless its pre-activation depends on one input d only (the
 * other inputs it reads are fixed on BOX): its kink is then the plane
 * x_d = r, r rational, and the two halves of BOX at r are tried in turn,
 * DEPTH more times at most. This decides every part of a one-input box
 * (or of a box that is a segment), kinks at the maximiser included. */
static int exact_on(mpq_t max, const lump_tol_pair_t *p, const lump_box_t *box, mpq_t *kink,
                    int depth)
{
    aff_t fa = {0, 0, NULL}, fb = {0, 0, NULL};
    mpq_t lo, hi, best, t;
    size_t n = p->n, d = n;
    int ok;
    for (size_t i = 0; i <= n; i++)
        mpq_set_ui(kink[i], 0, 1);
    ok = net_affine(&fa, p->qa, box, kink) && net_affine(&fb, p->qb, box, kink);
    mpq_inits(lo, hi, best, t, NULL);
    if (!ok) {
        aff_clear(&fa);
        aff_clear(&fb);
        /* the one input the kink's plane moves along */
        for (size_t i = 0; i < n && depth > 0; i++) {
            if (mpq_sgn(kink[i]) == 0 || mpq_equal(box->lo[i], box->hi[i]))
                continue;
            if (d < n) {
                d = n + 1; /* two: a slanted plane, not a split of the box */
                break;
            }
            d = i;
        }
        if (d < n) {
            /* r = -(c_n + sum_{i != d} c_i lo_i) / c_d, strictly inside
             * (lo_d, hi_d) since z takes both signs on the box */
            lump_box_t half = {n, NULL, NULL};
            mpq_t r, m2;
            mpq_inits(r, m2, NULL);
            mpq_set(r, kink[n]);
            for (size_t i = 0; i < n; i++)
                if (i != d && mpq_sgn(kink[i]) != 0) {
                    mpq_mul(t, kink[i], box->lo[i]);
                    mpq_add(r, r, t);
                }
            mpq_div(r, r, kink[d]);
            mpq_neg(r, r);
            half.lo = lump_alloc_array(n, sizeof(mpq_t));
            half.hi = lump_alloc_array(n, sizeof(mpq_t));
            for (size_t i = 0; i < n; i++) {
                mpq_init(half.lo[i]);
                mpq_init(half.hi[i]);
                mpq_set(half.lo[i], box->lo[i]);
                mpq_set(half.hi[i], box->hi[i]);
            }
            ok = mpq_cmp(r, box->lo[d]) > 0 && mpq_cmp(r, box->hi[d]) < 0;
            if (ok) {
                mpq_set(half.hi[d], r);
                ok = exact_on(best, p, &half, kink, depth - 1);
            }
            if (ok) {
                mpq_set(half.lo[d], r);
                mpq_set(half.hi[d], box->hi[d]);
                ok = exact_on(m2, p, &half, kink, depth - 1);
                if (ok && mpq_cmp(m2, best) > 0)
                    mpq_set(best, m2);
            }
            if (ok)
                mpq_set(max, best);
            lump_rat_vec_free(half.lo, n);
            lump_rat_vec_free(half.hi, n);
            mpq_clears(r, m2, NULL);
        }
        mpq_clears(lo, hi, best, t, NULL);
        return ok;
    }
    for (size_t k = 0; k < p->n_out; k++) {
        mpq_t *ra = row(&fa, p->out[k]), *rb = row(&fb, p->out[k]);
        for (size_t i = 0; i <= n; i++)
            mpq_sub(ra[i], ra[i], rb[i]); /* A_j - B_j, affine on the box */
        range(lo, hi, ra, box, t);
        mpq_neg(lo, lo);
        if (mpq_cmp(lo, best) > 0)
            mpq_set(best, lo);
        if (mpq_cmp(hi, best) > 0)
            mpq_set(best, hi);
    }
    mpq_set(max, best);
    aff_clear(&fa);
    aff_clear(&fb);
    mpq_clears(lo, hi, best, t, NULL);
    return 1;
}

/* How many kinks along one input one exact leaf may split at (a bound on
 * its work: 2^EXACT_DEPTH affine pieces at most). */
#define EXACT_DEPTH 12

/* lump_tol_leaf_exact -- see tolerance.h. */
int lump_tol_leaf_exact(mpq_t max, const lump_tol_pair_t *p, const lump_box_t *box)
{
    mpq_t *kink;
    int ok;
    if (p->qa == NULL || p->qb == NULL || box->n != p->n)
        return 0;
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            return 0;
    kink = lump_alloc_array(p->n + 1, sizeof(mpq_t));
    for (size_t i = 0; i <= p->n; i++)
        mpq_init(kink[i]);
    ok = exact_on(max, p, box, kink, EXACT_DEPTH);
    lump_rat_vec_free(kink, p->n + 1);
    return ok;
}
