/* resume.c - work a new leader picks up from etcd (api.h, api_resume).
 *
 * What can be left half-done by a manager that died?
 *  - A library create: nothing. It is one transaction (create.c), complete or absent.
 *  - A library config without an owner record: never written by this manager, but an
 *    older version or a hand-made state may have it. It is placed now, by a transaction
 *    that requires the owner key to be still absent and the config unchanged.
 *  - Migrations that are not final: issue 5 owns migrations; they are logged and left.
 * Every line is MGR_RESUME, then one MGR_RESUME_DONE with the counts. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "manager/election/elect.h"

/* Places one library without an owner record. 0 placed, else not. */
static int resume__place(struct api *a, int64_t fence, struct view *v, const struct view_lib *l)
{
	struct proto_owner o;
	struct rpc_reply r = {0};
	char key[PROTO_KEY_MAX], ck[PROTO_KEY_MAX], *json = NULL, why[PROTO_REASON_MAX];
	int rc = api__place(v, NULL, l->cfg.policy, &o);
	if (rc) {
		api__place_fail(rc, NULL, l->cfg.policy, &r);
	} else if (proto_key_lib_owner(key, sizeof key, a->prefix, l->name) ||
		   proto_key_lib_config(ck, sizeof ck, a->prefix, l->name) ||
		   proto_owner_encode(&o, &json, why, sizeof why)) {
		rpc_fail(&r, PROTO_CTL_INTERNAL, "cannot encode the owner record");
		rc = -EINVAL;
	} else {
		struct etcd_cmp cmp[2] = {
			{.key = key, .key_len = strlen(key), .target = ETCD_CMP_VERSION, .number = 0},
			{.key = ck, .key_len = strlen(ck), .target = ETCD_CMP_MOD, .number = l->cfg_mod}};
		struct etcd_op put = {.type = ETCD_OP_PUT, .key = key, .key_len = strlen(key),
				      .value = json, .value_len = strlen(json)};
		rc = api__txn(a, fence, cmp, 2, &put, 1, &r);
		if (rc == 1)
			rpc_fail(&r, PROTO_CTL_CONFLICT, "changed meanwhile");
	}
	free(json);
	json_decref(r.result);
	if (rc) {
		vtl_log(LOG_WARN, "MGR_RESUME", "lib=%s action=left_unplaced reason=\"%s: %s\"",
			l->name, proto_ctl_err_name(r.err), r.message);
		return rc;
	}
	/* the next placement sees this one */
	for (size_t i = 0; i < v->n_nodes; i++)
		if (!strcmp(v->nodes[i].rec.id, o.node))
			v->nodes[i].owned++;
	vtl_log(LOG_INFO, "MGR_RESUME", "lib=%s action=placed node=%s partner=%s epoch=1", l->name,
		o.node, o.n_partners ? o.partners[0] : "-");
	return 0;
}

void api_resume(void *arg)
{
	struct api *a = arg;
	struct view v;
	int64_t fence;
	if (!elect_fence(a->el, &fence))
		return;
	int rc = view_load(a->etcd, a->prefix, VIEW_ALL, &v);
	if (rc) {
		vtl_log(LOG_ERROR, "MGR_RESUME_FAILED", "err=%d detail=\"%s\"", rc,
			etcd_last_error(a->etcd));
		return;
	}
	size_t placed = 0, unplaced = 0, migs = 0;
	for (size_t i = 0; i < v.n_libs; i++) {
		const struct view_lib *l = &v.libs[i];
		if (!l->cfg_valid || l->owner_present)
			continue;
		unplaced++;
		placed += resume__place(a, fence, &v, l) == 0;
	}
	for (size_t i = 0; i < v.n_migs; i++) {
		const struct proto_mig *m = &v.migs[i];
		if (proto_mig_phase_final(m->phase))
			continue;
		migs++;
		vtl_log(LOG_INFO, "MGR_RESUME", "migration=%s lib=%s phase=%s source=%s destination=%s "
			"action=left", m->id, m->library, proto_mig_phase_name(m->phase), m->source,
			m->destination);
	}
	vtl_log(LOG_INFO, "MGR_RESUME_DONE", "libraries=%zu unplaced=%zu placed=%zu migrations=%zu "
		"nodes=%zu revision=%lld", v.n_libs, unplaced, placed, migs, v.n_nodes,
		(long long)v.revision);
	view_fini(&v);
}
