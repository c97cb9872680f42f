/* cluster.c - registration of nodes/<id> on a lease and its renewals; states and threads
 * in cluster.h. */
#include "node/cluster/cluster.h"

#include "common/etcd/etcd.h"
#include "common/log.h"
#include "proto/records.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

struct cluster {
	struct etcd *c;                 /* cluster thread (and cluster_stop after join) */
	int64_t lease;                  /* cluster thread: 0 = unregistered */
	bool ever;                      /* registered once: next time is a re-registration */
	bool failing;                   /* NODE_LEASE_FAILING logged for this streak */
	int64_t next_renew_ms;
	int64_t ttl_ms;
	char key[PROTO_KEY_MAX];
	char data_dir[4096];
	struct proto_node rec;
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t cond;            /* stop */
	bool stop;
	struct cluster_lease st;        /* published copy of the lease state */
};

int64_t cluster_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cluster_lease_state(struct cluster *cl, struct cluster_lease *out)
{
	pthread_mutex_lock(&cl->lock);
	*out = cl->st;
	pthread_mutex_unlock(&cl->lock);
}

/* Publishes the cluster thread's view; sent_ms is when a successful call was sent
 * (0: keep last_ok_ms). */
static void cluster__publish(struct cluster *cl, int64_t sent_ms, bool new_lease)
{
	pthread_mutex_lock(&cl->lock);
	cl->st.registered = cl->lease != 0;
	cl->st.lease = cl->lease;
	if (new_lease)
		cl->st.generation++;
	if (sent_ms)
		cl->st.last_ok_ms = sent_ms;
	pthread_mutex_unlock(&cl->lock);
}

/* Grant, put the record on the lease. 0 or the first failure. */
static int cluster__register(struct cluster *cl)
{
	struct statvfs sv;
	if (!statvfs(cl->data_dir, &sv)) {
		cl->rec.capacity_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
		cl->rec.free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	}
	char *json = NULL, why[PROTO_REASON_MAX];
	int64_t lease = 0, sent = cluster_now_ms();
	int rc = proto_node_encode(&cl->rec, &json, why, sizeof why);
	if (!rc)
		rc = etcd_lease_grant(cl->c, cl->ttl_ms / 1000, &lease, NULL);
	if (!rc)
		rc = etcd_put(cl->c, cl->key, strlen(cl->key), json, strlen(json), lease, NULL);
	if (rc && lease)
		etcd_lease_revoke(cl->c, lease);   /* best effort; else it expires */
	free(json);
	if (rc)
		return rc;
	cl->lease = lease;
	cl->failing = false;
	cl->next_renew_ms = sent + cl->ttl_ms / 3;
	cluster__publish(cl, sent, true);
	return 0;
}

/* One renewal when it is due; drops the lease when it must be taken as gone. */
static void cluster__renew(struct cluster *cl)
{
	int64_t sent = cluster_now_ms();
	if (sent < cl->next_renew_ms)
		return;
	int rc = etcd_lease_keepalive(cl->c, cl->lease, NULL);
	int64_t now = cluster_now_ms();
	struct cluster_lease st;
	cluster_lease_state(cl, &st);
	if (!rc) {
		if (cl->failing)
			vtl_log(LOG_INFO, "NODE_LEASE_OK", "lease=%lld", (long long)cl->lease);
		cl->failing = false;
		cl->next_renew_ms = sent + cl->ttl_ms / 3;
		cluster__publish(cl, sent, false);
		return;
	}
	int64_t retry = cl->ttl_ms / 10 < 100 ? 100 : cl->ttl_ms / 10;
	cl->next_renew_ms = now + retry;
	if (rc != -ENOENT && now - st.last_ok_ms < cl->ttl_ms) {
		if (!cl->failing && now - st.last_ok_ms > cl->ttl_ms / 2) {
			vtl_log(LOG_WARN, "NODE_LEASE_FAILING", "lease=%lld since_ms=%lld err=%d "
				"detail=\"%s\"", (long long)cl->lease, (long long)(now - st.last_ok_ms),
				rc, etcd_last_error(cl->c));
			cl->failing = true;
		}
		return;
	}
	vtl_log(LOG_ERROR, "NODE_LEASE_EXPIRED", "lease=%lld since_ms=%lld reason=%s",
		(long long)cl->lease, (long long)(now - st.last_ok_ms),
		rc == -ENOENT ? "etcd" : "ttl");
	cl->lease = 0;
	cluster__publish(cl, 0, false);
}

/* Waits ms or until stop; true when stopping. */
static bool cluster__wait(struct cluster *cl, int64_t ms)
{
	int64_t at = cluster_now_ms() + (ms > 0 ? ms : 0);
	struct timespec ts = {(time_t)(at / 1000), (long)(at % 1000) * 1000000L};
	pthread_mutex_lock(&cl->lock);
	if (!cl->stop && ms > 0)
		pthread_cond_timedwait(&cl->cond, &cl->lock, &ts);
	bool stop = cl->stop;
	pthread_mutex_unlock(&cl->lock);
	return stop;
}

static void *cluster__main(void *arg)
{
	struct cluster *cl = arg;
	bool failed = false;
	int64_t wait_ms = 0;
	while (!cluster__wait(cl, wait_ms)) {
		if (cl->lease) {
			cluster__renew(cl);
			wait_ms = cl->lease ? cl->next_renew_ms - cluster_now_ms() : 0;
			continue;
		}
		int rc = cluster__register(cl);
		if (rc) {
			if (!failed)
				vtl_log(LOG_ERROR, "NODE_REGISTER_FAILED", "err=%d detail=\"%s\"", rc,
					etcd_last_error(cl->c));
			failed = true;
			wait_ms = 500;
			continue;
		}
		failed = false;
		vtl_log(LOG_INFO, cl->ever ? "NODE_REREGISTERED" : "NODE_REGISTERED",
			"lease=%lld ttl=%lld portal=%s peer=%s", (long long)cl->lease,
			(long long)(cl->ttl_ms / 1000), cl->rec.portal, cl->rec.peer);
		cl->ever = true;
		wait_ms = cl->next_renew_ms - cluster_now_ms();
	}
	return NULL;
}

/* Fills the record's fixed fields; -EINVAL when they would not encode. */
static int cluster__record(struct cluster *cl, const struct cluster_config *cfg)
{
	const char *colon = strrchr(cfg->portal, ':');
	int host_len = colon ? (int)(colon - cfg->portal) : 0;
	unsigned peer_port = cfg->bound_port + 1000u > 65535u ? cfg->bound_port - 1000u
							       : cfg->bound_port + 1000u;
	snprintf(cl->rec.id, sizeof cl->rec.id, "%s", cfg->id);
	snprintf(cl->rec.portal, sizeof cl->rec.portal, "%.*s:%u", host_len, cfg->portal,
		 cfg->bound_port);
	if (cfg->peer && cfg->peer[0])
		snprintf(cl->rec.peer, sizeof cl->rec.peer, "%s", cfg->peer);
	else
		snprintf(cl->rec.peer, sizeof cl->rec.peer, "tcp://%.*s:%u", host_len, cfg->portal,
			 peer_port);
	snprintf(cl->rec.version, sizeof cl->rec.version, "%s", VTL_VERSION);
	snprintf(cl->data_dir, sizeof cl->data_dir, "%s", cfg->data_dir);
	char why[PROTO_REASON_MAX];
	int rc = proto_node_check(&cl->rec, why, sizeof why);
	if (!rc)
		rc = proto_key_node(cl->key, sizeof cl->key, cfg->prefix, cfg->id);
	if (rc)
		vtl_log(LOG_ERROR, "NODE_RECORD_INVALID", "id=%s reason=\"%s\"", cfg->id,
			rc == -EINVAL ? why : "bad key");
	return rc;
}

int cluster_start(const struct cluster_config *cfg, struct cluster **out)
{
	*out = NULL;
	if (cfg->lease_ttl < 2 || cfg->lease_ttl > 60)
		return -EINVAL;
	struct cluster *cl = calloc(1, sizeof *cl);
	if (!cl)
		return -ENOMEM;
	cl->ttl_ms = (int64_t)cfg->lease_ttl * 1000;
	cl->st.ttl_ms = cl->ttl_ms;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cl->cond, &ca);
	pthread_condattr_destroy(&ca);
	/* 1 s per request, no extra passes: the thread retries, and stop stays bounded */
	struct etcd_config ecfg = {.endpoints = cfg->endpoints, .timeout_ms = 1000,
				   .username = cfg->username && cfg->username[0] ? cfg->username : NULL,
				   .password = cfg->password && cfg->password[0] ? cfg->password : NULL};
	int rc = cluster__record(cl, cfg);
	if (!rc)
		rc = etcd_open(&ecfg, &cl->c);
	if (!rc)
		rc = -pthread_create(&cl->thread, NULL, cluster__main, cl);
	if (rc) {
		etcd_close(cl->c);
		pthread_cond_destroy(&cl->cond);
		pthread_mutex_destroy(&cl->lock);
		free(cl);
		return rc;
	}
	*out = cl;
	return 0;
}

void cluster_stop(struct cluster *cl)
{
	if (!cl)
		return;
	pthread_mutex_lock(&cl->lock);
	cl->stop = true;
	pthread_cond_signal(&cl->cond);
	pthread_mutex_unlock(&cl->lock);
	pthread_join(cl->thread, NULL);
	if (cl->lease) {
		int rc = etcd_lease_revoke(cl->c, cl->lease);
		vtl_log(rc ? LOG_WARN : LOG_INFO, "NODE_DEREGISTERED", "lease=%lld err=%d",
			(long long)cl->lease, rc);
	}
	etcd_close(cl->c);
	pthread_cond_destroy(&cl->cond);
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}
