/* exec.c - runs one ready task through the backend and answers it: Data-In PDUs sized by
 * the initiator's MaxRecvDataSegmentLength, with status in the last one when the command
 * ended GOOD without sense (phase collapse, RFC 7143 11.7.4), otherwise a SCSI Response
 * carrying status, sense and residuals (RFC 7143 11.4).
 *
 * Runs in the connection thread; backend->exec is called synchronously with no lock held.
 * Data-In payload is sent from the backend's buffer with sendmsg, never copied. */
#include <stdlib.h>
#include <string.h>

#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

/* What is left of a task once its slot is released. */
struct exec_done {
	uint32_t itt;
	uint8_t lun[8];
	uint32_t expdatasn;          /* R2Ts (writes) or Data-In PDUs (reads) sent */
};

static int exec__respond(struct iscsi_conn *c, const struct exec_done *d, uint8_t status,
			 const uint8_t *sense, uint8_t sense_len, struct iscsi_resid resid)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t data[2 + SCSI_SENSE_MAX];
	iscsi__bhs_init(bhs, ISCSI_OP_SCSI_RSP, ISCSI_FLAG_FINAL | resid.flags);
	bhs[2] = 0x00;                        /* command completed at target */
	bhs[3] = status;
	put_be32(bhs + 16, d->itt);
	iscsi__set_sn(c, bhs, true);
	put_be32(bhs + 36, d->expdatasn);
	put_be32(bhs + 44, resid.count);
	uint32_t len = 0;
	if (sense_len) {
		/* SenseLength, then the sense bytes (RFC 7143 11.4.7.2) */
		put_be16(data, sense_len);
		memcpy(data + 2, sense, sense_len);
		len = 2u + sense_len;
	}
	return iscsi__send_pdu(c, bhs, data, len);
}

static int exec__data_in(struct iscsi_conn *c, struct exec_done *d, const struct scsi_cmd *cmd,
			 bool collapse, struct iscsi_resid resid)
{
	/* a PDU's padded length must fit the initiator's limit, so keep chunks 4-aligned */
	uint32_t pdu_max = c->p.mrdsl_initiator & ~3u;
	uint32_t total = cmd->data_in_len, off = 0, in_seq = 0;
	while (off < total) {
		uint32_t len = total - off;
		if (len > pdu_max)
			len = pdu_max;
		if (len > c->p.max_burst - in_seq)
			len = c->p.max_burst - in_seq;
		bool last = off + len == total;
		bool seq_end = last || in_seq + len == c->p.max_burst;   /* MaxBurstLength per sequence */
		uint8_t bhs[ISCSI_BHS_LEN];
		iscsi__bhs_init(bhs, ISCSI_OP_DATA_IN, seq_end ? ISCSI_FLAG_FINAL : 0);
		memcpy(bhs + 8, d->lun, 8);
		put_be32(bhs + 16, d->itt);
		put_be32(bhs + 20, ISCSI_TAG_RESERVED);
		if (last && collapse) {
			bhs[1] |= ISCSI_DATA_STATUS | resid.flags;
			bhs[3] = cmd->status;
			iscsi__set_sn(c, bhs, true);
			put_be32(bhs + 44, resid.count);
		} else {
			iscsi__set_sn(c, bhs, false);
			put_be32(bhs + 24, 0);   /* StatSN is reserved without the S bit */
		}
		put_be32(bhs + 36, d->expdatasn++);
		put_be32(bhs + 40, off);
		int rc = iscsi__send_pdu(c, bhs, cmd->data_in + off, len);
		if (rc < 0)
			return rc;
		off += len;
		in_seq = seq_end ? 0 : in_seq + len;
	}
	return 0;
}

/* Conditions the transport answers itself (RFC 7143 11.4.7.2, SPC-4 sense codes). */
static void exec__fail_sense(uint8_t fail, uint8_t *status, uint8_t sense[ISCSI_SENSE_LEN],
			     uint8_t *sense_len)
{
	*status = SAM_STAT_CHECK_CONDITION;
	*sense_len = ISCSI_SENSE_LEN;
	switch (fail) {
	case ISCSI_FAIL_UNSOLICITED:   /* ABORTED COMMAND, unexpected unsolicited data */
		iscsi__sense(sense, 0x0b, 0x0c, 0x0c);
		break;
	case ISCSI_FAIL_DIGEST:        /* ABORTED COMMAND, protocol service CRC error */
		iscsi__sense(sense, 0x0b, 0x47, 0x05);
		break;
	case ISCSI_FAIL_TOO_BIG:       /* ILLEGAL REQUEST, invalid field in CDB */
		iscsi__sense(sense, 0x05, 0x24, 0x00);
		break;
	default:                       /* no buffer for the data */
		*status = SAM_STAT_BUSY;
		*sense_len = 0;
		break;
	}
}

static void exec__request(struct iscsi_conn *c, const struct iscsi_task *t, uint32_t cap)
{
	struct scsi_cmd *cmd = &c->cmd;
	memset(cmd, 0, sizeof *cmd);
	cmd->nexus = c->nexus;
	cmd->lun = iscsi__lun_decode(t->lun_raw);
	memcpy(cmd->cdb, t->cdb, SCSI_CDB_MAX);
	cmd->cdb_len = iscsi__cdb_len(t->cdb[0]);
	cmd->task_attr = t->attr <= SCSI_TASK_ACA ? t->attr : SCSI_TASK_SIMPLE;
	cmd->dir = t->dir;
	cmd->expected_len = t->edtl;
	cmd->data_out = t->dir == SCSI_DIR_WRITE ? t->buf.p : NULL;
	cmd->data_out_len = t->dir == SCSI_DIR_WRITE ? t->got : 0;
	cmd->data_in = c->din.p;
	cmd->data_in_cap = cap;
}

int iscsi__task_exec(struct iscsi_conn *c, struct iscsi_task *t)
{
	struct exec_done d = {.itt = t->itt, .expdatasn = t->r2tsn};
	struct scsi_cmd *cmd = &c->cmd;
	memcpy(d.lun, t->lun_raw, 8);
	uint32_t cap = t->dir == SCSI_DIR_READ ? (t->edtl < SCSI_XFER_MAX ? t->edtl : SCSI_XFER_MAX) : 0;
	/* the backend always gets a valid pointer, even for cap 0 */
	if (!t->fail && iscsi__buf_reserve(&c->din, cap ? cap : 4096) < 0)
		t->fail = ISCSI_FAIL_NO_MEMORY;
	if (t->fail) {
		uint8_t status, sense[ISCSI_SENSE_LEN], sense_len;
		exec__fail_sense(t->fail, &status, sense, &sense_len);
		struct iscsi_resid resid = iscsi__residual(t->edtl, 0, 0);
		iscsi__task_release(c, t);
		return exec__respond(c, &d, status, sense, sense_len, resid);
	}

	exec__request(c, t, cap);
	c->srv->be.exec(c->srv->be.arg, c->target, cmd);
	if (cmd->data_in_len > cap)
		cmd->data_in_len = cap;
	if (cmd->sense_len > SCSI_SENSE_MAX)
		cmd->sense_len = SCSI_SENSE_MAX;
	/* residuals as proto/scsi_cmd.h documents them */
	uint32_t moved = cmd->dir == SCSI_DIR_READ ? cmd->data_in_len : cmd->data_out_len;
	if (cmd->dir == SCSI_DIR_WRITE && cmd->implied_len && cmd->implied_len < moved)
		moved = cmd->implied_len;
	struct iscsi_resid resid = iscsi__residual(t->edtl, moved, cmd->implied_len);
	enum scsi_dir dir = t->dir;
	iscsi__task_release(c, t);   /* frees a window slot before MaxCmdSN goes out */

	int rc = 0;
	bool collapse = false;
	if (dir == SCSI_DIR_READ && cmd->data_in_len) {
		collapse = cmd->status == SAM_STAT_GOOD && cmd->sense_len == 0;
		d.expdatasn = 0;
		rc = exec__data_in(c, &d, cmd, collapse, resid);
	}
	if (rc == 0 && !collapse)
		rc = exec__respond(c, &d, cmd->status, cmd->sense, cmd->sense_len, resid);
	if (c->din.cap > ISCSI_KEEP_MAX) {
		/* an unusually large transfer: do not keep its buffer */
		free(c->din.p);
		c->din = (struct iscsi_buf){NULL, 0};
	}
	return rc;
}
