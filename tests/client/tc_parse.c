/* tc_parse.c - parsers for the data-in of READ POSITION, READ BLOCK LIMITS (SSC-3) and
 * READ ELEMENT STATUS (SMC-3) in the test client.
 *
 * The bytes come from a target under test, so they are treated as hostile: every read
 * goes through common/rd.h, every declared length is checked against the buffer and
 * against the length that contains it, and nothing is allocated.
 *
 * Pure functions; no state. */
#include <errno.h>
#include <string.h>

#include "common/rd.h"
#include "tests/client/tclient.h"

#define RP_SHORT_LEN 20
#define RP_LONG_LEN 32
#define RES_HDR_LEN 8           /* element status data header */
#define RES_PAGE_HDR_LEN 8      /* element status page header */
#define RES_DESC_FIXED 12       /* element descriptor through the source address */
#define VOLTAG_FIELD 36         /* 32-byte identifier, 2 reserved, 2-byte sequence */

int tc_position_parse(enum tc_rp_form form, const uint8_t *buf, size_t len,
		      struct tc_position *out)
{
	memset(out, 0, sizeof(*out));
	if (form == TC_RP_SHORT) {
		if (len < RP_SHORT_LEN)
			return -EINVAL;
		out->bop = (buf[0] & 0x80) != 0;
		out->eop = (buf[0] & 0x40) != 0;
		out->block_valid = (buf[0] & 0x04) == 0; /* LOLU */
		out->partition = buf[1];
		out->block = get_be32(buf + 4);          /* first logical object location */
		return 0;
	}
	if (form == TC_RP_LONG) {
		if (len < RP_LONG_LEN)
			return -EINVAL;
		out->bop = (buf[0] & 0x80) != 0;
		out->eop = (buf[0] & 0x40) != 0;
		out->file_valid = (buf[0] & 0x08) == 0;  /* MPU */
		out->block_valid = (buf[0] & 0x04) == 0; /* LONU */
		out->partition = get_be32(buf + 4);
		out->block = get_be64(buf + 8);
		out->file = get_be64(buf + 16);
		return 0;
	}
	return -EINVAL;
}

int tc_block_limits_parse(const uint8_t *buf, size_t len, struct tc_block_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 6)
		return -EINVAL;
	out->granularity = buf[0] & 0x1f;
	out->max_len = get_be24(buf + 1);
	out->min_len = get_be16(buf + 4);
	return 0;
}

/* Copies a 32-byte volume identifier, dropping trailing blanks and NULs (SMC-3 pads
 * with blanks; some targets pad with zeros). */
static void voltag_copy(char dst[TC_VOLTAG_LEN + 1], const uint8_t *src)
{
	size_t n = TC_VOLTAG_LEN;
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One element descriptor of dlen bytes (already known to hold the fixed part and the
 * voltag fields the page header announced). */
static int elem_desc(const uint8_t *d, size_t dlen, uint8_t type, bool pv, bool av,
		     struct tc_elem *e)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->addr = get_be16(d);
	e->full = (d[2] & 0x01) != 0;
	e->impexp = (d[2] & 0x02) != 0;
	e->except = (d[2] & 0x04) != 0;
	e->access = (d[2] & 0x08) != 0;
	e->exenab = (d[2] & 0x10) != 0;
	e->inenab = (d[2] & 0x20) != 0;
	e->asc = d[4];
	e->ascq = d[5];
	e->svalid = (d[9] & 0x80) != 0;
	e->invert = (d[9] & 0x40) != 0;
	e->src = get_be16(d + 10);
	size_t off = RES_DESC_FIXED;
	if (pv) {
		e->has_pvoltag = true;
		voltag_copy(e->pvoltag, d + off);
		e->pvol_seq = get_be16(d + off + 34);
		off += VOLTAG_FIELD;
	}
	if (av) {
		e->has_avoltag = true;
		voltag_copy(e->avoltag, d + off);
		off += VOLTAG_FIELD;
	}
	/* device identifier (DVCID=1): code set, identifier type, reserved, length */
	if (dlen < off + 4)
		return 0;
	size_t idl = d[off + 3];
	if (idl > dlen - off - 4)
		return -EINVAL;
	e->code_set = d[off] & 0x0f;
	e->id_type = d[off + 1] & 0x0f;
	e->id_len = (uint8_t)(idl < TC_DVCID_MAX ? idl : TC_DVCID_MAX);
	memcpy(e->id, d + off + 4, e->id_len);
	return 0;
}

struct elem_walk {
	struct tc_elem *out;
	size_t max;
	size_t n;
	bool overflow;
};

/* One element status page. `pr` covers the rest of the report as received; `report_left`
 * is what the header says remains (at least rd_left(pr)). Sets *truncated when the
 * page is cut by the end of the buffer. */
static int elem_page(struct rd *pr, size_t report_left, struct elem_walk *w, bool *truncated)
{
	const uint8_t *ph = rd_bytes(pr, RES_PAGE_HDR_LEN);
	if (!ph)
		return -EINVAL;
	uint8_t type = ph[0] & 0x0f;
	bool pv = (ph[1] & 0x80) != 0, av = (ph[1] & 0x40) != 0;
	size_t dlen = get_be16(ph + 2);
	size_t bytes = get_be24(ph + 5);
	size_t need = RES_DESC_FIXED + (pv ? VOLTAG_FIELD : 0) + (av ? VOLTAG_FIELD : 0);

	if (type < TC_ELEM_TRANSPORT || type > TC_ELEM_DRIVE || dlen < need ||
	    bytes % dlen != 0 || bytes > report_left - RES_PAGE_HDR_LEN)
		return -EINVAL;
	for (size_t done = 0; done < bytes; done += dlen) {
		const uint8_t *d = rd_bytes(pr, dlen);
		if (!d) {
			*truncated = true;
			return 0;
		}
		if (w->n == w->max) {
			w->overflow = true;
			continue;
		}
		int rc = elem_desc(d, dlen, type, pv, av, &w->out[w->n]);
		if (rc)
			return rc;
		w->n++;
	}
	return 0;
}

int tc_elem_parse(const uint8_t *buf, size_t len, struct tc_elem *out, size_t max, size_t *n)
{
	struct elem_walk w = {.out = out, .max = max};
	bool truncated = false;
	int rc = -EINVAL;

	*n = 0;
	if (!buf || len < RES_HDR_LEN)
		return -EINVAL;
	size_t report = get_be24(buf + 5);
	size_t have = len - RES_HDR_LEN < report ? len - RES_HDR_LEN : report;
	struct rd pr = rd_init(buf + RES_HDR_LEN, have);

	rc = 0;
	while (rc == 0 && !truncated && rd_left(&pr) > 0) {
		if (rd_left(&pr) < RES_PAGE_HDR_LEN && have < report) {
			truncated = true; /* a page header cut by the allocation length */
			break;
		}
		rc = elem_page(&pr, report - pr.off, &w, &truncated);
	}
	*n = w.n;
	if (rc == 0 && w.overflow)
		rc = -ENOSPC;
	return rc;
}
