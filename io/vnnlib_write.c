/* vnnlib_write.c -- write a VNN-LIB property: an input box and output
 * constraints, the unsafe region optionally enlarged by a distance */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>
#include "lumpnet/box.h"
#include "lumpnet/rat.h"

/* V as a decimal that VNN-LIB parsers read: exact when V has a finite
 * decimal expansion of at most 40 digits, else rounded in direction RND
 * (MPFR_RNDD or MPFR_RNDU) to 25 significant digits, so that the region
 * written contains the exact one. */
static int put_rat(FILE *f, const mpq_t v, mpfr_rnd_t rnd)
{
    char *s = lump_rat_str(v);
    if (s != NULL && strchr(s, '/') == NULL && strlen(s) <= 40) {
        fputs(s, f);
        free(s);
        return 1;
    }
    free(s);
    {
        mpfr_t x;
        mpfr_init2(x, 256);
        mpfr_set_q(x, v, rnd);
        mpfr_fprintf(f, rnd == MPFR_RNDD ? "%.24RDe" : "%.24RUe", x);
        mpfr_clear(x);
    }
    return 0;
}

/* lump_vnnlib_write -- see box.h. */
lump_error_t lump_vnnlib_write(FILE *f, const lump_box_t *box, const lump_outspec_t *spec,
                               const mpq_t widen, const char *comment)
{
    mpq_t rhs, norm, t;
    int exact = 1;
    if (comment != NULL)
        for (const char *line = comment; *line != '\0';) {
            size_t n = strcspn(line, "\n");
            fprintf(f, "; %.*s\n", (int)n, line);
            line += n + (line[n] == '\n');
        }
    fputc('\n', f);
    for (size_t i = 0; i < box->n; i++)
        fprintf(f, "(declare-const X_%zu Real)\n", i);
    fputc('\n', f);
    for (size_t j = 0; j < spec->n_outputs; j++)
        fprintf(f, "(declare-const Y_%zu Real)\n", j);
    fputs("\n; the input box\n", f);
    for (size_t i = 0; i < box->n; i++) {
        fprintf(f, "(assert (>= X_%zu ", i);
        put_rat(f, box->lo[i], MPFR_RNDD);
        fprintf(f, "))\n(assert (<= X_%zu ", i);
        put_rat(f, box->hi[i], MPFR_RNDU);
        fputs("))\n", f);
    }
    if (spec->n_terms == 0)
        return ferror(f) ? lump_error_set(LUMP_EIO, "writing the property failed") : LUMP_OK;
    fputs("\n; the unsafe outputs (a counterexample)\n(assert (or", f);
    mpq_init(rhs);
    mpq_init(norm);
    mpq_init(t);
    for (size_t k = 0; k < spec->n_terms; k++) {
        const lump_outterm_t *term = &spec->terms[k];
        fputs("\n  (and", f);
        for (size_t q = 0; q < term->n; q++) {
            const lump_lin_t *l = &term->ineq[q];
            int any = 0;
            /* sum c_j Y_j + c <= 0 on the original outputs Y, and
             * |Y_j - Yhat_j| <= widen: then sum c_j Yhat_j <= -c + widen
             * sum |c_j| on the written network's outputs Yhat */
            mpq_set_ui(norm, 0, 1);
            for (size_t j = 0; j < l->n; j++) {
                mpq_abs(t, l->coef[j]);
                mpq_add(norm, norm, t);
            }
            mpq_mul(norm, norm, widen);
            mpq_neg(rhs, l->constant);
            mpq_add(rhs, rhs, norm);
            fputs(" (", f);
            /* a strict inequality stays strict only when nothing widens it */
            fputs(l->strict && mpq_sgn(norm) == 0 ? "<" : "<=", f);
            fputs(" (+", f);
            for (size_t j = 0; j < l->n; j++) {
                if (mpq_sgn(l->coef[j]) == 0)
                    continue;
                fputs(" (* ", f);
                exact = put_rat(f, l->coef[j], MPFR_RNDN) && exact;
                fprintf(f, " Y_%zu)", j);
                any = 1;
            }
            if (!any)
                fputs(" 0", f);
            fputs(") ", f);
            put_rat(f, rhs, MPFR_RNDU);
            fputs(")", f);
        }
        fputs(")", f);
    }
    fputs("))\n", f);
    mpq_clear(rhs);
    mpq_clear(norm);
    mpq_clear(t);
    /* a coefficient has no short decimal form: rounding it would change
     * the region in no known direction */
    if (!exact)
        return lump_error_set(LUMP_EUNSUPPORTED, "an output coefficient of the property has no "
                                                 "finite decimal form; it cannot be written "
                                                 "exactly");
    return ferror(f) ? lump_error_set(LUMP_EIO, "writing the property failed") : LUMP_OK;
}
