/* common/rpc over real nng sockets on 127.0.0.1 (port 0: the kernel picks): replies and
 * errors reach the caller intact, many calls run at once, malformed requests get an
 * invalid_argument reply, a refused or silent server gives a transport error, and stop
 * ends every worker. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/rpc/rpc.h"
#include "tests/testutil.h"

static void handler(void *arg, const char *op, json_t *args, struct rpc_reply *r)
{
	(void)arg;
	if (!strcmp(op, "echo")) {
		r->result = json_deep_copy(args);
	} else if (!strcmp(op, "sleep")) {
		usleep((useconds_t)json_integer_value(json_object_get(args, "ms")) * 1000);
		r->result = json_pack("{s:b}", "slept", 1);
	} else if (!strcmp(op, "find")) {
		rpc_fail(r, PROTO_CTL_NOT_FOUND, "library '%s' does not exist",
			 json_string_value(json_object_get(args, "name")));
	} else {
		rpc_fail(r, PROTO_CTL_UNKNOWN_OP, "unknown operation '%s'", op);
	}
}

static char url[64];

static void *caller(void *arg)
{
	long i = (long)arg;
	json_t *args = json_pack("{s:i, s:s}", "i", (json_int_t)i, "pad", "xxxxxxxxxxxxxxxx");
	for (int k = 0; k < 50; k++) {
		enum proto_ctl_err err;
		json_t *res = NULL;
		CHECK_EQ(rpc_call(url, "echo", args, 5000, &err, &res, NULL, 0), 0);
		CHECK_EQ(err, PROTO_CTL_OK);
		CHECK(json_equal(res, args));
		json_decref(res);
	}
	json_decref(args);
	return NULL;
}

static void test_calls(void)
{
	enum proto_ctl_err err;
	json_t *res = NULL;
	char msg[PROTO_CTL_MSG_MAX + 1];
	json_t *args = json_pack("{s:s}", "name", "L9");
	CHECK_EQ(rpc_call(url, "find", args, 2000, &err, &res, msg, sizeof msg), 0);
	CHECK_EQ(err, PROTO_CTL_NOT_FOUND);
	CHECK(!res);
	CHECK(!strcmp(msg, "library 'L9' does not exist"));
	CHECK_EQ(rpc_call(url, "nope", NULL, 2000, &err, &res, msg, sizeof msg), 0);
	CHECK_EQ(err, PROTO_CTL_UNKNOWN_OP);
	CHECK_EQ(rpc_call(url, "Bad Op", NULL, 2000, &err, &res, msg, sizeof msg), -EINVAL);
	json_decref(args);

	/* 8 callers at once, each doing 50 calls; 4 workers serve them */
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, caller, (void *)i), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);

	/* a slow handler: the caller's deadline wins */
	args = json_pack("{s:i}", "ms", 600);
	CHECK_EQ(rpc_call(url, "sleep", args, 200, &err, &res, msg, sizeof msg), -ETIMEDOUT);
	CHECK_EQ(rpc_call(url, "sleep", args, 3000, &err, &res, msg, sizeof msg), 0);
	CHECK_EQ(err, PROTO_CTL_OK);
	CHECK(json_is_true(json_object_get(res, "slept")));
	json_decref(res);
	json_decref(args);
}

/* Raw bytes that are not an envelope: the server answers invalid_argument. */
static void test_malformed(void)
{
	const char *bad[] = {"", "{", "[1]", "{\"v\":1}", "{\"v\":1,\"op\":\"echo\",\"args\":5}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		nng_socket s;
		CHECK_EQ(nng_req0_open(&s), 0);
		CHECK_EQ(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 2000), 0);
		CHECK_EQ(nng_dial(s, url, NULL, 0), 0);
		CHECK_EQ(nng_send(s, (void *)bad[i], strlen(bad[i]), 0), 0);
		nng_msg *m;
		CHECK_EQ(nng_recvmsg(s, &m, 0), 0);
		enum proto_ctl_err err;
		json_t *res;
		char msg[PROTO_CTL_MSG_MAX + 1], reason[128];
		CHECK_EQ(proto_ctl_reply_decode(nng_msg_body(m), nng_msg_len(m), &err, msg, sizeof msg,
						&res, reason, sizeof reason), 0);
		CHECK_EQ(err, PROTO_CTL_INVALID);
		CHECK(strstr(msg, "malformed request"));
		nng_msg_free(m);
		nng_close(s);
	}
}

/* A peer that accepts TCP and never speaks: the caller's deadline still holds (nng's own
 * handshake timeout is 10 s). */
static void test_silent_peer(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	CHECK_EQ(listen(fd, 4), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	char silent[64];
	snprintf(silent, sizeof silent, "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	enum proto_ctl_err err;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(rpc_call(silent, "echo", NULL, 300, &err, NULL, NULL, 0), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	CHECK(ms >= 250 && ms < 1500);
	close(fd);
}

int main(void)
{
	struct rpc_server *srv = NULL;
	CHECK_EQ(rpc_server_start("tcp://127.0.0.1:0", 4, handler, NULL, &srv), 0);
	CHECK(rpc_server_port(srv) != 0);
	snprintf(url, sizeof url, "tcp://127.0.0.1:%u", rpc_server_port(srv));
	/* the port is taken now */
	struct rpc_server *dup = NULL;
	CHECK_EQ(rpc_server_start(url, 1, handler, NULL, &dup), -EADDRINUSE);
	CHECK_EQ(rpc_server_start(url, 0, handler, NULL, &dup), -EINVAL);
	CHECK_EQ(rpc_server_start("nonsense://x", 1, handler, NULL, &dup), -EINVAL);

	test_calls();
	test_malformed();
	test_silent_peer();
	rpc_server_stop(srv);

	/* nobody listens any more: refused at once, with a one-line text naming the URL */
	enum proto_ctl_err err;
	char buf[128];
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int rc = rpc_call(url, "echo", NULL, 5000, &err, NULL, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK_EQ(rc, -ECONNREFUSED);
	CHECK(b.tv_sec - a.tv_sec < 2);
	rpc_strerror(rc, url, buf, sizeof buf);
	CHECK(strstr(buf, "connection refused by tcp://127.0.0.1:"));
	return 0;
}
