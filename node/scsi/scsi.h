/* scsi.h - SCSI emulation of a tape library: SPC-4 common commands, SSC-4 tape drives
 * (LUNs 1..N) and SMC-3 media changer (LUN 0). Pure logic on a struct lib: knows nothing
 * of iSCSI, nng, etcd or RocksDB.
 *
 * Concurrency: scsi_exec() may be called from any thread; it takes the LU's lock for the
 * whole command (commands to one LUN run one at a time, in arrival order). */
#ifndef VTL_NODE_SCSI_H
#define VTL_NODE_SCSI_H

#include <stdint.h>

#include "proto/scsi_cmd.h"

struct lib;

/* Executes cmd against lib and fills its response half. Never fails as a C function:
 * every problem is a SCSI status and sense in cmd. */
void scsi_exec(struct lib *lib, struct scsi_cmd *cmd);

/* Ends cmd with 05/25/00 LOGICAL UNIT NOT SUPPORTED: for a target that went away under a
 * logged-in session. */
void scsi_no_such_lun(struct scsi_cmd *cmd);

/* Task management the transport forwards (SAM-5 7): */
/* LOGICAL UNIT RESET: clears SPC-2 reservations, raises 29/03 for every other nexus. */
void scsi_lu_reset(struct lib *lib, uint64_t lun, const struct scsi_nexus *by);
/* TARGET WARM RESET: every LU of the library as above, with 29/02. */
void scsi_target_reset(struct lib *lib, const struct scsi_nexus *by);
/* I_T nexus loss (SAM-5 6.3.4): releases the nexus's SPC-2 reservations and forgets its
 * state on every LU; persistent reservation registrations survive it (SPC-4 5.12). */
void scsi_nexus_lost(struct lib *lib, const struct scsi_nexus *nexus);

#endif
