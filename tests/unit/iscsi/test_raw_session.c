/* Raw-socket tests of session life: Logout reasons, the target's NOP-In ping and the
 * drop of a silent initiator, reinstatement waiting for a running command, and stopping
 * the server with connections in every state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static uint8_t logout(struct rawcli *rc, uint8_t reason, uint16_t cid)
{
	uint8_t bhs[48];
	struct rawpdu p;
	raw_bhs(bhs, 0x46, 0x80 | reason, 0x800);
	put_be16(bhs + 20, cid);
	put_be32(bhs + 24, rc->cmdsn);
	CHECK_EQ(raw_send(rc, bhs, NULL, 0), 0);
	raw_expect(rc, &p, 0x26);
	uint8_t r = p.bhs[2];
	raw_pdu_free(&p);
	return r;
}

static void test_logout(void)
{
	struct rawcli rc;
	raw_open_login(&rc, g_port, RAW_TARGET, "");
	CHECK_EQ(logout(&rc, 2, 0), 2);        /* connection recovery: not at ERL 0 */
	CHECK_EQ(logout(&rc, 1, 9), 1);        /* CID not found */
	raw_sync_nop(&rc);
	CHECK_EQ(logout(&rc, 1, 0), 0);        /* our CID is 0 */
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
	raw_open_login(&rc, g_port, RAW_TARGET, "");
	CHECK_EQ(logout(&rc, 0, 0), 0);
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
}

static void test_target_ping(void)
{
	struct iscsi_config cfg = {.portal = "127.0.0.1:0"};
	struct iscsi_backend be = testbe_backend(&g_be);
	struct iscsi_server *srv;
	struct rawcli rc;
	struct rawpdu p;
	CHECK_EQ(iscsi_server_start(&cfg, &be, &srv), 0);
	iscsi_server_set_nop_timing(srv, 150, 400);
	raw_open_login(&rc, iscsi_server_port(srv), RAW_TARGET, "");
	for (int i = 0; i < 3; i++) {          /* answered pings keep it alive */
		CHECK_EQ(raw_recv(&rc, &p, 2000), 0);
		CHECK_EQ(p.bhs[0] & 0x3f, 0x20);
		CHECK_EQ(get_be32(p.bhs + 16), 0xffffffff);
		uint32_t ttt = get_be32(p.bhs + 20);
		CHECK(ttt != 0xffffffff);
		raw_pdu_free(&p);
		uint8_t bhs[48];
		raw_bhs(bhs, 0x40, 0x80, 0xffffffff);
		put_be32(bhs + 20, ttt);
		put_be32(bhs + 24, rc.cmdsn);
		CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	}
	CHECK_EQ(raw_recv(&rc, &p, 2000), 0);   /* this one goes unanswered */
	CHECK_EQ(p.bhs[0] & 0x3f, 0x20);
	raw_pdu_free(&p);
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
	struct iscsi_stats s;
	iscsi_server_stats(srv, &s);
	CHECK_EQ(s.drops, 1);
	iscsi_server_stop(srv);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A login reinstating a session whose command is still running waits for that command
 * to finish before the new session starts (RFC 7143 6.3.5). */
static void test_reinstate_waits(void)
{
	struct rawcli a, b;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16] = {TESTBE_OP_SLOW};
	pthread_mutex_lock(&g_be.lock);
	g_be.slow_ms = 400;
	pthread_mutex_unlock(&g_be.lock);
	raw_open_login(&a, g_port, RAW_TARGET, "");
	raw_scsi_cmd(bhs, 0x80 | 1, 0x900, a.cmdsn++, 0, cdb, 1);
	CHECK_EQ(raw_send(&a, bhs, NULL, 0), 0);
	usleep(50 * 1000);                     /* the slow command is running */
	raw_open(&b, g_port);
	memcpy(b.isid, a.isid, 6);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(raw_login(&b, RAW_TARGET, "", 0, &p), 0);
	CHECK(ms_since(&t0) >= 250);
	raw_pdu_free(&p);
	CHECK(raw_wait_closed(&a, 3000));
	raw_close(&a);
	raw_sync_nop(&b);
	raw_close(&b);
	pthread_mutex_lock(&g_be.lock);
	g_be.slow_ms = 0;
	pthread_mutex_unlock(&g_be.lock);
}

/* Stopping with connections in every state: idle before login, half a header, logged
 * in and idle, executing a command. Stop returns once all are drained. */
static void test_stop_busy(void)
{
	struct iscsi_config cfg = {.portal = "127.0.0.1:0"};
	struct iscsi_backend be = testbe_backend(&g_be);
	struct iscsi_server *srv;
	struct rawcli c[4];
	uint8_t bhs[48], cdb[16] = {TESTBE_OP_SLOW};
	CHECK_EQ(iscsi_server_start(&cfg, &be, &srv), 0);
	uint16_t port = iscsi_server_port(srv);
	pthread_mutex_lock(&g_be.lock);
	g_be.slow_ms = 300;
	pthread_mutex_unlock(&g_be.lock);
	raw_open(&c[0], port);
	raw_open(&c[1], port);
	CHECK_EQ(write(c[1].fd, "\x43\x87\0\0", 4), 4);
	raw_open_login(&c[2], port, RAW_TARGET, "");
	raw_open_login(&c[3], port, RAW_TARGET, "");
	raw_scsi_cmd(bhs, 0x80 | 1, 0x901, c[3].cmdsn++, 0, cdb, 1);
	CHECK_EQ(raw_send(&c[3], bhs, NULL, 0), 0);
	usleep(50 * 1000);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	iscsi_server_stop(srv);
	CHECK(ms_since(&t0) < 2000);
	for (int i = 0; i < 4; i++) {
		CHECK(raw_wait_closed(&c[i], 2000));
		raw_close(&c[i]);
	}
	pthread_mutex_lock(&g_be.lock);
	g_be.slow_ms = 0;
	pthread_mutex_unlock(&g_be.lock);
}

/* A dual-stack portal: an IPv4 initiator sees its IPv4 address in TargetAddress. */
static void test_dual_stack_address(void)
{
	struct iscsi_config cfg = {.portal = "[::]:0", .tpgt = 9};
	struct iscsi_backend be = testbe_backend(&g_be);
	struct iscsi_server *srv;
	if (iscsi_server_start(&cfg, &be, &srv) != 0) {
		fprintf(stderr, "no IPv6 here: dual-stack check skipped\n");
		return;
	}
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48];
	char want[64];
	raw_open_login(&rc, iscsi_server_port(srv), NULL, "");
	raw_bhs(bhs, 0x44, 0x80, 0x1);
	put_be32(bhs + 20, 0xffffffff);
	CHECK_EQ(raw_send(&rc, bhs, "SendTargets=All", 16), 0);
	raw_expect(&rc, &p, 0x24);
	snprintf(want, sizeof want, "127.0.0.1:%u,9", iscsi_server_port(srv));
	CHECK(strcmp(raw_text_get(&p, "TargetAddress"), want) == 0);
	raw_pdu_free(&p);
	raw_close(&rc);
	iscsi_server_stop(srv);
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

	test_logout();
	test_target_ping();
	test_reinstate_waits();
	test_stop_busy();
	test_dual_stack_address();

	iscsi_server_stop(g_srv);
	testbe_fini(&g_be);
	return 0;
}
