/* act.c -- activation functions: initialisation, names, equality; the
 * properties come from the descriptor (act_desc.c) */
#include <string.h>
#include "lumpnet/net.h"
#include "act_i.h"

void lump_act_init(lump_act_t *a)
{
    a->kind = LUMP_ACT_IDENTITY;
    mpq_init(a->alpha);
}

void lump_act_clear(lump_act_t *a)
{
    mpq_clear(a->alpha);
}

void lump_act_set(lump_act_t *dst, const lump_act_t *src)
{
    dst->kind = src->kind;
    mpq_set(dst->alpha, src->alpha);
}

int lump_act_equal(const lump_act_t *a, const lump_act_t *b)
{
    if (a->kind != b->kind)
        return 0;
    return !lump_i_act_of(a)->has_alpha || mpq_equal(a->alpha, b->alpha);
}

const char *lump_act_name(lump_act_kind_t kind)
{
    lump_require((unsigned)kind < lump_i_act_count(), "lump_act_name");
    return lump_i_act_desc(kind)->name;
}

lump_error_t lump_act_from_name(lump_act_kind_t *kind, const char *name)
{
    for (unsigned k = 0; k < lump_i_act_count(); k++)
        if (strcmp(name, lump_i_act_desc((lump_act_kind_t)k)->name) == 0) {
            *kind = (lump_act_kind_t)k;
            return LUMP_OK;
        }
    return lump_error_set(LUMP_EINPUT,
                          "unknown activation '%.40s' (known: identity, relu, "
                          "leaky_relu, sigmoid, tanh)",
                          name);
}

int lump_act_is_pwl(lump_act_kind_t kind)
{
    return lump_i_act_desc(kind)->pwl;
}

/* lump_act_eval_d -- see net.h. */
double lump_act_eval_d(const lump_act_t *a, double z)
{
    return lump_i_act_of(a)->eval_d(a, z);
}
