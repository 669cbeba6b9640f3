/* bound_test_i.h -- test-only hooks of the bound code (private: tests
 * include it, the library's users cannot reach it) */
#ifndef LUMPNET_BOUND_TEST_I_H
#define LUMPNET_BOUND_TEST_I_H

/* lump_i_bound_test_perturb -- from now on, lump_bound_diff_lumped
 * perturbs every dual value GLPK returns by a relative amount up to
 * AMOUNT (seeded by the options' SEED) before the rigorous step, so that
 * tests see the bound stay sound with duals that are not optimal. 0 (the
 * default) turns it off. Not thread-safe. O(1). */
void lump_i_bound_test_perturb(double amount);

#endif
