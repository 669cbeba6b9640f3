/* io_signal.c -- remove the temporary output files when a signal ends the
 * process while they are being written */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>
#include "io_i.h"
#include "error_i.h"
#include "lumpnet/io.h"

/* The temporary files that exist now, for the handler to remove; a slot is
 * filled and emptied only with the signals held (lump_i_io_hold), so the
 * handler never sees a half-written one. */
static char *volatile pending[LUMP_IO_MAX_OUTPUTS];
/* The file being produced now, for the out-of-memory message. */
static const char *volatile target;

/* Every signal whose default action ends the process, except SIGKILL and
 * SIGSTOP (nothing can clean up after those) and SIGXFSZ (ignored while
 * writing, so that a file-size limit makes write() fail with EFBIG and the
 * tool says which file was too large). The real-time signals terminate
 * too; they are added in a loop. */
static const int fatal[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV,
    SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGVTALRM, SIGPROF, SIGSYS,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
#ifdef SIGPOLL
    SIGPOLL,
#endif
#ifdef SIGPWR
    SIGPWR,
#endif
};

#ifdef NSIG
#define SIG_SLOTS NSIG
#else
#define SIG_SLOTS 65
#endif

static struct sigaction saved[SIG_SLOTS];
static unsigned char replaced[SIG_SLOTS];

void lump_i_io_abandon(void)
{
    for (size_t i = 0; i < LUMP_IO_MAX_OUTPUTS; i++) {
        char *p = pending[i];
        pending[i] = NULL;
        if (p != NULL)
            unlink(p);
    }
}

const char *lump_i_io_pending_target(void)
{
    return target;
}

void lump_i_io_set_target(const char *path)
{
    target = path;
}

/* Clean up, then let the signal do what it would have done: the default
 * action is back in place and the signal is raised again (it is delivered
 * when the handler returns), so the exit status says which signal it was. */
static void on_signal(int sig)
{
    int e = errno;
    lump_i_io_abandon();
    sigaction(sig, &saved[sig], NULL);
    raise(sig);
    errno = e;
}

/* Install HANDLER for SIG where the signal would end the process now: a
 * signal that is ignored (nohup, a background job) stays ignored, and one
 * the program handles itself stays its own. */
static void take(int sig, void (*handler)(int))
{
    struct sigaction sa, old;
    if (sig <= 0 || sig >= SIG_SLOTS || sigaction(sig, NULL, &old) != 0 ||
        old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO))
        return;
    sa.sa_handler = handler;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = 0;
    if (sigaction(sig, &sa, &saved[sig]) == 0)
        replaced[sig] = 1;
}

void lump_i_io_guard_begin(void)
{
    sigset_t old;
    lump_i_io_hold(&old);
    for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
        take(fatal[i], on_signal);
#if defined(SIGRTMIN) && defined(SIGRTMAX)
    for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
        take(s, on_signal);
#endif
    take(SIGXFSZ, SIG_IGN);
    lump_i_io_release(&old);
}

void lump_i_io_guard_end(void)
{
    sigset_t old;
    lump_i_io_hold(&old);
    for (int s = 1; s < SIG_SLOTS; s++)
        if (replaced[s]) {
            sigaction(s, &saved[s], NULL);
            replaced[s] = 0;
        }
    target = NULL;
    lump_i_io_release(&old);
}

void lump_i_io_hold(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
}

void lump_i_io_release(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

int lump_i_io_track(char *tmp)
{
    for (size_t i = 0; i < LUMP_IO_MAX_OUTPUTS; i++)
        if (pending[i] == NULL) {
            pending[i] = tmp;
            return 0;
        }
    return -1;
}

void lump_i_io_untrack(const char *tmp)
{
    for (size_t i = 0; i < LUMP_IO_MAX_OUTPUTS; i++)
        if (pending[i] == tmp)
            pending[i] = NULL;
}
