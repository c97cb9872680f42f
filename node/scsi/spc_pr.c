/* spc_pr.c - PERSISTENT RESERVE IN and OUT (SPC-4 5.12, 6.13, 6.14).
 *
 * Model: a registration is per I_T nexus (struct lib_nexus: pr_registered, pr_key); the
 * LU holds at most one reservation (pr_held, pr_type, pr_holder, pr_holder_key) of scope
 * LU. Under the all-registrants types (WE-AR, EA-AR) every registrant is a holder and
 * pr_holder is unused (SPC-4 5.12.10). PRGENERATION counts REGISTER, REGISTER AND IGNORE
 * EXISTING KEY, CLEAR, PREEMPT and PREEMPT AND ABORT (SPC-4 6.13.2).
 *
 * Not supported, and refused as the capabilities report says: persistence through power
 * loss (APTPL, PTPL_C = 0), SPEC_I_PT, ALL_TG_PT, REGISTER AND MOVE. PREEMPT AND ABORT
 * acts as PREEMPT: commands to a LU run one at a time, so no task of the preempted
 * nexuses is in the task set to abort.
 *
 * Unit attentions (SPC-4 5.12.11): 2A/03 RESERVATIONS PREEMPTED to the others on CLEAR;
 * 2A/04 RESERVATIONS RELEASED to the other registrants when a registrants-only or
 * all-registrants reservation is released, or a preempt changes type; 2A/05
 * REGISTRATIONS PREEMPTED to nexuses whose registration a preempt removed.
 *
 * Concurrency: under the LU's lock. Registrations are not persisted: they live as long
 * as the node holds the library (a mirrored copy is future work with the cluster). */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/spc_int.h"

#define PR__OUT_LEN 24

bool spc__pr_type_all_reg(uint8_t type)
{
	return type == PR_TYPE_WE_AR || type == PR_TYPE_EA_AR;
}

bool spc__pr_type_reg_only(uint8_t type)
{
	return type == PR_TYPE_WE_RO || type == PR_TYPE_EA_RO;
}

static bool spc__pr_type_valid(uint8_t type)
{
	return type == PR_TYPE_WE || type == PR_TYPE_EA || spc__pr_type_reg_only(type) ||
	       spc__pr_type_all_reg(type);
}

bool spc__pr_is_holder(const struct lib_lu *lu, const struct lib_nexus *nx)
{
	if (!lu->pr_held || !nx->pr_registered)
		return false;
	if (spc__pr_type_all_reg(lu->pr_type))
		return true;
	return scsi_nexus_equal(&lu->pr_holder, &nx->nexus);
}

static void spc__pr_release(struct lib_lu *lu)
{
	lu->pr_held = false;
	lu->pr_type = 0;
	lu->pr_holder_key = 0;
	memset(&lu->pr_holder, 0, sizeof lu->pr_holder);
}

/* Raises ua for every registered nexus but `self`. */
static void spc__pr_ua_registrants(struct lib_lu *lu, const struct lib_nexus *self, uint32_t ua)
{
	for (size_t i = 0; i < lu->n_nexus; i++)
		if (&lu->nexus[i] != self && lu->nexus[i].pr_registered)
			lu->nexus[i].ua |= ua;
}

static size_t spc__pr_count(const struct lib_lu *lu)
{
	size_t n = 0;
	for (size_t i = 0; i < lu->n_nexus; i++)
		n += lu->nexus[i].pr_registered;
	return n;
}

/* --- PERSISTENT RESERVE IN --------------------------------------------------------- */

static void spc__pr_read_keys(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const struct lib_lu *lu = t->lu;
	struct spc_wb w;
	uint8_t hdr[8], key[8];
	put_be32(hdr, lu->pr_generation);
	put_be32(&hdr[4], (uint32_t)(spc__pr_count(lu) * 8));
	spc__wb_init(&w, t, get_be16(&t->cmd->cdb[7]));
	spc__wb_put(&w, hdr, sizeof hdr);
	for (size_t i = 0; i < lu->n_nexus; i++) {
		if (!lu->nexus[i].pr_registered)
			continue;
		put_be64(key, lu->nexus[i].pr_key);
		spc__wb_put(&w, key, sizeof key);
	}
	spc__wb_done(&w, t);
}

static void spc__pr_read_resv(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const struct lib_lu *lu = t->lu;
	uint8_t b[8 + 16] = {0};
	uint32_t n = 8;
	put_be32(b, lu->pr_generation);
	if (lu->pr_held) {
		put_be32(&b[4], 16);
		/* SPC-4 6.13.3.3: an all-registrants reservation reports key 0 */
		put_be64(&b[8], spc__pr_type_all_reg(lu->pr_type) ? 0 : lu->pr_holder_key);
		b[21] = lu->pr_type & 0x0f;     /* scope 0: LU */
		n += 16;
	}
	scsi_data_in(t, b, n, get_be16(&t->cmd->cdb[7]));
	scsi_good(t->cmd);
}

static void spc__pr_report_caps(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	uint8_t b[8] = {0};
	put_be16(b, sizeof b);
	b[2] = 0x10;                    /* CRH: SPC-4 5.12.3 exceptions honoured */
	b[3] = 0x80;                    /* TMV: the type mask is valid */
	b[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;  /* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
	b[5] = 0x01;                    /* EX_AC_AR */
	scsi_data_in(t, b, sizeof b, get_be16(&t->cmd->cdb[7]));
	scsi_good(t->cmd);
}

/* iSCSI TransportID, format 01b: "<name>,i,0x<ISID>" NUL-terminated and padded to a
 * multiple of 4 (SPC-4 7.6.4.6). Returns its length. */
static size_t spc__pr_tid(const struct scsi_nexus *nx, uint8_t *b, size_t cap)
{
	size_t name = strnlen(nx->initiator, SCSI_NAME_MAX - 1);
	size_t len = name + 3 + 2 + 12 + 1;     /* ",i," "0x" 12 hex NUL */
	len = (len + 3) & ~(size_t)3;
	if (4 + len > cap)
		return 0;
	memset(b, 0, 4 + len);
	b[0] = 0x40 | 0x05;             /* format 01b, protocol iSCSI */
	put_be16(&b[2], (uint16_t)len);
	memcpy(&b[4], nx->initiator, name);
	char *p = (char *)&b[4 + name];
	static const char hex[] = "0123456789abcdef";
	memcpy(p, ",i,0x", 5);
	for (int i = 0; i < 6; i++) {
		p[5 + 2 * i] = hex[nx->isid[i] >> 4];
		p[6 + 2 * i] = hex[nx->isid[i] & 0xf];
	}
	return 4 + len;
}

static void spc__pr_read_full(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const struct lib_lu *lu = t->lu;
	struct spc_wb w;
	uint8_t hdr[8] = {0}, d[24 + 4 + SCSI_NAME_MAX + 24];
	put_be32(hdr, lu->pr_generation);
	spc__wb_init(&w, t, get_be16(&t->cmd->cdb[7]));
	spc__wb_put(&w, hdr, sizeof hdr);
	for (size_t i = 0; i < lu->n_nexus; i++) {
		const struct lib_nexus *nx = &lu->nexus[i];
		if (!nx->pr_registered)
			continue;
		memset(d, 0, 24);
		put_be64(d, nx->pr_key);
		if (spc__pr_is_holder(lu, nx)) {
			d[12] = 0x01;           /* R_HOLDER */
			d[13] = lu->pr_type & 0x0f;
		}
		put_be16(&d[18], nx->nexus.tpgt);       /* relative target port */
		size_t tid = spc__pr_tid(&nx->nexus, &d[24], sizeof d - 24);
		put_be32(&d[20], (uint32_t)tid);
		spc__wb_put(&w, d, 24 + tid);
	}
	put_be32(&hdr[4], (uint32_t)(w.len - 8));
	spc__wb_at(&w, 0, hdr, sizeof hdr);
	spc__wb_done(&w, t);
}

const struct scsi_sa_op spc_pr_in_sa[] = {
	{SA_PR_IN_READ_KEYS, "READ KEYS", spc__pr_read_keys, 10,
	 {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 0xff, 0xff, SPC_CTL}},
	{SA_PR_IN_READ_RESERVATION, "READ RESERVATION", spc__pr_read_resv, 10,
	 {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_RESERVATION, 0, 0, 0, 0, 0, 0xff, 0xff, SPC_CTL}},
	{SA_PR_IN_REPORT_CAPABILITIES, "REPORT CAPABILITIES", spc__pr_report_caps, 10,
	 {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_REPORT_CAPABILITIES, 0, 0, 0, 0, 0, 0xff, 0xff, SPC_CTL}},
	{SA_PR_IN_READ_FULL_STATUS, "READ FULL STATUS", spc__pr_read_full, 10,
	 {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_FULL_STATUS, 0, 0, 0, 0, 0, 0xff, 0xff, SPC_CTL}},
};
const uint8_t spc_n_pr_in_sa = sizeof spc_pr_in_sa / sizeof spc_pr_in_sa[0];

void spc_pr_in(struct scsi_task *t)
{
	const struct scsi_sa_op *sa = spc__sa_find(spc_pr_in_sa, spc_n_pr_in_sa, t->cmd->cdb[1] & 0x1f);
	if (!sa) {
		scsi_sense_field(t->cmd, true, 1, 4);
		return;
	}
	sa->fn(t);
}

/* --- PERSISTENT RESERVE OUT ------------------------------------------------------ */

struct pr_out {
	uint64_t key, sa_key;
	uint8_t type;
};

static void spc__pr_conflict(struct scsi_task *t)
{
	t->cmd->status = SAM_STAT_RESERVATION_CONFLICT;
}

/* REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4 5.12.7). */
static void spc__pr_register_common(struct scsi_task *t, const struct pr_out *p, bool ignore)
{
	struct lib_lu *lu = t->lu;
	struct lib_nexus *nx = t->nx;
	if (!nx->pr_registered) {
		if (!ignore && p->key != 0) {
			spc__pr_conflict(t);
			return;
		}
		if (p->sa_key) {
			nx->pr_registered = true;
			nx->pr_key = p->sa_key;
			lu->pr_generation++;
		}
		scsi_good(t->cmd);
		return;
	}
	if (!ignore && p->key != nx->pr_key) {
		spc__pr_conflict(t);
		return;
	}
	lu->pr_generation++;
	if (p->sa_key) {
		nx->pr_key = p->sa_key;
		if (lu->pr_held && scsi_nexus_equal(&lu->pr_holder, &nx->nexus))
			lu->pr_holder_key = p->sa_key;
		scsi_good(t->cmd);
		return;
	}
	/* unregister (SPC-4 5.12.11.2.2): a holder's reservation goes with it */
	bool holder = spc__pr_is_holder(lu, nx);
	nx->pr_registered = false;
	nx->pr_key = 0;
	if (holder && !spc__pr_type_all_reg(lu->pr_type)) {
		if (spc__pr_type_reg_only(lu->pr_type))
			spc__pr_ua_registrants(lu, nx, LIB_UA_RES_RELEASED);
		spc__pr_release(lu);
	} else if (holder && spc__pr_count(lu) == 0) {
		spc__pr_release(lu);    /* the last all-registrants holder left */
	}
	scsi_good(t->cmd);
}

static void spc__pr_register(struct scsi_task *t, const struct pr_out *p)
{
	spc__pr_register_common(t, p, false);
}

static void spc__pr_register_ignore(struct scsi_task *t, const struct pr_out *p)
{
	spc__pr_register_common(t, p, true);
}

/* The checks RESERVE, RELEASE, CLEAR and PREEMPT share: registered, with this key. */
static bool spc__pr_key_ok(struct scsi_task *t, const struct pr_out *p)
{
	if (!t->nx->pr_registered || t->nx->pr_key != p->key) {
		spc__pr_conflict(t);
		return false;
	}
	return true;
}

static void spc__pr_reserve(struct scsi_task *t, const struct pr_out *p)
{
	struct lib_lu *lu = t->lu;
	if (!spc__pr_key_ok(t, p))
		return;
	if (lu->pr_held) {
		/* SPC-4 5.12.9: the holder may repeat its reservation, not change its type */
		if (!spc__pr_is_holder(lu, t->nx) || lu->pr_type != p->type)
			spc__pr_conflict(t);
		else
			scsi_good(t->cmd);
		return;
	}
	lu->pr_held = true;
	lu->pr_type = p->type;
	lu->pr_holder = t->nx->nexus;
	lu->pr_holder_key = p->key;
	scsi_good(t->cmd);
}

static void spc__pr_release_sa(struct scsi_task *t, const struct pr_out *p)
{
	struct lib_lu *lu = t->lu;
	if (!spc__pr_key_ok(t, p))
		return;
	if (!lu->pr_held || !spc__pr_is_holder(lu, t->nx)) {
		scsi_good(t->cmd);      /* SPC-4 5.12.11.2.1: nothing to release */
		return;
	}
	if (lu->pr_type != p->type) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_RELEASE_OF_PR);
		return;
	}
	if (spc__pr_type_reg_only(lu->pr_type) || spc__pr_type_all_reg(lu->pr_type))
		spc__pr_ua_registrants(lu, t->nx, LIB_UA_RES_RELEASED);
	spc__pr_release(lu);
	scsi_good(t->cmd);
}

static void spc__pr_clear(struct scsi_task *t, const struct pr_out *p)
{
	struct lib_lu *lu = t->lu;
	if (!spc__pr_key_ok(t, p))
		return;
	/* SPC-4 5.12.11.6: every other registrant learns its reservation is gone */
	spc__pr_ua_registrants(lu, t->nx, LIB_UA_RES_PREEMPTED);
	for (size_t i = 0; i < lu->n_nexus; i++) {
		lu->nexus[i].pr_registered = false;
		lu->nexus[i].pr_key = 0;
	}
	spc__pr_release(lu);
	lu->pr_generation++;
	scsi_good(t->cmd);
}

/* Removes every other registration whose key is `key` (any key when all), raising 2A/05;
 * returns how many. */
static size_t spc__pr_remove(struct lib_lu *lu, const struct lib_nexus *self, uint64_t key, bool all)
{
	size_t n = 0;
	for (size_t i = 0; i < lu->n_nexus; i++) {
		struct lib_nexus *o = &lu->nexus[i];
		if (o == self || !o->pr_registered || (!all && o->pr_key != key))
			continue;
		o->pr_registered = false;
		o->pr_key = 0;
		o->ua |= LIB_UA_REGS_PREEMPTED;
		n++;
	}
	return n;
}

/* The new reservation a successful preempt of the reservation leaves: this nexus holds
 * it, with the requested type; if the type changed, the remaining registrants are told
 * their reservation was released (SPC-4 5.12.11.4.3). */
static void spc__pr_take_over(struct scsi_task *t, const struct pr_out *p)
{
	struct lib_lu *lu = t->lu;
	if (lu->pr_type != p->type)
		spc__pr_ua_registrants(lu, t->nx, LIB_UA_RES_RELEASED);
	lu->pr_held = true;
	lu->pr_type = p->type;
	lu->pr_holder = t->nx->nexus;
	lu->pr_holder_key = p->key;
}

/* PREEMPT and PREEMPT AND ABORT (SPC-4 5.12.11.4). */
static void spc__pr_preempt(struct scsi_task *t, const struct pr_out *p)
{
	struct lib_lu *lu = t->lu;
	if (!spc__pr_key_ok(t, p))
		return;
	if (lu->pr_held && spc__pr_type_all_reg(lu->pr_type) && p->sa_key == 0) {
		spc__pr_remove(lu, t->nx, 0, true);
		spc__pr_take_over(t, p);
	} else if (lu->pr_held && !spc__pr_type_all_reg(lu->pr_type) && p->sa_key == lu->pr_holder_key) {
		spc__pr_remove(lu, t->nx, p->sa_key, false);
		spc__pr_take_over(t, p);
	} else if (p->sa_key == 0) {
		/* no reservation to preempt and no key to remove */
		scsi_sense_field(t->cmd, false, 8, -1);
		return;
	} else if (spc__pr_remove(lu, t->nx, p->sa_key, false) == 0) {
		spc__pr_conflict(t);
		return;
	}
	lu->pr_generation++;
	scsi_good(t->cmd);
}

typedef void pr_out_fn(struct scsi_task *t, const struct pr_out *p);

/* The PR OUT service actions: whether the type/scope fields matter, and the action. */
static const struct {
	uint8_t sa;
	bool typed;
	pr_out_fn *fn;
} spc__pr_out_acts[] = {
	{SA_PR_OUT_REGISTER, false, spc__pr_register},
	{SA_PR_OUT_RESERVE, true, spc__pr_reserve},
	{SA_PR_OUT_RELEASE, true, spc__pr_release_sa},
	{SA_PR_OUT_CLEAR, false, spc__pr_clear},
	{SA_PR_OUT_PREEMPT, true, spc__pr_preempt},
	{SA_PR_OUT_PREEMPT_AND_ABORT, true, spc__pr_preempt},
	{SA_PR_OUT_REGISTER_AND_IGNORE, false, spc__pr_register_ignore},
};

/* Parses and checks the CDB and the 24-byte parameter list, then runs the action. */
static void spc__pr_out_run(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint8_t sa = cdb[1] & 0x1f, scope = cdb[2] >> 4;
	uint32_t plen = get_be32(&cdb[5]);
	size_t i = 0;
	if (!spc__cdb_ok(t))
		return;
	while (spc__pr_out_acts[i].sa != sa)
		i++;                    /* present: the dispatcher matched sa in the table */
	if (spc__pr_out_acts[i].typed && (scope != 0 || !spc__pr_type_valid(cdb[2] & 0x0f))) {
		scsi_sense_field(t->cmd, true, 2, scope ? 7 : 3);
		return;
	}
	if (plen != PR__OUT_LEN) {      /* SPC-4 6.14.1: 24 bytes unless SPEC_I_PT */
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	const uint8_t *d = scsi_data_out(t, plen);
	if (!d)
		return;
	if (d[20] & 0x0d) {             /* SPEC_I_PT, ALL_TG_PT, APTPL: not supported */
		int bit = (d[20] & 0x08) ? 3 : (d[20] & 0x04) ? 2 : 0;
		scsi_sense_field(t->cmd, false, 20, bit);
		return;
	}
	struct pr_out p = {get_be64(d), get_be64(&d[8]), cdb[2] & 0x0f};
	spc__pr_out_acts[i].fn(t, &p);
}

const struct scsi_sa_op spc_pr_out_sa[] = {
#define PR_OUT_USAGE(sa) {OP_PERSISTENT_RESERVE_OUT, sa, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, SPC_CTL}
	{SA_PR_OUT_REGISTER, "REGISTER", spc__pr_out_run, 10, PR_OUT_USAGE(SA_PR_OUT_REGISTER)},
	{SA_PR_OUT_RESERVE, "RESERVE", spc__pr_out_run, 10, PR_OUT_USAGE(SA_PR_OUT_RESERVE)},
	{SA_PR_OUT_RELEASE, "RELEASE", spc__pr_out_run, 10, PR_OUT_USAGE(SA_PR_OUT_RELEASE)},
	{SA_PR_OUT_CLEAR, "CLEAR", spc__pr_out_run, 10, PR_OUT_USAGE(SA_PR_OUT_CLEAR)},
	{SA_PR_OUT_PREEMPT, "PREEMPT", spc__pr_out_run, 10, PR_OUT_USAGE(SA_PR_OUT_PREEMPT)},
	{SA_PR_OUT_PREEMPT_AND_ABORT, "PREEMPT AND ABORT", spc__pr_out_run, 10,
	 PR_OUT_USAGE(SA_PR_OUT_PREEMPT_AND_ABORT)},
	{SA_PR_OUT_REGISTER_AND_IGNORE, "REGISTER AND IGNORE EXISTING KEY", spc__pr_out_run, 10,
	 PR_OUT_USAGE(SA_PR_OUT_REGISTER_AND_IGNORE)},
#undef PR_OUT_USAGE
};
const uint8_t spc_n_pr_out_sa = sizeof spc_pr_out_sa / sizeof spc_pr_out_sa[0];

void spc_pr_out(struct scsi_task *t)
{
	if (!spc__sa_find(spc_pr_out_sa, spc_n_pr_out_sa, t->cmd->cdb[1] & 0x1f)) {
		scsi_sense_field(t->cmd, true, 1, 4);
		return;
	}
	spc__pr_out_run(t);
}
