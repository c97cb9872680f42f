/* vtl_bench.c - streaming tape benchmark over iSCSI (libiscsi, through tests/client).
 *
 * What one run does, against any target (vtl-node or Linux tgt, for comparison):
 *   1. optionally gets a cartridge into the drive through the changer LUN (MOVE MEDIUM
 *      slot -> drive; skipped when READ ELEMENT STATUS shows it already there), then
 *      waits until the drive is ready;
 *   2. REWIND, then WRITE(6) of `bytes / block` variable-length blocks of `block` bytes
 *      followed by one WRITE FILEMARKS(1) with IMMED=0, the synchronizing command that
 *      makes the stream durable (SSC-3 buffered mode): write time covers both;
 *   3. REWIND, READ(6) of every block (variable, SILI=0) verifying every byte against a
 *      pattern derived from the block number, then one more READ that must stop at the
 *      filemark (CHECK CONDITION, FILEMARK set) - untimed;
 *   4. prints one line: label, block, bytes, write and read MB/s (MB = 10^6 bytes).
 *
 * Queue depth 1: one command outstanding at a time, as a backup application streaming
 * to st does. The clock runs only while a command is outstanding, so generating and
 * checking the pattern (this program's own work) does not count against the target.
 *
 * Any error - a transport failure, any status other than GOOD during the stream, a
 * short block, a byte that differs - aborts the run with a message on stderr and exit
 * status 1, and no figure is printed for it. READ POSITION is never sent (it crashes
 * tgt 1.0.85, see shared notes).
 *
 * Single-threaded. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/client/tclient.h"

#define MAX_ELEMS 8192
#define READY_TIMEOUT_MS 60000

struct bench_opts {
	const char *portal;
	const char *target;
	const char *label;
	int lun;
	uint64_t bytes;
	uint32_t block;
	int changer_lun;        /* -1: assume the drive is loaded */
	long slot;
	long drive_elem;
	long transport_elem;    /* -1: the first transport element reported */
	bool header_digest;
	int timeout_ms;
};

static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vtl_bench: ERROR ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

static int fail_res(const char *what, int rc, struct tc *tc, const struct tc_result *r)
{
	if (rc)
		return fail("%s: %s (%s)", what, strerror(-rc), tc_error(tc));
	return fail("%s: status 0x%02x sense %x/%02x/%02x fm=%d eom=%d ili=%d info=%" PRId64,
		    what, r->status, r->sense.key, r->sense.asc, r->sense.ascq, r->sense.filemark,
		    r->sense.eom, r->sense.ili, r->sense.info);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the pattern: splitmix64 seeded with the block number, one word per 8 bytes ---- */

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void pattern_fill(uint8_t *buf, uint32_t len, uint64_t blockno)
{
	uint64_t s = blockno * 0x2545f4914f6cdd1dull + 1;
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t w = mix(&s);
		memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
	}
}

/* Returns the offset of the first wrong byte, or len if the whole block is right. */
static uint32_t pattern_check(const uint8_t *buf, uint32_t len, uint64_t blockno)
{
	uint64_t s = blockno * 0x2545f4914f6cdd1dull + 1;
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t w = mix(&s);
		uint32_t n = len - i < 8 ? len - i : 8;
		if (memcmp(buf + i, &w, n) == 0)
			continue;
		const uint8_t *want = (const uint8_t *)&w;
		for (uint32_t k = 0; k < n; k++)
			if (buf[i + k] != want[k])
				return i + k;
	}
	return len;
}

/* ---- loading a cartridge through the changer ---- */

static const struct tc_elem *elem_find(const struct tc_elem *e, size_t n, int type, long addr)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].type == type && (addr < 0 || e[i].addr == addr))
			return &e[i];
	return NULL;
}

/* Decides and issues the MOVE MEDIUM; 0 when the drive holds the slot's cartridge. */
static int load_move(struct tc *tc, const struct bench_opts *o, const struct tc_elem *e,
		     size_t n)
{
	const struct tc_elem *drive = elem_find(e, n, TC_ELEM_DRIVE, o->drive_elem);
	const struct tc_elem *slot = elem_find(e, n, TC_ELEM_STORAGE, o->slot);
	const struct tc_elem *arm = elem_find(e, n, TC_ELEM_TRANSPORT, o->transport_elem);
	struct tc_result r;

	if (!drive || !slot || !arm)
		return fail("changer has no %s element at the given address",
			    !drive ? "drive" : !slot ? "storage" : "transport");
	if (drive->full) {
		if (drive->svalid && drive->src == slot->addr)
			return 0; /* loaded by an earlier run */
		return fail("drive element %u holds another cartridge (from %u)", drive->addr,
			    drive->src);
	}
	if (!slot->full)
		return fail("slot %u is empty", slot->addr);
	int rc = tc_move_medium(tc, arm->addr, slot->addr, drive->addr, &r);
	if (rc || !tc_good(&r))
		return fail_res("MOVE MEDIUM", rc, tc, &r);
	fprintf(stderr, "vtl_bench: loaded %s from slot %u into drive %u\n", slot->pvoltag,
		slot->addr, drive->addr);
	return 0;
}

static int load_cartridge(struct tc *tc, const struct bench_opts *o)
{
	struct tc_elem *e = calloc(MAX_ELEMS, sizeof(*e));
	struct tc_result r;
	size_t n = 0;
	int rc = -1;

	if (!e)
		return fail("out of memory");
	int err = tc_use_lun(tc, o->changer_lun);
	if (err) {
		fail("changer LUN %d: %s", o->changer_lun, strerror(-err));
		goto out;
	}
	err = tc_elements(tc, e, MAX_ELEMS, &n, &r);
	if (err || !tc_good(&r)) {
		fail_res("READ ELEMENT STATUS", err, tc, &r);
		goto out;
	}
	rc = load_move(tc, o, e, n);
out:
	free(e);
	return rc;
}

static int get_ready(struct tc *tc, const struct bench_opts *o)
{
	struct tc_result r;
	if (o->changer_lun >= 0 && load_cartridge(tc, o) != 0)
		return -1;
	int rc = tc_use_lun(tc, o->lun);
	if (rc)
		return fail("drive LUN %d: %s", o->lun, strerror(-rc));
	rc = tc_wait_ready(tc, READY_TIMEOUT_MS, &r);
	if (rc)
		return fail_res("drive not ready", rc == -ETIMEDOUT ? 0 : rc, tc, &r);
	rc = tc_rewind(tc, false, &r);
	if (rc || !tc_good(&r))
		return fail_res("REWIND", rc, tc, &r);
	return 0;
}

/* ---- the two timed phases ---- */

static int write_phase(struct tc *tc, const struct bench_opts *o, uint64_t blocks,
		       uint8_t *buf, double *secs)
{
	struct tc_result r;
	double t = 0;

	for (uint64_t i = 0; i < blocks; i++) {
		pattern_fill(buf, o->block, i);
		double t0 = now_s();
		int rc = tc_write6(tc, false, o->block, buf, o->block, &r);
		t += now_s() - t0;
		if (rc || !tc_good(&r))
			return fail_res("WRITE(6)", rc, tc, &r);
	}
	double t0 = now_s();
	int rc = tc_write_filemarks6(tc, 1, false, &r);
	t += now_s() - t0;
	if (rc || !tc_good(&r))
		return fail_res("WRITE FILEMARKS(6)", rc, tc, &r);
	*secs = t;
	return 0;
}

static int read_block(struct tc *tc, const struct bench_opts *o, uint64_t i, uint8_t *buf,
		      double *t)
{
	struct tc_result r;
	double t0 = now_s();
	int rc = tc_read6(tc, false, false, o->block, buf, o->block, &r);
	*t += now_s() - t0;
	if (rc || !tc_good(&r))
		return fail_res("READ(6)", rc, tc, &r);
	if (r.data_in_len != o->block || r.resid_kind != TC_RESID_NONE)
		return fail("READ(6) of block %" PRIu64 ": %u bytes (residual %u kind %d)", i,
			    r.data_in_len, r.residual, r.resid_kind);
	uint32_t bad = pattern_check(buf, o->block, i);
	if (bad != o->block)
		return fail("block %" PRIu64 " differs at byte %u", i, bad);
	return 0;
}

static int read_phase(struct tc *tc, const struct bench_opts *o, uint64_t blocks,
		      uint8_t *buf, double *secs)
{
	struct tc_result r;
	double t = 0;

	int rc = tc_rewind(tc, false, &r);
	if (rc || !tc_good(&r))
		return fail_res("REWIND", rc, tc, &r);
	for (uint64_t i = 0; i < blocks; i++)
		if (read_block(tc, o, i, buf, &t) != 0)
			return -1;
	*secs = t;
	/* the stream must end at the filemark we wrote: NO SENSE with FILEMARK (SSC-3) */
	rc = tc_read6(tc, false, false, o->block, buf, o->block, &r);
	if (rc || r.status != TC_CHECK_CONDITION || !r.sense.filemark)
		return fail_res("READ(6) past the last block (want the filemark)", rc, tc, &r);
	return 0;
}

/* ---- command line ---- */

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static void usage(void)
{
	fputs("usage: vtl_bench --portal HOST:PORT --target IQN [--lun N] [--bytes N[K|M|G]]\n"
	      "                 [--block N[K|M|G]] [--label NAME] [--header-digest]\n"
	      "                 [--changer-lun N --slot ADDR --drive-elem ADDR\n"
	      "                  [--transport-elem ADDR]] [--timeout-ms MS]\n"
	      "defaults: --lun 1 --bytes 1G --block 256K; without --changer-lun the drive\n"
	      "must already hold a cartridge. Prints: label block bytes write_MBps read_MBps\n",
	      stderr);
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{"portal", 1, 0, 'p'}, {"target", 1, 0, 't'}, {"lun", 1, 0, 'l'},
		{"bytes", 1, 0, 'n'}, {"block", 1, 0, 'b'}, {"label", 1, 0, 'L'},
		{"changer-lun", 1, 0, 'c'}, {"slot", 1, 0, 's'}, {"drive-elem", 1, 0, 'd'},
		{"transport-elem", 1, 0, 'a'}, {"header-digest", 0, 0, 'H'},
		{"timeout-ms", 1, 0, 'T'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	uint64_t v;
	int c;

	*o = (struct bench_opts){.lun = 1, .bytes = 1ull << 30, .block = 256 << 10,
				 .label = "-", .changer_lun = -1, .slot = -1, .drive_elem = -1,
				 .transport_elem = -1};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->portal = optarg; break;
		case 't': o->target = optarg; break;
		case 'l': o->lun = atoi(optarg); break;
		case 'L': o->label = optarg; break;
		case 'c': o->changer_lun = atoi(optarg); break;
		case 's': o->slot = strtol(optarg, NULL, 0); break;
		case 'd': o->drive_elem = strtol(optarg, NULL, 0); break;
		case 'a': o->transport_elem = strtol(optarg, NULL, 0); break;
		case 'H': o->header_digest = true; break;
		case 'T': o->timeout_ms = atoi(optarg); break;
		case 'n':
			if (parse_size(optarg, &o->bytes))
				return -EINVAL;
			break;
		case 'b':
			if (parse_size(optarg, &v) || v > 0xffffff)
				return -EINVAL; /* READ(6)/WRITE(6): 24-bit transfer length */
			o->block = (uint32_t)v;
			break;
		default:
			return -EINVAL;
		}
	}
	if (!o->portal || !o->target || o->bytes < o->block)
		return -EINVAL;
	if (o->changer_lun >= 0 && (o->slot < 0 || o->drive_elem < 0))
		return -EINVAL;
	return 0;
}

static int run(const struct bench_opts *o)
{
	struct tc_opts to = {.header_digest = o->header_digest, .timeout_ms = o->timeout_ms,
			     .initiator = "iqn.2026-11.io.vtl:bench"};
	uint64_t blocks = o->bytes / o->block;
	double tw = 0, tr = 0;
	struct tc *tc = NULL;
	uint8_t *buf = malloc(o->block);
	int rc = -1;

	if (!buf) {
		fail("out of memory");
		goto out;
	}
	int err = tc_connect(&tc, o->portal, o->target, o->changer_lun >= 0 ? o->changer_lun
								     : o->lun, &to);
	if (err) {
		fail("connect %s %s: %s", o->portal, o->target, strerror(-err));
		goto out;
	}
	if (get_ready(tc, o) || write_phase(tc, o, blocks, buf, &tw) ||
	    read_phase(tc, o, blocks, buf, &tr))
		goto out;
	double mb = (double)(blocks * o->block) / 1e6;
	printf("label=%s block=%u bytes=%" PRIu64 " write_MBps=%.1f read_MBps=%.1f "
	       "write_s=%.3f read_s=%.3f\n",
	       o->label, o->block, blocks * o->block, mb / tw, mb / tr, tw, tr);
	rc = 0;
out:
	tc_close(tc);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	if (parse_args(argc, argv, &o) != 0) {
		usage();
		return 2;
	}
	return run(&o) == 0 ? 0 : 1;
}
