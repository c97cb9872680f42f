/* test_ssc_rw.c - READ(6), WRITE(6), WRITE FILEMARKS(6): data byte-exact, and every
 * sense condition with its key, ASC/ASCQ, FILEMARK/EOM/ILI bits, INFORMATION and the
 * residual inputs (data_in_len, implied_len). */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ssc/ssc_fx.h"

/* Three files of mixed block sizes, read back byte-exact; the filemark between them is
 * reported on READ and the position moves past it. */
static void test_multi_file_roundtrip(void)
{
	struct fx f;
	static const uint32_t sizes[] = {1, 100, 65536, 1000000, 4096};
	fx_open(&f, "ssc-rw-files", 64 * FX_MiB);
	for (uint32_t file = 0; file < 3; file++) {
		for (uint32_t i = 0; i < 5; i++)
			fx_put(&f, file * 10 + i, sizes[i]);
		FX_GOOD(fx_wfm(&f, 1, false));
		FX_AT(&f, (file + 1) * 6);
	}
	FX_GOOD(fx_rewind(&f));
	FX_AT(&f, 0);
	uint8_t *buf = malloc(FX_MiB);
	for (uint32_t file = 0; file < 3; file++) {
		for (uint32_t i = 0; i < 5; i++) {
			fx_get(&f, file * 10 + i, sizes[i]);
			FX_AT(&f, file * 6 + i + 1);
		}
		struct scsi_cmd c = fx_read(&f, false, false, 512, buf, 512);
		FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 512);
		CHECK_EQ(c.data_in_len, 0);
		CHECK_EQ(c.implied_len, 512);
		uint64_t obj, fileno;
		fx_pos_long(&f, &obj, &fileno);
		CHECK_EQ(obj, (file + 1) * 6);
		CHECK_EQ(fileno, file + 1);
	}
	/* then end of data: BLANK CHECK, INFORMATION = requested length, no motion */
	struct scsi_cmd c = fx_read(&f, false, false, 512, buf, 512);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 512);
	CHECK_EQ(c.data_in_len, 0);
	FX_AT(&f, 18);
	free(buf);
	fx_close(&f);
}

/* Variable mode, block shorter than asked: ILI, INFORMATION = asked - actual, the block's
 * bytes returned; longer: ILI, negative INFORMATION, the asked bytes returned, position
 * past the block either way. SILI suppresses both in variable block mode, only the
 * short case when the block descriptor has a block length (SSC-4 READ(6)). */
static void test_incorrect_length(void)
{
	struct fx f;
	uint8_t buf[2000], want[1000];
	fx_open(&f, "ssc-rw-ili", 16 * FX_MiB);
	for (uint32_t i = 0; i < 6; i++)
		fx_put(&f, i, i % 2 ? 1000 : 100);
	FX_GOOD(fx_rewind(&f));

	struct scsi_cmd c = fx_read(&f, false, false, 1000, buf, sizeof buf);    /* short */
	FX_TAPE(c, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, 900);
	CHECK_EQ(c.data_in_len, 100);
	CHECK_EQ(c.implied_len, 1000);
	fx_fill(want, 0, 100);
	CHECK(memcmp(buf, want, 100) == 0);
	FX_AT(&f, 1);

	c = fx_read(&f, false, false, 300, buf, sizeof buf);                     /* long */
	FX_TAPE(c, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, -700);
	CHECK_EQ(c.data_in_len, 300);
	CHECK_EQ(c.implied_len, 300);
	fx_fill(want, 1, 1000);
	CHECK(memcmp(buf, want, 300) == 0);
	FX_AT(&f, 2);

	c = fx_read(&f, false, true, 1000, buf, sizeof buf);                     /* SILI short */
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 100);
	CHECK_EQ(c.implied_len, 1000);
	c = fx_read(&f, false, true, 10, buf, sizeof buf);                       /* SILI long, variable */
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 10);
	FX_AT(&f, 4);

	FX_GOOD(fx_mode_select(&f, 512, 1));                                     /* fixed block mode */
	c = fx_read(&f, false, true, 10, buf, sizeof buf);                       /* SILI long, fixed mode */
	FX_TAPE(c, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, -90);
	CHECK_EQ(c.data_in_len, 10);
	c = fx_read(&f, true, true, 1, buf, sizeof buf);                         /* SILI with FIXED */
	FX_FIELD(c, true, 1, 1);
	FX_AT(&f, 5);
	fx_close(&f);
}

/* Fixed block mode: counts of blocks; a block of another length ends the command with
 * ILI after it, INFORMATION = blocks not read whole; a filemark and EOD end it before. */
static void test_fixed_mode(void)
{
	struct fx f;
	uint8_t data[4 * 512], buf[8 * 512];
	fx_open(&f, "ssc-rw-fixed", 16 * FX_MiB);
	struct scsi_cmd c = fx_write(&f, true, 4, data, sizeof data);            /* variable mode */
	FX_FIELD(c, true, 1, 0);
	c = fx_read(&f, true, false, 1, buf, sizeof buf);
	FX_FIELD(c, true, 1, 0);

	FX_GOOD(fx_mode_select(&f, 512, 1));
	CHECK_EQ(fx_drive(&f)->block_len, 512);
	fx_fill(data, 7, sizeof data);
	c = fx_write(&f, true, 4, data, sizeof data);
	FX_GOOD(c);
	CHECK_EQ(c.implied_len, 2048);
	FX_AT(&f, 4);
	fx_put(&f, 8, 1000);                    /* a variable block of another length */
	c = fx_write(&f, true, 2, data, 1024);
	FX_GOOD(c);
	FX_GOOD(fx_wfm(&f, 1, false));
	c = fx_write(&f, true, 1, data, 512);
	FX_GOOD(c);
	FX_AT(&f, 9);

	FX_GOOD(fx_rewind(&f));
	c = fx_read(&f, true, false, 3, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 1536);
	CHECK_EQ(c.implied_len, 1536);
	CHECK(memcmp(buf, data, 1536) == 0);
	c = fx_read(&f, true, false, 3, buf, sizeof buf);   /* block 3, then the 1000-byte block */
	FX_TAPE(c, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, 2);
	CHECK_EQ(c.implied_len, 1536);
	CHECK_EQ(c.data_in_len, 1024);
	CHECK(memcmp(buf, data + 1536, 512) == 0);
	FX_AT(&f, 5);
	c = fx_read(&f, true, false, 4, buf, sizeof buf);   /* two blocks, then the filemark */
	FX_TAPE(c, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, 2);
	CHECK_EQ(c.data_in_len, 1024);
	FX_AT(&f, 8);
	c = fx_read(&f, true, false, 5, buf, sizeof buf);   /* one block, then EOD */
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 4);
	CHECK_EQ(c.data_in_len, 512);
	FX_AT(&f, 9);
	fx_close(&f);
}

/* Transfer length 0 moves nothing and is not an error; too large a block is refused;
 * a Data-Out shorter than the CDB says writes nothing. */
static void test_lengths(void)
{
	struct fx f;
	uint8_t buf[1000];
	fx_open(&f, "ssc-rw-len", 16 * FX_MiB);
	fx_put(&f, 1, 10);
	FX_GOOD(fx_rewind(&f));
	struct scsi_cmd c = fx_read(&f, false, false, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 0);
	CHECK_EQ(c.implied_len, 0);
	FX_AT(&f, 0);
	FX_GOOD(fx_write(&f, false, 0, NULL, 0));
	FX_AT(&f, 0);
	CHECK_EQ(store_tape_eod(fx_drive(&f)->tape), 1);   /* WRITE 0 truncated nothing */

	c = fx_write(&f, false, SSC_MAX_BLOCK + 1, buf, sizeof buf);
	FX_FIELD(c, true, 2, -1);
	c = fx_write(&f, false, 2000, buf, sizeof buf);     /* initiator sent 1000 bytes */
	FX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	FX_AT(&f, 0);

	/* the initiator's buffer is smaller than the block: the block is consumed, the
	 * transfer cut (the transport reports the overflow from implied_len); it is still
	 * the block written first, untouched by the refused writes */
	uint8_t want[10];
	fx_fill(want, 1, 10);
	c = fx_read(&f, false, false, 10, buf, 4);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4);
	CHECK_EQ(c.implied_len, 10);
	CHECK(memcmp(buf, want, 4) == 0);
	FX_AT(&f, 1);
	fx_close(&f);
}

/* Writing in the middle discards what followed (store_tape_write); READ then meets EOD. */
static void test_overwrite(void)
{
	struct fx f;
	uint8_t buf[100];
	fx_open(&f, "ssc-rw-over", 16 * FX_MiB);
	for (uint32_t i = 0; i < 5; i++)
		fx_put(&f, i, 50);
	FX_GOOD(fx_locate(&f, 2));
	fx_put(&f, 99, 60);
	FX_AT(&f, 3);
	CHECK_EQ(store_tape_eod(fx_drive(&f)->tape), 3);
	struct scsi_cmd c = fx_read(&f, false, false, 100, buf, sizeof buf);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, 0, 100);
	FX_GOOD(fx_locate(&f, 2));
	fx_get(&f, 99, 60);
	fx_close(&f);
}

/* Write protection: 07/27/00 for WRITE, WRITE FILEMARKS and ERASE, nothing written,
 * TapeAlert flag 9 raised; WRITE FILEMARKS 0 (a sync point) still passes. */
static void test_write_protect(void)
{
	struct fx f;
	uint8_t data[10] = {0}, ta[400], ms[12];
	fx_open(&f, "ssc-rw-wp", 16 * FX_MiB);
	f.lib->carts[fx_drive(&f)->cart].write_protect = true;
	FX_SENSE(fx_write(&f, false, 10, data, 10), SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	FX_SENSE(fx_wfm(&f, 1, false), SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	uint8_t erase[6] = {OP_ERASE_6, 0x01};
	FX_SENSE(FX_RUN(&f, erase, NULL, 0, NULL, 0), SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	FX_GOOD(fx_wfm(&f, 0, false));
	CHECK_EQ(store_tape_eod(fx_drive(&f)->tape), 0);
	FX_AT(&f, 0);

	uint8_t msense[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 12, 0};   /* header + block descriptor */
	struct scsi_cmd c = FX_RUN(&f, msense, NULL, 0, ms, sizeof ms);
	FX_GOOD(c);
	CHECK_EQ(ms[2], 0x80 | 0x10);           /* WP, buffered mode 1 */

	uint8_t log[10] = {OP_LOG_SENSE, 0, 0x40 | 0x2e, 0, 0, 0, 0, 0x01, 0x90, 0};
	c = FX_RUN(&f, log, NULL, 0, ta, sizeof ta);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4 + 64 * 5);
	for (uint32_t i = 0; i < 64; i++) {
		CHECK_EQ(get_be16(&ta[4 + i * 5]), i + 1);
		CHECK_EQ(ta[4 + i * 5 + 4], i + 1 == 9 ? 1 : 0);
	}
	c = FX_RUN(&f, log, NULL, 0, ta, sizeof ta);    /* reading cleared the flags */
	FX_GOOD(c);
	CHECK_EQ(ta[4 + 8 * 5 + 4], 0);
	fx_close(&f);
}

/* Early warning: every write past it succeeds with CHECK CONDITION NO SENSE, EOM,
 * 00/02 and INFORMATION 0; a write past the capacity is VOLUME OVERFLOW, EOM, with
 * the unwritten length, and moves nothing. */
static void test_early_warning_and_overflow(void)
{
	struct fx f;
	enum { BS = 64 * 1024 };
	static uint8_t data[BS];
	uint8_t fl;
	fx_open(&f, "ssc-rw-ew", 4 * FX_MiB);
	struct lib_drive *d = fx_drive(&f);
	uint64_t cap = store_tape_capacity(d->tape);
	uint32_t good = 0, ew = 0, n = 0;
	for (;; n++) {
		fx_fill(data, n, BS);
		struct scsi_cmd c = fx_write(&f, false, BS, data, BS);
		if (c.status == SAM_STAT_GOOD) {
			CHECK_EQ(ew, 0);        /* GOOD never follows an early warning */
			CHECK(store_tape_used(d->tape) <= cap - cap / 50);
			good++;
			continue;
		}
		if ((c.sense[2] & 0x0f) == SENSE_NO_SENSE) {
			FX_TAPE(c, SENSE_NO_SENSE, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, 0);
			CHECK(store_tape_used(d->tape) > cap - cap / 50);
			FX_AT(&f, n + 1);       /* the data was written */
			ew++;
			continue;
		}
		FX_TAPE(c, SENSE_VOLUME_OVERFLOW, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, BS);
		CHECK(store_tape_used(d->tape) + BS > cap);
		break;
	}
	CHECK(good > 0 && ew > 0);
	CHECK_EQ(fx_pos(&f, &fl), n);           /* the overflowing block moved nothing */
	CHECK_EQ(fl & 0x40, 0x40);              /* EOP: in the early-warning zone */
	/* filemarks in the zone report early warning too; the data reads back */
	struct scsi_cmd c = fx_wfm(&f, 1, false);
	FX_TAPE(c, SENSE_NO_SENSE, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, 0);
	FX_GOOD(fx_locate(&f, n - 1));
	fx_get(&f, n - 1, BS);
	/* reading to EOD past early warning sets EOM with the BLANK CHECK */
	FX_GOOD(fx_locate(&f, n + 1));
	c = fx_read(&f, false, false, 10, data, 10);
	FX_TAPE(c, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, SENSE_FLAG_EOM, 10);

	/* fixed mode: INFORMATION counts the blocks not written */
	FX_GOOD(fx_locate(&f, n - 1));          /* frees one 64 KiB block */
	FX_GOOD(fx_mode_select(&f, BS / 4, 1));
	static uint8_t many[8 * BS / 4];
	c = fx_write(&f, true, 8, many, sizeof many);   /* room for 4 of the 8 */
	FX_TAPE(c, SENSE_VOLUME_OVERFLOW, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, 4);
	FX_AT(&f, n - 1 + 4);
	fx_close(&f);
}

/* Setmarks are refused; IMMED needs buffered mode; count 0 + IMMED 0 is a sync point. */
static void test_filemark_options(void)
{
	struct fx f;
	fx_open(&f, "ssc-rw-wfm", 16 * FX_MiB);
	uint8_t wsmk[6] = {OP_WRITE_FILEMARKS_6, 0x02, 0, 0, 1, 0};
	FX_FIELD(FX_RUN(&f, wsmk, NULL, 0, NULL, 0), true, 1, 1);
	fx_put(&f, 1, 100);
	CHECK(fx_drive(&f)->dirty);
	FX_GOOD(fx_wfm(&f, 0, true));           /* IMMED: no sync */
	CHECK(fx_drive(&f)->dirty);
	FX_GOOD(fx_wfm(&f, 0, false));          /* the sync point */
	CHECK(!fx_drive(&f)->dirty);
	FX_AT(&f, 1);
	FX_GOOD(fx_wfm(&f, 3, true));
	FX_AT(&f, 4);
	FX_GOOD(fx_mode_select(&f, 0, 0));      /* unbuffered: every write is synced */
	FX_FIELD(fx_wfm(&f, 1, true), true, 1, 0);
	fx_put(&f, 2, 100);
	CHECK(!fx_drive(&f)->dirty);
	fx_close(&f);
}

int main(void)
{
	test_multi_file_roundtrip();
	test_incorrect_length();
	test_fixed_mode();
	test_lengths();
	test_overwrite();
	test_write_protect();
	test_early_warning_and_overflow();
	test_filemark_options();
	return 0;
}
