/* place.c - the placement rule (place.h). */
#include "manager/place/place.h"

#include <errno.h>
#include <string.h>

#include "proto/records.h"

/* True when a ranks before b (place.h: fewest owned, most free bytes, id). */
static bool place__before(const struct place_node *a, const struct place_node *b)
{
	if (a->owned != b->owned)
		return a->owned < b->owned;
	if (a->free_bytes != b->free_bytes)
		return a->free_bytes > b->free_bytes;
	return strcmp(a->id, b->id) < 0;
}

/* The best undrained node not in taken[0..n_taken); -1 when none is left. */
static long place__best(const struct place_node *nodes, size_t n, const size_t *taken,
			size_t n_taken)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		bool used = false;
		for (size_t t = 0; t < n_taken && !used; t++)
			used = taken[t] == i;
		if (used || nodes[i].draining)
			continue;
		if (best < 0 || place__before(&nodes[i], &nodes[best]))
			best = (long)i;
	}
	return best;
}

int place_choose(const struct place_node *nodes, size_t n, const char *want,
		 size_t n_partners, size_t *owner, size_t *partners)
{
	size_t taken[PROTO_MAX_PARTNERS + 1];
	if (n_partners > PROTO_MAX_PARTNERS)
		return -EINVAL;
	long o = -1;
	if (want) {
		for (size_t i = 0; i < n && o < 0; i++)
			if (!strcmp(nodes[i].id, want))
				o = (long)i;
		if (o < 0)
			return -ENOENT;
		if (nodes[o].draining)
			return -EBUSY;
	} else {
		o = place__best(nodes, n, NULL, 0);
		if (o < 0)
			return -ENOSPC;
	}
	taken[0] = (size_t)o;
	for (size_t p = 0; p < n_partners; p++) {
		long b = place__best(nodes, n, taken, p + 1);
		if (b < 0)
			return -ENOSPC;
		taken[p + 1] = (size_t)b;
	}
	*owner = taken[0];
	for (size_t p = 0; p < n_partners; p++)
		partners[p] = taken[p + 1];
	return 0;
}
