/* unroll_layers.c -- lay the neurons of an unrolled graph out in the
 * layers of a lump_net_t (the second half of lump_graph_unroll) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/graph.h"
#include "lumpnet/alloc.h"
#include "lumpnet/progress.h"
#include "net_i.h"
#include "unroll_layers_i.h"

void lump_graph_unroll_map_init(lump_graph_unroll_map_t *m)
{
    memset(m, 0, sizeof *m);
}

void lump_graph_unroll_map_clear(lump_graph_unroll_map_t *m)
{
    free(m->layer);
    free(m->first);
    memset(m, 0, sizeof *m);
}

/* lump_i_unroll_init -- see unroll_layers_i.h. */
void lump_i_unroll_init(lump_i_unroll_t *u)
{
    memset(u, 0, sizeof *u);
    lump_i_ub_init(&u->b);
}

/* lump_i_unroll_clear -- see unroll_layers_i.h. */
void lump_i_unroll_clear(lump_i_unroll_t *u)
{
    for (size_t k = 0; k < u->nblk; k++) {
        if (u->blk[k].own) {
            lump_i_ux_clear(u->blk[k].pre);
            free(u->blk[k].pre);
        }
        lump_act_clear(&u->blk[k].act);
    }
    free(u->blk);
    lump_i_ub_clear(&u->b);
    memset(u, 0, sizeof *u);
}

/* lump_i_unroll_block -- see unroll_layers_i.h. */
size_t lump_i_unroll_block(lump_i_unroll_t *u, lump_i_ux_t *pre, int own, const lump_act_t *act,
                           size_t node)
{
    lump_i_block_t *k;
    if (u->nblk == u->cap) {
        u->cap = u->cap ? 2 * u->cap : 16;
        u->blk = lump_realloc_array(u->blk, u->cap, sizeof *u->blk);
    }
    k = &u->blk[u->nblk++];
    k->own = own;
    if (own) {
        k->pre = lump_alloc_array(1, sizeof *k->pre);
        *k->pre = *pre;
        memset(pre, 0, sizeof *pre);
    } else {
        k->pre = pre;
    }
    lump_act_init(&k->act);
    lump_act_set(&k->act, act);
    k->level = k->pre->level + 1;
    k->node = node;
    k->first = lump_i_ub_sources(&u->b, k->pre->n, k->level);
    return k->first;
}

/* fill_block -- neurons V.. of LAYER := the rows of block K, reading the
 * previous layer through POS (source -> neuron) into CUR (the same for
 * this layer); returns the next free neuron */
static lump_error_t fill_block(size_t *v, lump_layer_t *layer, const lump_i_block_t *k,
                               const size_t *pos, size_t *cur, mpq_t t)
{
    lump_error_t err = LUMP_OK;
    const lump_i_ux_t *x = k->pre;
    const int same = lump_act_equal(&k->act, &layer->act);
    for (size_t r = 0; r < x->n; r++, (*v)++) {
        for (size_t q = x->ptr[r]; q < x->ptr[r + 1]; q++) {
            size_t col = pos[x->src[q]];
            lump_require(col != SIZE_MAX, "lump_graph_unroll (a source not carried)");
            lump_arr_get(t, &x->coef, q);
            LUMP_CHECK(lump_arr_set(&layer->weight, *v * layer->in_size + col, t));
        }
        if (lump_arr_sgn(&x->cst, r) != 0) {
            lump_arr_get(t, &x->cst, r);
            LUMP_CHECK(lump_arr_set(&layer->bias, *v, t));
        }
        if (!same)
            LUMP_CHECK(lump_layer_set_neuron_act(layer, *v, &k->act));
        if (cur != NULL)
            cur[k->first + r] = *v;
    }
cleanup:
    return err;
}

/* plan -- the layer sizes SIZES[0..L] (SIZES[0] the inputs) and MAXUSE
 * (the deepest level reading each source); returns the dense weight
 * count, saturated at SIZE_MAX */
static size_t plan(size_t *sizes, size_t *maxuse, const lump_i_block_t *blk, size_t nblk,
                   const lump_i_ub_t *b, size_t nin, size_t L)
{
    size_t total = 0;
    memset(sizes, 0, (L + 1) * sizeof *sizes);
    memset(maxuse, 0, b->nsrc * sizeof *maxuse);
    sizes[0] = nin;
    for (size_t k = 0; k < nblk; k++) {
        const lump_i_ux_t *x = blk[k].pre;
        sizes[blk[k].level] += x->n;
        for (size_t q = 0; q < x->ptr[x->n]; q++)
            if (maxuse[x->src[q]] < blk[k].level)
                maxuse[x->src[q]] = blk[k].level;
    }
    for (size_t s = 0; s < b->nsrc; s++)
        for (size_t l = b->src_level[s] + 1; l < maxuse[s]; l++)
            sizes[l]++;
    for (size_t l = 1; l <= L; l++) {
        if (sizes[l] != 0 && sizes[l - 1] > SIZE_MAX / sizes[l])
            return SIZE_MAX;
        if (total > SIZE_MAX - sizes[l] * sizes[l - 1])
            return SIZE_MAX;
        total += sizes[l] * sizes[l - 1];
    }
    return total;
}

/* lump_i_unroll_layers -- see unroll_layers_i.h. The output is one more
 * block, of identity neurons computing Y, unless the output node is an
 * ACT node alone at the deepest level (its layer is then the last). */
lump_error_t lump_i_unroll_layers(lump_net_t *out, lump_graph_unroll_map_t *map,
                                  lump_i_unroll_t *u, const lump_graph_t *g, lump_i_ux_t *y,
                                  size_t max_weights)
{
    lump_error_t err = LUMP_OK;
    const size_t nin = lump_graph_n_inputs(g), nsrc = u->b.nsrc;
    size_t top = 0, at_top = 0, L, total, nblk = u->nblk;
    size_t *sizes = NULL, *maxuse = lump_alloc_array(nsrc ? nsrc : 1, sizeof *maxuse);
    size_t *pos = lump_alloc_array(nsrc ? nsrc : 1, sizeof *pos);
    size_t *cur = lump_alloc_array(nsrc ? nsrc : 1, sizeof *cur);
    lump_i_block_t *blk = lump_alloc_array(nblk + 1, sizeof *blk);
    lump_graph_unroll_map_t m;
    lump_net_t net;
    lump_act_t id;
    mpq_t t;
    size_t last = SIZE_MAX, lv;
    lump_act_init(&id);
    lump_net_init(&net);
    lump_graph_unroll_map_init(&m);
    mpq_init(t);
    if (nblk > 0) /* memcpy from a null pointer is undefined even for 0 bytes */
        memcpy(blk, u->blk, nblk * sizeof *blk);
    for (size_t k = 0; k < nblk; k++)
        top = blk[k].level > top ? blk[k].level : top;
    for (size_t k = 0; k < nblk; k++)
        if (blk[k].level == top) {
            at_top++;
            last = k;
        }
    if (!(at_top == 1 && blk[last].node == g->output)) {
        memset(&blk[nblk], 0, sizeof blk[nblk]);
        blk[nblk].pre = y;
        lump_act_init(&blk[nblk].act);
        blk[nblk].level = (y->level > top ? y->level : top) + 1;
        blk[nblk].node = SIZE_MAX;
        blk[nblk].first = SIZE_MAX;
        top = blk[nblk++].level;
    }
    L = top;
    sizes = lump_alloc_array(L + 1, sizeof *sizes);
    total = plan(sizes, maxuse, blk, nblk, &u->b, nin, L);
    if (max_weights > 0 && total > max_weights)
        LUMP_CHECK(lump_error_set(LUMP_ENOMEM,
                                  "the unrolled network would have %zu dense weights "
                                  "(%zu layers), more than the cap of %zu",
                                  total, L, max_weights));
    LUMP_CHECK(lump_net_setup(&net, nin, L, sizes + 1, LUMP_STORE_F32));
    m.n_nodes = g->n_nodes;
    m.layer = lump_alloc_array(g->n_nodes, sizeof *m.layer);
    m.first = lump_alloc_array(g->n_nodes, sizeof *m.first);
    for (size_t i = 0; i < g->n_nodes; i++)
        m.layer[i] = m.first[i] = SIZE_MAX;
    for (size_t s = 0; s < nsrc; s++)
        pos[s] = s < nin ? s : SIZE_MAX;
    lv = lump_progress_begin("unrolled layer", L, 0);
    for (size_t l = 1; l <= L; l++) {
        lump_layer_t *layer = &net.layers[l - 1];
        size_t v = 0, *swap;
        LUMP_CHECK(lump_progress_step(lv, l - 1));
        for (size_t k = 0; k < nblk; k++)
            if (blk[k].level == l) {
                lump_act_set(&layer->act, &blk[k].act);
                break;
            }
        for (size_t s = 0; s < nsrc; s++)
            cur[s] = SIZE_MAX;
        for (size_t k = 0; k < nblk; k++) {
            if (blk[k].level != l)
                continue;
            if (blk[k].node != SIZE_MAX) {
                m.layer[blk[k].node] = l - 1;
                m.first[blk[k].node] = v;
            }
            LUMP_CHECK(fill_block(&v, layer, &blk[k], pos, blk[k].first != SIZE_MAX ? cur : NULL, t));
        }
        /* carries: identity neurons for the sources read deeper than l */
        mpq_set_ui(t, 1, 1);
        for (size_t s = 0; s < nsrc; s++)
            if (u->b.src_level[s] < l && maxuse[s] > l) {
                LUMP_CHECK(lump_arr_set(&layer->weight, v * layer->in_size + pos[s], t));
                if (!lump_act_equal(&id, &layer->act))
                    LUMP_CHECK(lump_layer_set_neuron_act(layer, v, &id));
                cur[s] = v++;
            }
        swap = pos;
        pos = cur;
        cur = swap;
    }
    lump_progress_end(lv);
    lump_i_net_move(out, &net);
    if (map != NULL) {
        lump_graph_unroll_map_clear(map);
        *map = m;
        lump_graph_unroll_map_init(&m);
    }
cleanup:
    if (nblk > u->nblk)
        lump_act_clear(&blk[u->nblk].act);
    lump_act_clear(&id);
    lump_net_clear(&net);
    lump_graph_unroll_map_clear(&m);
    mpq_clear(t);
    free(sizes);
    free(maxuse);
    free(pos);
    free(cur);
    free(blk);
    return err;
}
