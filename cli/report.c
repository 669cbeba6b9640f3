/* report.c -- the parts every `--json` report shares (docs/json.md): the
 * command's name, the network it read, its layers, its sizes and the
 * seconds it took, built the same way by every command */
#include <math.h>
#include <stdlib.h>
#include "cli.h"

const char *cli_layer_act_name(const lump_layer_t *l)
{
    return lump_layer_uniform_act(l) ? lump_act_name(lump_layer_act(l, 0)->kind) : "mixed";
}

const char *cli_store_name(lump_store_t s)
{
    return s == LUMP_STORE_F32 ? "float32" : s == LUMP_STORE_F64 ? "float64" : "rational";
}

json_t *cli_report_new(const char *command)
{
    json_t *j = json_object();
    json_object_set_new(j, "command", json_string(command));
    return j;
}

void cli_report_path(json_t *j, const char *key, const char *path)
{
    json_object_set_new(j, key, path != NULL ? json_string(path) : json_null());
}

json_t *cli_report_num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *cli_report_size(size_t n)
{
    return json_integer((json_int_t)n);
}

/* The layers of NET, the inputs not among them (they are "inputs"). */
static json_t *layers_json(const lump_net_t *net)
{
    json_t *layers = json_array();
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *l = &net->layers[i];
        json_t *o = json_object();
        json_object_set_new(o, "size", cli_report_size(l->size));
        json_object_set_new(o, "activation", json_string(cli_layer_act_name(l)));
        if (lump_layer_uniform_act(l) && lump_layer_act(l, 0)->kind == LUMP_ACT_LEAKY_RELU) {
            char *a = lump_rat_str(lump_layer_act(l, 0)->alpha);
            json_object_set_new(o, "alpha", json_string(a));
            free(a);
        }
        json_object_set_new(o, "storage", json_string(cli_store_name(l->weight.store)));
        json_array_append_new(layers, o);
    }
    return layers;
}

void cli_report_net(json_t *j, const char *path, const lump_net_t *net)
{
    cli_report_path(j, "network", path);
    json_object_set_new(j, "inputs", cli_report_size(net->n_inputs));
    json_object_set_new(j, "outputs", cli_report_size(lump_net_n_outputs(net)));
    json_object_set_new(j, "layers", layers_json(net));
}

void cli_report_counts(json_t *j, const lump_net_t *net)
{
    json_object_set_new(j, "neurons", cli_report_size(lump_net_neurons(net)));
    json_object_set_new(j, "params", cli_report_size(lump_net_params(net)));
}

void cli_report_change(json_t *j, const lump_net_t *before, const lump_net_t *after)
{
    json_t *sizes = json_array();
    json_object_set_new(j, "neurons_before", cli_report_size(lump_net_neurons(before)));
    json_object_set_new(j, "neurons_after", cli_report_size(lump_net_neurons(after)));
    json_object_set_new(j, "params_before", cli_report_size(lump_net_params(before)));
    json_object_set_new(j, "params_after", cli_report_size(lump_net_params(after)));
    /* DESIGN section 4: plain sizes, the inputs first */
    json_array_append_new(sizes, cli_report_size(after->n_inputs));
    for (size_t i = 0; i < after->n_layers; i++)
        json_array_append_new(sizes, cli_report_size(after->layers[i].size));
    json_object_set_new(j, "layers_after", sizes);
}

int cli_report_print(json_t *j)
{
    json_object_set_new(j, "seconds", json_real(cli_elapsed()));
    return cli_print_json(j);
}
