/* place.h - where a new library goes (docs/control-api.md, library.create).
 *
 * A pure function over a snapshot of the registered nodes: no etcd, no globals, safe from
 * any thread. The caller builds the snapshot from a fresh etcd read; the create
 * transaction, not this function, is what makes a placement take effect.
 *
 * Rule (the same for the owner and for each partner):
 *   candidates: registered nodes that are not draining (drain/<id> or self-reported);
 *   order: fewest owned libraries, then most free bytes, then id (strcmp), so equal
 *   clusters always place the same way and tests can predict it.
 * The owner is the first candidate, or the requested node; the partners are the next
 * candidates other than the owner, in that order. Partners are ranked by owned libraries
 * too (not by partner roles) because that is what the control API promises ("the same
 * way"): with equal nodes it spreads partner roles evenly as well. */
#ifndef VTL_MGR_PLACE_H
#define VTL_MGR_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct place_node {
	const char *id;                 /* borrowed */
	uint64_t free_bytes;
	unsigned owned;                 /* libraries this node owns now */
	bool draining;
};

/* nodes[0..n) are the registered nodes (unique ids). want: the requested owner or NULL.
 * On 0, *owner and partners[0..n_partners) are indexes into nodes.
 * -ENOENT: want is not registered (node_down). -EBUSY: want is draining.
 * -ENOSPC: too few candidates for an owner and n_partners partners (no_placement).
 * -EINVAL: n_partners larger than PROTO_MAX_PARTNERS. */
int place_choose(const struct place_node *nodes, size_t n, const char *want,
		 size_t n_partners, size_t *owner, size_t *partners);

#endif
