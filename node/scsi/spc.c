/* spc.c - SPC-4 commands every logical unit of the library answers the same way:
 * TEST UNIT READY, REQUEST SENSE, REPORT LUNS, MAINTENANCE IN (REPORT TARGET PORT GROUPS;
 * REPORT SUPPORTED OPERATION CODES is in spc_rsoc.c), and the Data-In writer the long
 * reports share.
 *
 * INQUIRY is in spc_inquiry.c, MODE SENSE/SELECT in spc_mode.c, RESERVE/RELEASE and the
 * reservation check in spc_resv.c, PERSISTENT RESERVE IN/OUT in spc_pr.c.
 *
 * Concurrency: handlers run under the LU's lock (scsi_exec), except REPORT LUNS for a
 * LUN that does not exist, which touches nothing but the library's fixed LU count. */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/spc_int.h"

/* --- Data-In writer -------------------------------------------------------------- */

void spc__wb_init(struct spc_wb *w, struct scsi_task *t, uint32_t alloc_len)
{
	struct scsi_cmd *cmd = t->cmd;
	w->p = cmd->data_in;
	w->alloc = alloc_len;
	w->cap = cmd->data_in ? (alloc_len < cmd->data_in_cap ? alloc_len : cmd->data_in_cap) : 0;
	w->len = 0;
}

void spc__wb_at(struct spc_wb *w, uint64_t off, const void *src, size_t n)
{
	if (off >= w->cap)
		return;
	if (n > w->cap - off)
		n = (size_t)(w->cap - off);
	memcpy(w->p + off, src, n);
}

void spc__wb_put(struct spc_wb *w, const void *src, size_t n)
{
	spc__wb_at(w, w->len, src, n);
	w->len += n;
}

void spc__wb_done(struct spc_wb *w, struct scsi_task *t)
{
	uint64_t implied = w->len < w->alloc ? w->len : w->alloc;
	t->cmd->implied_len = (uint32_t)implied;
	t->cmd->data_in_len = (uint32_t)(w->len < w->cap ? w->len : w->cap);
	scsi_good(t->cmd);
}

/* --- table lookups --------------------------------------------------------------- */

const struct scsi_sa_op *spc__sa_find(const struct scsi_sa_op *tab, uint8_t n, uint8_t sa)
{
	for (uint8_t i = 0; i < n; i++)
		if (tab[i].sa == sa)
			return &tab[i];
	return NULL;
}

uint8_t spc__op_sa(const struct scsi_op *op, const struct scsi_sa_op **sa)
{
	static const struct {
		scsi_handler_fn *router;
		const struct scsi_sa_op *tab;
		const uint8_t *n;
	} routers[] = {
		{spc_pr_in, spc_pr_in_sa, &spc_n_pr_in_sa},
		{spc_pr_out, spc_pr_out_sa, &spc_n_pr_out_sa},
		{spc_maintenance_in, spc_maint_in_sa, &spc_n_maint_in_sa},
	};
	*sa = NULL;
	if (op->flags & SCSI_OP_SA) {
		*sa = op->sa;
		return op->sa ? op->n_sa : 0;
	}
	for (size_t i = 0; i < sizeof routers / sizeof routers[0]; i++) {
		if (op->fn == routers[i].router) {
			*sa = routers[i].tab;
			return *routers[i].n;
		}
	}
	return 0;
}

bool spc__cdb_ok(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!t->dev)                    /* REPORT LUNS for a LUN that does not exist */
		return true;
	const struct scsi_op *op = &t->dev->ops[cdb[0]];
	const struct scsi_sa_op *sa_tab;
	uint8_t n_sa = spc__op_sa(op, &sa_tab);
	const uint8_t *usage = op->usage;
	uint8_t len = op->cdb_len;
	if (n_sa) {
		const struct scsi_sa_op *sa = spc__sa_find(sa_tab, n_sa, cdb[1] & 0x1f);
		if (!sa)
			return true;    /* the router reports the unknown service action */
		usage = sa->usage;
		len = sa->cdb_len;
	}
	for (uint8_t i = 1; i + 1 < len && i < SCSI_CDB_MAX; i++) {
		uint8_t bad = (uint8_t)(cdb[i] & ~usage[i]);
		if (bad) {
			int bit = 7;
			while (!(bad & (1u << bit)))
				bit--;
			scsi_sense_field(t->cmd, true, i, bit);
			return false;
		}
	}
	return true;
}

/* --- TEST UNIT READY (SPC-4 6.47) ------------------------------------------------- */

void spc_test_unit_ready(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	/* The changer is always ready: its inventory is exact and never needs a scan.
	 * A drive is ready while a cartridge is loaded (SSC-4 4.2.1). */
	if (t->drive && !t->drive->loaded) {
		scsi_sense(t->cmd, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	scsi_good(t->cmd);
}

/* --- REQUEST SENSE (SPC-4 6.39) --------------------------------------------------- */

/* Fixed (70h/71h) to descriptor format (72h/73h) sense data (SPC-4 4.5.2): key, ASC and
 * ASCQ move to the header; INFORMATION, the sense-key specific bytes and the tape flags
 * become an information, a sense key specific and a stream commands descriptor. */
static uint8_t spc__sense_to_desc(const uint8_t *f, uint8_t *d)
{
	uint8_t n = 8;
	memset(d, 0, 32);
	d[0] = (f[0] & 0x7f) == 0x71 ? 0x73 : 0x72;
	d[1] = f[2] & 0x0f;
	d[2] = f[12];
	d[3] = f[13];
	if (f[0] & 0x80) {              /* information, type 00h: 8 bytes, sign-extended */
		d[n] = 0x00;
		d[n + 1] = 0x0a;
		d[n + 2] = 0x80;
		memset(&d[n + 4], (f[3] & 0x80) ? 0xff : 0x00, 4);
		memcpy(&d[n + 8], &f[3], 4);
		n += 12;
	}
	if (f[15] & 0x80) {             /* sense key specific, type 02h */
		d[n] = 0x02;
		d[n + 1] = 0x06;
		memcpy(&d[n + 4], &f[15], 3);
		n += 8;
	}
	if (f[2] & 0xe0) {              /* stream commands, type 04h: FILEMARK EOM ILI */
		d[n] = 0x04;
		d[n + 1] = 0x02;
		d[n + 3] = f[2] & 0xe0;
		n += 4;
	}
	d[7] = (uint8_t)(n - 8);
	return n;
}

void spc_request_sense(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint8_t fixed[SCSI_SENSE_MAX] = {0}, out[SCSI_SENSE_MAX];
	if (!spc__cdb_ok(t))
		return;
	uint8_t n = scsi_ua_take(t->nx, fixed);
	if (!n && t->nx->deferred_sense_len) {
		n = t->nx->deferred_sense_len;
		memcpy(fixed, t->nx->deferred_sense, n);
		t->nx->deferred_sense_len = 0;
	}
	if (!n) {
		n = scsi_sense_build(fixed, SENSE_NO_SENSE, ASC_NO_ADDITIONAL_SENSE);
		/* SSC-4 4.2.5: past early warning the drive keeps reporting EOM */
		if (t->drive && t->drive->loaded && t->drive->early_warning)
			fixed[2] |= SENSE_FLAG_EOM;
	}
	if (cdb[1] & 0x01) {            /* DESC: descriptor format requested */
		n = spc__sense_to_desc(fixed, out);
		scsi_data_in(t, out, n, cdb[4]);
	} else {
		scsi_data_in(t, fixed, n, cdb[4]);
	}
	scsi_good(t->cmd);
}

/* --- REPORT LUNS (SPC-4 6.33) ------------------------------------------------------ */

void spc_report_luns(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint32_t alloc = get_be32(&cdb[6]);
	uint8_t select = cdb[2];
	uint8_t lun[8];
	struct spc_wb w;

	if (!spc__cdb_ok(t))
		return;
	if (alloc < 16) {               /* SPC-4 6.33: at least 16 bytes must be allowed */
		scsi_sense_field(t->cmd, true, 6, -1);
		return;
	}
	/* 00h all LUs, 01h well-known LUs only (none here), 02h all accessible LUs */
	if (select > 0x02) {
		scsi_sense_field(t->cmd, true, 2, -1);
		return;
	}
	size_t n = select == 0x01 ? 0 : t->lib->n_lus;
	uint8_t hdr[8] = {0};
	put_be32(hdr, (uint32_t)(n * 8));
	spc__wb_init(&w, t, alloc);
	spc__wb_put(&w, hdr, sizeof hdr);
	for (size_t i = 0; i < n; i++) {
		/* peripheral device addressing below 256, flat space addressing above */
		memset(lun, 0, sizeof lun);
		if (i < 256) {
			lun[1] = (uint8_t)i;
		} else {
			lun[0] = (uint8_t)(0x40 | (i >> 8));
			lun[1] = (uint8_t)i;
		}
		spc__wb_put(&w, lun, sizeof lun);
	}
	/* SPC-4 6.33: this nexus has now seen the current LUN inventory */
	if (t->nx)
		t->nx->ua &= ~(uint32_t)LIB_UA_LUNS_CHANGED;
	spc__wb_done(&w, t);
}

/* --- MAINTENANCE IN ------------------------------------------------------------------ */

/* REPORT TARGET PORT GROUPS (SPC-4 6.36). Each node is its own target port group whose
 * single port is the iSCSI target portal group; for now only this node's group is
 * reported, active/optimized (DESIGN.md, "Device identity"). */
void spc__report_tpgs(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint8_t format = cdb[1] >> 5;
	uint8_t buf[8 + 8 + 4] = {0};
	uint32_t hdr = format == 1 ? 8 : 4;
	uint16_t tpg = t->cmd->nexus.tpgt;

	if (!spc__cdb_ok(t))
		return;
	if (format > 1) {
		scsi_sense_field(t->cmd, true, 1, 7);
		return;
	}
	uint8_t *d = buf + hdr;
	d[0] = 0x80 | 0x00;             /* PREF, asymmetric access state 0: active/optimized */
	d[1] = 0x80 | 0x02 | 0x01;      /* T_SUP, AN_SUP, AO_SUP */
	put_be16(&d[2], tpg);
	d[7] = 1;                       /* target port count */
	put_be16(&d[8 + 2], tpg);       /* relative target port identifier */
	uint32_t len = hdr + 12;
	put_be32(buf, len - 4);
	if (format == 1) {
		buf[4] = 0x10;          /* format type 001b: extended header */
		buf[5] = 0;             /* implicit transition time: immediate */
	}
	scsi_data_in(t, buf, len, get_be32(&cdb[6]));
	scsi_good(t->cmd);
}

const struct scsi_sa_op spc_maint_in_sa[] = {
	{SA_REPORT_TARGET_PORT_GROUPS, "REPORT TARGET PORT GROUPS", spc__report_tpgs, 12,
	 {OP_MAINTENANCE_IN, 0xe0 | SA_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, SPC_CTL}},
	{SA_REPORT_SUPPORTED_OPCODES, "REPORT SUPPORTED OPERATION CODES", spc__rsoc, 12,
	 {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, SPC_CTL}},
};
const uint8_t spc_n_maint_in_sa = sizeof spc_maint_in_sa / sizeof spc_maint_in_sa[0];

void spc_maintenance_in(struct scsi_task *t)
{
	const struct scsi_sa_op *sa = spc__sa_find(spc_maint_in_sa, spc_n_maint_in_sa, t->cmd->cdb[1] & 0x1f);
	if (!sa) {
		scsi_sense_field(t->cmd, true, 1, 4);
		return;
	}
	sa->fn(t);
}
