/* ssc_int.h - what the SSC-4 tape drive files share (node/scsi/ssc*.c). Not for use
 * outside node/scsi.
 *
 * Files: ssc.c (opcode table, device type, VPD 0xB0, shared helpers), ssc_rw.c (READ,
 * WRITE, WRITE FILEMARKS), ssc_pos.c (SPACE, LOCATE, REWIND, READ POSITION), ssc_media.c
 * (LOAD UNLOAD, ERASE, PREVENT ALLOW MEDIUM REMOVAL), ssc_info.c (READ BLOCK LIMITS,
 * REPORT DENSITY SUPPORT), ssc_log.c (LOG SENSE/SELECT), ssc_attr.c (READ ATTRIBUTE),
 * ssc_mode.c (mode pages, block descriptor, device-specific parameter).
 *
 * Position model: drive->pos is a logical object number on the store's tape (blocks and
 * filemarks are both objects, as on LTO). BOP is pos 0, EOD is store_tape_eod(). The
 * logical object identifier READ POSITION reports is pos; the logical file identifier
 * is the number of filemarks before pos.
 *
 * Concurrency: every handler runs under the drive's LU lock taken by scsi_exec(), which
 * is also the only lock that guards struct lib_drive and its store_tape. Handlers block
 * on the store (disk) and nothing else. */
#ifndef VTL_NODE_SCSI_SSC_INT_H
#define VTL_NODE_SCSI_SSC_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "node/scsi/scsi_int.h"
#include "node/scsi/spc_int.h"   /* spc__cdb_ok: reserved CDB bits from the usage data */

/* READ BLOCK LIMITS (SSC-4 7.6): granularity 0, any length in [MIN, MAX]. The maximum
 * stays below SCSI_XFER_MAX so one block always fits one command's transfer. */
#define SSC_MIN_BLOCK 1u
#define SSC_MAX_BLOCK (8u << 20)
#define SSC_MAX_FILEMARKS 65535u  /* per WRITE FILEMARKS command (ssc_rw.c) */

/* Early-warning zone (SSC-4 4.2.5): the last 2 % of the cartridge, at most 1 GiB. */
#define SSC_EW_PERCENT 2u
#define SSC_EW_MAX (1ull << 30)

/* LTO density codes (SSC-4 Annex; IBM LTO SCSI reference) */
#define SSC_DENSITY_LTO7 0x5C
#define SSC_DENSITY_LTO7M 0x5D        /* LTO-7 cartridge formatted as type M (M8) */
#define SSC_DENSITY_LTO8 0x5E

/* TapeAlert flag numbers (SSC-4 Annex A) that this emulation raises */
#define SSC_TA_WRITE_PROTECT 9u

/* --- handlers -------------------------------------------------------------------- */
scsi_handler_fn ssc_read6, ssc_write6, ssc_write_filemarks6;                    /* ssc_rw.c */
scsi_handler_fn ssc_space6, ssc_space16, ssc_locate10, ssc_locate16, ssc_rewind,
	ssc_read_pos_short, ssc_read_pos_long, ssc_read_pos_ext;                 /* ssc_pos.c */
scsi_handler_fn ssc_load_unload, ssc_erase6, ssc_prevent_allow;                 /* ssc_media.c */
scsi_handler_fn ssc_read_block_limits, ssc_report_density;                      /* ssc_info.c */
scsi_handler_fn ssc_log_sense, ssc_log_select;                                  /* ssc_log.c */
scsi_handler_fn ssc_attr_values, ssc_attr_list, ssc_attr_volumes, ssc_attr_partitions,
	ssc_attr_supported;                                                      /* ssc_attr.c */

/* --- mode parameters (ssc_mode.c) -------------------------------------------------- */
#define SSC_N_MODE_PAGES 5
extern const struct scsi_mode_page ssc__mode_pages[SSC_N_MODE_PAGES];
uint8_t ssc__mode_dev_param(struct scsi_task *t);
uint8_t ssc__mode_block_desc(struct scsi_task *t, uint8_t pc, uint8_t *buf);
int ssc__mode_select_header(struct scsi_task *t, uint8_t dev_param, const uint8_t *bd, uint32_t bd_len);

/* --- shared helpers (ssc.c) -------------------------------------------------------- */
/* The cartridge in the drive, or NULL. */
const struct lib_cart *ssc__cart(const struct scsi_task *t);
/* Density code of the cartridge in the drive (0 when none). */
uint8_t ssc__density(const struct scsi_task *t);
/* True when the data on the tape has reached the early-warning zone. */
bool ssc__past_ew(const struct lib_drive *d);
/* Write protection: true (with 07/27/00 and TapeAlert flag 9) if the cartridge is
 * write-protected. */
bool ssc__write_protected(struct scsi_task *t);
/* Makes everything written durable (the drive "flushes its buffer"). false after setting
 * a MEDIUM ERROR when the store failed. */
bool ssc__flush(struct scsi_task *t);
/* CHECK CONDITION for a store failure rc (-EIO etc.) while reading or writing; the
 * INFORMATION field carries the residue when info_valid. */
void ssc__store_error(struct scsi_task *t, int rc, bool writing, bool info_valid, int64_t info);
/* Number of filemarks before object pos (the logical file identifier). */
int ssc__file_number(struct scsi_task *t, uint64_t pos, uint64_t *out);

#endif
