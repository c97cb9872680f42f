/* ffp.c - Full Feature Phase of one connection: the receive loop, dispatch by opcode,
 * CmdSN windowing, NOP-Out/NOP-In (both directions), Logout and Reject.
 *
 * CmdSN (RFC 7143 4.2.2): ExpCmdSN is the next CmdSN expected. A non-immediate PDU with
 * CmdSN == ExpCmdSN advances it; one further inside the window is remembered (`ahead`,
 * or a queued task) until the gap closes; anything outside [ExpCmdSN, MaxCmdSN] is
 * ignored silently. MaxCmdSN = ExpCmdSN - 1 + window - queued non-immediate tasks, never
 * lowered, so at most ISCSI_CMDSN_WINDOW commands wait at once. Immediate PDUs carry the
 * current CmdSN and do not advance it.
 *
 * Handlers consume their PDU's data segment and return 0 to go on, 1 after a Logout
 * Response (close), or <0 to drop the connection. After each PDU the command pump runs
 * whatever became ready (cmd.c). */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

void iscsi__set_sn(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN], bool advance_statsn)
{
	put_be32(bhs + 24, advance_statsn ? c->stat_sn++ : c->stat_sn);
	put_be32(bhs + 28, c->exp_cmd_sn);
	put_be32(bhs + 32, c->max_cmd_sn);
}

uint32_t iscsi__new_ttt(struct iscsi_conn *c)
{
	uint32_t t = ++c->next_ttt;
	if (t == ISCSI_TAG_RESERVED)
		t = ++c->next_ttt;
	return t;
}

void iscsi__ignore_itt(struct iscsi_conn *c, uint32_t itt)
{
	c->ignore[c->ignore_next++ % ISCSI_IGNORE_MAX] = itt;
}

bool iscsi__ignored_itt(const struct iscsi_conn *c, uint32_t itt)
{
	unsigned n = c->ignore_next < ISCSI_IGNORE_MAX ? c->ignore_next : ISCSI_IGNORE_MAX;
	for (unsigned i = 0; i < n; i++)
		if (c->ignore[i] == itt)
			return true;
	return false;
}

bool iscsi__cmdsn_in_window(const struct iscsi_conn *c, uint32_t cmdsn)
{
	return iscsi__sn_le(c->exp_cmd_sn, cmdsn) && iscsi__sn_le(cmdsn, c->max_cmd_sn);
}

bool iscsi__cmdsn_ahead(const struct iscsi_conn *c, uint32_t cmdsn)
{
	for (unsigned i = 0; i < c->nahead; i++)
		if (c->ahead[i] == cmdsn)
			return true;
	return false;
}

static bool ffp__queued_cmdsn(const struct iscsi_conn *c, uint32_t cmdsn)
{
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		if (c->tasks[i].used && !c->tasks[i].imm && c->tasks[i].cmdsn == cmdsn)
			return true;
	return false;
}

void iscsi__window_update(struct iscsi_conn *c)
{
	unsigned queued = 0;
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		queued += c->tasks[i].used && !c->tasks[i].imm;
	uint32_t max = c->exp_cmd_sn + ISCSI_CMDSN_WINDOW - 1 - queued;
	if (iscsi__sn_lt(c->max_cmd_sn, max))
		c->max_cmd_sn = max;
}

void iscsi__cmdsn_consume(struct iscsi_conn *c, uint32_t cmdsn)
{
	if (cmdsn != c->exp_cmd_sn) {
		if (iscsi__cmdsn_in_window(c, cmdsn) && !iscsi__cmdsn_ahead(c, cmdsn) &&
		    c->nahead < ISCSI_CMDSN_WINDOW)
			c->ahead[c->nahead++] = cmdsn;
		return;
	}
	c->exp_cmd_sn++;
	/* close the gap over CmdSNs that arrived early */
	for (bool moved = true; moved;) {
		moved = false;
		for (unsigned i = 0; i < c->nahead; i++) {
			if (c->ahead[i] == c->exp_cmd_sn) {
				c->ahead[i] = c->ahead[--c->nahead];
				c->exp_cmd_sn++;
				moved = true;
			}
		}
		if (ffp__queued_cmdsn(c, c->exp_cmd_sn)) {
			c->exp_cmd_sn++;
			moved = true;
		}
	}
	iscsi__window_update(c);
}

int iscsi__send_reject(struct iscsi_conn *c, const struct iscsi_req *r, uint8_t reason)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_REJECT, ISCSI_FLAG_FINAL);
	bhs[2] = reason;
	put_be32(bhs + 16, ISCSI_TAG_RESERVED);
	iscsi__set_sn(c, bhs, true);
	iscsi__stat_add(c->srv, &c->srv->stats.rejects);
	vtl_log_ratelimited(LOG_WARN, "ISCSI_REJECT", "peer=%s initiator=%s tsih=%u opcode=0x%02x "
			    "itt=0x%08x reason=0x%02x", c->peer, c->nexus.initiator, c->tsih, r->op,
			    r->itt, reason);
	/* the data segment is the rejected PDU's header (RFC 7143 11.17) */
	return iscsi__send_pdu(c, bhs, r->raw, ISCSI_BHS_LEN);
}

/* Reads a control PDU's data into the scratch buffer. A data digest error is answered
 * with Reject and the PDU is dropped (RFC 7143 7.8): returns 1 then. */
int iscsi__recv_ctl(struct iscsi_conn *c, const struct iscsi_req *r)
{
	int rc = iscsi__recv_data(c, r->dsl, c->scratch.p);
	if (rc == -EILSEQ) {
		rc = iscsi__send_reject(c, r, ISCSI_REJECT_DATA_DIGEST);
		return rc < 0 ? rc : 1;
	}
	return rc;
}

static int ffp__on_nop_out(struct iscsi_conn *c, const struct iscsi_req *r)
{
	int rc = iscsi__recv_ctl(c, r);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!r->imm)
		iscsi__cmdsn_consume(c, r->cmdsn);
	if (r->itt == ISCSI_TAG_RESERVED) {
		/* an answer to our ping, or a ping that wants no answer (RFC 7143 11.18) */
		if (c->ping_out && r->w20 == c->ping_ttt)
			c->ping_out = false;
		return 0;
	}
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_NOP_IN, ISCSI_FLAG_FINAL);
	memcpy(bhs + 8, r->lun, 8);
	put_be32(bhs + 16, r->itt);
	put_be32(bhs + 20, ISCSI_TAG_RESERVED);
	iscsi__set_sn(c, bhs, true);
	/* echo the ping data, bounded by what the initiator can receive */
	uint32_t len = r->dsl < c->p.mrdsl_initiator ? r->dsl : c->p.mrdsl_initiator;
	return iscsi__send_pdu(c, bhs, c->scratch.p, len);
}

static int ffp__on_logout(struct iscsi_conn *c, const struct iscsi_req *r)
{
	int rc = iscsi__recv_ctl(c, r);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!r->imm)
		iscsi__cmdsn_consume(c, r->cmdsn);
	uint8_t reason = r->flags & 0x7f;
	uint16_t cid = (uint16_t)(r->w20 >> 16);
	uint8_t response = 0;                 /* closed successfully */
	if (reason == 2)
		response = 2;                 /* connection recovery: not at ERL 0 */
	else if (reason == 1 && cid != c->cid)
		response = 1;                 /* CID not found */
	else if (reason > 2)
		return iscsi__send_reject(c, r, ISCSI_REJECT_INVALID_FIELD);

	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_LOGOUT_RSP, ISCSI_FLAG_FINAL);
	bhs[2] = response;
	put_be32(bhs + 16, r->itt);
	iscsi__set_sn(c, bhs, true);
	put_be16(bhs + 40, 0);                /* Time2Wait */
	put_be16(bhs + 42, 0);                /* Time2Retain: nothing is kept at ERL 0 */
	if (response != 0)
		return iscsi__send_pdu(c, bhs, NULL, 0);
	iscsi__tasks_fini(c);                 /* tasks still waiting for data end here */
	rc = iscsi__send_pdu(c, bhs, NULL, 0);
	iscsi__stat_add(c->srv, &c->srv->stats.logouts);
	vtl_log_ratelimited(LOG_INFO, "ISCSI_LOGOUT", "peer=%s initiator=%s target=%s tsih=%u "
			    "reason=%u", c->peer, c->nexus.initiator, c->target[0] ? c->target : "-",
			    c->tsih, reason);
	c->state = ISCSI_CONN_LOGOUT;
	return rc < 0 ? rc : 1;
}

typedef int (*ffp_handler)(struct iscsi_conn *, const struct iscsi_req *);
static const ffp_handler ffp__handlers[0x40] = {
	[ISCSI_OP_NOP_OUT] = ffp__on_nop_out,
	[ISCSI_OP_SCSI_CMD] = iscsi__on_scsi_cmd,
	[ISCSI_OP_TMF_REQ] = iscsi__on_tmf,
	[ISCSI_OP_TEXT_REQ] = iscsi__on_text,
	[ISCSI_OP_DATA_OUT] = iscsi__on_data_out,
	[ISCSI_OP_LOGOUT_REQ] = ffp__on_logout,
};

/* Discovery sessions carry only Text, NOP and Logout (RFC 7143 4.3). */
static bool ffp__allowed(const struct iscsi_conn *c, uint8_t op)
{
	return c->type != ISCSI_SESSION_DISCOVERY || op == ISCSI_OP_TEXT_REQ ||
	       op == ISCSI_OP_NOP_OUT || op == ISCSI_OP_LOGOUT_REQ;
}

static int ffp__pdu(struct iscsi_conn *c, const uint8_t bhs[ISCSI_BHS_LEN])
{
	struct iscsi_req r;
	uint8_t reason = 0;
	iscsi__req_parse(bhs, &r);
	/* ExpStatSN acknowledges our responses; at ERL 0 nothing is kept for resending, so it
	 * is only recorded (a StatSN the initiator claims to expect beyond ours is logged) */
	if (iscsi__sn_lt(c->stat_sn, r.expstatsn))
		vtl_log_ratelimited(LOG_DEBUG, "ISCSI_EXPSTATSN_AHEAD", "peer=%s statsn=%u "
				    "expstatsn=%u", c->peer, c->stat_sn, r.expstatsn);
	c->exp_stat_sn = r.expstatsn;
	enum iscsi_verdict v = iscsi__req_check(&r, c->rx_max, &reason);
	if (v == ISCSI_PDU_OK && !ffp__allowed(c, r.op)) {
		v = ISCSI_PDU_REJECT;
		reason = ISCSI_REJECT_PROTOCOL;
	}
	if (v == ISCSI_PDU_DROP) {
		iscsi__send_reject(c, &r, reason);
		return -EPROTO;
	}
	if (v == ISCSI_PDU_REJECT) {
		int rc = iscsi__recv_discard(c, r.dsl);
		return rc < 0 ? rc : iscsi__send_reject(c, &r, reason);
	}
	return ffp__handlers[r.op](c, &r);
}

/* No PDU for a while: ping the initiator, or give up on it (RFC 7143 11.19). */
static int ffp__idle(struct iscsi_conn *c)
{
	/* any PDU since the ping proves the initiator alive */
	if (c->ping_out && iscsi__ms_since(&c->last_rx) < iscsi__ms_since(&c->ping_at))
		c->ping_out = false;
	if (c->ping_out)
		return iscsi__ms_since(&c->ping_at) >= (long)c->nop_timeout_ms ? -ETIMEDOUT : 0;
	if (iscsi__ms_since(&c->last_rx) < (long)c->nop_idle_ms)
		return 0;
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_NOP_IN, ISCSI_FLAG_FINAL);
	c->ping_ttt = iscsi__new_ttt(c);
	put_be32(bhs + 16, ISCSI_TAG_RESERVED);
	put_be32(bhs + 20, c->ping_ttt);
	iscsi__set_sn(c, bhs, false);   /* ITT reserved: StatSN not advanced */
	c->ping_out = true;
	iscsi__now(&c->ping_at);
	return iscsi__send_pdu(c, bhs, NULL, 0);
}

int iscsi__ffp_run(struct iscsi_conn *c)
{
	int rc = iscsi__buf_reserve(&c->scratch, c->rx_max);
	iscsi__window_update(c);
	while (rc == 0) {
		uint8_t bhs[ISCSI_BHS_LEN];
		rc = iscsi__recv_bhs(c, bhs);
		if (rc == -ETIMEDOUT) {
			rc = ffp__idle(c);
			continue;
		}
		if (rc == -EBADMSG) {
			/* a header digest error leaves no trustworthy length: close (RFC 7143 7.8) */
			vtl_log_ratelimited(LOG_WARN, "ISCSI_HEADER_DIGEST", "peer=%s initiator=%s "
					    "tsih=%u", c->peer, c->nexus.initiator, c->tsih);
			break;
		}
		if (rc < 0)
			break;
		rc = ffp__pdu(c, bhs);
		if (rc == 0)
			rc = iscsi__cmd_pump(c);
	}
	return rc == 1 ? 0 : rc;
}
