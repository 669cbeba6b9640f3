/* tol_i.h -- private to exact/: the trusted tolerance bound's pieces shared
 * by tol_leaf.c (the bound) and tol_cert.c (the certificate checker) */
#ifndef LUMPNET_TOL_I_H
#define LUMPNET_TOL_I_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/net.h"
#include "lumpnet/box.h"

/* One layer of the prepared pair (or of the pair's difference). DIAG
 * layers (normalisation, output map, padding) have one weight per neuron. */
typedef struct {
    size_t size, in;
    int diag;
    double *w, *wr;      /* weights (size*in row-major, or size when diag), radii or NULL */
    double *wp, *wn;     /* their positive and negative parts */
    double *w1;          /* per neuron: sum |w| over its row, rounded up */
    unsigned *idx;       /* per row (not diag): the columns of its positive
                            weights, then of its negative ones (zeros left out) */
    size_t *npos, *nnz;  /* per row: how many positive, how many nonzero */
    double *b, *br;      /* biases, radii or NULL */
    unsigned char *relu; /* 1: relu, 0: identity, per neuron */
} lump_i_tlayer_t;

/* How one net reads input i: whether it clips, within the enclosures
 * [clo_dn, clo_up] of the lower and [chi_dn, chi_up] of the upper bound. */
typedef struct {
    int clip;
    double clo_dn, clo_up, chi_dn, chi_up;
} lump_i_tinput_t;

/* The prepared pair (tol_pair.c builds it, tol_leaf.c walks it). */
struct lump_tol_pair {
    size_t n, n_out, depth, width; /* inputs, selected outputs, layers, widest */
    size_t *out;
    int paired;                    /* same sizes and activations: propagate delta */
    lump_i_tlayer_t *la, *lb, *ld; /* A, B, and A - B when paired */
    lump_i_tinput_t *ia, *ib;      /* per input, per net */
    unsigned char *subst;          /* 1: A and B clip input i alike */
    const lump_net_t *qa, *qb;     /* the exact networks (tol_exact.c), not owned */
};

/* lump_i_tol_enclose_q -- *LO <= Q <= *HI with LO, HI doubles, equal when Q
 * is a double, else adjacent (or +-DBL_MAX and +-inf outside the range).
 * O(size of Q). */
void lump_i_tol_enclose_q(double *lo, double *hi, const mpq_t q);

/* lump_i_tol_lp_max -- the maximum of C.x + C[n] over the x in BOX (n
 * inputs) with CUT_k.x + CUT_k[n] <= 0 for the M cuts (each n + 1
 * rationals, row after row), exactly, in rationals (tol_lp.c). Returns 1
 * and MAX = that maximum; -1 when the cuts leave no point of BOX (proved
 * by a checked Farkas vector); 0 when no checked answer was found (MAX
 * unchanged). A returned MAX is an upper bound by weak duality checked
 * here, whatever the simplex did. Time complexity: O(pivots * (m + n)^2)
 * rational operations. */
int lump_i_tol_lp_max(mpq_t max, const mpq_t *c, size_t n, const lump_box_t *box,
                      const mpq_t *cut, size_t m);

#endif
