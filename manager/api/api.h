/* api.h - the manager's control API (docs/control-api.md, "Manager operations"): one
 * handler per operation, reached through api_handle(), the rpc_handler_fn given to
 * rpc_server_start().
 *
 * Every handler first asks the election whether this manager leads (a standby answers
 * not_leader naming the leader; a manager that cannot reach etcd answers
 * etcd_unavailable), then works on a fresh read from etcd (manager/view), so a standby
 * that has just taken over answers correctly at once. Every write is one etcd
 * transaction that also compares the leader key's create_revision with this manager's
 * fence (elect.h): a deposed manager can no longer write, whatever it believes.
 *
 * api_resume() runs once per won election (elect_config.on_elected): libraries with a
 * config but no owner record get placed, unfinished migrations are logged (MGR_RESUME).
 *
 * Concurrency: struct api is built before the rpc server starts and read-only after;
 * handlers run on the server's worker threads at once and share the etcd client (etcd.h
 * serializes its calls) and the election (its own lock). No handler holds a lock while it
 * calls etcd or a node. */
#ifndef VTL_MGR_API_H
#define VTL_MGR_API_H

#include <jansson.h>

#include "common/rpc/rpc.h"
#include "proto/keys.h"

struct etcd;
struct elect;

struct api {
	struct etcd *etcd;              /* borrowed; shared by the worker threads */
	struct elect *el;               /* borrowed */
	char prefix[PROTO_PREFIX_MAX + 1];
	char id[PROTO_NAME_MAX + 1];    /* this manager */
	int peer_timeout_ms;            /* library.status calls to nodes */
};

/* rpc_handler_fn: arg is the struct api. */
void api_handle(void *arg, const char *op, json_t *args, struct rpc_reply *r);

/* Resumes work recorded in etcd after winning the election (see above). */
void api_resume(void *arg);

#endif
