/* test_fmt.c - the store's on-disk encodings: CRC-32C against known vectors (both code
 * paths), object headers and meta records round-trip, and every kind of garbage is refused
 * with -EBADMSG; tape names that could escape the tapes directory are refused. */
#include "common/crc32c.h"
#include "node/store/store_int.h"
#include "tests/testutil.h"

#include "common/rd.h"

#include <errno.h>
#include <string.h>

static void test_hdr(void)
{
	struct store__hdr h = {.type = STORE_OBJ_BLOCK, .gen = 7, .len = 262144,
			       .objno = 0x123456789aull, .dcrc = 0xdeadbeef}, g;
	uint8_t b[STORE__HDR_LEN];
	store__hdr_encode(b, &h);
	CHECK_EQ(get_be32(b), STORE__HDR_MAGIC);
	CHECK_EQ(store__hdr_decode(b, &g), 0);
	CHECK_EQ(g.type, h.type);
	CHECK_EQ(g.gen, 7);
	CHECK_EQ(g.len, 262144);
	CHECK_EQ(g.objno, 0x123456789aull);
	CHECK_EQ(g.dcrc, 0xdeadbeef);
	/* any single flipped bit is caught (by the header checksum or a field check) */
	for (int bit = 0; bit < STORE__HDR_LEN * 8; bit++) {
		uint8_t c[STORE__HDR_LEN];
		memcpy(c, b, sizeof c);
		c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK_EQ(store__hdr_decode(c, &g), -EBADMSG);
	}
	uint8_t zero[STORE__HDR_LEN] = {0};
	CHECK_EQ(store__hdr_decode(zero, &g), -EBADMSG);
	/* well-checksummed headers with impossible contents */
	struct store__hdr bad[] = {
		{.type = STORE_OBJ_FILEMARK, .len = 1},
		{.type = STORE_OBJ_BLOCK, .len = 0},
		{.type = STORE_OBJ_BLOCK, .len = STORE_OBJ_MAX_LEN + 1},
		{.type = 0, .len = 10},
		{.type = 3, .len = 10},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		store__hdr_encode(b, &bad[i]);
		CHECK_EQ(store__hdr_decode(b, &g), -EBADMSG);
	}
	struct store__hdr fm = {.type = STORE_OBJ_FILEMARK, .gen = 1, .objno = 3};
	store__hdr_encode(b, &fm);
	CHECK_EQ(store__hdr_decode(b, &g), 0);
	CHECK_EQ(g.type, STORE_OBJ_FILEMARK);
	/* reserved bytes must be zero even with a matching checksum */
	store__hdr_encode(b, &h);
	b[6] = 1;
	put_be32(b + 28, vtl_crc32c(0, b, 28));
	CHECK_EQ(store__hdr_decode(b, &g), -EBADMSG);
}

static void test_meta(void)
{
	struct store__meta m = {.gen = 3, .eod = 10, .bytes = 10 * STORE__HDR_LEN + 5}, g;
	uint8_t b[STORE__META_LEN + 1];
	store__meta_encode(b, &m);
	CHECK_EQ(store__meta_decode(b, STORE__META_LEN, &g), 0);
	CHECK_EQ(g.gen, 3);
	CHECK_EQ(g.eod, 10);
	CHECK_EQ(g.bytes, 10 * STORE__HDR_LEN + 5);
	CHECK_EQ(store__meta_decode(b, STORE__META_LEN - 1, &g), -EBADMSG);
	CHECK_EQ(store__meta_decode(b, STORE__META_LEN + 1, &g), -EBADMSG);
	CHECK_EQ(store__meta_decode(b, 0, &g), -EBADMSG);
	b[0] ^= 1;
	CHECK_EQ(store__meta_decode(b, STORE__META_LEN, &g), -EBADMSG);
	m.bytes = 10 * STORE__HDR_LEN - 1; /* ten objects cannot fit */
	store__meta_encode(b, &m);
	CHECK_EQ(store__meta_decode(b, STORE__META_LEN, &g), -EBADMSG);
}

static void test_tape_names(void)
{
	char longest[STORE_TAPE_NAME_MAX + 2];
	memset(longest, 'z', STORE_TAPE_NAME_MAX);
	longest[STORE_TAPE_NAME_MAX] = 0;
	const char *good[] = {"A", "ABC123L6", "0000000000000000", "Z9", "abc123", "_",
			      "0123456789abcdef0123456789abcdef_VT0001L8", longest};
	const char *bad[] = {"", "AB-1", "../ETC", "..", ".", "A/B", "A.B", "A B", "AB\n",
			     "a\tb", "\xc3\x84", "a:b", "a*", "~a", "a\\b", "a%b"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK_EQ(store__tape_name_check(good[i]), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ(store__tape_name_check(bad[i]), -EINVAL);
	CHECK_EQ(store__tape_name_check(NULL), -EINVAL);
	/* one character too long; and a long name is never read past its limit */
	longest[STORE_TAPE_NAME_MAX] = 'z';
	longest[STORE_TAPE_NAME_MAX + 1] = 0;
	CHECK_EQ(store__tape_name_check(longest), -EINVAL);
	/* every byte value: only [A-Za-z0-9_] may name a file */
	for (int c = 1; c < 256; c++) {
		char one[2] = {(char)c, 0};
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_';
		CHECK_EQ(store__tape_name_check(one), ok ? 0 : -EINVAL);
	}
}

static void test_keys(void)
{
	char k[STORE__KEY_MAX], e[STORE__KEY_MAX], c[STORE__KEY_MAX];
	size_t kl = store__key_meta(k, "AB");
	size_t el = store__key_end(e, "AB");
	size_t cl = store__key_chunk(c, "AB", 4096);
	CHECK_EQ(kl, 3);
	CHECK_EQ(el, 3);
	CHECK_EQ(cl, 11);
	CHECK(memcmp(k, "AB\0", 3) == 0);
	CHECK(memcmp(e, "AB\1", 3) == 0);
	CHECK_EQ(get_be64((uint8_t *)c + 3), 4096);
	/* a longer tape name sharing the prefix sorts outside [AB\0, AB\1) */
	char o[STORE__KEY_MAX];
	size_t ol = store__key_meta(o, "AB1");
	CHECK(memcmp(o, e, ol < el ? ol : el) > 0);
	char longest[STORE_TAPE_NAME_MAX + 1];
	memset(longest, 'x', STORE_TAPE_NAME_MAX);
	longest[STORE_TAPE_NAME_MAX] = 0;
	CHECK_EQ(store__key_chunk(c, longest, 1), STORE__KEY_MAX);
}

int main(void)
{
	test_hdr();
	test_meta();
	test_tape_names();
	test_keys();
	return 0;
}
