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

int proto_node_encode(const struct proto_node *n, char **out, char *reason, size_t reason_cap)
{
	*out = NULL;
	int rc = proto_node_check(n, reason, reason_cap);
	if (rc)
		return rc;
	json_t *obj = json_object();
	if (!obj)
		return -ENOMEM;
	rc = proto__encode_fields(obj, n, node__fields, NODE__N);
	if (rc) {
		json_decref(obj);
		return rc;
	}
	return proto__dump(obj, PROTO_REC_MAX, out, reason, reason_cap);
}

int proto_node_decode(const void *buf, size_t len, struct proto_node *out, char *reason,
		      size_t reason_cap)
{
	json_t *root;
	memset(out, 0, sizeof *out);
	int rc = proto__parse(buf, len, PROTO_REC_MAX, &root, reason, reason_cap);
	if (rc)
		return rc;
	rc = proto__decode_fields(root, node__fields, NODE__N, out, reason, reason_cap);
	if (!rc)
		rc = proto_node_check(out, reason, reason_cap);
	json_decref(root);
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}

bool proto_node_equal(const struct proto_node *a, const struct proto_node *b)
{
	return proto__equal_fields(a, b, node__fields, NODE__N);
}
