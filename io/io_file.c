/* io_file.c -- open and read input files: regular files only, and never
 * blocking on a FIFO or a device */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lumpnet/io.h"
#include "error_i.h"
#include "alloc_i.h"

/* What kind of file MODE is, for the message that refuses it. */
static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* A plain open() of a FIFO waits for a writer, possibly forever, and one
 * of a device may have effects: open without waiting, refuse whatever is
 * not a regular file, and only then make reads blocking again. */
lump_error_t lump_io_open_read(int *fd_out, const char *path)
{
    struct stat st;
    int flags, fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    *fd_out = -1;
    if (fd < 0) {
        int e = errno;
        /* a socket cannot be opened at all (ENXIO): say what it is */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            return lump_error_set(LUMP_EIO, "%s: is %s, not a regular file", path,
                                  kind_of(st.st_mode));
        return lump_error_set(LUMP_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lump_error_set(LUMP_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lump_error_set(LUMP_EIO, "%s: is %s, not a regular file", path,
                              kind_of(st.st_mode));
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return lump_error_set(LUMP_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    *fd_out = fd;
    return LUMP_OK;
}

lump_error_t lump_io_fopen_read(FILE **f, const char *path)
{
    int fd;
    lump_error_t err = lump_io_open_read(&fd, path);
    *f = NULL;
    if (err != LUMP_OK)
        return err;
    *f = fdopen(fd, "rb");
    if (*f == NULL) {
        int e = errno;
        close(fd);
        return lump_error_set(e == ENOMEM ? LUMP_ENOMEM : LUMP_EIO, "%s: cannot open: %s",
                              path, strerror(e));
    }
    return LUMP_OK;
}

lump_error_t lump_io_read_file(unsigned char **buf, size_t *len, const char *path)
{
    struct stat st;
    unsigned char *b;
    size_t got = 0;
    int fd;
    lump_error_t err = lump_io_open_read(&fd, path);
    if (err != LUMP_OK)
        return err;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lump_error_set(LUMP_EIO, "%s: cannot read: %s", path, strerror(e));
    }
    b = lump_alloc((size_t)st.st_size + 1);
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
