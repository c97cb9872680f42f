/* config.c - table-driven parser for the node configuration (format in config.h).
 * Every field is a row: section, key, kind, where it goes, its bounds. */
#include "node/config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cfg__kind { CFG_STR, CFG_U16, CFG_U32, CFG_SIZE, CFG_LEVEL };
enum cfg__section { SEC_NONE, SEC_NODE, SEC_ETCD, SEC_LIB };

struct cfg__field {
	enum cfg__section sec;
	const char *key;
	enum cfg__kind kind;
	size_t off;             /* into struct node_config or struct lib_config */
	size_t size;            /* buffer size for strings */
	uint64_t min, max;
};

#define NODE_STR(k, f) {SEC_NODE, k, CFG_STR, offsetof(struct node_config, f), sizeof(((struct node_config *)0)->f), 1, 0}
#define ETCD_STR(k, f) {SEC_ETCD, k, CFG_STR, offsetof(struct node_config, etcd.f), sizeof(((struct node_config *)0)->etcd.f), 1, 0}
#define LIB_STR(k, f) {SEC_LIB, k, CFG_STR, offsetof(struct lib_config, f), sizeof(((struct lib_config *)0)->f), 1, 0}
#define LIB_NUM(k, kind, f, lo, hi) {SEC_LIB, k, kind, offsetof(struct lib_config, f), 0, lo, hi}

static const struct cfg__field cfg__fields[] = {
	NODE_STR("id", id),
	NODE_STR("portal", portal),
	NODE_STR("data_dir", data_dir),
	NODE_STR("iqn_prefix", iqn_prefix),
	{SEC_NODE, "log_level", CFG_LEVEL, offsetof(struct node_config, log_level), 0, 0, 0},
	NODE_STR("peer", peer),
	ETCD_STR("endpoints", endpoints),
	ETCD_STR("prefix", prefix),
	{SEC_ETCD, "lease_ttl", CFG_U32, offsetof(struct node_config, etcd.lease_ttl), 0, 2, 60},
	ETCD_STR("username", username),
	ETCD_STR("password", password),
	LIB_NUM("drives", CFG_U16, drives, 1, LIB_MAX_DRIVES),
	LIB_NUM("slots", CFG_U16, slots, 1, LIB_MAX_SLOTS),
	LIB_NUM("ie_slots", CFG_U16, ie_slots, 0, LIB_MAX_IE),
	LIB_NUM("cartridges", CFG_U32, cartridges, 0, 9999),
	LIB_NUM("capacity", CFG_SIZE, capacity, 1u << 20, UINT64_C(1) << 50),
	LIB_STR("barcode_prefix", barcode_prefix),
	LIB_STR("media", media),
	LIB_STR("changer_vendor", changer_vendor),
	LIB_STR("changer_product", changer_product),
	LIB_STR("changer_revision", changer_rev),
	LIB_STR("drive_vendor", drive_vendor),
	LIB_STR("drive_product", drive_product),
	LIB_STR("drive_revision", drive_rev),
};

void config_defaults(struct node_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->id, sizeof cfg->id, "node1");
	snprintf(cfg->portal, sizeof cfg->portal, "127.0.0.1:3260");
	snprintf(cfg->data_dir, sizeof cfg->data_dir, "/var/lib/vtl");
	snprintf(cfg->iqn_prefix, sizeof cfg->iqn_prefix, "iqn.2026-11.io.vtl");
	cfg->log_level = LOG_INFO;
	snprintf(cfg->etcd.prefix, sizeof cfg->etcd.prefix, "%s", PROTO_KEY_PREFIX_DEFAULT);
	cfg->etcd.lease_ttl = 5;
}

static char *cfg__trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Parses "123", "4G", "512M"... into *out within [min, max]; returns a reason or NULL. */
static const char *cfg__number(const char *v, bool suffixes, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*v))
		return "expected a number";
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno)
		return "number out of range";
	unsigned shift = 0;
	if (suffixes && *end) {
		const char *units = "KMGT";
		const char *u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return "unknown size suffix (use K, M, G or T)";
		shift = 10u * (unsigned)(u - units + 1);
		end++;
		if (*end == 'i' || *end == 'B')
			end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	}
	if (*end)
		return "trailing characters after the number";
	if (shift && n > (UINT64_MAX >> shift))
		return "number out of range";
	n <<= shift;
	if (n < min || n > max)
		return "number out of range";
	*out = n;
	return NULL;
}

static const char *cfg__apply(const struct cfg__field *f, void *base, const char *v)
{
	uint8_t *dst = (uint8_t *)base + f->off;
	uint64_t n = 0;
	const char *why = NULL;
	switch (f->kind) {
	case CFG_STR:
		if (!*v)
			return "must not be empty";
		if (strlen(v) >= f->size)
			return "too long";
		memcpy(dst, v, strlen(v) + 1);
		return NULL;
	case CFG_LEVEL: {
		static const char *names[] = {"debug", "info", "warn", "error"};
		for (int i = 0; i < 4; i++)
			if (!strcmp(v, names[i])) {
				*(enum vtl_log_level *)(void *)dst = (enum vtl_log_level)i;
				return NULL;
			}
		return "must be debug, info, warn or error";
	}
	case CFG_U16:
	case CFG_U32:
	case CFG_SIZE:
		why = cfg__number(v, f->kind == CFG_SIZE, f->min, f->max, &n);
		if (why)
			return why;
		if (f->kind == CFG_U16)
			*(uint16_t *)(void *)dst = (uint16_t)n;
		else if (f->kind == CFG_U32)
			*(uint32_t *)(void *)dst = (uint32_t)n;
		else
			*(uint64_t *)(void *)dst = n;
		return NULL;
	}
	return "internal: unknown field kind";
}

/* Handles "[node]" and "[library NAME]"; returns a reason or NULL. */
static const char *cfg__section(struct node_config *cfg, char *line, enum cfg__section *sec)
{
	char *end = strchr(line, ']');
	if (!end || cfg__trim(end + 1)[0])
		return "malformed section header";
	*end = 0;
	char *name = cfg__trim(line + 1);
	if (!strcmp(name, "node") || !strcmp(name, "etcd")) {
		*sec = name[0] == 'n' ? SEC_NODE : SEC_ETCD;
		return NULL;
	}
	if (strncmp(name, "library", 7) || !isspace((unsigned char)name[7]))
		return "unknown section (expected [node], [etcd] or [library NAME])";
	name = cfg__trim(name + 7);
	if (!*name || strlen(name) >= LIB_NAME_MAX)
		return "library name empty or too long";
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return "library name may hold only letters, digits, '-' and '_'";
	for (size_t i = 0; i < cfg->n_libs; i++)
		if (!strcmp(cfg->libs[i].name, name))
			return "library defined twice";
	if (cfg->n_libs == CONFIG_MAX_LIBS)
		return "too many libraries";
	lib_config_defaults(&cfg->libs[cfg->n_libs++], name);
	*sec = SEC_LIB;
	return NULL;
}

static const char *cfg__line(struct node_config *cfg, char *line, unsigned lineno,
			     enum cfg__section *sec, const char **field)
{
	char *s = cfg__trim(line);
	if (!*s || *s == '#' || *s == ';')
		return NULL;
	if (*s == '[') {
		const char *why = cfg__section(cfg, s, sec);
		if (!why && *sec == SEC_LIB)
			cfg->lib_line[cfg->n_libs - 1] = lineno;
		if (!why && *sec == SEC_ETCD && !cfg->etcd_line)
			cfg->etcd_line = lineno;
		return why;
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return "expected 'key = value'";
	*eq = 0;
	char *key = cfg__trim(s), *val = eq + 1;
	char *hash = strstr(val, " #");     /* trailing comment */
	if (hash)
		*hash = 0;
	val = cfg__trim(val);
	*field = key;
	if (*sec == SEC_NONE)
		return "key outside a section";
	if (*sec == SEC_NODE && !strcmp(key, "portal"))
		cfg->portal_line = lineno;
	if (*sec == SEC_ETCD && !strcmp(key, "prefix"))
		cfg->etcd_prefix_line = lineno;
	if (*sec == SEC_NODE && !strcmp(key, "peer"))
		cfg->peer_line = lineno;
	for (size_t i = 0; i < sizeof cfg__fields / sizeof cfg__fields[0]; i++) {
		const struct cfg__field *f = &cfg__fields[i];
		if (f->sec == *sec && !strcmp(f->key, key))
			return cfg__apply(f, *sec == SEC_LIB ? (void *)&cfg->libs[cfg->n_libs - 1] : (void *)cfg, val);
	}
	return "unknown field";
}

int config_parse(struct node_config *cfg, const char *name, const char *text, char *err, size_t errlen)
{
	enum cfg__section sec = SEC_NONE;
	unsigned lineno = 0;
	snprintf(cfg->source, sizeof cfg->source, "%s", name);
	const char *p = text;
	while (*p) {
		char line[1024];
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		const char *field = NULL, *why = NULL;
		if (n >= sizeof line) {
			why = "line too long";
		} else {
			memcpy(line, p, n);
			line[n] = 0;
			why = cfg__line(cfg, line, lineno, &sec, &field);
		}
		if (why) {
			if (field)
				snprintf(err, errlen, "%s:%u: field '%s': %s", name, lineno, field, why);
			else
				snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			return -EINVAL;
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int config_load(struct node_config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, '\0', f);   /* whole file */
	int rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!rc && n >= 0 && (size_t)n > (1u << 20)) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		rc = -EINVAL;
	} else if (!rc) {
		rc = config_parse(cfg, path, n > 0 ? text : "", err, errlen);
	} else {
		snprintf(err, errlen, "%s: read error", path);
	}
	free(text);
	return rc;
}

/* "FILE:LINE: " when the setting came from a file line, else "". */
static const char *cfg__where(const struct node_config *cfg, unsigned line, char *buf, size_t cap)
{
	if (!line || !cfg->source[0])
		return "";
	snprintf(buf, cap, "%s:%u: ", cfg->source, line);
	return buf;
}

static const char *cfg__check_lib(const struct lib_config *l, const char **field)
{
	*field = "cartridges";
	if (l->cartridges > l->slots)
		return "more cartridges than slots";
	*field = "barcode_prefix";
	if (strlen(l->barcode_prefix) + 4 + strlen(l->media) > LIB_BARCODE_MAX)
		return "prefix + 4 digits + media exceed 16 characters";
	for (const char *c = l->barcode_prefix; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return "only A-Z and 0-9";
	*field = "media";
	for (const char *c = l->media; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return "only A-Z and 0-9";
	return NULL;
}

/* What the cluster needs that one line cannot check; NULL if fine. */
static const char *cfg__check_cluster(const struct node_config *cfg, const char **field,
				      unsigned *line)
{
	*field = "peer", *line = cfg->peer_line;
	if (cfg->peer[0] && strncmp(cfg->peer, "tcp://", 6))
		return "expected an nng URL tcp://HOST:PORT";
	if (!cfg->etcd.endpoints[0])
		return NULL;
	*field = "prefix", *line = cfg->etcd_prefix_line;
	if (!proto_prefix_valid(cfg->etcd.prefix))
		return "must start and end with '/', printable ASCII without spaces, at most 128 characters";
	/* the id becomes the key nodes/<id> (proto/keys.h) */
	*field = "id", *line = 0;
	if (!proto_name_valid(cfg->id))
		return "with [etcd], only A-Z, a-z, 0-9, '-' and '_', at most 63 characters";
	return NULL;
}

/* Cluster mode takes its libraries from etcd (node/ownership): a [library] section next
 * to [etcd] would be a second, conflicting source of truth. */
static int cfg__check_mode(const struct node_config *cfg, char *err, size_t errlen)
{
	char where[PATH_MAX + 16];
	if (cfg->etcd_line && !cfg->etcd.endpoints[0]) {
		snprintf(err, errlen, "%s[etcd]: field 'endpoints': required",
			 cfg__where(cfg, cfg->etcd_line, where, sizeof where));
		return -EINVAL;
	}
	if (cfg->etcd.endpoints[0] && cfg->n_libs) {
		snprintf(err, errlen, "%s[library %s]: libraries come from etcd when [etcd] is set",
			 cfg__where(cfg, cfg->lib_line[0], where, sizeof where), cfg->libs[0].name);
		return -EINVAL;
	}
	return 0;
}

int config_finish(struct node_config *cfg, char *err, size_t errlen)
{
	char where[PATH_MAX + 16];
	int rc = cfg__check_mode(cfg, err, errlen);
	if (rc)
		return rc;
	if (!strchr(cfg->portal, ':')) {
		snprintf(err, errlen, "%sfield 'portal': expected HOST:PORT, got '%s'",
			 cfg__where(cfg, cfg->portal_line, where, sizeof where), cfg->portal);
		return -EINVAL;
	}
	const char *field = NULL;
	unsigned line = 0;
	const char *why = cfg__check_cluster(cfg, &field, &line);
	if (why) {
		snprintf(err, errlen, "%sfield '%s': %s", cfg__where(cfg, line, where, sizeof where),
			 field, why);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_libs; i++) {
		struct lib_config *l = &cfg->libs[i];
		const char *field = NULL, *why = cfg__check_lib(l, &field);
		char target[sizeof l->target];
		int n = snprintf(target, sizeof target, "%s:%s", cfg->iqn_prefix, l->name);
		if (!why && (n < 0 || (size_t)n >= sizeof target))
			field = "iqn_prefix", why = "target name <iqn_prefix>:<library> too long";
		for (size_t j = 0; j < i && !why; j++) {
			/* cartridge data is stored by barcode: two libraries generating the same
			 * barcodes on one node would share tapes */
			if (!strcmp(cfg->libs[j].barcode_prefix, l->barcode_prefix) &&
			    !strcmp(cfg->libs[j].media, l->media))
				field = "barcode_prefix", why = "same barcode prefix and media as another library";
		}
		if (why) {
			snprintf(err, errlen, "%slibrary '%s': field '%s': %s",
				 cfg__where(cfg, cfg->lib_line[i], where, sizeof where), l->name, field, why);
			return -EINVAL;
		}
		memcpy(l->target, target, (size_t)n + 1);
	}
	return 0;
}
