/* ssc_mode.c - the tape drive's mode parameters (SSC-4 8.3, SPC-4 7.5): the
 * device-specific byte of the mode parameter header (WP, BUFFERED MODE), the block
 * descriptor (density code, block length: 0 = variable block mode) and the pages
 * 0x0A control, 0x0F data compression, 0x10 device configuration, 0x11 medium
 * partition and 0x1C informational exceptions. The MODE SENSE/SELECT framework
 * (spc_mode*.c) calls these through ssc_devtype.
 *
 * A MODE SELECT may change only what the changeable values report (SPC-4 7.5.1):
 * BUFFERED MODE, the block length, DCE (page 0x0F) and SELECT DATA COMPRESSION
 * ALGORITHM (page 0x10). Anything else must repeat the current value.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

enum { PC_CURRENT = 0, PC_CHANGEABLE = 1, PC_DEFAULT = 2 };

/* Offset of p inside the MODE SELECT parameter list, for the sense field pointer. */
static uint16_t mode__off(const struct scsi_task *t, const uint8_t *p)
{
	const uint8_t *base = t->cmd->data_out;
	if (base && p >= base && p < base + t->cmd->data_out_len)
		return (uint16_t)(p - base);
	return 0;
}

/* 05/26/00 unless the page changes only changeable bits. */
static int mode__only_changeable(struct scsi_task *t, void (*sense)(struct scsi_task *, uint8_t, uint8_t *),
				 const uint8_t *page, uint32_t len)
{
	uint8_t cur[64], chg[64];
	if (len > sizeof cur)
		len = sizeof cur;
	sense(t, PC_CURRENT, cur);
	sense(t, PC_CHANGEABLE, chg);
	for (uint32_t i = 2; i < len; i++) {
		uint8_t bad = (uint8_t)((page[i] ^ cur[i]) & ~chg[i]);
		if (bad) {
			int bit = 7;
			while (!(bad & (1u << bit)))
				bit--;
			scsi_sense_field(t->cmd, false, (uint16_t)(mode__off(t, page) + i), bit);
			return -1;
		}
	}
	return 0;
}

/* 0x0A control (SPC-4 7.5.8): fixed sense format, no saved logs (GLTSD). */
static void mode__control(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	(void)t;
	memset(b, 0, 12);
	b[0] = 0x0a;
	b[1] = 0x0a;
	if (pc != PC_CHANGEABLE)
		b[2] = 0x02;            /* GLTSD */
}

/* 0x0F data compression (SSC-4 8.3.2): DCC (capable), DCE from the drive; no data is
 * actually compressed, so the setting only changes what is reported. */
static void mode__compression(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	memset(b, 0, 16);
	b[0] = 0x0f;
	b[1] = 0x0e;
	if (pc == PC_CHANGEABLE) {
		b[2] = 0x80;            /* DCE */
		return;
	}
	bool dce = pc == PC_CURRENT && t->drive->compression;
	b[2] = (uint8_t)((dce ? 0x80 : 0) | 0x40);        /* DCE, DCC */
	b[3] = 0x80;                                    /* DDE */
	put_be32(&b[4], 1);                             /* compression algorithm: default */
	put_be32(&b[8], 1);                             /* decompression algorithm */
}

static int mode__compression_select(struct scsi_task *t, const uint8_t *p, uint32_t len)
{
	if (mode__only_changeable(t, mode__compression, p, len))
		return -1;
	t->drive->compression = p[2] & 0x80;
	return 0;
}

/* 0x10 device configuration (SSC-4 8.3.3): logical object identifiers supported, EOD
 * generation enabled (EEG), synchronize at early warning (SEW). */
static void mode__devconf(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	memset(b, 0, 16);
	b[0] = 0x10;
	b[1] = 0x0e;
	if (pc == PC_CHANGEABLE) {
		b[14] = 0xff;           /* SELECT DATA COMPRESSION ALGORITHM */
		return;
	}
	b[8] = 0x40;                    /* LOIS */
	b[10] = 0x18;                   /* EEG, SEW */
	b[14] = pc == PC_CURRENT && t->drive->compression ? 1 : 0;
}

static int mode__devconf_select(struct scsi_task *t, const uint8_t *p, uint32_t len)
{
	if (mode__only_changeable(t, mode__devconf, p, len))
		return -1;
	if (p[14] > 1) {                /* 0: none, 1: the default algorithm */
		scsi_sense_field(t->cmd, false, (uint16_t)(mode__off(t, p) + 14), -1);
		return -1;
	}
	t->drive->compression = p[14] == 1;
	return 0;
}

/* 0x11 medium partition (SSC-4 8.3.4): one partition, its size in GB (PSUM 11b,
 * partition units 10^9). */
static void mode__partition(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	memset(b, 0, 10);
	b[0] = 0x11;
	b[1] = 0x08;
	if (pc == PC_CHANGEABLE)
		return;
	b[4] = 0x18;                    /* PSUM 11b */
	b[5] = 0x03;                    /* medium format recognition: format and partitions */
	b[6] = 9;                       /* partition units: 10^9 bytes */
	uint64_t gb = t->drive->tape && t->drive->loaded ? store_tape_capacity(t->drive->tape) / 1000000000u : 0;
	put_be16(&b[8], (uint16_t)(gb > 0xffff ? 0xffff : gb));
}

/* 0x1C informational exceptions control (SPC-4 7.5.14): exceptions are reported only
 * through the TapeAlert log page (DEXCPT). */
static void mode__iec(struct scsi_task *t, uint8_t pc, uint8_t *b)
{
	(void)t;
	memset(b, 0, 12);
	b[0] = 0x1c;
	b[1] = 0x0a;
	if (pc != PC_CHANGEABLE)
		b[2] = 0x08;            /* DEXCPT */
}

const struct scsi_mode_page ssc__mode_pages[SSC_N_MODE_PAGES] = {
	{0x0a, 0, 12, mode__control, NULL},
	{0x0f, 0, 16, mode__compression, mode__compression_select},
	{0x10, 0, 16, mode__devconf, mode__devconf_select},
	{0x11, 0, 10, mode__partition, NULL},
	{0x1c, 0, 12, mode__iec, NULL},
};

/* WP (cartridge write-protected) and BUFFERED MODE 001b (SSC-4 8.3.1). */
uint8_t ssc__mode_dev_param(struct scsi_task *t)
{
	const struct lib_cart *c = ssc__cart(t);
	uint8_t v = 0;
	if (c && t->drive->loaded && c->write_protect)
		v |= 0x80;
	if (t->drive->buffered)
		v |= 0x10;
	return v;
}

/* Block descriptor (SPC-4 7.5.5 short format, SSC-4 8.3.1): density code, NUMBER OF
 * BLOCKS 0 (the rest of the medium), block length 0 for variable block mode. */
uint8_t ssc__mode_block_desc(struct scsi_task *t, uint8_t pc, uint8_t *buf)
{
	memset(buf, 0, 8);
	if (pc == PC_CHANGEABLE) {
		put_be24(&buf[5], 0xffffff);
		return 8;
	}
	if (pc == PC_CURRENT) {
		buf[0] = t->drive->loaded ? ssc__density(t) : 0;
		put_be24(&buf[5], t->drive->block_len);
	}
	return 8;
}

/* A density the loaded cartridge can take (what REPORT DENSITY SUPPORT MEDIA=1 lists),
 * 00h (default) or 7Fh (no change). The density is not switched: it follows the
 * cartridge. */
static bool mode__density_ok(struct scsi_task *t, uint8_t code)
{
	uint8_t cur = ssc__density(t);
	if (code == 0x00 || code == 0x7f || code == cur)
		return true;
	return (cur == SSC_DENSITY_LTO7 || cur == SSC_DENSITY_LTO7M) &&
	       (code == SSC_DENSITY_LTO7 || code == SSC_DENSITY_LTO7M);
}

int ssc__mode_select_header(struct scsi_task *t, uint8_t dev_param, const uint8_t *bd, uint32_t bd_len)
{
	bool ten = t->cmd->cdb[0] == OP_MODE_SELECT_10;
	uint16_t dp_off = ten ? 3 : 2, bd_off = ten ? 8 : 4;
	uint8_t bm = (dev_param >> 4) & 0x07;
	if (bm > 1) {                   /* buffered modes 0 and 1 only */
		scsi_sense_field(t->cmd, false, dp_off, 6);
		return -1;
	}
	uint32_t bl = t->drive->block_len;
	if (bd && bd_len) {
		if (bd_len != 8) {
			scsi_sense_field(t->cmd, false, ten ? 6 : 3, -1);
			return -1;
		}
		if (!mode__density_ok(t, bd[0])) {
			scsi_sense_field(t->cmd, false, bd_off, -1);
			return -1;
		}
		bl = get_be24(&bd[5]);
		if (bl != 0 && (bl < SSC_MIN_BLOCK || bl > SSC_MAX_BLOCK)) {
			scsi_sense_field(t->cmd, false, (uint16_t)(bd_off + 5), -1);
			return -1;
		}
	}
	t->drive->buffered = bm == 1;
	t->drive->block_len = bl;
	return 0;
}
