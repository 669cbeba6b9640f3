/* test_io.c -- input and output files: escaping in messages, file identity,
 * all-or-none writes, temporary files, modes, limits and FIFOs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

/* The folder of the runner's temporary files, with a trailing '/'. */
static const char *tmp_dir(void)
{
    static char dir[400];
    char *slash;
    snprintf(dir, sizeof dir, "%s", tu_tmp_path("x"));
    slash = strrchr(dir, '/');
    slash[1] = '\0';
    return dir;
}

/* How many temporary output files are in the runner's folder. */
static int count_temps(void)
{
    char dir[400];
    DIR *d;
    struct dirent *e;
    int n = 0;
    snprintf(dir, sizeof dir, "%s", tmp_dir());
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, ".lumpnet-", 9) == 0 || strstr(e->d_name, ".tmp-") != NULL;
    closedir(d);
    return n;
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void escape_makes_bytes_printable(void **state)
{
    char out[64];
    (void)state;
    lump_escape(out, sizeof out, "Operat\x1aon_1", 11);
    assert_string_equal(out, "Operat\\x1aon_1");
    lump_escape(out, sizeof out, "a\xff\x1b[31mb\x7f", 9);
    assert_string_equal(out, "a\\xff\\x1b[31mb\\x7f");
    /* valid UTF-8 stays, a C1 control (U+009B, c2 9b) and a truncated or
     * overlong sequence do not */
    lump_escape(out, sizeof out, "r\xc3\xa9seau", 7);
    assert_string_equal(out, "r\xc3\xa9seau");
    lump_escape(out, sizeof out, "x\xc2\x9by", 4);
    assert_string_equal(out, "x\\xc2\\x9by");
    lump_escape(out, sizeof out, "\xe2\x82", 2);
    assert_string_equal(out, "\\xe2\\x82");
    lump_escape(out, sizeof out, "\xc0\xaf", 2);
    assert_string_equal(out, "\\xc0\\xaf");
    /* escaping twice changes nothing; truncation stops at a whole escape */
    lump_escape(out, sizeof out, "Operat\\x1aon_1", 14);
    assert_string_equal(out, "Operat\\x1aon_1");
    lump_escape(out, 6, "ab\x01\x02", 4);
    assert_string_equal(out, "ab");
}

static void messages_are_escaped(void **state)
{
    (void)state;
    lump_error_set(LUMP_EINPUT, "f.onnx: node 1 (%s): operator not supported", "Q\xff\x1bQ");
    assert_string_equal(lump_error_message(),
                        "f.onnx: node 1 (Q\\xff\\x1bQ): operator not supported");
    lump_error_set(LUMP_EINPUT, "key '%s'", "la\nyers");
    lump_error_prefix(LUMP_EINPUT, "%s", "b\ad.json");
    assert_string_equal(lump_error_message(), "b\\x07d.json: key 'la\\x0ayers'");
}

static void same_file_by_identity(void **state)
{
    char a[600], b[600], lnk[600], hard[600], sub[600], via[600];
    (void)state;
    snprintf(a, sizeof a, "%s", tu_tmp_path("same_a.json"));
    snprintf(b, sizeof b, "%s", tu_tmp_path("same_b.json"));
    snprintf(lnk, sizeof lnk, "%ssame_link.json", tmp_dir());
    snprintf(hard, sizeof hard, "%ssame_hard.json", tmp_dir());
    snprintf(sub, sizeof sub, "%ssame_sub", tmp_dir());
    put_file(a, "a");
    put_file(b, "b");
    assert_int_equal(symlink(a, lnk), 0);
    assert_int_equal(link(a, hard), 0);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_true(lump_io_same_file(a, a));
    assert_true(lump_io_same_file(a, lnk));
    assert_true(lump_io_same_file(hard, a));
    assert_false(lump_io_same_file(a, b));
    /* files that do not exist yet: the same folder and name */
    snprintf(via, sizeof via, "%ssame_sub/../same_new.json", tmp_dir());
    {
        char direct[600];
        snprintf(direct, sizeof direct, "%ssame_new.json", tmp_dir());
        assert_true(lump_io_same_file(via, direct));
        snprintf(direct, sizeof direct, "%ssame_new2.json", tmp_dir());
        assert_false(lump_io_same_file(via, direct));
        snprintf(direct, sizeof direct, "%ssame_sub/same_new.json", tmp_dir());
        assert_false(lump_io_same_file(via, direct));
    }
    assert_false(lump_io_same_file(a, "/no/such/folder/x.json"));
}

static lump_error_t write_text(FILE *f, void *ctx)
{
    fputs(ctx, f);
    return LUMP_OK;
}

static lump_error_t write_fails(FILE *f, void *ctx)
{
    (void)ctx;
    fputs("partial", f);
    return lump_error_set(LUMP_ENOMEM, "box certificate: out of memory building the document");
}

static void write_all_is_all_or_none(void **state)
{
    char a[600], b[600];
    size_t len;
    char *text;
    lump_io_output_t o[2];
    lump_error_t err;
    (void)state;
    snprintf(a, sizeof a, "%s", tu_tmp_path("aon_a.json"));
    snprintf(b, sizeof b, "%s", tu_tmp_path("aon_b.json"));
    put_file(a, "old a\n");
    o[0].path = a;
    o[0].write = write_text;
    o[0].ctx = "new a\n";
    o[1].path = b;
    o[1].write = write_fails;
    o[1].ctx = NULL;
    err = lump_io_write_all(o, 2);
    assert_int_equal(err, LUMP_ENOMEM);
    /* the writer's message, with the file it was for */
    assert_int_equal(strncmp(lump_error_message(), b, strlen(b)), 0);
    assert_non_null(strstr(lump_error_message(), ": box certificate: out of memory"));
    text = tu_slurp(a, &len);
    assert_string_equal(text, "old a\n");
    free(text);
    assert_int_equal(access(b, F_OK), -1);
    assert_int_equal(count_temps(), 0);
    /* both succeed: both written */
    o[1].write = write_text;
    o[1].ctx = "new b\n";
    assert_int_equal(lump_io_write_all(o, 2), LUMP_OK);
    text = tu_slurp(a, &len);
    assert_string_equal(text, "new a\n");
    free(text);
    text = tu_slurp(b, &len);
    assert_string_equal(text, "new b\n");
    free(text);
    /* two outputs that are one file are refused before anything */
    o[1].path = a;
    assert_int_equal(lump_io_write_all(o, 2), LUMP_EUSAGE);
    assert_int_equal(count_temps(), 0);
}

/* Fails the test when a temporary file exists before the writer has
 * handed over its first bytes, then checks lump_io_fd makes one. */
static lump_error_t write_checking_folder(FILE *f, void *ctx)
{
    int *seen = ctx;
    seen[0] = count_temps();
    fputs("a few buffered bytes", f);
    seen[1] = count_temps();
    seen[2] = lump_io_fd(f) >= 0;
    seen[3] = count_temps();
    return LUMP_OK;
}

static void temporary_file_waits_for_the_document(void **state)
{
    int seen[4] = {-1, -1, -1, -1};
    (void)state;
    assert_int_equal(lump_io_write_atomic(tu_tmp_path("late.json"), write_checking_folder, seen),
                     LUMP_OK);
    assert_int_equal(seen[0], 0); /* nothing while the document is built */
    assert_int_equal(seen[1], 0); /* nor while its bytes sit in the buffer */
    assert_int_equal(seen[2], 1);
    assert_int_equal(seen[3], 1); /* the descriptor for a helper program */
    assert_int_equal(count_temps(), 0);
}

static void overwriting_keeps_the_mode(void **state)
{
    const char *p = tu_tmp_path("mode.json");
    struct stat st;
    mode_t mask = umask(022);
    (void)state;
    put_file(p, "old");
    assert_int_equal(chmod(p, 0600), 0);
    assert_int_equal(lump_io_write_atomic(p, write_text, "new"), LUMP_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(lump_io_write_atomic(p, write_text, "newer"), LUMP_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* a new file gets what fopen would give */
    p = tu_tmp_path("mode_new.json");
    assert_int_equal(lump_io_write_atomic(p, write_text, "new"), LUMP_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    umask(mask);
}

static void long_file_names_are_written(void **state)
{
    char name[256], path[900];
    (void)state;
    memset(name, 'n', 250);
    memcpy(name + 245, ".json", 6);
    snprintf(path, sizeof path, "%s%s", tmp_dir(), name);
    assert_int_equal(lump_io_write_atomic(path, write_text, "x"), LUMP_OK);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
}

static lump_error_t write_large(FILE *f, void *ctx)
{
    (void)ctx;
    for (int i = 0; i < 20000; i++)
        fputs("0123456789", f);
    return ferror(f) ? lump_error_set(LUMP_EIO, "could not write the JSON document") : LUMP_OK;
}

static void file_size_limit_is_a_write_error(void **state)
{
    const char *p = tu_tmp_path("limit.json");
    struct rlimit old, lim;
    lump_error_t err;
    size_t len;
    char *text;
    (void)state;
    put_file(p, "old\n");
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 8192;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    err = lump_io_write_atomic(p, write_large, NULL);
    setrlimit(RLIMIT_FSIZE, &old);
    assert_int_equal(err, LUMP_EIO);
    assert_int_equal(strncmp(lump_error_message(), p, strlen(p)), 0);
    assert_non_null(strstr(lump_error_message(), ": write failed: File too large"));
    text = tu_slurp(p, &len);
    assert_string_equal(text, "old\n");
    free(text);
    assert_int_equal(count_temps(), 0);
}

static void outputs_must_be_writable_files(void **state)
{
    char dir[600], missing[600];
    (void)state;
    snprintf(dir, sizeof dir, "%sout_dir.json", tmp_dir());
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(lump_io_check_output(dir), LUMP_EUSAGE);
    assert_non_null(strstr(lump_error_message(), "directory"));
    snprintf(missing, sizeof missing, "%sno_dir/x.json", tmp_dir());
    assert_int_equal(lump_io_check_output(missing), LUMP_EUSAGE);
    assert_non_null(strstr(lump_error_message(), "no_dir"));
    assert_int_equal(lump_io_check_output("/dev/null"), LUMP_EUSAGE);
    assert_non_null(strstr(lump_error_message(), "device"));
    assert_int_equal(lump_io_check_output(tu_tmp_path("fine.json")), LUMP_OK);
}

static void on_alarm(int sig)
{
    static const char msg[] = "test_io: reading a FIFO hung\n";
    (void)sig;
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

static void fifos_and_folders_are_refused_at_once(void **state)
{
    const char *p = tu_tmp_path("fifo.json");
    unsigned char *buf = NULL;
    size_t len;
    lump_net_t net;
    (void)state;
    assert_int_equal(mkfifo(p, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(10);
    assert_int_equal(lump_io_read_file(&buf, &len, p), LUMP_EIO);
    assert_non_null(strstr(lump_error_message(), "FIFO"));
    lump_net_init(&net);
    assert_int_not_equal(lump_net_read(&net, p), LUMP_OK);
    lump_net_clear(&net);
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    assert_int_equal(lump_io_read_file(&buf, &len, tmp_dir()), LUMP_EIO);
    assert_non_null(strstr(lump_error_message(), "directory"));
    assert_int_equal(lump_io_read_file(&buf, &len, "/dev/zero"), LUMP_EIO);
    assert_non_null(strstr(lump_error_message(), "device"));
    assert_null(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_makes_bytes_printable),
        cmocka_unit_test(messages_are_escaped),
        cmocka_unit_test(same_file_by_identity),
        cmocka_unit_test(write_all_is_all_or_none),
        cmocka_unit_test(temporary_file_waits_for_the_document),
        cmocka_unit_test(overwriting_keeps_the_mode),
        cmocka_unit_test(long_file_names_are_written),
        cmocka_unit_test(file_size_limit_is_a_write_error),
        cmocka_unit_test(outputs_must_be_writable_files),
        cmocka_unit_test(fifos_and_folders_are_refused_at_once),
    };
    tu_init();
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
