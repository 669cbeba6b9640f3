/* cmd_info.c -- `lumpnet info`: sizes, activations and maps of a network */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static json_t *info_json(const char *path, const lump_net_t *net)
{
    json_t *j = cli_report_new("info");
    cli_report_net(j, path, net);
    cli_report_counts(j, net);
    json_object_set_new(j, "input_clip", json_boolean(net->has_clip));
    json_object_set_new(j, "input_normalization", json_boolean(net->has_norm));
    json_object_set_new(j, "output_map", json_boolean(net->has_outmap));
    json_object_set_new(j, "piecewise_linear", json_boolean(lump_net_is_pwl(net)));
    return j;
}

static void info_text(const char *path, const lump_net_t *net)
{
    printf("network:  %s\n", path);
    printf("inputs:   %zu\n", net->n_inputs);
    printf("outputs:  %zu\n", lump_net_n_outputs(net));
    printf("layers:   %zu (not counting the inputs)\n", net->n_layers);
    printf("  %5s  %-10s %8s  %s\n", "layer", "activation", "size", "storage");
    printf("  %5d  %-10s %8zu\n", 0, "input", net->n_inputs);
    for (size_t i = 0; i < net->n_layers; i++) {
        const lump_layer_t *l = &net->layers[i];
        printf("  %5zu  %-10s %8zu  %s\n", i + 1, cli_layer_act_name(l), l->size,
               cli_store_name(l->weight.store));
    }
    printf("neurons:  %zu (hidden plus output)\n", lump_net_neurons(net));
    printf("params:   %zu (weights plus biases)\n", lump_net_params(net));
    printf("maps:     input clip %s, input normalization %s, output map %s\n",
           net->has_clip ? "yes" : "no", net->has_norm ? "yes" : "no",
           net->has_outmap ? "yes" : "no");
}

/* One inequality as text, the constant on the right:
 * "Y_0 - 2 Y_3 <= 1/2". NULL when out of memory. */
static char *ineq_text(const lump_lin_t *l)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    int first = 1, flip = 1, any = 0;
    mpq_t c;
    if (f == NULL)
        return NULL;
    mpq_init(c);
    /* "Y_0 >= 3.99" reads better than "-Y_0 <= -3.99" */
    for (size_t j = 0; j < l->n; j++) {
        flip = flip && mpq_sgn(l->coef[j]) <= 0;
        any = any || mpq_sgn(l->coef[j]) != 0;
    }
    flip = flip && any;
    for (size_t j = 0; j < l->n; j++) {
        char *t;
        int sgn = flip ? -mpq_sgn(l->coef[j]) : mpq_sgn(l->coef[j]);
        if (sgn == 0)
            continue;
        mpq_abs(c, l->coef[j]);
        fputs(first ? (sgn < 0 ? "-" : "") : (sgn < 0 ? " - " : " + "), f);
        if (mpz_cmp_ui(mpq_numref(c), 1) != 0 || mpz_cmp_ui(mpq_denref(c), 1) != 0) {
            t = lump_rat_str(c);
            fprintf(f, "%s ", t != NULL ? t : "?");
            free(t);
        }
        fprintf(f, "Y_%zu", j);
        first = 0;
    }
    if (first)
        fputs("0", f);
    if (flip)
        mpq_set(c, l->constant);
    else
        mpq_neg(c, l->constant);
    {
        char *t = lump_rat_str(c);
        fprintf(f, " %s %s", flip ? (l->strict ? ">" : ">=") : (l->strict ? "<" : "<="),
                t != NULL ? t : "?");
        free(t);
    }
    mpq_clear(c);
    fclose(f);
    return s;
}

/* A VNN-LIB property: print its input box and its output constraints. */
static int info_box(const char *path, int json)
{
    lump_box_t box;
    lump_outspec_t spec;
    lump_error_t err;
    json_t *terms;
    lump_box_init(&box);
    lump_outspec_init(&spec);
    int unread = 0;
    err = lump_box_read_vnnlib(&box, path);
    if (err == LUMP_OK)
        err = lump_outspec_read_vnnlib(&spec, path);
    /* the box is still worth showing when the outputs are beyond us */
    if (err == LUMP_EUNSUPPORTED) {
        lump_warn("%s; the output constraints are not shown", lump_error_message());
        unread = 1;
        err = LUMP_OK;
    }
    if (err != LUMP_OK) {
        lump_box_clear(&box);
        return cli_fail(err);
    }
    terms = json_array();
    for (size_t t = 0; t < spec.n_terms; t++) {
        json_t *conj = json_array();
        for (size_t k = 0; k < spec.terms[t].n; k++) {
            char *s = ineq_text(&spec.terms[t].ineq[k]);
            json_array_append_new(conj, json_string(s != NULL ? s : "?"));
            free(s);
        }
        json_array_append_new(terms, conj);
    }
    lump_outspec_clear(&spec);
    if (json) {
        json_t *j = cli_report_new("info"), *lo = json_array(), *hi = json_array();
        for (size_t i = 0; i < box.n; i++) {
            char *a = lump_rat_str(box.lo[i]), *b = lump_rat_str(box.hi[i]);
            json_array_append_new(lo, json_string(a));
            json_array_append_new(hi, json_string(b));
            free(a);
            free(b);
        }
        cli_report_path(j, "box", path);
        json_object_set_new(j, "inputs", json_integer((json_int_t)box.n));
        json_object_set_new(j, "lower", lo);
        json_object_set_new(j, "upper", hi);
        json_object_set_new(j, "unsafe", terms);
        lump_box_clear(&box);
        return cli_report_print(j);
    }
    printf("box:      %s\ninputs:   %zu\n", path, box.n);
    for (size_t i = 0; i < box.n; i++) {
        char *a = lump_rat_str(box.lo[i]), *b = lump_rat_str(box.hi[i]);
        printf("  X_%zu in [%s, %s]\n", i, a, b);
        free(a);
        free(b);
    }
    /* the asserted output constraints are the counterexample condition */
    if (unread)
        printf("outputs:  constraints not read (see the warning)\n");
    else if (json_array_size(terms) == 0)
        printf("outputs:  no constraint\n");
    else
        printf("unsafe when (a counterexample: a point of the box with outputs where)%s\n",
               json_array_size(terms) > 1 ? ", one of:" : ":");
    for (size_t t = 0; t < json_array_size(terms); t++) {
        json_t *conj = json_array_get(terms, t);
        printf("  ");
        for (size_t k = 0; k < json_array_size(conj); k++)
            printf("%s%s", k > 0 ? " and " : "", json_string_value(json_array_get(conj, k)));
        printf("\n");
    }
    json_decref(terms);
    lump_box_clear(&box);
    return CLI_OK;
}

/* --lumps: what lumpability the network has, per layer, without writing
 * anything; and which outputs are provably equal or proportional. */
static lump_error_t lumps_report(json_t *j, const lump_net_t *net, lump_mode_t mode)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t L, O;
    json_t *layers = json_array(), *outs = json_array();
    size_t last;
    lump_lumping_init(&L);
    lump_lumping_init(&O);
    LUMP_CHECK(lump_partition_coarsest(&L, net, mode, 0));
    LUMP_CHECK(lump_partition_coarsest(&O, net, mode, 1));
    /* what is reported as provable is first confirmed by the checker */
    {
        lump_verdict_t valid = LUMP_FALSE;
        char why[1024];
        LUMP_CHECK(lump_cert_check_merged(&valid, why, sizeof why, net, &L));
        if (valid == LUMP_TRUE)
            LUMP_CHECK(lump_cert_check_merged(&valid, why, sizeof why, net, &O));
        if (valid != LUMP_TRUE)
            LUMP_CHECK(lump_error_set(LUMP_EINTERNAL,
                                      "internal error: the independent certificate checker "
                                      "refuses a lumping of the partition finder (%s). This "
                                      "is a bug in lumpnet; please report it with the network",
                                      why));
    }
    if (j == NULL)
        printf("lumps (%s mode):\n  %5s %8s %8s %8s %9s %6s\n",
               mode == LUMP_MODE_EXACT ? "exact" : "proportional", "layer", "neurons",
               "blocks", "merged", "constant", "dead");
    for (size_t i = 0; i < L.n_layers; i++) {
        size_t keep = 0, merged = 0, cons = 0, dead = 0;
        for (size_t k = 0; k < L.layers[i].n_blocks; k++) {
            const lump_block_t *b = &L.layers[i].blocks[k];
            if (b->fate == LUMP_FATE_CONSTANT)
                cons += b->n_members;
            else if (b->fate == LUMP_FATE_DEAD)
                dead += b->n_members;
            else {
                keep++;
                merged += b->n_members - 1;
            }
        }
        if (j == NULL) {
            printf("  %5zu %8zu %8zu %8zu %9zu %6zu\n", i + 1, L.layers[i].size, keep, merged,
                   cons, dead);
        } else {
            json_t *o = json_object();
            json_object_set_new(o, "layer", json_integer((json_int_t)i + 1));
            json_object_set_new(o, "neurons", json_integer((json_int_t)L.layers[i].size));
            json_object_set_new(o, "blocks", json_integer((json_int_t)keep));
            json_object_set_new(o, "merged", json_integer((json_int_t)merged));
            json_object_set_new(o, "constant", json_integer((json_int_t)cons));
            json_object_set_new(o, "dead", json_integer((json_int_t)dead));
            json_array_append_new(layers, o);
        }
    }
    last = O.n_layers - 1;
    for (size_t k = 0; k < O.layers[last].n_blocks; k++) {
        const lump_block_t *b = &O.layers[last].blocks[k];
        for (size_t t = 1; t < b->n_members; t++) {
            mpq_t c;
            char *s;
            mpq_init(c);
            lump_arr_get(c, &b->scales, t);
            s = lump_rat_str(c);
            mpq_clear(c);
            if (j == NULL) {
                printf("  output %zu = %s * output %zu for every input\n", b->members[t], s,
                       b->members[0]);
            } else {
                json_t *o = json_object();
                json_object_set_new(o, "output", json_integer((json_int_t)b->members[t]));
                json_object_set_new(o, "scale", json_string(s));
                json_object_set_new(o, "of", json_integer((json_int_t)b->members[0]));
                json_array_append_new(outs, o);
            }
            free(s);
        }
    }
    if (j == NULL) {
        size_t before = lump_net_neurons(net), after = lump_lumping_neurons_after(&L);
        if (before == after)
            printf("  no %s lumps: every neuron is its own block, nothing is constant or "
                   "dead\n", mode == LUMP_MODE_EXACT ? "exact" : "exact or proportional");
        else
            printf("  neurons: %zu -> %zu after reduction\n", before, after);
    } else {
        json_t *o = json_object();
        json_object_set_new(o, "mode", json_string(mode == LUMP_MODE_EXACT ? "exact"
                                                                             : "proportional"));
        json_object_set_new(o, "per_layer", layers);
        json_object_set_new(o, "neurons_after",
                            json_integer((json_int_t)lump_lumping_neurons_after(&L)));
        json_object_set_new(o, "proportional_outputs", outs);
        json_object_set_new(j, "lumps", o);
        layers = outs = NULL;
    }
cleanup:
    json_decref(layers);
    json_decref(outs);
    lump_lumping_clear(&L);
    lump_lumping_clear(&O);
    return err;
}

int cli_cmd_info(int argc, char **argv)
{
    const char *path = NULL, *mode = NULL, *table_arg = NULL;
    int json = 0, lumps = 0, rc, table = CLI_TABLE_NONE;
    lump_mode_t md = LUMP_MODE_PROPORTIONAL;
    lump_net_t net;
    lump_error_t err;
    const cli_opt_t opt[] = {
        {"--json", NULL, &json}, {"--lumps", NULL, &lumps}, {"--mode", &mode, NULL},
        {"--table", &table_arg, NULL}};
    if ((rc = cli_parse_one(&path, argc, argv, "info", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
    if (path == NULL)
        return cli_usage_error("info", "missing NET");
    if ((rc = cli_table_parse(&table, table_arg, json, "info")) != CLI_OK)
        return rc;
    if (cli_parse_mode(&md, mode, "info") != CLI_OK)
        return CLI_BAD;
    if (strlen(path) > 7 && strcmp(path + strlen(path) - 7, ".vnnlib") == 0)
        return info_box(path, json);
    lump_net_init(&net);
    err = lump_net_read(&net, path);
    if (err != LUMP_OK)
        return cli_graph_info(path, err, json, lumps || table != CLI_TABLE_NONE);
    if (json || table != CLI_TABLE_NONE) {
        /* --table: the layers, or with --lumps the lumps per layer */
        static const cli_col_t layer_cols[] = {{"size", "size", 1}, {"activation", "activation", 0}};
        static const cli_col_t lump_cols[] = {{"layer", "layer", 0},       {"neurons", "neurons", 1},
                                              {"blocks", "blocks", 1},     {"merged", "merged", 1},
                                              {"constant", "constant", 1}, {"dead", "dead", 1}};
        json_t *j = info_json(path, &net);
        err = lumps ? lumps_report(j, &net, md) : LUMP_OK;
        if (err != LUMP_OK)
            json_decref(j);
        if (err != LUMP_OK)
            rc = cli_fail(err);
        else if (table == CLI_TABLE_NONE)
            rc = cli_report_print(j);
        else if (lumps)
            rc = cli_table_print(j, "lumps.per_layer", lump_cols, CLI_COUNT(lump_cols), table, 1);
        else
            rc = cli_table_print(j, "layers", layer_cols, CLI_COUNT(layer_cols), table, 0);
    } else {
        info_text(path, &net);
        err = lumps ? lumps_report(NULL, &net, md) : LUMP_OK;
        rc = err != LUMP_OK ? cli_fail(err) : CLI_OK;
    }
    lump_net_clear(&net);
    return rc;
}
