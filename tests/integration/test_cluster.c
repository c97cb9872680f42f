/* The cluster end to end (issue 3): a private etcd on 127.0.0.1:24240-24241, three
 * vtl-node processes (lease_ttl 2), two vtl-manager processes, driven only through the
 * clusterctl binary and a real iSCSI initiator, as an operator and a backup server would:
 *  (1) `library create` -> the chosen owner serves it over iSCSI within a few seconds;
 *      `libraries --json` shows owner, a partner on another node, epoch 1; a backup is
 *      written to it;
 *  (2) kill -9 the active manager: the standby answers clusterctl within the TTL; a
 *      create racing a second kill is complete or absent in etcd, never half-made;
 *  (3) kill -9 the owner node: its registration goes when the lease expires and
 *      `events --watch` shows it; restarted, it rejoins (shown too) and serves the library
 *      again with the backup intact;
 *  (4) delete is refused while a drive holds a tape, forced it goes, and the target with it.
 * Every process dies with the test (PR_SET_PDEATHSIG) and is stopped by PID. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/etcd/etcd.h"
#include "tests/client/tclient.h"
#include "tests/integration/cc_run.h"
#include "tests/integration/etcdproc.h"
#include "tests/integration/mgrproc.h"
#include "tests/integration/nodeproc.h"
#include "tests/integration/wl_common.h"
#include "tests/testutil.h"

#define ETCD_URL "http://127.0.0.1:24240"
#define TTL 2
#define NNODES 3

static struct etcdproc etcd_srv;
static struct nodeproc nodes[NNODES];
static struct mgrproc mgrs[2];
static struct cc_proc events;
static struct cc_result res;            /* big: static */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void stop_all(void)
{
	if (events.pid > 0)
		cc_stop(&events, SIGTERM);
	for (int i = 0; i < 2; i++)
		if (mgrs[i].pid > 0)
			mgrproc_stop(&mgrs[i], SIGKILL);
	for (int i = 0; i < NNODES; i++)
		if (nodes[i].pid > 0)
			nodeproc_stop(&nodes[i], SIGKILL);
	etcdproc_stop(&etcd_srv);
}

/* clusterctl --etcd ETCD_URL ARGS...; prints what it said when the exit code is not `want` */
#define CTL(want, ...)                                                                     \
	do {                                                                               \
		CHECK_EQ(CC_RUN(&res, "--etcd", ETCD_URL, __VA_ARGS__), 0);                \
		if (res.exit != (want))                                                    \
			fprintf(stderr, "clusterctl exit %d\nstdout: %s\nstderr: %s\n",    \
				res.exit, res.out, res.err);                                \
		CHECK_EQ(res.exit, (want));                                                \
	} while (0)

static struct nodeproc *node_by_id(const char *id)
{
	for (int i = 0; i < NNODES; i++) {
		char want[16];
		snprintf(want, sizeof want, "n%d", i + 1);
		if (!strcmp(id, want))
			return &nodes[i];
	}
	CHECK(!"unknown node id");
	return NULL;
}

/* The `libraries --json` entry of lib (a new reference), or NULL. */
static json_t *library_entry(const char *lib)
{
	CTL(0, "--json", "libraries");
	json_error_t je;
	json_t *root = json_loads(res.out, 0, &je), *arr = json_object_get(root, "libraries");
	CHECK(json_is_array(arr));
	json_t *found = NULL, *e;
	size_t i;
	json_array_foreach(arr, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "name")), lib))
			found = json_incref(e);
	json_decref(root);
	return found;
}

static int count_nodes(void)
{
	CHECK_EQ(CC_RUN(&res, "--etcd", ETCD_URL, "--json", "nodes"), 0);
	if (res.exit)
		return -1;
	json_t *root = json_loads(res.out, 0, NULL);
	int n = (int)json_array_size(json_object_get(root, "nodes"));
	json_decref(root);
	return n;
}

/* Logs in to the library's changer on np within ms; NULL if it never answers. */
static struct tc *login(const struct nodeproc *np, const char *lib, int ms)
{
	char target[96];
	snprintf(target, sizeof target, "iqn.2026-11.io.vtl:%s", lib);
	struct tc_opts opts = {.timeout_ms = 3000};
	for (double until = now_ms() + ms; now_ms() < until; sleep_ms(50)) {
		struct tc *tc = NULL;
		if (tc_connect(&tc, np->portal, target, 0, &opts))
			continue;
		uint8_t inq[96];
		struct tc_result r;
		if (!tc_inquiry(tc, false, 0, inq, sizeof inq, &r) && r.status == TC_GOOD &&
		    (inq[0] & 0x1f) == 0x08)
			return tc;
		tc_close(tc);
	}
	return NULL;
}

/* Waits for an events --watch line containing `what` (stdout), up to ms. */
static void expect_event(const char *what, int ms)
{
	char line[1024];
	for (double until = now_ms() + ms; now_ms() < until;) {
		if (cc_line(&events, 0, line, sizeof line, 200) == 0 && strstr(line, what))
			return;
	}
	fprintf(stderr, "events --watch: no line with '%s' within %d ms\n", what, ms);
	exit(1);
}

static void start_cluster(const char *dir)
{
	char sub[PATH_MAX], extra[512];
	snprintf(sub, sizeof sub, "%s/etcd", dir);
	CHECK_EQ(etcdproc_init(&etcd_srv, sub, 24240), 0);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	CHECK_EQ(cc_spawn(&events, (const char *const[]){"--etcd", ETCD_URL, "events", "--watch", NULL}), 0);
	for (int i = 0; i < NNODES; i++) {
		snprintf(sub, sizeof sub, "%s/n%d", dir, i + 1);
		CHECK_EQ(mkdir(sub, 0755), 0);
		snprintf(extra, sizeof extra, "id = n%d\n[etcd]\nendpoints = %s\nlease_ttl = %d\n",
			 i + 1, ETCD_URL, TTL);
		CHECK_EQ(nodeproc_configure_ex(&nodes[i], sub, extra, ""), 0);
		CHECK_EQ(nodeproc_start(&nodes[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		char id[8];
		snprintf(id, sizeof id, "m%d", i + 1);
		CHECK_EQ(mgrproc_init(&mgrs[i], dir, id, ETCD_URL, TTL), 0);
		CHECK_EQ(mgrproc_start(&mgrs[i]), 0);
	}
	for (double until = now_ms() + 10000; count_nodes() != NNODES; sleep_ms(100))
		CHECK(now_ms() < until);
	expect_event("node n3 joined", 5000);
}

/* (1) create -> served by the owner; returns the owner's id in owner[16]. */
static void step_create(char owner[16])
{
	double t0 = now_ms();
	CTL(0, "library", "create", "L1", "--cartridges", "4", "--drives", "2");
	json_t *e = library_entry("L1");
	CHECK(e);
	snprintf(owner, 16, "%s", json_string_value(json_object_get(e, "owner")));
	json_t *partners = json_object_get(e, "partners");
	CHECK_EQ(json_array_size(partners), 1);
	CHECK(strcmp(json_string_value(json_array_get(partners, 0)), owner));
	CHECK_EQ(json_integer_value(json_object_get(e, "epoch")), 1);
	CHECK(!strcmp(json_string_value(json_object_get(e, "state")), "online"));
	json_decref(e);
	struct tc *tc = login(node_by_id(owner), "L1", 5000);
	CHECK(tc);
	fprintf(stderr, "L1 owned by %s, first INQUIRY after %.0f ms\n", owner, now_ms() - t0);
	expect_event("L1", 2000);
	/* a backup on it: first cartridge into drive 1 */
	char barcode[16];
	CTL(0, "--json", "library", "show", "L1");
	CHECK(strstr(res.out, "0001L8"));
	const char *p = strstr(res.out, "0001L8");
	snprintf(barcode, sizeof barcode, "%.*s0001L8", 2, p - 2);
	wl_move(tc, wl_find_barcode(tc, barcode), 0x0100);
	CHECK_EQ(tc_use_lun(tc, 1), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, NULL), 0);
	wl_write_all(tc, 1);
	tc_close(tc);
}

static int leader_index(void)
{
	CTL(0, "--json", "status");
	json_t *root = json_loads(res.out, 0, NULL);
	const char *id = json_string_value(json_object_get(json_object_get(root, "manager"), "leader"));
	int i = id && !strcmp(id, "m2");
	CHECK(id && (!strcmp(id, "m1") || !strcmp(id, "m2")));
	json_decref(root);
	return i;
}

/* Both keys of a library or neither. */
static void check_whole(const char *lib)
{
	struct etcd *c = NULL;
	struct etcd_config cfg = {.endpoints = ETCD_URL};
	CHECK_EQ(etcd_open(&cfg, &c), 0);
	char k1[128], k2[128];
	snprintf(k1, sizeof k1, "/vtl/libraries/%s/config", lib);
	snprintf(k2, sizeof k2, "/vtl/libraries/%s/owner", lib);
	struct etcd_kvs a, b;
	CHECK_EQ(etcd_get(c, k1, strlen(k1), &a), 0);
	CHECK_EQ(etcd_get(c, k2, strlen(k2), &b), 0);
	fprintf(stderr, "%s after the racing kill: config %zu, owner %zu\n", lib, a.n, b.n);
	CHECK_EQ(a.n, b.n);
	etcd_kvs_free(&a);
	etcd_kvs_free(&b);
	etcd_close(c);
}

/* (2) the active manager dies; the standby takes over within the TTL. */
static void step_manager_failover(void)
{
	int l = leader_index();
	CHECK_EQ(mgrproc_stop(&mgrs[l], SIGKILL), 0);
	double t0 = now_ms();
	CTL(0, "--timeout", "10000", "library", "create", "L2", "--cartridges", "2");
	double took = now_ms() - t0;
	fprintf(stderr, "standby answered a create %.0f ms after the kill\n", took);
	CHECK(took < (TTL + 1) * 1000.0);
	CHECK_EQ(leader_index(), 1 - l);
	CHECK(mgrproc_log_has(&mgrs[1 - l], "MGR_LEADER"));

	/* a create racing the kill of the new leader: complete or absent */
	CHECK_EQ(mgrproc_start(&mgrs[l]), 0);           /* back as the standby */
	struct cc_proc racer;
	CHECK_EQ(cc_spawn(&racer, (const char *const[]){"--etcd", ETCD_URL, "--timeout", "10000",
			  "library", "create", "L3", NULL}), 0);
	sleep_ms(15);
	CHECK_EQ(mgrproc_stop(&mgrs[1 - l], SIGKILL), 0);
	int ex = cc_stop(&racer, 0);
	fprintf(stderr, "racing create exited %d\n", ex);
	check_whole("L3");
	CHECK_EQ(mgrproc_start(&mgrs[1 - l]), 0);
	CHECK(mgrproc_log_clean(&mgrs[l]));
}

/* (3) the owner of L1 dies and comes back. */
static void step_node_crash(const char *owner)
{
	struct nodeproc *np = node_by_id(owner);
	CHECK_EQ(nodeproc_stop(np, SIGKILL), 0);
	char what[64];
	snprintf(what, sizeof what, "node %s left", owner);
	expect_event(what, (TTL + 3) * 1000);
	CHECK_EQ(count_nodes(), NNODES - 1);
	CHECK_EQ(nodeproc_start(np), 0);
	snprintf(what, sizeof what, "node %s joined", owner);
	expect_event(what, 5000);
	struct tc *tc = login(np, "L1", 8000);
	CHECK(tc);
	CHECK_EQ(tc_use_lun(tc, 1), 0);
	CHECK_EQ(tc_drain_ua(tc), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, NULL), 0);
	struct tc_result r;
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	for (unsigned f = 0; f < WL_FILES; f++)
		wl_read_file(tc, 1, f);
	tc_close(tc);
}

/* (4) delete: busy while a drive holds a tape, then forced. */
static void step_delete(const char *owner)
{
	CTL(5, "library", "delete", "L1");
	CHECK(strstr(res.err, "--force"));
	CHECK_EQ(res.err_lines, 1);
	CTL(0, "library", "delete", "L1", "--force");
	CTL(3, "library", "show", "L1");
	CHECK_EQ(res.err_lines, 1);
	for (double until = now_ms() + 5000; login(node_by_id(owner), "L1", 100); sleep_ms(100))
		CHECK(now_ms() < until);
	expect_event("L1", 2000);
}

int main(void)
{
	const char *dir = tu_tmpdir("it_cluster");
	atexit(stop_all);
	char owner[16];
	start_cluster(dir);
	step_create(owner);
	step_manager_failover();
	step_node_crash(owner);
	step_delete(owner);
	for (int i = 0; i < NNODES; i++)
		CHECK(!nodeproc_log_has(&nodes[i], "ERROR: AddressSanitizer"));
	stop_all();
	tu_rmtree(dir);
	return 0;
}
