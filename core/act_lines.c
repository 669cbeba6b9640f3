/* act_lines.c -- sound linear lower and upper lines of each activation
 * over an interval [l, u], the descriptor's "lines" (act_i.h) */
#include <math.h>
#include "act_i.h"

/* lump_i_chord -- see act_i.h. */
void lump_i_chord(double *s, double *t, double l, double fl, double u, double fu, int upper)
{
    double t1, t2;
    *s = (fu - fl) / (u - l);
    if (!isfinite(*s))
        *s = 0;
    /* a slope 0 contributes nothing even at an infinite end; an end value
     * that is infinite leaves no line but the trivial one */
    if (upper) {
        t1 = *s == 0 ? fl : lump_i_add_up(fl, lump_i_mul_up(-*s, l));
        t2 = *s == 0 ? fu : lump_i_add_up(fu, lump_i_mul_up(-*s, u));
        *t = isnan(t1) || isnan(t2) ? HUGE_VAL : fmax(t1, t2);
    } else {
        t1 = *s == 0 ? fl : lump_i_add_dn(fl, lump_i_mul_dn(-*s, l));
        t2 = *s == 0 ? fu : lump_i_add_dn(fu, lump_i_mul_dn(-*s, u));
        *t = isnan(t1) || isnan(t2) ? -HUGE_VAL : fmin(t1, t2);
    }
}

/* The lines of the piecewise-linear kinds start as y = z (slope 1,
 * intercept 0) on both sides, which is exact on z >= 0. */
static void unit(double *us, double *ut, double *ls, double *lt)
{
    *us = *ls = 1;
    *ut = *lt = 0;
}

int lump_i_identity_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                              double l, double u)
{
    (void)act, (void)l, (void)u;
    unit(us, ut, ls, lt);
    return 1;
}

/* relu over [l, u]: itself when stable; across 0 the chord above, and
 * below relu(z) >= s z for s in [0, 1], s = 1 or 0 whichever cuts less
 * area. */
int lump_i_relu_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                          double l, double u)
{
    (void)act;
    unit(us, ut, ls, lt);
    if (l >= 0)
        return 1;
    *us = *ls = 0;
    if (u <= 0)
        return 1;
    lump_i_chord(us, ut, l, 0, u, u, 1);
    *ls = u > -l ? 1 : 0;
    return 1;
}

/* Lines of y = leaky_relu(alpha)(z) over [l, u], for any alpha; [al, ah]
 * are alpha rounded outward. y = z on z >= 0 and alpha z on z <= 0:
 *  - u <= 0: alpha z lies between al z and ah z (z <= 0 flips the order);
 *  - l < 0 < u, alpha <= 1: y = max(z, alpha z) is convex: the chord above
 *    (its left end value alpha l <= al l rounded up), and below any
 *    y >= s z with s in [alpha, 1] (z >= 0: z >= s z; z < 0:
 *    alpha z >= s z): s = 1 or s = min(ah, 1), whichever cuts less area;
 *  - l < 0 < u, alpha > 1: y = min(z, alpha z) is concave: the chord below
 *    (alpha l >= ah l rounded down), and above y <= s z with s in
 *    [1, alpha]: s = 1 or s = al (>= 1, since 1 is a double). */
int lump_i_leaky_relu_lines_row(double *us, double *ut, double *ls, double *lt,
                                const lump_act_t *act, double l, double u)
{
    double al = lump_i_q_down(act->alpha), ah = lump_i_q_up(act->alpha);
    if (!isfinite(al) || !isfinite(ah)) /* alpha beyond double: no line */
        return 0;
    unit(us, ut, ls, lt);
    if (l >= 0)
        return 1;
    if (u <= 0) {
        *us = al;
        *ls = ah;
        return 1;
    }
    if (mpq_cmp_ui(act->alpha, 1, 1) <= 0) {
        lump_i_chord(us, ut, l, lump_i_mul_dir(al, l, 1), u, u, 1);
        *ls = u >= -l ? 1 : fmin(ah, 1);
    } else {
        lump_i_chord(ls, lt, l, lump_i_mul_dir(ah, l, 0), u, u, 0);
        *us = u >= -l ? 1 : al;
    }
    return 1;
}

int lump_i_smooth_lines_row(double *us, double *ut, double *ls, double *lt, const lump_act_t *act,
                            double l, double u)
{
    lump_i_smooth_lines(us, ut, ls, lt, act, l, u);
    return 1;
}
