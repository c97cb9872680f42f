/* cmd.c - SCSI Command intake: the task table, immediate and unsolicited data, R2T and
 * solicited Data-Out (RFC 7143 11.3, 11.7, 11.8), and the pump that runs tasks in CmdSN
 * order.
 *
 * A task's data arrives in offset order (DataPDUInOrder=Yes, DataSequenceInOrder=Yes):
 * immediate data, then the unsolicited burst (InitialR2T=No, up to FirstBurstLength,
 * ended by an F bit), then one sequence per R2T, oldest first. `got` is therefore one
 * contiguous count and every Data-Out must start exactly there.
 *
 * Memory: Data-Out is read straight into the task's buffer, taken from a small
 * per-connection pool, so a steady stream reuses one buffer with no copy and no malloc.
 * Only the task that runs next is solicited (R2T) and grown to its full length; queued
 * tasks hold at most their FirstBurstLength. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

int iscsi__buf_reserve(struct iscsi_buf *b, uint32_t len)
{
	if (b->cap >= len)
		return 0;
	uint8_t *p = realloc(b->p, len);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = len;
	return 0;
}

/* Takes the largest pooled buffer (or none) and makes it hold `need` bytes. */
static int cmd__buf_get(struct iscsi_conn *c, struct iscsi_buf *b, uint32_t need)
{
	*b = (struct iscsi_buf){NULL, 0};
	if (c->npool) {
		unsigned best = 0;
		for (unsigned i = 1; i < c->npool; i++)
			if (c->pool[i].cap > c->pool[best].cap)
				best = i;
		*b = c->pool[best];
		c->pool[best] = c->pool[--c->npool];
	}
	return iscsi__buf_reserve(b, need ? need : 1);
}

static void cmd__buf_put(struct iscsi_conn *c, struct iscsi_buf *b)
{
	if (b->p && b->cap <= ISCSI_KEEP_MAX && c->npool < ISCSI_POOL_MAX)
		c->pool[c->npool++] = *b;
	else
		free(b->p);
	*b = (struct iscsi_buf){NULL, 0};
}

struct iscsi_task *iscsi__task_find(struct iscsi_conn *c, uint32_t itt)
{
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		if (c->tasks[i].used && c->tasks[i].itt == itt)
			return &c->tasks[i];
	return NULL;
}

void iscsi__task_release(struct iscsi_conn *c, struct iscsi_task *t)
{
	cmd__buf_put(c, &t->buf);
	memset(t, 0, sizeof *t);
	iscsi__window_update(c);
}

void iscsi__task_drop(struct iscsi_conn *c, struct iscsi_task *t)
{
	iscsi__ignore_itt(c, t->itt);   /* Data-Out still in flight is dropped quietly */
	iscsi__task_release(c, t);
}

void iscsi__tasks_fini(struct iscsi_conn *c)
{
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		if (c->tasks[i].used)
			iscsi__task_drop(c, &c->tasks[i]);
}

static unsigned cmd__count_imm(const struct iscsi_conn *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		n += c->tasks[i].used && c->tasks[i].imm;
	return n;
}

static struct iscsi_task *cmd__slot(struct iscsi_conn *c)
{
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++)
		if (!c->tasks[i].used)
			return &c->tasks[i];
	return NULL;
}

/* Why a SCSI Command PDU is rejected before it becomes a task (0 = acceptable). */
static uint8_t cmd__reject_reason(struct iscsi_conn *c, const struct iscsi_req *r)
{
	bool rd = r->flags & ISCSI_CMD_READ, wr = r->flags & ISCSI_CMD_WRITE;
	uint32_t edtl = r->w20;
	if (r->itt == ISCSI_TAG_RESERVED || iscsi__task_find(c, r->itt))
		return ISCSI_REJECT_INVALID_FIELD;
	if ((rd && wr) || r->ahs_len)
		return ISCSI_REJECT_CMD_NOT_SUPPORTED;   /* bidirectional, CDB over 16 bytes */
	if (r->dsl && (!wr || r->dsl > edtl || r->dsl > c->p.first_burst))
		return ISCSI_REJECT_INVALID_FIELD;       /* immediate data beyond its bounds */
	if (r->imm && cmd__count_imm(c) >= ISCSI_IMM_MAX)
		return ISCSI_REJECT_IMM_CMD;
	if (!cmd__slot(c))
		return ISCSI_REJECT_OUT_OF_RESOURCES;
	return 0;
}

static void cmd__fill(struct iscsi_conn *c, struct iscsi_task *t, const struct iscsi_req *r)
{
	bool wr = r->flags & ISCSI_CMD_WRITE;
	memset(t, 0, sizeof *t);
	t->used = true;
	t->imm = r->imm;
	t->itt = r->itt;
	t->cmdsn = r->cmdsn;
	memcpy(t->lun_raw, r->lun, 8);
	memcpy(t->cdb, r->cdb, 16);
	t->attr = r->flags & ISCSI_CMD_ATTR_MASK;
	t->dir = wr ? SCSI_DIR_WRITE : (r->flags & ISCSI_CMD_READ) ? SCSI_DIR_READ : SCSI_DIR_NONE;
	t->edtl = r->w20;
	if (!wr)
		return;
	t->want = t->edtl;
	/* immediate data counts toward FirstBurstLength (RFC 7143 13.14) */
	uint32_t fb = c->p.first_burst < t->edtl ? c->p.first_burst : t->edtl;
	t->unsol_end = c->p.initial_r2t ? r->dsl : fb;
	t->unsol_open = !(r->flags & ISCSI_FLAG_FINAL) && r->dsl < t->unsol_end;
	if (t->edtl > SCSI_XFER_MAX)
		t->fail = ISCSI_FAIL_TOO_BIG;
	else if (r->dsl && !c->p.immediate_data)
		t->fail = ISCSI_FAIL_UNSOLICITED;
	t->discard = t->fail != ISCSI_FAIL_NONE;
}

/* Reads the immediate data into the task's buffer. A digest error discards the whole
 * command (RFC 7143 7.8): the caller forgets the task and its CmdSN. */
static int cmd__immediate(struct iscsi_conn *c, struct iscsi_task *t, const struct iscsi_req *r)
{
	if (t->dir == SCSI_DIR_WRITE && !t->discard && cmd__buf_get(c, &t->buf, t->unsol_end) < 0) {
		t->fail = ISCSI_FAIL_NO_MEMORY;
		t->discard = true;
	}
	int rc = t->discard ? iscsi__recv_discard(c, r->dsl) : iscsi__recv_data(c, r->dsl, t->buf.p);
	t->got = r->dsl;
	if (!t->unsol_open)
		t->solicit_off = t->got;
	return rc;
}

int iscsi__on_scsi_cmd(struct iscsi_conn *c, const struct iscsi_req *r)
{
	/* outside the window, or already consumed (e.g. aborted before it arrived): ignore
	 * silently (RFC 7143 4.2.2.1) */
	if (!r->imm && (!iscsi__cmdsn_in_window(c, r->cmdsn) || iscsi__cmdsn_ahead(c, r->cmdsn))) {
		iscsi__ignore_itt(c, r->itt);
		vtl_log_ratelimited(LOG_DEBUG, "ISCSI_CMDSN_IGNORED", "peer=%s cmdsn=%u exp=%u max=%u",
				    c->peer, r->cmdsn, c->exp_cmd_sn, c->max_cmd_sn);
		return iscsi__recv_discard(c, r->dsl);
	}
	uint8_t reason = cmd__reject_reason(c, r);
	if (reason) {
		int rc = iscsi__recv_discard(c, r->dsl);
		if (!r->imm)
			iscsi__cmdsn_consume(c, r->cmdsn);   /* a rejected command used its CmdSN */
		if (r->itt != ISCSI_TAG_RESERVED && !iscsi__task_find(c, r->itt))
			iscsi__ignore_itt(c, r->itt);   /* its unsolicited Data-Out is dropped quietly */
		return rc < 0 ? rc : iscsi__send_reject(c, r, reason);
	}
	struct iscsi_task *t = cmd__slot(c);
	cmd__fill(c, t, r);
	int rc = cmd__immediate(c, t, r);
	if (rc == -EILSEQ) {
		iscsi__task_drop(c, t);
		return iscsi__send_reject(c, r, ISCSI_REJECT_DATA_DIGEST);
	}
	if (rc < 0)
		return rc;
	if (!r->imm && r->cmdsn == c->exp_cmd_sn)
		iscsi__cmdsn_consume(c, r->cmdsn);
	else
		iscsi__window_update(c);
	return 0;
}

/* A Data-Out that breaks the sequence rules: at ERL 0 there is no recovery but a new
 * connection (RFC 7143 7.1.4). */
static int cmd__sequence_error(struct iscsi_conn *c, const struct iscsi_req *r, const char *why)
{
	vtl_log_ratelimited(LOG_WARN, "ISCSI_DATA_OUT_ERROR", "peer=%s initiator=%s itt=0x%08x "
			    "offset=%u len=%u datasn=%u reason=%s", c->peer, c->nexus.initiator,
			    r->itt, r->offset, r->dsl, r->datasn, why);
	iscsi__send_reject(c, r, ISCSI_REJECT_INVALID_FIELD);
	return -EPROTO;
}

/* Unsolicited data where none may come: the task ends with CHECK CONDITION
 * (RFC 7143 11.4.7.2, unexpected unsolicited data); the bytes are dropped. */
static int cmd__unexpected(struct iscsi_conn *c, struct iscsi_task *t, const struct iscsi_req *r)
{
	t->fail = ISCSI_FAIL_UNSOLICITED;
	t->discard = true;
	return iscsi__recv_discard(c, r->dsl);
}

static int cmd__data_out_seq(struct iscsi_conn *c, struct iscsi_task *t, const struct iscsi_req *r,
			    uint32_t seq_end, uint32_t *datasn, bool solicited)
{
	bool fin = r->flags & ISCSI_FLAG_FINAL;
	if (r->offset != t->got)
		return cmd__sequence_error(c, r, "offset");
	if (r->datasn != *datasn)
		return cmd__sequence_error(c, r, "datasn");
	if (r->dsl > seq_end - t->got)
		return cmd__sequence_error(c, r, "overrun");
	bool ends = t->got + r->dsl == seq_end;
	if ((solicited && fin != ends) || (ends && !fin))
		return cmd__sequence_error(c, r, "final_bit");
	int rc = t->discard ? iscsi__recv_discard(c, r->dsl)
			    : iscsi__recv_data(c, r->dsl, t->buf.p + t->got);
	if (rc == -EILSEQ) {
		/* keep the sequence; answer once all data is in (RFC 7143 7.8 b) */
		t->fail = ISCSI_FAIL_DIGEST;
		t->discard = true;
		rc = iscsi__send_reject(c, r, ISCSI_REJECT_DATA_DIGEST);
	}
	if (rc < 0)
		return rc;
	t->got += r->dsl;
	(*datasn)++;
	return fin ? 1 : 0;
}

int iscsi__on_data_out(struct iscsi_conn *c, const struct iscsi_req *r)
{
	struct iscsi_task *t = iscsi__task_find(c, r->itt);
	if (!t) {
		int rc = iscsi__recv_discard(c, r->dsl);
		if (rc < 0 || iscsi__ignored_itt(c, r->itt))
			return rc;
		return iscsi__send_reject(c, r, ISCSI_REJECT_INVALID_FIELD);
	}
	if (r->w20 == ISCSI_TAG_RESERVED) {
		if (!t->unsol_open)
			return cmd__unexpected(c, t, r);
		int rc = cmd__data_out_seq(c, t, r, t->unsol_end, &t->unsol_datasn, false);
		if (rc == 1) {
			t->unsol_open = false;     /* the F bit ends the unsolicited burst */
			t->solicit_off = t->got;
		}
		return rc < 0 ? rc : 0;
	}
	if (!t->nr2t || t->r2t[0].ttt != r->w20)
		return cmd__sequence_error(c, r, "ttt");
	struct iscsi_r2t *s = &t->r2t[0];
	int rc = cmd__data_out_seq(c, t, r, s->off + s->len, &s->datasn, true);
	if (rc == 1) {
		memmove(&t->r2t[0], &t->r2t[1], (t->nr2t - 1) * sizeof t->r2t[0]);
		t->nr2t--;
	}
	return rc < 0 ? rc : 0;
}

static int cmd__send_r2t(struct iscsi_conn *c, struct iscsi_task *t, const struct iscsi_r2t *s)
{
	uint8_t bhs[ISCSI_BHS_LEN];
	iscsi__bhs_init(bhs, ISCSI_OP_R2T, ISCSI_FLAG_FINAL);
	memcpy(bhs + 8, t->lun_raw, 8);
	put_be32(bhs + 16, t->itt);
	put_be32(bhs + 20, s->ttt);
	iscsi__set_sn(c, bhs, false);
	put_be32(bhs + 36, t->r2tsn);
	put_be32(bhs + 40, s->off);
	put_be32(bhs + 44, s->len);
	return iscsi__send_pdu(c, bhs, NULL, 0);
}

/* Asks for the rest of a task's data: at most MaxOutstandingR2T R2Ts of at most
 * MaxBurstLength each (RFC 7143 11.8). */
static int cmd__solicit(struct iscsi_conn *c, struct iscsi_task *t)
{
	if (t->fail || t->unsol_open || t->solicit_off >= t->want)
		return 0;
	if (iscsi__buf_reserve(&t->buf, t->want) < 0) {
		t->fail = ISCSI_FAIL_NO_MEMORY;
		t->discard = true;
		return 0;
	}
	uint32_t max_r2t = c->p.max_outstanding_r2t < ISCSI_OUR_MAX_R2T ? c->p.max_outstanding_r2t
									: ISCSI_OUR_MAX_R2T;
	while (t->nr2t < max_r2t && t->solicit_off < t->want) {
		struct iscsi_r2t *s = &t->r2t[t->nr2t];
		uint32_t left = t->want - t->solicit_off;
		*s = (struct iscsi_r2t){iscsi__new_ttt(c), t->solicit_off,
					left < c->p.max_burst ? left : c->p.max_burst, 0, 0};
		int rc = cmd__send_r2t(c, t, s);
		if (rc < 0)
			return rc;
		t->nr2t++;
		t->r2tsn++;
		t->solicit_off += s->len;
	}
	return 0;
}

static bool cmd__ready(const struct iscsi_task *t)
{
	if (t->fail)
		return !t->unsol_open && t->nr2t == 0;
	return t->got == t->want;
}

/* The task to run next: an immediate one, else the non-immediate task with the lowest
 * CmdSN whose predecessors have all arrived (CmdSN < ExpCmdSN). */
static struct iscsi_task *cmd__next(struct iscsi_conn *c, bool imm)
{
	struct iscsi_task *best = NULL;
	for (unsigned i = 0; i < ISCSI_TASKS_MAX; i++) {
		struct iscsi_task *t = &c->tasks[i];
		if (!t->used || t->imm != imm)
			continue;
		if (imm)
			return t;
		if (iscsi__sn_lt(t->cmdsn, c->exp_cmd_sn) && (!best || iscsi__sn_lt(t->cmdsn, best->cmdsn)))
			best = t;
	}
	return best;
}

int iscsi__cmd_pump(struct iscsi_conn *c)
{
	for (;;) {
		struct iscsi_task *t = cmd__next(c, true);
		if (t && !cmd__ready(t)) {
			int rc = cmd__solicit(c, t);
			if (rc < 0)
				return rc;
			t = cmd__ready(t) ? t : NULL;
		}
		if (!t) {
			t = cmd__next(c, false);
			if (!t)
				return 0;
			if (!cmd__ready(t)) {
				int rc = cmd__solicit(c, t);
				if (rc < 0 || !cmd__ready(t))
					return rc;
			}
		}
		int rc = iscsi__task_exec(c, t);
		if (rc < 0)
			return rc;
	}
}
