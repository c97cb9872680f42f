/* libs.c - libraries.list and library.show (docs/control-api.md), the library entry they
 * share with create, and asking an owner node for library.status. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "unplaced": no owner record; "invalid": one that does not decode (logged by view). */
static const char *libs__state(const struct view_lib *l)
{
	if (l->owner_valid)
		return proto_owner_state_name(l->owner.state);
	return l->owner_present ? "invalid" : "unplaced";
}

json_t *api__lib_entry(const struct view_lib *l)
{
	const struct proto_libcfg *c = &l->cfg;
	json_t *partners = json_array();
	for (size_t i = 0; partners && l->owner_valid && i < l->owner.n_partners; i++)
		if (json_array_append_new(partners, json_string(l->owner.partners[i])))
			partners = (json_decref(partners), NULL);
	if (!partners)
		return NULL;
	return json_pack("{s:s, s:s, s:o, s:o, s:I, s:s, s:i, s:i, s:i, s:I, s:s}", "name", c->name,
			 "id", c->id, "owner", l->owner_valid ? json_string(l->owner.node) : json_null(),
			 "partners", partners, "epoch", (json_int_t)(l->owner_valid ? l->owner.epoch : 0),
			 "state", libs__state(l), "drives", (int)c->drives, "slots", (int)c->slots,
			 "ie_slots", (int)c->ie_slots, "cartridges", (json_int_t)c->n_carts, "policy",
			 proto_policy_name(c->policy));
}

void api__op_libs_list(struct api *a, json_t *args, struct rpc_reply *r)
{
	int64_t fence;
	struct view v = {0};
	if (api__parse_empty(args, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load(a->etcd, a->prefix, VIEW_LIBS, &v);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < v.n_libs; i++)    /* view.h: sorted by name */
		if (v.libs[i].cfg_valid && json_array_append_new(arr, api__lib_entry(&v.libs[i])))
			arr = (json_decref(arr), NULL);
	view_fini(&v);
	r->result = arr ? json_pack("{s:o}", "libraries", arr) : NULL;
	if (!r->result)
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
}

/* The owner's node record, for its peer URL. */
static int libs__owner_node(struct api *a, const char *node, struct proto_node *rec, char *why,
			    size_t why_cap)
{
	char key[PROTO_KEY_MAX], reason[PROTO_REASON_MAX];
	struct etcd_kvs kvs = {0};
	int rc = proto_key_node(key, sizeof key, a->prefix, node);
	if (!rc)
		rc = etcd_get(a->etcd, key, strlen(key), &kvs);
	if (rc)
		snprintf(why, why_cap, "etcd: %s", etcd_last_error(a->etcd));
	else if (kvs.n == 0) {
		snprintf(why, why_cap, "owner %s is not registered", node);
		rc = -ENOENT;
	} else if (proto_node_decode(kvs.kv[0].value, kvs.kv[0].value_len, rec, reason, sizeof reason)) {
		snprintf(why, why_cap, "owner %s has an invalid node record: %s", node, reason);
		rc = -EINVAL;
	}
	etcd_kvs_free(&kvs);
	return rc;
}

int api__ask_owner(struct api *a, const struct proto_owner *o, const char *lib,
		   json_t **status, char *why, size_t why_cap)
{
	struct proto_node rec;
	char msg[PROTO_CTL_MSG_MAX + 1], text[128];
	enum proto_ctl_err err;
	*status = NULL;
	int rc = libs__owner_node(a, o->node, &rec, why, why_cap);
	if (rc)
		return rc;
	json_t *args = json_pack("{s:s}", "name", lib);
	rc = args ? rpc_call(rec.peer, "library.status", args, a->peer_timeout_ms, &err, status,
			     msg, sizeof msg) : -ENOMEM;
	json_decref(args);
	if (rc) {
		snprintf(why, why_cap, "owner %s unreachable: %s", o->node,
			 rpc_strerror(rc, rec.peer, text, sizeof text));
	} else if (err == PROTO_CTL_NOT_FOUND) {
		snprintf(why, why_cap, "owner %s does not serve %s: %s", o->node, lib, msg);
		rc = -ENXIO;
	} else if (err != PROTO_CTL_OK) {
		snprintf(why, why_cap, "owner %s answered %s: %s", o->node, proto_ctl_err_name(err), msg);
		rc = -EPROTO;
	} else if (!json_is_object(*status)) {
		snprintf(why, why_cap, "owner %s sent a malformed status", o->node);
		rc = -EPROTO;
	}
	if (rc) {
		json_decref(*status);
		*status = NULL;
	}
	return rc;
}

/* The show result: the entry plus config and the owner's live status. */
static json_t *libs__show(struct api *a, const struct view_lib *l)
{
	char *text = NULL, why[PROTO_CTL_MSG_MAX + 1] = "library is not placed";
	json_t *live = NULL, *cfg = NULL, *res = api__lib_entry(l);
	if (!proto_libcfg_encode(&l->cfg, &text, why, sizeof why))
		cfg = json_loads(text, 0, NULL);
	free(text);
	if (!res || !cfg) {
		json_decref(res);
		json_decref(cfg);
		return NULL;
	}
	if (l->owner_valid)
		api__ask_owner(a, &l->owner, l->name, &live, why, sizeof why);
	else if (l->owner_present)
		snprintf(why, sizeof why, "owner record is invalid: %.200s", l->owner_reason);
	int bad = json_object_set_new(res, "config", cfg);
	bad |= json_object_set_new(res, "live", live ? live : json_null());
	if (!live)
		bad |= json_object_set_new(res, "live_error", json_string(why));
	if (bad) {
		json_decref(res);
		return NULL;
	}
	return res;
}

void api__op_lib_show(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__lib_req q;
	struct view_lib l;
	int64_t fence;
	if (api__parse_lib(args, false, &q, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load_lib(a->etcd, a->prefix, q.name, &l);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return;
	}
	if (!l.cfg_present)
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist", q.name);
	else if (!l.cfg_valid)
		rpc_fail(r, PROTO_CTL_INTERNAL, "library '%s': its config in etcd is invalid: %s",
			 q.name, l.cfg_reason);
	else if (!(r->result = libs__show(a, &l)))
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
	view_lib_fini(&l);
}
