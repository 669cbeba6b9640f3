/* lumping.c -- the lumping of a network: init, clear, sizes */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "alloc_i.h"

void lump_lumping_init(lump_lumping_t *L)
{
    memset(L, 0, sizeof *L);
}

void lump_lumping_swap(lump_lumping_t *a, lump_lumping_t *b)
{
    lump_lumping_t t = *a;
    *a = *b;
    *b = t;
}

void lump_block_init(lump_block_t *b)
{
    memset(b, 0, sizeof *b);
    lump_arr_init(&b->scales);
    mpq_init(b->value);
    b->fate = LUMP_FATE_KEEP;
}

/* lump_lumping_alloc -- see lump.h. */
lump_error_t lump_lumping_alloc(lump_lumping_t *L, lump_mode_t mode, size_t n_inputs,
                                size_t n_layers)
{
    L->mode = mode;
    L->n_inputs = n_inputs;
    L->layers = lump_alloc_zero(n_layers + 1, sizeof *L->layers);
    L->n_layers = n_layers;
    return LUMP_OK;
}

/* lump_layer_lumping_alloc -- see lump.h. */
lump_error_t lump_layer_lumping_alloc(lump_layer_lumping_t *ll, size_t size, size_t n_blocks)
{
    ll->size = size;
    ll->blocks = lump_alloc_zero(n_blocks + 1, sizeof *ll->blocks);
    for (size_t b = 0; b < n_blocks; b++)
        lump_block_init(&ll->blocks[b]);
    ll->n_blocks = n_blocks;
    return LUMP_OK;
}

static void block_clear(lump_block_t *b)
{
    free(b->members);
    lump_arr_clear(&b->scales);
    mpq_clear(b->value);
}

void lump_lumping_clear(lump_lumping_t *L)
{
    for (size_t i = 0; i < L->n_layers; i++) {
        lump_layer_lumping_t *l = &L->layers[i];
        for (size_t k = 0; k < l->n_blocks; k++)
            block_clear(&l->blocks[k]);
        free(l->blocks);
    }
    free(L->layers);
    lump_lumping_init(L);
}

size_t lump_layer_lumping_kept(const lump_layer_lumping_t *ll)
{
    size_t n = 0;
    for (size_t k = 0; k < ll->n_blocks; k++)
        n += ll->blocks[k].fate == LUMP_FATE_KEEP;
    return n;
}

size_t lump_lumping_neurons_after(const lump_lumping_t *L)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n_layers; i++)
        n += lump_layer_lumping_kept(&L->layers[i]);
    return n;
}
