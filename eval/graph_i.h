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

#endif
