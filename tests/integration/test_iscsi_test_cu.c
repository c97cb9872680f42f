/* integration.iscsi_test_cu: libiscsi's conformance suite, iscsi-test-cu 1.19, against a
 * real vtl-node's tape drive LUN (with a cartridge loaded) and its changer LUN.
 *
 * iscsi-test-cu refuses to start unless READ CAPACITY(10) succeeds, which a tape drive or
 * changer rightly rejects; rc10_shim.so (LD_PRELOAD) answers only that start-up probe (see
 * rc10_shim.c). The test first proves the probe really fails without the shim, then runs
 * every selected test in its own iscsi-test-cu process and reads the CUnit "Run Summary".
 * Before each run a LOGICAL UNIT RESET (from tclient, not from the tool) clears what an
 * earlier test may have left on the LUN - e.g. a RESERVE(6) still held for a session that
 * is gone - so a failure is reported against the test that causes it, not the next ones.
 * A test passes when the tool exits 0, its summary says 1 run / 1 passed / 0 failed with no
 * failed assert, and it was not skipped by the tool unless the table says why it may be.
 *
 * The selection, and every test of the families left out with the reason, is documented in
 * docs/testing.md; keep the two in step. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iscsi/iscsi.h>

#include "tests/client/tclient.h"
#include "tests/integration/it_changer.h"
#include "tests/integration/it_expect.h"
#include "tests/integration/it_run.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

#ifndef RC10_SHIM
#error "RC10_SHIM must name the shim library"
#endif
#ifndef ISCSI_TEST_CU
#error "ISCSI_TEST_CU must name the iscsi-test-cu binary"
#endif

#define TARGET "iqn.2026-11.io.vtl:cu"
#define INITIATOR1 "iqn.2026-11.io.vtl:it-cu-1"
#define INITIATOR2 "iqn.2026-11.io.vtl:it-cu-2"
#define RUN_TIMEOUT_S 30
#define SHIM_LINE "rc10_shim: start-up READ CAPACITY(10) answered 05/20/00"

enum { ON_DRIVE = 1, ON_CHANGER = 2, ON_BOTH = 3 };

struct cu_test {
	const char *name;
	int where;
	const char *may_skip;   /* why the tool may skip it here; NULL: a skip is a failure */
};

static const struct cu_test tests[] = {
	{"SCSI.Inquiry.Standard", ON_BOTH, NULL},
	{"SCSI.Inquiry.AllocLength", ON_BOTH, NULL},
	{"SCSI.Inquiry.EVPD", ON_BOTH, NULL},
	{"SCSI.Inquiry.SupportedVPD", ON_BOTH, NULL},
	{"SCSI.Inquiry.VersionDescriptors", ON_BOTH, NULL},
	{"SCSI.ModeSense6.AllPages", ON_BOTH, NULL},
	{"SCSI.ModeSense6.Control", ON_DRIVE, NULL},
	{"SCSI.ModeSense6.Residuals", ON_BOTH, NULL},
	{"SCSI.TestUnitReady.Simple", ON_BOTH, NULL},
	{"SCSI.ReportSupportedOpcodes.Simple", ON_BOTH, NULL},
	{"SCSI.ReportSupportedOpcodes.OneCommand", ON_BOTH, NULL},
	{"SCSI.ReportSupportedOpcodes.RCTD", ON_BOTH, NULL},
	{"SCSI.ReportSupportedOpcodes.SERVACTV", ON_BOTH, NULL},
	{"SCSI.Reserve6.Simple", ON_BOTH, NULL},
	{"SCSI.Reserve6.2Initiators", ON_BOTH, NULL},
	{"SCSI.Reserve6.Logout", ON_BOTH, NULL},
	{"SCSI.Reserve6.ITNexusLoss", ON_BOTH, NULL},
	{"SCSI.Reserve6.TargetColdReset", ON_BOTH,
	 "TARGET COLD RESET is optional (RFC 7143 11.5.1) and vtl-node answers "
	 "'function not supported'"},
	{"SCSI.Reserve6.TargetWarmReset", ON_BOTH, NULL},
	{"SCSI.Reserve6.LUNReset", ON_BOTH, NULL},
	{"SCSI.PrinReadKeys.Simple", ON_BOTH, NULL},
	{"SCSI.PrinReadKeys.Truncate", ON_BOTH, NULL},
	{"SCSI.PrinServiceactionRange.Range", ON_BOTH, NULL},
	{"SCSI.PrinReportCapabilities.Simple", ON_BOTH, NULL},
	{"SCSI.ProutRegister.Simple", ON_BOTH, NULL},
	{"SCSI.ProutReserve.Simple", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipEA", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipWE", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipEARO", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipWERO", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipEAAR", ON_BOTH, NULL},
	{"SCSI.ProutReserve.OwnershipWEAR", ON_BOTH, NULL},
	{"SCSI.ProutClear.Simple", ON_BOTH, NULL},
	{"SCSI.ProutPreempt.RemoveRegistration", ON_BOTH, NULL},
	{"iSCSI.iSCSIcmdsn.iSCSICmdSnTooHigh", ON_BOTH, NULL},
	{"iSCSI.iSCSIcmdsn.iSCSICmdSnTooLow", ON_BOTH, NULL},
};

/* What one iscsi-test-cu run reported. */
struct cu_verdict {
	unsigned total, ran, passed, failed;    /* the "tests" row of the Run Summary */
	unsigned asserts_failed;
	bool summary, shim, skipped;
};

static void cu_parse(const char *out, struct cu_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->shim = strstr(out, SHIM_LINE) != NULL;
	/* what precedes the first suite is the tool's own start-up (probes of disk-only VPD
	 * pages and READ CAPACITY(16), which fail on tape by design): not part of a test */
	const char *suite = strstr(out, "\nSuite: ");
	v->skipped = suite && strstr(suite, "[SKIPPED]");
	const char *sum = suite ? strstr(suite, "Run Summary:") : NULL;
	const char *t = sum ? strstr(sum, " tests ") : NULL;
	const char *a = sum ? strstr(sum, " asserts ") : NULL;
	unsigned inactive, at, ar, ap;
	v->summary = t && a &&
		     sscanf(t, " tests %u %u %u %u %u", &v->total, &v->ran, &v->passed, &v->failed,
			    &inactive) == 5 &&
		     sscanf(a, " asserts %u %u %u %u", &at, &ar, &ap, &v->asserts_failed) == 4;
}

/* LOGICAL UNIT RESET: it releases SPC-2 RESERVE reservations (SAM-5 logical unit reset);
 * persistent reservations survive it, and iscsi-test-cu clears stale registrations itself
 * at start-up when given --dataloss. */
static void lun_reset(const char *portal, int lun)
{
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, portal, TARGET, lun, NULL), 0);
	CHECK_EQ(iscsi_task_mgmt_lun_reset_sync(tc_iscsi(tc), (uint32_t)lun), 0);
	tc_close(tc);
}

/* Runs one iscsi-test-cu test on one LUN; true if it passed. */
static bool cu_run(const char *portal, int lun, const struct cu_test *t)
{
	char url[256], shim[512];
	snprintf(url, sizeof url, "iscsi://%s/%s/%d", portal, TARGET, lun);
	snprintf(shim, sizeof shim, "LD_PRELOAD=%s", RC10_SHIM);
	char *argv[] = {ISCSI_TEST_CU, "--dataloss", "-i", INITIATOR1, "-I", INITIATOR2,
			"-t", (char *)t->name, url, NULL};
	char *env[] = {shim, NULL};
	struct it_run r;
	lun_reset(portal, lun);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(it_run(&r, argv, env, RUN_TIMEOUT_S, false), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct cu_verdict v;
	cu_parse(r.out, &v);
	bool ok = r.status == 0 && !r.timed_out && v.shim && v.summary && v.total == 1 &&
		  v.ran == 1 && v.passed == 1 && v.failed == 0 && v.asserts_failed == 0 &&
		  (!v.skipped || t->may_skip);
	printf("%-5s %-8s %5.2fs %s", ok ? "PASS" : "FAIL", lun ? "drive" : "changer", secs,
	       t->name);
	if (v.skipped)
		printf("  (skipped by the tool: %s)", t->may_skip ? t->may_skip : "not allowed here");
	printf("\n");
	if (!ok) {
		fprintf(stderr, "---- %s on LUN %d: exit %d%s, shim %s, summary %s "
				"(total %u ran %u passed %u failed %u, failed asserts %u)\n%s----\n",
			t->name, lun, r.status, r.timed_out ? " (timed out)" : "",
			v.shim ? "active" : "NOT ACTIVE", v.summary ? "parsed" : "MISSING", v.total,
			v.ran, v.passed, v.failed, v.asserts_failed, r.out);
	}
	fflush(stdout);
	it_run_free(&r);
	return ok;
}

/* Without the shim the tool must stop at its start-up READ CAPACITY(10): the node rejects
 * it as an SSC/SMC device should, so the shim is needed and is what makes the runs work. */
static void check_probe_fails_without_shim(const char *portal)
{
	char url[256];
	snprintf(url, sizeof url, "iscsi://%s/%s/1", portal, TARGET);
	char *argv[] = {ISCSI_TEST_CU, "-i", INITIATOR1, "-t", "SCSI.TestUnitReady.Simple", url,
			NULL};
	struct it_run r;
	CHECK_EQ(it_run(&r, argv, NULL, RUN_TIMEOUT_S, true), 0);
	CHECK(r.status != 0);
	CHECK_EQ(it_count_prefix(r.out, "READCAPACITY10 command: failed with sense."), 1);
	/* the tool's wording for CHECK CONDITION 05/20/00, INVALID COMMAND OPERATION CODE */
	CHECK_EQ(it_count_lines(r.out, "    [SKIPPED] READCAPACITY10 is not implemented."), 1);
	CHECK(strstr(r.out, "Run Summary:") == NULL);
	it_run_free(&r);
}

int main(void)
{
	struct nodeproc np;
	const char *dir = tu_tmpdir("it-iscsi-test-cu");
	CHECK_EQ(nodeproc_configure(&np, dir,
				    "[library cu]\ndrives = 1\nslots = 4\nie_slots = 1\n"
				    "cartridges = 2\nbarcode_prefix = CU\ncapacity = 64M\n"), 0);
	CHECK_EQ(nodeproc_start(&np), 0);

	/* TEST UNIT READY and the reservation tests need a ready drive */
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, np.portal, TARGET, 0, NULL), 0);
	it_load_drive(tc, 1);
	tc_close(tc);

	check_probe_fails_without_shim(np.portal);
	int failed = 0, ran = 0;
	for (int lun = 1; lun >= 0; lun--) {
		for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
			if (!(tests[i].where & (lun ? ON_DRIVE : ON_CHANGER)))
				continue;
			ran++;
			failed += !cu_run(np.portal, lun, &tests[i]);
		}
	}
	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	char log[PATH_MAX + 16];
	snprintf(log, sizeof log, "%s/node.log", dir);
	IT_EXPECT(it_sanitizer_reports(log) == 0, "sanitizer reports in %s", log);
	printf("iscsi_test_cu: %d of %d runs passed\n", ran - failed, ran);
	if (failed || it_expect_failures()) {
		fprintf(stderr, "iscsi_test_cu: %d run(s) failed; node dir kept: %s\n", failed, dir);
		return 1;
	}
	tu_rmtree(dir);
	return 0;
}
