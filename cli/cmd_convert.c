/* cmd_convert.c -- `lumpnet convert`: rewrite a network in another format */
#include <string.h>
#include "cli.h"

int cli_cmd_convert(int argc, char **argv)
{
    /* lump_store_t's order: "auto" is LUMP_STORE_Q, float32 when every value fits */
    static const char *const dtypes[] = {"float32", "float64", "auto", NULL};
    const char *in, *out, *io[2] = {NULL, NULL}, *dtype = NULL;
    lump_write_opts_t opts;
    lump_net_t net;
    lump_error_t err;
    int m, unroll = 0;
    lump_write_opts_init(&opts);
    const cli_opt_t opt[] = {{"--dtype", &dtype, NULL}, {"--unroll", NULL, &unroll}};
    if ((m = cli_parse(argc, argv, "convert", opt, CLI_COUNT(opt), io, 2,
                       "unexpected argument '%s'", 0)) != CLI_OK)
        return m;
    in = io[0];
    out = io[1];
    if (in == NULL || out == NULL)
        return cli_usage_error("convert", "needs IN and OUT");
    int store = (int)opts.onnx_dtype;
    if (cli_parse_choice(&store, dtype, dtypes, "convert", "--dtype") != CLI_OK)
        return CLI_BAD;
    opts.onnx_dtype = (lump_store_t)store;
    if (lump_format_from_path(out) == LUMP_FORMAT_UNKNOWN)
        return cli_fail(lump_error_set(LUMP_EUSAGE,
                                       "%s: unknown network format (the extension must "
                                       "be .onnx, .nnet or .json)", out));
    {
        const cli_file_t fin[] = {{in, "the input"}}, fout[] = {{out, "the output"}};
        if ((m = cli_check_files("convert", fin, 1, fout, 1)) != CLI_OK)
            return m;
    }
    if (unroll) /* a graph network as layers (cmd_graph_bound.c) */
        return cli_convert_unrolled(in, out, &opts);
    lump_net_init(&net);
    err = lump_net_read(&net, in);
    if (err != LUMP_OK) {
        lump_net_clear(&net);
        return cli_graph_convert(in, out, err, &opts);
    }
    err = lump_net_write(out, &net, &opts);
    lump_net_clear(&net);
    return cli_convert_done(out, err, &opts);
}

/* cli_convert_done -- see cli.h. */
int cli_convert_done(const char *out, lump_error_t err, const lump_write_opts_t *opts)
{
    if (err != LUMP_OK)
        return cli_fail(err);
    if (opts->rounded > 0)
        lump_warn("%s: %zu values do not fit the file's number type and were rounded "
                  "to nearest; the largest rounding is %.3g",
                  out, opts->rounded, opts->max_rounding);
    return CLI_OK;
}
