/* tol_gen.c -- a test tool: a tolerance certificate for A and B on a box,
 * by bisecting (at exact midpoints, or at thirds with --thirds) until the
 * trusted leaf bound of every leaf is at most EPS
 *
 *   tol_gen A B BOX EPS OUTPUT [--thirds] [--max-leaves N]
 *
 * Writes the certificate (docs/certificates.md) on stdout; exit 1 when the
 * leaf budget (default 4096) runs out first. Stands in for the finder's
 * writer in the tests of the checker, using only public functions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet.h"

typedef struct {
    const lump_tol_pair_t *p;
    size_t n, leaves, max_leaves;
    int thirds;
    mpq_t eps, *root_w;
    double *lo, *hi;
    FILE *out;
    int first;
} gen_t;

static void put_q(FILE *f, const mpq_t q)
{
    char *s = lump_rat_str(q);
    fprintf(f, "\"%s\"", s);
    free(s);
}

/* Preorder: write the subtree of the box [LO, HI]; 0 when out of budget. */
static int gen(gen_t *g, mpq_t *lo, mpq_t *hi, int depth)
{
    double u;
    mpq_t q, best, w, at;
    size_t d = 0;
    int ok;
    {
        /* enclosed exactly as the checker does, so closed leaves pass */
        const lump_box_t leaf = {g->n, lo, hi};
        lump_tol_enclose_box(g->lo, g->hi, &leaf);
    }
    u = lump_tol_leaf_bound(g->p, g->lo, g->hi);
    mpq_init(q);
    if (isfinite(u))
        mpq_set_d(q, u);
    if (isfinite(u) && mpq_cmp(q, g->eps) <= 0) {
        fprintf(g->out, "%s\n    {\"leaf\": ", g->first ? "" : ",");
        put_q(g->out, q);
        fprintf(g->out, "}");
        g->first = 0;
        g->leaves++;
        mpq_clear(q);
        return 1;
    }
    mpq_clear(q);
    if (g->leaves >= g->max_leaves || depth > 200)
        return 0;
    /* split the widest dimension relative to the root box */
    mpq_inits(best, w, at, NULL);
    mpq_set_si(best, -1, 1);
    for (size_t i = 0; i < g->n; i++) {
        if (mpq_sgn(g->root_w[i]) == 0)
            continue;
        mpq_sub(w, hi[i], lo[i]);
        mpq_div(w, w, g->root_w[i]);
        if (mpq_cmp(w, best) > 0) {
            mpq_set(best, w);
            d = i;
        }
    }
    ok = mpq_sgn(best) > 0;
    if (ok) {
        mpq_t keep;
        mpq_init(keep);
        mpq_sub(w, hi[d], lo[d]);
        mpq_set_ui(at, 1, g->thirds ? 3 : 2);
        mpq_mul(w, w, at);
        mpq_add(at, lo[d], w);
        fprintf(g->out, "%s\n    {\"split\": %zu, \"at\": ", g->first ? "" : ",", d);
        put_q(g->out, at);
        fprintf(g->out, "}");
        g->first = 0;
        mpq_set(keep, hi[d]);
        mpq_set(hi[d], at);
        ok = gen(g, lo, hi, depth + 1);
        mpq_set(hi[d], keep);
        if (ok) {
            mpq_set(keep, lo[d]);
            mpq_set(lo[d], at);
            ok = gen(g, lo, hi, depth + 1);
            mpq_set(lo[d], keep);
        }
        mpq_clear(keep);
    }
    mpq_clears(best, w, at, NULL);
    return ok;
}

int main(int argc, char **argv)
{
    lump_net_t a, b;
    lump_box_t box;
    lump_tol_pair_t *p = NULL;
    gen_t g;
    size_t out;
    int ok;
    if (argc < 6) {
        fprintf(stderr, "usage: %s A B BOX EPS OUTPUT [--thirds] [--max-leaves N]\n", argv[0]);
        return 2;
    }
    memset(&g, 0, sizeof g);
    g.max_leaves = 4096;
    for (int k = 6; k < argc; k++) {
        if (strcmp(argv[k], "--thirds") == 0)
            g.thirds = 1;
        else if (strcmp(argv[k], "--max-leaves") == 0 && k + 1 < argc)
            g.max_leaves = (size_t)atol(argv[++k]);
    }
    lump_net_init(&a);
    lump_net_init(&b);
    lump_box_init(&box);
    mpq_init(g.eps);
    out = (size_t)atol(argv[5]);
    if (lump_net_read(&a, argv[1]) != LUMP_OK || lump_net_read(&b, argv[2]) != LUMP_OK ||
        lump_box_parse(&box, argv[3], a.n_inputs) != LUMP_OK ||
        lump_rat_parse_cstr(g.eps, argv[4]) != LUMP_OK ||
        lump_tol_pair_new(&p, &a, &b, &out, 1) != LUMP_OK) {
        fprintf(stderr, "tol_gen: %s\n", lump_error_message());
        return 2;
    }
    g.p = p;
    g.n = a.n_inputs;
    g.out = stdout;
    g.first = 1;
    g.lo = malloc(g.n * sizeof *g.lo);
    g.hi = malloc(g.n * sizeof *g.hi);
    g.root_w = malloc(g.n * sizeof *g.root_w);
    for (size_t i = 0; i < g.n; i++) {
        mpq_init(g.root_w[i]);
        mpq_sub(g.root_w[i], box.hi[i], box.lo[i]);
    }
    printf("{\n  \"format\": \"lumpnet-tolerance-certificate\",\n  \"version\": 1,\n"
           "  \"tolerance\": ");
    put_q(stdout, g.eps);
    printf(",\n  \"outputs\": [%zu],\n  \"inputs\": %zu,\n  \"box\": [", out, g.n);
    for (size_t i = 0; i < g.n; i++) {
        printf("%s[", i ? ", " : "");
        put_q(stdout, box.lo[i]);
        printf(", ");
        put_q(stdout, box.hi[i]);
        printf("]");
    }
    printf("],\n  \"tree\": [");
    ok = gen(&g, box.lo, box.hi, 0);
    printf("\n  ]\n}\n");
    fprintf(stderr, "tol_gen: %zu leaves%s\n", g.leaves, ok ? "" : " (budget exhausted)");
    for (size_t i = 0; i < g.n; i++)
        mpq_clear(g.root_w[i]);
    free(g.root_w);
    free(g.lo);
    free(g.hi);
    mpq_clear(g.eps);
    lump_tol_pair_free(p);
    lump_box_clear(&box);
    lump_net_clear(&a);
    lump_net_clear(&b);
    return ok ? 0 : 1;
}
