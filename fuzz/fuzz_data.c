/* fuzz_data.c -- libFuzzer harness for the data-set reader of relax/
 * (lump_data_read: CSV, or a pair of .npy files). The reader takes paths,
 * so each input is written to files first: the first byte picks CSV (even)
 * or .npy (odd); for .npy the next two bytes give the length of X's file,
 * the rest is y's. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lumpnet/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void put(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    if (n > 0 && fwrite(p, 1, n, f) != n)
        abort();
    if (fclose(f) != 0)
        abort();
}

static char csv[300], x[300], y[300];

/* libFuzzer may leave through _Exit: remove the scratch files after every
 * run rather than at exit */
static void remove_scratch(void)
{
    unlink(csv);
    unlink(x);
    unlink(y);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lump_data_t d;
    char spec[620];
    if (size == 0)
        return 0;
    if (dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/lumpnet-fuzz-data-%ld", t != NULL ? t : "/tmp",
                 (long)getpid());
    }
    (void)mkdir(dir, 0700);
    snprintf(csv, sizeof csv, "%s/d.csv", dir);
    snprintf(x, sizeof x, "%s/x.npy", dir);
    snprintf(y, sizeof y, "%s/y.npy", dir);
    if ((data[0] & 1) == 0) {
        put(csv, data + 1, size - 1);
        snprintf(spec, sizeof spec, "%s", csv);
    } else {
        size_t nx, rest;
        if (size < 3) {
            remove_scratch();
            return 0;
        }
        nx = (size_t)data[1] | (size_t)data[2] << 8;
        rest = size - 3;
        if (nx > rest)
            nx = rest;
        put(x, data + 3, nx);
        put(y, data + 3 + nx, rest - nx);
        snprintf(spec, sizeof spec, "%s,%s", x, y);
    }
    lump_data_init(&d);
    (void)lump_data_read(&d, spec);
    lump_data_clear(&d);
    remove_scratch();
    return 0;
}
