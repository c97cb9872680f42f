/* text.h - iSCSI text data: NUL-terminated "key=value" pairs (RFC 7143 6.1), as carried
 * by Login and Text PDUs. A bounded iterator over received text and a bounded builder
 * for replies. Pure; no allocation beyond what the caller hands in. */
#ifndef VTL_NODE_ISCSI_TEXT_H
#define VTL_NODE_ISCSI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISCSI_KEY_MAX 63       /* key names are at most 63 bytes (RFC 7143 6.1) */

struct iscsi_kv {
	const char *key;
	size_t klen;
	const char *val;       /* not NUL-terminated when the text's last pair lacks its NUL */
	size_t vlen;
};

/* Next pair of `text` starting at *pos. Returns 1 with *kv set, 0 at the end, -EINVAL for
 * a pair without '=', an empty or over-long key, or a key with characters outside
 * a-z A-Z 0-9 . - + @ _ (RFC 7143 6.1). Empty pairs (consecutive NULs) are skipped. */
int iscsi__kv_next(const char *text, size_t len, size_t *pos, struct iscsi_kv *kv);

bool iscsi__kv_key_is(const struct iscsi_kv *kv, const char *key);
bool iscsi__kv_val_is(const struct iscsi_kv *kv, const char *val);

/* numerical-value (RFC 7143 6.1): decimal or 0x-hex, at most 64 bits. -EINVAL otherwise. */
int iscsi__kv_num(const struct iscsi_kv *kv, uint64_t *out);

/* Copies the value into dst (NUL-terminated) if 1 <= vlen < cap and it holds no control
 * characters. -EINVAL otherwise. */
int iscsi__kv_str(const struct iscsi_kv *kv, char *dst, size_t cap);

/* Reply builder over a caller buffer; `overflow` sticks once something did not fit. */
struct iscsi_textbuf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

void iscsi__tb_init(struct iscsi_textbuf *tb, char *buf, size_t cap);
/* Appends key=val\0 (klen bytes of key). */
void iscsi__tb_add(struct iscsi_textbuf *tb, const char *key, size_t klen, const char *val);
void iscsi__tb_add_num(struct iscsi_textbuf *tb, const char *key, uint64_t val);

#endif
