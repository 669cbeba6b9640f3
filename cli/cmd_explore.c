/* cmd_explore.c -- placeholder until written */
#include "cli.h"

int cli_cmd_explore(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(lump_error_set(LUMP_EUNSUPPORTED, "'explore' is not available yet"));
}
