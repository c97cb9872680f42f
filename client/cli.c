/* cli.c - see cli.h: exit codes, the error line, option merging and per-command help. */
#include "client/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* docs/control-api.md "Error codes": the table operators and scripts rely on. */
static const int cli__exit[PROTO_CTL_ERR_COUNT] = {
	[PROTO_CTL_OK] = 0,
	[PROTO_CTL_INVALID] = 2,
	[PROTO_CTL_UNKNOWN_OP] = 2,
	[PROTO_CTL_NOT_FOUND] = 3,
	[PROTO_CTL_EXISTS] = 4,
	[PROTO_CTL_BUSY] = 5,
	[PROTO_CTL_NO_PLACEMENT] = 6,
	[PROTO_CTL_NODE_DOWN] = 7,
	[PROTO_CTL_NOT_LEADER] = 8,
	[PROTO_CTL_ETCD] = 9,
	[PROTO_CTL_CONFLICT] = 10,
	[PROTO_CTL_INTERNAL] = 1,
	[PROTO_CTL_UNAVAILABLE] = 11,
};

int cli_exit_code(enum proto_ctl_err err)
{
	return (unsigned)err < PROTO_CTL_ERR_COUNT ? cli__exit[err] : 1;
}

int cli_fail(struct cli *cli, enum proto_ctl_err err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)            /* a manager's message must not break the line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, CLI_NAME ": %s\n", msg);
	if (cli && cli->json) {
		json_t *o = json_pack("{s{sssssi}}", "error", "code", proto_ctl_err_name(err),
				      "message", msg, "exit", cli_exit_code(err));
		cli_print_json(o);
		json_decref(o);
	}
	return cli_exit_code(err);
}

const struct cli_opt *cli_global_opts(struct cli *cli, size_t *n)
{
	static struct cli_opt g[7];
	const struct cli_opt init[] = {
		{"etcd", CLI_OPT_STR, &cli->etcd, 0, 0, NULL, "URLS",
		 "etcd endpoints, comma-separated (env VTL_ETCD; default " CLI_ETCD_DEFAULT ")"},
		{"prefix", CLI_OPT_STR, &cli->prefix, 0, 0, NULL, "PREFIX",
		 "key prefix of the cluster in etcd (env VTL_PREFIX; default /vtl/)"},
		{"json", CLI_OPT_FLAG, &cli->json, 0, 0, NULL, NULL,
		 "machine-readable output: JSON on stdout, exact numbers"},
		{"timeout", CLI_OPT_UINT, &cli->timeout_ms, 1, 3600000, NULL, "MS",
		 "how long to wait for the active manager, retries included (default 10000)"},
		{"verbose", CLI_OPT_FLAG, &cli->verbose, 0, 0, NULL, NULL,
		 "also print the etcd and rpc libraries' log lines on stderr"},
		{"help", CLI_OPT_FLAG, &cli->help, 0, 0, NULL, NULL, "show help and exit"},
		{"version", CLI_OPT_FLAG, &cli->version, 0, 0, NULL, NULL,
		 "print the version and exit"},
	};
	memcpy(g, init, sizeof g);
	*n = sizeof g / sizeof g[0];
	return g;
}

void cli_cmd_help(struct cli *cli, const struct cli_cmd *cmd, const struct cli_opt *opts,
		  size_t nopts, FILE *out)
{
	fprintf(out, "Usage: " CLI_NAME " %s%s%s\n\n%s\n", cmd->words, *cmd->usage ? " " : "",
		cmd->usage, cmd->summary);
	if (cmd->details)
		fprintf(out, "\n%s\n", cmd->details);
	if (nopts) {
		fprintf(out, "\nOptions:\n");
		cli_args_help(opts, nopts, out);
	}
	size_t ng;
	const struct cli_opt *g = cli_global_opts(cli, &ng);
	fprintf(out, "\nGlobal options:\n");
	cli_args_help(g, ng, out);
	fprintf(out, "\nExit codes: see '" CLI_NAME " --help'.\n");
}

int cli_parse(struct cli *cli, const struct cli_cmd *cmd, const struct cli_opt *opts,
	      size_t nopts, int argc, char **argv, char **pos, size_t min_pos, size_t max_pos,
	      size_t *npos)
{
	struct cli_optset set = {.opts = {opts, NULL}, .n = {nopts, 0}};
	set.opts[1] = cli_global_opts(cli, &set.n[1]);
	char err[256];
	if (cli_args_parse(&set, argc, argv, pos, max_pos, npos, err, sizeof err)) {
		if (!*cmd->words)
			return cli_fail(cli, PROTO_CTL_INVALID, "%s (see: " CLI_NAME " --help)", err);
		return cli_fail(cli, PROTO_CTL_INVALID, "%s: %s (see: " CLI_NAME " %s --help)",
				cmd->words, err, cmd->words);
	}
	if (cli->help) {
		cli_cmd_help(cli, cmd, opts, nopts, stdout);
		return CLI_DONE;
	}
	if (*npos < min_pos)
		return cli_fail(cli, PROTO_CTL_INVALID, "%s: missing argument (usage: " CLI_NAME
				" %s %s)", cmd->words, cmd->words, cmd->usage);
	return 0;
}

int cli_print_json(const json_t *v)
{
	if (!v || json_dumpf(v, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER))
		return 1;
	fputc('\n', stdout);
	return 0;
}

const char *cli_str(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : dflt;
}

uint64_t cli_u64(const json_t *obj, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(obj, key));
	return v > 0 ? (uint64_t)v : 0;
}
