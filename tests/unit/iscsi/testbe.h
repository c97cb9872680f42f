/* testbe.h - a tiny SCSI backend for the transport's tests (the real SCSI layer lives
 * elsewhere). LUN 0 and 1 exist; it answers TEST UNIT READY, INQUIRY, REPORT LUNS,
 * WRITE(6) (keeps a copy of the bytes), READ(6) (returns the last written bytes, or a
 * pattern when nothing was written), and CHECK CONDITION for the rest. Every callback
 * may run on any connection thread; fields are guarded by `lock`. */
#ifndef VTL_TESTS_ISCSI_TESTBE_H
#define VTL_TESTS_ISCSI_TESTBE_H

#include <pthread.h>
#include <stdint.h>

#include "node/iscsi/iscsi.h"

#define TESTBE_TARGETS_MAX 64
#define TESTBE_OP_SLOW 0xC0     /* vendor opcode: sleeps slow_ms, then GOOD */

struct testbe {
	pthread_mutex_t lock;
	char targets[TESTBE_TARGETS_MAX][SCSI_NAME_MAX];
	int ntargets;
	uint8_t *written;           /* last WRITE(6) payload */
	uint32_t written_len;
	unsigned execs;
	unsigned ntmf;
	int last_tmf_fn;
	uint64_t last_tmf_lun;
	struct scsi_nexus last_nexus;
	char last_target[SCSI_NAME_MAX];
	unsigned slow_ms;
};

void testbe_init(struct testbe *be);
void testbe_add_target(struct testbe *be, const char *name);
void testbe_fini(struct testbe *be);
struct iscsi_backend testbe_backend(struct testbe *be);

/* The byte READ(6) returns at offset i when nothing was written. */
static inline uint8_t testbe_pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 8));
}

#endif
