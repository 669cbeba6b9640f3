/* graph_i.h -- private helpers shared by the double and exact graph
 * evaluators */
#ifndef LUMPNET_GRAPH_I_H
#define LUMPNET_GRAPH_I_H

#include "lumpnet/graph.h"

/* lump_i_graph_pool_count -- the divisor of average-pool node N's window at
 * output (OY, OX) over an input of height H and width W: the window's
 * entries inside the padded input (count_include_pad) or inside the input.
 * O(1). */
long lump_i_graph_pool_count(const lump_graph_node_t *n, long H, long W, long oy, long ox);

/* The entries of a pool window that lie inside one channel of the input:
 * ROWS x COLS of them, the first at offset FIRST of the channel, the next
 * along a row COL_STEP further and the next row ROW_STEP further. Visiting
 * them in that order is the order of the kernel taps (ky, then kx). */
typedef struct {
    long first;
    long rows, cols;
    long row_step, col_step;
} lump_i_pool_window_t;

/* lump_i_graph_pool_window -- W := the inside entries of pool node N's
 * window at output (OY, OX) over an input of height H and width W. O(kh +
 * kw). */
void lump_i_graph_pool_window(lump_i_pool_window_t *w, const lump_graph_node_t *n, long H, long W,
                              long oy, long ox);

/* lump_i_graph_pad_target -- the offset in pad node N's output of entry E
 * of its input, of shape XS (the same rank). O(rank). */
size_t lump_i_graph_pad_target(const lump_graph_node_t *n, const lump_shape_t *xs, size_t e);

#endif
