/* events.c - see events.h: the last value per key, and one output line per change. */
#include "client/events.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "client/events_int.h"
#include "client/format.h"

int cli_events_init(struct cli_events *e, const char *prefix, bool json, FILE *out)
{
	memset(e, 0, sizeof *e);
	if (!proto_prefix_valid(prefix))
		return -EINVAL;
	snprintf(e->prefix, sizeof e->prefix, "%s", prefix);
	e->json = json;
	e->out = out;
	return 0;
}

static void events__clear(struct cli_events *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->kv[i].key);
		free(e->kv[i].val);
	}
	e->n = 0;
}

void cli_events_fini(struct cli_events *e)
{
	events__clear(e);
	free(e->kv);
	memset(e, 0, sizeof *e);
}

static struct cli__evkv *events__find(struct cli_events *e, const void *key, size_t len)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->kv[i].klen == len && !memcmp(e->kv[i].key, key, len))
			return &e->kv[i];
	return NULL;
}

static void *events__dup(const void *p, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, p, len);
		d[len] = 0;
	}
	return d;
}

/* Remembers val for key (val NULL: forget the key). 0 or -ENOMEM. */
static int events__remember(struct cli_events *e, const void *key, size_t klen,
			    const void *val, size_t vlen)
{
	struct cli__evkv *kv = events__find(e, key, klen);
	if (!val) {
		if (kv) {
			free(kv->key);
			free(kv->val);
			*kv = e->kv[--e->n];
		}
		return 0;
	}
	uint8_t *v = events__dup(val, vlen);
	if (!v)
		return -ENOMEM;
	if (!kv) {
		if (e->n == e->cap) {
			size_t cap = e->cap ? e->cap * 2 : 64;
			struct cli__evkv *a = realloc(e->kv, cap * sizeof *a);
			if (!a) {
				free(v);
				return -ENOMEM;
			}
			e->kv = a;
			e->cap = cap;
		}
		char *k = events__dup(key, klen);
		if (!k) {
			free(v);
			return -ENOMEM;
		}
		kv = &e->kv[e->n++];
		*kv = (struct cli__evkv){.key = k, .klen = klen};
	}
	free(kv->val);
	kv->val = v;
	kv->vlen = vlen;
	return 0;
}

int cli_events_seed(struct cli_events *e, const struct etcd_kvs *kvs)
{
	events__clear(e);
	for (size_t i = 0; i < kvs->n; i++) {
		const struct etcd_kv *kv = &kvs->kv[i];
		int rc = events__remember(e, kv->key, kv->key_len, kv->value, kv->value_len);
		if (rc)
			return rc;
	}
	e->floor = kvs->revision;
	return 0;
}

static void events__print(struct cli_events *e, const struct cli__ev *o, const char *key,
			  const char *name, const struct etcd_event *ev, uint64_t now_ms)
{
	char t[CLI_TIME_STR];
	cli_fmt_time(now_ms, t);
	if (!e->json) {
		fprintf(e->out, "%s  %s\n", t, o->text);
		fflush(e->out);
		return;
	}
	json_t *value = NULL;
	if (ev->value && strcmp(o->event, "bad_value"))
		value = json_loadb((const char *)ev->value, ev->value_len, JSON_REJECT_DUPLICATES, NULL);
	json_t *j = json_pack("{sssIsssssssssO}", "time", t, "revision", (json_int_t)ev->mod_revision,
			      "event", o->event, "key", key ? key : "", "name", name ? name : "",
			      "text", o->text, "value", value ? value : json_null());
	if (j && o->reason[0])
		json_object_set_new(j, "reason", json_string(o->reason));
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s)
		fprintf(e->out, "%s\n", s);
	fflush(e->out);
	free(s);
	json_decref(j);
	json_decref(value);
}

/* What the change of one of our keys means. */
static void events__describe(const struct cli__change *c, struct cli__ev *o)
{
	switch (c->k->kind) {
	case PROTO_KEY_NODE: cli__ev_node(c, o); break;
	case PROTO_KEY_DRAIN: cli__ev_drain(c, o); break;
	case PROTO_KEY_LEADER: cli__ev_leader(c, o); break;
	case PROTO_KEY_MIGRATION: cli__ev_mig(c, o); break;
	case PROTO_KEY_LIB_CONFIG: cli__ev_libcfg(c, o); break;
	case PROTO_KEY_LIB_OWNER: cli__ev_owner(c, o); break;
	}
}

int cli_events_render(struct cli_events *e, const struct etcd_event *ev, uint64_t now_ms)
{
	struct cli__ev o = {0};
	if (ev->type == ETCD_EV_RESYNC) {
		o.event = "resync";
		cli__ev_add(&o, "history before revision %lld was compacted: changes until now "
			    "are not shown, the state was re-read", (long long)ev->mod_revision);
		events__print(e, &o, NULL, NULL, ev, now_ms);
		return 0;
	}
	struct proto_key k;
	if (ev->mod_revision <= e->floor ||
	    proto_key_parse(e->prefix, ev->key, ev->key_len, &k))
		return 0;               /* already known, or not one of our keys */
	const struct cli__evkv *prev = events__find(e, ev->key, ev->key_len);
	const uint8_t *val = ev->type == ETCD_EV_PUT ? ev->value : NULL;
	if (ev->type == ETCD_EV_PUT && !val)
		val = (const uint8_t *)"";      /* an empty value: decoders refuse it */
	struct cli__change c = {
		.key = (const char *)ev->key, .k = &k,
		.prev = prev ? prev->val : NULL, .prev_len = prev ? prev->vlen : 0,
		.val = val, .val_len = ev->type == ETCD_EV_PUT ? ev->value_len : 0,
	};
	if (k.kind == PROTO_KEY_LIB_OWNER) {
		char cfg[PROTO_KEY_MAX];
		c.lib_config_known = !proto_key_lib_config(cfg, sizeof cfg, e->prefix, k.name) &&
				     events__find(e, cfg, strlen(cfg));
	}
	events__describe(&c, &o);
	if (o.event)
		events__print(e, &o, c.key, k.name, ev, now_ms);
	return events__remember(e, ev->key, ev->key_len, val, c.val_len);
}
