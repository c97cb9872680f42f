/* conn.h - how clusterctl reaches the cluster: etcd first (the only source of truth, and
 * where the active manager publishes itself), then the manager's control API.
 *
 * Finding the manager: read <prefix>manager/leader, rpc_call() its control URL. A standby
 * answers not_leader, and a manager that just died refuses the connection; both are
 * normal during a takeover (a standby takes over within the leader lease's TTL), so the
 * call re-reads the leader key and retries every 200 ms until --timeout. Only failures
 * where the request cannot have been delivered are retried (refused connection, no or
 * stale leader): a timeout or a dropped connection may mean it ran, and requests are
 * at most once (rpc.h).
 *
 * The etcd client is opened once per process, short per-request timeouts, no retries:
 * an operator wants "etcd unreachable" at once, naming the endpoint. Single-threaded
 * except that `events` shares the etcd client with its watch (etcd.h allows it). */
#ifndef VTL_CLIENT_CONN_H
#define VTL_CLIENT_CONN_H

#include <jansson.h>
#include <stddef.h>

#include "client/cli.h"
#include "proto/keys.h"
#include "proto/records.h"

struct etcd;

struct cli_conn {
	struct etcd *etcd;
	char leader_key[PROTO_KEY_MAX];
};

/* Extra text for an error code of one command ("see: clusterctl libraries"); an array
 * ended by {PROTO_CTL_OK, NULL}. Codes without one get a generic hint. */
struct cli_hint {
	enum proto_ctl_err err;
	const char *text;
};

/* Opens the etcd client on first use (checks --prefix and --etcd). 0, or the exit code
 * after printing the error. */
int cli_conn_get(struct cli *cli, struct cli_conn **out);
void cli_conn_close(struct cli *cli);

/* "etcd unreachable: connection refused by URL" (or another etcd failure) for rc, a
 * negative errno from etcd.h, into buf. Returns buf. */
const char *cli_etcd_why(struct cli *cli, int rc, char *buf, size_t cap);

/* Prints "etcd unreachable: connection refused by URL (check --etcd or VTL_ETCD)" or
 * another etcd failure for rc (a negative errno from etcd.h) and returns exit code 9. */
int cli_etcd_fail(struct cli *cli, int rc);

/* The leader record. 0, -ENOENT (no leader key), -EINVAL (bad value: reason in why), or
 * an etcd failure (not printed: pass it to cli_etcd_fail). */
int cli_conn_leader(struct cli *cli, struct proto_leader *out, char *why, size_t why_cap);

/* Calls op on the active manager, retrying as above. args are borrowed (NULL = {}).
 * 0 with *result (a new reference), or the exit code after printing the error line:
 * the manager's message plus the hint for its code. */
int cli_call(struct cli *cli, const char *op, const json_t *args, const struct cli_hint *hints,
	     json_t **result);

#endif
