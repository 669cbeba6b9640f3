/* draw.c -- drawing networks, lumpings and quotients: options, formats and
 * the atomic write of a figure */
#include <string.h>
#include <strings.h>
#include "lumpnet/io.h"
#include "viz_i.h"

void lump_viz_opts_init(lump_viz_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->format = LUMP_VIZ_AUTO;
    opts->font = "DejaVu Sans";
    opts->max_width = 24;
    opts->max_edges = 48;
    opts->legend = 1;
    opts->dpi = 300;
}

lump_viz_format_t lump_viz_format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return LUMP_VIZ_AUTO;
    if (strcasecmp(dot, ".svg") == 0)
        return LUMP_VIZ_SVG;
    if (strcasecmp(dot, ".pdf") == 0)
        return LUMP_VIZ_PDF;
    if (strcasecmp(dot, ".png") == 0)
        return LUMP_VIZ_PNG;
    if (strcasecmp(dot, ".dot") == 0 || strcasecmp(dot, ".gv") == 0)
        return LUMP_VIZ_DOT;
    return LUMP_VIZ_AUTO;
}

/* render -- count what plan P draws into OPTS, render it to F, free it. */
static lump_error_t render(FILE *f, lump_viz_format_t fmt, lump_i_viz_plan_t *p,
                           lump_viz_opts_t *opts)
{
    lump_error_t err;
    opts->nodes = 0;
    opts->edges = 0;
    for (size_t k = 0; k < p->n_sides; k++) {
        opts->nodes += p->sides[k].n_nodes;
        opts->edges += p->sides[k].n_edges;
    }
    err = lump_i_viz_render(f, fmt, p);
    lump_i_viz_plan_clear(p);
    return err;
}

lump_error_t lump_viz_write(FILE *f, lump_viz_format_t fmt, const lump_net_t *net,
                            const lump_lumping_t *L, const lump_net_t *q, lump_viz_opts_t *opts)
{
    lump_error_t err = LUMP_OK;
    lump_i_viz_plan_t p;
    lump_require(f != NULL && net != NULL && opts != NULL, "lump_viz_write");
    if (fmt == LUMP_VIZ_AUTO)
        return lump_error_set(LUMP_EUSAGE, "draw: no output format given");
    LUMP_CHECK(lump_i_viz_plan(&p, net, L, q, opts));
    err = render(f, fmt, &p, opts);
cleanup:
    return err;
}

typedef struct {
    const char *path;
    lump_viz_format_t fmt;
    const lump_net_t *net, *q;
    const lump_lumping_t *L;
    const lump_graph_t *g, *gq; /* a graph network instead of NET */
    const lump_glumping_t *gL;
    lump_viz_opts_t *opts;
} draw_ctx_t;

/* graph_write -- lump_viz_write of a graph network. */
static lump_error_t graph_write(FILE *f, const draw_ctx_t *c)
{
    lump_error_t err = LUMP_OK;
    lump_i_viz_plan_t p;
    LUMP_CHECK(lump_i_viz_graph_plan(&p, c->g, c->gL, c->gq, c->opts));
    err = render(f, c->fmt, &p, c->opts);
cleanup:
    return err;
}

static lump_error_t write_figure(FILE *f, void *ctx)
{
    draw_ctx_t *c = ctx;
    lump_error_t err = c->g != NULL ? graph_write(f, c)
                                    : lump_viz_write(f, c->fmt, c->net, c->L, c->q, c->opts);
    /* the renderer's messages do not know the file they were drawing */
    if (err != LUMP_OK && err != LUMP_EINTERRUPTED)
        lump_error_prefix(err, "%s", c->path);
    return err;
}

/* draw_to -- the figure of C to PATH, atomically. */
static lump_error_t draw_to(const char *path, draw_ctx_t *c, lump_viz_opts_t *opts)
{
    lump_viz_opts_t defaults;
    if (opts == NULL) {
        lump_viz_opts_init(&defaults);
        opts = &defaults;
    }
    c->fmt = opts->format != LUMP_VIZ_AUTO ? opts->format : lump_viz_format_from_path(path);
    if (c->fmt == LUMP_VIZ_AUTO)
        return lump_error_set(LUMP_EUSAGE,
                              "%s: unknown figure format (the extension must be .svg, .pdf, "
                              ".png or .dot)",
                              path);
    c->path = path;
    c->opts = opts;
    return lump_io_write_atomic(path, write_figure, c);
}

lump_error_t lump_viz_draw(const char *path, const lump_net_t *net, const lump_lumping_t *L,
                           const lump_net_t *q, lump_viz_opts_t *opts)
{
    draw_ctx_t c = {.net = net, .q = q, .L = L};
    lump_require(path != NULL && net != NULL, "lump_viz_draw");
    return draw_to(path, &c, opts);
}

lump_error_t lump_viz_graph_draw(const char *path, const lump_graph_t *g,
                                 const lump_glumping_t *L, const lump_graph_t *q,
                                 lump_viz_opts_t *opts)
{
    draw_ctx_t c = {.g = g, .gq = q, .gL = L};
    lump_require(path != NULL && g != NULL, "lump_viz_graph_draw");
    return draw_to(path, &c, opts);
}
