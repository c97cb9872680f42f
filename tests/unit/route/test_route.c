/* Routing with a library set that changes under running sessions: real libraries on a
 * store in a private directory, commands executed through the iSCSI backend callbacks from
 * several threads while libraries are removed, closed, reopened and added again. A
 * library closed under a running command would be a use-after-free (ASan in CI). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/lib/lib.h"
#include "node/route/route.h"
#include "node/store/store.h"
#include "tests/testutil.h"

static struct store *s;
static struct route r;
static struct iscsi_backend be;

static struct lib_config cfg(const char *name, const char *prefix)
{
	struct lib_config c;
	lib_config_defaults(&c, name);
	snprintf(c.target, sizeof c.target, "iqn.test:%s", name);
	snprintf(c.barcode_prefix, sizeof c.barcode_prefix, "%s", prefix);
	c.cartridges = 3;
	c.capacity = 16u << 20;
	return c;
}

static struct lib *open_lib(const char *name, const char *prefix)
{
	struct lib_config c = cfg(name, prefix);
	struct lib *lib = NULL;
	CHECK_EQ(lib_open(s, &c, &lib), 0);
	return lib;
}

/* One command through the backend, as the transport runs it. */
static struct scsi_cmd run(const char *target, uint64_t lun, uint8_t op, const char *who)
{
	static _Thread_local uint8_t buf[4096];
	struct scsi_cmd c = {.lun = lun, .cdb = {op}, .cdb_len = 6, .data_in = buf,
			     .data_in_cap = sizeof buf};
	snprintf(c.nexus.initiator, sizeof c.nexus.initiator, "iqn.test:%s", who);
	c.nexus.tpgt = 1;
	if (op == 0x12) {       /* INQUIRY, 96 bytes */
		c.cdb[4] = 96;
		c.dir = SCSI_DIR_READ;
		c.expected_len = 96;
	}
	be.exec(be.arg, target, &c);
	return c;
}

static bool is_transition(const struct scsi_cmd *c)
{
	return c->status == SAM_STAT_CHECK_CONDITION && c->sense_len >= 14 && c->sense[0] == 0x70 &&
	       (c->sense[2] & 0x0f) == 0x02 && c->sense[12] == 0x04 && c->sense[13] == 0x0a;
}

static void collect(void *ctx, const char *target)
{
	char *out = ctx;
	strcat(out, target);
	strcat(out, ";");
}

static void test_basics(void)
{
	struct lib *a = open_lib("alpha", "AA"), *b = open_lib("beta", "BB");
	CHECK_EQ(route_add(&r, a), 0);
	CHECK_EQ(route_add(&r, b), 0);
	CHECK_EQ(route_add(&r, a), -EEXIST);
	CHECK_EQ(route_count(&r), 2);
	char list[1024] = "";
	be.target_list(be.arg, collect, list);
	CHECK(!strcmp(list, "iqn.test:alpha;iqn.test:beta;"));
	CHECK(be.target_exists(be.arg, "iqn.test:alpha"));
	CHECK(!be.target_exists(be.arg, "alpha"));      /* targets by full name only */
	CHECK(route_acquire(&r, "alpha") == a);
	route_release(&r, a);
	uint64_t epoch = 99;
	CHECK(route_acquire_epoch(&r, "beta", &epoch) == b);
	CHECK_EQ(epoch, 0);     /* none set: standalone */
	route_release(&r, b);
	route_set_epoch(&r, "beta", 7);
	CHECK(route_acquire_epoch(&r, "beta", &epoch) == b);
	CHECK_EQ(epoch, 7);
	route_release(&r, b);
	CHECK(route_acquire_epoch(&r, "gamma", &epoch) == NULL);
	CHECK(route_acquire(&r, "iqn.test:alpha") == NULL);     /* libraries by name only */
	CHECK(route_acquire(&r, "gamma") == NULL);

	/* first contact: power-on unit attention, then GOOD */
	struct scsi_cmd c = run("iqn.test:alpha", 0, 0x00, "i1");
	CHECK_EQ(c.status, SAM_STAT_CHECK_CONDITION);
	CHECK_EQ(c.sense[2] & 0x0f, 0x06);
	CHECK_EQ(run("iqn.test:alpha", 0, 0x00, "i1").status, SAM_STAT_GOOD);

	CHECK(route_remove(&r, "alpha") == a);
	CHECK(route_remove(&r, "alpha") == NULL);
	CHECK(!be.target_exists(be.arg, "iqn.test:alpha"));
	list[0] = 0;
	be.target_list(be.arg, collect, list);
	CHECK(!strcmp(list, "iqn.test:beta;"));
	c = run("iqn.test:alpha", 0, 0x00, "i1");
	CHECK(is_transition(&c));
	CHECK_EQ(c.sense_len, 18);
	c = run("iqn.test:alpha", 1, 0x12, "i1");      /* INQUIRY too: nothing to answer from */
	CHECK(is_transition(&c));
	CHECK_EQ(c.data_in_len, 0);
	CHECK_EQ(be.tmf(be.arg, "iqn.test:alpha", ISCSI_TMF_LOGICAL_UNIT_RESET, 0, &c.nexus), 1);
	CHECK_EQ(be.tmf(be.arg, "iqn.test:beta", ISCSI_TMF_LOGICAL_UNIT_RESET, 9, &c.nexus), 2);
	CHECK_EQ(be.tmf(be.arg, "iqn.test:beta", ISCSI_TMF_LOGICAL_UNIT_RESET, 1, &c.nexus), 0);
	be.nexus_lost(be.arg, "iqn.test:alpha", &c.nexus);     /* gone: nothing to do */
	be.nexus_lost(be.arg, "iqn.test:beta", &c.nexus);
	lib_close(a);
	/* the name is free again */
	a = open_lib("alpha", "AA");
	CHECK_EQ(route_add(&r, a), 0);
	CHECK(route_remove(&r, "alpha") == a);
	CHECK(route_remove(&r, "beta") == b);
	CHECK_EQ(route_count(&r), 0);
	lib_close(a);
	lib_close(b);
}

/* route_remove waits for the last reference. */
struct remover {
	const char *name;
	struct lib *got;
	atomic_bool done;
};

static void *remover_main(void *arg)
{
	struct remover *m = arg;
	m->got = route_remove(&r, m->name);
	atomic_store(&m->done, true);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_remove_waits(void)
{
	struct lib *a = open_lib("alpha", "AA");
	CHECK_EQ(route_add(&r, a), 0);
	CHECK(route_acquire(&r, "alpha") == a);
	CHECK(route_acquire(&r, "alpha") == a);
	struct remover m = {.name = "alpha"};
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, remover_main, &m), 0);
	sleep_ms(100);
	CHECK(!atomic_load(&m.done));
	/* unpublished at once, though the remove still waits */
	CHECK(route_acquire(&r, "alpha") == NULL);
	CHECK(!be.target_exists(be.arg, "iqn.test:alpha"));
	route_release(&r, a);
	sleep_ms(100);
	CHECK(!atomic_load(&m.done));
	route_release(&r, a);
	pthread_join(th, NULL);
	CHECK(atomic_load(&m.done) && m.got == a);
	/* unpublish first, remove later (self-fencing hides everything before waiting) */
	CHECK_EQ(route_add(&r, a), 0);
	CHECK(route_acquire(&r, "alpha") == a);
	CHECK(route_unpublish(&r, "alpha"));
	CHECK(!route_unpublish(&r, "alpha"));
	CHECK(route_acquire(&r, "alpha") == NULL);
	CHECK_EQ(route_count(&r), 0);
	CHECK_EQ(route_add(&r, a), -EEXIST);    /* still there until removed */
	m = (struct remover){.name = "alpha"};
	CHECK_EQ(pthread_create(&th, NULL, remover_main, &m), 0);
	sleep_ms(50);
	CHECK(!atomic_load(&m.done));
	CHECK(route_remove(&r, "alpha") == NULL);       /* one remover at a time */
	route_release(&r, a);
	pthread_join(th, NULL);
	CHECK(m.got == a);
	lib_close(a);
}

/* Sessions hammer two libraries while the main thread takes one away and back. */
struct worker {
	int id;
	atomic_bool *stop;
	unsigned long good, transition, other;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char who[32];
	snprintf(who, sizeof who, "w%d", w->id);
	for (unsigned long i = 0; !atomic_load(w->stop); i++) {
		const char *t = i % 2 ? "iqn.test:alpha" : "iqn.test:beta";
		/* TEST UNIT READY on the changer, INQUIRY on every LUN (drives are empty) */
		uint64_t lun = i % 3;
		struct scsi_cmd c = run(t, lun, lun || i % 4 == 0 ? 0x12 : 0x00, who);
		if (c.status == SAM_STAT_GOOD)
			w->good++;
		else if (is_transition(&c))
			w->transition++;
		else if (c.status == SAM_STAT_CHECK_CONDITION && (c.sense[2] & 0x0f) == 0x06)
			w->other++;     /* unit attention of a reopened library */
		else {
			fprintf(stderr, "lun %llu: status %d sense %02x/%02x/%02x\n",
				(unsigned long long)lun, c.status, c.sense[2], c.sense[12], c.sense[13]);
			CHECK(!"unexpected answer");
		}
		if (i % 64 == 0) {
			struct lib *lib = route_acquire(&r, "alpha");   /* a peer's lookup */
			if (lib) {
				CHECK(!strcmp(lib->cfg.name, "alpha"));
				route_release(&r, lib);
			}
		}
	}
	return NULL;
}

static void test_concurrent(void)
{
	struct lib *a = open_lib("alpha", "AA"), *b = open_lib("beta", "BB");
	CHECK_EQ(route_add(&r, a), 0);
	CHECK_EQ(route_add(&r, b), 0);
	atomic_bool stop = false;
	struct worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){.id = i, .stop = &stop};
		CHECK_EQ(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int round = 0; round < 30; round++) {
		sleep_ms(5);
		struct lib *got = route_remove(&r, "alpha");
		CHECK(got == a);
		lib_close(a);           /* nobody may be inside it now */
		sleep_ms(2);
		a = open_lib("alpha", "AA");
		CHECK_EQ(route_add(&r, a), 0);
	}
	atomic_store(&stop, true);
	unsigned long good = 0, transition = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		good += w[i].good;
		transition += w[i].transition;
	}
	CHECK(good > 0);
	CHECK(transition > 0);  /* the removals were seen, as 02/04/0A */
	CHECK(route_remove(&r, "alpha") == a);
	CHECK(route_remove(&r, "beta") == b);
	lib_close(a);
	lib_close(b);
}

int main(void)
{
	const char *d = tu_tmpdir("route");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", d);
	CHECK_EQ(store_open(dir, &s), 0);
	CHECK_EQ(route_init(&r), 0);
	route_backend(&r, &be);
	test_basics();
	test_remove_waits();
	test_concurrent();
	/* entries left at fini are freed (libraries are the caller's) */
	struct lib *a = open_lib("alpha", "AA");
	CHECK_EQ(route_add(&r, a), 0);
	route_fini(&r);
	lib_close(a);
	store_close(s);
	tu_rmtree(dir);
	return 0;
}
