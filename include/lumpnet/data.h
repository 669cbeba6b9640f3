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

LUMP_EXPORT void lump_data_init(lump_data_t *d);
LUMP_EXPORT void lump_data_clear(lump_data_t *d);

/* lump_data_read -- read SPEC: "FILE.csv" (each line: features..., label;
 * an optional header line whose first field is not a number; lines
 * starting with '#' are comments) or "X.npy,y.npy" (X a 2-D C-order array
 * and y a 1-D array of the same length; dtypes '<f4', '<f8' or '<i8'; .npy
 * format versions 1 and 2). Labels must be whole numbers >= 0. Errors
 * (LUMP_EINPUT, LUMP_EIO) name the file and the line or header field.
 * O(file size). */
LUMP_EXPORT lump_error_t lump_data_read(lump_data_t *d, const char *spec) LUMP_WUR;

#endif
