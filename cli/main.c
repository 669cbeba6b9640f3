/* main.c -- the lumpnet command-line tool: dispatch, --help, --version */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const cli_command_t commands[] = {
    {"info", cli_cmd_info, "lumpnet info NET|BOX.vnnlib [--json | --table tex|md] [--lumps [--mode M]]",
     "print inputs, outputs, layers, neurons and parameters (or a box)"},
    {"eval", cli_cmd_eval,
     "lumpnet eval NET [--exact | --mpfr BITS] (--input x1,x2,... | --inputs FILE) [--json]",
     "evaluate a network (double by default; exact rationals; or an MPFR enclosure)"},
    {"convert", cli_cmd_convert, "lumpnet convert IN OUT [--dtype float32|float64|auto] [--unroll]",
     "rewrite a network in the format of OUT's extension (.onnx, .nnet, .json)"},
    {"reduce", cli_cmd_reduce,
     "lumpnet reduce NET -o OUT [--mode exact|proportional] [--cert CERT] [--box BOX "
     "[--bounds lp|interval] [--vnnlib-out P] [--fit exact|smallest] [--unroll]] "
     "[--json | --table tex|md]",
     "merge provably equal/proportional neurons; write the quotient and a certificate"},
    {"check", cli_cmd_check, "lumpnet check NET OUT CERT | A B EQCERT | A B TOLCERT [--box BOX] [--json]",
     "verify a certificate independently, in exact arithmetic (exit 0 valid, 1 invalid)"},
    {"equiv", cli_cmd_equiv,
     "lumpnet equiv A B [--box BOX] [--seed S] [--cert CERT] [--json]\n"
     "       lumpnet equiv A B [--box BOX] --tolerance EPS [--outputs j,k,...] [--timeout S] "
     "[--jobs N] [--split ranked|smart|gradient|widest] [--cert CERT] [--json]",
     "prove two networks equal, refute with a witness, or say unknown (exit 0/1/3)"},
    {"relax", cli_cmd_relax,
     "lumpnet relax NET (--eps E | --prune-to P) -o OUT --box BOX [--calib FILE] [--local-radius R] [--json]",
     "merge neurons approximately and certify the output error over a box"},
    {"bound", cli_cmd_bound, "lumpnet bound A B --box BOX [--cert CERT] [--json | --table tex|md]",
     "a certified bound on |A_j - B_j| over a box, per output"},
    {"explore", cli_cmd_explore,
     "lumpnet explore NET --box BOX [--data FILE] [--calib FILE] --csv OUT.csv [--plot "
     "OUT.svg|OUT.pdf] [--save DIR] [--json | --table tex|md]",
     "sweep epsilon: size, certified bound, observed error, accuracy; vs pruning"},
    {"draw", cli_cmd_draw,
     "lumpnet draw NET [--cert CERT | --reduce | --eps E --box BOX] -o OUT.svg|.pdf|.png|.dot "
     "[--json]",
     "draw a network, its blocks and its quotient with Graphviz"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
    fprintf(f, "lumpnet %s -- exact compression of neural networks by lumpability\n\n",
            lump_version());
    fprintf(f, "usage:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %s\n      %s\n", commands[i].usage, commands[i].summary);
    fprintf(f, "\nFormats follow the file extension: .onnx, .nnet, .json (exact).\n"
               "--json: one report on standard output, its keys in docs/json.md.\n"
               "--table tex|md (info, reduce, bound, explore): the command's table as\n"
               "LaTeX (booktabs) or Markdown, for papers and READMEs.\n"
               "Numbers are decimals or p/q. Exit codes: 0 success, 1 negative answer,\n"
               "2 bad usage or bad input, 3 unknown, 70 internal error (a bug: please\n"
               "report it).\n\n"
               "Files: inputs must be regular files (a FIFO or a device is refused);\n"
               "an output may not be an input or another output of the same command\n"
               "(exit 2, nothing written); a command writes all its outputs or none,\n"
               "each through a temporary .lumpnet-XXXXXX in its folder, and an\n"
               "overwritten file keeps its mode.\n"
               "\nGlobal option: --max-memory MB caps the memory of the process; past\n"
               "it the command fails with an out-of-memory message and exit code 2.\n"
               "\nLong commands (relax, bound, explore, reduce --box) show their progress\n"
               "on a terminal and end with a one-line summary on standard error\n"
               "(\"lumpnet: relax: 12.3 s, ...\"); global option --quiet silences both.\n"
               "\nCtrl-C stops any command within a second, leaving no file (exit 130).\n"
               "'lumpnet COMMAND --help' describes one command.\n");
}

static const char *const details[] = {
    /* info */
    "Prints the sizes and activations of a network. With --json, the keys\n"
    "inputs, outputs, layers (list of {size, activation}), neurons (hidden plus\n"
    "output) and params (weights plus biases). Given a .vnnlib property, prints\n"
    "its input box. --lumps adds what lumpability the network has, per layer\n"
    "(blocks, merged, constant and dead neurons; --mode exact|proportional,\n"
    "default proportional), and which outputs are provably equal or\n"
    "proportional; nothing is written.\n",
    /* eval */
    "Evaluates NET on one input (--input x1,x2,...) or on every line of FILE\n"
    "(--inputs; comma-separated values, '#' starts a comment line). Values are\n"
    "decimals or p/q and are read exactly. Prints one output vector per line:\n"
    "  default    double precision, 17 significant digits (round-trips);\n"
    "  --exact    exact rationals p/q (piecewise-linear activations only);\n"
    "  --mpfr B   a rigorous MPFR enclosure at B bits: \"[lo, hi]\" per output\n"
    "             (separated by \", \"), each end rounded outward to decimal, so\n"
    "             the printed interval contains the value (a convolutional\n"
    "             network through its exact translation into layers).\n"
    "The network's own input clipping, normalisation and output map apply.\n"
    "--inputs FILE is read line by line (memory bounded by the longest line)\n"
    "and each line is printed as it is evaluated: on a bad line, the outputs\n"
    "of the lines before it have already been printed; the error names the\n"
    "line and the exit code is 2. FILE must be a regular file.\n"
    "--json: one report at the end, a list of results (docs/json.md), and\n"
    "nothing when a line fails.\n",
    /* convert */
    "Reads IN and writes OUT, each in the format of its extension. JSON keeps\n"
    "every value exactly. ONNX is written as Gemm (transB=1) plus activation in\n"
    "float32 when every value fits exactly, else float64 (--dtype forces one);\n"
    "values that do not fit are rounded to nearest, with a warning that gives\n"
    "the largest rounding. NNet needs ReLU hidden layers and a linear output.\n"
    "A convolutional or residual (graph) network goes between ONNX and JSON\n"
    "(the lumpnet-graph document): Conv stays Conv, node, input and output\n"
    "names and shapes are kept, the batch dimension becomes symbolic \"N\";\n"
    "JSON to JSON and ONNX to JSON to ONNX are exact. NNet holds fully\n"
    "connected networks only and refuses it.\n"
    "--unroll writes a graph network as the layered network that computes\n"
    "exactly its function (the one bound and equiv --box use): affine nodes\n"
    "composed into dense layers, identity neurons carrying values forward,\n"
    "MaxPool as max(a, b) = b + relu(a - b); refused past 2^26 dense\n"
    "weights (a MaxPool over a wide tensor unrolls quadratically).\n",
    /* reduce */
    "Computes the coarsest lumping of NET (DESIGN section 2) in one forward\n"
    "pass: neurons with equal (--mode exact) or proportional (--mode\n"
    "proportional, the default; positive scales for relu and leaky_relu, any\n"
    "non-zero scale for identity) values are merged, constant neurons are\n"
    "folded into the next biases and dead neurons are removed. Writes the\n"
    "quotient to OUT (which computes exactly the same function; write .json\n"
    "to keep every value exact) and, with --cert, a certificate that\n"
    "'lumpnet check' verifies. Output neurons are never merged.\n"
    "A convolutional or residual (graph) network is lumped by whole channels\n"
    "(docs/cnn-lumping.md): the quotient's convolutions have fewer channels;\n"
    "--json gives neurons, params and per_node channels before and after.\n"
    "With --box BOX, the result need only agree on the box: ReLUs that are\n"
    "provably off there are removed, provably-on ones are linear and affinely\n"
    "dependent ones are folded exactly, then lumping runs again, until\n"
    "nothing changes. Bounds come from interval arithmetic tightened by LP\n"
    "(--bounds interval to skip the LP), every one certified exactly. Outside\n"
    "the box nothing is promised. --json adds the neurons removed per cause:\n"
    "inactive, folded, lumped, dead, constant.\n"
    "Before anything is written, the independent checker verifies the\n"
    "certificate against NET and the quotient (--json: check_seconds); should\n"
    "it refuse, that is a bug: exit 70, and no file is written.\n"
    "--vnnlib-out SMALL.vnnlib (with --box PROP.vnnlib): the property for OUT:\n"
    "PROP itself when OUT holds the exact result; when OUT had to round\n"
    "values, the certified distance U between OUT and NET over the box is\n"
    "printed and the unsafe region (the output constraints) enlarged by U,\n"
    "so that a verifier's 'unsat' on (OUT, SMALL.vnnlib) proves PROP for NET.\n"
    "--fit exact (the default with --box): a fold or lumping whose numbers\n"
    "OUT's number type cannot hold (float32 for a float32 ONNX source,\n"
    "decimals for NNet) is left out and its neurons kept, so that OUT holds\n"
    "the result exactly whenever NET's own numbers fit (\"kept\", and\n"
    "kept_unfolded in --json); --fit smallest folds everything, rounds, and\n"
    "certifies the distance. .json outputs hold every rational: no change.\n"
    "A convolutional or residual (graph) network with --box: the bounds are\n"
    "those of its exact layered form (convert --unroll; LP tightening stops\n"
    "after 200 LP solves), and each relu channel that is zero at every\n"
    "position of the box is removed as a channel: its Conv or dense producer\n"
    "loses the output channel, the Convs and dense nodes reading it (through\n"
    "Pad, pools, Transpose, Reshape) the input channel; channels a residual\n"
    "Add or Concat reads stay. OUT is again a graph network (.onnx, Conv\n"
    "stays Conv, or .json); --cert writes a graph box certificate. --unroll\n"
    "instead reduces the layered form as a fully connected network (every\n"
    "stable relu, at any position, removed or folded) and writes that.\n"
    "With --box: progress on a\n"
    "terminal and a one-line summary on standard error (--quiet: neither).\n",
    /* check */
    "Verifies in exact arithmetic, without the partition finder, that CERT is a\n"
    "valid lumping of NET and that OUT is exactly its quotient. Exit 0 when\n"
    "valid; exit 1 with the violated condition and neuron when not. A\n"
    "certificate of a reduction on a box needs --box BOX, and proves equality\n"
    "on that box only. When OUT is the exact result rounded to its file's\n"
    "number type (an ONNX or NNet file), the certificate is checked for the\n"
    "exact result and OUT's distance to it is certified over the box (--box;\n"
    "a lumping needs one for this): \"valid within U\", exit 0.\n"
    "Given an equivalence certificate (equiv --cert), the\n"
    "two networks are A and B, and check verifies that the certificate lumps\n"
    "their union with every output of A in the block of the same output of B.\n"
    "Given a tolerance certificate (equiv --tolerance --cert), check verifies\n"
    "its tree of splits and recomputes a sound bound on |A_j - B_j| on every\n"
    "leaf, which must be at most the tolerance; with --box the certificate's\n"
    "box must contain BOX.\n"
    "A box-equivalence certificate (equiv --box --cert) needs --box BOX.\n"
    "Graph (convolutional or residual) networks take a graph certificate\n"
    "(reduce or equiv --cert of graph networks; docs/cnn-lumping.md).\n"
    "For a convolutional or residual NET, check --box reads the certificate\n"
    "of reduce --box (OUT a graph network: the bounds of NET's layered form,\n"
    "every entry of each removed channel proven inactive, OUT exactly NET\n"
    "without those channels) or of reduce --box --unroll (OUT layered).\n",
    /* equiv */
    "Decides whether A and B compute the same function. Equivalent (exit 0):\n"
    "proved by lumping the union of the two networks on shared inputs.\n"
    "Different (exit 1): an exact rational input where an output differs,\n"
    "found by random points, box corners and local search over --box (else the\n"
    "networks' declared input bounds, else [-1,1] per input). Unknown (exit\n"
    "3): neither; the tool never guesses. A proof is reported only after the\n"
    "independent certificate checker has verified the lumping; --cert CERT\n"
    "writes it (an equivalence certificate: lumpnet check A B CERT).\n"
    "Exit 70 means the finder and the checker disagree: a bug to report.\n"
    "With --box, when the union does not lump: both networks are reduced on\n"
    "the box (as reduce --box) and the union of the reduced networks lumped;\n"
    "equivalent then holds on the box only, and --cert writes a\n"
    "box-equivalence certificate (lumpnet check A B CERT --box BOX).\n"
    "Two graph (convolutional or residual) networks of the same nodes are\n"
    "lumped side by side by channels; else 3 exact random points of [-1,1]^n\n"
    "are compared (no --box, no --tolerance on graphs here).\n"
    "\n"
    "With --tolerance EPS > 0 (a decimal or p/q, exact): equivalent (exit 0)\n"
    "when |A_j(x) - B_j(x)| <= EPS for every x in the box (--box, else the\n"
    "declared input bounds) and every output j (--outputs j,k: 0-based),\n"
    "proved by branch and bound over the box; different (exit 1) with an\n"
    "exact witness whose exact difference exceeds EPS; unknown (exit 3) at\n"
    "the time limit (--timeout S, default 60) or on Ctrl-C, with the best\n"
    "certified bound and the largest difference found. --cert CERT writes the\n"
    "search tree (a tolerance certificate, checked before the verdict is\n"
    "printed). --jobs N threads (default: the cores) never change the answer\n"
    "or the certificate. --split chooses the input to split: smart (bound\n"
    "both halves along every input, keep the best), ranked (default: smart on\n"
    "the two inputs that split best last time, all inputs every fourth\n"
    "level), gradient (NeuroDiff's gradient times width) or widest.\n",
    /* relax */
    "Merges neurons whose normalised signatures lie within E of a block centre,\n"
    "where distance is pre-activation deviation over BOX (docs/relax.md), writes\n"
    "the relaxed quotient to OUT and prints a certified bound on |NET_j - OUT_j|\n"
    "over BOX per output, with the largest error observed by sampling.\n"
    "  --centre mean|lp   block centres: member mean (default) or the LP centre\n"
    "                     minimising the largest member deviation\n"
    "  --samples N        points sampled for the observed error\n"
    "  --calib FILE       calibration-guided instead: merge one neuron at a time,\n"
    "                     least output change on FILE's inputs first (format of\n"
    "                     explore --data, labels unused), while no output moves by\n"
    "                     more than E on any of them; the bound stays over BOX\n"
    "  --lp, --no-lp      the joint LP in the bound (default: only for networks of\n"
    "                     at most 100000 parameters; the symbolic bound is\n"
    "                     certified too, a few per cent looser)\n"
    "  --local-radius R   also certify the deviation over the L-inf balls of\n"
    "                     radius R (within BOX) around points: the largest bound,\n"
    "                     and the share of points whose class is certified\n"
    "                     unchanged in their ball\n"
    "  --local-data FILE  the points (format of --calib; default the --calib\n"
    "                     points)\n"
    "  --local-points N   at most N of them, evenly spaced (default 100)\n"
    "A convolutional network is relaxed channel by channel: whole channels of\n"
    "the Conv (and hidden dense) layers that feed a ReLU are merged, within E\n"
    "of a block leader over BOX (or with --calib as above); the exact channel\n"
    "lumper writes the smaller network (Conv stays Conv), checked by the\n"
    "independent checker, and the bound is over BOX.\n"
    "  --prune-to P       the baseline instead: remove the filters of smallest\n"
    "                     ||kernel|| x ||consumer weights|| (no retraining) until\n"
    "                     at most P parameters are left\n"
    "--json keys: neurons_before, neurons_after, params_before, params_after,\n"
    "bound, certified, observed, naive; with --calib calib_deviation; with\n"
    "--local-radius local; on a convolutional network channels_removed.\n"
    "Progress on a terminal, and a one-line summary on standard error\n"
    "(\"lumpnet: relax: 12.3 s, 784-256-256-10 -> ..., bound ...\"); --quiet\n"
    "for neither.\n",
    /* bound */
    "A certified upper bound on |A_j - B_j| over BOX for each output j. Both\n"
    "networks are bounded layer by layer by back-substitution (DeepPoly/CROWN\n"
    "style) and their differences by the NeuroDiff recurrence, on pieces of a\n"
    "split box for small input counts; a joint LP solved by GLPK is made\n"
    "rigorous by weak duality in exact rationals. The smaller certified value\n"
    "is reported, with the naive interval bound and the largest difference\n"
    "observed by sampling and local search (docs/relax.md).\n"
    "  --encoding differential|separate   joint LP encoding (default differential)\n"
    "  --no-lp, --no-symbolic             leave out one of the two bounds\n"
    "  --max-boxes N                      input-splitting budget (default 64)\n"
    "  --samples N, --seed S              the sampling of the observed maximum\n"
    "  --cert CERT                        a lumping or box certificate of A (reduce\n"
    "                                     --cert), checked first: B is bounded\n"
    "                                     against A's exact quotient Q, neuron by\n"
    "                                     neuron (B a rounded copy of Q)\n"
    "Exit 0 with a certified bound, 3 when no certified bound could be had.\n"
    "Progress on a terminal, and a one-line summary on standard error\n"
    "(\"lumpnet: bound: 12.3 s, ...\"); --quiet for neither.\n"
    "--json keys: bound, certified, naive, observed, bound_symbolic, bound_lp,\n"
    "bound_seconds.\n",
    /* explore */
    "Sweeps epsilon and writes one CSV row per value: neurons, params, certified\n"
    "bound, observed error, and with --data the accuracy and the agreement with\n"
    "the original; plus rows for magnitude pruning at the same neuron budget\n"
    "(prune) and at the same parameter budget (prune_params).\n"
    "  --eps-list e1,e2,...   the values (default: about 10, chosen from NET)\n"
    "  --steps N              how many default values\n"
    "  --data FILE            labelled data: CSV (features..., label) or X.npy,y.npy\n"
    "  --calib FILE           calibration-guided lumping (see relax); keep FILE\n"
    "                         apart from --data, which measures the accuracy\n"
    "  --plot OUT.svg|.pdf    a plot drawn by gnuplot; when it fails, the CSV is\n"
    "                         not written either (both or neither)\n"
    "  --centre mean|lp, --samples N, --lp, --no-lp   as in relax\n"
    "  --save DIR             write each row's network into DIR (made when\n"
    "                         missing), as rowNN_METHOD_epsE with NET's extension,\n"
    "                         and an exact row's certificate beside it; the CSV's\n"
    "                         columns file and cert name them\n"
    "  --json                 the rows as JSON instead of the table\n"
    "On a convolutional or residual network, whole channels merge (as in relax),\n"
    "each row's network is the checked channel quotient, and the baseline is\n"
    "filter pruning (no --centre, no certificates).\n"
    "Progress on a terminal, and a one-line summary on standard error;\n"
    "--quiet for neither.\n",
    /* draw */
    "Draws NET with Graphviz: layers left to right, blocks in colour and shape,\n"
    "edge width by |weight| and colour by sign, outputs and removed neurons\n"
    "marked, the quotient below the original (not drawn when nothing lumps:\n"
    "the caption says \"no lumps\"); merged blocks are coloured, a neuron\n"
    "alone in its block stays white. The format follows OUT's\n"
    "extension (.svg, .pdf, .png, .dot); identical input gives identical bytes.\n"
    "  --reduce [--mode M]    the coarsest lumping (default proportional)\n"
    "  --cert CERT            a checked certificate: a lumping, or a reduction\n"
    "                         on a box (inactive, folded, lumped neurons marked)\n"
    "  --eps E --box BOX      a relaxed lumping (--centre mean|lp)\n"
    "  --quotient-only        draw the quotient alone\n"
    "  --title T              starts the caption (default: NET's file name),\n"
    "                         which goes on with the sizes\n"
    "  --max-width N          summarise layers wider than N (default 24)\n"
    "  --max-edges N          strongest edges drawn between two layers (48)\n"
    "  --dpi N                resolution of a .png (default 300, for print;\n"
    "                         96 for a screen)\n"
    "  --font F, --size W,H, --no-legend\n"
    "  --json                 report what was written (docs/json.md)\n"
    "Graphviz renders in a child process: if it runs out of memory (under\n"
    "--max-memory) the command exits 2 naming OUT, and writes nothing.\n"
    "See docs/gallery/ for examples and the commands that made them.\n",
};

/* Take the global option "--max-memory MB" (or "--max-memory=MB") out of
 * ARGV, wherever it stands, so that the commands never see it. Returns the
 * limit in bytes (0: none), or -1 after a message when it is malformed. */
static long long take_max_memory(int *argc, char **argv)
{
    long long bytes = 0;
    int out = 1;
    for (int a = 1; a < *argc; a++) {
        const char *v = NULL;
        if (strcmp(argv[a], "--max-memory") == 0) {
            if (a + 1 >= *argc) {
                fprintf(stderr, "lumpnet: --max-memory needs a size in MB\n");
                return -1;
            }
            v = argv[++a];
        } else if (strncmp(argv[a], "--max-memory=", 13) == 0) {
            v = argv[a] + 13;
        } else {
            argv[out++] = argv[a];
            continue;
        }
        {
            char *end;
            unsigned long long mb = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end != '\0' || mb == 0 || mb > (1ULL << 30)) {
                fprintf(stderr,
                        "lumpnet: --max-memory '%s': expected a size in MB "
                        "(a positive integer)\n",
                        v);
                return -1;
            }
            bytes = (long long)(mb << 20);
        }
    }
    argv[out] = NULL;
    *argc = out;
    return bytes;
}

/* Take the global option "--quiet" out of ARGV, wherever it stands;
 * returns whether it was there. */
static int take_quiet(int *argc, char **argv)
{
    int out = 1, quiet = 0;
    for (int a = 1; a < *argc; a++) {
        if (strcmp(argv[a], "--quiet") == 0)
            quiet = 1;
        else
            argv[out++] = argv[a];
    }
    argv[out] = NULL;
    *argc = out;
    return quiet;
}

int main(int argc, char **argv)
{
    long long max_memory = take_max_memory(&argc, argv);
    int quiet = take_quiet(&argc, argv);
    if (max_memory < 0)
        return CLI_BAD;
    /* fonts before any memory limit: fontconfig short of memory writes an
     * empty font cache for the whole system (see lump_viz_fonts_load) */
    if (argc > 1 && strcmp(argv[1], "draw") == 0 && lump_viz_fonts_load() != LUMP_OK) {
        fprintf(stderr, "lumpnet: %s\n", lump_error_message());
        return CLI_BAD;
    }
    /* Ctrl-C: the long loops stop at their next step; past half a second
     * (inside one GLPK solve, say) the process leaves at once, without
     * its temporary file */
    if (lump_cancel_install(0.5) != LUMP_OK) {
        fprintf(stderr, "lumpnet: %s\n", lump_error_message());
        return CLI_BAD;
    }
    /* GMP aborts when an allocation fails; exit 2 with a message instead */
    lump_memory_name("--max-memory");
    if (lump_memory_install((size_t)max_memory) != LUMP_OK) {
        fprintf(stderr, "lumpnet: %s\n", lump_error_message());
        return CLI_BAD;
    }
    if (argc < 2) {
        print_help(stderr);
        return CLI_BAD;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lumpnet %s\n", lump_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        for (int a = 2; a < argc; a++)
            if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                printf("usage: %s\n\n%s", commands[i].usage, details[i]);
                return CLI_OK;
            }
        cli_progress_start(commands[i].name, quiet);
        return commands[i].run(argc - 1, argv + 1);
    }
    {
        const char *names[N_COMMANDS + 1];
        const char *hint;
        for (size_t i = 0; i < N_COMMANDS; i++)
            names[i] = commands[i].name;
        names[N_COMMANDS] = "help";
        hint = argv[1][0] == '-' ? NULL : cli_suggest(argv[1], names, N_COMMANDS + 1);
        if (hint != NULL) {
            fprintf(stderr, "lumpnet: unknown command '%s'; did you mean '%s'? (see 'lumpnet --help')\n",
                    argv[1], hint);
            return CLI_BAD;
        }
    }
    fprintf(stderr, "lumpnet: unknown command '%s' (see 'lumpnet --help')\n", argv[1]);
    return CLI_BAD;
}
