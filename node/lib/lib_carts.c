/* lib_carts.c - a library's inventory follows its explicit cartridge list (a library
 * config from etcd), and a deleted library's data leaves the store.
 *
 * The list is the whole inventory: what it adds is imported through the import/export
 * slots as an operator would (SMC-3 6.1: the changer reports 06/28/01 IMPORT OR EXPORT
 * ELEMENT ACCESSED, or 06/28/00 when a storage slot had to take it), what it drops is
 * exported and its tape data deleted - unless the cartridge is in a drive, where it
 * stays until a later list finds it back in a slot (pulling a tape out of a drive under
 * a running backup would turn a configuration change into a failed job).
 *
 * Locking (lib.h): lib->carts is read by drive commands under their drive's lock, so
 * lib_sync_cartridges holds the changer's lock and every drive's lock while it changes
 * the array. Tape data is deleted after the element map without the cartridge is
 * durable, so a crash in between leaves an unreferenced file, never a map naming a
 * cartridge whose data is gone. Deletion removes exactly what the library's id names
 * (lib_ident.c): another library with the same name or barcodes keeps its data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/lib/lib_int.h"
#include "node/store/store.h"

static int lib__spec_cmp(const void *a, const void *b)
{
	const struct lib_cart_spec *const *x = a, *const *y = b;
	return strcmp((*x)->barcode, (*y)->barcode);
}

/* The list's entries sorted by barcode (caller frees); NULL on ENOMEM. */
static const struct lib_cart_spec **lib__sorted(const struct lib_config *cfg)
{
	const struct lib_cart_spec **v = malloc((cfg->n_cart_list + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < cfg->n_cart_list; i++)
		v[i] = &cfg->cart_list[i];
	qsort(v, cfg->n_cart_list, sizeof *v, lib__spec_cmp);
	return v;
}

static const struct lib_cart_spec *lib__find(const struct lib_cart_spec **v, size_t n,
					     const char *barcode)
{
	struct lib_cart_spec key;
	snprintf(key.barcode, sizeof key.barcode, "%s", barcode);
	const struct lib_cart_spec *k = &key;
	const struct lib_cart_spec **hit = bsearch(&k, v, n, sizeof *v, lib__spec_cmp);
	return hit ? *hit : NULL;
}

const char *lib__list_check(const struct lib_config *c)
{
	if (c->n_cart_list > c->slots)
		return "more cartridges than slots";
	if (c->n_cart_list && !c->cart_list)
		return "cartridge list missing";
	for (size_t i = 0; i < c->n_cart_list; i++) {
		const struct lib_cart_spec *k = &c->cart_list[i];
		size_t n = strnlen(k->barcode, sizeof k->barcode);
		if (n == 0 || n > LIB_BARCODE_MAX)
			return "cartridge barcode empty or too long";
		/* tape names (<id>_<barcode>) name files; SMC-3 volume tags are ASCII */
		for (size_t j = 0; j < n; j++)
			if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k->barcode[j]))
				return "cartridge barcode may hold only A-Z and 0-9";
		if (k->capacity < (1u << 20))
			return "cartridge capacity below 1 MiB";
	}
	const struct lib_cart_spec **v = lib__sorted(c);
	if (!v)
		return "out of memory";
	const char *why = NULL;
	for (size_t i = 1; i < c->n_cart_list && !why; i++)
		if (!strcmp(v[i - 1]->barcode, v[i]->barcode))
			why = "a cartridge barcode is listed twice";
	free(v);
	return why;
}

static struct lib_elem *lib__elem_of(struct lib *lib, int32_t cart)
{
	for (size_t i = 0; i < lib->n_elems; i++)
		if (lib->elems[i].cart == cart)
			return &lib->elems[i];
	return NULL;
}

static struct lib_elem *lib__first_empty(struct lib *lib, uint8_t type)
{
	for (size_t i = 0; i < lib->n_elems; i++)
		if (lib->elems[i].type == type && lib->elems[i].cart < 0)
			return &lib->elems[i];
	return NULL;
}

/* Drops lib->carts[cart]; elements and drives naming later cartridges are renumbered.
 * The cartridge is in no element any more. */
static void lib__cart_drop(struct lib *lib, int32_t cart)
{
	memmove(&lib->carts[cart], &lib->carts[cart + 1],
		(lib->n_carts - (size_t)cart - 1) * sizeof *lib->carts);
	lib->n_carts--;
	for (size_t i = 0; i < lib->n_elems; i++)
		if (lib->elems[i].cart > cart)
			lib->elems[i].cart--;
	for (size_t i = 0; i < lib->cfg.drives; i++)
		if (lib->drives[i].cart > cart)
			lib->drives[i].cart--;
}

/* Cartridge `cart` is no longer listed: export it unless a drive holds it. */
static void lib__cart_leave(struct lib *lib, int32_t cart, struct lib__carts_delta *d)
{
	const char *bc = lib->carts[cart].barcode;
	struct lib_elem *e = lib__elem_of(lib, cart);
	if (e && e->type == LIB_ELEM_DRIVE) {
		vtl_log(LOG_WARN, "LIB_CART_IN_DRIVE", "lib=%s cart=%s drive=0x%04x reason=\"removed "
			"from the configuration; stays until unloaded\"", lib->cfg.name, bc, e->addr);
		return;
	}
	if (e) {
		e->cart = -1;
		e->src_valid = false;
		d->ua |= e->type == LIB_ELEM_IE ? LIB_UA_IE_OPENED : LIB_UA_MEDIUM_CHANGED;
	}
	vtl_log(LOG_INFO, "LIB_CART_REMOVED", "lib=%s cart=%s elem=0x%04x", lib->cfg.name, bc,
		e ? e->addr : 0);
	snprintf(d->removed[d->n_removed++], sizeof d->removed[0], "%s", bc);
	lib__cart_drop(lib, cart);
	d->changed = true;
}

/* Cartridge k is new: import it into an empty I/E slot, else a storage slot. */
static int lib__cart_arrive(struct lib *lib, const struct lib_cart_spec *k,
			    struct lib__carts_delta *d)
{
	struct lib_elem *e = lib__first_empty(lib, LIB_ELEM_IE);
	if (!e)
		e = lib__first_empty(lib, LIB_ELEM_STORAGE);
	if (!e) {
		vtl_log(LOG_WARN, "LIB_CART_NO_ROOM", "lib=%s cart=%s reason=\"no empty import/export "
			"or storage slot; placed at the next configuration change\"", lib->cfg.name,
			k->barcode);
		return 0;
	}
	int rc = lib__cart_append(lib, k->barcode, k->capacity, false);
	if (rc)
		return rc;
	e->cart = (int32_t)(lib->n_carts - 1);
	e->src_valid = false;
	d->ua |= e->type == LIB_ELEM_IE ? LIB_UA_IE_OPENED : LIB_UA_MEDIUM_CHANGED;
	d->changed = true;
	vtl_log(LOG_INFO, "LIB_CART_ADDED", "lib=%s cart=%s elem=0x%04x", lib->cfg.name,
		k->barcode, e->addr);
	return 0;
}

static int lib__name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Adds what the list has and the library has not. */
static int lib__carts_add(struct lib *lib, const struct lib_config *cfg, struct lib__carts_delta *d)
{
	size_t n = lib->n_carts;
	char (*have)[LIB_BARCODE_MAX + 1] = malloc((n + 1) * sizeof *have);
	if (!have)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		memcpy(have[i], lib->carts[i].barcode, sizeof have[i]);
	qsort(have, n, sizeof *have, lib__name_cmp);
	int rc = 0;
	for (size_t i = 0; i < cfg->n_cart_list && !rc; i++) {
		const struct lib_cart_spec *k = &cfg->cart_list[i];
		if (!bsearch(k->barcode, have, n, sizeof *have, lib__name_cmp))
			rc = lib__cart_arrive(lib, k, d);
	}
	free(have);
	return rc;
}

int lib__carts_apply(struct lib *lib, const struct lib_config *cfg, struct lib__carts_delta *d)
{
	memset(d, 0, sizeof *d);
	if (!cfg->has_cart_list)
		return 0;
	const struct lib_cart_spec **want = lib__sorted(cfg);
	d->removed = malloc((lib->n_carts + 1) * sizeof *d->removed);
	int rc = want && d->removed ? 0 : -ENOMEM;
	/* removals first: they may free the slots the additions need */
	for (int32_t i = (int32_t)lib->n_carts - 1; !rc && i >= 0; i--) {
		struct lib_cart *c = &lib->carts[i];
		const struct lib_cart_spec *k = lib__find(want, cfg->n_cart_list, c->barcode);
		if (!k) {
			lib__cart_leave(lib, i, d);
		} else if (k->capacity != c->capacity) {
			c->capacity = k->capacity;      /* takes effect at the next load */
			d->changed = true;
		}
	}
	if (!rc)
		rc = lib__carts_add(lib, cfg, d);
	free(want);
	return rc;
}

void lib__carts_finish(struct lib *lib, struct lib__carts_delta *d, bool saved)
{
	for (size_t i = 0; saved && i < d->n_removed; i++) {
		char name[LIB__TAPE_NAME_MAX];
		lib__tape_name(lib, d->removed[i], name);
		int rc = store_tape_destroy(lib->store, name);
		if (rc)
			vtl_log(LOG_ERROR, "LIB_CART_DELETE_FAILED", "lib=%s cart=%s rc=%d",
				lib->cfg.name, d->removed[i], rc);
	}
	free(d->removed);
	memset(d, 0, sizeof *d);
}

int lib_sync_cartridges(struct lib *lib, const struct lib_config *cfg)
{
	if (!cfg->has_cart_list)
		return 0;
	const char *why = lib__list_check(cfg);
	if (why) {
		vtl_log(LOG_ERROR, "LIB_CONFIG_INVALID", "lib=%s reason=\"%s\"", lib->cfg.name, why);
		return -EINVAL;
	}
	struct lib__carts_delta d;
	pthread_mutex_lock(&lib->lus[0].lock);
	for (size_t i = 1; i < lib->n_lus; i++)
		pthread_mutex_lock(&lib->lus[i].lock);
	int rc = lib__carts_apply(lib, cfg, &d);
	if (!rc && d.changed)
		rc = lib__state_save(lib);
	if (d.ua)
		lib_ua_raise(&lib->lus[0], d.ua, NULL);
	for (size_t i = lib->n_lus - 1; i >= 1; i--)
		pthread_mutex_unlock(&lib->lus[i].lock);
	pthread_mutex_unlock(&lib->lus[0].lock);
	if (rc)
		vtl_log(LOG_ERROR, "LIB_SYNC_FAILED", "lib=%s rc=%d", lib->cfg.name, rc);
	lib__carts_finish(lib, &d, rc == 0);
	return rc;
}

int lib_destroy(struct lib *lib)
{
	if (!lib)
		return 0;
	for (size_t i = 0; i < lib->cfg.drives; i++) {
		store_tape_close(lib->drives[i].tape);  /* store_tape_destroy refuses open tapes */
		lib->drives[i].tape = NULL;
	}
	/* the way in first (a standalone library's name record), then the record: a crash
	 * in between leaves unreferenced data under an id nothing leads to any more, never a
	 * library whose cartridges lost their data, nor an id that comes back to life */
	int rc = lib__ident_forget(lib);
	if (!rc)
		rc = lib__state_delete(lib);
	bool unreferenced = rc == 0;
	size_t gone = 0;
	for (size_t i = 0; unreferenced && i < lib->n_carts; i++) {
		char name[LIB__TAPE_NAME_MAX];
		lib__tape_name(lib, lib->carts[i].barcode, name);
		int r = store_tape_destroy(lib->store, name);
		gone += r == 0;
		if (r && !rc)
			rc = r;
	}
	vtl_log(rc ? LOG_ERROR : LOG_INFO, "LIB_DESTROYED", "lib=%s id=%s carts=%zu rc=%d",
		lib->cfg.name, lib->id, gone, rc);
	lib_close(lib);
	return rc;
}

int lib_purge(struct store *store, const struct lib_config *cfg)
{
	char id[LIB_ID_LEN + 1], key[LIB__KEY_MAX];
	void *val = NULL;
	size_t len = 0;
	int rc = lib__ident_lookup(store, cfg, id);
	if (!rc) {
		lib__state_key(id, key);
		rc = store_kv_get(store, key, &val, &len);
		free(val);
	}
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	/* open it as it is stored: nothing generated, nothing reconciled */
	struct lib_config c = *cfg;
	c.has_cart_list = false;
	c.cart_list = NULL;
	c.n_cart_list = 0;
	c.cartridges = 0;
	struct lib *lib = NULL;
	rc = lib_open(store, &c, &lib);
	return rc ? rc : lib_destroy(lib);
}
