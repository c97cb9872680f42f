#include "tests/fuzz/iscsi/fuzz_run.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/iscsi/iscsi_int.h"

static bool fz__exists(void *arg, const char *target)
{
	(void)arg;
	return strcmp(target, FUZZ_TARGET) == 0;
}

static void fz__list(void *arg, void (*emit)(void *ctx, const char *target), void *ctx)
{
	(void)arg;
	emit(ctx, FUZZ_TARGET);
	emit(ctx, FUZZ_TARGET "-2");
}

/* Answers by CDB byte 0: reads give up to 4 KiB, odd opcodes fail with sense, the
 * implied length comes from the CDB so residual paths get exercised. */
static void fz__exec(void *arg, const char *target, struct scsi_cmd *cmd)
{
	(void)arg;
	(void)target;
	uint32_t want = get_be24(cmd->cdb + 2);
	cmd->implied_len = want;
	if (cmd->dir == SCSI_DIR_READ) {
		uint32_t n = want < cmd->data_in_cap ? want : cmd->data_in_cap;
		n = n < 4096 ? n : 4096;
		memset(cmd->data_in, 0x5a, n);
		cmd->data_in_len = n;
	}
	if (cmd->cdb[0] & 1) {
		cmd->status = SAM_STAT_CHECK_CONDITION;
		cmd->sense_len = 18;
		cmd->sense[0] = 0x70;
		cmd->sense[2] = 0x05;
	}
}

static int fz__tmf(void *arg, const char *target, enum iscsi_tmf_fn fn, uint64_t lun,
		   const struct scsi_nexus *nexus)
{
	(void)arg;
	(void)target;
	(void)nexus;
	return lun > 3 ? 2 : (int)fn & 1;
}

static struct iscsi_server *fz__srv;

static void fz__init(void)
{
	struct iscsi_config cfg = {.tpgt = 1, .max_recv_data_segment_length = 65536,
				   .max_burst_length = 262144, .first_burst_length = 65536};
	struct iscsi_backend be = {.arg = NULL, .target_exists = fz__exists, .target_list = fz__list,
				   .exec = fz__exec, .tmf = fz__tmf};
	vtl_log_set_level(LOG_ERROR + 1);
	if (iscsi__server_init(&cfg, &be, &fz__srv) != 0)
		abort();
}

struct feed {
	int fd;
	const uint8_t *prefix, *data;
	size_t plen, len;
};

static void fz__write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *fz__feeder(void *arg)
{
	struct feed *f = arg;
	uint8_t sink[65536];
	fz__write_all(f->fd, f->prefix, f->plen);
	fz__write_all(f->fd, f->data, f->len);
	shutdown(f->fd, SHUT_WR);
	while (recv(f->fd, sink, sizeof sink, 0) > 0)
		;
	return NULL;
}

void fuzz_run_stream(const uint8_t *prefix, size_t plen, const uint8_t *data, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fz__init);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	struct feed f = {sv[1], prefix, data, plen, len};
	pthread_t th;
	if (pthread_create(&th, NULL, fz__feeder, &f) != 0)
		abort();
	iscsi__serve_fd(fz__srv, sv[0]);   /* takes sv[0] */
	pthread_join(th, NULL);
	close(sv[1]);
}

size_t fuzz_login_pdu(uint8_t *out, size_t cap, const char *text, size_t tlen)
{
	size_t total = 48 + tlen + iscsi__pad4((uint32_t)tlen);
	if (total > cap)
		abort();
	memset(out, 0, total);
	out[0] = 0x43;
	out[1] = 0x80 | (1 << 2) | 3;
	put_be24(out + 5, (uint32_t)tlen);
	memcpy(out + 8, "\x80\x00\x00\x00\x00\x01", 6);
	put_be32(out + 16, 1);
	put_be32(out + 24, 1);
	memcpy(out + 48, text, tlen);
	return total;
}
