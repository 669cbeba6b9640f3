/* graph.c -- the Graphviz side of a drawing: the cgraph graph of a plan,
 * laid out by dot and rendered by gvc (every Graphviz call lives in viz/) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gvc.h>
#include "lumpnet/progress.h"
#include "viz_i.h"
#include "alloc_i.h"

/* An object-id discipline that numbers named objects in creation order.
 * cgraph's default uses the address of the interned name as the id, and
 * orders subgraphs by id: the order of clusters in the layout and in the
 * written DOT would then follow the heap, not the program. The names are
 * still cgraph's interned strings (agstrdup), as its writer expects. */
typedef struct {
    Agraph_t *g;
    char **names; /* names[k] has id 2 (k + 1); anonymous ids are odd */
    size_t n, cap;
    size_t *slot;   /* open-addressing table of name indices + 1 */
    size_t n_slots; /* a power of two, at least 2 n */
    IDTYPE anon;
} ids_t;

static size_t name_hash(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t *ids_find(ids_t *t, const char *s)
{
    size_t i = name_hash(s) & (t->n_slots - 1);
    while (t->slot[i] != 0 && strcmp(t->names[t->slot[i] - 1], s) != 0)
        i = (i + 1) & (t->n_slots - 1);
    return &t->slot[i];
}

static int ids_grow(ids_t *t)
{
    size_t n_slots = t->n_slots ? 2 * t->n_slots : 64;
    size_t *slot = lump_alloc_zero(n_slots, sizeof *slot), *old = t->slot;
    size_t old_n = t->n_slots;
    t->slot = slot;
    t->n_slots = n_slots;
    for (size_t i = 0; i < old_n; i++)
        if (old[i] != 0)
            *ids_find(t, t->names[old[i] - 1]) = old[i];
    free(old);
    return 1;
}

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
    ids_t *t = lump_alloc_zero(1, sizeof *t);
    (void)disc;
    t->g = g;
    t->anon = 1;
    return t;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
    ids_t *t = state;
    size_t *at;
    (void)objtype;
    if (str == NULL) {
        *id = t->anon;
        t->anon += 2;
        return 1;
    }
    if (2 * (t->n + 1) > t->n_slots && !ids_grow(t))
        return 0;
    at = ids_find(t, str);
    if (*at == 0) {
        char *copy;
        if (!createflag)
            return 0;
        if (t->n == t->cap) {
            size_t cap = 2 * t->cap + 32;
            char **names = lump_realloc_array(t->names, cap, sizeof *names);
            if (names == NULL)
                return 0;
            t->names = names;
            t->cap = cap;
        }
        copy = agstrdup(t->g, str);
        if (copy == NULL)
            return 0;
        t->names[t->n++] = copy;
        *at = t->n;
    }
    *id = (IDTYPE)(2 * *at);
    return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE request)
{
    (void)state;
    (void)objtype;
    return request % 2 == 1; /* explicit ids: anonymous ones only */
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
    (void)state;
    (void)objtype;
    (void)id;
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
    ids_t *t = state;
    (void)objtype;
    if (id % 2 == 1 || id == 0 || id / 2 > t->n)
        return NULL;
    return t->names[id / 2 - 1];
}

static void ids_close(void *state)
{
    ids_t *t = state;
    for (size_t i = 0; i < t->n; i++)
        agstrfree(t->g, t->names[i]);
    free(t->names);
    free(t->slot);
    free(t);
}

static void ids_register(void *state, int objtype, void *obj)
{
    (void)state;
    (void)objtype;
    (void)obj;
}

static Agiddisc_t id_disc = {ids_open,  ids_map,   ids_alloc,   ids_free,
                             ids_print, ids_close, ids_register};

/* Graphviz reports through agerr; keep its last message for ours. */
static char gv_msg[512];

static int gv_err(char *msg)
{
    size_t len = strlen(gv_msg);
    if (len + 1 < sizeof gv_msg)
        snprintf(gv_msg + len, sizeof gv_msg - len, "%s", msg);
    return 0;
}

/* agsafeset takes char *; the values here are never modified. */
static void set(void *obj, const char *name, const char *value)
{
    agsafeset(obj, (char *)name, (char *)value, "");
}

static void set_default(Agraph_t *g, int kind, const char *name, const char *value)
{
    agattr(g, kind, (char *)name, (char *)value);
}

static Agraph_t *subgraph(Agraph_t *parent, const char *name)
{
    return agsubg(parent, (char *)name, 1);
}

static Agnode_t *node(Agraph_t *g, const char *name)
{
    return agnode(g, (char *)name, 1);
}

static void style_cluster(Agraph_t *c, const char *label, const char *colour)
{
    set(c, "label", label);
    set(c, "style", "rounded");
    set(c, "color", colour);
    set(c, "id", agnameof(c));
}

static Agnode_t *plan_node(Agraph_t *rank, const lump_i_viz_node_t *nd)
{
    Agnode_t *v = node(rank, nd->name);
    if (v == NULL)
        return NULL;
    set(v, "id", nd->name);
    set(v, "label", nd->label);
    set(v, "fillcolor", nd->fill);
    set(v, "shape", nd->shape);
    set(v, "style", nd->style);
    if (nd->line != NULL)
        set(v, "color", nd->line);
    if (nd->fontcolor != NULL)
        set(v, "fontcolor", nd->fontcolor);
    if (nd->peripheries != 1)
        set(v, "peripheries", nd->peripheries == 2 ? "2" : "1");
    return v;
}

/* The layer titles as a row of text nodes in a cluster of their own,
 * chained by invisible edges so that each sits in its layer's column. As
 * cluster labels they were crossed by the straight edges into a short
 * layer; a separate row keeps them clear. */
static int build_headers(Agraph_t *top, const lump_i_viz_side_t *s)
{
    char name[64];
    Agraph_t *h;
    Agnode_t *prev = NULL;
    snprintf(name, sizeof name, "cluster_%s_head", s->prefix);
    h = subgraph(top, name);
    if (h == NULL)
        return 0;
    set(h, "style", "invis");
    for (size_t li = 0; li < s->n_layers; li++) {
        Agnode_t *v;
        snprintf(name, sizeof name, "%s_head%zu", s->prefix, li);
        v = node(h, name);
        if (v == NULL)
            return 0;
        set(v, "id", name);
        set(v, "shape", "plaintext");
        set(v, "style", "");
        set(v, "fontsize", "11");
        set(v, "label", s->layers[li].label);
        if (prev != NULL) {
            Agedge_t *e = agedge(h, prev, v, NULL, 1);
            if (e == NULL)
                return 0;
            set(e, "style", "invis");
        }
        prev = v;
    }
    return 1;
}

/* An invisible flat edge from A to B (same rank): in a left-to-right
 * drawing dot puts A below B. Chained from each node to the one before it,
 * they make a layer read in index order, top to bottom, rather than in the
 * order dot's crossing minimisation prefers (measured with Graphviz 2.43;
 * it holds only with remincross=false, set in build_graph). */
static int chain(Agraph_t *g, Agnode_t *a, Agnode_t *b)
{
    Agedge_t *e = agedge(g, a, b, NULL, 1);
    if (e == NULL)
        return 0;
    set(e, "style", "invis");
    return 1;
}

static int build_side(Agraph_t *g, const lump_i_viz_side_t *s, Agnode_t **made)
{
    char name[64], buf[32];
    Agraph_t *top = g;
    if (s->label != NULL) {
        snprintf(name, sizeof name, "cluster_%s", s->prefix);
        top = subgraph(g, name);
        if (top == NULL)
            return 0;
        style_cluster(top, s->label, "#888888");
        set(top, "fontsize", "12");
    }
    for (size_t li = 0; li < s->n_layers; li++) {
        const lump_i_viz_layer_t *lay = &s->layers[li];
        Agraph_t *c, *rank;
        snprintf(name, sizeof name, "cluster_%s%zu", s->prefix, li);
        c = subgraph(top, name);
        snprintf(name, sizeof name, "%s%zu", s->prefix, li);
        rank = c != NULL ? subgraph(c, name) : NULL;
        if (rank == NULL)
            return 0;
        style_cluster(c, "", "#CCCCCC");
        set(rank, "rank", "same");
        for (size_t k = lay->first; k < lay->first + lay->n; k++) {
            if ((made[k] = plan_node(rank, &s->nodes[k])) == NULL)
                return 0;
            if (k > lay->first && !chain(rank, made[k], made[k - 1]))
                return 0;
        }
    }
    if (!build_headers(top, s))
        return 0;
    for (size_t k = 0; k < s->n_edges; k++) {
        const lump_i_viz_edge_t *e = &s->edges[k];
        Agedge_t *a = agedge(top, made[e->src], made[e->dst], NULL, 1);
        if (a == NULL)
            return 0;
        snprintf(buf, sizeof buf, "%.2f", e->width);
        set(a, "penwidth", buf);
        set(a, "color",
            e->nneg == 0   ? LUMP_I_VIZ_POS
            : e->npos == 0 ? LUMP_I_VIZ_NEG
                           : LUMP_I_VIZ_MIXED);
    }
    return 1;
}

/* One row of the edge key: an invisible point, an edge in COLOUR, and the
 * text. Plain nodes rather than an HTML-like table, whose layout leaks
 * memory in Graphviz 2.43. */
static int key_row(Agraph_t *points, Agraph_t *texts, const char *name, const char *colour,
                   const char *text, Agnode_t **first)
{
    char nm[64];
    Agnode_t *a, *b;
    Agedge_t *e;
    snprintf(nm, sizeof nm, "legend_%s", name);
    a = node(points, nm);
    snprintf(nm, sizeof nm, "legend_%s_text", name);
    b = node(texts, nm);
    if (a == NULL || b == NULL || (e = agedge(agparent(points), a, b, NULL, 1)) == NULL)
        return 0;
    set(a, "shape", "point");
    set(a, "style", "invis");
    set(a, "id", agnameof(a));
    set(b, "shape", "plaintext");
    set(b, "label", text);
    set(b, "id", agnameof(b));
    set(e, "color", colour);
    set(e, "penwidth", "2");
    if (*first == NULL)
        *first = a;
    return 1;
}

static int build_legend(Agraph_t *g, const lump_i_viz_plan_t *p)
{
    Agraph_t *c = subgraph(g, "cluster_legend"), *points, *texts;
    Agnode_t *row[6];
    size_t n = 0;
    if (c == NULL || (points = subgraph(c, "legend_points")) == NULL ||
        (texts = subgraph(c, "legend_texts")) == NULL)
        return 0;
    style_cluster(c,
                  p->summarised ? "legend (edge width: mean |w|, scaled per layer)"
                                : "legend (edge width: |w|, scaled per layer)",
                  "#888888");
    set(points, "rank", "same");
    set(texts, "rank", "same");
    if (p->lumped && p->merged_any) {
        Agnode_t *v = node(c, "legend_block");
        set(v, "label", "colour + shape:\\none per merged block");
        set(v, "fillcolor", lump_i_viz_fill(0));
        row[n++] = v;
    }
    if (p->plain_singletons) {
        Agnode_t *v = node(c, "legend_single");
        set(v, "label", "alone in\\nits block");
        row[n++] = v;
    }
    row[n] = node(c, "legend_output");
    set(row[n], "label", "output");
    set(row[n++], "peripheries", "2");
    if (p->removed) {
        Agnode_t *v = node(c, "legend_removed");
        set(v, "label", p->box_causes ? "removed on the box\\n(inactive, folded, lumped)"
                                      : "removed\\n(dead, const)");
        set(v, "style", "filled,dashed");
        set(v, "fillcolor", LUMP_I_VIZ_REMOVED_FILL);
        set(v, "color", LUMP_I_VIZ_REMOVED_LINE);
        set(v, "fontcolor", LUMP_I_VIZ_REMOVED_LINE);
        row[n++] = v;
    }
    row[n] = NULL;
    if (!key_row(points, texts, "pos", LUMP_I_VIZ_POS, "weight > 0", &row[n]) ||
        !key_row(points, texts, "neg", LUMP_I_VIZ_NEG, "weight < 0", &row[n]) ||
        (p->mixed &&
         !key_row(points, texts, "mixed", LUMP_I_VIZ_MIXED, "weights of both signs", &row[n])))
        return 0;
    n++;
    /* the key's rows in the order above, as the layers' nodes */
    {
        Agnode_t *pos = agnode(points, (char *)"legend_pos", 0);
        Agnode_t *neg = agnode(points, (char *)"legend_neg", 0);
        Agnode_t *mix = agnode(points, (char *)"legend_mixed", 0);
        if (!chain(points, neg, pos) || (mix != NULL && !chain(points, mix, neg)))
            return 0;
    }
    for (size_t k = 0; k + 1 < n; k++)
        set(row[k], "id", agnameof(row[k]));
    /* invisible edges lay the legend out as one row */
    for (size_t k = 0; k + 1 < n; k++)
        set(agedge(c, row[k], row[k + 1], NULL, 1), "style", "invis");
    return 1;
}

/* The default attributes of the graph, its nodes and its edges, in the
 * order they are declared: words name=value, as DOT writes them; an empty
 * value is the plan's font. */
static const struct {
    int kind;
    const char *attrs;
} defaults[] = {
    {AGRAPH, "rankdir=LR fontname= fontsize=10 nodesep=0.08 ranksep=0.9 "
             /* straight edges, as in the usual drawings of networks; they
              * join consecutive ranks only, so with the ports below they
              * can clip a node only where a neighbour of an end is wider
              * than the end (splines=polyline avoids even that, at the cost
              * of a bend in every edge) */
             "splines=line outputorder=edgesfirst pad=0.15 "
             /* dot's final crossing minimisation over the whole graph
              * ignores the order that flat edges inside clusters ask for
              * (see chain) */
             "remincross=false"},
    {AGNODE, "fontname= fontsize=10 shape=ellipse style=filled fillcolor=#FFFFFF width=0.3 "
             "height=0.3 margin=0.04,0.02 penwidth=0.8"},
    /* every edge leaves its node on the right and enters on the left: a
     * steep line from a node's centre clipped the node's neighbours in its
     * column (in the ACAS Xu gallery figure 195 such clips before, 82 after) */
    {AGEDGE, "tailport=e headport=w arrowhead=none color=" LUMP_I_VIZ_MIXED " penwidth=1"},
};

/* Declare the defaults of KIND that ATTRS (a row of defaults) names, in
 * order; FONT stands for an empty value. */
static void set_defaults(Agraph_t *g, int kind, const char *attrs, const char *font)
{
    while (*attrs != '\0') {
        size_t len = strcspn(attrs, " "), eq = strcspn(attrs, "=");
        char name[32], value[32];
        snprintf(name, sizeof name, "%.*s", (int)eq, attrs);
        snprintf(value, sizeof value, "%.*s", (int)(len - eq - 1), attrs + eq + 1);
        set_default(g, kind, name, value[0] != '\0' ? value : font);
        attrs += len + (attrs[len] == ' ');
    }
}

static Agraph_t *build_graph(const lump_i_viz_plan_t *p)
{
    static Agdisc_t disc;
    Agraph_t *g;
    Agnode_t **made = NULL;
    size_t most = 0;
    disc.mem = &AgMemDisc;
    disc.id = &id_disc;
    disc.io = &AgIoDisc;
    g = agopen("lumpnet", Agdirected, &disc);
    if (g == NULL)
        return NULL;
    for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++)
        set_defaults(g, defaults[k].kind, defaults[k].attrs, p->font);
    set(g, "label", p->caption);
    set(g, "labelloc", "b");
    set(g, "fontsize", "12");
    if (p->width > 0 && p->height > 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "%g,%g", p->width, p->height);
        set(g, "size", buf);
    }
    /* dpi scales the bitmap; in SVG and PDF it would only change the
     * stated size, so vector figures keep Graphviz's 72 points an inch */
    if (p->dpi > 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "%g", p->dpi);
        set(g, "dpi", buf);
        /* a bitmap pasted into a paper or a slide needs an opaque page */
        set(g, "bgcolor", "white");
    }
    for (size_t k = 0; k < p->n_sides; k++)
        most = p->sides[k].n_nodes > most ? p->sides[k].n_nodes : most;
    made = lump_alloc_array(most + 1, sizeof *made);
    /* dot stacks unconnected parts of an LR drawing from the bottom up in
     * the order they were made: legend, quotient, original reads, from the
     * top, original, quotient, legend */
    if (p->legend && !build_legend(g, p))
        goto fail;
    for (size_t k = p->n_sides; k-- > 0;)
        if (!build_side(g, &p->sides[k], made))
            goto fail;
    free(made);
    return g;
fail:
    free(made);
    agclose(g);
    return NULL;
}

/* SVG: drop the generator comment, which names the Graphviz version, so
 * that a figure does not change when only Graphviz does. */
static void strip_generator(char *buf, size_t *len)
{
    const char *tag = "<!-- Generated by graphviz";
    char *a = strstr(buf, tag), *b;
    if (a == NULL || (b = strstr(a, "-->\n")) == NULL)
        return;
    b += 4;
    memmove(a, b, (size_t)(buf + *len - b) + 1);
    *len -= (size_t)(b - a);
}

/* PDF: cairo stamps the time of writing; overwrite its digits in place
 * (same length, so the cross-reference offsets stay right). */
static void fix_pdf_dates(char *buf, size_t len)
{
    const char *keys[] = {"/CreationDate (D:", "/ModDate (D:"};
    for (size_t k = 0; k < 2; k++) {
        size_t kl = strlen(keys[k]);
        for (size_t i = 0; i + kl < len; i++)
            if (memcmp(buf + i, keys[k], kl) == 0) {
                const char *fixed = "20000101000000";
                for (size_t j = 0; fixed[j] != '\0' && i + kl + j < len && buf[i + kl + j] >= '0' &&
                                   buf[i + kl + j] <= '9';
                     j++)
                    buf[i + kl + j] = fixed[j];
            }
    }
}

/* The child's report: one tag byte, then the figure or a message. */
enum { TAG_OK = 'K', TAG_START = 'S', TAG_LAYOUT = 'L', TAG_RENDER = 'R', TAG_PLUGIN = 'P' };

typedef struct {
    Agraph_t *g;
    const char *name; /* the Graphviz output format */
} render_job_t;

static void report(int fd, char tag, const char *text, size_t len)
{
    if (lump_i_child_write(fd, &tag, 1) == 0)
        (void)lump_i_child_write(fd, text, len);
}

/* In the child: lay out and render, and report. A fresh context each time
 * (the child ends with it): Graphviz 2.43's pango plugin keeps a pointer
 * into the first context's font cache, so contexts must not be freed and
 * made again within one process. Warnings are collected too: "Could not
 * load" there tells a plugin that exists but could not be loaded (short of
 * memory) from one that is missing. */
static void render_child(int fd, void *ctx)
{
    const render_job_t *job = ctx;
    GVC_t *gvc;
    char *buf = NULL;
    unsigned int ulen = 0;
    agseterr(AGWARN);
    gv_msg[0] = '\0';
    gvc = gvContext();
    if (gvc == NULL) {
        report(fd, TAG_START, "", 0);
        return;
    }
    if (gvLayout(gvc, job->g, "dot") != 0) {
        report(fd, TAG_LAYOUT, gv_msg, strlen(gv_msg));
        return;
    }
    if (gvRenderData(gvc, job->g, (char *)job->name, &buf, &ulen) != 0 || buf == NULL) {
        report(fd, strstr(gv_msg, "Could not load") != NULL ? TAG_PLUGIN : TAG_RENDER, gv_msg,
               strlen(gv_msg));
        return;
    }
    /* an SVG still comes out without the plugin, its text measured by
     * estimate: not the figure of the same input elsewhere */
    if (strstr(gv_msg, "Could not load") != NULL) {
        report(fd, TAG_PLUGIN, gv_msg, strlen(gv_msg));
        return;
    }
    report(fd, TAG_OK, buf, ulen);
}

/* The last line of Graphviz's messages M (the error itself), in place. */
static const char *last_message(char *m)
{
    size_t n = strlen(m);
    char *nl;
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = '\0';
    nl = strrchr(m, '\n');
    return nl != NULL ? nl + 1 : m;
}

/* Why the renderer could not finish, when a memory limit is the likely
 * cause: "under the memory limit of N MB (NAME)", with the name the
 * program gave the limit (lump_memory_name), or "" without a limit. */
static void limit_text(char *out, size_t cap)
{
    size_t mb = lump_memory_limit() >> 20;
    const char *name = lump_i_memory_name();
    out[0] = '\0';
    if (mb > 0)
        snprintf(out, cap, " under the memory limit of %zu MB%s%s%s", mb, name != NULL ? " (" : "",
                 name != NULL ? name : "", name != NULL ? ")" : "");
}

/* The child's report C as an error, or LUMP_OK with *FIG, *LEN the
 * figure inside C. */
static lump_error_t child_verdict(char **fig, size_t *len, lump_i_child_t *c, const char *name)
{
    char lim[96];
    char tag = c->len > 0 ? c->data[0] : 0;
    limit_text(lim, sizeof lim);
    if (c->signal == SIGINT && lump_cancel_requested())
        return lump_error_set(LUMP_EINTERRUPTED, "interrupted");
    if (c->signal != 0 || c->code != 0 || tag == 0) {
        char how[64];
        if (c->signal != 0)
            snprintf(how, sizeof how, "killed by signal %d, %s", c->signal, strsignal(c->signal));
        else
            snprintf(how, sizeof how, "exit code %d", c->code);
        /* with a limit set, it is the likely cause (without one, LIM is "") */
        return lump_error_set(
            lim[0] != '\0' ? LUMP_ENOMEM : LUMP_EUNSUPPORTED,
            lim[0] != '\0' ? "draw: the renderer (Graphviz with its fonts) ran out of memory%s and "
                             "died (%s); nothing was written: raise the limit, or write .dot and "
                             "run dot on it"
                           : "draw: the renderer (Graphviz) died%s (%s); nothing was written",
            lim, how);
    }
    switch (tag) {
    case TAG_OK:
        *fig = c->data + 1;
        *len = c->len - 1;
        return LUMP_OK;
    case TAG_START:
        return lump_error_set(LUMP_ENOMEM, "draw: Graphviz could not start%s%s", lim,
                              lim[0] != '\0' ? ": raise the limit" : "");
    case TAG_LAYOUT:
        return lump_error_set(lim[0] != '\0' ? LUMP_ENOMEM : LUMP_EIO,
                              "draw: the dot layout failed%s: %s", lim, last_message(c->data + 1));
    case TAG_PLUGIN:
        if (lim[0] != '\0')
            return lump_error_set(LUMP_ENOMEM,
                                  "draw: Graphviz could not load its cairo plugin "
                                  "(libgvplugin_pango, which measures the text and draws %s)%s: "
                                  "it ran out of memory; raise the limit",
                                  name, lim);
        /* no limit: the plugin itself is broken */
        __attribute__((fallthrough));
    default:
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "draw: Graphviz cannot write %s here (is its cairo plugin, "
                              "libgvplugin_pango, installed?) %s",
                              name, last_message(c->data + 1));
    }
}

/* Whether the LEN bytes at S (which may hold NULs) contain the text T. */
static int contains(const char *s, size_t len, const char *t)
{
    size_t n = strlen(t);
    for (size_t i = 0; i + n <= len; i++)
        if (s[i] == t[0] && memcmp(s + i, t, n) == 0)
            return 1;
    return 0;
}

/* Whether FIG (LEN bytes, NUL-terminated) is a whole figure of format
 * FMT: cairo short of memory can fail quietly and hand back an empty or
 * cut-off file. */
static int figure_complete(const char *fig, size_t len, lump_viz_format_t fmt)
{
    static const unsigned char png_head[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char png_tail[8] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    size_t end = len;
    if (fmt == LUMP_VIZ_PNG)
        return len >= 20 && memcmp(fig, png_head, 8) == 0 &&
               memcmp(fig + len - 8, png_tail, 8) == 0;
    while (end > 0 && (fig[end - 1] == '\n' || fig[end - 1] == '\r' || fig[end - 1] == ' '))
        end--;
    if (fmt == LUMP_VIZ_PDF) /* a page with its contents, not just the frame */
        return len > 10 && memcmp(fig, "%PDF-", 5) == 0 && end >= 5 &&
               memcmp(fig + end - 5, "%%EOF", 5) == 0 && contains(fig, len, "/Contents") &&
               contains(fig, len, "endstream");
    return end >= 6 && memcmp(fig + end - 6, "</svg>", 6) == 0;
}

lump_error_t lump_i_viz_render(FILE *f, lump_viz_format_t fmt, const lump_i_viz_plan_t *p)
{
    lump_error_t err = LUMP_OK;
    Agraph_t *g;
    lump_i_child_t child;
    render_job_t job;
    char *fig = NULL;
    size_t len = 0;
    const char *name = fmt == LUMP_VIZ_SVG ? "svg" : fmt == LUMP_VIZ_PDF ? "pdf" : "png";
    agerrlevel_t level = agseterr(AGERR);
    agusererrf old = agseterrf(gv_err);
    memset(&child, 0, sizeof child);
    gv_msg[0] = '\0';
    {
        lump_i_viz_plan_t q = *p;
        q.dpi = fmt == LUMP_VIZ_PNG ? p->dpi : 0;
        g = build_graph(&q);
    }
    if (g == NULL) {
        err = lump_error_set(LUMP_ENOMEM, "draw: building the graph failed (out of memory)");
        goto cleanup;
    }
    if (fmt == LUMP_VIZ_DOT) {
        if (agwrite(g, f) == EOF || ferror(f))
            err = lump_error_set(LUMP_EIO, "draw: writing the DOT text failed");
        goto cleanup;
    }
    job.g = g;
    job.name = name;
    LUMP_CHECK(lump_i_child_run(&child, render_child, &job));
    /* close to a memory limit the font stack dies on some runs and not
     * on others (threads, address-space layout): one more try */
    if (child.signal != 0 && child.signal != SIGINT && !lump_cancel_requested()) {
        lump_i_child_clear(&child);
        LUMP_CHECK(lump_i_child_run(&child, render_child, &job));
    }
    LUMP_CHECK(child_verdict(&fig, &len, &child, name));
    if (!figure_complete(fig, len, fmt)) {
        char lim[96];
        limit_text(lim, sizeof lim);
        err = lump_error_set(lim[0] != '\0' ? LUMP_ENOMEM : LUMP_EUNSUPPORTED,
                             "draw: the renderer (Graphviz with cairo) produced an incomplete "
                             "%s (%zu bytes)%s%s; nothing was written",
                             name, len, lim[0] != '\0' ? ": it ran out of memory" : "", lim);
        goto cleanup;
    }
    /* the figure is NUL-terminated in CHILD, for the text searches */
    if (fmt == LUMP_VIZ_SVG)
        strip_generator(fig, &len);
    else if (fmt == LUMP_VIZ_PDF)
        fix_pdf_dates(fig, len);
    if (fwrite(fig, 1, len, f) != len)
        err = lump_error_set(LUMP_EIO, "draw: writing the %s failed", name);
cleanup:
    lump_i_child_clear(&child);
    if (g != NULL)
        agclose(g);
    agseterrf(old);
    agseterr(level);
    return err;
}
