/* lumpnet/viz.h -- diagrams of networks, lumpings and quotients (Graphviz) */
#ifndef LUMPNET_VIZ_H
#define LUMPNET_VIZ_H

#include <stddef.h>
#include <stdio.h>
#include "lumpnet/error.h"
#include "lumpnet/net.h"
#include "lumpnet/lump.h"
#include "lumpnet/graph.h"
#include "lumpnet/glump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output formats. DOT is the graph handed to the layout engine (written by
 * Graphviz's own cgraph writer, before layout), so that it is the same on
 * every Graphviz version; `dot -Tsvg` on it draws the SVG picture. */
typedef enum {
    LUMP_VIZ_AUTO = 0, /* from the output path's extension */
    LUMP_VIZ_SVG,
    LUMP_VIZ_PDF,
    LUMP_VIZ_PNG,
    LUMP_VIZ_DOT
} lump_viz_format_t;

/* Options of a drawing (in) and what was drawn (out). */
typedef struct {
    lump_viz_format_t format;
    /* in: the caption is "TITLE: SIZES" (SIZES alone when TITLE is NULL or
     * empty), e.g. "ACAS Xu 1_1: 310 → 300 neurons" */
    const char *title;
    /* in: what the lumping is called in the caption; NULL: "exact lumping"
     * or "proportional lumping" from its mode */
    const char *lumping_name;
    const char *font;     /* in: font family, default "DejaVu Sans" */
    size_t max_width;     /* in: layers wider than this are summarised (>= 2;
                             default 24) */
    size_t max_edges;     /* in: edges drawn between two layers; above it each
                             node keeps only its strongest inputs (0: no
                             limit; default 48) */
    double width, height; /* in: fit the drawing into WIDTH x HEIGHT inches
                             (0: natural size) */
    int quotient_only;    /* in: draw the quotient alone */
    int legend;           /* in: draw the legend (default 1) */
    size_t nodes;         /* out: neuron and group nodes drawn (no legend) */
    size_t edges;         /* out: edges drawn (no legend) */
    /* (appended, so that the layout of the fields above does not change) */
    double dpi;           /* in: resolution of PNG figures in dots per inch
                             (default 300, for print; 96 for a screen) */
    const unsigned char *cause; /* in: per hidden and output neuron of NET,
                             layer by layer, a lump_box_cause_t (from
                             lump_box_cert_compose): removed neurons say
                             "inactive", "folded" or "lumped" (NULL: "dead"
                             or "const" by their block's fate) */
} lump_viz_opts_t;

/* lump_viz_opts_init -- the defaults above (format AUTO). O(1). */
LUMP_EXPORT void lump_viz_opts_init(lump_viz_opts_t *opts);

/* lump_viz_format_from_path -- the format named by PATH's extension (.svg,
 * .pdf, .png, .dot, any case), or LUMP_VIZ_AUTO when none of these. O(len). */
LUMP_EXPORT lump_viz_format_t lump_viz_format_from_path(const char *path);

/* lump_viz_write -- draw NET to F in format FMT (not AUTO). Layers are
 * ranks from left to right. With a lumping L (may be NULL) every block of a
 * layer gets its own fill colour (Paul Tol's colour-blind-safe "light"
 * palette, merged blocks first) and a shape (cycling ellipse, box, hexagon:
 * a cue that survives grey-scale printing), all distinct up to 24 blocks;
 * a neuron alone in its block stays white (only merged blocks are
 * coloured). Removed neurons are grey and dashed. With a quotient Q (may be
 * NULL; needs L, one neuron per KEEP block of L, in block order) the
 * quotient is drawn below the original, or alone when opts->quotient_only;
 * when L merges and removes nothing, Q equals NET and only NET is drawn,
 * the caption saying "no lumps". Edge width follows |w| (per layer,
 * 0.4 to 3 points), edge colour its sign. Layers wider than max_width show
 * their blocks (when L has few enough), else their most telling neurons
 * (merged and removed first) and one "+N more" node; edges between groups
 * carry the mean |w| of the weights they stand for. Identical input gives
 * identical bytes (SVG, DOT; PDF too: its creation date is fixed).
 * Errors: LUMP_EINPUT when L or Q does not fit NET (naming the layer and
 * neuron), LUMP_EUSAGE for bad options, LUMP_EIO when Graphviz fails.
 * Time: O(m) to aggregate the m weights, plus Graphviz's dot layout of the
 * at most (layers * max_width) nodes and (layers * max_edges) edges.
 * Reference: Gansner, Koutsofios, North and Vo, "A technique for drawing
 * directed graphs", IEEE TSE 19 (1993) (the layered layout of dot). */
LUMP_EXPORT lump_error_t lump_viz_write(FILE *f, lump_viz_format_t fmt, const lump_net_t *net,
                                        const lump_lumping_t *L, const lump_net_t *q,
                                        lump_viz_opts_t *opts) LUMP_WUR;

/* lump_viz_draw -- lump_viz_write to PATH, atomically (a temporary file in
 * the same directory, renamed when complete: on failure PATH is untouched).
 * The format is opts->format, or PATH's extension when AUTO (LUMP_EUSAGE
 * when it names none). OPTS may be NULL (defaults). Time: as
 * lump_viz_write. */
LUMP_EXPORT
lump_error_t lump_viz_draw(const char *path, const lump_net_t *net, const lump_lumping_t *L,
                           const lump_net_t *q, lump_viz_opts_t *opts) LUMP_WUR;

/* lump_viz_graph_draw -- draw the graph (convolutional, residual) network
 * G to PATH (atomically, the format as lump_viz_draw) at channel level: a
 * column per tensor in topological order, a node per channel (per entry
 * of a flat tensor; wide tensors summarised as for layers, merged and
 * removed channels shown first), an edge along every operation, residual
 * Adds and skips included (a Conv's edge from input channel u to output
 * channel v stands for its kernel entries). With a channel lumping L (may
 * be NULL; lumpnet/glump.h) merged blocks are coloured and removed
 * (dead, constant) channels grey and dashed; with its quotient Q (may be
 * NULL) the quotient is drawn below, or alone with opts->quotient_only.
 * OPTS may be NULL. Errors as lump_viz_draw, and LUMP_EINPUT when L does
 * not fit G. Time: O(weights + units) plus Graphviz's layout of at most
 * (nodes * max_width) nodes and (edges * max_edges) edges. */
LUMP_EXPORT lump_error_t lump_viz_graph_draw(const char *path, const lump_graph_t *g,
                                             const lump_glumping_t *L, const lump_graph_t *q,
                                             lump_viz_opts_t *opts) LUMP_WUR;

/* lump_viz_fonts_load -- load the font configuration and the font caches
 * (fontconfig) now, for a program about to cap its memory: fontconfig
 * short of memory cannot map its caches, takes them for stale, rescans the
 * fonts, finds none it can open, and writes that empty list over the
 * system's cache, which spoils every later drawing on the machine. Loaded
 * before the cap, it is inherited ready by the renderer. Idempotent.
 * Errors: LUMP_ENOMEM when fontconfig cannot start. Time: reading the
 * configuration and mapping the caches (a scan of the fonts when they are
 * stale), once. */
LUMP_EXPORT lump_error_t lump_viz_fonts_load(void) LUMP_WUR;

#ifdef __cplusplus
}
#endif
#endif
