/* text.c - key=value text iteration and building; see text.h. */
#include "node/iscsi/text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool text__key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-' || ch == '+' || ch == '@' || ch == '_';
}

int iscsi__kv_next(const char *text, size_t len, size_t *pos, struct iscsi_kv *kv)
{
	size_t p = *pos;
	while (p < len && text[p] == '\0')
		p++;
	if (p >= len) {
		*pos = p;
		return 0;
	}
	const char *start = text + p;
	const char *nul = memchr(start, '\0', len - p);
	size_t plen = nul ? (size_t)(nul - start) : len - p;
	const char *eq = memchr(start, '=', plen);
	if (!eq)
		return -EINVAL;
	size_t klen = (size_t)(eq - start);
	if (klen == 0 || klen > ISCSI_KEY_MAX)
		return -EINVAL;
	for (size_t i = 0; i < klen; i++)
		if (!text__key_char(start[i]))
			return -EINVAL;
	kv->key = start;
	kv->klen = klen;
	kv->val = eq + 1;
	kv->vlen = plen - klen - 1;
	*pos = p + plen + 1;
	return 1;
}

bool iscsi__kv_key_is(const struct iscsi_kv *kv, const char *key)
{
	size_t n = strlen(key);
	return kv->klen == n && memcmp(kv->key, key, n) == 0;
}

bool iscsi__kv_val_is(const struct iscsi_kv *kv, const char *val)
{
	size_t n = strlen(val);
	return kv->vlen == n && memcmp(kv->val, val, n) == 0;
}

static int text__digit(char ch, unsigned base)
{
	int d = -1;
	if (ch >= '0' && ch <= '9')
		d = ch - '0';
	else if (base == 16 && ch >= 'a' && ch <= 'f')
		d = ch - 'a' + 10;
	else if (base == 16 && ch >= 'A' && ch <= 'F')
		d = ch - 'A' + 10;
	return d;
}

int iscsi__kv_num(const struct iscsi_kv *kv, uint64_t *out)
{
	const char *s = kv->val;
	size_t n = kv->vlen;
	unsigned base = 10;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 20)
		return -EINVAL;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = text__digit(s[i], base);
		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			return -EINVAL;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int iscsi__kv_str(const struct iscsi_kv *kv, char *dst, size_t cap)
{
	if (kv->vlen == 0 || kv->vlen >= cap)
		return -EINVAL;
	for (size_t i = 0; i < kv->vlen; i++)
		if ((unsigned char)kv->val[i] < 0x20 || kv->val[i] == 0x7f)
			return -EINVAL;
	memcpy(dst, kv->val, kv->vlen);
	dst[kv->vlen] = '\0';
	return 0;
}

void iscsi__tb_init(struct iscsi_textbuf *tb, char *buf, size_t cap)
{
	tb->p = buf;
	tb->len = 0;
	tb->cap = cap;
	tb->overflow = false;
}

void iscsi__tb_add(struct iscsi_textbuf *tb, const char *key, size_t klen, const char *val)
{
	size_t vlen = strlen(val);
	size_t need = klen + 1 + vlen + 1;
	if (tb->overflow || need > tb->cap - tb->len) {
		tb->overflow = true;
		return;
	}
	char *w = tb->p + tb->len;
	memcpy(w, key, klen);
	w[klen] = '=';
	memcpy(w + klen + 1, val, vlen);
	w[klen + 1 + vlen] = '\0';
	tb->len += need;
}

void iscsi__tb_add_num(struct iscsi_textbuf *tb, const char *key, uint64_t val)
{
	char num[24];
	snprintf(num, sizeof num, "%llu", (unsigned long long)val);
	iscsi__tb_add(tb, key, strlen(key), num);
}
