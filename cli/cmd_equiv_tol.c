/* cmd_equiv_tol.c -- `lumpnet equiv A B --tolerance EPS`: equivalence
 * within a tolerance by the library's branch-and-bound finder */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include "cli.h"
#include "cmd_equiv_tol.h"

typedef struct {
    const char *buf;
    size_t len;
} cert_bytes_t;

static lump_error_t write_bytes(FILE *f, void *ctx)
{
    const cert_bytes_t *c = ctx;
    if (fwrite(c->buf, 1, c->len, f) != c->len)
        return lump_error_set(LUMP_EIO, "writing the certificate failed");
    return LUMP_OK;
}

/* The time limit covers the check of the certificate too: a watchdog
 * thread requests cancellation (the checker's cancellation point is every
 * tree entry) once the limit has passed, unless told to stop first. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    double deadline; /* lump_clock_seconds() */
    int stop, fired;
} watchdog_t;

static void *watchdog_run(void *arg)
{
    watchdog_t *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        double now = lump_clock_seconds(), left = w->deadline - now;
        struct timespec ts;
        if (left <= 0) {
            w->fired = 1;
            lump_cancel_request();
            break;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        if (left > 1)
            left = 1; /* re-read the monotonic clock at least every second */
        ts.tv_sec += (time_t)left;
        ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* "0,3,4" into OUT (at most N_ALL entries, each < N_ALL, no repeats) */
static int parse_outputs(size_t **out, size_t *n, const char *s, size_t n_all)
{
    const char *p = s;
    *out = lump_alloc_zero(n_all + 1, sizeof **out);
    *n = 0;
    for (;;) {
        char *end;
        unsigned long long v;
        if (*p < '0' || *p > '9')
            break;
        v = strtoull(p, &end, 10);
        if (v >= n_all)
            return cli_usage_error("equiv", "--outputs: output %llu out of range (the networks "
                                   "have %zu outputs, numbered from 0)", v, n_all);
        for (size_t k = 0; k < *n; k++)
            if ((*out)[k] == v)
                return cli_usage_error("equiv", "--outputs: output %llu given twice", v);
        if (*n == n_all)
            break;
        (*out)[(*n)++] = (size_t)v;
        p = end;
        if (*p == '\0')
            return CLI_OK;
        if (*p != ',')
            break;
        p++;
    }
    return cli_usage_error("equiv", "--outputs needs 0-based output indices like 0,2, not '%s'",
                           s);
}

static char *dec(double x)
{
    char *s = lump_alloc(32);
    snprintf(s, 32, isinf(x) ? "inf" : "%.6g", x);
    return s;
}

/* cli_equiv_tolerance -- see cmd_equiv_tol.h. */
int cli_equiv_tolerance(const cli_equiv_tol_t *t)
{
    lump_error_t err = LUMP_OK;
    int rc = CLI_OK;
    lump_verdict_t verdict = LUMP_UNKNOWN;
    lump_tol_opts_t o;
    lump_tol_result_t r;
    lump_box_t box;
    size_t *outs = NULL, n_outs = 0;
    char *tol_s = NULL, *diff_s = NULL, domain[256];
    const lump_net_t *a = t->a, *b = t->b;
    double t_start;
    int checking = 0; /* the time limit passed while checking the certificate */
    lump_tol_opts_init(&o);
    lump_tol_result_init(&r);
    lump_box_init(&box);
    mpq_set(o.tolerance, t->tolerance);
    o.timeout = 60;
    if (t->outputs != NULL &&
        (rc = parse_outputs(&outs, &n_outs, t->outputs, lump_net_n_outputs(a))) != CLI_OK)
        goto cleanup;
    o.outputs = outs;
    o.n_outputs = n_outs;
    if (t->timeout != NULL) {
        char *end;
        double v = strtod(t->timeout, &end);
        if (end == t->timeout || *end != '\0' || !(v > 0) || v > 1e9) {
            rc = cli_usage_error("equiv", "--timeout needs a positive number of seconds, not "
                                 "'%s'", t->timeout);
            goto cleanup;
        }
        o.timeout = v;
    }
    if (t->jobs != NULL) {
        unsigned long long j;
        if ((rc = cli_parse_whole(&j, t->jobs, 1, 256, "equiv",
                                  "--jobs needs a whole number of threads from 1 to 256, not "
                                  "'%s'")) != CLI_OK)
            goto cleanup;
        o.jobs = (unsigned)j;
    }
    if (t->split != NULL) {
        if (strcmp(t->split, "smart") == 0)
            o.split = LUMP_TOL_SPLIT_SMART;
        else if (strcmp(t->split, "gradient") == 0)
            o.split = LUMP_TOL_SPLIT_GRADIENT;
        else if (strcmp(t->split, "ranked") == 0)
            o.split = LUMP_TOL_SPLIT_RANKED;
        else if (strcmp(t->split, "widest") == 0)
            o.split = LUMP_TOL_SPLIT_WIDEST;
        else {
            rc = cli_usage_error("equiv", "--split is smart, ranked, gradient or widest, not '%s'",
                                 t->split);
            goto cleanup;
        }
    }
    if (a->n_inputs != b->n_inputs || lump_net_n_outputs(a) != lump_net_n_outputs(b)) {
        rc = cli_fail(lump_error_set(LUMP_EUSAGE, "equiv: %s has %zu inputs and %zu outputs, "
                                     "%s %zu and %zu: they cannot be compared", t->a_path,
                                     a->n_inputs, lump_net_n_outputs(a), t->b_path, b->n_inputs,
                                     lump_net_n_outputs(b)));
        goto cleanup;
    }
    /* the domain: --box, else the declared input bounds (A's, else B's),
     * as for the exact witness search; a proof needs a bounded one */
    if (t->box_arg != NULL) {
        LUMP_CHECK(cli_box_parse(&box, t->box_arg, a, t->a_path));
        snprintf(domain, sizeof domain, "%.200s", t->box_arg);
    } else if (a->has_clip || b->has_clip) {
        const lump_net_t *c = a->has_clip ? a : b;
        LUMP_CHECK(lump_box_alloc(&box, c->n_inputs));
        for (size_t i = 0; i < c->n_inputs; i++) {
            mpq_set(box.lo[i], c->clip_lo[i]);
            mpq_set(box.hi[i], c->clip_hi[i]);
        }
        snprintf(domain, sizeof domain, "the declared input bounds of %.200s",
                 a->has_clip ? t->a_path : t->b_path);
    } else {
        rc = cli_usage_error("equiv", "--tolerance needs a bounded domain: give --box BOX "
                             "(neither network declares input bounds)");
        goto cleanup;
    }
    o.progress = 1; /* shown only when the CLI turned the report on */
    t_start = lump_clock_seconds();
    LUMP_CHECK(lump_tol_search(&r, a, b, &box, &o));
    if (r.verdict == LUMP_TRUE) {
        /* the trusted checker re-checks the exact bytes before they are
         * written or the verdict printed, within the same time limit */
        lump_verdict_t valid = LUMP_UNKNOWN;
        char why[512];
        lump_error_t ce;
        watchdog_t wd;
        pthread_t th;
        int started;
        memset(&wd, 0, sizeof wd);
        pthread_mutex_init(&wd.lock, NULL);
        pthread_cond_init(&wd.cond, NULL);
        wd.deadline = t_start + o.timeout;
        started = pthread_create(&th, NULL, watchdog_run, &wd) == 0;
        ce = lump_tol_cert_check(&valid, why, sizeof why, a, b, r.cert, r.cert_len,
                                 "the tolerance certificate");
        pthread_mutex_lock(&wd.lock);
        wd.stop = 1;
        pthread_cond_signal(&wd.cond);
        pthread_mutex_unlock(&wd.lock);
        if (started)
            pthread_join(th, NULL);
        pthread_mutex_destroy(&wd.lock);
        pthread_cond_destroy(&wd.cond);
        if (ce == LUMP_EINTERRUPTED && wd.fired) {
            /* the limit passed during the check: no proof in time */
            lump_cancel_reset();
            r.verdict = LUMP_UNKNOWN;
            r.timed_out = 1;
            free(r.cert);
            r.cert = NULL;
            r.cert_len = 0;
            snprintf(r.reason, sizeof r.reason, "time limit of %g s reached while checking "
                     "the certificate (%zu leaves)", o.timeout, r.leaves);
            valid = LUMP_TRUE;
            checking = 1;
        } else
            LUMP_CHECK(ce);
        if (r.verdict == LUMP_TRUE && valid != LUMP_TRUE)
            LUMP_CHECK(lump_error_set(LUMP_EINTERNAL, "internal error: the finder's tolerance "
                                      "certificate fails the checker (%s); please report this "
                                      "bug", why));
        if (r.verdict == LUMP_TRUE && t->cert != NULL) {
            cert_bytes_t cb = {r.cert, r.cert_len};
            LUMP_CHECK(lump_io_write_atomic(t->cert, write_bytes, &cb));
        }
    }
    verdict = r.verdict;
    tol_s = lump_rat_str(t->tolerance);
    diff_s = r.witness != NULL ? lump_rat_str(r.witness_diff) : NULL;
    if (t->json) {
        json_t *j = cli_report_new("equiv");
        char *bs = dec(r.bound), *ls = dec(r.largest);
        cli_report_path(j, "a", t->a_path);
        cli_report_path(j, "b", t->b_path);
        cli_report_path(j, "box", t->box_arg);
        json_object_set_new(j, "verdict",
                            json_string(r.verdict == LUMP_TRUE    ? "equivalent"
                                        : r.verdict == LUMP_FALSE ? "different"
                                                                  : "unknown"));
        json_object_set_new(j, "domain", json_string(domain));
        json_object_set_new(j, "tolerance", json_string(tol_s ? tol_s : "?"));
        json_object_set_new(j, "bound", json_string(bs ? bs : "?"));
        json_object_set_new(j, "largest_difference",
                            r.largest >= 0 ? json_string(ls ? ls : "?") : json_null());
        if (r.verdict == LUMP_TRUE)
            json_object_set_new(j, "checked", json_true());
        cli_report_path(j, "certificate", r.verdict == LUMP_TRUE ? t->cert : NULL);
        if (r.witness != NULL) {
            json_t *w = json_array();
            for (size_t i = 0; i < r.n_witness; i++) {
                char *s = lump_rat_str_frac(r.witness[i]);
                json_array_append_new(w, json_string(s ? s : "?"));
                free(s);
            }
            /* with "unknown" this is the point of the largest difference,
             * not a witness */
            json_object_set_new(j, r.verdict == LUMP_FALSE ? "witness" : "largest_at", w);
            json_object_set_new(j, "output", cli_report_size(r.output));
            json_object_set_new(j, "difference", json_string(diff_s ? diff_s : "?"));
        }
        json_object_set_new(j, "leaves", cli_report_size(r.leaves));
        json_object_set_new(j, "nodes", cli_report_size(r.nodes));
        if (r.verdict == LUMP_UNKNOWN)
            json_object_set_new(j, "reason", json_string(r.reason));
        free(bs);
        free(ls);
        rc = cli_report_print(j);
    } else if (r.verdict == LUMP_TRUE) {
        printf("equivalent within %s on %s (certified bound %.4g, %zu leaves, %.2f s)\n", tol_s,
               domain, r.bound, r.leaves, cli_elapsed());
        if (t->cert != NULL)
            printf("wrote the certificate %s (verify: lumpnet check %s %s %s)\n", t->cert,
                   t->a_path, t->b_path, t->cert);
    } else if (r.verdict == LUMP_FALSE) {
        printf("different: output %zu differs by %.6g > %s at the exact input\n  ", r.output,
               mpq_get_d(r.witness_diff), tol_s);
        for (size_t i = 0; i < r.n_witness; i++) {
            char *s = lump_rat_str_frac(r.witness[i]);
            printf("%s%s", i ? "," : "", s ? s : "?");
            free(s);
        }
        printf("\n(confirmed by exact evaluation; %zu parts searched in %s)\n", r.nodes, domain);
        if (t->cert != NULL)
            printf("no certificate written: nothing was proved\n");
    } else {
        printf("unknown: %s; %s bound %.4g %s %s", r.reason,
               checking ? "the unchecked" : "certified", r.bound, checking ? "<=" : ">", tol_s);
        if (r.witness != NULL)
            printf(", largest difference found %.4g (output %zu)", mpq_get_d(r.witness_diff),
                   r.output);
        printf(" on %s\n", domain);
        if (t->cert != NULL)
            printf("no certificate written: nothing was proved\n");
    }
    cli_summary("%s, %zu parts, %zu leaves, bound %.4g",
                r.verdict == LUMP_TRUE ? "equivalent" : r.verdict == LUMP_FALSE ? "different"
                                                                                   : "unknown",
                r.nodes, r.leaves, r.bound);
cleanup:
    free(tol_s);
    free(diff_s);
    free(outs);
    lump_box_clear(&box);
    lump_tol_result_clear(&r);
    lump_tol_opts_clear(&o);
    return cli_exit(err, rc, cli_verdict_rc(verdict));
}
