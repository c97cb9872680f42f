/* ssc.c - the SSC-4 tape drive device type: its opcode table, VPD page 0xB0 and the
 * helpers the ssc_*.c handlers share. Concurrency: see ssc_int.h (the drive's LU lock).
 *
 * The table is the single list of what the drive supports: the dispatcher (scsi.c) runs
 * the shared checks from its flags, REPORT SUPPORTED OPERATION CODES reports its CDB
 * usage data, and spc__cdb_ok() (spc.c) rejects bits the usage data does not list (SPC-4 4.3.2:
 * a reserved field that is not zero is an INVALID FIELD IN CDB). An empty slot is an
 * INVALID COMMAND OPERATION CODE. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

#define CTL 0x04        /* control byte usage: NACA is evaluated (and rejected) */

/* READ POSITION service actions (SSC-4 7.7). Service action 01h is the short form with
 * vendor-specific block addresses: Linux st asks for it by default and gets the same
 * numbers (our block address is the logical object number). The allocation length of
 * the fixed-size forms is tolerated (some initiators send one). */
static const struct scsi_sa_op ssc__read_pos_sa[] = {
	{0x00, "READ POSITION (short)", ssc_read_pos_short, 10, {0x34, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}},
	{0x01, "READ POSITION (short, vendor)", ssc_read_pos_short, 10, {0x34, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}},
	{0x06, "READ POSITION (long)", ssc_read_pos_long, 10, {0x34, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}},
	{0x08, "READ POSITION (extended)", ssc_read_pos_ext, 10, {0x34, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}},
};

/* READ ATTRIBUTE service actions (SPC-4 6.17) */
#define SSC__ATTR_USAGE {0x8c, 0x1f, 0, 0, 0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, CTL}
static const struct scsi_sa_op ssc__read_attr_sa[] = {
	{0x00, "READ ATTRIBUTE (values)", ssc_attr_values, 16, SSC__ATTR_USAGE},
	{0x01, "READ ATTRIBUTE (list)", ssc_attr_list, 16, SSC__ATTR_USAGE},
	{0x02, "READ ATTRIBUTE (volume list)", ssc_attr_volumes, 16, SSC__ATTR_USAGE},
	{0x03, "READ ATTRIBUTE (partition list)", ssc_attr_partitions, 16, SSC__ATTR_USAGE},
	{0x05, "READ ATTRIBUTE (supported)", ssc_attr_supported, 16, SSC__ATTR_USAGE},
};

#define N_OF(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))

/* Flags: reservations (SPC-4 5.12.3 table 61 and SSC-4 table 9). Commands that only read
 * data or position the medium count as reads, so a Write Exclusive holder still lets
 * other initiators read its tapes. */
static const struct scsi_op ssc__ops[256] = {
	[OP_TEST_UNIT_READY] = {"TEST UNIT READY", spc_test_unit_ready, 6, SCSI_OP_CONFLICT_OK | SCSI_OP_MEDIUM,
				{0x00, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_REWIND] = {"REWIND", ssc_rewind, 6, SCSI_OP_MEDIUM | SCSI_OP_PR_READ, {0x01, 0x01, 0, 0, 0, CTL}, NULL, 0},
	[OP_REQUEST_SENSE] = {"REQUEST SENSE", spc_request_sense, 6, SCSI_OP_UA_OK | SCSI_OP_CONFLICT_OK,
			      {0x03, 0x01, 0, 0, 0xff, CTL}, NULL, 0},
	[OP_READ_BLOCK_LIMITS] = {"READ BLOCK LIMITS", ssc_read_block_limits, 6, SCSI_OP_PR_READ,
				  {0x05, 0x01, 0, 0, 0, CTL}, NULL, 0},
	[OP_READ_6] = {"READ(6)", ssc_read6, 6, SCSI_OP_MEDIUM | SCSI_OP_PR_READ, {0x08, 0x03, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_WRITE_6] = {"WRITE(6)", ssc_write6, 6, SCSI_OP_MEDIUM, {0x0a, 0x01, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_WRITE_FILEMARKS_6] = {"WRITE FILEMARKS(6)", ssc_write_filemarks6, 6, SCSI_OP_MEDIUM,
				  {0x10, 0x03, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_SPACE_6] = {"SPACE(6)", ssc_space6, 6, SCSI_OP_MEDIUM | SCSI_OP_PR_READ, {0x11, 0x0f, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_INQUIRY] = {"INQUIRY", spc_inquiry, 6, SCSI_OP_UA_OK | SCSI_OP_CONFLICT_OK,
			{0x12, 0x01, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_MODE_SELECT_6] = {"MODE SELECT(6)", spc_mode_select6, 6, 0, {0x15, 0x11, 0, 0, 0xff, CTL}, NULL, 0},
	[OP_RESERVE_6] = {"RESERVE(6)", spc_reserve, 6, 0, {0x16, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_RELEASE_6] = {"RELEASE(6)", spc_release, 6, SCSI_OP_CONFLICT_OK, {0x17, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_ERASE_6] = {"ERASE(6)", ssc_erase6, 6, SCSI_OP_MEDIUM, {0x19, 0x03, 0, 0, 0, CTL}, NULL, 0},
	[OP_MODE_SENSE_6] = {"MODE SENSE(6)", spc_mode_sense6, 6, SCSI_OP_PR_READ, {0x1a, 0x08, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_LOAD_UNLOAD] = {"LOAD UNLOAD", ssc_load_unload, 6, 0, {0x1b, 0x01, 0, 0, 0x0f, CTL}, NULL, 0},
	[OP_PREVENT_ALLOW] = {"PREVENT ALLOW MEDIUM REMOVAL", ssc_prevent_allow, 6, 0, {0x1e, 0, 0, 0, 0x03, CTL}, NULL, 0},
	[OP_LOCATE_10] = {"LOCATE(10)", ssc_locate10, 10, SCSI_OP_MEDIUM | SCSI_OP_PR_READ,
			  {0x2b, 0x07, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff, CTL}, NULL, 0},
	[OP_READ_POSITION] = {"READ POSITION", NULL, 10, SCSI_OP_SA | SCSI_OP_MEDIUM | SCSI_OP_PR_READ, {0},
			      ssc__read_pos_sa, N_OF(ssc__read_pos_sa)},
	[OP_REPORT_DENSITY_SUPPORT] = {"REPORT DENSITY SUPPORT", ssc_report_density, 10, SCSI_OP_PR_READ,
				       {0x44, 0x03, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	[OP_LOG_SELECT] = {"LOG SELECT", ssc_log_select, 10, 0, {0x4c, 0x03, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	[OP_LOG_SENSE] = {"LOG SENSE", ssc_log_sense, 10, SCSI_OP_CONFLICT_OK,
			  {0x4d, 0x03, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_MODE_SELECT_10] = {"MODE SELECT(10)", spc_mode_select10, 10, 0, {0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	[OP_RESERVE_10] = {"RESERVE(10)", spc_reserve, 10, 0, {0x56, 0, 0, 0, 0, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_RELEASE_10] = {"RELEASE(10)", spc_release, 10, SCSI_OP_CONFLICT_OK, {0x57, 0, 0, 0, 0, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_MODE_SENSE_10] = {"MODE SENSE(10)", spc_mode_sense10, 10, SCSI_OP_PR_READ,
			      {0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	/* the SPC routers dispatch their own service actions (spc__op_sa lists them) */
	[OP_PERSISTENT_RESERVE_IN] = {"PERSISTENT RESERVE IN", spc_pr_in, 10, SCSI_OP_CONFLICT_OK,
				      {0x5e, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	[OP_PERSISTENT_RESERVE_OUT] = {"PERSISTENT RESERVE OUT", spc_pr_out, 10, SCSI_OP_CONFLICT_OK,
				       {0x5f, 0x1f, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_READ_ATTRIBUTE] = {"READ ATTRIBUTE", NULL, 16, SCSI_OP_SA | SCSI_OP_MEDIUM | SCSI_OP_PR_READ, {0},
			       ssc__read_attr_sa, N_OF(ssc__read_attr_sa)},
	[OP_SPACE_16] = {"SPACE(16)", ssc_space16, 16, SCSI_OP_MEDIUM | SCSI_OP_PR_READ,
			 {0x91, 0x0f, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, CTL}, NULL, 0},
	[OP_LOCATE_16] = {"LOCATE(16)", ssc_locate16, 16, SCSI_OP_MEDIUM | SCSI_OP_PR_READ,
			  {0x92, 0x3b, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, CTL}, NULL, 0},
	[OP_REPORT_LUNS] = {"REPORT LUNS", spc_report_luns, 12, SCSI_OP_UA_OK | SCSI_OP_CONFLICT_OK,
			    {0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, CTL}, NULL, 0},
	[OP_MAINTENANCE_IN] = {"MAINTENANCE IN", spc_maintenance_in, 12, SCSI_OP_CONFLICT_OK,
			       {0xa3, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, CTL}, NULL, 0},
};

/* Sequential-access device capabilities VPD page (SSC-4 8.4.2): no WORM support. */
static int ssc__vpd(struct scsi_task *t, uint8_t page, uint8_t *buf, size_t cap)
{
	(void)t;
	if (page != 0xb0 || cap < 6)
		return -1;
	memset(buf, 0, 6);
	buf[0] = 0x01;          /* peripheral qualifier 0, sequential-access device */
	buf[1] = 0xb0;
	buf[3] = 2;             /* page length */
	buf[4] = 0;             /* WORM = 0 */
	return 6;
}

static const uint8_t ssc__vpd_pages[] = {0xb0};

const struct scsi_devtype ssc_devtype = {
	.name = "tape",
	.peripheral_type = 0x01,
	.ops = ssc__ops,
	.pages = ssc__mode_pages,
	.n_pages = SSC_N_MODE_PAGES,
	.mode_dev_param = ssc__mode_dev_param,
	.mode_block_desc = ssc__mode_block_desc,
	.mode_select_header = ssc__mode_select_header,
	.vpd = ssc__vpd,
	.vpd_pages = ssc__vpd_pages,
	.n_vpd_pages = sizeof ssc__vpd_pages,
};

const struct lib_cart *ssc__cart(const struct scsi_task *t)
{
	const struct lib_drive *d = t->drive;
	if (!d || d->cart < 0 || (size_t)d->cart >= t->lib->n_carts)
		return NULL;
	return &t->lib->carts[d->cart];
}

/* The cartridge type is the barcode's LTO media suffix (L7, M8, L8, ...); a barcode
 * without one is taken as the drive's native LTO-8 media. */
uint8_t ssc__density(const struct scsi_task *t)
{
	const struct lib_cart *c = ssc__cart(t);
	if (!c)
		return 0;
	if (t->drive->density)
		return t->drive->density;
	size_t n = strlen(c->barcode);
	const char *sfx = n >= 2 ? c->barcode + n - 2 : "";
	if (!strcmp(sfx, "L7"))
		return SSC_DENSITY_LTO7;
	if (!strcmp(sfx, "M8"))
		return SSC_DENSITY_LTO7M;
	return SSC_DENSITY_LTO8;
}

bool ssc__past_ew(const struct lib_drive *d)
{
	if (!d->tape)
		return false;
	uint64_t cap = store_tape_capacity(d->tape);
	uint64_t zone = cap / 100 * SSC_EW_PERCENT;
	if (zone > SSC_EW_MAX)
		zone = SSC_EW_MAX;
	return store_tape_used(d->tape) > cap - zone;
}

bool ssc__write_protected(struct scsi_task *t)
{
	const struct lib_cart *c = ssc__cart(t);
	if (!c || !c->write_protect)
		return false;
	t->drive->tapealert |= 1ull << (SSC_TA_WRITE_PROTECT - 1);
	scsi_sense(t->cmd, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
	return true;
}

bool ssc__flush(struct scsi_task *t)
{
	struct lib_drive *d = t->drive;
	if (!d->dirty || !d->tape)
		return true;
	int rc = store_tape_sync(d->tape);
	if (rc) {
		ssc__store_error(t, rc, true, false, 0);
		return false;
	}
	d->dirty = false;
	return true;
}

void ssc__store_error(struct scsi_task *t, int rc, bool writing, bool info_valid, int64_t info)
{
	const struct lib_cart *c = ssc__cart(t);
	vtl_log_ratelimited(LOG_ERROR, "SSC_STORE_ERROR", "lib=%s lun=%llu cart=%s pos=%llu op=0x%02x rc=%d",
			    t->lib->cfg.name, (unsigned long long)t->cmd->lun, c ? c->barcode : "-",
			    (unsigned long long)t->drive->pos, t->cmd->cdb[0], rc);
	uint16_t asc;
	uint8_t key = SENSE_MEDIUM_ERROR;
	if (rc == -EIO || rc == -EBADMSG)
		asc = writing ? ASC_WRITE_ERROR : ASC_UNRECOVERED_READ_ERROR;
	else
		key = SENSE_HARDWARE_ERROR, asc = ASC_INTERNAL_TARGET_FAILURE;
	scsi_sense_tape(t->cmd, key, asc, 0, info_valid, info);
}

int ssc__file_number(struct scsi_task *t, uint64_t pos, uint64_t *out)
{
	/* one index lookup per filemark, never a scan over blocks */
	uint64_t n = 0, at = pos;
	for (;;) {
		uint64_t fm;
		int rc = store_tape_find_filemark(t->drive->tape, at, -1, &fm);
		if (rc == -ENOENT)
			break;
		if (rc)
			return rc;
		n++;
		at = fm;
	}
	*out = n;
	return 0;
}
