/* view.h - the cluster as read from etcd, for one request (docs/etcd-layout.md).
 *
 * Every manager handler works on a fresh read, so a standby that has just taken over
 * answers correctly at once and nothing cached can go stale. A read is one etcd range per
 * directory asked for (nodes/, drain/, libraries/, migrations/); each range is consistent
 * in itself. Writes never trust a view: they compare mod revisions in their transaction.
 *
 * Hostile values: every value is decoded with proto/records.h. A value that does not
 * decode (or whose id differs from its key) is logged ETCD_BAD_VALUE key= mod_revision=
 * reason= (once per key version, and rate-limited) and skipped; a library keeps the fact that its config or owner key
 * exists (and its mod revision) so that a delete can still remove it, and a drain key
 * counts by its presence alone (placing a library on a node the operator meant to drain
 * is the worse mistake). Keys that are not
 * ours (proto_key_parse says -ENOENT) are ignored silently.
 *
 * Concurrency: a struct view is owned by the one thread that loaded it. The only shared
 * state is the table of bad values already reported, under its own mutex. */
#ifndef VTL_MGR_VIEW_H
#define VTL_MGR_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/records.h"

struct etcd;

enum view_what {
	VIEW_NODES = 1,
	VIEW_DRAINS = 2,
	VIEW_LIBS = 4,
	VIEW_MIGS = 8,
	VIEW_ALL = 15,
};

struct view_node {
	struct proto_node rec;
	bool drain_key;                 /* drain/<id> exists, even with a bad value (VIEW_DRAINS) */
	unsigned owned, partner_of;     /* counted from owner records (VIEW_LIBS) */
};

struct view_lib {
	char name[PROTO_NAME_MAX + 1];
	bool cfg_present, cfg_valid;    /* key exists / its value decoded */
	int64_t cfg_mod;                /* mod_revision of the config key, 0 if absent */
	struct proto_libcfg cfg;        /* owned; valid when cfg_valid */
	bool owner_present, owner_valid;
	int64_t owner_mod;
	struct proto_owner owner;       /* valid when owner_valid */
	char cfg_reason[PROTO_REASON_MAX];      /* why a present value did not decode */
	char owner_reason[PROTO_REASON_MAX];
};

struct view {
	int64_t revision;               /* highest header revision among the reads */
	struct view_node *nodes;        /* sorted by id */
	size_t n_nodes;
	struct proto_drain *drains;     /* every drain key, registered node or not; a key
					 * whose value is bad still counts (node and since
					 * from the key, since 0): its presence is the drain */
	size_t n_drains;
	struct view_lib *libs;          /* sorted by name */
	size_t n_libs;
	struct proto_mig *migs;         /* valid migration records */
	size_t n_migs;
};

/* Reads what is asked (enum view_what bits). 0, -ENOMEM, or an etcd error (etcd.h); on
 * failure *out is empty (view_fini-able). */
int view_load(struct etcd *c, const char *prefix, unsigned what, struct view *out);
void view_fini(struct view *v);         /* accepts a zeroed view */

/* One library's two keys, from one range of "<prefix>libraries/<name>/". Absent keys
 * are not an error (cfg_present / owner_present false). Same returns. */
int view_load_lib(struct etcd *c, const char *prefix, const char *name, struct view_lib *out);
void view_lib_fini(struct view_lib *l);

const struct view_node *view_node_find(const struct view *v, const char *id);
const struct view_lib *view_lib_find(const struct view *v, const char *name);
/* The node takes no new libraries: its drain key or its own record says so. */
bool view_node_draining(const struct view_node *n);

#endif
