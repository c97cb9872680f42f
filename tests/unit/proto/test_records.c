/* Node, owner and migration records: exact encodings, round trips, and every rejection
 * with its exact reason. The library config has its own file (test_libcfg.c). */
#include "tests/unit/proto/trec.h"

static const char NODE_JSON[] =
	"{\"id\":\"node-1\",\"portal\":\"10.0.0.1:3260\",\"peer\":\"tcp://10.0.0.1:7000\","
	"\"version\":\"0.3.1\",\"capacity_bytes\":1000000000000,\"free_bytes\":400000000000,"
	"\"draining\":false}";

static void test_node_round_trip(void)
{
	struct proto_node n = {
		.id = "node-1", .portal = "10.0.0.1:3260", .peer = "tcp://10.0.0.1:7000",
		.version = "0.3.1", .capacity_bytes = 1000000000000, .free_bytes = 400000000000,
	}, back;
	char *s, reason[PROTO_REASON_MAX];
	CHECK_EQ(proto_node_encode(&n, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, NODE_JSON));
	CHECK_EQ(proto_node_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_node_equal(&n, &back));
	free(s);
	/* every field matters to equal */
	back.draining = true;
	CHECK(!proto_node_equal(&n, &back));
	CHECK_EQ(proto_node_encode(&back, &s, NULL, 0), 0);
	CHECK(strstr(s, "\"draining\":true"));
	free(s);
	/* IPv6 portal and peer; the largest integer JSON carries here */
	snprintf(n.portal, sizeof n.portal, "[fd00::1]:3260");
	snprintf(n.peer, sizeof n.peer, "tcp://[::1]:65535");
	n.capacity_bytes = n.free_bytes = INT64_MAX;
	CHECK_EQ(proto_node_encode(&n, &s, reason, sizeof reason), 0);
	CHECK(strstr(s, "\"capacity_bytes\":9223372036854775807"));
	CHECK_EQ(proto_node_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_node_equal(&n, &back));
	free(s);
}

static void test_node_rejects(void)
{
	const char *b = NODE_JSON;
	const char *keys[] = {"id", "portal", "peer", "version", "capacity_bytes", "free_bytes",
			      "draining"};
	char want[64];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(want, sizeof want, "missing field '%s'", keys[i]);
		trec_reject_mut(trec_node, b, keys[i], NULL, want);
		snprintf(want, sizeof want, "field '%s': wrong type", keys[i]);
		trec_reject_mut(trec_node, b, keys[i], "[1]", want);
	}
	trec_reject_mut(trec_node, b, "id", "7", "field 'id': wrong type (want string)");
	trec_reject_mut(trec_node, b, "capacity_bytes", "\"7\"", "field 'capacity_bytes': wrong type (want integer)");
	trec_reject_mut(trec_node, b, "capacity_bytes", "1.5", "field 'capacity_bytes': wrong type (want integer)");
	trec_reject_mut(trec_node, b, "capacity_bytes", "1e3", "field 'capacity_bytes': wrong type (want integer)");
	trec_reject_mut(trec_node, b, "capacity_bytes", "-1", "field 'capacity_bytes': out of range");
	trec_reject_mut(trec_node, b, "free_bytes", "-9223372036854775808", "field 'free_bytes': out of range");
	trec_reject_mut(trec_node, b, "free_bytes", "1000000000001", "field 'free_bytes': exceeds capacity_bytes");
	trec_reject_mut(trec_node, b, "draining", "0", "field 'draining': wrong type (want boolean)");
	trec_reject_mut(trec_node, b, "draining", "null", "field 'draining': wrong type (want boolean)");
	trec_reject_mut(trec_node, b, "id", "\"\"", "field 'id': invalid name");
	trec_reject_mut(trec_node, b, "id", "\"a/b\"", "field 'id': invalid name");
	trec_reject_mut(trec_node, b, "id", "\"n\\u00e9\"", "field 'id': invalid name");
	trec_reject_mut(trec_node, b, "id", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
			"field 'id': too long (max 63 bytes)");
	const char *bad_portals[] = {"\"10.0.0.1\"", "\"10.0.0.1:\"", "\"10.0.0.1:0\"", "\"10.0.0.1:65536\"",
				     "\"10.0.0.1:+80\"", "\"10.0.0.1:080\"", "\":3260\"", "\"a b:3260\"",
				     "\"[::1:3260\"", "\"[]:3260\"", "\"::1:3260\"", "\"host:32x\"",
				     "\"tcp://h:1\"", "\"[zz]:1\""};
	for (size_t i = 0; i < sizeof bad_portals / sizeof bad_portals[0]; i++)
		trec_reject_mut(trec_node, b, "portal", bad_portals[i], "field 'portal': want host:port");
	trec_accept_mut(trec_node, b, "portal", "\"vtl-node-0.vtl.svc.cluster.local:3260\"");
	trec_accept_mut(trec_node, b, "portal", "\"[::ffff:10.0.0.1]:1\"");
	trec_reject_mut(trec_node, b, "peer", "\"10.0.0.1:7000\"", "field 'peer': want tcp://host:port");
	trec_reject_mut(trec_node, b, "peer", "\"ipc:///tmp/x\"", "field 'peer': want tcp://host:port");
	trec_reject_mut(trec_node, b, "peer", "\"tcp://h\"", "field 'peer': want tcp://host:port");
	trec_reject_mut(trec_node, b, "version", "\"1.0 beta\"", "field 'version': invalid version");
	trec_reject_mut(trec_node, b, "version", "\"\"", "field 'version': invalid version");
	trec_accept_mut(trec_node, b, "version", "\"1.2.3+git.abc_d-1\"");
	/* forward compatibility: members a newer writer adds are ignored */
	trec_accept_mut(trec_node, b, "zone", "{\"rack\":[1,2,{\"x\":null}]}");
	/* but a member given twice is refused: two readers must not pick different values */
	trec_reject(trec_node, "{\"id\":\"a\",\"id\":\"b\"}", -EINVAL, "invalid JSON: duplicate object key");
}

static void test_node_encode_rejects(void)
{
	struct proto_node n = {.id = "bad id", .portal = "h:1", .peer = "tcp://h:1", .version = "1"};
	char *s = (char *)"untouched", reason[PROTO_REASON_MAX];
	CHECK_EQ(proto_node_encode(&n, &s, reason, sizeof reason), -EINVAL);
	CHECK(!s);
	CHECK(strstr(reason, "field 'id': invalid name"));
	snprintf(n.id, sizeof n.id, "ok");
	n.free_bytes = 1;
	CHECK_EQ(proto_node_encode(&n, &s, NULL, 0), -EINVAL);
	CHECK_EQ(proto_node_check(&n, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "exceeds capacity_bytes"));
	n.capacity_bytes = (uint64_t)INT64_MAX + 1;     /* not representable in JSON here */
	CHECK_EQ(proto_node_check(&n, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'capacity_bytes': out of range"));
	memset(n.version, 'x', sizeof n.version);       /* no terminator */
	n.capacity_bytes = 1;
	CHECK_EQ(proto_node_check(&n, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'version': not terminated"));
}

static const char OWNER_JSON[] =
	"{\"node\":\"node-1\",\"epoch\":7,\"state\":\"online\",\"partners\":[\"node-2\",\"node-3\"]}";

static void test_owner(void)
{
	struct proto_owner o = {.node = "node-1", .epoch = 7, .state = PROTO_OWNER_ONLINE,
				.partners = {"node-2", "node-3"}, .n_partners = 2}, back;
	char *s, reason[PROTO_REASON_MAX];
	CHECK_EQ(proto_owner_encode(&o, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, OWNER_JSON));
	CHECK_EQ(proto_owner_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_owner_equal(&o, &back));
	free(s);
	back.n_partners = 1;
	CHECK(!proto_owner_equal(&o, &back));
	snprintf(back.partners[0], sizeof back.partners[0], "node-3");
	back.n_partners = 2;
	CHECK(!proto_owner_equal(&o, &back));   /* partner order is preference order */
	/* no partners, each state */
	o.n_partners = 0;
	for (int st = PROTO_OWNER_ONLINE; st <= PROTO_OWNER_MIGRATING; st++) {
		o.state = st;
		CHECK_EQ(proto_owner_encode(&o, &s, reason, sizeof reason), 0);
		CHECK(strstr(s, proto_owner_state_name(st)));
		CHECK(strstr(s, "\"partners\":[]"));
		CHECK_EQ(proto_owner_decode(s, strlen(s), &back, reason, sizeof reason), 0);
		CHECK(proto_owner_equal(&o, &back));
		free(s);
	}
	CHECK(!strcmp(proto_owner_state_name(PROTO_OWNER_MIGRATING), "migrating"));
	CHECK(!proto_owner_state_name(0));
	CHECK(!proto_owner_state_name(PROTO_OWNER_MIGRATING + 1));
}

static void test_owner_rejects(void)
{
	const char *b = OWNER_JSON;
	trec_reject_mut(trec_owner, b, "node", NULL, "missing field 'node'");
	trec_reject_mut(trec_owner, b, "epoch", NULL, "missing field 'epoch'");
	trec_reject_mut(trec_owner, b, "state", NULL, "missing field 'state'");
	trec_reject_mut(trec_owner, b, "partners", NULL, "missing field 'partners'");
	trec_reject_mut(trec_owner, b, "epoch", "0", "field 'epoch': out of range (1..9223372036854775807)");
	trec_reject_mut(trec_owner, b, "epoch", "-1", "field 'epoch': out of range");
	trec_reject_mut(trec_owner, b, "epoch", "\"7\"", "field 'epoch': wrong type (want integer)");
	trec_accept_mut(trec_owner, b, "epoch", "9223372036854775807");
	trec_reject_mut(trec_owner, b, "state", "\"standby\"", "field 'state': unknown value");
	trec_reject_mut(trec_owner, b, "state", "\"ONLINE\"", "field 'state': unknown value");
	trec_reject_mut(trec_owner, b, "state", "1", "field 'state': wrong type (want string)");
	trec_reject_mut(trec_owner, b, "node", "\"\"", "field 'node': invalid name");
	trec_reject_mut(trec_owner, b, "partners", "\"node-2\"", "field 'partners': wrong type (want array)");
	trec_reject_mut(trec_owner, b, "partners", "{}", "field 'partners': wrong type (want array)");
	trec_reject_mut(trec_owner, b, "partners", "[\"n2\",3]", "partners[1]: wrong type (want string)");
	trec_reject_mut(trec_owner, b, "partners", "[\"n 2\"]", "partners[0]: invalid name");
	trec_reject_mut(trec_owner, b, "partners",
			"[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]",
			"partners[0]: invalid name");
	trec_reject_mut(trec_owner, b, "partners", "[\"n2\",\"n3\",\"n2\"]", "partners[2]: duplicate");
	trec_reject_mut(trec_owner, b, "partners", "[\"n2\",\"node-1\"]", "partners[1]: is the owner");
	trec_reject_mut(trec_owner, b, "partners", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]",
			"field 'partners': more than 8");
	trec_accept_mut(trec_owner, b, "partners", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]");
	trec_accept_mut(trec_owner, b, "lease", "\"694d7ff3c1f2a312\"");

	struct proto_owner o = {.node = "n1", .epoch = 0, .state = PROTO_OWNER_ONLINE};
	char *s, reason[PROTO_REASON_MAX];
	CHECK_EQ(proto_owner_encode(&o, &s, reason, sizeof reason), -EINVAL);
	CHECK(!s);
	CHECK(strstr(reason, "field 'epoch': out of range"));
	o.epoch = 1;
	o.state = 0;
	CHECK_EQ(proto_owner_check(&o, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'state': unknown value"));
	o.state = PROTO_OWNER_OFFLINE;
	o.n_partners = PROTO_MAX_PARTNERS + 1;
	CHECK_EQ(proto_owner_check(&o, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'partners': more than 8"));
}

static const char MIG_JSON[] =
	"{\"id\":\"m-1\",\"library\":\"L1\",\"source\":\"node-1\",\"destination\":\"node-2\","
	"\"phase\":\"copying\",\"requested_at\":1795000000000,\"updated_at\":1795000004500,"
	"\"bytes_copied\":536870912,\"reason\":\"\"}";

static void test_mig(void)
{
	struct proto_mig m = {.id = "m-1", .library = "L1", .source = "node-1",
			      .destination = "node-2", .phase = PROTO_MIG_COPYING,
			      .requested_at = 1795000000000, .updated_at = 1795000004500,
			      .bytes_copied = 536870912}, back;
	char *s, reason[PROTO_REASON_MAX];
	CHECK_EQ(proto_mig_encode(&m, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, MIG_JSON));
	free(s);
	for (int ph = PROTO_MIG_REQUESTED; ph <= PROTO_MIG_FAILED; ph++) {
		m.phase = ph;
		snprintf(m.reason, sizeof m.reason, "destination n\xc3\xa9ud: \xe2\x82\xac%d", ph);
		CHECK_EQ(proto_mig_encode(&m, &s, reason, sizeof reason), 0);
		CHECK_EQ(proto_mig_decode(s, strlen(s), &back, reason, sizeof reason), 0);
		CHECK(proto_mig_equal(&m, &back));
		CHECK(!strcmp(back.reason, m.reason));
		CHECK(strstr(s, proto_mig_phase_name(ph)));
		CHECK_EQ(proto_mig_phase_final(ph), ph >= PROTO_MIG_DONE);
		free(s);
	}
	CHECK(!strcmp(proto_mig_phase_name(PROTO_MIG_ROLLED_BACK), "rolled_back"));
	CHECK(!proto_mig_phase_name(0));
	CHECK(!proto_mig_phase_name(PROTO_MIG_FAILED + 1));
	back.bytes_copied++;
	CHECK(!proto_mig_equal(&m, &back));
	/* reason is optional: absent reads as "" */
	char *v = trec_mutate(MIG_JSON, "reason", NULL);
	CHECK_EQ(proto_mig_decode(v, strlen(v), &back, reason, sizeof reason), 0);
	CHECK_EQ(back.reason[0], 0);
	CHECK_EQ(back.phase, PROTO_MIG_COPYING);
	free(v);
}

static void test_mig_rejects(void)
{
	const char *b = MIG_JSON;
	const char *req[] = {"id", "library", "source", "destination", "phase", "requested_at",
			     "updated_at", "bytes_copied"};
	char want[64];
	for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
		snprintf(want, sizeof want, "missing field '%s'", req[i]);
		trec_reject_mut(trec_mig, b, req[i], NULL, want);
	}
	trec_reject_mut(trec_mig, b, "phase", "\"paused\"", "field 'phase': unknown value");
	trec_reject_mut(trec_mig, b, "phase", "\"\"", "field 'phase': unknown value");
	trec_reject_mut(trec_mig, b, "phase", "3", "field 'phase': wrong type (want string)");
	trec_reject_mut(trec_mig, b, "destination", "\"node-1\"", "field 'destination': same as source");
	trec_reject_mut(trec_mig, b, "updated_at", "1794999999999", "field 'updated_at': before requested_at");
	trec_reject_mut(trec_mig, b, "requested_at", "-5", "field 'requested_at': out of range");
	trec_reject_mut(trec_mig, b, "bytes_copied", "-1", "field 'bytes_copied': out of range");
	trec_reject_mut(trec_mig, b, "library", "\"lib/1\"", "field 'library': invalid name");
	trec_reject_mut(trec_mig, b, "reason", "\"line1\\nline2\"", "field 'reason': control character");
	trec_reject_mut(trec_mig, b, "reason", "\"del\\u007f\"", "field 'reason': control character");
	trec_reject_mut(trec_mig, b, "reason", "false", "field 'reason': wrong type (want string)");
	char big[300];
	memset(big, 'r', sizeof big);
	big[0] = big[257] = '"';
	big[258] = 0;                           /* 256 characters */
	trec_reject_mut(trec_mig, b, "reason", big, "field 'reason': too long (max 255 bytes)");
	big[256] = '"';
	big[257] = 0;                           /* 255 characters */
	trec_accept_mut(trec_mig, b, "reason", big);

	struct proto_mig m = {.id = "m", .library = "L", .source = "a", .destination = "b",
			      .phase = PROTO_MIG_DONE};
	char *s, reason[PROTO_REASON_MAX];
	snprintf(m.reason, sizeof m.reason, "bad \xff byte");
	CHECK_EQ(proto_mig_encode(&m, &s, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'reason': invalid UTF-8"));
	const char *bad_utf8[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
				  "\xe2\x82", "\x80", "\xf8\x88\x80\x80\x80"};
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		snprintf(m.reason, sizeof m.reason, "%s", bad_utf8[i]);
		CHECK_EQ(proto_mig_check(&m, reason, sizeof reason), -EINVAL);
		CHECK(strstr(reason, "invalid UTF-8"));
	}
	snprintf(m.reason, sizeof m.reason, "\xf0\x9f\x93\xbc tape \xf4\x8f\xbf\xbf");
	CHECK_EQ(proto_mig_check(&m, reason, sizeof reason), 0);
}

static void test_leader_and_drain(void)
{
	char reason[PROTO_REASON_MAX], *s = NULL;
	struct proto_leader l = {.id = "mgr-1", .control = "tcp://127.0.0.1:7100", .since = 1795000000000};
	CHECK_EQ(proto_leader_encode(&l, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, "{\"id\":\"mgr-1\",\"control\":\"tcp://127.0.0.1:7100\",\"since\":1795000000000}"));
	struct proto_leader lb;
	CHECK_EQ(proto_leader_decode(s, strlen(s), &lb, reason, sizeof reason), 0);
	CHECK(proto_leader_equal(&l, &lb));
	free(s);
	const char *bad = "{\"id\":\"mgr-1\",\"control\":\"127.0.0.1:7100\",\"since\":1}";
	CHECK_EQ(proto_leader_decode(bad, strlen(bad), &lb, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'control'"));
	bad = "{\"id\":\"a/b\",\"control\":\"tcp://h:1\",\"since\":1}";
	CHECK_EQ(proto_leader_decode(bad, strlen(bad), &lb, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'id'"));

	struct proto_drain d = {.node = "node-2", .since = 5};
	CHECK_EQ(proto_drain_encode(&d, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, "{\"node\":\"node-2\",\"since\":5}"));
	struct proto_drain db;
	CHECK_EQ(proto_drain_decode(s, strlen(s), &db, reason, sizeof reason), 0);
	CHECK(proto_drain_equal(&d, &db));
	free(s);
	bad = "{\"node\":\"node-2\",\"since\":-1}";
	CHECK_EQ(proto_drain_decode(bad, strlen(bad), &db, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'since'"));
	CHECK_EQ(proto_drain_decode("{", 1, &db, reason, sizeof reason), -EINVAL);
}

int main(void)
{
	test_leader_and_drain();
	test_node_round_trip();
	test_node_rejects();
	test_node_encode_rejects();
	test_owner();
	test_owner_rejects();
	test_mig();
	test_mig_rejects();
	return 0;
}
