/* login.c - the login phase of one connection (RFC 7143 6, 11.12-11.13).
 *
 *   stage:   (start) --CSG=0--> SECURITY --T,NSG=1--> OPERATIONAL --T,NSG=3--> FFP
 *                    \--CSG=1----------------------^   \___________T,NSG=3 from 0___^
 *
 * Invariants: every Login Request of one login carries the same ISID, TSIH and CID; the
 * request's CSG equals the current stage; T and C are never both set; NSG > CSG when T is
 * set. A request with C=1 is only accumulated (at most ISCSI_LOGIN_DSL_MAX bytes of text
 * in all) and answered with an empty response. Any violation ends the login with a Login
 * Response carrying the status and the connection is closed; after a failure nothing else
 * is read.
 *
 * Transitions: login__step() per complete request; login__finish() for the move to Full
 * Feature Phase (identity checks, session reinstatement, TSIH, parameters). Digests take
 * effect with the first PDU after the final Login Response (RFC 7143 13.1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

enum { STAGE_SECURITY = 0, STAGE_OPERATIONAL = 1, STAGE_FFP = 3, STAGE_NONE = -1 };

struct login {
	struct iscsi_neg neg;
	int stage;
	bool first_done;             /* first complete text processed (identity checked) */
	uint8_t isid[6];
	uint16_t tsih;
	uint16_t cid;
	uint32_t itt;
	uint32_t text_len;
	char text[ISCSI_LOGIN_DSL_MAX];
	char reply[ISCSI_LOGIN_DSL_MAX];
};

static void login__isid_str(const uint8_t isid[6], char out[13])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 6; i++) {
		out[2 * i] = hex[isid[i] >> 4];
		out[2 * i + 1] = hex[isid[i] & 15];
	}
	out[12] = '\0';
}

static int login__respond(struct iscsi_conn *c, const struct login *l, const struct iscsi_req *r,
			  uint8_t flags, uint16_t tsih, int status, const char *text, uint32_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_LOGIN_RSP, flags);
	bhs[2] = 0;                          /* VersionMax */
	bhs[3] = 0;                          /* VersionActive */
	memcpy(bhs + 8, l->isid, 6);
	put_be16(bhs + 14, tsih);
	put_be32(bhs + 16, r->itt);
	put_be32(bhs + 24, c->stat_sn++);
	put_be32(bhs + 28, c->exp_cmd_sn);
	put_be32(bhs + 32, c->max_cmd_sn);
	bhs[36] = (uint8_t)(status >> 8);
	bhs[37] = (uint8_t)status;
	return iscsi__send_pdu(c, bhs, text, len);
}

/* Ends the login with `status`; the caller closes the connection. */
static int login__fail(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r,
		       int status, const char *why)
{
	char isid[13];
	login__isid_str(l->isid, isid);
	iscsi__stat_add(c->srv, &c->srv->stats.login_failures);
	vtl_log_ratelimited(LOG_WARN, "ISCSI_LOGIN_FAIL", "peer=%s initiator=%s target=%s isid=%s "
			    "status=0x%04x reason=%s", c->peer,
			    l->neg.initiator[0] ? l->neg.initiator : "-",
			    l->neg.target[0] ? l->neg.target : "-", isid, status, why);
	uint8_t csg = l->stage == STAGE_NONE ? 0 : (uint8_t)l->stage;
	login__respond(c, l, r, (uint8_t)(csg << 2), 0, status, NULL, 0);
	return -EPROTO;
}

/* First PDU: remember the login's identity and take the initial sequence numbers. */
static int login__first(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	memcpy(l->isid, r->lun, 6);
	l->tsih = get_be16(r->lun + 6);
	l->cid = (uint16_t)(r->w20 >> 16);
	l->itt = r->itt;
	/* Login is immediate: CmdSN is not consumed; StatSN starts where the initiator
	 * expects it (RFC 7143 11.12.7-8) */
	c->exp_cmd_sn = r->cmdsn;
	c->max_cmd_sn = r->cmdsn + ISCSI_CMDSN_WINDOW - 1;
	c->stat_sn = r->expstatsn;
	if (r->b3 > 0)   /* VersionMin above the only version there is (0) */
		return login__fail(c, l, r, ISCSI_LOGIN_UNSUPPORTED_VERSION, "version");
	int csg = (r->flags >> 2) & 3;
	if (csg != STAGE_SECURITY && csg != STAGE_OPERATIONAL)
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "bad_csg");
	l->stage = csg;
	return 0;
}

static int login__check_flags(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	bool t = r->flags & ISCSI_LOGIN_TRANSIT, cont = r->flags & ISCSI_FLAG_CONT;
	int csg = (r->flags >> 2) & 3, nsg = r->flags & 3;
	if (memcmp(l->isid, r->lun, 6) != 0 || l->tsih != get_be16(r->lun + 6) ||
	    l->cid != (uint16_t)(r->w20 >> 16))
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "identity_changed");
	if (csg != l->stage || (t && cont))
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "bad_stage");
	if (t && (nsg <= csg || nsg == 2))
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "bad_nsg");
	return 0;
}

/* Identity rules of the leading login (RFC 7143 13.4-13.6) */
static int login__identity(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	struct iscsi_neg *n = &l->neg;
	if (!n->initiator[0])
		return login__fail(c, l, r, ISCSI_LOGIN_MISSING_PARAMETER, "no_initiator_name");
	if (n->type == ISCSI_SESSION_UNSET)
		n->type = ISCSI_SESSION_NORMAL;
	if (n->type == ISCSI_SESSION_NORMAL && !n->target[0])
		return login__fail(c, l, r, ISCSI_LOGIN_MISSING_PARAMETER, "no_target_name");
	if (n->type == ISCSI_SESSION_NORMAL &&
	    !c->srv->be.target_exists(c->srv->be.arg, n->target))
		return login__fail(c, l, r, ISCSI_LOGIN_NOT_FOUND, "unknown_target");
	l->first_done = true;
	return 0;
}

static int login__finish(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	iscsi__neg_finish(&l->neg);
	int st = iscsi__session_enter(c, &l->neg, l->tsih, l->isid, l->cid);
	if (st != ISCSI_LOGIN_OK)
		return login__fail(c, l, r, st, st == ISCSI_LOGIN_NO_SESSION ? "no_session" :
					 st == ISCSI_LOGIN_TOO_MANY_CONNECTIONS ? "max_connections" :
					 "reinstatement");
	c->p = l->neg.p;
	return 0;
}

static void login__enter_ffp(struct iscsi_conn *c, struct login *l)
{
	char isid[13];
	c->hdigest = c->p.header_digest;
	c->ddigest = c->p.data_digest;
	c->rx_max = c->p.mrdsl_target;
	c->state = ISCSI_CONN_FFP;
	login__isid_str(l->isid, isid);
	vtl_log_ratelimited(LOG_INFO, "ISCSI_LOGIN", "peer=%s initiator=%s target=%s isid=%s "
			    "tsih=%u type=%s hdigest=%s ddigest=%s mrdsl=%u/%u burst=%u/%u r2t=%s "
			    "imm=%s", c->peer, c->nexus.initiator, c->target[0] ? c->target : "-",
			    isid, c->tsih, c->type == ISCSI_SESSION_DISCOVERY ? "discovery" : "normal",
			    c->hdigest ? "crc32c" : "none", c->ddigest ? "crc32c" : "none",
			    c->p.mrdsl_initiator, c->p.mrdsl_target, c->p.first_burst, c->p.max_burst,
			    c->p.initial_r2t ? "yes" : "no", c->p.immediate_data ? "yes" : "no");
}

/* One complete request text (C=0): negotiate, check, maybe transit, respond.
 * Returns 0 to continue, 1 when Full Feature Phase is reached, <0 when the login failed. */
static int login__step(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	bool t = r->flags & ISCSI_LOGIN_TRANSIT;
	int nsg = r->flags & 3;
	struct iscsi_textbuf out;
	iscsi__tb_init(&out, l->reply, sizeof l->reply);

	int st = iscsi__neg_login(&l->neg, l->stage, l->text, l->text_len, &out);
	l->text_len = 0;
	if (st != ISCSI_LOGIN_OK)
		return login__fail(c, l, r, st, "negotiation");
	if (!l->first_done && login__identity(c, l, r) < 0)
		return -EPROTO;
	bool final = t && nsg == STAGE_FFP;
	iscsi__neg_declare(&l->neg, l->stage == STAGE_OPERATIONAL || final, &out);
	if (out.overflow)
		return login__fail(c, l, r, ISCSI_LOGIN_OUT_OF_RESOURCES, "reply_too_long");
	if (final && login__finish(c, l, r) < 0)
		return -EPROTO;
	uint8_t flags = (uint8_t)(l->stage << 2);
	if (t)
		flags |= ISCSI_LOGIN_TRANSIT | (uint8_t)nsg;
	int rc = login__respond(c, l, r, flags, final ? c->tsih : l->tsih, ISCSI_LOGIN_OK,
				l->reply, (uint32_t)out.len);
	if (rc < 0)
		return rc;
	if (final) {
		login__enter_ffp(c, l);
		return 1;
	}
	if (t)
		l->stage = nsg;
	return 0;
}

static int login__pdu(struct iscsi_conn *c, struct login *l, const struct iscsi_req *r)
{
	if (r->op != ISCSI_OP_LOGIN_REQ)
		return login__fail(c, l, r, ISCSI_LOGIN_INVALID_DURING_LOGIN, "not_a_login_pdu");
	if (l->stage == STAGE_NONE && login__first(c, l, r) < 0)
		return -EPROTO;
	if (r->ahs_len)
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "ahs");
	if (r->dsl > ISCSI_LOGIN_DSL_MAX - l->text_len)
		return login__fail(c, l, r, ISCSI_LOGIN_INITIATOR_ERROR, "text_too_long");
	if (login__check_flags(c, l, r) < 0)
		return -EPROTO;
	int rc = iscsi__recv_data(c, r->dsl, l->text + l->text_len);
	if (rc < 0)
		return rc;
	l->text_len += r->dsl;
	if (r->flags & ISCSI_FLAG_CONT) {
		/* more text follows: answer empty, same stage, no transit (RFC 7143 6.2.1) */
		return login__respond(c, l, r, (uint8_t)(l->stage << 2), l->tsih, ISCSI_LOGIN_OK,
				      NULL, 0);
	}
	return login__step(c, l, r);
}

int iscsi__login_run(struct iscsi_conn *c)
{
	struct login *l = calloc(1, sizeof *l);
	if (!l)
		return -ENOMEM;
	struct iscsi_config *cfg = &c->srv->cfg;
	iscsi__neg_init(&l->neg, cfg->max_recv_data_segment_length, cfg->max_burst_length,
			cfg->first_burst_length, cfg->tpgt);
	l->stage = STAGE_NONE;
	int rc = 0;
	while (rc == 0) {
		uint8_t bhs[ISCSI_BHS_LEN];
		struct iscsi_req r;
		rc = iscsi__recv_bhs(c, bhs);
		if (rc == -ETIMEDOUT) {
			/* a login must progress: no pings before Full Feature Phase */
			rc = iscsi__ms_since(&c->last_rx) > (long)(c->nop_idle_ms + c->nop_timeout_ms)
				     ? -ETIMEDOUT : 0;
			continue;
		}
		if (rc < 0)
			break;
		iscsi__req_parse(bhs, &r);
		rc = login__pdu(c, l, &r);
	}
	free(l);
	return rc == 1 ? 0 : rc;
}
