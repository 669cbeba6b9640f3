/* data_read.h -- private to relax/ and `explore`: labelled data sets (CSV,
 * or a numpy .npy pair) for accuracy and agreement figures */
#ifndef LUMPNET_DATA_READ_H
#define LUMPNET_DATA_READ_H

#include <stddef.h>
#include "lumpnet/error.h"

/* N rows of WIDTH features (row-major X) with integer labels Y. */
typedef struct {
    size_t n, width;
    double *x;
    long *y;
} lump_i_data_t;

void lump_i_data_init(lump_i_data_t *d);
void lump_i_data_clear(lump_i_data_t *d);

/* lump_i_data_read -- read SPEC: "FILE.csv" (each line: features..., label;
 * an optional header line whose first field is not a number; lines
 * starting with '#' are comments) or "X.npy,y.npy" (X a 2-D C-order array
 * and y a 1-D array of the same length; dtypes '<f4', '<f8' or '<i8'; .npy
 * format versions 1 and 2). Labels must be whole numbers >= 0. Errors
 * (LUMP_EINPUT, LUMP_EIO) name the file and the line or header field.
 * O(file size). */
lump_error_t lump_i_data_read(lump_i_data_t *d, const char *spec) LUMP_WUR;

#endif
