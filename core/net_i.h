/* net_i.h -- private: handing a built network over to its owner */
#ifndef LUMPNET_NET_I_H
#define LUMPNET_NET_I_H

#include "lumpnet/net.h"

/* lump_i_net_move -- DST takes over what SRC owns (what DST held before is
 * freed) and SRC is left empty, as after lump_net_init: the last step of
 * every function that builds a network in a scratch value and replaces its
 * output only on success. DST and SRC must differ. O(size of DST's old
 * network). */
void lump_i_net_move(lump_net_t *dst, lump_net_t *src);

#endif
