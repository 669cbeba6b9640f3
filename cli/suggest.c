/* suggest.c -- "did you mean": the nearest known word to a misspelt
 * command or option */
#include <string.h>
#include "cli.h"

#define WORD_MAX 64

/* Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, Damerau 1964): "redcue" is one step from "reduce", as a
 * reader counts it. Words past WORD_MAX are too far from any name anyway. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t d[WORD_MAX + 1][WORD_MAX + 1];
    if (n > WORD_MAX || m > WORD_MAX)
        return (size_t)-1;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* cli_suggest -- see cli.h. A word is suggested when at most a third of
 * its letters (at least one, the leading dashes not counted) need an edit,
 * or when the typed word is a prefix of exactly one candidate ("--tol" for
 * "--tolerance"); ties go to the first candidate, so the answer is
 * deterministic. */
const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
    char typed[WORD_MAX + 1];
    size_t len = strcspn(word, "="), best = (size_t)-1, letters, limit, prefixes = 0;
    const char *pick = NULL, *prefix_pick = NULL;
    if (len == 0 || len > WORD_MAX)
        return NULL;
    memcpy(typed, word, len);
    typed[len] = '\0';
    letters = len - strspn(typed, "-");
    limit = letters / 3 > 0 ? letters / 3 : 1;
    for (size_t k = 0; k < n; k++) {
        size_t dist;
        if (strcmp(typed, cands[k]) == 0)
            return NULL;
        dist = edit_distance(typed, cands[k]);
        if (dist < best) {
            best = dist;
            pick = cands[k];
        }
        if (letters >= 2 && strncmp(cands[k], typed, len) == 0) {
            prefixes++;
            prefix_pick = cands[k];
        }
    }
    if (best <= limit)
        return pick;
    return prefixes == 1 ? prefix_pick : NULL;
}
