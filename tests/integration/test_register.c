/* vtl-node registers nodes/<id> in a private etcd (node/cluster/): the record decodes and
 * names the bound portal; SIGTERM revokes it at once; kill -9 leaves it until the TTL;
 * an etcd outage longer than the TTL gives NODE_LEASE_EXPIRED, then a re-registration on
 * a new lease once etcd is back. etcd runs on 127.0.0.1:24200 (peer 24201), killed by PID
 * at exit and by PR_SET_PDEATHSIG if this test dies. */
#include "common/etcd/etcd.h"
#include "proto/records.h"
#include "tests/integration/etcdproc.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ETCD_PORT 24200
#define ETCD_URL "http://127.0.0.1:24200"

static struct etcdproc etcd_srv;

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void etcd_kill(void)
{
	etcdproc_stop(&etcd_srv);
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

int main(void)
{
	const char *dir = tu_tmpdir("it_register");
	char edir[PATH_MAX];
	snprintf(edir, sizeof edir, "%s/etcd", dir);
	CHECK_EQ(etcdproc_init(&etcd_srv, edir, ETCD_PORT), 0);
	atexit(etcd_kill);
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	struct etcd_config ecfg = {.endpoints = ETCD_URL, .timeout_ms = 500};
	struct etcd *c = NULL;
	CHECK_EQ(etcd_open(&ecfg, &c), 0);

	struct nodeproc np;
	CHECK_EQ(nodeproc_configure_ex(&np, dir, "[etcd]\nendpoints = " ETCD_URL "\nlease_ttl = 2\n",
				       ""), 0);   /* libraries come from etcd (node/ownership) */
	CHECK_EQ(nodeproc_start(&np), 0);
	int64_t l1 = wait_lease(c, true, 0, 5000);
	struct proto_node rec;
	CHECK_EQ(node_lease(c, &rec), l1);
	CHECK(!strcmp(rec.id, "test-node"));
	CHECK(!strcmp(rec.portal, np.portal));
	CHECK(rec.version[0] != 0);
	CHECK(rec.capacity_bytes > 0 && rec.free_bytes <= rec.capacity_bytes);
	CHECK(!rec.draining);
	CHECK(nodeproc_log_has(&np, "NODE_REGISTERED"));

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
	for (int t = 0; t < 8000 && !nodeproc_log_has(&np, "NODE_LEASE_EXPIRED"); t += 100)
		sleep_ms(100);
	CHECK(nodeproc_log_has(&np, "NODE_LEASE_FAILING"));
	CHECK(nodeproc_log_has(&np, "NODE_LEASE_EXPIRED"));
	CHECK_EQ(etcdproc_start(&etcd_srv), 0);
	wait_lease(c, true, l3, 8000);
	CHECK(nodeproc_log_has(&np, "NODE_REREGISTERED"));

	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	CHECK_EQ(node_lease(c, &rec), 0);
	etcd_close(c);
	etcd_kill();
	tu_rmtree(dir);   /* left for inspection on failure */
	return 0;
}
