/* rec_owner.c - libraries/<lib>/owner: who serves a library, under which epoch
 * (records.h). Only CAS transactions write it (DESIGN.md "Cluster state in etcd"). */
#include "proto/records.h"

#include <errno.h>
#include <string.h>

#include "proto/rec_fields.h"

static const char *const owner__states[] = {
	[PROTO_OWNER_ONLINE] = "online",
	[PROTO_OWNER_OFFLINE] = "offline",
	[PROTO_OWNER_MIGRATING] = "migrating",
};

#define T struct proto_owner
static const struct proto__field owner__fields[] = {
	PROTO__F_STR("node", T, node, proto__why_name),
	/* epoch 0 never exists: the first owner is epoch 1, so 0 can mean "none" in memory */
	PROTO__F_U64("epoch", T, epoch, 1, PROTO__INT_MAX),
	PROTO__F_ENUM("state", T, state, owner__states),
};
#undef T
#define OWNER__N (sizeof owner__fields / sizeof owner__fields[0])

const char *proto_owner_state_name(enum proto_owner_state s)
{
	return s >= PROTO_OWNER_ONLINE && s <= PROTO_OWNER_MIGRATING ? owner__states[s] : NULL;
}

static int owner__check_partners(const struct proto_owner *o, char *reason, size_t cap)
{
	if (o->n_partners > PROTO_MAX_PARTNERS)
		return proto__fail(reason, cap, "field 'partners': more than %d", PROTO_MAX_PARTNERS);
	for (size_t i = 0; i < o->n_partners; i++) {
		const char *p = o->partners[i];
		if (!memchr(p, 0, sizeof o->partners[i]) || !proto_name_valid(p))
			return proto__fail(reason, cap, "partners[%zu]: invalid name", i);
		if (!strcmp(p, o->node))
			return proto__fail(reason, cap, "partners[%zu]: is the owner", i);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p, o->partners[j]))
				return proto__fail(reason, cap, "partners[%zu]: duplicate", i);
	}
	return 0;
}

int proto_owner_check(const struct proto_owner *o, char *reason, size_t reason_cap)
{
	int rc = proto__check_fields(o, owner__fields, OWNER__N, reason, reason_cap);
	return rc ? rc : owner__check_partners(o, reason, reason_cap);
}

static int owner__encode_partners(json_t *obj, const void *rec)
{
	const struct proto_owner *o = rec;
	json_t *arr = json_array();     /* borrowed from obj once set */
	if (json_object_set_new(obj, "partners", arr))
		return -ENOMEM;
	for (size_t i = 0; i < o->n_partners; i++)
		if (json_array_append_new(arr, json_string(o->partners[i])))
			return -ENOMEM;
	return 0;
}

static int owner__decode_partners(const json_t *root, void *rec, char *reason, size_t cap)
{
	struct proto_owner *o = rec;
	const json_t *arr = json_object_get(root, "partners");
	if (!arr)
		return proto__fail(reason, cap, "missing field 'partners'");
	if (!json_is_array(arr))
		return proto__fail(reason, cap, "field 'partners': wrong type (want array)");
	if (json_array_size(arr) > PROTO_MAX_PARTNERS)
		return proto__fail(reason, cap, "field 'partners': more than %d", PROTO_MAX_PARTNERS);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			return proto__fail(reason, cap, "partners[%zu]: wrong type (want string)", i);
		if (json_string_length(v) > PROTO_NAME_MAX)
			return proto__fail(reason, cap, "partners[%zu]: invalid name", i);
		memcpy(o->partners[i], json_string_value(v), json_string_length(v));
		o->n_partners = i + 1;
	}
	return 0;
}

static int owner__check(const void *rec, char *reason, size_t cap)
{
	return proto_owner_check(rec, reason, cap);
}

static const struct proto__rec owner__rec = {
	.fields = owner__fields, .n_fields = OWNER__N, .size = sizeof(struct proto_owner),
	.max = PROTO_REC_MAX, .check = owner__check, .encode_more = owner__encode_partners,
	.decode_more = owner__decode_partners,
};

int proto_owner_encode(const struct proto_owner *o, char **out, char *reason,
		       size_t reason_cap)
{
	return proto__rec_encode(&owner__rec, o, out, reason, reason_cap);
}

int proto_owner_decode(const void *buf, size_t len, struct proto_owner *out, char *reason,
		       size_t reason_cap)
{
	return proto__rec_decode(&owner__rec, buf, len, out, reason, reason_cap);
}

bool proto_owner_equal(const struct proto_owner *a, const struct proto_owner *b)
{
	if (!proto__equal_fields(a, b, owner__fields, OWNER__N) || a->n_partners != b->n_partners)
		return false;
	for (size_t i = 0; i < a->n_partners; i++)
		if (strcmp(a->partners[i], b->partners[i]))
			return false;
	return true;
}
