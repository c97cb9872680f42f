/* pdu.h - iSCSI PDU layout (RFC 7143 11): opcodes, the parsed Basic Header Segment of an
 * initiator PDU, the first validity checks, and the small pure helpers the transport
 * shares (serial-number arithmetic, LUN decoding, residuals, sense bytes).
 *
 * Everything here is pure (no socket, no allocation), so unit tests and the fuzz targets
 * call it directly. Concurrency: none needed. */
#ifndef VTL_NODE_ISCSI_PDU_H
#define VTL_NODE_ISCSI_PDU_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/scsi_cmd.h"

#define ISCSI_BHS_LEN 48
#define ISCSI_AHS_MAX (255 * 4)          /* TotalAHSLength is one byte of 4-byte words */
#define ISCSI_TAG_RESERVED 0xFFFFFFFFu   /* "no task" ITT/TTT value (RFC 7143 11.2.1.8) */
#define ISCSI_LOGIN_DSL_MAX 8192         /* before login completes (RFC 7143 13.12 default) */

enum iscsi_opcode {
	/* initiator */
	ISCSI_OP_NOP_OUT = 0x00,
	ISCSI_OP_SCSI_CMD = 0x01,
	ISCSI_OP_TMF_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03,
	ISCSI_OP_TEXT_REQ = 0x04,
	ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06,
	ISCSI_OP_SNACK_REQ = 0x10,
	/* target */
	ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21,
	ISCSI_OP_TMF_RSP = 0x22,
	ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24,
	ISCSI_OP_DATA_IN = 0x25,
	ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31,
	ISCSI_OP_ASYNC = 0x32,
	ISCSI_OP_REJECT = 0x3f,
};

/* Reject reasons (RFC 7143 11.17.1) */
enum iscsi_reject_reason {
	ISCSI_REJECT_DATA_DIGEST = 0x02,
	ISCSI_REJECT_SNACK = 0x03,
	ISCSI_REJECT_PROTOCOL = 0x04,
	ISCSI_REJECT_CMD_NOT_SUPPORTED = 0x05,
	ISCSI_REJECT_IMM_CMD = 0x06,
	ISCSI_REJECT_TASK_IN_PROGRESS = 0x07,
	ISCSI_REJECT_INVALID_DATA_ACK = 0x08,
	ISCSI_REJECT_INVALID_FIELD = 0x09,
	ISCSI_REJECT_OUT_OF_RESOURCES = 0x0a,
	ISCSI_REJECT_WAITING_LOGOUT = 0x0c,
};

/* Login status (RFC 7143 11.13.5): class << 8 | detail */
enum iscsi_login_status {
	ISCSI_LOGIN_OK = 0x0000,
	ISCSI_LOGIN_INITIATOR_ERROR = 0x0200,
	ISCSI_LOGIN_AUTH_FAILED = 0x0201,
	ISCSI_LOGIN_NOT_FOUND = 0x0203,
	ISCSI_LOGIN_UNSUPPORTED_VERSION = 0x0205,
	ISCSI_LOGIN_TOO_MANY_CONNECTIONS = 0x0206,
	ISCSI_LOGIN_MISSING_PARAMETER = 0x0207,
	ISCSI_LOGIN_CANT_INCLUDE = 0x0208,
	ISCSI_LOGIN_SESSION_TYPE = 0x0209,
	ISCSI_LOGIN_NO_SESSION = 0x020a,
	ISCSI_LOGIN_INVALID_DURING_LOGIN = 0x020b,
	ISCSI_LOGIN_TARGET_ERROR = 0x0300,
	ISCSI_LOGIN_UNAVAILABLE = 0x0301,
	ISCSI_LOGIN_OUT_OF_RESOURCES = 0x0302,
};

/* TMF responses (RFC 7143 11.6.1) */
enum iscsi_tmf_response {
	ISCSI_TMF_RSP_COMPLETE = 0,
	ISCSI_TMF_RSP_NO_TASK = 1,
	ISCSI_TMF_RSP_NO_LUN = 2,
	ISCSI_TMF_RSP_REASSIGN_UNSUPPORTED = 4,
	ISCSI_TMF_RSP_NOT_SUPPORTED = 5,
	ISCSI_TMF_RSP_REJECTED = 255,
};

/* Byte-1 flag bits */
#define ISCSI_FLAG_FINAL 0x80
#define ISCSI_FLAG_CONT 0x40      /* Text / Login C bit */
#define ISCSI_CMD_READ 0x40
#define ISCSI_CMD_WRITE 0x20
#define ISCSI_CMD_ATTR_MASK 0x07
#define ISCSI_LOGIN_TRANSIT 0x80
#define ISCSI_DATA_STATUS 0x01    /* Data-In S bit */
#define ISCSI_RESID_OVERFLOW 0x04
#define ISCSI_RESID_UNDERFLOW 0x02

/* An initiator PDU's Basic Header Segment. Initiator PDUs share one layout (RFC 7143
 * 11.2): the fields below are named for their usual meaning; each handler reads the ones
 * its opcode defines. */
struct iscsi_req {
	uint8_t op;
	bool imm;            /* I bit */
	uint8_t flags;       /* byte 1: F/R/W/ATTR, TMF function, logout reason, login T/C/CSG/NSG */
	uint8_t b2, b3;      /* login: VersionMax, VersionMin */
	uint32_t ahs_len;    /* bytes */
	uint32_t dsl;        /* DataSegmentLength */
	uint8_t lun[8];      /* login: ISID (6 bytes) + TSIH */
	uint32_t itt;
	uint32_t w20;        /* TTT; SCSI Command: EDTL; TMF: RTT; Login/Logout: CID << 16 */
	uint32_t cmdsn;      /* 24 (reserved in Data-Out) */
	uint32_t expstatsn;  /* 28 */
	uint32_t w32;        /* TMF: RefCmdSN */
	uint32_t datasn;     /* 36: Data-Out DataSN, TMF ExpDataSN */
	uint32_t offset;     /* 40: Data-Out Buffer Offset */
	uint8_t cdb[16];     /* SCSI Command: bytes 32..47 */
	uint8_t raw[ISCSI_BHS_LEN];
};

void iscsi__req_parse(const uint8_t bhs[ISCSI_BHS_LEN], struct iscsi_req *r);

/* What to do with a PDU before its data segment is read. */
enum iscsi_verdict {
	ISCSI_PDU_OK,        /* dispatch to the opcode's handler */
	ISCSI_PDU_REJECT,    /* read and drop its data, answer Reject(reason), carry on */
	ISCSI_PDU_DROP,      /* framing cannot be trusted: answer Reject(reason) and close */
};

/* First checks of an initiator PDU in Full Feature Phase: opcode known and allowed, AHS
 * only where defined, DataSegmentLength within `max_dsl` (our declared
 * MaxRecvDataSegmentLength). Sets *reason for REJECT/DROP. */
enum iscsi_verdict iscsi__req_check(const struct iscsi_req *r, uint32_t max_dsl, uint8_t *reason);

static inline uint32_t iscsi__pad4(uint32_t n)
{
	return (4 - (n & 3)) & 3;
}

/* Serial number arithmetic (RFC 1982, 32 bits), used for CmdSN windows (RFC 7143 4.2.2.1) */
static inline bool iscsi__sn_lt(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) < 0;
}

static inline bool iscsi__sn_le(uint32_t a, uint32_t b)
{
	return a == b || iscsi__sn_lt(a, b);
}

/* Zeroes a BHS and sets opcode and byte 1. */
void iscsi__bhs_init(uint8_t bhs[ISCSI_BHS_LEN], uint8_t op, uint8_t flags);
void iscsi__bhs_set_dsl(uint8_t bhs[ISCSI_BHS_LEN], uint32_t dsl);

/* SAM-5 4.7: peripheral (00b, bus 0) and flat (01b) single-level LUNs decode to their
 * number; anything else to the raw 64-bit value, which no backend serves. */
uint64_t iscsi__lun_decode(const uint8_t lun[8]);

/* CDB length from the group code of the operation code (SPC-4 4.2.5.1). */
uint8_t iscsi__cdb_len(uint8_t opcode);

/* Residual of a finished command (RFC 7143 11.4.5). `transferred` bytes moved, the
 * initiator expected `expected`, the CDB asked for `implied` (0 = unknown). Overflow
 * (the CDB wanted more than expected) wins over underflow. */
struct iscsi_resid {
	uint8_t flags;       /* ISCSI_RESID_OVERFLOW / ISCSI_RESID_UNDERFLOW / 0 */
	uint32_t count;
};
struct iscsi_resid iscsi__residual(uint32_t expected, uint32_t transferred, uint32_t implied);

/* Fixed-format sense (SPC-4 4.5.3) for conditions the transport detects itself. */
#define ISCSI_SENSE_LEN 18
void iscsi__sense(uint8_t sense[ISCSI_SENSE_LEN], uint8_t key, uint8_t asc, uint8_t ascq);

#endif
