/* scsi_cmd.h - the boundary between transport and SCSI emulation (see DESIGN.md).
 *
 * The iSCSI layer fills the request half, hands the command to routing, which executes it
 * locally (scsi_exec) or, later, forwards it to the owner; the response half comes back.
 * The same structure is replayed by unit tests without any network.
 *
 * Ownership: `data_out` is borrowed from the transport for the duration of the call.
 * `data_in` is a transport buffer of `data_in_cap` bytes (>= min(expected_len, limit));
 * the executor writes at most data_in_cap bytes and sets data_in_len. */
#ifndef VTL_PROTO_SCSI_CMD_H
#define VTL_PROTO_SCSI_CMD_H

#include <stdbool.h>
#include <stdint.h>

#define SCSI_CDB_MAX 16
#define SCSI_SENSE_MAX 96
#define SCSI_NAME_MAX 224          /* iSCSI names are at most 223 bytes (RFC 7143 4.2.7.1) */
#define SCSI_XFER_MAX (16u << 20)  /* largest data transfer one command may carry */

/* SAM status codes */
enum sam_status {       /* not "scsi_status": libiscsi's iscsi.h owns that tag */
	SAM_STAT_GOOD = 0x00,
	SAM_STAT_CHECK_CONDITION = 0x02,
	SAM_STAT_BUSY = 0x08,
	SAM_STAT_RESERVATION_CONFLICT = 0x18,
	SAM_STAT_TASK_SET_FULL = 0x28,
	SAM_STAT_TASK_ABORTED = 0x40,
};

enum scsi_dir { SCSI_DIR_NONE = 0, SCSI_DIR_READ = 1, SCSI_DIR_WRITE = 2 };

enum scsi_task_attr {
	SCSI_TASK_UNTAGGED = 0,
	SCSI_TASK_SIMPLE = 1,
	SCSI_TASK_ORDERED = 2,
	SCSI_TASK_HEAD_OF_QUEUE = 3,
	SCSI_TASK_ACA = 4,
};

/* The I_T nexus: who is talking to which target port. Reservations, unit attentions and
 * deferred sense are kept per nexus, so they stay right whichever node relays. */
struct scsi_nexus {
	char initiator[SCSI_NAME_MAX]; /* NUL-terminated iSCSI initiator name */
	uint8_t isid[6];
	uint16_t tpgt;                 /* target portal group tag = relative target port */
};

struct scsi_cmd {
	/* request */
	struct scsi_nexus nexus;
	uint64_t lun;                  /* flat LUN number (0 = changer, 1..N = drives) */
	uint8_t cdb[SCSI_CDB_MAX];
	uint8_t cdb_len;
	uint8_t task_attr;             /* enum scsi_task_attr */
	enum scsi_dir dir;             /* direction the transport was told (R/W bits) */
	uint32_t expected_len;         /* initiator's Expected Data Transfer Length */
	const uint8_t *data_out;       /* borrowed; data_out_len bytes received */
	uint32_t data_out_len;

	/* response */
	uint8_t status;                /* enum sam_status */
	uint8_t sense_len;
	uint8_t sense[SCSI_SENSE_MAX];  /* fixed format sense data (0x70) */
	uint8_t *data_in;              /* transport's buffer */
	uint32_t data_in_cap;
	uint32_t data_in_len;          /* bytes the executor placed in data_in */
	uint32_t implied_len;          /* bytes the CDB asked to move (for overflow residuals) */
};

static inline bool scsi_nexus_equal(const struct scsi_nexus *a, const struct scsi_nexus *b)
{
	for (int i = 0; i < 6; i++)
		if (a->isid[i] != b->isid[i])
			return false;
	if (a->tpgt != b->tpgt)
		return false;
	for (int i = 0; i < SCSI_NAME_MAX; i++) {
		if (a->initiator[i] != b->initiator[i])
			return false;
		if (!a->initiator[i])
			return true;
	}
	return true;
}

#endif
