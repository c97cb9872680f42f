/* fake_http.h - a hostile HTTP "etcd" for the client tests: a thread on 127.0.0.1 that
 * answers each connection with the next canned reply (raw bytes, sent as is, then close)
 * and records the body of every request it read. */
#ifndef VTL_TESTS_ETCD_FAKE_HTTP_H
#define VTL_TESTS_ETCD_FAKE_HTTP_H

#include <stddef.h>

struct fake_http;

struct fake_http *fake_http_start(void);
void fake_http_stop(struct fake_http *f);
const char *fake_http_url(struct fake_http *f);
/* Queues a raw reply (copied); "HTTP/1.1 <status>" + body helper below. */
void fake_http_push_raw(struct fake_http *f, const char *bytes, size_t len);
void fake_http_push(struct fake_http *f, int status, const char *body);
/* Body of request number i (0-based), or NULL if not (yet) received. Copy. */
char *fake_http_request(struct fake_http *f, size_t i);
size_t fake_http_requests(struct fake_http *f);

#endif
