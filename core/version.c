/* version.c -- the library version */
#include "config.h"
#include "lumpnet.h"

const char *lump_version(void)
{
    return PACKAGE_VERSION;
}
