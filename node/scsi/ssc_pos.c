/* ssc_pos.c - positioning: SPACE(6)/(16), LOCATE(10)/(16), REWIND and READ POSITION
 * (SSC-4 6.6, 6.7, 7.3, 7.4, 7.7, 7.9). Positions are logical object numbers (ssc_int.h).
 *
 * Spacing uses store_tape_find_filemark, one index lookup per filemark crossed, never a
 * walk over the blocks. A drive flushes its buffer before it moves away from where it
 * was writing, so every command that moves the medium syncs unwritten data first.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include <errno.h>

#include "common/rd.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

enum { SPACE_BLOCKS = 0, SPACE_FILEMARKS = 1, SPACE_EOD = 3 };

/* Beginning of partition reached while spacing backwards (SSC-4 SPACE(6)): NO SENSE,
 * BEGINNING-OF-PARTITION/MEDIUM DETECTED, EOM, INFORMATION = count not spaced. */
static void ssc__bop_sense(struct scsi_task *t, uint64_t residue)
{
	t->drive->pos = 0;
	scsi_sense_tape(t->cmd, SENSE_NO_SENSE, ASC_BOP_BOM_DETECTED, SENSE_FLAG_EOM, true, (int64_t)residue);
}

static void ssc__eod_sense(struct scsi_task *t, uint64_t eod, bool info_valid, uint64_t residue)
{
	t->drive->pos = eod;
	uint8_t flags = ssc__past_ew(t->drive) ? SENSE_FLAG_EOM : 0;
	scsi_sense_tape(t->cmd, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, flags, info_valid, (int64_t)residue);
}

/* Nearest filemark from `from` in direction dir: 1 found, 0 none, <0 store error. */
static int ssc__find_fm(struct scsi_task *t, uint64_t from, int dir, uint64_t *fm)
{
	int rc = store_tape_find_filemark(t->drive->tape, from, dir, fm);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		ssc__store_error(t, rc, false, false, 0);
	return rc < 0 ? rc : 1;
}

/* Blocks: a filemark stops the motion with FILEMARK sense, the position on its far side
 * in the direction of motion; INFORMATION is the absolute count not spaced over
 * (SSC-4 SPACE(6); Linux st expects it positive in both directions). */
static void ssc__space_blocks(struct scsi_task *t, bool fwd, uint64_t n)
{
	struct lib_drive *d = t->drive;
	uint64_t pos = d->pos, eod = store_tape_eod(d->tape), fm = 0;
	int found = ssc__find_fm(t, pos, fwd ? 1 : -1, &fm);
	if (found < 0)
		return;
	uint64_t avail = fwd ? (found ? fm : eod) - pos : pos - (found ? fm + 1 : 0);
	if (n <= avail) {
		d->pos = fwd ? pos + n : pos - n;
		scsi_good(t->cmd);
	} else if (found) {
		d->pos = fwd ? fm + 1 : fm;
		scsi_sense_tape(t->cmd, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, true,
				(int64_t)(n - avail));
	} else if (fwd) {
		ssc__eod_sense(t, eod, true, n - avail);
	} else {
		ssc__bop_sense(t, n - avail);
	}
}

/* Filemarks: forward ends after the n-th filemark, backward on its BOP side. */
static void ssc__space_filemarks(struct scsi_task *t, bool fwd, uint64_t n)
{
	struct lib_drive *d = t->drive;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t fm;
		int found = ssc__find_fm(t, d->pos, fwd ? 1 : -1, &fm);
		if (found < 0)
			return;
		if (!found) {
			if (fwd)
				ssc__eod_sense(t, store_tape_eod(d->tape), true, n - i);
			else
				ssc__bop_sense(t, n - i);
			return;
		}
		d->pos = fwd ? fm + 1 : fm;
	}
	scsi_good(t->cmd);
}

static void ssc__space(struct scsi_task *t, uint8_t code, int64_t count)
{
	if (code != SPACE_BLOCKS && code != SPACE_FILEMARKS && code != SPACE_EOD) {
		scsi_sense_field(t->cmd, true, 1, 3);   /* setmarks and sequential filemarks */
		return;
	}
	if (count == 0 && code != SPACE_EOD) {  /* no motion, and no flush either */
		scsi_good(t->cmd);
		return;
	}
	if (!ssc__flush(t))
		return;
	uint64_t n = count < 0 ? (uint64_t)0 - (uint64_t)count : (uint64_t)count;
	if (code == SPACE_EOD) {
		t->drive->pos = store_tape_eod(t->drive->tape);
		scsi_good(t->cmd);
	} else if (code == SPACE_BLOCKS) {
		ssc__space_blocks(t, count > 0, n);
	} else {
		ssc__space_filemarks(t, count > 0, n);
	}
}

void ssc_space6(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	uint32_t v = get_be24(&t->cmd->cdb[2]);   /* 24-bit two's complement */
	int64_t count = (v & 0x800000) ? (int64_t)v - 0x1000000 : (int64_t)v;
	ssc__space(t, t->cmd->cdb[1] & 0x0f, count);
}

void ssc_space16(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))
		return;
	if (get_be16(&cdb[12])) {       /* PARAMETER LENGTH: no explicit-address parameters */
		scsi_sense_field(t->cmd, true, 12, -1);
		return;
	}
	ssc__space(t, cdb[1] & 0x0f, (int64_t)get_be64(&cdb[4]));
}

/* LOCATE to a logical object: beyond EOD ends at EOD with BLANK CHECK (SSC-4 LOCATE). */
static void ssc__locate_object(struct scsi_task *t, uint64_t target)
{
	if (!ssc__flush(t))
		return;
	uint64_t eod = store_tape_eod(t->drive->tape);
	if (target > eod) {
		ssc__eod_sense(t, eod, false, 0);
		return;
	}
	t->drive->pos = target;
	scsi_good(t->cmd);
}

/* LOCATE(16) DEST_TYPE 001b: the first object of logical file `file`, i.e. just after
 * the file-th filemark. */
static void ssc__locate_file(struct scsi_task *t, uint64_t file)
{
	if (!ssc__flush(t))
		return;
	uint64_t at = 0;
	for (uint64_t i = 0; i < file; i++) {
		uint64_t fm;
		int found = ssc__find_fm(t, at, 1, &fm);
		if (found < 0)
			return;
		if (!found) {
			ssc__eod_sense(t, store_tape_eod(t->drive->tape), false, 0);
			return;
		}
		at = fm + 1;
	}
	t->drive->pos = at;
	scsi_good(t->cmd);
}

void ssc_locate10(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))
		return;
	/* BT (block address = logical object number here) and IMMED are accepted; only
	 * partition 0 exists (mode page 0x11) */
	if ((cdb[1] & 0x02) && cdb[8] != 0) {
		scsi_sense_field(t->cmd, true, 8, -1);
		return;
	}
	ssc__locate_object(t, get_be32(&cdb[3]));
}

void ssc_locate16(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))
		return;
	uint8_t dest = (cdb[1] >> 3) & 0x07;
	if (cdb[2] & 0x01) {            /* BAM: explicit address mode is not supported */
		scsi_sense_field(t->cmd, true, 2, 0);
		return;
	}
	if ((cdb[1] & 0x02) && cdb[3] != 0) {
		scsi_sense_field(t->cmd, true, 3, -1);
		return;
	}
	uint64_t id = get_be64(&cdb[4]);
	if (dest == 0)
		ssc__locate_object(t, id);
	else if (dest == 1)
		ssc__locate_file(t, id);
	else if (dest == 3)
		ssc__locate_object(t, store_tape_eod(t->drive->tape));
	else
		scsi_sense_field(t->cmd, true, 1, 5);
}

void ssc_rewind(struct scsi_task *t)
{
	if (!spc__cdb_ok(t) || !ssc__flush(t))
		return;
	t->drive->pos = 0;
	scsi_good(t->cmd);
}

/* BOP: at the first object; EOP: at end of data inside the early-warning zone (the only
 * place a position can be past early warning on a tape that ends at its data). */
static uint8_t ssc__pos_flags(struct scsi_task *t)
{
	struct lib_drive *d = t->drive;
	uint8_t f = 0;
	if (d->pos == 0)
		f |= 0x80;
	if (d->pos >= store_tape_eod(d->tape) && ssc__past_ew(d))
		f |= 0x40;
	return f;
}

/* Short form (SSC-4 7.7.2): 20 bytes; nothing is ever held in an object buffer, so the
 * first and last locations are the same. PERR when the position does not fit 32 bits. */
void ssc_read_pos_short(struct scsi_task *t)
{
	uint8_t buf[20] = {0};
	if (!spc__cdb_ok(t))
		return;
	uint64_t pos = t->drive->pos;
	buf[0] = ssc__pos_flags(t);
	if (pos > UINT32_MAX) {
		buf[0] |= 0x02;
	} else {
		put_be32(&buf[4], (uint32_t)pos);
		put_be32(&buf[8], (uint32_t)pos);
	}
	scsi_data_in(t, buf, sizeof buf, sizeof buf);
	scsi_good(t->cmd);
}

/* Long form (SSC-4 7.7.3): 32 bytes with the logical file identifier. */
void ssc_read_pos_long(struct scsi_task *t)
{
	uint8_t buf[32] = {0};
	uint64_t file;
	if (!spc__cdb_ok(t))
		return;
	int rc = ssc__file_number(t, t->drive->pos, &file);
	if (rc) {
		ssc__store_error(t, rc, false, false, 0);
		return;
	}
	buf[0] = ssc__pos_flags(t);
	put_be64(&buf[8], t->drive->pos);
	put_be64(&buf[16], file);
	scsi_data_in(t, buf, sizeof buf, sizeof buf);
	scsi_good(t->cmd);
}

/* Extended form (SSC-4 7.7.4): 32 bytes, cut to the allocation length. */
void ssc_read_pos_ext(struct scsi_task *t)
{
	uint8_t buf[32] = {0};
	if (!spc__cdb_ok(t))
		return;
	buf[0] = ssc__pos_flags(t);
	put_be16(&buf[2], sizeof buf - 4);
	put_be64(&buf[8], t->drive->pos);
	put_be64(&buf[16], t->drive->pos);
	scsi_data_in(t, buf, sizeof buf, get_be16(&t->cmd->cdb[7]));
	scsi_good(t->cmd);
}
