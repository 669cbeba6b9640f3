/* cert_json_i.h -- private: a lumping as the JSON members of a
 * certificate (cert_write.c, cert_read.c), which the equivalence
 * certificates (equiv_cert.c) and the box certificates (box/stable_cert.c)
 * embed */
#ifndef LUMPNET_EXACT_CERT_JSON_I_H
#define LUMPNET_EXACT_CERT_JSON_I_H

#include <stdio.h>
#include <jansson.h>
#include "lumpnet/lump.h"
#include "json_support.h"

/* lump_i_cert_lumping_members -- append the lumping part of a certificate
 * (mode, inputs, layers) to the object OBJ as its next members.
 * O(neurons * digits^2). */
lump_error_t lump_i_cert_lumping_members(json_t *obj, const lump_lumping_t *L) LUMP_WUR;

/* lump_i_cert_lumping_write -- write to F the document whose members are
 * format FORMAT, version VERSION, then those of L (mode, inputs, layers):
 * the lumping and the equivalence certificates. Errors: LUMP_EIO when F
 * refuses the bytes. O(neurons * digits^2). */
lump_error_t lump_i_cert_lumping_write(FILE *f, const lump_lumping_t *L, const char *format,
                                       int version) LUMP_WUR;

/* lump_i_cert_lumping_read_buf -- read the document BUF[0..len) (NAME in
 * messages) whose members are format FORMAT, version VERSION (WHAT names
 * it when wrong), then those of a lumping, into the initialised L: the
 * lumping and the equivalence certificates. On failure L is untouched and
 * the error is LUMP_EINPUT with NAME, place and problem. O(length + d^2
 * per number of d digits). */
lump_error_t lump_i_cert_lumping_read_buf(lump_lumping_t *L, const char *buf, size_t len,
                                          const char *name, const char *format, size_t version,
                                          const char *what) LUMP_WUR;

/* lump_i_cert_lumping_read -- read the members mode, inputs and layers of
 * the object OBJ at place P (the caller checks which keys are allowed)
 * into the initialised L. O(length). */
lump_error_t lump_i_cert_lumping_read(lump_lumping_t *L, lump_i_jpath_t *p,
                                      const json_t *obj) LUMP_WUR;

#endif
