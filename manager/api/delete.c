/* delete.c - library.delete (docs/control-api.md).
 *
 * Without force the owner is asked (library.status) whether a drive holds a cartridge:
 * busy if one does, or if the owner cannot be asked. An owner that answers not_found
 * does not serve the library, so none of its drives can hold a cartridge of it: the
 * delete goes ahead. Then ONE transaction compares both keys' mod revisions (a change in
 * between gives `conflict`) and the fence, and deletes both. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

/* The first loaded drive of a library.status result; NULL when every drive is empty. */
static const char *delete__loaded(json_t *status, json_int_t *lun)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(status, "drives"), i, d) {
		const char *bc = json_string_value(json_object_get(d, "barcode"));
		if (bc) {
			*lun = json_integer_value(json_object_get(d, "lun"));
			return bc;
		}
	}
	return NULL;
}

/* 0 when the delete may go ahead, else -EBUSY with r set. */
static int delete__check(struct api *a, const struct view_lib *l, struct rpc_reply *r)
{
	char why[PROTO_CTL_MSG_MAX + 1];
	json_t *status = NULL;
	json_int_t lun = 0;
	if (!l->owner_present)
		return 0;       /* never placed: nobody serves it */
	if (!l->owner_valid) {
		rpc_fail(r, PROTO_CTL_BUSY, "owner record of %s is invalid (%s); use --force", l->name,
			 l->owner_reason);
		return -EBUSY;
	}
	int rc = api__ask_owner(a, &l->owner, l->name, &status, why, sizeof why);
	const char *bc = rc ? NULL : delete__loaded(status, &lun);
	if (bc)
		rpc_fail(r, PROTO_CTL_BUSY, "drive %lld of %s holds %s; unload it or use --force",
			 (long long)lun, l->name, bc);
	else if (rc && rc != -ENXIO)
		rpc_fail(r, PROTO_CTL_BUSY, "%s; use --force", why);
	json_decref(status);
	return bc || (rc && rc != -ENXIO) ? -EBUSY : 0;
}

void api__op_lib_delete(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__lib_req q;
	struct view_lib l;
	char ck[PROTO_KEY_MAX], ok[PROTO_KEY_MAX];
	int64_t fence;
	if (api__parse_lib(args, true, &q, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load_lib(a->etcd, a->prefix, q.name, &l);
	if (rc) {
		api__etcd_fail(a, rc, r);
		return;
	}
	proto_key_lib_config(ck, sizeof ck, a->prefix, q.name);
	proto_key_lib_owner(ok, sizeof ok, a->prefix, q.name);
	/* a missing key compares as mod_revision 0 (etcd-v3-json.md 4) */
	struct etcd_cmp cmp[2] = {
		{.key = ck, .key_len = strlen(ck), .target = ETCD_CMP_MOD, .number = l.cfg_mod},
		{.key = ok, .key_len = strlen(ok), .target = ETCD_CMP_MOD, .number = l.owner_mod}};
	struct etcd_op ops[2] = {{.type = ETCD_OP_DELETE, .key = ck, .key_len = strlen(ck)},
				 {.type = ETCD_OP_DELETE, .key = ok, .key_len = strlen(ok)}};
	if (!l.cfg_present && !l.owner_present)
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist", q.name);
	else if (q.force || !delete__check(a, &l, r)) {
		rc = api__txn(a, fence, cmp, 2, ops, 2, r);
		if (rc == 1)
			rpc_fail(r, PROTO_CTL_CONFLICT, "library '%s' changed during the delete; retry",
				 q.name);
		if (rc == 0) {
			vtl_log(LOG_INFO, "MGR_LIB_DELETED", "lib=%s node=%s epoch=%llu force=%d", q.name,
				l.owner_valid ? l.owner.node : "-",
				(unsigned long long)(l.owner_valid ? l.owner.epoch : 0), q.force);
			r->result = json_pack("{s:s, s:b}", "name", q.name, "deleted", 1);
		}
	}
	view_lib_fini(&l);
}
