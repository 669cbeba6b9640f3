/* cmd_equiv_tol.h -- the --tolerance part of `lumpnet equiv` */
#ifndef LUMPNET_CMD_EQUIV_TOL_H
#define LUMPNET_CMD_EQUIV_TOL_H
#include <gmp.h>
#include "lumpnet.h"

/* What `equiv` parsed for a positive tolerance (option values as given). */
typedef struct {
    const char *a_path, *b_path, *box_arg, *cert;
    const char *outputs, *timeout, *jobs, *split;
    const lump_net_t *a, *b;
    mpq_srcptr tolerance; /* > 0 */
    int json, quiet;
} cli_equiv_tol_t;

/* cli_equiv_tolerance -- run the finder on T, print the verdict, write
 * --cert after the checker accepted it; returns the exit code. */
int cli_equiv_tolerance(const cli_equiv_tol_t *t);

#endif
