/* rec_libcfg.c - libraries/<lib>/config: what a library is (records.h). The manager
 * writes it; every node reads it, so the devices look the same from every portal
 * (DESIGN.md "Device identity"). */
#include "proto/records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rec_fields.h"

static const char *const libcfg__policies[] = {
	[PROTO_POLICY_MIRRORED] = "mirrored",
	[PROTO_POLICY_SINGLE] = "single",
};

#define T struct proto_libcfg
static const struct proto__field libcfg__fields[] = {
	PROTO__F_STR("name", T, name, proto__why_name),
	PROTO__F_STR("id", T, id, proto__why_lib_id),
	PROTO__F_U16("drives", T, drives, 1, PROTO_MAX_DRIVES),
	PROTO__F_U16("slots", T, slots, 1, PROTO_MAX_SLOTS),
	PROTO__F_U16("ie_slots", T, ie_slots, 0, PROTO_MAX_IE),
	PROTO__F_STR("barcode_prefix", T, barcode_prefix, proto__why_upper),
	PROTO__F_STR("media", T, media, proto__why_upper),
	PROTO__F_U64("capacity", T, capacity, PROTO_CART_MIN_BYTES, PROTO_CART_MAX_BYTES),
	PROTO__F_STR("changer_vendor", T, changer_vendor, proto__why_ascii),
	PROTO__F_STR("changer_product", T, changer_product, proto__why_ascii),
	PROTO__F_STR("changer_rev", T, changer_rev, proto__why_ascii),
	PROTO__F_STR("drive_vendor", T, drive_vendor, proto__why_ascii),
	PROTO__F_STR("drive_product", T, drive_product, proto__why_ascii),
	PROTO__F_STR("drive_rev", T, drive_rev, proto__why_ascii),
	PROTO__F_ENUM("policy", T, policy, libcfg__policies),
};
#undef T
#define LIBCFG__N (sizeof libcfg__fields / sizeof libcfg__fields[0])

static const struct proto__field cart__fields[] = {
	PROTO__F_STR("barcode", struct proto_cart, barcode, proto__why_upper),
	PROTO__F_U64("capacity", struct proto_cart, capacity, PROTO_CART_MIN_BYTES,
		     PROTO_CART_MAX_BYTES),
};
#define CART__N (sizeof cart__fields / sizeof cart__fields[0])

/* Generated barcodes are prefix + 4 digits + media and must fit a volume tag: the field
 * sizes alone guarantee it, so no record can break the rule. */
_Static_assert(sizeof((struct proto_libcfg *)0)->barcode_prefix - 1 + 4 +
		       sizeof((struct proto_libcfg *)0)->media - 1 <= PROTO_BARCODE_MAX,
	       "barcode rule exceeds a volume tag");

/* Open addressing over barcodes: twice the most cartridges a library can hold. */
#define LIBCFG__HASH_SLOTS 8192

const char *proto_policy_name(enum proto_policy p)
{
	return p >= PROTO_POLICY_MIRRORED && p <= PROTO_POLICY_SINGLE ? libcfg__policies[p] : NULL;
}

void proto_libcfg_fini(struct proto_libcfg *c)
{
	if (!c)
		return;
	free(c->carts);
	c->carts = NULL;
	c->n_carts = 0;
}

static uint32_t libcfg__hash(const char *s)
{
	uint32_t h = 2166136261u;       /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Runs after every barcode passed its own check, so each is NUL-terminated. */
static int libcfg__check_dups(const struct proto_libcfg *c, char *reason, size_t cap)
{
	uint16_t seen[LIBCFG__HASH_SLOTS] = {0};        /* cartridge index + 1, 0 = free */
	for (size_t i = 0; i < c->n_carts; i++) {
		uint32_t h = libcfg__hash(c->carts[i].barcode) % LIBCFG__HASH_SLOTS;
		for (; seen[h]; h = (h + 1) % LIBCFG__HASH_SLOTS)
			if (!strcmp(c->carts[seen[h] - 1].barcode, c->carts[i].barcode))
				return proto__fail(reason, cap, "cartridges[%zu]: duplicate barcode '%s'",
						   i, c->carts[i].barcode);
		seen[h] = (uint16_t)(i + 1);
	}
	return 0;
}

static int libcfg__check_carts(const struct proto_libcfg *c, char *reason, size_t cap)
{
	char why[PROTO_REASON_MAX];
	if (c->n_carts > c->slots)
		return proto__fail(reason, cap, "field 'cartridges': more cartridges than slots");
	if (c->n_carts && !c->carts)
		return proto__fail(reason, cap, "field 'cartridges': no array");
	for (size_t i = 0; i < c->n_carts; i++)
		if (proto__check_fields(&c->carts[i], cart__fields, CART__N, why, sizeof why))
			return proto__fail(reason, cap, "cartridges[%zu]: %s", i, why);
	return libcfg__check_dups(c, reason, cap);
}

int proto_libcfg_check(const struct proto_libcfg *c, char *reason, size_t reason_cap)
{
	int rc = proto__check_fields(c, libcfg__fields, LIBCFG__N, reason, reason_cap);
	if (rc)
		return rc;
	return libcfg__check_carts(c, reason, reason_cap);
}

static int libcfg__encode_carts(json_t *obj, const void *rec)
{
	const struct proto_libcfg *c = rec;
	json_t *arr = json_array();     /* borrowed from obj once set */
	if (json_object_set_new(obj, "cartridges", arr))
		return -ENOMEM;
	for (size_t i = 0; i < c->n_carts; i++) {
		json_t *o = json_object();
		if (!o || json_array_append_new(arr, o) ||
		    proto__encode_fields(o, &c->carts[i], cart__fields, CART__N))
			return -ENOMEM;
	}
	return 0;
}

/* Runs after the scalar fields, so c->slots bounds the array before anything is
 * allocated for it. */
static int libcfg__decode_carts(const json_t *root, void *rec, char *reason, size_t cap)
{
	struct proto_libcfg *c = rec;
	char why[PROTO_REASON_MAX];
	const json_t *arr = json_object_get(root, "cartridges");
	if (!arr)
		return proto__fail(reason, cap, "missing field 'cartridges'");
	if (!json_is_array(arr))
		return proto__fail(reason, cap, "field 'cartridges': wrong type (want array)");
	size_t n = json_array_size(arr);
	if (n > c->slots)
		return proto__fail(reason, cap, "field 'cartridges': more cartridges than slots");
	if (!n)
		return 0;
	c->carts = calloc(n, sizeof *c->carts);
	if (!c->carts)
		return -ENOMEM;
	c->n_carts = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(arr, i);
		if (!json_is_object(o))
			return proto__fail(reason, cap, "cartridges[%zu]: wrong type (want object)", i);
		if (proto__decode_fields(o, cart__fields, CART__N, &c->carts[i], why, sizeof why))
			return proto__fail(reason, cap, "cartridges[%zu]: %s", i, why);
	}
	return 0;
}

static int libcfg__check(const void *rec, char *reason, size_t cap)
{
	return proto_libcfg_check(rec, reason, cap);
}

static void libcfg__fini(void *rec)
{
	proto_libcfg_fini(rec);
}

static const struct proto__rec libcfg__rec = {
	.fields = libcfg__fields, .n_fields = LIBCFG__N, .size = sizeof(struct proto_libcfg),
	.max = PROTO_LIBCFG_MAX, .check = libcfg__check, .encode_more = libcfg__encode_carts,
	.decode_more = libcfg__decode_carts, .fini = libcfg__fini,
};

int proto_libcfg_encode(const struct proto_libcfg *c, char **out, char *reason,
			size_t reason_cap)
{
	return proto__rec_encode(&libcfg__rec, c, out, reason, reason_cap);
}

int proto_libcfg_decode(const void *buf, size_t len, struct proto_libcfg *out, char *reason,
			size_t reason_cap)
{
	return proto__rec_decode(&libcfg__rec, buf, len, out, reason, reason_cap);
}

bool proto_libcfg_equal(const struct proto_libcfg *a, const struct proto_libcfg *b)
{
	if (!proto__equal_fields(a, b, libcfg__fields, LIBCFG__N) || a->n_carts != b->n_carts)
		return false;
	for (size_t i = 0; i < a->n_carts; i++)
		if (!proto__equal_fields(&a->carts[i], &b->carts[i], cart__fields, CART__N))
			return false;
	return true;
}
