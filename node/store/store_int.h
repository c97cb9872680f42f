/* store_int.h - shared inside node/store: the two structs, the on-disk encodings and the
 * helpers the files of the module call in each other.
 *
 * Files on disk (docs/store.md has the byte layouts and the recovery rule):
 *   <dir>/db                 RocksDB; column family "default" holds the store_kv_* records,
 *                            "tape" holds per cartridge a meta record and the object index
 *   <dir>/tapes/<NAME>.seg   the tape's objects, appended: header + payload each (NAME is
 *                            the tape name, checked by store__tape_name_check)
 *
 * Concurrency: struct store is shared by all threads. RocksDB handles and options are
 * immutable after store_open and RocksDB is thread-safe; `lock` guards only the `tapes`
 * list (which tape names are open). A struct store_tape belongs to the one thread that holds
 * its drive's lock; nothing in it is locked, except `next`, which is s->lock's. */
#ifndef VTL_NODE_STORE_INT_H
#define VTL_NODE_STORE_INT_H

#include "node/store/store.h"

#include <pthread.h>
#include <rocksdb/c.h>

struct store {
	rocksdb_t *db;
	rocksdb_options_t *opt;
	rocksdb_column_family_handle_t *cf_kv;   /* "default" */
	rocksdb_column_family_handle_t *cf_tape; /* "tape" */
	rocksdb_writeoptions_t *wo;              /* WAL, no fsync */
	rocksdb_writeoptions_t *wo_sync;         /* WAL fsynced before returning */
	rocksdb_readoptions_t *ro;
	int tapes_fd;                            /* <dir>/tapes, for openat/unlinkat */
	pthread_mutex_t lock;
	struct store_tape *tapes;                /* open cartridges, under lock */
};

/* In-memory state of an open cartridge. Invariants (checked by the tests):
 *   pos[k] is the file offset of object k's header for k < eod, pos[eod] the end of data;
 *   object k's payload length is pos[k+1] - pos[k] - STORE__HDR_LEN; 0 means a filemark
 *   (a block is never empty);
 *   fm[0..nfm) are the filemarks' object numbers, ascending;
 *   objects < synced_eod are on disk (fdatasync'ed) and indexed in RocksDB under a meta
 *   record whose gen equals `gen`; objects synced_eod..eod-1 were written with `gen` and
 *   are in the page cache only. */
struct store_tape {
	struct store *s;
	struct store_tape *next;        /* s->tapes, guarded by s->lock */
	char name[STORE_TAPE_NAME_MAX + 1];
	int fd;                         /* the segment file, O_RDWR */
	uint64_t capacity;
	uint32_t gen;
	bool broken;                    /* an fdatasync failed: refuse writes until reopened */
	bool stale_tail;                /* discarded objects still in the file past eod (cut at the next sync) */
	uint64_t eod, synced_eod;
	uint64_t *pos;
	size_t pos_cap;                 /* entries allocated in pos (>= eod + 1) */
	uint64_t *fm;
	size_t nfm, fm_cap;
	uint64_t hinted;                /* writeback has been started for bytes below this */
	uint8_t *scratch;               /* STORE__SCRATCH bytes for checksum reads, lazily */
};

/* --- on-disk encodings (tape_fmt.c) -------------------------------------------------- */

/* Object header in the segment file, big-endian:
 *   0 magic "VTLB"  4 type  5..7 zero  8 gen  12 len  16 objno(8)  24 crc32c(payload)
 *  28 crc32c(bytes 0..27) */
#define STORE__HDR_LEN 32
#define STORE__HDR_MAGIC 0x56544c42u

struct store__hdr {
	uint8_t type;
	uint32_t gen;
	uint32_t len;
	uint64_t objno;
	uint32_t dcrc;
};

void store__hdr_encode(uint8_t out[STORE__HDR_LEN], const struct store__hdr *h);
/* -EBADMSG unless magic, reserved bytes, header checksum, type and len are all valid. */
int store__hdr_decode(const uint8_t in[STORE__HDR_LEN], struct store__hdr *h);

/* Meta record ("tape" CF, key NAME '\0'): what the last sync point made durable. */
#define STORE__META_MAGIC 0x56544d31u /* "VTM1" */
#define STORE__META_LEN 24

struct store__meta {
	uint32_t gen;   /* generation: bumped, durably, by every discard of objects */
	uint64_t eod;   /* objects 0..eod-1 are durable */
	uint64_t bytes; /* segment file offset of the end of object eod-1 */
};

void store__meta_encode(uint8_t out[STORE__META_LEN], const struct store__meta *m);
int store__meta_decode(const void *val, size_t len, struct store__meta *m);

/* Index chunk ("tape" CF, key NAME '\0' be64(first objno)): the payload lengths of up to
 * STORE__CHUNK consecutive objects, be32 each, 0 for a filemark. */
#define STORE__CHUNK 4096u

/* Keys: meta = NAME '\0'; chunk = NAME '\0' be64(first); end = NAME '\1' (bounds all of
 * NAME: no name character sorts below '\1', so a longer name never falls inside). */
#define STORE__KEY_MAX (STORE_TAPE_NAME_MAX + 1 + 8)
size_t store__key_meta(char out[STORE__KEY_MAX], const char *name);
size_t store__key_chunk(char out[STORE__KEY_MAX], const char *name, uint64_t first);
size_t store__key_end(char out[STORE__KEY_MAX], const char *name);

/* 0 if name is 1..STORE_TAPE_NAME_MAX characters of [A-Za-z0-9_], else -EINVAL. */
int store__tape_name_check(const char *name);

/* The segment file's name inside <dir>/tapes: NAME ".seg". */
#define STORE__SEG_NAME_MAX (STORE_TAPE_NAME_MAX + 5)


/* --- store.c ---------------------------------------------------------------------------- */
/* Logs a RocksDB failure once (op and subject say what was being done), frees *err, resets
 * it to NULL and returns -EBADMSG for corruption, else -EIO. */
int store__rocks_err(const char *op, const char *subject, char **err);

/* --- tape_index.c: the in-memory index ---------------------------------------------- */
int store__idx_init(struct store_tape *t);     /* empty tape: eod 0, pos[0] = 0 */
void store__idx_fini(struct store_tape *t);
/* Appends object eod with payload length len (0 = filemark). -ENOMEM. */
int store__idx_push(struct store_tape *t, uint32_t len);
void store__idx_cut(struct store_tape *t, uint64_t n);  /* forget objects >= n */
static inline uint32_t store__idx_len(const struct store_tape *t, uint64_t n)
{
	return (uint32_t)(t->pos[n + 1] - t->pos[n] - STORE__HDR_LEN);
}

/* --- tape_io.c ---------------------------------------------------------------------- */
/* Makes objects 0..eod-1 (eod <= t->eod) and generation gen durable: fdatasync of the
 * segment if needed, then one synced RocksDB batch of index chunks and the meta record.
 * Sets synced_eod = eod and t->gen = gen. */
int store__tape_commit(struct store_tape *t, uint64_t eod, uint32_t gen);
/* Checks a payload on disk against its checksum, reading through t->scratch from `off`;
 * *crc carries the running value. -errno on a read error, -EBADMSG if the file is short. */
int store__crc_range(struct store_tape *t, uint64_t off, uint64_t len, uint32_t *crc);

/* --- tape_recover.c ------------------------------------------------------------------ */
/* Rebuilds t's index from RocksDB and the segment tail (the recovery rule). */
int store__tape_load(struct store_tape *t);

#define STORE__SCRATCH (1u << 20)
/* Start writeback every this many appended bytes, so a sync point finds little dirty. */
#define STORE__HINT_BYTES (8u << 20)
/* Sync on our own past this much unsynced data: bounds the recovery walk (~1 s of reading)
 * and the index batch of a sync point (16 chunks). */
#define STORE__AUTOSYNC_BYTES (1ull << 30)
#define STORE__AUTOSYNC_OBJS (16 * STORE__CHUNK)

#endif
