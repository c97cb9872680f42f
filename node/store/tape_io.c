/* tape_io.c - reading and writing a cartridge's objects, and its sync points.
 *
 * Write path (the one that decides throughput): checksum the payload, then one pwritev of
 * header + payload appended to the segment file: no RocksDB call, no fsync, no copy in
 * user space. Every STORE__HINT_BYTES the written range is handed to writeback
 * (sync_file_range), so a sync point finds little left to flush; after STORE__AUTOSYNC_*
 * unsynced bytes or objects the store makes a sync point of its own.
 *
 * Sync point (store__tape_commit): fdatasync of the segment, then ONE synced RocksDB batch
 * holding the index chunks of the objects written since the last sync point and the meta
 * record {gen, eod, bytes}. Recovery trusts exactly what that record covers (tape_recover.c).
 *
 * Discarding objects (writing in the middle, ERASE) bumps the generation and makes the new
 * meta record durable BEFORE the file is cut: objects left beyond the cut, if the cut never
 * reaches the disk, carry the old generation and recovery refuses them. So every object
 * recovery accepts past the synced end was written after the last discard, in order.
 *
 * Read path: one preadv of header + payload straight into the caller's buffer; the header
 * must name this object and the payload must match its checksum, else -EBADMSG.
 * All functions here run on the thread that holds the tape (store.h). */
#include "common/crc32c.h"
#include "node/store/store_int.h"

#include "common/log.h"
#include "common/rd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Rate-limited: a host writing to a failing or full disk would repeat it per command. */
static int io__fail(struct store_tape *t, const char *op, int err)
{
	vtl_log_ratelimited(LOG_ERROR, "STORE_TAPE_IO_ERROR", "tape=%s op=%s err=\"%s\"", t->name, op,
		strerror(err));
	return -err;
}

/* Adds to wb the index chunks holding objects from..to-1 (each chunk written whole, from
 * its first object; the last may be partial). */
static int io__put_chunks(struct store_tape *t, rocksdb_writebatch_t *wb, uint64_t from,
			  uint64_t to)
{
	uint8_t *val = malloc(STORE__CHUNK * 4);
	if (!val)
		return -ENOMEM;
	char key[STORE__KEY_MAX];
	for (uint64_t c = from / STORE__CHUNK * STORE__CHUNK; c < to; c += STORE__CHUNK) {
		uint64_t end = to - c < STORE__CHUNK ? to : c + STORE__CHUNK;
		for (uint64_t k = c; k < end; k++)
			put_be32(val + (k - c) * 4, store__idx_len(t, k));
		size_t klen = store__key_chunk(key, t->name, c);
		rocksdb_writebatch_put_cf(wb, t->s->cf_tape, key, klen, (char *)val,
					  (size_t)(end - c) * 4);
	}
	free(val);
	return 0;
}

/* Adds to wb what forgets objects >= eod: the chunk holding eod rewritten short, the
 * chunks after it deleted. */
static int io__drop_chunks(struct store_tape *t, rocksdb_writebatch_t *wb, uint64_t eod)
{
	uint64_t next = eod % STORE__CHUNK ? (eod / STORE__CHUNK + 1) * STORE__CHUNK : eod;
	int rc = eod % STORE__CHUNK ? io__put_chunks(t, wb, eod - 1, eod) : 0;
	char from[STORE__KEY_MAX], to[STORE__KEY_MAX];
	size_t flen = store__key_chunk(from, t->name, next);
	size_t tlen = store__key_end(to, t->name);
	rocksdb_writebatch_delete_range_cf(wb, t->s->cf_tape, from, flen, to, tlen);
	return rc;
}

int store__tape_commit(struct store_tape *t, uint64_t eod, uint32_t gen)
{
	if (t->broken)
		return -EIO;
	if (eod > t->synced_eod && fdatasync(t->fd) != 0) {
		/* after a failed fdatasync the kernel may have dropped the dirty pages: nothing
		 * written since the last sync point can be trusted any more */
		t->broken = true;
		return io__fail(t, "fdatasync", errno);
	}
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	int rc = eod > t->synced_eod ? io__put_chunks(t, wb, t->synced_eod, eod)
				     : io__drop_chunks(t, wb, eod);
	struct store__meta m = {.gen = gen, .eod = eod, .bytes = t->pos[eod]};
	uint8_t mv[STORE__META_LEN];
	char key[STORE__KEY_MAX];
	store__meta_encode(mv, &m);
	rocksdb_writebatch_put_cf(wb, t->s->cf_tape, key, store__key_meta(key, t->name),
				  (char *)mv, sizeof mv);
	char *err = NULL;
	if (rc == 0)
		rocksdb_write(t->s->db, t->s->wo_sync, wb, &err);
	if (err)
		rc = store__rocks_err("tape_commit", t->name, &err);
	rocksdb_writebatch_destroy(wb);
	if (rc == 0) {
		t->synced_eod = eod;
		t->gen = gen;
	}
	if (rc == 0 && t->stale_tail && eod == t->eod) {
		/* the discarded tail carries an old generation, so recovery never takes it;
		 * cutting it here, after the sync, frees its space off the write path */
		if (ftruncate(t->fd, (off_t)t->pos[eod]) != 0) {
			t->broken = true;
			return io__fail(t, "ftruncate", errno);
		}
		t->stale_tail = false;
	}
	return rc;
}

int store_tape_sync(struct store_tape *t)
{
	if (t->eod == t->synced_eod && !t->stale_tail)
		return t->broken ? -EIO : 0;
	return store__tape_commit(t, t->eod, t->gen);
}

int store_tape_truncate(struct store_tape *t, uint64_t n)
{
	if (n > t->eod)
		return -EINVAL;
	if (n == t->eod)
		return 0;
	/* durable first (new generation, eod = n), then cut: see the file comment */
	int rc = store__tape_commit(t, n, t->gen + 1);
	if (rc)
		return rc;
	store__idx_cut(t, n);
	if (t->hinted > t->pos[n])
		t->hinted = t->pos[n];
	/* No cut now: new objects overwrite the old ones in place (no block freeing and
	 * reallocation on the write path, which is what rewriting a tape from BOT does) and
	 * the next sync point cuts whatever is left (store__tape_commit). */
	t->stale_tail = true;
	return 0;
}

/* Writes all of iov at off, continuing after short writes. */
static int io__pwritev_all(int fd, struct iovec *iov, int cnt, uint64_t off)
{
	while (cnt > 0) {
		ssize_t w = pwritev(fd, iov, cnt, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		off += (uint64_t)w;
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int io__write_check(struct store_tape *t, uint64_t n, uint8_t type, const void *data,
			   uint32_t len)
{
	if (n > t->eod)
		return -EINVAL;
	if (type == STORE_OBJ_FILEMARK && (len != 0 || data))
		return -EINVAL;
	if (type == STORE_OBJ_BLOCK && (len == 0 || len > STORE_OBJ_MAX_LEN || !data))
		return -EINVAL;
	if (type != STORE_OBJ_FILEMARK && type != STORE_OBJ_BLOCK)
		return -EINVAL;
	if (t->broken)
		return -EIO;
	/* what the tape holds once objects >= n are gone, plus this object */
	uint64_t used = t->pos[n] - n * STORE__HDR_LEN;
	if (len > t->capacity || used > t->capacity - len)
		return -ENOSPC;
	return 0;
}

/* A sync point of our own when much is unsynced: it bounds what recovery must walk and
 * checksum after a crash, and the size of the index batch a sync point writes. */
static int io__autosync(struct store_tape *t)
{
	if (t->pos[t->eod] - t->pos[t->synced_eod] < STORE__AUTOSYNC_BYTES &&
	    t->eod - t->synced_eod < STORE__AUTOSYNC_OBJS)
		return 0;
	return store_tape_sync(t);
}

int store_tape_write(struct store_tape *t, uint64_t n, uint8_t type, const void *data,
		     uint32_t len)
{
	int rc = io__write_check(t, n, type, data, len);
	if (rc == 0 && n < t->eod)
		rc = store_tape_truncate(t, n);
	if (rc == 0)
		rc = io__autosync(t);
	if (rc)
		return rc;
	struct store__hdr h = {.type = type, .gen = t->gen, .len = len, .objno = n,
			       .dcrc = vtl_crc32c(0, data, len)};
	uint8_t hdr[STORE__HDR_LEN];
	store__hdr_encode(hdr, &h);
	struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)data, len}};
	uint64_t off = t->pos[n];
	rc = io__pwritev_all(t->fd, iov, len ? 2 : 1, off);
	if (rc) {
		/* leave no half object behind; recovery would cut it anyway */
		if (ftruncate(t->fd, (off_t)off) != 0)
			t->broken = true;
		io__fail(t, "write", -rc);
		return -EIO; /* also when the host's disk is full: -ENOSPC is the cartridge's */
	}
	rc = store__idx_push(t, len);
	if (rc)
		return rc;
	uint64_t end = t->pos[t->eod];
	if (end - t->hinted >= STORE__HINT_BYTES) {
		/* only a hint: a failure here costs a slower sync point, nothing else */
		(void)sync_file_range(t->fd, (off_t)t->hinted, (off_t)(end - t->hinted),
				      SYNC_FILE_RANGE_WRITE);
		t->hinted = end;
	}
	return 0;
}

int store__crc_range(struct store_tape *t, uint64_t off, uint64_t len, uint32_t *crc)
{
	if (!t->scratch && !(t->scratch = malloc(STORE__SCRATCH)))
		return -ENOMEM;
	while (len > 0) {
		size_t want = len < STORE__SCRATCH ? (size_t)len : STORE__SCRATCH;
		ssize_t r = pread(t->fd, t->scratch, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EBADMSG;
		*crc = vtl_crc32c(*crc, t->scratch, (size_t)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

/* Reads object n's header and the first `want` payload bytes into buf, in one preadv. */
static int io__read_obj(struct store_tape *t, uint64_t n, uint8_t *hdr, void *buf, size_t want)
{
	struct iovec iov[2] = {{hdr, STORE__HDR_LEN}, {buf, want}};
	size_t total = STORE__HDR_LEN + want;
	ssize_t r;
	do
		r = preadv(t->fd, iov, want ? 2 : 1, (off_t)t->pos[n]);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return io__fail(t, "read", errno);
	if ((size_t)r == total)
		return 0;
	/* a page-cache read of a regular file is short only at its end: the file lost data */
	vtl_log_ratelimited(LOG_ERROR, "STORE_TAPE_SHORT", "tape=%s object=%llu", t->name,
			    (unsigned long long)n);
	return -EBADMSG;
}

int store_tape_read(struct store_tape *t, uint64_t n, void *buf, size_t cap, struct store_obj *obj)
{
	int rc = store_tape_stat(t, n, obj);
	if (rc)
		return rc;
	size_t want = obj->len < cap ? obj->len : cap;
	uint8_t hdr[STORE__HDR_LEN];
	struct store__hdr h;
	rc = io__read_obj(t, n, hdr, buf, want);
	if (rc)
		return rc;
	if (store__hdr_decode(hdr, &h) != 0 || h.objno != n || h.len != obj->len ||
	    h.type != obj->type)
		rc = -EBADMSG;
	uint32_t crc = rc ? 0 : vtl_crc32c(0, buf, want);
	/* a short read (cap < len) still checks the whole payload: the rest is read aside */
	if (rc == 0 && want < obj->len)
		rc = store__crc_range(t, t->pos[n] + STORE__HDR_LEN + want, obj->len - want, &crc);
	if (rc == 0 && crc != h.dcrc)
		rc = -EBADMSG;
	if (rc == -EBADMSG)
		vtl_log_ratelimited(LOG_ERROR, "STORE_TAPE_CORRUPT", "tape=%s object=%llu",
				    t->name, (unsigned long long)n);
	return rc;
}
