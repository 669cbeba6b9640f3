/* lumpnet/io.h -- network formats (ONNX, NNet, exact JSON) and file I/O */
#ifndef LUMPNET_IO_H
#define LUMPNET_IO_H

#include <stddef.h>
#include <stdio.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    LUMP_FORMAT_UNKNOWN = 0,
    LUMP_FORMAT_ONNX,
    LUMP_FORMAT_NNET,
    LUMP_FORMAT_JSON
} lump_format_t;

/* Options and results of writing a network. */
typedef struct {
    /* in: float type for ONNX weights: LUMP_STORE_F32 or LUMP_STORE_F64,
     * or LUMP_STORE_Q for "automatic" (float32 when every value fits
     * exactly, else float64). */
    lump_store_t onnx_dtype;
    /* out: number of values that were rounded, and the largest absolute
     * rounding (0 when the file is exact). */
    size_t rounded;
    double max_rounding;
} lump_write_opts_t;

/* lump_write_opts_init -- automatic dtype, no rounding recorded. O(1). */
LUMP_EXPORT void lump_write_opts_init(lump_write_opts_t *opts);

/* lump_write_fit -- the numbers a file of format FMT written from NET
 * with OPTS holds exactly: any rational in JSON, terminating decimals in
 * NNet; for ONNX the writer's element type: float32 when OPTS or the
 * source file (NET's interface) says float32, else float64 (automatic
 * writing picks float32 only when every value fits it, so float64 is what
 * it can always hold). O(1). */
LUMP_EXPORT lump_fit_t lump_write_fit(lump_format_t fmt, const lump_net_t *net,
                                      const lump_write_opts_t *opts);

/* lump_fit_name -- "rational", "float32", "float64" or "decimal". O(1). */
LUMP_EXPORT const char *lump_fit_name(lump_fit_t fit);

/* lump_format_from_path -- the format named by PATH's extension. O(len). */
LUMP_EXPORT lump_format_t lump_format_from_path(const char *path);

/* lump_io_open_read -- open PATH for reading into *FD (to close()), only
 * when it is a regular file: a FIFO, a device, a socket or a directory is
 * refused with a message saying what it is, without waiting on a FIFO
 * (opened with O_NONBLOCK, which is cleared once the file is known to be
 * regular). Every reader of input files goes through it. O(1). */
LUMP_EXPORT lump_error_t lump_io_open_read(int *fd, const char *path) LUMP_WUR;

/* lump_io_fopen_read -- lump_io_open_read as a stdio stream (to fclose),
 * for readers that stream a file. O(1). */
LUMP_EXPORT lump_error_t lump_io_fopen_read(FILE **f, const char *path) LUMP_WUR;

/* lump_io_read_file -- read the whole file PATH into a new buffer (to
 * free(); a NUL byte is appended, not counted in *LEN), opened with
 * lump_io_open_read. Errors name the file. O(file size). */
LUMP_EXPORT lump_error_t lump_io_read_file(unsigned char **buf, size_t *len, const char *path) LUMP_WUR;

/* One output file of a command for lump_io_write_all: PATH is produced by
 * WRITE(f, CTX), which returns an error (with a message) on failure. */
typedef struct {
    const char *path;
    lump_error_t (*write)(FILE *f, void *ctx);
    void *ctx;
} lump_io_output_t;

/* The most outputs one lump_io_write_all call takes. */
#define LUMP_IO_MAX_OUTPUTS 8

/* lump_io_write_all -- write the N outputs OUTS all or none. Each is first
 * checked (lump_io_check_output, and no two may be one file); then each
 * WRITE runs into a temporary file ".lumpnet-XXXXXX" in its target's
 * folder, created only when the first bytes come out of the stream (so
 * none exists while a writer still builds its document), flushed and
 * synced; only when every one succeeded are they renamed over their
 * targets, with the signals held. An existing target keeps its mode (and
 * its owner, where allowed). On any failure no target is touched and no
 * temporary file is left, and the message names the file and the reason
 * (the file system's, e.g. "No space left on device"). While it runs,
 * every signal whose action is to end the process removes the temporary
 * files and then ends the process as it would have (ignored and handled
 * signals are left alone); SIGXFSZ is ignored, so a file-size limit is a
 * write error. Not thread-safe. O(bytes written). */
LUMP_EXPORT lump_error_t lump_io_write_all(const lump_io_output_t *outs, size_t n) LUMP_WUR;

/* lump_io_write_atomic -- lump_io_write_all of the one output PATH.
 * O(bytes written). */
LUMP_EXPORT lump_error_t lump_io_write_atomic(const char *path,
                                  lump_error_t (*write)(FILE *f, void *ctx),
                                  void *ctx) LUMP_WUR;

/* lump_io_fd -- the file descriptor under the stream F that a
 * lump_io_write_all writer was given (creating the temporary file now),
 * for a writer that hands the file to another program; fileno(F) for any
 * other stream; -1 with errno on failure. Buffered bytes are flushed
 * first. O(1). */
LUMP_EXPORT int lump_io_fd(FILE *f);

/* lump_io_check_output -- whether PATH can be written as an output: it is
 * a regular file or does not exist yet, and its folder exists and is
 * writable. Commands call it for every output before their work starts.
 * Errors (LUMP_EUSAGE) name the file. O(1) system calls. */
LUMP_EXPORT lump_error_t lump_io_check_output(const char *path) LUMP_WUR;

/* lump_io_same_file -- 1 when the paths A and B name one file: the same
 * device and inode after following links, or, for a file that does not
 * exist yet, the same folder (by identity) and the same last name; else 0
 * (also when a folder cannot be looked up). O(1) system calls. */
LUMP_EXPORT int lump_io_same_file(const char *a, const char *b);

/* lump_net_read -- read PATH in the format its extension names. Every
 * error message names the file, the place and the problem. O(file size). */
LUMP_EXPORT lump_error_t lump_net_read(lump_net_t *net, const char *path) LUMP_WUR;

/* lump_net_write -- write NET to PATH (atomically) in the format its
 * extension names. OPTS may be NULL. O(size of the network). */
LUMP_EXPORT lump_error_t lump_net_write(const char *path, const lump_net_t *net,
                                        lump_write_opts_t *opts) LUMP_WUR;

/* A network to write as one output of lump_io_write_all. */
typedef struct {
    lump_format_t fmt;
    const lump_net_t *net;
    lump_write_opts_t *opts;
    lump_write_opts_t local;
} lump_net_output_t;

/* lump_net_output_prepare -- fill *OUT (its context is *CTX, which must
 * outlive the write) to write NET to PATH in the format its extension
 * names, with OPTS (may be NULL). Refuses an unknown extension or a broken
 * network now, before any file is created. O(size of the network). */
LUMP_EXPORT lump_error_t lump_net_output_prepare(lump_io_output_t *out, lump_net_output_t *ctx,
                                     const char *path, const lump_net_t *net,
                                     lump_write_opts_t *opts) LUMP_WUR;

/* Per-format readers of an in-memory file (NAME prefixes messages) and
 * writers to a stream. Complexity: linear in the file or network size. */
LUMP_EXPORT lump_error_t lump_net_read_onnx_buf(lump_net_t *net, const unsigned char *buf,
                                                size_t len, const char *name) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_read_nnet_buf(lump_net_t *net, const char *buf,
                                                size_t len, const char *name) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_read_json_buf(lump_net_t *net, const char *buf,
                                                size_t len, const char *name) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_write_onnx(FILE *f, const lump_net_t *net,
                                             lump_write_opts_t *opts) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_write_nnet(FILE *f, const lump_net_t *net,
                                             lump_write_opts_t *opts) LUMP_WUR;
LUMP_EXPORT lump_error_t lump_net_write_json(FILE *f, const lump_net_t *net) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
