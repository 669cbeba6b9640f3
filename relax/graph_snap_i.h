/* graph_snap_i.h -- the state of a relaxed channel lumping of a graph
 * network: per qualifying node, the blocks of its channels, their scales
 * and centres (lumpnet/graph_relax.h says what qualifies and why the rows
 * written are exact) */
#ifndef LUMP_GRAPH_SNAP_I_H
#define LUMP_GRAPH_SNAP_I_H

#include <stddef.h>
#include <stdint.h>
#include "lumpnet/graph.h"

/* the block of a removed channel */
#define LUMP_I_SNAP_GONE SIZE_MAX

/* One qualifying node: NCH channels of AREA positions, rows of ROWLEN
 * weights plus the bias (ORIG, as doubles); BLK[w] is the lowest channel
 * of w's block (its representative) or LUMP_I_SNAP_GONE, SCALE[w] > 0 its
 * scale (1 for the representative), CENTRE the row of each block, indexed
 * by its representative. ACT is the node's activation, CONS the consumer,
 * reading CONS_AREA entries per channel; OUT2[w] the squared norm of its
 * weights on channel w. A channel costs OWN parameters (row and bias)
 * plus CONS_PER weights of each of the consumer's CONS_ROWS rows; the
 * consumer is layer CONS_LAYER of the state (SIZE_MAX when it is not). */
typedef struct {
    size_t node, act, cons, cons_area;
    size_t nch, area, rowlen, own, cons_rows, cons_per, cons_layer;
    double *orig, *out2;
    float *centre, *scale;
    size_t *blk;
} lump_i_snap_layer_t;

typedef struct {
    size_t n_layers;
    lump_i_snap_layer_t *layer;
} lump_i_snap_t;

/* lump_i_snap_layers -- the qualifying nodes of G, every channel its own
 * block. Errors: LUMP_EINPUT when there is none. O(nodes^2 + size of G). */
lump_error_t lump_i_snap_layers(lump_i_snap_t *s, const lump_graph_t *g);

/* lump_i_snap_clone -- DST = a deep copy of SRC (DST uninitialised);
 * lump_i_snap_copy -- the blocks, scales and centres of SRC into DST, a
 * clone of it. O(rows). */
void lump_i_snap_clone(lump_i_snap_t *dst, const lump_i_snap_t *src);
void lump_i_snap_copy(lump_i_snap_t *dst, const lump_i_snap_t *src);

/* lump_i_snap_free -- free S's arrays. O(layers). */
void lump_i_snap_free(lump_i_snap_t *s);

/* lump_i_snap_merge -- merge the block of V into the block of U, with
 * y_v ~ S y_u (S > 0); the least-squares centre of the union.
 * O(nch * rowlen). */
void lump_i_snap_merge(lump_i_snap_layer_t *l, size_t u, size_t v, double s);

/* lump_i_snap_remove -- remove V's block (its channels become 0). O(nch). */
void lump_i_snap_remove(lump_i_snap_layer_t *l, size_t v);

/* lump_i_snap_blocks -- the blocks of L that are kept. O(nch). */
size_t lump_i_snap_blocks(const lump_i_snap_layer_t *l);

/* lump_i_snap_write -- write the rows of S into G (a copy of the network S
 * was made from): merged blocks get s_w times their centre, removed
 * channels zero rows, singletons are left as they are. Errors:
 * LUMP_ENOMEM. O(rows of the merged blocks). */
lump_error_t lump_i_snap_write(lump_graph_t *g, const lump_i_snap_t *s);

/* lump_i_snap_write_layer -- lump_i_snap_write of one layer. */
lump_error_t lump_i_snap_write_layer(lump_graph_t *g, const lump_i_snap_layer_t *l);

/* lump_i_snap_reset -- L's node in G as in ORIG, then L's rows written:
 * G's node then holds exactly L's snapped rows, whatever it held before.
 * O(node's weights). */
lump_error_t lump_i_snap_reset(lump_graph_t *g, const lump_graph_t *orig,
                               const lump_i_snap_layer_t *l);

/* lump_i_snap_removed -- the channels S merges away or removes. O(rows). */
size_t lump_i_snap_removed(const lump_i_snap_t *s);

/* lump_i_snap_params -- the parameters of G's quotient by S: G's, less
 * the rows of the channels merged away or removed and the consumers'
 * weights on them. O(rows). */
size_t lump_i_snap_params(const lump_i_snap_t *s, const lump_graph_t *g);

/* lump_i_snap_emit -- OUT = G snapped by S (a copy of G with S's rows
 * written); *PARAMS and *CHANNELS (may be NULL) as lump_i_snap_params and
 * lump_i_snap_removed. On error OUT is unchanged. O(size of G). */
lump_error_t lump_i_snap_emit(lump_graph_t *out, size_t *params, size_t *channels,
                              const lump_i_snap_t *s, const lump_graph_t *g);

#endif
