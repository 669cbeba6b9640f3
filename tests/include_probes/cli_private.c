/* cli_private.c -- must NOT compile with the CLI's include paths: the CLI
 * may use the public headers only (tests/include_rules.sh) */
#include "lumpnet.h"
#include "partition.h"
