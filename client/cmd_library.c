/* cmd_library.c - `libraries`, `library create NAME`, `library delete NAME` (control API
 * libraries.list, library.create, library.delete; docs/control-api.md). */
#include "client/cmds.h"

#include <stdio.h>
#include <string.h>

#include "client/conn.h"
#include "client/format.h"
#include "client/table.h"
#include "proto/keys.h"
#include "proto/records.h"

static const struct cli_hint lib__hints[] = {
	{PROTO_CTL_NOT_FOUND, "see: " CLI_NAME " libraries"},
	{PROTO_CTL_EXISTS, "see: " CLI_NAME " libraries"},
	{PROTO_CTL_BUSY, "unload the drives and retry, or add --force: its data is lost"},
	{PROTO_CTL_OK, NULL},
};

const char *const cli_library_heads[] = {"NAME", "OWNER", "PARTNERS", "EPOCH", "STATE",
					 "DRIVES", "SLOTS", "CARTRIDGES"};
const size_t cli_library_ncols = sizeof cli_library_heads / sizeof cli_library_heads[0];

void cli_library_row(struct cli_table *t, const json_t *l)
{
	char partners[256];
	uint64_t epoch = cli_u64(l, "epoch");
	cli_table_cell(t, "%s", cli_str(l, "name", "?"));
	cli_table_cell(t, "%s", cli_str(l, "owner", "-"));
	cli_table_cell(t, "%s", cli_fmt_names(json_object_get(l, "partners"), partners,
					       sizeof partners));
	if (epoch)
		cli_table_cell(t, "%llu", (unsigned long long)epoch);
	else
		cli_table_cell(t, "-");
	cli_table_cell(t, "%s", cli_str(l, "state", "?"));
	cli_table_cell(t, "%llu", (unsigned long long)cli_u64(l, "drives"));
	cli_table_cell(t, "%llu", (unsigned long long)cli_u64(l, "slots"));
	cli_table_cell(t, "%llu", (unsigned long long)cli_u64(l, "cartridges"));
}

static int lib__print_table(const json_t *list)
{
	struct cli_table t;
	size_t i;
	json_t *l;
	cli_table_init(&t, (const char *const *)cli_library_heads, cli_library_ncols);
	json_array_foreach(list, i, l)
		cli_library_row(&t, l);
	int rc = cli_table_print(&t, stdout);
	cli_table_fini(&t);
	return rc ? 1 : 0;
}

int cli_cmd_libraries(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char *pos[1];
	size_t npos;
	json_t *res = NULL;
	int ex = cli_parse(cli, cmd, NULL, 0, argc, argv, pos, 0, 0, &npos);
	if (!ex)
		ex = cli_call(cli, "libraries.list", NULL, lib__hints, &res);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	json_t *list = json_object_get(res, "libraries");
	if (cli->json)
		ex = cli_print_json(res);
	else if (!json_array_size(list))
		printf("no libraries (create one: " CLI_NAME " library create NAME)\n");
	else
		ex = lib__print_table(list);
	json_decref(res);
	return ex;
}

/* ---- library create ---- */

/* Only what the operator gave goes to the manager: its defaults apply to the rest. */
struct lib__create {
	uint64_t drives, slots, ie_slots, cartridges, capacity;
	const char *str[9];     /* barcode_prefix media changer_* drive_* policy node */
	bool seen[5];           /* the numbers, in the order above */
};

static const char *const lib__str_members[9] = {
	"barcode_prefix", "media", "changer_vendor", "changer_product", "changer_rev",
	"drive_vendor", "drive_product", "drive_rev", "node",
};

static json_t *lib__create_args(const char *name, const struct lib__create *o,
				const char *policy)
{
	json_t *a = json_pack("{ss}", "name", name);
	const char *nums[] = {"drives", "slots", "ie_slots", "cartridges", "capacity"};
	const uint64_t vals[] = {o->drives, o->slots, o->ie_slots, o->cartridges, o->capacity};
	for (size_t i = 0; a && i < 5; i++)
		if (o->seen[i])
			json_object_set_new(a, nums[i], json_integer((json_int_t)vals[i]));
	for (size_t i = 0; a && i < 9; i++)
		if (o->str[i])
			json_object_set_new(a, lib__str_members[i], json_string(o->str[i]));
	if (a && policy)
		json_object_set_new(a, "policy", json_string(policy));
	return a;
}

static void lib__print_created(const json_t *l)
{
	char partners[256];
	printf("library %s created: owner %s, partner %s, epoch %llu, %llu drives, %llu slots, "
	       "%llu cartridges (see: " CLI_NAME " library show %s)\n", cli_str(l, "name", "?"),
	       cli_str(l, "owner", "-"),
	       json_array_size(json_object_get(l, "partners"))
		       ? cli_fmt_names(json_object_get(l, "partners"), partners, sizeof partners)
		       : "none",
	       (unsigned long long)cli_u64(l, "epoch"), (unsigned long long)cli_u64(l, "drives"),
	       (unsigned long long)cli_u64(l, "slots"),
	       (unsigned long long)cli_u64(l, "cartridges"), cli_str(l, "name", "?"));
}

int cli_cmd_library_create(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct lib__create o = {0};
	const char *policy = NULL;
	const struct cli_opt opts[] = {
		{"drives", CLI_OPT_UINT, &o.drives, 1, PROTO_MAX_DRIVES, &o.seen[0], "N",
		 "tape drives, 1..64 (default 2)"},
		{"slots", CLI_OPT_UINT, &o.slots, 1, PROTO_MAX_SLOTS, &o.seen[1], "N",
		 "storage slots, 1..4096 (default 20)"},
		{"ie-slots", CLI_OPT_UINT, &o.ie_slots, 0, PROTO_MAX_IE, &o.seen[2], "N",
		 "import/export slots, 0..64 (default 4)"},
		{"cartridges", CLI_OPT_UINT, &o.cartridges, 0, PROTO_MAX_SLOTS, &o.seen[3], "N",
		 "cartridges made at creation (default 10)"},
		{"capacity", CLI_OPT_SIZE, &o.capacity, PROTO_CART_MIN_BYTES, PROTO_CART_MAX_BYTES,
		 &o.seen[4], "SIZE",
		 "native capacity per cartridge, e.g. 4G, 1.5T (default 4G)"},
		{"barcode-prefix", CLI_OPT_STR, &o.str[0], 0, 0, NULL, "P",
		 "barcode prefix, A-Z 0-9, 1..7 (default VT)"},
		{"media", CLI_OPT_STR, &o.str[1], 0, 0, NULL, "M",
		 "media suffix of barcodes, e.g. L8 (default L8)"},
		{"changer-vendor", CLI_OPT_STR, &o.str[2], 0, 0, NULL, "V",
		 "changer INQUIRY vendor (default IBM)"},
		{"changer-product", CLI_OPT_STR, &o.str[3], 0, 0, NULL, "P",
		 "changer INQUIRY product (default 03584L32)"},
		{"changer-rev", CLI_OPT_STR, &o.str[4], 0, 0, NULL, "R",
		 "changer INQUIRY revision (default 0100)"},
		{"drive-vendor", CLI_OPT_STR, &o.str[5], 0, 0, NULL, "V",
		 "drive INQUIRY vendor (default IBM)"},
		{"drive-product", CLI_OPT_STR, &o.str[6], 0, 0, NULL, "P",
		 "drive INQUIRY product (default ULT3580-TD8)"},
		{"drive-rev", CLI_OPT_STR, &o.str[7], 0, 0, NULL, "R",
		 "drive INQUIRY revision (default Q380)"},
		{"node", CLI_OPT_STR, &o.str[8], 0, 0, NULL, "NODE",
		 "owner to use (default: the manager picks)"},
		{"policy", CLI_OPT_STR, &policy, 0, 0, NULL, "P",
		 "mirrored (owner + partner, default) or single"},
	};
	char *pos[1];
	size_t npos;
	int ex = cli_parse(cli, cmd, opts, sizeof opts / sizeof opts[0], argc, argv, pos, 1, 1,
			   &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	if (!proto_name_valid(pos[0]))
		return cli_fail(cli, PROTO_CTL_INVALID, "invalid library name '%.80s': use 1-63 "
				"letters, digits, '-' or '_'", pos[0]);
	if (policy && strcmp(policy, "mirrored") && strcmp(policy, "single"))
		return cli_fail(cli, PROTO_CTL_INVALID, "library create: option '--policy': "
				"'%.40s' is not mirrored or single", policy);
	json_t *args = lib__create_args(pos[0], &o, policy), *res = NULL;
	ex = args ? cli_call(cli, "library.create", args, lib__hints, &res)
		  : cli_fail(cli, PROTO_CTL_INTERNAL, "out of memory");
	json_decref(args);
	if (ex)
		return ex;
	if (cli->json)
		ex = cli_print_json(res);
	else
		lib__print_created(res);
	json_decref(res);
	return ex;
}

/* ---- library delete ---- */

int cli_cmd_library_delete(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	bool force = false;
	const struct cli_opt opts[] = {
		{"force", CLI_OPT_FLAG, &force, 0, 0, NULL, NULL,
		 "delete even if a drive holds a cartridge or the owner cannot be asked"},
	};
	char *pos[1];
	size_t npos;
	json_t *res = NULL;
	int ex = cli_parse(cli, cmd, opts, 1, argc, argv, pos, 1, 1, &npos);
	if (ex)
		return ex == CLI_DONE ? 0 : ex;
	json_t *args = json_pack("{sssb}", "name", pos[0], "force", force);
	ex = cli_call(cli, "library.delete", args, lib__hints, &res);
	json_decref(args);
	if (ex)
		return ex;
	if (cli->json)
		ex = cli_print_json(res);
	else
		printf("library %s deleted\n", cli_str(res, "name", pos[0]));
	json_decref(res);
	return ex;
}
