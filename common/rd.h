/* rd.h - the one bounds-checked reader for bytes from outside (PDUs, forwarded messages,
 * stored records) and its writer twin.
 *
 * A reader never reads past its end: a short read sets `err` and returns zeros, so a
 * parser can read a whole header and check `rd.err` once. Big-endian (network order) is
 * the default; _le variants exist for on-disk records. Header-only, no allocation. */
#ifndef VTL_COMMON_RD_H
#define VTL_COMMON_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	struct rd r = {(const uint8_t *)p, len, 0, false};
	return r;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* Returns a pointer to n bytes and advances, or NULL (and sets err) if fewer remain. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static inline uint8_t rd_u8(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 1);
	return p ? p[0] : 0;
}

static inline uint16_t rd_be16(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t rd_be24(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 3);
	return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

static inline uint32_t rd_be32(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint64_t rd_be64(struct rd *r)
{
	uint64_t hi = rd_be32(r);
	return hi << 32 | rd_be32(r);
}

static inline uint32_t rd_le32(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 4);
	return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0] : 0;
}

static inline uint64_t rd_le64(struct rd *r)
{
	uint64_t lo = rd_le32(r);
	return (uint64_t)rd_le32(r) << 32 | lo;
}

/* Big-endian stores into a caller buffer of known size (no bounds: the caller sized it). */
static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

#endif
