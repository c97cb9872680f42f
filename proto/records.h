/* records.h - the JSON values stored under the etcd keys (keys.h, docs/etcd-layout.md).
 *
 * etcd stores values as opaque bytes; ours are compact UTF-8 JSON objects. Each record has
 *  - proto_X_encode(): validates the struct, then writes a malloc'ed NUL-terminated JSON
 *    string (caller frees it with free()). A record that would not decode is never written.
 *  - proto_X_decode(): bytes + length (NOT NUL-terminated, as they come from etcd), checked
 *    against a fixed maximum before parsing, then every field is type- and range-checked.
 *  - proto_X_check(): the validation both share, for a struct built in memory.
 *  - proto_X_equal(): field-wise comparison (a watch can tell a real change from a rewrite).
 *
 * Errors: 0, -EINVAL (malformed or invalid record), -EMSGSIZE (input or output larger than
 * the record's maximum), -ENOMEM. On -EINVAL/-EMSGSIZE a one-line reason naming the field
 * ("field 'epoch': out of range") goes to reason[reason_cap] when reason is not NULL. On
 * failure *out is zeroed and owns nothing.
 *
 * Compatibility rule: unknown object members are ignored, so a newer writer may add fields
 * that older readers skip; a field added later must be optional with a default that keeps
 * old meaning. A field's type or meaning never changes: a new meaning gets a new name.
 * Duplicate member names are rejected (two readers must never see two values).
 *
 * Integers are JSON integers (no fraction, no exponent) in 0..2^63-1 (jansson's range):
 * byte counts, epochs and timestamps fit with room to spare.
 *
 * Pure encode/decode: no etcd calls, no globals, safe from any thread. The library config
 * carries plain fields only; node/lib converts it to its struct lib_config. */
#ifndef VTL_PROTO_RECORDS_H
#define VTL_PROTO_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/keys.h"

#define PROTO_REC_MAX (64 * 1024)       /* node, owner and migration records, bytes */
/* A full library: 4096 cartridges of about 55 bytes of JSON each, with room to spare. */
#define PROTO_LIBCFG_MAX (512 * 1024)
#define PROTO_REASON_MAX 256            /* a reason buffer this big is never truncated */

#define PROTO_ADDR_MAX 255              /* "host:port", "tcp://host:port" */
#define PROTO_VERSION_MAX 63
#define PROTO_LIB_ID_LEN 32             /* lower-case hex digits */
#define PROTO_BARCODE_MAX 16            /* [A-Z0-9]{1,16}, the SMC-3 volume tag's letters */
#define PROTO_MAX_DRIVES 64
#define PROTO_MAX_SLOTS 4096
#define PROTO_MAX_IE 64
#define PROTO_CART_MIN_BYTES (UINT64_C(1) << 20)   /* same bounds as the node config */
#define PROTO_CART_MAX_BYTES (UINT64_C(1) << 50)
#define PROTO_MAX_PARTNERS 8
#define PROTO_TEXT_MAX 255              /* migration reason, bytes of UTF-8 */

/* ---- nodes/<id> ---------------------------------------------------------------- */

struct proto_node {
	char id[PROTO_NAME_MAX + 1];
	char portal[PROTO_ADDR_MAX + 1];        /* iSCSI portal "host:port", "[v6]:port" */
	char peer[PROTO_ADDR_MAX + 1];          /* nng URL "tcp://host:port" */
	char version[PROTO_VERSION_MAX + 1];    /* [A-Za-z0-9.+_-]{1,63} */
	uint64_t capacity_bytes;
	uint64_t free_bytes;                    /* <= capacity_bytes */
	bool draining;                          /* takes no new libraries */
};

int proto_node_check(const struct proto_node *n, char *reason, size_t reason_cap);
int proto_node_encode(const struct proto_node *n, char **out, char *reason, size_t reason_cap);
int proto_node_decode(const void *buf, size_t len, struct proto_node *out, char *reason,
		      size_t reason_cap);
bool proto_node_equal(const struct proto_node *a, const struct proto_node *b);

/* ---- libraries/<lib>/config ---------------------------------------------------- */

enum proto_policy {
	PROTO_POLICY_MIRRORED = 1,      /* "mirrored": owner plus a synchronous partner */
	PROTO_POLICY_SINGLE,            /* "single": owner only */
};

struct proto_cart {
	char barcode[PROTO_BARCODE_MAX + 1];
	uint64_t capacity;              /* native capacity, bytes */
};

struct proto_libcfg {
	char name[PROTO_NAME_MAX + 1];
	char id[PROTO_LIB_ID_LEN + 1];  /* persistent id; serials and VPD 0x83 derive from it */
	uint16_t drives;                /* 1..64 */
	uint16_t slots;                 /* 1..4096 */
	uint16_t ie_slots;              /* 0..64 */
	/* Barcode rule for cartridges added later: prefix + 4 digits + media, <= 16 chars. */
	char barcode_prefix[8];         /* [A-Z0-9]{1,7}, "VT" */
	char media[4];                  /* [A-Z0-9]{1,3}, "L8" */
	uint64_t capacity;              /* default native capacity of a new cartridge, bytes */
	char changer_vendor[9], changer_product[17], changer_rev[5];  /* SPC-4 INQUIRY, ASCII */
	char drive_vendor[9], drive_product[17], drive_rev[5];
	enum proto_policy policy;
	struct proto_cart *carts;       /* owned: n_carts <= slots, barcodes unique */
	size_t n_carts;
};

int proto_libcfg_check(const struct proto_libcfg *c, char *reason, size_t reason_cap);
int proto_libcfg_encode(const struct proto_libcfg *c, char **out, char *reason,
			size_t reason_cap);
/* On success *out owns its carts array: proto_libcfg_fini() it. */
int proto_libcfg_decode(const void *buf, size_t len, struct proto_libcfg *out, char *reason,
			size_t reason_cap);
void proto_libcfg_fini(struct proto_libcfg *c);        /* frees carts; accepts zeroed */
bool proto_libcfg_equal(const struct proto_libcfg *a, const struct proto_libcfg *b);
const char *proto_policy_name(enum proto_policy p);    /* NULL for an unknown value */

/* ---- libraries/<lib>/owner ----------------------------------------------------- */

enum proto_owner_state {
	PROTO_OWNER_ONLINE = 1,         /* "online": the owner serves the library */
	PROTO_OWNER_OFFLINE,            /* "offline": nobody serves it (commands are held) */
	PROTO_OWNER_MIGRATING,          /* "migrating": the owner is handing it over */
};

struct proto_owner {
	char node[PROTO_NAME_MAX + 1];
	uint64_t epoch;                 /* >= 1; +1 at every ownership change (the fence) */
	enum proto_owner_state state;
	char partners[PROTO_MAX_PARTNERS][PROTO_NAME_MAX + 1];  /* unique, never the owner */
	size_t n_partners;
};

int proto_owner_check(const struct proto_owner *o, char *reason, size_t reason_cap);
int proto_owner_encode(const struct proto_owner *o, char **out, char *reason,
		       size_t reason_cap);
int proto_owner_decode(const void *buf, size_t len, struct proto_owner *out, char *reason,
		       size_t reason_cap);
bool proto_owner_equal(const struct proto_owner *a, const struct proto_owner *b);
const char *proto_owner_state_name(enum proto_owner_state s);   /* NULL if unknown */

/* ---- migrations/<id> ----------------------------------------------------------- */

enum proto_mig_phase {             /* DESIGN.md "Migration", steps 1-5 */
	PROTO_MIG_REQUESTED = 1,        /* "requested": recorded by the manager */
	PROTO_MIG_VERIFYING,            /* "verifying": source checks the destination */
	PROTO_MIG_COPYING,              /* "copying": snapshot and log tail to the destination */
	PROTO_MIG_CUTOVER,              /* "cutover": library offline, ownership CAS */
	PROTO_MIG_DONE,                 /* "done": destination owns and serves it */
	PROTO_MIG_ROLLED_BACK,          /* "rolled_back": failed before cutover, source serves */
	PROTO_MIG_FAILED,               /* "failed": see reason */
};

struct proto_mig {
	char id[PROTO_NAME_MAX + 1];
	char library[PROTO_NAME_MAX + 1];
	char source[PROTO_NAME_MAX + 1];
	char destination[PROTO_NAME_MAX + 1];   /* != source */
	enum proto_mig_phase phase;
	uint64_t requested_at;          /* unix ms */
	uint64_t updated_at;            /* unix ms, >= requested_at */
	uint64_t bytes_copied;
	char reason[PROTO_TEXT_MAX + 1];        /* optional UTF-8 text, no control characters */
};

int proto_mig_check(const struct proto_mig *m, char *reason, size_t reason_cap);
int proto_mig_encode(const struct proto_mig *m, char **out, char *reason, size_t reason_cap);
int proto_mig_decode(const void *buf, size_t len, struct proto_mig *out, char *reason,
		     size_t reason_cap);
bool proto_mig_equal(const struct proto_mig *a, const struct proto_mig *b);
const char *proto_mig_phase_name(enum proto_mig_phase p);       /* NULL if unknown */
/* True for done, rolled_back and failed: nothing moves the record on from there. */
bool proto_mig_phase_final(enum proto_mig_phase p);

/* ---- manager/leader ------------------------------------------------------------ */

struct proto_leader {
	char id[PROTO_NAME_MAX + 1];            /* the active manager's id */
	char control[PROTO_ADDR_MAX + 1];       /* its control API, nng URL "tcp://host:port" */
	uint64_t since;                         /* unix ms when it became leader */
};

int proto_leader_check(const struct proto_leader *l, char *reason, size_t reason_cap);
int proto_leader_encode(const struct proto_leader *l, char **out, char *reason,
			size_t reason_cap);
int proto_leader_decode(const void *buf, size_t len, struct proto_leader *out, char *reason,
			size_t reason_cap);
bool proto_leader_equal(const struct proto_leader *a, const struct proto_leader *b);

/* ---- drain/<node> ---------------------------------------------------------------- */

struct proto_drain {
	char node[PROTO_NAME_MAX + 1];          /* the same as the key's */
	uint64_t since;                         /* unix ms when the drain was asked */
};

int proto_drain_check(const struct proto_drain *d, char *reason, size_t reason_cap);
int proto_drain_encode(const struct proto_drain *d, char **out, char *reason,
		       size_t reason_cap);
int proto_drain_decode(const void *buf, size_t len, struct proto_drain *out, char *reason,
		       size_t reason_cap);
bool proto_drain_equal(const struct proto_drain *a, const struct proto_drain *b);

/* True if s is [A-Z0-9]{1,16}. */
bool proto_barcode_valid(const char *s);

#endif
