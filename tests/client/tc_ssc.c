/* tc_ssc.c - one-call helpers for SSC-3 tape commands: build the CDB (tc_cdb.c), send
 * it (tc_cmd), fill the result, and for a few commands parse the reply (tc_parse.c).
 *
 * Concurrency: see tclient.h (one thread per struct tc). */
#include <errno.h>

#include "tests/client/tc_int.h"

int tc_read6(struct tc *tc, bool fixed, bool sili, uint32_t count, void *buf, uint32_t cap,
	     struct tc_result *res)
{
	return tc__send(tc, tc_cdb_read6(fixed, sili, count), TC_DIR_READ, NULL, 0, buf, cap,
			res);
}

int tc_write6(struct tc *tc, bool fixed, uint32_t count, const void *buf, uint32_t len,
	      struct tc_result *res)
{
	return tc__send(tc, tc_cdb_write6(fixed, count), TC_DIR_WRITE, buf, len, NULL, 0, res);
}

int tc_write_filemarks6(struct tc *tc, uint32_t count, bool immed, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_write_filemarks6(count, immed), TC_DIR_NONE, NULL, 0, NULL,
			0, res);
}

int tc_space6(struct tc *tc, enum tc_space_code code, int32_t count, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_space6(code, count), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_space16(struct tc *tc, enum tc_space_code code, int64_t count, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_space16(code, count), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_rewind(struct tc *tc, bool immed, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_rewind(immed), TC_DIR_NONE, NULL, 0, NULL, 0, res);
}

int tc_locate10(struct tc *tc, uint32_t object, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_locate10(false, false, false, object, 0), TC_DIR_NONE, NULL,
			0, NULL, 0, res);
}

int tc_locate16(struct tc *tc, uint64_t object, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_locate16(0, false, false, 0, object), TC_DIR_NONE, NULL, 0,
			NULL, 0, res);
}

int tc_read_position(struct tc *tc, enum tc_rp_form form, struct tc_position *pos,
		     struct tc_result *res)
{
	uint8_t buf[32] = {0};
	uint32_t cap = form == TC_RP_LONG ? 32 : 20;
	int rc = tc__send(tc, tc_cdb_read_position(form), TC_DIR_READ, NULL, 0, buf, cap, res);
	if (rc == 0 && tc_good(res) &&
	    tc_position_parse(form, buf, res->data_in_len, pos) != 0)
		rc = -EPROTO; /* GOOD but too short for its form: a target bug */
	return rc;
}

int tc_load_unload(struct tc *tc, bool load, bool immed, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_load_unload(immed, false, false, false, load), TC_DIR_NONE,
			NULL, 0, NULL, 0, res);
}

int tc_erase(struct tc *tc, bool long_erase, bool immed, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_erase6(immed, long_erase), TC_DIR_NONE, NULL, 0, NULL, 0,
			res);
}

int tc_read_block_limits(struct tc *tc, struct tc_block_limits *bl, struct tc_result *res)
{
	uint8_t buf[6] = {0};
	int rc = tc__send(tc, tc_cdb_read_block_limits(), TC_DIR_READ, NULL, 0, buf, 6, res);
	if (rc == 0 && tc_good(res) && tc_block_limits_parse(buf, res->data_in_len, bl) != 0)
		rc = -EPROTO;
	return rc;
}

int tc_report_density_support(struct tc *tc, bool media, void *buf, uint16_t cap,
			      struct tc_result *res)
{
	return tc__send(tc, tc_cdb_report_density_support(media, false, cap), TC_DIR_READ,
			NULL, 0, buf, cap, res);
}
