/* keys.h - the etcd key layout of the cluster (docs/etcd-layout.md).
 *
 * Every key lives under one configurable prefix (default "/vtl/"):
 *
 *   <prefix>nodes/<id>              node record, attached to the node's lease
 *   <prefix>libraries/<lib>/config  library configuration (manager)
 *   <prefix>libraries/<lib>/owner   ownership, changed by CAS transactions only
 *   <prefix>migrations/<id>         one migration's request and progress
 *   <prefix>manager/leader          address of the active manager, on its lease
 *   <prefix>drain/<id>              a node is draining (manager; outlives the node's lease)
 *
 * Node ids, library names and migration ids are [A-Za-z0-9_-]{1,63}: no '/', so a key
 * has exactly one parse, and short enough for log lines and iSCSI target names.
 *
 * Pure string functions: no allocation, no etcd calls, safe from any thread. */
#ifndef VTL_PROTO_KEYS_H
#define VTL_PROTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define PROTO_KEY_PREFIX_DEFAULT "/vtl/"
#define PROTO_NAME_MAX 63       /* characters of an id or library name, NUL not counted */
#define PROTO_PREFIX_MAX 128    /* characters of the prefix */
/* Longest key: prefix + "libraries/" + name + "/config". Buffers this big never
 * see -ENAMETOOLONG. */
#define PROTO_KEY_MAX (PROTO_PREFIX_MAX + 10 + PROTO_NAME_MAX + 7 + 1)

enum proto_key_kind {
	PROTO_KEY_NODE = 1,
	PROTO_KEY_LIB_CONFIG,
	PROTO_KEY_LIB_OWNER,
	PROTO_KEY_MIGRATION,
	PROTO_KEY_LEADER,
	PROTO_KEY_DRAIN,
};

/* A parsed key: what it names. name is "" for PROTO_KEY_LEADER. */
struct proto_key {
	enum proto_key_kind kind;
	char name[PROTO_NAME_MAX + 1];
};

/* True if s is [A-Za-z0-9_-]{1,63}. */
bool proto_name_valid(const char *s);
/* True if prefix starts and ends with '/', is at most PROTO_PREFIX_MAX characters and
 * holds only printable ASCII without spaces. */
bool proto_prefix_valid(const char *prefix);

/* Each writes a NUL-terminated key into buf[cap]. Returns 0, -EINVAL for a bad prefix or
 * name, -ENAMETOOLONG if buf is too small (buf then holds ""). */
int proto_key_node(char *buf, size_t cap, const char *prefix, const char *id);
int proto_key_lib_config(char *buf, size_t cap, const char *prefix, const char *lib);
int proto_key_lib_owner(char *buf, size_t cap, const char *prefix, const char *lib);
int proto_key_migration(char *buf, size_t cap, const char *prefix, const char *id);
int proto_key_leader(char *buf, size_t cap, const char *prefix);
int proto_key_drain(char *buf, size_t cap, const char *prefix, const char *node);

/* The range a watch or listing of one kind covers: "<prefix>nodes/", "<prefix>libraries/"
 * (config and owner keys both), "<prefix>migrations/", "<prefix>manager/", "<prefix>drain/". Same returns. */
int proto_key_dir(char *buf, size_t cap, const char *prefix, enum proto_key_kind kind);

/* Parses key[0..len) (etcd keys are bytes, not NUL-terminated) into *out. Returns 0,
 * -EINVAL for a bad prefix, -ENOENT for a key that is not one of ours (other prefix,
 * unknown layout, bad name): a watch on the prefix skips those. */
int proto_key_parse(const char *prefix, const void *key, size_t len, struct proto_key *out);

#endif
