/* crc32c.c - CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78): the iSCSI
 * header and data digests (RFC 7143 13.1) and the checksum of every object in a segment file.
 *
 * Every block is checksummed once when written and once per read, so this is on the data
 * paths. On x86-64 with SSE4.2 the CRC32 instruction runs in three interleaved chains
 * (measured below in docs/store.md: ~8 GB/s with one chain, ~3x that with three);
 * elsewhere a slicing-by-8 table. The choice and the tables are made once (pthread_once),
 * so the function is safe from any thread. */
#include "common/crc32c.h"

#include <pthread.h>
#include <string.h>

#define CRC__POLY 0x82F63B78u

static uint32_t crc__tab[8][256];
static pthread_once_t crc__once = PTHREAD_ONCE_INIT;
static uint32_t (*crc__fn)(uint32_t, const uint8_t *, size_t);

static uint32_t crc__soft(uint32_t crc, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		/* the CRC is reflected: byte 0 is the least significant, on any host */
		uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[3] << 24;
		uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			      (uint32_t)p[7] << 24;
		lo ^= crc;
		crc = crc__tab[7][lo & 0xff] ^ crc__tab[6][(lo >> 8) & 0xff] ^
		      crc__tab[5][(lo >> 16) & 0xff] ^ crc__tab[4][lo >> 24] ^
		      crc__tab[3][hi & 0xff] ^ crc__tab[2][(hi >> 8) & 0xff] ^
		      crc__tab[1][(hi >> 16) & 0xff] ^ crc__tab[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n--)
		crc = crc__tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* --- shifting a CRC past zeros -------------------------------------------------------
 * The CRC of A||B is the CRC of A "shifted" past |B| zero bytes, xor the CRC of B computed
 * from 0. The shift is linear over GF(2): a 32x32 bit matrix, built once per length by
 * repeated squaring (as zlib's crc32_combine does) and then tabulated per byte, so one
 * shift costs four lookups. This lets the hardware path run three independent CRC chains
 * over three stretches of a buffer and join them: the CRC32 instruction has a latency of
 * three cycles but issues one per cycle, so three chains run ~3x faster than one. */
#define CRC__LONG 8192u
#define CRC__SHORT 256u

static uint32_t crc__long[4][256], crc__short[4][256];

static uint32_t crc__gf2_times(const uint32_t *mat, uint32_t vec)
{
	uint32_t sum = 0;
	for (; vec; vec >>= 1, mat++)
		if (vec & 1)
			sum ^= *mat;
	return sum;
}

static void crc__gf2_square(uint32_t *square, const uint32_t *mat)
{
	for (int n = 0; n < 32; n++)
		square[n] = crc__gf2_times(mat, mat[n]);
}

/* Tabulates the operator that appends len zero bytes (len a power of two >= 1). */
static void crc__zeros(uint32_t tab[4][256], size_t len)
{
	uint32_t op[32], sq[32];
	op[0] = CRC__POLY; /* one zero bit: the reflected register shifts right */
	for (int n = 1; n < 32; n++)
		op[n] = 1u << (n - 1);
	for (size_t bits = 1; bits < len * 8; bits *= 2) {
		crc__gf2_square(sq, op);
		memcpy(op, sq, sizeof op);
	}
	for (uint32_t n = 0; n < 256; n++)
		for (int b = 0; b < 4; b++)
			tab[b][n] = crc__gf2_times(op, n << (8 * b));
}

static inline uint32_t crc__shift(uint32_t tab[4][256], uint32_t crc)
{
	return tab[0][crc & 0xff] ^ tab[1][(crc >> 8) & 0xff] ^ tab[2][(crc >> 16) & 0xff] ^
	       tab[3][crc >> 24];
}

#if defined(__x86_64__)
#include <nmmintrin.h>

static inline uint64_t crc__ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Three chains over three consecutive stretches of `span` bytes each, joined. */
__attribute__((target("sse4.2"))) static uint32_t crc__hw3(uint32_t crc, const uint8_t *p,
							   size_t span, uint32_t tab[4][256])
{
	uint64_t c0 = crc, c1 = 0, c2 = 0;
	for (const uint8_t *end = p + span; p < end; p += 8) {
		c0 = _mm_crc32_u64(c0, crc__ld64(p));
		c1 = _mm_crc32_u64(c1, crc__ld64(p + span));
		c2 = _mm_crc32_u64(c2, crc__ld64(p + 2 * span));
	}
	uint32_t c = crc__shift(tab, (uint32_t)c0) ^ (uint32_t)c1;
	return crc__shift(tab, c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2"))) static uint32_t crc__hw(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c = crc;
	while (n && ((uintptr_t)p & 7)) {
		c = _mm_crc32_u8((uint32_t)c, *p++);
		n--;
	}
	for (; n >= 3 * CRC__LONG; p += 3 * CRC__LONG, n -= 3 * CRC__LONG)
		c = crc__hw3((uint32_t)c, p, CRC__LONG, crc__long);
	for (; n >= 3 * CRC__SHORT; p += 3 * CRC__SHORT, n -= 3 * CRC__SHORT)
		c = crc__hw3((uint32_t)c, p, CRC__SHORT, crc__short);
	for (; n >= 8; p += 8, n -= 8)
		c = _mm_crc32_u64(c, crc__ld64(p));
	while (n--)
		c = _mm_crc32_u8((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

static void crc__init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC__POLY : c >> 1;
		crc__tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc__tab[t][i] = (crc__tab[t - 1][i] >> 8) ^ crc__tab[0][crc__tab[t - 1][i] & 0xff];
	crc__zeros(crc__long, CRC__LONG);
	crc__zeros(crc__short, CRC__SHORT);
	crc__fn = crc__soft;
#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		crc__fn = crc__hw;
#endif
}

uint32_t vtl_crc32c(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc__once, crc__init);
	return ~crc__fn(~crc, buf, len);
}

uint32_t vtl_crc32c_soft(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&crc__once, crc__init);
	return ~crc__soft(~crc, buf, len);
}
