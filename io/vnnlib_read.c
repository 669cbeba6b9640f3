/* vnnlib_read.c -- read the input box of a VNN-LIB property (an s-expression reader) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet/error.h"
#include "lumpnet/rat.h"
#include "lumpnet/box.h"
#include "lumpnet/io.h"
#include "alloc_i.h"

/* VNN-LIB is a subset of SMT-LIB 2: a sequence of s-expressions. We read
 * one top-level form at a time into a flat array of nodes, take the input
 * declarations and the bounds asserted on them, and skip everything that
 * concerns the outputs. Nesting is bounded so that hostile input cannot
 * exhaust the stack. */
#define MAX_DEPTH 100

/* A node of the current form, in pre-order. A list's children follow it;
 * END is the index just past its last descendant (idx + 1 for atoms). */
typedef struct {
    int list;
    const char *s; /* atom text */
    size_t len;
    size_t line;
    size_t end;
} node_t;

/* What we know about input X_i. */
typedef struct {
    int declared, has_lo, has_hi;
    size_t decl_line, lo_line, hi_line;
    mpq_t lo, hi;
} var_t;

typedef struct {
    const char *buf, *name;
    size_t len, pos, line;
    node_t *nodes;
    size_t nn, ncap;
    var_t *vars;
    size_t nvars; /* entries initialised in VARS */
    size_t max_index; /* an index above this cannot come from a file of LEN bytes */
} reader_t;

/* reader_init / _clear -- a reader of BUF[0..len), named NAME in messages
 * ("vnnlib" when NULL); free what it holds. O(1) / O(inputs). */
static void reader_init(reader_t *r, const char *buf, size_t len, const char *name)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    r->line = 1;
    r->name = name != NULL ? name : "vnnlib";
    /* Each input needs a declaration and two bounds, far more than 16
     * bytes, so a larger index cannot describe a real box. */
    r->max_index = len / 16;
}

static void reader_clear(reader_t *r)
{
    for (size_t i = 0; i < r->nvars; i++) {
        mpq_clear(r->vars[i].lo);
        mpq_clear(r->vars[i].hi);
    }
    free(r->vars);
    free(r->nodes);
}

/* skip_space -- whitespace and ';' comments, counting lines. */
static void skip_space(reader_t *r)
{
    while (r->pos < r->len) {
        char c = r->buf[r->pos];
        if (c == '\n') {
            r->line++;
            r->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            r->pos++;
        } else if (c == ';') {
            while (r->pos < r->len && r->buf[r->pos] != '\n')
                r->pos++;
        } else {
            break;
        }
    }
}

static int is_delim(char c)
{
    return c == '(' || c == ')' || c == ';' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == '\f' || c == '\v';
}

/* push_node -- append a node; returns its index through *IDX. */
static void push_node(reader_t *r, size_t *idx, int list, const char *s, size_t len)
{
    if (r->nn == r->ncap) {
        size_t cap = r->ncap == 0 ? 64 : 2 * r->ncap;
        node_t *nd = lump_realloc_array(r->nodes, cap, sizeof *nd);
        r->nodes = nd;
        r->ncap = cap;
    }
    r->nodes[r->nn].list = list;
    r->nodes[r->nn].s = s;
    r->nodes[r->nn].len = len;
    r->nodes[r->nn].line = r->line;
    r->nodes[r->nn].end = r->nn + 1;
    *idx = r->nn++;
}

/* read_form -- the next top-level form into R->nodes; *GOT = 0 at the end
 * of the text. Errors: unbalanced parentheses (naming the line of the '('
 * never closed, or of the stray ')'), nesting deeper than MAX_DEPTH, bytes
 * that cannot occur in a text file, a top-level atom. */
static lump_error_t read_form(reader_t *r, int *got)
{
    size_t stack[MAX_DEPTH];
    size_t depth = 0, idx;
    r->nn = 0;
    *got = 0;
    skip_space(r);
    if (r->pos >= r->len)
        return LUMP_OK;
    if (r->buf[r->pos] == ')')
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: unbalanced parentheses: ')' without a matching '('",
                              r->name, r->line);
    if (r->buf[r->pos] != '(')
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: expected '(' at the start of a command",
                              r->name, r->line);
    for (;;) {
        unsigned char c;
        skip_space(r);
        if (r->pos >= r->len)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: line %zu: unbalanced parentheses: the '(' opened on this "
                                  "line is never closed",
                                  r->name, r->nodes[0].line);
        c = (unsigned char)r->buf[r->pos];
        if (c == '(') {
            if (depth == MAX_DEPTH)
                return lump_error_set(LUMP_EINPUT,
                                      "%s: line %zu: expressions nested deeper than %d levels",
                                      r->name, r->line, MAX_DEPTH);
            push_node(r, &idx, 1, r->buf + r->pos, 1);
            stack[depth++] = idx;
            r->pos++;
        } else if (c == ')') {
            idx = stack[--depth];
            r->nodes[idx].end = r->nn;
            r->pos++;
            if (depth == 0) {
                *got = 1;
                return LUMP_OK;
            }
        } else {
            size_t start = r->pos;
            while (r->pos < r->len && !is_delim(r->buf[r->pos])) {
                c = (unsigned char)r->buf[r->pos];
                if (c < 0x20 || c >= 0x7f)
                    return lump_error_set(LUMP_EINPUT,
                                          "%s: line %zu: unexpected byte 0x%02x (not a VNN-LIB "
                                          "text)",
                                          r->name, r->line, c);
                r->pos++;
            }
            push_node(r, &idx, 0, r->buf + start, r->pos - start);
        }
    }
}

static int atom_is(const node_t *n, const char *s)
{
    return !n->list && n->len == strlen(s) && memcmp(n->s, s, n->len) == 0;
}

/* Variable classes of an atom. */
enum { V_NONE, V_X, V_Y };

/* classify -- V_X (with *IDX) for X_<digits>, V_Y for Y_<digits>, else
 * V_NONE. An X index above R->max_index is refused: no file of this size
 * can declare and bound that many inputs. So is an X index with a leading
 * zero (X_00, X_01): SMT-LIB reads X_00 and X_0 as two different symbols,
 * so taking one for the other would change the property, and treating
 * X_00 as a name of its own would only lead to a puzzling "undeclared" or
 * "no bound" error later. The strict reading names the actual problem. */
static lump_error_t classify(const reader_t *r, const node_t *n, int *cls, size_t *idx)
{
    size_t i, v = 0;
    *cls = V_NONE;
    if (n->list || n->len < 3 || (n->s[0] != 'X' && n->s[0] != 'Y') || n->s[1] != '_')
        return LUMP_OK;
    for (i = 2; i < n->len; i++)
        if (n->s[i] < '0' || n->s[i] > '9')
            return LUMP_OK;
    if (n->s[0] == 'Y') {
        *cls = V_Y;
        return LUMP_OK;
    }
    if (n->len > 3 && n->s[2] == '0')
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: '%.*s' is not a canonical input name: inputs are "
                              "X_0, X_1, ... without leading zeros (SMT-LIB reads X_00 and X_0 "
                              "as different symbols, so lumpnet takes neither for the other)",
                              r->name, n->line, (int)(n->len > 40 ? 40 : n->len), n->s);
    for (i = 2; i < n->len; i++) {
        v = v * 10 + (size_t)(n->s[i] - '0');
        if (v > r->max_index)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: line %zu: input index %.*s is absurd for a file of %zu "
                                  "bytes",
                                  r->name, n->line, (int)(n->len > 40 ? 40 : n->len), n->s,
                                  r->len);
    }
    *cls = V_X;
    *idx = v;
    return LUMP_OK;
}

/* mentions -- 1 when the subtree at K names a variable V_<...> (V is 'X'
 * for inputs, 'Y' for outputs). */
static int mentions(const reader_t *r, size_t k, char v)
{
    size_t i;
    for (i = k; i < r->nodes[k].end; i++) {
        const node_t *n = &r->nodes[i];
        if (!n->list && n->len >= 2 && n->s[0] == v && n->s[1] == '_')
            return 1;
    }
    return 0;
}

/* declare -- record the declaration of X_IDX on LINE. */
static lump_error_t declare(reader_t *r, size_t idx, size_t line)
{
    if (idx >= r->nvars) {
        size_t cap = r->nvars == 0 ? 16 : 2 * r->nvars, i;
        var_t *nv;
        if (cap <= idx)
            cap = idx + 1;
        nv = lump_realloc_array(r->vars, cap, sizeof *nv);
        r->vars = nv;
        for (i = r->nvars; i < cap; i++) {
            memset(&nv[i], 0, sizeof nv[i]);
            mpq_init(nv[i].lo);
            mpq_init(nv[i].hi);
        }
        r->nvars = cap;
    }
    if (r->vars[idx].declared)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: X_%zu is declared twice (first on line %zu)",
                              r->name, line, idx, r->vars[idx].decl_line);
    r->vars[idx].declared = 1;
    r->vars[idx].decl_line = line;
    return LUMP_OK;
}

/* eval_const -- OUT = the value of the constant expression at node K: a
 * number, or (- a), (- a b ...), (+ ...), (* ...), (/ a b) of constants. */
static lump_error_t eval_const(reader_t *r, size_t k, mpq_t out)
{
    lump_error_t err = LUMP_OK;
    const node_t *n = &r->nodes[k];
    size_t c, nargs = 0, head = k + 1;
    mpq_t t;
    if (!n->list) {
        if (lump_rat_parse(out, n->s, n->len) != LUMP_OK)
            return lump_error_prefix(LUMP_EINPUT, "%s: line %zu: constant", r->name, n->line);
        return LUMP_OK;
    }
    if (head >= n->end || r->nodes[head].list ||
        !(atom_is(&r->nodes[head], "-") || atom_is(&r->nodes[head], "+") ||
          atom_is(&r->nodes[head], "*") || atom_is(&r->nodes[head], "/")))
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: expected a constant (a number or an arithmetic "
                              "expression of numbers)",
                              r->name, n->line);
    for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end)
        nargs++;
    if (nargs == 0 || (atom_is(&r->nodes[head], "/") && nargs != 2))
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: wrong number of arguments to '%.*s'",
                              r->name, n->line, (int)r->nodes[head].len, r->nodes[head].s);
    mpq_init(t);
    c = r->nodes[head].end;
    LUMP_CHECK(eval_const(r, c, out));
    if (nargs == 1 && atom_is(&r->nodes[head], "-"))
        mpq_neg(out, out);
    for (c = r->nodes[c].end; c < n->end; c = r->nodes[c].end) {
        LUMP_CHECK(eval_const(r, c, t));
        switch (r->nodes[head].s[0]) {
        case '-':
            mpq_sub(out, out, t);
            break;
        case '+':
            mpq_add(out, out, t);
            break;
        case '*':
            mpq_mul(out, out, t);
            break;
        default:
            if (mpq_sgn(t) == 0) {
                err = lump_error_set(LUMP_EINPUT, "%s: line %zu: division by zero", r->name,
                                     n->line);
                goto cleanup;
            }
            mpq_div(out, out, t);
        }
    }
cleanup:
    mpq_clear(t);
    return err;
}

/* bound -- apply A <= B to the bounds VARS, where one side is X_i and the
 * other a constant. */
static lump_error_t bound(reader_t *r, var_t *vars, size_t a, size_t b, size_t line)
{
    lump_error_t err = LUMP_OK;
    int ca, cb;
    size_t ia = 0, ib = 0;
    var_t *v;
    mpq_t c;
    err = classify(r, &r->nodes[a], &ca, &ia);
    if (err == LUMP_OK)
        err = classify(r, &r->nodes[b], &cb, &ib);
    if (err != LUMP_OK)
        return err;
    if (mentions(r, a, 'Y') || mentions(r, b, 'Y'))
        return LUMP_OK; /* an output constraint: not part of the box */
    if (!mentions(r, a, 'X') && !mentions(r, b, 'X'))
        return LUMP_OK; /* no variable: says nothing on the box */
    if (!(ca == V_X && !mentions(r, b, 'X')) && !(cb == V_X && !mentions(r, a, 'X')))
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: an input constraint that is not a bound (lumpnet "
                              "reads boxes: X_i <= c, X_i >= c)",
                              r->name, line);
    mpq_init(c);
    LUMP_CHECK(eval_const(r, ca == V_X ? b : a, c));
    {
        size_t i = ca == V_X ? ia : ib;
        if (i >= r->nvars || !vars[i].declared) {
            err = lump_error_set(LUMP_EINPUT, "%s: line %zu: X_%zu is used before it is declared",
                                 r->name, line, i);
            goto cleanup;
        }
        v = &vars[i];
    }
    if (ca == V_X) { /* X_i <= c */
        if (!v->has_hi || mpq_cmp(c, v->hi) < 0)
            mpq_set(v->hi, c);
        v->has_hi = 1;
        v->hi_line = line;
    } else { /* c <= X_i */
        if (!v->has_lo || mpq_cmp(c, v->lo) > 0)
            mpq_set(v->lo, c);
        v->has_lo = 1;
        v->lo_line = line;
    }
cleanup:
    mpq_clear(c);
    return err;
}

static lump_error_t constraint(reader_t *r, var_t *vars, size_t k);

/* vars_new -- N fresh entries (no bounds). */
static var_t *vars_new(size_t n)
{
    var_t *v = lump_alloc_array(n > 0 ? n : 1, sizeof *v);
    size_t i;
    for (i = 0; i < n; i++) {
        memset(&v[i], 0, sizeof v[i]);
        mpq_init(v[i].lo);
        mpq_init(v[i].hi);
    }
    return v;
}

static void vars_free(var_t *v, size_t n)
{
    size_t i;
    for (i = 0; v != NULL && i < n; i++) {
        mpq_clear(v[i].lo);
        mpq_clear(v[i].hi);
    }
    free(v);
}

static void vars_copy(var_t *dst, const var_t *src, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        dst[i].declared = src[i].declared;
        dst[i].has_lo = src[i].has_lo;
        dst[i].has_hi = src[i].has_hi;
        dst[i].decl_line = src[i].decl_line;
        dst[i].lo_line = src[i].lo_line;
        dst[i].hi_line = src[i].hi_line;
        mpq_set(dst[i].lo, src[i].lo);
        mpq_set(dst[i].hi, src[i].hi);
    }
}

/* vars_empty -- 1 when some input has lower bound above upper bound. */
static int vars_empty(const var_t *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (v[i].has_lo && v[i].has_hi && mpq_cmp(v[i].lo, v[i].hi) > 0)
            return 1;
    return 0;
}

/* vars_widen -- HULL := the smallest box holding HULL and ALT. */
static void vars_widen(var_t *hull, const var_t *alt, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (hull[i].has_lo && alt[i].has_lo) {
            if (mpq_cmp(alt[i].lo, hull[i].lo) < 0) {
                mpq_set(hull[i].lo, alt[i].lo);
                hull[i].lo_line = alt[i].lo_line;
            }
        } else {
            hull[i].has_lo = 0;
        }
        if (hull[i].has_hi && alt[i].has_hi) {
            if (mpq_cmp(alt[i].hi, hull[i].hi) > 0) {
                mpq_set(hull[i].hi, alt[i].hi);
                hull[i].hi_line = alt[i].hi_line;
            }
        } else {
            hull[i].has_hi = 0;
        }
    }
}

/* disjunction -- (or D_1 ... D_m) over inputs only, as in ACAS Xu
 * property 6 (two boxes). A box cannot hold a union, so VARS becomes the
 * smallest box containing every VARS AND D_i (its hull): a superset of the
 * property's input region, which keeps bounds computed over it sound.
 * Empty alternatives contribute nothing. */
static lump_error_t disjunction(reader_t *r, var_t *vars, size_t k)
{
    lump_error_t err = LUMP_OK;
    size_t n = r->nvars, c;
    var_t *alt = vars_new(n), *hull = vars_new(n);
    int have = 0, hull_empty = 0;
    for (c = r->nodes[k + 1].end; c < r->nodes[k].end; c = r->nodes[c].end) {
        vars_copy(alt, vars, n);
        LUMP_CHECK(constraint(r, alt, c));
        if (!have || (hull_empty && !vars_empty(alt, n))) {
            vars_copy(hull, alt, n);
            hull_empty = vars_empty(alt, n);
            have = 1;
        } else if (!vars_empty(alt, n)) {
            vars_widen(hull, alt, n);
        }
    }
    if (have)
        vars_copy(vars, hull, n);
cleanup:
    vars_free(alt, n);
    vars_free(hull, n);
    return err;
}

/* constraint -- the boolean expression at node K of an assert, applied to
 * the bounds VARS. Bounds and conjunctions of bounds shape the box, a
 * disjunction over inputs only gives its hull; constraints naming outputs
 * are skipped. Other connectives (not, =>, xor, ite, ...) over inputs
 * alone are refused: the complement of a box is not a box, and skipping
 * them silently would read a different property than the file states. */
static lump_error_t constraint(reader_t *r, var_t *vars, size_t k)
{
    lump_error_t err = LUMP_OK;
    const node_t *n = &r->nodes[k];
    size_t head = k + 1, c, prev;
    int le, ge, eq;
    if (!n->list || head >= n->end || r->nodes[head].list)
        return LUMP_OK;
    if (atom_is(&r->nodes[head], "and")) {
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end)
            LUMP_CHECK(constraint(r, vars, c));
        return LUMP_OK;
    }
    if (atom_is(&r->nodes[head], "or")) {
        if (mentions(r, k, 'Y') || !mentions(r, k, 'X'))
            return LUMP_OK; /* an output property */
        return disjunction(r, vars, k);
    }
    /* Strict comparisons bound the closure, the box the verifier needs. */
    le = atom_is(&r->nodes[head], "<=") || atom_is(&r->nodes[head], "<");
    ge = atom_is(&r->nodes[head], ">=") || atom_is(&r->nodes[head], ">");
    eq = atom_is(&r->nodes[head], "=");
    if (!le && !ge && !eq) {
        if (mentions(r, k, 'Y') || !mentions(r, k, 'X'))
            return LUMP_OK; /* about the outputs, or about nothing */
        if (atom_is(&r->nodes[head], "not"))
            return lump_error_set(LUMP_EINPUT,
                                  "%s: line %zu: (not ...) over inputs is not supported: "
                                  "lumpnet reads input boxes, and the complement of a box is "
                                  "not a box (state the bounds instead, e.g. (>= X_0 c) for "
                                  "(not (< X_0 c)))",
                                  r->name, n->line);
        return lump_error_set(LUMP_EINPUT,
                              "%s: line %zu: '(%.*s ...)' over inputs is not supported "
                              "(lumpnet reads input boxes: bounds on X_i, and, or)",
                              r->name, n->line,
                              (int)(r->nodes[head].len > 40 ? 40 : r->nodes[head].len),
                              r->nodes[head].s);
    }
    prev = r->nodes[head].end;
    if (prev >= n->end || r->nodes[prev].end >= n->end)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: a comparison needs two operands",
                              r->name, n->line);
    /* SMT-LIB comparisons chain: (<= a b c) is a <= b and b <= c. */
    for (c = r->nodes[prev].end; c < n->end; prev = c, c = r->nodes[c].end) {
        if (le || eq)
            LUMP_CHECK(bound(r, vars, prev, c, n->line));
        if (ge || eq)
            LUMP_CHECK(bound(r, vars, c, prev, n->line));
    }
cleanup:
    return err;
}

/* command -- one top-level form: declarations of X_i, asserts; others
 * (set-logic, check-sat, declarations of Y_j, ...) are skipped. */
static lump_error_t command(reader_t *r)
{
    const node_t *n = &r->nodes[0];
    size_t head = 1, a1, a2, idx = 0;
    int cls;
    lump_error_t err = LUMP_OK;
    if (head >= n->end || r->nodes[head].list)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: a command must start with its name",
                              r->name, n->line);
    a1 = r->nodes[head].end;
    if (atom_is(&r->nodes[head], "declare-const") || atom_is(&r->nodes[head], "declare-fun")) {
        int fun = atom_is(&r->nodes[head], "declare-fun");
        if (a1 >= n->end)
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: declaration without a name",
                                  r->name, n->line);
        LUMP_CHECK(classify(r, &r->nodes[a1], &cls, &idx));
        if (cls != V_X)
            return LUMP_OK;
        a2 = r->nodes[a1].end;
        if (fun && a2 < n->end && r->nodes[a2].list && r->nodes[a2].end == a2 + 1)
            a2 = r->nodes[a2].end; /* the empty argument list of a constant */
        if (a2 >= n->end || !atom_is(&r->nodes[a2], "Real") || r->nodes[a2].end != n->end)
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: input X_%zu must be declared Real",
                                  r->name, n->line, idx);
        return declare(r, idx, n->line);
    }
    if (atom_is(&r->nodes[head], "assert")) {
        if (a1 >= n->end || r->nodes[a1].end != n->end)
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: assert takes one expression",
                                  r->name, n->line);
        return constraint(r, r->vars, a1);
    }
cleanup:
    return err;
}

/* finish -- the box of the declared inputs, after every check. */
static lump_error_t finish(reader_t *r, lump_box_t *box)
{
    lump_error_t err = LUMP_OK;
    size_t n = 0, i;
    for (i = 0; i < r->nvars; i++)
        if (r->vars[i].declared)
            n = i + 1;
    if (n == 0)
        return lump_error_set(LUMP_EINPUT, "%s: no input variable (X_0, X_1, ...) is declared",
                              r->name);
    for (i = 0; i < n; i++) {
        var_t *v = &r->vars[i];
        if (!v->declared)
            return lump_error_set(LUMP_EINPUT,
                                  "%s: X_%zu is not declared, but X_%zu is (inputs must be X_0 "
                                  "to X_%zu without gaps)",
                                  r->name, i, n - 1, n - 1);
        if (!v->has_lo)
            return lump_error_set(LUMP_EINPUT, "%s: X_%zu has no lower bound", r->name, i);
        if (!v->has_hi)
            return lump_error_set(LUMP_EINPUT, "%s: X_%zu has no upper bound", r->name, i);
        if (mpq_cmp(v->lo, v->hi) > 0) {
            char *ls = lump_rat_str(v->lo), *us = lump_rat_str(v->hi);
            lump_error_set(LUMP_EINPUT,
                           "%s: line %zu: the box is empty: X_%zu has lower bound %s above its "
                           "upper bound %s",
                           r->name, v->lo_line > v->hi_line ? v->lo_line : v->hi_line, i, ls, us);
            free(ls);
            free(us);
            return LUMP_EINPUT;
        }
    }
    LUMP_CHECK(lump_box_alloc(box, n));
    for (i = 0; i < n; i++) {
        mpq_set(box->lo[i], r->vars[i].lo);
        mpq_set(box->hi[i], r->vars[i].hi);
    }
cleanup:
    return err;
}

/* lump_box_read_vnnlib_buf -- the input box of the VNN-LIB text
 * BUF[0..len): inputs X_0 .. X_{n-1} declared with declare-const (or
 * declare-fun), each bounded below and above by asserts (<= X_i c),
 * (>= X_i c), (<= c X_i), ..., possibly inside (and ...); several bounds on
 * one input intersect. Constants are exact decimals, p/q, or (- c).
 * A disjunction (or ...) of input boxes gives their hull, the smallest box
 * holding them all (a superset of the property's region). Output
 * variables Y_j and every constraint naming them are skipped. BOX is replaced only on success. Errors (LUMP_EINPUT) name
 * NAME and the line: unbalanced parentheses, nesting over 100 levels,
 * non-numeric constants, missing bounds (naming the input), empty boxes,
 * gaps among the X_i, indices too large for the file.
 * Complexity: O(len) plus the cost of the numbers. */
lump_error_t lump_box_read_vnnlib_buf(lump_box_t *box, const char *buf, size_t len,
                                      const char *name)
{
    lump_error_t err = LUMP_OK;
    reader_t r;
    lump_box_t tmp;
    int got;
    lump_require(box != NULL && (buf != NULL || len == 0), "lump_box_read_vnnlib_buf");
    reader_init(&r, buf, len, name);
    lump_box_init(&tmp);
    for (;;) {
        LUMP_CHECK(read_form(&r, &got));
        if (!got)
            break;
        LUMP_CHECK(command(&r));
    }
    LUMP_CHECK(finish(&r, &tmp));
    lump_box_clear(box);
    *box = tmp;
    lump_box_init(&tmp);
cleanup:
    lump_box_clear(&tmp);
    reader_clear(&r);
    return err;
}


/* ---- the output constraints ------------------------------------------
 * VNN-LIB asserts state the counterexample: inputs in the box whose
 * outputs satisfy the asserted constraints on Y. Those constraints are
 * read as a disjunction of conjunctions of linear inequalities (DNF):
 * the asserts are a conjunction, (and ...) multiplies out, (or ...)
 * unites. */

/* The largest DNF accepted: multiplying out conjunctions of disjunctions
 * grows as a product; real properties have at most a few dozen terms. */
#define MAX_TERMS 4096

typedef struct {
    size_t n_terms, cap;
    lump_outterm_t *terms;
} dnf_t;

static void lin_init(lump_lin_t *l, size_t n)
{
    l->n = n;
    l->coef = lump_alloc_array(n + 1, sizeof *l->coef);
    for (size_t j = 0; j < n; j++)
        mpq_init(l->coef[j]);
    mpq_init(l->constant);
    l->strict = 0;
}

static void lin_clear(lump_lin_t *l)
{
    for (size_t j = 0; j < l->n; j++)
        mpq_clear(l->coef[j]);
    free(l->coef);
    mpq_clear(l->constant);
    memset(l, 0, sizeof *l);
}

static void lin_copy(lump_lin_t *dst, const lump_lin_t *src)
{
    lin_init(dst, src->n);
    for (size_t j = 0; j < src->n; j++)
        mpq_set(dst->coef[j], src->coef[j]);
    mpq_set(dst->constant, src->constant);
    dst->strict = src->strict;
}

static void term_clear(lump_outterm_t *t)
{
    for (size_t k = 0; k < t->n; k++)
        lin_clear(&t->ineq[k]);
    free(t->ineq);
    memset(t, 0, sizeof *t);
}

static void dnf_clear(dnf_t *d)
{
    for (size_t k = 0; k < d->n_terms; k++)
        term_clear(&d->terms[k]);
    free(d->terms);
    memset(d, 0, sizeof *d);
}

static lump_outterm_t *dnf_push(dnf_t *d)
{
    if (d->n_terms == d->cap) {
        d->cap = d->cap == 0 ? 4 : 2 * d->cap;
        d->terms = lump_realloc_array(d->terms, d->cap, sizeof *d->terms);
    }
    memset(&d->terms[d->n_terms], 0, sizeof d->terms[0]);
    return &d->terms[d->n_terms++];
}

static void term_add(lump_outterm_t *t, const lump_lin_t *l)
{
    t->ineq = lump_realloc_array(t->ineq, t->n + 1, sizeof *t->ineq);
    lin_copy(&t->ineq[t->n++], l);
}

/* The Y index of atom N (V_Y), checked against the N_OUTPUTS declared. */
static lump_error_t y_index(const reader_t *r, const node_t *n, size_t n_outputs, size_t *j)
{
    size_t v = 0;
    for (size_t i = 2; i < n->len; i++) {
        v = v * 10 + (size_t)(n->s[i] - '0');
        if (v >= n_outputs)
            return lump_error_set(LUMP_EINPUT, "%s: line %zu: %.*s is not a declared output",
                                  r->name, n->line, (int)(n->len > 40 ? 40 : n->len), n->s);
    }
    *j = v;
    return LUMP_OK;
}

/* OUT += SIGN * (the linear expression over Y at node K): Y_j, numbers,
 * (+ ...), (- a), (- a b ...), (* c e) with one non-constant factor. */
static lump_error_t linear(reader_t *r, size_t k, size_t n_outputs, lump_lin_t *out,
                           const mpq_t sign)
{
    lump_error_t err = LUMP_OK;
    const node_t *n = &r->nodes[k];
    size_t head = k + 1, c, idx = 0;
    int cls;
    mpq_t t, s;
    mpq_init(t);
    mpq_init(s);
    LUMP_CHECK(classify(r, n, &cls, &idx));
    if (cls == V_X) {
        err = lump_error_set(LUMP_EUNSUPPORTED, "%s: line %zu: an output constraint that names "
                             "an input is not supported", r->name, n->line);
        goto cleanup;
    }
    if (cls == V_Y) {
        size_t j = 0;
        LUMP_CHECK(y_index(r, n, n_outputs, &j));
        mpq_add(out->coef[j], out->coef[j], sign);
    } else if (!mentions(r, k, 'Y') && !mentions(r, k, 'X')) {
        LUMP_CHECK(eval_const(r, k, t));
        mpq_mul(t, t, sign);
        mpq_add(out->constant, out->constant, t);
    } else if (n->list && head < n->end && !r->nodes[head].list &&
               (atom_is(&r->nodes[head], "+") || atom_is(&r->nodes[head], "-"))) {
        int minus = atom_is(&r->nodes[head], "-"), first = 1, args = 0;
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end)
            args++;
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end, first = 0) {
            mpq_set(s, sign);
            if (minus && (!first || args == 1))
                mpq_neg(s, s);
            LUMP_CHECK(linear(r, c, n_outputs, out, s));
        }
    } else if (n->list && head < n->end && atom_is(&r->nodes[head], "*")) {
        size_t var = 0, nvar = 0;
        mpq_set(s, sign);
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end) {
            if (mentions(r, c, 'Y') || mentions(r, c, 'X')) {
                var = c;
                nvar++;
            } else {
                LUMP_CHECK(eval_const(r, c, t));
                mpq_mul(s, s, t);
            }
        }
        if (nvar != 1) {
            err = lump_error_set(LUMP_EUNSUPPORTED, "%s: line %zu: a product of outputs is not "
                                 "linear", r->name, n->line);
            goto cleanup;
        }
        LUMP_CHECK(linear(r, var, n_outputs, out, s));
    } else {
        err = lump_error_set(LUMP_EUNSUPPORTED, "%s: line %zu: not a linear expression of the "
                             "outputs", r->name, n->line);
    }
cleanup:
    mpq_clear(t);
    mpq_clear(s);
    return err;
}

/* D = the DNF of the output formula at node K. */
static lump_error_t formula(reader_t *r, size_t k, size_t n_outputs, dnf_t *d)
{
    lump_error_t err = LUMP_OK;
    const node_t *n = &r->nodes[k];
    size_t head = k + 1, c, prev;
    int le, ge, eq, lt;
    dnf_t part, prod;
    memset(&part, 0, sizeof part);
    memset(&prod, 0, sizeof prod);
    if (!n->list || head >= n->end || r->nodes[head].list)
        return lump_error_set(LUMP_EINPUT, "%s: line %zu: expected a constraint", r->name,
                              n->line);
    if (atom_is(&r->nodes[head], "or")) {
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end) {
            LUMP_CHECK(formula(r, c, n_outputs, &part));
            for (size_t t = 0; t < part.n_terms; t++) {
                *dnf_push(d) = part.terms[t];
                memset(&part.terms[t], 0, sizeof part.terms[t]);
            }
            dnf_clear(&part);
        }
        goto cleanup;
    }
    if (atom_is(&r->nodes[head], "and")) {
        dnf_push(d); /* the empty conjunction: true */
        for (c = r->nodes[head].end; c < n->end; c = r->nodes[c].end) {
            LUMP_CHECK(formula(r, c, n_outputs, &part));
            if ((double)d->n_terms * (double)part.n_terms > MAX_TERMS) {
                err = lump_error_set(LUMP_EUNSUPPORTED, "%s: line %zu: the output constraints "
                                     "multiply out to more than %d cases", r->name, n->line,
                                     MAX_TERMS);
                goto cleanup;
            }
            for (size_t a = 0; a < d->n_terms; a++)
                for (size_t b = 0; b < part.n_terms; b++) {
                    lump_outterm_t *t = dnf_push(&prod);
                    for (size_t q = 0; q < d->terms[a].n; q++)
                        term_add(t, &d->terms[a].ineq[q]);
                    for (size_t q = 0; q < part.terms[b].n; q++)
                        term_add(t, &part.terms[b].ineq[q]);
                }
            dnf_clear(d);
            *d = prod;
            memset(&prod, 0, sizeof prod);
            dnf_clear(&part);
        }
        goto cleanup;
    }
    le = atom_is(&r->nodes[head], "<=") || atom_is(&r->nodes[head], "<");
    ge = atom_is(&r->nodes[head], ">=") || atom_is(&r->nodes[head], ">");
    eq = atom_is(&r->nodes[head], "=");
    lt = atom_is(&r->nodes[head], "<") || atom_is(&r->nodes[head], ">");
    if (!le && !ge && !eq) {
        err = lump_error_set(LUMP_EUNSUPPORTED, "%s: line %zu: '(%.*s ...)' in an output "
                             "constraint is not supported (comparisons, and, or)", r->name,
                             n->line, (int)(r->nodes[head].len > 40 ? 40 : r->nodes[head].len),
                             r->nodes[head].s);
        goto cleanup;
    }
    prev = r->nodes[head].end;
    if (prev >= n->end || r->nodes[prev].end >= n->end) {
        err = lump_error_set(LUMP_EINPUT, "%s: line %zu: a comparison needs two operands",
                             r->name, n->line);
        goto cleanup;
    }
    {
        lump_outterm_t *t = dnf_push(d);
        mpq_t one, mone;
        mpq_init(one);
        mpq_init(mone);
        mpq_set_si(one, 1, 1);
        mpq_set_si(mone, -1, 1);
        /* each link a OP b of a chain: a - b <= 0 (le), b - a <= 0 (ge) */
        for (c = r->nodes[prev].end; c < n->end && err == LUMP_OK; prev = c, c = r->nodes[c].end)
            for (int side = 0; side < 2 && err == LUMP_OK; side++) {
                lump_lin_t l;
                if ((side == 0 && !(le || eq)) || (side == 1 && !(ge || eq)))
                    continue;
                lin_init(&l, n_outputs);
                l.strict = lt;
                err = linear(r, side == 0 ? prev : c, n_outputs, &l, one);
                if (err == LUMP_OK)
                    err = linear(r, side == 0 ? c : prev, n_outputs, &l, mone);
                if (err == LUMP_OK)
                    term_add(t, &l);
                lin_clear(&l);
            }
        mpq_clear(one);
        mpq_clear(mone);
    }
cleanup:
    dnf_clear(&part);
    dnf_clear(&prod);
    return err;
}

void lump_outspec_init(lump_outspec_t *s)
{
    memset(s, 0, sizeof *s);
}

void lump_outspec_clear(lump_outspec_t *s)
{
    dnf_t d = {s->n_terms, s->n_terms, s->terms};
    dnf_clear(&d);
    memset(s, 0, sizeof *s);
}

/* lump_outspec_read_vnnlib_buf -- see box.h. */
lump_error_t lump_outspec_read_vnnlib_buf(lump_outspec_t *spec, const char *buf, size_t len,
                                          const char *name)
{
    lump_error_t err = LUMP_OK;
    reader_t r;
    size_t n_outputs = 0;
    int got, any = 0;
    dnf_t all, part, prod;
    lump_require(spec != NULL && (buf != NULL || len == 0), "lump_outspec_read_vnnlib_buf");
    reader_init(&r, buf, len, name);
    memset(&all, 0, sizeof all);
    memset(&part, 0, sizeof part);
    memset(&prod, 0, sizeof prod);
    /* first pass: the declared outputs Y_0 .. Y_{m-1} */
    for (;;) {
        LUMP_CHECK(read_form(&r, &got));
        if (!got)
            break;
        if (r.nn > 2 && (atom_is(&r.nodes[1], "declare-const") || atom_is(&r.nodes[1], "declare-fun"))) {
            const node_t *v = &r.nodes[r.nodes[1].end];
            int cls;
            size_t idx;
            LUMP_CHECK(classify(&r, v, &cls, &idx));
            if (cls == V_Y && v->len < 12) {
                size_t j = (size_t)strtoul(v->s + 2, NULL, 10);
                if (j + 1 > n_outputs)
                    n_outputs = j + 1;
            }
        }
    }
    dnf_push(&all); /* no assert: true */
    r.pos = 0;
    r.line = 1;
    for (;;) {
        size_t a1;
        LUMP_CHECK(read_form(&r, &got));
        if (!got)
            break;
        if (r.nn < 3 || !atom_is(&r.nodes[1], "assert"))
            continue;
        a1 = r.nodes[1].end;
        if (!mentions(&r, a1, 'Y'))
            continue; /* an input bound: the box reader's */
        LUMP_CHECK(formula(&r, a1, n_outputs, &part));
        any = 1;
        if ((double)all.n_terms * (double)part.n_terms > MAX_TERMS) {
            err = lump_error_set(LUMP_EUNSUPPORTED, "%s: the output constraints multiply out to "
                                 "more than %d cases", r.name, MAX_TERMS);
            goto cleanup;
        }
        for (size_t a = 0; a < all.n_terms; a++)
            for (size_t b = 0; b < part.n_terms; b++) {
                lump_outterm_t *t = dnf_push(&prod);
                for (size_t q = 0; q < all.terms[a].n; q++)
                    term_add(t, &all.terms[a].ineq[q]);
                for (size_t q = 0; q < part.terms[b].n; q++)
                    term_add(t, &part.terms[b].ineq[q]);
            }
        dnf_clear(&all);
        all = prod;
        memset(&prod, 0, sizeof prod);
        dnf_clear(&part);
    }
    lump_outspec_clear(spec);
    spec->n_outputs = n_outputs;
    if (any) {
        spec->n_terms = all.n_terms;
        spec->terms = all.terms;
        memset(&all, 0, sizeof all);
    }
cleanup:
    dnf_clear(&all);
    dnf_clear(&part);
    dnf_clear(&prod);
    reader_clear(&r);
    return err;
}

/* read_path -- the file PATH read whole, then parsed by
 * lump_box_read_vnnlib_buf into BOX when BOX is not NULL, else by
 * lump_outspec_read_vnnlib_buf into SPEC (messages name PATH): the one
 * file step of both readers. O(file size) plus the parse. */
static lump_error_t read_path(lump_box_t *box, lump_outspec_t *spec, const char *path)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    lump_error_t err = lump_io_read_file(&buf, &len, path);
    if (err == LUMP_OK)
        err = box != NULL ? lump_box_read_vnnlib_buf(box, (const char *)buf, len, path)
                          : lump_outspec_read_vnnlib_buf(spec, (const char *)buf, len, path);
    free(buf);
    return err;
}

/* lump_box_read_vnnlib -- lump_box_read_vnnlib_buf on the file PATH
 * (messages name PATH). O(file size). */
lump_error_t lump_box_read_vnnlib(lump_box_t *box, const char *path)
{
    lump_require(box != NULL && path != NULL, "lump_box_read_vnnlib");
    return read_path(box, NULL, path);
}

/* lump_outspec_read_vnnlib -- see box.h. */
lump_error_t lump_outspec_read_vnnlib(lump_outspec_t *spec, const char *path)
{
    return read_path(NULL, spec, path);
}
