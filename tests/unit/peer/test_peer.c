/* node/peer over real nng: library.status of a real library on a real store answers what
 * the element map holds (drives, slots, I/E slots with barcodes), follows a move, and
 * unknown libraries, bad arguments and unknown operations get their error codes. The
 * library is borrowed through acquire/release, which the test counts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/rpc/rpc.h"
#include "node/lib/lib.h"
#include "node/peer/peer.h"
#include "node/store/store.h"
#include "tests/testutil.h"

static struct lib *the_lib;
static int held;

static struct lib *acquire(void *arg, const char *name, uint64_t *epoch)
{
	(void)arg;
	if (strcmp(name, the_lib->cfg.name))
		return NULL;
	__atomic_add_fetch(&held, 1, __ATOMIC_SEQ_CST);
	*epoch = 7;
	return the_lib;
}

static void release(void *arg, struct lib *lib)
{
	(void)arg;
	CHECK(lib == the_lib);
	__atomic_sub_fetch(&held, 1, __ATOMIC_SEQ_CST);
}

static json_t *status(const char *url, const char *name, enum proto_ctl_err *err, char *msg)
{
	json_t *args = json_pack("{s:s}", "name", name), *res = NULL;
	CHECK_EQ(rpc_call(url, "library.status", args, 3000, err, &res, msg, PROTO_CTL_MSG_MAX + 1), 0);
	json_decref(args);
	return res;
}

static const char *barcode_at(json_t *arr, int address)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
		if (json_integer_value(json_object_get(e, "address")) == address)
			return json_string_value(json_object_get(e, "barcode"));
	CHECK(!"no such element");
	return NULL;
}

int main(void)
{
	const char *dir = tu_tmpdir("peer");
	struct store *s = NULL;
	struct lib_config c;
	lib_config_defaults(&c, "L1");
	snprintf(c.target, sizeof c.target, "iqn.2026-11.io.vtl:L1");
	c.cartridges = 3;
	CHECK_EQ(store_open(dir, &s), 0);
	CHECK_EQ(lib_open(s, &c, &the_lib), 0);

	struct peer *p = NULL;
	struct peer_config pc = {.url = "tcp://127.0.0.1:0", .node_id = "node-1",
				 .acquire = acquire, .release = release};
	CHECK_EQ(peer_start(&pc, &p), 0);
	char url[64], msg[PROTO_CTL_MSG_MAX + 1];
	snprintf(url, sizeof url, "tcp://127.0.0.1:%u", peer_port(p));

	enum proto_ctl_err err;
	json_t *r = status(url, "L1", &err, msg);
	CHECK_EQ(err, PROTO_CTL_OK);
	CHECK(!strcmp(json_string_value(json_object_get(r, "name")), "L1"));
	CHECK(!strcmp(json_string_value(json_object_get(r, "node")), "node-1"));
	CHECK_EQ(json_integer_value(json_object_get(r, "epoch")), 7);
	json_t *drives = json_object_get(r, "drives"), *elems = json_object_get(r, "elements");
	CHECK_EQ(json_array_size(drives), 2);
	CHECK_EQ(json_array_size(elems), 4 + 20);       /* I/E slots and storage slots */
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(drives, 1), "lun")), 2);
	CHECK(barcode_at(drives, LIB_ADDR_DRIVE0) == NULL);
	CHECK(!strcmp(barcode_at(elems, LIB_ADDR_SLOT0), "VT0001L8"));
	CHECK(!strcmp(barcode_at(elems, LIB_ADDR_SLOT0 + 2), "VT0003L8"));
	CHECK(barcode_at(elems, LIB_ADDR_SLOT0 + 3) == NULL);
	CHECK(barcode_at(elems, LIB_ADDR_IE0) == NULL);
	json_decref(r);

	/* a move shows at once: slot 1 -> drive 1 */
	struct lib_lu *ch = lib_lu(the_lib, 0), *d1 = lib_lu(the_lib, 1);
	pthread_mutex_lock(&ch->lock);
	pthread_mutex_lock(&d1->lock);
	CHECK_EQ(lib_move(the_lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	pthread_mutex_unlock(&d1->lock);
	pthread_mutex_unlock(&ch->lock);
	r = status(url, "L1", &err, msg);
	CHECK(!strcmp(barcode_at(json_object_get(r, "drives"), LIB_ADDR_DRIVE0), "VT0001L8"));
	CHECK(json_is_true(json_object_get(json_array_get(json_object_get(r, "drives"), 0), "loaded")));
	CHECK(barcode_at(json_object_get(r, "elements"), LIB_ADDR_SLOT0) == NULL);
	json_decref(r);

	/* errors */
	CHECK(!status(url, "L2", &err, msg));
	CHECK_EQ(err, PROTO_CTL_NOT_FOUND);
	CHECK(!strcmp(msg, "library 'L2' is not served by node node-1"));
	CHECK(!status(url, "bad/name", &err, msg));
	CHECK_EQ(err, PROTO_CTL_INVALID);
	json_t *res = NULL;
	CHECK_EQ(rpc_call(url, "library.status", NULL, 3000, &err, &res, msg, sizeof msg), 0);
	CHECK_EQ(err, PROTO_CTL_INVALID);
	CHECK_EQ(rpc_call(url, "scsi.exec", NULL, 3000, &err, &res, msg, sizeof msg), 0);
	CHECK_EQ(err, PROTO_CTL_UNKNOWN_OP);
	CHECK_EQ(held, 0);

	peer_stop(p);
	lib_close(the_lib);
	store_close(s);
	tu_rmtree(dir);
	return 0;
}
