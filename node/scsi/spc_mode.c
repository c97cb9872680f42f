/* spc_mode.c - MODE SENSE(6)/(10) and MODE SELECT(6)/(10) (SPC-4 6.9-6.12, 7.5), generic
 * over the device type's mode page table (struct scsi_mode_page).
 *
 * Saved pages are not implemented: a MODE SENSE of saved values (PC 11b) and a MODE
 * SELECT with SP set end in 05/39/00 SAVING PARAMETERS NOT SUPPORTED (SPC-4 6.11.3,
 * 6.9). MODE SELECT checks the whole parameter list (header, block descriptor length,
 * every page's code and length, current values of pages that cannot change) before it
 * applies anything, so a malformed list changes nothing; then the device type's header
 * hook and each page's select() apply their part.
 *
 * Concurrency: under the LU's lock; mode state itself lives in the device type. */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/spc_int.h"

#define MODE__BUF 4096

/* Writes the page header the way SPC-4 7.5.7 lays it out, whatever sense() left there:
 * PS is 0 (nothing can be saved), SPF and the length match the table entry. */
static void spc__mode_page_hdr(const struct scsi_mode_page *mp, uint8_t *p)
{
	if (mp->subpage) {
		p[0] = 0x40 | mp->page;
		p[1] = mp->subpage;
		put_be16(&p[2], (uint16_t)(mp->len - 4));
	} else {
		p[0] = mp->page;
		p[1] = (uint8_t)(mp->len - 2);
	}
}

static bool spc__mode_match(const struct scsi_mode_page *mp, uint8_t page, uint8_t sub)
{
	if (page == 0x3f)
		return sub == 0xff || mp->subpage == 0;
	if (mp->page != page)
		return false;
	return sub == 0xff || mp->subpage == sub;
}

/* Appends the requested pages in page code order (SPC-4 6.11.1); returns bytes added,
 * or -1 after setting INVALID FIELD IN CDB when none matched. Stops at `room`. */
static long spc__mode_pages(struct scsi_task *t, uint8_t pc, uint8_t *buf, uint32_t room)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint8_t page = cdb[2] & 0x3f, sub = cdb[3];
	const struct scsi_devtype *dev = t->dev;
	uint32_t n = 0;
	bool matched = false, page_known = false;

	if (page == 0x3f && sub != 0x00 && sub != 0xff) {
		scsi_sense_field(t->cmd, true, 3, -1);
		return -1;
	}
	for (unsigned code = 1; code <= 0x40; code++) {   /* page 0 (vendor) last */
		for (size_t i = 0; i < dev->n_pages; i++) {
			const struct scsi_mode_page *mp = &dev->pages[i];
			if ((code & 0x3f) != mp->page)
				continue;
			page_known |= mp->page == page;
			if (!spc__mode_match(mp, page, sub))
				continue;
			matched = true;
			if (mp->len > room - n)
				continue;       /* does not fit the header's length field */
			memset(buf + n, 0, mp->len);
			mp->sense(t, pc, buf + n);
			spc__mode_page_hdr(mp, buf + n);
			n += mp->len;
		}
	}
	if (!matched) {
		scsi_sense_field(t->cmd, true, page_known ? 3 : 2, page_known ? -1 : 5);
		return -1;
	}
	return n;
}

static void spc__mode_sense(struct scsi_task *t, bool ten)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint8_t pc = cdb[2] >> 6;
	bool dbd = cdb[1] & 0x08;
	uint32_t hdr = ten ? 8 : 4;
	uint8_t buf[MODE__BUF];
	uint8_t bdl = 0;

	if (!spc__cdb_ok(t))
		return;
	if (pc == 3) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
		return;
	}
	memset(buf, 0, hdr + 16);
	if (!dbd && t->dev->mode_block_desc)
		bdl = t->dev->mode_block_desc(t, pc, buf + hdr);
	if (bdl > 16)
		bdl = 16;
	/* MODE SENSE(6) reports its length in one byte: at most 256 bytes in all */
	uint32_t limit = ten ? MODE__BUF : 256;
	long n = spc__mode_pages(t, pc, buf + hdr + bdl, limit - hdr - bdl);
	if (n < 0)
		return;
	uint32_t total = hdr + bdl + (uint32_t)n;
	uint8_t dev_param = t->dev->mode_dev_param ? t->dev->mode_dev_param(t) : 0;
	if (ten) {
		put_be16(&buf[0], (uint16_t)(total - 2));
		buf[2] = 0;                     /* medium type */
		buf[3] = dev_param;
		buf[4] = 0;                     /* LONGLBA: short block descriptors only */
		put_be16(&buf[6], bdl);
		scsi_data_in(t, buf, total, get_be16(&cdb[7]));
	} else {
		buf[0] = (uint8_t)(total - 1);
		buf[1] = 0;
		buf[2] = dev_param;
		buf[3] = bdl;
		scsi_data_in(t, buf, total, cdb[4]);
	}
	scsi_good(t->cmd);
}

void spc_mode_sense6(struct scsi_task *t)
{
	spc__mode_sense(t, false);
}

void spc_mode_sense10(struct scsi_task *t)
{
	spc__mode_sense(t, true);
}

static const struct scsi_mode_page *spc__mode_find(const struct scsi_devtype *dev, uint8_t page, uint8_t sub)
{
	for (size_t i = 0; i < dev->n_pages; i++)
		if (dev->pages[i].page == page && dev->pages[i].subpage == sub)
			return &dev->pages[i];
	return NULL;
}

/* Pass 1: every page known, of its exact length, inside the list; pages that cannot
 * change carry their current values. Returns false after setting CHECK CONDITION. */
static bool spc__mode_check(struct scsi_task *t, const uint8_t *d, uint32_t off, uint32_t plen)
{
	uint8_t cur[256];
	while (off < plen) {
		bool spf = d[off] & 0x40;
		uint32_t hl = spf ? 4 : 2;
		if (plen - off < hl)
			goto short_list;
		uint8_t page = d[off] & 0x3f, sub = spf ? d[off + 1] : 0;
		uint32_t len = hl + (spf ? get_be16(&d[off + 2]) : d[off + 1]);
		const struct scsi_mode_page *mp = spc__mode_find(t->dev, page, sub);
		if (!mp) {
			scsi_sense_field(t->cmd, false, (uint16_t)off, 5);
			return false;
		}
		if (len != mp->len) {
			scsi_sense_field(t->cmd, false, (uint16_t)(off + (spf ? 2 : 1)), -1);
			return false;
		}
		if (plen - off < len)
			goto short_list;
		if (!mp->select) {
			memset(cur, 0, sizeof cur);
			mp->sense(t, 0, cur);
			for (uint32_t i = hl; i < len; i++) {
				if (cur[i] != d[off + i]) {
					scsi_sense_field(t->cmd, false, (uint16_t)(off + i), -1);
					return false;
				}
			}
		}
		off += len;
	}
	return true;
short_list:
	scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	return false;
}

static void spc__mode_select(struct scsi_task *t, bool ten, uint32_t plen)
{
	const uint8_t *cdb = t->cmd->cdb;
	uint32_t hdr = ten ? 8 : 4;

	if (!spc__cdb_ok(t))
		return;
	if (!(cdb[1] & 0x10)) {         /* PF: only SPC page format is understood */
		scsi_sense_field(t->cmd, true, 1, 4);
		return;
	}
	if (cdb[1] & 0x01) {            /* SP: nothing can be saved */
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMS_NOT_SUPPORTED);
		return;
	}
	if (plen == 0) {                /* SPC-4 6.9: not an error, nothing changes */
		scsi_good(t->cmd);
		return;
	}
	if (plen < hdr) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	const uint8_t *d = scsi_data_out(t, plen);
	if (!d)
		return;
	uint32_t bdl = ten ? get_be16(&d[6]) : d[3];
	uint8_t dev_param = ten ? d[3] : d[2];
	if (bdl > plen - hdr) {
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
		return;
	}
	if (bdl && !t->dev->mode_select_header) {
		scsi_sense_field(t->cmd, false, ten ? 6 : 3, -1);
		return;
	}
	if (!spc__mode_check(t, d, hdr + bdl, plen))
		return;
	if (t->dev->mode_select_header && t->dev->mode_select_header(t, dev_param, d + hdr, bdl))
		return;
	for (uint32_t off = hdr + bdl; off < plen;) {
		bool spf = d[off] & 0x40;
		const struct scsi_mode_page *mp = spc__mode_find(t->dev, d[off] & 0x3f, spf ? d[off + 1] : 0);
		if (mp->select && mp->select(t, d + off, mp->len))
			return;
		off += mp->len;
	}
	/* SPC-4 6.9 / 5.14: the other I_T nexuses learn that parameters changed */
	lib_ua_raise(t->lu, LIB_UA_MODE_CHANGED, &t->cmd->nexus);
	scsi_good(t->cmd);
}

void spc_mode_select6(struct scsi_task *t)
{
	spc__mode_select(t, false, t->cmd->cdb[4]);
}

void spc_mode_select10(struct scsi_task *t)
{
	spc__mode_select(t, true, get_be16(&t->cmd->cdb[7]));
}
