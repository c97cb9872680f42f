/* rc10_shim.c - LD_PRELOAD shim that lets libiscsi's iscsi-test-cu 1.19 start against a
 * tape drive or media changer LUN.
 *
 * Why: iscsi-test-cu sizes "the disk" before it runs any test. Its first command after
 * login is READ CAPACITY(10), and it exits (status 255) unless that is GOOD. READ
 * CAPACITY is an SBC-3 command; an SSC or SMC logical unit rightly answers CHECK
 * CONDITION, ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (05/20/00), so without help
 * none of the SPC and iSCSI families that do apply to tape can run.
 *
 * What, as narrowly as possible: the tool sends every CDB through
 * iscsi_scsi_command_sync() (libiscsi, resolved through the PLT, so a preloaded
 * definition wins). This one wraps it and touches exactly one command per process: the
 * FIRST READ CAPACITY(10), which is the start-up probe. That command still goes to the
 * target; only when the target answered 05/20/00, as a tape or changer LUN must, is the
 * answer rewritten to GOOD with 8 bytes of made-up capacity (RC10_LAST_LBA + 1 blocks of
 * RC10_BLOCK bytes; iscsi-test-cu mallocs 65536 blocks of scratch from it). Any other
 * answer, and every later command including later READ CAPACITY(10)s, is passed through
 * untouched. One line on stderr says the probe was answered, so a test can tell the shim
 * was loaded and did its job.
 *
 * Built as a shared library WITHOUT sanitizers (tests/integration/CMakeLists.txt strips
 * them): it is loaded into the distribution's iscsi-test-cu, which is not an ASan
 * binary, and an ASan-instrumented preload would abort at start-up.
 *
 * Concurrency: iscsi-test-cu issues commands from one thread; the one-shot flag is an
 * atomic anyway, so a second thread could never see the rewrite twice. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define RC10_OPCODE 0x25
#define RC10_LAST_LBA 2047u       /* 1 MiB "device": small, so no test sizes huge buffers */
#define RC10_BLOCK 512u

typedef struct scsi_task *(*cmd_sync_fn)(struct iscsi_context *, int, struct scsi_task *,
					 struct iscsi_data *);

static atomic_int rc10_probe_seen;

static void rc10_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The target's answer was 05/20/00: make it the GOOD answer a disk would give. libiscsi
 * keeps the sense of a CHECK CONDITION in task->datain (malloc'ed; scsi_free_scsi_task
 * frees it), so the data-in buffer is replaced by the 8-byte READ CAPACITY(10) data
 * (SBC-3 5.16.2: RETURNED LOGICAL BLOCK ADDRESS, then BLOCK LENGTH IN BYTES). */
static void rc10_answer(struct scsi_task *task)
{
	unsigned char *data = malloc(8);
	if (!data)
		return;                  /* leave the real answer; the tool reports it */
	rc10_put32(data, RC10_LAST_LBA);
	rc10_put32(data + 4, RC10_BLOCK);
	free(task->datain.data);
	task->datain.data = data;
	task->datain.size = 8;
	task->status = SCSI_STATUS_GOOD;
	task->sense.error_type = 0;
	task->sense.key = SCSI_SENSE_NO_SENSE;
	task->sense.ascq = 0;
	task->residual_status = SCSI_RESIDUAL_NO_RESIDUAL;
	task->residual = 0;
	fprintf(stderr, "rc10_shim: start-up READ CAPACITY(10) answered 05/20/00 by the "
			"target; reported %u blocks of %u bytes to the tool\n",
		RC10_LAST_LBA + 1, RC10_BLOCK);
}

struct scsi_task *iscsi_scsi_command_sync(struct iscsi_context *iscsi, int lun,
					  struct scsi_task *task, struct iscsi_data *data)
{
	static cmd_sync_fn real;
	if (!real) {
		/* the next definition in lookup order: libiscsi's own */
		real = (cmd_sync_fn)dlsym(RTLD_NEXT, "iscsi_scsi_command_sync");
		if (!real) {
			fprintf(stderr, "rc10_shim: iscsi_scsi_command_sync not found\n");
			abort();
		}
	}
	int is_rc10 = task && task->cdb_size > 0 && task->cdb[0] == RC10_OPCODE;
	task = real(iscsi, lun, task, data);
	if (!task || !is_rc10 || atomic_exchange(&rc10_probe_seen, 1))
		return task;
	if (task->status == SCSI_STATUS_CHECK_CONDITION &&
	    task->sense.key == SCSI_SENSE_ILLEGAL_REQUEST &&
	    task->sense.ascq == SCSI_SENSE_ASCQ_INVALID_OPERATION_CODE)
		rc10_answer(task);
	return task;
}
