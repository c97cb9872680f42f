/* cluster.h - the node's membership in the cluster: its record nodes/<id> in etcd, held
 * by a lease (DESIGN.md "Cluster state in etcd", docs/etcd-layout.md).
 *
 * cluster_start() returns at once; registration happens on the module's own thread,
 * which retries every 500 ms while etcd is unreachable, and the same thread renews the
 * lease every ttl/3 (every ttl/10, at least 100 ms, while renewals fail):
 *
 *   unregistered --(grant lease, put record)--> registered
 *   registered --(etcd: lease not found, or no renewal for lease_ttl)--> unregistered
 *
 * The lease counts as gone once lease_ttl has passed since its last renewal even if
 * etcd has not said so: etcd restores leases with a fresh TTL when it restarts, so a
 * node cannot wait for etcd's verdict, and the rest of the cluster may already have
 * acted on the expiry. Re-registration then uses a new lease (NODE_REREGISTERED).
 *
 * Self-fencing (node/ownership) needs to know when the lease can expire at the earliest:
 * cluster_lease_state() reports the time the last successful grant or renewal was SENT
 * (etcd restarted the TTL when it received it, which was later), so etcd cannot expire
 * the lease before last_ok_ms + ttl_ms. That is why the thread renews the lease itself
 * rather than through an etcd_keeper, which reports state changes, not renewal times.
 *
 * Log lines: NODE_REGISTERED node= lease= ttl=, NODE_REGISTER_FAILED (once per
 * streak), NODE_LEASE_FAILING (no renewal for half the TTL), NODE_LEASE_OK (renewed
 * again), NODE_LEASE_EXPIRED, NODE_REREGISTERED, NODE_DEREGISTERED.
 *
 * Concurrency: struct cluster is owned by the caller of cluster_start() and ended by
 * cluster_stop() from that same thread. The cluster thread owns the etcd client and does
 * every etcd call; `lock` guards the stop flag and the published lease state, which any
 * thread may read with cluster_lease_state(). No etcd call is made with `lock` held. */
#ifndef VTL_NODE_CLUSTER_H
#define VTL_NODE_CLUSTER_H

#include <stdbool.h>
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

/* Stops the thread, then revokes the lease so the record disappears at once (bounded by
 * one 1 s request; on failure the lease expires after its TTL), frees. NULL is fine. */
void cluster_stop(struct cluster *cl);

/* What the node knows of its lease (a snapshot). */
struct cluster_lease {
	bool registered;          /* the record is on a lease counted as alive */
	int64_t lease;            /* its id; 0 when not registered */
	uint64_t generation;      /* +1 at every successful registration (a new lease) */
	int64_t last_ok_ms;       /* CLOCK_MONOTONIC ms: the last successful grant/renewal
				   * was sent then; etcd keeps the lease until at least
				   * last_ok_ms + ttl_ms. 0 before the first registration */
	int64_t ttl_ms;           /* the configured TTL */
};
/* Safe from any thread; takes the module's lock briefly. */
void cluster_lease_state(struct cluster *cl, struct cluster_lease *out);

/* CLOCK_MONOTONIC in milliseconds: the clock of last_ok_ms. */
int64_t cluster_now_ms(void);

#endif
