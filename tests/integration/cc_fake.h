/* cc_fake.h - a stand-in control API for clusterctl's tests: an rpc server (rpc.h) in
 * the test process that answers the manager's operations (docs/control-api.md) with
 * fixed data, or not_leader when it plays a standby, and keeps the last request so the
 * test can check what clusterctl sent. `library.delete` of a library named "E-<code>"
 * answers that error code ("E-busy" -> busy), for checking every exit code.
 *
 * The handler runs on the server's worker threads; `lock` guards the recorded request. */
#ifndef VTL_TESTS_CC_FAKE_H
#define VTL_TESTS_CC_FAKE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "common/rpc/rpc.h"

struct cc_fake {
	struct rpc_server *srv;
	bool standby;
	char url[64];            /* "tcp://127.0.0.1:<port>" */
	pthread_mutex_t lock;
	char last_op[64];
	json_t *last_args;       /* owned; NULL before the first request */
	unsigned calls;
};

int cc_fake_start(struct cc_fake *f, bool standby);
void cc_fake_stop(struct cc_fake *f);
/* The last request's op and a new reference to its args (json_decref it). */
json_t *cc_fake_last(struct cc_fake *f, char *op, size_t cap);

#endif
