/* libFuzzer target: the same bytes go to every etcd value decoder, the key parser and the
 * control-message envelope decoders (proto/ctl.h).
 * Whatever decodes must survive the trip back: encode -> decode gives an equal record and
 * re-encoding gives the same bytes, so a reader never accepts what a writer would refuse
 * and no record changes meaning by being rewritten. Any mismatch aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ctl.h"
#include "proto/keys.h"
#include "proto/records.h"

#define MUST(c)                                                                       \
	do {                                                                          \
		if (!(c)) {                                                           \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);       \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* Round trip of one record type: a, b are records, ENC/DEC/EQ its functions. */
#define ROUND_TRIP(a, b, enc, dec, eq, fini)                                          \
	do {                                                                          \
		char *s1, *s2;                                                        \
		MUST(enc(&a, &s1, NULL, 0) == 0);                                     \
		MUST(dec(s1, strlen(s1), &b, NULL, 0) == 0);                          \
		MUST(eq(&a, &b));                                                     \
		MUST(enc(&b, &s2, NULL, 0) == 0);                                     \
		MUST(!strcmp(s1, s2));                                                \
		free(s1);                                                             \
		free(s2);                                                             \
		fini(&b);                                                             \
	} while (0)

static void nothing(void *p)
{
	(void)p;
}

static void fuzz_records(const uint8_t *data, size_t size)
{
	char reason[PROTO_REASON_MAX];
	struct proto_node n, n2;
	if (!proto_node_decode(data, size, &n, reason, sizeof reason))
		ROUND_TRIP(n, n2, proto_node_encode, proto_node_decode, proto_node_equal, nothing);
	struct proto_owner o, o2;
	if (!proto_owner_decode(data, size, &o, reason, sizeof reason))
		ROUND_TRIP(o, o2, proto_owner_encode, proto_owner_decode, proto_owner_equal, nothing);
	struct proto_mig m, m2;
	if (!proto_mig_decode(data, size, &m, reason, sizeof reason))
		ROUND_TRIP(m, m2, proto_mig_encode, proto_mig_decode, proto_mig_equal, nothing);
	struct proto_libcfg c, c2;
	if (!proto_libcfg_decode(data, size, &c, reason, sizeof reason)) {
		ROUND_TRIP(c, c2, proto_libcfg_encode, proto_libcfg_decode, proto_libcfg_equal,
			   proto_libcfg_fini);
		proto_libcfg_fini(&c);
	}
	struct proto_leader l, l2;
	if (!proto_leader_decode(data, size, &l, reason, sizeof reason))
		ROUND_TRIP(l, l2, proto_leader_encode, proto_leader_decode, proto_leader_equal, nothing);
	struct proto_drain d, d2;
	if (!proto_drain_decode(data, size, &d, reason, sizeof reason))
		ROUND_TRIP(d, d2, proto_drain_encode, proto_drain_decode, proto_drain_equal, nothing);
}

/* The control envelope: what decodes re-encodes to something that decodes the same. */
static void fuzz_ctl(const uint8_t *data, size_t size)
{
	char op[PROTO_CTL_OP_MAX + 1], reason[PROTO_REASON_MAX], msg[PROTO_CTL_MSG_MAX + 1];
	json_t *args = NULL, *res = NULL, *back = NULL;
	char *s = NULL;
	if (!proto_ctl_request_decode(data, size, op, &args, reason, sizeof reason)) {
		MUST(json_is_object(args));
		MUST(proto_ctl_request_encode(op, args, &s) == 0);
		char op2[PROTO_CTL_OP_MAX + 1];
		MUST(proto_ctl_request_decode(s, strlen(s), op2, &back, reason, sizeof reason) == 0);
		MUST(!strcmp(op, op2) && json_equal(args, back));
		json_decref(args);
		json_decref(back);
		free(s);
	}
	enum proto_ctl_err err;
	if (!proto_ctl_reply_decode(data, size, &err, msg, sizeof msg, &res, reason, sizeof reason)) {
		MUST((err == PROTO_CTL_OK) == (res != NULL));
		MUST(err < PROTO_CTL_ERR_COUNT);
		json_decref(res);
	}
}

/* A key that parses is rebuilt to the same bytes. */
static void fuzz_key(const uint8_t *data, size_t size)
{
	struct proto_key k;
	char buf[PROTO_KEY_MAX];
	int rc = proto_key_parse(PROTO_KEY_PREFIX_DEFAULT, data, size, &k);
	if (rc)
		return;
	const char *p = PROTO_KEY_PREFIX_DEFAULT;
	switch (k.kind) {
	case PROTO_KEY_NODE: rc = proto_key_node(buf, sizeof buf, p, k.name); break;
	case PROTO_KEY_LIB_CONFIG: rc = proto_key_lib_config(buf, sizeof buf, p, k.name); break;
	case PROTO_KEY_LIB_OWNER: rc = proto_key_lib_owner(buf, sizeof buf, p, k.name); break;
	case PROTO_KEY_MIGRATION: rc = proto_key_migration(buf, sizeof buf, p, k.name); break;
	case PROTO_KEY_LEADER: rc = proto_key_leader(buf, sizeof buf, p); break;
	case PROTO_KEY_DRAIN: rc = proto_key_drain(buf, sizeof buf, p, k.name); break;
	default: MUST(!"unknown kind");
	}
	MUST(rc == 0 && strlen(buf) == size && !memcmp(buf, data, size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_records(data, size);
	fuzz_key(data, size);
	fuzz_ctl(data, size);
	return 0;
}
