/* spc_inquiry.c - INQUIRY (SPC-4 6.6): standard data and the vital product data pages
 * 00h (supported pages), 80h (unit serial number) and 83h (device identification); other
 * pages come from the device type (0xB0 for drives, node/scsi/ssc*.c).
 *
 * Identity (DESIGN.md, "Device identity"): every identifier derives from the library's
 * persistent id, so an initiator logged in to two nodes sees the same logical unit behind
 * two target ports. Only the port designators (relative target port, target port group)
 * differ: they are the nexus's target portal group tag, one per node.
 *
 * Concurrency: runs under the LU's lock; reads only configuration and the library id,
 * which never change while the library is open. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/rd.h"
#include "node/scsi/spc_int.h"

/* IEEE company id in the NAA designators. A placeholder company id (locally administered
 * bit set, so it cannot collide with a registered OUI) until the project registers one. */
#define SPC__NAA_COMPANY_ID 0x0A5E57u

/* version descriptors (SPC-4 6.6.2, table "Version descriptor values") */
#define VD_SAM5 0x00A0
#define VD_SPC4 0x0460
#define VD_SMC3 0x0480
#define VD_SSC4 0x0520
#define VD_ISCSI 0x0960

#define INQ__STD_LEN 74                 /* through 8 version descriptors */
#define INQ__VPD_MAX 512

static uint8_t spc__hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0');
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? (uint8_t)(c - 'a' + 10) : 0;
}

void spc__naa(const struct lib *lib, uint64_t lun, uint8_t out[16])
{
	/* 32 nibbles: NAA 6 (IEEE registered extended), 6 of company id, then the 100-bit
	 * vendor specific identifier + extension: 23 hex digits of the library id and the
	 * LUN as 2 digits, so each LU of each library gets its own, stable everywhere. */
	uint8_t nib[32];
	nib[0] = 0x6;
	for (int i = 0; i < 6; i++)
		nib[1 + i] = (SPC__NAA_COMPANY_ID >> (20 - 4 * i)) & 0xf;
	for (int i = 0; i < 23; i++)
		nib[7 + i] = spc__hexval(lib->id[i]);
	nib[30] = (uint8_t)((lun >> 4) & 0xf);
	nib[31] = (uint8_t)(lun & 0xf);
	for (int i = 0; i < 16; i++)
		out[i] = (uint8_t)(nib[2 * i] << 4 | nib[2 * i + 1]);
}

void spc__changer_serial(const struct lib *lib, char out[32])
{
	/* the drives are <8 id digits><NN>, NN = 01.. (node/lib/lib.c); the changer is 00 */
	snprintf(out, 32, "%.8s00", lib->id);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

static const char *spc__serial(const struct scsi_task *t, char buf[32])
{
	if (t->drive)
		return t->drive->serial;
	spc__changer_serial(t->lib, buf);
	return buf;
}

static void spc__inquiry_std(struct scsi_task *t)
{
	const struct lib_config *c = &t->lib->cfg;
	uint8_t b[INQ__STD_LEN] = {0};
	b[0] = t->dev->peripheral_type;         /* qualifier 000b: connected */
	b[1] = 0x80;                            /* RMB: tapes and changers hold removable media */
	b[2] = 0x06;                            /* VERSION: SPC-4 */
	b[3] = 0x10 | 0x02;                     /* HISUP, response data format 2 */
	b[4] = INQ__STD_LEN - 5;
	b[5] = 0x10;                            /* TPGS 01b: implicit ALUA (REPORT TARGET PORT GROUPS) */
	b[6] = 0x10;                            /* MULTIP: reachable through every node's port */
	b[7] = 0x02;                            /* CMDQUE */
	scsi_ascii(&b[8], 8, t->drive ? c->drive_vendor : c->changer_vendor);
	scsi_ascii(&b[16], 16, t->drive ? c->drive_product : c->changer_product);
	scsi_ascii(&b[32], 4, t->drive ? c->drive_rev : c->changer_rev);
	put_be16(&b[58], VD_SAM5);
	put_be16(&b[60], VD_SPC4);
	put_be16(&b[62], t->drive ? VD_SSC4 : VD_SMC3);
	put_be16(&b[64], VD_ISCSI);
	scsi_data_in(t, b, sizeof b, get_be16(&t->cmd->cdb[3]));
	scsi_good(t->cmd);
}

/* VPD 00h: the common pages and the device type's, ascending, without duplicates. */
static size_t spc__vpd_supported(const struct scsi_task *t, uint8_t *b)
{
	bool have[256] = {false};
	size_t n = 4;
	have[0x00] = have[0x80] = have[0x83] = true;
	for (size_t i = 0; i < t->dev->n_vpd_pages; i++)
		have[t->dev->vpd_pages[i]] = true;
	for (int p = 0; p < 256; p++)
		if (have[p])
			b[n++] = (uint8_t)p;
	return n;
}

static size_t spc__vpd_serial(const struct scsi_task *t, uint8_t *b)
{
	char buf[32];
	const char *sn = spc__serial(t, buf);
	size_t len = strnlen(sn, 31);
	memcpy(&b[4], sn, len);
	return 4 + len;
}

/* Appends one designation descriptor header + body; returns the new length. */
static size_t spc__desig(uint8_t *b, size_t n, uint8_t b0, uint8_t b1, const void *id, uint8_t len)
{
	b[n] = b0;
	b[n + 1] = b1;
	b[n + 2] = 0;
	b[n + 3] = len;
	memcpy(&b[n + 4], id, len);
	return n + 4 + len;
}

/* VPD 83h (SPC-4 7.8.6): for the logical unit a NAA 6 and a T10 vendor id designator;
 * for the target port that received the command, its relative target port and its
 * target port group (PIV set, protocol iSCSI = 5). */
static size_t spc__vpd_devid(const struct scsi_task *t, uint8_t *b)
{
	const struct lib_config *c = &t->lib->cfg;
	uint8_t naa[16], t10[8 + 16 + 32], port[4] = {0};
	char buf[32];
	const char *sn = spc__serial(t, buf);
	size_t snl = strnlen(sn, 31);
	size_t n = 4;

	spc__naa(t->lib, t->lu->lun, naa);
	n = spc__desig(b, n, 0x01, 0x03, naa, sizeof naa);            /* binary, LU, NAA */
	scsi_ascii(t10, 8, t->drive ? c->drive_vendor : c->changer_vendor);
	scsi_ascii(t10 + 8, 16, t->drive ? c->drive_product : c->changer_product);
	memcpy(t10 + 24, sn, snl);
	n = spc__desig(b, n, 0x02, 0x01, t10, (uint8_t)(24 + snl));  /* ASCII, LU, T10 */
	put_be16(&port[2], t->cmd->nexus.tpgt);
	n = spc__desig(b, n, 0x51, 0x94, port, 4);    /* iSCSI, PIV, port, relative port */
	n = spc__desig(b, n, 0x51, 0x95, port, 4);    /* iSCSI, PIV, port, port group */
	return n;
}

static void spc__inquiry_vpd(struct scsi_task *t)
{
	uint8_t page = t->cmd->cdb[2];
	uint8_t b[INQ__VPD_MAX] = {0};
	long len;

	switch (page) {
	case 0x00:
		len = (long)spc__vpd_supported(t, b);
		break;
	case 0x80:
		len = (long)spc__vpd_serial(t, b);
		break;
	case 0x83:
		len = (long)spc__vpd_devid(t, b);
		break;
	default:
		len = t->dev->vpd ? t->dev->vpd(t, page, b, sizeof b) : -1;
		if (len < 4 || len > (long)sizeof b) {
			scsi_sense_field(t->cmd, true, 2, -1);
			return;
		}
	}
	b[0] = t->dev->peripheral_type;
	b[1] = page;
	put_be16(&b[2], (uint16_t)(len - 4));
	scsi_data_in(t, b, (uint32_t)len, get_be16(&t->cmd->cdb[3]));
	scsi_good(t->cmd);
}

void spc_inquiry(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))            /* CMDDT (obsolete) is not in the usage data */
		return;
	if (cdb[1] & 0x01) {
		spc__inquiry_vpd(t);
		return;
	}
	if (cdb[2]) {                   /* a page code without EVPD (SPC-4 6.6.1) */
		scsi_sense_field(t->cmd, true, 2, -1);
		return;
	}
	spc__inquiry_std(t);
}
