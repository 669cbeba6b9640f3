/* check_why.c -- the verdict and the message of the trusted checkers */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "check_why_i.h"

void lump_i_why_init(lump_i_why_t *w, lump_verdict_t *valid, char *why, size_t whylen)
{
    memset(w, 0, sizeof *w);
    w->valid = valid;
    w->why = why;
    w->whylen = whylen;
    *valid = LUMP_FALSE;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
}

int lump_i_why_fail(lump_i_why_t *w, const char *fmt, ...)
{
    va_list ap;
    w->failed = 1;
    *w->valid = LUMP_FALSE;
    if (w->why != NULL && w->whylen > 0) {
        va_start(ap, fmt);
        vsnprintf(w->why, w->whylen, fmt, ap);
        va_end(ap);
    }
    return 1;
}

const char *lump_i_why_q(lump_i_why_t *w, int slot, const mpq_t v)
{
    char *s = lump_rat_str(v);
    char *buf = w->num[slot];
    size_t cap = sizeof w->num[slot];
    if (s == NULL) {
        gmp_snprintf(buf, cap, "%Qd", v);
    } else {
        if (strlen(s) < cap)
            memcpy(buf, s, strlen(s) + 1);
        else
            snprintf(buf, cap, "%.60s...(%zu digits)", s, strlen(s));
        free(s);
    }
    return buf;
}
