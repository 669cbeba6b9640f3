/* test_box.c -- inline boxes and VNN-LIB input boxes, on fixtures and the real properties */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static void box_is(const lump_box_t *b, size_t i, const char *lo, const char *hi)
{
    assert_true(i < b->n);
    tu_q_is(b->lo[i], lo);
    tu_q_is(b->hi[i], hi);
}

static void msg_has(const char *needle)
{
    if (strstr(lump_error_message(), needle) == NULL)
        fail_msg("message lacks \"%s\": %s", needle, lump_error_message());
}

static void inline_single_for_all(void **state)
{
    lump_box_t b;
    size_t i;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_parse_inline(&b, "-0.5:1.25", 4));
    assert_int_equal(b.n, 4);
    for (i = 0; i < 4; i++)
        box_is(&b, i, "-1/2", "5/4");
    lump_box_clear(&b);
}

static void inline_per_input(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_parse_inline(&b, "-1:1,0.5:2.25,1/3:2/3", 3));
    assert_int_equal(b.n, 3);
    box_is(&b, 0, "-1", "1");
    box_is(&b, 1, "1/2", "9/4");
    box_is(&b, 2, "1/3", "2/3");
    lump_box_clear(&b);
}

/* Without a network (n = 0) the list gives the dimension. */
static void inline_dimension_free(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_parse_inline(&b, "0:1,-3e2:-1e-1", 0));
    assert_int_equal(b.n, 2);
    box_is(&b, 1, "-300", "-1/10");
    tu_ok(lump_box_parse_inline(&b, "2:2", 0));
    assert_int_equal(b.n, 1);
    box_is(&b, 0, "2", "2");
    lump_box_clear(&b);
}

static void inline_lower_above_upper(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_fails(lump_box_parse_inline(&b, "0:1,0:1,2:1", 3), LUMP_EINPUT,
             "box: entry 3: lower bound 2 exceeds upper bound 1");
    assert_int_equal(b.n, 0);
    lump_box_clear(&b);
}

static void inline_wrong_count(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_fails(lump_box_parse_inline(&b, "0:1,0:1,0:1,0:1", 5), LUMP_EINPUT,
             "box: 4 intervals given, the network has 5 inputs");
    lump_box_clear(&b);
}

static void inline_bad_number(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_fails(lump_box_parse_inline(&b, "0:1,x:1", 2), LUMP_EINPUT, "box: entry 2: lower bound");
    tu_fails(lump_box_parse_inline(&b, "0:1/0", 2), LUMP_EINPUT, "box: entry 1: upper bound");
    tu_fails(lump_box_parse_inline(&b, "0:nan", 2), LUMP_EINPUT, "box: entry 1: upper bound");
    lump_box_clear(&b);
}

static void inline_not_an_interval(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_fails(lump_box_parse_inline(&b, "0:1,5", 2), LUMP_EINPUT, "entry 2");
    tu_fails(lump_box_parse_inline(&b, "", 2), LUMP_EINPUT, "box: empty");
    tu_fails(lump_box_parse_inline(&b, "0:1,,0:1", 3), LUMP_EINPUT, "entry 2");
    lump_box_clear(&b);
}

/* A failed parse keeps the previous box. */
static void inline_failure_keeps_box(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_parse_inline(&b, "0:1", 2));
    assert_int_not_equal(lump_box_parse_inline(&b, "1:0", 2), LUMP_OK);
    assert_int_equal(b.n, 2);
    box_is(&b, 1, "0", "1");
    lump_box_clear(&b);
}

/* tests/data/vnnlib/small.vnnlib states its expected box in a comment. */
static void vnnlib_small(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib(&b, tu_src_path("data/vnnlib/small.vnnlib")));
    assert_int_equal(b.n, 3);
    box_is(&b, 0, "-1/4", "1/2");
    box_is(&b, 1, "-1/2", "2");
    box_is(&b, 2, "1/3", "10");
    lump_box_clear(&b);
}

/* tests/data/vnnlib/disjunction.vnnlib states its expected hull. */
static void vnnlib_disjunction_hull(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib(&b, tu_src_path("data/vnnlib/disjunction.vnnlib")));
    assert_int_equal(b.n, 2);
    box_is(&b, 0, "-1", "3");
    box_is(&b, 1, "0", "1/2");
    lump_box_clear(&b);
}

/* Output constraints stay ignored whatever their connective, (not ...)
 * and (=> ...) included; only those over inputs alone are refused. */
static void vnnlib_output_connectives(void **state)
{
    static const char text[] = "(declare-const X_0 Real)\n(declare-const Y_0 Real)\n"
                               "(assert (<= X_0 1))\n(assert (>= X_0 0))\n"
                               "(assert (not (<= Y_0 0.5)))\n(assert (=> (<= Y_0 1) (>= Y_0 0)))\n"
                               "(assert (not (and (<= X_0 0.5) (>= Y_0 2))))\n";
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib_buf(&b, text, strlen(text), "out.vnnlib"));
    box_is(&b, 0, "0", "1");
    lump_box_clear(&b);
}

static void vnnlib_crlf(void **state)
{
    static const char text[] = "; crlf\r\n(declare-const X_0 Real)\r\n"
                               "(assert (<= X_0 0.75))\r\n(assert (>= X_0 -1/4))\r\n";
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib_buf(&b, text, strlen(text), "crlf.vnnlib"));
    box_is(&b, 0, "-1/4", "3/4");
    lump_box_clear(&b);
}

/* lump_box_parse picks the file reader by the .vnnlib suffix. */
static void parse_dispatch(void **state)
{
    lump_box_t b;
    (void)state;
    lump_box_init(&b);
    tu_ok(lump_box_parse(&b, tu_src_path("data/vnnlib/small.vnnlib"), 3));
    box_is(&b, 2, "1/3", "10");
    tu_fails(lump_box_parse(&b, tu_src_path("data/vnnlib/small.vnnlib"), 5), LUMP_EINPUT,
             "the box has 3 inputs, the network has 5");
    tu_ok(lump_box_parse(&b, "1:2", 2));
    assert_int_equal(b.n, 2);
    lump_box_clear(&b);
}

/* prop_1 of ACAS Xu: X_0 <= 0.679857769, X_0 >= 0.6, ..., X_4 in
 * [-0.5, -0.45] (from the file's text). */
static void vnnlib_acas_prop1(void **state)
{
    lump_box_t b;
    const char *p = tu_data_path("vnncomp2021/acasxu/prop_1.vnnlib");
    (void)state;
    if (p == NULL)
        skip();
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib(&b, p));
    assert_int_equal(b.n, 5);
    box_is(&b, 0, "6/10", "679857769/1000000000");
    box_is(&b, 1, "-1/2", "1/2");
    box_is(&b, 3, "45/100", "1/2");
    box_is(&b, 4, "-1/2", "-45/100");
    lump_box_clear(&b);
}

/* prop_6 of ACAS Xu is a disjunction of two boxes that differ in X_1
 * ([0.11140846, 0.499999896] or [-0.499999896, -0.11140846]); the hull
 * spans both (bounds from the file's text). */
static void vnnlib_acas_prop6_hull(void **state)
{
    lump_box_t b;
    const char *p = tu_data_path("vnncomp2021/acasxu/prop_6.vnnlib");
    (void)state;
    if (p == NULL)
        skip();
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib(&b, p));
    assert_int_equal(b.n, 5);
    box_is(&b, 0, "-129289109/1000000000", "700434925/1000000000");
    box_is(&b, 1, "-499999896/1000000000", "499999896/1000000000");
    box_is(&b, 2, "-499999896/1000000000", "-499204121/1000000000");
    lump_box_clear(&b);
}

/* mnistfc prop_0_0.03: 784 pixels; X_0 in [0.0, 0.029999999329447746] and
 * X_153 in [0.052352942526340485, 0.11235294491052628] (lines 801-802 and
 * 1260-1261 of the file), as exact decimals. */
static void vnnlib_mnist(void **state)
{
    lump_box_t b;
    const char *p = tu_data_path("vnncomp2021/mnistfc/prop_0_0.03.vnnlib");
    (void)state;
    if (p == NULL)
        skip();
    lump_box_init(&b);
    tu_ok(lump_box_read_vnnlib(&b, p));
    assert_int_equal(b.n, 784);
    box_is(&b, 0, "0", "29999999329447746/1000000000000000000");
    box_is(&b, 153, "52352942526340485/1000000000000000000",
           "11235294491052628/100000000000000000");
    lump_box_clear(&b);
}

/* Every real property reads, with the dimension of its networks. */
static void vnnlib_all_real(void **state)
{
    static const char *mnist[] = {"0_0.03", "0_0.05", "1_0.05", "2_0.05", "3_0.05",
                                  "4_0.05", "5_0.05", "6_0.05", "7_0.05", "8_0.05",
                                  "9_0.05", "10_0.05", "11_0.05", "12_0.05", "13_0.05",
                                  "14_0.05"};
    char rel[128];
    const char *p;
    lump_box_t b;
    size_t i;
    (void)state;
    if (tu_data_path("vnncomp2021/acasxu/prop_1.vnnlib") == NULL)
        skip();
    lump_box_init(&b);
    for (i = 1; i <= 10; i++) {
        snprintf(rel, sizeof rel, "vnncomp2021/acasxu/prop_%zu.vnnlib", i);
        p = tu_data_path(rel);
        assert_non_null(p);
        tu_ok(lump_box_read_vnnlib(&b, p));
        assert_int_equal(b.n, 5);
    }
    for (i = 0; i < sizeof mnist / sizeof mnist[0]; i++) {
        snprintf(rel, sizeof rel, "vnncomp2021/mnistfc/prop_%s.vnnlib", mnist[i]);
        p = tu_data_path(rel);
        assert_non_null(p);
        tu_ok(lump_box_read_vnnlib(&b, p));
        assert_int_equal(b.n, 784);
    }
    lump_box_clear(&b);
}

/* Malformed properties: LUMP_EINPUT naming the file, the place (a line or
 * the variable) and the problem. */
typedef struct {
    const char *file, *place, *problem;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"garbage.vnnlib", "line 1", "expected '('"},
    {"unbalanced.vnnlib", "line 3", "never closed"},
    {"unbalanced_close.vnnlib", "line 4", "')' without a matching '('"},
    {"missing_upper.vnnlib", "X_1", "no upper bound"},
    {"missing_lower.vnnlib", "X_1", "no lower bound"},
    {"empty_box.vnnlib", "line 6", "the box is empty: X_1"},
    {"bad_number.vnnlib", "line 3", "'abc' is not a number"},
    {"huge_exponent.vnnlib", "line 3", "exponent"},
    {"deep_nesting.vnnlib", "line 3", "deeper than 100"},
    {"binary_junk.vnnlib", "line 3", "unexpected byte"},
    {"index_gap.vnnlib", "X_1", "is not declared"},
    {"absurd_index.vnnlib", "line 1", "absurd"},
    {"undeclared.vnnlib", "line 4", "X_1 is used before"},
    {"no_inputs.vnnlib", "no_inputs.vnnlib", "no input variable"},
    {"not_a_bound.vnnlib", "line 3", "not a bound"},
    {"empty.vnnlib", "empty.vnnlib", "no input variable"},
    {"not_over_input.vnnlib", "line 5", "(not ...) over inputs is not supported"},
    {"implies_over_input.vnnlib", "line 5", "'(=> ...)' over inputs is not supported"},
    {"leading_zero_index.vnnlib", "line 4", "'X_00' is not a canonical input name"},
};

static void malformed(void **state)
{
    const bad_case_t *c = *state;
    char rel[256];
    lump_box_t b;
    snprintf(rel, sizeof rel, "malformed/vnnlib/%s", c->file);
    lump_box_init(&b);
    tu_fails(lump_box_read_vnnlib(&b, tu_src_path(rel)), LUMP_EINPUT, c->file);
    msg_has(c->place);
    msg_has(c->problem);
    assert_int_equal(b.n, 0);
    lump_box_clear(&b);
}

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(inline_single_for_all),
        cmocka_unit_test(inline_per_input),
        cmocka_unit_test(inline_dimension_free),
        cmocka_unit_test(inline_lower_above_upper),
        cmocka_unit_test(inline_wrong_count),
        cmocka_unit_test(inline_bad_number),
        cmocka_unit_test(inline_not_an_interval),
        cmocka_unit_test(inline_failure_keeps_box),
        cmocka_unit_test(vnnlib_small),
        cmocka_unit_test(vnnlib_disjunction_hull),
        cmocka_unit_test(vnnlib_crlf),
        cmocka_unit_test(vnnlib_output_connectives),
        cmocka_unit_test(parse_dispatch),
        cmocka_unit_test(vnnlib_acas_prop1),
        cmocka_unit_test(vnnlib_acas_prop6_hull),
        cmocka_unit_test(vnnlib_mnist),
        cmocka_unit_test(vnnlib_all_real),
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
    return _cmocka_run_group_tests("box", tests, NFIXED + NBAD, NULL, NULL);
}
