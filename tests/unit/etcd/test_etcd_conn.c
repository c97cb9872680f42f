/* Reaching etcd: a dead endpoint gives the documented error within its bound and names
 * itself; the second endpoint is used when the first is down; a silent server times
 * out; every malformed reply of a fake server is an error, never a crash, and a watch
 * fed garbage and a compaction by a fake server resumes and resyncs as documented. */
#include "tests/unit/etcd/etu.h"
#include "tests/unit/etcd/fake_http.h"

#include "tests/testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int dead_port;

static void test_unreachable(void)
{
	char ep[64];
	snprintf(ep, sizeof ep, "http://127.0.0.1:%d", dead_port);
	struct etcd *c = etu_open(ep, 500, 2);
	int64_t t0 = etu_now_ms();
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -ECONNREFUSED);
	CHECK(etu_now_ms() - t0 < 2000);            /* 3 passes, backoff 50 + 100 ms */
	CHECK(strstr(etcd_last_error(c), ep));
	CHECK(strstr(etcd_last_error(c), "refused"));
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -ECONNREFUSED);
	CHECK_EQ(kvs.n, 0);
	etcd_close(c);

	/* RFC 6761: .invalid never resolves */
	c = etu_open("http://etcd.invalid:2379", 500, 0);
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -EHOSTUNREACH);
	CHECK(strstr(etcd_last_error(c), "http://etcd.invalid:2379"));
	etcd_close(c);
}

/* A listening socket nobody accepts from: the connect succeeds, no answer comes. */
static void test_silent_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	CHECK_EQ(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	CHECK_EQ(listen(fd, 4), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	char ep[64];
	snprintf(ep, sizeof ep, "http://127.0.0.1:%d", ntohs(a.sin_port));
	struct etcd *c = etu_open(ep, 300, 0);
	int64_t t0 = etu_now_ms();
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -ETIMEDOUT);
	int64_t dt = etu_now_ms() - t0;
	CHECK(dt >= 250 && dt < 1500);
	CHECK(strstr(etcd_last_error(c), ep));
	etcd_close(c);
	close(fd);
}

static void test_failover(void)
{
	char eps[256];
	snprintf(eps, sizeof eps, "http://127.0.0.1:%d,%s", dead_port, etu_fixture_url());
	struct etcd *c = etu_open(eps, 1000, 0);
	char k[64];
	etu_key(k, sizeof k, "conntest", "failover");
	CHECK_EQ(etcd_put(c, k, strlen(k), "v", 1, 0, NULL), 0);
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, k, strlen(k), &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	etcd_kvs_free(&kvs);
	CHECK_EQ(etcd_delete(c, k, strlen(k), false, NULL), 0);
	etcd_close(c);
}

static const char *const garbage_bodies[] = {
	"{not json",
	"[1,2]",
	"",
	"null",
	"{\"header\":{\"revision\":\"x\"}}",
	"{\"header\":{},\"kvs\":[{\"key\":\"YQ\"}]}",
	"{\"header\":{},\"kvs\":{}}",
	"{\"header\":{},\"kvs\":[{\"key\":\"YQ==\",\"value\":7}]}",
	"{\"header\":{\"revision\":\"1\"},\"a\":1,\"a\":2}",
};

static void test_garbage(void)
{
	struct fake_http *f = fake_http_start();
	struct etcd *c = etu_open(fake_http_url(f), 1000, 0);
	struct etcd_kvs kvs;
	size_t n = sizeof garbage_bodies / sizeof garbage_bodies[0];
	for (size_t i = 0; i < n; i++) {
		fake_http_push(f, 200, garbage_bodies[i]);
		CHECK_EQ(etcd_get(c, "k", 1, &kvs), -EBADMSG);
		CHECK_EQ(kvs.n, 0);
	}
	CHECK(strstr(etcd_last_error(c), fake_http_url(f)));
	/* not HTTP at all */
	fake_http_push_raw(f, "garbage\r\n\r\n", 11);
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -EBADMSG);
	/* errors: translated from "code"; without one, the reply is garbage */
	fake_http_push(f, 500, "{\"error\":\"boom\",\"message\":\"boom\",\"code\":2}");
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -EIO);
	CHECK(strstr(etcd_last_error(c), "boom"));
	fake_http_push(f, 429, "{\"error\":\"x\",\"message\":\"database space exceeded\",\"code\":8}");
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, 0, NULL), -ENOSPC);
	fake_http_push(f, 400, "{\"message\":\"compacted\",\"code\":11}");
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -ERANGE);
	fake_http_push(f, 404, "404 page not found");
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -EBADMSG);
	fake_http_push(f, 400, "{\"code\":\"x\"}");
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -EBADMSG);
	/* truncated body: the peer closed mid-reply */
	const char *cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"header\":";
	fake_http_push_raw(f, cut, strlen(cut));
	CHECK_EQ(etcd_get(c, "k", 1, &kvs), -ECONNRESET);
	/* lease and txn replies of the wrong shape */
	int64_t id = 5, ttl = 5;
	fake_http_push(f, 200, "{\"header\":{},\"ID\":\"0\",\"TTL\":\"5\"}");
	CHECK_EQ(etcd_lease_grant(c, 5, &id, &ttl), -EBADMSG);
	CHECK_EQ(id, 0);
	fake_http_push(f, 200, "{\"header\":{},\"ID\":\"1e9\",\"TTL\":\"5\"}");
	CHECK_EQ(etcd_lease_grant(c, 5, &id, &ttl), -EBADMSG);
	fake_http_push(f, 200, "{\"result\":5}");
	CHECK_EQ(etcd_lease_keepalive(c, 7, &ttl), -EBADMSG);
	fake_http_push(f, 200, "{\"result\":{\"ID\":\"7\"}}");      /* lease gone: no TTL */
	CHECK_EQ(etcd_lease_keepalive(c, 7, &ttl), -ENOENT);
	struct etcd_txn_result res;
	fake_http_push(f, 200, "{\"header\":{},\"succeeded\":true,\"responses\":{}}");
	CHECK_EQ(etcd_txn(c, NULL, 0, NULL, 0, NULL, 0, &res), -EBADMSG);
	CHECK(!res.succeeded);
	CHECK(res.ranges == NULL);
	fake_http_push(f, 200, "{\"header\":{},\"responses\":[{\"response_range\":{\"kvs\":[]}}]}");
	CHECK_EQ(etcd_txn(c, NULL, 0, NULL, 0, NULL, 0, &res), -EBADMSG);
	/* the request really was the documented one */
	char *last = fake_http_request(f, fake_http_requests(f) - 1);
	CHECK(last && strstr(last, "\"compare\":[]"));
	free(last);

	/* random bytes after a valid head: any result but a crash or a leak */
	unsigned seed = 12345;
	for (int i = 0; i < 40; i++) {
		char body[200];
		size_t bl = (size_t)(rand_r(&seed) % (int)sizeof body);
		for (size_t j = 0; j < bl; j++)
			body[j] = "{}[]\",:0123aYQ=\\ntruefalsenull"[rand_r(&seed) % 31];
		body[bl] = 0;
		fake_http_push(f, 200, body);
		int rc = etcd_get(c, "k", 1, &kvs);
		CHECK(rc == 0 || rc == -EBADMSG);
		etcd_kvs_free(&kvs);
	}
	etcd_close(c);
	fake_http_stop(f);
}

struct seen {
	int n;
	struct etcd_event ev[8];
	char key[8][16];
};

static void on_event(void *arg, const struct etcd_event *ev)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->ev[s->n] = *ev;
		snprintf(s->key[s->n], sizeof s->key[0], "%s", ev->key ? (const char *)ev->key : "-");
		s->ev[s->n].key = NULL;
		s->ev[s->n].value = NULL;
	}
	__atomic_add_fetch(&s->n, 1, __ATOMIC_SEQ_CST);
}

#define STREAM_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"

static void test_watch_garbage(void)
{
	struct fake_http *f = fake_http_start();
	struct etcd *c = etu_open(fake_http_url(f), 1000, 0);
	const char *s1 = STREAM_HEAD
		"{\"result\":{\"header\":{\"revision\":\"5\"},\"created\":true}}\n"
		"{\"result\":{\"events\":[{\"kv\":{\"key\":\"YQ\",\"mod_revision\":\"6\"}}]}}\n";
	const char *s2 = STREAM_HEAD
		"{\"result\":{\"header\":{\"revision\":\"6\"},\"created\":true}}\n"
		"{\"result\":{\"events\":[{\"kv\":{\"key\":\"YQ==\",\"mod_revision\":\"6\",\"value\":\"Yg==\"}}]}}\n"
		"{\"result\":{\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"YQ==\",\"mod_revision\":\"7\"}}]}}\n"
		"{\"result\":{\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"YQ==\",\"mod_revision\":\"7\"}}]}}\n"
		"{\"result\":{\"header\":{},\"canceled\":true,\"compact_revision\":\"9\"}}\n";
	fake_http_push_raw(f, s1, strlen(s1));
	fake_http_push_raw(f, s2, strlen(s2));
	fake_http_push(f, 200, "{\"header\":{\"revision\":\"12\"},\"count\":\"1\"}");
	const char *s3 = STREAM_HEAD "\x01\x02 not json\n{\"result\":[]}\n{\"error\":{\"grpc_code\":14}}";
	fake_http_push_raw(f, s3, strlen(s3));
	struct seen s = {0};
	struct etcd_watch *w;
	CHECK_EQ(etcd_watch_start(c, "a", 1, 0, on_event, &s, &w), 0);
	int64_t t0 = etu_now_ms();
	while (fake_http_requests(f) < 6 && etu_now_ms() - t0 < 5000)
		etu_sleep_ms(20);
	etcd_watch_stop(w);
	CHECK(fake_http_requests(f) >= 6);
	/* bad base64 delivered nothing; rev 6 once; the repeated DELETE 7 once; RESYNC */
	CHECK_EQ(s.n, 3);
	CHECK_EQ(s.ev[0].type, ETCD_EV_PUT);
	CHECK_EQ(s.ev[0].mod_revision, 6);
	CHECK(!strcmp(s.key[0], "a"));
	CHECK_EQ(s.ev[0].value_len, 1);
	CHECK_EQ(s.ev[1].type, ETCD_EV_DELETE);
	CHECK_EQ(s.ev[1].mod_revision, 7);
	CHECK_EQ(s.ev[2].type, ETCD_EV_RESYNC);
	CHECK_EQ(s.ev[2].mod_revision, 9);
	char *r0 = fake_http_request(f, 0), *r1 = fake_http_request(f, 1),
	     *r2 = fake_http_request(f, 2), *r3 = fake_http_request(f, 3),
	     *r4 = fake_http_request(f, 4);
	CHECK(strstr(r0, "\"create_request\"") && !strstr(r0, "start_revision"));
	CHECK(strstr(r1, "\"start_revision\":\"6\""));     /* created at 5: resume at 6 */
	CHECK(strstr(r2, "\"count_only\":true"));          /* resync reads the revision */
	CHECK(strstr(r3, "\"start_revision\":\"13\""));
	CHECK(strstr(r4, "\"start_revision\":\"13\""));    /* garbage: nothing advanced */
	free(r0), free(r1), free(r2), free(r3), free(r4);
	etcd_close(c);
	fake_http_stop(f);
}

int main(int argc, char **argv)
{
	CHECK(argc == 2);
	dead_port = atoi(argv[1]) + 98;
	test_unreachable();
	test_silent_server();
	test_failover();
	test_garbage();
	test_watch_garbage();
	return 0;
}
