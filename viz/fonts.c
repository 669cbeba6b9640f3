/* fonts.c -- the font configuration loaded before a memory limit (the one
 * fontconfig call of viz/, beside Graphviz, which uses it for text) */
#include <fontconfig/fontconfig.h>
#include "lumpnet/viz.h"

lump_error_t lump_viz_fonts_load(void)
{
    /* FcInit loads the default configuration with its caches once;
     * pango, under Graphviz, then finds it current and rescans nothing */
    if (!FcInit())
        return lump_error_set(LUMP_ENOMEM,
                              "draw: fontconfig could not load the font configuration");
    return LUMP_OK;
}
