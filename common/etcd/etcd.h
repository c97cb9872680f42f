/* etcd.h - client for etcd 3.4 through its v3 JSON/HTTP gateway (libcurl + jansson).
 *
 * What it offers: KV get/range/put/delete, transactions (compare-and-swap), leases with a
 * background keeper, and prefix watches that survive dropped connections. Keys and values
 * are byte strings (pointer + length; base64 on the wire), revisions and lease ids are
 * int64 (strings on the wire, never a double).
 *
 * Errors: 0 or a negative errno. When no endpoint answers, the call fails with one of
 * -ECONNREFUSED, -ETIMEDOUT or -EHOSTUNREACH (-ECONNRESET if a connection was dropped
 * mid-reply) after trying every endpoint (retries + 1) times with bounded backoff; the
 * endpoint and cause are logged (ETCD_UNREACHABLE) and etcd_last_error() returns a
 * one-line text for CLI messages. Server answers are translated once: -ENOENT (lease not
 * found), -ERANGE (revision compacted), -EINVAL (bad request, bad credentials),
 * -ENOSPC (space quota), -EACCES/-EPERM (auth), -EAGAIN (no leader / unavailable),
 * -EBADMSG (a reply that is not what etcd sends), -EMSGSIZE (reply over 64 MiB),
 * -EPROTO (TLS handshake or certificate), -EIO (anything else).
 *
 * Concurrency: a `struct etcd` may be shared by threads; its mutex serializes requests on
 * its one curl handle (one kept-alive connection), so a call may wait behind another
 * call for at most that call's bound. The keeper and each watch own a private clone of
 * the client (own handle, own lock) and one thread each; their callbacks run on that
 * thread with no lock of this module held, and may call any etcd_ function except the
 * _stop of the keeper or watch they are called from. */
#ifndef VTL_COMMON_ETCD_H
#define VTL_COMMON_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct etcd;
struct etcd_keeper;
struct etcd_watch;

struct etcd_config {
	const char *endpoints;   /* "http://127.0.0.1:2379,http://10.0.0.2:2379" (required) */
	int timeout_ms;          /* per HTTP request, connect included; 0 = 2000 */
	int retries;             /* extra passes over all endpoints; 0 = none, max 10 */
	int backoff_ms;          /* pause before the 2nd pass, doubled per pass, capped 2000; 0 = 100 */
	const char *username;    /* optional: etcd auth (token via /v3/auth/authenticate) */
	const char *password;
	const char *ca_file;     /* optional TLS: CA bundle to verify https endpoints */
	const char *cert_file;   /* optional TLS client certificate (PEM) */
	const char *key_file;    /* its private key (PEM) */
};

/* Every string in cfg is copied. Does not contact etcd (the first call does), except to
 * authenticate lazily on first use. */
int etcd_open(const struct etcd_config *cfg, struct etcd **out);
void etcd_close(struct etcd *c);   /* NULL is fine; stop keepers/watches first */

/* Text of the last failure seen by this client ("connection refused by
 * http://127.0.0.1:2379 (and 1 other endpoint)"), copied into a thread-local buffer. */
const char *etcd_last_error(struct etcd *c);

/* ---- KV ---- */

struct etcd_kv {
	uint8_t *key;            /* NUL-terminated for convenience; key_len excludes it */
	size_t key_len;
	uint8_t *value;          /* NUL-terminated likewise */
	size_t value_len;
	int64_t create_revision, mod_revision, version, lease;
};

struct etcd_kvs {            /* caller owns; release with etcd_kvs_free() */
	struct etcd_kv *kv;
	size_t n;
	int64_t revision;        /* header revision of the read */
};
void etcd_kvs_free(struct etcd_kvs *kvs);

/* Exact key. A missing key is not an error: n == 0. */
int etcd_get(struct etcd *c, const void *key, size_t key_len, struct etcd_kvs *out);
/* Every key starting with prefix (prefix_len 0 = the whole keyspace), sorted by key. */
int etcd_range(struct etcd *c, const void *prefix, size_t prefix_len, struct etcd_kvs *out);
/* lease 0 = none. *revision (may be NULL) gets the revision of the write. */
int etcd_put(struct etcd *c, const void *key, size_t key_len, const void *value,
	     size_t value_len, int64_t lease, int64_t *revision);
/* prefix: delete every key starting with key. *deleted (may be NULL) gets the count. */
int etcd_delete(struct etcd *c, const void *key, size_t key_len, bool prefix, int64_t *deleted);

/* Drops history before revision (watches and reads at older revisions then fail or
 * RESYNC). Waits until the compaction is applied. -ERANGE if already compacted. */
int etcd_compact(struct etcd *c, int64_t revision);

/* ---- transactions ---- */

enum etcd_cmp_target { ETCD_CMP_VERSION, ETCD_CMP_CREATE, ETCD_CMP_MOD, ETCD_CMP_VALUE };
enum etcd_cmp_result { ETCD_CMP_EQUAL, ETCD_CMP_GREATER, ETCD_CMP_LESS, ETCD_CMP_NOT_EQUAL };

struct etcd_cmp {
	const void *key;
	size_t key_len;
	enum etcd_cmp_target target;
	enum etcd_cmp_result result;
	int64_t number;          /* version / create_revision / mod_revision */
	const void *value;       /* ETCD_CMP_VALUE only */
	size_t value_len;
};

enum etcd_op_type { ETCD_OP_PUT, ETCD_OP_DELETE, ETCD_OP_RANGE };

struct etcd_op {
	enum etcd_op_type type;
	const void *key;
	size_t key_len;
	bool prefix;             /* DELETE/RANGE: every key starting with key */
	const void *value;       /* PUT */
	size_t value_len;
	int64_t lease;           /* PUT; 0 = none */
};

struct etcd_txn_result {     /* caller owns; release with etcd_txn_result_free() */
	bool succeeded;          /* compares held: the success ops ran */
	int64_t revision;
	struct etcd_kvs *ranges; /* one per op of the branch that ran; empty for put/delete */
	size_t n_ranges;
};
void etcd_txn_result_free(struct etcd_txn_result *r);

/* Runs success ops if every compare holds, else failure ops, atomically. A failed
 * compare is data (succeeded = false), not an error. At most 128 ops per branch. */
int etcd_txn(struct etcd *c, const struct etcd_cmp *cmp, size_t ncmp,
	     const struct etcd_op *success, size_t nsuccess,
	     const struct etcd_op *failure, size_t nfailure, struct etcd_txn_result *res);

/* ---- leases ---- */

/* etcd raises TTLs below its minimum (2 s on 3.4). *granted_ttl may be NULL. */
int etcd_lease_grant(struct etcd *c, int64_t ttl_s, int64_t *id, int64_t *granted_ttl);
/* One renewal. -ENOENT when the lease has expired or never existed. */
int etcd_lease_keepalive(struct etcd *c, int64_t id, int64_t *ttl);
/* Deletes the lease and every key attached to it. -ENOENT if unknown. */
int etcd_lease_revoke(struct etcd *c, int64_t id);

enum etcd_keeper_state {
	ETCD_KEEPER_OK,          /* renewed within the deadline */
	ETCD_KEEPER_FAILING,     /* no successful renewal for longer than the deadline */
	ETCD_KEEPER_EXPIRED,     /* etcd says the lease is gone: final, grant a new one */
};
/* Called on every state change, on the keeper thread. */
typedef void (*etcd_keeper_fn)(void *arg, enum etcd_keeper_state state);

/* Renews lease `id` every ttl/3 (retrying faster while renewals fail) on its own thread.
 * cb (may be NULL) hears state changes; etcd_keeper_state() polls. The keeper is owned by
 * the caller of start and ended by etcd_keeper_stop(), which joins the thread (waits at
 * most one request timeout) and does not revoke the lease. */
int etcd_keeper_start(struct etcd *c, int64_t id, int64_t ttl_s, int deadline_ms,
		      etcd_keeper_fn cb, void *arg, struct etcd_keeper **out);
enum etcd_keeper_state etcd_keeper_state(struct etcd_keeper *k);
void etcd_keeper_stop(struct etcd_keeper *k);   /* NULL is fine */

/* ---- watch ---- */

enum etcd_event_type {
	ETCD_EV_PUT,
	ETCD_EV_DELETE,
	/* History up to mod_revision (the compaction point) is gone: re-read the prefix with
	 * etcd_range. The watch then continues from a revision read before this callback, so
	 * events with mod_revision <= the re-read's revision may follow: skip them. */
	ETCD_EV_RESYNC,
};

struct etcd_event {          /* borrowed for the duration of the callback */
	enum etcd_event_type type;
	const uint8_t *key;      /* NUL-terminated; NULL for RESYNC */
	size_t key_len;
	const uint8_t *value;    /* PUT only; NULL otherwise */
	size_t value_len;
	int64_t mod_revision;
};
typedef void (*etcd_watch_fn)(void *arg, const struct etcd_event *ev);

/* Watches every key starting with prefix from start_revision (0 = from now). Events are
 * delivered in revision order on the watch thread; after a dropped connection the watch
 * reconnects (backoff up to 2 s, rotating endpoints) and resumes from the last seen
 * revision + 1, so nothing is lost or repeated unless a RESYNC says so. */
int etcd_watch_start(struct etcd *c, const void *prefix, size_t prefix_len,
		     int64_t start_revision, etcd_watch_fn cb, void *arg, struct etcd_watch **out);
void etcd_watch_stop(struct etcd_watch *w);     /* stops, joins, frees; NULL is fine */

#endif
