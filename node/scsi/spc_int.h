/* spc_int.h - what the SPC and SMC files of node/scsi share beyond scsi_int.h: the
 * Data-In writer for reports whose size is only known once written, the service-action
 * handlers of MAINTENANCE IN, and small lookups on the opcode tables.
 *
 * Concurrency: everything here runs inside a command, under the LU's lock (scsi_exec). */
#ifndef VTL_NODE_SCSI_SPC_INT_H
#define VTL_NODE_SCSI_SPC_INT_H

#include "node/scsi/scsi_int.h"

/* A Data-In writer that writes straight into the transport's buffer and counts every
 * byte produced, kept or not. Reports such as READ ELEMENT STATUS or READ FULL STATUS
 * carry the length of the whole report in their header even when the allocation length
 * cuts them (SPC-4 4.2.5.6, SMC-3 6.11): write the report, patch the header with
 * spc__wb_at(), and finish with spc__wb_done(). */
struct spc_wb {
	uint8_t *p;                     /* cmd->data_in (may be NULL) */
	uint32_t cap;                   /* min(allocation length, data_in_cap) */
	uint32_t alloc;                 /* the CDB's allocation length */
	uint64_t len;                   /* bytes produced so far */
};

void spc__wb_init(struct spc_wb *w, struct scsi_task *t, uint32_t alloc_len);
void spc__wb_put(struct spc_wb *w, const void *src, size_t n);
/* Rewrites n bytes at offset off (already produced); bytes past cap are dropped. */
void spc__wb_at(struct spc_wb *w, uint64_t off, const void *src, size_t n);
/* Sets data_in_len and implied_len (= min(produced, allocation length)) and GOOD. */
void spc__wb_done(struct spc_wb *w, struct scsi_task *t);

/* CDB usage data of the control byte: NACA is evaluated (and rejected, scsi.c). */
#define SPC_CTL 0x04

/* SPC-4 4.3.2: a reserved CDB bit that is set ends the command in INVALID FIELD IN CDB
 * with a pointer to it. Reserved is what the table's CDB usage data (of the op, or of
 * its service action) does not list, so the table stays the one definition of the CDB.
 * Bytes 0 and the control byte are the dispatcher's. False after setting the sense. */
bool spc__cdb_ok(struct scsi_task *t);

/* MAINTENANCE IN service actions (spc.c, spc_rsoc.c) */
scsi_handler_fn spc__report_tpgs, spc__rsoc;

/* The service actions of an op, whether the table routes them through the dispatcher
 * (SCSI_OP_SA) or points at one of the spc_pr_in / spc_pr_out / spc_maintenance_in
 * routers. Returns the count (0: the op has no service actions). */
uint8_t spc__op_sa(const struct scsi_op *op, const struct scsi_sa_op **sa);

/* Looks sa up in a service action table; NULL if absent. */
const struct scsi_sa_op *spc__sa_find(const struct scsi_sa_op *tab, uint8_t n, uint8_t sa);

/* True when this nexus holds the persistent reservation (spc_pr.c; all registrants hold
 * an all-registrants type reservation, SPC-4 5.12.10). */
bool spc__pr_is_holder(const struct lib_lu *lu, const struct lib_nexus *nx);
/* True for the all-registrants types WE-AR and EA-AR. */
bool spc__pr_type_all_reg(uint8_t type);
/* True for the registrants-only types WE-RO and EA-RO. */
bool spc__pr_type_reg_only(uint8_t type);

/* The 0x83 NAA designator of a LU: 16 bytes (spc_inquiry.c). */
void spc__naa(const struct lib *lib, uint64_t lun, uint8_t out[16]);
/* Unit serial number of the changer (VPD 0x80): NUL-terminated, at most 31 chars. */
void spc__changer_serial(const struct lib *lib, char out[32]);

#endif
