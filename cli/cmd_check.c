/* cmd_check.c -- `lumpnet check`: verify a lumping certificate independently */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Check the box-equivalence certificate BUF of A and B on BOX (BOX_ARG:
 * NULL when not given, which is a usage error: the proof holds on a box
 * only). */
static lump_error_t check_box_equiv(lump_verdict_t *valid, char *why, size_t whylen,
                                    const lump_net_t *a, const lump_net_t *b,
                                    const lump_box_t *box, const char *box_arg,
                                    const unsigned char *buf, size_t len, const char *path)
{
    lump_error_t err = LUMP_OK;
    lump_box_equiv_cert_t C;
    lump_box_equiv_cert_init(&C);
    if (box_arg == NULL)
        return lump_error_set(LUMP_EUSAGE, "%s: a box-equivalence certificate proves equality "
                              "on a box only; give that box with --box BOX", path);
    LUMP_CHECK(lump_box_equiv_cert_read_buf(&C, (const char *)buf, len, path));
    LUMP_CHECK(lump_box_equiv_cert_check(valid, why, whylen, a, b, box, &C));
cleanup:
    lump_box_equiv_cert_clear(&C);
    return err;
}

int cli_cmd_check(int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL}, *box_arg = NULL;
    int json = 0, rc;
    lump_net_t net, q;
    lump_lumping_t L;
    lump_box_t box;
    lump_box_cert_t C;
    int version, equiv = 0, box_equiv = 0;
    lump_verdict_t valid = LUMP_FALSE;
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[1024] = "";
    lump_error_t err = LUMP_OK;
    version = 0;
    const cli_opt_t opt[] = {{"--json", NULL, &json}, {"--box", &box_arg, NULL}};
    if ((rc = cli_parse(argc, argv, "check", opt, CLI_COUNT(opt), paths, 3,
                        "unexpected argument '%s'", 0)) != CLI_OK)
        return rc;
    if (paths[2] == NULL)
        return cli_usage_error("check", "needs NET OUT CERT (or A B CERT for an equivalence "
                                        "certificate)");
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    LUMP_CHECK(lump_net_read(&net, paths[0]));
    LUMP_CHECK(lump_net_read(&q, paths[1]));
    if (box_arg != NULL) {
        err = lump_box_parse(&box, box_arg, net.n_inputs);
        if (err != LUMP_OK) {
            err = lump_error_prefix(err, "--box %s", box_arg);
            goto cleanup;
        }
        for (size_t i = 0; i < box.n; i++)
            if (mpq_cmp(box.lo[i], box.hi[i]) > 0) {
                err = lump_error_set(LUMP_EINPUT, "--box %s: dimension %zu is empty (lower "
                                     "bound above upper bound)", box_arg, i + 1);
                goto cleanup;
            }
    }
    LUMP_CHECK(lump_io_read_file(&buf, &len, paths[2]));
    version = lump_cert_version((const char *)buf, len);
    equiv = lump_cert_is_equiv((const char *)buf, len);
    box_equiv = lump_cert_is_box_equiv((const char *)buf, len);
    if (box_equiv) {
        LUMP_CHECK(check_box_equiv(&valid, why, sizeof why, &net, &q, &box, box_arg, buf, len,
                                   paths[2]));
    } else if (equiv) {
        /* NET and OUT are the networks A and B; the proof holds everywhere,
         * so on any box too */
        LUMP_CHECK(lump_equiv_cert_read_buf(&L, (const char *)buf, len, paths[2]));
        LUMP_CHECK(lump_equiv_cert_check(&valid, why, sizeof why, &net, &q, &L));
    } else if (version == 2) {
        if (box_arg == NULL) {
            err = lump_error_set(LUMP_EUSAGE, "%s: a box certificate proves equality on a box "
                                 "only; give that box with --box BOX", paths[2]);
            goto cleanup;
        }
        LUMP_CHECK(lump_box_cert_read_buf(&C, (const char *)buf, len, paths[2]));
        LUMP_CHECK(lump_box_cert_check(&valid, why, sizeof why, &net, &q, &box, &C));
    } else {
        /* a lumping certificate proves equality everywhere, so on any box */
        LUMP_CHECK(lump_cert_read_buf(&L, (const char *)buf, len, paths[2]));
        LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
    }
cleanup:
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    free(buf);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    if (err != LUMP_OK)
        return cli_fail(err);
    if (json) {
        json_t *j = cli_report_new("check");
        json_object_set_new(j, "valid", json_boolean(valid == LUMP_TRUE));
        json_object_set_new(j, "kind", json_string(box_equiv      ? "box-equivalence"
                                                   : equiv        ? "equivalence"
                                                   : version == 2 ? "box"
                                                                  : "lumping"));
        cli_report_path(j, "network", paths[0]);
        cli_report_path(j, "quotient", paths[1]);
        cli_report_path(j, "certificate", paths[2]);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "on_box_only", json_boolean((version == 2 && !equiv) ||
                                                           box_equiv));
        if (valid != LUMP_TRUE)
            json_object_set_new(j, "reason", json_string(why));
        rc = cli_report_print(j);
        if (rc != CLI_OK)
            return rc;
    } else if (valid == LUMP_TRUE && box_equiv) {
        printf("valid: %s and %s compute the same function at every point of the box %s "
               "(box-equivalence certificate %s: both box reductions and the lumping of the "
               "union of the reduced networks checked in exact arithmetic; nothing is claimed "
               "outside the box)\n", paths[0], paths[1], box_arg, paths[2]);
    } else if (valid == LUMP_TRUE && equiv) {
        printf("valid: %s and %s compute the same function (equivalence certificate %s: the "
               "lumping of their union, checked in exact arithmetic)\n", paths[0], paths[1],
               paths[2]);
    } else if (valid == LUMP_TRUE && version == 2) {
        printf("valid: %s computes exactly the function of %s at every point of the box %s "
               "(certificate %s checked in exact arithmetic; nothing is claimed outside the "
               "box)\n", paths[1], paths[0], box_arg, paths[2]);
    } else if (valid == LUMP_TRUE) {
        printf("valid: %s computes exactly the function of %s (certificate %s checked "
               "in exact arithmetic)\n", paths[1], paths[0], paths[2]);
    } else {
        printf("invalid: %s\n", why);
    }
    return valid == LUMP_TRUE ? CLI_OK : CLI_NEGATIVE;
}
