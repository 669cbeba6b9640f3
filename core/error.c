/* error.c -- error messages in thread-local storage, warnings, contracts */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/error.h"

#define MSG_MAX 2048

static _Thread_local char message[MSG_MAX];

lump_error_t lump_error_setv(lump_error_t code, const char *fmt, va_list ap)
{
    vsnprintf(message, sizeof message, fmt, ap);
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
    char old[MSG_MAX];
    size_t n;
    va_list ap;
    memcpy(old, message, sizeof old);
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    n = strlen(message);
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
    default:
        /* Bad input, bad usage, unsupported requests, I/O failures and
         * refused sizes are all the caller's to fix: exit code 2. */
        return 2;
    }
}

void lump_warn(const char *fmt, ...)
{
    va_list ap;
    fputs("lumpnet: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lump_i_contract_fail(const char *func, const char *what)
{
    fprintf(stderr, "lumpnet: %s: API contract broken: %s\n", func, what);
    abort();
}
