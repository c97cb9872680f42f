/* Request argument validation of the manager's control API (manager/api/parse.c): every
 * bad request gets invalid_argument with a message naming the member; good requests
 * parse to the documented defaults and values; garbage of every JSON type in every
 * member never crashes and is either accepted or refused with the member named. */
#include "manager/api/api_int.h"
#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

enum op { CREATE, SHOW, DELETE, DRAIN, ADD, REMOVE, EMPTY };

static int parse(enum op op, json_t *args, struct rpc_reply *r)
{
	struct api__create_req cq;
	struct api__lib_req lq;
	struct api__node_req nq;
	struct api__carts_req kq;
	int rc;
	switch (op) {
	case CREATE: rc = api__parse_create(args, &cq, r); proto_libcfg_fini(&cq.cfg); return rc;
	case SHOW: return api__parse_lib(args, false, &lq, r);
	case DELETE: return api__parse_lib(args, true, &lq, r);
	case DRAIN: return api__parse_node(args, &nq, r);
	case ADD: rc = api__parse_carts_add(args, &kq, r); api__carts_req_fini(&kq); return rc;
	case REMOVE: rc = api__parse_carts_remove(args, &kq, r); api__carts_req_fini(&kq); return rc;
	default: return api__parse_empty(args, r);
	}
}

struct bad_case {
	enum op op;
	const char *args;       /* JSON */
	const char *message;    /* the exact start of the message */
};

static const struct bad_case bad[] = {
	{CREATE, "{}", "member 'name': missing"},
	{CREATE, "{\"name\":null}", "member 'name': missing"},
	{CREATE, "{\"name\":5}", "member 'name': wrong type (want string)"},
	{CREATE, "{\"name\":\"a/b\"}", "member 'name': invalid value"},
	{CREATE, "{\"name\":\"\"}", "member 'name': invalid value"},
	{CREATE, "{\"name\":\"L1\\u00e9\"}", "member 'name': invalid value"},
	{CREATE, "{\"name\":\"L1\\u0000x\"}", "member 'name': too long"},
	{CREATE, "{\"name\":\"0123456789012345678901234567890123456789012345678901234567890123\"}",
	 "member 'name': too long"},
	{CREATE, "{\"name\":\"L1\",\"drive\":2}", "unknown member 'drive'"},
	{CREATE, "{\"name\":\"L1\",\"drives\":0}", "member 'drives': out of range (1..64)"},
	{CREATE, "{\"name\":\"L1\",\"drives\":65}", "member 'drives': out of range (1..64)"},
	{CREATE, "{\"name\":\"L1\",\"drives\":-1}", "member 'drives': out of range (1..64)"},
	{CREATE, "{\"name\":\"L1\",\"drives\":2.0}", "member 'drives': wrong type (want integer)"},
	{CREATE, "{\"name\":\"L1\",\"drives\":\"2\"}", "member 'drives': wrong type (want integer)"},
	{CREATE, "{\"name\":\"L1\",\"drives\":true}", "member 'drives': wrong type (want integer)"},
	{CREATE, "{\"name\":\"L1\",\"slots\":4097}", "member 'slots': out of range (1..4096)"},
	{CREATE, "{\"name\":\"L1\",\"ie_slots\":65}", "member 'ie_slots': out of range (0..64)"},
	{CREATE, "{\"name\":\"L1\",\"cartridges\":21}", "member 'cartridges': 21 cartridges do not fit in 20 slots"},
	{CREATE, "{\"name\":\"L1\",\"slots\":5,\"cartridges\":6}", "member 'cartridges': 6 cartridges"},
	{CREATE, "{\"name\":\"L1\",\"capacity\":1000}", "member 'capacity': out of range (1048576..1125899906842624)"},
	{CREATE, "{\"name\":\"L1\",\"barcode_prefix\":\"vt\"}", "member 'barcode_prefix': invalid value (want [A-Z0-9]{1,7})"},
	{CREATE, "{\"name\":\"L1\",\"barcode_prefix\":\"ABCDEFGH\"}", "member 'barcode_prefix': too long"},
	{CREATE, "{\"name\":\"L1\",\"media\":\"L8X\\u0000\"}", "member 'media': too long"},
	{CREATE, "{\"name\":\"L1\",\"media\":\"\"}", "member 'media': invalid value"},
	{CREATE, "{\"name\":\"L1\",\"changer_vendor\":\"\"}", "member 'changer_vendor': invalid value (want printable ASCII)"},
	{CREATE, "{\"name\":\"L1\",\"changer_vendor\":\"ABCDEFGHI\"}", "member 'changer_vendor': too long"},
	{CREATE, "{\"name\":\"L1\",\"drive_product\":\"a\\tb\"}", "member 'drive_product': invalid value"},
	{CREATE, "{\"name\":\"L1\",\"drive_rev\":\"12345\"}", "member 'drive_rev': too long"},
	{CREATE, "{\"name\":\"L1\",\"changer_rev\":[]}", "member 'changer_rev': wrong type (want string)"},
	{CREATE, "{\"name\":\"L1\",\"policy\":\"raid\"}", "member 'policy': invalid value"},
	{CREATE, "{\"name\":\"L1\",\"policy\":\"Mirrored\"}", "member 'policy': invalid value"},
	{CREATE, "{\"name\":\"L1\",\"node\":\"node 1\"}", "member 'node': invalid value"},
	{SHOW, "{}", "member 'name': missing"},
	{SHOW, "{\"name\":\"L1\",\"force\":true}", "unknown member 'force'"},
	{SHOW, "{\"name\":{}}", "member 'name': wrong type (want string)"},
	{DELETE, "{\"name\":\"L1\",\"force\":\"yes\"}", "member 'force': wrong type (want boolean)"},
	{DELETE, "{\"name\":\"L1\",\"force\":1}", "member 'force': wrong type (want boolean)"},
	{DELETE, "{\"force\":true}", "member 'name': missing"},
	{DRAIN, "{}", "member 'node': missing"},
	{DRAIN, "{\"node\":\"n1\",\"x\":1}", "unknown member 'x'"},
	{DRAIN, "{\"node\":\"n/1\"}", "member 'node': invalid value"},
	{DRAIN, "{\"n\\u0001de\":1}", "unknown member 'n?de'"},
	{ADD, "{\"count\":1}", "member 'library': missing"},
	{ADD, "{\"library\":\"L1\"}", "member 'count' or 'barcodes': missing"},
	{ADD, "{\"library\":\"L1\",\"count\":1,\"barcodes\":[\"A1\"]}", "members 'count' and 'barcodes': give one, not both"},
	{ADD, "{\"library\":\"L1\",\"count\":0}", "member 'count': out of range (1..4096)"},
	{ADD, "{\"library\":\"L1\",\"count\":4097}", "member 'count': out of range (1..4096)"},
	{ADD, "{\"library\":\"L1\",\"count\":\"2\"}", "member 'count': wrong type (want integer)"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":[]}", "member 'barcodes': want 1..4096 barcodes"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":\"A1\"}", "member 'barcodes': wrong type (want array of strings)"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":[\"A1\",\"a2\"]}", "member 'barcodes'[1]: want a barcode [A-Z0-9]{1,16}"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":[7]}", "member 'barcodes'[0]: want a barcode"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":[\"ABCDEFGHIJKLMNOPQ\"]}", "member 'barcodes'[0]: want a barcode"},
	{ADD, "{\"library\":\"L1\",\"barcodes\":[\"A1\",\"B2\",\"A1\"]}", "member 'barcodes'[2]: duplicate barcode 'A1'"},
	{ADD, "{\"library\":\"L1\",\"count\":1,\"capacity\":5}", "member 'capacity': out of range"},
	{ADD, "{\"library\":\"L1\",\"count\":1,\"force\":true}", "unknown member 'force'"},
	{REMOVE, "{\"library\":\"L1\"}", "member 'barcodes': missing"},
	{REMOVE, "{\"library\":\"L1\",\"count\":1}", "unknown member 'count'"},
	{REMOVE, "{\"library\":\"L1\",\"barcodes\":[\"A1\"],\"force\":null,\"x\":0}", "unknown member 'x'"},
	{REMOVE, "{\"library\":\"L1\",\"barcodes\":[\"A1\"],\"force\":\"true\"}", "member 'force': wrong type (want boolean)"},
	{EMPTY, "{\"verbose\":true}", "unknown member 'verbose'"},
};

static void check_bad(const struct bad_case *c)
{
	json_error_t jerr;
	json_t *args = json_loads(c->args, JSON_ALLOW_NUL, &jerr);
	if (!args) {
		fprintf(stderr, "test JSON %s: %s\n", c->args, jerr.text);
		exit(1);
	}
	struct rpc_reply r = {0};
	int rc = parse(c->op, args, &r);
	if (rc != -EINVAL || r.err != PROTO_CTL_INVALID ||
	    strncmp(r.message, c->message, strlen(c->message))) {
		fprintf(stderr, "args %s: rc %d err %s message \"%s\", want invalid_argument \"%s\"\n",
			c->args, rc, proto_ctl_err_name(r.err), r.message, c->message);
		exit(1);
	}
	json_decref(args);
}

static json_t *load(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	CHECK(j);
	return j;
}

static void good_create(void)
{
	struct rpc_reply r = {0};
	struct api__create_req q;
	json_t *a = load("{\"name\":\"L1\"}");
	CHECK_EQ(api__parse_create(a, &q, &r), 0);
	CHECK(!strcmp(q.cfg.name, "L1") && q.cfg.drives == 2 && q.cfg.slots == 20);
	CHECK(q.cfg.ie_slots == 4 && q.n_carts == 10 && q.cfg.capacity == UINT64_C(4294967296));
	CHECK(!strcmp(q.cfg.barcode_prefix, "VT") && !strcmp(q.cfg.media, "L8"));
	CHECK(!strcmp(q.cfg.changer_vendor, "IBM") && !strcmp(q.cfg.changer_product, "03584L32"));
	CHECK(!strcmp(q.cfg.changer_rev, "0100") && !strcmp(q.cfg.drive_product, "ULT3580-TD8"));
	CHECK(!strcmp(q.cfg.drive_rev, "Q380") && q.cfg.policy == PROTO_POLICY_MIRRORED);
	CHECK(q.node[0] == 0 && q.cfg.carts == NULL);
	json_decref(a);
	a = load("{\"name\":\"Lib_2-x\",\"drives\":64,\"slots\":4096,\"ie_slots\":0,"
		 "\"cartridges\":4096,\"barcode_prefix\":\"ABCDEFG\",\"media\":\"L9X\","
		 "\"capacity\":1048576,\"changer_vendor\":\"ACME 1\",\"changer_product\":"
		 "\"0123456789abcdef\",\"changer_rev\":\"1\",\"drive_vendor\":\"HP\","
		 "\"drive_product\":\"Ultrium\",\"drive_rev\":\"ZZZZ\",\"policy\":\"single\","
		 "\"node\":\"node-3\"}");
	CHECK_EQ(api__parse_create(a, &q, &r), 0);
	CHECK(q.cfg.drives == 64 && q.cfg.slots == 4096 && q.cfg.ie_slots == 0 && q.n_carts == 4096);
	CHECK(!strcmp(q.cfg.barcode_prefix, "ABCDEFG") && !strcmp(q.cfg.media, "L9X"));
	CHECK(q.cfg.capacity == 1048576 && q.cfg.policy == PROTO_POLICY_SINGLE);
	CHECK(!strcmp(q.cfg.changer_vendor, "ACME 1") && !strcmp(q.node, "node-3"));
	CHECK(!strcmp(q.cfg.changer_product, "0123456789abcdef") && !strcmp(q.cfg.drive_rev, "ZZZZ"));
	json_decref(a);
	a = load("{\"name\":\"L1\",\"node\":null,\"cartridges\":0}");
	CHECK_EQ(api__parse_create(a, &q, &r), 0);
	CHECK(q.node[0] == 0 && q.n_carts == 0);
	json_decref(a);
}

static void good_others(void)
{
	struct rpc_reply r = {0};
	struct api__lib_req lq;
	struct api__carts_req kq;
	json_t *a = load("{\"name\":\"L1\",\"force\":true}");
	CHECK_EQ(api__parse_lib(a, true, &lq, &r), 0);
	CHECK(!strcmp(lq.name, "L1") && lq.force);
	json_decref(a);
	a = load("{\"library\":\"L1\",\"count\":3,\"capacity\":2097152}");
	CHECK_EQ(api__parse_carts_add(a, &kq, &r), 0);
	CHECK(kq.count == 3 && kq.n_barcodes == 0 && kq.capacity == 2097152);
	api__carts_req_fini(&kq);
	json_decref(a);
	a = load("{\"library\":\"L1\",\"barcodes\":[\"A1\",\"ABCDEFGHIJKLMNOP\"],\"count\":null}");
	CHECK_EQ(api__parse_carts_add(a, &kq, &r), 0);
	CHECK(kq.count == 0 && kq.n_barcodes == 2 && !strcmp(kq.barcodes[1], "ABCDEFGHIJKLMNOP"));
	api__carts_req_fini(&kq);
	json_decref(a);
	a = load("{\"library\":\"L1\",\"barcodes\":[\"A1\"]}");
	CHECK_EQ(api__parse_carts_remove(a, &kq, &r), 0);
	CHECK(!kq.force && kq.n_barcodes == 1);
	api__carts_req_fini(&kq);
	json_decref(a);
	a = load("{}");
	CHECK_EQ(api__parse_empty(a, &r), 0);
	json_decref(a);
}

/* 4097 barcodes: refused by count before any of them is looked at. */
static void too_many_barcodes(void)
{
	json_t *arr = json_array(), *a = json_object();
	for (int i = 0; i < 4097; i++)
		json_array_append_new(arr, json_string("A1"));
	json_object_set_new(a, "library", json_string("L1"));
	json_object_set_new(a, "barcodes", arr);
	struct rpc_reply r = {0};
	CHECK_EQ(parse(REMOVE, a, &r), -EINVAL);
	CHECK(!strcmp(r.message, "member 'barcodes': want 1..4096 barcodes"));
	json_decref(a);
}

/* Every member of every operation gets values of every JSON type: accepted, or refused
 * with invalid_argument naming that member. */
static void garbage(void)
{
	static const char *members[] = {"name", "drives", "slots", "ie_slots", "cartridges",
		"barcode_prefix", "media", "capacity", "changer_vendor", "changer_product",
		"changer_rev", "drive_vendor", "drive_product", "drive_rev", "policy", "node",
		"force", "library", "count", "barcodes"};
	static const char *values[] = {"true", "false", "0", "-1", "1.5", "9223372036854775807",
		"\"\"", "\"L1\"", "\"\\u0000\"", "\"\\uffff\"", "[]", "[null]", "[\"A1\",1]", "{}",
		"{\"a\":[]}", "\"0123456789012345678901234567890123456789012345678901234567890123456789\""};
	size_t ok = 0, refused = 0;
	for (enum op op = CREATE; op <= EMPTY; op++)
		for (size_t m = 0; m < sizeof members / sizeof members[0]; m++)
			for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
				char text[256];
				const char *base = op == ADD || op == REMOVE ? "\"library\":\"L1\",\"barcodes\":[\"B1\"],"
						 : op == DRAIN ? "\"node\":\"n1\"," : op == EMPTY ? "" : "\"name\":\"L1\",";
				snprintf(text, sizeof text, "{%s\"%s\":%s}", base, members[m], values[v]);
				json_t *a = json_loads(text, JSON_ALLOW_NUL, NULL);
				if (!a)
					continue;       /* a member given twice: not a request */
				struct rpc_reply r = {0};
				int rc = parse(op, a, &r);
				json_decref(a);
				if (!rc) {
					ok++;
					continue;
				}
				refused++;
				CHECK_EQ(rc, -EINVAL);
				CHECK_EQ(r.err, PROTO_CTL_INVALID);
				if (!strstr(r.message, members[m]) &&
				    !strstr(r.message, "'count' or 'barcodes'") &&
				    !strstr(r.message, "'count' and 'barcodes'")) {
					fprintf(stderr, "%s: message \"%s\" does not name the member\n", text,
						r.message);
					exit(1);
				}
			}
	CHECK(ok > 20 && refused > 500);
	printf("garbage: %zu accepted, %zu refused\n", ok, refused);
}

int main(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_bad(&bad[i]);
	good_create();
	good_others();
	too_many_barcodes();
	garbage();
	printf("args: %zu bad cases ok\n", sizeof bad / sizeof bad[0]);
	return 0;
}
