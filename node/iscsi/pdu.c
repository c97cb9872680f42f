/* pdu.c - BHS parsing and the pure helpers of pdu.h. */
#include "node/iscsi/pdu.h"

#include <string.h>

#include "common/rd.h"

void iscsi__req_parse(const uint8_t bhs[ISCSI_BHS_LEN], struct iscsi_req *r)
{
	struct rd rd = rd_init(bhs, ISCSI_BHS_LEN);
	uint8_t b0 = rd_u8(&rd);

	memcpy(r->raw, bhs, ISCSI_BHS_LEN);
	r->op = b0 & 0x3f;
	r->imm = (b0 & 0x40) != 0;
	r->flags = rd_u8(&rd);
	r->b2 = rd_u8(&rd);
	r->b3 = rd_u8(&rd);
	r->ahs_len = (uint32_t)rd_u8(&rd) * 4;
	r->dsl = rd_be24(&rd);
	memcpy(r->lun, rd_bytes(&rd, 8), 8);
	r->itt = rd_be32(&rd);
	r->w20 = rd_be32(&rd);
	r->cmdsn = rd_be32(&rd);
	r->expstatsn = rd_be32(&rd);
	const uint8_t *tail = rd_bytes(&rd, 16);   /* bytes 32..47 */
	memcpy(r->cdb, tail, 16);
	r->w32 = get_be32(tail);
	r->datasn = get_be32(tail + 4);
	r->offset = get_be32(tail + 8);
}

/* Opcodes an initiator may send in Full Feature Phase (RFC 7143 11.2.1.2). */
static const bool req__known[0x40] = {
	[ISCSI_OP_NOP_OUT] = true,  [ISCSI_OP_SCSI_CMD] = true,  [ISCSI_OP_TMF_REQ] = true,
	[ISCSI_OP_TEXT_REQ] = true, [ISCSI_OP_DATA_OUT] = true, [ISCSI_OP_LOGOUT_REQ] = true,
};

enum iscsi_verdict iscsi__req_check(const struct iscsi_req *r, uint32_t max_dsl, uint8_t *reason)
{
	/* A length beyond what we declared cannot be skipped safely: the peer is broken or
	 * hostile, and reading it would be what it wants (RFC 7143 13.12). */
	if (r->dsl > max_dsl) {
		*reason = ISCSI_REJECT_PROTOCOL;
		return ISCSI_PDU_DROP;
	}
	if (r->op == ISCSI_OP_SNACK_REQ) {
		/* ErrorRecoveryLevel 0: no SNACK support (RFC 7143 11.16) */
		*reason = ISCSI_REJECT_PROTOCOL;
		return ISCSI_PDU_REJECT;
	}
	if (r->op == ISCSI_OP_LOGIN_REQ) {
		*reason = ISCSI_REJECT_PROTOCOL;   /* a login on a logged-in connection */
		return ISCSI_PDU_REJECT;
	}
	if (!req__known[r->op]) {
		*reason = ISCSI_REJECT_CMD_NOT_SUPPORTED;
		return ISCSI_PDU_REJECT;
	}
	if (r->ahs_len && r->op != ISCSI_OP_SCSI_CMD) {
		*reason = ISCSI_REJECT_INVALID_FIELD;   /* TotalAHSLength MUST be 0 here */
		return ISCSI_PDU_REJECT;
	}
	return ISCSI_PDU_OK;
}

void iscsi__bhs_init(uint8_t bhs[ISCSI_BHS_LEN], uint8_t op, uint8_t flags)
{
	memset(bhs, 0, ISCSI_BHS_LEN);
	bhs[0] = op;
	bhs[1] = flags;
}

void iscsi__bhs_set_dsl(uint8_t bhs[ISCSI_BHS_LEN], uint32_t dsl)
{
	put_be24(bhs + 5, dsl);
}

uint64_t iscsi__lun_decode(const uint8_t lun[8])
{
	uint64_t raw = get_be64(lun);
	bool single_level = (raw & 0x0000FFFFFFFFFFFFull) == 0;

	if (single_level && (lun[0] >> 6) == 1)        /* flat space: 14 bits */
		return (uint64_t)(lun[0] & 0x3f) << 8 | lun[1];
	if (single_level && lun[0] == 0)               /* peripheral, bus 0 */
		return lun[1];
	return raw;
}

uint8_t iscsi__cdb_len(uint8_t opcode)
{
	static const uint8_t by_group[8] = {6, 10, 10, 16, 16, 12, 16, 16};
	return by_group[opcode >> 5];
}

struct iscsi_resid iscsi__residual(uint32_t expected, uint32_t transferred, uint32_t implied)
{
	struct iscsi_resid r = {0, 0};
	if (implied > expected) {
		r.flags = ISCSI_RESID_OVERFLOW;
		r.count = implied - expected;
	} else if (transferred < expected) {
		r.flags = ISCSI_RESID_UNDERFLOW;
		r.count = expected - transferred;
	}
	return r;
}

void iscsi__sense(uint8_t sense[ISCSI_SENSE_LEN], uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(sense, 0, ISCSI_SENSE_LEN);
	sense[0] = 0x70;                          /* current error, fixed format */
	sense[2] = key & 0x0f;
	sense[7] = ISCSI_SENSE_LEN - 8;           /* additional sense length */
	sense[12] = asc;
	sense[13] = ascq;
}
