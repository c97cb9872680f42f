/* smc_int.h - the changer's handlers, shared between its table (smc.c) and the files
 * that implement them (smc_res.c, smc_move.c). Not for use outside node/scsi. */
#ifndef VTL_NODE_SCSI_SMC_INT_H
#define VTL_NODE_SCSI_SMC_INT_H

#include "node/scsi/scsi_int.h"

/* READ ELEMENT STATUS (smc_res.c) */
scsi_handler_fn smc__read_element_status;
/* MOVE MEDIUM, POSITION TO ELEMENT, INITIALIZE ELEMENT STATUS (WITH RANGE), PREVENT
 * ALLOW MEDIUM REMOVAL, OPEN/CLOSE IMPORT/EXPORT ELEMENT (smc_move.c) */
scsi_handler_fn smc__move_medium, smc__position_to_element, smc__init_element_status,
	smc__init_element_status_range, smc__prevent_allow, smc__open_close_ie;

/* The element at addr that can hold a cartridge (storage, import/export, drive); NULL
 * for the transport element or an address no element has. */
struct lib_elem *smc__medium_elem(struct lib *lib, uint16_t addr);

#endif
