/* test_nnet.c -- the NNet reader and writer against the real ACAS Xu files and hand-made fixtures */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define ACAS_1_1 "acasxu/ACASXU_run2a_1_1_batch_2000.nnet"

/* arr_is -- assert A[i] equals REF. */
static void arr_is(const lump_arr_t *a, size_t i, const char *ref)
{
    mpq_t v;
    mpq_init(v);
    lump_arr_get(v, a, i);
    tu_q_is(v, ref);
    mpq_clear(v);
}

static void read_acas(lump_net_t *net, const char *rel)
{
    const char *p = tu_data_path(rel);
    if (p == NULL)
        skip();
    tu_ok(lump_net_read(net, p));
}

static void acas_sizes(void **state)
{
    lump_net_t net;
    size_t k;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    assert_int_equal(net.n_inputs, 5);
    assert_int_equal(net.n_layers, 7);
    for (k = 0; k < 6; k++) {
        assert_int_equal(net.layers[k].size, 50);
        assert_int_equal(net.layers[k].act.kind, LUMP_ACT_RELU);
    }
    assert_int_equal(net.layers[6].size, 5);
    assert_int_equal(net.layers[6].act.kind, LUMP_ACT_IDENTITY);
    /* 5*50 + 5*50*50 + 50*5 weights, 6*50 + 5 biases */
    assert_int_equal(lump_net_params(&net), 13305);
    lump_net_clear(&net);
}

/* Weights and biases taken from the text of ACASXU_run2a_1_1: line 11 is
 * the first weight line ("5.40062e-02,-2.61092e+00,..."), line 61 the first
 * bias of layer 1 (2.27630e-01), line 111 the first weight line of layer 2
 * (-1.84202e-01 first), and the last line the bias of output 4
 * (-1.48281e-02). */
static void acas_weights(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    arr_is(&net.layers[0].weight, 0, "540062/10000000");
    arr_is(&net.layers[0].weight, 1, "-261092/100000");
    arr_is(&net.layers[0].weight, 4, "141407/1000000");
    arr_is(&net.layers[0].bias, 0, "227630/1000000");
    arr_is(&net.layers[1].weight, 0, "-184202/1000000");
    arr_is(&net.layers[6].bias, 4, "-148281/10000000");
    lump_net_clear(&net);
}

/* The weights are stored compactly (inline small fractions), not as one
 * heap mpq each. */
static void acas_weights_compact(void **state)
{
    lump_net_t net;
    size_t k;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    for (k = 0; k < net.n_layers; k++) {
        assert_int_equal(net.layers[k].weight.nbig, 0);
        assert_int_equal(net.layers[k].bias.nbig, 0);
    }
    lump_net_clear(&net);
}

/* Header lines 7-10 of the file, as exact decimals. */
static void acas_header(void **state)
{
    lump_net_t net;
    static const char *lo[5] = {"0", "-3141593/1000000", "-3141593/1000000", "100", "0"};
    static const char *hi[5] = {"60760", "3141593/1000000", "3141593/1000000", "1200", "1200"};
    static const char *mean[5] = {"19791091/1000", "0", "0", "650", "600"};
    static const char *range[5] = {"60261", "628318530718/100000000000",
                                   "628318530718/100000000000", "1100", "1200"};
    size_t i;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    assert_true(net.has_clip && net.has_norm && net.has_outmap);
    for (i = 0; i < 5; i++) {
        tu_q_is(net.clip_lo[i], lo[i]);
        tu_q_is(net.clip_hi[i], hi[i]);
        tu_q_is(net.norm_mean[i], mean[i]);
        tu_q_is(net.norm_range[i], range[i]);
    }
    lump_net_clear(&net);
}

/* The last mean/range pair maps every output back. */
static void acas_outmap(void **state)
{
    lump_net_t net;
    size_t j;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    for (j = 0; j < 5; j++) {
        tu_q_is(net.out_shift[j], "75188840201005975/10000000000000000");
        tu_q_is(net.out_scale[j], "37394992/100000");
    }
    lump_net_clear(&net);
}

static void assert_same_net(const lump_net_t *a, const lump_net_t *b)
{
    size_t k, i, m;
    assert_int_equal(a->n_inputs, b->n_inputs);
    assert_int_equal(a->n_layers, b->n_layers);
    for (k = 0; k < a->n_layers; k++) {
        assert_int_equal(a->layers[k].size, b->layers[k].size);
        assert_true(lump_arr_equal(&a->layers[k].weight, &b->layers[k].weight));
        assert_true(lump_arr_equal(&a->layers[k].bias, &b->layers[k].bias));
        assert_true(lump_act_equal(&a->layers[k].act, &b->layers[k].act));
    }
    assert_int_equal(a->has_clip, b->has_clip);
    assert_int_equal(a->has_norm, b->has_norm);
    assert_int_equal(a->has_outmap, b->has_outmap);
    for (i = 0; i < a->n_inputs; i++) {
        if (a->has_clip)
            assert_true(mpq_equal(a->clip_lo[i], b->clip_lo[i]) &&
                        mpq_equal(a->clip_hi[i], b->clip_hi[i]));
        if (a->has_norm)
            assert_true(mpq_equal(a->norm_mean[i], b->norm_mean[i]) &&
                        mpq_equal(a->norm_range[i], b->norm_range[i]));
    }
    m = lump_net_n_outputs(a);
    for (i = 0; a->has_outmap && i < m; i++)
        assert_true(mpq_equal(a->out_scale[i], b->out_scale[i]) &&
                    mpq_equal(a->out_shift[i], b->out_shift[i]));
}

/* roundtrip -- write NET as NNet to a temporary file and read it into OUT;
 * returns the number of rounded values. */
static size_t roundtrip(lump_net_t *out, const lump_net_t *net)
{
    const char *tmp = tu_tmp_path("rt.nnet");
    lump_write_opts_t opts;
    lump_write_opts_init(&opts);
    tu_ok(lump_net_write(tmp, net, &opts));
    tu_ok(lump_net_read(out, tmp));
    return opts.rounded;
}

static void acas_roundtrip_all(void **state)
{
    int a, b;
    char rel[128];
    (void)state;
    if (tu_data_path(ACAS_1_1) == NULL)
        skip();
    for (a = 1; a <= 5; a++)
        for (b = 1; b <= 9; b++) {
            lump_net_t net, back;
            snprintf(rel, sizeof rel, "acasxu/ACASXU_run2a_%d_%d_batch_2000.nnet", a, b);
            lump_net_init(&net);
            lump_net_init(&back);
            read_acas(&net, rel);
            assert_int_equal(roundtrip(&back, &net), 0);
            assert_same_net(&net, &back);
            lump_net_clear(&net);
            lump_net_clear(&back);
        }
}

/* The writer prints the decimals plainly, as the file states them. */
static void acas_written_text(void **state)
{
    lump_net_t net;
    const char *tmp = tu_tmp_path("text.nnet");
    unsigned char *buf;
    size_t len;
    (void)state;
    lump_net_init(&net);
    read_acas(&net, ACAS_1_1);
    tu_ok(lump_net_write(tmp, &net, NULL));
    tu_ok(lump_io_read_file(&buf, &len, tmp));
    assert_non_null(strstr((char *)buf, "// written by lumpnet"));
    assert_non_null(strstr((char *)buf, "\n0.0540062,-2.61092,"));
    assert_non_null(strstr((char *)buf, "\n19791.091,0,0,650,600,7.5188840201005975,"));
    assert_non_null(strstr((char *)buf, "\n7,5,5,50,\n5,50,50,50,50,50,50,5,\n"));
    free(buf);
    lump_net_clear(&net);
}

/* tests/data/nnet/tiny.nnet: clip x0 to [-1,1], x1 to [0,2.5]; normalise
 * (x0-0.5)/2, (x1-1)/4; hidden relu rows (1,-2) bias -1 and (0.5,0.125)
 * bias 3; output row (1.5,-1) bias 2; output y*0.25 + 3. */
static void tiny_values(void **state)
{
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_read(&net, tu_src_path("data/nnet/tiny.nnet")));
    assert_int_equal(net.n_inputs, 2);
    assert_int_equal(net.n_layers, 2);
    assert_int_equal(net.layers[0].act.kind, LUMP_ACT_RELU);
    assert_int_equal(net.layers[1].act.kind, LUMP_ACT_IDENTITY);
    arr_is(&net.layers[0].weight, 0, "1");
    arr_is(&net.layers[0].weight, 1, "-2");
    arr_is(&net.layers[0].weight, 2, "1/2");
    arr_is(&net.layers[0].weight, 3, "1/8");
    arr_is(&net.layers[0].bias, 0, "-1");
    arr_is(&net.layers[0].bias, 1, "3");
    arr_is(&net.layers[1].weight, 0, "3/2");
    arr_is(&net.layers[1].weight, 1, "-1");
    arr_is(&net.layers[1].bias, 0, "2");
    tu_q_is(net.clip_lo[0], "-1");
    tu_q_is(net.clip_lo[1], "0");
    tu_q_is(net.clip_hi[0], "1");
    tu_q_is(net.clip_hi[1], "5/2");
    tu_q_is(net.norm_mean[0], "1/2");
    tu_q_is(net.norm_mean[1], "1");
    tu_q_is(net.norm_range[0], "2");
    tu_q_is(net.norm_range[1], "4");
    tu_q_is(net.out_shift[0], "3");
    tu_q_is(net.out_scale[0], "1/4");
    lump_net_clear(&net);
}

/* eval_tiny -- the exact output of tiny.nnet at (A, B). */
static void eval_tiny(mpq_t *out, const lump_net_t *net, const char *a, const char *b)
{
    mpq_t in[2];
    mpq_init(in[0]);
    mpq_init(in[1]);
    assert_int_equal(mpq_set_str(in[0], a, 10), 0);
    assert_int_equal(mpq_set_str(in[1], b, 10), 0);
    tu_ok(lump_eval_exact(out, net, in));
    mpq_clear(in[0]);
    mpq_clear(in[1]);
}

/* By hand: at (1, 2), normalised (1/4, 1/4); h = (relu(-5/4), 101/32);
 * y = 2 - 101/32 = -37/32; output -37/128 + 3 = 347/128. At (5, -1) the
 * clip gives (1, 0), normalised (1/4, -1/4); h = (0, 99/32); output
 * (2 - 99/32)/4 + 3 = 349/128. */
static void tiny_semantics(void **state)
{
    lump_net_t net;
    mpq_t out;
    (void)state;
    lump_net_init(&net);
    mpq_init(out);
    tu_ok(lump_net_read(&net, tu_src_path("data/nnet/tiny.nnet")));
    eval_tiny(&out, &net, "1", "2");
    tu_q_is(out, "347/128");
    eval_tiny(&out, &net, "5", "-1");
    tu_q_is(out, "349/128");
    mpq_clear(out);
    lump_net_clear(&net);
}

/* The same file with CRLF line ends reads to the same network. */
static void tiny_crlf(void **state)
{
    lump_net_t a, b;
    unsigned char *buf;
    char *crlf;
    size_t len, i, j = 0;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    tu_ok(lump_net_read(&a, tu_src_path("data/nnet/tiny.nnet")));
    tu_ok(lump_io_read_file(&buf, &len, tu_src_path("data/nnet/tiny.nnet")));
    crlf = malloc(2 * len + 1);
    assert_non_null(crlf);
    for (i = 0; i < len; i++) {
        if (buf[i] == '\n')
            crlf[j++] = '\r';
        crlf[j++] = (char)buf[i];
    }
    tu_ok(lump_net_read_nnet_buf(&b, crlf, j, "crlf.nnet"));
    assert_same_net(&a, &b);
    free(crlf);
    free(buf);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

static void tiny_roundtrip(void **state)
{
    lump_net_t net, back;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    tu_ok(lump_net_read(&net, tu_src_path("data/nnet/tiny.nnet")));
    assert_int_equal(roundtrip(&back, &net), 0);
    assert_same_net(&net, &back);
    lump_net_clear(&net);
    lump_net_clear(&back);
}

/* make_affine -- 1 input, one identity layer of 2 outputs: rows (1), (2),
 * biases 0, 1. */
static void make_affine(lump_net_t *net)
{
    size_t sizes[1] = {2};
    mpq_t q;
    mpq_init(q);
    tu_ok(lump_net_setup(net, 1, 1, sizes, LUMP_STORE_Q));
    mpq_set_ui(q, 1, 1);
    tu_ok(lump_arr_set(&net->layers[0].weight, 0, q));
    mpq_set_ui(q, 2, 1);
    tu_ok(lump_arr_set(&net->layers[0].weight, 1, q));
    mpq_set_ui(q, 1, 1);
    tu_ok(lump_arr_set(&net->layers[0].bias, 1, q));
    mpq_clear(q);
}

/* Scales (2, 3) and shifts (5, 7) differ per output: folded by hand, the
 * rows become (2), (6) and the biases 5, 10, with output mean 0, range 1. */
static void write_folds_outmap(void **state)
{
    lump_net_t net, back;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    make_affine(&net);
    tu_ok(lump_net_alloc_outmap(&net));
    mpq_set_ui(net.out_scale[0], 2, 1);
    mpq_set_ui(net.out_scale[1], 3, 1);
    mpq_set_ui(net.out_shift[0], 5, 1);
    mpq_set_ui(net.out_shift[1], 7, 1);
    assert_int_equal(roundtrip(&back, &net), 0);
    arr_is(&back.layers[0].weight, 0, "2");
    arr_is(&back.layers[0].weight, 1, "6");
    arr_is(&back.layers[0].bias, 0, "5");
    arr_is(&back.layers[0].bias, 1, "10");
    tu_q_is(back.out_scale[0], "1");
    tu_q_is(back.out_shift[1], "0");
    lump_net_clear(&net);
    lump_net_clear(&back);
}

/* No clip and no normalisation: the bounds are the largest doubles, the
 * means 0 and the ranges 1. */
static void write_missing_maps(void **state)
{
    lump_net_t net, back;
    (void)state;
    lump_net_init(&net);
    lump_net_init(&back);
    make_affine(&net);
    assert_int_equal(roundtrip(&back, &net), 0);
    assert_true(back.has_clip);
    tu_q_is(back.clip_hi[0], "17976931348623157"
                          "000000000000000000000000000000000000000000000000000000000000000000000"
                          "000000000000000000000000000000000000000000000000000000000000000000000"
                          "000000000000000000000000000000000000000000000000000000000000000000000"
                          "000000000000000000000000000000000000000000000000000000000000000000000"
                          "0000000000000000");
    mpq_neg(back.clip_lo[0], back.clip_lo[0]);
    assert_true(mpq_equal(back.clip_lo[0], back.clip_hi[0]));
    tu_q_is(back.norm_mean[0], "0");
    tu_q_is(back.norm_range[0], "1");
    tu_q_is(back.out_scale[1], "1");
    assert_true(lump_arr_equal(&net.layers[0].weight, &back.layers[0].weight));
    lump_net_clear(&net);
    lump_net_clear(&back);
}

/* 1/3 has no terminating decimal: written rounded, and counted. Its
 * 17-digit text 0.33333333333333331 is off by 1/3 - 0.33333333333333331
 * = 0.0000000000000000233... (by hand). */
static void write_rounds_nonterminating(void **state)
{
    lump_net_t net;
    lump_write_opts_t opts;
    mpq_t q;
    (void)state;
    lump_net_init(&net);
    mpq_init(q);
    make_affine(&net);
    mpq_set_ui(q, 1, 3);
    tu_ok(lump_arr_set(&net.layers[0].weight, 0, q));
    lump_write_opts_init(&opts);
    tu_ok(lump_net_write(tu_tmp_path("third.nnet"), &net, &opts));
    assert_int_equal(opts.rounded, 1);
    assert_true(opts.max_rounding > 2.33e-17 && opts.max_rounding < 2.34e-17);
    mpq_clear(q);
    lump_net_clear(&net);
}

static void write_refuses_sigmoid(void **state)
{
    lump_net_t net;
    size_t sizes[2] = {2, 1};
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 1, 2, sizes, LUMP_STORE_Q));
    net.layers[0].act.kind = LUMP_ACT_SIGMOID;
    tu_fails(lump_net_write(tu_tmp_path("sig.nnet"), &net, NULL), LUMP_EUNSUPPORTED, "sigmoid");
    lump_net_clear(&net);
}

static void write_refuses_relu_output(void **state)
{
    lump_net_t net;
    size_t sizes[1] = {1};
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 1, 1, sizes, LUMP_STORE_Q));
    net.layers[0].act.kind = LUMP_ACT_RELU;
    tu_fails(lump_net_write(tu_tmp_path("relu.nnet"), &net, NULL), LUMP_EUNSUPPORTED,
             "identity on the last");
    lump_net_clear(&net);
}

/* A failed read of a buffer leaves the caller's network as it was. */
static void failed_read_keeps_net(void **state)
{
    static const char bad[] = "1,1,1,1,\n1,1,\n0,\n0,\n1,\n0,0,\n1,0,\n";
    lump_net_t net;
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_read(&net, tu_src_path("data/nnet/tiny.nnet")));
    tu_fails(lump_net_read_nnet_buf(&net, bad, strlen(bad), "zero.nnet"), LUMP_EINPUT,
             "zero.nnet: line 7: field 2: range is zero");
    assert_int_equal(net.n_inputs, 2);
    arr_is(&net.layers[0].weight, 1, "-2");
    lump_net_clear(&net);
}

/* Header lines with more values than the format has, as in NeuroDiff's
 * and ReluVal's ACAS Xu copies: the reference reader takes the first
 * inputSize (min/max) and inputSize+1 (mean/range) values, and so does
 * lumpnet, to the same network as without them. The extra values are not
 * even numbers here: they are ignored, not read. A weight line with an
 * extra value stays an error (wrong_count.nnet). */
static void header_extra_values(void **state)
{
    static const char extra[] = "2,2,1,2,\n2,2,1,\n0,\n-1.0,0,0.0,7,\n1.0,2.5e0,9,\n"
                                "0.5,1,3,0.0,x,\n2,4,0.25,1.0\n1,-2,\n0.5,0.125,\n-1,\n3,\n"
                                "1.5,-1,\n2,\n";
    lump_net_t a, b;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    tu_ok(lump_net_read(&a, tu_src_path("data/nnet/tiny.nnet")));
    tu_ok(lump_net_read_nnet_buf(&b, extra, strlen(extra), "extra.nnet"));
    assert_same_net(&a, &b);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

/* Malformed files: each must fail with LUMP_EINPUT, naming the file, the
 * line and the problem. */
typedef struct {
    const char *file, *line, *problem;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"missing_bias_line.nnet", "line 15", "unexpected end of file"},
    {"layer_2p40.nnet", "line 4", "more values than a file"},
    {"nan_weight.nnet", "line 10", "field 2"},
    {"inf_weight.nnet", "line 11", "field 1"},
    {"bad_number.nnet", "line 14", "field 2"},
    {"wrong_count.nnet", "line 10", "too many values"},
    {"truncated.nnet", "line 8", "too few values"},
    {"zero_range.nnet", "line 9", "range is zero"},
    {"min_gt_max.nnet", "line 7", "below its minimum"},
    {"input_size_mismatch.nnet", "line 4", "differs from inputSize"},
    {"num_layers_mismatch.nnet", "line 4", "numLayers 3 needs 4"},
    {"negative_size.nnet", "line 4", "negative"},
    {"zero_size.nnet", "line 4", "zero"},
    {"too_few_means.nnet", "line 8", "too few values"},
    {"extra_data.nnet", "line 16", "after the last bias"},
    {"empty.nnet", "line 1", "unexpected end of file"},
    {"binary_junk.nnet", "line 5", "unexpected byte 0x00"},
};

/* msg_has -- assert that the last error message contains NEEDLE. */
static void msg_has(const char *needle)
{
    if (strstr(lump_error_message(), needle) == NULL)
        fail_msg("message lacks \"%s\": %s", needle, lump_error_message());
}

static void malformed(void **state)
{
    const bad_case_t *c = *state;
    char rel[256];
    lump_net_t net;
    snprintf(rel, sizeof rel, "malformed/nnet/%s", c->file);
    lump_net_init(&net);
    tu_fails(lump_net_read(&net, tu_src_path(rel)), LUMP_EINPUT, c->file);
    msg_has(c->line);
    msg_has(c->problem);
    lump_net_clear(&net);
}

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(acas_sizes),
        cmocka_unit_test(acas_weights),
        cmocka_unit_test(acas_weights_compact),
        cmocka_unit_test(acas_header),
        cmocka_unit_test(acas_outmap),
        cmocka_unit_test(acas_roundtrip_all),
        cmocka_unit_test(acas_written_text),
        cmocka_unit_test(tiny_values),
        cmocka_unit_test(tiny_semantics),
        cmocka_unit_test(tiny_crlf),
        cmocka_unit_test(tiny_roundtrip),
        cmocka_unit_test(write_folds_outmap),
        cmocka_unit_test(write_missing_maps),
        cmocka_unit_test(write_rounds_nonterminating),
        cmocka_unit_test(write_refuses_sigmoid),
        cmocka_unit_test(write_refuses_relu_output),
        cmocka_unit_test(failed_read_keeps_net),
        cmocka_unit_test(header_extra_values),
    };
    enum { NFIXED = sizeof fixed / sizeof fixed[0] };
    struct CMUnitTest tests[NFIXED + NBAD];
    static char names[NBAD][128];
    size_t i;
    memcpy(tests, fixed, sizeof fixed);
    for (i = 0; i < NBAD; i++) {
        snprintf(names[i], sizeof names[i], "malformed %s", bad_cases[i].file);
        tests[NFIXED + i] = (struct CMUnitTest){names[i], malformed, NULL, NULL,
                                                (void *)&bad_cases[i]};
    }
    tu_init();
    return _cmocka_run_group_tests("nnet", tests, NFIXED + NBAD, NULL, NULL);
}
