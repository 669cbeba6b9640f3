/* lumpnet.h -- the umbrella header of liblumpnet */
#ifndef LUMPNET_H
#define LUMPNET_H

#include "lumpnet/error.h"
#include "lumpnet/alloc.h"
#include "lumpnet/arr.h"
#include "lumpnet/rat.h"
#include "lumpnet/net.h"
#include "lumpnet/box.h"
#include "lumpnet/io.h"
#include "lumpnet/eval.h"
#include "lumpnet/lump.h"
#include "lumpnet/relax.h"
#include "lumpnet/viz.h"
#include "lumpnet/stable.h"
#include "lumpnet/progress.h"
#include "lumpnet/data.h"
#include "lumpnet/tolerance.h"
#include "lumpnet/graph.h"
#include "lumpnet/glump.h"
#include "lumpnet/graph_box.h"
#include "lumpnet/graph_relax.h"
#include "lumpnet/graph_bound.h"

/* lump_version -- the library version string ("0.1.0"). O(1). */
LUMP_EXPORT const char *lump_version(void);

#endif
