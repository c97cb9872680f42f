/* ssc_rw.c - READ(6), WRITE(6) and WRITE FILEMARKS(6) (SSC-4 6.4, 6.8, 6.10 / 7.x of
 * SSC-3), where sense data and residues matter most: Linux st and backup software decide
 * what happened from FILEMARK / EOM / ILI and the INFORMATION field alone.
 *
 * Data moves straight between the transport's buffers and the store: READ fills
 * cmd->data_in from store_tape_read, WRITE hands cmd->data_out to store_tape_write.
 * Residuals: cmd->implied_len is what the CDB asked to move, cmd->data_in_len what was
 * moved; the transport derives the iSCSI residual counts from them.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include <errno.h>

#include "common/rd.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

static uint32_t ssc__min32(uint64_t a, uint64_t b)
{
	return (uint32_t)(a < b ? a : b);
}

/* Reads (room > 0) or just examines (room == 0) the object at the current position.
 * Returns 0, 1 at end of data, or a negative errno. */
static int ssc__get(struct lib_drive *d, uint8_t *buf, uint32_t room, struct store_obj *obj)
{
	if (d->pos >= store_tape_eod(d->tape))
		return 1;
	int rc = room ? store_tape_read(d->tape, d->pos, buf, room, obj) : store_tape_stat(d->tape, d->pos, obj);
	return rc == -ENOENT ? 1 : rc;
}

/* End of data while reading (SSC-4 4.2.4 / READ): BLANK CHECK, END-OF-DATA DETECTED,
 * EOM when the data ends past early warning; the position stays at EOD. */
static void ssc__eod_sense(struct scsi_task *t, int64_t residue)
{
	uint8_t flags = ssc__past_ew(t->drive) ? SENSE_FLAG_EOM : 0;
	scsi_sense_tape(t->cmd, SENSE_BLANK_CHECK, ASC_END_OF_DATA_DETECTED, flags, true, residue);
}

/* FIXED=0: one block of up to `want` bytes.
 *  - shorter block: ILI, INFORMATION = want - actual (positive), its bytes returned;
 *  - longer block: ILI, INFORMATION = want - actual (negative), `want` bytes returned;
 *  - SILI suppresses the shorter case, and the longer case too while the block
 *    descriptor's block length is 0 (SSC-4 READ(6), SILI);
 *  - filemark: FILEMARK, INFORMATION = want, position after the filemark.
 * In every case the position ends after the object read. */
static void ssc__read_var(struct scsi_task *t, uint32_t want, bool sili)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	uint32_t room = cmd->data_in ? ssc__min32(want, cmd->data_in_cap) : 0;
	struct store_obj obj;
	int rc = ssc__get(d, cmd->data_in, room, &obj);
	if (rc > 0) {
		ssc__eod_sense(t, want);
		return;
	}
	if (rc < 0) {
		ssc__store_error(t, rc, false, true, want);
		return;
	}
	d->pos++;
	if (obj.type == STORE_OBJ_FILEMARK) {
		scsi_sense_tape(cmd, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, true, want);
		return;
	}
	cmd->data_in_len = ssc__min32(obj.len, room);
	d->bytes_read += ssc__min32(obj.len, want);
	bool quiet = obj.len == want || (sili && (obj.len < want || d->block_len == 0));
	if (quiet)
		scsi_good(cmd);
	else
		scsi_sense_tape(cmd, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, true,
				(int64_t)want - (int64_t)obj.len);
}

/* FIXED=1: `count` blocks of drive->block_len. A block of another length ends the
 * command with ILI after it (its bytes, cut to the block length, are returned); a
 * filemark or EOD ends it before. INFORMATION is always count minus the blocks read
 * whole (SSC-4 READ(6)). */
static void ssc__read_fixed(struct scsi_task *t, uint32_t count)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	uint32_t bl = d->block_len;
	uint64_t room = cmd->data_in ? cmd->data_in_cap : 0;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t off = (uint64_t)i * bl;
		uint32_t r = off < room ? ssc__min32(bl, room - off) : 0;
		struct store_obj obj;
		int rc = ssc__get(d, r ? cmd->data_in + off : NULL, r, &obj);
		cmd->data_in_len = ssc__min32(off, room);
		if (rc > 0) {
			ssc__eod_sense(t, count - i);
			return;
		}
		if (rc < 0) {
			ssc__store_error(t, rc, false, true, count - i);
			return;
		}
		d->pos++;
		if (obj.type == STORE_OBJ_FILEMARK) {
			scsi_sense_tape(cmd, SENSE_NO_SENSE, ASC_FILEMARK_DETECTED, SENSE_FLAG_FILEMARK, true, count - i);
			return;
		}
		if (obj.len != bl) {
			cmd->data_in_len = ssc__min32(off + ssc__min32(obj.len, bl), room);
			d->bytes_read += ssc__min32(obj.len, bl);
			scsi_sense_tape(cmd, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE, SENSE_FLAG_ILI, true, count - i);
			return;
		}
		d->bytes_read += bl;
	}
	cmd->data_in_len = ssc__min32((uint64_t)count * bl, room);
	scsi_good(cmd);
}

void ssc_read6(struct scsi_task *t)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	if (!spc__cdb_ok(t))
		return;
	bool fixed = cmd->cdb[1] & 0x01, sili = cmd->cdb[1] & 0x02;
	uint32_t count = get_be24(&cmd->cdb[2]);
	if (fixed && sili) {            /* SSC-4: SILI=1 with FIXED=1 is an invalid field */
		scsi_sense_field(cmd, true, 1, 1);
		return;
	}
	if (fixed && d->block_len == 0) { /* fixed transfer while in variable block mode */
		scsi_sense_field(cmd, true, 1, 0);
		return;
	}
	uint64_t want = fixed ? (uint64_t)count * d->block_len : count;
	if (want > SCSI_XFER_MAX) {
		scsi_sense_field(cmd, true, 2, -1);
		return;
	}
	cmd->implied_len = (uint32_t)want;
	if (count == 0) {               /* not an error, and no motion */
		scsi_good(cmd);
		return;
	}
	if (fixed)
		ssc__read_fixed(t, count);
	else
		ssc__read_var(t, count, sili);
}

/* How a write (or filemark write) ends (SSC-4 4.2.5 and WRITE(6)):
 *  - store full: VOLUME OVERFLOW, EOM, END-OF-PARTITION/MEDIUM DETECTED, INFORMATION =
 *    what was not written (blocks in fixed mode, bytes in variable mode, filemarks);
 *  - past early warning: the data IS written and the command ends CHECK CONDITION
 *    NO SENSE, EOM, 00/02, INFORMATION 0. Every write in the zone reports it, as LTO
 *    drives do, so an initiator that missed one still sees the next.
 * `sync` makes the write durable first (unbuffered mode, WRITE FILEMARKS IMMED=0). */
static void ssc__write_end(struct scsi_task *t, int rc, int64_t residue, bool sync, bool wrote)
{
	if (rc == -ENOSPC) {
		scsi_sense_tape(t->cmd, SENSE_VOLUME_OVERFLOW, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, true, residue);
		return;
	}
	if (rc) {
		ssc__store_error(t, rc, true, true, residue);
		return;
	}
	if (sync && !ssc__flush(t))
		return;
	if (wrote && ssc__past_ew(t->drive)) {
		scsi_sense_tape(t->cmd, SENSE_NO_SENSE, ASC_EOP_EOM_DETECTED, SENSE_FLAG_EOM, true, 0);
		return;
	}
	scsi_good(t->cmd);
}

void ssc_write6(struct scsi_task *t)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	if (!spc__cdb_ok(t))
		return;
	bool fixed = cmd->cdb[1] & 0x01;
	uint32_t count = get_be24(&cmd->cdb[2]);
	if (fixed && d->block_len == 0) {
		scsi_sense_field(cmd, true, 1, 0);
		return;
	}
	uint32_t bl = fixed ? d->block_len : count;
	uint64_t len = fixed ? (uint64_t)count * bl : count;
	if (bl > SSC_MAX_BLOCK || len > SCSI_XFER_MAX) {   /* beyond READ BLOCK LIMITS */
		scsi_sense_field(cmd, true, 2, -1);
		return;
	}
	if (count == 0) {               /* SSC-4: no data, no motion, not an error */
		scsi_good(cmd);
		return;
	}
	if (ssc__write_protected(t))
		return;
	const uint8_t *data = scsi_data_out(t, (uint32_t)len);
	if (!data)
		return;
	uint32_t n = fixed ? count : 1, done = 0;
	int rc = 0;
	for (; done < n; done++) {
		rc = store_tape_write(d->tape, d->pos, STORE_OBJ_BLOCK, data + (size_t)done * bl, bl);
		if (rc)
			break;
		d->pos++;
		d->dirty = true;
		d->bytes_written += bl;
	}
	ssc__write_end(t, rc, fixed ? (int64_t)(n - done) : (int64_t)count, !d->buffered, true);
}

void ssc_write_filemarks6(struct scsi_task *t)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	if (!spc__cdb_ok(t))
		return;
	bool immed = cmd->cdb[1] & 0x01;
	uint32_t count = get_be24(&cmd->cdb[2]);
	if (cmd->cdb[1] & 0x02) {       /* WSMK: setmarks are not supported (LTO has none) */
		scsi_sense_field(cmd, true, 1, 1);
		return;
	}
	if (count > SSC_MAX_FILEMARKS) {
		/* one command writes at most this many: each filemark is an object on disk, and a
		 * 24-bit count would let one CDB hold the drive for minutes (found by fuzzing) */
		scsi_sense_field(cmd, true, 2, -1);
		return;
	}
	if (immed && !d->buffered) {    /* SSC-4: IMMED needs buffered mode */
		scsi_sense_field(cmd, true, 1, 0);
		return;
	}
	/* count 0 writes nothing: with IMMED=0 it is a pure sync point, allowed even on a
	 * write-protected cartridge */
	if (count && ssc__write_protected(t))
		return;
	uint32_t done = 0;
	int rc = 0;
	for (; done < count; done++) {
		rc = store_tape_write(d->tape, d->pos, STORE_OBJ_FILEMARK, NULL, 0);
		if (rc)
			break;
		d->pos++;
		d->dirty = true;
	}
	/* IMMED=0 is THE durability sync point: GOOD means every earlier write survives a
	 * crash (DESIGN.md, acknowledgement rule). */
	ssc__write_end(t, rc, (int64_t)(count - done), !immed, count > 0);
}
