/* fuzz_vnnlib.c -- libFuzzer harness for the VNN-LIB box reader
 * (lump_box_read_vnnlib_buf) */
#include <stddef.h>
#include <stdint.h>
#include "lumpnet/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_box_t box;
    lump_box_init(&box);
    (void)lump_box_read_vnnlib_buf(&box, (const char *)data, size, "fuzz.vnnlib");
    lump_box_clear(&box);
    return 0;
}
