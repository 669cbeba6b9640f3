/* cli.h -- shared declarations of the lumpnet command-line tool */
#ifndef LUMPNET_CLI_H
#define LUMPNET_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "lumpnet.h"

/* Exit codes of DESIGN section 4. */
enum { CLI_OK = 0, CLI_NEGATIVE = 1, CLI_BAD = 2, CLI_UNKNOWN = 3 };

/* A subcommand: its name, entry point and one-line summary. */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *summary;
} cli_command_t;

/* cli_fail -- print "lumpnet: MESSAGE" for ERR and return its exit code. */
int cli_fail(lump_error_t err);

/* cli_hint -- append "; HINT" to the message of ERR and return ERR: the
 * library's messages name no command-line flag, HINT names the CLI's. */
lump_error_t cli_hint(lump_error_t err, const char *hint);

/* cli_usage_error -- print a usage message for COMMAND and return 2. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_parse_vector -- parse "x1,x2,..." into *N new rationals (*V, to free
 * with lump_rat_vec_free). WHERE prefixes messages. O(length). */
lump_error_t cli_parse_vector(mpq_t **v, size_t *n, const char *s, size_t len,
                              const char *where) LUMP_WUR;

/* ---- eval input (eval_input.c), shared by dense and graph networks ---- */

/* Evaluate one input vector IN (as many values as the network has inputs)
 * and print or record its outputs. */
typedef lump_error_t (*cli_eval_fn)(void *ctx, const mpq_t *in);

/* cli_eval_text -- parse the vector in S (LEN bytes), check that it has NIN
 * values and call F(CTX, vector) on it; WHERE prefixes messages. O(LEN) plus
 * the evaluation. */
lump_error_t cli_eval_text(cli_eval_fn f, void *ctx, size_t nin, const char *s, size_t len,
                           const char *where) LUMP_WUR;

/* cli_eval_file -- cli_eval_text on each line of PATH that is not blank or
 * a '#' comment, stopping at the first error. O(size of PATH) plus the
 * evaluations. */
lump_error_t cli_eval_file(cli_eval_fn f, void *ctx, size_t nin, const char *path) LUMP_WUR;

/* cli_eval_double_in -- *X = the NIN inputs IN rounded to double (free
 * it), and the check that double holds them: never a silent inf, nan or
 * a value lost to overflow (LUMP_EUNSUPPORTED, lump_eval_double_input_range).
 * O(NIN). */
lump_error_t cli_eval_double_in(double **x, const mpq_t *in, size_t nin) LUMP_WUR;

/* cli_eval_double_out -- the end of a double evaluation that returned
 * ERR: on success the N outputs Y, appended to JY as JSON numbers
 * (--json), else printed comma-separated with 17 significant digits;
 * LUMP_EUNSUPPORTED (double cannot hold a value) gets HINT, the mode to
 * use instead. Returns ERR. O(N). */
lump_error_t cli_eval_double_out(lump_error_t err, json_t *jy, const double *y, size_t n,
                                 const char *hint);

/* cli_eval_put_exact -- the N outputs Y as exact fractions: appended to JY
 * as JSON strings (--json), else printed comma-separated. O(N) fractions. */
void cli_eval_put_exact(json_t *jy, const mpq_t *y, size_t n);

/* cli_eval_record -- end one evaluation of IN (NIN values) whose outcome is
 * ERR: with --json (JY, the outputs, not NULL) append {input, output} to
 * RESULTS; in text end the printed line; on error drop JY. O(NIN). */
void cli_eval_record(lump_error_t err, json_t *jy, const mpq_t *in, size_t nin, json_t *results);

/* cli_suggest -- the candidate among the N CANDS nearest to WORD (a
 * misspelt command or option; a "=value" suffix is ignored), or NULL when
 * none is near enough to be what the user meant. O(N * length^2). */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);

/* cli_box_parse -- BOX = the box ARG (a .vnnlib file or l:u,...) for NET
 * (read from NET_PATH), as lump_box_parse; and a warning when NET's input
 * clipping squeezes the box to one value in some input (the box is then
 * most likely in other coordinates than NET's inputs). O(size of ARG). */
lump_error_t cli_box_parse(lump_box_t *box, const char *arg, const lump_net_t *net,
                           const char *net_path) LUMP_WUR;

/* ---- reduce --vnnlib-out (transfer.c) ---- */

/* The property PROP for the file OUT written from the exact result. */
typedef struct {
    const lump_box_t *box;
    const char *out, *prop, *net_path;
    lump_outspec_t spec;
    mpq_t widen;     /* the certified distance, exactly */
    double distance; /* the same (0 when nothing was rounded) */
    size_t rounded;  /* values rounded in OUT */
    char shown[64];  /* WIDEN as printed */
    int live;
} cli_transfer_t;

/* cli_transfer_prepare -- T for writing the property PROP (its box BOX and
 * its output constraints) for OUT, the file NET_Q (the exact result, equal
 * to the network NET_PATH on BOX) is written to with WOPTS: when OUT
 * rounds values, the certified distance between NET_Q and the rounded
 * network over BOX (lump_bound_diff) widens the unsafe region. Nothing is
 * written yet. Errors name OUT and PROP. Clear T with cli_transfer_clear
 * even on failure. O(network) plus the bound's time. */
lump_error_t cli_transfer_prepare(cli_transfer_t *t, const char *prop, const lump_box_t *box,
                                  const lump_net_t *net_q, const char *net_path, const char *out,
                                  const lump_write_opts_t *wopts) LUMP_WUR;

/* cli_rounding_distance -- Q as it will be written to OUT with WOPTS
 * (through memory, read back): *ROUNDED values rounded, and *U the
 * certified distance (cli_trusted_distance) between Q and that file over
 * BOX; *U = 0 when nothing is rounded, +inf when it cannot be bounded.
 * O(network) plus the bound's time. */
lump_error_t cli_rounding_distance(double *u, size_t *rounded, const lump_net_t *q,
                                   const char *out, const lump_write_opts_t *wopts,
                                   const lump_box_t *box) LUMP_WUR;

/* cli_transfer_write -- the lump_io_write_all writer of T's property. */
lump_error_t cli_transfer_write(FILE *f, void *ctx);

/* cli_trusted_distance -- *U >= max over x in BOX and every output j of
 * |Q_j(x) - W_j(x)|, by the tolerance checker's trusted leaf bound
 * (+inf when it cannot bound these activations or the value overflows).
 * O(size of the networks). */
lump_error_t cli_trusted_distance(double *u, const lump_net_t *q, const lump_net_t *w,
                                  const lump_box_t *box) LUMP_WUR;

/* cli_up3 -- U > 0 rounded up to three significant digits (U itself when
 * not positive and finite): a stated bound must not be below the proved
 * one. O(1). */
double cli_up3(double u);

/* cli_transfer_clear -- free T (idempotent). O(size). */
void cli_transfer_clear(cli_transfer_t *t);

/* cli_print_json -- print J (stolen) to standard output, with a newline. */
int cli_print_json(json_t *j);

/* cli_match_opt -- when argv[*i] is OPT (or OPT=value), store its value in
 * *VAL (the next argument, or after '=') and advance *i; returns 1 when
 * matched, 0 when not, -1 when the value is missing (message printed). */
int cli_match_opt(int argc, char **argv, int *i, const char *opt, const char **val);

/* One option of a command for cli_parse: NAME ("--json", "-o") is either a
 * switch (FLAG != NULL, set to 1 when given) or takes a value (VALUE != NULL,
 * given as "NAME VALUE" or "NAME=VALUE", as cli_match_opt reads it). An alias
 * is a second entry with the same VALUE or FLAG. */
typedef struct {
    const char *name;
    const char **value;
    int *flag;
} cli_opt_t;

/* CLI_COUNT -- the number of entries of the array A (an option table). */
#define CLI_COUNT(a) (sizeof(a) / sizeof *(a))

/* CLI_OPTS_OUTPUT -- the two option-table entries of the output file,
 * "-o" and its alias "--output", both into *VALUE: the one spelling of
 * the pair for every command that writes a file. */
#define CLI_OPTS_OUTPUT(value) {"-o", (value), NULL}, {"--output", (value), NULL}

/* CLI_OPTS_CENTRE -- the two entries of the centre option, "--centre" and
 * its American spelling "--center", both into *VALUE. */
#define CLI_OPTS_CENTRE(value) {"--centre", (value), NULL}, {"--center", (value), NULL}

/* cli_parse flag: an argument like "-5" is a positional, not an option. */
#define CLI_PARSE_NUMBERS 1u

/* cli_parse -- read argv[1..] of COMMAND against the NOPTS entries of OPTS;
 * the other arguments fill POS[0..NPOS-1] in order (entries left untouched
 * when fewer are given, so callers preset them to NULL). An unknown option
 * or a positional beyond NPOS is a usage error, the latter reported with
 * EXTRA (a format taking that argument as its one %s). Returns CLI_OK, or
 * CLI_BAD with the message printed. O(argc * NOPTS * option length). */
int cli_parse(int argc, char **argv, const char *command, const cli_opt_t *opts, size_t nopts,
              const char **pos, size_t npos, const char *extra, unsigned flags);

/* cli_parse_one -- cli_parse for a command on one network, its one
 * positional, into *PATH (preset it to NULL: it stays so when not given);
 * a second one is the usage error "one network expected, got 'X' too".
 * Returns CLI_OK or CLI_BAD. O(as cli_parse). */
int cli_parse_one(const char **path, int argc, char **argv, const char *command,
                  const cli_opt_t *opts, size_t nopts);

/* cli_read_two -- lump_net_read of A_PATH into A, then of B_PATH into B
 * (both initialised), for the commands that compare two networks; stops
 * at the first error, which names its file. O(the two files' sizes). */
lump_error_t cli_read_two(lump_net_t *a, const char *a_path, lump_net_t *b, const char *b_path);

/* cli_parse_two -- cli_parse for a command on two networks A and B, its
 * two positionals, which must both be given: *A and *B get them. Returns
 * CLI_OK, or CLI_BAD with the usage error printed. O(as cli_parse). */
int cli_parse_two(const char **a, const char **b, int argc, char **argv, const char *command,
                  const cli_opt_t *opts, size_t nopts);

/* cli_exit -- the exit code of a command that ended with ERR (reported
 * here), whose report printed with RC, and whose verdict's code is
 * VERDICT_RC: the error first, then RC, then the verdict. O(1). */
int cli_exit(lump_error_t err, int rc, int verdict_rc);

/* cli_verdict_rc -- the exit code of a command's verdict V: 0 true, 1
 * false, 3 unknown. O(1). */
int cli_verdict_rc(lump_verdict_t v);

/* cli_parse_size -- cli_parse_whole into a size_t, for options whose
 * value ARG may be absent (NULL: *OUT is left as it is). O(length of
 * ARG). */
int cli_parse_size(size_t *out, const char *arg, unsigned long long lo, unsigned long long hi,
                   const char *command, const char *fmt);

/* cli_parse_choice -- the value ARG of the option OPT as the index into
 * *OUT of the word it is in the NULL-terminated list NAMES (an enum's
 * order); *OUT is left as it is when ARG is NULL. Another word is the
 * usage error "OPT is A, B or C, not 'ARG'" of COMMAND. Returns CLI_OK or
 * CLI_BAD. O(length of NAMES). */
int cli_parse_choice(int *out, const char *arg, const char *const *names, const char *command,
                     const char *opt);

/* cli_parse_mode / cli_parse_centre -- the value ARG of --mode (exact,
 * proportional) or --centre (mean, lp) into *OUT, left as it is when ARG
 * is NULL; another word is the usage error "--mode is exact or
 * proportional, not 'X'" of COMMAND. --centre also refuses CALIB (the
 * --calib argument, may be NULL), which chooses its own centres.
 * Returns CLI_OK or CLI_BAD. O(length of ARG). */
int cli_parse_mode(lump_mode_t *out, const char *arg, const char *command);
int cli_parse_centre(lump_centre_t *out, const char *arg, const char *calib, const char *command);

/* cli_parse_whole -- the value S of an option as a decimal whole number in
 * LO..HI (strtoull rules: leading blanks and a sign are accepted as strtoull
 * accepts them), into *OUT. Otherwise prints the usage error FMT of COMMAND
 * (FMT takes S as its one %s) and returns CLI_BAD. O(length of S). */
int cli_parse_whole(unsigned long long *out, const char *s, unsigned long long lo,
                    unsigned long long hi, const char *command, const char *fmt);

/* cli_read_calib -- the calibration inputs of FILE for NET (the format of
 * --data: CSV rows of features and a label, or an .npy pair; the labels
 * are not used): *X gets *N rows of net->n_inputs values (free it).
 * Errors name the file. O(file size). */
lump_error_t cli_read_calib(double **x, size_t *n, const char *file, const lump_net_t *net);
/* cli_read_rows -- cli_read_calib for a network of N_INPUTS inputs (a
 * graph network). O(file size). */
lump_error_t cli_read_rows(double **x, size_t *n, const char *file, size_t n_inputs);

/* A file a command reads or writes, and what the user called it ("the
 * network", "--cert"), for cli_check_files. */
typedef struct {
    const char *path; /* NULL: not given */
    const char *role;
} cli_file_t;

/* cli_check_files -- before COMMAND does any work: every output of OUT can
 * be written (lump_io_check_output), none is one of the inputs IN (they
 * would be lost: compared by identity, see lump_io_same_file), and no two
 * outputs are one file. Entries with a NULL path are skipped. Returns
 * CLI_OK, or CLI_BAD with the message printed. O((NIN + NOUT)^2) system
 * calls. */
int cli_check_files(const char *command, const cli_file_t *in, size_t nin, const cli_file_t *out,
                    size_t nout);

/* cli_progress_start -- the clock of the summary line starts; the library's
 * progress report goes to standard error when it is a terminal and QUIET
 * is 0, under the heading "lumpnet: COMMAND". O(1). */
void cli_progress_start(const char *command, int quiet);

/* cli_summary -- unless --quiet, the one-line summary of a long command on
 * standard error: "lumpnet: COMMAND: 12.3 s, " and FMT. O(length). */
void cli_summary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_layer_sizes -- "784-256-256-10" (inputs, then each layer) of NET into
 * BUF (CAP bytes, cut short when longer). O(layers). */
const char *cli_layer_sizes(char *buf, size_t cap, const lump_net_t *net);

/* cli_elapsed -- seconds since the command started (cli_progress_start). */
double cli_elapsed(void);

/* ---- --json reports (report.c, the schema of docs/json.md) ---- */

/* cli_layer_act_name -- the activation of L ("mixed" when not uniform);
 * cli_store_name -- its storage ("rational", "float32", "float64"). O(1). */
const char *cli_layer_act_name(const lump_layer_t *l);
const char *cli_store_name(lump_store_t s);

/* cli_report_new -- a new report {"command": COMMAND}. O(1). */
json_t *cli_report_new(const char *command);

/* cli_report_path -- J[KEY] = PATH, or null when PATH is NULL (an optional
 * file not given). O(1). */
void cli_report_path(json_t *j, const char *key, const char *path);

/* cli_report_num -- X as a JSON number, null when infinite or NaN (JSON has
 * neither); cli_report_size -- N as a JSON integer. O(1). */
json_t *cli_report_num(double x);
json_t *cli_report_size(size_t n);

/* cli_report_net -- the network read from PATH: "network" (the path),
 * "inputs", "outputs" and "layers" (one {size, activation, storage[,
 * alpha]} per layer, the inputs not among them). O(layers). */
void cli_report_net(json_t *j, const char *path, const lump_net_t *net);

/* cli_report_counts -- "neurons" and "params" of NET. O(layers). */
void cli_report_counts(json_t *j, const lump_net_t *net);

/* cli_report_change -- a reduction BEFORE -> AFTER: "neurons_before",
 * "neurons_after", "params_before", "params_after" and "layers_after"
 * (plain sizes, the inputs first). O(layers). */
void cli_report_change(json_t *j, const lump_net_t *before, const lump_net_t *after);

/* ---- --table tex|md (table.c) ---- */

enum { CLI_TABLE_NONE = 0, CLI_TABLE_TEX = 1, CLI_TABLE_MD = 2 };

/* One column of a table: KEY, a dotted path into a row of the report
 * ("removed.inactive"); HEAD, its heading; SUMMED, whether the total row
 * adds it up. */
typedef struct {
    const char *key, *head;
    int summed;
} cli_col_t;

/* cli_table_parse -- *FMT from the value ARG of --table (NULL: none):
 * "tex" or "md"; otherwise, or with JSON (--json given too: the two
 * exclude each other), a usage error of COMMAND (CLI_BAD). O(1). */
int cli_table_parse(int *fmt, const char *arg, int json, const char *command);

/* cli_table_print -- print the report J (stolen) as a table on standard
 * output: one row per element of the array at ROWS_PATH (NULL: J itself is
 * the one row), the NCOLS columns COLS, in FMT (CLI_TABLE_TEX: a booktabs
 * tabular; CLI_TABLE_MD: a Markdown table); numbers right-aligned, reals
 * to 4 significant digits, null as a dash; with TOTAL, a last row adding
 * up the summed columns. Returns CLI_OK, or CLI_BAD when output fails.
 * O(rows * columns). */
int cli_table_print(json_t *j, const char *rows_path, const cli_col_t *cols, size_t ncols,
                    int fmt, int total);

/* cli_report_print -- add "seconds" (cli_elapsed) to J, print it (stolen)
 * as cli_print_json does. O(size of J). */
int cli_report_print(json_t *j);

/* What cli_plot_write draws: the exploration TAB, into the file OUT
 * (its name chooses SVG or PDF); CALIB names the lumpnet series. */
typedef struct {
    const char *out;
    const lump_explore_t *tab;
    int calib;
} cli_plot_t;

/* cli_have_gnuplot -- 1 when an executable gnuplot is on PATH. O(|PATH|). */
int cli_have_gnuplot(void);

/* cli_ends_with -- 1 when S ends in SUF. */
int cli_ends_with(const char *s, const char *suf);

/* cli_plot_write -- a lump_io_write_atomic writer: gnuplot draws the
 * cli_plot_t ARG into F. Errors: LUMP_EIO when gnuplot cannot run or
 * draws nothing. O(rows log rows) plus gnuplot. */
lump_error_t cli_plot_write(FILE *f, void *arg);

int cli_cmd_info(int argc, char **argv);
/* cli_graph_read (cmd_graph.c) -- lump_net_read of PATH failed with ERR:
 * when PATH is an ONNX or JSON file that needs the graph model, read it
 * into G (initialised) and return CLI_OK; else report ERR (its message
 * unchanged) or the graph reader's error, and return the exit code.
 * O(file size). */
int cli_graph_read(lump_graph_t *g, const char *path, lump_error_t err);
/* cli_graph_reduce / _check / _equiv (cmd_graph_lump.c) -- after the MLP
 * reader failed on a network with ERR: `reduce` (no box), `check` of a
 * graph certificate and `equiv` (no box, no tolerance) of graph
 * (convolutional or residual) networks. Return the exit code. */
int cli_graph_reduce(const char *path, const char *out, const char *cert, lump_mode_t md,
                     int json, lump_error_t err);
int cli_graph_check(const char *const paths[3], int json, lump_error_t err);
/* The arguments of `relax` on a graph network (cmd_graph_relax.c). */
typedef struct {
    const char *path, *out, *box, *calib, *prune_to;
    double eps;
    int json, lp;
    size_t samples;
} cli_graph_relax_t;
/* The arguments of `draw` on a graph network (cmd_graph_draw.c). */
typedef struct {
    const char *path, *out, *cert;
    int reduce, eps, json;
    lump_mode_t mode;
} cli_graph_draw_t;
/* cli_graph_draw -- after lump_net_read of D->path failed with ERR: `draw`
 * of a graph network at channel level. Returns the exit code. */
int cli_graph_draw(const cli_graph_draw_t *d, lump_viz_opts_t *opts, lump_error_t err);
/* cli_graph_relax -- after lump_net_read of A->path failed with ERR:
 * `relax` of a graph (convolutional) network. Returns the exit code. */
int cli_graph_relax(const cli_graph_relax_t *a, lump_error_t err);
int cli_graph_equiv(const char *a_path, const char *b_path, const char *cert,
                    unsigned long seed, int json, lump_error_t err);
/* cli_graph_info / cli_graph_eval (cmd_graph.c) -- after lump_net_read of
 * PATH failed with ERR: `info` or `eval` of PATH as a graph (convolutional
 * or residual) network when only that model holds it; else report ERR.
 * Return the exit code. */
int cli_graph_info(const char *path, lump_error_t err, int json, int other_options);
/* cli_graph_convert -- after lump_net_read of IN failed with ERR: when IN
 * is a graph (convolutional or residual) network, write it to OUT (ONNX
 * or JSON; NNet holds fully connected networks only and is refused) with
 * OPTS, reporting values rounded to the ONNX element type; else report
 * ERR. Returns the exit code. O(file size). */
/* cli_convert_done -- the end of `convert` writing OUT: report ERR, or
 * warn about the values OPTS says were rounded. Returns the exit code.
 * O(1). */
int cli_convert_done(const char *out, lump_error_t err, const lump_write_opts_t *opts);
int cli_graph_convert(const char *in, const char *out, lump_error_t err, lump_write_opts_t *opts);
int cli_graph_eval(const char *path, lump_error_t err, int exact, const char *input,
                   const char *inputs, int json);
/* ---- graph networks through their layered form (cmd_graph_bound.c) ---- */
/* The most dense weights an unrolled network may have: 2^26 float32
 * values are 256 MiB. Past it the layered tools would not finish anyway:
 * a MaxPool over a wide tensor unrolls quadratically (VNN-COMP's
 * Convnet_maxpool: 2.1e8 weights). */
#define CLI_UNROLL_MAX_WEIGHTS ((size_t)1 << 26)

/* cli_net_read_unrolled -- lump_net_read of PATH into NET; when PATH is a
 * graph (convolutional, residual) network, its exact translation into
 * layers (lump_graph_unroll) instead. Errors name PATH. O(file size + the
 * unrolled network's dense weights). */
lump_error_t cli_net_read_unrolled(lump_net_t *net, const char *path);
/* cli_read_two_unrolled -- cli_read_two through cli_net_read_unrolled. */
lump_error_t cli_read_two_unrolled(lump_net_t *a, const char *a_path, lump_net_t *b,
                                   const char *b_path);
/* cli_graph_bound_wide -- `bound` of two graph networks whose layered
 * translation is past CLI_UNROLL_MAX_WEIGHTS: read A_PATH and B_PATH as
 * graphs, RES = lump_graph_bound_result over BOX_ARG, *OBSERVED
 * (allocated) the sampled and searched maxima of |A_j - B_j|
 * (lump_graph_max_error_sampled), *PAIRED whether the differences were
 * propagated node by node. Errors name the files. */
lump_error_t cli_graph_bound_wide(lump_bound_result_t *res, double **observed, int *paired,
                                  const char *a_path, const char *b_path, const char *box_arg,
                                  size_t samples, unsigned long seed);
/* cli_graph_equiv_wide (cmd_graph_equiv_wide.c) -- `equiv` on BOX_ARG
 * (within TOL, 0 for exact) of two graph networks too large to unroll:
 * equivalent when the exact interval bound on the graphs is <= TOL on
 * every output, different with an exact witness from the box's centre,
 * corners and seeded random points, else unknown. Returns the exit
 * code. */
int cli_graph_equiv_wide(const char *a_path, const char *b_path, const char *box_arg,
                         const mpq_t tol, const char *cert, int json, unsigned long seed);
/* cli_convert_unrolled -- `convert --unroll`: write IN, unrolled into
 * layers when it is a graph network, to OUT. Returns the exit code. */
int cli_convert_unrolled(const char *in, const char *out, lump_write_opts_t *opts);
/* ---- steps of relax and explore on graph networks (graph_steps.c) ---- */
/* cli_graph_quotient -- Q = the exact channel quotient of the snapped
 * network S, confirmed by the independent checker (a refusal is an
 * internal error). O(the lumper and the checker on S). */
lump_error_t cli_graph_quotient(lump_graph_t *q, const lump_graph_t *s);
/* cli_graph_relax_bound -- the certified bound BR of G against S over
 * BOX: both unrolled to layered networks of the same layer sizes, paired
 * neuron by neuron (lump_bound_diff_lumped without a lumping, the LP as
 * A->lp says), or, when the layered form is past CLI_UNROLL_MAX_WEIGHTS,
 * exact differential intervals on the graphs (lump_graph_bound_result;
 * *ON_GRAPH, when not NULL, says which); OBS (n_outputs entries) the
 * largest difference seen by A->samples samples and a local search.
 * O(the unrolling and the bound). */
lump_error_t cli_graph_relax_bound(lump_bound_result_t *br, int *on_graph, double *obs,
                                   const lump_graph_t *g, const lump_graph_t *s,
                                   const lump_box_t *box, const cli_graph_relax_t *a);
/* ---- explore (cmd_explore.c; graph networks in cmd_graph_explore.c) ---- */
/* The parsed arguments of `explore`. */
typedef struct {
    const char *path, *box, *data, *csv, *plot, *calib, *centre, *save;
    const double *eps; /* --eps-list, or NULL */
    size_t neps, steps, samples;
    int json, table; /* table: a CLI_TABLE_* value */
    int lp;          /* 1 --lp, 0 --no-lp, -1 neither */
    lump_centre_t centre_kind; /* --centre parsed (mean by default) */
} cli_explore_args_t;
/* The files that --save DIR wrote, per row (NULL where none). */
typedef struct {
    const char *dir, *ext;
    const lump_net_t *f; /* the fully connected original (its certificates) */
    int calib;           /* the lumpnet rows come from a calibration run */
    char **file, **cert;
    size_t n, cap;
    int made_dir; /* DIR was created by this run */
} cli_explore_save_t;
/* cli_explore_save_open -- S (zeroed) for A->save: the folder (made when
 * absent; its parent must exist), files named like A->path (JSON when its
 * extension is not a network format). Errors: LUMP_EUSAGE naming DIR. O(1). */
lump_error_t cli_explore_save_open(cli_explore_save_t *s, const cli_explore_args_t *a);
/* cli_explore_save_file -- write row ROW of T's network NET with WRITE as
 * DIR/rowNN_METHOD[_epsE].EXT and record the file in S. O(the write). */
lump_error_t cli_explore_save_file(cli_explore_save_t *s, const lump_explore_t *t, size_t row,
                                   lump_error_t (*write)(const char *path, const void *net),
                                   const void *net);
/* cli_explore_save_close -- free S; when ERR is an error, first remove
 * every file it wrote (and DIR when this run made it). O(files). */
void cli_explore_save_close(cli_explore_save_t *s, lump_error_t err);
/* cli_explore_data -- D = the labelled rows of A->data for a network of
 * N_INPUTS inputs and N_OUTPUTS outputs. Errors (LUMP_EINPUT) name the
 * file and the wrong width or label. O(file size). */
lump_error_t cli_explore_data(lump_data_t *d, const cli_explore_args_t *a, size_t n_inputs,
                              size_t n_outputs);
/* cli_explore_report -- the outputs of an exploration TAB of the network
 * of NEURONS neurons described by HEAD (its report fields; taken): the
 * CSV and plot files (both or neither), then the table, JSON or text on
 * standard output, with SAVE's files (may be NULL); *RC the exit code of
 * the printing. Errors: those of writing the files. O(rows). */
lump_error_t cli_explore_report(int *rc, const cli_explore_args_t *a, const lump_explore_t *tab,
                                const cli_explore_save_t *save, json_t *head, size_t neurons);
/* cli_graph_explore -- after lump_net_read of A->path failed with ERR:
 * `explore` of a graph (convolutional, residual) network. Returns the
 * exit code. */
int cli_graph_explore(const cli_explore_args_t *a, lump_error_t err);
/* ---- box reduction of graph networks (cmd_graph_box.c) ---- */
/* cli_graph_reduce_box -- `reduce PATH -o OUT --box BOXARG [--cert CERT]`
 * after lump_net_read of PATH failed with ERR: when PATH is a graph
 * network, remove its relu channels inactive on the box (bounds with LP
 * tightening when USE_LP), check the certificate, write OUT (and CERT);
 * else report ERR. Returns the exit code. */
int cli_graph_reduce_box(const char *path, const char *out, const char *cert, const char *boxarg,
                         int use_lp, int json, lump_error_t err);
/* cli_graph_check_box -- `check NET OUT CERT --box BOX_ARG` after reading
 * NET failed with ERR: when NET is a graph network, check the graph box
 * certificate CERT for OUT; else report ERR. Returns the exit code. */
int cli_graph_check_box(const char *const paths[3], const char *box_arg, int json,
                        lump_error_t err);
int cli_cmd_eval(int argc, char **argv);
int cli_cmd_convert(int argc, char **argv);
int cli_cmd_reduce(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_equiv(int argc, char **argv);
int cli_cmd_relax(int argc, char **argv);
int cli_cmd_bound(int argc, char **argv);
int cli_cmd_explore(int argc, char **argv);
int cli_cmd_draw(int argc, char **argv);

#endif
