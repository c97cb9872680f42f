/* rec_mig.c - migrations/<id>: one `clusterctl migrate` from request to result
 * (records.h; the protocol is DESIGN.md "Migration").
 *
 *   requested -> verifying -> copying -> cutover -> done
 *        \            \           \          \
 *         +------------+-----------+----------+--> rolled_back | failed
 *
 * This file checks one record's shape only; which transition is legal is the manager's
 * and the source node's business. */
#include "proto/records.h"

#include <errno.h>
#include <string.h>

#include "proto/rec_fields.h"

static const char *const mig__phases[] = {
	[PROTO_MIG_REQUESTED] = "requested",
	[PROTO_MIG_VERIFYING] = "verifying",
	[PROTO_MIG_COPYING] = "copying",
	[PROTO_MIG_CUTOVER] = "cutover",
	[PROTO_MIG_DONE] = "done",
	[PROTO_MIG_ROLLED_BACK] = "rolled_back",
	[PROTO_MIG_FAILED] = "failed",
};

#define T struct proto_mig
static const struct proto__field mig__fields[] = {
	PROTO__F_STR("id", T, id, proto__why_name),
	PROTO__F_STR("library", T, library, proto__why_name),
	PROTO__F_STR("source", T, source, proto__why_name),
	PROTO__F_STR("destination", T, destination, proto__why_name),
	PROTO__F_ENUM("phase", T, phase, mig__phases),
	PROTO__F_U64("requested_at", T, requested_at, 0, PROTO__INT_MAX),
	PROTO__F_U64("updated_at", T, updated_at, 0, PROTO__INT_MAX),
	PROTO__F_U64("bytes_copied", T, bytes_copied, 0, PROTO__INT_MAX),
	PROTO__F_OPT_STR("reason", T, reason, proto__why_text),
};
#undef T
#define MIG__N (sizeof mig__fields / sizeof mig__fields[0])

const char *proto_mig_phase_name(enum proto_mig_phase p)
{
	return p >= PROTO_MIG_REQUESTED && p <= PROTO_MIG_FAILED ? mig__phases[p] : NULL;
}

bool proto_mig_phase_final(enum proto_mig_phase p)
{
	return p == PROTO_MIG_DONE || p == PROTO_MIG_ROLLED_BACK || p == PROTO_MIG_FAILED;
}

int proto_mig_check(const struct proto_mig *m, char *reason, size_t reason_cap)
{
	int rc = proto__check_fields(m, mig__fields, MIG__N, reason, reason_cap);
	if (rc)
		return rc;
	if (!strcmp(m->source, m->destination))
		return proto__fail(reason, reason_cap, "field 'destination': same as source");
	if (m->updated_at < m->requested_at)
		return proto__fail(reason, reason_cap, "field 'updated_at': before requested_at");
	return 0;
}

static int mig__check(const void *rec, char *reason, size_t cap)
{
	return proto_mig_check(rec, reason, cap);
}

static const struct proto__rec mig__rec = {
	.fields = mig__fields, .n_fields = MIG__N, .size = sizeof(struct proto_mig),
	.max = PROTO_REC_MAX, .check = mig__check,
};

int proto_mig_encode(const struct proto_mig *m, char **out, char *reason, size_t reason_cap)
{
	return proto__rec_encode(&mig__rec, m, out, reason, reason_cap);
}

int proto_mig_decode(const void *buf, size_t len, struct proto_mig *out, char *reason,
		     size_t reason_cap)
{
	return proto__rec_decode(&mig__rec, buf, len, out, reason, reason_cap);
}

bool proto_mig_equal(const struct proto_mig *a, const struct proto_mig *b)
{
	return proto__equal_fields(a, b, mig__fields, MIG__N);
}
