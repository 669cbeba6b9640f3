/* stable_reduce.c -- exact reduction on a box: rounds of stable-neuron
 * removal, exact folding and lumping, with the box certificate */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bound_util.h"
#include "stable_bounds.h"
#include "stable_i.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "net_i.h"

void lump_stable_opts_init(lump_stable_opts_t *o)
{
    *o = (lump_stable_opts_t){
        .mode = LUMP_MODE_PROPORTIONAL, .use_lp = 1, .max_rounds = 4, .lp_rows = 250};
}

/* 1 when LAYER is the one zero neuron that stands for a constant layer
 * (lump_stable_apply_layer): nothing is left to remove there, and removing
 * it again would only repeat the same step. */
static int zero_layer(const lump_layer_t *layer)
{
    if (layer->size != 1 || lump_arr_sgn(&layer->bias, 0) != 0)
        return 0;
    for (size_t u = 0; u < layer->in_size; u++)
        if (lump_arr_sgn(&layer->weight, u) != 0)
            return 0;
    return 1;
}

/* The removals of one stable step: for each hidden layer in order, the
 * inactive relus and the folds among the linear neurons, found on WORK
 * (which is reduced layer by layer as the claims are made, so that the
 * folds of layer i are stated over the rows the reduction of layer i-1
 * left). The counts of inactive and folded neurons go to *N_INACTIVE and
 * *N_FOLDED, the folds left out because their values would not fit FIT to
 * *N_KEPT. */
static lump_error_t removals(lump_stable_step_t *st, lump_net_t *work, lump_fit_t fit,
                             size_t *n_inactive, size_t *n_folded, size_t *n_kept)
{
    lump_error_t err = LUMP_OK;
    size_t *lin = NULL;
    *n_inactive = *n_folded = *n_kept = 0;
    for (size_t i = 0; i + 1 < work->n_layers; i++) {
        lump_stable_layer_t *c = &st->layers[i];
        const lump_layer_t *L = &work->layers[i];
        size_t nlin = 0;
        if (zero_layer(L))
            continue;
        free(lin);
        lin = lump_alloc_array(L->size + 1, sizeof *lin);
        c->inactive = lump_alloc_array(L->size + 1, sizeof *c->inactive);
        for (size_t v = 0; v < L->size; v++) {
            const lump_act_t *a = lump_layer_act(L, v);
            if (lump_i_act_of(a)->zero_below && c->has_bounds && mpq_sgn(c->hi[v]) <= 0)
                c->inactive[c->n_inactive++] = v;
            else if (lump_i_act_of(a)->linear ||
                     (lump_i_act_of(a)->kink && c->has_bounds && mpq_sgn(c->lo[v]) >= 0))
                lin[nlin++] = v;
        }
        if (nlin > 0)
            LUMP_CHECK(lump_i_fold_find(&c->fold, &c->n_fold, L, lin, nlin));
        if (c->n_fold > 0) { /* layer i + 1 is as the step found it */
            size_t kept;
            LUMP_CHECK(lump_i_fold_fit(c, &work->layers[i + 1], fit, &kept));
            *n_kept += kept;
        }
        *n_inactive += c->n_inactive;
        *n_folded += c->n_fold;
        if (c->n_inactive + c->n_fold > 0)
            LUMP_CHECK(lump_stable_apply_layer(work, i, c));
    }
cleanup:
    free(lin);
    return err;
}

static void count_lumping(lump_stable_stats_t *s, const lump_lumping_t *L, size_t *removed)
{
    *removed = 0;
    for (size_t i = 0; i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++) {
            const lump_block_t *b = &L->layers[i].blocks[k];
            if (b->fate == LUMP_FATE_CONSTANT)
                s->constant += b->n_members;
            else if (b->fate == LUMP_FATE_DEAD)
                s->dead += b->n_members;
            else
                s->lumped += b->n_members - 1;
            *removed += b->fate != LUMP_FATE_KEEP ? b->n_members : b->n_members - 1;
        }
}

/* lump_stable_reduce -- see stable.h. Each round: a stable step on the
 * current network (bounds, inactive relus, folds), kept in the
 * certificate when it removed something; then a lumping step (always
 * recorded, so the certificate ends with the quotient). The rounds stop
 * when the lumping changed nothing (a new stable step would see the same
 * rows) or a later stable step found nothing. With OPTS->fit, folds and
 * lumpings whose values would not fit are left out (fit.c).
 * Errors: LUMP_EINPUT for a box of the wrong dimension or an empty box;
 * GLPK failures. */
lump_error_t lump_stable_reduce(lump_net_t *out, lump_box_cert_t *cert, lump_stable_stats_t *stats,
                                const lump_net_t *net, const lump_box_t *box,
                                const lump_stable_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_stable_opts_t o;
    lump_stable_stats_t st;
    lump_net_t cur, work, q;
    lump_stable_step_t step;
    lump_lumping_t L;
    double t0 = lump_clock_seconds();
    size_t lv = lump_progress_begin("round", 0, 0);
    if (opts == NULL)
        lump_stable_opts_init(&o);
    else
        o = *opts;
    memset(&st, 0, sizeof st);
    lump_net_init(&cur);
    lump_net_init(&work);
    lump_net_init(&q);
    lump_stable_step_init(&step);
    lump_lumping_init(&L);
    LUMP_CHECK(lump_net_validate(net, "box reduction"));
    LUMP_CHECK(lump_i_check_box(net, box, "box reduction"));
    if (cert != NULL) {
        lump_box_cert_clear(cert);
        LUMP_CHECK(lump_box_alloc(&cert->box, box->n));
        for (size_t i = 0; i < box->n; i++) {
            mpq_set(cert->box.lo[i], box->lo[i]);
            mpq_set(cert->box.hi[i], box->hi[i]);
        }
    }
    LUMP_CHECK(lump_net_copy(&cur, net));
    for (int r = 0; r < (o.max_rounds > 0 ? o.max_rounds : 1); r++) {
        size_t n_inactive, n_folded, l_removed, kept_folds, kept_lumps;
        size_t solves = 0, tight = 0;
        LUMP_CHECK(lump_progress_step(lv, (size_t)r));
        LUMP_CHECK(lump_stable_step_alloc(&step, &cur));
        LUMP_CHECK(lump_i_stable_bounds(&step, &solves, &tight, &cur, box, o.use_lp,
                                        o.lp_rows > 0 ? o.lp_rows : 1, 0, o.verbose));
        st.lp_solves += solves;
        st.lp_tightened += tight;
        if (r == 0)
            for (size_t i = 0; i + 1 < cur.n_layers; i++) {
                const lump_stable_layer_t *c = &step.layers[i];
                for (size_t v = 0; v < c->size; v++)
                    if (lump_i_act_of(lump_layer_act(&cur.layers[i], v))->zero_below &&
                        (!c->has_bounds || (mpq_sgn(c->lo[v]) < 0 && mpq_sgn(c->hi[v]) > 0)))
                        st.unstable_final++;
            }
        LUMP_CHECK(lump_net_copy(&work, &cur));
        LUMP_CHECK(removals(&step, &work, o.fit, &n_inactive, &n_folded, &kept_folds));
        st.inactive += n_inactive;
        st.folded += n_folded;
        if (o.verbose)
            fprintf(stderr, "stable: round %d: %zu inactive, %zu folded, %zu LP solves\n", r + 1,
                    n_inactive, n_folded, solves);
        if (n_inactive + n_folded > 0) {
            if (cert != NULL) {
                lump_box_step_t *s;
                LUMP_CHECK(lump_box_cert_push(cert, LUMP_STEP_STABLE, &s));
                s->stable = step;
                lump_stable_step_init(&step);
            }
            lump_i_net_move(&cur, &work);
        }
        lump_stable_step_clear(&step);
        LUMP_CHECK(lump_partition_coarsest(&L, &cur, o.mode, 0));
        LUMP_CHECK(lump_quotient(&q, &cur, &L));
        LUMP_CHECK(lump_i_lumping_fit(&L, &q, &cur, o.fit, &kept_lumps));
        st.kept_exact = kept_folds + kept_lumps;
        count_lumping(&st, &L, &l_removed);
        if (cert != NULL) {
            lump_box_step_t *s;
            LUMP_CHECK(lump_box_cert_push(cert, LUMP_STEP_LUMPING, &s));
            lump_lumping_swap(&s->lumping, &L);
        }
        lump_lumping_clear(&L);
        lump_i_net_move(&cur, &q);
        st.rounds++;
        if (l_removed == 0 || (r > 0 && n_inactive + n_folded == 0))
            break;
    }
    lump_i_net_move(out, &cur);
    st.seconds = lump_clock_seconds() - t0;
    if (stats != NULL)
        *stats = st;
cleanup:
    lump_progress_end(lv);
    lump_net_clear(&cur);
    lump_net_clear(&work);
    lump_net_clear(&q);
    lump_stable_step_clear(&step);
    lump_lumping_clear(&L);
    if (err != LUMP_OK && cert != NULL)
        lump_box_cert_clear(cert);
    return err;
}
