/* unroll_layers_i.h -- the neurons of an unrolled graph (blocks of
 * expressions) and their layout in the layers of a lump_net_t */
#ifndef LUMPNET_UNROLL_LAYERS_I_H
#define LUMPNET_UNROLL_LAYERS_I_H

#include "lumpnet/graph.h"
#include "unroll_i.h"

/* A block: neurons of one activation whose pre-activations are the rows of
 * PRE (owned when OWN), all at one LEVEL (1 + the deepest source they
 * read); they are sources FIRST .. FIRST + pre->n - 1. NODE is the ACT
 * node they come from, or SIZE_MAX (a MAXPOOL round). */
typedef struct {
    lump_i_ux_t *pre;
    int own;
    lump_act_t act;
    size_t first, level, node;
} lump_i_block_t;

/* The unrolling state: the row builder (which numbers the sources) and
 * the blocks made so far. */
typedef struct {
    lump_i_ub_t b;
    lump_i_block_t *blk;
    size_t nblk, cap;
} lump_i_unroll_t;

/* lump_i_unroll_init / _clear -- an empty state; free one (and the blocks'
 * owned rows). O(1) / O(blocks). */
void lump_i_unroll_init(lump_i_unroll_t *u);
void lump_i_unroll_clear(lump_i_unroll_t *u);

/* lump_i_unroll_block -- append a block of activation ACT over the rows
 * PRE (when OWN, the block takes PRE's arrays and PRE is left empty; else
 * PRE must outlive U) for graph node NODE; returns its first source.
 * O(rows) amortised. */
size_t lump_i_unroll_block(lump_i_unroll_t *u, lump_i_ux_t *pre, int own, const lump_act_t *act,
                           size_t node);

/* lump_i_unroll_layers -- lay the blocks out as layers (a block at level l
 * in layer l; a source read at a level beyond its own plus one carried by
 * identity neurons), the last layer computing Y, into OUT and MAP; see
 * lump_graph_unroll. O(sources x layers + dense weights). */
lump_error_t lump_i_unroll_layers(lump_net_t *out, lump_graph_unroll_map_t *map,
                                  lump_i_unroll_t *u, const lump_graph_t *g, lump_i_ux_t *y,
                                  size_t max_weights) LUMP_WUR;

#endif
