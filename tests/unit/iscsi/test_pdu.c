/* PDU layer: BHS parsing, first checks (opcode, AHS, lengths), garbage headers, and the
 * pure helpers (LUN decoding, CDB length, residuals, serial numbers, text iteration). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/rd.h"
#include "node/iscsi/pdu.h"
#include "node/iscsi/text.h"
#include "tests/testutil.h"

static void test_parse_scsi_cmd(void)
{
	uint8_t b[48] = {0};
	b[0] = 0x41;                   /* immediate SCSI Command */
	b[1] = 0x80 | 0x20 | 0x01;     /* F, W, SIMPLE */
	b[4] = 2;                      /* 8 bytes of AHS */
	put_be24(b + 5, 0x012345);
	b[8] = 0x40;
	b[9] = 0x05;                   /* flat LUN 5 */
	put_be32(b + 16, 0xdeadbeef);
	put_be32(b + 20, 65536);
	put_be32(b + 24, 7);
	put_be32(b + 28, 9);
	b[32] = 0x0a;
	b[47] = 0x99;
	struct iscsi_req r;
	iscsi__req_parse(b, &r);
	CHECK_EQ(r.op, ISCSI_OP_SCSI_CMD);
	CHECK(r.imm);
	CHECK_EQ(r.flags, 0xa1);
	CHECK_EQ(r.ahs_len, 8);
	CHECK_EQ(r.dsl, 0x012345);
	CHECK_EQ(r.itt, 0xdeadbeef);
	CHECK_EQ(r.w20, 65536);
	CHECK_EQ(r.cmdsn, 7);
	CHECK_EQ(r.expstatsn, 9);
	CHECK_EQ(r.cdb[0], 0x0a);
	CHECK_EQ(r.cdb[15], 0x99);
	CHECK_EQ(iscsi__lun_decode(r.lun), 5);
	CHECK(memcmp(r.raw, b, 48) == 0);
}

static void test_check(void)
{
	uint8_t b[48] = {0};
	struct iscsi_req r;
	uint8_t reason = 0;

	b[0] = ISCSI_OP_NOP_OUT;
	put_be24(b + 5, 8192);
	iscsi__req_parse(b, &r);
	CHECK_EQ(iscsi__req_check(&r, 8192, &reason), ISCSI_PDU_OK);
	/* one byte over our MaxRecvDataSegmentLength: never read, close */
	put_be24(b + 5, 8193);
	iscsi__req_parse(b, &r);
	CHECK_EQ(iscsi__req_check(&r, 8192, &reason), ISCSI_PDU_DROP);
	CHECK_EQ(reason, ISCSI_REJECT_PROTOCOL);
	put_be24(b + 5, 0xffffff);
	iscsi__req_parse(b, &r);
	CHECK_EQ(iscsi__req_check(&r, 262144, &reason), ISCSI_PDU_DROP);

	put_be24(b + 5, 0);
	static const struct { uint8_t op; enum iscsi_verdict v; uint8_t reason; } cases[] = {
		{0x07, ISCSI_PDU_REJECT, ISCSI_REJECT_CMD_NOT_SUPPORTED},   /* undefined */
		{0x1c, ISCSI_PDU_REJECT, ISCSI_REJECT_CMD_NOT_SUPPORTED},   /* vendor */
		{0x21, ISCSI_PDU_REJECT, ISCSI_REJECT_CMD_NOT_SUPPORTED},   /* a target opcode */
		{0x3f, ISCSI_PDU_REJECT, ISCSI_REJECT_CMD_NOT_SUPPORTED},
		{ISCSI_OP_SNACK_REQ, ISCSI_PDU_REJECT, ISCSI_REJECT_PROTOCOL},   /* ERL 0 */
		{ISCSI_OP_LOGIN_REQ, ISCSI_PDU_REJECT, ISCSI_REJECT_PROTOCOL},   /* in FFP */
		{ISCSI_OP_SCSI_CMD, ISCSI_PDU_OK, 0},
		{ISCSI_OP_DATA_OUT, ISCSI_PDU_OK, 0},
		{ISCSI_OP_TMF_REQ, ISCSI_PDU_OK, 0},
		{ISCSI_OP_TEXT_REQ, ISCSI_PDU_OK, 0},
		{ISCSI_OP_LOGOUT_REQ, ISCSI_PDU_OK, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b[0] = cases[i].op;
		iscsi__req_parse(b, &r);
		reason = 0;
		CHECK_EQ(iscsi__req_check(&r, 8192, &reason), cases[i].v);
		CHECK_EQ(reason, cases[i].reason);
	}
	/* AHS is only defined for SCSI Command */
	b[0] = ISCSI_OP_NOP_OUT;
	b[4] = 1;
	iscsi__req_parse(b, &r);
	CHECK_EQ(iscsi__req_check(&r, 8192, &reason), ISCSI_PDU_REJECT);
	CHECK_EQ(reason, ISCSI_REJECT_INVALID_FIELD);
	b[0] = ISCSI_OP_SCSI_CMD;
	iscsi__req_parse(b, &r);
	CHECK_EQ(iscsi__req_check(&r, 8192, &reason), ISCSI_PDU_OK);
}

/* Random headers: parsing never reads outside 48 bytes (ASan) and the verdict follows
 * the length rule. */
static void test_garbage_headers(void)
{
	srand(12345);
	for (int i = 0; i < 100000; i++) {
		uint8_t *b = malloc(48);   /* exact size so ASan sees any over-read */
		CHECK(b);
		for (int k = 0; k < 48; k++)
			b[k] = (uint8_t)rand();
		struct iscsi_req r;
		uint8_t reason = 0;
		iscsi__req_parse(b, &r);
		enum iscsi_verdict v = iscsi__req_check(&r, 65536, &reason);
		CHECK(r.dsl <= 0xffffff && r.ahs_len <= ISCSI_AHS_MAX && r.op < 0x40);
		if (r.dsl > 65536)
			CHECK_EQ(v, ISCSI_PDU_DROP);
		if (v != ISCSI_PDU_OK)
			CHECK(reason != 0);
		free(b);
	}
}

static void test_lun_decode(void)
{
	uint8_t l[8] = {0};
	CHECK_EQ(iscsi__lun_decode(l), 0);
	l[1] = 1;
	CHECK_EQ(iscsi__lun_decode(l), 1);                 /* peripheral, bus 0 */
	l[0] = 0x40 | 0x01;
	l[1] = 0x02;
	CHECK_EQ(iscsi__lun_decode(l), 0x102);             /* flat space */
	l[0] = 0x7f;
	l[1] = 0xff;
	CHECK_EQ(iscsi__lun_decode(l), 0x3fff);
	l[0] = 0x01;                                       /* peripheral, bus 1: not ours */
	l[1] = 0x00;
	CHECK(iscsi__lun_decode(l) > 0xffff);
	memset(l, 0, 8);
	l[0] = 0x80;                                       /* logical unit addressing */
	l[1] = 1;
	CHECK(iscsi__lun_decode(l) > 0xffff);
	memset(l, 0, 8);
	l[1] = 1;
	l[3] = 2;                                          /* second level */
	CHECK(iscsi__lun_decode(l) > 0xffff);
}

static void test_cdb_len_residual_sn(void)
{
	CHECK_EQ(iscsi__cdb_len(0x00), 6);
	CHECK_EQ(iscsi__cdb_len(0x1b), 6);
	CHECK_EQ(iscsi__cdb_len(0x28), 10);
	CHECK_EQ(iscsi__cdb_len(0x5a), 10);
	CHECK_EQ(iscsi__cdb_len(0x88), 16);
	CHECK_EQ(iscsi__cdb_len(0xa0), 12);
	CHECK_EQ(iscsi__cdb_len(0x7f), 16);

	struct iscsi_resid r = iscsi__residual(512, 512, 512);
	CHECK_EQ(r.flags, 0);
	CHECK_EQ(r.count, 0);
	r = iscsi__residual(1024, 512, 512);
	CHECK_EQ(r.flags, ISCSI_RESID_UNDERFLOW);
	CHECK_EQ(r.count, 512);
	r = iscsi__residual(512, 512, 2048);
	CHECK_EQ(r.flags, ISCSI_RESID_OVERFLOW);
	CHECK_EQ(r.count, 1536);
	r = iscsi__residual(100, 0, 0);
	CHECK_EQ(r.flags, ISCSI_RESID_UNDERFLOW);
	CHECK_EQ(r.count, 100);
	r = iscsi__residual(0, 0, 0);
	CHECK_EQ(r.flags, 0);
	r = iscsi__residual(0, 0, 6);                      /* no buffer, CDB wanted 6 */
	CHECK_EQ(r.flags, ISCSI_RESID_OVERFLOW);
	CHECK_EQ(r.count, 6);

	CHECK(iscsi__sn_lt(1, 2));
	CHECK(!iscsi__sn_lt(2, 2));
	CHECK(iscsi__sn_le(2, 2));
	CHECK(iscsi__sn_lt(0xffffffffu, 0));               /* wraps */
	CHECK(!iscsi__sn_lt(0, 0xffffffffu));
	CHECK(iscsi__sn_lt(0xfffffff0u, 0x10));

	uint8_t s[ISCSI_SENSE_LEN];
	iscsi__sense(s, 0x0b, 0x47, 0x05);
	CHECK_EQ(s[0], 0x70);
	CHECK_EQ(s[2], 0x0b);
	CHECK_EQ(s[7], 10);
	CHECK_EQ(s[12], 0x47);
	CHECK_EQ(s[13], 0x05);
	CHECK_EQ(iscsi__pad4(0), 0);
	CHECK_EQ(iscsi__pad4(1), 3);
	CHECK_EQ(iscsi__pad4(4), 0);
	CHECK_EQ(iscsi__pad4(6), 2);
}

static void test_text_iter(void)
{
	static const char t[] = "A=1\0\0B.c-d+e@f_g=two words\0Last=x";   /* last pair: no NUL */
	size_t pos = 0;
	struct iscsi_kv kv;
	CHECK_EQ(iscsi__kv_next(t, sizeof t - 1, &pos, &kv), 1);
	CHECK(iscsi__kv_key_is(&kv, "A") && iscsi__kv_val_is(&kv, "1"));
	CHECK_EQ(iscsi__kv_next(t, sizeof t - 1, &pos, &kv), 1);
	CHECK(iscsi__kv_key_is(&kv, "B.c-d+e@f_g") && iscsi__kv_val_is(&kv, "two words"));
	CHECK_EQ(iscsi__kv_next(t, sizeof t - 1, &pos, &kv), 1);
	CHECK(iscsi__kv_key_is(&kv, "Last") && iscsi__kv_val_is(&kv, "x"));
	CHECK_EQ(iscsi__kv_next(t, sizeof t - 1, &pos, &kv), 0);

	static const char *bad[] = {"NoEquals", "=v", "Bad Key=1", "K\x01=1",
		"K123456789012345678901234567890123456789012345678901234567890123=1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pos = 0;
		CHECK_EQ(iscsi__kv_next(bad[i], strlen(bad[i]), &pos, &kv), -EINVAL);
	}
	/* a 63-byte key is the longest allowed */
	static const char k63[] = "K12345678901234567890123456789012345678901234567890123456789012=1";
	pos = 0;
	CHECK_EQ(iscsi__kv_next(k63, strlen(k63), &pos, &kv), 1);
	CHECK_EQ(kv.klen, 63);

	uint64_t v;
	struct iscsi_kv n = {"K", 1, "262144", 6};
	CHECK_EQ(iscsi__kv_num(&n, &v), 0);
	CHECK_EQ(v, 262144);
	n.val = "0x10";
	n.vlen = 4;
	CHECK_EQ(iscsi__kv_num(&n, &v), 0);
	CHECK_EQ(v, 16);
	static const char *badnum[] = {"", "-1", "1a", "0x", "0xg", "+5", "18446744073709551616",
				       "123456789012345678901"};
	for (size_t i = 0; i < sizeof badnum / sizeof badnum[0]; i++) {
		n.val = badnum[i];
		n.vlen = strlen(badnum[i]);
		CHECK_EQ(iscsi__kv_num(&n, &v), -EINVAL);
	}
	char dst[8];
	struct iscsi_kv s = {"K", 1, "abc", 3};
	CHECK_EQ(iscsi__kv_str(&s, dst, sizeof dst), 0);
	CHECK(strcmp(dst, "abc") == 0);
	s.val = "abcdefgh";
	s.vlen = 8;
	CHECK_EQ(iscsi__kv_str(&s, dst, sizeof dst), -EINVAL);   /* does not fit with its NUL */
	s.val = "a\tb";
	s.vlen = 3;
	CHECK_EQ(iscsi__kv_str(&s, dst, sizeof dst), -EINVAL);
	s.vlen = 0;
	CHECK_EQ(iscsi__kv_str(&s, dst, sizeof dst), -EINVAL);

	char out[16];
	struct iscsi_textbuf tb;
	iscsi__tb_init(&tb, out, sizeof out);
	iscsi__tb_add(&tb, "Key", 3, "Value");
	CHECK_EQ(tb.len, 10);
	CHECK(memcmp(out, "Key=Value\0", 10) == 0);
	iscsi__tb_add(&tb, "Key", 3, "Val");                    /* 8 bytes: does not fit */
	CHECK(tb.overflow);
	CHECK_EQ(tb.len, 10);
}

int main(void)
{
	test_parse_scsi_cmd();
	test_check();
	test_garbage_headers();
	test_lun_decode();
	test_cdb_len_residual_sn();
	test_text_iter();
	return 0;
}
