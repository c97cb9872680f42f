/* integration.iscsi_tools: libiscsi's own command-line tools (iscsi-ls, iscsi-inq 1.19)
 * against a real vtl-node serving TWO libraries. Proves that an initiator that knows
 * nothing of this project discovers both targets over SendTargets, finds the changer at
 * LUN 0 and the drives at LUNs 1..N with the right peripheral device types, sees which
 * drive holds a cartridge, and reads the identity VPD pages (0x00, 0x80, 0x83) with the
 * configured vendor and product and a serial number unique to each logical unit.
 *
 * Every mismatch is reported (with the tool's full output in the log) before the test
 * fails, so one run shows everything that is wrong. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/client/tclient.h"
#include "tests/integration/it_changer.h"
#include "tests/integration/it_expect.h"
#include "tests/integration/it_run.h"
#include "tests/integration/nodeproc.h"
#include "tests/testutil.h"

#ifndef ISCSI_LS
#error "ISCSI_LS and ISCSI_INQ must name libiscsi's tools"
#endif

#define IQN "iqn.2026-11.io.vtl"
#define TOOL_TIMEOUT_S 20

struct lib_spec {
	const char *name;
	int drives;
	const char *cvendor, *cproduct, *dvendor, *dproduct;
};

static const struct lib_spec libs[2] = {
	{"alpha", 2, "IBM", "03584L32", "IBM", "ULT3580-TD8"},
	{"beta", 3, "STK", "L700", "HP", "Ultrium 6-SCSI"},
};

static const char config[] =
	"[library alpha]\ndrives = 2\nslots = 8\nie_slots = 1\ncartridges = 2\n"
	"barcode_prefix = AL\ncapacity = 64M\n"
	"changer_vendor = IBM\nchanger_product = 03584L32\nchanger_revision = 0100\n"
	"drive_vendor = IBM\ndrive_product = ULT3580-TD8\ndrive_revision = Q380\n\n"
	"[library beta]\ndrives = 3\nslots = 6\nie_slots = 1\ncartridges = 1\n"
	"barcode_prefix = BE\ncapacity = 64M\n"
	"changer_vendor = STK\nchanger_product = L700\nchanger_revision = 0105\n"
	"drive_vendor = HP\ndrive_product = Ultrium 6-SCSI\ndrive_revision = 35GD\n";

static void expect_line(const char *out, const char *line, const char *what)
{
	IT_EXPECT(it_count_lines(out, line) == 1, "%s: want exactly one line \"%s\"", what, line);
}

/* The part of iscsi-ls output that belongs to one target: from its "Target:" line to the
 * next one. NULL if the target is not listed. Caller frees. */
static char *ls_block(const char *out, const char *target)
{
	char head[256];
	snprintf(head, sizeof head, "Target:%s Portal:", target);
	const char *p = strstr(out, head);
	if (!p || (p != out && p[-1] != '\n'))
		return NULL;
	const char *body = strchr(p, '\n');
	body = body ? body + 1 : p + strlen(p);
	const char *end = strstr(body, "\nTarget:");
	size_t len = end ? (size_t)(end - body) + 1 : strlen(body);
	char *b = malloc(len + 1);
	CHECK(b != NULL);
	memcpy(b, body, len);
	b[len] = '\0';
	return b;
}

/* iscsi-ls without -s, and with --url: exactly the two targets, on our portal. */
static void check_discovery(const char *portal)
{
	char url[128];
	snprintf(url, sizeof url, "iscsi://%s", portal);
	struct it_run r;
	char *plain[] = {ISCSI_LS, url, NULL};
	CHECK_EQ(it_run(&r, plain, NULL, TOOL_TIMEOUT_S, true), 0);
	IT_EXPECT(r.status == 0, "iscsi-ls exit %d, want 0", r.status);
	IT_EXPECT(it_count_prefix(r.out, "Target:") == 2, "iscsi-ls: want 2 targets");
	for (int i = 0; i < 2; i++) {
		char want[256];
		snprintf(want, sizeof want, "Target:%s:%s Portal:%s,", IQN, libs[i].name, portal);
		IT_EXPECT(it_count_prefix(r.out, want) == 1, "iscsi-ls: want one \"%s<tpgt>\"", want);
	}
	it_run_free(&r);

	char *urls[] = {ISCSI_LS, "--url", url, NULL};
	CHECK_EQ(it_run(&r, urls, NULL, TOOL_TIMEOUT_S, true), 0);
	IT_EXPECT(r.status == 0, "iscsi-ls --url exit %d, want 0", r.status);
	for (int i = 0; i < 2; i++) {
		char want[256];
		snprintf(want, sizeof want, "iscsi://%s/%s:%s/0", portal, IQN, libs[i].name);
		expect_line(r.out, want, "iscsi-ls --url");
	}
	it_run_free(&r);
}

/* iscsi-ls -s: per target, LUN 0 the changer and one SEQUENTIAL_ACCESS LUN per drive;
 * only alpha's LUN 1 holds a cartridge (loaded by main), every other drive says so. */
static void check_show_luns(const char *portal)
{
	char url[128];
	snprintf(url, sizeof url, "iscsi://%s", portal);
	struct it_run r;
	char *argv[] = {ISCSI_LS, "-s", url, NULL};
	CHECK_EQ(it_run(&r, argv, NULL, TOOL_TIMEOUT_S, true), 0);
	IT_EXPECT(r.status == 0, "iscsi-ls -s exit %d, want 0", r.status);
	for (int i = 0; i < 2; i++) {
		char target[128], want[128];
		snprintf(target, sizeof target, "%s:%s", IQN, libs[i].name);
		char *b = ls_block(r.out, target);
		IT_EXPECT(b != NULL, "iscsi-ls -s: target %s not listed", target);
		if (!b)
			continue;
		IT_EXPECT(it_count_prefix(b, "Lun:") == (size_t)libs[i].drives + 1,
		       "iscsi-ls -s %s: %zu LUN lines, want %d", target,
		       it_count_prefix(b, "Lun:"), libs[i].drives + 1);
		snprintf(want, sizeof want, "Lun:%-4d Type:%s", 0, "MEDIA_CHANGER");
		expect_line(b, want, target);
		for (int lun = 1; lun <= libs[i].drives; lun++) {
			bool loaded = i == 0 && lun == 1;
			snprintf(want, sizeof want, "Lun:%-4d Type:SEQUENTIAL_ACCESS%s", lun,
				 loaded ? "" : " (No media loaded)");
			expect_line(b, want, target);
		}
		free(b);
	}
	it_run_free(&r);
}

/* Runs iscsi-inq on one LUN with extra arguments; returns its output (caller frees). */
static char *inq(const char *portal, const char *lib, int lun, const char *evpd,
		 const char *page)
{
	char url[256];
	snprintf(url, sizeof url, "iscsi://%s/%s:%s/%d", portal, IQN, lib, lun);
	char *std[] = {ISCSI_INQ, url, NULL};
	/* iscsi-inq 1.19 reads -c with atoi(): pages must be given in decimal */
	char *vpd[] = {ISCSI_INQ, "-e", (char *)evpd, "-c", (char *)page, url, NULL};
	struct it_run r;
	CHECK_EQ(it_run(&r, evpd ? vpd : std, NULL, TOOL_TIMEOUT_S, true), 0);
	IT_EXPECT(r.status == 0, "iscsi-inq %s%s%s: exit %d, want 0", url, evpd ? " page " : "",
	       evpd ? page : "", r.status);
	return r.out;
}

/* Standard INQUIRY, VPD 0x00, 0x80 and 0x83 on one LUN; the serial goes to serial[]. */
static void check_lun(const char *portal, const struct lib_spec *l, int lun, char serial[64])
{
	char what[128], want[256];
	bool changer = lun == 0;
	const char *vendor = changer ? l->cvendor : l->dvendor;
	const char *product = changer ? l->cproduct : l->dproduct;
	const char *type = changer ? "MEDIA_CHANGER" : "SEQUENTIAL_ACCESS";
	snprintf(what, sizeof what, "iscsi-inq %s/%d", l->name, lun);

	char *out = inq(portal, l->name, lun, NULL, NULL);
	expect_line(out, "Peripheral Qualifier:CONNECTED", what);
	snprintf(want, sizeof want, "Peripheral Device Type:%s", type);
	expect_line(out, want, what);
	expect_line(out, "Removable:1", what);
	snprintf(want, sizeof want, "Vendor:%s", vendor);
	expect_line(out, want, what);
	snprintf(want, sizeof want, "Product:%s", product);
	expect_line(out, want, what);
	free(out);

	out = inq(portal, l->name, lun, "1", "0");
	expect_line(out, "Page:0x00 SUPPORTED_VPD_PAGES", what);
	expect_line(out, "Page:0x80 UNIT_SERIAL_NUMBER", what);
	expect_line(out, "Page:0x83 DEVICE_IDENTIFICATION", what);
	free(out);

	out = inq(portal, l->name, lun, "1", "128");
	serial[0] = '\0';
	const char *s = strstr(out, "Unit Serial Number:[");
	if (s && sscanf(s, "Unit Serial Number:[%63[^]]]", serial) != 1)
		serial[0] = '\0';
	IT_EXPECT(serial[0] != '\0', "%s: no unit serial number", what);
	free(out);

	/* device identification: NAA and T10 vendor id designators of the logical unit;
	 * the T10 one carries the vendor and the unit serial number */
	out = inq(portal, l->name, lun, "1", "131");
	expect_line(out, "Page Code:(0x83) DEVICE_IDENTIFICATION", what);
	snprintf(want, sizeof want, "Peripheral Device Type:%s", type);
	expect_line(out, want, what);
	expect_line(out, "Designator Type:(3) NAA", what);
	expect_line(out, "Designator Type:(1) T10_VENDORT_ID", what);
	snprintf(want, sizeof want, "Designator:[%-8s", vendor);
	const char *t10 = strstr(out, want);
	const char *end = t10 ? strchr(t10, ']') : NULL;
	size_t sl = strlen(serial);
	IT_EXPECT(end && sl && (size_t)(end - t10) >= sl && !memcmp(end - sl, serial, sl),
	       "%s: T10 vendor id designator \"%s...\" must end with the serial %s", what, want,
	       serial);
	free(out);
}

static void check_identities(const char *portal)
{
	char serials[8][64];
	int n = 0;
	for (int i = 0; i < 2; i++)
		for (int lun = 0; lun <= libs[i].drives; lun++)
			check_lun(portal, &libs[i], lun, serials[n++]);
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++)
			IT_EXPECT(strcmp(serials[a], serials[b]) != 0,
			       "unit serial %s reported by two logical units", serials[a]);
}

int main(void)
{
	struct nodeproc np;
	const char *dir = tu_tmpdir("it-iscsi-tools");
	CHECK_EQ(nodeproc_configure(&np, dir, config), 0);
	CHECK_EQ(nodeproc_start(&np), 0);

	/* a cartridge in alpha's first drive, so iscsi-ls has one ready drive to show */
	struct tc *tc = NULL;
	CHECK_EQ(tc_connect(&tc, np.portal, IQN ":alpha", 0, NULL), 0);
	it_load_drive(tc, 1);
	tc_close(tc);

	check_discovery(np.portal);
	check_identities(np.portal);
	check_show_luns(np.portal);

	CHECK_EQ(nodeproc_stop(&np, SIGTERM), 0);
	char log[PATH_MAX + 16];
	snprintf(log, sizeof log, "%s/node.log", dir);
	IT_EXPECT(it_sanitizer_reports(log) == 0, "sanitizer reports in %s", log);
	if (it_expect_failures()) {
		fprintf(stderr, "iscsi_tools: %d expectation(s) failed; node dir kept: %s\n",
			it_expect_failures(), dir);
		return 1;
	}
	tu_rmtree(dir);
	printf("iscsi_tools: ok\n");
	return 0;
}
