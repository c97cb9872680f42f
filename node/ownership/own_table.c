/* own_table.c - what the node knows of each library: the last decoded config and owner
 * record, from watch events and full reads of the prefix (module thread only).
 *
 * Values from etcd are hostile: every one goes through its strict decoder
 * (proto/records.h). One that does not decode is logged with the decoder's reason and
 * treated as absent, so a library whose config turns bad goes offline (reason=config)
 * and one whose owner record turns bad goes offline (reason=state); nothing else
 * changes. A config whose name is not its key's is refused the same way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/ownership/own_int.h"

int own__libcfg_copy(struct proto_libcfg *dst, const struct proto_libcfg *src)
{
	*dst = *src;
	dst->carts = NULL;
	if (!src->n_carts)
		return 0;
	dst->carts = malloc(src->n_carts * sizeof *dst->carts);
	if (!dst->carts) {
		memset(dst, 0, sizeof *dst);
		return -ENOMEM;
	}
	memcpy(dst->carts, src->carts, src->n_carts * sizeof *dst->carts);
	return 0;
}

struct own__lib *own__lib_get(struct ownership *o, const char *name, bool create)
{
	for (size_t i = 0; i < o->n_libs; i++)
		if (!strcmp(o->libs[i]->name, name))
			return o->libs[i];
	if (!create)
		return NULL;
	if (o->n_libs == o->cap_libs) {
		size_t cap = o->cap_libs ? o->cap_libs * 2 : 16;
		struct own__lib **p = realloc(o->libs, cap * sizeof *p);
		if (!p)
			return NULL;
		o->libs = p;
		o->cap_libs = cap;
	}
	struct own__lib *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	snprintf(e->name, sizeof e->name, "%s", name);
	o->libs[o->n_libs++] = e;
	return e;
}

static void own__bad_value(struct ownership *o, const char *name, bool config, const char *why)
{
	char key[PROTO_KEY_MAX];
	if (config)
		proto_key_lib_config(key, sizeof key, o->prefix, name);
	else
		proto_key_lib_owner(key, sizeof key, o->prefix, name);
	vtl_log_ratelimited(LOG_WARN, "ETCD_BAD_VALUE", "key=%s reason=\"%s\" action=\"treated as "
			    "absent\"", key, why);
}

static void own__drop_config(struct own__lib *e)
{
	if (!e->has_cfg)
		return;
	proto_libcfg_fini(&e->cfg);
	memset(&e->cfg, 0, sizeof e->cfg);
	e->has_cfg = false;
	e->cfg_gen++;
}

static void own__put_config(struct ownership *o, struct own__lib *e, const void *value,
			    size_t len, bool oversize)
{
	struct proto_libcfg c;
	char why[PROTO_REASON_MAX] = "";
	int rc = -EMSGSIZE;
	if (oversize)
		snprintf(why, sizeof why, "oversize: %zu bytes > %d", len, PROTO_LIBCFG_MAX);
	else
		rc = proto_libcfg_decode(value, len, &c, why, sizeof why);
	if (!rc && strcmp(c.name, e->name)) {
		snprintf(why, sizeof why, "field 'name': not the library of the key");
		proto_libcfg_fini(&c);
		rc = -EINVAL;
	}
	if (rc) {
		own__bad_value(o, e->name, true, why);
		own__drop_config(e);
		e->cfg_bad = true;
		return;
	}
	e->cfg_bad = false;
	if (e->has_cfg && proto_libcfg_equal(&e->cfg, &c)) {
		proto_libcfg_fini(&c);
		return;
	}
	own__drop_config(e);
	e->cfg = c;             /* takes the carts array */
	e->has_cfg = true;
	e->cfg_gen++;
}

/* The manager deleted the library: remember what it was, so its data can go. */
static void own__delete_config(struct own__lib *e)
{
	const struct proto_libcfg *last = e->has_cfg ? &e->cfg : e->lib ? &e->applied : NULL;
	e->cfg_bad = false;
	if (last && !e->purge && !own__libcfg_copy(&e->gone, last))
		e->purge = true;
	own__drop_config(e);
}

static void own__put_owner(struct ownership *o, struct own__lib *e, const void *value,
			   size_t len, bool oversize)
{
	struct proto_owner w;
	char why[PROTO_REASON_MAX] = "";
	int rc = -EMSGSIZE;
	if (oversize)
		snprintf(why, sizeof why, "oversize: %zu bytes > %d", len, PROTO_REC_MAX);
	else
		rc = proto_owner_decode(value, len, &w, why, sizeof why);
	if (rc) {
		own__bad_value(o, e->name, false, why);
		e->has_owner = false;
		return;
	}
	e->owner = w;
	e->has_owner = true;
}

void own__table_apply(struct ownership *o, bool put, const void *key, size_t key_len,
		      const void *value, size_t value_len, bool value_oversize)
{
	struct proto_key k;
	if (proto_key_parse(o->prefix, key, key_len, &k))
		return;         /* not one of our keys: skipped (docs/etcd-layout.md) */
	if (k.kind != PROTO_KEY_LIB_CONFIG && k.kind != PROTO_KEY_LIB_OWNER)
		return;
	struct own__lib *e = own__lib_get(o, k.name, put);
	if (!e) {
		if (put)
			vtl_log(LOG_ERROR, "OWN_NO_MEMORY", "lib=%s", k.name);
		return;
	}
	e->retry_at_ms = 0;     /* something changed: a failed online may work now */
	if (k.kind == PROTO_KEY_LIB_CONFIG && put)
		own__put_config(o, e, value, value_len, value_oversize);
	else if (k.kind == PROTO_KEY_LIB_CONFIG)
		own__delete_config(e);
	else if (put)
		own__put_owner(o, e, value, value_len, value_oversize);
	else
		e->has_owner = false;
}

void own__table_forget(struct ownership *o)
{
	for (size_t i = 0; i < o->n_libs; i++) {
		struct own__lib *e = o->libs[i];
		own__drop_config(e);
		e->cfg_bad = false;
		e->has_owner = false;
		e->retry_at_ms = 0;
	}
}

static void own__lib_free(struct own__lib *e)
{
	proto_libcfg_fini(&e->cfg);
	proto_libcfg_fini(&e->gone);
	proto_libcfg_fini(&e->applied);
	free(e);
}

void own__table_prune(struct ownership *o)
{
	size_t k = 0;
	for (size_t i = 0; i < o->n_libs; i++) {
		struct own__lib *e = o->libs[i];
		if (e->has_cfg || e->cfg_bad || e->has_owner || e->lib || e->purge)
			o->libs[k++] = e;
		else
			own__lib_free(e);
	}
	o->n_libs = k;
}

void own__table_free(struct ownership *o)
{
	for (size_t i = 0; i < o->n_libs; i++)
		own__lib_free(o->libs[i]);
	free(o->libs);
	o->libs = NULL;
	o->n_libs = o->cap_libs = 0;
}
