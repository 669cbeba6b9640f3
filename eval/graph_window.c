/* graph_window.c -- the input entries a pool window and a pad node touch,
 * shared by the double and exact graph evaluators */
#include "graph_i.h"

/* lump_i_graph_pool_count -- see graph_i.h. */
long lump_i_graph_pool_count(const lump_graph_node_t *n, long H, long W, long oy, long ox)
{
    long hy = oy * (long)n->sh - (long)n->pt, hx = ox * (long)n->sw - (long)n->pl;
    long ey = hy + (long)n->kh, ex = hx + (long)n->kw;
    if (n->count_include_pad) {
        ey = ey < H + (long)n->pb ? ey : H + (long)n->pb;
        ex = ex < W + (long)n->pr ? ex : W + (long)n->pr;
        return (ey - hy) * (ex - hx);
    }
    hy = hy > 0 ? hy : 0;
    hx = hx > 0 ? hx : 0;
    ey = ey < H ? ey : H;
    ex = ex < W ? ex : W;
    return (ey - hy) * (ex - hx);
}

/* inside -- the kernel taps [*K0, *K1) of K taps at positions BASE + k *
 * STEP that land in [0, N). Positions grow with k, so they are one run;
 * scanning (O(K)) avoids rounding negative divisions. */
static void inside(long base, long step, long k, long n, long *k0, long *k1)
{
    long a = 0, b;
    while (a < k && base + a * step < 0)
        a++;
    b = a;
    while (b < k && base + b * step < n)
        b++;
    *k0 = a;
    *k1 = b;
}

/* lump_i_graph_pool_window -- see graph_i.h. */
void lump_i_graph_pool_window(lump_i_pool_window_t *w, const lump_graph_node_t *n, long H, long W,
                              long oy, long ox)
{
    const long hy = oy * (long)n->sh - (long)n->pt, hx = ox * (long)n->sw - (long)n->pl;
    long ky0, ky1, kx0, kx1;
    inside(hy, (long)n->dh, (long)n->kh, H, &ky0, &ky1);
    inside(hx, (long)n->dw, (long)n->kw, W, &kx0, &kx1);
    w->rows = ky1 - ky0;
    w->cols = kx1 - kx0;
    w->row_step = (long)n->dh * W;
    w->col_step = (long)n->dw;
    w->first = (hy + ky0 * (long)n->dh) * W + hx + kx0 * (long)n->dw;
}

/* lump_i_graph_pad_target -- see graph_i.h. */
size_t lump_i_graph_pad_target(const lump_graph_node_t *n, const lump_shape_t *xs, size_t e)
{
    size_t o = 0, stride = 1;
    for (size_t i = xs->ndim; i-- > 0;) {
        o += (e % xs->dim[i] + n->pad_begin[i]) * stride;
        e /= xs->dim[i];
        stride *= n->shape.dim[i];
    }
    return o;
}
