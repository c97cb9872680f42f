/* view.c - reading the cluster from etcd (view.h). */
#include "manager/view/view.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/etcd/etcd.h"
#include "common/log.h"

struct view__caps {                     /* allocated lengths of the view's arrays */
	size_t nodes, drains, libs, migs;
};

/* Makes room for one more element in *arr (n used of *cap). 0 or -ENOMEM. */
static int view__grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * size, 0, (ncap - *cap) * size);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Bad values already reported, by (key hash, mod_revision): a bad value stays in etcd
 * until someone fixes it, and every request reads it again; it is logged once per
 * version, not once per request (direct-mapped: a collision only repeats a line). */
#define VIEW__SEEN_SLOTS 512
static pthread_mutex_t view__seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint64_t hash;
	int64_t mod;
} view__seen[VIEW__SEEN_SLOTS];

static bool view__first_report(const struct etcd_kv *kv)
{
	uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
	for (size_t i = 0; i < kv->key_len; i++)
		h = (h ^ kv->key[i]) * 1099511628211ULL;
	size_t slot = (size_t)(h % VIEW__SEEN_SLOTS);
	pthread_mutex_lock(&view__seen_lock);
	bool first = view__seen[slot].hash != h || view__seen[slot].mod != kv->mod_revision;
	view__seen[slot].hash = h;
	view__seen[slot].mod = kv->mod_revision;
	pthread_mutex_unlock(&view__seen_lock);
	return first;
}

/* The key parsed fine, so it is printable: safe to put in a log line. */
static void view__bad(const struct etcd_kv *kv, const char *why)
{
	if (view__first_report(kv))
		vtl_log_ratelimited(LOG_WARN, "ETCD_BAD_VALUE", "key=%s mod_revision=%lld reason=\"%s\"",
				    (const char *)kv->key, (long long)kv->mod_revision, why);
}

static int view__node(struct view *v, struct view__caps *caps, const struct etcd_kv *kv,
		      const char *name)
{
	char why[PROTO_REASON_MAX];
	struct proto_node rec;
	if (proto_node_decode(kv->value, kv->value_len, &rec, why, sizeof why)) {
		view__bad(kv, why);
		return 0;
	}
	if (strcmp(rec.id, name)) {
		view__bad(kv, "field 'id': differs from the key");
		return 0;
	}
	int rc = view__grow((void **)&v->nodes, &caps->nodes, v->n_nodes, sizeof *v->nodes);
	if (!rc)
		v->nodes[v->n_nodes++].rec = rec;
	return rc;
}

static int view__drain(struct view *v, struct view__caps *caps, const struct etcd_kv *kv,
		       const char *name)
{
	char why[PROTO_REASON_MAX];
	struct proto_drain rec;
	int bad = proto_drain_decode(kv->value, kv->value_len, &rec, why, sizeof why);
	if (!bad && strcmp(rec.node, name)) {
		snprintf(why, sizeof why, "field 'node': differs from the key");
		bad = -EINVAL;
	}
	if (bad) {      /* view.h: the key's presence is the drain */
		view__bad(kv, why);
		memset(&rec, 0, sizeof rec);
		snprintf(rec.node, sizeof rec.node, "%s", name);
	}
	int rc = view__grow((void **)&v->drains, &caps->drains, v->n_drains, sizeof *v->drains);
	if (!rc)
		v->drains[v->n_drains++] = rec;
	return rc;
}

static int view__mig(struct view *v, struct view__caps *caps, const struct etcd_kv *kv,
		     const char *name)
{
	char why[PROTO_REASON_MAX];
	struct proto_mig rec;
	if (proto_mig_decode(kv->value, kv->value_len, &rec, why, sizeof why)) {
		view__bad(kv, why);
		return 0;
	}
	if (strcmp(rec.id, name)) {
		view__bad(kv, "field 'id': differs from the key");
		return 0;
	}
	int rc = view__grow((void **)&v->migs, &caps->migs, v->n_migs, sizeof *v->migs);
	if (!rc)
		v->migs[v->n_migs++] = rec;
	return rc;
}

/* Fills one key of a library entry (config or owner). */
static void view__lib_key(struct view_lib *l, enum proto_key_kind kind, const struct etcd_kv *kv)
{
	char why[PROTO_REASON_MAX];
	int rc;
	if (kind == PROTO_KEY_LIB_CONFIG) {
		l->cfg_present = true;
		l->cfg_mod = kv->mod_revision;
		rc = proto_libcfg_decode(kv->value, kv->value_len, &l->cfg, why, sizeof why);
		if (!rc && strcmp(l->cfg.name, l->name)) {
			proto_libcfg_fini(&l->cfg);
			snprintf(why, sizeof why, "field 'name': differs from the key");
			rc = -EINVAL;
		}
		l->cfg_valid = !rc;
	} else {
		l->owner_present = true;
		l->owner_mod = kv->mod_revision;
		rc = proto_owner_decode(kv->value, kv->value_len, &l->owner, why, sizeof why);
		l->owner_valid = !rc;
	}
	if (rc) {
		char *dst = kind == PROTO_KEY_LIB_CONFIG ? l->cfg_reason : l->owner_reason;
		snprintf(dst, PROTO_REASON_MAX, "%s", why);
		view__bad(kv, why);
	}
}

static int view__lib(struct view *v, struct view__caps *caps, const struct etcd_kv *kv,
		     const struct proto_key *k)
{
	struct view_lib *l = NULL;
	/* a library's two keys are adjacent in key order: its entry is the last one */
	if (v->n_libs && !strcmp(v->libs[v->n_libs - 1].name, k->name))
		l = &v->libs[v->n_libs - 1];
	if (!l) {
		int rc = view__grow((void **)&v->libs, &caps->libs, v->n_libs, sizeof *v->libs);
		if (rc)
			return rc;
		l = &v->libs[v->n_libs++];
		snprintf(l->name, sizeof l->name, "%s", k->name);
	}
	view__lib_key(l, k->kind, kv);
	return 0;
}

static int view__add(struct view *v, struct view__caps *caps, const char *prefix,
		     const struct etcd_kv *kv)
{
	struct proto_key k;
	if (proto_key_parse(prefix, kv->key, kv->key_len, &k))
		return 0;               /* not ours: skipped (etcd-layout.md, Watching) */
	switch (k.kind) {
	case PROTO_KEY_NODE: return view__node(v, caps, kv, k.name);
	case PROTO_KEY_DRAIN: return view__drain(v, caps, kv, k.name);
	case PROTO_KEY_MIGRATION: return view__mig(v, caps, kv, k.name);
	case PROTO_KEY_LIB_CONFIG:
	case PROTO_KEY_LIB_OWNER: return view__lib(v, caps, kv, &k);
	default: return 0;
	}
}

/* One range over the directory of `kind`, every value added to v. */
static int view__range(struct etcd *c, const char *prefix, enum proto_key_kind kind,
		       struct view *v, struct view__caps *caps)
{
	char dir[PROTO_KEY_MAX];
	struct etcd_kvs kvs = {0};
	int rc = proto_key_dir(dir, sizeof dir, prefix, kind);
	if (!rc)
		rc = etcd_range(c, dir, strlen(dir), &kvs);
	for (size_t i = 0; !rc && i < kvs.n; i++)
		rc = view__add(v, caps, prefix, &kvs.kv[i]);
	if (!rc && kvs.revision > v->revision)
		v->revision = kvs.revision;
	etcd_kvs_free(&kvs);
	return rc;
}

static int view__lib_cmp(const void *a, const void *b)
{
	return strcmp(((const struct view_lib *)a)->name, ((const struct view_lib *)b)->name);
}

/* drain_key, owned and partner_of of every node, from the other arrays. */
static void view__count(struct view *v)
{
	for (size_t i = 0; i < v->n_drains; i++) {
		struct view_node *n = (struct view_node *)view_node_find(v, v->drains[i].node);
		if (n)
			n->drain_key = true;
	}
	for (size_t i = 0; i < v->n_libs; i++) {
		const struct view_lib *l = &v->libs[i];
		if (!l->owner_valid)
			continue;
		struct view_node *n = (struct view_node *)view_node_find(v, l->owner.node);
		if (n)
			n->owned++;
		for (size_t p = 0; p < l->owner.n_partners; p++) {
			n = (struct view_node *)view_node_find(v, l->owner.partners[p]);
			if (n)
				n->partner_of++;
		}
	}
}

int view_load(struct etcd *c, const char *prefix, unsigned what, struct view *out)
{
	static const struct {
		unsigned bit;
		enum proto_key_kind kind;
	} dirs[] = {{VIEW_NODES, PROTO_KEY_NODE}, {VIEW_DRAINS, PROTO_KEY_DRAIN},
		    {VIEW_LIBS, PROTO_KEY_LIB_CONFIG}, {VIEW_MIGS, PROTO_KEY_MIGRATION}};
	struct view__caps caps = {0};
	int rc = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; !rc && i < sizeof dirs / sizeof dirs[0]; i++)
		if (what & dirs[i].bit)
			rc = view__range(c, prefix, dirs[i].kind, out, &caps);
	if (rc) {
		view_fini(out);
		return rc;
	}
	/* node and drain keys come sorted by id already; library names do not sort like
	 * their keys ("L1-a/" < "L1/") */
	if (out->n_libs)
		qsort(out->libs, out->n_libs, sizeof *out->libs, view__lib_cmp);
	view__count(out);
	return 0;
}

void view_lib_fini(struct view_lib *l)
{
	proto_libcfg_fini(&l->cfg);
	memset(l, 0, sizeof *l);
}

void view_fini(struct view *v)
{
	for (size_t i = 0; i < v->n_libs; i++)
		view_lib_fini(&v->libs[i]);
	free(v->nodes);
	free(v->drains);
	free(v->libs);
	free(v->migs);
	memset(v, 0, sizeof *v);
}

int view_load_lib(struct etcd *c, const char *prefix, const char *name, struct view_lib *out)
{
	char key[PROTO_KEY_MAX];
	struct etcd_kvs kvs = {0};
	memset(out, 0, sizeof *out);
	int rc = proto_key_lib_config(key, sizeof key, prefix, name);
	if (rc)
		return rc;
	key[strlen(key) - strlen("config")] = 0;        /* "<prefix>libraries/<name>/" */
	rc = etcd_range(c, key, strlen(key), &kvs);
	snprintf(out->name, sizeof out->name, "%s", name);
	for (size_t i = 0; !rc && i < kvs.n; i++) {
		struct proto_key k;
		if (!proto_key_parse(prefix, kvs.kv[i].key, kvs.kv[i].key_len, &k) &&
		    (k.kind == PROTO_KEY_LIB_CONFIG || k.kind == PROTO_KEY_LIB_OWNER) &&
		    !strcmp(k.name, name))
			view__lib_key(out, k.kind, &kvs.kv[i]);
	}
	etcd_kvs_free(&kvs);
	if (rc)
		view_lib_fini(out);
	return rc;
}

const struct view_node *view_node_find(const struct view *v, const char *id)
{
	for (size_t i = 0; i < v->n_nodes; i++)
		if (!strcmp(v->nodes[i].rec.id, id))
			return &v->nodes[i];
	return NULL;
}

const struct view_lib *view_lib_find(const struct view *v, const char *name)
{
	for (size_t i = 0; i < v->n_libs; i++)
		if (!strcmp(v->libs[i].name, name))
			return &v->libs[i];
	return NULL;
}

bool view_node_draining(const struct view_node *n)
{
	return n->drain_key || n->rec.draining;
}
