/* public.c -- the control: the umbrella header compiles with the CLI's
 * include paths, so a failure of the other probes is the include's */
#include "lumpnet.h"
