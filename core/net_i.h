/* net_i.h -- private: handing a built network over to its owner, and what
 * the layered network and the DAG model share */
#ifndef LUMPNET_NET_I_H
#define LUMPNET_NET_I_H

#include "lumpnet/net.h"

/* lump_i_net_move -- DST takes over what SRC owns (what DST held before is
 * freed) and SRC is left empty, as after lump_net_init: the last step of
 * every function that builds a network in a scratch value and replaces its
 * output only on success. DST and SRC must differ. O(size of DST's old
 * network). */
void lump_i_net_move(lump_net_t *dst, lump_net_t *src);

/* lump_i_affine_init / _clear -- the weights W, biases B and activation A
 * that a layer and a graph node both hold: init makes them empty, clear
 * frees what they own (and leaves them to be initialised again). O(1) /
 * O(size of W and B). */
void lump_i_affine_init(lump_arr_t *w, lump_arr_t *b, lump_act_t *a);
void lump_i_affine_clear(lump_arr_t *w, lump_arr_t *b, lump_act_t *a);

/* lump_i_sum_sizes -- the sum of the size_t member at byte OFFSET of each
 * of the N records, STRIDE bytes apart, from BASE (NULL when N is 0): the
 * counts over the layers of a network or the nodes of a graph. O(N). */
size_t lump_i_sum_sizes(const void *base, size_t n, size_t stride, size_t offset);

#endif
