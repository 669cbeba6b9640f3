/* bench_graph.c -- throughput of the double evaluator of the graph (CNN)
 * model: images per second on a batch of seeded random inputs in [0, 1],
 * CPU time of this process. Built on request: make bench/bench_graph.
 *
 *   bench_graph NET.onnx [BATCH [REPEAT [SEED]]]
 *
 * Prints "images N cpu_seconds S images_per_second R" and a checksum of the
 * outputs (so the work cannot be optimised away, and two runs can be
 * compared). */
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

int main(int argc, char **argv)
{
    lump_graph_t g;
    size_t batch = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
    int repeat = argc > 3 ? atoi(argv[3]) : 1;
    unsigned long seed = argc > 4 ? strtoul(argv[4], NULL, 10) : 1;
    double *in, *out, t0, t1, sum = 0;
    size_t nin, nout;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_graph NET.onnx [BATCH [REPEAT [SEED]]]\n");
        return 2;
    }
    lump_graph_init(&g);
    if (lump_graph_read(&g, argv[1], NULL) != LUMP_OK) {
        fprintf(stderr, "bench_graph: %s\n", lump_error_message());
        return 2;
    }
    nin = lump_graph_n_inputs(&g);
    nout = lump_graph_n_outputs(&g);
    in = lump_alloc_array(batch * nin, sizeof *in);
    out = lump_alloc_array(batch * nout, sizeof *out);
    srand((unsigned)seed);
    for (size_t i = 0; i < batch * nin; i++)
        in[i] = (double)rand() / RAND_MAX;
    t0 = cpu_now();
    for (int r = 0; r < repeat; r++)
        if (lump_graph_eval_double(out, &g, in, batch) != LUMP_OK) {
            fprintf(stderr, "bench_graph: %s\n", lump_error_message());
            return 2;
        }
    t1 = cpu_now();
    for (size_t i = 0; i < batch * nout; i++)
        sum += out[i];
    printf("images %zu cpu_seconds %.4f images_per_second %.1f checksum %.17g\n",
           batch * (size_t)repeat, t1 - t0, (double)batch * repeat / (t1 - t0), sum);
    free(in);
    free(out);
    lump_graph_clear(&g);
    return 0;
}
