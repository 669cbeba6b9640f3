/* cert_json.c -- the JSON plumbing of the certificate formats: header,
 * names, required members, arrays of rationals */
#include <stdio.h>
#include <string.h>
#include "cert_json.h"

lump_error_t lump_i_json_read_header(size_t *version, lump_i_jpath_t *p, const json_t *root,
                                     const char *const *keys, const char *format, size_t vmin,
                                     size_t vmax, const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    const char *s;
    size_t len, ver;
    LUMP_CHECK(lump_i_json_expect_keys(p, root, keys));
    LUMP_CHECK(lump_i_json_member(&v, p, root, "format", 1));
    lump_i_jpath_key(p, "format");
    LUMP_CHECK(lump_i_json_get_string(&s, &len, p, v));
    if (len != strlen(format) || memcmp(s, format, len) != 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "is \"%.40s\", expected \"%s\"", s, format));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_key_size(&ver, p, root, "version", vmin, vmax, what));
    if (version != NULL)
        *version = ver;
cleanup:
    return err;
}

lump_error_t lump_i_json_set_header(json_t *root, const char *format, int version)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_set_new(root, "format", json_string(format)));
    LUMP_CHECK(lump_i_json_set_new(root, "version", json_integer(version)));
cleanup:
    return err;
}

lump_error_t lump_i_json_get_name(size_t *out, const lump_i_jpath_t *p, const json_t *v,
                                  const char *const *names)
{
    lump_error_t err = LUMP_OK;
    const char *s;
    char expected[256];
    size_t len, k, n, used = 0;
    LUMP_CHECK(lump_i_json_get_string(&s, &len, p, v));
    for (k = 0; names[k] != NULL; k++)
        if (len == strlen(names[k]) && memcmp(s, names[k], len) == 0) {
            *out = k;
            return LUMP_OK;
        }
    n = k;
    expected[0] = '\0';
    for (k = 0; k < n && used < sizeof expected; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = snprintf(expected + used, sizeof expected - used, "%s\"%s\"", sep, names[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    err = lump_i_jpath_error(p, LUMP_EINPUT, "is \"%.40s\", expected %s", s, expected);
cleanup:
    return err;
}

lump_error_t lump_i_json_key_size(size_t *out, lump_i_jpath_t *p, const json_t *obj,
                                  const char *key, size_t min, size_t max, const char *what)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    LUMP_CHECK(lump_i_json_member(&v, p, obj, key, 1));
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_get_size(out, p, v, min, max, what));
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

lump_error_t lump_i_json_key_q(mpq_t out, lump_i_jpath_t *p, const json_t *obj, const char *key)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    LUMP_CHECK(lump_i_json_member(&v, p, obj, key, 1));
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_get_q(out, p, v));
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

lump_error_t lump_i_json_get_q_array(mpq_t *out, lump_i_jpath_t *p, const json_t *v, size_t n,
                                     const char *what)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_expect_len(p, v, n, what));
    for (size_t k = 0; k < n; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(lump_i_json_get_q(out[k], p, json_array_get(v, k)));
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

json_t *lump_i_json_from_q_array(mpq_t *const v, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; a != NULL && k < n; k++)
        if (lump_i_json_append_new(a, lump_i_json_from_q(v[k])) != LUMP_OK) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* lump_i_json_format_is -- see cert_json.h. */
int lump_i_json_format_is(const char *buf, size_t len, const char *format)
{
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
    const char *s;
    int yes;
    if (root == NULL)
        return 0;
    s = json_string_value(json_object_get(root, "format"));
    yes = s != NULL && strcmp(s, format) == 0;
    json_decref(root);
    return yes;
}
