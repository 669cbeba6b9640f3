/* lumpnet/error.h -- error codes, messages and the propagation macro */
#ifndef LUMPNET_ERROR_H
#define LUMPNET_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* LUMP_EXPORT marks the public functions: the library is built with
 * -fvisibility=hidden, so a function without it (every lump_i_ one) is
 * not exported from the shared library (docs/architecture.md). */
#if defined(__GNUC__) || defined(__clang__)
#define LUMP_EXPORT __attribute__((visibility("default")))
#else
#define LUMP_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every operation that can fail; 0 is success. */
typedef enum {
    LUMP_OK = 0,
    LUMP_EINPUT,       /* malformed or unsupported input (exit code 2) */
    LUMP_EUSAGE,       /* bad command-line usage or bad argument (exit 2) */
    LUMP_ENOMEM,       /* a declared size over a limit (a failed allocation
                          exits instead: docs/architecture.md, "Out of memory") */
    LUMP_EIO,          /* the operating system refused a read or write */
    LUMP_EUNSUPPORTED, /* a valid request this build cannot do (exit 2) */
    LUMP_EINTERNAL,    /* a broken invariant: a bug in lumpnet */
    LUMP_EINTERRUPTED  /* stopped by a cancellation request (Ctrl-C; exit 130) */
} lump_error_t;

/* Three-valued verdicts: a search or a relaxation that fails to decide says
 * LUMP_UNKNOWN, never false. */
typedef enum { LUMP_FALSE = 0, LUMP_TRUE = 1, LUMP_UNKNOWN = 2 } lump_verdict_t;

#define LUMP_WUR __attribute__((warn_unused_result))

/* LUMP_INIT_CLEAR(P) -- declare the pair of every value type P_t the
 * caller owns (like mpq_init / mpq_clear): void P_init(P_t *) makes an
 * empty value, void P_clear(P_t *) frees one (and leaves it empty or
 * zeroed, as its comment says). One declaration for the pattern that
 * every public header repeats. */
#define LUMP_INIT_CLEAR(p)                                                    \
    LUMP_EXPORT void p##_init(p##_t *x);                                      \
    LUMP_EXPORT void p##_clear(p##_t *x)

/* LUMP_CHECK -- propagate an error: evaluate EXPR, and on failure store the
 * code in the local variable `err` and jump to the local label `cleanup`. */
#define LUMP_CHECK(expr)                                                      \
    do {                                                                      \
        lump_error_t lump_check_e_ = (expr);                                  \
        if (lump_check_e_ != LUMP_OK) {                                       \
            err = lump_check_e_;                                              \
            goto cleanup;                                                     \
        }                                                                     \
    } while (0)

/* lump_error_set -- record a message for CODE and return CODE.
 * The message should say what, where and why:
 * "bad.onnx: node 7 (Conv): operator not supported (...)".
 * The message lives in thread-local storage until the next call.
 * Complexity: O(length of the message). */
LUMP_EXPORT lump_error_t lump_error_set(lump_error_t code, const char *fmt, ...)
                __attribute__((format(printf, 2, 3)));

/* lump_error_setv -- as lump_error_set, with a va_list. */
LUMP_EXPORT lump_error_t lump_error_setv(lump_error_t code, const char *fmt, va_list ap);

/* lump_error_prefix -- prepend "PREFIX: " to the current message, so a
 * low-level error can be located by its caller. Returns CODE. O(length). */
LUMP_EXPORT lump_error_t lump_error_prefix(lump_error_t code, const char *fmt, ...)
                __attribute__((format(printf, 2, 3)));

/* lump_escape -- copy the first N bytes of SRC (up to a NUL) into DST
 * (CAP bytes, NUL-terminated, truncated at a whole character), with every
 * byte that is not printable text written as \xNN: control characters,
 * DEL, invalid UTF-8 and C1 controls. Printable ASCII and valid UTF-8
 * pass unchanged, so escaping twice changes nothing. Every message and
 * warning goes through it (lump_error_set, lump_error_prefix, lump_warn),
 * so names and excerpts quoted from a file can never put raw bytes on a
 * terminal. Returns the length written. O(N). */
LUMP_EXPORT size_t lump_escape(char *dst, size_t cap, const char *src, size_t n);

/* lump_error_message -- the last recorded message ("" when none). O(1). */
LUMP_EXPORT const char *lump_error_message(void);

/* lump_error_exit_code -- the command-line exit code for an error: 2 for
 * input, usage and unsupported requests, 2 for I/O, 70 for internal errors,
 * 130 (as for SIGINT) for an interrupted command.
 * O(1). */
LUMP_EXPORT int lump_error_exit_code(lump_error_t code);

/* lump_warn -- print a warning to standard error ("lumpnet: warning: ...").
 * Complexity: O(length of the message). */
LUMP_EXPORT void lump_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lump_memory_install -- route GMP's (and so MPFR's) allocations through
 * lumpnet's allocator (lumpnet/alloc.h), as the library's own, jansson's
 * and protobuf-c's already are: when one fails, any pending temporary
 * output file is removed, "lumpnet: out of memory (...)" is printed and
 * the process exits with code 2, instead of GMP's abort. When MAX_BYTES > 0, also cap the
 * address space of the process at MAX_BYTES (RLIMIT_AS), so that every
 * allocation past it fails cleanly, and cap array lengths
 * (lump_arr_max_len) to what fits in it. For programs, not libraries: it
 * changes process-wide state. Returns LUMP_EUSAGE when the limit cannot be
 * set (or MAX_BYTES is under 16 MB). O(1). */
LUMP_EXPORT lump_error_t lump_memory_install(size_t max_bytes) LUMP_WUR;

/* lump_memory_name -- how the user sets the limit (a program's flag, e.g.
 * "--max-memory"): the messages about the limit quote NAME ("the limit is
 * 64 MB, see NAME"), since the library does not know its callers' command
 * lines; without it they name no flag. NAME is kept, not copied (a string
 * literal). Call before lump_memory_install. O(1). */
LUMP_EXPORT void lump_memory_name(const char *name);

/* lump_memory_limit -- the MAX_BYTES given to lump_memory_install, 0 when
 * none. O(1). */
LUMP_EXPORT size_t lump_memory_limit(void);

/* lump_require -- abort naming FUNC when a caller breaks an API contract. */
#define lump_require(cond, func)                                              \
    do {                                                                      \
        if (!(cond))                                                          \
            lump_i_contract_fail(func, #cond);                                \
    } while (0)
void lump_i_contract_fail(const char *func, const char *what)
    __attribute__((noreturn));

#ifdef __cplusplus
}
#endif
#endif
