/* conn.c - one connection's life: socket setup, login, Full Feature Phase, cleanup, and
 * leaving the server's live list. Runs in the connection's own thread (or, for tests and
 * fuzzing, in the caller's thread through iscsi__serve_fd). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "node/iscsi/iscsi_int.h"

static void conn__addr(const struct sockaddr_storage *ss, socklen_t sl, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "0";
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	int family = ss->ss_family;
	struct sockaddr_in s4;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* an IPv4 initiator on a dual-stack portal: report the IPv4 address */
		memset(&s4, 0, sizeof s4);
		s4.sin_family = AF_INET;
		s4.sin_port = s6->sin6_port;
		memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
		sa = (const struct sockaddr *)&s4;
		sl = sizeof s4;
		family = AF_INET;
	}
	getnameinfo(sa, sl, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
	if (family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", host, port);
	else
		snprintf(out, cap, "%s:%s", host, port);
}

static void conn__sockopts(struct iscsi_conn *c)
{
	int one = 1;
	unsigned tick = c->nop_idle_ms < c->nop_timeout_ms ? c->nop_idle_ms : c->nop_timeout_ms;
	tick = tick / 2 ? tick / 2 : 1;
	struct timeval rcv = {tick / 1000, (long)(tick % 1000) * 1000};
	unsigned snd_ms = c->nop_idle_ms + c->nop_timeout_ms;
	struct timeval snd = {snd_ms / 1000, (long)(snd_ms % 1000) * 1000};

	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* RCVTIMEO paces the idle checks; SNDTIMEO bounds a peer that stops reading */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		conn__addr(&ss, sl, c->peer, sizeof c->peer);
	else
		snprintf(c->peer, sizeof c->peer, "local");
	sl = sizeof ss;
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		conn__addr(&ss, sl, c->portal, sizeof c->portal);
	else
		snprintf(c->portal, sizeof c->portal, "0.0.0.0:3260");
}

struct iscsi_conn *iscsi__conn_new(struct iscsi_server *srv, int fd)
{
	struct iscsi_conn *c = calloc(1, sizeof *c);
	if (c && iscsi__buf_reserve(&c->scratch, ISCSI_LOGIN_DSL_MAX) < 0) {
		free(c);
		c = NULL;
	}
	pthread_mutex_lock(&srv->lock);
	bool refuse = !c || srv->stopping ||
		      srv->stats.live_connections >= srv->cfg.max_connections;
	if (refuse) {
		srv->stats.refused++;
	} else {
		c->srv = srv;
		c->fd = fd;
		c->id = ++srv->next_conn_id;
		c->nop_idle_ms = srv->nop_idle_ms;
		c->nop_timeout_ms = srv->nop_timeout_ms;
		c->next = srv->live;
		srv->live = c;
		srv->stats.connections++;
		srv->stats.live_connections++;
	}
	pthread_mutex_unlock(&srv->lock);
	if (refuse) {
		vtl_log_ratelimited(LOG_WARN, "ISCSI_CONN_REFUSED", "reason=%s max_connections=%u",
				    c ? "limit" : "no_memory", srv->cfg.max_connections);
		if (c)
			free(c->scratch.p);
		free(c);
		return NULL;
	}
	c->state = ISCSI_CONN_LOGIN;
	c->rx_max = ISCSI_LOGIN_DSL_MAX;
	c->text_in_ttt = ISCSI_TAG_RESERVED;
	c->text_out_ttt = ISCSI_TAG_RESERVED;
	iscsi__now(&c->last_rx);
	conn__sockopts(c);
	return c;
}

static void conn__log_end(struct iscsi_conn *c, int rc)
{
	pthread_mutex_lock(&c->srv->lock);
	bool kicked = c->kicked || c->srv->stopping;
	pthread_mutex_unlock(&c->srv->lock);
	const char *who = c->nexus.initiator[0] ? c->nexus.initiator : "-";
	if (rc == 0 || (kicked && rc == -ECONNRESET))
		return;   /* logout, or closed on purpose: logged where decided */
	if (rc == -ECONNRESET || rc == -EPIPE) {
		vtl_log_ratelimited(LOG_INFO, "ISCSI_CONN_CLOSED", "peer=%s initiator=%s target=%s "
				    "tsih=%u", c->peer, who, c->target[0] ? c->target : "-", c->tsih);
		return;
	}
	iscsi__stat_add(c->srv, &c->srv->stats.drops);
	vtl_log_ratelimited(LOG_WARN, "ISCSI_CONN_DROP", "peer=%s initiator=%s target=%s tsih=%u "
			    "reason=%s", c->peer, who, c->target[0] ? c->target : "-", c->tsih,
			    rc == -ETIMEDOUT || rc == -ETIME ? "timeout" : strerror(-rc));
}

/* We close after a final PDU (failed Login Response, Reject before a drop, Logout
 * Response). Closing with unread input makes TCP send a reset that can destroy that PDU
 * in flight, so half-close first and read (and drop) a bounded amount for a short while. */
static void conn__linger(struct iscsi_conn *c)
{
	uint32_t budget = 1u << 20;
	struct timespec t0;
	iscsi__now(&t0);
	shutdown(c->fd, SHUT_WR);
	while (budget && iscsi__ms_since(&t0) < 500) {
		struct pollfd pfd = {c->fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) < 0)
			break;
		ssize_t r = recv(c->fd, c->scratch.p, c->scratch.cap, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (r > 0)
			budget = (uint32_t)r < budget ? budget - (uint32_t)r : 0;
	}
}

void iscsi__conn_run(struct iscsi_conn *c)
{
	int rc = iscsi__login_run(c);
	if (rc == 0)
		rc = iscsi__ffp_run(c);
	if (rc == 0 || rc == -EPROTO)
		conn__linger(c);
	iscsi__tasks_fini(c);
	iscsi__text_fini(c);
	conn__log_end(c, rc);
	iscsi__session_leave(c);
}

void iscsi__conn_leave(struct iscsi_conn *c, bool to_zombies)
{
	struct iscsi_server *srv = c->srv;
	int fd = c->fd;
	pthread_mutex_lock(&srv->lock);
	for (struct iscsi_conn **pp = &srv->live; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	srv->stats.live_connections--;
	if (to_zombies) {
		c->next = srv->zombies;
		srv->zombies = c;
	}
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	/* off the live list: nobody will shutdown() this descriptor any more */
	close(fd);
}

void iscsi__conn_free(struct iscsi_conn *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->npool; i++)
		free(c->pool[i].p);
	free(c->din.p);
	free(c->scratch.p);
	free(c->text_in.p);
	free(c->text_out.p);
	free(c);
}

void iscsi__serve_fd(struct iscsi_server *srv, int fd)
{
	struct iscsi_conn *c = iscsi__conn_new(srv, fd);
	if (!c) {
		close(fd);
		return;
	}
	iscsi__conn_run(c);
	iscsi__conn_leave(c, false);
	iscsi__conn_free(c);
}
