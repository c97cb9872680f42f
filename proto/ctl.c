/* ctl.c - the request/reply envelope (ctl.h, docs/control-api.md). */
#include "proto/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/rec_fields.h"

static const char *const ctl__err_names[PROTO_CTL_ERR_COUNT] = {
	[PROTO_CTL_OK] = "ok",
	[PROTO_CTL_INVALID] = "invalid_argument",
	[PROTO_CTL_UNKNOWN_OP] = "unknown_op",
	[PROTO_CTL_NOT_FOUND] = "not_found",
	[PROTO_CTL_EXISTS] = "exists",
	[PROTO_CTL_BUSY] = "busy",
	[PROTO_CTL_NO_PLACEMENT] = "no_placement",
	[PROTO_CTL_NODE_DOWN] = "node_down",
	[PROTO_CTL_NOT_LEADER] = "not_leader",
	[PROTO_CTL_ETCD] = "etcd_unavailable",
	[PROTO_CTL_CONFLICT] = "conflict",
	[PROTO_CTL_INTERNAL] = "internal",
	[PROTO_CTL_UNAVAILABLE] = "unavailable",
};

const char *proto_ctl_err_name(enum proto_ctl_err e)
{
	return (unsigned)e < PROTO_CTL_ERR_COUNT ? ctl__err_names[e] : "internal";
}

enum proto_ctl_err proto_ctl_err_parse(const char *name)
{
	for (unsigned i = PROTO_CTL_INVALID; name && i < PROTO_CTL_ERR_COUNT; i++)
		if (!strcmp(name, ctl__err_names[i]))
			return (enum proto_ctl_err)i;
	return PROTO_CTL_INTERNAL;
}

static bool ctl__op_valid(const char *op)
{
	size_t n = op ? strnlen(op, PROTO_CTL_OP_MAX + 1) : 0;
	if (n < 1 || n > PROTO_CTL_OP_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((op[i] >= 'a' && op[i] <= 'z') || (op[i] >= '0' && op[i] <= '9') ||
		      op[i] == '.' || op[i] == '_'))
			return false;
	return true;
}

/* {"v":1}, or NULL on ENOMEM. */
static json_t *ctl__envelope(void)
{
	json_t *o = json_object();
	if (o && json_object_set_new(o, "v", json_integer(PROTO_CTL_VERSION))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Adds key: a deep copy of obj, or {} when obj is NULL. -EINVAL if obj is not an object. */
static int ctl__set_obj(json_t *env, const char *key, const json_t *obj)
{
	if (obj && !json_is_object(obj))
		return -EINVAL;
	json_t *copy = obj ? json_deep_copy(obj) : json_object();
	return json_object_set_new(env, key, copy) ? -ENOMEM : 0;
}

static int ctl__dump(json_t *env, char **out)   /* takes env */
{
	return proto__dump(env, PROTO_CTL_MAX, out, NULL, 0);
}

int proto_ctl_request_encode(const char *op, const json_t *args, char **out)
{
	*out = NULL;
	if (!ctl__op_valid(op))
		return -EINVAL;
	json_t *env = ctl__envelope();
	if (!env || json_object_set_new(env, "op", json_string(op))) {
		json_decref(env);
		return -ENOMEM;
	}
	int rc = ctl__set_obj(env, "args", args);
	if (rc) {
		json_decref(env);
		return rc;
	}
	return ctl__dump(env, out);
}

int proto_ctl_reply_ok_encode(const json_t *result, char **out)
{
	*out = NULL;
	json_t *env = ctl__envelope();
	if (!env || json_object_set_new(env, "ok", json_true())) {
		json_decref(env);
		return -ENOMEM;
	}
	int rc = ctl__set_obj(env, "result", result);
	if (rc) {
		json_decref(env);
		return rc;
	}
	return ctl__dump(env, out);
}

int proto_ctl_reply_err_encode(enum proto_ctl_err err, const char *message, char **out)
{
	*out = NULL;
	if (err == PROTO_CTL_OK || (unsigned)err >= PROTO_CTL_ERR_COUNT)
		return -EINVAL;
	char msg[PROTO_CTL_MSG_MAX + 1];
	int n = snprintf(msg, sizeof msg, "%s", message ? message : "");
	if (n > PROTO_CTL_MSG_MAX) {    /* cut at a character boundary: JSON needs UTF-8 */
		size_t l = PROTO_CTL_MSG_MAX;
		while (l > 0 && ((unsigned char)message[l] & 0xC0) == 0x80)
			l--;
		msg[l] = 0;
	}
	/* json_object_set_new takes the value even when it fails */
	json_t *env = ctl__envelope();
	if (!env || json_object_set_new(env, "ok", json_false()) ||
	    json_object_set_new(env, "error", json_pack("{s:s, s:s}", "code",
							proto_ctl_err_name(err), "message", msg))) {
		json_decref(env);
		return -ENOMEM;
	}
	return ctl__dump(env, out);
}

/* Parses the envelope and checks "v". *root is the caller's on success. */
static int ctl__parse(const void *buf, size_t len, json_t **root, char *reason, size_t cap)
{
	int rc = proto__parse(buf, len, PROTO_CTL_MAX, root, reason, cap);
	if (rc)
		return rc;
	json_t *v = json_object_get(*root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != PROTO_CTL_VERSION) {
		json_decref(*root);
		*root = NULL;
		return proto__fail(reason, cap, "field 'v': not version %d", PROTO_CTL_VERSION);
	}
	return 0;
}

/* *obj = a new reference to root[key] (an object) or a new {} when absent. */
static int ctl__take_obj(json_t *root, const char *key, json_t **obj, char *reason, size_t cap)
{
	json_t *o = json_object_get(root, key);
	if (o && !json_is_object(o))
		return proto__fail(reason, cap, "field '%s': not an object", key);
	*obj = o ? json_incref(o) : json_object();
	return *obj ? 0 : -ENOMEM;
}

int proto_ctl_request_decode(const void *buf, size_t len, char op[PROTO_CTL_OP_MAX + 1],
			     json_t **args, char *reason, size_t reason_cap)
{
	json_t *root = NULL;
	*args = NULL;
	op[0] = 0;
	int rc = ctl__parse(buf, len, &root, reason, reason_cap);
	if (rc)
		return rc;
	const char *o = json_string_value(json_object_get(root, "op"));
	if (!o || !ctl__op_valid(o) || strlen(o) != json_string_length(json_object_get(root, "op")))
		rc = proto__fail(reason, reason_cap, "field 'op': missing or not [a-z0-9._]{1,63}");
	else
		rc = ctl__take_obj(root, "args", args, reason, reason_cap);
	if (!rc)
		snprintf(op, PROTO_CTL_OP_MAX + 1, "%s", o);
	json_decref(root);
	return rc;
}

static int ctl__decode_err(json_t *root, enum proto_ctl_err *err, char *message,
			   size_t message_cap, char *reason, size_t cap)
{
	json_t *e = json_object_get(root, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!json_is_object(e) || !code || !msg)
		return proto__fail(reason, cap, "field 'error': needs string 'code' and 'message'");
	*err = proto_ctl_err_parse(code);
	if (message && message_cap)
		snprintf(message, message_cap, "%s", msg);
	return 0;
}

int proto_ctl_reply_decode(const void *buf, size_t len, enum proto_ctl_err *err,
			   char *message, size_t message_cap, json_t **result, char *reason,
			   size_t reason_cap)
{
	json_t *root = NULL;
	*result = NULL;
	*err = PROTO_CTL_INTERNAL;
	if (message && message_cap)
		message[0] = 0;
	int rc = ctl__parse(buf, len, &root, reason, reason_cap);
	if (rc)
		return rc;
	json_t *ok = json_object_get(root, "ok");
	if (!json_is_boolean(ok))
		rc = proto__fail(reason, reason_cap, "field 'ok': not a boolean");
	else if (json_is_true(ok)) {
		rc = ctl__take_obj(root, "result", result, reason, reason_cap);
		if (!rc)
			*err = PROTO_CTL_OK;
	} else
		rc = ctl__decode_err(root, err, message, message_cap, reason, reason_cap);
	json_decref(root);
	return rc;
}
