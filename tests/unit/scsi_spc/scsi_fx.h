/* scsi_fx.h - fixture for the SPC and SMC unit tests: a real store in a private
 * directory, a small library (2 drives, 10 slots, 2 import/export slots, 6 cartridges in
 * slots 0x0400..0x0405) and three I_T nexuses; helpers run CDBs through scsi_exec and
 * check status and sense exactly. */
#ifndef VTL_TESTS_SCSI_FX_H
#define VTL_TESTS_SCSI_FX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "node/lib/lib.h"
#include "node/scsi/scsi_int.h"
#include "node/store/store.h"
#include "tests/testutil.h"

#define SFX_DRIVES 2
#define SFX_SLOTS 10
#define SFX_IE 2
#define SFX_CARTS 6
#define SFX_BUF 65536

struct sfx {
	char dir[PATH_MAX];
	struct store *store;
	struct lib *lib;
	struct lib_config cfg;
	struct scsi_nexus a, b, c;      /* same initiator name for a and b, other ISIDs */
	uint8_t in[SFX_BUF];            /* Data-In of the last sfx_run */
};

void sfx_open(struct sfx *f, const char *name);
void sfx_reopen(struct sfx *f);         /* lib_close + store_close, then open again */
void sfx_close(struct sfx *f);          /* closes and removes the directory */

/* Runs cdb (its length from the opcode group) for nexus nx on lun with optional Data-Out;
 * Data-In lands in f->in (in_cap bytes offered). */
struct scsi_cmd sfx_run(struct sfx *f, const struct scsi_nexus *nx, uint64_t lun, const uint8_t *cdb,
			const void *out, uint32_t out_len, uint32_t in_cap);
/* Takes every pending unit attention off (REQUEST SENSE until NO SENSE). */
void sfx_clear_ua(struct sfx *f, const struct scsi_nexus *nx, uint64_t lun);
/* Clears the unit attentions of a, b and c on every LU. */
void sfx_clear_all(struct sfx *f);

#define SFX_GOOD(c) CHECK_EQ((c).status, SAM_STAT_GOOD)
#define SFX_CONFLICT(c) CHECK_EQ((c).status, SAM_STAT_RESERVATION_CONFLICT)
#define SFX_SENSE(c, key, asc)                                       \
	do {                                                         \
		CHECK_EQ((c).status, SAM_STAT_CHECK_CONDITION);      \
		CHECK_EQ((c).sense[0], 0x70);                        \
		CHECK_EQ((c).sense[2] & 0x0f, (key));                \
		CHECK_EQ(get_be16(&(c).sense[12]), (asc));           \
	} while (0)
/* 05/24/00 (in CDB) or 05/26/00 (parameter list) with the field pointer */
#define SFX_FIELD(c, in_cdb, byte, bit)                                                   \
	do {                                                                              \
		SFX_SENSE(c, SENSE_ILLEGAL_REQUEST,                                        \
			  (in_cdb) ? ASC_INVALID_FIELD_IN_CDB : ASC_INVALID_FIELD_IN_PARAM_LIST); \
		CHECK_EQ((c).sense[15] & 0xc0, (in_cdb) ? 0xc0 : 0x80);                     \
		CHECK_EQ((c).sense[15] & 0x0f, (bit) >= 0 ? 0x08 | (bit) : 0);             \
		CHECK_EQ(get_be16(&(c).sense[16]), (byte));                                \
	} while (0)

#endif
