/* json_support.c -- jansson behind one thin layer: load, dump, typed getters */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lumpnet/rat.h"
#include "json_support.h"
#include "alloc_i.h"

void lump_i_jpath_init(lump_i_jpath_t *p, const char *name)
{
    p->name = name;
    p->depth = 0;
}

void lump_i_jpath_key(lump_i_jpath_t *p, const char *key)
{
    lump_require(p->depth < LUMP_I_JPATH_MAX, "lump_i_jpath_key");
    p->seg[p->depth].key = key;
    p->seg[p->depth].index = 0;
    p->depth++;
}

void lump_i_jpath_index(lump_i_jpath_t *p, size_t i)
{
    lump_require(p->depth < LUMP_I_JPATH_MAX, "lump_i_jpath_index");
    p->seg[p->depth].key = NULL;
    p->seg[p->depth].index = i;
    p->depth++;
}

void lump_i_jpath_pop(lump_i_jpath_t *p)
{
    lump_require(p->depth > 0, "lump_i_jpath_pop");
    p->depth--;
}

char *lump_i_jpath_str(char *buf, size_t size, const lump_i_jpath_t *p)
{
    size_t used = 0, d;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (p->depth == 0) {
        snprintf(buf, size, "top level");
        return buf;
    }
    for (d = 0; d < p->depth && used < size; d++) {
        int n;
        if (p->seg[d].key != NULL)
            n = snprintf(buf + used, size - used, "%s%s", d > 0 ? "." : "", p->seg[d].key);
        else
            n = snprintf(buf + used, size - used, "[%zu]", p->seg[d].index);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

lump_error_t lump_i_jpath_error(const lump_i_jpath_t *p, lump_error_t code, const char *fmt, ...)
{
    char place[512], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->depth == 0)
        return lump_error_set(code, "%s: %s", p->name, msg);
    return lump_error_set(code, "%s: %s: %s", p->name, lump_i_jpath_str(place, sizeof place, p),
                          msg);
}

lump_error_t lump_i_jpath_prefix(const lump_i_jpath_t *p, lump_error_t code)
{
    char place[512];
    if (p->depth == 0)
        return lump_error_prefix(code, "%s", p->name);
    return lump_error_prefix(code, "%s: %s", p->name, lump_i_jpath_str(place, sizeof place, p));
}

/* jansson allocates through the one allocator (docs/architecture.md, "Out
 * of memory"), installed when the library is loaded, before any document
 * is read or built anywhere: a jansson call then returns NULL only for a
 * reason other than memory (a string that is not UTF-8, a number that is
 * not finite), and reading never reports a misleading syntax error for a
 * failed allocation. */
static void json_free(void *p)
{
    free(p);
}

__attribute__((constructor)) static void json_use_lump_alloc(void)
{
    json_set_alloc_funcs(lump_alloc, json_free);
}

lump_error_t lump_i_json_load(json_t **out, const char *buf, size_t len, const char *name)
{
    json_error_t jerr;
    /* JSON_REJECT_DUPLICATES: with duplicates a file would mean whatever
     * the last occurrence says, silently; an exact format must not guess. */
    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL)
        return lump_error_set(LUMP_EINPUT, "%s: line %d, column %d: %s", name, jerr.line,
                              jerr.column, jerr.text);
    return LUMP_OK;
}

/* ---- deterministic dump ------------------------------------------------ */

static int is_container(const json_t *v)
{
    return json_is_object(v) || json_is_array(v);
}

/* A container whose members are all scalars is written on one line. */
static int is_flat(const json_t *v)
{
    size_t i;
    const char *key;
    json_t *child;
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++)
            if (is_container(json_array_get(v, i)))
                return 0;
        return 1;
    }
    json_object_foreach((json_t *)v, key, child)
    {
        (void)key;
        if (is_container(child))
            return 0;
    }
    return 1;
}

/* Scalars go through jansson so that string escaping and number text are
 * jansson's; 17 significant digits let reals in reports round-trip. */
static int dump_scalar(FILE *f, const json_t *v)
{
    return json_dumpf(
        v, f, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
}

static int dump_key(FILE *f, const char *key)
{
    json_t *k = json_string(key);
    int r;
    if (k == NULL)
        return -1;
    r = dump_scalar(f, k);
    json_decref(k);
    if (r == 0 && fputs(": ", f) == EOF)
        r = -1;
    return r;
}

static int indent(FILE *f, size_t n)
{
    for (; n > 0; n--)
        if (putc(' ', f) == EOF)
            return -1;
    return 0;
}

/* Recursion depth is the document's depth, bounded by the parser's limit
 * for loaded documents and by the builder for written ones. */
static int dump_value(FILE *f, const json_t *v, size_t level)
{
    int flat, first = 1;
    const char *open, *close;
    if (!is_container(v))
        return dump_scalar(f, v);
    open = json_is_array(v) ? "[" : "{";
    close = json_is_array(v) ? "]" : "}";
    flat = is_flat(v);
    if (fputs(open, f) == EOF)
        return -1;
    if (json_is_array(v)) {
        size_t i;
        for (i = 0; i < json_array_size(v); i++) {
            if (!first && fputs(flat ? ", " : ",", f) == EOF)
                return -1;
            if (!flat && (putc('\n', f) == EOF || indent(f, 2 * level + 2)))
                return -1;
            if (dump_value(f, json_array_get(v, i), level + 1))
                return -1;
            first = 0;
        }
    } else {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            if (!first && fputs(flat ? ", " : ",", f) == EOF)
                return -1;
            if (!flat && (putc('\n', f) == EOF || indent(f, 2 * level + 2)))
                return -1;
            if (dump_key(f, key) || dump_value(f, child, level + 1))
                return -1;
            first = 0;
        }
    }
    if (!flat && !first && (putc('\n', f) == EOF || indent(f, 2 * level)))
        return -1;
    return fputs(close, f) == EOF ? -1 : 0;
}

lump_error_t lump_i_json_dump(FILE *f, const json_t *root)
{
    if (dump_value(f, root, 0) != 0 || putc('\n', f) == EOF || ferror(f))
        return lump_error_set(LUMP_EIO, "could not write the JSON document");
    return LUMP_OK;
}

/* ---- typed getters ----------------------------------------------------- */

const char *lump_i_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
    default:
        return "null";
    }
}

lump_error_t lump_i_json_expect_object(const lump_i_jpath_t *p, const json_t *v)
{
    if (!json_is_object(v))
        return lump_i_jpath_error(p, LUMP_EINPUT, "expected an object, found %s",
                                  lump_i_json_type_name(v));
    return LUMP_OK;
}

lump_error_t lump_i_json_expect_array(size_t *len, const lump_i_jpath_t *p, const json_t *v)
{
    if (!json_is_array(v))
        return lump_i_jpath_error(p, LUMP_EINPUT, "expected an array, found %s",
                                  lump_i_json_type_name(v));
    if (len != NULL)
        *len = json_array_size(v);
    return LUMP_OK;
}

lump_error_t lump_i_json_expect_len(const lump_i_jpath_t *p, const json_t *v, size_t want,
                                    const char *what)
{
    lump_error_t err = LUMP_OK;
    size_t n = 0;
    LUMP_CHECK(lump_i_json_expect_array(&n, p, v));
    if (n != want)
        return lump_i_jpath_error(p, LUMP_EINPUT, "has %zu %s, expected %zu (%s)", n,
                                  n == 1 ? "entry" : "entries", want, what);
cleanup:
    return err;
}

lump_error_t lump_i_json_check_keys(const lump_i_jpath_t *p, const json_t *obj,
                                    const char *const *allowed)
{
    const char *key;
    json_t *child;
    json_object_foreach((json_t *)obj, key, child)
    {
        size_t i;
        char list[512];
        size_t used = 0;
        (void)child;
        for (i = 0; allowed[i] != NULL; i++)
            if (strcmp(key, allowed[i]) == 0)
                break;
        if (allowed[i] != NULL)
            continue;
        list[0] = '\0';
        for (i = 0; allowed[i] != NULL && used < sizeof list; i++) {
            int n = snprintf(list + used, sizeof list - used, "%s\"%s\"", i > 0 ? ", " : "",
                             allowed[i]);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        return lump_i_jpath_error(p, LUMP_EINPUT, "unknown key \"%.80s\" (expected one of %s)", key,
                                  list);
    }
    return LUMP_OK;
}

lump_error_t lump_i_json_expect_keys(const lump_i_jpath_t *p, const json_t *obj,
                                     const char *const *allowed)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_expect_object(p, obj));
    LUMP_CHECK(lump_i_json_check_keys(p, obj, allowed));
cleanup:
    return err;
}

lump_error_t lump_i_json_member(json_t **out, const lump_i_jpath_t *p, const json_t *obj,
                                const char *key, int required)
{
    *out = json_object_get(obj, key);
    if (*out == NULL && required)
        return lump_i_jpath_error(p, LUMP_EINPUT, "missing key \"%s\"", key);
    return LUMP_OK;
}

lump_error_t lump_i_json_get_string(const char **out, size_t *len, const lump_i_jpath_t *p,
                                    const json_t *v)
{
    if (!json_is_string(v))
        return lump_i_jpath_error(p, LUMP_EINPUT, "expected a string, found %s",
                                  lump_i_json_type_name(v));
    *out = json_string_value(v);
    *len = json_string_length(v);
    return LUMP_OK;
}

lump_error_t lump_i_json_get_size(size_t *out, const lump_i_jpath_t *p, const json_t *v, size_t min,
                                  size_t max, const char *what)
{
    json_int_t x;
    if (!json_is_integer(v))
        return lump_i_jpath_error(p, LUMP_EINPUT, "expected an integer (%s), found %s", what,
                                  lump_i_json_type_name(v));
    x = json_integer_value(v);
    if (x < 0 || (unsigned long long)x < min)
        return lump_i_jpath_error(
            p, LUMP_EINPUT, "%s must be at least %zu, found %" JSON_INTEGER_FORMAT, what, min, x);
    if ((unsigned long long)x > max)
        return lump_i_jpath_error(
            p, LUMP_EINPUT, "%s is %" JSON_INTEGER_FORMAT ", over the limit %zu", what, x, max);
    *out = (size_t)x;
    return LUMP_OK;
}

/* "nan", "inf", "infinity" with an optional sign, in any case. */
static int names_non_finite(const char *s, size_t len)
{
    static const char *const words[] = {"nan", "inf", "infinity"};
    size_t i, k;
    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        s++;
        len--;
    }
    for (i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i]) != len)
            continue;
        for (k = 0; k < len; k++)
            if (tolower((unsigned char)s[k]) != words[i][k])
                break;
        if (k == len)
            return 1;
    }
    return 0;
}

lump_error_t lump_i_json_get_q(mpq_t out, const lump_i_jpath_t *p, const json_t *v)
{
    lump_error_t err = LUMP_OK;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (names_non_finite(s, len))
            return lump_i_jpath_error(p, LUMP_EINPUT,
                                      "\"%.*s\" is not a finite number (an "
                                      "exact network holds only rationals)",
                                      (int)len, s);
        err = lump_rat_parse(out, s, len);
        if (err != LUMP_OK)
            return lump_i_jpath_prefix(p, err);
        return LUMP_OK;
    }
    if (json_is_integer(v)) {
        char text[32];
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        err = lump_rat_parse_cstr(out, text);
        if (err != LUMP_OK)
            return lump_i_jpath_prefix(p, err);
        return LUMP_OK;
    }
    if (json_is_real(v))
        return lump_i_jpath_error(
            p, LUMP_EINPUT,
            "expected a string holding a rational, found a real number "
            "(write it as a string such as \"0.1\" or \"1/10\": a JSON number "
            "with a fraction or an exponent reaches the reader as a binary "
            "double, which cannot carry an exact decimal)");
    return lump_i_jpath_error(p, LUMP_EINPUT, "expected a string holding a rational, found %s",
                              lump_i_json_type_name(v));
}

json_t *lump_i_json_from_q(const mpq_t v)
{
    char *s = lump_rat_str(v);
    json_t *j = json_string(s);
    free(s);
    return j;
}

lump_error_t lump_i_json_set_new(json_t *obj, const char *key, json_t *val)
{
    /* jansson's allocations cannot fail (they exit), so this is a value
     * JSON cannot hold: a string that is not UTF-8, a number that is not
     * finite */
    if (val == NULL || json_object_set_new(obj, key, val) != 0)
        return lump_error_set(LUMP_EINPUT,
                              "JSON member \"%s\": a value JSON cannot hold (a string that is "
                              "not UTF-8, or a number that is not finite)",
                              key);
    return LUMP_OK;
}

lump_error_t lump_i_json_set_take(json_t *obj, const char *key, json_t **val)
{
    json_t *v = *val;
    *val = NULL;
    return lump_i_json_set_new(obj, key, v);
}

lump_error_t lump_i_json_append_new(json_t *arr, json_t *val)
{
    if (val == NULL || json_array_append_new(arr, val) != 0)
        return lump_error_set(LUMP_EINPUT,
                              "JSON array: a value JSON cannot hold (a string that is not "
                              "UTF-8, or a number that is not finite)");
    return LUMP_OK;
}
