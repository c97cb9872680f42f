/* own_queue.c - the watch callback and the queue it fills (rules in ownership.h).
 *
 * The callback runs on etcd's watch thread. It only copies the event and signals the
 * module thread: no decoding, no library work, no other lock, so a slow lib_open never
 * stalls the watch and the watch never waits for the module. Values larger than any
 * record may be are not copied (the table reports them as oversize), and a queue that
 * grows past OWN__QUEUE_MAX_BYTES (a module thread far behind) is dropped in favour of
 * one re-read of the prefix: memory stays bounded whatever etcd sends. */
#include <stdlib.h>
#include <string.h>

#include "common/etcd/etcd.h"
#include "common/log.h"
#include "node/ownership/own_int.h"

void own__events_free(struct own__event *ev)
{
	while (ev) {
		struct own__event *next = ev->next;
		free(ev->key);
		free(ev->value);
		free(ev);
		ev = next;
	}
}

static struct own__event *own__event_copy(const struct etcd_event *ev)
{
	struct own__event *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->type = ev->type;
	e->mod_revision = ev->mod_revision;
	e->value_len = ev->value_len;
	if (ev->key) {
		e->key = malloc(ev->key_len + 1);
		if (!e->key)
			goto fail;
		memcpy(e->key, ev->key, ev->key_len);
		e->key[ev->key_len] = 0;
		e->key_len = ev->key_len;
	}
	if (ev->value && ev->value_len <= PROTO_LIBCFG_MAX) {
		e->value = malloc(ev->value_len + 1);
		if (!e->value)
			goto fail;
		memcpy(e->value, ev->value, ev->value_len);
	}
	return e;
fail:
	own__events_free(e);
	return NULL;
}

void own__watch_cb(void *arg, const struct etcd_event *ev)
{
	struct ownership *o = arg;
	struct own__event *e = ev->type == ETCD_EV_RESYNC ? NULL : own__event_copy(ev);
	size_t bytes = e ? sizeof *e + e->key_len + (e->value ? e->value_len : 0) : 0;
	struct own__event *dropped = NULL;
	pthread_mutex_lock(&o->q_lock);
	if (!e || o->q_bytes + bytes > OWN__QUEUE_MAX_BYTES) {
		/* RESYNC, no memory, or too far behind: a full read replaces the queue */
		dropped = o->q_head;
		o->q_head = o->q_tail = NULL;
		o->q_bytes = 0;
		o->q_resync = true;
		own__events_free(e);
		e = NULL;
	} else {
		if (o->q_tail)
			o->q_tail->next = e;
		else
			o->q_head = e;
		o->q_tail = e;
		o->q_bytes += bytes;
	}
	pthread_cond_signal(&o->q_cond);
	pthread_mutex_unlock(&o->q_lock);
	if (dropped && ev->type != ETCD_EV_RESYNC)
		vtl_log_ratelimited(LOG_WARN, "OWN_QUEUE_DROPPED", "reason=\"event queue full or "
				    "out of memory; re-reading the prefix\"");
	own__events_free(dropped);
}

struct own__event *own__queue_take(struct ownership *o, bool *resync)
{
	pthread_mutex_lock(&o->q_lock);
	struct own__event *ev = o->q_head;
	o->q_head = o->q_tail = NULL;
	o->q_bytes = 0;
	*resync = o->q_resync;
	o->q_resync = false;
	pthread_mutex_unlock(&o->q_lock);
	return ev;
}
