/* fuzz_vnnlib.c -- libFuzzer harness for the VNN-LIB readers: the input
 * box (lump_box_read_vnnlib_buf) and the output constraints
 * (lump_outspec_read_vnnlib_buf) */
#include <stddef.h>
#include <stdint.h>
#include "lumpnet/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_box_t box;
    lump_outspec_t spec;
    lump_box_init(&box);
    lump_outspec_init(&spec);
    (void)lump_box_read_vnnlib_buf(&box, (const char *)data, size, "fuzz.vnnlib");
    (void)lump_outspec_read_vnnlib_buf(&spec, (const char *)data, size, "fuzz.vnnlib");
    lump_outspec_clear(&spec);
    lump_box_clear(&box);
    return 0;
}
