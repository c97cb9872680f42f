/* test_crash.c - kill -9 in the middle of writing. Each round a child process opens the
 * store, (from the second round) overwrites the last objects of the previous round, writes
 * more, syncs, tells the parent how far the sync reached, and goes on writing as fast as it
 * can until the parent kills it with SIGKILL after a few milliseconds. The parent reopens
 * and checks:
 *   - EOD >= the synced eod the child reported;
 *   - every object below EOD reads back byte-exact (so everything before the sync point
 *     survived, and no torn object is served as data).
 * Rounds accumulate on one cartridge, so recovery is also tested on recovered tapes. */
#include "node/store/store_int.h"
#include "tests/unit/store/store_tu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 8
#define BEFORE_SYNC 40
#define LIMIT 600 /* objects a child writes at most per round (~400 MB) before waiting to die */

static char g_dir[512];
#define BIG (8u << 20)
static uint8_t g_buf[BIG], g_want[BIG];

/* Mostly blocks up to 64 KiB, a filemark every 11th object, an 8 MiB block every 13th: a
 * write that long is often cut short by SIGKILL (the kernel stops copying between pages
 * when a fatal signal is pending), which leaves a torn object in the file. */
static uint32_t len_of(uint64_t k)
{
	if (k % 11 == 10)
		return 0;
	if (k % 13 == 12)
		return BIG;
	uint64_t x = (k + 7) * 0x9E3779B97F4A7C15ull;
	return 1 + (uint32_t)((x >> 29) % 65536);
}

static void put_obj(struct store_tape *t, uint64_t k)
{
	uint32_t len = len_of(k);
	if (len == 0) {
		CHECK_EQ(store_tape_write(t, k, STORE_OBJ_FILEMARK, NULL, 0), 0);
		return;
	}
	tu_fill(g_buf, k, 0, len);
	CHECK_EQ(store_tape_write(t, k, STORE_OBJ_BLOCK, g_buf, len), 0);
}

static void child(int wfd)
{
	struct store *s;
	struct store_tape *t;
	CHECK_EQ(store_open(g_dir, &s), 0);
	CHECK_EQ(store_tape_open(s, "CRASH1", 1ull << 40, &t), 0);
	uint64_t k = store_tape_eod(t);
	k = k >= 3 ? k - 3 : 0; /* overwrite: a truncate and a new generation */
	uint64_t sync_at = k + BEFORE_SYNC;
	for (; k < sync_at; k++)
		put_obj(t, k);
	CHECK_EQ(store_tape_sync(t), 0);
	CHECK_EQ(write(wfd, &sync_at, sizeof sync_at), (ssize_t)sizeof sync_at);
	for (; k < sync_at + LIMIT; k++)
		put_obj(t, k);
	for (;;)
		pause();
}

static void round_run(int r)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	uint64_t synced = 0;
	CHECK_EQ(read(p[0], &synced, sizeof synced), (ssize_t)sizeof synced);
	close(p[0]);
	struct timespec d = {0, (2 + 7 * r) * 1000000L};
	nanosleep(&d, NULL);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	struct store *s;
	struct store_tape *t;
	CHECK_EQ(store_open(g_dir, &s), 0);
	CHECK_EQ(store_tape_open(s, "CRASH1", 1ull << 40, &t), 0);
	uint64_t eod = store_tape_eod(t);
	CHECK(eod >= synced);
	for (uint64_t k = 0; k < eod; k++)
		tu_check_obj(t, k, 0, len_of(k) ? STORE_OBJ_BLOCK : STORE_OBJ_FILEMARK, len_of(k),
			     g_buf, g_want);
	fprintf(stderr, "round %d: synced %llu, recovered eod %llu, gen %u\n", r,
		(unsigned long long)synced, (unsigned long long)eod, t->gen);
	store_tape_close(t);
	store_close(s);
}

int main(void)
{
	snprintf(g_dir, sizeof g_dir, "%s", tu_tmpdir("store_crash"));
	for (int r = 0; r < ROUNDS; r++)
		round_run(r);
	tu_rmtree(g_dir);
	return 0;
}
