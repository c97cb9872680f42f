#include "tests/unit/iscsi/harness.h"

#include <stdlib.h>
#include <string.h>

#include "node/iscsi/iscsi.h"
#include "tests/testutil.h"
#include "tests/unit/iscsi/testbe.h"

static struct testbe g_be;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

struct harness {
	struct iscsi_server *srv;
};

static void harness__init(void)
{
	testbe_init(&g_be);
	testbe_add_target(&g_be, "iqn.2026-11.io.vtl:t0");
	testbe_add_target(&g_be, "iqn.2026-11.io.vtl:t1");
}

struct harness *harness_start(uint32_t mrdsl, uint32_t first_burst, uint32_t max_burst,
			      unsigned nop_idle_ms, unsigned nop_timeout_ms)
{
	pthread_once(&g_once, harness__init);
	struct harness *h = calloc(1, sizeof *h);
	CHECK(h);
	struct iscsi_config cfg = {.portal = "127.0.0.1:0", .tpgt = 1,
				   .max_recv_data_segment_length = mrdsl,
				   .first_burst_length = first_burst, .max_burst_length = max_burst};
	struct iscsi_backend be = testbe_backend(&g_be);
	CHECK_EQ(iscsi_server_start(&cfg, &be, &h->srv), 0);
	iscsi_server_set_nop_timing(h->srv, nop_idle_ms, nop_timeout_ms);
	return h;
}

uint16_t harness_port(const struct harness *h)
{
	return iscsi_server_port(h->srv);
}

void harness_stop(struct harness *h)
{
	iscsi_server_stop(h->srv);
	free(h);
}

void harness_stats(struct harness *h, struct harness_stats *out)
{
	struct iscsi_stats s;
	iscsi_server_stats(h->srv, &s);
	*out = (struct harness_stats){s.logins, s.login_failures, s.logouts, s.rejects, s.drops,
				      s.reinstatements, s.sessions};
}

bool harness_last_write_is(const uint8_t *data, uint32_t len)
{
	pthread_mutex_lock(&g_be.lock);
	bool same = g_be.written_len == len && (!len || memcmp(g_be.written, data, len) == 0);
	pthread_mutex_unlock(&g_be.lock);
	return same;
}

bool harness_last_nexus_is(const char *initiator, uint16_t tpgt, const char *target)
{
	pthread_mutex_lock(&g_be.lock);
	bool same = strcmp(g_be.last_nexus.initiator, initiator) == 0 &&
		    g_be.last_nexus.tpgt == tpgt && strcmp(g_be.last_target, target) == 0;
	pthread_mutex_unlock(&g_be.lock);
	return same;
}

unsigned harness_tmf_count(void)
{
	pthread_mutex_lock(&g_be.lock);
	unsigned n = g_be.ntmf;
	pthread_mutex_unlock(&g_be.lock);
	return n;
}

int harness_last_tmf_fn(void)
{
	pthread_mutex_lock(&g_be.lock);
	int fn = g_be.last_tmf_fn;
	pthread_mutex_unlock(&g_be.lock);
	return fn;
}

uint64_t harness_last_tmf_lun(void)
{
	pthread_mutex_lock(&g_be.lock);
	uint64_t lun = g_be.last_tmf_lun;
	pthread_mutex_unlock(&g_be.lock);
	return lun;
}
