/* cmd_check.c -- `lumpnet check`: verify a lumping, box, equivalence or
 * tolerance certificate independently */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* A tolerance certificate speaks of its own box: with --box BOX it must
 * contain BOX (a proof on a smaller box is about the wrong box). */
static void check_box_inside(lump_verdict_t *valid, char *why, size_t whylen,
                             const lump_box_t *cert, const lump_box_t *box, const char *arg)
{
    for (size_t i = 0; i < cert->n && i < box->n; i++) {
        if (mpq_cmp(cert->lo[i], box->lo[i]) > 0 || mpq_cmp(cert->hi[i], box->hi[i]) < 0) {
            char *cl = lump_rat_str(cert->lo[i]), *ch = lump_rat_str(cert->hi[i]);
            char *bl = lump_rat_str(box->lo[i]), *bh = lump_rat_str(box->hi[i]);
            snprintf(why, whylen,
                     "the certificate's box does not contain --box %s: input %zu is [%s, %s] "
                     "in the certificate but [%s, %s] in the box",
                     arg, i, cl ? cl : "?", ch ? ch : "?", bl ? bl : "?", bh ? bh : "?");
            free(cl);
            free(ch);
            free(bl);
            free(bh);
            *valid = LUMP_FALSE;
            return;
        }
    }
}

/* "0, 2" for outputs {0, 2}, into BUF. */
static void outputs_text(char *buf, size_t size, const lump_tol_cert_info_t *T)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < T->n_outputs && pos + 1 < size; j++) {
        int k = snprintf(buf + pos, size - pos, "%s%zu", j ? ", " : "", T->outputs[j]);
        if (k < 0)
            break;
        pos += (size_t)k;
    }
}

/* The verdict line of a valid tolerance certificate (to free). */
static char *tol_summary(const lump_tol_cert_info_t *T, const char *a, const char *b,
                         const char *box_arg)
{
    char outs[256], *eps = lump_rat_str(T->tolerance), *line = NULL;
    size_t size;
    outputs_text(outs, sizeof outs, T);
    size = strlen(a) + strlen(b) + strlen(outs) + (eps ? strlen(eps) : 1) +
           (box_arg ? strlen(box_arg) : 0) + 256;
    line = lump_alloc(size);
    snprintf(line, size,
                 "valid: %s and %s differ by at most %s on every output j in [%s] over the "
                 "%s%s (%zu leaves, largest leaf bound %.6g)",
                 a, b, eps ? eps : "?", outs, box_arg ? "box " : "certificate's box",
                 box_arg ? box_arg : "", T->leaves, T->largest);
    free(eps);
    return line;
}

/* The keys a valid tolerance certificate adds to the --json report. */
static json_t *tol_report(const lump_tol_cert_info_t *T)
{
    json_t *j = json_object(), *outs = json_array();
    char *eps = lump_rat_str(T->tolerance);
    json_object_set_new(j, "tolerance", eps ? json_string(eps) : json_null());
    for (size_t k = 0; k < T->n_outputs; k++)
        json_array_append_new(outs, cli_report_size(T->outputs[k]));
    json_object_set_new(j, "outputs", outs);
    json_object_set_new(j, "leaves", cli_report_size(T->leaves));
    json_object_set_new(j, "bound", cli_report_num(T->largest));
    free(eps);
    return j;
}

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

/* Whether the values of B are those of A rounded to binary32 or binary64
 * (within half a binary32 unit, relatively, with room for subnormals). */
static int rounded_arr(const lump_arr_t *a, const lump_arr_t *b)
{
    if (a->len != b->len)
        return 0;
    for (size_t k = 0; k < a->len; k++) {
        double x = lump_arr_get_d(a, k), y = lump_arr_get_d(b, k);
        if (!(fabs(x - y) <= ldexp(fabs(x), -23) + ldexp(1.0, -148)))
            return 0;
    }
    return 1;
}

/* Whether OUT is NET rounded: the same inputs and, layer by layer, the
 * same sizes and activations, and every weight and bias NET's rounded to
 * a float. Only then is "valid within U" a statement about the rounding of
 * the certified result, not about some other network. */
static int is_rounding(const lump_net_t *a, const lump_net_t *b)
{
    if (a->n_inputs != b->n_inputs || a->n_layers != b->n_layers)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        const lump_layer_t *x = &a->layers[i], *y = &b->layers[i];
        if (x->size != y->size || !rounded_arr(&x->weight, &y->weight) ||
            !rounded_arr(&x->bias, &y->bias))
            return 0;
        for (size_t v = 0; v < x->size; v++)
            if (!lump_act_equal(lump_layer_act(x, v), lump_layer_act(y, v)))
                return 0;
    }
    return 1;
}

/* OUT is not the exact quotient Q the certificate makes of NET; when the
 * certificate is valid for Q and OUT is Q rounded (one structure), the
 * trusted leaf bound certifies |Q - OUT| <= U over BOX, and NET =
 * Q there (exactly, by the certificate): *VALID becomes TRUE, *WITHIN = U.
 * Otherwise nothing changes (WHY keeps the first reason). BOX_CERT: the
 * box certificate (version 2), else L (a lumping, valid everywhere). */
static lump_error_t check_within(lump_verdict_t *valid, double *within, char *why, size_t whylen,
                                 const lump_net_t *net, const lump_net_t *out,
                                 const lump_box_t *box, const lump_box_cert_t *box_cert,
                                 const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK;
    lump_net_t q;
    lump_verdict_t exact = LUMP_FALSE;
    double u;
    char why2[512];
    lump_net_init(&q);
    /* a certificate that does not even build its result is invalid, as
     * the first check said: not an error of this second look */
    if (box_cert != NULL) {
        if (lump_box_cert_apply(&q, net, box_cert) != LUMP_OK)
            goto cleanup;
        LUMP_CHECK(lump_box_cert_check(&exact, why2, sizeof why2, net, &q, box, box_cert));
    } else {
        if (lump_quotient(&q, net, L) != LUMP_OK)
            goto cleanup;
        LUMP_CHECK(lump_cert_check(&exact, why2, sizeof why2, net, &q, L));
    }
    if (exact != LUMP_TRUE || !is_rounding(&q, out))
        goto cleanup;
    /* the checker's own bound, not the finder's (cli_trusted_distance) */
    LUMP_CHECK(cli_trusted_distance(&u, &q, out, box));
    if (!isfinite(u))
        goto cleanup;
    *within = u;
    *valid = LUMP_TRUE;
    (void)why;
    (void)whylen;
cleanup:
    lump_net_clear(&q);
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
    int version, equiv = 0, tol = 0, box_equiv = 0, graph = 0;
    lump_tol_cert_info_t T;
    lump_verdict_t valid = LUMP_FALSE;
    double within = -1; /* >= 0: OUT is the exact result rounded, within this */
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[1024] = "", *tol_text = NULL;
    json_t *tol_json = NULL;
    lump_error_t err = LUMP_OK;
    version = 0;
    const cli_opt_t opt[] = {{"--json", NULL, &json}, {"--box", &box_arg, NULL}};
    if ((rc = cli_parse(argc, argv, "check", opt, CLI_COUNT(opt), paths, 3,
                        "unexpected argument '%s'", 0)) != CLI_OK)
        return rc;
    if (paths[2] == NULL)
        return cli_usage_error("check", "needs NET OUT CERT (or A B CERT for an equivalence "
                                        "or tolerance certificate)");
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    lump_box_init(&box);
    lump_box_cert_init(&C);
    lump_tol_cert_info_init(&T);
    if ((err = lump_net_read(&net, paths[0])) != LUMP_OK && box_arg == NULL) {
        rc = cli_graph_check(paths, json, err); /* a graph network (cmd_graph_lump.c) */
        graph = 1;
        err = LUMP_OK;
        goto cleanup;
    }
    if (err != LUMP_OK) { /* NET unread, with a box: a graph? (cmd_graph_box.c) */
        rc = cli_graph_check_box(paths, box_arg, json, err);
        graph = 1;
        err = LUMP_OK;
        goto cleanup;
    }
    LUMP_CHECK(lump_net_read(&q, paths[1]));
    if (box_arg != NULL) {
        err = cli_box_parse(&box, box_arg, &net, paths[0]);
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
    tol = lump_cert_is_tolerance((const char *)buf, len);
    box_equiv = lump_cert_is_box_equiv((const char *)buf, len);
    if (tol) {
        /* NET and OUT are A and B; the claim holds on the certificate's
         * box, which must contain --box when one is given */
        LUMP_CHECK(lump_tol_cert_check_info(&valid, why, sizeof why, &T, &net, &q,
                                            (const char *)buf, len, paths[2]));
        if (valid == LUMP_TRUE && box_arg != NULL)
            check_box_inside(&valid, why, sizeof why, &T.box, &box, box_arg);
    } else if (box_equiv) {
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
        /* a written file rounds the exact result: valid within U */
        if (valid != LUMP_TRUE)
            LUMP_CHECK(check_within(&valid, &within, why, sizeof why, &net, &q, &box, &C, NULL));
    } else {
        /* a lumping certificate proves equality everywhere, so on any box */
        LUMP_CHECK(lump_cert_read_buf(&L, (const char *)buf, len, paths[2]));
        LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
        /* a rounded quotient: its distance needs a bounded domain */
        if (valid != LUMP_TRUE && box_arg != NULL)
            LUMP_CHECK(check_within(&valid, &within, why, sizeof why, &net, &q, &box, NULL, &L));
    }
cleanup:
    if (err == LUMP_OK && tol && valid == LUMP_TRUE) {
        tol_text = tol_summary(&T, paths[0], paths[1], box_arg);
        tol_json = tol_report(&T);
    }
    lump_tol_cert_info_clear(&T);
    lump_box_cert_clear(&C);
    lump_box_clear(&box);
    free(buf);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    if (graph)
        return rc;
    if (err != LUMP_OK)
        return cli_fail(err);
    if (json) {
        json_t *j = cli_report_new("check");
        json_object_set_new(j, "valid", json_boolean(valid == LUMP_TRUE));
        json_object_set_new(j, "kind", json_string(tol            ? "tolerance"
                                                   : box_equiv    ? "box-equivalence"
                                                   : equiv        ? "equivalence"
                                                   : version == 2 ? "box"
                                                                  : "lumping"));
        cli_report_path(j, "network", paths[0]);
        cli_report_path(j, "quotient", paths[1]);
        cli_report_path(j, "certificate", paths[2]);
        cli_report_path(j, "box", box_arg);
        json_object_set_new(j, "on_box_only",
                            json_boolean(tol || box_equiv || (version == 2 && !equiv)));
        if (tol_json != NULL)
            json_object_update(j, tol_json);
        if (within >= 0)
            json_object_set_new(j, "within", json_real(cli_up3(within)));
        if (valid != LUMP_TRUE)
            json_object_set_new(j, "reason", json_string(why));
        rc = cli_report_print(j);
        if (rc != CLI_OK)
            return rc;
    } else if (valid == LUMP_TRUE && tol) {
        printf("%s\n", tol_text != NULL ? tol_text : "valid");
    } else if (valid == LUMP_TRUE && box_equiv) {
        printf("valid: %s and %s compute the same function at every point of the box %s "
               "(box-equivalence certificate %s: both box reductions and the lumping of the "
               "union of the reduced networks checked in exact arithmetic; nothing is claimed "
               "outside the box)\n", paths[0], paths[1], box_arg, paths[2]);
    } else if (valid == LUMP_TRUE && equiv) {
        printf("valid: %s and %s compute the same function (equivalence certificate %s: the "
               "lumping of their union, checked in exact arithmetic)\n", paths[0], paths[1],
               paths[2]);
    } else if (valid == LUMP_TRUE && within >= 0) {
        printf("valid within %.3g: %s equals %s within %.3g at every point of the box %s "
               "(certificate %s checked in exact arithmetic for the exact result, which %s "
               "rounds; the distance is a certified bound%s)\n",
               cli_up3(within), paths[1], paths[0], cli_up3(within), box_arg, paths[2], paths[1],
               version == 2 ? "; nothing is claimed outside the box" : "");
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
    free(tol_text);
    json_decref(tol_json);
    return valid == LUMP_TRUE ? CLI_OK : CLI_NEGATIVE;
}
