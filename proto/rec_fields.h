/* rec_fields.h - internal to proto/: the table-driven core of the record codecs.
 *
 * A record's scalar members are rows of a table (JSON member name, C type, offset, bounds,
 * a content check for strings); one function per direction walks the table, so decode,
 * encode, check and equal can never disagree on a field. Lists (cartridges, partners)
 * and rules that span fields stay hand-written in each record's file.
 *
 * Reasons are "field 'NAME': WHAT" so an operator finds the member at once; the unit tests
 * assert these strings, change them together. */
#ifndef VTL_PROTO_REC_FIELDS_H
#define VTL_PROTO_REC_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proto__kind {
	PROTO__STR,     /* char[size], content checked by why() */
	PROTO__U64,     /* uint64_t in [min, max] */
	PROTO__U16,     /* uint16_t in [min, max] */
	PROTO__BOOL,    /* bool */
	PROTO__ENUM,    /* enum stored as int-sized, JSON string from names[1..n) */
};

struct proto__field {
	const char *key;
	enum proto__kind kind;
	size_t off;
	size_t size;                            /* PROTO__STR: buffer size */
	uint64_t min, max;                      /* numbers */
	bool optional;                          /* absent reads as "", 0, false */
	const char *(*why)(const char *s);      /* PROTO__STR: NULL if s is fine, else why not */
	const char *const *names;               /* PROTO__ENUM: [value] = name, [0] unused */
	size_t n_names;
};

#define PROTO__F_STR(k, T, m, w) {k, PROTO__STR, offsetof(T, m), sizeof(((T *)0)->m), 0, 0, false, w, NULL, 0}
#define PROTO__F_OPT_STR(k, T, m, w) {k, PROTO__STR, offsetof(T, m), sizeof(((T *)0)->m), 0, 0, true, w, NULL, 0}
#define PROTO__F_U64(k, T, m, lo, hi) {k, PROTO__U64, offsetof(T, m), 0, lo, hi, false, NULL, NULL, 0}
#define PROTO__F_U16(k, T, m, lo, hi) {k, PROTO__U16, offsetof(T, m), 0, lo, hi, false, NULL, NULL, 0}
#define PROTO__F_BOOL(k, T, m) {k, PROTO__BOOL, offsetof(T, m), 0, 0, 0, false, NULL, NULL, 0}
#define PROTO__F_ENUM(k, T, m, nm) {k, PROTO__ENUM, offsetof(T, m), 0, 1, sizeof(nm) / sizeof(nm[0]) - 1, false, NULL, nm, sizeof(nm) / sizeof(nm[0])}

#define PROTO__INT_MAX ((uint64_t)INT64_MAX)    /* jansson's json_int_t is long long */

/* Formats a reason (reason may be NULL) and returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
int proto__fail(char *reason, size_t cap, const char *fmt, ...);

/* Checks len against max, parses with duplicate members rejected, requires an object.
 * *root is the caller's to json_decref() on success, NULL on failure. */
int proto__parse(const void *buf, size_t len, size_t max, json_t **root, char *reason,
		 size_t cap);

/* Copies the table's members from obj into rec (zeroed by the caller), checking JSON
 * types, ranges and string sizes; content checks are proto__check_fields(). */
int proto__decode_fields(const json_t *obj, const struct proto__field *f, size_t n,
			 void *rec, char *reason, size_t cap);
int proto__check_fields(const void *rec, const struct proto__field *f, size_t n,
			char *reason, size_t cap);
/* Adds the members to obj. Returns 0 or -ENOMEM. rec has passed proto__check_fields(). */
int proto__encode_fields(json_t *obj, const void *rec, const struct proto__field *f,
			 size_t n);
bool proto__equal_fields(const void *a, const void *b, const struct proto__field *f,
			 size_t n);

/* Dumps obj compactly into a malloc'ed string of at most max bytes; takes obj. */
int proto__dump(json_t *obj, size_t max, char **out, char *reason, size_t cap);

/* A whole record: its table, its size limit and what the table cannot say. Every record's
 * encode and decode run through proto__rec_encode / proto__rec_decode, so they check,
 * build, parse and clean up the same way. */
struct proto__rec {
	const struct proto__field *fields;
	size_t n_fields;
	size_t size;                    /* sizeof the C record */
	size_t max;                     /* largest JSON accepted or written */
	int (*check)(const void *rec, char *reason, size_t cap);
	/* members beyond the table (lists); NULL when there are none */
	int (*encode_more)(json_t *obj, const void *rec);               /* 0 or -ENOMEM */
	int (*decode_more)(const json_t *root, void *rec, char *reason, size_t cap);
	void (*fini)(void *rec);        /* frees what decode_more allocated; may be NULL */
};

/* Checks rec, then writes it as JSON into a malloc'ed *out (NULL on failure). */
int proto__rec_encode(const struct proto__rec *d, const void *rec, char **out, char *reason,
		      size_t cap);
/* Parses, decodes and checks; on failure *out is released and zeroed. */
int proto__rec_decode(const struct proto__rec *d, const void *buf, size_t len, void *out,
		      char *reason, size_t cap);

/* String content checks for the tables: NULL when fine, else a short why. */
const char *proto__why_name(const char *s);       /* [A-Za-z0-9_-]{1,63} */
const char *proto__why_portal(const char *s);     /* host:port */
const char *proto__why_peer(const char *s);       /* tcp://host:port */
const char *proto__why_version(const char *s);    /* [A-Za-z0-9.+_-]{1,63} */
const char *proto__why_lib_id(const char *s);     /* 32 lower-case hex digits */
const char *proto__why_upper(const char *s);      /* [A-Z0-9]+ */
const char *proto__why_ascii(const char *s);      /* printable ASCII, non-empty (SPC-4 4.3.1) */
const char *proto__why_text(const char *s);       /* UTF-8, no control characters, may be "" */

#endif
