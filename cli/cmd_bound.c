/* cmd_bound.c -- placeholder until written */
#include "cli.h"

int cli_cmd_bound(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(lump_error_set(LUMP_EUNSUPPORTED, "'bound' is not available yet"));
}
