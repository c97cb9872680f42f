#include "tests/integration/it_changer.h"

#include <stdio.h>

#include "tests/testutil.h"

#define IT_MAX_ELEMS 512

/* Every element of the library, in the changer's report order (by type, then address). */
static size_t it__elements(struct tc *tc, struct tc_elem *el)
{
	size_t n = 0;
	struct tc_result r;
	int back = tc_lun(tc);
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	CHECK_EQ(tc_elements(tc, el, IT_MAX_ELEMS, &n, &r), 0);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_use_lun(tc, back), 0);
	return n;
}

uint16_t it_drive_addr(struct tc *tc, int lun)
{
	static struct tc_elem el[IT_MAX_ELEMS];
	size_t n = it__elements(tc, el);
	int seen = 0;
	/* READ ELEMENT STATUS reports each type's elements in ascending address order */
	for (size_t i = 0; i < n; i++)
		if (el[i].type == TC_ELEM_DRIVE && ++seen == lun)
			return el[i].addr;
	return 0;
}

uint16_t it_full_slot(struct tc *tc)
{
	static struct tc_elem el[IT_MAX_ELEMS];
	size_t n = it__elements(tc, el);
	for (size_t i = 0; i < n; i++)
		if (el[i].type == TC_ELEM_STORAGE && el[i].full)
			return el[i].addr;
	return 0;
}

uint16_t it_load_drive(struct tc *tc, int lun)
{
	struct tc_result r;
	uint16_t drive = it_drive_addr(tc, lun);
	uint16_t slot = it_full_slot(tc);
	CHECK(drive != 0);
	CHECK(slot != 0);
	CHECK_EQ(tc_use_lun(tc, 0), 0);
	CHECK_EQ(tc_move_medium(tc, 0, slot, drive, &r), 0);
	if (r.status != TC_GOOD)
		fprintf(stderr, "MOVE 0x%04x -> 0x%04x: status %d sense %x/%02x/%02x\n", slot,
			drive, r.status, r.sense.key, r.sense.asc, r.sense.ascq);
	CHECK_EQ(r.status, TC_GOOD);
	CHECK_EQ(tc_use_lun(tc, lun), 0);
	CHECK_EQ(tc_wait_ready(tc, 5000, &r), 0);
	return slot;
}
