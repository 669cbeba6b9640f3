/* glump_i.h -- private to the library: how the channel-level lumping of a
 * graph (lumpnet/glump.h) sees each node, shared by the partition finder,
 * the quotient and the checker so that they agree on what a node is */
#ifndef LUMPNET_GLUMP_I_H
#define LUMPNET_GLUMP_I_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/glump.h"

/* The four ways a node is lumped (docs/cnn-lumping.md):
 * - WEIGHTED: CONV with one group, DENSE: signatures of merged weights;
 * - CHANWISE: ACT, MAXPOOL, AVGPOOL, ADD: output unit v reads unit v of
 *   each input only, so its partition refines theirs;
 * - FLATTEN: a RESHAPE to a flat tensor: entry (channel, position) has the
 *   channel's block and scale;
 * - OPAQUE: everything else (and the input): singletons, reading its
 *   inputs expanded back to every unit. */
typedef enum { LUMP_I_GK_OPAQUE = 0, LUMP_I_GK_WEIGHTED, LUMP_I_GK_CHANWISE, LUMP_I_GK_FLATTEN }
lump_i_gkind_t;

/* lump_i_gkind -- the kind of node I of G. O(1). */
lump_i_gkind_t lump_i_gkind(const lump_graph_t *g, size_t i);

/* lump_i_gpart_alloc -- P = UNITS singleton blocks of PER positions, scale
 * 1, nothing dead. O(units). */
void lump_i_gpart_alloc(lump_gpart_t *p, size_t units, size_t per);

/* lump_i_gpart_clear -- free P. O(units). */
void lump_i_gpart_clear(lump_gpart_t *p);

/* lump_i_gpart_renumber -- given BLOCK (any ids per unit), renumber the
 * blocks by their lowest member, fill REP and reset DEAD. O(units). */
void lump_i_gpart_renumber(lump_gpart_t *p);

/* lump_i_gpart_kept_index -- IDX[b] = the position of block b among the
 * KEEP blocks of P (SIZE_MAX for a dead one); returns their number.
 * O(blocks). */
size_t lump_i_gpart_kept_index(const lump_gpart_t *p, size_t *idx);

/* lump_i_gflat_unit -- for a FLATTEN node reading a tensor of PER_IN
 * positions per unit: the input unit of entry E is E / PER_IN, at
 * position E % PER_IN. O(1). */
#define lump_i_gflat_unit(e, per_in) ((e) / (per_in))

/* lump_i_gconst_uniform -- 1 when WEIGHTED node N adds the same amount at
 * every output position for an input unit that is constant (dense, or a
 * convolution without padding). O(1). */
int lump_i_gconst_uniform(const lump_graph_node_t *n);

/* lump_i_gconst_op -- OUT = what CHANWISE node N makes of constant inputs
 * IN (one per input); 0 when the result is not a rational constant at
 * every position (sigmoid, tanh, an average pool counting its padding).
 * O(1). */
int lump_i_gconst_op(mpq_t out, const lump_graph_node_t *n, const mpq_t *in);

/* lump_i_gconst_find -- FOLD[i][u] = 1 for the units of G that are
 * constant (VAL[i][u], initialised by the caller) at every position for
 * every input and that every reader can take as a constant exactly: a
 * uniform WEIGHTED reader (or one with zero weights on it), a CHANWISE
 * or FLATTEN reader whose own unit is folded. The output, the input and
 * OPAQUE nodes have none. FOLD[i] has lump_graph_units(g, i) entries.
 * O(rounds * weights); a round only ever removes folds. */
void lump_i_gconst_find(unsigned char **fold, mpq_t **val, const lump_graph_t *g);

/* lump_i_gq_has_bias -- whether the quotient of WEIGHTED node N, reading
 * a node partitioned as PX, has a bias: N's own, or one made by folded
 * constant inputs. O(blocks). */
int lump_i_gq_has_bias(const lump_graph_node_t *n, const lump_gpart_t *px);

/* lump_i_gq_beff -- OUT = the effective bias of unit V of WEIGHTED node N
 * (K kernel entries per input unit): its bias plus, for every CONSTANT
 * input unit u, value_u times the sum of V's weights on u. O(weights of
 * V). */
void lump_i_gq_beff(mpq_t out, const lump_graph_node_t *n, const lump_gpart_t *px, size_t v,
                    size_t k);

/* How a CHANWISE or OPAQUE node N reads input X = its input SLOT in the
 * quotient: unit j of what it reads is SCALE[j] times kept unit SRC[j] of
 * X's quotient; the targets are the representatives of N's KEEP blocks
 * (CHANWISE) or every unit of X (OPAQUE). IDENTITY: SRC[j] = j, scales 1
 * and as many units as X's quotient has (no adapter node); ONES: every
 * scale 1 (no AFFINE node). */
typedef struct {
    size_t n;      /* units read */
    size_t per;    /* positions per unit */
    size_t *src;   /* [n] */
    mpq_t *scale;  /* [n] */
    int identity, ones;
} lump_i_gadapt_t;

/* lump_i_gadapt -- A = how node N of G reads its input SLOT under L.
 * O(units). */
void lump_i_gadapt(lump_i_gadapt_t *a, const lump_graph_t *g, const lump_glumping_t *L, size_t n,
                   size_t slot);

/* lump_i_gadapt_clear -- free A. O(n). */
void lump_i_gadapt_clear(lump_i_gadapt_t *a);

/* lump_i_gadapt_shape -- the shape of what A reads from a tensor of shape
 * XS: the first dim (or the size of a flat one) becomes A->n. O(1). */
void lump_i_gadapt_shape(lump_shape_t *s, const lump_i_gadapt_t *a, const lump_shape_t *xs);

#endif
