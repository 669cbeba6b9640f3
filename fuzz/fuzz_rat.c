/* fuzz_rat.c -- libFuzzer harness for the rational parser (lump_rat_parse):
 * whatever it accepts must print (lump_rat_str) and parse back to the same value */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/rat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpq_t q, r;
    mpq_inits(q, r, NULL);
    if (lump_rat_parse(q, (const char *)data, size) == LUMP_OK) {
        /* the canonical text must read back as Q: rat.h promises it, and
         * the exact JSON format relies on it */
        char *t = lump_rat_str(q);
        if (t == NULL || lump_rat_parse(r, t, strlen(t)) != LUMP_OK || !mpq_equal(q, r))
            abort();
        free(t);
    }
    mpq_clears(q, r, NULL);
    return 0;
}
