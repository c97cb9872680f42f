/* Raw-socket tests of the login phase and of malformed input: login failures with their
 * exact status, multi-stage and continued logins, digests on the wire (good and bad),
 * bad opcodes, oversize lengths, truncated and garbage streams, the connection limit;
 * after each, the server still serves a fresh login. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi.h"
#include "tests/testutil.h"
#include "tests/unit/iscsi/rawcli.h"
#include "tests/unit/iscsi/testbe.h"

static struct testbe g_be;
static struct iscsi_server *g_srv;
static uint16_t g_port;

static int login_with(struct rawcli *rc, const char *target, const char *extra)
{
	char text[4096];
	struct rawpdu p;
	uint32_t n = raw_kv(text, sizeof text, extra);
	int st = raw_login(rc, target, text, n, &p);
	raw_pdu_free(&p);
	return st;
}

/* A fresh connection logs in and answers a NOP: the server is healthy. */
static void check_serves(void)
{
	struct rawcli rc;
	struct rawpdu p;
	raw_open(&rc, g_port);
	CHECK_EQ(login_with(&rc, RAW_TARGET, ""), 0);
	uint8_t bhs[48];
	raw_bhs(bhs, 0x40, 0x80, 0x77);   /* immediate NOP-Out */
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc.cmdsn);
	CHECK_EQ(raw_send(&rc, bhs, "abc", 3), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x20);
	CHECK_EQ(get_be32(p.bhs + 16), 0x77);
	CHECK_EQ(p.len, 3);
	CHECK(memcmp(p.data, "abc", 3) == 0);
	raw_pdu_free(&p);
	raw_close(&rc);
}

static void expect_fail_closed(struct rawcli *rc, int st, int want)
{
	CHECK_EQ(st, want);
	CHECK(raw_wait_closed(rc, 3000));
	raw_close(rc);
}

static void test_login_failures(void)
{
	struct rawcli rc;
	raw_open(&rc, g_port);
	expect_fail_closed(&rc, login_with(&rc, "iqn.2026-11.io.vtl:nosuch", ""), 0x0203);

	/* no InitiatorName */
	raw_open(&rc, g_port);
	uint8_t bhs[48];
	char text[256];
	struct rawpdu p;
	uint32_t n = raw_kv(text, sizeof text, "TargetName=" RAW_TARGET "|SessionType=Normal");
	raw_bhs(bhs, 0x43, 0x87, 1);
	memcpy(bhs + 8, rc.isid, 6);
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x23);
	CHECK_EQ(get_be32(p.bhs + 16), 1);          /* the request's ITT */
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0207);
	raw_pdu_free(&p);

	raw_open(&rc, g_port);   /* normal session without TargetName */
	n = raw_kv(text, sizeof text, "InitiatorName=" RAW_INITIATOR);
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0207);
	raw_pdu_free(&p);

	raw_open(&rc, g_port);   /* VersionMin 1: we only speak 0 */
	bhs[3] = 1;
	n = raw_kv(text, sizeof text, "InitiatorName=" RAW_INITIATOR "|TargetName=" RAW_TARGET);
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);   /* the target drains it before closing */
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0205);
	raw_pdu_free(&p);
	bhs[3] = 0;

	raw_open(&rc, g_port);   /* T and C together */
	bhs[1] = 0x80 | 0x40 | 0x04 | 3;
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0200);
	raw_pdu_free(&p);

	raw_open(&rc, g_port);   /* a NOP-Out before login */
	raw_bhs(bhs, 0x40, 0x80, 9);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x23);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x020b);
	raw_pdu_free(&p);

	raw_open(&rc, g_port);   /* a duplicated key */
	expect_fail_closed(&rc, login_with(&rc, RAW_TARGET, "MaxBurstLength=4096|MaxBurstLength=4096"),
			   0x0200);
	raw_open(&rc, g_port);   /* CHAP only: we do not authenticate yet */
	raw_bhs(bhs, 0x43, 0x80 | 0x00 | 1, 1);   /* CSG 0 -> NSG 1 */
	memcpy(bhs + 8, rc.isid, 6);
	n = raw_kv(text, sizeof text, "InitiatorName=" RAW_INITIATOR "|TargetName=" RAW_TARGET
	       "|AuthMethod=CHAP");
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0201);
	raw_pdu_free(&p);

	raw_open(&rc, g_port);   /* a TSIH that names no session */
	rc.tsih = 0x4242;
	expect_fail_closed(&rc, login_with(&rc, RAW_TARGET, ""), 0x020a);
	check_serves();
}

/* Oversize login data: refused from the header alone, the data is never read. */
static void test_login_lengths(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48];
	raw_open(&rc, g_port);
	raw_bhs(bhs, 0x43, 0x87, 1);
	put_be24(bhs + 5, 0xffffff);
	CHECK_EQ(write(rc.fd, bhs, 48), 48);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	expect_fail_closed(&rc, p.bhs[36] << 8 | p.bhs[37], 0x0200);
	raw_pdu_free(&p);

	/* 8192 bytes in two continued PDUs is the limit; one byte more fails */
	char *big = malloc(8200);
	CHECK(big);
	for (int over = 0; over < 2; over++) {
		raw_open(&rc, g_port);
		int n = snprintf(big, 8200, "InitiatorName=%s", RAW_INITIATOR) + 1;
		n += snprintf(big + n, 8200 - (size_t)n, "TargetName=%s", RAW_TARGET) + 1;
		memcpy(big + n, "X-pad=", 6);
		int total = 8192 + over;
		memset(big + n + 6, 'p', (size_t)(total - n - 7));
		big[total - 1] = '\0';
		raw_bhs(bhs, 0x43, 0x40 | 0x04, 2);   /* C=1, CSG 1 */
		memcpy(bhs + 8, rc.isid, 6);
		CHECK_EQ(raw_send(&rc, bhs, big, 4096), 0);
		CHECK_EQ(raw_recv(&rc, &p, 0), 0);   /* empty answer: send the rest */
		CHECK_EQ(p.bhs[36], 0);
		CHECK_EQ(p.len, 0);
		CHECK_EQ(p.bhs[1] & 0x80, 0);
		raw_pdu_free(&p);
		raw_bhs(bhs, 0x43, 0x87, 2);
		memcpy(bhs + 8, rc.isid, 6);
		/* over the limit the target answers from the header alone; it still reads (and
		 * drops) what follows before closing, so the write succeeds */
		int sent = raw_send(&rc, bhs, big + 4096, (uint32_t)total - 4096);
		CHECK_EQ(sent, 0);
		CHECK_EQ(raw_recv(&rc, &p, 0), 0);
		int st = p.bhs[36] << 8 | p.bhs[37];
		if (over) {
			expect_fail_closed(&rc, st, 0x0200);
		} else {
			CHECK_EQ(st, 0);
			CHECK(strcmp(raw_text_get(&p, "X-pad"), "NotUnderstood") == 0);
			raw_close(&rc);
		}
		raw_pdu_free(&p);
	}
	free(big);
}

/* Security stage, then operational, then Full Feature Phase, in three exchanges. */
static void test_multistage(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48];
	char text[512];
	raw_open(&rc, g_port);
	raw_bhs(bhs, 0x43, 0x80 | (0 << 2) | 1, 5);
	memcpy(bhs + 8, rc.isid, 6);
	put_be32(bhs + 24, 500);
	put_be32(bhs + 28, 7777);
	uint32_t n = raw_kv(text, sizeof text, "InitiatorName=" RAW_INITIATOR "|TargetName=" RAW_TARGET
			"|SessionType=Normal|AuthMethod=CHAP,None");
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[1], 0x80 | (0 << 2) | 1);      /* T, CSG 0, NSG 1 */
	CHECK_EQ(get_be32(p.bhs + 24), 7777);        /* StatSN starts at our ExpStatSN */
	CHECK_EQ(get_be32(p.bhs + 28), 500);         /* ExpCmdSN: login is immediate */
	CHECK_EQ(get_be32(p.bhs + 32), 500 + 31);
	CHECK(strcmp(raw_text_get(&p, "AuthMethod"), "None") == 0);
	CHECK(strcmp(raw_text_get(&p, "TargetPortalGroupTag"), "3") == 0);
	CHECK(raw_text_get(&p, "MaxRecvDataSegmentLength") == NULL);
	CHECK_EQ(get_be16(p.bhs + 14), 0);
	raw_pdu_free(&p);

	raw_bhs(bhs, 0x43, 0x80 | (1 << 2) | 3, 5);
	memcpy(bhs + 8, rc.isid, 6);
	put_be32(bhs + 24, 500);
	n = raw_kv(text, sizeof text, "HeaderDigest=None|MaxRecvDataSegmentLength=65536");
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[1], 0x80 | (1 << 2) | 3);
	CHECK_EQ(p.bhs[36], 0);
	CHECK_EQ(get_be32(p.bhs + 24), 7778);
	CHECK(strcmp(raw_text_get(&p, "MaxRecvDataSegmentLength"), "262144") == 0);
	CHECK(raw_text_get(&p, "TargetPortalGroupTag") == NULL);   /* said once */
	CHECK(get_be16(p.bhs + 14) != 0);                          /* TSIH assigned */
	raw_pdu_free(&p);
	raw_close(&rc);
}

static void digest_login(struct rawcli *rc)
{
	raw_open(rc, g_port);
	rc->hdig = rc->ddig = true;
	CHECK_EQ(login_with(rc, RAW_TARGET, "HeaderDigest=CRC32C|DataDigest=CRC32C"), 0);
}

static void test_digests(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16] = {0x0a, 0, 0, 0x10, 0x02};   /* WRITE(6) 4098 bytes */
	uint8_t data[4098];
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13);
	digest_login(&rc);
	raw_scsi_cmd(bhs, 0x80 | 0x20 | 1, 0x10, rc.cmdsn++, sizeof data, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, data, sizeof data), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);          /* digests checked by raw_recv */
	CHECK_EQ(p.bhs[0] & 0x3f, 0x21);
	CHECK_EQ(p.bhs[3], 0);
	raw_pdu_free(&p);
	cdb[0] = 0x08;
	raw_scsi_cmd(bhs, 0x80 | 0x40 | 1, 0x11, rc.cmdsn++, sizeof data, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x25);
	CHECK_EQ(p.bhs[1], 0x80 | 0x01);            /* F and S: phase collapse */
	CHECK_EQ(p.len, sizeof data);
	CHECK(memcmp(p.data, data, sizeof data) == 0);
	raw_pdu_free(&p);

	/* a NOP-Out whose data digest is wrong: Reject 0x02, the connection lives on */
	raw_bhs(bhs, 0x40, 0x80, 0x12);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc.cmdsn);
	rc.ddig = false;
	CHECK_EQ(raw_send(&rc, bhs, "ping", 4), 0);
	CHECK_EQ(write(rc.fd, "\1\2\3\4", 4), 4);   /* a made-up digest */
	rc.ddig = true;
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x3f);
	CHECK_EQ(p.bhs[2], 0x02);
	CHECK_EQ(p.len, 48);
	CHECK_EQ(p.data[0] & 0x3f, 0x00);          /* the rejected header comes back */
	CHECK_EQ(get_be32(p.data + 16), 0x12);
	raw_pdu_free(&p);
	CHECK_EQ(raw_send(&rc, bhs, "ping", 4), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x20);
	raw_pdu_free(&p);

	/* a wrong header digest: no length can be trusted, the connection is closed */
	rc.hdig = false;
	raw_bhs(bhs, 0x40, 0x80, 0x13);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(write(rc.fd, "\0\0\0\0", 4), 4);
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
}

static void test_ffp_malformed(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48];
	raw_open(&rc, g_port);
	CHECK_EQ(login_with(&rc, RAW_TARGET, ""), 0);
	static const uint8_t ops[] = {0x07, 0x1c, 0x21, 0x3f};
	for (size_t i = 0; i < sizeof ops; i++) {
		raw_bhs(bhs, ops[i], 0x80, 0x20 + (uint32_t)i);
		CHECK_EQ(raw_send(&rc, bhs, "xyz", 3), 0);   /* its data is skipped */
		CHECK_EQ(raw_recv(&rc, &p, 0), 0);
		CHECK_EQ(p.bhs[0] & 0x3f, 0x3f);
		CHECK_EQ(p.bhs[2], 0x05);                    /* command not supported */
		CHECK_EQ(get_be32(p.bhs + 16), 0xffffffff);
		CHECK_EQ(p.data[0] & 0x3f, ops[i]);
		raw_pdu_free(&p);
	}
	raw_bhs(bhs, 0x10, 0x80, 0x30);                     /* SNACK at ERL 0 */
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[2], 0x04);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x43, 0x87, 0x31);                     /* Login in Full Feature Phase */
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[2], 0x04);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x40, 0x80, 0x32);                     /* AHS on a NOP-Out */
	bhs[4] = 1;
	put_be32(bhs + 20, 0xffffffff);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(write(rc.fd, "AHS!", 4), 4);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[2], 0x09);
	raw_pdu_free(&p);
	/* still alive */
	raw_bhs(bhs, 0x40, 0x80, 0x33);
	put_be32(bhs + 20, 0xffffffff);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x20);
	raw_pdu_free(&p);
	/* DataSegmentLength over our MaxRecvDataSegmentLength: Reject, then closed */
	raw_bhs(bhs, 0x40, 0x80, 0x34);
	put_be24(bhs + 5, 262145);
	CHECK_EQ(write(rc.fd, bhs, 48), 48);
	CHECK_EQ(raw_recv(&rc, &p, 0), 0);
	CHECK_EQ(p.bhs[0] & 0x3f, 0x3f);
	CHECK_EQ(p.bhs[2], 0x04);
	raw_pdu_free(&p);
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
}

static void test_truncated_and_garbage(void)
{
	struct rawcli rc;
	raw_open(&rc, g_port);
	CHECK_EQ(write(rc.fd, "\x43\x87\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20), 20);
	raw_close(&rc);
	raw_open(&rc, g_port);   /* logged in, then half a header */
	CHECK_EQ(login_with(&rc, RAW_TARGET, ""), 0);
	CHECK_EQ(write(rc.fd, "\x01\x80\0\0\0\0\0\x10", 8), 8);
	raw_close(&rc);
	/* logged in, header promising data that never comes */
	raw_open(&rc, g_port);
	CHECK_EQ(login_with(&rc, RAW_TARGET, ""), 0);
	uint8_t bhs[48];
	raw_bhs(bhs, 0x40, 0x80, 0x40);
	put_be24(bhs + 5, 1000);
	CHECK_EQ(write(rc.fd, bhs, 48), 48);
	CHECK_EQ(write(rc.fd, "only a little", 13), 13);
	raw_close(&rc);

	srand(4242);
	for (int i = 0; i < 200; i++) {
		uint8_t junk[700];
		for (size_t k = 0; k < sizeof junk; k++)
			junk[k] = (uint8_t)rand();
		raw_open(&rc, g_port);
		if (i & 1)
			CHECK_EQ(login_with(&rc, RAW_TARGET, ""), 0);
		size_t len = (size_t)rand() % sizeof junk;
		if (send(rc.fd, junk, len, MSG_NOSIGNAL) < 0)
			CHECK(0);
		raw_close(&rc);
	}
	check_serves();
}

static void test_connection_limit(void)
{
	struct iscsi_config cfg = {.portal = "127.0.0.1:0", .max_connections = 2};
	struct iscsi_backend be = testbe_backend(&g_be);
	struct iscsi_server *srv;
	CHECK_EQ(iscsi_server_start(&cfg, &be, &srv), 0);
	struct rawcli a, b, c;
	raw_open(&a, iscsi_server_port(srv));
	CHECK_EQ(login_with(&a, RAW_TARGET, ""), 0);
	raw_open(&b, iscsi_server_port(srv));
	CHECK_EQ(login_with(&b, RAW_TARGET, ""), 0);
	raw_open(&c, iscsi_server_port(srv));
	CHECK(raw_wait_closed(&c, 3000));            /* refused: closed at once */
	struct iscsi_stats s;
	iscsi_server_stats(srv, &s);
	CHECK_EQ(s.refused, 1);
	CHECK_EQ(s.live_connections, 2);
	CHECK_EQ(s.sessions, 2);
	raw_close(&c);
	raw_close(&a);
	raw_close(&b);
	iscsi_server_stop(srv);   /* also drains connections it may still be closing */
}

int main(void)
{
	vtl_log_set_level(LOG_ERROR);
	testbe_init(&g_be);
	testbe_add_target(&g_be, RAW_TARGET);
	struct iscsi_config cfg = {.portal = "127.0.0.1:0", .tpgt = 3};
	struct iscsi_backend be = testbe_backend(&g_be);
	CHECK_EQ(iscsi_server_start(&cfg, &be, &g_srv), 0);
	g_port = iscsi_server_port(g_srv);

	test_login_failures();
	test_login_lengths();
	test_multistage();
	test_digests();
	test_ffp_malformed();
	test_truncated_and_garbage();
	test_connection_limit();
	check_serves();

	struct iscsi_stats s;
	iscsi_server_stats(g_srv, &s);
	CHECK(s.login_failures >= 10);
	CHECK(s.rejects >= 8);
	iscsi_server_stop(g_srv);
	testbe_fini(&g_be);
	return 0;
}
