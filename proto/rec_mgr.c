/* rec_mgr.c - the manager's records (records.h): manager/leader, the active manager and
 * where its control API listens; drain/<node>, a node that takes no new libraries. */
#include "proto/records.h"

#include "proto/rec_fields.h"

/* ---- manager/leader ---- */

#define T struct proto_leader
static const struct proto__field leader__fields[] = {
	PROTO__F_STR("id", T, id, proto__why_name),
	PROTO__F_STR("control", T, control, proto__why_peer),
	PROTO__F_U64("since", T, since, 0, PROTO__INT_MAX),
};
#undef T
#define LEADER__N (sizeof leader__fields / sizeof leader__fields[0])

int proto_leader_check(const struct proto_leader *l, char *reason, size_t reason_cap)
{
	return proto__check_fields(l, leader__fields, LEADER__N, reason, reason_cap);
}

static int leader__check(const void *rec, char *reason, size_t cap)
{
	return proto_leader_check(rec, reason, cap);
}

static const struct proto__rec leader__rec = {
	.fields = leader__fields, .n_fields = LEADER__N, .size = sizeof(struct proto_leader),
	.max = PROTO_REC_MAX, .check = leader__check,
};

int proto_leader_encode(const struct proto_leader *l, char **out, char *reason,
			size_t reason_cap)
{
	return proto__rec_encode(&leader__rec, l, out, reason, reason_cap);
}

int proto_leader_decode(const void *buf, size_t len, struct proto_leader *out, char *reason,
			size_t reason_cap)
{
	return proto__rec_decode(&leader__rec, buf, len, out, reason, reason_cap);
}

bool proto_leader_equal(const struct proto_leader *a, const struct proto_leader *b)
{
	return proto__equal_fields(a, b, leader__fields, LEADER__N);
}

/* ---- drain/<node> ---- */

#define T struct proto_drain
static const struct proto__field drain__fields[] = {
	PROTO__F_STR("node", T, node, proto__why_name),
	PROTO__F_U64("since", T, since, 0, PROTO__INT_MAX),
};
#undef T
#define DRAIN__N (sizeof drain__fields / sizeof drain__fields[0])

int proto_drain_check(const struct proto_drain *d, char *reason, size_t reason_cap)
{
	return proto__check_fields(d, drain__fields, DRAIN__N, reason, reason_cap);
}

static int drain__check(const void *rec, char *reason, size_t cap)
{
	return proto_drain_check(rec, reason, cap);
}

static const struct proto__rec drain__rec = {
	.fields = drain__fields, .n_fields = DRAIN__N, .size = sizeof(struct proto_drain),
	.max = PROTO_REC_MAX, .check = drain__check,
};

int proto_drain_encode(const struct proto_drain *d, char **out, char *reason,
		       size_t reason_cap)
{
	return proto__rec_encode(&drain__rec, d, out, reason, reason_cap);
}

int proto_drain_decode(const void *buf, size_t len, struct proto_drain *out, char *reason,
		       size_t reason_cap)
{
	return proto__rec_decode(&drain__rec, buf, len, out, reason, reason_cap);
}

bool proto_drain_equal(const struct proto_drain *a, const struct proto_drain *b)
{
	return proto__equal_fields(a, b, drain__fields, DRAIN__N);
}
