/* call.c - the client side of rpc.h: one REQ socket per call. */
#include "common/rpc/rpc.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* nng error -> negative errno (the subset a client meets). */
static int call__errno(int nrv)
{
	switch (nrv) {
	case 0: return 0;
	case NNG_ENOMEM: return -ENOMEM;
	case NNG_EINVAL: case NNG_EADDRINVAL: case NNG_ENOTSUP: return -EINVAL;
	case NNG_ECONNREFUSED: return -ECONNREFUSED;
	case NNG_ETIMEDOUT: return -ETIMEDOUT;
	case NNG_EUNREACHABLE: return -EHOSTUNREACH;
	case NNG_ECONNRESET: case NNG_ECONNSHUT: case NNG_ECLOSED: return -ECONNRESET;
	default: return -EIO;
	}
}

/* Can a TCP connection to url's host:port be opened within timeout_ms? 0, or
 * -ECONNREFUSED / -ETIMEDOUT / -EHOSTUNREACH / -EINVAL. nng's blocking dial would also
 * answer a refusal at once, but against a peer that accepts TCP and never speaks it waits
 * for its fixed 10 s handshake timeout whatever the caller asked; so the dial itself is
 * non-blocking (bounded by the send timeout) and this probe keeps "refused" immediate. */
static int call__probe(const char *url, int timeout_ms)
{
	char host[256], port[8];
	const char *h = url + 6, *colon = strrchr(url, ':');
	if (strncmp(url, "tcp://", 6) || !colon || colon <= h)
		return -EINVAL;
	size_t hl = (size_t)(colon - h);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')         /* [v6]:port */
		h++, hl -= 2;
	if (hl >= sizeof host || strlen(colon + 1) >= sizeof port)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = 0;
	snprintf(port, sizeof port, "%s", colon + 1);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	if (getaddrinfo(host, port, &hints, &ai))
		return -EHOSTUNREACH;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -errno : 0;
	if (!rc && connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS)
		rc = -errno;
	else if (!rc) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof err;
		if (poll(&pfd, 1, timeout_ms) <= 0)
			rc = -ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
			rc = -(err ? err : errno);
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	if (rc && rc != -ECONNREFUSED && rc != -ETIMEDOUT)
		rc = -EHOSTUNREACH;
	return rc;
}

/* Sends req and receives the reply body into *msg. */
static int call__exchange(const char *url, const char *req, int timeout_ms, nng_msg **msg)
{
	nng_socket s;
	int rv = nng_req0_open(&s);
	if (rv)
		return call__errno(rv);
	/* at most once: nng's resend would repeat a non-idempotent request (notes/nng.md 2) */
	rv = nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	if (!rv)
		rv = nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, timeout_ms);
	if (!rv)
		rv = nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
	if (!rv)
		rv = nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, PROTO_CTL_MAX + 1024);
	if (!rv)        /* non-blocking: the send's timeout bounds the connection too */
		rv = nng_dial(s, url, NULL, NNG_FLAG_NONBLOCK);
	if (!rv)
		rv = nng_send(s, (void *)req, strlen(req), 0);
	if (!rv)
		rv = nng_recvmsg(s, msg, 0);
	nng_close(s);
	return call__errno(rv);
}

int rpc_call(const char *url, const char *op, const json_t *args, int timeout_ms,
	     enum proto_ctl_err *err, json_t **result, char *message, size_t message_cap)
{
	char *req = NULL;
	nng_msg *msg = NULL;
	json_t *res = NULL;
	*err = PROTO_CTL_INTERNAL;
	if (result)
		*result = NULL;
	if (message && message_cap)
		message[0] = 0;
	if (!url || timeout_ms <= 0)
		return -EINVAL;
	int rc = proto_ctl_request_encode(op, args, &req);
	if (!rc)
		rc = call__probe(url, timeout_ms);
	if (!rc)
		rc = call__exchange(url, req, timeout_ms, &msg);
	if (!rc) {
		char reason[128];
		rc = proto_ctl_reply_decode(nng_msg_body(msg), nng_msg_len(msg), err, message,
					    message_cap, &res, reason, sizeof reason);
		if (rc == -EINVAL || rc == -EMSGSIZE)
			rc = -EBADMSG;
	}
	if (!rc && result)
		*result = res;
	else
		json_decref(res);
	nng_msg_free(msg);      /* NULL is fine */
	free(req);
	return rc;
}

const char *rpc_strerror(int rc, const char *url, char *buf, size_t cap)
{
	const char *what;
	switch (rc) {
	case -ECONNREFUSED: what = "connection refused by"; break;
	case -ETIMEDOUT: what = "no answer in time from"; break;
	case -ECONNRESET: what = "connection dropped by"; break;
	case -EHOSTUNREACH: what = "no route to"; break;
	case -EINVAL: what = "invalid address"; break;
	case -EBADMSG: what = "undecodable reply from"; break;
	default: what = "cannot talk to"; break;
	}
	snprintf(buf, cap, "%s %s", what, url ? url : "(none)");
	return buf;
}
