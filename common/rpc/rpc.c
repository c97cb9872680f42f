/* rpc.c - request/reply over nng (rpc.h).
 *
 * Server threads: one per worker, each owning an nng context and an aio; it receives a
 * request, runs the handler, sends the reply, and loops until the socket is closed.
 * rpc_server_stop() closes the socket, which makes every pending receive or send end
 * with NNG_ECLOSED, then joins the workers. */
#include "common/rpc/rpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define RPC__WORKERS_MAX 64

struct rpc__worker {
	struct rpc_server *srv;
	pthread_t thread;
	nng_ctx ctx;
	nng_aio *aio;
	bool started;
};

struct rpc_server {
	nng_socket sock;
	nng_listener listener;
	rpc_handler_fn fn;
	void *arg;
	uint16_t port;
	struct rpc__worker workers[RPC__WORKERS_MAX];
	unsigned n_workers;
	char url[256];
};

/* nng error -> negative errno, for the values this module meets. */
static int rpc__errno(int nrv)
{
	switch (nrv) {
	case 0: return 0;
	case NNG_ENOMEM: return -ENOMEM;
	case NNG_EINVAL: case NNG_EADDRINVAL: case NNG_ENOTSUP: return -EINVAL;
	case NNG_EADDRINUSE: return -EADDRINUSE;
	case NNG_ECONNREFUSED: return -ECONNREFUSED;
	case NNG_ETIMEDOUT: return -ETIMEDOUT;
	case NNG_ECONNRESET: case NNG_ECONNSHUT: case NNG_ECLOSED: return -ECONNRESET;
	case NNG_EUNREACHABLE: return -EHOSTUNREACH;
	case NNG_EPERM: return -EPERM;
	default: return -EIO;
	}
}

enum proto_ctl_err rpc_fail(struct rpc_reply *r, enum proto_ctl_err err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
	r->err = err;
	json_decref(r->result);
	r->result = NULL;
	return err;
}

/* Decodes the request, runs the handler, encodes the reply. Never fails to answer:
 * a request that cannot be decoded gets invalid_argument with the reason. */
static char *rpc__handle(struct rpc_server *s, const void *body, size_t len)
{
	char op[PROTO_CTL_OP_MAX + 1], reason[256];
	json_t *args = NULL;
	struct rpc_reply r = {.err = PROTO_CTL_OK};
	int rc = proto_ctl_request_decode(body, len, op, &args, reason, sizeof reason);
	if (rc) {
		vtl_log_ratelimited(LOG_WARN, "RPC_BAD_REQUEST", "url=%s reason=\"%s\"", s->url, reason);
		rpc_fail(&r, PROTO_CTL_INVALID, "malformed request: %s", reason);
	} else {
		s->fn(s->arg, op, args, &r);
		json_decref(args);
	}
	char *out = NULL;
	if (r.err == PROTO_CTL_OK)
		rc = proto_ctl_reply_ok_encode(r.result, &out);
	else
		rc = proto_ctl_reply_err_encode(r.err, r.message, &out);
	json_decref(r.result);
	if (rc && rc != -ENOMEM) {      /* e.g. a result too big to send: say so */
		vtl_log(LOG_ERROR, "RPC_REPLY_FAILED", "url=%s op=%s err=%d", s->url, op, rc);
		proto_ctl_reply_err_encode(PROTO_CTL_INTERNAL, "reply could not be encoded", &out);
	}
	return out;
}

static void *rpc__worker_main(void *arg)
{
	struct rpc__worker *w = arg;
	for (;;) {
		nng_ctx_recv(w->ctx, w->aio);
		nng_aio_wait(w->aio);
		int rv = nng_aio_result(w->aio);
		if (rv == NNG_ECLOSED)
			break;
		if (rv)
			continue;
		nng_msg *msg = nng_aio_get_msg(w->aio);
		char *out = rpc__handle(w->srv, nng_msg_body(msg), nng_msg_len(msg));
		/* the reply reuses the message: its header carries the request id */
		nng_msg_clear(msg);
		if (!out || nng_msg_append(msg, out, strlen(out))) {
			free(out);
			nng_msg_free(msg);
			continue;       /* the client times out */
		}
		free(out);
		nng_aio_set_msg(w->aio, msg);
		nng_ctx_send(w->ctx, w->aio);
		nng_aio_wait(w->aio);
		rv = nng_aio_result(w->aio);
		if (rv)
			nng_msg_free(msg);      /* not sent: still ours */
		if (rv == NNG_ECLOSED)
			break;
	}
	return NULL;
}

static int rpc__listen(struct rpc_server *s, const char *url)
{
	int rv = nng_rep0_open(&s->sock);
	if (rv)
		return rpc__errno(rv);
	/* a peer must not make us allocate anything it likes (notes/nng.md 1) */
	rv = nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, PROTO_CTL_MAX + 1024);
	if (!rv)
		rv = nng_listen(s->sock, url, &s->listener, 0);
	if (rv)
		return rpc__errno(rv);
	nng_sockaddr sa;
	if (!nng_listener_get_addr(s->listener, NNG_OPT_LOCADDR, &sa) &&
	    (sa.s_family == NNG_AF_INET || sa.s_family == NNG_AF_INET6))
		s->port = ntohs(sa.s_family == NNG_AF_INET ? sa.s_in.sa_port : sa.s_in6.sa_port);
	return 0;
}

int rpc_server_start(const char *url, unsigned workers, rpc_handler_fn fn, void *arg,
		     struct rpc_server **out)
{
	*out = NULL;
	if (!url || !fn || workers < 1 || workers > RPC__WORKERS_MAX)
		return -EINVAL;
	struct rpc_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->arg = arg;
	snprintf(s->url, sizeof s->url, "%s", url);
	int rc = rpc__listen(s, url);
	for (unsigned i = 0; !rc && i < workers; i++) {
		struct rpc__worker *w = &s->workers[i];
		w->srv = s;
		rc = rpc__errno(nng_ctx_open(&w->ctx, s->sock));
		if (!rc)
			rc = rpc__errno(nng_aio_alloc(&w->aio, NULL, NULL));
		if (!rc)
			rc = -pthread_create(&w->thread, NULL, rpc__worker_main, w);
		w->started = !rc;
		s->n_workers = i + 1;
	}
	if (rc) {
		vtl_log(LOG_ERROR, "RPC_LISTEN_FAILED", "url=%s err=%d", url, rc);
		rpc_server_stop(s);
		return rc;
	}
	vtl_log(LOG_INFO, "RPC_LISTENING", "url=%s port=%u workers=%u", url, s->port, workers);
	*out = s;
	return 0;
}

uint16_t rpc_server_port(const struct rpc_server *s)
{
	return s->port;
}

void rpc_server_stop(struct rpc_server *s)
{
	if (!s)
		return;
	nng_close(s->sock);     /* pending receives and sends end with NNG_ECLOSED */
	for (unsigned i = 0; i < s->n_workers; i++) {
		struct rpc__worker *w = &s->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		nng_aio_free(w->aio);   /* NULL is fine */
	}
	free(s);
}
