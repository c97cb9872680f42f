/* parse.c - the arguments of each operation (docs/control-api.md), checked before the
 * manager reads or writes anything. Pure: no etcd, no election; unit-tested. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse__upper_alnum(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool parse__prefix_ok(const char *s) { return parse__upper_alnum(s, 7); }
static bool parse__media_ok(const char *s) { return parse__upper_alnum(s, 3); }

/* SPC-4 4.3.1: INQUIRY ASCII fields hold printable characters (20h..7Eh). */
static bool parse__ascii_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static bool parse__policy_ok(const char *s)
{
	return !strcmp(s, "mirrored") || !strcmp(s, "single");
}

int api__parse_empty(json_t *args, struct rpc_reply *r)
{
	static const char *const known[] = {NULL};
	return api__args_known(args, known, r);
}

/* The library config's defaults (docs/control-api.md, library.create). */
static void parse__create_defaults(struct api__create_req *q)
{
	memset(q, 0, sizeof *q);
	struct proto_libcfg *c = &q->cfg;
	c->drives = 2;
	c->slots = 20;
	c->ie_slots = 4;
	q->n_carts = 10;
	strcpy(c->barcode_prefix, "VT");
	strcpy(c->media, "L8");
	c->capacity = UINT64_C(4294967296);
	strcpy(c->changer_vendor, "IBM");
	strcpy(c->changer_product, "03584L32");
	strcpy(c->changer_rev, "0100");
	strcpy(c->drive_vendor, "IBM");
	strcpy(c->drive_product, "ULT3580-TD8");
	strcpy(c->drive_rev, "Q380");
	c->policy = PROTO_POLICY_MIRRORED;
}

/* The integer members of a create, with the record's ranges (docs/etcd-layout.md). */
static int parse__create_sizes(json_t *args, struct api__create_req *q, struct rpc_reply *r)
{
	struct proto_libcfg *c = &q->cfg;
	uint64_t drives = c->drives, slots = c->slots, ie = c->ie_slots, carts = q->n_carts;
	int rc = api__arg_uint(args, "drives", false, 1, PROTO_MAX_DRIVES, &drives, r);
	if (!rc)
		rc = api__arg_uint(args, "slots", false, 1, PROTO_MAX_SLOTS, &slots, r);
	if (!rc)
		rc = api__arg_uint(args, "ie_slots", false, 0, PROTO_MAX_IE, &ie, r);
	if (!rc)
		rc = api__arg_uint(args, "cartridges", false, 0, PROTO_MAX_SLOTS, &carts, r);
	if (!rc)
		rc = api__arg_uint(args, "capacity", false, PROTO_CART_MIN_BYTES,
				   PROTO_CART_MAX_BYTES, &c->capacity, r);
	if (!rc && carts > slots) {
		rpc_fail(r, PROTO_CTL_INVALID, "member 'cartridges': %llu cartridges do not fit in "
			 "%llu slots", (unsigned long long)carts, (unsigned long long)slots);
		rc = -EINVAL;
	}
	c->drives = (uint16_t)drives;
	c->slots = (uint16_t)slots;
	c->ie_slots = (uint16_t)ie;
	q->n_carts = (unsigned)carts;
	return rc;
}

static int parse__create_strings(json_t *args, struct api__create_req *q, struct rpc_reply *r)
{
	static const char ascii[] = "printable ASCII";
	struct proto_libcfg *c = &q->cfg;
	struct {
		const char *member;
		char *out;
		size_t cap;
		bool (*valid)(const char *);
		const char *what;
	} s[] = {
		{"barcode_prefix", c->barcode_prefix, sizeof c->barcode_prefix, parse__prefix_ok,
		 "[A-Z0-9]{1,7}"},
		{"media", c->media, sizeof c->media, parse__media_ok, "[A-Z0-9]{1,3}"},
		{"changer_vendor", c->changer_vendor, sizeof c->changer_vendor, parse__ascii_ok, ascii},
		{"changer_product", c->changer_product, sizeof c->changer_product, parse__ascii_ok, ascii},
		{"changer_rev", c->changer_rev, sizeof c->changer_rev, parse__ascii_ok, ascii},
		{"drive_vendor", c->drive_vendor, sizeof c->drive_vendor, parse__ascii_ok, ascii},
		{"drive_product", c->drive_product, sizeof c->drive_product, parse__ascii_ok, ascii},
		{"drive_rev", c->drive_rev, sizeof c->drive_rev, parse__ascii_ok, ascii},
		{"node", q->node, sizeof q->node, proto_name_valid, "a node name [A-Za-z0-9_-]{1,63}"},
	};
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof s / sizeof s[0]; i++)
		rc = api__arg_str(args, s[i].member, false, s[i].valid, s[i].what, s[i].out,
				  s[i].cap, r);
	char policy[16] = "";
	if (!rc)
		rc = api__arg_str(args, "policy", false, parse__policy_ok, "\"mirrored\" or \"single\"",
				  policy, sizeof policy, r);
	if (!rc && policy[0])
		c->policy = strcmp(policy, "single") ? PROTO_POLICY_MIRRORED : PROTO_POLICY_SINGLE;
	return rc;
}

int api__parse_create(json_t *args, struct api__create_req *q, struct rpc_reply *r)
{
	static const char *const known[] = {
		"name", "drives", "slots", "ie_slots", "cartridges", "barcode_prefix", "media",
		"capacity", "changer_vendor", "changer_product", "changer_rev", "drive_vendor",
		"drive_product", "drive_rev", "policy", "node", NULL};
	parse__create_defaults(q);
	int rc = api__args_known(args, known, r);
	if (!rc)
		rc = api__arg_str(args, "name", true, proto_name_valid,
				  "a library name [A-Za-z0-9_-]{1,63}", q->cfg.name, sizeof q->cfg.name, r);
	if (!rc)
		rc = parse__create_sizes(args, q, r);
	if (!rc)
		rc = parse__create_strings(args, q, r);
	return rc;
}

int api__parse_lib(json_t *args, bool with_force, struct api__lib_req *q, struct rpc_reply *r)
{
	static const char *const known_force[] = {"name", "force", NULL};
	static const char *const known[] = {"name", NULL};
	memset(q, 0, sizeof *q);
	int rc = api__args_known(args, with_force ? known_force : known, r);
	if (!rc)
		rc = api__arg_str(args, "name", true, proto_name_valid,
				  "a library name [A-Za-z0-9_-]{1,63}", q->name, sizeof q->name, r);
	if (!rc && with_force)
		rc = api__arg_bool(args, "force", &q->force, r);
	return rc;
}

int api__parse_node(json_t *args, struct api__node_req *q, struct rpc_reply *r)
{
	static const char *const known[] = {"node", NULL};
	memset(q, 0, sizeof *q);
	int rc = api__args_known(args, known, r);
	if (!rc)
		rc = api__arg_str(args, "node", true, proto_name_valid,
				  "a node name [A-Za-z0-9_-]{1,63}", q->node, sizeof q->node, r);
	return rc;
}

static int parse__library(json_t *args, struct api__carts_req *q, struct rpc_reply *r)
{
	return api__arg_str(args, "library", true, proto_name_valid,
			    "a library name [A-Za-z0-9_-]{1,63}", q->library, sizeof q->library, r);
}

int api__parse_carts_add(json_t *args, struct api__carts_req *q, struct rpc_reply *r)
{
	static const char *const known[] = {"library", "count", "barcodes", "capacity", NULL};
	memset(q, 0, sizeof *q);
	int rc = api__args_known(args, known, r);
	if (!rc)
		rc = parse__library(args, q, r);
	bool has_count = json_object_get(args, "count") && !json_is_null(json_object_get(args, "count"));
	bool has_bc = json_object_get(args, "barcodes") && !json_is_null(json_object_get(args, "barcodes"));
	if (!rc && has_count == has_bc) {
		rpc_fail(r, PROTO_CTL_INVALID, has_count ? "members 'count' and 'barcodes': give one, "
			 "not both" : "member 'count' or 'barcodes': missing");
		rc = -EINVAL;
	}
	uint64_t count = 0;
	if (!rc && has_count)
		rc = api__arg_uint(args, "count", true, 1, PROTO_MAX_SLOTS, &count, r);
	q->count = (unsigned)count;
	if (!rc && has_bc)
		rc = api__arg_barcodes(args, "barcodes", PROTO_MAX_SLOTS, &q->barcodes,
				       &q->n_barcodes, r);
	if (!rc)
		rc = api__arg_uint(args, "capacity", false, PROTO_CART_MIN_BYTES,
				   PROTO_CART_MAX_BYTES, &q->capacity, r);
	if (rc)
		api__carts_req_fini(q);
	return rc;
}

int api__parse_carts_remove(json_t *args, struct api__carts_req *q, struct rpc_reply *r)
{
	static const char *const known[] = {"library", "barcodes", "force", NULL};
	memset(q, 0, sizeof *q);
	int rc = api__args_known(args, known, r);
	if (!rc)
		rc = parse__library(args, q, r);
	if (!rc)
		rc = api__arg_barcodes(args, "barcodes", PROTO_MAX_SLOTS, &q->barcodes,
				       &q->n_barcodes, r);
	if (!rc)
		rc = api__arg_bool(args, "force", &q->force, r);
	if (rc)
		api__carts_req_fini(q);
	return rc;
}

void api__carts_req_fini(struct api__carts_req *q)
{
	free(q->barcodes);
	q->barcodes = NULL;
	q->n_barcodes = 0;
}
