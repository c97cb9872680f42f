/* peer.c - the node's peer endpoint (peer.h). */
#include "node/peer/peer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/rpc/rpc.h"
#include "node/lib/lib.h"
#include "proto/keys.h"

#define PEER__WORKERS 4

struct peer {
	struct peer_config cfg;
	char node_id[PROTO_NAME_MAX + 1];
	struct rpc_server *srv;
};

static const char *peer__elem_type(uint8_t type)
{
	switch (type) {
	case LIB_ELEM_TRANSPORT: return "transport";
	case LIB_ELEM_STORAGE: return "slot";
	case LIB_ELEM_IE: return "ie";
	default: return "drive";
	}
}

static json_t *peer__barcode(const struct lib *lib, const struct lib_elem *e)
{
	const struct lib_cart *c = lib_cart_at(lib, e);
	return c ? json_string(c->barcode) : json_null();
}

/* Caller holds the changer lock. */
static int peer__fill(struct lib *lib, json_t *drives, json_t *elems)
{
	for (size_t i = 0; i < lib->n_elems; i++) {
		const struct lib_elem *e = &lib->elems[i];
		json_t *o;
		if (e->type == LIB_ELEM_TRANSPORT)
			continue;
		if (e->type == LIB_ELEM_DRIVE) {
			size_t d = (size_t)(e->addr - LIB_ADDR_DRIVE0);
			/* `loaded` is drive state guarded by the drive's lock: a racy read is
			 * fine for a status report, so it is read once, unlocked */
			o = json_pack("{s:I, s:i, s:o, s:b}", "lun", (json_int_t)(d + 1),
				      "address", e->addr, "barcode", peer__barcode(lib, e),
				      "loaded", __atomic_load_n(&lib->drives[d].loaded, __ATOMIC_RELAXED));
			if (json_array_append_new(drives, o))
				return -ENOMEM;
		} else {
			o = json_pack("{s:s, s:i, s:o}", "type", peer__elem_type(e->type),
				      "address", e->addr, "barcode", peer__barcode(lib, e));
			if (json_array_append_new(elems, o))
				return -ENOMEM;
		}
	}
	return 0;
}

json_t *peer_lib_status(struct lib *lib, const char *node_id, uint64_t epoch)
{
	json_t *drives = json_array(), *elems = json_array();
	int rc = drives && elems ? 0 : -ENOMEM;
	if (!rc) {
		struct lib_lu *changer = lib_lu(lib, 0);
		pthread_mutex_lock(&changer->lock);
		rc = peer__fill(lib, drives, elems);
		pthread_mutex_unlock(&changer->lock);
	}
	if (rc) {
		json_decref(drives);
		json_decref(elems);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:I, s:o, s:o}", "name", lib->cfg.name, "node", node_id,
			 "epoch", (json_int_t)epoch, "drives", drives, "elements", elems);
}

static void peer__status(struct peer *p, json_t *args, struct rpc_reply *r)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	if (!name || !proto_name_valid(name)) {
		rpc_fail(r, PROTO_CTL_INVALID, "member 'name': a library name is required");
		return;
	}
	uint64_t epoch = 0;
	struct lib *lib = p->cfg.acquire(p->cfg.arg, name, &epoch);
	if (!lib) {
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' is not served by node %s", name,
			 p->node_id);
		return;
	}
	r->result = peer_lib_status(lib, p->node_id, epoch);
	p->cfg.release(p->cfg.arg, lib);
	if (!r->result)
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
}

static void peer__handle(void *arg, const char *op, json_t *args, struct rpc_reply *r)
{
	struct peer *p = arg;
	if (!strcmp(op, "library.status"))
		peer__status(p, args, r);
	else
		rpc_fail(r, PROTO_CTL_UNKNOWN_OP, "node %s does not know operation '%s'", p->node_id, op);
}

int peer_start(const struct peer_config *cfg, struct peer **out)
{
	*out = NULL;
	if (!cfg->url || !cfg->acquire || !cfg->release || !proto_name_valid(cfg->node_id))
		return -EINVAL;
	struct peer *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	snprintf(p->node_id, sizeof p->node_id, "%s", cfg->node_id);
	p->cfg.node_id = p->node_id;
	p->cfg.url = NULL;      /* not kept: rpc copies what it needs */
	int rc = rpc_server_start(cfg->url, PEER__WORKERS, peer__handle, p, &p->srv);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

uint16_t peer_port(const struct peer *p)
{
	return rpc_server_port(p->srv);
}

void peer_stop(struct peer *p)
{
	if (!p)
		return;
	rpc_server_stop(p->srv);
	free(p);
}
