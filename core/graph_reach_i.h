/* graph_reach_i.h -- which nodes of a graph network reach its output
 * (private to the library: both graph readers refuse a node that does not) */
#ifndef LUMPNET_GRAPH_REACH_I_H
#define LUMPNET_GRAPH_REACH_I_H

#include <stddef.h>
#include "lumpnet/graph.h"

/* lump_i_graph_unreached -- the first node of G whose tensor the output
 * does not read (directly or not), or SIZE_MAX when every node reaches it.
 * Requires the nodes in topological order. O(nodes + edges). */
size_t lump_i_graph_unreached(const lump_graph_t *g);

#endif
