/* rpc.h - request/reply between processes over nng (REQ/REP on tcp://), carrying the
 * proto/ctl.h envelope: one call = one request message and one reply message.
 *
 * Server: rpc_server_start() listens and runs `workers` threads, each with its own nng
 * context, so that many requests are handled at once and replies may go out in any order.
 * The handler runs on a worker thread; it fills *reply and returns. rpc_server_stop()
 * closes the socket (pending receives fail with NNG_ECLOSED), joins every worker and frees.
 * Received messages larger than PROTO_CTL_MAX are dropped by nng (the caller times out).
 *
 * Client: rpc_call() probes the TCP port (a refused connection fails at once with
 * -ECONNREFUSED), opens a REQ socket and sends with REQ resends disabled (a request is
 * delivered at most once: nng's resend would repeat non-idempotent operations,
 * notes/nng.md section 2); connecting and sending take at most timeout_ms, so does the
 * wait for the reply, even against a peer that accepts TCP and never answers.
 * Thread-safe: nothing is shared between calls.
 *
 * Errors: 0 or a negative errno for transport failures (-ECONNREFUSED, -ETIMEDOUT,
 * -ECONNRESET, -EINVAL bad URL, -EBADMSG undecodable reply, -ENOMEM). A reply carrying an
 * error is NOT a transport failure: rpc_call returns 0 and sets *err and message. */
#ifndef VTL_COMMON_RPC_H
#define VTL_COMMON_RPC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/ctl.h"

struct rpc_server;

/* What a handler answers. err PROTO_CTL_OK: `result` (a new reference or NULL = {}) is
 * sent and released by the server. Otherwise `message` is sent with the code. */
struct rpc_reply {
	enum proto_ctl_err err;
	char message[PROTO_CTL_MSG_MAX + 1];
	json_t *result;
};

/* Sets an error reply (printf-style message) and returns err, for `return rpc_fail(...)`. */
__attribute__((format(printf, 3, 4)))
enum proto_ctl_err rpc_fail(struct rpc_reply *r, enum proto_ctl_err err, const char *fmt, ...);

/* op is validated by the envelope; args is borrowed for the call (never NULL). */
typedef void (*rpc_handler_fn)(void *arg, const char *op, json_t *args, struct rpc_reply *r);

/* url "tcp://HOST:PORT" (port 0: the kernel picks; read it with rpc_server_port).
 * workers 1..64. 0, -EADDRINUSE, -EINVAL, -ENOMEM. */
int rpc_server_start(const char *url, unsigned workers, rpc_handler_fn fn, void *arg,
		     struct rpc_server **out);
uint16_t rpc_server_port(const struct rpc_server *s);
void rpc_server_stop(struct rpc_server *s);     /* NULL is fine */

/* args borrowed (NULL = {}). On 0: *err is set; when PROTO_CTL_OK *result (may be NULL if
 * not wanted) gets a new reference, else message (may be NULL) gets the text. */
int rpc_call(const char *url, const char *op, const json_t *args, int timeout_ms,
	     enum proto_ctl_err *err, json_t **result, char *message, size_t message_cap);

/* One-line text for a transport failure of rpc_call ("connection refused by
 * tcp://127.0.0.1:7100"), into buf. Returns buf. */
const char *rpc_strerror(int rc, const char *url, char *buf, size_t cap);

#endif
