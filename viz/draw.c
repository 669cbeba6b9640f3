/* draw.c -- placeholder until written */
