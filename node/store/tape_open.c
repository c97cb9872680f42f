/* tape_open.c - a cartridge's lifetime: open (create or recover), close, destroy.
 *
 * The store's list of open tapes (s->tapes, under s->lock) makes a cartridge open at most
 * once: a tape is entered in the list before its files are touched and leaves it after
 * they are closed, so open, close and destroy of one tape name never overlap. */
#include "node/store/store_int.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void tape__seg_name(char out[STORE__SEG_NAME_MAX + 1], const char *name)
{
	snprintf(out, STORE__SEG_NAME_MAX + 1, "%s.seg", name);
}

static bool tape__is_open(struct store *s, const char *name)
{
	for (struct store_tape *o = s->tapes; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return true;
	return false;
}

/* Enters t in the open list unless its name is there already. */
static int tape__claim(struct store_tape *t)
{
	struct store *s = t->s;
	pthread_mutex_lock(&s->lock);
	bool busy = tape__is_open(s, t->name);
	if (!busy) {
		t->next = s->tapes;
		s->tapes = t;
	}
	pthread_mutex_unlock(&s->lock);
	return busy ? -EBUSY : 0;
}

static void tape__release(struct store_tape *t)
{
	struct store *s = t->s;
	pthread_mutex_lock(&s->lock);
	for (struct store_tape **pp = &s->tapes; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	pthread_mutex_unlock(&s->lock);
}

/* Frees a tape in any state of construction (claimed or not). */
static void tape__free(struct store_tape *t, bool claimed)
{
	if (t->fd >= 0)
		close(t->fd);
	if (claimed)
		tape__release(t);
	store__idx_fini(t);
	free(t->scratch);
	free(t);
}

/* A tape handle for a valid name, not yet claimed, no file open. */
static int tape__alloc(struct store *s, const char *name, struct store_tape **out)
{
	int rc = store__tape_name_check(name);
	if (rc)
		return rc;
	struct store_tape *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	t->s = s;
	t->fd = -1;
	snprintf(t->name, sizeof t->name, "%s", name);
	*out = t;
	return 0;
}

int store_tape_open(struct store *s, const char *name, uint64_t capacity, struct store_tape **out)
{
	struct store_tape *t = NULL;
	int rc = tape__alloc(s, name, &t);
	if (rc)
		return rc;
	t->capacity = capacity;
	rc = tape__claim(t);
	bool claimed = rc == 0;
	if (rc == 0)
		rc = store__idx_init(t);
	if (rc == 0) {
		char file[STORE__SEG_NAME_MAX + 1];
		tape__seg_name(file, name);
		t->fd = openat(s->tapes_fd, file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (t->fd < 0)
			rc = -errno;
	}
	if (rc == 0)
		rc = store__tape_load(t);
	if (rc) {
		vtl_log(LOG_ERROR, "STORE_TAPE_OPEN_FAILED", "tape=%s err=\"%s\"", name,
			strerror(-rc));
		tape__free(t, claimed);
		return rc;
	}
	*out = t;
	return 0;
}

void store_tape_close(struct store_tape *t)
{
	if (!t)
		return;
	int rc = store_tape_sync(t);
	if (rc)
		vtl_log(LOG_ERROR, "STORE_TAPE_CLOSE_UNSYNCED", "tape=%s eod=%llu synced=%llu "
			"err=\"%s\"", t->name, (unsigned long long)t->eod,
			(unsigned long long)t->synced_eod, strerror(-rc));
	tape__free(t, true);
}

/* Forgets the cartridge in RocksDB first (durably), then removes its file: a crash between
 * the two leaves a file without a meta record, which the next open empties. */
int store_tape_destroy(struct store *s, const char *name)
{
	struct store_tape *t = NULL;
	int rc = tape__alloc(s, name, &t);
	if (rc)
		return rc;
	rc = tape__claim(t); /* holds the name so no open can race the removal */
	bool claimed = rc == 0;
	char from[STORE__KEY_MAX], to[STORE__KEY_MAX];
	char *err = NULL;
	if (rc == 0)
		rocksdb_delete_range_cf(s->db, s->wo_sync, s->cf_tape, from,
					store__key_meta(from, name), to,
					store__key_end(to, name), &err);
	if (err)
		rc = store__rocks_err("tape_destroy", name, &err);
	char file[STORE__SEG_NAME_MAX + 1];
	tape__seg_name(file, name);
	if (rc == 0 && unlinkat(s->tapes_fd, file, 0) != 0 && errno != ENOENT)
		rc = -errno;
	/* a lost unlink only leaves a file without meta record, which open empties */
	if (rc == 0)
		(void)fsync(s->tapes_fd);
	if (rc == 0)
		vtl_log(LOG_INFO, "STORE_TAPE_DESTROYED", "tape=%s", name);
	tape__free(t, claimed);
	return rc;
}
