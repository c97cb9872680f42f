/* The control-message envelope (proto/ctl.h): exact encodings, round trips, and the
 * rejection of every malformed shape with a reason. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ctl.h"
#include "tests/testutil.h"

static void test_request(void)
{
	char *s = NULL, op[PROTO_CTL_OP_MAX + 1], reason[256];
	json_t *args = json_pack("{s:s, s:i}", "name", "L1", "drives", 2), *back = NULL;
	CHECK_EQ(proto_ctl_request_encode("library.create", args, &s), 0);
	CHECK(!strcmp(s, "{\"v\":1,\"op\":\"library.create\",\"args\":{\"name\":\"L1\",\"drives\":2}}"));
	CHECK_EQ(proto_ctl_request_decode(s, strlen(s), op, &back, reason, sizeof reason), 0);
	CHECK(!strcmp(op, "library.create"));
	CHECK(json_equal(args, back));
	json_decref(back);
	free(s);
	/* args absent on the wire or NULL when encoding: {} */
	CHECK_EQ(proto_ctl_request_encode("status", NULL, &s), 0);
	CHECK(!strcmp(s, "{\"v\":1,\"op\":\"status\",\"args\":{}}"));
	free(s);
	const char *noargs = "{\"v\":1,\"op\":\"status\"}";
	CHECK_EQ(proto_ctl_request_decode(noargs, strlen(noargs), op, &back, reason, sizeof reason), 0);
	CHECK(json_is_object(back) && json_object_size(back) == 0);
	json_decref(back);
	/* bad ops are never written */
	CHECK_EQ(proto_ctl_request_encode("Library", args, &s), -EINVAL);
	CHECK(!s);
	CHECK_EQ(proto_ctl_request_encode("", args, &s), -EINVAL);
	CHECK_EQ(proto_ctl_request_encode(NULL, args, &s), -EINVAL);
	json_t *arr = json_array();
	CHECK_EQ(proto_ctl_request_encode("status", arr, &s), -EINVAL);
	json_decref(arr);
	json_decref(args);
}

static void check_bad_request(const char *text, const char *why)
{
	char op[PROTO_CTL_OP_MAX + 1], reason[256] = "";
	json_t *args = (json_t *)1;
	int rc = proto_ctl_request_decode(text, strlen(text), op, &args, reason, sizeof reason);
	if (rc != -EINVAL || args != NULL || !strstr(reason, why)) {
		fprintf(stderr, "input %s: rc %d reason '%s' (wanted '%s')\n", text, rc, reason, why);
		exit(1);
	}
}

static void test_request_rejects(void)
{
	check_bad_request("", "");
	check_bad_request("{", "");
	check_bad_request("[]", "");
	check_bad_request("{\"op\":\"status\"}", "field 'v'");
	check_bad_request("{\"v\":2,\"op\":\"status\"}", "field 'v'");
	check_bad_request("{\"v\":\"1\",\"op\":\"status\"}", "field 'v'");
	check_bad_request("{\"v\":1}", "field 'op'");
	check_bad_request("{\"v\":1,\"op\":7}", "field 'op'");
	check_bad_request("{\"v\":1,\"op\":\"a b\"}", "field 'op'");
	check_bad_request("{\"v\":1,\"op\":\"st\\u0000x\"}", "not allowed");
	check_bad_request("{\"v\":1,\"op\":\"status\",\"args\":[]}", "field 'args'");
	check_bad_request("{\"v\":1,\"op\":\"status\",\"op\":\"x\"}", "");      /* duplicate */
	/* over the bound: refused before parsing */
	size_t big = PROTO_CTL_MAX + 1;
	char *b = malloc(big);
	memset(b, ' ', big);
	char op[PROTO_CTL_OP_MAX + 1], reason[256];
	json_t *args;
	CHECK_EQ(proto_ctl_request_decode(b, big, op, &args, reason, sizeof reason), -EMSGSIZE);
	free(b);
}

static void test_replies(void)
{
	char *s = NULL, msg[PROTO_CTL_MSG_MAX + 1], reason[256];
	json_t *res = json_pack("{s:[]}", "nodes"), *back = NULL;
	enum proto_ctl_err err;
	CHECK_EQ(proto_ctl_reply_ok_encode(res, &s), 0);
	CHECK(!strcmp(s, "{\"v\":1,\"ok\":true,\"result\":{\"nodes\":[]}}"));
	CHECK_EQ(proto_ctl_reply_decode(s, strlen(s), &err, msg, sizeof msg, &back, reason, sizeof reason), 0);
	CHECK_EQ(err, PROTO_CTL_OK);
	CHECK(json_equal(res, back));
	json_decref(back);
	json_decref(res);
	free(s);

	CHECK_EQ(proto_ctl_reply_err_encode(PROTO_CTL_NOT_FOUND, "library 'L9' does not exist", &s), 0);
	CHECK(!strcmp(s, "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"library 'L9' does not exist\"}}"));
	CHECK_EQ(proto_ctl_reply_decode(s, strlen(s), &err, msg, sizeof msg, &back, reason, sizeof reason), 0);
	CHECK_EQ(err, PROTO_CTL_NOT_FOUND);
	CHECK(!back);
	CHECK(!strcmp(msg, "library 'L9' does not exist"));
	free(s);
	CHECK_EQ(proto_ctl_reply_err_encode(PROTO_CTL_OK, "x", &s), -EINVAL);

	/* every code has a name that parses back; unknown codes read as internal */
	for (int e = PROTO_CTL_INVALID; e < PROTO_CTL_ERR_COUNT; e++)
		CHECK_EQ(proto_ctl_err_parse(proto_ctl_err_name(e)), e);
	CHECK_EQ(proto_ctl_err_parse("from_the_future"), PROTO_CTL_INTERNAL);
	CHECK(!strcmp(proto_ctl_err_name(PROTO_CTL_ETCD), "etcd_unavailable"));
	const char *future = "{\"v\":1,\"ok\":false,\"error\":{\"code\":\"quota\",\"message\":\"m\"}}";
	CHECK_EQ(proto_ctl_reply_decode(future, strlen(future), &err, msg, sizeof msg, &back, reason, sizeof reason), 0);
	CHECK_EQ(err, PROTO_CTL_INTERNAL);
	CHECK(!strcmp(msg, "m"));

	/* a long message is cut at a character boundary, still valid JSON */
	char longmsg[600];
	for (size_t i = 0; i + 2 < sizeof longmsg; i += 2)
		memcpy(&longmsg[i], "\xc3\xa9", 2);         /* é */
	longmsg[sizeof longmsg - 2] = 0;
	CHECK_EQ(proto_ctl_reply_err_encode(PROTO_CTL_INTERNAL, longmsg, &s), 0);
	CHECK_EQ(proto_ctl_reply_decode(s, strlen(s), &err, msg, sizeof msg, &back, reason, sizeof reason), 0);
	CHECK(strlen(msg) == PROTO_CTL_MSG_MAX - 1);        /* 127 two-byte characters */
	free(s);

	const char *bad[] = {
		"{\"v\":1}", "{\"v\":1,\"ok\":1}", "{\"v\":1,\"ok\":false}",
		"{\"v\":1,\"ok\":false,\"error\":{\"code\":\"x\"}}", "{\"v\":1,\"ok\":true,\"result\":3}",
		"{\"ok\":true}", "nonsense",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		back = (json_t *)1;
		CHECK_EQ(proto_ctl_reply_decode(bad[i], strlen(bad[i]), &err, msg, sizeof msg, &back, reason, sizeof reason), -EINVAL);
		CHECK(!back);
	}
}

int main(void)
{
	test_request();
	test_request_rejects();
	test_replies();
	return 0;
}
