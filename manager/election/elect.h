/* elect.h - one active manager among several, through an etcd election on the key
 * <prefix>manager/leader (docs/etcd-layout.md, leader record).
 *
 *                 get: key absent -> campaign won
 *   STANDBY ----------------------------------------------> LEADER
 *     ^  | get fails                                           |
 *     |  v                                                     | keeper FAILING / EXPIRED,
 *   NO_ETCD  (answers etcd_unavailable; retries every 500 ms)  | key deleted or replaced,
 *     ^                                                        | stop
 *     +------------------- step down (revoke lease) <----------+
 *
 * Campaign: grant a lease (ttl), then ONE transaction "if create_revision(key) == 0, put
 * the leader record on the lease" (atomic create-if-absent: two managers can never both
 * win), then a keeper renews the lease every ttl/3. The revision of that put is the
 * leader key's create_revision: the FENCE. Every write the leader makes compares it
 * (elect_fence), so a manager that has lost the key can no longer change anything even
 * if it has not noticed yet.
 *
 * Stepping down: the keeper reports FAILING once no renewal has succeeded for ttl/2,
 * well before etcd can expire the lease; the leader stops answering as leader at that
 * moment (the callback clears the role itself, before any etcd call), so an old leader
 * and its successor never both answer. A lease that could not be revoked (etcd down) is
 * remembered and revoked as soon as etcd answers again: etcd restores leases with a
 * fresh TTL when it restarts, and the stale key would otherwise delay the next leader.
 *
 * A standby watches the key (and re-reads it every 2 s as a backstop) and campaigns as
 * soon as it is deleted, i.e. within the lease TTL of a leader's death.
 *
 * Log lines: MGR_LEADER id= since= control= lease= ttl=, MGR_STANDBY leader= control=
 * (once per leader seen), MGR_STEP_DOWN reason=lease_failing|lease_expired|key_lost|
 * shutdown, MGR_ETCD_UNAVAILABLE (once per outage), MGR_ETCD_OK.
 *
 * Concurrency: the election thread owns its etcd client, the keeper, the watch and the
 * lease. `lock` guards role, fence, the leader record last seen and the wake flags; the
 * keeper and watch callbacks only take `lock`, set flags and signal `cond`. Request
 * threads read the role with elect_role / elect_fence (lock held briefly). on_elected
 * runs on the election thread with no lock held. */
#ifndef VTL_MGR_ELECT_H
#define VTL_MGR_ELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/records.h"

struct elect;

enum elect_role {
	ELECT_STANDBY,          /* another manager leads, or none yet */
	ELECT_LEADER,
	ELECT_NO_ETCD,          /* this manager cannot reach etcd */
};

struct elect_config {                   /* strings are copied */
	const char *endpoints;          /* etcd URLs, comma-separated */
	const char *prefix;
	const char *id;                 /* this manager's id */
	unsigned ttl;                   /* lease TTL, seconds, 2..60 */
	/* Called on the election thread right after winning (the role is already
	 * LEADER): resume work recorded in etcd. May be NULL. */
	void (*on_elected)(void *arg);
	void *arg;
};

/* Validates cfg and allocates; no thread, no etcd call yet (role STANDBY). 0, -EINVAL,
 * -ENOMEM. */
int elect_create(const struct elect_config *cfg, struct elect **out);
/* Starts campaigning (once), publishing `control` (the bound control URL) when leading.
 * -EINVAL when control would not make a valid leader record (logged). */
int elect_start(struct elect *e, const char *control);
/* Steps down if leading (revokes the lease: a standby takes over at once) and joins the
 * thread; the role stays STANDBY, so request threads may still ask. NULL is fine, and so
 * is a second call or a never started election. */
void elect_stop(struct elect *e);
/* Stops if needed and frees. Request threads must be done with it. NULL is fine. */
void elect_destroy(struct elect *e);

/* The role now; *leader (may be NULL) gets the leader record last seen (id "" if none;
 * this manager's own record when leading). */
enum elect_role elect_role(struct elect *e, struct proto_leader *leader);
/* True when leading, with the fence (the leader key's create_revision) in *fence. */
bool elect_fence(struct elect *e, int64_t *fence);
/* The leader key, "<prefix>manager/leader". */
const char *elect_key(const struct elect *e);

#endif
