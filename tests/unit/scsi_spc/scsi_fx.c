/* scsi_fx.c - the SPC/SMC test fixture (see scsi_fx.h). */
#include "tests/unit/scsi_spc/scsi_fx.h"

#include <stdio.h>
#include <string.h>

static void sfx__config(struct lib_config *c)
{
	lib_config_defaults(c, "spcfx");
	snprintf(c->target, sizeof c->target, "iqn.2024-01.test:spcfx");
	c->drives = SFX_DRIVES;
	c->slots = SFX_SLOTS;
	c->ie_slots = SFX_IE;
	c->cartridges = SFX_CARTS;
	c->capacity = 8u << 20;
	snprintf(c->drive_rev, sizeof c->drive_rev, "0200");
}

static void sfx__nexus(struct scsi_nexus *n, const char *name, uint8_t isid, uint16_t tpgt)
{
	memset(n, 0, sizeof *n);
	snprintf(n->initiator, sizeof n->initiator, "%s", name);
	n->isid[0] = 0x40;
	n->isid[5] = isid;
	n->tpgt = tpgt;
}

void sfx_open(struct sfx *f, const char *name)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir(name));
	sfx__nexus(&f->a, "iqn.2024-01.test:host-a", 1, 1);
	sfx__nexus(&f->b, "iqn.2024-01.test:host-a", 2, 2);
	sfx__nexus(&f->c, "iqn.2024-01.test:host-c", 1, 1);
	sfx__config(&f->cfg);
	CHECK_EQ(store_open(f->dir, &f->store), 0);
	CHECK_EQ(lib_open(f->store, &f->cfg, &f->lib), 0);
}

void sfx_reopen(struct sfx *f)
{
	lib_close(f->lib);
	store_close(f->store);
	CHECK_EQ(store_open(f->dir, &f->store), 0);
	CHECK_EQ(lib_open(f->store, &f->cfg, &f->lib), 0);
}

void sfx_close(struct sfx *f)
{
	lib_close(f->lib);
	store_close(f->store);
	tu_rmtree(f->dir);
}

static uint8_t sfx__cdb_len(uint8_t op)
{
	static const uint8_t by_group[8] = {6, 10, 10, 16, 16, 12, 16, 16};
	return by_group[op >> 5];
}

struct scsi_cmd sfx_run(struct sfx *f, const struct scsi_nexus *nx, uint64_t lun, const uint8_t *cdb,
			const void *out, uint32_t out_len, uint32_t in_cap)
{
	struct scsi_cmd c;
	memset(&c, 0, sizeof c);
	c.nexus = *nx;
	c.lun = lun;
	c.cdb_len = sfx__cdb_len(cdb[0]);
	memcpy(c.cdb, cdb, c.cdb_len);
	c.task_attr = SCSI_TASK_SIMPLE;
	c.dir = out ? SCSI_DIR_WRITE : in_cap ? SCSI_DIR_READ : SCSI_DIR_NONE;
	c.expected_len = out ? out_len : in_cap;
	c.data_out = out;
	c.data_out_len = out_len;
	memset(f->in, 0xee, sizeof f->in);
	c.data_in = in_cap ? f->in : NULL;
	c.data_in_cap = in_cap;
	scsi_exec(f->lib, &c);
	CHECK(c.sense_len <= SCSI_SENSE_MAX);
	CHECK(c.data_in_len <= in_cap);
	return c;
}

void sfx_clear_ua(struct sfx *f, const struct scsi_nexus *nx, uint64_t lun)
{
	const uint8_t rs[6] = {OP_REQUEST_SENSE, 0, 0, 0, 252, 0};
	for (int i = 0; i < 32; i++) {
		struct scsi_cmd c = sfx_run(f, nx, lun, rs, NULL, 0, 252);
		SFX_GOOD(c);
		if ((f->in[2] & 0x0f) != SENSE_UNIT_ATTENTION)
			return;
	}
	CHECK(!"unit attentions never cleared");
}

void sfx_clear_all(struct sfx *f)
{
	for (uint64_t lun = 0; lun <= SFX_DRIVES; lun++) {
		sfx_clear_ua(f, &f->a, lun);
		sfx_clear_ua(f, &f->b, lun);
		sfx_clear_ua(f, &f->c, lun);
	}
}
