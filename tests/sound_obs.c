/* sound_obs.c -- random points, exact differences and a hill-climb for
 * the largest difference of two models, all with the suite's own
 * evaluator (sound_ref.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sound_obs.h"
#include "sound_gen.h"

/* Enclosures of smooth networks: enough bits that a real difference of a
 * random pair is never hidden by the interval width. */
#define OBS_PREC 160

mpq_t *so_qvec(size_t n)
{
    mpq_t *v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void so_qvec_free(mpq_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

void so_box_init(so_box_t *b, size_t n)
{
    b->n = n;
    b->lo = so_qvec(n);
    b->hi = so_qvec(n);
}

void so_box_clear(so_box_t *b)
{
    so_qvec_free(b->lo, b->n);
    so_qvec_free(b->hi, b->n);
    b->n = 0;
}

void so_box_random(so_box_t *b, gmp_randstate_t r)
{
    for (size_t i = 0; i < b->n; i++) {
        sg_rand_q(b->lo[i], r, 8, 4);
        mpq_div_2exp(b->lo[i], b->lo[i], 1); /* in [-4, 4] / 2 */
        if (gmp_urandomm_ui(r, 12) == 0) {
            mpq_set(b->hi[i], b->lo[i]);
            continue;
        }
        sg_rand_q(b->hi[i], r, 8, 4);
        mpq_div_2exp(b->hi[i], b->hi[i], 1);
        if (mpq_cmp(b->lo[i], b->hi[i]) > 0)
            mpq_swap(b->lo[i], b->hi[i]);
    }
}

void so_box_to_lump(lump_box_t *out, const so_box_t *b)
{
    if (lump_box_alloc(out, b->n) != LUMP_OK)
        abort();
    for (size_t i = 0; i < b->n; i++) {
        mpq_set(out->lo[i], b->lo[i]);
        mpq_set(out->hi[i], b->hi[i]);
    }
}

void so_point(mpq_t *x, size_t n, const so_box_t *box, gmp_randstate_t r)
{
    for (size_t i = 0; i < n; i++) {
        if (box != NULL)
            sg_rand_between(x[i], r, box->lo[i], box->hi[i], 1 + gmp_urandomm_ui(r, 97));
        else
            sg_rand_q(x[i], r, 300, 100);
    }
}

/* |A_j - B_j| at X, or its lower bound: OUT[j] for every j (enclosures
 * at PREC bits for smooth networks). */
static void diff_at_prec(mpfr_t *out, const sr_net_t *a, const sr_net_t *b, const mpq_t *x,
                         mpfr_prec_t prec);

static void diff_at(mpfr_t *out, const sr_net_t *a, const sr_net_t *b, const mpq_t *x)
{
    diff_at_prec(out, a, b, x, OBS_PREC);
}

static void diff_at_prec(mpfr_t *out, const sr_net_t *a, const sr_net_t *b, const mpq_t *x,
                         mpfr_prec_t prec)
{
    size_t m = sr_n_out(a);
    if (sr_is_pwl(a) && sr_is_pwl(b)) {
        mpq_t *ya = so_qvec(m), *yb = so_qvec(m);
        sr_eval(ya, a, x, NULL);
        sr_eval(yb, b, x, NULL);
        for (size_t j = 0; j < m; j++) {
            mpq_sub(ya[j], ya[j], yb[j]);
            mpq_abs(ya[j], ya[j]);
            /* exact: the precision grows to hold the rational's value when
             * it is dyadic, else it is rounded down (a lower bound) */
            mpfr_set_prec(out[j], 256);
            mpfr_set_q(out[j], ya[j], MPFR_RNDD);
        }
        so_qvec_free(ya, m);
        so_qvec_free(yb, m);
        return;
    }
    {
        mpfr_t *al = malloc(m * sizeof *al), *ah = malloc(m * sizeof *ah);
        mpfr_t *bl = malloc(m * sizeof *bl), *bh = malloc(m * sizeof *bh), t;
        if (!al || !ah || !bl || !bh)
            abort();
        for (size_t j = 0; j < m; j++) {
            mpfr_inits2(prec, al[j], ah[j], bl[j], bh[j], (mpfr_ptr)0);
        }
        mpfr_init2(t, prec);
        sr_enclose(al, ah, a, x, prec);
        sr_enclose(bl, bh, b, x, prec);
        for (size_t j = 0; j < m; j++) {
            mpfr_set_prec(out[j], prec);
            mpfr_sub(out[j], al[j], bh[j], MPFR_RNDD);
            mpfr_sub(t, bl[j], ah[j], MPFR_RNDD);
            if (mpfr_less_p(out[j], t))
                mpfr_set(out[j], t, MPFR_RNDN);
            if (mpfr_sgn(out[j]) < 0)
                mpfr_set_zero(out[j], 1);
            mpfr_clears(al[j], ah[j], bl[j], bh[j], (mpfr_ptr)0);
        }
        mpfr_clear(t);
        free(al);
        free(ah);
        free(bl);
        free(bh);
    }
}

int so_differ_at(const sr_net_t *a, const sr_net_t *b, const mpq_t *x, long j, size_t *which)
{
    size_t m = sr_n_out(a);
    int found = 0;
    mpfr_t *d = malloc(m * sizeof *d);
    if (d == NULL)
        abort();
    for (size_t k = 0; k < m; k++)
        mpfr_init2(d[k], OBS_PREC);
    /* smooth networks: saturated sigmoid/tanh values differ far below the
     * first precision's resolution, so for a claimed witness (one output
     * J) overlapping enclosures are retried at higher precisions */
    for (mpfr_prec_t prec = OBS_PREC; !found && prec <= 16 * 4 * OBS_PREC; prec *= 4) {
        diff_at_prec(d, a, b, x, prec);
        for (size_t k = 0; k < m && !found; k++)
            if ((j < 0 || (size_t)j == k) && mpfr_sgn(d[k]) > 0) {
                found = 1;
                if (which != NULL)
                    *which = k;
            }
        if ((sr_is_pwl(a) && sr_is_pwl(b)) || j < 0)
            break;
    }
    for (size_t k = 0; k < m; k++)
        mpfr_clear(d[k]);
    free(d);
    return found;
}

void so_max_diff(mpfr_t *out, const sr_net_t *a, const sr_net_t *b, const so_box_t *box,
                 size_t n_samples, gmp_randstate_t r)
{
    size_t n = a->n_in, m = sr_n_out(a);
    size_t corners = n <= 4 ? (size_t)1 << n : 8;
    mpq_t *x = so_qvec(n), **best = malloc(m * sizeof *best), t;
    mpfr_t *d = malloc(m * sizeof *d);
    if (best == NULL || d == NULL)
        abort();
    mpq_init(t);
    for (size_t j = 0; j < m; j++) {
        best[j] = so_qvec(n);
        mpfr_init2(d[j], OBS_PREC);
        mpfr_set_prec(out[j], 256);
        mpfr_set_zero(out[j], 1);
        for (size_t i = 0; i < n; i++)
            mpq_set(best[j][i], box->lo[i]);
    }
    for (size_t s = 0; s < n_samples + corners; s++) {
        if (s < corners)
            for (size_t i = 0; i < n; i++)
                mpq_set(x[i],
                        ((n <= 4 ? s : gmp_urandomb_ui(r, 1)) >> i) & 1 ? box->hi[i] : box->lo[i]);
        else
            so_point(x, n, box, r);
        diff_at(d, a, b, x);
        for (size_t j = 0; j < m; j++)
            if (mpfr_greater_p(d[j], out[j])) {
                mpfr_set_prec(out[j], mpfr_get_prec(d[j]));
                mpfr_set(out[j], d[j], MPFR_RNDN);
                for (size_t i = 0; i < n; i++)
                    mpq_set(best[j][i], x[i]);
            }
    }
    /* hill-climb per output: move one coordinate by +-step, halving the
     * step from a quarter of the width down to 1/64 of it */
    for (size_t j = 0; j < m; j++) {
        for (int level = 2; level <= 6; level++) {
            int moved = 1;
            for (int rounds = 0; moved && rounds < 4; rounds++) {
                moved = 0;
                for (size_t i = 0; i < n; i++)
                    for (int sgn = -1; sgn <= 1; sgn += 2) {
                        mpq_sub(t, box->hi[i], box->lo[i]);
                        if (mpq_sgn(t) == 0)
                            continue;
                        mpq_div_2exp(t, t, (unsigned long)level);
                        for (size_t k = 0; k < n; k++)
                            mpq_set(x[k], best[j][k]);
                        if (sgn < 0)
                            mpq_sub(x[i], x[i], t);
                        else
                            mpq_add(x[i], x[i], t);
                        if (mpq_cmp(x[i], box->lo[i]) < 0)
                            mpq_set(x[i], box->lo[i]);
                        if (mpq_cmp(x[i], box->hi[i]) > 0)
                            mpq_set(x[i], box->hi[i]);
                        diff_at(d, a, b, x);
                        if (mpfr_greater_p(d[j], out[j])) {
                            mpfr_set_prec(out[j], mpfr_get_prec(d[j]));
                            mpfr_set(out[j], d[j], MPFR_RNDN);
                            for (size_t k = 0; k < n; k++)
                                mpq_set(best[j][k], x[k]);
                            moved = 1;
                        }
                    }
            }
        }
    }
    for (size_t j = 0; j < m; j++) {
        so_qvec_free(best[j], n);
        mpfr_clear(d[j]);
    }
    free(best);
    free(d);
    mpq_clear(t);
    so_qvec_free(x, n);
}
