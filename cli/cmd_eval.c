/* cmd_eval.c -- `lumpnet eval`: evaluate a network exactly, with MPFR, or
 * in double precision */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lumpnet/data.h"
#include "lumpnet/alloc.h"

typedef enum { MODE_DOUBLE, MODE_EXACT, MODE_MPFR } eval_mode_t;

typedef struct {
    const lump_net_t *net;
    const lump_graph_t *g; /* --mpfr on a graph too large to unroll: enclosed on the graph */
    eval_mode_t mode;
    mpfr_prec_t prec;
    double worst_width; /* largest MPFR enclosure width seen */
    json_t *results;    /* --json: the results so far; NULL: print each line */
} eval_ctx_t;

/* X in decimal with D digits after the point, rounded in direction RND,
 * without the trailing zeros of its mantissa (they change nothing): to
 * standard output, or appended to the JSON array INTO when not NULL. */
static void print_end(const mpfr_t x, int d, mpfr_rnd_t rnd, json_t *into)
{
    char *s = NULL, *e, *z;
    if (mpfr_asprintf(&s, rnd == MPFR_RNDD ? "%.*RDe" : "%.*RUe", d, x) < 0 || s == NULL) {
        if (into != NULL)
            json_array_append_new(into, json_string("?"));
        else
            mpfr_printf(rnd == MPFR_RNDD ? "%.*RDe" : "%.*RUe", d, x);
        return;
    }
    e = strchr(s, 'e');
    if (e != NULL && strchr(s, '.') != NULL) {
        for (z = e; z[-1] == '0'; z--)
            ;
        if (z[-1] == '.')
            z--;
        memmove(z, e, strlen(e) + 1);
    }
    if (into != NULL)
        json_array_append_new(into, json_string(s));
    else
        fputs(s, stdout);
    mpfr_free_str(s);
}

/* graph_mpfr -- [LO, HI] (PREC bits) encloses G(IN): the interval
 * arithmetic of lump_graph_enclose on the point, its exact rational ends
 * rounded outward */
static lump_error_t graph_mpfr(mpfr_t *lo, mpfr_t *hi, const lump_graph_t *g, const mpq_t *in,
                               mpfr_prec_t prec)
{
    lump_error_t err = LUMP_OK;
    const size_t nin = lump_graph_n_inputs(g), nout = lump_graph_n_outputs(g);
    mpq_t *ql = lump_rat_vec_new(nout), *qh = lump_rat_vec_new(nout);
    lump_box_t box;
    lump_box_init(&box);
    LUMP_CHECK(lump_box_alloc(&box, nin));
    for (size_t i = 0; i < nin; i++) {
        mpq_set(box.lo[i], in[i]);
        mpq_set(box.hi[i], in[i]);
    }
    LUMP_CHECK(lump_graph_enclose(ql, qh, g, &box, prec));
    for (size_t j = 0; j < nout; j++) {
        mpfr_set_q(lo[j], ql[j], MPFR_RNDD);
        mpfr_set_q(hi[j], qh[j], MPFR_RNDU);
    }
cleanup:
    lump_box_clear(&box);
    lump_rat_vec_free(ql, nout);
    lump_rat_vec_free(qh, nout);
    return err;
}

/* The outputs at IN: one line of standard output, or with --json one
 * {input, output} appended to c->results (outputs: numbers in double,
 * exact fractions as strings, MPFR enclosures as [lo, hi] strings). */
static lump_error_t eval_one(void *ctx, const mpq_t *in)
{
    eval_ctx_t *c = ctx;
    lump_error_t err = LUMP_OK;
    size_t nin = c->g != NULL ? lump_graph_n_inputs(c->g) : c->net->n_inputs;
    size_t nout = c->g != NULL ? lump_graph_n_outputs(c->g) : lump_net_n_outputs(c->net);
    json_t *jy = c->results != NULL ? json_array() : NULL;
    if (c->mode == MODE_DOUBLE) {
        double *x, *y = lump_alloc_array(nout, sizeof *y);
        err = cli_eval_double_in(&x, in, nin);
        if (err == LUMP_OK)
            err = lump_eval_double_strict(y, c->net, x);
        err = cli_eval_double_out(err, jy, y, nout, "use --exact or --mpfr BITS");
        free(x);
        free(y);
    } else if (c->mode == MODE_EXACT) {
        mpq_t *y = lump_rat_vec_new(nout);
        err = lump_eval_exact(y, c->net, in);
        if (err == LUMP_OK)
            cli_eval_put_exact(jy, y, nout);
        lump_rat_vec_free(y, nout);
    } else {
        mpfr_t *lo = lump_alloc_array(nout, sizeof *lo), *hi = lump_alloc_array(nout, sizeof *hi),
               wd;
        mpfr_init2(wd, c->prec + 1);
        for (size_t j = 0; j < nout; j++) {
            mpfr_init2(lo[j], c->prec);
            mpfr_init2(hi[j], c->prec);
        }
        if (c->g != NULL)
            err = graph_mpfr(lo, hi, c->g, in, c->prec);
        else
            err = lump_eval_mpfr(lo, hi, c->net, in, c->prec);
        for (size_t j = 0; err == LUMP_OK && j < nout; j++) {
            double w;
            /* the enclosure itself, each end converted to decimal with
             * rounding away from the value (MPFR's RNDD/RNDU conversions
             * are correctly rounded), so the printed interval contains
             * f_j(IN); enough digits to read back every PREC-bit number */
            int d = (int)mpfr_get_str_ndigits(10, c->prec) - 1;
            if (jy != NULL) {
                json_t *iv = json_array();
                print_end(lo[j], d, MPFR_RNDD, iv);
                print_end(hi[j], d, MPFR_RNDU, iv);
                json_array_append_new(jy, iv);
            } else {
                printf("%s[", j ? ", " : "");
                print_end(lo[j], d, MPFR_RNDD, NULL);
                printf(", ");
                print_end(hi[j], d, MPFR_RNDU, NULL);
                printf("]");
            }
            mpfr_sub(wd, hi[j], lo[j], MPFR_RNDU);
            w = mpfr_get_d(wd, MPFR_RNDU);
            if (w > c->worst_width)
                c->worst_width = w;
        }
        for (size_t j = 0; j < nout; j++) {
            mpfr_clear(lo[j]);
            mpfr_clear(hi[j]);
        }
        mpfr_clear(wd);
        free(lo);
        free(hi);
    }
    cli_eval_record(err, jy, in, nin, c->results);
    return err;
}

int cli_cmd_eval(int argc, char **argv)
{
    const char *path = NULL, *input = NULL, *inputs = NULL, *prec = NULL;
    eval_ctx_t c = {NULL, NULL, MODE_DOUBLE, 0, 0, NULL};
    lump_net_t net;
    lump_graph_t g;
    lump_error_t err;
    int rc, exact = 0, json = 0, graph = 0;
    const cli_opt_t opt[] = {{"--exact", NULL, &exact},
                             {"--json", NULL, &json},
                             {"--input", &input, NULL},
                             {"--inputs", &inputs, NULL},
                             {"--mpfr", &prec, NULL}};
    /* eval has always taken "-1" and the like as its NET, not as an unknown option */
    if ((rc = cli_parse(argc, argv, "eval", opt, CLI_COUNT(opt), &path, 1,
                        "one network expected, got '%s' too", CLI_PARSE_NUMBERS)) != CLI_OK)
        return rc;
    if (exact)
        c.mode = MODE_EXACT;
    if (path == NULL)
        return cli_usage_error("eval", "missing NET");
    if ((input == NULL) == (inputs == NULL))
        return cli_usage_error("eval", "give exactly one of --input and --inputs");
    if (prec != NULL) {
        char *end;
        long p = strtol(prec, &end, 10);
        if (c.mode == MODE_EXACT)
            return cli_usage_error("eval", "--exact and --mpfr exclude each other");
        if (*end != '\0' || p < 24 || p > 65536)
            return cli_usage_error("eval", "--mpfr needs a precision in bits from 24 "
                                   "to 65536, not '%s'", prec);
        c.mode = MODE_MPFR;
        c.prec = (mpfr_prec_t)p;
    }
    lump_net_init(&net);
    lump_graph_init(&g);
    err = lump_net_read(&net, path);
    if (err != LUMP_OK && c.mode == MODE_MPFR) {
        /* a graph network: the enclosure of its exact translation into
         * layers (sigmoid and tanh included), or, when that is too large,
         * interval arithmetic on the graph itself */
        err = cli_net_read_unrolled(&net, path);
        if (err == LUMP_ENOMEM) {
            err = lump_graph_read(&g, path, NULL);
            c.g = &g;
        }
        if (err != LUMP_OK) {
            lump_net_clear(&net);
            lump_graph_clear(&g);
            return cli_fail(err);
        }
        graph = 1;
    } else if (err != LUMP_OK) {
        return cli_graph_eval(path, err, exact, input, inputs, json);
    }
    c.net = &net;
    if (c.mode == MODE_EXACT && !lump_net_is_pwl(&net)) {
        lump_net_clear(&net);
        return cli_fail(lump_error_set(LUMP_EUNSUPPORTED,
                                       "%s: exact evaluation needs piecewise-linear "
                                       "activations (this network has sigmoid or tanh); "
                                       "use --mpfr BITS for a rigorous enclosure",
                                       path));
    }
    if (c.mode == MODE_DOUBLE && (err = lump_eval_double_range(&net)) != LUMP_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", lump_error_message());
        lump_net_clear(&net);
        return cli_fail(lump_error_set(err, "%s: %s; use --exact or --mpfr BITS", path, why));
    }
    /* --json: one report at the end, nothing printed when a line fails */
    if (json)
        c.results = json_array();
    {
        size_t nin = c.g != NULL ? lump_graph_n_inputs(c.g) : net.n_inputs;
        if (input != NULL)
            err = cli_eval_text(eval_one, &c, nin, input, strlen(input), "--input");
        else
            err = cli_eval_file(eval_one, &c, nin, inputs);
    }
    if (json) {
        json_t *j = cli_report_new("eval");
        if (c.g != NULL) {
            cli_report_path(j, "network", path);
            json_object_set_new(j, "model", json_string("graph, interval arithmetic on the graph"));
            json_object_set_new(j, "inputs", cli_report_size(lump_graph_n_inputs(c.g)));
            json_object_set_new(j, "outputs", cli_report_size(lump_graph_n_outputs(c.g)));
        } else {
            cli_report_net(j, path, &net);
        }
        if (graph && c.g == NULL) /* the layers are those of the exact translation */
            json_object_set_new(j, "model", json_string("graph, unrolled into layers"));
        cli_report_path(j, "input_file", inputs);
        json_object_set_new(j, "mode", json_string(c.mode == MODE_EXACT ? "exact"
                                                   : c.mode == MODE_MPFR ? "mpfr" : "double"));
        if (c.mode == MODE_MPFR) {
            json_object_set_new(j, "precision", json_integer((json_int_t)c.prec));
            json_object_set_new(j, "widest", cli_report_num(c.worst_width));
        }
        json_object_set_new(j, "results", c.results);
        if (err == LUMP_OK)
            rc = cli_report_print(j);
        else
            json_decref(j);
    }
    if (err == LUMP_OK && c.mode == MODE_MPFR)
        fprintf(stderr, "lumpnet: MPFR at %ld bits: every output lies in its printed "
                "interval [lo, hi] (rounded outward); widest %.3g\n",
                (long)c.prec, c.worst_width);
    lump_net_clear(&net);
    lump_graph_clear(&g);
    fflush(stdout);
    return err != LUMP_OK ? cli_fail(err) : json ? rc : CLI_OK;
}
