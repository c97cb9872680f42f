/* cmd_cart.c - `cartridges add LIB (--count N | BARCODE...)` and `cartridges remove LIB
 * BARCODE...` (control API cartridges.add, cartridges.remove; docs/control-api.md). */
#include "client/cmds.h"

#include <stdio.h>

#include "client/conn.h"
#include "client/format.h"
#include "proto/keys.h"
#include "proto/records.h"

#define CART__MAX_ARGS (PROTO_MAX_SLOTS + 1)    /* the library, then barcodes */


/* The barcodes pos[1..npos) as a JSON array; NULL after printing the error. */
static json_t *cart__barcodes(struct cli *cli, char **pos, size_t npos, int *ex)
{
	json_t *a = json_array();
	for (size_t i = 1; a && i < npos; i++) {
		if (!proto_barcode_valid(pos[i])) {
			*ex = cli_fail(cli, PROTO_CTL_INVALID, "invalid barcode '%.40s': use 1-16 "
				       "characters A-Z and 0-9", pos[i]);
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, json_string(pos[i]));
	}
	if (!a)
		*ex = cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
	return a;
}

/* "added 2 cartridges to L1: VT0011L8, VT0012L8" */
static void cart__print(const json_t *res, const char *verb, const char *member,
			const char *prep)
{
	char names[1024];
	const json_t *list = json_object_get(res, member);
	size_t n = json_array_size(list);
	printf("%s %zu cartridge%s %s %s: %s\n", verb, n, n == 1 ? "" : "s", prep,
	       cli_str(res, "library", "?"), cli_fmt_names(list, names, sizeof names));
}

static int cart__run(struct cli *cli, const char *op, json_t *args, const char *verb,
		     const char *member, const char *prep)
{
	char show[128], found[192];
	const char *lib = json_string_value(json_object_get(args, "library"));
	snprintf(show, sizeof show, "see: " CLI_NAME " library show %s", lib ? lib : "LIB");
	snprintf(found, sizeof found, "see: " CLI_NAME " libraries, " CLI_NAME
		 " library show %s", lib ? lib : "LIB");
	const struct cli_hint hints[] = {
		{PROTO_CTL_NOT_FOUND, found},
		{PROTO_CTL_EXISTS, show},
		{PROTO_CTL_BUSY, "export it to an import/export slot first, or add --force"},
		{PROTO_CTL_OK, NULL},
	};
	json_t *res = NULL;
	int ex = args ? cli_call(cli, op, args, hints, &res)
		      : cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
	json_decref(args);
	if (ex)
		return ex;
	if (cli->json)
		ex = cli_print_json(res);
	else
		cart__print(res, verb, member, prep);
	json_decref(res);
	return ex;
}

int cli_cmd_cartridges_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	uint64_t count = 0, capacity = 0;
	bool has_count = false, has_cap = false;
	const struct cli_opt opts[] = {
		{"count", CLI_OPT_UINT, &count, 1, PROTO_MAX_SLOTS, &has_count, "N",
		 "add N cartridges with the next free generated barcodes"},
		{"capacity", CLI_OPT_SIZE, &capacity, PROTO_CART_MIN_BYTES, PROTO_CART_MAX_BYTES,
		 &has_cap, "SIZE", "native capacity of each, e.g. 4G (default: the library's)"},
	};
	static char *pos[CART__MAX_ARGS];
	size_t npos;
	int ex = cli_parse(cli, cmd, opts, 2, argc, argv, pos, 1, CART__MAX_ARGS, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	if (has_count == (npos > 1))
		return cli_fail(cli, PROTO_CTL_INVALID, "cartridges add: give either --count N or "
				"barcodes (see: " CLI_NAME " cartridges add --help)");
	json_t *args = json_pack("{ss}", "library", pos[0]);
	if (args && has_count)
		json_object_set_new(args, "count", json_integer((json_int_t)count));
	if (args && !has_count) {
		json_t *bcs = cart__barcodes(cli, pos, npos, &ex);
		if (!bcs) {
			json_decref(args);
			return ex;
		}
		json_object_set_new(args, "barcodes", bcs);
	}
	if (args && has_cap)
		json_object_set_new(args, "capacity", json_integer((json_int_t)capacity));
	return cart__run(cli, "cartridges.add", args, "added", "added", "to");
}

int cli_cmd_cartridges_remove(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	bool force = false;
	const struct cli_opt opts[] = {
		{"force", CLI_OPT_FLAG, &force, 0, 0, NULL, NULL,
		 "remove cartridges that are not in an import/export slot (never one in a drive)"},
	};
	static char *pos[CART__MAX_ARGS];
	size_t npos;
	int ex = cli_parse(cli, cmd, opts, 1, argc, argv, pos, 2, CART__MAX_ARGS, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	json_t *bcs = cart__barcodes(cli, pos, npos, &ex);
	if (!bcs)
		return ex;
	json_t *args = json_pack("{sssosb}", "library", pos[0], "barcodes", bcs, "force", force);
	return cart__run(cli, "cartridges.remove", args, "removed", "removed", "from");
}
