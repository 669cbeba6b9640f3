/* error_i.h -- private to the library: what the fatal-error path of
 * core/error.c calls in other modules (it cannot unwind, so it cleans up
 * through these hooks) */
#ifndef LUMPNET_ERROR_I_H
#define LUMPNET_ERROR_I_H

/* lump_i_io_abandon -- remove the temporary file lump_io_write_atomic is
 * writing, if any (for the out-of-memory exit, which cannot unwind).
 * Async-signal-safe. O(1). Defined in io/io_file.c. */
void lump_i_io_abandon(void);

#endif
