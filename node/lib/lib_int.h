/* lib_int.h - shared inside node/lib: the persistent state record and the inventory
 * changes an explicit cartridge list makes. */
#ifndef VTL_NODE_LIB_INT_H
#define VTL_NODE_LIB_INT_H

#include "node/lib/lib.h"

/* Loads the library's persistent state (id, cartridges, element map) from the store into
 * lib (whose elems are already laid out from cfg). -ENOENT if the library is new. */
int lib__state_load(struct lib *lib);
/* Writes id, cartridges and element map as one record, synced: every move is atomic. */
int lib__state_save(struct lib *lib);
/* Removes the record (synced). 0 also when there was none. */
int lib__state_delete(struct lib *lib);
/* The store key of a library's record: "lib/<name>/state". */
void lib__state_key(const char *name, char *key, size_t cap);

int lib__cart_append(struct lib *lib, const char *barcode, uint64_t capacity, bool wp);

/* Why a cartridge list cannot be used (too many, bad barcode or capacity, a barcode
 * twice), or NULL. */
const char *lib__list_check(const struct lib_config *cfg);

/* What applying a cartridge list to the in-memory inventory changed (lib_carts.c). */
struct lib__carts_delta {
	uint32_t ua;                    /* enum lib_ua bits for every nexus of the changer */
	bool changed;                   /* the element map must be saved */
	char (*removed)[LIB_BARCODE_MAX + 1];   /* their tape data goes once that is saved */
	size_t n_removed;
};
/* Adds and removes cartridges so the inventory follows cfg's list (rules at
 * lib_sync_cartridges). The caller owns lib alone or holds the locks lib.h names. Fills
 * *d (zeroed first); 0 or -ENOMEM (d then holds what was done so far). */
int lib__carts_apply(struct lib *lib, const struct lib_config *cfg, struct lib__carts_delta *d);
/* Ends d: when `saved` (the element map without them is durable), deletes the removed
 * cartridges' tape data; frees d's memory either way. */
void lib__carts_finish(struct lib *lib, struct lib__carts_delta *d, bool saved);

#endif
