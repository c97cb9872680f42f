/* server.c - the portal: listening socket, accept thread, connection threads, and the
 * stop/drain/join sequence. Concurrency story in iscsi_int.h.
 *
 * Connection thread lifetime: created by the accept thread; at its end the thread moves
 * its connection from the live list to the zombie list (conn.c). Zombies are joined and
 * freed by the accept thread before each new connection, and by iscsi_server_stop(). */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "node/iscsi/iscsi_int.h"

static uint32_t srv__clamp(uint32_t v, uint32_t dflt, uint32_t lo, uint32_t hi)
{
	if (v == 0)
		v = dflt;
	return v < lo ? lo : v > hi ? hi : v;
}

int iscsi__server_init(const struct iscsi_config *cfg, const struct iscsi_backend *be,
		       struct iscsi_server **out)
{
	if (!cfg || !be || !be->exec || !be->target_exists || !be->target_list || !out)
		return -EINVAL;
	struct iscsi_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return -ENOMEM;
	srv->cfg = *cfg;
	if (cfg->portal)
		snprintf(srv->portal_buf, sizeof srv->portal_buf, "%s", cfg->portal);
	srv->cfg.portal = srv->portal_buf;
	/* limits: RFC 7143 13.12-13.14 ranges; FirstBurstLength <= MaxBurstLength */
	srv->cfg.max_recv_data_segment_length =
		srv__clamp(cfg->max_recv_data_segment_length, ISCSI_DEFAULT_MRDSL, 512, 16777215);
	srv->cfg.max_burst_length =
		srv__clamp(cfg->max_burst_length, ISCSI_DEFAULT_MAX_BURST, 512, 16777215);
	srv->cfg.first_burst_length = srv__clamp(cfg->first_burst_length, ISCSI_DEFAULT_FIRST_BURST,
						 512, srv->cfg.max_burst_length);
	srv->cfg.max_connections =
		srv__clamp(cfg->max_connections, ISCSI_DEFAULT_MAX_CONN, 1, 65535);
	srv->be = *be;
	srv->lfd = -1;
	srv->next_tsih = 1;
	srv->nop_idle_ms = ISCSI_DEFAULT_NOP_IDLE_MS;
	srv->nop_timeout_ms = ISCSI_DEFAULT_NOP_TIMEOUT_MS;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->cond, NULL);
	*out = srv;
	return 0;
}

static void srv__reap(struct iscsi_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	struct iscsi_conn *z = srv->zombies;
	srv->zombies = NULL;
	pthread_mutex_unlock(&srv->lock);
	while (z) {
		struct iscsi_conn *next = z->next;
		if (z->has_thread)
			pthread_join(z->thread, NULL);
		iscsi__conn_free(z);
		z = next;
	}
}

void iscsi__server_fini(struct iscsi_server *srv)
{
	if (!srv)
		return;
	srv__reap(srv);
	if (srv->lfd >= 0)
		close(srv->lfd);
	pthread_cond_destroy(&srv->cond);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

void iscsi__stat_add(struct iscsi_server *srv, uint64_t *counter)
{
	pthread_mutex_lock(&srv->lock);
	(*counter)++;
	pthread_mutex_unlock(&srv->lock);
}

/* "host:port", "[v6]:port", ":port" or "*:port" */
static int srv__listen(struct iscsi_server *srv)
{
	char host[128];
	snprintf(host, sizeof host, "%s", srv->portal_buf);
	char *colon = strrchr(host, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	const char *port = colon + 1, *h = host;
	if (h[0] == '[') {
		h++;
		char *rb = strchr(host, ']');
		if (!rb)
			return -EINVAL;
		*rb = '\0';
	}
	if (!*h || strcmp(h, "*") == 0)
		h = NULL;

	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	if (getaddrinfo(h, port, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	int rc = -EADDRNOTAVAIL;
	for (struct addrinfo *a = ai; a && srv->lfd < 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		int one = 1;
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0) {
			srv->lfd = fd;
			rc = 0;
		} else {
			rc = -errno;
			close(fd);
		}
	}
	freeaddrinfo(ai);
	if (rc < 0)
		return rc;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(srv->lfd, (struct sockaddr *)&ss, &sl);
	char sport[16];
	getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, sport, sizeof sport, NI_NUMERICSERV);
	srv->port = (uint16_t)atoi(sport);
	return 0;
}

static void *srv__conn_main(void *arg)
{
	struct iscsi_conn *c = arg;
	iscsi__conn_run(c);
	iscsi__conn_leave(c, true);
	return NULL;
}

static bool srv__stopping(struct iscsi_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	bool s = srv->stopping;
	pthread_mutex_unlock(&srv->lock);
	return s;
}

static void srv__spawn(struct iscsi_server *srv, int fd)
{
	struct iscsi_conn *c = iscsi__conn_new(srv, fd);
	if (!c) {
		close(fd);
		return;
	}
	c->has_thread = true;
	if (pthread_create(&c->thread, NULL, srv__conn_main, c) != 0) {
		vtl_log_ratelimited(LOG_ERROR, "ISCSI_THREAD_FAIL", "peer=%s", c->peer);
		c->has_thread = false;
		iscsi__conn_leave(c, false);
		iscsi__conn_free(c);
	}
}

static void *srv__accept_main(void *arg)
{
	struct iscsi_server *srv = arg;
	for (;;) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			int err = errno;
			if (srv__stopping(srv))
				break;
			if (err != EINTR && err != ECONNABORTED) {
				/* out of descriptors or memory: back off rather than spin */
				vtl_log_ratelimited(LOG_WARN, "ISCSI_ACCEPT_FAIL", "portal=%s err=%s",
						    srv->portal_buf, strerror(err));
				usleep(100 * 1000);
			}
			continue;
		}
		srv__reap(srv);
		srv__spawn(srv, fd);
	}
	return NULL;
}

int iscsi_server_start(const struct iscsi_config *cfg, const struct iscsi_backend *be,
		       struct iscsi_server **out)
{
	struct iscsi_server *srv = NULL;
	int rc = iscsi__server_init(cfg, be, &srv);
	if (rc == 0 && !cfg->portal)
		rc = -EINVAL;
	if (rc == 0)
		rc = srv__listen(srv);
	if (rc == 0 && pthread_create(&srv->acceptor, NULL, srv__accept_main, srv) != 0)
		rc = -EAGAIN;
	if (rc < 0) {
		vtl_log(LOG_ERROR, "ISCSI_LISTEN_FAIL", "portal=%s err=%s",
			cfg && cfg->portal ? cfg->portal : "-", strerror(-rc));
		iscsi__server_fini(srv);
		return rc;
	}
	srv->has_acceptor = true;
	vtl_log(LOG_INFO, "ISCSI_LISTEN", "portal=%s port=%u tpgt=%u mrdsl=%u max_burst=%u "
		"first_burst=%u max_connections=%u", srv->portal_buf, srv->port, srv->cfg.tpgt,
		srv->cfg.max_recv_data_segment_length, srv->cfg.max_burst_length,
		srv->cfg.first_burst_length, srv->cfg.max_connections);
	*out = srv;
	return 0;
}

uint16_t iscsi_server_port(const struct iscsi_server *srv)
{
	return srv ? srv->port : 0;
}

void iscsi_server_stop(struct iscsi_server *srv)
{
	if (!srv)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_mutex_unlock(&srv->lock);
	/* shutdown() wakes a thread blocked in accept() (it returns EINVAL) */
	if (srv->lfd >= 0)
		shutdown(srv->lfd, SHUT_RDWR);
	if (srv->has_acceptor)
		pthread_join(srv->acceptor, NULL);

	pthread_mutex_lock(&srv->lock);
	for (struct iscsi_conn *c = srv->live; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	while (srv->live)
		pthread_cond_wait(&srv->cond, &srv->lock);
	pthread_mutex_unlock(&srv->lock);

	vtl_log(LOG_INFO, "ISCSI_STOPPED", "portal=%s logins=%llu", srv->portal_buf,
		(unsigned long long)srv->stats.logins);
	iscsi__server_fini(srv);
}

void iscsi_server_stats(struct iscsi_server *srv, struct iscsi_stats *out)
{
	pthread_mutex_lock(&srv->lock);
	*out = srv->stats;
	pthread_mutex_unlock(&srv->lock);
}

void iscsi_server_set_nop_timing(struct iscsi_server *srv, unsigned idle_ms, unsigned timeout_ms)
{
	pthread_mutex_lock(&srv->lock);
	srv->nop_idle_ms = idle_ms ? idle_ms : ISCSI_DEFAULT_NOP_IDLE_MS;
	srv->nop_timeout_ms = timeout_ms ? timeout_ms : ISCSI_DEFAULT_NOP_TIMEOUT_MS;
	pthread_mutex_unlock(&srv->lock);
}
