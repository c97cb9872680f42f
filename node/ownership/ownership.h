/* ownership.h - which libraries this node serves, from etcd (DESIGN.md "Cluster state in
 * etcd", docs/etcd-layout.md).
 *
 * The module watches <prefix>libraries/ and keeps, per library, the last decoded config
 * and owner record. A library is ONLINE here iff
 *   owner.node == this node's id, owner.state == "online", its config decodes,
 *   and the node is SYNCED (registered, lease fresh, prefix read since).
 * Going online: lib_config_from_record -> lib_open -> route_add. Going offline:
 * route_remove (waits for in-flight commands) -> lib_close, or lib_destroy when the
 * manager deleted the library (its config key was deleted: the data goes too).
 *
 * Node states (the module thread moves between them):
 *
 *   UNSYNCED --(lease fresh: fresh read of the prefix)--> SYNCED
 *   SYNCED --(no successful renewal for ttl - 1 s, or a new lease)--> FENCED
 *   FENCED --(lease fresh again: fresh read of the prefix)--> SYNCED
 *
 * "Fresh" means the last successful grant or renewal was sent less than ttl - 1 s ago
 * (node/cluster): etcd cannot expire the lease before ttl after that, so a node that
 * offlines its libraries at ttl - 1 s has stopped serving them before anyone else may
 * take them over (self-fencing). Nothing is served UNSYNCED (start-up) or FENCED.
 *
 * Per library, on every change (an event, a read, a state change, a retry timer):
 *   offline + wanted   -> online                     LIB_ONLINE lib= epoch= id=
 *   online + unwanted  -> offline                    LIB_OFFLINE lib= epoch= reason=
 *       reason: moved (owner is another node), deleted (config gone), fenced,
 *               state (owner not "online" or gone), config (config no longer decodes),
 *               shutdown (the node stops)
 *   online + config changed: cartridges only -> lib_sync_cartridges; drives, slots,
 *       I/E slots or identity (id, vendor, product, revision) -> offline + online
 *       (LIB_RECONFIGURE lib= what=)
 *   online + same node, new epoch -> stays online (LIB_EPOCH lib= epoch=)
 *   a failed online is logged (LIB_ONLINE_FAILED) and retried after 5 s or a change.
 * A value that does not decode is logged (ETCD_BAD_VALUE key= reason=, rate-limited) and
 * treated as absent; keys that are not ours are ignored. A RESYNC from the watch (history
 * compacted) or a dropped event queue re-reads the prefix and reconciles everything.
 * Only an observed DELETE of a config key deletes data: a library merely missing from a
 * re-read (an etcd restored from an old backup, a wrong prefix) is offlined and kept.
 *
 * Concurrency: one module thread does all the work above: reads, decoding, the table
 * of libraries, every lib_open/lib_close/route_add/route_remove. The watch callback
 * (etcd's watch thread) only copies the event into a queue guarded by q_lock and signals
 * q_cond; no other lock is ever taken under q_lock. ownership_stop() is called by the
 * thread that started the module. The module polls cluster_lease_state() every 100 ms,
 * so fencing reacts within 100 ms plus the time offlining takes. */
#ifndef VTL_NODE_OWNERSHIP_H
#define VTL_NODE_OWNERSHIP_H

struct cluster;
struct route;
struct store;
struct ownership;

struct ownership_config {
	const char *endpoints;          /* etcd URLs, comma-separated (copied) */
	const char *prefix;             /* key prefix, "/vtl/" (copied) */
	const char *username;           /* "" or NULL: no auth (copied) */
	const char *password;
	const char *node_id;            /* this node: owner.node to match (copied) */
	const char *iqn_prefix;         /* target names <iqn_prefix>:<library> (copied) */
	struct cluster *cluster;        /* lease state; borrowed, outlives the module */
	struct route *route;            /* where online libraries are published; borrowed */
	struct store *store;            /* libraries' data; borrowed */
};

/* Starts the module thread; it serves nothing until the node is registered and has
 * read the prefix. 0, -EINVAL (bad prefix or id), -ENOMEM or a pthread error. */
int ownership_start(const struct ownership_config *cfg, struct ownership **out);

/* Stops the watch and the thread, offlines every library it serves (reason=shutdown:
 * in-flight commands finish, tapes are synced), frees. NULL is fine. */
void ownership_stop(struct ownership *o);

#endif
