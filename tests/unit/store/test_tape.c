/* test_tape.c - store_tape_*: mixed block sizes and filemarks read back byte-exact across
 * reopen, partial reads, overwrite in the middle discarding the tail, filemark search both
 * ways, capacity, truncate, index chunk boundaries, destroy, exact error codes for bad
 * arguments and tape names. */
#include "node/store/store_int.h"
#include "tests/unit/store/store_tu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[512];
static uint8_t *g_buf, *g_want;

#define BIG (1u << 20)

static uint64_t seg_size(const char *name)
{
	char p[600];
	struct stat st;
	snprintf(p, sizeof p, "%s/tapes/%s.seg", g_dir, name);
	if (stat(p, &st) != 0)
		return UINT64_MAX;
	return (uint64_t)st.st_size;
}

static void write_block(struct store_tape *t, uint64_t k, uint32_t ver, uint32_t len)
{
	tu_fill(g_buf, k, ver, len);
	CHECK_EQ(store_tape_write(t, k, STORE_OBJ_BLOCK, g_buf, len), 0);
}

/* the layout used by several tests: blocks of these sizes, 0 = filemark */
static const uint32_t mix[] = {1, 100, 0, 4096, 65536, 0, 262144, 7, BIG, 0, 0, 333};
#define NMIX (sizeof mix / sizeof mix[0])

static void write_mix(struct store_tape *t, uint64_t from, uint32_t ver)
{
	for (uint64_t k = from; k < NMIX; k++) {
		if (mix[k])
			write_block(t, k, ver, mix[k]);
		else
			CHECK_EQ(store_tape_write(t, k, STORE_OBJ_FILEMARK, NULL, 0), 0);
	}
}

/* Checks objects 0..upto-1 of the layout; with `all`, also that they are the whole tape. */
static void check_mix(struct store_tape *t, uint64_t upto, uint32_t ver, bool all)
{
	uint64_t used = 0;
	for (uint64_t k = 0; k < upto; k++) {
		uint8_t type = mix[k] ? STORE_OBJ_BLOCK : STORE_OBJ_FILEMARK;
		tu_check_obj(t, k, ver, type, mix[k], g_buf, g_want);
		used += mix[k];
	}
	if (all) {
		CHECK_EQ(store_tape_eod(t), upto);
		CHECK_EQ(store_tape_used(t), used);
	}
}

static void test_args(struct store *s)
{
	struct store_tape *t = NULL;
	char toolong[STORE_TAPE_NAME_MAX + 2];
	memset(toolong, 'a', sizeof toolong - 1);
	toolong[sizeof toolong - 1] = 0;
	const char *bad[] = {"", "AB-1", "../X", "..", "A/B", "a.seg", "a b", toolong};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ(store_tape_open(s, bad[i], 1000, &t), -EINVAL);
		CHECK_EQ(store_tape_destroy(s, bad[i]), -EINVAL);
	}
	CHECK_EQ(store_tape_open(s, NULL, 1000, &t), -EINVAL);
	CHECK_EQ(store_tape_destroy(s, NULL), -EINVAL);
	CHECK_EQ(store_tape_open(s, "ARGS01", 1ull << 40, &t), 0);
	struct store_tape *t2 = NULL;
	CHECK_EQ(store_tape_open(s, "ARGS01", 1000, &t2), -EBUSY);
	CHECK_EQ(store_tape_destroy(s, "ARGS01"), -EBUSY);
	CHECK_EQ(store_tape_eod(t), 0);
	CHECK_EQ(store_tape_used(t), 0);
	CHECK_EQ(store_tape_capacity(t), 1ull << 40);
	uint8_t b[16] = {0};
	CHECK_EQ(store_tape_write(t, 1, STORE_OBJ_BLOCK, b, 16), -EINVAL);       /* past eod */
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, b, 0), -EINVAL);        /* empty */
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, NULL, 16), -EINVAL);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_FILEMARK, b, 16), -EINVAL);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_FILEMARK, b, 0), -EINVAL);
	CHECK_EQ(store_tape_write(t, 0, 3, b, 16), -EINVAL);
	CHECK_EQ(store_tape_write(t, 0, 0, NULL, 0), -EINVAL);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, g_buf, STORE_OBJ_MAX_LEN + 1), -EINVAL);
	CHECK_EQ(store_tape_eod(t), 0);
	struct store_obj o;
	CHECK_EQ(store_tape_read(t, 0, b, 16, &o), -ENOENT);
	CHECK_EQ(store_tape_stat(t, 0, &o), -ENOENT);
	CHECK_EQ(store_tape_truncate(t, 1), -EINVAL);
	CHECK_EQ(store_tape_truncate(t, 0), 0);
	uint64_t n;
	CHECK_EQ(store_tape_find_filemark(t, 0, 1, &n), -ENOENT);
	CHECK_EQ(store_tape_find_filemark(t, 0, 0, &n), -EINVAL);
	store_tape_close(t);
	CHECK_EQ(store_tape_open(s, "ARGS01", 1000, &t2), 0); /* free again after close */
	store_tape_close(t2);
	store_tape_close(NULL);
}

static void test_mix_and_reopen(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "MIX001", 1ull << 40, &t), 0);
	write_mix(t, 0, 1);
	check_mix(t, NMIX, 1, true);
	/* the biggest block the store takes */
	write_block(t, NMIX, 1, STORE_OBJ_MAX_LEN);
	tu_check_obj(t, NMIX, 1, STORE_OBJ_BLOCK, STORE_OBJ_MAX_LEN, g_buf, g_want);
	CHECK_EQ(store_tape_truncate(t, NMIX), 0);
	/* a short read returns the head of the block and its full length */
	struct store_obj o;
	uint8_t head[10];
	CHECK_EQ(store_tape_read(t, 8, head, sizeof head, &o), 0);
	CHECK_EQ(o.len, BIG);
	CHECK_EQ(o.type, STORE_OBJ_BLOCK);
	tu_fill(g_want, 8, 1, BIG);
	CHECK(memcmp(head, g_want, sizeof head) == 0);
	CHECK_EQ(store_tape_read(t, 8, NULL, 0, &o), 0);
	CHECK_EQ(o.len, BIG);
	CHECK_EQ(store_tape_read(t, 2, NULL, 0, &o), 0);
	CHECK_EQ(o.type, STORE_OBJ_FILEMARK);
	CHECK_EQ(o.len, 0);
	CHECK_EQ(store_tape_stat(t, 6, &o), 0);
	CHECK_EQ(o.len, 262144);
	CHECK_EQ(store_tape_sync(t), 0);
	CHECK_EQ(store_tape_sync(t), 0); /* nothing new: still fine */
	store_tape_close(t);
	CHECK_EQ(seg_size("MIX001"), NMIX * STORE__HDR_LEN + 1 + 100 + 4096 + 65536 + 262144 +
					    7 + BIG + 333);
	CHECK_EQ(store_tape_open(s, "MIX001", 1ull << 40, &t), 0);
	check_mix(t, NMIX, 1, true);
	store_tape_close(t);
}

static void test_overwrite_and_filemarks(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "OVR001", 1ull << 40, &t), 0);
	write_mix(t, 0, 1);
	uint64_t n = 99;
	/* filemarks at 2, 5, 9, 10 */
	CHECK_EQ(store_tape_find_filemark(t, 0, 1, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(store_tape_find_filemark(t, 2, 1, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(store_tape_find_filemark(t, 3, 1, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(store_tape_find_filemark(t, 10, 1, &n), 0);
	CHECK_EQ(n, 10);
	CHECK_EQ(store_tape_find_filemark(t, 11, 1, &n), -ENOENT);
	CHECK_EQ(store_tape_find_filemark(t, 2, -1, &n), -ENOENT);
	CHECK_EQ(store_tape_find_filemark(t, 3, -1, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(store_tape_find_filemark(t, 10, -1, &n), 0);
	CHECK_EQ(n, 9);
	CHECK_EQ(store_tape_find_filemark(t, 1000, -1, &n), 0);
	CHECK_EQ(n, 10);
	CHECK_EQ(store_tape_sync(t), 0);
	/* overwrite object 4 (synced): 4.. are gone, 0..3 intact */
	write_block(t, 4, 2, 5000);
	CHECK_EQ(store_tape_eod(t), 5);
	CHECK_EQ(store_tape_used(t), 1 + 100 + 4096 + 5000);
	tu_check_obj(t, 4, 2, STORE_OBJ_BLOCK, 5000, g_buf, g_want);
	check_mix(t, 4, 1, false);
	CHECK_EQ(store_tape_find_filemark(t, 3, 1, &n), -ENOENT);
	CHECK_EQ(store_tape_find_filemark(t, 1000, -1, &n), 0);
	CHECK_EQ(n, 2);
	/* the discarded objects are overwritten in place; the file is cut at the next sync */
	CHECK(seg_size("OVR001") > 5 * STORE__HDR_LEN + 1 + 100 + 4096 + 5000);
	/* unsynced objects overwritten again, then a filemark over a block */
	write_block(t, 5, 2, 10);
	write_block(t, 6, 2, 20);
	write_block(t, 5, 3, 30);
	CHECK_EQ(store_tape_write(t, 4, STORE_OBJ_FILEMARK, NULL, 0), 0);
	CHECK_EQ(store_tape_eod(t), 5);
	CHECK_EQ(store_tape_find_filemark(t, 3, 1, &n), 0);
	CHECK_EQ(n, 4);
	store_tape_close(t);   /* a sync point: the stale tail is gone */
	CHECK_EQ(seg_size("OVR001"), 5 * STORE__HDR_LEN + 1 + 100 + 4096);
	CHECK_EQ(store_tape_open(s, "OVR001", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 5);
	check_mix(t, 4, 1, false);
	struct store_obj o;
	CHECK_EQ(store_tape_stat(t, 4, &o), 0);
	CHECK_EQ(o.type, STORE_OBJ_FILEMARK);
	CHECK_EQ(store_tape_find_filemark(t, 1000, -1, &n), 0);
	CHECK_EQ(n, 4);
	store_tape_close(t);
}

static void test_capacity(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "CAP001", 1000, &t), 0);
	write_block(t, 0, 1, 600);
	CHECK_EQ(store_tape_write(t, 1, STORE_OBJ_BLOCK, g_buf, 401), -ENOSPC);
	CHECK_EQ(store_tape_eod(t), 1);
	write_block(t, 1, 1, 400);
	CHECK_EQ(store_tape_used(t), 1000);
	CHECK_EQ(store_tape_write(t, 2, STORE_OBJ_BLOCK, g_buf, 1), -ENOSPC);
	CHECK_EQ(store_tape_write(t, 2, STORE_OBJ_FILEMARK, NULL, 0), 0); /* no data */
	/* too big even after discarding: nothing is discarded */
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, g_buf, 1001), -ENOSPC);
	CHECK_EQ(store_tape_eod(t), 3);
	/* fits once object 1 and after are discarded */
	write_block(t, 1, 2, 400);
	CHECK_EQ(store_tape_eod(t), 2);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, g_buf, UINT32_MAX), -EINVAL);
	store_tape_close(t);
	/* capacity is what the opener says, even below what is held */
	CHECK_EQ(store_tape_open(s, "CAP001", 100, &t), 0);
	CHECK_EQ(store_tape_used(t), 1000);
	CHECK_EQ(store_tape_write(t, 2, STORE_OBJ_BLOCK, g_buf, 1), -ENOSPC);
	CHECK_EQ(store_tape_write(t, 1, STORE_OBJ_BLOCK, g_buf, 1), -ENOSPC);
	CHECK_EQ(store_tape_write(t, 0, STORE_OBJ_BLOCK, g_buf, 100), 0);
	store_tape_close(t);
}

/* Many small objects: index chunks (STORE__CHUNK objects each) written at sync points that
 * fall inside and on chunk boundaries, and truncated both ways. */
static void test_chunks(struct store *s)
{
	struct store_tape *t;
	const uint64_t total = 3 * STORE__CHUNK + 123;
	CHECK_EQ(store_tape_open(s, "CHK001", 1ull << 40, &t), 0);
	for (uint64_t k = 0; k < total; k++) {
		if (k % 97 == 96)
			CHECK_EQ(store_tape_write(t, k, STORE_OBJ_FILEMARK, NULL, 0), 0);
		else
			write_block(t, k, 1, 1 + (uint32_t)(k % 61));
		if (k == 1000 || k == STORE__CHUNK - 1 || k == 2 * STORE__CHUNK + 5)
			CHECK_EQ(store_tape_sync(t), 0);
	}
	store_tape_close(t);
	const uint64_t cuts[] = {2 * STORE__CHUNK + 7, 2 * STORE__CHUNK, STORE__CHUNK + 1, 77};
	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		CHECK_EQ(store_tape_open(s, "CHK001", 1ull << 40, &t), 0);
		uint64_t eod = c ? cuts[c - 1] : total;
		CHECK_EQ(store_tape_eod(t), eod);
		for (uint64_t k = 0; k < eod; k++) {
			if (k % 97 == 96)
				tu_check_obj(t, k, 1, STORE_OBJ_FILEMARK, 0, g_buf, g_want);
			else
				tu_check_obj(t, k, 1, STORE_OBJ_BLOCK, 1 + (uint32_t)(k % 61), g_buf,
					     g_want);
		}
		uint64_t n;
		CHECK_EQ(store_tape_find_filemark(t, 0, 1, &n), 0);
		CHECK_EQ(n, 96);
		CHECK_EQ(store_tape_truncate(t, cuts[c]), 0);
		CHECK_EQ(store_tape_find_filemark(t, cuts[c], 1, &n), -ENOENT);
		store_tape_close(t);
	}
	CHECK_EQ(store_tape_open(s, "CHK001", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 77);
	/* grow again past two chunk boundaries after the cuts */
	for (uint64_t k = 77; k < 2 * STORE__CHUNK + 10; k++)
		write_block(t, k, 2, 3);
	store_tape_close(t);
	CHECK_EQ(store_tape_open(s, "CHK001", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 2 * STORE__CHUNK + 10);
	tu_check_obj(t, 76, 1, STORE_OBJ_BLOCK, 1 + 76 % 61, g_buf, g_want);
	tu_check_obj(t, 2 * STORE__CHUNK + 9, 2, STORE_OBJ_BLOCK, 3, g_buf, g_want);
	store_tape_close(t);
}

/* Past STORE__AUTOSYNC_OBJS unsynced objects the store makes its own sync point. */
static void test_autosync(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "AUTO01", 1ull << 40, &t), 0);
	uint8_t b = 0x5a;
	for (uint64_t k = 0; k < STORE__AUTOSYNC_OBJS; k++)
		CHECK_EQ(store_tape_write(t, k, STORE_OBJ_BLOCK, &b, 1), 0);
	CHECK_EQ(t->synced_eod, 0);
	CHECK_EQ(store_tape_write(t, STORE__AUTOSYNC_OBJS, STORE_OBJ_BLOCK, &b, 1), 0);
	CHECK_EQ(t->synced_eod, STORE__AUTOSYNC_OBJS);
	CHECK_EQ(store_tape_eod(t), STORE__AUTOSYNC_OBJS + 1);
	store_tape_close(t);
	CHECK_EQ(store_tape_destroy(s, "AUTO01"), 0);
}

/* The host's disk refuses a write (here: RLIMIT_FSIZE, EFBIG after a partial write): -EIO,
 * no half object left behind, and the tape works again once the disk does. */
static void test_write_failure(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "FAIL01", 1ull << 40, &t), 0);
	write_block(t, 0, 1, 100000);
	CHECK_EQ(store_tape_sync(t), 0);
	struct rlimit old, lim;
	CHECK_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 3u << 20;
	signal(SIGXFSZ, SIG_IGN);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	tu_fill(g_buf, 1, 1, 4u << 20);
	CHECK_EQ(store_tape_write(t, 1, STORE_OBJ_BLOCK, g_buf, 4u << 20), -EIO);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	CHECK_EQ(store_tape_eod(t), 1);
	CHECK_EQ(seg_size("FAIL01"), STORE__HDR_LEN + 100000);
	write_block(t, 1, 2, 4u << 20);
	store_tape_close(t);
	CHECK_EQ(store_tape_open(s, "FAIL01", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 2);
	tu_check_obj(t, 1, 2, STORE_OBJ_BLOCK, 4u << 20, g_buf, g_want);
	store_tape_close(t);
}

static void test_destroy(struct store *s)
{
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "DST001", 1ull << 40, &t), 0);
	write_mix(t, 0, 1);
	store_tape_close(t);
	CHECK(seg_size("DST001") > 0 && seg_size("DST001") != UINT64_MAX);
	CHECK_EQ(store_tape_destroy(s, "DST001"), 0);
	CHECK_EQ(seg_size("DST001"), UINT64_MAX);
	CHECK_EQ(store_tape_destroy(s, "DST001"), 0); /* nothing left: still fine */
	CHECK_EQ(store_tape_destroy(s, "NEVER1"), 0);
	CHECK_EQ(store_tape_open(s, "DST001", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 0);
	CHECK_EQ(store_tape_used(t), 0);
	store_tape_close(t);
	/* other cartridges, including one whose barcode extends this one, are untouched */
	CHECK_EQ(store_tape_open(s, "MIX0011", 1ull << 40, &t), 0);
	write_block(t, 0, 1, 10);
	store_tape_close(t);
	CHECK_EQ(store_tape_destroy(s, "MIX001"), 0);
	CHECK_EQ(store_tape_open(s, "MIX0011", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 1);
	store_tape_close(t);
	CHECK_EQ(store_tape_open(s, "OVR001", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 5);
	store_tape_close(t);
}

/* Tape names are opaque: names that share a suffix, differ only in case or are as long
 * as allowed are separate tapes with separate files and keys. */
static void test_names(struct store *s)
{
	char longest[STORE_TAPE_NAME_MAX + 1];
	memset(longest, 'Q', STORE_TAPE_NAME_MAX);
	longest[STORE_TAPE_NAME_MAX] = 0;
	const char *names[] = {"0123456789abcdef0123456789abcdef_VT0001L8",
			       "fedcba9876543210fedcba9876543210_VT0001L8", "VT0001L8", "vt0001l8",
			       longest};
	const size_t n = sizeof names / sizeof names[0];
	struct store_tape *t;
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ(store_tape_open(s, names[i], 1ull << 40, &t), 0);
		for (uint64_t k = 0; k <= i; k++)
			write_block(t, k, (uint32_t)(10 + i), (uint32_t)(100 + i));
		store_tape_close(t);
		CHECK_EQ(seg_size(names[i]), (i + 1) * (STORE__HDR_LEN + 100 + i));
	}
	CHECK_EQ(store_tape_destroy(s, names[0]), 0);
	CHECK_EQ(seg_size(names[0]), UINT64_MAX);
	for (size_t i = 1; i < n; i++) {
		CHECK_EQ(store_tape_open(s, names[i], 1ull << 40, &t), 0);
		CHECK_EQ(store_tape_eod(t), i + 1);
		for (uint64_t k = 0; k <= i; k++)
			tu_check_obj(t, k, (uint32_t)(10 + i), STORE_OBJ_BLOCK, (uint32_t)(100 + i),
				     g_buf, g_want);
		store_tape_close(t);
	}
	CHECK_EQ(store_tape_open(s, names[0], 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 0);
	store_tape_close(t);
}

int main(void)
{
	snprintf(g_dir, sizeof g_dir, "%s", tu_tmpdir("store_tape"));
	g_buf = malloc(STORE_OBJ_MAX_LEN + 1);
	g_want = malloc(STORE_OBJ_MAX_LEN + 1);
	CHECK(g_buf && g_want);
	struct store *s;
	CHECK_EQ(store_open(g_dir, &s), 0);
	test_args(s);
	test_mix_and_reopen(s);
	test_overwrite_and_filemarks(s);
	test_capacity(s);
	test_chunks(s);
	test_autosync(s);
	test_write_failure(s);
	/* the store reopened: everything above survives */
	store_close(s);
	CHECK_EQ(store_open(g_dir, &s), 0);
	test_destroy(s);
	test_names(s);
	/* a tape left open is closed (and synced) by store_close */
	struct store_tape *t;
	CHECK_EQ(store_tape_open(s, "LEFT01", 1ull << 40, &t), 0);
	write_block(t, 0, 1, 10);
	store_close(s);
	CHECK_EQ(store_open(g_dir, &s), 0);
	CHECK_EQ(store_tape_open(s, "LEFT01", 1ull << 40, &t), 0);
	CHECK_EQ(store_tape_eod(t), 1);
	store_close(s);
	free(g_buf);
	free(g_want);
	tu_rmtree(g_dir);
	return 0;
}
