/* main.c - clusterctl: the operator's CLI for a vtl cluster. Finds the command named by
 * the first words of the command line and runs it; global options may come before or
 * after the command words. Everything else lives in the cmd_*.c files (cmds.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmds.h"
#include "client/conn.h"
#include "common/log.h"
#include "proto/keys.h"

#ifndef VTL_VERSION
#define VTL_VERSION "0.0.0"
#endif

const struct cli_cmd cli_commands[] = {
	{"status", "", "Cluster health: etcd, the active manager, node and library counts.",
	 "Reads etcd directly, so it answers when no manager runs; exits 11 (after the report) "
	 "when the\nactive manager does not answer.", cli_cmd_status},
	{"nodes", "", "List the registered nodes: state, portal, capacity, libraries owned.",
	 NULL, cli_cmd_nodes},
	{"node drain", "NODE", "Stop placing new libraries on NODE; it keeps serving what it owns.",
	 "The drain flag outlives restarts of node and manager. A node that is down may be "
	 "drained.", cli_cmd_node_drain},
	{"node undrain", "NODE", "Let NODE take new libraries again.", NULL, cli_cmd_node_undrain},
	{"libraries", "", "List the libraries: owner, partners, epoch, state, shape.", NULL,
	 cli_cmd_libraries},
	{"library create", "NAME [options]", "Create a library; the manager places it.",
	 "Without --node the manager picks the live, undrained node owning the fewest "
	 "libraries, and\npartners on other nodes the same way.", cli_cmd_library_create},
	{"library delete", "NAME [--force]", "Delete a library and its cartridges.",
	 "Refused while a drive holds a cartridge, or when the owner cannot be asked, unless "
	 "--force.", cli_cmd_library_delete},
	{"library show", "NAME", "One library: configuration, ownership, drives and cartridges.",
	 "The drive and cartridge locations come from the owner node; when it cannot be asked "
	 "the\nconfiguration is still shown.", cli_cmd_library_show},
	{"cartridges add", "LIB (--count N | BARCODE...) [--capacity SIZE]",
	 "Add cartridges to a library (placed in free import/export slots, then storage slots).",
	 "Generated barcodes take the next free numbers: <prefix>NNNN<media>.",
	 cli_cmd_cartridges_add},
	{"cartridges remove", "LIB BARCODE... [--force]",
	 "Remove cartridges and their data.",
	 "Each must sit in an import/export slot (exported by the backup application) unless "
	 "--force;\na cartridge in a drive is never removed.", cli_cmd_cartridges_remove},
	{"events", "[--watch] [--since REV]",
	 "Stream membership, drain, library and ownership changes as they happen.",
	 "Reads etcd directly (no manager needed). One line per change with the time it was "
	 "seen;\n--json prints one object per line. Runs until Ctrl-C or SIGTERM (exit 0).",
	 cli_cmd_events},
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

static const char main__exit_codes[] =
	"Exit codes:\n"
	"   0  success\n"
	"   1  internal error (a bug: the message says what)\n"
	"   2  usage error, or an argument the manager refused (invalid_argument, unknown_op)\n"
	"   3  not found: unknown library, node or cartridge\n"
	"   4  exists: the name or barcode is taken\n"
	"   5  busy: refused in the current state (retry, or --force where offered)\n"
	"   6  no placement: no live, undrained node can take the library\n"
	"   7  node down: the node that must act is not registered\n"
	"   8  not leader: only a standby manager answered within --timeout\n"
	"   9  etcd unreachable (or the manager cannot reach etcd)\n"
	"  10  conflict: lost a race with another change; run the command again\n"
	"  11  manager unreachable: no active manager answered within --timeout\n";

static void main__help(struct cli *cli)
{
	printf("Usage: " CLI_NAME " [global options] COMMAND [arguments] [options]\n\n"
	       "Operate a vtl cluster: nodes, libraries, cartridges, live events.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < cli_n_commands; i++)
		printf("  %-18s %s\n", cli_commands[i].words, cli_commands[i].summary);
	size_t ng;
	const struct cli_opt *g = cli_global_opts(cli, &ng);
	printf("\nGlobal options (before or after the command):\n");
	cli_args_help(g, ng, stdout);
	printf("\n%s\n"
	       "Errors are one line on stderr; with --json, stdout also gets "
	       "{\"error\":{\"code\",\"message\",\"exit\"}}.\n"
	       "Run '" CLI_NAME " COMMAND --help' for a command's arguments and options.\n",
	       main__exit_codes);
}

/* How many argv words, from argv[i], spell cmd's words; 0 if they do not. */
static int main__match(const struct cli_cmd *cmd, int argc, char **argv, int i)
{
	const char *w = cmd->words;
	int n = 0;
	while (*w) {
		size_t len = strcspn(w, " ");
		if (i + n >= argc || strlen(argv[i + n]) != len || strncmp(argv[i + n], w, len))
			return 0;
		n++;
		w += len;
		w += *w == ' ';
	}
	return n;
}

/* Index of the first command word: global options (and their values) come before it. */
static int main__first_word(struct cli *cli, int argc, char **argv)
{
	size_t ng;
	const struct cli_opt *g = cli_global_opts(cli, &ng);
	int i = 1;
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		bool has_value = false;         /* "--etcd URL": skip the value too */
		for (size_t k = 0; k < ng; k++)
			has_value |= g[k].type != CLI_OPT_FLAG && !strncmp(argv[i], "--", 2) &&
				     !strcmp(argv[i] + 2, g[k].name);
		i += has_value ? 2 : 1;
	}
	return i;
}

/* An unknown command: name the group's subcommands when the first word is a group. */
static int main__unknown(int argc, char **argv, int i)
{
	char subs[256] = "";
	size_t len = 0, wl = strlen(argv[i]);
	for (size_t k = 0; k < cli_n_commands; k++) {
		const char *w = cli_commands[k].words;
		if (!strncmp(w, argv[i], wl) && w[wl] == ' ')
			len += (size_t)snprintf(subs + len, sizeof subs - len, "%s%s", len ? ", " : "",
						w + wl + 1);
	}
	if (len)
		return cli_fail(NULL, PROTO_CTL_INVALID, "unknown command '%s %s' (%s commands: %s)",
				argv[i], i + 1 < argc ? argv[i + 1] : "", argv[i], subs);
	return cli_fail(NULL, PROTO_CTL_INVALID, "unknown command '%.60s' (see: " CLI_NAME
			" --help)", argv[i]);
}

static int main__run(struct cli *cli, int argc, char **argv)
{
	int i = main__first_word(cli, argc, argv);
	for (int k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--version")) {
			printf(CLI_NAME " %s\n", VTL_VERSION);
			return 0;
		}
	}
	if (i >= argc) {
		/* only options: --help, or an error in them, or no command */
		size_t npos;
		char *pos[1], err[256];
		struct cli_optset set = {.n = {0, 0}};
		set.opts[1] = cli_global_opts(cli, &set.n[1]);
		if (cli_args_parse(&set, argc - 1, argv + 1, pos, 0, &npos, err, sizeof err))
			return cli_fail(NULL, PROTO_CTL_INVALID, "%s (see: " CLI_NAME " --help)", err);
		if (cli->help) {
			main__help(cli);
			return 0;
		}
		return cli_fail(NULL, PROTO_CTL_INVALID, "no command given (see: " CLI_NAME
				" --help)");
	}
	for (size_t k = 0; k < cli_n_commands; k++) {
		int n = main__match(&cli_commands[k], argc, argv, i);
		if (!n)
			continue;
		/* the command's argv: everything but the program name and the command words */
		char **rest = malloc(sizeof *rest * (size_t)argc);
		if (!rest)
			return cli_fail(NULL, PROTO_CTL_INTERNAL, "out of memory");
		int m = 0;
		for (int a = 1; a < argc; a++)
			if (a < i || a >= i + n)
				rest[m++] = argv[a];
		int ex = cli_commands[k].run(cli, &cli_commands[k], m, rest);
		free(rest);
		return ex;
	}
	return main__unknown(argc, argv, i);
}

int main(int argc, char **argv)
{
	const char *etcd = getenv("VTL_ETCD"), *prefix = getenv("VTL_PREFIX");
	struct cli cli = {
		.etcd = etcd && *etcd ? etcd : CLI_ETCD_DEFAULT,
		.prefix = prefix && *prefix ? prefix : PROTO_KEY_PREFIX_DEFAULT,
		.timeout_ms = CLI_TIMEOUT_DEFAULT_MS,
	};
	/* The libraries log for daemons; an operator gets one error line, unless --verbose.
	 * A level above LOG_ERROR silences them all. */
	bool verbose = false;
	for (int k = 1; k < argc; k++)
		verbose |= !strcmp(argv[k], "--verbose");
	vtl_log_set_level(verbose ? LOG_DEBUG : (enum vtl_log_level)(LOG_ERROR + 1));
	int ex = main__run(&cli, argc, argv);
	cli_conn_close(&cli);
	fflush(stdout);
	return ex;
}
