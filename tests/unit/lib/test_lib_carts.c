/* The library engine with a configuration from etcd: persistent ids given by the cluster
 * (another id under a known name is another library), explicit cartridge lists applied to
 * an open library (imports, exports, no room, cartridges in drives, the renumbering of
 * cartridges under running drive commands), deletion of a library's data, and the
 * conversion of a library config record. How data is keyed by id: test_lib_ident.c. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/lib/lib.h"
#include "node/store/store.h"
#include "proto/records.h"
#include "tests/testutil.h"

#define ID_A "0123456789abcdef0123456789abcdef"
#define ID_B "fedcba9876543210fedcba9876543210"
#define ID_BADL "badbadbadbadbadbadbadbadbadbad00"
#define ID_SYNC "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e"
#define ID_CONC "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"
#define ID_PURGE "9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e"
#define ID_REC "7ec07ec07ec07ec07ec07ec07ec07ec0"

static struct store *s;

/* A library of `slots` slots and 2 I/E slots listing barcodes[0..n). */
static struct lib_config cfg(const char *name, const char *id, uint16_t slots,
			     const char *const *barcodes, size_t n)
{
	struct lib_config c;
	lib_config_defaults(&c, name);
	snprintf(c.target, sizeof c.target, "iqn.test:%s", name);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.drives = 2;
	c.slots = slots;
	c.ie_slots = 2;
	c.cartridges = 7;       /* ignored: the list replaces it */
	c.has_cart_list = true;
	c.cart_list = calloc(n + 1, sizeof *c.cart_list);
	CHECK(c.cart_list != NULL);
	for (size_t i = 0; i < n; i++) {
		snprintf(c.cart_list[i].barcode, sizeof c.cart_list[i].barcode, "%s", barcodes[i]);
		c.cart_list[i].capacity = 64u << 20;
	}
	c.n_cart_list = n;
	return c;
}

static const char *at(struct lib *lib, uint16_t addr)
{
	const struct lib_cart *c = lib_cart_at(lib, lib_elem(lib, addr));
	return c ? c->barcode : "";
}

/* The store's name of cartridge bc of library id. */
static const char *tname(const char *id, const char *bc)
{
	static char name[STORE_TAPE_NAME_MAX + 1];
	snprintf(name, sizeof name, "%s_%s", id, bc);
	return name;
}

/* Objects on the tape of `bc` in library `id` (0 when it has no data). */
static uint64_t tape_objects(const char *id, const char *bc)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, tname(id, bc), 64u << 20, &t), 0);
	uint64_t n = store_tape_eod(t);
	store_tape_close(t);
	return n;
}

static void tape_fill(const char *id, const char *bc)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, tname(id, bc), 64u << 20, &t), 0);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, "data", 4), 0);
	store_tape_close(t);
}

/* A nexus of the changer with no pending unit attention. */
static struct scsi_nexus watcher = {.initiator = "iqn.watcher", .isid = {1}, .tpgt = 1};

static uint32_t changer_ua(struct lib *lib, bool clear)
{
	struct lib_lu *lu = lib_lu(lib, 0);
	pthread_mutex_lock(&lu->lock);
	struct lib_nexus *nx = lib_nexus_get(lu, &watcher);
	uint32_t ua = nx->ua;
	if (clear)
		nx->ua = 0;
	pthread_mutex_unlock(&lu->lock);
	return ua;
}

static void test_ids(void)
{
	const char *bcs[] = {"AA0001L8"};
	struct lib_config a = cfg("ida", ID_A, 4, bcs, 1);
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, &a, &lib), 0);
	CHECK(!strcmp(lib->id, ID_A));
	CHECK(!strncmp(lib->drives[0].serial, "01234567", 8));  /* identity derives from it */
	CHECK(lib->cfg.cart_list == NULL);                      /* borrowed, never kept */
	tape_fill(ID_A, "AA0001L8");
	lib_close(lib);
	/* another id under the same name is another library: a new one, and ida's data stays */
	struct lib_config b = cfg("ida", ID_B, 4, bcs, 1);
	lib = NULL;
	CHECK_EQ(lib_open(s, &b, &lib), 0);
	CHECK(!strcmp(lib->id, ID_B));
	CHECK(!strncmp(lib->drives[0].serial, "FEDCBA98", 8));
	CHECK_EQ(lib->n_carts, 1);
	CHECK_EQ(tape_objects(ID_B, "AA0001L8"), 0);
	lib_close(lib);
	CHECK_EQ(lib_purge(s, &b), 0);          /* removes ID_B's data only */
	CHECK_EQ(tape_objects(ID_A, "AA0001L8"), 1);
	CHECK_EQ(lib_open(s, &a, &lib), 0);
	CHECK(!strcmp(lib->id, ID_A));
	lib_close(lib);
	/* no id configured: a standalone library, found by its name record, not by what
	 * libraries from etcd stored under that name */
	struct lib_config any = cfg("ida", "", 4, bcs, 1);
	CHECK_EQ(lib_open(s, &any, &lib), 0);
	CHECK(strcmp(lib->id, ID_A) && strcmp(lib->id, ID_B));
	lib_close(lib);
	/* malformed ids */
	snprintf(b.id, sizeof b.id, "0123456789ABCDEF0123456789ABCDEF");
	CHECK_EQ(lib_open(s, &b, &lib), -EINVAL);
	snprintf(b.id, sizeof b.id, "0123");
	CHECK_EQ(lib_open(s, &b, &lib), -EINVAL);
	lib_config_fini(&a);
	lib_config_fini(&b);
	lib_config_fini(&any);
	CHECK(a.cart_list == NULL && a.n_cart_list == 0 && !a.has_cart_list);
}

static void test_bad_lists(void)
{
	const char *dup[] = {"AB0001L8", "AB0002L8", "AB0001L8"};
	const char *bad[] = {"ab0001l8"};
	const char *many[] = {"X1", "X2", "X3", "X4", "X5"};
	struct lib *lib = NULL;
	struct lib_config c = cfg("badl", ID_BADL, 4, dup, 3);
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	lib_config_fini(&c);
	c = cfg("badl", ID_BADL, 4, bad, 1);
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	lib_config_fini(&c);
	c = cfg("badl", ID_BADL, 4, many, 5);     /* more than slots */
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	lib_config_fini(&c);
	c = cfg("badl", ID_BADL, 4, many, 1);
	c.cart_list[0].capacity = 1000;
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	CHECK(lib == NULL);
	/* the same checks guard an open library */
	c.cart_list[0].capacity = 64u << 20;
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	lib_config_fini(&c);
	c = cfg("badl", ID_BADL, 4, dup, 3);
	CHECK_EQ(lib_sync_cartridges(lib, &c), -EINVAL);
	CHECK_EQ(lib->n_carts, 1);
	lib_config_fini(&c);
	lib_close(lib);
}

static void test_sync(void)
{
	const char *v1[] = {"SY0001L8", "SY0002L8", "SY0003L8"};
	struct lib_config c = cfg("sync", ID_SYNC, 4, v1, 3);
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	/* a new library: the list fills the first slots, nothing is generated */
	CHECK_EQ(lib->n_carts, 3);
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0), "SY0001L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 2), "SY0003L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_IE0), ""));
	lib_config_fini(&c);
	changer_ua(lib, true);
	CHECK_EQ(changer_ua(lib, false), 0);

	/* the same list again changes nothing */
	c = cfg("sync", ID_SYNC, 4, v1, 3);
	CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
	CHECK_EQ(changer_ua(lib, false), 0);
	lib_config_fini(&c);

	/* SY0001 goes into drive 0 with data on it; SY0002 has data in its slot */
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	tape_fill(ID_SYNC, "SY0002L8");
	/* new list: 1 and 2 dropped, 4, 5, 6 added; 4 and 5 fill the I/E slots, 6 the first
	 * empty storage slot (the one 2 left) */
	const char *v2[] = {"SY0003L8", "SY0004L8", "SY0005L8", "SY0006L8"};
	c = cfg("sync", ID_SYNC, 4, v2, 4);
	CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_IE0), "SY0004L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_IE0 + 1), "SY0005L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0), "SY0006L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 1), ""));
	CHECK(!strcmp(at(lib, LIB_ADDR_DRIVE0), "SY0001L8"));    /* in a drive: stays */
	CHECK_EQ(lib->n_carts, 5);
	/* the drive's cartridge index followed the renumbering */
	CHECK(!strcmp(lib->carts[lib->drives[0].cart].barcode, "SY0001L8"));
	CHECK(lib->drives[0].tape != NULL);
	CHECK_EQ(changer_ua(lib, true), LIB_UA_IE_OPENED | LIB_UA_MEDIUM_CHANGED);
	CHECK_EQ(tape_objects(ID_SYNC, "SY0002L8"), 0); /* its data went with it */
	lib_config_fini(&c);

	/* Now: drive0 SY1 (unlisted), I/E SY4 SY5, slots SY6 - SY3 -. A list is never longer
	 * than the library's slots, so only a config claiming more slots than the open
	 * library has can run out of room: 7 and 8 fill the free slots, 9 waits ... */
	const char *v3[] = {"SY0003L8", "SY0004L8", "SY0005L8", "SY0006L8", "SY0007L8",
			    "SY0008L8", "SY0009L8"};
	c = cfg("sync", ID_SYNC, 7, v3, 7);
	CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 1), "SY0007L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 3), "SY0008L8"));
	CHECK_EQ(lib->n_carts, 7);
	for (size_t i = 0; i < lib->n_carts; i++)
		CHECK(strcmp(lib->carts[i].barcode, "SY0009L8"));
	lib_config_fini(&c);
	/* ... until the next change frees a slot (3 leaves) */
	c = cfg("sync", ID_SYNC, 7, v3 + 1, 6);
	CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 2), "SY0009L8"));
	CHECK_EQ(lib->n_carts, 7);
	lib_config_fini(&c);

	/* persisted: a reopen shows the same map; the dropped cartridge still in the drive */
	lib_close(lib);
	c = cfg("sync", ID_SYNC, 4, v3 + 1, 4);    /* 4..7: 8 and 9 leave at open */
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_DRIVE0), "SY0001L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_IE0), "SY0004L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 2), ""));
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 3), ""));
	CHECK_EQ(lib->n_carts, 5);
	/* the dropped cartridge leaves once it is back in a slot */
	CHECK_EQ(lib_move(lib, LIB_ADDR_DRIVE0, LIB_ADDR_SLOT0 + 2), 0);
	CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_SLOT0 + 2), ""));
	CHECK_EQ(lib->n_carts, 4);
	lib_config_fini(&c);

	/* deletion: the record and every tape's data go */
	tape_fill(ID_SYNC, "SY0004L8");
	CHECK_EQ(lib_move(lib, LIB_ADDR_IE0, LIB_ADDR_DRIVE0 + 1), 0);   /* open in a drive */
	CHECK_EQ(lib_destroy(lib), 0);
	CHECK_EQ(tape_objects(ID_SYNC, "SY0004L8"), 0);
	void *val = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, "lib/" ID_SYNC "/state", &val, &len), -ENOENT);
}

static void test_purge(void)
{
	const char *v[] = {"PU0001L8", "PU0002L8"};
	struct lib_config c = cfg("purge", ID_PURGE, 4, v, 2);
	struct lib *lib = NULL;
	CHECK_EQ(lib_purge(s, &c), 0);          /* nothing stored: nothing to do */
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	lib_close(lib);
	tape_fill(ID_PURGE, "PU0002L8");
	CHECK_EQ(lib_purge(s, &c), 0);
	CHECK_EQ(tape_objects(ID_PURGE, "PU0002L8"), 0);
	void *val = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, "lib/" ID_PURGE "/state", &val, &len), -ENOENT);
	lib_config_fini(&c);
}

/* Drive commands read lib->carts under their drive's lock while the list changes. */
struct reader {
	struct lib *lib;
	atomic_bool stop;
	unsigned long reads;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	while (!atomic_load(&r->stop)) {
		for (size_t i = 0; i < r->lib->cfg.drives; i++) {
			struct lib_drive *d = &r->lib->drives[i];
			pthread_mutex_lock(&d->lu->lock);
			if (d->cart >= 0)
				CHECK(!strcmp(r->lib->carts[d->cart].barcode, i ? "CC0002L8" : "CC0001L8"));
			pthread_mutex_unlock(&d->lu->lock);
			r->reads++;
		}
	}
	return NULL;
}

static void test_sync_concurrent(void)
{
	const char *base[] = {"CC0001L8", "CC0002L8"};
	struct lib_config c = cfg("conc", ID_CONC, 40, base, 2);
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	lib_config_fini(&c);
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0 + 1, LIB_ADDR_DRIVE0 + 1), 0);
	struct reader r = {.lib = lib};
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, reader_main, &r), 0);
	for (int round = 0; round < 40; round++) {
		/* 0..37 extra cartridges come and go, renumbering the drives' cartridges */
		char names[40][17];
		const char *list[40];
		size_t n = 0;
		for (int i = 0; i < 38; i++) {
			if ((i + round) % 3 == 0)
				continue;
			snprintf(names[n], sizeof names[n], "CX%04dL8", i);
			list[n] = names[n];
			n++;
		}
		list[n++] = round % 2 ? "CC0001L8" : "CC0002L8";
		c = cfg("conc", ID_CONC, 40, list, n);
		CHECK_EQ(lib_sync_cartridges(lib, &c), 0);
		lib_config_fini(&c);
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	CHECK(r.reads > 0);
	CHECK(!strcmp(at(lib, LIB_ADDR_DRIVE0), "CC0001L8"));
	CHECK(!strcmp(at(lib, LIB_ADDR_DRIVE0 + 1), "CC0002L8"));
	lib_close(lib);
}

static void test_from_record(void)
{
	struct proto_cart carts[2] = {{"RC0001L8", 1u << 30}, {"RC0002L8", 2u << 20}};
	struct proto_libcfg rec = {
		.name = "rec1", .id = ID_REC, .drives = 3, .slots = 10, .ie_slots = 1,
		.barcode_prefix = "RC", .media = "L8", .capacity = 1u << 30,
		.changer_vendor = "STK", .changer_product = "L700", .changer_rev = "0200",
		.drive_vendor = "HP", .drive_product = "Ultrium 8-SCSI", .drive_rev = "Q1",
		.policy = PROTO_POLICY_SINGLE, .carts = carts, .n_carts = 2,
	};
	struct lib_config c;
	CHECK_EQ(lib_config_from_record(&rec, "iqn.2026-11.io.vtl", &c), 0);
	CHECK(!strcmp(c.name, "rec1"));
	CHECK(!strcmp(c.target, "iqn.2026-11.io.vtl:rec1"));
	CHECK(!strcmp(c.id, ID_REC));
	CHECK_EQ(c.drives, 3);
	CHECK_EQ(c.slots, 10);
	CHECK_EQ(c.ie_slots, 1);
	CHECK(!strcmp(c.changer_vendor, "STK") && !strcmp(c.drive_product, "Ultrium 8-SCSI"));
	CHECK(!strcmp(c.drive_rev, "Q1"));
	CHECK(c.has_cart_list);
	CHECK_EQ(c.n_cart_list, 2);
	CHECK(!strcmp(c.cart_list[1].barcode, "RC0002L8"));
	CHECK_EQ(c.cart_list[1].capacity, 2u << 20);
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	CHECK(!strcmp(lib->id, ID_REC));
	CHECK_EQ(lib->n_carts, 2);
	lib_close(lib);
	lib_config_fini(&c);
	/* an empty list is a list: no cartridges */
	rec.n_carts = 0;
	CHECK_EQ(lib_config_from_record(&rec, "iqn.x", &c), 0);
	CHECK(c.has_cart_list && c.n_cart_list == 0);
	lib_config_fini(&c);
	/* a target name over 223 bytes, and values beyond the engine's limits */
	char longp[300];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = 0;
	CHECK_EQ(lib_config_from_record(&rec, longp, &c), -ENAMETOOLONG);
	CHECK(c.cart_list == NULL);
	rec.drives = 65;
	CHECK_EQ(lib_config_from_record(&rec, "iqn.x", &c), -EINVAL);
	rec.drives = 1;
	rec.n_carts = 2;
	snprintf(carts[1].barcode, sizeof carts[1].barcode, "RC0001L8");   /* twice */
	CHECK_EQ(lib_config_from_record(&rec, "iqn.x", &c), -EINVAL);
	CHECK(c.cart_list == NULL && !c.has_cart_list);
}

int main(void)
{
	const char *d = tu_tmpdir("lib_carts");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", d);
	CHECK_EQ(store_open(dir, &s), 0);
	test_ids();
	test_bad_lists();
	test_sync();
	test_purge();
	test_sync_concurrent();
	test_from_record();
	store_close(s);
	tu_rmtree(dir);
	return 0;
}
