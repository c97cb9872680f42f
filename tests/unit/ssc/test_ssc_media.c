/* test_ssc_media.c - the cartridge's life in a drive: no medium (02/3A/00 everywhere it
 * matters), LOAD/UNLOAD, PREVENT ALLOW MEDIUM REMOVAL, ERASE, and persistence: data
 * written and synced by WRITE FILEMARKS survives closing the library, and survives a
 * process that dies without closing anything. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/ssc/ssc_fx.h"

static struct scsi_cmd run6(struct fx *f, uint8_t op, uint8_t b1, uint8_t b4)
{
	uint8_t cdb[6] = {op, b1, 0, 0, b4, 0};
	return FX_RUN(f, cdb, NULL, 0, NULL, 0);
}

static void test_no_medium(void)
{
	struct fx f;
	uint8_t buf[64];
	fx_open(&f, "ssc-media-none", 16 * FX_MiB);
	fx_put(&f, 1, 100);
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 0));        /* unload */
	CHECK(!fx_drive(&f)->loaded);
	CHECK(!fx_drive(&f)->dirty);                    /* unloading flushed */
	FX_SENSE(run6(&f, OP_TEST_UNIT_READY, 0, 0), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_read(&f, false, false, 10, buf, sizeof buf), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_write(&f, false, 10, buf, 10), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_wfm(&f, 1, false), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_space(&f, 0, 1), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_locate(&f, 0), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(fx_rewind(&f), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(run6(&f, OP_ERASE_6, 1, 0), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	uint8_t rp[10] = {OP_READ_POSITION};
	FX_SENSE(FX_RUN(&f, rp, NULL, 0, buf, sizeof buf), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	uint8_t ra[16] = {OP_READ_ATTRIBUTE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0};
	FX_SENSE(FX_RUN(&f, ra, NULL, 0, buf, sizeof buf), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	uint8_t rds[10] = {OP_REPORT_DENSITY_SUPPORT, 0x01, 0, 0, 0, 0, 0, 0, 64, 0};
	FX_SENSE(FX_RUN(&f, rds, NULL, 0, buf, sizeof buf), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	rds[1] = 0;                                     /* the drive's densities need no medium */
	FX_GOOD(FX_RUN(&f, rds, NULL, 0, buf, sizeof buf));
	uint8_t rbl[6] = {OP_READ_BLOCK_LIMITS};
	FX_GOOD(FX_RUN(&f, rbl, NULL, 0, buf, sizeof buf));
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 0));        /* unloading twice is harmless */

	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 1));        /* load again: at BOP, data intact */
	FX_GOOD(run6(&f, OP_TEST_UNIT_READY, 0, 0));
	FX_AT(&f, 0);
	fx_get(&f, 1, 100);
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0x01, 0x01 | 0x02));   /* IMMED, RETEN: reload */
	FX_AT(&f, 0);
	FX_FIELD(run6(&f, OP_LOAD_UNLOAD, 0, 0x01 | 0x04), true, 4, 2);  /* LOAD with EOT */

	/* the changer takes the cartridge out: now LOAD has nothing to load */
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 0));
	CHECK_EQ(fx_move(&f, FX_DRIVE, FX_SLOT0), 0);
	FX_SENSE(run6(&f, OP_LOAD_UNLOAD, 0, 1), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	FX_SENSE(run6(&f, OP_LOAD_UNLOAD, 0, 0), SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	/* and puts it back: a medium-changed unit attention, then ready */
	CHECK_EQ(fx_move(&f, FX_SLOT0, FX_DRIVE), 0);
	FX_SENSE(run6(&f, OP_TEST_UNIT_READY, 0, 0), SENSE_UNIT_ATTENTION, ASC_NOT_READY_TO_READY_CHANGE);
	FX_GOOD(run6(&f, OP_TEST_UNIT_READY, 0, 0));
	fx_get(&f, 1, 100);
	fx_close(&f);
}

static void test_prevent(void)
{
	struct fx f;
	fx_open(&f, "ssc-media-prevent", 16 * FX_MiB);
	FX_GOOD(run6(&f, OP_PREVENT_ALLOW, 0, 1));
	CHECK(fx_drive(&f)->prevent);
	FX_SENSE(run6(&f, OP_LOAD_UNLOAD, 0, 0), SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	CHECK(fx_drive(&f)->loaded);
	FX_FIELD(run6(&f, OP_PREVENT_ALLOW, 0, 2), true, 4, 1);
	FX_GOOD(run6(&f, OP_PREVENT_ALLOW, 0, 0));
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 0));
	CHECK(!fx_drive(&f)->loaded);
	fx_close(&f);
}

/* ERASE ends the data at the position (LONG or not); IMMED=0 makes it durable. */
static void test_erase(void)
{
	struct fx f;
	uint8_t buf[100];
	fx_open(&f, "ssc-media-erase", 16 * FX_MiB);
	for (uint32_t i = 0; i < 4; i++)
		fx_put(&f, i, 100);
	FX_GOOD(fx_locate(&f, 2));
	FX_GOOD(run6(&f, OP_ERASE_6, 0x01, 0));
	CHECK(!fx_drive(&f)->dirty);
	FX_AT(&f, 2);
	CHECK_EQ(store_tape_eod(fx_drive(&f)->tape), 2);
	struct scsi_cmd c = fx_read(&f, false, false, 100, buf, sizeof buf);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 100);
	FX_GOOD(fx_locate(&f, 1));
	FX_GOOD(run6(&f, OP_ERASE_6, 0x02, 0));         /* short erase, IMMED */
	CHECK_EQ(store_tape_eod(fx_drive(&f)->tape), 1);
	FX_GOOD(fx_rewind(&f));
	fx_get(&f, 0, 100);
	fx_close(&f);
}

/* Three files written and synced, the library closed and opened again, the cartridge
 * moved back into the drive: every byte, filemark and position is back. */
static void test_persistence(void)
{
	struct fx f;
	uint8_t buf[100];
	static const uint32_t sizes[] = {1, 777, 262144, 65536};
	fx_open(&f, "ssc-media-persist", 64 * FX_MiB);
	for (uint32_t file = 0; file < 3; file++) {
		for (uint32_t i = 0; i < 4; i++)
			fx_put(&f, file * 10 + i, sizes[i]);
		FX_GOOD(fx_wfm(&f, 1, false));
	}
	FX_GOOD(run6(&f, OP_LOAD_UNLOAD, 0, 0));
	CHECK_EQ(fx_move(&f, FX_DRIVE, FX_SLOT0), 0);
	fx_close_lib(&f);

	fx_open_again(&f);
	CHECK_EQ(fx_move(&f, FX_SLOT0, FX_DRIVE), 0);
	fx_clear_ua(&f, FX_LUN);
	FX_AT(&f, 0);
	for (uint32_t file = 0; file < 3; file++) {
		for (uint32_t i = 0; i < 4; i++)
			fx_get(&f, file * 10 + i, sizes[i]);
		struct scsi_cmd c = fx_read(&f, false, false, 100, buf, sizeof buf);
		FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 100);
		uint64_t obj, fileno;
		fx_pos_long(&f, &obj, &fileno);
		CHECK_EQ(obj, (file + 1) * 5);
		CHECK_EQ(fileno, file + 1);
	}
	struct scsi_cmd c = fx_read(&f, false, false, 100, buf, sizeof buf);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 100);
	fx_close(&f);
}

/* A process that writes, syncs with WRITE FILEMARKS, writes more and dies without
 * closing anything: everything before the filemark is back byte-exact; whatever of the
 * unsynced tail survived is intact, and the tape ends at a clean end of data. */
static void test_crash_after_sync(void)
{
	struct fx f;
	uint8_t *buf = malloc(FX_MiB);
	fx_open(&f, "ssc-media-crash", 64 * FX_MiB);
	fx_close_lib(&f);               /* the cartridge stays in the drive */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fx_open_again(&f);
		fx_clear_ua(&f, FX_LUN);
		for (uint32_t i = 0; i < 8; i++)
			fx_put(&f, i, 100000 + i);
		FX_GOOD(fx_wfm(&f, 1, false));
		for (uint32_t i = 9; i < 16; i++)
			fx_put(&f, i, 100000 + i);
		_exit(0);
	}
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fx_open_again(&f);
	fx_clear_ua(&f, FX_LUN);
	for (uint32_t i = 0; i < 8; i++)
		fx_get(&f, i, 100000 + i);
	struct scsi_cmd c = fx_read(&f, false, false, 10, buf, 10);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 10);
	uint64_t eod = store_tape_eod(fx_drive(&f)->tape);
	CHECK(eod >= 9 && eod <= 16);
	for (uint32_t i = 9; i < eod; i++)
		fx_get(&f, i, 100000 + i);
	c = fx_read(&f, false, false, 10, buf, 10);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 10);
	free(buf);
	fx_close(&f);
}

int main(void)
{
	test_no_medium();
	test_prevent();
	test_erase();
	test_persistence();
	test_crash_after_sync();
	return 0;
}
