/* tc_smc.c - one-call helpers for SMC-3 media changer commands: build the CDB
 * (tc_cdb.c), send it (tc_cmd), fill the result; tc_elements also parses the element
 * status report (tc_parse.c).
 *
 * Concurrency: see tclient.h (one thread per struct tc). */
#include <errno.h>
#include <stdlib.h>

#include "tests/client/tc_int.h"

/* Big enough for thousands of elements with both volume tags and a device identifier;
 * the 24-bit allocation length caps it at 16 MiB anyway. */
#define TC_ELEMENTS_BUF (1u << 20)

int tc_read_element_status(struct tc *tc, bool voltag, enum tc_elem_type type, uint16_t start,
			   uint16_t count, bool dvcid, void *buf, uint32_t cap,
			   struct tc_result *res)
{
	return tc__send(tc, tc_cdb_read_element_status(voltag, type, start, count, false, dvcid,
						       cap),
			TC_DIR_READ, NULL, 0, buf, cap, res);
}

/* One request per element type rather than one for all: simpler reports, and Linux tgt
 * 1.0.85 lays out the all-types report with overlapping pages. */
int tc_elements(struct tc *tc, struct tc_elem *out, size_t max, size_t *n,
		struct tc_result *res)
{
	uint8_t *buf = malloc(TC_ELEMENTS_BUF);
	int rc = -ENOMEM;

	*n = 0;
	if (!buf)
		return rc;
	rc = 0;
	for (int type = TC_ELEM_TRANSPORT; type <= TC_ELEM_DRIVE && rc == 0; type++) {
		size_t got = 0;
		rc = tc_read_element_status(tc, true, (enum tc_elem_type)type, 0, 0xffff, true,
					    buf, TC_ELEMENTS_BUF, res);
		if (rc || !tc_good(res))
			break;
		rc = tc_elem_parse(buf, res->data_in_len, out + *n, max - *n, &got);
		*n += got;
	}
	if (rc == 0 && !tc_good(res))
		*n = 0;
	free(buf);
	return rc;
}

int tc_move_medium(struct tc *tc, uint16_t transport, uint16_t src, uint16_t dst,
		   struct tc_result *res)
{
	return tc__send(tc, tc_cdb_move_medium(transport, src, dst, false), TC_DIR_NONE, NULL,
			0, NULL, 0, res);
}

int tc_initialize_element_status(struct tc *tc, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_initialize_element_status(), TC_DIR_NONE, NULL, 0, NULL, 0,
			res);
}

int tc_position_to_element(struct tc *tc, uint16_t transport, uint16_t dst,
			   struct tc_result *res)
{
	return tc__send(tc, tc_cdb_position_to_element(transport, dst, false), TC_DIR_NONE,
			NULL, 0, NULL, 0, res);
}

int tc_prevent_allow(struct tc *tc, bool prevent, struct tc_result *res)
{
	return tc__send(tc, tc_cdb_prevent_allow(prevent ? 1 : 0), TC_DIR_NONE, NULL, 0, NULL,
			0, res);
}

int tc_open_close_ie(struct tc *tc, uint16_t element, enum tc_ie_action action,
		     struct tc_result *res)
{
	return tc__send(tc, tc_cdb_open_close_ie(element, action), TC_DIR_NONE, NULL, 0, NULL,
			0, res);
}
