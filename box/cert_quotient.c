/* cert_quotient.c -- the exact network a lumping or box certificate makes
 * of a network, confirmed by the certificate's checker: what `bound A B
 * --cert` pairs B with */
/* Why: a bound between A and a rounded copy B of A's quotient pairs the
 * neurons of A with those of B by index, which fails when the quotient
 * changed the structure (removed, folded, lumped neurons), and the bound
 * then mostly measures the change of structure. With Q the exact quotient,
 * Q = A (everywhere, or on the box) is proved by the certificate, so
 * |A - B| = |Q - B| there, and Q and B have the same structure: the
 * paired bound sees only the rounding. */
#include <stdlib.h>
#include <string.h>
#include "lumpnet/stable.h"

/* lump_cert_quotient -- see stable.h. */
lump_error_t lump_cert_quotient(lump_net_t *q, int *on_box, const lump_net_t *net,
                                const lump_box_t *box, const char *buf, size_t len,
                                const char *name)
{
    lump_error_t err = LUMP_OK;
    lump_lumping_t L;
    lump_box_cert_t C;
    lump_verdict_t valid = LUMP_FALSE;
    char why[1024] = "";
    int version = lump_cert_version(buf, len);
    lump_require(q != NULL && on_box != NULL && net != NULL && box != NULL,
                 "lump_cert_quotient");
    *on_box = 0;
    lump_lumping_init(&L);
    lump_box_cert_init(&C);
    if (lump_cert_is_equiv(buf, len) || lump_cert_is_box_equiv(buf, len))
        return lump_error_set(LUMP_EINPUT, "%s: an equivalence certificate relates two given "
                              "networks; pairing needs a lumping or box certificate of the "
                              "first network (reduce --cert writes one)", name);
    if (version == 2) {
        *on_box = 1;
        LUMP_CHECK(lump_box_cert_read_buf(&C, buf, len, name));
        err = lump_box_cert_apply(q, net, &C);
        if (err == LUMP_EINPUT)
            err = lump_error_prefix(err, "%s does not fit the network", name);
        LUMP_CHECK(err);
        LUMP_CHECK(lump_box_cert_check(&valid, why, sizeof why, net, q, box, &C));
    } else {
        LUMP_CHECK(lump_cert_read_buf(&L, buf, len, name));
        err = lump_quotient(q, net, &L);
        if (err == LUMP_EINPUT)
            err = lump_error_prefix(err, "%s does not fit the network", name);
        LUMP_CHECK(err);
        LUMP_CHECK(lump_cert_check(&valid, why, sizeof why, net, q, &L));
    }
    if (valid != LUMP_TRUE)
        err = lump_error_set(LUMP_EINPUT, "%s does not prove its quotient equal to the network%s "
                             "(the checker says: %s)", name, *on_box ? " on the box" : "", why);
cleanup:
    if (err != LUMP_OK)
        lump_net_clear(q);
    lump_lumping_clear(&L);
    lump_box_cert_clear(&C);
    return err;
}
