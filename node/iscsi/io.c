/* io.c - PDU framing on a connection's socket: header (+AHS, +HeaderDigest), data segment
 * (+padding, +DataDigest), and sending with writev semantics (payload never copied).
 *
 * Runs only in the connection's own thread. Sockets are blocking with SO_RCVTIMEO, so a
 * read can report that the connection has been idle between PDUs (-ETIMEDOUT, the cue
 * for a NOP-In ping); a peer that stalls in the middle of a PDU for longer than the NOP
 * bounds is dropped (-ETIME). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/rd.h"
#include "common/crc32c.h"
#include "node/iscsi/iscsi_int.h"

void iscsi__now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

long iscsi__ms_since(const struct timespec *then)
{
	struct timespec now;
	iscsi__now(&now);
	return (long)(now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
}

static uint32_t io__get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void io__put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void io__advance(struct iovec **iov, int *n, size_t done)
{
	while (*n > 0 && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
}

/* Reads exactly what the iovec describes. `idle_ok`: a timeout before the first byte
 * means "idle between PDUs" (-ETIMEDOUT) rather than a stall. */
static int io__recv_full(struct iscsi_conn *c, struct iovec *iov, int n, bool idle_ok)
{
	size_t done = 0;
	bool stalled = false;
	struct timespec stall_at;

	io__advance(&iov, &n, 0);
	while (n > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t r = recvmsg(c->fd, &m, MSG_WAITALL);
		if (r > 0) {
			done += (size_t)r;
			stalled = false;
			io__advance(&iov, &n, (size_t)r);
			continue;
		}
		if (r == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (idle_ok && done == 0)
			return -ETIMEDOUT;
		if (!stalled) {
			iscsi__now(&stall_at);
			stalled = true;
		} else if (iscsi__ms_since(&stall_at) > (long)(c->nop_idle_ms + c->nop_timeout_ms)) {
			return -ETIME;
		}
	}
	return 0;
}

int iscsi__recv_bhs(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN])
{
	uint8_t dig[4];
	struct iovec iov[2] = {{bhs, ISCSI_BHS_LEN}, {NULL, 0}};
	int rc = io__recv_full(c, iov, 1, true);
	if (rc < 0)
		return rc;
	uint32_t ahs = (uint32_t)bhs[4] * 4;
	int n = 0;
	if (ahs)
		iov[n++] = (struct iovec){c->ahs, ahs};
	if (c->hdigest)
		iov[n++] = (struct iovec){dig, 4};
	if (n) {
		rc = io__recv_full(c, iov, n, false);
		if (rc < 0)
			return rc;
	}
	if (c->hdigest) {
		uint32_t d = vtl_crc32c(vtl_crc32c(0, bhs, ISCSI_BHS_LEN), c->ahs, ahs);
		if (d != io__get_le32(dig))
			return -EBADMSG;
	}
	iscsi__now(&c->last_rx);
	return 0;
}

int iscsi__recv_data(struct iscsi_conn *c, uint32_t dsl, void *dst)
{
	uint8_t pad[4] = {0}, dig[4];
	uint32_t npad = iscsi__pad4(dsl);
	struct iovec iov[3];
	int n = 0;

	if (dsl == 0)
		return 0;
	iov[n++] = (struct iovec){dst, dsl};
	if (npad)
		iov[n++] = (struct iovec){pad, npad};
	if (c->ddigest)
		iov[n++] = (struct iovec){dig, 4};
	int rc = io__recv_full(c, iov, n, false);
	if (rc < 0)
		return rc;
	if (c->ddigest) {
		if (vtl_crc32c(vtl_crc32c(0, dst, dsl), pad, npad) != io__get_le32(dig))
			return -EILSEQ;
	}
	return 0;
}

int iscsi__recv_discard(struct iscsi_conn *c, uint32_t dsl)
{
	uint64_t left = dsl ? (uint64_t)dsl + iscsi__pad4(dsl) + (c->ddigest ? 4 : 0) : 0;
	while (left) {
		size_t chunk = left < c->scratch.cap ? (size_t)left : c->scratch.cap;
		struct iovec iov = {c->scratch.p, chunk};
		int rc = io__recv_full(c, &iov, 1, false);
		if (rc < 0)
			return rc;
		left -= chunk;
	}
	return 0;
}

static int io__send_full(struct iscsi_conn *c, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
		if (w >= 0) {
			io__advance(&iov, &n, (size_t)w);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -ETIME;   /* SO_SNDTIMEO expired: the initiator stopped reading */
		return -errno;
	}
	return 0;
}

int iscsi__send_pdu(struct iscsi_conn *c, uint8_t bhs[ISCSI_BHS_LEN], const void *data,
		    uint32_t len)
{
	static const uint8_t zero[4];
	uint8_t hdig[4], ddig[4];
	uint32_t npad = iscsi__pad4(len);
	struct iovec iov[5];
	int n = 0;

	iscsi__bhs_set_dsl(bhs, len);
	iov[n++] = (struct iovec){bhs, ISCSI_BHS_LEN};
	if (c->hdigest) {
		io__put_le32(hdig, vtl_crc32c(0, bhs, ISCSI_BHS_LEN));
		iov[n++] = (struct iovec){hdig, 4};
	}
	if (len) {
		iov[n++] = (struct iovec){(void *)data, len};
		if (npad)
			iov[n++] = (struct iovec){(void *)zero, npad};
		if (c->ddigest) {
			io__put_le32(ddig, vtl_crc32c(vtl_crc32c(0, data, len), zero, npad));
			iov[n++] = (struct iovec){ddig, 4};
		}
	}
	return io__send_full(c, iov, n);
}
