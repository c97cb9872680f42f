/* text_req.c - Text Request/Response in Full Feature Phase (RFC 7143 11.10-11.11) and
 * SendTargets (RFC 7143 Appendix C).
 *
 * Long texts both ways use continuation: a request part with C=1 is answered by an empty
 * response carrying a Target Transfer Tag the initiator quotes in the next part; an
 * answer longer than the initiator's MaxRecvDataSegmentLength goes out in parts with C=1
 * and a TTT, each part requested by an empty Text Request quoting that TTT. A request
 * with TTT 0xffffffff starts over and forgets any pending exchange.
 *
 * Runs in the connection thread. backend->target_list is called without locks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"
#include "node/iscsi/text.h"

/* Keys that only make sense during login: answered Reject in Full Feature Phase. */
static const char *const text__login_only[] = {
	"HeaderDigest", "DataDigest", "MaxConnections", "InitialR2T", "ImmediateData",
	"MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait", "DefaultTime2Retain",
	"MaxOutstandingR2T", "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel",
	"SessionType", "InitiatorName", "TargetName", "InitiatorAlias", "AuthMethod",
};

void iscsi__text_fini(struct iscsi_conn *c)
{
	free(c->text_in.p);
	free(c->text_out.p);
	c->text_in = (struct iscsi_buf){NULL, 0};
	c->text_out = (struct iscsi_buf){NULL, 0};
	c->text_in_len = c->text_out_len = c->text_out_off = 0;
	c->text_in_ttt = c->text_out_ttt = ISCSI_TAG_RESERVED;
}

/* Appends key=value\0 to the pending answer; false once ISCSI_TEXT_OUT_MAX is reached. */
static bool text__put(struct iscsi_conn *c, const char *key, size_t klen, const char *val)
{
	size_t vlen = strlen(val), need = klen + vlen + 2;
	if (need > ISCSI_TEXT_OUT_MAX - c->text_out_len)
		return false;
	uint32_t want = c->text_out_len + (uint32_t)need;
	if (want > c->text_out.cap) {
		uint32_t cap = c->text_out.cap ? c->text_out.cap * 2 : 4096;
		while (cap < want)
			cap *= 2;
		if (iscsi__buf_reserve(&c->text_out, cap < ISCSI_TEXT_OUT_MAX ? cap : ISCSI_TEXT_OUT_MAX) < 0)
			return false;
	}
	char *w = (char *)c->text_out.p + c->text_out_len;
	memcpy(w, key, klen);
	w[klen] = '=';
	memcpy(w + klen + 1, val, vlen);
	w[klen + 1 + vlen] = '\0';
	c->text_out_len += (uint32_t)need;
	return true;
}

struct text_st {
	struct iscsi_conn *c;
	const char *only;            /* a single target name, or NULL for all */
	bool full;
};

/* One target record: TargetName, then the address this connection arrived on. */
static void text__emit(void *ctx, const char *target)
{
	struct text_st *st = ctx;
	char addr[sizeof st->c->portal + 8];
	if (st->full || (st->only && strcmp(st->only, target) != 0))
		return;
	snprintf(addr, sizeof addr, "%s,%u", st->c->portal, st->c->srv->cfg.tpgt);
	if (!text__put(st->c, "TargetName", 10, target) ||
	    !text__put(st->c, "TargetAddress", 13, addr)) {
		st->full = true;
		vtl_log_ratelimited(LOG_WARN, "ISCSI_SENDTARGETS_TRUNCATED", "peer=%s limit=%u",
				    st->c->peer, ISCSI_TEXT_OUT_MAX);
	}
}

static void text__sendtargets(struct iscsi_conn *c, const struct iscsi_kv *kv)
{
	struct iscsi_server *srv = c->srv;
	struct text_st st = {c, NULL, false};
	char name[SCSI_NAME_MAX];
	if (iscsi__kv_val_is(kv, "All")) {
		/* All: Discovery sessions only (RFC 7143 Appendix C) */
		if (c->type != ISCSI_SESSION_DISCOVERY) {
			text__put(c, kv->key, kv->klen, "Reject");
			return;
		}
		srv->be.target_list(srv->be.arg, text__emit, &st);
	} else if (kv->vlen == 0) {
		if (c->type == ISCSI_SESSION_NORMAL)
			text__emit(&st, c->target);   /* the session's own target */
	} else if (iscsi__kv_str(kv, name, sizeof name) == 0 &&
		   srv->be.target_exists(srv->be.arg, name)) {
		text__emit(&st, name);
	}
}

static bool text__is_login_key(const struct iscsi_kv *kv)
{
	for (size_t i = 0; i < sizeof text__login_only / sizeof text__login_only[0]; i++)
		if (iscsi__kv_key_is(kv, text__login_only[i]))
			return true;
	return false;
}

/* Builds the answer to a complete request; -EINVAL for malformed text. */
static int text__answer(struct iscsi_conn *c)
{
	size_t pos = 0;
	struct iscsi_kv kv;
	int rc;
	c->text_out_len = 0;
	c->text_out_off = 0;
	while ((rc = iscsi__kv_next((const char *)c->text_in.p, c->text_in_len, &pos, &kv)) > 0) {
		uint64_t v;
		if (iscsi__kv_key_is(&kv, "SendTargets")) {
			text__sendtargets(c, &kv);
		} else if (iscsi__kv_key_is(&kv, "MaxRecvDataSegmentLength")) {
			/* declarative, and allowed in Full Feature Phase (RFC 7143 13.12) */
			if (iscsi__kv_num(&kv, &v) == 0 && v >= 512 && v <= 16777215)
				c->p.mrdsl_initiator = (uint32_t)v;
			else
				text__put(c, kv.key, kv.klen, "Reject");
		} else {
			text__put(c, kv.key, kv.klen, text__is_login_key(&kv) ? "Reject" : "NotUnderstood");
		}
	}
	return rc;
}

static int text__respond(struct iscsi_conn *c, const struct iscsi_req *r, uint8_t flags,
			 uint32_t ttt, const void *data, uint32_t len)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_TEXT_RSP, flags);
	memcpy(bhs + 8, r->lun, 8);
	put_be32(bhs + 16, r->itt);
	put_be32(bhs + 20, ttt);
	iscsi__set_sn(c, bhs, true);
	return iscsi__send_pdu(c, bhs, data, len);
}

/* Sends the next part of the pending answer. */
static int text__next_part(struct iscsi_conn *c, const struct iscsi_req *r)
{
	uint32_t max = c->p.mrdsl_initiator & ~3u;
	uint32_t left = c->text_out_len - c->text_out_off;
	uint32_t len = left < max ? left : max;
	bool last = len == left;
	if (!last && c->text_out_ttt == ISCSI_TAG_RESERVED)
		c->text_out_ttt = iscsi__new_ttt(c);
	uint32_t ttt = last ? ISCSI_TAG_RESERVED : c->text_out_ttt;
	const uint8_t *p = c->text_out.p ? c->text_out.p + c->text_out_off : NULL;
	c->text_out_off += len;
	if (last)
		c->text_out_ttt = ISCSI_TAG_RESERVED;
	return text__respond(c, r, last ? ISCSI_FLAG_FINAL : ISCSI_FLAG_CONT, ttt, p, len);
}

/* Adds this request part to the accumulated request text. */
static int text__gather(struct iscsi_conn *c, const struct iscsi_req *r)
{
	if (r->dsl > ISCSI_TEXT_IN_MAX - c->text_in_len)
		return -E2BIG;
	if (iscsi__buf_reserve(&c->text_in, c->text_in_len + r->dsl + 1) < 0)
		return -ENOMEM;
	memcpy(c->text_in.p + c->text_in_len, c->scratch.p, r->dsl);
	c->text_in_len += r->dsl;
	return 0;
}

int iscsi__on_text(struct iscsi_conn *c, const struct iscsi_req *r)
{
	int rc = iscsi__recv_ctl(c, r);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (!r->imm)
		iscsi__cmdsn_consume(c, r->cmdsn);
	uint32_t ttt = r->w20;
	if (ttt != ISCSI_TAG_RESERVED && ttt == c->text_out_ttt)
		return text__next_part(c, r);
	if (ttt != ISCSI_TAG_RESERVED && ttt != c->text_in_ttt)
		return iscsi__send_reject(c, r, ISCSI_REJECT_INVALID_FIELD);
	if (ttt == ISCSI_TAG_RESERVED) {
		c->text_in_len = 0;           /* a new exchange */
		c->text_out_ttt = ISCSI_TAG_RESERVED;
	}
	c->text_in_ttt = ISCSI_TAG_RESERVED;
	if (text__gather(c, r) < 0) {
		c->text_in_len = 0;
		return iscsi__send_reject(c, r, ISCSI_REJECT_OUT_OF_RESOURCES);
	}
	if (r->flags & ISCSI_FLAG_CONT) {
		c->text_in_ttt = iscsi__new_ttt(c);
		return text__respond(c, r, 0, c->text_in_ttt, NULL, 0);
	}
	rc = text__answer(c);
	c->text_in_len = 0;
	if (rc < 0)
		return iscsi__send_reject(c, r, ISCSI_REJECT_INVALID_FIELD);
	return text__next_part(c, r);
}
