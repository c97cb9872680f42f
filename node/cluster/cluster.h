/* cluster.h - the node's membership in the cluster: its record nodes/<id> in etcd, held
 * by a lease (DESIGN.md "Cluster state in etcd", docs/etcd-layout.md).
 *
 * cluster_start() returns at once; registration happens on the module's own thread,
 * which retries every 500 ms while etcd is unreachable. The node serves either way:
 * until a later slice adds self-fencing of owned libraries, a FAILING or EXPIRED lease
 * only changes what is logged and what the cluster sees.
 *
 *   unregistered --(grant lease, put record, start keeper)--> registered
 *   registered --(keeper EXPIRED, or no renewal for lease_ttl)--> unregistered
 *
 * The lease counts as gone once lease_ttl has passed since its last renewal even if
 * etcd has not said so: etcd restores leases with a fresh TTL when it restarts, so a
 * node cannot wait for etcd's verdict, and the rest of the cluster may already have
 * acted on the expiry. Re-registration then uses a new lease (NODE_REREGISTERED).
 *
 * Log lines: NODE_REGISTERED node= lease= ttl=, NODE_REGISTER_FAILED (once per
 * streak), NODE_LEASE_FAILING, NODE_LEASE_OK (renewed again), NODE_LEASE_EXPIRED,
 * NODE_REREGISTERED, NODE_DEREGISTERED.
 *
 * Concurrency: struct cluster is owned by the caller of cluster_start() and ended by
 * cluster_stop() from that same thread. The cluster thread owns the etcd client, the
 * keeper and the lease id. The keeper's callback (keeper thread) only updates `lock`-
 * guarded fields (keeper state, time of the last renewal, stop flag) and signals `cond`;
 * no etcd call is made with `lock` held. */
#ifndef VTL_NODE_CLUSTER_H
#define VTL_NODE_CLUSTER_H

#include <stdint.h>

struct cluster;

struct cluster_config {           /* every string is copied */
	const char *endpoints;    /* etcd URLs, comma-separated */
	const char *prefix;       /* key prefix, "/vtl/" */
	unsigned lease_ttl;       /* seconds, 2..60 */
	const char *username;     /* "" or NULL: no auth */
	const char *password;
	const char *id;           /* node id: the key nodes/<id> */
	const char *portal;       /* the portal as configured, "host:port" (port may be 0) */
	uint16_t bound_port;      /* the port actually bound */
	const char *peer;         /* "" or NULL: tcp://<portal host>:<bound port + 1000> */
	const char *data_dir;     /* capacity and free bytes come from statvfs() of it */
};

/* Validates cfg, builds the record and starts the cluster thread. 0, -EINVAL (a bad
 * field, logged), -ENOMEM, or a pthread error. Does not wait for etcd. */
int cluster_start(const struct cluster_config *cfg, struct cluster **out);

/* Stops the thread and the keeper, then revokes the lease so the record disappears at
 * once (bounded by one 1 s request; on failure the lease expires after its TTL), frees.
 * NULL is fine. */
void cluster_stop(struct cluster *cl);

#endif
