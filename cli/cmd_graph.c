/* cmd_graph.c -- `info` and `eval` of networks that only the graph (DAG)
 * model holds: convolutional and residual ONNX networks */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/data.h"
#include "lumpnet/graph.h"

/* cli_graph_read -- see cli.h. */
int cli_graph_read(lump_graph_t *g, const char *path, lump_error_t err)
{
    char *saved;
    int needed = 0;
    lump_error_t gerr;
    if (err != LUMP_EINPUT || (lump_format_from_path(path) != LUMP_FORMAT_ONNX &&
                               lump_format_from_path(path) != LUMP_FORMAT_JSON))
        return cli_fail(err);
    saved = lump_strdup(lump_error_message());
    gerr = lump_graph_read(g, path, &needed);
    if (!needed) {
        lump_graph_clear(g);
        lump_error_set(err, "%s", saved);
        free(saved);
        return cli_fail(err);
    }
    free(saved);
    return gerr != LUMP_OK ? cli_fail(gerr) : CLI_OK;
}

/* graph_refuse -- free G (read by cli_graph_read) and fail with ERR, an option
 * the graph networks do not support yet. O(size of G). */
static int graph_refuse(lump_graph_t *g, lump_error_t err)
{
    lump_graph_clear(g);
    return cli_fail(err);
}

static json_t *shape_json(const lump_shape_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->ndim; i++)
        json_array_append_new(a, json_integer((json_int_t)s->dim[i]));
    return a;
}

static void shape_text(char *buf, size_t cap, const lump_shape_t *s)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%zu", i ? "x" : "", s->dim[i]);
}

static int windowed(lump_gop_t op)
{
    return op == LUMP_GOP_CONV || op == LUMP_GOP_AVGPOOL || op == LUMP_GOP_MAXPOOL;
}

static json_t *pair(size_t a, size_t b)
{
    json_t *j = json_array();
    json_array_append_new(j, json_integer((json_int_t)a));
    json_array_append_new(j, json_integer((json_int_t)b));
    return j;
}

static json_t *info_json(const char *path, const lump_graph_t *g)
{
    json_t *j = cli_report_new("info"), *nodes = json_array();
    cli_report_path(j, "network", path);
    json_object_set_new(j, "model", json_string("graph"));
    json_object_set_new(j, "inputs", cli_report_size(lump_graph_n_inputs(g)));
    json_object_set_new(j, "outputs", cli_report_size(lump_graph_n_outputs(g)));
    json_object_set_new(j, "input_shape", shape_json(&g->nodes[0].shape));
    for (size_t i = 0; i < g->n_nodes; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        json_t *o = json_object(), *in = json_array();
        for (size_t k = 0; k < n->n_in; k++)
            json_array_append_new(in, json_integer((json_int_t)n->in[k]));
        json_object_set_new(o, "op", json_string(lump_gop_name(n->op)));
        json_object_set_new(o, "name", json_string(n->name != NULL ? n->name : ""));
        json_object_set_new(o, "inputs", in);
        json_object_set_new(o, "shape", shape_json(&n->shape));
        json_object_set_new(o, "params", cli_report_size(n->params));
        if (n->op == LUMP_GOP_ACT)
            json_object_set_new(o, "activation", json_string(lump_act_name(n->act.kind)));
        if (windowed(n->op)) {
            json_t *pads = pair(n->pt, n->pl);
            json_array_append_new(pads, json_integer((json_int_t)n->pb));
            json_array_append_new(pads, json_integer((json_int_t)n->pr));
            json_object_set_new(o, "kernel", pair(n->kh, n->kw));
            json_object_set_new(o, "strides", pair(n->sh, n->sw));
            json_object_set_new(o, "dilations", pair(n->dh, n->dw));
            json_object_set_new(o, "pads", pads);
        }
        if (n->op == LUMP_GOP_CONV)
            json_object_set_new(o, "group", cli_report_size(n->group));
        if (n->op == LUMP_GOP_DENSE || n->op == LUMP_GOP_CONV)
            json_object_set_new(o, "bias", json_boolean(n->has_bias));
        json_array_append_new(nodes, o);
    }
    json_object_set_new(j, "nodes", nodes);
    json_object_set_new(j, "output_node", cli_report_size(g->output));
    json_object_set_new(j, "neurons", cli_report_size(lump_graph_neurons(g)));
    json_object_set_new(j, "params", cli_report_size(lump_graph_params(g)));
    json_object_set_new(j, "piecewise_linear", json_boolean(lump_graph_is_pwl(g)));
    return j;
}

static void info_text(const char *path, const lump_graph_t *g)
{
    char sh[64];
    shape_text(sh, sizeof sh, &g->nodes[0].shape);
    printf("network:  %s\n", path);
    printf("model:    graph of %zu nodes (convolutional or residual)\n", g->n_nodes);
    printf("inputs:   %zu (%s)\n", lump_graph_n_inputs(g), sh);
    printf("outputs:  %zu (node %zu)\n", lump_graph_n_outputs(g), g->output);
    printf("  %4s  %-8s %-12s %9s  %-8s %s\n", "node", "op", "shape", "params", "reads", "detail");
    for (size_t i = 0; i < g->n_nodes; i++) {
        const lump_graph_node_t *n = &g->nodes[i];
        char rd[32] = "", det[96] = "";
        size_t m = 0;
        for (size_t k = 0; k < n->n_in && m < sizeof rd; k++)
            m += (size_t)snprintf(rd + m, sizeof rd - m, "%s%zu", k ? "," : "", n->in[k]);
        if (windowed(n->op))
            snprintf(det, sizeof det, "%zux%zu stride %zu,%zu pad %zu,%zu,%zu,%zu%s", n->kh, n->kw,
                     n->sh, n->sw, n->pt, n->pl, n->pb, n->pr,
                     n->op == LUMP_GOP_CONV && n->group > 1 ? " grouped" : "");
        else if (n->op == LUMP_GOP_ACT)
            snprintf(det, sizeof det, "%s", lump_act_name(n->act.kind));
        shape_text(sh, sizeof sh, &n->shape);
        printf("  %4zu  %-8s %-12s %9zu  %-8s %s\n", i, lump_gop_name(n->op), sh, n->params, rd,
               det);
    }
    printf("neurons:  %zu (entries of every tensor but the input)\n", lump_graph_neurons(g));
    printf("params:   %zu (initializer values the network reads)\n", lump_graph_params(g));
}

/* cli_graph_info -- see cli.h. */
int cli_graph_info(const char *path, lump_error_t err, int json, int other_options)
{
    lump_graph_t g;
    int rc;
    lump_graph_init(&g);
    if ((rc = cli_graph_read(&g, path, err)) != CLI_OK)
        return rc;
    if (other_options)
        return graph_refuse(&g, lump_error_set(LUMP_EUNSUPPORTED,
                                               "%s: --lumps and --table are not available for "
                                               "graph (convolutional or residual) networks yet",
                                               path));
    if (json)
        rc = cli_report_print(info_json(path, &g));
    else
        info_text(path, &g);
    lump_graph_clear(&g);
    return rc;
}

/* cli_graph_convert -- see cli.h. */
int cli_graph_convert(const char *in, const char *out, lump_error_t err, lump_write_opts_t *opts)
{
    lump_graph_t g;
    int rc;
    lump_graph_init(&g);
    if ((rc = cli_graph_read(&g, in, err)) != CLI_OK)
        return rc;
    if (lump_format_from_path(out) == LUMP_FORMAT_NNET)
        return graph_refuse(&g, lump_error_set(LUMP_EUNSUPPORTED,
                                               "%s: a convolutional or residual (graph) network "
                                               "cannot be written as NNet, which holds fully "
                                               "connected networks only (write .onnx or .json)",
                                               in));
    err = lump_graph_write(out, &g, opts);
    lump_graph_clear(&g);
    return cli_convert_done(out, err, opts);
}

typedef struct {
    const lump_graph_t *g;
    int exact;
    json_t *results;
} geval_t;

static lump_error_t eval_one(void *ctx, const mpq_t *in)
{
    geval_t *c = ctx;
    lump_error_t err = LUMP_OK;
    size_t nin = lump_graph_n_inputs(c->g), nout = lump_graph_n_outputs(c->g);
    json_t *jy = c->results != NULL ? json_array() : NULL;
    if (!c->exact) {
        double *x, *y = lump_alloc_array(nout, sizeof *y);
        err = cli_eval_double_in(&x, in, nin);
        if (err == LUMP_OK)
            err = lump_graph_eval_double(y, c->g, x, 1);
        for (size_t j = 0; err == LUMP_OK && j < nout; j++)
            if (!isfinite(y[j]))
                err = lump_error_set(LUMP_EUNSUPPORTED,
                                     "output %zu is not finite in double "
                                     "precision",
                                     j);
        err = cli_eval_double_out(err, jy, y, nout, "use --exact");
        free(x);
        free(y);
    } else {
        mpq_t *y = lump_rat_vec_new(nout);
        err = lump_graph_eval_exact(y, c->g, in);
        if (err == LUMP_OK)
            cli_eval_put_exact(jy, y, nout);
        lump_rat_vec_free(y, nout);
    }
    cli_eval_record(err, jy, in, nin, c->results);
    return err;
}

/* cli_graph_eval -- see cli.h. */
int cli_graph_eval(const char *path, lump_error_t err, int exact, const char *input,
                   const char *inputs, int json)
{
    lump_graph_t g;
    geval_t c = {NULL, exact, NULL};
    size_t nin;
    int rc;
    lump_graph_init(&g);
    if ((rc = cli_graph_read(&g, path, err)) != CLI_OK)
        return rc;
    c.g = &g;
    if (exact && !lump_graph_is_pwl(&g))
        return graph_refuse(&g, lump_error_set(LUMP_EUNSUPPORTED,
                                               "%s: exact evaluation needs piecewise-linear "
                                               "activations (this network has sigmoid or tanh); "
                                               "use --mpfr BITS for a rigorous enclosure",
                                               path));
    if (json)
        c.results = json_array();
    nin = lump_graph_n_inputs(&g);
    err = input != NULL ? cli_eval_text(eval_one, &c, nin, input, strlen(input), "--input")
                        : cli_eval_file(eval_one, &c, nin, inputs);
    rc = CLI_OK;
    if (json) {
        json_t *j = cli_report_new("eval");
        cli_report_path(j, "network", path);
        json_object_set_new(j, "model", json_string("graph"));
        json_object_set_new(j, "inputs", cli_report_size(lump_graph_n_inputs(&g)));
        json_object_set_new(j, "outputs", cli_report_size(lump_graph_n_outputs(&g)));
        cli_report_path(j, "input_file", inputs);
        json_object_set_new(j, "mode", json_string(exact ? "exact" : "double"));
        json_object_set_new(j, "results", c.results);
        if (err == LUMP_OK)
            rc = cli_report_print(j);
        else
            json_decref(j);
    }
    lump_graph_clear(&g);
    fflush(stdout);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
