/* centre.c -- the centre of a relaxed block: the weighted mean pulled
 * towards the leader, or the LP centre minimising the largest deviation */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "relax_lump.h"
#include "glpk_support.h"
#include "alloc_i.h"

double lump_i_relax_dist(const double *x, const double *y, const double *mw, size_t d,
                         double cap)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        if (mw[j] == 0.0)
            continue;
        s += mw[j] * fabs(x[j] - y[j]);
        if (s > cap)
            return s;
    }
    return s;
}

double lump_i_relax_maxdev(const double *c, const double *sh, const double *amp,
                           const size_t *mem, size_t k, const double *mw, size_t d)
{
    double m = 0;
    for (size_t i = 0; i < k; i++) {
        double t = amp[mem[i]] * lump_i_relax_dist(sh + mem[i] * d, c, mw, d, HUGE_VAL);
        if (t > m)
            m = t;
    }
    return m;
}

/* C = the AMP-weighted mean of the members' rows (the plain mean when every
 * amplitude is 0). For relu this is (sum of raw signatures) / (sum of
 * norms): big neurons pull the centre more, as they should, since their
 * deviations count more. */
static void weighted_mean(double *c, const double *sh, const double *amp, const size_t *mem,
                          size_t k, size_t d)
{
    double wsum = 0;
    for (size_t i = 0; i < k; i++)
        wsum += amp[mem[i]];
    memset(c, 0, d * sizeof *c);
    for (size_t i = 0; i < k; i++) {
        const double *r = sh + mem[i] * d;
        double w = wsum > 0 ? amp[mem[i]] / wsum : 1.0 / (double)k;
        for (size_t j = 0; j < d; j++)
            c[j] += w * r[j];
    }
}

/* The mean centre. The mean can lie farther than EPS from some member (the
 * members are within EPS of the leader, not of each other); the distance
 * is convex along the segment from the leader (feasible) to the mean, so
 * bisection finds the point of the segment closest to the mean that keeps
 * every member within EPS. 50 halvings: the step is below 1e-15. */
static double mean_centre(double *c, double *tmp, const double *sh, const double *amp,
                          const size_t *mem, size_t k, size_t leader, const double *mw,
                          size_t d, double eps)
{
    const double *l = sh + leader * d;
    double dev, lo = 0, hi = 1;
    weighted_mean(c, sh, amp, mem, k, d);
    dev = lump_i_relax_maxdev(c, sh, amp, mem, k, mw, d);
    if (dev <= eps)
        return dev;
    memcpy(tmp, c, d * sizeof *c); /* tmp: the mean */
    for (int it = 0; it < 50; it++) {
        double t = 0.5 * (lo + hi);
        for (size_t j = 0; j < d; j++)
            c[j] = l[j] + t * (tmp[j] - l[j]);
        if (lump_i_relax_maxdev(c, sh, amp, mem, k, mw, d) <= eps)
            lo = t;
        else
            hi = t;
    }
    for (size_t j = 0; j < d; j++)
        c[j] = lo == 0 ? l[j] : l[j] + lo * (tmp[j] - l[j]);
    return lump_i_relax_maxdev(c, sh, amp, mem, k, mw, d);
}

/* The LP centre: minimise t subject to, for every member v,
 * amp_v * sum_j mw_j e_vj <= t and e_vj >= |sh_vj - c_j|, over the
 * coordinates J where the members differ and mw_j > 0 (elsewhere C keeps
 * the mean's value, which is every member's value or does not count).
 * *OK = 0 when GLPK did not reach an optimum. */
static lump_error_t lp_centre(double *c, int *ok, const double *sh, const double *amp,
                              const size_t *mem, size_t k, const double *mw, size_t d)
{
    lump_error_t err = LUMP_OK;
    lump_i_lp_t *lp = NULL;
    size_t *J = lump_alloc_array(d + 1, sizeof *J), nj = 0, c0, e0, t0, row;
    size_t *idx = NULL;
    double *val = NULL, *bl = NULL, *bh = NULL;
    lump_i_lp_status_t st;
    *ok = 0;
    for (size_t j = 0; j < d; j++) {
        if (mw[j] == 0.0)
            continue;
        for (size_t i = 1; i < k; i++)
            if (sh[mem[i] * d + j] != sh[mem[0] * d + j]) {
                J[nj++] = j;
                break;
            }
    }
    if (nj == 0) { /* all members equal where it counts: the mean is exact */
        *ok = 1;
        goto cleanup;
    }
    idx = lump_alloc_array(nj + 1, sizeof *idx);
    val = lump_alloc_array(nj + 1, sizeof *val);
    LUMP_CHECK(lump_i_lp_new(&lp, 0));
    bl = lump_alloc_array(k * nj + 1, sizeof *bl);
    bh = lump_alloc_array(k * nj + 1, sizeof *bh);
    for (size_t q = 0; q <= k * nj; q++) {
        bl[q] = -HUGE_VAL;
        bh[q] = HUGE_VAL;
    }
    LUMP_CHECK(lump_i_lp_add_cols(lp, nj, bl, bh, &c0)); /* the centre: free */
    for (size_t q = 0; q <= k * nj; q++)
        bl[q] = 0;
    LUMP_CHECK(lump_i_lp_add_cols(lp, k * nj, bl, bh, &e0)); /* deviations >= 0 */
    LUMP_CHECK(lump_i_lp_add_cols(lp, 1, bl, bh, &t0));      /* their maximum */
    for (size_t i = 0; i < k; i++) {
        const double *r = sh + mem[i] * d;
        for (size_t j = 0; j < nj; j++) {
            size_t e = e0 + i * nj + j;
            size_t id2[2] = {e, c0 + j};
            double v1[2] = {1, -1}, v2[2] = {1, 1};
            LUMP_CHECK(lump_i_lp_add_row(lp, 2, id2, v1, -r[J[j]], HUGE_VAL, &row));
            LUMP_CHECK(lump_i_lp_add_row(lp, 2, id2, v2, r[J[j]], HUGE_VAL, &row));
        }
        /* t - amp_v sum_j mw_j e_vj >= 0 */
        idx[0] = t0;
        val[0] = 1;
        for (size_t j = 0; j < nj; j++) {
            idx[j + 1] = e0 + i * nj + j;
            val[j + 1] = -amp[mem[i]] * mw[J[j]];
        }
        LUMP_CHECK(lump_i_lp_add_row(lp, nj + 1, idx, val, 0, HUGE_VAL, &row));
    }
    lump_i_lp_set_obj(lp, t0, 1);
    LUMP_CHECK(lump_i_lp_solve(lp, &st));
    if (st == LUMP_I_LP_OPTIMAL) {
        for (size_t j = 0; j < nj; j++)
            c[J[j]] = lump_i_lp_col_value(lp, c0 + j);
        *ok = 1;
    }
cleanup:
    lump_i_lp_free(lp);
    LUMP_FREE_ALL(J, idx, val, bl, bh);
    return err;
}

/* lump_i_relax_centre -- see relax_lump.h. */
lump_error_t lump_i_relax_centre(double *c, double *maxdev, const double *sh,
                                 const double *amp, const size_t *mem, size_t k,
                                 size_t leader, const double *mw, size_t d, double eps,
                                 lump_centre_t how)
{
    lump_error_t err = LUMP_OK;
    double *tmp = lump_alloc_array(2 * (d + 1), sizeof *tmp), *lpc, dev;
    int ok;
    lpc = tmp + d + 1;
    *maxdev = mean_centre(c, tmp, sh, amp, mem, k, leader, mw, d, eps);
    if (*maxdev > eps) { /* cannot happen in exact arithmetic; be safe */
        memcpy(c, sh + leader * d, d * sizeof *c);
        *maxdev = lump_i_relax_maxdev(c, sh, amp, mem, k, mw, d);
    }
    if (how == LUMP_CENTRE_LP && k > 1) {
        weighted_mean(lpc, sh, amp, mem, k, d);
        LUMP_CHECK(lp_centre(lpc, &ok, sh, amp, mem, k, mw, d));
        if (ok) {
            dev = lump_i_relax_maxdev(lpc, sh, amp, mem, k, mw, d);
            if (dev <= *maxdev) {
                memcpy(c, lpc, d * sizeof *c);
                *maxdev = dev;
            }
        }
    }
cleanup:
    free(tmp);
    return err;
}
