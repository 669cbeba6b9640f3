/* format.c -- choose a network format by file extension and dispatch */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lumpnet/io.h"

void lump_write_opts_init(lump_write_opts_t *opts)
{
    opts->onnx_dtype = LUMP_STORE_Q;
    opts->rounded = 0;
    opts->max_rounding = 0;
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

static lump_error_t unknown_format(const char *path)
{
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
        return unknown_format(path);
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
    free(buf);
    return err;
}

typedef struct {
    lump_format_t fmt;
    const lump_net_t *net;
    lump_write_opts_t *opts;
} write_ctx_t;

static lump_error_t write_any(FILE *f, void *ctx)
{
    write_ctx_t *c = ctx;
    switch (c->fmt) {
    case LUMP_FORMAT_ONNX:
        return lump_net_write_onnx(f, c->net, c->opts);
    case LUMP_FORMAT_NNET:
        return lump_net_write_nnet(f, c->net, c->opts);
    default:
        return lump_net_write_json(f, c->net);
    }
}

lump_error_t lump_net_write(const char *path, const lump_net_t *net,
                            lump_write_opts_t *opts)
{
    lump_write_opts_t local;
    write_ctx_t ctx;
    lump_error_t err;
    ctx.fmt = lump_format_from_path(path);
    if (ctx.fmt == LUMP_FORMAT_UNKNOWN)
        return unknown_format(path);
    if (opts == NULL) {
        lump_write_opts_init(&local);
        opts = &local;
    }
    ctx.net = net;
    ctx.opts = opts;
    /* refuse a broken network before a temporary file exists */
    err = lump_net_validate(net, path);
    if (err != LUMP_OK)
        return err;
    err = lump_io_write_atomic(path, write_any, &ctx);
    if (err != LUMP_OK && err != LUMP_EIO &&
        strncmp(lump_error_message(), path, strlen(path)) != 0)
        lump_error_prefix(err, "%s", path);
    return err;
}
