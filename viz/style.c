/* style.c -- the palette, node shapes and compact label text of drawings */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "viz_i.h"
#include "alloc_i.h"

/* Paul Tol's "light" scheme (https://personal.sron.nl/~pault/), made for
 * filled areas under black text and distinct under the common colour-vision
 * deficiencies; its pale grey is left out, being the removed neurons'. */
static const char *const fills[] = {"#77AADD", "#EE8866", "#EEDD88", "#FFAABB",
                                    "#99DDFF", "#44BB99", "#BBCC33", "#AAAA00"};

/* A second cue for grey-scale prints. Three shapes against eight colours
 * give 24 distinct pairs before one repeats (3 and 8 are coprime). */
static const char *const shapes[] = {"ellipse", "box", "hexagon"};

const char *lump_i_viz_fill(int slot)
{
    if (slot == LUMP_I_VIZ_REMOVED)
        return LUMP_I_VIZ_REMOVED_FILL;
    if (slot < 0)
        return "#FFFFFF";
    return fills[(size_t)slot % (sizeof fills / sizeof fills[0])];
}

const char *lump_i_viz_shape(int slot)
{
    if (slot < 0)
        return "ellipse";
    return shapes[(size_t)slot % (sizeof shapes / sizeof shapes[0])];
}

void lump_i_viz_str_init(lump_i_viz_str_t *b)
{
    memset(b, 0, sizeof *b);
}

void lump_i_viz_str_add(lump_i_viz_str_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    /* only an encoding error, which the labels' formats cannot make */
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = 2 * (b->len + (size_t)n + 1) + 32;
        char *s = lump_realloc_array(b->s, cap, 1);
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *lump_i_viz_str_take(lump_i_viz_str_t *b)
{
    char *s = b->s;
    if (s == NULL)
        s = lump_alloc_zero(1, 1);
    lump_i_viz_str_init(b);
    return s;
}

void lump_i_viz_add_q(lump_i_viz_str_t *b, const mpq_t q)
{
    char *s = lump_rat_str_frac(q);
    /* Scales of float networks are dyadic fractions with long numerators;
     * in a label a rounded value says more than 20 digits. */
    if (strlen(s) <= 9)
        lump_i_viz_str_add(b, "%s", s);
    else
        lump_i_viz_str_add(b, "≈%.3g", mpq_get_d(q));
    free(s);
}
