/* test_alloc.c -- the one allocator (lumpnet/alloc.h): a request the
 * system refuses, or whose size overflows, leaves the process with exit
 * code 2 and one "out of memory" line, and removes the output file being
 * written; each case runs in a forked child */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

/* AddressSanitizer reports a huge request itself instead of returning
 * NULL (whatever its options say in the CI's sanitizer run), so there only
 * the overflowing products, which never reach malloc, are tried. */
#if defined(__SANITIZE_ADDRESS__)
#define SYSTEM_REFUSALS 0
#else
#define SYSTEM_REFUSALS 1
#endif

/* The requests the children make. */
typedef enum {
    REQ_ALLOC,     /* lump_alloc(SIZE_MAX / 2): the system refuses */
    REQ_ARRAY,     /* lump_alloc_array(SIZE_MAX / 2, 4): the product overflows */
    REQ_ARRAY_BIG, /* lump_alloc_array(SIZE_MAX / 8, 2): no overflow, refused */
    REQ_ZERO,      /* lump_alloc_zero(SIZE_MAX / 2, 4): overflows */
    REQ_REALLOC,   /* lump_realloc_array(p, SIZE_MAX / 2, 4): overflows */
    REQ_STRDUP_OK  /* control: lump_strdup and size 0 succeed, exit 0 */
} req_t;

static volatile size_t sink;

static void request(req_t r)
{
    void *p = NULL;
    switch (r) {
    case REQ_ALLOC:
        p = lump_alloc(SIZE_MAX / 2);
        break;
    case REQ_ARRAY:
        p = lump_alloc_array(SIZE_MAX / 2, 4);
        break;
    case REQ_ARRAY_BIG:
        p = lump_alloc_array(SIZE_MAX / 8, 2);
        break;
    case REQ_ZERO:
        p = lump_alloc_zero(SIZE_MAX / 2, 4);
        break;
    case REQ_REALLOC:
        p = lump_realloc_array(lump_alloc(16), SIZE_MAX / 2, 4);
        break;
    case REQ_STRDUP_OK: {
        char *s = lump_strdup("abc");
        void *z = lump_alloc_array(0, 8), *y = lump_alloc_zero(0, 0);
        if (strcmp(s, "abc") != 0 || z == NULL || y == NULL)
            _exit(3);
        free(s);
        free(z);
        free(y);
        _exit(0);
    }
    }
    /* only reached when the allocator returned */
    sink = (size_t)p;
    _exit(4);
}

/* The writer of the pending output: some bytes, the temporary file made
 * (lump_io_fd), then the request that must end the process. */
static lump_error_t write_then_request(FILE *f, void *ctx)
{
    fputs("partial output", f);
    if (lump_io_fd(f) < 0)
        _exit(5);
    request(*(const req_t *)ctx);
    return LUMP_OK;
}

/* How many temporary output files are in the folder of PATH. */
static int count_temps(const char *path)
{
    char dir[600];
    char *slash;
    DIR *d;
    struct dirent *e;
    int n = 0;
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    assert_non_null(slash);
    slash[1] = '\0';
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, ".lumpnet-", 9) == 0;
    closedir(d);
    return n;
}

/* Run request R in a child, inside lump_io_write_all of TARGET when
 * TARGET is not NULL, its standard error into ERR_PATH; the exit code. */
static int run_child(req_t r, const char *target, const char *err_path)
{
    pid_t pid;
    int status;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (freopen(err_path, "w", stderr) == NULL)
            _exit(6);
        if (target != NULL) {
            lump_io_output_t o = {target, write_then_request, &r};
            (void)!lump_io_write_all(&o, 1);
            _exit(7);
        }
        request(r);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* The child's standard error is one line naming the failure. */
static void one_oom_line(const char *err_path, const char *target)
{
    size_t len;
    char *text = tu_slurp(err_path, &len);
    const char *nl = strchr(text, '\n');
    if (nl == NULL || nl[1] != '\0')
        fail_msg("not exactly one line: \"%s\"", text);
    assert_non_null(strstr(text, "lumpnet: out of memory"));
    if (target != NULL)
        assert_non_null(strstr(text, target));
    free(text);
}

static void refused_requests_exit_2(void **state)
{
    const req_t cases[] = {REQ_ALLOC, REQ_ARRAY, REQ_ARRAY_BIG, REQ_ZERO, REQ_REALLOC};
    char err[600];
    (void)state;
    snprintf(err, sizeof err, "%s", tu_tmp_path("alloc_err.txt"));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (!SYSTEM_REFUSALS && (cases[k] == REQ_ALLOC || cases[k] == REQ_ARRAY_BIG))
            continue;
        if (run_child(cases[k], NULL, err) != 2)
            fail_msg("request %zu: the process did not exit with code 2", k);
        one_oom_line(err, NULL);
    }
}

static void pending_output_is_removed(void **state)
{
    const req_t cases[] = {REQ_ALLOC, REQ_ARRAY};
    char err[600], target[600];
    (void)state;
    snprintf(err, sizeof err, "%s", tu_tmp_path("alloc_err2.txt"));
    snprintf(target, sizeof target, "%s", tu_tmp_path("alloc_out.json"));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (!SYSTEM_REFUSALS && cases[k] == REQ_ALLOC)
            continue;
        if (run_child(cases[k], target, err) != 2)
            fail_msg("request %zu while writing: not exit code 2", k);
        one_oom_line(err, target);
        /* no partial output: neither the target nor its temporary file */
        assert_int_equal(access(target, F_OK), -1);
        assert_int_equal(count_temps(target), 0);
    }
}

static void small_requests_succeed(void **state)
{
    char err[600];
    (void)state;
    snprintf(err, sizeof err, "%s", tu_tmp_path("alloc_err3.txt"));
    assert_int_equal(run_child(REQ_STRDUP_OK, NULL, err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refused_requests_exit_2),
        cmocka_unit_test(pending_output_is_removed),
        cmocka_unit_test(small_requests_succeed),
    };
    tu_init();
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
