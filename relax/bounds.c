/* bounds.c -- placeholder until written */
