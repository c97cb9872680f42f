/* own_int.h - shared inside node/ownership: the module's state and its parts.
 *   ownership.c  the thread: fencing, reads of the prefix, start and stop
 *   own_queue.c  the watch callback and the event queue it fills
 *   own_table.c  decoded records per library (events, full reads, bad values)
 *   own_serve.c  online, offline, reconfiguration, deletion of one library */
#ifndef VTL_NODE_OWN_INT_H
#define VTL_NODE_OWN_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/lib/lib.h"
#include "node/ownership/ownership.h"
#include "proto/records.h"

struct etcd;
struct etcd_watch;
struct etcd_event;

#define OWN__RETRY_MS 5000              /* a failed online is tried again after this */
#define OWN__QUEUE_MAX_BYTES (16u << 20)  /* beyond: drop the queue, re-read instead */

/* One event copied out of the watch callback. */
struct own__event {
	struct own__event *next;
	int type;                       /* enum etcd_event_type */
	char *key;                      /* NUL-terminated copy */
	size_t key_len;
	uint8_t *value;                 /* NULL for DELETE/RESYNC, or when oversize */
	size_t value_len;               /* the value's real length, even when not copied */
	int64_t mod_revision;
};

/* What this node knows of one library (module thread only). */
struct own__lib {
	char name[PROTO_NAME_MAX + 1];
	bool has_cfg;                   /* cfg holds a decoded config */
	bool cfg_bad;                   /* the config key holds a value that does not decode */
	struct proto_libcfg cfg;
	uint64_t cfg_gen;               /* +1 whenever cfg changes */
	bool has_owner;
	struct proto_owner owner;
	/* a DELETE of the config key was seen: delete its data (gone holds the last config) */
	bool purge;
	struct proto_libcfg gone;
	/* served here */
	struct lib *lib;                /* non-NULL: ONLINE */
	struct proto_libcfg applied;    /* the config lib was opened or last synced with */
	uint64_t applied_gen;
	uint64_t epoch;                 /* the owner epoch it is served under */
	int64_t retry_at_ms;            /* after a failed online; 0 = none pending */
};

struct ownership {
	/* set at start, read-only after */
	char id[PROTO_NAME_MAX + 1];
	char prefix[PROTO_PREFIX_MAX + 1];
	char dir[PROTO_KEY_MAX];        /* <prefix>libraries/ */
	char iqn_prefix[SCSI_NAME_MAX];
	struct cluster *cluster;
	struct route *route;
	struct store *store;
	struct etcd *etcd;              /* module thread (the watch uses a clone) */
	pthread_t thread;

	/* module thread only */
	struct etcd_watch *watch;
	bool synced;                    /* SYNCED: may serve */
	bool fenced;                    /* FENCED (not the start-up UNSYNCED) */
	uint64_t synced_gen;            /* lease generation of the last read */
	int64_t floor_rev;              /* events at or below it are in the last read */
	struct own__lib **libs;
	size_t n_libs, cap_libs;

	/* the queue between the watch thread and the module thread */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct own__event *q_head, *q_tail;
	size_t q_bytes;
	bool q_resync;                  /* a RESYNC came, or the queue overflowed */
	bool stop;
};

/* own_queue.c */
void own__watch_cb(void *arg, const struct etcd_event *ev);
/* Takes every queued event (in order) and the resync flag; caller frees with
 * own__events_free. */
struct own__event *own__queue_take(struct ownership *o, bool *resync);
void own__events_free(struct own__event *ev);

/* own_table.c */
struct own__lib *own__lib_get(struct ownership *o, const char *name, bool create);
/* Applies one PUT/DELETE of key (bytes) to the table; keys not ours are ignored. */
void own__table_apply(struct ownership *o, bool put, const void *key, size_t key_len,
		      const void *value, size_t value_len, bool value_oversize);
/* Marks every record absent before a full read re-adds what exists. */
void own__table_forget(struct ownership *o);
/* Drops entries with nothing left to know or do. */
void own__table_prune(struct ownership *o);
void own__table_free(struct ownership *o);
int own__libcfg_copy(struct proto_libcfg *dst, const struct proto_libcfg *src);

/* own_serve.c */
/* Brings library e to the state the table asks for (online, offline, reconfigured). */
void own__reconcile(struct ownership *o, struct own__lib *e, int64_t now_ms);
/* Offlines e (reason as in ownership.h). */
void own__offline(struct ownership *o, struct own__lib *e, const char *reason);

#endif
