/* lib_state.c - the persistent record of a library: key "lib/<name>/state".
 *
 * Layout (little-endian, version 1):
 *   u8 version | 32 bytes id (hex) | u32 n_carts | n_carts x cart | u32 n_elems | n_elems x elem
 *   cart: u8 barcode_len | barcode | u64 capacity | u8 write_protect | u32 load_count
 *   elem: u16 addr | i32 cart index (-1 empty) | u16 src_addr | u8 src_valid
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

#define STATE__VERSION 1

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

void lib__state_key(const char *name, char *key, size_t cap)
{
	snprintf(key, cap, "lib/%s/state", name);
}

static void state__key(const struct lib *lib, char *key, size_t cap)
{
	lib__state_key(lib->cfg.name, key, cap);
}

int lib__state_delete(struct lib *lib)
{
	char key[LIB_NAME_MAX + 16];
	state__key(lib, key, sizeof key);
	int rc = store_kv_delete(lib->store, key, true);
	return rc == -ENOENT ? 0 : rc;
}

int lib__state_save(struct lib *lib)
{
	struct wbuf w = {0};
	char key[LIB_NAME_MAX + 16];
	wb__le(&w, STATE__VERSION, 1);
	wb__put(&w, lib->id, 32);
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
		state__key(lib, key, sizeof key);
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

int lib__state_load(struct lib *lib)
{
	char key[LIB_NAME_MAX + 16];
	void *val = NULL;
	size_t len = 0;
	state__key(lib, key, sizeof key);
	int rc = store_kv_get(lib->store, key, &val, &len);
	if (rc)
		return rc;
	struct rd r = rd_init(val, len);
	uint8_t version = rd_u8(&r);
	const uint8_t *id = rd_bytes(&r, 32);
	if (r.err || version != STATE__VERSION) {
		rc = -EBADMSG;
		goto out;
	}
	for (int i = 0; i < 32; i++) {
		if (!strchr("0123456789abcdef", id[i]) || !id[i]) {
			rc = -EBADMSG;
			goto out;
		}
	}
	memcpy(lib->id, id, 32);
	lib->id[32] = 0;
	rc = state__parse_carts(lib, &r);
	if (!rc)
		rc = state__parse_elems(lib, &r);
	if (!rc && rd_left(&r) != 0)
		rc = -EBADMSG;
out:
	if (rc == -EBADMSG)
		vtl_log(LOG_ERROR, "LIB_STATE_CORRUPT", "lib=%s key=%s", lib->cfg.name, key);
	free(val);
	return rc;
}
