/* lib_int.h - shared inside node/lib: the persistent state record. */
#ifndef VTL_NODE_LIB_INT_H
#define VTL_NODE_LIB_INT_H

#include "node/lib/lib.h"

/* Loads the library's persistent state (id, cartridges, element map) from the store into
 * lib (whose elems are already laid out from cfg). -ENOENT if the library is new. */
int lib__state_load(struct lib *lib);
/* Writes id, cartridges and element map as one record, synced: every move is atomic. */
int lib__state_save(struct lib *lib);

int lib__cart_append(struct lib *lib, const char *barcode, uint64_t capacity, bool wp);

#endif
