/* widen.c -- test tool: plant function-preserving redundancy into a ReLU
 * network (duplicates, power-of-two multiples, dead and constant neurons,
 * shuffled layers), so that lumping has a known answer: the original sizes */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "lumpnet.h"

/* Why each plant preserves the function exactly (hidden layers are relu):
 * - duplicate of v: same row and bias, so its value equals y_v; v's
 *   outgoing column is split a : (1 - a) between v and the copy;
 * - multiple of v by 2^e: row and bias times 2^e, so its value is 2^e y_v
 *   (relu is positively homogeneous); its share of v's column is divided
 *   by 2^e;
 * - dead: any row, an all-zero outgoing column;
 * - constant: zero row, bias b, value relu(b); its random outgoing weight
 *   w into neuron p is compensated by subtracting w relu(b) from p's bias.
 * Every factor is dyadic or a small fraction, so the widened network holds
 * exact rationals, and lumpnet's JSON keeps them exactly. */

typedef enum { P_ORIG, P_DUP, P_MULT, P_DEAD, P_CONST } plant_t;

typedef struct {
    plant_t kind;
    size_t src;  /* the original neuron (ORIG, DUP, MULT) */
    mpq_t in_f;  /* row and bias factor: 1, or 2^e for a multiple */
    mpq_t out_f; /* factor of the original outgoing column */
    mpq_t b;     /* CONST: the bias; its value is relu(b) */
} neuron_t;

typedef struct {
    size_t size; /* neurons of the widened layer */
    neuron_t *n; /* by position in the widened (shuffled) layer */
} plan_t;

typedef struct {
    unsigned long seed;
    size_t dup, mult, dead, cons;
} opts_t;

static gmp_randstate_t rs;

static unsigned long rnd(unsigned long n)
{
    return gmp_urandomm_ui(rs, n);
}

/* Q = a random rational num / den, num in [lo, hi], den in [1, dmax]. */
static void rnd_q(mpq_t q, long lo, long hi, unsigned long dmax)
{
    mpq_set_si(q, lo + (long)rnd((unsigned long)(hi - lo + 1)), 1 + rnd(dmax));
    mpq_canonicalize(q);
}

static void die(const char *what)
{
    fprintf(stderr, "widen: %s\n", what);
    exit(2);
}

static void plan_clear(plan_t *p)
{
    for (size_t k = 0; k < p->size; k++)
        mpq_clears(p->n[k].in_f, p->n[k].out_f, p->n[k].b, NULL);
    free(p->n);
}

/* The plan of hidden layer L (SIZE original neurons): originals, then the
 * plants, then a seeded shuffle. */
static void plan_layer(plan_t *p, size_t size, const opts_t *o)
{
    size_t k, total = size + o->dup + o->mult + o->dead + o->cons;
    static const int exps[5] = {-2, -1, 1, 2, 3};
    mpq_t a, t;
    mpq_inits(a, t, NULL);
    p->size = total;
    p->n = malloc(total * sizeof *p->n);
    if (p->n == NULL)
        die("out of memory");
    for (k = 0; k < total; k++) {
        mpq_inits(p->n[k].in_f, p->n[k].out_f, p->n[k].b, NULL);
        mpq_set_ui(p->n[k].in_f, 1, 1);
        mpq_set_ui(p->n[k].out_f, 1, 1);
        p->n[k].kind = P_ORIG;
        p->n[k].src = k;
    }
    for (k = size; k < total; k++) {
        neuron_t *x = &p->n[k];
        size_t v = rnd(size);
        if (k < size + o->dup + o->mult) {
            /* split v's current share: v keeps a, the plant gets 1 - a */
            mpq_set_ui(a, 1 + rnd(7), 8);
            mpq_canonicalize(a);
            x->src = v;
            x->kind = k < size + o->dup ? P_DUP : P_MULT;
            mpq_set_ui(t, 1, 1);
            mpq_sub(t, t, a);
            mpq_mul(x->out_f, p->n[v].out_f, t);
            mpq_mul(p->n[v].out_f, p->n[v].out_f, a);
            if (x->kind == P_MULT) {
                int e = exps[rnd(5)];
                mpq_set_ui(x->in_f, 1, 1);
                if (e > 0)
                    mpq_mul_2exp(x->in_f, x->in_f, (mp_bitcnt_t)e);
                else
                    mpq_div_2exp(x->in_f, x->in_f, (mp_bitcnt_t)-e);
                mpq_div(x->out_f, x->out_f, x->in_f);
            }
        } else if (k < size + o->dup + o->mult + o->dead) {
            x->kind = P_DEAD;
            mpq_set_ui(x->out_f, 0, 1);
        } else {
            x->kind = P_CONST;
            mpq_set_ui(x->in_f, 0, 1);
            rnd_q(x->b, -3, 9, 4); /* mostly positive: a non-zero constant */
        }
    }
    /* Fisher-Yates: position k of the widened layer holds plan entry n[k] */
    for (k = total; k > 1; k--) {
        size_t j = rnd(k);
        neuron_t tmp = p->n[k - 1];
        p->n[k - 1] = p->n[j];
        p->n[j] = tmp;
    }
    mpq_clears(a, t, NULL);
}

/* Fill widened layer I of OUT from layer I of NET: ROWS is the plan of
 * layer I (NULL for the output layer: the original rows), COLS the plan
 * of layer I - 1 (NULL for the inputs). */
static lump_error_t fill_layer(lump_net_t *out, const lump_net_t *net, size_t i, const plan_t *rows,
                               const plan_t *cols)
{
    lump_error_t err = LUMP_OK;
    const lump_layer_t *src = &net->layers[i];
    lump_layer_t *dst = &out->layers[i];
    const size_t nr = dst->size, nc = dst->in_size;
    mpq_t w, b, one, t;
    mpq_inits(w, b, one, t, NULL);
    mpq_set_ui(one, 1, 1);
    for (size_t p = 0; p < nr; p++) {
        const neuron_t *r = rows != NULL ? &rows->n[p] : NULL;
        plant_t rk = r != NULL ? r->kind : P_ORIG;
        size_t v = r != NULL ? r->src : p;
        const mpq_t *rf = r != NULL ? &r->in_f : &one;
        if (rk == P_DEAD)
            rnd_q(b, -9, 9, 4);
        else if (rk == P_CONST)
            mpq_set(b, r->b);
        else {
            lump_arr_get(b, &src->bias, v);
            mpq_mul(b, b, *rf);
        }
        for (size_t c = 0; c < nc; c++) {
            const neuron_t *col = cols != NULL ? &cols->n[c] : NULL;
            plant_t ck = col != NULL ? col->kind : P_ORIG;
            size_t u = col != NULL ? col->src : c;
            if (rk == P_CONST || ck == P_DEAD)
                continue; /* a constant reads nothing; a dead neuron feeds nothing */
            if (ck == P_CONST) {
                rnd_q(w, -9, 9, 8);
                if (mpq_sgn(col->b) > 0) { /* compensate w * relu(b) */
                    mpq_mul(t, w, col->b);
                    mpq_sub(b, b, t);
                }
            } else if (rk == P_DEAD) {
                rnd_q(w, -9, 9, 8);
            } else {
                lump_arr_get(w, &src->weight, v * src->in_size + u);
                mpq_mul(w, w, *rf);
                if (col != NULL)
                    mpq_mul(w, w, col->out_f);
            }
            if (mpq_sgn(w) != 0)
                LUMP_CHECK(lump_arr_set(&dst->weight, p * nc + c, w));
        }
        LUMP_CHECK(lump_arr_set(&dst->bias, p, b));
        if (src->neuron_act != NULL && rk != P_DEAD && rk != P_CONST)
            LUMP_CHECK(lump_layer_set_neuron_act(dst, p, &src->neuron_act[v]));
    }
    lump_act_set(&dst->act, &src->act);
cleanup:
    mpq_clears(w, b, one, t, NULL);
    return err;
}

/* Refuse what the plants would not preserve: a hidden neuron that is not
 * relu (the multiples need positive homogeneity, the constants relu(b)). */
static void check_relu(const lump_net_t *net, const char *path)
{
    for (size_t i = 0; i + 1 < net->n_layers; i++)
        for (size_t v = 0; v < net->layers[i].size; v++)
            if (lump_layer_act(&net->layers[i], v)->kind != LUMP_ACT_RELU) {
                fprintf(stderr,
                        "widen: %s: layer %zu neuron %zu is %s: the hidden layers "
                        "must be relu\n",
                        path, i + 1, v, lump_act_name(lump_layer_act(&net->layers[i], v)->kind));
                exit(2);
            }
}

static size_t parse_count(const char *opt, const char *s)
{
    char *end;
    unsigned long k = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || k > 100000) {
        fprintf(stderr, "widen: %s needs a count, not '%s'\n", opt, s);
        exit(2);
    }
    return (size_t)k;
}

static void usage(void)
{
    fprintf(stderr, "usage: widen IN OUT [--seed S] [--dup K] [--mult K] [--dead K] "
                    "[--const K]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    lump_error_t err = LUMP_OK;
    const char *in = NULL, *outp = NULL;
    opts_t o = {1, 3, 3, 2, 2};
    lump_net_t net, out;
    plan_t *plans = NULL;
    size_t *sizes = NULL, before = 0, after = 0, nh;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-') {
            if (i + 1 >= argc)
                usage();
            if (strcmp(a, "--seed") == 0)
                o.seed = parse_count(a, argv[++i]);
            else if (strcmp(a, "--dup") == 0)
                o.dup = parse_count(a, argv[++i]);
            else if (strcmp(a, "--mult") == 0)
                o.mult = parse_count(a, argv[++i]);
            else if (strcmp(a, "--dead") == 0)
                o.dead = parse_count(a, argv[++i]);
            else if (strcmp(a, "--const") == 0)
                o.cons = parse_count(a, argv[++i]);
            else
                usage();
        } else if (in == NULL)
            in = a;
        else if (outp == NULL)
            outp = a;
        else
            usage();
    }
    if (in == NULL || outp == NULL)
        usage();
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, o.seed);
    lump_net_init(&net);
    lump_net_init(&out);
    LUMP_CHECK(lump_net_read(&net, in));
    check_relu(&net, in);
    nh = net.n_layers - 1;
    plans = calloc(nh ? nh : 1, sizeof *plans);
    sizes = malloc(net.n_layers * sizeof *sizes);
    if (plans == NULL || sizes == NULL)
        die("out of memory");
    for (size_t i = 0; i < nh; i++) {
        plan_layer(&plans[i], net.layers[i].size, &o);
        sizes[i] = plans[i].size;
        before += net.layers[i].size;
        after += plans[i].size;
    }
    sizes[nh] = net.layers[nh].size;
    LUMP_CHECK(lump_net_setup(&out, net.n_inputs, net.n_layers, sizes, LUMP_STORE_Q));
    for (size_t i = 0; i < net.n_layers; i++)
        LUMP_CHECK(
            fill_layer(&out, &net, i, i < nh ? &plans[i] : NULL, i > 0 ? &plans[i - 1] : NULL));
    LUMP_CHECK(lump_net_copy_maps(&out, &net, 1));
    LUMP_CHECK(lump_net_write(outp, &out, NULL));
    printf("widen: %s: planted %zu duplicates, %zu power-of-two multiples, %zu dead and %zu "
           "constant neurons in each of %zu hidden layers, shuffled (seed %lu): %zu -> %zu "
           "hidden neurons; wrote %s\n",
           in, o.dup, o.mult, o.dead, o.cons, nh, o.seed, before, after, outp);
cleanup:
    for (size_t i = 0; plans != NULL && i < nh; i++)
        if (plans[i].n != NULL)
            plan_clear(&plans[i]);
    free(plans);
    free(sizes);
    lump_net_clear(&out);
    lump_net_clear(&net);
    gmp_randclear(rs);
    if (err != LUMP_OK) {
        fprintf(stderr, "widen: %s\n", lump_error_message());
        return 2;
    }
    return 0;
}
