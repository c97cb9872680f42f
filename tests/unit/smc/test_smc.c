/* test_smc.c - the SMC-3 changer through scsi_exec against a real library on a real
 * store: READ ELEMENT STATUS parsed field by field, MOVE MEDIUM and each of its sense
 * conditions, the import/export door, persistence across a reopen, and a walk over the
 * opcode table that runs every entry. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/scsi_spc/scsi_fx.h"

#define MAX_ELEMS 32

struct elem {
	uint16_t addr;
	uint8_t type, flags, d6, d9;
	uint16_t src;
	char tag[33];                   /* primary volume tag, trailing spaces cut */
	uint8_t code_set, id_type, id_len;
	char id[64];
};

struct report {
	uint16_t first, count;
	uint32_t bytes;
	int n;
	struct elem e[MAX_ELEMS];
};

/* Parses an element status report, checking every length field against the data. */
static void parse(const uint8_t *b, uint32_t len, bool voltag, bool dvcid, struct report *r)
{
	memset(r, 0, sizeof *r);
	CHECK(len >= 8);
	r->first = get_be16(b);
	r->count = get_be16(&b[2]);
	CHECK_EQ(b[4], 0);
	r->bytes = get_be24(&b[5]);
	CHECK_EQ(r->bytes + 8, len);
	uint32_t off = 8;
	while (off < len) {
		const uint8_t *p = &b[off];
		uint8_t type = p[0];
		CHECK(type >= 1 && type <= 4);
		CHECK_EQ(p[1], voltag ? 0x80 : 0);
		uint16_t dlen = get_be16(&p[2]);
		uint16_t want = 16 + (voltag ? 36 : 0) + (dvcid && type == LIB_ELEM_DRIVE ? 34 : 0);
		CHECK_EQ(dlen, want);
		uint32_t pbytes = get_be24(&p[5]);
		CHECK_EQ(pbytes % dlen, 0);
		off += 8;
		for (uint32_t k = 0; k < pbytes / dlen; k++, off += dlen) {
			const uint8_t *d = &b[off];
			CHECK(r->n < MAX_ELEMS);
			struct elem *e = &r->e[r->n++];
			e->addr = get_be16(d);
			e->type = type;
			e->flags = d[2];
			e->d6 = d[6];
			e->d9 = d[9];
			e->src = get_be16(&d[10]);
			uint32_t i = 12;
			if (voltag) {
				memcpy(e->tag, &d[12], 32);
				for (int j = 31; j >= 0 && (e->tag[j] == ' ' || !e->tag[j]); j--)
					e->tag[j] = 0;
				CHECK_EQ(get_be32(&d[44]), 0);  /* reserved, sequence 0 */
				i += 36;
			}
			e->code_set = d[i] & 0x0f;
			e->id_type = d[i + 1] & 0x0f;
			e->id_len = d[i + 3];
			CHECK(i + 4 + e->id_len == dlen);
			memcpy(e->id, &d[i + 4], e->id_len);
		}
	}
	CHECK_EQ(off, len);
	CHECK_EQ(r->n, r->count);
	if (r->n)
		CHECK_EQ(r->first, r->e[0].addr);
}

static struct scsi_cmd res_cmd(struct sfx *f, uint8_t type, bool voltag, uint16_t start, uint16_t count,
			       bool dvcid, uint32_t alloc)
{
	uint8_t cdb[12] = {OP_READ_ELEMENT_STATUS, (uint8_t)((voltag ? 0x10 : 0) | type), 0, 0, 0, 0,
			   dvcid ? 0x01 : 0, 0, 0, 0, 0, 0};
	put_be16(&cdb[2], start);
	put_be16(&cdb[4], count);
	put_be24(&cdb[7], alloc);
	return sfx_run(f, &f->a, 0, cdb, NULL, 0, SFX_BUF);
}

static void read_all(struct sfx *f, struct report *r)
{
	struct scsi_cmd c = res_cmd(f, 0, true, 0, 0xffff, true, SFX_BUF);
	SFX_GOOD(c);
	parse(f->in, c.data_in_len, true, true, r);
}

static const struct elem *find(const struct report *r, uint16_t addr)
{
	for (int i = 0; i < r->n; i++)
		if (r->e[i].addr == addr)
			return &r->e[i];
	CHECK(!"element not reported");
	return NULL;
}

static void expect_slot(const struct report *r, uint16_t addr, const char *tag, int src)
{
	const struct elem *e = find(r, addr);
	CHECK_EQ(e->type, LIB_ELEM_STORAGE);
	CHECK_EQ(e->flags, tag ? 0x09 : 0x08);          /* ACCESS, FULL */
	CHECK(!strcmp(e->tag, tag ? tag : ""));
	CHECK_EQ(e->d9, tag ? (src >= 0 ? 0x81 : 0x01) : 0);
	if (src >= 0)
		CHECK_EQ(e->src, src);
	CHECK_EQ(e->id_len, 0);
}

static void read_element_status(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_res");
	sfx_clear_all(&f);
	read_all(&f, &r);
	CHECK_EQ(r.n, 1 + SFX_DRIVES + SFX_IE + SFX_SLOTS);
	CHECK_EQ(r.first, LIB_ADDR_TRANSPORT);
	/* address order, grouped by type: transport, drives, import/export, storage */
	CHECK_EQ(r.e[0].type, LIB_ELEM_TRANSPORT);
	CHECK_EQ(r.e[0].flags, 0);
	CHECK_EQ(r.e[1].type, LIB_ELEM_DRIVE);
	CHECK_EQ(r.e[3].type, LIB_ELEM_IE);
	CHECK_EQ(r.e[5].type, LIB_ELEM_STORAGE);
	for (int i = 1; i < r.n; i++)
		CHECK(r.e[i].addr > r.e[i - 1].addr);
	for (int i = 0; i < SFX_SLOTS; i++) {
		char bc[16];
		snprintf(bc, sizeof bc, "VT%04dL8", i + 1);
		expect_slot(&r, (uint16_t)(LIB_ADDR_SLOT0 + i), i < SFX_CARTS ? bc : NULL, -1);
	}
	for (int i = 0; i < SFX_DRIVES; i++) {
		const struct elem *e = find(&r, (uint16_t)(LIB_ADDR_DRIVE0 + i));
		CHECK_EQ(e->flags, 0x08);       /* empty, ACCESS */
		CHECK_EQ(e->d6, 0x10 | (i + 1)); /* LU VALID, LUN */
		CHECK_EQ(e->code_set, 2);
		CHECK_EQ(e->id_type, 1);
		CHECK_EQ(e->id_len, 34);
		char want[64];
		snprintf(want, sizeof want, "IBM     ULT3580-TD8     %-10s", f.lib->drives[i].serial);
		CHECK(!memcmp(e->id, want, 34));
	}
	for (int i = 0; i < SFX_IE; i++) {
		const struct elem *e = find(&r, (uint16_t)(LIB_ADDR_IE0 + i));
		CHECK_EQ(e->flags, 0x38);       /* INENAB, EXENAB, ACCESS */
		CHECK_EQ(e->id_len, 0);
	}

	/* without VOLTAG and DVCID: 16-byte descriptors everywhere */
	struct scsi_cmd c = res_cmd(&f, 0, false, 0, 0xffff, false, SFX_BUF);
	SFX_GOOD(c);
	parse(f.in, c.data_in_len, false, false, &r);
	CHECK_EQ(r.n, 15);
	CHECK_EQ(c.data_in_len, 8 + 4 * 8 + 15 * 16);
	/* one type, from a start address, a count */
	c = res_cmd(&f, LIB_ELEM_STORAGE, true, 0x0402, 3, false, SFX_BUF);
	SFX_GOOD(c);
	parse(f.in, c.data_in_len, true, false, &r);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.first, 0x0402);
	CHECK(!strcmp(r.e[2].tag, "VT0005L8"));
	c = res_cmd(&f, LIB_ELEM_DRIVE, false, 0, 10, true, SFX_BUF);
	SFX_GOOD(c);
	parse(f.in, c.data_in_len, false, true, &r);
	CHECK_EQ(r.n, 2);
	/* all types from the middle: import/export then storage */
	c = res_cmd(&f, 0, false, 0x0301, 2, false, SFX_BUF);
	SFX_GOOD(c);
	parse(f.in, c.data_in_len, false, false, &r);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.e[0].addr, 0x0301);
	CHECK_EQ(r.e[1].addr, 0x0400);
	/* number of elements 0: an empty report */
	c = res_cmd(&f, 0, false, 0, 0, false, SFX_BUF);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8);
	CHECK_EQ(get_be16(&f.in[2]), 0);
	CHECK_EQ(get_be24(&f.in[5]), 0);
	/* allocation length cuts the data, never the byte counts of the header */
	c = res_cmd(&f, 0, true, 0, 0xffff, true, 8);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 8);
	uint32_t full = get_be24(&f.in[5]);
	CHECK_EQ(full, 4 * 8 + 13 * 52 + 2 * 86);
	CHECK_EQ(get_be16(&f.in[2]), 15);
	c = res_cmd(&f, 0, true, 0, 0xffff, true, 100);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 100);
	CHECK_EQ(c.implied_len, 100);
	CHECK_EQ(get_be24(&f.in[5]), full);
	CHECK_EQ(get_be24(&f.in[8 + 5]), 52);   /* the transport's page */
	/* errors: element type 5, no element of the type at or after start, reserved bits */
	c = res_cmd(&f, 5, false, 0, 1, false, 4096);
	SFX_FIELD(c, true, 1, 3);
	c = res_cmd(&f, LIB_ELEM_STORAGE, false, 0x040a, 1, false, 4096);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	const uint8_t rsv[12] = {OP_READ_ELEMENT_STATUS, 0, 0, 0, 0, 1, 0x04, 0, 1, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, rsv, NULL, 0, 4096);
	SFX_FIELD(c, true, 6, 2);
	sfx_close(&f);
}

static struct scsi_cmd move(struct sfx *f, const struct scsi_nexus *nx, uint16_t t, uint16_t src, uint16_t dst)
{
	uint8_t cdb[12] = {OP_MOVE_MEDIUM};
	put_be16(&cdb[2], t);
	put_be16(&cdb[4], src);
	put_be16(&cdb[6], dst);
	return sfx_run(f, nx, 0, cdb, NULL, 0, 0);
}

static void move_medium(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_move");
	sfx_clear_all(&f);
	SFX_GOOD(move(&f, &f.a, 0, 0x0400, 0x0409));
	SFX_GOOD(move(&f, &f.a, LIB_ADDR_TRANSPORT, 0x0401, 0x0301));   /* slot -> I/E */
	read_all(&f, &r);
	expect_slot(&r, 0x0400, NULL, -1);
	expect_slot(&r, 0x0409, "VT0001L8", 0x0400);
	const struct elem *ie = find(&r, 0x0301);
	CHECK_EQ(ie->flags, 0x39);      /* INENAB EXENAB ACCESS FULL; IMPEXP 0: exported */
	CHECK_EQ(ie->d9, 0x81);
	CHECK_EQ(ie->src, 0x0401);
	CHECK(!strcmp(ie->tag, "VT0002L8"));

	struct scsi_cmd c = move(&f, &f.a, 0, 0x0400, 0x0405);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_SRC_EMPTY);
	c = move(&f, &f.a, 0, 0x0402, 0x0403);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_DEST_FULL);
	c = move(&f, &f.a, 0, 0x0402, 0x0402);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_DEST_FULL);
	c = move(&f, &f.a, 0, 0x0500, 0x0405);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	c = move(&f, &f.a, 0, 0x0402, 0x040a);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	c = move(&f, &f.a, 0, 0x0402, 0x0102);          /* a third drive does not exist */
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	c = move(&f, &f.a, 2, 0x0402, 0x0405);          /* no second transport */
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	c = move(&f, &f.a, 0, 0x0402, LIB_ADDR_TRANSPORT);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	const uint8_t inv[12] = {OP_MOVE_MEDIUM, 0, 0, 0, 0x04, 0x02, 0x04, 0x05, 0, 0, 0x01, 0};
	c = sfx_run(&f, &f.a, 0, inv, NULL, 0, 0);
	SFX_FIELD(c, true, 10, 0);
	/* nothing moved by the failures */
	read_all(&f, &r);
	expect_slot(&r, 0x0402, "VT0003L8", -1);
	expect_slot(&r, 0x0405, "VT0006L8", -1);
	sfx_close(&f);
}

static void drive_moves(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_drive");
	sfx_clear_all(&f);
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
	const uint8_t unload[6] = {OP_LOAD_UNLOAD, 0, 0, 0, 0, 0};
	const uint8_t prevent[6] = {OP_PREVENT_ALLOW, 0, 0, 0, 1, 0};
	const uint8_t allow[6] = {OP_PREVENT_ALLOW, 0, 0, 0, 0, 0};

	SFX_GOOD(move(&f, &f.a, 0, 0x0402, 0x0101));
	/* the drive loaded it: medium changed for every nexus of the drive, then ready */
	struct scsi_cmd c = sfx_run(&f, &f.b, 2, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_NOT_READY_TO_READY_CHANGE);
	SFX_GOOD(sfx_run(&f, &f.b, 2, tur, NULL, 0, 0));
	sfx_clear_ua(&f, &f.a, 2);
	read_all(&f, &r);
	const struct elem *d = find(&r, 0x0101);
	CHECK_EQ(d->flags, 0x01);       /* FULL, no ACCESS: threaded */
	CHECK_EQ(d->d9, 0x81);
	CHECK_EQ(d->src, 0x0402);
	CHECK(!strcmp(d->tag, "VT0003L8"));
	expect_slot(&r, 0x0402, NULL, -1);

	/* a destination drive that is full, a source drive not unloaded */
	c = move(&f, &f.a, 0, 0x0403, 0x0101);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_DEST_FULL);
	c = move(&f, &f.a, 0, 0x0101, 0x0402);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_SOURCE_DRIVE_NOT_UNLOADED);
	c = move(&f, &f.a, 0, 0x0101, 0x0100);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_SOURCE_DRIVE_NOT_UNLOADED);
	/* unloaded, but the drive's host prevents removal */
	SFX_GOOD(sfx_run(&f, &f.a, 2, unload, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 2, prevent, NULL, 0, 0));
	read_all(&f, &r);
	CHECK_EQ(find(&r, 0x0101)->flags, 0x09);        /* unthreaded: ACCESS */
	c = move(&f, &f.b, 0, 0x0101, 0x0402);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	SFX_GOOD(sfx_run(&f, &f.a, 2, allow, NULL, 0, 0));
	/* home again; the drive is empty and accessible */
	SFX_GOOD(move(&f, &f.b, 0, 0x0101, 0x0402));
	c = sfx_run(&f, &f.a, 2, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	read_all(&f, &r);
	expect_slot(&r, 0x0402, "VT0003L8", 0x0402);  /* the last storage element */
	CHECK_EQ(find(&r, 0x0101)->flags, 0x08);
	CHECK_EQ(find(&r, 0x0101)->d9, 0);
	sfx_close(&f);
}

/* Drive to drive: the tape goes on in the other drive; back home, the source address is
 * still the storage slot it came from (the "home" slot survives drive hops). */
static void drive_to_drive(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_d2d");
	sfx_clear_all(&f);
	const uint8_t unload[6] = {OP_LOAD_UNLOAD, 0, 0, 0, 0, 0};
	SFX_GOOD(move(&f, &f.a, 0, 0x0402, 0x0101));
	sfx_clear_ua(&f, &f.a, 2);
	SFX_GOOD(sfx_run(&f, &f.a, 2, unload, NULL, 0, 0));
	SFX_GOOD(move(&f, &f.b, 0, 0x0101, 0x0100));
	CHECK(f.lib->drives[0].loaded);
	CHECK(!f.lib->drives[1].loaded);
	CHECK_EQ(f.lib->drives[1].cart, -1);
	sfx_clear_ua(&f, &f.a, 1);
	SFX_GOOD(sfx_run(&f, &f.a, 1, unload, NULL, 0, 0));
	SFX_GOOD(move(&f, &f.a, 0, 0x0100, 0x0402));
	read_all(&f, &r);
	expect_slot(&r, 0x0402, "VT0003L8", 0x0402);
	CHECK_EQ(find(&r, 0x0100)->flags, 0x08);
	sfx_close(&f);
}

static void ie_door(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_ie");
	sfx_clear_all(&f);
	const uint8_t open_ie[6] = {OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x03, 0x00, 0, 0};
	const uint8_t close_ie[6] = {OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x03, 0x00, 1, 0};
	const uint8_t prevent[6] = {OP_PREVENT_ALLOW, 0, 0, 0, 1, 0};
	const uint8_t allow[6] = {OP_PREVENT_ALLOW, 0, 0, 0, 0, 0};
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};

	SFX_GOOD(move(&f, &f.a, 0, 0x0400, 0x0300));
	SFX_GOOD(sfx_run(&f, &f.a, 0, open_ie, NULL, 0, 0));
	read_all(&f, &r);
	CHECK_EQ(find(&r, 0x0300)->flags, 0x31);        /* no ACCESS while open */
	struct scsi_cmd c = move(&f, &f.a, 0, 0x0300, 0x0400);
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN);
	c = move(&f, &f.a, 0, 0x0401, 0x0301);
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT_TRAY_OPEN);
	SFX_GOOD(move(&f, &f.a, 0, 0x0401, 0x0409));    /* storage moves go on */
	/* closing tells the other nexuses the I/E element was accessed */
	SFX_GOOD(sfx_run(&f, &f.a, 0, close_ie, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 0, tur, NULL, 0, 0));
	c = sfx_run(&f, &f.b, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_IMPORT_EXPORT_ACCESSED);
	SFX_GOOD(move(&f, &f.a, 0, 0x0300, 0x0400));
	/* PREVENT keeps the door shut */
	SFX_GOOD(sfx_run(&f, &f.a, 0, prevent, NULL, 0, 0));
	c = sfx_run(&f, &f.a, 0, open_ie, NULL, 0, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	SFX_GOOD(sfx_run(&f, &f.b, 0, allow, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 0, open_ie, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 0, close_ie, NULL, 0, 0));
	/* errors: not an I/E address, action 2, PREVENT 2 */
	const uint8_t open_slot[6] = {OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x04, 0x00, 0, 0};
	c = sfx_run(&f, &f.a, 0, open_slot, NULL, 0, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	const uint8_t act2[6] = {OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x03, 0x00, 2, 0};
	c = sfx_run(&f, &f.a, 0, act2, NULL, 0, 0);
	SFX_FIELD(c, true, 4, -1);
	const uint8_t act_rsv[6] = {OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x03, 0x00, 0x20, 0};
	c = sfx_run(&f, &f.a, 0, act_rsv, NULL, 0, 0);
	SFX_FIELD(c, true, 4, 5);
	const uint8_t prev2[6] = {OP_PREVENT_ALLOW, 0, 0, 0, 2, 0};
	c = sfx_run(&f, &f.a, 0, prev2, NULL, 0, 0);
	SFX_FIELD(c, true, 4, 1);
	sfx_close(&f);
}

static void persistence(void)
{
	struct sfx f;
	struct report r;
	sfx_open(&f, "smc_persist");
	sfx_clear_all(&f);
	SFX_GOOD(move(&f, &f.a, 0, 0x0401, 0x0408));
	SFX_GOOD(move(&f, &f.a, 0, 0x0402, 0x0100));
	SFX_GOOD(move(&f, &f.a, 0, 0x0403, 0x0301));
	sfx_reopen(&f);
	sfx_clear_all(&f);
	read_all(&f, &r);
	expect_slot(&r, 0x0401, NULL, -1);
	expect_slot(&r, 0x0408, "VT0002L8", 0x0401);
	const struct elem *d = find(&r, 0x0100);
	CHECK_EQ(d->flags, 0x01);       /* back in the drive, loaded at power on */
	CHECK(!strcmp(d->tag, "VT0003L8"));
	CHECK_EQ(d->src, 0x0402);
	CHECK(!strcmp(find(&r, 0x0301)->tag, "VT0004L8"));
	const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 1, tur, NULL, 0, 0));
	sfx_close(&f);
}

static void position_init(void)
{
	struct sfx f;
	sfx_open(&f, "smc_pos");
	sfx_clear_all(&f);
	const uint8_t pos[10] = {OP_POSITION_TO_ELEMENT, 0, 0, 0, 0x04, 0x05, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, pos, NULL, 0, 0));
	const uint8_t posbad[10] = {OP_POSITION_TO_ELEMENT, 0, 0, 0, 0x02, 0x00, 0, 0, 0, 0};
	struct scsi_cmd c = sfx_run(&f, &f.a, 0, posbad, NULL, 0, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	const uint8_t posinv[10] = {OP_POSITION_TO_ELEMENT, 0, 0, 0, 0x04, 0x05, 0, 0, 1, 0};
	c = sfx_run(&f, &f.a, 0, posinv, NULL, 0, 0);
	SFX_FIELD(c, true, 8, 0);
	const uint8_t ies[6] = {OP_INITIALIZE_ELEMENT_STATUS, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, ies, NULL, 0, 0));
	const uint8_t rng[10] = {OP_INITIALIZE_ELEMENT_STATUS_RANGE, 1, 0x04, 0x00, 0, 0, 0, 5, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, rng, NULL, 0, 0));
	const uint8_t rngbad[10] = {OP_INITIALIZE_ELEMENT_STATUS_RANGE, 1, 0x05, 0x00, 0, 0, 0, 5, 0, 0};
	c = sfx_run(&f, &f.a, 0, rngbad, NULL, 0, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
	const uint8_t norng[10] = {OP_INITIALIZE_ELEMENT_STATUS_RANGE, 0, 0x05, 0x00, 0, 0, 0, 5, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, norng, NULL, 0, 0));      /* RANGE 0: all, fields ignored */
	const uint8_t rngrsv[10] = {OP_INITIALIZE_ELEMENT_STATUS_RANGE, 4, 0x04, 0x00, 0, 0, 0, 5, 0, 0};
	c = sfx_run(&f, &f.a, 0, rngrsv, NULL, 0, 0);
	SFX_FIELD(c, true, 1, 2);
	/* EXCHANGE MEDIUM is not supported */
	const uint8_t xchg[12] = {OP_EXCHANGE_MEDIUM, 0, 0, 0, 0x04, 0x00, 0x04, 0x01, 0x04, 0x02, 0, 0};
	c = sfx_run(&f, &f.a, 0, xchg, NULL, 0, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
	sfx_close(&f);
}

/* One valid CDB per changer opcode (and service action) that must end GOOD. A table
 * entry without a line here fails the test: a new command needs a test. */
struct walk {
	uint8_t cdb[16];
	uint32_t out_len;               /* Data-Out: a PR OUT parameter list when 24 */
	uint64_t key, sa_key;           /* its RESERVATION KEY and SERVICE ACTION RESERVATION KEY */
};

#define K 0x5a5a

static const struct walk walks[] = {
	{{OP_TEST_UNIT_READY}, 0, 0, 0},
	{{OP_REQUEST_SENSE, 0, 0, 0, 18}, 0, 0, 0},
	{{OP_INITIALIZE_ELEMENT_STATUS}, 0, 0, 0},
	{{OP_INQUIRY, 0, 0, 0, 96}, 0, 0, 0},
	{{OP_MODE_SELECT_6, 0x10, 0, 0, 0}, 0, 0, 0},
	{{OP_RESERVE_6}, 0, 0, 0},
	{{OP_RELEASE_6}, 0, 0, 0},
	{{OP_MODE_SENSE_6, 0, 0x3f, 0, 255}, 0, 0, 0},
	{{OP_OPEN_CLOSE_IE_ELEMENT, 0, 0x03, 0x00, 0x01}, 0, 0, 0},
	{{OP_PREVENT_ALLOW}, 0, 0, 0},
	{{OP_POSITION_TO_ELEMENT, 0, 0, 1, 0x04, 0x00}, 0, 0, 0},
	{{OP_INITIALIZE_ELEMENT_STATUS_RANGE, 0x01, 0x04, 0x00, 0, 0, 0, 2}, 0, 0, 0},
	{{OP_MODE_SELECT_10, 0x10}, 0, 0, 0},
	{{OP_RESERVE_10}, 0, 0, 0},
	{{OP_RELEASE_10}, 0, 0, 0},
	{{OP_MODE_SENSE_10, 0, 0x3f, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_REGISTER, 0, 0, 0, 0, 0, 0, 24}, 24, 0, K},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_REGISTER_AND_IGNORE, 0, 0, 0, 0, 0, 0, 24}, 24, 0, K},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0, 0, 0, 0, 0, 24}, 24, K, 0},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_PREEMPT, PR_TYPE_EA, 0, 0, 0, 0, 0, 24}, 24, K, K},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_PREEMPT_AND_ABORT, PR_TYPE_WE, 0, 0, 0, 0, 0, 24}, 24, K, K},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_RELEASE, PR_TYPE_WE, 0, 0, 0, 0, 0, 24}, 24, K, 0},
	{{OP_PERSISTENT_RESERVE_OUT, SA_PR_OUT_CLEAR, 0, 0, 0, 0, 0, 0, 24}, 24, K, 0},
	{{OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_RESERVATION, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_PERSISTENT_RESERVE_IN, SA_PR_IN_REPORT_CAPABILITIES, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_FULL_STATUS, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_MAINTENANCE_IN, SA_REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, 0, 0, 1, 0}, 0, 0, 0},
	{{OP_MAINTENANCE_IN, SA_REPORT_SUPPORTED_OPCODES, 0, 0, 0, 0, 0, 0, 0x10, 0}, 0, 0, 0},
	{{OP_MOVE_MEDIUM, 0, 0, 0, 0x04, 0x00, 0x04, 0x09}, 0, 0, 0},
	{{OP_READ_ELEMENT_STATUS, 0x10, 0, 0, 0xff, 0xff, 0x01, 0, 0x10, 0}, 0, 0, 0},
};

static void table_walk(void)
{
	struct sfx f;
	sfx_open(&f, "smc_walk");
	sfx_clear_all(&f);
	size_t n = sizeof walks / sizeof walks[0];
	/* every opcode / service action of the table has a line */
	for (unsigned op = 0; op < 256; op++) {
		const struct scsi_op *o = &smc_devtype.ops[op];
		const struct scsi_sa_op *tab = NULL;
		uint8_t n_sa = 0;
		if (o->fn == spc_pr_in)
			tab = spc_pr_in_sa, n_sa = spc_n_pr_in_sa;
		else if (o->fn == spc_pr_out)
			tab = spc_pr_out_sa, n_sa = spc_n_pr_out_sa;
		else if (o->fn == spc_maintenance_in)
			tab = spc_maint_in_sa, n_sa = spc_n_maint_in_sa;
		else if (o->flags & SCSI_OP_SA)
			tab = o->sa, n_sa = o->n_sa;
		for (int k = 0; k < (n_sa ? n_sa : 1); k++) {
			if (!n_sa && !o->fn)
				continue;
			bool found = false;
			for (size_t i = 0; i < n; i++)
				found |= walks[i].cdb[0] == op && (!n_sa || (walks[i].cdb[1] & 0x1f) == tab[k].sa);
			if (!found)
				fprintf(stderr, "no walk line for opcode 0x%02x sa %d\n", op, n_sa ? tab[k].sa : -1);
			CHECK(found);
		}
	}
	/* ... and runs GOOD */
	uint8_t out[24] = {0};
	for (size_t i = 0; i < n; i++) {
		uint8_t cdb[16];
		memcpy(cdb, walks[i].cdb, sizeof cdb);
		put_be64(out, walks[i].key);
		put_be64(&out[8], walks[i].sa_key);
		struct scsi_cmd c = sfx_run(&f, &f.a, 0, cdb, walks[i].out_len ? out : NULL, walks[i].out_len, 4096);
		if (c.status != SAM_STAT_GOOD)
			fprintf(stderr, "walk line %zu opcode 0x%02x: status 0x%02x sense %02x/%02x/%02x\n", i,
				cdb[0], c.status, c.sense[2] & 0x0f, c.sense[12], c.sense[13]);
		SFX_GOOD(c);
	}
	sfx_close(&f);
}

int main(void)
{
	read_element_status();
	move_medium();
	drive_moves();
	ie_door();
	persistence();
	position_init();
	table_walk();
	drive_to_drive();
	printf("test_smc: ok\n");
	return 0;
}
