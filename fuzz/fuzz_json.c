/* fuzz_json.c -- libFuzzer harness for the two exact JSON network readers:
 * layered (lump_net_read_json_buf) and graph (lump_graph_read_json_buf) */
#include <stddef.h>
#include <stdint.h>
#include "lumpnet/graph.h"
#include "lumpnet/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Any input must give LUMP_OK or a clean error, free everything, and
 * neither crash nor leak (ASan/UBSan/LeakSanitizer watch). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_net_t net;
    lump_net_init(&net);
    (void)lump_net_read_json_buf(&net, (const char *)data, size, "fuzz.json");
    lump_net_clear(&net);
    lump_graph_t g;
    lump_graph_init(&g);
    (void)lump_graph_read_json_buf(&g, (const char *)data, size, "fuzz.json", NULL);
    lump_graph_clear(&g);
    return 0;
}
