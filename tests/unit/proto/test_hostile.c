/* Hostile values for every decoder: empty, truncated, oversize, huge numbers, deep
 * nesting, non-UTF-8, embedded NUL, random bytes and bit flips. A decoder must answer
 * with a code and a printable reason, never crash, leak (LeakSanitizer runs at exit) or
 * read past the length it was given. */
#include "tests/unit/proto/trec.h"

static const char NODE[] =
	"{\"id\":\"n1\",\"portal\":\"h:1\",\"peer\":\"tcp://h:2\",\"version\":\"1\","
	"\"capacity_bytes\":10,\"free_bytes\":5,\"draining\":true}";
static const char OWNER[] = "{\"node\":\"n1\",\"epoch\":3,\"state\":\"offline\",\"partners\":[\"n2\"]}";
static const char MIG[] =
	"{\"id\":\"m\",\"library\":\"L\",\"source\":\"a\",\"destination\":\"b\",\"phase\":\"failed\","
	"\"requested_at\":1,\"updated_at\":2,\"bytes_copied\":3,\"reason\":\"disk full\"}";
static const char LIB[] =
	"{\"name\":\"L\",\"id\":\"00000000000000000000000000000000\",\"drives\":1,\"slots\":3,"
	"\"ie_slots\":0,\"barcode_prefix\":\"A\",\"media\":\"L\",\"capacity\":1048576,"
	"\"changer_vendor\":\"V\",\"changer_product\":\"P\",\"changer_rev\":\"1\",\"drive_vendor\":\"V\","
	"\"drive_product\":\"P\",\"drive_rev\":\"1\",\"policy\":\"single\","
	"\"cartridges\":[{\"barcode\":\"A\",\"capacity\":1048576},{\"barcode\":\"B\",\"capacity\":1048576}]}";

static const struct {
	const char *name;
	trec_dec dec;
	const char *valid;
	size_t max;
} decs[] = {
	{"node", trec_node, NODE, PROTO_REC_MAX},
	{"owner", trec_owner, OWNER, PROTO_REC_MAX},
	{"mig", trec_mig, MIG, PROTO_REC_MAX},
	{"libcfg", trec_libcfg, LIB, PROTO_LIBCFG_MAX},
};
#define N_DECS (sizeof decs / sizeof decs[0])

/* Decodes len bytes from a heap copy of exactly that size, so ASan catches any read past
 * the end, and checks the reason is printable. Returns the code. */
static int decode_exact(size_t d, const void *buf, size_t len)
{
	char reason[PROTO_REASON_MAX];
	memset(reason, 0, sizeof reason);
	void *copy = malloc(len ? len : 1);
	CHECK(copy);
	if (len)
		memcpy(copy, buf, len);
	int rc = decs[d].dec(copy, len, reason, sizeof reason);
	free(copy);
	CHECK(rc == 0 || rc == -EINVAL || rc == -EMSGSIZE);
	if (rc)
		CHECK(reason[0]);
	for (const char *c = reason; *c; c++)
		CHECK(*c >= 0x20 && *c <= 0x7e);
	return rc;
}

static void test_valid_and_truncated(void)
{
	for (size_t d = 0; d < N_DECS; d++) {
		size_t n = strlen(decs[d].valid);
		CHECK_EQ(decode_exact(d, decs[d].valid, n), 0);
		/* every proper prefix of an object is invalid JSON */
		for (size_t l = 0; l < n; l++)
			CHECK_EQ(decode_exact(d, decs[d].valid, l), -EINVAL);
		trec_reject_at(decs[d].dec, "", 0, -EINVAL, "invalid JSON", __LINE__);
		trec_reject_at(decs[d].dec, NULL, 0, -EINVAL, "invalid JSON", __LINE__);
		trec_reject_at(decs[d].dec, decs[d].valid, n - 1, -EINVAL, "invalid JSON", __LINE__);
	}
}

static void test_not_objects(void)
{
	const char *docs[] = {"[]", "[{}]", "null", "42", "\"str\"", "true", "{}x", "{} {}", "{",
			      "}", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "\xef\xbb\xbf{}"};
	for (size_t d = 0; d < N_DECS; d++) {
		trec_reject(decs[d].dec, "[]", -EINVAL, "not a JSON object");
		trec_reject(decs[d].dec, "{}", -EINVAL, "missing field");
		for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
			CHECK_EQ(decode_exact(d, docs[i], strlen(docs[i])), -EINVAL);
	}
}

static void test_oversize(void)
{
	for (size_t d = 0; d < N_DECS; d++) {
		size_t max = decs[d].max, n = strlen(decs[d].valid);
		char *big = malloc(max + 1);
		CHECK(big);
		/* a valid record padded with JSON whitespace to exactly the maximum decodes */
		memcpy(big, decs[d].valid, n);
		memset(big + n, ' ', max + 1 - n);
		CHECK_EQ(decode_exact(d, big, max), 0);
		/* one byte more is refused before parsing */
		char want[64];
		snprintf(want, sizeof want, "oversize: %zu bytes > %zu", max + 1, max);
		trec_reject_at(decs[d].dec, big, max + 1, -EMSGSIZE, want, __LINE__);
		trec_reject_at(decs[d].dec, big, SIZE_MAX, -EMSGSIZE, "oversize", __LINE__);
		free(big);
	}
}

static void test_numbers(void)
{
	trec_reject_mut(trec_node, NODE, "capacity_bytes", "1", "field 'free_bytes': exceeds capacity_bytes");
	trec_reject(trec_node, "{\"capacity_bytes\":99999999999999999999}", -EINVAL, "invalid JSON: too big integer");
	trec_reject(trec_node, "{\"capacity_bytes\":-99999999999999999999}", -EINVAL, "invalid JSON: too big negative integer");
	trec_reject(trec_owner, "{\"epoch\":9223372036854775808}", -EINVAL, "invalid JSON: too big integer");
	trec_reject(trec_owner, "{\"epoch\":1e400}", -EINVAL, "invalid JSON: real number overflow");
	trec_reject(trec_owner, "{\"epoch\":NaN}", -EINVAL, "invalid JSON");
	trec_reject(trec_owner, "{\"epoch\":0x10}", -EINVAL, "invalid JSON");
	trec_reject(trec_owner, "{\"epoch\":01}", -EINVAL, "invalid JSON");
	trec_reject_mut(trec_owner, OWNER, "epoch", "-0", "field 'epoch': out of range");
	trec_reject_mut(trec_owner, OWNER, "epoch", "1.0", "field 'epoch': wrong type (want integer)");
	trec_reject_mut(trec_libcfg, LIB, "drives", "-65535", "field 'drives': out of range");
	trec_reject_mut(trec_libcfg, LIB, "drives", "4294967297", "field 'drives': out of range");
	trec_reject_mut(trec_libcfg, LIB, "drives", "9223372036854775807", "field 'drives': out of range");
}

static void test_nesting(void)
{
	size_t depth = 5000, n = 0;
	char *deep = malloc(2 * depth + 16);
	CHECK(deep);
	n += (size_t)sprintf(deep, "{\"id\":");
	for (size_t i = 0; i < depth; i++)
		deep[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	for (size_t d = 0; d < N_DECS; d++)
		trec_reject_at(decs[d].dec, deep, n, -EINVAL, "invalid JSON: maximum parsing depth", __LINE__);
	free(deep);
	trec_reject_mut(trec_node, NODE, "id", "{\"id\":\"n1\"}", "field 'id': wrong type (want string)");
	trec_reject_mut(trec_owner, OWNER, "partners", "[[\"n2\"]]", "partners[0]: wrong type (want string)");
	trec_reject_mut(trec_libcfg, LIB, "cartridges", "[[{\"barcode\":\"A\",\"capacity\":1048576}]]",
			"cartridges[0]: wrong type (want object)");
	trec_reject_mut(trec_libcfg, LIB, "cartridges.0.barcode", "{\"barcode\":\"A\"}",
			"cartridges[0]: field 'barcode': wrong type (want string)");
	/* a huge array of junk in an ignored member still parses within the size cap */
	char *junk = trec_mutate(NODE, "x", "[1,2,3,[4,[5,{\"6\":[7]}]],\"8\",null,true,false,-1.5e-7]");
	CHECK_EQ(decode_exact(0, junk, strlen(junk)), 0);
	free(junk);
}

static void test_bytes(void)
{
	/* non-UTF-8 and embedded NUL, in a member we read and in one we ignore */
	const char *bad[] = {
		"{\"id\":\"n\xff\"}", "{\"id\":\"\xc0\xaf\"}", "{\"id\":\"\xed\xa0\x80\"}",
		"{\"x\":\"\xf5\x80\x80\x80\"}", "{\"id\":\"a\\u0000b\"}", "{\"x\":\"\\ud800\"}",
		"{\"id\":\"a\x01\"}",
	};
	for (size_t d = 0; d < N_DECS; d++)
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			trec_reject(decs[d].dec, bad[i], -EINVAL, "invalid JSON");
	for (size_t d = 0; d < N_DECS; d++) {
		size_t n = strlen(decs[d].valid);
		char *b = malloc(n + 1);
		CHECK(b);
		memcpy(b, decs[d].valid, n + 1);
		/* the terminating NUL counted in the length */
		CHECK_EQ(decode_exact(d, b, n + 1), -EINVAL);
		/* a raw NUL anywhere inside */
		for (size_t at = 0; at < n; at += 7) {
			char keep = b[at];
			b[at] = 0;
			CHECK_EQ(decode_exact(d, b, n), -EINVAL);
			b[at] = keep;
		}
		free(b);
	}
	/* a reason quoting hostile bytes stays printable and one line */
	char reason[PROTO_REASON_MAX];
	CHECK_EQ(trec_node("{\"a\":\x01\n\xff}", 10, reason, sizeof reason), -EINVAL);
	for (const char *c = reason; *c; c++)
		CHECK(*c >= 0x20 && *c <= 0x7e);
	/* a small reason buffer is truncated, terminated; none at all is fine */
	char tiny[8];
	CHECK_EQ(trec_node("{}", 2, tiny, sizeof tiny), -EINVAL);
	CHECK(!strcmp(tiny, "missing"));
	CHECK_EQ(trec_node("{}", 2, NULL, 0), -EINVAL);
	CHECK_EQ(trec_libcfg("[]", 2, NULL, 0), -EINVAL);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Random bytes and bit flips of valid records: any code but a crash is fine (the fuzz
 * target fuzz.proto_records goes further and re-encodes what decodes). */
static void test_random(void)
{
	uint8_t buf[512];
	for (int it = 0; it < 20000; it++) {
		size_t d = it % N_DECS, n;
		if (it % 2) {
			n = rnd() % sizeof buf;
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)rnd();
		} else {
			n = strlen(decs[d].valid);
			memcpy(buf, decs[d].valid, n);
			for (int f = 1 + rnd() % 3; f; f--)
				buf[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
		}
		decode_exact(d, buf, n);
	}
	/* a change inside a value that keeps the record valid re-encodes byte for byte:
	 * "disk full" -> "disk gull" */
	char m[sizeof MIG];
	memcpy(m, MIG, sizeof MIG);
	*strstr(m, "full") = 'g';
	struct proto_mig mg;
	char *s;
	CHECK_EQ(proto_mig_decode(m, strlen(m), &mg, NULL, 0), 0);
	CHECK_EQ(proto_mig_encode(&mg, &s, NULL, 0), 0);
	CHECK(!strcmp(s, m));
	free(s);
}

int main(void)
{
	test_valid_and_truncated();
	test_not_objects();
	test_oversize();
	test_numbers();
	test_nesting();
	test_bytes();
	test_random();
	return 0;
}
