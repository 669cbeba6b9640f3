/* fuzz_cert.c -- libFuzzer harness for certificates: lump_cert_read_buf,
 * then lump_cert_check (and lump_cert_check_merged) of what was read
 * against a small fixed network and its quotient (the tests/data/cert
 * fixture, embedded); lump_equiv_cert_read_buf, then lump_equiv_cert_check
 * of the network against its quotient */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/io.h"
#include "lumpnet/lump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char net_text[] =
    "{\"format\":\"lumpnet-net\",\"version\":1,\"inputs\":2,"
    "\"clip\":{\"lower\":[\"-1\",\"-1\"],\"upper\":[\"1\",\"1\"]},\"layers\":["
    "{\"activations\":[\"relu\",\"relu\",\"sigmoid\",\"relu\",\"relu\",\"relu\"],"
    "\"weights\":[[\"1\",\"-1\"],[\"2\",\"-2\"],[\"0\",\"0\"],[\"1/2\",\"-1/2\"],"
    "[\"1\",\"1\"],[\"3\",\"0\"]],\"bias\":[\"1\",\"2\",\"0\",\"1/2\",\"0\",\"0\"]},"
    "{\"activation\":\"identity\",\"weights\":[[\"1\",\"0\",\"2\",\"0\",\"1\",\"0\"],"
    "[\"0\",\"-1\",\"0\",\"0\",\"-2\",\"0\"],[\"1\",\"1\",\"0\",\"0\",\"0\",\"0\"],"
    "[\"0\",\"0\",\"0\",\"0\",\"0\",\"1\"]],\"bias\":[\"0\",\"-2\",\"1\",\"0\"]},"
    "{\"activation\":\"identity\",\"weights\":[[\"1\",\"1\",\"1\",\"0\"],[\"3\",\"1\",\"0\",\"0\"]],"
    "\"bias\":[\"0\",\"3\"]}]}";

static const char quot_text[] =
    "{\"format\":\"lumpnet-net\",\"version\":1,\"inputs\":2,"
    "\"clip\":{\"lower\":[\"-1\",\"-1\"],\"upper\":[\"1\",\"1\"]},\"layers\":["
    "{\"activation\":\"relu\",\"weights\":[[\"1\",\"-1\"],[\"1\",\"1\"]],\"bias\":[\"1\",\"0\"]},"
    "{\"activation\":\"identity\",\"weights\":[[\"1\",\"1\"],[\"3\",\"0\"]],\"bias\":[\"1\",\"1\"]},"
    "{\"activation\":\"identity\",\"weights\":[[\"-1\",\"1\"],[\"1\",\"0\"]],\"bias\":[\"0\",\"3\"]}]}";

static lump_net_t net, quot;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_lumping_t L;
    if (!ready) {
        /* kept for the whole run: LeakSanitizer sees them as reachable */
        lump_net_init(&net);
        lump_net_init(&quot);
        if (lump_net_read_json_buf(&net, net_text, strlen(net_text), "net") != LUMP_OK ||
            lump_net_read_json_buf(&quot, quot_text, strlen(quot_text), "quot") != LUMP_OK)
            abort();
        ready = 1;
    }
    lump_lumping_init(&L);
    if (lump_cert_read_buf(&L, (const char *)data, size, "fuzz.cert.json") == LUMP_OK) {
        lump_verdict_t valid;
        char why[256];
        (void)lump_cert_check(&valid, why, sizeof why, &net, &quot, &L);
        (void)lump_cert_check_merged(&valid, why, sizeof why, &net, &L);
    }
    lump_lumping_clear(&L);
    lump_lumping_init(&L);
    if (lump_equiv_cert_read_buf(&L, (const char *)data, size, "fuzz.eq.json") == LUMP_OK) {
        lump_verdict_t valid;
        char why[256];
        (void)lump_equiv_cert_check(&valid, why, sizeof why, &net, &quot, &L);
    }
    lump_lumping_clear(&L);
    return 0;
}
