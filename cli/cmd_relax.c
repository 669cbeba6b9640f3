/* cmd_relax.c -- placeholder until written */
#include "cli.h"

int cli_cmd_relax(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(lump_error_set(LUMP_EUNSUPPORTED, "'relax' is not available yet"));
}
