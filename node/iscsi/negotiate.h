/* negotiate.h - login key negotiation (RFC 7143 6.2, 13), as a pure function: request
 * text and negotiation state in, reply text and updated state out. No sockets, so unit
 * tests and the login fuzz target drive it directly.
 *
 * Result functions per key: HeaderDigest/DataDigest pick the first of the initiator's
 * list we support; MaxConnections, MaxBurstLength, FirstBurstLength, DefaultTime2Retain,
 * MaxOutstandingR2T and ErrorRecoveryLevel take the minimum of offer and our limit;
 * DefaultTime2Wait the maximum; InitialR2T, DataPDUInOrder, DataSequenceInOrder are OR;
 * ImmediateData, IFMarker, OFMarker are AND; MaxRecvDataSegmentLength is declarative in
 * each direction. Keys not negotiated keep their RFC defaults.
 *
 * Concurrency: a struct iscsi_neg belongs to one login (one connection thread). */
#ifndef VTL_NODE_ISCSI_NEGOTIATE_H
#define VTL_NODE_ISCSI_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/iscsi/text.h"
#include "proto/scsi_cmd.h"

/* Operational parameters of a session/connection. All uint32_t (booleans are 0/1) so the
 * key table can address any of them by offset. */
struct iscsi_params {
	uint32_t header_digest;        /* CRC32C on headers */
	uint32_t data_digest;          /* CRC32C on data segments */
	uint32_t max_connections;
	uint32_t initial_r2t;
	uint32_t immediate_data;
	uint32_t mrdsl_initiator;      /* initiator's MaxRecvDataSegmentLength: our send limit */
	uint32_t mrdsl_target;         /* ours: what the initiator may send us */
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t time2wait;
	uint32_t time2retain;
	uint32_t max_outstanding_r2t;
	uint32_t data_pdu_in_order;
	uint32_t data_seq_in_order;
	uint32_t erl;
	uint32_t ifmarker;
	uint32_t ofmarker;
};

enum iscsi_session_type {
	ISCSI_SESSION_UNSET = 0,
	ISCSI_SESSION_DISCOVERY = 1,
	ISCSI_SESSION_NORMAL = 2,
};

#define ISCSI_ALIAS_MAX 256
#define ISCSI_OUR_MAX_R2T 8   /* MaxOutstandingR2T we accept per task */

struct iscsi_neg {
	struct iscsi_params ours;      /* our offers / limits */
	struct iscsi_params p;         /* results (RFC defaults until negotiated) */
	uint16_t tpgt;
	char initiator[SCSI_NAME_MAX];
	char target[SCSI_NAME_MAX];
	char alias[ISCSI_ALIAS_MAX];
	enum iscsi_session_type type;
	uint64_t seen;                 /* one bit per key of the table: negotiated once only */
	bool sent_mrdsl;
	bool sent_tpgt;
};

/* mrdsl/max_burst/first_burst: our declaration and upper bounds (already clamped). */
void iscsi__neg_init(struct iscsi_neg *n, uint32_t mrdsl, uint32_t max_burst,
		     uint32_t first_burst, uint16_t tpgt);

/* Processes one complete request text received in login stage `csg` (0 security, 1
 * operational) and appends the answers to `out`. Returns ISCSI_LOGIN_OK (0) or the login
 * status that ends the login (e.g. 0x0200 for a malformed or repeated key, 0x0201 when
 * AuthMethod=None is not offered, 0x0209 for an unknown SessionType). */
int iscsi__neg_login(struct iscsi_neg *n, int csg, const char *text, size_t len,
		     struct iscsi_textbuf *out);

/* Adds the target's declarations that are due in this response: MaxRecvDataSegmentLength
 * once the operational stage is entered or left (`operational`), and TargetPortalGroupTag
 * in the first response of a Normal session (RFC 7143 13.9). */
void iscsi__neg_declare(struct iscsi_neg *n, bool operational, struct iscsi_textbuf *out);

/* Settles dependent values once login completes (FirstBurstLength <= MaxBurstLength). */
void iscsi__neg_finish(struct iscsi_neg *n);

#endif
