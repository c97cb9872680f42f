/* watch.c - a prefix watch over the gateway's streaming POST /v3/watch
 * (shared/notes/etcd-v3-json.md section 6).
 *
 * The watch thread owns everything in struct etcd_watch except `stop` (atomic, set by
 * etcd_watch_stop, which then wakes the thread with curl_multi_wakeup). The stream is
 * newline-delimited JSON, one {"result":{...}} per line, in chunks of arbitrary size: the
 * write callback buffers up to ETCD__MAX_REPLY bytes until '\n', then parses the line.
 *
 *   CONNECT --created--> STREAMING --events--> deliver, next_rev = mod_revision + 1
 *   any --stream ends / error line / bad line--> backoff (100 ms .. 2 s), next endpoint,
 *        CONNECT again with start_revision = next_rev (nothing lost, nothing repeated)
 *   any --canceled with compact_revision, or a line over the limit--> RESYNC: read the
 *        current revision R, call cb(RESYNC), CONNECT from R + 1
 *
 * A server that stops answering without closing (SIGSTOP, no quorum) is not detected
 * here: TCP keepalive is on, and the owner's lease keeper notices such an outage. */
#include "common/etcd/etcd_int.h"

#include "common/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum etcd__end { ETCD__RUN, ETCD__RECONNECT, ETCD__RESYNC, ETCD__STOP };

struct etcd_watch {
	struct etcd *c;              /* private clone */
	uint8_t *prefix;
	size_t prefix_len;
	etcd_watch_fn cb;
	void *arg;
	pthread_t thread;
	CURLM *multi;
	atomic_bool stop;

	int64_t next_rev;            /* resume point; 0 = "now" until created says */
	int64_t compact_rev;         /* from the cancel that asked for RESYNC */
	size_t ep_idx;
	bool progressed;             /* this connection got "created": reset backoff */
	bool reauth;
	enum etcd__end end;
	char *buf;                   /* bytes of the current, unterminated line */
	size_t len;
};

static int etcd__watch_event(struct etcd_watch *w, json_t *ev, int64_t floor)
{
	json_t *type = json_object_get(ev, "type");
	const char *t = type ? json_string_value(type) : "PUT";   /* PUT = 0 is omitted */
	struct etcd_kv kv;
	if (!t || (strcmp(t, "PUT") && strcmp(t, "DELETE")))
		return -EBADMSG;
	int rc = etcd__parse_kv(json_object_get(ev, "kv"), &kv);
	if (rc)
		return rc;
	if (kv.mod_revision <= 0)
		rc = -EBADMSG;
	else if (kv.mod_revision >= floor) {   /* older: delivered before a reconnect */
		bool put = !strcmp(t, "PUT");
		struct etcd_event e = {
			.type = put ? ETCD_EV_PUT : ETCD_EV_DELETE,
			.key = kv.key, .key_len = kv.key_len,
			.value = put ? kv.value : NULL, .value_len = put ? kv.value_len : 0,
			.mod_revision = kv.mod_revision,
		};
		w->cb(w->arg, &e);
		w->next_rev = kv.mod_revision + 1;
	}
	etcd__kv_fini(&kv);
	return rc;
}

static enum etcd__end etcd__watch_result(struct etcd_watch *w, json_t *res)
{
	int64_t rev = 0;
	if (json_is_true(json_object_get(res, "canceled"))) {
		if (etcd__int(res, "compact_revision", &w->compact_rev) || w->compact_rev <= 0)
			return ETCD__RECONNECT;
		return ETCD__RESYNC;
	}
	if (json_is_true(json_object_get(res, "created"))) {
		if (etcd__header_revision(res, &rev))
			return ETCD__RECONNECT;
		if (w->next_rev == 0)
			w->next_rev = rev + 1;
		w->progressed = true;
		return ETCD__RUN;
	}
	json_t *evs = json_object_get(res, "events"), *ev;
	size_t i;
	/* the events of one txn share a revision and one message: compare each with the
	 * resume point as it was before this message */
	int64_t floor = w->next_rev;
	if (evs && !json_is_array(evs))
		return ETCD__RECONNECT;
	json_array_foreach(evs, i, ev) {
		if (etcd__watch_event(w, ev, floor))
			return ETCD__RECONNECT;
		if (atomic_load(&w->stop))
			return ETCD__STOP;
	}
	return ETCD__RUN;
}

static enum etcd__end etcd__watch_line(struct etcd_watch *w, const char *line, size_t n)
{
	json_t *m = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
	json_t *res = json_object_get(m, "result");
	enum etcd__end end;
	if (json_is_object(res)) {
		end = etcd__watch_result(w, res);
	} else {
		/* {"error":{"grpc_code":14,...}} at server shutdown, {"error":..,"code":16} for a
		 * stale token, or garbage */
		json_t *e = json_object_get(m, "error");
		int64_t code = 0;
		if (etcd__int(m, "code", &code) == 0 && code == 16)
			w->reauth = true;
		if (json_is_object(e) && etcd__int(e, "grpc_code", &code) == 0 && code == 16)
			w->reauth = true;
		vtl_log_ratelimited(LOG_WARN, "ETCD_WATCH_STREAM_ERROR", "endpoint=%s line=\"%.120s\"",
				    w->c->ep[w->ep_idx % w->c->n_ep], line);
		end = ETCD__RECONNECT;
	}
	if (end == ETCD__RECONNECT && json_is_object(res))
		vtl_log_ratelimited(LOG_WARN, "ETCD_WATCH_BAD_MESSAGE", "endpoint=%s line=\"%.120s\"",
				    w->c->ep[w->ep_idx % w->c->n_ep], line);
	json_decref(m);
	return end;
}

static size_t etcd__watch_data(char *d, size_t sz, size_t nm, void *u)
{
	struct etcd_watch *w = u;
	size_t n = sz * nm;
	if (atomic_load(&w->stop)) {
		w->end = ETCD__STOP;
		return 0;
	}
	if (n > ETCD__MAX_REPLY - w->len) {
		/* a replayed batch too big to hold: re-read the state instead */
		vtl_log_ratelimited(LOG_WARN, "ETCD_WATCH_OVERSIZE", "endpoint=%s bytes=%zu",
				    w->c->ep[w->ep_idx % w->c->n_ep], w->len + n);
		w->compact_rev = w->next_rev > 0 ? w->next_rev - 1 : 0;
		w->end = ETCD__RESYNC;
		return 0;
	}
	char *p = realloc(w->buf, w->len + n + 1);
	if (!p)
		return 0;
	w->buf = p;
	memcpy(w->buf + w->len, d, n);
	w->len += n;
	char *nl;
	while ((nl = memchr(w->buf, '\n', w->len))) {
		size_t line = (size_t)(nl - w->buf);
		*nl = 0;                 /* lines are logged as strings */
		enum etcd__end end = line ? etcd__watch_line(w, w->buf, line) : ETCD__RUN;
		w->len -= line + 1;
		memmove(w->buf, nl + 1, w->len);
		if (end != ETCD__RUN) {
			w->end = end;
			return 0;        /* aborting is how a watch stream is closed */
		}
	}
	return n;
}

static json_t *etcd__watch_request(struct etcd_watch *w)
{
	json_t *cr = json_object();
	if (!cr || etcd__key_range(cr, w->prefix, w->prefix_len, true) ||
	    (w->next_rev > 0 && json_object_set_new(cr, "start_revision", etcd__i64(w->next_rev)))) {
		json_decref(cr);
		return NULL;
	}
	return json_pack("{so}", "create_request", cr);
}

/* Runs one connection until it ends; sets w->end to what should happen next. */
static void etcd__watch_stream(struct etcd_watch *w, CURL *h)
{
	char url[600], *body = NULL;
	struct curl_slist *hdrs = NULL;
	json_t *req = etcd__watch_request(w);
	w->end = ETCD__RECONNECT;
	w->len = 0;
	w->progressed = false;
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	pthread_mutex_lock(&w->c->lock);
	int rc = body ? etcd__prepare(w->c, h, &hdrs) : -ENOMEM;
	pthread_mutex_unlock(&w->c->lock);
	if (rc)
		goto out;
	snprintf(url, sizeof url, "%s/v3/watch", w->c->ep[w->ep_idx % w->c->n_ep]);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, etcd__watch_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, w);
	/* no CURLOPT_TIMEOUT: it would bound the whole, endless, transfer */
	w->end = ETCD__RUN;
	curl_multi_add_handle(w->multi, h);
	int running = 1;
	while (running && !atomic_load(&w->stop)) {
		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	int left;
	CURLMsg *msg = curl_multi_info_read(w->multi, &left);
	CURLcode cc = msg && msg->msg == CURLMSG_DONE ? msg->data.result : CURLE_OK;
	curl_multi_remove_handle(w->multi, h);
	if (w->end == ETCD__RUN && cc == CURLE_OK && w->len > 0) {
		w->buf[w->len] = 0;      /* realloc kept room for it */
		w->end = etcd__watch_line(w, w->buf, w->len);   /* last line, no '\n' */
	}
	if (w->end == ETCD__RUN) {
		rc = etcd__curl_errno(h, cc, false);
		vtl_log_ratelimited(LOG_WARN, "ETCD_WATCH_DROPPED", "endpoint=%s err=%s next_rev=%lld",
				    w->c->ep[w->ep_idx % w->c->n_ep], rc ? strerror(-rc) : "closed",
				    (long long)w->next_rev);
		w->end = ETCD__RECONNECT;
	}
out:
	if (atomic_load(&w->stop))
		w->end = ETCD__STOP;
	curl_slist_free_all(hdrs);
	free(body);
}

/* The current revision R via a count-only range of the prefix: the owner re-reads at
 * or after R, and the watch continues from R + 1. */
static int etcd__watch_resync(struct etcd_watch *w)
{
	json_t *req = json_pack("{sb}", "count_only", 1), *resp = NULL;
	int64_t rev = 0;
	int rc = req ? etcd__key_range(req, w->prefix, w->prefix_len, true) : -ENOMEM;
	if (rc) {
		json_decref(req);
		return rc;
	}
	rc = etcd__call(w->c, "/v3/kv/range", req, &resp);
	if (!rc)
		rc = etcd__header_revision(resp, &rev);
	json_decref(resp);
	if (rc)
		return rc;
	vtl_log_ratelimited(LOG_WARN, "ETCD_WATCH_RESYNC", "compact_revision=%lld resume=%lld",
			    (long long)w->compact_rev, (long long)rev + 1);
	struct etcd_event e = {.type = ETCD_EV_RESYNC, .mod_revision = w->compact_rev};
	w->cb(w->arg, &e);
	w->next_rev = rev + 1;
	return 0;
}

static void *etcd__watch_main(void *arg)
{
	struct etcd_watch *w = arg;
	CURL *h = curl_easy_init();
	int backoff = 100;
	bool resync = false;
	while (h && !atomic_load(&w->stop)) {
		int rc = etcd__authenticate(w->c, w->reauth);
		if (!rc && resync)
			rc = etcd__watch_resync(w);
		if (!rc) {
			w->reauth = false;
			resync = false;
			curl_easy_reset(h);
			etcd__watch_stream(w, h);
			if (w->end == ETCD__STOP)
				break;
			if (w->end == ETCD__RESYNC) {
				resync = true;
				backoff = 100;
				continue;               /* re-read at once */
			}
			if (w->progressed)
				backoff = 100;
		}
		w->ep_idx++;
		curl_multi_poll(w->multi, NULL, 0, backoff, NULL);   /* woken by stop */
		backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
	}
	if (h)
		curl_easy_cleanup(h);
	return NULL;
}

int etcd_watch_start(struct etcd *c, const void *prefix, size_t prefix_len,
		     int64_t start_revision, etcd_watch_fn cb, void *arg, struct etcd_watch **out)
{
	*out = NULL;
	if (!cb || start_revision < 0)
		return -EINVAL;
	struct etcd_watch *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->arg = arg;
	w->next_rev = start_revision;
	atomic_init(&w->stop, false);
	w->prefix_len = prefix_len;
	w->prefix = malloc(prefix_len + 1);
	int rc = w->prefix ? 0 : -ENOMEM;
	if (!rc) {
		memcpy(w->prefix, prefix, prefix_len);
		rc = etcd__clone(c, &w->c);
	}
	if (!rc) {
		w->multi = curl_multi_init();
		rc = w->multi ? 0 : -ENOMEM;
	}
	if (!rc)
		rc = -pthread_create(&w->thread, NULL, etcd__watch_main, w);
	if (rc) {
		if (w->multi)
			curl_multi_cleanup(w->multi);
		etcd_close(w->c);
		free(w->prefix);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void etcd_watch_stop(struct etcd_watch *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, true);
	curl_multi_wakeup(w->multi);
	pthread_join(w->thread, NULL);
	curl_multi_cleanup(w->multi);
	etcd_close(w->c);
	free(w->buf);
	free(w->prefix);
	free(w);
}
