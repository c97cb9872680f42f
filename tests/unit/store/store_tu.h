/* store_tu.h - helpers shared by the store's tape tests: reproducible object contents (so a
 * reader can check any object byte-exact knowing only its number and version), and a
 * checker that reads an object back and compares. */
#ifndef VTL_TESTS_STORE_TU_H
#define VTL_TESTS_STORE_TU_H

#include "node/store/store.h"
#include "tests/testutil.h"

#include <string.h>

/* Fills p with len bytes that depend on (k, ver, len). */
static inline void tu_fill(uint8_t *p, uint64_t k, uint32_t ver, uint32_t len)
{
	uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)ver << 40 ^ len;
	for (uint32_t i = 0; i < len; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t n = len - i < 8 ? len - i : 8;
		memcpy(p + i, &x, n);
	}
}

/* Reads object k and checks type, length and every byte against tu_fill(k, ver). buf
 * must hold len bytes. */
static inline void tu_check_obj(struct store_tape *t, uint64_t k, uint32_t ver, uint8_t type,
				uint32_t len, uint8_t *buf, uint8_t *want)
{
	struct store_obj o = {0, 0};
	int rc = store_tape_read(t, k, buf, len, &o);
	if (rc != 0 || o.type != type || o.len != len) {
		fprintf(stderr, "object %llu: rc=%d type=%d/%d len=%u/%u\n", (unsigned long long)k,
			rc, o.type, type, o.len, len);
		exit(1);
	}
	if (type == STORE_OBJ_BLOCK) {
		tu_fill(want, k, ver, len);
		if (memcmp(buf, want, len) != 0) {
			fprintf(stderr, "object %llu: data differs\n", (unsigned long long)k);
			exit(1);
		}
	}
}

#endif
