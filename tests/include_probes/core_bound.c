/* core_bound.c -- must NOT compile with core's include paths: core sits
 * below bound/ and may not see its private headers (tests/include_rules.sh) */
#include "lumpnet.h"
#include "lp_model.h"
