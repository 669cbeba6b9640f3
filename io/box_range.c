/* box_range.c -- does an input box lie in a network's input range? A box
 * that the network's clipping squeezes to one value in some input is
 * usually in the wrong coordinates (normalised for a network that takes
 * raw inputs, or the reverse) */
#include "lumpnet/box.h"

/* lump_box_clipped -- see box.h. A dimension counts when the box has
 * width there but meets [clip_lo, clip_hi] in at most one point: every
 * input of the box is then clipped to the same value. */
size_t lump_box_clipped(const lump_box_t *box, const lump_net_t *net, size_t *first)
{
    size_t count = 0;
    if (!net->has_clip || box->n != net->n_inputs)
        return 0;
    for (size_t i = 0; i < box->n; i++) {
        int wide = mpq_cmp(box->lo[i], box->hi[i]) < 0;
        int squeezed = mpq_cmp(box->hi[i], net->clip_lo[i]) <= 0 ||
                       mpq_cmp(box->lo[i], net->clip_hi[i]) >= 0 ||
                       mpq_equal(net->clip_lo[i], net->clip_hi[i]);
        if (wide && squeezed && count++ == 0 && first != NULL)
            *first = i;
    }
    return count;
}
