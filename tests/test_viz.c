/* test_viz.c -- drawings: what they show (nodes, groups, aggregated edges,
 * fills, labels), their formats, determinism and refusals */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "testutil.h"
#include "viz_i.h"

/* The certificate fixture of docs/certificates.md: a network of 2 inputs
 * and layers of 6, 4 and 2 neurons; its lumping keeps {0, 1, 3} (scales 1,
 * 2, 1/2) and {4} in layer 1 (2 constant, 5 dead), {0, 1} (scales 1, -2)
 * and {2} in layer 2 (3 dead); the quotient has layers of 2, 2 and 2. */
typedef struct {
    lump_net_t net, q;
    lump_lumping_t L;
} fx_t;

static void fx_load(fx_t *fx)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lump_net_init(&fx->net);
    lump_net_init(&fx->q);
    lump_lumping_init(&fx->L);
    tu_ok(lump_net_read(&fx->net, tu_src_path("data/cert/small.json")));
    tu_ok(lump_io_read_file(&buf, &len, tu_src_path("data/cert/small.cert.json")));
    tu_ok(lump_cert_read_buf(&fx->L, (const char *)buf, len, "small.cert.json"));
    free(buf);
    tu_ok(lump_quotient(&fx->q, &fx->net, &fx->L));
}

static void fx_clear(fx_t *fx)
{
    lump_lumping_clear(&fx->L);
    lump_net_clear(&fx->q);
    lump_net_clear(&fx->net);
}

/* The drawing in FMT as a string (to free). */
static char *render(lump_viz_format_t fmt, const lump_net_t *net, const lump_lumping_t *L,
                    const lump_net_t *q, lump_viz_opts_t *o, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    tu_ok(lump_viz_write(f, fmt, net, L, q, o));
    fclose(f);
    if (len != NULL)
        *len = n;
    return buf;
}

/* Neuron nodes of an SVG: <g id="o1_4" class="node">, digits after '_'. */
static size_t count_neuron_nodes(const char *svg)
{
    size_t n = 0;
    for (const char *p = svg; (p = strstr(p, "<g id=\"")) != NULL; p++) {
        const char *id = p + 7, *u = id + 1;
        if (*id != 'o' && *id != 'q')
            continue;
        while (*u >= '0' && *u <= '9')
            u++;
        if (*u != '_' || u[1] < '0' || u[1] > '9')
            continue;
        for (u++; *u >= '0' && *u <= '9'; u++)
            ;
        if (strncmp(u, "\" class=\"node\"", 14) == 0)
            n++;
    }
    return n;
}

/* The fill of the node with id ID in an SVG, into OUT. */
static void fill_of(char *out, size_t size, const char *svg, const char *id)
{
    char key[64];
    const char *p, *f;
    snprintf(key, sizeof key, "<g id=\"%s\" class=\"node\">", id);
    p = strstr(svg, key);
    if (p == NULL)
        fail_msg("no node %s in the SVG", id);
    f = strstr(p, "fill=\"");
    assert_non_null(f);
    f += 6;
    snprintf(out, size, "%.*s", (int)(strchr(f, '"') - f), f);
}

static size_t shown_neurons(const lump_net_t *n)
{
    size_t s = n->n_inputs;
    for (size_t i = 0; i < n->n_layers; i++)
        s += n->layers[i].size;
    return s;
}

static void format_from_path(void **state)
{
    (void)state;
    assert_int_equal(lump_viz_format_from_path("a/b.svg"), LUMP_VIZ_SVG);
    assert_int_equal(lump_viz_format_from_path("x.PDF"), LUMP_VIZ_PDF);
    assert_int_equal(lump_viz_format_from_path("x.png"), LUMP_VIZ_PNG);
    assert_int_equal(lump_viz_format_from_path("x.dot"), LUMP_VIZ_DOT);
    assert_int_equal(lump_viz_format_from_path("x.json"), LUMP_VIZ_AUTO);
    assert_int_equal(lump_viz_format_from_path("dir.svg/x"), LUMP_VIZ_AUTO);
    assert_int_equal(lump_viz_format_from_path("svg"), LUMP_VIZ_AUTO);
}

static void one_node_per_neuron(void **state)
{
    fx_t fx;
    lump_viz_opts_t o;
    char *svg;
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    svg = render(LUMP_VIZ_SVG, &fx.net, &fx.L, &fx.q, &o, NULL);
    /* 2 + 6 + 4 + 2 shown in the original, 2 + 2 + 2 + 2 in the quotient */
    assert_int_equal(count_neuron_nodes(svg), shown_neurons(&fx.net) + shown_neurons(&fx.q));
    assert_int_equal(o.nodes, shown_neurons(&fx.net) + shown_neurons(&fx.q));
    free(svg);
    fx_clear(&fx);
}

/* Same block, same fill; different kept blocks of a layer, different fills;
 * a quotient neuron has the fill of its block. */
static void fills_follow_blocks(void **state)
{
    fx_t fx;
    lump_viz_opts_t o;
    char *svg;
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    svg = render(LUMP_VIZ_SVG, &fx.net, &fx.L, &fx.q, &o, NULL);
    for (size_t i = 0; i < fx.L.n_layers; i++) {
        const lump_layer_lumping_t *ll = &fx.L.layers[i];
        size_t j = 0;
        for (size_t a = 0; a < ll->n_blocks; a++) {
            char id[32], fa[32], fb[32], fq[32];
            const lump_block_t *A = &ll->blocks[a];
            snprintf(id, sizeof id, "o%zu_%zu", i + 1, A->members[0]);
            fill_of(fa, sizeof fa, svg, id);
            for (size_t t = 1; t < A->n_members; t++) {
                snprintf(id, sizeof id, "o%zu_%zu", i + 1, A->members[t]);
                fill_of(fb, sizeof fb, svg, id);
                assert_string_equal(fa, fb);
            }
            if (A->fate != LUMP_FATE_KEEP)
                continue;
            snprintf(id, sizeof id, "q%zu_%zu", i + 1, j++);
            fill_of(fq, sizeof fq, svg, id);
            assert_string_equal(fa, fq);
            /* a neuron alone in its block is white, merged blocks are not */
            if (A->n_members == 1) {
                assert_int_equal(strcasecmp(fa, "#ffffff"), 0);
                continue;
            }
            assert_int_not_equal(strcasecmp(fa, "#ffffff"), 0);
            for (size_t b = a + 1; b < ll->n_blocks; b++) {
                if (ll->blocks[b].fate != LUMP_FATE_KEEP || ll->blocks[b].n_members == 1)
                    continue;
                snprintf(id, sizeof id, "o%zu_%zu", i + 1, ll->blocks[b].members[0]);
                fill_of(fb, sizeof fb, svg, id);
                assert_string_not_equal(fa, fb);
            }
        }
    }
    free(svg);
    fx_clear(&fx);
}

static void identical_bytes(void **state)
{
    fx_t fx;
    lump_viz_opts_t o;
    const lump_viz_format_t fmts[] = {LUMP_VIZ_SVG, LUMP_VIZ_DOT, LUMP_VIZ_PDF};
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    for (size_t k = 0; k < 3; k++) {
        size_t la, lb;
        char *a = render(fmts[k], &fx.net, &fx.L, &fx.q, &o, &la);
        char *b = render(fmts[k], &fx.net, &fx.L, &fx.q, &o, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        if (fmts[k] != LUMP_VIZ_PDF)
            assert_null(strstr(a, "graphviz version"));
        free(a);
        free(b);
    }
    fx_clear(&fx);
}

static void magic_bytes(void **state)
{
    fx_t fx;
    unsigned char *buf = NULL;
    size_t len = 0;
    const char *png = tu_tmp_path("small.png"), *pdf = tu_tmp_path("small.pdf");
    (void)state;
    fx_load(&fx);
    tu_ok(lump_viz_draw(png, &fx.net, &fx.L, &fx.q, NULL));
    tu_ok(lump_io_read_file(&buf, &len, png));
    assert_true(len > 1000 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(buf);
    tu_ok(lump_viz_draw(pdf, &fx.net, &fx.L, &fx.q, NULL));
    tu_ok(lump_io_read_file(&buf, &len, pdf));
    assert_true(len > 1000 && memcmp(buf, "%PDF-", 5) == 0);
    assert_non_null(strstr((char *)buf + len - 16, "%%EOF"));
    free(buf);
    fx_clear(&fx);
}

static int has_label(const lump_i_viz_side_t *s, const char *label)
{
    for (size_t k = 0; k < s->n_nodes; k++)
        if (strcmp(s->nodes[k].label, label) == 0)
            return 1;
    return 0;
}

static void labels(void **state)
{
    fx_t fx;
    lump_viz_opts_t o;
    lump_i_viz_plan_t p;
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    o.title = "fixture";
    tu_ok(lump_i_viz_plan(&p, &fx.net, &fx.L, &fx.q, &o));
    assert_int_equal(p.n_sides, 2);
    assert_true(has_label(&p.sides[0], "1\\nc=2"));
    assert_true(has_label(&p.sides[0], "3\\nc=1/2"));
    assert_true(has_label(&p.sides[0], "2\\nconst 1/2"));
    assert_true(has_label(&p.sides[0], "5\\ndead"));
    assert_true(has_label(&p.sides[1], "×3\\nc: 1, 2, 1/2"));
    assert_true(has_label(&p.sides[1], "×2\\nc: 1, -2"));
    assert_true(has_label(&p.sides[1], "4")); /* a singleton: its neuron */
    assert_string_equal(p.caption, "fixture: 12 → 6 neurons (proportional lumping)");
    lump_i_viz_plan_clear(&p);
    o.title = "a\\N";
    tu_ok(lump_i_viz_plan(&p, &fx.net, NULL, NULL, &o));
    assert_string_equal(p.caption, "a\\\\N: 12 neurons");
    lump_i_viz_plan_clear(&p);
    fx_clear(&fx);
}

/* A network of N_IN inputs, one relu layer of WIDTH neurons with random
 * weights, and 2 outputs. */
static void wide_net(lump_net_t *net, size_t n_in, size_t width)
{
    const size_t sizes[] = {width, 2};
    mpq_t x;
    mpq_init(x);
    lump_net_init(net);
    tu_ok(lump_net_setup(net, n_in, 2, sizes, LUMP_STORE_Q));
    net->layers[0].act.kind = LUMP_ACT_RELU;
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < net->layers[i].weight.len; k++) {
            tu_rand_q(x, 9, 4);
            tu_ok(lump_arr_set(&net->layers[i].weight, k, x));
        }
    mpq_clear(x);
}

static const lump_i_viz_node_t *find_node(const lump_i_viz_side_t *s, const char *name)
{
    for (size_t k = 0; k < s->n_nodes; k++)
        if (strcmp(s->nodes[k].name, name) == 0)
            return &s->nodes[k];
    return NULL;
}

/* A layer of 40 with max_width 10 shows 9 neurons and "+31 more"; the edge
 * from an input to the group carries the sum of the hidden |w|. */
static void summary_more(void **state)
{
    lump_net_t net;
    lump_viz_opts_t o;
    lump_i_viz_plan_t p;
    const lump_i_viz_side_t *s;
    const lump_i_viz_node_t *more;
    (void)state;
    wide_net(&net, 3, 40);
    lump_viz_opts_init(&o);
    o.max_width = 10;
    o.max_edges = 0;
    tu_ok(lump_i_viz_plan(&p, &net, NULL, NULL, &o));
    s = &p.sides[0];
    assert_int_equal(s->layers[1].n, 10);
    more = find_node(s, "o1_more");
    assert_non_null(more);
    assert_string_equal(more->label, "+31 more");
    assert_false(more->neuron);
    assert_true(p.summarised);
    for (size_t e = 0; e < s->n_edges; e++) {
        const lump_i_viz_edge_t *ed = &s->edges[e];
        if (&s->nodes[ed->dst] == more) {
            size_t u = ed->src - s->layers[0].first;
            double want = 0;
            for (size_t v = 9; v < 40; v++)
                want += fabs(lump_arr_get_d(&net.layers[0].weight, v * 3 + u));
            assert_true(fabs(ed->sum - want) <= 1e-9 * want);
        }
    }
    lump_i_viz_plan_clear(&p);
    lump_net_clear(&net);
}

/* A layer of 30 neurons that are 3 rows repeated 10 times lumps into 3
 * blocks: with max_width 10 the original shows one node per block. */
static void summary_blocks(void **state)
{
    lump_net_t net;
    lump_lumping_t L;
    lump_viz_opts_t o;
    lump_i_viz_plan_t p;
    mpq_t x;
    (void)state;
    wide_net(&net, 3, 30);
    mpq_init(x);
    for (size_t v = 3; v < 30; v++)
        for (size_t u = 0; u < 3; u++) {
            lump_arr_get(x, &net.layers[0].weight, (v % 3) * 3 + u);
            tu_ok(lump_arr_set(&net.layers[0].weight, v * 3 + u, x));
        }
    mpq_clear(x);
    lump_lumping_init(&L);
    tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_EXACT, 0));
    lump_viz_opts_init(&o);
    o.max_width = 10;
    tu_ok(lump_i_viz_plan(&p, &net, &L, NULL, &o));
    assert_int_equal(p.sides[0].layers[1].n, L.layers[0].n_blocks);
    for (size_t k = 0; k < p.sides[0].layers[1].n; k++) {
        const lump_i_viz_node_t *nd = &p.sides[0].nodes[p.sides[0].layers[1].first + k];
        assert_true(strncmp(nd->label, "×10\\n", 5) == 0);
    }
    lump_i_viz_plan_clear(&p);
    lump_lumping_clear(&L);
    lump_net_clear(&net);
}

/* With a budget of 12 edges for a 10 x 10 layer, every target keeps its
 * strongest input, every source its strongest output, and nothing else. */
static void edge_budget(void **state)
{
    lump_net_t net;
    lump_viz_opts_t o;
    lump_i_viz_plan_t p;
    const lump_i_viz_side_t *s;
    (void)state;
    wide_net(&net, 10, 10);
    lump_viz_opts_init(&o);
    o.max_edges = 12;
    tu_ok(lump_i_viz_plan(&p, &net, NULL, NULL, &o));
    s = &p.sides[0];
    assert_true(p.pruned);
    for (size_t v = 0; v < 10; v++) {
        size_t best = 0, found = 0;
        for (size_t u = 1; u < 10; u++)
            if (fabs(lump_arr_get_d(&net.layers[0].weight, v * 10 + u)) >
                fabs(lump_arr_get_d(&net.layers[0].weight, v * 10 + best)))
                best = u;
        for (size_t e = 0; e < s->n_edges; e++)
            found += s->edges[e].src == s->layers[0].first + best &&
                     s->edges[e].dst == s->layers[1].first + v;
        assert_int_equal(found, 1);
    }
    {
        size_t n = 0;
        for (size_t e = 0; e < s->n_edges; e++)
            n += s->edges[e].dst < s->layers[2].first;
        assert_true(n >= 10 && n <= 20);
    }
    lump_i_viz_plan_clear(&p);
    lump_net_clear(&net);
}

static void widths_clamped(void **state)
{
    lump_net_t net;
    lump_viz_opts_t o;
    lump_i_viz_plan_t p;
    double top = 0;
    (void)state;
    wide_net(&net, 5, 8);
    lump_viz_opts_init(&o);
    tu_ok(lump_i_viz_plan(&p, &net, NULL, NULL, &o));
    for (size_t e = 0; e < p.sides[0].n_edges; e++) {
        double w = p.sides[0].edges[e].width;
        assert_true(w >= 0.4 && w <= 3.0 + 1e-12);
        top = w > top ? w : top;
    }
    assert_true(fabs(top - 3.0) < 1e-12);
    lump_i_viz_plan_clear(&p);
    lump_net_clear(&net);
}

static void refuses_bad_lumping(void **state)
{
    fx_t fx;
    lump_net_t other;
    lump_lumping_t L;
    lump_viz_opts_t o;
    const char *two =
        "{\"format\": \"lumpnet-certificate\", \"version\": 1, \"mode\": \"exact\", "
        "\"inputs\": 3, \"layers\": [{\"size\": 8, \"blocks\": [{\"members\": [0, 1, 2, 3, 4, "
        "5, 6, 7], \"scales\": [\"1\", \"1\", \"1\", \"1\", \"1\", \"1\", \"1\", \"1\"]}, "
        "{\"members\": [7], \"scales\": [\"1\"]}]}, {\"size\": 2, \"blocks\": [{\"members\": "
        "[0], \"scales\": [\"1\"]}, {\"members\": [1], \"scales\": [\"1\"]}]}]}";
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    wide_net(&other, 3, 8);
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &other, &fx.L, NULL, &o), LUMP_EINPUT, "inputs");
    lump_lumping_init(&L);
    tu_ok(lump_cert_read_buf(&L, two, strlen(two), "two"));
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &other, &L, NULL, &o), LUMP_EINPUT,
             "neuron 7 is in two blocks");
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &fx.net, &fx.L, &fx.net, &o), LUMP_EINPUT,
             "quotient layer 1");
    lump_lumping_clear(&L);
    lump_net_clear(&other);
    fx_clear(&fx);
}

static void refuses_bad_options(void **state)
{
    fx_t fx;
    lump_viz_opts_t o;
    (void)state;
    fx_load(&fx);
    lump_viz_opts_init(&o);
    o.max_width = 1;
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &fx.net, NULL, NULL, &o), LUMP_EUSAGE, "width");
    lump_viz_opts_init(&o);
    o.quotient_only = 1;
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &fx.net, &fx.L, NULL, &o), LUMP_EUSAGE,
             "quotient");
    lump_viz_opts_init(&o);
    tu_fails(lump_viz_write(stdout, LUMP_VIZ_DOT, &fx.net, NULL, &fx.q, &o), LUMP_EUSAGE,
             "lumping");
    tu_fails(lump_viz_draw(tu_tmp_path("x.txt"), &fx.net, NULL, NULL, &o), LUMP_EUSAGE,
             "x.txt: unknown figure format");
    fx_clear(&fx);
}

static void unwritable_leaves_nothing(void **state)
{
    fx_t fx;
    struct stat st;
    const char *path = tu_tmp_path("no/such/dir/x.svg");
    (void)state;
    fx_load(&fx);
    assert_int_not_equal(lump_viz_draw(path, &fx.net, &fx.L, &fx.q, NULL), LUMP_OK);
    assert_int_not_equal(stat(path, &st), 0);
    fx_clear(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_from_path),
        cmocka_unit_test(one_node_per_neuron),
        cmocka_unit_test(fills_follow_blocks),
        cmocka_unit_test(identical_bytes),
        cmocka_unit_test(magic_bytes),
        cmocka_unit_test(labels),
        cmocka_unit_test(summary_more),
        cmocka_unit_test(summary_blocks),
        cmocka_unit_test(edge_budget),
        cmocka_unit_test(widths_clamped),
        cmocka_unit_test(refuses_bad_lumping),
        cmocka_unit_test(refuses_bad_options),
        cmocka_unit_test(unwritable_leaves_nothing),
    };
    tu_init();
    return cmocka_run_group_tests_name("viz", tests, NULL, NULL);
}
