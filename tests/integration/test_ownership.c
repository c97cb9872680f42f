/* vtl-node with [etcd] serves the libraries etcd says it owns (issue 3, node side): a
 * private etcd on 127.0.0.1:24210-24211 and one node with lease_ttl = 2. The test writes
 * the records itself (common/etcd + proto encoders), as the manager would:
 *  (a) config + owner{this node, epoch 1, online} -> served within 5 s: INQUIRY of the
 *      changer, MOVE MEDIUM, a backup written to a drive;
 *  (b) owner -> other-node (epoch 2): unpublished within 5 s (login refused, a live
 *      session gets 02/04/0A), LIB_OFFLINE reason=moved; back (epoch 3): served again,
 *      the data reads back byte-exact;
 *  (c) etcd stopped 4 s (> TTL): NODE_FENCED, nothing served; etcd back on its data:
 *      NODE_UNFENCED, served, data intact;
 *  (d) malformed values under the prefix: ETCD_BAD_VALUE with a reason, node alive and
 *      still serving;
 *  (e) cartridges added to the config appear in the I/E slots, removed ones vanish;
 *  (f) the library deleted: offline, and its data leaves the node's store; created again:
 *      a new empty library, offlined (reason=shutdown) before the node deregisters. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/etcd/etcd.h"
#include "proto/keys.h"
#include "proto/records.h"
#include "tests/client/tclient.h"
#include "tests/integration/etcdproc.h"
#include "tests/integration/nodeproc.h"
#include "tests/integration/wl_common.h"
#include "tests/testutil.h"

#define ETCD_PORT 24210
#define ETCD_URL "http://127.0.0.1:24210"
#define NODE "test-node"
#define LIB "L1"
#define TARGET "iqn.2026-11.io.vtl:" LIB
#define LIB_ID "00112233445566778899aabbccddeeff"
#define DRIVE 0x0100

static struct etcdproc etcd_srv;
static struct etcd *ec;
static struct nodeproc np;
static const char *carts_now[8];
static size_t n_carts_now;

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void etcd_kill(void)
{
	etcdproc_stop(&etcd_srv);
}

static void put_raw(const char *key, const void *val, size_t len)
{
	CHECK_EQ(etcd_put(ec, key, strlen(key), val, len, 0, NULL), 0);
}

static void put_config(const char *const *barcodes, size_t n)
{
	struct proto_cart carts[8];
	struct proto_libcfg c = {
		.name = LIB, .id = LIB_ID, .drives = 2, .slots = 8, .ie_slots = 2,
		.barcode_prefix = "OW", .media = "L8", .capacity = 64u << 20,
		.changer_vendor = "IBM", .changer_product = "03584L32", .changer_rev = "0100",
		.drive_vendor = "IBM", .drive_product = "ULT3580-TD8", .drive_rev = "Q380",
		.policy = PROTO_POLICY_SINGLE, .carts = carts, .n_carts = n,
	};
	for (size_t i = 0; i < n; i++) {
		snprintf(carts[i].barcode, sizeof carts[i].barcode, "%s", barcodes[i]);
		carts[i].capacity = 64u << 20;
		carts_now[i] = barcodes[i];
	}
	n_carts_now = n;
	char *json = NULL, why[PROTO_REASON_MAX], key[PROTO_KEY_MAX];
	CHECK_EQ(proto_libcfg_encode(&c, &json, why, sizeof why), 0);
	CHECK_EQ(proto_key_lib_config(key, sizeof key, PROTO_KEY_PREFIX_DEFAULT, LIB), 0);
	put_raw(key, json, strlen(json));
	free(json);
}

static void put_owner(const char *node, uint64_t epoch)
{
	struct proto_owner o = {.epoch = epoch, .state = PROTO_OWNER_ONLINE};
	snprintf(o.node, sizeof o.node, "%s", node);
	char *json = NULL, why[PROTO_REASON_MAX], key[PROTO_KEY_MAX];
	CHECK_EQ(proto_owner_encode(&o, &json, why, sizeof why), 0);
	CHECK_EQ(proto_key_lib_owner(key, sizeof key, PROTO_KEY_PREFIX_DEFAULT, LIB), 0);
	put_raw(key, json, strlen(json));
	free(json);
}

/* Logs in to TARGET (LUN 0); NULL when the login is refused. */
static struct tc *try_login(void)
{
	struct tc *tc = NULL;
	struct tc_opts opts = {.timeout_ms = 3000};
	return tc_connect(&tc, np.portal, TARGET, 0, &opts) ? NULL : tc;
}

/* Polls until the target is (want) or is not (!want) served; the session if served. */
static struct tc *wait_served(bool want, int ms)
{
	for (int t = 0; t <= ms; t += 200) {
		struct tc *tc = try_login();
		if (want && tc)
			return tc;
		tc_close(tc);
		if (!want && !tc)
			return NULL;
		sleep_ms(200);
	}
	fprintf(stderr, "target %s: wanted %s within %d ms\n", TARGET, want ? "served" : "gone", ms);
	exit(1);
}

static void check_changer_inquiry(struct tc *tc)
{
	uint8_t inq[96];
	struct tc_result r;
	CHECK_EQ(tc_inquiry(tc, false, 0, inq, sizeof inq, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(inq[0] & 0x1f, 0x08);          /* medium changer */
	CHECK(!memcmp(inq + 8, "IBM     03584L32", 16));
	/* the unit serial derives from the library id in etcd (VPD 0x80) */
	CHECK_EQ(tc_inquiry(tc, true, 0x80, inq, sizeof inq, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK(!memcmp(inq + 4, "00112233", 8));
}

static void load_drive(struct tc *tc, const char *barcode)
{
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	uint16_t slot = wl_find_barcode(tc, barcode);
	CHECK(slot >= 0x0400);
	wl_move(tc, slot, DRIVE);
	CHECK_EQ(tc_use_lun(tc, 1), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, NULL), 0);
}

/* Rewinds the drive (LUN 1) and checks every byte of the backup of generation 1. */
static void verify_backup(struct tc *tc)
{
	struct tc_result r;
	CHECK_EQ(tc_use_lun(tc, 1), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, NULL), 0);
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	for (unsigned f = 0; f < WL_FILES; f++)
		wl_read_file(tc, 1, f);
}

static void step_a_online(void)
{
	const char *carts[] = {"OW0001L8", "OW0002L8", "OW0003L8"};
	put_config(carts, 3);
	put_owner(NODE, 1);
	struct tc *tc = wait_served(true, 5000);
	CHECK(nodeproc_wait_log(&np, "LIB_ONLINE", 2000));
	CHECK(nodeproc_log_has(&np, "lib=L1 epoch=1 id=" LIB_ID));
	check_changer_inquiry(tc);
	load_drive(tc, "OW0001L8");
	wl_write_all(tc, 1);
	tc_close(tc);
}

static void step_b_moved(void)
{
	struct tc *live = wait_served(true, 2000);      /* a session across the move */
	struct tc_result r;
	put_owner("other-node", 2);
	wait_served(false, 5000);
	CHECK(nodeproc_wait_log(&np, "reason=moved owner=other-node owner_epoch=2", 2000));
	CHECK_EQ(tc_test_unit_ready(live, &r), 0);
	CHECK(tc_check(&r, 0x2, 0x04, 0x0a));   /* asymmetric access state transition */
	put_owner(NODE, 3);
	struct tc *tc = wait_served(true, 5000);
	CHECK(nodeproc_wait_log(&np, "lib=L1 epoch=3", 2000));
	/* the live session sees a new library instance: power-on UA, then ready */
	CHECK_EQ(tc_drain_ua(live), 0);
	CHECK_EQ(tc_test_unit_ready(live, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	tc_close(live);
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	CHECK_EQ(wl_find_barcode(tc, "OW0001L8"), DRIVE);  /* the element map survived */
	verify_backup(tc);
	tc_close(tc);
}

static void step_c_fenced(void)
{
	etcd_kill();
	sleep_ms(500);
	CHECK(nodeproc_wait_log(&np, "NODE_FENCED", 3000));
	CHECK(nodeproc_log_has(&np, "reason=fenced"));
	CHECK(try_login() == NULL);
	sleep_ms(3500);         /* 4 s without etcd: longer than the TTL */
	CHECK(try_login() == NULL);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	CHECK(nodeproc_wait_log(&np, "NODE_UNFENCED", 10000));
	struct tc *tc = wait_served(true, 5000);
	verify_backup(tc);
	tc_close(tc);
}

static void step_d_malformed(void)
{
	static char big[600 * 1024];
	memset(big, ' ', sizeof big);
	big[0] = '{';
	big[sizeof big - 1] = '}';
	const char *cfg = PROTO_KEY_PREFIX_DEFAULT "libraries/BAD/config";
	const char *own = PROTO_KEY_PREFIX_DEFAULT "libraries/BAD/owner";
	put_raw(cfg, "{", 1);
	put_raw(own, "[]", 2);
	sleep_ms(1100);         /* the log's rate limit is per second */
	put_raw(cfg, "{\"name\":5}", 10);
	const char *bad_epoch = "{\"node\":\"" NODE "\",\"epoch\":\"1\",\"state\":\"online\","
				"\"partners\":[]}";
	put_raw(own, bad_epoch, strlen(bad_epoch));
	sleep_ms(1100);
	put_raw(cfg, big, sizeof big);
	put_raw(PROTO_KEY_PREFIX_DEFAULT "libraries/BAD/unknown", "x", 1);   /* not ours */
	CHECK(nodeproc_wait_log(&np, "key=/vtl/libraries/BAD/config reason=\"invalid JSON", 3000));
	CHECK(nodeproc_wait_log(&np, "key=/vtl/libraries/BAD/owner reason=\"not a JSON object", 3000));
	CHECK(nodeproc_wait_log(&np, "reason=\"field 'name': wrong type", 3000));
	CHECK(nodeproc_wait_log(&np, "reason=\"field 'epoch': wrong type", 3000));
	CHECK(nodeproc_wait_log(&np, "reason=\"oversize: 614400 bytes", 3000));
	CHECK_EQ(kill(np.pid, 0), 0);
	struct tc *tc = wait_served(true, 2000);
	check_changer_inquiry(tc);
	tc_close(tc);
	const char *bad_dir = PROTO_KEY_PREFIX_DEFAULT "libraries/BAD/";
	CHECK_EQ(etcd_delete(ec, bad_dir, strlen(bad_dir), true, NULL), 0);
}

/* Polls READ ELEMENT STATUS until every element holds what want[] says ("" = empty). */
static void wait_elements(struct tc *tc, const uint16_t *addr, const char *const *want, size_t n)
{
	static struct tc_elem el[64];
	for (int t = 0; t < 5000; t += 200) {
		size_t k = 0, ok = 0;
		struct tc_result r;
		tc_drain_ua(tc);
		CHECK_EQ(tc_elements(tc, el, 64, &k, &r), 0);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < k; j++)
				if (el[j].addr == addr[i] &&
				    (want[i][0] ? el[j].full && !strcmp(el[j].pvoltag, want[i]) : !el[j].full))
					ok++;
		if (ok == n)
			return;
		sleep_ms(200);
	}
	fprintf(stderr, "elements did not reach the expected state\n");
	exit(1);
}

static void step_e_cartridges(void)
{
	struct tc *tc = wait_served(true, 2000);
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	const char *more[] = {"OW0001L8", "OW0002L8", "OW0003L8", "OW0004L8", "OW0005L8"};
	put_config(more, 5);
	const uint16_t a1[] = {0x0300, 0x0301, 0x0401};
	const char *const w1[] = {"OW0004L8", "OW0005L8", "OW0002L8"};
	wait_elements(tc, a1, w1, 3);
	const char *fewer[] = {"OW0001L8", "OW0003L8", "OW0004L8", "OW0005L8"};
	put_config(fewer, 4);
	const uint16_t a2[] = {0x0300, 0x0401, 0x0402};
	const char *const w2[] = {"OW0004L8", "", "OW0003L8"};
	wait_elements(tc, a2, w2, 3);
	CHECK_EQ(wl_find_barcode(tc, "OW0002L8"), 0);
	CHECK(nodeproc_log_has(&np, "LIB_CART_REMOVED"));
	tc_close(tc);
}

static void step_f_deleted(void)
{
	char key[PROTO_KEY_MAX], path[PATH_MAX + 64];
	CHECK_EQ(proto_key_lib_config(key, sizeof key, PROTO_KEY_PREFIX_DEFAULT, LIB), 0);
	snprintf(path, sizeof path, "%s/data/tapes/" LIB_ID "_OW0001L8.seg", np.dir);
	CHECK_EQ(access(path, F_OK), 0);
	CHECK_EQ(etcd_delete(ec, key, strlen(key), false, NULL), 0);
	wait_served(false, 5000);
	CHECK(nodeproc_wait_log(&np, "reason=deleted", 2000));
	CHECK(nodeproc_wait_log(&np, "LIB_DESTROYED", 2000));
	CHECK(access(path, F_OK) != 0);         /* the backup's tape data is gone */
	/* created again: a new, empty library, served until the node stops */
	const char *carts[] = {"OW0001L8"};
	put_config(carts, 1);
	struct tc *tc = wait_served(true, 5000);
	CHECK(nodeproc_log_has(&np, "carts=1 fresh=1"));
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	CHECK_EQ(wl_find_barcode(tc, "OW0001L8"), 0x0400);
	tc_close(tc);
}

int main(void)
{
	const char *dir = tu_tmpdir("it_ownership");
	char edir[PATH_MAX];
	snprintf(edir, sizeof edir, "%s/etcd", dir);
	CHECK_EQ(etcdproc_init(&etcd_srv, edir, ETCD_PORT), 0);
	atexit(etcd_kill);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	struct etcd_config ecfg = {.endpoints = ETCD_URL, .timeout_ms = 1000};
	CHECK_EQ(etcd_open(&ecfg, &ec), 0);

	CHECK_EQ(nodeproc_configure_ex(&np, dir, "[etcd]\nendpoints = " ETCD_URL "\nlease_ttl = 2\n",
				       ""), 0);
	CHECK_EQ(nodeproc_start(&np), 0);
	CHECK(nodeproc_wait_log(&np, "OWN_SYNCED", 5000));
	CHECK(try_login() == NULL);     /* nothing owned yet */

	step_a_online();
	step_b_moved();
	step_c_fenced();
	step_d_malformed();
	step_e_cartridges();
	step_f_deleted();

	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	CHECK(nodeproc_log_has(&np, "reason=shutdown"));       /* offline before deregistering */
	CHECK(nodeproc_log_has(&np, "NODE_DEREGISTERED"));
	etcd_close(ec);
	etcd_kill();
	tu_rmtree(dir);         /* left for inspection on failure */
	return 0;
}
