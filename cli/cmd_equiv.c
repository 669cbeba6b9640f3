/* cmd_equiv.c -- `lumpnet equiv`: are two networks the same function? */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cmd_equiv_tol.h"

static const char *verdict_name(lump_verdict_t v)
{
    return v == LUMP_TRUE ? "equivalent" : v == LUMP_FALSE ? "different" : "unknown";
}

static lump_error_t write_cert(FILE *f, void *ctx)
{
    return lump_equiv_cert_write(f, ctx);
}

static lump_error_t write_box_cert(FILE *f, void *ctx)
{
    return lump_box_equiv_cert_write(f, ctx);
}

/* Decide A = B on BOX (lump_box_equiv) and write the certificate CERT
 * (may be NULL) of a proof: the equivalence certificate when the union
 * lumped as it is (*ON_BOX = 0, the proof holds everywhere), else the
 * box-equivalence certificate (*ON_BOX = 1). */
static lump_error_t equiv_on_box(lump_equiv_t *e, int *on_box, const lump_net_t *a,
                                 const lump_net_t *b, const lump_box_t *box, unsigned long seed,
                                 const char *cert)
{
    lump_error_t err = LUMP_OK;
    lump_box_equiv_cert_t proof;
    lump_box_equiv_cert_init(&proof);
    LUMP_CHECK(lump_box_equiv(e, &proof, on_box, a, b, box, seed));
    if (cert != NULL && e->equal == LUMP_TRUE && *on_box)
        LUMP_CHECK(lump_io_write_atomic(cert, write_box_cert, &proof));
    else if (cert != NULL && e->equal == LUMP_TRUE)
        LUMP_CHECK(lump_io_write_atomic(cert, write_cert, &e->proof));
cleanup:
    lump_box_equiv_cert_clear(&proof);
    return err;
}

/* The verdict line of a proof on the box only (lump_box_equiv's second
 * way). */
static void print_on_box(const char *a_path, const char *b_path, const char *box_arg,
                         const char *cert)
{
    printf("equivalent on the box %s: proved by reducing %s and %s on the box (stable neurons "
           "removed, linear ones folded; both box certificates verified by the independent "
           "checker) and lumping the union of the two reduced networks (verified by the "
           "independent checker); nothing is claimed outside the box\n",
           box_arg, a_path, b_path);
    if (cert != NULL)
        printf("wrote the certificate %s (verify: lumpnet check %s %s %s --box %s)\n", cert,
               a_path, b_path, cert, box_arg);
}

int cli_cmd_equiv(int argc, char **argv)
{
    const char *a_path, *b_path, *box_arg = NULL, *seed_arg = NULL;
    const char *cert = NULL, *tol_arg = NULL;
    /* the finder's own options are read straight into what it is given */
    cli_equiv_tol_t t = {0};
    mpq_t tol;
    int tolerant = 0; /* a positive tolerance: the finder answered */
    int json = 0, rc = CLI_OK, on_box = 0, graph = 0;
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
        {"--cert", &cert, NULL},
        {"--tolerance", &tol_arg, NULL},
        {"--outputs", &t.outputs, NULL},
        {"--timeout", &t.timeout, NULL},
        {"--jobs", &t.jobs, NULL},
        {"--split", &t.split, NULL}};
    if ((rc = cli_parse_two(&a_path, &b_path, argc, argv, "equiv", opt, CLI_COUNT(opt))) != CLI_OK)
        return rc;
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
    mpq_init(tol);
    if (tol_arg != NULL &&
        (lump_rat_parse_cstr(tol, tol_arg) != LUMP_OK || mpq_sgn(tol) < 0)) {
        mpq_clear(tol);
        return cli_usage_error("equiv", "--tolerance needs a number >= 0 (decimal or p/q), not "
                               "'%s'", tol_arg);
    }
    lump_net_init(&a);
    lump_net_init(&b);
    lump_box_init(&box);
    lump_equiv_init(&e);
    if (box_arg == NULL && !mpq_sgn(tol)) {
        if ((err = lump_net_read(&a, a_path)) != LUMP_OK) {
            rc = cli_graph_equiv(a_path, b_path, cert, seed, json, err); /* cmd_graph_lump.c */
            graph = 1;
            err = LUMP_OK;
            goto cleanup;
        }
        LUMP_CHECK(lump_net_read(&b, b_path));
    } else {
        /* on a box or within a tolerance, graph networks go as layers,
         * or, too large for that, through intervals on the graphs */
        err = cli_read_two_unrolled(&a, a_path, &b, b_path);
        if (err == LUMP_ENOMEM) {
            err = LUMP_OK;
            rc = cli_graph_equiv_wide(a_path, b_path, box_arg, tol, cert, json, seed);
            graph = 1;
            goto cleanup;
        }
        LUMP_CHECK(err);
    }
    if ((tolerant = mpq_sgn(tol) > 0)) { /* within a tolerance: the branch-and-bound finder */
        t.a_path = a_path;
        t.b_path = b_path;
        t.box_arg = box_arg;
        t.cert = cert;
        t.a = &a;
        t.b = &b;
        t.tolerance = tol;
        t.json = json;
        rc = cli_equiv_tolerance(&t);
        goto cleanup;
    }
    if (box_arg != NULL)
        LUMP_CHECK(cli_box_parse(&box, box_arg, &a, a_path));
    if (box_arg != NULL) {
        LUMP_CHECK(equiv_on_box(&e, &on_box, &a, &b, &box, seed, cert));
    } else {
        LUMP_CHECK(lump_equiv(&e, &a, &b, NULL, seed));
        /* lump_equiv has had the proof verified by the checker before it
         * says TRUE; the certificate is that checked lumping */
        if (cert != NULL && e.equal == LUMP_TRUE)
            LUMP_CHECK(lump_io_write_atomic(cert, write_cert, &e.proof));
    }
    verdict = e.equal;
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
        if (e.equal == LUMP_TRUE && on_box)
            json_object_set_new(j, "on_box_only", json_true());
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
    } else if (e.equal == LUMP_TRUE && on_box) {
        print_on_box(a_path, b_path, box_arg, cert);
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
    mpq_clear(tol);
    lump_equiv_clear(&e);
    lump_box_clear(&box);
    lump_net_clear(&b);
    lump_net_clear(&a);
    /* within a tolerance, cli_equiv_tolerance's code is the verdict's */
    if (graph)
        return rc;
    return cli_exit(err, rc, tolerant ? CLI_OK : cli_verdict_rc(verdict));
}
