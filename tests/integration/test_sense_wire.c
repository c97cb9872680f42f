/* integration.sense_wire: the SSC/SMC/SPC sense conditions end to end, over TCP, against
 * a real vtl-node. The SCSI layer has unit tests for every one of them; this proves the
 * iSCSI transport carries them intact: the status, the sense bytes (key, ASC/ASCQ, the
 * FILEMARK/EOM/ILI bits, a signed INFORMATION field), the SCSI Response residual, and the
 * data-in bytes that precede a CHECK CONDITION on a short or long read.
 *
 * Tape layout written at BOT:  b0 (1000 bytes)  b1 (4096)  FM  b2 (100)  EOD
 * Object numbers:              0                1          2   3         4
 *
 * Not covered: write protection (a cartridge cannot be made read-only through the
 * configuration yet). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "tests/client/tclient.h"
#include "tests/integration/it_changer.h"
#include "tests/integration/it_expect.h"
#include "tests/integration/it_run.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

#define TARGET "iqn.2026-11.io.vtl:wire"
#define INIT_A "iqn.2026-11.io.vtl:wire-a"
#define INIT_B "iqn.2026-11.io.vtl:wire-b"

static uint8_t b0[1000], b1[4096], b2[100];

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

static uint64_t position(struct tc *tc)
{
	struct tc_position pos;
	struct tc_result r;
	CHECK_EQ(tc_read_position(tc, TC_RP_SHORT, &pos, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK(pos.block_valid);
	return pos.block;
}

static void write_layout(struct tc *tc)
{
	struct tc_result r;
	fill(b0, sizeof b0, 1);
	fill(b1, sizeof b1, 2);
	fill(b2, sizeof b2, 3);
	CHECK_EQ(tc_write6(tc, false, sizeof b0, b0, sizeof b0, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_write6(tc, false, sizeof b1, b1, sizeof b1, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_write_filemarks6(tc, 1, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_write6(tc, false, sizeof b2, b2, sizeof b2, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_write_filemarks6(tc, 0, false, &r), 0);   /* sync point, no filemark */
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
}

/* Reads without SILI: a short block (ILI, INFORMATION = requested - actual, residual,
 * the block's bytes delivered), a long block (ILI, negative INFORMATION, the first
 * `requested` bytes delivered), a filemark, a short block with SILI, end of data. */
static void reads(struct tc *tc)
{
	static uint8_t buf[8192];
	struct tc_result r;

	memset(buf, 0xEE, sizeof buf);
	CHECK_EQ(tc_read6(tc, false, false, 4096, buf, 4096, &r), 0);
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x00, "short read (1000-byte block, asked 4096)");
	IT_EXPECT(r.sense.ili && !r.sense.filemark && !r.sense.eom, "short read: ILI alone");
	IT_EXPECT(r.sense.info_valid && r.sense.info == 3096, "short read: INFORMATION %lld, "
		  "want 3096", (long long)r.sense.info);
	IT_EXPECT(r.resid_kind == TC_RESID_UNDER && r.residual == 3096,
		  "short read: residual kind %d value %u, want underflow 3096", r.resid_kind,
		  r.residual);
	IT_EXPECT(r.data_in_len == 1000 && !memcmp(buf, b0, sizeof b0),
		  "short read: %u bytes delivered, want the block's 1000 intact", r.data_in_len);
	IT_EXPECT(tc_read_info_len(&r.sense, false, 4096, 4096) == 1000,
		  "short read: INFORMATION and transfer disagree");
	IT_EXPECT(position(tc) == 1, "short read moves past the block");

	memset(buf, 0xEE, sizeof buf);
	CHECK_EQ(tc_read6(tc, false, false, 1000, buf, 1000, &r), 0);
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x00, "long read (4096-byte block, asked 1000)");
	IT_EXPECT(r.sense.ili && !r.sense.filemark, "long read: ILI");
	IT_EXPECT(r.sense.info_valid && r.sense.info == -3096,
		  "long read: INFORMATION %lld, want -3096", (long long)r.sense.info);
	IT_EXPECT(r.resid_kind == TC_RESID_NONE && r.data_in_len == 1000,
		  "long read: residual kind %d, %u bytes, want no residual and 1000 bytes",
		  r.resid_kind, r.data_in_len);
	IT_EXPECT(!memcmp(buf, b1, 1000), "long read: the first 1000 bytes of the block");
	IT_EXPECT(position(tc) == 2, "long read moves past the whole block");

	CHECK_EQ(tc_read6(tc, false, false, 512, buf, 512, &r), 0);
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x01, "read at a filemark");
	IT_EXPECT(r.sense.filemark && !r.sense.ili, "filemark: FILEMARK bit");
	IT_EXPECT(r.sense.info_valid && r.sense.info == 512, "filemark: INFORMATION %lld, "
		  "want 512", (long long)r.sense.info);
	IT_EXPECT(r.data_in_len == 0, "filemark: %u bytes delivered, want 0", r.data_in_len);
	IT_EXPECT(position(tc) == 3, "a filemark read leaves the position after it");

	memset(buf, 0xEE, sizeof buf);
	CHECK_EQ(tc_read6(tc, false, true, 4096, buf, 4096, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "short read with SILI");
	IT_EXPECT(r.resid_kind == TC_RESID_UNDER && r.residual == 3996 && r.data_in_len == 100,
		  "short read with SILI: residual kind %d value %u, %u bytes", r.resid_kind,
		  r.residual, r.data_in_len);
	IT_EXPECT(!memcmp(buf, b2, sizeof b2), "short read with SILI: bytes intact");

	CHECK_EQ(tc_read6(tc, false, false, 2048, buf, 2048, &r), 0);
	IT_EXPECT_SENSE(&r, 0x8, 0x00, 0x05, "read at end of data");
	IT_EXPECT(r.sense.info_valid && r.sense.info == 2048,
		  "end of data: INFORMATION %lld, want 2048", (long long)r.sense.info);
	IT_EXPECT(r.data_in_len == 0, "end of data: %u bytes delivered", r.data_in_len);
	IT_EXPECT(position(tc) == 4, "end of data: position stays at EOD");
}

/* Long read with SILI in variable-block mode: SSC-3 READ(6) - no CHECK CONDITION when the
 * mode block length is zero; the first `requested` bytes arrive, the block is passed. */
static void long_read_sili(struct tc *tc)
{
	static uint8_t buf[1000];
	struct tc_result r;
	CHECK_EQ(tc_locate10(tc, 1, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_read6(tc, false, true, 1000, buf, 1000, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "long read with SILI (variable mode)");
	IT_EXPECT(r.data_in_len == 1000 && !memcmp(buf, b1, 1000),
		  "long read with SILI: %u bytes, want the first 1000 of the block", r.data_in_len);
	IT_EXPECT(position(tc) == 2, "long read with SILI moves past the block");
}

/* SPACE: forward into a filemark (00/00/01, INFORMATION = blocks not spaced), backward
 * into BOP (00/00/04 with EOM, INFORMATION = blocks not spaced). */
static void spaces(struct tc *tc)
{
	struct tc_result r;
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	CHECK_EQ(tc_space6(tc, TC_SPACE_BLOCKS, 5, &r), 0);
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x01, "SPACE 5 blocks from BOT over a filemark");
	IT_EXPECT(r.sense.filemark && r.sense.info_valid && r.sense.info == 3,
		  "SPACE into a filemark: FILEMARK bit, INFORMATION %lld want 3",
		  (long long)r.sense.info);
	IT_EXPECT(position(tc) == 3, "SPACE stops after the filemark");

	CHECK_EQ(tc_space6(tc, TC_SPACE_BLOCKS, -1, &r), 0);  /* back over the filemark */
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x01, "SPACE -1 block onto a filemark");
	CHECK_EQ(tc_locate10(tc, 2, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_space6(tc, TC_SPACE_BLOCKS, -5, &r), 0);
	IT_EXPECT_SENSE(&r, 0x0, 0x00, 0x04, "SPACE -5 blocks from object 2");
	IT_EXPECT(r.sense.eom, "SPACE into BOP: EOM bit");
	IT_EXPECT(r.sense.info_valid && r.sense.info == 3,
		  "SPACE into BOP: INFORMATION %lld, want 3", (long long)r.sense.info);
	IT_EXPECT(position(tc) == 0, "SPACE into BOP leaves the position at BOP");
}

/* MOVE MEDIUM errors (SMC-3 6.9). Drive 2 is still empty here. */
static void changer_errors(struct tc *tc, uint16_t loaded_drive)
{
	struct tc_result r;
	uint16_t full = it_full_slot(tc);
	CHECK(full != 0);
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	CHECK_EQ(tc_move_medium(tc, 0, full, loaded_drive, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x3b, 0x0d, "MOVE MEDIUM into a full drive");
	CHECK_EQ(tc_move_medium(tc, 0, loaded_drive, full, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x3b, 0x0d, "MOVE MEDIUM into a full slot");

	/* an empty slot: the last storage element (fewer cartridges than slots) */
	static struct tc_elem el[64];
	size_t n = 0;
	uint16_t empty = 0;
	CHECK_EQ(tc_elements(tc, el, 64, &n, &r), 0);
	for (size_t i = 0; i < n; i++)
		if (el[i].type == TC_ELEM_STORAGE && !el[i].full)
			empty = el[i].addr;
	uint16_t empty_drive = it_drive_addr(tc, 2);
	CHECK(empty != 0 && empty_drive != 0);
	CHECK_EQ(tc_move_medium(tc, 0, empty, empty_drive, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x3b, 0x0e, "MOVE MEDIUM from an empty slot to an empty drive");
	CHECK_EQ(tc_move_medium(tc, 0, 0x7777, empty, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x21, 0x01, "MOVE MEDIUM from element 0x7777");
	CHECK_EQ(tc_move_medium(tc, 0, full, 0x7777, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x21, 0x01, "MOVE MEDIUM to element 0x7777");
}

/* Opcode 02h is not defined by SPC-4, SSC-3 or SMC-3: 05/20/00 on every LUN; a LUN the
 * target does not have: 05/25/00, and INQUIRY answers with peripheral qualifier 011b. */
static void opcode_and_lun_errors(struct tc *tc, int drives)
{
	static const uint8_t cdb[6] = {0x02};
	struct tc_result r;
	for (int lun = 0; lun <= drives; lun++) {
		char what[64];
		snprintf(what, sizeof what, "opcode 02h on LUN %d", lun);
		CHECK_EQ(tc_use_lun(tc, lun), 0);
		CHECK_EQ(tc_cmd(tc, cdb, sizeof cdb, TC_DIR_NONE, NULL, 0, NULL, 0, &r), 0);
		IT_EXPECT_SENSE(&r, 0x5, 0x20, 0x00, what);
	}
	CHECK_EQ(tc_use_lun(tc, drives + 7), 0);
	CHECK_EQ(tc_test_unit_ready(tc, &r), 0);
	IT_EXPECT_SENSE(&r, 0x5, 0x25, 0x00, "TEST UNIT READY on a LUN out of range");
	uint8_t inq[36];
	CHECK_EQ(tc_inquiry(tc, false, 0, inq, sizeof inq, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "INQUIRY on a LUN out of range");
	IT_EXPECT(r.data_in_len >= 1 && inq[0] == 0x7f,
		  "INQUIRY on a LUN out of range: byte 0 0x%02x, want 0x7f", inq[0]);
}

/* RESERVE(6) held by session A: B's RESERVE, MODE SENSE and READ get RESERVATION
 * CONFLICT, B's INQUIRY does not (SPC-2 5.5.1), B's RELEASE is a no-op. */
static void reservations(struct tc *a, struct tc *b)
{
	struct tc_result r;
	uint8_t buf[255];
	CHECK_EQ(tc_reserve6(a, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "RESERVE(6) by A");
	CHECK_EQ(tc_reserve6(b, &r), 0);
	IT_EXPECT_STATUS(&r, TC_RESERVATION_CONFLICT, "RESERVE(6) by B while A holds it");
	CHECK_EQ(tc_mode_sense6(b, false, 0, 0x3f, 0, buf, sizeof buf, &r), 0);
	IT_EXPECT_STATUS(&r, TC_RESERVATION_CONFLICT, "MODE SENSE(6) by B while A holds it");
	CHECK_EQ(tc_read6(b, false, true, sizeof buf, buf, sizeof buf, &r), 0);
	IT_EXPECT_STATUS(&r, TC_RESERVATION_CONFLICT, "READ(6) by B while A holds it");
	CHECK_EQ(tc_inquiry(b, false, 0, buf, 36, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "INQUIRY by B while A holds it");
	CHECK_EQ(tc_release6(b, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "RELEASE(6) by B (not the holder: no-op)");
	CHECK_EQ(tc_reserve6(b, &r), 0);
	IT_EXPECT_STATUS(&r, TC_RESERVATION_CONFLICT, "RESERVE(6) by B after B's RELEASE");
	CHECK_EQ(tc_mode_sense6(a, false, 0, 0x3f, 0, buf, sizeof buf, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "MODE SENSE(6) by the holder");
	CHECK_EQ(tc_release6(a, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "RELEASE(6) by A");
	CHECK_EQ(tc_reserve6(b, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "RESERVE(6) by B once A released");
	CHECK_EQ(tc_release6(b, &r), 0);
	IT_EXPECT_STATUS(&r, TC_GOOD, "RELEASE(6) by B");
}

/* TEST UNIT READY through libiscsi directly, on any LUN, without tclient's unit-attention
 * draining (which would swallow exactly what this checks). Fills key/asc/ascq (0 if GOOD). */
static int raw_tur(struct tc *tc, int lun, int *key, int *asc_ascq)
{
	struct scsi_task *t = iscsi_testunitready_sync(tc_iscsi(tc), lun);
	CHECK(t != NULL);
	int status = t->status;
	*key = status == SCSI_STATUS_CHECK_CONDITION ? (int)t->sense.key : 0;
	*asc_ascq = status == SCSI_STATUS_CHECK_CONDITION ? t->sense.ascq : 0;
	scsi_free_scsi_task(t);
	return status;
}

/* B has talked to every LUN; A loads a cartridge into drive LUN `lun`. B then sees
 * 06/28/00 (NOT READY TO READY CHANGE, SPC-4 6.1 / SSC-3 4.2.?) once on that LUN only. */
static void load_unit_attention(const char *portal, struct tc *b, int lun, int drives)
{
	int key, ascq;
	for (int l = drives; l >= 0; l--)
		CHECK_EQ(tc_use_lun(b, l), 0);      /* first contact: power-on UA drained */
	struct tc_opts oa = {.initiator = INIT_A};
	struct tc *a = NULL;
	CHECK_EQ(tc_connect(&a, portal, TARGET, 0, &oa), 0);
	it_load_drive(a, lun);
	tc_close(a);
	for (int l = 0; l <= drives; l++) {
		if (l == lun)
			continue;
		int st = raw_tur(b, l, &key, &ascq);
		IT_EXPECT(!(st == SCSI_STATUS_CHECK_CONDITION && key == 0x6),
			  "LUN %d reports unit attention %04x after a load into LUN %d", l, ascq,
			  lun);
	}
	int st = raw_tur(b, lun, &key, &ascq);
	IT_EXPECT(st == SCSI_STATUS_CHECK_CONDITION && key == 0x6 && ascq == 0x2800,
		  "TUR by B on the loaded LUN %d: status %d sense %x/%04x, want 6/2800", lun, st,
		  key, ascq);
	st = raw_tur(b, lun, &key, &ascq);
	IT_EXPECT(st == SCSI_STATUS_GOOD, "the unit attention is reported once: then status %d "
		  "sense %x/%04x", st, key, ascq);
}

int main(void)
{
	struct nodeproc np;
	const int drives = 2;
	const char *dir = tu_tmpdir("it-sense-wire");
	CHECK_EQ(nodeproc_configure(&np, dir,
				    "[library wire]\ndrives = 2\nslots = 6\nie_slots = 1\n"
				    "cartridges = 3\nbarcode_prefix = WI\ncapacity = 64M\n"), 0);
	CHECK_EQ(nodeproc_start(&np), 0);

	struct tc_opts oa = {.initiator = INIT_A}, ob = {.initiator = INIT_B};
	struct tc *a = NULL, *b = NULL;
	CHECK_EQ(tc_connect(&a, np.portal, TARGET, 0, &oa), 0);
	CHECK_EQ(tc_connect(&b, np.portal, TARGET, 2, &ob), 0);

	/* no medium: drive 2 is empty */
	struct tc_result r;
	uint8_t buf[512];
	CHECK_EQ(tc_test_unit_ready(b, &r), 0);
	IT_EXPECT_SENSE(&r, 0x2, 0x3a, 0x00, "TEST UNIT READY on an empty drive");
	CHECK_EQ(tc_read6(b, false, false, sizeof buf, buf, sizeof buf, &r), 0);
	IT_EXPECT_SENSE(&r, 0x2, 0x3a, 0x00, "READ(6) on an empty drive");

	it_load_drive(a, 1);
	uint16_t drive1 = it_drive_addr(a, 1);
	write_layout(a);
	reads(a);
	long_read_sili(a);
	spaces(a);
	changer_errors(a, drive1);
	opcode_and_lun_errors(a, drives);

	CHECK_EQ(tc_use_lun(a, 1), 0);
	CHECK_EQ(tc_use_lun(b, 1), 0);
	reservations(a, b);
	tc_close(a);

	load_unit_attention(np.portal, b, 2, drives);
	tc_close(b);

	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	char log[PATH_MAX + 16];
	snprintf(log, sizeof log, "%s/node.log", dir);
	IT_EXPECT(it_sanitizer_reports(log) == 0, "sanitizer reports in %s", log);
	if (it_expect_failures()) {
		fprintf(stderr, "sense_wire: %d expectation(s) failed; node dir kept: %s\n",
			it_expect_failures(), dir);
		return 1;
	}
	tu_rmtree(dir);
	printf("sense_wire: ok\n");
	return 0;
}
