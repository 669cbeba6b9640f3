/* data.h -- labelled data sets (CSV,
 * or a numpy .npy pair) for accuracy and agreement figures */
#ifndef LUMPNET_DATA_H
#define LUMPNET_DATA_H

#include <stddef.h>
#include "lumpnet/error.h"

/* N rows of WIDTH features (row-major X) with integer labels Y. */
typedef struct {
    size_t n, width;
    double *x;
    long *y;
} lump_data_t;

/* lump_data_init / _clear -- an empty data set; free one. O(1). */
LUMP_INIT_CLEAR(lump_data);

/* lump_data_read -- read SPEC: "FILE.csv" (each line: features..., label;
 * each a decimal or a fraction p/q, rounded to the nearest double; the
 * first line is a header, skipped with a warning, only when none of its
 * fields looks like a number; lines starting with '#' are comments) or "X.npy,y.npy" (X a 2-D C-order array
 * and y a 1-D array of the same length; dtypes '<f4', '<f8' or '<i8'; .npy
 * format versions 1 and 2). Labels must be whole numbers >= 0. Errors
 * (LUMP_EINPUT, LUMP_EIO) name the file and the line or header field.
 * O(file size). */
LUMP_EXPORT lump_error_t lump_data_read(lump_data_t *d, const char *spec) LUMP_WUR;

/* A text file read one line at a time, in bounded memory (the longest
 * line), for `eval --inputs` and the like. */
typedef struct lump_lines lump_lines_t;

/* lump_lines_open -- open PATH for reading by lines into a new reader
 * *R (to lump_lines_close). A FIFO or device is refused at once rather
 * than waited on: the file is opened with O_NONBLOCK, must be a regular
 * file, and is then read blocking. Errors: LUMP_EIO naming PATH. O(1). */
LUMP_EXPORT lump_error_t lump_lines_open(lump_lines_t **r, const char *path) LUMP_WUR;

/* lump_lines_next -- the next line of R, without its '\n' (a '\r'
 * before it stays, for the caller's blank trimming): *S and *LEN point
 * into R's buffer, valid until the next call, and *LINE is its number
 * from 1. *GOT is 0 at the end of the file. Lines longer than 64 MB are
 * refused (LUMP_EINPUT naming the file and line); read errors are
 * LUMP_EIO. O(length of the line). */
LUMP_EXPORT lump_error_t lump_lines_next(lump_lines_t *r, const char **s, size_t *len, size_t *line,
                               int *got) LUMP_WUR;

/* lump_lines_close -- close R and free it; NULL is allowed. O(1). */
LUMP_EXPORT void lump_lines_close(lump_lines_t *r);

#endif
