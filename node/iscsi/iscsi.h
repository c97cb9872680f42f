/* iscsi.h - the iSCSI target transport (RFC 7143). Knows nothing of tape: it turns PDUs
 * into struct scsi_cmd and hands them to a backend, then sends back what the backend
 * answered.
 *
 * Lifetime: iscsi_server_start() binds the portal and starts the accept thread;
 * iscsi_server_stop() stops accepting, closes every connection, joins every thread and
 * frees everything. The backend must stay valid until iscsi_server_stop() returns. */
#ifndef VTL_NODE_ISCSI_H
#define VTL_NODE_ISCSI_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/scsi_cmd.h"

/* Task management functions (RFC 7143 11.5.1), passed to the backend unchanged. */
enum iscsi_tmf_fn {
	ISCSI_TMF_ABORT_TASK = 1,
	ISCSI_TMF_ABORT_TASK_SET = 2,
	ISCSI_TMF_CLEAR_ACA = 3,
	ISCSI_TMF_CLEAR_TASK_SET = 4,
	ISCSI_TMF_LOGICAL_UNIT_RESET = 5,
	ISCSI_TMF_TARGET_WARM_RESET = 6,
	ISCSI_TMF_TARGET_COLD_RESET = 7,
	ISCSI_TMF_TASK_REASSIGN = 8,
};

/* What the transport needs from the layer below. Every callback may be called from any
 * connection thread at the same time. */
struct iscsi_backend {
	void *arg;
	/* true if a target of this full name (e.g. "iqn.2026-11.io.vtl:demo") is served */
	bool (*target_exists)(void *arg, const char *target);
	/* calls emit once per served target name; used by SendTargets */
	void (*target_list)(void *arg, void (*emit)(void *ctx, const char *target), void *ctx);
	/* executes one command; fills the response half of cmd (see proto/scsi_cmd.h) */
	void (*exec)(void *arg, const char *target, struct scsi_cmd *cmd);
	/* LOGICAL UNIT RESET / TARGET WARM RESET and friends, after the transport has dealt
	 * with its own tasks; returns an RFC 7143 TMF response code (0 = function complete) */
	int (*tmf)(void *arg, const char *target, enum iscsi_tmf_fn fn, uint64_t lun,
		   const struct scsi_nexus *nexus);
	/* The I_T nexus of a normal session ended: logout, connection loss or session
	 * reinstatement (SAM-5 6.3.4 I_T nexus loss, RFC 7143 6.3.5). Called once, from the
	 * session's connection thread, with no lock held, after its last command finished
	 * and before a reinstating login of the same nexus proceeds. May be NULL. */
	void (*nexus_lost)(void *arg, const char *target, const struct scsi_nexus *nexus);
};

struct iscsi_config {
	const char *portal;        /* "host:port" to listen on, e.g. "127.0.0.1:3260" */
	uint16_t tpgt;             /* target portal group tag (relative target port) */
	/* Our declarations and the upper bounds we accept in negotiation; 0 = built-in default */
	uint32_t max_recv_data_segment_length;  /* default 262144 */
	uint32_t max_burst_length;              /* default 1048576 */
	uint32_t first_burst_length;            /* default 262144 */
	uint32_t max_connections;               /* total connections; default 256 */
};

struct iscsi_server;

int iscsi_server_start(const struct iscsi_config *cfg, const struct iscsi_backend *be,
		       struct iscsi_server **out);
/* The port actually bound (useful when the portal asked for port 0). */
uint16_t iscsi_server_port(const struct iscsi_server *srv);
void iscsi_server_stop(struct iscsi_server *srv);   /* accepts NULL */

/* Counters since start, for health endpoints and tests. Safe from any thread. */
struct iscsi_stats {
	uint64_t connections;     /* TCP connections accepted */
	uint64_t refused;         /* accepted and closed at once: max_connections reached */
	uint64_t logins;          /* logins that reached Full Feature Phase */
	uint64_t login_failures;  /* Login Responses with a non-zero status class */
	uint64_t logouts;
	uint64_t rejects;         /* Reject PDUs sent */
	uint64_t drops;           /* connections closed for a protocol error or a timeout */
	uint64_t reinstatements;  /* older sessions closed by a login of the same I_T nexus */
	uint32_t live_connections;
	uint32_t sessions;        /* sessions in Full Feature Phase now */
};
void iscsi_server_stats(struct iscsi_server *srv, struct iscsi_stats *out);

/* Target-initiated NOP-In (RFC 7143 11.19): after `idle_ms` without any PDU from the
 * initiator the target pings; a connection that stays silent `timeout_ms` more is
 * dropped. Defaults 5000 / 10000; applies to connections accepted afterwards. */
void iscsi_server_set_nop_timing(struct iscsi_server *srv, unsigned idle_ms, unsigned timeout_ms);

#endif
