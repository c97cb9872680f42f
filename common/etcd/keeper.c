/* keeper.c - keeps one lease alive from a background thread and says when it cannot.
 *
 * The keeper thread owns its private client (k->c) and every field but `stop` and
 * `state`, which k->lock guards. It renews every ttl/3, like the Go client, which leaves
 * room for two missed renewals before the lease expires; while renewals fail it retries
 * every ttl/10 (at least 100 ms). The owner learns, through cb and etcd_keeper_state():
 *
 *   OK --(no renewal for deadline_ms)--> FAILING --(renewal succeeds)--> OK
 *   OK or FAILING --(etcd: lease not found)--> EXPIRED   (final: the thread only waits)
 *
 * A FAILING owner must assume its lease (and the ownership it stands for) may be gone
 * once ttl has passed since the last renewal: that is what self-fencing acts on. */
#include "common/etcd/etcd_int.h"

#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct etcd_keeper {
	struct etcd *c;
	int64_t id;
	int64_t ttl_ms;
	int64_t deadline_ms;
	etcd_keeper_fn cb;
	void *arg;
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t cond;           /* signalled by stop */
	bool stop;
	enum etcd_keeper_state state;
};

static int64_t etcd__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until `at` (monotonic ms) or stop; returns true when stopping. */
static bool etcd__keeper_wait(struct etcd_keeper *k, int64_t at)
{
	struct timespec ts = {(time_t)(at / 1000), (long)(at % 1000) * 1000000L};
	pthread_mutex_lock(&k->lock);
	while (!k->stop && etcd__now_ms() < at)
		pthread_cond_timedwait(&k->cond, &k->lock, &ts);
	bool stop = k->stop;
	pthread_mutex_unlock(&k->lock);
	return stop;
}

static void etcd__keeper_set(struct etcd_keeper *k, enum etcd_keeper_state s, int err)
{
	static const char *const names[] = {"ok", "failing", "expired"};
	pthread_mutex_lock(&k->lock);
	bool changed = k->state != s;
	k->state = s;
	pthread_mutex_unlock(&k->lock);
	if (!changed)
		return;
	vtl_log(s == ETCD_KEEPER_OK ? LOG_INFO : LOG_ERROR, "ETCD_LEASE_STATE",
		"lease=%lld state=%s err=%d detail=\"%s\"", (long long)k->id, names[s], err,
		err ? etcd_last_error(k->c) : "");
	if (k->cb)
		k->cb(k->arg, s);       /* no lock held */
}

static void *etcd__keeper_main(void *arg)
{
	struct etcd_keeper *k = arg;
	int64_t last_ok = etcd__now_ms();
	int64_t retry = k->ttl_ms / 10 < 100 ? 100 : k->ttl_ms / 10;
	int64_t next = last_ok + k->ttl_ms / 3;
	while (!etcd__keeper_wait(k, next)) {
		int rc = etcd_lease_keepalive(k->c, k->id, NULL);
		int64_t now = etcd__now_ms();
		if (!rc) {
			last_ok = now;
			next = now + k->ttl_ms / 3;
			etcd__keeper_set(k, ETCD_KEEPER_OK, 0);
		} else if (rc == -ENOENT) {
			etcd__keeper_set(k, ETCD_KEEPER_EXPIRED, rc);
			next = INT64_MAX / 2;   /* final: wait for stop */
		} else {
			if (now - last_ok > k->deadline_ms)
				etcd__keeper_set(k, ETCD_KEEPER_FAILING, rc);
			next = now + retry;
		}
	}
	return NULL;
}

int etcd_keeper_start(struct etcd *c, int64_t id, int64_t ttl_s, int deadline_ms,
		      etcd_keeper_fn cb, void *arg, struct etcd_keeper **out)
{
	*out = NULL;
	if (ttl_s <= 0 || ttl_s > 1000000 || deadline_ms <= 0)
		return -EINVAL;
	struct etcd_keeper *k = calloc(1, sizeof *k);
	if (!k)
		return -ENOMEM;
	*k = (struct etcd_keeper){.id = id, .ttl_ms = ttl_s * 1000, .deadline_ms = deadline_ms,
				  .cb = cb, .arg = arg, .state = ETCD_KEEPER_OK};
	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cond, &ca);
	pthread_condattr_destroy(&ca);
	int rc = etcd__clone(c, &k->c);
	if (!rc)
		rc = -pthread_create(&k->thread, NULL, etcd__keeper_main, k);
	if (rc) {
		etcd_close(k->c);
		pthread_cond_destroy(&k->cond);
		pthread_mutex_destroy(&k->lock);
		free(k);
		return rc;
	}
	*out = k;
	return 0;
}

enum etcd_keeper_state etcd_keeper_state(struct etcd_keeper *k)
{
	pthread_mutex_lock(&k->lock);
	enum etcd_keeper_state s = k->state;
	pthread_mutex_unlock(&k->lock);
	return s;
}

void etcd_keeper_stop(struct etcd_keeper *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->cond);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	etcd_close(k->c);
	pthread_cond_destroy(&k->cond);
	pthread_mutex_destroy(&k->lock);
	free(k);
}
