/* smc_move.c - the changer commands that move or guard media: MOVE MEDIUM (SMC-3 6.9),
 * POSITION TO ELEMENT (6.10), INITIALIZE ELEMENT STATUS (6.2) and WITH RANGE (6.3),
 * PREVENT ALLOW MEDIUM REMOVAL (6.13 / SPC-4 6.16), OPEN/CLOSE IMPORT/EXPORT ELEMENT (6.5).
 *
 * MOVE MEDIUM sense choices (docs/scsi.md, "Changer"):
 *   invalid transport, source or destination address   05/21/01 INVALID ELEMENT ADDRESS
 *   empty source                                        05/3B/0E MEDIUM SOURCE ELEMENT EMPTY
 *   full destination                                    05/3B/0D MEDIUM DESTINATION ELEMENT FULL
 *   import/export element while its door is open        02/3A/02 MEDIUM NOT PRESENT - TRAY OPEN
 *   source drive with PREVENT MEDIUM REMOVAL set         05/53/02 MEDIUM REMOVAL PREVENTED
 *   source drive whose tape the host has not unloaded    05/3B/83 (IBM: source drive not unloaded)
 *   store failure while persisting the move             04/44/00 INTERNAL TARGET FAILURE
 *
 * Concurrency: under the changer's lock, which guards the element map, lib->prevent and
 * lib->ie_open. A move that involves a drive takes that drive's lock after the changer's
 * (two drives: in LUN order) around the check and the move, so the drive's SSC commands
 * never see a half-moved cartridge. */
#include "common/log.h"
#include "common/rd.h"
#include "node/scsi/smc_int.h"
#include "node/scsi/spc_int.h"

static bool smc__transport_ok(uint16_t addr)
{
	return addr == 0 || addr == LIB_ADDR_TRANSPORT;     /* 0: the default transport */
}

/* The checks that need a drive's lock: a cartridge leaves a drive only once the host has
 * unloaded it and allowed its removal. Returns true when the move may go ahead. */
static bool smc__drive_src_ok(struct scsi_task *t, const struct lib_drive *d)
{
	if (d->prevent) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
		return false;
	}
	if (d->loaded) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_SOURCE_DRIVE_NOT_UNLOADED);
		return false;
	}
	return true;
}

/* Checks made on the element map alone (changer lock). */
static bool smc__move_ok(struct scsi_task *t, const struct lib_elem *s, const struct lib_elem *d)
{
	if (s->cart < 0) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_SRC_EMPTY);
		return false;
	}
	if (d->cart >= 0) {             /* also a move onto itself */
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_DEST_FULL);
		return false;
	}
	if (t->lib->ie_open && (s->type == LIB_ELEM_IE || d->type == LIB_ELEM_IE)) {
		scsi_sense(t->cmd, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN);
		return false;
	}
	return true;
}

static void smc__do_move(struct scsi_task *t, uint16_t src, uint16_t dst, struct lib_drive *sd)
{
	if (sd && !smc__drive_src_ok(t, sd))
		return;
	int rc = lib_move(t->lib, src, dst);
	if (rc) {
		vtl_log_ratelimited(LOG_ERROR, "SMC_MOVE_FAILED", "lib=%s initiator=%s src=0x%04x dst=0x%04x rc=%d",
				    t->lib->cfg.name, t->cmd->nexus.initiator, src, dst, rc);
		scsi_sense(t->cmd, SENSE_HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE);
		return;
	}
	scsi_good(t->cmd);
}

void smc__move_medium(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const uint8_t *cdb = t->cmd->cdb;
	uint16_t src = get_be16(&cdb[4]), dst = get_be16(&cdb[6]);
	struct lib_elem *s = smc__medium_elem(t->lib, src), *d = smc__medium_elem(t->lib, dst);

	if (!smc__transport_ok(get_be16(&cdb[2])) || !s || !d) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
		return;
	}
	if (!smc__move_ok(t, s, d))
		return;
	struct lib_drive *sd = lib_drive_at(t->lib, src), *dd = lib_drive_at(t->lib, dst);
	struct lib_drive *first = sd, *second = dd;
	if (first && second && second->lu->lun < first->lu->lun)
		first = dd, second = sd;
	else if (!first)
		first = dd, second = NULL;
	if (second == first)            /* cannot happen: a move onto itself failed above */
		second = NULL;
	if (first)
		pthread_mutex_lock(&first->lu->lock);
	if (second)
		pthread_mutex_lock(&second->lu->lock);
	smc__do_move(t, src, dst, sd);
	if (second)
		pthread_mutex_unlock(&second->lu->lock);
	if (first)
		pthread_mutex_unlock(&first->lu->lock);
}

void smc__position_to_element(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const uint8_t *cdb = t->cmd->cdb;
	/* The robot is virtual: a valid destination is reached at once. */
	if (!smc__transport_ok(get_be16(&cdb[2])) || !lib_elem(t->lib, get_be16(&cdb[4]))) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
		return;
	}
	scsi_good(t->cmd);
}

void smc__init_element_status(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	/* The inventory is exact: there is nothing to rescan. */
	scsi_good(t->cmd);
}

void smc__init_element_status_range(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const uint8_t *cdb = t->cmd->cdb;
	/* RANGE: the elements from STARTING ELEMENT ADDRESS; the first must exist */
	if ((cdb[1] & 0x01) && !lib_elem(t->lib, get_be16(&cdb[2]))) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
		return;
	}
	scsi_good(t->cmd);
}

void smc__prevent_allow(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	uint8_t prevent = t->cmd->cdb[4];
	/* 00b allow, 01b prevent; 10b and 11b are obsolete in SMC-3. One state for the
	 * whole changer, not per nexus: the import/export door stays shut while any host
	 * asked for it, until one allows removal again. */
	if (prevent > 1) {
		scsi_sense_field(t->cmd, true, 4, prevent & 0x02 ? 1 : -1);
		return;
	}
	t->lib->prevent = prevent == 1;
	scsi_good(t->cmd);
}

void smc__open_close_ie(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const uint8_t *cdb = t->cmd->cdb;
	struct lib_elem *e = lib_elem(t->lib, get_be16(&cdb[2]));
	uint8_t action = cdb[4] & 0x1f;

	if (action > 1) {               /* 00h open, 01h close */
		scsi_sense_field(t->cmd, true, 4, -1);
		return;
	}
	if (!e || e->type != LIB_ELEM_IE) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
		return;
	}
	if (action == 0) {
		if (t->lib->prevent) {  /* SMC-3 6.5: removal prevented keeps the door shut */
			scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
			return;
		}
		t->lib->ie_open = true;
	} else if (t->lib->ie_open) {
		t->lib->ie_open = false;
		/* the other hosts learn the operator may have changed what is in there */
		lib_ua_raise(t->lu, LIB_UA_IE_OPENED, &t->cmd->nexus);
	}
	scsi_good(t->cmd);
}
