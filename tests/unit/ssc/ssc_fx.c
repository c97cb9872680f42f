/* ssc_fx.c - the SSC test fixture (see ssc_fx.h). */
#include "tests/unit/ssc/ssc_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fx__config(struct lib_config *c, uint64_t cap)
{
	lib_config_defaults(c, "sscfx");
	snprintf(c->target, sizeof c->target, "iqn.2024-01.test:sscfx");
	c->slots = 8;
	c->ie_slots = 1;
	c->cartridges = 4;
	c->capacity = cap;
	snprintf(c->drive_rev, sizeof c->drive_rev, "0100");
}

void fx_open_again(struct fx *f)
{
	CHECK_EQ(store_open(f->dir, &f->store), 0);
	CHECK_EQ(lib_open(f->store, &f->cfg, &f->lib), 0);
	for (size_t i = 0; i < f->cfg.drives; i++)   /* LTO drives power on in buffered mode 1 */
		CHECK(f->lib->drives[i].buffered);
}

void fx_open(struct fx *f, const char *name, uint64_t cap)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir(name));
	snprintf(f->nx.initiator, sizeof f->nx.initiator, "iqn.2024-01.test:init");
	f->nx.isid[5] = 1;
	f->nx.tpgt = 1;
	fx__config(&f->cfg, cap);
	fx_open_again(f);
	CHECK_EQ(fx_move(f, FX_SLOT0, FX_DRIVE), 0);
	fx_clear_ua(f, FX_LUN);
}

void fx_close_lib(struct fx *f)
{
	lib_close(f->lib);
	store_close(f->store);
	f->lib = NULL;
	f->store = NULL;
}

void fx_close(struct fx *f)
{
	fx_close_lib(f);
	tu_rmtree(f->dir);
}

int fx_move(struct fx *f, uint16_t src, uint16_t dst)
{
	struct lib_drive *ds = lib_drive_at(f->lib, src), *dd = lib_drive_at(f->lib, dst);
	pthread_mutex_lock(&f->lib->lus[0].lock);
	if (ds)
		pthread_mutex_lock(&ds->lu->lock);
	if (dd)
		pthread_mutex_lock(&dd->lu->lock);
	int rc = lib_move(f->lib, src, dst);
	if (dd)
		pthread_mutex_unlock(&dd->lu->lock);
	if (ds)
		pthread_mutex_unlock(&ds->lu->lock);
	pthread_mutex_unlock(&f->lib->lus[0].lock);
	return rc;
}

struct lib_drive *fx_drive(struct fx *f)
{
	return lib_drive_of_lu(f->lib, FX_LUN);
}

struct scsi_cmd fx_run(struct fx *f, uint64_t lun, const uint8_t *cdb, uint8_t cdb_len,
		       const void *out, uint32_t out_len, void *in, uint32_t in_cap)
{
	struct scsi_cmd c;
	memset(&c, 0, sizeof c);
	c.nexus = f->nx;
	c.lun = lun;
	memcpy(c.cdb, cdb, cdb_len);
	c.cdb_len = cdb_len;
	c.task_attr = SCSI_TASK_SIMPLE;
	c.dir = out ? SCSI_DIR_WRITE : in ? SCSI_DIR_READ : SCSI_DIR_NONE;
	c.expected_len = out ? out_len : in ? in_cap : 0;
	c.data_out = out;
	c.data_out_len = out ? out_len : 0;
	c.data_in = in;
	c.data_in_cap = in ? in_cap : 0;
	scsi_exec(f->lib, &c);
	return c;
}

void fx_clear_ua(struct fx *f, uint64_t lun)
{
	const uint8_t tur[6] = {0};
	for (int i = 0; i < 16; i++) {
		struct scsi_cmd c = fx_run(f, lun, tur, sizeof tur, NULL, 0, NULL, 0);
		if (c.status != SAM_STAT_CHECK_CONDITION || (c.sense[2] & 0x0f) != SENSE_UNIT_ATTENTION)
			return;
	}
	CHECK(!"unit attentions never cleared");
}

struct scsi_cmd fx_read(struct fx *f, bool fixed, bool sili, uint32_t count, void *buf, uint32_t cap)
{
	uint8_t cdb[6] = {OP_READ_6, (uint8_t)((fixed ? 1 : 0) | (sili ? 2 : 0))};
	put_be24(&cdb[2], count);
	return FX_RUN(f, cdb, NULL, 0, buf, cap);
}

struct scsi_cmd fx_write(struct fx *f, bool fixed, uint32_t count, const void *data, uint32_t len)
{
	uint8_t cdb[6] = {OP_WRITE_6, fixed ? 1 : 0};
	put_be24(&cdb[2], count);
	return FX_RUN(f, cdb, data, len, NULL, 0);
}

struct scsi_cmd fx_wfm(struct fx *f, uint32_t count, bool immed)
{
	uint8_t cdb[6] = {OP_WRITE_FILEMARKS_6, immed ? 1 : 0};
	put_be24(&cdb[2], count);
	return FX_RUN(f, cdb, NULL, 0, NULL, 0);
}

struct scsi_cmd fx_space(struct fx *f, uint8_t code, int32_t count)
{
	uint8_t cdb[6] = {OP_SPACE_6, code};
	put_be24(&cdb[2], (uint32_t)count & 0xffffff);
	return FX_RUN(f, cdb, NULL, 0, NULL, 0);
}

struct scsi_cmd fx_locate(struct fx *f, uint32_t obj)
{
	uint8_t cdb[10] = {OP_LOCATE_10};
	put_be32(&cdb[3], obj);
	return FX_RUN(f, cdb, NULL, 0, NULL, 0);
}

struct scsi_cmd fx_rewind(struct fx *f)
{
	uint8_t cdb[6] = {OP_REWIND};
	return FX_RUN(f, cdb, NULL, 0, NULL, 0);
}

struct scsi_cmd fx_mode_select(struct fx *f, uint32_t block_len, uint8_t buffered)
{
	uint8_t cdb[6] = {OP_MODE_SELECT_6, 0x10, 0, 0, 12, 0};
	uint8_t par[12] = {0, 0, (uint8_t)(buffered << 4), 8};
	put_be24(&par[9], block_len);
	return FX_RUN(f, cdb, par, sizeof par, NULL, 0);
}

uint64_t fx_pos(struct fx *f, uint8_t *flags)
{
	uint8_t cdb[10] = {OP_READ_POSITION, 0x00};
	uint8_t buf[20];
	struct scsi_cmd c = FX_RUN(f, cdb, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 20);
	CHECK_EQ(get_be32(&buf[4]), get_be32(&buf[8]));   /* nothing held in a buffer */
	CHECK_EQ(get_be24(&buf[13]), 0);
	CHECK_EQ(get_be32(&buf[16]), 0);
	if (flags)
		*flags = buf[0];
	return get_be32(&buf[4]);
}

void fx_pos_long(struct fx *f, uint64_t *obj, uint64_t *file)
{
	uint8_t cdb[10] = {OP_READ_POSITION, 0x06};
	uint8_t buf[32];
	struct scsi_cmd c = FX_RUN(f, cdb, NULL, 0, buf, sizeof buf);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, 32);
	CHECK_EQ(get_be32(&buf[4]), 0);        /* partition */
	*obj = get_be64(&buf[8]);
	*file = get_be64(&buf[16]);
}

void fx_fill(uint8_t *p, uint32_t tag, uint32_t len)
{
	uint32_t x = tag * 2654435761u + len + 1;
	for (uint32_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

void fx_put(struct fx *f, uint32_t tag, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	CHECK(p);
	fx_fill(p, tag, len);
	struct scsi_cmd c = fx_write(f, false, len, p, len);
	FX_GOOD(c);
	CHECK_EQ(c.implied_len, len);
	free(p);
}

void fx_get(struct fx *f, uint32_t tag, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1), *want = malloc(len ? len : 1);
	CHECK(p && want);
	struct scsi_cmd c = fx_read(f, false, false, len, p, len);
	FX_GOOD(c);
	CHECK_EQ(c.data_in_len, len);
	CHECK_EQ(c.implied_len, len);
	fx_fill(want, tag, len);
	CHECK(memcmp(p, want, len) == 0);
	free(p);
	free(want);
}
