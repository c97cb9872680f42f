/* route.c - maps iSCSI target names and library names to published libraries, with a
 * reference per user so a library is never closed under a running command. The rules and
 * the locking are in route.h. */
#include "node/route/route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/lib/lib.h"
#include "node/scsi/scsi.h"

struct route_entry {
	struct route_entry *next;
	struct lib *lib;        /* borrowed from route_add's caller */
	uint64_t epoch;         /* ownership epoch it is served under; 0 standalone */
	unsigned refs;          /* users working on lib now */
	bool hidden;            /* unpublished: no lookup finds it */
	bool taken;             /* a route_remove waits for refs == 0 */
};

int route_init(struct route *r)
{
	memset(r, 0, sizeof *r);
	int rc = pthread_mutex_init(&r->lock, NULL);
	if (rc)
		return -rc;
	rc = pthread_cond_init(&r->cond, NULL);
	if (rc) {
		pthread_mutex_destroy(&r->lock);
		return -rc;
	}
	return 0;
}

void route_fini(struct route *r)
{
	while (r->entries) {
		struct route_entry *e = r->entries;
		r->entries = e->next;
		free(e);
	}
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
}

/* A published entry whose library name (or target name) is key. Caller holds r->lock. */
static struct route_entry *route__find(struct route *r, const char *key, bool by_target)
{
	for (struct route_entry *e = r->entries; e; e = e->next) {
		const char *k = by_target ? e->lib->cfg.target : e->lib->cfg.name;
		if (!e->hidden && !strcmp(k, key))
			return e;
	}
	return NULL;
}

static struct lib *route__get(struct route *r, const char *key, bool by_target,
			      uint64_t *epoch)
{
	pthread_mutex_lock(&r->lock);
	struct route_entry *e = route__find(r, key, by_target);
	if (e) {
		e->refs++;
		if (epoch)
			*epoch = e->epoch;
	}
	pthread_mutex_unlock(&r->lock);
	return e ? e->lib : NULL;
}

struct lib *route_acquire(struct route *r, const char *name)
{
	return route__get(r, name, false, NULL);
}

struct lib *route_acquire_epoch(struct route *r, const char *name, uint64_t *epoch)
{
	*epoch = 0;
	return route__get(r, name, false, epoch);
}

void route_set_epoch(struct route *r, const char *name, uint64_t epoch)
{
	pthread_mutex_lock(&r->lock);
	for (struct route_entry *e = r->entries; e; e = e->next)
		if (!e->taken && !strcmp(e->lib->cfg.name, name))
			e->epoch = epoch;
	pthread_mutex_unlock(&r->lock);
}

void route_release(struct route *r, struct lib *lib)
{
	pthread_mutex_lock(&r->lock);
	for (struct route_entry *e = r->entries; e; e = e->next) {
		if (e->lib != lib || !e->refs)
			continue;
		if (!--e->refs && e->taken)
			pthread_cond_broadcast(&r->cond);
		break;
	}
	pthread_mutex_unlock(&r->lock);
}

int route_add(struct route *r, struct lib *lib)
{
	struct route_entry *n = calloc(1, sizeof *n);
	if (!n)
		return -ENOMEM;
	n->lib = lib;
	int rc = 0;
	pthread_mutex_lock(&r->lock);
	struct route_entry **tail = &r->entries;
	for (; *tail && !rc; tail = &(*tail)->next) {
		const struct lib *o = (*tail)->lib;
		if (!strcmp(o->cfg.name, lib->cfg.name) || !strcmp(o->cfg.target, lib->cfg.target))
			rc = -EEXIST;
	}
	if (!rc)
		*tail = n;      /* SendTargets lists libraries in the order they came */
	pthread_mutex_unlock(&r->lock);
	if (rc)
		free(n);
	return rc;
}

bool route_unpublish(struct route *r, const char *name)
{
	pthread_mutex_lock(&r->lock);
	struct route_entry *e = route__find(r, name, false);
	if (e)
		e->hidden = true;
	pthread_mutex_unlock(&r->lock);
	return e != NULL;
}

struct lib *route_remove(struct route *r, const char *name)
{
	pthread_mutex_lock(&r->lock);
	struct route_entry *e = r->entries;
	while (e && (e->taken || strcmp(e->lib->cfg.name, name)))
		e = e->next;
	if (!e) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	e->hidden = true;       /* from here on no lookup finds it */
	e->taken = true;
	while (e->refs)
		pthread_cond_wait(&r->cond, &r->lock);
	struct route_entry **p = &r->entries;
	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	pthread_mutex_unlock(&r->lock);
	struct lib *lib = e->lib;
	free(e);
	return lib;
}

size_t route_count(struct route *r)
{
	size_t n = 0;
	pthread_mutex_lock(&r->lock);
	for (struct route_entry *e = r->entries; e; e = e->next)
		n += !e->hidden;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* NOT READY, LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION (SPC-4
 * 5.16.2.6), fixed format sense (SPC-4 4.5.3): the library is between owners. */
static void route__transition(struct scsi_cmd *cmd)
{
	memset(cmd->sense, 0, 18);
	cmd->sense[0] = 0x70;
	cmd->sense[2] = 0x02;           /* NOT READY */
	cmd->sense[7] = 10;             /* additional sense length */
	cmd->sense[12] = 0x04;
	cmd->sense[13] = 0x0a;
	cmd->sense_len = 18;
	cmd->status = SAM_STAT_CHECK_CONDITION;
	cmd->data_in_len = 0;
}

static bool route__exists(void *arg, const char *target)
{
	struct route *r = arg;
	pthread_mutex_lock(&r->lock);
	bool found = route__find(r, target, true) != NULL;
	pthread_mutex_unlock(&r->lock);
	return found;
}

/* Copies the names under the lock and emits them after it: emit is the transport's. */
static void route__list(void *arg, void (*emit)(void *ctx, const char *target), void *ctx)
{
	struct route *r = arg;
	size_t n = route_count(r), k = 0;
	char (*names)[SCSI_NAME_MAX] = calloc(n + 1, sizeof *names);
	if (!names)
		return;
	pthread_mutex_lock(&r->lock);
	for (struct route_entry *e = r->entries; e && k < n; e = e->next)
		if (!e->hidden)
			memcpy(names[k++], e->lib->cfg.target, SCSI_NAME_MAX);
	pthread_mutex_unlock(&r->lock);
	for (size_t i = 0; i < k; i++)
		emit(ctx, names[i]);
	free(names);
}

static void route__exec(void *arg, const char *target, struct scsi_cmd *cmd)
{
	struct lib *lib = route__get(arg, target, true, NULL);
	if (!lib) {     /* the target went away under a logged-in session */
		route__transition(cmd);
		return;
	}
	scsi_exec(lib, cmd);
	route_release(arg, lib);
}

static int route__tmf_on(struct lib *lib, enum iscsi_tmf_fn fn, uint64_t lun,
			 const struct scsi_nexus *nexus)
{
	switch (fn) {
	case ISCSI_TMF_LOGICAL_UNIT_RESET:
		if (!lib_lu(lib, lun))
			return 2;   /* LUN does not exist */
		scsi_lu_reset(lib, lun, nexus);
		return 0;
	case ISCSI_TMF_TARGET_WARM_RESET:
	case ISCSI_TMF_TARGET_COLD_RESET:
		scsi_target_reset(lib, nexus);
		return 0;
	default:
		/* task-set functions: commands run synchronously per connection, so nothing of
		 * this nexus is queued below the transport */
		return 0;
	}
}

static int route__tmf(void *arg, const char *target, enum iscsi_tmf_fn fn, uint64_t lun,
		      const struct scsi_nexus *nexus)
{
	struct lib *lib = route__get(arg, target, true, NULL);
	if (!lib)
		return 1;       /* RFC 7143 11.6.1: task does not exist / LU does not exist */
	int rc = route__tmf_on(lib, fn, lun, nexus);
	route_release(arg, lib);
	return rc;
}

static void route__nexus_lost(void *arg, const char *target, const struct scsi_nexus *nexus)
{
	struct lib *lib = route__get(arg, target, true, NULL);
	if (!lib)
		return;         /* its state went with the library's close */
	scsi_nexus_lost(lib, nexus);
	route_release(arg, lib);
}

void route_backend(struct route *r, struct iscsi_backend *be)
{
	be->arg = r;
	be->target_exists = route__exists;
	be->target_list = route__list;
	be->exec = route__exec;
	be->tmf = route__tmf;
	be->nexus_lost = route__nexus_lost;
}
