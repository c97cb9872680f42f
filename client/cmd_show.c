/* cmd_show.c - `library show NAME`: the configuration, who owns it, and the live state
 * of its drives and elements as the owner reports it (control API library.show, whose
 * `live` member is the owner's library.status; docs/control-api.md).
 *
 *   library    demo (id 0123...)
 *   owner      node-1, epoch 1, online
 *   ...
 *   DRIVE  LUN  ADDRESS  CARTRIDGE
 *   CARTRIDGE  CAPACITY  LOCATION
 */
#include "client/cmds.h"

#include <stdio.h>
#include <string.h>

#include "client/conn.h"
#include "client/format.h"
#include "client/table.h"

static const struct cli_hint show__hints[] = {
	{PROTO_CTL_NOT_FOUND, "see: " CLI_NAME " libraries"},
	{PROTO_CTL_OK, NULL},
};

static void show__summary(const json_t *l, const json_t *cfg)
{
	char partners[256], sz[CLI_SIZE_STR];
	printf("library     %s (id %s)\n", cli_str(l, "name", "?"), cli_str(cfg, "id", "?"));
	if (json_is_string(json_object_get(l, "owner")))
		printf("owner       %s, epoch %llu, %s\n", cli_str(l, "owner", "?"),
		       (unsigned long long)cli_u64(l, "epoch"), cli_str(l, "state", "?"));
	else
		printf("owner       none (%s)\n", cli_str(l, "state", "unplaced"));
	printf("partners    %s\n", cli_fmt_names(json_object_get(l, "partners"), partners,
						 sizeof partners));
	printf("policy      %s\n", cli_str(cfg, "policy", cli_str(l, "policy", "?")));
	printf("changer     %s %s rev %s\n", cli_str(cfg, "changer_vendor", "?"),
	       cli_str(cfg, "changer_product", "?"), cli_str(cfg, "changer_rev", "?"));
	printf("drives      %llu x %s %s rev %s\n", (unsigned long long)cli_u64(cfg, "drives"),
	       cli_str(cfg, "drive_vendor", "?"), cli_str(cfg, "drive_product", "?"),
	       cli_str(cfg, "drive_rev", "?"));
	printf("slots       %llu storage, %llu import/export\n",
	       (unsigned long long)cli_u64(cfg, "slots"), (unsigned long long)cli_u64(cfg, "ie_slots"));
	printf("cartridges  %zu (new ones: %sNNNN%s, %s)\n",
	       json_array_size(json_object_get(cfg, "cartridges")),
	       cli_str(cfg, "barcode_prefix", "?"), cli_str(cfg, "media", "?"),
	       cli_fmt_size(cli_u64(cfg, "capacity"), sz));
}

static int show__drives(const json_t *live)
{
	static const char *heads[] = {"DRIVE", "LUN", "ADDRESS", "CARTRIDGE", "LOADED"};
	struct cli_table t;
	size_t i;
	json_t *d;
	cli_table_init(&t, heads, 5);
	json_array_foreach(json_object_get(live, "drives"), i, d) {
		const char *bc = cli_str(d, "barcode", NULL);
		cli_table_cell(&t, "%zu", i + 1);
		cli_table_cell(&t, "%llu", (unsigned long long)cli_u64(d, "lun"));
		cli_table_cell(&t, "0x%04llx", (unsigned long long)cli_u64(d, "address"));
		cli_table_cell(&t, "%s", bc ? bc : "-");
		cli_table_cell(&t, "%s", !bc ? "-" : json_is_true(json_object_get(d, "loaded")) ? "yes"
											     : "no");
	}
	int rc = cli_table_print(&t, stdout);
	cli_table_fini(&t);
	return rc;
}

/* Where the owner says a cartridge is: "drive 1 (0x0100)", "slot 0x0401", "ie 0x0300". */
static void show__where(const json_t *live, const char *barcode, char *buf, size_t cap)
{
	size_t i;
	json_t *x;
	snprintf(buf, cap, "%s", live ? "not in the library" : "-");
	json_array_foreach(json_object_get(live, "drives"), i, x)
		if (!strcmp(cli_str(x, "barcode", ""), barcode)) {
			snprintf(buf, cap, "drive %zu (0x%04llx)", i + 1,
				 (unsigned long long)cli_u64(x, "address"));
			return;
		}
	json_array_foreach(json_object_get(live, "elements"), i, x)
		if (!strcmp(cli_str(x, "barcode", ""), barcode)) {
			snprintf(buf, cap, "%s 0x%04llx", cli_str(x, "type", "?"),
				 (unsigned long long)cli_u64(x, "address"));
			return;
		}
}

static int show__cartridges(const json_t *cfg, const json_t *live)
{
	static const char *heads[] = {"CARTRIDGE", "CAPACITY", "LOCATION"};
	struct cli_table t;
	size_t i;
	json_t *c;
	char sz[CLI_SIZE_STR], where[64];
	cli_table_init(&t, heads, 3);
	json_array_foreach(json_object_get(cfg, "cartridges"), i, c) {
		const char *bc = cli_str(c, "barcode", "?");
		show__where(live, bc, where, sizeof where);
		cli_table_cell(&t, "%s", bc);
		cli_table_cell(&t, "%s", cli_fmt_size(cli_u64(c, "capacity"), sz));
		cli_table_cell(&t, "%s", where);
	}
	int rc = cli_table_rows(&t) ? cli_table_print(&t, stdout) : 0;
	cli_table_fini(&t);
	return rc;
}

/* Free storage and import/export slots, from the owner's element list. */
static void show__free(const json_t *live)
{
	size_t i, free_slot = 0, free_ie = 0;
	json_t *e;
	json_array_foreach(json_object_get(live, "elements"), i, e) {
		if (json_is_string(json_object_get(e, "barcode")))
			continue;
		if (!strcmp(cli_str(e, "type", ""), "ie"))
			free_ie++;
		else
			free_slot++;
	}
	printf("free        %zu storage slots, %zu import/export slots\n", free_slot, free_ie);
}

static int show__human(const json_t *res)
{
	const json_t *cfg = json_object_get(res, "config");
	const json_t *live = json_object_get(res, "live");
	if (!json_is_object(live))
		live = NULL;
	show__summary(res, cfg);
	if (live)
		show__free(live);
	else
		printf("live state  unavailable: %s\n", cli_str(res, "live_error", "the owner "
							       "did not answer"));
	int rc = 0;
	if (live) {
		printf("\n");
		rc = show__drives(live);
	}
	if (!rc && json_array_size(json_object_get(cfg, "cartridges"))) {
		printf("\n");
		rc = show__cartridges(cfg, live);
	}
	return rc ? 1 : 0;
}

int cli_cmd_library_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char *pos[1];
	size_t npos;
	json_t *res = NULL;
	int ex = cli_parse(cli, cmd, NULL, 0, argc, argv, pos, 1, 1, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	json_t *args = json_pack("{ss}", "name", pos[0]);
	ex = cli_call(cli, "library.show", args, show__hints, &res);
	json_decref(args);
	if (ex)
		return ex;
	ex = cli->json ? cli_print_json(res) : show__human(res);
	json_decref(res);
	return ex;
}
