/* client.c - the client object: configuration, endpoints, curl handle set-up, error text. */
#include "common/etcd/etcd_int.h"

#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t etcd__curl_once = PTHREAD_ONCE_INIT;

static void etcd__curl_global(void)
{
	/* curl_global_init is not thread-safe; once per process, never cleaned up. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int etcd__dup(const char *s, const char **out)
{
	*out = NULL;
	if (!s || !*s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int etcd__split_endpoints(struct etcd *c, const char *list)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		while (n > 0 && p[n - 1] == '/')
			n--;
		if (n > 0) {
			if (c->n_ep == ETCD__MAX_ENDPOINTS || n > 512)
				return -EINVAL;
			if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8))
				return -EINVAL;
			c->ep[c->n_ep] = strndup(p, n);
			if (!c->ep[c->n_ep])
				return -ENOMEM;
			c->n_ep++;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return c->n_ep ? 0 : -EINVAL;
}

static int etcd__copy_cfg(struct etcd *c, const struct etcd_config *cfg)
{
	c->cfg.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 2000;
	c->cfg.retries = cfg->retries < 0 ? 0 : cfg->retries > 10 ? 10 : cfg->retries;
	c->cfg.backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : 100;
	if (c->cfg.backoff_ms > 2000)
		c->cfg.backoff_ms = 2000;
	int rc = etcd__dup(cfg->endpoints, &c->cfg.endpoints);
	if (!rc)
		rc = etcd__dup(cfg->username, &c->cfg.username);
	if (!rc)
		rc = etcd__dup(cfg->password, &c->cfg.password);
	if (!rc)
		rc = etcd__dup(cfg->ca_file, &c->cfg.ca_file);
	if (!rc)
		rc = etcd__dup(cfg->cert_file, &c->cfg.cert_file);
	if (!rc)
		rc = etcd__dup(cfg->key_file, &c->cfg.key_file);
	if (!rc && !c->cfg.endpoints)
		rc = -EINVAL;
	if (!rc && !!c->cfg.username != !!c->cfg.password)
		rc = -EINVAL;
	return rc;
}

int etcd_open(const struct etcd_config *cfg, struct etcd **out)
{
	*out = NULL;
	if (!cfg)
		return -EINVAL;
	pthread_once(&etcd__curl_once, etcd__curl_global);
	struct etcd *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	int rc = etcd__copy_cfg(c, cfg);
	if (!rc)
		rc = etcd__split_endpoints(c, c->cfg.endpoints);
	if (!rc) {
		c->curl = curl_easy_init();
		rc = c->curl ? 0 : -ENOMEM;
	}
	if (rc) {
		vtl_log(LOG_ERROR, "ETCD_CONFIG_BAD", "endpoints=%s rc=%d",
			cfg->endpoints ? cfg->endpoints : "-", rc);
		etcd_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void etcd_close(struct etcd *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	for (size_t i = 0; i < c->n_ep; i++)
		free(c->ep[i]);
	free(c->token);
	free((char *)c->cfg.endpoints);
	free((char *)c->cfg.username);
	free((char *)c->cfg.password);
	free((char *)c->cfg.ca_file);
	free((char *)c->cfg.cert_file);
	free((char *)c->cfg.key_file);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int etcd__clone(struct etcd *c, struct etcd **out)
{
	return etcd_open(&c->cfg, out);
}

const char *etcd_last_error(struct etcd *c)
{
	static _Thread_local char copy[sizeof c->err];
	pthread_mutex_lock(&c->lock);
	memcpy(copy, c->err, sizeof copy);
	pthread_mutex_unlock(&c->lock);
	return copy;
}

void etcd__set_err(struct etcd *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

/* Shared by the unary path and the watch stream. The token header is taken under
 * c->lock because the unary path may replace the token concurrently. */
int etcd__prepare(struct etcd *c, CURL *h, struct curl_slist **hdrs)
{
	*hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (!*hdrs)
		return -ENOMEM;
	if (c->token) {
		char line[600];
		snprintf(line, sizeof line, "Authorization: %s", c->token);
		struct curl_slist *n = curl_slist_append(*hdrs, line);
		if (!n)
			return -ENOMEM;
		*hdrs = n;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	if (c->cfg.ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_file);
	if (c->cfg.cert_file)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cfg.cert_file);
	if (c->cfg.key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->cfg.key_file);
	return 0;
}

int etcd__curl_errno(CURL *h, CURLcode rc, bool over_limit)
{
	long os = 0;
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os);
		return os == EHOSTUNREACH || os == ENETUNREACH ? -EHOSTUNREACH : -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_WRITE_ERROR:
		return over_limit ? -EMSGSIZE : -EIO;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_HTTP2:
	case CURLE_BAD_CONTENT_ENCODING:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

bool etcd__unreachable(int err)
{
	return err == -ECONNREFUSED || err == -ETIMEDOUT || err == -EHOSTUNREACH ||
	       err == -ECONNRESET;
}
