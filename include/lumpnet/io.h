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

/* lump_format_from_path -- the format named by PATH's extension. O(len). */
LUMP_EXPORT lump_format_t lump_format_from_path(const char *path);

/* lump_io_read_file -- read the whole file PATH into a new buffer (to
 * free(); a NUL byte is appended, not counted in *LEN). Errors name the
 * file. O(file size). */
LUMP_EXPORT
lump_error_t lump_io_read_file(unsigned char **buf, size_t *len, const char *path) LUMP_WUR;

/* lump_io_write_atomic -- write PATH through WRITE(f, ctx) into a temporary
 * file in the same directory, flushed and renamed over PATH only when
 * WRITE succeeded; on any failure PATH is untouched and no temporary file
 * is left. O(bytes written). */
LUMP_EXPORT lump_error_t lump_io_write_atomic(const char *path,
                                              lump_error_t (*write)(FILE *f, void *ctx),
                                              void *ctx) LUMP_WUR;

/* lump_net_read -- read PATH in the format its extension names. Every
 * error message names the file, the place and the problem. O(file size). */
LUMP_EXPORT lump_error_t lump_net_read(lump_net_t *net, const char *path) LUMP_WUR;

/* lump_net_write -- write NET to PATH (atomically) in the format its
 * extension names. OPTS may be NULL. O(size of the network). */
LUMP_EXPORT lump_error_t lump_net_write(const char *path, const lump_net_t *net,
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
