/* fuzz_scsi_cdb.c - libFuzzer target for the SCSI dispatcher and every handler behind it.
 *
 * One real store in a private temporary directory ($TMPDIR) and one small library are
 * opened on the first input and kept: state carries over between inputs (moves,
 * reservations, registrations, tape contents), which is what lets the fuzzer reach deep
 * states. Input layout:
 *   byte 0      LUN: value % (LUNs + 1), so the changer, every drive and one missing LUN
 *   byte 1      bits 0-1 nexus (4 of them), bit 2 CDB length from the input (bits 3-6,
 *               1..16) instead of the opcode's group
 *   bytes 2-3   Data-In buffer size offered (big endian, at most 64 KiB)
 *   bytes 4-19  CDB
 *   rest        Data-Out
 * Invariants checked after each command: a valid SAM status, sense present exactly with
 * CHECK CONDITION, in bounds and of a known format, and Data-In within the buffer and
 * within what the CDB asked for.
 *
 * Speed: commands that reach a sync point fsync the store, so on disk most time goes
 * there; run with TMPDIR=/dev/shm for fast local fuzzing (ctest uses the build tree). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/lib/lib.h"
#include "node/scsi/scsi.h"
#include "node/store/store.h"
#include "tests/testutil.h"

#define FZ_IN_MAX 65536

static struct store *fz_store;
static struct lib *fz_lib;
static char fz_dir[4096];
static uint8_t fz_in[FZ_IN_MAX];

static void fz_cleanup(void)
{
	lib_close(fz_lib);
	store_close(fz_store);
	tu_rmtree(fz_dir);
}

static void fz_open(void)
{
	struct lib_config c;
	lib_config_defaults(&c, "fuzz");
	snprintf(c.target, sizeof c.target, "iqn.2024-01.test:fuzz");
	c.slots = 8;
	c.ie_slots = 1;
	c.cartridges = 5;
	snprintf(c.barcode_prefix, sizeof c.barcode_prefix, "FZ");
	c.capacity = 4u << 20;
	snprintf(fz_dir, sizeof fz_dir, "%s", tu_tmpdir("fuzz_scsi"));
	if (store_open(fz_dir, &fz_store) || lib_open(fz_store, &c, &fz_lib)) {
		fprintf(stderr, "fuzz_scsi_cdb: cannot open the store or library in %s\n", fz_dir);
		abort();
	}
	atexit(fz_cleanup);
}

static uint8_t fz_group_len(uint8_t op)
{
	static const uint8_t by_group[8] = {6, 10, 10, 16, 16, 12, 16, 16};
	return by_group[op >> 5];
}

static void fz_check(const struct scsi_cmd *c)
{
	switch (c->status) {
	case SAM_STAT_GOOD:
	case SAM_STAT_BUSY:
	case SAM_STAT_RESERVATION_CONFLICT:
	case SAM_STAT_TASK_SET_FULL:
	case SAM_STAT_TASK_ABORTED:
		if (c->sense_len)
			abort();
		break;
	case SAM_STAT_CHECK_CONDITION: {
		uint8_t fmt = c->sense[0] & 0x7f;
		if (c->sense_len < 8 || c->sense_len > SCSI_SENSE_MAX)
			abort();
		if (fmt != 0x70 && fmt != 0x71 && fmt != 0x72 && fmt != 0x73)
			abort();
		break;
	}
	default:
		abort();
	}
	if (c->data_in_len > c->data_in_cap)
		abort();
	if (c->status == SAM_STAT_GOOD && c->data_in_len > c->implied_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 20)
		return 0;
	if (!fz_lib)
		fz_open();
	struct scsi_cmd c;
	memset(&c, 0, sizeof c);
	uint8_t sel = data[1];
	snprintf(c.nexus.initiator, sizeof c.nexus.initiator, "iqn.2024-01.fuzz:host%u", (sel & 3) >> 1);
	c.nexus.isid[5] = sel & 1;
	c.nexus.tpgt = (uint16_t)(1 + (sel & 1));
	c.lun = data[0] % (fz_lib->n_lus + 1);
	memcpy(c.cdb, &data[4], SCSI_CDB_MAX);
	c.cdb_len = (sel & 0x04) ? (uint8_t)(((sel >> 3) & 0x0f) + 1) : fz_group_len(c.cdb[0]);
	c.task_attr = SCSI_TASK_SIMPLE;
	uint32_t cap = (uint32_t)data[2] << 8 | data[3];
	c.data_in = cap ? fz_in : NULL;
	c.data_in_cap = cap;
	c.data_out = size > 20 ? &data[20] : NULL;
	c.data_out_len = (uint32_t)(size - 20);
	c.dir = c.data_out_len ? SCSI_DIR_WRITE : cap ? SCSI_DIR_READ : SCSI_DIR_NONE;
	c.expected_len = c.data_out_len ? c.data_out_len : cap;
	scsi_exec(fz_lib, &c);
	fz_check(&c);
	return 0;
}
