/* tc_sense.c - raw sense data parsing (SPC-4 4.5) for the test client.
 *
 * libiscsi's struct scsi_sense keeps only the key and ASC/ASCQ. Tape semantics live in
 * the rest: FILEMARK, EOM and ILI (SSC-3) and the INFORMATION field, which for
 * READ/SPACE/WRITE FILEMARKS holds a residue that can be negative (an over-length block).
 * The bytes come from a target under test: every access goes through the bounded reader.
 *
 * Pure functions; no state. */
#include <errno.h>
#include <string.h>

#include "common/rd.h"
#include "tests/client/tclient.h"

#define SENSE_FIXED_MIN 14      /* through ASCQ (byte 13) */
#define SENSE_DESC_HDR 8

/* Fixed format, SPC-4 4.5.3. */
static int sense_fixed(const uint8_t *buf, size_t len, struct tc_sense *s)
{
	if (len < SENSE_FIXED_MIN)
		return -EINVAL;
	s->info_valid = (buf[0] & 0x80) != 0;
	s->filemark = (buf[2] & 0x80) != 0;
	s->eom = (buf[2] & 0x40) != 0;
	s->ili = (buf[2] & 0x20) != 0;
	s->key = buf[2] & 0x0f;
	/* INFORMATION is 4 bytes here; SSC residues are two's complement (SSC-3) */
	s->info = (int64_t)(int32_t)get_be32(buf + 3);
	s->asc = buf[12];
	s->ascq = buf[13];
	if (len >= 18 && (buf[15] & 0x80)) {
		s->sksv = true;
		memcpy(s->sks, buf + 15, 3);
		s->sks[0] &= 0x7f;
	}
	return 0;
}

/* One descriptor of descriptor-format sense; d points at its type byte. */
static void sense_desc_one(const uint8_t *d, size_t dlen, struct tc_sense *s)
{
	switch (d[0]) {
	case 0x00: /* information, SPC-4 4.5.2.2: VALID, then an 8-byte INFORMATION */
		if (dlen >= 12) {
			s->info_valid = (d[2] & 0x80) != 0;
			s->info = (int64_t)get_be64(d + 4);
		}
		break;
	case 0x02: /* sense key specific, SPC-4 4.5.2.4 */
		if (dlen >= 7 && (d[4] & 0x80)) {
			s->sksv = true;
			memcpy(s->sks, d + 4, 3);
			s->sks[0] &= 0x7f;
		}
		break;
	case 0x04: /* stream commands, SSC-3 / SPC-4 4.5.2.6 */
		if (dlen >= 4) {
			s->filemark = (d[3] & 0x80) != 0;
			s->eom = (d[3] & 0x40) != 0;
			s->ili = (d[3] & 0x20) != 0;
		}
		break;
	default:
		break;
	}
}

/* Descriptor format, SPC-4 4.5.2. */
static int sense_desc(const uint8_t *buf, size_t len, struct tc_sense *s)
{
	struct rd r = rd_init(buf, len);
	const uint8_t *hdr = rd_bytes(&r, SENSE_DESC_HDR);
	if (!hdr)
		return -EINVAL;
	s->key = hdr[1] & 0x0f;
	s->asc = hdr[2];
	s->ascq = hdr[3];
	/* the additional length may promise less than was sent (ignore the rest) but
	 * never more than the buffer holds */
	size_t add = hdr[7];
	if (add > rd_left(&r))
		return -EINVAL;
	struct rd dr = rd_init(buf + SENSE_DESC_HDR, add);
	while (rd_left(&dr) > 0) {
		const uint8_t *d = rd_bytes(&dr, 2);
		if (!d)
			return -EINVAL;
		size_t dlen = (size_t)d[1] + 2;
		if (!rd_bytes(&dr, dlen - 2))
			return -EINVAL;
		sense_desc_one(d, dlen, s);
	}
	return 0;
}

int tc_sense_parse(const uint8_t *buf, size_t len, struct tc_sense *out)
{
	uint8_t code = buf && len > 0 ? buf[0] & 0x7f : 0;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (code == 0x70 || code == 0x71)
		rc = sense_fixed(buf, len, out);
	else if (code == 0x72 || code == 0x73)
		rc = sense_desc(buf, len, out);
	if (rc == 0) {
		out->valid = true;
		out->response_code = code;
	} else {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int64_t tc_read_info_len(const struct tc_sense *s, bool fixed, uint32_t count, uint32_t cap)
{
	if (!s->valid || !s->info_valid || count == 0)
		return -1;
	uint64_t units = s->info < 0 ? count : s->info >= count ? 0 : count - (uint64_t)s->info;
	uint64_t bytes = fixed ? units * (cap / count) : units;
	return (int64_t)(bytes < cap ? bytes : cap);
}
