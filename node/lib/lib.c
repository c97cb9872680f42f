/* lib.c - a library's lifetime, element lookups, moves and per-nexus SPC state.
 * See lib.h for the model and the locking rules. */
#include "node/lib/lib.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "node/lib/lib_int.h"
#include "node/store/store.h"

#define LIB__MAX_NEXUS 1024     /* per LU; older unreserved entries are recycled past it */

void lib_config_defaults(struct lib_config *c, const char *name)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->drives = 2;
	c->slots = 20;
	c->ie_slots = 4;
	c->cartridges = 10;
	c->capacity = UINT64_C(4) << 30;
	snprintf(c->barcode_prefix, sizeof c->barcode_prefix, "VT");
	snprintf(c->media, sizeof c->media, "L8");
	snprintf(c->changer_vendor, sizeof c->changer_vendor, "IBM");
	snprintf(c->changer_product, sizeof c->changer_product, "03584L32");
	snprintf(c->changer_rev, sizeof c->changer_rev, "0100");
	snprintf(c->drive_vendor, sizeof c->drive_vendor, "IBM");
	snprintf(c->drive_product, sizeof c->drive_product, "ULT3580-TD8");
	snprintf(c->drive_rev, sizeof c->drive_rev, "Q380");
}

void lib_config_fini(struct lib_config *c)
{
	free(c->cart_list);
	c->cart_list = NULL;
	c->n_cart_list = 0;
	c->has_cart_list = false;
}

static int lib__validate(const struct lib_config *c)
{
	const char *why = NULL;
	if (!c->name[0])
		why = "empty name";
	for (const char *p = c->name; *p && !why; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			why = "name may hold only letters, digits, '-' and '_'";
	if (!why && (c->drives < 1 || c->drives > LIB_MAX_DRIVES))
		why = "drives must be 1..64";
	if (!why && (c->slots < 1 || c->slots > LIB_MAX_SLOTS))
		why = "slots must be 1..4096";
	if (!why && c->ie_slots > LIB_MAX_IE)
		why = "ie_slots must be 0..64";
	if (!why && !c->has_cart_list && c->cartridges > c->slots)
		why = "more cartridges than slots";
	if (!why && c->has_cart_list)
		why = lib__list_check(c);
	if (!why && c->id[0] && !lib__id_valid(c->id))
		why = "id must be 32 lower-case hex digits";
	if (!why && c->capacity < (1u << 20))
		why = "cartridge capacity below 1 MiB";
	if (!why && strlen(c->barcode_prefix) + 4 + strlen(c->media) > LIB_BARCODE_MAX)
		why = "barcode prefix and media too long";
	if (why) {
		vtl_log(LOG_ERROR, "LIB_CONFIG_INVALID", "lib=%s reason=\"%s\"", c->name, why);
		return -EINVAL;
	}
	return 0;
}

int lib__cart_append(struct lib *lib, const char *barcode, uint64_t capacity, bool wp)
{
	if (lib->n_carts == lib->cap_carts) {
		size_t cap = lib->cap_carts ? lib->cap_carts * 2 : 32;
		struct lib_cart *c = realloc(lib->carts, cap * sizeof *c);
		if (!c)
			return -ENOMEM;
		lib->carts = c;
		lib->cap_carts = cap;
	}
	struct lib_cart *c = &lib->carts[lib->n_carts++];
	memset(c, 0, sizeof *c);
	snprintf(c->barcode, sizeof c->barcode, "%s", barcode);
	c->capacity = capacity;
	c->write_protect = wp;
	return 0;
}

static void lib__layout(struct lib *lib)
{
	const struct lib_config *c = &lib->cfg;
	size_t k = 0;
	lib->elems[k++] = (struct lib_elem){.addr = LIB_ADDR_TRANSPORT, .type = LIB_ELEM_TRANSPORT, .cart = -1};
	for (uint16_t i = 0; i < c->drives; i++)
		lib->elems[k++] = (struct lib_elem){.addr = (uint16_t)(LIB_ADDR_DRIVE0 + i), .type = LIB_ELEM_DRIVE, .cart = -1};
	for (uint16_t i = 0; i < c->ie_slots; i++)
		lib->elems[k++] = (struct lib_elem){.addr = (uint16_t)(LIB_ADDR_IE0 + i), .type = LIB_ELEM_IE, .cart = -1};
	for (uint16_t i = 0; i < c->slots; i++)
		lib->elems[k++] = (struct lib_elem){.addr = (uint16_t)(LIB_ADDR_SLOT0 + i), .type = LIB_ELEM_STORAGE, .cart = -1};
	lib->n_elems = k;
}

static bool lib__has_barcode(const struct lib *lib, const char *bc)
{
	for (size_t i = 0; i < lib->n_carts; i++)
		if (!strcmp(lib->carts[i].barcode, bc))
			return true;
	return false;
}

/* Generates cartridges <prefix>NNNN<media> up to cfg.cartridges, into free slots. */
static int lib__generate_carts(struct lib *lib)
{
	size_t slot = 0;
	for (uint32_t i = 1; lib->n_carts < lib->cfg.cartridges && i <= 9999; i++) {
		char bc[LIB_BARCODE_MAX + 1];
		snprintf(bc, sizeof bc, "%s%04u%s", lib->cfg.barcode_prefix, i, lib->cfg.media);
		if (lib__has_barcode(lib, bc))
			continue;
		while (slot < lib->n_elems && (lib->elems[slot].type != LIB_ELEM_STORAGE || lib->elems[slot].cart >= 0))
			slot++;
		if (slot == lib->n_elems)
			return -ENOSPC;
		int rc = lib__cart_append(lib, bc, lib->cfg.capacity, false);
		if (rc)
			return rc;
		lib->elems[slot].cart = (int32_t)(lib->n_carts - 1);
	}
	return 0;
}

/* A new library with a cartridge list: the listed cartridges fill the first slots. */
static int lib__place_list(struct lib *lib, const struct lib_config *cfg)
{
	size_t slot = 0;
	for (size_t i = 0; i < cfg->n_cart_list; i++) {
		const struct lib_cart_spec *k = &cfg->cart_list[i];
		while (slot < lib->n_elems && (lib->elems[slot].type != LIB_ELEM_STORAGE || lib->elems[slot].cart >= 0))
			slot++;
		if (slot == lib->n_elems)
			return -ENOSPC;
		int rc = lib__cart_append(lib, k->barcode, k->capacity, false);
		if (rc)
			return rc;
		lib->elems[slot].cart = (int32_t)(lib->n_carts - 1);
	}
	return 0;
}

static void lib__drive_init(struct lib *lib, size_t i)
{
	struct lib_drive *d = &lib->drives[i];
	d->lu = &lib->lus[i + 1];
	d->elem_addr = (uint16_t)(LIB_ADDR_DRIVE0 + i);
	d->cart = -1;
	d->buffered = true;     /* LTO drives power on in buffered mode 1 (SSC-4 8.3) */
	/* serial: 8 hex digits of the library id + drive number, same on every node */
	snprintf(d->serial, sizeof d->serial, "%.8s%02zu", lib->id, i + 1);
	for (char *p = d->serial; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* Puts cartridge `cart`, whose tape is open, into drive d: loaded at BOT (auto-load). */
static void lib__drive_take(struct lib_drive *d, int32_t cart, struct store_tape *tape)
{
	d->tape = tape;
	d->cart = cart;
	d->loaded = true;
	d->pos = 0;
	d->dirty = false;
	d->early_warning = false;
	d->bytes_read = d->bytes_written = 0;
}

/* Opens the tape of cartridge `cart` for the drive at `addr`; logs why not. */
static int lib__tape_open(struct lib *lib, int32_t cart, uint16_t addr, struct store_tape **tape)
{
	const struct lib_cart *c = &lib->carts[cart];
	char name[LIB__TAPE_NAME_MAX];
	lib__tape_name(lib, c->barcode, name);
	int rc = store_tape_open(lib->store, name, c->capacity, tape);
	if (rc)
		vtl_log(LOG_ERROR, "LIB_TAPE_OPEN_FAILED", "lib=%s cart=%s drive=0x%04x rc=%d",
			lib->cfg.name, c->barcode, addr, rc);
	return rc;
}

/* Opens the tape of cartridge `cart` and puts it into drive d. */
static int lib__drive_insert(struct lib *lib, struct lib_drive *d, int32_t cart)
{
	struct store_tape *tape = NULL;
	int rc = lib__tape_open(lib, cart, d->elem_addr, &tape);
	if (!rc)
		lib__drive_take(d, cart, tape);
	return rc;
}

/* Takes the cartridge out of drive d; returns its still-open tape (caller closes it or
 * hands it to another drive). */
static struct store_tape *lib__drive_release(struct lib_drive *d)
{
	struct store_tape *tape = d->tape;
	d->tape = NULL;
	d->cart = -1;
	d->loaded = false;
	d->dirty = false;
	d->pos = 0;
	return tape;
}

static void lib__drive_eject(struct lib_drive *d)
{
	store_tape_close(lib__drive_release(d));
}

static int lib__alloc(struct lib *lib)
{
	const struct lib_config *c = &lib->cfg;
	lib->n_lus = (size_t)c->drives + 1;
	lib->lus = calloc(lib->n_lus, sizeof *lib->lus);
	lib->drives = calloc(c->drives, sizeof *lib->drives);
	lib->elems = calloc((size_t)1 + c->drives + c->ie_slots + c->slots, sizeof *lib->elems);
	if (!lib->lus || !lib->drives || !lib->elems)
		return -ENOMEM;
	for (size_t i = 0; i < lib->n_lus; i++) {
		pthread_mutex_init(&lib->lus[i].lock, NULL);
		lib->lus[i].lun = i;
	}
	return 0;
}

int lib_open(struct store *store, const struct lib_config *cfg, struct lib **out)
{
	int rc = lib__validate(cfg);
	if (rc)
		return rc;
	struct lib *lib = calloc(1, sizeof *lib);
	struct lib__carts_delta delta = {0};
	if (!lib)
		return -ENOMEM;
	lib->cfg = *cfg;
	lib->cfg.cart_list = NULL;      /* borrowed for this call only */
	lib->cfg.n_cart_list = 0;
	lib->store = store;
	rc = lib__alloc(lib);
	if (rc)
		goto fail;
	lib__layout(lib);
	bool fresh = false;
	rc = lib__ident_resolve(lib, &fresh);
	if (rc)
		goto fail;
	for (size_t i = 0; i < cfg->drives; i++) {
		lib__drive_init(lib, i);
		struct lib_elem *e = lib_elem(lib, lib->drives[i].elem_addr);
		if (e->cart >= 0 && (rc = lib__drive_insert(lib, &lib->drives[i], e->cart)))
			goto fail;
	}
	if (!cfg->has_cart_list)
		rc = lib__generate_carts(lib);
	else if (fresh)
		rc = lib__place_list(lib, cfg);
	else
		rc = lib__carts_apply(lib, cfg, &delta);
	if (!rc)
		rc = lib__state_save(lib);
	if (rc)
		goto fail;
	lib__carts_finish(lib, &delta, true);
	vtl_log(LOG_INFO, "LIB_OPEN", "lib=%s id=%s drives=%u slots=%u carts=%zu fresh=%d",
		cfg->name, lib->id, cfg->drives, cfg->slots, lib->n_carts, fresh);
	*out = lib;
	return 0;
fail:
	lib__carts_finish(lib, &delta, false);
	lib_close(lib);
	return rc;
}

void lib_close(struct lib *lib)
{
	if (!lib)
		return;
	for (size_t i = 0; lib->drives && i < lib->cfg.drives; i++)
		if (lib->drives[i].tape)
			lib__drive_eject(&lib->drives[i]);
	for (size_t i = 0; lib->lus && i < lib->n_lus; i++) {
		pthread_mutex_destroy(&lib->lus[i].lock);
		free(lib->lus[i].nexus);
	}
	free(lib->lus);
	free(lib->drives);
	free(lib->elems);
	free(lib->carts);
	free(lib);
}

struct lib_lu *lib_lu(struct lib *lib, uint64_t lun)
{
	return lun < lib->n_lus ? &lib->lus[lun] : NULL;
}

struct lib_drive *lib_drive_of_lu(struct lib *lib, uint64_t lun)
{
	return lun >= 1 && lun < lib->n_lus ? &lib->drives[lun - 1] : NULL;
}

struct lib_elem *lib_elem(struct lib *lib, uint16_t addr)
{
	/* the layout is fixed and dense per type, so this is arithmetic, not a search */
	size_t base;
	uint16_t first, count;
	const struct lib_config *c = &lib->cfg;
	if (addr == LIB_ADDR_TRANSPORT)
		return &lib->elems[0];
	if (addr >= LIB_ADDR_SLOT0) {
		base = 1u + c->drives + c->ie_slots, first = LIB_ADDR_SLOT0, count = c->slots;
	} else if (addr >= LIB_ADDR_IE0) {
		base = 1u + c->drives, first = LIB_ADDR_IE0, count = c->ie_slots;
	} else if (addr >= LIB_ADDR_DRIVE0) {
		base = 1, first = LIB_ADDR_DRIVE0, count = c->drives;
	} else {
		return NULL;
	}
	if ((uint32_t)(addr - first) >= count)
		return NULL;
	return &lib->elems[base + (addr - first)];
}

struct lib_drive *lib_drive_at(struct lib *lib, uint16_t addr)
{
	if (addr < LIB_ADDR_DRIVE0 || addr >= LIB_ADDR_DRIVE0 + lib->cfg.drives)
		return NULL;
	return &lib->drives[addr - LIB_ADDR_DRIVE0];
}

const struct lib_cart *lib_cart_at(const struct lib *lib, const struct lib_elem *e)
{
	return e && e->cart >= 0 ? &lib->carts[e->cart] : NULL;
}

int lib_move(struct lib *lib, uint16_t src, uint16_t dst)
{
	struct lib_elem *s = lib_elem(lib, src), *d = lib_elem(lib, dst);
	if (!s || !d || s->cart < 0 || d->cart >= 0 || s == d)
		return -EINVAL;
	struct lib_drive *sd = lib_drive_at(lib, src), *dd = lib_drive_at(lib, dst);
	int32_t cart = s->cart;
	/* the tape the destination drive will hold: the source drive's own (a cartridge is
	 * open at most once in the store), or newly opened from a slot */
	struct store_tape *tape = sd ? sd->tape : NULL;
	int rc = 0;
	if (dd && !sd && (rc = lib__tape_open(lib, cart, dst, &tape)))
		return rc;
	struct lib_elem olds = *s, oldd = *d;
	d->cart = cart;
	/* SMC-3 source address: the last storage/IE element, so a tape can go home */
	d->src_valid = true;
	d->src_addr = (s->type == LIB_ELEM_STORAGE || s->type == LIB_ELEM_IE || !s->src_valid) ? s->addr : s->src_addr;
	s->cart = -1;
	s->src_valid = false;
	lib->carts[cart].load_count += dd ? 1 : 0;
	rc = lib__state_save(lib);
	if (rc) {
		*s = olds;
		*d = oldd;
		lib->carts[cart].load_count -= dd ? 1 : 0;
		if (dd && !sd)
			store_tape_close(tape);
		vtl_log(LOG_ERROR, "LIB_MOVE_FAILED", "lib=%s cart=%s src=0x%04x dst=0x%04x rc=%d",
			lib->cfg.name, lib->carts[cart].barcode, src, dst, rc);
		return rc;
	}
	if (sd) {
		lib__drive_release(sd);
		if (!dd)
			store_tape_close(tape);    /* syncs: the cartridge leaves the drive */
	}
	if (dd) {
		lib__drive_take(dd, cart, tape);
		lib_ua_raise(dd->lu, LIB_UA_MEDIUM_CHANGED, NULL);
	}
	vtl_log(LOG_INFO, "LIB_MOVE", "lib=%s cart=%s src=0x%04x dst=0x%04x", lib->cfg.name,
		lib->carts[cart].barcode, src, dst);
	return 0;
}

static bool lib__nexus_pinned(const struct lib_lu *lu, const struct lib_nexus *n)
{
	return n->pr_registered || (lu->reserved && scsi_nexus_equal(&lu->reserver, &n->nexus));
}

struct lib_nexus *lib_nexus_get(struct lib_lu *lu, const struct scsi_nexus *nx)
{
	for (size_t i = 0; i < lu->n_nexus; i++)
		if (scsi_nexus_equal(&lu->nexus[i].nexus, nx))
			return &lu->nexus[i];
	struct lib_nexus *slot = NULL;
	if (lu->n_nexus == lu->cap_nexus && lu->cap_nexus >= LIB__MAX_NEXUS) {
		/* recycle the oldest entry that holds nothing another nexus depends on */
		for (size_t i = 0; i < lu->n_nexus && !slot; i++)
			if (!lib__nexus_pinned(lu, &lu->nexus[i]))
				slot = &lu->nexus[i];
		if (!slot)
			return NULL;
	} else {
		if (lu->n_nexus == lu->cap_nexus) {
			size_t cap = lu->cap_nexus ? lu->cap_nexus * 2 : 8;
			struct lib_nexus *p = realloc(lu->nexus, cap * sizeof *p);
			if (!p)
				return NULL;
			lu->nexus = p;
			lu->cap_nexus = cap;
		}
		slot = &lu->nexus[lu->n_nexus++];
	}
	memset(slot, 0, sizeof *slot);
	slot->nexus = *nx;
	slot->ua = LIB_UA_POWER_ON;   /* SPC-4 6.1: first contact sees a power-on condition */
	return slot;
}

void lib_nexus_forget(struct lib_lu *lu, const struct scsi_nexus *nx)
{
	for (size_t i = 0; i < lu->n_nexus; i++) {
		if (!scsi_nexus_equal(&lu->nexus[i].nexus, nx))
			continue;
		if (!lu->nexus[i].pr_registered)
			lu->nexus[i] = lu->nexus[--lu->n_nexus];
		return;
	}
}

void lib_ua_raise(struct lib_lu *lu, uint32_t ua, const struct scsi_nexus *except)
{
	for (size_t i = 0; i < lu->n_nexus; i++)
		if (!except || !scsi_nexus_equal(&lu->nexus[i].nexus, except))
			lu->nexus[i].ua |= ua;
}
