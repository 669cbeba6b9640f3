/* graph_sample.c -- the largest difference of two graph networks seen by
 * sampling a box and a local search (lumpnet/graph_relax.h): the honest
 * lower estimate that a certified bound is compared with */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/graph_relax.h"
#include "bound_util.h"

#define BATCH 256
#define STARTS 4
#define ROUNDS 60

typedef struct {
    const lump_graph_t *f, *g;
    size_t n, m;
    double *lo, *hi, *yf, *yg, *out;
    uint64_t rng;
} smp_t;

static double unit(uint64_t *s)
{
    return (double)(lump_i_splitmix64(s) >> 11) * 0x1p-53;
}

/* gaps -- evaluate both networks at the K points X: OUT[j] grows to the
 * largest |f_j - g_j|, GAP[p] gets point p's largest difference. */
static lump_error_t gaps(smp_t *s, const double *x, size_t k, double *gap)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_graph_eval_double(s->yf, s->f, x, k));
    LUMP_CHECK(lump_graph_eval_double(s->yg, s->g, x, k));
    for (size_t p = 0; p < k; p++) {
        double m = 0;
        for (size_t j = 0; j < s->m; j++) {
            double d = fabs(s->yf[p * s->m + j] - s->yg[p * s->m + j]);
            s->out[j] = fmax(s->out[j], d);
            m = fmax(m, d);
        }
        gap[p] = m;
    }
cleanup:
    return err;
}

/* keep -- the STARTS best points so far (BEST, their gaps BG). */
static void keep(double *best, double *bg, const double *x, double gap, size_t n)
{
    size_t i = STARTS;
    if (!(gap > bg[STARTS - 1]))
        return;
    while (i > 0 && gap > bg[i - 1]) {
        if (i < STARTS) {
            bg[i] = bg[i - 1];
            memcpy(best + i * n, best + (i - 1) * n, n * sizeof *best);
        }
        i--;
    }
    bg[i] = gap;
    memcpy(best + i * n, x, n * sizeof *best);
}

/* lump_graph_max_error_sampled -- see graph_relax.h. */
lump_error_t lump_graph_max_error_sampled(double *out, const lump_graph_t *f,
                                          const lump_graph_t *g, const lump_box_t *box,
                                          size_t n_samples, unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    smp_t s = {f, g, lump_graph_n_inputs(f), lump_graph_n_outputs(f), NULL, NULL, NULL, NULL,
               out, (uint64_t)seed};
    size_t n = s.n, total = 1 + n_samples + n_samples / 4;
    double *x = lump_alloc_array(BATCH * n + 1, sizeof *x), gap[BATCH];
    double *best = lump_alloc_zero(STARTS * n + 1, sizeof *best), bg[STARTS];
    if (box->n != n || lump_graph_n_outputs(g) != s.m || lump_graph_n_inputs(g) != n) {
        free(x);
        free(best);
        return lump_error_set(LUMP_EINPUT, "the networks and the box do not have the same "
                              "inputs and outputs");
    }
    s.lo = lump_alloc_array(n + 1, sizeof *s.lo);
    s.hi = lump_alloc_array(n + 1, sizeof *s.hi);
    s.yf = lump_alloc_array(BATCH * s.m + 1, sizeof *s.yf);
    s.yg = lump_alloc_array(BATCH * s.m + 1, sizeof *s.yg);
    for (size_t i = 0; i < n; i++) {
        s.lo[i] = mpq_get_d(box->lo[i]);
        s.hi[i] = mpq_get_d(box->hi[i]);
    }
    for (size_t j = 0; j < s.m; j++)
        out[j] = 0;
    for (size_t i = 0; i < STARTS; i++)
        bg[i] = -1;
    /* the centre, uniform points, random corners */
    for (size_t p0 = 0; p0 < total; p0 += BATCH) {
        size_t k = total - p0 < BATCH ? total - p0 : BATCH;
        for (size_t p = 0; p < k; p++)
            for (size_t i = 0; i < n; i++) {
                double *xi = &x[p * n + i], u = unit(&s.rng);
                if (p0 + p == 0)
                    *xi = 0.5 * (s.lo[i] + s.hi[i]);
                else if (p0 + p <= n_samples)
                    *xi = s.lo[i] + u * (s.hi[i] - s.lo[i]);
                else
                    *xi = u < 0.5 ? s.lo[i] : s.hi[i];
            }
        LUMP_CHECK(gaps(&s, x, k, gap));
        for (size_t p = 0; p < k; p++)
            keep(best, bg, x + p * n, gap[p], n);
    }
    /* a coordinate search from the best points: one input to its bounds
     * or a random value, kept when the largest difference grows */
    for (size_t b = 0; b < STARTS && bg[b] >= 0; b++) {
        double cur = bg[b];
        for (size_t r = 0; r < ROUNDS; r++) {
            size_t i = (size_t)(unit(&s.rng) * (double)n) % n;
            for (size_t c = 0; c < 3; c++) {
                memcpy(x + c * n, best + b * n, n * sizeof *x);
                x[c * n + i] = c == 0 ? s.lo[i]
                                      : c == 1 ? s.hi[i] : s.lo[i] + unit(&s.rng) * (s.hi[i] - s.lo[i]);
            }
            LUMP_CHECK(gaps(&s, x, 3, gap));
            for (size_t c = 0; c < 3; c++)
                if (gap[c] > cur) {
                    cur = gap[c];
                    memcpy(best + b * n, x + c * n, n * sizeof *x);
                }
        }
    }
cleanup:
    free(x);
    free(best);
    free(s.lo);
    free(s.hi);
    free(s.yf);
    free(s.yg);
    return err;
}
