/* prune.c -- placeholder until written */
