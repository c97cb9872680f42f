/* tmf.c - Task Management Function Request/Response (RFC 7143 11.5, 11.6).
 *
 * Tasks execute synchronously in the connection thread, so when a TMF is read the tasks
 * this connection can still affect are the queued ones (waiting for data or for their
 * CmdSN turn). Those are dropped here without a response, as aborted tasks get none
 * (TAS=0); then the backend is told, so it can reset its logical unit state and raise
 * unit attentions for other nexuses. Tasks of other sessions are the backend's business.
 *
 * ABORT TASK for a task that is not here (RFC 7143 11.5.1): if its RefCmdSN is inside
 * the CmdSN window and below the TMF's own CmdSN the command is still on its way; that
 * CmdSN is consumed now so the command is ignored when it arrives, and the answer is
 * "Function complete". Otherwise "Task does not exist". */
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

/* Drops the queued tasks of `lun` (or all with all_luns). */
static void tmf__drop_tasks(struct iscsi_conn *c, uint64_t lun, bool all_luns)
{
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++) {
		struct iscsi_task *t = &c->tasks[i];
		if (t->used && (all_luns || iscsi__lun_decode(t->lun_raw) == lun))
			iscsi__task_drop(c, t);
	}
}

static uint8_t tmf__abort_task(struct iscsi_conn *c, const struct iscsi_req *r)
{
	uint32_t rtt = r->w20, refcmdsn = r->w32;
	struct iscsi_task *t = iscsi__task_find(c, rtt);
	if (t) {
		iscsi__task_drop(c, t);
		return ISCSI_TMF_RSP_COMPLETE;
	}
	if (iscsi__cmdsn_in_window(c, refcmdsn) && iscsi__sn_lt(refcmdsn, r->cmdsn)) {
		iscsi__cmdsn_consume(c, refcmdsn);
		iscsi__ignore_itt(c, rtt);
		return ISCSI_TMF_RSP_COMPLETE;
	}
	return ISCSI_TMF_RSP_NO_TASK;
}

static uint8_t tmf__backend(struct iscsi_conn *c, enum iscsi_tmf_fn fn, uint64_t lun)
{
	if (!c->srv->be.tmf)
		return ISCSI_TMF_RSP_NOT_SUPPORTED;
	int rsp = c->srv->be.tmf(c->srv->be.arg, c->target, fn, lun, &c->nexus);
	return rsp >= 0 && rsp <= 255 ? (uint8_t)rsp : ISCSI_TMF_RSP_REJECTED;
}

static uint8_t tmf__execute(struct iscsi_conn *c, const struct iscsi_req *r, uint8_t fn)
{
	uint64_t lun = iscsi__lun_decode(r->lun);
	switch (fn) {
	case ISCSI_TMF_ABORT_TASK:
		return tmf__abort_task(c, r);
	case ISCSI_TMF_ABORT_TASK_SET:
	case ISCSI_TMF_CLEAR_TASK_SET:
	case ISCSI_TMF_LOGICAL_UNIT_RESET:
		tmf__drop_tasks(c, lun, false);
		return tmf__backend(c, fn, lun);
	case ISCSI_TMF_TARGET_WARM_RESET:
		tmf__drop_tasks(c, 0, true);
		return tmf__backend(c, fn, lun);
	case ISCSI_TMF_CLEAR_ACA:
		return tmf__backend(c, fn, lun);
	case ISCSI_TMF_TASK_REASSIGN:
		return ISCSI_TMF_RSP_REASSIGN_UNSUPPORTED;   /* needs ErrorRecoveryLevel 2 */
	default:                                       /* TARGET COLD RESET, reserved codes */
		return ISCSI_TMF_RSP_NOT_SUPPORTED;
	}
}

int iscsi__on_tmf(struct iscsi_conn *c, const struct iscsi_req *r)
{
	int rc = iscsi__recv_ctl(c, r);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	uint8_t fn = r->flags & 0x7f;
	uint8_t rsp = tmf__execute(c, r, fn);
	if (!r->imm)
		iscsi__cmdsn_consume(c, r->cmdsn);

	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_TMF_RSP, ISCSI_FLAG_FINAL);
	bhs[2] = rsp;
	put_be32(bhs + 16, r->itt);
	iscsi__set_sn(c, bhs, true);
	vtl_log_ratelimited(LOG_INFO, "ISCSI_TMF", "peer=%s initiator=%s target=%s tsih=%u fn=%u "
			    "lun=%llu rtt=0x%08x response=%u", c->peer, c->nexus.initiator, c->target,
			    c->tsih, fn, (unsigned long long)iscsi__lun_decode(r->lun), r->w20, rsp);
	return iscsi__send_pdu(c, bhs, NULL, 0);
}
