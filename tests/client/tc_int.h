/* tc_int.h - helpers shared inside the test client module (not part of its API). */
#ifndef VTL_TESTS_CLIENT_TC_INT_H
#define VTL_TESTS_CLIENT_TC_INT_H

#include "tests/client/tclient.h"

/* tc_cmd with a built CDB (a CDB of len 0 is refused with -EINVAL). */
static inline int tc__send(struct tc *tc, struct tc_cdb c, enum tc_dir dir, const void *out,
			   uint32_t out_len, void *in, uint32_t in_cap, struct tc_result *res)
{
	return tc_cmd(tc, c.b, c.len, dir, out, out_len, in, in_cap, res);
}

#endif
