/* graph_box_cert.c -- the box certificate of a graph network as JSON: the
 * channels cut, and the box certificate of the unrolled network nested as
 * its own format writes it */
#include <stdlib.h>
#include <string.h>
#include "cert_json.h"
#include "lumpnet/graph_box.h"
#include "json_support.h"
#include "stable_i.h"
#include "alloc_i.h"

#define FORMAT_NAME "lumpnet-graph-box-certificate"
#define FORMAT_VERSION 1

static const char *const top_keys[] = {"format", "version", "cuts", "unrolled", "intervals", NULL};
static const char *const ival_keys[] = {"inputs", "lo", "hi", NULL};
static const char *const cut_keys[] = {"node", "channels", NULL};

static lump_error_t write_box(FILE *f, const void *c)
{
    return lump_box_cert_write(f, c);
}

/* lump_graph_box_cert_write -- see graph_box.h. Keys in the order format,
 * version, cuts, unrolled. */
lump_error_t lump_graph_box_cert_write(FILE *f, const lump_graph_box_cert_t *cert)
{
    lump_error_t err = LUMP_OK;
    json_t *root = json_object(), *cuts = json_array(), *part = NULL;
    if (root == NULL || cuts == NULL)
        lump_i_out_of_memory(sizeof(json_t *));
    LUMP_CHECK(lump_i_json_set_header(root, FORMAT_NAME, FORMAT_VERSION));
    LUMP_CHECK(lump_i_json_set_take(root, "cuts", &cuts));
    for (size_t k = 0; k < cert->n_cuts; k++) {
        const lump_graph_cut_t *c = &cert->cuts[k];
        json_t *o = json_object(), *ch = json_array();
        LUMP_CHECK(lump_i_json_append_new(json_object_get(root, "cuts"), o));
        LUMP_CHECK(lump_i_json_set_new(o, "node", json_integer((json_int_t)c->node)));
        LUMP_CHECK(lump_i_json_set_new(o, "channels", ch));
        for (size_t j = 0; j < c->n; j++)
            LUMP_CHECK(lump_i_json_append_new(ch, json_integer((json_int_t)c->channel[j])));
    }
    if (cert->intervals) {
        /* the evidence is recomputed by the checker: only the box */
        const lump_box_t *b = &cert->unrolled.box;
        part = json_object();
        if (part == NULL)
            lump_i_out_of_memory(sizeof(json_t *));
        LUMP_CHECK(lump_i_json_set_new(part, "inputs", json_integer((json_int_t)b->n)));
        LUMP_CHECK(lump_i_json_set_new(part, "lo", lump_i_json_from_q_array(b->lo, b->n)));
        LUMP_CHECK(lump_i_json_set_new(part, "hi", lump_i_json_from_q_array(b->hi, b->n)));
        LUMP_CHECK(lump_i_json_set_take(root, "intervals", &part));
    } else {
        LUMP_CHECK(lump_i_cert_part_json(&part, write_box, &cert->unrolled,
                                         "the box certificate of the unrolled network"));
        LUMP_CHECK(lump_i_json_set_take(root, "unrolled", &part));
    }
    LUMP_CHECK(lump_i_json_dump(f, root));
cleanup:
    json_decref(cuts);
    json_decref(part);
    json_decref(root);
    return err;
}

/* lump_cert_is_graph_box -- see graph_box.h. */
int lump_cert_is_graph_box(const char *buf, size_t len)
{
    return lump_i_json_format_is(buf, len, FORMAT_NAME);
}

/* Cut K from the object O: a node index and its channels. */
static lump_error_t read_cut(lump_graph_cut_t *c, lump_i_jpath_t *p, const json_t *o)
{
    lump_error_t err = LUMP_OK;
    json_t *v;
    size_t n;
    LUMP_CHECK(lump_i_json_expect_keys(p, o, cut_keys));
    LUMP_CHECK(lump_i_json_key_size(&c->node, p, o, "node", 0, lump_arr_max_len(),
                                    "a node index"));
    LUMP_CHECK(lump_i_json_member(&v, p, o, "channels", 1));
    lump_i_jpath_key(p, "channels");
    LUMP_CHECK(lump_i_json_expect_array(&n, p, v));
    c->channel = lump_alloc_array(n + 1, sizeof *c->channel);
    for (size_t j = 0; j < n; j++) {
        lump_i_jpath_index(p, j);
        LUMP_CHECK(lump_i_json_get_size(&c->channel[j], p, json_array_get(v, j), 0,
                                        lump_arr_max_len(), "a channel index"));
        c->n++;
        lump_i_jpath_pop(p);
    }
    lump_i_jpath_pop(p);
cleanup:
    return err;
}

/* lump_graph_box_cert_read_buf -- see graph_box.h. On failure CERT is
 * left empty. */
lump_error_t lump_graph_box_cert_read_buf(lump_graph_box_cert_t *cert, const char *buf,
                                          size_t len, const char *name)
{
    lump_error_t err = LUMP_OK;
    json_t *root = NULL, *cuts;
    lump_i_jpath_t p;
    char *text = NULL, sub[512];
    size_t n, tlen;
    lump_graph_box_cert_clear(cert);
    lump_i_jpath_init(&p, name);
    LUMP_CHECK(lump_i_json_load(&root, buf, len, name));
    LUMP_CHECK(lump_i_json_read_header(NULL, &p, root, top_keys, FORMAT_NAME, FORMAT_VERSION,
                                       FORMAT_VERSION,
                                       "the graph box certificate version (this build reads "
                                       "version 1)"));
    LUMP_CHECK(lump_i_json_member(&cuts, &p, root, "cuts", 1));
    lump_i_jpath_key(&p, "cuts");
    LUMP_CHECK(lump_i_json_expect_array(&n, &p, cuts));
    cert->cuts = lump_alloc_zero(n + 1, sizeof *cert->cuts);
    for (size_t k = 0; k < n; k++) {
        lump_i_jpath_index(&p, k);
        cert->n_cuts++;
        LUMP_CHECK(read_cut(&cert->cuts[k], &p, json_array_get(cuts, k)));
        lump_i_jpath_pop(&p);
    }
    lump_i_jpath_pop(&p);
    if (json_object_get(root, "intervals") != NULL) {
        json_t *iv = json_object_get(root, "intervals"), *v;
        if (json_object_get(root, "unrolled") != NULL)
            LUMP_CHECK(lump_i_jpath_error(&p, LUMP_EINPUT, "has both \"unrolled\" and "
                                          "\"intervals\" (one kind of evidence)"));
        lump_i_jpath_key(&p, "intervals");
        LUMP_CHECK(lump_i_json_expect_keys(&p, iv, ival_keys));
        LUMP_CHECK(lump_i_json_key_size(&n, &p, iv, "inputs", 1, lump_arr_max_len(),
                                        "the number of inputs"));
        LUMP_CHECK(lump_box_alloc(&cert->unrolled.box, n));
        LUMP_CHECK(lump_i_json_member(&v, &p, iv, "lo", 1));
        lump_i_jpath_key(&p, "lo");
        LUMP_CHECK(lump_i_json_get_q_array(cert->unrolled.box.lo, &p, v, n, "one bound per input"));
        lump_i_jpath_pop(&p);
        LUMP_CHECK(lump_i_json_member(&v, &p, iv, "hi", 1));
        lump_i_jpath_key(&p, "hi");
        LUMP_CHECK(lump_i_json_get_q_array(cert->unrolled.box.hi, &p, v, n, "one bound per input"));
        lump_i_jpath_pop(&p);
        lump_i_jpath_pop(&p);
        cert->intervals = 1;
    } else {
        LUMP_CHECK(lump_i_cert_member_text(&text, &tlen, sub, sizeof sub, &p, root, "unrolled",
                                           name));
        LUMP_CHECK(lump_box_cert_read_buf(&cert->unrolled, text, tlen, sub));
    }
cleanup:
    free(text);
    json_decref(root);
    if (err != LUMP_OK)
        lump_graph_box_cert_clear(cert);
    return err;
}
