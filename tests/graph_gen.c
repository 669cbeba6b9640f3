/* graph_gen.c -- seeded random small graph networks (see graph_gen.h) */
#include <stdlib.h>
#include <string.h>
#include "graph_gen.h"

static size_t urand(gmp_randstate_t r, size_t n)
{
    return (size_t)gmp_urandomm_ui(r, (unsigned long)n);
}

static void shape3(lump_shape_t *s, size_t c, size_t h, size_t w)
{
    s->ndim = 3;
    s->dim[0] = c;
    s->dim[1] = h;
    s->dim[2] = w;
    s->size = c * h * w;
}

/* fill -- A := LEN random values: multiples of 1/16 in [-2, 2] (float32),
 * or fractions p/q with |p| <= 20, q <= 7 (RATIONAL) */
static void fill(lump_arr_t *a, size_t len, gmp_randstate_t r, int rational)
{
    mpq_t q;
    mpq_init(q);
    if (lump_arr_alloc(a, rational ? LUMP_STORE_Q : LUMP_STORE_F32, len) != LUMP_OK)
        abort();
    for (size_t i = 0; i < len; i++) {
        if (rational)
            mpq_set_si(q, (long)urand(r, 41) - 20, 1 + (unsigned long)urand(r, 7));
        else
            mpq_set_si(q, (long)urand(r, 65) - 32, 16);
        mpq_canonicalize(q);
        if (lump_arr_set(a, i, q) != LUMP_OK)
            abort();
    }
    mpq_clear(q);
}

/* out_len -- the output length of a window of K taps dilated D over N
 * entries padded A before and B after, stride S (0 when none fits) */
static size_t out_len(size_t n, size_t a, size_t b, size_t k, size_t d, size_t s)
{
    size_t span = d * (k - 1) + 1;
    return n + a + b >= span ? (n + a + b - span) / s + 1 : 0;
}

/* random_window -- give N (CONV or a pool, reading a tensor of shape XS)
 * a random kernel, strides, dilations (when DILATE) and pads smaller than
 * the kernel, or a 1x1 window when that one does not fit; its output
 * rows and columns go to *OH and *OW */
static void random_window(lump_graph_node_t *n, const lump_shape_t *xs, gmp_randstate_t r,
                          int dilate, size_t *oh, size_t *ow)
{
    n->kh = 1 + urand(r, 3);
    n->kw = 1 + urand(r, 3);
    n->sh = 1 + urand(r, 2);
    n->sw = 1 + urand(r, 2);
    n->dh = dilate ? 1 + (urand(r, 4) == 0) : 1;
    n->dw = dilate ? 1 + (urand(r, 4) == 0) : 1;
    n->pt = urand(r, n->kh);
    n->pb = urand(r, n->kh);
    n->pl = urand(r, n->kw);
    n->pr = urand(r, n->kw);
    *oh = out_len(xs->dim[1], n->pt, n->pb, n->kh, n->dh, n->sh);
    *ow = out_len(xs->dim[2], n->pl, n->pr, n->kw, n->dw, n->sw);
    if (*oh == 0 || *ow == 0) {
        n->kh = n->kw = n->dh = n->dw = n->sh = n->sw = 1;
        n->pt = n->pb = n->pl = n->pr = 0;
        *oh = xs->dim[1];
        *ow = xs->dim[2];
    }
}

static size_t conv(lump_graph_t *g, size_t x, gmp_randstate_t r, int rational)
{
    const lump_shape_t xs = g->nodes[x].shape;
    size_t c = xs.dim[0], grp = (c % 2 == 0 && urand(r, 3) == 0) ? 2 : 1;
    size_t co = grp * (1 + urand(r, 3)), i = lump_graph_add(g, LUMP_GOP_CONV, &x, 1, "conv");
    lump_graph_node_t *n = &g->nodes[i];
    size_t oh, ow;
    random_window(n, &xs, r, 1, &oh, &ow);
    n->group = grp;
    shape3(&n->shape, co, oh, ow);
    fill(&n->weight, co * (c / grp) * n->kh * n->kw, r, rational);
    n->has_bias = urand(r, 2);
    if (n->has_bias)
        fill(&n->bias, co, r, rational);
    n->params = n->weight.len + n->bias.len;
    return i;
}

static size_t pool(lump_graph_t *g, size_t x, gmp_randstate_t r)
{
    const lump_shape_t xs = g->nodes[x].shape;
    size_t i = lump_graph_add(g, urand(r, 2) ? LUMP_GOP_MAXPOOL : LUMP_GOP_AVGPOOL, &x, 1, "pool");
    lump_graph_node_t *n = &g->nodes[i];
    size_t oh, ow;
    random_window(n, &xs, r, 0, &oh, &ow);
    n->count_include_pad = (int)urand(r, 2);
    shape3(&n->shape, xs.dim[0], oh, ow);
    return i;
}

static size_t pad(lump_graph_t *g, size_t x, gmp_randstate_t r)
{
    const lump_shape_t xs = g->nodes[x].shape;
    size_t i = lump_graph_add(g, LUMP_GOP_PAD, &x, 1, "pad");
    lump_graph_node_t *n = &g->nodes[i];
    for (size_t d = 1; d < 3; d++) {
        n->pad_begin[d] = urand(r, 2);
        n->pad_end[d] = urand(r, 2);
    }
    shape3(&n->shape, xs.dim[0], xs.dim[1] + n->pad_begin[1] + n->pad_end[1],
           xs.dim[2] + n->pad_begin[2] + n->pad_end[2]);
    return i;
}

/* transpose -- a random permutation of the three dims, as a GATHER, and
 * back to C x H x W order by another (so that later convolutions read a
 * channel-first tensor; the composition of the two is a real shuffle
 * only when the shape has equal dims, which the maps still exercise) */
static size_t transpose(lump_graph_t *g, size_t x, gmp_randstate_t r)
{
    static const size_t perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                       {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    const size_t *p = perms[urand(r, 6)];
    for (int pass = 0; pass < 2; pass++) {
        const lump_shape_t xs = g->nodes[x].shape;
        size_t i = lump_graph_add(g, LUMP_GOP_GATHER, &x, 1, "transpose");
        lump_graph_node_t *n = &g->nodes[i];
        size_t inv[3];
        const size_t *q = p;
        if (pass == 1) { /* the inverse permutation */
            for (size_t k = 0; k < 3; k++)
                inv[p[k]] = k;
            q = inv;
        }
        shape3(&n->shape, xs.dim[q[0]], xs.dim[q[1]], xs.dim[q[2]]);
        n->map = malloc(n->shape.size * sizeof *n->map);
        for (size_t o = 0; o < n->shape.size; o++) {
            size_t idx[3], src[3];
            idx[2] = o % n->shape.dim[2];
            idx[1] = (o / n->shape.dim[2]) % n->shape.dim[1];
            idx[0] = o / (n->shape.dim[2] * n->shape.dim[1]);
            for (size_t k = 0; k < 3; k++)
                src[q[k]] = idx[k];
            n->map[o] = (src[0] * xs.dim[1] + src[1]) * xs.dim[2] + src[2];
        }
        x = i;
    }
    return x;
}

static size_t act(lump_graph_t *g, size_t x, gmp_randstate_t r)
{
    size_t i = lump_graph_add(g, LUMP_GOP_ACT, &x, 1, "act");
    lump_graph_node_t *n = &g->nodes[i];
    n->shape = g->nodes[x].shape;
    switch (urand(r, 4)) {
    case 0:
        n->act.kind = LUMP_ACT_LEAKY_RELU;
        mpq_set_si(n->act.alpha, urand(r, 2) ? 1 : -1, 4);
        break;
    default:
        n->act.kind = LUMP_ACT_RELU;
    }
    return i;
}

static size_t affine(lump_graph_t *g, size_t x, gmp_randstate_t r, int rational)
{
    size_t i = lump_graph_add(g, LUMP_GOP_AFFINE, &x, 1, "affine");
    lump_graph_node_t *n = &g->nodes[i];
    n->shape = g->nodes[x].shape;
    fill(&n->weight, n->shape.size, r, rational);
    fill(&n->bias, n->shape.size, r, rational);
    n->has_bias = 1; /* as the readers make affine nodes */
    n->params = 2 * n->shape.size;
    return i;
}

/* partner -- an earlier node of X's shape (ADD), or of its rows and
 * columns (CONCAT), not X; SIZE_MAX when none */
static size_t partner(const lump_graph_t *g, size_t x, int same_channels, gmp_randstate_t r)
{
    size_t found[64], nf = 0;
    const lump_shape_t *xs = &g->nodes[x].shape;
    for (size_t j = 0; j < g->n_nodes && nf < 64; j++) {
        const lump_shape_t *s = &g->nodes[j].shape;
        if (j != x && s->ndim == 3 && s->dim[1] == xs->dim[1] && s->dim[2] == xs->dim[2] &&
            (!same_channels || s->dim[0] == xs->dim[0]))
            found[nf++] = j;
    }
    return nf > 0 ? found[urand(r, nf)] : SIZE_MAX;
}

/* tg_graph -- see graph_gen.h. */
/* dense_head -- a flatten of node X and a dense layer to NOUT outputs,
 * the network's output */
static void dense_head(lump_graph_t *g, size_t x, gmp_randstate_t r, size_t nout, int rational)
{
    size_t y = lump_graph_add(g, LUMP_GOP_RESHAPE, &x, 1, "flatten");
    g->nodes[y].shape.ndim = 1;
    g->nodes[y].shape.dim[0] = g->nodes[y].shape.size = g->nodes[x].shape.size;
    x = y;
    y = lump_graph_add(g, LUMP_GOP_DENSE, &x, 1, "dense");
    g->nodes[y].shape.ndim = 1;
    g->nodes[y].shape.dim[0] = g->nodes[y].shape.size = nout;
    fill(&g->nodes[y].weight, nout * g->nodes[x].shape.size, r, rational);
    g->nodes[y].has_bias = 1;
    fill(&g->nodes[y].bias, nout, r, rational);
    g->nodes[y].params = g->nodes[y].weight.len + nout;
    g->output = y;
}

void tg_graph(lump_graph_t *g, gmp_randstate_t r, size_t max_hw, size_t nops, size_t nout,
              int rational)
{
    size_t x = lump_graph_add(g, LUMP_GOP_INPUT, NULL, 0, "x");
    shape3(&g->nodes[x].shape, 1 + urand(r, 3), 3 + urand(r, max_hw - 2),
           3 + urand(r, max_hw - 2));
    for (size_t k = 0; k < nops; k++) {
        size_t in[2], p, op = urand(r, 9);
        if (op < 2)
            x = conv(g, x, r, rational);
        else if (op < 4)
            x = act(g, x, r);
        else if (op == 4)
            x = pool(g, x, r);
        else if (op == 5)
            x = pad(g, x, r);
        else if (op == 6)
            x = transpose(g, x, r);
        else if (op == 7)
            x = affine(g, x, r, rational);
        else { /* a residual add or a concatenation with an earlier tensor */
            p = partner(g, x, urand(r, 2), r);
            if (p == SIZE_MAX)
                continue;
            in[0] = x;
            in[1] = p;
            if (g->nodes[p].shape.dim[0] == g->nodes[x].shape.dim[0] && urand(r, 2)) {
                x = lump_graph_add(g, LUMP_GOP_ADD, in, 2, "add");
                g->nodes[x].shape = g->nodes[in[0]].shape;
            } else {
                const lump_shape_t *a = &g->nodes[in[0]].shape, *b = &g->nodes[in[1]].shape;
                lump_shape_t s;
                shape3(&s, a->dim[0] + b->dim[0], a->dim[1], a->dim[2]);
                x = lump_graph_add(g, LUMP_GOP_CONCAT, in, 2, "concat");
                g->nodes[x].shape = s;
            }
        }
    }
    dense_head(g, x, r, nout, rational);
}

/* near_copies -- in conv node N, some channels become positive multiples
 * (1/2, 1 or 2) of an earlier one, half of them then moved by 1/16 in
 * one entry: exact and approximate merges for relaxed lumping */
static void near_copies(lump_graph_node_t *n, gmp_randstate_t r)
{
    size_t co = n->shape.dim[0], row = n->weight.len / co;
    mpq_t q, s;
    mpq_inits(q, s, NULL);
    for (size_t v = 1; v < co; v++) {
        size_t u = urand(r, v);
        if (urand(r, 2))
            continue;
        mpq_set_si(s, 1, 1);
        if (urand(r, 3) == 0)
            mpq_set_si(s, 2, 1);
        else if (urand(r, 2) == 0)
            mpq_set_si(s, 1, 2);
        for (size_t t = 0; t <= row; t++) {
            lump_arr_t *a = t < row ? &n->weight : &n->bias;
            size_t iu = t < row ? u * row + t : u, iv = t < row ? v * row + t : v;
            if (t == row && !n->has_bias)
                break;
            lump_arr_get(q, a, iu);
            mpq_mul(q, q, s);
            if (t == 0 && urand(r, 2)) { /* a near copy */
                mpq_set_si(s, 1, 16);
                mpq_add(q, q, s);
                mpq_set_si(s, 1, 1);
            }
            if (lump_arr_set(a, iv, q) != LUMP_OK)
                abort();
        }
    }
    mpq_clears(q, s, NULL);
}

void tg_cnn(lump_graph_t *g, gmp_randstate_t r, size_t max_hw, size_t nout)
{
    size_t x = lump_graph_add(g, LUMP_GOP_INPUT, NULL, 0, "x");
    size_t blocks = 1 + urand(r, 2);
    shape3(&g->nodes[x].shape, 1 + urand(r, 2), 3 + urand(r, max_hw - 2),
           3 + urand(r, max_hw - 2));
    for (size_t k = 0; k < blocks; k++) {
        x = conv(g, x, r, 0);
        g->nodes[x].group = 1; /* the channels relaxation works on */
        if (g->nodes[x].weight.len != g->nodes[x].shape.dim[0] *
                                          g->nodes[g->nodes[x].in[0]].shape.dim[0] *
                                          g->nodes[x].kh * g->nodes[x].kw) {
            lump_arr_clear(&g->nodes[x].weight);
            fill(&g->nodes[x].weight,
                 g->nodes[x].shape.dim[0] * g->nodes[g->nodes[x].in[0]].shape.dim[0] *
                     g->nodes[x].kh * g->nodes[x].kw,
                 r, 0);
        }
        g->nodes[x].params = g->nodes[x].weight.len + g->nodes[x].bias.len;
        near_copies(&g->nodes[x], r);
        x = act(g, x, r);
        if (urand(r, 3) == 0)
            x = pool(g, x, r);
    }
    dense_head(g, x, r, nout, 0);
}
