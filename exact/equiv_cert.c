/* equiv_cert.c -- equivalence certificates: the lumping of the union of two
 * networks that proves them equal; write, read (shape only) and check */
/* Its check runs the certificate checker (cert_check.c), whose
 * activations are its own minimal copy and not the activation descriptor
 * (core/act_i.h): the trusted base shares no code with what it checks. */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/lump.h"
#include "cert_json.h"
#include "cert_json_i.h"
#include "cert_i.h"

#define FORMAT_NAME "lumpnet-equivalence-certificate"
#define FORMAT_VERSION 1

/* lump_equiv_cert_write -- see lump.h. Keys in the order format, version,
 * then those of a lumping certificate (mode, inputs, layers). */
lump_error_t lump_equiv_cert_write(FILE *f, const lump_lumping_t *L)
{
    return lump_i_cert_lumping_write(f, L, FORMAT_NAME, FORMAT_VERSION);
}

/* lump_cert_is_equiv -- see lump.h. */
int lump_cert_is_equiv(const char *buf, size_t len)
{
    return lump_i_json_format_is(buf, len, FORMAT_NAME);
}

/* lump_equiv_cert_read_buf -- see lump.h. */
lump_error_t lump_equiv_cert_read_buf(lump_lumping_t *L, const char *buf, size_t len,
                                      const char *name)
{
    return lump_i_cert_lumping_read_buf(L, buf, len, name, FORMAT_NAME, FORMAT_VERSION,
                                        "the equivalence certificate version (this build reads "
                                        "version 1)");
}

/* lump_equiv_cert_check -- see lump.h. The union is rebuilt here from A and
 * B (lump_net_union: exact placement and folding of the maps, no search),
 * and the lumping is verified by the certificate checker; the partition
 * finder is never called. */
lump_error_t lump_equiv_cert_check(lump_verdict_t *valid, char *why, size_t whylen,
                                   const lump_net_t *a, const lump_net_t *b,
                                   const lump_lumping_t *L)
{
    lump_error_t err = LUMP_OK, e;
    lump_net_t u;
    lump_net_init(&u);
    *valid = LUMP_FALSE;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    e = lump_net_union(&u, a, b);
    if (e == LUMP_EUNSUPPORTED) {
        if (why != NULL && whylen > 0)
            snprintf(why, whylen, "the networks cannot be lumped side by side: %s",
                     lump_error_message());
        goto cleanup;
    }
    LUMP_CHECK(e);
    LUMP_CHECK(lump_i_cert_check_union(valid, why, whylen, &u, lump_net_n_outputs(a), L));
cleanup:
    lump_net_clear(&u);
    if (err != LUMP_OK)
        *valid = LUMP_FALSE;
    return err;
}
