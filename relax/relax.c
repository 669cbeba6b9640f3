/* relax.c -- epsilon-lumping: merge the neurons whose normalised signatures
 * lie within eps of a block centre, layer by layer, and build the quotient */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/relax.h"
#include "relax_lump.h"
#include "act_i.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "sort_i.h"

#define NONE ((size_t)-1)

/* A relaxed layer as the next layer sees it: for each neuron its kept
 * block (NONE for a constant) and scale, the constants' values, and the
 * metric weights of the next layer's signatures: max |y_B| over the box for
 * each kept block B, and 1 for the bias (the last entry). */
typedef struct {
    size_t n, nb;
    size_t *kb;
    double *c, *cv, *mw;
} side_t;

static void side_clear(side_t *s)
{
    LUMP_FREE_ALL(s->kb, s->c, s->cv, s->mw);
    memset(s, 0, sizeof *s);
}

static lump_error_t side_alloc(side_t *s, size_t n, size_t nb)
{
    side_clear(s);
    s->n = n;
    s->nb = nb;
    s->kb = lump_alloc_array(n + 1, sizeof *s->kb);
    s->c = lump_alloc_array(n + 1, sizeof *s->c);
    s->cv = lump_alloc_zero(n + 1, sizeof *s->cv);
    s->mw = lump_alloc_array(nb + 1, sizeof *s->mw);
    return LUMP_OK;
}

/* lump_i_rlayer_clear -- see relax_lump.h. O(1). */
void lump_i_rlayer_clear(rlayer_t *r)
{
    LUMP_FREE_ALL(r->start, r->mem, r->isconst, r->value, r->scale, r->q, r->dead);
    memset(r, 0, sizeof *r);
}

/* lump_i_rlayer_alloc -- see relax_lump.h. O(n). */
void lump_i_rlayer_alloc(rlayer_t *r, size_t n, size_t d)
{
    r->n = n;
    r->d = d;
    r->start = lump_alloc_array(n + 2, sizeof *r->start);
    r->mem = lump_alloc_array(n + 1, sizeof *r->mem);
    r->isconst = lump_alloc_zero(n + 1, 1);
    r->value = lump_alloc_zero(n + 1, sizeof *r->value);
    r->scale = lump_alloc_array(n + 1, sizeof *r->scale);
}

/* A[i] as a double: F32 and F64 are read directly (exact), Q rounded. */
static double aget(const lump_arr_t *a, size_t i)
{
    switch (a->store) {
    case LUMP_STORE_F32:
        return ((const float *)a->data)[i];
    case LUMP_STORE_F64:
        return ((const double *)a->data)[i];
    default:
        return lump_arr_get_d(a, i);
    }
}

static double absmax(double a, double b)
{
    a = fabs(a);
    b = fabs(b);
    return a > b ? a : b;
}

/* The value act(b) of a neuron without non-zero sums: the sampler's
 * double (alpha truncated), which this code has always used. */
static double const_of(const lump_act_t *a, double b)
{
    double deriv;
    return lump_i_act_grad_d(a, b, &deriv);
}

/* The constant that replaces a neuron with values in [LO, HI], HI - LO <=
 * 2 EPS: any point of [HI - EPS, LO + EPS] is within EPS of every value;
 * relu and leaky relu take the one nearest 0 (such neurons are mostly
 * inactive), the others the midpoint. */
static double near_value(const lump_act_t *a, double lo, double hi, double eps)
{
    double l = hi - eps, u = lo + eps;
    if (lump_i_act_of(a)->kink)
        return l > 0 ? l : u < 0 ? u : 0;
    return 0.5 * (lo + hi);
}

/* Per-layer scratch. */
typedef struct {
    double *S, *sh, *nrm, *amp, *fv, *cent;
    size_t *order, *clu, *lead, *cbk, *cnt;
    lump_i_keyed_t *kv;
    unsigned char *isc;
    double *cval;
} scratch_t;

static void scratch_clear(scratch_t *w)
{
    LUMP_FREE_ALL(w->S, w->sh, w->nrm, w->amp, w->fv, w->cent, w->order, w->kv, w->clu, w->lead,
                  w->cbk, w->cnt, w->isc, w->cval);
    memset(w, 0, sizeof *w);
}

/* Signatures of layer LR over the side S: S[v][k] = sum over the members u
 * of kept block k of c_u w(u,v), S[v][d-1] = b_v plus the folded constants.
 * Then the normaliser (DESIGN section 2, condition 4, made stable): the
 * metric norm f_v = sum_k mw_k |S[v][k]| (a bound on |z_v| over the box)
 * for relu and leaky relu; the same with the sign of the largest weighted
 * entry for identity; 1 for sigmoid and tanh. */
static void signatures(scratch_t *w, const lump_layer_t *lr, const side_t *s, size_t d)
{
    size_t n = lr->size, in = lr->in_size;
    for (size_t v = 0; v < n; v++) {
        double *row = w->S + v * d, f = 0, big = -1, sgn = 1;
        const lump_act_t *a = lump_layer_act(lr, v);
        for (size_t u = 0; u < in; u++) {
            double x = aget(&lr->weight, v * in + u);
            if (x == 0.0)
                continue;
            if (s->kb[u] == NONE)
                row[d - 1] += x * s->cv[u];
            else
                row[s->kb[u]] += s->c[u] * x;
        }
        row[d - 1] += aget(&lr->bias, v);
        for (size_t k = 0; k < d; k++) {
            double t = fabs(row[k]) * s->mw[k];
            f += t;
            if (t > big) {
                big = t;
                sgn = row[k] < 0 ? -1 : 1;
            }
        }
        w->fv[v] = f;
        if (lump_i_act_of(a)->any_sign)
            w->nrm[v] = (f > 0 ? f : 1) * sgn;
        else if (lump_i_act_of(a)->homogeneous)
            w->nrm[v] = f > 0 ? f : 1;
        else
            w->nrm[v] = 1;
        w->amp[v] = fabs(w->nrm[v]);
        for (size_t k = 0; k < d; k++)
            w->sh[v * d + k] = row[k] / w->nrm[v];
    }
}

/* Greedy leader clustering of the non-constant neurons of LR (see
 * docs/relax.md): in the order of larger signatures first (they are the
 * natural leaders: small neurons can join them cheaply, not conversely),
 * then lower index, each neuron joins the block whose leader is nearest,
 * if that leader lies within EPS (amp_v times the distance of the
 * normalised signatures), ties to the older block; else it leads a new
 * block. W->clu receives the cluster of each neuron, W->lead the leaders;
 * returns the number of clusters. */
static size_t cluster(scratch_t *w, const lump_layer_t *lr, const double *mw, size_t d, double eps,
                      int singletons)
{
    size_t n = lr->size, m = 0, nc = 0;
    for (size_t v = 0; v < n; v++)
        if (!w->isc[v]) {
            w->kv[m].key = ~lump_i_key_of_double(w->fv[v]); /* decreasing */
            w->kv[m++].v = v;
        }
    lump_i_keyed_sort(w->kv, m);
    for (size_t i = 0; i < m; i++) {
        size_t v = w->kv[i].v, best = NONE;
        double bestd = eps;
        const lump_act_t *a = lump_layer_act(lr, v);
        for (size_t b = 0; b < nc && !singletons; b++) {
            size_t l = w->lead[b];
            double cap, dd;
            if (!lump_act_equal(a, lump_layer_act(lr, l)))
                continue;
            cap = w->amp[v] > 0 ? bestd / w->amp[v] : HUGE_VAL;
            dd = w->amp[v] * lump_i_relax_dist(w->sh + v * d, w->sh + l * d, mw, d, cap);
            if ((best == NONE && dd <= eps) || dd < bestd) {
                best = b;
                bestd = dd;
            }
        }
        if (best == NONE) {
            w->lead[nc] = v;
            best = nc++;
        }
        w->clu[v] = best;
    }
    return nc;
}

/* Allocate the scratch W and the arrays of RL for a layer of N neurons
 * whose signatures have D entries. Returns 0 when every allocation
 * succeeded; the caller frees W with scratch_clear and RL with its owner
 * in either case. */
static void layer_alloc(scratch_t *w, rlayer_t *rl, size_t n, size_t d)
{
    memset(w, 0, sizeof *w);
    w->S = lump_alloc_zero(n * d + 1, sizeof *w->S);
    w->sh = lump_alloc_array(n * d + 1, sizeof *w->sh);
    w->nrm = lump_alloc_array(n + 1, sizeof *w->nrm);
    w->amp = lump_alloc_array(n + 1, sizeof *w->amp);
    w->fv = lump_alloc_array(n + 1, sizeof *w->fv);
    w->cent = lump_alloc_array(d + 1, sizeof *w->cent);
    w->order = lump_alloc_array(n + 1, sizeof *w->order);
    w->kv = lump_alloc_array(n + 1, sizeof *w->kv);
    w->clu = lump_alloc_array(n + 1, sizeof *w->clu);
    w->lead = lump_alloc_array(n + 1, sizeof *w->lead);
    w->cbk = lump_alloc_array(n + 1, sizeof *w->cbk);
    w->cnt = lump_alloc_zero(n + 1, sizeof *w->cnt);
    w->isc = lump_alloc_zero(n + 1, 1);
    w->cval = lump_alloc_zero(n + 1, sizeof *w->cval);
    lump_i_rlayer_alloc(rl, n, d);
}

/* Constants before clustering: the neurons of LR (layer I) that are
 * constant on the box (a relu never active there, or no non-zero sum),
 * exact over the box. Marks them in W and returns their number. */
static size_t exact_constants(scratch_t *w, const lump_layer_t *lr, const side_t *s,
                              const lump_bounds_t *bd, size_t i, size_t d)
{
    size_t n = lr->size, nconst = 0;
    for (size_t v = 0; v < n; v++) {
        double lo = bd->ylo[i][v], hi = bd->yhi[i][v];
        int nz = 0;
        for (size_t k = 0; k + 1 < d && !nz; k++)
            nz = w->S[v * d + k] != 0.0 && s->mw[k] != 0.0;
        if (lo == hi || !nz) {
            w->isc[v] = 1;
            w->cval[v] = lo == hi ? lo : const_of(lump_layer_act(lr, v), w->S[v * d + d - 1]);
            nconst++;
        }
    }
    return nconst;
}

/* Constants after clustering: a neuron of LR (layer I) left alone in its
 * block whose value stays within EPS of a constant over the box (by the
 * original network's sound bounds) becomes that constant; when all are
 * constant, the first neuron stays, alone. NCONST counts the constants so
 * far; returns the new number of clusters. */
static size_t near_constants(scratch_t *w, const lump_layer_t *lr, const lump_bounds_t *bd,
                             size_t i, size_t nc, size_t nconst, double eps)
{
    size_t n = lr->size;
    size_t *size = w->cbk; /* reuse: cluster sizes */
    for (size_t b = 0; b < nc; b++)
        size[b] = 0;
    for (size_t v = 0; v < n; v++)
        if (!w->isc[v])
            size[w->clu[v]]++;
    for (size_t v = 0; v < n; v++) {
        double lo = bd->ylo[i][v], hi = bd->yhi[i][v];
        if (w->isc[v] || size[w->clu[v]] != 1 || !isfinite(lo) || !isfinite(hi) ||
            (hi - lo) * 0.5 > eps)
            continue;
        w->isc[v] = 1;
        w->cval[v] = near_value(lump_layer_act(lr, v), lo, hi, eps);
        nconst++;
    }
    if (nconst == n) { /* keep a layer: the first neuron stays, alone */
        w->isc[0] = 0;
        w->clu[0] = nc;
        w->lead[nc++] = 0;
    }
    return nc;
}

/* Canonical blocks of the N neurons, numbered by their lowest member:
 * fills RL's start, mem, isconst and value and returns the number of
 * blocks. */
static size_t canonical_blocks(rlayer_t *rl, scratch_t *w, size_t n, size_t nc)
{
    size_t nblk = 0;
    size_t *bk = w->order; /* reuse: the canonical block of each neuron */
    for (size_t b = 0; b < nc; b++)
        w->cbk[b] = NONE;
    for (size_t v = 0; v < n; v++) {
        if (w->isc[v]) {
            bk[v] = nblk++;
        } else {
            if (w->cbk[w->clu[v]] == NONE)
                w->cbk[w->clu[v]] = nblk++;
            bk[v] = w->cbk[w->clu[v]];
        }
        w->cnt[bk[v]]++;
    }
    rl->nblk = nblk;
    rl->start[0] = 0;
    for (size_t k = 0; k < nblk; k++)
        rl->start[k + 1] = rl->start[k] + w->cnt[k];
    memset(w->cnt, 0, (n + 1) * sizeof *w->cnt);
    for (size_t v = 0; v < n; v++) {
        size_t k = bk[v];
        rl->mem[rl->start[k] + w->cnt[k]++] = v;
        if (w->isc[v]) {
            rl->isconst[k] = 1;
            rl->value[k] = w->cval[v];
        }
    }
    return nblk;
}

/* Centres and quotient rows of RL's blocks, scales c_v = nrm_v / nrm_rep,
 * and (unless IS_OUTPUT) NEXT, the side layer I shows to the next one. */
static lump_error_t centres_rows(rlayer_t *rl, side_t *next, const scratch_t *w, const side_t *s,
                                 const lump_bounds_t *bd, size_t i, double eps, lump_centre_t how,
                                 int is_output)
{
    lump_error_t err = LUMP_OK;
    const size_t d = rl->d, nkeep = rl->nkeep;
    for (size_t k = 0, j = 0; k < rl->nblk; k++) {
        const size_t *m = rl->mem + rl->start[k];
        size_t sz = rl->start[k + 1] - rl->start[k], rep = m[0];
        double *qrow, range = 0;
        if (rl->isconst[k]) {
            rl->scale[rep] = 1;
            if (!is_output) {
                next->kb[rep] = NONE;
                next->c[rep] = 1;
                next->cv[rep] = rl->value[k];
            }
            continue;
        }
        qrow = rl->q + j * d;
        if (sz == 1) {
            memcpy(qrow, w->S + rep * d, d * sizeof *qrow);
        } else {
            double dev;
            LUMP_CHECK(lump_i_relax_centre(w->cent, &dev, w->sh, w->amp, m, sz,
                                           w->lead[w->clu[rep]], s->mw, d, eps, how));
            for (size_t t = 0; t < d; t++)
                qrow[t] = w->nrm[rep] * w->cent[t];
        }
        for (size_t t = 0; t < sz; t++) {
            size_t v = m[t];
            rl->scale[v] = v == rep ? 1.0 : w->nrm[v] / w->nrm[rep];
            if (!is_output) {
                double r = absmax(bd->ylo[i][v], bd->yhi[i][v]) / fabs(rl->scale[v]);
                next->kb[v] = j;
                next->c[v] = rl->scale[v];
                if (r > range)
                    range = r;
            }
        }
        if (!is_output)
            next->mw[j] = range;
        j++;
    }
    if (!is_output)
        next->mw[nkeep] = 1;
cleanup:
    return err;
}

/* Relax layer LR (net->layers[i]) over the side S of the previous layer:
 * constants, clustering, canonical blocks, centres and quotient rows; then
 * NEXT = the side this layer shows to the next one.
 *
 * Constants come in two steps (exact_constants, near_constants). Merging
 * is tried first because the interval half-width is a tight measure while
 * the signature distance is a pessimistic one: ranked by the same eps,
 * constants would win too often and cost more accuracy. */
static lump_error_t relax_layer(rlayer_t *rl, side_t *next, const lump_layer_t *lr, const side_t *s,
                                const lump_bounds_t *bd, size_t i, double eps, lump_centre_t how,
                                int is_output)
{
    lump_error_t err = LUMP_OK;
    size_t n = lr->size, d = s->nb + 1, nc, nblk, nkeep = 0, nconst = 0;
    scratch_t w;
    layer_alloc(&w, rl, n, d);
    signatures(&w, lr, s, d);
    if (!is_output)
        nconst = exact_constants(&w, lr, s, bd, i, d);
    nc = cluster(&w, lr, s->mw, d, eps, is_output);
    if (!is_output)
        nc = near_constants(&w, lr, bd, i, nc, nconst, eps);
    nblk = canonical_blocks(rl, &w, n, nc);
    for (size_t k = 0; k < nblk; k++)
        nkeep += !rl->isconst[k];
    rl->nkeep = nkeep;
    rl->q = lump_alloc_array(nkeep * d + 1, sizeof *rl->q);
    rl->dead = lump_alloc_zero(nkeep + 1, 1);
    if (!is_output)
        LUMP_CHECK(side_alloc(next, n, nkeep));
    LUMP_CHECK(centres_rows(rl, next, &w, s, bd, i, eps, how, is_output));
cleanup:
    scratch_clear(&w);
    return err;
}

/* The backward pass: a kept block of layer I whose quotient weights into
 * every live neuron of layer I + 1 are all zero is dead (it cannot affect
 * anything); at least one block of each layer stays. */
static void mark_dead(rlayer_t *rl, size_t n_layers)
{
    for (size_t i = n_layers - 1; i-- > 0;) {
        rlayer_t *cur = &rl[i], *nx = &rl[i + 1];
        size_t alive = cur->nkeep;
        for (size_t j = 0; j < cur->nkeep && alive > 1; j++) {
            int zero = 1;
            for (size_t r = 0; r < nx->nkeep && zero; r++)
                if (!nx->dead[r] && nx->q[r * nx->d + j] != 0.0)
                    zero = 0;
            if (zero) {
                cur->dead[j] = 1;
                alive--;
            }
        }
    }
}

static lump_error_t put(lump_arr_t *a, size_t idx, double x)
{
    if (!isfinite(x))
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "relax: a weight or bias of the quotient overflows double "
                              "precision (it is %g); the network's values are too large for "
                              "relax, which computes the quotient in double",
                              x);
    if (a->store == LUMP_STORE_F32 && fabs(x) <= FLT_MAX) {
        ((float *)a->data)[idx] = (float)x;
        return LUMP_OK;
    }
    return lump_arr_set_d(a, idx, x);
}

/* G = the network of the relaxed layers RL: the live kept blocks, in
 * block order. Float32 networks give float32 quotients (so the written
 * file is the network the bound speaks of), others float64. */
static lump_error_t build_net(lump_net_t *g, const lump_net_t *net, const rlayer_t *rl)
{
    lump_error_t err = LUMP_OK;
    size_t L = net->n_layers, *sizes = lump_alloc_array(L + 1, sizeof *sizes), *col = NULL;
    lump_store_t store = LUMP_STORE_F32;
    lump_net_t b;
    lump_net_init(&b);
    col = lump_alloc_array(net->n_inputs + 1, sizeof *col);
    for (size_t i = 0; i < L; i++) {
        sizes[i] = 0;
        for (size_t j = 0; j < rl[i].nkeep; j++)
            sizes[i] += !rl[i].dead[j];
        if (net->layers[i].weight.store != LUMP_STORE_F32 ||
            net->layers[i].bias.store != LUMP_STORE_F32)
            store = LUMP_STORE_F64;
    }
    LUMP_CHECK(lump_net_setup(&b, net->n_inputs, L, sizes, store));
    for (size_t i = 0; i < L; i++) {
        const lump_layer_t *lr = &net->layers[i];
        lump_layer_t *gl = &b.layers[i];
        size_t nin = i == 0 ? net->n_inputs : rl[i - 1].nkeep, r = 0, k = 0;
        int uniform = lump_layer_uniform_act(lr);
        /* COL: the kept blocks of the previous layer that live, in order */
        size_t *c2 = lump_realloc_array(col, nin + 1, sizeof *col), nlive = 0;
        col = c2;
        for (size_t t = 0; t < nin; t++)
            if (i == 0 || !rl[i - 1].dead[t])
                col[nlive++] = t;
        lump_act_set(&gl->act, lump_layer_act(lr, 0));
        for (size_t blk = 0; blk < rl[i].nblk; blk++) {
            size_t rep = rl[i].mem[rl[i].start[blk]];
            if (rl[i].isconst[blk])
                continue;
            if (!rl[i].dead[k]) {
                const double *qrow = rl[i].q + k * rl[i].d;
                for (size_t t = 0; t < nlive; t++)
                    LUMP_CHECK(put(&gl->weight, r * nlive + t, qrow[col[t]]));
                LUMP_CHECK(put(&gl->bias, r, qrow[rl[i].d - 1]));
                if (!uniform)
                    LUMP_CHECK(lump_layer_set_neuron_act(gl, r, lump_layer_act(lr, rep)));
                else if (r == 0)
                    lump_act_set(&gl->act, lump_layer_act(lr, rep));
                r++;
            }
            k++;
        }
    }
    /* outputs are never merged or dropped: the same order */
    LUMP_CHECK(lump_net_copy_maps(&b, net, 1));
    lump_net_clear(g);
    *g = b;
    lump_net_init(&b);
cleanup:
    free(sizes);
    free(col);
    lump_net_clear(&b);
    return err;
}

/* Layer I of the lumping of the relaxed layers CTX (an array of
 * rlayer_t): its blocks, scales as doubles, constants with their double
 * values (exact rationals, as any double is). */
static lump_error_t rlayer_lumping(lump_layer_lumping_t *ll, const void *ctx, size_t i)
{
    const rlayer_t *r = (const rlayer_t *)ctx + i;
    size_t k = 0;
    lump_error_t err = lump_layer_lumping_alloc(ll, r->n, r->nblk);
    for (size_t b = 0; err == LUMP_OK && b < r->nblk; b++) {
        lump_block_t *B = &ll->blocks[b];
        size_t sz = r->start[b + 1] - r->start[b];
        const size_t *m = r->mem + r->start[b];
        B->members = lump_alloc_array(sz, sizeof *B->members);
        err = lump_arr_alloc(&B->scales, LUMP_STORE_F64, sz);
        for (size_t j = 0; err == LUMP_OK && j < sz; j++) {
            B->members[j] = m[j];
            err = lump_arr_set_d(&B->scales, j, r->scale[m[j]]);
        }
        B->n_members = sz;
        if (r->isconst[b]) {
            B->fate = LUMP_FATE_CONSTANT;
            mpq_set_d(B->value, r->value[b]);
        } else {
            if (r->dead[k])
                B->fate = LUMP_FATE_DEAD;
            k++;
        }
    }
    return err;
}

/* lump_i_relax_lumping -- see relax_lump.h. */
lump_error_t lump_i_relax_lumping(lump_lumping_t *L, const lump_net_t *net,
                                  lump_i_layer_fill_t fill, const void *ctx, const char *who)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t t;
    lump_lumping_init(&t);
    err = lump_lumping_alloc(&t, LUMP_MODE_PROPORTIONAL, net->n_inputs, net->n_layers);
    for (size_t i = 0; err == LUMP_OK && i < net->n_layers; i++)
        err = fill(&t.layers[i], ctx, i);
    if (err != LUMP_OK) /* only the allocations of the lumping can fail */
        lump_error_prefix(err, who);
    else
        lump_lumping_swap(L, &t); /* the old contents are cleared below */
    lump_lumping_clear(&t);
    return err;
}

/* lump_i_relax_finish -- see relax_lump.h. O(m). */
lump_error_t lump_i_relax_finish(lump_net_t *g, lump_lumping_t *L, const lump_net_t *net,
                                 rlayer_t *rl)
{
    lump_error_t err = LUMP_OK;
    mark_dead(rl, net->n_layers);
    LUMP_CHECK(build_net(g, net, rl));
    if (L != NULL)
        LUMP_CHECK(lump_i_relax_lumping(L, net, rlayer_lumping, rl, "relax"));
cleanup:
    return err;
}

static lump_error_t check_box(const lump_net_t *net, const lump_box_t *box)
{
    if (box->n != net->n_inputs)
        return lump_error_set(LUMP_EINPUT,
                              "relax: the box has %zu dimensions, the network %zu inputs", box->n,
                              net->n_inputs);
    for (size_t i = 0; i < box->n; i++)
        if (mpq_cmp(box->lo[i], box->hi[i]) > 0)
            return lump_error_set(LUMP_EINPUT,
                                  "relax: the box is empty: input %zu has lower bound above "
                                  "upper bound",
                                  i);
    return LUMP_OK;
}

/* lump_relax -- see relax.h and docs/relax.md ("Epsilon-lumping").
 * EPS = 0 is the exact case and takes the exact path: the coarsest
 * proportional lumping and its quotient, in exact arithmetic. For EPS > 0,
 * layer by layer: signatures over the previous layer's kept blocks (sums
 * of c_u w(u,v), bias with folded constants), normalised by their metric
 * norm; neurons whose value stays within EPS of a constant over the box
 * (by sound interval bounds of NET) become constants; the rest are
 * clustered by a greedy leader pass (largest signatures first); each block
 * gets its centre (mean or LP) and the quotient neuron nrm_rep * centre;
 * output neurons stay singletons. Then a backward pass drops dead blocks.
 * Errors: LUMP_EINPUT for a bad EPS or BOX.
 * Time: O(m) for signatures and bounds, plus O(n * blocks * d) per layer
 * for the clustering (n neurons, signatures of d entries), plus one LP per
 * block with LUMP_CENTRE_LP. */
lump_error_t lump_relax(lump_net_t *g, lump_lumping_t *L, const lump_net_t *net,
                        const lump_box_t *box, double eps, lump_centre_t centre)
{
    lump_error_t err = LUMP_OK;
    lump_bounds_t bd;
    side_t s;
    rlayer_t *rl = NULL;
    lump_net_t gq;
    lump_lumping_t Lq;
    size_t lv = lump_progress_begin("merging layer", net->n_layers, 0);
    lump_bounds_init(&bd);
    memset(&s, 0, sizeof s);
    lump_net_init(&gq);
    lump_lumping_init(&Lq);
    if (!(eps >= 0) || !isfinite(eps))
        return lump_error_set(LUMP_EINPUT, "relax: epsilon must be a finite number >= 0, not %g",
                              eps);
    LUMP_CHECK(lump_net_validate(net, "relax"));
    LUMP_CHECK(check_box(net, box));
    LUMP_CHECK(lump_bounds_interval(&bd, net, box));
    if (eps == 0) {
        LUMP_CHECK(lump_partition_coarsest(&Lq, net, LUMP_MODE_PROPORTIONAL, 0));
        LUMP_CHECK(lump_quotient(&gq, net, &Lq));
        goto done;
    }
    rl = lump_alloc_zero(net->n_layers + 1, sizeof *rl);
    LUMP_CHECK(side_alloc(&s, net->n_inputs, net->n_inputs));
    for (size_t u = 0; u < net->n_inputs; u++) {
        s.kb[u] = u;
        s.c[u] = 1;
        s.mw[u] = absmax(bd.xlo[u], bd.xhi[u]);
    }
    s.mw[net->n_inputs] = 1;
    for (size_t i = 0; i < net->n_layers; i++) {
        side_t nx;
        int is_output = i + 1 == net->n_layers;
        LUMP_CHECK(lump_progress_step(lv, i));
        memset(&nx, 0, sizeof nx);
        err = relax_layer(&rl[i], &nx, &net->layers[i], &s, &bd, i, eps, centre, is_output);
        side_clear(&s);
        s = nx;
        LUMP_CHECK(err);
    }
    LUMP_CHECK(lump_i_relax_finish(&gq, L != NULL ? &Lq : NULL, net, rl));
done:
    lump_net_clear(g);
    *g = gq;
    lump_net_init(&gq);
    if (L != NULL) {
        lump_lumping_clear(L);
        *L = Lq;
        lump_lumping_init(&Lq);
    }
cleanup:
    lump_progress_end(lv);
    if (rl != NULL)
        for (size_t i = 0; i < net->n_layers; i++)
            lump_i_rlayer_clear(&rl[i]);
    free(rl);
    side_clear(&s);
    lump_bounds_clear(&bd);
    lump_net_clear(&gq);
    lump_lumping_clear(&Lq);
    return err;
}
