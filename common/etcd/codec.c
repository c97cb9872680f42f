/* codec.c - etcd's JSON conventions: bytes as padded standard base64, int64 as strings,
 * zero values omitted (shared/notes/etcd-v3-json.md section 2). Every reply is hostile:
 * a wrong type or bad base64 is -EBADMSG, an absent field is zero. */
#include "common/etcd/etcd_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char etcd__b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

json_t *etcd__b64(const void *p, size_t n)
{
	const uint8_t *s = p;
	if (n > ETCD__MAX_REPLY)
		return NULL;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		*o++ = etcd__b64chars[v >> 18 & 63];
		*o++ = etcd__b64chars[v >> 12 & 63];
		*o++ = i + 1 < n ? etcd__b64chars[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? etcd__b64chars[v & 63] : '=';
	}
	json_t *j = json_stringn(out, (size_t)(o - out));
	free(out);
	return j;
}

static int etcd__b64val(char ch)
{
	const char *p = ch ? strchr(etcd__b64chars, ch) : NULL;
	return p ? (int)(p - etcd__b64chars) : -1;
}

/* Padded standard base64 only, as etcd writes it; the output is NUL-terminated. */
int etcd__unb64(const char *s, uint8_t **out, size_t *len)
{
	size_t n = strlen(s);
	*out = NULL;
	*len = 0;
	if (n % 4 || n > ETCD__MAX_REPLY)
		return -EBADMSG;
	uint8_t *d = malloc(n / 4 * 3 + 1);
	if (!d)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		int a = etcd__b64val(s[i]), b = etcd__b64val(s[i + 1]);
		int c = last && s[i + 2] == '=' && s[i + 3] == '=' ? -2 : etcd__b64val(s[i + 2]);
		int e = last && s[i + 3] == '=' ? -2 : etcd__b64val(s[i + 3]);
		if (a < 0 || b < 0 || c == -1 || e == -1 || (c == -2 && e != -2)) {
			free(d);
			return -EBADMSG;
		}
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 |
			     (uint32_t)(c < 0 ? 0 : c) << 6 | (uint32_t)(e < 0 ? 0 : e);
		d[k++] = (uint8_t)(v >> 16);
		if (c >= 0)
			d[k++] = (uint8_t)(v >> 8);
		if (e >= 0)
			d[k++] = (uint8_t)v;
	}
	d[k] = 0;
	*out = d;
	*len = k;
	return 0;
}

int etcd__int(json_t *obj, const char *name, int64_t *v)
{
	json_t *j = json_object_get(obj, name);
	*v = 0;
	if (!j)
		return 0;
	if (json_is_integer(j)) {
		*v = json_integer_value(j);
		return 0;
	}
	const char *s = json_string_value(j);
	if (!s || !*s || strlen(s) > 20)
		return -EBADMSG;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end)
		return -EBADMSG;
	*v = x;
	return 0;
}

json_t *etcd__i64(int64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "%lld", (long long)v);
	return json_string(s);
}

/* Sets key and, for a prefix, range_end = prefix with its last non-0xff byte
 * incremented and what follows dropped; an empty or all-0xff prefix means "to the end"
 * ("\0"), and an empty key with range_end "\0" is the whole keyspace. */
int etcd__key_range(json_t *req, const void *key, size_t len, bool prefix)
{
	static const uint8_t zero = 0;
	if (!prefix && len == 0)
		return -EINVAL;
	if (json_object_set_new(req, "key", etcd__b64(len ? key : &zero, len ? len : 1)))
		return -ENOMEM;
	if (!prefix)
		return 0;
	uint8_t *end = malloc(len + 1);
	if (!end)
		return -ENOMEM;
	memcpy(end, key, len);
	size_t n = len;
	while (n > 0 && end[n - 1] == 0xff)
		n--;
	if (n > 0)
		end[n - 1]++;
	int rc = json_object_set_new(req, "range_end", n ? etcd__b64(end, n) : etcd__b64(&zero, 1));
	free(end);
	return rc ? -ENOMEM : 0;
}

void etcd__kv_fini(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	*kv = (struct etcd_kv){0};
}

static int etcd__bytes(json_t *obj, const char *name, bool required, uint8_t **out, size_t *len)
{
	json_t *j = json_object_get(obj, name);
	if (!j && !required)
		j = json_string("");          /* omitted = empty */
	else
		json_incref(j);
	int rc = json_is_string(j) ? etcd__unb64(json_string_value(j), out, len) : -EBADMSG;
	json_decref(j);
	return rc;
}

int etcd__parse_kv(json_t *obj, struct etcd_kv *kv)
{
	*kv = (struct etcd_kv){0};
	int rc = json_is_object(obj) ? 0 : -EBADMSG;
	if (!rc)
		rc = etcd__bytes(obj, "key", true, &kv->key, &kv->key_len);
	if (!rc)
		rc = etcd__bytes(obj, "value", false, &kv->value, &kv->value_len);
	if (!rc)
		rc = etcd__int(obj, "create_revision", &kv->create_revision);
	if (!rc)
		rc = etcd__int(obj, "mod_revision", &kv->mod_revision);
	if (!rc)
		rc = etcd__int(obj, "version", &kv->version);
	if (!rc)
		rc = etcd__int(obj, "lease", &kv->lease);
	if (rc)
		etcd__kv_fini(kv);
	return rc;
}

int etcd__header_revision(json_t *obj, int64_t *rev)
{
	json_t *h = json_object_get(obj, "header");
	if (!json_is_object(h)) {
		*rev = 0;
		return -EBADMSG;
	}
	return etcd__int(h, "revision", rev);
}

void etcd_kvs_free(struct etcd_kvs *kvs)
{
	if (!kvs)
		return;
	for (size_t i = 0; i < kvs->n; i++)
		etcd__kv_fini(&kvs->kv[i]);
	free(kvs->kv);
	*kvs = (struct etcd_kvs){0};
}

int etcd__parse_kvs(json_t *obj, struct etcd_kvs *out)
{
	*out = (struct etcd_kvs){0};
	json_t *arr = json_object_get(obj, "kvs");
	int rc = etcd__header_revision(obj, &out->revision);
	if (rc || !arr)
		return rc;
	if (!json_is_array(arr))
		return -EBADMSG;
	size_t n = json_array_size(arr);
	out->kv = calloc(n ? n : 1, sizeof *out->kv);
	if (!out->kv)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = etcd__parse_kv(json_array_get(arr, i), &out->kv[i]);
		if (!rc)
			out->n++;
	}
	if (rc)
		etcd_kvs_free(out);
	return rc;
}
