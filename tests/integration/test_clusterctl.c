/* clusterctl end to end, as an operator runs it (the binary, its output and exit codes):
 *  1. etcd unreachable: every command exits 9 with one stderr line naming the endpoint;
 *  2. no manager: exit 11 with one line (no leader key; a leader key naming a dead port);
 *     status still reports from etcd;
 *  3. a stand-in manager (cc_fake.h): tables, --json, what is sent, every error code's
 *     exit code, a standby answering not_leader until the leader key moves;
 *  4. events --watch against a private etcd: records put and deleted by hand give the
 *     expected lines, --json lines parse, a bad value gives "bad value at KEY", SIGINT
 *     and SIGTERM end it with 0;
 *  5. the real vtl-manager (when built) over node records written by hand: create, list
 *     (--json parsed), show, cartridges, drain, delete and their error exits; a manager
 *     killed with a standby running is not noticed by a command that is retrying.
 * etcd runs on 127.0.0.1:24230 (peer 24231); 24239 is a port nothing listens on, killed
 * by PID at exit and by PR_SET_PDEATHSIG if this test dies. */
#include "common/etcd/etcd.h"
#include "tests/integration/cc_fake.h"
#include "tests/integration/cc_run.h"
#include "tests/integration/etcdproc.h"
#include "tests/testutil.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ETCD_PORT 24230
#define ETCD_URL "http://127.0.0.1:24230"
#define DEAD_ETCD "http://127.0.0.1:24239"
#define DEAD_MGR "tcp://127.0.0.1:24239"

static struct etcdproc etcd_srv;
static struct etcd *ec;
static struct cc_result r;      /* 270 KiB: static, not on the stack */

static void etcd_kill(void)
{
	etcdproc_stop(&etcd_srv);
}

static void put(const char *key, const char *val)
{
	CHECK_EQ(etcd_put(ec, key, strlen(key), val, strlen(val), 0, NULL), 0);
}

static void del(const char *key)
{
	CHECK_EQ(etcd_delete(ec, key, strlen(key), false, NULL), 0);
}

static void set_leader(const char *url)
{
	char v[256];
	snprintf(v, sizeof v, "{\"id\":\"mgr-t\",\"control\":\"%s\",\"since\":1795000000000}", url);
	put("/vtl/manager/leader", v);
}

/* The run failed with `code` and exactly one stderr line containing `want`. */
static void expect_fail(int code, const char *want)
{
	if (r.exit != code || r.err_lines != 1 || !strstr(r.err, want)) {
		fprintf(stderr, "want exit %d and one line with '%s'; got exit %d, stderr:\n%s"
			"stdout:\n%.2000s\n", code, want, r.exit, r.err, r.out);
		exit(1);
	}
}

static void expect_out(const char *want)
{
	if (r.exit != 0 || !strstr(r.out, want)) {
		fprintf(stderr, "want exit 0 and '%s' on stdout; got exit %d, stdout:\n%.4000s\n"
			"stderr:\n%s\n", want, r.exit, r.out, r.err);
		exit(1);
	}
}

/* Every command, with what it needs to get past argument checks. */
static const char *const *const all_cmds[] = {
	(const char *const[]){"status", NULL},
	(const char *const[]){"nodes", NULL},
	(const char *const[]){"node", "drain", "node-1", NULL},
	(const char *const[]){"node", "undrain", "node-1", NULL},
	(const char *const[]){"libraries", NULL},
	(const char *const[]){"library", "create", "L1", "--drives", "2", NULL},
	(const char *const[]){"library", "delete", "L1", NULL},
	(const char *const[]){"library", "show", "L1", NULL},
	(const char *const[]){"cartridges", "add", "L1", "--count", "2", NULL},
	(const char *const[]){"cartridges", "remove", "L1", "VT0001L8", NULL},
	(const char *const[]){"events", "--watch", NULL},
};
#define N_CMDS (sizeof all_cmds / sizeof all_cmds[0])

/* Runs all_cmds[i] with a prefix of extra arguments (NULL-terminated). */
static void run_cmd(size_t i, const char *const *pre)
{
	const char *argv[32];
	size_t n = 0;
	for (; pre[n]; n++)
		argv[n] = pre[n];
	for (const char *const *a = all_cmds[i]; *a; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	CHECK_EQ(cc_run(&r, argv), 0);
}

static void part1_etcd_unreachable(void)
{
	for (size_t i = 0; i < N_CMDS; i++) {
		run_cmd(i, (const char *[]){"--etcd", DEAD_ETCD, "--timeout", "3000", NULL});
		expect_fail(9, "etcd unreachable: connection refused by " DEAD_ETCD
			    " (check --etcd or VTL_ETCD)");
		CHECK(!strncmp(r.err, "clusterctl: ", 12));
	}
	/* --help needs no cluster: every command has one */
	for (size_t i = 0; i < N_CMDS; i++) {
		run_cmd(i, (const char *[]){"--etcd", DEAD_ETCD, "--help", NULL});
		CHECK_EQ(r.exit, 0);
		CHECK(!strncmp(r.out, "Usage: clusterctl ", 18) && strstr(r.out, "--etcd URLS"));
	}
	CHECK_EQ(CC_RUN(&r, "--help"), 0);
	CHECK_EQ(r.exit, 0);
	CHECK(strstr(r.out, "  11  manager unreachable"));
	CHECK_EQ(CC_RUN(&r, "library", "frob"), 0);
	expect_fail(2, "unknown command 'library frob' (library commands: create, delete, show)");
	/* from the environment too, and --json puts the error on stdout */
	setenv("VTL_ETCD", DEAD_ETCD, 1);
	CHECK_EQ(CC_RUN(&r, "nodes", "--json"), 0);
	unsetenv("VTL_ETCD");
	expect_fail(9, DEAD_ETCD);
	json_t *j = json_loads(r.out, 0, NULL);
	CHECK(j);
	json_t *e = json_object_get(j, "error");
	CHECK(!strcmp(json_string_value(json_object_get(e, "code")), "etcd_unavailable"));
	CHECK_EQ(json_integer_value(json_object_get(e, "exit")), 9);
	json_decref(j);
	/* usage errors come before any etcd contact: 2 */
	CHECK_EQ(CC_RUN(&r, "--etcd", DEAD_ETCD, "library", "create", "bad name"), 0);
	expect_fail(2, "invalid library name 'bad name'");
	CHECK_EQ(CC_RUN(&r, "--etcd", "ftp://x", "nodes"), 0);
	expect_fail(2, "bad --etcd 'ftp://x'");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--prefix", "vtl", "nodes"), 0);
	expect_fail(2, "bad --prefix 'vtl'");
}

static void part2_no_manager(void)
{
	for (size_t i = 1; i + 1 < N_CMDS; i++) {   /* all but status and events */
		run_cmd(i, (const char *[]){"--etcd", ETCD_URL, "--timeout", "500", NULL});
		expect_fail(11, "manager unreachable: no active manager (/vtl/manager/leader is "
			    "absent) (is vtl-manager running? see: clusterctl status)");
	}
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "500", "status"), 0);
	expect_fail(11, "manager unreachable: no active manager");
	CHECK(strstr(r.out, "manager     NONE: no active manager"));
	CHECK(strstr(r.out, "nodes       0 up, 0 draining"));

	set_leader(DEAD_MGR);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "700", "libraries"), 0);
	expect_fail(11, "manager unreachable: connection refused by " DEAD_MGR);
	put("/vtl/manager/leader", "{\"id\":\"x\"");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "300", "libraries"), 0);
	expect_fail(11, "bad value at /vtl/manager/leader: ");
	del("/vtl/manager/leader");
}

/* Every error code reaches the operator as its documented exit code. */
static void part3_exit_codes(void)
{
	static const struct { const char *code; int exit; } codes[] = {
		{"invalid_argument", 2}, {"unknown_op", 2}, {"not_found", 3}, {"exists", 4},
		{"busy", 5}, {"no_placement", 6}, {"node_down", 7}, {"etcd_unavailable", 9},
		{"conflict", 10}, {"internal", 1}, {"unavailable", 11},
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "E-%s", codes[i].code);
		CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "delete", name), 0);
		char want[96];
		snprintf(want, sizeof want, "clusterctl: injected %s", codes[i].code);
		expect_fail(codes[i].exit, want);
	}
}

static void part3_tables(struct cc_fake *f)
{
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "libraries"), 0);
	expect_out("NAME  OWNER   PARTNERS  EPOCH  STATE     DRIVES  SLOTS  CARTRIDGES\n"
		   "L1    node-1  node-2    3      online    2       20     2\n"
		   "L2    -       node-2    3      unplaced  2       20     2\n");
	CHECK_EQ(CC_RUN(&r, "libraries", "--json", "--etcd", ETCD_URL), 0);
	json_t *j = json_loads(r.out, 0, NULL);
	CHECK(j);
	CHECK_EQ(json_array_size(json_object_get(j, "libraries")), 2);
	json_decref(j);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "nodes"), 0);
	expect_out("node-1  up     127.0.0.1:3261  tcp://127.0.0.1:4261  0.1.0    931.3 GiB  "
		   "372.5 GiB  1      0\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "show", "L1"), 0);
	expect_out("owner       node-1, epoch 3, online\n");
	expect_out("1      1    0x0100   VT0001L8   yes\n");
	expect_out("VT0002L8   1.0 MiB   not in the library\n");  /* no element holds it */
	expect_out("free        1 storage slots, 1 import/export slots\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "show", "Loff"), 0);
	expect_out("live state  unavailable: node-1 unreachable\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "show", "L9"), 0);
	expect_fail(3, "clusterctl: library 'L9' does not exist (see: clusterctl libraries)");

	/* what create sends: what was given, nothing else (the manager's defaults apply) */
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "create", "L5", "--drives", "4",
			"--capacity", "1.5G", "--policy", "single", "--node", "node-2"), 0);
	expect_out("library L5 created: owner node-1");
	char op[64];
	json_t *a = cc_fake_last(f, op, sizeof op);
	CHECK(!strcmp(op, "library.create"));
	json_t *want = json_pack("{sssisIssss}", "name", "L5", "drives", 4, "capacity",
				 (json_int_t)(UINT64_C(3) << 29), "policy", "single", "node", "node-2");
	CHECK(json_equal(a, want));
	json_decref(a);
	json_decref(want);

	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "add", "L1", "--count", "2"), 0);
	expect_out("added 2 cartridges to L1: VT0011L8, VT0012L8\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "remove", "L1", "VT0001L8",
			"--force"), 0);
	expect_out("removed 1 cartridge from L1: VT0001L8\n");
	a = cc_fake_last(f, op, sizeof op);
	CHECK(json_is_true(json_object_get(a, "force")));
	json_decref(a);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "add", "L1"), 0);
	expect_fail(2, "give either --count N or barcodes");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "add", "L1", "bad-code"), 0);
	expect_fail(2, "invalid barcode 'bad-code'");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "node", "drain", "node-1"), 0);
	expect_out("node node-1 drained");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "status"), 0);
	expect_out("manager     mgr-t, control tcp://127.0.0.1:");
}

/* A standby answers not_leader: the call re-reads the leader key until it moves. */
static void part3_failover(struct cc_fake *leader)
{
	struct cc_fake standby;
	CHECK_EQ(cc_fake_start(&standby, true), 0);
	set_leader(standby.url);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "600", "nodes"), 0);
	expect_fail(8, "is a standby: standby; the leader is mgr-1");
	CHECK(standby.calls >= 2);                  /* it was retried */

	struct cc_proc p;
	CHECK_EQ(cc_spawn(&p, (const char *[]){"--etcd", ETCD_URL, "--timeout", "8000", "nodes",
					       NULL}), 0);
	struct timespec ts = {0, 600 * 1000000L};
	nanosleep(&ts, NULL);
	set_leader(leader->url);
	char line[512];
	CHECK_EQ(cc_line(&p, 0, line, sizeof line, 8000), 0);
	if (strncmp(line, "NODE    STATE  PORTAL", 21)) {
		fprintf(stderr, "nodes after failover printed '%s'\n", line);
		exit(1);
	}
	CHECK_EQ(cc_stop(&p, 0), 0);
	cc_fake_stop(&standby);
}

static void part3_fake_manager(void)
{
	struct cc_fake f;
	CHECK_EQ(cc_fake_start(&f, false), 0);
	set_leader(f.url);
	part3_tables(&f);
	part3_exit_codes();
	part3_failover(&f);
	cc_fake_stop(&f);
	set_leader(DEAD_MGR);
	del("/vtl/manager/leader");
}

/* ---- part 4: events --watch ---- */

#define NODE_REC(free_) "{\"id\":\"node-1\",\"portal\":\"127.0.0.1:3261\",\"peer\":" \
	"\"tcp://127.0.0.1:4261\",\"version\":\"0.1.0\",\"capacity_bytes\":1000000000000," \
	"\"free_bytes\":" free_ ",\"draining\":false}"
#define OWNER_REC(node, epoch, partner) "{\"node\":\"" node "\",\"epoch\":" epoch \
	",\"state\":\"online\",\"partners\":[\"" partner "\"]}"

/* Starts `events` with extra arguments and waits for its "watching" line on stderr. */
static void events_start(struct cc_proc *p, const char *extra1, const char *extra2)
{
	CHECK_EQ(cc_spawn(p, (const char *[]){"--etcd", ETCD_URL, "events", "--watch", extra1,
					      extra2, NULL}), 0);
	char line[512];
	CHECK_EQ(cc_line(p, 1, line, sizeof line, 5000), 0);
	CHECK(strstr(line, "clusterctl: watching /vtl/ at " ETCD_URL " from revision "));
}

/* The next stdout line is "<UTC time>  <want>". */
static void expect_event(struct cc_proc *p, const char *want)
{
	char line[2048];
	int rc = cc_line(p, 0, line, sizeof line, 5000);
	if (rc || strlen(line) < 26 || line[10] != 'T' || strncmp(line + 23, "Z  ", 3) ||
	    strcmp(line + 26, want)) {
		fprintf(stderr, "event line: rc %d\n got '%s'\nwant '<time>  %s'\n", rc,
			rc ? "" : line, want);
		exit(1);
	}
}

static void part4_human(void)
{
	struct cc_proc p;
	events_start(&p, NULL, NULL);
	put("/vtl/nodes/node-1", NODE_REC("400000000000"));
	put("/vtl/nodes/node-1", NODE_REC("400000000000"));      /* a rewrite: no line */
	put("/vtl/nodes/node-1", NODE_REC("300000000000"));
	put("/vtl/drain/node-1", "{\"node\":\"node-1\",\"since\":1795000000000}");
	put("/vtl/libraries/L1/owner", OWNER_REC("node-1", "1", "node-2"));
	put("/vtl/libraries/L1/owner", OWNER_REC("node-2", "2", "node-1"));
	put("/vtl/libraries/L1/owner", "{\"node\":\"node-2\",\"epoch\":0}");
	put("/vtl/not/ours", "whatever");
	put("/vtl/manager/leader", "{\"id\":\"mgr-1\",\"control\":\"tcp://127.0.0.1:7100\","
	    "\"since\":1}");
	del("/vtl/drain/node-1");
	del("/vtl/nodes/node-1");
	expect_event(&p, "node node-1 joined: portal 127.0.0.1:3261, peer tcp://127.0.0.1:4261, "
		     "version 0.1.0, 931.3 GiB (372.5 GiB free)");
	expect_event(&p, "node node-1 changed: free 372.5 GiB -> 279.4 GiB");
	expect_event(&p, "node node-1 drained: it takes no new libraries");
	expect_event(&p, "library L1 owner node-1 (epoch 1, online, partners node-2)");
	expect_event(&p, "library L1 owner node-1 -> node-2, epoch 1 -> 2, partners node-2 -> node-1");
	expect_event(&p, "bad value at /vtl/libraries/L1/owner: field 'epoch': out of range "
		     "(1..9223372036854775807)");
	expect_event(&p, "manager mgr-1 is active, control API tcp://127.0.0.1:7100");
	expect_event(&p, "node node-1 undrained: it may take new libraries again");
	expect_event(&p, "node node-1 left (portal 127.0.0.1:3261)");
	CHECK_EQ(cc_stop(&p, SIGINT), 0);
	del("/vtl/manager/leader");
	del("/vtl/libraries/L1/owner");
}

static void part4_json(void)
{
	struct cc_proc p;
	int64_t since = 0;
	events_start(&p, "--json", NULL);
	CHECK_EQ(etcd_put(ec, "/vtl/nodes/node-1", 17, NODE_REC("1"), strlen(NODE_REC("1")), 0,
			  &since), 0);
	put("/vtl/nodes/node-1", "{\"id\":");
	del("/vtl/nodes/node-1");
	static const char *events[] = {"node.joined", "bad_value", "node.left"};
	for (size_t i = 0; i < 3; i++) {
		char line[4096];
		CHECK_EQ(cc_line(&p, 0, line, sizeof line, 5000), 0);
		json_error_t jerr;
		json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		CHECK(j);
		CHECK(!strcmp(json_string_value(json_object_get(j, "event")), events[i]));
		CHECK(!strcmp(json_string_value(json_object_get(j, "name")), "node-1"));
		CHECK_EQ(json_integer_value(json_object_get(j, "revision")), since + (int64_t)i);
		if (i == 0)
			CHECK_EQ(json_integer_value(json_object_get(json_object_get(j, "value"),
								    "free_bytes")), 1);
		json_decref(j);
	}
	CHECK_EQ(cc_stop(&p, SIGTERM), 0);

	/* --since replays history: the join above comes back */
	char rev[32];
	snprintf(rev, sizeof rev, "%lld", (long long)since);
	events_start(&p, "--since", rev);
	expect_event(&p, "node node-1 joined: portal 127.0.0.1:3261, peer tcp://127.0.0.1:4261, "
		     "version 0.1.0, 931.3 GiB (1 B free)");
	CHECK_EQ(cc_stop(&p, SIGINT), 0);
}

static void part4_events(void)
{
	part4_human();
	part4_json();
}

/* ---- part 5: the real vtl-manager, with node records written by hand ---- */

#ifdef VTL_MANAGER_BIN
#include <sys/prctl.h>
#include <sys/wait.h>

static pid_t mgr_start(const char *dir, const char *id)
{
	char log[PATH_MAX];
	snprintf(log, sizeof log, "%s/%s.log", dir, id);
	pid_t parent = getpid(), pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || !freopen(log, "a", stderr) || !freopen(log, "a", stdout))
			_exit(127);
		execl(VTL_MANAGER_BIN, "vtl-manager", "--etcd", ETCD_URL, "--id", id, "--listen",
		      "tcp://127.0.0.1:0", "--lease-ttl", "2", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void mgr_stop(pid_t pid, int sig)
{
	kill(pid, sig);
	waitpid(pid, NULL, 0);
}

/* Waits until manager `id` holds the leader key. */
static void wait_leader(const char *id)
{
	char want[96];
	snprintf(want, sizeof want, "\"id\":\"%s\"", id);
	for (int t = 0; t < 100; t++) {
		struct etcd_kvs kvs;
		CHECK_EQ(etcd_get(ec, "/vtl/manager/leader", 19, &kvs), 0);
		bool ok = kvs.n == 1 && strstr((const char *)kvs.kv[0].value, want);
		etcd_kvs_free(&kvs);
		if (ok)
			return;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "manager %s never led\n", id);
	exit(1);
}

static json_t *run_json(const char *const *argv)
{
	CHECK_EQ(cc_run(&r, argv), 0);
	json_t *j = json_loads(r.out, 0, NULL);
	if (r.exit != 0 || !j) {
		fprintf(stderr, "%s: exit %d, stdout '%s', stderr '%s'\n", argv[2], r.exit, r.out,
			r.err);
		exit(1);
	}
	return j;
}
#define RUN_JSON(...) run_json((const char *const[]){"--etcd", ETCD_URL, "--json", __VA_ARGS__, NULL})

static void part5_libraries(void)
{
	json_t *l = RUN_JSON("library", "create", "L1", "--cartridges", "3");
	const char *owner = json_string_value(json_object_get(l, "owner"));
	CHECK(owner && (!strcmp(owner, "node-1") || !strcmp(owner, "node-2")));
	CHECK_EQ(json_array_size(json_object_get(l, "partners")), 1);
	CHECK_EQ(json_integer_value(json_object_get(l, "epoch")), 1);
	json_decref(l);
	l = RUN_JSON("libraries");
	json_t *lib = json_array_get(json_object_get(l, "libraries"), 0);
	CHECK(!strcmp(json_string_value(json_object_get(lib, "name")), "L1"));
	CHECK_EQ(json_integer_value(json_object_get(lib, "cartridges")), 3);
	json_decref(l);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "libraries"), 0);
	expect_out("NAME  OWNER   PARTNERS  EPOCH  STATE   DRIVES  SLOTS  CARTRIDGES\nL1    node-");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "show", "L1"), 0);
	expect_out("live state  unavailable: ");        /* no vtl-node behind the records */
	expect_out("VT0003L8   4.0 GiB   -\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "show", "L9"), 0);
	expect_fail(3, "clusterctl: library 'L9' does not exist (see: clusterctl libraries)");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "create", "L1"), 0);
	expect_fail(4, "L1");

	l = RUN_JSON("cartridges", "add", "L1", "--count", "2");
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(l, "added"), 1)), "VT0005L8"));
	json_decref(l);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "remove", "L1", "VT0001L8"), 0);
	expect_fail(5, "--force");                  /* the owner cannot be asked */
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "cartridges", "remove", "L1", "VT0001L8",
			"--force"), 0);
	expect_out("removed 1 cartridge from L1: VT0001L8\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "delete", "L1"), 0);
	expect_fail(5, "--force");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "delete", "L1", "--force"), 0);
	expect_out("library L1 deleted\n");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "delete", "L1"), 0);
	expect_fail(3, "does not exist");
}

static void part5_nodes(void)
{
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "node", "drain", "node-1"), 0);
	expect_out("node node-1 drained");
	json_t *n = RUN_JSON("nodes");
	json_t *n1 = json_array_get(json_object_get(n, "nodes"), 0);
	CHECK(!strcmp(json_string_value(json_object_get(n1, "id")), "node-1"));
	CHECK(json_is_true(json_object_get(n1, "draining")));
	json_decref(n);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "create", "L2", "--node", "node-1"), 0);
	expect_fail(6, "draining");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "node", "undrain", "node-1"), 0);
	expect_out("node node-1 undrained");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "library", "create", "L2", "--node", "node-9"), 0);
	expect_fail(7, "node 'node-9' is not registered (see: clusterctl nodes)");
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "status"), 0);
	expect_out("nodes       2 up, 0 draining\n");
}

static void part5_real_manager(const char *dir)
{
	put("/vtl/nodes/node-1", NODE_REC("400000000000"));
	put("/vtl/nodes/node-2", "{\"id\":\"node-2\",\"portal\":\"127.0.0.1:3262\",\"peer\":"
	    "\"tcp://127.0.0.1:24238\",\"version\":\"0.1.0\",\"capacity_bytes\":1000000000000,"
	    "\"free_bytes\":500000000000,\"draining\":false}");
	pid_t a = mgr_start(dir, "mgr-a");
	wait_leader("mgr-a");
	part5_libraries();
	part5_nodes();

	/* the active manager dies: the standby takes over within the lease TTL (2 s) and
	 * clusterctl, retrying, never notices */
	pid_t b = mgr_start(dir, "mgr-b");
	struct timespec ts = {0, 300 * 1000000L};
	nanosleep(&ts, NULL);
	mgr_stop(a, SIGKILL);
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "10000", "nodes"), 0);
	expect_out("node-1  up");
	wait_leader("mgr-b");
	mgr_stop(b, SIGTERM);                       /* steps down: the key goes at once */
	CHECK_EQ(CC_RUN(&r, "--etcd", ETCD_URL, "--timeout", "500", "nodes"), 0);
	expect_fail(11, "manager unreachable");
	del("/vtl/nodes/node-1");
	del("/vtl/nodes/node-2");
}
#endif

int main(void)
{
	const char *dir = tu_tmpdir("it_clusterctl");
	char edir[PATH_MAX];
	snprintf(edir, sizeof edir, "%s/etcd", dir);
	unsetenv("VTL_ETCD");
	unsetenv("VTL_PREFIX");
	part1_etcd_unreachable();
	CHECK_EQ(etcdproc_init(&etcd_srv, edir, ETCD_PORT), 0);
	atexit(etcd_kill);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	struct etcd_config cfg = {.endpoints = ETCD_URL, .timeout_ms = 2000};
	CHECK_EQ(etcd_open(&cfg, &ec), 0);
	part2_no_manager();
	part3_fake_manager();
	part4_events();
#ifdef VTL_MANAGER_BIN
	part5_real_manager(dir);
#endif
	etcd_close(ec);
	etcd_kill();
	tu_rmtree(dir);   /* left for inspection on failure */
	printf("ok\n");
	return 0;
}
