/* box_equiv.c -- are two networks equal on a box? lumping their union
 * first (a proof everywhere); else both reduced on the box and the union
 * of the reduced networks lumped, the three parts confirmed by their
 * checkers */
/* Why reduce both sides: a box-reduced network B = reduce(A) has lost
 * the neurons that are stably inactive on the box and the linear ones
 * folded into the next layer, so the union of A and B cannot be lumped
 * (A's extra neurons have no partner). Reducing A on the same box removes
 * them from A too; what is left of both is the same function with
 * proportional neurons, which the union lumping sees. B itself usually
 * comes out unchanged, but reducing it as well keeps the method
 * symmetric (A and B may be two different reductions). */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/stable.h"
#include "net_i.h"

/* At most this many reductions of one network: a reduction stops when its
 * lumping changes nothing, but the folds it made can tighten the next
 * reduction's LP bounds enough to find more inactive neurons (ACAS Xu 1_3
 * on prop_3: 5 more in the second pass, none in the third). */
#define MAX_PASSES 6

/* The hidden and output neurons of NET. O(layers). */
static size_t neurons(const lump_net_t *net)
{
    size_t n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        n += net->layers[i].size;
    return n;
}

/* Move the steps of FROM to the end of TO (FROM keeps its box, no steps). */
static lump_error_t move_steps(lump_box_cert_t *to, lump_box_cert_t *from)
{
    lump_error_t err = LUMP_OK;
    for (size_t k = 0; k < from->n_steps; k++) {
        lump_box_step_t *s;
        LUMP_CHECK(lump_box_cert_push(to, from->steps[k].kind, &s));
        *s = from->steps[k];
    }
    free(from->steps);
    from->steps = NULL;
    from->n_steps = 0;
cleanup:
    return err;
}

/* OUT = NET reduced on BOX until a reduction removes nothing more (at
 * most MAX_PASSES), CERT the chain of all passes' steps (a pass that
 * removed nothing is left out: OUT is the last pass that did). */
static lump_error_t reduce_fully(lump_net_t *out, lump_box_cert_t *cert, const lump_net_t *net,
                                 const lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    lump_stable_opts_t opts;
    lump_box_cert_t pass;
    lump_net_t cur, next;
    lump_stable_opts_init(&opts);
    lump_box_cert_init(&pass);
    lump_net_init(&cur);
    lump_net_init(&next);
    LUMP_CHECK(lump_stable_reduce(&cur, cert, NULL, net, box, &opts));
    for (int k = 1; k < MAX_PASSES; k++) {
        LUMP_CHECK(lump_stable_reduce(&next, &pass, NULL, &cur, box, &opts));
        if (neurons(&next) == neurons(&cur))
            break;
        LUMP_CHECK(move_steps(cert, &pass));
        lump_box_cert_clear(&pass);
        lump_i_net_move(&cur, &next);
    }
    lump_i_net_move(out, &cur);
cleanup:
    lump_box_cert_clear(&pass);
    lump_net_clear(&cur);
    lump_net_clear(&next);
    return err;
}

/* 1 when X lies in BOX. */
static int in_box(const mpq_t *x, size_t n, const lump_box_t *box)
{
    if (x == NULL || n != box->n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (mpq_cmp(x[i], box->lo[i]) < 0 || mpq_cmp(x[i], box->hi[i]) > 0)
            return 0;
    return 1;
}

static lump_error_t disagreement(const char *why)
{
    return lump_error_set(LUMP_EINTERNAL,
                          "internal error: the box reduction and the lumping of the reduced "
                          "networks proved the networks equal on the box, but the certificate "
                          "checkers refuse the proof (%s). This is a bug in lumpnet; no verdict "
                          "is given. Please report it with both networks, the box and the "
                          "command line",
                          why);
}

/* Take over the witness of R (a comparison of the reduced networks) into
 * E when it is one of A and B: inside BOX, and both reductions checked. */
static lump_error_t take_witness(lump_equiv_t *e, lump_equiv_t *r, const lump_net_t *a,
                                 const lump_net_t *b, const lump_net_t *ra, const lump_net_t *rb,
                                 const lump_box_t *box, const lump_box_equiv_cert_t *proof)
{
    lump_error_t err = LUMP_OK;
    lump_verdict_t va = LUMP_FALSE, vb = LUMP_FALSE;
    char why[768];
    if (!in_box(r->witness, r->n_witness, box))
        return LUMP_OK;
    LUMP_CHECK(lump_box_cert_check(&va, why, sizeof why, a, ra, box, &proof->cert_a));
    if (va == LUMP_TRUE)
        LUMP_CHECK(lump_box_cert_check(&vb, why, sizeof why, b, rb, box, &proof->cert_b));
    if (va != LUMP_TRUE || vb != LUMP_TRUE)
        return lump_error_set(LUMP_EINTERNAL, "internal error: a box reduction refused by its "
                              "checker (%s). This is a bug in lumpnet; no verdict is given",
                              why);
    e->equal = LUMP_FALSE;
    e->witness = r->witness;
    e->n_witness = r->n_witness;
    e->output = r->output;
    r->witness = NULL;
    r->n_witness = 0;
cleanup:
    return err;
}

/* lump_box_equiv -- see stable.h. */
lump_error_t lump_box_equiv(lump_equiv_t *e, lump_box_equiv_cert_t *proof, int *on_box,
                            const lump_net_t *a, const lump_net_t *b, const lump_box_t *box,
                            unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    lump_net_t ra, rb;
    lump_equiv_t r;
    lump_require(e != NULL && proof != NULL && on_box != NULL && box != NULL, "lump_box_equiv");
    *on_box = 0;
    lump_box_equiv_cert_clear(proof);
    lump_net_init(&ra);
    lump_net_init(&rb);
    lump_equiv_init(&r);
    LUMP_CHECK(lump_equiv(e, a, b, box, seed));
    if (e->equal != LUMP_UNKNOWN)
        goto cleanup;
    LUMP_CHECK(reduce_fully(&ra, &proof->cert_a, a, box));
    LUMP_CHECK(reduce_fully(&rb, &proof->cert_b, b, box));
    LUMP_CHECK(lump_equiv(&r, &ra, &rb, box, seed));
    if (r.equal == LUMP_TRUE) {
        lump_verdict_t valid = LUMP_FALSE;
        char why[1024];
        proof->lumping = r.proof;
        lump_lumping_init(&r.proof);
        /* the trusted base: no proof stands that the checkers have not seen */
        LUMP_CHECK(lump_box_equiv_cert_check(&valid, why, sizeof why, a, b, box, proof));
        if (valid != LUMP_TRUE)
            LUMP_CHECK(disagreement(why));
        e->equal = LUMP_TRUE;
        *on_box = 1;
    } else if (r.equal == LUMP_FALSE) {
        LUMP_CHECK(take_witness(e, &r, a, b, &ra, &rb, box, proof));
    }
cleanup:
    if (!*on_box)
        lump_box_equiv_cert_clear(proof);
    if (err != LUMP_OK)
        lump_equiv_clear(e);
    lump_equiv_clear(&r);
    lump_net_clear(&ra);
    lump_net_clear(&rb);
    return err;
}
