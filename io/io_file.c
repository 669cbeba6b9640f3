/* io_file.c -- whole-file reads and atomic writes (temporary file + rename) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lumpnet/io.h"
#include "error_i.h"

lump_error_t lump_io_read_file(unsigned char **buf, size_t *len, const char *path)
{
    struct stat st;
    unsigned char *b;
    size_t got = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return lump_error_set(LUMP_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return lump_error_set(LUMP_EIO, "%s: not a regular file", path);
    }
    b = malloc((size_t)st.st_size + 1);
    if (b == NULL) {
        close(fd);
        return lump_error_set(LUMP_ENOMEM, "%s: out of memory reading %lld bytes",
                              path, (long long)st.st_size);
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = errno;
            free(b);
            close(fd);
            return lump_error_set(LUMP_EIO, "%s: read failed: %s", path,
                                  r == 0 ? "file shrank while reading" : strerror(e));
        }
        got += (size_t)r;
    }
    close(fd);
    b[got] = '\0';
    *buf = b;
    *len = got;
    return LUMP_OK;
}

/* The temporary file being written, so that a signal can remove it. */
static char *volatile pending_tmp;

void lump_i_io_abandon(void)
{
    char *p = pending_tmp;
    pending_tmp = NULL;
    if (p != NULL)
        unlink(p);
}

static void on_signal(int sig)
{
    lump_i_io_abandon();
    signal(sig, SIG_DFL);
    raise(sig);
}

lump_error_t lump_io_write_atomic(const char *path,
                                  lump_error_t (*write)(FILE *f, void *ctx), void *ctx)
{
    lump_error_t err = LUMP_OK;
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    FILE *f = NULL;
    int fd = -1;
    mode_t mask;
    struct sigaction sa, old_int, old_term, old_hup;
    sigset_t stop, old_mask;
    if (tmp == NULL)
        return lump_error_set(LUMP_ENOMEM, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
    /* A signal between mkstemp and the handler would leave the file
     * behind: hold the signals back until the handler knows its name. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, &old_mask);
    fd = mkstemp(tmp);
    if (fd < 0) {
        err = lump_error_set(LUMP_EIO, "%s: cannot create a file there: %s", path,
                             strerror(errno));
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        free(tmp);
        return err;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    pending_tmp = tmp;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    /* mkstemp makes the file 0600; give it the mode a plain fopen would */
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        err = lump_error_set(LUMP_EIO, "%s: chmod failed: %s", path, strerror(errno));
        goto cleanup;
    }
    f = fdopen(fd, "wb");
    if (f == NULL) {
        err = lump_error_set(LUMP_EIO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    fd = -1;
    LUMP_CHECK(write(f, ctx));
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
        err = lump_error_set(LUMP_EIO, "%s: write failed: %s", path, strerror(errno));
        goto cleanup;
    }
    if (fclose(f) != 0) {
        f = NULL;
        err = lump_error_set(LUMP_EIO, "%s: write failed: %s", path, strerror(errno));
        goto cleanup;
    }
    f = NULL;
    if (rename(tmp, path) != 0)
        err = lump_error_set(LUMP_EIO, "%s: cannot replace the file: %s", path,
                             strerror(errno));
cleanup:
    if (f != NULL)
        fclose(f);
    if (fd >= 0)
        close(fd);
    /* the same hold while the handler and its file go away */
    sigprocmask(SIG_BLOCK, &stop, &old_mask);
    if (err != LUMP_OK)
        unlink(tmp);
    pending_tmp = NULL;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    free(tmp);
    return err;
}
