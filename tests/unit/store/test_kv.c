/* test_kv.c - store_kv_*: put/get/delete with exact error codes, prefix scans (including
 * prefixes ending in 0xff and early stops), persistence across reopen, one opener per
 * directory, and puts from two threads at once. */
#include "node/store/store.h"
#include "tests/testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void put_str(struct store *s, const char *k, const char *v, bool sync)
{
	CHECK_EQ(store_kv_put(s, k, v, strlen(v), sync), 0);
}

static void check_get(struct store *s, const char *k, const char *want)
{
	void *v = NULL;
	size_t len = 0;
	CHECK_EQ(store_kv_get(s, k, &v, &len), 0);
	CHECK_EQ(len, strlen(want));
	CHECK(memcmp(v, want, len) == 0);
	free(v);
}

static void test_basic(struct store *s)
{
	void *v = (void *)1;
	size_t len = 99;
	CHECK_EQ(store_kv_get(s, "missing", &v, &len), -ENOENT);
	CHECK(v == (void *)1 && len == 99); /* untouched on failure */
	put_str(s, "a", "one", false);
	check_get(s, "a", "one");
	put_str(s, "a", "uno", true); /* overwrite */
	check_get(s, "a", "uno");
	CHECK_EQ(store_kv_put(s, "empty", NULL, 0, false), 0);
	check_get(s, "empty", "");
	uint8_t bin[5] = {0, 1, 0, 0xff, 0};
	CHECK_EQ(store_kv_put(s, "bin", bin, sizeof bin, false), 0);
	CHECK_EQ(store_kv_get(s, "bin", &v, &len), 0);
	CHECK_EQ(len, 5);
	CHECK(memcmp(v, bin, 5) == 0);
	free(v);
	CHECK_EQ(store_kv_delete(s, "bin", false), 0);
	CHECK_EQ(store_kv_delete(s, "empty", false), 0);
	CHECK_EQ(store_kv_delete(s, "a", true), 0);
	CHECK_EQ(store_kv_get(s, "a", &v, &len), -ENOENT);
	CHECK_EQ(store_kv_delete(s, "a", false), 0); /* absent: still fine */
	CHECK_EQ(store_kv_put(s, "", "x", 1, false), -EINVAL);
	CHECK_EQ(store_kv_put(s, NULL, "x", 1, false), -EINVAL);
	CHECK_EQ(store_kv_put(s, "k", NULL, 3, false), -EINVAL);
	CHECK_EQ(store_kv_get(s, "", &v, &len), -EINVAL);
	CHECK_EQ(store_kv_delete(s, "", false), -EINVAL);
}

struct scan_acc {
	char keys[16][32];
	int n;
	int stop_after; /* return 7 after this many keys (0: never) */
};

static int scan_fn(void *arg, const char *key, const void *val, size_t len)
{
	struct scan_acc *a = arg;
	CHECK(a->n < 16);
	CHECK(strlen(key) < 32);
	/* every test value is the key itself, so the value seen must match the key */
	CHECK_EQ(len, strlen(key));
	CHECK(memcmp(val, key, len) == 0);
	snprintf(a->keys[a->n++], 32, "%s", key);
	return a->stop_after && a->n == a->stop_after ? 7 : 0;
}

static int scan(struct store *s, const char *prefix, struct scan_acc *a, int stop_after)
{
	memset(a, 0, sizeof *a);
	a->stop_after = stop_after;
	return store_kv_scan(s, prefix, scan_fn, a);
}

static void test_scan(struct store *s)
{
	const char *keys[] = {"lib/b/z", "lib/a/y", "lib/a/x", "lia", "lic", "lib/a", "m",
			      "p\xff", "p\xff\x01", "p\xff\xff", "q"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		put_str(s, keys[i], keys[i], false);
	struct scan_acc a;
	CHECK_EQ(scan(s, "lib/a/", &a, 0), 0);
	CHECK_EQ(a.n, 2);
	CHECK(strcmp(a.keys[0], "lib/a/x") == 0 && strcmp(a.keys[1], "lib/a/y") == 0);
	CHECK_EQ(scan(s, "lib/", &a, 0), 0);
	CHECK_EQ(a.n, 4);
	CHECK(strcmp(a.keys[0], "lib/a") == 0 && strcmp(a.keys[3], "lib/b/z") == 0);
	CHECK_EQ(scan(s, "li", &a, 0), 0);
	CHECK_EQ(a.n, 6);
	CHECK(strcmp(a.keys[0], "lia") == 0 && strcmp(a.keys[5], "lic") == 0);
	CHECK_EQ(scan(s, "nothing", &a, 0), 0);
	CHECK_EQ(a.n, 0);
	/* prefixes ending in 0xff: the upper bound carries into the byte before */
	CHECK_EQ(scan(s, "p\xff", &a, 0), 0);
	CHECK_EQ(a.n, 3);
	CHECK_EQ(scan(s, "p\xff\xff", &a, 0), 0);
	CHECK_EQ(a.n, 1);
	/* the empty prefix is everything, in key order */
	CHECK_EQ(scan(s, "", &a, 0), 0);
	CHECK_EQ(a.n, (int)(sizeof keys / sizeof keys[0]));
	CHECK(strcmp(a.keys[0], "lia") == 0 && strcmp(a.keys[a.n - 1], "q") == 0);
	/* a non-zero return stops the scan and is returned */
	CHECK_EQ(scan(s, "lib/", &a, 2), 7);
	CHECK_EQ(a.n, 2);
	CHECK_EQ(store_kv_scan(s, NULL, scan_fn, &a), -EINVAL);
	CHECK_EQ(store_kv_scan(s, "x", NULL, &a), -EINVAL);
}

struct thr {
	struct store *s;
	int id;
};

static void *thr_put(void *arg)
{
	struct thr *t = arg;
	char k[32], v[32];
	for (int i = 0; i < 500; i++) {
		snprintf(k, sizeof k, "thr/%d/%04d", t->id, i);
		snprintf(v, sizeof v, "v%d", i);
		CHECK_EQ(store_kv_put(t->s, k, v, strlen(v), i % 100 == 0), 0);
	}
	return NULL;
}

static int count_fn(void *arg, const char *key, const void *val, size_t len)
{
	(void)key;
	(void)val;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static void test_threads(struct store *s)
{
	pthread_t th[2];
	struct thr a[2] = {{s, 0}, {s, 1}};
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, thr_put, &a[i]), 0);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);
	int n = 0;
	CHECK_EQ(store_kv_scan(s, "thr/", count_fn, &n), 0);
	CHECK_EQ(n, 1000);
	check_get(s, "thr/1/0499", "v499");
}

int main(void)
{
	const char *dir = tu_tmpdir("store_kv");
	char path[512];
	snprintf(path, sizeof path, "%s/node", dir);
	struct store *s = NULL, *s2 = NULL;
	CHECK_EQ(store_open(path, &s), 0);
	CHECK_EQ(store_open(path, &s2), -EBUSY); /* one opener per directory */
	test_basic(s);
	test_scan(s);
	test_threads(s);
	put_str(s, "persist/nosync", "a", false);
	put_str(s, "persist/sync", "b", true);
	store_close(s);
	CHECK_EQ(store_open(path, &s), 0);
	check_get(s, "persist/nosync", "a");
	check_get(s, "persist/sync", "b");
	check_get(s, "lib/a/x", "lib/a/x");
	void *v;
	size_t len;
	CHECK_EQ(store_kv_get(s, "a", &v, &len), -ENOENT); /* the delete persisted too */
	store_close(s);
	store_close(NULL);
	/* a store directory that cannot be created */
	CHECK(store_open("/proc/vtl-no-such/dir", &s) < 0);
	tu_rmtree(dir);
	return 0;
}
