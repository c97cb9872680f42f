/* Raw-socket tests of Full Feature Phase, PDU by PDU: Data-In sizing, sequences and
 * phase collapse, SCSI Response with sense, R2T/Data-Out rules, unsolicited-data
 * failures, data digest errors on Data-Out, CmdSN windowing and ordering, ABORT TASK in
 * its three cases, Text continuation both ways, discovery restrictions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void cdb6(uint8_t cdb[16], uint8_t op, uint32_t len)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put_be24(cdb + 2, len);
}

static void test_data_in(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16];
	raw_open_login(&rc, g_port, RAW_TARGET,
		   "MaxRecvDataSegmentLength=65536|MaxBurstLength=262144");
	/* 600000 bytes of pattern: 64 KiB PDUs, a sequence (F bit) every 256 KiB */
	uint32_t total = 600000;
	cdb6(cdb, 0x08, total);
	raw_scsi_cmd(bhs, 0x80 | 0x40 | 1, 0x100, rc.cmdsn++, total, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	uint32_t off = 0, sn = 0;
	while (off < total) {
		raw_expect(&rc, &p, 0x25);
		uint32_t len = total - off < 65536 ? total - off : 65536;
		CHECK_EQ(p.len, len);
		CHECK_EQ(get_be32(p.bhs + 16), 0x100);
		CHECK_EQ(get_be32(p.bhs + 20), 0xffffffff);
		CHECK_EQ(get_be32(p.bhs + 36), sn);
		CHECK_EQ(get_be32(p.bhs + 40), off);
		bool last = off + len == total;
		bool seq_end = last || (off + len) % 262144 == 0;
		CHECK_EQ(!!(p.bhs[1] & 0x80), seq_end);
		CHECK_EQ(!!(p.bhs[1] & 0x01), last);
		for (uint32_t i = 0; i < len; i += 997)
			CHECK_EQ(p.data[i], testbe_pattern(off + i));
		if (last) {
			CHECK_EQ(p.bhs[3], 0);
			CHECK_EQ(p.bhs[1] & 0x06, 0);   /* no residual */
		}
		raw_pdu_free(&p);
		off += len;
		sn++;
	}
	/* EDTL below what the CDB asks: overflow in the collapsed status */
	cdb6(cdb, 0x08, 1000);
	raw_scsi_cmd(bhs, 0x80 | 0x40 | 1, 0x101, rc.cmdsn++, 100, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x25);
	CHECK_EQ(p.len, 100);
	CHECK_EQ(p.bhs[1], 0x80 | 0x04 | 0x01);
	CHECK_EQ(get_be32(p.bhs + 44), 900);
	raw_pdu_free(&p);
	/* no data at all: SCSI Response; unknown opcode: CHECK CONDITION with sense */
	cdb6(cdb, 0x00, 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x102, rc.cmdsn++, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(p.bhs[1], 0x80);
	CHECK_EQ(p.bhs[3], 0);
	CHECK_EQ(p.len, 0);
	raw_pdu_free(&p);
	cdb6(cdb, 0xee, 0);
	raw_scsi_cmd(bhs, 0x80 | 0x40 | 1, 0x103, rc.cmdsn++, 64, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(p.bhs[3], 0x02);
	CHECK_EQ(p.bhs[1], 0x80 | 0x02);             /* underflow: nothing of 64 moved */
	CHECK_EQ(get_be32(p.bhs + 44), 64);
	CHECK_EQ(p.len, 20);
	CHECK_EQ(get_be16(p.data), 18);              /* SenseLength */
	CHECK_EQ(p.data[2] & 0x7f, 0x70);
	CHECK_EQ(p.data[2 + 2], 0x05);
	CHECK_EQ(p.data[2 + 12], 0x20);
	raw_pdu_free(&p);
	raw_close(&rc);
}

/* InitialR2T=Yes, ImmediateData=No, 4 KiB bursts, two R2Ts outstanding. */
static void test_r2t(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16], data[10000];
	raw_open_login(&rc, g_port, RAW_TARGET, "InitialR2T=Yes|ImmediateData=No|"
		   "MaxBurstLength=4096|FirstBurstLength=4096|MaxOutstandingR2T=2");
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i ^ (i >> 7));
	cdb6(cdb, 0x0a, sizeof data);
	raw_scsi_cmd(bhs, 0x80 | 0x20 | 1, 0x200, rc.cmdsn++, sizeof data, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	uint32_t ttt[3];
	for (uint32_t i = 0; i < 2; i++) {
		raw_expect(&rc, &p, 0x31);
		CHECK_EQ(get_be32(p.bhs + 16), 0x200);
		ttt[i] = get_be32(p.bhs + 20);
		CHECK(ttt[i] != 0xffffffff);
		CHECK_EQ(get_be32(p.bhs + 36), i);           /* R2TSN */
		CHECK_EQ(get_be32(p.bhs + 40), i * 4096);
		CHECK_EQ(get_be32(p.bhs + 44), 4096);
		raw_pdu_free(&p);
	}
	/* first R2T answered in two PDUs, DataSN 0 and 1, F on the second */
	for (uint32_t k = 0; k < 2; k++) {
		raw_bhs(bhs, 0x05, k ? 0x80 : 0, 0x200);
		put_be32(bhs + 20, ttt[0]);
		put_be32(bhs + 36, k);
		put_be32(bhs + 40, k * 2048);
		CHECK_EQ(raw_send(&rc, bhs, data + k * 2048, 2048), 0);
	}
	raw_expect(&rc, &p, 0x31);                           /* the third, now one is done */
	ttt[2] = get_be32(p.bhs + 20);
	CHECK_EQ(get_be32(p.bhs + 36), 2);
	CHECK_EQ(get_be32(p.bhs + 40), 8192);
	CHECK_EQ(get_be32(p.bhs + 44), sizeof data - 8192);
	raw_pdu_free(&p);
	for (uint32_t i = 1; i < 3; i++) {
		uint32_t off = i * 4096, len = i == 2 ? sizeof data - 8192 : 4096;
		raw_bhs(bhs, 0x05, 0x80, 0x200);
		put_be32(bhs + 20, ttt[i]);
		put_be32(bhs + 40, off);
		CHECK_EQ(raw_send(&rc, bhs, data + off, len), 0);
	}
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(p.bhs[3], 0);
	CHECK_EQ(get_be32(p.bhs + 36), 3);                /* ExpDataSN: R2Ts sent */
	raw_pdu_free(&p);
	pthread_mutex_lock(&g_be.lock);
	CHECK_EQ(g_be.written_len, sizeof data);
	CHECK(memcmp(g_be.written, data, sizeof data) == 0);
	pthread_mutex_unlock(&g_be.lock);

	/* unsolicited data where InitialR2T=Yes: CHECK CONDITION, unexpected unsolicited data */
	cdb6(cdb, 0x0a, 100);
	raw_scsi_cmd(bhs, 0x20 | 1, 0x201, rc.cmdsn++, 100, cdb, 1);   /* F=0 */
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x31);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x05, 0x80, 0x201);
	put_be32(bhs + 20, 0xffffffff);
	CHECK_EQ(raw_send(&rc, bhs, data, 100), 0);
	raw_bhs(bhs, 0x05, 0x80, 0x201);   /* and the solicited data still owed */
	put_be32(bhs + 20, ttt[2] + 1);
	CHECK_EQ(raw_send(&rc, bhs, data, 100), 0);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(p.bhs[3], 0x02);
	CHECK_EQ(p.data[2 + 2], 0x0b);
	CHECK_EQ(p.data[2 + 12], 0x0c);
	CHECK_EQ(p.data[2 + 13], 0x0c);
	raw_pdu_free(&p);

	/* a Data-Out out of sequence (wrong DataSN): Reject, then the connection closes */
	cdb6(cdb, 0x0a, 4096);
	raw_scsi_cmd(bhs, 0x80 | 0x20 | 1, 0x202, rc.cmdsn++, 4096, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x31);
	uint32_t t = get_be32(p.bhs + 20);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x05, 0x80, 0x202);
	put_be32(bhs + 20, t);
	put_be32(bhs + 36, 5);
	CHECK_EQ(raw_send(&rc, bhs, data, 4096), 0);
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x09);
	raw_pdu_free(&p);
	CHECK(raw_wait_closed(&rc, 3000));
	raw_close(&rc);
}

/* Immediate data and unsolicited Data-Out up to FirstBurstLength, digests on; a Data-Out
 * with a bad data digest ends the command with CHECK CONDITION once all data is in. */
static void test_unsolicited_digest(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16], data[8192];
	raw_open(&rc, g_port);
	rc.hdig = rc.ddig = true;
	char text[512];
	uint32_t n = raw_kv(text, sizeof text, "HeaderDigest=CRC32C|DataDigest=CRC32C|InitialR2T=No|"
			"FirstBurstLength=8192|MaxBurstLength=65536");
	CHECK_EQ(raw_login(&rc, RAW_TARGET, text, n, &p), 0);
	raw_pdu_free(&p);
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31);
	cdb6(cdb, 0x0a, sizeof data);
	raw_scsi_cmd(bhs, 0x20 | 1, 0x300, rc.cmdsn++, sizeof data, cdb, 1);   /* F=0 */
	CHECK_EQ(raw_send(&rc, bhs, data, 1024), 0);
	raw_bhs(bhs, 0x05, 0, 0x300);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 40, 1024);
	CHECK_EQ(raw_send(&rc, bhs, data + 1024, 3072), 0);
	raw_bhs(bhs, 0x05, 0x80, 0x300);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 36, 1);
	put_be32(bhs + 40, 4096);
	CHECK_EQ(raw_send(&rc, bhs, data + 4096, 4096), 0);
	raw_expect(&rc, &p, 0x21);                     /* all unsolicited: no R2T needed */
	CHECK_EQ(p.bhs[3], 0);
	raw_pdu_free(&p);
	pthread_mutex_lock(&g_be.lock);
	CHECK(g_be.written_len == sizeof data && memcmp(g_be.written, data, sizeof data) == 0);
	pthread_mutex_unlock(&g_be.lock);

	/* the unsolicited Data-Out's digest is wrong */
	cdb6(cdb, 0x0a, 4096);
	raw_scsi_cmd(bhs, 0x20 | 1, 0x301, rc.cmdsn++, 4096, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_bhs(bhs, 0x05, 0x80, 0x301);
	put_be32(bhs + 20, 0xffffffff);
	rc.ddig = false;
	CHECK_EQ(raw_send(&rc, bhs, data, 4096), 0);
	CHECK_EQ(write(rc.fd, "bad!", 4), 4);
	rc.ddig = true;
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x02);
	raw_pdu_free(&p);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(p.bhs[3], 0x02);
	CHECK_EQ(p.data[2 + 2], 0x0b);
	CHECK_EQ(p.data[2 + 12], 0x47);
	CHECK_EQ(p.data[2 + 13], 0x05);
	raw_pdu_free(&p);
	raw_sync_nop(&rc);
	raw_close(&rc);
}

static void test_cmdsn(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16];
	raw_open_login(&rc, g_port, RAW_TARGET, "");
	uint32_t base = rc.cmdsn;
	cdb6(cdb, 0x00, 0);
	/* CmdSN base+1 arrives before base: executed after it */
	raw_scsi_cmd(bhs, 0x80 | 1, 0x401, base + 1, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x400, base, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(get_be32(p.bhs + 16), 0x400);
	raw_pdu_free(&p);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(get_be32(p.bhs + 16), 0x401);
	CHECK_EQ(get_be32(p.bhs + 28), base + 2);        /* ExpCmdSN */
	CHECK_EQ(get_be32(p.bhs + 32), base + 2 + 31);   /* MaxCmdSN: window of 32 */
	raw_pdu_free(&p);
	rc.cmdsn = base + 2;
	/* outside the window, or a duplicate: ignored without a word */
	raw_scsi_cmd(bhs, 0x80 | 1, 0x402, base + 2 + 1000, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x403, base, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_sync_nop(&rc);
	/* a non-immediate NOP-Out consumes its CmdSN */
	raw_bhs(bhs, 0x00, 0x80, 0x404);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc.cmdsn++);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x20);
	CHECK_EQ(get_be32(p.bhs + 28), rc.cmdsn);
	raw_pdu_free(&p);
	/* reserved ITT, bidirectional: Reject */
	raw_scsi_cmd(bhs, 0x80 | 1, 0xffffffff, rc.cmdsn++, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x09);
	raw_pdu_free(&p);
	raw_scsi_cmd(bhs, 0x80 | 0x60 | 1, 0x405, rc.cmdsn++, 512, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x05);
	CHECK_EQ(get_be32(p.bhs + 28), rc.cmdsn);        /* a rejected command's CmdSN is used */
	raw_pdu_free(&p);
	raw_close(&rc);
}

static uint8_t tmf_abort(struct rawcli *rc, uint32_t rtt, uint32_t refcmdsn, uint32_t cmdsn)
{
	uint8_t bhs[48];
	struct rawpdu p;
	raw_bhs(bhs, 0x42, 0x80 | 1, 0x500);
	bhs[9] = 1;
	put_be32(bhs + 20, rtt);
	put_be32(bhs + 24, cmdsn);
	put_be32(bhs + 32, refcmdsn);
	CHECK_EQ(raw_send(rc, bhs, NULL, 0), 0);
	raw_expect(rc, &p, 0x22);
	CHECK_EQ(get_be32(p.bhs + 16), 0x500);
	uint8_t rsp = p.bhs[2];
	raw_pdu_free(&p);
	return rsp;
}

static void test_abort_task(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48], cdb[16], data[512] = {0};
	raw_open_login(&rc, g_port, RAW_TARGET, "InitialR2T=Yes|ImmediateData=No");
	/* a WRITE waiting for its data */
	cdb6(cdb, 0x0a, 512);
	uint32_t sn = rc.cmdsn++;
	raw_scsi_cmd(bhs, 0x80 | 0x20 | 1, 0x600, sn, 512, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x31);
	uint32_t ttt = get_be32(p.bhs + 20);
	raw_pdu_free(&p);
	CHECK_EQ(tmf_abort(&rc, 0x600, sn, rc.cmdsn), 0);   /* function complete */
	raw_bhs(bhs, 0x05, 0x80, 0x600);                      /* late data: dropped quietly */
	put_be32(bhs + 20, ttt);
	CHECK_EQ(raw_send(&rc, bhs, data, 512), 0);
	raw_sync_nop(&rc);                                        /* no response for the task */
	/* a completed task, RefCmdSN behind the window: task does not exist */
	CHECK_EQ(tmf_abort(&rc, 0x600, sn, rc.cmdsn), 1);
	/* a command not yet received: its CmdSN is consumed, it is ignored on arrival */
	uint32_t lost = rc.cmdsn++;
	CHECK_EQ(tmf_abort(&rc, 0x601, lost, rc.cmdsn), 0);
	cdb6(cdb, 0x00, 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x601, lost, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x602, rc.cmdsn++, 0, cdb, 1);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x21);
	CHECK_EQ(get_be32(p.bhs + 16), 0x602);
	CHECK_EQ(get_be32(p.bhs + 28), rc.cmdsn);
	raw_pdu_free(&p);
	raw_close(&rc);
}

static void test_text(void)
{
	struct rawcli rc;
	struct rawpdu p;
	uint8_t bhs[48];
	char text[256];
	/* discovery with a 512-byte receive limit: the answer comes in parts */
	raw_open_login(&rc, g_port, NULL, "MaxRecvDataSegmentLength=512");
	uint32_t n = raw_kv(text, sizeof text, "SendTargets=All");
	raw_bhs(bhs, 0x44, 0x80, 0x700);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc.cmdsn);
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	char *all = calloc(1, 65536);
	CHECK(all);
	uint32_t total = 0;
	int parts = 0;
	for (;;) {
		raw_expect(&rc, &p, 0x24);
		CHECK(p.len <= 512);
		CHECK_EQ(get_be32(p.bhs + 16), 0x700);
		memcpy(all + total, p.data, p.len);
		total += p.len;
		parts++;
		uint32_t ttt = get_be32(p.bhs + 20);
		if (p.bhs[1] & 0x80) {
			CHECK_EQ(ttt, 0xffffffff);
			raw_pdu_free(&p);
			break;
		}
		CHECK_EQ(p.bhs[1], 0x40);                    /* C: more to come */
		CHECK(ttt != 0xffffffff);
		raw_pdu_free(&p);
		raw_bhs(bhs, 0x44, 0x80, 0x700);
		put_be32(bhs + 20, ttt);
		put_be32(bhs + 24, rc.cmdsn);
		CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	}
	CHECK(parts > 3);
	char want[16 + SCSI_NAME_MAX], addr[64];
	snprintf(addr, sizeof addr, "TargetAddress=127.0.0.1:%u,3", g_port);
	int names = 0;
	for (uint32_t off = 0; off < total; off += (uint32_t)strlen(all + off) + 1) {
		if (strncmp(all + off, "TargetName=", 11) == 0) {
			snprintf(want, sizeof want, "TargetName=%s", g_be.targets[names]);
			CHECK(strcmp(all + off, want) == 0);
			CHECK(strcmp(all + off + strlen(all + off) + 1, addr) == 0);
			names++;
		}
	}
	CHECK_EQ(names, g_be.ntargets);
	free(all);
	/* a discovery session carries no SCSI commands */
	uint8_t cdb[16];
	cdb6(cdb, 0x00, 0);
	raw_scsi_cmd(bhs, 0x80 | 1, 0x701, rc.cmdsn, 0, cdb, 0);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x04);
	raw_pdu_free(&p);
	raw_close(&rc);

	/* a normal session: All is refused, empty names our target; a request sent in two
	 * parts (C bit) is acknowledged empty, then answered */
	raw_open_login(&rc, g_port, RAW_TARGET, "");
	n = raw_kv(text, sizeof text, "SendTargets=All|X-foo=1|MaxBurstLength=5");
	raw_bhs(bhs, 0x44, 0x80, 0x702);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc.cmdsn);
	CHECK_EQ(raw_send(&rc, bhs, text, n), 0);
	raw_expect(&rc, &p, 0x24);
	CHECK(strcmp(raw_text_get(&p, "SendTargets"), "Reject") == 0);
	CHECK(strcmp(raw_text_get(&p, "X-foo"), "NotUnderstood") == 0);
	CHECK(strcmp(raw_text_get(&p, "MaxBurstLength"), "Reject") == 0);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x44, 0x40, 0x703);
	put_be32(bhs + 20, 0xffffffff);
	CHECK_EQ(raw_send(&rc, bhs, "SendTar", 7), 0);
	raw_expect(&rc, &p, 0x24);
	CHECK_EQ(p.len, 0);
	CHECK_EQ(p.bhs[1], 0);
	uint32_t ttt = get_be32(p.bhs + 20);
	CHECK(ttt != 0xffffffff);
	raw_pdu_free(&p);
	raw_bhs(bhs, 0x44, 0x80, 0x703);
	put_be32(bhs + 20, ttt);
	CHECK_EQ(raw_send(&rc, bhs, "gets=", 6), 0);
	raw_expect(&rc, &p, 0x24);
	CHECK_EQ(p.bhs[1], 0x80);
	CHECK(strcmp(raw_text_get(&p, "TargetName"), RAW_TARGET) == 0);
	raw_pdu_free(&p);
	/* a TTT we never gave */
	raw_bhs(bhs, 0x44, 0x80, 0x704);
	put_be32(bhs + 20, 0x5555);
	CHECK_EQ(raw_send(&rc, bhs, NULL, 0), 0);
	raw_expect(&rc, &p, 0x3f);
	CHECK_EQ(p.bhs[2], 0x09);
	raw_pdu_free(&p);
	raw_close(&rc);
}

int main(void)
{
	vtl_log_set_level(LOG_ERROR);
	testbe_init(&g_be);
	testbe_add_target(&g_be, RAW_TARGET);
	for (int i = 1; i < 30; i++) {
		char name[SCSI_NAME_MAX];
		snprintf(name, sizeof name, "iqn.2026-11.io.vtl:a-fairly-long-library-name-%02d", i);
		testbe_add_target(&g_be, name);
	}
	struct iscsi_config cfg = {.portal = "127.0.0.1:0", .tpgt = 3};
	struct iscsi_backend be = testbe_backend(&g_be);
	CHECK_EQ(iscsi_server_start(&cfg, &be, &g_srv), 0);
	g_port = iscsi_server_port(g_srv);

	test_data_in();
	test_r2t();
	test_unsolicited_digest();
	test_cmdsn();
	test_abort_task();
	test_text();

	iscsi_server_stop(g_srv);
	testbe_fini(&g_be);
	return 0;
}
