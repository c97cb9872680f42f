/* Library config record: exact encoding, round trips up to a full 4096-slot library, the
 * conversion fields the node needs, and every rejection with its exact reason. */
#include "tests/unit/proto/trec.h"

static const char LIB_JSON[] =
	"{\"name\":\"L1\",\"id\":\"0123456789abcdef0123456789abcdef\",\"drives\":2,\"slots\":20,"
	"\"ie_slots\":4,\"barcode_prefix\":\"VT\",\"media\":\"L8\",\"capacity\":12000000000000,"
	"\"changer_vendor\":\"IBM\",\"changer_product\":\"03584L32\",\"changer_rev\":\"0100\","
	"\"drive_vendor\":\"IBM\",\"drive_product\":\"ULT3580-TD8\",\"drive_rev\":\"0100\","
	"\"policy\":\"mirrored\",\"cartridges\":[{\"barcode\":\"VT0001L8\",\"capacity\":12000000000000},"
	"{\"barcode\":\"VT0002L8\",\"capacity\":1048576}]}";

static void lib_example(struct proto_libcfg *c, struct proto_cart *carts)
{
	*c = (struct proto_libcfg){
		.name = "L1", .id = "0123456789abcdef0123456789abcdef", .drives = 2, .slots = 20,
		.ie_slots = 4, .barcode_prefix = "VT", .media = "L8", .capacity = 12000000000000,
		.changer_vendor = "IBM", .changer_product = "03584L32", .changer_rev = "0100",
		.drive_vendor = "IBM", .drive_product = "ULT3580-TD8", .drive_rev = "0100",
		.policy = PROTO_POLICY_MIRRORED, .carts = carts, .n_carts = 2,
	};
	carts[0] = (struct proto_cart){.barcode = "VT0001L8", .capacity = 12000000000000};
	carts[1] = (struct proto_cart){.barcode = "VT0002L8", .capacity = 1048576};
}

static void test_round_trip(void)
{
	struct proto_cart carts[2];
	struct proto_libcfg c, back;
	char *s, reason[PROTO_REASON_MAX];
	lib_example(&c, carts);
	CHECK_EQ(proto_libcfg_encode(&c, &s, reason, sizeof reason), 0);
	CHECK(!strcmp(s, LIB_JSON));
	CHECK_EQ(proto_libcfg_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_libcfg_equal(&c, &back));
	CHECK(back.carts != carts);
	CHECK_EQ(back.n_carts, 2);
	CHECK_EQ(back.carts[1].capacity, 1048576);
	back.carts[1].capacity++;
	CHECK(!proto_libcfg_equal(&c, &back));
	proto_libcfg_fini(&back);
	CHECK(!back.carts);
	CHECK_EQ(back.n_carts, 0);
	proto_libcfg_fini(&back);               /* twice is fine */
	proto_libcfg_fini(NULL);
	free(s);
	/* no cartridges, single policy */
	c.n_carts = 0;
	c.carts = NULL;
	c.policy = PROTO_POLICY_SINGLE;
	CHECK_EQ(proto_libcfg_encode(&c, &s, reason, sizeof reason), 0);
	CHECK(strstr(s, "\"policy\":\"single\",\"cartridges\":[]"));
	CHECK_EQ(proto_libcfg_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_libcfg_equal(&c, &back));
	CHECK(!back.carts);
	free(s);
	CHECK(!strcmp(proto_policy_name(PROTO_POLICY_MIRRORED), "mirrored"));
	CHECK(!proto_policy_name(0));
	CHECK(!proto_policy_name(PROTO_POLICY_SINGLE + 1));
}

/* The biggest library there is, with the longest barcodes and capacities: its encoding
 * must fit the record maximum, or the manager could write a config no node can read. */
static void test_full_library(void)
{
	struct proto_cart *carts = calloc(PROTO_MAX_SLOTS, sizeof *carts);
	struct proto_libcfg c, back;
	char *s, reason[PROTO_REASON_MAX];
	CHECK(carts);
	lib_example(&c, carts);
	c.slots = PROTO_MAX_SLOTS;
	c.drives = PROTO_MAX_DRIVES;
	c.ie_slots = PROTO_MAX_IE;
	c.n_carts = PROTO_MAX_SLOTS;
	for (size_t i = 0; i < PROTO_MAX_SLOTS; i++) {
		snprintf(carts[i].barcode, sizeof carts[i].barcode, "ABCDEFGHIJK%05zu", i);
		carts[i].capacity = PROTO_CART_MAX_BYTES;
	}
	CHECK_EQ(proto_libcfg_encode(&c, &s, reason, sizeof reason), 0);
	CHECK(strlen(s) < PROTO_LIBCFG_MAX);
	CHECK(strlen(s) > PROTO_REC_MAX);       /* why the config has its own maximum */
	CHECK_EQ(proto_libcfg_decode(s, strlen(s), &back, reason, sizeof reason), 0);
	CHECK(proto_libcfg_equal(&c, &back));
	proto_libcfg_fini(&back);
	free(s);
	/* one more cartridge than slots, and a duplicate far from its twin */
	c.slots = PROTO_MAX_SLOTS - 1;
	CHECK_EQ(proto_libcfg_check(&c, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'cartridges': more cartridges than slots"));
	c.slots = PROTO_MAX_SLOTS;
	memcpy(carts[4000].barcode, carts[3].barcode, sizeof carts[4000].barcode);
	CHECK_EQ(proto_libcfg_encode(&c, &s, reason, sizeof reason), -EINVAL);
	CHECK(!strcmp(reason, "cartridges[4000]: duplicate barcode 'ABCDEFGHIJK00003'"));
	free(carts);
}

static void test_rejects(void)
{
	const char *b = LIB_JSON;
	const char *keys[] = {"name", "id", "drives", "slots", "ie_slots", "barcode_prefix", "media",
			      "capacity", "changer_vendor", "changer_product", "changer_rev",
			      "drive_vendor", "drive_product", "drive_rev", "policy", "cartridges"};
	char want[64];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(want, sizeof want, "missing field '%s'", keys[i]);
		trec_reject_mut(trec_libcfg, b, keys[i], NULL, want);
		snprintf(want, sizeof want, "field '%s': wrong type", keys[i]);
		trec_reject_mut(trec_libcfg, b, keys[i], "true", want);
	}
	trec_reject_mut(trec_libcfg, b, "drives", "0", "field 'drives': out of range (1..64)");
	trec_reject_mut(trec_libcfg, b, "drives", "65", "field 'drives': out of range (1..64)");
	trec_accept_mut(trec_libcfg, b, "drives", "64");
	trec_reject_mut(trec_libcfg, b, "slots", "0", "field 'slots': out of range (1..4096)");
	trec_reject_mut(trec_libcfg, b, "slots", "4097", "field 'slots': out of range (1..4096)");
	trec_reject_mut(trec_libcfg, b, "slots", "65538", "field 'slots': out of range");  /* not truncated to 2 */
	trec_reject_mut(trec_libcfg, b, "ie_slots", "65", "field 'ie_slots': out of range (0..64)");
	trec_accept_mut(trec_libcfg, b, "ie_slots", "0");
	trec_reject_mut(trec_libcfg, b, "capacity", "1048575", "field 'capacity': out of range");
	trec_reject_mut(trec_libcfg, b, "capacity", "1125899906842625", "field 'capacity': out of range");
	trec_reject_mut(trec_libcfg, b, "name", "\"L 1\"", "field 'name': invalid name");
	trec_reject_mut(trec_libcfg, b, "id", "\"0123456789ABCDEF0123456789ABCDEF\"", "field 'id': want 32 lower-case hex digits");
	trec_reject_mut(trec_libcfg, b, "id", "\"0123456789abcdef0123456789abcde\"", "field 'id': want 32 lower-case hex digits");
	trec_reject_mut(trec_libcfg, b, "id", "\"0123456789abcdef0123456789abcdeg\"", "field 'id': want 32 lower-case hex digits");
	trec_reject_mut(trec_libcfg, b, "id", "\"0123456789abcdef0123456789abcdef0\"", "field 'id': too long (max 32 bytes)");
	trec_reject_mut(trec_libcfg, b, "barcode_prefix", "\"vt\"", "field 'barcode_prefix': only A-Z and 0-9");
	trec_reject_mut(trec_libcfg, b, "barcode_prefix", "\"\"", "field 'barcode_prefix': empty");
	trec_reject_mut(trec_libcfg, b, "barcode_prefix", "\"ABCDEFGH\"", "field 'barcode_prefix': too long (max 7 bytes)");
	trec_accept_mut(trec_libcfg, b, "barcode_prefix", "\"ABCDEFG\"");
	trec_reject_mut(trec_libcfg, b, "media", "\"L-8\"", "field 'media': only A-Z and 0-9");
	trec_reject_mut(trec_libcfg, b, "media", "\"LTO8\"", "field 'media': too long (max 3 bytes)");
	trec_reject_mut(trec_libcfg, b, "changer_vendor", "\"IBMCORPXY\"", "field 'changer_vendor': too long (max 8 bytes)");
	trec_reject_mut(trec_libcfg, b, "changer_vendor", "\"\"", "field 'changer_vendor': empty");
	trec_reject_mut(trec_libcfg, b, "drive_product", "\"ULT\\t3580\"", "field 'drive_product': only printable ASCII");
	trec_reject_mut(trec_libcfg, b, "drive_product", "\"ULT\\u00e9\"", "field 'drive_product': only printable ASCII");
	trec_reject_mut(trec_libcfg, b, "drive_rev", "\"01000\"", "field 'drive_rev': too long (max 4 bytes)");
	trec_accept_mut(trec_libcfg, b, "changer_product", "\"Virtual Library \"");
	trec_reject_mut(trec_libcfg, b, "policy", "\"raid5\"", "field 'policy': unknown value");
	trec_reject_mut(trec_libcfg, b, "policy", "\"Mirrored\"", "field 'policy': unknown value");
	trec_reject_mut(trec_libcfg, b, "slots", "1", "field 'cartridges': more cartridges than slots");
	trec_reject_mut(trec_libcfg, b, "cartridges", "{}", "field 'cartridges': wrong type (want array)");
	trec_reject_mut(trec_libcfg, b, "cartridges", "[\"VT0001L8\"]", "cartridges[0]: wrong type (want object)");
	trec_reject_mut(trec_libcfg, b, "cartridges.1.barcode", "\"vt0002l8\"", "cartridges[1]: field 'barcode': only A-Z and 0-9");
	trec_reject_mut(trec_libcfg, b, "cartridges.1.barcode", "\"\"", "cartridges[1]: field 'barcode': empty");
	trec_reject_mut(trec_libcfg, b, "cartridges.1.barcode", "\"ABCDEFGHIJKLMNOPQ\"", "cartridges[1]: field 'barcode': too long (max 16 bytes)");
	trec_accept_mut(trec_libcfg, b, "cartridges.1.barcode", "\"ABCDEFGHIJKLMNOP\"");
	trec_reject_mut(trec_libcfg, b, "cartridges.1.barcode", "\"VT0001L8\"", "cartridges[1]: duplicate barcode 'VT0001L8'");
	trec_reject_mut(trec_libcfg, b, "cartridges.0.barcode", NULL, "cartridges[0]: missing field 'barcode'");
	trec_reject_mut(trec_libcfg, b, "cartridges.0.capacity", NULL, "cartridges[0]: missing field 'capacity'");
	trec_reject_mut(trec_libcfg, b, "cartridges.0.capacity", "0", "cartridges[0]: field 'capacity': out of range");
	trec_reject_mut(trec_libcfg, b, "cartridges.0.capacity", "2.5e12", "cartridges[0]: field 'capacity': wrong type (want integer)");
	trec_accept_mut(trec_libcfg, b, "cartridges.0.label", "\"Monday\"");    /* ignored */
	trec_accept_mut(trec_libcfg, b, "model", "\"TS3500\"");                 /* ignored */
}

static void test_encode_rejects(void)
{
	struct proto_cart carts[2];
	struct proto_libcfg c;
	char *s, reason[PROTO_REASON_MAX];
	lib_example(&c, carts);
	c.carts = NULL;
	CHECK_EQ(proto_libcfg_encode(&c, &s, reason, sizeof reason), -EINVAL);
	CHECK(!s);
	CHECK(strstr(reason, "field 'cartridges': no array"));
	c.carts = carts;
	c.drives = 0;
	CHECK_EQ(proto_libcfg_check(&c, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'drives': out of range (1..64)"));
	c.drives = 1;
	c.policy = 3;
	CHECK_EQ(proto_libcfg_check(&c, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "field 'policy': unknown value"));
	c.policy = PROTO_POLICY_SINGLE;
	memset(carts[1].barcode, 'A', sizeof carts[1].barcode);
	CHECK_EQ(proto_libcfg_check(&c, reason, sizeof reason), -EINVAL);
	CHECK(strstr(reason, "cartridges[1]: field 'barcode': not terminated"));
	CHECK(!proto_barcode_valid(carts[1].barcode));
	CHECK(proto_barcode_valid("ABCDEFGHIJKLMNOP"));
	CHECK(!proto_barcode_valid("ABCDEFGHIJKLMNOPQ"));
	CHECK(!proto_barcode_valid(""));
	CHECK(!proto_barcode_valid("AB-1"));
	CHECK(!proto_barcode_valid(NULL));
}

int main(void)
{
	test_round_trip();
	test_full_library();
	test_rejects();
	test_encode_rejects();
	return 0;
}
