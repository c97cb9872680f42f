/* args.h - clusterctl's option parser: a table of long options per command, merged with
 * the global ones, so `clusterctl --json nodes` and `clusterctl nodes --json` mean the
 * same thing.
 *
 * Accepted forms: `--name value`, `--name=value`, `--flag`, `-h` (= --help), `--` (the
 * rest are arguments). Everything else not starting with '-' is a positional argument;
 * a lone "-" is positional too. Values are checked here (integers against their range,
 * sizes through cli_parse_size), so a command only sees good values.
 *
 * Pure: writes only through the option table's pointers, no I/O, no globals. */
#ifndef VTL_CLIENT_ARGS_H
#define VTL_CLIENT_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_opt_type {
	CLI_OPT_FLAG,            /* dst: bool *, set to true */
	CLI_OPT_STR,             /* dst: const char **, points into argv */
	CLI_OPT_UINT,            /* dst: uint64_t *, decimal in [min, max] */
	CLI_OPT_SIZE,            /* dst: uint64_t *, "4G" etc. in [min, max] bytes */
};

struct cli_opt {
	const char *name;        /* without "--" */
	enum cli_opt_type type;
	void *dst;
	uint64_t min, max;       /* UINT and SIZE */
	bool *seen;              /* optional: set when the option is given */
	const char *metavar;     /* "N", "SIZE", "URLS" (help text) */
	const char *help;        /* one line */
};

/* A set of option tables searched in order (a command's own, then the global ones). */
struct cli_optset {
	const struct cli_opt *opts[2];
	size_t n[2];
};

/* Parses argv[0..argc) (no program or command words). Positionals go to pos[0..pos_cap)
 * in order, their count to *npos. 0, or -EINVAL with a one-line reason in err:
 * "unknown option '--x'", "option '--drives' needs a value", "option '--drives': '0' is
 * out of range (1..64)", "option '--json' takes no value", "too many arguments ('x')". */
int cli_args_parse(const struct cli_optset *set, int argc, char **argv, char **pos,
		   size_t pos_cap, size_t *npos, char *err, size_t err_cap);

/* "  --drives N        tape drives (1..64)" lines, the option column aligned. */
void cli_args_help(const struct cli_opt *opts, size_t n, FILE *out);

#endif
