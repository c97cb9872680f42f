/* KV, transactions and one-shot leases against the shared etcd fixture. Keys live under
 * a per-process prefix so parallel runs never meet. */
#include "tests/unit/etcd/etu.h"

#include "tests/testutil.h"

#include <errno.h>
#include <string.h>

static char P[64];   /* "kvtest/<pid>/" */

static const char *K(const char *suffix)
{
	static char buf[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s%s", P, suffix);
	return buf[i];
}

static void put(struct etcd *c, const char *k, const char *v, int64_t lease, int64_t *rev)
{
	CHECK_EQ(etcd_put(c, k, strlen(k), v, strlen(v), lease, rev), 0);
}

static void test_put_get_range_delete(struct etcd *c)
{
	int64_t r1, r2, n;
	struct etcd_kvs kvs;
	put(c, K("a"), "one", 0, &r1);
	put(c, K("b"), "two", 0, &r2);
	CHECK(r1 > 0);
	CHECK_EQ(r2, r1 + 1);
	put(c, K("a"), "uno", 0, NULL);

	CHECK_EQ(etcd_get(c, K("a"), strlen(K("a")), &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK(!strcmp((char *)kvs.kv[0].value, "uno"));
	CHECK(!strcmp((char *)kvs.kv[0].key, K("a")));
	CHECK_EQ(kvs.kv[0].create_revision, r1);
	CHECK_EQ(kvs.kv[0].mod_revision, r2 + 1);
	CHECK_EQ(kvs.kv[0].version, 2);
	CHECK_EQ(kvs.revision, r2 + 1);
	etcd_kvs_free(&kvs);

	CHECK_EQ(etcd_get(c, K("nope"), strlen(K("nope")), &kvs), 0);
	CHECK_EQ(kvs.n, 0);
	CHECK(kvs.revision >= r2 + 1);
	etcd_kvs_free(&kvs);

	/* binary key and value: NUL and 0xff bytes survive */
	char bk[80];
	size_t bkl = (size_t)snprintf(bk, sizeof bk, "%sbin", P) + 3;
	memcpy(bk + bkl - 3, "\0\xff\x01", 3);
	static const uint8_t bv[] = {0, 1, 0xfe, 0xff, 0, '\n'};
	CHECK_EQ(etcd_put(c, bk, bkl, bv, sizeof bv, 0, NULL), 0);
	CHECK_EQ(etcd_get(c, bk, bkl, &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK_EQ(kvs.kv[0].key_len, bkl);
	CHECK(!memcmp(kvs.kv[0].key, bk, bkl));
	CHECK_EQ(kvs.kv[0].value_len, sizeof bv);
	CHECK(!memcmp(kvs.kv[0].value, bv, sizeof bv));
	etcd_kvs_free(&kvs);

	/* an empty value is a value */
	put(c, K("empty"), "", 0, NULL);
	CHECK_EQ(etcd_get(c, K("empty"), strlen(K("empty")), &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK_EQ(kvs.kv[0].value_len, 0);
	etcd_kvs_free(&kvs);

	CHECK_EQ(etcd_range(c, P, strlen(P), &kvs), 0);
	CHECK_EQ(kvs.n, 4);                        /* a, b, bin..., empty: sorted by key */
	CHECK(!strcmp((char *)kvs.kv[0].key, K("a")));
	CHECK(!strcmp((char *)kvs.kv[1].key, K("b")));
	CHECK(!strcmp((char *)kvs.kv[3].key, K("empty")));
	etcd_kvs_free(&kvs);

	CHECK_EQ(etcd_delete(c, K("a"), strlen(K("a")), false, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(etcd_delete(c, K("a"), strlen(K("a")), false, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(etcd_delete(c, P, strlen(P), true, &n), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(etcd_range(c, P, strlen(P), &kvs), 0);
	CHECK_EQ(kvs.n, 0);
	etcd_kvs_free(&kvs);
	CHECK_EQ(etcd_get(c, "", 0, &kvs), -EINVAL);   /* an exact key is never empty */
}

static struct etcd_cmp cmp_num(const char *k, enum etcd_cmp_target t, enum etcd_cmp_result r,
			       int64_t v)
{
	return (struct etcd_cmp){.key = k, .key_len = strlen(k), .target = t, .result = r,
				 .number = v};
}

static void test_txn(struct etcd *c)
{
	const char *k = K("owner");
	int64_t rev;
	struct etcd_txn_result res;
	/* create-if-absent: version == 0 */
	struct etcd_cmp absent = cmp_num(k, ETCD_CMP_VERSION, ETCD_CMP_EQUAL, 0);
	struct etcd_op create = {.type = ETCD_OP_PUT, .key = k, .key_len = strlen(k),
				 .value = "n1", .value_len = 2};
	struct etcd_op read = {.type = ETCD_OP_RANGE, .key = k, .key_len = strlen(k)};
	CHECK_EQ(etcd_txn(c, &absent, 1, &create, 1, &read, 1, &res), 0);
	CHECK(res.succeeded);
	rev = res.revision;
	CHECK_EQ(res.n_ranges, 1);
	CHECK_EQ(res.ranges[0].n, 0);              /* a put answers no data */
	etcd_txn_result_free(&res);
	CHECK_EQ(etcd_txn(c, &absent, 1, &create, 1, &read, 1, &res), 0);
	CHECK(!res.succeeded);
	CHECK_EQ(res.n_ranges, 1);
	CHECK_EQ(res.ranges[0].n, 1);              /* the failure branch read the owner */
	CHECK_EQ(res.ranges[0].kv[0].mod_revision, rev);
	CHECK(!strcmp((char *)res.ranges[0].kv[0].value, "n1"));
	etcd_txn_result_free(&res);

	/* CAS on mod_revision: succeeds once, then the revision has moved */
	struct etcd_cmp cas = cmp_num(k, ETCD_CMP_MOD, ETCD_CMP_EQUAL, rev);
	struct etcd_op take = create;
	take.value = "n2";
	CHECK_EQ(etcd_txn(c, &cas, 1, &take, 1, NULL, 0, &res), 0);
	CHECK(res.succeeded);
	CHECK_EQ(res.revision, rev + 1);
	etcd_txn_result_free(&res);
	CHECK_EQ(etcd_txn(c, &cas, 1, &take, 1, NULL, 0, &res), 0);
	CHECK(!res.succeeded);
	CHECK_EQ(res.n_ranges, 0);
	etcd_txn_result_free(&res);

	/* the other targets and results */
	struct etcd_cmp many[] = {
		cmp_num(k, ETCD_CMP_MOD, ETCD_CMP_GREATER, rev),
		cmp_num(k, ETCD_CMP_MOD, ETCD_CMP_LESS, rev + 2),
		cmp_num(k, ETCD_CMP_CREATE, ETCD_CMP_EQUAL, rev),
		cmp_num(k, ETCD_CMP_VERSION, ETCD_CMP_NOT_EQUAL, 1),
		{.key = k, .key_len = strlen(k), .target = ETCD_CMP_VALUE,
		 .result = ETCD_CMP_EQUAL, .value = "n2", .value_len = 2},
	};
	struct etcd_op del = {.type = ETCD_OP_DELETE, .key = P, .key_len = strlen(P), .prefix = true};
	CHECK_EQ(etcd_txn(c, many, 5, &read, 1, NULL, 0, &res), 0);
	CHECK(res.succeeded);
	CHECK_EQ(res.ranges[0].n, 1);
	etcd_txn_result_free(&res);
	for (size_t i = 0; i < 5; i++) {           /* each compare alone, made false */
		struct etcd_cmp one = many[i];
		if (one.target == ETCD_CMP_VALUE)
			one.value = "n3";
		else
			one.result = one.result == ETCD_CMP_NOT_EQUAL ? ETCD_CMP_EQUAL
				   : one.result == ETCD_CMP_EQUAL ? ETCD_CMP_NOT_EQUAL
				   : one.result == ETCD_CMP_LESS ? ETCD_CMP_GREATER : ETCD_CMP_LESS;
		if (one.target == ETCD_CMP_MOD)
			one.number = rev + 1;          /* neither greater nor less than itself */
		CHECK_EQ(etcd_txn(c, &one, 1, &del, 1, NULL, 0, &res), 0);
		CHECK(!res.succeeded);
		etcd_txn_result_free(&res);
	}
	/* empty compare: success ops run */
	CHECK_EQ(etcd_txn(c, NULL, 0, &del, 1, NULL, 0, &res), 0);
	CHECK(res.succeeded);
	etcd_txn_result_free(&res);
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_get(c, k, strlen(k), &kvs), 0);
	CHECK_EQ(kvs.n, 0);
	etcd_kvs_free(&kvs);

	/* two ops on one key: etcd refuses, translated to -EINVAL with a message */
	struct etcd_op two[] = {create, create};
	CHECK_EQ(etcd_txn(c, NULL, 0, two, 2, NULL, 0, &res), -EINVAL);
	CHECK(strstr(etcd_last_error(c), "duplicate key"));
	struct etcd_cmp badcmp = absent;
	badcmp.target = (enum etcd_cmp_target)9;
	CHECK_EQ(etcd_txn(c, &badcmp, 1, NULL, 0, NULL, 0, &res), -EINVAL);
}

static void test_leases(struct etcd *c)
{
	int64_t id, ttl, ttl2;
	struct etcd_kvs kvs;
	CHECK_EQ(etcd_lease_grant(c, 2, &id, &ttl), 0);
	CHECK(id != 0);
	CHECK_EQ(ttl, 2);
	put(c, K("ephemeral"), "x", id, NULL);
	CHECK_EQ(etcd_get(c, K("ephemeral"), strlen(K("ephemeral")), &kvs), 0);
	CHECK_EQ(kvs.n, 1);
	CHECK_EQ(kvs.kv[0].lease, id);
	etcd_kvs_free(&kvs);
	CHECK_EQ(etcd_lease_keepalive(c, id, &ttl2), 0);
	CHECK_EQ(ttl2, 2);

	/* without keepalive the lease expires and takes its key along */
	int64_t t0 = etu_now_ms();
	size_t n = 1;
	while (n && etu_now_ms() - t0 < 6000) {
		etu_sleep_ms(200);
		CHECK_EQ(etcd_get(c, K("ephemeral"), strlen(K("ephemeral")), &kvs), 0);
		n = kvs.n;
		etcd_kvs_free(&kvs);
	}
	CHECK_EQ(n, 0);
	CHECK(etu_now_ms() - t0 >= 1500);
	CHECK_EQ(etcd_lease_keepalive(c, id, &ttl2), -ENOENT);
	CHECK_EQ(ttl2, 0);

	/* revoke deletes at once; a second revoke does not find it */
	CHECK_EQ(etcd_lease_grant(c, 30, &id, NULL), 0);
	put(c, K("ephemeral2"), "y", id, NULL);
	CHECK_EQ(etcd_lease_revoke(c, id), 0);
	CHECK_EQ(etcd_get(c, K("ephemeral2"), strlen(K("ephemeral2")), &kvs), 0);
	CHECK_EQ(kvs.n, 0);
	etcd_kvs_free(&kvs);
	CHECK_EQ(etcd_lease_revoke(c, id), -ENOENT);
	CHECK(strstr(etcd_last_error(c), "lease not found"));
	/* a put on an unknown lease is refused */
	CHECK_EQ(etcd_put(c, "k", 1, "v", 1, id, NULL), -ENOENT);
	CHECK_EQ(etcd_lease_grant(c, 0, &id, NULL), -EINVAL);
}

int main(void)
{
	etu_key(P, sizeof P, "kvtest", "");
	struct etcd *c = etu_open(etu_fixture_url(), 2000, 0);
	test_put_get_range_delete(c);
	test_txn(c);
	test_leases(c);
	etcd_close(c);
	return 0;
}
