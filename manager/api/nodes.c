/* nodes.c - status, nodes.list, node.drain, node.undrain (docs/control-api.md). */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "manager/election/elect.h"

void api__op_status(struct api *a, json_t *args, struct rpc_reply *r)
{
	int64_t fence;
	struct view v = {0};
	if (api__parse_empty(args, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load(a->etcd, a->prefix, VIEW_NODES | VIEW_DRAINS | VIEW_LIBS, &v);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return;
	}
	json_int_t draining = 0, total = 0, online = 0, offline = 0, unplaced = 0;
	for (size_t i = 0; i < v.n_nodes; i++)
		draining += view_node_draining(&v.nodes[i]);
	for (size_t i = 0; i < v.n_libs; i++) {
		const struct view_lib *l = &v.libs[i];
		if (!l->cfg_valid)
			continue;
		total++;
		if (!l->owner_present)
			unplaced++;
		else if (l->owner_valid && l->owner.state == PROTO_OWNER_OFFLINE)
			offline++;
		else if (l->owner_valid)
			online++;       /* online or migrating: it is being served */
	}
	struct proto_leader me;
	elect_role(a->el, &me);
	r->result = json_pack("{s:s, s:s, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
			      "leader", me.id[0] ? me.id : a->id, "control", me.control,
			      "revision", (json_int_t)v.revision, "nodes", "live",
			      (json_int_t)v.n_nodes, "draining", draining, "libraries", "total",
			      total, "online", online, "offline", offline, "unplaced", unplaced);
	view_fini(&v);
	if (!r->result)
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
}

static json_t *nodes__entry(const struct view_node *n)
{
	const struct proto_node *p = &n->rec;
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:I}", "id", p->id, "portal",
			 p->portal, "peer", p->peer, "version", p->version, "capacity_bytes",
			 (json_int_t)p->capacity_bytes, "free_bytes", (json_int_t)p->free_bytes,
			 "draining", view_node_draining(n), "owned", (json_int_t)n->owned,
			 "partner_of", (json_int_t)n->partner_of);
}

void api__op_nodes_list(struct api *a, json_t *args, struct rpc_reply *r)
{
	int64_t fence;
	struct view v = {0};
	if (api__parse_empty(args, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load(a->etcd, a->prefix, VIEW_NODES | VIEW_DRAINS | VIEW_LIBS, &v);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < v.n_nodes; i++)   /* view.h: sorted by id */
		if (json_array_append_new(arr, nodes__entry(&v.nodes[i])))
			arr = (json_decref(arr), NULL);
	view_fini(&v);
	r->result = arr ? json_pack("{s:o}", "nodes", arr) : NULL;
	if (!r->result)
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
}

/* Puts drain/<node> unless it exists (the first `since` is kept: a retried drain does
 * not restart the clock). */
void api__op_node_drain(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__node_req q;
	int64_t fence;
	char key[PROTO_KEY_MAX], *json = NULL, why[PROTO_REASON_MAX];
	if (api__parse_node(args, &q, r) || !api__lead(a, &fence, r))
		return;
	struct proto_drain d = {.since = api__unix_ms()};
	snprintf(d.node, sizeof d.node, "%s", q.node);
	if (proto_key_drain(key, sizeof key, a->prefix, q.node) ||
	    proto_drain_encode(&d, &json, why, sizeof why)) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot build the drain record for %s", q.node);
		return;
	}
	struct etcd_cmp cmp = {.key = key, .key_len = strlen(key), .target = ETCD_CMP_VERSION,
			       .result = ETCD_CMP_EQUAL, .number = 0};
	struct etcd_op put = {.type = ETCD_OP_PUT, .key = key, .key_len = strlen(key),
			      .value = json, .value_len = strlen(json)};
	int rc = api__txn(a, fence, &cmp, 1, &put, 1, r);
	free(json);
	if (rc < 0)
		return;
	if (rc == 0)
		vtl_log(LOG_INFO, "MGR_NODE_DRAIN", "node=%s since=%llu", q.node,
			(unsigned long long)d.since);
	r->result = json_pack("{s:s, s:b}", "node", q.node, "draining", 1);
}

/* True if the node's own record says it is draining (undrain cannot clear that). */
static bool nodes__self_draining(struct api *a, const char *node)
{
	char key[PROTO_KEY_MAX], why[PROTO_REASON_MAX];
	struct etcd_kvs kvs = {0};
	struct proto_node rec;
	bool draining = false;
	if (!proto_key_node(key, sizeof key, a->prefix, node) &&
	    !etcd_get(a->etcd, key, strlen(key), &kvs) && kvs.n == 1 &&
	    !proto_node_decode(kvs.kv[0].value, kvs.kv[0].value_len, &rec, why, sizeof why))
		draining = rec.draining;
	etcd_kvs_free(&kvs);
	return draining;
}

void api__op_node_undrain(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__node_req q;
	int64_t fence;
	char key[PROTO_KEY_MAX];
	if (api__parse_node(args, &q, r) || !api__lead(a, &fence, r))
		return;
	if (proto_key_drain(key, sizeof key, a->prefix, q.node)) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot build the drain key for %s", q.node);
		return;
	}
	struct etcd_op del = {.type = ETCD_OP_DELETE, .key = key, .key_len = strlen(key)};
	if (api__txn(a, fence, NULL, 0, &del, 1, r))
		return;
	vtl_log(LOG_INFO, "MGR_NODE_UNDRAIN", "node=%s", q.node);
	r->result = json_pack("{s:s, s:b}", "node", q.node, "draining",
			      nodes__self_draining(a, q.node));
}
