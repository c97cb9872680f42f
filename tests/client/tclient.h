/* tclient.h - the test and bench initiator: a small C API on libiscsi for driving tape
 * drives (SSC) and media changers (SMC) over iSCSI, as vtl-node's integration tests and
 * benchmarks need, and as backup software would see them.
 *
 * The parts, each in its own file:
 *   tc_conn.c   the session: connect + login with a deadline, auto-reconnect OFF (a
 *               reconnect would silently re-send an in-flight WRITE and duplicate a
 *               tape block), unit attentions drained per LUN, one command at a time
 *               (tc_cmd) with the caller's own data-in buffer attached.
 *   tc_sense.c  raw sense parsing (fixed 70h/71h and descriptor 72h/73h, SPC-4 4.5),
 *               because libiscsi's struct scsi_sense drops FILEMARK/EOM/ILI and the
 *               INFORMATION field that tape semantics live in.
 *   tc_cdb.c    CDB builders for SSC-3/SMC-3/SPC-4 commands, built by hand (libiscsi's
 *               read6/write6 are disk CDBs), and tc_parse.c for the replies
 *               (READ POSITION, READ BLOCK LIMITS, READ ELEMENT STATUS).
 *   tc_ssc.c, tc_spc.c, tc_smc.c  one-call helpers: build the CDB, send it, fill a
 *               result.
 *
 * Error model (STYLE.md 5): functions return 0 or a negative errno for C and transport
 * failures (-ENOTCONN after the session broke, -ETIMEDOUT, -EIO, -EINVAL, -ENOMEM). A
 * SCSI CHECK CONDITION is data: the call returns 0 and res->status / res->sense say what
 * the device answered.
 *
 * Concurrency: a struct tc wraps one libiscsi context, which is not thread-safe: one
 * thread uses a given tc at a time. Different tcs are independent (separate sessions).
 * Every call blocks until its command completes or its deadline passes; a deadline or a
 * transport failure marks the tc broken for good (no reconnect), later calls return
 * -ENOTCONN, and only tc_close() remains to be called.
 */
#ifndef VTL_TESTS_CLIENT_TCLIENT_H
#define VTL_TESTS_CLIENT_TCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Self-contained: the initiator side shares no header with the node, as a real
 * initiator would not. */
#define TC_SENSE_MAX 252          /* SPC-4: additional sense length is one byte: 8 + 244 */
#define TC_CDB_MAX 16
#define TC_XFER_MAX (16u << 20)   /* largest transfer one tc_cmd moves */

/* SAM-5 status codes a test compares res->status with */
#define TC_GOOD 0x00
#define TC_CHECK_CONDITION 0x02
#define TC_BUSY 0x08
#define TC_RESERVATION_CONFLICT 0x18

enum tc_dir { TC_DIR_NONE = 0, TC_DIR_READ = 1, TC_DIR_WRITE = 2 };

/* ---- results -------------------------------------------------------------------- */

/* What one sense buffer says. Only the fields tape and changer tests need. */
struct tc_sense {
	bool valid;             /* a well-formed sense buffer was parsed */
	uint8_t response_code;  /* 70h/71h fixed, 72h/73h descriptor */
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	bool filemark;          /* SSC-3 stream bits: fixed byte 2, or descriptor 04h */
	bool eom;
	bool ili;
	bool info_valid;        /* VALID bit (fixed) or information descriptor 00h present */
	int64_t info;           /* INFORMATION, sign-extended: SSC residues can be negative */
	bool sksv;              /* sense-key specific bytes valid */
	uint8_t sks[3];
};

enum tc_resid {
	TC_RESID_NONE = 0,
	TC_RESID_UNDER,         /* target moved fewer bytes than expected */
	TC_RESID_OVER,          /* the command implied more than expected */
};

struct tc_result {
	int status;                     /* SAM status byte (TC_GOOD, ...) */
	struct tc_sense sense;          /* parsed when status is CHECK CONDITION */
	uint32_t data_in_len;           /* data-in bytes the target delivered (see below) */
	uint32_t residual;
	enum tc_resid resid_kind;
	uint8_t sense_len;              /* raw sense bytes as received */
	uint8_t sense_raw[TC_SENSE_MAX];
};
/* data_in_len is the transport's view: the expected length minus the underflow residual
 * of the SCSI Response (RFC 7143 11.4.5), whatever the status (libiscsi 1.19 passes the
 * residual on with CHECK CONDITION too). The bytes themselves are in the caller's buffer
 * (it is attached, so the sense cannot overwrite them). For a READ that stopped early
 * the device's own account is INFORMATION (SSC-3: requested minus actual); a test can
 * cross-check the two with tc_read_info_len(). */

static inline bool tc_good(const struct tc_result *r)
{
	return r->status == TC_GOOD;
}

static inline bool tc_check(const struct tc_result *r, uint8_t key, uint8_t asc, uint8_t ascq)
{
	return r->status == TC_CHECK_CONDITION && r->sense.valid && r->sense.key == key &&
	       r->sense.asc == asc && r->sense.ascq == ascq;
}

/* Bytes a READ(6)/READ(16) with CHECK CONDITION transferred according to the sense
 * INFORMATION (SSC-3: requested count minus transferred, in bytes in variable mode or
 * blocks in fixed mode; negative for an over-length block, whose data stops at the
 * requested length). cap is the data-in buffer size. Returns -1 when the sense has no
 * valid INFORMATION. */
int64_t tc_read_info_len(const struct tc_sense *s, bool fixed, uint32_t count, uint32_t cap);

/* Parses raw sense (no iSCSI length prefix). 0, or -EINVAL for a buffer too short for
 * its format, an unknown response code or a descriptor overrunning the buffer; `out` is
 * then zeroed (valid = false). Never reads past len. */
int tc_sense_parse(const uint8_t *buf, size_t len, struct tc_sense *out);

/* ---- session ---------------------------------------------------------------------- */

struct tc;
struct iscsi_context;

struct tc_opts {
	const char *initiator;  /* NULL: "iqn.2026-11.io.vtl:tclient" */
	bool header_digest;     /* negotiate CRC32C header digest (RFC 7143 13.1) */
	bool keep_ua;           /* do not drain unit attentions at connect */
	int timeout_ms;         /* per command and for login; 0: 60000 */
	int ua_retries;         /* TURs while draining unit attentions; 0: 16 */
};

/* Connects to portal "host:port", logs in to `target` (normal session) and, unless
 * opts->keep_ua, drains the unit attentions of `lun` (TEST UNIT READY until it answers
 * anything but UNIT ATTENTION; NOT READY is a state, not a failure). opts may be NULL.
 * On success *out is owned by the caller (tc_close). On failure *out is NULL and the
 * reason is logged (TC_CONNECT_FAIL). */
int tc_connect(struct tc **out, const char *portal, const char *target, int lun,
	       const struct tc_opts *opts);

/* Logs out (bounded wait) unless the session is broken, then frees. Accepts NULL. */
void tc_close(struct tc *tc);

/* Makes `lun` the LUN later commands go to, and drains its unit attentions: libiscsi's
 * login only clears the LUN it was told about, so the first command to another LUN of
 * the same target would otherwise see 06/29/00. */
int tc_use_lun(struct tc *tc, int lun);
int tc_lun(const struct tc *tc);

/* TEST UNIT READY while it reports UNIT ATTENTION, at most opts.ua_retries times. */
int tc_drain_ua(struct tc *tc);

/* TEST UNIT READY until GOOD (e.g. after a load: 02/04/01 "becoming ready", or 06/28/00
 * "not ready to ready"), sleeping 50 ms between tries, up to timeout_ms. 0 when ready;
 * -ETIMEDOUT with *last describing the last answer (last may be NULL). */
int tc_wait_ready(struct tc *tc, int timeout_ms, struct tc_result *last);

bool tc_broken(const struct tc *tc);
const char *tc_error(const struct tc *tc);         /* last transport error, for messages */
struct iscsi_context *tc_iscsi(struct tc *tc);     /* raw context for TMF/NOP tests */

/* One SCSI command on the current LUN. dir TC_DIR_WRITE sends out/out_len (borrowed
 * for the call); TC_DIR_READ receives into in/in_cap (the caller's buffer, attached to
 * the task: the expected transfer length is in_cap); TC_DIR_NONE moves nothing.
 * Fills *res (always zeroed first). */
int tc_cmd(struct tc *tc, const uint8_t *cdb, size_t cdb_len, enum tc_dir dir,
	   const void *out, uint32_t out_len, void *in, uint32_t in_cap,
	   struct tc_result *res);

/* ---- CDB builders (tc_cdb.c) -------------------------------------------------------- */

/* A built CDB. len == 0 means the arguments did not fit the CDB's fields; tc_cmd
 * rejects it with -EINVAL. */
struct tc_cdb {
	uint8_t b[16];
	uint8_t len;
};

enum tc_space_code { /* SSC-3 */
	TC_SPACE_BLOCKS = 0,
	TC_SPACE_FILEMARKS = 1,
	TC_SPACE_SEQ_FILEMARKS = 2,
	TC_SPACE_EOD = 3,
};

enum tc_rp_form { /* READ POSITION service actions, SSC-3 */
	TC_RP_SHORT = 0x00,
	TC_RP_LONG = 0x06,
};

enum tc_ie_action { /* OPEN/CLOSE IMPORT/EXPORT ELEMENT, SMC-3 */
	TC_IE_OPEN = 0x00,
	TC_IE_CLOSE = 0x01,
};

enum tc_elem_type { /* SMC-3 element type codes */
	TC_ELEM_ALL = 0,
	TC_ELEM_TRANSPORT = 1,
	TC_ELEM_STORAGE = 2,
	TC_ELEM_IE = 3,
	TC_ELEM_DRIVE = 4,
};

/* SSC-3 */
struct tc_cdb tc_cdb_read6(bool fixed, bool sili, uint32_t count);
struct tc_cdb tc_cdb_write6(bool fixed, uint32_t count);
struct tc_cdb tc_cdb_write_filemarks6(uint32_t count, bool immed);
struct tc_cdb tc_cdb_space6(enum tc_space_code code, int32_t count);
struct tc_cdb tc_cdb_space16(enum tc_space_code code, int64_t count);
struct tc_cdb tc_cdb_rewind(bool immed);
struct tc_cdb tc_cdb_locate10(bool bt, bool cp, bool immed, uint32_t object, uint8_t partition);
struct tc_cdb tc_cdb_locate16(uint8_t dest_type, bool cp, bool immed, uint8_t partition,
			      uint64_t object);
struct tc_cdb tc_cdb_read_position(enum tc_rp_form form);
struct tc_cdb tc_cdb_load_unload(bool immed, bool hold, bool eot, bool reten, bool load);
struct tc_cdb tc_cdb_erase6(bool immed, bool long_erase);
struct tc_cdb tc_cdb_read_block_limits(void);
struct tc_cdb tc_cdb_report_density_support(bool media, bool medium_type, uint16_t alloc);
/* SPC-4 */
struct tc_cdb tc_cdb_test_unit_ready(void);
struct tc_cdb tc_cdb_inquiry(bool evpd, uint8_t page, uint16_t alloc);
struct tc_cdb tc_cdb_request_sense(bool desc, uint8_t alloc);
struct tc_cdb tc_cdb_mode_sense6(bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
				 uint8_t alloc);
struct tc_cdb tc_cdb_mode_sense10(bool llbaa, bool dbd, uint8_t pc, uint8_t page,
				  uint8_t subpage, uint16_t alloc);
struct tc_cdb tc_cdb_mode_select6(bool pf, bool sp, uint8_t param_len);
struct tc_cdb tc_cdb_log_sense(bool ppc, bool sp, uint8_t pc, uint8_t page, uint8_t subpage,
			       uint16_t param_ptr, uint16_t alloc);
struct tc_cdb tc_cdb_read_attribute(uint8_t service_action, uint8_t volume, uint8_t partition,
				    uint16_t first_attr, uint32_t alloc);
struct tc_cdb tc_cdb_reserve6(void);
struct tc_cdb tc_cdb_release6(void);
struct tc_cdb tc_cdb_report_luns(uint8_t select, uint32_t alloc);
/* SMC-3 */
struct tc_cdb tc_cdb_read_element_status(bool voltag, enum tc_elem_type type, uint16_t start,
					 uint16_t count, bool curdata, bool dvcid, uint32_t alloc);
struct tc_cdb tc_cdb_move_medium(uint16_t transport, uint16_t src, uint16_t dst, bool invert);
struct tc_cdb tc_cdb_initialize_element_status(void);
struct tc_cdb tc_cdb_position_to_element(uint16_t transport, uint16_t dst, bool invert);
struct tc_cdb tc_cdb_prevent_allow(uint8_t prevent);
struct tc_cdb tc_cdb_open_close_ie(uint16_t element, enum tc_ie_action action);

/* ---- reply parsers (tc_parse.c) --------------------------------------------------- */

struct tc_position {
	bool bop, eop;
	bool block_valid;       /* short form: LOLU clear; long form: LONU clear */
	uint32_t partition;
	uint64_t block;         /* logical object number */
	bool file_valid;        /* long form with MPU clear */
	uint64_t file;          /* logical file identifier */
};

struct tc_block_limits {
	uint8_t granularity;
	uint32_t max_len;
	uint16_t min_len;
};

#define TC_VOLTAG_LEN 32
#define TC_DVCID_MAX 64

/* One element descriptor of READ ELEMENT STATUS (SMC-3). */
struct tc_elem {
	uint8_t type;           /* enum tc_elem_type */
	uint16_t addr;
	bool full, impexp, except, access, exenab, inenab;
	uint8_t asc, ascq;
	bool svalid, invert;
	uint16_t src;           /* source storage element, meaningful when svalid */
	bool has_pvoltag;
	char pvoltag[TC_VOLTAG_LEN + 1];  /* volume identifier, trailing blanks removed */
	uint16_t pvol_seq;
	bool has_avoltag;
	char avoltag[TC_VOLTAG_LEN + 1];
	uint8_t code_set, id_type, id_len;     /* device identifier (DVCID), id_len 0 if none */
	uint8_t id[TC_DVCID_MAX];
};

/* READ POSITION data, short (20 bytes) or long (32 bytes) form. -EINVAL if too short. */
int tc_position_parse(enum tc_rp_form form, const uint8_t *buf, size_t len,
		      struct tc_position *out);
/* READ BLOCK LIMITS data (6 bytes). */
int tc_block_limits_parse(const uint8_t *buf, size_t len, struct tc_block_limits *out);
/* READ ELEMENT STATUS data: walks the header and every element status page, storing up
 * to `max` descriptors in out[] and their count in *n. A report cut short by the
 * allocation length is legal (SMC-3 does not adjust the byte counts): parsing stops at
 * the last whole descriptor in the buffer. Returns -EINVAL for an incomplete header,
 * an unknown element type, a descriptor length too small for the page's voltag bits,
 * a page larger than the report, an identifier overrunning its descriptor or trailing
 * garbage; -ENOSPC if more than max descriptors are present (the first max are kept). */
int tc_elem_parse(const uint8_t *buf, size_t len, struct tc_elem *out, size_t max, size_t *n);

/* ---- SSC helpers (tc_ssc.c): build, send, fill *res --------------------------------- */

/* READ(6). cap is the data-in buffer: count bytes (variable) or count * block size
 * (fixed). */
int tc_read6(struct tc *tc, bool fixed, bool sili, uint32_t count, void *buf, uint32_t cap,
	     struct tc_result *res);
int tc_write6(struct tc *tc, bool fixed, uint32_t count, const void *buf, uint32_t len,
	      struct tc_result *res);
int tc_write_filemarks6(struct tc *tc, uint32_t count, bool immed, struct tc_result *res);
int tc_space6(struct tc *tc, enum tc_space_code code, int32_t count, struct tc_result *res);
int tc_space16(struct tc *tc, enum tc_space_code code, int64_t count, struct tc_result *res);
int tc_rewind(struct tc *tc, bool immed, struct tc_result *res);
int tc_locate10(struct tc *tc, uint32_t object, struct tc_result *res);
int tc_locate16(struct tc *tc, uint64_t object, struct tc_result *res);
/* READ POSITION; *pos is filled only when the command was GOOD and the data parsed. */
int tc_read_position(struct tc *tc, enum tc_rp_form form, struct tc_position *pos,
		     struct tc_result *res);
int tc_load_unload(struct tc *tc, bool load, bool immed, struct tc_result *res);
int tc_erase(struct tc *tc, bool long_erase, bool immed, struct tc_result *res);
int tc_read_block_limits(struct tc *tc, struct tc_block_limits *bl, struct tc_result *res);
int tc_report_density_support(struct tc *tc, bool media, void *buf, uint16_t cap,
			      struct tc_result *res);

/* ---- SPC helpers (tc_spc.c) ----------------------------------------------------------- */

int tc_test_unit_ready(struct tc *tc, struct tc_result *res);
int tc_inquiry(struct tc *tc, bool evpd, uint8_t page, void *buf, uint16_t cap,
	       struct tc_result *res);
int tc_request_sense(struct tc *tc, bool desc, void *buf, uint8_t cap, struct tc_result *res);
int tc_mode_sense6(struct tc *tc, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
		   void *buf, uint8_t cap, struct tc_result *res);
int tc_mode_sense10(struct tc *tc, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
		    void *buf, uint16_t cap, struct tc_result *res);
int tc_mode_select6(struct tc *tc, bool pf, bool sp, const void *param, uint8_t len,
		    struct tc_result *res);
int tc_log_sense(struct tc *tc, uint8_t pc, uint8_t page, uint8_t subpage, void *buf,
		 uint16_t cap, struct tc_result *res);
int tc_read_attribute(struct tc *tc, uint8_t service_action, uint16_t first_attr, void *buf,
		      uint32_t cap, struct tc_result *res);
int tc_reserve6(struct tc *tc, struct tc_result *res);
int tc_release6(struct tc *tc, struct tc_result *res);
int tc_report_luns(struct tc *tc, uint8_t select, void *buf, uint32_t cap,
		   struct tc_result *res);

/* ---- SMC helpers (tc_smc.c) ----------------------------------------------------------- */

int tc_read_element_status(struct tc *tc, bool voltag, enum tc_elem_type type, uint16_t start,
			   uint16_t count, bool dvcid, void *buf, uint32_t cap,
			   struct tc_result *res);
/* READ ELEMENT STATUS of every element, one request per element type (voltag and dvcid
 * on), parsed into out[] in type order. 0 with *n set when all were GOOD and parsed;
 * a CHECK CONDITION stops there with *n = 0 (see res); -ENOSPC when max is too small. */
int tc_elements(struct tc *tc, struct tc_elem *out, size_t max, size_t *n,
		struct tc_result *res);
int tc_move_medium(struct tc *tc, uint16_t transport, uint16_t src, uint16_t dst,
		   struct tc_result *res);
int tc_initialize_element_status(struct tc *tc, struct tc_result *res);
int tc_position_to_element(struct tc *tc, uint16_t transport, uint16_t dst,
			   struct tc_result *res);
int tc_prevent_allow(struct tc *tc, bool prevent, struct tc_result *res);
int tc_open_close_ie(struct tc *tc, uint16_t element, enum tc_ie_action action,
		     struct tc_result *res);

#endif
