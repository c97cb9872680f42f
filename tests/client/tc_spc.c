/* tc_spc.c - one-call helpers for the SPC-4 commands tests send to any LUN (tape drive
 * or changer): build the CDB (tc_cdb.c), send it (tc_cmd), fill the result.
 *
 * Concurrency: see tclient.h (one thread per struct tc). */
#include "tests/client/tc_int.h"

int tc_test_unit_ready(struct tc *tc, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_test_unit_ready(), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_inquiry(struct tc *tc, bool evpd, uint8_t page, void *buf, uint16_t cap,
	       struct tc_result *res)
{
	return tc__send(tc, tc_cdb_inquiry(evpd, page, cap), TC_DIR_READ, NULL, 0, buf, cap,
			res);
}

int tc_request_sense(struct tc *tc, bool desc, void *buf, uint8_t cap, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_request_sense(desc, cap), TC_DIR_READ, NULL, 0, buf, cap,
			res);
}

int tc_mode_sense6(struct tc *tc, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
		   void *buf, uint8_t cap, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_mode_sense6(dbd, pc, page, subpage, cap), TC_DIR_READ, NULL,
			0, buf, cap, res);
}

int tc_mode_sense10(struct tc *tc, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
		    void *buf, uint16_t cap, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_mode_sense10(false, dbd, pc, page, subpage, cap),
			TC_DIR_READ, NULL, 0, buf, cap, res);
}

int tc_mode_select6(struct tc *tc, bool pf, bool sp, const void *param, uint8_t len,
		    struct tc_result *res)
{
	return tc__send(tc, tc_cdb_mode_select6(pf, sp, len),
			len ? TC_DIR_WRITE : TC_DIR_NONE, param, len, NULL, 0, res);
}

int tc_log_sense(struct tc *tc, uint8_t pc, uint8_t page, uint8_t subpage, void *buf,
		 uint16_t cap, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_log_sense(false, false, pc, page, subpage, 0, cap),
			TC_DIR_READ, NULL, 0, buf, cap, res);
}

int tc_read_attribute(struct tc *tc, uint8_t service_action, uint16_t first_attr, void *buf,
		      uint32_t cap, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_read_attribute(service_action, 0, 0, first_attr, cap),
			TC_DIR_READ, NULL, 0, buf, cap, res);
}

int tc_reserve6(struct tc *tc, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_reserve6(), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_release6(struct tc *tc, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_release6(), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_report_luns(struct tc *tc, uint8_t select, void *buf, uint32_t cap,
		   struct tc_result *res)
{
	return tc__send(tc, tc_cdb_report_luns(select, cap), TC_DIR_READ, NULL, 0, buf, cap,
			res);
}
