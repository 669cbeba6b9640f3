/* viz_i.h -- the drawing as plain data (nodes, groups, edges), the palette
 * and the Graphviz back end, private to viz/ */
#ifndef LUMPNET_VIZ_I_H
#define LUMPNET_VIZ_I_H

#include <stddef.h>
#include <stdio.h>
#include "lumpnet/viz.h"

/* Paul Tol's colour-blind-safe pair for the sign of a weight, and a grey for
 * aggregated edges of mixed sign. */
#define LUMP_I_VIZ_POS "#0077BB"
#define LUMP_I_VIZ_NEG "#EE7733"
#define LUMP_I_VIZ_MIXED "#999999"
#define LUMP_I_VIZ_REMOVED_FILL "#E4E4E4"
#define LUMP_I_VIZ_REMOVED_LINE "#6E6E6E"
#define LUMP_I_VIZ_MORE_FILL "#F4F4F4"

/* Colour slots: >= 0 a block colour, or one of these. */
#define LUMP_I_VIZ_PLAIN (-1)
#define LUMP_I_VIZ_REMOVED (-2)

/* A growing string. */
typedef struct {
    char *s;
    size_t len, cap;
} lump_i_viz_str_t;

void lump_i_viz_str_init(lump_i_viz_str_t *b);
void lump_i_viz_str_add(lump_i_viz_str_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* lump_i_viz_str_take -- the string (to free()), never NULL; B is empty
 * afterwards. */
char *lump_i_viz_str_take(lump_i_viz_str_t *b);

/* lump_i_viz_fill / _shape -- fill colour and node shape of colour slot
 * SLOT (see above). O(1). */
const char *lump_i_viz_fill(int slot);
const char *lump_i_viz_shape(int slot);

/* lump_i_viz_add_q -- append the exact value Q to B compactly: "p/q" or the
 * short decimal, else 3 significant digits prefixed by "≈". O(digits). */
void lump_i_viz_add_q(lump_i_viz_str_t *b, const mpq_t q);

/* One node of the drawing: a neuron, a whole block, or "+N more". */
typedef struct {
    char name[48]; /* cgraph name and SVG id: "o2_17", "q1_more", "o3_b4" */
    char *label;
    const char *fill, *shape, *style, *line, *fontcolor;
    int peripheries;
    int neuron; /* 1 when it stands for exactly one neuron */
} lump_i_viz_node_t;

/* An edge between nodes of consecutive layers of one side, standing for
 * COUNT non-zero weights. */
typedef struct {
    size_t src, dst; /* node indices in the side */
    double sum;      /* sum of |w| */
    size_t count, npos, nneg;
    double width; /* pen width in points */
} lump_i_viz_edge_t;

typedef struct {
    char *label;     /* cluster label */
    size_t first, n; /* its nodes: nodes[first .. first + n) */
} lump_i_viz_layer_t;

/* One network of the drawing: the original or the quotient. */
typedef struct {
    char prefix[2];  /* "o" or "q" */
    char *label;     /* cluster label; NULL when the side is drawn alone */
    size_t n_layers; /* with the inputs as layer 0 */
    lump_i_viz_layer_t *layers;
    size_t n_nodes, cap_nodes;
    lump_i_viz_node_t *nodes;
    size_t n_edges, cap_edges;
    lump_i_viz_edge_t *edges;
} lump_i_viz_side_t;

typedef struct {
    size_t n_sides;
    lump_i_viz_side_t sides[2];
    char *caption;
    const char *font;
    double width, height;
    double dpi; /* PNG only */
    int legend;
    int lumped, removed, mixed, summarised, pruned;
    int plain_singletons; /* some singleton blocks are drawn (white) */
    int no_lumps;         /* the lumping merges and removes nothing */
    int box_causes;       /* removed neurons are labelled by their cause */
    int merged_any;       /* some block has more than one member */
} lump_i_viz_plan_t;

/* lump_i_viz_trivial -- whether L keeps every neuron alone in its block
 * (its quotient is the network itself). O(blocks). */
int lump_i_viz_trivial(const lump_lumping_t *L);

/* lump_i_viz_plan -- the drawing of NET (with L and Q, both may be NULL) as
 * plain data; Q needs L. Checks that L partitions NET's layers and that Q
 * has one neuron per KEEP block. O(m + neurons). */
lump_error_t lump_i_viz_plan(lump_i_viz_plan_t *p, const lump_net_t *net, const lump_lumping_t *L,
                             const lump_net_t *q, const lump_viz_opts_t *opts) LUMP_WUR;
void lump_i_viz_plan_clear(lump_i_viz_plan_t *p);

/* lump_i_viz_edges -- the edges of layer LI (>= 1) of side S of network N
 * (GROUP_PREV and GROUP maps each neuron of layers LI-1 and LI to its node
 * in S): weights aggregated per pair of nodes, at most MAX_EDGES of them
 * (0: all) keeping each target's strongest inputs and each source's
 * strongest output, widths normalised per layer. *PRUNED is set when
 * edges were left out, *MIXED when an edge has weights of both signs.
 * O(weights of the layer + shown pairs * log). */
void lump_i_viz_edges(lump_i_viz_side_t *s, const lump_net_t *n, size_t li,
                      const size_t *group_prev, const size_t *group, size_t max_edges, int *pruned,
                      int *mixed);

/* The weights an edge between two drawn nodes stands for. */
typedef struct {
    double sum;
    size_t count, npos, nneg;
} lump_i_viz_acc_t;

/* lump_i_viz_acc_add -- count weight W of sign SIGN (+1 or -1) in A. O(1). */
void lump_i_viz_acc_add(lump_i_viz_acc_t *a, double w, int sign);

/* lump_i_viz_edges_emit -- the edges from the nodes of layer PL to those of
 * layer CL of side S (any two layers: a residual edge skips some) from
 * ACC, the weights aggregated per pair of their nodes (row-major, PL's
 * nodes by CL's): at most MAX_EDGES (0: all), each target's strongest
 * inputs and each source's strongest output, widths normalised over the
 * pair of layers. *PRUNED, *MIXED as lump_i_viz_edges.
 * O(pairs + shown pairs * log). */
void lump_i_viz_edges_emit(lump_i_viz_side_t *s, size_t pl, size_t cl,
                           const lump_i_viz_acc_t *acc, size_t max_edges, int *pruned,
                           int *mixed);

/* lump_i_viz_new_node -- a new white ellipse node of S (its fields but the
 * style zero). O(1) amortised. */
lump_i_viz_node_t *lump_i_viz_new_node(lump_i_viz_side_t *s);

/* lump_i_viz_style_block -- ND in the fill and shape of colour slot SLOT,
 * dashed and grey when removed. O(1). */
void lump_i_viz_style_block(lump_i_viz_node_t *nd, int slot);

/* lump_i_viz_more_node -- the "+COUNT more" node of layer LI of S. O(1). */
void lump_i_viz_more_node(lump_i_viz_side_t *s, size_t li, size_t count);

/* lump_i_viz_add_title -- append "TITLE: " to T (Graphviz escapes kept
 * literal), nothing when TITLE is NULL or empty. O(length). */
void lump_i_viz_add_title(lump_i_viz_str_t *t, const char *title);

/* lump_i_viz_graph_plan -- the drawing of the graph network G at channel
 * level (with its channel lumping L and quotient Q, both may be NULL) as
 * plain data. Errors: LUMP_EUSAGE (bad options), LUMP_EINPUT (L does not
 * fit G). O(weights + units). */
lump_error_t lump_i_viz_graph_plan(lump_i_viz_plan_t *p, const lump_graph_t *g,
                                   const lump_glumping_t *L, const lump_graph_t *q,
                                   const lump_viz_opts_t *o) LUMP_WUR;

/* lump_i_viz_caption_tail -- append to T what the caption says of a drawing
 * that summarises wide layers or thins edges (P's flags). O(1). */
void lump_i_viz_caption_tail(lump_i_viz_str_t *t, const lump_i_viz_plan_t *p,
                             const lump_viz_opts_t *o);

/* What a child process of lump_i_child_run wrote and how it ended. */
typedef struct {
    char *data; /* the bytes written (NUL-terminated), NULL when none */
    size_t len;
    int code;   /* its exit code, -1 when killed */
    int signal; /* the signal that killed it, 0 when it exited */
} lump_i_child_t;

/* lump_i_child_run -- fork, run WORK(FD, CTX) in the child, which writes
 * its result to FD and exits (0 after WORK returns), and collect into C
 * (to free with lump_i_child_clear) everything written and how the child
 * ended. Signals are at their defaults in the child. Errors: LUMP_ENOMEM
 * when no pipe or process can be had (the system's refusal, errno).
 * O(bytes written). */
lump_error_t lump_i_child_run(lump_i_child_t *c, void (*work)(int fd, void *ctx),
                              void *ctx) LUMP_WUR;
void lump_i_child_clear(lump_i_child_t *c);

/* lump_i_child_write -- write all LEN bytes of BUF to FD (restarting after
 * signals); 0 on success, -1 on failure. O(LEN). */
int lump_i_child_write(int fd, const void *buf, size_t len);

/* lump_i_viz_render -- build the Graphviz graph of P, lay it out with dot
 * and write it to F in format FMT. The layout and the rendering run in a
 * child process (lump_i_child_run): Graphviz's font stack (fontconfig,
 * pango, cairo) aborts or crashes when memory runs short, as under
 * --max-memory, and its death is reported as an error here. O(Graphviz). */
lump_error_t lump_i_viz_render(FILE *f, lump_viz_format_t fmt, const lump_i_viz_plan_t *p) LUMP_WUR;

#endif
