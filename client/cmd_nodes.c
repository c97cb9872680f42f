/* cmd_nodes.c - `nodes`, `node drain NODE`, `node undrain NODE` (control API nodes.list,
 * node.drain, node.undrain; docs/control-api.md). */
#include "client/cmds.h"

#include <stdio.h>

#include "client/conn.h"
#include "client/format.h"
#include "client/table.h"
#include "proto/keys.h"

static const struct cli_hint nodes__hints[] = {
	{PROTO_CTL_NOT_FOUND, "see: " CLI_NAME " nodes"},
	{PROTO_CTL_OK, NULL},
};

static int nodes__table(const json_t *list)
{
	static const char *heads[] = {"NODE", "STATE", "PORTAL", "PEER", "VERSION",
				      "CAPACITY", "FREE", "OWNED", "PARTNER"};
	struct cli_table t;
	size_t i;
	json_t *n;
	char cap[CLI_SIZE_STR], free_[CLI_SIZE_STR];
	cli_table_init(&t, heads, sizeof heads / sizeof heads[0]);
	json_array_foreach(list, i, n) {
		cli_table_cell(&t, "%s", cli_str(n, "id", "?"));
		cli_table_cell(&t, "%s", json_is_true(json_object_get(n, "draining")) ? "draining"
										    : "up");
		cli_table_cell(&t, "%s", cli_str(n, "portal", "-"));
		cli_table_cell(&t, "%s", cli_str(n, "peer", "-"));
		cli_table_cell(&t, "%s", cli_str(n, "version", "-"));
		cli_table_cell(&t, "%s", cli_fmt_size(cli_u64(n, "capacity_bytes"), cap));
		cli_table_cell(&t, "%s", cli_fmt_size(cli_u64(n, "free_bytes"), free_));
		cli_table_cell(&t, "%llu", (unsigned long long)cli_u64(n, "owned"));
		cli_table_cell(&t, "%llu", (unsigned long long)cli_u64(n, "partner_of"));
	}
	int rc = cli_table_print(&t, stdout);
	cli_table_fini(&t);
	return rc ? 1 : 0;
}

int cli_cmd_nodes(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char *pos[1];
	size_t npos;
	json_t *res = NULL;
	int ex = cli_parse(cli, cmd, NULL, 0, argc, argv, pos, 0, 0, &npos);
	if (!ex)
		ex = cli_call(cli, "nodes.list", NULL, nodes__hints, &res);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	json_t *list = json_object_get(res, "nodes");
	if (cli->json)
		ex = cli_print_json(res);
	else if (!json_array_size(list))
		printf("no nodes registered under %snodes/ (is vtl-node running with [etcd] "
		       "endpoints?)\n", cli->prefix);
	else
		ex = nodes__table(list);
	json_decref(res);
	return ex;
}

/* node drain / node undrain: the same call, two operations. */
static int nodes__drain(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
			bool drain)
{
	char *pos[1];
	size_t npos;
	json_t *res = NULL;
	int ex = cli_parse(cli, cmd, NULL, 0, argc, argv, pos, 1, 1, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	if (!proto_name_valid(pos[0]))
		return cli_fail(cli, PROTO_CTL_INVALID, "invalid node name '%.80s': use 1-63 "
				"letters, digits, '-' or '_' (see: " CLI_NAME " nodes)", pos[0]);
	json_t *args = json_pack("{ss}", "node", pos[0]);
	ex = cli_call(cli, drain ? "node.drain" : "node.undrain", args, nodes__hints, &res);
	json_decref(args);
	if (ex)
		return ex;
	if (cli->json)
		ex = cli_print_json(res);
	else if (drain)
		printf("node %s drained: it takes no new libraries and keeps serving what it "
		       "owns\n", cli_str(res, "node", pos[0]));
	else
		printf("node %s undrained: it may take new libraries again\n",
		       cli_str(res, "node", pos[0]));
	json_decref(res);
	return ex;
}

int cli_cmd_node_drain(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return nodes__drain(cli, cmd, argc, argv, true);
}

int cli_cmd_node_undrain(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	return nodes__drain(cli, cmd, argc, argv, false);
}
