/* cmd_draw.c -- placeholder until written */
#include "cli.h"

int cli_cmd_draw(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(lump_error_set(LUMP_EUNSUPPORTED, "'draw' is not available yet"));
}
