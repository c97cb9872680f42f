/* CRC32C: RFC 3720 B.4 vectors, the standard check value, and the hardware path against
 * the table path and a bit-at-a-time reference over many lengths and alignments. */
#include <stdlib.h>
#include <string.h>

#include "common/crc32c.h"
#include "tests/testutil.h"

static uint32_t ref_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return c ^ 0xFFFFFFFFu;
}

static void test_rfc3720_vectors(void)
{
	uint8_t b[48];
	memset(b, 0, 32);
	CHECK_EQ(vtl_crc32c(0, b, 32), 0x8A9136AAu);
	memset(b, 0xff, 32);
	CHECK_EQ(vtl_crc32c(0, b, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	CHECK_EQ(vtl_crc32c(0, b, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	CHECK_EQ(vtl_crc32c(0, b, 32), 0x113FDB5Cu);
	/* the iSCSI Read(10) command PDU of RFC 3720 B.4 */
	static const uint8_t read10[48] = {
		0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
		0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0};
	CHECK_EQ(vtl_crc32c(0, read10, 48), 0xD9963A56u);
	CHECK_EQ(vtl_crc32c(0, "123456789", 9), 0xE3069283u);   /* CRC-32C check value */
	CHECK_EQ(vtl_crc32c(0, b, 0), 0);
}

static void test_paths_agree(void)
{
	uint8_t *buf = malloc(70000);
	CHECK(buf);
	srand(7);
	for (size_t i = 0; i < 70000; i++)
		buf[i] = (uint8_t)rand();
	static const size_t lens[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096, 65536};
	for (size_t a = 0; a < 8; a++) {
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
			const uint8_t *p = buf + a;
			uint32_t ref = ref_crc32c(p, lens[l]);
			CHECK_EQ(vtl_crc32c(0, p, lens[l]), ref);
			CHECK_EQ(vtl_crc32c_soft(0, p, lens[l]), ref);
		}
	}
	/* piecewise updates equal one pass (how digests cover data then padding) */
	uint32_t st = vtl_crc32c(0, buf, 1001);
	st = vtl_crc32c(st, buf + 1001, 3);
	st = vtl_crc32c_soft(st, buf + 1004, 60000);
	CHECK_EQ(st, ref_crc32c(buf, 61004));
	free(buf);
}

static void test_both_paths_vectors(void)
{
	/* RFC 3720 appendix B.4 (iSCSI CRC32C examples) and the classic check value */
	uint8_t zeros[32] = {0}, ones[32], inc[32];
	memset(ones, 0xff, sizeof ones);
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	uint32_t (*fns[2])(uint32_t, const void *, size_t) = {vtl_crc32c, vtl_crc32c_soft};
	for (int f = 0; f < 2; f++) {
		CHECK_EQ(fns[f](0, "123456789", 9), 0xE3069283u);
		CHECK_EQ(fns[f](0, zeros, 32), 0x8A9136AAu);
		CHECK_EQ(fns[f](0, ones, 32), 0x62A8AB43u);
		CHECK_EQ(fns[f](0, inc, 32), 0x46DD794Eu);
		CHECK_EQ(fns[f](0, NULL, 0), 0);
	}
}

static void test_chains(void)
{
	static uint8_t buf[100000];
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < sizeof buf; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	/* every alignment and short length; split computations continue the same value */
	for (size_t start = 0; start < 9; start++)
		for (size_t len = 0; len + start <= 1100; len += 7) {
			uint32_t a = vtl_crc32c(0, buf + start, len);
			CHECK_EQ(a, vtl_crc32c_soft(0, buf + start, len));
			size_t third = len / 3;
			uint32_t b = vtl_crc32c(0, buf + start, third);
			CHECK_EQ(a, vtl_crc32c(b, buf + start + third, len - third));
		}
	/* the hardware path's three-chain stretches (3 x 256 and 3 x 8192 bytes) and around */
	const size_t lens[] = {767, 768, 769, 24575, 24576, 24577, 24576 + 768, 49152 + 5,
			       99991, 100000 - 3};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
		for (size_t start = 0; start < 3; start++) {
			uint32_t a = vtl_crc32c(0, buf + start, lens[i]);
			CHECK_EQ(a, vtl_crc32c_soft(0, buf + start, lens[i]));
		}
	for (size_t len = 1000; len <= sizeof buf; len += 997)
		CHECK_EQ(vtl_crc32c(0, buf, len), vtl_crc32c_soft(0, buf, len));
}


int main(void)
{
	test_rfc3720_vectors();
	test_paths_agree();
	test_both_paths_vectors();
	test_chains();
	return 0;
}
