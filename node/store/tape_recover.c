/* tape_recover.c - rebuilding an open cartridge's index, and the recovery rule.
 *
 * The rule (docs/store.md has the reasoning):
 *  1. The meta record {gen, eod, bytes} and the index chunks for objects 0..eod-1 were
 *     written in one synced RocksDB batch after an fdatasync of the segment: those objects
 *     are trusted as indexed (their checksums are still checked on every read).
 *  2. Past `bytes`, the segment file is walked object by object. An object is accepted iff
 *     its header decodes (magic, checksum, sane type/len), names the next object number,
 *     carries the current generation, lies wholly inside the file, and its payload matches
 *     its checksum. The first object that fails becomes the end of data.
 *  3. Whatever follows the end of data is cut from the file, and the result is committed
 *     (a new generation if bytes were cut, so that stale objects which reappear if the cut
 *     is lost in a later crash are refused too).
 * A file shorter than `bytes` means synced data was lost outside our control: the open
 * fails with -EBADMSG instead of silently shortening the tape. */
#include "node/store/store_int.h"

#include "common/log.h"
#include "common/rd.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recover__corrupt(struct store_tape *t, const char *what)
{
	vtl_log(LOG_ERROR, "STORE_TAPE_INDEX_CORRUPT", "tape=%s what=%s", t->name, what);
	return -EBADMSG;
}

/* Reads the meta record: 0, -ENOENT (a new cartridge) or an error. */
static int recover__meta(struct store_tape *t, struct store__meta *m)
{
	char key[STORE__KEY_MAX];
	char *err = NULL;
	size_t len = 0;
	char *v = rocksdb_get_cf(t->s->db, t->s->ro, t->s->cf_tape, key,
				 store__key_meta(key, t->name), &len, &err);
	if (err)
		return store__rocks_err("tape_meta", t->name, &err);
	if (!v)
		return -ENOENT;
	int rc = store__meta_decode(v, len, m);
	rocksdb_free(v);
	return rc ? recover__corrupt(t, "meta") : 0;
}

/* A new cartridge, or a file left behind by a destroy: empty it durably, then record it. */
static int recover__create(struct store_tape *t)
{
	if (ftruncate(t->fd, 0) != 0 || fdatasync(t->fd) != 0 || fsync(t->s->tapes_fd) != 0) {
		int rc = -errno;
		vtl_log(LOG_ERROR, "STORE_TAPE_IO_ERROR", "tape=%s op=create err=\"%s\"",
			t->name, strerror(-rc));
		return rc;
	}
	vtl_log(LOG_INFO, "STORE_TAPE_CREATED", "tape=%s", t->name);
	return store__tape_commit(t, 0, 1);
}

/* One index chunk: its key must name the next expected object, its value hold lengths of
 * exactly the objects the meta record says exist. */
static int recover__chunk(struct store_tape *t, const struct store__meta *m, const char *key,
			  size_t klen, const uint8_t *val, size_t vlen)
{
	char want[STORE__KEY_MAX];
	size_t wlen = store__key_chunk(want, t->name, t->eod);
	uint64_t count = m->eod - t->eod < STORE__CHUNK ? m->eod - t->eod : STORE__CHUNK;
	if (klen != wlen || memcmp(key, want, klen) != 0 || t->eod >= m->eod || vlen != count * 4)
		return recover__corrupt(t, "chunk");
	struct rd r = rd_init(val, vlen);
	for (uint64_t i = 0; i < count; i++) {
		uint32_t len = rd_be32(&r);
		if (len > STORE_OBJ_MAX_LEN)
			return recover__corrupt(t, "length");
		int rc = store__idx_push(t, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int recover__index(struct store_tape *t, const struct store__meta *m)
{
	char from[STORE__KEY_MAX], to[STORE__KEY_MAX];
	size_t flen = store__key_chunk(from, t->name, 0);
	size_t tlen = store__key_end(to, t->name);
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
	rocksdb_readoptions_set_iterate_upper_bound(ro, to, tlen); /* `to` outlives it */
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(t->s->db, ro, t->s->cf_tape);
	int rc = 0;
	for (rocksdb_iter_seek(it, from, flen); rc == 0 && rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t klen, vlen;
		const char *k = rocksdb_iter_key(it, &klen);
		const char *v = rocksdb_iter_value(it, &vlen);
		rc = recover__chunk(t, m, k, klen, (const uint8_t *)v, vlen);
	}
	char *err = NULL;
	rocksdb_iter_get_error(it, &err);
	if (err)
		rc = store__rocks_err("tape_index", t->name, &err);
	rocksdb_iter_destroy(it);
	rocksdb_readoptions_destroy(ro);
	if (rc == 0 && (t->eod != m->eod || t->pos[t->eod] != m->bytes))
		rc = recover__corrupt(t, "count");
	return rc;
}

/* Accepts objects past the synced end while they pass rule 2. */
static int recover__walk(struct store_tape *t, uint64_t size)
{
	for (;;) {
		uint64_t off = t->pos[t->eod];
		uint8_t hdr[STORE__HDR_LEN];
		struct store__hdr h;
		if (size - off < STORE__HDR_LEN)
			return 0;
		ssize_t r = pread(t->fd, hdr, sizeof hdr, (off_t)off);
		if (r < 0)
			return -errno;
		if (r != (ssize_t)sizeof hdr || store__hdr_decode(hdr, &h) != 0)
			return 0;
		if (h.gen != t->gen || h.objno != t->eod || h.len > size - off - STORE__HDR_LEN)
			return 0;
		uint32_t crc = 0;
		int rc = store__crc_range(t, off + STORE__HDR_LEN, h.len, &crc);
		if (rc == -EBADMSG || (rc == 0 && crc != h.dcrc))
			return 0;
		if (rc == 0)
			rc = store__idx_push(t, h.len);
		if (rc)
			return rc;
	}
}

/* Rules 2 and 3, on a tape whose synced part is loaded. */
static int recover__tail(struct store_tape *t)
{
	struct stat st;
	if (fstat(t->fd, &st) != 0)
		return -errno;
	uint64_t size = (uint64_t)st.st_size;
	if (size < t->pos[t->eod]) {
		vtl_log(LOG_ERROR, "STORE_TAPE_SYNCED_LOST", "tape=%s size=%llu synced_bytes=%llu",
			t->name, (unsigned long long)size, (unsigned long long)t->pos[t->eod]);
		return -EBADMSG;
	}
	int rc = recover__walk(t, size);
	if (rc)
		return rc;
	uint64_t end = t->pos[t->eod];
	if (end == size && t->eod == t->synced_eod)
		return 0;
	vtl_log(LOG_WARN, "STORE_TAPE_RECOVERED", "tape=%s synced_eod=%llu eod=%llu cut_bytes=%llu",
		t->name, (unsigned long long)t->synced_eod, (unsigned long long)t->eod,
		(unsigned long long)(size - end));
	if (end < size && ftruncate(t->fd, (off_t)end) != 0)
		return -errno;
	return store__tape_commit(t, t->eod, end < size ? t->gen + 1 : t->gen);
}

int store__tape_load(struct store_tape *t)
{
	struct store__meta m;
	int rc = recover__meta(t, &m);
	if (rc == -ENOENT)
		return recover__create(t);
	if (rc)
		return rc;
	t->gen = m.gen;
	rc = recover__index(t, &m);
	if (rc)
		return rc;
	t->synced_eod = t->eod;
	rc = recover__tail(t);
	t->hinted = t->pos[t->eod];
	return rc;
}
