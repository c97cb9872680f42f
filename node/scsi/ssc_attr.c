/* ssc_attr.c - READ ATTRIBUTE (SPC-4 6.17): the cartridge's medium auxiliary memory
 * (MAM, SPC-4 7.4), built on the fly from the cartridge record, the drive and the store.
 * Backup software reads it for the barcode, capacity and media type; one logical volume
 * and one partition exist. Attributes are returned in identifier order (SPC-4 7.4.1).
 * Concurrency: see ssc_int.h (the drive's LU lock). */
#include "common/rd.h"
#include "node/scsi/ssc_int.h"
#include "node/store/store.h"

#define ATTR__MAX 512
#define ATTR__RO 0x80           /* READ ONLY bit */
#define ATTR__BIN 0x00          /* FORMAT 00b binary, 01b ASCII */
#define ATTR__ASCII 0x01

struct attr__buf {
	uint8_t b[ATTR__MAX];
	uint32_t len;
	uint16_t from;          /* FIRST ATTRIBUTE IDENTIFIER */
	bool ids_only;          /* ATTRIBUTE LIST / SUPPORTED ATTRIBUTES: identifiers only */
};

/* Starts attribute id: only its identifier for the lists, else (when at or past the
 * FIRST ATTRIBUTE IDENTIFIER) its header (SPC-4 7.4.1). True when the caller must
 * append its n value bytes. */
static bool attr__start(struct attr__buf *a, uint16_t id, uint8_t fmt, uint16_t n)
{
	if (a->ids_only) {
		put_be16(&a->b[a->len], id);
		a->len += 2;
		return false;
	}
	if (id < a->from)
		return false;
	put_be16(&a->b[a->len], id);
	a->b[a->len + 2] = fmt;
	put_be16(&a->b[a->len + 3], n);
	a->len += 5;
	return true;
}

/* A binary attribute of n bytes, big-endian v. */
static void attr__bin(struct attr__buf *a, uint16_t id, uint8_t ro, uint64_t v, uint8_t n)
{
	if (!attr__start(a, id, (uint8_t)(ro | ATTR__BIN), n))
		return;
	for (uint8_t i = 0; i < n; i++)
		a->b[a->len + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	a->len += n;
}

/* A space-padded ASCII attribute of width bytes (SPC-4 7.4.2.1). */
static void attr__ascii(struct attr__buf *a, uint16_t id, uint8_t ro, const char *s, uint8_t width)
{
	if (!attr__start(a, id, (uint8_t)(ro | ATTR__ASCII), width))
		return;
	scsi_ascii(&a->b[a->len], width, s);
	a->len += width;
}

static void attr__build(struct scsi_task *t, struct attr__buf *a)
{
	const struct lib_drive *d = t->drive;
	const struct lib_cart *c = ssc__cart(t);
	uint64_t cap = store_tape_capacity(d->tape), used = store_tape_used(d->tape);
	uint8_t dens = ssc__density(t);
	a->len = 4;
	attr__bin(a, 0x0000, ATTR__RO, (used < cap ? cap - used : 0) >> 20, 8); /* remaining, MiB */
	attr__bin(a, 0x0001, ATTR__RO, cap >> 20, 8);                           /* maximum, MiB */
	attr__bin(a, 0x0002, ATTR__RO, 0, 8);                                   /* TapeAlert flags */
	attr__bin(a, 0x0003, ATTR__RO, c->load_count, 8);                       /* load count */
	attr__bin(a, 0x0006, ATTR__RO, dens, 1);                                /* formatted density */
	attr__bin(a, 0x0222, ATTR__RO, d->bytes_written >> 20, 8);              /* MiB written this load */
	attr__bin(a, 0x0223, ATTR__RO, d->bytes_read >> 20, 8);                 /* MiB read this load */
	attr__ascii(a, 0x0400, ATTR__RO, t->lib->cfg.drive_vendor, 8);          /* medium manufacturer */
	attr__ascii(a, 0x0401, ATTR__RO, c->barcode, 32);                       /* medium serial number */
	attr__bin(a, 0x0405, ATTR__RO, dens, 1);                                /* medium density code */
	attr__bin(a, 0x0408, ATTR__RO, 0x00, 1);                                /* medium type: data */
	attr__bin(a, 0x0409, ATTR__RO, 0, 2);                                   /* medium type information */
	attr__ascii(a, 0x0806, 0, c->barcode, 32);                              /* barcode (host attribute) */
	put_be32(a->b, a->len - 4);     /* AVAILABLE DATA */
}

/* Returns false (after setting sense) for a volume or partition other than 0. */
static bool attr__cdb(struct scsi_task *t)
{
	const uint8_t *cdb = t->cmd->cdb;
	if (!spc__cdb_ok(t))
		return false;
	if (cdb[5] != 0) {
		scsi_sense_field(t->cmd, true, 5, -1);
		return false;
	}
	if (cdb[7] != 0) {
		scsi_sense_field(t->cmd, true, 7, -1);
		return false;
	}
	return true;
}

static void attr__send(struct scsi_task *t, const void *buf, uint32_t len)
{
	scsi_data_in(t, buf, len, get_be32(&t->cmd->cdb[10]));
	scsi_good(t->cmd);
}

void ssc_attr_values(struct scsi_task *t)
{
	struct attr__buf a = {.from = get_be16(&t->cmd->cdb[8])};
	if (!attr__cdb(t))
		return;
	attr__build(t, &a);
	attr__send(t, a.b, a.len);
}

void ssc_attr_list(struct scsi_task *t)
{
	struct attr__buf a = {.ids_only = true};
	if (!attr__cdb(t))
		return;
	attr__build(t, &a);
	attr__send(t, a.b, a.len);
}

/* Every attribute this emulation has is supported, so SUPPORTED ATTRIBUTES = LIST. */
void ssc_attr_supported(struct scsi_task *t)
{
	ssc_attr_list(t);
}

/* LOGICAL VOLUME LIST and PARTITION LIST: one of each, numbered 0. */
static void attr__one(struct scsi_task *t)
{
	uint8_t buf[4] = {0, 2, 0, 1};  /* available data 2, first number 0, count 1 */
	if (!attr__cdb(t))
		return;
	attr__send(t, buf, sizeof buf);
}

void ssc_attr_volumes(struct scsi_task *t)
{
	attr__one(t);
}

void ssc_attr_partitions(struct scsi_task *t)
{
	attr__one(t);
}
