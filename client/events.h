/* events.h - turning etcd changes under the cluster prefix into lines an operator reads
 * (`clusterctl events --watch`):
 *
 *   2026-11-22T05:31:02.114Z  node node-1 joined: portal 127.0.0.1:3261, version 0.1.0, ...
 *   2026-11-22T05:31:09.502Z  library L1 owner node-1 -> node-2, epoch 1 -> 2
 *
 * or, with --json, one object per line:
 *   {"time":"...","revision":42,"event":"node.joined","key":"/vtl/nodes/node-1",
 *    "name":"node-1","text":"node node-1 joined: ...","value":{...}}
 *
 * etcd events carry the new value only, so the renderer keeps the last value of every key
 * it has seen (seeded from a read of the prefix) to say what changed: "joined" is a node
 * key that was absent, "epoch 1 -> 2" compares the two owner records. Keys that are not
 * ours under the prefix are skipped (proto_key_parse); a value that does not decode
 * gives "bad value at KEY: REASON" and is remembered as bad. Rewrites that change
 * nothing print nothing, nor does the owner record of a library already deleted (the
 * manager deletes config and owner in one transaction: "library L1 deleted" says it). The time is when the event arrived: etcd keeps no time.
 *
 * Event names: node.joined node.left node.changed node.drained node.undrained
 * library.created library.changed library.deleted library.owner library.unowned
 * migration migration.removed manager.leader manager.none resync bad_value.
 *
 * Concurrency: a struct cli_events belongs to one thread at a time (the watch thread
 * once the watch runs); nothing here blocks or talks to etcd. */
#ifndef VTL_CLIENT_EVENTS_H
#define VTL_CLIENT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/etcd/etcd.h"
#include "proto/keys.h"

struct cli__evkv;

struct cli_events {
	char prefix[PROTO_PREFIX_MAX + 1];
	bool json;
	FILE *out;
	struct cli__evkv *kv;        /* last value per key, unsorted */
	size_t n, cap;
	int64_t floor;               /* events at or below this revision were read already */
};

/* -EINVAL for a bad prefix. out is borrowed. */
int cli_events_init(struct cli_events *e, const char *prefix, bool json, FILE *out);
void cli_events_fini(struct cli_events *e);     /* accepts a zeroed struct */

/* Replaces what is known with a read of the prefix (etcd_range) and ignores later events
 * up to its revision. 0 or -ENOMEM. */
int cli_events_seed(struct cli_events *e, const struct etcd_kvs *kvs);

/* Prints the line for one watch event (none for a foreign key or a no-op rewrite) and
 * remembers the new value. now_ms stamps the line. RESYNC prints the resync line only:
 * the caller then re-reads and seeds. 0 or -ENOMEM. */
int cli_events_render(struct cli_events *e, const struct etcd_event *ev, uint64_t now_ms);

#endif
