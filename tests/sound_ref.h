/* sound_ref.h -- the soundness suite's own model of a network and its own
 * evaluators (exact rationals; MPFR enclosures for sigmoid/tanh), written
 * independently of lumpnet's evaluators so that lumpnet's verdicts are
 * checked against a reference that shares none of its code */
#ifndef LUMPNET_SOUND_REF_H
#define LUMPNET_SOUND_REF_H

#include <stddef.h>
#include <gmp.h>
#include <mpfr.h>
#include "lumpnet.h"

/* One neuron's activation: KIND is a lump_act_kind_t value (the enum is
 * the shared vocabulary; its meaning is re-implemented below). */
typedef struct {
    int kind;
    mpq_t alpha;
} sr_act_t;

typedef struct {
    size_t size, in_size;
    mpq_t *w; /* row-major by neuron: w[v * in_size + u] */
    mpq_t *b;
    sr_act_t *act; /* one per neuron */
} sr_layer_t;

/* The function: clip, normalise, layers, output map (as DESIGN 1). */
typedef struct {
    size_t n_in, n_layers;
    sr_layer_t *layer;
    int has_clip, has_norm, has_outmap;
    mpq_t *clip_lo, *clip_hi, *norm_mean, *norm_range, *out_scale, *out_shift;
} sr_net_t;

/* sr_init -- an empty network; sr_clear frees one. */
void sr_init(sr_net_t *n);
void sr_clear(sr_net_t *n);

/* sr_setup -- N becomes N_IN inputs and layers of SIZES, zero weights and
 * biases, identity activations, no maps. */
void sr_setup(sr_net_t *n, size_t n_in, size_t n_layers, const size_t *sizes);

/* sr_alloc_maps -- allocate clip (lo = hi = 0), norm (mean 0, range 1)
 * and output map (scale 1, shift 0) as the flags ask. */
void sr_alloc_maps(sr_net_t *n, int clip, int norm, int outmap);

/* sr_copy -- DST (initialised) = SRC, deep. */
void sr_copy(sr_net_t *dst, const sr_net_t *src);

/* sr_n_out -- the number of outputs. */
size_t sr_n_out(const sr_net_t *n);

/* sr_act_value -- OUT = act(Z) for a piecewise-linear activation. */
void sr_act_value(mpq_t out, const sr_act_t *a, const mpq_t z);

/* sr_is_pwl -- 1 when every activation is identity, relu or leaky_relu. */
int sr_is_pwl(const sr_net_t *n);

/* sr_has_leaky_outside -- 1 when some leaky_relu has alpha < 0 or > 1. */
int sr_has_leaky_outside(const sr_net_t *n);

/* sr_constants -- which neurons are constant by structure: IS[i][v] = 1
 * when neuron v of layer i has no non-zero weight from an input or a
 * non-constant neuron and its value act(b + sum of constant inputs) is
 * rational (piecewise-linear activations; sigmoid(0) = 1/2, tanh(0) = 0),
 * which VAL[i][v] then holds. IS and VAL are new arrays per layer (free
 * with sr_constants_free). This is the notion of constant that exact
 * lumping folds, up to cancellations inside blocks. */
void sr_constants(char ***is, mpq_t ***val, const sr_net_t *n);
void sr_constants_free(char **is, mpq_t **val, const sr_net_t *n);

/* sr_eval -- OUT[j] = f_j(X) exactly (piecewise-linear networks only).
 * When Z is not NULL, Z[i] receives the pre-activations of layer i
 * (n->layer[i].size initialised entries each, owned by the caller). */
void sr_eval(mpq_t *out, const sr_net_t *n, const mpq_t *x, mpq_t **z);

/* sr_enclose -- LO[j] <= f_j(X) <= HI[j] by interval arithmetic with
 * outward rounding at PREC bits (every activation). LO and HI have
 * sr_n_out initialised entries. */
void sr_enclose(mpfr_t *lo, mpfr_t *hi, const sr_net_t *n, const mpq_t *x, mpfr_prec_t prec);

/* sr_to_lump -- OUT (initialised, empty) = N as a lumpnet network with
 * weights stored as STORE (values that do not fit make lumpnet convert
 * that array to Q). Returns the lumpnet error. */
lump_error_t sr_to_lump(lump_net_t *out, const sr_net_t *n, lump_store_t store);

/* sr_from_lump -- OUT (initialised) = the values of NET, read through
 * lump_arr_get and the public fields only. */
void sr_from_lump(sr_net_t *out, const lump_net_t *net);

/* sr_same -- 1 when A and B are the same model (structure, every value,
 * every activation and map), else 0 and WHY names the first difference. */
int sr_same(const sr_net_t *a, const sr_net_t *b, char *why, size_t whylen);

/* sr_fits -- 1 when every value of N (weights, biases, maps, alphas) is
 * exactly a binary32 (BITS 24) or binary64 (BITS 53) number of moderate
 * exponent. */
int sr_fits(const sr_net_t *n, int bits);

/* sr_q_fits -- the same for one rational. */
int sr_q_fits(const mpq_t q, int bits);

/* sr_dump -- print N to stderr, one neuron a line (for failure reports). */
void sr_dump(const sr_net_t *n, const char *title);

#endif
