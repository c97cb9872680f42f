/* args.c - typed access to request members (api_int.h). Requests come from any client
 * on the network: every member is type- and range-checked, strings are bounded before
 * they are copied, and every message names the member. */
#include "manager/api/api_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The member, or NULL when absent or JSON null (an absent optional member). */
static json_t *args__get(json_t *args, const char *member)
{
	json_t *v = json_object_get(args, member);
	return json_is_null(v) ? NULL : v;
}

static int args__invalid(struct rpc_reply *r, const char *member, const char *what)
{
	rpc_fail(r, PROTO_CTL_INVALID, "member '%s': %s", member, what);
	return -EINVAL;
}

int api__args_known(json_t *args, const char *const *known, struct rpc_reply *r)
{
	const char *k;
	json_t *v;
	json_object_foreach(args, k, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], k))
			i++;
		if (!known[i]) {
			/* the name is the client's: bounded and printable in the message */
			char shown[64];
			size_t n = 0;
			for (; k[n] && n < sizeof shown - 1; n++)
				shown[n] = k[n] > 0x20 && k[n] < 0x7f ? k[n] : '?';
			shown[n] = 0;
			rpc_fail(r, PROTO_CTL_INVALID, "unknown member '%s'", shown);
			return -EINVAL;
		}
	}
	return 0;
}

int api__arg_str(json_t *args, const char *member, bool required, bool (*valid)(const char *),
		 const char *what, char *out, size_t cap, struct rpc_reply *r)
{
	json_t *v = args__get(args, member);
	if (!v)
		return required ? args__invalid(r, member, "missing") : 0;
	if (!json_is_string(v))
		return args__invalid(r, member, "wrong type (want string)");
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len >= cap || strlen(s) != len)     /* too long, or an embedded NUL */
		return args__invalid(r, member, "too long");
	if (valid && !valid(s)) {
		rpc_fail(r, PROTO_CTL_INVALID, "member '%s': invalid value (want %s)", member, what);
		return -EINVAL;
	}
	memcpy(out, s, len + 1);
	return 0;
}

int api__arg_uint(json_t *args, const char *member, bool required, uint64_t lo, uint64_t hi,
		  uint64_t *out, struct rpc_reply *r)
{
	json_t *v = args__get(args, member);
	if (!v)
		return required ? args__invalid(r, member, "missing") : 0;
	if (!json_is_integer(v))
		return args__invalid(r, member, "wrong type (want integer)");
	json_int_t x = json_integer_value(v);
	if (x < 0 || (uint64_t)x < lo || (uint64_t)x > hi) {
		rpc_fail(r, PROTO_CTL_INVALID, "member '%s': out of range (%llu..%llu)", member,
			 (unsigned long long)lo, (unsigned long long)hi);
		return -EINVAL;
	}
	*out = (uint64_t)x;
	return 0;
}

int api__arg_bool(json_t *args, const char *member, bool *out, struct rpc_reply *r)
{
	json_t *v = args__get(args, member);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return args__invalid(r, member, "wrong type (want boolean)");
	*out = json_is_true(v);
	return 0;
}

/* The i-th element as a barcode; -EINVAL with r set. */
static int args__barcode(json_t *arr, const char *member, size_t i,
			 char out[PROTO_BARCODE_MAX + 1], struct rpc_reply *r)
{
	json_t *v = json_array_get(arr, i);
	const char *s = json_string_value(v);
	if (!s || json_string_length(v) > PROTO_BARCODE_MAX || !proto_barcode_valid(s)) {
		rpc_fail(r, PROTO_CTL_INVALID, "member '%s'[%zu]: want a barcode [A-Z0-9]{1,16}",
			 member, i);
		return -EINVAL;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int api__arg_barcodes(json_t *args, const char *member, size_t max,
		      char (**out)[PROTO_BARCODE_MAX + 1], size_t *n, struct rpc_reply *r)
{
	*out = NULL;
	*n = 0;
	json_t *v = args__get(args, member);
	if (!v)
		return args__invalid(r, member, "missing");
	if (!json_is_array(v))
		return args__invalid(r, member, "wrong type (want array of strings)");
	size_t cnt = json_array_size(v);
	if (cnt == 0 || cnt > max) {       /* checked before anything is allocated */
		rpc_fail(r, PROTO_CTL_INVALID, "member '%s': want 1..%zu barcodes", member, max);
		return -EINVAL;
	}
	char (*bc)[PROTO_BARCODE_MAX + 1] = calloc(cnt, sizeof *bc);
	if (!bc) {
		rpc_fail(r, PROTO_CTL_INTERNAL, "out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	for (size_t i = 0; !rc && i < cnt; i++) {
		rc = args__barcode(v, member, i, bc[i], r);
		for (size_t j = 0; !rc && j < i; j++)
			if (!strcmp(bc[i], bc[j])) {
				rpc_fail(r, PROTO_CTL_INVALID, "member '%s'[%zu]: duplicate barcode '%s'",
					 member, i, bc[i]);
				rc = -EINVAL;
			}
	}
	if (rc) {
		free(bc);
		return rc;
	}
	*out = bc;
	*n = cnt;
	return 0;
}
