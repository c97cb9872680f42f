/* test_recover.c - the recovery rule on segment files damaged by hand. A child process
 * writes objects, syncs part of them and exits without closing (a crash that keeps the page
 * cache); the parent then chops or corrupts the file and reopens:
 *  - a torn or corrupt object past the synced end becomes the end of data, the file is cut
 *    there, and every object before it reads back byte-exact;
 *  - corruption inside the synced part is reported by read (-EBADMSG), not hidden;
 *  - a file shorter than the synced end fails the open with -EBADMSG;
 *  - objects discarded by an overwrite never come back, even if the cut is lost (the
 *    generation check), while the objects written after it do;
 *  - a file without a meta record is emptied; garbage index records are refused. */
#include "node/store/store_int.h"
#include "tests/unit/store/store_tu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_dir[512];
static uint8_t g_buf[1 << 16], g_want[1 << 16];

/* objects 0..14: blocks of 1000 + 37k bytes, a filemark at 13; "small" tapes hold
 * thousands of blocks of 1..50 bytes */
#define NOBJ 15
#define NSYNC 10
static bool g_small;

static uint32_t len_of(uint64_t k)
{
	if (g_small)
		return 1 + (uint32_t)(k % 50);
	return k == 13 ? 0 : 1000 + 37 * (uint32_t)k;
}

static uint64_t pos_of(uint64_t k)
{
	uint64_t p = 0;
	for (uint64_t i = 0; i < k; i++)
		p += STORE__HDR_LEN + len_of(i);
	return p;
}

/* The parent's store, open only between children: RocksDB admits one process at a time. */
static struct store *g_s;

static struct store *st(void)
{
	if (!g_s)
		CHECK_EQ(store_open(g_dir, &g_s), 0);
	return g_s;
}

static void st_close(void)
{
	store_close(g_s);
	g_s = NULL;
}

static void seg_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/tapes/%s.seg", g_dir, name);
}

static uint64_t seg_size(const char *name)
{
	char p[600];
	struct stat st;
	seg_path(p, sizeof p, name);
	CHECK_EQ(stat(p, &st), 0);
	return (uint64_t)st.st_size;
}

static void seg_truncate(const char *name, uint64_t size)
{
	char p[600];
	seg_path(p, sizeof p, name);
	CHECK_EQ(truncate(p, (off_t)size), 0);
}

static void seg_flip(const char *name, uint64_t off)
{
	char p[600];
	seg_path(p, sizeof p, name);
	int fd = open(p, O_RDWR);
	CHECK(fd >= 0);
	uint8_t b;
	CHECK_EQ(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x40;
	CHECK_EQ(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

/* Copies a segment file from one tape name to another (or a saved name). */
static void seg_copy(const char *from, const char *to)
{
	char a[600], b[600];
	snprintf(a, sizeof a, "%s/tapes/%s", g_dir, from);
	snprintf(b, sizeof b, "%s/tapes/%s", g_dir, to);
	FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
	CHECK(in && out);
	size_t n;
	while ((n = fread(g_buf, 1, sizeof g_buf, in)) > 0)
		CHECK_EQ(fwrite(g_buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void put_obj(struct store_tape *t, uint64_t k, uint32_t ver)
{
	uint32_t len = len_of(k);
	if (len == 0) {
		CHECK_EQ(store_tape_write(t, k, STORE_OBJ_FILEMARK, NULL, 0), 0);
		return;
	}
	tu_fill(g_buf, k, ver, len);
	CHECK_EQ(store_tape_write(t, k, STORE_OBJ_BLOCK, g_buf, len), 0);
}

static void check_objs(struct store_tape *t, uint64_t from, uint64_t to, uint32_t ver)
{
	for (uint64_t k = from; k < to; k++)
		tu_check_obj(t, k, ver, len_of(k) ? STORE_OBJ_BLOCK : STORE_OBJ_FILEMARK,
			     len_of(k), g_buf, g_want);
}

/* What the crashing child does; it never closes anything. */
static struct {
	const char *name;
	uint64_t from, sync_at, to; /* writes from..to-1, syncing after sync_at-1 */
	uint32_t ver;
} g_job;

static void child_run(void)
{
	struct store *s;
	struct store_tape *t;
	CHECK_EQ(store_open(g_dir, &s), 0);
	CHECK_EQ(store_tape_open(s, g_job.name, 1ull << 40, &t), 0);
	for (uint64_t k = g_job.from; k < g_job.to; k++) {
		put_obj(t, k, g_job.ver);
		if (k + 1 == g_job.sync_at)
			CHECK_EQ(store_tape_sync(t), 0);
	}
	_exit(0);
}

static void crash_child(const char *name, uint64_t from, uint64_t sync_at, uint64_t to, uint32_t ver)
{
	g_job.name = name;
	g_job.from = from;
	g_job.sync_at = sync_at;
	g_job.to = to;
	g_job.ver = ver;
	st_close();
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		child_run();
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static struct store_tape *reopen(const char *name, uint64_t eod)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(st(), name, 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), eod);
	CHECK_EQ(t->synced_eod, eod); /* what recovery accepted is committed at once */
	CHECK_EQ(seg_size(name), pos_of(eod));
	check_objs(t, 0, eod, 1);
	return t;
}

static void test_intact(void)
{
	crash_child("INTACT", 0, NSYNC, NOBJ, 1);
	struct store_tape *t = reopen("INTACT", NOBJ);
	CHECK_EQ(t->gen, 1); /* nothing was cut */
	store_tape_close(t);
}

static void test_chopped(void)
{
	crash_child("CHOP01", 0, NSYNC, NOBJ, 1);
	seg_truncate("CHOP01", pos_of(NOBJ) - 7); /* the last object is torn */
	struct store_tape *t = reopen("CHOP01", NOBJ - 1);
	CHECK_EQ(t->gen, 2); /* bytes were cut: a new generation */
	put_obj(t, NOBJ - 1, 2);
	store_tape_close(t);
	CHECK_EQ(store_tape_open(st(), "CHOP01", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), NOBJ);
	check_objs(t, NOBJ - 1, NOBJ, 2);
	store_tape_close(t);
	/* only part of a header left */
	crash_child("CHOP02", 0, NSYNC, NOBJ, 1);
	seg_truncate("CHOP02", pos_of(12) + 5);
	store_tape_close(reopen("CHOP02", 12));
	/* the header whole, no payload */
	crash_child("CHOP03", 0, NSYNC, NOBJ, 1);
	seg_truncate("CHOP03", pos_of(11) + STORE__HDR_LEN);
	store_tape_close(reopen("CHOP03", 11));
	/* garbage appended after the last object */
	crash_child("CHOP04", 0, NSYNC, NOBJ, 1);
	char p[600];
	seg_path(p, sizeof p, "CHOP04");
	FILE *f = fopen(p, "ab");
	CHECK(f != NULL);
	CHECK_EQ(fwrite("garbage-garbage-garbage-garbage-garbage", 1, 39, f), 39);
	fclose(f);
	store_tape_close(reopen("CHOP04", NOBJ));
}

static void test_flipped(void)
{
	crash_child("FLIP01", 0, NSYNC, NOBJ, 1);
	seg_flip("FLIP01", pos_of(11) + STORE__HDR_LEN + 500); /* payload of 11 */
	store_tape_close(reopen("FLIP01", 11));
	crash_child("FLIP02", 0, NSYNC, NOBJ, 1);
	seg_flip("FLIP02", pos_of(NSYNC) + 16 + 7); /* object number of the first unsynced */
	store_tape_close(reopen("FLIP02", NSYNC));
	crash_child("FLIP03", 0, NSYNC, NOBJ, 1);
	seg_flip("FLIP03", pos_of(14) + STORE__HDR_LEN + len_of(14) - 1); /* last byte */
	store_tape_close(reopen("FLIP03", 14));
}

/* Damage inside the synced part is not "recovered" away: reads report it. */
static void test_synced_damage(void)
{
	crash_child("SYNC01", 0, NSYNC, NOBJ, 1);
	seg_flip("SYNC01", pos_of(3) + STORE__HDR_LEN + 999);
	seg_flip("SYNC01", pos_of(4) + 17);
	struct store_tape *t;
	CHECK_EQ(store_tape_open(st(), "SYNC01", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), NOBJ);
	struct store_obj o;
	CHECK_EQ(store_tape_read(t, 3, g_buf, sizeof g_buf, &o), -EBADMSG);
	CHECK_EQ(store_tape_read(t, 3, g_buf, 10, &o), -EBADMSG); /* the whole is checked */
	CHECK_EQ(store_tape_read(t, 4, g_buf, sizeof g_buf, &o), -EBADMSG);
	CHECK_EQ(store_tape_stat(t, 3, &o), 0);
	CHECK_EQ(o.len, len_of(3));
	check_objs(t, 0, 3, 1);
	check_objs(t, 5, NOBJ, 1);
	store_tape_close(t);
	/* the file lost synced bytes: refuse to open rather than shorten the tape */
	crash_child("SYNC02", 0, NSYNC, NOBJ, 1);
	seg_truncate("SYNC02", pos_of(NSYNC) - 1);
	CHECK_EQ(store_tape_open(st(), "SYNC02", 1ull << 40, &t), -EBADMSG);
	CHECK_EQ(store_tape_open(st(), "SYNC02", 1ull << 40, &t), -EBADMSG); /* not claimed */
	CHECK_EQ(store_tape_destroy(st(), "SYNC02"), 0);
	CHECK_EQ(store_tape_open(st(), "SYNC02", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 0);
	store_tape_close(t);
}

/* An overwrite whose cut and new objects never reached the disk: the old objects past the
 * overwrite point are still in the file, well-formed, but of the old generation. */
static void test_generation(void)
{
	for (int lost = 0; lost < 2; lost++) {
		const char *name = lost ? "GEN001" : "GEN002";
		char file[32], saved[32];
		snprintf(file, sizeof file, "%s.seg", name);
		snprintf(saved, sizeof saved, "%s.old", name);
		crash_child(name, 0, NSYNC, NSYNC, 1);
		seg_copy(file, saved);
		crash_child(name, 5, 0, 9, 2); /* overwrite from 5, no sync */
		if (lost)
			seg_copy(saved, file);
		struct store_tape *t;
		CHECK_EQ(store_tape_open(st(), name, 1ull << 40, &t), 0);
		check_objs(t, 0, 5, 1);
		if (lost) {
			CHECK_EQ(store_tape_eod(t), 5); /* old 5..9 refused */
			CHECK_EQ(seg_size(name), pos_of(5));
		} else {
			CHECK_EQ(store_tape_eod(t), 9); /* new 5..8 recovered */
			check_objs(t, 5, 9, 2);
		}
		store_tape_close(t);
	}
}

static void test_orphan_file(void)
{
	/* a file with well-formed objects but no meta record (a destroy interrupted, say) */
	crash_child("ORIGIN", 0, NSYNC, NOBJ, 1);
	seg_copy("ORIGIN.seg", "ORPH01.seg");
	struct store_tape *t;
	CHECK_EQ(store_tape_open(st(), "ORPH01", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 0);
	CHECK_EQ(seg_size("ORPH01"), 0);
	store_tape_close(t);
}

static void put_raw(const char *key, size_t klen, const void *val, size_t vlen)
{
	char *err = NULL;
	rocksdb_put_cf(st()->db, st()->wo_sync, st()->cf_tape, key, klen, val, vlen, &err);
	CHECK(err == NULL);
}

static void test_bad_index(void)
{
	char key[STORE__KEY_MAX + 1] = {0};
	struct store_tape *t;
	put_raw(key, store__key_meta(key, "BADM01"), "xx", 2);
	CHECK_EQ(store_tape_open(st(), "BADM01", 1ull << 40, &t), -EBADMSG);
	/* tapes of three objects, then one index record spoilt in a different way each */
	const char *bcs[] = {"BADC01", "BADC02", "BADC03", "BADC04", "BADC05"};
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(store_tape_open(st(), bcs[i], 1ull << 40, &t), 0);
		for (uint64_t k = 0; k < 3; k++)
			put_obj(t, k, 1);
		store_tape_close(t);
		uint8_t v[16] = {0};
		uint8_t big[12] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0}; /* 16 MiB > max */
		if (i == 0) /* wrong length for three objects */
			put_raw(key, store__key_chunk(key, bcs[i], 0), v, 8);
		else if (i == 1) /* a chunk past eod */
			put_raw(key, store__key_chunk(key, bcs[i], STORE__CHUNK), v, 4);
		else if (i == 2) /* a length beyond the maximum */
			put_raw(key, store__key_chunk(key, bcs[i], 0), big, 12);
		else if (i == 3) /* lengths that do not add up to the recorded bytes */
			put_raw(key, store__key_chunk(key, bcs[i], 0), v, 12);
		else /* a stray key of another shape inside the cartridge's range */
			put_raw(key, store__key_chunk(key, bcs[i], 0) + 1, v, 4);
		CHECK_EQ(store_tape_open(st(), bcs[i], 1ull << 40, &t), -EBADMSG);
	}
	/* the store and other cartridges still work */
	store_tape_close(reopen("INTACT", NOBJ));
}

/* Thousands of unsynced small objects across index chunk boundaries are walked back and
 * committed; the next open needs no walk. */
static void test_long_tail(void)
{
	g_small = true;
	uint64_t n = 2 * STORE__CHUNK + 50;
	crash_child("LONG01", 0, 101, n, 1);
	store_tape_close(reopen("LONG01", n));
	struct store_tape *t;
	CHECK_EQ(store_tape_open(st(), "LONG01", 1ull << 40, &t), 0);
	CHECK_EQ(t->synced_eod, n);
	CHECK_EQ(t->gen, 1);
	store_tape_close(t);
	g_small = false;
}

int main(void)
{
	snprintf(g_dir, sizeof g_dir, "%s", tu_tmpdir("store_recover"));
	test_intact();
	test_chopped();
	test_flipped();
	test_synced_damage();
	test_generation();
	test_orphan_file();
	test_bad_index();
	test_long_tail();
	st_close();
	tu_rmtree(g_dir);
	return 0;
}
