/* elect.c - the manager election (states, threads and locks in elect.h). */
#include "manager/election/elect.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/etcd/etcd.h"
#include "common/log.h"

#define ELECT__ETCD_TIMEOUT_MS 1000
#define ELECT__RETRY_MS 500             /* etcd unreachable */
#define ELECT__POLL_MS 2000             /* standby backstop re-read */
#define ELECT__CHECK_MS 1000            /* leader: keeper state check */

struct elect {
	char endpoints[1024];
	char prefix[PROTO_PREFIX_MAX + 1];
	char id[PROTO_NAME_MAX + 1];
	char control[PROTO_ADDR_MAX + 1];
	char key[PROTO_KEY_MAX];
	unsigned ttl;
	void (*on_elected)(void *arg);
	void *arg;

	/* election thread only */
	struct etcd *c;
	struct etcd_keeper *k;
	struct etcd_watch *w;
	int64_t lease;                  /* != 0 while this manager holds the key */
	int64_t stale_lease;            /* to revoke once etcd answers again */
	bool started;
	bool down_logged;               /* MGR_ETCD_UNAVAILABLE said for this outage */
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t cond;            /* woken or stop */
	bool stop, woken, key_changed;
	bool lease_bad;                 /* sticky: keeper said FAILING or EXPIRED */
	enum etcd_keeper_state kstate;  /* the first bad state seen */
	enum elect_role role;
	int64_t fence;
	struct proto_leader seen;       /* leader last seen; ours when leading */
};

static uint64_t elect__unix_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Keeper thread. FAILING means etcd has not answered a renewal for ttl/2: stop
 * answering as leader now, before any etcd call (elect.h). */
static void elect__keeper_cb(void *arg, enum etcd_keeper_state s)
{
	struct elect *e = arg;
	pthread_mutex_lock(&e->lock);
	if (s != ETCD_KEEPER_OK && !e->lease_bad) {
		/* sticky: a renewal that succeeds later does not undo a step-down already
		 * visible to request threads */
		e->lease_bad = true;
		e->kstate = s;
		if (e->role == ELECT_LEADER)
			e->role = s == ETCD_KEEPER_FAILING ? ELECT_NO_ETCD : ELECT_STANDBY;
	}
	e->woken = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* Watch thread: any change of the leader key wakes the election thread. */
static void elect__watch_cb(void *arg, const struct etcd_event *ev)
{
	struct elect *e = arg;
	(void)ev;
	pthread_mutex_lock(&e->lock);
	e->key_changed = true;
	e->woken = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

/* Waits ms or until woken; true when stopping. */
static bool elect__wait(struct elect *e, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&e->lock);
	while (!e->stop && !e->woken)
		if (pthread_cond_timedwait(&e->cond, &e->lock, &ts) == ETIMEDOUT)
			break;
	e->woken = false;
	bool stop = e->stop;
	pthread_mutex_unlock(&e->lock);
	return stop;
}

static void elect__set_role(struct elect *e, enum elect_role role, int64_t fence,
			    const struct proto_leader *seen)
{
	pthread_mutex_lock(&e->lock);
	e->role = role;
	e->fence = fence;
	if (seen)
		e->seen = *seen;
	else
		memset(&e->seen, 0, sizeof e->seen);
	pthread_mutex_unlock(&e->lock);
}

static void elect__etcd_down(struct elect *e, int rc)
{
	pthread_mutex_lock(&e->lock);
	e->role = ELECT_NO_ETCD;
	pthread_mutex_unlock(&e->lock);
	if (!e->down_logged)
		vtl_log(LOG_ERROR, "MGR_ETCD_UNAVAILABLE", "err=%d detail=\"%s\"", rc,
			etcd_last_error(e->c));
	e->down_logged = true;
}

static void elect__etcd_up(struct elect *e)
{
	pthread_mutex_lock(&e->lock);
	if (e->role == ELECT_NO_ETCD)
		e->role = ELECT_STANDBY;
	pthread_mutex_unlock(&e->lock);
	if (e->down_logged)
		vtl_log(LOG_INFO, "MGR_ETCD_OK", "endpoints=%s", e->endpoints);
	e->down_logged = false;
}

static void elect__step_down(struct elect *e, const char *reason)
{
	pthread_mutex_lock(&e->lock);
	if (e->role == ELECT_LEADER)
		e->role = ELECT_STANDBY;
	e->fence = 0;
	memset(&e->seen, 0, sizeof e->seen);
	pthread_mutex_unlock(&e->lock);
	etcd_keeper_stop(e->k);
	e->k = NULL;
	int rc = etcd_lease_revoke(e->c, e->lease);
	if (rc && rc != -ENOENT)
		e->stale_lease = e->lease;      /* elect.h: revoked once etcd is back */
	vtl_log(LOG_WARN, "MGR_STEP_DOWN", "reason=%s lease=%lld revoked=%s", reason,
		(long long)e->lease, rc ? "no" : "yes");
	e->lease = 0;
}

/* A key with a value we cannot read, or no lease, was not written by a manager: with no
 * lease it would block every election forever, so it is removed (compare-and-delete). */
static void elect__foreign_key(struct elect *e, const struct etcd_kv *kv, const char *why)
{
	vtl_log_ratelimited(LOG_WARN, "ETCD_BAD_VALUE", "key=%s reason=\"%s\"", e->key, why);
	if (kv->lease)
		return;                 /* its lease will expire */
	struct etcd_cmp cmp = {.key = e->key, .key_len = strlen(e->key), .target = ETCD_CMP_MOD,
			       .result = ETCD_CMP_EQUAL, .number = kv->mod_revision};
	struct etcd_op del = {.type = ETCD_OP_DELETE, .key = e->key, .key_len = strlen(e->key)};
	struct etcd_txn_result res = {0};
	if (!etcd_txn(e->c, &cmp, 1, &del, 1, NULL, 0, &res) && res.succeeded)
		vtl_log(LOG_WARN, "MGR_LEADER_KEY_REMOVED", "key=%s reason=\"no lease\"", e->key);
	etcd_txn_result_free(&res);
}

/* The key exists: record who leads (MGR_STANDBY once per leader). */
static void elect__saw(struct elect *e, const struct etcd_kv *kv)
{
	char why[PROTO_REASON_MAX];
	struct proto_leader rec;
	if (proto_leader_decode(kv->value, kv->value_len, &rec, why, sizeof why)) {
		elect__foreign_key(e, kv, why);
		memset(&rec, 0, sizeof rec);
	} else if (!kv->lease) {
		elect__foreign_key(e, kv, "no lease");
	}
	pthread_mutex_lock(&e->lock);
	bool news = !proto_leader_equal(&rec, &e->seen);
	e->seen = rec;
	pthread_mutex_unlock(&e->lock);
	if (news && rec.id[0])
		vtl_log(LOG_INFO, "MGR_STANDBY", "leader=%s control=%s since=%llu", rec.id,
			rec.control, (unsigned long long)rec.since);
}

/* Starts the keeper and publishes the role; then resumes work (on_elected). */
static void elect__won(struct elect *e, int64_t lease, int64_t fence,
		       const struct proto_leader *rec)
{
	e->lease = lease;
	pthread_mutex_lock(&e->lock);
	e->kstate = ETCD_KEEPER_OK;
	e->lease_bad = false;
	e->key_changed = false;
	pthread_mutex_unlock(&e->lock);
	elect__set_role(e, ELECT_LEADER, fence, rec);
	int rc = etcd_keeper_start(e->c, lease, e->ttl, (int)(e->ttl * 1000 / 2), elect__keeper_cb,
				   e, &e->k);
	if (rc) {
		elect__step_down(e, "keeper_failed");
		return;
	}
	vtl_log(LOG_INFO, "MGR_LEADER", "id=%s since=%llu control=%s lease=%lld ttl=%u fence=%lld",
		e->id, (unsigned long long)rec->since, rec->control, (long long)lease, e->ttl,
		(long long)fence);
	if (e->on_elected)
		e->on_elected(e->arg);
}

/* Create-if-absent of the leader key on a new lease. 0 won, 1 lost, or an etcd error. */
static int elect__campaign(struct elect *e)
{
	struct proto_leader rec = {.since = elect__unix_ms()};
	snprintf(rec.id, sizeof rec.id, "%s", e->id);
	snprintf(rec.control, sizeof rec.control, "%s", e->control);
	char *json = NULL, why[PROTO_REASON_MAX];
	int64_t lease = 0;
	struct etcd_txn_result res = {0};
	int rc = proto_leader_encode(&rec, &json, why, sizeof why);
	if (!rc)
		rc = etcd_lease_grant(e->c, e->ttl, &lease, NULL);
	if (!rc) {
		size_t kl = strlen(e->key);
		struct etcd_cmp cmp = {.key = e->key, .key_len = kl, .target = ETCD_CMP_CREATE,
				       .result = ETCD_CMP_EQUAL, .number = 0};
		struct etcd_op put = {.type = ETCD_OP_PUT, .key = e->key, .key_len = kl,
				      .value = json, .value_len = strlen(json), .lease = lease};
		struct etcd_op get = {.type = ETCD_OP_RANGE, .key = e->key, .key_len = kl};
		rc = etcd_txn(e->c, &cmp, 1, &put, 1, &get, 1, &res);
	}
	if (!rc && res.succeeded)
		elect__won(e, lease, res.revision, &rec);
	else if (lease)
		etcd_lease_revoke(e->c, lease);         /* best effort; else it expires */
	if (!rc && !res.succeeded) {
		rc = 1;
		if (res.n_ranges == 1 && res.ranges[0].n == 1)
			elect__saw(e, &res.ranges[0].kv[0]);
	}
	etcd_txn_result_free(&res);
	free(json);
	return rc;
}

/* One standby round: read the key, campaign if it is absent. Returns the wait. */
static int elect__standby_step(struct elect *e)
{
	if (e->stale_lease) {
		int rc = etcd_lease_revoke(e->c, e->stale_lease);
		if (!rc || rc == -ENOENT)
			e->stale_lease = 0;
	}
	struct etcd_kvs kvs = {0};
	int rc = etcd_get(e->c, e->key, strlen(e->key), &kvs);
	if (rc) {
		elect__etcd_down(e, rc);
		return ELECT__RETRY_MS;
	}
	elect__etcd_up(e);
	if (!e->w)      /* from the read on, so no deletion slips between read and watch */
		etcd_watch_start(e->c, e->key, strlen(e->key), kvs.revision + 1, elect__watch_cb,
				 e, &e->w);
	int wait = ELECT__POLL_MS;
	if (kvs.n == 0) {
		rc = elect__campaign(e);
		if (rc < 0)
			elect__etcd_down(e, rc);
		wait = rc == 0 ? ELECT__CHECK_MS : rc == 1 ? 0 : ELECT__RETRY_MS;
	} else {
		elect__saw(e, &kvs.kv[0]);
	}
	etcd_kvs_free(&kvs);
	return wait;
}

/* One leader round: step down when the lease or the key is lost. Returns the wait. */
static int elect__leader_step(struct elect *e)
{
	pthread_mutex_lock(&e->lock);
	enum etcd_keeper_state ks = e->kstate;
	bool bad = e->lease_bad, changed = e->key_changed;
	int64_t fence = e->fence;
	e->key_changed = false;
	pthread_mutex_unlock(&e->lock);
	if (bad) {
		elect__step_down(e, ks == ETCD_KEEPER_FAILING ? "lease_failing" : "lease_expired");
		return 0;
	}
	if (changed) {
		/* deleted, re-created, or overwritten by someone else (a put keeps the
		 * create_revision but replaces the lease): not ours any more */
		struct etcd_kvs kvs = {0};
		if (!etcd_get(e->c, e->key, strlen(e->key), &kvs) &&
		    (kvs.n == 0 || kvs.kv[0].create_revision != fence || kvs.kv[0].lease != e->lease))
			elect__step_down(e, "key_lost");
		etcd_kvs_free(&kvs);
	}
	return e->lease ? ELECT__CHECK_MS : 0;
}

static void *elect__main(void *arg)
{
	struct elect *e = arg;
	int wait = 0;
	while (!elect__wait(e, wait))
		wait = e->lease ? elect__leader_step(e) : elect__standby_step(e);
	if (e->lease)
		elect__step_down(e, "shutdown");
	else if (e->stale_lease)
		etcd_lease_revoke(e->c, e->stale_lease);
	return NULL;
}

int elect_create(const struct elect_config *cfg, struct elect **out)
{
	*out = NULL;
	if (!cfg->endpoints || !proto_name_valid(cfg->id) || cfg->ttl < 2 || cfg->ttl > 60 ||
	    strlen(cfg->endpoints) >= sizeof((struct elect *)0)->endpoints)
		return -EINVAL;
	struct elect *e = calloc(1, sizeof *e);
	if (!e)
		return -ENOMEM;
	int rc = proto_key_leader(e->key, sizeof e->key, cfg->prefix);
	if (rc) {
		free(e);
		return rc;
	}
	snprintf(e->endpoints, sizeof e->endpoints, "%s", cfg->endpoints);
	snprintf(e->prefix, sizeof e->prefix, "%s", cfg->prefix);
	snprintf(e->id, sizeof e->id, "%s", cfg->id);
	e->ttl = cfg->ttl;
	e->on_elected = cfg->on_elected;
	e->arg = cfg->arg;
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cond, &ca);
	pthread_condattr_destroy(&ca);
	*out = e;
	return 0;
}

int elect_start(struct elect *e, const char *control)
{
	struct proto_leader probe = {.since = 1};
	char why[PROTO_REASON_MAX];
	snprintf(probe.id, sizeof probe.id, "%s", e->id);
	if (e->started || snprintf(probe.control, sizeof probe.control, "%s", control) >=
			  (int)sizeof probe.control)
		return -EINVAL;
	/* refused now rather than at every campaign: the record must encode */
	if (proto_leader_check(&probe, why, sizeof why)) {
		vtl_log(LOG_ERROR, "MGR_BAD_CONTROL_URL", "control=%s reason=\"%s\"", control, why);
		return -EINVAL;
	}
	snprintf(e->control, sizeof e->control, "%s", control);
	/* short requests, no extra passes: the thread retries by itself, and a step-down
	 * or a stop is never held up for long */
	struct etcd_config ecfg = {.endpoints = e->endpoints, .timeout_ms = ELECT__ETCD_TIMEOUT_MS};
	int rc = etcd_open(&ecfg, &e->c);
	if (!rc)
		rc = -pthread_create(&e->thread, NULL, elect__main, e);
	e->started = !rc;
	return rc;
}

void elect_stop(struct elect *e)
{
	if (!e || !e->started)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	e->started = false;
	etcd_watch_stop(e->w);
	e->w = NULL;
	etcd_keeper_stop(e->k);
	e->k = NULL;
	pthread_mutex_lock(&e->lock);
	if (e->role == ELECT_LEADER)    /* the thread stepped down; say so to readers */
		e->role = ELECT_STANDBY;
	pthread_mutex_unlock(&e->lock);
}

void elect_destroy(struct elect *e)
{
	if (!e)
		return;
	elect_stop(e);
	etcd_close(e->c);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

enum elect_role elect_role(struct elect *e, struct proto_leader *leader)
{
	pthread_mutex_lock(&e->lock);
	enum elect_role r = e->role;
	if (leader)
		*leader = e->seen;
	pthread_mutex_unlock(&e->lock);
	return r;
}

bool elect_fence(struct elect *e, int64_t *fence)
{
	pthread_mutex_lock(&e->lock);
	bool lead = e->role == ELECT_LEADER;
	*fence = lead ? e->fence : 0;
	pthread_mutex_unlock(&e->lock);
	return lead;
}

const char *elect_key(const struct elect *e)
{
	return e->key;
}
