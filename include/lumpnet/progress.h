/* lumpnet/progress.h -- progress reports and cancellation of long work */
#ifndef LUMPNET_PROGRESS_H
#define LUMPNET_PROGRESS_H

#include <stddef.h>
#include "lumpnet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The long loops of the library (bounds, relaxation, box reduction, ...)
 * open nested phases and mark the head of each iteration:
 *
 *     size_t lv = lump_progress_begin("layer", n_layers, LUMP_PROGRESS_EVEN);
 *     for (size_t i = 0; i < n_layers; i++) {
 *         LUMP_CHECK(lump_progress_step(lv, i));
 *         ...
 *     }
 *     lump_progress_end(lv);
 *
 * Each step is a cancellation point: once lump_cancel_request has been
 * called (by the SIGINT handler of lump_cancel_install), it returns
 * LUMP_EINTERRUPTED and the loop unwinds through its cleanup path. By
 * default nothing is printed: a program turns the report on with
 * lump_progress_enable. A step skipped by an error (no lump_progress_end)
 * heals itself: the next step or begin of an outer phase drops the deeper
 * ones. Not thread-safe (one report per process). */

/* Flag of lump_progress_begin: the steps of this phase take about the
 * same time, so the time left may be estimated from the time spent. */
#define LUMP_PROGRESS_EVEN 1u

/* lump_clock_seconds -- seconds on the monotonic clock, from an arbitrary
 * start: differences time a computation. O(1). */
LUMP_EXPORT double lump_clock_seconds(void);

/* lump_progress_delay -- how long a phase runs silent before the first
 * progress line (default 0.5 s, so quick work prints nothing). O(1). */
LUMP_EXPORT void lump_progress_delay(double seconds);

/* lump_progress_enable -- report progress on standard error as one line
 * "HEADING: [12 s, about 30 s left] phase j of n, ...", rewritten
 * in place (carriage return) at most ten times a second, first after half
 * a second. For a terminal only: the caller checks isatty. HEADING NULL
 * turns the report off (the default). O(1). */
LUMP_EXPORT void lump_progress_enable(const char *heading);

/* lump_progress_begin -- open a phase of TOTAL steps (0: unknown) named
 * WHAT ("layer", "LP", "symbolic bounds: box"), nested in the phases open
 * now. Returns its level, to give to lump_progress_step and _end. O(1). */
LUMP_EXPORT size_t lump_progress_begin(const char *what, size_t total, unsigned flags);

/* lump_progress_step -- step DONE (counted from 0) of the phase LEVEL
 * starts; closes the phases nested deeper. Returns LUMP_EINTERRUPTED (with
 * the message "interrupted") when cancellation was requested, LUMP_OK
 * otherwise. O(1); O(depth) when the line is redrawn. */
LUMP_EXPORT lump_error_t lump_progress_step(size_t level, size_t done) LUMP_WUR;

/* lump_progress_end -- close the phase LEVEL and those nested in it; when
 * the outermost phase closes, the line is erased. O(1). */
LUMP_EXPORT void lump_progress_end(size_t level);

/* lump_progress_clear -- erase the progress line, if one is shown, before
 * other output to the terminal (errors, warnings, results). O(1). */
LUMP_EXPORT void lump_progress_clear(void);

/* lump_cancel_request -- ask the long loops to stop at their next step.
 * Async-signal-safe. O(1). */
LUMP_EXPORT void lump_cancel_request(void);

/* lump_cancel_requested -- whether lump_cancel_request was called since
 * the last lump_cancel_reset. Async-signal-safe. O(1). */
LUMP_EXPORT int lump_cancel_requested(void);

/* lump_cancel_reset -- forget an earlier request. O(1). */
LUMP_EXPORT void lump_cancel_reset(void);

/* lump_cancel_check -- LUMP_EINTERRUPTED ("interrupted") when cancellation
 * was requested, LUMP_OK otherwise: a cancellation point without a report.
 * O(1). */
LUMP_EXPORT lump_error_t lump_cancel_check(void) LUMP_WUR;

/* lump_cancel_install -- handle SIGINT for a program: the first one
 * requests cancellation (the loops unwind, and the program exits with
 * lump_error_exit_code(LUMP_EINTERRUPTED), 130); when the process is still
 * running GRACE seconds later (in a call that has no cancellation point,
 * such as one simplex run of GLPK), or at a second SIGINT, the temporary
 * file being written (lump_io_write_atomic) is removed and the process
 * exits with code 130 at once. Uses SIGALRM and the real-time interval
 * timer. For programs, not libraries: it changes process-wide state.
 * Returns LUMP_EUSAGE when a handler cannot be set. O(1). */
LUMP_EXPORT lump_error_t lump_cancel_install(double grace) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
