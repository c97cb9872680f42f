/* api.c - dispatch and the machinery every handler shares (api.h, api_int.h). */
#include "manager/api/api_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "manager/election/elect.h"

static const struct {
	const char *op;
	api__op_fn *fn;
} api__ops[] = {
	{"status", api__op_status},
	{"nodes.list", api__op_nodes_list},
	{"node.drain", api__op_node_drain},
	{"node.undrain", api__op_node_undrain},
	{"libraries.list", api__op_libs_list},
	{"library.show", api__op_lib_show},
	{"library.create", api__op_lib_create},
	{"library.delete", api__op_lib_delete},
	{"cartridges.add", api__op_carts_add},
	{"cartridges.remove", api__op_carts_remove},
};

void api_handle(void *arg, const char *op, json_t *args, struct rpc_reply *r)
{
	struct api *a = arg;
	for (size_t i = 0; i < sizeof api__ops / sizeof api__ops[0]; i++)
		if (!strcmp(api__ops[i].op, op)) {
			api__ops[i].fn(a, args, r);
			vtl_log(LOG_DEBUG, "MGR_REQUEST", "op=%s result=%s", op, proto_ctl_err_name(r->err));
			return;
		}
	rpc_fail(r, PROTO_CTL_UNKNOWN_OP, "manager %s does not know operation '%s'", a->id, op);
}

bool api__lead(struct api *a, int64_t *fence, struct rpc_reply *r)
{
	struct proto_leader l;
	if (elect_fence(a->el, fence))
		return true;
	enum elect_role role = elect_role(a->el, &l);
	if (role == ELECT_NO_ETCD)
		rpc_fail(r, PROTO_CTL_ETCD, "manager %s cannot reach etcd and does not lead", a->id);
	else if (role == ELECT_LEADER)      /* elected between the two reads: ask again */
		rpc_fail(r, PROTO_CTL_NOT_LEADER, "manager %s is becoming the leader; retry", a->id);
	else if (l.id[0])
		rpc_fail(r, PROTO_CTL_NOT_LEADER, "manager %s is a standby; the leader is %s (%s)",
			 a->id, l.id, l.control);
	else
		rpc_fail(r, PROTO_CTL_NOT_LEADER, "manager %s is a standby; no leader is elected yet",
			 a->id);
	return false;
}

int api__etcd_fail(struct api *a, int rc, struct rpc_reply *r)
{
	switch (rc) {
	case -ECONNREFUSED: case -ETIMEDOUT: case -EHOSTUNREACH: case -ECONNRESET: case -EAGAIN:
		rpc_fail(r, PROTO_CTL_ETCD, "etcd unavailable: %s", etcd_last_error(a->etcd));
		break;
	case -ENOMEM:
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
		break;
	default:
		rpc_fail(r, PROTO_CTL_INTERNAL, "etcd request failed: %s (%s)", strerror(-rc),
			 etcd_last_error(a->etcd));
	}
	return rc;
}

int api__txn(struct api *a, int64_t fence, const struct etcd_cmp *cmp, size_t ncmp,
	     const struct etcd_op *ops, size_t nops, struct rpc_reply *r)
{
	struct etcd_cmp c[8];
	const char *lk = elect_key(a->el);
	if (ncmp > 7) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "transaction too large");
		return -1;
	}
	if (ncmp)
		memcpy(c, cmp, ncmp * sizeof *cmp);
	c[ncmp] = (struct etcd_cmp){.key = lk, .key_len = strlen(lk), .target = ETCD_CMP_CREATE,
				    .result = ETCD_CMP_EQUAL, .number = fence};
	struct etcd_op get = {.type = ETCD_OP_RANGE, .key = lk, .key_len = strlen(lk)};
	struct etcd_txn_result res = {0};
	int rc = etcd_txn(a->etcd, c, ncmp + 1, ops, nops, &get, 1, &res);
	int out = 0;
	if (rc) {
		api__etcd_fail(a, rc, r);
		out = -1;
	} else if (!res.succeeded) {
		bool ours = res.n_ranges == 1 && res.ranges[0].n == 1 &&
			    res.ranges[0].kv[0].create_revision == fence;
		if (!ours)
			rpc_fail(r, PROTO_CTL_NOT_LEADER, "manager %s lost the leadership; retry", a->id);
		out = ours ? 1 : -1;
	}
	etcd_txn_result_free(&res);
	return out;
}

uint64_t api__unix_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
