/* cmd_check.c -- `lumpnet check`: verify a lumping certificate independently */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_cmd_check(int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL};
    int json = 0, np = 0, rc;
    lump_net_t net, q;
    lump_lumping_t L;
    lump_verdict_t valid = LUMP_FALSE;
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[1024] = "";
    lump_error_t err = LUMP_OK;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        else if (np < 3)
            paths[np++] = argv[i];
        else
            return cli_usage_error("check", "unexpected argument '%s'", argv[i]);
    }
    if (np != 3)
        return cli_usage_error("check", "needs NET OUT CERT");
    lump_net_init(&net);
    lump_net_init(&q);
    lump_lumping_init(&L);
    LUMP_CHECK(lump_net_read(&net, paths[0]));
    LUMP_CHECK(lump_net_read(&q, paths[1]));
    LUMP_CHECK(lump_io_read_file(&buf, &len, paths[2]));
    LUMP_CHECK(lump_cert_read_buf(&L, (const char *)buf, len, paths[2]));
    LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, &net, &q, &L));
cleanup:
    free(buf);
    lump_lumping_clear(&L);
    lump_net_clear(&q);
    lump_net_clear(&net);
    if (err != LUMP_OK)
        return cli_fail(err);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "valid", json_boolean(valid == LUMP_TRUE));
        json_object_set_new(j, "network", json_string(paths[0]));
        json_object_set_new(j, "quotient", json_string(paths[1]));
        json_object_set_new(j, "certificate", json_string(paths[2]));
        if (valid != LUMP_TRUE)
            json_object_set_new(j, "reason", json_string(why));
        rc = cli_print_json(j);
        if (rc != CLI_OK)
            return rc;
    } else if (valid == LUMP_TRUE) {
        printf("valid: %s computes exactly the function of %s (certificate %s checked "
               "in exact arithmetic)\n", paths[1], paths[0], paths[2]);
    } else {
        printf("invalid: %s\n", why);
    }
    return valid == LUMP_TRUE ? CLI_OK : CLI_NEGATIVE;
}
