/* store_bench.c - how fast the store takes and returns tape blocks, and why tape data is
 * not kept in RocksDB values (docs/store.md quotes its output).
 *
 *   store_bench [DIR [MIB [REPEAT [ONLY]]]]   defaults: $TMPDIR or /tmp, 1024 MiB, 1 run;
 *                                             ONLY: run configurations whose name has it
 *
 * For 256 KiB and 64 KiB blocks of incompressible data it writes MIB of blocks, then makes
 * them durable, then reads them back twice: from the page cache ("hot") and after evicting
 * the file's pages ("cold", posix_fadvise DONTNEED, no root needed):
 *   - segment:       store_tape_write, one store_tape_sync at the end
 *   - segment+sync:  the same with a sync point every 64 MiB (a backup writing filemarks)
 *   - rocksdb-wal:   the blocks as RocksDB values, one put each, WAL on, sync=0; the
 *                    final "sync" is rocksdb_flush_wal(sync=1)
 *   - rocksdb-blob:  the same with integrated BlobDB (values >= 4 KiB in blob files)
 *   - rocksdb-nowal: WAL disabled; durable only after the final memtable flush
 * MB/s are 10^6 bytes of payload per second; "cpu" is user+sys seconds of this process
 * (RocksDB's background threads included), which matters on a 2-core node. */
#include "node/store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define POOL (32u << 20)
#define SYNC_EVERY (64ull << 20)

static uint8_t *g_pool;

struct meter {
	double wall, cpu;
};

static void meter_now(struct meter *m)
{
	struct timespec ts;
	struct rusage ru;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	getrusage(RUSAGE_SELF, &ru);
	m->wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	m->cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Block i: a slice of the random pool, different for neighbouring blocks. */
static const uint8_t *block(uint64_t i, size_t bs)
{
	return g_pool + (i * 7919 * 4096) % (POOL - bs);
}

static void report(const char *name, size_t bs, const char *phase, uint64_t bytes,
		   const struct meter *a, const struct meter *b)
{
	double s = b->wall - a->wall;
	printf("%-14s %4zuK %-12s %8.0f MB/s  %6.2f s  cpu %5.2f s\n", name, bs / 1024, phase,
	       (double)bytes / 1e6 / s, s, b->cpu - a->cpu);
	fflush(stdout);
}

static int rm_fn(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void evict(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static void evict_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[1024];
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			evict(p);
		}
	closedir(d);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, strerror(-rc));
	exit(1);
}

static void read_segment(struct store_tape *t, uint64_t n, size_t bs, uint8_t *buf,
			 const char *name, const char *phase)
{
	struct meter a, b;
	struct store_obj o;
	meter_now(&a);
	for (uint64_t i = 0; i < n; i++) {
		int rc = store_tape_read(t, i, buf, bs, &o);
		if (rc || o.len != bs)
			die("store_tape_read", rc ? rc : -EIO);
	}
	meter_now(&b);
	report(name, bs, phase, n * bs, &a, &b);
}

static void bench_segment(const char *dir, uint64_t total, size_t bs, bool periodic)
{
	const char *name = periodic ? "segment+sync" : "segment";
	/* the same names as main's list */
	struct store *s;
	struct store_tape *t;
	int rc = store_open(dir, &s);
	if (rc == 0)
		rc = store_tape_open(s, "BENCH1", 1ull << 50, &t);
	if (rc)
		die("open", rc);
	uint64_t n = total / bs;
	struct meter a, b, c;
	meter_now(&a);
	for (uint64_t i = 0; i < n; i++) {
		if ((rc = store_tape_write(t, i, STORE_OBJ_BLOCK, block(i, bs), (uint32_t)bs)))
			die("store_tape_write", rc);
		if (periodic && (i + 1) * bs % SYNC_EVERY == 0 && (rc = store_tape_sync(t)))
			die("store_tape_sync", rc);
	}
	meter_now(&b);
	if ((rc = store_tape_sync(t)))
		die("store_tape_sync", rc);
	meter_now(&c);
	report(name, bs, "write", n * bs, &a, &b);
	report(name, bs, "write+sync", n * bs, &a, &c);
	uint8_t *buf = malloc(bs);
	read_segment(t, n, bs, buf, name, "read hot");
	char p[1024];
	snprintf(p, sizeof p, "%s/tapes/BENCH1.seg", dir);
	evict(p);
	read_segment(t, n, bs, buf, name, "read cold");
	free(buf);
	store_tape_close(t);
	store_close(s);
}

enum rmode { R_WAL, R_BLOB, R_NOWAL };

static rocksdb_t *rocks_open(const char *dir, enum rmode mode, rocksdb_options_t **opt)
{
	*opt = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(*opt, 1);
	rocksdb_options_increase_parallelism(*opt, 2);
	if (mode == R_BLOB) {
		rocksdb_options_set_enable_blob_files(*opt, 1);
		rocksdb_options_set_min_blob_size(*opt, 4096);
	}
	char *err = NULL;
	rocksdb_t *db = rocksdb_open(*opt, dir, &err);
	if (err) {
		fprintf(stderr, "store_bench: rocksdb_open: %s\n", err);
		exit(1);
	}
	return db;
}

static void rocks_check(char *err, const char *what)
{
	if (err) {
		fprintf(stderr, "store_bench: %s: %s\n", what, err);
		exit(1);
	}
}

static void rocks_read(rocksdb_t *db, uint64_t n, size_t bs, const char *name, const char *phase)
{
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
	struct meter a, b;
	char *err = NULL;
	meter_now(&a);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t key[8];
		for (int j = 0; j < 8; j++)
			key[j] = (uint8_t)(i >> (56 - 8 * j));
		size_t len;
		char *v = rocksdb_get(db, ro, (char *)key, 8, &len, &err);
		rocks_check(err, "rocksdb_get");
		if (!v || len != bs)
			die("rocksdb_get: short", -EIO);
		rocksdb_free(v);
	}
	meter_now(&b);
	report(name, bs, phase, n * bs, &a, &b);
	rocksdb_readoptions_destroy(ro);
}

static void bench_rocks(const char *dir, uint64_t total, size_t bs, enum rmode mode)
{
	static const char *names[] = {"rocksdb-wal", "rocksdb-blob", "rocksdb-nowal"};
	rocksdb_options_t *opt;
	rocksdb_t *db = rocks_open(dir, mode, &opt);
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	if (mode == R_NOWAL)
		rocksdb_writeoptions_disable_WAL(wo, 1);
	uint64_t n = total / bs;
	struct meter a, b, c;
	char *err = NULL;
	meter_now(&a);
	for (uint64_t i = 0; i < n; i++) {
		uint8_t key[8];
		for (int j = 0; j < 8; j++)
			key[j] = (uint8_t)(i >> (56 - 8 * j));
		rocksdb_put(db, wo, (char *)key, 8, (const char *)block(i, bs), bs, &err);
		rocks_check(err, "rocksdb_put");
	}
	meter_now(&b);
	if (mode == R_NOWAL) {
		rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
		rocksdb_flush(db, fo, &err);
		rocksdb_flushoptions_destroy(fo);
	} else {
		rocksdb_flush_wal(db, 1, &err);
	}
	rocks_check(err, "sync");
	meter_now(&c);
	report(names[mode], bs, "write", n * bs, &a, &b);
	report(names[mode], bs, "write+sync", n * bs, &a, &c);
	rocks_read(db, n, bs, names[mode], "read hot");
	/* cold reads come from SST or blob files, not from a WAL replayed into a memtable */
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	rocksdb_flush(db, fo, &err);
	rocksdb_flushoptions_destroy(fo);
	rocks_check(err, "flush");
	rocksdb_close(db);
	evict_dir(dir);
	db = rocksdb_open(opt, dir, &err);
	rocks_check(err, "rocksdb_open");
	rocks_read(db, n, bs, names[mode], "read cold");
	rocksdb_close(db);
	rocksdb_writeoptions_destroy(wo);
	rocksdb_options_destroy(opt);
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
	uint64_t total = (argc > 2 ? strtoull(argv[2], NULL, 10) : 1024) << 20;
	int repeat = argc > 3 ? atoi(argv[3]) : 1;
	const char *only = argc > 4 ? argv[4] : "";
	static const char *cfgs[] = {"segment", "segment+sync", "rocksdb-wal", "rocksdb-blob",
				     "rocksdb-nowal"};
	char dir[512];
	snprintf(dir, sizeof dir, "%s/vtl-store-bench-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir) || !(g_pool = malloc(POOL))) {
		perror("store_bench");
		return 1;
	}
	uint64_t x = 0x2545F4914F6CDD1Dull;
	for (size_t i = 0; i < POOL; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(g_pool + i, &x, 8);
	}
	printf("store_bench: %llu MiB per run in %s\n", (unsigned long long)(total >> 20), dir);
	const size_t sizes[] = {256 * 1024, 64 * 1024};
	char sub[600];
	for (int r = 0; r < repeat; r++)
		for (size_t z = 0; z < 2; z++)
			for (int cfg = 0; cfg < 5; cfg++) {
				if (!strstr(cfgs[cfg], only))
					continue;
				snprintf(sub, sizeof sub, "%s/run", dir);
				if (cfg < 2)
					bench_segment(sub, total, sizes[z], cfg == 1);
				else
					bench_rocks(sub, total, sizes[z], (enum rmode)(cfg - 2));
				nftw(sub, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
			}
	nftw(dir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	free(g_pool);
	return 0;
}
