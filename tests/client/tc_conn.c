/* tc_conn.c - the test client's iSCSI session on libiscsi: connect, login, one SCSI
 * command at a time with a deadline, unit-attention draining, logout.
 *
 * Why not libiscsi's *_sync calls: they wait forever (a hung target hangs the test) and,
 * when the transport fails, return while their completion state lives on the caller's
 * stack with the PDU still queued. Here every operation gets a heap `struct tc__op` and
 * our own poll loop with a deadline. If the loop gives up (deadline, socket error) the
 * op is abandoned: libiscsi may still hold its PDU and call back (or, for a login, drop
 * it without a callback), so the op and its task go on the tc's abandoned list and are
 * freed by tc_close after iscsi_destroy_context, when libiscsi holds nothing any more.
 * The session is then broken for good; nothing is re-sent (auto-reconnect is off: a
 * reconnect would replay an in-flight WRITE and duplicate a tape block).
 *
 * Data-in goes straight into the caller's buffer (scsi_task_add_data_in_buffer), so a
 * CHECK CONDITION's sense, which libiscsi stores in task->datain, cannot overwrite the
 * bytes of a short read; the raw sense is parsed here (tc_sense.c) because libiscsi's
 * struct scsi_sense drops FILEMARK, EOM, ILI and INFORMATION.
 *
 * Concurrency: see tclient.h; one thread per struct tc, no locks. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "common/log.h"
#include "common/rd.h"
#include "tests/client/tclient.h"

#define TC_DEFAULT_INITIATOR "iqn.2026-11.io.vtl:tclient"
#define TC_DEFAULT_TIMEOUT_MS 60000
#define TC_DEFAULT_UA_RETRIES 16
#define TC_LOGOUT_TIMEOUT_MS 5000

/* One outstanding libiscsi operation (connect, login, logout or SCSI command). */
struct tc__op {
	bool done;
	bool abandoned;         /* the waiter gave up; freed by tc_close */
	int status;             /* SCSI_STATUS_* from the callback */
	struct scsi_task *task; /* SCSI commands only */
	struct tc__op *next;    /* on tc->abandoned */
};

struct tc {
	struct iscsi_context *iscsi;
	int lun;
	int timeout_ms;
	int ua_retries;
	bool logged_in;
	bool broken;
	struct tc__op *abandoned; /* ops libiscsi may still reference until destroyed */
	char err[256];
};

static void tc__op_cb(struct iscsi_context *iscsi, int status, void *command_data,
		      void *private_data)
{
	struct tc__op *op = private_data;
	(void)iscsi;
	(void)command_data;
	if (op->abandoned)
		return; /* nobody waits; tc_close frees it */
	op->status = status;
	op->done = true;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tc__fail(struct tc *tc, const char *what, int rc)
{
	tc->broken = true;
	snprintf(tc->err, sizeof(tc->err), "%s: %s (%s)", what, strerror(-rc),
		 iscsi_get_error(tc->iscsi));
}

/* Services the context until op completes or timeout_ms passes. 0 when the callback
 * ran (op->status holds the outcome); otherwise a negative errno, the op is abandoned
 * to libiscsi and the session is broken. */
static int tc__wait(struct tc *tc, struct tc__op *op, int timeout_ms, const char *what)
{
	int64_t deadline = now_ms() + timeout_ms;
	int rc = 0;

	while (!op->done) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		struct pollfd pfd = {.fd = iscsi_get_fd(tc->iscsi),
				     .events = (short)iscsi_which_events(tc->iscsi)};
		int n = poll(&pfd, 1, left < 1000 ? (int)left : 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (iscsi_service(tc->iscsi, n > 0 ? pfd.revents : 0) < 0 && !op->done) {
			rc = -EIO;
			break;
		}
	}
	if (rc) {
		op->abandoned = true;
		op->next = tc->abandoned;
		tc->abandoned = op;
		tc__fail(tc, what, rc);
	}
	return rc;
}

static struct tc__op *tc__op_new(void)
{
	return calloc(1, sizeof(struct tc__op));
}

/* Runs an async libiscsi call taking (iscsi, cb, private) and waits for it. */
static int tc__run(struct tc *tc, int (*start)(struct iscsi_context *, iscsi_command_cb, void *),
		   int timeout_ms, const char *what)
{
	struct tc__op *op = tc__op_new();
	int rc = -ENOMEM;
	if (!op)
		return rc;
	if (start(tc->iscsi, tc__op_cb, op) != 0) {
		free(op);
		tc__fail(tc, what, -EIO);
		return -EIO;
	}
	rc = tc__wait(tc, op, timeout_ms, what);
	if (rc)
		return rc; /* op is on the abandoned list */
	if (op->status != SCSI_STATUS_GOOD) {
		rc = -EIO;
		tc__fail(tc, what, rc);
	}
	free(op);
	return rc;
}

static int tc__connect_start(struct tc *tc, const char *portal)
{
	struct tc__op *op = tc__op_new();
	if (!op)
		return -ENOMEM;
	if (iscsi_connect_async(tc->iscsi, portal, tc__op_cb, op) != 0) {
		free(op);
		tc__fail(tc, "connect", -ECONNREFUSED);
		return -ECONNREFUSED;
	}
	int rc = tc__wait(tc, op, tc->timeout_ms, "connect");
	if (rc)
		return rc;
	if (op->status != SCSI_STATUS_GOOD) {
		rc = -ECONNREFUSED;
		tc__fail(tc, "connect", rc);
	}
	free(op);
	return rc;
}

static int tc__setup(struct tc *tc, const char *target, const struct tc_opts *o)
{
	tc->iscsi = iscsi_create_context(o && o->initiator ? o->initiator : TC_DEFAULT_INITIATOR);
	if (!tc->iscsi)
		return -ENOMEM;
	iscsi_set_noautoreconnect(tc->iscsi, 1);
	if (iscsi_set_targetname(tc->iscsi, target) != 0 ||
	    iscsi_set_session_type(tc->iscsi, ISCSI_SESSION_NORMAL) != 0 ||
	    iscsi_set_header_digest(tc->iscsi, o && o->header_digest ? ISCSI_HEADER_DIGEST_CRC32C
								   : ISCSI_HEADER_DIGEST_NONE) != 0)
		return -EINVAL;
	return 0;
}

int tc_connect(struct tc **out, const char *portal, const char *target, int lun,
	       const struct tc_opts *opts)
{
	struct tc *tc = calloc(1, sizeof(*tc));
	int rc = -ENOMEM;

	*out = NULL;
	if (!tc)
		goto fail;
	tc->lun = lun;
	tc->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : TC_DEFAULT_TIMEOUT_MS;
	tc->ua_retries = opts && opts->ua_retries > 0 ? opts->ua_retries : TC_DEFAULT_UA_RETRIES;
	rc = tc__setup(tc, target, opts);
	if (rc)
		goto fail;
	rc = tc__connect_start(tc, portal);
	if (rc)
		goto fail;
	rc = tc__run(tc, iscsi_login_async, tc->timeout_ms, "login");
	if (rc)
		goto fail;
	tc->logged_in = true;
	if (!(opts && opts->keep_ua))
		rc = tc_drain_ua(tc);
	if (rc)
		goto fail;
	*out = tc;
	return 0;
fail:
	vtl_log(LOG_WARN, "TC_CONNECT_FAIL", "portal=%s target=%s lun=%d rc=%d err=\"%s\"", portal,
		target, lun, rc, tc ? tc->err : "out of memory");
	tc_close(tc);
	return rc;
}

void tc_close(struct tc *tc)
{
	if (!tc)
		return;
	if (tc->iscsi && tc->logged_in && !tc->broken)
		(void)tc__run(tc, iscsi_logout_async, TC_LOGOUT_TIMEOUT_MS, "logout");
	if (tc->iscsi)
		iscsi_destroy_context(tc->iscsi);
	while (tc->abandoned) { /* libiscsi holds no reference to them any more */
		struct tc__op *op = tc->abandoned;
		tc->abandoned = op->next;
		if (op->task)
			scsi_free_scsi_task(op->task);
		free(op);
	}
	free(tc);
}

int tc_lun(const struct tc *tc)
{
	return tc->lun;
}

bool tc_broken(const struct tc *tc)
{
	return tc->broken;
}

const char *tc_error(const struct tc *tc)
{
	return tc->err;
}

struct iscsi_context *tc_iscsi(struct tc *tc)
{
	return tc->iscsi;
}

int tc_use_lun(struct tc *tc, int lun)
{
	tc->lun = lun;
	return tc_drain_ua(tc);
}

int tc_drain_ua(struct tc *tc)
{
	struct tc_result res;
	for (int i = 0; i < tc->ua_retries; i++) {
		int rc = tc_test_unit_ready(tc, &res);
		if (rc)
			return rc;
		if (!(res.status == TC_CHECK_CONDITION && res.sense.key == 0x06))
			return 0;
	}
	snprintf(tc->err, sizeof(tc->err), "unit attentions did not drain in %d TURs",
		 tc->ua_retries);
	return -EAGAIN;
}

int tc_wait_ready(struct tc *tc, int timeout_ms, struct tc_result *last)
{
	struct tc_result res;
	int64_t deadline = now_ms() + timeout_ms;
	int rc;

	for (;;) {
		rc = tc_test_unit_ready(tc, &res);
		if (rc || tc_good(&res) || now_ms() >= deadline)
			break;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (last)
		*last = res;
	if (rc == 0 && !tc_good(&res))
		rc = -ETIMEDOUT;
	return rc;
}

/* Fills the result from a finished task: `status` is the SAM status the callback
 * reported, `expected` the data-in length asked for (0 for other directions). */
static void tc__result(struct scsi_task *task, int status, uint32_t expected,
		       struct tc_result *res)
{
	res->status = status;
	if (task->residual_status == SCSI_RESIDUAL_UNDERFLOW) {
		res->resid_kind = TC_RESID_UNDER;
		res->residual = (uint32_t)task->residual;
	} else if (task->residual_status == SCSI_RESIDUAL_OVERFLOW) {
		res->resid_kind = TC_RESID_OVER;
		res->residual = (uint32_t)task->residual;
	}
	uint32_t under = res->resid_kind == TC_RESID_UNDER ? res->residual : 0;
	res->data_in_len = under < expected ? expected - under : 0;
	if (status != TC_CHECK_CONDITION)
		return;
	/* task->datain: the SCSI Response data segment, a 2-byte SenseLength then the
	 * sense (RFC 7143 11.4.7.2) */
	struct rd r = rd_init(task->datain.data, task->datain.data ? (size_t)task->datain.size : 0);
	size_t slen = rd_be16(&r);
	if (slen > rd_left(&r))
		slen = rd_left(&r);
	if (slen > TC_SENSE_MAX)
		slen = TC_SENSE_MAX;
	const uint8_t *sense = rd_bytes(&r, slen);
	if (sense && slen > 0) {
		memcpy(res->sense_raw, sense, slen);
		res->sense_len = (uint8_t)slen;
		(void)tc_sense_parse(res->sense_raw, slen, &res->sense);
	}
}

static struct scsi_task *tc__task(const uint8_t *cdb, size_t cdb_len, enum tc_dir dir,
				  uint32_t xfer, void *in)
{
	int xdir = dir == TC_DIR_READ ? SCSI_XFER_READ
		   : dir == TC_DIR_WRITE ? SCSI_XFER_WRITE : SCSI_XFER_NONE;
	struct scsi_task *task = scsi_create_task((int)cdb_len, (unsigned char *)cdb, xdir,
						  (int)xfer);
	if (!task)
		return NULL;
	if (dir == TC_DIR_READ && xfer > 0 &&
	    scsi_task_add_data_in_buffer(task, (int)xfer, in) != 0) {
		scsi_free_scsi_task(task);
		return NULL;
	}
	return task;
}

static bool tc__args_ok(const uint8_t *cdb, size_t cdb_len, enum tc_dir dir, const void *out,
			uint32_t out_len, const void *in, uint32_t in_cap)
{
	if (!cdb || cdb_len < 6 || cdb_len > TC_CDB_MAX)
		return false;
	if (out_len > TC_XFER_MAX || in_cap > TC_XFER_MAX)
		return false;
	if (dir == TC_DIR_WRITE)
		return out && in_cap == 0;
	if (dir == TC_DIR_READ)
		return (in || in_cap == 0) && out_len == 0;
	return out_len == 0 && in_cap == 0;
}

int tc_cmd(struct tc *tc, const uint8_t *cdb, size_t cdb_len, enum tc_dir dir,
	   const void *out, uint32_t out_len, void *in, uint32_t in_cap,
	   struct tc_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!tc__args_ok(cdb, cdb_len, dir, out, out_len, in, in_cap))
		return -EINVAL;
	if (tc->broken)
		return -ENOTCONN;

	uint32_t xfer = dir == TC_DIR_WRITE ? out_len : in_cap;
	struct tc__op *op = tc__op_new();
	if (!op)
		return -ENOMEM;
	op->task = tc__task(cdb, cdb_len, dir, xfer, in);
	if (!op->task) {
		free(op);
		return -ENOMEM;
	}
	/* libiscsi only reads the data-out buffer (it builds an iovec over it) */
	struct iscsi_data d = {.size = dir == TC_DIR_WRITE ? out_len : 0,
			       .data = dir == TC_DIR_WRITE ? (unsigned char *)out : NULL};
	if (iscsi_scsi_command_async(tc->iscsi, tc->lun, op->task, tc__op_cb,
				     d.data ? &d : NULL, op) != 0) {
		scsi_free_scsi_task(op->task);
		free(op);
		tc__fail(tc, "send", -EIO);
		return -EIO;
	}
	int rc = tc__wait(tc, op, tc->timeout_ms, "command");
	if (rc)
		return rc; /* op and task are on the abandoned list */
	if (op->status == SCSI_STATUS_ERROR || op->status == SCSI_STATUS_CANCELLED ||
	    op->status == SCSI_STATUS_TIMEOUT) {
		/* libiscsi 1.19 also lands here for a SCSI Response carrying BUSY, TASK SET
		 * FULL or TASK ABORTED (it knows only GOOD, CHECK CONDITION and RESERVATION
		 * CONFLICT there) and drops the connection */
		rc = -EIO;
		tc__fail(tc, "command", rc);
	} else {
		tc__result(op->task, op->status, dir == TC_DIR_READ ? in_cap : 0, res);
	}
	scsi_free_scsi_task(op->task);
	free(op);
	return rc;
}
