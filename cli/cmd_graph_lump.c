/* cmd_graph_lump.c -- `reduce`, `check` and `equiv` of graph
 * (convolutional or residual) networks: channel-level lumping, its
 * quotient and certificate (lumpnet/glump.h, docs/cnn-lumping.md) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static lump_error_t write_gcert(FILE *f, void *ctx)
{
    return lump_graph_cert_write(f, ctx);
}

static json_t *node_counts(const lump_graph_t *g, const lump_glumping_t *L)
{
    json_t *a = json_array();
    for (size_t i = 1; i < g->n_nodes; i++) {
        const lump_gpart_t *p = &L->nodes[i];
        size_t kept = lump_glumping_kept(L, i), dead = 0;
        json_t *o = json_object();
        for (size_t u = 0; u < p->units; u++)
            dead += p->dead[p->block[u]];
        json_object_set_new(o, "node", cli_report_size(i));
        json_object_set_new(o, "name", json_string(g->nodes[i].name != NULL ? g->nodes[i].name : ""));
        json_object_set_new(o, "op", json_string(lump_gop_name(g->nodes[i].op)));
        json_object_set_new(o, "unit", json_string(g->nodes[i].shape.ndim >= 2 ? "channel" : "entry"));
        json_object_set_new(o, "before", cli_report_size(p->units));
        json_object_set_new(o, "after", cli_report_size(kept));
        json_object_set_new(o, "merged", cli_report_size(p->units - dead - kept));
        json_object_set_new(o, "dead", cli_report_size(dead));
        json_array_append_new(a, o);
    }
    return a;
}

/* cli_graph_reduce -- see cli.h. */
int cli_graph_reduce(const char *path, const char *out, const char *cert, lump_mode_t md,
                     int json, lump_error_t err)
{
    lump_graph_t g, q;
    lump_glumping_t L;
    lump_write_opts_t opts;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024];
    double t0, t_lump, t_check;
    int rc;
    lump_graph_init(&g);
    lump_graph_init(&q);
    lump_glumping_init(&L);
    lump_write_opts_init(&opts);
    if ((rc = cli_graph_read(&g, path, err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    t0 = lump_clock_seconds();
    LUMP_CHECK(lump_graph_partition(&L, &g, md, 0));
    t_lump = lump_clock_seconds() - t0;
    LUMP_CHECK(lump_graph_quotient(&q, &g, &L));
    /* the trusted base: nothing is written that the checker has not seen */
    t0 = lump_clock_seconds();
    LUMP_CHECK(lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L));
    t_check = lump_clock_seconds() - t0;
    if (valid != LUMP_TRUE) {
        err = lump_error_set(LUMP_EINTERNAL, "internal error: the independent checker refuses "
                             "the graph lumping that reduce was about to write (%s); nothing "
                             "was written. Please report it", why);
        goto cleanup;
    }
    LUMP_CHECK(lump_graph_write(out, &q, &opts));
    if (cert != NULL)
        LUMP_CHECK(lump_io_write_atomic(cert, write_gcert, &L));
    if (opts.rounded > 0)
        lump_warn("%s: %zu quotient values do not fit the file's number type and were rounded "
                  "(largest rounding %.3g); write .json to keep the exact quotient", out,
                  opts.rounded, opts.max_rounding);
    if (json) {
        json_t *j = cli_report_new("reduce");
        cli_report_path(j, "network", path);
        json_object_set_new(j, "model", json_string("graph"));
        cli_report_path(j, "output", out);
        cli_report_path(j, "certificate", cert);
        json_object_set_new(j, "mode", json_string(md == LUMP_MODE_EXACT ? "exact" : "proportional"));
        json_object_set_new(j, "neurons_before", cli_report_size(lump_graph_neurons(&g)));
        json_object_set_new(j, "neurons_after", cli_report_size(lump_graph_neurons(&q)));
        json_object_set_new(j, "params_before", cli_report_size(lump_graph_params(&g)));
        json_object_set_new(j, "params_after", cli_report_size(lump_graph_params(&q)));
        json_object_set_new(j, "per_node", node_counts(&g, &L));
        json_object_set_new(j, "rounded_values", json_integer((json_int_t)opts.rounded));
        json_object_set_new(j, "exact_output", json_boolean(opts.rounded == 0));
        json_object_set_new(j, "checked", json_true());
        json_object_set_new(j, "lump_seconds", json_real(t_lump));
        json_object_set_new(j, "check_seconds", json_real(t_check));
        rc = cli_report_print(j);
    } else {
        printf("reduce %s (%s channel lumping of a graph network)\n", path,
               md == LUMP_MODE_EXACT ? "exact" : "proportional");
        printf("  %4s  %-8s %-16s %7s %7s\n", "node", "op", "name", "before", "after");
        for (size_t i = 1; i < g.n_nodes; i++)
            if (lump_glumping_kept(&L, i) != L.nodes[i].units)
                printf("  %4zu  %-8s %-16.16s %7zu %7zu\n", i, lump_gop_name(g.nodes[i].op),
                       g.nodes[i].name != NULL ? g.nodes[i].name : "", L.nodes[i].units,
                       lump_glumping_kept(&L, i));
        printf("neurons: %zu -> %zu (entries of every tensor but the input)\n",
               lump_graph_neurons(&g), lump_graph_neurons(&q));
        printf("params:  %zu -> %zu\n", lump_graph_params(&g), lump_graph_params(&q));
        printf("lumping %.3f s; the lumping and its quotient were verified by the independent "
               "checker (%.3f s)\n", t_lump, t_check);
        printf("wrote %s", out);
        if (cert != NULL)
            printf(" and the certificate %s (verify: lumpnet check %s %s %s)", cert, path, out,
                   cert);
        printf("\n");
    }
cleanup:
    lump_glumping_clear(&L);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}

/* read B after A, both graphs (A failed the MLP reader with ERR) */
static int read_pair(lump_graph_t *a, lump_graph_t *b, const char *pa, const char *pb,
                     lump_error_t err)
{
    lump_net_t n;
    int rc = cli_graph_read(a, pa, err);
    if (rc != CLI_OK)
        return rc;
    lump_net_init(&n);
    err = lump_net_read(&n, pb);
    lump_net_clear(&n);
    if (err == LUMP_OK) {
        lump_graph_clear(a);
        return cli_fail(lump_error_set(LUMP_EUNSUPPORTED, "%s is a graph network and %s a "
                                       "fully connected one; compare networks of one kind",
                                       pa, pb));
    }
    rc = cli_graph_read(b, pb, err);
    if (rc != CLI_OK)
        lump_graph_clear(a);
    return rc;
}

/* cli_graph_check -- see cli.h. */
int cli_graph_check(const char *const paths[3], int json, lump_error_t err)
{
    lump_graph_t g, q, u;
    lump_glumping_t L;
    lump_verdict_t valid = LUMP_FALSE;
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[1024] = "";
    int rc;
    lump_graph_init(&g);
    lump_graph_init(&q);
    lump_graph_init(&u);
    lump_glumping_init(&L);
    if ((rc = read_pair(&g, &q, paths[0], paths[1], err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    LUMP_CHECK(lump_io_read_file(&buf, &len, paths[2]));
    if (!lump_graph_cert_is((const char *)buf, len)) {
        err = lump_error_set(LUMP_EINPUT, "%s: top level: not a graph certificate (format "
                             "\"lumpnet-graph-certificate\"), which %s needs", paths[2],
                             paths[0]);
        goto cleanup;
    }
    LUMP_CHECK(lump_graph_cert_read_buf(&L, (const char *)buf, len, paths[2]));
    if (L.merged) { /* an equivalence proof: NET and OUT are A and B */
        if (lump_graph_union(&u, &g, &q) != LUMP_OK)
            snprintf(why, sizeof why, "%s", lump_error_message());
        else
            LUMP_CHECK(lump_graph_equiv_check(&valid, why, sizeof why, &u, &L));
    } else
        LUMP_CHECK(lump_graph_cert_check(&valid, why, sizeof why, &g, &q, &L));
    if (json) {
        json_t *j = cli_report_new("check");
        json_object_set_new(j, "valid", json_boolean(valid == LUMP_TRUE));
        json_object_set_new(j, "kind", json_string(L.merged ? "equivalence" : "lumping"));
        json_object_set_new(j, "model", json_string("graph"));
        cli_report_path(j, "network", paths[0]);
        cli_report_path(j, "quotient", paths[1]);
        cli_report_path(j, "certificate", paths[2]);
        if (valid != LUMP_TRUE)
            json_object_set_new(j, "reason", json_string(why));
        rc = cli_report_print(j);
    } else if (valid == LUMP_TRUE && L.merged)
        printf("valid: %s and %s compute the same function (equivalence certificate %s: the "
               "channel lumping of their union, checked in exact arithmetic)\n", paths[0],
               paths[1], paths[2]);
    else if (valid == LUMP_TRUE)
        printf("valid: %s computes exactly the function of %s (graph certificate %s checked "
               "in exact arithmetic)\n", paths[1], paths[0], paths[2]);
    else
        printf("invalid: %s\n", why);
cleanup:
    free(buf);
    lump_glumping_clear(&L);
    lump_graph_clear(&u);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    if (err != LUMP_OK)
        return cli_fail(err);
    return rc != CLI_OK ? rc : valid == LUMP_TRUE ? CLI_OK : CLI_NEGATIVE;
}

/* cli_graph_equiv -- see cli.h. */
int cli_graph_equiv(const char *a_path, const char *b_path, const char *cert,
                    unsigned long seed, int json, lump_error_t err)
{
    lump_graph_t a, b, u;
    lump_glumping_t P;
    lump_verdict_t eq = LUMP_UNKNOWN;
    mpq_t *x = NULL;
    size_t nin = 0, out = 0;
    int rc;
    lump_graph_init(&a);
    lump_graph_init(&b);
    lump_graph_init(&u);
    lump_glumping_init(&P);
    if ((rc = read_pair(&a, &b, a_path, b_path, err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    nin = lump_graph_n_inputs(&a);
    x = lump_rat_vec_new(nin);
    LUMP_CHECK(lump_graph_equiv(&eq, &P, &u, x, &out, &a, &b, seed, 3));
    if (cert != NULL && eq == LUMP_TRUE)
        LUMP_CHECK(lump_io_write_atomic(cert, write_gcert, &P));
    if (json) {
        json_t *j = cli_report_new("equiv");
        cli_report_path(j, "a", a_path);
        cli_report_path(j, "b", b_path);
        json_object_set_new(j, "model", json_string("graph"));
        json_object_set_new(j, "verdict", json_string(eq == LUMP_TRUE    ? "equivalent"
                                                      : eq == LUMP_FALSE ? "different"
                                                                         : "unknown"));
        if (eq == LUMP_TRUE)
            json_object_set_new(j, "checked", json_true());
        cli_report_path(j, "certificate", cert != NULL && eq == LUMP_TRUE ? cert : NULL);
        if (eq == LUMP_FALSE) {
            json_t *w = json_array();
            for (size_t i = 0; i < nin; i++) {
                char *s = lump_rat_str_frac(x[i]);
                json_array_append_new(w, json_string(s));
                free(s);
            }
            json_object_set_new(j, "witness", w);
            json_object_set_new(j, "output", cli_report_size(out));
        }
        rc = cli_report_print(j);
    } else if (eq == LUMP_TRUE) {
        printf("equivalent: proved by lumping the union of %s and %s channel by channel (every "
               "output of one lies in the block of the same output of the other, with equal "
               "scale), the lumping verified by the independent checker\n", a_path, b_path);
        if (cert != NULL)
            printf("wrote the certificate %s (verify: lumpnet check %s %s %s)\n", cert, a_path,
                   b_path, cert);
    } else if (eq == LUMP_FALSE) {
        printf("different: output %zu differs at the exact input (%zu values; use --json to "
               "get them)\n", out, nin);
    } else
        printf("unknown: lumping did not prove equivalence and no witness was found at 3 "
               "random rational points of [-1,1]^%zu\n", nin);
cleanup:
    if (x != NULL)
        lump_rat_vec_free(x, nin);
    lump_glumping_clear(&P);
    lump_graph_clear(&u);
    lump_graph_clear(&b);
    lump_graph_clear(&a);
    return cli_exit(err, rc, cli_verdict_rc(eq));
}
