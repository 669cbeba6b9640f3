/* cmd_equiv.c -- `lumpnet equiv`: are two networks the same function? */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *verdict_name(lump_verdict_t v)
{
    return v == LUMP_TRUE ? "equivalent" : v == LUMP_FALSE ? "different" : "unknown";
}

static lump_error_t write_cert(FILE *f, void *ctx)
{
    return lump_equiv_cert_write(f, ctx);
}

int cli_cmd_equiv(int argc, char **argv)
{
    const char *a_path, *b_path, *ab[2] = {NULL, NULL}, *box_arg = NULL, *seed_arg = NULL;
    const char *cert = NULL;
    int json = 0, rc = CLI_OK;
    unsigned long seed = 1;
    lump_net_t a, b;
    lump_box_t box;
    lump_equiv_t e;
    lump_error_t err = LUMP_OK;
    lump_verdict_t verdict = LUMP_UNKNOWN;
    const cli_opt_t opt[] = {
        {"--json", NULL, &json},
        {"--box", &box_arg, NULL},
        {"--seed", &seed_arg, NULL},
        {"--cert", &cert, NULL}};
    if ((rc = cli_parse(argc, argv, "equiv", opt, CLI_COUNT(opt), ab, 2, "unexpected argument '%s'",
                        0)) != CLI_OK)
        return rc;
    a_path = ab[0];
    b_path = ab[1];
    if (a_path == NULL || b_path == NULL)
        return cli_usage_error("equiv", "needs two networks A and B");
    {
        const cli_file_t fin[] = {{a_path, "network A"}, {b_path, "network B"}, {box_arg, "--box"}},
                         fout[] = {{cert, "--cert"}};
        if ((rc = cli_check_files("equiv", fin, 3, fout, 1)) != CLI_OK)
            return rc;
    }
    if (seed_arg != NULL) {
        unsigned long long s;
        if (cli_parse_whole(&s, seed_arg, 0, ULLONG_MAX, "equiv",
                            "--seed needs a whole number, not '%s'") != CLI_OK)
            return CLI_BAD;
        seed = (unsigned long)s;
    }
    lump_net_init(&a);
    lump_net_init(&b);
    lump_box_init(&box);
    lump_equiv_init(&e);
    LUMP_CHECK(lump_net_read(&a, a_path));
    LUMP_CHECK(lump_net_read(&b, b_path));
    if (box_arg != NULL)
        LUMP_CHECK(lump_box_parse(&box, box_arg, a.n_inputs));
    LUMP_CHECK(lump_equiv(&e, &a, &b, box_arg != NULL ? &box : NULL, seed));
    verdict = e.equal;
    /* lump_equiv has had the proof verified by the checker before it says
     * TRUE; the certificate is that checked lumping */
    if (cert != NULL && e.equal == LUMP_TRUE)
        LUMP_CHECK(lump_io_write_atomic(cert, write_cert, &e.proof));
    if (box_arg != NULL) /* the library cannot know where the box came from */
        snprintf(e.domain, sizeof e.domain, "the box %.200s", box_arg);
    if (json) {
        json_t *j = cli_report_new("equiv");
        cli_report_path(j, "a", a_path);
        cli_report_path(j, "b", b_path);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "verdict", json_string(verdict_name(e.equal)));
        /* a proof holds wherever the networks are defined; only a search
         * for a witness has a domain */
        if (e.equal != LUMP_TRUE)
            json_object_set_new(j, "domain", json_string(e.domain));
        if (e.equal == LUMP_TRUE)
            json_object_set_new(j, "checked", json_true());
        cli_report_path(j, "certificate", cert != NULL && e.equal == LUMP_TRUE ? cert : NULL);
        if (e.equal == LUMP_FALSE) {
            json_t *w = json_array();
            for (size_t i = 0; i < e.n_witness; i++) {
                char *s = lump_rat_str_frac(e.witness[i]);
                json_array_append_new(w, json_string(s));
                free(s);
            }
            json_object_set_new(j, "witness", w);
            json_object_set_new(j, "output", json_integer((json_int_t)e.output));
        }
        rc = cli_report_print(j);
    } else if (e.equal == LUMP_TRUE) {
        printf("equivalent: proved by lumping the union of %s and %s (every output of one "
               "lies in the block of the same output of the other, with equal scale), the "
               "lumping verified by the independent checker\n",
               a_path, b_path);
        if (cert != NULL)
            printf("wrote the certificate %s (verify: lumpnet check %s %s %s)\n", cert, a_path,
                   b_path, cert);
    } else if (e.equal == LUMP_FALSE) {
        printf("different: output %zu differs at the exact input\n  ", e.output);
        for (size_t i = 0; i < e.n_witness; i++) {
            char *s = lump_rat_str_frac(e.witness[i]);
            printf("%s%s", i ? "," : "", s);
            free(s);
        }
        printf("\n(found by searching %s; confirm with lumpnet eval --exact)\n", e.domain);
        if (cert != NULL)
            printf("no certificate written: nothing was proved\n");
    } else {
        printf("unknown: lumping did not prove equivalence and no witness was found in "
               "%s\n", e.domain);
        if (cert != NULL)
            printf("no certificate written: nothing was proved\n");
    }
cleanup:
    lump_equiv_clear(&e);
    lump_box_clear(&box);
    lump_net_clear(&b);
    lump_net_clear(&a);
    if (err != LUMP_OK)
        return cli_fail(err);
    if (rc != CLI_OK)
        return rc;
    return verdict == LUMP_TRUE ? CLI_OK : verdict == LUMP_FALSE ? CLI_NEGATIVE : CLI_UNKNOWN;
}
