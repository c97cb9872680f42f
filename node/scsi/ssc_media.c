/* ssc_media.c - the cartridge's life in the drive: LOAD UNLOAD (SSC-4 7.2), ERASE(6)
 * (SSC-4 6.3) and PREVENT ALLOW MEDIUM REMOVAL (SPC-4 6.13 as SSC-4 uses it).
 *
 * A cartridge the changer moves into the drive is opened and auto-loaded by lib_move.
 * UNLOAD leaves it in the drive, unthreaded (drive->loaded false): medium-access
 * commands then report 02/3A/00 and the changer may move it out; LOAD threads it again.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

static void ssc__unload(struct scsi_task *t)
{
	struct lib_drive *d = t->drive;
	if (!d->loaded) {               /* already unthreaded: nothing to do */
		scsi_good(t->cmd);
		return;
	}
	if (d->prevent) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
		return;
	}
	/* the buffer is written out before the tape rewinds and unthreads */
	if (!ssc__flush(t))
		return;
	d->pos = 0;
	d->loaded = false;
	d->early_warning = false;
	scsi_good(t->cmd);
}

void ssc_load_unload(struct scsi_task *t)
{
	struct scsi_cmd *cmd = t->cmd;
	struct lib_drive *d = t->drive;
	if (!spc__cdb_ok(t))
		return;
	bool load = cmd->cdb[4] & 0x01, eot = cmd->cdb[4] & 0x04;
	/* IMMED, RETEN and HOLD change nothing for a tape that has no physical motion */
	if (load && eot) {              /* SSC-4 7.2: EOT=1 with LOAD=1 is invalid */
		scsi_sense_field(cmd, true, 4, 2);
		return;
	}
	if (d->cart < 0 || !d->tape) {
		scsi_sense(cmd, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	if (!load) {
		ssc__unload(t);
		return;
	}
	/* LOAD of a loaded tape positions it at BOP like a fresh load */
	if (!ssc__flush(t))
		return;
	d->loaded = true;
	d->pos = 0;
	scsi_good(cmd);
}

/* ERASE(6): LONG=1 erases from the position to the end of the partition; LONG=0 writes
 * an end-of-data mark at the position. Both end the recorded data here, which for this
 * store is one truncation. IMMED=0 returns once the erasure is durable. */
void ssc_erase6(struct scsi_task *t)
{
	struct lib_drive *d = t->drive;
	if (!spc__cdb_ok(t))
		return;
	bool immed = t->cmd->cdb[1] & 0x02;
	if (ssc__write_protected(t))
		return;
	int rc = store_tape_truncate(d->tape, d->pos);
	if (rc) {
		ssc__store_error(t, rc, true, false, 0);
		return;
	}
	d->dirty = true;
	if (!immed && !ssc__flush(t))
		return;
	scsi_good(t->cmd);
}

/* PREVENT field: 00b allow, 01b prevent; 1xb are obsolete for this device type. */
void ssc_prevent_allow(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	uint8_t prevent = t->cmd->cdb[4] & 0x03;
	if (prevent > 1) {
		scsi_sense_field(t->cmd, true, 4, 1);
		return;
	}
	t->drive->prevent = prevent == 1;
	scsi_good(t->cmd);
}
