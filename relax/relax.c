/* relax.c -- placeholder until written */
