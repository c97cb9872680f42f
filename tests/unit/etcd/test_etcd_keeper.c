/* The lease keeper against a private etcd: the lease outlives its TTL while kept; a
 * frozen etcd (SIGSTOP) makes the keeper report FAILING after the deadline and OK again
 * once etcd is back, with the lease and its key intact; a revoked lease is EXPIRED. */
#include "tests/unit/etcd/etu.h"

#include "tests/testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct states {
	pthread_mutex_t lock;
	int n;
	enum etcd_keeper_state s[16];
	int64_t at[16];
};

static void on_state(void *arg, enum etcd_keeper_state s)
{
	struct states *st = arg;
	pthread_mutex_lock(&st->lock);
	if (st->n < 16) {
		st->s[st->n] = s;
		st->at[st->n++] = etu_now_ms();
	}
	pthread_mutex_unlock(&st->lock);
}

static int wait_states(struct states *st, int n, int ms)
{
	int64_t t0 = etu_now_ms();
	for (;;) {
		pthread_mutex_lock(&st->lock);
		int got = st->n;
		pthread_mutex_unlock(&st->lock);
		if (got >= n || etu_now_ms() - t0 > ms)
			return got;
		etu_sleep_ms(20);
	}
}

static size_t count(struct etcd *c, const char *k)
{
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, k, strlen(k), &kvs), 0);
	size_t n = kvs.n;
	etcd_kvs_free(&kvs);
	return n;
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	struct etu_etcd e;
	etu_start(&e, "keeper", atoi(argv[1]), 0);
	struct etcd *c = etu_open(e.url, 500, 0);
	const char *k = "node/1";
	int64_t id;
	CHECK_EQ(etcd_lease_grant(c, 5, &id, NULL), 0);
	CHECK_EQ(etcd_put(c, k, strlen(k), "alive", 5, id, NULL), 0);

	struct states st = {.lock = PTHREAD_MUTEX_INITIALIZER};
	struct etcd_keeper *kp;
	CHECK_EQ(etcd_keeper_start(c, id, 5, 1500, on_state, &st, &kp), 0);
	etu_sleep_ms(5600);                        /* longer than the TTL */
	CHECK_EQ(count(c, k), 1);
	CHECK_EQ(etcd_keeper_state(kp), ETCD_KEEPER_OK);
	CHECK_EQ(st.n, 0);

	int64_t frozen = etu_now_ms();
	etu_freeze(&e, 1);
	CHECK_EQ(wait_states(&st, 1, 4000), 1);
	etu_freeze(&e, 0);
	CHECK_EQ(st.s[0], ETCD_KEEPER_FAILING);
	CHECK(st.at[0] - frozen >= 0 && st.at[0] - frozen < 3500);
	CHECK_EQ(wait_states(&st, 2, 3000), 2);
	CHECK_EQ(st.s[1], ETCD_KEEPER_OK);
	CHECK_EQ(etcd_keeper_state(kp), ETCD_KEEPER_OK);
	CHECK_EQ(count(c, k), 1);                 /* renewed before it expired */
	etcd_keeper_stop(kp);

	/* a lease revoked under the keeper: EXPIRED, once */
	int64_t id2;
	struct states st2 = {.lock = PTHREAD_MUTEX_INITIALIZER};
	CHECK_EQ(etcd_lease_grant(c, 3, &id2, NULL), 0);
	CHECK_EQ(etcd_keeper_start(c, id2, 3, 1000, on_state, &st2, &kp), 0);
	CHECK_EQ(etcd_lease_revoke(c, id2), 0);
	CHECK_EQ(wait_states(&st2, 1, 3000), 1);
	CHECK_EQ(st2.s[0], ETCD_KEEPER_EXPIRED);
	CHECK_EQ(etcd_keeper_state(kp), ETCD_KEEPER_EXPIRED);
	etu_sleep_ms(300);
	CHECK_EQ(st2.n, 1);
	etcd_keeper_stop(kp);
	etcd_keeper_stop(NULL);

	CHECK_EQ(etcd_keeper_start(c, id, 0, 1000, NULL, NULL, &kp), -EINVAL);
	CHECK_EQ(etcd_lease_revoke(c, id), 0);
	CHECK_EQ(count(c, k), 0);
	etcd_close(c);
	etu_stop(&e);
	return 0;
}
