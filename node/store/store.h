/* store.h - a node's durable state: one RocksDB database plus per-cartridge data.
 *
 * Two kinds of data (DESIGN.md, "Data model and durability"):
 *  - small records (library element maps, cartridge metadata, drive state) in a key/value
 *    space: store_kv_*; each put is atomic; `sync` makes it durable before returning.
 *  - tape contents: a tape (one cartridge's data) is a sequence of objects (data blocks
 *    and filemarks) addressed by object number 0..eod-1. Writing object k discards every object >= k
 *    (tape semantics). Writes are buffered; store_tape_sync() is the sync point: everything
 *    written before it survives kill -9 and power loss, byte-exact. After a crash the tape
 *    ends at a clean end of data no earlier than the last sync point; a torn object is
 *    never read back as data.
 *
 * Errors: 0 or a negative errno (-ENOENT: no such record/object, -EIO: storage failure,
 * -ENOSPC: cartridge full, -EINVAL: bad argument, -EBADMSG: corrupt record on disk).
 * RocksDB messages are logged once here and never leak above.
 *
 * Concurrency: the store and its key/value calls are safe from any thread. A struct
 * store_tape is used by one thread at a time (its drive's lock); different tapes may be
 * used concurrently. A tape is open at most once: a second store_tape_open of the same
 * name, or store_tape_destroy of an open one, fails with -EBUSY.
 *
 * On-disk format, recovery rule and measured rates: docs/store.md. The files: store.c
 * (RocksDB, key/value), tape_open.c (open, close, destroy), tape_recover.c (the recovery
 * rule), tape_io.c (read, write, truncate, sync), tape_index.c (in-memory object index),
 * tape_fmt.c (on-disk encodings). The checksum is common/crc32c.c. */
#ifndef VTL_NODE_STORE_H
#define VTL_NODE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_tape;

int store_open(const char *dir, struct store **out);   /* creates dir if missing */
void store_close(struct store *s);                      /* accepts NULL */

/* --- small records --------------------------------------------------------------- */
int store_kv_put(struct store *s, const char *key, const void *val, size_t len, bool sync);
/* On success *val is malloc'ed (caller frees with free()), *len its size. -ENOENT if absent. */
int store_kv_get(struct store *s, const char *key, void **val, size_t *len);
int store_kv_delete(struct store *s, const char *key, bool sync);
/* Calls fn for every key starting with prefix, in key order; fn returning non-zero stops
 * the scan and is returned. key and val are valid only during the call. */
int store_kv_scan(struct store *s, const char *prefix,
		  int (*fn)(void *arg, const char *key, const void *val, size_t len), void *arg);

/* --- tape contents --------------------------------------------------------------- */
enum store_obj_type { STORE_OBJ_BLOCK = 1, STORE_OBJ_FILEMARK = 2 };

/* Largest object: SSC-3 READ BLOCK LIMITS reports the maximum block length in 3 bytes. */
#define STORE_OBJ_MAX_LEN 0xFFFFFFu

/* A tape is named by its owner with an opaque tape name: 1..STORE_TAPE_NAME_MAX characters
 * of [A-Za-z0-9_] (names name files, so nothing else may pass); anything else is -EINVAL.
 * The store gives names no meaning: node/lib makes them "<library id>_<barcode>", so two
 * libraries with the same barcodes never share data. */
#define STORE_TAPE_NAME_MAX 64

struct store_obj {
	uint8_t type;       /* enum store_obj_type */
	uint32_t len;       /* data length (0 for a filemark) */
};

/* Opens (creating if absent) the tape `name`. `capacity` is the cartridge's native
 * capacity in bytes: writes beyond it fail with -ENOSPC. */
int store_tape_open(struct store *s, const char *name, uint64_t capacity, struct store_tape **out);
void store_tape_close(struct store_tape *t);            /* syncs; accepts NULL */

uint64_t store_tape_eod(const struct store_tape *t);    /* number of objects */
uint64_t store_tape_used(const struct store_tape *t);   /* bytes of data held */
uint64_t store_tape_capacity(const struct store_tape *t);

/* Type and length of object n (n < eod), or -ENOENT. */
int store_tape_stat(struct store_tape *t, uint64_t n, struct store_obj *obj);

/* Reads object n: its type and full length into *obj, and min(len, cap) data bytes into buf.
 * -EBADMSG if the stored object fails its checksum (the whole object is checked). */
int store_tape_read(struct store_tape *t, uint64_t n, void *buf, size_t cap, struct store_obj *obj);

/* Writes object n (n <= eod): discards objects >= n first, then appends. A filemark has
 * len 0 and data NULL; a block has 1..STORE_OBJ_MAX_LEN bytes. -ENOSPC if the data would
 * pass the capacity (nothing written, nothing discarded). */
int store_tape_write(struct store_tape *t, uint64_t n, uint8_t type, const void *data, uint32_t len);

/* Discards objects >= n (ERASE, or writing from the middle). */
int store_tape_truncate(struct store_tape *t, uint64_t n);

/* The sync point: returns when every object written so far is durable. */
int store_tape_sync(struct store_tape *t);

/* Nearest filemark at object number >= from (dir > 0) or < from (dir < 0); -ENOENT if none.
 * Used by SPACE and by block spacing that must stop at a filemark. */
int store_tape_find_filemark(struct store_tape *t, uint64_t from, int dir, uint64_t *n);

/* Removes a tape's data entirely (cartridge deleted). 0 also when it had none. */
int store_tape_destroy(struct store *s, const char *name);

#endif
