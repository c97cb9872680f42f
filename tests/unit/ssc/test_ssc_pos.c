/* test_ssc_pos.c - SPACE, LOCATE, REWIND and READ POSITION on a known layout; READ
 * POSITION is checked after every motion.
 *
 * Layout (object numbers):  0-4 blocks | 5 FM | 6-8 blocks | 9 FM | 10 FM | 11-12 blocks | EOD 13
 * files:                    file 0             file 1              file 2   file 3 */
#include <string.h>

#include "tests/unit/ssc/ssc_fx.h"

enum { BLOCKS = 0, FILEMARKS = 1, SEQ_FILEMARKS = 2, EOD_CODE = 3, SETMARKS = 4 };

static void layout(struct fx *f)
{
	for (uint32_t i = 0; i < 5; i++)
		fx_put(f, i, 100);
	FX_GOOD(fx_wfm(f, 1, false));
	for (uint32_t i = 6; i < 9; i++)
		fx_put(f, i, 100);
	FX_GOOD(fx_wfm(f, 2, false));
	for (uint32_t i = 11; i < 13; i++)
		fx_put(f, i, 100);
	FX_AT(f, 13);
}

static void at(struct fx *f, uint64_t obj, uint64_t file)
{
	uint64_t o, fi;
	FX_AT(f, obj);
	fx_pos_long(f, &o, &fi);
	CHECK_EQ(o, obj);
	CHECK_EQ(fi, file);
}

static void test_space_blocks(struct fx *f)
{
	FX_GOOD(fx_rewind(f));
	FX_GOOD(fx_space(f, BLOCKS, 3));
	at(f, 3, 0);
	/* forward into a filemark: stop past it, INFORMATION = blocks not spaced */
	struct scsi_cmd c = fx_space(f, BLOCKS, 5);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 3);
	at(f, 6, 1);
	FX_GOOD(fx_space(f, BLOCKS, 2));
	at(f, 8, 1);
	/* backward into a filemark: stop on its BOP side, INFORMATION positive */
	c = fx_space(f, BLOCKS, -5);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 3);
	at(f, 5, 0);
	FX_GOOD(fx_space(f, BLOCKS, -2));
	at(f, 3, 0);
	/* backward into BOP: NO SENSE, BOP detected, EOM */
	c = fx_space(f, BLOCKS, -10);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_BOP_BOM_DETECTED, SENSE_FLAG_EOM, 7);
	at(f, 0, 0);
	c = fx_space(f, BLOCKS, -1);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_BOP_BOM_DETECTED, SENSE_FLAG_EOM, 1);
	/* forward into EOD: BLANK CHECK, position at EOD */
	FX_GOOD(fx_locate(f, 11));
	c = fx_space(f, BLOCKS, 5);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 3);
	at(f, 13, 3);
	/* count 0: no motion */
	FX_GOOD(fx_space(f, BLOCKS, 0));
	at(f, 13, 3);
}

static void test_space_filemarks(struct fx *f)
{
	FX_GOOD(fx_rewind(f));
	FX_GOOD(fx_space(f, FILEMARKS, 2));
	at(f, 10, 2);
	FX_GOOD(fx_space(f, FILEMARKS, 1));
	at(f, 11, 3);
	FX_GOOD(fx_rewind(f));
	struct scsi_cmd c = fx_space(f, FILEMARKS, 5);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 2);
	at(f, 13, 3);
	FX_GOOD(fx_space(f, FILEMARKS, -1));
	at(f, 10, 2);
	FX_GOOD(fx_space(f, FILEMARKS, -1));
	at(f, 9, 1);
	FX_GOOD(fx_space(f, EOD_CODE, 0));
	at(f, 13, 3);
	c = fx_space(f, FILEMARKS, -4);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_BOP_BOM_DETECTED, SENSE_FLAG_EOM, 1);
	at(f, 0, 0);
	FX_FIELD(fx_space(f, SETMARKS, 1), true, 1, 3);
	FX_FIELD(fx_space(f, SEQ_FILEMARKS, 1), true, 1, 3);
	at(f, 0, 0);
}

static void test_space16(struct fx *f)
{
	uint8_t cdb[16] = {OP_SPACE_16, BLOCKS};
	FX_GOOD(fx_locate(f, 12));
	put_be64(&cdb[4], (uint64_t)-3);        /* 64-bit two's complement */
	struct scsi_cmd c = FX_RUN(f, cdb, NULL, 0, NULL, 0);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 2);
	at(f, 10, 2);
	put_be64(&cdb[4], 1);
	put_be16(&cdb[12], 8);                  /* PARAMETER LENGTH must be 0 */
	FX_FIELD(FX_RUN(f, cdb, NULL, 0, NULL, 0), true, 12, -1);
	cdb[12] = cdb[13] = 0;
	cdb[1] = FILEMARKS;
	put_be64(&cdb[4], (uint64_t)1 << 40);   /* far more filemarks than exist */
	c = FX_RUN(f, cdb, NULL, 0, NULL, 0);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, (int32_t)((1ull << 40) - 1));
	at(f, 13, 3);
}

static void test_locate(struct fx *f)
{
	FX_GOOD(fx_locate(f, 7));
	at(f, 7, 1);
	fx_get(f, 7, 100);
	FX_GOOD(fx_locate(f, 13));              /* EOD itself is a valid position */
	at(f, 13, 3);
	struct scsi_cmd c = fx_locate(f, 20);
	FX_SENSE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED);
	FX_NOINFO(c);
	at(f, 13, 3);
	uint8_t cp[10] = {OP_LOCATE_10, 0x02, 0, 0, 0, 0, 1, 0, 1, 0};    /* partition 1 */
	FX_FIELD(FX_RUN(f, cp, NULL, 0, NULL, 0), true, 8, -1);
	cp[8] = 0;
	FX_GOOD(FX_RUN(f, cp, NULL, 0, NULL, 0));
	at(f, 1, 0);
	uint8_t bt[10] = {OP_LOCATE_10, 0x04 | 0x01, 0, 0, 0, 0, 4, 0, 0, 0};  /* BT, IMMED */
	FX_GOOD(FX_RUN(f, bt, NULL, 0, NULL, 0));
	at(f, 4, 0);

	uint8_t l16[16] = {OP_LOCATE_16, 1 << 3};       /* DEST_TYPE 001b: logical file */
	put_be64(&l16[4], 2);
	FX_GOOD(FX_RUN(f, l16, NULL, 0, NULL, 0));
	at(f, 10, 2);
	put_be64(&l16[4], 4);
	FX_SENSE(FX_RUN(f, l16, NULL, 0, NULL, 0), SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED);
	at(f, 13, 3);
	l16[1] = 0;                                     /* logical object */
	put_be64(&l16[4], 6);
	FX_GOOD(FX_RUN(f, l16, NULL, 0, NULL, 0));
	at(f, 6, 1);
	l16[1] = 3 << 3;                                /* end of data */
	FX_GOOD(FX_RUN(f, l16, NULL, 0, NULL, 0));
	at(f, 13, 3);
	l16[1] = 2 << 3;
	FX_FIELD(FX_RUN(f, l16, NULL, 0, NULL, 0), true, 1, 5);
	l16[1] = 0;
	l16[2] = 0x01;                                  /* BAM */
	FX_FIELD(FX_RUN(f, l16, NULL, 0, NULL, 0), true, 2, 0);
	at(f, 13, 3);
}

/* The four READ POSITION forms, BOP / EOP bits, and the extended form's allocation. */
static void test_read_position(struct fx *f)
{
	uint8_t fl, buf[32];
	FX_GOOD(fx_rewind(f));
	CHECK_EQ(fx_pos(f, &fl), 0);
	CHECK_EQ(fl, 0x80);                     /* BOP */
	FX_GOOD(fx_space(f, BLOCKS, 2));
	CHECK_EQ(fx_pos(f, &fl), 2);
	CHECK_EQ(fl, 0);
	uint8_t vend[10] = {OP_READ_POSITION, 0x01};  /* Linux st's default */
	struct scsi_cmd c = FX_RUN(f, vend, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);
	CHECK_EQ(get_be32(&buf[4]), 2);
	uint8_t ext[10] = {OP_READ_POSITION, 0x08, 0, 0, 0, 0, 0, 0, 32, 0};
	c = FX_RUN(f, ext, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 32);
	CHECK_EQ(get_be16(&buf[2]), 28);
	CHECK_EQ(get_be64(&buf[8]), 2);
	CHECK_EQ(get_be64(&buf[16]), 2);
	ext[8] = 10;
	c = FX_RUN(f, ext, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 10);
	CHECK_EQ(c.implied_len, 10);
	uint8_t bad[10] = {OP_READ_POSITION, 0x02};
	FX_FIELD(FX_RUN(f, bad, NULL, 0, buf, sizeof buf), true, 1, 4);
	/* no Data-In buffer at all (tgt crashes on this): answered, nothing written */
	c = FX_RUN(f, vend, NULL, 0, NULL, 0);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 0);
}

/* Spacing over many objects costs index lookups, not a walk (a watchdog would notice). */
static void test_space_many(void)
{
	struct fx f;
	uint8_t b = 0x5a;
	fx_open(&f, "ssc-pos-many", 64 * FX_MiB);
	for (uint32_t i = 0; i < 20000; i++)
		FX_GOOD(fx_write(&f, false, 1, &b, 1));
	FX_GOOD(fx_wfm(&f, 1, false));
	for (uint32_t i = 0; i < 10; i++)
		FX_GOOD(fx_write(&f, false, 1, &b, 1));
	FX_GOOD(fx_rewind(&f));
	struct scsi_cmd c = fx_space(&f, BLOCKS, 8000000);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 8000000 - 20000);
	FX_AT(&f, 20001);
	c = fx_space(&f, BLOCKS, -30000);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 30000);
	FX_AT(&f, 20000);
	FX_GOOD(fx_space(&f, BLOCKS, -20000));
	FX_AT(&f, 0);
	fx_close(&f);
}

/* Motion after writing flushes what was written first (a drive empties its buffer). */
static void test_motion_syncs(struct fx *f)
{
	FX_GOOD(fx_space(f, EOD_CODE, 0));
	fx_put(f, 13, 100);
	CHECK(fx_drive(f)->dirty);
	FX_GOOD(fx_space(f, BLOCKS, -1));
	CHECK(!fx_drive(f)->dirty);
	FX_GOOD(fx_space(f, BLOCKS, 1));
	fx_put(f, 14, 100);
	FX_GOOD(fx_locate(f, 0));
	CHECK(!fx_drive(f)->dirty);
	FX_GOOD(fx_space(f, EOD_CODE, 0));
	fx_put(f, 15, 100);
	FX_GOOD(fx_rewind(f));
	CHECK(!fx_drive(f)->dirty);
	at(f, 0, 0);
}

int main(void)
{
	struct fx f;
	fx_open(&f, "ssc-pos", 16 * FX_MiB);
	layout(&f);
	test_space_blocks(&f);
	test_space_filemarks(&f);
	test_space16(&f);
	test_locate(&f);
	test_read_position(&f);
	test_motion_syncs(&f);
	fx_close(&f);
	test_space_many();
	return 0;
}
