/* create.c - library.create (docs/control-api.md) and the placement of a new owner
 * record, which resume.c shares.
 *
 * A create is ONE etcd transaction: "config and owner keys both absent (version 0), this
 * manager still leads" -> put config, put owner {node, epoch 1, online, partners}. So a
 * create interrupted anywhere (manager killed, etcd lost) is complete or absent, never
 * half-made, and a retried create answers `exists`. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "manager/place/place.h"

int api__place(const struct view *v, const char *want, enum proto_policy policy,
	       struct proto_owner *o)
{
	size_t owner, partners[PROTO_MAX_PARTNERS];
	size_t n_partners = policy == PROTO_POLICY_MIRRORED ? 1 : 0;
	struct place_node *pn = calloc(v->n_nodes ? v->n_nodes : 1, sizeof *pn);
	if (!pn)
		return -ENOMEM;
	for (size_t i = 0; i < v->n_nodes; i++)
		pn[i] = (struct place_node){.id = v->nodes[i].rec.id,
					    .free_bytes = v->nodes[i].rec.free_bytes,
					    .owned = v->nodes[i].owned,
					    .draining = view_node_draining(&v->nodes[i])};
	int rc = place_choose(pn, v->n_nodes, want && want[0] ? want : NULL, n_partners, &owner,
			      partners);
	if (!rc) {
		memset(o, 0, sizeof *o);
		snprintf(o->node, sizeof o->node, "%s", pn[owner].id);
		o->epoch = 1;
		o->state = PROTO_OWNER_ONLINE;
		for (size_t p = 0; p < n_partners; p++)
			snprintf(o->partners[p], sizeof o->partners[p], "%s", pn[partners[p]].id);
		o->n_partners = n_partners;
	}
	free(pn);
	return rc;
}

void api__place_fail(int rc, const char *want, enum proto_policy policy, struct rpc_reply *r)
{
	unsigned need = policy == PROTO_POLICY_MIRRORED ? 2 : 1;
	if (rc == -ENOENT)
		rpc_fail(r, PROTO_CTL_NODE_DOWN, "node '%s' is not registered", want);
	else if (rc == -EBUSY)
		rpc_fail(r, PROTO_CTL_NO_PLACEMENT, "node '%s' is draining: it takes no new libraries",
			 want);
	else if (rc == -ENOSPC)
		rpc_fail(r, PROTO_CTL_NO_PLACEMENT, "a %s library needs %u live, undrained node%s%s",
			 proto_policy_name(policy), need, need > 1 ? "s" : "",
			 want && want[0] ? " (the requested owner counts as one)" : "");
	else
		rpc_fail(r, PROTO_CTL_INTERNAL, "placement failed: %s", strerror(-rc));
}

/* 32 lower-case hex digits from /dev/urandom: the library's persistent id. */
static int create__id(char out[PROTO_LIB_ID_LEN + 1])
{
	unsigned char raw[PROTO_LIB_ID_LEN / 2];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, raw, sizeof raw);
	close(fd);
	if (n != (ssize_t)sizeof raw)
		return -EIO;
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* The id and the generated cartridges <prefix>0001<media> up. */
static int create__fill(struct proto_libcfg *c, unsigned n_carts)
{
	int rc = create__id(c->id);
	if (rc)
		return rc;
	c->carts = calloc(n_carts ? n_carts : 1, sizeof *c->carts);
	if (!c->carts)
		return -ENOMEM;
	for (unsigned i = 0; i < n_carts; i++) {
		/* at most 7 + 4 + 3 characters (n_carts <= 4096): always a volume tag */
		snprintf(c->carts[i].barcode, sizeof c->carts[i].barcode, "%.7s%04u%.3s",
			 c->barcode_prefix, (i + 1) % 10000, c->media);
		c->carts[i].capacity = c->capacity;
	}
	c->n_carts = n_carts;
	return 0;
}

/* The transaction (file comment). 0 created, 1 a key exists, -1 with r set. */
static int create__txn(struct api *a, int64_t fence, const struct proto_libcfg *c,
		       const struct proto_owner *o, struct rpc_reply *r)
{
	char ck[PROTO_KEY_MAX], ok[PROTO_KEY_MAX], why[PROTO_REASON_MAX];
	char *cj = NULL, *oj = NULL;
	int rc = -1;
	if (proto_key_lib_config(ck, sizeof ck, a->prefix, c->name) ||
	    proto_key_lib_owner(ok, sizeof ok, a->prefix, c->name))
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot build the keys of '%s'", c->name);
	else if (proto_libcfg_encode(c, &cj, why, sizeof why) ||
		 proto_owner_encode(o, &oj, why, sizeof why))
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot encode library '%s': %s", c->name, why);
	else {
		struct etcd_cmp cmp[2] = {
			{.key = ck, .key_len = strlen(ck), .target = ETCD_CMP_VERSION, .number = 0},
			{.key = ok, .key_len = strlen(ok), .target = ETCD_CMP_VERSION, .number = 0}};
		struct etcd_op ops[2] = {
			{.type = ETCD_OP_PUT, .key = ck, .key_len = strlen(ck), .value = cj,
			 .value_len = strlen(cj)},
			{.type = ETCD_OP_PUT, .key = ok, .key_len = strlen(ok), .value = oj,
			 .value_len = strlen(oj)}};
		rc = api__txn(a, fence, cmp, 2, ops, 2, r);
	}
	free(cj);
	free(oj);
	return rc;
}

static void create__log(const struct proto_libcfg *c, const struct proto_owner *o)
{
	vtl_log(LOG_INFO, "MGR_LIB_CREATED", "lib=%s id=%s node=%s partner=%s epoch=%llu "
		"drives=%u slots=%u cartridges=%zu policy=%s", c->name, c->id, o->node,
		o->n_partners ? o->partners[0] : "-", (unsigned long long)o->epoch, c->drives,
		c->slots, c->n_carts, proto_policy_name(c->policy));
}

void api__op_lib_create(struct api *a, json_t *args, struct rpc_reply *r)
{
	struct api__create_req q;
	struct view v = {0};
	struct view_lib made = {0};
	int64_t fence;
	if (api__parse_create(args, &q, r) || !api__lead(a, &fence, r))
		return;
	int rc = view_load(a->etcd, a->prefix, VIEW_NODES | VIEW_DRAINS | VIEW_LIBS, &v);
	const struct view_lib *old = rc ? NULL : view_lib_find(&v, q.cfg.name);
	if (rc)
		api__etcd_fail(a, rc, r);
	else if (old)           /* the transaction decides; this only saves the placement */
		rpc_fail(r, PROTO_CTL_EXISTS, "library '%s' exists", q.cfg.name);
	else if ((rc = api__place(&v, q.node, q.cfg.policy, &made.owner)))
		api__place_fail(rc, q.node, q.cfg.policy, r);
	else if ((rc = create__fill(&q.cfg, q.n_carts)))
		rpc_fail(r, PROTO_CTL_INTERNAL, "cannot create the library id: %s", strerror(-rc));
	else if ((rc = create__txn(a, fence, &q.cfg, &made.owner, r)) == 1)
		rpc_fail(r, PROTO_CTL_EXISTS, "library '%s' exists", q.cfg.name);
	else if (rc == 0) {
		create__log(&q.cfg, &made.owner);
		snprintf(made.name, sizeof made.name, "%s", q.cfg.name);
		made.cfg = q.cfg;       /* borrowed for the entry; q.cfg keeps ownership */
		made.cfg_present = made.cfg_valid = made.owner_present = made.owner_valid = true;
		if (!(r->result = api__lib_entry(&made)))
			rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
	}
	view_fini(&v);
	proto_libcfg_fini(&q.cfg);
}
