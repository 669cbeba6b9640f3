/* plan.c -- what a drawing shows: the nodes of every layer (neurons, whole
 * blocks or a "+N more" summary), their labels and styles, and the caption */
#include <stdlib.h>
#include <string.h>
#include "viz_i.h"
#include "alloc_i.h"

/* What a lumping says about one layer of a side. On the original side
 * neuron v lies in block BLK[v] at position POS[v]; on the quotient side
 * quotient neuron j is the KEEP block BLK[j]. */
typedef struct {
    const lump_layer_lumping_t *ll; /* NULL: no lumping, or the inputs */
    size_t *blk, *pos;
    int *slot; /* colour slot of each block */
} info_t;

/* What one side is drawn from. */
typedef struct {
    const lump_net_t *n;
    const lump_lumping_t *L;
    int quotient;
    const lump_viz_opts_t *o;
    lump_i_viz_plan_t *p;
} side_src_t;

static void info_clear(info_t *in)
{
    free(in->blk);
    free(in->pos);
    free(in->slot);
    memset(in, 0, sizeof *in);
}

static int merged(const lump_block_t *b)
{
    return b->fate == LUMP_FATE_KEEP && b->n_members > 1;
}

/* Colour slots: merged blocks only, so that the blocks a reader looks for
 * are the coloured ones; a neuron alone in its block stays white (a colour
 * of its own would make ten singleton outputs look like ten blocks);
 * removed neurons grey. Only the slot modulo 24 matters (8 colours, 3
 * shapes). *PLAIN is set when a singleton is drawn. */
static void info_setup(info_t *in, const lump_layer_lumping_t *ll, int quotient, int *plain)
{
    int next = 0;
    size_t j = 0;
    in->ll = ll;
    in->slot = lump_alloc_array(ll->n_blocks + 1, sizeof *in->slot);
    in->blk = lump_alloc_array(ll->size + 1, sizeof *in->blk);
    in->pos = lump_alloc_array(ll->size + 1, sizeof *in->pos);
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < ll->n_blocks; k++) {
            const lump_block_t *b = &ll->blocks[k];
            if (b->fate == LUMP_FATE_KEEP && b->n_members == 1 && pass == 1) {
                in->slot[k] = LUMP_I_VIZ_PLAIN;
                *plain = 1;
            } else if (b->fate == LUMP_FATE_KEEP && (b->n_members > 1) == (pass == 0)) {
                in->slot[k] = next;
                next = (next + 1) % 24;
            } else if (b->fate != LUMP_FATE_KEEP)
                in->slot[k] = LUMP_I_VIZ_REMOVED;
        }
    for (size_t k = 0; k < ll->n_blocks; k++) {
        const lump_block_t *b = &ll->blocks[k];
        if (quotient) {
            if (b->fate == LUMP_FATE_KEEP)
                in->blk[j++] = k;
            continue;
        }
        for (size_t t = 0; t < b->n_members; t++) {
            in->blk[b->members[t]] = k;
            in->pos[b->members[t]] = t;
        }
    }
}

lump_i_viz_node_t *lump_i_viz_new_node(lump_i_viz_side_t *s)
{
    lump_i_viz_node_t *nd;
    if (s->n_nodes == s->cap_nodes) {
        size_t cap = 2 * s->cap_nodes + 16;
        lump_i_viz_node_t *a = lump_realloc_array(s->nodes, cap, sizeof *a);
        s->nodes = a;
        s->cap_nodes = cap;
    }
    nd = &s->nodes[s->n_nodes++];
    memset(nd, 0, sizeof *nd);
    nd->fill = "#FFFFFF";
    nd->shape = "ellipse";
    nd->style = "filled";
    nd->peripheries = 1;
    return nd;
}

static int is_one(const lump_arr_t *a, size_t i)
{
    mpq_t x;
    int one;
    mpq_init(x);
    lump_arr_get(x, a, i);
    one = mpq_cmp_ui(x, 1, 1) == 0;
    mpq_clear(x);
    return one;
}

/* "c: 1, 2, 1/2" for the scales of B, at most four of them; nothing when
 * they are all 1. */
static void add_scales(lump_i_viz_str_t *t, const lump_block_t *b)
{
    mpq_t x;
    size_t k, shown = b->n_members < 4 ? b->n_members : 4;
    for (k = 0; k < b->n_members && is_one(&b->scales, k); k++)
        ;
    if (k == b->n_members)
        return;
    mpq_init(x);
    lump_i_viz_str_add(t, "\\nc: ");
    for (k = 0; k < shown; k++) {
        lump_arr_get(x, &b->scales, k);
        lump_i_viz_str_add(t, "%s", k > 0 ? ", " : "");
        lump_i_viz_add_q(t, x);
    }
    if (shown < b->n_members)
        lump_i_viz_str_add(t, ", …");
    mpq_clear(x);
}

/* The name of neuron V of layer LI as a reader of the original sees it. */
static void add_neuron_name(lump_i_viz_str_t *t, size_t li, size_t last, size_t v)
{
    if (li == 0)
        lump_i_viz_str_add(t, "x%zu", v);
    else if (li == last)
        lump_i_viz_str_add(t, "y%zu", v);
    else
        lump_i_viz_str_add(t, "%zu", v);
}

void lump_i_viz_style_block(lump_i_viz_node_t *nd, int slot)
{
    nd->fill = lump_i_viz_fill(slot);
    nd->shape = lump_i_viz_shape(slot);
    if (slot == LUMP_I_VIZ_REMOVED) {
        nd->style = "filled,dashed";
        nd->line = LUMP_I_VIZ_REMOVED_LINE;
        nd->fontcolor = LUMP_I_VIZ_REMOVED_LINE;
    }
}

static void add_removed(lump_i_viz_str_t *t, const lump_block_t *b, const side_src_t *src,
                        size_t li, size_t v)
{
    if (src->o->cause != NULL) {
        static const char *const why[] = {"kept", "inactive", "folded", "lumped"};
        size_t at = v;
        unsigned char c;
        for (size_t i = 0; i + 1 < li; i++)
            at += src->n->layers[i].size;
        c = src->o->cause[at];
        if (c > 0 && c < 4) {
            lump_i_viz_str_add(t, "\\n%s", why[c]);
            return;
        }
    }
    if (b->fate == LUMP_FATE_DEAD) {
        lump_i_viz_str_add(t, "\\ndead");
        return;
    }
    lump_i_viz_str_add(t, "\\nconst ");
    lump_i_viz_add_q(t, b->value);
}

/* A node for neuron V of layer LI. */
static void neuron_node(lump_i_viz_side_t *s, const side_src_t *src, const info_t *in, size_t li,
                        size_t v)
{
    const size_t last = src->n->n_layers;
    lump_i_viz_node_t *nd = lump_i_viz_new_node(s);
    lump_i_viz_str_t t;
    lump_i_viz_str_init(&t);
    snprintf(nd->name, sizeof nd->name, "%s%zu_%zu", s->prefix, li, v);
    nd->neuron = 1;
    if (li == 0) {
        nd->shape = "box";
        nd->style = "rounded,filled";
    }
    if (li == last)
        nd->peripheries = 2;
    if (in->ll == NULL)
        add_neuron_name(&t, li, last, v);
    else if (src->quotient) {
        const lump_block_t *b = &in->ll->blocks[in->blk[v]];
        lump_i_viz_style_block(nd, in->slot[in->blk[v]]);
        if (b->n_members > 1) {
            lump_i_viz_str_add(&t, "×%zu", b->n_members);
            add_scales(&t, b);
        } else
            add_neuron_name(&t, li, last, b->members[0]);
    } else {
        const lump_block_t *b = &in->ll->blocks[in->blk[v]];
        lump_i_viz_style_block(nd, in->slot[in->blk[v]]);
        add_neuron_name(&t, li, last, v);
        if (b->fate != LUMP_FATE_KEEP)
            add_removed(&t, b, src, li, v);
        else if (!is_one(&b->scales, in->pos[v])) {
            mpq_t c;
            mpq_init(c);
            lump_arr_get(c, &b->scales, in->pos[v]);
            lump_i_viz_str_add(&t, "\\nc=");
            lump_i_viz_add_q(&t, c);
            mpq_clear(c);
        }
    }
    nd->label = lump_i_viz_str_take(&t);
}

/* A node for the whole block K of layer LI (original side, few blocks). */
static void block_node(lump_i_viz_side_t *s, const side_src_t *src, const info_t *in, size_t li,
                       size_t k)
{
    const lump_block_t *b = &in->ll->blocks[k];
    lump_i_viz_node_t *nd;
    lump_i_viz_str_t t;
    size_t shown = b->n_members < 3 ? b->n_members : 3;
    if (b->n_members == 1) {
        neuron_node(s, src, in, li, b->members[0]);
        return;
    }
    nd = lump_i_viz_new_node(s);
    lump_i_viz_str_init(&t);
    snprintf(nd->name, sizeof nd->name, "%s%zu_b%zu", s->prefix, li, k);
    lump_i_viz_style_block(nd, in->slot[k]);
    lump_i_viz_str_add(&t, "×%zu\\n", b->n_members);
    for (size_t j = 0; j < shown; j++)
        lump_i_viz_str_add(&t, "%s%zu", j > 0 ? ", " : "", b->members[j]);
    if (shown < b->n_members)
        lump_i_viz_str_add(&t, ", …");
    if (b->fate == LUMP_FATE_DEAD)
        lump_i_viz_str_add(&t, "\\ndead");
    nd->label = lump_i_viz_str_take(&t);
}

void lump_i_viz_more_node(lump_i_viz_side_t *s, size_t li, size_t count)
{
    lump_i_viz_node_t *nd = lump_i_viz_new_node(s);
    lump_i_viz_str_t t;
    lump_i_viz_str_init(&t);
    snprintf(nd->name, sizeof nd->name, "%s%zu_more", s->prefix, li);
    nd->shape = "box";
    nd->style = "filled,dotted";
    nd->fill = LUMP_I_VIZ_MORE_FILL;
    lump_i_viz_str_add(&t, "+%zu more", count);
    nd->label = lump_i_viz_str_take(&t);
}

/* Rank of neuron V when a wide layer is cut down: two members of every
 * merged block first (enough to show the merge), then removed neurons,
 * then further members, then the rest, each by index. */
static int telling(const info_t *in, int quotient, size_t v)
{
    const lump_block_t *b;
    if (in->ll == NULL)
        return 3;
    b = &in->ll->blocks[in->blk[v]];
    if (merged(b))
        return quotient || in->pos[v] < 2 ? 0 : 2;
    return !quotient && b->fate != LUMP_FATE_KEEP ? 1 : 3;
}

/* The nodes of layer LI; GROUP[v] receives the node of each neuron. */
static void layer_nodes(lump_i_viz_side_t *s, const side_src_t *src, const info_t *in, size_t li,
                        size_t size, size_t *group)
{
    const size_t W = src->o->max_width;
    char *chosen = NULL;
    if (size <= W) {
        for (size_t v = 0; v < size; v++) {
            group[v] = s->n_nodes;
            neuron_node(s, src, in, li, v);
        }
        return;
    }
    src->p->summarised = 1;
    if (!src->quotient && in->ll != NULL && in->ll->n_blocks <= W) {
        for (size_t k = 0; k < in->ll->n_blocks; k++) {
            const lump_block_t *b = &in->ll->blocks[k];
            for (size_t j = 0; j < b->n_members; j++)
                group[b->members[j]] = s->n_nodes;
            block_node(s, src, in, li, k);
        }
        return;
    }
    chosen = lump_alloc_zero(size, 1);
    {
        size_t room = W - 1, more = size - (W - 1);
        for (int rank = 0; rank < 4 && room > 0; rank++)
            for (size_t v = 0; v < size && room > 0; v++)
                if (!chosen[v] && telling(in, src->quotient, v) == rank) {
                    chosen[v] = 1;
                    room--;
                }
        for (size_t v = 0; v < size; v++)
            if (chosen[v]) {
                group[v] = s->n_nodes;
                neuron_node(s, src, in, li, v);
            }
        for (size_t v = 0; v < size; v++)
            if (!chosen[v])
                group[v] = s->n_nodes;
        lump_i_viz_more_node(s, li, more);
    }
    free(chosen);
}

static void layer_label(lump_i_viz_layer_t *lay, const lump_net_t *n, size_t li)
{
    lump_i_viz_str_t t;
    lump_i_viz_str_init(&t);
    if (li == 0)
        lump_i_viz_str_add(&t, "inputs\\n%zu", n->n_inputs);
    else {
        const lump_layer_t *l = &n->layers[li - 1];
        const char *act =
            lump_layer_uniform_act(l) ? lump_act_name(lump_layer_act(l, 0)->kind) : "mixed";
        if (li == n->n_layers)
            lump_i_viz_str_add(&t, "outputs\\n%s · %zu", act, l->size);
        else
            lump_i_viz_str_add(&t, "layer %zu\\n%s · %zu", li, act, l->size);
    }
    lay->label = lump_i_viz_str_take(&t);
}

static void build_side(lump_i_viz_side_t *s, const side_src_t *src)
{
    const lump_net_t *n = src->n;
    size_t *gprev = NULL, *gcur = NULL;
    info_t in;
    memset(&in, 0, sizeof in);
    s->n_layers = n->n_layers + 1;
    s->layers = lump_alloc_zero(s->n_layers, sizeof *s->layers);
    for (size_t li = 0; li < s->n_layers; li++) {
        size_t size = li == 0 ? n->n_inputs : n->layers[li - 1].size;
        gcur = lump_alloc_array(size + 1, sizeof *gcur);
        if (li > 0 && src->L != NULL)
            info_setup(&in, &src->L->layers[li - 1], src->quotient, &src->p->plain_singletons);
        s->layers[li].first = s->n_nodes;
        layer_label(&s->layers[li], n, li);
        layer_nodes(s, src, &in, li, size, gcur);
        s->layers[li].n = s->n_nodes - s->layers[li].first;
        if (li > 0)
            lump_i_viz_edges(s, n, li, gprev, gcur, src->o->max_edges, &src->p->pruned,
                             &src->p->mixed);
        info_clear(&in);
        free(gprev);
        gprev = gcur;
        gcur = NULL;
    }
    info_clear(&in);
    free(gprev);
    free(gcur);
}

/* shape_mismatch -- the error of a WHAT ("lumping", "quotient") of
 * N_INPUTS inputs and N_LAYERS layers drawn with NET, which has others. */
static lump_error_t shape_mismatch(const char *what, size_t n_inputs, size_t n_layers,
                                   const lump_net_t *net)
{
    return lump_error_set(LUMP_EINPUT,
                          "the %s has %zu inputs and %zu layers, the network %zu and %zu", what,
                          n_inputs, n_layers, net->n_inputs, net->n_layers);
}

/* L must partition every layer of NET, so that each neuron has one colour. */
static lump_error_t check_lumping(const lump_net_t *net, const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    char *seen = NULL;
    if (L->n_inputs != net->n_inputs || L->n_layers != net->n_layers)
        return shape_mismatch("lumping", L->n_inputs, L->n_layers, net);
    for (size_t i = 0; i < L->n_layers; i++) {
        const lump_layer_lumping_t *ll = &L->layers[i];
        if (ll->size != net->layers[i].size)
            return lump_error_set(LUMP_EINPUT,
                                  "layer %zu has %zu neurons in the lumping, %zu in the network",
                                  i + 1, ll->size, net->layers[i].size);
        free(seen);
        seen = lump_alloc_zero(ll->size + 1, 1);
        for (size_t k = 0; k < ll->n_blocks; k++) {
            const lump_block_t *b = &ll->blocks[k];
            if (b->n_members == 0 || b->scales.len != b->n_members) {
                err = lump_error_set(LUMP_EINPUT, "layer %zu, block %zu: %s", i + 1, k,
                                     b->n_members == 0 ? "no members"
                                                       : "one scale per member expected");
                goto cleanup;
            }
            for (size_t j = 0; j < b->n_members; j++) {
                size_t v = b->members[j];
                if (v >= ll->size || seen[v]) {
                    err =
                        lump_error_set(LUMP_EINPUT, "layer %zu, block %zu: neuron %zu %s", i + 1, k,
                                       v, v >= ll->size ? "is out of range" : "is in two blocks");
                    goto cleanup;
                }
                seen[v] = 1;
            }
        }
        for (size_t v = 0; v < ll->size; v++)
            if (!seen[v]) {
                err = lump_error_set(LUMP_EINPUT, "layer %zu: neuron %zu is in no block", i + 1, v);
                goto cleanup;
            }
    }
cleanup:
    free(seen);
    return err;
}

static lump_error_t check_quotient(const lump_net_t *net, const lump_lumping_t *L,
                                   const lump_net_t *q)
{
    if (q->n_inputs != net->n_inputs || q->n_layers != net->n_layers)
        return shape_mismatch("quotient", q->n_inputs, q->n_layers, net);
    for (size_t i = 0; i < q->n_layers; i++) {
        size_t want = lump_layer_lumping_kept(&L->layers[i]);
        size_t prev = i == 0 ? q->n_inputs : q->layers[i - 1].size;
        if (q->layers[i].size != want || q->layers[i].in_size != prev)
            return lump_error_set(LUMP_EINPUT,
                                  "quotient layer %zu has %zu neurons; the lumping keeps %zu "
                                  "blocks there",
                                  i + 1, q->layers[i].size, want);
    }
    return LUMP_OK;
}

int lump_i_viz_trivial(const lump_lumping_t *L)
{
    for (size_t i = 0; i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++)
            if (!(L->layers[i].blocks[k].fate == LUMP_FATE_KEEP &&
                  L->layers[i].blocks[k].n_members == 1))
                return 0;
    return 1;
}

static void make_caption(lump_i_viz_plan_t *p, const lump_net_t *net, const lump_lumping_t *L,
                         const lump_net_t *q, const lump_viz_opts_t *o)
{
    lump_i_viz_str_t t;
    const char *lname = o->lumping_name;
    lump_i_viz_str_init(&t);
    if (L != NULL && lname == NULL)
        lname = L->mode == LUMP_MODE_EXACT ? "exact lumping" : "proportional lumping";
    lump_i_viz_add_title(&t, o->title);
    if (L == NULL)
        lump_i_viz_str_add(&t, "%zu neurons", lump_net_neurons(net));
    else if (p->no_lumps)
        lump_i_viz_str_add(&t, "%zu neurons, no lumps (%s)", lump_net_neurons(net), lname);
    else if (q == NULL)
        lump_i_viz_str_add(&t, "%zu neurons in %zu blocks (%s)", lump_net_neurons(net),
                           lump_lumping_neurons_after(L), lname);
    else
        lump_i_viz_str_add(&t, "%zu → %zu neurons (%s)", lump_net_neurons(net), lump_net_neurons(q),
                           lname);
    lump_i_viz_caption_tail(&t, p, o);
    p->caption = lump_i_viz_str_take(&t);
}

/* lump_i_viz_add_title -- see viz_i.h. */
void lump_i_viz_add_title(lump_i_viz_str_t *t, const char *title)
{
    if (title == NULL || title[0] == '\0')
        return;
    /* a backslash starts a Graphviz escape (\N, \G, \l): double it */
    for (const char *c = title; *c != '\0'; c++)
        if (*c == '\\')
            lump_i_viz_str_add(t, "\\\\");
        else
            lump_i_viz_str_add(t, "%c", *c);
    lump_i_viz_str_add(t, ": ");
}

/* lump_i_viz_caption_tail -- see viz_i.h. */
void lump_i_viz_caption_tail(lump_i_viz_str_t *t, const lump_i_viz_plan_t *p,
                             const lump_viz_opts_t *o)
{
    if (p->summarised)
        lump_i_viz_str_add(t, "\\nlayers wider than %zu summarised", o->max_width);
    if (p->pruned)
        lump_i_viz_str_add(t,
                           "%sonly the strongest inputs of each node drawn where two "
                           "layers have more than %zu edges",
                           p->summarised ? "; " : "\\n", o->max_edges);
}

static void side_label(lump_i_viz_side_t *s, const char *what, const lump_net_t *n)
{
    lump_i_viz_str_t t;
    lump_i_viz_str_init(&t);
    lump_i_viz_str_add(&t, "%s: %zu neurons", what, lump_net_neurons(n));
    s->label = lump_i_viz_str_take(&t);
}

lump_error_t lump_i_viz_plan(lump_i_viz_plan_t *p, const lump_net_t *net, const lump_lumping_t *L,
                             const lump_net_t *q, const lump_viz_opts_t *o)
{
    lump_error_t err = LUMP_OK;
    memset(p, 0, sizeof *p);
    if (o->max_width < 2)
        return lump_error_set(LUMP_EUSAGE, "draw: the largest layer width must be at least 2");
    if (!(o->width >= 0 && o->height >= 0))
        return lump_error_set(LUMP_EUSAGE, "draw: the size must be positive");
    if (q != NULL && L == NULL)
        return lump_error_set(LUMP_EUSAGE, "draw: a quotient needs its lumping");
    if (o->quotient_only && q == NULL)
        return lump_error_set(LUMP_EUSAGE, "draw: drawing the quotient alone needs a quotient");
    if (L != NULL)
        LUMP_CHECK(check_lumping(net, L));
    if (q != NULL)
        LUMP_CHECK(check_quotient(net, L, q));
    p->font = o->font != NULL && o->font[0] != '\0' ? o->font : "DejaVu Sans";
    p->width = o->width;
    p->height = o->height;
    p->legend = o->legend;
    if (!(o->dpi > 0 && o->dpi <= 2400))
        return lump_error_set(LUMP_EUSAGE, "draw: the resolution must be 1 to 2400 dpi");
    p->dpi = o->dpi;
    p->box_causes = o->cause != NULL;
    for (size_t i = 0; L != NULL && i < L->n_layers; i++)
        for (size_t k = 0; k < L->layers[i].n_blocks; k++)
            if (merged(&L->layers[i].blocks[k]))
                p->merged_any = 1;
    /* a lumping that merges and removes nothing has a quotient equal to
     * the network: a second panel would only repeat the first */
    if (L != NULL && q != NULL && lump_i_viz_trivial(L)) {
        q = NULL;
        p->no_lumps = 1;
    }
    p->lumped = L != NULL && !p->no_lumps;
    if (!o->quotient_only || p->no_lumps) {
        side_src_t src = {net, L, 0, o, p};
        lump_i_viz_side_t *s = &p->sides[p->n_sides++];
        strcpy(s->prefix, "o");
        build_side(s, &src);
        if (q != NULL)
            side_label(s, "original", net);
    }
    if (q != NULL) {
        side_src_t src = {q, L, 1, o, p};
        lump_i_viz_side_t *s = &p->sides[p->n_sides++];
        strcpy(s->prefix, "q");
        build_side(s, &src);
        if (!o->quotient_only)
            side_label(s, o->cause != NULL ? "reduced on the box" : "quotient", q);
    }
    if (L != NULL)
        for (size_t i = 0; i < L->n_layers; i++)
            if (lump_layer_lumping_kept(&L->layers[i]) < L->layers[i].n_blocks)
                p->removed = 1;
    make_caption(p, net, L, q, o);
cleanup:
    if (err != LUMP_OK)
        lump_i_viz_plan_clear(p);
    return err;
}

void lump_i_viz_plan_clear(lump_i_viz_plan_t *p)
{
    for (size_t k = 0; k < p->n_sides; k++) {
        lump_i_viz_side_t *s = &p->sides[k];
        for (size_t i = 0; i < s->n_nodes; i++)
            free(s->nodes[i].label);
        for (size_t i = 0; s->layers != NULL && i < s->n_layers; i++)
            free(s->layers[i].label);
        free(s->layers);
        free(s->nodes);
        free(s->edges);
        free(s->label);
    }
    free(p->caption);
    memset(p, 0, sizeof *p);
}
