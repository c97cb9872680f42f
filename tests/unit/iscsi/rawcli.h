/* rawcli.h - a deliberately small iSCSI initiator over a raw socket, for the tests that
 * need exact control of every PDU (malformed ones included). Blocking, one PDU at a time,
 * 5 s receive timeout. Digests are added/checked when the flags are set. */
#ifndef VTL_TESTS_ISCSI_RAWCLI_H
#define VTL_TESTS_ISCSI_RAWCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAW_TARGET "iqn.2026-11.io.vtl:t0"
#define RAW_INITIATOR "iqn.2026-11.io.vtl.test:raw"

struct rawcli {
	int fd;
	uint32_t itt;
	uint32_t cmdsn;        /* next CmdSN to use */
	uint32_t statsn;       /* last StatSN seen */
	uint32_t exp_cmd_sn;   /* from the last PDU that carried it */
	uint32_t max_cmd_sn;
	uint16_t tsih;
	bool hdig, ddig;
	uint8_t isid[6];
};

/* A received PDU */
struct rawpdu {
	uint8_t bhs[48];
	uint8_t *data;         /* malloc'ed, NUL-terminated beyond len */
	uint32_t len;
};

/* Connects to 127.0.0.1:port. */
void raw_open(struct rawcli *rc, uint16_t port);
void raw_close(struct rawcli *rc);
void raw_bhs(uint8_t bhs[48], uint8_t op, uint8_t flags, uint32_t itt);
/* Sends bhs + data (DataSegmentLength, padding and digests filled in). 0 or -1. */
int raw_send(struct rawcli *rc, uint8_t bhs[48], const void *data, uint32_t len);
/* Receives one PDU: 0, -1 closed/error, -2 timeout (timeout_ms; 0 = 5000). Updates
 * statsn/exp_cmd_sn/max_cmd_sn. Returns -3 for a bad digest. */
int raw_recv(struct rawcli *rc, struct rawpdu *p, int timeout_ms);
void raw_pdu_free(struct rawpdu *p);
/* True if the peer closes the connection within timeout_ms (reads and drops PDUs). */
bool raw_wait_closed(struct rawcli *rc, int timeout_ms);

/* One-PDU login straight to the operational stage: InitiatorName, TargetName (unless
 * NULL: discovery), SessionType, plus `extra` ("Key=Val\0Key=Val\0", extra_len bytes).
 * Returns the login status (class << 8 | detail) or -1 on transport failure; on success
 * digests follow what `extra` asked for (rc->hdig / rc->ddig set by the caller). */
int raw_login(struct rawcli *rc, const char *target, const char *extra, uint32_t extra_len,
	      struct rawpdu *rsp);
/* Finds key in a text data segment; returns the value or NULL. */
const char *raw_text_get(const struct rawpdu *p, const char *key);

/* SCSI Command PDU helper: flags include F/R/W/ATTR. */
void raw_scsi_cmd(uint8_t bhs[48], uint8_t flags, uint32_t itt, uint32_t cmdsn, uint32_t edtl,
		  const uint8_t *cdb, uint8_t lun);

/* "A=1|B=2" -> "A=1\0B=2\0"; returns the byte count (0 for ""). */
uint32_t raw_kv(char *out, size_t cap, const char *pipe);
/* raw_open + raw_login(extra given as "A=1|B=2"), which must succeed. */
void raw_open_login(struct rawcli *rc, uint16_t port, const char *target, const char *extra);
/* Receives one PDU and fails the test unless it has opcode `op`. */
void raw_expect(struct rawcli *rc, struct rawpdu *p, uint8_t op);
/* An immediate NOP-Out whose NOP-In must be the very next PDU: nothing else (no Reject,
 * no stray response) was pending. */
void raw_sync_nop(struct rawcli *rc);

#endif
