/* etcd_int.h - what the files of common/etcd share: the client object, the one request
 * path (etcd__call) and the JSON/base64 codec. Not for use outside common/etcd.
 *
 * Concurrency: every field of struct etcd below `lock` is guarded by it; cfg, ep and n_ep
 * are immutable after etcd_open. */
#ifndef VTL_COMMON_ETCD_INT_H
#define VTL_COMMON_ETCD_INT_H

#include "common/etcd/etcd.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>

/* Largest reply body or watch line accepted. etcd refuses requests above 1.5 MiB, but a
 * range or a replayed watch batch may carry many such values. */
#define ETCD__MAX_REPLY (64u << 20)
#define ETCD__MAX_ENDPOINTS 16
#define ETCD__MAX_OPS 128          /* etcd's --max-txn-ops default */

struct etcd {
	struct etcd_config cfg;        /* every string owned (strdup) */
	char *ep[ETCD__MAX_ENDPOINTS]; /* base URLs without trailing '/' */
	size_t n_ep;

	pthread_mutex_t lock;
	CURL *curl;
	size_t cur;                    /* endpoint that answered last */
	char *token;                   /* auth token, NULL until authenticated */
	char err[256];
};

/* POSTs req (reference stolen) to path on the first endpoint that answers, with retries,
 * auth and error translation. On 0, *resp is the reply object (caller owns). */
int etcd__call(struct etcd *c, const char *path, json_t *req, json_t **resp);
/* A new client with the same configuration (for threads that need their own connection). */
int etcd__clone(struct etcd *c, struct etcd **out);
/* Applies the connect timeout, TLS files and the auth header to a handle; *hdrs receives
 * the header list the caller frees after the transfer. Caller holds c->lock (token). */
int etcd__prepare(struct etcd *c, CURL *h, struct curl_slist **hdrs);
/* Fetches a token if auth is configured and none is held (or force). */
int etcd__authenticate(struct etcd *c, bool force);
/* Translates a finished transfer's CURLcode to a negative errno (0 for CURLE_OK). */
int etcd__curl_errno(CURL *h, CURLcode rc, bool over_limit);
/* Records the last error text (printf-style) under c->lock, which the caller holds. */
__attribute__((format(printf, 2, 3)))
void etcd__set_err(struct etcd *c, const char *fmt, ...);
bool etcd__unreachable(int err);

/* codec.c */
json_t *etcd__b64(const void *p, size_t n);
int etcd__unb64(const char *s, uint8_t **out, size_t *len);
int etcd__int(json_t *obj, const char *name, int64_t *v);   /* absent = 0 */
json_t *etcd__i64(int64_t v);                               /* as a JSON string */
int etcd__key_range(json_t *req, const void *key, size_t len, bool prefix);
int etcd__parse_kv(json_t *obj, struct etcd_kv *kv);
void etcd__kv_fini(struct etcd_kv *kv);
int etcd__parse_kvs(json_t *obj, struct etcd_kvs *out);
int etcd__header_revision(json_t *obj, int64_t *rev);

#endif
