/* The transport driven by libiscsi, a real initiator: discovery, login with and without
 * header digests, writes through immediate data, unsolicited Data-Out and R2T, reads
 * byte-exact, CHECK CONDITION and residuals, NOP, task management, logout, session
 * reinstatement, 20 concurrent sessions, and the target's NOP-In ping. */
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/testutil.h"
#include "tests/unit/iscsi/harness.h"

#define T0 "iqn.2026-11.io.vtl:t0"
#define T1 "iqn.2026-11.io.vtl:t1"
#define INIT "iqn.2026-11.io.vtl.test:libiscsi"

struct srv {
	struct harness *s;
	char portal[64];
};

static void srv_start(struct srv *sv, uint32_t mrdsl, uint32_t fbl, uint32_t mbl,
		      unsigned nop_idle_ms, unsigned nop_timeout_ms)
{
	sv->s = harness_start(mrdsl, fbl, mbl, nop_idle_ms, nop_timeout_ms);
	snprintf(sv->portal, sizeof sv->portal, "127.0.0.1:%u", harness_port(sv->s));
}

static struct iscsi_context *ctx_new(const char *initiator, enum iscsi_session_type type)
{
	struct iscsi_context *ctx = iscsi_create_context(initiator);
	CHECK(ctx);
	iscsi_set_noautoreconnect(ctx, 1);
	iscsi_set_timeout(ctx, 10);
	CHECK_EQ(iscsi_set_session_type(ctx, type), 0);
	return ctx;
}

static struct iscsi_context *login(const struct srv *sv, const char *initiator,
				   enum iscsi_header_digest hd)
{
	struct iscsi_context *ctx = ctx_new(initiator, ISCSI_SESSION_NORMAL);
	CHECK_EQ(iscsi_set_targetname(ctx, T0), 0);
	CHECK_EQ(iscsi_set_header_digest(ctx, hd), 0);
	if (iscsi_full_connect_sync(ctx, sv->portal, 1) != 0) {
		fprintf(stderr, "login: %s\n", iscsi_get_error(ctx));
		exit(1);
	}
	return ctx;
}

static void logout(struct iscsi_context *ctx)
{
	CHECK_EQ(iscsi_logout_sync(ctx), 0);
	iscsi_destroy_context(ctx);
}

static int write6(struct iscsi_context *ctx, const uint8_t *data, uint32_t len)
{
	unsigned char cdb[6] = {0x0a, 0, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0};
	struct scsi_task *t = scsi_create_task(6, cdb, SCSI_XFER_WRITE, (int)len);
	struct iscsi_data d = {len, (unsigned char *)data};
	CHECK(t);
	struct scsi_task *r = iscsi_scsi_command_sync(ctx, 1, t, &d);
	int status = r ? r->status : -1;
	scsi_free_scsi_task(t);
	return status;
}

/* READ(6) of `len`; checks status GOOD and returns the bytes (caller frees the task). */
static struct scsi_task *read6(struct iscsi_context *ctx, uint32_t len, uint32_t edtl)
{
	unsigned char cdb[6] = {0x08, 0, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, 0};
	struct scsi_task *t = scsi_create_task(6, cdb, SCSI_XFER_READ, (int)edtl);
	CHECK(t);
	struct scsi_task *r = iscsi_scsi_command_sync(ctx, 1, t, NULL);
	CHECK(r == t);
	CHECK_EQ(t->status, SCSI_STATUS_GOOD);
	return t;
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

static void check_last_write(const uint8_t *data, uint32_t len)
{
	CHECK(harness_last_write_is(data, len));
}

/* Write `len` bytes, check the backend got them, read them back byte-exact. */
static void write_read(struct iscsi_context *ctx, uint32_t len, uint32_t seed)
{
	uint8_t *data = malloc(len);
	CHECK(data);
	fill(data, len, seed);
	CHECK_EQ(write6(ctx, data, len), SCSI_STATUS_GOOD);
	check_last_write(data, len);
	struct scsi_task *t = read6(ctx, len, len);
	CHECK_EQ(t->datain.size, (int)len);
	CHECK(memcmp(t->datain.data, data, len) == 0);
	CHECK_EQ(t->residual_status, SCSI_RESIDUAL_NO_RESIDUAL);
	scsi_free_scsi_task(t);
	free(data);
}

static void run_until(struct iscsi_context *ctx, const int *done, int ms)
{
	for (int waited = 0; !*done && waited < ms; waited += 10) {
		struct pollfd pfd = {iscsi_get_fd(ctx), (short)iscsi_which_events(ctx), 0};
		if (poll(&pfd, 1, 10) < 0)
			break;
		CHECK_EQ(iscsi_service(ctx, pfd.revents), 0);
	}
	CHECK(*done);
}

static void test_discovery(const struct srv *sv)
{
	struct iscsi_context *ctx = ctx_new(INIT, ISCSI_SESSION_DISCOVERY);
	CHECK_EQ(iscsi_connect_sync(ctx, sv->portal), 0);
	CHECK_EQ(iscsi_login_sync(ctx), 0);
	struct iscsi_discovery_address *da = iscsi_discovery_sync(ctx);
	CHECK(da);
	char want[80];
	snprintf(want, sizeof want, "%s,1", sv->portal);
	int n = 0, seen0 = 0, seen1 = 0;
	for (struct iscsi_discovery_address *a = da; a; a = a->next, n++) {
		seen0 += strcmp(a->target_name, T0) == 0;
		seen1 += strcmp(a->target_name, T1) == 0;
		CHECK(a->portals && strcmp(a->portals->portal, want) == 0);
		CHECK(a->portals->next == NULL);
	}
	CHECK_EQ(n, 2);
	CHECK_EQ(seen0, 1);
	CHECK_EQ(seen1, 1);
	iscsi_free_discovery_data(ctx, da);
	logout(ctx);
}

static void test_io(const struct srv *sv, enum iscsi_header_digest hd)
{
	struct iscsi_context *ctx = login(sv, INIT, hd);
	struct scsi_task *t = iscsi_inquiry_sync(ctx, 1, 0, 0, 255);
	CHECK(t && t->status == SCSI_STATUS_GOOD);
	CHECK_EQ(t->datain.size, 36);
	CHECK_EQ(t->datain.data[0], 0x01);
	CHECK(memcmp(t->datain.data + 8, "VTLTEST ", 8) == 0);
	/* the backend filled 36 of the 255 bytes asked for */
	CHECK_EQ(t->residual_status, SCSI_RESIDUAL_UNDERFLOW);
	CHECK_EQ(t->residual, 255 - 36);
	scsi_free_scsi_task(t);

	CHECK(harness_last_nexus_is(INIT, 1, T0));

	write_read(ctx, 65536, 1);          /* immediate data only */
	write_read(ctx, 1 << 20, 2);        /* immediate data, then R2Ts */
	write_read(ctx, 4 << 20, 3);        /* several bursts each way */
	write_read(ctx, 1000, 4);           /* padding */

	/* a READ asking more than was written: short, underflow */
	t = read6(ctx, 2000, 2000);
	CHECK_EQ(t->datain.size, 1000);
	CHECK_EQ(t->residual_status, SCSI_RESIDUAL_UNDERFLOW);
	CHECK_EQ(t->residual, 1000);
	scsi_free_scsi_task(t);
	/* the CDB asks for more than the initiator expects: overflow */
	t = read6(ctx, 1000, 500);
	CHECK_EQ(t->datain.size, 500);
	CHECK_EQ(t->residual_status, SCSI_RESIDUAL_OVERFLOW);
	CHECK_EQ(t->residual, 500);
	scsi_free_scsi_task(t);

	/* CHECK CONDITION comes back with its sense */
	unsigned char bogus[6] = {0xff};
	t = scsi_create_task(6, bogus, SCSI_XFER_NONE, 0);
	CHECK(iscsi_scsi_command_sync(ctx, 1, t, NULL) == t);
	CHECK_EQ(t->status, SCSI_STATUS_CHECK_CONDITION);
	CHECK_EQ(t->sense.key, SCSI_SENSE_ILLEGAL_REQUEST);
	CHECK_EQ(t->sense.ascq, 0x2000);
	scsi_free_scsi_task(t);
	logout(ctx);
}

/* Small PDUs: immediate data, unsolicited Data-Out up to FirstBurstLength, then R2Ts;
 * then InitialR2T=Yes / ImmediateData=No, where every byte is solicited. */
static void test_unsolicited_and_r2t_only(void)
{
	struct srv sv;
	srv_start(&sv, 16384, 65536, 131072, 0, 0);
	struct iscsi_context *ctx = login(&sv, INIT, ISCSI_HEADER_DIGEST_NONE);
	write_read(ctx, 1 << 20, 5);
	write_read(ctx, 40000, 6);
	logout(ctx);

	ctx = ctx_new(INIT, ISCSI_SESSION_NORMAL);
	CHECK_EQ(iscsi_set_targetname(ctx, T0), 0);
	CHECK_EQ(iscsi_set_initial_r2t(ctx, ISCSI_INITIAL_R2T_YES), 0);
	CHECK_EQ(iscsi_set_immediate_data(ctx, ISCSI_IMMEDIATE_DATA_NO), 0);
	CHECK_EQ(iscsi_full_connect_sync(ctx, sv.portal, 1), 0);
	write_read(ctx, 300000, 7);
	logout(ctx);
	harness_stop(sv.s);
}

struct cb_state {
	int done;
	int status;
	uint32_t response;
	uint8_t data[64];
	size_t len;
};

static void nop_cb(struct iscsi_context *ctx, int status, void *command_data, void *priv)
{
	struct cb_state *st = priv;
	struct iscsi_data *d = command_data;
	(void)ctx;
	st->status = status;
	if (d && d->data && d->size <= sizeof st->data) {
		memcpy(st->data, d->data, d->size);
		st->len = d->size;
	}
	st->done = 1;
}

static void tmf_cb(struct iscsi_context *ctx, int status, void *command_data, void *priv)
{
	struct cb_state *st = priv;
	(void)ctx;
	st->status = status;
	st->response = command_data ? *(uint32_t *)command_data : 0xdead;
	st->done = 1;
}

static uint32_t tmf(struct iscsi_context *ctx, int lun, enum iscsi_task_mgmt_funcs fn,
		    uint32_t ritt, uint32_t rcmdsn)
{
	struct cb_state st = {0};
	CHECK_EQ(iscsi_task_mgmt_async(ctx, lun, fn, ritt, rcmdsn, tmf_cb, &st), 0);
	run_until(ctx, &st.done, 5000);
	CHECK_EQ(st.status, SCSI_STATUS_GOOD);
	return st.response;
}

static void test_nop_tmf_logout(const struct srv *sv)
{
	struct iscsi_context *ctx = login(sv, INIT, ISCSI_HEADER_DIGEST_CRC32C);
	struct cb_state st = {0};
	unsigned char ping[] = "ping-data-17";
	CHECK_EQ(iscsi_nop_out_async(ctx, nop_cb, ping, sizeof ping, &st), 0);
	run_until(ctx, &st.done, 5000);
	CHECK_EQ(st.status, SCSI_STATUS_GOOD);
	CHECK_EQ(st.len, (sizeof ping + 3) & ~3u);   /* libiscsi hands over the padding too */
	CHECK(memcmp(st.data, ping, sizeof ping) == 0);

	/* ABORT TASK for a task that completed: "Task does not exist" */
	struct scsi_task *t = iscsi_testunitready_sync(ctx, 1);
	CHECK(t && t->status == SCSI_STATUS_GOOD);
	CHECK_EQ(tmf(ctx, 1, ISCSI_TM_ABORT_TASK, t->itt, t->cmdsn), ISCSI_TMR_TASK_DOES_NOT_EXIST);
	scsi_free_scsi_task(t);

	unsigned ntmf = harness_tmf_count();
	CHECK_EQ(tmf(ctx, 1, ISCSI_TM_LUN_RESET, 0xffffffff, 0), ISCSI_TMR_FUNC_COMPLETE);
	CHECK_EQ(harness_tmf_count(), ntmf + 1);
	CHECK_EQ(harness_last_tmf_fn(), ISCSI_TM_LUN_RESET);
	CHECK_EQ(harness_last_tmf_lun(), 1);
	CHECK_EQ(tmf(ctx, 5, ISCSI_TM_LUN_RESET, 0xffffffff, 0), ISCSI_TMR_LUN_DOES_NOT_EXIST);
	CHECK_EQ(iscsi_task_mgmt_lun_reset_sync(ctx, 0), 0);     /* the sync API works too */
	CHECK_EQ(harness_last_tmf_lun(), 0);
	CHECK_EQ(tmf(ctx, 1, ISCSI_TM_ABORT_TASK_SET, 0xffffffff, 0), ISCSI_TMR_FUNC_COMPLETE);
	CHECK_EQ(harness_last_tmf_fn(), ISCSI_TM_ABORT_TASK_SET);
	CHECK_EQ(tmf(ctx, 0, ISCSI_TM_TARGET_WARM_RESET, 0xffffffff, 0), ISCSI_TMR_FUNC_COMPLETE);
	CHECK_EQ(harness_last_tmf_fn(), ISCSI_TM_TARGET_WARM_RESET);
	CHECK_EQ(tmf(ctx, 0, ISCSI_TM_TARGET_COLD_RESET, 0xffffffff, 0), ISCSI_TMR_TMF_NOT_SUPPORTED);
	CHECK_EQ(tmf(ctx, 1, ISCSI_TM_TASK_REASSIGN, 0x1234, 0),
		 ISCSI_TMR_TASK_ALLEGIANCE_REASS_NOT_SUPPORTED);
	/* the session still works */
	t = iscsi_testunitready_sync(ctx, 1);
	CHECK(t && t->status == SCSI_STATUS_GOOD);
	scsi_free_scsi_task(t);

	struct harness_stats s0, s1;
	harness_stats(sv->s, &s0);
	logout(ctx);
	for (int i = 0; i < 100; i++) {   /* the target closes after its Logout Response */
		harness_stats(sv->s, &s1);
		if (s1.sessions < s0.sessions)
			break;
		usleep(10000);
	}
	CHECK_EQ(s1.logouts, s0.logouts + 1);
	CHECK_EQ(s1.sessions, s0.sessions - 1);
}

static void test_reinstatement(const struct srv *sv)
{
	struct harness_stats s0, s1;
	harness_stats(sv->s, &s0);
	struct iscsi_context *a = ctx_new(INIT, ISCSI_SESSION_NORMAL);
	struct iscsi_context *b = ctx_new(INIT, ISCSI_SESSION_NORMAL);
	CHECK_EQ(iscsi_set_isid_random(a, 0x00beef, 7), 0);
	CHECK_EQ(iscsi_set_isid_random(b, 0x00beef, 7), 0);
	CHECK_EQ(iscsi_set_targetname(a, T0), 0);
	CHECK_EQ(iscsi_set_targetname(b, T0), 0);
	CHECK_EQ(iscsi_full_connect_sync(a, sv->portal, 1), 0);
	/* same InitiatorName + ISID + target, TSIH 0: the old session goes (RFC 7143 6.3.5) */
	CHECK_EQ(iscsi_full_connect_sync(b, sv->portal, 1), 0);
	struct scsi_task *t = iscsi_testunitready_sync(a, 1);
	CHECK(t == NULL || t->status != SCSI_STATUS_GOOD);
	if (t)
		scsi_free_scsi_task(t);
	t = iscsi_testunitready_sync(b, 1);
	CHECK(t && t->status == SCSI_STATUS_GOOD);
	scsi_free_scsi_task(t);
	harness_stats(sv->s, &s1);
	CHECK_EQ(s1.reinstatements, s0.reinstatements + 1);
	iscsi_destroy_context(a);
	logout(b);
}

struct worker {
	const struct srv *sv;
	int id;
	int ok;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[96];
	snprintf(name, sizeof name, "%s-%d", INIT, w->id);
	struct iscsi_context *ctx = login(w->sv, name, w->id & 1 ? ISCSI_HEADER_DIGEST_CRC32C
								 : ISCSI_HEADER_DIGEST_NONE);
	uint8_t *data = malloc(65536);
	CHECK(data);
	for (int i = 0; i < 10; i++) {
		/* the backend is shared: check only what comes back from our own writes'
		 * status, and reads of a full pattern-free length */
		fill(data, 65536, (uint32_t)(w->id * 100 + i));
		CHECK_EQ(write6(ctx, data, 65536), SCSI_STATUS_GOOD);
		struct scsi_task *t = iscsi_inquiry_sync(ctx, 1, 0, 0, 36);
		CHECK(t && t->status == SCSI_STATUS_GOOD && t->datain.size == 36);
		scsi_free_scsi_task(t);
	}
	free(data);
	logout(ctx);
	w->ok = 1;
	return NULL;
}

static void test_many_sessions(const struct srv *sv)
{
	enum { N = 20 };
	pthread_t th[N];
	struct worker w[N];
	for (int i = 0; i < N; i++) {
		w[i] = (struct worker){sv, i, 0};
		CHECK_EQ(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		CHECK(w[i].ok);
	}
}

/* The target pings an idle initiator; libiscsi answers while serviced; a silent one is
 * dropped after the timeout. */
static void test_target_ping(void)
{
	struct srv sv;
	srv_start(&sv, 0, 0, 0, 200, 600);
	struct iscsi_context *ctx = login(&sv, INIT, ISCSI_HEADER_DIGEST_NONE);
	for (int waited = 0; waited < 1500; waited += 10) {
		struct pollfd pfd = {iscsi_get_fd(ctx), (short)iscsi_which_events(ctx), 0};
		poll(&pfd, 1, 10);
		CHECK_EQ(iscsi_service(ctx, pfd.revents), 0);
	}
	struct scsi_task *t = iscsi_testunitready_sync(ctx, 1);
	CHECK(t && t->status == SCSI_STATUS_GOOD);
	scsi_free_scsi_task(t);
	struct harness_stats s;
	harness_stats(sv.s, &s);
	CHECK_EQ(s.drops, 0);
	usleep(1500 * 1000);   /* not serviced: the ping goes unanswered */
	harness_stats(sv.s, &s);
	CHECK_EQ(s.drops, 1);
	CHECK_EQ(s.sessions, 0);
	iscsi_destroy_context(ctx);
	harness_stop(sv.s);
}

int main(void)
{
	struct srv sv;
	srv_start(&sv, 0, 0, 0, 0, 0);

	test_discovery(&sv);
	test_io(&sv, ISCSI_HEADER_DIGEST_NONE);
	test_io(&sv, ISCSI_HEADER_DIGEST_CRC32C);
	test_unsolicited_and_r2t_only();
	test_nop_tmf_logout(&sv);
	test_reinstatement(&sv);
	test_many_sessions(&sv);
	test_target_ping();

	struct harness_stats s;
	harness_stats(sv.s, &s);
	CHECK_EQ(s.drops, 0);
	CHECK_EQ(s.rejects, 0);
	CHECK_EQ(s.login_failures, 0);
	harness_stop(sv.s);
	return 0;
}
