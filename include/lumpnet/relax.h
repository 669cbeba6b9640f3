/* lumpnet/relax.h -- relaxed (epsilon) lumping, sound bounds over a box and
 * certified bounds on the output difference of two networks (DESIGN §3) */
#ifndef LUMPNET_RELAX_H
#define LUMPNET_RELAX_H

#include <stddef.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"
#include "lumpnet/box.h"
#include "lumpnet/lump.h"
#include "lumpnet/data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sound bounds of every neuron over a box X, as doubles rounded outward:
 * for every x in X, zlo[i][v] <= z_v(x) <= zhi[i][v] (pre-activation of
 * neuron v of net->layers[i]) and ylo/yhi likewise after the activation.
 * xlo/xhi bound the inputs as layer 1 sees them (after clip and
 * normalisation). */
typedef struct {
    size_t n_inputs, n_layers;
    size_t *size;
    double *xlo, *xhi;
    double **zlo, **zhi, **ylo, **yhi;
} lump_bounds_t;

/* lump_bounds_init / _clear -- empty bounds; free them. O(1) / O(layers). */
LUMP_INIT_CLEAR(lump_bounds);

/* lump_bounds_interval -- interval bounds (interval arithmetic with outward
 * rounding; weights that are not doubles enter as outward intervals).
 * Fails with LUMP_EINPUT when BOX has the wrong dimension or is empty.
 * O(m). */
LUMP_EXPORT lump_error_t lump_bounds_interval(lump_bounds_t *b, const lump_net_t *net,
                                              const lump_box_t *box) LUMP_WUR;

/* How lump_bound_diff encodes the two networks. */
typedef enum {
    LUMP_ENC_DIFFERENTIAL = 0, /* paired neurons with difference variables */
    LUMP_ENC_SEPARATE = 1      /* f and g relaxed independently (baseline) */
} lump_encoding_t;

typedef struct {
    lump_encoding_t encoding;
    unsigned long seed; /* seeds the randomised steps (default 1) */
    int verbose;
    /* 1 (default): tighten every neuron bound and difference bound by
     * sound back-substitution before the LP; 0: interval bounds only */
    int symbolic;
    /* 1 (default): solve the joint LP too and keep the smaller rigorous
     * bound; 0: the symbolic bound alone (faster; the separate encoding
     * always solves the LP) */
    int lp;
    /* input splitting: at most this many symbolic passes over pieces of the
     * box (default 64; < 3 turns it off). Used for networks of at most
     * LUMP_BOUND_SPLIT_INPUTS inputs only (a split halves one input). The
     * LP is then skipped: on small pieces the symbolic bound is tighter. */
    size_t max_boxes;
} lump_bound_opts_t;

#define LUMP_BOUND_SPLIT_INPUTS 16

/* relax and explore solve the joint LP of a bound by default only for
 * networks of at most this many parameters: on larger ones it tightens the
 * (equally certified) symbolic bound by a few per cent at a cost that grows
 * quickly (MNIST 256x2, 269 322 parameters: 3 % for 15 s of 20). */
#define LUMP_LP_AUTO_PARAMS 100000

LUMP_EXPORT void lump_bound_opts_init(lump_bound_opts_t *o);

/* The certified bound on |f_j - g_j| over a box, per output j. */
typedef struct {
    size_t n_outputs;
    double *bound;     /* U_j >= sup_x |f_j(x) - g_j(x)|, rounded up; +inf when
                          no certified value could be had */
    double *naive;     /* (max f_j - min g_j) and (max g_j - min f_j) from
                          interval bounds: the baseline */
    int certified;     /* 1 when every U_j is finite: each comes from a
                          rigorous weak-duality step (the LP's duals in exact
                          rationals, or the symbolic bound with directed
                          rounding) */
    double seconds;
    double *bound_sym; /* the symbolic bound alone (+inf when not computed) */
    double *bound_lp;  /* the LP bound alone (+inf when not computed) */
} lump_bound_result_t;

/* lump_bound_result_init / _clear -- an empty result; free its arrays. O(1). */
LUMP_INIT_CLEAR(lump_bound_result);

/* lump_bound_diff -- a certified upper bound on |f_j - g_j| over BOX for
 * each output j: sound pre-activation bounds (intervals, tightened by
 * back-substitution for both networks and for the paired differences,
 * see lump_bound_diff_lumped), a joint LP of both networks
 * over a shared input (triangle relaxation for unstable ReLUs, sound linear
 * bounds for sigmoid/tanh), maximise f_j - g_j and g_j - f_j with GLPK, then
 * a rigorous bound from GLPK's dual solution by weak duality evaluated in
 * exact rationals (Neumaier and Shcherbina, "Safe bounds in linear and
 * mixed-integer programming", Math. Prog. 99 (2004)). F and G need the
 * same numbers of inputs and outputs. Time: O(n m) for the symbolic pass
 * (n neurons, m weights), then 2 n_outputs LP solves. */
LUMP_EXPORT lump_error_t lump_bound_diff(lump_bound_result_t *r, const lump_net_t *f,
                                         const lump_net_t *g, const lump_box_t *box,
                                         const lump_bound_opts_t *opts) LUMP_WUR;

/* lump_bound_diff_lumped -- lump_bound_diff with the pairing of DESIGN
 * section 3: G is a (relaxed or exact) quotient of F by the lumping L
 * (as lump_relax returns it), each neuron v of F is compared with its
 * block's neuron B of G through delta_v = y_v - c_v y_B (a CONSTANT block's
 * neuron with its value), and the bounds follow these differences layer by
 * layer. L = NULL pairs neurons by index when the layer sizes agree.
 * Errors as lump_bound_diff, and LUMP_EINPUT when L does not fit F and G.
 * Time: as lump_bound_diff. */
LUMP_EXPORT lump_error_t lump_bound_diff_lumped(lump_bound_result_t *r, const lump_net_t *f,
                                                const lump_net_t *g, const lump_lumping_t *L,
                                    const lump_box_t *box, const lump_bound_opts_t *opts) LUMP_WUR;

/* lump_max_error_sampled -- the largest |f_j - g_j| observed over BOX, per
 * output, from N_SAMPLES seeded random points, the box corners (all when
 * n <= 10) and a local search from the best points. Evaluated in double
 * (or MPFR for sigmoid/tanh); a lower bound of the true supremum, used to
 * check the certified bound honestly. OUT has n_outputs entries.
 * Time: O((N_SAMPLES + local steps) * m). */
LUMP_EXPORT
lump_error_t lump_max_error_sampled(double *out, const lump_net_t *f, const lump_net_t *g,
                                    const lump_box_t *box, size_t n_samples,
                                    unsigned long seed) LUMP_WUR;

/* Centres of relaxed blocks. */
typedef enum { LUMP_CENTRE_MEAN = 0, LUMP_CENTRE_LP = 1 } lump_centre_t;

/* lump_relax -- an epsilon-lumping of NET over BOX and its quotient G:
 * neurons whose normalised signatures lie within EPS of a block centre are
 * merged, where the distance is measured in units of pre-activation
 * deviation over the box, sum_C |dw_C| * max_{x in X} |y_C| + |db| (see
 * docs/relax.md for the deterministic clustering). Scales follow the
 * activation as in exact lumping. L (may be NULL) receives the blocks.
 * EPS = 0 gives exactly the exact/proportional quotient; for EPS > 0 the
 * quotient is computed in double, and LUMP_EUNSUPPORTED says when one of
 * its values overflows. O(m * blocks) worst case. */
LUMP_EXPORT lump_error_t lump_relax(lump_net_t *g, lump_lumping_t *L, const lump_net_t *net,
                        const lump_box_t *box, double eps, lump_centre_t centre) LUMP_WUR;

/* Calibration-guided relaxed lumping (docs/relax.md). The greedy merges
 * neurons one at a time. Each step is either a hidden neuron replaced by
 * its mean over the calibration points (folded into the next biases) or a
 * neuron merged into another of its layer (y_v ~ s y_u, the scale allowed
 * by the activation, the least-squares centre of the two rows). Of a
 * shortlist of steps ranked by a cheap estimate, it takes the one that
 * moves the outputs least in mean square over the points. EPS bounds the
 * largest output deviation |f_j(x) - g_j(x)| (after the output map) over
 * the points: the run stops at the first step that exceeds it, and EPS
 * selects the longest prefix of steps after each of which the network was
 * within EPS. The sequence does not depend on EPS, so smaller EPS give
 * prefixes of it (nested networks). Weights are rounded to the network's
 * storage after every step, so the deviations are those of the network
 * written, up to the order of summation (a few units in the last place). */
typedef struct lump_calib lump_calib_t;

/* lump_calib_run -- the greedy sequence for NET over N_POINTS calibration
 * inputs X (row-major, n_inputs each; at most 512 evenly spaced ones are
 * used), up to the first step whose deviation exceeds EPS_MAX (HUGE_VAL:
 * down to one neuron per hidden layer). *RUN keeps a pointer to NET, which
 * must outlive it. Errors: LUMP_EINPUT (no points, a non-finite value,
 * EPS_MAX < 0). Time: O(steps * (N sum n_i^2 + 8 N m)) for N
 * points, layer sizes n_i and m weights. */
LUMP_EXPORT lump_error_t lump_calib_run(lump_calib_t **run, const lump_net_t *net, const double *x,
                                        size_t n_points, double eps_max) LUMP_WUR;

/* lump_calib_steps -- the number of steps of RUN. O(1). */
LUMP_EXPORT size_t lump_calib_steps(const lump_calib_t *run);

/* lump_calib_deviation -- the largest output deviation over the points
 * after step K (0-based) of RUN; HUGE_VAL past the end. O(1). */
LUMP_EXPORT double lump_calib_deviation(const lump_calib_t *run, size_t k);

/* lump_calib_points -- how many calibration points RUN used. O(1). */
LUMP_EXPORT size_t lump_calib_points(const lump_calib_t *run);

/* lump_calib_at -- G = the network after the longest prefix of RUN's
 * steps whose deviations are all <= EPS, and L (may be NULL) its lumping
 * of RUN's network (scales and constants as doubles); *DEV (may be NULL)
 * receives its deviation over the points. O(steps * n + m). */
LUMP_EXPORT lump_error_t lump_calib_at(lump_net_t *g, lump_lumping_t *L, double *dev,
                                       const lump_calib_t *run, double eps) LUMP_WUR;

/* lump_calib_free -- free RUN (NULL is fine). O(1). */
LUMP_EXPORT void lump_calib_free(lump_calib_t *run);

/* lump_relax_calib -- lump_calib_run with EPS_MAX = EPS, then
 * lump_calib_at(EPS). Time: as lump_calib_run. */
LUMP_EXPORT lump_error_t lump_relax_calib(lump_net_t *g, lump_lumping_t *L, double *dev,
                                          const lump_net_t *net, const double *x, size_t n_points,
                                          double eps) LUMP_WUR;

/* lump_prune_magnitude -- the baseline: G = NET without the hidden neurons
 * of smallest ||incoming|| * ||outgoing|| (no retraining), keeping
 * KEEP_NEURONS hidden neurons in all (at least one per layer). PAIRING
 * (may be NULL) receives the pairing for lump_bound_diff_lumped: each
 * kept neuron with its copy, each dropped one with the constant 0.
 * O(m + n log n). */
LUMP_EXPORT
lump_error_t lump_prune_magnitude(lump_net_t *g, lump_lumping_t *pairing, const lump_net_t *net,
                                  size_t keep_neurons) LUMP_WUR;

/* lump_prune_magnitude_params -- the same baseline at a parameter budget:
 * neurons are dropped in the same order until NET has at most MAX_PARAMS
 * parameters (weights plus biases), or one neuron per hidden layer is
 * left. PAIRING as above. O(m + n log n + n L) for n hidden neurons in L
 * layers. */
LUMP_EXPORT lump_error_t lump_prune_magnitude_params(lump_net_t *g, lump_lumping_t *pairing,
                                         const lump_net_t *net, size_t max_params) LUMP_WUR;

/* ---- certified deviation over small balls (relax --local-radius) -------- */

/* The certified deviation of G from F over L-inf balls around points. */
typedef struct {
    double radius;
    size_t n_points;   /* balls bounded */
    size_t outside;    /* points whose ball misses the box (skipped) */
    size_t n_outputs;
    double *bound;     /* per output: the largest certified U_j over the balls */
    double *observed;  /* per output: the largest |f_j - g_j| sampled in them */
    double bmax, omax; /* the largest of each */
    int certified;     /* 1 when every ball's bound is finite (certified) */
    int classes;       /* 1 when the class statements below were computed
                          (at least two outputs, the last layer linear) */
    size_t robust;     /* balls throughout which F's class at the centre is
                          certified to be F's class */
    size_t unchanged;  /* balls throughout which F and G are both certified
                          to predict F's class at the centre */
    double seconds;
    /* per point (n_points + outside of them, in the order given): the
     * bound per output (n_outputs each; NaN for a skipped point), and
     * whether the class is certified unchanged (robust: for F alone) */
    double *ball_bound;
    unsigned char *ball_unchanged, *ball_robust;
} lump_local_result_t;

/* lump_local_result_init, lump_local_result_clear -- an empty result;
 * free its arrays. O(1). */
LUMP_INIT_CLEAR(lump_local_result);

/* lump_local_bound -- for each of the N_POINTS points X (row-major,
 * n_inputs each, raw inputs as the network reads them), the ball of
 * L-inf RADIUS around it intersected with BOX: the certified bound on
 * |f_j - g_j| over the ball (lump_bound_diff_lumped with the pairing L,
 * may be NULL; the symbolic bound, no LP), the largest difference seen at
 * 2 SAMPLES + 1 seeded points of it, and, when the last layer has no
 * activation, whether F's class c at the centre is certified for F
 * throughout the ball (a lower bound of every margin f_c - f_k, from the
 * certified bound between F's margin network and a constant network) and
 * for G too (that margin minus U_c + U_k). Errors: LUMP_EINPUT for a bad
 * radius or mismatched shapes; those of the bounds.
 * Time: N_POINTS x (two symbolic bounds, O(n m) each, and 2 SAMPLES
 * double evaluations). */
LUMP_EXPORT lump_error_t lump_local_bound(lump_local_result_t *r, const lump_net_t *f,
                                          const lump_net_t *g, const lump_lumping_t *L,
                                          const lump_box_t *box, const double *x,
                                          size_t n_points, double radius, size_t samples,
                                          unsigned long seed) LUMP_WUR;

/* ---- the epsilon sweep of `lumpnet explore` ------------------------------ */

/* One row of an exploration: a network (the original, a relaxed quotient
 * or a pruned one) and how far it is from the original. */
typedef struct {
    const char *method; /* "original", "lumpnet", "prune" or "prune_params" */
    double eps;         /* NAN for the original */
    double cdev;        /* lumpnet with a calibration run: deviation on the points; else NAN */
    size_t neurons, params;
    int certified;
    double *bound, *observed; /* per output */
    double bmax, omax;        /* the largest bound and observed error */
    double acc, agree;        /* on the data: accuracy, agreement with the original; else NAN */
    double seconds;           /* of the bound */
} lump_explore_row_t;

/* The rows of an exploration, owned: lump_explore_init / lump_explore_clear. */
typedef struct lump_explore_s {
    lump_explore_row_t *rows;
    size_t n, cap, nout;
    size_t neps;   /* the epsilon values swept */
    int with_data; /* the rows have accuracy and agreement */
} lump_explore_t;

/* lump_explore_hook_t -- called by lump_explore_run once row ROW of T is
 * filled, with its network G (the original for row 0) and the pairing L
 * of G with the original that its bound used (a lumping for the lumpnet
 * rows, the pruning's pairing for the prune rows, NULL for row 0). G and
 * L are valid during the call only. A returned error stops the sweep. */
typedef lump_error_t (*lump_explore_hook_t)(void *ctx, const struct lump_explore_s *t, size_t row,
                                            const lump_net_t *g, const lump_lumping_t *L);

/* What to sweep; lump_explore_opts_init sets the defaults. */
typedef struct {
    const double *eps;         /* the epsilon values, or NULL to choose STEPS of them */
    size_t neps;               /* the number of EPS */
    size_t steps;              /* without EPS (default 10) */
    lump_centre_t centre;      /* box-guided lumping (default mean) */
    size_t samples;            /* for the observed error (default 1000) */
    const lump_data_t *data;   /* labelled rows for accuracy, or NULL */
    const lump_calib_t *calib; /* lump with this calibration run, not over the box, or NULL */
    /* the joint LP in every bound: 1 always, 0 never, -1 (default) when
     * the original has at most LUMP_LP_AUTO_PARAMS parameters */
    int lp;
    lump_explore_hook_t hook; /* called with each row's network, or NULL */
    void *hook_ctx;           /* its first argument */
} lump_explore_opts_t;

/* lump_explore_init, lump_explore_clear -- an empty table; free its rows. */
LUMP_INIT_CLEAR(lump_explore);

/* lump_explore_opts_init -- the defaults of lump_explore_opts_t. */
LUMP_EXPORT void lump_explore_opts_init(lump_explore_opts_t *o);

/* The pieces of a sweep, shared by lump_explore_run and the sweep of
 * graph (convolutional) networks in the command-line tool. */

/* lump_explore_add_row -- append a row of METHOD (a static string) and
 * epsilon EPS to T and return it: else zeroed, its per-output arrays
 * (T->nout entries) allocated, accuracy, agreement and calibration
 * deviation NaN. Valid until the next row is added. O(nout). */
LUMP_EXPORT lump_explore_row_t *lump_explore_add_row(lump_explore_t *t, const char *method,
                                                     double eps);

/* lump_explore_copy_row -- row DST of T = a copy of the earlier row SRC
 * (the same network) but for epsilon EPS. O(nout). */
LUMP_EXPORT void lump_explore_copy_row(lump_explore_t *t, size_t dst, size_t src, double eps);

/* lump_explore_row_bound -- R's bound columns from the certified bound BR
 * and the sampled errors R->observed (NOUT outputs): the per-output
 * bounds, their largest (NaN or infinity wins), the largest observed
 * error, certified and the seconds. O(nout). */
LUMP_EXPORT void lump_explore_row_bound(lump_explore_row_t *r, const lump_bound_result_t *br,
                                        size_t nout);

/* lump_explore_row_score -- R's accuracy and agreement on the N labels Y
 * from the predicted classes CLS of its network and FCLS of the original.
 * O(n). */
LUMP_EXPORT void lump_explore_row_score(lump_explore_row_t *r, const size_t *cls,
                                        const size_t *fcls, const long *y, size_t n);

/* lump_explore_grid -- EPS[0..steps) geometric between the last of the
 * NPROBE increasing probes PE that reduces nothing (its size SIZE is that
 * of the first probe; smaller is more reduced) and the first that reaches
 * the smallest size; HI * 1e-3 .. HI when nothing reduces, or all at
 * once. O(nprobe + steps). */
LUMP_EXPORT void lump_explore_grid(double *eps, size_t steps, const double *pe,
                                   const size_t *size, size_t nprobe, double hi);

/* lump_explore_calib_grid -- EPS[0..steps) for a calibration run of
 * N_STEPS steps, DEV(RUN, k) the deviation after step k: the running
 * maximum of the deviations at STEPS evenly spaced steps, the last at the
 * end of the run, so that the rows spread over the sizes the run went
 * through. O(steps + n_steps) calls of DEV. */
LUMP_EXPORT void lump_explore_calib_grid(double *eps, size_t steps,
                                         double (*dev)(const void *run, size_t k),
                                         const void *run, size_t n_steps);

/* lump_explore_run -- T = the row of NET, then for each epsilon (O->eps,
 * or without it O->steps values: for a calibration run the running
 * maximum of its deviations at evenly spaced steps, else geometric
 * between the first epsilon that merges anything beyond the exact lumps
 * and the first that reaches the coarsest relaxed network, found by
 * probing 25 values) three rows: the relaxed quotient (lump_relax over
 * BOX, or lump_calib_at), and magnitude pruning at its neuron and at its
 * parameter budget, each with its certified bound
 * (lump_bound_diff_lumped), its sampled error over BOX and, with
 * O->data, its accuracy. Labels of O->data must be outputs of NET.
 * With a calibration run, an epsilon that keeps as many steps as the
 * previous one copies its three rows (the same networks). O->hook, when
 * set, receives every row's network as soon as the row is filled. The
 * bounds solve the joint LP as O->lp says.
 * Errors: those of the functions named.
 * Time: (number of epsilon values) x (one relaxation, two prunings and
 * three bounds and samplings), plus 25 relaxations to choose the grid. */
LUMP_EXPORT lump_error_t lump_explore_run(lump_explore_t *t, const lump_net_t *net,
                                          const lump_box_t *box,
                                          const lump_explore_opts_t *o) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
