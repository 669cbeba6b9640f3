/* fuzz_onnx.c -- libFuzzer harness for the two ONNX readers: the MLP one
 * (lump_net_read_onnx_buf) and the graph one (lump_graph_read_onnx_buf) */
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
    (void)lump_net_read_onnx_buf(&net, (const unsigned char *)data, size, "fuzz.onnx");
    lump_net_clear(&net);
    /* The graph reader holds the convolutional operators, the larger part
     * of the ONNX code: every input goes through it too. */
    lump_graph_t g;
    lump_graph_init(&g);
    (void)lump_graph_read_onnx_buf(&g, (const unsigned char *)data, size, "fuzz.onnx", NULL);
    lump_graph_clear(&g);
    return 0;
}
