/* Login key negotiation: each key's result function, bad values, NotUnderstood,
 * Irrelevant in discovery, repeated keys, identity keys, declarations, limits, garbage. */
#include <stdlib.h>
#include <string.h>

#include "node/iscsi/negotiate.h"
#include "node/iscsi/pdu.h"
#include "tests/testutil.h"

#define MRDSL 262144u
#define MBL 1048576u
#define FBL 262144u

static char g_out[8192];
static struct iscsi_textbuf g_tb;

static void fresh(struct iscsi_neg *n)
{
	iscsi__neg_init(n, MRDSL, MBL, FBL, 7);
	iscsi__tb_init(&g_tb, g_out, sizeof g_out);
}

/* Runs one request (pairs separated by '|') in stage csg; returns the login status. */
static int nego(struct iscsi_neg *n, int csg, const char *pairs)
{
	char text[4096];
	size_t len = strlen(pairs);
	CHECK(len < sizeof text);
	memcpy(text, pairs, len + 1);
	for (size_t i = 0; i < len; i++)
		if (text[i] == '|')
			text[i] = '\0';
	iscsi__tb_init(&g_tb, g_out, sizeof g_out);
	return iscsi__neg_login(n, csg, text, len + 1, &g_tb);
}

/* The answer for key in the last reply, or NULL. */
static const char *answer(const char *key)
{
	size_t kl = strlen(key);
	for (size_t off = 0; off < g_tb.len;) {
		const char *s = g_out + off;
		size_t l = strlen(s);
		if (l > kl && s[kl] == '=' && memcmp(s, key, kl) == 0)
			return s + kl + 1;
		off += l + 1;
	}
	return NULL;
}

static void expect(const char *key, const char *val)
{
	const char *a = answer(key);
	if (!a || strcmp(a, val) != 0) {
		fprintf(stderr, "key %s: expected %s, got %s\n", key, val, a ? a : "(none)");
		exit(1);
	}
}

static void test_libiscsi_offer(void)
{
	struct iscsi_neg n;
	fresh(&n);
	CHECK_EQ(nego(&n, 1, "InitiatorName=iqn.2026-11.test:i|TargetName=iqn.2026-11.io.vtl:t0|"
		     "SessionType=Normal|HeaderDigest=None,CRC32C|DataDigest=None|InitialR2T=No|"
		     "ImmediateData=Yes|MaxBurstLength=262144|FirstBurstLength=262144|"
		     "DefaultTime2Wait=2|DefaultTime2Retain=0|MaxOutstandingR2T=1|"
		     "ErrorRecoveryLevel=0|IFMarker=No|OFMarker=No|MaxConnections=1|"
		     "MaxRecvDataSegmentLength=262144|DataPDUInOrder=Yes|DataSequenceInOrder=Yes"),
		 ISCSI_LOGIN_OK);
	expect("HeaderDigest", "None");          /* first of the offer we support */
	expect("DataDigest", "None");
	expect("InitialR2T", "No");
	expect("ImmediateData", "Yes");
	expect("MaxBurstLength", "262144");
	expect("FirstBurstLength", "262144");
	expect("DefaultTime2Wait", "2");
	expect("DefaultTime2Retain", "0");
	expect("MaxOutstandingR2T", "1");
	expect("ErrorRecoveryLevel", "0");
	expect("IFMarker", "No");
	expect("OFMarker", "No");
	expect("MaxConnections", "1");
	expect("DataPDUInOrder", "Yes");
	expect("DataSequenceInOrder", "Yes");
	CHECK(answer("MaxRecvDataSegmentLength") == NULL);   /* declarative: not echoed */
	CHECK(answer("InitiatorName") == NULL && answer("TargetName") == NULL);
	CHECK(answer("SessionType") == NULL);
	CHECK(strcmp(n.initiator, "iqn.2026-11.test:i") == 0);
	CHECK(strcmp(n.target, "iqn.2026-11.io.vtl:t0") == 0);
	CHECK_EQ(n.type, ISCSI_SESSION_NORMAL);
	CHECK_EQ(n.p.initial_r2t, 0);
	CHECK_EQ(n.p.immediate_data, 1);
	CHECK_EQ(n.p.mrdsl_initiator, 262144);
	CHECK_EQ(n.p.header_digest, 0);

	/* our declarations: MaxRecvDataSegmentLength and the TPGT, once each */
	iscsi__tb_init(&g_tb, g_out, sizeof g_out);
	iscsi__neg_declare(&n, true, &g_tb);
	expect("MaxRecvDataSegmentLength", "262144");
	expect("TargetPortalGroupTag", "7");
	iscsi__tb_init(&g_tb, g_out, sizeof g_out);
	iscsi__neg_declare(&n, true, &g_tb);
	CHECK_EQ(g_tb.len, 0);
}

static void test_digests(void)
{
	static const struct { const char *offer, *want; uint32_t on; } c[] = {
		{"CRC32C", "CRC32C", 1}, {"CRC32C,None", "CRC32C", 1}, {"None,CRC32C", "None", 0},
		{"Bogus,CRC32C", "CRC32C", 1}, {"Bogus", "Reject", 0}, {"crc32c", "Reject", 0},
		{"", "Reject", 0}, {"CRC32C,", "CRC32C", 1}, {",None", "None", 0},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct iscsi_neg n;
		char req[128];
		fresh(&n);
		snprintf(req, sizeof req, "HeaderDigest=%s|DataDigest=%s", c[i].offer, c[i].offer);
		CHECK_EQ(nego(&n, 1, req), ISCSI_LOGIN_OK);
		expect("HeaderDigest", c[i].want);
		expect("DataDigest", c[i].want);
		CHECK_EQ(n.p.header_digest, c[i].on);
		CHECK_EQ(n.p.data_digest, c[i].on);
	}
}

static void test_numeric(void)
{
	static const struct { const char *kv, *key, *want; size_t off; uint32_t val; } c[] = {
		{"MaxBurstLength=2000000", "MaxBurstLength", "1048576", offsetof(struct iscsi_params, max_burst), MBL},
		{"MaxBurstLength=512", "MaxBurstLength", "512", offsetof(struct iscsi_params, max_burst), 512},
		{"MaxBurstLength=511", "MaxBurstLength", "Reject", offsetof(struct iscsi_params, max_burst), 262144},
		{"MaxBurstLength=16777216", "MaxBurstLength", "Reject", offsetof(struct iscsi_params, max_burst), 262144},
		{"MaxBurstLength=abc", "MaxBurstLength", "Reject", offsetof(struct iscsi_params, max_burst), 262144},
		{"MaxBurstLength=0x1000", "MaxBurstLength", "4096", offsetof(struct iscsi_params, max_burst), 4096},
		{"FirstBurstLength=100000000", "FirstBurstLength", "Reject", offsetof(struct iscsi_params, first_burst), 65536},
		{"FirstBurstLength=999999", "FirstBurstLength", "262144", offsetof(struct iscsi_params, first_burst), FBL},
		{"DefaultTime2Wait=0", "DefaultTime2Wait", "2", offsetof(struct iscsi_params, time2wait), 2},
		{"DefaultTime2Wait=5", "DefaultTime2Wait", "5", offsetof(struct iscsi_params, time2wait), 5},
		{"DefaultTime2Wait=3601", "DefaultTime2Wait", "Reject", offsetof(struct iscsi_params, time2wait), 2},
		{"DefaultTime2Retain=100", "DefaultTime2Retain", "20", offsetof(struct iscsi_params, time2retain), 20},
		{"DefaultTime2Retain=0", "DefaultTime2Retain", "0", offsetof(struct iscsi_params, time2retain), 0},
		{"MaxOutstandingR2T=16", "MaxOutstandingR2T", "8", offsetof(struct iscsi_params, max_outstanding_r2t), 8},
		{"MaxOutstandingR2T=0", "MaxOutstandingR2T", "Reject", offsetof(struct iscsi_params, max_outstanding_r2t), 1},
		{"ErrorRecoveryLevel=2", "ErrorRecoveryLevel", "0", offsetof(struct iscsi_params, erl), 0},
		{"ErrorRecoveryLevel=3", "ErrorRecoveryLevel", "Reject", offsetof(struct iscsi_params, erl), 0},
		{"MaxConnections=4", "MaxConnections", "1", offsetof(struct iscsi_params, max_connections), 1},
		{"MaxConnections=0", "MaxConnections", "Reject", offsetof(struct iscsi_params, max_connections), 1},
		{"MaxRecvDataSegmentLength=511", "MaxRecvDataSegmentLength", "Reject", offsetof(struct iscsi_params, mrdsl_initiator), 8192},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct iscsi_neg n;
		fresh(&n);
		CHECK_EQ(nego(&n, 1, c[i].kv), ISCSI_LOGIN_OK);
		expect(c[i].key, c[i].want);
		CHECK_EQ(*(uint32_t *)((char *)&n.p + c[i].off), c[i].val);
	}
	/* declared MaxRecvDataSegmentLength is taken, silently */
	struct iscsi_neg n;
	fresh(&n);
	CHECK_EQ(nego(&n, 1, "MaxRecvDataSegmentLength=4096"), ISCSI_LOGIN_OK);
	CHECK_EQ(n.p.mrdsl_initiator, 4096);
	CHECK_EQ(g_tb.len, 0);
	/* FirstBurstLength is clamped to MaxBurstLength once login completes */
	fresh(&n);
	CHECK_EQ(nego(&n, 1, "MaxBurstLength=8192|FirstBurstLength=65536"), ISCSI_LOGIN_OK);
	iscsi__neg_finish(&n);
	CHECK_EQ(n.p.max_burst, 8192);
	CHECK_EQ(n.p.first_burst, 8192);
	/* keys never offered keep the RFC defaults */
	fresh(&n);
	CHECK_EQ(nego(&n, 1, "InitiatorName=i"), ISCSI_LOGIN_OK);
	iscsi__neg_finish(&n);
	CHECK_EQ(n.p.initial_r2t, 1);
	CHECK_EQ(n.p.max_burst, 262144);
	CHECK_EQ(n.p.first_burst, 65536);
	CHECK_EQ(n.p.mrdsl_initiator, 8192);
	CHECK_EQ(n.p.mrdsl_target, MRDSL);
	CHECK_EQ(n.p.max_outstanding_r2t, 1);
}

static void test_booleans(void)
{
	static const struct { const char *kv, *key, *want; } c[] = {
		{"InitialR2T=Yes", "InitialR2T", "Yes"},   /* OR */
		{"InitialR2T=No", "InitialR2T", "No"},
		{"InitialR2T=yes", "InitialR2T", "Reject"},
		{"ImmediateData=No", "ImmediateData", "No"},   /* AND */
		{"ImmediateData=Yes", "ImmediateData", "Yes"},
		{"ImmediateData=", "ImmediateData", "Reject"},
		{"DataPDUInOrder=No", "DataPDUInOrder", "Yes"},   /* OR with our Yes */
		{"DataSequenceInOrder=No", "DataSequenceInOrder", "Yes"},
		{"IFMarker=Yes", "IFMarker", "No"},   /* AND with our No */
		{"OFMarker=No", "OFMarker", "No"},
		{"OFMarkInt=2048~8192", "OFMarkInt", "Reject"},   /* obsolete (RFC 7143 13.25) */
		{"IFMarkInt=2048~8192", "IFMarkInt", "Reject"},
		{"X-com.example.Foo=1", "X-com.example.Foo", "NotUnderstood"},
		{"FooBar=1", "FooBar", "NotUnderstood"},
		{"TargetAlias=x", "TargetAlias", "Reject"},   /* target-only keys */
		{"TargetPortalGroupTag=1", "TargetPortalGroupTag", "Reject"},
		{"SendTargets=All", "SendTargets", "Reject"},   /* Full Feature Phase only */
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct iscsi_neg n;
		fresh(&n);
		CHECK_EQ(nego(&n, 1, c[i].kv), ISCSI_LOGIN_OK);
		expect(c[i].key, c[i].want);
	}
}

static void test_discovery(void)
{
	struct iscsi_neg n;
	fresh(&n);
	/* SessionType after the keys it makes irrelevant still decides them */
	CHECK_EQ(nego(&n, 1, "InitiatorName=i|MaxBurstLength=4096|InitialR2T=No|"
		     "ImmediateData=No|FirstBurstLength=512|MaxOutstandingR2T=2|MaxConnections=1|"
		     "DataPDUInOrder=Yes|DataSequenceInOrder=Yes|HeaderDigest=CRC32C|"
		     "SessionType=Discovery"), ISCSI_LOGIN_OK);
	CHECK_EQ(n.type, ISCSI_SESSION_DISCOVERY);
	expect("MaxBurstLength", "Irrelevant");
	expect("InitialR2T", "Irrelevant");
	expect("ImmediateData", "Irrelevant");
	expect("FirstBurstLength", "Irrelevant");
	expect("MaxOutstandingR2T", "Irrelevant");
	expect("MaxConnections", "Irrelevant");
	expect("DataPDUInOrder", "Irrelevant");
	expect("DataSequenceInOrder", "Irrelevant");
	expect("HeaderDigest", "CRC32C");
	CHECK_EQ(n.p.max_burst, 262144);
	iscsi__tb_init(&g_tb, g_out, sizeof g_out);
	iscsi__neg_declare(&n, true, &g_tb);
	expect("MaxRecvDataSegmentLength", "262144");
	CHECK(answer("TargetPortalGroupTag") == NULL);   /* not for discovery */
}

static void test_failures(void)
{
	static const struct { int csg; const char *req; int status; } c[] = {
		{1, "MaxBurstLength=4096|MaxBurstLength=8192", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "SessionType=Normal|SessionType=Normal", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "NoEqualsSign", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "Bad Key=1", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "=1", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "SessionType=Bogus", ISCSI_LOGIN_SESSION_TYPE},
		{0, "AuthMethod=CHAP", ISCSI_LOGIN_AUTH_FAILED},
		{0, "AuthMethod=KRB5,SRP", ISCSI_LOGIN_AUTH_FAILED},
		{1, "AuthMethod=None", ISCSI_LOGIN_INITIATOR_ERROR},   /* security stage only */
		{1, "InitiatorName=", ISCSI_LOGIN_INITIATOR_ERROR},
		{1, "TargetName=a\tb", ISCSI_LOGIN_INITIATOR_ERROR},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct iscsi_neg n;
		fresh(&n);
		CHECK_EQ(nego(&n, c[i].csg, c[i].req), c[i].status);
	}
	/* a key repeated in a later PDU of the same login is an error too */
	struct iscsi_neg n;
	fresh(&n);
	CHECK_EQ(nego(&n, 0, "AuthMethod=CHAP,None"), ISCSI_LOGIN_OK);
	expect("AuthMethod", "None");
	CHECK_EQ(nego(&n, 1, "MaxBurstLength=8192"), ISCSI_LOGIN_OK);
	CHECK_EQ(nego(&n, 1, "MaxBurstLength=8192"), ISCSI_LOGIN_INITIATOR_ERROR);
	/* names: 223 bytes fit, 224 do not */
	char req[400];
	fresh(&n);
	memcpy(req, "InitiatorName=", 14);
	memset(req + 14, 'a', 223);
	req[14 + 223] = '\0';
	CHECK_EQ(nego(&n, 1, req), ISCSI_LOGIN_OK);
	CHECK_EQ(strlen(n.initiator), 223);
	fresh(&n);
	memset(req + 14, 'a', 224);
	req[14 + 224] = '\0';
	CHECK_EQ(nego(&n, 1, req), ISCSI_LOGIN_INITIATOR_ERROR);
	/* a reply that does not fit the caller's buffer */
	char small[16];
	fresh(&n);
	iscsi__tb_init(&g_tb, small, sizeof small);
	static const char t[] = "MaxBurstLength=4096\0FirstBurstLength=4096";
	CHECK_EQ(iscsi__neg_login(&n, 1, t, sizeof t, &g_tb), ISCSI_LOGIN_OUT_OF_RESOURCES);
}

static void test_garbage(void)
{
	srand(99);
	char *text = malloc(600);
	CHECK(text);
	static const char alphabet[] = "=\0,aN=eMaxBurstLength=HeaderDigest=CRC32CYesNo0123456789x";
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % 600;
		for (size_t k = 0; k < len; k++)
			text[k] = (rand() & 3) ? alphabet[rand() % (sizeof alphabet - 1)] : (char)rand();
		struct iscsi_neg n;
		fresh(&n);
		int st = iscsi__neg_login(&n, rand() & 1, text, len, &g_tb);
		CHECK(st == ISCSI_LOGIN_OK || (st >> 8) == 2 || (st >> 8) == 3);
		CHECK(g_tb.len <= g_tb.cap);
		CHECK(strlen(n.initiator) < SCSI_NAME_MAX && strlen(n.target) < SCSI_NAME_MAX);
	}
	free(text);
}

int main(void)
{
	test_libiscsi_offer();
	test_digests();
	test_numeric();
	test_booleans();
	test_discovery();
	test_failures();
	test_garbage();
	return 0;
}
