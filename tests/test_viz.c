/* test_viz.c -- placeholder runner */
#include "testutil.h"
static void placeholder(void **state) { (void)state; }
int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(placeholder) };
    tu_init();
    return cmocka_run_group_tests_name("viz", tests, NULL, NULL);
}
