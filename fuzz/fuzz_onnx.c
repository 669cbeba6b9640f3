/* fuzz_onnx.c -- libFuzzer harness for the ONNX reader (lump_net_read_onnx_buf) */
#include <stddef.h>
#include <stdint.h>
#include "lumpnet/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Any input must give LUMP_OK or a clean error, free everything, and
 * neither crash nor leak (ASan/UBSan/LeakSanitizer watch). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_net_t net;
    lump_net_init(&net);
    (void)lump_net_read_onnx_buf(&net, (const unsigned char *)data, size, "fuzz.onnx");
    lump_net_clear(&net);
    return 0;
}
