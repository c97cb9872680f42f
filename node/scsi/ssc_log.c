/* ssc_log.c - LOG SENSE and LOG SELECT (SPC-4 6.5, 6.6) with the pages a tape drive is
 * asked for: 0x00 supported pages, 0x02/0x03 write/read error counters, 0x0C sequential
 * access device (SSC-4 8.2.2), 0x2E TapeAlert (SSC-4 8.2.3) and 0x31 tape capacity (as
 * IBM LTO drives report it, in MiB).
 *
 * Values come from the drive state (bytes moved since load) and the store (capacity,
 * bytes used). Nothing is saved (SP=1 is rejected). TapeAlert flags are cleared once the
 * page has been read with current values, as drives do.
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include "common/rd.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

#define LOG__MAX 512
#define LOG__CTL_COUNTER 0x00   /* FORMAT AND LINKING 00b: bounded data counter */
#define LOG__CTL_LIST 0x03      /* 11b: binary format list */

struct log__page {
	uint8_t buf[LOG__MAX];
	uint32_t len;
	uint16_t from;          /* PARAMETER POINTER: first parameter code returned */
	uint16_t last;          /* largest parameter code the page has */
	bool values;            /* PC 01b (current cumulative); zeros for the others */
};

static void log__param(struct log__page *lp, uint16_t code, uint8_t ctl, uint64_t v, uint8_t n)
{
	lp->last = code;
	if (code < lp->from || lp->len + 4u + n > LOG__MAX)
		return;
	uint8_t *p = &lp->buf[lp->len];
	put_be16(p, code);
	p[2] = ctl;
	p[3] = n;
	for (uint8_t i = 0; i < n; i++)
		p[4 + i] = lp->values ? (uint8_t)(v >> (8 * (n - 1 - i))) : 0;
	lp->len += 4u + n;
}

static const uint8_t log__pages[] = {0x00, 0x02, 0x03, 0x0c, 0x2e, 0x31};

/* 0x02 / 0x03 (SPC-4 7.3.x): nothing is ever corrected; bytes processed are real. */
static void log__errors(struct scsi_task *t, struct log__page *lp, uint64_t bytes)
{
	(void)t;
	for (uint16_t c = 0; c <= 4; c++)
		log__param(lp, c, LOG__CTL_COUNTER, 0, 4);
	log__param(lp, 0x0005, LOG__CTL_COUNTER, bytes, 8);
	log__param(lp, 0x0006, LOG__CTL_COUNTER, 0, 4);
}

/* 0x0C: byte counters since load, capacities in 10^6 bytes (SSC-4 8.2.2). */
static void log__seq(struct scsi_task *t, struct log__page *lp)
{
	struct lib_drive *d = t->drive;
	uint64_t cap = d->tape ? store_tape_capacity(d->tape) : 0;
	uint64_t used = d->tape ? store_tape_used(d->tape) : 0;
	log__param(lp, 0x0000, LOG__CTL_COUNTER, d->bytes_written, 8);
	log__param(lp, 0x0001, LOG__CTL_COUNTER, d->bytes_written, 8);
	log__param(lp, 0x0002, LOG__CTL_COUNTER, d->bytes_read, 8);
	log__param(lp, 0x0003, LOG__CTL_COUNTER, d->bytes_read, 8);
	log__param(lp, 0x0004, LOG__CTL_LIST, used / 1000000, 4);
	log__param(lp, 0x0005, LOG__CTL_LIST, cap / 1000000 * (100 - SSC_EW_PERCENT) / 100, 4);
}

/* 0x2E: 64 one-byte flags. */
static void log__tapealert(struct scsi_task *t, struct log__page *lp)
{
	for (uint16_t f = 1; f <= 64; f++)
		log__param(lp, f, LOG__CTL_LIST, (t->drive->tapealert >> (f - 1)) & 1, 1);
}

/* 0x31: remaining and maximum capacity of partitions 0 and 1, in MiB (IBM LTO). */
static void log__capacity(struct scsi_task *t, struct log__page *lp)
{
	struct lib_drive *d = t->drive;
	uint64_t cap = d->tape ? store_tape_capacity(d->tape) : 0;
	uint64_t used = d->tape ? store_tape_used(d->tape) : 0;
	uint64_t left = used < cap ? cap - used : 0;
	log__param(lp, 0x0001, LOG__CTL_LIST, left >> 20, 4);
	log__param(lp, 0x0002, LOG__CTL_LIST, 0, 4);
	log__param(lp, 0x0003, LOG__CTL_LIST, cap >> 20, 4);
	log__param(lp, 0x0004, LOG__CTL_LIST, 0, 4);
}

static void log__supported(struct scsi_task *t, struct log__page *lp, bool subpages)
{
	(void)t;
	for (size_t i = 0; i < sizeof log__pages; i++) {
		lp->buf[lp->len++] = log__pages[i];
		if (subpages) {
			lp->buf[lp->len++] = 0x00;
			if (log__pages[i] == 0x00) {    /* page 0x00 also has subpage 0xFF */
				lp->buf[lp->len++] = 0x00;
				lp->buf[lp->len++] = 0xff;
			}
		}
	}
}

/* Fills the page's parameters; false if the page (or subpage) does not exist. */
static bool log__build(struct scsi_task *t, struct log__page *lp, uint8_t page, uint8_t sub)
{
	if (sub != 0 && !(page == 0x00 && sub == 0xff))
		return false;
	switch (page) {
	case 0x00: log__supported(t, lp, sub == 0xff); return true;
	case 0x02: log__errors(t, lp, t->drive->bytes_written); return true;
	case 0x03: log__errors(t, lp, t->drive->bytes_read); return true;
	case 0x0c: log__seq(t, lp); return true;
	case 0x2e: log__tapealert(t, lp); return true;
	case 0x31: log__capacity(t, lp); return true;
	default: return false;
	}
}

void ssc_log_sense(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	struct log__page lp = {.len = 4};
	if (!spc__cdb_ok(t))
		return;
	if (cdb[1] & 0x03) {            /* SP (no saved pages), PPC (not supported) */
		scsi_sense_field(t->cmd, true, 1, (cdb[1] & 0x02) ? 1 : 0);
		return;
	}
	uint8_t pc = cdb[2] >> 6, page = cdb[2] & 0x3f, sub = cdb[3];
	lp.from = get_be16(&cdb[5]);
	lp.values = pc == 1;
	if (!log__build(t, &lp, page, sub)) {
		scsi_sense_field(t->cmd, true, sub ? 3 : 2, sub ? -1 : 5);
		return;
	}
	if (page != 0x00 && lp.from > lp.last) {  /* SPC-4 6.6: pointer past every code */
		scsi_sense_field(t->cmd, true, 5, -1);
		return;
	}
	lp.buf[0] = (uint8_t)(page | (sub ? 0x40 : 0));    /* SPF when a subpage is named */
	lp.buf[1] = sub;
	put_be16(&lp.buf[2], (uint16_t)(lp.len - 4));
	scsi_data_in(t, lp.buf, lp.len, get_be16(&cdb[7]));
	if (page == 0x2e && lp.values)
		t->drive->tapealert = 0;
	scsi_good(t->cmd);
}

/* PCR=1 (or PC=11b with no parameters) resets the counters and TapeAlert flags; setting
 * individual parameters is not supported. */
void ssc_log_select(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))
		return;
	if (cdb[1] & 0x01) {            /* SP */
		scsi_sense_field(t->cmd, true, 1, 0);
		return;
	}
	if (get_be16(&cdb[7])) {
		scsi_sense_field(t->cmd, true, 7, -1);
		return;
	}
	if ((cdb[1] & 0x02) || (cdb[2] >> 6) == 3) {
		t->drive->bytes_written = t->drive->bytes_read = 0;
		t->drive->tapealert = 0;
	}
	scsi_good(t->cmd);
}
