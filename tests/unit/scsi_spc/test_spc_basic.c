/* test_spc_basic.c - SPC-4 commands through scsi_exec against a real library: INQUIRY
 * and each VPD page byte by byte, REPORT LUNS, unit attentions per nexus, REQUEST SENSE,
 * REPORT TARGET PORT GROUPS. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/scsi_spc/scsi_fx.h"

static void inquiry_std(void)
{
	struct sfx f;
	sfx_open(&f, "spc_inq");
	const uint8_t inq[6] = {OP_INQUIRY, 0, 0, 0, 255, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, inq, NULL, 0, 255);
	SFX_GOOD(c);                    /* INQUIRY runs despite the power-on UA */
	CHECK_EQ(c.data_in_len, 74);
	CHECK_EQ(f.in[0], 0x08);        /* medium changer */
	CHECK_EQ(f.in[1], 0x80);        /* RMB */
	CHECK_EQ(f.in[2], 0x06);        /* SPC-4 */
	CHECK_EQ(f.in[3], 0x12);        /* HISUP, format 2 */
	CHECK_EQ(f.in[4], 69);
	CHECK_EQ(f.in[5], 0x10);        /* TPGS 01b */
	CHECK_EQ(f.in[6], 0x10);        /* MULTIP */
	CHECK_EQ(f.in[7], 0x02);        /* CMDQUE */
	CHECK(!memcmp(&f.in[8], "IBM     03584L32        0100", 28));
	CHECK_EQ(get_be16(&f.in[58]), 0x00A0);
	CHECK_EQ(get_be16(&f.in[60]), 0x0460);
	CHECK_EQ(get_be16(&f.in[62]), 0x0480);
	CHECK_EQ(get_be16(&f.in[64]), 0x0960);

	c = sfx_run(&f, &f.a, 1, inq, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[0], 0x01);        /* sequential access */
	CHECK(!memcmp(&f.in[8], "IBM     ULT3580-TD8     0200", 28));
	CHECK_EQ(get_be16(&f.in[62]), 0x0520);

	/* allocation length honoured: 36 bytes, then 5 */
	const uint8_t inq36[6] = {OP_INQUIRY, 0, 0, 0, 36, 0};
	c = sfx_run(&f, &f.a, 0, inq36, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 36);
	CHECK_EQ(c.implied_len, 36);
	const uint8_t inq5[6] = {OP_INQUIRY, 0, 0, 0, 5, 0};
	c = sfx_run(&f, &f.a, 0, inq5, NULL, 0, 255);
	CHECK_EQ(c.data_in_len, 5);
	/* a smaller transport buffer than the allocation length */
	c = sfx_run(&f, &f.a, 0, inq, NULL, 0, 20);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);

	/* CMDDT (obsolete) and a page code without EVPD */
	const uint8_t cmddt[6] = {OP_INQUIRY, 0x02, 0, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, cmddt, NULL, 0, 255);
	SFX_FIELD(c, true, 1, 1);
	const uint8_t nopage[6] = {OP_INQUIRY, 0, 0x80, 0, 255, 0};
	c = sfx_run(&f, &f.a, 0, nopage, NULL, 0, 255);
	SFX_FIELD(c, true, 2, -1);
	/* NACA in the control byte (ACA is not supported) */
	const uint8_t naca[6] = {OP_INQUIRY, 0, 0, 0, 255, 0x04};
	c = sfx_run(&f, &f.a, 0, naca, NULL, 0, 255);
	SFX_FIELD(c, true, 5, 2);
	/* a LUN that does not exist: qualifier 011b, type 1Fh */
	c = sfx_run(&f, &f.a, 9, inq, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[0], 0x7f);
	sfx_close(&f);
}

static void expect_serial(const struct sfx *f, const char *sn, const char *want_suffix)
{
	char want[32];
	snprintf(want, sizeof want, "%.8s%s", f->lib->id, want_suffix);
	for (char *p = want; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	CHECK_EQ(strlen(sn), strlen(want));
	CHECK(!strcmp(sn, want));
}

static void vpd_00_80(void)
{
	struct sfx f;
	sfx_open(&f, "spc_vpd");
	const uint8_t p00[6] = {OP_INQUIRY, 1, 0x00, 0, 255, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, p00, NULL, 0, 255);
	SFX_GOOD(c);
	const uint8_t want0[] = {0x08, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83};
	CHECK_EQ(c.data_in_len, sizeof want0);
	CHECK(!memcmp(f.in, want0, sizeof want0));
	c = sfx_run(&f, &f.a, 2, p00, NULL, 0, 255);
	SFX_GOOD(c);
	const uint8_t want1[] = {0x01, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0xb0};
	CHECK_EQ(c.data_in_len, sizeof want1);
	CHECK(!memcmp(f.in, want1, sizeof want1));

	const uint8_t p80[6] = {OP_INQUIRY, 1, 0x80, 0, 255, 0};
	char sn[64] = {0};
	c = sfx_run(&f, &f.a, 0, p80, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[0], 0x08);
	CHECK_EQ(f.in[1], 0x80);
	CHECK_EQ(get_be16(&f.in[2]), c.data_in_len - 4);
	memcpy(sn, &f.in[4], c.data_in_len - 4);
	expect_serial(&f, sn, "00");
	c = sfx_run(&f, &f.a, 2, p80, NULL, 0, 255);
	SFX_GOOD(c);
	memset(sn, 0, sizeof sn);
	memcpy(sn, &f.in[4], c.data_in_len - 4);
	expect_serial(&f, sn, "02");
	CHECK(!strcmp(sn, f.lib->drives[1].serial));

	/* 0xB0 is the drive's (delegated), the changer has none; unknown pages fail */
	const uint8_t pb0[6] = {OP_INQUIRY, 1, 0xb0, 0, 255, 0};
	c = sfx_run(&f, &f.a, 1, pb0, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(f.in[0], 0x01);
	CHECK_EQ(f.in[1], 0xb0);
	c = sfx_run(&f, &f.a, 0, pb0, NULL, 0, 255);
	SFX_FIELD(c, true, 2, -1);
	const uint8_t p99[6] = {OP_INQUIRY, 1, 0x99, 0, 255, 0};
	c = sfx_run(&f, &f.a, 1, p99, NULL, 0, 255);
	SFX_FIELD(c, true, 2, -1);
	/* allocation length cuts a VPD page */
	const uint8_t p80s[6] = {OP_INQUIRY, 1, 0x80, 0, 6, 0};
	c = sfx_run(&f, &f.a, 0, p80s, NULL, 0, 255);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 6);
	sfx_close(&f);
}

static uint8_t hexval(char ch)
{
	return (uint8_t)(isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10);
}

/* NAA 6 | company id 0A5E57 | 23 hex digits of the library id | LUN (2 digits) */
static void expect_naa(const struct sfx *f, const uint8_t *naa, uint64_t lun)
{
	char hex[33];
	snprintf(hex, sizeof hex, "60A5E57%.23s%02x", f->lib->id, (unsigned)lun);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(naa[i], hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
}

/* Parses VPD 0x83 of (nx, lun) in f->in and checks every designator; returns a copy of
 * the NAA designator. */
static void check_devid(struct sfx *f, const struct scsi_nexus *nx, uint64_t lun, uint8_t naa[16])
{
	const uint8_t p83[6] = {OP_INQUIRY, 1, 0x83, 0, 255, 0};
	struct scsi_cmd c = sfx_run(f, nx, lun, p83, NULL, 0, 255);
	SFX_GOOD(c);
	const uint8_t *b = f->in;
	CHECK_EQ(b[0], lun ? 0x01 : 0x08);
	CHECK_EQ(b[1], 0x83);
	CHECK_EQ(get_be16(&b[2]) + 4, c.data_in_len);
	const uint8_t *d = &b[4];
	/* 1: NAA, binary, LU */
	CHECK_EQ(d[0], 0x01);
	CHECK_EQ(d[1], 0x03);
	CHECK_EQ(d[3], 16);
	CHECK_EQ(d[4] >> 4, 6);
	expect_naa(f, &d[4], lun);
	memcpy(naa, &d[4], 16);
	d += 4 + 16;
	/* 2: T10 vendor id, ASCII, LU: vendor, product, serial */
	const char *sn = lun ? f->lib->drives[lun - 1].serial : NULL;
	char csn[32];
	if (!lun) {
		snprintf(csn, sizeof csn, "%.8s00", f->lib->id);
		for (char *p = csn; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		sn = csn;
	}
	CHECK_EQ(d[0], 0x02);
	CHECK_EQ(d[1], 0x01);
	CHECK_EQ(d[3], 24 + strlen(sn));
	CHECK(!memcmp(&d[4], lun ? "IBM     ULT3580-TD8     " : "IBM     03584L32        ", 24));
	CHECK(!memcmp(&d[28], sn, strlen(sn)));
	d += 4 + d[3];
	/* 3: relative target port, 4: target port group; iSCSI, PIV, port association */
	CHECK_EQ(d[0], 0x51);
	CHECK_EQ(d[1], 0x94);
	CHECK_EQ(d[3], 4);
	CHECK_EQ(get_be16(&d[6]), nx->tpgt);
	d += 8;
	CHECK_EQ(d[0], 0x51);
	CHECK_EQ(d[1], 0x95);
	CHECK_EQ(d[3], 4);
	CHECK_EQ(get_be16(&d[6]), nx->tpgt);
	d += 8;
	CHECK_EQ(d - b, c.data_in_len);
}

static void vpd_83(void)
{
	struct sfx f;
	uint8_t n0a[16], n0b[16], n1[16], n2[16], again[16];
	sfx_open(&f, "spc_vpd83");
	check_devid(&f, &f.a, 0, n0a);
	check_devid(&f, &f.b, 0, n0b);  /* another port: same LU designator */
	CHECK(!memcmp(n0a, n0b, 16));
	check_devid(&f, &f.a, 1, n1);
	check_devid(&f, &f.a, 2, n2);
	CHECK(memcmp(n0a, n1, 16) != 0);
	CHECK(memcmp(n1, n2, 16) != 0);
	/* the identity is persistent: same designators after the library reopens */
	char id[33];
	memcpy(id, f.lib->id, sizeof id);
	sfx_reopen(&f);
	CHECK(!memcmp(id, f.lib->id, sizeof id));
	check_devid(&f, &f.a, 1, again);
	CHECK(!memcmp(n1, again, 16));
	sfx_close(&f);
}

static void report_luns(void)
{
	struct sfx f;
	sfx_open(&f, "spc_luns");
	const uint8_t rl[12] = {OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, rl, NULL, 0, 256);
	SFX_GOOD(c);                    /* runs despite the power-on UA */
	CHECK_EQ(c.data_in_len, 8 + 3 * 8);
	CHECK_EQ(get_be32(f.in), 24);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(get_be16(&f.in[8 + 8 * i]), i);
		CHECK_EQ(get_be32(&f.in[8 + 8 * i + 2]), 0);
	}
	/* from a LUN that does not exist */
	c = sfx_run(&f, &f.a, 7, rl, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(get_be32(f.in), 24);
	/* 16 bytes: the header still says 24 */
	const uint8_t rl16[12] = {OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0};
	c = sfx_run(&f, &f.a, 0, rl16, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 16);
	CHECK_EQ(get_be32(f.in), 24);
	const uint8_t rl15[12] = {OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0, 0};
	c = sfx_run(&f, &f.a, 0, rl15, NULL, 0, 256);
	SFX_FIELD(c, true, 6, -1);
	const uint8_t wk[12] = {OP_REPORT_LUNS, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 1, wk, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(get_be32(f.in), 0);    /* no well-known LUs */
	const uint8_t all2[12] = {OP_REPORT_LUNS, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 1, all2, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(get_be32(f.in), 24);
	const uint8_t bad[12] = {OP_REPORT_LUNS, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 1, bad, NULL, 0, 256);
	SFX_FIELD(c, true, 2, -1);
	const uint8_t rsvd[12] = {OP_REPORT_LUNS, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, rsvd, NULL, 0, 256);
	SFX_FIELD(c, true, 1, 7);
	sfx_close(&f);
}

static void unit_attention(void)
{
	struct sfx f;
	sfx_open(&f, "spc_ua");
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
	const uint8_t res[12] = {OP_READ_ELEMENT_STATUS, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0};
	/* first contact: power on, then cleared for that nexus on that LU only */
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_POWER_ON_RESET_OCCURRED);
	c = sfx_run(&f, &f.a, 0, tur, NULL, 0, 0);
	SFX_GOOD(c);
	c = sfx_run(&f, &f.b, 0, res, NULL, 0, 4096);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_POWER_ON_RESET_OCCURRED);
	c = sfx_run(&f, &f.b, 0, res, NULL, 0, 4096);
	SFX_GOOD(c);
	c = sfx_run(&f, &f.a, 1, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_POWER_ON_RESET_OCCURRED);

	/* REQUEST SENSE reports the UA as data (GOOD) and clears it */
	const uint8_t rs[6] = {OP_REQUEST_SENSE, 0, 0, 0, 252, 0};
	c = sfx_run(&f, &f.c, 0, rs, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 18);
	CHECK_EQ(f.in[0], 0x70);
	CHECK_EQ(f.in[2], SENSE_UNIT_ATTENTION);
	CHECK_EQ(get_be16(&f.in[12]), ASC_POWER_ON_RESET_OCCURRED);
	c = sfx_run(&f, &f.c, 0, tur, NULL, 0, 0);
	SFX_GOOD(c);
	c = sfx_run(&f, &f.c, 0, rs, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(f.in[2], SENSE_NO_SENSE);
	CHECK_EQ(get_be16(&f.in[12]), 0);

	/* a LU reset: 29/03 for the others, not for the one that asked */
	scsi_lu_reset(f.lib, 0, &f.a);
	c = sfx_run(&f, &f.a, 0, tur, NULL, 0, 0);
	SFX_GOOD(c);
	c = sfx_run(&f, &f.c, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_BUS_DEVICE_RESET);
	/* precedence: power on before mode parameters changed */
	struct lib_nexus *nx = lib_nexus_get(&f.lib->lus[0], &f.c);
	nx->ua |= LIB_UA_MODE_CHANGED | LIB_UA_POWER_ON;
	c = sfx_run(&f, &f.c, 0, rs, NULL, 0, 252);
	CHECK_EQ(get_be16(&f.in[12]), ASC_POWER_ON_RESET_OCCURRED);
	c = sfx_run(&f, &f.c, 0, rs, NULL, 0, 252);
	CHECK_EQ(get_be16(&f.in[12]), ASC_MODE_PARAMETERS_CHANGED);
	sfx_close(&f);
}

static void request_sense(void)
{
	struct sfx f;
	sfx_open(&f, "spc_rs");
	sfx_clear_all(&f);
	/* descriptor format on request (DESC), with a UA in it */
	lib_nexus_get(&f.lib->lus[0], &f.a)->ua |= LIB_UA_REGS_PREEMPTED;
	const uint8_t rsd[6] = {OP_REQUEST_SENSE, 1, 0, 0, 252, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, rsd, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8);
	const uint8_t want[8] = {0x72, SENSE_UNIT_ATTENTION, 0x2a, 0x05, 0, 0, 0, 0};
	CHECK(!memcmp(f.in, want, 8));
	/* deferred sense is reported once, then NO SENSE */
	struct lib_nexus *nx = lib_nexus_get(&f.lib->lus[1], &f.a);
	nx->deferred_sense_len = scsi_sense_build(nx->deferred_sense, SENSE_MEDIUM_ERROR, ASC_WRITE_ERROR);
	nx->deferred_sense[0] = 0x71;
	const uint8_t rs[6] = {OP_REQUEST_SENSE, 0, 0, 0, 252, 0};
	c = sfx_run(&f, &f.a, 1, rs, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(f.in[0], 0x71);
	CHECK_EQ(f.in[2], SENSE_MEDIUM_ERROR);
	CHECK_EQ(get_be16(&f.in[12]), ASC_WRITE_ERROR);
	c = sfx_run(&f, &f.a, 1, rs, NULL, 0, 252);
	CHECK_EQ(f.in[0], 0x70);
	CHECK_EQ(f.in[2], SENSE_NO_SENSE);
	/* a drive past early warning reports EOM in NO SENSE */
	const uint8_t mv[12] = {OP_MOVE_MEDIUM, 0, 0, 0, 0x04, 0x00, 0x01, 0x00, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, mv, NULL, 0, 0));
	sfx_clear_ua(&f, &f.a, 1);
	f.lib->drives[0].early_warning = true;
	c = sfx_run(&f, &f.a, 1, rs, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(f.in[2], SENSE_FLAG_EOM | SENSE_NO_SENSE);
	/* the descriptor form of the same: a stream commands descriptor with EOM */
	c = sfx_run(&f, &f.a, 1, rsd, NULL, 0, 252);
	CHECK_EQ(c.data_in_len, 12);
	CHECK_EQ(f.in[0], 0x72);
	CHECK_EQ(f.in[7], 4);
	CHECK_EQ(f.in[8], 0x04);
	CHECK_EQ(f.in[11], SENSE_FLAG_EOM);
	/* allocation length 4 */
	const uint8_t rs4[6] = {OP_REQUEST_SENSE, 0, 0, 0, 4, 0};
	c = sfx_run(&f, &f.a, 0, rs4, NULL, 0, 252);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4);
	/* reserved bits */
	const uint8_t rsb[6] = {OP_REQUEST_SENSE, 2, 0, 0, 252, 0};
	c = sfx_run(&f, &f.a, 0, rsb, NULL, 0, 252);
	SFX_FIELD(c, true, 1, 1);
	sfx_close(&f);
}

static void test_unit_ready(void)
{
	struct sfx f;
	sfx_open(&f, "spc_tur");
	sfx_clear_all(&f);
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, tur, NULL, 0, 0));
	struct scsi_cmd c = sfx_run(&f, &f.a, 1, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	const uint8_t bad[6] = {OP_TEST_UNIT_READY, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, bad, NULL, 0, 0);
	SFX_FIELD(c, true, 2, 0);
	sfx_close(&f);
}

static void report_tpgs(void)
{
	struct sfx f;
	sfx_open(&f, "spc_rtpg");
	sfx_clear_all(&f);
	const uint8_t rtpg[12] = {OP_MAINTENANCE_IN, SA_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	struct scsi_cmd c = sfx_run(&f, &f.b, 0, rtpg, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 16);
	CHECK_EQ(get_be32(f.in), 12);
	CHECK_EQ(f.in[4], 0x80);        /* PREF, active/optimized */
	CHECK_EQ(f.in[5], 0x83);        /* T_SUP AN_SUP AO_SUP */
	CHECK_EQ(get_be16(&f.in[6]), f.b.tpgt);
	CHECK_EQ(f.in[11], 1);
	CHECK_EQ(get_be16(&f.in[14]), f.b.tpgt);
	const uint8_t ext[12] = {OP_MAINTENANCE_IN, 0x20 | SA_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 1, ext, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);
	CHECK_EQ(get_be32(f.in), 16);
	CHECK_EQ(f.in[4], 0x10);
	CHECK_EQ(get_be16(&f.in[10]), f.a.tpgt);
	const uint8_t fmt2[12] = {OP_MAINTENANCE_IN, 0x40 | SA_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, fmt2, NULL, 0, 256);
	SFX_FIELD(c, true, 1, 7);
	const uint8_t badsa[12] = {OP_MAINTENANCE_IN, 0x05, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, badsa, NULL, 0, 256);
	SFX_FIELD(c, true, 1, 4);
	sfx_close(&f);
}

int main(void)
{
	inquiry_std();
	vpd_00_80();
	vpd_83();
	report_luns();
	unit_attention();
	request_sense();
	test_unit_ready();
	report_tpgs();
	printf("test_spc_basic: ok\n");
	return 0;
}
