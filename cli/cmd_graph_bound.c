/* cmd_graph_bound.c -- the commands on two networks (`bound`, `equiv
 * --box`, `equiv --tolerance`) and `convert --unroll` on graph
 * (convolutional, residual) networks, through their exact translation
 * into the layered model (lump_graph_unroll) */
#include <stdlib.h>
#include "cli.h"
#include "lumpnet/graph.h"


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
