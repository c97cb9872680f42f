/* The library engine on a real store: creation, persistence of the element map, moves and
 * their rollback rules, reshaping by configuration, corrupt state, per-nexus state. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "node/lib/lib.h"
#include "node/store/store.h"
#include "tests/testutil.h"

static struct lib_config cfg(const char *name, uint16_t drives, uint16_t slots, uint32_t carts)
{
	struct lib_config c;
	lib_config_defaults(&c, name);
	snprintf(c.target, sizeof c.target, "iqn.test:%s", name);
	c.drives = drives;
	c.slots = slots;
	c.ie_slots = 2;
	c.cartridges = carts;
	snprintf(c.barcode_prefix, sizeof c.barcode_prefix, "LT");
	c.capacity = 64u << 20;
	return c;
}

static void test_create_and_reopen(const char *dir)
{
	struct store *s;
	struct lib *lib;
	struct lib_config c = cfg("alpha", 2, 8, 5);
	CHECK_EQ(store_open(dir, &s), 0);
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	CHECK_EQ(lib->n_carts, 5);
	CHECK(!strcmp(lib->carts[0].barcode, "LT0001L8"));
	CHECK(!strcmp(lib->carts[4].barcode, "LT0005L8"));
	CHECK_EQ(strlen(lib->id), 32);
	CHECK_EQ(lib->n_lus, 3);
	CHECK(lib_lu(lib, 3) == NULL);
	CHECK(lib_drive_of_lu(lib, 0) == NULL);
	CHECK(lib_drive_of_lu(lib, 2) == &lib->drives[1]);
	/* element addressing: exact, and nothing outside the configured ranges */
	CHECK_EQ(lib_elem(lib, LIB_ADDR_TRANSPORT)->type, LIB_ELEM_TRANSPORT);
	CHECK_EQ(lib_elem(lib, LIB_ADDR_DRIVE0 + 1)->type, LIB_ELEM_DRIVE);
	CHECK(lib_elem(lib, LIB_ADDR_DRIVE0 + 2) == NULL);
	CHECK_EQ(lib_elem(lib, LIB_ADDR_IE0 + 1)->type, LIB_ELEM_IE);
	CHECK(lib_elem(lib, LIB_ADDR_IE0 + 2) == NULL);
	CHECK_EQ(lib_elem(lib, LIB_ADDR_SLOT0 + 7)->type, LIB_ELEM_STORAGE);
	CHECK(lib_elem(lib, LIB_ADDR_SLOT0 + 8) == NULL);
	CHECK(lib_elem(lib, 0) == NULL);
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_SLOT0))->barcode, "LT0001L8"));
	CHECK(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_SLOT0 + 5)) == NULL);

	/* moves: preconditions are the caller's, but bad ones never corrupt the map */
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0 + 5, LIB_ADDR_DRIVE0), -EINVAL); /* empty source */
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_SLOT0 + 1), -EINVAL);  /* full destination */
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, 0x7777), -EINVAL);
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0, LIB_ADDR_DRIVE0), 0);
	struct lib_drive *d0 = &lib->drives[0];
	CHECK(d0->loaded && d0->tape && d0->cart == 0 && d0->pos == 0);
	CHECK_EQ(lib->carts[0].load_count, 1);
	/* drive to drive hands the open tape over */
	CHECK_EQ(lib_move(lib, LIB_ADDR_DRIVE0, LIB_ADDR_DRIVE0 + 1), 0);
	CHECK(!d0->tape && d0->cart == -1 && !d0->loaded);
	CHECK(lib->drives[1].tape && lib->drives[1].cart == 0);
	struct lib_elem *e = lib_elem(lib, LIB_ADDR_DRIVE0 + 1);
	CHECK(e->src_valid && e->src_addr == LIB_ADDR_SLOT0);   /* home is still the slot */
	CHECK_EQ(lib_move(lib, LIB_ADDR_SLOT0 + 1, LIB_ADDR_IE0), 0);
	char id[33];
	memcpy(id, lib->id, sizeof id);
	lib_close(lib);
	store_close(s);

	/* everything where it was moved, same identity, tape reopened in drive 1 */
	CHECK_EQ(store_open(dir, &s), 0);
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	CHECK(!strcmp(lib->id, id));
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_DRIVE0 + 1))->barcode, "LT0001L8"));
	CHECK(!strcmp(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_IE0))->barcode, "LT0002L8"));
	CHECK(lib_cart_at(lib, lib_elem(lib, LIB_ADDR_SLOT0)) == NULL);
	CHECK(lib->drives[1].loaded && lib->drives[1].tape);
	/* drive serials derive from the persistent id: the same on every node and restart */
	for (int i = 0; i < 8; i++)
		CHECK_EQ(lib->drives[1].serial[i], toupper((unsigned char)id[i]));
	CHECK(!strcmp(lib->drives[1].serial + 8, "02"));
	CHECK_EQ(lib_move(lib, LIB_ADDR_DRIVE0 + 1, LIB_ADDR_SLOT0), 0);
	lib_close(lib);

	/* a reshaped library: fewer slots, more cartridges; nothing is lost */
	struct lib_config c2 = cfg("alpha", 1, 6, 6);
	CHECK_EQ(lib_open(s, &c2, &lib), 0);
	CHECK_EQ(lib->n_carts, 6);
	int placed = 0;
	for (size_t i = 0; i < lib->n_elems; i++)
		placed += lib->elems[i].cart >= 0;
	CHECK_EQ(placed, 6);
	lib_close(lib);
	store_close(s);
}

static void test_bad_config_and_state(const char *dir)
{
	struct store *s;
	struct lib *lib = NULL;
	CHECK_EQ(store_open(dir, &s), 0);
	struct lib_config c = cfg("bad/name", 1, 4, 1);
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	c = cfg("beta", 0, 4, 1);
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);
	c = cfg("beta", 1, 4, 5);
	CHECK_EQ(lib_open(s, &c, &lib), -EINVAL);      /* more cartridges than slots */
	/* a corrupt state record is refused, never half-loaded */
	const char junk[] = "\x02garbage that is not a state record";
	const char *id = "00000000000000000000000000000ba5";
	CHECK_EQ(store_kv_put(s, "libname/gamma", id, 32, true), 0);
	CHECK_EQ(store_kv_put(s, "lib/00000000000000000000000000000ba5/state", junk, sizeof junk,
			      true), 0);
	c = cfg("gamma", 1, 4, 1);
	CHECK_EQ(lib_open(s, &c, &lib), -EBADMSG);
	CHECK(lib == NULL);
	/* so is a corrupt name record: never a new id that would orphan the library's data */
	const char *bad_ids[] = {"0123", "0000000000000000000000000000ZZZZ",
				 "00000000000000000000000000000BA5"};
	for (size_t i = 0; i < 3; i++) {
		CHECK_EQ(store_kv_put(s, "libname/eps", bad_ids[i], strlen(bad_ids[i]), true), 0);
		c = cfg("eps", 1, 4, 1);
		CHECK_EQ(lib_open(s, &c, &lib), -EBADMSG);
		CHECK(lib == NULL);
	}
	store_close(s);
}

static void test_nexus_state(const char *dir)
{
	struct store *s;
	struct lib *lib;
	struct lib_config c = cfg("delta", 1, 4, 1);
	CHECK_EQ(store_open(dir, &s), 0);
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	struct lib_lu *lu = lib_lu(lib, 1);
	struct scsi_nexus a = {.initiator = "iqn.a", .isid = {1}, .tpgt = 1};
	struct scsi_nexus b = {.initiator = "iqn.b", .isid = {2}, .tpgt = 1};
	pthread_mutex_lock(&lu->lock);
	struct lib_nexus *na = lib_nexus_get(lu, &a);
	CHECK(na && na->ua == LIB_UA_POWER_ON);        /* first contact */
	na->ua = 0;
	CHECK(lib_nexus_get(lu, &a) == na);
	struct lib_nexus *nb = lib_nexus_get(lu, &b);
	nb->ua = 0;
	lib_ua_raise(lu, LIB_UA_MODE_CHANGED, &a);
	CHECK_EQ(lib_nexus_get(lu, &a)->ua, 0);
	CHECK_EQ(lib_nexus_get(lu, &b)->ua, LIB_UA_MODE_CHANGED);
	/* a lost nexus is forgotten unless registered for a persistent reservation */
	lib_nexus_get(lu, &b)->pr_registered = true;
	lib_nexus_forget(lu, &a);
	lib_nexus_forget(lu, &b);
	CHECK_EQ(lu->n_nexus, 1);
	CHECK(lib_nexus_get(lu, &b)->pr_registered);
	CHECK_EQ(lib_nexus_get(lu, &a)->ua, LIB_UA_POWER_ON);   /* back as a new nexus */
	/* bounded: past the limit the oldest unpinned entries are recycled */
	for (unsigned i = 0; i < 3000; i++) {
		struct scsi_nexus n = {.tpgt = 1};
		snprintf(n.initiator, sizeof n.initiator, "iqn.many:%u", i);
		CHECK(lib_nexus_get(lu, &n) != NULL);
	}
	CHECK(lu->n_nexus <= 1024);
	CHECK(lib_nexus_get(lu, &b)->pr_registered);    /* the pinned one survived */
	pthread_mutex_unlock(&lu->lock);
	lib_close(lib);
	store_close(s);
}

int main(void)
{
	const char *d = tu_tmpdir("lib");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", d);
	test_create_and_reopen(dir);
	test_bad_config_and_state(dir);
	test_nexus_state(dir);
	tu_rmtree(dir);
	return 0;
}
