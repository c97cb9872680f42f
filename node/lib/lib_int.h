/* lib_int.h - shared inside node/lib: a library's identity in the store, its persistent
 * state record and the inventory changes an explicit cartridge list makes.
 *
 * Everything a library stores is named by its persistent id (lib->id), never by its name
 * or by barcodes alone: the element map is "lib/<id>/state", a cartridge's tape is
 * "<id>_<barcode>". Only a standalone library (no id in its config) finds its id by name,
 * through "libname/<name>". */
#ifndef VTL_NODE_LIB_INT_H
#define VTL_NODE_LIB_INT_H

#include "node/lib/lib.h"

struct rd;

/* Room for any store key of node/lib, NUL included. */
#define LIB__KEY_MAX (16 + LIB_NAME_MAX + LIB_ID_LEN)
/* A cartridge's tape name "<id>_<barcode>", NUL included. */
#define LIB__TAPE_NAME_MAX (LIB_ID_LEN + 1 + LIB_BARCODE_MAX + 1)

/* --- identity (lib_ident.c) --------------------------------------------------------- */
/* true if id is LIB_ID_LEN lower-case hex digits. */
bool lib__id_valid(const char *id);
/* Sets lib->id and loads the library's state (lib__state_load), or finds it new (*fresh):
 *  - a config id is the id; no state under it = a new library, whatever else the store
 *    holds under the same name (logged once as LIB_OTHER_DATA, left alone);
 *  - no config id: the id recorded for the name, else a new one, recorded (synced)
 *    before anything is stored under it.
 * 0 or -errno (-EBADMSG: a corrupt record). */
int lib__ident_resolve(struct lib *lib, bool *fresh);
/* The id a library of this config has in the store: cfg->id, or for a standalone config
 * the one recorded for its name. -ENOENT when it has none. */
int lib__ident_lookup(struct store *store, const struct lib_config *cfg, char id[LIB_ID_LEN + 1]);
/* A destroyed standalone library's name record goes, if it still names lib->id. */
int lib__ident_forget(struct lib *lib);
/* The store's tape name of a cartridge of lib. */
void lib__tape_name(const struct lib *lib, const char *barcode, char out[LIB__TAPE_NAME_MAX]);

/* --- the state record (lib_state.c) ------------------------------------------------- */
/* Loads the library's persistent state (cartridges, element map) stored under lib->id
 * into lib (whose elems are already laid out from cfg). -ENOENT if there is none. */
int lib__state_load(struct lib *lib);
/* Writes id, name, cartridges and element map as one record, synced: every move is atomic. */
int lib__state_save(struct lib *lib);
/* Removes the record (synced). 0 also when there was none. */
int lib__state_delete(struct lib *lib);
/* The store key of a library's record: "lib/<id>/state". */
void lib__state_key(const char *id, char key[LIB__KEY_MAX]);
/* Reads the head of a state record (version, id, name) from r. 0 or -EBADMSG. */
int lib__state_head(struct rd *r, char id[LIB_ID_LEN + 1], char name[LIB_NAME_MAX]);

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
