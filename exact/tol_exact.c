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
 * maximum over a box is exact arithmetic on its coefficients. A relu
 * whose kink passes through the maximiser changes sign on every part
 * around it; its two phases split the part into two polytopes (the box
 * cut by z <= 0, by z >= 0), on which the rest is exact linear
 * programming (tol_lp.c).
 *
 * Method: the inputs are carried as exact affine functions of x (n
 * coefficients and a constant), through the clip (inactive or saturated
 * over the box, else not affine: give up), the normalisation, every layer
 * (z_v = sum_u w(u,v) y_u + b_v, exact) and its activation: identity
 * passes; relu and leaky relu need to know whether z_v keeps one sign on
 * the piece: the exact range over the box first (each coefficient times
 * the end it prefers), then, when the piece has cuts, the exact maximum of
 * z_v and of -z_v over it (two linear programs); z_v >= 0 makes the
 * neuron the identity, z_v <= 0 makes it 0 (leaky: alpha z_v), both signs
 * split the piece. Sigmoid and tanh give up. Everything is mpq; nothing
 * is rounded, so the answer is exactly the maximum, and shares no code
 * with bound/ or with tol_leaf.c (it reads only the network model).
 * Cost: O((m_A + m_B) * n) rational operations for m weights per piece,
 * two linear programs per relu that the box's range does not decide; the
 * finder calls it on few parts only. */
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

/* The part being decided: the box cut by the phases chosen so far, each
 * cut c.x + c[n] <= 0 (n + 1 rationals). LPS counts the linear programs
 * solved, against MAX_LPS. */
typedef struct {
    const lump_box_t *box;
    mpq_t *cut; /* EXACT_DEPTH cuts of room */
    size_t m;
    size_t lps;
} part_t;

/* How many phases one exact leaf may split (a bound on its work: 2^12
 * affine pieces at most), and how many linear programs it may solve. */
#define EXACT_DEPTH 12
#define MAX_LPS 4096

enum { FAIL = 0, AFFINE, KINK, EMPTY };
enum { PH_NEG, PH_BOTH, PH_POS, PH_EMPTY, PH_FAIL };

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

/* *MAX of the affine function F (N + 1 rationals) over the part P, and
 * with SIGN -1 of -F: AFFINE, EMPTY when the cuts leave no point, FAIL
 * when no checked answer was found. NEG is scratch of N + 1. */
static int part_max(mpq_t max, const mpq_t *f, int sign, part_t *P, mpq_t *neg, mpq_t t)
{
    size_t n = P->box->n;
    int r;
    if (P->m == 0) {
        range(t, max, f, P->box, neg[0]);
        if (sign < 0)
            mpq_neg(max, t); /* max of -f = -(min of f) */
        return AFFINE;
    }
    if (++P->lps > MAX_LPS)
        return FAIL;
    for (size_t i = 0; i <= n; i++) {
        if (sign < 0)
            mpq_neg(neg[i], f[i]);
        else
            mpq_set(neg[i], f[i]);
    }
    r = lump_i_tol_lp_max(max, neg, n, P->box, P->cut, P->m);
    return r > 0 ? AFFINE : r < 0 ? EMPTY : FAIL;
}

/* The phase of a relu whose pre-activation is Z on the part P: PH_POS
 * when Z >= 0 throughout, PH_NEG when Z <= 0, PH_BOTH when both signs are
 * taken, PH_EMPTY or PH_FAIL (as part_max's EMPTY and FAIL). The box's range decides most neurons; the cuts
 * are read (two linear programs) only when it does not. */
static int phase_on(const mpq_t *z, part_t *P, mpq_t lo, mpq_t hi, mpq_t t, mpq_t *scr)
{
    int r;
    range(lo, hi, z, P->box, t);
    if (mpq_sgn(lo) >= 0)
        return PH_POS;
    if (mpq_sgn(hi) <= 0)
        return PH_NEG;
    if (P->m == 0)
        return PH_BOTH;
    if ((r = part_max(hi, z, 1, P, scr, t)) != AFFINE)
        return r == EMPTY ? PH_EMPTY : PH_FAIL;
    if (mpq_sgn(hi) <= 0)
        return PH_NEG;
    if ((r = part_max(lo, z, -1, P, scr, t)) != AFFINE) /* lo = max of -z */
        return r == EMPTY ? PH_EMPTY : PH_FAIL;
    return mpq_sgn(lo) <= 0 ? PH_POS : PH_BOTH;
}

/* NX = the layer L applied to the functions Y on the part P, activations
 * included: AFFINE; KINK with the pre-activation that takes both signs in
 * KINK; EMPTY; FAIL (sigmoid, tanh, too much work) */
static int layer(aff_t *nx, const aff_t *y, const lump_layer_t *L, part_t *P, mpq_t w,
                 mpq_t t, mpq_t lo, mpq_t hi, mpq_t *kink)
{
    size_t n = y->n;
    for (size_t v = 0; v < L->size; v++) {
        mpq_t *z = row(nx, v);
        const lump_act_t *act = lump_layer_act(L, v);
        int ph;
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
            ph = phase_on(z, P, lo, hi, t, kink);
            if (ph == PH_EMPTY || ph == PH_FAIL)
                return ph == PH_EMPTY ? EMPTY : FAIL;
            if (ph == PH_POS)
                break; /* z >= 0 on the part: the identity */
            if (ph == PH_BOTH) { /* both signs: not affine on the part */
                for (size_t i = 0; i <= n; i++)
                    mpq_set(kink[i], z[i]);
                return KINK;
            }
            for (size_t i = 0; i <= n; i++) { /* z <= 0: 0, or alpha z */
                if (act->kind == LUMP_ACT_RELU)
                    mpq_set_ui(z[i], 0, 1);
                else
                    mpq_mul(z[i], z[i], act->alpha);
            }
            break;
        default:
            return FAIL;
        }
    }
    return AFFINE;
}

/* F = NET's outputs as affine functions on the part P (or KINK, EMPTY,
 * FAIL as layer()) */
static int net_affine(aff_t *f, const lump_net_t *net, part_t *P, mpq_t *kink)
{
    const lump_box_t *box = P->box;
    size_t n = box->n;
    aff_t y, nx;
    mpq_t w, t, lo, hi;
    int st = AFFINE;
    mpq_inits(w, t, lo, hi, NULL);
    aff_init(&y, n, n);
    for (size_t i = 0; i < n && st == AFFINE; i++) {
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
                st = FAIL; /* the clip bends inside the box */
        }
        if (st == AFFINE && net->has_norm) { /* (x - mean) / range */
            mpq_sub(r[n], r[n], net->norm_mean[i]);
            mpq_div(r[i], r[i], net->norm_range[i]);
            mpq_div(r[n], r[n], net->norm_range[i]);
        }
    }
    for (size_t k = 0; k < net->n_layers && st == AFFINE; k++) {
        aff_init(&nx, n, net->layers[k].size);
        st = layer(&nx, &y, &net->layers[k], P, w, t, lo, hi, kink);
        aff_clear(&y);
        y = nx;
    }
    if (st == AFFINE && net->has_outmap)
        for (size_t j = 0; j < y.size; j++) {
            mpq_t *r = row(&y, j);
            for (size_t i = 0; i <= n; i++)
                mpq_mul(r[i], r[i], net->out_scale[j]);
            mpq_add(r[n], r[n], net->out_shift[j]);
        }
    if (st == AFFINE)
        *f = y;
    else
        aff_clear(&y);
    mpq_clears(w, t, lo, hi, NULL);
    return st;
}

/* The exact maximum on the part P (see lump_tol_leaf_exact), raised into
 * MAX when *FOUND, set when not; *FOUND becomes 1 when P has a point.
 * KINK (n + 1 rationals) is scratch. A relu that takes both signs on P
 * splits it into its two phases, z <= 0 and z >= 0, each a cut, DEPTH
 * more times at most. Returns 0 when the answer is not found. */
static int exact_on(mpq_t max, int *found, const lump_tol_pair_t *p, part_t *P, mpq_t *kink,
                    int depth)
{
    aff_t fa = {0, 0, NULL}, fb = {0, 0, NULL};
    mpq_t v, t;
    size_t n = p->n;
    int st = net_affine(&fa, p->qa, P, kink), ok = 1;
    if (st == AFFINE) {
        st = net_affine(&fb, p->qb, P, kink);
        if (st != AFFINE)
            aff_clear(&fa);
    }
    if (st == EMPTY)
        return 1;
    if (st == FAIL)
        return 0;
    if (st == KINK) {
        mpq_t *c;
        if (depth == 0)
            return 0;
        c = P->cut + P->m * (n + 1);
        for (size_t i = 0; i <= n; i++)
            mpq_set(c[i], kink[i]); /* z <= 0 */
        P->m++;
        ok = exact_on(max, found, p, P, kink, depth - 1);
        for (size_t i = 0; i <= n && ok; i++)
            mpq_neg(c[i], c[i]); /* -z <= 0 */
        ok = ok && exact_on(max, found, p, P, kink, depth - 1);
        P->m--;
        return ok;
    }
    mpq_inits(v, t, NULL);
    for (size_t k = 0; k < p->n_out && ok; k++) {
        mpq_t *ra = row(&fa, p->out[k]), *rb = row(&fb, p->out[k]);
        for (size_t i = 0; i <= n; i++)
            mpq_sub(ra[i], ra[i], rb[i]); /* A_j - B_j, affine on the part */
        for (int sign = 1; sign >= -1 && ok; sign -= 2) {
            st = part_max(v, ra, sign, P, kink, t);
            if (st == FAIL)
                ok = 0;
            else if (st == AFFINE && (!*found || mpq_cmp(v, max) > 0)) {
                mpq_set(max, v);
                *found = 1;
            }
        }
    }
    aff_clear(&fa);
    aff_clear(&fb);
    mpq_clears(v, t, NULL);
    return ok;
}

/* lump_tol_leaf_exact -- see tolerance.h. */
int lump_tol_leaf_exact(mpq_t max, const lump_tol_pair_t *p, const lump_box_t *box)
{
    size_t nc = (size_t)EXACT_DEPTH * (p->n + 1);
    part_t P = {box, NULL, 0, 0};
    mpq_t *kink, best;
    int ok, found = 0;
    if (p->qa == NULL || p->qb == NULL || box->n != p->n)
        return 0;
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            return 0;
    kink = lump_alloc_array(p->n + 1, sizeof(mpq_t));
    P.cut = lump_alloc_array(nc, sizeof(mpq_t));
    for (size_t i = 0; i <= p->n; i++)
        mpq_init(kink[i]);
    for (size_t i = 0; i < nc; i++)
        mpq_init(P.cut[i]);
    mpq_init(best);
    ok = exact_on(best, &found, p, &P, kink, EXACT_DEPTH) && found;
    if (ok)
        mpq_set(max, best);
    mpq_clear(best);
    lump_rat_vec_free(kink, p->n + 1);
    lump_rat_vec_free(P.cut, nc);
    return ok;
}
