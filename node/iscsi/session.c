/* session.c - sessions as the server sees them: TSIH assignment and reinstatement.
 *
 * MaxConnections is 1, so a session is its one connection; the registry is the server's
 * live list filtered on `registered`, under srv->lock.
 *
 * Session reinstatement (RFC 7143 6.3.5): a leading login (TSIH 0) whose InitiatorName,
 * ISID and TargetName match a registered session closes that session's connection, and
 * waits until its thread has finished (its tasks terminated) before the new session
 * enters Full Feature Phase. A login with a non-zero TSIH names an existing session:
 * with one connection per session the only acceptable case is connection reinstatement
 * (same CID), handled the same way while keeping the TSIH. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/log.h"
#include "node/iscsi/iscsi_int.h"

static bool sess__same_nexus(const struct iscsi_conn *o, const struct iscsi_neg *n,
			     const uint8_t isid[6])
{
	return memcmp(o->nexus.isid, isid, 6) == 0 && strcmp(o->nexus.initiator, n->initiator) == 0 &&
	       strcmp(o->target, n->type == ISCSI_SESSION_DISCOVERY ? "" : n->target) == 0;
}

static bool sess__live(struct iscsi_server *srv, uint64_t id)
{
	for (struct iscsi_conn *o = srv->live; o; o = o->next)
		if (o->id == id)
			return true;
	return false;
}

static bool sess__tsih_used(struct iscsi_server *srv, uint16_t tsih)
{
	for (struct iscsi_conn *o = srv->live; o; o = o->next)
		if (o->registered && o->tsih == tsih)
			return true;
	return false;
}

/* Closes `old`'s connection and waits for its thread to finish. Called and returns with
 * srv->lock held (released while waiting). */
static int sess__kick_wait(struct iscsi_conn *c, struct iscsi_conn *old)
{
	struct iscsi_server *srv = c->srv;
	uint64_t id = old->id;
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ISCSI_REINSTATE_WAIT_MS / 1000;

	vtl_log_ratelimited(LOG_INFO, "ISCSI_REINSTATE", "initiator=%s target=%s "
			    "isid=%02x%02x%02x%02x%02x%02x old_tsih=%u peer=%s", old->nexus.initiator,
			    old->target[0] ? old->target : "-", old->nexus.isid[0], old->nexus.isid[1],
			    old->nexus.isid[2], old->nexus.isid[3], old->nexus.isid[4],
			    old->nexus.isid[5], old->tsih, c->peer);
	old->kicked = true;
	shutdown(old->fd, SHUT_RDWR);
	srv->stats.reinstatements++;
	while (sess__live(srv, id) && !srv->stopping) {
		if (pthread_cond_timedwait(&srv->cond, &srv->lock, &deadline) == ETIMEDOUT)
			return -ETIMEDOUT;
	}
	return srv->stopping ? -ESHUTDOWN : 0;
}

static struct iscsi_conn *sess__find(struct iscsi_conn *c, const struct iscsi_neg *n,
				     const uint8_t isid[6], uint16_t tsih)
{
	for (struct iscsi_conn *o = c->srv->live; o; o = o->next) {
		if (o == c || !o->registered || o->kicked)
			continue;
		if (tsih ? o->tsih == tsih : sess__same_nexus(o, n, isid))
			return o;
	}
	return NULL;
}

static int sess__check_tsih(struct iscsi_conn *c, const struct iscsi_neg *n,
			    const uint8_t isid[6], uint16_t tsih, uint16_t cid,
			    struct iscsi_conn **old)
{
	*old = sess__find(c, n, isid, tsih);
	if (!*old || !sess__same_nexus(*old, n, isid))
		return ISCSI_LOGIN_NO_SESSION;
	if ((*old)->cid != cid)
		return ISCSI_LOGIN_TOO_MANY_CONNECTIONS;   /* MaxConnections=1 */
	return ISCSI_LOGIN_OK;
}

int iscsi__session_enter(struct iscsi_conn *c, const struct iscsi_neg *n, uint16_t tsih_req,
			 const uint8_t isid[6], uint16_t cid)
{
	struct iscsi_server *srv = c->srv;
	int status = ISCSI_LOGIN_OK;
	uint16_t tsih = 0;

	pthread_mutex_lock(&srv->lock);
	if (tsih_req) {
		struct iscsi_conn *old = NULL;
		status = sess__check_tsih(c, n, isid, tsih_req, cid, &old);
		if (status == ISCSI_LOGIN_OK && sess__kick_wait(c, old) < 0)
			status = ISCSI_LOGIN_UNAVAILABLE;
		tsih = tsih_req;
	}
	for (struct iscsi_conn *old; status == ISCSI_LOGIN_OK && (old = sess__find(c, n, isid, 0));) {
		if (sess__kick_wait(c, old) < 0)
			status = ISCSI_LOGIN_UNAVAILABLE;
	}
	if (status == ISCSI_LOGIN_OK && srv->stopping)
		status = ISCSI_LOGIN_UNAVAILABLE;
	while (status == ISCSI_LOGIN_OK && !tsih) {
		uint16_t t = srv->next_tsih++;
		if (t && !sess__tsih_used(srv, t))
			tsih = t;
	}
	if (status == ISCSI_LOGIN_OK) {
		memset(&c->nexus, 0, sizeof c->nexus);
		memcpy(c->nexus.initiator, n->initiator, sizeof c->nexus.initiator);
		memcpy(c->nexus.isid, isid, 6);
		c->nexus.tpgt = srv->cfg.tpgt;
		snprintf(c->target, sizeof c->target, "%s",
			 n->type == ISCSI_SESSION_DISCOVERY ? "" : n->target);
		c->type = n->type;
		c->tsih = tsih;
		c->cid = cid;
		c->registered = true;
		srv->stats.sessions++;
		srv->stats.logins++;
	}
	pthread_mutex_unlock(&srv->lock);
	return status;
}

void iscsi__session_leave(struct iscsi_conn *c)
{
	bool lost = false;
	pthread_mutex_lock(&c->srv->lock);
	if (c->registered) {
		c->registered = false;
		c->srv->stats.sessions--;
		lost = c->type == ISCSI_SESSION_NORMAL;
	}
	pthread_mutex_unlock(&c->srv->lock);
	/* one connection per session (MaxConnections=1): the session's end is the nexus's */
	if (lost && c->srv->be.nexus_lost)
		c->srv->be.nexus_lost(c->srv->be.arg, c->target, &c->nexus);
}
