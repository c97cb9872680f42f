/* test_spc_mode.c - MODE SENSE / MODE SELECT (generic over the device type's pages) and
 * REPORT SUPPORTED OPERATION CODES (generic over its opcode table), on the changer and a
 * drive. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/scsi_spc/scsi_fx.h"

/* page 1Dh of the fixture: transport 0001 x1, slots 0400 x10, I/E 0300 x2, drives 0100 x2 */
static const uint8_t page_1d[20] = {0x1d, 0x12, 0x00, 0x01, 0x00, 0x01, 0x04, 0x00, 0x00, 0x0a,
				    0x03, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x02, 0, 0};
static const uint8_t page_1e[4] = {0x1e, 0x02, 0, 0};
static const uint8_t page_1f[20] = {0x1f, 0x12, 0x0e, 0, 0x00, 0x0e, 0x0e, 0x0e};

static void mode_sense_changer(void)
{
	struct sfx f;
	sfx_open(&f, "spc_msense");
	sfx_clear_all(&f);
	const uint8_t ms1d[6] = {OP_MODE_SENSE_6, 0, 0x1d, 0, 255, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, ms1d, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 24);
	CHECK_EQ(f.in[0], 23);
	CHECK_EQ(f.in[1], 0);
	CHECK_EQ(f.in[2], 0);
	CHECK_EQ(f.in[3], 0);           /* the changer has no block descriptor */
	CHECK(!memcmp(&f.in[4], page_1d, sizeof page_1d));

	/* all pages, in page code order, (6) and (10) */
	const uint8_t all6[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, all6, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4 + 44);
	CHECK(!memcmp(&f.in[4], page_1d, 20));
	CHECK(!memcmp(&f.in[24], page_1e, 4));
	CHECK(!memcmp(&f.in[28], page_1f, 20));
	const uint8_t all10[10] = {OP_MODE_SENSE_10, 0, 0x3f, 0xff, 0, 0, 0, 1, 0, 0};
	c = sfx_run(&f, &f.a, 0, all10, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8 + 44);
	CHECK_EQ(get_be16(f.in), 8 + 44 - 2);
	CHECK_EQ(get_be16(&f.in[6]), 0);
	CHECK(!memcmp(&f.in[8], page_1d, 20));
	/* changeable values: all zero */
	const uint8_t chg[6] = {OP_MODE_SENSE_6, 0, 0x40 | 0x1f, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, chg, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[4], 0x1f);
	CHECK_EQ(f.in[5], 0x12);
	for (int i = 6; i < 24; i++)
		CHECK_EQ(f.in[i], 0);
	/* defaults equal current */
	const uint8_t def[6] = {OP_MODE_SENSE_6, 0, 0x80 | 0x1d, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, def, NULL, 0, 255);
	CHECK(!memcmp(&f.in[4], page_1d, sizeof page_1d));
	/* saved values are not implemented */
	const uint8_t saved[6] = {OP_MODE_SENSE_6, 0, 0xc0 | 0x1d, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, saved, NULL, 0, 255);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
	/* unknown page, unknown subpage of a known page, bad subpage with 3Fh */
	const uint8_t p10[6] = {OP_MODE_SENSE_6, 0, 0x10, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, p10, NULL, 0, 255);
	SFX_FIELD(c, true, 2, 5);
	const uint8_t sub1[6] = {OP_MODE_SENSE_6, 0, 0x1d, 0x01, 255, 0};
	c = sfx_run(&f, &f.a, 0, sub1, NULL, 0, 255);
	SFX_FIELD(c, true, 3, -1);
	const uint8_t sub5[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0x05, 255, 0};
	c = sfx_run(&f, &f.a, 0, sub5, NULL, 0, 255);
	SFX_FIELD(c, true, 3, -1);
	/* allocation length: 10 bytes, the header still counts everything */
	const uint8_t short6[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 10, 0};
	c = sfx_run(&f, &f.a, 0, short6, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 10);
	CHECK_EQ(f.in[0], 47);
	sfx_close(&f);
}

static struct scsi_cmd select6(struct sfx *f, const struct scsi_nexus *nx, uint8_t b1, const uint8_t *list,
			       uint32_t len)
{
	const uint8_t sel[6] = {OP_MODE_SELECT_6, b1, 0, 0, (uint8_t)len, 0};
	return sfx_run(f, nx, 0, sel, list, len, 0);
}

static void mode_select_changer(void)
{
	struct sfx f;
	uint8_t list[64] = {0};
	sfx_open(&f, "spc_mselect");
	sfx_clear_all(&f);
	memcpy(&list[4], page_1d, sizeof page_1d);
	list[4] |= 0x80;                /* PS as MODE SENSE might report it: ignored */

	/* round trip: current values back are accepted, the other nexuses get 2A/01 */
	SFX_GOOD(select6(&f, &f.a, 0x10, list, 24));
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, tur, NULL, 0, 0));
	struct scsi_cmd c = sfx_run(&f, &f.b, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_MODE_PARAMETERS_CHANGED);
	c = sfx_run(&f, &f.b, 1, tur, NULL, 0, 0);    /* only the changer's nexuses */
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	/* the list length 0 is no error and changes nothing */
	SFX_GOOD(select6(&f, &f.a, 0x10, list, 0));
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));

	/* an unchangeable field with another value: pointer to that byte of the list */
	list[4 + 9] = 0x0b;
	c = select6(&f, &f.a, 0x10, list, 24);
	SFX_FIELD(c, false, 13, -1);
	list[4 + 9] = 0x0a;
	/* a wrong page length, an unknown page, a block descriptor the changer lacks */
	list[5] = 0x11;
	c = select6(&f, &f.a, 0x10, list, 24);
	SFX_FIELD(c, false, 5, -1);
	list[5] = 0x12;
	list[4] = 0x05;
	c = select6(&f, &f.a, 0x10, list, 24);
	SFX_FIELD(c, false, 4, 5);
	list[4] = 0x1d;
	list[3] = 8;
	c = select6(&f, &f.a, 0x10, list, 24);
	SFX_FIELD(c, false, 3, -1);
	list[3] = 0;
	/* PF = 0, SP = 1, a list shorter than its header, a page cut by the list length */
	c = select6(&f, &f.a, 0x00, list, 24);
	SFX_FIELD(c, true, 1, 4);
	c = select6(&f, &f.a, 0x11, list, 24);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
	c = select6(&f, &f.a, 0x10, list, 3);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	c = select6(&f, &f.a, 0x10, list, 14);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	c = select6(&f, &f.a, 0x10, list, 5);   /* one byte of a page header */
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	/* the initiator sent fewer bytes than the CDB announced */
	const uint8_t sel[6] = {OP_MODE_SELECT_6, 0x10, 0, 0, 24, 0};
	c = sfx_run(&f, &f.a, 0, sel, list, 10, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	/* none of the failures raised a unit attention */
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));

	/* MODE SELECT(10) with two pages */
	uint8_t l10[8 + 20 + 4] = {0};
	memcpy(&l10[8], page_1d, 20);
	memcpy(&l10[28], page_1e, 4);
	const uint8_t sel10[10] = {OP_MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, 0, sizeof l10, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, sel10, l10, sizeof l10, 0));
	c = sfx_run(&f, &f.c, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_MODE_PARAMETERS_CHANGED);
	sfx_close(&f);
}

/* A drive: sense every page with MODE SENSE(10) and send the whole answer back. */
static void mode_round_trip_drive(void)
{
	struct sfx f;
	uint8_t buf[4096];
	sfx_open(&f, "spc_mdrive");
	sfx_clear_all(&f);
	const uint8_t ms[10] = {OP_MODE_SENSE_10, 0, 0x3f, 0, 0, 0, 0, 0x10, 0, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 1, ms, NULL, 0, 4096);
	SFX_GOOD(c);
	uint32_t len = get_be16(f.in) + 2u;
	CHECK_EQ(len, c.data_in_len);
	CHECK(len > 8);
	memcpy(buf, f.in, len);
	buf[0] = buf[1] = 0;            /* mode data length is reserved in MODE SELECT */
	for (uint32_t off = 8 + get_be16(&buf[6]); off < len;) {
		buf[off] &= 0x7f;       /* PS */
		off += (buf[off] & 0x40) ? 4u + get_be16(&buf[off + 2]) : 2u + buf[off + 1];
	}
	const uint8_t sel[10] = {OP_MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, (uint8_t)(len >> 8), (uint8_t)len, 0};
	c = sfx_run(&f, &f.a, 1, sel, buf, len, 0);
	SFX_GOOD(c);
	/* MODE SENSE(6) of the drive has its block descriptor and device-specific byte */
	const uint8_t ms6[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 255, 0};
	c = sfx_run(&f, &f.a, 1, ms6, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[3], 8);
	const uint8_t ms6dbd[6] = {OP_MODE_SENSE_6, 0x08, 0x3f, 0, 255, 0};
	c = sfx_run(&f, &f.a, 1, ms6dbd, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[3], 0);
	sfx_close(&f);
}

/* Counts the descriptors REPORT SUPPORTED OPERATION CODES should list for a table. */
static unsigned expected_ops(const struct scsi_devtype *dev)
{
	unsigned n = 0;
	for (unsigned op = 0; op < 256; op++) {
		const struct scsi_op *o = &dev->ops[op];
		if (o->flags & SCSI_OP_SA)
			n += o->n_sa;
		else if (o->fn == spc_pr_in)
			n += spc_n_pr_in_sa;
		else if (o->fn == spc_pr_out)
			n += spc_n_pr_out_sa;
		else if (o->fn == spc_maintenance_in)
			n += spc_n_maint_in_sa;
		else if (o->fn)
			n++;
	}
	return n;
}

/* Every descriptor names a table entry that exists, and every entry is listed. */
static void rsoc_all(struct sfx *f, uint64_t lun, const struct scsi_devtype *dev, bool rctd)
{
	uint8_t cdb[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, rctd ? 0x80 : 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
	struct scsi_cmd c = sfx_run(f, &f->a, lun, cdb, NULL, 0, SFX_BUF);
	SFX_GOOD(c);
	uint32_t dlen = rctd ? 20 : 8;
	uint32_t total = get_be32(f->in);
	CHECK_EQ(total + 4, c.data_in_len);
	CHECK_EQ(total / dlen, expected_ops(dev));
	CHECK_EQ(total % dlen, 0);
	bool seen[256] = {false};
	for (uint32_t off = 4; off < 4 + total; off += dlen) {
		const uint8_t *d = &f->in[off];
		const struct scsi_op *o = &dev->ops[d[0]];
		CHECK(o->fn || (o->flags & SCSI_OP_SA));
		CHECK_EQ(d[5] & 0x02, rctd ? 0x02 : 0);
		if (d[5] & 0x01) {      /* SERVACTV */
			const struct scsi_sa_op *tab = o->sa;
			uint8_t n = o->n_sa;
			if (o->fn == spc_pr_in)
				tab = spc_pr_in_sa, n = spc_n_pr_in_sa;
			else if (o->fn == spc_pr_out)
				tab = spc_pr_out_sa, n = spc_n_pr_out_sa;
			else if (o->fn == spc_maintenance_in)
				tab = spc_maint_in_sa, n = spc_n_maint_in_sa;
			bool found = false;
			for (uint8_t i = 0; i < n; i++)
				if (tab[i].sa == get_be16(&d[2]) && tab[i].cdb_len == get_be16(&d[6]))
					found = true;
			CHECK(found);
		} else {
			CHECK_EQ(get_be16(&d[6]), o->cdb_len);
			CHECK(!seen[d[0]]);
		}
		seen[d[0]] = true;
		if (rctd)
			CHECK_EQ(get_be16(&d[8]), 10);
	}
	for (unsigned op = 0; op < 256; op++)
		CHECK_EQ(seen[op], dev->ops[op].fn != NULL || (dev->ops[op].flags & SCSI_OP_SA) != 0);
}

static void rsoc(void)
{
	struct sfx f;
	sfx_open(&f, "spc_rsoc");
	sfx_clear_all(&f);
	rsoc_all(&f, 0, &smc_devtype, false);
	rsoc_all(&f, 0, &smc_devtype, true);
	rsoc_all(&f, 1, &ssc_devtype, false);
	rsoc_all(&f, 2, &ssc_devtype, true);

	/* one command: MOVE MEDIUM, with its usage data */
	const uint8_t one[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 1, OP_MOVE_MEDIUM, 0, 0, 0, 0, 1, 0, 0, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, one, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4 + 12);
	CHECK_EQ(f.in[1], 0x03);
	CHECK_EQ(get_be16(&f.in[2]), 12);
	CHECK(!memcmp(&f.in[4], smc_devtype.ops[OP_MOVE_MEDIUM].usage, 12));
	CHECK_EQ(f.in[4], OP_MOVE_MEDIUM);
	/* with timeouts */
	const uint8_t onet[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0x81, OP_INQUIRY, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, onet, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4 + 6 + 12);
	CHECK_EQ(f.in[1], 0x83);
	CHECK_EQ(get_be16(&f.in[10]), 10);
	/* not supported: EXCHANGE MEDIUM */
	const uint8_t ex[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 1, OP_EXCHANGE_MEDIUM, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, ex, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4);
	CHECK_EQ(f.in[1], 0x01);
	/* option 1 on an opcode with service actions, option 2 on one without */
	const uint8_t prin1[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 1, OP_PERSISTENT_RESERVE_IN, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, prin1, NULL, 0, 256);
	SFX_FIELD(c, true, 3, -1);
	const uint8_t inq2[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 2, OP_INQUIRY, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, inq2, NULL, 0, 256);
	SFX_FIELD(c, true, 3, -1);
	/* option 2: PR IN READ RESERVATION, and an SA that does not exist */
	const uint8_t prin2[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 2, OP_PERSISTENT_RESERVE_IN, 0, 1, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, prin2, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(f.in[1], 0x03);
	CHECK_EQ(get_be16(&f.in[2]), 10);
	CHECK_EQ(f.in[4], OP_PERSISTENT_RESERVE_IN);
	CHECK_EQ(f.in[5] & 0x1f, 1);
	const uint8_t prin9[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 2, OP_PERSISTENT_RESERVE_IN, 0, 9, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, prin9, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(f.in[1], 0x01);
	/* option 3 on an opcode without service actions */
	const uint8_t inq3[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 3, OP_INQUIRY, 0, 7, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, inq3, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(f.in[1], 0x03);
	CHECK_EQ(get_be16(&f.in[2]), 6);
	/* reporting option 4, reserved bits */
	const uint8_t opt4[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, opt4, NULL, 0, 256);
	SFX_FIELD(c, true, 2, 2);
	const uint8_t rsv[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, rsv, NULL, 0, 256);
	SFX_FIELD(c, true, 2, 6);
	/* allocation length 10: header says everything */
	const uint8_t cut[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0};
	c = sfx_run(&f, &f.a, 0, cut, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 10);
	CHECK_EQ(get_be32(f.in), expected_ops(&smc_devtype) * 8);
	sfx_close(&f);
}

int main(void)
{
	mode_sense_changer();
	mode_select_changer();
	mode_round_trip_drive();
	rsoc();
	printf("test_spc_mode: ok\n");
	return 0;
}
