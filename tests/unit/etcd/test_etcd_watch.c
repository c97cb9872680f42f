/* Watches against a private etcd: ordered PUT/DELETE events (a txn's events together,
 * keys outside the prefix not seen); no event lost or repeated across an etcd restart on
 * the same data dir; a watch from a compacted revision gets RESYNC and then live events. */
#include "tests/unit/etcd/etu.h"

#include "tests/testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAXEV 64

struct rec {
	struct etcd *c;          /* for the re-read on RESYNC */
	pthread_mutex_t lock;
	int n;
	enum etcd_event_type type[MAXEV];
	char key[MAXEV][32];
	char value[MAXEV][16];
	int64_t rev[MAXEV];
	size_t resync_count;     /* keys the owner re-read on RESYNC */
};

static void on_event(void *arg, const struct etcd_event *ev)
{
	struct rec *r = arg;
	size_t reread = 0;
	if (ev->type == ETCD_EV_RESYNC) {
		struct etcd_kvs kvs;
		CHECK(ev->key == NULL);
		CHECK_EQ(etcd_range(r->c, "w/", 2, &kvs), 0);   /* allowed from the callback */
		reread = kvs.n;
		etcd_kvs_free(&kvs);
	}
	pthread_mutex_lock(&r->lock);
	CHECK(r->n < MAXEV);
	int i = r->n;
	r->type[i] = ev->type;
	r->rev[i] = ev->mod_revision;
	snprintf(r->key[i], sizeof r->key[i], "%s", ev->key ? (const char *)ev->key : "");
	snprintf(r->value[i], sizeof r->value[i], "%s", ev->value ? (const char *)ev->value : "");
	if (ev->type == ETCD_EV_RESYNC)
		r->resync_count = reread;
	r->n++;
	pthread_mutex_unlock(&r->lock);
}

static void wait_n(struct rec *r, int n, int ms)
{
	int64_t t0 = etu_now_ms();
	int got;
	do {
		etu_sleep_ms(20);
		pthread_mutex_lock(&r->lock);
		got = r->n;
		pthread_mutex_unlock(&r->lock);
	} while (got < n && etu_now_ms() - t0 < ms);
	CHECK_EQ(got, n);
}

static void expect(struct rec *r, int i, enum etcd_event_type t, const char *k, const char *v)
{
	if (r->type[i] != t || strcmp(r->key[i], k) || strcmp(r->value[i], v)) {
		fprintf(stderr, "event %d: got type %d key %s value %s rev %lld, want %d %s %s\n", i,
			r->type[i], r->key[i], r->value[i], (long long)r->rev[i], t, k, v);
		exit(1);
	}
	if (i > 0)
		CHECK(r->rev[i] >= r->rev[i - 1]);
}

static int64_t put(struct etcd *c, const char *k, const char *v)
{
	int64_t rev;
	CHECK_EQ(etcd_put(c, k, strlen(k), v, strlen(v), 0, &rev), 0);
	return rev;
}

static void test_order_and_restart(struct etu_etcd *e, struct etcd *c, struct rec *r)
{
	int64_t r0 = put(c, "w/pre", "0");
	struct etcd_watch *w;
	CHECK_EQ(etcd_watch_start(c, "w/", 2, r0 + 1, on_event, r, &w), 0);
	put(c, "w/a", "1");
	put(c, "v/outside", "x");
	put(c, "w/a", "2");
	struct etcd_op ops[] = {
		{.type = ETCD_OP_PUT, .key = "w/b", .key_len = 3, .value = "3", .value_len = 1},
		{.type = ETCD_OP_PUT, .key = "w/c", .key_len = 3, .value = "4", .value_len = 1},
	};
	struct etcd_txn_result res;
	CHECK_EQ(etcd_txn(c, NULL, 0, ops, 2, NULL, 0, &res), 0);
	etcd_txn_result_free(&res);
	CHECK_EQ(etcd_delete(c, "w/a", 3, false, NULL), 0);
	wait_n(r, 5, 3000);
	expect(r, 0, ETCD_EV_PUT, "w/a", "1");
	CHECK_EQ(r->rev[0], r0 + 1);
	expect(r, 1, ETCD_EV_PUT, "w/a", "2");
	expect(r, 2, ETCD_EV_PUT, "w/b", "3");
	expect(r, 3, ETCD_EV_PUT, "w/c", "4");
	CHECK_EQ(r->rev[2], r->rev[3]);           /* one txn, one revision */
	expect(r, 4, ETCD_EV_DELETE, "w/a", "");

	/* restart on the same data: writes right after the restart, before the watch is
	 * back, arrive once and in order */
	etu_stop(e);
	etu_start(e, "watch", e->port, 1);
	put(c, "w/d", "5");
	put(c, "w/e", "6");
	CHECK_EQ(etcd_delete(c, "w/d", 3, false, NULL), 0);
	wait_n(r, 8, 6000);
	expect(r, 5, ETCD_EV_PUT, "w/d", "5");
	expect(r, 6, ETCD_EV_PUT, "w/e", "6");
	expect(r, 7, ETCD_EV_DELETE, "w/d", "");
	CHECK(r->rev[5] > r->rev[4]);
	put(c, "w/f", "7");                       /* the live stream still works */
	wait_n(r, 9, 3000);
	expect(r, 8, ETCD_EV_PUT, "w/f", "7");
	etu_sleep_ms(200);
	CHECK_EQ(r->n, 9);                        /* nothing repeated */
	etcd_watch_stop(w);
}

static void test_compaction(struct etcd *c, struct rec *r, int64_t from)
{
	int64_t last = put(c, "w/g", "8");
	CHECK_EQ(etcd_compact(c, last), 0);
	CHECK_EQ(etcd_compact(c, last), -ERANGE);
	struct etcd_kvs kvs;
	struct etcd_watch *w;
	CHECK_EQ(etcd_watch_start(c, "w/", 2, from, on_event, r, &w), 0);
	wait_n(r, 1, 3000);
	CHECK_EQ(r->type[0], ETCD_EV_RESYNC);
	CHECK_EQ(r->rev[0], last);                /* compact_revision */
	CHECK_EQ(etcd_range(c, "w/", 2, &kvs), 0);
	CHECK_EQ(r->resync_count, kvs.n);         /* pre, b, c, e, f, g */
	CHECK_EQ(kvs.n, 6);
	etcd_kvs_free(&kvs);
	put(c, "w/h", "9");
	wait_n(r, 2, 3000);
	expect(r, 1, ETCD_EV_PUT, "w/h", "9");
	etcd_watch_stop(w);
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	struct etu_etcd e;
	etu_start(&e, "watch", atoi(argv[1]), 0);
	struct etcd *c = etu_open(e.url, 1000, 0);
	struct rec *r = calloc(1, sizeof *r);
	CHECK(r);
	r->c = c;
	pthread_mutex_init(&r->lock, NULL);
	test_order_and_restart(&e, c, r);
	int64_t from = r->rev[0];
	memset(r, 0, sizeof *r);
	r->c = c;
	pthread_mutex_init(&r->lock, NULL);
	test_compaction(c, r, from);
	struct etcd_watch *w = (struct etcd_watch *)r;
	CHECK_EQ(etcd_watch_start(c, "w/", 2, -1, on_event, r, &w), -EINVAL);
	CHECK(w == NULL);
	etcd_watch_stop(NULL);
	free(r);
	etcd_close(c);
	etu_stop(&e);
	return 0;
}
