/* cmd_graph_bound.c -- the commands on two networks (`bound`, `equiv
 * --box`, `equiv --tolerance`) and `convert --unroll` on graph
 * (convolutional, residual) networks, through their exact translation
 * into the layered model (lump_graph_unroll) */
#include <stdlib.h>
#include "cli.h"
#include "lumpnet/graph.h"
#include "lumpnet/graph_bound.h"
#include "lumpnet/graph_relax.h"


/* cli_net_read_unrolled -- see cli.h. */
lump_error_t cli_net_read_unrolled(lump_net_t *net, const char *path)
{
    lump_error_t err = lump_net_read(net, path), gerr;
    lump_graph_t g;
    int needed = 0;
    char *mlp_msg;
    if (err != LUMP_EINPUT)
        return err;
    /* the MLP reader's message is the one to show unless the file is a
     * graph network */
    mlp_msg = lump_strdup(lump_error_message());
    lump_graph_init(&g);
    gerr = lump_graph_read(&g, path, &needed);
    if (!needed)
        gerr = lump_error_set(err, "%s", mlp_msg);
    else if (gerr == LUMP_OK && (gerr = lump_graph_unroll(net, NULL, &g, CLI_UNROLL_MAX_WEIGHTS)) != LUMP_OK)
        lump_error_prefix(gerr, "%s: unrolling the graph network into layers", path);
    free(mlp_msg);
    lump_graph_clear(&g);
    return gerr;
}

/* cli_read_two_unrolled -- see cli.h. */
lump_error_t cli_read_two_unrolled(lump_net_t *a, const char *a_path, lump_net_t *b,
                                   const char *b_path)
{
    lump_error_t err = cli_net_read_unrolled(a, a_path);
    return err != LUMP_OK ? err : cli_net_read_unrolled(b, b_path);
}

/* cli_convert_unrolled -- see cli.h. */
int cli_convert_unrolled(const char *in, const char *out, lump_write_opts_t *opts)
{
    lump_net_t net;
    lump_error_t err;
    lump_net_init(&net);
    err = cli_net_read_unrolled(&net, in);
    if (err == LUMP_OK)
        err = lump_net_write(out, &net, opts);
    lump_net_clear(&net);
    return cli_convert_done(out, err, opts);
}

/* cli_graph_bound_wide -- see cli.h. */
lump_error_t cli_graph_bound_wide(lump_bound_result_t *res, double **observed, int *paired,
                                  const char *a_path, const char *b_path, const char *box_arg,
                                  size_t samples, unsigned long seed)
{
    lump_error_t err = LUMP_OK;
    lump_graph_t a, b;
    lump_box_t box;
    lump_graph_init(&a);
    lump_graph_init(&b);
    lump_box_init(&box);
    if ((err = lump_graph_read(&a, a_path, NULL)) != LUMP_OK ||
        (err = lump_graph_read(&b, b_path, NULL)) != LUMP_OK)
        goto cleanup;
    err = lump_box_parse(&box, box_arg, lump_graph_n_inputs(&a));
    if (err != LUMP_OK) {
        lump_error_prefix(err, "--box");
        goto cleanup;
    }
    err = lump_graph_bound_result(res, paired, &a, &b, &box);
    if (err != LUMP_OK) {
        lump_error_prefix(err, "%s vs %s over %s", a_path, b_path, box_arg);
        goto cleanup;
    }
    *observed = lump_alloc_zero(res->n_outputs + 1, sizeof **observed);
    LUMP_CHECK(lump_graph_max_error_sampled(*observed, &a, &b, &box, samples, seed));
cleanup:
    lump_box_clear(&box);
    lump_graph_clear(&a);
    lump_graph_clear(&b);
    return err;
}
