/* sense.c - building fixed-format sense data (SPC-4 4.5.3). Descriptor format is never
 * produced: tape initiators (st, backup software) parse fixed sense for FILEMARK, EOM,
 * ILI and INFORMATION. */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/scsi_int.h"

#define SENSE__FIXED_LEN 18

uint8_t scsi_sense_build(uint8_t *buf, uint8_t key, uint16_t asc_ascq)
{
	memset(buf, 0, SENSE__FIXED_LEN);
	buf[0] = 0x70;                  /* current error, fixed format */
	buf[2] = key & 0x0f;
	buf[7] = SENSE__FIXED_LEN - 8;  /* additional sense length */
	buf[12] = (uint8_t)(asc_ascq >> 8);
	buf[13] = (uint8_t)asc_ascq;
	return SENSE__FIXED_LEN;
}

void scsi_sense(struct scsi_cmd *cmd, uint8_t key, uint16_t asc_ascq)
{
	cmd->status = SAM_STAT_CHECK_CONDITION;
	cmd->sense_len = scsi_sense_build(cmd->sense, key, asc_ascq);
}

void scsi_sense_tape(struct scsi_cmd *cmd, uint8_t key, uint16_t asc_ascq, uint8_t flags,
		     bool info_valid, int64_t info)
{
	scsi_sense(cmd, key, asc_ascq);
	cmd->sense[2] |= flags & (SENSE_FLAG_FILEMARK | SENSE_FLAG_EOM | SENSE_FLAG_ILI);
	if (info_valid) {
		/* INFORMATION is a 4-byte two's complement value (SSC-4 4.2.x residues) */
		cmd->sense[0] |= 0x80;
		put_be32(&cmd->sense[3], (uint32_t)(int32_t)info);
	}
}

void scsi_sense_field(struct scsi_cmd *cmd, bool in_cdb, uint16_t byte, int bit)
{
	scsi_sense(cmd, SENSE_ILLEGAL_REQUEST,
		   in_cdb ? ASC_INVALID_FIELD_IN_CDB : ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* sense-key specific: SKSV, C/D, BPV + bit pointer, field pointer (SPC-4 4.5.2.4.2) */
	uint8_t sks = 0x80;
	if (in_cdb)
		sks |= 0x40;
	if (bit >= 0 && bit < 8)
		sks |= 0x08 | (uint8_t)bit;
	cmd->sense[15] = sks;
	put_be16(&cmd->sense[16], byte);
}
