/* test_ssc_cmds.c - the opcode table (every entry runs once, REPORT SUPPORTED OPERATION
 * CODES lists each), malformed CDBs (05/24/00 with the right field pointer), and the
 * informational commands: READ BLOCK LIMITS, REPORT DENSITY SUPPORT, LOG SENSE/SELECT,
 * READ ATTRIBUTE, mode parameters and VPD 0xB0. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ssc/ssc_fx.h"

#define BUF (64 * 1024)

/* Runs cdb (len bytes, zeros past the opcode and service action) and checks it was not
 * refused as an unknown opcode or service action and did not come back BUSY. */
static void walk_one(struct fx *f, const uint8_t *cdb, uint8_t len, bool sa, uint8_t *in)
{
	static uint8_t out[BUF];
	struct scsi_cmd c = fx_run(f, FX_LUN, cdb, len, out, 0, in, BUF);
	if (c.status == SAM_STAT_CHECK_CONDITION) {
		uint16_t asc = get_be16(&c.sense[12]);
		bool bad_sa = asc == ASC_INVALID_FIELD_IN_CDB && get_be16(&c.sense[16]) == 1 &&
			      (c.sense[15] & 0x0f) == (0x08 | 4);
		if (asc == ASC_INVALID_OPCODE || (sa && bad_sa))
			fprintf(stderr, "opcode 0x%02x sa 0x%02x refused\n", cdb[0], cdb[1]);
		CHECK(asc != ASC_INVALID_OPCODE);
		CHECK(!(sa && bad_sa));
	} else {
		CHECK(c.status == SAM_STAT_GOOD || c.status == SAM_STAT_RESERVATION_CONFLICT);
	}
}

/* Every non-empty slot (and every service action it routes) runs once; an empty slot
 * is INVALID COMMAND OPERATION CODE. Then REPORT SUPPORTED OPERATION CODES must list
 * exactly what the table has. */
static void test_table_walk(void)
{
	struct fx f;
	uint8_t *in = malloc(BUF);
	fx_open(&f, "ssc-cmds-walk", 16 * FX_MiB);
	const struct scsi_op *ops = ssc_devtype.ops;
	unsigned n_ops = 0;
	for (unsigned op = 0; op < 256; op++) {
		uint8_t cdb[16] = {(uint8_t)op};
		if (ops[op].flags & SCSI_OP_SA) {
			for (uint8_t i = 0; i < ops[op].n_sa; i++) {
				cdb[1] = ops[op].sa[i].sa;
				walk_one(&f, cdb, ops[op].sa[i].cdb_len, true, in);
			}
		} else if (ops[op].fn) {
			bool sa = op == OP_MAINTENANCE_IN;
			if (sa)
				cdb[1] = SA_REPORT_SUPPORTED_OPCODES;
			if (op == OP_MODE_SELECT_6 || op == OP_MODE_SELECT_10)
				cdb[1] = 0x10;          /* PF */
			if (op == OP_LOAD_UNLOAD)
				cdb[4] = 0x01;          /* LOAD: keep the tape usable for the rest */
			walk_one(&f, cdb, ops[op].cdb_len, sa, in);
		} else {
			struct scsi_cmd c = fx_run(&f, FX_LUN, cdb, 16, NULL, 0, in, BUF);
			FX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
			continue;
		}
		n_ops++;
		fx_clear_ua(&f, FX_LUN);
	}
	CHECK(n_ops >= 30);

	/* RSOC, all commands: one 8-byte descriptor per opcode / service action */
	FX_GOOD(fx_rewind(&f));
	uint8_t rsoc[12] = {OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
	struct scsi_cmd c = FX_RUN(&f, rsoc, NULL, 0, in, BUF);
	FX_GOOD(c);
	uint32_t len = get_be32(in) + 4;
	CHECK(len <= c.data_in_len);
	for (unsigned op = 0; op < 256; op++) {
		if (!ops[op].fn && !(ops[op].flags & SCSI_OP_SA))
			continue;
		bool found = false;
		for (uint32_t off = 4; off + 8 <= len; off += 8)
			found |= in[off] == op;
		CHECK(found);
	}
	/* READ POSITION's four service actions are each listed with their CDB length */
	unsigned rp = 0;
	for (uint32_t off = 4; off + 8 <= len; off += 8)
		if (in[off] == OP_READ_POSITION && (in[off + 5] & 0x01) && get_be16(&in[off + 6]) == 10)
			rp++;
	CHECK_EQ(rp, 4);
	free(in);
	fx_close(&f);
}

/* Reserved bits and fields: 05/24/00 with the byte and highest bit that is wrong. */
static void test_malformed(void)
{
	struct fx f;
	uint8_t buf[256];
	fx_open(&f, "ssc-cmds-bad", 16 * FX_MiB);
	static const struct {
		uint8_t cdb[16];
		uint8_t len;
		uint16_t byte;
		int bit;
	} cases[] = {
		{{OP_READ_6, 0x80, 0, 0, 1, 0}, 6, 1, 7},
		{{OP_READ_6, 0x04, 0, 0, 1, 0}, 6, 1, 2},
		{{OP_WRITE_6, 0x02, 0, 0, 1, 0}, 6, 1, 1},
		{{OP_WRITE_FILEMARKS_6, 0x04, 0, 0, 1, 0}, 6, 1, 2},
		{{OP_REWIND, 0, 0x10, 0, 0, 0}, 6, 2, 4},
		{{OP_SPACE_6, 0x10, 0, 0, 1, 0}, 6, 1, 4},
		{{OP_ERASE_6, 0x04, 0, 0, 0, 0}, 6, 1, 2},
		{{OP_LOAD_UNLOAD, 0, 0, 0, 0x21, 0}, 6, 4, 5},
		{{OP_PREVENT_ALLOW, 0, 0, 0, 0x04, 0}, 6, 4, 2},
		{{OP_READ_BLOCK_LIMITS, 0, 0, 0, 1, 0}, 6, 4, 0},
		{{OP_LOCATE_10, 0, 1, 0, 0, 0, 0, 0, 0, 0}, 10, 2, 0},
		{{OP_LOCATE_10, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 1, 3},
		{{OP_LOCATE_10, 0, 0, 0, 0, 0, 0, 0x80, 0, 0}, 10, 7, 7},
		{{OP_READ_POSITION, 0x20, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 1, 5},
		{{OP_READ_POSITION, 0x06, 0, 0, 0, 0, 0x01, 0, 0, 0}, 10, 6, 0},
		{{OP_REPORT_DENSITY_SUPPORT, 0x04, 0, 0, 0, 0, 0, 0, 64, 0}, 10, 1, 2},
		{{OP_LOG_SENSE, 0, 0x40, 0, 0x01, 0, 0, 0, 64, 0}, 10, 4, 0},
		{{OP_LOG_SELECT, 0x04, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 1, 2},
		{{OP_READ_ATTRIBUTE, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0}, 16, 2, 0},
		{{OP_READ_ATTRIBUTE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0x02, 0}, 16, 14, 1},
		{{OP_SPACE_16, 0x20}, 16, 1, 5},
		{{OP_SPACE_16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0}, 16, 14, 0},
		{{OP_LOCATE_16, 0x40}, 16, 1, 6},
		{{OP_LOCATE_16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0}, 16, 13, 4},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scsi_cmd c = fx_run(&f, FX_LUN, cases[i].cdb, cases[i].len, NULL, 0, buf, sizeof buf);
		if (c.status != SAM_STAT_CHECK_CONDITION)
			fprintf(stderr, "case %zu (op 0x%02x) status %d\n", i, cases[i].cdb[0], c.status);
		FX_FIELD(c, true, cases[i].byte, cases[i].bit);
	}
	FX_AT(&f, 0);
	CHECK(fx_drive(&f)->loaded);            /* nothing above acted */
	/* NACA in the control byte is refused by the dispatcher */
	uint8_t naca[6] = {OP_READ_6, 0, 0, 0, 1, 0x04};
	FX_FIELD(FX_RUN(&f, naca, NULL, 0, buf, sizeof buf), true, 5, 2);
	/* a CDB shorter than the opcode's */
	uint8_t loc[10] = {OP_LOCATE_10};
	FX_SENSE(fx_run(&f, FX_LUN, loc, 6, NULL, 0, NULL, 0), SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	fx_close(&f);
}

static void test_block_limits_and_density(void)
{
	struct fx f;
	uint8_t buf[512];
	fx_open(&f, "ssc-cmds-info", 16 * FX_MiB);
	uint8_t rbl[6] = {OP_READ_BLOCK_LIMITS};
	struct scsi_cmd c = FX_RUN(&f, rbl, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 6);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(get_be24(&buf[1]), SSC_MAX_BLOCK);
	CHECK_EQ(get_be16(&buf[4]), 1);
	CHECK(SSC_MAX_BLOCK <= SCSI_XFER_MAX);
	rbl[1] = 0x01;                                          /* MLOI */
	c = FX_RUN(&f, rbl, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);
	CHECK_EQ(get_be64(&buf[12]), UINT32_MAX);

	uint8_t rds[10] = {OP_REPORT_DENSITY_SUPPORT, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0};
	c = FX_RUN(&f, rds, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(get_be16(buf), 2 + 3 * 52);
	CHECK_EQ(c.data_in_len, 4 + 3 * 52);
	CHECK_EQ(buf[4], SSC_DENSITY_LTO7);                    /* ascending density codes */
	CHECK_EQ(buf[4 + 2], 0x80 | 0x01);                     /* WRTOK DLV */
	CHECK_EQ(buf[4 + 52], SSC_DENSITY_LTO7M);
	const uint8_t *d8 = &buf[4 + 104];
	CHECK_EQ(d8[0], SSC_DENSITY_LTO8);
	CHECK_EQ(d8[1], SSC_DENSITY_LTO8);
	CHECK_EQ(d8[2], 0x80 | 0x20 | 0x01);                   /* WRTOK DEFLT DLV */
	CHECK_EQ(get_be16(&d8[3]), 0x31);
	CHECK_EQ(get_be16(&d8[8]), 127);
	CHECK(memcmp(&d8[24], "U-832   ", 8) == 0);
	CHECK(memcmp(&d8[16], "LTO-CVE ", 8) == 0);
	CHECK_EQ(get_be32(&d8[12]), 12000000);
	rds[1] = 0x01;                                          /* MEDIA: the LTO-8 cartridge */
	c = FX_RUN(&f, rds, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(get_be16(buf), 2 + 52);
	CHECK_EQ(buf[4], SSC_DENSITY_LTO8);
	rds[7] = 0;
	rds[8] = 10;                                            /* allocation length cuts */
	c = FX_RUN(&f, rds, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 10);
	CHECK_EQ(c.implied_len, 10);
	rds[1] = 0x02;                                          /* MEDIUM TYPE */
	FX_FIELD(FX_RUN(&f, rds, NULL, 0, buf, sizeof buf), true, 1, 1);

	/* an LTO-7 cartridge: both LTO-7 densities, LTO-7 the default and current one */
	FX_GOOD(FX_RUN(&f, ((uint8_t[6]){OP_LOAD_UNLOAD}), NULL, 0, NULL, 0));
	CHECK_EQ(fx_move(&f, FX_DRIVE, FX_SLOT0), 0);
	snprintf(f.lib->carts[1].barcode, sizeof f.lib->carts[1].barcode, "VT0002L7");
	CHECK_EQ(fx_move(&f, FX_SLOT0 + 1, FX_DRIVE), 0);
	fx_clear_ua(&f, FX_LUN);
	rds[1] = 0x01;
	rds[8] = 0xff;
	c = FX_RUN(&f, rds, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(get_be16(buf), 2 + 2 * 52);
	CHECK_EQ(buf[4], SSC_DENSITY_LTO7);
	CHECK_EQ(buf[6] & 0x20, 0x20);
	CHECK_EQ(buf[4 + 52], SSC_DENSITY_LTO7M);
	CHECK_EQ(buf[4 + 52 + 2] & 0x20, 0);
	uint8_t ms[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 12, 0};
	FX_GOOD(FX_RUN(&f, ms, NULL, 0, buf, sizeof buf));
	CHECK_EQ(buf[4], SSC_DENSITY_LTO7);
	fx_close(&f);
}

/* Finds parameter `code` in a log page; returns its value (big-endian) or -1. */
static long long log_param(const uint8_t *pg, uint16_t code)
{
	uint32_t len = get_be16(&pg[2]) + 4;
	for (uint32_t off = 4; off + 4 <= len; off += 4u + pg[off + 3]) {
		if (get_be16(&pg[off]) != code)
			continue;
		long long v = 0;
		for (uint8_t i = 0; i < pg[off + 3]; i++)
			v = v << 8 | pg[off + 4 + i];
		return v;
	}
	return -1;
}

static struct scsi_cmd log_sense(struct fx *f, uint8_t b1, uint8_t pc_page, uint8_t sub, uint16_t ptr,
				 uint8_t *buf, uint16_t alloc)
{
	uint8_t cdb[10] = {OP_LOG_SENSE, b1, pc_page, sub};
	put_be16(&cdb[5], ptr);
	put_be16(&cdb[7], alloc);
	return FX_RUN(f, cdb, NULL, 0, buf, alloc);
}

static void test_log(void)
{
	struct fx f;
	uint8_t buf[1024];
	fx_open(&f, "ssc-cmds-log", 16 * FX_MiB);
	for (uint32_t i = 0; i < 3; i++)
		fx_put(&f, i, FX_MiB);
	struct scsi_cmd c = log_sense(&f, 0, 0x40, 0, 0, buf, sizeof buf);
	FX_GOOD(c);
	static const uint8_t pages[] = {0x00, 0x02, 0x03, 0x0c, 0x2e, 0x31};
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(get_be16(&buf[2]), sizeof pages);
	CHECK(memcmp(&buf[4], pages, sizeof pages) == 0);
	c = log_sense(&f, 0, 0x40, 0xff, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(buf[0], 0x40);
	CHECK_EQ(buf[1], 0xff);
	CHECK_EQ(get_be16(&buf[2]), 2 * (sizeof pages + 1));

	c = log_sense(&f, 0, 0x40 | 0x31, 0, 0, buf, sizeof buf);     /* tape capacity */
	FX_GOOD(c);
	CHECK_EQ(log_param(buf, 0x0003), 16);
	CHECK_EQ(log_param(buf, 0x0001), 13);
	CHECK_EQ(log_param(buf, 0x0002), 0);
	c = log_sense(&f, 0, 0x00 | 0x31, 0, 0, buf, sizeof buf);     /* threshold values: zeros */
	FX_GOOD(c);
	CHECK_EQ(log_param(buf, 0x0003), 0);
	c = log_sense(&f, 0, 0x40 | 0x0c, 0, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(log_param(buf, 0x0000), 3 * FX_MiB);
	CHECK_EQ(log_param(buf, 0x0002), 0);
	c = log_sense(&f, 0, 0x40 | 0x02, 0, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(log_param(buf, 0x0005), 3 * FX_MiB);
	CHECK_EQ(log_param(buf, 0x0006), 0);

	c = log_sense(&f, 0, 0x40 | 0x2e, 0, 0x3f, buf, sizeof buf);  /* parameter pointer */
	FX_GOOD(c);
	CHECK_EQ(get_be16(&buf[2]), 10);
	CHECK_EQ(get_be16(&buf[4]), 0x3f);
	FX_FIELD(log_sense(&f, 0, 0x40 | 0x2e, 0, 0x41, buf, sizeof buf), true, 5, -1);
	c = log_sense(&f, 0, 0x40 | 0x2e, 0, 0, buf, 8);              /* allocation length */
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8);
	CHECK_EQ(get_be16(&buf[2]), 64 * 5);
	FX_FIELD(log_sense(&f, 0x01, 0x40 | 0x31, 0, 0, buf, sizeof buf), true, 1, 0);   /* SP */
	FX_FIELD(log_sense(&f, 0x02, 0x40 | 0x31, 0, 0, buf, sizeof buf), true, 1, 1);   /* PPC */
	FX_FIELD(log_sense(&f, 0, 0x40 | 0x3a, 0, 0, buf, sizeof buf), true, 2, 5);
	FX_FIELD(log_sense(&f, 0, 0x40 | 0x31, 1, 0, buf, sizeof buf), true, 3, -1);

	uint8_t sel[10] = {OP_LOG_SELECT, 0x02, 0xc0};                  /* PCR */
	FX_GOOD(FX_RUN(&f, sel, NULL, 0, NULL, 0));
	c = log_sense(&f, 0, 0x40 | 0x0c, 0, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(log_param(buf, 0x0000), 0);
	sel[1] = 0x01;
	FX_FIELD(FX_RUN(&f, sel, NULL, 0, NULL, 0), true, 1, 0);
	sel[1] = 0x02;
	sel[8] = 4;
	FX_FIELD(FX_RUN(&f, sel, "\0\0\0\0", 4, NULL, 0), true, 7, -1);
	fx_close(&f);
}

static struct scsi_cmd read_attr(struct fx *f, uint8_t sa, uint8_t lv, uint8_t part, uint16_t first,
				 uint8_t *buf, uint32_t alloc)
{
	uint8_t cdb[16] = {OP_READ_ATTRIBUTE, sa, 0, 0, 0, lv, 0, part};
	put_be16(&cdb[8], first);
	put_be32(&cdb[10], alloc);
	return FX_RUN(f, cdb, NULL, 0, buf, alloc);
}

static void test_attributes(void)
{
	struct fx f;
	uint8_t buf[1024];
	fx_open(&f, "ssc-cmds-attr", 16 * FX_MiB);
	fx_put(&f, 1, FX_MiB);
	struct scsi_cmd c = read_attr(&f, 0, 0, 0, 0, buf, sizeof buf);
	FX_GOOD(c);
	uint32_t len = get_be32(buf) + 4;
	CHECK_EQ(c.data_in_len, len);
	unsigned seen = 0, n = 0;
	int last = -1;
	for (uint32_t off = 4; off + 5 <= len; off += 5u + get_be16(&buf[off + 3]), n++) {
		uint16_t id = get_be16(&buf[off]), alen = get_be16(&buf[off + 3]);
		const uint8_t *v = &buf[off + 5];
		CHECK((int)id > last);          /* ascending identifiers */
		last = id;
		if (id == 0x0000) {             /* remaining capacity, MiB */
			CHECK_EQ(alen, 8);
			CHECK_EQ(buf[off + 2], 0x80);
			CHECK_EQ(get_be64(v), 15);
			seen |= 1;
		} else if (id == 0x0001) {
			CHECK_EQ(get_be64(v), 16);
			seen |= 2;
		} else if (id == 0x0003) {      /* load count: moved into the drive once */
			CHECK_EQ(get_be64(v), 1);
			seen |= 4;
		} else if (id == 0x0401) {
			CHECK_EQ(alen, 32);
			CHECK_EQ(buf[off + 2], 0x81);
			seen |= 8;
		} else if (id == 0x0408) {
			CHECK_EQ(alen, 1);
			CHECK_EQ(v[0], 0);
			seen |= 16;
		} else if (id == 0x0806) {      /* barcode, host attribute, space padded */
			CHECK_EQ(alen, 32);
			CHECK_EQ(buf[off + 2], 0x01);
			CHECK(memcmp(v, "VT0001L8                        ", 32) == 0);
			seen |= 32;
		}
	}
	CHECK_EQ(seen, 63);
	c = read_attr(&f, 0, 0, 0, 0x0401, buf, sizeof buf);   /* FIRST ATTRIBUTE IDENTIFIER */
	FX_GOOD(c);
	CHECK_EQ(get_be16(&buf[4]), 0x0401);
	c = read_attr(&f, 1, 0, 0, 0, buf, sizeof buf);        /* ATTRIBUTE LIST */
	FX_GOOD(c);
	CHECK_EQ(get_be32(buf), 2 * n);
	CHECK_EQ(get_be16(&buf[4]), 0x0000);
	c = read_attr(&f, 0, 0, 0, 0, buf, 8);                 /* allocation length */
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8);
	CHECK_EQ(get_be32(buf) + 4, len);
	c = read_attr(&f, 3, 0, 0, 0, buf, sizeof buf);        /* PARTITION LIST */
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4);
	CHECK_EQ(get_be16(buf), 2);
	CHECK_EQ(buf[3], 1);
	FX_FIELD(read_attr(&f, 0, 1, 0, 0, buf, sizeof buf), true, 5, -1);
	FX_FIELD(read_attr(&f, 0, 0, 1, 0, buf, sizeof buf), true, 7, -1);
	FX_FIELD(read_attr(&f, 4, 0, 0, 0, buf, sizeof buf), true, 1, 4);
	fx_close(&f);
}

static struct scsi_cmd mode_select6(struct fx *f, const uint8_t *par, uint8_t len)
{
	uint8_t cdb[6] = {OP_MODE_SELECT_6, 0x10, 0, 0, len, 0};
	return FX_RUN(f, cdb, par, len, NULL, 0);
}

static void test_mode(void)
{
	struct fx f;
	uint8_t buf[256];
	fx_open(&f, "ssc-cmds-mode", 16 * FX_MiB);
	uint8_t ms[6] = {OP_MODE_SENSE_6, 0, 0x3f, 0, 255, 0};
	struct scsi_cmd c = FX_RUN(&f, ms, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4 + 8 + 12 + 16 + 16 + 10 + 12);
	CHECK_EQ(buf[0], c.data_in_len - 1);
	CHECK_EQ(buf[2], 0x10);                 /* buffered mode 1, not protected */
	CHECK_EQ(buf[3], 8);
	CHECK_EQ(buf[4], SSC_DENSITY_LTO8);
	CHECK_EQ(get_be24(&buf[9]), 0);         /* variable block mode */
	static const uint8_t order[] = {0x0a, 0x0f, 0x10, 0x11, 0x1c};
	for (uint32_t off = 12, i = 0; i < 5; off += buf[off + 1] + 2u, i++)
		CHECK_EQ(buf[off] & 0x3f, order[i]);

	/* data compression: DCE is the changeable bit; selecting it shows in 0x0F and 0x10 */
	uint8_t ms0f[6] = {OP_MODE_SENSE_6, 0x08, 0x40 | 0x0f, 0, 255, 0};   /* DBD, changeable */
	c = FX_RUN(&f, ms0f, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(buf[4 + 2], 0x80);
	ms0f[2] = 0x0f;
	c = FX_RUN(&f, ms0f, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);
	uint8_t par[4 + 16];
	memcpy(par, buf, sizeof par);
	par[0] = 0;
	par[4 + 2] |= 0x80;
	FX_GOOD(mode_select6(&f, par, sizeof par));
	CHECK(fx_drive(&f)->compression);
	ms0f[2] = 0x10;
	FX_GOOD(FX_RUN(&f, ms0f, NULL, 0, buf, sizeof buf));
	CHECK_EQ(buf[4 + 14], 1);
	/* page 0x10: a non-changeable bit, then an invalid algorithm */
	uint8_t p10[4 + 16];
	memcpy(p10, buf, sizeof p10);
	p10[0] = 0;
	p10[4 + 8] ^= 0x40;
	FX_FIELD(mode_select6(&f, p10, sizeof p10), false, 12, 6);
	p10[4 + 8] ^= 0x40;
	p10[4 + 14] = 2;
	FX_FIELD(mode_select6(&f, p10, sizeof p10), false, 18, -1);
	p10[4 + 14] = 0;
	FX_GOOD(mode_select6(&f, p10, sizeof p10));
	CHECK(!fx_drive(&f)->compression);

	/* block descriptor: block length limits, density, buffered mode */
	uint8_t bd[12] = {0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0x02, 0};       /* 512 */
	FX_GOOD(mode_select6(&f, bd, sizeof bd));
	CHECK_EQ(fx_drive(&f)->block_len, 512);
	put_be24(&bd[9], SSC_MAX_BLOCK + 1);
	FX_FIELD(mode_select6(&f, bd, sizeof bd), false, 9, -1);
	CHECK_EQ(fx_drive(&f)->block_len, 512);
	put_be24(&bd[9], 0);
	bd[4] = 0x42;
	FX_FIELD(mode_select6(&f, bd, sizeof bd), false, 4, -1);
	bd[4] = SSC_DENSITY_LTO8;
	bd[2] = 0x20;
	FX_FIELD(mode_select6(&f, bd, sizeof bd), false, 2, 6);
	bd[2] = 0x10;
	FX_GOOD(mode_select6(&f, bd, sizeof bd));
	CHECK_EQ(fx_drive(&f)->block_len, 0);
	uint8_t msel10[10] = {OP_MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, 0, 16, 0};
	uint8_t bd10[16] = {0, 0, 0, 0x10, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x04, 0};  /* 1024 */
	FX_GOOD(FX_RUN(&f, msel10, bd10, sizeof bd10, NULL, 0));
	CHECK_EQ(fx_drive(&f)->block_len, 1024);
	c = FX_RUN(&f, ms, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(get_be24(&buf[9]), 1024);
	fx_close(&f);
}

static void test_vpd(void)
{
	struct fx f;
	uint8_t buf[255];
	fx_open(&f, "ssc-cmds-vpd", 16 * FX_MiB);
	uint8_t inq[6] = {OP_INQUIRY, 0x01, 0xb0, 0, 255, 0};
	struct scsi_cmd c = FX_RUN(&f, inq, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 6);
	CHECK_EQ(buf[0], 0x01);
	CHECK_EQ(buf[1], 0xb0);
	CHECK_EQ(get_be16(&buf[2]), 2);
	CHECK_EQ(buf[4] & 0x01, 0);             /* no WORM */
	inq[2] = 0x00;
	c = FX_RUN(&f, inq, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK(memchr(&buf[4], 0xb0, buf[3]) != NULL);
	inq[2] = 0xb1;
	FX_FIELD(FX_RUN(&f, inq, NULL, 0, buf, sizeof buf), true, 2, -1);
	fx_close(&f);
}

int main(void)
{
	test_table_walk();
	test_malformed();
	test_block_limits_and_density();
	test_log();
	test_attributes();
	test_mode();
	test_vpd();
	return 0;
}
