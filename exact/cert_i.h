/* cert_i.h -- private: the certificate checker's entry for a lumping of the
 * union of two networks (cert_check.c, equiv_cert.c) */
#ifndef LUMPNET_EXACT_CERT_I_H
#define LUMPNET_EXACT_CERT_I_H

#include <stddef.h>
#include "lumpnet/lump.h"

/* lump_i_cert_check_union -- verify, as lump_cert_check does (pass 1, no
 * quotient), that L is a valid lumping of U, the union of A and B built by
 * lump_net_union, except that output neurons may share blocks; and that
 * output j of A (neuron j of U's last layer) and output j of B (neuron
 * NOUT + j) lie in one KEEP block with equal scales, or in two CONSTANT
 * blocks with equal values, for every j < NOUT. *VALID and WHY as
 * lump_cert_check. O(m) rational operations. */
lump_error_t lump_i_cert_check_union(lump_verdict_t *valid, char *why, size_t whylen,
                                     const lump_net_t *u, size_t nout,
                                     const lump_lumping_t *L) LUMP_WUR;

#endif
