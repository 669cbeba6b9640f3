/* sound_gen.h -- random networks for the soundness suite, and rewrites of
 * them that keep the function exactly (permuted, duplicated, scaled, dead
 * and constant neurons) or change it (perturbations) */
#ifndef LUMPNET_SOUND_GEN_H
#define LUMPNET_SOUND_GEN_H

#include <gmp.h>
#include "sound_ref.h"

/* Which values a network holds: small fractions (1/3 included), or
 * dyadic numbers that binary32 / binary64 hold exactly. */
typedef enum { SG_RATIONAL = 0, SG_F32 = 1, SG_F64 = 2 } sg_values_t;

typedef struct {
    sg_values_t values;
    int smooth; /* sigmoid and tanh layers allowed */
    int mixed;  /* per-neuron activations allowed */
    int maps;   /* clip, normalisation and output map allowed */
    int plant;  /* plant constant chains, dead columns and duplicates */
    int max_in, max_width, max_hidden;
} sg_opts_t;

/* sg_opts_default -- rational values, piecewise linear, small shapes. */
void sg_opts_default(sg_opts_t *o);

/* sg_value -- a random weight of the kind VALUES asks for (zero a quarter
 * of the time). */
void sg_value(mpq_t out, gmp_randstate_t r, sg_values_t values);

/* sg_alpha -- a leaky_relu slope from {-1, -1/2, 1/10, 1, 3/2, 2}, or one
 * binary32 holds when F32ONLY. */
void sg_alpha(mpq_t out, gmp_randstate_t r, int f32only);

/* sg_random_net -- N = a random network as O asks. */
void sg_random_net(sr_net_t *n, gmp_randstate_t r, const sg_opts_t *o);

/* sg_equal_copy -- OUT = a network computing exactly N's function, made
 * by 1-4 rewrites: permuting a hidden layer, duplicating a neuron (scaled
 * copy, outgoing weights split), scaling a neuron (and its outgoing
 * weights by the inverse), adding a dead neuron or a constant neuron
 * (compensated in the next biases). Scales are positive for relu and
 * leaky_relu, any non-zero for identity, 1 for sigmoid/tanh; power-of-two
 * scales when VALUES is not SG_RATIONAL, most of the time. DESC receives
 * the list of rewrites. */
void sg_equal_copy(sr_net_t *out, const sr_net_t *n, gmp_randstate_t r, sg_values_t values,
                   char *desc, size_t desclen);

/* sg_perturb -- N changed in one place (a weight, a bias, a slope or an
 * activation); usually a different function. DESC names the change. */
void sg_perturb(sr_net_t *n, gmp_randstate_t r, sg_values_t values, char *desc, size_t desclen);

/* sg_cut_constant -- pick a hidden neuron that is constant by structure
 * (sr_constants) and has non-zero outgoing weights, and zero those
 * weights; when COMPENSATE, add weight * value to the next biases (the
 * function is kept: the fold exact lumping does), else not (the function
 * changes unless the value is 0). The neuron comes from the deepest
 * layer that has one (the end of a constant chain). Returns 0 when there
 * is no such neuron. */
int sg_cut_constant(sr_net_t *n, gmp_randstate_t r, int compensate);

/* sg_perturb_small -- add small rationals to COUNT random weights or
 * biases (for bound cases). */
void sg_perturb_small(sr_net_t *n, gmp_randstate_t r, int count);

/* sg_rand_q -- a rational num/den, num in [-NUM, NUM], den in [1, DEN]. */
void sg_rand_q(mpq_t out, gmp_randstate_t r, unsigned long num, unsigned long den);

/* sg_rand_between -- a random rational in [LO, HI] with denominator
 * steps of 1/DEN of the width (and the ends themselves sometimes). */
void sg_rand_between(mpq_t out, gmp_randstate_t r, const mpq_t lo, const mpq_t hi,
                     unsigned long den);

#endif
