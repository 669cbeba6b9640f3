/* cmd_graph_draw.c -- `draw` of graph (convolutional, residual) networks
 * at channel level: the network, its channel lumping (--reduce, --cert)
 * and the quotient */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

/* the lumping of CERT (a graph certificate of G), its quotient, checked */
static lump_error_t from_cert(lump_glumping_t *L, lump_graph_t *q, lump_verdict_t *valid,
                              char *why, size_t whylen, const lump_graph_t *g, const char *cert)
{
    lump_error_t err = LUMP_OK;
    unsigned char *buf = NULL;
    size_t len = 0;
    LUMP_CHECK(lump_io_read_file(&buf, &len, cert));
    if (!lump_graph_cert_is((const char *)buf, len)) {
        err = lump_error_set(LUMP_EINPUT, "%s: top level: not a graph certificate (format "
                             "\"lumpnet-graph-certificate\")", cert);
        goto cleanup;
    }
    LUMP_CHECK(lump_graph_cert_read_buf(L, (const char *)buf, len, cert));
    if (L->merged || L->n_nodes != g->n_nodes) {
        err = lump_error_set(LUMP_EINPUT, "%s: not a lumping of this network (%s)", cert,
                             L->merged ? "an equivalence proof" : "another node count");
        goto cleanup;
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (L->nodes[i].units != lump_graph_units(g, i)) {
            err = lump_error_set(LUMP_EINPUT, "%s: nodes[%zu]: %zu units, the network's node "
                                 "has %zu", cert, i, L->nodes[i].units, lump_graph_units(g, i));
            goto cleanup;
        }
        /* the certificate does not say how many positions a unit has */
        L->nodes[i].per = L->nodes[i].units > 0 ? g->nodes[i].shape.size / L->nodes[i].units : 0;
    }
    LUMP_CHECK(lump_graph_quotient(q, g, L));
    LUMP_CHECK(lump_graph_cert_check(valid, why, whylen, g, q, L));
cleanup:
    free(buf);
    return err;
}

/* cli_graph_draw -- see cli.h. */
int cli_graph_draw(const cli_graph_draw_t *d, lump_viz_opts_t *opts, lump_error_t err)
{
    lump_graph_t g, q;
    lump_glumping_t L;
    lump_verdict_t valid = LUMP_TRUE;
    char why[512] = "";
    int rc, lumped = d->reduce || d->cert != NULL;
    lump_graph_init(&g);
    lump_graph_init(&q);
    lump_glumping_init(&L);
    if ((rc = cli_graph_read(&g, d->path, err)) != CLI_OK)
        return rc;
    err = LUMP_OK;
    if (d->eps) {
        err = lump_error_set(LUMP_EUSAGE, "draw: --eps is for fully connected networks; relax "
                             "a convolutional network and draw the result (or --reduce)");
        goto cleanup;
    }
    if (d->reduce) {
        LUMP_CHECK(lump_graph_partition(&L, &g, d->mode, 0));
        LUMP_CHECK(lump_graph_quotient(&q, &g, &L));
    } else if (d->cert != NULL) {
        err = from_cert(&L, &q, &valid, why, sizeof why, &g, d->cert);
        if (err != LUMP_OK)
            goto cleanup;
        if (valid != LUMP_TRUE) {
            fprintf(stderr, "lumpnet: %s is not a valid lumping of %s (%s); nothing drawn "
                    "(see 'lumpnet check')\n", d->cert, d->path, why);
            rc = CLI_NEGATIVE;
            goto cleanup;
        }
    }
    LUMP_CHECK(lump_viz_graph_draw(d->out, &g, lumped ? &L : NULL, lumped ? &q : NULL, opts));
    if (d->json) {
        json_t *j = cli_report_new("draw");
        cli_report_path(j, "network", d->path);
        json_object_set_new(j, "model", json_string("graph"));
        cli_report_path(j, "output", d->out);
        json_object_set_new(j, "drawn", json_string(d->reduce           ? "reduce"
                                                    : d->cert != NULL ? "cert"
                                                                      : "network"));
        cli_report_path(j, "certificate", d->cert);
        json_object_set_new(j, "nodes", cli_report_size(opts->nodes));
        json_object_set_new(j, "edges", cli_report_size(opts->edges));
        rc = cli_report_print(j);
    } else {
        printf("wrote %s (%zu nodes, %zu edges)\n", d->out, opts->nodes, opts->edges);
    }
cleanup:
    lump_glumping_clear(&L);
    lump_graph_clear(&q);
    lump_graph_clear(&g);
    return err != LUMP_OK ? cli_fail(err) : rc;
}
