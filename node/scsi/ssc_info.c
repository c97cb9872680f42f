/* ssc_info.c - what the drive can do: READ BLOCK LIMITS (SSC-4 7.6) and REPORT DENSITY
 * SUPPORT (SSC-4 7.8). Static answers except where the loaded cartridge matters.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/ssc_int.h"

/* MLOI=0: granularity 0, maximum block length (24 bits), minimum (16 bits).
 * MLOI=1: the maximum logical object identifier, 20 bytes (SSC-4 7.6.3). */
void ssc_read_block_limits(struct scsi_task *t)
{
	uint8_t buf[20] = {0};
	if (!spc__cdb_ok(t))
		return;
	if (t->cmd->cdb[1] & 0x01) {
		put_be64(&buf[12], UINT32_MAX);  /* LOCATE(10) reaches every object up to here */
		scsi_data_in(t, buf, 20, 20);
	} else {
		buf[0] = 0;                       /* granularity 2^0 */
		put_be24(&buf[1], SSC_MAX_BLOCK);
		put_be16(&buf[4], SSC_MIN_BLOCK);
		scsi_data_in(t, buf, 6, 6);
	}
	scsi_good(t->cmd);
}

struct ssc__density_desc {
	uint8_t code;
	uint32_t bits_per_mm;
	uint16_t tracks;
	uint32_t capacity_mb;           /* 10^6 bytes */
	const char *name, *desc;
};

/* An LTO-8 drive writes and reads LTO-8 and LTO-7 media, and LTO-7 media as type M.
 * Descriptors go out in ascending primary density code (SSC-4 REPORT DENSITY SUPPORT). */
static const struct ssc__density_desc ssc__densities[] = {
	{SSC_DENSITY_LTO7, 19107, 3584, 6000000, "U-732", "Ultrium 7/32T"},
	{SSC_DENSITY_LTO7M, 20669, 5376, 9000000, "U-732M", "Ultrium M8/32T"},
	{SSC_DENSITY_LTO8, 20669, 6656, 12000000, "U-832", "Ultrium 8/32T"},
};

#define SSC__DENSITY_DESC_LEN 52

static void ssc__density_fill(uint8_t *p, const struct ssc__density_desc *dd, bool deflt)
{
	memset(p, 0, SSC__DENSITY_DESC_LEN);
	p[0] = dd->code;                /* primary */
	p[1] = dd->code;                /* secondary */
	p[2] = 0x80 | 0x01;             /* WRTOK, DLV */
	if (deflt)
		p[2] |= 0x20;           /* DEFLT */
	put_be16(&p[3], 0x0031);        /* descriptor length (SSC-4 table) */
	put_be24(&p[5], dd->bits_per_mm);
	put_be16(&p[8], 127);           /* 12.7 mm, in 0.1 mm */
	put_be16(&p[10], dd->tracks);
	put_be32(&p[12], dd->capacity_mb);
	scsi_ascii(&p[16], 8, "LTO-CVE");
	scsi_ascii(&p[24], 8, dd->name);
	scsi_ascii(&p[32], 20, dd->desc);
}

/* MEDIA=0: every density the drive supports; MEDIA=1: those of the mounted cartridge
 * (an LTO-7 cartridge may hold either LTO-7 density). MEDIUM TYPE=1 (medium type
 * descriptors) is not supported. */
void ssc_report_density(struct scsi_task *t)
{
	enum { N = sizeof ssc__densities / sizeof ssc__densities[0] };
	uint8_t buf[4 + N * SSC__DENSITY_DESC_LEN] = {0};
	if (!spc__cdb_ok(t))
		return;
	bool media = t->cmd->cdb[1] & 0x01;
	if (t->cmd->cdb[1] & 0x02) {
		scsi_sense_field(t->cmd, true, 1, 1);
		return;
	}
	if (media && !t->drive->loaded) {
		scsi_sense(t->cmd, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	uint8_t dens = ssc__density(t);
	size_t len = 4;
	for (size_t i = 0; i < N; i++) {
		uint8_t c = ssc__densities[i].code;
		bool lto7_cart = dens == SSC_DENSITY_LTO7 || dens == SSC_DENSITY_LTO7M;
		if (media && c != dens && !(lto7_cart && c != SSC_DENSITY_LTO8))
			continue;
		ssc__density_fill(&buf[len], &ssc__densities[i], c == (media ? dens : SSC_DENSITY_LTO8));
		len += SSC__DENSITY_DESC_LEN;
	}
	put_be16(&buf[0], (uint16_t)(len - 2));
	scsi_data_in(t, buf, (uint32_t)len, get_be16(&t->cmd->cdb[7]));
	scsi_good(t->cmd);
}
