/* partition.c -- the coarsest exact or proportional lumping of a network:
 * one forward pass of hashed signatures, one backward pass for dead blocks */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/lump.h"
#include "partition.h"
#include "fault_i.h"
#include "act_i.h"
#include "alloc_i.h"
#include "sort_i.h"

/* ---- the previous layer, as the next one sees it ------------------------- */

void lump_i_side_init(lump_i_side_t *s)
{
    memset(s, 0, sizeof *s);
}

void lump_i_side_clear(lump_i_side_t *s)
{
    LUMP_FREE_ALL(s->blk, s->start, s->mem, s->cm, s->cd);
    lump_rat_vec_free(s->cq, s->cq != NULL ? s->n : 0);
    for (size_t i = 0; s->cv != NULL && i < s->nconst; i++)
        mpq_clear(s->cv[i].q);
    free(s->cv);
    lump_i_side_init(s);
}

void lump_i_side_trivial(lump_i_side_t *s, size_t n)
{
    lump_i_side_clear(s);
    s->n = n;
    s->nb = n;
    s->trivial = 1;
}

static int in_sums(const lump_block_t *b, int with_dead)
{
    return b->fate == LUMP_FATE_KEEP || (with_dead && b->fate == LUMP_FATE_DEAD);
}

void lump_i_side_from(lump_i_side_t *s, const lump_layer_lumping_t *ll, int with_dead)
{
    size_t nb = 0, nc = 0, nm = 0, n = ll->size;
    int trivial = 1;
    lump_i_side_clear(s);
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        if (in_sums(b, with_dead)) {
            nb++;
            nm += b->n_members;
        } else if (b->fate == LUMP_FATE_CONSTANT) {
            nc++;
        }
    }
    s->n = n;
    s->nb = nb;
    s->nconst = nc;
    s->blk = lump_alloc_array(nb + 1, sizeof *s->blk);
    s->start = lump_alloc_array(nb + 1, sizeof *s->start);
    s->mem = lump_alloc_array(nm + 1, sizeof *s->mem);
    s->cm = lump_alloc_zero(n + 1, 1);
    s->cd = lump_alloc_zero(n + 1, sizeof *s->cd);
    s->cq = lump_alloc_array(n + 1, sizeof *s->cq);
    s->cv = lump_alloc_zero(nc + 1, sizeof *s->cv);
    for (size_t u = 0; u < n; u++) {
        mpq_init(s->cq[u]);
        mpq_set_ui(s->cq[u], 1, 1);
    }
    for (size_t i = 0; i < nc; i++)
        mpq_init(s->cv[i].q);
    nb = nc = nm = 0;
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        if (b->fate == LUMP_FATE_CONSTANT) {
            int bits;
            s->cv[nc].u = b->members[0];
            mpq_set(s->cv[nc].q, b->value);
            s->cv[nc].ok = lump_i_q_double(&s->cv[nc].d, &bits, b->value);
            nc++;
            trivial = 0;
            continue;
        }
        if (!in_sums(b, with_dead)) {
            trivial = 0;
            continue;
        }
        s->blk[nb] = k;
        s->start[nb] = nm;
        if (b->n_members != 1)
            trivial = 0;
        for (size_t j = 0; j < b->n_members; j++) {
            size_t u = b->members[j];
            int bits;
            double d;
            s->mem[nm++] = u;
            lump_arr_get(s->cq[u], &b->scales, j);
            if (mpq_cmp_ui(s->cq[u], 1, 1) == 0) {
                s->cm[u] = LUMP_I_CM_ONE;
                s->cd[u] = 1.0;
                continue;
            }
            trivial = 0;
            if (lump_i_q_double(&d, &bits, s->cq[u])) {
                s->cm[u] = bits <= 29 ? LUMP_I_CM_D29 : LUMP_I_CM_D;
                s->cd[u] = d;
            } else {
                s->cm[u] = LUMP_I_CM_Q;
            }
        }
        nb++;
    }
    s->start[nb] = nm;
    s->trivial = trivial && nb == n;
}

/* ---- one layer forward --------------------------------------------------- */

/* Scratch shared by the layers of one run. */
typedef struct {
    lump_i_sig_t cur;
    lump_i_sig_t *pool; /* signatures of the representatives of one hash run */
    size_t npool;
    mpq_t t1, t2, t3;
    mpfr_t r;
} work_t;

static void work_init(work_t *w)
{
    lump_i_sig_init(&w->cur);
    w->pool = NULL;
    w->npool = 0;
    mpq_inits(w->t1, w->t2, w->t3, NULL);
    mpfr_init2(w->r, 53);
}

static void work_clear(work_t *w)
{
    lump_i_sig_clear(&w->cur);
    for (size_t i = 0; i < w->npool; i++)
        lump_i_sig_clear(&w->pool[i]);
    free(w->pool);
    mpq_clears(w->t1, w->t2, w->t3, NULL);
    mpfr_clear(w->r);
}

static void pool_grow(work_t *w, size_t need, size_t cap)
{
    if (need > w->npool) {
        lump_i_sig_t *p = lump_realloc_array(w->pool, need, sizeof *p);
        w->pool = p;
        while (w->npool < need)
            lump_i_sig_init(&w->pool[w->npool++]);
    }
    lump_i_sig_reserve(&w->pool[need - 1], cap);
}

/* Group the neurons of one hash run HV[0..m), in increasing order, against
 * exact verification: each joins the first representative it lumps onto. */
static void group_run(size_t *rep, mpq_t *q, work_t *w, const lump_i_keyed_t *hv, size_t m,
                      const lump_i_side_t *s, const lump_layer_t *lr, lump_mode_t mode)
{
    size_t nrep = 0;
    size_t *repv = lump_alloc_array(m, sizeof *repv);
    for (size_t i = 0; i < m; i++) {
        size_t v = hv[i].v;
        const lump_act_t *a = lump_layer_act(lr, v);
        int found = 0;
        lump_i_sig_compute(&w->cur, s, lr, v, lump_i_norm_kind(mode, a), w->t1);
        for (size_t r = 0; r < nrep && !found; r++) {
            if (!lump_act_equal(a, lump_layer_act(lr, repv[r])))
                continue;
            if (lump_i_sig_verify(q[v], &w->cur, &w->pool[r], w->t1, w->t2, w->t3)) {
                rep[v] = repv[r];
                found = 1;
            }
        }
        if (!found) {
            lump_i_sig_t tmp;
            pool_grow(w, nrep + 1, s->nb);
            tmp = w->pool[nrep]; /* move CUR into the pool, reuse the old */
            w->pool[nrep] = w->cur;
            w->cur = tmp;
            lump_i_sig_reserve(&w->cur, s->nb);
            repv[nrep++] = v;
        }
    }
    free(repv);
}

/* OUT = blocks from REP (rep[v] <= v, rep[rep[v]] == rep[v]), scales Q of
 * the non-representatives, constants ISCONST with values Q. */
static lump_error_t build_blocks(lump_layer_lumping_t *out, size_t n, const size_t *rep,
                                 const unsigned char *isconst, mpq_t *q)
{
    lump_error_t err = LUMP_OK;
    size_t nb = 0;
    size_t *bid = lump_alloc_array(n + 1, sizeof *bid);
    size_t *cnt = NULL;
    for (size_t v = 0; v < n; v++)
        bid[v] = rep[v] == v ? nb++ : bid[rep[v]];
    cnt = lump_alloc_zero(nb + 1, sizeof *cnt);
    out->blocks = lump_alloc_zero(nb + 1, sizeof *out->blocks);
    for (size_t k = 0; k < nb; k++)
        lump_block_init(&out->blocks[k]);
    out->n_blocks = nb;
    for (size_t v = 0; v < n; v++)
        cnt[bid[v]]++;
    for (size_t k = 0; k < nb; k++) {
        lump_block_t *b = &out->blocks[k];
        b->members = lump_alloc_array(cnt[k], sizeof *b->members);
        LUMP_CHECK(lump_arr_alloc(&b->scales, LUMP_STORE_F32, cnt[k]));
    }
    for (size_t v = 0; v < n; v++) {
        lump_block_t *b = &out->blocks[bid[v]];
        size_t j = b->n_members++;
        b->members[j] = v;
        if (rep[v] == v)
            LUMP_CHECK(lump_arr_set_d(&b->scales, j, 1.0));
        else
            LUMP_CHECK(lump_arr_set(&b->scales, j, q[v]));
        if (isconst != NULL && isconst[v]) {
            b->fate = LUMP_FATE_CONSTANT;
            mpq_set(b->value, q[v]);
        }
    }
cleanup:
    free(bid);
    free(cnt);
    return err;
}

/* OUT = the lumping of layer LR given the side S of the previous layer. */
static lump_error_t layer_forward(lump_layer_lumping_t *out, work_t *w, const lump_layer_t *lr,
                                  const lump_i_side_t *s, lump_mode_t mode, int is_output,
                                  int merge_outputs)
{
    lump_error_t err = LUMP_OK;
    size_t n = lr->size, np = 0, nq = 0;
    size_t *rep = lump_alloc_array(n + 1, sizeof *rep);
    unsigned char *isconst = lump_alloc_zero(n + 1, 1);
    lump_i_keyed_t *hv = lump_alloc_array(n + 1, sizeof *hv);
    mpq_t *q = lump_alloc_array(n + 1, sizeof *q); /* a constant's value, else the scale */
    out->size = n;
    for (nq = 0; nq < n; nq++) {
        mpq_init(q[nq]);
        rep[nq] = nq;
    }
    if (!(is_output && !merge_outputs)) {
        lump_i_sig_reserve(&w->cur, s->nb);
        for (size_t v = 0; v < n; v++) {
            const lump_act_t *a = lump_layer_act(lr, v);
            lump_i_sig_compute(&w->cur, s, lr, v, lump_i_norm_kind(mode, a), w->t1);
            if (!is_output && w->cur.n == 0) {
                lump_i_sig_bias_q(w->t2, &w->cur);
                if (lump_i_act_value_q(q[v], a, w->t2)) {
                    isconst[v] = 1;
                    continue;
                }
            }
            hv[np].key = lump_i_sig_hash(&w->cur, a, w->t1, w->r);
            hv[np++].v = v;
        }
        if (np == 0 && n > 0) {
            /* Every neuron constant: keep the first, so that the quotient
             * keeps a layer (a valid lumping; constants are optional). */
            isconst[0] = 0;
            hv[np].key = 0;
            hv[np++].v = 0;
        }
        lump_i_keyed_sort(hv, np);
        for (size_t a = 0, b; a < np; a = b) {
            for (b = a + 1; b < np && hv[b].key == hv[a].key; b++)
                ;
            if (b - a > 1)
                group_run(rep, q, w, hv + a, b - a, s, lr, mode);
        }
    }
    LUMP_CHECK(build_blocks(out, n, rep, isconst, q));
cleanup:
    if (q != NULL)
        lump_rat_vec_free(q, nq);
    free(rep);
    free(isconst);
    free(hv);
    return err;
}

/* ---- dead blocks, backward ----------------------------------------------- */

/* Is sum_{u in block K of S} c_u w(u, V) non-zero? */
static int sum_nonzero(const lump_i_side_t *s, const lump_layer_t *lr, size_t v, size_t k, mpq_t t1,
                       mpq_t t2)
{
    double d;
    if (s->trivial)
        return lump_arr_sgn(&lr->weight, v * lr->in_size + k) != 0;
    if (s->start[k + 1] - s->start[k] == 1) /* one member: c_u != 0 */
        return lump_arr_sgn(&lr->weight, v * lr->in_size + s->mem[s->start[k]]) != 0;
    if (lump_i_sum_d(&d, s, lr, v, k))
        return d != 0.0;
    lump_i_sum_q(t1, t2, s, lr, v, k);
    return mpq_sgn(t1) != 0;
}

/* Mark DEAD the KEEP blocks of LI whose merged outgoing weights to every
 * KEEP block of the next layer LN (weights LNEXT) are zero. */
static void mark_dead(lump_layer_lumping_t *li, const lump_layer_lumping_t *ln,
                      const lump_layer_t *lnext, work_t *w)
{
    lump_i_side_t s;
    size_t *und = NULL, nund;
    lump_i_side_init(&s);
    lump_i_side_from(&s, li, 0);
    und = lump_alloc_array(s.nb + 1, sizeof *und);
    for (nund = 0; nund < s.nb; nund++)
        und[nund] = nund;
    for (size_t d = 0; d < ln->n_blocks && nund > 0; d++) {
        size_t r, keep = 0;
        if (ln->blocks[d].fate != LUMP_FATE_KEEP)
            continue;
        r = ln->blocks[d].members[0];
        for (size_t i = 0; i < nund; i++)
            if (!sum_nonzero(&s, lnext, r, und[i], w->t1, w->t2))
                und[keep++] = und[i];
        nund = keep;
    }
    /* When every block would die, keep the first (und is 0..nb-1 then), so
     * that the quotient keeps a layer; a KEEP block may be dead. */
    for (size_t i = nund == s.nb ? 1 : 0; i < nund; i++)
        li->blocks[s.blk[und[i]]].fate = LUMP_FATE_DEAD;
    free(und);
    lump_i_side_clear(&s);
}

int lump_i_finder_fault = 0;

int lump_i_finder_perturb(lump_lumping_t *L)
{
    mpq_t c;
    for (size_t i = 0; i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++) {
            lump_block_t *b = &L->layers[i].blocks[k];
            if (b->n_members < 2)
                continue;
            mpq_init(c);
            lump_arr_get(c, &b->scales, 1);
            mpq_mul_2exp(c, c, 1);
            if (lump_arr_set(&b->scales, 1, c) != LUMP_OK)
                abort(); /* a test hook: no room to fail gracefully */
            mpq_clear(c);
            return 1;
        }
    for (size_t i = 0; i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++) {
            lump_block_t *b = &L->layers[i].blocks[k];
            if (b->fate != LUMP_FATE_CONSTANT)
                continue;
            mpz_add(mpq_numref(b->value), mpq_numref(b->value), mpq_denref(b->value));
            return 1;
        }
    return 0;
}

/* lump_partition_coarsest -- see lump.h. One forward pass: the signature of
 * each neuron (b_eff and its non-zero scale-weighted sums per block of the
 * previous layer) is computed exactly (in double where provably exact,
 * else mpq), normalised, hashed by the correctly rounded doubles of its
 * entries, and neurons with equal hashes are verified exactly against the
 * representatives of their run. One backward pass marks dead blocks.
 * Errors: LUMP_EINPUT for an inconsistent network.
 * Time complexity: O(m) expected for m weights, plus O(n log n) for sorting
 * the hashes of n neurons, plus O(row) per member of a candidate group. */
lump_error_t lump_partition_coarsest(lump_lumping_t *L, const lump_net_t *net, lump_mode_t mode,
                                     int merge_outputs)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t t;
    lump_i_side_t s;
    work_t w;
    lump_lumping_init(&t);
    lump_i_side_init(&s);
    work_init(&w);
    LUMP_CHECK(lump_net_validate(net, "lumping"));
    err = lump_lumping_alloc(&t, mode, net->n_inputs, net->n_layers);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "lumping");
        goto cleanup;
    }
    lump_i_side_trivial(&s, net->n_inputs);
    for (size_t i = 0; i < net->n_layers; i++) {
        int is_output = i + 1 == net->n_layers;
        err = layer_forward(&t.layers[i], &w, &net->layers[i], &s, mode, is_output, merge_outputs);
        if (err != LUMP_OK) {
            lump_error_prefix(err, "lumping: layer %zu", i + 1);
            goto cleanup;
        }
        if (!is_output)
            lump_i_side_from(&s, &t.layers[i], 1);
    }
    for (size_t i = net->n_layers - 1; i-- > 0;)
        mark_dead(&t.layers[i], &t.layers[i + 1], &net->layers[i + 1], &w);
    if (lump_i_finder_fault)
        lump_i_finder_perturb(&t);
    lump_lumping_swap(L, &t); /* the old contents are cleared below */
cleanup:
    lump_lumping_clear(&t);
    lump_i_side_clear(&s);
    work_clear(&w);
    return err;
}
