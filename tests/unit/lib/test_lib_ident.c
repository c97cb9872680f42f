/* Everything a library stores is keyed by its persistent id (node/lib/lib_ident.c):
 * libraries with the same barcodes on one store keep separate tape data; a library created
 * again under a known name with a new id starts empty while the old id's data stays (and
 * is reported once, LIB_OTHER_DATA); a standalone library finds its id by name across
 * restarts; deletion removes exactly its own id's records and tapes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/lib/lib.h"
#include "node/store/store.h"
#include "tests/testutil.h"

#define ID_ONE "11111111111111111111111111111111"
#define ID_TWO "22222222222222222222222222222222"
#define ID_OLD "0123456789abcdef0123456789abcdef"
#define ID_NEW "fedcba9876543210fedcba9876543210"

static struct store *s;
static char dir[4096];

/* A library with 2 drives, 6 slots and the default barcodes VT0001L8..VT0004L8: as a
 * list (id given, etcd) or generated (no id, standalone). */
static struct lib_config cfg(const char *name, const char *id)
{
	struct lib_config c;
	lib_config_defaults(&c, name);
	snprintf(c.target, sizeof c.target, "iqn.test:%s", name);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.slots = 6;
	c.cartridges = 4;
	c.capacity = 64u << 20;
	if (!id[0])
		return c;
	c.has_cart_list = true;
	c.cart_list = calloc(5, sizeof *c.cart_list);
	CHECK(c.cart_list != NULL);
	for (size_t i = 0; i < 4; i++) {
		snprintf(c.cart_list[i].barcode, sizeof c.cart_list[i].barcode, "VT%04zuL8", i + 1);
		c.cart_list[i].capacity = 64u << 20;
	}
	c.n_cart_list = 4;
	return c;
}

static struct lib *open_lib(const struct lib_config *c)
{
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, c, &lib), 0);
	return lib;
}

/* Writes `text` as block 0 of the cartridge in slot 0 through drive 0, and puts it back
 * (the move out of the drive syncs and closes its tape). */
static void write_through(struct lib *lib, const char *text)
{
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	struct lib_drive *d = &lib->drives[0];
	CHECK(d->tape != NULL);
	CHECK_EQ(store_tape_write(d->tape, 0, STORE_OBJ_BLOCK, text, (uint32_t)strlen(text)), 0);
	CHECK_EQ(lib_move(lib, LIB_ADDR_DRIVE0, LIB_ADDR_SLOT0), 0);
}

/* Block 0 of the cartridge in slot 0, read through drive 0 ("" when the tape is empty). */
static const char *read_through(struct lib *lib)
{
	static char buf[64];
	struct store_obj o;
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	struct lib_drive *d = &lib->drives[0];
	memset(buf, 0, sizeof buf);
	int rc = store_tape_read(d->tape, 0, buf, sizeof buf - 1, &o);
	CHECK(rc == 0 || rc == -ENOENT);
	CHECK_EQ(lib_move(lib, LIB_ADDR_DRIVE0, LIB_ADDR_SLOT0), 0);
	return buf;
}

static bool kv_has(const char *key)
{
	void *val = NULL;
	size_t len = 0;
	int rc = store_kv_get(s, key, &val, &len);
	free(val);
	CHECK(rc == 0 || rc == -ENOENT);
	return rc == 0;
}

static bool seg_exists(const char *id, const char *bc)
{
	char p[4400];
	struct stat st;
	snprintf(p, sizeof p, "%s/tapes/%s_%s.seg", dir, id, bc);
	return stat(p, &st) == 0;
}

/* stderr (where vtl_log writes) into a file, for the length of one call. */
static int cap_saved = -1;

static void cap_begin(void)
{
	char p[4400];
	snprintf(p, sizeof p, "%s/stderr.txt", dir);
	fflush(stderr);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	cap_saved = dup(2);
	CHECK(cap_saved >= 0);
	CHECK_EQ(dup2(fd, 2), 2);
	close(fd);
}

/* Ends the capture; returns how many lines hold both msgid and fields. */
static int cap_end(const char *msgid, const char *fields)
{
	char p[4400], line[1024];
	fflush(stderr);
	CHECK_EQ(dup2(cap_saved, 2), 2);
	close(cap_saved);
	snprintf(p, sizeof p, "%s/stderr.txt", dir);
	FILE *f = fopen(p, "r");
	CHECK(f != NULL);
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		fputs(line, stderr);
		n += strstr(line, msgid) && strstr(line, fields);
	}
	fclose(f);
	return n;
}

/* Three libraries with the same barcodes (two from etcd, one standalone) on one store. */
static void test_same_barcodes(void)
{
	struct lib_config c1 = cfg("one", ID_ONE), c2 = cfg("two", ID_TWO), c3 = cfg("three", "");
	struct lib *l1 = open_lib(&c1), *l2 = open_lib(&c2), *l3 = open_lib(&c3);
	char id3[LIB_ID_LEN + 1];
	memcpy(id3, l3->id, sizeof id3);
	CHECK(!strcmp(lib_cart_at(l1, lib_elem(l1, LIB_ADDR_SLOT0))->barcode, "VT0001L8"));
	CHECK(!strcmp(lib_cart_at(l2, lib_elem(l2, LIB_ADDR_SLOT0))->barcode, "VT0001L8"));
	CHECK(!strcmp(lib_cart_at(l3, lib_elem(l3, LIB_ADDR_SLOT0))->barcode, "VT0001L8"));
	write_through(l1, "written by one");
	write_through(l2, "two wrote this");
	CHECK(!strcmp(read_through(l3), ""));           /* three's VT0001L8 is still blank */
	write_through(l3, "three");
	CHECK(seg_exists(ID_ONE, "VT0001L8") && seg_exists(ID_TWO, "VT0001L8"));
	CHECK(seg_exists(id3, "VT0001L8"));
	lib_close(l1);
	lib_close(l2);
	lib_close(l3);
	/* across a restart of the store, each reads back its own */
	store_close(s);
	CHECK_EQ(store_open(dir, &s), 0);
	l1 = open_lib(&c1), l2 = open_lib(&c2), l3 = open_lib(&c3);
	CHECK(!strcmp(l3->id, id3));
	CHECK(!strcmp(read_through(l1), "written by one"));
	CHECK(!strcmp(read_through(l2), "two wrote this"));
	CHECK(!strcmp(read_through(l3), "three"));
	/* deleting one removes its data only */
	CHECK_EQ(lib_destroy(l2), 0);
	CHECK(!seg_exists(ID_TWO, "VT0001L8"));
	CHECK(!kv_has("lib/" ID_TWO "/state"));
	CHECK(seg_exists(ID_ONE, "VT0001L8") && seg_exists(id3, "VT0001L8"));
	CHECK(!strcmp(read_through(l1), "written by one"));
	CHECK(!strcmp(read_through(l3), "three"));
	lib_close(l1);
	lib_close(l3);
	lib_config_fini(&c1);
	lib_config_fini(&c2);
}

/* Deleted while this node was down, created again under the same name with a new id. */
static void test_recreated(void)
{
	struct lib_config old = cfg("reborn", ID_OLD), neu = cfg("reborn", ID_NEW);
	struct lib *lib = open_lib(&old);
	write_through(lib, "old data");
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0 + 1, LIB_ADDR_DRIVE0 + 1), 0);   /* left loaded */
	lib_close(lib);
	/* records the scan must pass over: a state record of an earlier build (keyed by
	 * name, version 1), garbage, a state record under a key that is not its id's */
	const char v1[] = "\x01" ID_OLD "\0\0\0\0\0\0\0";
	CHECK_EQ(store_kv_put(s, "lib/reborn/state", v1, sizeof v1 - 1, true), 0);
	CHECK_EQ(store_kv_put(s, "lib/zzz", "junk", 4, true), 0);
	void *val = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, "lib/" ID_OLD "/state", &val, &len), 0);
	CHECK_EQ(store_kv_put(s, "lib/33333333333333333333333333333333/state", val, len, true), 0);
	free(val);

	cap_begin();
	int rc = lib_open(s, &neu, &lib);
	int logged = cap_end(" LIB_OTHER_DATA ", " lib=reborn id=" ID_OLD " ");
	CHECK_EQ(rc, 0);
	CHECK_EQ(logged, 1);
	/* a new library: every cartridge in its slot, blank, nothing in the drives */
	CHECK(!strcmp(lib->id, ID_NEW));
	CHECK_EQ(lib->n_carts, 4);
	CHECK(lib->drives[0].tape == NULL && lib->drives[1].tape == NULL);
	CHECK(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_DRIVE0 + 1)) == NULL);
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_SLOT0 + 1))->barcode, "VT0002L8"));
	CHECK(!strcmp(read_through(lib), ""));
	write_through(lib, "new data");
	lib_close(lib);
	/* the old id's data is still all there */
	CHECK(kv_has("lib/" ID_OLD "/state"));
	CHECK(seg_exists(ID_OLD, "VT0001L8"));
	/* reported once: a reopen of the new library is not new any more */
	cap_begin();
	rc = lib_open(s, &neu, &lib);
	logged = cap_end(" LIB_OTHER_DATA ", "");
	CHECK_EQ(rc, 0);
	CHECK_EQ(logged, 0);
	CHECK(!strcmp(read_through(lib), "new data"));
	/* deleting the new library leaves the old one whole */
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK(!kv_has("lib/" ID_NEW "/state"));
	CHECK(!seg_exists(ID_NEW, "VT0001L8"));
	lib = open_lib(&old);                   /* the old id again: its own map and data */
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_DRIVE0 + 1))->barcode, "VT0002L8"));
	CHECK(lib->drives[1].tape != NULL);
	CHECK(!strcmp(read_through(lib), "old data"));
	CHECK_EQ(lib_purge(s, &neu), 0);        /* nothing under ID_NEW: the old one stays */
	CHECK(kv_has("lib/" ID_OLD "/state"));
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK(!kv_has("lib/" ID_OLD "/state"));
	CHECK(!seg_exists(ID_OLD, "VT0001L8") && !seg_exists(ID_OLD, "VT0002L8"));
	CHECK(kv_has("lib/reborn/state"));      /* an earlier build's record: not read, not ours */
	lib_config_fini(&old);
	lib_config_fini(&neu);
}

/* A standalone library (no id in its config) across restarts, deletion and re-creation. */
static void test_standalone(void)
{
	struct lib_config c = cfg("solo", "");
	struct lib *lib = open_lib(&c);
	char id[LIB_ID_LEN + 1], key[128];
	memcpy(id, lib->id, sizeof id);
	write_through(lib, "solo data");
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0 + 2, LIB_ADDR_IE0), 0);
	lib_close(lib);
	/* the name record holds the id; nothing is keyed by the name otherwise */
	void *val = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, "libname/solo", &val, &len), 0);
	CHECK_EQ(len, LIB_ID_LEN);
	CHECK(!memcmp(val, id, LIB_ID_LEN));
	free(val);
	CHECK(!kv_has("lib/solo/state"));
	store_close(s);
	CHECK_EQ(store_open(dir, &s), 0);
	lib = open_lib(&c);
	CHECK(!strcmp(lib->id, id));
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_IE0))->barcode, "VT0003L8"));
	CHECK(!strcmp(read_through(lib), "solo data"));
	/* deleted: name record, state and tapes go */
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK(!kv_has("libname/solo"));
	snprintf(key, sizeof key, "lib/%s/state", id);
	CHECK(!kv_has(key));
	CHECK(!seg_exists(id, "VT0001L8"));
	/* created again: a new id, empty */
	lib = open_lib(&c);
	CHECK(strcmp(lib->id, id));
	CHECK(!strcmp(read_through(lib), ""));
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_SLOT0 + 2))->barcode, "VT0003L8"));
	memcpy(id, lib->id, sizeof id);
	lib_close(lib);
	/* purge by name: the standalone library's own data, name record included */
	CHECK_EQ(lib_purge(s, &c), 0);
	CHECK(!kv_has("libname/solo"));
	snprintf(key, sizeof key, "lib/%s/state", id);
	CHECK(!kv_has(key));
	CHECK_EQ(lib_purge(s, &c), 0);          /* nothing left: nothing to do */
}

/* A name record whose state never got written (a crash between the two): the same id,
 * a new library. A name record naming another id is left alone by a deletion. */
static void test_name_record(void)
{
	const char *id = "abcdefabcdefabcdefabcdefabcdef00";
	CHECK_EQ(store_kv_put(s, "libname/orph", id, LIB_ID_LEN, true), 0);
	struct lib_config c = cfg("orph", "");
	struct lib *lib = open_lib(&c);
	CHECK(!strcmp(lib->id, id));
	CHECK_EQ(lib->n_carts, 4);
	/* the record now leads elsewhere (say, the name was re-created meanwhile) */
	CHECK_EQ(store_kv_put(s, "libname/orph", ID_ONE, LIB_ID_LEN, true), 0);
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK(!kv_has("lib/abcdefabcdefabcdefabcdefabcdef00/state"));
	void *val = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, "libname/orph", &val, &len), 0);
	CHECK(len == LIB_ID_LEN && !memcmp(val, ID_ONE, LIB_ID_LEN));
	free(val);
	/* a library from etcd never reads a name record, whatever it says */
	struct lib_config e = cfg("orph", ID_TWO);
	lib = open_lib(&e);
	CHECK(!strcmp(lib->id, ID_TWO));
	lib_close(lib);
	CHECK_EQ(store_kv_put(s, "libname/orph", "garbage", 7, true), 0);
	lib = open_lib(&e);
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK(kv_has("libname/orph"));
	lib_config_fini(&e);
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s", tu_tmpdir("lib_ident"));
	CHECK_EQ(store_open(dir, &s), 0);
	test_same_barcodes();
	test_recreated();
	test_standalone();
	test_name_record();
	store_close(s);
	tu_rmtree(dir);
	return 0;
}
