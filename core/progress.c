/* progress.c -- a one-line progress report of long work on a terminal, and
 * the cancellation flag its steps poll */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "lumpnet/io.h"
#include "lumpnet/progress.h"
#include "error_i.h"
#include "progress_i.h"

/* Set by the SIGINT handler, read by every step. */
static volatile sig_atomic_t cancel_flag;

#define MAX_DEPTH 6
/* seconds before the first line: quick work stays silent */
static double first_draw = 0.5;
#define REDRAW 0.1     /* seconds between two lines */

typedef struct {
    const char *what;
    size_t total, done;
    int stepped; /* a phase of unknown length never stepped is a label */
    unsigned flags;
    double t0;
} level_t;

static const char *heading; /* NULL: the report is off */
static level_t levels[MAX_DEPTH];
static size_t depth;
static double t_enable, t_drawn;
static int shown;

/* lump_clock_seconds -- see progress.h. */
double lump_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lump_progress_delay(double seconds)
{
    first_draw = seconds >= 0 ? seconds : 0;
}

void lump_progress_enable(const char *h)
{
    lump_progress_clear();
    heading = h;
    depth = 0;
    t_enable = lump_clock_seconds();
    t_drawn = 0;
}

static int is_label(const level_t *l)
{
    return l->total == 0 && !l->stepped;
}

/* The fraction of the work done in the outermost phase that is not a
 * label, from it and the phases nested in it as long as they are even
 * (an inner even phase refines its parent's step); -1 when that phase is
 * not even. *FIRST gets its level. */
static double fraction(size_t *first)
{
    double f = 0, scale = 1;
    size_t k0 = 0;
    while (k0 < depth && is_label(&levels[k0]))
        k0++;
    *first = k0;
    if (k0 == depth || !(levels[k0].flags & LUMP_PROGRESS_EVEN) || levels[k0].total == 0)
        return -1;
    for (size_t k = k0; k < depth; k++) {
        const level_t *l = &levels[k];
        if (!(l->flags & LUMP_PROGRESS_EVEN) || l->total == 0 || l->done >= l->total)
            break;
        scale /= (double)l->total;
        f += scale * (double)l->done;
    }
    return f;
}

static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (*n >= cap)
        return 0;
    va_start(ap, fmt);
    k = vsnprintf(buf + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k < 0)
        return 0;
    *n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
    return 1;
}

static void append_time(char *buf, size_t cap, size_t *n, double s)
{
    if (s < 100)
        append(buf, cap, n, "%.0f s", s);
    else if (s < 6000)
        append(buf, cap, n, "%.0f min", s / 60);
    else
        append(buf, cap, n, "%.1f h", s / 3600);
}

static void draw(double t)
{
    char buf[512];
    size_t n = 0, width = 80, first;
    double f = fraction(&first), spent = t - t_enable;
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
        width = ws.ws_col;
    /* the times first: a line cut to the terminal's width keeps them */
    append(buf, sizeof buf, &n, "\r%s: [", heading);
    append_time(buf, sizeof buf, &n, spent);
    /* an estimate only from even phases, after some of them ran */
    if (f > 0.02 && t - levels[first].t0 >= 2) {
        append(buf, sizeof buf, &n, ", about ");
        append_time(buf, sizeof buf, &n, (t - levels[first].t0) * (1 - f) / f);
        append(buf, sizeof buf, &n, " left");
    }
    append(buf, sizeof buf, &n, "]");
    for (size_t k = 0, any = 0; k < depth; k++) {
        const level_t *l = &levels[k];
        const char *sep = any ? "," : "";
        if (k == 0 && is_label(l))
            continue; /* an outermost label says what the heading says */
        if (l->total > 0)
            append(buf, sizeof buf, &n, "%s %s %zu of %zu", sep, l->what, l->done + 1, l->total);
        else if (l->stepped)
            append(buf, sizeof buf, &n, "%s %s %zu", sep, l->what, l->done + 1);
        else
            append(buf, sizeof buf, &n, "%s %s", sep, l->what);
        any = 1;
    }
    /* one terminal line: a wrapped line cannot be rewritten in place */
    if (n > width)
        n = width;
    buf[n] = '\0';
    fputs(buf, stderr);
    fputs("\033[K", stderr);
    fflush(stderr);
    shown = 1;
    t_drawn = t;
}

size_t lump_progress_begin(const char *what, size_t total, unsigned flags)
{
    size_t lv = depth;
    if (lv < MAX_DEPTH) {
        levels[lv].what = what;
        levels[lv].total = total;
        levels[lv].done = 0;
        levels[lv].stepped = 0;
        levels[lv].flags = flags;
        levels[lv].t0 = heading != NULL ? lump_clock_seconds() : 0;
        depth = lv + 1;
    }
    return lv;
}

lump_error_t lump_progress_step(size_t level, size_t done)
{
    double t;
    if (cancel_flag)
        return lump_error_set(LUMP_EINTERRUPTED, "interrupted");
    if (level >= MAX_DEPTH)
        return LUMP_OK;
    if (level < depth) {
        levels[level].done = done;
        levels[level].stepped = 1;
        depth = level + 1;
    }
    if (heading == NULL)
        return LUMP_OK;
    t = lump_clock_seconds();
    if (t - t_enable >= first_draw && t - t_drawn >= REDRAW)
        draw(t);
    return LUMP_OK;
}

void lump_progress_end(size_t level)
{
    if (level < depth)
        depth = level;
    if (depth == 0)
        lump_progress_clear();
}

size_t lump_i_progress_depth(void)
{
    return depth;
}

void lump_progress_clear(void)
{
    if (!shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    shown = 0;
}

void lump_cancel_request(void)
{
    cancel_flag = 1;
}

int lump_cancel_requested(void)
{
    return cancel_flag != 0;
}

void lump_cancel_reset(void)
{
    cancel_flag = 0;
}

lump_error_t lump_cancel_check(void)
{
    if (cancel_flag)
        return lump_error_set(LUMP_EINTERRUPTED, "interrupted");
    return LUMP_OK;
}

/* The grace period of lump_cancel_install, as a timer value. */
static struct itimerval grace_timer;

/* Out at once, the way the out-of-memory exit leaves: nothing half
 * written, only async-signal-safe calls. */
static void stop_now(int sig)
{
    static const char msg[] = "\nlumpnet: interrupted\n";
    lump_i_io_abandon();
    if (sig == SIGALRM && !cancel_flag) {
        /* not the grace timer (no Ctrl-C came first): someone else's alarm
         * ends the process as it would have without us, so the exit
         * status names SIGALRM */
        signal(SIGALRM, SIG_DFL);
        raise(SIGALRM);
        return;
    }
    (void)!write(2, msg, sizeof msg - 1);
    _exit(130);
}

static void on_interrupt(int sig)
{
    if (cancel_flag)
        stop_now(sig);
    cancel_flag = 1;
    /* setitimer is a plain system call on Linux, safe here although POSIX
     * does not list it (alarm, which it lists, counts whole seconds) */
    setitimer(ITIMER_REAL, &grace_timer, NULL);
}

lump_error_t lump_cancel_install(double grace)
{
    struct sigaction sa, old;
    long us = grace > 0 ? (long)(grace * 1e6) : 1;
    memset(&grace_timer, 0, sizeof grace_timer);
    grace_timer.it_value.tv_sec = us / 1000000;
    grace_timer.it_value.tv_usec = us % 1000000;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* stdio must not see EINTR */
    sa.sa_handler = stop_now;
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return lump_error_set(LUMP_EUSAGE, "cannot handle SIGALRM");
    sa.sa_handler = on_interrupt;
    if (sigaction(SIGINT, &sa, &old) != 0)
        return lump_error_set(LUMP_EUSAGE, "cannot handle SIGINT");
    /* a SIGINT ignored from the start (a background job of a script,
     * nohup) stays ignored, as the shell meant */
    if (old.sa_handler == SIG_IGN)
        sigaction(SIGINT, &old, NULL);
    return LUMP_OK;
}
