/* spc_rsoc.c - REPORT SUPPORTED OPERATION CODES (SPC-4 6.35, MAINTENANCE IN service
 * action 0Ch), answered from the device type's opcode table so the report can never
 * disagree with what the dispatcher executes (STYLE.md 4).
 *
 * Command timeouts descriptors (RCTD) report 0: no nominal or recommended timeout is
 * specified (SPC-4 6.35.4); every command here completes in store time.
 *
 * Concurrency: under the LU's lock; reads only the constant tables. */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/spc_int.h"

#define RSOC__TIMEOUTS_LEN 12

static void spc__rsoc_timeouts(struct spc_wb *w)
{
	uint8_t d[RSOC__TIMEOUTS_LEN] = {0};
	put_be16(d, RSOC__TIMEOUTS_LEN - 2);
	spc__wb_put(w, d, sizeof d);
}

static void spc__rsoc_desc(struct spc_wb *w, uint8_t op, const struct scsi_sa_op *sa,
			   uint8_t cdb_len, bool rctd)
{
	uint8_t d[8] = {0};
	d[0] = op;
	if (sa) {
		put_be16(&d[2], sa->sa);
		d[5] = 0x01;            /* SERVACTV */
	}
	if (rctd)
		d[5] |= 0x02;           /* CTDP */
	put_be16(&d[6], cdb_len);
	spc__wb_put(w, d, sizeof d);
	if (rctd)
		spc__rsoc_timeouts(w);
}

/* Reporting options 000b: every supported command, one descriptor per service action. */
static void spc__rsoc_all(struct scsi_task *t, bool rctd, uint32_t alloc)
{
	struct spc_wb w;
	uint8_t hdr[4] = {0};
	spc__wb_init(&w, t, alloc);
	spc__wb_put(&w, hdr, sizeof hdr);
	for (unsigned op = 0; op < 256; op++) {
		const struct scsi_op *o = &t->dev->ops[op];
		const struct scsi_sa_op *sa;
		uint8_t n_sa = spc__op_sa(o, &sa);
		for (uint8_t i = 0; i < n_sa; i++)
			spc__rsoc_desc(&w, (uint8_t)op, &sa[i], sa[i].cdb_len, rctd);
		if (!n_sa && o->fn)
			spc__rsoc_desc(&w, (uint8_t)op, NULL, o->cdb_len, rctd);
	}
	put_be32(hdr, (uint32_t)(w.len - 4));
	spc__wb_at(&w, 0, hdr, sizeof hdr);
	spc__wb_done(&w, t);
}

/* The one-command format (SPC-4 6.35.3): support, CDB size and CDB usage data. */
static void spc__rsoc_one_out(struct scsi_task *t, uint8_t op, const struct scsi_sa_op *sa,
			      const struct scsi_op *o, bool rctd, uint32_t alloc)
{
	uint8_t b[4 + SCSI_CDB_MAX + RSOC__TIMEOUTS_LEN] = {0};
	uint32_t n = 4;
	bool supported = sa || (o && o->fn);
	if (supported) {
		uint8_t cdb_len = sa ? sa->cdb_len : o->cdb_len;
		b[1] = 0x03;            /* SUPPORT 011b: supported as the standard says */
		put_be16(&b[2], cdb_len);
		memcpy(&b[4], sa ? sa->usage : o->usage, cdb_len);
		b[4] = op;              /* the first byte is always the opcode */
		if (sa)
			b[5] = (uint8_t)((b[5] & 0xe0) | (sa->sa & 0x1f));
		n += cdb_len;
		if (rctd) {
			b[1] |= 0x80;   /* CTDP */
			put_be16(&b[n], RSOC__TIMEOUTS_LEN - 2);
			n += RSOC__TIMEOUTS_LEN;
		}
	} else {
		b[1] = 0x01;            /* SUPPORT 001b: not supported */
	}
	scsi_data_in(t, b, n, alloc);
	scsi_good(t->cmd);
}

void spc__rsoc(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	bool rctd = cdb[2] & 0x80;
	uint8_t opt = cdb[2] & 0x07, op = cdb[3];
	uint16_t req_sa = get_be16(&cdb[4]);
	uint32_t alloc = get_be32(&cdb[6]);
	const struct scsi_op *o = &t->dev->ops[op];
	const struct scsi_sa_op *sa_tab;
	uint8_t n_sa = spc__op_sa(o, &sa_tab);

	if (!spc__cdb_ok(t))
		return;
	switch (opt) {
	case 0:
		spc__rsoc_all(t, rctd, alloc);
		return;
	case 1:                         /* by opcode; an opcode with service actions is an error */
		if (n_sa) {
			scsi_sense_field(t->cmd, true, 3, -1);
			return;
		}
		spc__rsoc_one_out(t, op, NULL, o, rctd, alloc);
		return;
	case 2:                         /* by opcode and service action */
	case 3:                         /* by opcode, and service action if it has them */
		if (!n_sa) {
			if (opt == 2 && o->fn) {
				scsi_sense_field(t->cmd, true, 3, -1);
				return;
			}
			spc__rsoc_one_out(t, op, NULL, opt == 3 ? o : NULL, rctd, alloc);
			return;
		}
		if (req_sa > 0x1f) {
			spc__rsoc_one_out(t, op, NULL, NULL, rctd, alloc);
			return;
		}
		spc__rsoc_one_out(t, op, spc__sa_find(sa_tab, n_sa, (uint8_t)req_sa), NULL, rctd, alloc);
		return;
	default:
		scsi_sense_field(t->cmd, true, 2, 2);
	}
}
