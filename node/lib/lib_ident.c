/* lib_ident.c - a library's identity in the store: the id everything it stores is named by.
 *
 * Why an id and not the name or the barcodes: in a cluster a node keeps the data of
 * libraries that moved away from it, every library the manager creates gets the barcodes
 * VT0001L8... unless told otherwise, and a library deleted while a node was down may be
 * created again under its name (with a new id) before the node is back. Keyed by name or
 * barcode, such libraries would share element maps and tape data. Keyed by id they never
 * meet: what one library stores is invisible to every other.
 *
 * Records (docs/store.md):
 *   lib/<id>/state    the element map (lib_state.c)
 *   <id>_<barcode>    a cartridge's tape (a node/store tape name)
 *   libname/<name>    32 hex digits: the id of the standalone library <name> (a [library]
 *                     section of the node configuration carries no id). Libraries from
 *                     etcd carry their id and never read it. It has a prefix of its own
 *                     rather than lib/<name>/id: a name may itself be 32 hex digits, and
 *                     lib/ then holds only records named by id.
 *
 * A new library whose name some other id's state record also carries finds that data
 * here and logs it once, when it is created (LIB_OTHER_DATA). The data is left alone: it
 * belongs to another library, and only that library's deletion removes it.
 *
 * Concurrency: called by lib_open, lib_destroy and lib_purge on the caller's thread, for
 * a library no other thread can see yet (or any more). Store calls block on disk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"
#include "common/rd.h"
#include "node/lib/lib_int.h"
#include "node/store/store.h"

_Static_assert(LIB__TAPE_NAME_MAX - 1 <= STORE_TAPE_NAME_MAX, "tape names fit the store's");

bool lib__id_valid(const char *id)
{
	size_t n = 0;
	for (; id[n]; n++)
		if (!strchr("0123456789abcdef", id[n]))
			return false;
	return n == LIB_ID_LEN;
}

void lib__tape_name(const struct lib *lib, const char *barcode, char out[LIB__TAPE_NAME_MAX])
{
	snprintf(out, LIB__TAPE_NAME_MAX, "%s_%s", lib->id, barcode);
}

static void ident__name_key(const char *name, char key[LIB__KEY_MAX])
{
	snprintf(key, LIB__KEY_MAX, "libname/%s", name);
}

/* The id recorded for a standalone library's name: 0, -ENOENT, -EBADMSG or a store error. */
static int ident__name_get(struct store *store, const char *name, char id[LIB_ID_LEN + 1])
{
	char key[LIB__KEY_MAX];
	void *val = NULL;
	size_t len = 0;
	ident__name_key(name, key);
	int rc = store_kv_get(store, key, &val, &len);
	if (!rc && len != LIB_ID_LEN)
		rc = -EBADMSG;
	if (!rc) {
		memcpy(id, val, LIB_ID_LEN);
		id[LIB_ID_LEN] = 0;
		if (!lib__id_valid(id))
			rc = -EBADMSG;
	}
	if (rc == -EBADMSG)
		vtl_log(LOG_ERROR, "LIB_NAME_RECORD_CORRUPT", "lib=%s key=%s", name, key);
	free(val);
	return rc;
}

/* A standalone library seen for the first time: a random id, recorded (synced) before
 * anything is stored under it, so a crash can only lead back to the same id. */
static int ident__name_new(struct lib *lib)
{
	uint8_t raw[LIB_ID_LEN / 2];
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return -errno;
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(&lib->id[2 * i], 3, "%02x", raw[i]);
	char key[LIB__KEY_MAX];
	ident__name_key(lib->cfg.name, key);
	return store_kv_put(lib->store, key, lib->id, LIB_ID_LEN, true);
}

/* One record under lib/: another id's state record carrying lib's name is reported. */
static int ident__other_one(void *arg, const char *key, const void *val, size_t len)
{
	const struct lib *lib = arg;
	char id[LIB_ID_LEN + 1], name[LIB_NAME_MAX], want[LIB__KEY_MAX];
	struct rd r = rd_init(val, len);
	/* what is not a state record of this format is not ours to judge here */
	if (lib__state_head(&r, id, name) || strcmp(name, lib->cfg.name) || !strcmp(id, lib->id))
		return 0;
	lib__state_key(id, want);
	if (strcmp(key, want))
		return 0;
	vtl_log(LOG_WARN, "LIB_OTHER_DATA", "lib=%s id=%s new_id=%s reason=\"another library of "
		"this name has data on this node; left alone\"", lib->cfg.name, id, lib->id);
	return 0;
}

static void ident__other_data(struct lib *lib)
{
	int rc = store_kv_scan(lib->store, "lib/", ident__other_one, lib);
	if (rc)
		vtl_log(LOG_WARN, "LIB_OTHER_DATA_UNKNOWN", "lib=%s id=%s rc=%d", lib->cfg.name,
			lib->id, rc);
}

int lib__ident_resolve(struct lib *lib, bool *fresh)
{
	int rc = 0;
	*fresh = false;
	if (lib->cfg.id[0])     /* given by the cluster (etcd): the same on every node */
		memcpy(lib->id, lib->cfg.id, sizeof lib->id);
	else
		rc = ident__name_get(lib->store, lib->cfg.name, lib->id);
	if (rc == -ENOENT)
		rc = ident__name_new(lib);
	if (!rc)
		rc = lib__state_load(lib);
	if (rc == -ENOENT) {
		*fresh = true;
		rc = 0;
		ident__other_data(lib);
	}
	return rc;
}

int lib__ident_lookup(struct store *store, const struct lib_config *cfg, char id[LIB_ID_LEN + 1])
{
	if (!cfg->id[0])
		return ident__name_get(store, cfg->name, id);
	memcpy(id, cfg->id, LIB_ID_LEN + 1);
	return 0;
}

int lib__ident_forget(struct lib *lib)
{
	char id[LIB_ID_LEN + 1], key[LIB__KEY_MAX];
	if (lib->cfg.id[0])
		return 0;
	int rc = ident__name_get(lib->store, lib->cfg.name, id);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	if (strcmp(id, lib->id))
		return 0;       /* the name already leads to another library */
	ident__name_key(lib->cfg.name, key);
	rc = store_kv_delete(lib->store, key, true);
	return rc == -ENOENT ? 0 : rc;
}
