/* fuzz_nnet.c -- libFuzzer harness for the NNet reader (lump_net_read_nnet_buf) */
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
    (void)lump_net_read_nnet_buf(&net, (const char *)data, size, "fuzz.nnet");
    lump_net_clear(&net);
    return 0;
}
