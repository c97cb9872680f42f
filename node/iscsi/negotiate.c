/* negotiate.c - the login key table and its result functions; see negotiate.h. */
#include "node/iscsi/negotiate.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "node/iscsi/pdu.h"

enum neg_kind {
	NK_DIGEST,     /* list: first of the offer we support */
	NK_MIN,        /* numeric, result = min(offer, ours) */
	NK_MAX,        /* numeric, result = max(offer, ours) */
	NK_OR,         /* boolean OR */
	NK_AND,        /* boolean AND */
	NK_DECLARE,    /* numeric, the initiator's declaration (not answered) */
	NK_INAME,      /* InitiatorName */
	NK_TNAME,      /* TargetName */
	NK_ALIAS,      /* InitiatorAlias */
	NK_STYPE,      /* SessionType */
	NK_AUTH,       /* AuthMethod */
	NK_REJECT,     /* keys we answer with Reject: obsolete marker intervals (RFC 7143
		        * 13.25), target-only or FFP-only keys sent in a login */
	NK__COUNT
};

#define KF_DISCOVERY_IRRELEVANT 0x01   /* "Irrelevant when: SessionType=Discovery" */
#define KF_SECURITY_ONLY 0x02

struct neg_key {
	const char *name;
	enum neg_kind kind;
	uint32_t lo, hi;               /* numeric range */
	size_t off;                    /* field in struct iscsi_params */
	uint8_t flags;
};

#define P(f) offsetof(struct iscsi_params, f)
#define DISC KF_DISCOVERY_IRRELEVANT
#define U24 16777215u

static const struct neg_key neg__keys[] = {
	{"HeaderDigest", NK_DIGEST, 0, 0, P(header_digest), 0},
	{"DataDigest", NK_DIGEST, 0, 0, P(data_digest), 0},
	{"MaxConnections", NK_MIN, 1, 65535, P(max_connections), DISC},
	{"InitialR2T", NK_OR, 0, 1, P(initial_r2t), DISC},
	{"ImmediateData", NK_AND, 0, 1, P(immediate_data), DISC},
	{"MaxRecvDataSegmentLength", NK_DECLARE, 512, U24, P(mrdsl_initiator), 0},
	{"MaxBurstLength", NK_MIN, 512, U24, P(max_burst), DISC},
	{"FirstBurstLength", NK_MIN, 512, U24, P(first_burst), DISC},
	{"DefaultTime2Wait", NK_MAX, 0, 3600, P(time2wait), 0},
	{"DefaultTime2Retain", NK_MIN, 0, 3600, P(time2retain), 0},
	{"MaxOutstandingR2T", NK_MIN, 1, 65535, P(max_outstanding_r2t), DISC},
	{"DataPDUInOrder", NK_OR, 0, 1, P(data_pdu_in_order), DISC},
	{"DataSequenceInOrder", NK_OR, 0, 1, P(data_seq_in_order), DISC},
	{"ErrorRecoveryLevel", NK_MIN, 0, 2, P(erl), 0},
	/* RFC 7143 13.25 lets a responder answer the obsolete markers with No */
	{"IFMarker", NK_AND, 0, 1, P(ifmarker), 0},
	{"OFMarker", NK_AND, 0, 1, P(ofmarker), 0},
	{"IFMarkInt", NK_REJECT, 0, 0, 0, 0},
	{"OFMarkInt", NK_REJECT, 0, 0, 0, 0},
	{"SessionType", NK_STYPE, 0, 0, 0, 0},
	{"InitiatorName", NK_INAME, 0, 0, 0, 0},
	{"TargetName", NK_TNAME, 0, 0, 0, 0},
	{"InitiatorAlias", NK_ALIAS, 0, 0, 0, 0},
	{"AuthMethod", NK_AUTH, 0, 0, 0, KF_SECURITY_ONLY},
	{"TargetAlias", NK_REJECT, 0, 0, 0, 0},
	{"TargetAddress", NK_REJECT, 0, 0, 0, 0},
	{"TargetPortalGroupTag", NK_REJECT, 0, 0, 0, 0},
	{"SendTargets", NK_REJECT, 0, 0, 0, 0},
};
#define NEG_NKEYS (sizeof neg__keys / sizeof neg__keys[0])

static uint32_t *neg__field(struct iscsi_params *p, const struct neg_key *k)
{
	return (uint32_t *)((char *)p + k->off);
}

static void neg__answer(struct iscsi_textbuf *out, const struct iscsi_kv *kv, const char *val)
{
	iscsi__tb_add(out, kv->key, kv->klen, val);
}

static void neg__answer_num(struct iscsi_textbuf *out, const struct iscsi_kv *kv, uint32_t v)
{
	char num[16];
	snprintf(num, sizeof num, "%u", v);
	neg__answer(out, kv, num);
}

/* Boolean value: 1 Yes, 0 No, -1 invalid */
static int neg__bool(const struct iscsi_kv *kv)
{
	if (iscsi__kv_val_is(kv, "Yes"))
		return 1;
	if (iscsi__kv_val_is(kv, "No"))
		return 0;
	return -1;
}

/* Does a comma-separated list value contain `item`? */
static bool neg__list_has(const struct iscsi_kv *kv, const char *item, size_t *first_pos)
{
	size_t n = strlen(item), start = 0;
	for (size_t i = 0; i <= kv->vlen; i++) {
		if (i < kv->vlen && kv->val[i] != ',')
			continue;
		if (i - start == n && memcmp(kv->val + start, item, n) == 0) {
			if (first_pos)
				*first_pos = start;
			return true;
		}
		start = i + 1;
	}
	return false;
}

static int neg__digest(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
		       struct iscsi_textbuf *out)
{
	size_t pos_crc = SIZE_MAX, pos_none = SIZE_MAX;
	bool crc = neg__list_has(kv, "CRC32C", &pos_crc);
	bool none = neg__list_has(kv, "None", &pos_none);
	if (!crc && !none) {
		neg__answer(out, kv, "Reject");
		return ISCSI_LOGIN_OK;
	}
	/* the initiator lists in order of preference; take the first we support */
	bool use_crc = crc && (!none || pos_crc < pos_none);
	*neg__field(&n->p, k) = use_crc;
	neg__answer(out, kv, use_crc ? "CRC32C" : "None");
	return ISCSI_LOGIN_OK;
}

static int neg__numeric(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
			struct iscsi_textbuf *out)
{
	uint64_t v;
	if (iscsi__kv_num(kv, &v) < 0 || v < k->lo || v > k->hi) {
		neg__answer(out, kv, "Reject");
		return ISCSI_LOGIN_OK;
	}
	uint32_t ours = *neg__field(&n->ours, k);
	uint32_t res = (uint32_t)v;
	if (k->kind == NK_MIN && ours < res)
		res = ours;
	if (k->kind == NK_MAX && ours > res)
		res = ours;
	*neg__field(&n->p, k) = res;
	if (k->kind != NK_DECLARE)
		neg__answer_num(out, kv, res);
	return ISCSI_LOGIN_OK;
}

static int neg__boolean(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
			struct iscsi_textbuf *out)
{
	int b = neg__bool(kv);
	if (b < 0) {
		neg__answer(out, kv, "Reject");
		return ISCSI_LOGIN_OK;
	}
	uint32_t ours = *neg__field(&n->ours, k);
	uint32_t res = k->kind == NK_OR ? ((uint32_t)b | ours) : ((uint32_t)b & ours);
	*neg__field(&n->p, k) = res;
	neg__answer(out, kv, res ? "Yes" : "No");
	return ISCSI_LOGIN_OK;
}

static int neg__name(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
		     struct iscsi_textbuf *out)
{
	(void)out;
	char *dst = k->kind == NK_INAME ? n->initiator : k->kind == NK_TNAME ? n->target : n->alias;
	size_t cap = k->kind == NK_ALIAS ? sizeof n->alias : SCSI_NAME_MAX;
	if (iscsi__kv_str(kv, dst, cap) < 0) {
		dst[0] = '\0';
		return ISCSI_LOGIN_INITIATOR_ERROR;
	}
	return ISCSI_LOGIN_OK;
}

static int neg__stype(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
		      struct iscsi_textbuf *out)
{
	(void)k;
	(void)out;
	if (iscsi__kv_val_is(kv, "Discovery"))
		n->type = ISCSI_SESSION_DISCOVERY;
	else if (iscsi__kv_val_is(kv, "Normal"))
		n->type = ISCSI_SESSION_NORMAL;
	else
		return ISCSI_LOGIN_SESSION_TYPE;
	return ISCSI_LOGIN_OK;
}

static int neg__auth(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
		     struct iscsi_textbuf *out)
{
	(void)n;
	(void)k;
	/* CHAP is not offered yet: the session is authorized by policy (RFC 7143 12.1) */
	if (!neg__list_has(kv, "None", NULL)) {
		neg__answer(out, kv, "Reject");
		return ISCSI_LOGIN_AUTH_FAILED;
	}
	neg__answer(out, kv, "None");
	return ISCSI_LOGIN_OK;
}

static int neg__reject(struct iscsi_neg *n, const struct neg_key *k, const struct iscsi_kv *kv,
		       struct iscsi_textbuf *out)
{
	(void)n;
	(void)k;
	neg__answer(out, kv, "Reject");
	return ISCSI_LOGIN_OK;
}

typedef int (*neg_fn)(struct iscsi_neg *, const struct neg_key *, const struct iscsi_kv *,
		      struct iscsi_textbuf *);
static const neg_fn neg__by_kind[NK__COUNT] = {
	[NK_DIGEST] = neg__digest, [NK_MIN] = neg__numeric,  [NK_MAX] = neg__numeric,
	[NK_OR] = neg__boolean,    [NK_AND] = neg__boolean,  [NK_DECLARE] = neg__numeric,
	[NK_INAME] = neg__name,    [NK_TNAME] = neg__name,   [NK_ALIAS] = neg__name,
	[NK_STYPE] = neg__stype,   [NK_AUTH] = neg__auth,    [NK_REJECT] = neg__reject,
};

void iscsi__neg_init(struct iscsi_neg *n, uint32_t mrdsl, uint32_t max_burst,
		     uint32_t first_burst, uint16_t tpgt)
{
	memset(n, 0, sizeof *n);
	/* RFC 7143 13: the value of every key that is not negotiated */
	n->p = (struct iscsi_params){
		.max_connections = 1,   .initial_r2t = 1,         .immediate_data = 1,
		.mrdsl_initiator = 8192, .mrdsl_target = mrdsl,    .max_burst = 262144,
		.first_burst = 65536,   .time2wait = 2,           .time2retain = 20,
		.max_outstanding_r2t = 1, .data_pdu_in_order = 1, .data_seq_in_order = 1,
	};
	/* What we accept: InitialR2T=No, data in order, ERL 0, no markers */
	n->ours = (struct iscsi_params){
		.max_connections = 1,   .initial_r2t = 0,         .immediate_data = 1,
		.mrdsl_target = mrdsl,  .max_burst = max_burst,   .first_burst = first_burst,
		.time2wait = 2,         .time2retain = 20,        .max_outstanding_r2t = ISCSI_OUR_MAX_R2T,
		.data_pdu_in_order = 1, .data_seq_in_order = 1,
	};
	n->tpgt = tpgt;
}

static const struct neg_key *neg__find(const struct iscsi_kv *kv, unsigned *idx)
{
	for (unsigned i = 0; i < NEG_NKEYS; i++) {
		if (iscsi__kv_key_is(kv, neg__keys[i].name)) {
			*idx = i;
			return &neg__keys[i];
		}
	}
	return NULL;
}

static int neg__one(struct iscsi_neg *n, int csg, const struct iscsi_kv *kv, bool stype_pass,
		    struct iscsi_textbuf *out)
{
	unsigned idx = 0;
	const struct neg_key *k = neg__find(kv, &idx);
	if (!k) {
		if (!stype_pass)
			neg__answer(out, kv, "NotUnderstood");
		return ISCSI_LOGIN_OK;
	}
	if ((k->kind == NK_STYPE) != stype_pass)
		return ISCSI_LOGIN_OK;
	/* a key is negotiated at most once per login (RFC 7143 6.2) */
	if (n->seen & (1ull << idx))
		return ISCSI_LOGIN_INITIATOR_ERROR;
	n->seen |= 1ull << idx;
	if ((k->flags & KF_SECURITY_ONLY) && csg != 0)
		return ISCSI_LOGIN_INITIATOR_ERROR;
	if ((k->flags & KF_DISCOVERY_IRRELEVANT) && n->type == ISCSI_SESSION_DISCOVERY) {
		neg__answer(out, kv, "Irrelevant");
		return ISCSI_LOGIN_OK;
	}
	return neg__by_kind[k->kind](n, k, kv, out);
}

int iscsi__neg_login(struct iscsi_neg *n, int csg, const char *text, size_t len,
		     struct iscsi_textbuf *out)
{
	/* SessionType first, wherever it sits: it decides which keys are Irrelevant */
	for (int pass = 0; pass < 2; pass++) {
		size_t pos = 0;
		struct iscsi_kv kv;
		int rc;
		while ((rc = iscsi__kv_next(text, len, &pos, &kv)) > 0) {
			int st = neg__one(n, csg, &kv, pass == 0, out);
			if (st != ISCSI_LOGIN_OK)
				return st;
		}
		if (rc < 0)
			return ISCSI_LOGIN_INITIATOR_ERROR;
	}
	return out->overflow ? ISCSI_LOGIN_OUT_OF_RESOURCES : ISCSI_LOGIN_OK;
}

void iscsi__neg_declare(struct iscsi_neg *n, bool operational, struct iscsi_textbuf *out)
{
	if (operational && !n->sent_mrdsl) {
		iscsi__tb_add_num(out, "MaxRecvDataSegmentLength", n->ours.mrdsl_target);
		n->sent_mrdsl = true;
	}
	if (n->type != ISCSI_SESSION_DISCOVERY && !n->sent_tpgt) {
		iscsi__tb_add_num(out, "TargetPortalGroupTag", n->tpgt);
		n->sent_tpgt = true;
	}
}

void iscsi__neg_finish(struct iscsi_neg *n)
{
	/* FirstBurstLength MUST NOT exceed MaxBurstLength (RFC 7143 13.14) */
	if (n->p.first_burst > n->p.max_burst)
		n->p.first_burst = n->p.max_burst;
	n->p.mrdsl_target = n->ours.mrdsl_target;
}
