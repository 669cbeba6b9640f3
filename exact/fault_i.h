/* fault_i.h -- private, for tests only: a fault planted in the partition
 * finder, so that tests can see the checker catch a wrong lumping */
#ifndef LUMPNET_EXACT_FAULT_I_H
#define LUMPNET_EXACT_FAULT_I_H

#include "lumpnet/lump.h"

/* Not part of the API and never set by the library or the lumpnet
 * program: only test code sets it (tests/test_trust.c directly, and the
 * test build of the command, tests/lumpnet-fault, from the environment
 * variable LUMPNET_TEST_FINDER_FAULT). 0: no fault. 1: every lumping that
 * lump_partition_coarsest returns is corrupted by lump_i_finder_perturb. */
extern int lump_i_finder_fault;

/* lump_i_finder_perturb -- corrupt L in one place: the scale of the first
 * non-representative member (layers in order, blocks in order) is
 * doubled; when every block is a singleton, the value of the first
 * constant block gains 1; otherwise L is unchanged. Returns 1 when L was
 * changed. O(blocks). */
int lump_i_finder_perturb(lump_lumping_t *L);

#endif
