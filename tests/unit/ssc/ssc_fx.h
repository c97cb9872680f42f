/* ssc_fx.h - the fixture every SSC test uses: a real store in a private directory, a
 * library with two drives, cartridge VT0001L8 moved into drive 0 (LUN 1) the way the
 * changer does it, and helpers that build SSC CDBs and run them through scsi_exec.
 * Sense checks assert exact key, ASC/ASCQ, FILEMARK/EOM/ILI bits and INFORMATION. */
#ifndef VTL_TESTS_SSC_FX_H
#define VTL_TESTS_SSC_FX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "node/lib/lib.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"
#include "tests/testutil.h"

#define FX_LUN 1
#define FX_DRIVE LIB_ADDR_DRIVE0
#define FX_SLOT0 LIB_ADDR_SLOT0
#define FX_MiB (1u << 20)

struct fx {
	char dir[PATH_MAX];
	struct store *store;
	struct lib *lib;
	struct lib_config cfg;
	struct scsi_nexus nx;
};

/* Opens a store and library in a fresh directory; cartridge capacity `cap` bytes; moves
 * the first cartridge into drive 0 and clears the unit attentions. */
void fx_open(struct fx *f, const char *name, uint64_t cap);
/* Opens the library again on the same directory (persistence tests). */
void fx_open_again(struct fx *f);
void fx_close_lib(struct fx *f);        /* lib_close + store_close, keeps the directory */
void fx_close(struct fx *f);            /* fx_close_lib and removes the directory */
int fx_move(struct fx *f, uint16_t src, uint16_t dst);  /* lib_move under the locks */
struct lib_drive *fx_drive(struct fx *f);
void fx_clear_ua(struct fx *f, uint64_t lun);

/* Runs a CDB: out/out_len is Data-Out, in/in_cap the Data-In buffer (NULL: none). */
struct scsi_cmd fx_run(struct fx *f, uint64_t lun, const uint8_t *cdb, uint8_t cdb_len,
		       const void *out, uint32_t out_len, void *in, uint32_t in_cap);
#define FX_RUN(f, cdb, out, out_len, in, in_cap) fx_run(f, FX_LUN, cdb, sizeof(cdb), out, out_len, in, in_cap)

/* SSC commands to LUN 1 */
struct scsi_cmd fx_read(struct fx *f, bool fixed, bool sili, uint32_t count, void *buf, uint32_t cap);
struct scsi_cmd fx_write(struct fx *f, bool fixed, uint32_t count, const void *data, uint32_t len);
struct scsi_cmd fx_wfm(struct fx *f, uint32_t count, bool immed);
struct scsi_cmd fx_space(struct fx *f, uint8_t code, int32_t count);
struct scsi_cmd fx_locate(struct fx *f, uint32_t obj);
struct scsi_cmd fx_rewind(struct fx *f);
/* MODE SELECT(6) with a block descriptor: block length and buffered mode. */
struct scsi_cmd fx_mode_select(struct fx *f, uint32_t block_len, uint8_t buffered);

/* READ POSITION short form (checked GOOD): the first block location; *flags = byte 0. */
uint64_t fx_pos(struct fx *f, uint8_t *flags);
/* READ POSITION long form (checked GOOD): object number and file number. */
void fx_pos_long(struct fx *f, uint64_t *obj, uint64_t *file);
/* Writes a variable block of len bytes with content fx_fill(tag, len) and checks GOOD. */
void fx_put(struct fx *f, uint32_t tag, uint32_t len);
/* Reads one variable block of exactly len bytes and checks it against fx_fill(tag). */
void fx_get(struct fx *f, uint32_t tag, uint32_t len);

/* Reproducible block contents. */
void fx_fill(uint8_t *p, uint32_t tag, uint32_t len);

/* --- checks ------------------------------------------------------------------------ */
/* Each takes the command result once (an expression that runs a command is fine). */
#define FX_GOOD(c) CHECK_EQ((c).status, SAM_STAT_GOOD)
#define FX_SENSE(c, key, asc)                                        \
	do {                                                         \
		struct scsi_cmd fx_s_ = (c);                         \
		CHECK_EQ(fx_s_.status, SAM_STAT_CHECK_CONDITION);    \
		CHECK_EQ(fx_s_.sense[0] & 0x7f, 0x70);               \
		CHECK_EQ(fx_s_.sense[2] & 0x0f, (key));              \
		CHECK_EQ(get_be16(&fx_s_.sense[12]), (asc));         \
	} while (0)
/* FILEMARK / EOM / ILI bits exactly */
#define FX_FLAGS(c, flags) CHECK_EQ((c).sense[2] & 0xe0, (flags))
#define FX_INFO(c, v)                                                \
	do {                                                         \
		struct scsi_cmd fx_i_ = (c);                         \
		CHECK(fx_i_.sense[0] & 0x80);                        \
		CHECK_EQ((int32_t)get_be32(&fx_i_.sense[3]), (v));   \
	} while (0)
#define FX_NOINFO(c) CHECK(!((c).sense[0] & 0x80))
/* Tape sense: key/asc, flags, and INFORMATION */
#define FX_TAPE(c, key, asc, flags, info)                            \
	do {                                                         \
		struct scsi_cmd fx_t_ = (c);                         \
		FX_SENSE(fx_t_, key, asc);                           \
		FX_FLAGS(fx_t_, flags);                              \
		FX_INFO(fx_t_, info);                                \
	} while (0)
/* 05/24/00 (in CDB) or 05/26/00 (parameter list) with the field pointer */
#define FX_FIELD(c, in_cdb, byte, bit)                                                   \
	do {                                                                             \
		struct scsi_cmd fx_d_ = (c);                                             \
		FX_SENSE(fx_d_, SENSE_ILLEGAL_REQUEST,                                    \
			 (in_cdb) ? ASC_INVALID_FIELD_IN_CDB : ASC_INVALID_FIELD_IN_PARAM_LIST); \
		CHECK_EQ(fx_d_.sense[15] & 0xc0, (in_cdb) ? 0xc0 : 0x80);                  \
		CHECK_EQ(fx_d_.sense[15] & 0x0f, (bit) >= 0 ? 0x08 | (bit) : 0);          \
		CHECK_EQ(get_be16(&fx_d_.sense[16]), (byte));                             \
	} while (0)
#define FX_AT(f, want) CHECK_EQ(fx_pos(f, NULL), (want))

#endif
