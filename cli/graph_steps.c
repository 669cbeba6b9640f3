/* graph_steps.c -- the steps that `relax` and `explore` of graph
 * (convolutional) networks share: the checked channel quotient of a
 * snapped network, and the certified bound of the original against it
 * (docs/relax.md, "Convolutional networks") */
#include "cli.h"
#include "lumpnet/graph_bound.h"
#include "lumpnet/graph_relax.h"

/* cli_graph_quotient -- see cli.h. */
lump_error_t cli_graph_quotient(lump_graph_t *q, const lump_graph_t *s)
{
    lump_error_t err = LUMP_OK;
    lump_glumping_t L;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024];
    lump_glumping_init(&L);
    LUMP_CHECK(lump_graph_partition(&L, s, LUMP_MODE_PROPORTIONAL, 0));
    LUMP_CHECK(lump_graph_quotient(q, s, &L));
    LUMP_CHECK(lump_graph_cert_check(&valid, why, sizeof why, s, q, &L));
    if (valid != LUMP_TRUE)
        err = lump_error_set(LUMP_EINTERNAL, "internal error: the independent checker refuses "
                             "the lumping of the relaxed network (%s); nothing was written. "
                             "Please report it", why);
cleanup:
    lump_glumping_clear(&L);
    return err;
}

/* cli_graph_relax_bound -- see cli.h. */
lump_error_t cli_graph_relax_bound(lump_bound_result_t *br, int *on_graph, double *obs,
                                   const lump_graph_t *g, const lump_graph_t *s,
                                   const lump_box_t *box, const cli_graph_relax_t *a)
{
    lump_error_t err = LUMP_OK;
    lump_net_t uf, us;
    lump_bound_opts_t o;
    lump_net_init(&uf);
    lump_net_init(&us);
    lump_bound_opts_init(&o);
    o.lp = a->lp;
    if (on_graph != NULL)
        *on_graph = 0;
    err = lump_graph_unroll(&uf, NULL, g, CLI_UNROLL_MAX_WEIGHTS);
    if (err == LUMP_OK)
        err = lump_graph_unroll(&us, NULL, s, CLI_UNROLL_MAX_WEIGHTS);
    if (err == LUMP_ENOMEM) {
        /* too large to unroll: differential intervals on the graphs (S has
         * G's architecture, so the differences go node by node) */
        err = LUMP_OK;
        if (on_graph != NULL)
            *on_graph = 1;
        LUMP_CHECK(lump_graph_bound_result(br, NULL, g, s, box));
    } else {
        LUMP_CHECK(err);
        LUMP_CHECK(lump_bound_diff_lumped(br, &uf, &us, NULL, box, &o));
    }
    LUMP_CHECK(lump_graph_max_error_sampled(obs, g, s, box, a->samples, 1));
cleanup:
    lump_net_clear(&uf);
    lump_net_clear(&us);
    return err;
}
