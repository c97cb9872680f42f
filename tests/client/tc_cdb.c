/* tc_cdb.c - CDB builders for the test client (SSC-3, SMC-3, SPC-4).
 *
 * Built by hand: libiscsi's iscsi_read6/iscsi_write6 build disk CDBs (an LBA where SSC
 * has the FIXED and SILI bits and a 24-bit transfer length). Each builder returns the
 * CDB by value; a field that does not fit returns len = 0, which tc_cmd refuses.
 *
 * Pure functions; no state. */
#include "common/rd.h"
#include "tests/client/tclient.h"

#define U24_MAX 0xffffffu

static struct tc_cdb cdb_new(uint8_t opcode, uint8_t len)
{
	struct tc_cdb c = {.len = len};
	c.b[0] = opcode;
	return c;
}

static const struct tc_cdb cdb_invalid = {.len = 0};

/* ---- SSC-3 ---- */

/* READ(6), SSC-3: byte 1 SILI (bit 1) and FIXED (bit 0), 24-bit transfer length. */
struct tc_cdb tc_cdb_read6(bool fixed, bool sili, uint32_t count)
{
	if (count > U24_MAX)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x08, 6);
	c.b[1] = (uint8_t)((sili ? 0x02 : 0) | (fixed ? 0x01 : 0));
	put_be24(c.b + 2, count);
	return c;
}

/* WRITE(6), SSC-3. */
struct tc_cdb tc_cdb_write6(bool fixed, uint32_t count)
{
	if (count > U24_MAX)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x0a, 6);
	c.b[1] = fixed ? 0x01 : 0;
	put_be24(c.b + 2, count);
	return c;
}

/* WRITE FILEMARKS(6), SSC-3: IMMED = 0 makes it a synchronizing command. */
struct tc_cdb tc_cdb_write_filemarks6(uint32_t count, bool immed)
{
	if (count > U24_MAX)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x10, 6);
	c.b[1] = immed ? 0x01 : 0;
	put_be24(c.b + 2, count);
	return c;
}

/* SPACE(6), SSC-3: a signed 24-bit count (negative spaces toward BOP). */
struct tc_cdb tc_cdb_space6(enum tc_space_code code, int32_t count)
{
	if ((unsigned)code > 0x0f || count < -(1 << 23) || count > (1 << 23) - 1)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x11, 6);
	c.b[1] = (uint8_t)code;
	put_be24(c.b + 2, (uint32_t)count & U24_MAX);
	return c;
}

/* SPACE(16), SSC-3: a signed 64-bit count, no parameter data. */
struct tc_cdb tc_cdb_space16(enum tc_space_code code, int64_t count)
{
	if ((unsigned)code > 0x0f)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x91, 16);
	c.b[1] = (uint8_t)code;
	put_be64(c.b + 4, (uint64_t)count);
	return c;
}

/* REWIND, SSC-3. */
struct tc_cdb tc_cdb_rewind(bool immed)
{
	struct tc_cdb c = cdb_new(0x01, 6);
	c.b[1] = immed ? 0x01 : 0;
	return c;
}

/* LOCATE(10), SSC-3: BT (bit 2), CP (bit 1), IMMED (bit 0). */
struct tc_cdb tc_cdb_locate10(bool bt, bool cp, bool immed, uint32_t object, uint8_t partition)
{
	struct tc_cdb c = cdb_new(0x2b, 10);
	c.b[1] = (uint8_t)((bt ? 0x04 : 0) | (cp ? 0x02 : 0) | (immed ? 0x01 : 0));
	put_be32(c.b + 3, object);
	c.b[8] = partition;
	return c;
}

/* LOCATE(16), SSC-3: DEST_TYPE in bits 4..3 of byte 1 (0 = logical object). */
struct tc_cdb tc_cdb_locate16(uint8_t dest_type, bool cp, bool immed, uint8_t partition,
			      uint64_t object)
{
	if (dest_type > 3)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x92, 16);
	c.b[1] = (uint8_t)(dest_type << 3 | (cp ? 0x02 : 0) | (immed ? 0x01 : 0));
	c.b[3] = partition;
	put_be64(c.b + 4, object);
	return c;
}

/* READ POSITION, SSC-3: the short and long forms have fixed sizes, and their
 * ALLOCATION LENGTH field must be zero. */
struct tc_cdb tc_cdb_read_position(enum tc_rp_form form)
{
	if (form != TC_RP_SHORT && form != TC_RP_LONG)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x34, 10);
	c.b[1] = (uint8_t)form;
	return c;
}

/* LOAD UNLOAD, SSC-3: byte 4 HOLD (bit 3), EOT (bit 2), RETEN (bit 1), LOAD (bit 0). */
struct tc_cdb tc_cdb_load_unload(bool immed, bool hold, bool eot, bool reten, bool load)
{
	struct tc_cdb c = cdb_new(0x1b, 6);
	c.b[1] = immed ? 0x01 : 0;
	c.b[4] = (uint8_t)((hold ? 0x08 : 0) | (eot ? 0x04 : 0) | (reten ? 0x02 : 0) |
			   (load ? 0x01 : 0));
	return c;
}

/* ERASE(6), SSC-3: IMMED (bit 1), LONG (bit 0). */
struct tc_cdb tc_cdb_erase6(bool immed, bool long_erase)
{
	struct tc_cdb c = cdb_new(0x19, 6);
	c.b[1] = (uint8_t)((immed ? 0x02 : 0) | (long_erase ? 0x01 : 0));
	return c;
}

/* READ BLOCK LIMITS, SSC-3 (6 bytes of data). */
struct tc_cdb tc_cdb_read_block_limits(void)
{
	return cdb_new(0x05, 6);
}

/* REPORT DENSITY SUPPORT, SSC-3: MEDIUM TYPE (bit 1), MEDIA (bit 0). */
struct tc_cdb tc_cdb_report_density_support(bool media, bool medium_type, uint16_t alloc)
{
	struct tc_cdb c = cdb_new(0x44, 10);
	c.b[1] = (uint8_t)((medium_type ? 0x02 : 0) | (media ? 0x01 : 0));
	put_be16(c.b + 7, alloc);
	return c;
}

/* ---- SPC-4 ---- */

struct tc_cdb tc_cdb_test_unit_ready(void)
{
	return cdb_new(0x00, 6);
}

struct tc_cdb tc_cdb_inquiry(bool evpd, uint8_t page, uint16_t alloc)
{
	if (!evpd && page)
		return cdb_invalid; /* SPC-4: PAGE CODE must be 0 without EVPD */
	struct tc_cdb c = cdb_new(0x12, 6);
	c.b[1] = evpd ? 0x01 : 0;
	c.b[2] = page;
	put_be16(c.b + 3, alloc);
	return c;
}

struct tc_cdb tc_cdb_request_sense(bool desc, uint8_t alloc)
{
	struct tc_cdb c = cdb_new(0x03, 6);
	c.b[1] = desc ? 0x01 : 0;
	c.b[4] = alloc;
	return c;
}

static bool mode_fields_ok(uint8_t pc, uint8_t page)
{
	return pc <= 3 && page <= 0x3f;
}

struct tc_cdb tc_cdb_mode_sense6(bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
				 uint8_t alloc)
{
	if (!mode_fields_ok(pc, page))
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x1a, 6);
	c.b[1] = dbd ? 0x08 : 0;
	c.b[2] = (uint8_t)(pc << 6 | page);
	c.b[3] = subpage;
	c.b[4] = alloc;
	return c;
}

struct tc_cdb tc_cdb_mode_sense10(bool llbaa, bool dbd, uint8_t pc, uint8_t page,
				  uint8_t subpage, uint16_t alloc)
{
	if (!mode_fields_ok(pc, page))
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x5a, 10);
	c.b[1] = (uint8_t)((llbaa ? 0x10 : 0) | (dbd ? 0x08 : 0));
	c.b[2] = (uint8_t)(pc << 6 | page);
	c.b[3] = subpage;
	put_be16(c.b + 7, alloc);
	return c;
}

struct tc_cdb tc_cdb_mode_select6(bool pf, bool sp, uint8_t param_len)
{
	struct tc_cdb c = cdb_new(0x15, 6);
	c.b[1] = (uint8_t)((pf ? 0x10 : 0) | (sp ? 0x01 : 0));
	c.b[4] = param_len;
	return c;
}

struct tc_cdb tc_cdb_log_sense(bool ppc, bool sp, uint8_t pc, uint8_t page, uint8_t subpage,
			       uint16_t param_ptr, uint16_t alloc)
{
	if (!mode_fields_ok(pc, page))
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x4d, 10);
	c.b[1] = (uint8_t)((ppc ? 0x02 : 0) | (sp ? 0x01 : 0));
	c.b[2] = (uint8_t)(pc << 6 | page);
	c.b[3] = subpage;
	put_be16(c.b + 5, param_ptr);
	put_be16(c.b + 7, alloc);
	return c;
}

/* READ ATTRIBUTE, SPC-4: 16 bytes, 32-bit allocation length. */
struct tc_cdb tc_cdb_read_attribute(uint8_t service_action, uint8_t volume, uint8_t partition,
				    uint16_t first_attr, uint32_t alloc)
{
	if (service_action > 0x1f)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x8c, 16);
	c.b[1] = service_action;
	c.b[5] = volume;
	c.b[7] = partition;
	put_be16(c.b + 8, first_attr);
	put_be32(c.b + 10, alloc);
	return c;
}

struct tc_cdb tc_cdb_reserve6(void)
{
	return cdb_new(0x16, 6);
}

struct tc_cdb tc_cdb_release6(void)
{
	return cdb_new(0x17, 6);
}

struct tc_cdb tc_cdb_report_luns(uint8_t select, uint32_t alloc)
{
	struct tc_cdb c = cdb_new(0xa0, 12);
	c.b[2] = select;
	put_be32(c.b + 6, alloc);
	return c;
}

/* ---- SMC-3 ---- */

/* READ ELEMENT STATUS, SMC-3: VOLTAG (byte 1 bit 4), element type (bits 3..0),
 * CURDATA (byte 6 bit 1), DVCID (bit 0), 24-bit allocation length. */
struct tc_cdb tc_cdb_read_element_status(bool voltag, enum tc_elem_type type, uint16_t start,
					 uint16_t count, bool curdata, bool dvcid, uint32_t alloc)
{
	if ((unsigned)type > 0x0f || alloc > U24_MAX)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0xb8, 12);
	c.b[1] = (uint8_t)((voltag ? 0x10 : 0) | type);
	put_be16(c.b + 2, start);
	put_be16(c.b + 4, count);
	c.b[6] = (uint8_t)((curdata ? 0x02 : 0) | (dvcid ? 0x01 : 0));
	put_be24(c.b + 7, alloc);
	return c;
}

/* MOVE MEDIUM, SMC-3. */
struct tc_cdb tc_cdb_move_medium(uint16_t transport, uint16_t src, uint16_t dst, bool invert)
{
	struct tc_cdb c = cdb_new(0xa5, 12);
	put_be16(c.b + 2, transport);
	put_be16(c.b + 4, src);
	put_be16(c.b + 6, dst);
	c.b[10] = invert ? 0x01 : 0;
	return c;
}

/* INITIALIZE ELEMENT STATUS, SMC-3. */
struct tc_cdb tc_cdb_initialize_element_status(void)
{
	return cdb_new(0x07, 6);
}

/* POSITION TO ELEMENT, SMC-3. */
struct tc_cdb tc_cdb_position_to_element(uint16_t transport, uint16_t dst, bool invert)
{
	struct tc_cdb c = cdb_new(0x2b, 10);
	put_be16(c.b + 2, transport);
	put_be16(c.b + 4, dst);
	c.b[8] = invert ? 0x01 : 0;
	return c;
}

/* PREVENT ALLOW MEDIUM REMOVAL, SPC-4 / SMC-3: PREVENT in bits 1..0. */
struct tc_cdb tc_cdb_prevent_allow(uint8_t prevent)
{
	if (prevent > 3)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x1e, 6);
	c.b[4] = prevent;
	return c;
}

/* OPEN/CLOSE IMPORT/EXPORT ELEMENT, SMC-3: shares opcode 1Bh with LOAD UNLOAD; the
 * element address in bytes 2..3 and the action code in bits 4..0 of byte 4. */
struct tc_cdb tc_cdb_open_close_ie(uint16_t element, enum tc_ie_action action)
{
	if ((unsigned)action > 0x1f)
		return cdb_invalid;
	struct tc_cdb c = cdb_new(0x1b, 6);
	put_be16(c.b + 2, element);
	c.b[4] = (uint8_t)action;
	return c;
}
