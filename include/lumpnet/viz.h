/* lumpnet/viz.h -- diagrams of networks, lumpings and quotients (Graphviz) */
#ifndef LUMPNET_VIZ_H
#define LUMPNET_VIZ_H

#include "lumpnet/error.h"
#include "lumpnet/net.h"
#include "lumpnet/lump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* being designed: see viz/ */

#ifdef __cplusplus
}
#endif
#endif
