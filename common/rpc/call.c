/* call.c - the client side of rpc.h: one REQ socket per call. */
#include "common/rpc/rpc.h"

#include <errno.h>
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
	if (!rv)        /* blocking dial: a refused connection fails now, not after the timeout */
		rv = nng_dial(s, url, NULL, 0);
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
