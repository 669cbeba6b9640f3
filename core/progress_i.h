/* progress_i.h -- private: how many progress phases are open, so that the
 * tests can check that a library function closes the phases it opened on
 * every path, its error paths included */
#ifndef LUMPNET_PROGRESS_I_H
#define LUMPNET_PROGRESS_I_H

#include <stddef.h>

/* lump_i_progress_depth -- the number of open phases (0 between two
 * library calls that returned). O(1). */
size_t lump_i_progress_depth(void);

#endif
