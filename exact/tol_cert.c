/* tol_cert.c -- the checker of tolerance certificates: a box, a tree of
 * splits covering it, and at every leaf the trusted bound <= EPS */
/* The checker reads the certificate strictly (docs/certificates.md): any
 * key, type, number or structure it does not expect makes the certificate
 * invalid, with the place named ("tree[17]: ..."). Every leaf's box is
 * rebuilt exactly (mpq) from the split path, enclosed in doubles outward,
 * bounded by the trusted leaf bound (tol_leaf.c, which shares no code with
 * bound/ and the finder) and compared with the tolerance exactly; the
 * finder's claimed leaf bounds are read but never trusted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cert_json.h"
#include "lumpnet/tolerance.h"
#include "lumpnet/progress.h"
#include "lumpnet/rat.h"
#include "alloc_i.h"
#include "grow_i.h"
#include "json_support.h"
#include "tol_i.h"

#define FORMAT_NAME "lumpnet-tolerance-certificate"
#define FORMAT_VERSION 1

static const char *const top_keys[] = {"format", "version", "tolerance", "outputs",
                                       "inputs", "box",     "tree",      NULL};
static const char *const node_keys[] = {"split", "at", "leaf", "exact", NULL};

/* lump_cert_is_tolerance -- see tolerance.h. */
int lump_cert_is_tolerance(const char *buf, size_t len)
{
    return lump_i_json_format_is(buf, len, FORMAT_NAME);
}

/* lump_tol_cert_info_init -- see tolerance.h. */
void lump_tol_cert_info_init(lump_tol_cert_info_t *info)
{
    mpq_init(info->tolerance);
    info->outputs = NULL;
    info->n_outputs = 0;
    lump_box_init(&info->box);
    info->leaves = 0;
    info->largest = 0;
}

/* lump_tol_cert_info_clear -- see tolerance.h. */
void lump_tol_cert_info_clear(lump_tol_cert_info_t *info)
{
    mpq_clear(info->tolerance);
    free(info->outputs);
    info->outputs = NULL;
    info->n_outputs = 0;
    lump_box_clear(&info->box);
}

/* OUT = the exact rational of the JSON string V (a number that is not a
 * string is refused: the format writes rationals as strings). */
static lump_error_t get_rat(mpq_t out, const lump_i_jpath_t *p, const json_t *v)
{
    const char *s;
    size_t len;
    lump_error_t err = lump_i_json_get_string(&s, &len, p, v);
    if (err != LUMP_OK)
        return err;
    err = lump_rat_parse(out, s, len);
    return err != LUMP_OK ? lump_i_jpath_prefix(p, err) : LUMP_OK;
}

/* A stack of node boxes for the preorder walk (no recursion: a hostile
 * tree may be as deep as it is long). */
typedef struct {
    mpq_t *lo, *hi; /* n each */
} nbox_t;

typedef struct {
    nbox_t *b;
    size_t len, cap, n;
} stack_t;

static nbox_t *stack_push(stack_t *s)
{
    const size_t had = s->cap;
    s->b = lump_i_grow(s->b, &s->cap, s->len, sizeof *s->b, 16);
    for (size_t k = had; k < s->cap; k++) { /* each slot's box made once */
        s->b[k].lo = lump_alloc_array(s->n ? s->n : 1, sizeof(mpq_t));
        s->b[k].hi = lump_alloc_array(s->n ? s->n : 1, sizeof(mpq_t));
        for (size_t i = 0; i < s->n; i++) {
            mpq_init(s->b[k].lo[i]);
            mpq_init(s->b[k].hi[i]);
        }
    }
    return &s->b[s->len++];
}

static void stack_free(stack_t *s)
{
    for (size_t k = 0; k < s->cap; k++) {
        lump_rat_vec_free(s->b[k].lo, s->n);
        lump_rat_vec_free(s->b[k].hi, s->n);
    }
    free(s->b);
}

static void box_copy(nbox_t *dst, const nbox_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mpq_set(dst->lo[i], src->lo[i]);
        mpq_set(dst->hi[i], src->hi[i]);
    }
}

/* "[lo, hi] x ..." of the first dimensions of B, for messages. */
static void box_text(char *buf, size_t size, const nbox_t *b, size_t n)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && pos + 1 < size; i++) {
        char *l = lump_rat_str(b->lo[i]), *h = lump_rat_str(b->hi[i]);
        int k = snprintf(buf + pos, size - pos, "%s[%s, %s]", i ? " x " : "", l ? l : "?",
                         h ? h : "?");
        free(l);
        free(h);
        if (k < 0)
            break;
        pos += (size_t)k;
    }
}

/* The walk of the tree: *FAIL set (with the message recorded) when the
 * certificate is invalid; errors only for what is not the certificate's
 * fault. */
typedef struct {
    const lump_tol_pair_t *pair;
    size_t n;
    mpq_t tol, q;
    double *dlo, *dhi;
    size_t leaves;
    double largest;
} walk_t;

/* The claim of a leaf into W->q: NODE has the member "exact" (EXACT = 1)
 * or "leaf" (EXACT = 0), a rational, and none of the keys of the other
 * kinds of node. The claim is read, never trusted. */
static lump_error_t read_claim(walk_t *w, lump_i_jpath_t *p, const json_t *node, int exact)
{
    const char *key = exact ? "exact" : "leaf", *other = exact ? "leaf" : "exact";
    json_t *v;
    lump_error_t err = lump_i_json_member(&v, p, node, key, 1);
    if (err != LUMP_OK)
        return err;
    if (json_object_get(node, "split") != NULL || json_object_get(node, "at") != NULL ||
        json_object_get(node, other) != NULL)
        return lump_i_jpath_error(p, LUMP_EINPUT, "%s has no \"split\", \"at\" or \"%s\"",
                                  exact ? "an exact leaf" : "a leaf", other);
    lump_i_jpath_key(p, key);
    err = get_rat(w->q, p, v);
    lump_i_jpath_pop(p);
    return err;
}

/* An exact leaf {"exact": "p/q"}: every activation is affine on the
 * leaf's exact box and the exact maximum there is at most the tolerance
 * (lump_tol_leaf_exact, recomputed; the claim is read, never trusted). */
static lump_error_t check_exact_leaf(walk_t *w, lump_i_jpath_t *p, const json_t *node,
                                     const nbox_t *b)
{
    char text[512];
    lump_error_t err = read_claim(w, p, node, 1);
    const lump_box_t leaf = {w->n, b->lo, b->hi};
    if (err != LUMP_OK)
        return err;
    w->leaves++;
    if (!lump_tol_leaf_exact(w->q, w->pair, &leaf)) {
        box_text(text, sizeof text, b, w->n);
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "the exact leaf's box %s is not decided exactly (a clip "
                                  "bends inside it, or more than 12 relu phases change there)",
                                  text);
    }
    {
        double d = mpq_get_d(w->q);
        if (!(d <= w->largest))
            w->largest = d;
    }
    if (mpq_cmp(w->q, w->tol) > 0) {
        char *t = lump_rat_str(w->tol), *m = lump_rat_str(w->q);
        box_text(text, sizeof text, b, w->n);
        err = lump_i_jpath_error(p, LUMP_EINPUT,
                                 "the exact maximum %s on the leaf's box %s exceeds the "
                                 "tolerance %s",
                                 m ? m : "?", text, t ? t : "?");
        free(t);
        free(m);
        return err;
    }
    return LUMP_OK;
}

static lump_error_t check_leaf(walk_t *w, lump_i_jpath_t *p, const json_t *node, const nbox_t *b)
{
    double bound;
    char text[512];
    lump_error_t err = read_claim(w, p, node, 0); /* the finder's claim */
    if (err != LUMP_OK)
        return err;
    {
        /* the leaf's box enclosed as the finder is told to (tolerance.h) */
        const lump_box_t leaf = {w->n, b->lo, b->hi};
        lump_tol_enclose_box(w->dlo, w->dhi, &leaf);
    }
    bound = lump_tol_leaf_bound(w->pair, w->dlo, w->dhi);
    w->leaves++;
    if (!(bound <= w->largest))
        w->largest = bound;
    if (!isfinite(bound)) {
        box_text(text, sizeof text, b, w->n);
        return lump_i_jpath_error(p, LUMP_EINPUT,
                                  "the checker's bound on the leaf's box %s is not finite", text);
    }
    mpq_set_d(w->q, bound);
    if (mpq_cmp(w->q, w->tol) > 0) {
        char *t = lump_rat_str(w->tol);
        box_text(text, sizeof text, b, w->n);
        err = lump_i_jpath_error(p, LUMP_EINPUT,
                                 "the checker's bound %.17g on the leaf's box %s exceeds the "
                                 "tolerance %s",
                                 bound, text, t ? t : "?");
        free(t);
        return err;
    }
    return LUMP_OK;
}

/* Check the preorder list TREE over the root box ROOT. */
static lump_error_t walk_tree(walk_t *w, lump_i_jpath_t *p, const json_t *tree, const nbox_t *root)
{
    lump_error_t err = LUMP_OK;
    stack_t s = {NULL, 0, 0, w->n};
    size_t len, k;
    mpq_t at;
    mpq_init(at);
    LUMP_CHECK(lump_i_json_expect_array(&len, p, tree));
    box_copy(stack_push(&s), root, w->n);
    for (k = 0; k < len; k++) {
        const json_t *node = json_array_get(tree, k);
        nbox_t *b, *left, *right;
        json_t *v;
        size_t d;
        lump_i_jpath_index(p, k);
        if (lump_cancel_requested()) { /* Ctrl-C, or equiv's time limit */
            err = lump_error_set(LUMP_EINTERRUPTED, "interrupted");
            goto cleanup;
        }
        if (s.len == 0) {
            err = lump_i_jpath_error(p, LUMP_EINPUT,
                                     "extra entry: the tree is complete after %zu entries", k);
            goto cleanup;
        }
        LUMP_CHECK(lump_i_json_expect_object(p, node));
        LUMP_CHECK(lump_i_json_check_keys(p, node, node_keys));
        b = &s.b[--s.len];
        if (json_object_get(node, "leaf") != NULL) {
            LUMP_CHECK(check_leaf(w, p, node, b));
            lump_i_jpath_pop(p);
            continue;
        }
        if (json_object_get(node, "exact") != NULL) {
            LUMP_CHECK(check_exact_leaf(w, p, node, b));
            lump_i_jpath_pop(p);
            continue;
        }
        LUMP_CHECK(lump_i_json_member(&v, p, node, "split", 1));
        lump_i_jpath_key(p, "split");
        LUMP_CHECK(lump_i_json_get_size(&d, p, v, 0, w->n > 0 ? w->n - 1 : 0,
                                        "the split dimension (0-based, below the inputs)"));
        lump_i_jpath_pop(p);
        LUMP_CHECK(lump_i_json_member(&v, p, node, "at", 1));
        lump_i_jpath_key(p, "at");
        LUMP_CHECK(get_rat(at, p, v));
        if (mpq_cmp(at, b->lo[d]) <= 0 || mpq_cmp(at, b->hi[d]) >= 0) {
            char *a = lump_rat_str(at), *l = lump_rat_str(b->lo[d]), *h = lump_rat_str(b->hi[d]);
            err = lump_i_jpath_error(p, LUMP_EINPUT,
                                     "split point %s is not strictly inside the node's "
                                     "interval (%s, %s) of input %zu",
                                     a ? a : "?", l ? l : "?", h ? h : "?", d);
            free(a);
            free(l);
            free(h);
            goto cleanup;
        }
        lump_i_jpath_pop(p);
        /* the slot just popped still holds the node's box: it becomes the
         * part x_d >= at, and a copy with x_d <= at goes on top, to be
         * read next (preorder) */
        {
            size_t r = s.len;
            (void)stack_push(&s); /* slot r, the node's box */
            left = stack_push(&s);
            right = &s.b[r]; /* the second push may have moved the array */
            box_copy(left, right, w->n);
            mpq_set(left->hi[d], at);
            mpq_set(right->lo[d], at);
        }
        lump_i_jpath_pop(p);
    }
    if (s.len > 0) {
        err = lump_i_jpath_error(p, LUMP_EINPUT,
                                 "the list ends before the tree is complete (%zu subtree%s "
                                 "missing)",
                                 s.len, s.len == 1 ? "" : "s");
        goto cleanup;
    }
cleanup:
    mpq_clear(at);
    stack_free(&s);
    return err;
}

/* Record the current message as the reason, truncated to WHYLEN. */
static void set_why(char *why, size_t whylen)
{
    if (whylen > 0)
        snprintf(why, whylen, "%s", lump_error_message());
}

/* Read the header (everything but the tree) into INFO and the root box. */
static lump_error_t read_header(lump_tol_cert_info_t *info, nbox_t *root, lump_i_jpath_t *p,
                                const json_t *top, const lump_net_t *a, const lump_net_t *b)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    const char *s;
    size_t slen, version, n, len, na_out = lump_net_n_outputs(a), nb_out = lump_net_n_outputs(b);
    size_t max_out = na_out < nb_out ? na_out : nb_out;
    LUMP_CHECK(lump_i_json_expect_object(p, top));
    LUMP_CHECK(lump_i_json_check_keys(p, top, top_keys));
    LUMP_CHECK(lump_i_json_member(&v, p, top, "format", 1));
    lump_i_jpath_key(p, "format");
    LUMP_CHECK(lump_i_json_get_string(&s, &slen, p, v));
    if (slen != strlen(FORMAT_NAME) || memcmp(s, FORMAT_NAME, slen) != 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "expected \"%s\"", FORMAT_NAME));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, top, "version", 1));
    lump_i_jpath_key(p, "version");
    LUMP_CHECK(lump_i_json_get_size(&version, p, v, FORMAT_VERSION, FORMAT_VERSION,
                                    "the format version (this checker reads version 1)"));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, top, "tolerance", 1));
    lump_i_jpath_key(p, "tolerance");
    LUMP_CHECK(get_rat(info->tolerance, p, v));
    if (mpq_sgn(info->tolerance) < 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "the tolerance is negative"));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, top, "inputs", 1));
    lump_i_jpath_key(p, "inputs");
    LUMP_CHECK(lump_i_json_get_size(&n, p, v, a->n_inputs, a->n_inputs,
                                    "the number of inputs of A"));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, top, "outputs", 1));
    lump_i_jpath_key(p, "outputs");
    LUMP_CHECK(lump_i_json_expect_array(&len, p, v));
    if (len == 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "no output selected"));
    if (max_out == 0)
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "the networks have no outputs"));
    info->outputs = lump_alloc_array(len, sizeof *info->outputs);
    for (size_t j = 0; j < len; j++) {
        lump_i_jpath_index(p, j);
        LUMP_CHECK(lump_i_json_get_size(&info->outputs[j], p, json_array_get(v, j), 0,
                                        max_out - 1, "an output index of both networks"));
        for (size_t k = 0; k < j; k++)
            if (info->outputs[k] == info->outputs[j])
                LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "output %zu is repeated",
                                              info->outputs[j]));
        info->n_outputs = j + 1;
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, top, "box", 1));
    lump_i_jpath_key(p, "box");
    LUMP_CHECK(lump_i_json_expect_len(p, v, n, "the number of inputs"));
    LUMP_CHECK(lump_box_alloc(&info->box, n));
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        lump_i_jpath_index(p, i);
        LUMP_CHECK(lump_i_json_expect_len(p, e, 2, "a [lo, hi] pair"));
        lump_i_jpath_index(p, 0);
        LUMP_CHECK(get_rat(info->box.lo[i], p, json_array_get(e, 0)));
        lump_i_jpath_pop(p);
        lump_i_jpath_index(p, 1);
        LUMP_CHECK(get_rat(info->box.hi[i], p, json_array_get(e, 1)));
        lump_i_jpath_pop(p);
        if (mpq_cmp(info->box.lo[i], info->box.hi[i]) > 0)
            LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "lo > hi"));
        mpq_set(root->lo[i], info->box.lo[i]);
        mpq_set(root->hi[i], info->box.hi[i]);
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* lump_tol_cert_check_info -- see tolerance.h. */
lump_error_t lump_tol_cert_check_info(lump_verdict_t *valid, char *why, size_t whylen,
                                      lump_tol_cert_info_t *info_out, const lump_net_t *a,
                                      const lump_net_t *b, const char *buf, size_t len,
                                      const char *name)
{
    lump_error_t err = LUMP_OK, bad;
    lump_tol_cert_info_t own, *info = info_out != NULL ? info_out : &own;
    lump_tol_pair_t *pair = NULL;
    json_t *root = NULL, *tree;
    lump_i_jpath_t p;
    nbox_t rootbox = {NULL, NULL};
    walk_t w;
    size_t n = a->n_inputs;
    *valid = LUMP_FALSE;
    if (whylen > 0)
        why[0] = '\0';
    if (info == &own)
        lump_tol_cert_info_init(&own);
    mpq_inits(w.tol, w.q, NULL);
    w.dlo = lump_alloc_array(n ? n : 1, sizeof *w.dlo);
    w.dhi = lump_alloc_array(n ? n : 1, sizeof *w.dhi);
    w.n = n;
    w.leaves = 0;
    w.largest = 0;
    rootbox.lo = lump_alloc_array(n ? n : 1, sizeof(mpq_t));
    rootbox.hi = lump_alloc_array(n ? n : 1, sizeof(mpq_t));
    for (size_t i = 0; i < n; i++) {
        mpq_init(rootbox.lo[i]);
        mpq_init(rootbox.hi[i]);
    }
    /* the networks' faults are errors; everything after is a verdict */
    LUMP_CHECK(lump_net_validate(a, "network A"));
    LUMP_CHECK(lump_net_validate(b, "network B"));
    lump_i_jpath_init(&p, name);
    bad = lump_i_json_load(&root, buf, len, name);
    if (bad == LUMP_OK)
        bad = read_header(info, &rootbox, &p, root, a, b);
    if (bad == LUMP_OK && b->n_inputs != n)
        bad = lump_error_set(LUMP_EINPUT, "%s: A has %zu inputs but B has %zu", name, n,
                             b->n_inputs);
    if (bad == LUMP_OK) {
        bad = lump_tol_pair_new(&pair, a, b, info->outputs, info->n_outputs);
        if (bad != LUMP_OK)
            bad = lump_error_prefix(bad, "%s: the checker cannot bound these networks", name);
    }
    if (bad == LUMP_OK) {
        bad = lump_i_json_member(&tree, &p, root, "tree", 1);
        if (bad == LUMP_OK) {
            mpq_set(w.tol, info->tolerance);
            w.pair = pair;
            lump_i_jpath_key(&p, "tree");
            bad = walk_tree(&w, &p, tree, &rootbox);
        }
    }
    info->leaves = w.leaves;
    info->largest = w.largest;
    if (bad == LUMP_ENOMEM || bad == LUMP_EINTERNAL || bad == LUMP_EINTERRUPTED) {
        err = bad;
        goto cleanup;
    }
    if (bad != LUMP_OK)
        set_why(why, whylen);
    else
        *valid = LUMP_TRUE;
cleanup:
    json_decref(root);
    lump_tol_pair_free(pair);
    lump_rat_vec_free(rootbox.lo, n);
    lump_rat_vec_free(rootbox.hi, n);
    free(w.dlo);
    free(w.dhi);
    mpq_clears(w.tol, w.q, NULL);
    if (info == &own)
        lump_tol_cert_info_clear(&own);
    return err;
}

/* lump_tol_cert_check -- see tolerance.h. */
lump_error_t lump_tol_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                 const lump_net_t *a, const lump_net_t *b, const char *buf,
                                 size_t len, const char *name)
{
    return lump_tol_cert_check_info(valid, why, whylen, NULL, a, b, buf, len, name);
}
