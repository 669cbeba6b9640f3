/* error.c -- error messages in thread-local storage, warnings, contracts,
 * and the out-of-memory exit */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/io.h"
#include "lumpnet/progress.h"
#include "alloc_i.h"
#include "error_i.h"

#define MSG_MAX 2048

static _Thread_local char message[MSG_MAX];

/* Messages quote names and excerpts from files, whose bytes may be
 * anything: every message is escaped once, here, where all of them pass. */
lump_error_t lump_error_setv(lump_error_t code, const char *fmt, va_list ap)
{
    char raw[MSG_MAX];
    vsnprintf(raw, sizeof raw, fmt, ap);
    lump_escape(message, sizeof message, raw, sizeof raw);
    return code;
}

lump_error_t lump_error_set(lump_error_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lump_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

lump_error_t lump_error_prefix(lump_error_t code, const char *fmt, ...)
{
    char old[MSG_MAX], raw[MSG_MAX];
    size_t n;
    va_list ap;
    memcpy(old, message, sizeof old);
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    n = lump_escape(message, sizeof message, raw, sizeof raw);
    if (n + 2 < sizeof message) {
        memcpy(message + n, ": ", 3);
        n += 2;
        strncat(message + n, old, sizeof message - n - 1);
    }
    return code;
}

const char *lump_error_message(void)
{
    return message;
}

int lump_error_exit_code(lump_error_t code)
{
    switch (code) {
    case LUMP_OK:
        return 0;
    case LUMP_EINTERNAL:
        return 70;
    case LUMP_EINTERRUPTED:
        return 130;
    default:
        /* Bad input, bad usage, unsupported requests, I/O failures and
         * refused sizes are all the caller's to fix: exit code 2. */
        return 2;
    }
}

void lump_warn(const char *fmt, ...)
{
    char raw[MSG_MAX], safe[MSG_MAX];
    va_list ap;
    lump_progress_clear();
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    lump_escape(safe, sizeof safe, raw, sizeof raw);
    fprintf(stderr, "lumpnet: warning: %s\n", safe);
}

void lump_i_contract_fail(const char *func, const char *what)
{
    fprintf(stderr, "lumpnet: %s: API contract broken: %s\n", func, what);
    abort();
}

/* The limit given to lump_memory_install (0: none), and how the user set
 * it (lump_memory_name; NULL: messages name no flag, the library does not
 * know its callers' command lines). */
static size_t memory_limit;
static const char *memory_name;

/* The input being read (lump_i_memory_reading), for the message. */
static const char *memory_reading;

void lump_i_memory_reading(const char *path)
{
    memory_reading = path;
}

void lump_memory_name(const char *name)
{
    memory_name = name;
}

const char *lump_i_memory_name(void)
{
    return memory_name;
}

size_t lump_memory_limit(void)
{
    return memory_limit;
}

/* Every allocation that fails ends here (lump_alloc*, and GMP, jansson and
 * protobuf-c through their hooks): GMP cannot be told that an allocation
 * failed, and the library does not try to unwind either. Leave the way
 * every bad input leaves (exit code 2, no partial output), with write(2)
 * and _exit because malloc just failed and stdio may need it. */
void lump_i_out_of_memory(size_t n)
{
    char msg[1024], where[600] = "";
    const char *target = lump_i_io_pending_target();
    int k;
    /* the file being written, if any, is named: its write stops here */
    if (target != NULL) {
        char safe[512];
        lump_escape(safe, sizeof safe, target, 511);
        snprintf(where, sizeof where, " while writing %s", safe);
    } else if (memory_reading != NULL) {
        char safe[512];
        lump_escape(safe, sizeof safe, memory_reading, 511);
        snprintf(where, sizeof where, " while reading %s", safe);
    }
    lump_i_io_abandon();
    if (memory_limit > 0)
        k = snprintf(msg, sizeof msg,
                     "lumpnet: out of memory%s (an allocation of %zu bytes failed; the "
                     "limit is %zu MB%s%s)\n",
                     where, n, memory_limit >> 20, memory_name != NULL ? ", see " : "",
                     memory_name != NULL ? memory_name : "");
    else
        k = snprintf(msg, sizeof msg,
                     "lumpnet: out of memory%s (an allocation of %zu bytes failed)\n", where, n);
    if (k > 0)
        (void)!write(2, msg, (size_t)k < sizeof msg ? (size_t)k : sizeof msg - 1);
    _exit(2);
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    return lump_realloc_array(p, n, 1);
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    free(p);
}

/* AddressSanitizer reserves terabytes of address space for its shadow
 * memory, so an address-space limit would refuse everything. */
#if defined(__SANITIZE_ADDRESS__)
#define LUMP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUMP_ASAN 1
#endif
#endif

/* The limit as messages name it. */
static const char *limit_name(void)
{
    return memory_name != NULL ? memory_name : "memory limit";
}

lump_error_t lump_memory_install(size_t max_bytes)
{
    mp_set_memory_functions(lump_alloc, gmp_realloc, gmp_free);
    if (max_bytes == 0)
        return LUMP_OK;
    if (max_bytes < ((size_t)16 << 20))
        return lump_error_set(LUMP_EUSAGE, "%s: at least 16 MB are needed", limit_name());
#ifdef LUMP_ASAN
    lump_warn("%s: no address-space limit in an AddressSanitizer build; "
              "only declared sizes are capped",
              limit_name());
#else
    {
        struct rlimit rl;
        if (getrlimit(RLIMIT_AS, &rl) != 0)
            return lump_error_set(LUMP_EUSAGE, "%s: %s", limit_name(), strerror(errno));
        if (rl.rlim_max != RLIM_INFINITY && (rlim_t)max_bytes > rl.rlim_max)
            max_bytes = (size_t)rl.rlim_max;
        rl.rlim_cur = (rlim_t)max_bytes;
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            return lump_error_set(LUMP_EUSAGE, "%s: cannot set the limit: %s", limit_name(),
                                  strerror(errno));
    }
#endif
    memory_limit = max_bytes;
    return LUMP_OK;
}
