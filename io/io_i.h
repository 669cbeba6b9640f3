/* io_i.h -- private interface between the output writer (io_write.c) and
 * the signal guard (io_signal.c) */
#ifndef LUMPNET_IO_I_H
#define LUMPNET_IO_I_H

#include <signal.h>

/* lump_i_io_guard_begin / _end -- while a command writes its outputs,
 * every signal that would end the process first removes the temporary
 * files (and SIGXFSZ is ignored, so an over-large file is a write error);
 * _end restores the previous actions. O(number of signals). */
void lump_i_io_guard_begin(void);
void lump_i_io_guard_end(void);

/* lump_i_io_hold / _release -- block every signal, and restore the mask
 * OLD, around the steps a handler must not see half done. O(1). */
void lump_i_io_hold(sigset_t *old);
void lump_i_io_release(const sigset_t *old);

/* lump_i_io_track / _untrack -- record (with the signals held) the
 * temporary file TMP for the handler to remove, or forget it; track
 * returns -1 when all LUMP_IO_MAX_OUTPUTS slots are taken. O(slots). */
int lump_i_io_track(char *tmp);
void lump_i_io_untrack(const char *tmp);

/* lump_i_io_set_target -- the output being produced now (NULL: none). */
void lump_i_io_set_target(const char *path);

#endif
