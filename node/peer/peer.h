/* peer.h - the node's peer endpoint: an nng REQ/REP server (common/rpc) on the URL the
 * node advertises as `peer` in its etcd record. It answers questions about the libraries
 * this node serves now (docs/control-api.md, "Node operations"); issue 4 adds SCSI
 * forwarding here.
 *
 * The peer module does not own libraries: it borrows one for the duration of a request
 * through the `acquire`/`release` callbacks (the routing table's reference counting), so
 * a library that goes offline is never freed under a request.
 *
 * Concurrency: requests run on the rpc worker threads; a status read takes the library's
 * changer lock (lib.h: it guards the element map) and no other. */
#ifndef VTL_NODE_PEER_H
#define VTL_NODE_PEER_H

#include <jansson.h>
#include <stdint.h>

struct lib;
struct peer;

struct peer_config {
	const char *url;        /* "tcp://HOST:PORT"; port 0: the kernel picks */
	const char *node_id;    /* reported in answers */
	void *arg;              /* for the callbacks */
	/* The library named `name` if this node serves it now, held until release; *epoch
	 * gets the ownership epoch it is served under (0 in standalone mode). NULL if not. */
	struct lib *(*acquire)(void *arg, const char *name, uint64_t *epoch);
	void (*release)(void *arg, struct lib *lib);
};

/* Listens and serves. 0 or -errno (-EADDRINUSE, -EINVAL bad URL). Strings are copied. */
int peer_start(const struct peer_config *cfg, struct peer **out);
uint16_t peer_port(const struct peer *p);
void peer_stop(struct peer *p);         /* NULL is fine */

/* The `library.status` result for lib (docs/control-api.md). Takes the changer lock.
 * A new reference, NULL on ENOMEM. */
json_t *peer_lib_status(struct lib *lib, const char *node_id, uint64_t epoch);

#endif
