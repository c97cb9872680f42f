#include "tests/integration/wl_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testutil.h"

const uint32_t wl_layout[WL_FILES][12] = {
	{65536, 65536, 65536, 65536, 65536, 65536, 65536, 65536, 0},
	{262144, 262144, 1024, 1024, 262144, 0},
	{100, 4096, 65536, 33, 131072, 512, 80, 0},
	{1, 2, 3, 1048576, 7, 0},
};

void wl_fill(uint8_t *buf, uint32_t len, unsigned gen, unsigned f, unsigned b)
{
	uint32_t x = 2166136261u ^ (gen * 16777619u) ^ (f << 20) ^ (b << 8);
	for (uint32_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

uint64_t wl_file_start(unsigned f)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < f; i++) {
		for (unsigned b = 0; wl_layout[i][b]; b++)
			n++;
		n++;    /* the filemark */
	}
	return n;
}

static uint8_t *wl__buf(void)
{
	static uint8_t *buf;
	if (!buf)
		buf = malloc(2u << 20);
	CHECK(buf != NULL);
	return buf;
}

void wl_write_all(struct tc *tc, unsigned gen)
{
	struct tc_result r;
	uint8_t *buf = wl__buf();
	for (unsigned f = 0; f < WL_FILES; f++) {
		for (unsigned b = 0; wl_layout[f][b]; b++) {
			uint32_t len = wl_layout[f][b];
			wl_fill(buf, len, gen, f, b);
			CHECK_EQ(tc_write6(tc, false, len, buf, len, &r), 0);
			CHECK_EQ(r.status, TC_GOOD);
		}
		/* the last filemark is the sync point (IMMED=0); the others may be buffered */
		CHECK_EQ(tc_write_filemarks6(tc, 1, f + 1 < WL_FILES, &r), 0);
		CHECK_EQ(r.status, TC_GOOD);
	}
}

void wl_read_file(struct tc *tc, unsigned gen, unsigned f)
{
	struct tc_result r;
	uint8_t *buf = wl__buf();
	uint8_t *want = malloc(2u << 20);
	CHECK(want != NULL);
	for (unsigned b = 0; wl_layout[f][b]; b++) {
		uint32_t len = wl_layout[f][b];
		/* ask for more than the block holds: a short block reads back with ILI and the
		 * exact residual, unless SILI; use SILI here and check lengths ourselves */
		CHECK_EQ(tc_read6(tc, false, true, 1u << 20 | 4096, buf, 1u << 20 | 4096, &r), 0);
		CHECK_EQ(r.status, TC_GOOD);
		CHECK_EQ(r.data_in_len, len);
		wl_fill(want, len, gen, f, b);
		if (memcmp(buf, want, len)) {
			fprintf(stderr, "data mismatch: gen %u file %u block %u (len %u)\n", gen, f, b, len);
			exit(1);
		}
	}
	/* the filemark: CHECK CONDITION, NO SENSE, FILEMARK DETECTED, FM bit, residual all */
	CHECK_EQ(tc_read6(tc, false, false, 4096, buf, 4096, &r), 0);
	CHECK(tc_check(&r, 0x0, 0x00, 0x01));
	CHECK(r.sense.filemark);
	CHECK(r.sense.info_valid);
	CHECK_EQ(r.sense.info, 4096);
	free(want);
}

uint16_t wl_find_barcode(struct tc *tc, const char *barcode)
{
	static struct tc_elem el[256];
	size_t n = 0;
	struct tc_result r;
	CHECK_EQ(tc_elements(tc, el, 256, &n, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	for (size_t i = 0; i < n; i++)
		if (el[i].full && !strcmp(el[i].pvoltag, barcode))
			return el[i].addr;
	return 0;
}

void wl_move(struct tc *tc, uint16_t src, uint16_t dst)
{
	struct tc_result r;
	CHECK_EQ(tc_move_medium(tc, 0, src, dst, &r), 0);
	if (r.status != TC_GOOD)
		fprintf(stderr, "MOVE 0x%04x -> 0x%04x: status %d sense %x/%02x/%02x\n", src, dst,
			r.status, r.sense.key, r.sense.asc, r.sense.ascq);
	CHECK_EQ(r.status, TC_GOOD);
}
