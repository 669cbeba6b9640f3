/* child.c -- run a piece of work in a forked child process and collect
 * the bytes it writes back, so that a crash or an abort inside it (the
 * renderer's font stack under a memory limit) cannot take the caller down */
#define _GNU_SOURCE /* pthread_setattr_default_np */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "viz_i.h"
#include "alloc_i.h"

void lump_i_child_clear(lump_i_child_t *c)
{
    free(c->data);
    memset(c, 0, sizeof *c);
}

int lump_i_child_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* The child leaves the signals to their defaults: Ctrl-C ends it at once
 * (the parent cleans up), and the parent's handlers, which remove the
 * parent's temporary file, are not the child's business. */
static void child_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGPIPE};
    sigset_t none;
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        signal(sigs[k], SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Threads the work starts (pango's font threads) reserve 1 MB of stack
 * each, not the 8 MB default, and share the one malloc arena, where each
 * would otherwise reserve an arena of 64 MB (128 MB while aligning it):
 * under an address-space limit those reservations are what fails first. */
static void child_threads(void)
{
    pthread_attr_t a;
    mallopt(M_ARENA_MAX, 1);
    if (pthread_attr_init(&a) != 0)
        return;
    if (pthread_attr_setstacksize(&a, (size_t)1 << 20) == 0)
        pthread_setattr_default_np(&a);
    pthread_attr_destroy(&a);
}

/* The libraries under the work (GLib, fontconfig) print their own dying
 * words on standard error; the parent explains the failure in one
 * message instead. */
static void child_quiet(void)
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

lump_error_t lump_i_child_run(lump_i_child_t *c, void (*work)(int fd, void *ctx), void *ctx)
{
    int fds[2], status = 0;
    size_t cap = 0;
    pid_t pid;
    lump_error_t err = LUMP_OK;
    memset(c, 0, sizeof *c);
    if (pipe(fds) != 0)
        return lump_error_set(LUMP_ENOMEM, "draw: cannot start the renderer: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return lump_error_set(LUMP_ENOMEM, "draw: cannot start the renderer: %s", strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
        child_signals();
        child_threads();
        child_quiet();
        work(fds[1], ctx);
        /* _exit: no atexit handlers, no flush of the parent's stdio
         * buffers (the temporary output file among them) */
        _exit(0);
    }
    close(fds[1]);
    for (;;) {
        ssize_t r;
        if (c->len == cap) {
            size_t ncap = cap ? 2 * cap : 1 << 16;
            char *d = lump_realloc_array(c->data, ncap + 1, 1);
            c->data = d;
            cap = ncap;
        }
        r = read(fds[0], c->data + c->len, cap - c->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        c->len += (size_t)r;
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (c->data != NULL)
        c->data[c->len] = '\0';
    c->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    c->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (err != LUMP_OK)
        lump_i_child_clear(c);
    return err;
}
