/* smc_res.c - READ ELEMENT STATUS (SMC-3 6.11).
 *
 * The report is element status data (8-byte header) followed by one element status page
 * per run of elements of one type, in element address order: transport, drives,
 * import/export, storage with this library's layout (lib.h). Every descriptor carries the
 * SMC-3 identification header (4 bytes), empty unless DVCID asks for the drives' device
 * identifiers: ASCII, T10 vendor id format "vendor(8) product(16) serial(10)" like IBM
 * libraries report, so backup software maps drives to element addresses by serial.
 *
 * The byte counts in the headers describe the whole report even when the allocation
 * length cuts it (SMC-3 6.11.2): initiators read the header first to size a second try.
 *
 * Concurrency: under the changer's lock; a drive's ACCESS bit reads drive->loaded under
 * that drive's lock (lock order changer -> drive, lib.h). */
#include <string.h>

#include "common/rd.h"
#include "node/scsi/smc_int.h"
#include "node/scsi/spc_int.h"

#define RES__VOLTAG_LEN 36
#define RES__DVCID_SERIAL 10
#define RES__DVCID_LEN (8 + 16 + RES__DVCID_SERIAL)
#define RES__DESC_MAX (12 + RES__VOLTAG_LEN + 4 + RES__DVCID_LEN)

struct res_req {
	uint8_t type;                   /* 0 all, else enum lib_elem_type */
	uint16_t start, count;
	bool voltag, dvcid;
};

static uint16_t smc__desc_len(uint8_t type, const struct res_req *r)
{
	uint16_t n = 12 + 4;
	if (r->voltag)
		n += RES__VOLTAG_LEN;
	if (r->dvcid && type == LIB_ELEM_DRIVE)
		n += RES__DVCID_LEN;
	return n;
}

/* Flags byte 2 of a descriptor for each element type (SMC-3 6.11.3 to 6.11.6). */
static uint8_t smc__flags(struct scsi_task *t, const struct lib_elem *e, bool full)
{
	uint8_t f = full ? 0x01 : 0;    /* FULL */
	switch (e->type) {
	case LIB_ELEM_STORAGE:
		f |= 0x08;              /* ACCESS */
		break;
	case LIB_ELEM_IE:
		f |= 0x20 | 0x10;       /* INENAB, EXENAB */
		if (!t->lib->ie_open)
			f |= 0x08;      /* the robot reaches it while the door is shut */
		if (full && !e->src_valid)
			f |= 0x02;      /* IMPEXP: put there by the operator, not by a move */
		break;
	case LIB_ELEM_DRIVE: {
		struct lib_drive *d = lib_drive_at(t->lib, e->addr);
		pthread_mutex_lock(&d->lu->lock);
		bool loaded = d->loaded;
		pthread_mutex_unlock(&d->lu->lock);
		if (!loaded)
			f |= 0x08;      /* a threaded tape is out of the robot's reach */
		break;
	}
	default:
		break;
	}
	return f;
}

static size_t smc__desc(struct scsi_task *t, const struct lib_elem *e, const struct res_req *r, uint8_t *d)
{
	const struct lib_cart *c = lib_cart_at(t->lib, e);
	const struct lib_config *cfg = &t->lib->cfg;
	size_t n = 12;
	memset(d, 0, RES__DESC_MAX);
	put_be16(d, e->addr);
	d[2] = smc__flags(t, e, c != NULL);
	if (e->type == LIB_ELEM_DRIVE) {
		uint64_t lun = (uint64_t)(e->addr - LIB_ADDR_DRIVE0) + 1;
		if (lun <= 7)
			d[6] = (uint8_t)(0x10 | lun);   /* LU VALID, LUN */
	}
	if (c) {
		d[9] = 0x01;                    /* medium type: data */
		if (e->src_valid) {
			d[9] |= 0x80;           /* SVALID */
			put_be16(&d[10], e->src_addr);
		}
	}
	if (r->voltag) {
		/* primary volume tag: identifier space padded to 32, then sequence 0 */
		if (c)
			scsi_ascii(&d[n], 32, c->barcode);
		n += RES__VOLTAG_LEN;
	}
	if (r->dvcid && e->type == LIB_ELEM_DRIVE) {
		const struct lib_drive *dr = lib_drive_at(t->lib, e->addr);
		d[n] = 0x02;                    /* code set ASCII */
		d[n + 1] = 0x01;                /* identifier type: T10 vendor id */
		d[n + 3] = RES__DVCID_LEN;
		scsi_ascii(&d[n + 4], 8, cfg->drive_vendor);
		scsi_ascii(&d[n + 12], 16, cfg->drive_product);
		scsi_ascii(&d[n + 28], RES__DVCID_SERIAL, dr->serial);
		n += 4 + RES__DVCID_LEN;
	} else {
		n += 4;                         /* identifier length 0 */
	}
	return n;
}

static bool smc__wanted(const struct lib_elem *e, const struct res_req *r)
{
	return e->addr >= r->start && (r->type == 0 || e->type == r->type);
}

/* Writes the pages; returns the number of descriptors and their first address. */
static uint16_t smc__res_pages(struct scsi_task *t, const struct res_req *r, struct spc_wb *w, uint16_t *first)
{
	const struct lib *lib = t->lib;
	uint8_t d[RES__DESC_MAX], ph[8] = {0};
	uint16_t reported = 0;
	size_t i = 0;
	while (i < lib->n_elems && reported < r->count) {
		const struct lib_elem *e = &lib->elems[i];
		if (!smc__wanted(e, r)) {
			i++;
			continue;
		}
		uint8_t type = e->type;
		uint16_t dlen = smc__desc_len(type, r);
		uint64_t page_at = w->len;
		uint32_t in_page = 0;
		if (!reported)
			*first = e->addr;
		spc__wb_put(w, ph, sizeof ph);  /* placeholder, patched below */
		for (; i < lib->n_elems && lib->elems[i].type == type && reported < r->count; i++) {
			smc__desc(t, &lib->elems[i], r, d);
			spc__wb_put(w, d, dlen);
			in_page++;
			reported++;
		}
		memset(ph, 0, sizeof ph);
		ph[0] = type;
		ph[1] = r->voltag ? 0x80 : 0;   /* PVOLTAG */
		put_be16(&ph[2], dlen);
		put_be24(&ph[5], in_page * dlen);
		spc__wb_at(w, page_at, ph, sizeof ph);
	}
	return reported;
}

void smc__read_element_status(struct scsi_task *t)
{
	if (!spc__cdb_ok(t))
		return;
	const uint8_t *cdb = t->cmd->cdb;
	struct res_req r = {
		.type = cdb[1] & 0x0f,
		.start = get_be16(&cdb[2]),
		.count = get_be16(&cdb[4]),
		.voltag = cdb[1] & 0x10,
		.dvcid = cdb[6] & 0x01,         /* CURDATA (bit 1): data is always current */
	};
	struct spc_wb w;
	uint8_t hdr[8] = {0};
	uint16_t first = 0;

	if (r.type > LIB_ELEM_DRIVE) {
		scsi_sense_field(t->cmd, true, 1, 3);
		return;
	}
	bool any = false;
	for (size_t i = 0; i < t->lib->n_elems && !any; i++)
		any = smc__wanted(&t->lib->elems[i], &r);
	if (!any) {                     /* no element of that type at or after start */
		scsi_sense(t->cmd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_ELEMENT_ADDRESS);
		return;
	}
	spc__wb_init(&w, t, get_be24(&cdb[7]));
	spc__wb_put(&w, hdr, sizeof hdr);
	uint16_t n = smc__res_pages(t, &r, &w, &first);
	put_be16(&hdr[0], first);
	put_be16(&hdr[2], n);
	put_be24(&hdr[5], (uint32_t)(w.len - sizeof hdr));
	spc__wb_at(&w, 0, hdr, sizeof hdr);
	spc__wb_done(&w, t);
}
