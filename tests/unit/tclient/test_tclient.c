/* test_tclient.c - unit test of the test client's pure parts: the raw sense parser
 * (fixed and descriptor formats, stream bits, signed INFORMATION), the exact bytes of
 * every CDB builder, and the READ POSITION / READ BLOCK LIMITS / READ ELEMENT STATUS
 * parsers, including truncated and garbage input. One network case: connecting to a
 * closed port fails cleanly (no leak, no hang). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/rd.h"
#include "tests/client/tclient.h"
#include "tests/testutil.h"

#define CHECK_CDB(c, ...)                                                                  \
	do {                                                                               \
		const uint8_t _want[] = {__VA_ARGS__};                                     \
		struct tc_cdb _c = (c);                                                    \
		CHECK_EQ(_c.len, sizeof(_want));                                           \
		CHECK(memcmp(_c.b, _want, sizeof(_want)) == 0);                            \
	} while (0)

/* ---- sense ---- */

static void test_sense_fixed(void)
{
	struct tc_sense s;
	/* READ hit a filemark: VALID, FILEMARK, NO SENSE, INFORMATION = residue 0x40000,
	 * 00/01 FILEMARK DETECTED (SSC-3) */
	uint8_t fm[18] = {0xf0, 0, 0x80, 0x00, 0x04, 0x00, 0x00, 10, 0, 0, 0, 0, 0x00, 0x01};
	CHECK_EQ(tc_sense_parse(fm, sizeof(fm), &s), 0);
	CHECK(s.valid && s.info_valid && s.filemark && !s.eom && !s.ili);
	CHECK_EQ(s.response_code, 0x70);
	CHECK_EQ(s.key, 0);
	CHECK_EQ(s.asc, 0);
	CHECK_EQ(s.ascq, 1);
	CHECK_EQ(s.info, 0x40000);
	CHECK(!s.sksv);

	/* over-length block: ILI with a negative residue (two's complement, -100) */
	uint8_t ili[18] = {0xf0, 0, 0x20, 0xff, 0xff, 0xff, 0x9c, 10};
	CHECK_EQ(tc_sense_parse(ili, sizeof(ili), &s), 0);
	CHECK(s.ili && !s.filemark && !s.eom && s.info_valid);
	CHECK_EQ(s.info, -100);

	/* EOM without VALID, VOLUME OVERFLOW 00/02, deferred (71h), 14 bytes is enough */
	uint8_t eom[14] = {0x71, 0, 0x40 | 0x0d, 0, 0, 0, 7, 6, 0, 0, 0, 0, 0x00, 0x02};
	CHECK_EQ(tc_sense_parse(eom, sizeof(eom), &s), 0);
	CHECK(s.eom && !s.info_valid && !s.filemark);
	CHECK_EQ(s.response_code, 0x71);
	CHECK_EQ(s.key, 0x0d);
	CHECK_EQ(s.info, 7);
	CHECK_EQ(s.ascq, 2);

	/* ILLEGAL REQUEST 24/00 with a field pointer in the CDB (SKSV, C/D) at byte 2 */
	uint8_t ir[18] = {0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00, 0, 0xc0, 0x00, 0x02};
	CHECK_EQ(tc_sense_parse(ir, sizeof(ir), &s), 0);
	CHECK(s.sksv);
	CHECK_EQ(s.key, 5);
	CHECK_EQ(s.asc, 0x24);
	CHECK_EQ(s.sks[0], 0x40);
	CHECK_EQ(s.sks[2], 0x02);
}

static void test_sense_descriptor(void)
{
	struct tc_sense s;
	/* BLANK CHECK 00/05 END-OF-DATA DETECTED with an information descriptor (residue
	 * 5) and a stream commands descriptor (EOM) */
	uint8_t eod[] = {0x72, 0x08, 0x00, 0x05, 0, 0, 0, 16,
			 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 5,
			 0x04, 0x02, 0, 0x40};
	CHECK_EQ(tc_sense_parse(eod, sizeof(eod), &s), 0);
	CHECK(s.valid && s.info_valid && s.eom && !s.filemark && !s.ili);
	CHECK_EQ(s.response_code, 0x72);
	CHECK_EQ(s.key, 8);
	CHECK_EQ(s.ascq, 5);
	CHECK_EQ(s.info, 5);

	/* deferred (73h): filemark + ILI, a negative 8-byte INFORMATION, sense key specific
	 * descriptor, and an unknown descriptor type that must be skipped */
	uint8_t d2[] = {0x73, 0x00, 0x00, 0x01, 0, 0, 0, 28,
			0x80, 0x02, 0xaa, 0xbb,
			0x00, 0x0a, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
			0x02, 0x06, 0, 0, 0x80, 0x12, 0x34, 0,
			0x04, 0x02, 0, 0xa0};
	CHECK_EQ(tc_sense_parse(d2, sizeof(d2), &s), 0);
	CHECK(s.filemark && s.ili && !s.eom && s.info_valid && s.sksv);
	CHECK_EQ(s.info, -2);
	CHECK_EQ(s.sks[1], 0x12);

	/* additional length shorter than the buffer: trailing bytes ignored */
	uint8_t d3[] = {0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0, 0xde, 0xad};
	CHECK_EQ(tc_sense_parse(d3, sizeof(d3), &s), 0);
	CHECK(!s.info_valid && !s.filemark);
	CHECK_EQ(s.key, 6);
	CHECK_EQ(s.asc, 0x29);

	/* a too-short information descriptor is ignored, not trusted */
	uint8_t d4[] = {0x72, 0x03, 0, 0, 0, 0, 0, 4, 0x00, 0x02, 0x80, 0};
	CHECK_EQ(tc_sense_parse(d4, sizeof(d4), &s), 0);
	CHECK(!s.info_valid);
}

static void test_sense_garbage(void)
{
	struct tc_sense s;
	uint8_t fixed13[13] = {0x70, 0, 0x03};
	uint8_t bad_code[18] = {0x7f, 0, 0x03};
	uint8_t zero[18] = {0};
	uint8_t over[] = {0x72, 0x03, 0, 0, 0, 0, 0, 20, 0x00, 0x0a};     /* add len > buf */
	uint8_t inner[] = {0x72, 0x03, 0, 0, 0, 0, 0, 4, 0x00, 0x0a, 0, 0}; /* desc > add len */
	uint8_t half[] = {0x72, 0x03, 0, 0, 0, 0, 0, 1, 0x00};             /* 1-byte desc */
	uint8_t hdr7[] = {0x72, 0x03, 0, 0, 0, 0, 0};

	CHECK_EQ(tc_sense_parse(NULL, 0, &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(fixed13, 0, &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(fixed13, sizeof(fixed13), &s), -EINVAL);
	CHECK(!s.valid);
	CHECK_EQ(tc_sense_parse(bad_code, sizeof(bad_code), &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(zero, sizeof(zero), &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(over, sizeof(over), &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(inner, sizeof(inner), &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(half, sizeof(half), &s), -EINVAL);
	CHECK_EQ(tc_sense_parse(hdr7, sizeof(hdr7), &s), -EINVAL);
	CHECK(!s.valid && s.key == 0);

	/* random bytes in exact-size heap buffers: ASan flags any over-read */
	srand(1234);
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand() % 40);
		uint8_t *b = malloc(len ? len : 1);
		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rand();
		if (len)
			b[0] = (uint8_t)(0x70 + rand() % 4);
		int rc = tc_sense_parse(b, len, &s);
		CHECK(rc == 0 || rc == -EINVAL);
		CHECK_EQ(s.valid, rc == 0);
		free(b);
	}
}

static void test_read_info_len(void)
{
	struct tc_sense s = {.valid = true, .info_valid = true, .ili = true};
	s.info = 34464; /* asked 100000, the block had 65536 */
	CHECK_EQ(tc_read_info_len(&s, false, 100000, 100000), 65536);
	s.info = -64536; /* asked 1000 of a 65536-byte block: data stops at 1000 */
	CHECK_EQ(tc_read_info_len(&s, false, 1000, 1000), 1000);
	s.info = 3; /* fixed mode: 7 of 10 512-byte blocks before a filemark */
	CHECK_EQ(tc_read_info_len(&s, true, 10, 5120), 7 * 512);
	s.info = 10;
	CHECK_EQ(tc_read_info_len(&s, true, 10, 5120), 0);
	s.info = 1 << 30; /* nonsense larger than the request: nothing */
	CHECK_EQ(tc_read_info_len(&s, false, 100, 100), 0);
	s.info_valid = false;
	CHECK_EQ(tc_read_info_len(&s, false, 100, 100), -1);
	s.info_valid = true;
	CHECK_EQ(tc_read_info_len(&s, false, 0, 0), -1);
}

/* ---- CDB builders ---- */

static void test_cdb_ssc(void)
{
	CHECK_CDB(tc_cdb_read6(false, true, 0x040000), 0x08, 0x02, 0x04, 0x00, 0x00, 0x00);
	CHECK_CDB(tc_cdb_read6(true, false, 0x123456), 0x08, 0x01, 0x12, 0x34, 0x56, 0x00);
	CHECK_EQ(tc_cdb_read6(false, false, 0x1000000).len, 0);
	CHECK_CDB(tc_cdb_write6(false, 0x010000), 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00);
	CHECK_CDB(tc_cdb_write6(true, 3), 0x0a, 0x01, 0x00, 0x00, 0x03, 0x00);
	CHECK_EQ(tc_cdb_write6(true, 0x1000000).len, 0);
	CHECK_CDB(tc_cdb_write_filemarks6(1, false), 0x10, 0x00, 0x00, 0x00, 0x01, 0x00);
	CHECK_CDB(tc_cdb_write_filemarks6(0, true), 0x10, 0x01, 0x00, 0x00, 0x00, 0x00);
	CHECK_CDB(tc_cdb_space6(TC_SPACE_FILEMARKS, -1), 0x11, 0x01, 0xff, 0xff, 0xff, 0x00);
	CHECK_CDB(tc_cdb_space6(TC_SPACE_BLOCKS, 5), 0x11, 0x00, 0x00, 0x00, 0x05, 0x00);
	CHECK_CDB(tc_cdb_space6(TC_SPACE_EOD, 0), 0x11, 0x03, 0x00, 0x00, 0x00, 0x00);
	CHECK_CDB(tc_cdb_space6(TC_SPACE_BLOCKS, -(1 << 23)), 0x11, 0x00, 0x80, 0x00, 0x00, 0x00);
	CHECK_EQ(tc_cdb_space6(TC_SPACE_BLOCKS, 1 << 23).len, 0);
	CHECK_EQ(tc_cdb_space6(TC_SPACE_BLOCKS, -(1 << 23) - 1).len, 0);
	CHECK_CDB(tc_cdb_space16(TC_SPACE_FILEMARKS, -2), 0x91, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_space16(TC_SPACE_SEQ_FILEMARKS, 0x0102030405060708), 0x91, 0x02, 0, 0,
		  1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_rewind(false), 0x01, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_rewind(true), 0x01, 0x01, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_locate10(true, true, true, 0x01020304, 1), 0x2b, 0x07, 0x00, 0x01, 0x02,
		  0x03, 0x04, 0x00, 0x01, 0x00);
	CHECK_CDB(tc_cdb_locate10(false, false, false, 9, 0), 0x2b, 0, 0, 0, 0, 0, 9, 0, 0, 0);
	CHECK_CDB(tc_cdb_locate16(0, false, true, 2, 0x0102030405060708), 0x92, 0x01, 0x00, 0x02,
		  1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_locate16(1, true, false, 0, 0), 0x92, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		  0, 0, 0, 0, 0);
	CHECK_EQ(tc_cdb_locate16(4, false, false, 0, 0).len, 0);
	CHECK_CDB(tc_cdb_read_position(TC_RP_SHORT), 0x34, 0x00, 0, 0, 0, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_read_position(TC_RP_LONG), 0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0);
	CHECK_EQ(tc_cdb_read_position((enum tc_rp_form)0x08).len, 0);
	CHECK_CDB(tc_cdb_load_unload(false, false, false, false, true), 0x1b, 0, 0, 0, 0x01, 0);
	CHECK_CDB(tc_cdb_load_unload(true, true, true, true, false), 0x1b, 0x01, 0, 0, 0x0e, 0);
	CHECK_CDB(tc_cdb_erase6(true, true), 0x19, 0x03, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_erase6(false, true), 0x19, 0x01, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_read_block_limits(), 0x05, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_report_density_support(true, false, 0x1234), 0x44, 0x01, 0, 0, 0, 0, 0,
		  0x12, 0x34, 0);
	CHECK_CDB(tc_cdb_report_density_support(false, true, 8), 0x44, 0x02, 0, 0, 0, 0, 0, 0, 8,
		  0);
}

static void test_cdb_spc(void)
{
	CHECK_CDB(tc_cdb_test_unit_ready(), 0, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_inquiry(true, 0x80, 255), 0x12, 0x01, 0x80, 0x00, 0xff, 0x00);
	CHECK_CDB(tc_cdb_inquiry(false, 0, 0x0124), 0x12, 0x00, 0x00, 0x01, 0x24, 0x00);
	CHECK_EQ(tc_cdb_inquiry(false, 0x83, 96).len, 0);
	CHECK_CDB(tc_cdb_request_sense(true, 252), 0x03, 0x01, 0, 0, 0xfc, 0);
	CHECK_CDB(tc_cdb_mode_sense6(true, 0, 0x0f, 0, 0xff), 0x1a, 0x08, 0x0f, 0x00, 0xff, 0x00);
	CHECK_CDB(tc_cdb_mode_sense6(false, 1, 0x3f, 0xff, 12), 0x1a, 0x00, 0x7f, 0xff, 12, 0);
	CHECK_EQ(tc_cdb_mode_sense6(false, 4, 0, 0, 12).len, 0);
	CHECK_EQ(tc_cdb_mode_sense6(false, 0, 0x40, 0, 12).len, 0);
	CHECK_CDB(tc_cdb_mode_sense10(true, true, 3, 0x10, 1, 0x0200), 0x5a, 0x18, 0xd0, 0x01, 0,
		  0, 0, 0x02, 0x00, 0);
	CHECK_CDB(tc_cdb_mode_select6(true, false, 12), 0x15, 0x10, 0, 0, 12, 0);
	CHECK_CDB(tc_cdb_mode_select6(false, true, 0), 0x15, 0x01, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_log_sense(false, false, 1, 0x0c, 0, 0, 0x0400), 0x4d, 0x00, 0x4c, 0, 0,
		  0, 0, 0x04, 0x00, 0);
	CHECK_CDB(tc_cdb_log_sense(true, true, 0, 0x2e, 3, 0x0102, 8), 0x4d, 0x03, 0x2e, 3, 0,
		  0x01, 0x02, 0, 8, 0);
	CHECK_CDB(tc_cdb_read_attribute(0, 0, 0, 0x0400, 0x1000), 0x8c, 0, 0, 0, 0, 0, 0, 0,
		  0x04, 0x00, 0x00, 0x00, 0x10, 0x00, 0, 0);
	CHECK_CDB(tc_cdb_read_attribute(1, 2, 3, 0, 0x01020304), 0x8c, 0x01, 0, 0, 0, 2, 0, 3, 0,
		  0, 1, 2, 3, 4, 0, 0);
	CHECK_EQ(tc_cdb_read_attribute(0x20, 0, 0, 0, 8).len, 0);
	CHECK_CDB(tc_cdb_reserve6(), 0x16, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_release6(), 0x17, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_report_luns(2, 4096), 0xa0, 0, 2, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0);
}

static void test_cdb_smc(void)
{
	CHECK_CDB(tc_cdb_read_element_status(true, TC_ELEM_STORAGE, 0x1000, 10, false, true,
					     0x010000),
		  0xb8, 0x12, 0x10, 0x00, 0x00, 0x0a, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00);
	CHECK_CDB(tc_cdb_read_element_status(false, TC_ELEM_ALL, 0, 0xffff, true, false, 0xfffff),
		  0xb8, 0x00, 0, 0, 0xff, 0xff, 0x02, 0x0f, 0xff, 0xff, 0, 0);
	CHECK_EQ(tc_cdb_read_element_status(false, TC_ELEM_ALL, 0, 1, false, false, 1u << 24).len,
		 0);
	CHECK_CDB(tc_cdb_move_medium(0x0001, 0x1000, 0x0100, false), 0xa5, 0, 0x00, 0x01, 0x10,
		  0x00, 0x01, 0x00, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_move_medium(2, 3, 4, true), 0xa5, 0, 0, 2, 0, 3, 0, 4, 0, 0, 1, 0);
	CHECK_CDB(tc_cdb_initialize_element_status(), 0x07, 0, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_position_to_element(0x0001, 0x1000, false), 0x2b, 0, 0x00, 0x01, 0x10,
		  0x00, 0, 0, 0, 0);
	CHECK_CDB(tc_cdb_position_to_element(1, 2, true), 0x2b, 0, 0, 1, 0, 2, 0, 0, 1, 0);
	CHECK_CDB(tc_cdb_prevent_allow(1), 0x1e, 0, 0, 0, 0x01, 0);
	CHECK_CDB(tc_cdb_prevent_allow(0), 0x1e, 0, 0, 0, 0x00, 0);
	CHECK_EQ(tc_cdb_prevent_allow(4).len, 0);
	CHECK_CDB(tc_cdb_open_close_ie(0x0300, TC_IE_CLOSE), 0x1b, 0, 0x03, 0x00, 0x01, 0);
	CHECK_CDB(tc_cdb_open_close_ie(0x0301, TC_IE_OPEN), 0x1b, 0, 0x03, 0x01, 0x00, 0);
}

/* ---- reply parsers ---- */

static void test_position(void)
{
	struct tc_position p;
	uint8_t s[20] = {0x80, 0x01, 0, 0, 0, 0, 0, 7};
	CHECK_EQ(tc_position_parse(TC_RP_SHORT, s, sizeof(s), &p), 0);
	CHECK(p.bop && !p.eop && p.block_valid && !p.file_valid);
	CHECK_EQ(p.block, 7);
	CHECK_EQ(p.partition, 1);
	s[0] = 0x44; /* EOP, LOLU */
	CHECK_EQ(tc_position_parse(TC_RP_SHORT, s, sizeof(s), &p), 0);
	CHECK(!p.bop && p.eop && !p.block_valid);
	CHECK_EQ(tc_position_parse(TC_RP_SHORT, s, 19, &p), -EINVAL);

	uint8_t l[32] = {0x08, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 5,
			 0, 0, 0, 0, 0, 0, 0, 3};
	CHECK_EQ(tc_position_parse(TC_RP_LONG, l, sizeof(l), &p), 0);
	CHECK(!p.bop && p.block_valid && !p.file_valid); /* MPU set */
	CHECK_EQ(p.block, 0x100000005ull);
	CHECK_EQ(p.partition, 2);
	l[0] = 0x80;
	CHECK_EQ(tc_position_parse(TC_RP_LONG, l, sizeof(l), &p), 0);
	CHECK(p.bop && p.file_valid);
	CHECK_EQ(p.file, 3);
	CHECK_EQ(tc_position_parse(TC_RP_LONG, l, 31, &p), -EINVAL);
	CHECK_EQ(tc_position_parse((enum tc_rp_form)1, l, sizeof(l), &p), -EINVAL);

	struct tc_block_limits bl;
	uint8_t b[6] = {0x02, 0x00, 0x80, 0x00, 0x00, 0x01};
	CHECK_EQ(tc_block_limits_parse(b, 6, &bl), 0);
	CHECK_EQ(bl.granularity, 2);
	CHECK_EQ(bl.max_len, 0x8000);
	CHECK_EQ(bl.min_len, 1);
	CHECK_EQ(tc_block_limits_parse(b, 5, &bl), -EINVAL);
}

/* A hand-made READ ELEMENT STATUS report: one transport (no tags), two storage slots
 * (primary tags; one full), one import/export element (tags), one drive (tags and a
 * DVCID device identifier, full, loaded from slot 0x1000). */
struct res_builder {
	uint8_t b[1024];
	size_t len;
	size_t page;    /* offset of the open page header */
};

static void rb_page(struct res_builder *r, uint8_t type, bool pv, uint16_t dlen)
{
	r->page = r->len;
	uint8_t *p = r->b + r->len;
	p[0] = type;
	p[1] = pv ? 0x80 : 0;
	put_be16(p + 2, dlen);
	r->len += 8;
}

static uint8_t *rb_desc(struct res_builder *r, uint16_t dlen, uint16_t addr, uint8_t flags)
{
	uint8_t *d = r->b + r->len;
	put_be16(d, addr);
	d[2] = flags;
	r->len += dlen;
	put_be24(r->b + r->page + 5, (uint32_t)(r->len - r->page - 8));
	return d;
}

static void rb_tag(uint8_t *d, const char *tag)
{
	memset(d + 12, ' ', 32);
	memcpy(d + 12, tag, strlen(tag));
}

static size_t build_res(struct res_builder *r)
{
	memset(r, 0, sizeof(*r));
	r->len = 8;
	rb_page(r, TC_ELEM_TRANSPORT, false, 12);
	rb_desc(r, 12, 0x0001, 0x00);
	rb_page(r, TC_ELEM_STORAGE, true, 48);
	uint8_t *s1 = rb_desc(r, 48, 0x1000, 0x08); /* empty, accessible */
	memset(s1 + 12, ' ', 32);
	uint8_t *s2 = rb_desc(r, 48, 0x1001, 0x09); /* full */
	rb_tag(s2, "ABC123L6");
	put_be16(s2 + 12 + 34, 1);
	rb_page(r, TC_ELEM_IE, true, 48);
	uint8_t *ie = rb_desc(r, 48, 0x0300, 0x3a); /* INENAB EXENAB ACCESS IMPEXP */
	ie[4] = 0x3a;
	ie[5] = 0x02;
	rb_page(r, TC_ELEM_DRIVE, true, 84);
	uint8_t *dt = rb_desc(r, 84, 0x0100, 0x09);
	dt[9] = 0x80;           /* SVALID */
	put_be16(dt + 10, 0x1000);
	rb_tag(dt, "XYZ999L6");
	dt[48] = 0x02;          /* code set ASCII */
	dt[49] = 0x01;          /* T10 vendor id */
	dt[51] = 32;
	memcpy(dt + 52, "IBM     ULT3580-TD6     SERIAL01", 32);
	put_be16(r->b + 0, 0x0001);
	put_be16(r->b + 2, 5);
	put_be24(r->b + 5, (uint32_t)(r->len - 8));
	return r->len;
}

static void test_elem_good(void)
{
	struct res_builder r;
	struct tc_elem e[8];
	size_t n = 99;
	size_t len = build_res(&r);

	CHECK_EQ(tc_elem_parse(r.b, len, e, 8, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(e[0].type, TC_ELEM_TRANSPORT);
	CHECK_EQ(e[0].addr, 1);
	CHECK(!e[0].full && !e[0].has_pvoltag);
	CHECK_EQ(e[1].type, TC_ELEM_STORAGE);
	CHECK_EQ(e[1].addr, 0x1000);
	CHECK(!e[1].full && e[1].access && e[1].has_pvoltag);
	CHECK_EQ(strlen(e[1].pvoltag), 0);
	CHECK(e[2].full);
	CHECK(strcmp(e[2].pvoltag, "ABC123L6") == 0);
	CHECK_EQ(e[2].pvol_seq, 1);
	CHECK_EQ(e[3].type, TC_ELEM_IE);
	CHECK(e[3].impexp && e[3].access && e[3].exenab && e[3].inenab && !e[3].full);
	CHECK_EQ(e[3].asc, 0x3a);
	CHECK_EQ(e[3].ascq, 0x02);
	CHECK_EQ(e[4].type, TC_ELEM_DRIVE);
	CHECK_EQ(e[4].addr, 0x0100);
	CHECK(e[4].full && e[4].svalid && !e[4].invert);
	CHECK_EQ(e[4].src, 0x1000);
	CHECK(strcmp(e[4].pvoltag, "XYZ999L6") == 0);
	CHECK_EQ(e[4].code_set, 2);
	CHECK_EQ(e[4].id_type, 1);
	CHECK_EQ(e[4].id_len, 32);
	CHECK(memcmp(e[4].id, "IBM     ULT3580-TD6     SERIAL01", 32) == 0);
	CHECK_EQ(e[1].id_len, 0);

	/* more descriptors than room: the first ones are kept */
	CHECK_EQ(tc_elem_parse(r.b, len, e, 2, &n), -ENOSPC);
	CHECK_EQ(n, 2);
	CHECK_EQ(e[1].addr, 0x1000);

	/* cut by the allocation length, anywhere: only whole descriptors, never an error */
	for (size_t cut = 8; cut < len; cut++) {
		uint8_t *t = malloc(cut);
		memcpy(t, r.b, cut);
		CHECK_EQ(tc_elem_parse(t, cut, e, 8, &n), 0);
		CHECK(n < 5);
		free(t);
	}
	uint8_t *t = malloc(len - 1);
	memcpy(t, r.b, len - 1);
	CHECK_EQ(tc_elem_parse(t, len - 1, e, 8, &n), 0);
	CHECK_EQ(n, 4);
	free(t);
	/* a report with no pages */
	uint8_t empty[8] = {0};
	CHECK_EQ(tc_elem_parse(empty, 8, e, 8, &n), 0);
	CHECK_EQ(n, 0);
}

static void test_elem_garbage(void)
{
	struct res_builder r;
	struct tc_elem e[8];
	size_t n;
	size_t len = build_res(&r);
	struct res_builder bad;

	CHECK_EQ(tc_elem_parse(r.b, 7, e, 8, &n), -EINVAL);
	CHECK_EQ(tc_elem_parse(NULL, 0, e, 8, &n), -EINVAL);

	bad = r; /* storage page claims voltags but a 12-byte descriptor */
	put_be16(bad.b + 8 + 8 + 12 + 2, 12);
	CHECK_EQ(tc_elem_parse(bad.b, len, e, 8, &n), -EINVAL);

	bad = r; /* element type 5 */
	bad.b[8] = 5;
	CHECK_EQ(tc_elem_parse(bad.b, len, e, 8, &n), -EINVAL);

	bad = r; /* descriptor length 0 */
	put_be16(bad.b + 8 + 2, 0);
	CHECK_EQ(tc_elem_parse(bad.b, len, e, 8, &n), -EINVAL);

	bad = r; /* page byte count not a multiple of the descriptor length */
	put_be24(bad.b + 8 + 5, 13);
	CHECK_EQ(tc_elem_parse(bad.b, len, e, 8, &n), -EINVAL);

	bad = r; /* last page larger than the report */
	put_be24(bad.b + 5, (uint32_t)(len - 8 - 84));
	CHECK_EQ(tc_elem_parse(bad.b, len - 84, e, 8, &n), -EINVAL);

	bad = r; /* identifier length overruns its descriptor */
	bad.b[len - 84 + 51] = 33;
	CHECK_EQ(tc_elem_parse(bad.b, len, e, 8, &n), -EINVAL);

	bad = r; /* 3 bytes of trailing garbage inside the report */
	put_be24(bad.b + 5, (uint32_t)(len - 8 + 3));
	CHECK_EQ(tc_elem_parse(bad.b, len + 3, e, 8, &n), -EINVAL);

	/* random mutations of a valid report: any answer but a crash or an over-read */
	srand(99);
	for (int i = 0; i < 20000; i++) {
		size_t l = (size_t)(rand() % (int)(len + 1));
		uint8_t *t = malloc(l ? l : 1);
		memcpy(t, r.b, l);
		for (int k = 0; k < 3 && l; k++)
			t[rand() % (int)l] = (uint8_t)rand();
		int rc = tc_elem_parse(t, l, e, 8, &n);
		CHECK(rc == 0 || rc == -EINVAL || rc == -ENOSPC);
		CHECK(n <= 8);
		free(t);
	}
}

static void test_connect_refused(void)
{
	struct tc *tc = (struct tc *)(uintptr_t)1; /* must come back NULL */
	struct tc_opts o = {.timeout_ms = 5000};
	/* port 1 on loopback: nothing listens there in a test environment */
	int rc = tc_connect(&tc, "127.0.0.1:1", "iqn.2026-11.io.vtl:none", 0, &o);
	CHECK_EQ(rc, -ECONNREFUSED);
	CHECK(tc == NULL);
}

/* A peer that accepts the TCP connection and never answers the login: tc_connect must
 * give up at its deadline, and (under ASan) free the login it abandoned. */
static void *silent_peer(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	char b[512];
	while (fd >= 0 && read(fd, b, sizeof(b)) > 0)
		; /* swallow the login request until the client hangs up */
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void test_connect_timeout(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(lfd >= 0);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(listen(lfd, 1), 0);
	CHECK_EQ(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, silent_peer, &lfd), 0);

	char portal[32];
	snprintf(portal, sizeof(portal), "127.0.0.1:%u", ntohs(a.sin_port));
	struct tc *tc = (struct tc *)(uintptr_t)1;
	struct tc_opts o = {.timeout_ms = 300};
	CHECK_EQ(tc_connect(&tc, portal, "iqn.2026-11.io.vtl:silent", 0, &o), -ETIMEDOUT);
	CHECK(tc == NULL);
	CHECK_EQ(pthread_join(th, NULL), 0); /* tc_close hung up, so the peer saw EOF */
	close(lfd);
}

int main(void)
{
	test_sense_fixed();
	test_sense_descriptor();
	test_sense_garbage();
	test_read_info_len();
	test_cdb_ssc();
	test_cdb_spc();
	test_cdb_smc();
	test_position();
	test_elem_good();
	test_elem_garbage();
	test_connect_refused();
	test_connect_timeout();
	return 0;
}
