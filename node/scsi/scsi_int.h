/* scsi_int.h - what the parts of node/scsi share: the per-command task, the opcode tables
 * and device types, sense and data helpers. Not for use outside node/scsi.
 *
 * How a command runs (scsi.c, scsi_exec): find the LU (LOGICAL UNIT NOT SUPPORTED if
 * none) -> take its lock -> find this nexus's state -> look the opcode up in the device
 * type's table -> checks every command shares (NACA, unit attention, reservation, medium)
 * -> the handler. Handlers are table entries, never a switch ladder (STYLE.md 4); an
 * empty slot means INVALID COMMAND OPERATION CODE, and the same table answers REPORT
 * SUPPORTED OPERATION CODES. */
#ifndef VTL_NODE_SCSI_INT_H
#define VTL_NODE_SCSI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/lib/lib.h"
#include "node/scsi/scsi.h"
#include "node/scsi/scsi_defs.h"

struct scsi_task {
	struct lib *lib;
	struct lib_lu *lu;
	struct lib_drive *drive;        /* NULL on the changer */
	struct lib_nexus *nx;           /* this nexus's state on lu */
	struct scsi_cmd *cmd;
	const struct scsi_devtype *dev;
};

enum scsi_op_flags {
	SCSI_OP_UA_OK = 1u << 0,        /* runs despite a pending unit attention (SPC-4 5.14) */
	SCSI_OP_CONFLICT_OK = 1u << 1,  /* allowed while another nexus holds a reservation */
	SCSI_OP_MEDIUM = 1u << 2,       /* needs a loaded medium: 02/3A/00 otherwise */
	SCSI_OP_PR_READ = 1u << 3,      /* a "read" for persistent reservation types WE / WE-RO / WE-AR */
	SCSI_OP_SA = 1u << 4,           /* dispatches on a service action (see sa/n_sa) */
};

struct scsi_task;
typedef void scsi_handler_fn(struct scsi_task *t);

/* One service action of an opcode that has them (READ POSITION, PR IN/OUT, MAINTENANCE IN). */
struct scsi_sa_op {
	uint8_t sa;
	const char *name;
	scsi_handler_fn *fn;
	uint8_t cdb_len;
	uint8_t usage[SCSI_CDB_MAX];    /* CDB usage data (SPC-4 6.35.3) */
};

struct scsi_op {
	const char *name;
	scsi_handler_fn *fn;            /* NULL: not supported */
	uint8_t cdb_len;
	uint8_t flags;                  /* enum scsi_op_flags */
	uint8_t usage[SCSI_CDB_MAX];    /* CDB usage data (SPC-4 6.35.3); unused when SCSI_OP_SA */
	const struct scsi_sa_op *sa;    /* with SCSI_OP_SA: service actions, taken from cdb[1] & 0x1f */
	uint8_t n_sa;
};

/* A mode page a device type supports (SPC-4 7.5). `len` counts the whole page, header
 * included. sense() fills len bytes for page control pc (0 current, 1 changeable,
 * 2 default, 3 saved). select() applies a page from MODE SELECT whose length was checked;
 * it returns 0, or sets CHECK CONDITION on t->cmd and returns -1. NULL select: the page is
 * not changeable (all-zero changeable mask) and MODE SELECT of it must carry current values. */
struct scsi_mode_page {
	uint8_t page, subpage;
	uint8_t len;
	void (*sense)(struct scsi_task *t, uint8_t pc, uint8_t *buf);
	int (*select)(struct scsi_task *t, const uint8_t *page, uint32_t len);
};

struct scsi_devtype {
	const char *name;               /* "changer", "tape" for logs */
	uint8_t peripheral_type;        /* 0x08 changer, 0x01 sequential access */
	const struct scsi_op *ops;      /* 256 entries, indexed by opcode */
	const struct scsi_mode_page *pages;
	size_t n_pages;
	/* MODE SENSE header hooks (NULL: none): the device-specific parameter byte, and an
	 * 8-byte block descriptor (returns its length, 0 for none). */
	uint8_t (*mode_dev_param)(struct scsi_task *t);
	uint8_t (*mode_block_desc)(struct scsi_task *t, uint8_t pc, uint8_t *buf);
	/* MODE SELECT header: device-specific byte and block descriptor (may be NULL) */
	int (*mode_select_header)(struct scsi_task *t, uint8_t dev_param, const uint8_t *bd, uint32_t bd_len);
	/* extra VPD pages (0xB0 for drives); writes the page, returns its length or -1 if the
	 * page is not supported */
	int (*vpd)(struct scsi_task *t, uint8_t page, uint8_t *buf, size_t cap);
	const uint8_t *vpd_pages;       /* device-specific VPD page codes for VPD 0x00 */
	size_t n_vpd_pages;
};

extern const struct scsi_devtype smc_devtype;   /* node/scsi/smc*.c */
extern const struct scsi_devtype ssc_devtype;   /* node/scsi/ssc*.c */

/* Common SPC handlers (spc*.c) that device tables point at. */
scsi_handler_fn spc_inquiry, spc_test_unit_ready, spc_request_sense, spc_report_luns,
	spc_mode_sense6, spc_mode_sense10, spc_mode_select6, spc_mode_select10,
	spc_reserve, spc_release, spc_pr_in, spc_pr_out, spc_maintenance_in;
extern const struct scsi_sa_op spc_pr_in_sa[], spc_pr_out_sa[], spc_maint_in_sa[];
extern const uint8_t spc_n_pr_in_sa, spc_n_pr_out_sa, spc_n_maint_in_sa;

/* Reservation check the dispatcher runs before every handler (spc_resv.c):
 * true if the command must end in RESERVATION CONFLICT for this nexus. */
bool spc_reservation_conflict(struct scsi_task *t, const struct scsi_op *op);

/* --- sense (sense.c) ------------------------------------------------------------- */
/* CHECK CONDITION with fixed-format sense (SPC-4 4.5.3). asc_ascq e.g. ASC_INVALID_OPCODE. */
void scsi_sense(struct scsi_cmd *cmd, uint8_t key, uint16_t asc_ascq);
/* Tape flavour: FILEMARK / EOM / ILI bits and, when info_valid, the INFORMATION field
 * (SSC-4 4.2.x: residue in blocks or bytes, signed). key may be SENSE_NO_SENSE. */
void scsi_sense_tape(struct scsi_cmd *cmd, uint8_t key, uint16_t asc_ascq, uint8_t flags,
		     bool info_valid, int64_t info);
/* 05/24/00 INVALID FIELD IN CDB, or 05/26/00 in the parameter list, with the sense-key
 * specific field pointer (SPC-4 4.5.2.4.2); bit < 0 means no bit pointer. */
void scsi_sense_field(struct scsi_cmd *cmd, bool in_cdb, uint16_t byte, int bit);
/* Takes the highest-precedence pending unit attention off nx (SPC-4 6.1 order) and
 * builds its sense into buf; returns the sense length, 0 if none was pending. The
 * dispatcher reports it as CHECK CONDITION, REQUEST SENSE as data. */
uint8_t scsi_ua_take(struct lib_nexus *nx, uint8_t *buf);
/* Fills a sense buffer without touching status (for REQUEST SENSE data and deferred sense). */
uint8_t scsi_sense_build(uint8_t *buf, uint8_t key, uint16_t asc_ascq);

/* --- data helpers (scsi.c) --------------------------------------------------------- */
/* Sends len bytes of buf as Data-In, cut to the CDB's allocation length and the transport
 * buffer; sets implied_len = min(len, alloc_len). */
void scsi_data_in(struct scsi_task *t, const void *buf, uint32_t len, uint32_t alloc_len);
/* Data-Out of exactly `need` bytes announced by the CDB, or NULL after setting
 * CHECK CONDITION when the initiator sent fewer. Sets implied_len. */
const uint8_t *scsi_data_out(struct scsi_task *t, uint32_t need);
/* GOOD status, nothing else. */
static inline void scsi_good(struct scsi_cmd *cmd)
{
	cmd->status = SAM_STAT_GOOD;
}

/* Copies a string into a fixed-width SCSI ASCII field, space padded (SPC-4 4.4.1). */
void scsi_ascii(uint8_t *dst, size_t width, const char *src);

#endif
