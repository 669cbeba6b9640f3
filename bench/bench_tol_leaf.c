/* bench_tol_leaf.c -- speed and tightness of the trusted tolerance leaf
 * bound (lump_tol_leaf_bound) on a pair of networks and a box
 *
 *   make bench/bench_tol_leaf
 *   bench/bench_tol_leaf A B BOX [OUTPUT] [PARTS]
 *
 * BOX: a VNN-LIB file or inline l:u,... (as --box). OUTPUT: the 0-based
 * output (default: all). Prints the bound over the whole box and its time
 * per call (median of many calls), the largest bound over a uniform grid
 * of PARTS^n leaves (default 4) with the time per leaf, and the largest
 * (times are CPU time of the thread, robust on a loaded machine)
 * difference found by sampling 20000 random points in double precision
 * (a lower estimate of the true maximum). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "lumpnet.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    lump_net_t a, b;
    lump_box_t box;
    lump_tol_pair_t *p = NULL;
    size_t n, nout, *outs, n_sel, parts = 4, leaves = 1;
    double *lo, *hi, *llo, *lhi, *x, *ya, *yb, whole, times[51], grid_max = 0, t0, t1, sampled = 0;
    if (argc < 4) {
        fprintf(stderr, "usage: %s A B BOX [OUTPUT] [PARTS]\n", argv[0]);
        return 2;
    }
    lump_net_init(&a);
    lump_net_init(&b);
    lump_box_init(&box);
    if (lump_net_read(&a, argv[1]) != LUMP_OK || lump_net_read(&b, argv[2]) != LUMP_OK ||
        lump_box_parse(&box, argv[3], a.n_inputs) != LUMP_OK) {
        fprintf(stderr, "%s\n", lump_error_message());
        return 2;
    }
    n = a.n_inputs;
    nout = lump_net_n_outputs(&a);
    outs = malloc(nout * sizeof *outs);
    if (argc > 4 && atoi(argv[4]) >= 0) {
        outs[0] = (size_t)atoi(argv[4]);
        n_sel = 1;
    } else {
        for (size_t j = 0; j < nout; j++)
            outs[j] = j;
        n_sel = nout;
    }
    if (argc > 5)
        parts = (size_t)atoi(argv[5]);
    if (lump_tol_pair_new(&p, &a, &b, outs, n_sel) != LUMP_OK) {
        fprintf(stderr, "%s\n", lump_error_message());
        return 2;
    }
    lo = malloc(n * sizeof *lo);
    hi = malloc(n * sizeof *hi);
    llo = malloc(n * sizeof *llo);
    lhi = malloc(n * sizeof *lhi);
    x = malloc(n * sizeof *x);
    ya = malloc(nout * sizeof *ya);
    yb = malloc(nout * sizeof *yb);
    for (size_t i = 0; i < n; i++) {
        lo[i] = nextafter(mpq_get_d(box.lo[i]), -INFINITY);
        hi[i] = nextafter(mpq_get_d(box.hi[i]), INFINITY);
        leaves *= parts;
    }
    whole = lump_tol_leaf_bound(p, lo, hi);
    for (int r = 0; r < 51; r++) {
        t0 = now();
        for (int k = 0; k < 20; k++)
            whole = lump_tol_leaf_bound(p, lo, hi);
        times[r] = (now() - t0) / 20;
    }
    qsort(times, 51, sizeof *times, cmp_d);
    t0 = now();
    for (size_t leaf = 0; leaf < leaves; leaf++) {
        size_t code = leaf;
        double u;
        for (size_t i = 0; i < n; i++) {
            size_t k = code % parts;
            double w = (hi[i] - lo[i]) / (double)parts;
            code /= parts;
            llo[i] = k == 0 ? lo[i] : nextafter(lo[i] + w * (double)k, -INFINITY);
            lhi[i] = k + 1 == parts ? hi[i] : nextafter(lo[i] + w * (double)(k + 1), INFINITY);
        }
        u = lump_tol_leaf_bound(p, llo, lhi);
        if (!(u <= grid_max))
            grid_max = u;
    }
    t1 = now();
    srand(1);
    for (int s = 0; s < 20000; s++) {
        for (size_t i = 0; i < n; i++)
            x[i] = lo[i] + (hi[i] - lo[i]) * ((double)rand() / RAND_MAX);
        if (lump_eval_double(ya, &a, x) != LUMP_OK || lump_eval_double(yb, &b, x) != LUMP_OK)
            return 2;
        for (size_t j = 0; j < n_sel; j++)
            if (fabs(ya[outs[j]] - yb[outs[j]]) > sampled)
                sampled = fabs(ya[outs[j]] - yb[outs[j]]);
    }
    printf("whole box: bound %.6g (sampled max %.6g, ratio %.3g), %.3f ms per call\n", whole,
           sampled, whole / sampled, 1e3 * times[25]);
    printf("grid of %zu leaves: largest leaf bound %.6g (ratio %.3g), %.3f ms per leaf\n", leaves,
           grid_max, grid_max / sampled, 1e3 * (t1 - t0) / (double)leaves);
    lump_tol_pair_free(p);
    lump_net_clear(&a);
    lump_net_clear(&b);
    lump_box_clear(&box);
    free(outs);
    free(lo);
    free(hi);
    free(llo);
    free(lhi);
    free(x);
    free(ya);
    free(yb);
    return 0;
}
