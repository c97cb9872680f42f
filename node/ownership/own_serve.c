/* own_serve.c - one library's transitions: online, offline, reconfiguration, deletion
 * (the rules are in ownership.h; module thread only).
 *
 * Order matters for the initiator: a library goes offline by route_remove first (it is
 * unpublished at once, in-flight commands finish, later ones get 02/04/0A), then
 * lib_close syncs its tapes; it comes online by lib_open first, then route_add, so no
 * command ever sees a half-open library. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "node/ownership/own_int.h"
#include "node/route/route.h"
#include "node/store/store.h"

/* NULL when e should be online here; else the reason it should not be. */
static const char *own__why_not(const struct ownership *o, const struct own__lib *e)
{
	if (!o->synced)
		return "fenced";
	if (!e->has_cfg)
		return e->cfg_bad ? "config" : "deleted";
	if (!e->has_owner)
		return "state";
	if (strcmp(e->owner.node, o->id))
		return "moved";
	if (e->owner.state != PROTO_OWNER_ONLINE)
		return "state";
	return NULL;
}

void own__offline(struct ownership *o, struct own__lib *e, const char *reason)
{
	if (!e->lib)
		return;
	/* NULL only if someone else removed it, which nobody does: close ours either way */
	struct lib *lib = route_remove(o->route, e->name);
	if (lib && lib != e->lib)
		vtl_log(LOG_ERROR, "OWN_ROUTE_MISMATCH", "lib=%s", e->name);
	bool destroy = e->purge && !strcmp(reason, "deleted");
	if (e->has_owner && strcmp(e->owner.node, o->id))
		vtl_log(LOG_INFO, "LIB_OFFLINE", "lib=%s epoch=%llu reason=%s owner=%s owner_epoch=%llu",
			e->name, (unsigned long long)e->epoch, reason, e->owner.node,
			(unsigned long long)e->owner.epoch);
	else
		vtl_log(LOG_INFO, "LIB_OFFLINE", "lib=%s epoch=%llu reason=%s", e->name,
			(unsigned long long)e->epoch, reason);
	if (destroy)
		lib_destroy(e->lib);
	else
		lib_close(e->lib);
	e->lib = NULL;
	e->epoch = 0;
	proto_libcfg_fini(&e->applied);
	memset(&e->applied, 0, sizeof e->applied);
	if (destroy) {
		e->purge = false;
		proto_libcfg_fini(&e->gone);
		memset(&e->gone, 0, sizeof e->gone);
	}
}

static void own__online(struct ownership *o, struct own__lib *e, int64_t now_ms)
{
	if (e->retry_at_ms && now_ms < e->retry_at_ms)
		return;
	struct lib_config lc;
	struct lib *lib = NULL;
	const char *step = "config";
	int rc = lib_config_from_record(&e->cfg, o->iqn_prefix, &lc);
	if (!rc) {
		step = "open";
		rc = lib_open(o->store, &lc, &lib);
	}
	if (!rc) {
		step = "memory";
		rc = own__libcfg_copy(&e->applied, &e->cfg);
	}
	if (!rc) {
		step = "route";
		rc = route_add(o->route, lib);
		if (rc) {
			proto_libcfg_fini(&e->applied);
			memset(&e->applied, 0, sizeof e->applied);
		}
	}
	if (!rc)
		vtl_log(LOG_INFO, "LIB_ONLINE", "lib=%s epoch=%llu id=%s target=%s", e->name,
			(unsigned long long)e->owner.epoch, lib->id, lc.target);
	lib_config_fini(&lc);
	if (rc) {
		vtl_log(LOG_ERROR, "LIB_ONLINE_FAILED", "lib=%s epoch=%llu step=%s rc=%d retry_ms=%d",
			e->name, (unsigned long long)e->owner.epoch, step, rc, OWN__RETRY_MS);
		lib_close(lib);
		e->retry_at_ms = now_ms + OWN__RETRY_MS;
		return;
	}
	e->lib = lib;
	e->applied_gen = e->cfg_gen;
	e->epoch = e->owner.epoch;
	route_set_epoch(o->route, e->name, e->epoch);
	e->retry_at_ms = 0;
}

static bool own__carts_equal(const struct proto_libcfg *a, const struct proto_libcfg *b)
{
	if (a->n_carts != b->n_carts)
		return false;
	for (size_t i = 0; i < a->n_carts; i++)
		if (strcmp(a->carts[i].barcode, b->carts[i].barcode) ||
		    a->carts[i].capacity != b->carts[i].capacity)
			return false;
	return true;
}

/* What an open library cannot take without a restart; NULL if nothing. */
static const char *own__restart_needed(const struct proto_libcfg *a, const struct proto_libcfg *c)
{
	if (a->drives != c->drives || a->slots != c->slots || a->ie_slots != c->ie_slots)
		return "shape";
	if (strcmp(a->id, c->id) || strcmp(a->changer_vendor, c->changer_vendor) ||
	    strcmp(a->changer_product, c->changer_product) || strcmp(a->changer_rev, c->changer_rev) ||
	    strcmp(a->drive_vendor, c->drive_vendor) || strcmp(a->drive_product, c->drive_product) ||
	    strcmp(a->drive_rev, c->drive_rev))
		return "identity";
	return NULL;
}

/* The config of an online library changed. */
static void own__reconfigure(struct ownership *o, struct own__lib *e)
{
	const char *what = own__restart_needed(&e->applied, &e->cfg);
	if (what) {
		vtl_log(LOG_INFO, "LIB_RECONFIGURE", "lib=%s what=%s action=restart", e->name, what);
		own__offline(o, e, "config");   /* own__reconcile brings it back */
		return;
	}
	if (!own__carts_equal(&e->applied, &e->cfg)) {
		struct lib_config lc;
		int rc = lib_config_from_record(&e->cfg, o->iqn_prefix, &lc);
		if (!rc)
			rc = lib_sync_cartridges(e->lib, &lc);   /* logs what it did or why not */
		lib_config_fini(&lc);
		vtl_log(rc ? LOG_ERROR : LOG_INFO, "LIB_RECONFIGURE", "lib=%s what=cartridges rc=%d",
			e->name, rc);
	}
	/* the new config is applied even after a failed sync: retrying every pass would
	 * only repeat the store's error; the next change tries again */
	proto_libcfg_fini(&e->applied);
	if (own__libcfg_copy(&e->applied, &e->cfg))
		vtl_log(LOG_ERROR, "OWN_NO_MEMORY", "lib=%s", e->name);
	e->applied_gen = e->cfg_gen;
}

/* A deleted library that is not served here may still have data here (an old owner). */
static void own__purge_stored(struct ownership *o, struct own__lib *e)
{
	struct lib_config lc;
	int rc = lib_config_from_record(&e->gone, o->iqn_prefix, &lc);
	if (!rc)
		rc = lib_purge(o->store, &lc);
	lib_config_fini(&lc);
	vtl_log(rc ? LOG_ERROR : LOG_INFO, "LIB_DELETED", "lib=%s id=%s rc=%d", e->name, e->gone.id,
		rc);
	e->purge = false;
	proto_libcfg_fini(&e->gone);
	memset(&e->gone, 0, sizeof e->gone);
}

void own__reconcile(struct ownership *o, struct own__lib *e, int64_t now_ms)
{
	if (e->purge) {         /* a deletion first, even if the library was created again */
		if (e->lib)
			own__offline(o, e, "deleted");
		if (e->purge)
			own__purge_stored(o, e);
	}
	const char *why = own__why_not(o, e);
	if (e->lib && why) {
		own__offline(o, e, why);
	} else if (e->lib) {
		if (e->owner.epoch != e->epoch) {
			vtl_log(LOG_INFO, "LIB_EPOCH", "lib=%s epoch=%llu old_epoch=%llu", e->name,
				(unsigned long long)e->owner.epoch, (unsigned long long)e->epoch);
			e->epoch = e->owner.epoch;
			route_set_epoch(o->route, e->name, e->epoch);
		}
		if (e->applied_gen != e->cfg_gen)
			own__reconfigure(o, e);
	}
	if (!e->lib && !why)
		own__online(o, e, now_ms);
}
