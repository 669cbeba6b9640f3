/* format.c -- choose a network format by file extension and dispatch */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lumpnet/io.h"
#include "lumpnet/graph.h"
#include "alloc_i.h"
#include "onnx_support.h"

void lump_write_opts_init(lump_write_opts_t *opts)
{
    opts->onnx_dtype = LUMP_STORE_Q;
    opts->rounded = 0;
    opts->max_rounding = 0;
}

/* lump_write_fit -- see io.h. As lump_net_write_onnx chooses its element
 * type (onnx_write.c). */
lump_fit_t lump_write_fit(lump_format_t fmt, const lump_net_t *net, const lump_write_opts_t *opts)
{
    lump_store_t dtype = opts != NULL ? opts->onnx_dtype : LUMP_STORE_Q;
    if (fmt == LUMP_FORMAT_NNET)
        return LUMP_FIT_DECIMAL;
    if (fmt != LUMP_FORMAT_ONNX)
        return LUMP_FIT_ANY;
    if (dtype == LUMP_STORE_F32 ||
        (dtype == LUMP_STORE_Q && net->iface != NULL && net->iface->in.elem == LUMP_ONNX_FLOAT))
        return LUMP_FIT_F32;
    return LUMP_FIT_F64;
}

const char *lump_fit_name(lump_fit_t fit)
{
    static const char *const names[] = {"rational", "float32", "float64", "decimal"};
    return fit <= LUMP_FIT_DECIMAL ? names[fit] : "?";
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

lump_format_t lump_format_from_path(const char *path)
{
    if (ends_with(path, ".onnx"))
        return LUMP_FORMAT_ONNX;
    if (ends_with(path, ".nnet"))
        return LUMP_FORMAT_NNET;
    if (ends_with(path, ".json"))
        return LUMP_FORMAT_JSON;
    return LUMP_FORMAT_UNKNOWN;
}

/* READING: PATH is an input, for which a PyTorch file gets a hint. */
static lump_error_t unknown_format(const char *path, int reading)
{
    /* PyTorch checkpoints are pickled Python objects, not a network
     * format: say how to get from one to a file lumpnet reads */
    if (reading && (ends_with(path, ".pt") || ends_with(path, ".pth")))
        return lump_error_set(LUMP_EUSAGE,
                              "%s: unknown network format: a PyTorch file; export it to "
                              "ONNX (torch.onnx.export, or lumpnet.from_torch in Python)",
                              path);
    return lump_error_set(LUMP_EUSAGE,
                          "%s: unknown network format (the extension must be "
                          ".onnx, .nnet or .json)",
                          path);
}

lump_error_t lump_net_read(lump_net_t *net, const char *path)
{
    lump_error_t err = LUMP_OK;
    unsigned char *buf = NULL;
    size_t len = 0;
    lump_format_t fmt = lump_format_from_path(path);
    if (fmt == LUMP_FORMAT_UNKNOWN)
        return unknown_format(path, 1);
    /* an out-of-memory exit while reading names the file */
    lump_i_memory_reading(path);
    LUMP_CHECK(lump_io_read_file(&buf, &len, path));
    switch (fmt) {
    case LUMP_FORMAT_ONNX:
        err = lump_net_read_onnx_buf(net, buf, len, path);
        break;
    case LUMP_FORMAT_NNET:
        err = lump_net_read_nnet_buf(net, (const char *)buf, len, path);
        break;
    default:
        err = lump_net_read_json_buf(net, (const char *)buf, len, path);
        break;
    }
    if (err == LUMP_OK)
        err = lump_net_validate(net, path);
    if (err == LUMP_ENOMEM && strncmp(lump_error_message(), path, strlen(path)) != 0)
        lump_error_prefix(err, "%s", path);
    if (err != LUMP_OK)
        lump_net_clear(net);
cleanup:
    lump_i_memory_reading(NULL);
    free(buf);
    return err;
}

static lump_error_t write_any(FILE *f, void *ctx)
{
    lump_net_output_t *c = ctx;
    switch (c->fmt) {
    case LUMP_FORMAT_ONNX:
        return lump_net_write_onnx(f, c->net, c->opts);
    case LUMP_FORMAT_NNET:
        return lump_net_write_nnet(f, c->net, c->opts);
    default:
        return lump_net_write_json(f, c->net);
    }
}

lump_error_t lump_net_output_prepare(lump_io_output_t *out, lump_net_output_t *ctx,
                                     const char *path, const lump_net_t *net,
                                     lump_write_opts_t *opts)
{
    ctx->fmt = lump_format_from_path(path);
    if (ctx->fmt == LUMP_FORMAT_UNKNOWN)
        return unknown_format(path, 0);
    if (opts == NULL) {
        lump_write_opts_init(&ctx->local);
        opts = &ctx->local;
    }
    ctx->net = net;
    ctx->opts = opts;
    out->path = path;
    out->write = write_any;
    out->ctx = ctx;
    /* refuse a broken network before a temporary file exists */
    return lump_net_validate(net, path);
}

lump_error_t lump_net_write(const char *path, const lump_net_t *net,
                            lump_write_opts_t *opts)
{
    lump_net_output_t ctx;
    lump_io_output_t out;
    lump_error_t err = lump_net_output_prepare(&out, &ctx, path, net, opts);
    if (err != LUMP_OK)
        return err;
    return lump_io_write_all(&out, 1);
}

static lump_error_t graph_out(FILE *f, void *ctx)
{
    lump_graph_output_t *c = ctx;
    return c->json ? lump_graph_write_json(f, c->g) : lump_graph_write_onnx(f, c->g, c->opts);
}

/* lump_graph_output_prepare -- see lumpnet/graph.h. */
lump_error_t lump_graph_output_prepare(lump_io_output_t *out, lump_graph_output_t *ctx,
                                       const char *path, const lump_graph_t *g,
                                       lump_write_opts_t *opts)
{
    lump_format_t fmt = lump_format_from_path(path);
    if (fmt == LUMP_FORMAT_NNET)
        return lump_error_set(LUMP_EUNSUPPORTED,
                              "%s: NNet holds fully connected networks only, not a "
                              "convolutional or residual (graph) network",
                              path);
    if (fmt != LUMP_FORMAT_ONNX && fmt != LUMP_FORMAT_JSON)
        return lump_error_set(LUMP_EUSAGE,
                              "%s: unknown network format (the extension must be .onnx or "
                              ".json)",
                              path);
    *ctx = (lump_graph_output_t){g, opts, fmt == LUMP_FORMAT_JSON};
    *out = (lump_io_output_t){path, graph_out, ctx};
    return LUMP_OK;
}

/* lump_graph_write -- see lumpnet/graph.h. */
lump_error_t lump_graph_write(const char *path, const lump_graph_t *g, lump_write_opts_t *opts)
{
    lump_graph_output_t ctx;
    lump_io_output_t out;
    lump_error_t err = lump_graph_output_prepare(&out, &ctx, path, g, opts);
    return err != LUMP_OK ? err : lump_io_write_all(&out, 1);
}
