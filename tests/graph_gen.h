/* graph_gen.h -- seeded random small graph (CNN, residual) networks for
 * the tests: convolutions with pads, strides, dilations and groups, zero
 * pads, average and max pools, residual adds, concatenations, transposes,
 * elementwise affine maps, relu and leaky relu, a dense head */
#ifndef LUMPNET_GRAPH_GEN_H
#define LUMPNET_GRAPH_GEN_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet.h"

/* tg_graph -- G := a random network drawn from R: an input of 1 to 3
 * channels of 3 to MAX_HW rows and columns, NOPS random operations, then
 * a flatten and a dense layer to NOUT outputs. Weights are float32 values
 * (multiples of 1/16) or, when RATIONAL, small fractions. G must be
 * initialised and empty. */
void tg_graph(lump_graph_t *g, gmp_randstate_t r, size_t max_hw, size_t nops, size_t nout,
              int rational);

/* tg_cnn -- G := a random convolutional network drawn from R: an input of
 * 1 or 2 channels of 3 to MAX_HW rows and columns, one or two blocks of
 * a Conv (group 1; some channels positive multiples of earlier ones,
 * some of those moved slightly), a ReLU or leaky ReLU and sometimes a
 * pool, then a flatten and a dense layer to NOUT outputs; float32
 * weights. G must be initialised and empty. */
void tg_cnn(lump_graph_t *g, gmp_randstate_t r, size_t max_hw, size_t nout);

#endif
