/* spc_resv.c - SPC-2 reservations (RESERVE(6)/(10), RELEASE(6)/(10), SPC-2 7.21-7.24)
 * and the reservation check the dispatcher runs before every handler.
 *
 * Rules, in the order spc_reservation_conflict() applies them:
 *  1. An SPC-2 reservation exists: PERSISTENT RESERVE IN/OUT conflict for every nexus,
 *     the holder included (SPC-3 5.6.1 / SPC-4 5.12.1); any other command conflicts for a
 *     nexus that is not the holder unless the table marks it SCSI_OP_CONFLICT_OK
 *     (INQUIRY, REPORT LUNS, REQUEST SENSE, RELEASE ...).
 *  2. A persistent reservation exists (SPC-4 5.12.1, table "SPC commands that are allowed
 *     in the presence of various reservations"): holders run everything; registered
 *     nexuses run everything under registrants-only and all-registrants types; anyone
 *     else runs SCSI_OP_CONFLICT_OK commands, plus SCSI_OP_PR_READ commands under the
 *     write exclusive types.
 *  RESERVE and RELEASE under persistent reservations follow SPC-4 5.12.3 ("Exceptions to
 *  SPC-2 RESERVE and RELEASE behavior") in their handlers.
 *
 * Third-party reservations (3RDPTY, LONGID) and SMC element reservations (ELEMENT) are not
 * supported: those bits are absent from the tables' CDB usage data, so spc__cdb_ok()
 * refuses them with INVALID FIELD IN CDB. Concurrency: all state is in struct lib_lu, under its lock. */
#include "node/scsi/spc_int.h"

static bool spc__is_pr_op(uint8_t op)
{
	return op == OP_PERSISTENT_RESERVE_IN || op == OP_PERSISTENT_RESERVE_OUT;
}

static bool spc__is_resv_op(uint8_t op)
{
	return op == OP_RESERVE_6 || op == OP_RESERVE_10 || op == OP_RELEASE_6 || op == OP_RELEASE_10;
}

bool spc_reservation_conflict(struct scsi_task *t, const struct scsi_op *op)
{
	const struct lib_lu *lu = t->lu;
	uint8_t opc = t->cmd->cdb[0];

	if (lu->reserved) {
		if (spc__is_pr_op(opc))
			return true;
		if (scsi_nexus_equal(&lu->reserver, &t->nx->nexus))
			return false;
		return !(op->flags & SCSI_OP_CONFLICT_OK);
	}
	if (!lu->pr_held || spc__is_resv_op(opc) || (op->flags & SCSI_OP_CONFLICT_OK))
		return false;
	if (spc__pr_is_holder(lu, t->nx))
		return false;
	if (t->nx->pr_registered && (spc__pr_type_reg_only(lu->pr_type) || spc__pr_type_all_reg(lu->pr_type)))
		return false;
	bool write_excl = lu->pr_type == PR_TYPE_WE || lu->pr_type == PR_TYPE_WE_RO ||
			  lu->pr_type == PR_TYPE_WE_AR;
	return !(write_excl && (op->flags & SCSI_OP_PR_READ));
}

/* SPC-4 5.12.3: with registrations present, RESERVE/RELEASE complete with GOOD and change
 * nothing for a reservation holder, or a registrant under a registrants-only or
 * all-registrants reservation; everyone else gets RESERVATION CONFLICT (SPC-2 5.5.1:
 * registrations make SPC-2 reservations conflict). Returns true when it answered. */
static bool spc__resv_under_pr(struct scsi_task *t)
{
	const struct lib_lu *lu = t->lu;
	bool any_reg = false;
	for (size_t i = 0; i < lu->n_nexus && !any_reg; i++)
		any_reg = lu->nexus[i].pr_registered;
	if (!any_reg && !lu->pr_held)
		return false;
	if (spc__pr_is_holder(lu, t->nx) ||
	    (t->nx->pr_registered && lu->pr_held &&
	     (spc__pr_type_reg_only(lu->pr_type) || spc__pr_type_all_reg(lu->pr_type))))
		scsi_good(t->cmd);
	else
		t->cmd->status = SAM_STAT_RESERVATION_CONFLICT;
	return true;
}

void spc_reserve(struct scsi_task *t)
{
	struct lib_lu *lu = t->lu;
	if (!spc__cdb_ok(t) || spc__resv_under_pr(t))
		return;
	if (lu->reserved && !scsi_nexus_equal(&lu->reserver, &t->nx->nexus)) {
		t->cmd->status = SAM_STAT_RESERVATION_CONFLICT;
		return;
	}
	lu->reserved = true;
	lu->reserver = t->nx->nexus;
	scsi_good(t->cmd);
}

void spc_release(struct scsi_task *t)
{
	struct lib_lu *lu = t->lu;
	if (!spc__cdb_ok(t) || spc__resv_under_pr(t))
		return;
	/* SPC-2 7.23: releasing a reservation held by another nexus, or none, is GOOD and
	 * changes nothing */
	if (lu->reserved && scsi_nexus_equal(&lu->reserver, &t->nx->nexus))
		lu->reserved = false;
	scsi_good(t->cmd);
}
