/* bound_sym.h -- pairings of two networks and sound symbolic bounds of
 * both and of their paired differences (private to relax/) */
#ifndef LUMPNET_BOUND_SYM_H
#define LUMPNET_BOUND_SYM_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/relax.h"

#define LUMP_I_UNPAIRED ((size_t)-1)

/* A pairing of the neurons of F with those of G, layer by layer (index 0
 * are the inputs, paired with themselves; index i >= 1 is net->layers[i-1]):
 * neuron v of F is paired with neuron pi[i][v] of G (or LUMP_I_UNPAIRED)
 * with the scale c[i][v] and the offset kappa[i][v], and the difference
 * that the bounds follow is  delta_v = y_v - c_v y_{pi(v)} - kappa_v
 * (c_v = 0 when unpaired). Any pairing gives sound bounds; a good one
 * (DESIGN section 3: each neuron with its block's quotient neuron) keeps
 * them tight. The doubles are c's nearest value with a radius, and an
 * interval for kappa. Output neurons are paired by index with c = 1. */
typedef struct {
    size_t n_layers;
    size_t *nf, *ng; /* layer sizes, index 0 .. n_layers */
    size_t **pi;
    mpq_t **c, **kappa;
    double **cm, **cr, **kl, **kh;
} lump_i_pair_t;

void lump_i_pair_init(lump_i_pair_t *p);
void lump_i_pair_clear(lump_i_pair_t *p);

/* lump_i_pair_build -- the pairing of F and G: through the blocks of L (a
 * lumping of F whose quotient has G's shape: the KEEP blocks of each layer,
 * in order, are G's neurons; CONSTANT blocks give kappa = their value) when
 * L is not NULL; else neuron by neuron with c = 1 when the layer sizes
 * agree; else only the outputs. A member whose activation differs from its
 * partner's, or whose scale the activation does not allow, is left
 * unpaired (still sound). LUMP_EINPUT when L does not fit F and G.
 * O(neurons). */
lump_error_t lump_i_pair_build(lump_i_pair_t *p, const lump_net_t *f, const lump_net_t *g,
                               const lump_lumping_t *L) LUMP_WUR;

/* Bounds of the differences delta = y_f - c y_g - kappa (post-activation)
 * and dz = z_f - c z_g (pre-activation) of every neuron of F, layers
 * index 1 .. n_layers as in lump_i_pair_t; index 0 holds the inputs. */
typedef struct {
    size_t n_layers;
    double **dzl, **dzh, **dyl, **dyh;
    /* per input u: sum over the output differences' back-substitutions of
     * |coefficient of x_u| * width of x_u, how much splitting the box
     * along u may help */
    double *sens;
} lump_i_dbounds_t;

void lump_i_dbounds_init(lump_i_dbounds_t *d);
void lump_i_dbounds_clear(lump_i_dbounds_t *d);

/* lump_i_sym_bounds -- tighten BF, BG (sound bounds of F and G over the
 * box, e.g. interval bounds, tightened in place) and fill D with bounds of
 * the paired differences, layer by layer by back-substitution of linear
 * relaxations down to the inputs: DeepPoly/CROWN for each network
 * (Singh et al., POPL 2019; Zhang et al., NeurIPS 2018), and for the
 * differences the NeuroDiff recurrence  dz = W_f delta + dW y_g + db  with
 * dW(v,w) = sum_{u: pi(u) = w} c_u w_f(u,v) - c_v w_g(w, pi(v)), each
 * delta relaxed either by the bowtie 0 <= delta <= dz or by the two
 * triangles, whichever is narrower (Paulsen et al., ASE 2020). Floats only
 * choose the multipliers: every bound is a weak-duality bound whose
 * rounding errors are bounded and added (directed rounding), so it is
 * sound. SHARED: both networks see the same layer-1 inputs (then
 * delta_0 = 0); else D0L/D0H enclose x_f - x_g. Any of the bounds only
 * shrinks. BACKSUB = 0 keeps to the interval recurrences. Time: O(n_k * sum_{i<=k} m_i) per layer
 * k, m_i the weights of layer i (each neuron bound back-substitutes to the inputs). */
lump_error_t lump_i_sym_bounds(lump_bounds_t *bf, lump_bounds_t *bg, lump_i_dbounds_t *d,
                               const lump_net_t *f, const lump_net_t *g, const lump_i_pair_t *p,
                               int shared, const double *d0l, const double *d0h, int backsub,
                               int verbose) LUMP_WUR;

#endif
