/* fuzz_inline.c -- libFuzzer harness for inline boxes
 * (lump_box_parse_inline): the first byte picks the input count 0..15,
 * the rest is the box text */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_box_t box;
    char *s;
    size_t n;
    if (size == 0)
        return 0;
    n = data[0] & 15;
    /* the parser takes a C string: stop at the first NUL like argv would */
    s = malloc(size);
    if (s == NULL)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    lump_box_init(&box);
    if (lump_box_parse_inline(&box, s, n) == LUMP_OK && n > 0 && box.n != n)
        abort();
    lump_box_clear(&box);
    free(s);
    return 0;
}
