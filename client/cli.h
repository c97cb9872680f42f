/* cli.h - what every clusterctl command shares: the global options, the exit codes, and
 * the one way an error reaches the operator.
 *
 * Exit codes (docs/control-api.md "Error codes", docs/operations.md): 0 success, then one
 * per control-API error code; clusterctl's own failures map onto the same codes (a bad
 * command line is invalid_argument = 2, etcd unreachable is etcd_unavailable = 9, no
 * manager answering is unavailable = 11).
 *
 * An error is ONE line on stderr, "clusterctl: what went wrong (what to do)"; with --json
 * stdout also gets {"error":{"code":"not_found","message":"...","exit":3}} so scripts
 * need not parse stderr.
 *
 * Single-threaded except `events`, whose watch thread prints event lines (stdout only;
 * errors go through the main thread). */
#ifndef VTL_CLIENT_CLI_H
#define VTL_CLIENT_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/args.h"
#include "proto/ctl.h"

#define CLI_NAME "clusterctl"
#define CLI_ETCD_DEFAULT "http://127.0.0.1:2379"
#define CLI_TIMEOUT_DEFAULT_MS 10000
#define CLI_DONE (-1)            /* a command's parse step printed help: exit 0 */

struct cli_conn;

struct cli {
	const char *etcd;        /* --etcd, VTL_ETCD, CLI_ETCD_DEFAULT */
	const char *prefix;      /* --prefix, VTL_PREFIX, "/vtl/" */
	bool json;               /* --json: machine output on stdout */
	uint64_t timeout_ms;     /* --timeout: bound of a command's retries */
	bool verbose;            /* --verbose: library log lines on stderr */
	bool help;               /* --help / -h */
	bool version;            /* --version */
	struct cli_conn *conn;   /* opened on first use by cli_conn_get() (conn.h) */
};

/* One command: its words ("library create"), usage, help and entry point. */
struct cli_cmd {
	const char *words;
	const char *usage;       /* after the words: "NAME [options]" */
	const char *summary;     /* one line for the overview */
	const char *details;     /* paragraph(s) for --help; may be NULL */
	int (*run)(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
};

extern const struct cli_cmd cli_commands[];
extern const size_t cli_n_commands;

/* The exit code of a control-API error code (OK -> 0). */
int cli_exit_code(enum proto_ctl_err err);

/* Prints the error line (and the --json error object) and returns the exit code of err.
 * Newlines in the text are replaced: one line, always. */
__attribute__((format(printf, 3, 4)))
int cli_fail(struct cli *cli, enum proto_ctl_err err, const char *fmt, ...);

/* The global options, for merging into a command's option set. */
const struct cli_opt *cli_global_opts(struct cli *cli, size_t *n);

/* Parses a command's argv with its options and the global ones. Positionals go to pos:
 * at least min_pos, at most max_pos. --help prints the command's help. Returns 0,
 * CLI_DONE after help, or the usage exit code after printing the reason. */
int cli_parse(struct cli *cli, const struct cli_cmd *cmd, const struct cli_opt *opts,
	      size_t nopts, int argc, char **argv, char **pos, size_t min_pos, size_t max_pos,
	      size_t *npos);

/* Help of one command (usage, details, options). */
void cli_cmd_help(struct cli *cli, const struct cli_cmd *cmd, const struct cli_opt *opts,
		  size_t nopts, FILE *out);

/* --json output: the value as one compact line (for scripts and jq), then a newline.
 * Returns 0 or the internal exit code. */
int cli_print_json(const json_t *v);

/* The string member `key` of obj, or dflt when absent or not a string. */
const char *cli_str(const json_t *obj, const char *key, const char *dflt);
/* The integer member `key` of obj, or 0. */
uint64_t cli_u64(const json_t *obj, const char *key);

#endif
