/* rec_node.c - nodes/<id>: what a node announces about itself (records.h). */
#include "proto/records.h"

#include <errno.h>
#include <string.h>

#include "proto/rec_fields.h"

#define T struct proto_node
static const struct proto__field node__fields[] = {
	PROTO__F_STR("id", T, id, proto__why_name),
	PROTO__F_STR("portal", T, portal, proto__why_portal),
	PROTO__F_STR("peer", T, peer, proto__why_peer),
	PROTO__F_STR("version", T, version, proto__why_version),
	PROTO__F_U64("capacity_bytes", T, capacity_bytes, 0, PROTO__INT_MAX),
	PROTO__F_U64("free_bytes", T, free_bytes, 0, PROTO__INT_MAX),
	PROTO__F_BOOL("draining", T, draining),
};
#undef T
#define NODE__N (sizeof node__fields / sizeof node__fields[0])

int proto_node_check(const struct proto_node *n, char *reason, size_t reason_cap)
{
	int rc = proto__check_fields(n, node__fields, NODE__N, reason, reason_cap);
	if (!rc && n->free_bytes > n->capacity_bytes)
		rc = proto__fail(reason, reason_cap, "field 'free_bytes': exceeds capacity_bytes");
	return rc;
}

static int node__check(const void *rec, char *reason, size_t cap)
{
	return proto_node_check(rec, reason, cap);
}

static const struct proto__rec node__rec = {
	.fields = node__fields, .n_fields = NODE__N, .size = sizeof(struct proto_node),
	.max = PROTO_REC_MAX, .check = node__check,
};

int proto_node_encode(const struct proto_node *n, char **out, char *reason, size_t reason_cap)
{
	return proto__rec_encode(&node__rec, n, out, reason, reason_cap);
}

int proto_node_decode(const void *buf, size_t len, struct proto_node *out, char *reason,
		      size_t reason_cap)
{
	return proto__rec_decode(&node__rec, buf, len, out, reason, reason_cap);
}

bool proto_node_equal(const struct proto_node *a, const struct proto_node *b)
{
	return proto__equal_fields(a, b, node__fields, NODE__N);
}
