/* io_write.c -- write a command's output files all or none: each into a
 * temporary file in its folder, created only when the first bytes are
 * ready, then renamed over the targets together */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io_i.h"
#include "lumpnet/io.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"

/* One output while it is produced. */
typedef struct {
    const char *path;  /* the target */
    char *tmp;         /* the temporary file, NULL until it exists */
    int fd;            /* its descriptor, -1 until then */
    int create_errno;  /* why it could not be created (0: it could) */
    int write_errno;   /* the first write error (0: none) */
    int exists;        /* the target exists: its mode and owner are kept */
    int discard;       /* the writer failed: drop what is still buffered */
    struct stat st;
} out_t;

/* The stream being produced, for lump_io_fd. */
static out_t *current;
static FILE *current_stream;

/* Where the temporary file for PATH goes: ".lumpnet-XXXXXX" in PATH's
 * folder (the same file system, so rename is atomic). A short name of its
 * own rather than PATH plus a suffix: a target whose name is near the
 * 255-byte limit can still be written. */
static char *tmp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - path) + 1;
    char *t = lump_alloc(dir + sizeof ".lumpnet-XXXXXX");
    memcpy(t, path, dir);
    memcpy(t + dir, ".lumpnet-XXXXXX", sizeof ".lumpnet-XXXXXX");
    return t;
}

/* Create O's temporary file, with the target's mode (and owner, where that
 * is allowed) when the target exists, else the mode a plain fopen gives. */
static int create_tmp(out_t *o)
{
    sigset_t old;
    mode_t mode;
    char *t = tmp_name(o->path);
    int fd;
    /* no signal between mkstemp and the handler learning the name */
    lump_i_io_hold(&old);
    fd = mkostemp(t, O_CLOEXEC);
    if (fd >= 0 && lump_i_io_track(t) != 0) {
        unlink(t);
        close(fd);
        fd = -1;
        errno = EMFILE;
    }
    lump_i_io_release(&old);
    if (fd < 0) {
        o->create_errno = errno;
        free(t);
        return -1;
    }
    if (o->exists) {
        mode = o->st.st_mode & 0777;
        /* keep the owner when overwriting someone else's file as root;
         * anybody else cannot, and then the file is theirs, as with cp */
        if (o->st.st_uid != geteuid() || o->st.st_gid != getegid())
            (void)!fchown(fd, o->st.st_uid, o->st.st_gid);
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        o->create_errno = errno;
        lump_i_io_hold(&old);
        unlink(t);
        lump_i_io_untrack(t);
        lump_i_io_release(&old);
        close(fd);
        free(t);
        return -1;
    }
    o->tmp = t;
    o->fd = fd;
    return 0;
}

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    out_t *o = cookie;
    size_t done = 0;
    if (o->discard)
        return (ssize_t)n;
    if (o->create_errno != 0 || o->write_errno != 0)
        return 0;
    if (o->fd < 0 && create_tmp(o) != 0)
        return 0;
    while (done < n) {
        ssize_t r = write(o->fd, buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            o->write_errno = r < 0 ? errno : EIO;
            /* the stream must see a failure: cookie writers report 0 */
            return 0;
        }
        done += (size_t)r;
    }
    return (ssize_t)n;
}

static int out_close(void *cookie)
{
    (void)cookie;
    return 0;
}

int lump_io_fd(FILE *f)
{
    if (f == NULL || f != current_stream)
        return f == NULL ? -1 : fileno(f);
    if (fflush(f) != 0)
        return -1;
    if (current->fd < 0 && create_tmp(current) != 0) {
        errno = current->create_errno;
        return -1;
    }
    /* the descriptor is for another program: let it survive exec */
    if (fcntl(current->fd, F_SETFD, 0) != 0)
        return -1;
    return current->fd;
}

/* The message for O's failure: the file system's reason when there is
 * one (a writer only knows "the write failed"), and always the file. */
static lump_error_t failure(const out_t *o, lump_error_t err)
{
    const char *msg = lump_error_message();
    size_t n = strlen(o->path);
    if (o->create_errno != 0)
        return lump_error_set(o->create_errno == ENOMEM ? LUMP_ENOMEM : LUMP_EIO,
                              "%s: cannot create a temporary file in its folder: %s", o->path,
                              strerror(o->create_errno));
    if (o->write_errno != 0)
        return lump_error_set(LUMP_EIO, "%s: write failed: %s", o->path,
                              strerror(o->write_errno));
    if (err == LUMP_OK)
        err = LUMP_EIO;
    if (strncmp(msg, o->path, n) != 0 || msg[n] != ':')
        lump_error_prefix(err, "%s", o->path);
    return err;
}

/* Run OUT's writer into O's temporary file, and make the file durable. */
static lump_error_t produce(out_t *o, const lump_io_output_t *out)
{
    static const cookie_io_functions_t fns = {NULL, out_write, NULL, out_close};
    lump_error_t err;
    FILE *f = fopencookie(o, "wb", fns);
    int flushed;
    if (f == NULL)
        return lump_error_set(LUMP_ENOMEM, "%s: out of memory opening the output", o->path);
    current = o;
    current_stream = f;
    lump_i_io_set_target(o->path);
    err = out->write(f, out->ctx);
    /* a failed document is not written out, so its own message stands */
    o->discard = err != LUMP_OK;
    flushed = fflush(f);
    if (err == LUMP_OK && flushed == 0 && o->fd < 0)
        create_tmp(o); /* an empty document is still a file */
    fclose(f);
    current = NULL;
    current_stream = NULL;
    lump_i_io_set_target(NULL);
    if (err != LUMP_OK || flushed != 0 || o->create_errno != 0 || o->write_errno != 0)
        return failure(o, err);
    if (fsync(o->fd) != 0 || close(o->fd) != 0) {
        o->write_errno = errno;
        o->fd = -1;
        return failure(o, LUMP_EIO);
    }
    o->fd = -1;
    return LUMP_OK;
}

lump_error_t lump_io_check_output(const char *path)
{
    struct stat st;
    const char *slash = strrchr(path, '/');
    char *dir;
    size_t n;
    if (*path == '\0' || (slash != NULL && slash[1] == '\0'))
        return lump_error_set(LUMP_EUSAGE, "'%s': an output needs a file name", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return lump_error_set(LUMP_EUSAGE,
                              "%s: is %s; an output must be a regular file or a new name",
                              path,
                              S_ISDIR(st.st_mode)    ? "a directory"
                              : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                              : S_ISSOCK(st.st_mode) ? "a socket"
                              : (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ? "a device"
                                                                             : "not a regular file");
    n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    dir = lump_alloc(n + 1);
    memcpy(dir, slash == NULL ? "." : path, n);
    dir[n] = '\0';
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
        int e = errno;
        lump_error_t err =
            stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)
                ? lump_error_set(LUMP_EUSAGE, "%s: cannot be written: %s is not a folder", path,
                                 dir)
                : lump_error_set(LUMP_EUSAGE, "%s: cannot be written: folder %s: %s", path, dir,
                                 strerror(e));
        free(dir);
        return err;
    }
    free(dir);
    return LUMP_OK;
}

lump_error_t lump_io_write_all(const lump_io_output_t *outs, size_t n)
{
    lump_error_t err = LUMP_OK;
    out_t o[LUMP_IO_MAX_OUTPUTS];
    sigset_t old;
    size_t i, j;
    lump_require(outs != NULL && n <= LUMP_IO_MAX_OUTPUTS, "lump_io_write_all");
    for (i = 0; i < n; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].path = outs[i].path;
        o[i].fd = -1;
    }
    for (i = 0; i < n; i++) {
        LUMP_CHECK(lump_io_check_output(o[i].path));
        for (j = 0; j < i; j++)
            if (lump_io_same_file(o[i].path, o[j].path))
                return lump_error_set(LUMP_EUSAGE, "%s and %s are one file: each output "
                                      "needs its own", o[j].path, o[i].path);
        o[i].exists = stat(o[i].path, &o[i].st) == 0;
    }
    lump_i_io_guard_begin();
    for (i = 0; i < n && err == LUMP_OK; i++)
        err = produce(&o[i], &outs[i]);
    if (err == LUMP_OK) {
        /* every file is complete: now rename them all, with the signals
         * held so that none can stop the renames half way */
        lump_i_io_hold(&old);
        /* a Ctrl-C while the files were produced only set the cancel flag
         * (the command stops at its next step): the files are complete, but
         * the user asked for nothing to be written */
        if (lump_cancel_requested())
            err = lump_error_set(LUMP_EINTERRUPTED, "interrupted: %s was not written",
                                 o[0].path);
        for (i = 0; i < n && err == LUMP_OK; i++) {
            if (rename(o[i].tmp, o[i].path) != 0) {
                err = lump_error_set(LUMP_EIO, "%s: cannot replace the file: %s%s", o[i].path,
                                     strerror(errno),
                                     i > 0 ? " (the outputs before it were written)" : "");
                break;
            }
            lump_i_io_untrack(o[i].tmp);
            free(o[i].tmp);
            o[i].tmp = NULL;
        }
        lump_i_io_release(&old);
    }
    lump_i_io_hold(&old);
    for (i = 0; i < n; i++) {
        if (o[i].fd >= 0)
            close(o[i].fd);
        if (o[i].tmp != NULL) {
            unlink(o[i].tmp);
            lump_i_io_untrack(o[i].tmp);
            free(o[i].tmp);
        }
    }
    lump_i_io_release(&old);
    lump_i_io_guard_end();
cleanup:
    return err;
}

lump_error_t lump_io_write_atomic(const char *path,
                                  lump_error_t (*write)(FILE *f, void *ctx), void *ctx)
{
    lump_io_output_t out;
    out.path = path;
    out.write = write;
    out.ctx = ctx;
    return lump_io_write_all(&out, 1);
}

/* The identity of PATH: its device and inode when it exists, else its
 * folder's and its last name. Returns 0 when neither can be had. */
typedef struct {
    dev_t dev;
    ino_t ino;
    const char *base; /* NULL for an existing file */
} file_id_t;

static int file_id(file_id_t *id, const char *path)
{
    struct stat st;
    const char *slash;
    char *dir;
    size_t n;
    int ok;
    if (stat(path, &st) == 0) {
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        id->base = NULL;
        return 1;
    }
    slash = strrchr(path, '/');
    n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    dir = lump_alloc(n + 1);
    memcpy(dir, slash == NULL ? "." : path, n);
    dir[n] = '\0';
    ok = stat(dir, &st) == 0;
    free(dir);
    if (!ok)
        return 0;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->base = slash == NULL ? path : slash + 1;
    return 1;
}

int lump_io_same_file(const char *a, const char *b)
{
    file_id_t x, y;
    if (!file_id(&x, a) || !file_id(&y, b))
        return 0;
    if (x.dev != y.dev || x.ino != y.ino)
        return 0;
    if (x.base == NULL || y.base == NULL)
        return x.base == y.base;
    return strcmp(x.base, y.base) == 0;
}
