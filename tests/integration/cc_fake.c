/* cc_fake.c - see cc_fake.h. */
#include "tests/integration/cc_fake.h"

#include <stdio.h>
#include <string.h>

static json_t *fake__lib(const char *name)
{
	return json_pack("{sssssos[s]sIsssisisisiss}", "name", name, "id",
			 "0123456789abcdef0123456789abcdef", "owner", json_string("node-1"),
			 "partners", "node-2", "epoch", (json_int_t)3, "state", "online", "drives", 2,
			 "slots", 20, "ie_slots", 4, "cartridges", 2, "policy", "mirrored");
}

static json_t *fake__show(const char *name, struct rpc_reply *r)
{
	if (strcmp(name, "L1") && strcmp(name, "Loff")) {
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist", name);
		return NULL;
	}
	json_t *l = fake__lib(name);
	json_t *cfg = json_loads(
		"{\"id\":\"0123456789abcdef0123456789abcdef\",\"drives\":2,\"slots\":20,"
		"\"ie_slots\":4,\"barcode_prefix\":\"VT\",\"media\":\"L8\",\"capacity\":4294967296,"
		"\"changer_vendor\":\"IBM\",\"changer_product\":\"03584L32\",\"changer_rev\":\"0100\","
		"\"drive_vendor\":\"IBM\",\"drive_product\":\"ULT3580-TD8\",\"drive_rev\":\"Q380\","
		"\"policy\":\"mirrored\",\"cartridges\":[{\"barcode\":\"VT0001L8\",\"capacity\":"
		"4294967296},{\"barcode\":\"VT0002L8\",\"capacity\":1048576}]}", 0, NULL);
	json_object_set_new(cfg, "name", json_string(name));
	json_object_set_new(l, "config", cfg);
	if (!strcmp(name, "Loff")) {
		json_object_set_new(l, "live", json_null());
		json_object_set_new(l, "live_error", json_string("node-1 unreachable"));
	} else {
		json_object_set_new(l, "live", json_pack(
			"{sssssi s[{sisisssb}{sisisnsb}] s[{sssisn}{sssisn}]}", "name", name, "node",
			"node-1", "epoch", 3, "drives", "lun", 1, "address", 256, "barcode", "VT0001L8",
			"loaded", 1, "lun", 2, "address", 257, "barcode", "loaded", 0, "elements",
			"type", "slot", "address", 1024, "barcode", "type", "ie", "address", 768,
			"barcode"));
	}
	return l;
}

static json_t *fake__nodes(void)
{
	return json_pack("{s[{sssssssssIsIsbsisi}]}", "nodes", "id", "node-1", "portal",
			 "127.0.0.1:3261", "peer", "tcp://127.0.0.1:4261", "version", "0.1.0",
			 "capacity_bytes", (json_int_t)1000000000000, "free_bytes",
			 (json_int_t)400000000000, "draining", 0, "owned", 1, "partner_of", 0);
}

static json_t *fake__answer(const char *op, json_t *args, struct rpc_reply *r)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	const char *lib = json_string_value(json_object_get(args, "library"));
	if (!strcmp(op, "status"))
		return json_pack("{ss}", "leader", "fake");
	if (!strcmp(op, "nodes.list"))
		return fake__nodes();
	if (!strcmp(op, "libraries.list")) {
		json_t *unplaced = fake__lib("L2");
		json_object_set_new(unplaced, "owner", json_null());
		json_object_set_new(unplaced, "state", json_string("unplaced"));
		return json_pack("{s[oo]}", "libraries", fake__lib("L1"), unplaced);
	}
	if (!strcmp(op, "library.show"))
		return fake__show(name ? name : "", r);
	if (!strcmp(op, "library.create"))
		return fake__lib(name ? name : "?");
	if (!strcmp(op, "library.delete")) {
		if (name && !strncmp(name, "E-", 2)) {
			rpc_fail(r, proto_ctl_err_parse(name + 2), "injected %s", name + 2);
			return NULL;
		}
		return json_pack("{sssb}", "name", name ? name : "?", "deleted", 1);
	}
	if (!strcmp(op, "node.drain") || !strcmp(op, "node.undrain"))
		return json_pack("{sOsb}", "node", json_object_get(args, "node"), "draining",
				 !strcmp(op, "node.drain"));
	if (!strcmp(op, "cartridges.add"))
		return json_pack("{sss[ss]}", "library", lib ? lib : "?", "added", "VT0011L8",
				 "VT0012L8");
	if (!strcmp(op, "cartridges.remove"))
		return json_pack("{sssO}", "library", lib ? lib : "?", "removed",
				 json_object_get(args, "barcodes"));
	rpc_fail(r, PROTO_CTL_UNKNOWN_OP, "unknown operation '%s'", op);
	return NULL;
}

static void fake__handle(void *arg, const char *op, json_t *args, struct rpc_reply *r)
{
	struct cc_fake *f = arg;
	pthread_mutex_lock(&f->lock);
	snprintf(f->last_op, sizeof f->last_op, "%s", op);
	json_decref(f->last_args);
	f->last_args = json_deep_copy(args);
	f->calls++;
	pthread_mutex_unlock(&f->lock);
	if (f->standby) {
		rpc_fail(r, PROTO_CTL_NOT_LEADER, "standby; the leader is mgr-1");
		return;
	}
	r->result = fake__answer(op, args, r);
}

int cc_fake_start(struct cc_fake *f, bool standby)
{
	memset(f, 0, sizeof *f);
	f->standby = standby;
	pthread_mutex_init(&f->lock, NULL);
	int rc = rpc_server_start("tcp://127.0.0.1:0", 2, fake__handle, f, &f->srv);
	if (!rc)
		snprintf(f->url, sizeof f->url, "tcp://127.0.0.1:%u", rpc_server_port(f->srv));
	return rc;
}

void cc_fake_stop(struct cc_fake *f)
{
	rpc_server_stop(f->srv);
	f->srv = NULL;
	json_decref(f->last_args);
	f->last_args = NULL;
	pthread_mutex_destroy(&f->lock);
}

json_t *cc_fake_last(struct cc_fake *f, char *op, size_t cap)
{
	pthread_mutex_lock(&f->lock);
	snprintf(op, cap, "%s", f->last_op);
	json_t *a = json_incref(f->last_args);
	pthread_mutex_unlock(&f->lock);
	return a;
}
