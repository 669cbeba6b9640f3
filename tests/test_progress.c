/* test_progress.c -- the progress report and cancellation: silent unless
 * enabled, one rewritten line at a bounded rate when enabled, and every
 * long computation unwinding with LUMP_EINTERRUPTED once cancelled */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include "progress_i.h"

/* Standard error goes to a file while the tests run, so that what the
 * library prints there can be read back. */
static int saved_err = -1;
static const char *err_path;

static void capture_begin(void)
{
    int fd;
    fflush(stderr);
    err_path = tu_tmp_path("stderr.txt");
    fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    saved_err = dup(2);
    assert_true(saved_err >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    close(fd);
}

/* The captured text (to free). */
static char *capture_end(void)
{
    size_t len;
    fflush(stderr);
    assert_int_equal(dup2(saved_err, 2), 2);
    close(saved_err);
    saved_err = -1;
    return tu_slurp(err_path, &len);
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void read_small(lump_net_t *net, lump_box_t *box)
{
    lump_net_init(net);
    lump_box_init(box);
    tu_ok(lump_net_read(net, tu_src_path("data/cert/small.json")));
    tu_ok(lump_box_parse_inline(box, "-1:1,-1:1", net->n_inputs));
}

/* A library call prints nothing unless a program enabled the report,
 * however long its phases run. */
static void silent_by_default(void **state)
{
    lump_net_t net, g;
    lump_box_t box;
    lump_lumping_t L;
    char *text;
    size_t lv;
    (void)state;
    read_small(&net, &box);
    lump_net_init(&g);
    lump_lumping_init(&L);
    capture_begin();
    lv = lump_progress_begin("layer", 3, LUMP_PROGRESS_EVEN);
    for (size_t i = 0; i < 3; i++) {
        tu_ok(lump_progress_step(lv, i));
        pause_ms(300);
    }
    lump_progress_end(lv);
    tu_ok(lump_relax(&g, &L, &net, &box, 0.25, LUMP_CENTRE_MEAN));
    text = capture_end();
    assert_string_equal(text, "");
    free(text);
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* Enabled: nothing in the first half second, then one line rewritten in
 * place ("\r...\033[K") naming the phases, at most ten a second, erased
 * when the outermost phase ends. */
static void enabled_line(void **state)
{
    char *text;
    size_t outer, inner, drawn;
    (void)state;
    capture_begin();
    lump_progress_enable("lumpnet: test");
    outer = lump_progress_begin("box", 4, LUMP_PROGRESS_EVEN);
    tu_ok(lump_progress_step(outer, 0));
    inner = lump_progress_begin("layer", 6, 0);
    tu_ok(lump_progress_step(inner, 1));
    /* too early for a line */
    fflush(stderr);
    text = tu_slurp(err_path, &drawn);
    assert_int_equal(drawn, 0);
    free(text);
    pause_ms(600);
    tu_ok(lump_progress_step(inner, 2));
    /* a burst of steps within 0.35 s redraws a few times, not 1000 */
    for (int k = 0; k < 1000; k++) {
        tu_ok(lump_progress_step(outer, 1));
        pause_ms(0 == k % 100 ? 35 : 0);
    }
    lump_progress_end(outer);
    lump_progress_enable(NULL);
    text = capture_end();
    assert_non_null(strstr(text, "\rlumpnet: test: ["));
    assert_non_null(strstr(text, " s] box 1 of 4, layer 3 of 6\033[K"));
    assert_non_null(strstr(text, "] box 2 of 4\033[K"));
    assert_null(strchr(text, '\n'));
    drawn = count(text, "\033[K");
    /* the erase at the end is one of them */
    assert_true(drawn >= 2);
    assert_true(drawn <= 8);
    assert_non_null(strstr(text + strlen(text) - 4, "\r\033[K"));
    free(text);
}

/* Once cancellation is requested every long computation returns
 * LUMP_EINTERRUPTED (exit code 130), and leaves its outputs alone; after
 * a reset they run again. */
static void cancel_unwinds(void **state)
{
    lump_net_t net, g;
    lump_box_t box;
    lump_lumping_t L;
    lump_bound_result_t br;
    lump_box_cert_t cert;
    double obs[8];
    (void)state;
    read_small(&net, &box);
    lump_net_init(&g);
    lump_lumping_init(&L);
    lump_bound_result_init(&br);
    lump_box_cert_init(&cert);
    assert_int_equal(lump_error_exit_code(LUMP_EINTERRUPTED), 130);
    assert_false(lump_cancel_requested());
    tu_ok(lump_cancel_check());
    lump_cancel_request();
    assert_true(lump_cancel_requested());
    tu_fails(lump_cancel_check(), LUMP_EINTERRUPTED, "interrupted");
    tu_fails(lump_progress_step(lump_progress_begin("x", 1, 0), 0), LUMP_EINTERRUPTED,
             "interrupted");
    tu_fails(lump_relax(&g, &L, &net, &box, 0.25, LUMP_CENTRE_MEAN), LUMP_EINTERRUPTED,
             "interrupted");
    assert_int_equal(g.n_layers, 0);
    tu_fails(lump_bound_diff(&br, &net, &net, &box, NULL), LUMP_EINTERRUPTED, "interrupted");
    tu_fails(lump_max_error_sampled(obs, &net, &net, &box, 10, 1), LUMP_EINTERRUPTED,
             "interrupted");
    tu_fails(lump_stable_reduce(&g, &cert, NULL, &net, &box, NULL), LUMP_EINTERRUPTED,
             "interrupted");
    assert_int_equal(g.n_layers, 0);
    lump_cancel_reset();
    assert_false(lump_cancel_requested());
    tu_ok(lump_relax(&g, &L, &net, &box, 0.25, LUMP_CENTRE_MEAN));
    tu_ok(lump_bound_diff(&br, &net, &g, &box, NULL));
    lump_box_cert_clear(&cert);
    lump_bound_result_clear(&br);
    lump_lumping_clear(&L);
    lump_net_clear(&g);
    lump_net_clear(&net);
    lump_box_clear(&box);
}

/* A call that fails closes the phases it opened, on every error path:
 * a phase left open would show in every later progress line (regression:
 * lump_bound_diff_lumped returned before its cleanup on networks of
 * different shapes, and lump_explore_run left its "eps" phase open when a
 * row failed). */
static void phases_closed_on_errors(void **state)
{
    lump_net_t net, wide;
    lump_box_t box, box1;
    lump_bound_result_t br;
    lump_explore_t tab;
    lump_explore_opts_t eo;
    double eps = 0.1;
    (void)state;
    read_small(&net, &box);
    lump_net_init(&wide);
    lump_box_init(&box1);
    lump_bound_result_init(&br);
    lump_explore_init(&tab);
    lump_cancel_reset();
    lump_progress_end(0); /* whatever an earlier test left open */
    assert_int_equal(lump_i_progress_depth(), 0);
    tu_ok(lump_net_read(&wide, tu_src_path("data/json/relax_overflow.json")));
    tu_ok(lump_box_parse_inline(&box1, "0:1", wide.n_inputs));
    assert_int_not_equal(lump_bound_diff(&br, &net, &wide, &box, NULL), LUMP_OK);
    assert_int_equal(lump_i_progress_depth(), 0);
    lump_explore_opts_init(&eo);
    eo.eps = &eps;
    eo.neps = 1;
    tu_fails(lump_explore_run(&tab, &wide, &box1, &eo), LUMP_EUNSUPPORTED, "overflows");
    assert_int_equal(lump_i_progress_depth(), 0);
    tu_ok(lump_bound_diff(&br, &net, &net, &box, NULL));
    assert_int_equal(lump_i_progress_depth(), 0);
    lump_explore_clear(&tab);
    lump_bound_result_clear(&br);
    lump_box_clear(&box1);
    lump_box_clear(&box);
    lump_net_clear(&wide);
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(silent_by_default),
        cmocka_unit_test(enabled_line),
        cmocka_unit_test(cancel_unwinds),
        cmocka_unit_test(phases_closed_on_errors),
    };
    tu_init();
    return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
