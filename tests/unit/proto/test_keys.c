/* Key layout: every key built and parsed back, custom prefixes, bad names and prefixes,
 * short buffers, and keys a watch on the prefix must skip. */
#include <errno.h>
#include <string.h>

#include "proto/keys.h"
#include "tests/testutil.h"

#define NAME63 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

static void check_parse(const char *prefix, const char *key, enum proto_key_kind kind,
			const char *name)
{
	struct proto_key k;
	CHECK_EQ(proto_key_parse(prefix, key, strlen(key), &k), 0);
	CHECK_EQ(k.kind, kind);
	CHECK(!strcmp(k.name, name));
}

static void check_unknown(const char *key, size_t len)
{
	struct proto_key k = {.kind = PROTO_KEY_NODE, .name = "x"};
	CHECK_EQ(proto_key_parse("/vtl/", key, len, &k), -ENOENT);
	CHECK_EQ(k.kind, 0);
	CHECK_EQ(k.name[0], 0);
}

static void test_build_and_parse(void)
{
	char b[PROTO_KEY_MAX];
	const char *p = PROTO_KEY_PREFIX_DEFAULT;
	CHECK_EQ(proto_key_node(b, sizeof b, p, "node-1"), 0);
	CHECK(!strcmp(b, "/vtl/nodes/node-1"));
	check_parse(p, b, PROTO_KEY_NODE, "node-1");
	CHECK_EQ(proto_key_lib_config(b, sizeof b, p, "lib_A"), 0);
	CHECK(!strcmp(b, "/vtl/libraries/lib_A/config"));
	check_parse(p, b, PROTO_KEY_LIB_CONFIG, "lib_A");
	CHECK_EQ(proto_key_lib_owner(b, sizeof b, p, "lib_A"), 0);
	CHECK(!strcmp(b, "/vtl/libraries/lib_A/owner"));
	check_parse(p, b, PROTO_KEY_LIB_OWNER, "lib_A");
	CHECK_EQ(proto_key_migration(b, sizeof b, p, "m-20261122-1"), 0);
	CHECK(!strcmp(b, "/vtl/migrations/m-20261122-1"));
	check_parse(p, b, PROTO_KEY_MIGRATION, "m-20261122-1");
	CHECK_EQ(proto_key_leader(b, sizeof b, p), 0);
	CHECK(!strcmp(b, "/vtl/manager/leader"));
	check_parse(p, b, PROTO_KEY_LEADER, "");
	CHECK_EQ(proto_key_drain(b, sizeof b, p, "node-2"), 0);
	CHECK(!strcmp(b, "/vtl/drain/node-2"));
	check_parse(p, b, PROTO_KEY_DRAIN, "node-2");
	CHECK_EQ(proto_key_drain(b, sizeof b, p, "a/b"), -EINVAL);
	/* names that look like the layout's own words are still names */
	CHECK_EQ(proto_key_lib_owner(b, sizeof b, p, "config"), 0);
	check_parse(p, b, PROTO_KEY_LIB_OWNER, "config");
	CHECK_EQ(proto_key_node(b, sizeof b, p, NAME63), 0);
	check_parse(p, b, PROTO_KEY_NODE, NAME63);
}

static void test_custom_prefix(void)
{
	char b[PROTO_KEY_MAX];
	CHECK_EQ(proto_key_lib_owner(b, sizeof b, "/prod/vtl-a/", "L1"), 0);
	CHECK(!strcmp(b, "/prod/vtl-a/libraries/L1/owner"));
	check_parse("/prod/vtl-a/", b, PROTO_KEY_LIB_OWNER, "L1");
	struct proto_key k;
	/* the same key is not ours under another prefix */
	CHECK_EQ(proto_key_parse("/vtl/", b, strlen(b), &k), -ENOENT);
	CHECK_EQ(proto_key_leader(b, sizeof b, "/"), 0);
	CHECK(!strcmp(b, "/manager/leader"));
	check_parse("/", b, PROTO_KEY_LEADER, "");
}

static void test_bad_names(void)
{
	char b[PROTO_KEY_MAX];
	const char *bad[] = {"", NAME63 "x", "a/b", "a b", "a.b", "caf\xc3\xa9", "a\n", "..", "*"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!proto_name_valid(bad[i]));
		CHECK_EQ(proto_key_node(b, sizeof b, "/vtl/", bad[i]), -EINVAL);
		CHECK_EQ(b[0], 0);
		CHECK_EQ(proto_key_lib_config(b, sizeof b, "/vtl/", bad[i]), -EINVAL);
		CHECK_EQ(proto_key_lib_owner(b, sizeof b, "/vtl/", bad[i]), -EINVAL);
		CHECK_EQ(proto_key_migration(b, sizeof b, "/vtl/", bad[i]), -EINVAL);
	}
	CHECK(!proto_name_valid(NULL));
	CHECK_EQ(proto_key_node(b, sizeof b, "/vtl/", NULL), -EINVAL);
	CHECK_EQ(proto_key_lib_config(b, sizeof b, "/vtl/", NULL), -EINVAL);
	CHECK_EQ(proto_key_lib_owner(b, sizeof b, "/vtl/", NULL), -EINVAL);
	CHECK_EQ(proto_key_migration(b, sizeof b, "/vtl/", NULL), -EINVAL);
	CHECK(proto_name_valid("a"));
	CHECK(proto_name_valid(NAME63));
	CHECK(proto_name_valid("-_-"));
}

static void test_bad_prefixes(void)
{
	char b[PROTO_KEY_MAX], longp[PROTO_PREFIX_MAX + 2];
	struct proto_key k;
	memset(longp, 'a', sizeof longp);
	longp[0] = '/';
	longp[PROTO_PREFIX_MAX] = '/';
	longp[PROTO_PREFIX_MAX + 1] = 0;       /* 129 characters */
	const char *bad[] = {"", "vtl/", "/vtl", "/v tl/", "/vtl\x7f/", "/v\xc3\xa9/", longp};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!proto_prefix_valid(bad[i]));
		CHECK_EQ(proto_key_node(b, sizeof b, bad[i], "n1"), -EINVAL);
		CHECK_EQ(proto_key_leader(b, sizeof b, bad[i]), -EINVAL);
		CHECK_EQ(proto_key_dir(b, sizeof b, bad[i], PROTO_KEY_NODE), -EINVAL);
		CHECK_EQ(proto_key_parse(bad[i], "/vtl/nodes/n1", 13, &k), -EINVAL);
	}
	CHECK(!proto_prefix_valid(NULL));
	CHECK_EQ(proto_key_leader(b, sizeof b, NULL), -EINVAL);
	longp[PROTO_PREFIX_MAX - 1] = '/';
	longp[PROTO_PREFIX_MAX] = 0;           /* exactly the maximum */
	CHECK(proto_prefix_valid(longp));
}

static void test_short_buffers(void)
{
	char b[PROTO_KEY_MAX], longp[PROTO_PREFIX_MAX + 1];
	const char *want = "/vtl/libraries/L1/config";
	size_t n = strlen(want);
	CHECK_EQ(proto_key_lib_config(b, n + 1, "/vtl/", "L1"), 0);
	CHECK(!strcmp(b, want));
	CHECK_EQ(proto_key_lib_config(b, n, "/vtl/", "L1"), -ENAMETOOLONG);
	CHECK_EQ(b[0], 0);
	CHECK_EQ(proto_key_leader(b, 5, "/vtl/"), -ENAMETOOLONG);
	CHECK_EQ(b[0], 0);
	CHECK_EQ(proto_key_dir(b, 6, "/vtl/", PROTO_KEY_NODE), -ENAMETOOLONG);
	CHECK_EQ(proto_key_node(NULL, 0, "/vtl/", "n1"), -ENAMETOOLONG);
	/* PROTO_KEY_MAX holds the longest key there is */
	memset(longp, 'p', sizeof longp);
	longp[0] = '/';
	longp[PROTO_PREFIX_MAX - 1] = '/';
	longp[PROTO_PREFIX_MAX] = 0;
	CHECK_EQ(proto_key_lib_config(b, sizeof b, longp, NAME63), 0);
	CHECK_EQ(strlen(b), PROTO_KEY_MAX - 1);
	check_parse(longp, b, PROTO_KEY_LIB_CONFIG, NAME63);
}

static void test_dirs(void)
{
	char b[PROTO_KEY_MAX];
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_NODE), 0);
	CHECK(!strcmp(b, "/vtl/nodes/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_LIB_CONFIG), 0);
	CHECK(!strcmp(b, "/vtl/libraries/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_LIB_OWNER), 0);
	CHECK(!strcmp(b, "/vtl/libraries/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_MIGRATION), 0);
	CHECK(!strcmp(b, "/vtl/migrations/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_LEADER), 0);
	CHECK(!strcmp(b, "/vtl/manager/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_DRAIN), 0);
	CHECK(!strcmp(b, "/vtl/drain/"));
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", 0), -EINVAL);
	CHECK_EQ(proto_key_dir(b, sizeof b, "/vtl/", PROTO_KEY_DRAIN + 1), -EINVAL);
}

static void test_unknown_keys(void)
{
	const char *keys[] = {
		"", "/", "/vtl", "/vtl/", "/vtx/nodes/n1", "vtl/nodes/n1", "/vtl/nodes/",
		"/vtl/nodes/n1/", "/vtl/nodes/a/b", "/vtl/nodes/bad!", "/vtl/node/n1",
		"/vtl/libraries/L1", "/vtl/libraries/L1/", "/vtl/libraries/L1/other",
		"/vtl/libraries//config", "/vtl/libraries/L1/config/x", "/vtl/libraries/a/b/owner",
		"/vtl/libraries/L1/configx", "/vtl/migrations/", "/vtl/migrations/m 1",
		"/vtl/manager/leader2", "/vtl/manager/", "/vtl/drain/", "/vtl/drain/a/b", "/vtl/manager/leade", "/vtl/manager",
		"/vtl/nodes/" NAME63 "x", "/VTL/nodes/n1",
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		check_unknown(keys[i], strlen(keys[i]));
	/* etcd keys are bytes: an embedded NUL or a high byte is not a name character */
	check_unknown("/vtl/nodes/a\0b", 14);
	check_unknown("/vtl/nodes/a\xff", 13);
	check_unknown("/vtl/manager/leader\0", 20);
	check_unknown(NULL, 0);
	/* len bounds the key; what follows it is never read as part of it */
	struct proto_key k;
	const char *buf = "/vtl/nodes/n1GARBAGE/";
	CHECK_EQ(proto_key_parse("/vtl/", buf, 13, &k), 0);
	CHECK_EQ(k.kind, PROTO_KEY_NODE);
	CHECK(!strcmp(k.name, "n1"));
	CHECK_EQ(proto_key_parse("/vtl/", buf, 12, &k), 0);
	CHECK(!strcmp(k.name, "n"));
	CHECK_EQ(proto_key_parse("/vtl/", buf, 11, &k), -ENOENT);
}

int main(void)
{
	test_build_and_parse();
	test_custom_prefix();
	test_bad_names();
	test_bad_prefixes();
	test_short_buffers();
	test_dirs();
	test_unknown_keys();
	return 0;
}
