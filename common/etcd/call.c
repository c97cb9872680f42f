/* call.c - the one request path: POST a JSON body to the first endpoint that answers,
 * retry with bounded backoff, authenticate, translate etcd's errors once.
 *
 * Worst case a call takes (retries + 1) * endpoints * timeout_ms + the backoffs; every
 * wait is bounded by a curl timeout because a member without quorum accepts the TCP
 * connection and then hangs (shared/notes/etcd-v3-json.md section 1). */
#include "common/etcd/etcd_int.h"

#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct etcd__reply {
	char *p;
	size_t n;
	bool over;
};

static size_t etcd__collect(char *d, size_t sz, size_t nm, void *u)
{
	struct etcd__reply *r = u;
	size_t n = sz * nm;
	if (n > ETCD__MAX_REPLY - r->n) {
		r->over = true;
		return 0;                  /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	char *p = realloc(r->p, r->n + n + 1);
	if (!p)
		return 0;
	memcpy(p + r->n, d, n);
	r->p = p;
	r->n += n;
	r->p[r->n] = 0;
	return n;
}

/* One POST to one endpoint; caller holds c->lock. 0 means an HTTP answer arrived. */
static int etcd__post_once(struct etcd *c, const char *ep, const char *path, const char *body,
			   long *http, struct etcd__reply *r)
{
	char url[600];
	struct curl_slist *hdrs = NULL;
	snprintf(url, sizeof url, "%s%s", ep, path);
	curl_easy_reset(c->curl);
	int rc = etcd__prepare(c, c->curl, &hdrs);
	if (!rc) {
		curl_easy_setopt(c->curl, CURLOPT_URL, url);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, etcd__collect);
		curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, r);
		curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)c->cfg.timeout_ms);
		rc = etcd__curl_errno(c->curl, curl_easy_perform(c->curl), r->over);
	}
	*http = 0;
	if (!rc)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, http);
	curl_slist_free_all(hdrs);
	return rc;
}

static void etcd__sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Every endpoint, (retries + 1) passes. A non-transport failure (an HTTP answer, a
 * reply too big, garbage) ends the search: that endpoint is alive. */
static int etcd__send_any(struct etcd *c, const char *path, const char *body, long *http,
			  struct etcd__reply *r)
{
	int rc = -EIO, backoff = c->cfg.backoff_ms;
	for (int pass = 0; pass <= c->cfg.retries; pass++) {
		if (pass > 0) {
			etcd__sleep_ms(backoff);
			backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
		}
		for (size_t i = 0; i < c->n_ep; i++) {
			size_t idx = (c->cur + i) % c->n_ep;
			free(r->p);
			*r = (struct etcd__reply){0};
			rc = etcd__post_once(c, c->ep[idx], path, body, http, r);
			if (!etcd__unreachable(rc)) {
				c->cur = idx;
				return rc;
			}
			vtl_log_ratelimited(LOG_WARN, "ETCD_UNREACHABLE", "endpoint=%s path=%s err=%s",
					    c->ep[idx], path, strerror(-rc));
			etcd__set_err(c, "etcd unreachable: %s at %s%s", strerror(-rc),
				      c->ep[idx], c->n_ep > 1 ? " (all endpoints failed)" : "");
		}
	}
	return rc;
}

/* gRPC status codes (grpc/codes) as the gateway reports them in "code". */
static int etcd__grpc_errno(int64_t code)
{
	switch (code) {
	case 3:  return -EINVAL;      /* InvalidArgument */
	case 4:  return -ETIMEDOUT;   /* DeadlineExceeded */
	case 5:  return -ENOENT;      /* NotFound: lease */
	case 7:  return -EPERM;       /* PermissionDenied */
	case 8:  return -ENOSPC;      /* ResourceExhausted: space quota */
	case 9:  return -EINVAL;      /* FailedPrecondition */
	case 11: return -ERANGE;      /* OutOfRange: compacted or future revision */
	case 14: return -EAGAIN;      /* Unavailable */
	case 16: return -EACCES;      /* Unauthenticated: invalid token */
	default: return -EIO;
	}
}

/* The reply body is hostile: it must be one JSON object; an error needs a code. */
static int etcd__decode(struct etcd *c, const char *path, long http, struct etcd__reply *r,
			json_t **resp)
{
	const char *ep = c->ep[c->cur];
	json_t *j = r->p ? json_loadb(r->p, r->n, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		vtl_log_ratelimited(LOG_WARN, "ETCD_BAD_REPLY", "endpoint=%s path=%s http=%ld bytes=%zu",
				    ep, path, http, r->n);
		etcd__set_err(c, "malformed reply from %s%s (HTTP %ld)", ep, path, http);
		return -EBADMSG;
	}
	if (http == 200) {
		*resp = j;
		return 0;
	}
	int64_t code = 0;
	const char *msg = json_string_value(json_object_get(j, "message"));
	int rc = etcd__int(j, "code", &code) || !code ? -EBADMSG : etcd__grpc_errno(code);
	if (rc == -EBADMSG || !msg)
		msg = "(no message)";
	vtl_log_ratelimited(LOG_WARN, "ETCD_ERROR", "endpoint=%s path=%s http=%ld code=%lld msg=\"%.160s\"",
			    ep, path, http, (long long)code, msg);
	etcd__set_err(c, "etcd %s%s: %.160s", ep, path, msg);
	json_decref(j);
	return rc;
}

static int etcd__call_locked(struct etcd *c, const char *path, const char *body, json_t **resp)
{
	struct etcd__reply r = {0};
	long http = 0;
	int rc = etcd__send_any(c, path, body, &http, &r);
	if (!rc)
		rc = etcd__decode(c, path, http, &r, resp);
	else if (rc == -EMSGSIZE)
		etcd__set_err(c, "reply from %s%s exceeds %u bytes", c->ep[c->cur], path,
			      ETCD__MAX_REPLY);
	else if (!etcd__unreachable(rc))
		etcd__set_err(c, "bad reply from %s%s: %s", c->ep[c->cur], path, strerror(-rc));
	free(r.p);
	return rc;
}

/* Caller holds c->lock. The token request itself carries no Authorization header. */
static int etcd__auth_locked(struct etcd *c, bool force)
{
	if (!c->cfg.username || (c->token && !force))
		return 0;
	free(c->token);
	c->token = NULL;
	json_t *req = json_pack("{s:s,s:s}", "name", c->cfg.username, "password", c->cfg.password);
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	json_t *resp = NULL;
	int rc = body ? etcd__call_locked(c, "/v3/auth/authenticate", body, &resp) : -ENOMEM;
	const char *tok = json_string_value(json_object_get(resp, "token"));
	if (!rc && (!tok || !*tok || strlen(tok) > 512 || strpbrk(tok, "\r\n")))
		rc = -EBADMSG;
	if (!rc)
		c->token = strdup(tok);
	if (!rc && !c->token)
		rc = -ENOMEM;
	if (rc)
		vtl_log_ratelimited(LOG_WARN, "ETCD_AUTH_FAILED", "user=%s rc=%d", c->cfg.username, rc);
	json_decref(resp);
	free(body);
	return rc;
}

int etcd__authenticate(struct etcd *c, bool force)
{
	pthread_mutex_lock(&c->lock);
	int rc = etcd__auth_locked(c, force);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int etcd__call(struct etcd *c, const char *path, json_t *req, json_t **resp)
{
	*resp = NULL;
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	int rc = etcd__auth_locked(c, false);
	if (!rc)
		rc = etcd__call_locked(c, path, body, resp);
	/* A simple token expires (--auth-token-ttl) or dies with a leader change: once. */
	if (rc == -EACCES && c->token) {
		rc = etcd__auth_locked(c, true);
		if (!rc)
			rc = etcd__call_locked(c, path, body, resp);
	}
	pthread_mutex_unlock(&c->lock);
	free(body);
	return rc;
}
