/* graph_partition.c -- the coarsest channel-level lumping of a graph that
 * one forward pass of signatures finds, then the dead blocks
 * (lumpnet/glump.h; docs/cnn-lumping.md) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/alloc.h"
#include "lumpnet/rat.h"
#include "glump_i.h"
#include "sort_i.h"

/* The signatures of a WEIGHTED node: LEN entries per unit, entry 0 the
 * bias, entry 1 + b*K + k the merged weight sum_{u in block b} c_u W[v][u][k]
 * of input block b. FAST: every entry is an exact double (singleton input
 * blocks, power-of-two scales, float weights), else Q holds them. */
typedef struct {
    size_t n, len, k;
    int fast;
    double *d;
    mpq_t *q;
} sigs_t;

static int pow2(const mpq_t c)
{
    return mpz_popcount(mpq_numref(c)) == 1 && mpz_popcount(mpq_denref(c)) == 1 &&
           mpz_sizeinbase(mpq_numref(c), 2) < 60 && mpz_sizeinbase(mpq_denref(c), 2) < 60;
}

/* V is a double, exactly */
static int exact_d(const mpq_t v)
{
    double d = mpq_get_d(v);
    int same;
    mpq_t t;
    if (!isfinite(d) || (d != 0 && fabs(d) < 0x1p-900))
        return 0;
    mpq_init(t);
    mpq_set_d(t, d);
    same = mpq_equal(t, v);
    mpq_clear(t);
    return same;
}

static int arr_float(const lump_arr_t *a)
{
    return a->store != LUMP_STORE_Q;
}

/* the units of node X, with K sub-entries (kernel positions or positions
 * of a flattened tensor) per unit of X */
static void sigs_build(sigs_t *s, const lump_graph_node_t *n, const lump_gpart_t *px,
                       size_t units)
{
    size_t cin = px->units;
    int fast = arr_float(&n->weight) && (!n->has_bias || arr_float(&n->bias));
    s->k = n->op == LUMP_GOP_CONV ? n->kh * n->kw : px->per;
    s->n = units;
    s->len = 1 + px->n_blocks * s->k;
    for (size_t u = 0; fast && u < cin; u++)
        fast = px->konst[px->block[u]] ? exact_d(px->value[u]) : pow2(px->scale[u]);
    s->fast = fast;
    if (fast) {
        double *sc = lump_alloc_array(cin > 0 ? cin : 1, sizeof *sc);
        s->d = lump_alloc_zero(s->n * s->len, sizeof *s->d);
        for (size_t u = 0; u < cin; u++)
            sc[u] = mpq_get_d(px->konst[px->block[u]] ? px->value[u] : px->scale[u]);
        for (size_t v = 0; v < units; v++) {
            double *row = s->d + v * s->len;
            const size_t base = v * cin * s->k;
            if (n->has_bias)
                row[0] = lump_arr_get_d(&n->bias, v);
            for (size_t u = 0; u < cin; u++) {
                /* a constant input adds its value times the kernel to the
                 * bias (uniform: graph_const.c) */
                int kon = px->konst[px->block[u]];
                double *t = row + 1 + px->block[u] * s->k;
                for (size_t k = 0; k < s->k; k++) {
                    double w = lump_arr_get_d(&n->weight, base + u * s->k + k);
                    double b = sc[u] * w, *to = kon ? &row[0] : &t[k];
                    /* a product and a sum are kept only when their
                     * rounding errors are zero */
                    double a = *to, sum = a + b, bb = sum - a;
                    if (fma(sc[u], w, -b) != 0 || (a - (sum - bb)) + (b - bb) != 0 ||
                        !isfinite(sum) || (b != 0 && fabs(b) < 0x1p-960))
                        fast = 0;
                    *to = sum;
                }
            }
        }
        free(sc);
        if (fast)
            return;
        free(s->d);
        s->d = NULL;
        s->fast = 0;
    }
    s->q = lump_rat_vec_new(s->n * s->len);
    {
        mpq_t w;
        mpq_init(w);
        for (size_t v = 0; v < units; v++) {
            mpq_t *row = s->q + v * s->len;
            const size_t base = v * cin * s->k;
            if (n->has_bias)
                lump_arr_get(row[0], &n->bias, v);
            for (size_t u = 0; u < cin; u++) {
                /* a constant input adds its value times the kernel to the
                 * bias (uniform: graph_const.c) */
                int kon = px->konst[px->block[u]];
                mpq_t *t = row + 1 + px->block[u] * s->k;
                for (size_t k = 0; k < s->k; k++) {
                    if (lump_arr_sgn(&n->weight, base + u * s->k + k) == 0)
                        continue;
                    lump_arr_get(w, &n->weight, base + u * s->k + k);
                    mpq_mul(w, w, kon ? px->value[u] : px->scale[u]);
                    mpq_add(kon ? row[0] : t[k], kon ? row[0] : t[k], w);
                }
            }
        }
        mpq_clear(w);
    }
}

static void sigs_clear(sigs_t *s)
{
    free(s->d);
    if (s->q != NULL)
        lump_rat_vec_free(s->q, s->n * s->len);
    memset(s, 0, sizeof *s);
}

static int sig_sgn(const sigs_t *s, size_t v, size_t t)
{
    if (s->fast) {
        double x = s->d[v * s->len + t];
        return (x > 0) - (x < 0);
    }
    return mpq_sgn(s->q[v * s->len + t]);
}

static void sig_get(mpq_t out, const sigs_t *s, size_t v, size_t t)
{
    if (s->fast)
        mpq_set_d(out, s->d[v * s->len + t]);
    else
        mpq_set(out, s->q[v * s->len + t]);
}

static size_t sig_first(const sigs_t *s, size_t v)
{
    for (size_t t = 0; t < s->len; t++)
        if (sig_sgn(s, v, t) != 0)
            return t;
    return SIZE_MAX;
}

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint64_t dbits(double x)
{
    uint64_t b;
    if (x == 0)
        x = 0; /* -0 and +0 alike */
    memcpy(&b, &x, sizeof b);
    return b;
}

/* a deterministic function of the exact normalised signature (ratios to
 * the first non-zero entry in PROPORTIONAL mode, the values in EXACT): the
 * fast path rounds the exact ratio of two doubles to nearest, the exact
 * path truncates the exact rational; one path per node, so equal exact
 * signatures always hash alike */
static uint64_t sig_key(const sigs_t *s, size_t v, int prop, mpq_t t1)
{
    size_t f = sig_first(s, v);
    uint64_t h = mix(0, f);
    if (f == SIZE_MAX)
        return h;
    for (size_t t = f; t < s->len; t++) {
        double r;
        if (s->fast) {
            double a = s->d[v * s->len + t];
            r = prop ? a / s->d[v * s->len + f] : a;
        } else if (prop) {
            mpq_div(t1, s->q[v * s->len + t], s->q[v * s->len + f]);
            r = mpq_get_d(t1);
        } else
            r = mpq_get_d(s->q[v * s->len + t]);
        h = mix(h, dbits(r));
    }
    return h;
}

/* how a node's units are compared: the exact test of "v is C times w"
 * (C set on success) */
typedef struct {
    const lump_graph_t *g;
    const lump_glumping_t *L;
    size_t node;
    const sigs_t *s;
    int prop;
    mpq_t a, b, c, d;
} cmp_t;

static int weighted_same(cmp_t *x, size_t v, size_t w, mpq_t c)
{
    const sigs_t *s = x->s;
    size_t f = sig_first(s, v);
    if (f != sig_first(s, w))
        return 0;
    if (f == SIZE_MAX) {
        mpq_set_ui(c, 1, 1);
        return 1;
    }
    sig_get(x->c, s, v, f);
    sig_get(x->d, s, w, f);
    if (!x->prop && !mpq_equal(x->c, x->d))
        return 0;
    for (size_t t = f + 1; t < s->len; t++) {
        if (sig_sgn(s, v, t) != sig_sgn(s, w, t) * mpq_sgn(x->c) * mpq_sgn(x->d))
            return 0;
        if (sig_sgn(s, v, t) == 0)
            continue;
        sig_get(x->a, s, v, t);
        sig_get(x->b, s, w, t);
        mpq_mul(x->a, x->a, x->d);
        mpq_mul(x->b, x->b, x->c);
        if (!mpq_equal(x->a, x->b))
            return 0;
    }
    mpq_div(c, x->c, x->d);
    return 1;
}

/* CHANWISE: y_v = act(c^X_v x_B), one key per input; v = C w when every
 * input block agrees and c^X_v = C c^X_w with C allowed by the operation */
static int chanwise_same(cmp_t *x, size_t v, size_t w, mpq_t c)
{
    const lump_graph_node_t *n = &x->g->nodes[x->node];
    for (size_t k = 0; k < n->n_in; k++) {
        const lump_gpart_t *p = &x->L->nodes[n->in[k]];
        if (p->block[v] != p->block[w])
            return 0;
        mpq_div(x->a, p->scale[v], p->scale[w]);
        if (k == 0)
            mpq_set(c, x->a);
        else if (!mpq_equal(c, x->a))
            return 0;
    }
    /* linear per channel: any scale (a zero pad pads s x with s 0 = 0) */
    if (n->op == LUMP_GOP_AVGPOOL || n->op == LUMP_GOP_PAD ||
        (n->op == LUMP_GOP_ACT && n->act.kind == LUMP_ACT_IDENTITY))
        return 1;
    if (n->op == LUMP_GOP_MAXPOOL ||
        (n->op == LUMP_GOP_ACT &&
         (n->act.kind == LUMP_ACT_RELU || n->act.kind == LUMP_ACT_LEAKY_RELU)))
        return mpq_sgn(c) > 0;
    if (n->op == LUMP_GOP_ADD)
        return 1;
    return mpq_cmp_ui(c, 1, 1) == 0;
}

static uint64_t chanwise_key(cmp_t *x, size_t v)
{
    const lump_graph_node_t *n = &x->g->nodes[x->node];
    uint64_t h = 0;
    for (size_t k = 0; k < n->n_in; k++)
        h = mix(h, x->L->nodes[n->in[k]].block[v]);
    if (n->n_in == 2) { /* ADD: the ratio of the two scales */
        mpq_div(x->a, x->L->nodes[n->in[1]].scale[v], x->L->nodes[n->in[0]].scale[v]);
        h = mix(h, dbits(mpq_get_d(x->a)));
    }
    return h;
}

/* group the units of node X->node: sorted by KEY, each run compared
 * exactly against the representatives found in it so far */
static void group(lump_gpart_t *p, cmp_t *x, const uint64_t *key, const unsigned char *fold,
                  const mpq_t *val)
{
    size_t n = p->units;
    lump_i_keyed_t *k = lump_alloc_array(n > 0 ? n : 1, sizeof *k);
    size_t *reps = lump_alloc_array(n > 0 ? n : 1, sizeof *reps);
    for (size_t v = 0; v < n; v++) {
        k[v].key = key[v];
        k[v].v = v;
    }
    lump_i_keyed_sort(k, n);
    for (size_t i = 0; i < n;) {
        size_t j = i, nr = 0;
        while (j < n && k[j].key == k[i].key)
            j++;
        for (size_t a = i; a < j; a++) {
            size_t v = k[a].v, r;
            if (fold[v]) { /* a constant: its own block */
                p->block[v] = v;
                p->konst[v] = 1;
                mpq_set(p->value[v], val[v]);
                mpq_set_ui(p->scale[v], 1, 1);
                continue;
            }
            for (r = 0; r < nr; r++) {
                int same = x->s != NULL ? weighted_same(x, v, reps[r], p->scale[v])
                                        : chanwise_same(x, v, reps[r], p->scale[v]);
                if (same)
                    break;
            }
            if (r == nr) {
                reps[nr++] = v;
                mpq_set_ui(p->scale[v], 1, 1);
            }
            p->block[v] = reps[r];
        }
        i = j;
    }
    lump_i_gpart_renumber(p);
    free(reps);
    free(k);
}

/* NZ (of a WEIGHTED node): NZ[v * blocks + b] = 1 when unit v reads input
 * block b with a non-zero merged weight, for the dead pass */
static unsigned char *nonzero(const sigs_t *s, size_t blocks)
{
    unsigned char *nz = lump_alloc_zero(s->n * blocks + 1, 1);
    for (size_t v = 0; v < s->n; v++)
        for (size_t t = 1; t < s->len; t++)
            if (sig_sgn(s, v, t) != 0)
                nz[v * blocks + (t - 1) / s->k] = 1;
    return nz;
}

static void forward(lump_glumping_t *L, const lump_graph_t *g, size_t i, int prop, int merge_out,
                    const unsigned char *fold, const mpq_t *val, unsigned char **nz)
{
    const lump_graph_node_t *n = &g->nodes[i];
    lump_gpart_t *p = &L->nodes[i];
    lump_i_gkind_t kind = lump_i_gkind(g, i);
    cmp_t x;
    sigs_t s;
    uint64_t *key;
    memset(&s, 0, sizeof s);
    if (kind == LUMP_I_GK_WEIGHTED && (i == g->output && !merge_out)) {
        sigs_build(&s, n, &L->nodes[n->in[0]], p->units);
        *nz = nonzero(&s, L->nodes[n->in[0]].n_blocks);
        sigs_clear(&s);
    }
    if (i == 0 || kind == LUMP_I_GK_OPAQUE || (i == g->output && !merge_out))
        return; /* singletons, scale 1 */
    if (kind == LUMP_I_GK_FLATTEN) {
        const lump_gpart_t *px = &L->nodes[n->in[0]];
        for (size_t e = 0; e < p->units; e++) {
            size_t u = lump_i_gflat_unit(e, px->per);
            p->block[e] = px->block[u] * px->per + e % px->per;
            mpq_set(p->scale[e], px->scale[u]);
        }
        p->n_blocks = px->n_blocks * px->per;
        for (size_t b = 0; b < p->n_blocks; b++) {
            p->rep[b] = px->rep[b / px->per] * px->per + b % px->per;
            p->konst[b] = px->konst[b / px->per];
        }
        for (size_t e = 0; e < p->units; e++)
            mpq_set(p->value[e], px->value[lump_i_gflat_unit(e, px->per)]);
        return;
    }
    memset(&x, 0, sizeof x);
    memset(&s, 0, sizeof s);
    x.g = g;
    x.L = L;
    x.node = i;
    x.prop = prop;
    mpq_inits(x.a, x.b, x.c, x.d, NULL);
    key = lump_alloc_array(p->units > 0 ? p->units : 1, sizeof *key);
    if (kind == LUMP_I_GK_WEIGHTED) {
        sigs_build(&s, n, &L->nodes[n->in[0]], p->units);
        *nz = nonzero(&s, L->nodes[n->in[0]].n_blocks);
        x.s = &s;
        for (size_t v = 0; v < p->units; v++)
            key[v] = sig_key(&s, v, prop, x.a);
    } else
        for (size_t v = 0; v < p->units; v++)
            key[v] = chanwise_key(&x, v);
    group(p, &x, key, fold, val);
    free(key);
    sigs_clear(&s);
    mpq_clears(x.a, x.b, x.c, x.d, NULL);
}

/* ALIVE[b] = 1 for every block b of R's input that a KEEP representative
 * of WEIGHTED node R reads with a non-zero merged weight (NZ, recorded by
 * the forward pass from the exact signatures) */
static void weighted_reads(unsigned char *alive, const lump_glumping_t *L, size_t r, size_t x,
                           const unsigned char *nz)
{
    const lump_gpart_t *pr = &L->nodes[r], *px = &L->nodes[x];
    for (size_t c = 0; c < pr->n_blocks; c++)
        for (size_t b = 0; !pr->dead[c] && b < px->n_blocks; b++)
            if (nz[pr->rep[c] * px->n_blocks + b] && !px->konst[b])
                alive[b] = 1;
}

/* the backward pass: block b of node X is dead when no reader needs it */
static void backward(lump_glumping_t *L, const lump_graph_t *g, size_t x, int merge_out,
                     unsigned char *const *nz)
{
    lump_gpart_t *p = &L->nodes[x];
    unsigned char *alive = lump_alloc_zero(p->n_blocks > 0 ? p->n_blocks : 1, 1);
    (void)merge_out;
    if (x == 0 || x == g->output || lump_i_gkind(g, x) == LUMP_I_GK_OPAQUE)
        memset(alive, 1, p->n_blocks);
    for (size_t r = x + 1; r < g->n_nodes; r++) {
        const lump_graph_node_t *n = &g->nodes[r];
        const lump_gpart_t *pr = &L->nodes[r];
        for (size_t s = 0; s < n->n_in; s++) {
            if (n->in[s] != x)
                continue;
            switch (lump_i_gkind(g, r)) {
            case LUMP_I_GK_WEIGHTED:
                weighted_reads(alive, L, r, x, nz[r]);
                break;
            case LUMP_I_GK_CHANWISE:
            case LUMP_I_GK_FLATTEN:
                for (size_t v = 0; v < pr->units; v++)
                    if (!pr->dead[pr->block[v]])
                        alive[p->block[lump_i_gflat_unit(v, lump_i_gkind(g, r) ==
                                                                   LUMP_I_GK_FLATTEN
                                                               ? p->per
                                                               : 1)]] = 1;
                break;
            default:
                memset(alive, 1, p->n_blocks);
            }
        }
    }
    for (size_t b = 0; b < p->n_blocks; b++)
        p->dead[b] = !alive[b] && !p->konst[b];
    /* a flattened reader keeps exactly the entries of the kept channels */
    for (size_t r = x + 1; r < g->n_nodes; r++)
        if (lump_i_gkind(g, r) == LUMP_I_GK_FLATTEN && g->nodes[r].in[0] == x)
            for (size_t b = 0; b < L->nodes[r].n_blocks; b++)
                L->nodes[r].dead[b] = p->dead[b / p->per];
    free(alive);
}

/* lump_graph_partition -- see lumpnet/glump.h. */
lump_error_t lump_graph_partition(lump_glumping_t *L, const lump_graph_t *g, lump_mode_t mode,
                                  int merge_outputs)
{
    lump_glumping_t R;
    lump_glumping_init(&R);
    lump_glumping_alloc(&R, g, mode);
    R.merged = merge_outputs;
    unsigned char **fold = lump_alloc_array(g->n_nodes + 1, sizeof *fold);
    unsigned char **nz = lump_alloc_zero(g->n_nodes + 1, sizeof *nz);
    mpq_t **val = lump_alloc_array(g->n_nodes + 1, sizeof *val);
    for (size_t i = 0; i < g->n_nodes; i++) {
        fold[i] = lump_alloc_zero(R.nodes[i].units + 1, 1);
        val[i] = lump_rat_vec_new(R.nodes[i].units);
    }
    lump_i_gconst_find(fold, val, g);
    for (size_t i = 0; i < g->n_nodes; i++)
        forward(&R, g, i, mode == LUMP_MODE_PROPORTIONAL, merge_outputs, fold[i],
                (const mpq_t *)val[i], &nz[i]);
    for (size_t i = 0; i < g->n_nodes; i++) {
        free(fold[i]);
        lump_rat_vec_free(val[i], R.nodes[i].units);
    }
    free(fold);
    free(val);
    for (size_t i = g->n_nodes; i-- > 1;)
        backward(&R, g, i, merge_outputs, nz);
    for (size_t i = 0; i < g->n_nodes; i++)
        free(nz[i]);
    free(nz);
    lump_glumping_clear(L);
    *L = R;
    return LUMP_OK;
}
