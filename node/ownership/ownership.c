/* ownership.c - the module thread: self-fencing, reads of the prefix, the event loop,
 * start and stop. States, rules and locking are in ownership.h.
 *
 * Every pass (an event, or 100 ms at most):
 *   1. take the queued events;
 *   2. SYNCED and the lease no longer fresh (or a new lease) -> fence: unpublish every
 *      library at once, then close them one by one (NODE_FENCED);
 *   3. SYNCED: apply the events newer than the last read; a RESYNC re-reads the prefix,
 *      but only while the lease leaves room for the read's timeout before the fence;
 *      not SYNCED and the lease fresh: read the prefix -> SYNCED (NODE_UNFENCED if it
 *      was FENCED). Events taken before a read are covered by it (etcd reads are
 *      linearizable), so they may be dropped;
 *   4. reconcile every library (own_serve.c), checking the lease before each one. */
#include "node/ownership/own_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/etcd/etcd.h"
#include "common/log.h"
#include "node/cluster/cluster.h"
#include "node/route/route.h"

#define OWN__PASS_MS 100
#define OWN__FENCE_MARGIN_MS 1000       /* offline this long before the lease can expire */
#define OWN__READ_TIMEOUT_MS 500

/* True when the lease is fresh: etcd keeps it for at least another fence margin. */
static bool own__lease_fresh(struct ownership *o, struct cluster_lease *st, int64_t *since)
{
	cluster_lease_state(o->cluster, st);
	*since = st->last_ok_ms ? cluster_now_ms() - st->last_ok_ms : -1;
	return st->registered && *since >= 0 && *since < st->ttl_ms - OWN__FENCE_MARGIN_MS;
}

static void own__fence(struct ownership *o, const struct cluster_lease *st, int64_t since)
{
	size_t n = 0;
	for (size_t i = 0; i < o->n_libs; i++)  /* nothing is served from here on */
		if (o->libs[i]->lib && route_unpublish(o->route, o->libs[i]->name))
			n++;
	vtl_log(LOG_ERROR, "NODE_FENCED", "since_ms=%lld ttl=%lld registered=%d libraries=%zu "
		"reason=\"no lease renewal for ttl - 1 s: stop serving before the lease can expire\"",
		(long long)since, (long long)(st->ttl_ms / 1000), st->registered, n);
	o->synced = false;
	o->fenced = true;
	for (size_t i = 0; i < o->n_libs; i++)
		own__offline(o, o->libs[i], "fenced");
}

/* Reads the whole prefix into the table and starts the watch after it. */
static int own__read(struct ownership *o)
{
	struct etcd_kvs kvs;
	int rc = etcd_range(o->etcd, o->dir, strlen(o->dir), &kvs);
	if (rc) {
		vtl_log_ratelimited(LOG_WARN, "OWN_READ_FAILED", "prefix=%s err=%d detail=\"%s\"",
				    o->dir, rc, etcd_last_error(o->etcd));
		return rc;
	}
	own__table_forget(o);
	for (size_t i = 0; i < kvs.n; i++)
		own__table_apply(o, true, kvs.kv[i].key, kvs.kv[i].key_len, kvs.kv[i].value,
				 kvs.kv[i].value_len, false);
	o->floor_rev = kvs.revision;
	vtl_log(LOG_INFO, "OWN_READ", "prefix=%s keys=%zu revision=%lld", o->dir, kvs.n,
		(long long)kvs.revision);
	etcd_kvs_free(&kvs);
	if (!o->watch) {
		rc = etcd_watch_start(o->etcd, o->dir, strlen(o->dir), o->floor_rev + 1,
				      own__watch_cb, o, &o->watch);
		if (rc)
			vtl_log(LOG_ERROR, "OWN_WATCH_FAILED", "prefix=%s err=%d", o->dir, rc);
	}
	return rc;
}

static void own__apply_events(struct ownership *o, const struct own__event *ev)
{
	for (; ev; ev = ev->next) {
		if (ev->mod_revision <= o->floor_rev)
			continue;       /* already in the last read */
		bool put = ev->type == ETCD_EV_PUT;
		own__table_apply(o, put, ev->key, ev->key_len, ev->value, ev->value_len,
				 put && !ev->value);
	}
}

/* Fences when SYNCED and the lease is no longer fresh (or was replaced). Also called
 * between libraries of a pass, so slow onlines never delay the fence. */
static bool own__fence_check(struct ownership *o, struct cluster_lease *st, int64_t *since)
{
	bool fresh = own__lease_fresh(o, st, since);
	if (o->synced && (!fresh || st->generation != o->synced_gen))
		own__fence(o, st, *since);
	return fresh;
}

/* Steps 2 and 3 of a pass. `resync` stays set while a wanted re-read is postponed. */
static void own__sync_step(struct ownership *o, const struct own__event *ev, bool *resync)
{
	struct cluster_lease st;
	int64_t since;
	bool fresh = own__fence_check(o, &st, &since);
	if (o->synced) {
		own__apply_events(o, ev);
		/* a read that hangs must not delay the fence past its margin */
		bool room = since + OWN__READ_TIMEOUT_MS + OWN__PASS_MS <
			    st.ttl_ms - OWN__FENCE_MARGIN_MS;
		if (*resync && room && !own__read(o))
			*resync = false;
		return;
	}
	*resync = false;        /* the read below covers it */
	if (!fresh || own__read(o))
		return;
	o->synced = true;
	o->synced_gen = st.generation;
	if (o->fenced)
		vtl_log(LOG_INFO, "NODE_UNFENCED", "lease=%lld generation=%llu", (long long)st.lease,
			(unsigned long long)st.generation);
	else
		vtl_log(LOG_INFO, "OWN_SYNCED", "lease=%lld", (long long)st.lease);
	o->fenced = false;
}

/* Waits for an event or ms; true when stopping. */
static bool own__wait(struct ownership *o, int ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&o->q_lock);
	if (!o->stop && !o->q_head && !o->q_resync)
		pthread_cond_timedwait(&o->q_cond, &o->q_lock, &ts);
	bool stop = o->stop;
	pthread_mutex_unlock(&o->q_lock);
	return stop;
}

static void *own__main(void *arg)
{
	struct ownership *o = arg;
	bool resync = false;
	while (!own__wait(o, OWN__PASS_MS)) {
		bool more = false;
		struct own__event *ev = own__queue_take(o, &more);
		resync |= more;
		own__sync_step(o, ev, &resync);
		own__events_free(ev);
		for (size_t i = 0; i < o->n_libs; i++) {
			struct cluster_lease st;
			int64_t since;
			own__fence_check(o, &st, &since);
			own__reconcile(o, o->libs[i], cluster_now_ms());
		}
		own__table_prune(o);
	}
	return NULL;
}

static void own__free(struct ownership *o)
{
	etcd_close(o->etcd);
	pthread_cond_destroy(&o->q_cond);
	pthread_mutex_destroy(&o->q_lock);
	free(o);
}

static int own__init(struct ownership *o, const struct ownership_config *cfg)
{
	if (!cfg->cluster || !cfg->route || !cfg->store || !proto_name_valid(cfg->node_id) ||
	    !proto_prefix_valid(cfg->prefix))
		return -EINVAL;
	snprintf(o->id, sizeof o->id, "%s", cfg->node_id);
	snprintf(o->prefix, sizeof o->prefix, "%s", cfg->prefix);
	if ((size_t)snprintf(o->iqn_prefix, sizeof o->iqn_prefix, "%s", cfg->iqn_prefix) >=
	    sizeof o->iqn_prefix)
		return -EINVAL;
	int rc = proto_key_dir(o->dir, sizeof o->dir, o->prefix, PROTO_KEY_LIB_CONFIG);
	if (rc)
		return rc;
	o->cluster = cfg->cluster;
	o->route = cfg->route;
	o->store = cfg->store;
	struct etcd_config ecfg = {
		.endpoints = cfg->endpoints, .timeout_ms = OWN__READ_TIMEOUT_MS,
		.username = cfg->username && cfg->username[0] ? cfg->username : NULL,
		.password = cfg->password && cfg->password[0] ? cfg->password : NULL};
	return etcd_open(&ecfg, &o->etcd);
}

int ownership_start(const struct ownership_config *cfg, struct ownership **out)
{
	*out = NULL;
	struct ownership *o = calloc(1, sizeof *o);
	if (!o)
		return -ENOMEM;
	pthread_mutex_init(&o->q_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->q_cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = own__init(o, cfg);
	if (!rc)
		rc = -pthread_create(&o->thread, NULL, own__main, o);
	if (rc) {
		own__free(o);
		return rc;
	}
	*out = o;
	return 0;
}

void ownership_stop(struct ownership *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->q_lock);
	o->stop = true;
	pthread_cond_signal(&o->q_cond);
	pthread_mutex_unlock(&o->q_lock);
	pthread_join(o->thread, NULL);
	etcd_watch_stop(o->watch);      /* no callback after this */
	bool resync;
	own__events_free(own__queue_take(o, &resync));
	for (size_t i = 0; i < o->n_libs; i++)
		own__offline(o, o->libs[i], "shutdown");
	own__table_free(o);
	own__free(o);
}
