/* scsi.c - the dispatcher: the checks every command shares, then the table's handler.
 *
 * Order of checks (SAM-5 5.14, SPC-4 5.14 and 5.12, like LIO's target_setup_cmd_from_cdb):
 *   1. LUN exists (else LOGICAL UNIT NOT SUPPORTED; INQUIRY and REPORT LUNS still answer)
 *   2. a pending unit attention for this nexus, unless the command is INQUIRY, REPORT
 *      LUNS or REQUEST SENSE
 *   3. the opcode is in the device type's table, and its service action if it has them
 *   4. NACA in the control byte (ACA is not supported)
 *   5. reservation conflict
 *   6. a medium is loaded, for commands that need one
 * then the handler runs with the LU's lock held. */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/scsi_int.h"

/* Unit attentions in the order they are reported (SPC-4 6.1: highest precedence first). */
static const struct {
	uint32_t bit;
	uint16_t asc_ascq;
} scsi__ua_order[] = {
	{LIB_UA_POWER_ON, ASC_POWER_ON_RESET_OCCURRED},
	{LIB_UA_BUS_RESET, ASC_BUS_RESET_OCCURRED},
	{LIB_UA_LU_RESET, ASC_BUS_DEVICE_RESET},
	{LIB_UA_RES_PREEMPTED, ASC_RESERVATIONS_PREEMPTED},
	{LIB_UA_RES_RELEASED, ASC_RESERVATIONS_RELEASED},
	{LIB_UA_REGS_PREEMPTED, ASC_REGISTRATIONS_PREEMPTED},
	{LIB_UA_MEDIUM_CHANGED, ASC_NOT_READY_TO_READY_CHANGE},
	{LIB_UA_IE_OPENED, ASC_IMPORT_EXPORT_ACCESSED},
	{LIB_UA_MODE_CHANGED, ASC_MODE_PARAMETERS_CHANGED},
	{LIB_UA_INQUIRY_CHANGED, ASC_INQUIRY_DATA_CHANGED},
	{LIB_UA_LUNS_CHANGED, ASC_REPORTED_LUNS_CHANGED},
};

uint8_t scsi_ua_take(struct lib_nexus *nx, uint8_t *buf)
{
	for (size_t i = 0; i < sizeof scsi__ua_order / sizeof scsi__ua_order[0]; i++) {
		if (nx->ua & scsi__ua_order[i].bit) {
			nx->ua &= ~scsi__ua_order[i].bit;
			return scsi_sense_build(buf, SENSE_UNIT_ATTENTION, scsi__ua_order[i].asc_ascq);
		}
	}
	nx->ua = 0;  /* unknown bits never stick */
	return 0;
}

/* Reports and clears the highest-precedence pending unit attention; false if none. */
static bool scsi__report_ua(struct scsi_task *t)
{
	uint8_t n = scsi_ua_take(t->nx, t->cmd->sense);
	if (!n)
		return false;
	t->cmd->status = SAM_STAT_CHECK_CONDITION;
	t->cmd->sense_len = n;
	return true;
}

/* INQUIRY to a LUN that does not exist: peripheral qualifier 011b, type 1Fh (SPC-4 6.6.2). */
static void scsi__inquiry_no_lun(struct scsi_task *t)
{
	uint8_t buf[36] = {0};
	if (t->cmd->cdb[1] & 0x01) {   /* EVPD to a missing LUN */
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
		return;
	}
	buf[0] = 0x7f;
	buf[2] = 0x06;                  /* SPC-4 */
	buf[3] = 0x02;                  /* response data format 2 */
	buf[4] = sizeof buf - 5;
	scsi_data_in(t, buf, sizeof buf, get_be16(&t->cmd->cdb[3]));
	scsi_good(t->cmd);
}

static void scsi__no_lun(struct scsi_task *t)
{
	switch (t->cmd->cdb[0]) {
	case OP_INQUIRY:
		scsi__inquiry_no_lun(t);
		return;
	case OP_REPORT_LUNS:
		spc_report_luns(t);     /* answers for the target, needs no LU */
		return;
	case OP_REQUEST_SENSE: {
		uint8_t sense[SCSI_SENSE_MAX];
		uint8_t n = scsi_sense_build(sense, SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
		scsi_data_in(t, sense, n, t->cmd->cdb[4]);
		scsi_good(t->cmd);
		return;
	}
	default:
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
	}
}

/* Picks the handler for the CDB, or sets CHECK CONDITION and returns NULL. */
static scsi_handler_fn *scsi__lookup(struct scsi_task *t, const struct scsi_op **opp)
{
	const struct scsi_cmd *cmd = t->cmd;
	const struct scsi_op *op = &t->dev->ops[cmd->cdb[0]];
	*opp = op;
	if (!op->fn && !(op->flags & SCSI_OP_SA)) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return NULL;
	}
	uint8_t cdb_len = op->cdb_len;
	scsi_handler_fn *fn = op->fn;
	if (op->flags & SCSI_OP_SA) {
		uint8_t sa = cmd->cdb[1] & 0x1f;
		fn = NULL;
		for (uint8_t i = 0; i < op->n_sa; i++) {
			if (op->sa[i].sa == sa) {
				fn = op->sa[i].fn;
				cdb_len = op->sa[i].cdb_len;
				break;
			}
		}
		if (!fn) {
			scsi_sense_field(t->cmd, true, 1, 4);
			return NULL;
		}
	}
	if (cmd->cdb_len < cdb_len) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return NULL;
	}
	if (cmd->cdb[cdb_len - 1] & 0x04) {     /* NACA: ACA is not supported (SAM-5 5.9) */
		scsi_sense_field(t->cmd, true, (uint16_t)(cdb_len - 1), 2);
		return NULL;
	}
	return fn;
}

static void scsi__run(struct scsi_task *t)
{
	const struct scsi_op *op = NULL;
	if (t->nx->ua && !(t->dev->ops[t->cmd->cdb[0]].flags & SCSI_OP_UA_OK) && scsi__report_ua(t))
		return;
	scsi_handler_fn *fn = scsi__lookup(t, &op);
	if (!fn)
		return;
	if (spc_reservation_conflict(t, op)) {
		t->cmd->status = SAM_STAT_RESERVATION_CONFLICT;
		return;
	}
	if ((op->flags & SCSI_OP_MEDIUM) && t->drive && !t->drive->loaded) {
		scsi_sense(t->cmd, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	fn(t);
}

void scsi_exec(struct lib *lib, struct scsi_cmd *cmd)
{
	struct scsi_task t = {.lib = lib, .cmd = cmd};
	cmd->status = SAM_STAT_GOOD;
	cmd->sense_len = 0;
	cmd->data_in_len = 0;
	cmd->implied_len = 0;

	t.lu = lib_lu(lib, cmd->lun);
	if (!t.lu) {
		scsi__no_lun(&t);
		return;
	}
	t.drive = lib_drive_of_lu(lib, cmd->lun);
	t.dev = t.drive ? &ssc_devtype : &smc_devtype;

	pthread_mutex_lock(&t.lu->lock);
	t.nx = lib_nexus_get(t.lu, &cmd->nexus);
	if (!t.nx)  /* out of memory for a new nexus: tell the initiator to retry later */
		cmd->status = SAM_STAT_BUSY;
	else
		scsi__run(&t);
	pthread_mutex_unlock(&t.lu->lock);
}

void scsi_no_such_lun(struct scsi_cmd *cmd)
{
	cmd->data_in_len = 0;
	scsi_sense(cmd, SENSE_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
}

void scsi_data_in(struct scsi_task *t, const void *buf, uint32_t len, uint32_t alloc_len)
{
	struct scsi_cmd *cmd = t->cmd;
	uint32_t n = len < alloc_len ? len : alloc_len;
	cmd->implied_len = n;
	if (n > cmd->data_in_cap)
		n = cmd->data_in_cap;
	if (n && cmd->data_in)
		memcpy(cmd->data_in, buf, n);
	cmd->data_in_len = cmd->data_in ? n : 0;
}

const uint8_t *scsi_data_out(struct scsi_task *t, uint32_t need)
{
	struct scsi_cmd *cmd = t->cmd;
	cmd->implied_len = need;
	if (need == 0)
		return cmd->data_out;
	if (cmd->data_out_len < need || !cmd->data_out) {
		/* the initiator's expected length is shorter than the CDB says (overflow):
		 * nothing is written from a partial buffer */
		scsi_sense(cmd, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
		return NULL;
	}
	return cmd->data_out;
}

void scsi_ascii(uint8_t *dst, size_t width, const char *src)
{
	size_t n = strnlen(src, width);
	memcpy(dst, src, n);
	memset(dst + n, ' ', width - n);
}

void scsi_lu_reset(struct lib *lib, uint64_t lun, const struct scsi_nexus *by)
{
	struct lib_lu *lu = lib_lu(lib, lun);
	if (!lu)
		return;
	pthread_mutex_lock(&lu->lock);
	/* SAM-5 6.3.3: a LU reset releases SPC-2 reservations (persistent ones stay) and
	 * establishes a unit attention for every other I_T nexus. */
	lu->reserved = false;
	lib_ua_raise(lu, LIB_UA_LU_RESET, by);
	pthread_mutex_unlock(&lu->lock);
}

void scsi_target_reset(struct lib *lib, const struct scsi_nexus *by)
{
	for (size_t i = 0; i < lib->n_lus; i++) {
		struct lib_lu *lu = &lib->lus[i];
		pthread_mutex_lock(&lu->lock);
		lu->reserved = false;
		lib_ua_raise(lu, LIB_UA_BUS_RESET, by);
		pthread_mutex_unlock(&lu->lock);
	}
}

void scsi_nexus_lost(struct lib *lib, const struct scsi_nexus *nexus)
{
	for (size_t i = 0; i < lib->n_lus; i++) {
		struct lib_lu *lu = &lib->lus[i];
		pthread_mutex_lock(&lu->lock);
		if (lu->reserved && scsi_nexus_equal(&lu->reserver, nexus))
			lu->reserved = false;
		lib_nexus_forget(lu, nexus);
		pthread_mutex_unlock(&lu->lock);
	}
}
