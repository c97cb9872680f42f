/* events.h: the line printed for each kind of change, diffs against what was seen before,
 * no-op rewrites, foreign keys and old revisions skipped, and garbage values under every
 * key kind giving "bad value at KEY: REASON" (never a crash). --json lines parse. */
#include "client/events.h"
#include "tests/testutil.h"

#include <jansson.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NODE1 "{\"id\":\"node-1\",\"portal\":\"127.0.0.1:3261\",\"peer\":\"tcp://127.0.0.1:4261\"," \
	"\"version\":\"0.1.0\",\"capacity_bytes\":1000000000000,\"free_bytes\":400000000000,\"draining\":false}"
#define NODE1_V2 "{\"id\":\"node-1\",\"portal\":\"127.0.0.1:3261\",\"peer\":\"tcp://127.0.0.1:4261\"," \
	"\"version\":\"0.2.0\",\"capacity_bytes\":1000000000000,\"free_bytes\":400000000000,\"draining\":true}"
#define CFG(carts) "{\"name\":\"L1\",\"id\":\"0123456789abcdef0123456789abcdef\",\"drives\":2," \
	"\"slots\":20,\"ie_slots\":4,\"barcode_prefix\":\"VT\",\"media\":\"L8\",\"capacity\":4294967296," \
	"\"changer_vendor\":\"IBM\",\"changer_product\":\"03584L32\",\"changer_rev\":\"0100\"," \
	"\"drive_vendor\":\"IBM\",\"drive_product\":\"ULT3580-TD8\",\"drive_rev\":\"Q380\"," \
	"\"policy\":\"mirrored\",\"cartridges\":[" carts "]}"
#define CART(n) "{\"barcode\":\"VT000" #n "L8\",\"capacity\":4294967296}"

static struct cli_events ev;
static char *out_buf;
static size_t out_len;
static FILE *out;
static int64_t rev = 100;

static void start(bool json)
{
	out = open_memstream(&out_buf, &out_len);
	CHECK(out);
	CHECK_EQ(cli_events_init(&ev, "/vtl/", json, out), 0);
}

/* Feeds one event (val NULL: delete) and returns what it printed (static, "" if none). */
static const char *feed(const char *key, const char *val)
{
	static char last[4096];
	struct etcd_event e = {
		.type = val ? ETCD_EV_PUT : ETCD_EV_DELETE,
		.key = (const uint8_t *)key, .key_len = strlen(key),
		.value = (const uint8_t *)val, .value_len = val ? strlen(val) : 0,
		.mod_revision = ++rev,
	};
	size_t before = out_len;
	fflush(out);
	before = out_len;
	CHECK_EQ(cli_events_render(&ev, &e, 1795000004500ull), 0);
	fflush(out);
	snprintf(last, sizeof last, "%.*s", (int)(out_len - before), out_buf + before);
	return last;
}

static void expect(const char *key, const char *val, const char *want)
{
	const char *got = feed(key, val);
	char full[2048];
	snprintf(full, sizeof full, "%s%s%s", *want ? "2026-11-18T11:06:44.500Z  " : "", want,
		 *want ? "\n" : "");
	if (strcmp(got, full)) {
		fprintf(stderr, "key %s:\n got '%s'\nwant '%s'\n", key, got, full);
		exit(1);
	}
}

static void human(void)
{
	start(false);
	struct etcd_kv seed[] = {
		{.key = (uint8_t *)"/vtl/nodes/node-1", .key_len = 17, .value = (uint8_t *)NODE1,
		 .value_len = strlen(NODE1)},
	};
	struct etcd_kvs kvs = {.kv = seed, .n = 1, .revision = 100};
	CHECK_EQ(cli_events_seed(&ev, &kvs), 0);

	expect("/vtl/nodes/node-1", NODE1, "");                 /* a rewrite: nothing */
	expect("/vtl/nodes/node-1", NODE1_V2,
	       "node node-1 changed: version 0.1.0 -> 0.2.0, draining no -> yes");
	expect("/vtl/nodes/node-2", "{\"id\":\"node-2\",\"portal\":\"h:1\",\"peer\":\"tcp://h:2\","
	       "\"version\":\"1\",\"capacity_bytes\":4294967296,\"free_bytes\":1024,\"draining\":false}",
	       "node node-2 joined: portal h:1, peer tcp://h:2, version 1, 4.0 GiB (1.0 KiB free)");
	expect("/vtl/nodes/node-2", NULL, "node node-2 left (portal h:1)");
	expect("/vtl/nodes/node-9", NULL, "node node-9 left");
	expect("/vtl/drain/node-1", "{\"node\":\"node-1\",\"since\":5}",
	       "node node-1 drained: it takes no new libraries");
	expect("/vtl/drain/node-1", "{\"node\":\"node-1\",\"since\":6}", "");
	expect("/vtl/drain/node-1", NULL, "node node-1 undrained: it may take new libraries again");

	expect("/vtl/libraries/L1/config", CFG(CART(1)), "library L1 created: 2 drives, 20 slots, "
	       "4 import/export, 1 cartridge of 4.0 GiB, mirrored");
	expect("/vtl/libraries/L1/config", CFG(CART(1) "," CART(2) "," CART(3)),
	       "library L1 changed: cartridges 1 -> 3 (added VT0002L8, VT0003L8)");
	expect("/vtl/libraries/L1/config", CFG(CART(1) "," CART(2) "," CART(4)),
	       "library L1 changed: cartridges (added VT0004L8; removed VT0003L8)");
	expect("/vtl/libraries/L1/owner", "{\"node\":\"node-1\",\"epoch\":1,\"state\":\"online\","
	       "\"partners\":[\"node-2\"]}",
	       "library L1 owner node-1 (epoch 1, online, partners node-2)");
	expect("/vtl/libraries/L1/owner", "{\"node\":\"node-2\",\"epoch\":2,\"state\":\"online\","
	       "\"partners\":[\"node-1\"]}",
	       "library L1 owner node-1 -> node-2, epoch 1 -> 2, partners node-2 -> node-1");
	expect("/vtl/libraries/L1/owner", "{\"node\":\"node-2\",\"epoch\":2,\"state\":\"migrating\","
	       "\"partners\":[\"node-1\"]}",
	       "library L1 state online -> migrating (owner node-2)");
	expect("/vtl/libraries/L1/owner", NULL,
	       "library L1 has no owner record (deleted or being recreated)");
	expect("/vtl/libraries/L1/config", NULL, "library L1 deleted");
	/* config and owner deleted together: the deletion was told once already */
	expect("/vtl/libraries/L1/owner", "{\"node\":\"node-1\",\"epoch\":9,\"state\":\"online\","
	       "\"partners\":[]}", "library L1 owner node-1 (epoch 9, online, partners none)");
	expect("/vtl/libraries/L1/owner", NULL, "");

	expect("/vtl/migrations/m-1", "{\"id\":\"m-1\",\"library\":\"L1\",\"source\":\"node-1\","
	       "\"destination\":\"node-2\",\"phase\":\"failed\",\"requested_at\":1,\"updated_at\":2,"
	       "\"bytes_copied\":536870912,\"reason\":\"disk full\"}",
	       "migration m-1 of library L1, node-1 -> node-2: failed, 512.0 MiB copied (disk full)");
	expect("/vtl/migrations/m-1", NULL, "migration m-1 removed");
	expect("/vtl/manager/leader", "{\"id\":\"mgr-1\",\"control\":\"tcp://127.0.0.1:7100\","
	       "\"since\":1}", "manager mgr-1 is active, control API tcp://127.0.0.1:7100");
	expect("/vtl/manager/leader", NULL, "no active manager: mgr-1 stepped down or died "
	       "(a standby takes over within the lease TTL)");

	/* not ours: another prefix, unknown layout, bad names */
	expect("/other/nodes/node-1", NODE1, "");
	expect("/vtl/nodes/a/b", NODE1, "");
	expect("/vtl/nodes/bad name", NODE1, "");
	expect("/vtl/whatever", "x", "");

	/* an event the seed already covered */
	struct etcd_event old = {.type = ETCD_EV_DELETE, .key = (const uint8_t *)"/vtl/nodes/node-1",
				 .key_len = 17, .mod_revision = 100};
	size_t before = out_len;
	CHECK_EQ(cli_events_render(&ev, &old, 0), 0);
	fflush(out);
	CHECK_EQ(out_len, before);

	struct etcd_event rs = {.type = ETCD_EV_RESYNC, .mod_revision = 42};
	CHECK_EQ(cli_events_render(&ev, &rs, 0), 0);
	fflush(out);
	CHECK(strstr(out_buf + before, "history before revision 42 was compacted"));
	cli_events_fini(&ev);
	fclose(out);
	free(out_buf);
}

/* Every key kind gets garbage: each gives one bad-value line naming the key, and a good
 * value afterwards is described as new (the bad one is not a usable "before"). */
static void garbage(void)
{
	static const char *keys[] = {"/vtl/nodes/n1", "/vtl/drain/n1", "/vtl/manager/leader",
				     "/vtl/migrations/m1", "/vtl/libraries/L1/config",
				     "/vtl/libraries/L1/owner"};
	char deep[5000];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	const char *bad[] = {"", "{", "null", "[]", "{\"id\":1}", "\xff\xfe", "{\"a\":1}{}",
			     "{\"node\":\"x\",\"node\":\"y\"}", deep, "{\"epoch\":1e3}",
			     "{\"id\":\"n1\",\"portal\":\"\\u0000\"}"};
	start(false);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
			const char *got = feed(keys[k], bad[b]);
			char want[128];
			snprintf(want, sizeof want, "  bad value at %s: ", keys[k]);
			if (!strstr(got, want) || strchr(got, '\n') != got + strlen(got) - 1) {
				fprintf(stderr, "key %s value #%zu: got '%s'\n", keys[k], b, got);
				exit(1);
			}
		}
	const char *got = feed("/vtl/libraries/L1/owner",
			       "{\"node\":\"n1\",\"epoch\":3,\"state\":\"online\",\"partners\":[]}");
	CHECK(strstr(got, "library L1 owner n1 (epoch 3, online, partners none)"));
	/* a PUT without a value (etcd sends none for an empty value) */
	struct etcd_event e = {.type = ETCD_EV_PUT, .key = (const uint8_t *)"/vtl/nodes/n2",
			       .key_len = 13, .mod_revision = ++rev};
	size_t before = out_len;
	CHECK_EQ(cli_events_render(&ev, &e, 0), 0);
	fflush(out);
	CHECK(strstr(out_buf + before, "bad value at /vtl/nodes/n2: "));
	cli_events_fini(&ev);
	fclose(out);
	free(out_buf);
}

static void json_lines(void)
{
	start(true);
	feed("/vtl/nodes/node-1", NODE1);
	feed("/vtl/nodes/node-1", "{oops");
	feed("/vtl/nodes/node-1", NULL);
	fflush(out);
	const char *want[][2] = {{"node.joined", NULL}, {"bad_value", "reason"}, {"node.left", NULL}};
	char *line = out_buf;
	for (size_t i = 0; i < 3; i++) {
		char *nl = strchr(line, '\n');
		CHECK(nl);
		json_error_t jerr;
		json_t *j = json_loadb(line, (size_t)(nl - line), JSON_REJECT_DUPLICATES, &jerr);
		CHECK(j);
		CHECK(!strcmp(json_string_value(json_object_get(j, "event")), want[i][0]));
		CHECK(!strcmp(json_string_value(json_object_get(j, "name")), "node-1"));
		CHECK(!strcmp(json_string_value(json_object_get(j, "key")), "/vtl/nodes/node-1"));
		CHECK(json_integer_value(json_object_get(j, "revision")) > 100);
		CHECK(json_is_string(json_object_get(j, "time")));
		CHECK(json_is_string(json_object_get(j, "text")));
		if (i == 0)
			CHECK_EQ(json_integer_value(json_object_get(json_object_get(j, "value"),
								    "capacity_bytes")), 1000000000000);
		else
			CHECK(json_is_null(json_object_get(j, "value")));
		CHECK_EQ(json_object_get(j, "reason") != NULL, want[i][1] != NULL);
		json_decref(j);
		line = nl + 1;
	}
	CHECK_EQ(*line, 0);
	cli_events_fini(&ev);
	fclose(out);
	free(out_buf);
	CHECK_EQ(cli_events_init(&ev, "vtl", false, stdout), -EINVAL);
	cli_events_fini(&ev);
}

int main(void)
{
	human();
	garbage();
	json_lines();
	printf("ok\n");
	return 0;
}
