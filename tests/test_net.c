/* test_net.c -- the network model: setup, sizes, copies, activations, checks */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static void setup_counts_neurons_and_params(void **state)
{
    lump_net_t net;
    size_t sizes[] = {50, 50, 50, 50, 50, 50, 5};
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 5, 7, sizes, LUMP_STORE_Q));
    /* the ACAS Xu shape: 5*50+50 + 5*(50*50+50) + 50*5+5 */
    assert_int_equal(lump_net_params(&net), 13305);
    assert_int_equal(lump_net_neurons(&net), 305);
    assert_int_equal(lump_net_n_outputs(&net), 5);
    assert_int_equal(net.layers[0].in_size, 5);
    assert_int_equal(net.layers[6].in_size, 50);
    tu_ok(lump_net_validate(&net, "acas"));
    lump_net_clear(&net);
}

static void setup_refuses_absurd_layer(void **state)
{
    lump_net_t net;
    size_t sizes[] = {(size_t)1 << 40, 3};
    (void)state;
    lump_net_init(&net);
    tu_fails(lump_net_setup(&net, 784, 2, sizes, LUMP_STORE_F32), LUMP_ENOMEM, "layer 1");
    sizes[0] = 0;
    tu_fails(lump_net_setup(&net, 784, 2, sizes, LUMP_STORE_F32), LUMP_EINPUT, "empty");
    lump_net_clear(&net);
}

static void copy_is_deep_and_equal(void **state)
{
    lump_net_t a, b;
    size_t sizes[] = {3, 2};
    mpq_t v;
    lump_act_t leaky;
    (void)state;
    lump_net_init(&a);
    lump_net_init(&b);
    mpq_init(v);
    lump_act_init(&leaky);
    tu_ok(lump_net_setup(&a, 2, 2, sizes, LUMP_STORE_Q));
    for (size_t k = 0; k < a.layers[0].weight.len; k++) {
        tu_rand_q(v, 100, 7);
        tu_ok(lump_arr_set(&a.layers[0].weight, k, v));
    }
    leaky.kind = LUMP_ACT_LEAKY_RELU;
    mpq_set_si(leaky.alpha, 1, 10);
    tu_ok(lump_layer_set_neuron_act(&a.layers[0], 1, &leaky));
    tu_ok(lump_net_alloc_norm(&a));
    mpq_set_si(a.norm_range[1], 3, 1);
    tu_ok(lump_net_alloc_outmap(&a));
    mpq_set_si(a.out_shift[0], -7, 2);
    tu_ok(lump_net_copy(&b, &a));
    assert_true(lump_arr_equal(&a.layers[0].weight, &b.layers[0].weight));
    assert_true(lump_act_equal(lump_layer_act(&b.layers[0], 1), &leaky));
    assert_false(lump_layer_uniform_act(&b.layers[0]));
    assert_true(mpq_equal(b.norm_range[1], a.norm_range[1]));
    assert_true(mpq_equal(b.out_shift[0], a.out_shift[0]));
    /* deep: changing the copy leaves the original alone */
    mpq_set_si(v, 99, 1);
    tu_ok(lump_arr_set(&b.layers[0].weight, 0, v));
    assert_false(lump_arr_equal(&a.layers[0].weight, &b.layers[0].weight));
    lump_act_clear(&leaky);
    mpq_clear(v);
    lump_net_clear(&a);
    lump_net_clear(&b);
}

static void activations_by_name(void **state)
{
    lump_act_kind_t k;
    (void)state;
    tu_ok(lump_act_from_name(&k, "leaky_relu"));
    assert_int_equal(k, LUMP_ACT_LEAKY_RELU);
    assert_string_equal(lump_act_name(LUMP_ACT_TANH), "tanh");
    tu_fails(lump_act_from_name(&k, "softmax"), LUMP_EINPUT, "softmax");
    assert_true(lump_act_is_pwl(LUMP_ACT_LEAKY_RELU));
    assert_false(lump_act_is_pwl(LUMP_ACT_SIGMOID));
}

static void pwl_detects_sigmoid_neuron(void **state)
{
    lump_net_t net;
    size_t sizes[] = {4, 1};
    lump_act_t s;
    (void)state;
    lump_net_init(&net);
    lump_act_init(&s);
    tu_ok(lump_net_setup(&net, 2, 2, sizes, LUMP_STORE_F32));
    net.layers[0].act.kind = LUMP_ACT_RELU;
    assert_true(lump_net_is_pwl(&net));
    s.kind = LUMP_ACT_SIGMOID;
    tu_ok(lump_layer_set_neuron_act(&net.layers[0], 3, &s));
    assert_false(lump_net_is_pwl(&net));
    lump_act_clear(&s);
    lump_net_clear(&net);
}

static void validate_catches_bad_maps(void **state)
{
    lump_net_t net;
    size_t sizes[] = {2};
    (void)state;
    lump_net_init(&net);
    tu_ok(lump_net_setup(&net, 2, 1, sizes, LUMP_STORE_F32));
    tu_ok(lump_net_alloc_norm(&net));
    mpq_set_si(net.norm_range[1], 0, 1);
    tu_fails(lump_net_validate(&net, "n.json"), LUMP_EINPUT, "range is 0");
    mpq_set_si(net.norm_range[1], 1, 1);
    tu_ok(lump_net_alloc_clip(&net));
    mpq_set_si(net.clip_lo[0], 2, 1);
    mpq_set_si(net.clip_hi[0], 1, 1);
    tu_fails(lump_net_validate(&net, "n.json"), LUMP_EINPUT, "input 0");
    lump_net_clear(&net);
}

static void write_atomic_leaves_old_file_on_failure(void **state)
{
    const char *path = tu_tmp_path("atomic.json");
    FILE *f;
    char buf[64] = {0};
    lump_net_t net;
    (void)state;
    f = fopen(path, "w");
    fputs("old contents\n", f);
    fclose(f);
    /* an empty network cannot be written: the writer fails midway */
    lump_net_init(&net);
    assert_int_not_equal(lump_net_write(path, &net, NULL), LUMP_OK);
    f = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "old contents\n");
    /* and no temporary file is left beside it */
    {
        char dir[600], *slash;
        DIR *d;
        struct dirent *e;
        int others = 0;
        snprintf(dir, sizeof dir, "%s", path);
        slash = strrchr(dir, '/');
        *slash = '\0';
        d = opendir(dir);
        while ((e = readdir(d)) != NULL)
            others += strncmp(e->d_name, "atomic.json.", 12) == 0 ||
                      strncmp(e->d_name, ".lumpnet-", 9) == 0;
        closedir(d);
        assert_int_equal(others, 0);
    }
    lump_net_clear(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(setup_counts_neurons_and_params),
        cmocka_unit_test(setup_refuses_absurd_layer),
        cmocka_unit_test(copy_is_deep_and_equal),
        cmocka_unit_test(activations_by_name),
        cmocka_unit_test(pwl_detects_sigmoid_neuron),
        cmocka_unit_test(validate_catches_bad_maps),
        cmocka_unit_test(write_atomic_leaves_old_file_on_failure),
    };
    tu_init();
    return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
