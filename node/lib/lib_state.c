/* lib_state.c - the persistent record of a library: key "lib/<id>/state", <id> its
 * persistent id (32 lower-case hex digits). Keyed by id, not name: a library deleted while
 * this node was down and created again under its name is another library (lib_ident.c).
 *
 * Layout (little-endian, version 2; version 1 was keyed by name and is not read):
 *   u8 version | 32 bytes id (hex) | u8 name_len | name | u32 n_carts | n_carts x cart |
 *   u32 n_elems | n_elems x elem
 *   cart: u8 barcode_len | barcode | u64 capacity | u8 write_protect | u32 load_count
 *   elem: u16 addr | i32 cart index (-1 empty) | u16 src_addr | u8 src_valid
 * The name is what the library was called when last saved: it lets a new library of that
 * name find (and report) data left by an older one. The id inside must be the key's.
 * Read back with the bounded reader; anything inconsistent is -EBADMSG, never a crash.
 * Elements are matched by address, so a configuration that grows or shrinks the library
 * keeps every cartridge that still has an element to sit in (others go to free slots). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/lib/lib_int.h"
#include "node/store/store.h"

#define STATE__VERSION 2

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void wb__put(struct wbuf *w, const void *src, size_t n)
{
	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 1024;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void wb__le(struct wbuf *w, uint64_t v, int bytes)
{
	uint8_t b[8];
	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	wb__put(w, b, (size_t)bytes);
}

void lib__state_key(const char *id, char key[LIB__KEY_MAX])
{
	snprintf(key, LIB__KEY_MAX, "lib/%s/state", id);
}

int lib__state_delete(struct lib *lib)
{
	char key[LIB__KEY_MAX];
	lib__state_key(lib->id, key);
	int rc = store_kv_delete(lib->store, key, true);
	return rc == -ENOENT ? 0 : rc;
}

int lib__state_save(struct lib *lib)
{
	struct wbuf w = {0};
	char key[LIB__KEY_MAX];
	size_t nl = strlen(lib->cfg.name);
	wb__le(&w, STATE__VERSION, 1);
	wb__put(&w, lib->id, LIB_ID_LEN);
	wb__le(&w, nl, 1);
	wb__put(&w, lib->cfg.name, nl);
	wb__le(&w, lib->n_carts, 4);
	for (size_t i = 0; i < lib->n_carts; i++) {
		const struct lib_cart *c = &lib->carts[i];
		size_t bl = strlen(c->barcode);
		wb__le(&w, bl, 1);
		wb__put(&w, c->barcode, bl);
		wb__le(&w, c->capacity, 8);
		wb__le(&w, c->write_protect, 1);
		wb__le(&w, c->load_count, 4);
	}
	wb__le(&w, lib->n_elems, 4);
	for (size_t i = 0; i < lib->n_elems; i++) {
		const struct lib_elem *e = &lib->elems[i];
		wb__le(&w, e->addr, 2);
		wb__le(&w, (uint32_t)e->cart, 4);
		wb__le(&w, e->src_addr, 2);
		wb__le(&w, e->src_valid, 1);
	}
	int rc = w.err;
	if (!rc) {
		lib__state_key(lib->id, key);
		rc = store_kv_put(lib->store, key, w.p, w.len, true);
	}
	free(w.p);
	return rc;
}

static uint16_t rd__le16(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static int state__parse_carts(struct lib *lib, struct rd *r)
{
	uint32_t n = rd_le32(r);
	if (r->err || n > LIB_MAX_SLOTS + LIB_MAX_DRIVES + LIB_MAX_IE)
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		char bc[LIB_BARCODE_MAX + 1];
		uint8_t bl = rd_u8(r);
		const uint8_t *b = rd_bytes(r, bl);
		uint64_t cap = rd_le64(r);
		uint8_t wp = rd_u8(r);
		uint32_t loads = rd_le32(r);
		if (r->err || bl == 0 || bl > LIB_BARCODE_MAX)
			return -EBADMSG;
		memcpy(bc, b, bl);
		bc[bl] = 0;
		int rc = lib__cart_append(lib, bc, cap, wp != 0);
		if (rc)
			return rc;
		lib->carts[lib->n_carts - 1].load_count = loads;
	}
	return 0;
}

static int state__parse_elems(struct lib *lib, struct rd *r)
{
	uint32_t n = rd_le32(r);
	if (r->err || n > LIB_MAX_SLOTS + LIB_MAX_DRIVES + LIB_MAX_IE + 1)
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		uint16_t addr = rd__le16(r);
		int32_t cart = (int32_t)rd_le32(r);
		uint16_t src = rd__le16(r);
		uint8_t src_valid = rd_u8(r);
		if (r->err || cart < -1 || cart >= (int32_t)lib->n_carts)
			return -EBADMSG;
		if (cart < 0)
			continue;
		struct lib_elem *e = lib_elem(lib, addr);
		if (!e || e->cart >= 0) {
			/* the configuration no longer has this element: first free slot */
			e = NULL;
			for (size_t k = 0; k < lib->n_elems && !e; k++)
				if (lib->elems[k].type == LIB_ELEM_STORAGE && lib->elems[k].cart < 0)
					e = &lib->elems[k];
			if (!e) {
				vtl_log(LOG_ERROR, "LIB_STATE_NO_ROOM", "lib=%s cart=%s reason=no free slot",
					lib->cfg.name, lib->carts[cart].barcode);
				return -ENOSPC;
			}
			vtl_log(LOG_WARN, "LIB_STATE_RELOCATED", "lib=%s cart=%s from=0x%04x to=0x%04x",
				lib->cfg.name, lib->carts[cart].barcode, addr, e->addr);
		}
		e->cart = cart;
		e->src_addr = src;
		e->src_valid = src_valid != 0;
	}
	return 0;
}

int lib__state_head(struct rd *r, char id[LIB_ID_LEN + 1], char name[LIB_NAME_MAX])
{
	uint8_t version = rd_u8(r);
	const uint8_t *p = rd_bytes(r, LIB_ID_LEN);
	uint8_t nl = rd_u8(r);
	const uint8_t *n = rd_bytes(r, nl);
	if (r->err || version != STATE__VERSION || nl == 0 || nl >= LIB_NAME_MAX)
		return -EBADMSG;
	memcpy(id, p, LIB_ID_LEN);
	id[LIB_ID_LEN] = 0;
	memcpy(name, n, nl);
	name[nl] = 0;
	/* both came from outside the process: a NUL inside would hide the rest */
	return lib__id_valid(id) && strlen(name) == nl ? 0 : -EBADMSG;
}

int lib__state_load(struct lib *lib)
{
	char key[LIB__KEY_MAX];
	char id[LIB_ID_LEN + 1], name[LIB_NAME_MAX];
	void *val = NULL;
	size_t len = 0;
	lib__state_key(lib->id, key);
	int rc = store_kv_get(lib->store, key, &val, &len);
	if (rc)
		return rc;
	struct rd r = rd_init(val, len);
	rc = lib__state_head(&r, id, name);
	if (!rc && strcmp(id, lib->id))
		rc = -EBADMSG;          /* not the record its key names */
	if (!rc)
		rc = state__parse_carts(lib, &r);
	if (!rc)
		rc = state__parse_elems(lib, &r);
	if (!rc && rd_left(&r) != 0)
		rc = -EBADMSG;
	if (rc == -EBADMSG)
		vtl_log(LOG_ERROR, "LIB_STATE_CORRUPT", "lib=%s id=%s key=%s", lib->cfg.name,
			lib->id, key);
	free(val);
	return rc;
}
