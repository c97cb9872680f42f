/* etcd auth against a private etcd with auth enabled: no credentials and a wrong password
 * are refused with the translated error; the right ones work for KV and watch; a token
 * that went stale is replaced once, transparently. */
#include "common/etcd/etcd_int.h"
#include "tests/unit/etcd/etu.h"

#include "tests/testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void admin(struct etcd *c, const char *path, const char *body)
{
	json_t *resp = NULL;
	int rc = etcd__call(c, path, json_loads(body, 0, NULL), &resp);
	if (rc)
		fprintf(stderr, "%s: %s\n", path, etcd_last_error(c));
	CHECK_EQ(rc, 0);
	json_decref(resp);
}

static struct etcd *open_as(const char *url, const char *user, const char *pw)
{
	struct etcd_config cfg = {.endpoints = url, .timeout_ms = 2000, .username = user,
				  .password = pw};
	struct etcd *c;
	CHECK_EQ(etcd_open(&cfg, &c), 0);
	return c;
}

static int events;

static void on_event(void *arg, const struct etcd_event *ev)
{
	(void)arg;
	if (ev->type == ETCD_EV_PUT && ev->value_len == 2)
		__atomic_add_fetch(&events, 1, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	struct etu_etcd e;
	etu_start(&e, "auth", atoi(argv[1]), 0);
	struct etcd *c = etu_open(e.url, 2000, 0);
	admin(c, "/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"pw\"}");
	admin(c, "/v3/auth/role/add", "{\"name\":\"root\"}");
	admin(c, "/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
	admin(c, "/v3/auth/enable", "{}");

	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -EINVAL);   /* anonymous */
	CHECK(strstr(etcd_last_error(c), "user name is empty"));
	etcd_close(c);
	c = open_as(e.url, "root", "nope");
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -EINVAL);
	CHECK(strstr(etcd_last_error(c), "authentication failed"));
	etcd_close(c);

	c = open_as(e.url, "root", "pw");
	struct etcd_watch *w;
	CHECK_EQ(etcd_watch_start(c, "k", 1, 0, on_event, NULL, &w), 0);
	etu_sleep_ms(300);                                  /* let the watch be created */
	CHECK_EQ(etcd_put(c, "k", 1, "v1", 2, 0, NULL), 0);
	pthread_mutex_lock(&c->lock);                       /* a token etcd no longer knows */
	free(c->token);
	c->token = strdup("bogus.token");
	pthread_mutex_unlock(&c->lock);
	CHECK_EQ(etcd_put(c, "k", 1, "v2", 2, 0, NULL), 0);
	CHECK(strcmp(c->token, "bogus.token"));
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK(!strcmp((char *)kvs.kv[0].value, "v2"));
	etcd_kvs_free(&kvs);
	int64_t t0 = etu_now_ms();
	while (__atomic_load_n(&events, __ATOMIC_SEQ_CST) < 2 && etu_now_ms() - t0 < 3000)
		etu_sleep_ms(20);
	CHECK_EQ(events, 2);
	etcd_watch_stop(w);
	etcd_close(c);
	etu_stop(&e);
	return 0;
}
