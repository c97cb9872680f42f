/* vtl-manager end to end (docs/control-api.md, issue 3): two managers on a private etcd
 * (127.0.0.1:24220, peer 24221), nodes faked by writing their records into etcd on a
 * lease, and a fake peer endpoint (an rpc server in this process) answering
 * library.status for node n1; n2's peer refuses connections, n3's accepts and never
 * answers.
 *
 *  - exactly one leader; the standby answers not_leader naming it;
 *  - every operation over rpc_call against the leader, with exact error codes;
 *  - malformed JSON under libraries/, nodes/, drain/: ETCD_BAD_VALUE, still answering;
 *  - kill -9 of the leader while creates are in flight: the standby answers within the
 *    TTL + 1 s, every create is complete or absent (both keys or neither), and the new
 *    leader places a hand-made library without owner (MGR_RESUME);
 *  - etcd killed: the leader steps down, both managers answer etcd_unavailable; etcd
 *    back: one leader again;
 *  - SIGTERM of the leader: the standby takes over at once (lease revoked). */
#include "common/etcd/etcd.h"
#include "common/rpc/rpc.h"
#include "proto/records.h"
#include "tests/integration/etcdproc.h"
#include "tests/integration/mgrproc.h"
#include "tests/testutil.h"

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETCD_PORT 24220
#define ETCD_URL "http://127.0.0.1:24220"
#define TTL 3

static struct etcdproc etcd_srv;
static struct etcd *ec;
static char msg[PROTO_CTL_MSG_MAX + 1];         /* message of the last call */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void etcd_kill(void)
{
	etcdproc_stop(&etcd_srv);
}

/* ---- calls ------------------------------------------------------------------------ */

/* op with args (JSON text) against url; the reply must carry `want`. Returns the result
 * (caller decrefs) when want is OK. */
static json_t *call_at(int line, const char *url, const char *op, const char *args,
		       enum proto_ctl_err want)
{
	json_t *a = json_loads(args, 0, NULL), *res = NULL;
	enum proto_ctl_err err;
	if (!a) {
		fprintf(stderr, "line %d: bad test JSON %s\n", line, args);
		exit(1);
	}
	int rc = rpc_call(url, op, a, 8000, &err, &res, msg, sizeof msg);
	json_decref(a);
	if (rc || err != want) {
		fprintf(stderr, "line %d: %s %s -> rc %d %s \"%s\", want %s\n", line, op, args, rc,
			proto_ctl_err_name(err), msg, proto_ctl_err_name(want));
		exit(1);
	}
	return res;
}
#define CALL(url, op, args, want) call_at(__LINE__, url, op, args, want)
#define CALL_OK(url, op, args) call_at(__LINE__, url, op, args, PROTO_CTL_OK)
#define MSG_HAS(s) CHECK(strstr(msg, s) != NULL)

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* ---- etcd ------------------------------------------------------------------------- */

static void put(const char *key, const char *value, int64_t lease)
{
	CHECK_EQ(etcd_put(ec, key, strlen(key), value, strlen(value), lease, NULL), 0);
}

/* Bit 0: libraries/<lib>/config exists, bit 1: libraries/<lib>/owner. */
static int lib_keys(const char *lib)
{
	char key[PROTO_KEY_MAX];
	struct etcd_kvs kvs;
	int bits = 0;
	snprintf(key, sizeof key, "/vtl/libraries/%s/", lib);
	CHECK_EQ(etcd_range(ec, key, strlen(key), &kvs), 0);
	for (size_t i = 0; i < kvs.n; i++)
		bits |= strstr((char *)kvs.kv[i].key, "/config") ? 1 : 2;
	etcd_kvs_free(&kvs);
	return bits;
}

static void put_node(const char *id, unsigned long long free_bytes, const char *peer,
		     int64_t lease)
{
	char key[128], val[512];
	snprintf(key, sizeof key, "/vtl/nodes/%s", id);
	snprintf(val, sizeof val, "{\"id\":\"%s\",\"portal\":\"127.0.0.1:3260\",\"peer\":\"%s\","
		 "\"version\":\"0.1.0\",\"capacity_bytes\":1000000,\"free_bytes\":%llu,"
		 "\"draining\":false}", id, peer, free_bytes);
	put(key, val, lease);
}

/* The id in manager/leader, "" when absent. */
static void leader_id(char out[PROTO_NAME_MAX + 1])
{
	struct etcd_kvs kvs;
	struct proto_leader l = {0};
	char why[PROTO_REASON_MAX];
	CHECK_EQ(etcd_get(ec, "/vtl/manager/leader", 19, &kvs), 0);
	if (kvs.n)
		CHECK_EQ(proto_leader_decode(kvs.kv[0].value, kvs.kv[0].value_len, &l, why, sizeof why), 0);
	snprintf(out, PROTO_NAME_MAX + 1, "%s", l.id);
	etcd_kvs_free(&kvs);
}

/* ---- a fake node peer endpoint ---------------------------------------------------- */

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char fake_lib[64];
static char fake_status[2048];

static void fake_handler(void *arg, const char *op, json_t *args, struct rpc_reply *r)
{
	(void)arg;
	const char *name = json_string_value(json_object_get(args, "name"));
	pthread_mutex_lock(&fake_lock);
	if (strcmp(op, "library.status") || !name || strcmp(name, fake_lib))
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' is not served by node n1", name ? name : "");
	else
		r->result = json_loads(fake_status, 0, NULL);
	pthread_mutex_unlock(&fake_lock);
}

/* n1 serves lib: drive 1 holds `drive` (NULL: empty), the I/E slot `ie`, a slot `slot`. */
static void fake_serve(const char *lib, const char *drive, const char *ie, const char *slot)
{
	char d[32], i[32], s[32];
	snprintf(d, sizeof d, drive ? "\"%s\"" : "null", drive);
	snprintf(i, sizeof i, ie ? "\"%s\"" : "null", ie);
	snprintf(s, sizeof s, slot ? "\"%s\"" : "null", slot);
	pthread_mutex_lock(&fake_lock);
	snprintf(fake_lib, sizeof fake_lib, "%s", lib);
	snprintf(fake_status, sizeof fake_status, "{\"name\":\"%s\",\"node\":\"n1\",\"epoch\":1,"
		 "\"drives\":[{\"lun\":1,\"address\":256,\"barcode\":%s,\"loaded\":%s}],"
		 "\"elements\":[{\"type\":\"ie\",\"address\":768,\"barcode\":%s},"
		 "{\"type\":\"slot\",\"address\":1024,\"barcode\":%s}]}", lib, d,
		 drive ? "true" : "false", i, s);
	pthread_mutex_unlock(&fake_lock);
}

/* A TCP listener that never accepts: a peer that connects and never answers. */
static int silent_listener(char *url, size_t cap)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	CHECK_EQ(listen(fd, 8), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, cap, "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	return fd;
}

/* ---- scenarios -------------------------------------------------------------------- */

static void t_election(struct mgrproc *m1, struct mgrproc *m2)
{
	char id[PROTO_NAME_MAX + 1];
	CHECK_EQ(mgrproc_start(m1), 0);
	CHECK(mgrproc_wait_log(m1, "MGR_LEADER node=m1 id=m1", 5000));
	CHECK_EQ(mgrproc_start(m2), 0);
	CHECK(mgrproc_wait_log(m2, "MGR_STANDBY node=m2 leader=m1", 5000));
	sleep_ms(300);
	CHECK(!mgrproc_log_has(m2, "MGR_LEADER"));
	leader_id(id);
	CHECK(!strcmp(id, "m1"));
	CALL(m2->control, "status", "{}", PROTO_CTL_NOT_LEADER);
	MSG_HAS("the leader is m1");
	CALL(m2->control, "library.create", "{\"name\":\"X\"}", PROTO_CTL_NOT_LEADER);
	CALL(m1->control, "library.frobnicate", "{}", PROTO_CTL_UNKNOWN_OP);
	json_t *s = CALL_OK(m1->control, "status", "{}");
	CHECK(!strcmp(str(s, "leader"), "m1") && !strcmp(str(s, "control"), m1->control));
	CHECK(num(s, "revision") > 0);
	json_decref(s);
	/* no nodes yet */
	CALL(m1->control, "library.create", "{\"name\":\"L1\"}", PROTO_CTL_NO_PLACEMENT);
	CHECK_EQ(lib_keys("L1"), 0);
}

/* The records in etcd after creating L1 (owner n2, partner n3, 10 cartridges). */
static void check_l1_records(const char *id)
{
	struct etcd_kvs kvs;
	struct proto_libcfg cfg;
	struct proto_owner o;
	char why[PROTO_REASON_MAX];
	CHECK_EQ(etcd_get(ec, "/vtl/libraries/L1/config", 24, &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK_EQ(proto_libcfg_decode(kvs.kv[0].value, kvs.kv[0].value_len, &cfg, why, sizeof why), 0);
	CHECK(!strcmp(cfg.id, id) && cfg.n_carts == 10 && cfg.drives == 2 && cfg.slots == 20);
	CHECK(!strcmp(cfg.carts[0].barcode, "VT0001L8") && !strcmp(cfg.carts[9].barcode, "VT0010L8"));
	CHECK(cfg.carts[0].capacity == UINT64_C(4294967296));
	proto_libcfg_fini(&cfg);
	etcd_kvs_free(&kvs);
	CHECK_EQ(etcd_get(ec, "/vtl/libraries/L1/owner", 23, &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK_EQ(proto_owner_decode(kvs.kv[0].value, kvs.kv[0].value_len, &o, why, sizeof why), 0);
	CHECK(!strcmp(o.node, "n2") && o.epoch == 1 && o.state == PROTO_OWNER_ONLINE);
	CHECK(o.n_partners == 1 && !strcmp(o.partners[0], "n3"));
	etcd_kvs_free(&kvs);
}

static void t_create(const char *url)
{
	/* n1 free 100, n2 free 300, n3 free 200: equal owned counts, most free bytes wins */
	json_t *l = CALL_OK(url, "library.create", "{\"name\":\"L1\"}");
	CHECK(!strcmp(str(l, "name"), "L1") && !strcmp(str(l, "owner"), "n2"));
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(l, "partners"), 0)), "n3"));
	CHECK(num(l, "epoch") == 1 && !strcmp(str(l, "state"), "online") && num(l, "drives") == 2);
	CHECK(num(l, "slots") == 20 && num(l, "ie_slots") == 4 && num(l, "cartridges") == 10);
	CHECK(!strcmp(str(l, "policy"), "mirrored") && strlen(str(l, "id")) == 32);
	CHECK_EQ(lib_keys("L1"), 3);
	check_l1_records(str(l, "id"));
	json_decref(l);
	CALL(url, "library.create", "{\"name\":\"L1\",\"drives\":1}", PROTO_CTL_EXISTS);
	CALL(url, "library.create", "{\"name\":\"LX\",\"node\":\"n9\"}", PROTO_CTL_NODE_DOWN);
	CALL(url, "library.create", "{\"name\":\"LX\",\"drives\":99}", PROTO_CTL_INVALID);
	MSG_HAS("member 'drives'");
	CHECK_EQ(lib_keys("LX"), 0);
	l = CALL_OK(url, "library.create", "{\"name\":\"L2\",\"policy\":\"single\",\"node\":\"n1\"}");
	CHECK(!strcmp(str(l, "owner"), "n1") && json_array_size(json_object_get(l, "partners")) == 0);
	json_decref(l);
}

static void t_drain(const char *url)
{
	json_t *r = CALL_OK(url, "node.drain", "{\"node\":\"n3\"}");
	CHECK(!strcmp(str(r, "node"), "n3") && json_is_true(json_object_get(r, "draining")));
	json_decref(r);
	json_decref(CALL_OK(url, "node.drain", "{\"node\":\"n3\"}"));     /* idempotent */
	json_decref(CALL_OK(url, "node.drain", "{\"node\":\"n9\"}"));     /* not registered */
	r = CALL_OK(url, "nodes.list", "{}");
	json_t *ns = json_object_get(r, "nodes");
	CHECK_EQ(json_array_size(ns), 3);
	json_t *n1 = json_array_get(ns, 0), *n2 = json_array_get(ns, 1), *n3 = json_array_get(ns, 2);
	CHECK(!strcmp(str(n1, "id"), "n1") && !strcmp(str(n2, "id"), "n2") && !strcmp(str(n3, "id"), "n3"));
	CHECK(json_is_true(json_object_get(n3, "draining")) && json_is_false(json_object_get(n1, "draining")));
	CHECK(num(n1, "owned") == 1 && num(n2, "owned") == 1 && num(n3, "owned") == 0);
	CHECK(num(n3, "partner_of") == 1 && num(n2, "free_bytes") == 300);
	CHECK(!strcmp(str(n1, "version"), "0.1.0") && num(n1, "capacity_bytes") == 1000000);
	json_decref(r);
	/* n3 drained: L3 goes to n2 (more free bytes than n1), partner n1 */
	r = CALL_OK(url, "library.create", "{\"name\":\"L3\"}");
	CHECK(!strcmp(str(r, "owner"), "n2"));
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(r, "partners"), 0)), "n1"));
	json_decref(r);
	CALL(url, "library.create", "{\"name\":\"LX\",\"node\":\"n3\"}", PROTO_CTL_NO_PLACEMENT);
	MSG_HAS("draining");
	r = CALL_OK(url, "node.undrain", "{\"node\":\"n3\"}");
	CHECK(json_is_false(json_object_get(r, "draining")));
	json_decref(r);
	json_decref(CALL_OK(url, "node.undrain", "{\"node\":\"n9\"}"));
	r = CALL_OK(url, "status", "{}");
	json_t *nodes = json_object_get(r, "nodes"), *libs = json_object_get(r, "libraries");
	CHECK(num(nodes, "live") == 3 && num(nodes, "draining") == 0);
	CHECK(num(libs, "total") == 3 && num(libs, "online") == 3 && num(libs, "unplaced") == 0);
	json_decref(r);
}

static void t_list_show(const char *url)
{
	json_t *r = CALL_OK(url, "libraries.list", "{}");
	json_t *ls = json_object_get(r, "libraries");
	CHECK_EQ(json_array_size(ls), 3);
	CHECK(!strcmp(str(json_array_get(ls, 0), "name"), "L1"));
	CHECK(!strcmp(str(json_array_get(ls, 2), "name"), "L3"));
	json_decref(r);
	fake_serve("L2", NULL, NULL, "VT0001L8");
	r = CALL_OK(url, "library.show", "{\"name\":\"L2\"}");
	json_t *live = json_object_get(r, "live"), *cfg = json_object_get(r, "config");
	CHECK(!strcmp(str(live, "name"), "L2") && !strcmp(str(live, "node"), "n1"));
	CHECK(!strcmp(str(cfg, "id"), str(r, "id")) && !strcmp(str(cfg, "policy"), "single"));
	CHECK_EQ(json_array_size(json_object_get(cfg, "cartridges")), 10);
	CHECK(!json_object_get(r, "live_error"));
	json_decref(r);
	r = CALL_OK(url, "library.show", "{\"name\":\"L1\"}");
	CHECK(json_is_null(json_object_get(r, "live")));
	CHECK(strstr(str(r, "live_error"), "owner n2 unreachable") != NULL);
	json_decref(r);
	CALL(url, "library.show", "{\"name\":\"L9\"}", PROTO_CTL_NOT_FOUND);
	CALL(url, "library.show", "{}", PROTO_CTL_INVALID);
	MSG_HAS("member 'name'");
}

static json_t *barcodes_of(const char *url, const char *lib)
{
	char args[96];
	snprintf(args, sizeof args, "{\"name\":\"%s\"}", lib);
	json_t *r = CALL_OK(url, "library.show", args);
	json_t *out = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(r, "config"), "cartridges"), i, c)
		json_array_append(out, json_object_get(c, "barcode"));
	json_decref(r);
	return out;
}

static bool has_barcode(json_t *arr, const char *bc)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), bc))
			return true;
	return false;
}

static void t_carts(const char *url)
{
	json_t *r = CALL_OK(url, "cartridges.add", "{\"library\":\"L2\",\"count\":2}");
	json_t *added = json_object_get(r, "added");
	CHECK(!strcmp(str(r, "library"), "L2") && json_array_size(added) == 2);
	CHECK(!strcmp(json_string_value(json_array_get(added, 0)), "VT0011L8"));
	CHECK(!strcmp(json_string_value(json_array_get(added, 1)), "VT0012L8"));
	json_decref(r);
	CALL(url, "cartridges.add", "{\"library\":\"L2\",\"barcodes\":[\"VT0001L8\"]}", PROTO_CTL_EXISTS);
	json_decref(CALL_OK(url, "cartridges.add",
			    "{\"library\":\"L2\",\"barcodes\":[\"CUSTOM1\"],\"capacity\":1048576}"));
	CALL(url, "cartridges.add", "{\"library\":\"L2\",\"count\":8}", PROTO_CTL_INVALID);
	MSG_HAS("member 'count'");
	CALL(url, "cartridges.add", "{\"library\":\"L9\",\"count\":1}", PROTO_CTL_NOT_FOUND);

	/* n1 says: VT0002L8 in drive 1, VT0011L8 in the I/E slot, VT0001L8 in a slot */
	fake_serve("L2", "VT0002L8", "VT0011L8", "VT0001L8");
	r = CALL_OK(url, "cartridges.remove", "{\"library\":\"L2\",\"barcodes\":[\"VT0011L8\"]}");
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(r, "removed"), 0)), "VT0011L8"));
	json_decref(r);
	CALL(url, "cartridges.remove", "{\"library\":\"L2\",\"barcodes\":[\"VT0001L8\"]}", PROTO_CTL_BUSY);
	MSG_HAS("import/export");
	json_decref(CALL_OK(url, "cartridges.remove",
			    "{\"library\":\"L2\",\"barcodes\":[\"VT0001L8\"],\"force\":true}"));
	CALL(url, "cartridges.remove", "{\"library\":\"L2\",\"barcodes\":[\"VT0002L8\"],\"force\":true}",
	     PROTO_CTL_BUSY);
	MSG_HAS("drive 1");
	CALL(url, "cartridges.remove", "{\"library\":\"L2\",\"barcodes\":[\"VT9999L8\"]}", PROTO_CTL_NOT_FOUND);
	json_t *bcs = barcodes_of(url, "L2");
	CHECK_EQ(json_array_size(bcs), 11);
	CHECK(!has_barcode(bcs, "VT0011L8") && !has_barcode(bcs, "VT0001L8"));
	CHECK(has_barcode(bcs, "VT0002L8") && has_barcode(bcs, "CUSTOM1") && has_barcode(bcs, "VT0012L8"));
	json_decref(bcs);
	/* the next generated number follows the highest, not the gap */
	r = CALL_OK(url, "cartridges.add", "{\"library\":\"L2\",\"count\":1}");
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(r, "added"), 0)), "VT0013L8"));
	json_decref(r);

	/* owner n2 refuses connections: busy unless force */
	CALL(url, "cartridges.remove", "{\"library\":\"L1\",\"barcodes\":[\"VT0001L8\"]}", PROTO_CTL_BUSY);
	MSG_HAS("unreachable");
	json_decref(CALL_OK(url, "cartridges.remove",
			    "{\"library\":\"L1\",\"barcodes\":[\"VT0001L8\"],\"force\":true}"));
	/* owner n3 accepts and never answers: busy after the peer timeout */
	json_decref(CALL_OK(url, "library.create", "{\"name\":\"L5\",\"node\":\"n3\",\"policy\":\"single\"}"));
	/* rpc_call's dial waits for nng's 10 s handshake timeout whatever timeout_ms says
	 * (reported to the lead), so this bound is 10 s, not the manager's 2 s */
	int64_t t0 = now_ms();
	enum proto_ctl_err err;
	json_t *a = json_pack("{s:s, s:[s]}", "library", "L5", "barcodes", "VT0001L8");
	CHECK_EQ(rpc_call(url, "cartridges.remove", a, 15000, &err, NULL, msg, sizeof msg), 0);
	json_decref(a);
	CHECK_EQ(err, PROTO_CTL_BUSY);
	fprintf(stderr, "silent owner: busy after %lld ms\n", (long long)(now_ms() - t0));
	CHECK(now_ms() - t0 < 12000);
}

static void t_delete(const char *url)
{
	fake_serve("L2", "VT0002L8", NULL, NULL);
	CALL(url, "library.delete", "{\"name\":\"L2\"}", PROTO_CTL_BUSY);
	MSG_HAS("drive 1");
	CHECK_EQ(lib_keys("L2"), 3);
	fake_serve("L2", NULL, NULL, NULL);
	json_t *r = CALL_OK(url, "library.delete", "{\"name\":\"L2\"}");
	CHECK(!strcmp(str(r, "name"), "L2") && json_is_true(json_object_get(r, "deleted")));
	json_decref(r);
	CHECK_EQ(lib_keys("L2"), 0);
	CALL(url, "library.delete", "{\"name\":\"L2\"}", PROTO_CTL_NOT_FOUND);
	CALL(url, "library.delete", "{\"name\":\"L1\"}", PROTO_CTL_BUSY);
	MSG_HAS("use --force");
	CHECK_EQ(lib_keys("L1"), 3);
	json_decref(CALL_OK(url, "library.delete", "{\"name\":\"L1\",\"force\":true}"));
	CHECK_EQ(lib_keys("L1"), 0);
	json_decref(CALL_OK(url, "library.delete", "{\"name\":\"L5\",\"force\":true}"));
	/* an owner that answers not_found serves nothing of it: no drive can hold a tape */
	json_decref(CALL_OK(url, "library.create", "{\"name\":\"L4\",\"node\":\"n1\",\"policy\":\"single\"}"));
	json_decref(CALL_OK(url, "library.delete", "{\"name\":\"L4\"}"));
	CHECK_EQ(lib_keys("L4"), 0);
}

/* Hand-written garbage under the prefix: logged, skipped, the manager keeps answering. */
static void t_bad_values(const char *url, const struct mgrproc *m)
{
	put("/vtl/libraries/BADL/config", "{\"name\":\"BADL\",", 0);
	put("/vtl/libraries/BADL/owner", "[1,2", 0);
	json_t *r = CALL_OK(url, "libraries.list", "{}");
	CHECK_EQ(json_array_size(json_object_get(r, "libraries")), 1);       /* L3 only */
	json_decref(r);
	put("/vtl/nodes/nbad", "{\"id\":\"nbad\"}", 0);
	put("/vtl/drain/ndr", "\xff\xfe garbage", 0);
	put("/vtl/libraries/L3/config-x", "not ours", 0);
	r = CALL_OK(url, "nodes.list", "{}");
	CHECK_EQ(json_array_size(json_object_get(r, "nodes")), 3);
	json_decref(r);
	json_decref(CALL_OK(url, "status", "{}"));
	CALL(url, "library.show", "{\"name\":\"BADL\"}", PROTO_CTL_INTERNAL);
	MSG_HAS("invalid");
	CALL(url, "library.create", "{\"name\":\"BADL\"}", PROTO_CTL_EXISTS);
	CHECK(mgrproc_wait_log(m, "ETCD_BAD_VALUE node=m1 key=/vtl/libraries/BADL/config", 2000));
	CHECK(mgrproc_log_has(m, "ETCD_BAD_VALUE node=m1 key=/vtl/libraries/BADL/owner"));
	CHECK(mgrproc_log_has(m, "ETCD_BAD_VALUE node=m1 key=/vtl/nodes/nbad"));
	CHECK(mgrproc_log_has(m, "ETCD_BAD_VALUE node=m1 key=/vtl/drain/ndr"));
	CHECK(!mgrproc_log_has(m, "config-x"));
	CALL(url, "library.delete", "{\"name\":\"BADL\"}", PROTO_CTL_BUSY);
	json_decref(CALL_OK(url, "library.delete", "{\"name\":\"BADL\",\"force\":true}"));
	CHECK_EQ(lib_keys("BADL"), 0);
}

/* ---- failover --------------------------------------------------------------------- */

struct race {
	const char *url;
	int tried;              /* creates R0..R<tried-1> were sent */
	int created;
};

/* Creates R0, R1, ... against the leader until the connection fails (it was killed). */
static void *race_main(void *arg)
{
	struct race *rc = arg;
	for (int i = 0; i < 2000; i++) {
		char args[128];
		enum proto_ctl_err err;
		snprintf(args, sizeof args, "{\"name\":\"R%d\",\"policy\":\"single\",\"slots\":2,"
			 "\"cartridges\":1}", i);
		json_t *a = json_loads(args, 0, NULL);
		rc->tried = i + 1;
		int r = rpc_call(rc->url, "library.create", a, 3000, &err, NULL, NULL, 0);
		json_decref(a);
		if (r)
			break;
		rc->created += err == PROTO_CTL_OK;
	}
	return NULL;
}

/* A hand-made library config without an owner record, and an unfinished migration:
 * what a new leader must resume. */
static void put_resume_work(void)
{
	struct proto_libcfg c = {.name = "ORPH", .id = "0123456789abcdef0123456789abcdef",
				 .drives = 1, .slots = 4, .ie_slots = 1, .barcode_prefix = "OR",
				 .media = "L8", .capacity = 1 << 20, .changer_vendor = "IBM",
				 .changer_product = "X", .changer_rev = "1", .drive_vendor = "IBM",
				 .drive_product = "Y", .drive_rev = "1", .policy = PROTO_POLICY_MIRRORED};
	struct proto_mig m = {.id = "m-1", .library = "L3", .source = "n2", .destination = "n3",
			      .phase = PROTO_MIG_COPYING, .requested_at = 1, .updated_at = 2};
	char *json = NULL, why[PROTO_REASON_MAX];
	CHECK_EQ(proto_libcfg_encode(&c, &json, why, sizeof why), 0);
	put("/vtl/libraries/ORPH/config", json, 0);
	free(json);
	CHECK_EQ(proto_mig_encode(&m, &json, why, sizeof why), 0);
	put("/vtl/migrations/m-1", json, 0);
	free(json);
	put("/vtl/migrations/mbad", "{}", 0);
}

/* kill -9 of the leader m1 while creates are in flight; m2 must answer within TTL + 1 s
 * and every create be complete or absent. */
static void t_failover(struct mgrproc *m1, struct mgrproc *m2)
{
	put_resume_work();
	struct race rc = {.url = m1->control};
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, race_main, &rc), 0);
	sleep_ms(300);
	CHECK_EQ(mgrproc_stop(m1, SIGKILL), 0);
	int64_t t0 = now_ms();
	pthread_join(th, NULL);
	enum proto_ctl_err err = PROTO_CTL_INTERNAL;
	json_t *res = NULL;
	while (err != PROTO_CTL_OK && now_ms() - t0 < (TTL + 1) * 1000) {
		json_decref(res);
		res = NULL;
		rpc_call(m2->control, "status", NULL, 1000, &err, &res, msg, sizeof msg);
		if (err != PROTO_CTL_OK)
			sleep_ms(50);
	}
	int64_t took = now_ms() - t0;
	fprintf(stderr, "failover: m2 answered after %lld ms (TTL %d s); %d creates sent, %d ok\n",
		(long long)took, TTL, rc.tried, rc.created);
	CHECK_EQ(err, PROTO_CTL_OK);
	CHECK(!strcmp(str(res, "leader"), "m2"));
	json_decref(res);
	CHECK(rc.created > 0);
	int complete = 0;
	for (int i = 0; i < rc.tried; i++) {
		char name[16];
		snprintf(name, sizeof name, "R%d", i);
		int k = lib_keys(name);
		if (k != 0 && k != 3) {
			fprintf(stderr, "library %s is half-made (keys %d)\n", name, k);
			exit(1);
		}
		complete += k == 3;
	}
	CHECK(complete >= rc.created);
	/* resumed by the new leader */
	CHECK(mgrproc_wait_log(m2, "MGR_RESUME node=m2 lib=ORPH action=placed", 2000));
	CHECK(mgrproc_log_has(m2, "MGR_RESUME node=m2 migration=m-1 lib=L3 phase=copying"));
	CHECK(mgrproc_log_has(m2, "ETCD_BAD_VALUE node=m2 key=/vtl/migrations/mbad"));
	CHECK_EQ(lib_keys("ORPH"), 3);
	/* the old leader comes back as a standby */
	CHECK_EQ(mgrproc_start(m1), 0);
	CHECK(mgrproc_wait_log(m1, "MGR_STANDBY node=m1 leader=m2", 5000));
	CALL(m1->control, "libraries.list", "{}", PROTO_CTL_NOT_LEADER);
	MSG_HAS("the leader is m2");
}

/* etcd dies: the leader steps down and both answer etcd_unavailable; etcd comes back:
 * one leader again. */
static void t_etcd_outage(struct mgrproc *m1, struct mgrproc *m2)
{
	etcd_kill();
	CHECK(mgrproc_wait_log(m2, "MGR_STEP_DOWN node=m2 reason=lease_failing", TTL * 1000 + 2000));
	CHECK(mgrproc_wait_log(m1, "MGR_ETCD_UNAVAILABLE", 4000));
	CALL(m2->control, "status", "{}", PROTO_CTL_ETCD);
	CALL(m1->control, "library.create", "{\"name\":\"LZ\"}", PROTO_CTL_ETCD);
	CALL(m2->control, "libraries.list", "{}", PROTO_CTL_ETCD);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	int64_t t0 = now_ms();
	const char *leader = NULL;
	while (!leader && now_ms() - t0 < (TTL + 5) * 1000) {
		enum proto_ctl_err e1 = PROTO_CTL_INTERNAL, e2 = PROTO_CTL_INTERNAL;
		rpc_call(m1->control, "status", NULL, 1000, &e1, NULL, NULL, 0);
		rpc_call(m2->control, "status", NULL, 1000, &e2, NULL, NULL, 0);
		CHECK(!(e1 == PROTO_CTL_OK && e2 == PROTO_CTL_OK));
		leader = e1 == PROTO_CTL_OK ? "m1" : e2 == PROTO_CTL_OK ? "m2" : NULL;
		if (!leader)
			sleep_ms(100);
	}
	CHECK(leader != NULL);
	fprintf(stderr, "etcd back: %s leads after %lld ms\n", leader, (long long)(now_ms() - t0));
	CHECK(mgrproc_wait_log(m1, "MGR_ETCD_OK", 3000) && mgrproc_wait_log(m2, "MGR_ETCD_OK", 3000));
	/* the cluster state survived: L3 and ORPH are there */
	json_t *r = CALL_OK(!strcmp(leader, "m1") ? m1->control : m2->control, "libraries.list", "{}");
	CHECK(json_array_size(json_object_get(r, "libraries")) >= 2);
	json_decref(r);
}

/* SIGTERM: the leader revokes its lease, the standby takes over at once. */
static void t_sigterm(struct mgrproc *m1, struct mgrproc *m2)
{
	char id[PROTO_NAME_MAX + 1];
	leader_id(id);
	struct mgrproc *lead = !strcmp(id, "m1") ? m1 : m2, *other = lead == m1 ? m2 : m1;
	CHECK_EQ(mgrproc_stop(lead, SIGTERM), 0);
	int64_t t0 = now_ms();
	CHECK(mgrproc_log_has(lead, "reason=shutdown"));
	CHECK(mgrproc_log_has(lead, "MGR_STOPPED"));
	enum proto_ctl_err err = PROTO_CTL_INTERNAL;
	while (err != PROTO_CTL_OK && now_ms() - t0 < 2000) {
		rpc_call(other->control, "status", NULL, 1000, &err, NULL, NULL, 0);
		if (err != PROTO_CTL_OK)
			sleep_ms(50);
	}
	CHECK_EQ(err, PROTO_CTL_OK);
	fprintf(stderr, "sigterm: %s answers %lld ms after %s stopped\n", other->id,
		(long long)(now_ms() - t0), lead->id);
}

/* A hand-written leader key (no lease, bad JSON) replaces the leader's: the leader steps
 * down, the key is removed (it would block every election) and a manager leads again. */
static void t_bad_leader_key(struct mgrproc *m)
{
	char line[160];
	snprintf(line, sizeof line, "MGR_STEP_DOWN node=%s reason=key_lost", m->id);
	put("/vtl/manager/leader", "{\"id\":", 0);
	CHECK(mgrproc_wait_log(m, line, 3000));
	CHECK(mgrproc_wait_log(m, "MGR_LEADER_KEY_REMOVED", 4000));
	CHECK(mgrproc_log_has(m, "key=/vtl/manager/leader"));
	int64_t t0 = now_ms();
	enum proto_ctl_err err = PROTO_CTL_INTERNAL;
	while (err != PROTO_CTL_OK && now_ms() - t0 < 4000) {
		rpc_call(m->control, "status", NULL, 1000, &err, NULL, NULL, 0);
		if (err != PROTO_CTL_OK)
			sleep_ms(50);
	}
	CHECK_EQ(err, PROTO_CTL_OK);
	char id[PROTO_NAME_MAX + 1];
	leader_id(id);
	CHECK(!strcmp(id, m->id));
}

int main(void)
{
	const char *dir = tu_tmpdir("it_manager");
	char edir[PATH_MAX], silent[64];
	snprintf(edir, sizeof edir, "%s/etcd", dir);
	CHECK_EQ(etcdproc_init(&etcd_srv, edir, ETCD_PORT), 0);
	atexit(etcd_kill);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	struct etcd_config ecfg = {.endpoints = ETCD_URL, .timeout_ms = 1000, .retries = 3};
	CHECK_EQ(etcd_open(&ecfg, &ec), 0);

	struct rpc_server *peer = NULL;
	CHECK_EQ(rpc_server_start("tcp://127.0.0.1:0", 2, fake_handler, NULL, &peer), 0);
	char peer_url[64];
	snprintf(peer_url, sizeof peer_url, "tcp://127.0.0.1:%u", rpc_server_port(peer));
	int silent_fd = silent_listener(silent, sizeof silent);

	struct mgrproc m1, m2;
	CHECK_EQ(mgrproc_init(&m1, dir, "m1", ETCD_URL, TTL), 0);
	CHECK_EQ(mgrproc_init(&m2, dir, "m2", ETCD_URL, TTL), 0);
	t_election(&m1, &m2);

	int64_t lease;
	CHECK_EQ(etcd_lease_grant(ec, 600, &lease, NULL), 0);
	put_node("n1", 100, peer_url, lease);
	put_node("n2", 300, "tcp://127.0.0.1:1", lease);        /* refuses connections */
	put_node("n3", 200, silent, lease);                     /* never answers */
	t_create(m1.control);
	t_drain(m1.control);
	t_list_show(m1.control);
	t_carts(m1.control);
	t_delete(m1.control);
	t_bad_values(m1.control, &m1);
	t_failover(&m1, &m2);
	t_etcd_outage(&m1, &m2);
	t_sigterm(&m1, &m2);
	t_bad_leader_key(m1.pid ? &m1 : &m2);

	CHECK_EQ(mgrproc_stop(&m1, SIGTERM), 0);
	CHECK_EQ(mgrproc_stop(&m2, SIGTERM), 0);
	CHECK(mgrproc_log_clean(&m1) && mgrproc_log_clean(&m2));
	rpc_server_stop(peer);
	close(silent_fd);
	etcd_close(ec);
	etcd_kill();
	tu_rmtree(dir);         /* left for inspection on failure */
	return 0;
}
