/* bench_glump.c -- CPU time of the channel-level lumping pass of a graph
 * (CNN) network, file loading excluded (issue 15, acceptance 6). Built on
 * request: make bench/bench_glump.
 *
 *   bench_glump NET [RUNS]
 *
 * Prints "partition median_cpu_seconds S min M runs N blocks B" (B, the
 * kept units summed over the nodes, shows what was found) and the same for
 * the checker of its certificate and quotient. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "lumpnet.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    lump_graph_t g, q;
    lump_glumping_t L;
    int runs = argc > 2 ? atoi(argv[2]) : 9;
    double *tp, *tc;
    size_t kept = 0;
    if (argc < 2 || runs < 1) {
        fprintf(stderr, "usage: bench_glump NET [RUNS]\n");
        return 2;
    }
    lump_graph_init(&g);
    lump_graph_init(&q);
    lump_glumping_init(&L);
    if (lump_graph_read(&g, argv[1], NULL) != LUMP_OK) {
        fprintf(stderr, "bench_glump: %s\n", lump_error_message());
        return 2;
    }
    tp = calloc((size_t)runs, sizeof *tp);
    tc = calloc((size_t)runs, sizeof *tc);
    for (int r = 0; r < runs; r++) {
        lump_verdict_t valid;
        char why[256];
        double t0 = cpu_now();
        if (lump_graph_partition(&L, &g, LUMP_MODE_PROPORTIONAL, 0) != LUMP_OK)
            return 2;
        tp[r] = cpu_now() - t0;
        if (lump_graph_quotient(&q, &g, &L) != LUMP_OK)
            return 2;
        t0 = cpu_now();
        if (lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L) != LUMP_OK ||
            valid != LUMP_TRUE) {
            fprintf(stderr, "bench_glump: the checker refuses: %s\n", why);
            return 1;
        }
        tc[r] = cpu_now() - t0;
    }
    for (size_t i = 0; i < L.n_nodes; i++)
        kept += lump_glumping_kept(&L, i);
    qsort(tp, (size_t)runs, sizeof *tp, cmp);
    qsort(tc, (size_t)runs, sizeof *tc, cmp);
    printf("partition median_cpu_seconds %.4f min %.4f runs %d units_kept %zu\n",
           tp[runs / 2], tp[0], runs, kept);
    printf("checker   median_cpu_seconds %.4f min %.4f runs %d\n", tc[runs / 2], tc[0], runs);
    free(tp);
    free(tc);
    lump_glumping_clear(&L);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    return 0;
}
