/* cli_prefixed.c -- must NOT compile with the CLI's include paths: a
 * folder-qualified private header is as unreachable as a bare one */
#include "lumpnet.h"
#include "exact/partition.h"
