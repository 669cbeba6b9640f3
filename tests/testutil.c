/* testutil.c -- shared helpers of the cmocka test runners */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "testutil.h"

gmp_randstate_t tu_rand;
static unsigned long seed_value = 20261124UL;
static char tmpdir[512];

unsigned long tu_seed(void) { return seed_value; }

static void remove_tmpdir(void)
{
    char cmd[600];
    if (tmpdir[0] == '\0' || getenv("LUMPNET_KEEP_TMP") != NULL)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

void tu_init(void)
{
    const char *s = getenv("LUMPNET_SEED");
    if (s != NULL && *s != '\0')
        seed_value = strtoul(s, NULL, 10);
    gmp_randinit_default(tu_rand);
    gmp_randseed_ui(tu_rand, seed_value);
    srand((unsigned)seed_value);
    fprintf(stderr, "# random seed %lu (set LUMPNET_SEED to replay)\n", seed_value);
}

const char *tu_data_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("LUMPNET_DATA");
    struct stat st;
    if (dir == NULL || *dir == '\0')
        dir = "../shared/data";
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    if (stat(buf, &st) != 0)
        return NULL;
    return buf;
}

const char *tu_tmp_path(const char *name)
{
    static char ring[8][600];
    static int next;
    char *out;
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/lumpnet-test-XXXXXX",
                 base != NULL && *base != '\0' ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
            abort();
        }
        atexit(remove_tmpdir);
    }
    out = ring[next];
    next = (next + 1) % 8;
    snprintf(out, 600, "%s/%s", tmpdir, name);
    return out;
}

void tu_rand_q(mpq_t out, unsigned long num_max, unsigned long den_max)
{
    unsigned long n = gmp_urandomm_ui(tu_rand, 2 * num_max + 1);
    unsigned long d = 1 + gmp_urandomm_ui(tu_rand, den_max);
    mpq_set_si(out, (long)n - (long)num_max, d);
    mpq_canonicalize(out);
}

const char *tu_src_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("LUMPNET_TESTS");
    if (dir != NULL && *dir != '\0') {
        snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    } else {
        /* outside make check: the folder this source file was compiled from */
        const char *slash = strrchr(__FILE__, '/');
        int n = slash != NULL ? (int)(slash - __FILE__) : 1;
        snprintf(buf, sizeof buf, "%.*s/%s", n, slash != NULL ? __FILE__ : ".", rel);
    }
    return buf;
}

char *tu_slurp(const char *path, size_t *len)
{
    unsigned char *buf = NULL;
    lump_error_t e = lump_io_read_file(&buf, len, path);
    if (e != LUMP_OK)
        fail_msg("cannot read %s: %s", path, lump_error_message());
    return (char *)buf;
}

void tu_q_is(const mpq_t v, const char *ref)
{
    mpq_t r;
    mpq_init(r);
    assert_int_equal(mpq_set_str(r, ref, 10), 0);
    mpq_canonicalize(r);
    if (!mpq_equal(v, r)) {
        char *got = mpq_get_str(NULL, 10, v);
        mpq_clear(r);
        fail_msg("value %s, expected %s", got, ref);
    }
    mpq_clear(r);
}
