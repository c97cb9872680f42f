/* tape_fmt.c - the byte layouts the store writes and reads back: object headers in segment
 * files, meta records and RocksDB keys. Everything read back from disk is hostile (a torn
 * write, a flipped bit, a hand-edited file): decoders check every field through common/rd.h
 * and answer -EBADMSG rather than trust it. Pure functions, no state. */
#include "common/crc32c.h"
#include "node/store/store_int.h"

#include "common/rd.h"

#include <errno.h>
#include <string.h>

void store__hdr_encode(uint8_t out[STORE__HDR_LEN], const struct store__hdr *h)
{
	memset(out, 0, STORE__HDR_LEN);
	put_be32(out, STORE__HDR_MAGIC);
	out[4] = h->type;
	put_be32(out + 8, h->gen);
	put_be32(out + 12, h->len);
	put_be64(out + 16, h->objno);
	put_be32(out + 24, h->dcrc);
	put_be32(out + 28, vtl_crc32c(0, out, 28));
}

int store__hdr_decode(const uint8_t in[STORE__HDR_LEN], struct store__hdr *h)
{
	struct rd r = rd_init(in, STORE__HDR_LEN);
	uint32_t magic = rd_be32(&r);
	h->type = rd_u8(&r);
	uint32_t reserved = rd_be24(&r);
	h->gen = rd_be32(&r);
	h->len = rd_be32(&r);
	h->objno = rd_be64(&r);
	h->dcrc = rd_be32(&r);
	uint32_t hcrc = rd_be32(&r);
	if (r.err || magic != STORE__HDR_MAGIC || reserved != 0 ||
	    hcrc != vtl_crc32c(0, in, 28))
		return -EBADMSG;
	if (h->type == STORE_OBJ_FILEMARK)
		return h->len == 0 ? 0 : -EBADMSG;
	if (h->type == STORE_OBJ_BLOCK)
		return h->len >= 1 && h->len <= STORE_OBJ_MAX_LEN ? 0 : -EBADMSG;
	return -EBADMSG;
}

void store__meta_encode(uint8_t out[STORE__META_LEN], const struct store__meta *m)
{
	put_be32(out, STORE__META_MAGIC);
	put_be32(out + 4, m->gen);
	put_be64(out + 8, m->eod);
	put_be64(out + 16, m->bytes);
}

int store__meta_decode(const void *val, size_t len, struct store__meta *m)
{
	struct rd r = rd_init(val, len);
	uint32_t magic = rd_be32(&r);
	m->gen = rd_be32(&r);
	m->eod = rd_be64(&r);
	m->bytes = rd_be64(&r);
	if (r.err || rd_left(&r) != 0 || magic != STORE__META_MAGIC)
		return -EBADMSG;
	/* each object takes at least a header: a larger eod cannot be true */
	if (m->eod > m->bytes / STORE__HDR_LEN)
		return -EBADMSG;
	return 0;
}

/* Not isalnum(): the locale must not widen what may name a file. */
static bool fmt__name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

int store__tape_name_check(const char *name)
{
	if (!name)
		return -EINVAL;
	size_t n = strnlen(name, STORE_TAPE_NAME_MAX + 1);
	if (n == 0 || n > STORE_TAPE_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!fmt__name_char(name[i]))
			return -EINVAL;
	return 0;
}

/* The tape name, then a separator byte; name was checked by store__tape_name_check. */
static size_t fmt__key_prefix(char out[STORE__KEY_MAX], const char *name, char sep)
{
	size_t n = strlen(name);
	memcpy(out, name, n);
	out[n] = sep;
	return n + 1;
}

size_t store__key_meta(char out[STORE__KEY_MAX], const char *name)
{
	return fmt__key_prefix(out, name, '\0');
}

size_t store__key_chunk(char out[STORE__KEY_MAX], const char *name, uint64_t first)
{
	size_t n = fmt__key_prefix(out, name, '\0');
	put_be64((uint8_t *)out + n, first);
	return n + 8;
}

size_t store__key_end(char out[STORE__KEY_MAX], const char *name)
{
	return fmt__key_prefix(out, name, '\1');
}
