/* route.h - routing: which library a target name means, and where its commands run.
 * For now every library is local: commands go to scsi_exec. The cluster issues add
 * forwarding to the owner here, behind the same iscsi_backend. */
#ifndef VTL_NODE_ROUTE_H
#define VTL_NODE_ROUTE_H

#include <stddef.h>

#include "node/iscsi/iscsi.h"

struct lib;

struct route {
	struct lib **libs;      /* borrowed; each outlives the route */
	size_t n_libs;
};

/* Fills be with callbacks that route by target name through r (which must outlive be). */
void route_backend(struct route *r, struct iscsi_backend *be);

#endif
