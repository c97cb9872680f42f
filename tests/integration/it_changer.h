/* it_changer.h - changer chores the tool-driven integration tests share: put a cartridge
 * in a drive before a test needs a ready tape LUN. Element addresses are discovered with
 * READ ELEMENT STATUS, never assumed; the n-th data transfer element in address order is
 * LUN n (SMC-3 leaves the mapping to the device; vtl-node documents this order). */
#ifndef VTL_TESTS_IT_CHANGER_H
#define VTL_TESTS_IT_CHANGER_H

#include <stdint.h>

#include "tests/client/tclient.h"

/* Address of the data transfer element of drive LUN `lun` (1..N); 0 if there is none. */
uint16_t it_drive_addr(struct tc *tc, int lun);
/* Address of the first full storage element, 0 if none (a full slot holds a cartridge). */
uint16_t it_full_slot(struct tc *tc);
/* MOVE MEDIUM from the first full slot into drive LUN `lun`, then waits (5 s) until that
 * LUN is ready. tc may be on any LUN of the library's target; it ends on `lun`. Returns the
 * slot the cartridge came from; any failure ends the test (CHECK). */
uint16_t it_load_drive(struct tc *tc, int lun);

#endif
