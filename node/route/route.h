/* route.h - routing: which library a target name means, and where its commands run.
 *
 * The set of served libraries changes while sessions run: the ownership module (cluster)
 * adds a library when this node comes to own it and removes it when ownership moves, and
 * a peer server looks libraries up by name. Every library is local for now: commands go
 * to scsi_exec; forwarding to the owner joins here, behind the same iscsi_backend.
 *
 * A library in the set is "published": target lookups (login, SendTargets, commands,
 * task management) and route_acquire() find it. Each user holds a reference while it
 * works on the library; route_remove() unpublishes first, then waits until the last
 * reference is dropped, so the caller may lib_close() what it gets back.
 *
 * A command for a target that is not published (removed under a logged-in session, or
 * not back yet) ends with NOT READY, LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE
 * TRANSITION (02/04/0A, SPC-4 5.16.2.6): initiators retry it, which is what they should
 * do while a library moves between nodes.
 *
 * Concurrency: every function is safe from any thread. r->lock guards the entry list and
 * every entry's refs and flags; r->cond is signalled when a reference of a
 * removing entry is dropped. No lock of route is held while a command executes, and
 * route never calls out with its lock held. route_remove() blocks until the library's
 * in-flight commands are done (bounded by the slowest command, e.g. a tape sync). */
#ifndef VTL_NODE_ROUTE_H
#define VTL_NODE_ROUTE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/iscsi/iscsi.h"

struct lib;
struct route_entry;

struct route {
	pthread_mutex_t lock;
	pthread_cond_t cond;            /* a removing entry lost a reference */
	struct route_entry *entries;    /* singly linked: published, hidden or being removed */
};

int route_init(struct route *r);
/* Frees the entries still there (their libraries are the caller's to close). Nothing may
 * use r any more: stop the transport first. */
void route_fini(struct route *r);

/* Publishes lib (borrowed: it must stay open until route_remove returns it). -EEXIST if
 * a library of that name or target name is already there, -ENOMEM. */
int route_add(struct route *r, struct lib *lib);

/* Unpublishes the library `name` (published or already unpublished), waits until no one
 * holds a reference, and returns it (the caller closes it). NULL if there is no such
 * library, or another route_remove of it is under way. */
struct lib *route_remove(struct route *r, const char *name);

/* Only unpublishes `name` (no wait): self-fencing hides every library at once before it
 * waits for any of them. False if no such library is published. */
bool route_unpublish(struct route *r, const char *name);

/* A published library by name, with a reference the caller drops with route_release();
 * NULL if there is none. Hold it only for the duration of a command or a short job:
 * route_remove() of that library waits for it. */
struct lib *route_acquire(struct route *r, const char *name);
void route_release(struct route *r, struct lib *lib);
/* The same, also giving the ownership epoch the library is served under (0 when none
 * was set: standalone mode). */
struct lib *route_acquire_epoch(struct route *r, const char *name, uint64_t *epoch);
/* Records the epoch of a library in the set (node/ownership, at online and when the
 * owner record's epoch changes). */
void route_set_epoch(struct route *r, const char *name, uint64_t epoch);

/* Number of published libraries. */
size_t route_count(struct route *r);

/* Fills be with callbacks that route by target name through r (which must outlive be). */
void route_backend(struct route *r, struct iscsi_backend *be);

#endif
