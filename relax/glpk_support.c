/* glpk_support.c -- placeholder until written */
