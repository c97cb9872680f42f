/* smc.c - the media changer device type (SMC-3): its opcode table and mode pages.
 *
 * What is emulated: one medium transport (0x0001), the drives (0x0100 + i), import/export
 * slots (0x0300 + i) and storage slots (0x0400 + i) of lib.h, with an exact inventory (no
 * scan is ever needed). Commands: READ ELEMENT STATUS, MOVE MEDIUM, POSITION TO ELEMENT,
 * INITIALIZE ELEMENT STATUS (WITH RANGE), PREVENT ALLOW MEDIUM REMOVAL, OPEN/CLOSE
 * IMPORT/EXPORT ELEMENT and the SPC-4 set. EXCHANGE MEDIUM and REQUEST VOLUME ELEMENT
 * ADDRESS are not supported (empty slots: INVALID COMMAND OPERATION CODE).
 *
 * Mode pages (SMC-3 7.3): 1Dh element address assignment, 1Eh transport geometry, 1Fh
 * device capabilities; none is changeable.
 *
 * Concurrency: every changer command runs under the changer's lock (lib->lus[0].lock),
 * which guards the element map, lib->prevent and lib->ie_open; a command that reads or
 * moves a drive's cartridge also takes that drive's lock, after the changer's (lib.h). */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/smc_int.h"

#define UA_OK SCSI_OP_UA_OK
#define CONFLICT_OK SCSI_OP_CONFLICT_OK
#define PR_READ SCSI_OP_PR_READ

#define CTL 0x04        /* control byte usage: NACA is evaluated (and rejected) */

/* Flags: SPC-4 5.12.3 table 61 (commands allowed under reservations); READ ELEMENT
 * STATUS and MODE SENSE only read, so a write exclusive holder lets others look.
 * Usage data (SPC-4 6.35.3): the CDB bits each handler evaluates; every other bit is
 * reserved and refused (spc__cdb_ok). */
static const struct scsi_op smc__ops[256] = {
	[OP_TEST_UNIT_READY] = {"TEST UNIT READY", spc_test_unit_ready, 6, CONFLICT_OK,
				{0x00, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_REQUEST_SENSE] = {"REQUEST SENSE", spc_request_sense, 6, UA_OK | CONFLICT_OK,
			      {0x03, 0x01, 0, 0, 0xff, CTL}, NULL, 0},
	[OP_INITIALIZE_ELEMENT_STATUS] = {"INITIALIZE ELEMENT STATUS", smc__init_element_status, 6, 0,
					  {0x07, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_INQUIRY] = {"INQUIRY", spc_inquiry, 6, UA_OK | CONFLICT_OK,
			{0x12, 0x01, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_MODE_SELECT_6] = {"MODE SELECT(6)", spc_mode_select6, 6, 0, {0x15, 0x11, 0, 0, 0xff, CTL}, NULL, 0},
	[OP_RESERVE_6] = {"RESERVE(6)", spc_reserve, 6, 0, {0x16, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_RELEASE_6] = {"RELEASE(6)", spc_release, 6, CONFLICT_OK, {0x17, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_MODE_SENSE_6] = {"MODE SENSE(6)", spc_mode_sense6, 6, PR_READ,
			     {0x1a, 0x08, 0xff, 0xff, 0xff, CTL}, NULL, 0},
	[OP_OPEN_CLOSE_IE_ELEMENT] = {"OPEN/CLOSE IMPORT/EXPORT ELEMENT", smc__open_close_ie, 6, 0,
				      {0x1b, 0, 0xff, 0xff, 0x1f, CTL}, NULL, 0},
	[OP_PREVENT_ALLOW] = {"PREVENT ALLOW MEDIUM REMOVAL", smc__prevent_allow, 6, 0,
			      {0x1e, 0, 0, 0, 0x03, CTL}, NULL, 0},
	[OP_POSITION_TO_ELEMENT] = {"POSITION TO ELEMENT", smc__position_to_element, 10, 0,
				    {0x2b, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, CTL}, NULL, 0},
	[OP_INITIALIZE_ELEMENT_STATUS_RANGE] = {"INITIALIZE ELEMENT STATUS WITH RANGE",
						smc__init_element_status_range, 10, 0,
						{0x37, 0x03, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, CTL}, NULL, 0},
	[OP_MODE_SELECT_10] = {"MODE SELECT(10)", spc_mode_select10, 10, 0,
			       {0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	[OP_RESERVE_10] = {"RESERVE(10)", spc_reserve, 10, 0, {0x56, 0, 0, 0, 0, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_RELEASE_10] = {"RELEASE(10)", spc_release, 10, CONFLICT_OK,
			   {0x57, 0, 0, 0, 0, 0, 0, 0, 0, CTL}, NULL, 0},
	[OP_MODE_SENSE_10] = {"MODE SENSE(10)", spc_mode_sense10, 10, PR_READ,
			      {0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, CTL}, NULL, 0},
	/* service actions: routed by spc_pr_in / spc_pr_out / spc_maintenance_in, whose
	 * tables also answer REPORT SUPPORTED OPERATION CODES */
	[OP_PERSISTENT_RESERVE_IN] = {"PERSISTENT RESERVE IN", spc_pr_in, 10, CONFLICT_OK, {0x5e}, NULL, 0},
	[OP_PERSISTENT_RESERVE_OUT] = {"PERSISTENT RESERVE OUT", spc_pr_out, 10, CONFLICT_OK, {0x5f}, NULL, 0},
	[OP_REPORT_LUNS] = {"REPORT LUNS", spc_report_luns, 12, UA_OK | CONFLICT_OK,
			    {0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, CTL}, NULL, 0},
	[OP_MAINTENANCE_IN] = {"MAINTENANCE IN", spc_maintenance_in, 12, CONFLICT_OK, {0xa3}, NULL, 0},
	[OP_MOVE_MEDIUM] = {"MOVE MEDIUM", smc__move_medium, 12, 0,
			    {0xa5, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, CTL}, NULL, 0},
	[OP_READ_ELEMENT_STATUS] = {"READ ELEMENT STATUS", smc__read_element_status, 12, PR_READ,
				    {0xb8, 0x1f, 0xff, 0xff, 0xff, 0xff, 0x03, 0xff, 0xff, 0xff, 0, CTL}, NULL, 0},
};

/* 1Dh element address assignment (SMC-3 7.3.4) */
static void smc__page_eaa(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	const struct lib_config *c = &t->lib->cfg;
	if (pc == 1)
		return;                 /* changeable: nothing */
	put_be16(&b[2], LIB_ADDR_TRANSPORT);
	put_be16(&b[4], 1);
	put_be16(&b[6], LIB_ADDR_SLOT0);
	put_be16(&b[8], c->slots);
	put_be16(&b[10], LIB_ADDR_IE0);
	put_be16(&b[12], c->ie_slots);
	put_be16(&b[14], LIB_ADDR_DRIVE0);
	put_be16(&b[16], c->drives);
}

/* 1Eh transport geometry (SMC-3 7.3.6): one transport, no rotation, member 0 */
static void smc__page_geometry(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	(void)t, (void)pc, (void)b;
}

/* 1Fh device capabilities (SMC-3 7.3.5): storage, import/export and drives hold media
 * and can be sources and destinations of MOVE MEDIUM; the transport is neither (it is
 * only named as the robot doing a move); no EXCHANGE MEDIUM. */
static void smc__page_caps(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	(void)t;
	if (pc == 1)
		return;
	b[2] = 0x0e;                    /* StorDT StorI/E StorST */
	b[4] = 0x00;                    /* from MT */
	b[5] = 0x0e;                    /* from ST: to DT, I/E, ST */
	b[6] = 0x0e;                    /* from I/E */
	b[7] = 0x0e;                    /* from DT */
}

static const struct scsi_mode_page smc__pages[] = {
	{0x1d, 0, 20, smc__page_eaa, NULL},
	{0x1e, 0, 4, smc__page_geometry, NULL},
	{0x1f, 0, 20, smc__page_caps, NULL},
};

const struct scsi_devtype smc_devtype = {
	.name = "changer",
	.peripheral_type = 0x08,
	.ops = smc__ops,
	.pages = smc__pages,
	.n_pages = sizeof smc__pages / sizeof smc__pages[0],
};

struct lib_elem *smc__medium_elem(struct lib *lib, uint16_t addr)
{
	struct lib_elem *e = lib_elem(lib, addr);
	return e && e->type != LIB_ELEM_TRANSPORT ? e : NULL;
}
