/* test_spc_resv.c - SPC-2 RESERVE/RELEASE between nexuses, and PERSISTENT RESERVE IN/OUT:
 * register, reserve, the reservation types against readers and writers, preempt, clear,
 * release, with their unit attentions and generations. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/scsi_spc/scsi_fx.h"

static const uint8_t tur[6] = {OP_TEST_UNIT_READY, 0, 0, 0, 0, 0};
static const uint8_t res[12] = {OP_READ_ELEMENT_STATUS, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0};
static const uint8_t inq[6] = {OP_INQUIRY, 0, 0, 0, 36, 0};
/* a "write" to the changer that fails harmlessly once it runs: source slot is empty */
static const uint8_t mv_empty[12] = {OP_MOVE_MEDIUM, 0, 0, 0, 0x04, 0x09, 0x04, 0x08, 0, 0, 0, 0};

static void expect_move_runs(struct scsi_cmd c)
{
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_SRC_EMPTY);
}

static void spc2_reserve(void)
{
	struct sfx f;
	sfx_open(&f, "spc_resv");
	sfx_clear_all(&f);
	const uint8_t rsv6[6] = {OP_RESERVE_6, 0, 0, 0, 0, 0};
	const uint8_t rel6[6] = {OP_RELEASE_6, 0, 0, 0, 0, 0};
	const uint8_t rsv10[10] = {OP_RESERVE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	const uint8_t rel10[10] = {OP_RELEASE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, rsv6, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 0, rsv6, NULL, 0, 0));       /* again: still GOOD */
	/* the other nexus (same initiator, other ISID): only the allowed commands run */
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, res, NULL, 0, 4096));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, mv_empty, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, rsv10, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.b, 0, inq, NULL, 0, 36));
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));
	/* RELEASE from the other nexus is GOOD and releases nothing */
	SFX_GOOD(sfx_run(&f, &f.b, 0, rel10, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, res, NULL, 0, 4096));
	/* the holder runs everything; a drive LU is not reserved */
	SFX_GOOD(sfx_run(&f, &f.a, 0, res, NULL, 0, 4096));
	expect_move_runs(sfx_run(&f, &f.a, 0, mv_empty, NULL, 0, 0));
	struct scsi_cmd c = sfx_run(&f, &f.b, 1, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	/* PERSISTENT RESERVE commands conflict for everyone, the holder included */
	const uint8_t rk[10] = {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 1, 0, 0};
	SFX_CONFLICT(sfx_run(&f, &f.a, 0, rk, NULL, 0, 256));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, rk, NULL, 0, 256));
	/* third-party reservations are refused */
	const uint8_t third[10] = {OP_RESERVE_10, 0x10, 0, 5, 0, 0, 0, 0, 0, 0};
	c = sfx_run(&f, &f.a, 0, third, NULL, 0, 0);
	SFX_FIELD(c, true, 1, 4);
	/* release, then the other nexus may reserve */
	SFX_GOOD(sfx_run(&f, &f.a, 0, rel6, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.b, 0, res, NULL, 0, 4096));
	SFX_GOOD(sfx_run(&f, &f.b, 0, rsv10, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.a, 0, res, NULL, 0, 4096));
	/* a LU reset ends it */
	scsi_lu_reset(f.lib, 0, &f.c);
	sfx_clear_ua(&f, &f.a, 0);
	SFX_GOOD(sfx_run(&f, &f.a, 0, res, NULL, 0, 4096));
	sfx_close(&f);
}

/* PERSISTENT RESERVE OUT with the 24-byte parameter list. */
static struct scsi_cmd pr_out(struct sfx *f, const struct scsi_nexus *nx, uint8_t sa, uint8_t type,
			      uint64_t key, uint64_t sa_key)
{
	uint8_t list[24] = {0};
	put_be64(list, key);
	put_be64(&list[8], sa_key);
	const uint8_t cdb[10] = {OP_PERSISTENT_RESERVE_OUT, sa, type, 0, 0, 0, 0, 0, 24, 0};
	return sfx_run(f, nx, 0, cdb, list, sizeof list, 0);
}

static struct scsi_cmd pr_in(struct sfx *f, const struct scsi_nexus *nx, uint8_t sa)
{
	const uint8_t cdb[10] = {OP_PERSISTENT_RESERVE_IN, sa, 0, 0, 0, 0, 0, 0x10, 0, 0};
	return sfx_run(f, nx, 0, cdb, NULL, 0, 4096);
}

/* READ KEYS: checks the generation and the sorted-insensitive key set. */
static void expect_keys(struct sfx *f, uint32_t gen, const uint64_t *keys, int n)
{
	struct scsi_cmd c = pr_in(f, &f->a, SA_PR_IN_READ_KEYS);
	SFX_GOOD(c);
	CHECK_EQ(get_be32(f->in), gen);
	CHECK_EQ(get_be32(&f->in[4]), 8 * n);
	CHECK_EQ(c.data_in_len, 8 + 8 * n);
	for (int i = 0; i < n; i++) {
		bool found = false;
		for (int j = 0; j < n; j++)
			found |= get_be64(&f->in[8 + 8 * j]) == keys[i];
		CHECK(found);
	}
}

static void expect_resv(struct sfx *f, uint64_t key, uint8_t type)
{
	struct scsi_cmd c = pr_in(f, &f->a, SA_PR_IN_READ_RESERVATION);
	SFX_GOOD(c);
	if (!type) {
		CHECK_EQ(get_be32(&f->in[4]), 0);
		CHECK_EQ(c.data_in_len, 8);
		return;
	}
	CHECK_EQ(get_be32(&f->in[4]), 16);
	CHECK_EQ(get_be64(&f->in[8]), key);
	CHECK_EQ(f->in[21], type);
}

static void pr_register_reserve(void)
{
	struct sfx f;
	sfx_open(&f, "spc_pr");
	sfx_clear_all(&f);
	expect_keys(&f, 0, NULL, 0);
	expect_resv(&f, 0, 0);
	/* register: a and b; a wrong existing key from an unregistered nexus conflicts */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0, 0xaa));
	SFX_CONFLICT(pr_out(&f, &f.b, SA_PR_OUT_REGISTER, 0, 0x99, 0xbb));
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_REGISTER, 0, 0, 0xbb));
	SFX_GOOD(pr_out(&f, &f.c, SA_PR_OUT_REGISTER, 0, 0, 0));   /* no-op */
	uint64_t ab[] = {0xaa, 0xbb};
	expect_keys(&f, 2, ab, 2);
	/* RESERVE: unregistered and wrong key conflict; a takes Write Exclusive */
	SFX_CONFLICT(pr_out(&f, &f.c, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0, 0));
	SFX_CONFLICT(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0xbb, 0));
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0xaa, 0));
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0xaa, 0));   /* same again */
	SFX_CONFLICT(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_EA, 0xaa, 0));
	SFX_CONFLICT(pr_out(&f, &f.b, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0xbb, 0));
	expect_resv(&f, 0xaa, PR_TYPE_WE);
	expect_keys(&f, 2, ab, 2);      /* RESERVE does not count */
	/* WE: others read, do not write; the holder does both */
	SFX_GOOD(sfx_run(&f, &f.b, 0, res, NULL, 0, 4096));
	SFX_GOOD(sfx_run(&f, &f.c, 0, res, NULL, 0, 4096));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, mv_empty, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.c, 0, mv_empty, NULL, 0, 0));
	expect_move_runs(sfx_run(&f, &f.a, 0, mv_empty, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.c, 0, inq, NULL, 0, 36));
	/* SPC-2 RESERVE under registrations: the holder gets GOOD (and nothing), others conflict */
	const uint8_t rsv6[6] = {OP_RESERVE_6, 0, 0, 0, 0, 0};
	SFX_GOOD(sfx_run(&f, &f.a, 0, rsv6, NULL, 0, 0));
	CHECK(!f.lib->lus[0].reserved);
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, rsv6, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.c, 0, rsv6, NULL, 0, 0));
	/* RELEASE with another type: invalid release; by a non-holder: GOOD, nothing */
	struct scsi_cmd c = pr_out(&f, &f.a, SA_PR_OUT_RELEASE, PR_TYPE_EA, 0xaa, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_RELEASE_OF_PR);
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_RELEASE, PR_TYPE_WE, 0xbb, 0));
	expect_resv(&f, 0xaa, PR_TYPE_WE);
	/* the holder changes its key: the reservation follows */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0xaa, 0xa1));
	expect_resv(&f, 0xa1, PR_TYPE_WE);
	uint64_t a1b[] = {0xa1, 0xbb};
	expect_keys(&f, 3, a1b, 2);
	/* release: WE raises no unit attention */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RELEASE, PR_TYPE_WE, 0xa1, 0));
	expect_resv(&f, 0, 0);
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));
	expect_move_runs(sfx_run(&f, &f.b, 0, mv_empty, NULL, 0, 0));
	sfx_close(&f);
}

static void pr_types(void)
{
	struct sfx f;
	sfx_open(&f, "spc_prtypes");
	sfx_clear_all(&f);
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0, 0xaa));
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_REGISTER_AND_IGNORE, 0, 0x1234, 0xbb));
	/* Exclusive Access: unregistered and registered non-holders cannot even read */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_EA, 0xaa, 0));
	SFX_CONFLICT(sfx_run(&f, &f.b, 0, res, NULL, 0, 4096));
	SFX_CONFLICT(sfx_run(&f, &f.c, 0, res, NULL, 0, 4096));
	SFX_GOOD(sfx_run(&f, &f.c, 0, inq, NULL, 0, 36));
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RELEASE, PR_TYPE_EA, 0xaa, 0));
	/* Write Exclusive, Registrants Only: registrants write, others only read */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_WE_RO, 0xaa, 0));
	expect_move_runs(sfx_run(&f, &f.b, 0, mv_empty, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.c, 0, mv_empty, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.c, 0, res, NULL, 0, 4096));
	/* its release tells the other registrants (2A/04), not the unregistered */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RELEASE, PR_TYPE_WE_RO, 0xaa, 0));
	struct scsi_cmd c = sfx_run(&f, &f.b, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_RESERVATIONS_RELEASED);
	SFX_GOOD(sfx_run(&f, &f.c, 0, tur, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.a, 0, tur, NULL, 0, 0));
	/* Exclusive Access, All Registrants: every registrant holds it; key reported 0 */
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_RESERVE, PR_TYPE_EA_AR, 0xbb, 0));
	expect_resv(&f, 0, PR_TYPE_EA_AR);
	SFX_GOOD(sfx_run(&f, &f.a, 0, res, NULL, 0, 4096));
	SFX_CONFLICT(sfx_run(&f, &f.c, 0, res, NULL, 0, 4096));
	/* READ FULL STATUS: both hold it, transport ids name initiator and ISID */
	c = pr_in(&f, &f.a, SA_PR_IN_READ_FULL_STATUS);
	SFX_GOOD(c);
	uint32_t len = get_be32(&f.in[4]);
	CHECK_EQ(len + 8, c.data_in_len);
	int holders = 0, descs = 0;
	for (uint32_t off = 8; off < 8 + len; descs++) {
		const uint8_t *d = &f.in[off];
		uint64_t key = get_be64(d);
		CHECK(key == 0xaa || key == 0xbb);
		holders += d[12] & 1;
		CHECK_EQ(d[13], PR_TYPE_EA_AR);
		CHECK_EQ(get_be16(&d[18]), key == 0xaa ? f.a.tpgt : f.b.tpgt);
		uint32_t tl = get_be32(&d[20]);
		CHECK_EQ(d[24], 0x45);  /* format 01b, iSCSI */
		CHECK_EQ(get_be16(&d[26]) + 4, tl);
		CHECK_EQ(tl % 4, 0);
		char want[256];
		snprintf(want, sizeof want, "iqn.2024-01.test:host-a,i,0x4000000000%02x", key == 0xaa ? 1 : 2);
		CHECK(!strcmp((const char *)&d[28], want));
		off += 24 + tl;
	}
	CHECK_EQ(descs, 2);
	CHECK_EQ(holders, 2);
	/* one registrant leaves: the reservation stays with the other; the last ends it */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0xaa, 0));
	expect_resv(&f, 0, PR_TYPE_EA_AR);
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_REGISTER_AND_IGNORE, 0, 0, 0));
	expect_resv(&f, 0, 0);
	sfx_close(&f);
}

static void pr_preempt_clear(void)
{
	struct sfx f;
	sfx_open(&f, "spc_prpre");
	sfx_clear_all(&f);
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0, 0xaa));
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_REGISTER, 0, 0, 0xbb));
	SFX_GOOD(pr_out(&f, &f.c, SA_PR_OUT_REGISTER, 0, 0, 0xcc));
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_RESERVE, PR_TYPE_WE, 0xaa, 0));
	/* preempting a key nobody has conflicts; key 0 without an AR reservation is invalid */
	SFX_CONFLICT(pr_out(&f, &f.b, SA_PR_OUT_PREEMPT, PR_TYPE_WE, 0xbb, 0x77));
	struct scsi_cmd c = pr_out(&f, &f.b, SA_PR_OUT_PREEMPT, PR_TYPE_WE, 0xbb, 0);
	SFX_FIELD(c, false, 8, -1);
	/* b preempts a's reservation with another type: a loses its registration (2A/05),
	 * c, still registered, learns the reservation was released (2A/04) */
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_PREEMPT, PR_TYPE_EA, 0xbb, 0xaa));
	c = sfx_run(&f, &f.a, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_REGISTRATIONS_PREEMPTED);
	c = sfx_run(&f, &f.c, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_RESERVATIONS_RELEASED);
	expect_resv(&f, 0xbb, PR_TYPE_EA);
	uint64_t bc[] = {0xbb, 0xcc};
	expect_keys(&f, 4, bc, 2);
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));
	SFX_CONFLICT(sfx_run(&f, &f.a, 0, res, NULL, 0, 4096));
	/* PREEMPT AND ABORT of a registration only (c's key is not the holder's) */
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_PREEMPT_AND_ABORT, PR_TYPE_EA, 0xbb, 0xcc));
	c = sfx_run(&f, &f.c, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_REGISTRATIONS_PREEMPTED);
	uint64_t b[] = {0xbb};
	expect_keys(&f, 5, b, 1);
	expect_resv(&f, 0xbb, PR_TYPE_EA);
	/* CLEAR: everything goes; the other registrants see 2A/03 */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0, 0xa2));
	SFX_CONFLICT(pr_out(&f, &f.a, SA_PR_OUT_CLEAR, 0, 0xbb, 0));
	SFX_GOOD(pr_out(&f, &f.b, SA_PR_OUT_CLEAR, 0, 0xbb, 0));
	c = sfx_run(&f, &f.a, 0, tur, NULL, 0, 0);
	SFX_SENSE(c, SENSE_UNIT_ATTENTION, ASC_RESERVATIONS_PREEMPTED);
	expect_keys(&f, 7, NULL, 0);
	expect_resv(&f, 0, 0);
	SFX_GOOD(sfx_run(&f, &f.b, 0, tur, NULL, 0, 0));
	SFX_GOOD(sfx_run(&f, &f.c, 0, res, NULL, 0, 4096));
	sfx_close(&f);
}

static void pr_errors(void)
{
	struct sfx f;
	sfx_open(&f, "spc_prerr");
	sfx_clear_all(&f);
	/* REPORT CAPABILITIES */
	struct scsi_cmd c = pr_in(&f, &f.a, SA_PR_IN_REPORT_CAPABILITIES);
	SFX_GOOD(c);
	const uint8_t caps[8] = {0, 8, 0x10, 0x80, 0xea, 0x01, 0, 0};
	CHECK_EQ(c.data_in_len, 8);
	CHECK(!memcmp(f.in, caps, 8));
	/* unknown service actions, in and out (REGISTER AND MOVE is not supported) */
	c = pr_in(&f, &f.a, 0x04);
	SFX_FIELD(c, true, 1, 4);
	c = pr_out(&f, &f.a, 0x07, 0, 0, 1);
	SFX_FIELD(c, true, 1, 4);
	/* parameter list length must be 24 */
	uint8_t list[32] = {0};
	put_be64(&list[8], 5);
	const uint8_t l23[10] = {OP_PERSISTENT_RESERVE_OUT, 0, 0, 0, 0, 0, 0, 0, 23, 0};
	c = sfx_run(&f, &f.a, 0, l23, list, 23, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	const uint8_t l25[10] = {OP_PERSISTENT_RESERVE_OUT, 0, 0, 0, 0, 0, 0, 0, 25, 0};
	c = sfx_run(&f, &f.a, 0, l25, list, 25, 0);
	SFX_SENSE(c, SENSE_ILLEGAL_REQUEST, ASC_PARAMETER_LIST_LENGTH_ERROR);
	/* APTPL, ALL_TG_PT, SPEC_I_PT are not supported */
	const uint8_t l24[10] = {OP_PERSISTENT_RESERVE_OUT, 0, 0, 0, 0, 0, 0, 0, 24, 0};
	list[20] = 0x01;
	c = sfx_run(&f, &f.a, 0, l24, list, 24, 0);
	SFX_FIELD(c, false, 20, 0);
	list[20] = 0x04;
	c = sfx_run(&f, &f.a, 0, l24, list, 24, 0);
	SFX_FIELD(c, false, 20, 2);
	list[20] = 0x08;
	c = sfx_run(&f, &f.a, 0, l24, list, 24, 0);
	SFX_FIELD(c, false, 20, 3);
	expect_keys(&f, 0, NULL, 0);
	/* type and scope of RESERVE */
	SFX_GOOD(pr_out(&f, &f.a, SA_PR_OUT_REGISTER, 0, 0, 0xaa));
	c = pr_out(&f, &f.a, SA_PR_OUT_RESERVE, 0x02, 0xaa, 0);
	SFX_FIELD(c, true, 2, 3);
	c = pr_out(&f, &f.a, SA_PR_OUT_RESERVE, 0x10 | PR_TYPE_WE, 0xaa, 0);
	SFX_FIELD(c, true, 2, 7);
	/* registrations do not survive into a drive LU: PR state is per LU */
	const uint8_t rk[10] = {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 1, 0, 0};
	c = sfx_run(&f, &f.a, 1, rk, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(get_be32(&f.in[4]), 0);
	/* allocation length 4 on READ KEYS: header cut, still GOOD */
	const uint8_t rk4[10] = {OP_PERSISTENT_RESERVE_IN, SA_PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 0, 4, 0};
	c = sfx_run(&f, &f.a, 0, rk4, NULL, 0, 256);
	SFX_GOOD(c);
	CHECK_EQ(c.data_in_len, 4);
	CHECK_EQ(c.implied_len, 4);
	sfx_close(&f);
}

int main(void)
{
	spc2_reserve();
	pr_register_reserve();
	pr_types();
	pr_preempt_clear();
	pr_errors();
	printf("test_spc_resv: ok\n");
	return 0;
}
