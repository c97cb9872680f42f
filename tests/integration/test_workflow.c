/* The backup-shaped workflow over iSCSI against a real vtl-node, then again after kill -9
 * and a restart (issue 2, "Shown by"):
 *   READ ELEMENT STATUS -> MOVE MEDIUM slot->drive -> several files of mixed block sizes
 *   separated by filemarks -> REWIND -> SPACE to the third file -> read and verify every
 *   byte -> READ POSITION agrees -> LOCATE back -> UNLOAD -> MOVE back -> barcodes and
 *   positions right. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tests/client/tclient.h"
#include "tests/integration/nodeproc.h"
#include "tests/integration/wl_common.h"
#include "tests/testutil.h"

#define TARGET "iqn.2026-11.io.vtl:wl"
#define DRIVE 0x0100
#define BARCODE "WL0001L8"

static void check_position(struct tc *tc, uint64_t want_block, uint64_t want_file)
{
	struct tc_position pos;
	struct tc_result r;
	CHECK_EQ(tc_read_position(tc, TC_RP_SHORT, &pos, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK(pos.block_valid);
	CHECK_EQ(pos.block, want_block);
	CHECK_EQ(pos.bop, want_block == 0);
	CHECK_EQ(tc_read_position(tc, TC_RP_LONG, &pos, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(pos.block, want_block);
	CHECK(pos.file_valid);
	CHECK_EQ(pos.file, want_file);
}

/* Loads BARCODE into the drive and returns the slot it came from. */
static uint16_t load(struct tc *tc)
{
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	uint16_t slot = wl_find_barcode(tc, BARCODE);
	CHECK(slot >= 0x0400);
	wl_move(tc, slot, DRIVE);
	CHECK_EQ(wl_find_barcode(tc, BARCODE), DRIVE);
	CHECK_EQ(tc_use_lun(tc, 1), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, NULL), 0);
	return slot;
}

static void unload_and_return(struct tc *tc, uint16_t slot)
{
	struct tc_result r;
	CHECK_EQ(tc_load_unload(tc, false, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_test_unit_ready(tc, &r), 0);
	CHECK(tc_check(&r, 0x2, 0x3a, 0x00));     /* unloaded: medium not present */
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	wl_move(tc, DRIVE, slot);
	CHECK_EQ(wl_find_barcode(tc, BARCODE), slot);
}

/* Reads everything back: SPACE to file 3, verify, READ POSITION, LOCATE to file 2,
 * verify, then every file from the start. */
static void verify(struct tc *tc, unsigned gen)
{
	struct tc_result r;
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	check_position(tc, 0, 0);
	CHECK_EQ(tc_space6(tc, TC_SPACE_FILEMARKS, 2, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	check_position(tc, wl_file_start(2), 2);
	wl_read_file(tc, gen, 2);
	check_position(tc, wl_file_start(3), 3);
	CHECK_EQ(tc_locate10(tc, (uint32_t)wl_file_start(1), &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	check_position(tc, wl_file_start(1), 1);
	wl_read_file(tc, gen, 1);
	CHECK_EQ(tc_rewind(tc, false, &r), 0);
	for (unsigned f = 0; f < WL_FILES; f++)
		wl_read_file(tc, gen, f);
	/* past the last filemark: end of data, BLANK CHECK 08/00/05 */
	uint8_t buf[512];
	CHECK_EQ(tc_read6(tc, false, false, sizeof buf, buf, sizeof buf, &r), 0);
	CHECK(tc_check(&r, 0x8, 0x00, 0x05));
	check_position(tc, wl_file_start(WL_FILES), WL_FILES);
}

static void workflow(const char *portal, unsigned gen)
{
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, portal, TARGET, 0, NULL), 0);
	uint16_t slot = load(tc);
	check_position(tc, 0, 0);
	wl_write_all(tc, gen);
	check_position(tc, wl_file_start(WL_FILES), WL_FILES);
	verify(tc, gen);
	unload_and_return(tc, slot);
	tc_close(tc);
}

/* After a crash: the tape still reads back what was written before the sync point. */
static void verify_only(const char *portal, unsigned gen)
{
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, portal, TARGET, 0, NULL), 0);
	uint16_t slot = load(tc);
	verify(tc, gen);
	unload_and_return(tc, slot);
	tc_close(tc);
}

int main(void)
{
	struct nodeproc np;
	const char *dir = tu_tmpdir("it-workflow");
	CHECK_EQ(nodeproc_configure(&np, dir,
				    "[library wl]\ndrives = 2\nslots = 10\nie_slots = 2\n"
				    "cartridges = 4\nbarcode_prefix = WL\ncapacity = 256M\n"), 0);
	CHECK_EQ(nodeproc_start(&np), 0);
	workflow(np.portal, 1);

	/* crash and restart: cartridges where they were moved, data byte-exact */
	CHECK_EQ(nodeproc_stop(&np, SIGKILL), 0);
	CHECK_EQ(nodeproc_start(&np), 0);
	verify_only(np.portal, 1);
	/* and the whole workflow again on the restarted node (overwrites from BOT) */
	workflow(np.portal, 2);
	CHECK_EQ(nodeproc_stop(&np, SIGKILL), 0);
	CHECK_EQ(nodeproc_start(&np), 0);
	verify_only(np.portal, 2);
	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	tu_rmtree(dir);
	printf("workflow: ok\n");
	return 0;
}
