/* stable_cert.c -- box certificates ("lumpnet-certificate" version 2) as
 * JSON: writing, and reading with shape checks only */
#include <stdlib.h>
#include <string.h>
#include "stable_i.h"
#include "cert_json.h"
#include "cert_json_i.h"
#include "alloc_i.h"

static const char *const kind_names[] = {"def", "act", "ge", "tri", NULL};
static const char *const side_names[] = {"upper", "lower", NULL};

/* ---- writing ------------------------------------------------------------ */

static json_t *size_array(const size_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; a != NULL && k < n; k++)
        if (lump_i_json_append_new(a, json_integer((json_int_t)v[k])) != LUMP_OK) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The writers below hand every value to its parent as soon as it is made
 * (lump_i_json_set_new and _append_new steal it), so that only the root
 * is left to free, whatever fails. */

static lump_error_t evidence_members(json_t *o, const lump_stable_layer_t *l, size_t k)
{
    lump_error_t err = LUMP_OK;
    const lump_lp_evidence_t *e = &l->evidence[k];
    json_t *rows;
    LUMP_CHECK(lump_i_json_set_new(o, "neuron", json_integer((json_int_t)e->neuron)));
    LUMP_CHECK(lump_i_json_set_new(o, "side", json_string(e->upper ? "upper" : "lower")));
    rows = json_array();
    LUMP_CHECK(lump_i_json_set_new(o, "rows", rows));
    for (size_t j = 0; j < e->n; j++) {
        json_t *r = json_array();
        LUMP_CHECK(lump_i_json_append_new(rows, r));
        LUMP_CHECK(lump_i_json_append_new(r, json_integer((json_int_t)e->layer[j] + 1)));
        LUMP_CHECK(lump_i_json_append_new(r, json_integer((json_int_t)e->row_neuron[j])));
        LUMP_CHECK(lump_i_json_append_new(r, json_string(kind_names[e->kind[j] & 3])));
        LUMP_CHECK(lump_i_json_append_new(r, lump_i_json_from_q(e->value[j])));
    }
cleanup:
    return err;
}

static lump_error_t fold_members(json_t *o, const lump_stable_layer_t *l, size_t k)
{
    lump_error_t err = LUMP_OK;
    const lump_fold_t *f = &l->fold[k];
    LUMP_CHECK(lump_i_json_set_new(o, "neuron", json_integer((json_int_t)f->neuron)));
    LUMP_CHECK(lump_i_json_set_new(o, "basis", size_array(f->basis, f->n_basis)));
    LUMP_CHECK(lump_i_json_set_new(o, "lambda", lump_i_json_from_q_array(f->lambda, f->n_basis)));
    LUMP_CHECK(lump_i_json_set_new(o, "mu", lump_i_json_from_q(f->mu)));
cleanup:
    return err;
}

/* Fills the object O with the K-th item of a list of the layer L. */
typedef lump_error_t (*item_writer_t)(json_t *o, const lump_stable_layer_t *l, size_t k);

/* O[KEY] = an array of N objects, the K-th filled by WRITE (the fold and
 * lp lists of a layer); no member when N = 0. */
static lump_error_t object_list(json_t *o, const char *key, size_t n, item_writer_t write,
                                const lump_stable_layer_t *l)
{
    lump_error_t err = LUMP_OK;
    json_t *a;
    if (n == 0)
        return LUMP_OK;
    a = json_array();
    LUMP_CHECK(lump_i_json_set_new(o, key, a));
    for (size_t k = 0; k < n; k++) {
        json_t *item = json_object();
        LUMP_CHECK(lump_i_json_append_new(a, item));
        LUMP_CHECK(write(item, l, k));
    }
cleanup:
    return err;
}

static lump_error_t slayer_members(json_t *o, const lump_stable_layer_t *l)
{
    lump_error_t err = LUMP_OK;
    LUMP_CHECK(lump_i_json_set_new(o, "size", json_integer((json_int_t)l->size)));
    if (l->has_bounds) {
        LUMP_CHECK(lump_i_json_set_new(o, "lo", lump_i_json_from_q_array(l->lo, l->size)));
        LUMP_CHECK(lump_i_json_set_new(o, "hi", lump_i_json_from_q_array(l->hi, l->size)));
    }
    if (l->n_inactive > 0)
        LUMP_CHECK(lump_i_json_set_new(o, "inactive", size_array(l->inactive, l->n_inactive)));
    LUMP_CHECK(object_list(o, "fold", l->n_fold, fold_members, l));
    LUMP_CHECK(object_list(o, "lp", l->n_evidence, evidence_members, l));
cleanup:
    return err;
}

/* A step: {"lumping": {...}} or {"stable": {"layers": [...]}}. */
static lump_error_t step_members(json_t *o, const lump_box_step_t *s)
{
    lump_error_t err = LUMP_OK;
    json_t *v = json_object(), *layers;
    if (s->kind == LUMP_STEP_LUMPING) {
        LUMP_CHECK(lump_i_json_set_new(o, "lumping", v));
        LUMP_CHECK(lump_i_cert_lumping_members(v, &s->lumping));
    } else {
        LUMP_CHECK(lump_i_json_set_new(o, "stable", v));
        layers = json_array();
        LUMP_CHECK(lump_i_json_set_new(v, "layers", layers));
        for (size_t i = 0; i < s->stable.n_layers; i++) {
            json_t *l = json_object();
            LUMP_CHECK(lump_i_json_append_new(layers, l));
            LUMP_CHECK(slayer_members(l, &s->stable.layers[i]));
        }
    }
cleanup:
    return err;
}

/* lump_box_cert_write -- see stable.h. Keys in the fixed order format,
 * version, inputs, box, steps; each step an object with one key,
 * "stable" or "lumping". Rationals as canonical lump_rat_str text.
 * Errors: LUMP_EIO. O(size of the certificate). */
lump_error_t lump_box_cert_write(FILE *f, const lump_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *box, *steps;
    LUMP_CHECK(lump_i_json_set_header(root, "lumpnet-certificate", 2));
    LUMP_CHECK(lump_i_json_set_new(root, "inputs", json_integer((json_int_t)cert->box.n)));
    box = json_object();
    LUMP_CHECK(lump_i_json_set_new(root, "box", box));
    LUMP_CHECK(lump_i_json_set_new(box, "lo", lump_i_json_from_q_array(cert->box.lo, cert->box.n)));
    LUMP_CHECK(lump_i_json_set_new(box, "hi", lump_i_json_from_q_array(cert->box.hi, cert->box.n)));
    steps = json_array();
    LUMP_CHECK(lump_i_json_set_new(root, "steps", steps));
    for (size_t k = 0; k < cert->n_steps; k++) {
        json_t *o = json_object();
        LUMP_CHECK(lump_i_json_append_new(steps, o));
        LUMP_CHECK(step_members(o, &cert->steps[k]));
    }
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(root);
    return err;
}

/* ---- reading ------------------------------------------------------------ */

static const char *const top_keys[] = {"format", "version", "inputs", "box", "steps", NULL};
static const char *const box_keys[] = {"lo", "hi", NULL};
static const char *const step_keys[] = {"stable", "lumping", NULL};
static const char *const stable_keys[] = {"layers", NULL};
static const char *const slayer_keys[] = {"size", "lo", "hi", "inactive", "fold", "lp", NULL};
static const char *const fold_keys[] = {"neuron", "basis", "lambda", "mu", NULL};
static const char *const lp_keys[] = {"neuron", "side", "rows", NULL};
static const char *const lumping_keys[] = {"mode", "inputs", "layers", NULL};

/* *OUT = a new array of the indices of the JSON array V, each < LIMIT. */
static lump_error_t read_indices(size_t **out, size_t *n, lump_i_jpath_t *p, const json_t *v,
                                 size_t limit, const char *what)
{
    lump_error_t err = LUMP_OK;
    size_t len;
    LUMP_CHECK(lump_i_json_expect_array(&len, p, v));
    *out = lump_alloc_array(len > 0 ? len : 1, sizeof **out);
    *n = len;
    for (size_t k = 0; k < len; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(lump_i_json_get_size(&(*out)[k], p, json_array_get(v, k), 0,
                                        limit > 0 ? limit - 1 : 0, what));
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

/* Reads the object O into the K-th item of a list of M in the layer L
 * (LI its index), allocating the list at K = 0 and counting the items
 * made, so that lump_box_cert_clear frees what a failure leaves. */
typedef lump_error_t (*item_reader_t)(lump_stable_layer_t *l, size_t k, size_t m,
                                      lump_i_jpath_t *p, const json_t *o, size_t li);

static lump_error_t read_fold(lump_stable_layer_t *l, size_t k, size_t m, lump_i_jpath_t *p,
                              const json_t *o, size_t li)
{
    lump_error_t err = LUMP_OK;
    lump_fold_t *f;
    json_t *v;
    (void)li;
    if (k == 0)
        l->fold = lump_alloc_zero(m, sizeof *l->fold);
    f = &l->fold[k];
    mpq_init(f->mu);
    l->n_fold = k + 1;
    LUMP_CHECK(lump_i_json_expect_keys(p, o, fold_keys));
    LUMP_CHECK(
        lump_i_json_key_size(&f->neuron, p, o, "neuron", 0, l->size - 1, "a neuron of the layer"));
    LUMP_CHECK(lump_i_json_member(&v, p, o, "basis", 1));
    lump_i_jpath_key(p, "basis");
    LUMP_CHECK(read_indices(&f->basis, &f->n_basis, p, v, l->size, "a neuron of the layer"));
    lump_i_jpath_pop(p);
    f->lambda = lump_alloc_array(f->n_basis > 0 ? f->n_basis : 1, sizeof *f->lambda);
    for (size_t j = 0; j < f->n_basis; j++)
        mpq_init(f->lambda[j]);
    LUMP_CHECK(lump_i_json_member(&v, p, o, "lambda", 1));
    lump_i_jpath_key(p, "lambda");
    LUMP_CHECK(lump_i_json_get_q_array(f->lambda, p, v, f->n_basis, "one lambda per basis neuron"));
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_key_q(f->mu, p, o, "mu"));
cleanup:
    return err;
}

static lump_error_t read_evidence(lump_stable_layer_t *l, size_t k, size_t m, lump_i_jpath_t *p,
                                  const json_t *o, size_t li)
{
    lump_error_t err = LUMP_OK;
    const size_t size = l->size;
    lump_lp_evidence_t *e;
    json_t *v;
    size_t n, side;
    if (k == 0)
        l->evidence = lump_alloc_zero(m, sizeof *l->evidence);
    e = &l->evidence[k];
    l->n_evidence = k + 1;
    LUMP_CHECK(lump_i_json_expect_keys(p, o, lp_keys));
    LUMP_CHECK(
        lump_i_json_key_size(&e->neuron, p, o, "neuron", 0, size - 1, "a neuron of the layer"));
    LUMP_CHECK(lump_i_json_member(&v, p, o, "side", 1));
    lump_i_jpath_key(p, "side");
    LUMP_CHECK(lump_i_json_get_name(&side, p, v, side_names));
    e->upper = side == 0;
    lump_i_jpath_pop(p);
    LUMP_CHECK(lump_i_json_member(&v, p, o, "rows", 1));
    lump_i_jpath_key(p, "rows");
    LUMP_CHECK(lump_i_json_expect_array(&n, p, v));
    e->layer = lump_alloc_array(n > 0 ? n : 1, sizeof *e->layer);
    e->row_neuron = lump_alloc_array(n > 0 ? n : 1, sizeof *e->row_neuron);
    e->kind = lump_alloc(n > 0 ? n : 1);
    e->value = lump_alloc_array(n > 0 ? n : 1, sizeof *e->value);
    for (size_t j = 0; j < n; j++) {
        json_t *r = json_array_get(v, j);
        size_t lay, kind;
        mpq_init(e->value[j]);
        e->n = j + 1;
        lump_i_jpath_index(p, j);
        LUMP_CHECK(lump_i_json_expect_len(p, r, 4, "[layer, neuron, kind, multiplier]"));
        lump_i_jpath_index(p, 0);
        LUMP_CHECK(lump_i_json_get_size(&lay, p, json_array_get(r, 0), 1, li > 0 ? li : 1,
                                        "a layer before the bound's layer"));
        if (li == 0)
            LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                          "layer 1 bounds take no multipliers "
                                          "(they follow from the box)"));
        e->layer[j] = lay - 1;
        lump_i_jpath_pop(p);
        lump_i_jpath_index(p, 1);
        LUMP_CHECK(lump_i_json_get_size(&e->row_neuron[j], p, json_array_get(r, 1), 0,
                                        lump_arr_max_len(), "a neuron index"));
        lump_i_jpath_pop(p);
        lump_i_jpath_index(p, 2);
        LUMP_CHECK(lump_i_json_get_name(&kind, p, json_array_get(r, 2), kind_names));
        e->kind[j] = (unsigned char)kind;
        lump_i_jpath_pop(p);
        lump_i_jpath_index(p, 3);
        LUMP_CHECK(lump_i_json_get_q(e->value[j], p, json_array_get(r, 3)));
        lump_i_jpath_pop(p);
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* The optional member KEY of O: an array of objects, the K-th read by
 * READ into the layer L. */
static lump_error_t read_list(lump_stable_layer_t *l, lump_i_jpath_t *p, const json_t *o,
                              const char *key, item_reader_t read, size_t li)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    size_t m;
    LUMP_CHECK(lump_i_json_member(&v, p, o, key, 0));
    if (v == NULL)
        return LUMP_OK;
    lump_i_jpath_key(p, key);
    LUMP_CHECK(lump_i_json_expect_array(&m, p, v));
    for (size_t k = 0; k < m; k++) {
        lump_i_jpath_index(p, k);
        LUMP_CHECK(read(l, k, m, p, json_array_get(v, k), li));
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

static lump_error_t read_slayer(lump_stable_layer_t *l, lump_i_jpath_t *p, const json_t *o,
                                size_t li)
{
    lump_error_t err = LUMP_OK;
    json_t *v, *lo, *hi;
    size_t n;
    LUMP_CHECK(lump_i_json_expect_keys(p, o, slayer_keys));
    LUMP_CHECK(
        lump_i_json_key_size(&n, p, o, "size", 1, lump_arr_max_len(), "the size of the layer"));
    l->lo = lump_alloc_array(n, sizeof *l->lo);
    l->hi = lump_alloc_array(n, sizeof *l->hi);
    for (size_t k = 0; k < n; k++) {
        mpq_init(l->lo[k]);
        mpq_init(l->hi[k]);
    }
    l->size = n;
    LUMP_CHECK(lump_i_json_member(&lo, p, o, "lo", 0));
    LUMP_CHECK(lump_i_json_member(&hi, p, o, "hi", 0));
    if ((lo == NULL) != (hi == NULL))
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "has only one of \"lo\" and \"hi\""));
    if (lo != NULL) {
        l->has_bounds = 1;
        lump_i_jpath_key(p, "lo");
        LUMP_CHECK(lump_i_json_get_q_array(l->lo, p, lo, n, "one bound per neuron"));
        lump_i_jpath_pop(p);
        lump_i_jpath_key(p, "hi");
        LUMP_CHECK(lump_i_json_get_q_array(l->hi, p, hi, n, "one bound per neuron"));
        lump_i_jpath_pop(p);
    }
    LUMP_CHECK(lump_i_json_member(&v, p, o, "inactive", 0));
    if (v != NULL) {
        lump_i_jpath_key(p, "inactive");
        LUMP_CHECK(read_indices(&l->inactive, &l->n_inactive, p, v, n, "a neuron of the layer"));
        lump_i_jpath_pop(p);
    }
    LUMP_CHECK(read_list(l, p, o, "fold", read_fold, li));
    LUMP_CHECK(read_list(l, p, o, "lp", read_evidence, li));
cleanup:
    return err;
}

static lump_error_t read_step(lump_box_cert_t *c, lump_i_jpath_t *p, const json_t *o)
{
    lump_error_t err = LUMP_OK;
    json_t *st, *lu;
    lump_box_step_t *s;
    LUMP_CHECK(lump_i_json_expect_keys(p, o, step_keys));
    LUMP_CHECK(lump_i_json_member(&st, p, o, "stable", 0));
    LUMP_CHECK(lump_i_json_member(&lu, p, o, "lumping", 0));
    if ((st == NULL) == (lu == NULL))
        LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT,
                                      "a step has exactly one of \"stable\" and "
                                      "\"lumping\""));
    LUMP_CHECK(lump_box_cert_push(c, st != NULL ? LUMP_STEP_STABLE : LUMP_STEP_LUMPING, &s));
    if (lu != NULL) {
        lump_i_jpath_key(p, "lumping");
        LUMP_CHECK(lump_i_json_expect_keys(p, lu, lumping_keys));
        LUMP_CHECK(lump_i_cert_lumping_read(&s->lumping, p, lu));
        lump_i_jpath_pop(p);
    } else {
        json_t *layers;
        size_t n;
        lump_i_jpath_key(p, "stable");
        LUMP_CHECK(lump_i_json_expect_keys(p, st, stable_keys));
        LUMP_CHECK(lump_i_json_member(&layers, p, st, "layers", 1));
        lump_i_jpath_key(p, "layers");
        LUMP_CHECK(lump_i_json_expect_array(&n, p, layers));
        if (n == 0)
            LUMP_CHECK(lump_i_jpath_error(p, LUMP_EINPUT, "is empty"));
        s->stable.layers = lump_alloc_zero(n, sizeof *s->stable.layers);
        s->stable.n_inputs = c->box.n;
        for (size_t i = 0; i < n; i++) {
            s->stable.n_layers = i + 1;
            lump_i_jpath_index(p, i);
            LUMP_CHECK(read_slayer(&s->stable.layers[i], p, json_array_get(layers, i), i));
            lump_i_jpath_pop(p);
        }
        lump_i_jpath_pop(p);
        lump_i_jpath_pop(p);
    }
cleanup:
    return err;
}

int lump_cert_version(const char *buf, size_t len)
{
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e), *v;
    int version = 0;
    if (root == NULL)
        return 0;
    v = json_object_get(root, "version");
    if (json_is_integer(v) && (json_integer_value(v) == 1 || json_integer_value(v) == 2))
        version = (int)json_integer_value(v);
    json_decref(root);
    return version;
}

/* lump_box_cert_read_buf -- see stable.h. Checks types, index ranges,
 * array lengths and exact rationals; whether the claims hold is
 * lump_box_cert_check's job. On failure CERT is left empty. */
lump_error_t lump_box_cert_read_buf(lump_box_cert_t *cert, const char *buf, size_t len,
                                    const char *name)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *v, *box, *steps;
    lump_i_jpath_t p;
    size_t n;
    lump_box_cert_clear(cert);
    lump_i_jpath_init(&p, name);
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(lump_i_json_read_header(NULL, &p, root, top_keys, "lumpnet-certificate", 2, 2,
                                       "the box certificate version (this build reads version "
                                       "2)"));
    LUMP_CHECK(lump_i_json_key_size(&n, &p, root, "inputs", 1, lump_arr_max_len(),
                                    "the number of inputs"));
    LUMP_CHECK(lump_box_alloc(&cert->box, n));
    LUMP_CHECK(lump_i_json_member(&box, &p, root, "box", 1));
    lump_i_jpath_key(&p, "box");
    LUMP_CHECK(lump_i_json_expect_keys(&p, box, box_keys));
    LUMP_CHECK(lump_i_json_member(&v, &p, box, "lo", 1));
    lump_i_jpath_key(&p, "lo");
    LUMP_CHECK(lump_i_json_get_q_array(cert->box.lo, &p, v, n, "one bound per input"));
    lump_i_jpath_pop(&p);
    LUMP_CHECK(lump_i_json_member(&v, &p, box, "hi", 1));
    lump_i_jpath_key(&p, "hi");
    LUMP_CHECK(lump_i_json_get_q_array(cert->box.hi, &p, v, n, "one bound per input"));
    lump_i_jpath_pop(&p);
    lump_i_jpath_pop(&p);
    LUMP_CHECK(lump_i_json_member(&steps, &p, root, "steps", 1));
    lump_i_jpath_key(&p, "steps");
    LUMP_CHECK(lump_i_json_expect_array(&n, &p, steps));
    if (n == 0)
        LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT, "is empty (the last step is a lumping)"));
    for (size_t k = 0; k < n; k++) {
        lump_i_jpath_index(&p, k);
        LUMP_CHECK(read_step(cert, &p, json_array_get(steps, k)));
        lump_i_jpath_pop(&p);
    }
    lump_i_jpath_pop(&p);
cleanup:
    if (err != LUMP_OK)
        lump_box_cert_clear(cert);
    json_decref(root);
    return err;
}
