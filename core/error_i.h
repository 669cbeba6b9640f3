/* error_i.h -- private to the library: what the fatal-error path of
 * core/error.c calls in other modules (it cannot unwind, so it cleans up
 * through these hooks) */
#ifndef LUMPNET_ERROR_I_H
#define LUMPNET_ERROR_I_H

/* lump_i_io_abandon -- remove the temporary files lump_io_write_all is
 * writing, if any (for the out-of-memory exit, which cannot unwind).
 * Async-signal-safe. O(1). */
void lump_i_io_abandon(void);

/* lump_i_io_pending_target -- the output lump_io_write_all is producing
 * now, or NULL (for the out-of-memory message). Async-signal-safe. O(1). */
const char *lump_i_io_pending_target(void);

#endif
