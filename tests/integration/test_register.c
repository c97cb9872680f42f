/* vtl-node registers nodes/<id> in a private etcd (node/cluster/): the record decodes and
 * names the bound portal; SIGTERM revokes it at once; kill -9 leaves it until the TTL;
 * an etcd outage longer than the TTL gives NODE_LEASE_EXPIRED, then a re-registration on
 * a new lease once etcd is back. etcd runs on 127.0.0.1:24200 (peer 24201), killed by PID
 * at exit and by PR_SET_PDEATHSIG if this test dies. */
#include "common/etcd/etcd.h"
#include "proto/records.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ETCD_PORT 24200
#define ETCD_URL "http://127.0.0.1:24200"

static pid_t etcd_pid;
static char etcd_dir[600];

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void etcd_kill(void)
{
	if (etcd_pid > 0) {
		kill(etcd_pid, SIGKILL);
		waitpid(etcd_pid, NULL, 0);
		etcd_pid = 0;
	}
}

/* Starts etcd on etcd_dir/data (kept across restarts) and waits until it answers. */
static void etcd_run(struct etcd *c)
{
	pid_t parent = getpid();
	etcd_pid = fork();
	CHECK(etcd_pid >= 0);
	if (etcd_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		char data[700], log[700];
		snprintf(data, sizeof data, "%s/data", etcd_dir);
		snprintf(log, sizeof log, "%s/etcd.log", etcd_dir);
		FILE *f = freopen(log, "a", stderr);
		(void)f;
		execlp("etcd", "etcd", "--name", "reg", "--data-dir", data, "--log-level", "warn",
		       "--logger", "zap", "--listen-client-urls", ETCD_URL,
		       "--advertise-client-urls", ETCD_URL,
		       "--listen-peer-urls", "http://127.0.0.1:24201",
		       "--initial-advertise-peer-urls", "http://127.0.0.1:24201",
		       "--initial-cluster", "reg=http://127.0.0.1:24201", (char *)NULL);
		_exit(127);
	}
	struct etcd_kvs kvs;
	for (int i = 0; i < 100; i++) {
		if (!etcd_get(c, "x", 1, &kvs)) {
			etcd_kvs_free(&kvs);
			return;
		}
		sleep_ms(100);
	}
	CHECK(!"etcd did not start");
}

/* The lease of nodes/test-node, 0 when the key is absent; decodes the record. */
static int64_t node_lease(struct etcd *c, struct proto_node *rec)
{
	const char *key = "/vtl/nodes/test-node";
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, key, strlen(key), &kvs), 0);
	int64_t lease = 0;
	if (kvs.n == 1) {
		char why[PROTO_REASON_MAX];
		CHECK_EQ(proto_node_decode(kvs.kv[0].value, kvs.kv[0].value_len, rec, why, sizeof why), 0);
		lease = kvs.kv[0].lease;
		CHECK(lease != 0);
	}
	etcd_kvs_free(&kvs);
	return lease;
}

/* Waits up to ms for the key to exist (want != 0) with a lease other than `not`, or to
 * be absent (want == 0); returns the lease seen. */
static int64_t wait_lease(struct etcd *c, bool want, int64_t not, int ms)
{
	struct proto_node rec;
	for (int t = 0; t < ms; t += 100) {
		int64_t l = node_lease(c, &rec);
		if (want ? (l && l != not) : !l)
			return l;
		sleep_ms(100);
	}
	fprintf(stderr, "nodes/test-node: wanted %s\n", want ? "present" : "absent");
	exit(1);
}

static bool log_has(const struct nodeproc *np, const char *what)
{
	char path[PATH_MAX + 16], line[1024];
	snprintf(path, sizeof path, "%s/node.log", np->dir);
	FILE *f = fopen(path, "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	const char *dir = tu_tmpdir("it_register");
	snprintf(etcd_dir, sizeof etcd_dir, "%s/etcd", dir);
	CHECK_EQ(mkdir(etcd_dir, 0755), 0);
	atexit(etcd_kill);
	struct etcd_config ecfg = {.endpoints = ETCD_URL, .timeout_ms = 500};
	struct etcd *c = NULL;
	CHECK_EQ(etcd_open(&ecfg, &c), 0);
	etcd_run(c);

	struct nodeproc np;
	CHECK_EQ(nodeproc_configure_ex(&np, dir, "[etcd]\nendpoints = " ETCD_URL "\nlease_ttl = 2\n",
				       "[library L1]\ncartridges = 2\n"), 0);
	CHECK_EQ(nodeproc_start(&np), 0);
	int64_t l1 = wait_lease(c, true, 0, 5000);
	struct proto_node rec;
	CHECK_EQ(node_lease(c, &rec), l1);
	CHECK(!strcmp(rec.id, "test-node"));
	CHECK(!strcmp(rec.portal, np.portal));
	CHECK(rec.version[0] != 0);
	CHECK(rec.capacity_bytes > 0 && rec.free_bytes <= rec.capacity_bytes);
	CHECK(!rec.draining);
	CHECK(log_has(&np, "NODE_REGISTERED"));

	/* clean stop: revoked before the process exits */
	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	CHECK_EQ(node_lease(c, &rec), 0);

	/* crash: the record outlives the process by the TTL only */
	CHECK_EQ(nodeproc_start(&np), 0);
	int64_t l2 = wait_lease(c, true, l1, 5000);
	CHECK_EQ(nodeproc_stop(&np, SIGKILL), 0);
	CHECK_EQ(node_lease(c, &rec), l2);
	wait_lease(c, false, 0, 5000);

	/* restart, then an etcd outage longer than the TTL */
	CHECK_EQ(nodeproc_start(&np), 0);
	int64_t l3 = wait_lease(c, true, l2, 5000);
	etcd_kill();
	for (int t = 0; t < 8000 && !log_has(&np, "NODE_LEASE_EXPIRED"); t += 100)
		sleep_ms(100);
	CHECK(log_has(&np, "NODE_LEASE_FAILING"));
	CHECK(log_has(&np, "NODE_LEASE_EXPIRED"));
	etcd_run(c);
	wait_lease(c, true, l3, 8000);
	CHECK(log_has(&np, "NODE_REREGISTERED"));

	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	CHECK_EQ(node_lease(c, &rec), 0);
	etcd_close(c);
	etcd_kill();
	tu_rmtree(dir);   /* left for inspection on failure */
	return 0;
}
