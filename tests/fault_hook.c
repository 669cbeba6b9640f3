/* fault_hook.c -- the test build of the lumpnet command (tests/lumpnet-fault):
 * plants a partition-finder fault when LUMPNET_TEST_FINDER_FAULT is set, so
 * that tests/trust.sh can see the checker stop a wrong answer (exit 70).
 * The installed lumpnet never reads this variable. */
#include <stdlib.h>
#include <string.h>
#include "fault_i.h"

__attribute__((constructor)) static void plant_fault(void)
{
    const char *s = getenv("LUMPNET_TEST_FINDER_FAULT");
    if (s != NULL && *s != '\0' && strcmp(s, "0") != 0)
        lump_i_finder_fault = 1;
}
