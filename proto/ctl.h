/* ctl.h - the envelope of every request/reply message between processes over nng:
 * clusterctl -> vtl-manager (control API) and vtl-manager -> vtl-node (peer queries).
 * The operations and their members are listed in docs/control-api.md.
 *
 *   request: {"v":1,"op":"library.create","args":{...}}
 *   reply:   {"v":1,"ok":true,"result":{...}}
 *            {"v":1,"ok":false,"error":{"code":"not_found","message":"library 'L9' does not exist"}}
 *
 * `op` is [a-z0-9._]{1,63}; `args` and `result` are JSON objects (absent = {}). An error
 * code is one of enum proto_ctl_err by name; a reader that meets an unknown code (a newer
 * peer) maps it to PROTO_CTL_INTERNAL and keeps the message. The message is one line for
 * an operator: what went wrong and, where it helps, what to do.
 *
 * Decoders bound their input (PROTO_CTL_MAX) before parsing, reject duplicate members and
 * give a reason on -EINVAL/-EMSGSIZE, like records.h. Pure: no I/O, no globals.
 * json_t values cross this interface: ownership is stated per function. */
#ifndef VTL_PROTO_CTL_H
#define VTL_PROTO_CTL_H

#include <jansson.h>
#include <stddef.h>

#define PROTO_CTL_VERSION 1
#define PROTO_CTL_MAX (4u << 20)        /* a request or reply, bytes */
#define PROTO_CTL_OP_MAX 63
#define PROTO_CTL_MSG_MAX 255           /* error message bytes, longer is cut */

enum proto_ctl_err {
	PROTO_CTL_OK = 0,
	PROTO_CTL_INVALID,              /* "invalid_argument": bad or missing member */
	PROTO_CTL_UNKNOWN_OP,           /* "unknown_op" */
	PROTO_CTL_NOT_FOUND,            /* "not_found": unknown library, node, cartridge */
	PROTO_CTL_EXISTS,               /* "exists": name or barcode already taken */
	PROTO_CTL_BUSY,                 /* "busy": e.g. a drive holds a tape (retry or force) */
	PROTO_CTL_NO_PLACEMENT,         /* "no_placement": no node can take it */
	PROTO_CTL_NODE_DOWN,            /* "node_down": the node needed is not registered */
	PROTO_CTL_NOT_LEADER,           /* "not_leader": ask the active manager */
	PROTO_CTL_ETCD,                 /* "etcd_unavailable" */
	PROTO_CTL_CONFLICT,             /* "conflict": lost a race (CAS); retry */
	PROTO_CTL_INTERNAL,             /* "internal" */
	PROTO_CTL_UNAVAILABLE,          /* "unavailable": the peer could not be reached */
	PROTO_CTL_ERR_COUNT
};

const char *proto_ctl_err_name(enum proto_ctl_err e);           /* "internal" if unknown */
enum proto_ctl_err proto_ctl_err_parse(const char *name);       /* PROTO_CTL_INTERNAL if unknown */

/* Encoders write a malloc'ed NUL-terminated compact JSON string into *out (free() it).
 * args/result are borrowed (NULL = {}). 0, -EINVAL (bad op), -EMSGSIZE, -ENOMEM. */
int proto_ctl_request_encode(const char *op, const json_t *args, char **out);
int proto_ctl_reply_ok_encode(const json_t *result, char **out);
int proto_ctl_reply_err_encode(enum proto_ctl_err err, const char *message, char **out);

/* Decoders. On success *args / *result is a new reference (an empty object when the
 * member was absent): json_decref() it. On failure nothing is owned and reason says why. */
int proto_ctl_request_decode(const void *buf, size_t len, char op[PROTO_CTL_OP_MAX + 1],
			     json_t **args, char *reason, size_t reason_cap);
/* *err gets PROTO_CTL_OK and *result the result, or the error code with message (then
 * *result is NULL). message may be NULL. */
int proto_ctl_reply_decode(const void *buf, size_t len, enum proto_ctl_err *err,
			   char *message, size_t message_cap, json_t **result, char *reason,
			   size_t reason_cap);

#endif
