/* act.c -- activation functions: names, equality, piecewise linearity,
 * evaluation in double */
#include <math.h>
#include <string.h>
#include "lumpnet/net.h"
#include "lumpnet/rat.h"

static const char *const names[] = {"identity", "relu", "leaky_relu", "sigmoid", "tanh"};

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
    return a->kind != LUMP_ACT_LEAKY_RELU || mpq_equal(a->alpha, b->alpha);
}

const char *lump_act_name(lump_act_kind_t kind)
{
    lump_require((unsigned)kind < sizeof names / sizeof names[0], "lump_act_name");
    return names[kind];
}

lump_error_t lump_act_from_name(lump_act_kind_t *kind, const char *name)
{
    for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(name, names[k]) == 0) {
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
    return kind == LUMP_ACT_IDENTITY || kind == LUMP_ACT_RELU || kind == LUMP_ACT_LEAKY_RELU;
}

/* lump_act_eval_d -- see net.h. */
double lump_act_eval_d(const lump_act_t *a, double z)
{
    switch (a->kind) {
    case LUMP_ACT_RELU:
        return z > 0 ? z : 0.0;
    case LUMP_ACT_LEAKY_RELU:
        return z >= 0 ? z : lump_rat_get_d(a->alpha) * z;
    case LUMP_ACT_SIGMOID:
        return 1.0 / (1.0 + exp(-z));
    case LUMP_ACT_TANH:
        return tanh(z);
    default:
        return z;
    }
}
