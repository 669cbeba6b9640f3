/* bound_diff.c -- placeholder until written */
