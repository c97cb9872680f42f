/* Codec of the etcd client: base64 both ways (binary, every padding case, garbage),
 * int64 strings, prefix range_end, and kv/kvs parsing of hostile objects. No etcd. */
#include "common/etcd/etcd_int.h"

#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

static void roundtrip(const void *p, size_t n, const char *want)
{
	json_t *j = etcd__b64(p, n);
	CHECK(j);
	CHECK(!strcmp(json_string_value(j), want));
	uint8_t *d;
	size_t len;
	CHECK_EQ(etcd__unb64(want, &d, &len), 0);
	CHECK_EQ(len, n);
	CHECK(!memcmp(d, p, n));
	CHECK_EQ(d[len], 0);
	free(d);
	json_decref(j);
}

static void test_b64(void)
{
	roundtrip("", 0, "");
	roundtrip("a", 1, "YQ==");
	roundtrip("ab", 2, "YWI=");
	roundtrip("abc", 3, "YWJj");
	roundtrip("app/a", 5, "YXBwL2E=");
	static const uint8_t bin[] = {0, 0xff, 0xfe, 0x80, 0, 0x3e, 0x3f};
	roundtrip(bin, sizeof bin, "AP/+gAA+Pw==");
	static const char *const bad[] = {"YQ", "YQ=", "Y===", "=QQQ", "YQ==YQ==", "YW-j",
					  "YW_j", "YW j", "YQ=a", "****", "YQ\n="};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *d = (uint8_t *)"x";
		size_t len = 7;
		CHECK_EQ(etcd__unb64(bad[i], &d, &len), -EBADMSG);
		CHECK(d == NULL);
		CHECK_EQ(len, 0);
	}
}

static void test_int(void)
{
	json_t *o = json_loads("{\"a\":\"2324035534112035625\",\"b\":7,\"c\":\"x\",\"d\":\"12x\","
			       "\"e\":1.5,\"f\":\"99999999999999999999\",\"g\":\"-1\",\"h\":\"\"}",
			       0, NULL);
	CHECK(o);
	int64_t v;
	CHECK_EQ(etcd__int(o, "a", &v), 0);
	CHECK(v == 2324035534112035625LL);
	CHECK_EQ(etcd__int(o, "b", &v), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(etcd__int(o, "missing", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(etcd__int(o, "g", &v), 0);
	CHECK_EQ(v, -1);
	const char *bad[] = {"c", "d", "e", "f", "h"};
	for (size_t i = 0; i < 5; i++)
		CHECK_EQ(etcd__int(o, bad[i], &v), -EBADMSG);
	CHECK_EQ(etcd__int(NULL, "a", &v), 0);   /* absent object: zero */
	json_t *s = etcd__i64(-42);
	CHECK(!strcmp(json_string_value(s), "-42"));
	json_decref(s);
	json_decref(o);
}

static void check_range(const void *key, size_t n, bool prefix, const char *k, const char *end)
{
	json_t *req = json_object();
	CHECK_EQ(etcd__key_range(req, key, n, prefix), 0);
	CHECK(!strcmp(json_string_value(json_object_get(req, "key")), k));
	if (end)
		CHECK(!strcmp(json_string_value(json_object_get(req, "range_end")), end));
	else
		CHECK(!json_object_get(req, "range_end"));
	json_decref(req);
}

static void test_range_end(void)
{
	check_range("app/", 4, true, "YXBwLw==", "YXBwMA==");       /* app/ -> app0 */
	check_range("a\xff\xff", 3, true, "Yf//", "Yg==");           /* drop 0xff, then +1 */
	check_range("\xff", 1, true, "/w==", "AA==");                /* all 0xff -> "\0" */
	check_range("", 0, true, "AA==", "AA==");                    /* whole keyspace */
	check_range("k", 1, false, "aw==", NULL);
	json_t *req = json_object();
	CHECK_EQ(etcd__key_range(req, "", 0, false), -EINVAL);      /* empty exact key */
	json_decref(req);
}

static int parse_kvs_text(const char *text, struct etcd_kvs *out)
{
	json_t *j = json_loads(text, 0, NULL);
	CHECK(j);
	int rc = etcd__parse_kvs(j, out);
	json_decref(j);
	return rc;
}

static void test_kvs(void)
{
	struct etcd_kvs kvs;
	CHECK_EQ(parse_kvs_text("{\"header\":{\"revision\":\"9\"},\"kvs\":[{\"key\":\"YQ==\","
				"\"create_revision\":\"2\",\"mod_revision\":\"4\",\"version\":\"2\","
				"\"value\":\"dW5v\",\"lease\":\"77\"},{\"key\":\"Yg==\"}],\"count\":\"2\"}",
				&kvs), 0);
	CHECK_EQ(kvs.revision, 9);
	CHECK_EQ(kvs.n, 2);
	CHECK(!strcmp((char *)kvs.kv[0].key, "a"));
	CHECK(!strcmp((char *)kvs.kv[0].value, "uno"));
	CHECK_EQ(kvs.kv[0].mod_revision, 4);
	CHECK_EQ(kvs.kv[0].create_revision, 2);
	CHECK_EQ(kvs.kv[0].version, 2);
	CHECK_EQ(kvs.kv[0].lease, 77);
	CHECK_EQ(kvs.kv[1].value_len, 0);      /* omitted value = empty */
	CHECK_EQ(kvs.kv[1].mod_revision, 0);
	etcd_kvs_free(&kvs);

	CHECK_EQ(parse_kvs_text("{\"header\":{\"revision\":\"3\"}}", &kvs), 0);   /* no match */
	CHECK_EQ(kvs.n, 0);
	CHECK_EQ(kvs.revision, 3);
	etcd_kvs_free(&kvs);

	static const char *const bad[] = {
		"{}",                                                       /* no header */
		"{\"header\":7}",
		"{\"header\":{\"revision\":true}}",
		"{\"header\":{},\"kvs\":\"x\"}",
		"{\"header\":{},\"kvs\":[1]}",
		"{\"header\":{},\"kvs\":[{}]}",                             /* no key */
		"{\"header\":{},\"kvs\":[{\"key\":5}]}",
		"{\"header\":{},\"kvs\":[{\"key\":\"YQ==\",\"value\":\"%%%\"}]}",
		"{\"header\":{},\"kvs\":[{\"key\":\"YQ==\"},{\"key\":\"YQ\"}]}",
		"{\"header\":{},\"kvs\":[{\"key\":\"YQ==\",\"mod_revision\":\"-\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ(parse_kvs_text(bad[i], &kvs), -EBADMSG);
		CHECK_EQ(kvs.n, 0);
		CHECK(kvs.kv == NULL);
	}
}

static void test_config(void)
{
	struct etcd *c = (struct etcd *)1;
	struct etcd_config cfg = {0};
	CHECK_EQ(etcd_open(&cfg, &c), -EINVAL);
	CHECK(c == NULL);
	cfg.endpoints = "ftp://x";
	CHECK_EQ(etcd_open(&cfg, &c), -EINVAL);
	cfg.endpoints = ",,";
	CHECK_EQ(etcd_open(&cfg, &c), -EINVAL);
	cfg.endpoints = "http://a:1/,https://b:2";
	cfg.username = "root";                  /* user without password */
	CHECK_EQ(etcd_open(&cfg, &c), -EINVAL);
	cfg.password = "pw";
	CHECK_EQ(etcd_open(&cfg, &c), 0);
	CHECK_EQ(c->n_ep, 2);
	CHECK(!strcmp(c->ep[0], "http://a:1"));
	CHECK_EQ(c->cfg.timeout_ms, 2000);
	etcd_close(c);
	etcd_close(NULL);
}

int main(void)
{
	test_b64();
	test_int();
	test_range_end();
	test_kvs();
	test_config();
	return 0;
}
