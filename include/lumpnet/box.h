/* lumpnet/box.h -- input boxes: VNN-LIB files and inline l:u lists */
#ifndef LUMPNET_BOX_H
#define LUMPNET_BOX_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A box lo[i] <= x_i <= hi[i], i < n, with exact rational bounds. */
typedef struct {
    size_t n;
    mpq_t *lo, *hi;
} lump_box_t;

/* lump_box_clipped -- the number of inputs in which NET's input clipping
 * squeezes BOX to a single value (the box is wide there, but meets the
 * clip range in at most one point), *FIRST the first of them (when not
 * NULL and the count is not 0). 0 when NET has no clipping. A non-zero
 * count usually means the box is in other coordinates than NET's inputs.
 * O(n). */
LUMP_EXPORT size_t lump_box_clipped(const lump_box_t *box, const lump_net_t *net, size_t *first);

/* lump_box_init -- an empty box (n = 0). lump_box_clear frees. O(n). */
LUMP_INIT_CLEAR(lump_box);

/* lump_box_alloc -- resize BOX to N dimensions, bounds 0. O(n). */
LUMP_EXPORT lump_error_t lump_box_alloc(lump_box_t *box, size_t n) LUMP_WUR;

/* lump_box_parse_inline -- read "l:u,l:u,..." (one pair per input) or a
 * single "l:u" for all N inputs. Numbers are decimals or p/q. Refuses
 * l > u, a wrong count (naming both counts) and malformed numbers, with
 * LUMP_EINPUT. O(length of S). */
LUMP_EXPORT lump_error_t lump_box_parse_inline(lump_box_t *box, const char *s, size_t n) LUMP_WUR;

/* lump_box_read_vnnlib_buf -- read the input bounds of a VNN-LIB text:
 * declarations X_i, and asserts (<= X_i c), (>= X_i c), (<= c X_i), ...
 * Output variables and constraints (Y_j, or, and) are accepted and ignored.
 * Every X_i needs a lower and an upper bound. NAME prefixes messages,
 * which carry line numbers. O(length). */
LUMP_EXPORT lump_error_t lump_box_read_vnnlib_buf(lump_box_t *box, const char *buf,
                                                  size_t len, const char *name) LUMP_WUR;

/* lump_box_read_vnnlib -- lump_box_read_vnnlib_buf on the file PATH. */
LUMP_EXPORT lump_error_t lump_box_read_vnnlib(lump_box_t *box, const char *path) LUMP_WUR;

/* A linear inequality over the outputs Y_0 .. Y_{n-1}:
 * sum_j coef[j] Y_j + constant <= 0 (< 0 when STRICT). */
typedef struct {
    size_t n;
    mpq_t *coef;
    mpq_t constant;
    int strict;
} lump_lin_t;

/* A conjunction of inequalities. */
typedef struct {
    size_t n;
    lump_lin_t *ineq;
} lump_outterm_t;

/* The output constraints of a VNN-LIB property, which state its
 * counterexample: a point of the box whose outputs satisfy one of the
 * N_TERMS conjunctions (a disjunction of conjunctions). N_TERMS = 0: the
 * file constrains no output. */
typedef struct {
    size_t n_outputs;
    size_t n_terms;
    lump_outterm_t *terms;
} lump_outspec_t;

/* lump_outspec_init / _clear -- an empty specification; free one. O(size). */
LUMP_INIT_CLEAR(lump_outspec);

/* lump_outspec_read_vnnlib_buf -- the output constraints of the VNN-LIB
 * text BUF: the asserts naming outputs Y_j (declared Y_0 .. Y_{m-1}),
 * comparisons (<=, <, >=, >, =, chained) of linear expressions (+, -, *
 * by constants, numbers) combined with and/or, multiplied out into a
 * disjunction of conjunctions (at most 4096). Asserts on inputs alone are
 * the box reader's and are skipped. Errors: LUMP_EINPUT (bad text, an
 * undeclared output; NAME and the line), LUMP_EUNSUPPORTED (a non-linear
 * term, a constraint mixing inputs and outputs, other connectives).
 * SPEC is replaced on success. O(length) plus the size of the product. */
LUMP_EXPORT lump_error_t lump_outspec_read_vnnlib_buf(lump_outspec_t *spec, const char *buf,
                                                      size_t len, const char *name) LUMP_WUR;

/* lump_outspec_read_vnnlib -- the same from the file PATH. */
LUMP_EXPORT lump_error_t lump_outspec_read_vnnlib(lump_outspec_t *spec, const char *path) LUMP_WUR;

/* lump_vnnlib_write -- write to F a VNN-LIB property: the inputs X_i in
 * BOX (each end written exactly when it has a short decimal form, else
 * rounded outward), and the counterexample condition SPEC on the outputs
 * with every inequality sum c_j Y_j + c <= 0 relaxed to
 * sum c_j Y_j + c <= WIDEN * sum |c_j| (right-hand sides rounded up): the
 * unsafe region of a network whose outputs are within WIDEN of the
 * original's, so that "no counterexample" for that network and the
 * written property implies none for the original and SPEC. COMMENT (may
 * be NULL) opens the file as ';' lines. Errors: LUMP_EUNSUPPORTED when a
 * coefficient has no finite decimal form, LUMP_EIO. O(size). */
LUMP_EXPORT lump_error_t lump_vnnlib_write(FILE *f, const lump_box_t *box,
                                           const lump_outspec_t *spec, const mpq_t widen,
                                           const char *comment) LUMP_WUR;

/* lump_box_parse -- a BOX argument of the command line: a path ending in
 * .vnnlib, else an inline box for N inputs. Checks the dimension against N
 * when N > 0. O(length). */
LUMP_EXPORT lump_error_t lump_box_parse(lump_box_t *box, const char *arg, size_t n) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
