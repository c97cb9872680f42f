#include "tests/unit/iscsi/rawcli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/rd.h"
#include "common/crc32c.h"
#include "tests/testutil.h"

void raw_open(struct rawcli *rc, uint16_t port)
{
	memset(rc, 0, sizeof *rc);
	rc->fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(rc->fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(rc->fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	int one = 1;
	setsockopt(rc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rc->itt = 0x1000;
	rc->cmdsn = 100;
	/* a distinct ISID per connection, so logins do not reinstate each other */
	static unsigned seq;
	memcpy(rc->isid, "\x80\x00\x00\x00\x00\x00", 6);
	put_be16(rc->isid + 4, (uint16_t)++seq);
}

void raw_close(struct rawcli *rc)
{
	if (rc->fd >= 0)
		close(rc->fd);
	rc->fd = -1;
}

void raw_bhs(uint8_t bhs[48], uint8_t op, uint8_t flags, uint32_t itt)
{
	memset(bhs, 0, 48);
	bhs[0] = op;
	bhs[1] = flags;
	put_be32(bhs + 16, itt);
}

static void raw__le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int raw__write(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int raw_send(struct rawcli *rc, uint8_t bhs[48], const void *data, uint32_t len)
{
	static const uint8_t zero[4];
	uint8_t dig[4];
	put_be24(bhs + 5, len);
	if (raw__write(rc->fd, bhs, 48) < 0)
		return -1;
	if (rc->hdig) {
		raw__le32(dig, vtl_crc32c(0, bhs, 48));
		if (raw__write(rc->fd, dig, 4) < 0)
			return -1;
	}
	if (!len)
		return 0;
	uint32_t pad = (4 - (len & 3)) & 3;
	if (raw__write(rc->fd, data, len) < 0 || raw__write(rc->fd, zero, pad) < 0)
		return -1;
	if (rc->ddig) {
		raw__le32(dig, vtl_crc32c(vtl_crc32c(0, data, len), zero, pad));
		return raw__write(rc->fd, dig, 4);
	}
	return 0;
}

/* 0, -1 closed, -2 timeout */
static int raw__read(int fd, void *p, size_t n, int timeout_ms)
{
	uint8_t *b = p;
	while (n) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr == 0)
			return -2;
		if (pr < 0)
			return -1;
		ssize_t r = recv(fd, b, n, 0);
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static uint32_t raw__get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int raw_recv(struct rawcli *rc, struct rawpdu *p, int timeout_ms)
{
	uint8_t dig[4];
	memset(p, 0, sizeof *p);
	if (!timeout_ms)
		timeout_ms = 5000;
	int r = raw__read(rc->fd, p->bhs, 48, timeout_ms);
	if (r < 0)
		return r;
	if (rc->hdig) {
		if (raw__read(rc->fd, dig, 4, timeout_ms) < 0)
			return -1;
		if (raw__get_le32(dig) != vtl_crc32c(0, p->bhs, 48))
			return -3;
	}
	p->len = get_be24(p->bhs + 5);
	uint32_t pad = (4 - (p->len & 3)) & 3;
	p->data = calloc(1, p->len + pad + 1);
	CHECK(p->data);
	if (p->len) {
		if (raw__read(rc->fd, p->data, p->len + pad, timeout_ms) < 0)
			return -1;
		if (rc->ddig) {
			if (raw__read(rc->fd, dig, 4, timeout_ms) < 0)
				return -1;
			if (raw__get_le32(dig) != vtl_crc32c(0, p->data, p->len + pad))
				return -3;
		}
		p->data[p->len] = 0;
	}
	uint8_t op = p->bhs[0] & 0x3f;
	if (op != 0x25 || (p->bhs[1] & 0x01)) {   /* StatSN valid except in Data-In without S */
		if (op != 0x31)
			rc->statsn = get_be32(p->bhs + 24);
	}
	rc->exp_cmd_sn = get_be32(p->bhs + 28);
	rc->max_cmd_sn = get_be32(p->bhs + 32);
	return 0;
}

void raw_pdu_free(struct rawpdu *p)
{
	free(p->data);
	p->data = NULL;
}

bool raw_wait_closed(struct rawcli *rc, int timeout_ms)
{
	uint8_t buf[4096];
	for (;;) {
		struct pollfd pfd = {rc->fd, POLLIN, 0};
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr <= 0)
			return false;
		ssize_t r = recv(rc->fd, buf, sizeof buf, 0);
		if (r <= 0)
			return true;
	}
}

int raw_login(struct rawcli *rc, const char *target, const char *extra, uint32_t extra_len,
	      struct rawpdu *rsp)
{
	char text[8192];
	int n = snprintf(text, sizeof text, "InitiatorName=%s", RAW_INITIATOR) + 1;
	if (target)
		n += snprintf(text + n, sizeof text - (size_t)n, "TargetName=%s", target) + 1;
	n += snprintf(text + n, sizeof text - (size_t)n, "SessionType=%s",
		      target ? "Normal" : "Discovery") + 1;
	CHECK((size_t)n + extra_len <= sizeof text);
	memcpy(text + n, extra, extra_len);
	n += (int)extra_len;

	uint8_t bhs[48];
	bool hd = rc->hdig, dd = rc->ddig;
	rc->hdig = rc->ddig = false;     /* digests start after the login */
	raw_bhs(bhs, 0x43, 0x80 | (1 << 2) | 3, rc->itt);   /* I, T, CSG=1, NSG=3 */
	memcpy(bhs + 8, rc->isid, 6);
	put_be16(bhs + 14, rc->tsih);
	put_be32(bhs + 24, rc->cmdsn);
	put_be32(bhs + 28, 0);
	if (raw_send(rc, bhs, text, (uint32_t)n) < 0 || raw_recv(rc, rsp, 0) < 0)
		return -1;
	int status = rsp->bhs[36] << 8 | rsp->bhs[37];
	if (status == 0) {
		rc->tsih = get_be16(rsp->bhs + 14);
		rc->hdig = hd;
		rc->ddig = dd;
		rc->itt++;
	}
	return status;
}

const char *raw_text_get(const struct rawpdu *p, const char *key)
{
	size_t kl = strlen(key);
	for (uint32_t off = 0; off < p->len;) {
		const char *s = (const char *)p->data + off;
		size_t l = strnlen(s, p->len - off);
		if (l > kl && s[kl] == '=' && memcmp(s, key, kl) == 0)
			return s + kl + 1;
		off += (uint32_t)l + 1;
	}
	return NULL;
}

void raw_scsi_cmd(uint8_t bhs[48], uint8_t flags, uint32_t itt, uint32_t cmdsn, uint32_t edtl,
		  const uint8_t *cdb, uint8_t lun)
{
	raw_bhs(bhs, 0x01, flags, itt);
	bhs[9] = lun;
	put_be32(bhs + 20, edtl);
	put_be32(bhs + 24, cmdsn);
	memcpy(bhs + 32, cdb, 16);
}

uint32_t raw_kv(char *out, size_t cap, const char *pipe)
{
	size_t n = strlen(pipe);
	CHECK(n + 1 <= cap);
	memcpy(out, pipe, n + 1);
	for (size_t i = 0; i < n; i++)
		if (out[i] == '|')
			out[i] = '\0';
	return n ? (uint32_t)n + 1 : 0;
}

void raw_open_login(struct rawcli *rc, uint16_t port, const char *target, const char *extra)
{
	char text[2048];
	struct rawpdu p;
	raw_open(rc, port);
	uint32_t n = raw_kv(text, sizeof text, extra);
	CHECK_EQ(raw_login(rc, target, text, n, &p), 0);
	raw_pdu_free(&p);
}

void raw_expect(struct rawcli *rc, struct rawpdu *p, uint8_t op)
{
	int r = raw_recv(rc, p, 0);
	if (r != 0 || (p->bhs[0] & 0x3f) != op) {
		fprintf(stderr, "expected opcode 0x%02x, got rc=%d opcode 0x%02x\n", op, r,
			p->bhs[0] & 0x3f);
		exit(1);
	}
}

void raw_sync_nop(struct rawcli *rc)
{
	uint8_t bhs[48];
	struct rawpdu p;
	raw_bhs(bhs, 0x40, 0x80, 0xabc0);
	put_be32(bhs + 20, 0xffffffff);
	put_be32(bhs + 24, rc->cmdsn);
	CHECK_EQ(raw_send(rc, bhs, NULL, 0), 0);
	raw_expect(rc, &p, 0x20);
	CHECK_EQ(get_be32(p.bhs + 16), 0xabc0);
	raw_pdu_free(&p);
}
