/* trec.h - helpers shared by the record tests: build a variant of a valid JSON document
 * with one member changed or removed, and assert a decoder's exact code and reason. */
#ifndef VTL_TESTS_UNIT_PROTO_TREC_H
#define VTL_TESTS_UNIT_PROTO_TREC_H

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/records.h"
#include "tests/testutil.h"

/* A decoder wrapper: decodes buf[len] into a record of its kind and frees it again. */
typedef int (*trec_dec)(const void *buf, size_t len, char *reason, size_t cap);

static inline int trec_node(const void *b, size_t n, char *r, size_t c)
{
	struct proto_node x;
	return proto_node_decode(b, n, &x, r, c);
}

static inline int trec_owner(const void *b, size_t n, char *r, size_t c)
{
	struct proto_owner x;
	return proto_owner_decode(b, n, &x, r, c);
}

static inline int trec_mig(const void *b, size_t n, char *r, size_t c)
{
	struct proto_mig x;
	return proto_mig_decode(b, n, &x, r, c);
}

static inline int trec_libcfg(const void *b, size_t n, char *r, size_t c)
{
	struct proto_libcfg x;
	int rc = proto_libcfg_decode(b, n, &x, r, c);
	proto_libcfg_fini(&x);
	return rc;
}

/* base with member key set to the JSON text val, or removed when val is NULL. A dotted
 * key "cartridges.1.barcode" reaches into arrays of objects. Caller frees. */
static inline char *trec_mutate(const char *base, const char *key, const char *val)
{
	json_error_t e;
	json_t *root = json_loads(base, 0, &e), *obj = root;
	CHECK(root);
	char path[128], *last = path, *dot;
	snprintf(path, sizeof path, "%s", key);
	while ((dot = strchr(last, '.'))) {
		*dot = 0;
		obj = json_is_array(obj) ? json_array_get(obj, strtoul(last, NULL, 10)) :
					   json_object_get(obj, last);
		CHECK(obj);
		last = dot + 1;
	}
	if (val) {
		json_t *v = json_loads(val, JSON_DECODE_ANY, &e);
		CHECK(v);
		CHECK_EQ(json_object_set_new(obj, last, v), 0);
	} else {
		CHECK_EQ(json_object_del(obj, last), 0);
	}
	char *s = json_dumps(root, JSON_COMPACT);
	CHECK(s);
	json_decref(root);
	return s;
}

/* Decoding text must fail with rc and a reason containing sub. */
static inline void trec_reject_at(trec_dec dec, const char *text, size_t len, int rc,
				  const char *sub, int line)
{
	char reason[PROTO_REASON_MAX] = "";
	int got = dec(text, len, reason, sizeof reason);
	if (got != rc || !strstr(reason, sub)) {
		int shown = len < 200 ? (int)len : 200;   /* text need not be terminated */
		fprintf(stderr, "line %d: input %.*s\n  want rc %d reason ~ '%s'\n  got rc %d reason '%s'\n",
			line, shown, text ? text : "", rc, sub, got, reason);
		exit(1);
	}
}
#define trec_reject(dec, text, rc, sub) trec_reject_at(dec, text, strlen(text), rc, sub, __LINE__)

/* The variant of base with key set to val (or removed) must fail with -EINVAL and sub. */
#define trec_reject_mut(dec, base, key, val, sub)                                     \
	do {                                                                          \
		char *_m = trec_mutate(base, key, val);                               \
		trec_reject_at(dec, _m, strlen(_m), -EINVAL, sub, __LINE__);          \
		free(_m);                                                             \
	} while (0)

/* The variant must decode. */
#define trec_accept_mut(dec, base, key, val)                                          \
	do {                                                                          \
		char *_m = trec_mutate(base, key, val);                               \
		char _r[PROTO_REASON_MAX] = "";                                       \
		int _rc = dec(_m, strlen(_m), _r, sizeof _r);                         \
		if (_rc)                                                              \
			fprintf(stderr, "line %d: %s -> %d %s\n", __LINE__, _m, _rc, _r); \
		CHECK_EQ(_rc, 0);                                                     \
		free(_m);                                                             \
	} while (0)

#endif
