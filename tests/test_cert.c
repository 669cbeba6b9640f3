/* test_cert.c -- certificates: JSON round trips, malformed files, the independent checker */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* ---- files ------------------------------------------------------------------ */

/* L's certificate as text, to free(). */
static char *cert_text(const lump_lumping_t *L)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    tu_ok(lump_cert_write(f, L));
    assert_int_equal(fclose(f), 0);
    return text;
}

/* ---- building networks and lumpings by hand ------------------------------------ */

/* Q = the rational written S, parsed by GMP (not by the code under test). */
static void q_set(mpq_t q, const char *s)
{
    assert_int_equal(mpq_set_str(q, s, 10), 0);
    mpq_canonicalize(q);
}

static void arr_put(lump_arr_t *a, size_t i, const char *s)
{
    mpq_t q;
    mpq_init(q);
    q_set(q, s);
    tu_ok(lump_arr_set(a, i, q));
    mpq_clear(q);
}

/* Row V of LAYER: the weights W[0..in_size) and the bias B. */
static void row(lump_net_t *net, size_t li, size_t v, const char *const *w, const char *b)
{
    lump_layer_t *l = &net->layers[li];
    for (size_t u = 0; u < l->in_size; u++)
        arr_put(&l->weight, v * l->in_size + u, w[u]);
    arr_put(&l->bias, v, b);
}

#define ROW(net, li, v, b, ...) row(net, li, v, (const char *const[]){__VA_ARGS__}, b)

static void set_act(lump_net_t *net, size_t li, lump_act_kind_t kind)
{
    net->layers[li].act.kind = kind;
}

static void set_neuron_act(lump_net_t *net, size_t li, size_t v, lump_act_kind_t kind)
{
    lump_act_t a;
    lump_act_init(&a);
    a.kind = kind;
    tu_ok(lump_layer_set_neuron_act(&net->layers[li], v, &a));
    lump_act_clear(&a);
}

static void set_clip(lump_net_t *net, const char *lo, const char *hi)
{
    tu_ok(lump_net_alloc_clip(net));
    for (size_t i = 0; i < net->n_inputs; i++) {
        q_set(net->clip_lo[i], lo);
        q_set(net->clip_hi[i], hi);
    }
}

static void lumping_setup(lump_lumping_t *L, lump_mode_t mode, size_t n_inputs, size_t n_layers,
                          const size_t *sizes, const size_t *n_blocks)
{
    lump_lumping_init(L);
    L->mode = mode;
    L->n_inputs = n_inputs;
    L->n_layers = n_layers;
    L->layers = calloc(n_layers, sizeof *L->layers);
    assert_non_null(L->layers);
    for (size_t i = 0; i < n_layers; i++) {
        L->layers[i].size = sizes[i];
        L->layers[i].n_blocks = n_blocks[i];
        L->layers[i].blocks = calloc(n_blocks[i], sizeof(lump_block_t));
        assert_non_null(L->layers[i].blocks);
        for (size_t k = 0; k < n_blocks[i]; k++)
            lump_block_init(&L->layers[i].blocks[k]);
    }
}

/* Block K of layer LI: N members with their scales (texts), and a fate;
 * VALUE is the text of a constant's value (else NULL). */
static void block(lump_lumping_t *L, size_t li, size_t k, size_t n, const size_t *members,
                  const char *const *scales, lump_fate_t fate, const char *value)
{
    lump_block_t *b = &L->layers[li].blocks[k];
    free(b->members);
    b->members = malloc(n * sizeof *b->members);
    assert_non_null(b->members);
    memcpy(b->members, members, n * sizeof *members);
    b->n_members = n;
    tu_ok(lump_arr_alloc(&b->scales, LUMP_STORE_Q, n));
    for (size_t j = 0; j < n; j++)
        arr_put(&b->scales, j, scales[j]);
    b->fate = fate;
    if (value != NULL)
        q_set(b->value, value);
    else
        mpq_set_ui(b->value, 0, 1);
}

#define MEMBERS(...)                                                                               \
    (const size_t[])                                                                               \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define SCALES(...)                                                                                \
    (const char *const[])                                                                          \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define BLOCK(L, li, k, fate, value, members, scales)                                              \
    block(L, li, k, sizeof(members) / sizeof(size_t), members, scales, fate, value)

/* The fixture of docs/certificates.md (also tests/data/cert/small*.json),
 * 2 inputs clipped to [-1, 1], layers of 6, 4 and 2 neurons:
 * - layer 1 (relu, neuron 2 sigmoid): n1 = 2 n0, n3 = n0 / 2; n2 =
 *   sigmoid(0) = 1/2 for every input (a constant, folded); n5 feeds only
 *   the dead m3 (a dead chain);
 * - layer 2 (identity): m1 = -2 m0 (a negative scale); m3 is read by no
 *   output;
 * - layer 3 (identity): the outputs.
 * The quotient below was computed by hand: layer 1 keeps {n0, n1, n3} and
 * {n4}; layer 2 keeps {m0, m1} and {m2}. */
typedef struct {
    lump_net_t net, q;
    lump_lumping_t L;
    lump_verdict_t valid;
    char why[1024];
} fx_t;

static void fx_net(lump_net_t *net)
{
    const size_t sizes[] = {6, 4, 2};
    lump_net_init(net);
    tu_ok(lump_net_setup(net, 2, 3, sizes, LUMP_STORE_Q));
    set_clip(net, "-1", "1");
    set_act(net, 0, LUMP_ACT_RELU);
    set_neuron_act(net, 0, 2, LUMP_ACT_SIGMOID);
    ROW(net, 0, 0, "1", "1", "-1");
    ROW(net, 0, 1, "2", "2", "-2");
    ROW(net, 0, 2, "0", "0", "0");
    ROW(net, 0, 3, "1/2", "1/2", "-1/2");
    ROW(net, 0, 4, "0", "1", "1");
    ROW(net, 0, 5, "0", "3", "0");
    set_act(net, 1, LUMP_ACT_IDENTITY);
    ROW(net, 1, 0, "0", "1", "0", "2", "0", "1", "0");
    ROW(net, 1, 1, "-2", "0", "-1", "0", "0", "-2", "0");
    ROW(net, 1, 2, "1", "1", "1", "0", "0", "0", "0");
    ROW(net, 1, 3, "0", "0", "0", "0", "0", "0", "1");
    set_act(net, 2, LUMP_ACT_IDENTITY);
    ROW(net, 2, 0, "0", "1", "1", "1", "0");
    ROW(net, 2, 1, "3", "3", "1", "0", "0");
}

static void fx_quotient(lump_net_t *q)
{
    const size_t sizes[] = {2, 2, 2};
    lump_net_init(q);
    tu_ok(lump_net_setup(q, 2, 3, sizes, LUMP_STORE_Q));
    set_clip(q, "-1", "1");
    set_act(q, 0, LUMP_ACT_RELU);
    ROW(q, 0, 0, "1", "1", "-1");
    ROW(q, 0, 1, "0", "1", "1");
    set_act(q, 1, LUMP_ACT_IDENTITY);
    ROW(q, 1, 0, "1", "1", "1"); /* bias 0 + 2 * sigmoid(0) */
    ROW(q, 1, 1, "1", "3", "0");
    set_act(q, 2, LUMP_ACT_IDENTITY);
    ROW(q, 2, 0, "0", "-1", "1");
    ROW(q, 2, 1, "3", "1", "0");
}

static void fx_lumping(lump_lumping_t *L)
{
    const size_t sizes[] = {6, 4, 2}, nb[] = {4, 3, 2};
    lumping_setup(L, LUMP_MODE_PROPORTIONAL, 2, 3, sizes, nb);
    BLOCK(L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1, 3), SCALES("1", "2", "1/2"));
    BLOCK(L, 0, 1, LUMP_FATE_CONSTANT, "1/2", MEMBERS(2), SCALES("1"));
    BLOCK(L, 0, 2, LUMP_FATE_KEEP, NULL, MEMBERS(4), SCALES("1"));
    BLOCK(L, 0, 3, LUMP_FATE_DEAD, NULL, MEMBERS(5), SCALES("1"));
    BLOCK(L, 1, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "-2"));
    BLOCK(L, 1, 1, LUMP_FATE_KEEP, NULL, MEMBERS(2), SCALES("1"));
    BLOCK(L, 1, 2, LUMP_FATE_DEAD, NULL, MEMBERS(3), SCALES("1"));
    BLOCK(L, 2, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0), SCALES("1"));
    BLOCK(L, 2, 1, LUMP_FATE_KEEP, NULL, MEMBERS(1), SCALES("1"));
}

static fx_t *fx_new(void)
{
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    fx_net(&f->net);
    fx_quotient(&f->q);
    fx_lumping(&f->L);
    return f;
}

static void fx_free(fx_t *f)
{
    lump_net_clear(&f->net);
    lump_net_clear(&f->q);
    lump_lumping_clear(&f->L);
    free(f);
}

static lump_verdict_t fx_check(fx_t *f)
{
    f->valid = LUMP_UNKNOWN;
    tu_ok(lump_cert_check(&f->valid, f->why, sizeof f->why, &f->net, &f->q, &f->L));
    return f->valid;
}

/* The checker refuses F, and its message names every one of the NULL-
 * terminated NEEDLES (the condition and the neuron). */
static void expect_invalid(fx_t *f, const char *const *needles)
{
    if (fx_check(f) != LUMP_FALSE)
        fail_msg("the corrupted certificate was accepted");
    for (size_t i = 0; needles[i] != NULL; i++)
        if (strstr(f->why, needles[i]) == NULL)
            fail_msg("the message lacks \"%s\": %s", needles[i], f->why);
    print_message("refused: %s\n", f->why);
    fx_free(f);
}

#define EXPECT_INVALID(f, ...) expect_invalid(f, (const char *const[]){__VA_ARGS__, NULL})

/* ---- writing and reading ----------------------------------------------------------- */

/* The writer produces exactly the hand-written file of the docs. */
static void write_matches_fixture(void **state)
{
    fx_t *f = fx_new();
    size_t len;
    char *want = tu_slurp(tu_src_path("data/cert/small.cert.json"), &len);
    char *got = cert_text(&f->L);
    (void)state;
    assert_string_equal(got, want);
    free(got);
    free(want);
    fx_free(f);
}

/* 1 when A and B are the same lumping, field by field. */
static int lumping_equal(const lump_lumping_t *a, const lump_lumping_t *b)
{
    if (a->mode != b->mode || a->n_inputs != b->n_inputs || a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_lumping_t *x = &a->layers[i], *y = &b->layers[i];
        if (x->size != y->size || x->n_blocks != y->n_blocks)
            return 0;
        for (size_t k = 0; k < x->n_blocks; k++) {
            const lump_block_t *p = &x->blocks[k], *q = &y->blocks[k];
            if (p->n_members != q->n_members || p->fate != q->fate ||
                !mpq_equal(p->value, q->value) || !lump_arr_equal(&p->scales, &q->scales) ||
                memcmp(p->members, q->members, p->n_members * sizeof *p->members) != 0)
                return 0;
        }
    }
    return 1;
}

/* Reading gives the same lumping back, and writing it again the same bytes. */
static void round_trip(void **state)
{
    fx_t *f = fx_new();
    lump_lumping_t back;
    char *text = cert_text(&f->L), *again;
    (void)state;
    lump_lumping_init(&back);
    tu_ok(lump_cert_read_buf(&back, text, strlen(text), "memory.cert.json"));
    assert_true(lumping_equal(&back, &f->L));
    again = cert_text(&back);
    assert_string_equal(again, text);
    free(again);
    free(text);
    lump_lumping_clear(&back);
    fx_free(f);
}

/* Unsorted, overlapping members and an explicit "keep" are shape-valid:
 * judging them is the checker's job, not the reader's. */
static void read_leaves_claims_to_checker(void **state)
{
    const char *text = "{\"format\": \"lumpnet-certificate\", \"version\": 1, \"mode\": \"exact\","
                       " \"inputs\": 1, \"layers\": [{\"size\": 3, \"blocks\": ["
                       "{\"members\": [2, 0], \"scales\": [\"1\", \"1\"], \"fate\": \"keep\"},"
                       "{\"members\": [0], \"scales\": [\"1\"]}]}]}";
    lump_lumping_t L;
    (void)state;
    lump_lumping_init(&L);
    tu_ok(lump_cert_read_buf(&L, text, strlen(text), "memory.cert.json"));
    assert_int_equal(L.mode, LUMP_MODE_EXACT);
    assert_int_equal(L.layers[0].n_blocks, 2);
    assert_int_equal(L.layers[0].blocks[0].members[0], 2);
    assert_int_equal(L.layers[0].blocks[0].fate, LUMP_FATE_KEEP);
    lump_lumping_clear(&L);
}

/* A failed read leaves the lumping untouched. */
static void failed_read_keeps_old(void **state)
{
    fx_t *f = fx_new();
    lump_lumping_t L;
    char *text = cert_text(&f->L);
    (void)state;
    lump_lumping_init(&L);
    tu_ok(lump_cert_read_buf(&L, text, strlen(text), "good.cert.json"));
    tu_fails(lump_cert_read_buf(&L, text, strlen(text) / 2, "half.cert.json"), LUMP_EINPUT,
             "half.cert.json");
    assert_true(lumping_equal(&L, &f->L));
    lump_lumping_clear(&L);
    free(text);
    fx_free(f);
}

/* Every file of tests/malformed/cert is refused with LUMP_EINPUT, its
 * name and the place in the message. */
static void expect_malformed(const char *file, const char *needle)
{
    char rel[256];
    size_t len;
    char *buf;
    lump_lumping_t L;
    snprintf(rel, sizeof rel, "malformed/cert/%s", file);
    buf = tu_slurp(tu_src_path(rel), &len);
    lump_lumping_init(&L);
    tu_fails(lump_cert_read_buf(&L, buf, len, file), LUMP_EINPUT, file);
    if (strstr(lump_error_message(), needle) == NULL)
        fail_msg("%s: the message lacks \"%s\": %s", file, needle, lump_error_message());
    assert_int_equal(L.n_layers, 0);
    lump_lumping_clear(&L);
    free(buf);
}

static void malformed_corpus(void **state)
{
    (void)state;
    expect_malformed("truncated.json", "line");
    expect_malformed("not_json.json", "line 1");
    expect_malformed("wrong_format.json", "format");
    expect_malformed("wrong_version.json", "version");
    expect_malformed("wrong_mode.json", "mode");
    expect_malformed("member_out_of_range.json",
                     "layers[0].blocks[0].members[1]: neuron 2 is out of range");
    expect_malformed("negative_index.json", "members[0]: neuron -1 is out of range");
    expect_malformed("scale_div_zero.json", "scales[1]");
    expect_malformed("huge_exponent.json", "scales[1]");
    expect_malformed("scales_count.json", "one scale per member");
    expect_malformed("real_scale.json", "real number");
    expect_malformed("constant_without_value.json", "\"value\"");
    expect_malformed("value_without_constant.json", "not a constant");
    expect_malformed("unknown_fate.json", "fate");
    expect_malformed("empty_members.json", "at least one member");
    expect_malformed("index_not_integer.json", "neuron index");
    expect_malformed("no_layers.json", "layers");
    expect_malformed("unknown_key.json", "unknown key");
}

/* ---- the checker accepts valid lumpings --------------------------------------------- */

/* The hand-made lumping (proportional scales, a negative identity scale, a
 * folded sigmoid(0), a dead chain) and its hand-computed quotient. */
static void accepts_hand_made(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    if (fx_check(f) != LUMP_TRUE)
        fail_msg("valid lumping refused: %s", f->why);
    assert_string_equal(f->why, "");
    fx_free(f);
}

/* The reference for the hand-made quotient itself: it computes the same
 * function as the network (MPFR enclosure of the sigmoid network against
 * exact evaluation of the piecewise-linear quotient) on random inputs. */
static void hand_quotient_is_equal(void **state)
{
    fx_t *f = fx_new();
    mpq_t in[2], out[2];
    mpfr_t lo[2], hi[2];
    (void)state;
    for (int j = 0; j < 2; j++) {
        mpq_inits(in[j], out[j], NULL);
        mpfr_inits2(200, lo[j], hi[j], (mpfr_ptr)0);
    }
    for (int t = 0; t < 50; t++) {
        tu_rand_q(in[0], 7, 7);
        tu_rand_q(in[1], 7, 7);
        tu_ok(lump_eval_exact(out, &f->q, in));
        tu_ok(lump_eval_mpfr(lo, hi, &f->net, in, 200));
        for (int j = 0; j < 2; j++)
            if (mpfr_cmp_q(lo[j], out[j]) > 0 || mpfr_cmp_q(hi[j], out[j]) < 0)
                fail_msg("output %d differs at point %d [seed %lu]", j, t, tu_seed());
    }
    for (int j = 0; j < 2; j++) {
        mpq_clears(in[j], out[j], NULL);
        mpfr_clears(lo[j], hi[j], (mpfr_ptr)0);
    }
    fx_free(f);
}

/* The fixture files: network, quotient and certificate read from disk. */
static void accepts_fixture_files(void **state)
{
    lump_net_t net, q;
    lump_lumping_t L;
    lump_verdict_t valid = LUMP_UNKNOWN;
    char why[512], *buf;
    size_t len;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    tu_ok(lump_net_read(&net, tu_src_path("data/cert/small.json")));
    tu_ok(lump_net_read(&q, tu_src_path("data/cert/small.quotient.json")));
    buf = tu_slurp(tu_src_path("data/cert/small.cert.json"), &len);
    tu_ok(lump_cert_read_buf(&L, buf, len, "small.cert.json"));
    tu_ok(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
    if (valid != LUMP_TRUE)
        fail_msg("fixture refused: %s", why);
    free(buf);
    lump_lumping_clear(&L);
    lump_net_clear(&net);
    lump_net_clear(&q);
}

/* The trivial lumping (every neuron alone) of a network whose quotient is
 * the network itself, in exact mode. */
static void accepts_trivial(void **state)
{
    fx_t *f = fx_new();
    const size_t sizes[] = {6, 4, 2}, nb[] = {6, 4, 2};
    (void)state;
    lump_lumping_clear(&f->L);
    lumping_setup(&f->L, LUMP_MODE_EXACT, 2, 3, sizes, nb);
    for (size_t i = 0; i < 3; i++)
        for (size_t v = 0; v < sizes[i]; v++)
            BLOCK(&f->L, i, v, LUMP_FATE_KEEP, NULL, MEMBERS(v), SCALES("1"));
    lump_net_clear(&f->q);
    tu_ok(lump_net_copy(&f->q, &f->net));
    if (fx_check(f) != LUMP_TRUE)
        fail_msg("trivial lumping refused: %s", f->why);
    fx_free(f);
}

/* ---- the checker rejects corruptions, one kind per test ------------------------------ */

static void set_scale(lump_lumping_t *L, size_t li, size_t k, size_t j, const char *s)
{
    arr_put(&L->layers[li].blocks[k].scales, j, s);
}

static void reject_changed_scale(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    set_scale(&f->L, 1, 0, 1, "-3"); /* m1 = -2 m0, not -3 m0 */
    EXPECT_INVALID(f, "condition 2", "layer 2, neuron 1");
}

/* A changed scale on a neuron whose bias is zero shows in the sums. */
static void reject_changed_scale_sums(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    /* n1 gets the bias 3/2 = 3/2 * 1, so that only its weights (2, -2)
     * contradict the scale 3/2. */
    ROW(&f->net, 0, 1, "3/2", "2", "-2");
    set_scale(&f->L, 0, 0, 1, "3/2");
    EXPECT_INVALID(f, "condition 3 (scale-weighted sums)", "layer 1, neuron 1",
                   "input 0: 2 != 1.5 * 1");
}

static void reject_moved_neuron(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    /* n3 leaves {n0, n1, n3} for {n4}, keeping its scale 1/2. */
    BLOCK(&f->L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "2"));
    BLOCK(&f->L, 0, 2, LUMP_FATE_KEEP, NULL, MEMBERS(4, 3), SCALES("1", "1/2"));
    EXPECT_INVALID(f, "condition 2", "layer 1, neuron 3");
}

static void reject_merged_pair_not_lumping(void **state)
{
    fx_t *f = fx_new();
    const size_t sizes[] = {6, 4, 2}, nb[] = {4, 2, 2};
    (void)state;
    /* m0 and m2 have equal effective biases (1) but different sums. */
    lump_lumping_clear(&f->L);
    lumping_setup(&f->L, LUMP_MODE_PROPORTIONAL, 2, 3, sizes, nb);
    BLOCK(&f->L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1, 3), SCALES("1", "2", "1/2"));
    BLOCK(&f->L, 0, 1, LUMP_FATE_CONSTANT, "1/2", MEMBERS(2), SCALES("1"));
    BLOCK(&f->L, 0, 2, LUMP_FATE_KEEP, NULL, MEMBERS(4), SCALES("1"));
    BLOCK(&f->L, 0, 3, LUMP_FATE_DEAD, NULL, MEMBERS(5), SCALES("1"));
    BLOCK(&f->L, 1, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1, 2), SCALES("1", "-2", "1"));
    BLOCK(&f->L, 1, 1, LUMP_FATE_DEAD, NULL, MEMBERS(3), SCALES("1"));
    BLOCK(&f->L, 2, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0), SCALES("1"));
    BLOCK(&f->L, 2, 1, LUMP_FATE_KEEP, NULL, MEMBERS(1), SCALES("1"));
    EXPECT_INVALID(f, "condition 3 (scale-weighted sums)", "layer 2, neuron 2",
                   "previous block 0: 3 != 1 * 1");
}

static void reject_missing_neuron(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    BLOCK(&f->L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "2"));
    EXPECT_INVALID(f, "partition", "layer 1, neuron 3 is in no block");
}

static void reject_neuron_twice(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    BLOCK(&f->L, 1, 1, LUMP_FATE_KEEP, NULL, MEMBERS(2, 0), SCALES("1", "1"));
    EXPECT_INVALID(f, "partition", "layer 2, neuron 0 is listed twice");
}

static void reject_rep_scale_not_one(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    /* Consistent ratios, but the representative n0 is scaled. */
    BLOCK(&f->L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1, 3), SCALES("2", "4", "1"));
    EXPECT_INVALID(f, "representative, neuron 0, has scale 2");
}

static void reject_negative_relu_scale(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    set_scale(&f->L, 0, 0, 1, "-2");
    EXPECT_INVALID(f, "condition 4", "layer 1, neuron 1", "relu allows only positive");
}

static void reject_scale_in_exact_mode(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.mode = LUMP_MODE_EXACT;
    EXPECT_INVALID(f, "condition 4", "layer 1, neuron 1", "exact mode");
}

static void reject_scaled_sigmoid(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    /* n0 and n1 = sigmoid of proportional pre-activations: sigmoid is not
     * homogeneous, so n1 is not 2 n0. */
    set_neuron_act(&f->net, 0, 0, LUMP_ACT_SIGMOID);
    set_neuron_act(&f->net, 0, 1, LUMP_ACT_SIGMOID);
    set_neuron_act(&f->net, 0, 3, LUMP_ACT_SIGMOID);
    EXPECT_INVALID(f, "condition 4", "layer 1, neuron 1", "sigmoid is not positively homogeneous");
}

static void reject_activation_mismatch(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    set_neuron_act(&f->net, 0, 3, LUMP_ACT_IDENTITY);
    EXPECT_INVALID(f, "condition 1 (activation)", "layer 1, neuron 3");
}

static void reject_quotient_weight(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    arr_put(&f->q.layers[2].weight, 1 * 2 + 0, "2");
    EXPECT_INVALID(f, "quotient layer 3 neuron 1", "weight from previous block 0", "is 2",
                   "formula gives 1");
}

static void reject_quotient_bias(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    arr_put(&f->q.layers[0].bias, 1, "1/1024");
    EXPECT_INVALID(f, "quotient layer 1 neuron 1", "bias");
}

static void reject_missing_fold(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    /* The bias of m0 without the folded 2 * sigmoid(0). */
    arr_put(&f->q.layers[1].bias, 0, "0");
    EXPECT_INVALID(f, "quotient layer 2 neuron 0", "bias is 0, the formula gives 1",
                   "folded constants");
}

static void reject_quotient_activation(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    set_neuron_act(&f->q, 1, 1, LUMP_ACT_RELU);
    EXPECT_INVALID(f, "quotient layer 2 neuron 1", "activation");
}

/* The dead n5 claimed kept: the quotient lacks its neuron. */
static void reject_dead_kept(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[0].blocks[3].fate = LUMP_FATE_KEEP;
    EXPECT_INVALID(f, "quotient layer 1 has 2 neurons", "keeps 3 blocks");
}

/* The dead m3 claimed kept: then n5, which feeds it, is not dead. */
static void reject_dead_chain_broken(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[1].blocks[2].fate = LUMP_FATE_KEEP;
    EXPECT_INVALID(f, "condition 6 (dead)", "layer 1, block 3 (representative 5)", "is 1, not 0");
}

/* The constant n2 claimed kept: then its value is unknown to the local
 * conditions, and m1 = -2 m0 (which needs m0's folded 2 * 1/2) no longer
 * follows from them. */
static void reject_constant_kept(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[0].blocks[1].fate = LUMP_FATE_KEEP;
    mpq_set_ui(f->L.layers[0].blocks[1].value, 0, 1);
    EXPECT_INVALID(f, "condition 2 (bias)", "layer 2, neuron 1", "-2 != -2 * 0");
}

static void reject_false_constant(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[0].blocks[2].fate = LUMP_FATE_CONSTANT; /* n4 = relu(x0 + x1) */
    EXPECT_INVALID(f, "condition 5 (constant)", "layer 1, neuron 4", "input 0 is 1, not 0");
}

static void reject_wrong_constant_value(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    q_set(f->L.layers[0].blocks[1].value, "1");
    EXPECT_INVALID(f, "condition 5 (constant)", "layer 1, neuron 2", "value is 1",
                   "sigmoid(0) = 0.5");
}

static void reject_irrational_constant(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    arr_put(&f->net.layers[0].bias, 2, "1"); /* sigmoid(1) */
    EXPECT_INVALID(f, "condition 5 (constant)", "layer 1, neuron 2", "not rational");
}

static void reject_false_dead(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[1].blocks[1].fate = LUMP_FATE_DEAD; /* m2 feeds output 0 */
    EXPECT_INVALID(f, "condition 6 (dead)", "layer 2, block 1 (representative 2)", "is 1, not 0");
}

static void reject_output_merged(void **state)
{
    fx_t *f = fx_new();
    const size_t sizes[] = {6, 4, 2}, nb[] = {4, 3, 1};
    (void)state;
    lump_lumping_clear(&f->L);
    lumping_setup(&f->L, LUMP_MODE_PROPORTIONAL, 2, 3, sizes, nb);
    BLOCK(&f->L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1, 3), SCALES("1", "2", "1/2"));
    BLOCK(&f->L, 0, 1, LUMP_FATE_CONSTANT, "1/2", MEMBERS(2), SCALES("1"));
    BLOCK(&f->L, 0, 2, LUMP_FATE_KEEP, NULL, MEMBERS(4), SCALES("1"));
    BLOCK(&f->L, 0, 3, LUMP_FATE_DEAD, NULL, MEMBERS(5), SCALES("1"));
    BLOCK(&f->L, 1, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "-2"));
    BLOCK(&f->L, 1, 1, LUMP_FATE_KEEP, NULL, MEMBERS(2), SCALES("1"));
    BLOCK(&f->L, 1, 2, LUMP_FATE_DEAD, NULL, MEMBERS(3), SCALES("1"));
    BLOCK(&f->L, 2, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "1"));
    EXPECT_INVALID(f, "output layer 3", "block 0");
}

static void reject_output_removed(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[2].blocks[1].fate = LUMP_FATE_DEAD;
    EXPECT_INVALID(f, "output layer 3", "block 1 (dead");
}

static void reject_outputs_reordered(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    BLOCK(&f->L, 2, 0, LUMP_FATE_KEEP, NULL, MEMBERS(1), SCALES("1"));
    BLOCK(&f->L, 2, 1, LUMP_FATE_KEEP, NULL, MEMBERS(0), SCALES("1"));
    EXPECT_INVALID(f, "output layer 3", "block 0");
}

static void reject_clip_changed(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    q_set(f->q.clip_hi[1], "2");
    EXPECT_INVALID(f, "clipping");
}

static void reject_norm_added(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    tu_ok(lump_net_alloc_norm(&f->q));
    EXPECT_INVALID(f, "normalisation");
}

static void reject_outmap_changed(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    tu_ok(lump_net_alloc_outmap(&f->net));
    tu_ok(lump_net_alloc_outmap(&f->q));
    q_set(f->q.out_shift[0], "1/3");
    EXPECT_INVALID(f, "output map");
}

static void reject_shape_mismatch(void **state)
{
    fx_t *f = fx_new();
    (void)state;
    f->L.layers[1].size = 5;
    EXPECT_INVALID(f, "layer 2 has 5 neurons", "network's has 4");
}

/* ---- the counterexample of DESIGN section 2 -------------------------------------------- */

/* y_b = 2 y_a in layer 1; p has weights (a:1, b:1), q has (a:2, b:0):
 * both plain sums are 2, yet z_p = 3 y_a and z_q = 2 y_a. */
static void counterexample(lump_net_t *net, lump_net_t *q, lump_lumping_t *L, int merge)
{
    const size_t sizes[] = {2, 2, 1}, nb[] = {1, merge ? 1 : 2, 1};
    const size_t qs_merged[] = {1, 1, 1}, qs_apart[] = {1, 2, 1};
    lump_net_init(net);
    tu_ok(lump_net_setup(net, 1, 3, sizes, LUMP_STORE_Q));
    set_act(net, 0, LUMP_ACT_RELU);
    ROW(net, 0, 0, "0", "1");
    ROW(net, 0, 1, "0", "2");
    set_act(net, 1, LUMP_ACT_RELU);
    ROW(net, 1, 0, "0", "1", "1");
    ROW(net, 1, 1, "0", "2", "0");
    ROW(net, 2, 0, "0", "1", "1");
    lumping_setup(L, LUMP_MODE_PROPORTIONAL, 1, 3, sizes, nb);
    BLOCK(L, 0, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "2"));
    if (merge) {
        BLOCK(L, 1, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0, 1), SCALES("1", "1"));
    } else {
        BLOCK(L, 1, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0), SCALES("1"));
        BLOCK(L, 1, 1, LUMP_FATE_KEEP, NULL, MEMBERS(1), SCALES("1"));
    }
    BLOCK(L, 2, 0, LUMP_FATE_KEEP, NULL, MEMBERS(0), SCALES("1"));
    lump_net_init(q);
    tu_ok(lump_net_setup(q, 1, 3, merge ? qs_merged : qs_apart, LUMP_STORE_Q));
    set_act(q, 0, LUMP_ACT_RELU);
    ROW(q, 0, 0, "0", "1");
    set_act(q, 1, LUMP_ACT_RELU);
    if (merge) {
        ROW(q, 1, 0, "0", "3"); /* what p computes: what the formula gives */
        ROW(q, 2, 0, "0", "2");
    } else {
        ROW(q, 1, 0, "0", "3");
        ROW(q, 1, 1, "0", "2");
        ROW(q, 2, 0, "0", "1", "1");
    }
}

static void reject_counterexample(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    (void)state;
    assert_non_null(f);
    counterexample(&f->net, &f->q, &f->L, 1);
    EXPECT_INVALID(f, "condition 3 (scale-weighted sums)", "layer 2, neuron 1",
                   "previous block 0: 2 != 1 * 3");
}

static void accept_counterexample_apart(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    (void)state;
    assert_non_null(f);
    counterexample(&f->net, &f->q, &f->L, 0);
    if (fx_check(f) != LUMP_TRUE)
        fail_msg("refused: %s", f->why);
    fx_free(f);
}

/* ---- genuine lumpings from the partition finder ---------------------------------------- */

/* A random network with planted redundancy: in every hidden layer some
 * neurons copy another one's incoming row and bias times a scale (positive
 * for relu and leaky_relu, possibly negative for identity), one neuron is
 * a constant (no incoming weights) and one feeds nothing. Outgoing
 * weights are random, so the copies are genuine lumps whatever follows. */
static void planted_net(lump_net_t *net, size_t depth)
{
    static const char *const pos[] = {"1", "2", "1/2", "3"}, *const any[] = {"1", "-2", "1/2",
                                                                             "-1"};
    size_t sizes[8], n_in = 2 + gmp_urandomm_ui(tu_rand, 3);
    mpq_t q, c;
    mpq_inits(q, c, NULL);
    for (size_t i = 0; i < depth; i++)
        sizes[i] = i + 1 == depth ? 2 : 4 + gmp_urandomm_ui(tu_rand, 5);
    lump_net_init(net);
    tu_ok(lump_net_setup(net, n_in, depth, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < depth; i++) {
        lump_layer_t *l = &net->layers[i];
        const int hidden = i + 1 < depth;
        unsigned long kind = hidden ? gmp_urandomm_ui(tu_rand, 3) : 0;
        l->act.kind = kind == 0   ? LUMP_ACT_IDENTITY
                      : kind == 1 ? LUMP_ACT_RELU
                                  : LUMP_ACT_LEAKY_RELU;
        if (l->act.kind == LUMP_ACT_LEAKY_RELU)
            mpq_set_ui(l->act.alpha, 1, 10);
        for (size_t v = 0; v < l->size; v++) {
            size_t src = v >= 2 && hidden ? gmp_urandomm_ui(tu_rand, v) : v;
            int copy = src != v && gmp_urandomm_ui(tu_rand, 2) == 0;
            int constant = hidden && v == 1;
            for (size_t u = 0; u <= l->in_size; u++) {
                lump_arr_t *a = u < l->in_size ? &l->weight : &l->bias;
                size_t at = u < l->in_size ? v * l->in_size + u : v;
                size_t from = u < l->in_size ? src * l->in_size + u : src;
                if (copy) {
                    lump_arr_get(q, a, from);
                    q_set(c, (l->act.kind == LUMP_ACT_IDENTITY ? any : pos)[v % 4]);
                    mpq_mul(q, q, c);
                } else if (constant && u < l->in_size) {
                    mpq_set_ui(q, 0, 1);
                } else {
                    tu_rand_q(q, 5, 4);
                }
                tu_ok(lump_arr_set(a, at, q));
            }
        }
        /* The last neuron of the previous hidden layer feeds nothing. */
        if (i > 0)
            for (size_t v = 0; v < l->size; v++) {
                mpq_set_ui(q, 0, 1);
                tu_ok(lump_arr_set(&l->weight, v * l->in_size + l->in_size - 1, q));
            }
    }
    mpq_clears(q, c, NULL);
}

/* Exact evaluation of NET and Q agree on random rational inputs. */
static void assert_same_function(const lump_net_t *net, const lump_net_t *q)
{
    size_t n_in = net->n_inputs, n_out = lump_net_n_outputs(net);
    mpq_t *in = malloc(n_in * sizeof *in), *a = malloc(n_out * sizeof *a),
          *b = malloc(n_out * sizeof *b);
    assert_true(in != NULL && a != NULL && b != NULL);
    for (size_t i = 0; i < n_in; i++)
        mpq_init(in[i]);
    for (size_t j = 0; j < n_out; j++)
        mpq_inits(a[j], b[j], NULL);
    for (int t = 0; t < 20; t++) {
        for (size_t i = 0; i < n_in; i++)
            tu_rand_q(in[i], 9, 5);
        tu_ok(lump_eval_exact(a, net, in));
        tu_ok(lump_eval_exact(b, q, in));
        for (size_t j = 0; j < n_out; j++)
            if (!mpq_equal(a[j], b[j]))
                fail_msg("a certified quotient differs at output %zu [seed %lu]", j, tu_seed());
    }
    for (size_t i = 0; i < n_in; i++)
        mpq_clear(in[i]);
    for (size_t j = 0; j < n_out; j++)
        mpq_clears(a[j], b[j], NULL);
    free(in);
    free(a);
    free(b);
}

/* Certificates of the partition finder's lumpings of random planted
 * networks are accepted, also after a trip through their JSON text, and
 * the quotients they certify compute the network's function. */
static void accepts_genuine_lumpings(void **state)
{
    size_t before = 0, after = 0, removed = 0, scaled = 0;
    (void)state;
    for (int t = 0; t < 40; t++) {
        lump_net_t net, q;
        lump_lumping_t L, back;
        lump_verdict_t valid = LUMP_UNKNOWN;
        lump_mode_t mode = t % 2 ? LUMP_MODE_PROPORTIONAL : LUMP_MODE_EXACT;
        char why[1024], *text;
        planted_net(&net, 2 + (size_t)t % 4);
        lump_net_init(&q);
        lump_lumping_init(&L);
        lump_lumping_init(&back);
        tu_ok(lump_partition_coarsest(&L, &net, mode, 0));
        tu_ok(lump_quotient(&q, &net, &L));
        text = cert_text(&L);
        tu_ok(lump_cert_read_buf(&back, text, strlen(text), "genuine.cert.json"));
        tu_ok(lump_cert_check(&valid, why, sizeof why, &net, &q, &back));
        if (valid != LUMP_TRUE)
            fail_msg("network %d: genuine certificate refused: %s [seed %lu]", t, why, tu_seed());
        assert_same_function(&net, &q);
        before += lump_net_neurons(&net);
        after += lump_net_neurons(&q);
        for (size_t i = 0; i < L.n_layers; i++)
            for (size_t k = 0; k < L.layers[i].n_blocks; k++) {
                const lump_block_t *b = &L.layers[i].blocks[k];
                removed += b->fate != LUMP_FATE_KEEP;
                for (size_t j = 0; j < b->n_members; j++)
                    scaled += lump_arr_get_d(&b->scales, j) != 1.0;
            }
        free(text);
        lump_lumping_clear(&L);
        lump_lumping_clear(&back);
        lump_net_clear(&q);
        lump_net_clear(&net);
    }
    print_message(
        "genuine lumpings: %zu neurons before, %zu after, %zu blocks removed, %zu scales != 1\n",
        before, after, removed, scaled);
    /* The planted redundancy is there to be certified: none of it found
     * would make this test vacuous. */
    assert_true(after < before && removed > 0 && scaled > 0);
}

/* Changing any one weight or bias of a genuine quotient is caught. */
static void rejects_tampered_genuine(void **state)
{
    mpq_t v, one;
    (void)state;
    mpq_inits(v, one, NULL);
    mpq_set_ui(one, 1, 1000);
    for (int t = 0; t < 40; t++) {
        lump_net_t net, q;
        lump_lumping_t L;
        lump_verdict_t valid = LUMP_UNKNOWN;
        char why[1024];
        lump_layer_t *l;
        size_t li, at;
        planted_net(&net, 2 + (size_t)t % 4);
        lump_net_init(&q);
        lump_lumping_init(&L);
        tu_ok(lump_partition_coarsest(&L, &net, LUMP_MODE_PROPORTIONAL, 0));
        tu_ok(lump_quotient(&q, &net, &L));
        li = gmp_urandomm_ui(tu_rand, q.n_layers);
        l = &q.layers[li];
        at = gmp_urandomm_ui(tu_rand, l->weight.len + l->bias.len);
        if (at < l->weight.len) {
            lump_arr_get(v, &l->weight, at);
            mpq_add(v, v, one);
            tu_ok(lump_arr_set(&l->weight, at, v));
        } else {
            lump_arr_get(v, &l->bias, at - l->weight.len);
            mpq_add(v, v, one);
            tu_ok(lump_arr_set(&l->bias, at - l->weight.len, v));
        }
        tu_ok(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
        if (valid != LUMP_FALSE)
            fail_msg("network %d: tampered quotient accepted [seed %lu]", t, tu_seed());
        if (strstr(why, "quotient layer") == NULL)
            fail_msg("network %d: unexpected message: %s", t, why);
        lump_lumping_clear(&L);
        lump_net_clear(&q);
        lump_net_clear(&net);
    }
    mpq_clears(v, one, NULL);
}

/* ---- runner ------------------------------------------------------------------------------ */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_matches_fixture),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(read_leaves_claims_to_checker),
        cmocka_unit_test(failed_read_keeps_old),
        cmocka_unit_test(malformed_corpus),
        cmocka_unit_test(accepts_hand_made),
        cmocka_unit_test(hand_quotient_is_equal),
        cmocka_unit_test(accepts_fixture_files),
        cmocka_unit_test(accepts_trivial),
        cmocka_unit_test(reject_changed_scale),
        cmocka_unit_test(reject_changed_scale_sums),
        cmocka_unit_test(reject_moved_neuron),
        cmocka_unit_test(reject_merged_pair_not_lumping),
        cmocka_unit_test(reject_missing_neuron),
        cmocka_unit_test(reject_neuron_twice),
        cmocka_unit_test(reject_rep_scale_not_one),
        cmocka_unit_test(reject_negative_relu_scale),
        cmocka_unit_test(reject_scale_in_exact_mode),
        cmocka_unit_test(reject_scaled_sigmoid),
        cmocka_unit_test(reject_activation_mismatch),
        cmocka_unit_test(reject_quotient_weight),
        cmocka_unit_test(reject_quotient_bias),
        cmocka_unit_test(reject_missing_fold),
        cmocka_unit_test(reject_quotient_activation),
        cmocka_unit_test(reject_dead_kept),
        cmocka_unit_test(reject_dead_chain_broken),
        cmocka_unit_test(reject_constant_kept),
        cmocka_unit_test(reject_false_constant),
        cmocka_unit_test(reject_wrong_constant_value),
        cmocka_unit_test(reject_irrational_constant),
        cmocka_unit_test(reject_false_dead),
        cmocka_unit_test(reject_output_merged),
        cmocka_unit_test(reject_output_removed),
        cmocka_unit_test(reject_outputs_reordered),
        cmocka_unit_test(reject_clip_changed),
        cmocka_unit_test(reject_norm_added),
        cmocka_unit_test(reject_outmap_changed),
        cmocka_unit_test(reject_shape_mismatch),
        cmocka_unit_test(reject_counterexample),
        cmocka_unit_test(accept_counterexample_apart),
        cmocka_unit_test(accepts_genuine_lumpings),
        cmocka_unit_test(rejects_tampered_genuine),
    };
    tu_init();
    return cmocka_run_group_tests_name("cert", tests, NULL, NULL);
}
