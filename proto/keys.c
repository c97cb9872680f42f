/* keys.c - building and parsing the etcd keys (layout in keys.h). */
#include "proto/keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The fixed parts of each key, in enum order; dir is what proto_key_dir returns. */
static const struct {
	const char *dir;        /* after the prefix, up to and including the last '/' */
	const char *suffix;     /* after the name */
} key__layout[] = {
	[PROTO_KEY_NODE] = {"nodes/", ""},
	[PROTO_KEY_LIB_CONFIG] = {"libraries/", "/config"},
	[PROTO_KEY_LIB_OWNER] = {"libraries/", "/owner"},
	[PROTO_KEY_MIGRATION] = {"migrations/", ""},
	[PROTO_KEY_LEADER] = {"manager/", "leader"},
	[PROTO_KEY_DRAIN] = {"drain/", ""},
};

static bool key__name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool key__name_valid_n(const char *s, size_t n)
{
	if (n < 1 || n > PROTO_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!key__name_char(s[i]))
			return false;
	return true;
}

bool proto_name_valid(const char *s)
{
	return s && key__name_valid_n(s, strnlen(s, PROTO_NAME_MAX + 1));
}

bool proto_prefix_valid(const char *prefix)
{
	if (!prefix)
		return false;
	size_t n = strnlen(prefix, PROTO_PREFIX_MAX + 1);
	if (n < 1 || n > PROTO_PREFIX_MAX || prefix[0] != '/' || prefix[n - 1] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (prefix[i] <= ' ' || prefix[i] > '~')
			return false;
	return true;
}

/* name is NULL for the leader key, which has none. */
static int key__build(char *buf, size_t cap, const char *prefix, enum proto_key_kind kind,
		      const char *name)
{
	if (cap)
		buf[0] = 0;
	if (!proto_prefix_valid(prefix) || (name && !proto_name_valid(name)))
		return -EINVAL;
	int n = snprintf(buf, cap, "%s%s%s%s", prefix, key__layout[kind].dir, name ? name : "",
			 key__layout[kind].suffix);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

int proto_key_node(char *buf, size_t cap, const char *prefix, const char *id)
{
	return id ? key__build(buf, cap, prefix, PROTO_KEY_NODE, id) : -EINVAL;
}

int proto_key_lib_config(char *buf, size_t cap, const char *prefix, const char *lib)
{
	return lib ? key__build(buf, cap, prefix, PROTO_KEY_LIB_CONFIG, lib) : -EINVAL;
}

int proto_key_lib_owner(char *buf, size_t cap, const char *prefix, const char *lib)
{
	return lib ? key__build(buf, cap, prefix, PROTO_KEY_LIB_OWNER, lib) : -EINVAL;
}

int proto_key_migration(char *buf, size_t cap, const char *prefix, const char *id)
{
	return id ? key__build(buf, cap, prefix, PROTO_KEY_MIGRATION, id) : -EINVAL;
}

int proto_key_leader(char *buf, size_t cap, const char *prefix)
{
	return key__build(buf, cap, prefix, PROTO_KEY_LEADER, NULL);
}

int proto_key_drain(char *buf, size_t cap, const char *prefix, const char *node)
{
	return key__build(buf, cap, prefix, PROTO_KEY_DRAIN, node);
}

int proto_key_dir(char *buf, size_t cap, const char *prefix, enum proto_key_kind kind)
{
	if (cap)
		buf[0] = 0;
	if (kind < PROTO_KEY_NODE || kind > PROTO_KEY_DRAIN || !proto_prefix_valid(prefix))
		return -EINVAL;
	int n = snprintf(buf, cap, "%s%s", prefix, key__layout[kind].dir);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Consumes lit from the front of [*p, *p + *n) if it is there. */
static bool key__eat(const char **p, size_t *n, const char *lit)
{
	size_t l = strlen(lit);
	if (*n < l || memcmp(*p, lit, l))
		return false;
	*p += l;
	*n -= l;
	return true;
}

/* rest is the key after prefix and dir: "<name><suffix>" with no other '/'. */
static bool key__parse_named(const char *rest, size_t n, enum proto_key_kind kind,
			     struct proto_key *out)
{
	const char *suffix = key__layout[kind].suffix;
	size_t sl = strlen(suffix);
	if (n < sl || memcmp(rest + n - sl, suffix, sl) || !key__name_valid_n(rest, n - sl))
		return false;
	out->kind = kind;
	memcpy(out->name, rest, n - sl);
	out->name[n - sl] = 0;
	return true;
}

int proto_key_parse(const char *prefix, const void *key, size_t len, struct proto_key *out)
{
	if (!proto_prefix_valid(prefix))
		return -EINVAL;
	const char *p = key;
	size_t n = len;
	memset(out, 0, sizeof *out);
	if (!key || !key__eat(&p, &n, prefix))
		return -ENOENT;
	bool ok = false;
	if (key__eat(&p, &n, "nodes/"))
		ok = key__parse_named(p, n, PROTO_KEY_NODE, out);
	else if (key__eat(&p, &n, "drain/"))
		ok = key__parse_named(p, n, PROTO_KEY_DRAIN, out);
	else if (key__eat(&p, &n, "migrations/"))
		ok = key__parse_named(p, n, PROTO_KEY_MIGRATION, out);
	else if (key__eat(&p, &n, "libraries/"))
		ok = key__parse_named(p, n, PROTO_KEY_LIB_CONFIG, out) ||
		     key__parse_named(p, n, PROTO_KEY_LIB_OWNER, out);
	else if (n == strlen("manager/leader") && !memcmp(p, "manager/leader", n)) {
		out->kind = PROTO_KEY_LEADER;
		ok = true;
	}
	if (!ok)
		memset(out, 0, sizeof *out);
	return ok ? 0 : -ENOENT;
}
