/* escape.c -- make bytes quoted from a file safe to print in a message */
#include <stddef.h>
#include "lumpnet/error.h"

/* The length of the valid UTF-8 sequence of a printable character that
 * starts at S (at most N bytes available), or 0 when the bytes there are
 * not one: ill-formed, overlong, a surrogate, or a C1 control character
 * (U+0080..U+009F, which terminals obey as commands). */
static size_t utf8_printable(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned cp;
    if (s[0] < 0xc2 || s[0] > 0xf4)
        return 0;
    len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (len > n)
        return 0;
    cp = s[0] & (0x7fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
        return 0;
    return len;
}

size_t lump_escape(char *dst, size_t cap, const char *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0, i = 0;
    lump_require(dst != NULL && cap > 0, "lump_escape");
    while (i < n && s[i] != '\0') {
        size_t k = 1;
        char e[4];
        const char *put = (const char *)&s[i];
        size_t m = 1;
        if (s[i] >= 0x80) {
            k = utf8_printable(s + i, n - i);
            m = k;
        }
        if (k == 0 || s[i] < 0x20 || s[i] == 0x7f) {
            /* \xNN for every byte that is not printable text */
            e[0] = '\\';
            e[1] = 'x';
            e[2] = hex[s[i] >> 4];
            e[3] = hex[s[i] & 15];
            put = e;
            m = 4;
            k = 1;
        }
        if (o + m >= cap)
            break;
        for (size_t j = 0; j < m; j++)
            dst[o++] = put[j];
        i += k;
    }
    dst[o] = '\0';
    return o;
}
