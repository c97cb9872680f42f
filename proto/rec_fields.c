/* rec_fields.c - the table walkers behind every record codec (rec_fields.h). */
#include "proto/rec_fields.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/records.h"

/* PROTO__ENUM fields are read and written as int (the enum's compatible type with the
 * compilers we build with); a build with -fshort-enums must fail here, not corrupt. */
_Static_assert(sizeof(enum proto_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum proto_owner_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum proto_mig_phase) == sizeof(int), "enum size");

int proto__fail(char *reason, size_t cap, const char *fmt, ...)
{
	if (!reason || !cap)
		return -EINVAL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, cap, fmt, ap);
	va_end(ap);
	/* Reasons end up in one-line logs and may quote hostile input (jansson's error
	 * text cites the bad token): keep them printable ASCII. */
	for (char *c = reason; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	return -EINVAL;
}

int proto__parse(const void *buf, size_t len, size_t max, json_t **root, char *reason,
		 size_t cap)
{
	*root = NULL;
	if (len > max) {
		proto__fail(reason, cap, "oversize: %zu bytes > %zu", len, max);
		return -EMSGSIZE;
	}
	if (!buf && len)
		return proto__fail(reason, cap, "invalid JSON: no buffer");
	json_error_t err;
	json_t *j = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		if (json_error_code(&err) == json_error_out_of_memory)
			return -ENOMEM;
		return proto__fail(reason, cap, "invalid JSON: %s (line %d column %d)", err.text,
				   err.line, err.column);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return proto__fail(reason, cap, "not a JSON object");
	}
	*root = j;
	return 0;
}

static int fields__decode_str(const json_t *v, const struct proto__field *f, char *dst,
			      char *reason, size_t cap)
{
	if (!json_is_string(v))
		return proto__fail(reason, cap, "field '%s': wrong type (want string)", f->key);
	size_t l = json_string_length(v);
	const char *s = json_string_value(v);
	if (l >= f->size)
		return proto__fail(reason, cap, "field '%s': too long (max %zu bytes)", f->key,
				   f->size - 1);
	if (strlen(s) != l)     /* jansson refuses \u0000 without JSON_ALLOW_NUL; belt and braces */
		return proto__fail(reason, cap, "field '%s': contains NUL", f->key);
	memcpy(dst, s, l + 1);
	return 0;
}

static int fields__decode_one(const json_t *v, const struct proto__field *f, char *p,
			      char *reason, size_t cap)
{
	json_int_t x;
	switch (f->kind) {
	case PROTO__STR:
		return fields__decode_str(v, f, p, reason, cap);
	case PROTO__U64:
	case PROTO__U16:
		if (!json_is_integer(v))
			return proto__fail(reason, cap, "field '%s': wrong type (want integer)", f->key);
		x = json_integer_value(v);
		if (x < 0 || (uint64_t)x < f->min || (uint64_t)x > f->max)
			return proto__fail(reason, cap, "field '%s': out of range (%llu..%llu)", f->key,
					   (unsigned long long)f->min, (unsigned long long)f->max);
		if (f->kind == PROTO__U64)
			*(uint64_t *)p = (uint64_t)x;
		else
			*(uint16_t *)p = (uint16_t)x;   /* max <= UINT16_MAX in every table */
		return 0;
	case PROTO__BOOL:
		if (!json_is_boolean(v))
			return proto__fail(reason, cap, "field '%s': wrong type (want boolean)", f->key);
		*(bool *)p = json_is_true(v);
		return 0;
	case PROTO__ENUM:
		if (!json_is_string(v))
			return proto__fail(reason, cap, "field '%s': wrong type (want string)", f->key);
		for (size_t i = 1; i < f->n_names; i++)
			if (!strcmp(json_string_value(v), f->names[i])) {
				*(int *)p = (int)i;
				return 0;
			}
		return proto__fail(reason, cap, "field '%s': unknown value", f->key);
	}
	return proto__fail(reason, cap, "field '%s': bad table", f->key);
}

int proto__decode_fields(const json_t *obj, const struct proto__field *f, size_t n,
			 void *rec, char *reason, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(obj, f[i].key);
		if (!v) {
			if (f[i].optional)
				continue;
			return proto__fail(reason, cap, "missing field '%s'", f[i].key);
		}
		int rc = fields__decode_one(v, &f[i], (char *)rec + f[i].off, reason, cap);
		if (rc)
			return rc;
	}
	return 0;
}

static int fields__check_one(const struct proto__field *f, const char *p, char *reason,
			     size_t cap)
{
	uint64_t x;
	const char *why;
	switch (f->kind) {
	case PROTO__STR:
		if (!memchr(p, 0, f->size))
			return proto__fail(reason, cap, "field '%s': not terminated", f->key);
		why = f->why(p);
		return why ? proto__fail(reason, cap, "field '%s': %s", f->key, why) : 0;
	case PROTO__U64:
	case PROTO__U16:
		x = f->kind == PROTO__U64 ? *(const uint64_t *)p : *(const uint16_t *)p;
		if (x < f->min || x > f->max)
			return proto__fail(reason, cap, "field '%s': out of range (%llu..%llu)", f->key,
					   (unsigned long long)f->min, (unsigned long long)f->max);
		return 0;
	case PROTO__BOOL:
		return 0;
	case PROTO__ENUM:
		x = (uint64_t)*(const int *)p;
		if (x < 1 || x >= f->n_names)
			return proto__fail(reason, cap, "field '%s': unknown value", f->key);
		return 0;
	}
	return proto__fail(reason, cap, "field '%s': bad table", f->key);
}

int proto__check_fields(const void *rec, const struct proto__field *f, size_t n,
			char *reason, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		int rc = fields__check_one(&f[i], (const char *)rec + f[i].off, reason, cap);
		if (rc)
			return rc;
	}
	return 0;
}

static json_t *fields__value(const struct proto__field *f, const char *p)
{
	switch (f->kind) {
	case PROTO__STR:
		return json_string(p);
	case PROTO__U64:
		return json_integer((json_int_t) * (const uint64_t *)p);
	case PROTO__U16:
		return json_integer(*(const uint16_t *)p);
	case PROTO__BOOL:
		return json_boolean(*(const bool *)p);
	case PROTO__ENUM:
		return json_string(f->names[*(const int *)p]);
	}
	return NULL;
}

int proto__encode_fields(json_t *obj, const void *rec, const struct proto__field *f,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* json_object_set_new takes the value even when it fails, and fails on NULL */
		if (json_object_set_new(obj, f[i].key, fields__value(&f[i], (const char *)rec + f[i].off)))
			return -ENOMEM;
	}
	return 0;
}

bool proto__equal_fields(const void *a, const void *b, const struct proto__field *f,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *pa = (const char *)a + f[i].off, *pb = (const char *)b + f[i].off;
		bool eq = false;
		switch (f[i].kind) {
		case PROTO__STR:
			eq = !strncmp(pa, pb, f[i].size);
			break;
		case PROTO__U64:
			eq = *(const uint64_t *)pa == *(const uint64_t *)pb;
			break;
		case PROTO__U16:
			eq = *(const uint16_t *)pa == *(const uint16_t *)pb;
			break;
		case PROTO__BOOL:
			eq = *(const bool *)pa == *(const bool *)pb;
			break;
		case PROTO__ENUM:
			eq = *(const int *)pa == *(const int *)pb;
			break;
		}
		if (!eq)
			return false;
	}
	return true;
}

int proto__dump(json_t *obj, size_t max, char **out, char *reason, size_t cap)
{
	*out = NULL;
	char *s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!s)
		return -ENOMEM;
	size_t len = strlen(s);
	if (len > max) {
		free(s);
		proto__fail(reason, cap, "oversize: encoded %zu bytes > %zu", len, max);
		return -EMSGSIZE;
	}
	*out = s;
	return 0;
}

int proto__rec_encode(const struct proto__rec *d, const void *rec, char **out, char *reason,
		      size_t cap)
{
	*out = NULL;
	int rc = d->check(rec, reason, cap);
	if (rc)
		return rc;
	json_t *obj = json_object();
	if (!obj)
		return -ENOMEM;
	rc = proto__encode_fields(obj, rec, d->fields, d->n_fields);
	if (!rc && d->encode_more)
		rc = d->encode_more(obj, rec);
	if (rc) {
		json_decref(obj);
		return rc;
	}
	return proto__dump(obj, d->max, out, reason, cap);
}

int proto__rec_decode(const struct proto__rec *d, const void *buf, size_t len, void *out,
		      char *reason, size_t cap)
{
	json_t *root;
	memset(out, 0, d->size);
	int rc = proto__parse(buf, len, d->max, &root, reason, cap);
	if (rc)
		return rc;
	rc = proto__decode_fields(root, d->fields, d->n_fields, out, reason, cap);
	if (!rc && d->decode_more)
		rc = d->decode_more(root, out, reason, cap);
	if (!rc)
		rc = d->check(out, reason, cap);
	json_decref(root);
	if (rc) {
		if (d->fini)
			d->fini(out);
		memset(out, 0, d->size);
	}
	return rc;
}
