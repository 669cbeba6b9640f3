/* bound_encode.h -- the joint LP model of two networks over a box, built
 * for the certified difference bound (private to relax/) */
#ifndef LUMPNET_BOUND_ENCODE_H
#define LUMPNET_BOUND_ENCODE_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/relax.h"
#include "bound_util.h"
#include "lp_model.h"
#include "bound_sym.h"

/* One network inside the joint LP: its interval bounds and the columns of
 * its layer-1 inputs, of every z and y, and of its mapped outputs.
 * A y column is LUMP_I_NOCOL when the neuron is a relu that is off on the
 * whole box (its value is the constant 0). */
typedef struct {
    const lump_net_t *net;
    lump_bounds_t b;
    size_t *xcol;
    size_t **zcol, **ycol;
    size_t *ocol;
    double *olo, *ohi;
} lump_i_lpside_t;

/* Free what lump_i_lpside_alloc and the encoders gave S (its NET is kept);
 * safe on a zeroed side and after a failed allocation.
 * Time: O(layers). */
void lump_i_lpside_clear(lump_i_lpside_t *s);

/* Allocate the column arrays of S for S->net (S zeroed beforehand, its
 * interval bounds S->b may be set before or after).
 * S is safe to lump_i_lpside_clear afterwards.
 * Time: O(layers + neurons). */
void lump_i_lpside_alloc(lump_i_lpside_t *s);

/* Shared inputs of F and G over BOX into M: the clipped inputs (one column
 * when both clip alike, else two whose difference is confined) and each
 * side's normalised inputs, setting f->xcol and g->xcol. The interval
 * bounds of both sides must be set.
 * Time: O(n_inputs) columns and rows, exact rational arithmetic. */
void lump_i_encode_inputs(lump_i_model_t *m, lump_i_lpside_t *f, lump_i_lpside_t *g,
                          const lump_box_t *box);

/* Layers and outputs of one side into M, its x columns set already: the
 * exact z rows, the activation relaxations (triangle and chord rows for
 * relu and leaky relu, the enclosure alone for sigmoid and tanh), and the
 * output columns with their exact output map; sets s->zcol, ycol, ocol,
 * olo, ohi.
 * Time: O(neurons + weights) entries. */
void lump_i_encode_side(lump_i_model_t *m, lump_i_lpside_t *s);

/* The differential encoding (ReluDiff/NeuroDiff, Paulsen et al., ICSE
 * 2020 and ASE 2020) of the pairing P into M, on top of both sides: the
 * columns dz and delta of each paired neuron, bounded by D, with their
 * definitional and Lipschitz rows, and per output j a difference column
 * OUT_COL[j] whose bounds [OUT_LO[j], OUT_HI[j]] (given, then tightened by
 * the output enclosures) are written back.
 * Time: O(neurons + outputs) columns and rows. */
void lump_i_encode_diff(lump_i_model_t *m, const lump_i_lpside_t *f, const lump_i_lpside_t *g,
                        const lump_i_pair_t *P, const lump_i_dbounds_t *D, size_t *out_col,
                        double *out_lo, double *out_hi);

/* [*LO, *HI] encloses x_f - x_g, the normalised input U of F and G over
 * BOX, each term enclosed exactly (tiny when the maps differ only by
 * rounding); T1, T2 are initialised scratch rationals.
 * Time: O(1) rational operations. */
void lump_i_input_diff(double *lo, double *hi, const lump_net_t *F, const lump_net_t *G,
                       const lump_box_t *box, size_t u, mpq_t t1, mpq_t t2);

/* Whether all inputs reach layer 1 of F and G alike over BOX (same clip,
 * same normalisation), so that they share their input columns and
 * delta_0 = 0.
 * Time: O(n_inputs) rational comparisons. */
int lump_i_inputs_shared(const lump_net_t *f, const lump_net_t *g, const lump_box_t *box);

/* [*LO, *HI] encloses a - b for a in [AL, AH], b in [BL, BH] (outward
 * rounding).
 * Time: O(1). */
void lump_i_diff_ival(double *lo, double *hi, double al, double ah, double bl, double bh);

#endif
